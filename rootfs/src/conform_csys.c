// SPDX-License-Identifier: MIT
// Small system calls as Linux: capget/capset and what a dropped capability forbids, close_range,
// sched_setaffinity, getpriority/setpriority, an aliased rt_sigprocmask, prctl, open's odd flags.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "checks.h"

/*
 * Every check runs in its own child (c_isolate), so a capability dropped
 * there never reaches the next check. The program runs as root, on
 * Linux and on Kestrel; the build machine may lack CAP_SYS_RESOURCE, so
 * no check needs it. gVisor's capability helper, chdir/mkdir/open/rename,
 * rlimits, close_range, prctl and sigprocmask tests check the same.
 */
#define WATCHDOG_S 10
#define CAP_V1 0x19980330
#define CAP_V3 0x20080522
#define CAP_DAC_OVERRIDE 1
#define CAP_DAC_READ_SEARCH 2
#define CAP_SYS_NICE 23
#define CAP_SYS_RESOURCE 24
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#define CLOSE_RANGE_CLOEXEC (1u << 2)

struct cap_header { uint32_t version; int pid; };
struct cap_data { uint32_t effective, permitted, inheritable; };
struct caps { uint64_t e, p, i; };

static char work[64]; /* each check's scratch directory */

static int get_caps(struct caps *c)
{
	struct cap_header h = { CAP_V3, 0 };
	struct cap_data d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	c->e = (uint64_t)d[1].effective << 32 | d[0].effective;
	c->p = (uint64_t)d[1].permitted << 32 | d[0].permitted;
	c->i = (uint64_t)d[1].inheritable << 32 | d[0].inheritable;
	return 0;
}

static long set_caps(const struct caps *c)
{
	struct cap_header h = { CAP_V3, 0 };
	struct cap_data d[2] = {
		{ (uint32_t)c->e, (uint32_t)c->p, (uint32_t)c->i },
		{ (uint32_t)(c->e >> 32), (uint32_t)(c->p >> 32), (uint32_t)(c->i >> 32) },
	};

	return syscall(SYS_capset, &h, d);
}

/* Drop caps (a mask) from the effective set, and from permitted too if perm. */
static int drop_caps(uint64_t mask, int perm)
{
	struct caps c;

	if (get_caps(&c))
		return fail("capget: %s", errname(errno));
	c.e &= ~mask;
	if (perm)
		c.p &= ~mask;
	return set_caps(&c) ? fail("capset dropping %#llx: %s", (unsigned long long)mask, errname(errno)) : 0;
}

#define BIT(cap) (1ull << (cap))

/* Version negotiation: an unknown version is EINVAL with V3 written back
 * (0 when data is NULL, libcap's probe); a negative pid is EINVAL. */
static int check_capget(void)
{
	struct cap_header h = { 0x12345678, 0 };
	struct cap_data d[2];
	struct caps c;

	errno = 0;
	if (want_err("capget(bad version)", syscall(SYS_capget, &h, d), EINVAL))
		return CHECK_FAIL;
	if (h.version != CAP_V3)
		return fail("capget wrote back version %#x, want %#x", h.version, CAP_V3);
	h.version = 0x12345678;
	if (want_eq("capget(bad version, NULL data)", syscall(SYS_capget, &h, NULL), 0))
		return CHECK_FAIL;
	if (h.version != CAP_V3)
		return fail("capget with NULL data wrote back %#x", h.version);
	h = (struct cap_header){ CAP_V3, -1 };
	errno = 0;
	if (want_err("capget(pid -1)", syscall(SYS_capget, &h, d), EINVAL))
		return CHECK_FAIL;
	h = (struct cap_header){ CAP_V1, 0 };
	if (want_eq("capget(version 1)", syscall(SYS_capget, &h, d), 0))
		return CHECK_FAIL;
	if (get_caps(&c))
		return fail("capget(V3): %s", errname(errno));
	if (!(c.e & BIT(CAP_DAC_OVERRIDE)) || c.e != c.p || (c.p >> 41))
		return fail("root's sets: effective %#llx permitted %#llx", (unsigned long long)c.e,
			    (unsigned long long)c.p);
	remark("effective %#llx", (unsigned long long)c.e);
	return CHECK_OK;
}

