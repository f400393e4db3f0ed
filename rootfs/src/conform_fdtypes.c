// SPDX-License-Identifier: MIT
// The newer kinds of file descriptor: epoll, signalfd, memfd_create with seals and punched holes,
// timerfd; uname's release.
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "checks.h"

/*
 * As Linux (epoll(7), signalfd(2), memfd_create(2), timerfd_create(2)).
 * A kernel without them fails these checks with ENOSYS.
 */
#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

static int pipe_nb(int p[2]) { return pipe2(p, O_NONBLOCK | O_CLOEXEC); }

static int ep_add(int ep, int fd, uint32_t ev, uint64_t data)
{
	struct epoll_event e = { .events = ev, .data.u64 = data };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

/* Level-triggered: reported while readable, with the data as given. */
static int check_epoll_level(void)
{
	struct epoll_event ev[4];
	int p[2], ep = epoll_create1(EPOLL_CLOEXEC), r;

	if (want_ok("epoll_create1", ep) || want_ok("pipe2", pipe_nb(p)))
		return CHECK_FAIL;
	r = (want_eq("EPOLL_CTL_ADD", ep_add(ep, p[0], EPOLLIN, 0x1234567890abcdefull), 0) ||
	    want_eq("epoll_wait on an empty pipe", epoll_wait(ep, ev, 4, 0), 0) ||
	    want_eq("write", write(p[1], "x", 1), 1) ||
	    want_eq("epoll_wait after a write", epoll_wait(ep, ev, 4, 0), 1)) ? CHECK_FAIL : CHECK_OK;
	if (!r && (ev[0].events != EPOLLIN || ev[0].data.u64 != 0x1234567890abcdefull))
		r = fail("event %#x data %#llx", ev[0].events, (unsigned long long)ev[0].data.u64);
	if (!r)
		r = want_eq("epoll_wait again (level)", epoll_wait(ep, ev, 4, 0), 1);
	if (!r && !(fcntl(ep, F_GETFD) & FD_CLOEXEC))
		r = fail("EPOLL_CLOEXEC not set");
	close(p[0]);
	close(p[1]);
	close(ep);
	return r;
}

/* EPOLLET: once per event; EPOLLONESHOT: once until EPOLL_CTL_MOD. */
static int check_epoll_edge_oneshot(void)
{
	struct epoll_event ev[2], mod = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = 7 };
	int a[2], b[2], ep = epoll_create1(0), r;

	if (want_ok("epoll_create1", ep) || want_ok("pipe2", pipe_nb(a)) || want_ok("pipe2", pipe_nb(b)))
		return CHECK_FAIL;
	r = (want_eq("ADD EPOLLET", ep_add(ep, a[0], EPOLLIN | EPOLLET, 1), 0) ||
	    want_eq("write", write(a[1], "x", 1), 1) ||
	    want_eq("first wait (ET)", epoll_wait(ep, ev, 2, 0), 1) ||
	    want_eq("second wait (ET, nothing new)", epoll_wait(ep, ev, 2, 0), 0) ||
	    want_eq("write more", write(a[1], "y", 1), 1) ||
	    want_eq("wait after more data (ET)", epoll_wait(ep, ev, 2, 0), 1) ||
	    want_eq("DEL", epoll_ctl(ep, EPOLL_CTL_DEL, a[0], NULL), 0) ||
	    want_eq("ADD EPOLLONESHOT", ep_add(ep, b[0], EPOLLIN | EPOLLONESHOT, 2), 0) ||
	    want_eq("write", write(b[1], "x", 1), 1) ||
	    want_eq("first wait (ONESHOT)", epoll_wait(ep, ev, 2, 0), 1) ||
	    want_eq("second wait (ONESHOT, disabled)", epoll_wait(ep, ev, 2, 0), 0) ||
	    want_eq("MOD re-arms", epoll_ctl(ep, EPOLL_CTL_MOD, b[0], &mod), 0) ||
	    want_eq("wait after MOD", epoll_wait(ep, ev, 2, 0), 1)) ? CHECK_FAIL : CHECK_OK;
	if (!r && ev[0].data.u64 != 7)
		r = fail("data after MOD %llu, want 7", (unsigned long long)ev[0].data.u64);
	close(a[0]); close(a[1]); close(b[0]); close(b[1]);
	close(ep);
	return r;
}

