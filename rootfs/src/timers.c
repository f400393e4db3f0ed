// SPDX-License-Identifier: MIT
// Time: interval timers and alarm, POSIX timers on CPU-time clocks, sleeps cut short, CPU-time
// clocks, times() and rusage, RLIMIT_CPU.
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <unistd.h>
#include "checks.h"

/*
 * Every check runs in a child of its own (c_isolate), so a timer one
 * check arms can never fire in the next. Expected times have a floor
 * (a timer may not fire early, CPU time may not be lost) and a generous
 * ceiling (the build machine and the emulator are shared and slow).
 */

static volatile sig_atomic_t alarms, vtalarms, profs;

static void on_timer(int sig)
{
	if (sig == SIGALRM)
		alarms++;
	else if (sig == SIGVTALRM)
		vtalarms++;
	else if (sig == SIGPROF)
		profs++;
}

/* catch_timer: run on_timer for SIG, without SA_RESTART (a blocked call returns EINTR). */
static int catch_timer(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_timer;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) != 0)
		return fail("sigaction(%d): %s", sig, errname(errno));
	return CHECK_OK;
}

static long long tv_us(struct timeval tv)
{
	return tv.tv_sec * 1000000ll + tv.tv_usec;
}

static long long ts_ns(struct timespec ts)
{
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* cpu_ns: the calling process's CPU time (CLOCK_PROCESS_CPUTIME_ID). */
static long long cpu_ns(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) != 0)
		return -1;
	return ts_ns(t);
}

/* A short burst of user-mode computation (tens of microseconds). */
static void burn(void)
{
	volatile uint64_t x = 1;

	for (int i = 0; i < 20000; i++)
		x = x * 6364136223846793005ull + 1442695040888963407ull;
}

#define SPIN_CHECK_NS 1000000 /* read the clocks about this often */
#define SPIN_BURSTS_MAX 1024

/* spin: compute in user mode until this process has used MS of CPU (or 20 s
 * went by). The clocks are read about once a millisecond of CPU, not after
 * every short burst: when the clock is the HPET (tsc-warp) each read is a
 * system call, and a child reading it every few microseconds spent most of
 * its ticks in the kernel (CI, 2026-11-26: 110 ms user, 190 system). */
static void spin(long ms)
{
	long long start = cpu_ns(), last = start, now, wall_end = now_ms() + 20000;
	int bursts = 1;

	while ((now = cpu_ns()) - start < ms * 1000000ll && now_ms() < wall_end) {
		if (now - last < SPIN_CHECK_NS && bursts < SPIN_BURSTS_MAX)
			bursts *= 2;
		last = now;
		for (int b = 0; b < bursts; b++)
			burn();
	}
}

/* alarm(1) and pause: the handler runs after a second, not before; pause says EINTR. */
static int check_alarm_pause(void)
{
	long long t0, dt;
	int r;

	if (catch_timer(SIGALRM))
		return CHECK_FAIL;
	t0 = now_ms(); /* before arming: a preemption between the two cannot shorten the wait seen */
	if (want_eq("the first alarm(1)", alarm(1), 0))
		return CHECK_FAIL;
	errno = 0;
	r = pause();
	dt = now_ms() - t0;
	if (want_err("pause", r, EINTR))
		return CHECK_FAIL;
	if (alarms != 1)
		return fail("%d SIGALRM handler runs, want 1", (int)alarms);
	if (dt < 990 || dt > 5000)
		return fail("SIGALRM came after %lld ms, want 1000", dt);
	remark("after %lld ms", dt);
	return CHECK_OK;
}

/* alarm returns what was left of the previous one (rounded), and alarm(0) disarms. */
static int check_alarm_left(void)
{
	struct itimerval v;
	int r;

	if ((r = want_eq("alarm(5)", alarm(5), 0)))
		return r;
	if ((r = want_eq("alarm(10) with 5 s left", alarm(10), 5)))
		return r;
	if (getitimer(ITIMER_REAL, &v) != 0)
		return fail("getitimer: %s", errname(errno));
	if (v.it_value.tv_sec < 8 || v.it_value.tv_sec > 10 || v.it_interval.tv_sec || v.it_interval.tv_usec)
		return fail("ITIMER_REAL after alarm(10) reads %ld.%06ld every %ld.%06ld s",
			    (long)v.it_value.tv_sec, (long)v.it_value.tv_usec,
			    (long)v.it_interval.tv_sec, (long)v.it_interval.tv_usec);
	if ((r = want_eq("alarm(0) with 10 s left", alarm(0), 10)))
		return r;
	if ((r = want_eq("alarm(0) when disarmed", alarm(0), 0)))
		return r;
	return CHECK_OK;
}

