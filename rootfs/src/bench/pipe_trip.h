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

#endif
