// SPDX-License-Identifier: MIT
// AF_UNIX conformance: socketpair, bind/listen/connect/accept, message boundaries, SCM_RIGHTS, shutdown, options, blocking.
#define _GNU_SOURCE
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>
#include "checks.h"

/*
 * As Linux (unix(7), socket(2)): stream, datagram and seqpacket sockets,
 * named by a path (a socket inode) or an abstract name; a reader of a
 * closed or shut-down stream sees EOF, a writer EPIPE and SIGPIPE
 * (not with MSG_NOSIGNAL); datagrams keep their boundaries (MSG_TRUNC);
 * SCM_RIGHTS passes open files; blocking calls are interruptible.
 * gVisor's socket tests and fcntl_test's fixture need the same. A kernel
 * without sockets fails every check with ENOSYS.
 */
#define WATCHDOG_S 10

static volatile sig_atomic_t got_sig;
static void on_sig(int sig) { got_sig = sig; }

static int handle(int sig, int flags)
{
	struct sigaction sa = { .sa_handler = on_sig, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static int pair(int type, int sv[2])
{
	return socketpair(AF_UNIX, type, 0, sv);
}

/* A stream pair: bytes both ways, S_IFSOCK, no seeking, EOF after the peer closes. */
static int check_stream_pair(void)
{
	int sv[2], r;
	char buf[16] = { 0 };
	struct stat st;

	if (want_ok("socketpair(SOCK_STREAM)", pair(SOCK_STREAM, sv)))
		return CHECK_FAIL;
	r = want_eq("write a->b", write(sv[0], "hello", 5), 5) ||
	    want_eq("read b", read(sv[1], buf, sizeof(buf)), 5) ||
	    want_eq("write b->a", write(sv[1], "xy", 2), 2) ||
	    want_eq("read a", read(sv[0], buf, sizeof(buf)), 2) ? CHECK_FAIL : 0;
	if (!r && (fstat(sv[0], &st) || !S_ISSOCK(st.st_mode)))
		r = fail("fstat: mode %#o, want S_IFSOCK", (unsigned)st.st_mode);
	if (!r) {
		errno = 0;
		r = want_err("lseek", lseek(sv[0], 0, SEEK_SET), ESPIPE);
	}
	if (!r) {
		errno = 0;
		r = want_err("pread", pread(sv[0], buf, 1, 0), ESPIPE);
	}
	if (!r) {
		errno = 0;
		r = want_err("pwrite", pwrite(sv[0], buf, 1, 0), ESPIPE);
	}
	close(sv[0]);
	if (!r)
		r = want_eq("read after the peer closed", read(sv[1], buf, sizeof(buf)), 0);
	close(sv[1]);
	return r;
}

/* A write to a closed peer: EPIPE and SIGPIPE; MSG_NOSIGNAL: EPIPE only. */
static int check_epipe(void)
{
	int sv[2], r;

	if (want_ok("socketpair", pair(SOCK_STREAM, sv)))
		return CHECK_FAIL;
	close(sv[1]);
	handle(SIGPIPE, 0);
	got_sig = 0;
	errno = 0;
	r = want_err("send with MSG_NOSIGNAL", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	if (!r && got_sig)
		r = fail("MSG_NOSIGNAL still sent signal %d", (int)got_sig);
	errno = 0;
	if (!r)
		r = want_err("write", write(sv[0], "x", 1), EPIPE);
	if (!r && got_sig != SIGPIPE)
		r = fail("no SIGPIPE after a write to a closed peer");
	signal(SIGPIPE, SIG_DFL);
	close(sv[0]);
	return r;
}

/* O_NONBLOCK: EAGAIN on empty; a bounded buffer fills, then EAGAIN and no POLLOUT. */
static int check_nonblock(void)
{
	static char chunk[4096];
	int sv[2], r = 0;
	long total = 0, n;
	char c;

	if (want_ok("socketpair(SOCK_NONBLOCK)", pair(SOCK_STREAM | SOCK_NONBLOCK, sv)))
		return CHECK_FAIL;
	errno = 0;
	r = want_err("read of an empty socket", read(sv[1], &c, 1), EAGAIN);
	while (!r && (n = write(sv[0], chunk, sizeof(chunk))) > 0 && total < (64l << 20))
		total += n;
	if (!r && (n != -1 || errno != EAGAIN))
		r = fail("filling: %ld bytes, then %ld/%s, want EAGAIN", total, n, errname(errno));
	struct pollfd p = { sv[0], POLLOUT, 0 };
	if (!r && (poll(&p, 1, 0) != 0 || p.revents))
		r = fail("poll of a full socket: revents %#x, want 0", p.revents);
	p = (struct pollfd){ sv[1], POLLIN, 0 };
	if (!r && (poll(&p, 1, 0) != 1 || !(p.revents & POLLIN)))
		r = fail("poll of the reader: revents %#x, want POLLIN", p.revents);
	close(sv[0]);
	close(sv[1]);
	return r;
}

/* shutdown(SHUT_WR): the peer reads EOF and polls POLLRDHUP; the writer gets EPIPE. */
static int check_shutdown(void)
{
	int sv[2], r;
	char c;

	if (want_ok("socketpair", pair(SOCK_STREAM, sv)))
		return CHECK_FAIL;
	struct pollfd p = { sv[1], POLLIN | POLLOUT | POLLRDHUP, 0 };
	r = poll(&p, 1, 0) != 1 || p.revents != POLLOUT ? fail("poll of a fresh pair: %#x, want POLLOUT", p.revents) : 0;
	if (!r)
		r = want_ok("shutdown(SHUT_WR)", shutdown(sv[0], SHUT_WR));
	if (!r && (poll(&p, 1, 0) != 1 || (p.revents & (POLLIN | POLLRDHUP)) != (POLLIN | POLLRDHUP)))
		r = fail("poll after the peer's SHUT_WR: %#x, want POLLIN|POLLRDHUP", p.revents);
	if (!r)
		r = want_eq("read after SHUT_WR", read(sv[1], &c, 1), 0);
	errno = 0;
	if (!r)
		r = want_err("send after SHUT_WR", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	if (!r)
		r = want_eq("the other way still works", write(sv[1], "y", 1), 1) ||
		    want_eq("read it", read(sv[0], &c, 1), 1) ? CHECK_FAIL : 0;
	errno = 0;
	if (!r)
		r = want_err("shutdown(7)", shutdown(sv[0], 7), EINVAL);
	close(sv[0]);
	p.events = POLLIN;
	if (!r && (poll(&p, 1, 0) != 1 || !(p.revents & POLLHUP)))
		r = fail("poll after the peer closed: %#x, want POLLHUP", p.revents);
	close(sv[1]);
	return r;
}

/* Datagrams and records keep their boundaries; MSG_PEEK, MSG_TRUNC. */
static int boundaries(int type)
{
	int sv[2], r;
	char buf[64];

	if (want_ok("socketpair", pair(type, sv)))
		return CHECK_FAIL;
	r = want_eq("send 5", send(sv[0], "abcde", 5, 0), 5) || want_eq("send 3", send(sv[0], "fgh", 3, 0), 3) ||
	    want_eq("send 10", send(sv[0], "0123456789", 10, 0), 10) ||
	    want_eq("peek", recv(sv[1], buf, sizeof(buf), MSG_PEEK), 5) ||
	    want_eq("recv 1st", recv(sv[1], buf, sizeof(buf), 0), 5) ||
	    want_eq("recv 2nd with MSG_TRUNC", recv(sv[1], buf, 1, MSG_TRUNC), 3) ? CHECK_FAIL : 0;
	if (!r) {
		struct iovec v = { buf, 4 };
		struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
		r = want_eq("recvmsg of 4 of 10", recvmsg(sv[1], &m, 0), 4) ? CHECK_FAIL
		    : !(m.msg_flags & MSG_TRUNC) ? fail("no MSG_TRUNC in msg_flags (%#x)", m.msg_flags)
		    : memcmp(buf, "0123", 4) ? fail("read %.4s, want 0123", buf) : 0;
	}
	errno = 0;
	if (!r)
		r = want_err("recv of nothing, MSG_DONTWAIT", recv(sv[1], buf, 1, MSG_DONTWAIT), EAGAIN);
	close(sv[0]);
	close(sv[1]);
	return r;
}

static int check_dgram(void) { return boundaries(SOCK_DGRAM); }
static int check_seqpacket(void) { return boundaries(SOCK_SEQPACKET); }

static socklen_t path_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "%s", path);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

/* The errors of a connect to a name, on a fresh socket of type. */
static int connect_err(const char *what, int type, const struct sockaddr_un *a, socklen_t len, int err)
{
	int fd = socket(AF_UNIX, type, 0), r;

	errno = 0;
	r = want_err(what, connect(fd, (const struct sockaddr *)a, len), err);
	close(fd);
	return r;
}

/* bind to a name, listen, connect, accept: names, EADDRINUSE, ECONNREFUSED, a connect of the wrong type. */
static int named_as(int l, struct sockaddr_un *a, socklen_t len, int wrong_type)
{
	struct sockaddr_un got;
	socklen_t glen = sizeof(got);
	struct stat st;
	char c;
	int r = 0, c1 = -1, s1 = -1, other = socket(AF_UNIX, SOCK_STREAM, 0);

	errno = 0;
	if (want_ok("bind", bind(l, (struct sockaddr *)a, len)) ||
	    want_err("bind of a name in use", bind(other, (struct sockaddr *)a, len), EADDRINUSE) ||
	    (a->sun_path[0] && (stat(a->sun_path, &st) || !S_ISSOCK(st.st_mode))))
		r = r ? r : fail("the bound path is not a socket");
	if (!r)
		r = connect_err("connect before listen", SOCK_STREAM, a, len, ECONNREFUSED) ||
		    want_ok("listen", listen(l, 4)) ||
		    connect_err("connect of a datagram socket", SOCK_DGRAM, a, len, wrong_type) ? CHECK_FAIL : 0;
	if (!r && (want_ok("socket", c1 = socket(AF_UNIX, SOCK_STREAM, 0)) ||
		   want_ok("connect", connect(c1, (struct sockaddr *)a, len)) ||
		   want_eq("write before accept", write(c1, "q", 1), 1) ||
		   want_ok("accept4", s1 = accept4(l, NULL, NULL, SOCK_CLOEXEC))))
		r = CHECK_FAIL;
	if (!r && !(fcntl(s1, F_GETFD) & FD_CLOEXEC))
		r = fail("accept4(SOCK_CLOEXEC) left FD_CLOEXEC clear");
	if (!r)
		r = want_eq("read on the accepted socket", read(s1, &c, 1), 1);
	if (!r && (getpeername(c1, (struct sockaddr *)&got, &glen) || glen != len || memcmp(&got, a, len)))
		r = fail("getpeername of the client: length %u, want %u", (unsigned)glen, (unsigned)len);
	glen = sizeof(got);
	if (!r && (getsockname(s1, (struct sockaddr *)&got, &glen) || glen != len || memcmp(&got, a, len)))
		r = fail("getsockname of the accepted socket: length %u, want %u", (unsigned)glen, (unsigned)len);
	close(c1);
	close(s1);
	close(other);
	return r;
}

static int named(int l, struct sockaddr_un *a, socklen_t len)
{
	/* a path's socket has a type (EPROTOTYPE); abstract names are per type, as Linux hashes them */
	return named_as(l, a, len, a->sun_path[0] ? EPROTOTYPE : ECONNREFUSED);
}

static int check_path(void)
{
	struct sockaddr_un a, b;
	char path[64];
	int l = socket(AF_UNIX, SOCK_STREAM, 0), r;

	snprintf(path, sizeof(path), "/tmp/t-unix-%d", (int)getpid());
	unlink(path);
	r = named(l, &a, path_addr(&a, path));
	close(l);
	if (!r)
		r = connect_err("connect after the listener closed", SOCK_STREAM, &a, path_addr(&a, path), ECONNREFUSED);
	unlink(path);
	if (!r)
		r = connect_err("connect to a missing path", SOCK_STREAM, &b, path_addr(&b, path), ENOENT);
	if (!r && write_file(path, "x", 0644) == 0)
		r = connect_err("connect to a regular file", SOCK_STREAM, &b, path_addr(&b, path), ECONNREFUSED);
	unlink(path);
	return r;
}

/* Abstract names (a leading NUL) and autobind (bind with only the family). */
static int check_abstract(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX }, got;
	socklen_t glen = sizeof(got);
	int l = socket(AF_UNIX, SOCK_STREAM, 0), d = socket(AF_UNIX, SOCK_DGRAM, 0), r;
	int n = snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "kestrel-t-unix-%d", (int)getpid());

	r = named(l, &a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n));
	if (!r)
		r = want_ok("autobind", bind(d, (struct sockaddr *)&(struct sockaddr_un){ .sun_family = AF_UNIX },
					     sizeof(sa_family_t)));
	if (!r && (getsockname(d, (struct sockaddr *)&got, &glen) || glen != 8 || got.sun_path[0] != 0))
		r = fail("autobind's name: length %u, want 8 (NUL and 5 hex digits)", (unsigned)glen);
	close(l);
	close(d);
	return r;
}

