// SPDX-License-Identifier: MIT
// Signals: handlers and siginfo, faults caught and left by siglongjmp, masks, SIGCHLD, sigaltstack, EINTR/SA_RESTART.
#define _GNU_SOURCE /* ppoll */
#include <poll.h>
#include <setjmp.h>
#include <sys/select.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include "checks.h"

/*
 * Each check starts from reset(): default dispositions, nothing blocked,
 * counters zero. Signals from other processes come from a forked child
 * that keeps sending until the parent has what it waits for and kills
 * it, and that ends a wait that would otherwise hang with a different
 * signal or byte (so a lost signal fails the check instead of hanging
 * the program).
 *
 * Each check runs in a child process of its own (c_isolate): on a kernel
 * that does not deliver to handlers yet, a signal's default action would
 * otherwise end the whole program at the first check.
 *
 * `t-signals --sigstate` is a helper mode for the exec check: it exits 0
 * when SIGUSR1 is default, SIGUSR2 ignored without the SA_RESTART flag
 * and the mask it was ignored with, and SIGINT blocked.
 */
static const char *self = "/bin/t-signals";

static volatile sig_atomic_t hits, usr2_hits, usr2_during_usr1;
static volatile int got_signo, got_code, got_pid, got_uid, got_status, got_mask_ok;
static void *volatile got_addr;
static void *volatile got_stack;
static volatile int got_onstack;
static sigjmp_buf jump;

/* reset: default dispositions for the signals these checks use, an empty mask, zero counters. */
static void reset(void)
{
	static const int sigs[] = { SIGUSR1, SIGUSR2, SIGCHLD, SIGSEGV, SIGPIPE, SIGALRM };
	sigset_t none;

	for (size_t i = 0; i < NELEMS(sigs); i++)
		signal(sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	hits = usr2_hits = usr2_during_usr1 = 0;
	got_signo = got_code = got_pid = got_uid = got_status = got_mask_ok = got_onstack = 0;
	got_addr = got_stack = NULL;
}

/* handle: install FN for SIG with FLAGS (and SA_SIGINFO when INFO); 0 or fail(). */
static int handle(int sig, void (*fn)(int), void (*info)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	if (info) {
		sa.sa_sigaction = info;
		flags |= SA_SIGINFO;
	} else {
		sa.sa_handler = fn;
	}
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) != 0)
		return fail("sigaction(%d): %s", sig, errname(errno));
	return CHECK_OK;
}

/* mask_one: block (HOW = SIG_BLOCK) or unblock (SIG_UNBLOCK) SIG. */
static void mask_one(int how, int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(how, &s, NULL);
}

static void on_count(int sig)
{
	(void)sig;
	hits++;
}

static void on_usr2(int sig)
{
	(void)sig;
	usr2_hits++;
}

static void on_info(int sig, siginfo_t *si, void *uc)
{
	hits++;
	got_signo = si->si_signo;
	got_code = si->si_code;
	got_pid = si->si_pid;
	got_uid = (int)si->si_uid;
	got_status = si->si_status;
	got_addr = si->si_addr;
	got_mask_ok = sig == si->si_signo && uc != NULL;
}

/* on_fault: record the fault and leave the handler by siglongjmp (returning would fault again). */
static void on_fault(int sig, siginfo_t *si, void *uc)
{
	on_info(sig, si, uc);
	siglongjmp(jump, 1);
}

/* stop_child: kill the helper child PID and reap it. */
static void stop_child(pid_t pid)
{
	int st;

	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
	}
}

static int check_handler_runs(void)
{
	reset();
	if (handle(SIGUSR1, on_count, NULL, 0))
		return CHECK_FAIL;
	if (want_eq("kill(self, SIGUSR1)", kill(getpid(), SIGUSR1), 0))
		return CHECK_FAIL;
	/* A signal to oneself is delivered before kill returns. */
	if (hits != 1)
		return fail("the handler ran %d times by the time kill returned, want 1", (int)hits);
	if (want_eq("raise(SIGUSR1)", raise(SIGUSR1), 0))
		return CHECK_FAIL;
	return hits == 2 ? CHECK_OK : fail("after raise the handler had run %d times, want 2", (int)hits);
}

