// SPDX-License-Identifier: MIT
// POSIX message queues conformance: mq_open ... mq_getsetattr as Linux 6.1's (mq_overview(7)): names and errors, attributes, priorities, blocking, timeouts, signals, readiness, fork, notification, permissions, limits, the mqueue file system.
#define _GNU_SOURCE
#include <mqueue.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "checks.h"

/*
 * Each check runs in its own child (c_isolate) and names its queues
 * after its pid, removing them before it returns. Most calls are raw
 * system calls, whose name has no leading '/' (libc strips it); the
 * SIGEV_THREAD check goes through libc's mq_notify, which makes the
 * netlink socket and the thread.
 */
#define NOBODY 65534
#define MQ_DIR "/proc/sys/fs/mqueue/"
#define SI_MESGQ_V (-3)
#define CAP_SYS_RESOURCE_V 24

/* Whether the effective set holds cap (/proc/self/status's CapEff). */
static int has_cap(int cap)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	unsigned long long eff = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	if (f)
		fclose(f);
	return (eff >> cap) & 1;
}

static char qname[64];

/* The check's queue name (without '/'), suffixed with n. */
static const char *qn(int n)
{
	snprintf(qname, sizeof(qname), "conform_mq_%d_%d", (int)getpid(), n);
	return qname;
}

static long mqopen(const char *name, int oflag, unsigned mode, const struct mq_attr *a)
{
	return syscall(SYS_mq_open, name, oflag, mode, a);
}

static long mqsend(long fd, const void *m, size_t len, unsigned prio, const struct timespec *t)
{
	return syscall(SYS_mq_timedsend, fd, m, len, prio, t);
}

static long mqrecv(long fd, void *m, size_t len, unsigned *prio, const struct timespec *t)
{
	return syscall(SYS_mq_timedreceive, fd, m, len, prio, t);
}

static long mqattr(long fd, const struct mq_attr *nw, struct mq_attr *old)
{
	return syscall(SYS_mq_getsetattr, fd, nw, old);
}

/* A queue of maxmsg messages of msgsize bytes: its descriptor or -1. */
static long small_queue(const char *name, int oflag, long maxmsg, long msgsize)
{
	struct mq_attr a = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };

	return mqopen(name, O_CREAT | O_EXCL | oflag, 0600, &a);
}

/* A queue with no name (made and unlinked at once): its descriptor or -1. */
static long anon_queue(int oflag, long maxmsg, long msgsize)
{
	long fd = small_queue(qn(0), oflag, maxmsg, msgsize);

	syscall(SYS_mq_unlink, qn(0));
	return fd;
}

/* CLOCK_REALTIME ms from now. */
static struct timespec abs_ms(long ms)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_nsec += (ms % 1000) * 1000000;
	t.tv_sec += ms / 1000 + t.tv_nsec / 1000000000;
	t.tv_nsec %= 1000000000;
	return t;
}

/* mq_open's names and errors, in Linux's order. */
static int check_open_errors(void)
{
	char longname[300];
	struct mq_attr bad = { .mq_maxmsg = 0, .mq_msgsize = 16 };
	long fd;
	int r;

	memset(longname, 'a', 256);
	longname[256] = '\0';
	errno = 0;
	if ((r = want_err("no O_CREAT", mqopen(qn(1), O_RDWR, 0600, NULL), ENOENT)) ||
	    (r = want_err("empty name", mqopen("", O_CREAT | O_RDWR, 0600, NULL), ENOENT)) ||
	    (r = want_err("a '/' inside", mqopen("a/b", O_CREAT | O_RDWR, 0600, NULL), EACCES)) ||
	    (r = want_err("\"..\"", mqopen("..", O_CREAT | O_RDWR, 0600, NULL), EACCES)) ||
	    (r = want_err("256 bytes", mqopen(longname, O_CREAT | O_RDWR, 0600, NULL), ENAMETOOLONG)) ||
	    (r = want_err("maxmsg 0", mqopen(qn(1), O_CREAT | O_RDWR, 0600, &bad), EINVAL)) ||
	    (r = want_err("bad attr pointer", mqopen(qn(1), O_CREAT | O_RDWR, 0600, (void *)8), EFAULT)))
		return r;
	longname[255] = '\0';
	if ((r = want_ok("255 bytes", fd = mqopen(longname, O_CREAT | O_RDWR, 0600, NULL))))
		return r;
	close(fd);
	syscall(SYS_mq_unlink, longname);
	if ((r = want_ok("create", fd = mqopen(qn(1), O_CREAT | O_EXCL | O_RDWR, 0600, NULL))))
		return r;
	r = want_err("O_EXCL again", mqopen(qn(1), O_CREAT | O_EXCL | O_RDWR, 0600, NULL), EEXIST);
	if (!r)
		r = want_err("O_ACCMODE 3", mqopen(qn(1), 3, 0, NULL), EINVAL);
	if (!r) /* an existing queue's attributes are not looked at */
		r = want_ok("O_CREAT, bad attr, existing", fd = mqopen(qn(1), O_CREAT | O_RDWR, 0600, &bad));
	if (!r) {
		struct rlimit old, zero = { 0, 0 };
		getrlimit(RLIMIT_NOFILE, &old);
		zero.rlim_max = old.rlim_max;
		setrlimit(RLIMIT_NOFILE, &zero);
		r = want_err("no descriptor free, missing name", mqopen(qn(9), O_RDWR, 0, NULL), EMFILE);
		setrlimit(RLIMIT_NOFILE, &old);
	}
	syscall(SYS_mq_unlink, qn(1));
	return r ? r : want_err("unlink again", syscall(SYS_mq_unlink, qn(1)), ENOENT);
}

