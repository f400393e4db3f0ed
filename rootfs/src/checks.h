/* SPDX-License-Identifier: MIT */
/* A table of named checks for the self-test programs, with errno expectations and child helpers. */
#ifndef ROOTFS_CHECKS_H
#define ROOTFS_CHECKS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "selftest.h"

/*
 * A program is a table of checks, each a function that returns
 * CHECK_OK, or fail(...) (CHECK_FAIL, with the reason in c_why), or
 * skip(...) (CHECK_SKIP: nothing could be tested here, say why). A
 * check may leave a remark for its "ok" line. run_checks prints one
 * line per check, "PROG: NAME ok[: remark]", "PROG: NAME FAIL why" or
 * "PROG: NAME SKIP why", then "PROG: N passed, N failed[, N skipped]"
 * and "PROG: PASS" (or "PROG: SKIP why" when every check skipped, which
 * tests/linux/run-selftest-list.sh counts as a skip). The program's
 * exit status is the verdict: 0 when nothing failed.
 *
 * Every check must hold on Linux (the build machine runs these very
 * binaries) as well as on Kestrel: the errno values are Linux's. A check
 * cleans up after itself (files, children) even when it fails, so the
 * next one starts from a clean slate. Usage: t-PROG [CHECK...].
 */
#define CHECK_OK 0
#define CHECK_FAIL (-1)
#define CHECK_SKIP 1

struct check {
	const char *name;
	int (*run)(void);
};
#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static char c_why[300];
static char c_note[200];
/* Which of fail and skip the running check called last ('f', 's', or 0):
 * a check that returns CHECK_SKIP after a fail (a chain such as
 * `r = want_ok(...) || want_eq(...); return r;` evaluates to 1, which is
 * CHECK_SKIP) failed, and run_one says so. */
static char c_last;

/* fail: record why the running check failed; returns CHECK_FAIL for `return fail(...)`. */
__attribute__((format(printf, 1, 2), unused))
static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c_why, sizeof(c_why), fmt, ap);
	va_end(ap);
	c_last = 'f';
	return CHECK_FAIL;
}

/* skip: record why the running check could not test anything; returns CHECK_SKIP. */
__attribute__((format(printf, 1, 2), unused))
static int skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c_why, sizeof(c_why), fmt, ap);
	va_end(ap);
	c_last = 's';
	return CHECK_SKIP;
}

/* remark: a note for the check's "ok" line (what was seen where two answers are right). */
__attribute__((format(printf, 1, 2), unused))
static void remark(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c_note, sizeof(c_note), fmt, ap);
	va_end(ap);
}

/* errname: the symbolic name of an errno value ("errno N" for the rare ones). */
static const char *errname(int e)
{
	static const struct { int e; const char *name; } names[] = {
		{ 0, "0" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" },
		{ EINTR, "EINTR" }, { EIO, "EIO" }, { ENXIO, "ENXIO" }, { E2BIG, "E2BIG" },
		{ ENOEXEC, "ENOEXEC" }, { EBADF, "EBADF" }, { ECHILD, "ECHILD" },
		{ EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" },
		{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" }, { EXDEV, "EXDEV" },
		{ ENODEV, "ENODEV" }, { ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" },
		{ EINVAL, "EINVAL" }, { ENFILE, "ENFILE" }, { EMFILE, "EMFILE" },
		{ ENOTTY, "ENOTTY" }, { EFBIG, "EFBIG" }, { ENOSPC, "ENOSPC" }, { ESPIPE, "ESPIPE" },
		{ EROFS, "EROFS" }, { EMLINK, "EMLINK" }, { EPIPE, "EPIPE" }, { ERANGE, "ERANGE" },
		{ ENAMETOOLONG, "ENAMETOOLONG" }, { ENOSYS, "ENOSYS" }, { ENOTEMPTY, "ENOTEMPTY" },
		{ ELOOP, "ELOOP" }, { EOPNOTSUPP, "EOPNOTSUPP" },
	};
	static char other[16];

	for (size_t i = 0; i < NELEMS(names); i++)
		if (names[i].e == e)
			return names[i].name;
	snprintf(other, sizeof(other), "errno %d", e);
	return other;
}

/* want_err: RET (with the errno it left) must be -1/ERR. Call with errno fresh. */
__attribute__((unused))
static int want_err(const char *what, long ret, int err)
{
	int e = errno;

	if (ret == -1 && e == err)
		return CHECK_OK;
	if (ret == -1)
		return fail("%s: -1/%s, want -1/%s", what, errname(e), errname(err));
	return fail("%s returned %ld, want -1/%s", what, ret, errname(err));
}

/* want_eq: RET must be WANT; on -1 the errno is reported too. */
__attribute__((unused))
static int want_eq(const char *what, long ret, long want)
{
	int e = errno;

	if (ret == want)
		return CHECK_OK;
	if (ret == -1)
		return fail("%s: -1/%s, want %ld", what, errname(e), want);
	return fail("%s returned %ld, want %ld", what, ret, want);
}

/* want_ok: RET must not be -1 (a file descriptor, a count, 0). */
__attribute__((unused))
static int want_ok(const char *what, long ret)
{
	if (ret != -1)
		return CHECK_OK;
	return fail("%s: -1/%s", what, errname(errno));
}

/* ms_sleep: sleep MS milliseconds (a signal may cut it short). */
__attribute__((unused))
static void ms_sleep(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&t, NULL);
}

/* now_ms: the monotonic clock in milliseconds. */
__attribute__((unused))
static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000ll + t.tv_nsec / 1000000;
}

/*
 * wait_child: reap child PID into *status within MS milliseconds. On
 * time-out the child is killed (SIGKILL) and reaped, and fail() says so.
 * Polls with WNOHANG so that a kernel whose blocking wait is broken
 * fails the check instead of hanging the program. Returns CHECK_OK or
 * CHECK_FAIL.
 */
__attribute__((unused))
static int wait_child(pid_t pid, long ms, int *status)
{
	long long deadline = now_ms() + ms;
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return CHECK_OK;
		if (r == -1 && errno != EINTR)
			return fail("waitpid(%d): %s", (int)pid, errname(errno));
		if (now_ms() > deadline)
			break;
		ms_sleep(1);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) == -1 && errno == EINTR)
		;
	return fail("child %d still running after %ld ms (killed)", (int)pid, ms);
}

