// SPDX-License-Identifier: MIT
// Hostile process management: vfork with auto-reaping, reparented zombies, killing a vfork parent, kill(1), TIOCSPGRP, WCOREDUMP, fork bombs.
#include <sched.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include "checks.h"

/*
 * Each check is one /etc/selftest line (t-prochostile NAME), and each is
 * the regression program of a way a ring-3 program could crash, hang or
 * exhaust Kestrel (issue 9): on the unfixed kernel the first two freed a
 * process twice or used it after freeing it, the third hung the vfork
 * parent until its child went on, kill(1, SIGKILL) powered the machine
 * off, and a fork bomb had no limit.
 *
 * On Linux (the build machine runs these binaries too) the checks that
 * would touch the host itself skip: kill-init does not signal the host's
 * pid 1 (a sandbox may not protect it as Linux does), and forkbomb-nolimit
 * does not run (root is exempt from RLIMIT_NPROC there, so nothing but
 * memory would stop it). forkbomb bounds itself on Linux with a shared
 * count of forks, since root's forks ignore RLIMIT_NPROC there.
 */
extern char **environ;

/* on_linux: true on Linux (the build machine), false on Kestrel. */
static int on_linux(void)
{
	return !on_kestrel();
}

/* shared_page: an anonymous page shared with the children forked after (NULL on failure). */
static void *shared_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* fork_exec_true: the system still forks and execs: /bin/true exits 0. */
static int fork_exec_true(const char *when)
{
	char *argv[] = { "true", NULL };
	char what[80];
	pid_t pid = fork();

	if (pid == 0) {
		execve("/bin/true", argv, environ);
		_exit(127);
	}
	snprintf(what, sizeof(what), "fork + execve(/bin/true) %s (127: exec failed)", when);
	return want_exit(what, pid, 0);
}

/*
 * vfork-autoreap: with SIGCHLD ignored, every vfork child is freed by the
 * kernel as it ends; the parent still has to learn that it ended (or
 * exec'd). Half the children exit at once, half exec /bin/true.
 */
#define VFORK_ROUNDS 200

static void vfork_autoreap_child(void)
{
	char *argv[] = { "true", NULL };

	signal(SIGCHLD, SIG_IGN);
	for (int i = 0; i < VFORK_ROUNDS; i++) {
		pid_t c = vfork();
		if (c == 0) {
			if (i & 1)
				execve("/bin/true", argv, environ);
			_exit(0);
		}
		if (c < 0)
			_exit(2);
	}
	/* Ignored SIGCHLD: wait blocks until every child is gone, then ECHILD. */
	while (wait(NULL) != -1 || errno == EINTR)
		;
	_exit(errno == ECHILD ? 0 : 3);
}

static int check_vfork_autoreap(void)
{
	pid_t pid = fork();

	if (pid == 0)
		vfork_autoreap_child();
	if (want_exit("the vforking child (2: vfork failed, 3: wait not ECHILD)", pid, 0))
		return CHECK_FAIL;
	return fork_exec_true("after the vforks");
}

/*
 * reparent: a parent that ignores SIGCHLD has zombies queued to be freed
 * when it exits itself, and its children have children of their own: the
 * zombies go to init (or nobody, on Kestrel before init) while the kernel
 * is freeing them. None may be freed twice.
 */
#define REPARENT_ROUNDS   20
#define REPARENT_CHILDREN 12

static void reparent_parent(void)
{
	signal(SIGCHLD, SIG_IGN);
	for (int i = 0; i < REPARENT_CHILDREN; i++) {
		pid_t c = fork();
		if (c == 0) {
			if (i % 3 == 0 && fork() == 0)
				_exit(0);	/* a grandchild: orphaned as its parent ends */
			_exit(0);
		}
		if (c < 0)
			_exit(2);
	}
	sched_yield();	/* let the children end before this one does */
	_exit(0);
}

