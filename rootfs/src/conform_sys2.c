// SPDX-License-Identifier: MIT
// System calls of issue 28's second list, as Linux 6.1's: futex_waitv, sched_getattr/sched_setattr (and a zombie's policy), ioprio_get/ioprio_set, pidfd_getfd, membarrier, name_to_handle_at/open_by_handle_at, vhangup, ioperm/iopl, the xattr calls on tmpfs, remap_file_pages, /dev/urandom's ioctls, SEEK_DATA and SEEK_HOLE on tmpfs, /dev a tmpfs of its own, O_TMPFILE, openat2, acct, sync_file_range, PR_SET_TSC, /proc/PID/ns, the nsfs ioctls and setns.
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <poll.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "checks.h"

/*
 * The calls are raw system calls with Linux's numbers: musl has no
 * wrapper for most of them. Each check cleans up its children and files.
 */
#define NR_futex_waitv 449
#define FUTEX_32 2
#define FUTEX_WAITV_MAX 128
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128

struct futex_waitv {
	uint64_t val;
	uint64_t uaddr;
	uint32_t flags;
	uint32_t reserved;
};

static long futex_waitv(struct futex_waitv *w, unsigned n, unsigned flags, struct timespec *to,
			int clock)
{
	return syscall(NR_futex_waitv, w, n, flags, to, clock);
}

/* An absolute time ms from now on clock. */
static struct timespec in_ms(int clock, long ms)
{
	struct timespec t;

	clock_gettime(clock, &t);
	t.tv_nsec += ms * 1000000;
	t.tv_sec += t.tv_nsec / 1000000000;
	t.tv_nsec %= 1000000000;
	return t;
}

/* Each wrong argument, in Linux's order of checks. */
static int check_waitv_errors(void)
{
	static uint32_t word;
	struct futex_waitv w[2] = { { 0, (uintptr_t)&word, FUTEX_32 | FUTEX_PRIVATE_FLAG, 0 } };
	struct timespec to = in_ms(CLOCK_MONOTONIC, 1000);
	int r;

	if ((r = want_err("flags 1", futex_waitv(w, 1, 1, &to, CLOCK_MONOTONIC), EINVAL)) ||
	    (r = want_err("NULL vector", futex_waitv(NULL, 1, 0, &to, CLOCK_MONOTONIC), EINVAL)) ||
	    (r = want_err("0 futexes", futex_waitv(w, 0, 0, &to, CLOCK_MONOTONIC), EINVAL)) ||
	    (r = want_err("129 futexes", futex_waitv(w, FUTEX_WAITV_MAX + 1, 0, &to, CLOCK_MONOTONIC),
			  EINVAL)) ||
	    (r = want_err("CLOCK_TAI", futex_waitv(w, 1, 0, &to, CLOCK_TAI), EINVAL)) ||
	    (r = want_err("bad timeout", futex_waitv(w, 1, 0, (void *)8, CLOCK_MONOTONIC), EFAULT)) ||
	    (r = want_err("bad vector", futex_waitv((void *)8, 1, 0, &to, CLOCK_MONOTONIC), EFAULT)))
		return r;
	w[0].flags = FUTEX_PRIVATE_FLAG;
	if ((r = want_err("no FUTEX_32", futex_waitv(w, 1, 0, &to, CLOCK_MONOTONIC), EINVAL)))
		return r;
	w[0].flags = FUTEX_32 | 1 << 4;
	if ((r = want_err("unknown flag", futex_waitv(w, 1, 0, &to, CLOCK_MONOTONIC), EINVAL)))
		return r;
	w[0].flags = FUTEX_32;
	w[0].reserved = 1;
	if ((r = want_err("__reserved", futex_waitv(w, 1, 0, &to, CLOCK_MONOTONIC), EINVAL)))
		return r;
	/* every entry is keyed before any word is read: the unaligned second wins */
	w[0] = (struct futex_waitv){ 0, 0, FUTEX_32 | FUTEX_PRIVATE_FLAG, 0 };
	w[1] = (struct futex_waitv){ 0, (uintptr_t)&word + 1, FUTEX_32 | FUTEX_PRIVATE_FLAG, 0 };
	if ((r = want_err("NULL then unaligned", futex_waitv(w, 2, 0, &to, CLOCK_MONOTONIC), EINVAL)) ||
	    (r = want_err("NULL word", futex_waitv(w, 1, 0, &to, CLOCK_MONOTONIC), EFAULT)))
		return r;
	w[0] = (struct futex_waitv){ 1, (uintptr_t)&word, FUTEX_32 | FUTEX_PRIVATE_FLAG, 0 };
	if ((r = want_err("word differs", futex_waitv(w, 1, 0, &to, CLOCK_MONOTONIC), EAGAIN)))
		return r;
	w[0].val = 0; /* (a val past 32 bits: 6.1 ignores the high half, 6.7 on say EINVAL) */
	to = in_ms(CLOCK_REALTIME, 20);
	return want_err("timeout (CLOCK_REALTIME)", futex_waitv(w, 1, 0, &to, CLOCK_REALTIME), ETIMEDOUT);
}

/* A child wakes the third of four shared futexes (MAP_SHARED memory,
 * no FUTEX_PRIVATE_FLAG): the wait returns its index. */
static int check_waitv_wake(void)
{
	uint32_t *words = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct futex_waitv w[4];
	struct timespec to = in_ms(CLOCK_MONOTONIC, 5000);
	long r;
	pid_t pid;

	if (words == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	for (int i = 0; i < 4; i++)
		w[i] = (struct futex_waitv){ 0, (uintptr_t)&words[i * 16], FUTEX_32, 0 };
	if ((pid = fork()) == 0) {
		for (int i = 0; i < 5000; i++) {
			if (syscall(SYS_futex, &words[2 * 16], FUTEX_WAKE, 1, NULL, NULL, 0) == 1)
				_exit(0);
			ms_sleep(1);
		}
		_exit(1);
	}
	r = futex_waitv(w, 4, 0, &to, CLOCK_MONOTONIC);
	int st = want_exit("the waking child", pid, 0);
	munmap(words, 4096);
	return st ? st : want_eq("futex_waitv", r, 2);
}


/* ---- sched_setattr, sched_getattr ---- */
#define NR_sched_setattr 314
#define NR_sched_getattr 315
#define SCHED_DEADLINE 6
#define SCHED_FLAG_KEEP_PARAMS 0x10
#define ATTR_VER0 48
#define ATTR_VER1 56

struct sched_attr_u {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
	uint32_t util_min, util_max;
	uint8_t more[8]; /* past Linux 6.1's struct */
};

static long setattr(int pid, void *a, unsigned flags)
{
	return syscall(NR_sched_setattr, pid, a, flags);
}

static long getattr(int pid, void *a, unsigned size, unsigned flags)
{
	return syscall(NR_sched_getattr, pid, a, size, flags);
}

/* A pid no process has. */
static int unused_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

/* The arguments each call refuses, and the size rules: E2BIG writes the
 * kernel's size back; zero bytes past it are fine, others are E2BIG. */
static int check_attr_errors(void)
{
	struct sched_attr_u a = { .size = ATTR_VER0 };
	int r, gone = unused_pid();

	if ((r = want_err("getattr NULL", getattr(0, NULL, ATTR_VER0, 0), EINVAL)) ||
	    (r = want_err("getattr size 47", getattr(0, &a, ATTR_VER0 - 1, 0), EINVAL)) ||
	    (r = want_err("getattr size 4097", getattr(0, &a, 4097, 0), EINVAL)) ||
	    (r = want_err("getattr flags", getattr(0, &a, ATTR_VER0, 1000), EINVAL)) ||
	    (r = want_err("getattr pid -1", getattr(-1, &a, ATTR_VER0, 0), EINVAL)) ||
	    (r = want_err("getattr gone", getattr(gone, &a, ATTR_VER0, 0), ESRCH)) ||
	    (r = want_err("getattr bad pointer", getattr(0, (void *)8, ATTR_VER0, 0), EFAULT)) ||
	    (r = want_err("setattr NULL", setattr(0, NULL, 0), EINVAL)) ||
	    (r = want_err("setattr flags", setattr(0, &a, 1000), EINVAL)) ||
	    (r = want_err("setattr bad pointer", setattr(0, (void *)8, 0), EFAULT)) ||
	    (r = want_err("setattr gone", setattr(gone, &a, 0), ESRCH)))
		return r;
	a.sched_policy = 4; /* no such policy */
	if ((r = want_err("policy 4", setattr(0, &a, 0), EINVAL)))
		return r;
	a = (struct sched_attr_u){ .size = 40 };
	if ((r = want_err("size 40", setattr(0, &a, 0), E2BIG)) ||
	    (r = want_eq("size written back", a.size, ATTR_VER1)))
		return r;
	a = (struct sched_attr_u){ .size = sizeof(a) };
	if ((r = want_eq("zeroes past the struct", setattr(0, &a, 0), 0)))
		return r;
	a.more[3] = 1;
	if ((r = want_err("a byte past the struct", setattr(0, &a, 0), E2BIG)))
		return r;
	a = (struct sched_attr_u){ .size = ATTR_VER0, .sched_priority = 5 };
	return want_err("SCHED_OTHER priority 5", setattr(0, &a, 0), EINVAL);
}

/* In a child: each policy set through sched_attr and read back, by
 * sched_getattr and by the older calls. */
static int attr_roundtrip(void)
{
	struct sched_attr_u a = { .size = ATTR_VER0, .sched_policy = SCHED_BATCH, .sched_nice = 5 };
	struct sched_param p;
	int r;

	if ((r = want_eq("BATCH nice 5", setattr(0, &a, 0), 0)))
		return r;
	memset(&a, 0xff, sizeof(a));
	if ((r = want_eq("getattr", getattr(0, &a, ATTR_VER0, 0), 0)) ||
	    (r = want_eq("size", a.size, ATTR_VER0)) || (r = want_eq("policy", a.sched_policy, SCHED_BATCH)) ||
	    (r = want_eq("nice", a.sched_nice, 5)) || (r = want_eq("util_min untouched", a.util_min, -1u)) ||
	    (r = want_eq("getpriority", getpriority(PRIO_PROCESS, 0), 5)))
		return r;
	a = (struct sched_attr_u){ .size = ATTR_VER1, .sched_policy = SCHED_FIFO, .sched_priority = 10 };
	if ((r = want_eq("FIFO 10", setattr(0, &a, 0), 0)) ||
	    (r = want_eq("sched_getscheduler", syscall(SYS_sched_getscheduler, 0), SCHED_FIFO)) ||
	    (r = want_ok("sched_getparam", syscall(SYS_sched_getparam, 0, &p))) ||
	    (r = want_eq("priority", p.sched_priority, 10)))
		return r;
	a = (struct sched_attr_u){ .size = ATTR_VER0, .sched_policy = SCHED_DEADLINE,
				   .sched_runtime = 10000000, .sched_deadline = 30000000,
				   .sched_period = 30000000 };
	if ((r = want_eq("DEADLINE 10/30/30 ms", setattr(0, &a, 0), 0)))
		return r;
	memset(&a, 0, sizeof(a));
	if ((r = want_eq("getattr", getattr(0, &a, sizeof(a), 0), 0)) ||
	    (r = want_eq("size", a.size, ATTR_VER1)) || (r = want_eq("policy", a.sched_policy, SCHED_DEADLINE)) ||
	    (r = want_eq("runtime", (long)a.sched_runtime, 10000000)) ||
	    (r = want_eq("deadline", (long)a.sched_deadline, 30000000)) ||
	    (r = want_eq("period", (long)a.sched_period, 30000000)))
		return r;
	/* KEEP_PARAMS: the deadline's parameters stay */
	a = (struct sched_attr_u){ .size = ATTR_VER0, .sched_policy = SCHED_DEADLINE,
				   .sched_flags = SCHED_FLAG_KEEP_PARAMS };
	if ((r = want_eq("KEEP_PARAMS", setattr(0, &a, 0), 0)))
		return r;
	a = (struct sched_attr_u){ .size = ATTR_VER0, .sched_policy = SCHED_DEADLINE,
				   .sched_runtime = 40000000, .sched_deadline = 30000000 };
	if ((r = want_err("runtime past the deadline", setattr(0, &a, 0), EINVAL)))
		return r;
	a.sched_runtime = 512; /* under 2^10 ns */
	if ((r = want_err("runtime 512 ns", setattr(0, &a, 0), EINVAL)))
		return r;
	a = (struct sched_attr_u){ .size = ATTR_VER0, .sched_policy = SCHED_OTHER };
	return want_eq("back to SCHED_OTHER", setattr(0, &a, 0), 0);
}

/* In a child that is no longer root: a deadline, a real-time policy
 * without RLIMIT_RTPRIO and a lower nice are EPERM; a higher nice is not. */
static int attr_unprivileged(void)
{
	struct sched_attr_u a = { .size = ATTR_VER0, .sched_policy = SCHED_OTHER, .sched_nice = 3 };
	struct rlimit zero = { 0, 0 };
	int r;

	if (setrlimit(RLIMIT_RTPRIO, &zero) || setrlimit(RLIMIT_NICE, &zero) || setuid(65534))
		return fail("dropping root: %s", errname(errno));
	if ((r = want_eq("nice 3", setattr(0, &a, 0), 0)))
		return r;
	a.sched_nice = 1;
	if ((r = want_err("nice 1", setattr(0, &a, 0), EPERM)))
		return r;
	a = (struct sched_attr_u){ .size = ATTR_VER0, .sched_policy = SCHED_FIFO, .sched_priority = 1 };
	if ((r = want_err("FIFO 1", setattr(0, &a, 0), EPERM)))
		return r;
	a = (struct sched_attr_u){ .size = ATTR_VER0, .sched_policy = SCHED_DEADLINE,
				   .sched_runtime = 10000000, .sched_deadline = 30000000 };
	if ((r = want_err("DEADLINE", setattr(0, &a, 0), EPERM)))
		return r;
	return want_err("root's process", setattr(getppid(), &(struct sched_attr_u){ .size = ATTR_VER0 }, 0), EPERM);
}

/* Run fn in a child; its verdict. */
static int in_child(int (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		int r = fn();
		if (r)
			fprintf(stderr, "conform_sys2: %s\n", c_why);
		_exit(r ? 1 : 0);
	}
	return want_exit("the checking child", pid, 0);
}

/* in_child, for a check that needs root (it gives it up, or sets what
 * only root may). */
static int root_child(int (*fn)(void))
{
	if (geteuid() != 0)
		return skip("not root");
	return in_child(fn);
}

static int check_attr_roundtrip(void)
{
	return in_child(attr_roundtrip);
}

static int check_attr_unprivileged(void)
{
	return root_child(attr_unprivileged);
}

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif

/* Fork a child that exits at once and wait until it is a zombie (not
 * reaped); its pid, or -1. */
static pid_t zombie_child(void)
{
	siginfo_t si;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid < 0 || waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) != 0)
		return -1;
	return pid;
}

