// SPDX-License-Identifier: MIT
// Processes: fork, vfork, execve (ELF and #!), wait4 status encoding, orphans, process groups, sessions.
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include "checks.h"

/*
 * Children end with _exit and report through their exit status (or a
 * pipe for values that do not fit), so a check reads one status. Every
 * wait has a deadline (wait_child), so a kernel whose wait never returns
 * fails the check instead of hanging the program.
 *
 * The program re-executes itself in two helper modes (argv[0], or
 * /bin/t-procs when argv[0] has no slash):
 *   t-procs --args ARG...  exits 0 when argv and envp are exactly those
 *                          check_execve_args passes
 *   t-procs --block        reads stdin to its end, then exits 0
 * Scripts and other scratch files go in /tmp/t-procs.PID. SIGPIPE is
 * ignored (and so in the children too, exec'd ones included).
 */
extern char **environ;

static const char *self = "/bin/t-procs";


/*
 * wait_flags: waitpid(PID, FLAGS) until it reports, within MS ms; the pid
 * it returned (or 0 on time-out, after which the child is killed).
 */
static pid_t wait_flags(pid_t pid, int flags, long ms, int *status)
{
	long long deadline = now_ms() + ms;
	pid_t r;

	while ((r = waitpid(pid, status, flags | WNOHANG)) == 0 || (r == -1 && errno == EINTR)) {
		if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			return 0;
		}
		ms_sleep(1);
	}
	return r;
}

/* no_core: the child is about to die by a signal; no core file on Linux (failure is fine). */
static void no_core(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
}

static int check_fork_exit(void)
{
	struct rusage ru;
	int st = 0;
	pid_t pid = fork(), r;

	if (pid == 0)
		_exit(42);
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	r = wait4(pid, &st, 0, &ru);
	if (r != pid)
		return fail("wait4 returned %d (%s), want %d", (int)r, errname(errno), (int)pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 42 || WIFSIGNALED(st) || st != 42 << 8)
		return fail("status %#x, want %#x (exited, code 42)", st, 42 << 8);
	return CHECK_OK;
}

/* Only the low 8 bits of the exit code survive. */
static int check_exit_codes(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(256 + 3);
	if (want_exit("_exit(259)", pid, 3))
		return CHECK_FAIL;
	pid = fork();
	if (pid == 0)
		_exit(-1);
	return want_exit("_exit(-1)", pid, 255);
}

/* The child has a copy of memory: it sees the parent's values, its writes stay its own. */
static int check_fork_memory(void)
{
	static volatile int value = 1;
	static char big[3 * 4096];
	pid_t pid;

	value = 7;
	memset(big, 'p', sizeof(big));
	pid = fork();
	if (pid == 0) {
		int ok = value == 7 && big[0] == 'p' && big[sizeof(big) - 1] == 'p';
		value = 99;
		memset(big, 'c', sizeof(big));
		_exit(ok && value == 99 && big[5000] == 'c' ? 0 : 1);
	}
	if (want_exit("the child (exit 1: it did not see the parent's memory)", pid, 0))
		return CHECK_FAIL;
	if (value != 7 || big[0] != 'p' || big[sizeof(big) - 1] != 'p')
		return fail("the child's writes reached the parent (value %d)", value);
	return CHECK_OK;
}

/* An fd inherited over fork shares the file offset. */
static int check_fork_fd_offset(void)
{
	int fd = open(P("off"), O_RDWR | O_CREAT | O_TRUNC, 0644), r;
	pid_t pid;

	if (fd < 0)
		return fail("open: %s", errname(errno));
	pid = fork();
	if (pid == 0)
		_exit(write(fd, "child", 5) == 5 ? 0 : 1);
	if (want_exit("the writing child", pid, 0)) {
		close(fd);
		return CHECK_FAIL;
	}
	r = want_eq("the parent's offset after the child's write", lseek(fd, 0, SEEK_CUR), 5);
	close(fd);
	return r;
}

static int check_wait_signaled(void)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		kill(getpid(), SIGTERM);
		_exit(0);
	}
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	if (wait_child(pid, 5000, &st))
		return CHECK_FAIL;
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGTERM || WIFEXITED(st) || st != SIGTERM)
		return fail("status %#x, want %#x (killed by SIGTERM)", st, SIGTERM);
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	if (pid > 0)
		kill(pid, SIGKILL);
	if (want_signal("a child sent SIGKILL", pid, SIGKILL))
		return CHECK_FAIL;
	pid = fork();
	if (pid == 0) {
		no_core();
		__asm__ volatile("movq 0, %%rax" ::: "rax", "memory");
		_exit(0);
	}
	return want_signal("a child reading address 0", pid, SIGSEGV);
}

