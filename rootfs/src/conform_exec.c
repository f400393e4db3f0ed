// SPDX-License-Identifier: MIT
// Exec conformance: prctl(PR_SET_PDEATHSIG), execve(""), execveat, AT_EXECFN of a #! script, ETXTBSY.
#define _GNU_SOURCE
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "checks.h"

/*
 * As Linux (prctl(2), execve(2), execveat(2)). gVisor's exec tests run
 * every helper through a child that first sets PR_SET_PDEATHSIG and
 * exits 3 when that fails; their execveat cases need the system call.
 * PR_SET_PDEATHSIG takes 0..64 (EINVAL above), PR_GET_PDEATHSIG reads
 * it back, fork clears it in the child, and the signal comes when the
 * parent ends. execve("") is ENOENT. execveat: flags other than
 * AT_EMPTY_PATH and AT_SYMLINK_NOFOLLOW are EINVAL; "" without
 * AT_EMPTY_PATH is ENOENT; with it the descriptor's file runs, and
 * AT_EXECFN is "/dev/fd/N"; a relative path from a directory descriptor
 * runs with AT_EXECFN "/dev/fd/N/path"; from a non-directory it is
 * ENOTDIR, from a closed descriptor EBADF; AT_SYMLINK_NOFOLLOW on a
 * final symlink is ELOOP. A #! script's AT_EXECFN is the script's path
 * (what execve was given), not the interpreter's; through a close-on-exec
 * descriptor a script is ENOENT (its interpreter could not open it).
 * A program some process runs cannot be written (open for writing,
 * O_TRUNC, truncate: ETXTBSY), nor a file open for writing run (execve:
 * ETXTBSY); a fork's child holds it too, exec and exit let it go.
 *
 * The program runs itself in the exec checks: "t-conform_exec
 * --execfn-is X ..." exits 42 when AT_EXECFN is X, else 1 (run as a
 * script's interpreter, X is the script's path the kernel adds).
 */
#define MODE_EXECFN "--execfn-is"
#define MODE_PAUSE  "--txt-pause"   /* FD: write our pid to FD, wait for SIGKILL */
#define MODE_FORK   "--txt-fork"    /* FD: a child does MODE_PAUSE; exit 0 */
#define MODE_EXEC   "--txt-exec"    /* FD PROG: exec PROG in MODE_PAUSE */
#define EXIT_MATCH 42
#define DEATH_WAIT_MS 3000

static char self[PATH_MAX];

static int self_path(void)
{
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return -1;
	self[n] = '\0';
	return 0;
}

static long execveat_(int dirfd, const char *path, char *const argv[], int flags)
{
	char *envp[] = { NULL };

	return syscall(SYS_execveat, dirfd, path, argv, envp, flags);
}

/* Fork a child that runs execveat(dirfd, path, [self, --execfn-is, want], flags): its exit code. */
static int run_execveat(int dirfd, const char *path, const char *want, int flags)
{
	char *argv[] = { self, MODE_EXECFN, (char *)want, NULL };
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		execveat_(dirfd, path, argv, flags);
		_exit(100 + (errno & 0x3f));
	}
	if (pid < 0 || wait_child(pid, 5000, &st) != CHECK_OK || !WIFEXITED(st))
		return -1; /* a kernel whose exec hangs fails the check, not the program */
	return WEXITSTATUS(st);
}

static int check_pdeathsig_get_set(void)
{
	int sig = -1;

	if (want_err("PR_SET_PDEATHSIG 65", prctl(PR_SET_PDEATHSIG, 65), EINVAL))
		return CHECK_FAIL;
	if (want_ok("PR_SET_PDEATHSIG SIGUSR1", prctl(PR_SET_PDEATHSIG, SIGUSR1)))
		return CHECK_FAIL;
	if (want_ok("PR_GET_PDEATHSIG", prctl(PR_GET_PDEATHSIG, &sig)) ||
	    want_eq("PR_GET_PDEATHSIG's signal", sig, SIGUSR1))
		return CHECK_FAIL;
	pid_t pid = fork();
	if (pid == 0) {
		int s = -1;
		_exit(prctl(PR_GET_PDEATHSIG, &s) == 0 && s == 0 ? 0 : 1);
	}
	prctl(PR_SET_PDEATHSIG, 0);
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	return want_exit("the child's PR_GET_PDEATHSIG (1: fork kept it)", pid, 0);
}

