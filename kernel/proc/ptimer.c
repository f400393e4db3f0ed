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
 * sigev_value. A periodic timer whose signal is queued is not re-armed
 * until the signal is taken, as Linux does: then it moves to its next
 * period after now, and the periods it passed over are the signal's
 * si_overrun and timer_getoverrun's answer. The CPU-time clocks (CLOCK_PROCESS_CPUTIME_ID, and
 * CLOCK_THREAD_CPUTIME_ID for the creating thread) are read on each tick
 * the process runs, which fires those whose clock passed their expiry, so
 * they fire up to a tick late and never early. Not here: another
 * process's or thread's CPU clock (clock_getcpuclockid's ids: EINVAL),
 * and Linux 6.13's re-arming of a timer whose signal was ignored or
 * flushed while queued (6.1's, like Kestrel's, stays disarmed).
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
 * -EINVAL for the rest (other processes' CPU-time clocks too: not here). */
static int clock_ok(int clock)
{
	switch (clock) {
	case CLOCK_REALTIME: case CLOCK_MONOTONIC: case CLOCK_BOOTTIME: case CLOCK_TAI:
	case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID:
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

static bool cpu_clock(int clock)
{
	return clock == CLOCK_PROCESS_CPUTIME_ID || clock == CLOCK_THREAD_CPUTIME_ID;
}

/* A CPU-time timer's clock now, as clock_gettime reads it: its process's
 * CPU time, or its thread's (0 once that thread is gone: it never fires
 * again). Kernel lock. */
static uint64_t cpu_clock_now(const struct ptimer *t)
{
	if (t->clock == CLOCK_PROCESS_CPUTIME_ID) {
		struct cpu_times c = process_cpu_times(t->proc);
		return c.user_ns + c.sys_ns;
	}
	struct process *owner = NULL;
	struct thread *th = process_find_thread(t->cpu_tid, &owner);
	return th && owner == t->proc ? thread_run_ns(th) : 0;
}

/* What t's clock reads now: time_ns() for the wheel's, or the CPU time. */
static uint64_t clock_now(const struct ptimer *t)
{
	return cpu_clock(t->clock) ? cpu_clock_now(t) : time_ns();
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

/* Queue t's signal for one expiry: whether it is pending now (it is
 * taken later, and a periodic t waits for that). Interrupts off. */
static bool notify(struct ptimer *t)
{
	struct process *p = t->proc;
	struct thread *th = NULL;
	struct siginfo_k info = { .signo = t->signo, .code = SI_TIMER };

	if (t->notify == SIGEV_NONE || p->state != PROC_ALIVE)
		return false;
	if (t->notify == SIGEV_THREAD_ID) {
		struct process *owner = NULL;
		th = process_find_thread(t->tid, &owner);
		if (!th || owner != p)
			return false; /* the thread is gone: Linux drops it too */
	}
	info.rt.pid = t->id; /* si_timerid; si_overrun is set as it is taken */
	info.rt.value = t->value;
	if (signal_send_queued(p, th, t->signo, &info))
		return false;
	return ((th ? th->sig_pending : 0) | p->sig_pending) & (1ull << (t->signo - 1));
}

/* Move periodic t's expiry to its first period after now: how many
 * periods it moved (Linux's timer_forward), 0 if it was still ahead. */
static uint64_t forward(struct ptimer *t, uint64_t now)
{
	if (now < t->expires)
		return 0;
	uint64_t n = (now - t->expires) / t->interval + 1;
	t->expires += n * t->interval;
	return n;
}

/* Put t on the wheel for t->expires (the tick fires a CPU-time clock's). */
static void rearm(struct ptimer *t)
{
	if (!cpu_clock(t->clock))
		ktimer_arm(&t->kt, t->expires);
}

/* t expired, its clock reading now: signal; a periodic timer whose
 * signal is now queued waits for it to be taken (signal_taken), one
 * whose expiry signals nobody (SIGEV_NONE) moves to its next period at
 * once. Interrupts off. */
static void expire(struct ptimer *t, uint64_t now)
{
	if (!t->interval) {
		t->expires = 0;
		notify(t);
		return;
	}
	if (notify(t)) {
		t->signal_waits = true;
		return;
	}
	forward(t, now);
	rearm(t);
}

/* signal.c's timer hook: info, a signal of a timer of p's, is being
 * taken. A periodic timer waiting for it moves past now, and the periods
 * it passed over, less this one, are the signal's si_overrun and
 * timer_getoverrun's answer from now on (capped at DELAYTIMER_MAX).
 * Interrupts off, the kernel lock. */
static void signal_taken(struct process *p, struct siginfo_k *info)
{
	struct ptimer *t = find(p, (int)info->rt.pid);

	if (!t || !t->signal_waits)
		return;
	t->signal_waits = false;
	uint64_t n = forward(t, clock_now(t));
	uint64_t over = n ? n - 1 : 0;
	t->overrun_last = over > OVERRUN_MAX ? OVERRUN_MAX : (int)over;
	info->rt.uid = (uint32_t)t->overrun_last; /* si_overrun */
	rearm(t);
}

void ptimer_init(void)
{
	signal_set_timer_hook(signal_taken);
}

/* The wheel's callback (tick, interrupts off). */
static void fire(struct ktimer *k)
{
	struct ptimer *t = (struct ptimer *)((char *)k - offsetof(struct ptimer, kt));

	if (t->expires && !t->signal_waits)
		expire(t, time_ns());
}

void ptimer_cpu_tick(struct process *p)
{
	for (struct ptimer *t = p->ptimers; t; t = t->next) {
		if (!t->expires || t->signal_waits || !cpu_clock(t->clock))
			continue;
		uint64_t now = cpu_clock_now(t);
		if (now >= t->expires)
			expire(t, now);
	}
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
			      .signo = ev.signo, .tid = ev.tid, .cpu_tid = current_thread()->tid,
			      .value = uevent ? ev.value : (uint64_t)id };
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

/* t's setting: the time left (a timer due that has not fired yet reads
 * 1 ns, as Linux's) and the interval. */
static void get_setting(const struct ptimer *t, uint64_t *left, uint64_t *interval)
{
	uint64_t f = irq_save();
	uint64_t now = clock_now(t);
	*interval = t->interval;
	uint64_t next = t->expires;

	if (next && next <= now && t->interval) /* waiting for its signal to be taken */
		next += ((now - next) / t->interval + 1) * t->interval;
	*left = !next ? 0 : next > now ? next - now : 1;
	irq_restore(f);
}

/* Write t's setting to uspec: 0 or -EFAULT. */
static int put_setting(uptr_t uspec, const struct ptimer *t)
{
	uint64_t left, interval;

	get_setting(t, &left, &interval);
	return itimerspec_write(uspec, left, interval) ? -EFAULT : 0;
}

/* Arm t for value (0: disarm) on its clock, then every interval. */
static void arm(struct ptimer *t, bool abstime, uint64_t value, uint64_t interval)
{
	uint64_t f = irq_save();

	ktimer_cancel(&t->kt);
	t->interval = value ? interval : 0;
	t->overrun_last = 0;
	t->signal_waits = false; /* a queued signal no longer re-arms it */
	if (!value)
		t->expires = 0;
	else if (cpu_clock(t->clock))
		t->expires = abstime ? value : cpu_clock_now(t) + value; /* the tick fires it */
	else
		t->expires = timer_deadline(wall_clock(t->clock), abstime, value);
	if (t->expires && !cpu_clock(t->clock))
		ktimer_arm(&t->kt, t->expires);
	irq_restore(f);
}

/* Linux's order: no new setting EINVAL, its copy EFAULT, its values
 * EINVAL, the id EINVAL; then the timer is set, and only then the old
 * setting written (EFAULT with the new one in force). */
SYSCALL_DEFINE4(timer_settime, int, id, int, flags, uptr_t, unew, uptr_t, uold)
{
	uint64_t interval, value, old_left, old_interval;
	int err;

	if (!unew)
		return -EINVAL;
	if ((err = itimerspec_read(unew, &value, &interval)))
		return err;
	struct ptimer *t = find(current_process(), id);
	if (!t)
		return -EINVAL;
	get_setting(t, &old_left, &old_interval);
	arm(t, flags & TIMER_ABSTIME, value, interval);
	if (uold && itimerspec_write(uold, old_left, old_interval))
		return -EFAULT;
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

	return t ? t->overrun_last : -EINVAL;
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
