// SPDX-License-Identifier: MIT
// Pipes and FIFOs: round trips, partial reads, EOF, EPIPE and SIGPIPE, O_NONBLOCK, poll and select readiness, FIFO opens.
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include "checks.h"

/*
 * Each check makes its own pipe and closes both ends, whatever happens.
 * A child that writes later (to wake a blocked reader, poll or select)
 * sleeps first; every wait on it has a deadline. SIGPIPE is ignored in
 * the program itself (so a write to a closed pipe shows as EPIPE) and
 * set back to the default in the child that must die of it.
 */

/* open_pipe: a pipe in P (with FLAGS for pipe2), or fail(). */
static int open_pipe(int p[2], int flags)
{
	if (pipe2(p, flags) != 0)
		return fail("pipe2(%#x): %s", flags, errname(errno));
	return CHECK_OK;
}

static void close_pipe(int p[2])
{
	close(p[0]);
	close(p[1]);
}

/* writer_child: fork a child that sleeps MS ms, writes TEXT to FD (if any) and exits. */
static pid_t writer_child(int fd, long ms, const char *text)
{
	pid_t pid = fork();

	if (pid == 0) {
		ms_sleep(ms);
		if (text && write(fd, text, strlen(text)) != (ssize_t)strlen(text))
			_exit(1);
		_exit(0);
	}
	return pid;
}

static int check_roundtrip(void)
{
	int p[2], r;
	char buf[16];
	struct stat st;

	if (open_pipe(p, 0))
		return CHECK_FAIL;
	r = want_eq("write 5", write(p[1], "hello", 5), 5);
	if (!r)
		r = want_eq("read", read(p[0], buf, sizeof(buf)), 5);
	if (!r && memcmp(buf, "hello", 5) != 0)
		r = fail("read \"%.5s\", want \"hello\"", buf);
	if (!r)
		r = want_eq("write of 0 bytes", write(p[1], buf, 0), 0);
	if (!r && (fstat(p[0], &st) != 0 || !S_ISFIFO(st.st_mode)))
		r = fail("fstat of a pipe end is not S_ISFIFO");
	errno = 0;
	if (!r)
		r = want_err("write on the read end", write(p[0], "x", 1), EBADF);
	errno = 0;
	if (!r)
		r = want_err("read on the write end", read(p[1], buf, 1), EBADF);
	errno = 0;
	if (!r)
		r = want_err("pipe(0x1)", syscall(SYS_pipe, (void *)1), EFAULT);
	close_pipe(p);
	return r;
}

/* Reads return what is there (never waiting for more), in pieces as small as asked. */
static int check_partial_reads(void)
{
	int p[2], r, avail = -1;
	char buf[100];

	if (open_pipe(p, 0))
		return CHECK_FAIL;
	r = want_eq("write 10", write(p[1], "0123456789", 10), 10);
	if (!r)
		r = want_eq("FIONREAD", ioctl(p[0], FIONREAD, &avail), 0);
	if (!r && avail != 10)
		r = fail("FIONREAD says %d bytes, want 10", avail);
	if (!r)
		r = want_eq("read 4", read(p[0], buf, 4), 4);
	if (!r)
		r = want_eq("read 4 more", read(p[0], buf + 4, 4), 4);
	if (!r)
		r = want_eq("read 100 with 2 left", read(p[0], buf + 8, 100), 2);
	if (!r && memcmp(buf, "0123456789", 10) != 0)
		r = fail("the pieces read \"%.10s\"", buf);
	close_pipe(p);
	return r;
}

/* After the last writer closes, the rest of the data, then EOF (0) every time. */
static int check_eof(void)
{
	int p[2], d, r;
	char buf[16];

	if (open_pipe(p, 0))
		return CHECK_FAIL;
	d = dup(p[1]);
	r = want_eq("write", write(p[1], "abc", 3), 3);
	close(p[1]);
	/* The dup is still a writer: the data, then a read would block, not end. */
	if (!r)
		r = want_eq("read with a writer left", read(p[0], buf, sizeof(buf)), 3);
	if (!r && fcntl(p[0], F_SETFL, O_NONBLOCK) == 0) {
		errno = 0;
		r = want_err("read of an empty pipe with a writer left", read(p[0], buf, 1), EAGAIN);
		fcntl(p[0], F_SETFL, 0);
	}
	close(d);
	if (!r)
		r = want_eq("read after the last writer closed", read(p[0], buf, sizeof(buf)), 0);
	if (!r)
		r = want_eq("read at EOF again", read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);
	return r;
}