/* A grandchild with PR_SET_PDEATHSIG SIGKILL dies when its parent ends:
 * its end of a pipe closes. */
static int check_pdeathsig_delivered(void)
{
	int p[2];
	char c;

	if (pipe(p))
		return fail("pipe: %s", errname(errno));
	pid_t mid = fork();
	if (mid == 0) {
		pid_t gc = fork();
		if (gc == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (write(p[1], "r", 1) != 1)
				_exit(1);
			ms_sleep(DEATH_WAIT_MS);
			_exit(write(p[1], "x", 1) == 1 ? 0 : 1); /* still alive: the check fails */
		}
		char r;
		close(p[1]);
		_exit(gc > 0 && read(p[0], &r, 1) == 1 ? 0 : 1); /* the grandchild is ready */
	}
	close(p[1]);
	if (mid < 0) {
		close(p[0]);
		return fail("fork: %s", errname(errno));
	}
	int err = want_exit("the middle process", mid, 0);
	long n = err ? 0 : read(p[0], &c, 1);
	while (n == 1 && c == 'r')
		n = read(p[0], &c, 1);
	close(p[0]);
	if (err)
		return err;
	return n == 0 ? CHECK_OK : fail("the grandchild outlived its parent by %d ms", DEATH_WAIT_MS);
}

static int check_empty_path(void)
{
	char *argv[] = { self, NULL }, *envp[] = { NULL };

	if (want_err("execve(\"\")", execve("", argv, envp), ENOENT))
		return CHECK_FAIL;
	if (want_err("execveat(AT_FDCWD, \"\", 0)", execveat_(AT_FDCWD, "", argv, 0), ENOENT))
		return CHECK_FAIL;
	return want_err("execveat(flags 0x1)", execveat_(AT_FDCWD, self, argv, 1), EINVAL);
}

/* execve with an empty argv (NULL, or { NULL }): the program gets argc 1
 * and argv[0] "" (Linux 5.18 on), not argc 0. */
static int check_empty_argv(void)
{
	char *none[] = { NULL }, *envp[] = { NULL };

	for (int i = 0; i < 2; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			execve(self, i ? none : NULL, envp);
			_exit(100 + errno);
		}
		int st = 0;
		if (pid < 0 || waitpid(pid, &st, 0) != pid)
			return fail("fork/waitpid: %s", errname(errno));
		if (!WIFEXITED(st) || WEXITSTATUS(st) != EXIT_MATCH)
			return fail("execve(self, %s): status 0x%x, want exit %d (argc 1, argv[0] \"\")",
				    i ? "{ NULL }" : "NULL", st, EXIT_MATCH);
	}
	return CHECK_OK;
}

static int check_execveat_fd(void)
{
	char want[64];
	int fd = open(self, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fail("open %s: %s", self, errname(errno));
	snprintf(want, sizeof(want), "/dev/fd/%d", fd);
	int code = run_execveat(fd, "", want, AT_EMPTY_PATH);
	int rel = run_execveat(fd, "x", want, 0);
	close(fd);
	if (code != EXIT_MATCH)
		return fail("execveat(fd, \"\", AT_EMPTY_PATH): exit %d, want %d (AT_EXECFN %s; 100+errno: failed)",
			    code, EXIT_MATCH, want);
	return want_eq("execveat(file fd, \"x\") (100+ENOTDIR)", rel, 100 + ENOTDIR);
}

static int check_execveat_dirfd(void)
{
	char dir[PATH_MAX], want[PATH_MAX + 32];
	char *slash = strrchr(self, '/');

	if (!slash)
		return fail("no directory in %s", self);
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - self), self);
	int dfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return fail("open %s: %s", dir, errname(errno));
	snprintf(want, sizeof(want), "/dev/fd/%d/%s", dfd, slash + 1);
	int code = run_execveat(dfd, slash + 1, want, 0);
	close(dfd);
	if (code != EXIT_MATCH)
		return fail("execveat(dirfd, \"%s\"): exit %d, want %d (AT_EXECFN %s)", slash + 1, code,
			    EXIT_MATCH, want);
	return want_eq("execveat(closed fd, \"x\") (100+EBADF)", run_execveat(99, "x", "", 0), 100 + EBADF);
}

