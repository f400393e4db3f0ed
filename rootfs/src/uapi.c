// SPDX-License-Identifier: MIT
// The Linux ABI's encodings end to end: wait statuses, waitid and SIGCHLD's si_code/si_status, sigprocmask's how and size, the signal range.
#include <stdint.h>
#include <sys/syscall.h>
#include "checks.h"

/*
 * The kernel keeps each of these in one header (kernel/uapi/) and
 * decodes a wait status in one place; these checks pin the values user
 * space sees: an exit code keeps only its low 8 bits, a death by a
 * signal reads CLD_KILLED with the signal as si_status (in waitid and in
 * SIGCHLD's siginfo alike), rt_sigprocmask takes exactly SIG_BLOCK,
 * SIG_UNBLOCK, SIG_SETMASK and an 8-byte set, and signals are 1..64.
 */
#define WAIT_MS 2000
#define KSIGSET_BYTES 8    /* the kernel's sigset_t: 64 signals */
#define LAST_SIGNAL 64     /* _NSIG - 1 on x86_64 */

static volatile sig_atomic_t hits, got_code, got_status, got_pid;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	hits++;
	got_code = si->si_code;
	got_status = si->si_status;
	got_pid = si->si_pid;
}

/* fork a child that ends with _exit(code), or by signal sig when sig != 0. */
static pid_t spawn(int code, int sig)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (sig)
			kill(getpid(), sig);
		_exit(code);
	}
	return pid;
}

/* exit(300) reports 300 & 0xff = 44: WIFEXITED, WEXITSTATUS 44, the word exactly 44 << 8. */
static int check_exit_low_byte(void)
{
	int st;
	pid_t pid = spawn(300, 0);

	if (pid < 0)
		return fail("fork: %s", errname(errno));
	if (wait_child(pid, WAIT_MS, &st))
		return CHECK_FAIL;
	if (!WIFEXITED(st) || WIFSIGNALED(st) || WEXITSTATUS(st) != 44 || st != 44 << 8)
		return fail("status %#x, want %#x (exited, code 44)", st, 44 << 8);
	return CHECK_OK;
}

/* A death by SIGTERM: WIFSIGNALED, WTERMSIG 15, no core flag, the word exactly 15. */
static int check_killed_status(void)
{
	int st;
	pid_t pid = spawn(0, SIGTERM);

	if (pid < 0)
		return fail("fork: %s", errname(errno));
	if (wait_child(pid, WAIT_MS, &st))
		return CHECK_FAIL;
	if (!WIFSIGNALED(st) || WIFEXITED(st) || WTERMSIG(st) != SIGTERM || WCOREDUMP(st) ||
	    st != SIGTERM)
		return fail("status %#x, want %#x (killed by SIGTERM)", st, SIGTERM);
	return CHECK_OK;
}

/* waitid: CLD_EXITED with the exit code, CLD_KILLED with the signal. */
static int check_waitid_codes(void)
{
	static const struct { int code, sig, want_code, want_status; } cases[] = {
		{ 7, 0, CLD_EXITED, 7 },
		{ 0x1ff, 0, CLD_EXITED, 0xff },
		{ 0, SIGTERM, CLD_KILLED, SIGTERM },
		{ 0, SIGKILL, CLD_KILLED, SIGKILL },
	};

	for (size_t i = 0; i < NELEMS(cases); i++) {
		siginfo_t si;
		pid_t pid = spawn(cases[i].code, cases[i].sig);

		if (pid < 0)
			return fail("fork: %s", errname(errno));
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, pid, &si, WEXITED) != 0)
			return fail("waitid: %s", errname(errno));
		if (si.si_pid != pid || si.si_signo != SIGCHLD || si.si_code != cases[i].want_code ||
		    si.si_status != cases[i].want_status)
			return fail("case %zu: pid %d signo %d code %d status %d, want %d %d %d %d", i,
				    si.si_pid, si.si_signo, si.si_code, si.si_status, pid, SIGCHLD,
				    cases[i].want_code, cases[i].want_status);
	}
	return CHECK_OK;
}

/* SIGCHLD's siginfo for a child killed by SIGTERM: CLD_KILLED, si_status SIGTERM. */
static int check_sigchld_killed(void)
{
	struct sigaction sa = { 0 }, old;
	sigset_t block, orig;
	long long t0;
	pid_t pid;
	int st, r = CHECK_OK;

	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigaction(SIGCHLD, &sa, &old);
	hits = 0;
	pid = spawn(0, SIGTERM);
	if (pid < 0) {
		r = fail("fork: %s", errname(errno));
		goto out;
	}
	for (t0 = now_ms(); !hits && now_ms() - t0 < WAIT_MS;) {
		sigset_t none;

		sigemptyset(&none);
		sigsuspend(&none);
	}
	if (wait_child(pid, WAIT_MS, &st))
		r = CHECK_FAIL;
	else if (hits != 1 || got_pid != pid || got_code != CLD_KILLED || got_status != SIGTERM)
		r = fail("%d SIGCHLD, pid %d code %d status %d, want 1, %d CLD_KILLED (%d) %d",
			 (int)hits, (int)got_pid, (int)got_code, (int)got_status, pid, CLD_KILLED, SIGTERM);
out:
	sigaction(SIGCHLD, &old, NULL);
	sigprocmask(SIG_SETMASK, &orig, NULL);
	return r;
}

