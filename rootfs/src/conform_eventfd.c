// SPDX-License-Identifier: MIT
// eventfd conformance: the counter, EFD_SEMAPHORE, EFD_NONBLOCK/EFD_CLOEXEC, overflow, poll, blocking.
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "checks.h"

/*
 * As Linux (eventfd(2)): a read of 8 bytes returns the counter and sets
 * it to 0 (EFD_SEMAPHORE: returns 1 and decrements), waiting while it is
 * 0; a write adds, waiting while the sum would reach 2^64 - 1; shorter
 * buffers and a write of 2^64 - 1 are EINVAL; pread and pwrite are
 * ESPIPE, lseek does nothing and returns 0 (noop_llseek). gVisor's
 * eventfd_test checks the same. A kernel without eventfd fails every
 * check with ENOSYS.
 */
#define WATCHDOG_S 10
#define MAXV 0xfffffffffffffffeull /* the largest counter */

static int efd(unsigned init, int flags)
{
	return (int)syscall(SYS_eventfd2, init, flags);
}

static long rd(int fd, uint64_t *v) { return read(fd, v, sizeof(*v)); }
static long wr(int fd, uint64_t v) { return write(fd, &v, sizeof(v)); }

/* The counter: writes add, a read takes everything, then EAGAIN. */
static int check_counter(void)
{
	uint64_t v = 0;
	int fd = efd(5, EFD_NONBLOCK), r;

	if (want_ok("eventfd2(5, EFD_NONBLOCK)", fd))
		return CHECK_FAIL;
	r = want_eq("write 3", wr(fd, 3), 8) || want_eq("write 4", wr(fd, 4), 8) ||
	    want_eq("read", rd(fd, &v), 8) ? CHECK_FAIL
	    : v != 12 ? fail("read %llu, want 12", (unsigned long long)v) : CHECK_OK;
	if (!r) {
		errno = 0;
		r = want_err("read of a zero counter, O_NONBLOCK", rd(fd, &v), EAGAIN);
	}
	if (!r) {
		uint64_t big[2] = { 0, 0 };
		r = want_eq("write 1", wr(fd, 1), 8) || want_eq("read of 16 bytes", read(fd, big, sizeof(big)), 8)
		    ? CHECK_FAIL : big[0] != 1 ? fail("a 16-byte read gave %llu", (unsigned long long)big[0]) : 0;
	}
	close(fd);
	return r;
}

/* EFD_SEMAPHORE: each read takes 1. */
static int check_semaphore(void)
{
	uint64_t v;
	int fd = efd(2, EFD_NONBLOCK | EFD_SEMAPHORE), r = CHECK_OK;

	if (want_ok("eventfd2(2, EFD_SEMAPHORE)", fd))
		return CHECK_FAIL;
	for (int i = 0; i < 2 && !r; i++)
		r = want_eq("semaphore read", rd(fd, &v), 8) ? CHECK_FAIL
		    : v != 1 ? fail("semaphore read %d gave %llu, want 1", i, (unsigned long long)v) : 0;
	if (!r) {
		errno = 0;
		r = want_err("third semaphore read", rd(fd, &v), EAGAIN);
	}
	close(fd);
	return r;
}

/* Bad sizes, the forbidden value, overflow, seeking, flags. */
static int check_errors(void)
{
	uint64_t v = 1;
	int fd = efd(0, EFD_NONBLOCK | EFD_CLOEXEC), r;

	if (want_ok("eventfd2(0, EFD_NONBLOCK|EFD_CLOEXEC)", fd))
		return CHECK_FAIL;
	errno = 0;
	r = want_err("write of 4 bytes", write(fd, &v, 4), EINVAL);
	if (!r && !(errno = 0))
		r = want_err("read of 4 bytes", read(fd, &v, 4), EINVAL);
	if (!r && !(errno = 0))
		r = want_err("write of 2^64-1", wr(fd, UINT64_MAX), EINVAL);
	if (!r)
		r = want_eq("write of 2^64-2", wr(fd, MAXV), 8);
	if (!r && !(errno = 0))
		r = want_err("write past the maximum, O_NONBLOCK", wr(fd, 1), EAGAIN);
	if (!r)
		r = want_eq("write of 0 at the maximum", wr(fd, 0), 8);
	if (!r)
		r = want_eq("lseek (Linux's noop_llseek)", lseek(fd, 0, SEEK_SET), 0);
	if (!r && !(errno = 0))
		r = want_err("pread", pread(fd, &v, 8, 0), ESPIPE);
	if (!r && !(fcntl(fd, F_GETFD) & FD_CLOEXEC))
		r = fail("EFD_CLOEXEC did not set FD_CLOEXEC");
	if (!r && !(fcntl(fd, F_GETFL) & O_NONBLOCK))
		r = fail("EFD_NONBLOCK did not set O_NONBLOCK");
	if (!r && !(errno = 0))
		r = want_err("eventfd2 with flag 8", efd(0, 8), EINVAL);
	close(fd);
	return r;
}

