// SPDX-License-Identifier: MIT
/* Kestrel: clock_gettime, clock_getres, gettimeofday, nanosleep, clock_nanosleep. */
#include "sys/syscall_define.h"
#include "sys/syscall.h"
#include "sys/sys_misc.h"
#include "time/timespec.h"
#include "time/time.h"
#include "mm/usercopy.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "proc/sched.h"
#include "lib/errno.h"
#include "uapi/time.h"
#include "arch/x86_64/klock.h"

/* Linux's encoding of another process's (or thread's) CPU clock, as
 * clock_getcpuclockid makes it: (~pid << 3) | per-thread bit | type. */
#define CPUCLOCK_TYPE_MASK  3
#define CPUCLOCK_PROF       0   /* user + system time */
#define CPUCLOCK_VIRT       1   /* user time */
#define CPUCLOCK_SCHED      2   /* time on the CPU */
#define CPUCLOCK_PERTHREAD  4
#define TICK_NS             (NSEC_PER_SEC / TIME_TICK_HZ)

/* The process a CPU clock id names (NULL: none), and which time it
 * counts. A thread's clock (CPUCLOCK_PERTHREAD) clock_read reads itself
 * (thread_clock_read); the sleeps refuse it. */
static struct process *cpu_clock_process(int64_t clk, int *type)
{
	if (clk == CLOCK_PROCESS_CPUTIME_ID) {
		*type = CPUCLOCK_SCHED;
		return current_process();
	}
	if (clk >= 0 || (clk & CPUCLOCK_TYPE_MASK) == CPUCLOCK_TYPE_MASK)
		return NULL;
	int pid = (int)~(clk >> 3);
	struct process *p = pid ? process_find(pid) : current_process();
	*type = (int)(clk & CPUCLOCK_TYPE_MASK);
	return p && p->state == PROC_ALIVE ? p : NULL;
}

/* A thread's CPU clock (pthread_getcpuclockid's id: its tid, 0 for the
 * caller): its running time, or for CPUCLOCK_VIRT the user part of it in
 * its process's proportion (user and system time are sampled per
 * process). 0, or -EINVAL when no such thread lives. Any thread may be
 * read, as Linux's clock_gettime reads one of another process too. */
static int thread_clock_read(int64_t clk, uint64_t *ns)
{
	int tid = (int)~(clk >> 3), type = (int)(clk & CPUCLOCK_TYPE_MASK);
	struct process *p = current_process();
	struct thread *t = tid ? process_find_thread(tid, &p) : current_thread();

	if (!t || !p || type == CPUCLOCK_TYPE_MASK)
		return -EINVAL;
	*ns = thread_run_ns(t);
	if (type == CPUCLOCK_VIRT)
		*ns = cputime_split(*ns, p->user_ticks, p->sys_ticks).user_ns;
	return 0;
}

/* Read clock clk in ns: 0, or -EINVAL for a clock that does not exist. */
static int clock_read(int64_t clk, uint64_t *ns)
{
	int type;

	if (clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE || clk == CLOCK_REALTIME_ALARM) {
		*ns = time_realtime_ns();
	} else if (clk == CLOCK_TAI) {
		*ns = time_realtime_ns() + (uint64_t)(int64_t)adjtimex_tai_offset() * NSEC_PER_SEC;
	} else if (clk == CLOCK_MONOTONIC || clk == CLOCK_MONOTONIC_RAW ||
		   clk == CLOCK_MONOTONIC_COARSE || clk == CLOCK_BOOTTIME ||
		   clk == CLOCK_BOOTTIME_ALARM) {
		*ns = time_ns(); /* nothing here suspends: boot time is monotonic time */
	} else if (clk == CLOCK_THREAD_CPUTIME_ID) {
		*ns = thread_run_ns(current_thread());
	} else if (clk < 0 && (clk & CPUCLOCK_PERTHREAD)) {
		return thread_clock_read(clk, ns);
	} else {
		struct process *p = cpu_clock_process(clk, &type);
		if (!p)
			return -EINVAL;
		struct cpu_times t = process_cpu_times(p);
		*ns = type == CPUCLOCK_VIRT ? t.user_ns : t.user_ns + t.sys_ns;
	}
	return 0;
}

SYSCALL_DEFINE2(clock_gettime, clockid_t, clk, uptr_t, ts)
{
	uint64_t ns;
	int err;

	if ((err = clock_read((int64_t)(int32_t)clk, &ns)) < 0)
		return err;
	return timespec_write(ts, ns);
}

/* clock_getres(clk, res or NULL): 1 ns, except the coarse clocks, which move by ticks. */
SYSCALL_DEFINE2(clock_getres, clockid_t, clk, uptr_t, ures)
{
	int64_t c = (int64_t)(int32_t)clk;
	uint64_t ns;
	int err;

	if ((err = clock_read(c, &ns)) < 0)
		return err;
	bool coarse = c == CLOCK_REALTIME_COARSE || c == CLOCK_MONOTONIC_COARSE;
	return ures ? timespec_write(ures, coarse ? TICK_NS : 1) : 0;
}

