// SPDX-License-Identifier: MIT
// Pseudo-terminal conformance: posix_openpt/grantpt/unlockpt/ptsname, echo and canonical input, raw mode, ^C, the controlling terminal, hang-up, window size, poll, packet mode, non-blocking I/O, System V's termio, a 64 KiB transfer.
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>
#include "checks.h"

/*
 * As Linux (pty(7), Documentation/filesystems/devpts.rst, drivers/tty/pty.c,
 * n_tty.c): /dev/ptmx (5:2) opens a master whose slave /dev/pts/N (136:N)
 * is locked until unlockpt, owned by the opener, mode 0620 group tty as
 * Debian mounts devpts (0600 and the opener's group with the kernel's
 * defaults, as some containers have it); /dev/pts is devpts
 * (DEVPTS_SUPER_MAGIC). The slave is a terminal: canonical lines with
 * echo (output-processed, "\r\n") on the master, raw mode, ^C to the
 * foreground group, a session leader's controlling terminal by open or
 * TIOCSCTTY, /dev/tty, /proc/PID/stat's tty_nr and tpgid; the leader's
 * exit sends SIGHUP to the foreground group and frees it. Closing the
 * master hangs the slave up: SIGHUP to the session leader, reads return
 * 0 (the input is dropped), writes and ioctls EIO. Closing the slave
 * makes master reads EIO and its poll POLLHUP; /dev/pts/N goes with the
 * master. In packet mode (TIOCPKT) master reads start with a status
 * byte. A canonical line holds
 * 4095 bytes and its end; writers wait (or EAGAIN) when the other side
 * is full. gVisor's pty_test and CPython's test_pty check these.
 */
#define DEVPTS_SUPER_MAGIC_ 0x1cd1
#define PTY_SLAVE_MAJOR 136
#define BIG (64 * 1024)

static volatile sig_atomic_t got_sig;

static void on_signal(int sig)
{
	got_sig = sig;
}

/* A new master (O_RDWR|O_NOCTTY plus flags), unlocked, and its slave's name. */
static int open_master(int flags, char *name, size_t cap)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | flags);

	if (m < 0)
		return -1;
	if (grantpt(m) || unlockpt(m) || ptsname_r(m, name, cap)) {
		close(m);
		return -1;
	}
	return m;
}

/* A master and its slave (opened O_NOCTTY): 0, or fail(). */
static int open_pair(int *m, int *s)
{
	char name[64];

	if ((*m = open_master(0, name, sizeof(name))) < 0)
		return fail("open_master: %s", errname(errno));
	if ((*s = open(name, O_RDWR | O_NOCTTY)) < 0) {
		close(*m);
		return fail("open %s: %s", name, errname(errno));
	}
	return CHECK_OK;
}

static void close_pair(int m, int s)
{
	close(m);
	close(s);
}

static int set_raw(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t))
		return -1;
	cfmakeraw(&t);
	return tcsetattr(fd, TCSANOW, &t);
}

static int set_lflag(int fd, tcflag_t on, tcflag_t off)
{
	struct termios t;

	if (tcgetattr(fd, &t))
		return -1;
	t.c_lflag = (t.c_lflag | on) & ~off;
	return tcsetattr(fd, TCSANOW, &t);
}

