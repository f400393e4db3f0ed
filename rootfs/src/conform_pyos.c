// SPDX-License-Identifier: MIT
// What CPython's regression suite (issue 14's module list) found missing, each as Linux
// answers it: the scheduling policies (sched_{get,set}scheduler, sched_{get,set}param, with
// SCHED_RESET_ON_FORK), splice between a file and a pipe (offsets, never blocking half-way,
// the errors), copy_file_range, pidfds (pidfd_open, poll, pidfd_send_signal on a pidfd and on
// a /proc/PID directory, waitid P_PIDFD), preadv2/pwritev2 with their flags, /proc/PID/status's
// SigIgn and SigCgt, an epoll_wait reporting more than 1024 events, and dnotify (F_NOTIFY);
// and kernel.ns_last_pid, with a /proc/PID directory that names one process, not a pid.
// Raw system calls throughout: musl's sched_* wrappers answer ENOSYS by design.
#define _GNU_SOURCE
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include "checks.h"

#define SYS_PIDFD_SEND_SIGNAL 424
#define SYS_PIDFD_OPEN 434
#define SYS_COPY_FILE_RANGE 326
#define SYS_PREADV2 327
#define SYS_PWRITEV2 328
#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#define RWF_HIPRI_ 0x01
#define RWF_DSYNC_ 0x02
#define SPLICE_NONBLOCK 2
#define FILE_A "/tmp/pyos.a"
#define FILE_B "/tmp/pyos.b"
#define PIPE_CAP 65536
#define BIG (200 * 1024)
#define MANY_EVENTS 1500

static long set_sched(pid_t pid, int policy, int prio)
{
	struct sched_param p = { .sched_priority = prio };

	return syscall(SYS_sched_setscheduler, pid, policy, &p);
}

static long get_prio(pid_t pid)
{
	struct sched_param p = { .sched_priority = -1 };
	long r = syscall(SYS_sched_getparam, pid, &p);

	return r ? r : p.sched_priority;
}

/* The policies' checks, Linux's EINVALs, and the values read back. */
static int check_sched_policy(void)
{
	int r;

	if ((r = want_eq("getscheduler(0)", syscall(SYS_sched_getscheduler, 0), SCHED_OTHER)))
		return r;
	if ((r = want_eq("getparam(0)", get_prio(0), 0)))
		return r;
	errno = 0;
	if ((r = want_err("getscheduler(-1)", syscall(SYS_sched_getscheduler, -1), EINVAL)))
		return r;
	errno = 0;
	if ((r = want_err("getparam(-1)", get_prio(-1), EINVAL)))
		return r;
	errno = 0;
	if ((r = want_err("setscheduler(OTHER, 1)", set_sched(0, SCHED_OTHER, 1), EINVAL)))
		return r;
	errno = 0;
	if ((r = want_err("setscheduler(FIFO, 0)", set_sched(0, SCHED_FIFO, 0), EINVAL)))
		return r;
	errno = 0;
	if ((r = want_err("setscheduler(RR, 100)", set_sched(0, SCHED_RR, 100), EINVAL)))
		return r;
	errno = 0;
	if ((r = want_err("setscheduler(policy 4)", set_sched(0, 4, 0), EINVAL)))
		return r;
	errno = 0;
	if ((r = want_err("setscheduler(policy -1)", set_sched(0, -1, 0), EINVAL)))
		return r;
	errno = 0;
	if ((r = want_err("setscheduler(pid -1)", set_sched(-1, SCHED_OTHER, 0), EINVAL)))
		return r;
	if ((r = want_eq("setscheduler(BATCH)", set_sched(0, SCHED_BATCH, 0), 0)))
		return r;
	r = want_eq("getscheduler after BATCH", syscall(SYS_sched_getscheduler, 0), SCHED_BATCH);
	if (!r) {
		struct sched_param p = { 0 };
		r = want_eq("setparam(0)", syscall(SYS_sched_setparam, 0, &p), 0);
	}
	if (!r)
		r = want_eq("getscheduler after setparam", syscall(SYS_sched_getscheduler, 0),
			    SCHED_BATCH);
	set_sched(0, SCHED_OTHER, 0);
	return r ? r : want_eq("back to OTHER", syscall(SYS_sched_getscheduler, 0), SCHED_OTHER);
}

/* A real-time policy (root, or CAP_SYS_NICE) reads back with its priority;
 * SCHED_RESET_ON_FORK shows in getscheduler and gives a child SCHED_OTHER. */
