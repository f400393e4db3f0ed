// SPDX-License-Identifier: MIT
// fork_exit: fork, the child _exit(0)s, the parent reaps it with wait4; us per iteration.
#include "bench.h"

/*
 * Besides the `bench` line, one note line splits the time between the
 * parent's fork() (the copy: process, address space, descriptors, a
 * thread) and its wait4() (the child runs, exits, the parent reaps it:
 * switches, teardown); tools/bench.py ignores it, the log keeps it.
 */
int main(int argc, char **argv)
{
	long n = b_begin("fork_exit", argc, argv, 1000);
	long long t0 = 0, in_fork = 0;

	for (long i = -10; i < n; i++) {	/* ten warm-up rounds */
		if (i == 0)
			t0 = b_now();
		long long f0 = b_now();
		pid_t pid = fork();
		if (pid < 0)
			b_fail("fork");
		if (pid == 0)
			_exit(0);
		if (i >= 0)
			in_fork += b_now() - f0;
		b_wait(pid, "child");
	}
	long long total = b_now() - t0;
	b_report(total, n, "us");
	b_line("fork_exit: %.1f us in fork(), %.1f us in wait4() and the rest", in_fork / 1000.0 / n,
	       (total - in_fork) / 1000.0 / n);
	return 0;
}