/* Reads until n bytes came or ms passed (poll between reads): the count. */
static ssize_t read_for(int fd, char *buf, size_t n, int ms)
{
	size_t got = 0;
	long long end = now_ms() + ms;

	while (got < n) {
		struct pollfd p = { fd, POLLIN, 0 };
		long long left = end - now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) <= 0 || !(p.revents & POLLIN))
			break;
		ssize_t r = read(fd, buf + got, n - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* The poll events of fd now (0 ms). */
static short poll_now(int fd)
{
	struct pollfd p = { fd, POLLIN | POLLOUT, 0 };

	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

/* A child's report through a pipe: it writes one byte when ready. */
static int wait_ready(int fd)
{
	char c;

	return read_for(fd, &c, 1, 5000) == 1 ? 0 : -1;
}

/* ---- the checks ------------------------------------------------------------------- */

/* posix_openpt, grantpt, unlockpt, ptsname; the lock; the nodes. */
static int check_openpt(void)
{
	char name[64];
	struct stat st, ptmx;
	struct statfs fs;
	unsigned n;
	int lock = 0, m = posix_openpt(O_RDWR | O_NOCTTY), s;

	if (m < 0)
		return fail("posix_openpt: %s", errname(errno));
	if (ioctl(m, TIOCGPTN, &n) || ptsname_r(m, name, sizeof(name))) {
		close(m);
		return fail("TIOCGPTN/ptsname: %s", errname(errno));
	}
	char want[64];
	snprintf(want, sizeof(want), "/dev/pts/%u", n);
	int r = strcmp(name, want) ? fail("ptsname %s, want %s", name, want) : CHECK_OK;
	if (!r && (ioctl(m, TIOCGPTLCK, &lock) || lock != 1))
		r = fail("a new master's slave is not locked (TIOCGPTLCK %d)", lock);
	errno = 0;
	if (!r)
		r = want_err("open of a locked slave", open(name, O_RDWR | O_NOCTTY), EIO);
	if (!r && (grantpt(m) || unlockpt(m)))
		r = fail("grantpt/unlockpt: %s", errname(errno));
	if (!r && stat(name, &st))
		r = fail("stat %s: %s", name, errname(errno));
	if (!r && (!S_ISCHR(st.st_mode) || major(st.st_rdev) != PTY_SLAVE_MAJOR || minor(st.st_rdev) != n))
		r = fail("%s: mode %o rdev %u:%u, want a 136:%u node", name, st.st_mode,
			 major(st.st_rdev), minor(st.st_rdev), n);
	if (!r && st.st_uid != geteuid())
		r = fail("%s owned by %u, want %u", name, st.st_uid, geteuid());
	if (!r && !((st.st_mode & 0777) == 0620 && st.st_gid == 5) && !((st.st_mode & 0777) == 0600))
		r = fail("%s: mode %o group %u, want 0620 group tty (or 0600)", name, st.st_mode & 0777,
			 st.st_gid);
	if (!r && (stat("/dev/ptmx", &ptmx) || major(ptmx.st_rdev) != 5 || minor(ptmx.st_rdev) != 2))
		r = fail("/dev/ptmx is not 5:2");
	if (!r && (statfs("/dev/pts", &fs) || fs.f_type != DEVPTS_SUPER_MAGIC_))
		r = fail("statfs /dev/pts: f_type %#lx, want %#x", (long)fs.f_type, DEVPTS_SUPER_MAGIC_);
	if (!r && (s = open(name, O_RDWR | O_NOCTTY)) < 0)
		r = fail("open %s: %s", name, errname(errno));
	if (!r) {
		const char *tn = ttyname(s);
		if (!isatty(s) || !isatty(m))
			r = fail("isatty: slave %d master %d", isatty(s), isatty(m));
		else if (!tn || strcmp(tn, name))
			r = fail("ttyname(slave) %s, want %s", tn ? tn : "NULL", name);
		errno = 0;
		if (!r)
			r = want_err("TIOCGPTN on the slave", ioctl(s, TIOCGPTN, &n), ENOTTY);
		close(m);
		if (!r && stat(name, &st) == 0)
			r = fail("%s still there after the master closed", name);
		close(s);
	} else {
		close(m);
	}
	remark("%s mode %o group %u", name, st.st_mode & 0777, st.st_gid);
	return r;
}

/* TIOCGPTPEER: the slave without a path walk. */
static int check_peer(void)
{
	char name[64];
	struct stat a, b;
	int m = open_master(0, name, sizeof(name)), s, r = CHECK_OK;

	if (m < 0)
		return fail("open_master: %s", errname(errno));
	if ((s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		int e = errno;
		close(m);
		if (e == EINVAL || e == ENOTTY)
			return skip("TIOCGPTPEER: %s (Linux before 4.13)", errname(e));
		return fail("TIOCGPTPEER: %s", errname(e));
	}
	if (fstat(s, &a) || stat(name, &b) || a.st_rdev != b.st_rdev || a.st_ino != b.st_ino)
		r = fail("TIOCGPTPEER's file is not %s", name);
	else if (!(fcntl(s, F_GETFD) & FD_CLOEXEC))
		r = fail("TIOCGPTPEER ignored O_CLOEXEC");
	else if (write(s, "p", 1) != 1 || read_for(m, name, 1, 2000) != 1 || name[0] != 'p')
		r = fail("TIOCGPTPEER's slave does not reach the master");
	close_pair(m, s);
	return r;
}

/* Canonical input: a line at a time, echo with "\r\n", erase. */
static int check_canon(void)
{
	char buf[64];
	int m, s, r = CHECK_OK;

	if (open_pair(&m, &s))
		return CHECK_FAIL;
	fcntl(s, F_SETFL, O_NONBLOCK);
	if (write(m, "ab", 2) != 2)
		r = fail("master write: %s", errname(errno));
	errno = 0;
	if (!r)
		r = want_err("slave read before the line ends", read(s, buf, sizeof(buf)), EAGAIN);
	if (!r && write(m, "\x7f" "c\n", 3) != 3)
		r = fail("master write: %s", errname(errno));
	ssize_t n = r ? 0 : read(s, buf, sizeof(buf));
	if (!r && (n != 3 || memcmp(buf, "ac\n", 3)))
		r = fail("slave read %zd bytes '%.*s', want 'ac\\n'", n, (int)(n > 0 ? n : 0), buf);
	n = r ? 0 : read_for(m, buf, 8, 1000);
	if (!r && (n != 8 || memcmp(buf, "ab\b \bc\r\n", 8)))
		r = fail("echo %zd bytes, want 'ab\\b \\bc\\r\\n'", n);
	if (!r && (write(s, "hi\n", 3) != 3 || read_for(m, buf, 4, 1000) != 4 || memcmp(buf, "hi\r\n", 4)))
		r = fail("slave output is not ONLCR-processed on the master");
	close_pair(m, s);
	return r;
}

/* A canonical line holds 4095 bytes and its newline; the rest is dropped,
 * and the writer is never held up by it. */
static int check_long_line(void)
{
	static char buf[6000];
	int m, s, r = CHECK_OK;

	if (open_pair(&m, &s))
		return CHECK_FAIL;
	set_lflag(s, 0, ECHO);
	fcntl(m, F_SETFL, O_NONBLOCK);
	memset(buf, 'a', 5000);
	buf[5000] = '\n';
	ssize_t w = write(m, buf, 5001);
	if (w != 5001)
		r = fail("master write of a 5000-byte line: %zd (%s)", w, errname(errno));
	ssize_t n = r ? 0 : read_for(s, buf, sizeof(buf), 1000);
	if (!r && (n != 4096 || buf[4095] != '\n' || buf[4094] != 'a'))
		r = fail("slave read %zd bytes, want 4095 and a newline", n);
	close_pair(m, s);
	return r;
}

/* Raw mode: bytes at once, no echo, no output processing. */
static int check_raw(void)
{
	char buf[16];
	int m, s, r = CHECK_OK;

	if (open_pair(&m, &s))
		return CHECK_FAIL;
	if (set_raw(s))
		r = fail("cfmakeraw: %s", errname(errno));
	if (!r && (write(m, "x\r", 2) != 2 || read_for(s, buf, 2, 1000) != 2 || memcmp(buf, "x\r", 2)))
		r = fail("raw slave did not get 'x\\r' at once");
	fcntl(m, F_SETFL, O_NONBLOCK);
	errno = 0;
	if (!r)
		r = want_err("master read (no echo in raw mode)", read(m, buf, sizeof(buf)), EAGAIN);
	if (!r && (write(s, "a\nb", 3) != 3 || read_for(m, buf, 3, 1000) != 3 || memcmp(buf, "a\nb", 3)))
		r = fail("raw slave output was changed");
	close_pair(m, s);
	return r;
}

/* Two processes write lines of WLINE bytes, one write() each, to the
 * slave while the master is read slowly (the slave's writes fill the
 * pty and wait): every line arrives whole. Linux holds the tty's
 * atomic_write_lock across a write(); a kernel that lets another writer
 * in while one waits for room cuts lines. */
#define WLINE  200
#define WLINES 200
static int check_atomic_write(void)
{
	static char got[2 * WLINE * WLINES + 1];
	int m, s, r = CHECK_OK;
	pid_t kid[2];

	if (open_pair(&m, &s))
		return CHECK_FAIL;
	set_raw(s);
	for (int k = 0; k < 2; k++) {
		kid[k] = fork();
		if (kid[k] == 0) {
			char line[WLINE];
			memset(line, 'a' + k, sizeof(line) - 1);
			line[WLINE - 1] = '\n';
			for (int i = 0; i < WLINES; i++)
				if (write(s, line, WLINE) != WLINE)
					_exit(1);
			_exit(0);
		}
	}
	size_t have = 0;
	for (int idle = 0; have < sizeof(got) - 1 && idle < 200;) {
		ms_sleep(2); /* slowly: the writers find the pty full */
		ssize_t n = read_for(m, got + have, have + 512 < sizeof(got) - 1 ? 512 : sizeof(got) - 1 - have, 50);
		have += n > 0 ? (size_t)n : 0;
		idle = n > 0 ? 0 : idle + 1;
	}
	for (int k = 0; k < 2; k++)
		if (want_exit("a writer", kid[k], 0))
			r = CHECK_FAIL;
	for (size_t at = 0; !r && at < have; at += WLINE) {
		char c = got[at];
		for (size_t j = 0; j < WLINE - 1 && !r; j++)
			if (at + j >= have || got[at + j] != c || (c != 'a' && c != 'b'))
				r = fail("line at byte %zu cut: '%c' then '%c' at %zu", at, c,
					 at + j < have ? got[at + j] : '?', j);
		if (!r && at + WLINE - 1 < have && got[at + WLINE - 1] != '\n')
			r = fail("line at byte %zu does not end at %d bytes", at, WLINE);
	}
	if (!r && have != 2 * WLINE * WLINES)
		r = fail("read %zu bytes of %d", have, 2 * WLINE * WLINES);
	close_pair(m, s);
	if (!r)
		remark("%d lines of %d bytes from two writers, none cut", 2 * WLINES, WLINE);
	return r;
}

/* O_NONBLOCK, FIONREAD, and writers that stop when the other side is full. */
static int check_nonblock(void)
{
	static char buf[BIG];
	int m, s, r = CHECK_OK, avail = -1;

	if (open_pair(&m, &s))
		return CHECK_FAIL;
	set_raw(s);
	fcntl(m, F_SETFL, O_NONBLOCK);
	fcntl(s, F_SETFL, O_NONBLOCK);
	if (write(s, "hello", 5) != 5 || (ms_sleep(20), ioctl(m, FIONREAD, &avail)) || avail != 5)
		r = fail("FIONREAD on the master: %d, want 5", avail);
	if (!r && (write(m, "abc", 3) != 3 || (ms_sleep(20), ioctl(s, FIONREAD, &avail)) || avail != 3))
		r = fail("FIONREAD on the slave: %d, want 3", avail);
	read_for(m, buf, 5, 100);
	read_for(s, buf, 3, 100);
	size_t total = 0;
	ssize_t w;
	memset(buf, 'z', sizeof(buf));
	while (!r && total < sizeof(buf) && (w = write(m, buf, 1000)) > 0)
		total += (size_t)w;
	if (!r && (errno != EAGAIN || total < 4096 || total >= sizeof(buf)))
		r = fail("master writes into a full slave: %zu bytes then %s, want 4 KiB+ then EAGAIN",
			 total, errname(errno));
	if (!r && (poll_now(m) & POLLOUT))
		r = fail("a master with no room polls POLLOUT");
	if (!r && read_for(s, buf, total, 2000) != (ssize_t)total)
		r = fail("the slave did not read back what was written");
	if (!r && write(m, buf, 1) != 1)
		r = fail("no room for the master after the slave read");
	if (!r)
		remark("a full slave took %zu bytes", total);
	close_pair(m, s);
	return r;
}

/* TIOCPKT: master reads start with a status byte, TIOCPKT_DATA before
 * data, and the slave's flushes are reported alone (POLLPRI). */
static int check_packet(void)
{
	char buf[16];
	int m, s, on = 1, r = CHECK_OK;

	if (open_pair(&m, &s))
		return CHECK_FAIL;
	if (ioctl(m, TIOCPKT, &on))
		r = fail("TIOCPKT: %s", errname(errno));
	errno = 0;
	if (!r)
		r = want_err("TIOCPKT on the slave", ioctl(s, TIOCPKT, &on), ENOTTY);
	ssize_t n = r ? 0 : (write(s, "ok", 2), read_for(m, buf, 3, 1000));
	if (!r && (n != 3 || memcmp(buf, "\0ok", 3)))
		r = fail("packet read: %zd bytes, want TIOCPKT_DATA and 'ok'", n);
	struct pollfd p = { m, POLLPRI, 0 };
	if (!r && (tcflush(s, TCIFLUSH) || poll(&p, 1, 1000) != 1 || !(p.revents & POLLPRI)))
		r = fail("the slave's flush did not make the master POLLPRI");
	n = r ? 0 : read(m, buf, sizeof(buf));
	if (!r && (n != 1 || buf[0] != TIOCPKT_FLUSHREAD))
		r = fail("status read: %zd bytes (%#x), want TIOCPKT_FLUSHREAD alone", n, buf[0]);
	close_pair(m, s);
	return r;
}

/* poll, select's view and epoll on both ends, and a blocking poll woken. */
static int check_poll(void)
{
	char buf[16];
	int m, s, r = CHECK_OK;

	if (open_pair(&m, &s))
		return CHECK_FAIL;
	if (poll_now(m) != POLLOUT || poll_now(s) != POLLOUT)
		r = fail("idle pair polls master %#x slave %#x, want POLLOUT", poll_now(m), poll_now(s));
	if (!r && (write(m, "q\n", 2) != 2 || (ms_sleep(20), poll_now(s)) != (POLLIN | POLLOUT) ||
		   poll_now(m) != (POLLIN | POLLOUT)))
		r = fail("after a line: slave %#x master %#x, want POLLIN|POLLOUT", poll_now(s), poll_now(m));
	read_for(s, buf, 2, 100);
	read_for(m, buf, 3, 100);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = m }, out;
	if (!r && (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, m, &ev)))
		r = fail("epoll_ctl on the master: %s", errname(errno));
	pid_t pid = r ? -1 : fork();
	if (pid == 0) {
		ms_sleep(50);
		_exit(write(s, "w", 1) == 1 ? 0 : 1);
	}
	if (!r && epoll_wait(ep, &out, 1, 3000) != 1)
		r = fail("epoll_wait on the master was not woken by the slave's write");
	if (pid > 0 && want_exit("writer", pid, 0) && !r)
		r = CHECK_FAIL;
	if (ep >= 0)
		close(ep);
	close_pair(m, s);
	return r;
}

/* ^C on the master kills the slave's foreground group. */
static int check_sigint(void)
{
	int m, s, ready[2];

	if (open_pair(&m, &s))
		return CHECK_FAIL;
	if (pipe(ready)) {
		close_pair(m, s);
		return fail("pipe: %s", errname(errno));
	}
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		if (setsid() < 0 || ioctl(s, TIOCSCTTY, 0))
			_exit(2);
		write(ready[1], "r", 1);
		for (;;)
			pause();
	}
	int r = pid < 0 || wait_ready(ready[0]) ? fail("child not ready") : CHECK_OK;
	if (!r && write(m, "\x03", 1) != 1)
		r = fail("write ^C: %s", errname(errno));
	if (!r)
		r = want_signal("the foreground child", pid, SIGINT);
	else if (pid > 0)
		want_signal("the child", (kill(pid, SIGKILL), pid), SIGKILL);
	char buf[8];
	if (!r && (read_for(m, buf, 2, 1000) != 2 || memcmp(buf, "^C", 2)))
		r = fail("^C was not echoed as '^C'");
	close(ready[0]);
	close(ready[1]);
	close_pair(m, s);
	return r;
}

