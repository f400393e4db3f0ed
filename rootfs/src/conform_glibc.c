// SPDX-License-Identifier: MIT
// What glibc's programs ask of the kernel beyond musl's (issue 14): the extended-attribute
// calls ls -l makes through libacl/libselinux (answered, never ENOSYS; a file system without
// attributes says ENODATA or EOPNOTSUPP, an empty list), their argument checks in Linux's
// order; /proc/self/mountinfo, which coreutils' df reads for the mount table; fallocate and
// posix_fadvise, the policies' priority ranges and sched_rr_get_interval (CPython's
// test_posix), sigtimedwait/sigwaitinfo (test_signal) and clock_settime (test_time), which
// were ENOSYS.
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "checks.h"

#define XATTR_NAME_MAX 255
#define XATTR_SIZE_MAX 65536
#define ACL_NAME "system.posix_acl_access"
#define CAP_V3 0x20080522
#define CAP_SYS_TIME 25
#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#endif
#ifndef FALLOC_FL_COLLAPSE_RANGE
#define FALLOC_FL_COLLAPSE_RANGE 0x08
#endif

static char work[64]; /* a scratch file */

/* getxattr of an attribute nobody set: "none" (ENODATA) or "not here" (EOPNOTSUPP). */
static int check_xattr_absent(void)
{
	errno = 0;
	long r = lgetxattr(work, ACL_NAME, NULL, 0);
	if (r >= 0 || (errno != ENODATA && errno != EOPNOTSUPP))
		return fail("lgetxattr(%s) = %ld (%s), want ENODATA or EOPNOTSUPP", ACL_NAME, r,
			    errname(errno));
	remark("%s", errname(errno));
	errno = 0;
	r = getxattr(work, "user.kestrel", NULL, 0);
	if (r >= 0 || (errno != ENODATA && errno != EOPNOTSUPP))
		return fail("getxattr(user.kestrel) = %ld (%s)", r, errname(errno));
	int fd = open(work, O_RDONLY);
	errno = 0;
	r = fgetxattr(fd, ACL_NAME, NULL, 0);
	close(fd);
	if (r >= 0 || (errno != ENODATA && errno != EOPNOTSUPP))
		return fail("fgetxattr = %ld (%s)", r, errname(errno));
	return CHECK_OK;
}

/* listxattr: a length (0 here on Kestrel; Linux may list security.* names), never an error. */
static int check_xattr_list(void)
{
	char buf[1024];

	if (llistxattr(work, buf, sizeof(buf)) < 0)
		return fail("llistxattr: %s", errname(errno));
	if (listxattr(work, NULL, 0) < 0)
		return fail("listxattr(NULL, 0): %s", errname(errno));
	int fd = open(work, O_RDONLY);
	long r = flistxattr(fd, buf, sizeof(buf));
	close(fd);
	return r < 0 ? fail("flistxattr: %s", errname(errno)) : CHECK_OK;
}

/* The checks of the arguments: the file, the name's length, flags, size, the descriptor. */
static int check_xattr_args(void)
{
	char name[XATTR_NAME_MAX + 2];
	int r;

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	memcpy(name, "user.", 5);
	errno = 0;
	if ((r = want_err("getxattr(missing file)", getxattr("/nonexistent/f", "user.a", NULL, 0), ENOENT)))
		return r;
	errno = 0;
	if ((r = want_err("getxattr(\"\")", getxattr(work, "", NULL, 0), ERANGE)))
		return r;
	errno = 0;
	if ((r = want_err("getxattr(256-byte name)", getxattr(work, name, NULL, 0), ERANGE)))
		return r;
	errno = 0;
	if ((r = want_err("setxattr(flags 4)", setxattr(work, "user.a", "v", 1, 4), EINVAL)))
		return r;
	errno = 0;
	if ((r = want_err("setxattr(size 64 KiB + 1)", setxattr(work, "user.a", "v", XATTR_SIZE_MAX + 1, 0),
			  E2BIG)))
		return r;
	errno = 0;
	if ((r = want_err("fgetxattr(-1)", fgetxattr(-1, "user.a", NULL, 0), EBADF)))
		return r;
	errno = 0;
	if ((r = want_err("fremovexattr(-1)", fremovexattr(-1, "user.a"), EBADF)))
		return r;
	int fd = open(work, O_PATH);
	errno = 0;
	r = want_err("fgetxattr(O_PATH fd)", fgetxattr(fd, "user.a", NULL, 0), EBADF);
	close(fd);
	return r;
}

