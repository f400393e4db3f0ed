// SPDX-License-Identifier: MIT
/*
 * Kestrel: POSIX per-process timers, as Linux's kernel/time/posix-timers.c
 * shows them to programs: timer_create on CLOCK_REALTIME, CLOCK_MONOTONIC,
 * CLOCK_BOOTTIME and CLOCK_TAI (the alarm clocks with CAP_WAKE_ALARM, as
 * their plain clocks: nothing here suspends), notifying the process
 * (SIGEV_SIGNAL, and SIGEV_THREAD, which the kernel treats alike), one
 * of its threads (SIGEV_THREAD_ID) or nobody (SIGEV_NONE). An expiry
 * queues its signal with si_code SI_TIMER, the timer's id, the overrun
 * (periods the tick passed over, for a late periodic timer) and the
 * sigev_value. Not here: CPU-time clocks (EINVAL), and Linux's rule that
 * an expiry whose signal is still pending only counts an overrun.
 */
#include "sys/syscall_define.h"
#include "proc/ptimer.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "proc/cred.h"
#include "mm/heap.h"
#include "mm/usercopy.h"
#include "time/time.h"
#include "time/timespec.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"
#include "uapi/capability.h"
#include "uapi/signal.h"
#include "uapi/time.h"

#define PTIMER_MAX      4096       /* timers per process: more is EAGAIN */
#define OVERRUN_MAX     0x7fffffff /* DELAYTIMER_MAX */
#define ID_MAX          0x7fffffff /* timer_t is an int; ids wrap to 0 after */

/* p's timer id, or NULL. Kernel lock. */
static struct ptimer *find(struct process *p, int id)
{
	for (struct ptimer *t = p->ptimers; t; t = t->next)
		if (t->id == id)
			return t;
	return NULL;
}

/* Is clock one timer_create takes? 0; -EOPNOTSUPP for a clock Linux
 * has no timers on; -EPERM for an alarm clock without CAP_WAKE_ALARM;
 * -EINVAL for the rest (CPU-time clocks too: not here). */
static int clock_ok(int clock)
{
	switch (clock) {
	case CLOCK_REALTIME: case CLOCK_MONOTONIC: case CLOCK_BOOTTIME: case CLOCK_TAI:
		return 0;
	case CLOCK_MONOTONIC_RAW: case CLOCK_REALTIME_COARSE: case CLOCK_MONOTONIC_COARSE:
		return -EOPNOTSUPP;
	case CLOCK_REALTIME_ALARM: case CLOCK_BOOTTIME_ALARM:
		return capable(CAP_WAKE_ALARM) ? 0 : -EPERM;
	default:
		return -EINVAL;
	}
}

static bool wall_clock(int clock)
{
	return clock == CLOCK_REALTIME || clock == CLOCK_TAI || clock == CLOCK_REALTIME_ALARM;
}

/* Linux's good_sigevent: 0 or -EINVAL (an unknown notify, a signal out
 * of range, a SIGEV_THREAD_ID thread not of the caller's process). */
static int sigevent_ok(const struct sigevent_k *ev)
{
	struct process *owner = NULL;

	switch (ev->notify) {
	case SIGEV_THREAD_ID:
		if (!process_find_thread(ev->tid, &owner) || owner != current_process())
			return -EINVAL;
		/* fall through */
	case SIGEV_SIGNAL:
	case SIGEV_THREAD:
		return ev->signo > 0 && ev->signo <= NSIG ? 0 : -EINVAL;
	case SIGEV_NONE:
		return 0;
	default:
		return -EINVAL;
	}
}

/* The next free id from the process's cyclic counter, as Linux hands
 * them out; -1 when the process has PTIMER_MAX. Kernel lock. */
static int next_id(struct process *p)
{
	int n = 0;

	for (struct ptimer *t = p->ptimers; t; t = t->next)
		n++;
	if (n >= PTIMER_MAX)
		return -1;
	for (;;) {
		int id = p->ptimer_next_id;
		p->ptimer_next_id = id == ID_MAX ? 0 : id + 1;
		if (!find(p, id))
			return id;
	}
}

/* Queue t's signal for one expiry. Interrupts off. */
static void notify(struct ptimer *t)
{
	struct process *p = t->proc;
	struct thread *th = NULL;
	struct siginfo_k info = { .signo = t->signo, .code = SI_TIMER };

	if (t->notify == SIGEV_NONE || p->state != PROC_ALIVE)
		return;
	if (t->notify == SIGEV_THREAD_ID) {
		struct process *owner = NULL;
		th = process_find_thread(t->tid, &owner);
		if (!th || owner != p)
			return; /* the thread is gone: Linux drops it too */
	}
	info.rt.pid = t->id;                /* si_timerid */
	info.rt.uid = (uint32_t)t->overrun; /* si_overrun */
	info.rt.value = t->value;
	signal_send_queued(p, th, t->signo, &info);
}

