// SPDX-License-Identifier: MIT
// File locks and I/O signals: fcntl record locks (POSIX and OFD), flock, F_SETOWN/F_SETSIG/O_ASYNC.
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "checks.h"

/*
 * As Linux (fcntl(2), flock(2)): a POSIX lock belongs to the process and
 * is dropped when it closes any descriptor of the file, or exits; ranges
 * are split and merged; F_GETLK names the first lock in the way (the
 * lowest of its owner's, which are kept sorted) with its owner's pid; a read lock needs read access and a write lock write
 * access (EBADF); F_SETLKW waits, ends with EINTR on a handled signal and
 * with EDEADLK when it would close a cycle. OFD locks belong to the open
 * file description (l_pid must be 0; F_OFD_GETLK reports pid -1). flock
 * locks are whole-file, per description, and apart from fcntl's. A pipe
 * with O_ASYNC signals its owner: SIGIO, or the F_SETSIG signal with
 * si_fd and si_band. A lease is broken by a conflicting open, which
 * waits for the holder (or fails with EWOULDBLOCK when non-blocking).
 * Conflicts are seen from forked children, which report through their
 * exit status (the errno, or 0).
 */
#define DIR_PATH "/tmp/t-conform_locks"
#define FILE_PATH DIR_PATH "/f"
#define WAIT_MS 200

/* A check's result from r, a chain of want_*() joined by ||: 1 or
 * CHECK_FAIL both mean a failure (1 would read as CHECK_SKIP). */
static int verdict(int r)
{
	return r ? CHECK_FAIL : CHECK_OK;
}

static int lk(int fd, int cmd, int type, int whence, off_t start, off_t len)
{
	struct flock fl = { .l_type = (short)type, .l_whence = (short)whence, .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &fl);
}

/* F_GETLK for [start, start+len) as type into *fl. */
static int getlk(int fd, int cmd, int type, off_t start, off_t len, struct flock *fl)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = (short)type;
	fl->l_whence = SEEK_SET;
	fl->l_start = start;
	fl->l_len = len;
	return fcntl(fd, cmd, fl);
}

static int open_file(int flags)
{
	mkdir(DIR_PATH, 0755);
	return open(FILE_PATH, flags | O_CREAT, 0644);
}

static void cleanup(void)
{
	rm_tree(DIR_PATH);
}

/* A child that tries F_SETLK of type on [start, start+len) through its own open: exit errno or 0. */
static pid_t try_lock_child(int type, off_t start, off_t len)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(FILE_PATH, O_RDWR);
		_exit(fd < 0 ? 100 : lk(fd, F_SETLK, type, SEEK_SET, start, len) ? errno : 0);
	}
	return pid;
}

/* A child checking that F_GETLK of [start, start+len) sees type at [ls, ls+ll) held by pid: exit 0 or a step number. */
static pid_t getlk_child(int fd, off_t start, off_t len, int type, off_t ls, off_t ll, pid_t owner)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct flock fl;
		if (getlk(fd, F_GETLK, F_WRLCK, start, len, &fl))
			_exit(1);
		if (fl.l_type != type)
			_exit(2);
		if (type != F_UNLCK && (fl.l_start != ls || fl.l_len != ll || fl.l_pid != owner || fl.l_whence != SEEK_SET))
			_exit(3);
		_exit(0);
	}
	return pid;
}