/* The default action of SIGALRM ends the process. */
static int check_alarm_kills(void)
{
	struct itimerval v = { { 0, 0 }, { 0, 100000 } };
	pid_t pid = fork();

	if (pid == 0) {
		setitimer(ITIMER_REAL, &v, NULL);
		for (;;)
			pause();
	}
	return want_signal("a child that armed a 100 ms ITIMER_REAL and paused", pid, SIGALRM);
}

/* A periodic ITIMER_REAL: 50 ms, five expiries, then disarmed and silent. */
static int check_itimer_periodic(void)
{
	struct itimerval on = { { 0, 50000 }, { 0, 50000 } }, off = { { 0, 0 }, { 0, 0 } }, old, now;
	long long t0 = now_ms(), dt;

	if (catch_timer(SIGALRM))
		return CHECK_FAIL;
	if (setitimer(ITIMER_REAL, &on, NULL) != 0)
		return fail("setitimer: %s", errname(errno));
	while (alarms < 5 && now_ms() - t0 < 10000)
		pause();
	dt = now_ms() - t0;
	if (setitimer(ITIMER_REAL, &off, &old) != 0)
		return fail("setitimer (disarm): %s", errname(errno));
	if (alarms < 5)
		return fail("%d SIGALRMs in %lld ms from a 50 ms timer", (int)alarms, dt);
	if (dt < 245)
		return fail("five 50 ms periods took only %lld ms", dt);
	if (tv_us(old.it_interval) != 50000 || tv_us(old.it_value) <= 0 || tv_us(old.it_value) > 50000)
		return fail("the old value reads %lld us every %lld us, want (0, 50000] every 50000",
			    tv_us(old.it_value), tv_us(old.it_interval));
	int seen = alarms;
	ms_sleep(200);
	if (alarms != seen)
		return fail("%d more SIGALRMs after the timer was disarmed", alarms - seen);
	if (getitimer(ITIMER_REAL, &now) != 0 || tv_us(now.it_value) || tv_us(now.it_interval))
		return fail("a disarmed ITIMER_REAL reads %lld us every %lld us",
			    tv_us(now.it_value), tv_us(now.it_interval));
	remark("5 expiries in %lld ms", dt);
	return CHECK_OK;
}

#define ITIMER_CPU_MIN_MS 50 /* check_itimer_cpu: the earliest a 100 ms timer may fire */

/* ITIMER_VIRTUAL counts user time and ITIMER_PROF all CPU time; neither counts sleep. */
static int check_itimer_cpu(void)
{
	struct itimerval v = { { 0, 0 }, { 0, 100000 } };

	if (catch_timer(SIGVTALRM) || catch_timer(SIGPROF))
		return CHECK_FAIL;
	if (setitimer(ITIMER_VIRTUAL, &v, NULL) != 0 || setitimer(ITIMER_PROF, &v, NULL) != 0)
		return fail("setitimer: %s", errname(errno));
	ms_sleep(150);
	if (vtalarms || profs)
		return fail("CPU-time timers fired while the process slept (%d, %d)", (int)vtalarms,
			    (int)profs);
	long long c0 = cpu_ns(), wall_end = now_ms() + 20000;
	while ((!vtalarms || !profs) && now_ms() < wall_end)
		spin(10);
	long long used = (cpu_ns() - c0) / 1000000;
	if (!vtalarms || !profs)
		return fail("after %lld ms of CPU: %d SIGVTALRM, %d SIGPROF, want 1 each", used,
			    (int)vtalarms, (int)profs);
	/* Linux charges CPU-time timers by the tick: a tick that finds the
	 * process running charges it a whole tick, so on a busy host, where
	 * it shares its CPU, a 100 ms timer has fired after 77 ms of the
	 * precise clock. Half is early enough to mean a wrong unit or clock. */
	if (used < ITIMER_CPU_MIN_MS)
		return fail("a 100 ms CPU-time timer fired after %lld ms of CPU", used);
	remark("fired after %lld ms of CPU", used);
	return CHECK_OK;
}

/* Where check_itimer_thread's SIGPROFs ran: on the main thread or another. */
static pid_t main_tid;
static volatile sig_atomic_t profs_main, profs_other;

static void on_prof_where(int sig)
{
	(void)sig;
	if ((pid_t)syscall(SYS_gettid) == main_tid)
		profs_main++;
	else
		profs_other++;
}

static void *spin_thread(void *arg)
{
	spin((long)arg); /* the process's CPU time: only this thread runs */
	return NULL;
}