/* The defaults (10 messages of 8192 bytes), mq_getsetattr's O_NONBLOCK. */
static int check_attr(void)
{
	struct mq_attr a, nb = { .mq_flags = O_NONBLOCK }, bad = { .mq_flags = O_RDWR };
	long fd = mqopen(qn(1), O_CREAT | O_EXCL | O_RDWR, 0600, NULL);
	int r;

	if ((r = want_ok("create", fd)))
		return r;
	syscall(SYS_mq_unlink, qn(1));
	errno = 0;
	if ((r = want_eq("getattr", mqattr(fd, NULL, &a), 0)))
		return r;
	if (a.mq_maxmsg != 10 || a.mq_msgsize != 8192 || a.mq_curmsgs != 0 || a.mq_flags != 0)
		return fail("attr %ld/%ld/%ld/%#lx, want 10/8192/0/0", a.mq_maxmsg, a.mq_msgsize,
			    a.mq_curmsgs, a.mq_flags);
	if ((r = want_eq("send", mqsend(fd, "x", 1, 0, NULL), 0)) ||
	    (r = want_err("flags other than O_NONBLOCK", mqattr(fd, &bad, NULL), EINVAL)) ||
	    (r = want_eq("set O_NONBLOCK", mqattr(fd, &nb, &a), 0)))
		return r;
	if (a.mq_curmsgs != 1 || a.mq_flags != 0)
		return fail("old attr curmsgs %ld flags %#lx, want 1, 0", a.mq_curmsgs, a.mq_flags);
	if (!(fcntl(fd, F_GETFL) & O_NONBLOCK))
		return fail("F_GETFL lacks O_NONBLOCK after mq_setattr");
	mqattr(fd, NULL, &a);
	if (a.mq_flags != O_NONBLOCK)
		return fail("attr flags %#lx, want O_NONBLOCK", a.mq_flags);
	return want_err("getsetattr on a pipe's fd", mqattr(0, NULL, &a), EBADF);
}

/* Highest priority first, arrival order within one. */
static int check_priority(void)
{
	static const unsigned prios[] = { 1, 5, 3, 5, 0, 32767 };
	static const char *texts[] = { "p1", "p5a", "p3", "p5b", "p0", "top" };
	static const char *order[] = { "top", "p5a", "p5b", "p3", "p1", "p0" };
	char buf[64];
	unsigned prio;
	long fd = anon_queue(O_RDWR, 8, 64), n;
	int r;

	if ((r = want_ok("create", fd)))
		return r;
	for (size_t i = 0; i < NELEMS(prios); i++)
		if ((r = want_eq("send", mqsend(fd, texts[i], strlen(texts[i]), prios[i], NULL), 0)))
			return r;
	for (size_t i = 0; i < NELEMS(order); i++) {
		memset(buf, 0, sizeof(buf));
		if ((r = want_eq("receive", n = mqrecv(fd, buf, sizeof(buf), &prio, NULL), (long)strlen(order[i]))))
			return r;
		if (strcmp(buf, order[i]))
			return fail("message %zu is \"%s\" (prio %u), want \"%s\"", i, buf, prio, order[i]);
	}
	return CHECK_OK;
}