/* Read and write locks: who conflicts with whom, and what F_GETLK says. */
static int check_conflicts(void)
{
	int fd = open_file(O_RDWR), r;

	if (want_ok("open", fd))
		return CHECK_FAIL;
	r = want_eq("F_SETLK write [0,100)", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 100), 0) ||
	    want_exit("a read lock over it", try_lock_child(F_RDLCK, 50, 10), EAGAIN) ||
	    want_exit("a write lock after it", try_lock_child(F_WRLCK, 100, 0), 0) ||
	    want_exit("F_GETLK sees the write lock", getlk_child(fd, 10, 1, F_WRLCK, 0, 100, getpid()), 0) ||
	    want_exit("F_GETLK past it", getlk_child(fd, 100, 5, F_UNLCK, 0, 0, 0), 0) ||
	    want_eq("downgrade to read", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 0, 100), 0) ||
	    want_exit("a read lock beside a read lock", try_lock_child(F_RDLCK, 0, 0), 0) ||
	    want_exit("a write lock over a read lock", try_lock_child(F_WRLCK, 99, 1), EAGAIN);
	if (!r) {
		struct flock fl;
		r = want_eq("F_GETLK of our own lock", getlk(fd, F_GETLK, F_WRLCK, 0, 0, &fl), 0) ||
		    (fl.l_type != F_UNLCK ? fail("F_GETLK of our own lock: type %d, want F_UNLCK", fl.l_type) : 0);
	}
	close(fd);
	cleanup();
	return verdict(r);
}

/* Unlocking the middle of a lock splits it; locking it again merges. */
static int check_split_merge(void)
{
	int fd = open_file(O_RDWR), r;
	pid_t me = getpid();

	if (want_ok("open", fd))
		return CHECK_FAIL;
	r = want_eq("F_SETLK write, whole file", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0), 0) ||
	    want_eq("unlock [10,20)", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 10, 10), 0) ||
	    want_exit("the lower part", getlk_child(fd, 0, 0, F_WRLCK, 0, 10, me), 0) ||
	    want_exit("the hole", getlk_child(fd, 10, 10, F_UNLCK, 0, 0, 0), 0) ||
	    want_exit("the upper part", getlk_child(fd, 15, 0, F_WRLCK, 20, 0, me), 0) ||
	    want_eq("lock [10,20) again", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 10), 0) ||
	    want_exit("merged", getlk_child(fd, 5, 1, F_WRLCK, 0, 0, me), 0);
	close(fd);
	cleanup();
	return verdict(r);
}

/* A thousand locks of alternate bytes, then one lock over them all: merged into one. */
static int check_many(void)
{
	int fd = open_file(O_RDWR), r = 0;
	pid_t me = getpid();

	if (want_ok("open", fd))
		return CHECK_FAIL;
	for (int i = 0; i < 2000 && !r; i += 2)
		r = want_eq("F_SETLK of one byte", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, i, 1), 0);
	r = r || want_exit("a locked byte", getlk_child(fd, 1000, 1, F_WRLCK, 1000, 1, me), 0) ||
	    want_exit("a byte between", getlk_child(fd, 1001, 1, F_UNLCK, 0, 0, 0), 0) ||
	    want_eq("lock [0,2000)", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 2000), 0) ||
	    want_exit("one lock", getlk_child(fd, 1001, 1, F_WRLCK, 0, 2000, me), 0) ||
	    want_eq("lock [2000,2001): adjacent", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 2000, 1), 0) ||
	    want_exit("merged", getlk_child(fd, 5, 1, F_WRLCK, 0, 2001, me), 0) ||
	    want_eq("unlock all", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0), 0) ||
	    want_exit("nothing left", getlk_child(fd, 0, 0, F_UNLCK, 0, 0, 0), 0);
	close(fd);
	cleanup();
	return verdict(r);
}

/* l_whence SEEK_END and SEEK_CUR, negative lengths, and the EINVAL cases. */
static int check_ranges(void)
{
	int fd = open_file(O_RDWR), r;
	pid_t me = getpid();

	if (want_ok("open", fd))
		return CHECK_FAIL;
	r = want_eq("ftruncate 100", ftruncate(fd, 100), 0) ||
	    want_eq("SEEK_END -10, len -10", lk(fd, F_SETLK, F_WRLCK, SEEK_END, -10, -10), 0) ||
	    want_exit("[80,90)", getlk_child(fd, 0, 0, F_WRLCK, 80, 10, me), 0) ||
	    want_eq("lseek 200", lseek(fd, 200, SEEK_SET), 200) ||
	    want_eq("SEEK_CUR 0, len 5", lk(fd, F_SETLK, F_WRLCK, SEEK_CUR, 0, 5), 0) ||
	    want_exit("[200,205)", getlk_child(fd, 100, 0, F_WRLCK, 200, 5, me), 0);
	errno = 0;
	r = r || want_err("start before 0", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, -1, 5), EINVAL);
	errno = 0;
	r = r || want_err("len reaching before 0", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 3, -4), EINVAL);
	errno = 0;
	r = r || want_err("whence 7", lk(fd, F_SETLK, F_WRLCK, 7, 0, 0), EINVAL);
	errno = 0;
	r = r || want_err("l_type 9", lk(fd, F_SETLK, 9, SEEK_SET, 0, 0), EINVAL);
	errno = 0;
	r = r || want_err("F_GETLK of F_UNLCK", lk(fd, F_GETLK, F_UNLCK, SEEK_SET, 0, 0), EINVAL);
	close(fd);
	cleanup();
	return verdict(r);
}

