/* SPDX-License-Identifier: MIT */
/* Helpers of the SMP benchmarks: the CPUs a process may run on, pinning, a start gate. */
#ifndef ROOTFS_BENCH_SMP_H
#define ROOTFS_BENCH_SMP_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* sched_setaffinity, CPU_SET, sched_getcpu */
#endif
#include <sched.h>
#include "bench.h"

/*
 * smp_two_cpus: the first two CPUs of the caller's affinity mask in *a and
 * *b. With fewer than two (one CPU online, or a kernel without
 * sched_getaffinity) it prints `bench-error NAME only N CPU online` and
 * exits 1: a cross-CPU figure cannot be measured on one CPU.
 */
static inline void smp_two_cpus(int *a, int *b)
{
	cpu_set_t set;
	int n = 0;

	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		b_fail("sched_getaffinity");
	*a = *b = -1;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		if (n == 0)
			*a = c;
		else if (n == 1)
			*b = c;
		n++;
	}
	if (n < 2) {
		b_line("bench-error %s only %d CPU online: nothing to cross", b_name, n);
		exit(1);
	}
}

/*
 * smp_pin: bind the calling thread to CPU cpu (sched_setaffinity of tid 0
 * is the calling thread on Linux) and check where it runs when getcpu
 * answers (a kernel without getcpu is trusted). Fails the benchmark when
 * either is refused or the thread is elsewhere.
 */
static inline void smp_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		b_fail("sched_setaffinity");
	int now = sched_getcpu();
	if (now >= 0 && now != cpu) {
		b_line("bench-error %s pinned to CPU %d but running on CPU %d", b_name, cpu, now);
		exit(1);
	}
}

/* smp_gate_wait: block until the parent closes the gate's write end (read returns 0). */
static inline void smp_gate_wait(int gate[2])
{
	char c;

	close(gate[1]);
	while (read(gate[0], &c, 1) < 0)
		if (errno != EINTR)
			_exit(5);
	close(gate[0]);
}

#endif