static int check_siginfo_kill(void)
{
	reset();
	if (handle(SIGUSR1, NULL, on_info, 0))
		return CHECK_FAIL;
	kill(getpid(), SIGUSR1);
	if (hits != 1 || !got_mask_ok)
		return fail("the SA_SIGINFO handler ran %d times (or without siginfo/ucontext)", (int)hits);
	if (got_signo != SIGUSR1 || got_code != SI_USER || got_pid != getpid() || got_uid != (int)getuid())
		return fail("si_signo %d si_code %d si_pid %d si_uid %d, want %d SI_USER(0) %d %d", got_signo,
			    got_code, got_pid, got_uid, SIGUSR1, (int)getpid(), (int)getuid());
	return CHECK_OK;
}

/* A NULL read and a write to a read-only page, each caught and left by siglongjmp. */
static int check_segv_siginfo(void)
{
	char *ro;

	reset();
	if (handle(SIGSEGV, NULL, on_fault, 0))
		return CHECK_FAIL;
	if (sigsetjmp(jump, 1) == 0) {
		uint64_t v;
		__asm__ volatile("mov 0, %0" : "=r"(v)::"memory");
		return fail("read 0x%lx at address 0 and carried on", (unsigned long)v);
	}
	if (got_signo != SIGSEGV || got_code != SEGV_MAPERR || got_addr != NULL)
		return fail("NULL read: si_signo %d si_code %d si_addr %p, want 11 SEGV_MAPERR(1) 0",
			    got_signo, got_code, got_addr);
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	/* The mask was restored by siglongjmp: a second fault is caught as well. */
	if (sigsetjmp(jump, 1) == 0) {
		*(volatile char *)(ro + 8) = 1;
		munmap(ro, 4096);
		return fail("wrote to a read-only page and carried on");
	}
	munmap(ro, 4096);
	if (hits != 2 || got_code != SEGV_ACCERR || got_addr != ro + 8)
		return fail("read-only write: %d faults, si_code %d si_addr %p, want 2 SEGV_ACCERR(2) %p",
			    (int)hits, got_code, got_addr, (void *)(ro + 8));
	return CHECK_OK;
}

/* A blocked signal stays pending (two sends make one), and is delivered when unblocked. */
static int check_sigprocmask(void)
{
	sigset_t set, old, pend;

	reset();
	if (handle(SIGUSR1, on_count, NULL, 0))
		return CHECK_FAIL;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (want_eq("sigprocmask(SIG_BLOCK)", sigprocmask(SIG_BLOCK, &set, &old), 0))
		return CHECK_FAIL;
	if (sigismember(&old, SIGUSR1))
		return fail("the old mask already had SIGUSR1");
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1);
	if (hits != 0)
		return fail("a blocked signal was delivered");
	if (sigpending(&pend) != 0 || !sigismember(&pend, SIGUSR1))
		return fail("sigpending does not show the blocked SIGUSR1");
	if (want_eq("sigprocmask(SIG_UNBLOCK)", sigprocmask(SIG_UNBLOCK, &set, &old), 0))
		return CHECK_FAIL;
	if (hits != 1)
		return fail("after unblocking the handler ran %d times, want 1 (standard signals merge)",
			    (int)hits);
	if (!sigismember(&old, SIGUSR1))
		return fail("the old mask returned by SIG_UNBLOCK lacks SIGUSR1");
	if (sigpending(&pend) != 0 || sigismember(&pend, SIGUSR1))
		return fail("SIGUSR1 is still pending after delivery");
	return CHECK_OK;
}

static int check_sigaction_errors(void)
{
	struct sigaction sa;
	sigset_t all, cur;

	reset();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_count;
	if (want_err("a handler for SIGKILL", sigaction(SIGKILL, &sa, NULL), EINVAL))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("a handler for SIGSTOP", sigaction(SIGSTOP, &sa, NULL), EINVAL))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("sigaction(0)", syscall(SYS_rt_sigaction, 0, NULL, NULL, 8), EINVAL))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("sigaction(65)", syscall(SYS_rt_sigaction, 65, NULL, NULL, 8), EINVAL))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("rt_sigaction with sigsetsize 4", syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 4),
		     EINVAL))
		return CHECK_FAIL;
	errno = 0;
	sigemptyset(&cur);
	if (want_err("rt_sigprocmask with how 99", syscall(SYS_rt_sigprocmask, 99, &cur, NULL, 8), EINVAL))
		return CHECK_FAIL;
	/* SIGKILL and SIGSTOP cannot be blocked: asking is not an error, it just does not happen. */
	sigfillset(&all);
	if (want_eq("blocking every signal", sigprocmask(SIG_SETMASK, &all, NULL), 0))
		return CHECK_FAIL;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	reset();
	if (sigismember(&cur, SIGKILL) || sigismember(&cur, SIGSTOP) || !sigismember(&cur, SIGUSR1))
		return fail("the mask after blocking everything: SIGKILL %d SIGSTOP %d SIGUSR1 %d",
			    sigismember(&cur, SIGKILL), sigismember(&cur, SIGSTOP), sigismember(&cur, SIGUSR1));
	return CHECK_OK;
}