/* A read lock needs read access, a write lock write access. */
static int check_access(void)
{
	int rd = open_file(O_RDONLY), wr = open(FILE_PATH, O_WRONLY), r;

	if (want_ok("open O_RDONLY", rd) || want_ok("open O_WRONLY", wr))
		return CHECK_FAIL;
	errno = 0;
	r = want_err("write lock on O_RDONLY", lk(rd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0), EBADF);
	errno = 0;
	r = r || want_err("read lock on O_WRONLY", lk(wr, F_SETLK, F_RDLCK, SEEK_SET, 0, 0), EBADF);
	r = r || want_eq("read lock on O_RDONLY", lk(rd, F_SETLK, F_RDLCK, SEEK_SET, 0, 0), 0) ||
	    want_eq("unlock on O_WRONLY", lk(wr, F_SETLK, F_UNLCK, SEEK_SET, 0, 0), 0);
	close(rd);
	close(wr);
	cleanup();
	return verdict(r);
}

/* Closing any descriptor of the file drops the process's locks; so does exit. */
static int check_close_exit(void)
{
	int fd = open_file(O_RDWR), other = open(FILE_PATH, O_RDONLY), r;
	pid_t pid = -1;

	if (want_ok("open", fd) || want_ok("open again", other))
		return CHECK_FAIL;
	r = want_eq("F_SETLK write", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0), 0) ||
	    want_exit("while held", try_lock_child(F_WRLCK, 0, 0), EAGAIN) ||
	    want_eq("close another descriptor", close(other), 0) ||
	    want_exit("after that close", try_lock_child(F_WRLCK, 0, 0), 0);
	if (!r && (pid = fork()) == 0) {
		int cfd = open(FILE_PATH, O_RDWR);
		_exit(lk(cfd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0) ? 1 : 0);
	}
	r = r || want_exit("a child that locks and exits", pid, 0) ||
	    want_exit("after its exit", try_lock_child(F_WRLCK, 0, 0), 0);
	close(fd);
	cleanup();
	return verdict(r);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* F_SETLKW waits for the holder, and a handled signal ends the wait with EINTR. */
static int check_wait(void)
{
	int fd = open_file(O_RDWR), r;
	pid_t pid = -1;

	if (want_ok("open", fd))
		return CHECK_FAIL;
	r = want_eq("F_SETLK write", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0), 0);
	if (!r && (pid = fork()) == 0) {
		int cfd = open(FILE_PATH, O_RDWR);
		long long t0 = now_ms();
		if (lk(cfd, F_SETLKW, F_RDLCK, SEEK_SET, 0, 0))
			_exit(1);
		_exit(now_ms() - t0 >= WAIT_MS / 2 ? 0 : 2);
	}
	if (!r) {
		ms_sleep(WAIT_MS);
		r = want_eq("unlock", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0), 0) ||
		    want_exit("the waiter (exit 2: it did not wait)", pid, 0);
	}
	r = r || want_eq("F_SETLK write again", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0), 0);
	if (!r && (pid = fork()) == 0) {
		struct sigaction sa = { .sa_handler = on_alarm };
		int cfd = open(FILE_PATH, O_RDWR);
		sigaction(SIGALRM, &sa, NULL); /* no SA_RESTART */
		alarm(1);
		_exit(lk(cfd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 0) == -1 ? errno : 0);
	}
	r = r || want_exit("a wait cut by SIGALRM", pid, EINTR);
	close(fd);
	cleanup();
	return verdict(r);
}

