/* SPDX-License-Identifier: MIT */
/*
 * Interval timers (setitimer, getitimer, alarm): per process, three of
 * them as in Linux. ITIMER_REAL counts wall time and sends SIGALRM;
 * ITIMER_VIRTUAL counts the process's user time (SIGVTALRM);
 * ITIMER_PROF its user and system time (SIGPROF). ITIMER_REAL waits on
 * the timer wheel (proc/ktimer.h), the others are charged by the
 * scheduler tick: all three advance on the tick, so they have its 10 ms resolution: a timer fires
 * on the first tick at or after its expiry, never early.
 * A child does not inherit its parent's timers; exec keeps them.
 */
#ifndef KESTREL_PROC_ITIMER_H
#define KESTREL_PROC_ITIMER_H

#include <stdbool.h>
#include <stdint.h>
#include "uapi/time.h"

#define ITIMER_COUNT   3

/* One timer: for REAL, value is the time_ns() deadline; for the CPU-time
 * timers it is the time left. 0 = disarmed. Lock rule: the kernel lock with
 * interrupts off: the tick charges and fires them, setitimer and getitimer
 * run under irq_save (itimer.c). */
struct itimer {
	uint64_t value, interval;
};

struct process;

/* Timer tick (interrupts off): p was interrupted (user: in user mode);
 * charge its CPU-time timers and fire any that ran out, the interval
 * timers', timer_create's (proc/ptimer.h) and RLIMIT_CPU's. */
void itimer_charge(struct process *p, bool user, uint64_t tick_ns);
/* Has p a CPU-time timer that itimer_charge would run down or fire (an
 * interval timer, a timer_create one, RLIMIT_CPU)? A tick without one
 * needs no kernel lock. A racy read: one armed meanwhile is charged from
 * the next tick. */
bool itimer_cpu_armed(const struct process *p);
/* Disarm p's ITIMER_REAL before p is freed (process release). */
void itimer_forget(struct process *p);

#endif