/* capset: effective within permitted, permitted only shrinks, only the caller. */
static int check_capset(void)
{
	struct caps c, now;
	struct cap_header h = { CAP_V3, getppid() };
	struct cap_data d[2] = { { 0, 0, 0 }, { 0, 0, 0 } };

	if (drop_caps(BIT(CAP_DAC_OVERRIDE), 0))
		return CHECK_FAIL;
	if (get_caps(&c))
		return fail("capget: %s", errname(errno));
	if (c.e & BIT(CAP_DAC_OVERRIDE) || !(c.p & BIT(CAP_DAC_OVERRIDE)))
		return fail("after dropping the effective bit: e %#llx p %#llx", (unsigned long long)c.e,
			    (unsigned long long)c.p);
	c.e |= BIT(CAP_DAC_OVERRIDE);
	if (want_eq("capset raising effective within permitted", set_caps(&c), 0))
		return CHECK_FAIL;
	if (drop_caps(BIT(CAP_DAC_OVERRIDE), 1))
		return CHECK_FAIL;
	if (get_caps(&now))
		return fail("capget: %s", errname(errno));
	now.e |= BIT(CAP_DAC_OVERRIDE);
	errno = 0;
	if (want_err("capset effective beyond permitted", set_caps(&now), EPERM))
		return CHECK_FAIL;
	now.e &= ~BIT(CAP_DAC_OVERRIDE);
	now.p |= BIT(CAP_DAC_OVERRIDE);
	errno = 0;
	if (want_err("capset raising permitted", set_caps(&now), EPERM))
		return CHECK_FAIL;
	errno = 0;
	return want_err("capset on another process", syscall(SYS_capset, &h, d), EPERM);
}

/* Without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH the mode bits count,
 * in Linux's order: search on the parent (EACCES), then the name
 * (EEXIST), then write on the parent (EACCES). */
static int check_dac(void)
{
	char d[96], sub[128], f[128];
	int r, fd;

	snprintf(d, sizeof(d), "%s/d", work);
	snprintf(sub, sizeof(sub), "%s/sub", d);
	snprintf(f, sizeof(f), "%s/f", work);
	if (mkdir(d, 0755) || mkdir(sub, 0755) || (fd = open(f, O_CREAT | O_WRONLY, 0)) < 0)
		return fail("setup: %s", errname(errno));
	close(fd);
	if (drop_caps(BIT(CAP_DAC_OVERRIDE) | BIT(CAP_DAC_READ_SEARCH), 0))
		return CHECK_FAIL;
	r = want_eq("chmod 0555", chmod(d, 0555), 0);
	errno = 0;
	if (!r)
		r = want_err("mkdir of an existing name in a 0555 directory", mkdir(sub, 0777), EEXIST);
	errno = 0;
	if (!r) {
		char n[160];
		snprintf(n, sizeof(n), "%s/new", d);
		r = want_err("mkdir of a new name in a 0555 directory", mkdir(n, 0777), EACCES);
		errno = 0;
		if (!r)
			r = want_err("open(O_CREAT) in a 0555 directory", open(n, O_CREAT | O_RDWR, 0666), EACCES);
		errno = 0;
		if (!r)
			r = want_err("link into a 0555 directory", link(f, n), EACCES);
	}
	if (!r && !(r = want_eq("chmod 0200", chmod(d, 0200), 0))) {
		errno = 0;
		r = want_err("mkdir of an existing name, no search permission", mkdir(sub, 0777), EACCES);
		errno = 0;
		if (!r)
			r = want_err("chdir into a 0200 directory", chdir(d), EACCES);
	}
	if (!r && !(r = want_eq("chmod 0100", chmod(d, 0100), 0))) {
		errno = 0;
		r = want_err("mkdir of an existing name, search only", mkdir(sub, 0777), EEXIST);
		errno = 0;
		if (!r)
			r = want_err("rmdir in a 0100 directory", rmdir(sub), EACCES);
	}
	errno = 0;
	if (!r)
		r = want_err("open(O_RDONLY) of a mode-0 file", open(f, O_RDONLY), EACCES);
	if (!r && (fd = open(f, O_PATH)) < 0)
		r = fail("open(O_PATH) of a mode-0 file: %s", errname(errno));
	else if (!r)
		close(fd);
	chmod(d, 0755);
	rmdir(sub);
	rmdir(d);
	unlink(f);
	return r;
}