static int check_sigaction_roundtrip(void)
{
	struct sigaction sa, old;

	reset();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_count;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	if (want_eq("sigaction", sigaction(SIGUSR1, &sa, &old), 0))
		return CHECK_FAIL;
	if (old.sa_handler != SIG_DFL)
		return fail("the old action was not SIG_DFL");
	memset(&old, 0, sizeof(old));
	if (want_eq("sigaction(SIGUSR1, NULL, &old)", sigaction(SIGUSR1, NULL, &old), 0))
		return CHECK_FAIL;
	if (old.sa_handler != on_count || !(old.sa_flags & SA_RESTART) || !sigismember(&old.sa_mask, SIGUSR2))
		return fail("read back handler %s, flags %#x, SIGUSR2 in mask %d",
			    old.sa_handler == on_count ? "ok" : "wrong", (unsigned)old.sa_flags,
			    sigismember(&old.sa_mask, SIGUSR2));
	return CHECK_OK;
}

/* on_usr1_masked: inside the handler, SIGUSR1 (itself) and SIGUSR2 (sa_mask) are blocked. */
static void on_usr1_masked(int sig)
{
	sigset_t cur;

	(void)sig;
	hits++;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	got_mask_ok = sigismember(&cur, SIGUSR1) && sigismember(&cur, SIGUSR2);
	kill(getpid(), SIGUSR2);
	usr2_during_usr1 = usr2_hits;	/* must still be 0: SIGUSR2 waits */
}

static int check_handler_mask(void)
{
	struct sigaction sa;
	sigset_t cur;

	reset();
	if (handle(SIGUSR2, on_usr2, NULL, 0))
		return CHECK_FAIL;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1_masked;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	if (sigaction(SIGUSR1, &sa, NULL) != 0)
		return fail("sigaction: %s", errname(errno));
	kill(getpid(), SIGUSR1);
	if (hits != 1 || !got_mask_ok)
		return fail("in the handler the mask lacked SIGUSR1 or SIGUSR2 (ran %d times)", (int)hits);
	if (usr2_during_usr1 != 0)
		return fail("SIGUSR2 (in sa_mask) interrupted the SIGUSR1 handler");
	if (usr2_hits != 1)
		return fail("the deferred SIGUSR2 ran %d times after the handler, want 1", (int)usr2_hits);
	sigprocmask(SIG_SETMASK, NULL, &cur);
	if (sigismember(&cur, SIGUSR1) || sigismember(&cur, SIGUSR2))
		return fail("the handler's mask was not undone by sigreturn");
	return CHECK_OK;
}

static int check_resethand_ignore(void)
{
	struct sigaction old;
	sigset_t pend;

	reset();
	if (handle(SIGUSR1, on_count, NULL, SA_RESETHAND))
		return CHECK_FAIL;
	kill(getpid(), SIGUSR1);
	if (hits != 1 || sigaction(SIGUSR1, NULL, &old) != 0 || old.sa_handler != SIG_DFL)
		return fail("SA_RESETHAND: ran %d times, then the action was not SIG_DFL", (int)hits);
	if (!(old.sa_flags & SA_RESETHAND)) /* the handler alone goes (LTP's sigaction01) */
		return fail("SA_RESETHAND: the flags went with the handler (%#x)", (unsigned)old.sa_flags);
	/* An ignored signal does nothing, and a pending one is dropped when it becomes ignored. */
	signal(SIGUSR1, SIG_IGN);
	if (want_eq("kill(self) of an ignored signal", kill(getpid(), SIGUSR1), 0))
		return CHECK_FAIL;
	handle(SIGUSR2, on_usr2, NULL, 0);
	mask_one(SIG_BLOCK, SIGUSR2);
	kill(getpid(), SIGUSR2);
	signal(SIGUSR2, SIG_IGN);
	if (sigpending(&pend) != 0 || sigismember(&pend, SIGUSR2))
		return fail("a pending signal stayed pending after it was ignored");
	mask_one(SIG_UNBLOCK, SIGUSR2);
	return usr2_hits == 0 ? CHECK_OK : fail("an ignored pending signal ran its old handler");
}

