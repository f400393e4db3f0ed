// SPDX-License-Identifier: MIT
// parallel: N processes each run the same CPU-bound loop (no system calls); ms until all are done.
#include "smp.h"	/* first: it defines _GNU_SOURCE */
#include <stdint.h>

/*
 * bench-parallel ITERATIONS [N]: N children (default 2) wait at a gate,
 * then each runs ITERATIONS rounds of a xorshift generator, touching
 * nothing but registers, and exits. The figure is the wall time from
 * opening the gate to reaping the last child. The same N on -smp 1 and
 * -smp 2 is the same work: tools/bench.py divides the two times (the
 * parallel speed-up; 2.0 is perfect for N = 2).
 */
#define MAX_CHILDREN 64

/* spin: the work, ITERATIONS xorshift64 rounds; the empty asm keeps each round. */
static uint64_t spin(long iters)
{
	uint64_t x = 88172645463325252ULL;

	for (long i = 0; i < iters; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		__asm__ volatile("" : "+r"(x));
	}
	return x;
}

int main(int argc, char **argv)
{
	long iters = b_begin("parallel", argc, argv, 20000000);
	long n = argc > 2 ? strtol(argv[2], NULL, 10) : 2;
	pid_t pids[MAX_CHILDREN];
	int gate[2];

	if (n < 1 || n > MAX_CHILDREN) {
		b_line("bench-error parallel bad process count '%s'", argv[2]);
		return 1;
	}
	if (pipe(gate) != 0)
		b_fail("pipe");
	for (long i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			b_fail("fork");
		if (pids[i] == 0) {
			smp_gate_wait(gate);
			_exit(spin(iters) == 0 ? 6 : 0);	/* never 0: xorshift has no zero */
		}
	}
	close(gate[0]);
	long long t0 = b_now();
	close(gate[1]);
	for (long i = 0; i < n; i++)
		b_wait(pids[i], "spinning child");
	b_line("bench parallel %.3f ms", (double)(b_now() - t0) / 1e6);
	return 0;
}