/* epoll_ctl's and epoll_wait's errors. */
static int check_epoll_errors(void)
{
	struct epoll_event e = { .events = EPOLLIN }, ev[1];
	int p[2], ep = epoll_create1(0), ep2 = epoll_create1(0), reg, r = CHECK_OK;
	char path[] = "/tmp/conform_fdtypes.XXXXXX";

	if (want_ok("epoll_create1", ep) || want_ok("epoll_create1", ep2) || want_ok("pipe2", pipe_nb(p)))
		return CHECK_FAIL;
	if ((reg = mkstemp(path)) < 0)
		return fail("mkstemp: %s", errname(errno));
	unlink(path);
	errno = 0;
	r = (want_err("epoll_create(0)", syscall(SYS_epoll_create, 0), EINVAL) ||
	    want_err("epoll_create1(bad flag)", epoll_create1(1), EINVAL) ||
	    want_err("ADD a regular file", epoll_ctl(ep, EPOLL_CTL_ADD, reg, &e), EPERM) ||
	    want_err("ADD itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &e), EINVAL) ||
	    want_err("ADD to a non-epoll fd", epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &e), EINVAL) ||
	    want_err("ADD a closed fd", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &e), EBADF) ||
	    want_err("MOD unregistered", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e), ENOENT) ||
	    want_err("DEL unregistered", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], &e), ENOENT) ||
	    want_eq("ADD", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e), 0) ||
	    want_err("ADD twice", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e), EEXIST) ||
	    want_err("unknown op", epoll_ctl(ep, 99, p[0], &e), EINVAL) ||
	    want_eq("ADD ep to ep2", epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &e), 0) ||
	    want_err("ADD ep2 to ep (a circle)", epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &e), ELOOP) ||
	    want_err("epoll_wait maxevents 0", epoll_wait(ep, ev, 0, 0), EINVAL) ||
	    want_err("epoll_wait maxevents huge", epoll_wait(ep, ev, 0x7fffffff, 0), EINVAL) ||
	    want_err("epoll_wait on a pipe", epoll_wait(p[0], ev, 1, 0), EINVAL) ||
	    want_err("epoll_wait on a bad fd", epoll_wait(999, ev, 1, 0), EBADF)) ? CHECK_FAIL : CHECK_OK;
	int opath = open("/", O_PATH), zero = open("/dev/zero", O_RDONLY), maps = open("/proc/self/maps", O_RDONLY);
	int rnd = open("/dev/random", O_RDONLY), urnd = open("/dev/urandom", O_RDONLY);
	if (!r) /* an O_PATH descriptor is none to epoll, either side (Linux's fdget); files
		 * without a poll method (Linux's mem devices, seq_files) are EPERM */
		r = (want_err("ADD an O_PATH fd", epoll_ctl(ep, EPOLL_CTL_ADD, opath, &e), EBADF) ||
		    want_err("O_PATH as the epoll fd", epoll_ctl(opath, EPOLL_CTL_ADD, p[0], &e), EBADF) ||
		    want_err("ADD /dev/zero", epoll_ctl(ep, EPOLL_CTL_ADD, zero, &e), EPERM) ||
		    want_err("ADD /proc/self/maps", epoll_ctl(ep, EPOLL_CTL_ADD, maps, &e), EPERM) ||
		    want_err("ADD /dev/urandom", epoll_ctl(ep, EPOLL_CTL_ADD, urnd, &e), EPERM) ||
		    want_eq("ADD /dev/random", epoll_ctl(ep, EPOLL_CTL_ADD, rnd, &e), 0)) ? CHECK_FAIL : CHECK_OK;
	if (!r) { /* poll(2) finds a file without a poll method always ready */
		struct pollfd pz = { zero, POLLIN | POLLOUT, 0 };
		r = want_eq("poll /dev/zero", poll(&pz, 1, 0), 1) ||
		    want_eq("its revents", pz.revents, POLLIN | POLLOUT) ? CHECK_FAIL : CHECK_OK;
	}
	close(opath);
	close(zero);
	close(maps);
	close(rnd);
	close(urnd);
	e.events = EPOLLIN | EPOLLEXCLUSIVE;
	if (!r)
		r = (want_eq("ADD with EPOLLEXCLUSIVE", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &e), 0) ||
		    want_err("MOD with EPOLLEXCLUSIVE", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &e), EINVAL)) ? CHECK_FAIL : CHECK_OK;
	close(reg); close(p[0]); close(p[1]);
	close(ep); close(ep2);
	return r;
}