/* A wait that would close a cycle of two processes fails with EDEADLK. */
static int check_deadlock(void)
{
	int fd = open_file(O_RDWR), r;
	pid_t pid = -1;

	if (want_ok("open", fd))
		return CHECK_FAIL;
	r = want_eq("lock byte 0", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1), 0);
	if (!r && (pid = fork()) == 0) {
		int cfd = open(FILE_PATH, O_RDWR);
		if (lk(cfd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1))
			_exit(1);
		alarm(10);
		_exit(lk(cfd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1) ? 2 : 0); /* waits for the parent */
	}
	if (!r) {
		ms_sleep(WAIT_MS);
		errno = 0;
		r = want_err("F_SETLKW on the child's byte", lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1), EDEADLK);
		lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
		r = want_exit("the child, after the unlock", pid, 0) || r;
	}
	close(fd);
	cleanup();
	return verdict(r);
}

/* OFD locks: owned by the open file description, l_pid 0, reported as pid -1. */
static int check_ofd(void)
{
	int a = open_file(O_RDWR), b = open(FILE_PATH, O_RDWR), r;
	struct flock fl;

	if (want_ok("open", a) || want_ok("open again", b))
		return CHECK_FAIL;
	r = want_eq("F_OFD_SETLK write", lk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 0), 0);
	errno = 0;
	r = r || want_err("another description", lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 0), EAGAIN);
	errno = 0;
	r = r || want_err("a POSIX lock of the same process", lk(b, F_SETLK, F_RDLCK, SEEK_SET, 0, 0), EAGAIN);
	r = r || want_eq("F_OFD_GETLK", getlk(b, F_OFD_GETLK, F_RDLCK, 0, 0, &fl), 0) ||
	    (fl.l_type != F_WRLCK || fl.l_pid != -1 ? fail("F_OFD_GETLK: type %d pid %d, want F_WRLCK, -1", fl.l_type, fl.l_pid) : 0);
	if (!r) {
		struct flock bad = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_pid = 1 };
		errno = 0;
		r = want_err("l_pid 1", fcntl(b, F_OFD_SETLK, &bad), EINVAL);
	}
	int d = r ? -1 : dup(a);
	r = r || want_ok("dup", d) || want_eq("close the first", close(a), 0);
	errno = 0;
	r = r || want_err("the dup keeps it", lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 0), EAGAIN);
	r = r || want_eq("close the dup", close(d), 0) ||
	    want_eq("then it is free", lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 0), 0);
	close(b);
	cleanup();
	return verdict(r);
}