/* A CPU-time timer's signal goes to the thread whose time ran it down
 * (Linux sends it from that task, which takes it if it may), not to
 * another thread that may take it too: the main thread, asleep in
 * pthread_join while a second thread spins for 300 ms, takes at most a
 * quarter of the SIGPROFs. Waking every thread that may take a signal
 * let the idle one win them all (44 of 44 at -smp 1 and 2 before
 * 27ee862). The main thread may take a few fairly: a tick that finds it
 * running before the join or after it charges the time to it, and on a
 * loaded host those moments last long enough to catch 3 ticks of 28
 * (2026-11-26, make test beside other QEMUs). */
static int check_itimer_thread(void)
{
	struct sigaction sa;
	struct itimerval v = { { 0, 10000 }, { 0, 10000 } }, off = { { 0, 0 }, { 0, 0 } };
	pthread_t th;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_prof_where;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	main_tid = (pid_t)syscall(SYS_gettid);
	if (sigaction(SIGPROF, &sa, NULL) != 0 || setitimer(ITIMER_PROF, &v, NULL) != 0)
		return fail("sigaction/setitimer: %s", errname(errno));
	int err = pthread_create(&th, NULL, spin_thread, (void *)300L);
	if (!err)
		pthread_join(th, NULL);
	setitimer(ITIMER_PROF, &off, NULL);
	if (err)
		return fail("pthread_create: %s", errname(err));
	int total = profs_main + profs_other;
	if (total < 10)
		return fail("%d SIGPROFs in 300 ms of CPU time at a 10 ms period", total);
	if (profs_main * 4 > total)
		return fail("the idle main thread took %d of %d SIGPROFs", (int)profs_main, total);
	remark("%d of %d on the spinning thread", (int)profs_other, total);
	return CHECK_OK;
}

/* timer_create's raw calls (the kernel's timer_t is an int). */
static long ptimer_create(clockid_t clock, struct sigevent *ev, int *id)
{
	return syscall(SYS_timer_create, clock, ev, id);
}

static long ptimer_settime(int id, int flags, const struct itimerspec *v, struct itimerspec *old)
{
	return syscall(SYS_timer_settime, id, flags, v, old);
}

/* A POSIX timer (timer_create): a periodic CLOCK_MONOTONIC timer's
 * signals carry SI_TIMER, its id and its sigev_value; timer_gettime
 * reads the interval and a time left within it; a SIGEV_NONE timer
 * counts down silently; an absolute CLOCK_REALTIME timer fires once at
 * its time; deleted ids, unknown clocks and notifications are EINVAL, a
 * clock without timers (CLOCK_MONOTONIC_RAW) EOPNOTSUPP; a timer without
 * a sigevent sends SIGALRM with its id as the value. */
