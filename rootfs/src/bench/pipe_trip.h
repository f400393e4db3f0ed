/* SPDX-License-Identifier: MIT */
/* The two ends of a one-byte round trip over pipes or a socketpair
 * (pipe_pingpong, pipe_xcpu, unix_pingpong). */
#ifndef ROOTFS_BENCH_PIPE_TRIP_H
#define ROOTFS_BENCH_PIPE_TRIP_H

#include "bench.h"

/* The child: echo every byte from `in` back on `out` until end of file. */
static inline void __attribute__((noreturn)) echo(int in, int out)
{
	char c;
	ssize_t r;

	while ((r = read(in, &c, 1)) == 1)
		if (write(out, &c, 1) != 1)
			_exit(3);
	_exit(r == 0 ? 0 : 4);
}

/* One round trip from the parent's side: send a byte, wait for it to come back. */
static inline void round_trip(int to, int from)
{
	char c = 'p';

	if (write(to, &c, 1) != 1)
		b_fail("write pipe");
	if (read(from, &c, 1) != 1)
		b_fail("read pipe");
}

/* 100 round trips to warm up, then n timed: the nanoseconds they took. */
static inline long long timed_trips(int to, int from, long n)
{
	for (int i = 0; i < 100; i++)
		round_trip(to, from);
	long long t0 = b_now();
	for (long i = 0; i < n; i++)
		round_trip(to, from);
	return b_now() - t0;
}

#endif