/* The child of check_ctty: a session leader opening the slave gets it as
 * its controlling terminal (exit code: which step failed). */
static int ctty_child(const char *name, unsigned n)
{
	char stat[512], buf[8];
	int s, t, tty_nr = -1, tpgid = -1;

	if (setsid() < 0 || (s = open(name, O_RDWR)) < 0)
		return 10;
	if (tcgetpgrp(s) != getpid() || tcgetsid(s) != getpid())
		return 11;
	if ((t = open("/dev/tty", O_RDWR)) < 0)
		return 12;
	if (write(t, "T", 1) != 1)
		return 13;
	int fd = open("/proc/self/stat", O_RDONLY);
	ssize_t k = fd < 0 ? -1 : read(fd, stat, sizeof(stat) - 1);
	if (k <= 0)
		return 14;
	stat[k] = 0;
	const char *p = strrchr(stat, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %d %d", &tty_nr, &tpgid) != 2)
		return 15;
	if ((unsigned)tty_nr != (PTY_SLAVE_MAJOR << 8 | n) || tpgid != getpid())
		return 16;
	pid_t g = fork(); /* a job in its own group, made the foreground one */
	if (g == 0) {
		setpgid(0, 0);
		pause();
		_exit(0);
	}
	setpgid(g, g);
	signal(SIGTTOU, SIG_IGN);
	int r = tcsetpgrp(s, g) || tcgetpgrp(s) != g ? 17 : 0;
	kill(g, SIGKILL);
	waitpid(g, NULL, 0);
	(void)buf;
	return r;
}

/* setsid + open makes the controlling terminal; /dev/tty, TIOCSCTTY's
 * rules, /proc/PID/stat's tty_nr and tpgid, TIOCSPGRP. */
static int check_ctty(void)
{
	char name[64], buf[8];
	unsigned n = 0;
	int m = open_master(0, name, sizeof(name)), r;

	if (m < 0)
		return fail("open_master: %s", errname(errno));
	ioctl(m, TIOCGPTN, &n);
	pid_t pid = fork();
	if (pid == 0)
		_exit(ctty_child(name, n));
	r = want_exit("session leader opening the slave", pid, 0);
	if (!r && (read_for(m, buf, 1, 1000) != 1 || buf[0] != 'T'))
		r = fail("a write to /dev/tty did not reach the master");
	pid = r ? -1 : fork();
	if (pid == 0) { /* O_NOCTTY: no controlling terminal; TIOCSCTTY then gives it */
		int s = setsid() < 0 ? -1 : open(name, O_RDWR | O_NOCTTY);
		if (s < 0 || open("/dev/tty", O_RDWR) >= 0 || errno != ENXIO)
			_exit(20);
		if (ioctl(s, TIOCSCTTY, 0) || open("/dev/tty", O_RDWR) < 0)
			_exit(21);
		pid_t c = fork(); /* not a session leader: EPERM */
		if (c == 0)
			_exit(ioctl(s, TIOCSCTTY, 0) == -1 && errno == EPERM ? 0 : 1);
		int st;
		waitpid(c, &st, 0);
		_exit(WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 22);
	}
	if (!r)
		r = want_exit("O_NOCTTY then TIOCSCTTY", pid, 0);
	close(m);
	return r;
}

/* Closing the master: SIGHUP to the session leader, the slave hung up;
 * closing the slave: the master's reads EIO, POLLHUP. */
static int check_hangup(void)
{
	char buf[8];
	int m, s, ready[2], r;

	if (open_pair(&m, &s))
		return CHECK_FAIL;
	if (pipe(ready)) {
		close_pair(m, s);
		return fail("pipe: %s", errname(errno));
	}
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t block, old;
		sigemptyset(&block);
		sigaddset(&block, SIGHUP);
		sigprocmask(SIG_BLOCK, &block, &old);
		signal(SIGHUP, on_signal);
		if (setsid() < 0 || ioctl(s, TIOCSCTTY, 0))
			_exit(2);
		close(m);
		write(ready[1], "r", 1);
		alarm(5);
		while (got_sig != SIGHUP)
			sigsuspend(&old);
		if (read(s, buf, sizeof(buf)) != 0)
			_exit(3); /* Linux: a hung-up terminal reads as an end of file */
		if (write(s, "x", 1) != -1 || errno != EIO)
			_exit(4);
		struct termios t;
		if (tcgetattr(s, &t) != -1 || errno != EIO)
			_exit(5);
		if ((poll_now(s) & (POLLHUP | POLLIN)) != (POLLHUP | POLLIN))
			_exit(6);
		_exit(0);
	}
	r = pid < 0 || wait_ready(ready[0]) ? fail("child not ready") : CHECK_OK;
	if (!r)
		write(m, "pending\n", 8);
	close(m);
	if (!r)
		r = want_exit("the session leader after the master closed", pid, 0);
	else if (pid > 0)
		want_signal("the child", (kill(pid, SIGKILL), pid), SIGKILL);
	close(s);
	close(ready[0]);
	close(ready[1]);
	if (r || open_pair(&m, &s))
		return CHECK_FAIL;
	if (write(s, "z", 1) != 1)
		r = fail("slave write: %s", errname(errno));
	close(s);
	if (!r && (read_for(m, buf, 1, 1000) != 1 || buf[0] != 'z'))
		r = fail("the master lost what the slave wrote before closing");
	errno = 0;
	if (!r)
		r = want_err("master read after the slave closed", read(m, buf, 1), EIO);
	if (!r && !(poll_now(m) & POLLHUP))
		r = fail("master poll after the slave closed: %#x, want POLLHUP", poll_now(m));
	close(m);
	return r;
}