/* The sizes, the priority bound, the descriptor's kind and access mode. */
static int check_send_errors(void)
{
	char buf[64];
	long fd = small_queue(qn(1), O_RDWR, 2, 16), ro, wo;
	int r;

	if ((r = want_ok("create", fd)))
		return r;
	ro = mqopen(qn(1), O_RDONLY, 0, NULL);
	wo = mqopen(qn(1), O_WRONLY, 0, NULL);
	syscall(SYS_mq_unlink, qn(1));
	errno = 0;
	if ((r = want_err("17 bytes", mqsend(fd, buf, 17, 0, NULL), EMSGSIZE)) ||
	    (r = want_err("prio 32768", mqsend(fd, buf, 1, 32768, NULL), EINVAL)) ||
	    (r = want_err("fd -1", mqsend(-1, buf, 1, 0, NULL), EBADF)) ||
	    (r = want_err("stdin", mqsend(0, buf, 1, 0, NULL), EBADF)) ||
	    (r = want_err("O_RDONLY send", mqsend(ro, buf, 1, 0, NULL), EBADF)) ||
	    (r = want_err("O_WRONLY receive", mqrecv(wo, buf, 16, NULL, NULL), EBADF)) ||
	    (r = want_err("15-byte buffer", mqrecv(fd, buf, 15, NULL, NULL), EMSGSIZE)) ||
	    (r = want_err("bad message", mqsend(fd, (void *)8, 4, 0, NULL), EFAULT)))
		return r;
	struct timespec bad = { 0, 1000000000 };
	return want_err("tv_nsec 10^9, room", mqsend(fd, buf, 1, 0, &bad), EINVAL);
}

/* O_NONBLOCK: EAGAIN both ways; a timeout: ETIMEDOUT after it passed. */
static int check_nonblock_timeout(void)
{
	char buf[16];
	long fd = small_queue(qn(1), O_RDWR | O_NONBLOCK, 1, 16), b;
	int r;

	if ((r = want_ok("create", fd)))
		return r;
	b = mqopen(qn(1), O_RDWR, 0, NULL);
	syscall(SYS_mq_unlink, qn(1));
	errno = 0;
	if ((r = want_err("receive, empty", mqrecv(fd, buf, 16, NULL, NULL), EAGAIN)) ||
	    (r = want_eq("send", mqsend(fd, "a", 1, 0, NULL), 0)) ||
	    (r = want_err("send, full", mqsend(fd, "b", 1, 0, NULL), EAGAIN)))
		return r;
	struct timespec t = abs_ms(100);
	long long t0 = now_ms();
	if ((r = want_err("timed send, full", mqsend(b, "b", 1, 0, &t), ETIMEDOUT)))
		return r;
	if (now_ms() - t0 < 80)
		return fail("ETIMEDOUT after %lld ms, want 100", now_ms() - t0);
	struct timespec past = { 1, 0 };
	if ((r = want_err("timed send, past", mqsend(b, "b", 1, 0, &past), ETIMEDOUT)) ||
	    (r = want_eq("receive", mqrecv(b, buf, 16, NULL, &past), 1)))
		return r;
	return want_err("timed receive, past, empty", mqrecv(b, buf, 16, NULL, &past), ETIMEDOUT);
}

/* A blocked receiver gets the message sent later; a blocked sender gets
 * in when a message is taken. */
static int check_blocking(void)
{
	char buf[16];
	unsigned prio = 0;
	long fd = anon_queue(O_RDWR, 1, 16);
	int r;

	if ((r = want_ok("create", fd)))
		return r;
	pid_t pid = fork();
	if (pid == 0) {
		ms_sleep(100);
		_exit(mqsend(fd, "late", 4, 7, NULL) == 0 && mqsend(fd, "2nd", 3, 1, NULL) == 0 &&
		      mqsend(fd, "3rd", 3, 1, NULL) == 0 ? 0 : 1);
	}
	errno = 0;
	if ((r = want_eq("blocked receive", mqrecv(fd, buf, 16, &prio, NULL), 4)))
		return r;
	if (memcmp(buf, "late", 4) || prio != 7)
		return fail("got \"%.4s\" prio %u, want \"late\" 7", buf, prio);
	ms_sleep(100); /* the child is blocked sending "3rd" behind "2nd" */
	if ((r = want_eq("receive 2nd", mqrecv(fd, buf, 16, NULL, NULL), 3)) ||
	    (r = want_eq("receive 3rd", mqrecv(fd, buf, 16, NULL, NULL), 3)))
		return r;
	if (memcmp(buf, "3rd", 3))
		return fail("got \"%.3s\", want \"3rd\"", buf);
	return want_exit("sender", pid, 0);
}

