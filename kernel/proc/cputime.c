// SPDX-License-Identifier: MIT
/* Splitting measured CPU time by sampled ticks (see cputime.h). Pure: the host tests build it. */
#include "proc/cputime.h"

#define TICKS_LIMIT (1ull << 31) /* keeps rem * part below 2^63 in scale() */

/* a * part / whole for part <= whole < 2^31, without 128-bit division. */
static uint64_t scale(uint64_t a, uint64_t part, uint64_t whole)
{
	return a / whole * part + a % whole * part / whole;
}

struct cpu_times cputime_split(uint64_t run_ns, uint64_t user_ticks, uint64_t sys_ticks)
{
	while (user_ticks + sys_ticks >= TICKS_LIMIT) {
		user_ticks >>= 1;
		sys_ticks >>= 1;
	}
	uint64_t total = user_ticks + sys_ticks;
	uint64_t sys = total ? scale(run_ns, sys_ticks, total) : 0;

	return (struct cpu_times){ run_ns - sys, sys };
}