/* The policy and priority of a zombie child are still there to read
 * until it is reaped, as Linux's find_process_by_pid finds a task until
 * release_task; SCHED_RESET_ON_FORK gives the child SCHED_OTHER and
 * priority 0 (LTP's sched_setscheduler04 reads them after the child may
 * have exited). Through syscall(): musl's wrappers are ENOSYS. */
static int zombie_sched(void)
{
	struct sched_param p = { .sched_priority = 10 };
	pid_t reset, kept;
	int r;

	if ((r = want_ok("FIFO 10 with RESET_ON_FORK",
			 syscall(SYS_sched_setscheduler, 0, SCHED_FIFO | SCHED_RESET_ON_FORK, &p))))
		return r;
	if ((reset = zombie_child()) < 0)
		return fail("a zombie child: %s", errname(errno));
	p.sched_priority = 10;
	if ((r = want_ok("FIFO 10", syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &p))))
		return r;
	if ((kept = zombie_child()) < 0)
		return fail("a zombie child: %s", errname(errno));
	if ((r = want_eq("the reset zombie's policy", syscall(SYS_sched_getscheduler, reset), SCHED_OTHER)) ||
	    (r = want_ok("its sched_getparam", syscall(SYS_sched_getparam, reset, &p))) ||
	    (r = want_eq("its priority", p.sched_priority, 0)) ||
	    (r = want_eq("the other zombie's policy", syscall(SYS_sched_getscheduler, kept), SCHED_FIFO)) ||
	    (r = want_ok("its sched_getparam", syscall(SYS_sched_getparam, kept, &p))) ||
	    (r = want_eq("its priority", p.sched_priority, 10)))
		return r;
	if (waitpid(reset, NULL, 0) != reset)
		return fail("waitpid: %s", errname(errno));
	return want_err("a reaped child's policy", syscall(SYS_sched_getscheduler, reset), ESRCH);
}

static int check_zombie_sched(void)
{
	return root_child(zombie_sched);
}


/* ---- ioprio_get, ioprio_set ---- */
#define NR_ioprio_set 251
#define NR_ioprio_get 252
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_WHO_PGRP 2
#define IOPRIO_WHO_USER 3
#define IOPRIO(class, level) ((class) << 13 | (level))
#define IOPRIO_CLASS_RT 1
#define IOPRIO_CLASS_BE 2
#define IOPRIO_CLASS_IDLE 3
#define UNUSED_UID 64999 /* a user no other process runs as */

static long ioprio_get(int which, int who)
{
	return syscall(NR_ioprio_get, which, who);
}

static long ioprio_set(int which, int who, int prio)
{
	return syscall(NR_ioprio_set, which, who, prio);
}

static int check_ioprio_errors(void)
{
	int r, gone = unused_pid();

	if ((r = want_err("get which 0", ioprio_get(0, 0), EINVAL)) ||
	    (r = want_err("get which 4", ioprio_get(4, 0), EINVAL)) ||
	    (r = want_err("set which 0", ioprio_set(0, 0, IOPRIO(IOPRIO_CLASS_BE, 4)), EINVAL)) ||
	    (r = want_err("set class 4", ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(4, 0)), EINVAL)) ||
	    (r = want_err("set class 7", ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(7, 0)), EINVAL)) ||
	    (r = want_err("NONE level 4", ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(0, 4)), EINVAL)) ||
	    (r = want_err("a bad class before a gone pid", ioprio_set(IOPRIO_WHO_PROCESS, gone, IOPRIO(5, 0)),
			  EINVAL)) ||
	    (r = want_err("get gone", ioprio_get(IOPRIO_WHO_PROCESS, gone), ESRCH)) ||
	    (r = want_err("set gone", ioprio_set(IOPRIO_WHO_PROCESS, gone, IOPRIO(IOPRIO_CLASS_BE, 4)), ESRCH)))
		return r;
	return CHECK_OK;
}

/* In a child: each class set and read back, inherited by a fork, by
 * process group; then, no longer root, the real-time class and another
 * user's process are EPERM. */
static int ioprio_roundtrip(void)
{
	int r;
	pid_t pid;

	if ((r = want_eq("BE 3", ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(IOPRIO_CLASS_BE, 3)), 0)) ||
	    (r = want_eq("read back", ioprio_get(IOPRIO_WHO_PROCESS, getpid()), IOPRIO(IOPRIO_CLASS_BE, 3))))
		return r;
	if ((pid = fork()) == 0)
		_exit(ioprio_get(IOPRIO_WHO_PROCESS, 0) == IOPRIO(IOPRIO_CLASS_BE, 3) ? 0 : 1);
	if ((r = want_exit("a fork inherits it", pid, 0)))
		return r;
	if ((r = want_eq("RT 0 as root", ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(IOPRIO_CLASS_RT, 0)), 0)) ||
	    (r = want_eq("read back", ioprio_get(IOPRIO_WHO_PROCESS, 0), IOPRIO(IOPRIO_CLASS_RT, 0))) ||
	    (r = want_ok("setpgid", setpgid(0, 0))) ||
	    (r = want_eq("IDLE by group", ioprio_set(IOPRIO_WHO_PGRP, 0, IOPRIO(IOPRIO_CLASS_IDLE, 0)), 0)) ||
	    (r = want_eq("read back by group", ioprio_get(IOPRIO_WHO_PGRP, getpid()), IOPRIO(IOPRIO_CLASS_IDLE, 0))) ||
	    (r = want_eq("NONE", ioprio_set(IOPRIO_WHO_PROCESS, 0, 0), 0)) ||
	    (r = want_eq("read back", ioprio_get(IOPRIO_WHO_PROCESS, 0), 0)))
		return r;
	if (setuid(UNUSED_UID))
		return fail("setuid: %s", errname(errno));
	if ((r = want_err("RT unprivileged", ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(IOPRIO_CLASS_RT, 0)), EPERM)) ||
	    (r = want_err("root's process", ioprio_set(IOPRIO_WHO_PROCESS, getppid(), IOPRIO(IOPRIO_CLASS_BE, 0)),
			  EPERM)) ||
	    (r = want_eq("BE 7 for itself", ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(IOPRIO_CLASS_BE, 7)), 0)) ||
	    (r = want_eq("by user", ioprio_get(IOPRIO_WHO_USER, UNUSED_UID), IOPRIO(IOPRIO_CLASS_BE, 7))))
		return r;
	return CHECK_OK;
}

static int check_ioprio_roundtrip(void)
{
	return root_child(ioprio_roundtrip);
}


/* ---- pidfd_getfd ---- */
#define NR_pidfd_open 434
#define NR_pidfd_getfd 438

static long pidfd_getfd(int pidfd, int fd, unsigned flags)
{
	return syscall(NR_pidfd_getfd, pidfd, fd, flags);
}

/* The errors in Linux's order, a zombie's descriptors (none), a reaped
 * process (ESRCH); a non-root caller may not take root's descriptors. */
static int check_getfd_errors(void)
{
	int self = syscall(NR_pidfd_open, getpid(), 0), p[2], r, st;
	pid_t pid;

	if (self < 0 || pipe(p))
		return fail("pidfd_open or pipe: %s", errname(errno));
	if ((r = want_err("flags 1", pidfd_getfd(self, 0, 1), EINVAL)) ||
	    (r = want_err("flags before the pidfd", pidfd_getfd(-1, 0, 1), EINVAL)) ||
	    (r = want_err("pidfd -1", pidfd_getfd(-1, 0, 0), EBADF)) ||
	    (r = want_err("a pipe for a pidfd", pidfd_getfd(p[0], 0, 0), EBADF)) ||
	    (r = want_err("fd -1", pidfd_getfd(self, -1, 0), EBADF)) ||
	    (r = want_err("fd not open", pidfd_getfd(self, 999, 0), EBADF)))
		goto out;
	if ((pid = fork()) == 0)
		_exit(0);
	int child = syscall(NR_pidfd_open, pid, 0);
	siginfo_t si;
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	/* 6.1 finds a zombie without files (EBADF); 6.9 on say ESRCH at once */
	long z = pidfd_getfd(child, 0, 0);
	if (z != -1 || (errno != EBADF && errno != ESRCH)) {
		r = want_err("a zombie's fd 0", z, EBADF);
		goto out_child;
	}
	waitpid(pid, &st, 0);
	if ((r = want_err("a reaped process", pidfd_getfd(child, 0, 0), ESRCH)))
		goto out_child;
	if (geteuid() == 0) {
		if ((pid = fork()) == 0)
			_exit(setuid(65534) ? 2 : pidfd_getfd(self, p[0], 0) == -1 && errno == EPERM ? 0 : 1);
		r = want_exit("nobody taking root's descriptor (EPERM)", pid, 0);
	}
out_child:
	close(child);
out:
	close(self);
	close(p[0]);
	close(p[1]);
	return r;
}

/* A child's descriptor becomes the caller's: the same open file (its
 * offset shared), close-on-exec. */
static int check_getfd_copy(void)
{
	int sync[2], fd, r;
	char c;
	pid_t pid;

	if (pipe(sync))
		return fail("pipe: %s", errname(errno));
	if ((pid = fork()) == 0) {
		int m = memfd_create("getfd", 0);
		if (m < 0 || dup2(m, 100) != 100 || write(100, "hello", 5) != 5 || write(sync[1], "x", 1) != 1)
			_exit(1);
		ms_sleep(5000); /* until killed */
		_exit(0);
	}
	int pidfd = syscall(NR_pidfd_open, pid, 0);
	if (read(sync[0], &c, 1) != 1) {
		r = fail("the child did not start");
		goto out;
	}
	fd = pidfd_getfd(pidfd, 100, 0);
	if ((r = want_ok("pidfd_getfd", fd)))
		goto out;
	if ((r = want_eq("FD_CLOEXEC", fcntl(fd, F_GETFD), FD_CLOEXEC)) ||
	    (r = want_eq("the shared offset", lseek(fd, 0, SEEK_CUR), 5)))
		goto out_fd;
	char buf[8] = { 0 };
	if ((r = want_eq("pread", pread(fd, buf, sizeof(buf), 0), 5)))
		goto out_fd;
	if (memcmp(buf, "hello", 5))
		r = fail("read '%s', want 'hello'", buf);
out_fd:
	close(fd);
out:
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(pidfd);
	close(sync[0]);
	close(sync[1]);
	return r;
}


/* ---- membarrier ---- */
#define NR_membarrier 324
#define MB_QUERY 0
#define MB_GLOBAL 1
#define MB_GLOBAL_EXPEDITED 2
#define MB_REGISTER_GLOBAL_EXPEDITED 4
#define MB_PRIVATE_EXPEDITED 8
#define MB_REGISTER_PRIVATE_EXPEDITED 16
#define MB_PRIVATE_EXPEDITED_SYNC_CORE 32
#define MB_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE 64

