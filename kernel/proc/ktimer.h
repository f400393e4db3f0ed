/* SPDX-License-Identifier: MIT */
/* One-shot kernel timers on a hashed timing wheel: sleep deadlines and ITIMER_REAL, at a cost per tick that does not grow with the number of threads. */
#ifndef KESTREL_PROC_KTIMER_H
#define KESTREL_PROC_KTIMER_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A timer, embedded in what it belongs to (a thread, a process). Lock
 * rule: the kernel lock with interrupts off: armed and cancelled so, and
 * fired by the tick of whichever CPU holds the lock (sched_tick). Zeroed
 * memory is a disarmed timer; set fire before arming.
 */
struct ktimer {
	uint64_t when;                  /* time_ns() deadline; 0 = not armed */
	struct ktimer *next, **pprev;   /* its wheel slot's list while armed */
	void (*fire)(struct ktimer *t); /* from the tick, interrupts off, already disarmed */
};

/* Arm t for deadline when (time_ns(), not 0), moving it if it was armed.
 * It fires on the first tick at or after when, never early; a deadline
 * already past fires on the next tick. Interrupts off. */
void ktimer_arm(struct ktimer *t, uint64_t when);
/* Disarm t if armed (a no-op otherwise). Interrupts off. */
void ktimer_cancel(struct ktimer *t);
static inline bool ktimer_armed(const struct ktimer *t)
{
	return t->when != 0;
}
/* From the tick (interrupts off): fire every timer whose deadline is at
 * or before now. The cost is the timers in the wheel slots that came due,
 * not all armed timers. A fire callback may arm or cancel any timer. */
void ktimer_run(uint64_t now);

#endif