static int check_sched_rt_reset(void)
{
	int r, st;

	errno = 0;
	if (set_sched(0, SCHED_FIFO | SCHED_RESET_ON_FORK, 10) == -1)
		return errno == EPERM ? skip("no CAP_SYS_NICE here") :
		       fail("setscheduler(FIFO|RESET_ON_FORK, 10): %s", errname(errno));
	r = want_eq("getscheduler", syscall(SYS_sched_getscheduler, 0),
		    SCHED_FIFO | SCHED_RESET_ON_FORK);
	if (!r)
		r = want_eq("getparam", get_prio(0), 10);
	pid_t pid = r ? 0 : fork();
	if (!r && pid == 0)
		_exit(syscall(SYS_sched_getscheduler, 0) == SCHED_OTHER && get_prio(0) == 0 ? 0 : 1);
	if (!r && pid < 0)
		r = fail("fork: %s", errname(errno));
	else if (!r && wait_child(pid, 5000, &st) != CHECK_OK)
		r = CHECK_FAIL;
	else if (!r && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		r = fail("the child of a RESET_ON_FORK FIFO thread is not SCHED_OTHER, priority 0");
	set_sched(0, SCHED_OTHER | SCHED_RESET_ON_FORK, 0);
	set_sched(0, SCHED_OTHER, 0);
	return r;
}

/* A file of n bytes 0, 1, 2... (mod 251), open read-only: the descriptor. */
static int pattern_file(const char *path, size_t n)
{
	static char buf[BIG];

	for (size_t i = 0; i < n && i < sizeof(buf); i++)
		buf[i] = (char)(i % 251);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, buf, n) != (ssize_t)n) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return open(path, O_RDONLY);
}

static long splice_(int in, loff_t *offin, int out, loff_t *offout, size_t n, unsigned fl)
{
	return syscall(SYS_splice, in, offin, out, offout, n, fl);
}

