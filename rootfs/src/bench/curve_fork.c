// SPDX-License-Identifier: MIT
// curve_fork: fork + _exit + wait4 of a process with N MiB of anonymous memory touched, ns per fork.
#include <sys/mman.h>
#include "curve.h"

#define MIB (1L << 20)
#define PAGE 4096L
#define MAX_N 1024
#define MIN_REPS 4

/*
 * The parent maps N MiB, writes every page (each its own private page)
 * and then forks, the child _exits at once, the parent reaps it: what a
 * fork costs against the memory it must share copy-on-write (and what
 * exit costs to drop it). Linux would back the region with 2 MiB pages
 * (THP "always" on Debian): MADV_NOHUGEPAGE asks both kernels for 4 KiB
 * pages. Repetitions: ITERATIONS / N, at least MIN_REPS.
 */
int main(int argc, char **argv)
{
	long n, iters = c_begin("curve_fork", argc, argv, &n);

	if (n > MAX_N) {
		b_line("bench-error curve_fork N %ld above %d", n, MAX_N);
		return 1;
	}
	char *p = mmap(NULL, n * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		b_fail("mmap");
	(void)madvise(p, n * MIB, MADV_NOHUGEPAGE);
	for (long off = 0; off < n * MIB; off += PAGE)
		p[off] = 1;
	long reps = iters / n < MIN_REPS ? MIN_REPS : iters / n;
	long long t0 = 0;
	for (long i = -1; i < reps; i++) { /* one warm-up round */
		if (i == 0)
			t0 = b_now();
		pid_t pid = fork();
		if (pid < 0)
			b_fail("fork");
		if (pid == 0)
			_exit(0);
		b_wait(pid, "child");
	}
	c_report("fork_touched", n, b_now() - t0, reps);
	return 0;
}