/* kill's errors, and kill(pid, 0) as an existence test. */
static int check_kill_errors(void)
{
	reset();
	if (want_eq("kill(self, 0)", kill(getpid(), 0), 0))
		return CHECK_FAIL;
	if (want_err("kill of no such pid", kill(4000000, SIGUSR1), ESRCH))
		return CHECK_FAIL;
	errno = 0;
	return want_err("kill(self, 65)", kill(getpid(), 65), EINVAL);
}

/* fork_and_await_sigchld: fork a child that exits with CODE, then wait (up to 3 s) for a handler run; the pid or fail(). */
static pid_t fork_and_await_sigchld(int code)
{
	long long deadline;
	pid_t pid = fork();

	if (pid == 0)
		_exit(code);
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	deadline = now_ms() + 3000;
	while (hits == 0 && now_ms() < deadline)
		ms_sleep(1);
	return pid;
}

/* SIGCHLD with CLD_EXITED, the child's pid and status, when a child exits. */
static int check_sigchld(void)
{
	pid_t pid;

	reset();
	if (handle(SIGCHLD, NULL, on_info, 0))
		return CHECK_FAIL;
	if ((pid = fork_and_await_sigchld(5)) < 0)
		return CHECK_FAIL;
	if (want_exit("the child", pid, 5))
		return CHECK_FAIL;
	if (hits != 1)
		return fail("SIGCHLD arrived %d times, want 1", (int)hits);
	if (got_signo != SIGCHLD || got_code != CLD_EXITED || got_pid != pid || got_status != 5)
		return fail("si_signo %d si_code %d si_pid %d si_status %d, want %d CLD_EXITED(1) %d 5",
			    got_signo, got_code, got_pid, got_status, SIGCHLD, (int)pid);
	return CHECK_OK;
}

/* With SIGCHLD ignored a child leaves no zombie: wait4 blocks until it is gone, then says ECHILD. */
static int check_sigchld_ignored(void)
{
	long long t0;
	int st, r;
	pid_t quick, slow;

	reset();
	signal(SIGCHLD, SIG_IGN);
	quick = fork();
	if (quick == 0)
		_exit(0);
	ms_sleep(100);
	errno = 0;
	r = want_err("kill(0) of an exited child", kill(quick, 0), ESRCH);
	slow = r ? -1 : fork();
	if (slow == 0) {
		ms_sleep(200);
		_exit(0);
	}
	t0 = now_ms();
	errno = 0;
	if (!r)
		r = want_err("waitpid(-1) with SIGCHLD ignored", waitpid(-1, &st, 0), ECHILD);
	if (!r && now_ms() - t0 < 150)
		r = fail("waitpid gave ECHILD after %lld ms, before the 200 ms child ended", now_ms() - t0);
	signal(SIGCHLD, SIG_DFL);
	/* Back to the default: a child is a zombie until waited for again. */
	pid_t again = r ? -1 : fork();
	if (again == 0)
		_exit(3);
	return r ? r : want_exit("a child after SIGCHLD went back to SIG_DFL", again, 3);
}

/* SA_NOCLDWAIT: the handler still runs, but the child is not kept for wait4. */
static int check_nocldwait(void)
{
	int st, r;

	reset();
	if (handle(SIGCHLD, on_count, NULL, SA_NOCLDWAIT))
		return CHECK_FAIL;
	if (fork_and_await_sigchld(0) < 0)
		return CHECK_FAIL;
	if (hits != 1)
		return fail("the SIGCHLD handler ran %d times, want 1", (int)hits);
	errno = 0;
	r = want_err("waitpid(-1) with SA_NOCLDWAIT", waitpid(-1, &st, 0), ECHILD);
	reset();
	return r;
}

/*
 * sender: fork a child that sends SIG to the parent every EVERY ms (the
 * first after EVERY ms) until killed; after GIVEUP ms it sends SIGUSR2
 * instead (or writes a byte to FD when FD >= 0), so a wait that never
 * saw SIG ends.
 */
static pid_t sender(int sig, long every, long giveup, int fd)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		long long end = now_ms() + giveup;
		while (now_ms() < end) {
			ms_sleep(every);
			kill(parent, sig);
		}
		if (fd >= 0)
			write(fd, "t", 1);
		else
			kill(parent, SIGUSR2);
		for (;;)
			pause();
	}
	return pid;
}