/* A datagram to a bound name (sendto), recvfrom gives the sender's name. */
static int check_dgram_named(void)
{
	struct sockaddr_un a, b, got;
	char pa[64], pb[64], buf[8];
	socklen_t glen = sizeof(got);
	int s = socket(AF_UNIX, SOCK_DGRAM, 0), c = socket(AF_UNIX, SOCK_DGRAM, 0), r;

	snprintf(pa, sizeof(pa), "/tmp/t-unix-a-%d", (int)getpid());
	snprintf(pb, sizeof(pb), "/tmp/t-unix-b-%d", (int)getpid());
	unlink(pa);
	unlink(pb);
	socklen_t la = path_addr(&a, pa), lb = path_addr(&b, pb);
	r = want_ok("bind a", bind(s, (struct sockaddr *)&a, la)) || want_ok("bind b", bind(c, (struct sockaddr *)&b, lb)) ||
	    want_eq("sendto", sendto(c, "dg", 2, 0, (struct sockaddr *)&a, la), 2) ||
	    want_eq("recvfrom", recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&got, &glen), 2) ? CHECK_FAIL : 0;
	if (!r && (glen != lb || strcmp(got.sun_path, pb)))
		r = fail("recvfrom's address: %u bytes, \"%s\"", (unsigned)glen, got.sun_path);
	errno = 0;
	if (!r)
		r = want_err("send without a peer", send(s, "x", 1, 0), ENOTCONN);
	close(s);
	close(c);
	unlink(pa);
	unlink(pb);
	return r;
}