static int check_reparent(void)
{
	for (int r = 0; r < REPARENT_ROUNDS; r++) {
		pid_t pid = fork();
		if (pid == 0)
			reparent_parent();
		if (want_exit("the parent of the zombies (2: fork failed)", pid, 0))
			return CHECK_FAIL;
	}
	return fork_exec_true("after the reparented zombies");
}

/*
 * vfork-signal: Linux's vfork wait is killable: SIGKILL, or a signal whose
 * default action ends the process, ends the parent at once while its child
 * still sleeps before exec; a signal with a handler waits until the child
 * has ended (the handler must not run on the child's stack in the shared
 * memory). The child reports its pid through a pipe, then sleeps.
 */
#define VFORK_CHILD_SLEEP_MS 1500
#define VFORK_KILL_WITHIN_MS 700

static volatile int *child_done;
static volatile int handler_saw_done = -1;

static void on_usr1(int sig)
{
	(void)sig;
	handler_saw_done = *child_done;
}

/* The vfork parent: its child writes its pid to fd, sleeps, marks itself done and exits. */
static void vfork_signal_parent(int fd)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	pid_t c = vfork();
	if (c == 0) {
		pid_t me = getpid();
		if (write(fd, &me, sizeof(me)) != sizeof(me))
			_exit(1);
		ms_sleep(VFORK_CHILD_SLEEP_MS);
		*child_done = 1;
		_exit(0);
	}
	if (c < 0)
		_exit(2);
	/* SIGUSR1 only: the handler ran once the child was done, not before */
	_exit(handler_saw_done == 1 ? 0 : 10 + handler_saw_done);
}

/* One vfork parent sent sig while its child sleeps; how it ended in *st, and how long it took. */
static int vfork_signal_one(int sig, int *st, long long *ms)
{
	int p[2];
	pid_t pid, child = 0;

	*child_done = 0;
	if (pipe(p) != 0)
		return fail("pipe: %s", errname(errno));
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		vfork_signal_parent(p[1]);
	}
	close(p[1]);
	ssize_t n = read(p[0], &child, sizeof(child));
	close(p[0]);
	if (pid < 0 || n != sizeof(child))
		return fail("the vfork parent did not start its child (fork: %d, read: %zd)", (int)pid, n);
	ms_sleep(100);	/* the parent is asleep in vfork by now */
	long long t0 = now_ms();
	kill(pid, sig);
	if (wait_child(pid, 5000, st) != CHECK_OK)
		return CHECK_FAIL;
	*ms = now_ms() - t0;
	return CHECK_OK;
}

static int check_vfork_signal(void)
{
	static const int fatal[] = { SIGKILL, SIGTERM };
	long long ms;
	int st;

	child_done = shared_page();
	if (!child_done)
		return fail("mmap(MAP_SHARED): %s", errname(errno));
	for (size_t i = 0; i < NELEMS(fatal); i++) {
		if (vfork_signal_one(fatal[i], &st, &ms))
			return CHECK_FAIL;
		if (!WIFSIGNALED(st) || WTERMSIG(st) != fatal[i])
			return fail("vfork parent sent signal %d: status %#x, want killed by it", fatal[i], st);
		if (ms > VFORK_KILL_WITHIN_MS)
			return fail("vfork parent sent signal %d died after %lld ms, want < %d (the child sleeps %d)",
				    fatal[i], ms, VFORK_KILL_WITHIN_MS, VFORK_CHILD_SLEEP_MS);
	}
	if (vfork_signal_one(SIGUSR1, &st, &ms))
		return CHECK_FAIL;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return fail("vfork parent sent SIGUSR1: status %#x, want exit 0 (10: handler ran before "
			    "the child was done, 9: never ran)", st);
	if (ms < VFORK_CHILD_SLEEP_MS / 2)
		return fail("vfork parent sent SIGUSR1 returned after %lld ms, before its child was done", ms);
	remark("SIGKILL and SIGTERM end the wait, SIGUSR1 waits for the child");
	return fork_exec_true("after the vfork parents");
}

