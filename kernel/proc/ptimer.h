/* SPDX-License-Identifier: MIT */
/* POSIX per-process timers: timer_create and its calls, on the timer wheel (proc/ktimer.h). */
#ifndef KESTREL_PROC_PTIMER_H
#define KESTREL_PROC_PTIMER_H

#include <stdint.h>
#include "proc/ktimer.h"

struct process;

/*
 * One timer of a process (timer_create). Lock rule: the kernel lock with
 * interrupts off: the tick fires it (ktimer), the system calls change it
 * under irq_save. Owned by its process's list until timer_delete, exec or
 * the process's release.
 */
struct ptimer {
	struct ktimer kt;          /* the next expiry on the wheel, while armed */
	struct process *proc;
	struct ptimer *next;       /* the process's timers */
	int id;                    /* timer_t */
	int clock;                 /* CLOCK_REALTIME, _MONOTONIC, _BOOTTIME... */
	int notify;                /* SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID */
	int signo;
	int tid;                   /* SIGEV_THREAD_ID's thread */
	int cpu_tid;               /* CLOCK_THREAD_CPUTIME_ID: the thread whose time it counts
	                            * (its creator) */
	uint64_t value;            /* sigev_value, in the signal's siginfo */
	uint64_t interval;         /* ns between expiries; 0: one shot */
	uint64_t expires;          /* time_ns() of the next expiry (a CPU-time clock's
	                            * reading for those: the tick fires them); 0: disarmed */
	/* A periodic timer whose signal is queued waits, disarmed, until the
	 * signal is taken; then it moves past now and counts the periods it
	 * passed over (Linux's it_requeue_pending and posixtimer_rearm). */
	bool signal_waits;         /* its signal is queued and not yet taken */
	int overrun_last;          /* timer_getoverrun: the periods the last taken signal
	                            * stood for, less one (Linux's it_overrun_last) */
};

/* A tick of CPU time was charged to p (the thread running): fire those
 * of its CPU-time timers whose clock reached their expiry. The tick,
 * with the kernel lock and interrupts off. */
void ptimer_cpu_tick(struct process *p);

/* At boot: periodic timers re-arm as their signals are taken (signal.c's
 * timer hook). */
void ptimer_init(void);

/* Delete every timer of p (exec, and p's release). */
void ptimer_delete_all(struct process *p);

#endif