/* flock: shared and exclusive per description, LOCK_NB, apart from fcntl locks. */
static int check_flock(void)
{
	int a = open_file(O_RDWR), b = open(FILE_PATH, O_RDONLY), r;

	if (want_ok("open", a) || want_ok("open again", b))
		return CHECK_FAIL;
	r = want_eq("LOCK_EX", flock(a, LOCK_EX), 0) || want_eq("LOCK_EX again", flock(a, LOCK_EX), 0);
	errno = 0;
	r = r || want_err("LOCK_SH|LOCK_NB elsewhere", flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	r = r || want_exit("a fcntl lock beside it", try_lock_child(F_WRLCK, 0, 0), 0) ||
	    want_eq("LOCK_SH (convert)", flock(a, LOCK_SH), 0) ||
	    want_eq("LOCK_SH elsewhere", flock(b, LOCK_SH | LOCK_NB), 0);
	errno = 0;
	r = r || want_err("LOCK_EX|LOCK_NB over a shared one", flock(a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	errno = 0;
	r = r || want_err("op 0", flock(a, 0), EINVAL);
	r = r || want_eq("close b", close(b), 0) || want_eq("LOCK_EX after the close", flock(a, LOCK_EX | LOCK_NB), 0) ||
	    want_eq("LOCK_UN", flock(a, LOCK_UN), 0);
	if (r)
		close(b);
	close(a);
	cleanup();
	return verdict(r);
}

static volatile int io_sig, io_fd, io_code;
static volatile long io_band;

static void on_io(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	io_sig = sig;
	io_fd = si->si_fd;
	io_band = si->si_band;
	io_code = si->si_code;
}

/* The owner commands, and a pipe with O_ASYNC signalling its reader's owner. */
static int check_sigio(void)
{
	struct sigaction sa = { .sa_sigaction = on_io, .sa_flags = SA_SIGINFO };
	struct f_owner_ex ex = { F_OWNER_PGRP, getpgrp() }, got;
	int p[2], r;

	if (want_ok("pipe2", pipe2(p, O_NONBLOCK)))
		return CHECK_FAIL;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGIO, &sa, NULL);
	r = want_eq("F_GETOWN unset", syscall(SYS_fcntl, p[0], F_GETOWN), 0) ||
	    want_eq("F_SETOWN_EX pgrp", syscall(SYS_fcntl, p[0], F_SETOWN_EX, &ex), 0) ||
	    want_eq("F_GETOWN_EX", syscall(SYS_fcntl, p[0], F_GETOWN_EX, &got), 0) ||
	    (got.type != F_OWNER_PGRP || got.pid != ex.pid ? fail("F_GETOWN_EX: %d %d", got.type, got.pid) : 0);
	errno = 0;
	r = r || want_err("F_SETOWN INT_MIN", syscall(SYS_fcntl, p[0], F_SETOWN, INT_MIN), EINVAL);
	errno = 0;
	r = r || want_err("F_SETOWN of no process", syscall(SYS_fcntl, p[0], F_SETOWN, 12345678), ESRCH);
	errno = 0;
	r = r || want_err("F_SETSIG 65", syscall(SYS_fcntl, p[0], F_SETSIG, 65), EINVAL);
	r = r || want_eq("F_SETOWN", fcntl(p[0], F_SETOWN, getpid()), 0) ||
	    want_eq("F_SETSIG SIGUSR1", fcntl(p[0], F_SETSIG, SIGUSR1), 0) ||
	    want_eq("F_GETSIG", fcntl(p[0], F_GETSIG), SIGUSR1) ||
	    want_eq("F_SETFL O_ASYNC", fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK), 0) ||
	    want_eq("F_GETFL has O_ASYNC", fcntl(p[0], F_GETFL) & O_ASYNC, O_ASYNC) ||
	    want_eq("write", write(p[1], "x", 1), 1);
	for (int i = 0; !r && !io_sig && i < 100; i++)
		ms_sleep(10);
	if (!r && (io_sig != SIGUSR1 || io_fd != p[0] || io_band != (POLLIN | POLLRDNORM) || io_code != POLL_IN))
		r = fail("got signal %d fd %d band %#lx code %d, want %d %d %#x %d", io_sig, io_fd, io_band,
			 io_code, SIGUSR1, p[0], POLLIN | POLLRDNORM, POLL_IN);
	io_sig = 0;
	r = r || want_eq("F_SETSIG 0", fcntl(p[0], F_SETSIG, 0), 0) || want_eq("write", write(p[1], "x", 1), 1);
	for (int i = 0; !r && !io_sig && i < 100; i++)
		ms_sleep(10);
	if (!r && io_sig != SIGIO)
		r = fail("with F_SETSIG 0: signal %d, want SIGIO", io_sig);
	close(p[0]);
	close(p[1]);
	return verdict(r);
}

/* F_GETLK reports the lowest of an owner's locks in the way (Linux keeps
 * them sorted by start; LTP's fcntl11, fcntl21): a read lock set inside
 * a write lock splits it, and the write lock's lower part comes first;
 * a lock set below an owner's others comes before them. */
static int check_getlk_order(void)
{
	int fd = open_file(O_RDWR), r;
	pid_t me = getpid();

	if (want_ok("open", fd))
		return CHECK_FAIL;
	r = want_eq("write [10,20)", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 10), 0) ||
	    want_eq("read [13,18)", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 13, 5), 0) ||
	    want_exit("the whole file: write [10,13) first", getlk_child(fd, 0, 0, F_WRLCK, 10, 3, me), 0) ||
	    want_exit("from 13: the read lock", getlk_child(fd, 13, 0, F_RDLCK, 13, 5, me), 0) ||
	    want_exit("from 18: write [18,20)", getlk_child(fd, 18, 0, F_WRLCK, 18, 2, me), 0) ||
	    want_eq("read [2,4)", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 2, 2), 0) ||
	    want_exit("the whole file: read [2,4) first", getlk_child(fd, 0, 0, F_RDLCK, 2, 2, me), 0);
	close(fd);
	cleanup();
	return verdict(r);
}