/*
 * kill-init: kill(1, SIGKILL) from another process returns 0 and nothing
 * happens (Linux: init gets only the signals it has handlers for). As pid
 * 1 itself (a boot test runs this with init=/bin/t-prochostile), a child
 * sends SIGKILL, SIGTERM and SIGSTOP, then SIGUSR1, which init handles.
 * Otherwise, on Kestrel only, this process signals the running init.
 */
static volatile sig_atomic_t got_usr1;

static void on_usr1_count(int sig)
{
	(void)sig;
	got_usr1++;
}

/* The signals init must survive, sent from this process: 0 or the signal whose kill failed. */
static int kill_init_sends(void)
{
	static const int sigs[] = { SIGKILL, SIGTERM, SIGSTOP, SIGINT, SIGSEGV };

	for (size_t i = 0; i < NELEMS(sigs); i++)
		if (kill(1, sigs[i]) != 0)
			return sigs[i];
	return 0;
}

static int kill_init_as_init(void)
{
	struct sigaction sa;
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1_count;
	sigaction(SIGUSR1, &sa, NULL);
	pid = fork();
	if (pid == 0)
		_exit(kill_init_sends() || kill(1, SIGUSR1) != 0 ? 1 : 0);
	if (want_exit("the child signalling init (1: a kill failed)", pid, 0))
		return CHECK_FAIL;
	for (int i = 0; i < 100 && !got_usr1; i++)
		ms_sleep(10);
	if (got_usr1 != 1)
		return fail("init's SIGUSR1 handler ran %d times, want 1", (int)got_usr1);
	remark("pid 1 survived SIGKILL, SIGTERM, SIGSTOP, SIGINT and SIGSEGV; SIGUSR1 reached its handler");
	return CHECK_OK;
}

static int check_kill_init(void)
{
	if (getpid() == 1)
		return kill_init_as_init();
	if (on_linux())
		return skip("not sending SIGKILL to the build machine's pid 1 (a container or sandbox "
			    "may not protect it as Linux does); the boot test kill-init runs this as pid 1");
	if (kill(1, 0) != 0)
		return skip("no pid 1 (%s): the self-test runs before init; the boot test kill-init "
			    "runs this as pid 1", errname(errno));
	int sig = kill_init_sends();
	if (sig)
		return fail("kill(1, %d): %s, want 0", sig, errname(errno));
	ms_sleep(50);
	if (want_eq("kill(1, 0) after SIGKILL", kill(1, 0), 0))
		return CHECK_FAIL;
	return fork_exec_true("after signalling init");
}

/*
 * tiocspgrp: as Linux, TIOCSPGRP takes only a process group of the
 * caller's own session: another session's is EPERM, a number nothing
 * uses ESRCH, a negative one EINVAL; and a process of another session
 * gets ENOTTY (not its controlling terminal). Needs the controlling
 * terminal on stdin or /dev/tty (skips without, as on CI).
 */
static int tty_open(void)
{
	if (isatty(0))
		return 0;
	return open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
}