static long membarrier(int cmd, unsigned flags)
{
	return syscall(NR_membarrier, cmd, flags, 0);
}

/* Rounds of the three barriers while a thread spins: each waits for every
 * CPU running the space (or every CPU) to answer an IPI, and a vCPU the
 * host has descheduled answers late; 200 rounds took up to 2.9 s of
 * in_child's 5 s at -smp 4 on a 2-core host and ran out once under load. */
#define MB_ROUNDS 50

static volatile int mb_stop;

static void *mb_spinner(void *arg)
{
	(void)arg;
	while (!mb_stop)
		;
	return NULL;
}

/* In a child: the private commands are EPERM until registered, the
 * registration is kept across fork; barriers while another thread runs
 * (on another CPU, when there is one) all return. */
static int membarrier_private(void)
{
	pthread_t t;
	pid_t pid;
	int r;

	if ((r = want_err("PRIVATE_EXPEDITED unregistered", membarrier(MB_PRIVATE_EXPEDITED, 0), EPERM)) ||
	    (r = want_err("SYNC_CORE unregistered", membarrier(MB_PRIVATE_EXPEDITED_SYNC_CORE, 0), EPERM)) ||
	    (r = want_eq("REGISTER_PRIVATE_EXPEDITED", membarrier(MB_REGISTER_PRIVATE_EXPEDITED, 0), 0)) ||
	    (r = want_err("SYNC_CORE still unregistered", membarrier(MB_PRIVATE_EXPEDITED_SYNC_CORE, 0), EPERM)) ||
	    (r = want_eq("REGISTER_PRIVATE_EXPEDITED_SYNC_CORE",
			 membarrier(MB_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0), 0)) ||
	    (r = want_eq("REGISTER_GLOBAL_EXPEDITED", membarrier(MB_REGISTER_GLOBAL_EXPEDITED, 0), 0)))
		return r;
	if ((pid = fork()) == 0)
		_exit(membarrier(MB_PRIVATE_EXPEDITED, 0) == 0 ? 0 : 1);
	if ((r = want_exit("a fork keeps the registration", pid, 0)))
		return r;
	if (pthread_create(&t, NULL, mb_spinner, NULL))
		return fail("pthread_create failed");
	for (int i = 0; i < MB_ROUNDS && !r; i++)
		r = want_eq("PRIVATE_EXPEDITED", membarrier(MB_PRIVATE_EXPEDITED, 0), 0) ||
		    want_eq("SYNC_CORE", membarrier(MB_PRIVATE_EXPEDITED_SYNC_CORE, 0), 0) ||
		    want_eq("GLOBAL_EXPEDITED", membarrier(MB_GLOBAL_EXPEDITED, 0), 0);
	mb_stop = 1;
	pthread_join(t, NULL);
	return r ? CHECK_FAIL : CHECK_OK;
}

static int check_membarrier(void)
{
	long mask = membarrier(MB_QUERY, 0);
	int r;

	if ((r = want_err("cmd -1", membarrier(-1, 0), EINVAL)) ||
	    (r = want_err("cmd 3 (two bits)", membarrier(3, 0), EINVAL)) ||
	    (r = want_err("QUERY flags 1", membarrier(MB_QUERY, 1), EINVAL)) ||
	    (r = want_err("PRIVATE_EXPEDITED FLAG_CPU", membarrier(MB_PRIVATE_EXPEDITED, 1), EINVAL)))
		return r;
	if (mask < 0 || (mask & 0x7f) != 0x7f)
		return fail("QUERY: %ld, want every command up to SYNC_CORE's (0x7f)", mask);
	if ((r = want_eq("GLOBAL", membarrier(MB_GLOBAL, 0), 0)) ||
	    (r = want_eq("GLOBAL_EXPEDITED unregistered", membarrier(MB_GLOBAL_EXPEDITED, 0), 0)))
		return r;
	return in_child(membarrier_private);
}


/* ---- name_to_handle_at, open_by_handle_at ---- */
#define NR_name_to_handle_at 303
#define NR_open_by_handle_at 304
#define MAX_HANDLE_SZ 128

struct handle {
	uint32_t handle_bytes;
	int handle_type;
	unsigned char f_handle[MAX_HANDLE_SZ];
};

static long name_to_handle(int dfd, const char *path, struct handle *h, int *mnt, int flags)
{
	return syscall(NR_name_to_handle_at, dfd, path, h, mnt, flags);
}

static long open_by_handle(int mfd, struct handle *h, int flags)
{
	return syscall(NR_open_by_handle_at, mfd, h, flags);
}

static char hdir[64];

/* A scratch directory with a file "f" holding "data" and a symlink "l" to it. */
static int handle_setup(void)
{
	int fd;

	if (!hdir[0]) /* a checking child has its parent's */
		snprintf(hdir, sizeof(hdir), "/tmp/t-conform_sys2.%d", (int)getpid());
	if (mkdir(hdir, 0755) || chdir(hdir))
		return fail("mkdir %s: %s", hdir, errname(errno));
	if ((fd = open("f", O_CREAT | O_WRONLY, 0644)) < 0 || write(fd, "data", 4) != 4 || close(fd) ||
	    symlink("f", "l"))
		return fail("making f and l: %s", errname(errno));
	return CHECK_OK;
}

static void handle_cleanup(void)
{
	if (chdir("/") == 0)
		rm_tree(hdir);
	hdir[0] = 0;
}

/* name_to_handle_at's errors in Linux's order, the EOVERFLOW size probe,
 * and a file system without handles (/proc). */
static int check_handle_errors(void)
{
	struct handle h = { .handle_bytes = 0 };
	int mnt, r;

	if ((r = handle_setup()))
		goto out;
	if ((r = want_err("flags -1", name_to_handle(AT_FDCWD, "f", &h, &mnt, -1), EINVAL)) ||
	    (r = want_err("dfd -1", name_to_handle(-1, "f", &h, &mnt, 0), EBADF)) ||
	    (r = want_err("bad path", name_to_handle(AT_FDCWD, (void *)8, &h, &mnt, 0), EFAULT)) ||
	    (r = want_err("empty path", name_to_handle(AT_FDCWD, "", &h, &mnt, 0), ENOENT)) ||
	    (r = want_err("bad handle", name_to_handle(AT_FDCWD, "f", (void *)8, &mnt, 0), EFAULT)))
		goto out;
	h.handle_bytes = MAX_HANDLE_SZ + 1;
	if ((r = want_err("129 bytes", name_to_handle(AT_FDCWD, "f", &h, &mnt, 0), EINVAL)))
		goto out;
	h.handle_bytes = 0;
	if ((r = want_err("0 bytes", name_to_handle(AT_FDCWD, "f", &h, &mnt, 0), EOVERFLOW)))
		goto out;
	if (h.handle_bytes == 0 || h.handle_bytes > MAX_HANDLE_SZ) {
		r = fail("EOVERFLOW said %u bytes are needed", h.handle_bytes);
		goto out;
	}
	if ((r = want_err("bad mount_id", name_to_handle(AT_FDCWD, "f", &h, (void *)8, 0), EFAULT)) ||
	    (r = want_err("/proc/self/status", name_to_handle(AT_FDCWD, "/proc/self/status", &h, &mnt, 0),
			  EOPNOTSUPP)))
		goto out;
	h.handle_bytes = 0;
	r = want_err("open: 0 bytes", open_by_handle(AT_FDCWD, &h, O_RDONLY), EINVAL);
out:
	handle_cleanup();
	return r;
}

/* A handle opens its file while the file lives, by any name or none:
 * the symlink's own handle is ELOOP unless O_PATH; the mount id is the
 * one mountinfo lists; unlinked and closed, the handle is stale. */
static int handle_roundtrip(void)
{
	struct handle h = { .handle_bytes = MAX_HANDLE_SZ }, hl = { .handle_bytes = MAX_HANDLE_SZ };
	char buf[8] = { 0 };
	int mnt, fd, dfd, r;

	if ((r = handle_setup()))
		return r;
	if ((r = want_eq("handle of f", name_to_handle(AT_FDCWD, "f", &h, &mnt, 0), 0)) ||
	    (r = want_eq("handle of l", name_to_handle(AT_FDCWD, "l", &hl, &mnt, 0), 0)))
		return r;
	if ((fd = open_by_handle(AT_FDCWD, &h, O_RDONLY)) < 0)
		return want_ok("open_by_handle_at", fd);
	r = want_eq("read", read(fd, buf, sizeof(buf)), 4);
	close(fd);
	if (r || memcmp(buf, "data", 4))
		return r ? r : fail("read '%s', want 'data'", buf);
	if ((r = want_err("the symlink's handle", open_by_handle(AT_FDCWD, &hl, O_RDONLY), ELOOP)) ||
	    (r = want_err("O_DIRECTORY on a file", open_by_handle(AT_FDCWD, &h, O_RDONLY | O_DIRECTORY), ENOTDIR)))
		return r;
	if ((fd = open_by_handle(AT_FDCWD, &hl, O_PATH)) < 0)
		return want_ok("the symlink's handle with O_PATH", fd);
	close(fd);
	/* the directory's handle, through AT_EMPTY_PATH on its descriptor */
	struct handle hd = { .handle_bytes = MAX_HANDLE_SZ };
	if ((dfd = open(".", O_RDONLY | O_DIRECTORY)) < 0)
		return want_ok("open .", dfd);
	r = want_eq("handle of the directory", name_to_handle(dfd, "", &hd, &mnt, AT_EMPTY_PATH), 0);
	if (!r && (fd = open_by_handle(dfd, &hd, O_RDONLY)) < 0)
		r = want_ok("open the directory's handle", fd);
	else if (!r)
		close(fd);
	close(dfd);
	if (r)
		return r;
	/* unlinked but open: still there; closed too: stale */
	if ((fd = open("f", O_RDONLY)) < 0 || unlink("f"))
		return fail("open and unlink f: %s", errname(errno));
	int again = open_by_handle(AT_FDCWD, &h, O_RDONLY);
	r = want_ok("open an unlinked, open file", again);
	close(again);
	close(fd);
	if (r)
		return r;
	if ((r = want_err("unlinked and closed", open_by_handle(AT_FDCWD, &h, O_RDONLY), ESTALE)))
		return r;
	if (setuid(65534))
		return fail("setuid: %s", errname(errno));
	return want_err("without CAP_DAC_READ_SEARCH", open_by_handle(AT_FDCWD, &hl, O_PATH), EPERM);
}

static int check_handle_roundtrip(void)
{
	int r;

	if (geteuid() != 0)
		return skip("not root");
	snprintf(hdir, sizeof(hdir), "/tmp/t-conform_sys2.%d", (int)getpid());
	r = in_child(handle_roundtrip);
	handle_cleanup();
	return r;
}

#define TMPFS_MAGIC_U 0x01021994

/* /dev is a file system of its own, a tmpfs as Linux's devtmpfs: statfs
 * says TMPFS_MAGIC, its nodes have another st_dev than /tmp's files, and
 * a handle of a /tmp file is stale against a /dev descriptor (LTP's
 * open_by_handle_at02 stale-dfd case passes /dev/null as fd 0). */
static int dev_own_fs(void)
{
	struct handle h = { .handle_bytes = MAX_HANDLE_SZ };
	struct statfs sf;
	struct stat dn, tf;
	int mnt, dfd, r;

	if ((r = handle_setup()))
		return r;
	if (statfs("/dev", &sf) || stat("/dev/null", &dn) || stat("f", &tf))
		return fail("statfs /dev, stat /dev/null and f: %s", errname(errno));
	if ((r = want_eq("/dev's f_type is TMPFS_MAGIC", (long)sf.f_type, TMPFS_MAGIC_U)) ||
	    (r = want_eq("/dev/null's st_dev differs from a /tmp file's", dn.st_dev != tf.st_dev, 1)) ||
	    (r = want_eq("handle of f", name_to_handle(AT_FDCWD, "f", &h, &mnt, 0), 0)))
		return r;
	if ((dfd = open("/dev/null", O_RDONLY)) < 0)
		return want_ok("open /dev/null", dfd);
	r = want_err("f's handle against /dev/null", open_by_handle(dfd, &h, O_RDONLY), ESTALE);
	close(dfd);
	return r;
}

static int check_dev_own_fs(void)
{
	int r;

	if (geteuid() != 0)
		return skip("not root");
	snprintf(hdir, sizeof(hdir), "/tmp/t-conform_sys2.%d", (int)getpid());
	r = in_child(dev_own_fs);
	handle_cleanup();
	return r;
}

/* ---- vhangup ---- */
static volatile int hups;

static void on_hup(int sig)
{
	(void)sig;
	hups++;
}

/* In a new session whose controlling terminal is a pty's slave: vhangup
 * signals the leader, hangs up the slave's open file (reads 0, writes
 * and ioctls EIO, poll POLLHUP), takes the terminal from the session;
 * the slave opened again works. */