/* The leader of a session whose controlling terminal is a pty exits: the
 * foreground group gets SIGHUP and the terminal is free for another session. */
static int check_leader_exit(void)
{
	int m, s, report[2], r;
	char c = 0;

	if (open_pair(&m, &s))
		return CHECK_FAIL;
	if (pipe(report)) {
		close_pair(m, s);
		return fail("pipe: %s", errname(errno));
	}
	pid_t leader = fork();
	if (leader == 0) {
		if (setsid() < 0 || ioctl(s, TIOCSCTTY, 0))
			_exit(2);
		pid_t job = fork(); /* in the leader's group: the foreground one */
		if (job == 0) {
			sigset_t block, old;
			sigemptyset(&block);
			sigaddset(&block, SIGHUP);
			sigprocmask(SIG_BLOCK, &block, &old);
			signal(SIGHUP, on_signal);
			write(report[1], "r", 1);
			alarm(5);
			while (got_sig != SIGHUP)
				sigsuspend(&old);
			write(report[1], "H", 1);
			_exit(0);
		}
		char ready;
		_exit(read(report[0], &ready, 1) == 1 ? 0 : 3);
	}
	r = want_exit("the session leader", leader, 0);
	if (!r && (read_for(report[0], &c, 1, 5000) != 1 || c != 'H'))
		r = fail("the foreground job got no SIGHUP when its session leader exited");
	pid_t next = r ? -1 : fork();
	if (next == 0) /* the terminal is free: a new session takes it without stealing */
		_exit(setsid() >= 0 && ioctl(s, TIOCSCTTY, 0) == 0 ? 0 : 1);
	if (!r)
		r = want_exit("a new session's TIOCSCTTY", next, 0);
	close(report[0]);
	close(report[1]);
	close_pair(m, s);
	return r;
}

