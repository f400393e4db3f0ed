// SPDX-License-Identifier: MIT
// clone's exit signal and wait's rules for clone children, as Linux's: a child sends its
// exit signal (CSIGNAL, 0: none) when it ends; one whose signal is not SIGCHLD is a clone
// child that wait4/waitid see only with __WCLONE or __WALL; __WNOTHREAD keeps to the
// calling thread's children; invalid options are EINVAL; SIGCHLD ignored reaps only the
// SIGCHLD children; waitid's WSTOPPED and WCONTINUED. (gVisor's wait_test.)
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "checks.h"

#ifndef __WNOTHREAD
#define __WNOTHREAD 0x20000000
#endif
#ifndef __WALL
#define __WALL 0x40000000
#endif
#ifndef __WCLONE
#define __WCLONE 0x80000000
#endif
#define SYS_CLONE3 435
#define EXIT_CODE 7
#define WAIT_MS 5000

/* A child by raw clone with exit signal sig (the low byte of the flags) that exits with EXIT_CODE. */
static pid_t clone_exit(int sig)
{
	long pid = syscall(SYS_clone, (unsigned long)sig, 0, 0, 0, 0);

	if (pid == 0)
		_exit(EXIT_CODE);
	return (pid_t)pid;
}

/* wait4(pid, options) for a child to end: its pid (or -1), its status in *st. */
static pid_t wait_opts(pid_t pid, int options, int *st)
{
	return (pid_t)syscall(SYS_wait4, pid, st, options, NULL);
}

/* Wait for sig (blocked by the caller) to be pending: 0, or -1 after WAIT_MS. */
static int take_signal(int sig)
{
	sigset_t set;
	struct timespec ts = { WAIT_MS / 1000, 0 };

	sigemptyset(&set);
	sigaddset(&set, sig);
	return sigtimedwait(&set, NULL, &ts) == sig ? 0 : -1;
}

static void block(int sig, int how)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(how, &set, NULL);
}

/* A clone child (exit signal SIGUSR1) sends SIGUSR1, is not seen without __WCLONE, is with it. */
static int check_clone_child(void)
{
	int st = 0, r = CHECK_OK;

	block(SIGUSR1, SIG_BLOCK);
	pid_t pid = clone_exit(SIGUSR1);
	if (pid < 0)
		r = fail("clone(SIGUSR1): %s", errname(errno));
	else if (take_signal(SIGUSR1) != 0)
		r = fail("no SIGUSR1 from the clone child's exit");
	else if ((errno = 0, want_err("wait4(clone child, WNOHANG)", wait_opts(pid, WNOHANG, &st), ECHILD)))
		r = CHECK_FAIL;
	else if (want_eq("wait4(clone child, __WCLONE)", wait_opts(pid, __WCLONE, &st), pid))
		r = CHECK_FAIL;
	else if (!WIFEXITED(st) || WEXITSTATUS(st) != EXIT_CODE)
		r = fail("status %#x, want exit %d", st, EXIT_CODE);
	if (r != CHECK_OK && pid > 0)
		wait_opts(pid, __WALL, &st);
	block(SIGUSR1, SIG_UNBLOCK);
	return r;
}

/* Exit signal 0: no signal at all, and still a clone child. */
static int check_exit_signal_zero(void)
{
	int st = 0, r = CHECK_OK;
	sigset_t pend;

	block(SIGCHLD, SIG_BLOCK);
	pid_t pid = clone_exit(0);
	if (pid < 0) {
		r = fail("clone(0): %s", errname(errno));
	} else if (want_eq("wait4(child, __WCLONE)", wait_opts(pid, __WCLONE, &st), pid)) {
		wait_opts(pid, __WALL, &st);
		r = CHECK_FAIL;
	} else if (sigpending(&pend) == 0 && sigismember(&pend, SIGCHLD)) {
		r = fail("SIGCHLD pending from a child with exit signal 0");
	}
	block(SIGCHLD, SIG_UNBLOCK);
	return r;
}

/* __WCLONE does not see a forked child; a clone(SIGCHLD) child is an ordinary one. */
static int check_wclone_hides_fork(void)
{
	int st = 0, r = CHECK_OK;
	pid_t pid = fork();

	if (pid == 0)
		_exit(EXIT_CODE);
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	ms_sleep(20);
	errno = 0;
	if (want_err("wait4(fork child, WNOHANG|__WCLONE)", wait_opts(pid, WNOHANG | __WCLONE, &st), ECHILD))
		r = CHECK_FAIL;
	if (want_eq("wait4(fork child)", wait_opts(pid, 0, &st), pid))
		return CHECK_FAIL;
	if (r != CHECK_OK)
		return r;
	pid = clone_exit(SIGCHLD);
	if (pid < 0)
		return fail("clone(SIGCHLD): %s", errname(errno));
	return want_eq("wait4(clone(SIGCHLD) child, 0)", wait_opts(pid, 0, &st), pid);
}

