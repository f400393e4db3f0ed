/* SPDX-License-Identifier: MIT */
/* The curve benchmarks' shared part: `bench-curve_NAME ITERATIONS N`, one line per metric. */
#ifndef ROOTFS_BENCH_CURVE_H
#define ROOTFS_BENCH_CURVE_H

#include "bench.h"

/*
 * A curve benchmark measures how one operation's cost grows with N (a
 * write size, a directory's length, a number of descriptors) and prints
 * `bench METRIC@N VALUE ns` for each metric it measures at that N;
 * tools/bench.py draws METRIC against N, Kestrel and Linux together.
 */

/* c_begin: name the program, return the iteration count (argv[1]) and N (argv[2]). */
static inline long c_begin(const char *name, int argc, char **argv, long *n_out)
{
	long iters = b_begin(name, argc, argv, 100);
	long n = argc > 2 ? strtol(argv[2], NULL, 10) : 1;

	if (n <= 0) {
		b_line("bench-error %s bad N '%s'", name, argv[2]);
		exit(1);
	}
	*n_out = n;
	return iters;
}

/* c_report: print `bench METRIC@N VALUE ns` for ns nanoseconds over ops operations. */
static inline void c_report(const char *metric, long n, long long ns, long ops)
{
	b_line("bench %s@%ld %.3f ns", metric, n, (double)ns / (double)(ops > 0 ? ops : 1));
}

#endif
