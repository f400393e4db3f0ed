/* SPDX-License-Identifier: MIT */
/* A reference clock: a free-running counter of known frequency (HPET, ACPI PM timer, PIT) to calibrate the TSC and the APIC timer against. */
#ifndef KESTREL_TIME_REFCLOCK_H
#define KESTREL_TIME_REFCLOCK_H

#include <stdint.h>

struct refclock {
	const char *name;       /* for the log: "HPET", "ACPI PM timer", "PIT" */
	uint64_t hz;            /* counts per second */
	uint64_t mask;          /* the counter's width: (later - earlier) & mask counts, across a wrap */
	uint64_t (*read)(void); /* the counter, counting up */
};

/* Counts from earlier to later, one wrap at most. */
static inline uint64_t refclock_delta(const struct refclock *c, uint64_t earlier, uint64_t later)
{
	return (later - earlier) & c->mask;
}

#endif