/* File to pipe at an offset (the file position stays), then pipe to file. */
static int check_splice_basic(void)
{
	int p[2], in = pattern_file(FILE_A, 100), out = -1, r = CHECK_OK;
	loff_t off = 10, off2 = 3;
	unsigned char got[8];

	if (in < 0 || pipe(p))
		return fail("set-up: %s", errname(errno));
	r = want_eq("splice(file@10 -> pipe, 5)", splice_(in, &off, p[1], NULL, 5, 0), 5);
	if (!r && (off != 15 || lseek(in, 0, SEEK_CUR) != 0))
		r = fail("offset %lld, position %ld: want 15 and 0", (long long)off,
			 (long)lseek(in, 0, SEEK_CUR));
	if (!r)
		r = want_eq("splice(file -> pipe, 3) at the position", splice_(in, NULL, p[1], NULL, 3, 0), 3);
	if (!r && lseek(in, 0, SEEK_CUR) != 3)
		r = fail("position %ld after a splice without offset, want 3", (long)lseek(in, 0, SEEK_CUR));
	out = open(FILE_B, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (!r && out < 0)
		r = fail("open %s: %s", FILE_B, errname(errno));
	if (!r)
		r = want_eq("splice(pipe -> file@3, 100)", splice_(p[0], NULL, out, &off2, 100, 0), 8);
	if (!r && (pread(out, got, 8, 3) != 8 || got[0] != 10 || got[4] != 14 || got[5] != 0 ||
		   got[7] != 2 || off2 != 11 || lseek(out, 0, SEEK_CUR) != 0))
		r = fail("pipe -> file wrote the wrong bytes, offset or position");
	close(p[0]), close(p[1]), close(in);
	if (out >= 0)
		close(out);
	unlink(FILE_A), unlink(FILE_B);
	return r;
}

/* Linux's errors, and never blocking half-way: into a 64 KiB pipe, a 200 KiB
 * splice moves at most what fits; into a full pipe or out of an empty one
 * SPLICE_F_NONBLOCK is EAGAIN; with no writer left, 0. */
static int check_splice_limits(void)
{
	int p[2], q[2], in = pattern_file(FILE_A, BIG), r;
	int dir = open(FILE_B, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	loff_t off = 0;

	if (in < 0 || dir < 0 || pipe(p) || pipe(q))
		return fail("set-up: %s", errname(errno));
	errno = 0;
	r = want_err("splice(file -> file)", splice_(in, NULL, dir, NULL, 1, 0), EINVAL);
	errno = 0;
	if (!r)
		r = want_err("splice(offset on the pipe)", splice_(in, NULL, p[1], &off, 1, 0), ESPIPE);
	errno = 0;
	if (!r)
		r = want_err("splice(bad flags)", splice_(in, NULL, p[1], NULL, 1, 0x100), EINVAL);
	errno = 0;
	if (!r)
		r = want_err("splice(into the read end)", splice_(in, NULL, p[0], NULL, 1, 0), EBADF);
	errno = 0;
	if (!r)
		r = want_err("splice(a pipe into itself)", splice_(p[0], NULL, p[1], NULL, 1, 0), EINVAL);
	if (!r)
		r = want_eq("splice(len 0)", splice_(-1, NULL, -1, NULL, 0, 0), 0);
	errno = 0;
	if (!r)
		r = want_err("splice(empty pipe, NONBLOCK)",
			     splice_(p[0], NULL, q[1], NULL, 10, SPLICE_NONBLOCK), EAGAIN);
	long n = r ? 0 : splice_(in, NULL, p[1], NULL, BIG, 0);
	if (!r && (n <= 0 || n > PIPE_CAP))
		r = fail("splice(200 KiB -> 64 KiB pipe) = %ld (%s), want 1..65536", n, errname(errno));
	if (!r && n == PIPE_CAP) {
		errno = 0;
		r = want_err("splice(-> full pipe, NONBLOCK)",
			     splice_(in, NULL, p[1], NULL, 10, SPLICE_NONBLOCK), EAGAIN);
	}
	if (!r)
		r = want_eq("splice(pipe -> pipe, 100)", splice_(p[0], NULL, q[1], NULL, 100, 0), 100);
	close(q[1]);
	char b[200];
	if (!r && (read(q[0], b, sizeof(b)) != 100 || b[0] != 0 || b[99] != 99))
		r = fail("pipe -> pipe moved the wrong bytes");
	int e[2] = { -1, -1 };
	if (!r && pipe(e))
		r = fail("pipe: %s", errname(errno));
	if (!r) /* into an empty pipe: Linux counts a pipe's room in pages, not bytes */
		r = want_eq("splice(pipe without writer -> pipe)",
			    splice_(q[0], NULL, e[1], NULL, 10, SPLICE_NONBLOCK), 0);
	close(e[0]), close(e[1]);
	close(p[0]), close(p[1]), close(q[0]), close(in), close(dir);
	unlink(FILE_A), unlink(FILE_B);
	return r;
}

static long cfr(int in, loff_t *offin, int out, loff_t *offout, size_t n, unsigned fl)
{
	return syscall(SYS_COPY_FILE_RANGE, in, offin, out, offout, n, fl);
}

/* copy_file_range: bytes at offsets or positions, up to the source's end; Linux's errors. */
static int check_copy_file_range(void)
{
	int in = pattern_file(FILE_A, 100), out = open(FILE_B, O_RDWR | O_CREAT | O_TRUNC, 0600);
	int app = open(FILE_B, O_WRONLY | O_APPEND), dir = open("/tmp", O_RDONLY), r;
	loff_t oi = 95, oo = 2;
	unsigned char got[8];

	if (in < 0 || out < 0 || app < 0 || dir < 0)
		return fail("set-up: %s", errname(errno));
	r = want_eq("copy_file_range(5)", cfr(in, NULL, out, NULL, 5, 0), 5);
	if (!r && (lseek(in, 0, SEEK_CUR) != 5 || lseek(out, 0, SEEK_CUR) != 5))
		r = fail("positions not advanced by 5");
	if (!r)
		r = want_eq("copy_file_range(@95 -> @2, 50): to the end", cfr(in, &oi, out, &oo, 50, 0), 5);
	if (!r && (oi != 100 || oo != 7 || pread(out, got, 7, 0) != 7 || got[0] != 0 ||
		   got[2] != 95 || got[6] != 99))
		r = fail("offsets %lld/%lld or bytes wrong", (long long)oi, (long long)oo);
	if (!r)
		r = want_eq("copy_file_range(past the end)", cfr(in, &oi, out, NULL, 5, 0), 0);
	errno = 0;
	if (!r)
		r = want_err("copy_file_range(flags 1)", cfr(in, NULL, out, NULL, 5, 1), EINVAL);
	errno = 0;
	if (!r)
		r = want_err("copy_file_range(-> O_APPEND)", cfr(in, NULL, app, NULL, 5, 0), EBADF);
	errno = 0;
	if (!r)
		r = want_err("copy_file_range(directory)", cfr(dir, NULL, out, NULL, 5, 0), EISDIR);
	oi = 0, oo = 2;
	errno = 0;
	if (!r)
		r = want_err("copy_file_range(overlap in one file)", cfr(out, &oi, out, &oo, 5, 0), EINVAL);
	close(in), close(out), close(app), close(dir);
	unlink(FILE_A), unlink(FILE_B);
	return r;
}

/* A pidfd: close-on-exec, readable once the process ends, signals it,
 * waitid(P_PIDFD) reaps it, then ESRCH; a /proc/PID directory signals too.
 * A PIDFD_NONBLOCK pidfd's waitid says EAGAIN while nothing is ready,
 * unless WNOHANG was asked. */
static int check_pidfd(void)
{
	int r, st;
	siginfo_t si;

	errno = 0;
	long fd = syscall(SYS_PIDFD_OPEN, -1, 0);
	if (fd == -1 && errno == ENOSYS)
		return fail("pidfd_open: ENOSYS");
	if ((r = want_err("pidfd_open(-1)", fd, EINVAL)))
		return r;
	errno = 0;
	if ((r = want_err("pidfd_open(flags 1)", syscall(SYS_PIDFD_OPEN, getpid(), 1), EINVAL)))
		return r;
	pid_t pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	fd = syscall(SYS_PIDFD_OPEN, pid, 0);
	if (fd < 0) {
		kill(pid, SIGKILL), wait_child(pid, 5000, &st);
		return fail("pidfd_open(child): %s", errname(errno));
	}
	struct pollfd pf = { (int)fd, POLLIN, 0 };
	if (!(fcntl((int)fd, F_GETFD) & FD_CLOEXEC))
		r = fail("a pidfd is not close-on-exec");
	if (!r && poll(&pf, 1, 0) != 0)
		r = fail("the pidfd of a live process polls ready (%#x)", pf.revents);
	long nb = r ? -1 : syscall(SYS_PIDFD_OPEN, pid, O_NONBLOCK); /* PIDFD_NONBLOCK */
	if (!r && nb < 0)
		r = fail("pidfd_open(child, PIDFD_NONBLOCK): %s", errname(errno));
	errno = 0;
	if (!r) /* LTP's pidfd_open04: a non-blocking pidfd's wait with nothing ready */
		r = want_err("waitid(P_PIDFD, non-blocking, WEXITED)",
			     syscall(SYS_waitid, P_PIDFD, nb, &si, WEXITED, NULL), EAGAIN) ||
		    want_eq("the same with WNOHANG", syscall(SYS_waitid, P_PIDFD, nb, &si, WEXITED | WNOHANG, NULL), 0);
	if (nb >= 0)
		close((int)nb);
	if (!r)
		r = want_eq("pidfd_send_signal(SIGKILL)",
			    syscall(SYS_PIDFD_SEND_SIGNAL, fd, SIGKILL, NULL, 0), 0);
	if (!r && (poll(&pf, 1, 5000) != 1 || !(pf.revents & POLLIN)))
		r = fail("the pidfd of an ended process does not poll readable");
	memset(&si, 0, sizeof(si));
	if (!r)
		r = want_eq("waitid(P_PIDFD)", syscall(SYS_waitid, P_PIDFD, fd, &si, WEXITED, NULL), 0);
	if (!r && (si.si_pid != pid || si.si_code != CLD_KILLED || si.si_status != SIGKILL))
		r = fail("waitid(P_PIDFD): pid %d code %d status %d", si.si_pid, si.si_code, si.si_status);
	errno = 0;
	if (!r)
		r = want_err("pidfd_send_signal(reaped)", syscall(SYS_PIDFD_SEND_SIGNAL, fd, 0, NULL, 0), ESRCH);
	if (r) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, WNOHANG);
	}
	close((int)fd);
	return r;
}