/* The wait that swaps in MASK for its duration: 0 sigsuspend, 1 ppoll, 2 pselect (2 s at most). */
static int wait_with(int how, const sigset_t *mask)
{
	struct timespec two = { 2, 0 };

	if (how == 0)
		return sigsuspend(mask);
	if (how == 1)
		return ppoll(NULL, 0, &two, mask);
	return pselect(0, NULL, NULL, NULL, &two, mask);
}

/*
 * One wait (see wait_with) with SIGUSR1 blocked outside it and unblocked
 * inside: SIGUSR1 from a child interrupts it (EINTR), its handler runs,
 * and the caller's mask, SIGUSR1 blocked, is back afterwards.
 */
static int mask_swap(int how)
{
	static const char *const names[] = { "sigsuspend", "ppoll", "pselect" };
	sigset_t empty, cur;
	pid_t pid;
	int r;

	reset();
	if (handle(SIGUSR1, on_count, NULL, 0) || handle(SIGUSR2, on_usr2, NULL, 0))
		return CHECK_FAIL;
	mask_one(SIG_BLOCK, SIGUSR1);
	pid = sender(SIGUSR1, 30, 3000, -1);
	sigemptyset(&empty);
	errno = 0;
	r = want_err(names[how], wait_with(how, &empty), EINTR);
	stop_child(pid);
	if (r)
		return r;
	if (hits == 0)
		return fail("%s ended without the SIGUSR1 handler (the child gave up)", names[how]);
	sigprocmask(SIG_SETMASK, NULL, &cur);
	if (!sigismember(&cur, SIGUSR1))
		return fail("%s did not restore the mask", names[how]);
	return CHECK_OK;
}

/* sigsuspend swaps in a mask, waits for a handled signal, returns EINTR, and puts the mask back. */
static int check_sigsuspend(void)
{
	return mask_swap(0);
}

/* ppoll and pselect do the same with their mask argument. */
static int check_wait_with_mask(void)
{
	int r = mask_swap(1);

	return r ? r : mask_swap(2);
}

/* A blocking pipe read, interrupted by a handled signal without SA_RESTART: -1/EINTR. */
static int check_eintr(void)
{
	int p[2], r;
	pid_t pid;
	char c;

	reset();
	if (handle(SIGUSR1, on_count, NULL, 0) || pipe(p) != 0)
		return fail("set-up: %s", errname(errno));
	pid = sender(SIGUSR1, 50, 3000, p[1]);
	r = want_err("a read interrupted by a signal", read(p[0], &c, 1), EINTR);
	stop_child(pid);
	close(p[0]);
	close(p[1]);
	if (!r && hits == 0)
		return fail("EINTR without the handler running");
	return r;
}

/* With SA_RESTART the read goes on after the handler and returns the data when it comes. */
static int check_restart(void)
{
	int p[2], r;
	pid_t parent = getpid(), pid;
	char c = 0;

	reset();
	if (handle(SIGUSR1, on_count, NULL, SA_RESTART) || pipe(p) != 0)
		return fail("set-up: %s", errname(errno));
	pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 3; i++) {
			ms_sleep(50);
			kill(parent, SIGUSR1);
		}
		ms_sleep(50);
		_exit(write(p[1], "x", 1) == 1 ? 0 : 1);
	}
	r = want_eq("a read restarted after the handlers", read(p[0], &c, 1), 1);
	close(p[0]);
	close(p[1]);
	if (want_exit("the sender", pid, 0))
		return CHECK_FAIL;
	if (!r && (c != 'x' || hits != 3))
		return fail("read '%c' with %d handler runs, want 'x' and 3", c, (int)hits);
	return r;
}

/* The handler runs on the alternate stack, which reports SS_ONSTACK while in use. */
static void on_altstack(int sig)
{
	stack_t cur;
	char local;

	(void)sig;
	hits++;
	got_stack = &local;
	got_onstack = sigaltstack(NULL, &cur) == 0 && (cur.ss_flags & SS_ONSTACK);
}