/* /proc/self/mountinfo: Linux's format, with the root mount in it. */
static int check_mountinfo(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[512];
	int root = 0;

	if (!f)
		return fail("open /proc/self/mountinfo: %s", errname(errno));
	while (fgets(line, sizeof(line), f)) {
		int id, parent;
		unsigned maj, min;
		char rootdir[128], mnt[128];
		if (sscanf(line, "%d %d %u:%u %127s %127s", &id, &parent, &maj, &min, rootdir, mnt) != 6 ||
		    !strstr(line, " - ")) {
			fclose(f);
			return fail("malformed line: %s", line);
		}
		root |= !strcmp(mnt, "/");
	}
	fclose(f);
	return root ? CHECK_OK : fail("no mount at /");
}

static long file_size(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? -1 : (long)st.st_size;
}

/* fallocate mode 0 grows a file (reads back zeros), never shrinks it; KEEP_SIZE keeps it. */
static int check_fallocate(void)
{
	int fd = open(work, O_RDWR | O_TRUNC);
	char buf[16];
	int r = CHECK_OK;

	if (fd < 0)
		return fail("open: %s", errname(errno));
	if (fallocate(fd, 0, 0, 8192) != 0)
		r = fail("fallocate(0, 8192): %s", errname(errno));
	else if (file_size(fd) != 8192)
		r = fail("size %ld after fallocate(0, 8192), want 8192", file_size(fd));
	else if (pread(fd, buf, sizeof(buf), 4000) != sizeof(buf) || buf[0] || buf[15])
		r = fail("the allocated range does not read back zeros");
	else if (fallocate(fd, 0, 100, 10) != 0 || file_size(fd) != 8192)
		r = fail("fallocate inside the file changed its size to %ld", file_size(fd));
	else if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 4096) != 0 || file_size(fd) != 8192)
		r = fail("fallocate(KEEP_SIZE) past the end: %s, size %ld", errname(errno), file_size(fd));
	close(fd);
	return r;
}

/* fallocate's argument checks: range, mode, descriptor, file type. */
static int check_fallocate_args(void)
{
	int fd = open(work, O_RDWR), ro = open(work, O_RDONLY), p[2];
	int r;

	if (fd < 0 || ro < 0 || pipe(p))
		return fail("set-up: %s", errname(errno));
	errno = 0;
	if (!(r = want_err("fallocate(len 0)", fallocate(fd, 0, 0, 0), EINVAL)) &&
	    !(r = (errno = 0, want_err("fallocate(offset -1)", fallocate(fd, 0, -1, 10), EINVAL))) &&
	    !(r = (errno = 0, want_err("fallocate(O_RDONLY fd, COLLAPSE|KEEP_SIZE)",
					fallocate(ro, FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_KEEP_SIZE, 0, 4096),
					EOPNOTSUPP))) &&
	    !(r = (errno = 0, want_err("fallocate(O_RDONLY fd)", fallocate(ro, 0, 0, 10), EBADF))) &&
	    !(r = (errno = 0, want_err("fallocate(pipe)", fallocate(p[1], 0, 0, 10), ESPIPE))))
		r = (errno = 0, want_err("fallocate(-1)", fallocate(-1, 0, 0, 10), EBADF));
	close(fd), close(ro), close(p[0]), close(p[1]);
	return r;
}