/* A registration follows the open file: a dup keeps it alive after the
 * fd is closed; closing the last reference removes it. */
static int check_epoll_close(void)
{
	struct epoll_event ev[2];
	int p[2], ep = epoll_create1(0), d, r;

	if (want_ok("epoll_create1", ep) || want_ok("pipe2", pipe_nb(p)))
		return CHECK_FAIL;
	d = dup(p[0]);
	r = (want_eq("ADD", ep_add(ep, p[0], EPOLLIN, 5), 0) || want_eq("write", write(p[1], "x", 1), 1) ||
	    want_eq("close the fd (a dup stays)", close(p[0]), 0) ||
	    want_eq("wait: still registered", epoll_wait(ep, ev, 2, 0), 1) ||
	    want_eq("close the dup", close(d), 0) ||
	    want_eq("wait: gone with the file", epoll_wait(ep, ev, 2, 0), 0)) ? CHECK_FAIL : CHECK_OK;
	close(p[1]);
	close(ep);
	return r;
}

/*
 * Wide nested epolls (issue 13's epoll fix). A wide chain: W0 is empty,
 * and each Wl above holds EP_WIDE descriptors (dups) of W(l-1), to W3; the
 * top epoll holds EP_WIDE dups of W3 and one descriptor of a narrow chain
 * N3 > N2 > N1 > N0 > a pipe's read end. Five epolls deep either way, as
 * deep as Linux allows (EP_MAX_NESTS 4 links). Looking through every path
 * of the wide chain costs EP_WIDE^4 polls (2.7e8) in one system call;
 * Linux answers from its ready lists in microseconds (it refuses more
 * than 10 wakeup paths from a file 5 deep, so the wide chain holds no
 * file: the narrow one brings the readiness). A kernel must answer
 * within EP_CHAIN_MS each time, and right: nothing; the narrow item once
 * the pipe is readable; nothing after the read.
 */
#define EP_WIDE     128
#define EP_DEPTH    4      /* the epolls below the top, either chain */
#define EP_NARROW   0x6e   /* the narrow item's data */
#define EP_CHAIN_MS 2000

static long long ep_slowest_ms; /* the slowest look, for the note */

/* A look at the top epoll: epoll_wait(0) reports the narrow item when
 * ready is true, nothing otherwise, and poll() of the top file agrees,
 * each within EP_CHAIN_MS. */
static int ep_chain_look(int top, int ready, const char *when)
{
	struct epoll_event ev[4];
	struct pollfd pf = { top, POLLIN, 0 };
	long long t0 = now_ms(), dt;
	int n = epoll_wait(top, ev, 4, 0), np;

	dt = now_ms() - t0;
	ep_slowest_ms = dt > ep_slowest_ms ? dt : ep_slowest_ms;
	if (n != ready)
		return fail("%s: epoll_wait = %d (%s), want %d", when, n, n < 0 ? errname(errno) : "-", ready);
	if (dt > EP_CHAIN_MS)
		return fail("%s: epoll_wait took %lld ms (limit %d)", when, dt, EP_CHAIN_MS);
	if (n == 1 && (ev[0].events != EPOLLIN || ev[0].data.u64 != EP_NARROW))
		return fail("%s: event %#x data %#llx, want EPOLLIN %#x", when, ev[0].events,
			    (unsigned long long)ev[0].data.u64, EP_NARROW);
	t0 = now_ms();
	np = poll(&pf, 1, 0);
	dt = now_ms() - t0;
	ep_slowest_ms = dt > ep_slowest_ms ? dt : ep_slowest_ms;
	if (np != ready)
		return fail("%s: poll of the top epoll = %d (revents %#x), want %d", when, np, pf.revents, ready);
	if (dt > EP_CHAIN_MS)
		return fail("%s: poll took %lld ms (limit %d)", when, dt, EP_CHAIN_MS);
	return CHECK_OK;
}