static int check_sigaltstack(void)
{
	static char alt[64 * 1024] __attribute__((aligned(16)));
	stack_t ss = { .ss_sp = alt, .ss_size = sizeof(alt), .ss_flags = 0 }, cur;
	int r;

	reset();
	if (want_eq("sigaltstack", sigaltstack(&ss, NULL), 0))
		return CHECK_FAIL;
	r = handle(SIGUSR1, on_altstack, NULL, SA_ONSTACK);
	if (!r)
		kill(getpid(), SIGUSR1);
	if (!r && hits != 1)
		r = fail("the handler ran %d times", (int)hits);
	if (!r && ((char *)got_stack < alt || (char *)got_stack >= alt + sizeof(alt)))
		r = fail("the handler's stack %p is not in the alternate stack %p..%p", got_stack,
			 (void *)alt, (void *)(alt + sizeof(alt)));
	if (!r && !got_onstack)
		r = fail("sigaltstack in the handler did not report SS_ONSTACK");
	if (!r && (sigaltstack(NULL, &cur) != 0 || cur.ss_flags != 0 || cur.ss_sp != alt))
		r = fail("after the handler: ss_flags %d ss_sp %p", cur.ss_flags, cur.ss_sp);
	ss.ss_size = 512;
	errno = 0;
	if (!r)
		r = want_err("sigaltstack of 512 bytes", sigaltstack(&ss, NULL), ENOMEM);
	ss.ss_size = sizeof(alt);
	ss.ss_flags = 0x1234;
	errno = 0;
	if (!r)
		r = want_err("sigaltstack with bad flags", sigaltstack(&ss, NULL), EINVAL);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
	return r;
}

static void on_overflow(int sig)
{
	(void)sig;
	_exit(0);
}

/* recurse: use the stack until it runs out (the depth bound only keeps gcc quiet). */
static int recurse(volatile char *prev, long depth)
{
	volatile char buf[1024];

	buf[0] = *prev;
	if (depth > (1l << 40))
		return 0;
	return recurse(buf, depth + 1) + buf[1];
}

/* A stack overflow can be caught only on the alternate stack: the child's handler exits 0. */
static int check_altstack_overflow(void)
{
	pid_t pid;

	reset();
	pid = fork();
	if (pid == 0) {
		static char alt[64 * 1024];
		stack_t ss = { .ss_sp = alt, .ss_size = sizeof(alt), .ss_flags = 0 };
		struct rlimit rl = { 0, 0 };
		char start = 1;

		setrlimit(RLIMIT_CORE, &rl);
		if (sigaltstack(&ss, NULL) != 0 || handle(SIGSEGV, on_overflow, NULL, SA_ONSTACK))
			_exit(2);
		_exit(recurse(&start, 0) == 12345 ? 3 : 4);
	}
	return want_exit("the overflowing child (killed by 11: no handler on the alternate stack)", pid, 0);
}

/* on_nested_segv: a SIGSEGV handler (SA_NODEFER, on the alternate stack)
 * that raises SIGSEGV again, each delivery nested one frame deeper. It
 * sends with bare system calls and uses no stack of its own: the test is
 * about where the kernel puts frames, and a handler (musl's raise) that
 * writes below the lowest frame can itself pass the stack's bottom, after
 * which Linux takes the next delivery as entering the alternate stack
 * afresh and nests for ever from its top. */
static void on_nested_segv(int sig)
{
	long tid;

	__asm__ volatile("syscall" : "=a"(tid) : "0"((long)SYS_gettid) : "rcx", "r11", "memory");
	__asm__ volatile("syscall" : : "a"((long)SYS_tkill), "D"(tid), "S"((long)sig) : "rcx", "r11", "memory");
}

#define ALT_HALF (64 * 1024)
#define ALT_PATTERN 0x5a

/* Nested handlers use up the alternate stack: the delivery that would go
 * past its bottom kills the process with SIGSEGV (Linux's get_sigframe),
 * and no frame lands in the memory below it (here the lower half of a
 * shared buffer whose upper half is the alternate stack, which the
 * parent checks afterwards). */