static volatile sig_atomic_t got_sig;
static void on_sig(int sig)
{
	got_sig = sig;
}

/* A signal with a handler (no SA_RESTART) ends the wait: EINTR; SIGKILL ends it too. */
static int check_signals(void)
{
	struct sigaction sa = { .sa_handler = on_sig };
	char buf[16];
	long fd = anon_queue(O_RDWR, 1, 16);
	int r;

	if ((r = want_ok("create", fd)))
		return r;
	sigaction(SIGUSR1, &sa, NULL);
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		ms_sleep(100);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	errno = 0;
	if ((r = want_err("receive, a signal", mqrecv(fd, buf, 16, NULL, NULL), EINTR)) ||
	    (r = want_exit("signaller", pid, 0)))
		return r;
	if ((pid = fork()) == 0) {
		mqrecv(fd, buf, 16, NULL, NULL);
		_exit(3);
	}
	ms_sleep(100);
	kill(pid, SIGKILL);
	return want_signal("blocked receiver", pid, SIGKILL);
}

/* poll, select and epoll: POLLOUT with room, POLLIN with a message. */
static int check_readiness(void)
{
	long fd = anon_queue(O_RDWR, 1, 16);
	struct pollfd p;
	struct epoll_event ev = { .events = EPOLLIN }, out;
	fd_set rd;
	struct timeval tv = { 0, 0 };
	int r, ep = epoll_create1(0);

	if ((r = want_ok("create", fd)))
		return r;
	p = (struct pollfd){ .fd = (int)fd, .events = POLLIN | POLLOUT };
	if (poll(&p, 1, 0) != 1 || p.revents != POLLOUT)
		return fail("empty: revents %#x, want POLLOUT", p.revents);
	if (epoll_ctl(ep, EPOLL_CTL_ADD, (int)fd, &ev))
		return fail("epoll_ctl: %s", errname(errno));
	if (epoll_wait(ep, &out, 1, 0) != 0)
		return fail("epoll: readable while empty");
	pid_t pid = fork();
	if (pid == 0) {
		ms_sleep(50);
		_exit(mqsend(fd, "x", 1, 0, NULL) ? 1 : 0);
	}
	if (epoll_wait(ep, &out, 1, 5000) != 1 || !(out.events & EPOLLIN))
		return fail("epoll: no EPOLLIN after a send");
	if ((r = want_exit("sender", pid, 0)))
		return r;
	p.revents = 0;
	if (poll(&p, 1, 0) != 1 || p.revents != POLLIN)
		return fail("full: revents %#x, want POLLIN", p.revents);
	FD_ZERO(&rd);
	FD_SET((int)fd, &rd);
	if (select((int)fd + 1, &rd, NULL, NULL, &tv) != 1)
		return fail("select: not readable");
	return CHECK_OK;
}