/* Raising a hard limit needs CAP_SYS_RESOURCE; /proc/self/limits shows the limits. */
static int check_rlimit(void)
{
	struct rlimit rl;
	char buf[4096], want[128];
	int fd, n;

	if (drop_caps(BIT(CAP_SYS_RESOURCE), 0))
		return CHECK_FAIL;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return fail("getrlimit: %s", errname(errno));
	rl.rlim_cur = 100;
	rl.rlim_max = 200;
	if (want_eq("setrlimit(NOFILE, 100/200)", setrlimit(RLIMIT_NOFILE, &rl), 0))
		return CHECK_FAIL;
	rl.rlim_max = 201;
	errno = 0;
	if (want_err("raising the hard limit without CAP_SYS_RESOURCE", setrlimit(RLIMIT_NOFILE, &rl), EPERM))
		return CHECK_FAIL;
	if ((fd = open("/proc/self/limits", O_RDONLY)) < 0)
		return fail("open /proc/self/limits: %s", errname(errno));
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return fail("read /proc/self/limits: %s", errname(errno));
	buf[n] = '\0';
	snprintf(want, sizeof(want), "%-25s %-20s %-20s %-10s\n", "Max open files", "100", "200", "files");
	if (!strstr(buf, want) || strncmp(buf, "Limit                     Soft Limit", 36))
		return fail("/proc/self/limits has no line '%s'", want);
	return CHECK_OK;
}

/* close_range closes (or marks close-on-exec) what is open in the range. */
static int check_close_range(void)
{
	int fds[4] = { 100, 101, 102, 103 }, r = CHECK_OK, fd = open("/dev/null", O_RDONLY);

	if (fd < 0)
		return fail("open /dev/null: %s", errname(errno));
	for (int i = 0; i < 4; i++)
		if (dup2(fd, fds[i]) != fds[i])
			return fail("dup2 to %d: %s", fds[i], errname(errno));
	close(fd);
	errno = 0;
	if (want_err("close_range(first > last)", syscall(SYS_close_range, fds[1], fds[0], 0), EINVAL) ||
	    want_err("close_range(bad flag)", syscall(SYS_close_range, fds[0], fds[0], 1u << 10), EINVAL) ||
	    want_eq("close_range(CLOEXEC)", syscall(SYS_close_range, fds[2], fds[3], CLOSE_RANGE_CLOEXEC), 0))
		r = CHECK_FAIL;
	if (!r && fcntl(fds[2], F_GETFD) != FD_CLOEXEC)
		r = fail("fd %d is not close-on-exec after CLOSE_RANGE_CLOEXEC", fds[2]);
	if (!r && want_eq("close_range(first, ~0)", syscall(SYS_close_range, fds[1], ~0u, 0), 0))
		r = CHECK_FAIL;
	if (!r && (fcntl(fds[1], F_GETFD) != -1 || fcntl(fds[3], F_GETFD) != -1 || fcntl(fds[0], F_GETFD) == -1))
		r = fail("after close_range(%d, ~0): %d, %d should be closed and %d open", fds[1], fds[1],
			 fds[3], fds[0]);
	close(fds[0]);
	return r;
}

/* sched_setaffinity: a mask holding CPU 0 is fine, an empty or offline-only one EINVAL. */
static int check_affinity(void)
{
	uint64_t mask = 1, none = 0, far = 1ull << 63;

	if (want_eq("sched_setaffinity({0})", syscall(SYS_sched_setaffinity, 0, sizeof(mask), &mask), 0))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("sched_setaffinity({})", syscall(SYS_sched_setaffinity, 0, sizeof(none), &none), EINVAL))
		return CHECK_FAIL;
	if (sysconf(_SC_NPROCESSORS_CONF) >= 64)
		return CHECK_OK;
	errno = 0;
	return want_err("sched_setaffinity({63})", syscall(SYS_sched_setaffinity, 0, sizeof(far), &far), EINVAL);
}