static int check_execveat_nofollow(void)
{
	char link[64];

	snprintf(link, sizeof(link), "/tmp/t-conform-exec-link.%d", (int)getpid());
	unlink(link);
	if (symlink(self, link))
		return fail("symlink: %s", errname(errno));
	int loop = run_execveat(AT_FDCWD, link, link, AT_SYMLINK_NOFOLLOW);
	int follow = run_execveat(AT_FDCWD, link, link, 0);
	unlink(link);
	if (want_eq("execveat(link, AT_SYMLINK_NOFOLLOW) (100+ELOOP)", loop, 100 + ELOOP))
		return CHECK_FAIL;
	return want_eq("execveat(link, 0)", follow, EXIT_MATCH);
}

static int check_script_execfn(void)
{
	char script[64], text[PATH_MAX + 32];

	snprintf(script, sizeof(script), "/tmp/t-conform-exec-script.%d", (int)getpid());
	int fd = open(script, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (fd < 0)
		return fail("create %s: %s", script, errname(errno));
	int len = snprintf(text, sizeof(text), "#!%s %s\n", self, MODE_EXECFN);
	int wr = (int)write(fd, text, (size_t)len);
	close(fd);
	/* the interpreter's argv: [self, --execfn-is, script, --execfn-is, unused] */
	int code = wr == len ? run_execveat(AT_FDCWD, script, "unused", 0) : -1;
	unlink(script);
	return want_eq("a #! script whose interpreter checks AT_EXECFN is the script", code, EXIT_MATCH);
}

/* execveat of a #! script through its descriptor: with O_CLOEXEC the
 * descriptor is gone once the exec closes it, so the interpreter could
 * not open /dev/fd/N and the exec itself is ENOENT (Linux's
 * BINPRM_FLAGS_PATH_INACCESSIBLE); without it the script runs. */
static int check_script_cloexec_fd(void)
{
	char script[64], text[PATH_MAX + 32], want[64];

	snprintf(script, sizeof(script), "/tmp/t-conform-exec-fdscript.%d", (int)getpid());
	int fd = open(script, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (fd < 0)
		return fail("create %s: %s", script, errname(errno));
	int len = snprintf(text, sizeof(text), "#!%s %s\n", self, MODE_EXECFN);
	int wr = (int)write(fd, text, (size_t)len);
	close(fd);
	int cfd = open(script, O_RDONLY | O_CLOEXEC), kfd = open(script, O_RDONLY);
	unlink(script);
	if (wr != len || cfd < 0 || kfd < 0)
		return fail("write or reopen %s: %s", script, errname(errno));
	int gone = run_execveat(cfd, "", "unused", AT_EMPTY_PATH);
	snprintf(want, sizeof(want), "/dev/fd/%d", kfd);
	int runs = run_execveat(kfd, "", want, AT_EMPTY_PATH);
	close(cfd);
	close(kfd);
	if (want_eq("execveat(O_CLOEXEC script fd, \"\", AT_EMPTY_PATH) (100+ENOENT)", gone,
		    100 + ENOENT))
		return CHECK_FAIL;
	return want_eq("execveat(script fd, \"\", AT_EMPTY_PATH)", runs, EXIT_MATCH);
}

/* ---- ETXTBSY: a running program's file denies writers (LTP's creat07, execve04) */

static char txt_copy[64]; /* a copy of this program, which the children run */

/* Copy self to txt_copy, mode 0755: CHECK_OK or fail(). */
static int make_copy(void)
{
	static char buf[1 << 16];
	int in = open(self, O_RDONLY), out;
	ssize_t n = 0;

	snprintf(txt_copy, sizeof(txt_copy), "/tmp/t-conform-exec-txt.%d", (int)getpid());
	unlink(txt_copy);
	out = open(txt_copy, O_WRONLY | O_CREAT | O_EXCL, 0755);
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	int ok = in >= 0 && out >= 0 && n == 0;
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out))
		ok = 0;
	return ok ? CHECK_OK : fail("copy %s to %s: %s", self, txt_copy, errname(errno));
}