static int check_posix_timer(void)
{
	struct sigevent ev;
	struct itimerspec v = { { 0, 20000000 }, { 0, 30000000 } }, got;
	sigset_t set;
	siginfo_t si;
	int id, quiet, abs_id;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR1;
	ev.sigev_value.sival_int = 42;
	if (ptimer_create(CLOCK_MONOTONIC, &ev, &id) != 0)
		return fail("timer_create(CLOCK_MONOTONIC): %s", errname(errno));
	if (ptimer_settime(id, 0, &v, NULL) != 0)
		return fail("timer_settime: %s", errname(errno));
	for (int i = 0; i < 3; i++) {
		struct timespec limit = { 5, 0 };
		if (sigtimedwait(&set, &si, &limit) != SIGUSR1)
			return fail("expiry %d: sigtimedwait: %s", i, errname(errno));
		if (si.si_code != SI_TIMER || si.si_value.sival_int != 42 || si.si_timerid != id)
			return fail("expiry %d: si_code %d value %d timerid %d, want %d 42 %d", i,
				    si.si_code, si.si_value.sival_int, si.si_timerid, SI_TIMER, id);
	}
	if (syscall(SYS_timer_gettime, id, &got) != 0 || got.it_interval.tv_nsec != 20000000 ||
	    got.it_value.tv_sec != 0 || got.it_value.tv_nsec <= 0 || got.it_value.tv_nsec > 20000000)
		return fail("timer_gettime: interval %ld ns, %ld.%09ld s left", got.it_interval.tv_nsec,
			    (long)got.it_value.tv_sec, got.it_value.tv_nsec);
	if (want_ok("timer_delete", syscall(SYS_timer_delete, id)) ||
	    want_err("timer_delete again", syscall(SYS_timer_delete, id), EINVAL) ||
	    want_err("timer_getoverrun of a deleted id", syscall(SYS_timer_getoverrun, id), EINVAL) ||
	    want_err("timer_create(CLOCK_MONOTONIC_RAW)", ptimer_create(CLOCK_MONOTONIC_RAW, &ev, &id), EOPNOTSUPP) ||
	    want_err("timer_create(clock 100)", ptimer_create(100, &ev, &id), EINVAL))
		return CHECK_FAIL;
	ev.sigev_notify = 99;
	if (want_err("timer_create with sigev_notify 99", ptimer_create(CLOCK_MONOTONIC, &ev, &id), EINVAL))
		return CHECK_FAIL;
	ev.sigev_notify = SIGEV_NONE;
	struct itimerspec once = { { 0, 0 }, { 10, 0 } };
	if (ptimer_create(CLOCK_MONOTONIC, &ev, &quiet) != 0 || ptimer_settime(quiet, 0, &once, NULL) != 0)
		return fail("a SIGEV_NONE timer: %s", errname(errno));
	if (syscall(SYS_timer_gettime, quiet, &got) != 0 || got.it_value.tv_sec < 9 || got.it_value.tv_sec > 10)
		return fail("a 10 s SIGEV_NONE timer has %ld s left", (long)got.it_value.tv_sec);
	/* no sigevent: SIGALRM, the id as the value; an absolute realtime expiry */
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct itimerspec at = { { 0, 0 }, { now.tv_sec, now.tv_nsec + 50000000 } };
	if (at.it_value.tv_nsec >= 1000000000) {
		at.it_value.tv_sec++;
		at.it_value.tv_nsec -= 1000000000;
	}
	if (ptimer_create(CLOCK_REALTIME, NULL, &abs_id) != 0 || ptimer_settime(abs_id, TIMER_ABSTIME, &at, NULL) != 0)
		return fail("an absolute CLOCK_REALTIME timer: %s", errname(errno));
	struct timespec limit = { 5, 0 };
	if (sigtimedwait(&set, &si, &limit) != SIGALRM || si.si_code != SI_TIMER || si.si_value.sival_int != abs_id)
		return fail("the absolute timer: signal %d code %d value %d (want SIGALRM, SI_TIMER, %d)",
			    si.si_signo, si.si_code, si.si_value.sival_int, abs_id);
	remark("3 expiries of a 20 ms timer, id %d", id);
	return CHECK_OK;
}

/* Bad timer numbers and times are EINVAL, bad pointers EFAULT; a child starts with no timers. */
static int check_itimer_errors(void)
{
	struct itimerval v = { { 0, 0 }, { 0, 1000000 } }, got;
	int r;

	errno = 0;
	if ((r = want_err("setitimer(99)", setitimer(99, &v, NULL), EINVAL)))
		return r;
	errno = 0;
	if ((r = want_err("getitimer(-1)", getitimer(-1, &got), EINVAL)))
		return r;
	errno = 0;
	if ((r = want_err("setitimer with tv_usec 10^6", setitimer(ITIMER_REAL, &v, NULL), EINVAL)))
		return r;
	v.it_value.tv_usec = -1;
	errno = 0;
	if ((r = want_err("setitimer with tv_usec -1", setitimer(ITIMER_REAL, &v, NULL), EINVAL)))
		return r;
	errno = 0;
	if ((r = want_err("getitimer to a bad pointer",
			  syscall(SYS_getitimer, ITIMER_REAL, (void *)16), EFAULT)))
		return r;
	errno = 0;
	if ((r = want_err("setitimer from a bad pointer",
			  syscall(SYS_setitimer, ITIMER_REAL, (void *)16, NULL), EFAULT)))
		return r;
	v = (struct itimerval){ { 5, 0 }, { 5, 0 } };
	if (setitimer(ITIMER_REAL, &v, NULL) != 0)
		return fail("setitimer: %s", errname(errno));
	pid_t pid = fork();
	if (pid == 0) {
		struct itimerval c;
		_exit(getitimer(ITIMER_REAL, &c) == 0 && !c.it_value.tv_sec && !c.it_value.tv_usec ? 0 : 1);
	}
	r = want_exit("a forked child's ITIMER_REAL (1: inherited)", pid, 0);
	alarm(0);
	return r;
}

/* nanosleep cut short by a signal says EINTR and how much of the sleep was left. */
static int check_nanosleep_left(void)
{
	struct itimerval v = { { 0, 0 }, { 0, 200000 } };
	struct timespec req = { 3, 0 }, rem = { -1, -1 };
	int r;

	if (catch_timer(SIGALRM))
		return CHECK_FAIL;
	if (setitimer(ITIMER_REAL, &v, NULL) != 0)
		return fail("setitimer: %s", errname(errno));
	errno = 0;
	if ((r = want_err("nanosleep(3 s) with a 200 ms alarm", nanosleep(&req, &rem), EINTR)))
		return r;
	long long left = ts_ns(rem) / 1000000;
	if (rem.tv_nsec < 0 || rem.tv_nsec >= 1000000000 || left < 1000 || left > 2810)
		return fail("%ld.%09ld s left, want about 2.8", (long)rem.tv_sec, (long)rem.tv_nsec);
	remark("%lld ms left", left);
	return CHECK_OK;
}