/* pidfd_send_signal on other files: a /proc/PID directory works; anything else is EBADF. */
static int check_pidfd_procdir(void)
{
	char path[32];
	int r;

	snprintf(path, sizeof(path), "/proc/%d", getpid());
	int dir = open(path, O_RDONLY | O_DIRECTORY), tmp = open("/tmp", O_RDONLY);
	if (dir < 0 || tmp < 0)
		return fail("open %s: %s", path, errname(errno));
	r = want_eq("pidfd_send_signal(/proc/self dir, 0)",
		    syscall(SYS_PIDFD_SEND_SIGNAL, dir, 0, NULL, 0), 0);
	errno = 0;
	if (!r)
		r = want_err("pidfd_send_signal(/tmp)", syscall(SYS_PIDFD_SEND_SIGNAL, tmp, 0, NULL, 0), EBADF);
	errno = 0;
	if (!r)
		r = want_err("pidfd_send_signal(flags 0x100)",
			     syscall(SYS_PIDFD_SEND_SIGNAL, dir, 0, NULL, 0x100), EINVAL);
	errno = 0;
	if (!r)
		r = want_err("waitid(P_PIDFD, /proc dir)", syscall(SYS_waitid, P_PIDFD, dir, NULL, WEXITED, NULL),
			     EBADF);
	close(dir), close(tmp);
	return r;
}