static int vhangup_pty(void)
{
	struct termios tio;
	struct pollfd pfd;
	char c;
	int m, sl, again, r;

	if (setsid() < 0 || (m = posix_openpt(O_RDWR | O_NOCTTY)) < 0 || grantpt(m) || unlockpt(m))
		return fail("a session and a pty: %s", errname(errno));
	if ((sl = open(ptsname(m), O_RDWR)) < 0 || ioctl(sl, TIOCSCTTY, 0))
		return fail("the slave as controlling terminal: %s", errname(errno));
	signal(SIGHUP, on_hup);
	if ((r = want_eq("vhangup", syscall(SYS_vhangup), 0)) || (r = want_eq("SIGHUPs", hups, 1)) ||
	    (r = want_eq("read after", read(sl, &c, 1), 0)) || (r = want_err("write after", write(sl, "x", 1), EIO)) ||
	    (r = want_err("TCGETS after", tcgetattr(sl, &tio), EIO)))
		return r;
	pfd = (struct pollfd){ .fd = sl, .events = POLLIN };
	if ((r = want_eq("poll", poll(&pfd, 1, 0), 1)))
		return r;
	if (!(pfd.revents & POLLHUP))
		return fail("poll: revents %#x, want POLLHUP", pfd.revents);
	if ((r = want_err("/dev/tty", open("/dev/tty", O_RDWR), ENXIO)))
		return r;
	if ((again = open(ptsname(m), O_RDWR | O_NOCTTY)) < 0)
		return want_ok("the slave again", again);
	r = want_ok("TCGETS on the new file", tcgetattr(again, &tio));
	if (!r)
		r = want_eq("write on the new file", write(again, "x", 1), 1);
	close(again);
	close(sl);
	close(m);
	return r;
}

/* Without a controlling terminal, vhangup does nothing; without
 * CAP_SYS_TTY_CONFIG it is EPERM. */
static int vhangup_none(void)
{
	int r;

	if (setsid() < 0)
		return fail("setsid: %s", errname(errno));
	if ((r = want_eq("vhangup without a terminal", syscall(SYS_vhangup), 0)))
		return r;
	if (setuid(65534))
		return fail("setuid: %s", errname(errno));
	return want_err("vhangup as nobody", syscall(SYS_vhangup), EPERM);
}

static int check_vhangup(void)
{
	int r;

	if ((r = root_child(vhangup_none)))
		return r;
	return in_child(vhangup_pty);
}


/* ---- ioperm, iopl ---- */
#define PORT_POST   0x80     /* the POST code port: reading it has no effect */
#define PORT_OTHER  0x81     /* never read: only its fault is checked */
#define IO_PORTS    65536

/* In a child (which inherits the caller's port permissions): read port,
 * or run CLI with cli set; its status, 0 for a normal exit. */