/* A sleep stopped (SIGSTOP) and continued (SIGCONT) with no handler
 * goes on to its end, as Linux restarts it (restart_syscall): nanosleep
 * and clock_nanosleep return 0 after their whole time, not EINTR. A
 * handler with SA_RESTART still ends the sleep with EINTR (nanosleep is
 * never restarted after a handler). */
static int check_sleep_stopped(void)
{
	for (int call = 0; call < 2; call++) {
		pid_t pid = fork();
		if (pid == 0) {
			struct timespec req = { 0, 600000000 }, t0, t1;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			int r = call ? clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL)
				     : nanosleep(&req, NULL);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			_exit(r != 0 ? 10 : ts_ns(t1) - ts_ns(t0) < 600000000ll ? 11 : 0);
		}
		if (pid < 0)
			return fail("fork: %s", errname(errno));
		ms_sleep(100);
		kill(pid, SIGSTOP);
		ms_sleep(100);
		kill(pid, SIGCONT);
		int r = want_exit(call ? "clock_nanosleep stopped and continued (10 an error, 11 short)"
				       : "nanosleep stopped and continued (10 an error, 11 short)", pid, 0);
		if (r)
			return r;
	}
	struct sigaction sa;
	struct itimerval v = { { 0, 0 }, { 0, 100000 } };
	struct timespec req = { 2, 0 };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_timer;
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGALRM, &sa, NULL) != 0 || setitimer(ITIMER_REAL, &v, NULL) != 0)
		return fail("sigaction/setitimer: %s", errname(errno));
	return want_err("nanosleep(2 s) with an SA_RESTART handler's alarm", nanosleep(&req, NULL), EINTR);
}

/* The CPU clocks: they advance by the CPU used, not by sleeping; their resolution is sane. */
static int check_cpu_clocks(void)
{
	struct timespec res;
	long long c0 = cpu_ns(), c1, c2, t0;
	int r;

	if (c0 < 0)
		return fail("clock_gettime(CLOCK_PROCESS_CPUTIME_ID): %s", errname(errno));
	t0 = now_ms();
	ms_sleep(150);
	c1 = cpu_ns();
	if (c1 < c0 || c1 - c0 > 100000000)
		return fail("150 ms of sleep moved the CPU clock by %lld ms", (c1 - c0) / 1000000);
	spin(200);
	c2 = cpu_ns();
	if (c2 - c1 < 200000000 || c2 - c1 > (now_ms() - t0 + 20) * 1000000)
		return fail("spinning for 200 ms of CPU moved the clock by %lld ms", (c2 - c1) / 1000000);
	for (int clk = CLOCK_PROCESS_CPUTIME_ID; clk <= CLOCK_THREAD_CPUTIME_ID; clk++)
		if (clock_getres(clk, &res) != 0 || res.tv_sec || res.tv_nsec <= 0 || res.tv_nsec > 10000000)
			return fail("clock_getres(%d): %s, %ld.%09ld", clk, errname(errno),
				    (long)res.tv_sec, (long)res.tv_nsec);
	if (clock_getres(CLOCK_MONOTONIC, &res) != 0 || res.tv_sec || res.tv_nsec <= 0)
		return fail("clock_getres(CLOCK_MONOTONIC): %s", errname(errno));
	errno = 0;
	if ((r = want_err("clock_gettime(12345)", clock_gettime(12345, &res), EINVAL)))
		return r;
	errno = 0;
	if ((r = want_err("clock_getres(12345)", clock_getres(12345, &res), EINVAL)))
		return r;
	clockid_t mine;
	if (clock_getcpuclockid(0, &mine) != 0 || clock_gettime(mine, &res) != 0 || ts_ns(res) < c2)
		return fail("the clock from clock_getcpuclockid(0) reads %lld, want >= %lld", ts_ns(res), c2);
	return CHECK_OK;
}