/* Fork a child that runs prog with argv [prog, mode, pipe's fd, arg]; the
 * pid the pausing process writes to the pipe (-1 on failure). *child:
 * the forked child's pid. */
static pid_t run_holder(const char *prog, const char *mode, const char *arg, pid_t *child)
{
	int fds[2];
	char fdtext[16];
	pid_t pid = -1;

	if (pipe(fds))
		return -1;
	snprintf(fdtext, sizeof(fdtext), "%d", fds[1]);
	*child = fork();
	if (*child == 0) {
		close(fds[0]);
		execl(prog, prog, mode, fdtext, arg, (char *)NULL);
		_exit(100 + (errno & 0x3f));
	}
	close(fds[1]);
	if (*child < 0 || read(fds[0], &pid, sizeof(pid)) != sizeof(pid))
		pid = -1;
	close(fds[0]);
	return pid;
}

/* What writing txt_copy meets now: ETXTBSY from every way in (busy), or
 * success from every one (!busy). CHECK_OK or fail(). */
static int want_busy(const char *when, int busy)
{
	static const int flags[] = { O_WRONLY, O_RDWR, O_RDONLY | O_TRUNC, O_WRONLY | O_TRUNC };

	for (unsigned i = 0; i < NELEMS(flags); i++) {
		errno = 0;
		int fd = open(txt_copy, flags[i]);
		if (fd >= 0)
			close(fd);
		if (busy ? fd >= 0 || errno != ETXTBSY : fd < 0)
			return fail("%s: open(flags %#x): %s, want %s", when, flags[i],
				    fd >= 0 ? "opened" : errname(errno), busy ? "ETXTBSY" : "success");
	}
	errno = 0;
	long r = truncate(txt_copy, 0);
	if (busy ? r == 0 || errno != ETXTBSY : r != 0)
		return fail("%s: truncate: %s, want %s", when, r ? errname(errno) : "done",
			    busy ? "ETXTBSY" : "success");
	int fd = open(txt_copy, O_RDONLY); /* reading is always allowed */
	if (fd < 0)
		return fail("%s: open(O_RDONLY): %s", when, errname(errno));
	close(fd);
	return CHECK_OK;
}

/* Kill and reap pid, then the file must take writers again. */
static int end_holder(const char *when, pid_t pid)
{
	int st;

	kill(pid, SIGKILL);
	if (wait_child(pid, 5000, &st) != CHECK_OK)
		return CHECK_FAIL;
	return want_busy(when, 0);
}

/* While a process runs the copy, nothing may write it; once it is gone,
 * anything may. */
static int check_txtbsy_running(void)
{
	pid_t child, pid;

	if (make_copy())
		return CHECK_FAIL;
	pid = run_holder(txt_copy, MODE_PAUSE, NULL, &child);
	int r = pid == child ? want_busy("while it runs", 1) : fail("the copy did not start");
	if (child > 0 && end_holder("after it was killed", child) && !r)
		r = CHECK_FAIL;
	unlink(txt_copy);
	return r;
}

/* A fork's child holds its parent's program: after the parent exits the
 * child alone keeps it from writers. */
static int check_txtbsy_fork(void)
{
	pid_t child, pid;
	int st, r;

	if (make_copy())
		return CHECK_FAIL;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		return fail("PR_SET_CHILD_SUBREAPER: %s", errname(errno));
	pid = run_holder(txt_copy, MODE_FORK, NULL, &child);
	if (pid <= 0 || child <= 0 || wait_child(child, 5000, &st) != CHECK_OK)
		r = fail("the copy's fork did not start");
	else
		r = want_busy("its forked child runs it", 1);
	if (pid > 0 && end_holder("after the forked child was killed", pid) && !r)
		r = CHECK_FAIL;
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	unlink(txt_copy);
	return r;
}