/* A reader blocked on an empty pipe wakes when a child writes. */
static int check_blocking_read(void)
{
	int p[2], r;
	char buf[16];
	long long t0 = now_ms();
	pid_t pid;

	if (open_pipe(p, 0))
		return CHECK_FAIL;
	pid = writer_child(p[1], 50, "late");
	r = want_eq("read waiting for the child", read(p[0], buf, sizeof(buf)), 4);
	if (!r && now_ms() - t0 < 30)
		r = fail("read returned after %lld ms, before the child wrote", now_ms() - t0);
	close_pipe(p);
	if (want_exit("the writer", pid, 0))
		return CHECK_FAIL;
	return r;
}

/* 1 MiB through a pipe from a child, more than any pipe buffer: writers block and resume. */
static int check_bulk(void)
{
	enum { TOTAL = 1 << 20 };
	static unsigned char buf[8192];
	int p[2], r = CHECK_OK;
	long got = 0, n;
	pid_t pid;

	if (open_pipe(p, 0))
		return CHECK_FAIL;
	pid = fork();
	if (pid == 0) {
		static unsigned char out[3000];
		long sent = 0;
		close(p[0]);
		while (sent < TOTAL) {
			long len = TOTAL - sent < (long)sizeof(out) ? TOTAL - sent : (long)sizeof(out);
			for (long i = 0; i < len; i++)
				out[i] = (unsigned char)((sent + i) % 251);
			if (write(p[1], out, len) != len)
				_exit(1);
			sent += len;
		}
		_exit(0);
	}
	close(p[1]);
	while (r == CHECK_OK && (n = read(p[0], buf, sizeof(buf))) > 0) {
		for (long i = 0; i < n; i++)
			if (buf[i] != (unsigned char)((got + i) % 251)) {
				r = fail("byte %ld is %u, want %ld", got + i, buf[i], (got + i) % 251);
				break;
			}
		got += n;
	}
	close(p[0]);
	if (want_exit("the writer", pid, 0))
		return CHECK_FAIL;
	if (r == CHECK_OK && got != TOTAL)
		r = fail("read %ld bytes, want %d", got, TOTAL);
	return r;
}

static int check_epipe(void)
{
	int p[2], r;

	if (open_pipe(p, 0))
		return CHECK_FAIL;
	close(p[0]);
	r = want_err("write with no reader (SIGPIPE ignored)", write(p[1], "x", 1), EPIPE);
	close(p[1]);
	return r;
}

static int check_sigpipe(void)
{
	int p[2];
	pid_t pid;

	if (open_pipe(p, 0))
		return CHECK_FAIL;
	close(p[0]);
	pid = fork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		write(p[1], "x", 1);
		_exit(0);
	}
	close(p[1]);
	return want_signal("a child writing to a pipe with no reader", pid, SIGPIPE);
}

static int check_nonblock(void)
{
	static char chunk[1024];
	int p[2], r;
	long total = 0, n;
	char c;

	if (open_pipe(p, O_NONBLOCK))
		return CHECK_FAIL;
	if ((fcntl(p[0], F_GETFL) & O_NONBLOCK) == 0 || (fcntl(p[1], F_GETFL) & O_NONBLOCK) == 0) {
		close_pipe(p);
		return fail("pipe2(O_NONBLOCK) ends do not show O_NONBLOCK");
	}
	r = want_err("read of an empty pipe", read(p[0], &c, 1), EAGAIN);
	/* Fill it: writes succeed until the buffer is full, then EAGAIN. */
	while (!r && (n = write(p[1], chunk, sizeof(chunk))) > 0 && total < (16 << 20))
		total += n;
	if (!r && total >= (16 << 20))
		r = fail("16 MiB went into the pipe without EAGAIN");
	if (!r && errno != EAGAIN)
		r = fail("the write that did not fit: %s, want EAGAIN", errname(errno));
	if (!r && total < 4096)
		r = fail("the pipe held only %ld bytes, want at least 4096", total);
	errno = 0;
	if (!r)
		r = want_err("a 1-byte write to the full pipe", write(p[1], "x", 1), EAGAIN);
	if (!r)
		remark("capacity %ld bytes", total);
	close_pipe(p);
	return r;
}