/* Close-on-exec always (as Linux's mq_open), inherited by fork. */
static int check_fork_cloexec(void)
{
	char buf[16];
	long fd = anon_queue(O_RDWR, 2, 16);
	int r;

	if ((r = want_ok("create", fd)))
		return r;
	if (!(fcntl(fd, F_GETFD) & FD_CLOEXEC))
		return fail("FD_CLOEXEC not set");
	if ((fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDWR)
		return fail("F_GETFL %#x, want O_RDWR", fcntl(fd, F_GETFL));
	pid_t pid = fork();
	if (pid == 0)
		_exit(mqsend(fd, "kid", 3, 2, NULL) ? 1 : 0);
	if ((r = want_exit("child", pid, 0)))
		return r;
	errno = 0;
	return want_eq("the child's message", mqrecv(fd, buf, 16, NULL, NULL), 3);
}

/* SIGEV_SIGNAL: once, on an empty queue's first message, SI_MESGQ with
 * the sender's pid and the value; another process's registration EBUSY. */
static int check_notify_signal(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2 };
	siginfo_t si;
	sigset_t set;
	struct timespec zero = { 0, 0 }, sec = { 2, 0 };
	char buf[16];
	long fd = anon_queue(O_RDWR, 4, 16);
	int r;

	if ((r = want_ok("create", fd)))
		return r;
	ev.sigev_value.sival_int = 0x1234;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	errno = 0;
	if ((r = want_eq("register", syscall(SYS_mq_notify, fd, &ev), 0)))
		return r;
	pid_t pid = fork();
	if (pid == 0)
		_exit(syscall(SYS_mq_notify, fd, &ev) == -1 && errno == EBUSY ? 0 : 1);
	if ((r = want_exit("another process registering (EBUSY)", pid, 0)))
		return r;
	if ((pid = fork()) == 0)
		_exit(mqsend(fd, "a", 1, 0, NULL) ? 1 : 0);
	if (sigtimedwait(&set, &si, &sec) != SIGUSR2)
		return fail("no SIGUSR2 after the first message: %s", errname(errno));
	if (si.si_code != SI_MESGQ_V || si.si_pid != pid || si.si_value.sival_int != 0x1234)
		return fail("siginfo code %d pid %d value %#x, want %d %d 0x1234", si.si_code,
			    (int)si.si_pid, si.si_value.sival_int, SI_MESGQ_V, (int)pid);
	if ((r = want_exit("sender", pid, 0)))
		return r;
	mqrecv(fd, buf, 16, NULL, NULL);
	mqsend(fd, "b", 1, 0, NULL);
	if (sigtimedwait(&set, &si, &zero) != -1)
		return fail("a second signal: the registration is one-shot");
	if ((r = want_eq("register again", syscall(SYS_mq_notify, fd, &ev), 0)))
		return r;
	mqsend(fd, "c", 1, 0, NULL);
	if (sigtimedwait(&set, &si, &zero) != -1)
		return fail("a signal for a queue that was not empty");
	if ((r = want_eq("unregister", syscall(SYS_mq_notify, fd, NULL), 0)))
		return r;
	ev.sigev_notify = 7;
	if ((r = want_err("sigev_notify 7", syscall(SYS_mq_notify, fd, &ev), EINVAL)))
		return r;
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = 65;
	if ((r = want_err("signal 65", syscall(SYS_mq_notify, fd, &ev), EINVAL)))
		return r;
	ev.sigev_signo = SIGUSR2;
	return want_err("a pipe's fd", syscall(SYS_mq_notify, 0, &ev), EBADF);
}

static volatile int thread_value;
static void on_notify(union sigval v)
{
	thread_value = v.sival_int;
}

/* SIGEV_THREAD through libc (a netlink socket the kernel writes the cookie to). */
static int check_notify_thread(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD, .sigev_notify_function = on_notify };
	char name[80];
	mqd_t q;
	int r;

	snprintf(name, sizeof(name), "/%s", qn(1));
	ev.sigev_value.sival_int = 77;
	if ((q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, NULL)) == (mqd_t)-1)
		return fail("mq_open: %s", errname(errno));
	mq_unlink(name);
	errno = 0;
	if ((r = want_eq("mq_notify(SIGEV_THREAD)", mq_notify(q, &ev), 0)) ||
	    (r = want_eq("mq_send", mq_send(q, "x", 1, 0), 0)))
		return r;
	for (int i = 0; i < 200 && thread_value != 77; i++)
		ms_sleep(10);
	if (thread_value != 77)
		return fail("the notification thread did not run (value %d)", thread_value);
	return CHECK_OK;
}

/* An unlinked queue lives on while open; the name is free at once. */
static int check_unlink(void)
{
	char buf[16];
	long fd = small_queue(qn(1), O_RDWR, 2, 16), fd2;
	int r;

	if ((r = want_ok("create", fd)) || (r = want_eq("send", mqsend(fd, "old", 3, 0, NULL), 0)) ||
	    (r = want_eq("unlink", syscall(SYS_mq_unlink, qn(1)), 0)))
		return r;
	errno = 0;
	if ((r = want_err("open after unlink", mqopen(qn(1), O_RDWR, 0, NULL), ENOENT)) ||
	    (r = want_ok("a new one, same name", fd2 = small_queue(qn(1), O_RDWR, 2, 16))))
		return r;
	syscall(SYS_mq_unlink, qn(1));
	struct mq_attr a;
	mqattr(fd2, NULL, &a);
	if (a.mq_curmsgs != 0)
		return fail("the new queue holds %ld messages, want 0", a.mq_curmsgs);
	return want_eq("the old one still has its message", mqrecv(fd, buf, 16, NULL, NULL), 3);
}