/* TIOCSWINSZ on the master: the slave sees it, its foreground group gets SIGWINCH. */
static int check_winsize(void)
{
	struct winsize ws = { 24, 80, 0, 0 }, got;
	int m, s, ready[2], r = CHECK_OK;

	if (open_pair(&m, &s))
		return CHECK_FAIL;
	if (ioctl(m, TIOCSWINSZ, &ws) || ioctl(s, TIOCGWINSZ, &got) || got.ws_row != 24 ||
	    got.ws_col != 80)
		r = fail("TIOCSWINSZ on the master not seen on the slave");
	if (r || pipe(ready)) {
		close_pair(m, s);
		return r ? r : fail("pipe");
	}
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t block, old;
		sigemptyset(&block);
		sigaddset(&block, SIGWINCH);
		sigprocmask(SIG_BLOCK, &block, &old);
		signal(SIGWINCH, on_signal);
		if (setsid() < 0 || ioctl(s, TIOCSCTTY, 0))
			_exit(2);
		write(ready[1], "r", 1);
		alarm(5);
		while (got_sig != SIGWINCH)
			sigsuspend(&old);
		_exit(ioctl(s, TIOCGWINSZ, &got) == 0 && got.ws_row == 50 && got.ws_col == 132 ? 0 : 3);
	}
	r = pid < 0 || wait_ready(ready[0]) ? fail("child not ready") : CHECK_OK;
	ws.ws_row = 50;
	ws.ws_col = 132;
	if (!r && ioctl(m, TIOCSWINSZ, &ws))
		r = fail("TIOCSWINSZ: %s", errname(errno));
	if (!r)
		r = want_exit("the foreground child (SIGWINCH)", pid, 0);
	else if (pid > 0)
		want_signal("the child", (kill(pid, SIGKILL), pid), SIGKILL);
	close(ready[0]);
	close(ready[1]);
	close_pair(m, s);
	return r;
}

