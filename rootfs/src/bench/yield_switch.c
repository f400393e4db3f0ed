// SPDX-License-Identifier: MIT
// yield_switch: two processes on one CPU alternate with sched_yield, ns per switch.
#include <sched.h>
#include "bench.h"

/*
 * Both processes call sched_yield n times; on one CPU each call hands the
 * CPU to the other, so there are 2n switches. A pipe lines up the start:
 * the child yields only once the parent is ready to, and the parent's
 * clock runs from then until it has reaped the child (one exit and one
 * wait4 more, noise next to 2n switches). On several CPUs the processes
 * need not alternate and the figure means little: bench.py runs -smp 1.
 */
int main(int argc, char **argv)
{
	long n = b_begin("yield_switch", argc, argv, 10000);
	int go[2];

	if (pipe(go) != 0)
		b_fail("pipe");
	pid_t pid = fork();
	if (pid < 0)
		b_fail("fork");
	if (pid == 0) {
		char c;
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		for (long i = 0; i < n; i++)
			sched_yield();
		_exit(0);
	}
	long long t0 = b_now();
	if (write(go[1], "g", 1) != 1)
		b_fail("write pipe");
	for (long i = 0; i < n; i++)
		sched_yield();
	b_wait(pid, "yielding child");
	b_report(b_now() - t0, 2 * n, "ns");
	return 0;
}