/* poll_one: poll FD for EVENTS with TIMEOUT ms; the revents (or -1, -2 for a count other than 0/1). */
static int poll_one(int fd, short events, int timeout)
{
	struct pollfd pfd = { fd, events, 0 };
	int n = poll(&pfd, 1, timeout);

	if (n < 0)
		return -1;
	if (n > 1 || (n == 1) != (pfd.revents != 0))
		return -2;
	return pfd.revents;
}

static int check_poll(void)
{
	int p[2], r = CHECK_OK, ev;
	long long t0;
	char c;

	if (open_pipe(p, 0))
		return CHECK_FAIL;
	if ((ev = poll_one(p[0], POLLIN, 0)) != 0)
		r = fail("an empty pipe polls as %#x, want 0", ev);
	else if ((ev = poll_one(p[1], POLLOUT, 0)) != POLLOUT)
		r = fail("the write end polls as %#x, want POLLOUT", ev);
	else if (write(p[1], "x", 1) != 1 || (ev = poll_one(p[0], POLLIN, 0)) != POLLIN)
		r = fail("with data the read end polls as %#x, want POLLIN", ev);
	else if (read(p[0], &c, 1) != 1)
		r = fail("read: %s", errname(errno));
	if (r == CHECK_OK) {
		t0 = now_ms();
		ev = poll_one(p[0], POLLIN, 60);
		if (ev != 0)
			r = fail("a 60 ms poll of an empty pipe returned %#x", ev);
		else if (now_ms() - t0 < 50)
			r = fail("a 60 ms poll returned after %lld ms", now_ms() - t0);
	}
	close(p[1]);
	/* No writer: POLLHUP (Linux also may not set POLLIN: there is no data). */
	if (r == CHECK_OK && !((ev = poll_one(p[0], POLLIN, 0)) & POLLHUP))
		r = fail("with the writer closed the read end polls as %#x, want POLLHUP", ev);
	close(p[0]);
	if (r == CHECK_OK && open_pipe(p, 0) == CHECK_OK) {
		close(p[0]);
		if (!((ev = poll_one(p[1], POLLOUT, 0)) & POLLERR))
			r = fail("with the reader closed the write end polls as %#x, want POLLERR", ev);
		close(p[1]);
	}
	return r;
}

/* poll blocks until a child writes; a closed fd is POLLNVAL; a negative fd is skipped. */
static int check_poll_wait(void)
{
	struct pollfd pfd[3];
	int p[2], r = CHECK_OK, n;
	pid_t pid;

	if (open_pipe(p, 0))
		return CHECK_FAIL;
	pid = writer_child(p[1], 50, "w");
	pfd[0] = (struct pollfd){ p[0], POLLIN, 0 };
	pfd[1] = (struct pollfd){ 4321, POLLIN, 0 };
	pfd[2] = (struct pollfd){ -1, POLLIN, 0 };
	n = poll(pfd, 1, 5000);
	if (n != 1 || pfd[0].revents != POLLIN)
		r = fail("poll waiting for the child returned %d, revents %#x", n, pfd[0].revents);
	pfd[0].revents = 0;
	n = poll(pfd, 3, 0);
	if (r == CHECK_OK && (n != 2 || pfd[1].revents != POLLNVAL || pfd[2].revents != 0))
		r = fail("poll of a ready, a closed and a -1 fd: %d, revents %#x %#x %#x", n,
			 pfd[0].revents, pfd[1].revents, pfd[2].revents);
	errno = 0;
	if (r == CHECK_OK)
		r = want_err("poll(0x1, 1)", syscall(SYS_poll, (void *)1, 1, 0), EFAULT);
	close_pipe(p);
	if (want_exit("the writer", pid, 0))
		return CHECK_FAIL;
	return r;
}