/* Send an fd with SCM_RIGHTS (n of them): 0 or -1. */
static int send_fds(int sock, const int *fds, int n)
{
	char ctl[CMSG_SPACE(sizeof(int) * 4)] = { 0 };
	struct iovec v = { "F", 1 };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n);
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

/* SCM_RIGHTS: a pipe's end arrives as a working descriptor; a short
 * control buffer gives MSG_CTRUNC; files never received are closed. */
static int check_rights(void)
{
	int sv[2], p[2], got = -1, r;
	char ctl[CMSG_SPACE(sizeof(int))], c, buf[4];

	if (want_ok("socketpair", pair(SOCK_STREAM, sv)) || want_ok("pipe", pipe(p)))
		return CHECK_FAIL;
	r = want_ok("sendmsg(SCM_RIGHTS)", send_fds(sv[0], &p[1], 1));
	if (!r) {
		struct iovec v = { &c, 1 };
		struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
		struct cmsghdr *h;
		r = want_eq("recvmsg", recvmsg(sv[1], &m, MSG_CMSG_CLOEXEC), 1);
		if (!r && (!(h = CMSG_FIRSTHDR(&m)) || h->cmsg_type != SCM_RIGHTS || h->cmsg_len != CMSG_LEN(sizeof(int))))
			r = fail("no SCM_RIGHTS message (controllen %zu)", (size_t)m.msg_controllen);
		if (!r)
			memcpy(&got, CMSG_DATA(h), sizeof(int));
		if (!r && !(fcntl(got, F_GETFD) & FD_CLOEXEC))
			r = fail("MSG_CMSG_CLOEXEC left FD_CLOEXEC clear");
	}
	if (!r)
		r = want_eq("write through the received fd", write(got, "z", 1), 1) ||
		    want_eq("read it from the pipe", read(p[0], buf, 1), 1) ? CHECK_FAIL : 0;
	close(got);
	if (!r) { /* too small a control buffer: the file is closed, MSG_CTRUNC */
		struct iovec v = { &c, 1 };
		struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = 4 };
		r = want_ok("send again", send_fds(sv[0], &p[1], 1)) || want_eq("recvmsg", recvmsg(sv[1], &m, 0), 1)
		    ? CHECK_FAIL : !(m.msg_flags & MSG_CTRUNC) ? fail("no MSG_CTRUNC (flags %#x)", m.msg_flags) : 0;
	}
	if (!r) /* never received: closing the sockets closes the pipe's last writer */
		r = want_ok("send a third time", send_fds(sv[0], &p[1], 1));
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
	if (!r)
		r = want_eq("pipe EOF once the unreceived writer went", read(p[0], buf, 1), 0);
	close(p[0]);
	return r;
}

static int int_opt(int fd, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	return getsockopt(fd, SOL_SOCKET, name, &v, &len) ? -2 : v;
}

/* SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ACCEPTCONN, SO_ERROR, SO_SNDBUF, SO_PEERCRED. */
static int check_options(void)
{
	int sv[2], r = 0, v = 8192;
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (want_ok("socketpair", pair(SOCK_SEQPACKET, sv)))
		return CHECK_FAIL;
	if (int_opt(sv[0], SO_TYPE) != SOCK_SEQPACKET || int_opt(sv[0], SO_DOMAIN) != AF_UNIX ||
	    int_opt(sv[0], SO_PROTOCOL) != 0 || int_opt(sv[0], SO_ACCEPTCONN) != 0 || int_opt(sv[0], SO_ERROR) != 0)
		r = fail("SO_TYPE %d, SO_DOMAIN %d, SO_PROTOCOL %d, SO_ACCEPTCONN %d, SO_ERROR %d",
			 int_opt(sv[0], SO_TYPE), int_opt(sv[0], SO_DOMAIN), int_opt(sv[0], SO_PROTOCOL),
			 int_opt(sv[0], SO_ACCEPTCONN), int_opt(sv[0], SO_ERROR));
	if (!r && (setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) || int_opt(sv[0], SO_SNDBUF) != 2 * v))
		r = fail("SO_SNDBUF set to %d reads %d, want %d", v, int_opt(sv[0], SO_SNDBUF), 2 * v);
	if (!r && (getsockopt(sv[1], SOL_SOCKET, SO_PEERCRED, &cred, &len) || len != sizeof(cred) ||
		   cred.pid != getpid() || cred.uid != getuid()))
		r = fail("SO_PEERCRED: pid %d uid %u, want %d %u", (int)cred.pid, (unsigned)cred.uid, (int)getpid(),
			 (unsigned)getuid());
	close(sv[0]);
	close(sv[1]);
	return r;
}

/* socket(2)'s errors, and calls on the wrong kind of socket or file. */
static int check_errors(void)
{
	int p[2], fd = socket(AF_UNIX, SOCK_STREAM, 0), r;
	struct sockaddr_un a;
	socklen_t len = sizeof(a);
	char c;

	errno = 0;
	r = want_err("socket(255, ...)", socket(255, SOCK_STREAM, 0), EAFNOSUPPORT) ||
	    want_err("socket type 7", socket(AF_UNIX, 7, 0), ESOCKTNOSUPPORT) ||
	    want_err("socket protocol 5", socket(AF_UNIX, SOCK_STREAM, 5), EPROTONOSUPPORT) ||
	    want_err("socket unknown flag", socket(AF_UNIX, SOCK_STREAM | 0x10000, 0), EINVAL) ||
	    want_err("getpeername unconnected", getpeername(fd, (struct sockaddr *)&a, &len), ENOTCONN) ||
	    want_err("send unconnected", send(fd, "x", 1, MSG_NOSIGNAL), ENOTCONN) ||
	    want_err("read unconnected stream", read(fd, &c, 1), EINVAL) ||
	    want_err("listen unbound", listen(fd, 1), EINVAL) ? CHECK_FAIL : 0;
	if (!r && pipe(p) == 0) {
		errno = 0;
		r = want_err("getsockopt on a pipe", int_opt(p[0], SO_TYPE) == -2 ? -1 : 0, ENOTSOCK);
		close(p[0]);
		close(p[1]);
	}
	close(fd);
	return r;
}

/* A blocked read ends with EINTR for a handler without SA_RESTART, and SIGKILL ends the reader. */
static int check_interrupt(void)
{
	int sv[2], r, st;
	char c;

	if (want_ok("socketpair", pair(SOCK_STREAM, sv)))
		return CHECK_FAIL;
	pid_t pid = fork();
	if (pid == 0) {
		handle(SIGUSR1, 0);
		alarm(WATCHDOG_S);
		_exit(read(sv[1], &c, 1) == -1 && errno == EINTR ? 0 : 1);
	}
	ms_sleep(100);
	kill(pid, SIGUSR1);
	r = want_exit("reader interrupted by a handler", pid, 0);
	if (!r && (pid = fork()) == 0) {
		alarm(WATCHDOG_S);
		_exit(read(sv[1], &c, 1));
	}
	ms_sleep(100);
	kill(pid, SIGKILL);
	if (!r && (r = wait_child(pid, 5000, &st)) == 0 && !(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL))
		r = fail("a blocked reader survived SIGKILL (status %#x)", st);
	close(sv[0]);
	close(sv[1]);
	return r;
}