/* A child's CPU time reaches its parent: wait4's rusage, then times() and RUSAGE_CHILDREN. */
static int check_child_times(void)
{
	struct rusage ru, kids, self;
	struct tms tm;
	long long t0 = now_ms(), wall;
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		spin(300);
		_exit(0);
	}
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	if (wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st))
		return fail("wait4: %s, status %#x", errname(errno), st);
	wall = now_ms() - t0;
	long long user = tv_us(ru.ru_utime) / 1000, sys = tv_us(ru.ru_stime) / 1000;
	if (user + sys < 290 || user + sys > wall + 20)
		return fail("wait4's rusage: %lld ms user + %lld ms system, want 300 (in %lld ms)", user,
			    sys, wall);
	if (user < sys)
		return fail("a computing child ran %lld ms in user mode and %lld in the kernel", user, sys);
	if (times(&tm) == (clock_t)-1)
		return fail("times: %s", errname(errno));
	long hz = sysconf(_SC_CLK_TCK);
	long long kid_ms = (long long)(tm.tms_cutime + tm.tms_cstime) * 1000 / hz;
	if (kid_ms < 280 || kid_ms > wall + 20)
		return fail("times() says the children used %lld ms, want 300", kid_ms);
	if (getrusage(RUSAGE_CHILDREN, &kids) != 0 || getrusage(RUSAGE_SELF, &self) != 0)
		return fail("getrusage: %s", errname(errno));
	long long kids_ms = (tv_us(kids.ru_utime) + tv_us(kids.ru_stime)) / 1000;
	if (kids_ms < user + sys - 1 || kids_ms > wall + 20)
		return fail("RUSAGE_CHILDREN: %lld ms, want %lld", kids_ms, user + sys);
	long long self_ms = (tv_us(self.ru_utime) + tv_us(self.ru_stime)) / 1000;
	if (self_ms > 250)
		return fail("the waiting parent used %lld ms of CPU itself", self_ms);
	errno = 0;
	if (want_err("getrusage(5)", getrusage(5, &self), EINVAL))
		return CHECK_FAIL;
	remark("child %lld ms user, %lld ms system", user, sys);
	return CHECK_OK;
}

/* A child that spends its time in page faults (each fresh page touched
 * once, then unmapped) until it has used 300 ms of CPU is charged a good
 * part of it as system time: the fault is the kernel's work, as Linux
 * counts it. At least a third, not a half: Linux's tick sampling in a
 * virtual machine under load charged 158 ms user and 151 ms system (the
 * build machine, 2026-11-25); a kernel that charged the faults to user
 * time would show almost none. */
#define FAULT_SPAN (4 << 20)
static int check_fault_times(void)
{
	struct rusage ru;
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		struct rusage me;
		do {
			char *m = mmap(NULL, FAULT_SPAN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				       -1, 0);
			if (m == MAP_FAILED)
				_exit(2);
			for (size_t i = 0; i < FAULT_SPAN; i += 4096)
				m[i] = 1;
			munmap(m, FAULT_SPAN);
			getrusage(RUSAGE_SELF, &me);
		} while (tv_us(me.ru_utime) + tv_us(me.ru_stime) < 300000);
		_exit(0);
	}
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	if (wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return fail("wait4: %s, status %#x", errname(errno), st);
	long long user = tv_us(ru.ru_utime) / 1000, sys = tv_us(ru.ru_stime) / 1000;
	if (user + sys < 290)
		return fail("a child that ran until it had used 300 ms was charged %lld ms user + %lld ms "
			    "system", user, sys);
	if (sys * 3 < user + sys)
		return fail("a child taking page faults for 300 ms was charged %lld ms user and only %lld "
			    "ms system", user, sys);
	remark("child %lld ms user, %lld ms system", user, sys);
	return CHECK_OK;
}

/* A child that only sleeps is charged (almost) no CPU time. */
static int check_sleeper_times(void)
{
	struct rusage ru;
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		ms_sleep(150);
		_exit(0);
	}
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	if (wait4(pid, &st, 0, &ru) != pid)
		return fail("wait4: %s", errname(errno));
	long long ms = (tv_us(ru.ru_utime) + tv_us(ru.ru_stime)) / 1000;
	return ms < 100 ? CHECK_OK : fail("a child that slept 150 ms was charged %lld ms of CPU", ms);
}

static volatile int spin_stop;

/* Compute until spin_stop is set (the caller's word, not a CPU-time
 * budget: a virtual CPU the host stalls for 100 ms charges its thread
 * that at once, and a budget could run out before the caller looks). */
static void *spin_until_stopped(void *arg)
{
	(void)arg;
	while (!spin_stop)
		burn();
	return NULL;
}

/* The CPU clock of another thread (pthread_getcpuclockid, LTP's nice05):
 * readable while it runs, and it counts that thread's running time: more
 * than nothing once it has spun a while, no more than the process's. */