/* posix_fadvise: valid advice is 0 on a file; the errors come back as its value. */
static int check_fadvise(void)
{
	int fd = open(work, O_RDONLY), p[2];
	int r = CHECK_OK, e;

	if (fd < 0 || pipe(p))
		return fail("set-up: %s", errname(errno));
	if ((e = posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED)) != 0)
		r = fail("posix_fadvise(WILLNEED) = %s", errname(e));
	else if ((e = posix_fadvise(fd, 0, 0, 99)) != EINVAL)
		r = fail("posix_fadvise(advice 99) = %s, want EINVAL", errname(e));
	else if ((e = posix_fadvise(p[0], 0, 0, POSIX_FADV_NORMAL)) != ESPIPE)
		r = fail("posix_fadvise(pipe) = %s, want ESPIPE", errname(e));
	else if ((e = posix_fadvise(-1, 0, 0, POSIX_FADV_NORMAL)) != EBADF)
		r = fail("posix_fadvise(-1) = %s, want EBADF", errname(e));
	else if (errno = 0, syscall(SYS_fadvise64, fd, 0, -1L, POSIX_FADV_NORMAL) != -1 || errno != EINVAL)
		r = fail("fadvise64(len -1): %s, want EINVAL", errname(errno));
	close(fd), close(p[0]), close(p[1]);
	return r;
}

/* The priority range of each policy (1..99 for FIFO and RR, 0..0 for the others), an
 * unknown policy EINVAL; the round-robin interval of the caller, under a second. */