/* listen(1) holds two connections: a third non-blocking connect is EAGAIN. */
static int check_backlog(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c[3], r = 0;
	int n = snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "kestrel-t-backlog-%d", (int)getpid());
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);

	if (want_ok("bind", bind(l, (struct sockaddr *)&a, len)) || want_ok("listen(1)", listen(l, 1)))
		r = CHECK_FAIL;
	for (int i = 0; i < 3; i++)
		c[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (!r)
		r = want_ok("connect 1", connect(c[0], (struct sockaddr *)&a, len)) ||
		    want_ok("connect 2", connect(c[1], (struct sockaddr *)&a, len)) ? CHECK_FAIL : 0;
	errno = 0;
	if (!r)
		r = want_err("connect 3", connect(c[2], (struct sockaddr *)&a, len), EAGAIN);
	struct pollfd p = { l, POLLIN, 0 };
	if (!r && (poll(&p, 1, 0) != 1 || !(p.revents & POLLIN)))
		r = fail("a listener with connections waiting polls %#x, want POLLIN", p.revents);
	for (int i = 0; i < 3; i++)
		close(c[i]);
	close(l);
	return r;
}

/* The other end gone: seqpacket EPIPE without SIGPIPE, a datagram peer
 * ECONNREFUSED then ENOTCONN, a stream with unread data ECONNRESET then EOF. */
static int check_peer_gone(void)
{
	int sv[2], r;
	char c;

	handle(SIGPIPE, 0);
	got_sig = 0;
	if (want_ok("socketpair(SOCK_SEQPACKET)", pair(SOCK_SEQPACKET, sv)))
		return CHECK_FAIL;
	close(sv[1]);
	errno = 0;
	r = want_err("seqpacket send to a closed peer", send(sv[0], "x", 1, 0), EPIPE);
	if (!r && got_sig)
		r = fail("seqpacket EPIPE came with signal %d", (int)got_sig);
	if (!r)
		r = want_eq("seqpacket recv after the peer closed", recv(sv[0], &c, 1, MSG_DONTWAIT), 0);
	close(sv[0]);
	signal(SIGPIPE, SIG_DFL);
	if (r || want_ok("socketpair(SOCK_DGRAM)", pair(SOCK_DGRAM, sv)))
		return CHECK_FAIL;
	close(sv[1]);
	errno = 0;
	r = want_err("dgram send to a closed peer", send(sv[0], "x", 1, 0), ECONNREFUSED);
	errno = 0;
	if (!r)
		r = want_err("dgram send again", send(sv[0], "x", 1, 0), ENOTCONN);
	close(sv[0]);
	if (r || want_ok("socketpair(SOCK_STREAM)", pair(SOCK_STREAM, sv)))
		return CHECK_FAIL;
	r = want_eq("write", write(sv[0], "ab", 2), 2);
	close(sv[1]);
	errno = 0;
	if (!r)
		r = want_err("read after the peer closed unread data", read(sv[0], &c, 1), ECONNRESET);
	if (!r)
		r = want_eq("read again", read(sv[0], &c, 1), 0);
	close(sv[0]);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
	if (!r && (poll(&p, 1, 0) != 1 || p.revents != (POLLOUT | POLLHUP)))
		r = fail("poll of an unconnected stream socket: %#x, want POLLOUT|POLLHUP", p.revents);
	close(fd);
	return r;
}

/* Sockets in flight inside sockets, 300 deep: closing the outermost
 * frees the chain (the kernel must not recurse that deep). */
#define CHAIN 300
static int check_rights_chain(void)
{
	int prev[2] = { -1, -1 }, sv[2], r = 0;

	for (int i = 0; i < CHAIN && !r; i++) {
		if (want_ok("socketpair", pair(SOCK_STREAM, sv)))
			break;
		if (prev[0] >= 0) {
			r = want_ok("sendmsg of the previous pair", send_fds(sv[0], prev, 2));
			close(prev[0]);
			close(prev[1]);
		}
		prev[0] = sv[0];
		prev[1] = sv[1];
	}
	close(prev[0]);
	close(prev[1]);
	if (!r && want_ok("a socketpair afterwards", pair(SOCK_STREAM, sv)) == 0) {
		close(sv[0]);
		close(sv[1]);
	}
	return r ? r : c_why[0] ? CHECK_FAIL : CHECK_OK;
}

/* SO_RCVTIMEO: a blocking recv ends with EAGAIN after the timeout; the
 * value reads back; a usec of a whole second is EDOM. */
static int check_timeout(void)
{
	struct timeval tv = { 0, 100000 }, got = { 9, 9 };
	socklen_t len = sizeof(got);
	int sv[2], r;
	char c;

	if (want_ok("socketpair", pair(SOCK_STREAM, sv)))
		return CHECK_FAIL;
	r = want_ok("SO_RCVTIMEO 100 ms", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	if (!r && (getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &got, &len) || len != sizeof(got) ||
		   got.tv_sec != 0 || got.tv_usec != 100000))
		r = fail("SO_RCVTIMEO reads back %ld.%06ld (%u bytes)", (long)got.tv_sec, (long)got.tv_usec, (unsigned)len);
	long long t0 = now_ms();
	errno = 0;
	if (!r)
		r = want_err("recv past SO_RCVTIMEO", recv(sv[0], &c, 1, 0), EAGAIN);
	long long took = now_ms() - t0;
	if (!r && (took < 90 || took > 5000))
		r = fail("recv timed out after %lld ms, want 100", took);
	tv.tv_usec = 1000000;
	errno = 0;
	if (!r)
		r = want_err("SO_SNDTIMEO with usec 1000000", setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), EDOM);
	close(sv[0]);
	close(sv[1]);
	return r;
}

/* writev and readv on a datagram socket: one datagram each, whole. */
static int check_vectors(void)
{
	char a[4], b[8];
	struct iovec out[2] = { { "abc", 3 }, { "defgh", 5 } }, in[2] = { { a, 4 }, { b, 8 } };
	int sv[2], r;

	if (want_ok("socketpair(SOCK_DGRAM)", pair(SOCK_DGRAM, sv)))
		return CHECK_FAIL;
	r = want_eq("writev of 3 + 5 bytes", writev(sv[0], out, 2), 8) ||
	    want_eq("readv into 4 + 8 bytes", readv(sv[1], in, 2), 8) ? CHECK_FAIL : 0;
	if (!r && (memcmp(a, "abcd", 4) || memcmp(b, "efgh", 4)))
		r = fail("readv got \"%.4s\" \"%.4s\", want \"abcd\" \"efgh\"", a, b);
	errno = 0;
	if (!r)
		r = want_err("a second datagram", recv(sv[1], a, 1, MSG_DONTWAIT), EAGAIN);
	close(sv[0]);
	close(sv[1]);
	return r;
}

/* ---- in flight: the collector and the per-user limit ---------------------------- */

#define GC_CYCLES   10000        /* of each shape: 20,000 unreachable cycles in all */
#define GC_MARGIN_KB (32 * 1024) /* MemFree may drop this much (other activity); a leak of
				  * the 60,000 sockets is several times more */