#define NS_LAST_PID "/proc/sys/kernel/ns_last_pid"
#define PID_REUSE_TRIES 5 /* another process may fork between the write and ours */

/* Write v to kernel.ns_last_pid; 0, or the errno. */
static int set_last_pid(long v)
{
	char text[24];
	int fd = open(NS_LAST_PID, O_WRONLY), n = snprintf(text, sizeof(text), "%ld", v), e = 0;

	if (fd < 0)
		return errno;
	if (write(fd, text, (size_t)n) != n)
		e = errno;
	close(fd);
	return e;
}

/* A child that waits for SIGKILL; its pid, or -1. */
static pid_t idle_child(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

static void end_child(pid_t pid)
{
	int st;

	kill(pid, SIGKILL);
	wait_child(pid, 5000, &st);
}

/* kernel.ns_last_pid (Linux's pid_ns_ctl_handler): reads the last pid
 * handed out; written, the next fork's search starts after the value;
 * outside 0..pid_max EINVAL. Skipped without the right to write it. */
static int check_ns_last_pid(void)
{
	long last = -1, pmax = 0;
	int r = 0, e;

	if (read_long(NS_LAST_PID, &last) || read_long("/proc/sys/kernel/pid_max", &pmax))
		return fail("read %s or pid_max: %s", NS_LAST_PID, errname(errno));
	if ((e = set_last_pid(last)) == EPERM || e == EACCES)
		return skip("%s is not writable here (%s)", NS_LAST_PID, errname(e));
	if (e)
		return fail("write %s: %s", NS_LAST_PID, errname(e));
	if ((e = set_last_pid(pmax + 1)) != EINVAL || (e = set_last_pid(-1)) != EINVAL)
		return fail("write of pid_max + 1 or -1 to %s: %s, want EINVAL", NS_LAST_PID, errname(e));
	for (int i = 0; i < PID_REUSE_TRIES; i++) {
		pid_t a = idle_child();
		if (a < 0)
			return fail("fork: %s", errname(errno));
		long seen = -1;
		r = read_long(NS_LAST_PID, &seen) ? fail("read %s", NS_LAST_PID) : 0;
		end_child(a);
		if (r || seen != a)
			continue; /* another fork came between */
		if ((e = set_last_pid(a - 1)))
			return fail("write %ld: %s", (long)a - 1, errname(e));
		if (read_long(NS_LAST_PID, &seen) || seen != a - 1)
			return fail("%s reads %ld after a write of %ld", NS_LAST_PID, seen, (long)a - 1);
		pid_t b = idle_child();
		end_child(b);
		if (b == a)
			return 0;
	}
	return r ? r : skip("other processes forked between each write and the fork");
}

/* LTP's pidfd_send_signal03: a /proc/PID directory names one process, not
 * a pid. Once that process is reaped and another takes its pid (by
 * kernel.ns_last_pid), the old directory signals nothing and opens
 * nothing (ESRCH, Linux's proc_pid_permission), and the new directory has
 * another inode number. */
static int check_pidfd_procdir_reused(void)
{
	char path[32];
	struct stat old_st, new_st;

	for (int i = 0; i < PID_REUSE_TRIES; i++) {
		pid_t a = idle_child();
		if (a < 0)
			return fail("fork: %s", errname(errno));
		snprintf(path, sizeof(path), "/proc/%d", (int)a);
		int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		end_child(a);
		if (dir < 0 || fstat(dir, &old_st))
			return fail("open %s: %s", path, errname(errno));
		int e = set_last_pid(a - 1);
		if (e == EPERM || e == EACCES) {
			close(dir);
			return skip("%s is not writable here (%s)", NS_LAST_PID, errname(e));
		}
		pid_t b = e ? -1 : idle_child();
		int r = b < 0 ? fail("write %s or fork: %s", NS_LAST_PID, errname(e ? e : errno)) : 0;
		if (!r && b == a) {
			errno = 0;
			r = want_err("pidfd_send_signal(the reused pid's old /proc dir)",
				     syscall(SYS_PIDFD_SEND_SIGNAL, dir, 0, NULL, 0), ESRCH);
			if (!r && (stat(path, &new_st) || new_st.st_ino == old_st.st_ino))
				r = fail("%s of the new process: inode %lu, the old one's %lu (%s)", path,
					 (unsigned long)new_st.st_ino, (unsigned long)old_st.st_ino,
					 errname(errno));
			errno = 0;
			if (!r)
				r = want_err("openat(the old /proc dir, \"status\")",
					     openat(dir, "status", O_RDONLY), ESRCH);
		}
		if (b > 0)
			end_child(b);
		close(dir);
		if (r || b == a)
			return r;
	}
	return skip("other processes forked between each write and the fork");
}

/* preadv2/pwritev2: RWF_HIPRI and RWF_DSYNC accepted, offset -1 is the
 * file position, an unknown flag EOPNOTSUPP. */
static int check_rwv2(void)
{
	int fd = pattern_file(FILE_A, 100), wfd = open(FILE_B, O_RDWR | O_CREAT | O_TRUNC, 0600), r;
	unsigned char b[4];
	struct iovec v = { b, sizeof(b) };

	if (fd < 0 || wfd < 0)
		return fail("set-up: %s", errname(errno));
	r = want_eq("preadv2(@10, HIPRI)", syscall(SYS_PREADV2, fd, &v, 1, 10, 0, RWF_HIPRI_), 4);
	if (!r && (b[0] != 10 || lseek(fd, 0, SEEK_CUR) != 0))
		r = fail("preadv2 at 10 read %d or moved the position", b[0]);
	if (!r)
		r = want_eq("preadv2(-1)", syscall(SYS_PREADV2, fd, &v, 1, -1L, 0, 0), 4);
	if (!r && (b[0] != 0 || lseek(fd, 0, SEEK_CUR) != 4))
		r = fail("preadv2 at -1 did not read at and advance the position");
	errno = 0;
	if (!r)
		r = want_err("preadv2(offset -2)", syscall(SYS_PREADV2, fd, &v, 1, -2L, 0, 0), EINVAL);
	errno = 0;
	if (!r)
		r = want_err("preadv2(flag 1 << 30)", syscall(SYS_PREADV2, fd, &v, 1, 0, 0, 1 << 30), EOPNOTSUPP);
	if (!r)
		r = want_eq("pwritev2(@2, DSYNC)", syscall(SYS_PWRITEV2, wfd, &v, 1, 2, 0, RWF_DSYNC_), 4);
	struct stat sb;
	if (!r && (fstat(wfd, &sb) || sb.st_size != 6))
		r = fail("pwritev2 at 2 left size %ld, want 6", (long)sb.st_size);
	close(fd), close(wfd);
	unlink(FILE_A), unlink(FILE_B);
	return r;
}

/* The bit of sig in one of /proc/self/status's mask lines (-1: no such line). */
static int status_bit(const char *key, int sig)
{
	char buf[4096], *at;

	if (file_text("/proc/self/status", buf, sizeof(buf)) <= 0 || !(at = strstr(buf, key)))
		return -1;
	unsigned long long mask = strtoull(at + strlen(key), NULL, 16);
	return (int)((mask >> (sig - 1)) & 1);
}

static void on_usr2(int sig)
{
	(void)sig;
}

/* SigIgn and SigCgt (subprocess's restore_signals test reads SigIgn). */
static int check_status_sigign(void)
{
	struct sigaction old1, old2, sa = { .sa_handler = SIG_IGN };
	int r = CHECK_OK;

	sigaction(SIGUSR1, &sa, &old1);
	sa.sa_handler = on_usr2;
	sigaction(SIGUSR2, &sa, &old2);
	if (status_bit("SigIgn:\t", SIGUSR1) != 1 || status_bit("SigIgn:\t", SIGUSR2) != 0)
		r = fail("SigIgn: SIGUSR1 %d SIGUSR2 %d, want 1 0", status_bit("SigIgn:\t", SIGUSR1),
			 status_bit("SigIgn:\t", SIGUSR2));
	else if (status_bit("SigCgt:\t", SIGUSR2) != 1 || status_bit("SigCgt:\t", SIGUSR1) != 0)
		r = fail("SigCgt: SIGUSR2 %d SIGUSR1 %d, want 1 0", status_bit("SigCgt:\t", SIGUSR2),
			 status_bit("SigCgt:\t", SIGUSR1));
	sigaction(SIGUSR1, &old1, NULL);
	sigaction(SIGUSR2, &old2, NULL);
	return r;
}

/* One epoll_wait reports every ready registration it has room for, past
 * 1024 (selectors' test_above_fd_setsize). */
static int check_epoll_many(void)
{
	static int fds[MANY_EVENTS];
	static struct epoll_event ev[MANY_EVENTS + 100];
	struct rlimit old, rl;
	int ep, n = 0, r = CHECK_OK;

	getrlimit(RLIMIT_NOFILE, &old);
	rl = old;
	if (rl.rlim_max < MANY_EVENTS + 64)
		return skip("RLIMIT_NOFILE's hard limit is %lu", (unsigned long)rl.rlim_max);
	rl.rlim_cur = MANY_EVENTS + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl) || (ep = epoll_create1(0)) < 0)
		return fail("set-up: %s", errname(errno));
	for (; n < MANY_EVENTS && !r; n++) {
		struct epoll_event e = { .events = EPOLLIN, .data.u32 = (uint32_t)n };
		fds[n] = eventfd(1, 0);
		if (fds[n] < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fds[n], &e))
			r = fail("eventfd/epoll_ctl %d: %s", n, errname(errno));
	}
	if (!r)
		r = want_eq("epoll_wait(1600 slots, 1500 ready)", epoll_wait(ep, ev, MANY_EVENTS + 100, 1000),
			    MANY_EVENTS);
	while (n-- > 0)
		if (fds[n] >= 0)
			close(fds[n]);
	close(ep);
	setrlimit(RLIMIT_NOFILE, &old);
	return r;
}

