// SPDX-License-Identifier: MIT
// Process conformance: getrusage's ru_maxrss (the resident high-water mark in KiB), kill by a thread's id.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "checks.h"

/*
 * As Linux (getrusage(2)): ru_maxrss is the most memory the process had
 * resident at once, in KiB; RUSAGE_CHILDREN's is the largest of the
 * children (and their descendants) it waited for, and a new child's
 * starts at 0; wait4 reports the child's own. gVisor's getrusage_test
 * checks the same; a kernel that reports 0 fails these. kill() of any
 * thread's id signals its process (kill_test's CannotKillTid). clone3
 * works as clone, with its argument checks (fork_test's CloneTest).
 */
#define TOUCH_KIB 16384
/* Linux counts a thread's resident pages in a per-thread cache it folds
 * into the process's count every 64 faults (SPLIT_RSS_COUNTING), so its
 * ru_maxrss may trail what was touched by that much. */
#define RSS_LAG_KIB (64 * 4)

static long maxrss(int who)
{
	struct rusage ru;

	memset(&ru, 0, sizeof(ru));
	return getrusage(who, &ru) == 0 ? ru.ru_maxrss : -1;
}

/* Make TOUCH_KIB of fresh memory resident. */
static void touch_memory(void)
{
	char *m = mmap(NULL, TOUCH_KIB * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m != MAP_FAILED)
		for (long i = 0; i < TOUCH_KIB * 1024L; i += 4096)
			m[i] = 1;
}

/* The caller's own mark: above 0, and up by what it touches. */
static int check_self(void)
{
	long before = maxrss(RUSAGE_SELF), after;

	if (before <= 0)
		return fail("RUSAGE_SELF ru_maxrss is %ld, want more than 0", before);
	touch_memory();
	after = maxrss(RUSAGE_SELF);
	if (after < TOUCH_KIB - RSS_LAG_KIB || after <= before)
		return fail("ru_maxrss went from %ld to %ld KiB after touching %d KiB", before, after, TOUCH_KIB);
	return CHECK_OK;
}