/* Another user: root's 0600 queue EACCES to open, EPERM to unlink (the
 * sticky root's rule; libc turns it into EACCES); its own queue is its own. */
static int check_perms(void)
{
	long fd = small_queue(qn(1), O_RDWR, 2, 16);
	char name[64];
	int r;

	if ((r = want_ok("create", fd)))
		return r;
	snprintf(name, sizeof(name), "%s", qname);
	pid_t pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) || setresuid(NOBODY, NOBODY, NOBODY))
			_exit(10);
		if (mqopen(name, O_RDONLY, 0, NULL) != -1 || errno != EACCES)
			_exit(11);
		if (syscall(SYS_mq_unlink, name) != -1 || errno != EPERM)
			_exit(12); /* the sticky root's EPERM (libc's mq_unlink says EACCES) */
		long own = small_queue(qn(2), O_RDWR, 2, 16);
		if (own < 0 || mqsend(own, "m", 1, 0, NULL))
			_exit(13);
		_exit(syscall(SYS_mq_unlink, qn(2)) ? 14 : 0);
	}
	r = want_exit("the child as user 65534", pid, 0);
	syscall(SYS_mq_unlink, name);
	return r;
}

/* /proc/sys/fs/mqueue: the defaults, their bounds; queues_max's ENOSPC
 * and msg_max's EINVAL for a user without CAP_SYS_RESOURCE (root's
 * passes both when it has the capability: a container's root may not). */
static int check_limits(void)
{
	static const struct { const char *name; long def; } files[] = {
		{ "queues_max", 256 }, { "msg_max", 10 }, { "msgsize_max", 8192 },
		{ "msg_default", 10 }, { "msgsize_default", 8192 },
	};
	char path[80];
	long v, fd;
	int r, resource = has_cap(CAP_SYS_RESOURCE_V);

	for (size_t i = 0; i < NELEMS(files); i++) {
		snprintf(path, sizeof(path), MQ_DIR "%s", files[i].name);
		if (read_long(path, &v))
			return fail("%s unreadable", path);
		if (v != files[i].def)
			return fail("%s is %ld, want %ld", path, v, files[i].def);
	}
	if (write_file(MQ_DIR "msg_max", "0\n", 0644) == 0)
		return fail("msg_max took 0 (its least is 1)");
	if (write_file(MQ_DIR "msgsize_max", "127\n", 0644) == 0)
		return fail("msgsize_max took 127 (its least is 128)");
	if ((r = want_ok("create", fd = small_queue(qn(1), O_RDWR, 2, 16))))
		return r;
	if (write_file(MQ_DIR "queues_max", "0\n", 0644)) {
		syscall(SYS_mq_unlink, qn(1));
		return fail("queues_max not writable: %s", errname(errno));
	}
	pid_t pid = fork();
	if (pid == 0) {
		if (setresuid(NOBODY, NOBODY, NOBODY))
			_exit(10);
		_exit(small_queue(qn(2), O_RDWR, 2, 16) == -1 && errno == ENOSPC ? 0 : 11);
	}
	r = want_exit("a user over queues_max (ENOSPC)", pid, 0);
	if (!r && resource)
		r = want_ok("CAP_SYS_RESOURCE over queues_max", fd = small_queue(qn(3), O_RDWR, 2, 16));
	write_file(MQ_DIR "queues_max", "256\n", 0644);
	syscall(SYS_mq_unlink, qn(1));
	syscall(SYS_mq_unlink, qn(3));
	if (r)
		return r;
	/* maxmsg over msg_max is EINVAL for a user, not for root */
	if ((pid = fork()) == 0) {
		if (setresuid(NOBODY, NOBODY, NOBODY))
			_exit(10);
		_exit(small_queue(qn(4), O_RDWR, 11, 16) == -1 && errno == EINVAL ? 0 : 11);
	}
	if ((r = want_exit("a user over msg_max (EINVAL)", pid, 0)) ||
	    (resource && (r = want_ok("CAP_SYS_RESOURCE over msg_max", small_queue(qn(5), O_RDWR, 11, 16)))))
		return r;
	syscall(SYS_mq_unlink, qn(5));
	return CHECK_OK;
}