/* Linux's struct termio of TCGETA/TCSETA (musl declares none). */
#define TERMIO_NCC 8
struct termio_abi {
	uint16_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[TERMIO_NCC];
};

/* Does TCGETA's struct termio say what tcgetattr does (low 16 bits of each
 * flag word, the first 8 control characters)? */
static int termio_matches(const struct termio_abi *o, const struct termios *t)
{
	return o->c_iflag == (uint16_t)t->c_iflag && o->c_oflag == (uint16_t)t->c_oflag &&
	       o->c_cflag == (uint16_t)t->c_cflag && o->c_lflag == (uint16_t)t->c_lflag &&
	       memcmp(o->c_cc, t->c_cc, TERMIO_NCC) == 0;
}

/* System V's TCGETA and TCSETA (struct termio) on both ends: the settings
 * cut to 16-bit flags and 8 control characters; a TCSETA keeps the
 * characters it cannot name; a bad address EFAULT, a file ENOTTY (LTP's
 * ioctl01). */
static int check_termio(void)
{
	struct termio_abi o;
	struct termios t;
	int m, s, r = CHECK_OK;

	if (open_pair(&m, &s))
		return CHECK_FAIL;
	t.c_cc[VEOL2] = 0;
	if (tcgetattr(s, &t) || (t.c_cc[VEOL2] = 'x', tcsetattr(s, TCSANOW, &t)))
		r = fail("tcgetattr/tcsetattr: %s", errname(errno));
	if (!r && (ioctl(m, TCGETA, &o) || !termio_matches(&o, &t)))
		r = fail("TCGETA on the master does not match tcgetattr (%s)", errname(errno));
	o.c_lflag &= (uint16_t)~ECHO;
	o.c_cc[VINTR] = 'c';
	if (!r && (ioctl(s, TCSETA, &o) || tcgetattr(s, &t)))
		r = fail("TCSETA: %s", errname(errno));
	if (!r && ((t.c_lflag & ECHO) || t.c_cc[VINTR] != 'c' || t.c_cc[VEOL2] != 'x'))
		r = fail("after TCSETA: ECHO %u, VINTR %d, VEOL2 %d, want 0, 'c', 'x' kept",
			 t.c_lflag & ECHO, t.c_cc[VINTR], t.c_cc[VEOL2]);
	errno = 0;
	if (!r)
		r = want_err("TCGETA to a bad address", ioctl(s, TCGETA, (void *)8), EFAULT);
	int fd = open("/proc/self/status", O_RDONLY);
	if (!r)
		r = want_err("TCGETA on a file", ioctl(fd, TCGETA, &o), ENOTTY);
	close(fd);
	close_pair(m, s);
	return r;
}