static int port_status(unsigned port, int cli)
{
	pid_t pid = fork();
	int st = -1;

	if (pid == 0) {
		unsigned char v;

		if (cli)
			__asm__ volatile("cli; sti");
		else
			__asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"(port));
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
	return st;
}

/* port (or CLI) must work (ok) or end its child with SIGSEGV. */
static int want_port(const char *what, unsigned port, int cli, int ok)
{
	int st = port_status(port, cli);

	if (ok ? (WIFEXITED(st) && WEXITSTATUS(st) == 0) : (WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV))
		return CHECK_OK;
	return fail("%s: status %#x, want %s", what, st, ok ? "exit 0" : "SIGSEGV");
}

/* As nobody: a range past the ports is EINVAL before allowing is EPERM;
 * denying and lowering need no privilege. */
static int ioport_unprivileged(void)
{
	int r;

	if (setuid(65534))
		return fail("setuid: %s", errname(errno));
	if ((r = want_err("no ports", syscall(SYS_ioperm, 0UL, 0UL, 1), EINVAL)) ||
	    (r = want_err("past the last port", syscall(SYS_ioperm, IO_PORTS - 2UL, 3UL, 1), EINVAL)) ||
	    (r = want_err("a wrapping range", syscall(SYS_ioperm, ~0UL, 2UL, 1), EINVAL)) ||
	    (r = want_err("allow as nobody", syscall(SYS_ioperm, PORT_POST, 1UL, 1), EPERM)) ||
	    (r = want_eq("deny as nobody", syscall(SYS_ioperm, PORT_POST, 1UL, 0), 0)) ||
	    (r = want_err("iopl 4", syscall(SYS_iopl, 4), EINVAL)) ||
	    (r = want_err("iopl 1 as nobody", syscall(SYS_iopl, 1), EPERM)))
		return r;
	return want_eq("iopl 0 as nobody", syscall(SYS_iopl, 0), 0);
}

/* Why the port checks cannot run here, or NULL. Asked in the checking
 * process itself, before the child: a skip inside the child would be its
 * exit status 1, a failure. Root only (root_child skips otherwise). */
static const char *ioport_missing(void)
{
	if (geteuid() != 0)
		return NULL;
	if (syscall(SYS_iopl, 0) && errno == ENOSYS)
		return "no ioperm or iopl (a kernel without CONFIG_X86_IOPL_IOPERM)";
	if (syscall(SYS_ioperm, PORT_POST, 1UL, 1) && errno == EPERM)
		return "ioperm is EPERM for root (kernel lockdown?)";
	syscall(SYS_ioperm, PORT_POST, 1UL, 0);
	return NULL;
}

static int check_ioport_errors(void)
{
	const char *why = ioport_missing();

	return why ? skip("%s", why) : root_child(ioport_unprivileged);
}

/* ioperm allows the ports of its range alone, to the caller's children
 * too, until it denies them again; iopl 3 allows every port, and CLI and
 * STI do nothing (Linux emulates it through the I/O bitmap and skips
 * them, leaving interrupts on). */
static int ioport_ports(void)
{
	int r;

	if ((r = want_port("no permission", PORT_POST, 0, 0)))
		return r;
	if ((r = want_eq("ioperm on", syscall(SYS_ioperm, PORT_POST, 1UL, 1), 0)) ||
	    (r = want_port("an allowed port", PORT_POST, 0, 1)) ||
	    (r = want_port("the next port", PORT_OTHER, 0, 0)) ||
	    (r = want_eq("ioperm off", syscall(SYS_ioperm, PORT_POST, 1UL, 0), 0)) ||
	    (r = want_port("a port denied again", PORT_POST, 0, 0)) ||
	    (r = want_eq("iopl 3", syscall(SYS_iopl, 3), 0)) ||
	    (r = want_port("a port at iopl 3", PORT_POST, 0, 1)) ||
	    (r = want_port("CLI at iopl 3", 0, 1, 1)) ||
	    (r = want_eq("iopl 0", syscall(SYS_iopl, 0), 0)) ||
	    (r = want_port("CLI at iopl 0", 0, 1, 0)) ||
	    (r = want_eq("iopl 3 again", syscall(SYS_iopl, 3), 0)) ||
	    (r = want_eq("iopl 0", syscall(SYS_iopl, 0), 0)))
		return r;
	return want_port("a port at iopl 0", PORT_POST, 0, 0);
}

static int check_ioport_ports(void)
{
	const char *why = ioport_missing();

	return why ? skip("%s", why) : root_child(ioport_ports);
}

/* ---- extended attributes on tmpfs ---- */
static char xdir[64], xfile[80], xlink[80];

/* A directory on a RAM file system: Linux's /dev/shm (tmpfs), else
 * /tmp (Kestrel's RAM root, which has no /dev/shm). */
static int xattr_setup(void)
{
	struct stat st;
	const char *top = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";

	snprintf(xdir, sizeof(xdir), "%s/t-conform_sys2.%d", top, (int)getpid());
	snprintf(xfile, sizeof(xfile), "%s/f", xdir);
	snprintf(xlink, sizeof(xlink), "%s/l", xdir);
	if (mkdir(xdir, 0755) || close(open(xfile, O_CREAT | O_WRONLY, 0644)) || symlink("f", xlink))
		return fail("%s and its files: %s", xdir, errname(errno));
	return CHECK_OK;
}

static void xattr_cleanup(void)
{
	unlink(xlink);
	unlink(xfile);
	rmdir(xdir);
}

/* Does the list (len bytes of names with their NULs) hold name? */
static int listed(const char *list, long len, const char *name)
{
	for (long i = 0; i < len; i += (long)strlen(list + i) + 1)
		if (!strcmp(list + i, name))
			return 1;
	return 0;
}

/* The arguments each call refuses, in Linux's order. */
static int xattr_errors(void)
{
	static char longname[300];
	char buf[8];
	int r, fd;

	memset(longname, 'a', sizeof(longname) - 1);
	memcpy(longname, "security.", 9);
	if ((r = want_err("unknown flag", setxattr(xfile, "security.k", "v", 1, 4), EINVAL)) ||
	    (r = want_err("an empty name", setxattr(xfile, "", "v", 1, 0), ERANGE)) ||
	    (r = want_err("a long name", setxattr(xfile, longname, "v", 1, 0), ERANGE)) ||
	    (r = want_err("a bad name", setxattr(xfile, (char *)8, "v", 1, 0), EFAULT)) ||
	    (r = want_err("a value too big", setxattr(xfile, "security.k", "v", 65537, 0), E2BIG)) ||
	    (r = want_err("a bad value", setxattr(xfile, "security.k", (char *)8, 1, 0), EFAULT)) ||
	    (r = want_err("the prefix alone", setxattr(xfile, "security.", "v", 1, 0), EINVAL)) ||
	    (r = want_err("user.* on a symlink", lsetxattr(xlink, "user.k", "v", 1, 0), EPERM)) ||
	    (r = want_err("replacing nothing", setxattr(xfile, "security.k", "v", 1, XATTR_REPLACE),
			  ENODATA)) ||
	    (r = want_err("getting nothing", getxattr(xfile, "security.k", buf, sizeof(buf)), ENODATA)) ||
	    (r = want_err("removing nothing", removexattr(xfile, "security.k"), ENODATA)) ||
	    (r = want_err("getxattr, no file", getxattr("/nonexistent", "security.k", buf, 1), ENOENT)))
		return r;
	if ((fd = open(xfile, O_PATH)) < 0)
		return want_ok("O_PATH open", fd);
	r = want_err("flistxattr on O_PATH", flistxattr(fd, buf, sizeof(buf)), EBADF);
	close(fd);
	return r;
}

/* fn as root in a child, with xdir and its files (on a RAM file
 * system: tmpfs on Linux) made before and removed after. */
static int with_ram_files(int (*fn)(void))
{
	int r;

	if (geteuid() != 0)
		return skip("not root");
	if ((r = xattr_setup()) == CHECK_OK)
		r = in_child(fn);
	xattr_cleanup();
	return r;
}

static int check_xattr_errors(void)
{
	return with_ram_files(xattr_errors);
}

/* Set, replace, read back, list and remove; sizes: the length alone,
 * ERANGE, an empty value kept. */
static int xattr_roundtrip(void)
{
	char buf[256];
	long n;
	int r, fd;

	if ((r = want_eq("create", setxattr(xfile, "security.k1", "abc", 3, XATTR_CREATE), 0)) ||
	    (r = want_err("create again", setxattr(xfile, "security.k1", "x", 1, XATTR_CREATE), EEXIST)) ||
	    (r = want_eq("an empty value", setxattr(xfile, "security.k2", "", 0, 0), 0)) ||
	    (r = want_eq("trusted.*", lsetxattr(xlink, "trusted.k3", "t", 1, 0), 0)) ||
	    (r = want_eq("the length", getxattr(xfile, "security.k1", NULL, 0), 3)) ||
	    (r = want_err("too small", getxattr(xfile, "security.k1", buf, 2), ERANGE)) ||
	    (r = want_err("a bad buffer", getxattr(xfile, "security.k1", (char *)8, 3), EFAULT)) ||
	    (r = want_eq("the empty one", getxattr(xfile, "security.k2", buf, sizeof(buf)), 0)) ||
	    (r = want_eq("replace", setxattr(xfile, "security.k1", "defg", 4, XATTR_REPLACE), 0)) ||
	    (r = want_eq("read back", getxattr(xfile, "security.k1", buf, sizeof(buf)), 4)))
		return r;
	if (memcmp(buf, "defg", 4))
		return fail("read back %.4s, want defg", buf);
	if ((r = want_err("the symlink's on the file", getxattr(xfile, "trusted.k3", buf, 1), ENODATA)) ||
	    (r = want_eq("the symlink's", lgetxattr(xlink, "trusted.k3", buf, 1), 1)))
		return r;
	if ((n = listxattr(xfile, NULL, 0)) < 24)
		return fail("listxattr's length %ld, want at least 24", n);
	if ((r = want_err("a list too small", listxattr(xfile, buf, (size_t)n - 1), ERANGE)) ||
	    (r = want_eq("the list", listxattr(xfile, buf, sizeof(buf)), n)))
		return r;
	if (!listed(buf, n, "security.k1") || !listed(buf, n, "security.k2") || listed(buf, n, "trusted.k3"))
		return fail("the file's list lacks security.k1 or .k2, or has the symlink's");
	if ((fd = open(xfile, O_RDONLY)) < 0)
		return want_ok("open", fd);
	r = want_eq("fremovexattr", fremovexattr(fd, "security.k2"), 0);
	if (!r)
		r = want_eq("flistxattr after", flistxattr(fd, buf, sizeof(buf)), n - 12);
	close(fd);
	if (!r)
		r = want_err("removed", getxattr(xfile, "security.k2", buf, 1), ENODATA);
	return r;
}

static int check_xattr_roundtrip(void)
{
	return with_ram_files(xattr_roundtrip);
}

/* Without CAP_SYS_ADMIN: trusted.* is neither listed nor read (ENODATA)
 * nor written (EPERM). Writing or removing security.* is EPERM by the
 * capability check (cap_inode_setxattr), which Linux 6.1 skips when
 * another LSM has the hook: Debian's 6.1, with the BPF LSM on, lets
 * nobody write it. Kestrel, with no LSM, checks as the kernel without
 * one does; either answer passes here. */
static int xattr_unprivileged(void)
{
	char buf[256];
	long n;
	int r;

	if (setxattr(xfile, "trusted.k", "t", 1, 0) || setxattr(xfile, "security.k", "s", 1, 0))
		return fail("setxattr as root: %s", errname(errno));
	if (setuid(65534))
		return fail("setuid: %s", errname(errno));
	if ((r = want_err("get trusted.*", getxattr(xfile, "trusted.k", buf, 1), ENODATA)) ||
	    (r = want_err("set trusted.*", setxattr(xfile, "trusted.k", "u", 1, 0), EPERM)) ||
	    (r = want_eq("get security.*", getxattr(xfile, "security.k", buf, 1), 1)))
		return r;
	if (setxattr(xfile, "security.k", "u", 1, 0) == 0)
		remark("security.* written without CAP_SYS_ADMIN: an LSM's hook replaced the check");
	else if ((r = want_err("set security.*", -1, EPERM)) ||
		 (r = want_err("remove security.*", removexattr(xfile, "security.k"), EPERM)))
		return r;
	if ((n = listxattr(xfile, buf, sizeof(buf))) < 0)
		return want_ok("listxattr", n);
	if (!listed(buf, n, "security.k") || listed(buf, n, "trusted.k"))
		return fail("the list as nobody: security.k %s, trusted.k %s",
			    listed(buf, n, "security.k") ? "listed" : "missing",
			    listed(buf, n, "trusted.k") ? "listed" : "hidden");
	return CHECK_OK;
}

static int check_xattr_unprivileged(void)
{
	return with_ram_files(xattr_unprivileged);
}

/* ---- remap_file_pages ---- */
#define NR_remap_file_pages 216
#define RFP_PAGES 4

static long rfp_call(void *start, size_t size, int prot, size_t pgoff, int flags)
{
	return syscall(NR_remap_file_pages, start, size, prot, pgoff, flags);
}

/* A file of RFP_PAGES pages in /tmp, page i filled with 'a' + i, already
 * unlinked: its descriptor, or -1. */
static int rfp_file(long pg)
{
	char path[] = "/tmp/t-conform_sys2.rfp.XXXXXX", page[4096];
	int fd = mkstemp(path);

	if (fd < 0 || pg > (long)sizeof(page))
		return -1;
	unlink(path);
	for (int i = 0; i < RFP_PAGES; i++) {
		memset(page, 'a' + i, (size_t)pg);
		if (write(fd, page, (size_t)pg) != pg) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* What each call refuses: prot, a private or absent mapping, a range
 * past the mapping's end or wrapping, all EINVAL. */
static int check_remap_errors(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd = rfp_file(pg), r;
	char *shared, *priv;

	if (fd < 0)
		return fail("the file: %s", errname(errno));
	shared = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	priv = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (shared == MAP_FAILED || priv == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	munmap(shared + pg, (size_t)pg);
	if ((r = want_err("prot", rfp_call(shared, (size_t)pg, PROT_READ, 1, 0), EINVAL)) ||
	    (r = want_err("a private mapping", rfp_call(priv, (size_t)pg, 0, 1, 0), EINVAL)) ||
	    (r = want_err("no mapping", rfp_call(shared + pg, (size_t)pg, 0, 1, 0), EINVAL)) ||
	    (r = want_err("past the mapping", rfp_call(shared, 2 * (size_t)pg, 0, 1, 0), EINVAL)) ||
	    (r = want_err("no pages", rfp_call(shared, 0, 0, 1, 0), EINVAL)) ||
	    (r = want_err("a wrapping pgoff", rfp_call(shared, (size_t)pg, 0, ~(size_t)0, 0),
			  EINVAL)))
		(void)0;
	munmap(shared, (size_t)pg);
	munmap(priv, (size_t)pg);
	return r;
}

/* A file's window shows other pages after a remap (and writes reach
 * them); shared anonymous memory remaps the same way. */
static int check_remap_pages(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd = rfp_file(pg), r;
	char *w, *anon, c;

	if (fd < 0)
		return fail("the file: %s", errname(errno));
	w = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	anon = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (w == MAP_FAILED || anon == MAP_FAILED) {
		close(fd);
		return fail("mmap: %s", errname(errno));
	}
	anon[pg] = 'B';
	if ((r = want_eq("remap to page 3", rfp_call(w, (size_t)pg, 0, 3, 0), 0)) ||
	    (r = want_eq("page 3 in the window", w[0], 'd')) ||
	    (r = want_eq("page 1 left alone", w[pg], 'b')))
		goto out;
	w[1] = 'X';
	if ((r = want_eq("pread page 3", pread(fd, &c, 1, 3 * pg + 1), 1)) ||
	    (r = want_eq("the write in the file", c, 'X')) ||
	    (r = want_eq("remap back to 0", rfp_call(w, 2 * (size_t)pg, 0, 0, 0), 0)) ||
	    (r = want_eq("page 0 again", w[0], 'a')) ||
	    (r = want_eq("remap shared anonymous", rfp_call(anon, (size_t)pg, 0, 1, 0), 0)))
		goto out;
	r = want_eq("its page 1 at page 0", anon[0], 'B');
out:
	munmap(w, 2 * (size_t)pg);
	munmap(anon, 2 * (size_t)pg);
	close(fd);
	return r;
}

/* A System V segment's attach remaps while the segment lives (another
 * attach keeps a removed one); once removed, a remap that takes its last
 * attach fails with EINVAL and the segment is gone, as Linux's shm_mmap
 * finds its id gone. */
static int check_remap_sysv(void)
{
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600), r;
	char *a, *b;

	if (id < 0)
		return fail("shmget: %s", errname(errno));
	a = shmat(id, NULL, 0);
	b = shmat(id, NULL, 0);
	shmctl(id, IPC_RMID, NULL);
	if (a == (void *)-1 || b == (void *)-1)
		return fail("shmat: %s", errname(errno));
	a[0] = 'S';
	if ((r = want_eq("remap with another attach", rfp_call(a, 4096, 0, 0, 0), 0)) ||
	    (r = want_eq("the segment's byte", a[0], 'S')) || (r = want_eq("shmdt", shmdt(b), 0)) ||
	    (r = want_err("remap of the last attach", rfp_call(a, 4096, 0, 0, 0), EINVAL)))
		return r;
	return want_err("the segment", shmctl(id, IPC_STAT, &(struct shmid_ds){ 0 }), EINVAL);
}

/* ---- /dev/random's ioctls (linux/random.h) ---- */
#define RNDGETENTCNT   0x80045200
#define RNDADDTOENTCNT 0x40045201
#define RNDGETPOOL     0x80085202   /* gone since Linux 4.8: EINVAL */
#define RNDADDENTROPY  0x40085203
#define RNDZAPENTCNT   0x5204
#define RNDCLEARPOOL   0x5206
#define RNDRESEEDCRNG  0x5207

/* RNDGETENTCNT agrees with entropy_avail; what a bad pointer and an
 * unknown request get. */
static int check_random_count(void)
{
	int fd = open("/dev/urandom", O_RDONLY), cnt = -1, avail = -2, r;
	FILE *f = fopen("/proc/sys/kernel/random/entropy_avail", "r");

	if (fd < 0 || !f || fscanf(f, "%d", &avail) != 1)
		r = fail("/dev/urandom or entropy_avail: %s", errname(errno));
	else if (!(r = want_eq("RNDGETENTCNT", ioctl(fd, RNDGETENTCNT, &cnt), 0)) &&
		 (cnt < avail - 2 || cnt > avail + 2)) /* LTP's ioctl07 allows 2 bits either way */
		r = fail("RNDGETENTCNT %d, entropy_avail %d", cnt, avail);
	if (!r && !(r = want_err("a bad pointer", ioctl(fd, RNDGETENTCNT, (int *)8), EFAULT)) &&
	    !(r = want_err("RNDGETPOOL", ioctl(fd, RNDGETPOOL, &cnt), EINVAL)))
		r = want_err("TCGETS", ioctl(fd, TCGETS, &(struct termios){ 0 }), EINVAL);
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	return r;
}

/* The requests that change the pool: root's with their argument
 * checks, EPERM for nobody. */
static int random_changes(void)
{
	struct { int count, size; unsigned char buf[8]; } add = { 8, 8, "kestrel" };
	int fd = open("/dev/random", O_WRONLY), neg = -1, r;

	if (fd < 0)
		return fail("/dev/random: %s", errname(errno));
	if (!(r = want_err("a negative count", ioctl(fd, RNDADDTOENTCNT, &neg), EINVAL)) &&
	    !(r = want_err("a bad count pointer", ioctl(fd, RNDADDTOENTCNT, (int *)8), EFAULT)) &&
	    !(r = want_eq("RNDADDENTROPY", ioctl(fd, RNDADDENTROPY, &add), 0)) &&
	    !(r = want_eq("RNDCLEARPOOL", ioctl(fd, RNDCLEARPOOL), 0)) &&
	    /* ENODATA before the generator is ready (Linux early in a boot under TCG) */
	    !(r = ioctl(fd, RNDRESEEDCRNG) == 0 || errno == ENODATA ? CHECK_OK
		  : fail("RNDRESEEDCRNG: %s", errname(errno)))) {
		if (setuid(65534))
			r = fail("setuid: %s", errname(errno));
		else if (!(r = want_err("RNDADDTOENTCNT as nobody", ioctl(fd, RNDADDTOENTCNT, &neg), EPERM)))
			r = want_err("RNDZAPENTCNT as nobody", ioctl(fd, RNDZAPENTCNT), EPERM);
	}
	close(fd);
	return r;
}

static int check_random_changes(void)
{
	return root_child(random_changes);
}

/* ---- SEEK_DATA and SEEK_HOLE on tmpfs ---- */

/* A file of three pages with data in pages 0 and 2 (the middle never
 * written: a hole): the seeks find them at page granularity, as tmpfs
 * keeps pages, and move the position; past the end is ENXIO. (Not
 * checked: a punched page, which Linux frees and Kestrel zeroes in
 * place, so it stays data.) */
static int seek_holes(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd = open(xfile, O_RDWR | O_TRUNC), r;

	if (fd < 0)
		return fail("open: %s", errname(errno));
	if (ftruncate(fd, 3 * pg) || pwrite(fd, "a", 1, 10) != 1 || pwrite(fd, "c", 1, 2 * pg + 5) != 1)
		r = fail("the file: %s", errname(errno));
	else if (!(r = want_eq("SEEK_DATA from 0", lseek(fd, 0, SEEK_DATA), 0)) &&
		 !(r = want_eq("SEEK_DATA inside data", lseek(fd, 100, SEEK_DATA), 100)) &&
		 !(r = want_eq("SEEK_HOLE from 0", lseek(fd, 0, SEEK_HOLE), pg)) &&
		 !(r = want_eq("SEEK_DATA from the hole", lseek(fd, pg + 1, SEEK_DATA), 2 * pg)) &&
		 !(r = want_eq("SEEK_HOLE in the last page", lseek(fd, 2 * pg, SEEK_HOLE), 3 * pg)) &&
		 !(r = want_err("SEEK_DATA at the end", lseek(fd, 3 * pg, SEEK_DATA), ENXIO)) &&
		 !(r = want_err("SEEK_HOLE at -1", lseek(fd, -1, SEEK_HOLE), ENXIO)) &&
		 !(r = want_eq("SEEK_HOLE in the hole", lseek(fd, pg + 7, SEEK_HOLE), pg + 7)))
		r = want_eq("the position", lseek(fd, 0, SEEK_CUR), pg + 7);
	close(fd);
	return r;
}

static int check_seek_holes(void)
{
	return with_ram_files(seek_holes);
}

/* ---- O_TMPFILE on tmpfs ---- */
#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif

/* The flags O_TMPFILE refuses (EINVAL before the path), and a path that
 * is no directory. */
static int tmpfile_errors(void)
{
	int r;

	if ((r = want_err("read-only", open(xdir, O_TMPFILE | O_RDONLY, 0600), EINVAL)) ||
	    (r = want_err("with O_CREAT", open(xdir, O_TMPFILE | O_CREAT | O_RDWR, 0600), EINVAL)) ||
	    (r = want_err("without O_DIRECTORY", open(xdir, (O_TMPFILE & ~O_DIRECTORY) | O_RDWR, 0600),
			  EINVAL)) ||
	    (r = want_err("a bad path", open((char *)8, O_TMPFILE | O_RDONLY, 0600), EINVAL)))
		return r;
	return want_err("a file, not a directory", open(xfile, O_TMPFILE | O_RDWR, 0600), ENOTDIR);
}

static int check_tmpfile_errors(void)
{
	return with_ram_files(tmpfile_errors);
}

/* An unnamed file: nlink 0, no entry in the directory, the mode less the
 * umask; linkat through /proc/self/fd gives it a name, once; with
 * O_EXCL it can have none. */
static int tmpfile_link(void)
{
	char fdpath[64], name[100], c = 0;
	struct stat st;
	int fd, ex, r;

	umask(022);
	if ((fd = open(xdir, O_TMPFILE | O_RDWR, 0660)) < 0)
		return fail("O_TMPFILE: %s", errname(errno));
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	snprintf(name, sizeof(name), "%s/named", xdir);
	if ((r = want_eq("fstat", fstat(fd, &st), 0)) || (r = want_eq("nlink", (long)st.st_nlink, 0)) ||
	    (r = want_eq("mode", (long)st.st_mode, (long)(S_IFREG | 0640))) ||
	    (r = want_eq("write", write(fd, "t", 1), 1)) || (r = want_eq("pread", pread(fd, &c, 1, 0), 1)) ||
	    (r = want_eq("the byte", c, 't')) ||
	    (r = want_eq("linkat", linkat(AT_FDCWD, fdpath, AT_FDCWD, name, AT_SYMLINK_FOLLOW), 0)) ||
	    (r = want_eq("stat the name", stat(name, &st), 0)) || (r = want_eq("nlink now", (long)st.st_nlink, 1)))
		goto out;
	unlink(name);
	if ((ex = open(xdir, O_TMPFILE | O_RDWR | O_EXCL, 0600)) < 0) {
		r = want_ok("O_TMPFILE | O_EXCL", ex);
		goto out;
	}
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", ex);
	r = want_err("linkat of an O_EXCL one", linkat(AT_FDCWD, fdpath, AT_FDCWD, name, AT_SYMLINK_FOLLOW),
		     ENOENT);
	close(ex);
out:
	unlink(name);
	close(fd);
	return r;
}

static int check_tmpfile_link(void)
{
	return with_ram_files(tmpfile_link);
}

/* ---- openat2 ---- */
#define NR_openat2 437
#define RSV_NO_XDEV       0x01
#define RSV_NO_MAGICLINKS 0x02
#define RSV_NO_SYMLINKS   0x04
#define RSV_BENEATH       0x08
#define RSV_IN_ROOT       0x10
#define RSV_CACHED        0x20

struct how_pad {
	uint64_t flags, mode, resolve, pad;
};

/* openat2 with how {flags, mode, resolve}, size bytes of it (and pad). */
static long openat2_call(int dfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve,
			 size_t size, uint64_t pad)
{
	struct how_pad how = { flags, mode, resolve, pad };

	return syscall(NR_openat2, dfd, path, &how, size);
}

/* openat2 of "/" with a zeroed how of a page and a byte: Linux refuses
 * any size over a page (E2BIG) before it reads the struct, so a program
 * cannot make the kernel scan a huge zeroed buffer for non-zero bytes. */
static long openat2_page_plus_one(void)
{
	static uint64_t zeroes[2 * 4096 / sizeof(uint64_t)];

	zeroes[0] = O_RDONLY;
	return syscall(NR_openat2, AT_FDCWD, "/", zeroes, (size_t)4096 + 1);
}

/* openat2 at dfd must succeed (then the descriptor is closed) or fail with err. */
static int want_open2(const char *what, int dfd, const char *path, uint64_t flags, uint64_t resolve,
		      int err)
{
	long fd = openat2_call(dfd, path, flags, 0, resolve, 24, 0);

	if (fd >= 0)
		close((int)fd);
	return err ? want_err(what, fd, err) : want_ok(what, fd);
}

/* The struct's size rules and the strict flag checks openat lacks. */
static int check_openat2_errors(void)
{
	int r;

	if ((r = want_err("size 0", openat2_call(AT_FDCWD, "/", O_RDONLY, 0, 0, 0, 0), EINVAL)) ||
	    (r = want_err("size 23", openat2_call(AT_FDCWD, "/", O_RDONLY, 0, 0, 23, 0), EINVAL)) ||
	    (r = want_err("a non-zero tail", openat2_call(AT_FDCWD, "/", O_RDONLY, 0, 0, 32, 1), E2BIG)) ||
	    (r = want_ok("a zero tail", openat2_call(AT_FDCWD, "/", O_RDONLY, 0, 0, 32, 0))) ||
	    (r = want_err("a struct over a page, zeroes past it", openat2_page_plus_one(), E2BIG)) ||
	    (r = want_err("an unknown flag", openat2_call(AT_FDCWD, "/", 1ull << 40, 0, 0, 24, 0), EINVAL)) ||
	    (r = want_err("an unknown resolve", openat2_call(AT_FDCWD, "/", 0, 0, 0x40, 24, 0), EINVAL)) ||
	    (r = want_err("two scopes", openat2_call(AT_FDCWD, "/", 0, 0, RSV_BENEATH | RSV_IN_ROOT, 24, 0),
			  EINVAL)) ||
	    (r = want_err("a mode without O_CREAT", openat2_call(AT_FDCWD, "/", 0, 0600, 0, 24, 0), EINVAL)) ||
	    (r = want_err("a file type in mode", openat2_call(AT_FDCWD, "/tmp/x", O_CREAT | O_RDWR, 0100600,
							      0, 24, 0), EINVAL)) ||
	    (r = want_err("RESOLVE_CACHED creating", openat2_call(AT_FDCWD, "/tmp/x", O_CREAT | O_RDWR,
								  0600, RSV_CACHED, 24, 0), EAGAIN)))
		return r;
	return want_err("a bad path", openat2_call(AT_FDCWD, NULL, O_RDONLY, 0, 0, 24, 0), EFAULT);
}

/* The resolve rules, from a directory holding f and l -> f, with a
 * subdirectory d and a symlink a -> /f. */
static int openat2_rules(void)
{
	char sub[100], abs[100];
	int dfd = open(xdir, O_DIRECTORY | O_RDONLY), r;

	snprintf(sub, sizeof(sub), "%s/d", xdir);
	snprintf(abs, sizeof(abs), "%s/a", xdir);
	if (dfd < 0 || mkdir(sub, 0755) || symlink("/f", abs))
		return fail("the directory: %s", errname(errno));
	if (!(r = want_open2("a symlink", dfd, "l", O_RDONLY, 0, 0)) &&
	    !(r = want_open2("NO_SYMLINKS", dfd, "l", O_RDONLY, RSV_NO_SYMLINKS, ELOOP)) &&
	    !(r = want_open2("NO_SYMLINKS, not followed", dfd, "l", O_PATH | O_NOFOLLOW, RSV_NO_SYMLINKS, 0)) &&
	    !(r = want_open2("NO_XDEV into /proc", dfd, "/proc/version", O_RDONLY, RSV_NO_XDEV, EXDEV)) &&
	    !(r = want_open2("a magic link", dfd, "/proc/self/exe", O_RDONLY, 0, 0)) &&
	    !(r = want_open2("NO_MAGICLINKS", dfd, "/proc/self/exe", O_RDONLY, RSV_NO_MAGICLINKS, ELOOP)) &&
	    !(r = want_open2("BENEATH", dfd, "d/../f", O_RDONLY, RSV_BENEATH, 0)) &&
	    !(r = want_open2("BENEATH, ..", dfd, "../f", O_RDONLY, RSV_BENEATH, EXDEV)) &&
	    !(r = want_open2("BENEATH, absolute", dfd, "/proc/version", O_RDONLY, RSV_BENEATH, EXDEV)) &&
	    !(r = want_open2("BENEATH, an absolute symlink", dfd, "a", O_RDONLY, RSV_BENEATH, EXDEV)) &&
	    !(r = want_open2("IN_ROOT, absolute", dfd, "/f", O_RDONLY, RSV_IN_ROOT, 0)) &&
	    !(r = want_open2("IN_ROOT, .. at the top", dfd, "../../f", O_RDONLY, RSV_IN_ROOT, 0)) &&
	    !(r = want_open2("IN_ROOT, an absolute symlink", dfd, "a", O_RDONLY, RSV_IN_ROOT, 0)))
		r = want_open2("IN_ROOT, outside names", dfd, "/proc/version", O_RDONLY, RSV_IN_ROOT, ENOENT);
	unlink(abs);
	rmdir(sub);
	close(dfd);
	return r;
}

static int check_openat2_rules(void)
{
	return with_ram_files(openat2_rules);
}

/* ---- acct: BSD process accounting (struct acct_v3, Linux's include/uapi/linux/acct.h) ---- */

struct acct_v3_rec {
	char ac_flag, ac_version;
	uint16_t ac_tty;
	uint32_t ac_exitcode, ac_uid, ac_gid, ac_pid, ac_ppid, ac_btime;
	float ac_etime;
	uint16_t ac_utime, ac_stime, ac_mem, ac_io, ac_rw, ac_minflt, ac_majflt, ac_swaps;
	char ac_comm[16];
};
#define ACCT_AFORK 0x01
#define ACCT_AXSIG 0x10

/* acct's errors in Linux's order: a directory EISDIR, a device EACCES,
 * a missing file ENOENT, a bad pointer EFAULT; off (NULL) is 0. */
static int check_acct_errors(void)
{
	int r;

	errno = 0;
	if (syscall(SYS_acct, NULL) != 0)
		return errno == EPERM ? skip("acct: EPERM here (no CAP_SYS_PACCT)") : fail("acct(NULL): %s", errname(errno));
	errno = 0;
	if ((r = want_err("acct(/tmp)", syscall(SYS_acct, "/tmp"), EISDIR)) != CHECK_OK)
		return r;
	errno = 0;
	if ((r = want_err("acct(/dev/null)", syscall(SYS_acct, "/dev/null"), EACCES)) != CHECK_OK)
		return r;
	errno = 0;
	if ((r = want_err("acct(missing)", syscall(SYS_acct, "/tmp/no/such/acct"), ENOENT)) != CHECK_OK)
		return r;
	errno = 0;
	return want_err("acct(bad pointer)", syscall(SYS_acct, (void *)8), EFAULT);
}

/* The record of child pid in the accounting file at path, or fail. */
static int acct_find(const char *path, pid_t pid, struct acct_v3_rec *out)
{
	int fd = open(path, O_RDONLY);
	struct acct_v3_rec rec;

	if (fd < 0)
		return fail("open %s: %s", path, errname(errno));
	while (read(fd, &rec, sizeof(rec)) == (ssize_t)sizeof(rec))
		if (rec.ac_pid == (uint32_t)pid) {
			*out = rec;
			close(fd);
			return CHECK_OK;
		}
	close(fd);
	return fail("no record of pid %d", (int)pid);
}

/* Two children end while accounting is on, one by _exit(3), one by
 * SIGTERM: their records say so, with version 3, their parent, ids and
 * command name, AFORK (no exec) and AXSIG (the signal). */
static int check_acct_records(void)
{
	char path[] = "/tmp/conform-acct-XXXXXX";
	struct acct_v3_rec a, b;
	int fd = mkstemp(path), st, r;
	pid_t p1, p2;

	if (fd < 0)
		return fail("mkstemp: %s", errname(errno));
	close(fd);
	if (syscall(SYS_acct, path) != 0) {
		int e = errno;
		unlink(path);
		return e == EPERM ? skip("acct: EPERM here") : fail("acct(file): %s", errname(e));
	}
	if ((p1 = fork()) == 0)
		_exit(3);
	waitpid(p1, &st, 0);
	if ((p2 = fork()) == 0) {
		pause();
		_exit(0);
	}
	kill(p2, SIGTERM);
	waitpid(p2, &st, 0);
	syscall(SYS_acct, NULL);
	if ((r = acct_find(path, p1, &a)) == CHECK_OK)
		r = acct_find(path, p2, &b);
	unlink(path);
	if (r != CHECK_OK)
		return r;
	if (a.ac_version != 3 || a.ac_exitcode != 3 << 8 || a.ac_ppid != (uint32_t)getpid() ||
	    a.ac_uid != getuid() || a.ac_gid != getgid() || strncmp(a.ac_comm, "t-conform_sys2", 16) ||
	    !(a.ac_flag & ACCT_AFORK) || (a.ac_flag & ACCT_AXSIG) || a.ac_etime < 0 || a.ac_etime > 1000)
		return fail("exit record: version %d exitcode %u ppid %u uid %u comm %.16s flag %#x etime %g",
			    a.ac_version, a.ac_exitcode, a.ac_ppid, a.ac_uid, a.ac_comm, a.ac_flag, a.ac_etime);
	if (b.ac_exitcode != SIGTERM || !(b.ac_flag & ACCT_AXSIG))
		return fail("signal record: exitcode %u flag %#x", b.ac_exitcode, b.ac_flag);
	return CHECK_OK;
}

/* sync_file_range's errors in Linux's order (EBADF, EINVAL for flags and
 * ranges, ESPIPE for a pipe or a character device), and 0 on a file for
 * each flag. */
static int check_sync_file_range(void)
{
	char path[] = "/tmp/conform-sfr-XXXXXX";
	int fd = mkstemp(path), p[2], nul = open("/dev/null", O_RDWR), r = CHECK_OK;

	if (fd < 0 || nul < 0 || pipe(p))
		return fail("setup: %s", errname(errno));
	unlink(path);
	if (write(fd, "data", 4) != 4)
		r = fail("write: %s", errname(errno));
	struct { int fd; long off, len; unsigned flags; int err; } cases[] = {
		{ -1, 0, 1, 2, EBADF }, { fd, 0, 1, 8, EINVAL }, { fd, -1, 1, 1, EINVAL },
		{ fd, 0, -1, 2, EINVAL }, { fd, 0x7fffffffffffffffl, 2, 2, EINVAL },
		{ p[0], 0, 1, 4, ESPIPE }, { nul, 0, 1, 4, ESPIPE }, { fd, 0, 0, 7, 0 },
		{ fd, 0, 4, 2, 0 }, { fd, 4096, 4096, 1, 0 }, { fd, 0, 1, 4, 0 },
	};
	for (unsigned i = 0; r == CHECK_OK && i < NELEMS(cases); i++) {
		errno = 0;
		long got = syscall(SYS_sync_file_range, cases[i].fd, cases[i].off, cases[i].len, cases[i].flags);
		if (cases[i].err ? got != -1 || errno != cases[i].err : got != 0)
			r = fail("case %u: %ld (%s), want %s", i, got, errname(errno),
				 cases[i].err ? errname(cases[i].err) : "0");
	}
	close(fd), close(nul), close(p[0]), close(p[1]);
	return r;
}

/* ---- PR_SET_TSC ---- */
#ifndef PR_GET_TSC
#define PR_GET_TSC 25
#define PR_SET_TSC 26
#define PR_TSC_ENABLE 1
#define PR_TSC_SIGSEGV 2
#endif

static uint64_t read_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* The child's exit: 10 + PR_GET_TSC's mode, or after SIGSEGV the signal. */
static int tsc_child_mode(void)
{
	int mode = 0;

	return prctl(PR_GET_TSC, &mode) ? 9 : 10 + mode;
}

#define TSC_RAN 8 /* the child's exit: RDTSC ran under PR_TSC_SIGSEGV */

/* PR_SET_TSC: PR_TSC_SIGSEGV makes RDTSC SIGSEGV, which a fork's child
 * keeps (and exec keeps, as Linux's TIF_NOTSC); PR_TSC_ENABLE allows it
 * again; other values EINVAL. Some build machines' Linux (a guest whose
 * hypervisor does not fault RDTSC on CR4.TSD) lets RDTSC run: skipped
 * there, a failure on Kestrel, which sets CR4.TSD itself under QEMU. */
static int check_tsc_mode(void)
{
	int st = 0;
	pid_t pid = fork();

	if (pid == 0) {
		if (prctl(PR_SET_TSC, 3) != -1 || errno != EINVAL)
			_exit(1);
		if (prctl(PR_SET_TSC, PR_TSC_SIGSEGV) || tsc_child_mode() != 10 + PR_TSC_SIGSEGV)
			_exit(2);
		pid_t g = fork(); /* its child: the mode inherited, and RDTSC faults */
		if (g == 0) {
			if (tsc_child_mode() != 10 + PR_TSC_SIGSEGV)
				_exit(3);
			read_tsc();
			_exit(4);
		}
		int gst = 0;
		waitpid(g, &gst, 0);
		if (WIFEXITED(gst) && WEXITSTATUS(gst) == 4)
			_exit(TSC_RAN);
		if (!WIFSIGNALED(gst) || WTERMSIG(gst) != SIGSEGV)
			_exit(5);
		if (prctl(PR_SET_TSC, PR_TSC_ENABLE) || tsc_child_mode() != 10 + PR_TSC_ENABLE)
			_exit(6);
		uint64_t a = read_tsc(), b = read_tsc();
		_exit(b > a ? 0 : 7);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return fail("fork/wait: %s", errname(errno));
	if (WIFEXITED(st) && WEXITSTATUS(st) == TSC_RAN)
		return on_kestrel() ? fail("RDTSC ran under PR_TSC_SIGSEGV")
				    : skip("RDTSC runs under PR_TSC_SIGSEGV on this machine's Linux (its hypervisor)");
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? CHECK_OK : fail("child status %#x", st);
}

/* ---- /proc/PID/ns: nsfs ---- */
#define NS_GET_USERNS 0xb701
#define NS_GET_PARENT 0xb702
#define NS_GET_NSTYPE 0xb703
#define NS_GET_OWNER_UID 0xb704

/* Each /proc/self/ns link reads "kind:[ino]" and opens a file of that
 * inode whose NS_GET_NSTYPE is the kind's CLONE_NEW* flag. */
static int check_ns_links(void)
{
	static const struct { const char *name, *kind; int type; } ns[] = {
		{ "cgroup", "cgroup", CLONE_NEWCGROUP }, { "ipc", "ipc", CLONE_NEWIPC },
		{ "mnt", "mnt", CLONE_NEWNS }, { "net", "net", CLONE_NEWNET },
		{ "pid", "pid", CLONE_NEWPID }, { "pid_for_children", "pid", CLONE_NEWPID },
		{ "user", "user", CLONE_NEWUSER }, { "uts", "uts", CLONE_NEWUTS },
	};
	for (unsigned i = 0; i < NELEMS(ns); i++) {
		char path[64], text[64], want[80];
		struct stat sb;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i].name);
		ssize_t n = readlink(path, text, sizeof(text) - 1);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (n < 0 || fd < 0)
			return fail("%s: %s", path, errname(errno));
		text[n] = 0;
		int type = ioctl(fd, NS_GET_NSTYPE);
		int st = fstat(fd, &sb);
		close(fd);
		snprintf(want, sizeof(want), "%s:[%lu]", ns[i].kind, st ? 0ul : (unsigned long)sb.st_ino);
		if (st || strcmp(text, want) || type != ns[i].type)
			return fail("%s: \"%s\", inode %s, NS_GET_NSTYPE %#x", path, text, want, type);
	}
	/* another user's process's links (a root child's): only for who may trace it */
	int st = 0;
	pid_t root = fork();
	if (root == 0) {
		pause();
		_exit(0);
	}
	pid_t pid = root > 0 ? fork() : -1;
	if (pid == 0) {
		char text[64], path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)root);
		_exit(setuid(65534) ? 2 : readlink(path, text, sizeof(text)) == -1 && errno == EACCES &&
		      open(path, O_RDONLY) == -1 && errno == EACCES ? 0 : 1);
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
	if (root > 0) {
		kill(root, SIGKILL);
		waitpid(root, NULL, 0);
	}
	if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return fail("another user's /proc/PID/ns/uts as nobody: child status %#x (want EACCES)", st);
	return CHECK_OK;
}

/* The ioctls' answers for the namespaces a process starts in: no parent
 * to see (EPERM) for pid and user, none at all (EINVAL) for UTS; an
 * owner uid only for a user namespace; NS_GET_USERNS of UTS opens the
 * caller's user namespace; an unknown request ENOTTY. */
static int check_ns_ioctls(void)
{
	int uts = open("/proc/self/ns/uts", O_RDONLY), pid = open("/proc/self/ns/pid", O_RDONLY);
	int user = open("/proc/self/ns/user", O_RDONLY), r = CHECK_OK;
	struct stat a, b;
	uid_t uid = 12345;

	if (uts < 0 || pid < 0 || user < 0)
		return fail("open: %s", errname(errno));
	errno = 0;
	if ((r = want_err("NS_GET_PARENT(uts)", ioctl(uts, NS_GET_PARENT), EINVAL)) != CHECK_OK)
		goto out;
	errno = 0;
	if ((r = want_err("NS_GET_PARENT(pid)", ioctl(pid, NS_GET_PARENT), EPERM)) != CHECK_OK)
		goto out;
	errno = 0;
	if ((r = want_err("NS_GET_OWNER_UID(uts)", ioctl(uts, NS_GET_OWNER_UID, &uid), EINVAL)) != CHECK_OK)
		goto out;
	errno = 0;
	if ((r = want_err("unknown ioctl", ioctl(uts, 0xb7ff), ENOTTY)) != CHECK_OK)
		goto out;
	if (ioctl(user, NS_GET_OWNER_UID, &uid) || uid == 12345) {
		r = fail("NS_GET_OWNER_UID(user): %s, uid %u", errname(errno), (unsigned)uid);
		goto out;
	}
	int owner = ioctl(uts, NS_GET_USERNS);
	if (owner < 0 || fstat(owner, &a) || fstat(user, &b) || a.st_ino != b.st_ino ||
	    ioctl(owner, NS_GET_NSTYPE) != CLONE_NEWUSER || !(fcntl(owner, F_GETFD) & FD_CLOEXEC))
		r = fail("NS_GET_USERNS(uts): %d (%s)", owner, errname(errno));
	if (owner >= 0)
		close(owner);
out:
	close(uts), close(pid), close(user);
	return r;
}

/* setns's errors in Linux's order (EBADF; EINVAL for a file that is no
 * namespace, a type that does not match, a pidfd without flags, the
 * caller's own user namespace), joining the namespace one is in (0 as
 * root), and EPERM without CAP_SYS_ADMIN. */
static int check_setns(void)
{
	int uts = open("/proc/self/ns/uts", O_RDONLY), user = open("/proc/self/ns/user", O_RDONLY);
	int reg = open("/proc/self/status", O_RDONLY), pfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	int r = CHECK_OK, st = 0;

	if (uts < 0 || user < 0 || reg < 0 || pfd < 0)
		return fail("open: %s", errname(errno));
	struct { int fd, type, err; const char *what; } cases[] = {
		{ -1, 0, EBADF, "a bad fd" }, { reg, 0, EINVAL, "a regular file" },
		{ uts, CLONE_NEWIPC, EINVAL, "uts as CLONE_NEWIPC" }, { pfd, 0, EINVAL, "a pidfd, no flags" },
		{ user, 0, EINVAL, "its own user namespace" }, { uts, 0, 0, "its own uts" },
		{ uts, CLONE_NEWUTS, 0, "its own uts as CLONE_NEWUTS" },
	};
	for (unsigned i = 0; r == CHECK_OK && i < NELEMS(cases); i++) {
		errno = 0;
		long got = syscall(SYS_setns, cases[i].fd, cases[i].type);
		if (cases[i].err ? got != -1 || errno != cases[i].err : got != 0)
			r = fail("setns(%s): %ld (%s), want %s", cases[i].what, got, errname(errno),
				 cases[i].err ? errname(cases[i].err) : "0");
	}
	pid_t pid = r == CHECK_OK ? fork() : -1;
	if (pid == 0) { /* without CAP_SYS_ADMIN: setns EPERM, and so is clone of a new namespace */
		if (setuid(65534))
			_exit(2);
		if (syscall(SYS_setns, uts, 0) != -1 || errno != EPERM)
			_exit(1);
		long c = syscall(SYS_clone, (unsigned long)(CLONE_NEWUTS | SIGCHLD), 0, 0, 0, 0);
		if (c == 0)
			_exit(0);
		_exit(c == -1 && errno == EPERM ? 0 : 3);
	}
	if (pid > 0 && (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)))
		r = fail("setns(uts) and clone(CLONE_NEWUTS) without CAP_SYS_ADMIN: child status %#x", st);
	close(uts), close(user), close(reg), close(pfd);
	return r;
}