/* Add n descriptors of fd (fd itself, then dups) to ep with data.
 * 0, or -1 (fail() said why). */
static int ep_add_dups(int ep, int fd, int n, uint64_t data)
{
	for (int i = 0; i < n; i++) {
		int d = i ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : fd;

		if (want_ok("dup", d))
			return -1;
		if (ep_add(ep, d, EPOLLIN, data) != 0) {
			fail("ADD of descriptor %d (of %d): %s", i, n, errname(errno));
			return -1;
		}
	}
	return 0;
}

/* A chain of EP_DEPTH epolls over fd (-1: none), each holding width
 * descriptors of the one below. Its top, or -1 (fail() said why). */
static int ep_chain(int fd, int width)
{
	for (int l = 0; l < EP_DEPTH; l++) {
		int ep = epoll_create1(EPOLL_CLOEXEC);

		if (want_ok("epoll_create1", ep) || (fd >= 0 && ep_add_dups(ep, fd, width, (uint64_t)l) != 0))
			return -1;
		fd = ep;
	}
	return fd;
}

static int check_epoll_nested_wide(void)
{
	int p[2], top = epoll_create1(EPOLL_CLOEXEC), wide, narrow, r;
	char c;

	if (want_ok("epoll_create1", top) || want_ok("pipe2", pipe_nb(p)))
		return CHECK_FAIL;
	if ((wide = ep_chain(-1, EP_WIDE)) < 0 || (narrow = ep_chain(p[0], 1)) < 0 ||
	    ep_add_dups(top, wide, EP_WIDE, 0) != 0 || ep_add_dups(top, narrow, 1, EP_NARROW) != 0)
		return CHECK_FAIL;
	r = ep_chain_look(top, 0, "nothing ready");
	if (r == CHECK_OK && want_eq("write", write(p[1], "x", 1), 1))
		r = CHECK_FAIL;
	if (r == CHECK_OK)
		r = ep_chain_look(top, 1, "the pipe readable");
	if (r == CHECK_OK && want_eq("read", read(p[0], &c, 1), 1))
		r = CHECK_FAIL;
	if (r == CHECK_OK)
		r = ep_chain_look(top, 0, "the pipe read");
	if (r == CHECK_OK)
		remark("slowest look %lld ms", ep_slowest_ms);
	return r; /* the descriptors go with the isolated check's process */
}

static void on_usr1(int sig) { (void)sig; }

/* epoll_wait sleeps until the write, and a handled signal ends it with EINTR. */
static int check_epoll_sleep(void)
{
	struct epoll_event ev[1];
	struct sigaction sa = { .sa_handler = on_usr1 }, old;
	int p[2], ep = epoll_create1(0), r;
	pid_t pid;

	if (want_ok("epoll_create1", ep) || want_ok("pipe2", pipe_nb(p)))
		return CHECK_FAIL;
	sigaction(SIGUSR1, &sa, &old);
	ep_add(ep, p[0], EPOLLIN, 0);
	if ((pid = fork()) == 0) {
		ms_sleep(100);
		kill(getppid(), SIGUSR1);
		ms_sleep(100);
		_exit(write(p[1], "x", 1) == 1 ? 0 : 1);
	}
	long long t0 = now_ms();
	errno = 0;
	r = (want_err("epoll_wait cut by a handled signal", epoll_wait(ep, ev, 1, 5000), EINTR) ||
	    want_eq("epoll_pwait until the write", epoll_pwait(ep, ev, 1, 5000, NULL), 1)) ? CHECK_FAIL : CHECK_OK;
	if (!r && now_ms() - t0 < 150)
		r = fail("epoll_wait returned after %lld ms, before the write", now_ms() - t0);
	if (!r) {
		struct timespec ts = { 0, 1000000 };
		char c;
		r = (want_eq("read", read(p[0], &c, 1), 1) ||
		    want_eq("epoll_pwait2 1 ms, nothing ready", syscall(SYS_epoll_pwait2, ep, ev, 1, &ts, NULL, 8), 0)) ? CHECK_FAIL : CHECK_OK;
	}
	if (want_exit("writer", pid, 0))
		r = CHECK_FAIL;
	sigaction(SIGUSR1, &old, NULL);
	close(p[0]); close(p[1]);
	close(ep);
	return r;
}

