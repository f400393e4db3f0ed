/* SPDX-License-Identifier: MIT */
/*
 * CPU time: how long a process has run, split into user and system time.
 *
 * The scheduler measures each thread's running time exactly (time_ns()
 * at every switch). Which part of it was user and which was kernel is
 * sampled instead: the timer tick charges the interrupted process a user
 * or a system tick. cputime_split scales the exact total by the sampled
 * ratio, as Linux's cputime_adjust does, so the two parts always add up
 * to the real running time and neither goes backwards by much.
 */
#ifndef KESTREL_PROC_CPUTIME_H
#define KESTREL_PROC_CPUTIME_H

#include <stdint.h>

struct cpu_times {
	uint64_t user_ns, sys_ns;
};

/*
 * Split run_ns into user and system time in the proportion of the
 * sampled user_ticks : sys_ticks. With no samples at all the time counts
 * as user time (a program that ran less than a tick was most likely
 * computing). Never overflows: run_ns and the ticks may be any values.
 */
struct cpu_times cputime_split(uint64_t run_ns, uint64_t user_ticks, uint64_t sys_ticks);

/* a + b, part by part. */
static inline struct cpu_times cputime_add(struct cpu_times a, struct cpu_times b)
{
	return (struct cpu_times){ a.user_ns + b.user_ns, a.sys_ns + b.sys_ns };
}

#endif