/* sig pending within ms (blocked by the caller): its siginfo in *si; -1 if none. */
static int wait_sig(int sig, int ms, siginfo_t *si)
{
	sigset_t set;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	sigemptyset(&set);
	sigaddset(&set, sig);
	return sigtimedwait(&set, si, &ts) == sig ? 0 : -1;
}

/* A file in DN_DIR, made and removed. */
#define DN_DIR "/tmp/pyos.dn"
static void touch_in_dir(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/%s", DN_DIR, name);
	close(open(path, O_WRONLY | O_CREAT, 0600));
}

/* The signals sig that arrive within 200 ms (blocked by the caller); the last one's siginfo in *si. */
static int count_sig(int sig, siginfo_t *si)
{
	int n = 0;

	while (wait_sig(sig, 200, si) == 0)
		n++;
	return n;
}

/* fcntl F_NOTIFY (dnotify): ENOTDIR for a file; a one-shot DN_CREATE gives
 * one SIGIO; DN_MULTISHOT with F_SETSIG gives the signal with si_code
 * POLL_MSG and si_fd once per event, as Linux's fsnotify counts them
 * (a rename within the directory is three: rename, moved from, moved
 * to); F_NOTIFY 0 stops it. */
static int check_dnotify(void)
{
	int sig = SIGRTMIN + 1, r = CHECK_OK, n;
	siginfo_t si = { 0 };
	sigset_t set, old;

	mkdir(DN_DIR, 0700);
	int dir = open(DN_DIR, O_RDONLY | O_DIRECTORY), file = open("/proc/self/status", O_RDONLY);
	if (dir < 0 || file < 0)
		return fail("set-up: %s", errname(errno));
	sigemptyset(&set);
	sigaddset(&set, SIGIO);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, &old);
	errno = 0;
	r = want_err("F_NOTIFY on a file", fcntl(file, F_NOTIFY, DN_CREATE), ENOTDIR);
	if (!r)
		r = want_eq("F_NOTIFY(DN_CREATE)", fcntl(dir, F_NOTIFY, DN_CREATE), 0);
	touch_in_dir("a");
	touch_in_dir("b");
	if (!r && (n = count_sig(SIGIO, &si)) != 1)
		r = fail("a one-shot DN_CREATE and two creations: %d SIGIOs, want 1", n);
	if (!r)
		r = want_eq("F_SETSIG", fcntl(dir, F_SETSIG, sig), 0);
	if (!r)
		r = want_eq("F_NOTIFY(MULTISHOT)",
			    fcntl(dir, F_NOTIFY, DN_CREATE | DN_DELETE | DN_RENAME | DN_MULTISHOT), 0);
	touch_in_dir("c");
	if (!r && ((n = count_sig(sig, &si)) != 1 || si.si_code != POLL_MSG || si.si_fd != dir))
		r = fail("a creation: %d signals (code %d fd %d), want 1 with POLL_MSG and fd %d", n,
			 si.si_code, si.si_fd, dir);
	if (!r && rename(DN_DIR "/c", DN_DIR "/e") == 0 && (n = count_sig(sig, &si)) != 3)
		r = fail("a rename within the directory: %d signals, want 3", n);
	if (!r && rename(DN_DIR "/e", "/tmp/pyos.dn-e") == 0 && (n = count_sig(sig, &si)) != 1)
		r = fail("a rename out of the directory: %d signals, want 1", n);
	if (!r && unlink(DN_DIR "/a") == 0 && (n = count_sig(sig, &si)) != 1)
		r = fail("an unlink: %d signals, want 1", n);
	if (!r)
		r = want_eq("F_NOTIFY(0)", fcntl(dir, F_NOTIFY, 0), 0);
	touch_in_dir("d");
	if (!r && (n = count_sig(sig, &si)) != 0)
		r = fail("%d signals after F_NOTIFY(0)", n);
	fcntl(dir, F_NOTIFY, 0);
	count_sig(sig, &si);
	count_sig(SIGIO, &si);
	sigprocmask(SIG_SETMASK, &old, NULL);
	for (const char *f = "abcde"; *f; f++) {
		char path[64];
		snprintf(path, sizeof(path), "%s/%c", DN_DIR, *f);
		unlink(path);
	}
	unlink("/tmp/pyos.dn-e");
	close(dir), close(file);
	rmdir(DN_DIR);
	return r;
}