/* gettimeofday(2): the time into tv, and into tz (when not NULL) Linux's
 * struct timezone as it stands when nobody set one (both fields 0).
 * -EFAULT for either pointer that cannot be written. */
SYSCALL_DEFINE2(gettimeofday, uptr_t, tv, uptr_t, tz)
{
	uint64_t ns = time_realtime_ns();
	struct { int64_t sec, usec; } t = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC / 1000) };
	struct { int32_t minuteswest, dsttime; } zone = { 0, 0 };

	if (tv && copy_to_user(tv, &t, sizeof(t)))
		return -EFAULT;
	if (tz && copy_to_user(tz, &zone, sizeof(zone)))
		return -EFAULT;
	return 0;
}

/* Sleep until the monotonic deadline: 0, or -ERESTART_RESTARTBLOCK when
 * a signal comes first, after writing the time left to urem (if
 * non-zero): the caller sees -EINTR if a handler runs; after a stop and
 * SIGCONT, or a signal that is ignored, restart_syscall sleeps on to the
 * same deadline (Linux's nanosleep restart). */
static long sleep_interruptible(uint64_t deadline, uint64_t urem)
{
	uint64_t now;

	while ((now = time_ns()) < deadline) {
		if (signal_pending()) {
			if (urem && timespec_write(urem, deadline - now))
				return -EFAULT;
			current_thread()->restart_deadline = deadline;
			current_thread()->restart_urem = urem;
			return -ERESTART_RESTARTBLOCK;
		}
		wait_interruptible(deadline);
	}
	return 0;
}

/* restart_syscall(): the interrupted sleep goes on (its deadline), or
 * -EINTR when there is none to go on with (a handler ran since, or the
 * program called it itself). */
SYSCALL_DEFINE0(restart_syscall)
{
	struct thread *t = current_thread();
	uint64_t deadline = t->restart_deadline;

	t->restart_deadline = 0;
	return deadline ? sleep_interruptible(deadline, t->restart_urem) : -EINTR;
}

SYSCALL_DEFINE2(nanosleep, uptr_t, req, uptr_t, rem)
{
	uint64_t ns;
	int err;

	if ((err = timespec_read(req, &ns)) < 0)
		return err;
	return sleep_interruptible(time_ns() + ns, rem);
}

SYSCALL_DEFINE1(time, uptr_t, tloc)
{
	int64_t t = (int64_t)(time_realtime_ns() / NSEC_PER_SEC);

	if (tloc && copy_to_user(tloc, &t, sizeof(t)))
		return -EFAULT;
	return t;
}

/* Sleep until CPU clock clk (a process's: another thread's is -EINVAL,
 * as Linux's posix_cpu_nsleep) reaches ns (TIMER_ABSTIME) or advances by ns.
 * Time on the CPU cannot pass faster than time itself (one CPU), so
 * sleeping what is left never oversleeps the clock by more than a switch;
 * then the clock is read again. A sleeper whose process never runs sleeps
 * until a signal, as on Linux. 0 (also when the process is gone), -EINTR
 * (rem written for a relative sleep), -EINVAL, -EFAULT. */
static long cpu_clock_sleep(int64_t clk, int flags, uint64_t ns, uint64_t urem)
{
	uint64_t now, target;

	if (clk < 0 && (clk & CPUCLOCK_PERTHREAD))
		return -EINVAL;
	int err = clock_read(clk, &now);
	if (err)
		return err;
	target = flags & TIMER_ABSTIME ? ns : now + ns;
	while (now < target) {
		if (signal_pending()) {
			if (!(flags & TIMER_ABSTIME) && urem && timespec_write(urem, target - now))
				return -EFAULT;
			return -EINTR;
		}
		wait_on(NULL, time_ns() + (target - now));
		if (clock_read(clk, &now))
			return 0;
	}
	return 0;
}

/* clock_nanosleep(clock, flags, request, remain): sleep on the monotonic
 * clock; an absolute CLOCK_REALTIME deadline is converted to it. A
 * process's CPU-time clock is slept on with cpu_clock_sleep. */
SYSCALL_DEFINE4(clock_nanosleep, clockid_t, clk, int, flags, uptr_t, req, uptr_t, rem)
{
	uint64_t ns, deadline;
	int err;

	if (clk == CLOCK_THREAD_CPUTIME_ID)
		return -EOPNOTSUPP; /* Linux's thread clock has no nsleep */
	if (clk == CLOCK_PROCESS_CPUTIME_ID || clk < 0) {
		if ((err = timespec_read(req, &ns)) < 0)
			return err;
		klock_enter_any(); /* the clock is read from the process's threads */
		long r = cpu_clock_sleep(clk, flags, ns, rem);
		klock_leave_any();
		return r;
	}
	if (clk > CLOCK_BOOTTIME)
		return -EINVAL;
	if ((err = timespec_read(req, &ns)) < 0)
		return err;
	if (!(flags & TIMER_ABSTIME)) {
		deadline = time_ns() + ns;
	} else if (clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE) {
		deadline = realtime_deadline(ns);
	} else {
		deadline = ns;
	}
	/* An absolute sleep leaves rem alone: the caller just sleeps again. */
	return sleep_interruptible(deadline, flags & TIMER_ABSTIME ? 0 : rem);
}