/* A stopped child shows with WUNTRACED, a continued one with WCONTINUED. */
static int check_wait_stopped(void)
{
	int p[2], st = 0, r = CHECK_OK;
	pid_t pid;
	char c;

	if (pipe(p) != 0)
		return fail("pipe: %s", errname(errno));
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		kill(getpid(), SIGSTOP);
		_exit(read(p[0], &c, 1) == 1 ? 0 : 1);
	}
	close(p[0]);
	if (pid < 0)
		r = fail("fork: %s", errname(errno));
	else if (wait_flags(pid, WUNTRACED, 5000, &st) != pid)
		r = fail("waitpid(WUNTRACED) did not report the stop");
	else if (!WIFSTOPPED(st) || WSTOPSIG(st) != SIGSTOP || st != (SIGSTOP << 8 | 0x7f))
		r = fail("status %#x, want %#x (stopped by SIGSTOP)", st, SIGSTOP << 8 | 0x7f);
	else if (kill(pid, SIGCONT) != 0)
		r = fail("kill(SIGCONT): %s", errname(errno));
	else if (wait_flags(pid, WCONTINUED, 5000, &st) != pid)
		r = fail("waitpid(WCONTINUED) did not report the continue");
	else if (!WIFCONTINUED(st) || st != 0xffff)
		r = fail("status %#x, want 0xffff (continued)", st);
	if (write(p[1], "x", 1) != 1 && r == CHECK_OK)
		r = fail("write to the child: %s", errname(errno));
	close(p[1]);
	if (pid > 0 && want_exit("the continued child", pid, 0) && r == CHECK_OK)
		r = CHECK_FAIL;
	return r;
}

/* vfork: the parent waits until the child exits; the child ran in the parent's memory. */
static int check_vfork(void)
{
	static volatile int shared;
	static volatile long long child_done, parent_back;
	pid_t pid;

	shared = 0;
	pid = vfork();
	if (pid == 0) {
		ms_sleep(30);
		shared = 1;
		child_done = now_ms();
		_exit(7);
	}
	parent_back = now_ms();
	if (pid < 0)
		return fail("vfork: %s", errname(errno));
	if (want_exit("the vfork child", pid, 7))
		return CHECK_FAIL;
	if (shared != 1)
		return fail("the child's write is not in the parent's memory (vfork copied it?)");
	if (parent_back < child_done)
		return fail("the parent ran before the child's _exit");
	return CHECK_OK;
}

static int check_vfork_exec(void)
{
	char *argv[] = { "true", NULL }, *envp[] = { NULL };
	pid_t pid = vfork();

	if (pid == 0) {
		execve("/bin/true", argv, envp);
		_exit(127);
	}
	return want_exit("vfork + execve(/bin/true) (127: exec failed)", pid, 0);
}

static int check_execve_true(void)
{
	char *argv[] = { "true", NULL }, *envp[] = { "HOME=/", NULL };
	char *fargv[] = { "false", NULL };
	pid_t pid = fork();

	if (pid == 0) {
		execve("/bin/true", argv, envp);
		_exit(127);
	}
	if (want_exit("execve(/bin/true) (127: exec failed)", pid, 0))
		return CHECK_FAIL;
	pid = fork();
	if (pid == 0) {
		execve("/bin/false", fargv, envp);
		_exit(127);
	}
	return want_exit("execve(/bin/false) (127: exec failed)", pid, 1);
}

/* The new program gets exactly the argv and envp it was given, empty strings included. */
static int check_execve_args(void)
{
	char *argv[] = { (char *)self, "--args", "one", "two words", "", NULL };
	char *envp[] = { "K=v", "EMPTY=", NULL };
	pid_t pid = fork();

	if (pid == 0) {
		execve(self, argv, envp);
		_exit(127);
	}
	return want_exit("the re-executed program (1: argv or envp differ, 127: exec failed)", pid, 0);
}

/* args_mode: the --args helper: exit 0 when argv/envp are what check_execve_args passed. */
static int args_mode(int argc, char **argv)
{
	int n = 0;

	if (argc != 5 || strcmp(argv[2], "one") || strcmp(argv[3], "two words") || argv[4][0] ||
	    argv[5] != NULL)
		return 1;
	while (environ[n])
		n++;
	return n == 2 && strcmp(environ[0], "K=v") == 0 && strcmp(environ[1], "EMPTY=") == 0 ? 0 : 1;
}