#define GC_TRIES    5            /* a leak drops MemFree every time; noise does not */
#define CAP_V3      0x20080522
#define CAP_SETGID_BIT   6
#define CAP_SETUID_BIT   7
#define CAP_SYS_ADMIN_BIT 21
#define CAP_SYS_RESOURCE_BIT 24

struct cap_header { uint32_t version; int pid; };
struct cap_data { uint32_t effective, permitted, inheritable; };

/* Clear these capability bits (all below 32) from the effective set. */
static int drop_caps(uint32_t mask)
{
	struct cap_header h = { CAP_V3, 0 };
	struct cap_data d[2];

	if (syscall(SYS_capget, &h, d))
		return fail("capget: %s", errname(errno));
	d[0].effective &= ~mask;
	if (syscall(SYS_capset, &h, d))
		return fail("capset: %s", errname(errno));
	return 0;
}

static long memfree_kb(void)
{
	char buf[4096], *at;

	if (file_text("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return -1;
	at = strstr(buf, "MemFree:");
	return at ? strtol(at + 8, NULL, 10) : -1;
}

/* A socket sent into its own queue, then every descriptor closed: only
 * the collector can free it (closing b runs it). */
static int self_cycle(void)
{
	int sv[2];

	if (pair(SOCK_STREAM, sv))
		return -1;
	int r = send_fds(sv[1], &sv[0], 1);
	close(sv[0]);
	close(sv[1]);
	return r;
}

/* Two sockets each in the other's queue. */
static int two_cycle(void)
{
	int a[2], b[2], r = -1;

	if (pair(SOCK_DGRAM, a))
		return -1;
	if (!pair(SOCK_DGRAM, b)) {
		r = send_fds(b[1], &a[0], 1) || send_fds(a[1], &b[0], 1) ? -1 : 0;
		close(b[0]);
		close(b[1]);
	}
	close(a[0]);
	close(a[1]);
	return r;
}

/* Each of a pair sent into its own queue, then both closed: no file is
 * released, so only a collection started by the sends frees them. */
static int closed_cycle(void)
{
	int sv[2];

	if (pair(SOCK_DGRAM, sv))
		return -1;
	int r = send_fds(sv[1], &sv[0], 1) || send_fds(sv[0], &sv[1], 1) ? -1 : 0;
	close(sv[0]);
	close(sv[1]);
	return r;
}

/* Closing a socket lets the collector run (on Linux, in a worker). */
static void gc_settle(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	close(fd);
	ms_sleep(200);
}

static int gc_round(long *drop)
{
	long before = memfree_kb();

	for (int i = 0; i < GC_CYCLES; i++)
		if (self_cycle() || two_cycle())
			return fail("making cycle %d: %s", i, errname(errno));
	gc_settle();
	long after = memfree_kb();
	if (before < 0 || after < 0)
		return fail("no MemFree in /proc/meminfo");
	*drop = before - after;
	return 0;
}

/* Unreachable cycles of sockets are collected: 20,000 of them leave
 * MemFree where it was. */
static int check_gc(void)
{
	long drop = 0;

	for (int i = 0; i < 200; i++) /* warm the allocators up */
		if (self_cycle() || two_cycle())
			return fail("making a cycle: %s", errname(errno));
	gc_settle();
	for (int t = 0; t < GC_TRIES; t++) {
		if (gc_round(&drop))
			return CHECK_FAIL;
		if (drop < GC_MARGIN_KB) {
			remark("MemFree moved by %ld kB over %d cycles", -drop, 2 * GC_CYCLES);
			return 0;
		}
	}
	return fail("MemFree dropped by %ld kB over %d cycles, %d times", drop, 2 * GC_CYCLES, GC_TRIES);
}

/* Cycles that release no file on closing (20,000 of them, 40,000
 * sockets) are collected too, before they fill memory. */
static int check_gc_closed(void)
{
	long before = memfree_kb();

	for (int i = 0; i < 2 * GC_CYCLES; i++)
		if (closed_cycle())
			return fail("making cycle %d: %s", i, errname(errno));
	gc_settle();
	long after = memfree_kb();
	if (before < 0 || after < 0)
		return fail("no MemFree in /proc/meminfo");
	remark("MemFree moved by %ld kB", after - before);
	return 0;
}

/* Beyond RLIMIT_NOFILE descriptors in flight, a send of more is
 * ETOOMANYREFS for a process without CAP_SYS_RESOURCE and CAP_SYS_ADMIN. */
static int check_toomanyrefs(void)
{
	struct rlimit rl = { 16, 16 };
	int sv[2], sent = 0, r = 0;

	if (drop_caps(1u << CAP_SYS_RESOURCE_BIT | 1u << CAP_SYS_ADMIN_BIT))
		return CHECK_FAIL;
	if (want_ok("socketpair", pair(SOCK_STREAM, sv)) || want_ok("setrlimit", setrlimit(RLIMIT_NOFILE, &rl)))
		return CHECK_FAIL;
	for (; sent <= (int)rl.rlim_cur + 1; sent++)
		if (send_fds(sv[0], &sv[0], 1))
			break;
	if (sent > (int)rl.rlim_cur + 1) /* fewer: the user has others in flight already */
		r = fail("%d sends with a limit of %d in flight", sent, (int)rl.rlim_cur);
	else if (errno != ETOOMANYREFS)
		r = fail("send %d: %s, want ETOOMANYREFS", sent, errname(errno));
	close(sv[0]);
	close(sv[1]);
	return r;
}

/* ---- credentials ------------------------------------------------------------------ */

/* Receive one message on fd: its bytes into buf, the SCM_CREDENTIALS it
 * carried in *c (*has 0 if none). The count or -1. */
static ssize_t recv_cred(int fd, char *buf, size_t len, struct ucred *c, int *has, int *flags)
{
	union { char b[CMSG_SPACE(sizeof(struct ucred))]; struct cmsghdr align; } ctl;
	struct iovec v = { buf, len };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
	ssize_t n = recvmsg(fd, &m, 0);

	*has = 0;
	*flags = m.msg_flags;
	for (struct cmsghdr *h = n < 0 ? NULL : CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_CREDENTIALS &&
		    h->cmsg_len == CMSG_LEN(sizeof(*c))) {
			memcpy(c, CMSG_DATA(h), sizeof(*c));
			*has = 1;
		}
	}
	return n;
}

/* Send "C" with explicit credentials: sendmsg's result. */
static ssize_t send_cred(int fd, pid_t pid, uid_t uid, gid_t gid, size_t clen)
{
	union { char b[CMSG_SPACE(sizeof(struct ucred)) + 8]; struct cmsghdr align; } ctl = { 0 };
	struct ucred c = { pid, uid, gid };
	struct iovec v = { "C", 1 };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = ctl.b,
			    .msg_controllen = CMSG_SPACE(clen) };
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);

	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_CREDENTIALS;
	h->cmsg_len = CMSG_LEN(clen);
	memcpy(CMSG_DATA(h), &c, sizeof(c));
	return sendmsg(fd, &m, 0);
}

static int want_cred(const char *what, const struct ucred *c, int has, pid_t pid, uid_t uid, gid_t gid)
{
	if (!has)
		return fail("%s: no SCM_CREDENTIALS", what);
	if (c->pid != pid || c->uid != uid || c->gid != gid)
		return fail("%s: pid %d uid %u gid %u, want %d %u %u", what, (int)c->pid, (unsigned)c->uid,
			    (unsigned)c->gid, (int)pid, (unsigned)uid, (unsigned)gid);
	return 0;
}