/* exec lets the old program go: the copy, having exec'd this program,
 * no longer holds it. */
static int check_txtbsy_exec(void)
{
	pid_t child, pid;

	if (make_copy())
		return CHECK_FAIL;
	pid = run_holder(txt_copy, MODE_EXEC, self, &child);
	int r = pid == child ? want_busy("after it exec'd another program", 0)
			     : fail("the copy did not exec %s", self);
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	unlink(txt_copy);
	return r;
}

/* A file open for writing cannot be run: execve is ETXTBSY until it is
 * closed. */
static int check_txtbsy_execve(void)
{
	char *argv[] = { txt_copy, MODE_EXECFN, txt_copy, NULL }, *envp[] = { NULL };

	if (make_copy())
		return CHECK_FAIL;
	int fd = open(txt_copy, O_WRONLY);
	if (fd < 0)
		return fail("open %s: %s", txt_copy, errname(errno));
	pid_t pid = fork();
	if (pid == 0) {
		execve(txt_copy, argv, envp);
		_exit(100 + (errno & 0x3f));
	}
	int r = want_exit("execve of a file open for writing (100+ETXTBSY)", pid, 100 + ETXTBSY);
	close(fd);
	if (!r && (pid = fork()) == 0) {
		execve(txt_copy, argv, envp);
		_exit(100 + (errno & 0x3f));
	}
	if (!r)
		r = want_exit("execve once it is closed", pid, EXIT_MATCH);
	unlink(txt_copy);
	return r;
}

/* The holder modes the ETXTBSY checks run the copy in. */
static int txt_mode(char **argv)
{
	int fd = atoi(argv[2]);
	pid_t me = getpid();

	if (strcmp(argv[1], MODE_EXEC) == 0) {
		execl(argv[3], argv[3], MODE_PAUSE, argv[2], (char *)NULL);
		return 100 + (errno & 0x3f);
	}
	if (strcmp(argv[1], MODE_FORK) == 0) {
		pid_t pid = fork();
		if (pid != 0)
			return pid < 0 ? 1 : 0;
		me = getpid();
	}
	if (write(fd, &me, sizeof(me)) != sizeof(me))
		return 1;
	for (;;)
		pause();
}

static const struct check checks[] = {
	{ "pdeathsig", check_pdeathsig_get_set },
	{ "pdeathsig-delivered", check_pdeathsig_delivered },
	{ "empty-path", check_empty_path },
	{ "empty-argv", check_empty_argv },
	{ "execveat-fd", check_execveat_fd },
	{ "execveat-dirfd", check_execveat_dirfd },
	{ "execveat-nofollow", check_execveat_nofollow },
	{ "script-execfn", check_script_execfn },
	{ "script-cloexec-fd", check_script_cloexec_fd },
	{ "txtbsy-running", check_txtbsy_running },
	{ "txtbsy-fork", check_txtbsy_fork },
	{ "txtbsy-exec", check_txtbsy_exec },
	{ "txtbsy-execve", check_txtbsy_execve },
};

int main(int argc, char **argv)
{
	if (argc == 1 && argv[0][0] == '\0' && !argv[1])
		return EXIT_MATCH; /* check_empty_argv's child: argv { "" } */
	if (argc >= 3 && strcmp(argv[1], MODE_EXECFN) == 0) {
		const char *fn = (const char *)getauxval(AT_EXECFN);
		return fn && strcmp(fn, argv[2]) == 0 ? EXIT_MATCH : 1;
	}
	if (argc >= 3 && strncmp(argv[1], "--txt-", 6) == 0)
		return txt_mode(argv);
	if (self_path())
		return fail("readlink /proc/self/exe: %s", errname(errno)), 1;
	return run_checks("conform_exec", checks, NELEMS(checks), argc, argv);
}