#ifndef F_SETLEASE
#define F_SETLEASE 1024
#define F_GETLEASE 1025
#endif

/* A child that opens the file with flags: exit 0 when it opened, else its errno. */
static pid_t open_child(int flags)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(FILE_PATH, flags);
		_exit(fd >= 0 ? 0 : errno);
	}
	return pid;
}

/* Leases (LTP's fcntl23, fcntl27): no read lease on a file open for
 * writing (EAGAIN); a read lease reads back and goes with F_UNLCK; a
 * write lease is broken by another open: the holder gets its signal,
 * a non-blocking opener EWOULDBLOCK, F_GETLEASE says what the lease must
 * become (F_RDLCK for a reader, F_UNLCK for a writer), and a blocked
 * opener goes on once the holder gives way. */
static int check_lease(void)
{
	int rw = open_file(O_RDWR), ro = open(FILE_PATH, O_RDONLY), r;
	sigset_t set, old;

	if (want_ok("open", rw) || want_ok("open", ro))
		return CHECK_FAIL;
	sigemptyset(&set);
	sigaddset(&set, SIGIO);
	sigprocmask(SIG_BLOCK, &set, &old);
	r = want_err("F_SETLEASE(F_RDLCK) while open for writing", fcntl(ro, F_SETLEASE, F_RDLCK), EAGAIN) ||
	    want_err("F_SETLEASE(5)", fcntl(ro, F_SETLEASE, 5), EINVAL);
	close(rw);
	r = r || want_eq("F_SETLEASE(F_RDLCK)", fcntl(ro, F_SETLEASE, F_RDLCK), 0) ||
	    want_eq("F_GETLEASE", fcntl(ro, F_GETLEASE), F_RDLCK) ||
	    want_eq("F_SETLEASE(F_WRLCK), the only opener", fcntl(ro, F_SETLEASE, F_WRLCK), 0) ||
	    want_exit("a non-blocking reader (EWOULDBLOCK)", open_child(O_RDONLY | O_NONBLOCK), EWOULDBLOCK) ||
	    want_eq("F_GETLEASE while broken for a reader", fcntl(ro, F_GETLEASE), F_RDLCK) ||
	    want_exit("a non-blocking writer (EWOULDBLOCK)", open_child(O_WRONLY | O_NONBLOCK), EWOULDBLOCK) ||
	    want_eq("F_GETLEASE while broken for a writer", fcntl(ro, F_GETLEASE), F_UNLCK);
	if (!r) {
		struct timespec t = { 5, 0 };
		if (sigtimedwait(&set, NULL, &t) != SIGIO)
			r = fail("the holder got no SIGIO: %s", errname(errno));
	}
	if (!r) {
		pid_t w = open_child(O_WRONLY);
		usleep(WAIT_MS * 1000);
		int st = 0;
		if (waitpid(w, &st, WNOHANG) != 0)
			r = fail("a blocking writer did not wait for the lease (status %#x)", st);
		r = r || want_eq("F_SETLEASE(F_UNLCK)", fcntl(ro, F_SETLEASE, F_UNLCK), 0) ||
		    want_exit("the writer, once the lease went", w, 0);
		if (r)
			kill(w, SIGKILL), waitpid(w, NULL, 0);
	}
	fcntl(ro, F_SETLEASE, F_UNLCK);
	close(ro);
	sigprocmask(SIG_SETMASK, &old, NULL);
	cleanup();
	return verdict(r);
}