static int check_select(void)
{
	int p[2], r = CHECK_OK, n, closed;
	fd_set rd, wr;
	struct timeval tv = { 0, 0 };
	pid_t pid;

	if (open_pipe(p, 0))
		return CHECK_FAIL;
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	FD_ZERO(&wr);
	FD_SET(p[1], &wr);
	n = select(p[1] + 1, &rd, &wr, NULL, &tv);
	if (n != 1 || FD_ISSET(p[0], &rd) || !FD_ISSET(p[1], &wr))
		r = fail("select of an empty pipe's ends returned %d, want only the write end", n);
	pid = writer_child(p[1], 50, "s");
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	tv = (struct timeval){ 5, 0 };
	n = select(p[0] + 1, &rd, NULL, NULL, &tv);
	if (r == CHECK_OK && (n != 1 || !FD_ISSET(p[0], &rd)))
		r = fail("select waiting for the child returned %d", n);
	/*
	 * A closed fd below the lowest 64: Linux silently ignores fds beyond its
	 * fd table's current size, so a large number would pass or fail with
	 * how many files the test's parent happened to leave open.
	 */
	closed = dup(p[0]);
	close(closed);
	FD_ZERO(&rd);
	FD_SET(closed, &rd);
	errno = 0;
	tv = (struct timeval){ 0, 0 };
	if (r == CHECK_OK && (closed < 0 || closed >= 64))
		r = fail("dup gave fd %d, want one below 64", closed);
	if (r == CHECK_OK)
		r = want_err("select of a closed fd", select(closed + 1, &rd, NULL, NULL, &tv), EBADF);
	/* Raw: musl checks the timeout itself (and passes the kernel a copy). */
	errno = 0;
	tv = (struct timeval){ 0, -1 };
	if (r == CHECK_OK)
		r = want_err("select with tv_usec -1", syscall(SYS_select, 0, NULL, NULL, NULL, &tv), EINVAL);
	close_pipe(p);
	if (want_exit("the writer", pid, 0))
		return CHECK_FAIL;
	return r;
}

/* fifo_path: a FIFO's name for this run, /tmp/t-pipes.PID.fifo (made by mkfifo in the checks). */
static const char *fifo_path(void)
{
	static char path[64];

	snprintf(path, sizeof(path), "/tmp/t-pipes.%d.fifo", (int)getpid());
	return path;
}

/* A FIFO: each open waits for the other end; bytes go through; EOF when the writer closes. */
static int check_fifo(void)
{
	const char *path = fifo_path();
	struct stat st;
	char buf[16] = { 0 };
	int fd, r = CHECK_OK;
	pid_t pid;

	mode_t um = umask(0);

	umask(um);
	unlink(path);
	if (mkfifo(path, 0660) != 0)
		return fail("mkfifo: %s", errname(errno));
	if (stat(path, &st) != 0 || !S_ISFIFO(st.st_mode) || (st.st_mode & 0777) != (0660 & ~um))
		r = fail("stat of the FIFO: mode %#o (umask %#o)", (unsigned)st.st_mode, (unsigned)um);
	pid = r ? -1 : fork();
	if (pid == 0) {
		/* Blocks until the parent opens for reading (it sleeps first). */
		int w = open(path, O_WRONLY);
		_exit(w >= 0 && write(w, "fifo!", 5) == 5 ? 0 : 1);
	}
	if (!r) {
		ms_sleep(50);
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			r = fail("open for reading: %s", errname(errno));
		} else {
			if (read(fd, buf, sizeof(buf)) != 5 || memcmp(buf, "fifo!", 5) != 0)
				r = fail("read \"%s\", want \"fifo!\"", buf);
			if (!r && read(fd, buf, sizeof(buf)) != 0)
				r = fail("no EOF after the writer closed");
			errno = 0;
			if (!r)
				r = want_err("lseek on a FIFO", lseek(fd, 0, SEEK_SET), ESPIPE);
			close(fd);
		}
	}
	if (pid > 0 && want_exit("the writer (1: its open or write failed)", pid, 0))
		r = CHECK_FAIL;
	unlink(path);
	return r;
}