static int check_thread_cpu_clock(void)
{
	pthread_t th;
	clockid_t c;
	struct timespec t, proc;
	void *ret;

	spin_stop = 0;
	if (pthread_create(&th, NULL, spin_until_stopped, NULL))
		return fail("pthread_create");
	int e = pthread_getcpuclockid(th, &c);
	usleep(20000);
	int r = e ? fail("pthread_getcpuclockid: %s", errname(e)) :
		clock_gettime(c, &t) ? fail("clock_gettime(the thread's clock): %s", errname(errno)) : CHECK_OK;
	spin_stop = 1;
	pthread_join(th, &ret);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &proc);
	if (!r && (ts_ns(t) <= 0 || ts_ns(t) > ts_ns(proc)))
		r = fail("the thread's clock read %lld ns, the process's %lld", ts_ns(t), ts_ns(proc));
	return r;
}

/* A timer on a CPU-time clock (LTP's timer_create01, timer_settime01):
 * CLOCK_PROCESS_CPUTIME_ID and CLOCK_THREAD_CPUTIME_ID timers fire once
 * the clock reached their time, never before (an absolute one too), and
 * timer_gettime counts down in that clock. */
static int check_cpu_timer(void)
{
	static const clockid_t clocks[] = { CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID };
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM };

	if (catch_timer(SIGALRM))
		return CHECK_FAIL;
	for (unsigned i = 0; i < 2 * NELEMS(clocks); i++) {
		clockid_t c = clocks[i % NELEMS(clocks)];
		int abs = i >= NELEMS(clocks), id;
		struct timespec now;
		if (ptimer_create(c, &ev, &id) != 0 || clock_gettime(c, &now) != 0)
			return fail("timer_create(clock %d): %s", (int)c, errname(errno));
		long long due = (abs ? ts_ns(now) : 0) + 50000000; /* 50 ms of CPU */
		struct itimerspec v = { { 0, 0 }, { due / 1000000000, due % 1000000000 } }, got;
		alarms = 0;
		if (ptimer_settime(id, abs ? TIMER_ABSTIME : 0, &v, NULL) != 0 ||
		    syscall(SYS_timer_gettime, id, &got) != 0)
			return fail("timer_settime(clock %d): %s", (int)c, errname(errno));
		if (ts_ns(got.it_value) <= 0 || ts_ns(got.it_value) > 50000000)
			return fail("clock %d: %lld ns left, want (0, 50 ms]", (int)c, ts_ns(got.it_value));
		long long start = ts_ns(now);
		for (long long end = now_ms() + 20000; !alarms && now_ms() < end;)
			spin(10);
		clock_gettime(c, &now);
		syscall(SYS_timer_delete, id);
		if (!alarms)
			return fail("clock %d: no SIGALRM after %lld ms of CPU", (int)c,
				    (ts_ns(now) - start) / 1000000);
	}
	return CHECK_OK;
}

/* An expiry that fired: the CPU clock at the handler is at least the
 * timer's time (checked at the handler, not after the spin). */
static volatile sig_atomic_t early;
static long long cpu_due;
static void on_cpu_timer(int sig)
{
	(void)sig;
	if (cpu_ns() < cpu_due)
		early = 1;
	alarms++;
}

/* A CPU-time timer never fires early: at its signal the clock has
 * reached its time. */
static int check_cpu_timer_early(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM };
	struct sigaction sa = { .sa_handler = on_cpu_timer };
	int id;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) || ptimer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &id))
		return fail("timer_create(CLOCK_PROCESS_CPUTIME_ID): %s", errname(errno));
	struct itimerspec v = { { 0, 0 }, { 0, 30000000 } };
	cpu_due = cpu_ns() + 30000000;
	alarms = 0;
	if (ptimer_settime(id, 0, &v, NULL))
		return fail("timer_settime: %s", errname(errno));
	for (long long end = now_ms() + 20000; !alarms && now_ms() < end;)
		spin(5);
	syscall(SYS_timer_delete, id);
	if (!alarms)
		return fail("no SIGALRM after 30 ms of CPU");
	return early ? fail("the timer fired before the clock reached its time") : CHECK_OK;
}

/* The first expiry's overrun, read in its handler, which disarms the
 * timer (as LTP's timer_settime03). */
static int overrun_id;
static volatile int first_overrun;
static void on_overrun_timer(int sig)
{
	struct itimerspec off = { { 0, 0 }, { 0, 0 } };

	(void)sig;
	if (first_overrun != -2)
		return;
	first_overrun = (int)syscall(SYS_timer_getoverrun, overrun_id);
	syscall(SYS_timer_settime, overrun_id, 0, &off, NULL);
}

/* timer_settime's errors in Linux's order (LTP's timer_settime02): no
 * new setting EINVAL; an old one it cannot write EFAULT, with the new
 * setting in force. An absolute CLOCK_REALTIME time seconds in the past
 * with a 1 ns period counts its overruns, capped at INT_MAX
 * (timer_settime03). */
