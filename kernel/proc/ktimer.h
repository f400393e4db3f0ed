/* SPDX-License-Identifier: MIT */
/* One-shot kernel timers on a hashed timing wheel: sleep deadlines and ITIMER_REAL, at a cost per tick that does not grow with the number of threads. */
#ifndef KESTREL_PROC_KTIMER_H
#define KESTREL_PROC_KTIMER_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A timer, embedded in what it belongs to (a thread, a process). Lock
 * rule: the wheel's own spinlock (ktimer.c) covers when, next and pprev:
 * a timer may be armed and cancelled from any CPU, with or without the
 * kernel lock. It fires from the tick of whichever CPU holds the kernel
 * lock (sched_tick), with the wheel's lock dropped: a cancel that finds
 * it already taken off the wheel to fire returns at once, and the
 * callback may still run (a sleeper's wake-up is then a spurious one,
 * which wait_on's callers expect). Freeing a timer's owner needs the
 * kernel lock, so no callback runs meanwhile. Zeroed memory is a
 * disarmed timer; set fire before arming.
 */
struct ktimer {
	uint64_t when;                  /* time_ns() deadline; 0 = not armed */
	struct ktimer *next, **pprev;   /* its wheel slot's list while armed */
	void (*fire)(struct ktimer *t); /* from the tick, interrupts off, already disarmed */
};

/* Arm t for deadline when (time_ns(), not 0), moving it if it was armed.
 * It fires on the first tick at or after when, never early; a deadline
 * already past fires on the next tick. Any context. */
void ktimer_arm(struct ktimer *t, uint64_t when);
/* A hint without the wheel's lock (exact for a timer only its owner's
 * code arms and cancels, under the kernel lock). */
static inline bool ktimer_armed(const struct ktimer *t)
{
	return __atomic_load_n(&t->when, __ATOMIC_RELAXED) != 0;
}
/* Disarm t if armed (a no-op otherwise). Any context. The look without
 * the lock is enough: a timer being armed on another CPU at this moment
 * counts as armed after the cancel. */
void ktimer_cancel_armed(struct ktimer *t);
static inline void ktimer_cancel(struct ktimer *t)
{
	if (ktimer_armed(t))
		ktimer_cancel_armed(t);
}
/* From the tick, with the kernel lock (interrupts off): fire every timer
 * whose deadline is at or before now. The cost is the timers in the wheel
 * slots that came due, not all armed timers. A fire callback may arm or
 * cancel any timer. */
void ktimer_run(uint64_t now);
/* Would ktimer_run(now) fire a timer? For a tick that decides whether it
 * needs the kernel lock; a timer armed after the answer waits for the next
 * tick. Interrupts off or on. */
bool ktimer_due(uint64_t now);

#endif