/* The raw getpriority is 20 - nice; a lower nice needs CAP_SYS_NICE (or RLIMIT_NICE). */
static int check_priority(void)
{
	struct rlimit zero = { 0, 0 };

	if (want_eq("setpriority(0) as root (whatever nice it started with)",
		    syscall(SYS_setpriority, PRIO_PROCESS, 0, 0), 0) ||
	    want_eq("getpriority", syscall(SYS_getpriority, PRIO_PROCESS, 0), 20) ||
	    want_eq("setpriority(5)", syscall(SYS_setpriority, PRIO_PROCESS, 0, 5), 0) ||
	    want_eq("getpriority after nice 5", syscall(SYS_getpriority, PRIO_PROCESS, getpid()), 15) ||
	    want_eq("setpriority(100)", syscall(SYS_setpriority, PRIO_PROCESS, 0, 100), 0) ||
	    want_eq("getpriority after nice 100 (19)", syscall(SYS_getpriority, PRIO_PROCESS, 0), 1) ||
	    want_eq("setpriority(-20) as root", syscall(SYS_setpriority, PRIO_PROCESS, 0, -20), 0) ||
	    want_eq("getpriority after -20", syscall(SYS_getpriority, PRIO_PROCESS, 0), 40) ||
	    want_eq("setpriority(5) again", syscall(SYS_setpriority, PRIO_PROCESS, 0, 5), 0))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("getpriority(which 7)", syscall(SYS_getpriority, 7, 0), EINVAL) ||
	    want_err("getpriority(no such pid)", syscall(SYS_getpriority, PRIO_PROCESS, 0x3fffffff), ESRCH))
		return CHECK_FAIL;
	if (setrlimit(RLIMIT_NICE, &zero) || drop_caps(BIT(CAP_SYS_NICE), 0))
		return c_why[0] ? CHECK_FAIL : fail("setrlimit(NICE, 0): %s", errname(errno));
	errno = 0;
	return want_err("setpriority(0) from 5 without CAP_SYS_NICE", syscall(SYS_setpriority, PRIO_PROCESS, 0, 0),
			EACCES);
}

/* rt_sigprocmask with set == oset: the new mask is read before the old one is written. */
static int check_sigmask_alias(void)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	if (want_eq("block SIGUSR1", sigprocmask(SIG_SETMASK, &s, NULL), 0))
		return CHECK_FAIL;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	/* the raw call: libc's prototype forbids the aliasing (restrict) */
	if (want_eq("SIG_SETMASK {USR2} with set == oset",
		    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &s, &s, 8), 0))
		return CHECK_FAIL;
	if (!sigismember(&s, SIGUSR1) || sigismember(&s, SIGUSR2))
		return fail("the old mask written back is not {SIGUSR1}");
	sigprocmask(SIG_SETMASK, NULL, &s);
	if (!sigismember(&s, SIGUSR2) || sigismember(&s, SIGUSR1))
		return fail("the new mask is not {SIGUSR2}");
	return CHECK_OK;
}

static void *nnp_thread(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
}

/* prctl: dumpable, no_new_privs (per thread, inherited), PR_SET_MM's capability. */
static int check_prctl(void)
{
	pthread_t th;
	void *v;

	errno = 0;
	if (want_eq("PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE), 1) ||
	    want_eq("PR_SET_DUMPABLE 0", prctl(PR_SET_DUMPABLE, 0), 0) ||
	    want_eq("PR_GET_DUMPABLE after 0", prctl(PR_GET_DUMPABLE), 0) ||
	    want_err("PR_SET_DUMPABLE 2 (SUID_DUMP_ROOT)", prctl(PR_SET_DUMPABLE, 2), EINVAL) ||
	    want_eq("PR_GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0) ||
	    want_err("PR_SET_NO_NEW_PRIVS 0", prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0), EINVAL) ||
	    want_err("PR_GET_NO_NEW_PRIVS with an argument", prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0), EINVAL) ||
	    want_eq("PR_SET_NO_NEW_PRIVS 1", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0))
		return CHECK_FAIL;
	if (pthread_create(&th, NULL, nnp_thread, NULL) || pthread_join(th, &v))
		return fail("pthread_create");
	if ((intptr_t)v != 1)
		return fail("a new thread's PR_GET_NO_NEW_PRIVS is %ld, want 1", (long)(intptr_t)v);
	if (drop_caps(BIT(CAP_SYS_RESOURCE), 0))
		return CHECK_FAIL;
	errno = 0;
	return want_err("PR_SET_MM without CAP_SYS_RESOURCE", prctl(PR_SET_MM, 0, 0, 0, 0), EPERM);
}