static int check_timer_settime_order(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	struct itimerspec v = { { 0, 0 }, { 100, 0 } }, got;
	int id;

	if (ptimer_create(CLOCK_MONOTONIC, &ev, &id))
		return fail("timer_create: %s", errname(errno));
	if (want_err("timer_settime(NULL)", syscall(SYS_timer_settime, id, 0, NULL, NULL), EINVAL) ||
	    want_err("timer_settime(old unwritable)",
		     syscall(SYS_timer_settime, id, 0, &v, (void *)8), EFAULT))
		return CHECK_FAIL;
	if (syscall(SYS_timer_gettime, id, &got) || got.it_value.tv_sec < 99)
		return fail("after the EFAULT: %ld s left, want the new 100 s", (long)got.it_value.tv_sec);
	syscall(SYS_timer_delete, id);
	ev = (struct sigevent){ .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	struct sigaction sa = { .sa_handler = on_overrun_timer };
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) || ptimer_create(CLOCK_REALTIME, &ev, &overrun_id) ||
	    clock_gettime(CLOCK_REALTIME, &v.it_value))
		return fail("timer_create(CLOCK_REALTIME): %s", errname(errno));
	v.it_value.tv_sec -= 3; /* 3e9 periods ago */
	v.it_interval = (struct timespec){ 0, 1 };
	first_overrun = -2;
	if (ptimer_settime(overrun_id, TIMER_ABSTIME, &v, NULL))
		return fail("the past timer: %s", errname(errno));
	for (long long end = now_ms() + 5000; first_overrun == -2 && now_ms() < end;)
		;
	syscall(SYS_timer_delete, overrun_id);
	return want_eq("the first expiry's overrun, 3e9 periods (capped at INT_MAX)", first_overrun,
		       0x7fffffff);
}

/* RLIMIT_CPU (LTP's setrlimit06): past the soft limit SIGXCPU, once a
 * second as the soft limit goes up, then SIGKILL at the hard limit. */
static int xcpu_pipe;
static void on_xcpu(int sig)
{
	(void)sig;
	if (write(xcpu_pipe, "x", 1) != 1)
		_exit(4);
}

#define RLIMIT_CPU_WAIT_MS 30000

static int check_rlimit_cpu(void)
{
	int fds[2];
	char buf[8];

	if (pipe(fds))
		return fail("pipe: %s", errname(errno));
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit r = { 1, 2 };
		xcpu_pipe = fds[1];
		signal(SIGXCPU, on_xcpu);
		if (setrlimit(RLIMIT_CPU, &r))
			_exit(1);
		spin(20000);
		_exit(2);
	}
	close(fds[1]);
	/* 2 s of CPU take longer than want_signal's 5 s of wall time on a
	 * busy host: wait up to RLIMIT_CPU_WAIT_MS for the SIGKILL */
	int st, r = pid < 0 ? fail("fork: %s", errname(errno)) : wait_child(pid, RLIMIT_CPU_WAIT_MS, &st);
	if (!r && !(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL))
		r = fail("a child spinning past RLIMIT_CPU 1:2 s ended with status %#x, want SIGKILL", st);
	ssize_t n = read(fds[0], buf, sizeof(buf));
	close(fds[0]);
	if (!r && n != 1)
		r = fail("%zd SIGXCPU before the SIGKILL, want 1", n);
	return r;
}

static const struct check checks[] = {
	{ "alarm-pause", check_alarm_pause },
	{ "alarm-left", check_alarm_left },
	{ "alarm-kills", check_alarm_kills },
	{ "itimer-periodic", check_itimer_periodic },
	{ "itimer-cpu", check_itimer_cpu },
	{ "itimer-thread", check_itimer_thread },
	{ "posix-timer", check_posix_timer },
	{ "itimer-errors", check_itimer_errors },
	{ "nanosleep-left", check_nanosleep_left },
	{ "sleep-stopped", check_sleep_stopped },
	{ "cpu-clocks", check_cpu_clocks },
	{ "child-times", check_child_times },
	{ "sleeper-times", check_sleeper_times },
	{ "fault-times", check_fault_times },
	{ "thread-cpu-clock", check_thread_cpu_clock },
	{ "cpu-timer", check_cpu_timer },
	{ "cpu-timer-early", check_cpu_timer_early },
	{ "timer-settime-order", check_timer_settime_order },
	{ "rlimit-cpu", check_rlimit_cpu },
};

int main(int argc, char **argv)
{
	c_isolate = 1;
	return run_checks("timers", checks, NELEMS(checks), argc, argv);
}