/* signalfd: a blocked signal read as a struct signalfd_siginfo, poll, mask updates. */
static int check_signalfd(void)
{
	struct signalfd_siginfo si;
	sigset_t m, old;
	struct pollfd pf;
	int fd, r;

	sigemptyset(&m);
	sigaddset(&m, SIGUSR2);
	sigprocmask(SIG_BLOCK, &m, &old);
	fd = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC);
	if (want_ok("signalfd", fd))
		return CHECK_FAIL;
	pf = (struct pollfd){ fd, POLLIN, 0 };
	errno = 0;
	r = (want_err("read with nothing pending", read(fd, &si, sizeof(si)), EAGAIN) ||
	    want_err("read of a short buffer", read(fd, &si, 8), EINVAL) ||
	    want_eq("poll with nothing pending", poll(&pf, 1, 0), 0) ||
	    want_eq("kill(SIGUSR2)", kill(getpid(), SIGUSR2), 0) ||
	    want_eq("poll with SIGUSR2 pending", poll(&pf, 1, 0), 1) ||
	    want_eq("read", read(fd, &si, sizeof(si)), sizeof(si))) ? CHECK_FAIL : CHECK_OK;
	if (!r && (si.ssi_signo != SIGUSR2 || si.ssi_code != SI_USER || si.ssi_pid != (uint32_t)getpid()))
		r = fail("signo %u code %d pid %u", si.ssi_signo, si.ssi_code, si.ssi_pid);
	if (!r) {
		sigset_t pend;
		sigpending(&pend);
		if (sigismember(&pend, SIGUSR2))
			r = fail("SIGUSR2 still pending after the read");
	}
	sigaddset(&m, SIGUSR1);
	sigprocmask(SIG_BLOCK, &m, NULL);
	if (!r)
		r = (want_eq("signalfd(fd, +SIGUSR1)", signalfd(fd, &m, 0), fd) ||
		    want_eq("raise SIGUSR1", raise(SIGUSR1), 0) ||
		    want_eq("read after the mask grew", read(fd, &si, sizeof(si)), sizeof(si))) ? CHECK_FAIL : CHECK_OK;
	if (!r && si.ssi_signo != SIGUSR1)
		r = fail("read signal %u, want SIGUSR1", si.ssi_signo);
	if (!r)
		r = (want_err("signalfd on a non-signalfd", signalfd(0, &m, 0), EINVAL) ||
		    want_err("signalfd with bad flags", signalfd(-1, &m, 1), EINVAL) ||
		    want_err("signalfd4 with sizemask 4", syscall(SYS_signalfd4, -1, &m, 4, 0), EINVAL)) ? CHECK_FAIL : CHECK_OK;
	close(fd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

/* A blocking signalfd read sleeps until a signal arrives from another process. */
static int check_signalfd_blocking(void)
{
	struct signalfd_siginfo si[2];
	sigset_t m, old;
	int fd, r;
	pid_t pid;

	sigemptyset(&m);
	sigaddset(&m, SIGUSR2);
	sigprocmask(SIG_BLOCK, &m, &old);
	fd = signalfd(-1, &m, 0);
	if (want_ok("signalfd", fd))
		return CHECK_FAIL;
	if ((pid = fork()) == 0) {
		ms_sleep(100);
		_exit(kill(getppid(), SIGUSR2) ? 1 : 0);
	}
	r = want_eq("blocking read", read(fd, si, sizeof(si)), sizeof(si[0]));
	if (!r && si[0].ssi_signo != SIGUSR2)
		r = fail("signal %u", si[0].ssi_signo);
	if (want_exit("sender", pid, 0))
		r = CHECK_FAIL;
	close(fd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

/* memfd_create: an unlinked RAM file, "memfd:NAME" in /proc/self/fd, a
 * sparse size up to MAX_LFS_FILESIZE, O_RDWR, flags checked. */
static int check_memfd(void)
{
	char link[64], path[64], name[300], buf[8];
	struct stat st;
	int fd = memfd_create("fdt", MFD_CLOEXEC), r;

	if (want_ok("memfd_create", fd))
		return CHECK_FAIL;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	r = strcmp(link, "/memfd:fdt (deleted)") ? fail("readlink %s: \"%s\"", path, link) : CHECK_OK;
	if (!r && (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_nlink != 0 || st.st_size != 0))
		r = fail("fstat: mode %o nlink %lu size %lld", st.st_mode, (unsigned long)st.st_nlink,
			 (long long)st.st_size);
	if (!r && !(fcntl(fd, F_GETFD) & FD_CLOEXEC))
		r = fail("MFD_CLOEXEC not set");
	if (!r && (fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDWR)
		r = fail("not O_RDWR");
	if (!r)
		r = (want_eq("write", write(fd, "abc", 3), 3) || want_eq("pread", pread(fd, buf, 3, 0), 3) ||
		     want_eq("ftruncate to 2^63 - 1", ftruncate(fd, 0x7fffffffffffffffll), 0) ||
		     want_eq("pread at 2^40", pread(fd, buf, 4, 1ll << 40), 4)) ? CHECK_FAIL : CHECK_OK;
	if (!r && (buf[0] || buf[3]))
		r = fail("a hole read back non-zero");
	errno = 0;
	if (!r)
		r = (want_err("pread at 2^63 - 1 (count overflows)", pread(fd, buf, 8, 0x7fffffffffffffffll), EINVAL) ||
		     want_eq("ftruncate to 0", ftruncate(fd, 0), 0)) ? CHECK_FAIL : CHECK_OK;
	close(fd);
	memset(name, 'n', sizeof(name));
	name[250] = '\0';
	errno = 0;
	if (!r)
		r = (want_err("memfd_create(bad flags)", memfd_create("x", 0x100), EINVAL) ||
		     want_err("memfd_create(a 250-byte name)", memfd_create(name, 0), EINVAL)) ? CHECK_FAIL : CHECK_OK;
	name[249] = '\0';
	if (!r && (fd = memfd_create(name, 0)) < 0)
		r = fail("memfd_create(a 249-byte name): %s", errname(errno));
	else if (!r)
		close(fd);
	return r;
}

/* Seals: F_SEAL_SEAL without MFD_ALLOW_SEALING; write, grow, shrink refused. */
static int check_memfd_seals(void)
{
	int fd = memfd_create("plain", 0), sfd = memfd_create("seal", MFD_ALLOW_SEALING), r;

	if (want_ok("memfd_create", fd) || want_ok("memfd_create(MFD_ALLOW_SEALING)", sfd))
		return CHECK_FAIL;
	errno = 0;
	r = (want_eq("F_GET_SEALS without sealing", fcntl(fd, F_GET_SEALS), F_SEAL_SEAL) ||
	     want_err("F_ADD_SEALS without sealing", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM) ||
	     want_eq("F_GET_SEALS", fcntl(sfd, F_GET_SEALS), 0) ||
	     want_eq("write", write(sfd, "abcd", 4), 4) ||
	     want_eq("F_ADD_SEALS SHRINK|GROW", fcntl(sfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), 0) ||
	     want_err("ftruncate smaller", ftruncate(sfd, 2), EPERM) ||
	     want_err("ftruncate larger", ftruncate(sfd, 8), EPERM) ||
	     want_eq("ftruncate to the same size", ftruncate(sfd, 4), 0) ||
	     want_eq("overwrite in place", pwrite(sfd, "xy", 2, 0), 2) ||
	     want_err("write past the end", pwrite(sfd, "xy", 2, 4), EPERM) ||
	     want_eq("F_ADD_SEALS WRITE|SEAL", fcntl(sfd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SEAL), 0) ||
	     want_err("write after F_SEAL_WRITE", pwrite(sfd, "x", 1, 0), EPERM) ||
	     want_eq("F_GET_SEALS", fcntl(sfd, F_GET_SEALS),
		     F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) ||
	     want_err("F_ADD_SEALS after F_SEAL_SEAL", fcntl(sfd, F_ADD_SEALS, F_SEAL_SHRINK), EPERM))
		? CHECK_FAIL : CHECK_OK;
	if (!r && mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0) != MAP_FAILED)
		r = fail("a writable shared mapping of a write-sealed memfd succeeded");
	if (!r && errno != EPERM)
		r = fail("writable shared mapping of a write-sealed memfd: %s, want EPERM", errname(errno));
	if (!r) {
		int p[2];
		if (pipe(p) == 0) {
			errno = 0;
			r = want_err("F_GET_SEALS on a pipe", fcntl(p[0], F_GET_SEALS), EINVAL);
			close(p[0]);
			close(p[1]);
		}
	}
	close(fd);
	close(sfd);
	return r;
}

/* timerfd: a one-shot and a periodic timer counted by read, gettime, poll, errors. */
static int check_timerfd(void)
{
	struct itimerspec its = { { 0, 20000000 }, { 0, 20000000 } }, cur;
	uint64_t count = 0;
	struct pollfd pf;
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC), nb, r;

	if (want_ok("timerfd_create", fd))
		return CHECK_FAIL;
	nb = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	pf = (struct pollfd){ nb, POLLIN, 0 };
	errno = 0;
	r = (want_ok("timerfd_create(CLOCK_REALTIME)", nb) ||
	     want_err("read of a disarmed non-blocking timerfd", read(nb, &count, 8), EAGAIN) ||
	     want_eq("poll of a disarmed timerfd", poll(&pf, 1, 0), 0) ||
	     want_eq("timerfd_settime 20 ms period", timerfd_settime(fd, 0, &its, NULL), 0) ||
	     want_eq("timerfd_gettime", timerfd_gettime(fd, &cur), 0)) ? CHECK_FAIL : CHECK_OK;
	if (!r && (cur.it_interval.tv_nsec != 20000000 || cur.it_value.tv_sec != 0 || cur.it_value.tv_nsec <= 0))
		r = fail("gettime: value %ld.%09ld interval %ld.%09ld", (long)cur.it_value.tv_sec,
			 cur.it_value.tv_nsec, (long)cur.it_interval.tv_sec, cur.it_interval.tv_nsec);
	if (!r && (r = want_eq("blocking read", read(fd, &count, 8), 8)) == 0 && count < 1)
		r = fail("count %llu", (unsigned long long)count);
	if (!r) {
		/* periods counted against the time that passed: a busy host may
		 * make the 100 ms sleep much longer */
		long long t0 = now_ms();
		ms_sleep(100);
		r = want_eq("read after 100 ms", read(fd, &count, 8), 8);
		long long periods = (now_ms() - t0) / 20;
		if (!r && ((long long)count < periods - 2 || (long long)count > periods + 2))
			r = fail("%llu expirations of a 20 ms timer in %lld ms", (unsigned long long)count,
				 periods * 20);
	}
	if (!r) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		struct itimerspec abs = { { 0, 0 }, { now.tv_sec, now.tv_nsec } };
		pf.fd = nb;
		r = (want_eq("TFD_TIMER_ABSTIME in the past", timerfd_settime(nb, TFD_TIMER_ABSTIME, &abs, NULL), 0) ||
		     want_eq("poll until it fires", poll(&pf, 1, 2000), 1) ||
		     want_eq("read", read(nb, &count, 8), 8)) ? CHECK_FAIL
		    : count != 1 ? fail("one-shot count %llu", (unsigned long long)count) : CHECK_OK;
	}
	its.it_value.tv_nsec = 1000000000;
	errno = 0;
	if (!r)
		r = (want_err("timerfd_create(bad clock)", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL) ||
		     want_err("timerfd_create(bad flags)", timerfd_create(CLOCK_MONOTONIC, 4), EINVAL) ||
		     want_err("settime with nsec 10^9", timerfd_settime(fd, 0, &its, NULL), EINVAL) ||
		     want_err("settime with bad flags", timerfd_settime(fd, 4, &cur, NULL), EINVAL) ||
		     want_err("gettime on a pipe-less fd", timerfd_gettime(0x7fff, &cur), EBADF) ||
		     want_err("read of 4 bytes", read(fd, &count, 4), EINVAL)) ? CHECK_FAIL : CHECK_OK;
	close(fd);
	close(nb);
	return r;
}

/* uname's release is in Linux's form, at least 4.17 (what gVisor's tests and glibc compare). */
static int check_uname_release(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u))
		return fail("uname: %s", errname(errno));
	if (sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return fail("release \"%s\" is not MAJOR.MINOR...", u.release);
	if (major < 4 || (major == 4 && minor < 17))
		return fail("release \"%s\" is older than 4.17", u.release);
	remark("%s %s", u.sysname, u.release);
	if (major < 6 || (major == 6 && minor < 9))
		return CHECK_OK;
	/* the release promises 6.9's eventfd: a write of other than 8 bytes is EINVAL */
	uint64_t big[2] = { 1, 0 };
	int efd = eventfd(0, EFD_NONBLOCK), r;
	errno = 0;
	r = want_err("eventfd write of 16 bytes (Linux 6.9)", write(efd, big, sizeof(big)), EINVAL);
	close(efd);
	return r;
}