/* A directory's chmod (DN_ATTRIB) signals both its own F_NOTIFY and its
 * parent's (LTP's fcntl38), each with its own si_fd. */
static int check_dnotify_attrib(void)
{
	int sig = SIGRTMIN + 2, r = CHECK_OK, got_parent = 0, got_sub = 0;
	siginfo_t si = { 0 };
	sigset_t set, old;

	mkdir(DN_DIR, 0700);
	mkdir(DN_DIR "/sub", 0700);
	int dir = open(DN_DIR, O_RDONLY | O_DIRECTORY), sub = open(DN_DIR "/sub", O_RDONLY | O_DIRECTORY);
	if (dir < 0 || sub < 0)
		r = fail("set-up: %s", errname(errno));
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, &old);
	for (int i = 0; !r && i < 2; i++) {
		int fd = i ? sub : dir;
		if (fcntl(fd, F_SETSIG, sig) || fcntl(fd, F_NOTIFY, DN_ATTRIB | DN_MULTISHOT))
			r = fail("F_SETSIG, F_NOTIFY(DN_ATTRIB): %s", errname(errno));
	}
	if (!r && chmod(DN_DIR "/sub", 0755))
		r = fail("chmod: %s", errname(errno));
	while (!r && wait_sig(sig, 200, &si) == 0) {
		got_parent += si.si_fd == dir;
		got_sub += si.si_fd == sub;
	}
	if (!r && (got_parent != 1 || got_sub != 1))
		r = fail("chmod of a watched subdirectory: %d signals for the parent, %d for it, want 1 and 1",
			 got_parent, got_sub);
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(dir), close(sub);
	rmdir(DN_DIR "/sub");
	rmdir(DN_DIR);
	return r;
}

static const struct check checks[] = {
	{ "sched-policy", check_sched_policy },
	{ "sched-rt-reset", check_sched_rt_reset },
	{ "splice-basic", check_splice_basic },
	{ "splice-limits", check_splice_limits },
	{ "copy-file-range", check_copy_file_range },
	{ "pidfd", check_pidfd },
	{ "pidfd-procdir", check_pidfd_procdir },
	{ "ns-last-pid", check_ns_last_pid },
	{ "pidfd-procdir-reused", check_pidfd_procdir_reused },
	{ "rwv2", check_rwv2 },
	{ "status-sigign", check_status_sigign },
	{ "epoll-many", check_epoll_many },
	{ "dnotify", check_dnotify },
	{ "dnotify-attrib", check_dnotify_attrib },
};

int main(int argc, char **argv)
{
	return run_checks("conform_pyos", checks, NELEMS(checks), argc, argv);
}
