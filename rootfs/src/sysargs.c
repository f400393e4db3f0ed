// SPDX-License-Identifier: MIT
// System-call arguments decoded as Linux's prototypes declare them: 64-bit register values in int arguments.
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include "checks.h"

/*
 * Linux reads an `unsigned int fd` or an `int flags` argument from the
 * low 32 bits of its register, whatever the high bits hold: a program
 * that leaves garbage above an int (as a compiler may) gets the same
 * answer as one that does not. Kestrel once checked fcntl's fd as an int
 * and then indexed its close-on-exec table with the whole register, a
 * kernel page fault (issue 9, finding 1). Each check passes a value with
 * high bits set where Linux has a 32-bit argument and wants the answer
 * the low 32 bits give, through raw syscall() so that libc cannot
 * truncate it first.
 *
 * Usage: t-sysargs [CHECK...]
 */
#define HIGH (1l << 32)		/* a bit no 32-bit argument has */
#define HIGH_JUNK (0xdead0000l << 32)

static int fcntl_high_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd < 0)
		return fail("open /dev/null: %s", errname(errno));
	long r = syscall(SYS_fcntl, HIGH | fd, F_SETFD, FD_CLOEXEC);
	long got = fcntl(fd, F_GETFD);
	long r2 = syscall(SYS_fcntl, HIGH_JUNK | fd, F_GETFD);
	close(fd);
	if (r != 0)
		return fail("fcntl(1<<32 | %d, F_SETFD): %ld/%s, want 0", fd, r, errname(errno));
	if (got != FD_CLOEXEC)
		return fail("F_SETFD through a 64-bit fd did not set fd %d's flag (F_GETFD %ld)", fd, got);
	return want_eq("fcntl(junk | fd, F_GETFD)", r2, FD_CLOEXEC);
}

static int fcntl_high_fd0(void)
{
	/* The exact call of the report: fd (1 << 32) | 0 is fd 0. */
	long before = fcntl(0, F_GETFD);
	long r = syscall(SYS_fcntl, HIGH | 0, F_SETFD, FD_CLOEXEC);
	long after = fcntl(0, F_GETFD);

	fcntl(0, F_SETFD, before < 0 ? 0 : before);
	if (before < 0)
		return skip("fd 0 is not open");
	if (r != 0)
		return fail("fcntl(1<<32, F_SETFD): %ld/%s", r, errname(errno));
	return want_eq("F_GETFD of fd 0 after it", after, FD_CLOEXEC);
}

static int ioctl_fioclex(void)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd < 0)
		return fail("open /dev/null: %s", errname(errno));
	long r1 = syscall(SYS_ioctl, HIGH | fd, HIGH | FIOCLEX, 0);
	long set = fcntl(fd, F_GETFD);
	long r2 = syscall(SYS_ioctl, HIGH_JUNK | fd, FIONCLEX, 0);
	long clear = fcntl(fd, F_GETFD);
	close(fd);
	if (r1 != 0 || set != FD_CLOEXEC)
		return fail("ioctl(1<<32 | fd, FIOCLEX): %ld, flag %ld", r1, set);
	if (r2 != 0 || clear != 0)
		return fail("ioctl(junk | fd, FIONCLEX): %ld, flag %ld", r2, clear);
	return CHECK_OK;
}

static int rw_high_fd(void)
{
	int p[2];
	char c = 0;

	if (pipe(p))
		return fail("pipe: %s", errname(errno));
	long w = syscall(SYS_write, HIGH | p[1], "x", 1);
	long r = syscall(SYS_read, HIGH_JUNK | p[0], &c, 1);
	long cl = syscall(SYS_close, HIGH | p[1]);
	long cl2 = close(p[1]);
	int e = errno;
	close(p[0]);
	if (w != 1 || r != 1 || c != 'x')
		return fail("write/read through 64-bit fds: %ld, %ld, '%c'", w, r, c);
	if (cl != 0)
		return fail("close(1<<32 | fd): %ld/%s", cl, errname(errno));
	errno = e;
	return want_err("close of the fd that close(1<<32 | fd) closed", cl2, EBADF);
}