/* __WALL sees both kinds; wait4(-1, 0) only the ordinary one. */
static int check_wall(void)
{
	int st = 0, got = 0;

	block(SIGUSR1, SIG_BLOCK);
	pid_t a = clone_exit(SIGUSR1);
	pid_t b = fork();
	if (b == 0)
		_exit(EXIT_CODE);
	take_signal(SIGUSR1);
	block(SIGUSR1, SIG_UNBLOCK);
	if (a < 0 || b < 0)
		return fail("clone/fork: %s", errname(errno));
	if (want_eq("wait4(-1, 0)", wait_opts(-1, 0, &st), b))
		return wait_opts(-1, __WALL, &st), CHECK_FAIL;
	errno = 0;
	if (want_err("wait4(-1, WNOHANG) with only a clone child", wait_opts(-1, WNOHANG, &st), ECHILD))
		return wait_opts(-1, __WALL, &st), CHECK_FAIL;
	b = fork();
	if (b == 0)
		_exit(EXIT_CODE);
	for (int i = 0; i < 2; i++) {
		pid_t w = wait_opts(-1, __WALL, &st);
		if (w == a || w == b)
			got++;
	}
	return got == 2 ? CHECK_OK : fail("wait4(-1, __WALL) found %d of 2", got);
}

/* SIGCHLD ignored: a forked child is reaped at once, a clone child stays a zombie. */
static int check_ignored_sigchld(void)
{
	int st = 0, r = CHECK_OK;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;

	sigaction(SIGCHLD, &ign, &old);
	block(SIGUSR1, SIG_BLOCK);
	pid_t f = fork();
	if (f == 0)
		_exit(EXIT_CODE);
	pid_t c = clone_exit(SIGUSR1);
	take_signal(SIGUSR1);
	if (f < 0 || c < 0)
		r = fail("fork/clone: %s", errname(errno));
	else if (want_eq("wait4(clone child, __WCLONE)", wait_opts(c, __WCLONE, &st), c))
		r = CHECK_FAIL;
	else if ((errno = 0, want_err("wait4(fork child) (reaped)", wait_opts(f, 0, &st), ECHILD)))
		r = CHECK_FAIL;
	block(SIGUSR1, SIG_UNBLOCK);
	sigaction(SIGCHLD, &old, NULL);
	return r;
}

/* Options beyond Linux's are EINVAL; waitid needs WEXITED, WSTOPPED or WCONTINUED. */
static int check_bad_options(void)
{
	siginfo_t si;
	int st;

	errno = 0;
	if (want_err("wait4(-1, WEXITED)", wait_opts(-1, WEXITED, &st), EINVAL))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("wait4(-1, 0x10)", wait_opts(-1, 0x10, &st), EINVAL))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("waitid(P_ALL, 0)", syscall(SYS_waitid, P_ALL, 0, &si, 0, NULL), EINVAL))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("waitid(P_ALL, WEXITED|0x10)", syscall(SYS_waitid, P_ALL, 0, &si, WEXITED | 0x10, NULL),
		     EINVAL))
		return CHECK_FAIL;
	errno = 0;
	return want_err("waitid(P_ALL, WSTOPPED|WNOHANG) without children",
			syscall(SYS_waitid, P_ALL, 0, &si, WSTOPPED | WNOHANG, NULL), ECHILD);
}

/* waitid(WSTOPPED) does not count a zombie: ECHILD; WEXITED reaps it. */
static int check_waitid_no_wexited(void)
{
	siginfo_t si;
	pid_t pid = fork();

	if (pid == 0)
		_exit(EXIT_CODE);
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	ms_sleep(50);
	errno = 0;
	int r = want_err("waitid(P_PID, zombie, WSTOPPED)", syscall(SYS_waitid, P_PID, pid, &si, WSTOPPED, NULL),
			 ECHILD);
	if (want_ok("waitid(WEXITED)", syscall(SYS_waitid, P_PID, pid, &si, WEXITED, NULL)))
		return CHECK_FAIL;
	return r;
}

