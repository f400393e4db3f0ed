// SPDX-License-Identifier: MIT
// curve_dir: create, stat, list and unlink in a directory of N files, ns per operation
// (per entry for the listing).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "curve.h"

#define DIR_PATH "/bench-curve-dir"
#define DENTS_BUF (1 << 20)
#define MAX_N 10000
#define NAME_SIZE 32 /* DIR_PATH "/file-NNNNNN" and its NUL */

static char dents[DENTS_BUF];
/* Every path, made before anything is timed: the figures are the kernel's
 * work and the loop's, not the C library's snprintf (about 1,000
 * instructions a call, the same on both kernels, which drew their ratio
 * towards 1). */
static char names[MAX_N][NAME_SIZE];

static void make_names(long n)
{
	for (long i = 0; i < n; i++)
		snprintf(names[i], NAME_SIZE, DIR_PATH "/file-%06ld", i);
}

/* Read the whole directory with getdents64; returns the entries seen. */
static long list_all(void)
{
	int fd = open(DIR_PATH, O_RDONLY | O_DIRECTORY);
	long entries = 0, r;

	if (fd < 0)
		b_fail("open directory");
	while ((r = syscall(SYS_getdents64, fd, dents, sizeof(dents))) > 0)
		for (long off = 0; off < r; entries++)
			off += ((struct dirent *)(dents + off))->d_reclen;
	if (r < 0)
		b_fail("getdents64");
	close(fd);
	return entries;
}

int main(int argc, char **argv)
{
	long n, iters = c_begin("curve_dir", argc, argv, &n);
	struct stat st;

	if (n > MAX_N) {
		b_line("bench-error curve_dir N %ld above %d", n, MAX_N);
		return 1;
	}
	make_names(n);
	if (mkdir(DIR_PATH, 0755) != 0)
		b_fail("mkdir");
	long long t0 = b_now();
	for (long i = 0; i < n; i++) {
		int fd = open(names[i], O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0)
			b_fail("create");
		close(fd);
	}
	c_report("dir_create", n, b_now() - t0, n);
	t0 = b_now();
	for (long i = 0; i < iters; i++)
		if (stat(names[(i * 7919) % n], &st) != 0) /* spread over the directory */
			b_fail("stat");
	c_report("dir_stat", n, b_now() - t0, iters);
	long lists = iters / n > 0 ? iters / n : 1;
	t0 = b_now();
	for (long i = 0; i < lists; i++)
		if (list_all() != n + 2)
			b_fail("getdents64 count");
	c_report("getdents_entry", n, b_now() - t0, lists * (n + 2)); /* per entry, . and .. too */
	t0 = b_now();
	for (long i = 0; i < n; i++)
		if (unlink(names[i]) != 0)
			b_fail("unlink");
	c_report("dir_unlink", n, b_now() - t0, n);
	if (rmdir(DIR_PATH) != 0)
		b_fail("rmdir");
	return 0;
}