static int dup2_high_newfd(void)
{
	int fd = open("/dev/null", O_RDONLY);
	int target = 40;

	if (fd < 0)
		return fail("open /dev/null: %s", errname(errno));
	close(target);
	long r = syscall(SYS_dup2, fd, HIGH | target);
	int ok = fcntl(target, F_GETFD) != -1;
	close(target);
	close(fd);
	if (r != target || !ok)
		return fail("dup2(fd, 1<<32 | %d) returned %ld (open: %d), want %d", target, r, ok, target);
	return CHECK_OK;
}

static int lseek_high_whence(void)
{
	int fd = open("/dev/zero", O_RDONLY);

	if (fd < 0)
		return fail("open /dev/zero: %s", errname(errno));
	/* whence is an unsigned int: HIGH | SEEK_SET is SEEK_SET */
	long r = syscall(SYS_lseek, fd, 0, HIGH | SEEK_SET);
	close(fd);
	return want_eq("lseek(/dev/zero, 0, 1<<32 | SEEK_SET)", r, 0);
}

static int open_high_flags(void)
{
	/* flags is an int: the high half of the register is not O_anything */
	long fd = syscall(SYS_open, "/dev/null", HIGH_JUNK | O_RDONLY, 0);

	if (fd < 0)
		return fail("open(/dev/null, junk | O_RDONLY): %s", errname(errno));
	long fl = fcntl((int)fd, F_GETFL);
	close((int)fd);
	if ((fl & O_ACCMODE) != O_RDONLY)
		return fail("open with junk above the flags gave F_GETFL %#lx", fl);
	return CHECK_OK;
}

static int kill_high_pid(void)
{
	/* pid_t is an int: (1<<32) | getpid() is this process; signal 0 only checks */
	long r = syscall(SYS_kill, HIGH | getpid(), HIGH | 0);

	return want_eq("kill(1<<32 | getpid(), 1<<32 | 0)", r, 0);
}

static int kill_negative_sig(void)
{
	errno = 0;
	long r = syscall(SYS_kill, getpid(), -1);

	return want_err("kill(getpid(), -1)", r, EINVAL);
}

static int itimer_negative_which(void)
{
	struct itimerval v;

	errno = 0;
	long r = syscall(SYS_getitimer, -1, &v);
	if (want_err("getitimer(-1)", r, EINVAL))
		return CHECK_FAIL;
	errno = 0;
	r = syscall(SYS_getitimer, HIGH | ITIMER_REAL, &v);
	return want_eq("getitimer(1<<32 | ITIMER_REAL)", r, 0);
}

static int umask_high(void)
{
	mode_t old = umask(022);
	long r = syscall(SYS_umask, HIGH | 077);
	long back = syscall(SYS_umask, old);

	if (r != 022 || back != 077)
		return fail("umask(1<<32 | 077): returned %#lo then %#lo, want 022 then 077", r, back);
	return CHECK_OK;
}

static int rlimit_high_resource(void)
{
	struct rlimit rl;
	long r = syscall(SYS_getrlimit, HIGH | RLIMIT_NOFILE, &rl);

	if (r != 0)
		return fail("getrlimit(1<<32 | RLIMIT_NOFILE): %ld/%s", r, errname(errno));
	errno = 0;
	return want_err("getrlimit(16)", syscall(SYS_getrlimit, 16, &rl), EINVAL);
}

static const struct check checks[] = {
	{ "fcntl-high-fd", fcntl_high_fd },
	{ "fcntl-high-fd0", fcntl_high_fd0 },
	{ "ioctl-fioclex", ioctl_fioclex },
	{ "rw-high-fd", rw_high_fd },
	{ "dup2-high-newfd", dup2_high_newfd },
	{ "lseek-high-whence", lseek_high_whence },
	{ "open-high-flags", open_high_flags },
	{ "kill-high-pid", kill_high_pid },
	{ "kill-negative-sig", kill_negative_sig },
	{ "itimer-negative-which", itimer_negative_which },
	{ "umask-high", umask_high },
	{ "rlimit-high-resource", rlimit_high_resource },
};

int main(int argc, char **argv)
{
	return run_checks("sysargs", checks, NELEMS(checks), argc, argv);
}
