// SPDX-License-Identifier: MIT
// fork_exit: fork, the child _exit(0)s, the parent reaps it with wait4; us per iteration.
#include "bench.h"

int main(int argc, char **argv)
{
	long n = b_begin("fork_exit", argc, argv, 1000);
	long long t0 = 0;

	for (long i = -10; i < n; i++) {	/* ten warm-up rounds */
		if (i == 0)
			t0 = b_now();
		pid_t pid = fork();
		if (pid < 0)
			b_fail("fork");
		if (pid == 0)
			_exit(0);
		b_wait(pid, "child");
	}
	b_report(b_now() - t0, n, "us");
	return 0;
}