/* waitid's CLD_STOPPED and CLD_CONTINUED, kept by WNOWAIT. */
static int check_waitid_stop_cont(void)
{
	siginfo_t si;
	int st, r = CHECK_OK;
	pid_t pid = fork();

	if (pid == 0) {
		raise(SIGSTOP);
		for (;;)
			pause();
	}
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	memset(&si, 0, sizeof(si));
	if (want_ok("waitid(WSTOPPED|WNOWAIT)", syscall(SYS_waitid, P_PID, pid, &si, WSTOPPED | WNOWAIT, NULL)))
		r = CHECK_FAIL;
	else if (si.si_code != CLD_STOPPED || si.si_status != SIGSTOP || si.si_pid != pid)
		r = fail("WNOWAIT: code %d status %d pid %d", si.si_code, si.si_status, (int)si.si_pid);
	else if (memset(&si, 0, sizeof(si)),
		 want_ok("waitid(WSTOPPED)", syscall(SYS_waitid, P_PID, pid, &si, WSTOPPED | WNOHANG, NULL)))
		r = CHECK_FAIL;
	else if (si.si_code != CLD_STOPPED || si.si_pid != pid)
		r = fail("WSTOPPED after WNOWAIT: code %d pid %d", si.si_code, (int)si.si_pid);
	else if (kill(pid, SIGCONT) != 0 ||
		 want_ok("waitid(WCONTINUED)", syscall(SYS_waitid, P_PID, pid, &si, WCONTINUED, NULL)))
		r = CHECK_FAIL;
	else if (si.si_code != CLD_CONTINUED || si.si_status != SIGCONT)
		r = fail("WCONTINUED: code %d status %d", si.si_code, si.si_status);
	kill(pid, SIGKILL);
	wait_opts(pid, 0, &st);
	return r;
}

static int pipe_a[2], pipe_b[2];

/* A second thread: fork a child, tell its pid, wait for the word, wait for it with __WNOTHREAD. */
static void *forker(void *arg)
{
	int st;
	pid_t pid = fork();

	(void)arg;
	if (pid == 0)
		_exit(EXIT_CODE);
	if (write(pipe_a[1], &pid, sizeof(pid)) != sizeof(pid) || read(pipe_b[0], &st, 1) != 1)
		return (void *)(intptr_t)-1;
	return (void *)(intptr_t)wait_opts(pid, __WNOTHREAD, &st);
}

/* __WNOTHREAD: the child of another thread is not the caller's; its forker's it is. */
static int check_wnothread(void)
{
	pthread_t th;
	pid_t pid = -1;
	void *ret = NULL;
	int st, r = CHECK_OK;

	if (pipe(pipe_a) || pipe(pipe_b))
		return fail("pipe: %s", errname(errno));
	if (pthread_create(&th, NULL, forker, NULL) != 0)
		return fail("pthread_create");
	if (read(pipe_a[0], &pid, sizeof(pid)) != sizeof(pid) || pid < 0) {
		r = fail("no pid from the thread");
	} else {
		ms_sleep(20);
		errno = 0;
		r = want_err("wait4(sibling's child, __WNOTHREAD|WNOHANG)",
			     wait_opts(pid, __WNOTHREAD | WNOHANG, &st), ECHILD);
	}
	if (write(pipe_b[1], "x", 1) != 1)
		r = fail("write: %s", errname(errno));
	pthread_join(th, &ret);
	if (r == CHECK_OK && (pid_t)(intptr_t)ret != pid)
		r = fail("the forking thread's wait4(__WNOTHREAD) returned %ld", (long)(intptr_t)ret);
	close(pipe_a[0]), close(pipe_a[1]), close(pipe_b[0]), close(pipe_b[1]);
	return r;
}

/* clone3's exit_signal beyond the signals is EINVAL. */
static int check_clone3_exit_signal(void)
{
	uint64_t args[8] = { 0 }; /* flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls */

	args[4] = 65;
	errno = 0;
	long r = syscall(SYS_CLONE3, args, sizeof(args));
	if (r == 0)
		_exit(0);
	if (r > 0) {
		int st;
		wait_opts((pid_t)r, __WALL, &st);
	}
	if (r == -1 && errno == ENOSYS)
		return skip("no clone3");
	return want_err("clone3(exit_signal 65)", r, EINVAL);
}

static const struct check checks[] = {
	{ "clone-child", check_clone_child },
	{ "exit-signal-zero", check_exit_signal_zero },
	{ "wclone-hides-fork", check_wclone_hides_fork },
	{ "wall", check_wall },
	{ "ignored-sigchld", check_ignored_sigchld },
	{ "bad-options", check_bad_options },
	{ "waitid-no-wexited", check_waitid_no_wexited },
	{ "waitid-stop-cont", check_waitid_stop_cont },
	{ "wnothread", check_wnothread },
	{ "clone3-exit-signal", check_clone3_exit_signal },
};

int main(int argc, char **argv)
{
	return run_checks("conform_wait", checks, NELEMS(checks), argc, argv);
}