/* poll: POLLOUT only at 0, POLLIN|POLLOUT above, POLLIN only at the maximum. */
static int check_poll(void)
{
	struct pollfd p;
	uint64_t v;
	int fd = efd(0, EFD_NONBLOCK), r = CHECK_OK;
	static const struct { uint64_t add; short want; } steps[] = {
		{ 0, POLLOUT }, { 1, POLLIN | POLLOUT }, { MAXV - 1, POLLIN },
	};

	if (want_ok("eventfd2", fd))
		return CHECK_FAIL;
	for (size_t i = 0; i < NELEMS(steps) && !r; i++) {
		if (steps[i].add && want_eq("write", wr(fd, steps[i].add), 8)) {
			r = CHECK_FAIL;
			break;
		}
		p = (struct pollfd){ fd, POLLIN | POLLOUT, 0 };
		if (poll(&p, 1, 0) < 0 || p.revents != steps[i].want)
			r = fail("step %zu: poll revents %#x, want %#x", i, p.revents, steps[i].want);
	}
	if (!r && (want_eq("read", rd(fd, &v), 8) || v != MAXV))
		r = fail("read after poll gave %llu", (unsigned long long)v);
	close(fd);
	return r;
}

#define EPOLL_FDS 5

/* epoll_wait reports ready registrations in the order they were added
 * (Linux's ready list; gVisor's epoll_test LastReadable): five eventfds,
 * the last made readable, all reported, the last last. */
static int check_epoll_order(void)
{
	int ep = epoll_create1(0), fds[EPOLL_FDS], r = CHECK_OK;
	struct epoll_event ev[EPOLL_FDS];

	if (want_ok("epoll_create1", ep))
		return CHECK_FAIL;
	for (int i = 0; i < EPOLL_FDS; i++) {
		fds[i] = efd(0, EFD_NONBLOCK);
		struct epoll_event e = { .events = EPOLLIN | EPOLLOUT, .data.u64 = 100 + (uint64_t)i };
		if (fds[i] < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e))
			r = fail("eventfd or EPOLL_CTL_ADD %d: %s", i, errname(errno));
	}
	if (!r && want_eq("write the last", wr(fds[EPOLL_FDS - 1], 1), 8))
		r = CHECK_FAIL;
	if (!r && want_eq("epoll_wait", epoll_wait(ep, ev, EPOLL_FDS, 1000), EPOLL_FDS))
		r = CHECK_FAIL;
	for (int i = 0; i < EPOLL_FDS && !r; i++) {
		uint32_t want = EPOLLOUT | (i == EPOLL_FDS - 1 ? EPOLLIN : 0);
		if (ev[i].data.u64 != 100 + (uint64_t)i || ev[i].events != want)
			r = fail("event %d: data %llu events %#x, want %llu %#x", i,
				 (unsigned long long)ev[i].data.u64, ev[i].events, 100ull + (unsigned)i, want);
	}
	for (int i = 0; i < EPOLL_FDS; i++)
		close(fds[i]);
	close(ep);
	return r;
}

#define EXCL_WAITERS 4

/* An exclusive waiter: its own epoll with the pipe's read end
 * (EPOLLIN | EPOLLET | EPOLLEXCLUSIVE); 'r' on ready once registered,
 * then 'w' on woken when epoll_wait reports the event. */
static void excl_waiter(int rd, int ready, int woken)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET | EPOLLEXCLUSIVE };
	int ep = epoll_create1(0);

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, rd, &ev))
		_exit(1);
	if (write(ready, "r", 1) != 1)
		_exit(1);
	if (epoll_wait(ep, &ev, 1, 5000) == 1 && write(woken, "w", 1) != 1)
		_exit(1);
	_exit(0);
}

/* Wait until every waiter sleeps (in epoll_wait: the next thing it does
 * after its 'r'), as LTP's epoll_wait16 does. */
static int excl_all_asleep(const pid_t *pids, int n)
{
	for (long long end = now_ms() + 3000; now_ms() < end; ms_sleep(10)) {
		int asleep = 0;
		for (int i = 0; i < n; i++)
			asleep += proc_state(pids[i]) == 'S';
		if (asleep == n)
			return CHECK_OK;
	}
	return fail("the exclusive waiters did not all go to sleep in epoll_wait");
}

/*
 * EPOLLEXCLUSIVE (epoll_ctl(2)): four processes, each with its own epoll
 * holding one pipe's read end edge-triggered and exclusive, wait; each
 * one-byte write wakes exactly one of them (Linux wakes one exclusive
 * waiter of the pipe's queue; LTP's epoll_wait16). Linux refuses the
 * flag on EPOLL_CTL_MOD and beside EPOLLONESHOT with EINVAL.
 */