/* RLIMIT_MSGQUEUE: a queue's bytes (messages, their headers and the
 * priority nodes: 8 * (64 + 48 + 48) = 1280 for 8 of 64) against the
 * user's limit: EMFILE past it; the bytes come back when it goes. */
static int check_rlimit(void)
{
	struct rlimit rl = { 1280 * 2, 1280 * 2 };
	long a, b;
	int r;

	if (setrlimit(RLIMIT_MSGQUEUE, &rl))
		return fail("setrlimit: %s", errname(errno));
	errno = 0;
	if ((r = want_ok("first", a = small_queue(qn(1), O_RDWR, 8, 64))) ||
	    (r = want_ok("second", b = small_queue(qn(2), O_RDWR, 8, 64))))
		return r;
	r = want_err("third", small_queue(qn(3), O_RDWR, 8, 64), EMFILE);
	syscall(SYS_mq_unlink, qn(2));
	close(b);
	if (!r)
		r = want_ok("third, after one went", b = small_queue(qn(3), O_RDWR, 8, 64));
	syscall(SYS_mq_unlink, qn(1));
	syscall(SYS_mq_unlink, qn(3));
	return r;
}

/* mount -t mqueue: the queues as files; reading one gives its QSIZE line. */
static int check_mount(void)
{
	char dir[64], path[160], line[200];
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	long fd = small_queue(qn(1), O_RDWR, 4, 16);
	int r;

	if ((r = want_ok("create", fd)))
		return r;
	snprintf(dir, sizeof(dir), "/tmp/conform_mq_%d", (int)getpid());
	mkdir(dir, 0755);
	if (mount("none", dir, "mqueue", 0, NULL)) {
		int e = errno;
		rmdir(dir);
		syscall(SYS_mq_unlink, qn(1));
		return skip("mount -t mqueue: %s", errname(e));
	}
	mqsend(fd, "hello", 5, 0, NULL);
	syscall(SYS_mq_notify, fd, &ev);
	snprintf(path, sizeof(path), "%s/%s", dir, qn(1));
	int f = open(path, O_RDONLY);
	ssize_t n = f < 0 ? -1 : read(f, line, sizeof(line) - 1);
	char want[120];
	snprintf(want, sizeof(want), "QSIZE:%-10d NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n", 5, 0,
		 SIGUSR1, (int)getpid());
	r = n < 0 ? fail("read %s: %s", path, errname(errno)) : CHECK_OK;
	line[n > 0 && n < (ssize_t)sizeof(line) ? n : 0] = '\0';
	if (!r && strcmp(line, want))
		r = fail("read \"%s\", want \"%s\"", line, want);
	if (f >= 0)
		close(f);
	if (!r && unlink(path))
		r = fail("unlink through the mount: %s", errname(errno));
	if (!r)
		r = want_err("mq_open after that unlink", mqopen(qn(1), O_RDWR, 0, NULL), ENOENT);
	if (umount(dir) && !r)
		r = fail("umount: %s", errname(errno));
	rmdir(dir);
	syscall(SYS_mq_unlink, qn(1));
	return r;
}

static const struct check checks[] = {
	{ "open_errors", check_open_errors },
	{ "attr", check_attr },
	{ "priority", check_priority },
	{ "send_errors", check_send_errors },
	{ "nonblock_timeout", check_nonblock_timeout },
	{ "blocking", check_blocking },
	{ "signals", check_signals },
	{ "readiness", check_readiness },
	{ "fork_cloexec", check_fork_cloexec },
	{ "notify_signal", check_notify_signal },
	{ "notify_thread", check_notify_thread },
	{ "unlink", check_unlink },
	{ "perms", check_perms },
	{ "limits", check_limits },
	{ "rlimit", check_rlimit },
	{ "mount", check_mount },
};

int main(int argc, char **argv)
{
	c_isolate = 1;
	return run_checks("conform_mqueue", checks, NELEMS(checks), argc, argv);
}