static int check_altstack_bottom(void)
{
	unsigned char *buf = mmap(NULL, 2 * ALT_HALF, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int r;

	if (buf == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	memset(buf, ALT_PATTERN, 2 * ALT_HALF);
	pid_t pid = fork();
	if (pid == 0) {
		stack_t ss = { .ss_sp = buf + ALT_HALF, .ss_size = ALT_HALF, .ss_flags = 0 };
		struct rlimit rl = { 0, 0 };

		setrlimit(RLIMIT_CORE, &rl);
		if (sigaltstack(&ss, NULL) != 0 || handle(SIGSEGV, on_nested_segv, NULL,
							  SA_ONSTACK | SA_NODEFER))
			_exit(2);
		raise(SIGSEGV);
		_exit(3);
	}
	r = pid < 0 ? fail("fork: %s", errname(errno))
		    : want_signal("nested SIGSEGV handlers on a 64 KiB alternate stack", pid, SIGSEGV);
	for (size_t i = 0; r == CHECK_OK && i < ALT_HALF; i++)
		if (buf[i] != ALT_PATTERN)
			r = fail("a signal frame was written %zu bytes below the alternate stack",
				 ALT_HALF - i);
	munmap(buf, 2 * ALT_HALF);
	return r;
}

/* Registers (general and SSE) are what they were after a handler ran at a syscall's return. */
static void on_clobber(int sig)
{
	(void)sig;
	hits++;
	__asm__ volatile("xor %%r8d, %%r8d\n\txor %%r9d, %%r9d\n\txor %%r10d, %%r10d\n\t"
			 "xor %%edx, %%edx\n\txor %%esi, %%esi\n\txor %%edi, %%edi\n\t"
			 "pxor %%xmm7, %%xmm7\n\tpxor %%xmm0, %%xmm0"
			 ::: "r8", "r9", "r10", "rdx", "rsi", "rdi", "xmm7", "xmm0");
}

static int check_regs_preserved(void)
{
	uint64_t r8, r9, r10, rdx, x7, x0, in7 = 0x0123456789abcdefull, in0 = 0xfedcba9876543210ull;
	long ret = SYS_kill, rdi = getpid(), rsi = SIGUSR1;

	reset();
	if (handle(SIGUSR1, on_clobber, NULL, 0))
		return CHECK_FAIL;
	__asm__ volatile("movq %[in7], %%xmm7\n\tmovq %[in0], %%xmm0\n\t"
			 "mov $0x1111, %%r8\n\tmov $0x2222, %%r9\n\tmov $0x3333, %%r10\n\tmov $0x4444, %%rdx\n\t"
			 "syscall\n\t"
			 "movq %%xmm7, %[x7]\n\tmovq %%xmm0, %[x0]\n\t"
			 "mov %%r8, %[r8]\n\tmov %%r9, %[r9]\n\tmov %%r10, %[r10]\n\tmov %%rdx, %[rdx]"
			 : [x7] "=m"(x7), [x0] "=m"(x0), [r8] "=m"(r8), [r9] "=m"(r9), [r10] "=m"(r10),
			   [rdx] "=m"(rdx), "+a"(ret), "+D"(rdi), "+S"(rsi)
			 : [in7] "r"(in7), [in0] "r"(in0)
			 : "rcx", "r11", "r8", "r9", "r10", "rdx", "xmm0", "xmm7", "memory");
	if (ret != 0 || hits != 1)
		return fail("kill returned %ld, the handler ran %d times", ret, (int)hits);
	if (r8 != 0x1111 || r9 != 0x2222 || r10 != 0x3333 || rdx != 0x4444 || rdi != getpid() ||
	    rsi != SIGUSR1)
		return fail("after the handler r8 %#lx r9 %#lx r10 %#lx rdx %#lx rdi %ld rsi %ld",
			    (unsigned long)r8, (unsigned long)r9, (unsigned long)r10, (unsigned long)rdx,
			    rdi, rsi);
	if (x7 != in7 || x0 != in0)
		return fail("after the handler xmm7 %#lx xmm0 %#lx, want %#lx %#lx", (unsigned long)x7,
			    (unsigned long)x0, (unsigned long)in7, (unsigned long)in0);
	return CHECK_OK;
}

/* execve resets handled signals to default, keeps ignored ones and the
 * mask; an ignored one loses its flags and handler mask (Linux's
 * flush_signal_handlers clears them for every action). */
static int check_exec_dispositions(void)
{
	pid_t pid;

	reset();
	pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)self, "--sigstate", NULL }, *envp[] = { NULL };
		struct sigaction ign;
		memset(&ign, 0, sizeof(ign));
		ign.sa_handler = SIG_IGN;
		ign.sa_flags = SA_RESTART;
		sigemptyset(&ign.sa_mask);
		sigaddset(&ign.sa_mask, SIGTERM);
		handle(SIGUSR1, on_count, NULL, 0);
		if (sigaction(SIGUSR2, &ign, NULL))
			_exit(126);
		mask_one(SIG_BLOCK, SIGINT);
		execve(self, argv, envp);
		_exit(127);
	}
	return want_exit("the re-executed program (1: dispositions or mask wrong, 126: sigaction failed, "
			 "127: exec failed)", pid, 0);
}