/* ---- seccomp ---------------------------------------------------------------- */

#define NR_seccomp 317
#define SECCOMP_SET_MODE_STRICT 0
#define SECCOMP_SET_MODE_FILTER 1
#define SECCOMP_GET_ACTION_AVAIL 2
#define SECCOMP_MODE_STRICT_ 1
#define SECCOMP_MODE_FILTER_ 2
#define SECCOMP_RET_KILL_PROCESS 0x80000000u
#define SECCOMP_RET_TRAP 0x00030000u
#define SECCOMP_RET_ERRNO 0x00050000u
#define SECCOMP_RET_ALLOW 0x7fff0000u
#define SYS_SECCOMP_CODE 1
#define AUDIT_ARCH_X86_64_ 0xc000003eu
#define BPF_LD_W_ABS 0x20 /* BPF_LD | BPF_W | BPF_ABS */
#define BPF_LD_B_ABS 0x30 /* BPF_LD | BPF_B | BPF_ABS: not for seccomp */
#define BPF_JEQ_K 0x15    /* BPF_JMP | BPF_JEQ | BPF_K */
#define BPF_RET_K 0x06
#define SC_NR_OFF 0       /* struct seccomp_data's nr */
#define SC_ARCH_OFF 4     /* and arch */
#define TRAP_DATA 42

