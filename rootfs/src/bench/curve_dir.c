// SPDX-License-Identifier: MIT
// curve_dir: create, stat, list and unlink in a directory of N files, ns per operation.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "curve.h"

#define DIR_PATH "/bench-curve-dir"
#define DENTS_BUF (1 << 20)

static char dents[DENTS_BUF];

static void name_of(char *out, size_t size, long i)
{
	snprintf(out, size, DIR_PATH "/file-%06ld", i);
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
	char path[64];
	struct stat st;

	if (mkdir(DIR_PATH, 0755) != 0)
		b_fail("mkdir");
	long long t0 = b_now();
	for (long i = 0; i < n; i++) {
		name_of(path, sizeof(path), i);
		int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0)
			b_fail("create");
		close(fd);
	}
	c_report("dir_create", n, b_now() - t0, n);
	t0 = b_now();
	for (long i = 0; i < iters; i++) {
		name_of(path, sizeof(path), (i * 7919) % n); /* spread over the directory */
		if (stat(path, &st) != 0)
			b_fail("stat");
	}
	c_report("dir_stat", n, b_now() - t0, iters);
	long lists = iters / n > 0 ? iters / n : 1;
	t0 = b_now();
	for (long i = 0; i < lists; i++)
		if (list_all() != n + 2)
			b_fail("getdents64 count");
	c_report("dir_getdents", n, b_now() - t0, lists);
	t0 = b_now();
	for (long i = 0; i < n; i++) {
		name_of(path, sizeof(path), i);
		if (unlink(path) != 0)
			b_fail("unlink");
	}
	c_report("dir_unlink", n, b_now() - t0, n);
	if (rmdir(DIR_PATH) != 0)
		b_fail("rmdir");
	return 0;
}