static long sigprocmask_raw(long how, const uint64_t *set, uint64_t *old, long size)
{
	return syscall(SYS_rt_sigprocmask, how, set, old, size);
}

/* rt_sigprocmask: BLOCK adds, UNBLOCK removes, SETMASK replaces; any other how
 * or a size other than 8 is EINVAL; SIGKILL and SIGSTOP never stay blocked. */
static int check_sigprocmask_how(void)
{
	uint64_t orig, cur, usr1 = 1ull << (SIGUSR1 - 1), usr2 = 1ull << (SIGUSR2 - 1);
	uint64_t kill_stop = (1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1));
	int r = CHECK_OK;

	if (sigprocmask_raw(SIG_SETMASK, NULL, &orig, KSIGSET_BYTES) != 0)
		return fail("read the mask: %s", errname(errno));
	uint64_t base = orig & ~(usr1 | usr2);
	errno = 0;
	if ((r = want_err("how 3", sigprocmask_raw(3, &usr1, NULL, KSIGSET_BYTES), EINVAL)))
		goto out;
	errno = 0;
	if ((r = want_err("size 4", sigprocmask_raw(SIG_BLOCK, &usr1, NULL, 4), EINVAL)))
		goto out;
	sigprocmask_raw(SIG_SETMASK, &base, NULL, KSIGSET_BYTES);
	sigprocmask_raw(SIG_BLOCK, &usr1, NULL, KSIGSET_BYTES);
	sigprocmask_raw(SIG_BLOCK, &usr2, &cur, KSIGSET_BYTES);
	if (cur != (base | usr1)) {
		r = fail("after BLOCK USR1 the mask is %#llx, want %#llx", (unsigned long long)cur,
			 (unsigned long long)(base | usr1));
		goto out;
	}
	sigprocmask_raw(SIG_UNBLOCK, &usr1, NULL, KSIGSET_BYTES);
	sigprocmask_raw(SIG_SETMASK, NULL, &cur, KSIGSET_BYTES);
	if (cur != (base | usr2)) {
		r = fail("after UNBLOCK USR1 the mask is %#llx, want %#llx", (unsigned long long)cur,
			 (unsigned long long)(base | usr2));
		goto out;
	}
	uint64_t all = ~0ull;
	sigprocmask_raw(SIG_SETMASK, &all, NULL, KSIGSET_BYTES);
	sigprocmask_raw(SIG_SETMASK, NULL, &cur, KSIGSET_BYTES);
	if (cur & kill_stop)
		r = fail("SETMASK all blocked SIGKILL or SIGSTOP: %#llx", (unsigned long long)cur);
out:
	sigprocmask_raw(SIG_SETMASK, &orig, NULL, KSIGSET_BYTES);
	return r;
}

/* Signals are 1..64: rt_sigaction and kill take 64, refuse 0 (sigaction) and 65. */
static int check_signal_range(void)
{
	struct { uint64_t handler, flags, restorer, mask; } ign = { (uint64_t)SIG_IGN, 0, 0, 0 }, old;
	int r;

	errno = 0;
	if ((r = want_err("rt_sigaction(65)",
			  syscall(SYS_rt_sigaction, LAST_SIGNAL + 1, &ign, NULL, KSIGSET_BYTES), EINVAL)))
		return r;
	errno = 0;
	if ((r = want_err("rt_sigaction(0)", syscall(SYS_rt_sigaction, 0, &ign, NULL, KSIGSET_BYTES),
			  EINVAL)))
		return r;
	errno = 0;
	if ((r = want_err("kill(self, 65)", kill(getpid(), LAST_SIGNAL + 1), EINVAL)))
		return r;
	if (syscall(SYS_rt_sigaction, LAST_SIGNAL, &ign, &old, KSIGSET_BYTES) != 0)
		return fail("rt_sigaction(64): %s", errname(errno));
	r = want_eq("kill(self, 64) while ignored", kill(getpid(), LAST_SIGNAL), 0);
	syscall(SYS_rt_sigaction, LAST_SIGNAL, &old, NULL, KSIGSET_BYTES);
	return r;
}

static const struct check checks[] = {
	{ "exit-low-byte", check_exit_low_byte },
	{ "killed-status", check_killed_status },
	{ "waitid-codes", check_waitid_codes },
	{ "sigchld-killed", check_sigchld_killed },
	{ "sigprocmask-how", check_sigprocmask_how },
	{ "signal-range", check_signal_range },
};

int main(int argc, char **argv)
{
	return run_checks("uapi", checks, NELEMS(checks), argc, argv);
}