struct sc_insn { uint16_t code; uint8_t jt, jf; uint32_t k; };
struct sc_prog { unsigned short len; struct sc_insn *filter; };

/* nr == call ? ret : ALLOW, as a program of four instructions. */
static long sc_attach_one(long call, uint32_t ret)
{
	struct sc_insn f[] = {
		{ BPF_LD_W_ABS, 0, 0, SC_NR_OFF }, { BPF_JEQ_K, 0, 1, (uint32_t)call },
		{ BPF_RET_K, 0, 0, ret }, { BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW },
	};
	struct sc_prog p = { 4, f };

	return syscall(NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &p);
}

/* Strict mode: read, write and exit go; anything else ends the thread
 * with SIGKILL; a filter after it is EINVAL. */
static int check_seccomp_strict(void)
{
	int r;
	pid_t pid = fork();

	if (pid == 0) {
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT_, 0, 0, 0))
			syscall(SYS_exit, 10);
		if (write(1, "", 0) != 0)
			syscall(SYS_exit, 11);
		syscall(SYS_getpid); /* killed here */
		syscall(SYS_exit, 12);
	}
	if ((r = want_signal("getpid in strict mode", pid, SIGKILL)))
		return r;
	pid = fork();
	if (pid == 0) {
		if (syscall(NR_seccomp, SECCOMP_SET_MODE_STRICT, 0, NULL))
			syscall(SYS_exit, 10);
		syscall(SYS_exit, 3);
	}
	if ((r = want_exit("exit in strict mode", pid, 3)))
		return r;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (sc_attach_one(SYS_getppid, SECCOMP_RET_ERRNO | 1))
			_exit(10);
		errno = 0;
		if (syscall(NR_seccomp, SECCOMP_SET_MODE_STRICT, 0, NULL) != -1 || errno != EINVAL)
			_exit(11);
		_exit(0);
	}
	return want_exit("strict mode after a filter (EINVAL)", pid, 0);
}