/*
 * want_exit: reap PID (within 5 s) and require a normal exit with CODE.
 * WHAT names the child in the failure message.
 */
__attribute__((unused))
static int want_exit(const char *what, pid_t pid, int code)
{
	int st;

	if (pid == -1)
		return fail("fork for %s: %s", what, errname(errno));
	if (wait_child(pid, 5000, &st) != CHECK_OK)
		return CHECK_FAIL;
	if (WIFSIGNALED(st))
		return fail("%s: killed by signal %d, want exit %d", what, WTERMSIG(st), code);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != code)
		return fail("%s: status %#x (exit %d), want exit %d", what, st, WEXITSTATUS(st), code);
	return CHECK_OK;
}

/* want_signal: reap PID (within 5 s) and require death by signal SIG. */
__attribute__((unused))
static int want_signal(const char *what, pid_t pid, int sig)
{
	int st;

	if (pid == -1)
		return fail("fork for %s: %s", what, errname(errno));
	if (wait_child(pid, 5000, &st) != CHECK_OK)
		return CHECK_FAIL;
	if (WIFEXITED(st))
		return fail("%s: exited with %d, want killed by signal %d", what, WEXITSTATUS(st), sig);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != sig)
		return fail("%s: status %#x, want killed by signal %d", what, st, sig);
	return CHECK_OK;
}

/*
 * rm_tree: remove PATH and everything under it (best effort, no symlink
 * is followed). The programs that need a scratch directory make one
 * under /tmp and remove it at the end.
 */