/* A child in a new session (it pauses until killed); its pid, or -1. */
static pid_t other_session(int fd)
{
	int p[2];
	char r = 0;
	pid_t pid;

	if (pipe(p) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int pg = getpgrp();
		close(p[0]);
		r = setsid() < 0 ? 'S' : ioctl(fd, TIOCSPGRP, &pg) == 0 ? 'A' :
		    errno == ENOTTY ? 'T' : 'E';
		if (write(p[1], &r, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (pid > 0 && (read(p[0], &r, 1) != 1 || r != 'T')) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		errno = r == 'A' ? 0 : r == 'E' ? EINVAL : ESRCH;
		pid = -2;
	}
	close(p[0]);
	return pid;
}

/* A pid nothing uses: a child that has been reaped (Linux does not reuse a pid at once). */
static pid_t unused_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return pid;
}

static int tiocspgrp_checks(int fd, pid_t fg)
{
	pid_t other = other_session(fd), gone = unused_pid();
	int r = CHECK_OK, neg = -5, own = getpgrp();

	if (other == -2)
		return fail("a process of another session: TIOCSPGRP not ENOTTY (%s)", errname(errno));
	if (other < 0 || gone < 0)
		return fail("fork: %s", errname(errno));
	errno = 0;
	if (want_err("TIOCSPGRP(another session's group)", ioctl(fd, TIOCSPGRP, &other), EPERM))
		r = CHECK_FAIL;
	errno = 0;
	if (!r && want_err("TIOCSPGRP(an unused pid)", ioctl(fd, TIOCSPGRP, &gone), ESRCH))
		r = CHECK_FAIL;
	errno = 0;
	if (!r && want_err("TIOCSPGRP(-5)", ioctl(fd, TIOCSPGRP, &neg), EINVAL))
		r = CHECK_FAIL;
	if (!r && want_eq("TIOCSPGRP(own group)", ioctl(fd, TIOCSPGRP, &own), 0))
		r = CHECK_FAIL;
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
	ioctl(fd, TIOCSPGRP, &fg);
	return r;
}

static int check_tiocspgrp(void)
{
	int fd = tty_open(), fg;

	if (fd < 0)
		return skip("no terminal (stdin is not one, no /dev/tty)");
	signal(SIGTTOU, SIG_IGN);	/* a background group may set the foreground group too */
	if (ioctl(fd, TIOCGPGRP, &fg) != 0) {
		int e = errno;
		if (fd != 0)
			close(fd);
		return skip("TIOCGPGRP: %s: not our controlling terminal", errname(e));
	}
	int r = tiocspgrp_checks(fd, fg);
	if (fd != 0)
		close(fd);
	return r;
}

/*
 * coredump-flag: a crash writes no core file on Kestrel (and none here:
 * RLIMIT_CORE 0, not dumpable), so the wait status never says WCOREDUMP
 * and waitid says CLD_KILLED, not CLD_DUMPED; busybox sh then prints
 * "Segmentation fault" without "(core dumped)".
 */
static void no_core(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);	/* also for a core_pattern pipe */
}

static int check_coredump_flag(void)
{
	static const int sigs[] = { SIGSEGV, SIGQUIT, SIGABRT };
	siginfo_t si;
	int st;

	pid_t pid = fork();
	if (pid == 0) {
		no_core();
		*(volatile int *)0 = 1;
		_exit(1);
	}
	if (pid < 0 || wait_child(pid, 5000, &st) != CHECK_OK)
		return pid < 0 ? fail("fork: %s", errname(errno)) : CHECK_FAIL;
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSEGV || WCOREDUMP(st))
		return fail("a segfault: status %#x, want signal 11 without WCOREDUMP (0x80)", st);
	for (size_t i = 0; i < NELEMS(sigs); i++) {
		pid = fork();
		if (pid == 0) {
			no_core();
			for (;;)
				pause();
		}
		if (pid < 0)
			return fail("fork: %s", errname(errno));
		kill(pid, sigs[i]);
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, pid, &si, WEXITED) != 0)
			return fail("waitid: %s", errname(errno));
		if (si.si_code != CLD_KILLED || si.si_status != sigs[i])
			return fail("signal %d: waitid code %d status %d, want CLD_KILLED (%d) and the signal",
				    sigs[i], si.si_code, si.si_status, CLD_KILLED);
	}
	return CHECK_OK;
}

