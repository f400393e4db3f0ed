// SPDX-License-Identifier: MIT
// curve_path: stat of a file N directories deep (N path components to look up), ns per stat.
#include <sys/stat.h>
#include "curve.h"

#define ROOT "/bench-curve-path"
#define MAX_N 64 /* 7 bytes a level ("dir-NN/"): far below PATH_MAX */

/* The path of level depth (0: ROOT itself) into out, which holds PATH_MAX. */
static void path_at(char *out, int depth)
{
	int len = snprintf(out, 64, "%s/", ROOT);

	for (int i = 0; i < depth; i++)
		len += snprintf(out + len, 16, "dir-%02d/", i % 100);
	out[len - 1] = '\0';
}

/* Make the chain ROOT/dir-00/.../dir-(n-1)/file, level by level. */
static void make_chain(long n, char *path)
{
	for (int d = 0; d <= n; d++) {
		path_at(path, d);
		if (mkdir(path, 0755) != 0)
			b_fail("mkdir");
	}
	strcat(path, "/file");
	if (mkdir(path, 0755) != 0)
		b_fail("mkdir file");
}

/* Remove the chain, deepest first. */
static void remove_chain(long n, char *path)
{
	path_at(path, (int)n);
	strcat(path, "/file");
	if (rmdir(path) != 0)
		b_fail("rmdir file");
	for (int d = (int)n; d >= 0; d--) {
		path_at(path, d);
		if (rmdir(path) != 0)
			b_fail("rmdir");
	}
}

/*
 * N is the number of directories between ROOT and the file, so a stat
 * walks N + 2 components (ROOT, the N levels, the file); the file is an
 * empty directory, which both kernels stat as they do a file.
 */
int main(int argc, char **argv)
{
	long n, iters = c_begin("curve_path", argc, argv, &n);
	static char path[4096];
	struct stat st;

	if (n > MAX_N) {
		b_line("bench-error curve_path N %ld above %d", n, MAX_N);
		return 1;
	}
	make_chain(n, path);
	for (int i = 0; i < 10; i++)
		if (stat(path, &st) != 0)
			b_fail("stat (warm-up)");
	long long t0 = b_now();
	for (long i = 0; i < iters; i++)
		if (stat(path, &st) != 0)
			b_fail("stat");
	c_report("path_stat", n, b_now() - t0, iters);
	remove_chain(n, path);
	return 0;
}