static int check_sched_queries(void)
{
	struct timespec ts;

	if (sched_get_priority_max(SCHED_FIFO) != 99 || sched_get_priority_min(SCHED_RR) != 1)
		return fail("FIFO/RR range %d..%d, want 1..99", sched_get_priority_min(SCHED_RR),
			    sched_get_priority_max(SCHED_FIFO));
	if (sched_get_priority_max(SCHED_OTHER) != 0 || sched_get_priority_min(SCHED_BATCH) != 0)
		return fail("OTHER/BATCH range not 0..0: %s", errname(errno));
	errno = 0;
	int r = want_err("sched_get_priority_max(42)", sched_get_priority_max(42), EINVAL);
	if (r)
		return r;
	if (sched_rr_get_interval(0, &ts) != 0)
		return fail("sched_rr_get_interval(0): %s", errname(errno));
	if (ts.tv_sec != 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return fail("interval %ld.%09ld s, want under a second", (long)ts.tv_sec, ts.tv_nsec);
	errno = 0;
	return want_err("sched_rr_get_interval(-1)", sched_rr_get_interval(-1, &ts), EINVAL);
}

/* sigtimedwait takes a pending blocked signal at once, with its siginfo. */
static int check_sigwait_pending(void)
{
	sigset_t set, old;
	siginfo_t info;
	struct timespec zero = { 0, 0 };
	int r = CHECK_OK;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	kill(getpid(), SIGUSR1);
	int sig = sigtimedwait(&set, &info, &zero);
	if (sig != SIGUSR1)
		r = fail("sigtimedwait = %d (%s), want SIGUSR1", sig, errname(errno));
	else if (info.si_signo != SIGUSR1 || info.si_code != SI_USER || info.si_pid != getpid())
		r = fail("siginfo signo %d code %d pid %d", info.si_signo, info.si_code, (int)info.si_pid);
	else if (sigpending(&old) == 0 && sigismember(&old, SIGUSR1))
		r = fail("SIGUSR1 still pending after sigtimedwait took it");
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	return r;
}

/* Nothing comes: EAGAIN after the timeout (not before); a bad timeout or set size is EINVAL. */
static int check_sigwait_timeout(void)
{
	sigset_t set;
	struct timespec ts = { 0, 50 * 1000 * 1000 }, bad = { 0, 1000000000 };
	int r;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	long long t0 = now_ms();
	errno = 0;
	r = want_err("sigtimedwait(50 ms)", sigtimedwait(&set, NULL, &ts), EAGAIN);
	if (!r && now_ms() - t0 < 40)
		r = fail("sigtimedwait returned after %lld ms, want 50", now_ms() - t0);
	errno = 0;
	if (!r)
		r = want_err("sigtimedwait(nsec 10^9)", sigtimedwait(&set, NULL, &bad), EINVAL);
	errno = 0;
	if (!r)
		r = want_err("rt_sigtimedwait(sigsetsize 4)", syscall(SYS_rt_sigtimedwait, &set, NULL, &ts, 4),
			     EINVAL);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	return r;
}

/* sigwaitinfo sleeps until another process sends a signal of the set. */
static int check_sigwait_sleeps(void)
{
	sigset_t set;
	siginfo_t info;
	int r = CHECK_OK, status;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pid_t parent = getpid(), child = fork();
	if (child == 0) {
		ms_sleep(50);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	int sig = sigwaitinfo(&set, &info);
	if (sig != SIGUSR1)
		r = fail("sigwaitinfo = %d (%s), want SIGUSR1", sig, errname(errno));
	else if (info.si_pid != child)
		r = fail("si_pid %d, want the child %d", (int)info.si_pid, (int)child);
	wait_child(child, 5000, &status);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	return r;
}

/* clock_settime: monotonic and CPU-time clocks cannot be set (EINVAL), a bad time is EINVAL, setting
 * CLOCK_REALTIME to what it reads is allowed to root (0; EPERM where CAP_SYS_TIME is not
 * permitted, as in a container) and refused without CAP_SYS_TIME (EPERM, in a child). */
static int check_clock_settime(void)
{
	struct timespec now, bad = { 0, 1000000000 };
	int r, status;

	clock_gettime(CLOCK_REALTIME, &now);
	errno = 0;
	if ((r = want_err("clock_settime(MONOTONIC)", clock_settime(CLOCK_MONOTONIC, &now), EINVAL)))
		return r;
	errno = 0; /* nor the CPU-time clocks: no setter, EINVAL (not posix_cpu_clock_set's EPERM) */
	if ((r = want_err("clock_settime(PROCESS_CPUTIME_ID)", clock_settime(CLOCK_PROCESS_CPUTIME_ID, &now),
			  EINVAL)))
		return r;
	errno = 0;
	if ((r = want_err("clock_settime(THREAD_CPUTIME_ID)", clock_settime(CLOCK_THREAD_CPUTIME_ID, &now),
			  EINVAL)))
		return r;
	errno = 0;
	if ((r = want_err("clock_settime(nsec 10^9)", clock_settime(CLOCK_REALTIME, &bad), EINVAL)))
		return r;
	clock_gettime(CLOCK_REALTIME, &now);
	errno = 0;
	if (clock_settime(CLOCK_REALTIME, &now) != 0 && errno != EPERM)
		return fail("clock_settime(REALTIME, now): %s", errname(errno));
	remark("as root: %s", errname(errno));
	pid_t child = fork();
	if (child == 0) {
		struct { uint32_t version; int pid; } h = { CAP_V3, 0 };
		struct { uint32_t effective, permitted, inheritable; } d[2];
		if (syscall(SYS_capget, &h, d))
			_exit(2);
		d[0].effective &= ~(1u << CAP_SYS_TIME);
		if (syscall(SYS_capset, &h, d))
			_exit(2);
		clock_gettime(CLOCK_REALTIME, &now);
		_exit(clock_settime(CLOCK_REALTIME, &now) == -1 && errno == EPERM ? 0 : 1);
	}
	if (wait_child(child, 5000, &status) || !WIFEXITED(status))
		return fail("the child did not exit");
	if (WEXITSTATUS(status) == 2)
		return skip("capget/capset: cannot drop CAP_SYS_TIME here");
	return WEXITSTATUS(status) ? fail("clock_settime without CAP_SYS_TIME did not fail with EPERM")
				   : CHECK_OK;
}

static const struct check checks[] = {
	{ "xattr-absent", check_xattr_absent },
	{ "xattr-list", check_xattr_list },
	{ "xattr-args", check_xattr_args },
	{ "mountinfo", check_mountinfo },
	{ "fallocate", check_fallocate },
	{ "fallocate-args", check_fallocate_args },
	{ "fadvise", check_fadvise },
	{ "sched-queries", check_sched_queries },
	{ "sigwait-pending", check_sigwait_pending },
	{ "sigwait-timeout", check_sigwait_timeout },
	{ "sigwait-sleeps", check_sigwait_sleeps },
	{ "clock-settime", check_clock_settime },
};

int main(int argc, char **argv)
{
	snprintf(work, sizeof(work), "/tmp/t-conform_glibc.%d", (int)getpid());
	int fd = open(work, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0) {
		printf("conform_glibc: create %s: %s\n", work, strerror(errno));
		return 1;
	}
	close(fd);
	int r = run_checks("conform_glibc", checks, NELEMS(checks), argc, argv);
	unlink(work);
	return r;
}