/*
 * forkbomb: every process forks as fast as it can, and its children do the
 * same, until a fork fails; then no one forks any more, each waits for its
 * children and exits. The bomb ends, the machine still forks and execs.
 * With a limit, the bomb sets RLIMIT_NPROC to BOMB_LIMIT and must see
 * EAGAIN; on Linux root is exempt, so there the tree's shape bounds it
 * (BOMB_FANOUT children each, BOMB_DEPTH generations: 340 forks). Without
 * (forkbomb-nolimit, Kestrel only, a far bigger tree; the boot test
 * forkbomb-shell runs it), the default limits must stop it with EAGAIN
 * (or ENOMEM), and never panic.
 *
 * The processes share no memory (a fork copies it): the first failure
 * writes a byte to the stop pipe, which everyone polls before forking;
 * each process writes its record (forks, errno) to the result pipe as it
 * exits, and the end of that pipe proves every bomb process is gone.
 */
#define BOMB_LIMIT 64
#define BOMB_FANOUT 4
#define BOMB_DEPTH 4
#define NOLIMIT_FANOUT 16
#define NOLIMIT_DEPTH 6
#define BOMB_WAIT_MS 20000
#define BOMB_NOLIMIT_WAIT_MS 100000	/* tens of thousands of processes with 8 GiB */

struct bomb_record {
	int forks, err;
};

struct bomb_result {
	long procs, forks;
	int err;	/* a fork failure's errno, 0 if none failed */
};

static int bomb_stop[2], bomb_out[2];

static int bomb_stopped(void)
{
	struct pollfd pfd = { bomb_stop[0], POLLIN, 0 };

	return poll(&pfd, 1, 0) > 0;
}

static __attribute__((noreturn)) void bomb_run(int fanout, int depth)
{
	struct bomb_record rec = { 0, 0 };

	for (int i = 0; i < fanout && depth > 0 && !bomb_stopped(); i++) {
		pid_t c = fork();
		if (c == 0) {	/* the child joins the bomb, one generation down */
			rec.forks = 0;
			i = -1;
			depth--;
			continue;
		}
		if (c < 0) {
			rec.err = errno;
			if (write(bomb_stop[1], "!", 1) < 0) {
				/* full (O_NONBLOCK): the bomb is already stopping */
			}
			break;
		}
		rec.forks++;
	}
	while (wait(NULL) != -1 || errno == EINTR)
		;
	_exit(write(bomb_out[1], &rec, sizeof(rec)) == sizeof(rec) ? 0 : 1);
}

/* Read every record until the last bomb process is gone (end of file) or ms pass. */
static int bomb_collect(struct bomb_result *r, long ms)
{
	long long deadline = now_ms() + ms;
	struct bomb_record rec;
	struct pollfd pfd = { bomb_out[0], POLLIN, 0 };

	for (;;) {
		long left = (long)(deadline - now_ms());
		if (left <= 0)
			return fail("bomb processes still running after %ld ms (%ld ended)", ms, r->procs);
		if (poll(&pfd, 1, (int)(left < 1000 ? left : 1000)) < 0 && errno != EINTR)
			return fail("poll: %s", errname(errno));
		ssize_t n = read(bomb_out[0], &rec, sizeof(rec));
		if (n == 0)
			return CHECK_OK;
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n != sizeof(rec))
			return fail("a short record from the bomb (%zd bytes)", n);
		r->procs++;
		r->forks += rec.forks;
		if (rec.err && !r->err)
			r->err = rec.err;
	}
}

/* The first bomb process (a child: its limit, if any, is its own). */
static pid_t bomb_start(int limit, int fanout, int depth)
{
	struct rlimit rl = { (rlim_t)limit, (rlim_t)limit };
	pid_t pid = fork();

	if (pid == 0) {
		close(bomb_out[0]);
		if (limit && setrlimit(RLIMIT_NPROC, &rl) != 0)
			_exit(2);
		bomb_run(fanout, depth);
	}
	return pid;
}

static int bomb_pipes(void)
{
	if (pipe(bomb_stop) != 0 || pipe(bomb_out) != 0)
		return -1;
	fcntl(bomb_stop[0], F_SETFL, O_NONBLOCK);
	fcntl(bomb_stop[1], F_SETFL, O_NONBLOCK);
	fcntl(bomb_out[0], F_SETFL, O_NONBLOCK);
	return 0;
}