__attribute__((unused))
static void rm_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char sub[512];

	if (lstat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	d = opendir(path);
	while (d && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		rm_tree(sub);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

/* write_file: create PATH (mode MODE) holding the string TEXT; 0, or -1 with errno. */
__attribute__((unused))
static int write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ssize_t len = (ssize_t)strlen(text), n;

	if (fd < 0)
		return -1;
	n = write(fd, text, len);
	if (close(fd) != 0 || n != len)
		return -1;
	return 0;
}

/* file_text: FILE's first size - 1 bytes into buf, NUL-terminated (a
 * /proc file read in one call); the length, or -1 (errno set). */
__attribute__((unused))
static ssize_t file_text(const char *file, char *buf, size_t size)
{
	int fd = open(file, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);
	int e = errno;

	if (fd >= 0)
		close(fd);
	errno = e;
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* read_long: the first number in FILE (a /proc/sys value) into *v; 0, or -1. */
__attribute__((unused))
static int read_long(const char *file, long *v)
{
	FILE *f = fopen(file, "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "%ld", v);
	fclose(f);
	return n == 1 ? 0 : -1;
}

/* stat_fields: the /proc/.../stat file at PATH read into buf (size
 * bytes); where its field 3 (the state) starts, or NULL. The command
 * name (field 2) may hold spaces and parentheses: fields count from the
 * last ')'. */
__attribute__((unused))
static char *stat_fields(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;
	char *p;

	if (!f)
		return NULL;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p + 2 : NULL;
}

/* stat_state: the state letter of a /proc/.../stat file at PATH, or 0
 * when it cannot be read. */
__attribute__((unused))
static char stat_state(const char *path)
{
	char buf[512], *p = stat_fields(path, buf, sizeof(buf));

	return p ? *p : 0;
}

/* proc_state: process PID's state letter in /proc/PID/stat, or 0. */
__attribute__((unused))
static char proc_state(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	return stat_state(path);
}

/*
 * c_isolate: set by a program whose checks could kill it outright on a
 * kernel that lacks what they test (a signal whose handler is not called
 * takes its default action). Each check then runs in a forked child that
 * sends its verdict back through a pipe, and a child that dies instead is
 * that check's failure; the other checks still run.
 */
static int c_isolate;

/* Run check c: what it returned, but CHECK_FAIL for a CHECK_SKIP whose
 * last word was a fail() (c_last): a failure is never shown as a skip. */
static int check_verdict(const struct check *c)
{
	c_last = 0;
	int r = c->run();

	return r == CHECK_SKIP && c_last == 'f' ? CHECK_FAIL : r;
}

/* run_isolated: run check C in a child (see c_isolate); its result, with c_why/c_note filled. */
static int run_isolated(const struct check *c)
{
	struct { int r; char why[sizeof(c_why)]; char note[sizeof(c_note)]; } res;
	size_t got = 0;
	ssize_t n;
	int p[2], st = 0;
	pid_t pid;

	if (pipe(p) != 0)
		return fail("pipe for the isolated check: %s", errname(errno));
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		res.r = check_verdict(c);
		memcpy(res.why, c_why, sizeof(res.why));
		memcpy(res.note, c_note, sizeof(res.note));
		_exit(write(p[1], &res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(p[1]);
	while (pid > 0 && got < sizeof(res) &&
	       ((n = read(p[0], (char *)&res + got, sizeof(res) - got)) > 0 || (n < 0 && errno == EINTR)))
		got += n > 0 ? (size_t)n : 0;
	close(p[0]);
	if (pid < 0)
		return fail("fork for the isolated check: %s", errname(errno));
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (got == sizeof(res)) {
		memcpy(c_why, res.why, sizeof(c_why));
		memcpy(c_note, res.note, sizeof(c_note));
		return res.r;
	}
	if (WIFSIGNALED(st))
		return fail("the check's process was killed by signal %d", WTERMSIG(st));
	return fail("the check's process ended (status %#x) without a verdict", st);
}

/* run_one: run check C, print its line and count it; returns what the check returned. */
static int run_one(const struct check *c, int *passed, int *skipped)
{
	int r;

	c_why[0] = c_note[0] = '\0';
	errno = 0;
	r = c_isolate ? run_isolated(c) : check_verdict(c);
	if (r == CHECK_OK) {
		t_say("%s ok%s%s", c->name, c_note[0] ? ": " : "", c_note);
		(*passed)++;
	} else if (r == CHECK_SKIP) {
		t_say("%s SKIP %s", c->name, c_why);
		(*skipped)++;
	} else {
		t_say("%s FAIL %s", c->name, c_why);
		t_failures++;
	}
	return r;
}

/*
 * run_checks: the program's main after its own set-up: run every check
 * of TABLE (or only those named in argv), print the summary, and return
 * the exit status.
 */
__attribute__((unused))
static int run_checks(const char *prog, const struct check *table, size_t n, int argc, char **argv)
{
	int passed = 0, skipped = 0, ran = 0, found;
	char last_skip[300] = "";

	t_begin(prog);
	for (int i = 1; i < argc; i++) {
		found = 0;
		for (size_t k = 0; k < n; k++)
			found |= strcmp(table[k].name, argv[i]) == 0;
		if (!found)
			t_fail("no check named \"%.40s\"", argv[i]);
	}
	for (size_t k = 0; k < n; k++) {
		found = argc < 2;
		for (int i = 1; i < argc; i++)
			found |= strcmp(table[k].name, argv[i]) == 0;
		if (!found)
			continue;
		ran++;
		if (run_one(&table[k], &passed, &skipped) == CHECK_SKIP)
			snprintf(last_skip, sizeof(last_skip), "%s", c_why);
	}
	if (skipped)
		t_say("%d passed, %d failed, %d skipped", passed, ran - passed - skipped, skipped);
	else
		t_say("%d passed, %d failed", passed, ran - passed);
	if (t_failures == 0 && ran > 0 && skipped == ran) {
		t_say("SKIP %s", last_skip);
		return 0;
	}
	return t_finish();
}

/* work: a program's scratch directory (it creates it); P(NAME): the path of
 * NAME inside it, in one of four rotating buffers. */
static char work[64] __attribute__((unused));

static inline const char *P(const char *name)
{
	static char buf[4][128];
	static int next;
	char *b = buf[next++ & 3];

	snprintf(b, sizeof(buf[0]), "%s/%s", work, name);
	return b;
}

#endif