/* block_mode: the --block helper: read stdin until EOF. */
static int block_mode(void)
{
	char buf[64];

	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}

/* run_exec: fork, execve PATH with ARGV (env K=v), and want exit CODE. */
static int run_exec(const char *what, const char *path, char **argv, int code)
{
	char *envp[] = { "K=v", NULL };
	pid_t pid = fork();

	if (pid == 0) {
		execve(path, argv, envp);
		_exit(127);
	}
	return want_exit(what, pid, code);
}

/* #! scripts: the interpreter gets the script path and the arguments; one optional argument. */
static int check_execve_script(void)
{
	char *argv[] = { "script", "hello", NULL };

	if (write_file(P("s1"), "#!/bin/sh\n[ \"$1\" = hello ] && [ \"$K\" = v ] && exit 3\nexit 4\n", 0755))
		return fail("writing the script: %s", errname(errno));
	if (run_exec("a #!/bin/sh script (4: argument or env lost, 127: exec failed)", P("s1"), argv, 3))
		return CHECK_FAIL;
	/* "#! /bin/sh -e": a space before the path, and -e makes `false` end it with 1. */
	if (write_file(P("s2"), "#! /bin/sh -e\nfalse\nexit 0\n", 0755))
		return fail("writing the script: %s", errname(errno));
	return run_exec("a #! /bin/sh -e script (0: the -e was lost)", P("s2"), argv, 1);
}

/* execve errors come back to the caller, which carries on as before. */
static int check_execve_errors(void)
{
	char *argv[] = { "x", NULL }, *envp[] = { NULL };

	if (write_file(P("text"), "just some text\n", 0755) || write_file(P("empty"), "", 0755) ||
	    write_file(P("noexec"), "#!/bin/sh\nexit 0\n", 0644) ||
	    write_file(P("badinterp"), "#!/nonexistent/interpreter\n", 0755) || mkdir(P("dir"), 0755))
		return fail("set-up: %s", errname(errno));
	if (want_err("execve of a missing file", execve(P("none"), argv, envp), ENOENT))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("execve of a text file", execve(P("text"), argv, envp), ENOEXEC))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("execve of an empty file", execve(P("empty"), argv, envp), ENOEXEC))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("execve of a mode 0644 file", execve(P("noexec"), argv, envp), EACCES))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("execve of a directory", execve(P("dir"), argv, envp), EACCES))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("execve of file/x", execve(P("text/x"), argv, envp), ENOTDIR))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("a #! with a missing interpreter", execve(P("badinterp"), argv, envp), ENOENT))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("execve(NULL)", syscall(SYS_execve, NULL, argv, envp), EFAULT))
		return CHECK_FAIL;
	errno = 0;
	return want_err("execve with argv 0x1", syscall(SYS_execve, "/bin/true", (void *)1, envp), EFAULT);
}

static int check_wnohang(void)
{
	int p[2], st, r;
	pid_t pid;

	if (pipe(p) != 0)
		return fail("pipe: %s", errname(errno));
	pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		_exit(read(p[0], &c, 1) == 0 ? 0 : 1);
	}
	close(p[0]);
	r = want_eq("waitpid(WNOHANG) of a running child", waitpid(pid, &st, WNOHANG), 0);
	close(p[1]);
	if (want_exit("the child after EOF", pid, 0))
		return CHECK_FAIL;
	return r;
}

static int check_echild(void)
{
	int st;

	if (want_err("wait4(-1) with no children", wait4(-1, &st, 0, NULL), ECHILD))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("waitpid(-1, WNOHANG) with no children", waitpid(-1, &st, WNOHANG), ECHILD))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("waitpid of the parent", waitpid(getppid(), &st, 0), ECHILD))
		return CHECK_FAIL;
	errno = 0;
	return want_err("waitpid with bad options", waitpid(-1, &st, 0x40000), EINVAL);
}

static int check_getppid(void)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0)
		_exit(getppid() == parent ? 0 : 1);
	if (pid == parent || pid <= 0)
		return fail("fork returned %d", (int)pid);
	return want_exit("the child (1: getppid is not the parent)", pid, 0);
}

/*
 * An orphan is re-parented: C forks G and exits; G then sees a parent
 * other than C (init, pid 1, on Kestrel; on Linux maybe a subreaper)
 * and writes it to a pipe.
 */
