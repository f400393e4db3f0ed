// SPDX-License-Identifier: MIT
// curve_pipe: write N bytes into a pipe and read them back (one process), ns per write+read.
#include "curve.h"

#define MAX_N (64L << 10) /* the pipe's size on both kernels: neither call blocks */

static char buf[MAX_N];

/* One write of n bytes and the read that empties the pipe again. */
static void write_read(int fds[2], long n)
{
	if (write(fds[1], buf, n) != n)
		b_fail("write pipe");
	for (long got = 0; got < n;) {
		ssize_t r = read(fds[0], buf, n - got);
		if (r <= 0)
			b_fail("read pipe");
		got += r;
	}
}

int main(int argc, char **argv)
{
	long n, iters = c_begin("curve_pipe", argc, argv, &n);
	int fds[2];

	if (n > MAX_N) {
		b_line("bench-error curve_pipe N %ld above %ld", n, MAX_N);
		return 1;
	}
	if (pipe(fds) != 0)
		b_fail("pipe");
	for (int i = 0; i < 10; i++)
		write_read(fds, n);
	long long t0 = b_now();
	for (long i = 0; i < iters; i++)
		write_read(fds, n);
	c_report("pipe_write_read", n, b_now() - t0, iters);
	return 0;
}