/* sigstate: the helper mode's answer. */
static int sigstate(void)
{
	struct sigaction a1, a2;
	sigset_t cur, pend;

	if (sigaction(SIGUSR1, NULL, &a1) || sigaction(SIGUSR2, NULL, &a2) ||
	    sigprocmask(SIG_SETMASK, NULL, &cur) || sigpending(&pend))
		return 1;
	return a1.sa_handler == SIG_DFL && a2.sa_handler == SIG_IGN && !(a2.sa_flags & SA_RESTART) &&
	       !sigismember(&a2.sa_mask, SIGTERM) && sigismember(&cur, SIGINT) &&
	       !sigismember(&pend, SIGUSR1) ? 0 : 1;
}

/* A child inherits handlers and mask but not pending signals. */
static int check_fork_inherit(void)
{
	pid_t pid;

	reset();
	if (handle(SIGUSR1, on_count, NULL, 0))
		return CHECK_FAIL;
	mask_one(SIG_BLOCK, SIGUSR1);
	kill(getpid(), SIGUSR1);
	pid = fork();
	if (pid == 0) {
		struct sigaction a;
		sigset_t cur, pend;
		int ok = sigaction(SIGUSR1, NULL, &a) == 0 && a.sa_handler == on_count &&
			 sigprocmask(SIG_SETMASK, NULL, &cur) == 0 && sigismember(&cur, SIGUSR1) &&
			 sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR1);
		_exit(ok ? 0 : 1);
	}
	if (want_exit("the child (1: handler, mask or pending set wrong)", pid, 0))
		return CHECK_FAIL;
	mask_one(SIG_UNBLOCK, SIGUSR1);
	return hits == 1 ? CHECK_OK : fail("the parent's pending SIGUSR1 ran %d times, want 1", (int)hits);
}

/* kill(0, sig) reaches every process of the group: a child's own group of two. */
static int check_kill_pgrp(void)
{
	pid_t pid;

	reset();
	pid = fork();
	if (pid == 0) {
		sigset_t empty;
		pid_t g;
		int st;

		if (setpgid(0, 0) != 0 || handle(SIGUSR1, on_count, NULL, 0))
			_exit(2);
		mask_one(SIG_BLOCK, SIGUSR1);
		sigemptyset(&empty);
		g = fork();
		if (g == 0) {
			sigsuspend(&empty);
			_exit(hits == 1 ? 0 : 1);
		}
		if (g < 0 || kill(0, SIGUSR1) != 0)
			_exit(3);
		sigsuspend(&empty);
		if (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			_exit(4);
		_exit(hits == 1 ? 0 : 5);
	}
	return want_exit("the group leader (4: the other member missed it, 5: the sender missed it)", pid, 0);
}

static int check_abort(void)
{
	pid_t pid;

	reset();
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 0, 0 };
		setrlimit(RLIMIT_CORE, &rl);
		abort();
	}
	return want_signal("a child calling abort()", pid, SIGABRT);
}

static const struct check checks[] = {
	{ "handler-runs", check_handler_runs },
	{ "siginfo-kill", check_siginfo_kill },
	{ "segv-siginfo", check_segv_siginfo },
	{ "sigprocmask", check_sigprocmask },
	{ "sigaction-errors", check_sigaction_errors },
	{ "sigaction-roundtrip", check_sigaction_roundtrip },
	{ "handler-mask", check_handler_mask },
	{ "resethand-ignore", check_resethand_ignore },
	{ "kill-errors", check_kill_errors },
	{ "sigchld", check_sigchld },
	{ "sigchld-ignored", check_sigchld_ignored },
	{ "nocldwait", check_nocldwait },
	{ "sigsuspend", check_sigsuspend },
	{ "wait-with-mask", check_wait_with_mask },
	{ "eintr", check_eintr },
	{ "restart", check_restart },
	{ "sigaltstack", check_sigaltstack },
	{ "altstack-overflow", check_altstack_overflow },
	{ "altstack-bottom", check_altstack_bottom },
	{ "regs-preserved", check_regs_preserved },
	{ "exec-dispositions", check_exec_dispositions },
	{ "fork-inherit", check_fork_inherit },
	{ "kill-pgrp", check_kill_pgrp },
	{ "abort", check_abort },
};

int main(int argc, char **argv)
{
	int status;

	if (argc == 2 && strcmp(argv[1], "--sigstate") == 0)
		return sigstate();
	if (argv[0] && strchr(argv[0], '/'))
		self = argv[0];
	c_isolate = 1;
	status = run_checks("signals", checks, NELEMS(checks), argc, argv);
	reset();
	return status;
}