static int check_orphan(void)
{
	int p[2], newparent = 0;
	pid_t c;
	ssize_t n;

	if (pipe(p) != 0)
		return fail("pipe: %s", errname(errno));
	c = fork();
	if (c == 0) {
		pid_t me = getpid(), g = fork();
		if (g == 0) {
			long long deadline = now_ms() + 3000;
			int pp;
			close(p[0]);
			while (getppid() == me && now_ms() < deadline)
				ms_sleep(1);
			pp = getppid();
			_exit(write(p[1], &pp, sizeof(pp)) == sizeof(pp) ? 0 : 1);
		}
		_exit(g > 0 ? 0 : 1);
	}
	close(p[1]);
	if (want_exit("the middle child", c, 0)) {
		close(p[0]);
		return CHECK_FAIL;
	}
	n = read(p[0], &newparent, sizeof(newparent));
	close(p[0]);
	if (n != sizeof(newparent))
		return fail("the grandchild reported nothing (read %ld)", (long)n);
	if (newparent == c || newparent <= 0)
		return fail("the orphan's parent is still %d after its parent %d exited", newparent, (int)c);
	remark("re-parented to pid %d%s", newparent, newparent == 1 ? " (init)" : " (a subreaper)");
	return CHECK_OK;
}

/* A zombie still exists for kill(pid, 0); once reaped it is gone (ESRCH). */
static int check_zombie(void)
{
	int st;
	pid_t pid = fork();
	siginfo_t si;

	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	/* Wait for the exit without reaping: waitid(WNOWAIT), or poll kill until it is a zombie. */
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, pid, &si, WEXITED | WNOWAIT) != 0)
		ms_sleep(100);
	if (want_eq("kill(zombie, 0)", kill(pid, 0), 0)) {
		waitpid(pid, &st, 0);
		return CHECK_FAIL;
	}
	if (want_exit("the zombie", pid, 0))
		return CHECK_FAIL;
	errno = 0;
	return want_err("kill(reaped pid, 0)", kill(pid, 0), ESRCH);
}

/* Twenty children at once, reaped with wait(-1): each status belongs to its pid. */
static int check_many_children(void)
{
	pid_t pids[20], r;
	int st, left = 20, bad = 0;

	for (int i = 0; i < 20; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			ms_sleep(i % 3);
			_exit(100 + i);
		}
		if (pids[i] < 0)
			return fail("fork %d: %s", i, errname(errno));
	}
	while (left > 0) {
		r = wait_flags(-1, 0, 5000, &st);
		if (r <= 0)
			return fail("wait(-1) returned %d with %d children left", (int)r, left);
		for (int i = 0; i < 20; i++)
			if (pids[i] == r) {
				bad += !WIFEXITED(st) || WEXITSTATUS(st) != 100 + i;
				pids[i] = 0;
				left--;
			}
	}
	return bad ? fail("%d children had the wrong status", bad) : CHECK_OK;
}

static int check_pgid(void)
{
	int p[2], st;
	pid_t pid;
	char c;

	if (getpgrp() != getpgid(0) || getpgid(getpid()) != getpgrp())
		return fail("getpgrp %d, getpgid(0) %d disagree", (int)getpgrp(), (int)getpgid(0));
	if (pipe(p) != 0)
		return fail("pipe: %s", errname(errno));
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		int ok = setpgid(0, 0) == 0 && getpgrp() == getpid() && getpgid(0) == getpid();
		_exit(read(p[0], &c, 1) == 0 && ok ? 0 : 1);
	}
	close(p[0]);
	/* The parent sets it too (the shell idiom), so it holds whichever runs first. */
	st = want_eq("setpgid(child, child)", setpgid(pid, pid), 0);
	if (!st)
		st = want_eq("getpgid(child)", getpgid(pid), pid);
	errno = 0;
	if (!st)
		st = want_err("setpgid(0, -1)", setpgid(0, -1), EINVAL);
	errno = 0;
	if (!st)
		st = want_err("getpgid of no such pid", getpgid(4000000), ESRCH);
	errno = 0;
	if (!st)
		st = want_err("setpgid of no such pid", setpgid(4000000, 0), ESRCH);
	close(p[1]);
	if (want_exit("the child (1: its group is wrong)", pid, 0))
		return CHECK_FAIL;
	return st;
}