/* Filter mode's checks of a program and its errors, in a child. */
static int seccomp_filter_errors(void)
{
	struct sc_insn byte_load[] = { { BPF_LD_B_ABS, 0, 0, 0 }, { BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW } };
	struct sc_insn odd_load[] = { { BPF_LD_W_ABS, 0, 0, 2 }, { BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW } };
	struct sc_insn past_end[] = { { BPF_LD_W_ABS, 0, 0, 64 }, { BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW } };
	struct sc_prog empty = { 0, byte_load }, b = { 2, byte_load }, o = { 2, odd_load }, e = { 2, past_end };
	uint32_t action = SECCOMP_RET_TRAP, bogus = 0x7ffe0000u;

	errno = 0;
	if (syscall(NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &empty) != -1 || errno != EINVAL)
		return fail("an empty filter: %s, want EINVAL", errname(errno));
	if (syscall(NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &b) != -1 || errno != EINVAL)
		return fail("a byte load: %s, want EINVAL", errname(errno));
	if (syscall(NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &o) != -1 || errno != EINVAL)
		return fail("a misaligned load: %s, want EINVAL", errname(errno));
	if (syscall(NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &e) != -1 || errno != EINVAL)
		return fail("a load past seccomp_data: %s, want EINVAL", errname(errno));
	if (syscall(NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, (void *)8) != -1 || errno != EFAULT)
		return fail("an unreadable sock_fprog: %s, want EFAULT", errname(errno));
	if (syscall(NR_seccomp, SECCOMP_SET_MODE_FILTER, 1u << 30, &b) != -1 || errno != EINVAL)
		return fail("an unknown flag: %s, want EINVAL", errname(errno));
	if (syscall(NR_seccomp, 99, 0, NULL) != -1 || errno != EINVAL)
		return fail("an unknown operation: %s, want EINVAL", errname(errno));
	if (syscall(NR_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action))
		return fail("GET_ACTION_AVAIL(TRAP): %s", errname(errno));
	if (syscall(NR_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &bogus) != -1 || errno != EOPNOTSUPP)
		return fail("GET_ACTION_AVAIL(0x7ffe0000): %s, want EOPNOTSUPP", errname(errno));
	return prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 0 ? 0 : fail("PR_GET_SECCOMP before any filter");
}

static volatile siginfo_t sc_info;

static void sc_on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	sc_info = *si;
}

/* What TRAP's SIGSYS says: SYS_SECCOMP, the call, the architecture, the
 * data; the call returns its own number (Linux's syscall_rollback puts
 * RAX back, for the handler to change in its ucontext). */
static int seccomp_trap_info(void)
{
	struct sigaction sa = { .sa_sigaction = sc_on_sigsys, .sa_flags = SA_SIGINFO };

	sigaction(SIGSYS, &sa, NULL);
	if (sc_attach_one(SYS_getuid, SECCOMP_RET_TRAP | TRAP_DATA))
		return fail("attach a TRAP filter: %s", errname(errno));
	long got = syscall(SYS_getuid);
	const siginfo_t *si = (const siginfo_t *)&sc_info;
	int call = *(const int *)((const char *)si + 24); /* si_syscall, si_arch: after si_call_addr */
	unsigned arch = *(const unsigned *)((const char *)si + 28);
	if (got != SYS_getuid || si->si_signo != SIGSYS || si->si_code != SYS_SECCOMP_CODE || call != SYS_getuid ||
	    arch != AUDIT_ARCH_X86_64_ || si->si_errno != TRAP_DATA)
		return fail("TRAP: getuid %ld, signo %d code %d syscall %d arch %#x errno %d", got,
			    si->si_signo, si->si_code, call, arch, si->si_errno);
	return 0;
}

/* In a child with no_new_privs: a filter's errors, ERRNO, TRAP's siginfo,
 * the mode read back, inheritance by fork; then KILL_PROCESS. */
static int seccomp_filter_child(void)
{
	char status[2048];
	int r, fd;
	struct rlimit no_core = { 0, 0 };

	setrlimit(RLIMIT_CORE, &no_core); /* KILL_PROCESS dumps core: not here */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if ((r = seccomp_filter_errors()))
		return r;
	if (sc_attach_one(SYS_getppid, SECCOMP_RET_ERRNO | EXDEV))
		return fail("attach an ERRNO filter: %s", errname(errno));
	errno = 0;
	if ((r = want_err("getppid under ERRNO(EXDEV)", syscall(SYS_getppid), EXDEV)))
		return r;
	if ((r = seccomp_trap_info()))
		return r;
	if ((r = want_eq("PR_GET_SECCOMP", prctl(PR_GET_SECCOMP, 0, 0, 0, 0), SECCOMP_MODE_FILTER_)))
		return r;
	if ((fd = open("/proc/self/status", O_RDONLY)) < 0)
		return fail("open /proc/self/status: %s", errname(errno));
	ssize_t n = read(fd, status, sizeof(status) - 1);
	close(fd);
	status[n > 0 ? n : 0] = 0;
	if (!strstr(status, "\nSeccomp:\t2\n") || !strstr(status, "\nSeccomp_filters:\t2\n"))
		return fail("/proc/self/status has no \"Seccomp:\\t2\" and \"Seccomp_filters:\\t2\"");
	pid_t pid = fork();
	if (pid == 0)
		_exit(syscall(SYS_getppid) == -1 && errno == EXDEV ? 0 : 1);
	if ((r = want_exit("a fork's child keeps the filters", pid, 0)))
		return r;
	if (sc_attach_one(SYS_getpid, SECCOMP_RET_KILL_PROCESS))
		return fail("attach a KILL_PROCESS filter: %s", errname(errno));
	syscall(SYS_getpid); /* killed here by SIGSYS */
	return fail("getpid under KILL_PROCESS returned");
}

/* KILL_THREAD's thread: its own filter ends it at getppid. */
static void *sc_doomed_thread(void *arg)
{
	(void)arg;
	if (sc_attach_one(SYS_getppid, 0 /* SECCOMP_RET_KILL_THREAD */) == 0)
		syscall(SYS_getppid);
	return (void *)1; /* not reached unless the attach failed */
}

/* The "Threads:" count of /proc/self/status, or -1. */
static long sc_threads(void)
{
	char buf[2048];
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	const char *at;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return (at = strstr(buf, "\nThreads:\t")) ? strtol(at + 10, NULL, 10) : -1;
}

/* A filter is its thread's: KILL_THREAD in a thread of two ends that one
 * alone, and the other thread's getppid still runs. (No join: libc's
 * join waits for what the thread's own pthread_exit would write.) */
static int seccomp_kill_thread_child(void)
{
	pthread_t th;

	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (pthread_create(&th, NULL, sc_doomed_thread, NULL))
		return 10;
	long n = 2;
	for (long waited = 0; waited < 3000 && (n = sc_threads()) > 1; waited += 10)
		ms_sleep(10);
	if (n != 1)
		return 11;
	return syscall(SYS_getppid) == getppid() && prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 0 ? 0 : 12;
}

static int check_seccomp_kill_thread(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(seccomp_kill_thread_child());
	return want_exit("KILL_THREAD in one of two threads", pid, 0);
}

static int check_seccomp_filter(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (seccomp_filter_child()) {
			fprintf(stderr, "conform_sys2: seccomp_filter's child: %s\n", c_why);
			_exit(1);
		}
		_exit(0);
	}
	int st;
	if (wait_child(pid, 5000, &st) != CHECK_OK)
		return CHECK_FAIL;
	if (WIFEXITED(st))
		return fail("the filter child exited %d before KILL_PROCESS (its failure above)", WEXITSTATUS(st));
	return WTERMSIG(st) == SIGSYS ? 0 : fail("the filter child: signal %d, want SIGSYS", WTERMSIG(st));
}

static const struct check checks[] = {
	{ "waitv_errors", check_waitv_errors },
	{ "waitv_wake", check_waitv_wake },
	{ "attr_errors", check_attr_errors },
	{ "attr_roundtrip", check_attr_roundtrip },
	{ "attr_unprivileged", check_attr_unprivileged },
	{ "zombie_sched", check_zombie_sched },
	{ "ioprio_errors", check_ioprio_errors },
	{ "ioprio_roundtrip", check_ioprio_roundtrip },
	{ "getfd_errors", check_getfd_errors },
	{ "getfd_copy", check_getfd_copy },
	{ "membarrier", check_membarrier },
	{ "handle_errors", check_handle_errors },
	{ "handle_roundtrip", check_handle_roundtrip },
	{ "dev_own_fs", check_dev_own_fs },
	{ "vhangup", check_vhangup },
	{ "ioport_errors", check_ioport_errors },
	{ "ioport_ports", check_ioport_ports },
	{ "xattr_errors", check_xattr_errors },
	{ "xattr_roundtrip", check_xattr_roundtrip },
	{ "xattr_unprivileged", check_xattr_unprivileged },
	{ "remap_errors", check_remap_errors },
	{ "remap_pages", check_remap_pages },
	{ "remap_sysv", check_remap_sysv },
	{ "random_count", check_random_count },
	{ "random_changes", check_random_changes },
	{ "seek_holes", check_seek_holes },
	{ "tmpfile_errors", check_tmpfile_errors },
	{ "tmpfile_link", check_tmpfile_link },
	{ "openat2_errors", check_openat2_errors },
	{ "openat2_rules", check_openat2_rules },
	{ "acct_errors", check_acct_errors },
	{ "acct_records", check_acct_records },
	{ "sync_file_range", check_sync_file_range },
	{ "tsc_mode", check_tsc_mode },
	{ "ns_links", check_ns_links },
	{ "ns_ioctls", check_ns_ioctls },
	{ "setns", check_setns },
	{ "seccomp_strict", check_seccomp_strict },
	{ "seccomp_filter", check_seccomp_filter },
	{ "seccomp_kill_thread", check_seccomp_kill_thread },
};

int main(int argc, char **argv)
{
	return run_checks("conform_sys2", checks, NELEMS(checks), argc, argv);
}
