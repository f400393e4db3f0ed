// SPDX-License-Identifier: MIT
// System calls of issue 28's second list, as Linux 6.1's: futex_waitv, sched_getattr/sched_setattr, ioprio_get/ioprio_set, pidfd_getfd, membarrier, name_to_handle_at/open_by_handle_at, vhangup.
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
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

static const struct check checks[] = {
	{ "waitv_errors", check_waitv_errors },
	{ "waitv_wake", check_waitv_wake },
};

int main(int argc, char **argv)
{
	return run_checks("conform_sys2", checks, NELEMS(checks), argc, argv);
}
