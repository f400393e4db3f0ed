// SPDX-License-Identifier: MIT
/* Kestrel: interval timers and the setitimer, getitimer and alarm system calls (see itimer.h). */
#include <stddef.h>
#include "sys/syscall_define.h"
#include "proc/itimer.h"
#include "proc/ptimer.h"
#include "proc/rlimit.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "time/time.h"
#include "mm/usercopy.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"
#include "uapi/signal.h"

#define USEC_PER_SEC 1000000ull
#define HALF_SEC_USEC 500000

static const int timer_signal[ITIMER_COUNT] = { SIGALRM, SIGVTALRM, SIGPROF };

/* Linux's struct timeval and struct itimerval. */
struct timeval_k {
	int64_t sec, usec;
};
struct itimerval_k {
	struct timeval_k interval, value;
};

/* ---------------------------------------------------------------- the tick */

/* A CPU-time timer ran down by ns of the current thread's time: fire it
 * (and reload it) when it reaches 0, for that thread first (Linux sends
 * it from the task whose time expired it). */
static void run_down(struct process *p, int which, uint64_t ns)
{
	struct itimer *t = &p->itimers[which];

	if (!t->value)
		return;
	if (t->value > ns) {
		t->value -= ns;
		return;
	}
	t->value = t->interval;
	signal_send_kernel_prefer(p, current_thread(), timer_signal[which]);
}

bool itimer_cpu_armed(const struct process *p)
{
	const struct rlimit_k *l = &p->rlim.lim[RLIMIT_CPU];

	return p->itimers[ITIMER_VIRTUAL].value || p->itimers[ITIMER_PROF].value || p->ptimers ||
	       l->cur != RLIM_INFINITY || l->max != RLIM_INFINITY;
}

void itimer_charge(struct process *p, bool user, uint64_t tick_ns)
{
	if (user)
		run_down(p, ITIMER_VIRTUAL, tick_ns);
	run_down(p, ITIMER_PROF, tick_ns);
	if (p->ptimers)
		ptimer_cpu_tick(p);
	rlimit_cpu_tick(p);
}

/* ITIMER_REAL's wheel timer fired (tick, interrupts off): signal a live
 * process and re-arm for the next period, if any. */
static void real_fire(struct ktimer *k)
{
	struct process *p = (struct process *)((char *)k - offsetof(struct process, real_timer));
	struct itimer *t = &p->itimers[ITIMER_REAL];
	uint64_t now = time_ns();

	if (!t->value || p->state != PROC_ALIVE)
		return;
	/* The next expiry keeps the period; after a long stall it starts afresh. */
	t->value = !t->interval ? 0 : t->value + t->interval > now ? t->value + t->interval
								    : now + t->interval;
	if (t->value)
		ktimer_arm(k, t->value);
	signal_send_kernel(p, timer_signal[ITIMER_REAL]);
}

void itimer_forget(struct process *p)
{
	uint64_t flags = irq_save();

	ktimer_cancel(&p->real_timer);
	irq_restore(flags);
}

/* ---------------------------------------------------------------- reading and arming */

static struct timeval_k to_timeval(uint64_t ns)
{
	/* Round up so that an armed timer never reads as 0 (disarmed). */
	uint64_t usec = (ns + NSEC_PER_USEC - 1) / NSEC_PER_USEC;
	return (struct timeval_k){ (int64_t)(usec / USEC_PER_SEC), (int64_t)(usec % USEC_PER_SEC) };
}

/* A timeval as ns: -EINVAL unless 0 <= usec < 10^6 and sec >= 0; saturates at a century. */
static int from_timeval(const struct timeval_k *tv, uint64_t *ns)
{
	const uint64_t max_sec = 100ull * 365 * 24 * 3600;

	if (tv->sec < 0 || tv->usec < 0 || tv->usec >= (int64_t)USEC_PER_SEC)
		return -EINVAL;
	*ns = ((uint64_t)tv->sec > max_sec ? max_sec : (uint64_t)tv->sec) * NSEC_PER_SEC +
	      (uint64_t)tv->usec * NSEC_PER_USEC;
	return 0;
}

/* Timer which of p as an itimerval (time left, not the deadline). */
static struct itimerval_k itimer_get(struct process *p, int which)
{
	uint64_t flags = irq_save();
	struct itimer t = p->itimers[which];
	uint64_t now = time_ns();

	irq_restore(flags);
	if (which == ITIMER_REAL && t.value)
		t.value = t.value > now ? t.value - now : 1;
	return (struct itimerval_k){ to_timeval(t.interval), to_timeval(t.value) };
}

/* Arm (value_ns != 0) or disarm timer which of p. */
static void itimer_set(struct process *p, int which, uint64_t value_ns, uint64_t interval_ns)
{
	uint64_t flags = irq_save();

	if (which == ITIMER_REAL && value_ns)
		value_ns += time_ns();
	p->itimers[which] = (struct itimer){ value_ns, interval_ns };
	if (which == ITIMER_REAL) {
		p->real_timer.fire = real_fire;
		if (value_ns)
			ktimer_arm(&p->real_timer, value_ns);
		else
			ktimer_cancel(&p->real_timer);
	}
	irq_restore(flags);
}

/* getitimer(which, value) */
SYSCALL_DEFINE2(getitimer, int, which, uptr_t, uval)
{
	if ((unsigned)which >= ITIMER_COUNT)
		return -EINVAL;
	struct itimerval_k v = itimer_get(current_process(), (int)which);
	return copy_to_user(uval, &v, sizeof(v));
}

/* setitimer(which, new or NULL (disarm, as Linux), old or NULL) */
SYSCALL_DEFINE3(setitimer, int, which, uptr_t, unew, uptr_t, uold)
{
	struct itimerval_k nv = { { 0, 0 }, { 0, 0 } };
	uint64_t value, interval;
	int err;

	if ((unsigned)which >= ITIMER_COUNT)
		return -EINVAL;
	if (unew && copy_from_user(&nv, unew, sizeof(nv)))
		return -EFAULT;
	if ((err = from_timeval(&nv.value, &value)) < 0 || (err = from_timeval(&nv.interval, &interval)) < 0)
		return err;
	struct process *p = current_process();
	struct itimerval_k old = itimer_get(p, (int)which);
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	itimer_set(p, (int)which, value, interval);
	return 0;
}

/* alarm(seconds): arm ITIMER_REAL once (0: disarm); returns the seconds
 * that were left on it, rounded to the nearest, and at least 1 if any. */
SYSCALL_DEFINE1(alarm, unsigned int, secs)
{
	struct process *p = current_process();
	struct itimerval_k old = itimer_get(p, ITIMER_REAL);
	struct timeval_k tv = { (int64_t)(uint32_t)secs, 0 };
	uint64_t value;

	from_timeval(&tv, &value);
	itimer_set(p, ITIMER_REAL, value, 0);
	if ((!old.value.sec && old.value.usec) || old.value.usec >= HALF_SEC_USEC)
		old.value.sec++;
	return old.value.sec;
}
