// SPDX-License-Identifier: MIT
// curve_file: write a file of N bytes on the RAM file system and read it back, ns per call.
#include <fcntl.h>
#include <sys/mman.h>
#include "curve.h"

#define FILE_PATH "/bench-curve-file"
#define MAX_N (64L << 20)
#define SCALE_N (64L << 10) /* above this N, fewer repetitions: the work grows with N */
#define MIN_REPS 2

/*
 * Per repetition: ftruncate to 0 and one pwrite of N bytes at offset 0
 * (the file system allocates and fills N bytes of pages: `file_write`),
 * then one pread of the N bytes (`file_read`). The file stays open, so
 * neither figure holds a path lookup. The buffer is touched before timing,
 * so no page fault of the program's is counted. Repetitions: ITERATIONS up
 * to 64 KiB, then ITERATIONS * 64 KiB / N, at least MIN_REPS.
 */
static long reps_for(long iters, long n)
{
	long reps = n <= SCALE_N ? iters : iters * (SCALE_N / 1024) / (n / 1024);

	return reps < MIN_REPS ? MIN_REPS : reps;
}

/* Write all n bytes at offset 0 (a kernel may return less than asked). */
static void write_all(int fd, const char *buf, long n)
{
	for (long done = 0; done < n;) {
		ssize_t w = pwrite(fd, buf + done, n - done, done);
		if (w <= 0)
			b_fail("pwrite");
		done += w;
	}
}

static void read_all(int fd, char *buf, long n)
{
	for (long done = 0; done < n;) {
		ssize_t r = pread(fd, buf + done, n - done, done);
		if (r <= 0)
			b_fail("pread");
		done += r;
	}
}

int main(int argc, char **argv)
{
	long n, iters = c_begin("curve_file", argc, argv, &n);

	if (n > MAX_N) {
		b_line("bench-error curve_file N %ld above %ld", n, MAX_N);
		return 1;
	}
	char *buf = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		b_fail("mmap buffer");
	memset(buf, 0x5a, n);
	int fd = open(FILE_PATH, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		b_fail("create");
	long reps = reps_for(iters, n);
	long long wns = 0, rns = 0;
	for (long i = -1; i < reps; i++) { /* one warm-up round */
		long long t0 = b_now();
		if (ftruncate(fd, 0) != 0)
			b_fail("ftruncate");
		write_all(fd, buf, n);
		long long t1 = b_now();
		read_all(fd, buf, n);
		long long t2 = b_now();
		if (i >= 0) {
			wns += t1 - t0;
			rns += t2 - t1;
		}
	}
	c_report("file_write", n, wns, reps);
	c_report("file_read", n, rns, reps);
	close(fd);
	if (unlink(FILE_PATH) != 0)
		b_fail("unlink");
	return 0;
}