/* SO_PASSCRED: a receiver gets the sender's pid, uid and gid (none
 * without it); explicit credentials pass when they are the sender's own;
 * SO_PEERCRED has the same ids. */
static int check_passcred(void)
{
	int sv[2], one = 1, has, fl, r;
	struct ucred c, pc;
	socklen_t len = sizeof(pc);
	char buf[8];

	if (want_ok("socketpair", pair(SOCK_DGRAM, sv)))
		return CHECK_FAIL;
	r = want_eq("send", send(sv[0], "a", 1, 0), 1) ||
	    want_eq("recvmsg without SO_PASSCRED", recv_cred(sv[1], buf, sizeof(buf), &c, &has, &fl), 1) ? CHECK_FAIL
	    : has ? fail("SCM_CREDENTIALS without SO_PASSCRED") : 0;
	if (!r)
		r = want_ok("SO_PASSCRED", setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one))) ||
		    want_eq("send", send(sv[0], "b", 1, 0), 1) ||
		    want_eq("recvmsg", recv_cred(sv[1], buf, sizeof(buf), &c, &has, &fl), 1) ||
		    want_cred("implicit", &c, has, getpid(), getuid(), getgid()) ? CHECK_FAIL : 0;
	if (!r)
		r = want_eq("send with own credentials", send_cred(sv[0], getpid(), getuid(), getgid(), sizeof(c)), 1) ||
		    want_eq("recvmsg", recv_cred(sv[1], buf, sizeof(buf), &c, &has, &fl), 1) ||
		    want_cred("explicit", &c, has, getpid(), getuid(), getgid()) ? CHECK_FAIL : 0;
	if (!r)
		r = want_ok("SO_PEERCRED", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &pc, &len)) ||
		    want_cred("SO_PEERCRED", &pc, 1, getpid(), getuid(), getgid()) ? CHECK_FAIL : 0;
	if (!r) { /* no control buffer: MSG_CTRUNC */
		struct iovec v = { buf, sizeof(buf) };
		struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
		r = want_eq("send", send(sv[0], "d", 1, 0), 1) || want_eq("recvmsg", recvmsg(sv[1], &m, 0), 1) ? CHECK_FAIL
		    : !(m.msg_flags & MSG_CTRUNC) ? fail("no MSG_CTRUNC without a control buffer") : 0;
	}
	close(sv[0]);
	close(sv[1]);
	return r;
}

/* Explicit credentials are checked as Linux's scm_check_creds: a bad
 * length or an invalid id EINVAL; another pid, uid or gid EPERM
 * without CAP_SYS_ADMIN, CAP_SETUID, CAP_SETGID. */
static int check_cred_checks(void)
{
	int sv[2], r;

	if (want_ok("socketpair", pair(SOCK_DGRAM, sv)))
		return CHECK_FAIL;
	errno = 0;
	r = want_err("a short ucred", send_cred(sv[0], getpid(), getuid(), getgid(), 8), EINVAL) ||
	    want_err("uid -1", send_cred(sv[0], getpid(), (uid_t)-1, getgid(), sizeof(struct ucred)), EINVAL)
	    ? CHECK_FAIL : 0;
	if (!r && drop_caps(1u << CAP_SYS_ADMIN_BIT | 1u << CAP_SETUID_BIT | 1u << CAP_SETGID_BIT))
		r = CHECK_FAIL;
	if (!r)
		r = want_err("another pid", send_cred(sv[0], getppid(), getuid(), getgid(), sizeof(struct ucred)), EPERM) ||
		    want_err("another uid", send_cred(sv[0], getpid(), getuid() + 1, getgid(), sizeof(struct ucred)), EPERM) ||
		    want_err("another gid", send_cred(sv[0], getpid(), getuid(), getgid() + 1, sizeof(struct ucred)), EPERM)
		    ? CHECK_FAIL : 0;
	close(sv[0]);
	close(sv[1]);
	return r;
}

/* A stream read with SO_PASSCRED stops where the writer changes. */
static int check_cred_stream(void)
{
	int sv[2], one = 1, has, fl, r, st;
	struct ucred c;
	char buf[8];
	pid_t pid;

	if (want_ok("socketpair", pair(SOCK_STREAM, sv)) ||
	    want_ok("SO_PASSCRED", setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one))) ||
	    want_eq("write", write(sv[0], "a", 1), 1))
		return CHECK_FAIL;
	if ((pid = fork()) == 0)
		_exit(write(sv[0], "b", 1) == 1 ? 0 : 1);
	if (pid < 0 || wait_child(pid, 5000, &st) || st != 0)
		return fail("the child writer failed");
	r = want_eq("the parent's byte alone", recv_cred(sv[1], buf, sizeof(buf), &c, &has, &fl), 1) ||
	    want_cred("first", &c, has, getpid(), getuid(), getgid()) ||
	    want_eq("the child's byte", recv_cred(sv[1], buf, sizeof(buf), &c, &has, &fl), 1) ||
	    want_cred("second", &c, has, pid, getuid(), getgid()) ? CHECK_FAIL : 0;
	close(sv[0]);
	close(sv[1]);
	return r;
}

/* An unbound datagram socket with SO_PASSCRED gets an abstract name
 * when it sends (autobind): the receiver sees it as the sender. */
static int check_cred_autobind(void)
{
	struct sockaddr_un a, from, mine;
	char path[64];
	socklen_t alen, flen = sizeof(from), mlen = sizeof(mine);
	int rx = socket(AF_UNIX, SOCK_DGRAM, 0), tx = socket(AF_UNIX, SOCK_DGRAM, 0), one = 1, r;
	char c;

	snprintf(path, sizeof(path), "/tmp/t-unix-cred-%d", (int)getpid());
	alen = path_addr(&a, path);
	unlink(path);
	r = want_ok("bind", bind(rx, (struct sockaddr *)&a, alen)) ||
	    want_ok("SO_PASSCRED", setsockopt(tx, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one))) ||
	    want_eq("sendto", sendto(tx, "x", 1, 0, (struct sockaddr *)&a, alen), 1) ||
	    want_eq("recvfrom", recvfrom(rx, &c, 1, 0, (struct sockaddr *)&from, &flen), 1) ||
	    want_ok("getsockname", getsockname(tx, (struct sockaddr *)&mine, &mlen)) ? CHECK_FAIL : 0;
	if (!r && (mlen != offsetof(struct sockaddr_un, sun_path) + 6 || mine.sun_path[0] != 0))
		r = fail("the sender's name: length %u, want an autobound abstract name", (unsigned)mlen);
	if (!r && (flen != mlen || memcmp(&from, &mine, mlen)))
		r = fail("recvfrom's sender (length %u) is not the sender's name", (unsigned)flen);
	close(rx);
	close(tx);
	unlink(a.sun_path);
	return r;
}