/* setsid makes a new session and group; a group leader may not; the parent then cannot move it. */
static int check_setsid(void)
{
	int go[2], ready[2], r;
	pid_t pid;
	char c;

	/* 0 is a valid answer: in a container our session leader may be outside our pid namespace. */
	if (getsid(0) < 0 || getsid(0) != getsid(getpid()))
		return fail("getsid(0) %d, getsid(getpid()) %d", (int)getsid(0), (int)getsid(getpid()));
	if (pipe(go) != 0 || pipe(ready) != 0)
		return fail("pipe: %s", errname(errno));
	pid = fork();
	if (pid == 0) {
		pid_t me = getpid();
		close(go[1]);
		close(ready[0]);
		int ok = setsid() == me && getsid(0) == me && getpgrp() == me;
		ok = ok && setsid() == -1 && errno == EPERM;
		close(ready[1]);	/* tell the parent the session is made */
		_exit(read(go[0], &c, 1) == 0 && ok ? 0 : 1);
	}
	close(ready[1]);
	close(go[0]);
	r = want_eq("waiting for the child's setsid", read(ready[0], &c, 1), 0);
	if (!r)
		r = want_eq("getsid(child)", getsid(pid), pid);
	errno = 0;
	if (!r)
		r = want_err("setpgid of a child in another session", setpgid(pid, getpgrp()), EPERM);
	close(go[1]);
	close(ready[0]);
	if (want_exit("the child (1: setsid misbehaved)", pid, 0))
		return CHECK_FAIL;
	if (r)
		return r;
	/* A process group leader may not start a session. */
	pid = fork();
	if (pid == 0)
		_exit(setpgid(0, 0) == 0 && setsid() == -1 && errno == EPERM ? 0 : 1);
	return want_exit("a group leader's setsid (1: it did not fail with EPERM)", pid, 0);
}

/* Once the child has exec'd, the parent may no longer change its group (EACCES). */
static int check_setpgid_after_exec(void)
{
	int in[2], exec_pipe[2], r;
	pid_t pid;
	char c;

	if (pipe(in) != 0 || pipe2(exec_pipe, O_CLOEXEC) != 0)
		return fail("pipe: %s", errname(errno));
	pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)self, "--block", NULL }, *envp[] = { NULL };
		dup2(in[0], 0);
		close(in[0]);
		close(in[1]);
		close(exec_pipe[0]);
		execve(self, argv, envp);
		c = 1;
		write(exec_pipe[1], &c, 1);
		_exit(127);
	}
	close(in[0]);
	close(exec_pipe[1]);
	/* The close-on-exec write end closes at the exec: EOF means the exec happened. */
	r = want_eq("waiting for the child's exec", read(exec_pipe[0], &c, 1), 0);
	errno = 0;
	if (!r)
		r = want_err("setpgid of a child after its exec", setpgid(pid, pid), EACCES);
	close(exec_pipe[0]);
	close(in[1]);
	if (want_exit("the --block child", pid, 0))
		return CHECK_FAIL;
	return r;
}

static const struct check checks[] = {
	{ "fork-exit", check_fork_exit },
	{ "exit-codes", check_exit_codes },
	{ "fork-memory", check_fork_memory },
	{ "fork-fd-offset", check_fork_fd_offset },
	{ "wait-signaled", check_wait_signaled },
	{ "wait-stopped", check_wait_stopped },
	{ "vfork", check_vfork },
	{ "vfork-exec", check_vfork_exec },
	{ "execve-true", check_execve_true },
	{ "execve-args", check_execve_args },
	{ "execve-script", check_execve_script },
	{ "execve-errors", check_execve_errors },
	{ "wnohang", check_wnohang },
	{ "echild", check_echild },
	{ "getppid", check_getppid },
	{ "orphan", check_orphan },
	{ "zombie", check_zombie },
	{ "many-children", check_many_children },
	{ "pgid", check_pgid },
	{ "setsid", check_setsid },
	{ "setpgid-after-exec", check_setpgid_after_exec },
};

int main(int argc, char **argv)
{
	int status;

	if (argc >= 2 && strcmp(argv[1], "--args") == 0)
		return args_mode(argc, argv);
	if (argc == 2 && strcmp(argv[1], "--block") == 0)
		return block_mode();
	if (argv[0] && strchr(argv[0], '/'))
		self = argv[0];
	/* A check that fails may write to a pipe whose reader is gone: report it, do not die. */
	signal(SIGPIPE, SIG_IGN);
	umask(022);
	snprintf(work, sizeof(work), "/tmp/t-procs.%d", (int)getpid());
	rm_tree(work);
	if (mkdir(work, 0755) != 0) {
		t_begin("procs");
		t_fail("cannot make the scratch directory %s: %s", work, errname(errno));
		return 1;
	}
	status = run_checks("procs", checks, NELEMS(checks), argc, argv);
	rm_tree(work);
	return status;
}
