// SPDX-License-Identifier: MIT
// curve_poll: poll(2) with timeout 0 over N descriptors none of which is ready, ns per call.
#include <poll.h>
#include "curve.h"

#define MAX_N 1000 /* 1000 descriptors and the pipe's two fit RLIMIT_NOFILE's 1024 */

static struct pollfd pfd[MAX_N];

int main(int argc, char **argv)
{
	long n, iters = c_begin("curve_poll", argc, argv, &n);
	int fds[2];

	if (n > MAX_N) {
		b_line("bench-error curve_poll N %ld above %d", n, MAX_N);
		return 1;
	}
	if (pipe(fds) != 0)
		b_fail("pipe");
	for (long i = 0; i < n; i++) { /* copies of an empty pipe's read end: never readable */
		pfd[i].fd = i == 0 ? fds[0] : dup(fds[0]);
		if (pfd[i].fd < 0)
			b_fail("dup");
		pfd[i].events = POLLIN;
	}
	long long t0 = b_now();
	for (long i = 0; i < iters; i++)
		if (poll(pfd, n, 0) != 0)
			b_fail("poll");
	c_report("poll_fds", n, b_now() - t0, iters);
	return 0;
}