/* Non-blocking opens: a writer with no reader is ENXIO; a reader goes ahead and sees EOF. O_RDWR never waits. */
static int check_fifo_nonblock(void)
{
	const char *path = fifo_path();
	char c = 0;
	int rd, rw, n, r;

	unlink(path);
	if (mknod(path, S_IFIFO | 0600, 0) != 0)
		return fail("mknod S_IFIFO: %s", errname(errno));
	errno = 0;
	r = want_err("open(O_WRONLY | O_NONBLOCK) with no reader", open(path, O_WRONLY | O_NONBLOCK), ENXIO);
	rd = r ? -1 : open(path, O_RDONLY | O_NONBLOCK);
	if (!r && rd < 0)
		r = fail("open(O_RDONLY | O_NONBLOCK): %s", errname(errno));
	if (!r && (n = (int)read(rd, &c, 1)) != 0)
		r = fail("read with no writer returned %d (%s), want 0", n, n < 0 ? errname(errno) : "data");
	rw = r ? -1 : open(path, O_RDWR);
	if (!r && rw < 0)
		r = fail("open(O_RDWR): %s", errname(errno));
	if (!r && (write(rw, "x", 1) != 1 || read(rd, &c, 1) != 1 || c != 'x'))
		r = fail("a byte from the O_RDWR end did not reach the reader");
	if (rw >= 0)
		close(rw);
	if (rd >= 0)
		close(rd);
	/* Every end closed: what was left unread is gone. */
	rw = r ? -1 : open(path, O_RDWR);
	if (!r && (rw < 0 || write(rw, "y", 1) != 1))
		r = fail("reopen O_RDWR: %s", errname(errno));
	if (rw >= 0)
		close(rw);
	rw = r ? -1 : open(path, O_RDWR);
	if (!r && (rw < 0 || ioctl(rw, FIONREAD, &n) != 0 || n != 0))
		r = fail("after every end closed, %d bytes were still waiting", n);
	if (rw >= 0)
		close(rw);
	unlink(path);
	return r;
}

/* A reader waiting for a writer to open is interrupted by a signal: EINTR (no SA_RESTART). */
static void on_alarm(int sig)
{
	(void)sig;
}

static int check_fifo_open_eintr(void)
{
	const char *path = fifo_path();
	struct sigaction sa, old;
	int r, fd;

	unlink(path);
	if (mkfifo(path, 0600) != 0)
		return fail("mkfifo: %s", errname(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, &old);
	ualarm(100000, 0);
	errno = 0;
	fd = open(path, O_RDONLY);
	r = want_err("open(O_RDONLY) with no writer, cut by SIGALRM", fd, EINTR);
	if (fd >= 0)
		close(fd);
	ualarm(0, 0);
	sigaction(SIGALRM, &old, NULL);
	unlink(path);
	return r;
}

static const struct check checks[] = {
	{ "roundtrip", check_roundtrip },
	{ "partial-reads", check_partial_reads },
	{ "eof", check_eof },
	{ "blocking-read", check_blocking_read },
	{ "bulk", check_bulk },
	{ "epipe", check_epipe },
	{ "sigpipe", check_sigpipe },
	{ "nonblock", check_nonblock },
	{ "poll", check_poll },
	{ "poll-wait", check_poll_wait },
	{ "select", check_select },
	{ "fifo", check_fifo },
	{ "fifo-nonblock", check_fifo_nonblock },
	{ "fifo-open-eintr", check_fifo_open_eintr },
};

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	return run_checks("pipes", checks, NELEMS(checks), argc, argv);
}