/* A child's mark: 0 for its own children at first, the parent's children's after the wait. */
static int check_children(void)
{
	struct rusage ru;
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		touch_memory();
		_exit(maxrss(RUSAGE_CHILDREN) == 0 && maxrss(RUSAGE_SELF) >= TOUCH_KIB ? 0 : 1);
	}
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	memset(&ru, 0, sizeof(ru));
	if (wait4(pid, &st, 0, &ru) != pid)
		return fail("wait4: %s", errname(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return fail("in the child, RUSAGE_CHILDREN was not 0 or RUSAGE_SELF below %d KiB", TOUCH_KIB);
	if (ru.ru_maxrss < TOUCH_KIB)
		return fail("wait4's ru_maxrss is %ld KiB, want at least %d", ru.ru_maxrss, TOUCH_KIB);
	if (maxrss(RUSAGE_CHILDREN) < TOUCH_KIB)
		return fail("RUSAGE_CHILDREN ru_maxrss is %ld KiB, want at least %d", maxrss(RUSAGE_CHILDREN),
			    TOUCH_KIB);
	return CHECK_OK;
}

static volatile long other_tid;
static volatile int other_done;

static void *report_tid(void *arg)
{
	(void)arg;
	other_tid = syscall(SYS_gettid);
	while (!other_done)
		usleep(1000);
	return NULL;
}

/* kill(tid of a thread that is not the leader, 0) names its process, as Linux. */
static int check_kill_tid(void)
{
	pthread_t th;
	long r;

	if (pthread_create(&th, NULL, report_tid, NULL))
		return fail("pthread_create");
	while (!other_tid)
		usleep(1000);
	errno = 0;
	r = kill((pid_t)other_tid, 0);
	other_done = 1;
	pthread_join(th, NULL);
	return want_eq("kill(tid of another thread, 0)", r, 0);
}

/* clone3's struct clone_args, its first version (Linux's include/uapi/linux/sched.h) */
struct clone_args_v0 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#define CLONE_CLEAR_SIGHAND_ 0x100000000ull

static long clone3_(struct clone_args_v0 *a, size_t size)
{
	return syscall(SYS_clone3, a, size);
}

static void nop_handler(int sig)
{
	(void)sig;
}

/* clone3: as fork with CLONE_PARENT_SETTID and CLONE_CLEAR_SIGHAND; bad sizes and flags. */
static int check_clone3(void)
{
	struct clone_args_v0 a;
	pid_t store = 0;
	long pid;

	memset(&a, 0, sizeof(a));
	a.flags = 1ull << 63;
	a.exit_signal = SIGCHLD;
	errno = 0;
	if (want_err("clone3 with flag 1<<63", clone3_(&a, sizeof(a)), EINVAL))
		return CHECK_FAIL;
	a.flags = CLONE_PARENT;
	errno = 0;
	if (want_err("clone3 CLONE_PARENT with an exit signal", clone3_(&a, sizeof(a)), EINVAL))
		return CHECK_FAIL;
	a.flags = 0;
	errno = 0;
	if (want_err("clone3 with 63 bytes", clone3_(&a, 63), EINVAL))
		return CHECK_FAIL;
	signal(SIGUSR1, nop_handler);
	signal(SIGUSR2, SIG_IGN);
	a.flags = CLONE_PARENT_SETTID | CLONE_CLEAR_SIGHAND_;
	a.parent_tid = (uint64_t)(uintptr_t)&store;
	pid = clone3_(&a, sizeof(a));
	if (pid == 0) {
		struct sigaction s1, s2;
		sigaction(SIGUSR1, NULL, &s1);
		sigaction(SIGUSR2, NULL, &s2);
		_exit(s1.sa_handler != SIG_DFL ? 2 : s2.sa_handler != SIG_IGN ? 3 : 0);
	}
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	if (pid < 0)
		return fail("clone3 as fork: %s", errname(errno));
	if (store != pid) {
		want_exit("clone3's child", (pid_t)pid, 0);
		return fail("CLONE_PARENT_SETTID stored %d, want %ld", store, pid);
	}
	return want_exit("clone3's child (2: handler kept, 3: SIG_IGN lost)", (pid_t)pid, 0);
}

/* Write text to a /proc file: 0, or -1 with errno. */
static int proc_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	int e = errno;
	close(fd);
	errno = e;
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The takes column of /proc/klock_stat's line for name; -1 when none. */
static long klock_takes(const char *text, const char *name)
{
	char key[32];
	long takes;

	snprintf(key, sizeof(key), "\n%s ", name);
	const char *at = strstr(text, key);
	return at && sscanf(at + strlen(key), "%ld", &takes) == 1 ? takes : -1;
}

/*
 * Kestrel's kernel-lock statistics (issue 29; Linux's /proc/lock_stat
 * exists only with CONFIG_LOCK_STAT, and this skips there): turned on
 * by kernel.lock_stat = 1, they count each system call that takes the
 * lock (getppid) and none that runs without it (getpid), and stop,
 * counts kept, at kernel.lock_stat = 0.
 */
#define KLOCK_CALLS 200
static int check_klock_stat(void)
{
	static char text[65536];

	int fd = open("/proc/klock_stat", O_RDONLY);
	if (fd < 0)
		return skip("no /proc/klock_stat: %s", errname(errno));
	close(fd);
	if (proc_write("/proc/sys/kernel/lock_stat", "1") != 0)
		return fail("kernel.lock_stat = 1: %s", errname(errno));
	for (int i = 0; i < KLOCK_CALLS; i++) {
		syscall(SYS_getppid);
		syscall(SYS_getpid);
	}
	if (proc_write("/proc/sys/kernel/lock_stat", "0") != 0)
		return fail("kernel.lock_stat = 0: %s", errname(errno));
	fd = open("/proc/klock_stat", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return fail("reading /proc/klock_stat: %s", n < 0 ? errname(errno) : "empty");
	text[n] = '\0';
	if (strncmp(text, "klock_stat: off", 15) != 0)
		return fail("after kernel.lock_stat = 0 the file begins \"%.30s\"", text);
	long ppid = klock_takes(text, "getppid"), pid = klock_takes(text, "getpid"), cpus = 0;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		char name[16];
		snprintf(name, sizeof(name), "cpu%d", cpu);
		long takes = klock_takes(text, name);
		if (takes < 0)
			break;
		cpus += takes;
	}
	if (cpus < KLOCK_CALLS || ppid < KLOCK_CALLS || pid != -1)
		return fail("the CPUs %ld takes, getppid %ld, getpid %ld (want >= %d, >= %d, no line)",
			    cpus, ppid, pid, KLOCK_CALLS, KLOCK_CALLS);
	remark("getppid took the lock %ld times", ppid);
	return CHECK_OK;
}

static const struct check checks[] = {
	{ "self", check_self },
	{ "children", check_children },
	{ "kill-tid", check_kill_tid },
	{ "clone3", check_clone3 },
	{ "klock-stat", check_klock_stat },
};

int main(int argc, char **argv)
{
	return run_checks("conform_proc", checks, NELEMS(checks), argc, argv);
}