/* MSG_OOB: datagram and seqpacket sockets have none (EOPNOTSUPP). */
static int check_oob(void)
{
	int d[2], q[2], r;
	char c;

	if (want_ok("socketpair", pair(SOCK_DGRAM, d)) || want_ok("socketpair", pair(SOCK_SEQPACKET, q)))
		return CHECK_FAIL;
	errno = 0;
	r = want_err("send(MSG_OOB) dgram", send(d[0], "x", 1, MSG_OOB), EOPNOTSUPP) ||
	    want_err("recv(MSG_OOB) dgram", recv(d[1], &c, 1, MSG_OOB | MSG_DONTWAIT), EOPNOTSUPP) ||
	    want_err("send(MSG_OOB) seqpacket", send(q[0], "x", 1, MSG_OOB), EOPNOTSUPP) ||
	    want_err("recv(MSG_OOB) seqpacket", recv(q[1], &c, 1, MSG_OOB | MSG_DONTWAIT), EOPNOTSUPP)
	    ? CHECK_FAIL : 0;
	close(d[0]);
	close(d[1]);
	close(q[0]);
	close(q[1]);
	return r;
}

/* A FIFO's /proc/self/fd/N is its path, also when opened from a directory fd. */
static int fifo_name(void)
{
	char name[64], fifo[PATH_MAX], link[64], got[PATH_MAX];
	int r = 0, fd, dir = open("/tmp", O_RDONLY | O_DIRECTORY);
	ssize_t n;

	snprintf(name, sizeof(name), "t-unix-fifo-%d", (int)getpid());
	unlinkat(dir, name, 0);
	if (want_ok("open /tmp", dir) || want_ok("mkfifoat", mkfifoat(dir, name, 0600)))
		return CHECK_FAIL;
	if (want_ok("openat the FIFO", fd = openat(dir, name, O_RDWR | O_NONBLOCK))) {
		r = CHECK_FAIL;
	} else {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		snprintf(got, sizeof(got), "/tmp/%s", name);
		if (!realpath(got, fifo))
			r = fail("realpath %s: %s", got, errname(errno));
		n = r ? -1 : readlink(link, got, sizeof(got) - 1);
		got[n > 0 ? n : 0] = 0;
		if (!r && strcmp(got, fifo))
			r = fail("%s reads \"%s\", want \"%s\"", link, got, fifo);
		close(fd);
	}
	unlinkat(dir, name, 0);
	close(dir);
	return r;
}

/* /proc/self/fd/N names a socket "socket:[INO]" (its st_ino), an
 * eventfd "anon_inode:[eventfd]". */
static int check_fd_names(void)
{
	char path[64], got[64], want[64];
	struct stat st;
	int sv[2], e, r;
	ssize_t n;

	if (want_ok("socketpair", pair(SOCK_STREAM, sv)) || want_ok("fstat", fstat(sv[0], &st)))
		return CHECK_FAIL;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", sv[0]);
	snprintf(want, sizeof(want), "socket:[%lu]", (unsigned long)st.st_ino);
	n = readlink(path, got, sizeof(got) - 1);
	got[n > 0 ? n : 0] = 0;
	r = strcmp(got, want) ? fail("%s reads \"%s\", want \"%s\"", path, got, want) : 0;
	close(sv[0]);
	close(sv[1]);
	if (r || want_ok("eventfd", e = (int)syscall(SYS_eventfd2, 0, 0)))
		return CHECK_FAIL;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", e);
	n = readlink(path, got, sizeof(got) - 1);
	got[n > 0 ? n : 0] = 0;
	if (strcmp(got, "anon_inode:[eventfd]"))
		r = fail("%s reads \"%s\", want anon_inode:[eventfd]", path, got);
	close(e);
	return r ? r : fifo_name();
}

/* sendmmsg and recvmmsg: several datagrams per call, each msg_len set;
 * MSG_WAITFORONE returns what is queued after the first; a timeout is
 * looked at after each datagram. */
static int check_mmsg(void)
{
	char out[3][4] = { "a", "bb", "ccc" }, in[4][8];
	struct iovec ov[3], iv[4];
	struct mmsghdr om[3], im[4];
	struct timespec zero = { 0, 0 };
	int sv[2], r;

	memset(om, 0, sizeof(om));
	memset(im, 0, sizeof(im));
	for (int i = 0; i < 3; i++) {
		ov[i] = (struct iovec){ out[i], strlen(out[i]) };
		om[i].msg_hdr = (struct msghdr){ .msg_iov = &ov[i], .msg_iovlen = 1 };
	}
	for (int i = 0; i < 4; i++) {
		iv[i] = (struct iovec){ in[i], sizeof(in[i]) };
		im[i].msg_hdr = (struct msghdr){ .msg_iov = &iv[i], .msg_iovlen = 1 };
	}
	if (want_ok("socketpair", pair(SOCK_DGRAM, sv)))
		return CHECK_FAIL;
	r = want_eq("sendmmsg", sendmmsg(sv[0], om, 3, 0), 3) ||
	    want_eq("recvmmsg(MSG_WAITFORONE)", recvmmsg(sv[1], im, 4, MSG_WAITFORONE, NULL), 3) ? CHECK_FAIL : 0;
	for (int i = 0; !r && i < 3; i++)
		if (im[i].msg_len != strlen(out[i]) || memcmp(in[i], out[i], im[i].msg_len))
			r = fail("datagram %d: msg_len %u", i, im[i].msg_len);
	errno = 0;
	if (!r)
		r = want_err("recvmmsg(MSG_DONTWAIT) on nothing", recvmmsg(sv[1], im, 4, MSG_DONTWAIT, NULL), EAGAIN);
	if (!r)
		r = want_eq("sendmmsg again", sendmmsg(sv[0], om, 2, 0), 2) ||
		    want_eq("recvmmsg with a zero timeout", recvmmsg(sv[1], im, 4, 0, &zero), 1) ||
		    want_eq("the second", recvmmsg(sv[1], im, 4, MSG_DONTWAIT, NULL), 1) ? CHECK_FAIL : 0;
	close(sv[0]);
	close(sv[1]);
	return r;
}

/* F_SETOWN and O_ASYNC on a socket: data arriving sends SIGIO. */
static int check_sigio(void)
{
	int sv[2], r;

	if (want_ok("socketpair", pair(SOCK_STREAM, sv)) || want_ok("SIGIO handler", handle(SIGIO, 0)) ||
	    want_ok("F_SETOWN", fcntl(sv[1], F_SETOWN, getpid())) ||
	    want_ok("O_ASYNC", fcntl(sv[1], F_SETFL, O_ASYNC | O_NONBLOCK)))
		return CHECK_FAIL;
	got_sig = 0;
	r = want_eq("write", write(sv[0], "s", 1), 1);
	if (!r && got_sig != SIGIO)
		r = fail("no SIGIO when data arrived (got signal %d)", (int)got_sig);
	close(sv[0]);
	close(sv[1]);
	return r;
}

static socklen_t abstract_addr(struct sockaddr_un *a, const char *tag)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	int n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "kestrel-t-unix-%s-%d", tag, (int)getpid());
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/* A datagram socket connecting elsewhere drops what it had received; the
 * old peer, connected back to it, gets ECONNRESET once. */