#define LEASE_BREAK_FILE "/proc/sys/fs/lease-break-time"
#define LEASE_BREAK_TEST 1   /* seconds */

/* Write text to the sysctl at path: 0, or -1 with errno. */
static int sysctl_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* A reader blocked by a write lease whose holder does nothing: the
 * kernel takes the lease down to a read lease after lease-break-time
 * seconds and the open goes on. The child's time in ms, or -1. */
static long timed_out_break(void)
{
	int ro = open(FILE_PATH, O_RDONLY);
	long ms = -1;

	if (ro < 0 || fcntl(ro, F_SETLEASE, F_WRLCK))
		return fail("open or F_SETLEASE(F_WRLCK): %s", errname(errno)), -1;
	long t0 = now_ms();
	pid_t pid = open_child(O_RDONLY);
	int st;
	if (pid > 0 && wait_child(pid, 10000, &st) == CHECK_OK && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		ms = now_ms() - t0;
	if (ms >= 0 && fcntl(ro, F_GETLEASE) != F_RDLCK)
		ms = -1, fail("F_GETLEASE after the break time: %d, want F_RDLCK", fcntl(ro, F_GETLEASE));
	fcntl(ro, F_SETLEASE, F_UNLCK);
	close(ro);
	return ms;
}

/* fs.lease-break-time (LTP's fcntl33 restores it): 45 by default, root
 * may change it, and a break gives the holder that long. */
static int check_lease_break_time(void)
{
	char saved[32] = "";
	int fd = open(LEASE_BREAK_FILE, O_RDONLY), r = CHECK_OK, cl = open_file(O_RDWR);
	ssize_t n = fd < 0 ? -1 : read(fd, saved, sizeof(saved) - 1);
	sigset_t set, old;

	if (fd >= 0)
		close(fd);
	if (n <= 0 || want_ok("open", cl))
		return fail("read %s: %s", LEASE_BREAK_FILE, errname(errno));
	close(cl);
	if (atoi(saved) != 45)
		r = fail("lease-break-time %s, want Linux's default, 45", saved);
	if (sysctl_write(LEASE_BREAK_FILE, "1\n"))
		return cleanup(), fail("write 1: %s", errname(errno));
	sigemptyset(&set);
	sigaddset(&set, SIGIO);
	sigprocmask(SIG_BLOCK, &set, &old);
	long ms = r ? 0 : timed_out_break();
	if (!r && (ms < LEASE_BREAK_TEST * 1000 / 2 || ms > LEASE_BREAK_TEST * 1000 * 5))
		r = ms < 0 ? CHECK_FAIL : fail("the reader waited %ld ms, want about %d s", ms, LEASE_BREAK_TEST);
	struct timespec zero = { 0, 0 };
	sigtimedwait(&set, NULL, &zero); /* the holder's SIGIO */
	sigprocmask(SIG_SETMASK, &old, NULL);
	sysctl_write(LEASE_BREAK_FILE, saved);
	cleanup();
	return verdict(r);
}

static const struct check checks[] = {
	{ "conflicts", check_conflicts },
	{ "split-merge", check_split_merge },
	{ "getlk-order", check_getlk_order },
	{ "ranges", check_ranges },
	{ "many", check_many },
	{ "access", check_access },
	{ "close-exit", check_close_exit },
	{ "wait", check_wait },
	{ "deadlock", check_deadlock },
	{ "ofd", check_ofd },
	{ "flock", check_flock },
	{ "sigio", check_sigio },
	{ "lease", check_lease },
	{ "lease-break-time", check_lease_break_time },
};

int main(int argc, char **argv)
{
	c_isolate = 1;
	return run_checks("conform_locks", checks, NELEMS(checks), argc, argv);
}