static int check_epoll_exclusive(void)
{
	int data[2], ready[2], woken[2], r = CHECK_OK;
	pid_t pids[EXCL_WAITERS];
	char c;

	if (pipe(data) || pipe(ready) || pipe2(woken, O_NONBLOCK))
		return fail("pipe: %s", errname(errno));
	for (int i = 0; i < EXCL_WAITERS; i++)
		if ((pids[i] = fork()) == 0)
			excl_waiter(data[0], ready[1], woken[1]);
	for (int i = 0; i < EXCL_WAITERS && !r; i++)
		if (read(ready[0], &c, 1) != 1)
			r = fail("a waiter did not register");
	if (!r)
		r = excl_all_asleep(pids, EXCL_WAITERS);
	for (int round = 1; round <= 2 && !r; round++) {
		int n = 0;
		if (want_eq("write one byte", write(data[1], "x", 1), 1))
			r = CHECK_FAIL;
		ms_sleep(300); /* every waiter the write woke has reported */
		while (read(woken[0], &c, 1) == 1)
			n++;
		if (!r && n != 1)
			r = fail("write %d woke %d exclusive waiters, want 1", round, n);
		if (!r && want_eq("read the byte", read(data[0], &c, 1), 1))
			r = CHECK_FAIL;
	}
	for (int i = 0; i < EXCL_WAITERS; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
	}
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };
	if (!r)
		r = want_eq("EPOLL_CTL_ADD exclusive", epoll_ctl(ep, EPOLL_CTL_ADD, data[0], &ev), 0) ||
		    want_err("EPOLL_CTL_MOD of an exclusive registration", epoll_ctl(ep, EPOLL_CTL_MOD, data[0], &ev), EINVAL) ||
		    want_err("EPOLLEXCLUSIVE with EPOLLONESHOT",
			     epoll_ctl(ep, EPOLL_CTL_ADD, data[1], &(struct epoll_event){ .events = EPOLLOUT | EPOLLEXCLUSIVE | EPOLLONESHOT }),
			     EINVAL);
	close(ep);
	close(data[0]), close(data[1]), close(ready[0]), close(ready[1]), close(woken[0]), close(woken[1]);
	return r;
}

static int bfd;

static void *write_later(void *arg)
{
	ms_sleep(100);
	wr(bfd, (uint64_t)(uintptr_t)arg);
	return NULL;
}

static void *write_now(void *arg)
{
	wr(bfd, (uint64_t)(uintptr_t)arg);
	return NULL;
}

/* A blocking read waits for a write from another thread; a blocking write waits for a read. */
static int check_blocking(void)
{
	pthread_t th;
	uint64_t v = 0;
	int r;

	signal(SIGALRM, SIG_DFL);
	alarm(WATCHDOG_S);
	bfd = efd(0, 0);
	if (want_ok("eventfd2(0, 0)", bfd))
		return CHECK_FAIL;
	if (pthread_create(&th, NULL, write_later, (void *)9))
		return fail("pthread_create");
	r = want_eq("blocking read", rd(bfd, &v), 8) ? CHECK_FAIL
	    : v != 9 ? fail("blocking read gave %llu, want 9", (unsigned long long)v) : CHECK_OK;
	pthread_join(th, NULL);
	if (!r)
		r = want_eq("write of the maximum", wr(bfd, MAXV), 8);
	if (!r && pthread_create(&th, NULL, write_now, (void *)5))
		r = fail("pthread_create");
	if (!r) {
		ms_sleep(100); /* the writer of 5 waits for room */
		r = want_eq("read of the maximum", rd(bfd, &v), 8) ? CHECK_FAIL
		    : v != MAXV ? fail("read %llu while a writer waited, want the maximum", (unsigned long long)v) : 0;
		pthread_join(th, NULL);
		if (!r)
			r = want_eq("read after the waiting writer", rd(bfd, &v), 8) ? CHECK_FAIL
			    : v != 5 ? fail("the waiting writer's value read as %llu, want 5", (unsigned long long)v) : 0;
	}
	close(bfd);
	return r;
}

static const struct check checks[] = {
	{ "counter", check_counter },
	{ "semaphore", check_semaphore },
	{ "errors", check_errors },
	{ "poll", check_poll },
	{ "epoll-order", check_epoll_order },
	{ "epoll-exclusive", check_epoll_exclusive },
	{ "blocking", check_blocking },
};

int main(int argc, char **argv)
{
	c_isolate = 1;
	return run_checks("conform_eventfd", checks, NELEMS(checks), argc, argv);
}