/* The wheel's callback (tick, interrupts off): signal, and re-arm a
 * periodic timer at its next period after now, counting those passed. */
static void fire(struct ktimer *k)
{
	struct ptimer *t = (struct ptimer *)((char *)k - offsetof(struct ptimer, kt));
	uint64_t now = time_ns();

	if (!t->expires)
		return;
	t->overrun = 0;
	if (t->interval) {
		uint64_t missed = now > t->expires ? (now - t->expires) / t->interval : 0;
		t->overrun = missed > OVERRUN_MAX ? OVERRUN_MAX : (int)missed;
		t->expires += (missed + 1) * t->interval;
		ktimer_arm(&t->kt, t->expires);
	} else {
		t->expires = 0;
	}
	notify(t);
}

SYSCALL_DEFINE3(timer_create, clockid_t, clock, uptr_t, uevent, uptr_t, uid)
{
	struct process *p = current_process();
	struct sigevent_k ev = { .notify = SIGEV_SIGNAL, .signo = SIGALRM };
	int err = clock_ok(clock);

	if (err)
		return err;
	if (uevent && copy_from_user(&ev, uevent, sizeof(ev)))
		return -EFAULT;
	if (uevent && (err = sigevent_ok(&ev)))
		return err;
	struct ptimer *t = kzalloc(sizeof(*t));
	if (!t)
		return -EAGAIN;
	int id = next_id(p);
	if (id < 0) {
		kfree(t);
		return -EAGAIN;
	}
	*t = (struct ptimer){ .proc = p, .id = id, .clock = clock, .notify = ev.notify,
			      .signo = ev.signo, .tid = ev.tid, .value = uevent ? ev.value : (uint64_t)id };
	if (t->notify == SIGEV_THREAD)
		t->notify = SIGEV_SIGNAL;
	t->kt.fire = fire;
	if (copy_to_user(uid, &id, sizeof(id))) {
		kfree(t);
		return -EFAULT;
	}
	t->next = p->ptimers;
	p->ptimers = t;
	return 0;
}

/* Write t's setting (time left, interval) to uspec: 0 or -EFAULT. */
static int put_setting(uptr_t uspec, const struct ptimer *t)
{
	uint64_t f = irq_save();
	uint64_t interval = t->interval, left = timer_left(t->expires);
	irq_restore(f);
	return itimerspec_write(uspec, left, interval) ? -EFAULT : 0;
}

SYSCALL_DEFINE4(timer_settime, int, id, int, flags, uptr_t, unew, uptr_t, uold)
{
	struct ptimer *t = find(current_process(), id);
	uint64_t interval, value;
	int err;

	if (!t)
		return -EINVAL;
	if ((err = itimerspec_read(unew, &value, &interval)))
		return err;
	if (uold && (err = put_setting(uold, t)))
		return err;
	uint64_t f = irq_save();
	ktimer_cancel(&t->kt);
	t->interval = value ? interval : 0;
	t->overrun = 0;
	t->expires = value ? timer_deadline(wall_clock(t->clock), flags & TIMER_ABSTIME, value) : 0;
	if (t->expires)
		ktimer_arm(&t->kt, t->expires);
	irq_restore(f);
	return 0;
}

SYSCALL_DEFINE2(timer_gettime, int, id, uptr_t, uspec)
{
	struct ptimer *t = find(current_process(), id);

	return t ? put_setting(uspec, t) : -EINVAL;
}

SYSCALL_DEFINE1(timer_getoverrun, int, id)
{
	struct ptimer *t = find(current_process(), id);

	return t ? t->overrun : -EINVAL;
}

/* Take t out of p's list, disarm it and free it. Kernel lock. */
static void delete(struct process *p, struct ptimer *t)
{
	uint64_t f = irq_save();

	for (struct ptimer **pp = &p->ptimers; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	ktimer_cancel(&t->kt);
	irq_restore(f);
	kfree(t);
}

SYSCALL_DEFINE1(timer_delete, int, id)
{
	struct process *p = current_process();
	struct ptimer *t = find(p, id);

	if (!t)
		return -EINVAL;
	delete(p, t);
	return 0;
}

void ptimer_delete_all(struct process *p)
{
	while (p->ptimers)
		delete(p, p->ptimers);
}