#ifndef FALLOC_FL_PUNCH_HOLE /* musl's fcntl.h has KEEP_SIZE alone */
#define FALLOC_FL_PUNCH_HOLE 2
#endif

/* fallocate(PUNCH_HOLE | KEEP_SIZE) of a memfd (LTP's memfd_create01):
 * the range reads zeros, in a shared mapping too, the size stays.
 * F_SEAL_WRITE is EBUSY while a shared mapping through a writable
 * descriptor exists (even a read-only one, as Linux 6.1), and a write-
 * sealed memfd's punch is EPERM. */
static int check_memfd_punch(void)
{
	char buf[8192], *m;
	int fd = memfd_create("punch", MFD_ALLOW_SEALING), r = CHECK_OK;
	struct stat st;

	if (want_ok("memfd_create", fd))
		return CHECK_FAIL;
	memset(buf, 'a', sizeof(buf));
	if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) ||
	    (m = mmap(NULL, sizeof(buf), PROT_READ, MAP_SHARED, fd, 0)) == MAP_FAILED) {
		close(fd);
		return fail("write or mmap: %s", errname(errno));
	}
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 100, 5000))
		r = fail("fallocate(PUNCH_HOLE | KEEP_SIZE): %s", errname(errno));
	else if (pread(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf) || fstat(fd, &st))
		r = fail("pread: %s", errname(errno));
	else if (st.st_size != (off_t)sizeof(buf) || buf[99] != 'a' || buf[100] || buf[5099] ||
		 buf[5100] != 'a' || m[100] || m[5099] || m[5100] != 'a')
		r = fail("after the punch: size %lld, bytes 99..100 %d %d, 5099..5100 %d %d, mapped %d %d",
			 (long long)st.st_size, buf[99], buf[100], buf[5099], buf[5100], m[100], m[5100]);
	munmap(m, sizeof(buf));
	m = r ? MAP_FAILED : mmap(NULL, sizeof(buf), PROT_READ, MAP_SHARED, fd, 0);
	if (!r && m == MAP_FAILED)
		r = fail("mmap shared: %s", errname(errno));
	else if (!r) /* a shared mapping through a writable descriptor, even read-only */
		r = want_err("F_SEAL_WRITE while mapped shared", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
	if (m != MAP_FAILED)
		munmap(m, sizeof(buf));
	if (!r && (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE) ||
		   want_err("a punch of a write-sealed memfd",
			    fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 10), EPERM)))
		r = CHECK_FAIL;
	close(fd);
	return r;
}

static const struct check checks[] = {
	{ "epoll-level", check_epoll_level },
	{ "epoll-edge-oneshot", check_epoll_edge_oneshot },
	{ "epoll-errors", check_epoll_errors },
	{ "epoll-close", check_epoll_close },
	{ "epoll-sleep", check_epoll_sleep },
	{ "epoll-nested-wide", check_epoll_nested_wide },
	{ "signalfd", check_signalfd },
	{ "signalfd-blocking", check_signalfd_blocking },
	{ "memfd", check_memfd },
	{ "memfd-seals", check_memfd_seals },
	{ "memfd-punch", check_memfd_punch },
	{ "timerfd", check_timerfd },
	{ "uname-release", check_uname_release },
};

int main(int argc, char **argv)
{
	c_isolate = 1;
	return run_checks("conform_fdtypes", checks, NELEMS(checks), argc, argv);
}