/* A child subreaper: the flag reads back as 1, a child does not inherit
 * it, and an orphaned grandchild is reparented to it, not to init. */
static int check_subreaper(void)
{
	int on = 7, p[2], st;
	pid_t mid, me = getpid(), got = 0;

	if (want_eq("PR_SET_CHILD_SUBREAPER 42", prctl(PR_SET_CHILD_SUBREAPER, 42), 0) ||
	    want_eq("PR_GET_CHILD_SUBREAPER", prctl(PR_GET_CHILD_SUBREAPER, &on), 0))
		return CHECK_FAIL;
	if (on != 1)
		return fail("PR_GET_CHILD_SUBREAPER gave %d, want 1", on);
	if (pipe(p))
		return fail("pipe: %s", errname(errno));
	mid = fork();
	if (mid == 0) {
		int inherited = 7;
		prctl(PR_GET_CHILD_SUBREAPER, &inherited);
		if (inherited != 0)
			_exit(2);
		pid_t g = fork();
		if (g == 0) {
			while (getppid() != me && getppid() != 1)
				usleep(1000); /* until the middle child is gone */
			pid_t pp = getppid();
			if (write(p[1], &pp, sizeof(pp)) != sizeof(pp))
				_exit(1);
			_exit(0);
		}
		_exit(g < 0 ? 1 : 0);
	}
	close(p[1]);
	if (want_exit("the middle child", mid, 0))
		return CHECK_FAIL;
	if (read(p[0], &got, sizeof(got)) != sizeof(got))
		return fail("no word from the grandchild");
	close(p[0]);
	pid_t w = waitpid(-1, &st, 0); /* the grandchild, now ours */
	if (got != me)
		return fail("the orphan's parent is %d, want the subreaper %d", (int)got, (int)me);
	return w > 0 ? CHECK_OK : fail("waitpid for the reparented orphan: %s", errname(errno));
}

/* open: O_TRUNC on a directory is EISDIR, O_DIRECT on one EINVAL; access
 * mode 3 opens for neither reading nor writing. */
static int check_open_flags(void)
{
	char f[96];
	char c = 'x';
	int fd, r;

	errno = 0;
	if (want_err("open(dir, O_RDONLY | O_TRUNC)", open(work, O_RDONLY | O_TRUNC), EISDIR) ||
	    want_err("open(dir, O_RDONLY | O_DIRECT)", open(work, O_RDONLY | O_DIRECT), EINVAL))
		return CHECK_FAIL;
	snprintf(f, sizeof(f), "%s/f3", work);
	if ((fd = open(f, O_CREAT | O_RDWR, 0644)) < 0)
		return fail("create: %s", errname(errno));
	close(fd);
	if ((fd = open(f, O_WRONLY | O_RDWR)) < 0) {
		unlink(f);
		return fail("open(O_WRONLY | O_RDWR): %s", errname(errno));
	}
	errno = 0;
	r = want_err("write to an access-mode-3 fd", write(fd, &c, 1), EBADF);
	errno = 0;
	if (!r)
		r = want_err("read from an access-mode-3 fd", read(fd, &c, 1), EBADF);
	close(fd);
	unlink(f);
	return r;
}

static const struct check checks[] = {
	{ "capget", check_capget },
	{ "capset", check_capset },
	{ "dac", check_dac },
	{ "rlimit", check_rlimit },
	{ "close-range", check_close_range },
	{ "affinity", check_affinity },
	{ "priority", check_priority },
	{ "sigmask-alias", check_sigmask_alias },
	{ "prctl", check_prctl },
	{ "subreaper", check_subreaper },
	{ "open-flags", check_open_flags },
};

int main(int argc, char **argv)
{
	int r;

	signal(SIGALRM, SIG_DFL);
	alarm(WATCHDOG_S * 3);
	snprintf(work, sizeof(work), "/tmp/t-conform_csys.%d", (int)getpid());
	if (mkdir(work, 0755) && errno != EEXIST) {
		printf("conform_csys: mkdir %s: %s\n", work, strerror(errno));
		return 1;
	}
	c_isolate = 1;
	r = run_checks("conform_csys", checks, NELEMS(checks), argc, argv);
	rmdir(work);
	return r;
}