/* 64 KiB each way in raw mode, a writer child against a reader, nothing lost. */
static int transfer(int from, int to, const char *what)
{
	static char out[BIG], in[BIG];

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7 + i / 251);
	pid_t pid = fork();
	if (pid == 0) {
		size_t done = 0;
		while (done < sizeof(out)) {
			ssize_t w = write(from, out + done, sizeof(out) - done);
			if (w <= 0)
				_exit(1);
			done += (size_t)w;
		}
		_exit(0);
	}
	ssize_t got = read_for(to, in, sizeof(in), 10000);
	int r = want_exit(what, pid, 0);
	if (!r && (got != (ssize_t)sizeof(in) || memcmp(in, out, sizeof(in))))
		r = fail("%s: %zd bytes came, want %d unchanged", what, got, BIG);
	return r;
}

static int check_transfer(void)
{
	int m, s, r;

	if (open_pair(&m, &s))
		return CHECK_FAIL;
	if (set_raw(s))
		r = fail("cfmakeraw: %s", errname(errno));
	else
		r = transfer(m, s, "master to slave");
	if (!r)
		r = transfer(s, m, "slave to master");
	close_pair(m, s);
	return r;
}

static const struct check checks[] = {
	{ "openpt", check_openpt },
	{ "peer", check_peer },
	{ "canon", check_canon },
	{ "long-line", check_long_line },
	{ "raw", check_raw },
	{ "nonblock", check_nonblock },
	{ "poll", check_poll },
	{ "packet", check_packet },
	{ "sigint", check_sigint },
	{ "ctty", check_ctty },
	{ "hangup", check_hangup },
	{ "leader-exit", check_leader_exit },
	{ "winsize", check_winsize },
	{ "termio", check_termio },
	{ "transfer", check_transfer },
	{ "atomic-write", check_atomic_write },
};

int main(int argc, char **argv)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);

	if (m < 0 && (errno == ENOENT || errno == ENXIO || errno == ENODEV)) {
		t_begin("conform_pty");
		t_say("SKIP no /dev/ptmx here: %s", errname(errno));
		return 0;
	}
	if (m >= 0)
		close(m);
	return run_checks("conform_pty", checks, NELEMS(checks), argc, argv);
}