static void bomb_close(void)
{
	close(bomb_stop[0]);
	close(bomb_stop[1]);
	close(bomb_out[0]);
}

/* The verdict on a bomb that ended: how its forks stopped. */
static int bomb_judge(const struct bomb_result *r, int limit)
{
	if (r->procs != r->forks + 1)
		return fail("%ld processes reported, after %ld forks", r->procs, r->forks);
	remark("%ld forks, then %s", r->forks,
	       r->err ? errname(r->err) : "the tree's end (root ignores RLIMIT_NPROC on Linux)");
	if (r->err && r->err != EAGAIN && r->err != ENOMEM)
		return fail("the bomb's fork failed with %s, want EAGAIN (or ENOMEM)", errname(r->err));
	if (!r->err && !on_linux())
		return fail("%ld forks and %s never stopped the bomb", r->forks,
			    limit ? "RLIMIT_NPROC" : "the default limits");
	if (limit && r->err && r->err != EAGAIN)
		return fail("RLIMIT_NPROC %d: fork failed with %s, want EAGAIN", limit, errname(r->err));
	return CHECK_OK;
}

/* Free memory in MiB (sysinfo), for the remark. */
static long free_mib(void)
{
	struct sysinfo si;

	return sysinfo(&si) == 0 ? (long)(si.freeram * si.mem_unit >> 20) : -1;
}

static int run_bomb(int limit, int fanout, int depth, long ms)
{
	struct bomb_result r = { 0, 0, 0 };
	long before = free_mib();
	int st, c;

	if (bomb_pipes() != 0)
		return fail("pipe: %s", errname(errno));
	pid_t pid = bomb_start(limit, fanout, depth);
	close(bomb_out[1]);
	if (pid < 0) {
		bomb_close();
		return fail("fork: %s", errname(errno));
	}
	c = bomb_collect(&r, ms);
	bomb_close();
	if (wait_child(pid, c == CHECK_OK ? 5000 : 1, &st) != CHECK_OK || c != CHECK_OK)
		return CHECK_FAIL;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return fail("the bomb's first process: status %#x, want exit 0 (2: setrlimit failed)", st);
	if (bomb_judge(&r, limit))
		return CHECK_FAIL;
	snprintf(c_note + strlen(c_note), sizeof(c_note) - strlen(c_note),
		 "; free memory %ld MiB before, %ld MiB after", before, free_mib());
	return fork_exec_true("after the bomb");
}

static int check_forkbomb(void)
{
	return run_bomb(BOMB_LIMIT, BOMB_FANOUT, BOMB_DEPTH, BOMB_WAIT_MS);
}

static int check_forkbomb_nolimit(void)
{
	if (on_linux())
		return skip("Linux exempts root from RLIMIT_NPROC: an unbounded bomb would exhaust the host");
	return run_bomb(0, NOLIMIT_FANOUT, NOLIMIT_DEPTH, BOMB_NOLIMIT_WAIT_MS);
}

static const struct check checks[] = {
	{ "vfork-autoreap", check_vfork_autoreap },
	{ "reparent", check_reparent },
	{ "vfork-signal", check_vfork_signal },
	{ "kill-init", check_kill_init },
	{ "tiocspgrp", check_tiocspgrp },
	{ "coredump-flag", check_coredump_flag },
	{ "forkbomb", check_forkbomb },
	{ "forkbomb-nolimit", check_forkbomb_nolimit },
};

/* One check named: its lines start with that name, as the /etc/selftest
 * entry is called (so run-selftest-list.sh reports a skip as one). */
int main(int argc, char **argv)
{
	return run_checks(argc == 2 ? argv[1] : "prochostile", checks, NELEMS(checks), argc, argv);
}