static int check_dgram_reconnect(void)
{
	struct sockaddr_un a, b, c;
	socklen_t al = abstract_addr(&a, "ra"), bl = abstract_addr(&b, "rb"), cl = abstract_addr(&c, "rc");
	int sa = socket(AF_UNIX, SOCK_DGRAM, 0), sb = socket(AF_UNIX, SOCK_DGRAM, 0);
	int sc = socket(AF_UNIX, SOCK_DGRAM, 0), r;
	char ch;

	r = want_ok("bind a", bind(sa, (struct sockaddr *)&a, al)) ||
	    want_ok("bind b", bind(sb, (struct sockaddr *)&b, bl)) ||
	    want_ok("bind c", bind(sc, (struct sockaddr *)&c, cl)) ||
	    want_ok("a connects to b", connect(sa, (struct sockaddr *)&b, bl)) ||
	    want_ok("b connects to a", connect(sb, (struct sockaddr *)&a, al)) ||
	    want_eq("b sends to a", send(sb, "1", 1, 0), 1) ||
	    want_ok("a connects to c", connect(sa, (struct sockaddr *)&c, cl)) ? CHECK_FAIL : 0;
	errno = 0;
	if (!r)
		r = want_err("a's queue after the reconnect", recv(sa, &ch, 1, MSG_DONTWAIT), EAGAIN);
	int err = r ? 0 : int_opt(sb, SO_ERROR);
	if (!r && err != ECONNRESET)
		r = fail("b's SO_ERROR: %d, want ECONNRESET", err);
	close(sa);
	close(sb);
	close(sc);
	return r;
}

/* An accepted socket inherits SO_PASSCRED from its listener, and what
 * was sent before the accept carries the sender's credentials. */
static int check_passcred_accept(void)
{
	struct sockaddr_un a;
	socklen_t al = abstract_addr(&a, "pa");
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c = socket(AF_UNIX, SOCK_STREAM, 0), s = -1, one = 1, has, fl, r;
	struct ucred cr;
	char buf[4];

	r = want_ok("bind", bind(l, (struct sockaddr *)&a, al)) || want_ok("listen", listen(l, 1)) ||
	    want_ok("SO_PASSCRED", setsockopt(l, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one))) ||
	    want_ok("connect", connect(c, (struct sockaddr *)&a, al)) ||
	    want_eq("write before accept", write(c, "p", 1), 1) || want_ok("accept", s = accept(l, NULL, NULL))
	    ? CHECK_FAIL : 0;
	if (!r && int_opt(s, SO_PASSCRED) != 1)
		r = fail("the accepted socket's SO_PASSCRED is %d, want 1", int_opt(s, SO_PASSCRED));
	if (!r)
		r = want_eq("recvmsg", recv_cred(s, buf, sizeof(buf), &cr, &has, &fl), 1) ||
		    want_cred("before the accept", &cr, has, getpid(), getuid(), getgid()) ? CHECK_FAIL : 0;
	close(s);
	close(c);
	close(l);
	return r;
}

/* The /proc/net/unix line of the socket with inode ino: 0 with its
 * flags, type, state and path, or -1 (none, or the header is not Linux's). */
static int proc_unix_line(unsigned long ino, unsigned *flags, unsigned *type, unsigned *st, char *path,
			  size_t cap)
{
	char line[512];
	int r = -1;
	FILE *f = fopen("/proc/net/unix", "r");
	if (!f || !fgets(line, sizeof(line), f) ||
	    strcmp(line, "Num       RefCount Protocol Flags    Type St Inode Path\n") != 0) {
		if (f)
			fclose(f);
		return -1;
	}
	while (r && fgets(line, sizeof(line), f)) {
		unsigned long in;
		int n = 0;
		path[0] = 0;
		if (sscanf(line, "%*x: %*x %*x %x %x %x %lu%n", flags, type, st, &in, &n) == 4 && in == ino) {
			const char *p = line + n;
			while (*p == ' ')
				p++;
			size_t len = strcspn(p, "\n");
			len = len < cap ? len : cap - 1;
			memcpy(path, p, len);
			path[len] = 0;
			r = 0;
		}
	}
	fclose(f);
	return r;
}

/* /proc/net/unix as Linux's unix_seq_show: a listener on an abstract
 * name is __SO_ACCEPTCON, SOCK_STREAM, SS_UNCONNECTED, "@name"; the
 * accepted end shows the listener's name, SS_CONNECTED. */
static int check_proc_net_unix(void)
{
	struct sockaddr_un a;
	socklen_t al = abstract_addr(&a, "pnu");
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c = socket(AF_UNIX, SOCK_STREAM, 0), s = -1, r;
	unsigned flags, type, st;
	char path[256], want[128];
	struct stat sb;

	snprintf(want, sizeof(want), "@%s", a.sun_path + 1);
	r = want_ok("bind", bind(l, (struct sockaddr *)&a, al)) || want_ok("listen", listen(l, 1)) ||
	    want_ok("connect", connect(c, (struct sockaddr *)&a, al)) || want_ok("accept", s = accept(l, NULL, NULL)) ||
	    want_ok("fstat", fstat(l, &sb)) ? CHECK_FAIL : 0;
	if (!r && proc_unix_line(sb.st_ino, &flags, &type, &st, path, sizeof(path)))
		r = fail("the listener (inode %lu) is not in /proc/net/unix, or its header is not Linux's",
			 (unsigned long)sb.st_ino);
	else if (!r && (flags != 0x10000 || type != SOCK_STREAM || st != 1 || strcmp(path, want)))
		r = fail("the listener: flags %x type %u st %u path '%s', want 10000 1 1 '%s'", flags, type, st,
			 path, want);
	if (!r && (fstat(s, &sb) || proc_unix_line(sb.st_ino, &flags, &type, &st, path, sizeof(path))))
		r = fail("the accepted socket is not in /proc/net/unix");
	else if (!r && (flags != 0 || st != 3 || strcmp(path, want)))
		r = fail("the accepted socket: flags %x st %u path '%s', want 0 3 '%s'", flags, st, path, want);
	close(s);
	close(c);
	close(l);
	return r;
}

static const struct check checks[] = {
	{ "stream-pair", check_stream_pair },
	{ "epipe", check_epipe },
	{ "nonblock", check_nonblock },
	{ "shutdown", check_shutdown },
	{ "dgram", check_dgram },
	{ "seqpacket", check_seqpacket },
	{ "path", check_path },
	{ "abstract", check_abstract },
	{ "dgram-named", check_dgram_named },
	{ "rights", check_rights },
	{ "options", check_options },
	{ "errors", check_errors },
	{ "interrupt", check_interrupt },
	{ "backlog", check_backlog },
	{ "peer-gone", check_peer_gone },
	{ "rights-chain", check_rights_chain },
	{ "timeout", check_timeout },
	{ "vectors", check_vectors },
	{ "gc", check_gc },
	{ "gc-closed", check_gc_closed },
	{ "toomanyrefs", check_toomanyrefs },
	{ "passcred", check_passcred },
	{ "cred-checks", check_cred_checks },
	{ "cred-stream", check_cred_stream },
	{ "cred-autobind", check_cred_autobind },
	{ "oob", check_oob },
	{ "fd-names", check_fd_names },
	{ "mmsg", check_mmsg },
	{ "sigio", check_sigio },
	{ "dgram-reconnect", check_dgram_reconnect },
	{ "passcred-accept", check_passcred_accept },
	{ "proc-net-unix", check_proc_net_unix },
};

int main(int argc, char **argv)
{
	c_isolate = 1;
	return run_checks("conform_unix", checks, NELEMS(checks), argc, argv);
}
