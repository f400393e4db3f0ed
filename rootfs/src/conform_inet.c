// SPDX-License-Identifier: MIT
// AF_INET conformance on the loopback: TCP and UDP between local sockets, names, ports, errors, readiness, options.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>
#include "checks.h"

#ifndef SIOCINQ
#define SIOCINQ  FIONREAD  /* linux/sockios.h's, which musl does not ship */
#define SIOCOUTQ TIOCOUTQ
#endif

/*
 * As Linux with the loopback (ip(7), tcp(7), udp(7)): what Python's
 * socket.create_server/create_connection, asyncio and the test suite's
 * helpers do on 127.0.0.1. Addresses outside 127.0.0.0/8 are not
 * local (EADDRNOTAVAIL); where the machine has no route to them
 * (Kestrel: only lo) connect says ENETUNREACH, which a host with a
 * network skips. A kernel without AF_INET fails every check with
 * EAFNOSUPPORT.
 */
#define SCRATCH "/tmp/t-conform_inet.data"

static volatile sig_atomic_t sigpipes;
static void on_sigpipe(int sig) { (void)sig; sigpipes++; }

/* 127.0.0.1:port (host order) */
static struct sockaddr_in lo_addr(uint32_t addr, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(addr);
	return a;
}

static int bind_to(int fd, uint32_t addr, uint16_t port)
{
	struct sockaddr_in a = lo_addr(addr, port);

	return bind(fd, (struct sockaddr *)&a, sizeof(a));
}

static int connect_to(int fd, const struct sockaddr_in *a)
{
	return connect(fd, (const struct sockaddr *)a, sizeof(*a));
}

/* fd's own name (peer: the peer's); port 0 and family 0 on failure. */
static struct sockaddr_in name_of(int fd, int peer)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof(a);

	if ((peer ? getpeername(fd, (struct sockaddr *)&a, &len) : getsockname(fd, (struct sockaddr *)&a, &len)) ||
	    len != sizeof(a))
		memset(&a, 0, sizeof(a));
	return a;
}

/* A TCP listener on 127.0.0.1, port chosen by the kernel, its name in *a. */
static int listener(struct sockaddr_in *a)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	if (bind_to(fd, INADDR_LOOPBACK, 0) || listen(fd, 8)) {
		close(fd);
		return -1;
	}
	*a = name_of(fd, 0);
	return fd;
}

/* A connection: listener *l, client *c, the accepted server end *s. 0 or -1. */
static int tcp_conn(int *l, int *c, int *s)
{
	struct sockaddr_in a;

	*c = *s = -1;
	if ((*l = listener(&a)) < 0)
		return -1;
	if ((*c = socket(AF_INET, SOCK_STREAM, 0)) < 0 || connect_to(*c, &a) ||
	    (*s = accept(*l, NULL, NULL)) < 0) {
		close(*l);
		if (*c >= 0)
			close(*c);
		return -1;
	}
	return 0;
}

static void close3(int a, int b, int c)
{
	close(a);
	close(b);
	close(c);
}

static int int_opt(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	return getsockopt(fd, level, name, &v, &len) ? -1 : v;
}

/* The ephemeral range: the host's /proc/sys value, else Linux's default. */
static void port_range(int *lo, int *hi)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");

	*lo = 32768;
	*hi = 60999;
	if (f) {
		if (fscanf(f, "%d %d", lo, hi) != 2) {
			*lo = 32768;
			*hi = 60999;
		}
		fclose(f);
	}
}

/* ---- TCP ------------------------------------------------------------------------ */

/* bind port 0 gives an ephemeral port; listen, connect, accept4; names both ways; bytes both ways; EOF. */
static int check_tcp_basic(void)
{
	struct sockaddr_in a, peer;
	socklen_t plen = sizeof(peer);
	char buf[16];
	int lo, hi, c = -1, s = -1, r;
	int l = listener(&a);

	if (want_ok("listener on 127.0.0.1:0", l))
		return CHECK_FAIL;
	port_range(&lo, &hi);
	if (a.sin_family != AF_INET || a.sin_addr.s_addr != htonl(INADDR_LOOPBACK) ||
	    ntohs(a.sin_port) < lo || ntohs(a.sin_port) > hi)
		r = fail("getsockname: family %d %s:%d, want AF_INET 127.0.0.1 port in %d-%d",
			 a.sin_family, inet_ntoa(a.sin_addr), ntohs(a.sin_port), lo, hi);
	else if (!(r = want_ok("socket", c = socket(AF_INET, SOCK_STREAM, 0))) &&
		 !(r = want_ok("connect", connect_to(c, &a))))
		r = want_ok("accept4(SOCK_CLOEXEC)", s = accept4(l, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC));
	if (!r) {
		struct sockaddr_in cn = name_of(c, 0), cp = name_of(c, 1), sn = name_of(s, 0), sp = name_of(s, 1);
		if (plen != sizeof(peer) || peer.sin_port != cn.sin_port || peer.sin_addr.s_addr != cn.sin_addr.s_addr)
			r = fail("accept's address %s:%d (len %u), want the client's port %d",
				 inet_ntoa(peer.sin_addr), ntohs(peer.sin_port), plen, ntohs(cn.sin_port));
		else if (cn.sin_addr.s_addr != htonl(INADDR_LOOPBACK) || cp.sin_port != a.sin_port ||
			 sn.sin_port != a.sin_port || sp.sin_port != cn.sin_port)
			r = fail("names: client %d->%d, server %d->%d, listener %d", ntohs(cn.sin_port),
				 ntohs(cp.sin_port), ntohs(sn.sin_port), ntohs(sp.sin_port), ntohs(a.sin_port));
		else if (!(fcntl(s, F_GETFD) & FD_CLOEXEC))
			r = fail("accept4(SOCK_CLOEXEC): no FD_CLOEXEC");
	}
	if (!r)
		r = want_eq("write c->s", write(c, "hello", 5), 5) ||
		    want_eq("read s", read(s, buf, sizeof(buf)), 5) ||
		    want_eq("send s->c", send(s, "abc", 3, 0), 3) ||
		    want_eq("recv c", recv(c, buf, sizeof(buf), 0), 3) ? CHECK_FAIL : 0;
	if (!r && (memcmp(buf, "abc", 3)))
		r = fail("recv: wrong bytes");
	if (c >= 0)
		close(c);
	if (!r)
		r = want_eq("read after the peer closed", read(s, buf, sizeof(buf)), 0);
	close(l);
	if (s >= 0)
		close(s);
	return r;
}

/* connect where nobody listens: ECONNREFUSED; to a listener's port on another 127/8 address bound to 0.0.0.0. */
static int check_tcp_refused(void)
{
	struct sockaddr_in a;
	int b = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), r;

	if (want_ok("socket", b) || want_ok("bind", bind_to(b, INADDR_LOOPBACK, 0)))
		return CHECK_FAIL;
	a = name_of(b, 0); /* bound, not listening */
	errno = 0;
	r = want_err("connect to a bound, not listening port", connect_to(c, &a), ECONNREFUSED);
	close(b);
	close(c);
	return r;
}

/* A listener bound to 0.0.0.0 is reached at 127.0.0.2, and the server end is named by it. */
static int check_tcp_any(void)
{
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), s = -1, r;
	struct sockaddr_in a;

	if (want_ok("bind 0.0.0.0:0", bind_to(l, INADDR_ANY, 0)) || want_ok("listen", listen(l, 1)))
		return CHECK_FAIL;
	a = name_of(l, 0);
	if (a.sin_addr.s_addr != htonl(INADDR_ANY))
		r = fail("getsockname: %s, want 0.0.0.0", inet_ntoa(a.sin_addr));
	else {
		a.sin_addr.s_addr = htonl(0x7f000002);
		r = want_ok("connect 127.0.0.2", connect_to(c, &a)) || want_ok("accept", s = accept(l, NULL, NULL));
	}
	if (!r && name_of(s, 0).sin_addr.s_addr != htonl(0x7f000002))
		r = fail("server end's name %s, want 127.0.0.2", inet_ntoa(name_of(s, 0).sin_addr));
	if (s >= 0)
		close(s);
	close(l);
	close(c);
	return r;
}

/* listen without bind picks a port; a client connects to it. */
static int check_tcp_listen_unbound(void)
{
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), s, r;
	struct sockaddr_in a;

	if (want_ok("listen unbound", listen(l, 4)))
		return CHECK_FAIL;
	a = name_of(l, 0);
	if (!a.sin_port) {
		close(l);
		return fail("getsockname after listen: port 0");
	}
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r = want_ok("connect", connect_to(c, &a)) || want_ok("accept", s = accept(l, NULL, NULL));
	if (!r)
		close(s);
	close(l);
	close(c);
	return r;
}

/* Nonblocking connect: EINPROGRESS, then POLLOUT and SO_ERROR 0; a refused one: POLLERR, SO_ERROR ECONNREFUSED. */
static int check_tcp_nonblock_connect(void)
{
	struct sockaddr_in a;
	int l = listener(&a), c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), r, s = -1;
	struct pollfd p = { c, POLLOUT, 0 };

	errno = 0;
	r = connect_to(c, &a);
	if (r == -1 && errno != EINPROGRESS)
		r = fail("nonblocking connect: -1/%s, want EINPROGRESS (or 0)", errname(errno));
	else if ((r = want_eq("poll POLLOUT", poll(&p, 1, 2000), 1)))
		;
	else if (!(p.revents & POLLOUT) || (p.revents & POLLERR))
		r = fail("poll: revents %#x, want POLLOUT", p.revents);
	else if ((r = want_eq("SO_ERROR", int_opt(c, SOL_SOCKET, SO_ERROR), 0)))
		;
	else if (!(r = want_ok("accept", s = accept(l, NULL, NULL))))
		r = want_eq("write", write(c, "x", 1), 1);
	if (s >= 0)
		close(s);
	close(c);
	if (r) {
		close(l);
		return r;
	}
	/* refused: the listener's port, once it is closed */
	close(l);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	errno = 0;
	r = connect_to(c, &a);
	if (r == -1 && errno == ECONNREFUSED) {
		remark("refused at once");
		r = 0;
	} else if (r == -1 && errno == EINPROGRESS) {
		p = (struct pollfd){ c, POLLOUT, 0 };
		if (poll(&p, 1, 2000) != 1 || !(p.revents & POLLERR))
			r = fail("refused connect: poll revents %#x, want POLLERR", p.revents);
		else
			r = want_eq("SO_ERROR after a refusal", int_opt(c, SOL_SOCKET, SO_ERROR), ECONNREFUSED);
	} else {
		r = fail("refused nonblocking connect: %d/%s, want EINPROGRESS", r, errname(errno));
	}
	close(c);
	return r;
}

/* bind's errors: EADDRINUSE, SO_REUSEADDR, EINVAL (twice, short), EADDRNOTAVAIL, EAFNOSUPPORT. */
static int check_tcp_bind_errors(void)
{
	int a = socket(AF_INET, SOCK_STREAM, 0), b = socket(AF_INET, SOCK_STREAM, 0), one = 1, r;
	struct sockaddr_in n, x = lo_addr(INADDR_LOOPBACK, 0);

	if (want_ok("bind", bind_to(a, INADDR_LOOPBACK, 0)))
		return CHECK_FAIL;
	n = name_of(a, 0);
	errno = 0;
	r = want_err("bind the same port", bind_to(b, INADDR_LOOPBACK, ntohs(n.sin_port)), EADDRINUSE);
	if (!r) {
		errno = 0;
		r = want_err("bind 0.0.0.0 on the same port", bind_to(b, INADDR_ANY, ntohs(n.sin_port)), EADDRINUSE);
	}
	if (!r) {
		errno = 0;
		r = want_err("bind twice", bind_to(a, INADDR_LOOPBACK, 0), EINVAL);
	}
	if (!r) {
		errno = 0;
		r = want_err("bind with a short length", bind(b, (struct sockaddr *)&x, sizeof(x) - 1), EINVAL);
	}
	if (!r) {
		errno = 0;
		r = want_err("bind 192.0.2.1 (not local)", bind_to(b, 0xc0000201, 0), EADDRNOTAVAIL);
	}
	if (!r) {
		x.sin_family = AF_UNIX;
		errno = 0;
		r = want_err("bind with family AF_UNIX", bind(b, (struct sockaddr *)&x, sizeof(x)), EAFNOSUPPORT);
	}
	close(b);
	b = socket(AF_INET, SOCK_STREAM, 0);
	/* both with SO_REUSEADDR and not listening: the same port is fine; a second listener is not */
	if (!r)
		r = want_ok("SO_REUSEADDR a", setsockopt(a, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))) ||
		    want_eq("SO_REUSEADDR reads back", int_opt(a, SOL_SOCKET, SO_REUSEADDR), 1) ||
		    want_ok("SO_REUSEADDR b", setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))) ||
		    want_ok("bind b on a's port with SO_REUSEADDR", bind_to(b, INADDR_LOOPBACK, ntohs(n.sin_port))) ||
		    want_ok("listen a", listen(a, 1)) ? CHECK_FAIL : 0;
	if (!r) {
		errno = 0;
		r = want_err("listen b on a listener's port", listen(b, 1), EADDRINUSE);
	}
	close(a);
	close(b);
	return r;
}

/*
 * Addresses with no route: connect says ENETUNREACH (only lo is up). A
 * host whose UDP connect finds a route is on a network: skipped there.
 */
static int check_unreachable(void)
{
	struct sockaddr_in far = lo_addr(0xc0000201, 80); /* 192.0.2.1, TEST-NET-1 */
	int u = socket(AF_INET, SOCK_DGRAM, 0), t, r;

	errno = 0;
	if (connect_to(u, &far) == 0) {
		close(u);
		return skip("this machine has a route to 192.0.2.1");
	}
	r = want_err("UDP connect to 192.0.2.1", -1, ENETUNREACH);
	close(u);
	t = socket(AF_INET, SOCK_STREAM, 0);
	errno = 0;
	if (!r)
		r = want_err("TCP connect to 192.0.2.1", connect_to(t, &far), ENETUNREACH);
	close(t);
	return r;
}

/* After the peer closed: the first write passes (the peer's reset comes back), then EPIPE and SIGPIPE; MSG_NOSIGNAL: no signal. */
static int check_tcp_epipe(void)
{
	int l, c, s, r = 0, i;
	long w = 0;
	struct sigaction sa = { .sa_handler = on_sigpipe };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
	if (want_ok("connection", tcp_conn(&l, &c, &s)))
		return CHECK_FAIL;
	close(s);
	sigpipes = 0;
	ms_sleep(20);
	if ((r = want_eq("the first send after the peer closed", send(c, "x", 1, MSG_NOSIGNAL), 1))) {
		close(c);
		close(l);
		return r;
	}
	for (i = 0; i < 5 && (w = send(c, "x", 1, MSG_NOSIGNAL)) == 1; i++)
		ms_sleep(20);
	if (w != -1 || errno != EPIPE)
		r = fail("send after the peer closed: %ld/%s, want -1/EPIPE", w, errname(errno));
	else if (sigpipes)
		r = fail("MSG_NOSIGNAL: SIGPIPE came");
	else if (write(c, "x", 1) != -1 || errno != EPIPE)
		r = fail("write after EPIPE: want -1/EPIPE, got %s", errname(errno));
	else if (sigpipes != 1)
		r = fail("write's EPIPE: %d SIGPIPEs, want 1", (int)sigpipes);
	signal(SIGPIPE, SIG_DFL);
	close(c);
	close(l);
	return r;
}

/* A close with unread data resets the connection: the peer's read says ECONNRESET. */
static int check_tcp_reset(void)
{
	int l, c, s, r;
	char buf[8];

	if (want_ok("connection", tcp_conn(&l, &c, &s)))
		return CHECK_FAIL;
	r = want_eq("write c->s", write(c, "unread", 6), 6);
	ms_sleep(10);
	close(s);
	errno = 0;
	if (!r)
		r = want_err("read after a reset", read(c, buf, sizeof(buf)), ECONNRESET);
	errno = 0;
	if (!r)
		r = want_err("send after the reset was read", send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	close(c);
	close(l);
	return r;
}

/* A reset after the peer's FIN (CLOSE-WAIT): Linux's tcp_reset leaves
 * EPIPE pending, and tcp_recvmsg says end of stream before it looks at
 * the error (SOCK_DONE first): the read is 0, SO_ERROR then EPIPE. */
static int check_tcp_reset_after_fin(void)
{
	int l, c, s, r, err = 0;
	socklen_t len = sizeof(err);
	char buf[8];

	if (want_ok("connection", tcp_conn(&l, &c, &s)))
		return CHECK_FAIL;
	r = want_eq("write c->s", write(c, "unread", 6), 6);
	if (!r)
		r = want_ok("shutdown(SHUT_WR) s", shutdown(s, SHUT_WR));
	ms_sleep(10);
	close(s);                          /* the data unread: a reset after the FIN */
	ms_sleep(10);
	errno = 0;
	if (!r)
		r = want_eq("read after the FIN and the reset", read(c, buf, sizeof(buf)), 0);
	if (!r)
		r = want_ok("SO_ERROR", getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len)) ||
		    want_eq("SO_ERROR after the read", err, EPIPE);
	close(c);
	close(l);
	return r;
}

/* SO_LINGER reads back; {1, 0} makes close an abortive one: the peer's read says ECONNRESET. */
static int check_tcp_linger(void)
{
	int l, c, s, r;
	struct linger lg = { 1, 0 }, back = { 0, 0 };
	socklen_t len = sizeof(back);
	char buf[4];

	if (want_ok("connection", tcp_conn(&l, &c, &s)))
		return CHECK_FAIL;
	r = want_ok("SO_LINGER", setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg))) ||
	    want_ok("getsockopt SO_LINGER", getsockopt(s, SOL_SOCKET, SO_LINGER, &back, &len)) ? CHECK_FAIL : 0;
	if (!r && (len != sizeof(back) || back.l_onoff != 1 || back.l_linger != 0))
		r = fail("SO_LINGER read back {%d, %d} (len %u), want {1, 0}", back.l_onoff, back.l_linger, len);
	close(s);
	errno = 0;
	if (!r)
		r = want_err("read after an abortive close", read(c, buf, sizeof(buf)), ECONNRESET);
	close(c);
	close(l);
	return r;
}

/* A connection reset while it waits in the accept queue (the client's
 * abortive close): accept still hands it over with the peer's address
 * (Linux names the peer without the state test getpeername makes, its
 * inet_getname with peer 2), the first read is ECONNRESET, the next 0,
 * and getpeername on it is ENOTCONN. */
static int check_tcp_accept_reset(void)
{
	struct sockaddr_in a, got = { 0 }, mine;
	socklen_t len = sizeof(got);
	struct linger lg = { 1, 0 };
	char buf[4];
	int l = listener(&a), c = socket(AF_INET, SOCK_STREAM, 0), s = -1, r;

	if (want_ok("listener", l < 0 ? -1 : 0) || want_ok("socket", c < 0 ? -1 : 0) ||
	    want_ok("connect", connect_to(c, &a)))
		return CHECK_FAIL;
	mine = name_of(c, 0);
	r = want_ok("SO_LINGER {1, 0}", setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg))) ? CHECK_FAIL : 0;
	close(c);
	usleep(100 * 1000);       /* the RST reaches the queued connection */
	if (!r && (s = accept(l, (struct sockaddr *)&got, &len)) < 0)
		r = fail("accept of a reset connection: %s, want a descriptor", strerror(errno));
	if (!r && (len != sizeof(got) || got.sin_port != mine.sin_port ||
		   got.sin_addr.s_addr != htonl(INADDR_LOOPBACK)))
		r = fail("accept named port %u (len %u), want the client's %u", ntohs(got.sin_port), len,
			 ntohs(mine.sin_port));
	errno = 0;
	if (!r)
		r = want_err("first read", read(s, buf, sizeof(buf)), ECONNRESET) ||
		    want_eq("second read", read(s, buf, sizeof(buf)), 0) ||
		    want_err("getpeername", getpeername(s, (struct sockaddr *)&got, &len), ENOTCONN) ? CHECK_FAIL : 0;
	if (s >= 0)
		close(s);
	close(l);
	return r;
}

/* MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL (a child writes in two parts), FIONREAD. */
static int check_tcp_flags(void)
{
	int l, c, s, r, n = -1;
	char buf[16] = { 0 };

	if (want_ok("connection", tcp_conn(&l, &c, &s)))
		return CHECK_FAIL;
	errno = 0;
	r = want_err("recv MSG_DONTWAIT on nothing", recv(s, buf, 4, MSG_DONTWAIT), EAGAIN) ||
	    want_eq("write", write(c, "abcdef", 6), 6) ||
	    want_eq("recv MSG_PEEK", recv(s, buf, 3, MSG_PEEK), 3) ||
	    want_eq("FIONREAD", ioctl(s, FIONREAD, &n), 0) || want_eq("FIONREAD count", n, 6) ||
	    want_eq("recv", recv(s, buf, 6, 0), 6) ? CHECK_FAIL : 0;
	if (!r && memcmp(buf, "abcdef", 6))
		r = fail("recv after the peek: wrong bytes");
	if (!r) {
		pid_t pid = fork();
		if (pid == 0) {
			ms_sleep(50);
			_exit(write(c, "12345", 5) == 5 && (ms_sleep(50), write(c, "67890", 5)) == 5 ? 0 : 1);
		}
		r = want_eq("recv MSG_WAITALL of two writes", recv(s, buf, 10, MSG_WAITALL), 10) ||
		    want_exit("writer", pid, 0);
		if (!r && memcmp(buf, "1234567890", 10))
			r = fail("MSG_WAITALL: wrong bytes");
	}
	close3(l, c, s);
	return r;
}

/* shutdown(SHUT_WR): the peer reads EOF and can still write back; an unconnected socket: ENOTCONN. */
static int check_tcp_shutdown(void)
{
	int l, c, s, r, u = socket(AF_INET, SOCK_STREAM, 0);
	char buf[8];

	if (want_ok("connection", tcp_conn(&l, &c, &s)))
		return CHECK_FAIL;
	errno = 0;
	r = want_err("shutdown unconnected", shutdown(u, SHUT_RDWR), ENOTCONN) ||
	    want_ok("shutdown(SHUT_WR)", shutdown(c, SHUT_WR)) ||
	    want_eq("peer reads EOF", read(s, buf, sizeof(buf)), 0) ||
	    want_eq("peer writes back", write(s, "ok", 2), 2) ||
	    want_eq("half-closed end reads", read(c, buf, sizeof(buf)), 2) ? CHECK_FAIL : 0;
	close(u);
	close3(l, c, s);
	return r;
}

/* SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ACCEPTCONN, SO_SNDBUF/SO_RCVBUF, SO_KEEPALIVE, TCP_NODELAY. */
static int check_tcp_options(void)
{
	struct sockaddr_in a;
	int l = listener(&a), c = socket(AF_INET, SOCK_STREAM, 0), one = 1, size = 65536, r;

	r = want_eq("SO_TYPE", int_opt(c, SOL_SOCKET, SO_TYPE), SOCK_STREAM) ||
	    want_eq("SO_DOMAIN", int_opt(c, SOL_SOCKET, SO_DOMAIN), AF_INET) ||
	    want_eq("SO_PROTOCOL", int_opt(c, SOL_SOCKET, SO_PROTOCOL), IPPROTO_TCP) ||
	    want_eq("SO_ACCEPTCONN of a listener", int_opt(l, SOL_SOCKET, SO_ACCEPTCONN), 1) ||
	    want_eq("SO_ERROR", int_opt(c, SOL_SOCKET, SO_ERROR), 0) ||
	    want_ok("TCP_NODELAY", setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one))) ||
	    want_eq("TCP_NODELAY reads back", int_opt(c, IPPROTO_TCP, TCP_NODELAY), 1) ||
	    want_ok("SO_KEEPALIVE", setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one))) ||
	    want_eq("SO_KEEPALIVE reads back", int_opt(c, SOL_SOCKET, SO_KEEPALIVE), 1) ||
	    want_ok("SO_SNDBUF", setsockopt(c, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size))) ||
	    want_ok("SO_RCVBUF", setsockopt(c, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size))) ? CHECK_FAIL : 0;
	if (!r && (int_opt(c, SOL_SOCKET, SO_SNDBUF) < size || int_opt(c, SOL_SOCKET, SO_RCVBUF) < size))
		r = fail("SO_SNDBUF %d, SO_RCVBUF %d after asking %d", int_opt(c, SOL_SOCKET, SO_SNDBUF),
			 int_opt(c, SOL_SOCKET, SO_RCVBUF), size);
	if (!r) {
		errno = 0;
		r = want_err("getsockopt unknown TCP option", int_opt(c, IPPROTO_TCP, 9999), ENOPROTOOPT);
	}
	close(l);
	close(c);
	return r;
}

/* poll, select and epoll: a listener is readable with a connection queued, a socket with data. */
static int check_tcp_readiness(void)
{
	struct sockaddr_in a;
	int l = listener(&a), c = socket(AF_INET, SOCK_STREAM, 0), s = -1, ep = epoll_create1(0), r;
	struct pollfd p = { l, POLLIN, 0 };
	struct epoll_event ev = { .events = EPOLLIN }, got;
	fd_set rd;
	struct timeval tv = { 0, 0 };

	r = want_eq("poll an idle listener", poll(&p, 1, 0), 0) || want_ok("connect", connect_to(c, &a)) ||
	    want_eq("poll a listener with a connection", poll(&p, 1, 1000), 1) ||
	    want_ok("accept", s = accept(l, NULL, NULL)) ? CHECK_FAIL : 0;
	if (!r)
		r = want_ok("epoll_ctl", epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev)) ||
		    want_eq("epoll_wait on nothing", epoll_wait(ep, &got, 1, 0), 0) ||
		    want_eq("write", write(c, "x", 1), 1) ||
		    want_eq("epoll_wait with data", epoll_wait(ep, &got, 1, 1000), 1) ? CHECK_FAIL : 0;
	if (!r) {
		FD_ZERO(&rd);
		FD_SET(s, &rd);
		r = want_eq("select with data", select(s + 1, &rd, NULL, NULL, &tv), 1);
	}
	if (s >= 0)
		close(s);
	close3(l, c, ep);
	return r;
}

/* accept on a nonblocking listener with nothing queued: EAGAIN; a blocking one wakes for a child's connect. */
static int check_tcp_accept_wait(void)
{
	struct sockaddr_in a;
	int l = listener(&a), s, r;
	pid_t pid;

	fcntl(l, F_SETFL, O_NONBLOCK);
	errno = 0;
	r = want_err("accept with nothing queued", accept(l, NULL, NULL), EAGAIN);
	fcntl(l, F_SETFL, 0);
	if (r)
		return r;
	pid = fork();
	if (pid == 0) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		ms_sleep(50);
		_exit(connect_to(c, &a) == 0 && write(c, "hi", 2) == 2 ? 0 : 1);
	}
	char buf[4];
	r = want_ok("blocking accept", s = accept(l, NULL, NULL)) ||
	    want_eq("read the child's bytes", read(s, buf, sizeof(buf)), 2) || want_exit("client", pid, 0);
	close(s);
	close(l);
	return r;
}

/* sendfile from a file into a connected socket. */
static int check_tcp_sendfile(void)
{
	static char data[100000], back[100000];
	int l, c, s, f, r;
	size_t got = 0;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7);
	if ((f = open(SCRATCH, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0 || write(f, data, sizeof(data)) != sizeof(data))
		return fail("scratch file: %s", errname(errno));
	if (want_ok("connection", tcp_conn(&l, &c, &s))) {
		close(f);
		unlink(SCRATCH);
		return CHECK_FAIL;
	}
	off_t off = 0;
	pid_t pid = fork();
	if (pid == 0)
		_exit(sendfile(c, f, &off, sizeof(data)) == sizeof(data) ? 0 : 1);
	while (got < sizeof(back)) {
		ssize_t n = read(s, back + got, sizeof(back) - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	r = want_exit("sendfile", pid, 0) || want_eq("bytes read", (long)got, sizeof(data)) ? CHECK_FAIL : 0;
	if (!r && memcmp(data, back, sizeof(data)))
		r = fail("the bytes read differ from the file's");
	close(f);
	unlink(SCRATCH);
	close3(l, c, s);
	return r;
}

/* socket(): SOCK_STREAM with IPPROTO_UDP and SOCK_SEQPACKET are refused; UDP-Lite is a datagram socket. */
static int check_socket_errors(void)
{
	int u = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);

	if (want_ok("socket(SOCK_DGRAM, IPPROTO_UDPLITE)", u) ||
	    want_eq("its SO_PROTOCOL", int_opt(u, SOL_SOCKET, SO_PROTOCOL), IPPROTO_UDPLITE))
		return CHECK_FAIL;
	close(u);
	errno = 0;
	if (want_err("socket(SOCK_STREAM, IPPROTO_UDP)", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("socket(SOCK_SEQPACKET)", socket(AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT))
		return CHECK_FAIL;
	/* an O_PATH descriptor is no descriptor to the socket calls (EBADF), a file one is ENOTSOCK */
	int p = open("/", O_PATH), d = open("/", O_RDONLY), r;
	r = want_err("accept on O_PATH", accept(p, NULL, NULL), EBADF) ||
	    want_err("getsockopt on O_PATH", int_opt(p, SOL_SOCKET, SO_TYPE), EBADF) ||
	    want_err("accept on a directory", accept(d, NULL, NULL), ENOTSOCK) ? CHECK_FAIL : 0;
	close(p);
	close(d);
	return r;
}

/* Send without connecting: EPIPE (with SIGPIPE, so MSG_NOSIGNAL here); read: ENOTCONN; getpeername: ENOTCONN. */
static int check_tcp_unconnected(void)
{
	int c = socket(AF_INET, SOCK_STREAM, 0), r;
	char buf[4];
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	errno = 0;
	r = want_err("send unconnected", send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	errno = 0;
	if (!r)
		r = want_err("recv unconnected", recv(c, buf, 1, 0), ENOTCONN);
	errno = 0;
	if (!r)
		r = want_err("getpeername unconnected", getpeername(c, (struct sockaddr *)&a, &len), ENOTCONN);
	close(c);
	return r;
}

/* Linux's tcp_ioctl on a socket with no connection: SIOCATMARK and
 * SIOCINQ say 0 (and EFAULT for a bad pointer: the request is known);
 * on a listener SIOCINQ and SIOCOUTQ are EINVAL, SIOCATMARK is not. */
static int check_tcp_ioctl_unconnected(void)
{
	int c = socket(AF_INET, SOCK_STREAM, 0), l = socket(AF_INET, SOCK_STREAM, 0), v = -1, r;

	r = want_ok("bind", bind_to(c, INADDR_LOOPBACK, 0)) ||
	    want_ok("SIOCATMARK", ioctl(c, SIOCATMARK, &v)) || want_eq("SIOCATMARK's answer", v, 0);
	errno = 0;
	if (!r)
		r = want_err("SIOCATMARK to NULL", ioctl(c, SIOCATMARK, NULL), EFAULT);
	v = -1;
	if (!r)
		r = want_ok("SIOCINQ", ioctl(c, SIOCINQ, &v)) || want_eq("SIOCINQ's answer", v, 0) ||
		    want_ok("bind the listener", bind_to(l, INADDR_LOOPBACK, 0)) ||
		    want_ok("listen", listen(l, 1)) ||
		    want_ok("SIOCATMARK on a listener", ioctl(l, SIOCATMARK, &v));
	errno = 0;
	if (!r)
		r = want_err("SIOCINQ on a listener", ioctl(l, SIOCINQ, &v), EINVAL);
	errno = 0;
	if (!r)
		r = want_err("SIOCOUTQ on a listener", ioctl(l, SIOCOUTQ, &v), EINVAL);
	close(c);
	close(l);
	return r;
}

/* ---- UDP ------------------------------------------------------------------------ */

/* sendto/recvfrom with addresses, boundaries, MSG_TRUNC, connect's default peer, EDESTADDRREQ, port 0. */
static int check_udp(void)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0), r;
	struct sockaddr_in an, from;
	socklen_t flen = sizeof(from);
	char buf[16];

	r = want_ok("bind a", bind_to(a, INADDR_LOOPBACK, 0));
	an = name_of(a, 0);
	errno = 0;
	if (!r)
		r = want_err("send without a destination", send(b, "x", 1, 0), EDESTADDRREQ);
	if (!r) {
		struct sockaddr_in zero = lo_addr(INADDR_LOOPBACK, 0);
		errno = 0;
		r = want_err("sendto port 0", sendto(b, "x", 1, 0, (struct sockaddr *)&zero, sizeof(zero)), EINVAL);
	}
	if (!r)
		r = want_eq("sendto one", sendto(b, "one", 3, 0, (struct sockaddr *)&an, sizeof(an)), 3) ||
		    want_eq("sendto two", sendto(b, "second", 6, 0, (struct sockaddr *)&an, sizeof(an)), 6) ||
		    want_eq("recvfrom one", recvfrom(a, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen), 3) ? CHECK_FAIL : 0;
	if (!r) {
		struct sockaddr_in bn = name_of(b, 0);
		if (flen != sizeof(from) || from.sin_port != bn.sin_port || !bn.sin_port ||
		    from.sin_addr.s_addr != htonl(INADDR_LOOPBACK))
			r = fail("recvfrom's address %s:%d, want 127.0.0.1:%d", inet_ntoa(from.sin_addr),
				 ntohs(from.sin_port), ntohs(bn.sin_port));
	}
	if (!r) {
		struct iovec v = { buf, 3 };
		struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
		r = want_eq("recvmsg of 6 into 3", recvmsg(a, &m, 0), 3);
		if (!r && !(m.msg_flags & MSG_TRUNC))
			r = fail("recvmsg: no MSG_TRUNC");
	}
	if (!r)
		r = want_ok("connect b to a", connect_to(b, &an)) || want_eq("send", send(b, "c", 1, 0), 1) ||
		    want_eq("recv", recv(a, buf, sizeof(buf), 0), 1) ||
		    want_eq("getpeername's port", ntohs(name_of(b, 1).sin_port), ntohs(an.sin_port)) ? CHECK_FAIL : 0;
	close(a);
	close(b);
	return r;
}

/* recv(MSG_DONTWAIT) on a: the datagram's length, -1 with EAGAIN when none. */
static long udp_take(int a, char *buf, size_t n)
{
	return recv(a, buf, n, MSG_DONTWAIT);
}

#ifndef UDP_CORK
#define UDP_CORK 1
#endif

/*
 * udp(7): MSG_MORE and UDP_CORK gather sends into one datagram, sent by
 * the first send without them (or by clearing UDP_CORK); while one is
 * pending a later sendto's address is ignored; one that would pass
 * 65507 bytes is EMSGSIZE and the pending bytes are dropped.
 */
static int check_udp_cork(void)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0), one = 1, zero = 0, v = -1;
	int t = socket(AF_INET, SOCK_STREAM, 0);
	static char big[65507];
	char buf[64];
	struct sockaddr_in an, nowhere = lo_addr(INADDR_LOOPBACK, 9);
	socklen_t vl = sizeof(v);
	int r = want_ok("bind a", bind_to(a, INADDR_LOOPBACK, 0));

	an = name_of(a, 0);
	if (!r)
		r = want_eq("sendto 16 MSG_MORE", sendto(b, "0123456789abcdef", 16, MSG_MORE, (struct sockaddr *)&an,
							 sizeof(an)), 16) ||
		    want_err("nothing yet", udp_take(a, buf, sizeof(buf)), EAGAIN) ||
		    want_eq("send 1 more, to port 9", sendto(b, "g", 1, 0, (struct sockaddr *)&nowhere, sizeof(nowhere)), 1) ||
		    want_eq("one datagram of 17", udp_take(a, buf, sizeof(buf)), 17) ? CHECK_FAIL : 0;
	if (!r && memcmp(buf, "0123456789abcdefg", 17))
		r = fail("the datagram's bytes are not the sends' in order");
	if (!r)
		r = want_ok("UDP_CORK on", setsockopt(b, IPPROTO_UDP, UDP_CORK, &one, sizeof(one))) ||
		    want_ok("UDP_CORK read", getsockopt(b, IPPROTO_UDP, UDP_CORK, &v, &vl)) ||
		    want_eq("UDP_CORK reads 1", v, 1) ||
		    want_eq("corked sendto", sendto(b, "ab", 2, 0, (struct sockaddr *)&an, sizeof(an)), 2) ||
		    want_eq("corked sendto 2", sendto(b, "cd", 2, 0, (struct sockaddr *)&an, sizeof(an)), 2) ||
		    want_err("still nothing", udp_take(a, buf, sizeof(buf)), EAGAIN) ||
		    want_ok("UDP_CORK off", setsockopt(b, IPPROTO_UDP, UDP_CORK, &zero, sizeof(zero))) ||
		    want_eq("uncorked: one of 4", udp_take(a, buf, sizeof(buf)), 4) ? CHECK_FAIL : 0;
	if (!r)
		r = want_eq("MSG_MORE 10", sendto(b, big, 10, MSG_MORE, (struct sockaddr *)&an, sizeof(an)), 10) ||
		    want_err("past 65507 in all", sendto(b, big, sizeof(big), MSG_MORE, (struct sockaddr *)&an,
							  sizeof(an)), EMSGSIZE) ||
		    want_eq("after the drop, 3 alone", sendto(b, "xyz", 3, 0, (struct sockaddr *)&an, sizeof(an)), 3) ||
		    want_eq("a datagram of 3", udp_take(a, buf, sizeof(buf)), 3) ? CHECK_FAIL : 0;
	if (!r)
		r = want_err("UDP_CORK on TCP", setsockopt(t, IPPROTO_UDP, UDP_CORK, &one, sizeof(one)), ENOPROTOOPT);
	close(t);
	close(a);
	close(b);
	return r;
}

#ifndef IPV6_ADDRFORM
#define IPV6_ADDRFORM 1
#endif

/* [::1]:port (host order). */
static struct sockaddr_in6 lo6_addr(uint16_t port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	return a;
}

/*
 * The same over IPv6 (udp(7), Linux's udpv6_sendmsg): MSG_MORE and
 * UDP_CORK gather sends to ::1 into one datagram; and while an IPv6
 * datagram is pending, IPV6_ADDRFORM is EBUSY (before its ENOTCONN).
 */
static int check_udp6_cork(void)
{
	int a = socket(AF_INET6, SOCK_DGRAM, 0), b = socket(AF_INET6, SOCK_DGRAM, 0), one = 1, zero = 0;
	struct sockaddr_in6 an = lo6_addr(0);
	socklen_t len = sizeof(an);
	char buf[64];
	int r = want_ok("bind a to [::1]", bind(a, (struct sockaddr *)&an, sizeof(an))) ||
		want_ok("a's name", getsockname(a, (struct sockaddr *)&an, &len)) ? CHECK_FAIL : 0;
	if (!r)
		r = want_eq("sendto 16 MSG_MORE", sendto(b, "0123456789abcdef", 16, MSG_MORE, (struct sockaddr *)&an,
							 sizeof(an)), 16) ||
		    want_err("nothing yet", udp_take(a, buf, sizeof(buf)), EAGAIN) ||
		    want_err("IPV6_ADDRFORM with it pending",
			     setsockopt(b, IPPROTO_IPV6, IPV6_ADDRFORM, &(int){ AF_INET }, sizeof(int)), EBUSY) ||
		    want_eq("send 1 more", sendto(b, "g", 1, 0, (struct sockaddr *)&an, sizeof(an)), 1) ||
		    want_eq("one datagram of 17", udp_take(a, buf, sizeof(buf)), 17) ? CHECK_FAIL : 0;
	if (!r && memcmp(buf, "0123456789abcdefg", 17))
		r = fail("the datagram's bytes are not the sends' in order");
	if (!r)
		r = want_ok("UDP_CORK on", setsockopt(b, IPPROTO_UDP, UDP_CORK, &one, sizeof(one))) ||
		    want_eq("corked sendto", sendto(b, "ab", 2, 0, (struct sockaddr *)&an, sizeof(an)), 2) ||
		    want_eq("corked sendto 2", sendto(b, "cd", 2, 0, (struct sockaddr *)&an, sizeof(an)), 2) ||
		    want_err("still nothing", udp_take(a, buf, sizeof(buf)), EAGAIN) ||
		    want_ok("UDP_CORK off", setsockopt(b, IPPROTO_UDP, UDP_CORK, &zero, sizeof(zero))) ||
		    want_eq("uncorked: one of 4", udp_take(a, buf, sizeof(buf)), 4) ? CHECK_FAIL : 0;
	close(a);
	close(b);
	return r;
}

/* A connected UDP socket takes only its peer's datagrams; to an unbound port a send still succeeds. */
static int check_udp_connected(void)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0), x = socket(AF_INET, SOCK_DGRAM, 0), r;
	struct sockaddr_in an, bn, gone;
	char buf[8];

	r = want_ok("bind a", bind_to(a, INADDR_LOOPBACK, 0)) || want_ok("bind b", bind_to(b, INADDR_LOOPBACK, 0));
	an = name_of(a, 0);
	bn = name_of(b, 0);
	if (!r)
		r = want_ok("connect a to b", connect_to(a, &bn)) ||
		    want_eq("x sends to a", sendto(x, "no", 2, 0, (struct sockaddr *)&an, sizeof(an)), 2) ||
		    want_eq("b sends to a", sendto(b, "yes", 3, 0, (struct sockaddr *)&an, sizeof(an)), 3) ||
		    want_eq("a receives b's only", recv(a, buf, sizeof(buf), 0), 3) ? CHECK_FAIL : 0;
	errno = 0;
	if (!r)
		r = want_err("nothing more for a", recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	if (!r) {
		int t = socket(AF_INET, SOCK_DGRAM, 0);
		bind_to(t, INADDR_LOOPBACK, 0);
		gone = name_of(t, 0);
		close(t);
		r = want_eq("sendto a port nobody holds", sendto(x, "lost", 4, 0, (struct sockaddr *)&gone, sizeof(gone)), 4);
	}
	close(a);
	close(b);
	close(x);
	return r;
}

/* A blocked recvfrom wakes for a child's datagram; poll sees POLLIN; UDP sockets are always writable. */
static int check_udp_wait(void)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0), r;
	struct sockaddr_in an;
	struct pollfd p = { a, POLLIN | POLLOUT, 0 };
	char buf[8];

	r = want_ok("bind", bind_to(a, INADDR_LOOPBACK, 0)) || want_eq("poll idle", poll(&p, 1, 0), 1);
	if (!r && p.revents != POLLOUT)
		r = fail("poll idle: revents %#x, want POLLOUT", p.revents);
	an = name_of(a, 0);
	if (!r) {
		pid_t pid = fork();
		if (pid == 0) {
			int b = socket(AF_INET, SOCK_DGRAM, 0);
			ms_sleep(50);
			_exit(sendto(b, "wake", 4, 0, (struct sockaddr *)&an, sizeof(an)) == 4 ? 0 : 1);
		}
		r = want_eq("blocking recv", recv(a, buf, sizeof(buf), 0), 4) || want_exit("sender", pid, 0);
	}
	close(a);
	return r;
}

/* A connected UDP socket whose peer's port nobody holds: the send passes, then ECONNREFUSED (POLLERR) once. */
static int check_udp_refused(void)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0), t = socket(AF_INET, SOCK_DGRAM, 0), r;
	struct sockaddr_in gone;
	struct pollfd p = { a, POLLIN, 0 };
	char buf[4];

	bind_to(t, INADDR_LOOPBACK, 0);
	gone = name_of(t, 0);
	close(t);
	r = want_ok("connect to a port nobody holds", connect_to(a, &gone)) ||
	    want_eq("send", send(a, "q", 1, 0), 1) || want_eq("poll", poll(&p, 1, 1000), 1) ? CHECK_FAIL : 0;
	if (!r && !(p.revents & POLLERR))
		r = fail("poll: revents %#x, want POLLERR", p.revents);
	errno = 0;
	if (!r)
		r = want_err("recv after the refusal", recv(a, buf, sizeof(buf), MSG_DONTWAIT), ECONNREFUSED);
	errno = 0;
	if (!r)
		r = want_err("the error is reported once", recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	close(a);
	return r;
}

/* ---- IPv6 ------------------------------------------------------------------------ */

/* [::1]:port, or [::ffff:a.b.c.d]:port for a nonzero v4 (host order) */
static struct sockaddr_in6 in6_addr(uint32_t v4, uint16_t port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	if (v4) {
		uint32_t be = htonl(v4);
		a.sin6_addr.s6_addr[10] = a.sin6_addr.s6_addr[11] = 0xff;
		memcpy(&a.sin6_addr.s6_addr[12], &be, sizeof(be));
	} else {
		a.sin6_addr = in6addr_loopback;
	}
	return a;
}

static struct sockaddr_in6 name6_of(int fd, int peer)
{
	struct sockaddr_in6 a = { 0 };
	socklen_t len = sizeof(a);

	if ((peer ? getpeername(fd, (struct sockaddr *)&a, &len) : getsockname(fd, (struct sockaddr *)&a, &len)) ||
	    len != sizeof(a))
		memset(&a, 0, sizeof(a));
	return a;
}

/* An IPv6 socket of TYPE bound to [::1]:0 (any: [::]:0), or -1 with the skip reason. */
static int bound6(int type, int any)
{
	struct sockaddr_in6 a = in6_addr(0, 0);
	int fd = socket(AF_INET6, type, 0);

	if (any)
		a.sin6_addr = in6addr_any;
	if (fd < 0) {
		skip("socket(AF_INET6): %s", errname(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		skip("bind [::1]:0: %s (no IPv6 loopback here)", errname(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* TCP over ::1: names are struct sockaddr_in6 both ways; bind errors; SO_DOMAIN. */
static int check_tcp6(void)
{
	int l = bound6(SOCK_STREAM, 0), c, s = -1, r;
	struct sockaddr_in6 a, p, far = in6_addr(0, 0);
	socklen_t plen = sizeof(p);
	char buf[8];

	if (l < 0)
		return CHECK_SKIP;
	a = name6_of(l, 0);
	c = socket(AF_INET6, SOCK_STREAM, 0);
	r = want_ok("listen", listen(l, 4)) || want_ok("connect [::1]", connect(c, (struct sockaddr *)&a, sizeof(a))) ||
	    want_ok("accept", s = accept(l, (struct sockaddr *)&p, &plen)) ||
	    want_eq("SO_DOMAIN", int_opt(c, SOL_SOCKET, SO_DOMAIN), AF_INET6) ? CHECK_FAIL : 0;
	if (!r && (plen != sizeof(p) || p.sin6_family != AF_INET6 || !IN6_IS_ADDR_LOOPBACK(&p.sin6_addr) ||
		   p.sin6_port != name6_of(c, 0).sin6_port || name6_of(c, 1).sin6_port != a.sin6_port))
		r = fail("accept's address: family %d len %u port %d, client port %d",
			 p.sin6_family, plen, ntohs(p.sin6_port), ntohs(name6_of(c, 0).sin6_port));
	if (!r)
		r = want_eq("write", write(c, "six", 3), 3) || want_eq("read", read(s, buf, sizeof(buf)), 3) ? CHECK_FAIL : 0;
	if (!r) {
		int b = socket(AF_INET6, SOCK_STREAM, 0);
		far.sin6_addr.s6_addr[0] = 0x20; /* 2001:db8::1, documentation */
		far.sin6_addr.s6_addr[1] = 0x01;
		far.sin6_addr.s6_addr[2] = 0x0d;
		far.sin6_addr.s6_addr[3] = 0xb8;
		errno = 0;
		r = want_err("bind 2001:db8::1", bind(b, (struct sockaddr *)&far, sizeof(far)), EADDRNOTAVAIL);
		errno = 0;
		if (!r)
			r = want_err("bind with 23 bytes", bind(b, (struct sockaddr *)&a, 23), EINVAL);
		close(b);
	}
	if (s >= 0)
		close(s);
	close(l);
	close(c);
	return r;
}

/* An IPv6 listener on [::] takes IPv4 clients (accept names them ::ffff:127.0.0.1) unless IPV6_V6ONLY; an IPv4 listener takes no IPv6 client. */
static int check_tcp6_dualstack(void)
{
	int l = bound6(SOCK_STREAM, 1), c = socket(AF_INET, SOCK_STREAM, 0), s = -1, r, one = 1;
	struct sockaddr_in6 p, mapped = in6_addr(INADDR_LOOPBACK, 0);
	socklen_t plen = sizeof(p);
	struct sockaddr_in a4;

	if (l < 0) {
		close(c);
		return CHECK_SKIP;
	}
	a4 = lo_addr(INADDR_LOOPBACK, ntohs(name6_of(l, 0).sin6_port));
	r = want_eq("IPV6_V6ONLY default", int_opt(l, IPPROTO_IPV6, IPV6_V6ONLY), 0) ||
	    want_ok("listen [::]", listen(l, 4)) || want_ok("IPv4 connect", connect_to(c, &a4)) ||
	    want_ok("accept", s = accept(l, (struct sockaddr *)&p, &plen)) ? CHECK_FAIL : 0;
	if (!r && (plen != sizeof(p) || memcmp(&p.sin6_addr, &mapped.sin6_addr, 16) ||
		   p.sin6_port != name_of(c, 0).sin_port))
		r = fail("accept's address: len %u, not ::ffff:127.0.0.1 and the client's port", plen);
	if (s >= 0)
		close(s);
	close(l);
	close(c);
	if (r)
		return r;
	/* IPV6_V6ONLY: IPv4 is refused */
	l = socket(AF_INET6, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in6 any = in6_addr(0, 0);
	any.sin6_addr = in6addr_any;
	r = want_ok("IPV6_V6ONLY", setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) ||
	    want_ok("bind [::]", bind(l, (struct sockaddr *)&any, sizeof(any))) || want_ok("listen", listen(l, 1)) ? CHECK_FAIL : 0;
	a4 = lo_addr(INADDR_LOOPBACK, ntohs(name6_of(l, 0).sin6_port));
	errno = 0;
	if (!r)
		r = want_err("IPv4 connect to an IPV6_V6ONLY listener", connect_to(c, &a4), ECONNREFUSED);
	close(l);
	close(c);
	if (r)
		return r;
	/* an IPv4 listener and an IPv6 client */
	struct sockaddr_in la;
	l = listener(&la);
	c = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 to = in6_addr(0, ntohs(la.sin_port));
	errno = 0;
	r = want_err("connect [::1] to an IPv4 listener's port", connect(c, (struct sockaddr *)&to, sizeof(to)), ECONNREFUSED);
	close(l);
	close(c);
	return r;
}

/* UDP over ::1 (recvfrom names the sender in a struct sockaddr_in6); an IPv6 socket reaches an IPv4 one at ::ffff:127.0.0.1. */
static int check_udp6(void)
{
	int a = bound6(SOCK_DGRAM, 0), b, v4 = socket(AF_INET, SOCK_DGRAM, 0), r;
	struct sockaddr_in6 an, from;
	struct sockaddr_in f4;
	socklen_t flen = sizeof(from), f4len = sizeof(f4);
	char buf[8];

	if (a < 0) {
		close(v4);
		return CHECK_SKIP;
	}
	an = name6_of(a, 0);
	b = socket(AF_INET6, SOCK_DGRAM, 0);
	r = want_eq("sendto [::1]", sendto(b, "v6", 2, 0, (struct sockaddr *)&an, sizeof(an)), 2) ||
	    want_eq("recvfrom", recvfrom(a, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen), 2) ? CHECK_FAIL : 0;
	if (!r && (flen != sizeof(from) || !IN6_IS_ADDR_LOOPBACK(&from.sin6_addr) ||
		   from.sin6_port != name6_of(b, 0).sin6_port))
		r = fail("recvfrom's address: len %u, port %d, want [::1]:%d", flen, ntohs(from.sin6_port),
			 ntohs(name6_of(b, 0).sin6_port));
	if (!r)
		r = want_ok("bind IPv4", bind_to(v4, INADDR_LOOPBACK, 0));
	if (!r) {
		struct sockaddr_in6 m = in6_addr(INADDR_LOOPBACK, ntohs(name_of(v4, 0).sin_port));
		int c = socket(AF_INET6, SOCK_DGRAM, 0);
		r = want_eq("sendto ::ffff:127.0.0.1", sendto(c, "m", 1, 0, (struct sockaddr *)&m, sizeof(m)), 1) ||
		    want_eq("IPv4 recvfrom", recvfrom(v4, buf, sizeof(buf), 0, (struct sockaddr *)&f4, &f4len), 1) ? CHECK_FAIL : 0;
		if (!r && (f4len != sizeof(f4) || f4.sin_family != AF_INET || f4.sin_addr.s_addr != htonl(INADDR_LOOPBACK)))
			r = fail("IPv4 recvfrom's address: family %d len %u %s", f4.sin_family, f4len, inet_ntoa(f4.sin_addr));
		close(c);
	}
	close(a);
	close(b);
	close(v4);
	return r;
}

/* RFC 3542: a receiver with IPV6_RECVHOPLIMIT gets the hop limit the sender's IPV6_HOPLIMIT control message set. */
static int check_udp6_hoplimit(void)
{
	int a = bound6(SOCK_DGRAM, 0), b, one = 1, hops = 7, got = -1, r;
	struct sockaddr_in6 an;
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } out, in;
	char data[4];
	struct iovec v = { (void *)"hop", 3 }, rv = { data, sizeof(data) };
	struct msghdr sm = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = out.buf, .msg_controllen = sizeof(out.buf) };
	struct msghdr rm = { .msg_iov = &rv, .msg_iovlen = 1, .msg_control = in.buf, .msg_controllen = sizeof(in.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&sm);

	if (a < 0)
		return CHECK_SKIP;
	an = name6_of(a, 0);
	sm.msg_name = &an;
	sm.msg_namelen = sizeof(an);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_HOPLIMIT;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &hops, sizeof(hops));
	b = socket(AF_INET6, SOCK_DGRAM, 0);
	r = want_ok("IPV6_RECVHOPLIMIT", setsockopt(a, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one))) ||
	    want_eq("sendmsg with IPV6_HOPLIMIT 7", sendmsg(b, &sm, 0), 3) ||
	    want_eq("recvmsg", recvmsg(a, &rm, 0), 3) ? CHECK_FAIL : 0;
	c = r ? NULL : CMSG_FIRSTHDR(&rm);
	if (!r && (!c || c->cmsg_level != IPPROTO_IPV6 || c->cmsg_type != IPV6_HOPLIMIT ||
		   c->cmsg_len != CMSG_LEN(sizeof(int)) || (memcpy(&got, CMSG_DATA(c), sizeof(got)), got != hops)))
		r = fail("recvmsg's control message: %s, hop limit %d, want IPV6_HOPLIMIT 7",
			 c ? "present" : "none", got);
	close(a);
	close(b);
	return r;
}

/* ---- a connection as the wire sees it ----------------------------------------------- */

/* The line of the connection me -> peer in /proc/net/tcp: its state
 * (the st column, hex), or -1 when none. */
static int proc_tcp_state_of(const struct sockaddr_in *me, const struct sockaddr_in *peer)
{
	char line[256], want[64];
	int st = -1;
	FILE *f = fopen("/proc/net/tcp", "r");

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "%08X:%04X %08X:%04X ", me->sin_addr.s_addr, ntohs(me->sin_port),
		 peer->sin_addr.s_addr, ntohs(peer->sin_port));
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');
		if (p && !strncmp(p + 2, want, strlen(want)))
			sscanf(p + 2 + strlen(want), "%x", (unsigned *)&st);
	}
	fclose(f);
	return st;
}

/* fd's connection's state in /proc/net/tcp. */
static int proc_tcp_state(int fd)
{
	struct sockaddr_in me = name_of(fd, 0), peer = name_of(fd, 1);

	return proc_tcp_state_of(&me, &peer);
}

/* A loopback connection is a TCP connection (tcp(7)): TCP_INFO on both
 * ends says ESTABLISHED with lo's MSS (at most 65483: 65535 less 40
 * bytes of headers and 12 of timestamps; Linux halves it while the
 * window is small), TCP_MAXSEG the same, and /proc/net/tcp lists both
 * ends in state 01. */
static int check_tcp_info_lo(void)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	int l, c, s, r = 0;

	if (want_ok("a loopback connection", tcp_conn(&l, &c, &s)))
		return CHECK_FAIL;
	for (int i = 0; i < 2 && !r; i++) {
		int fd = i ? s : c;
		memset(&ti, 0, sizeof(ti));
		len = sizeof(ti);
		if ((r = want_ok("getsockopt(TCP_INFO)", getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))))
			break;
		if (ti.tcpi_state != TCP_ESTABLISHED || ti.tcpi_snd_mss <= 1460 || ti.tcpi_snd_mss > 65483)
			r = fail("%s: tcpi_state %u snd_mss %u, want %u and lo's (1461-65483)",
				 i ? "server" : "client", ti.tcpi_state, ti.tcpi_snd_mss, TCP_ESTABLISHED);
		else if (int_opt(fd, IPPROTO_TCP, TCP_MAXSEG) != (int)ti.tcpi_snd_mss)
			r = fail("TCP_MAXSEG %d, want tcpi_snd_mss %u", int_opt(fd, IPPROTO_TCP, TCP_MAXSEG),
				 ti.tcpi_snd_mss);
		else if (proc_tcp_state(fd) != TCP_ESTABLISHED)
			r = fail("/proc/net/tcp: %s's state %d, want 1", i ? "server" : "client", proc_tcp_state(fd));
	}
	close3(l, c, s);
	return r;
}

static unsigned unacked(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) ? ~0u : ti.tcpi_unacked;
}

static long long mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* TCP_QUICKACK as Linux's: 1 on a new connection, 0 (pingpong mode:
 * the ACK of data waits to ride on a reply, even in the quick-ACK mode
 * a connection starts in) and back; turned on again with an ACK held
 * back and the data read, the ACK goes at once (Kestrel may have sent
 * it with the read already, as a window update). The delayed-ACK timer (40 ms) would send
 * it anyway: what was seen only within QUICKACK_FAST_MS counts. */
#define QUICKACK_FAST_MS 20
static int check_tcp_quickack(void)
{
	int l, c, s, zero = 0, one = 1, r;
	char b;

	if (want_ok("a loopback connection", tcp_conn(&l, &c, &s)))
		return CHECK_FAIL;
	r = want_eq("TCP_QUICKACK of a new connection", int_opt(s, IPPROTO_TCP, TCP_QUICKACK), 1) ||
	    want_ok("TCP_QUICKACK 0", setsockopt(s, IPPROTO_TCP, TCP_QUICKACK, &zero, sizeof(zero))) ||
	    want_eq("TCP_QUICKACK reads 0", int_opt(s, IPPROTO_TCP, TCP_QUICKACK), 0) ? CHECK_FAIL : 0;
	long long t0 = mono_ms();
	if (!r)
		r = want_eq("a byte sent", write(c, "q", 1), 1);
	unsigned held = unacked(c);
	if (!r && held != 1 && mono_ms() - t0 < QUICKACK_FAST_MS)
		r = fail("in pingpong mode the byte was acknowledged at once (%u unacked)", held);
	if (!r)
		r = want_eq("...and read", read(s, &b, 1), 1);
	if (!r)
		r = want_ok("TCP_QUICKACK 1", setsockopt(s, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one))) ||
		    want_eq("TCP_QUICKACK reads 1", int_opt(s, IPPROTO_TCP, TCP_QUICKACK), 1) ? CHECK_FAIL : 0;
	if (!r && held == 1 && unacked(c) != 0)
		r = fail("the held-back ACK did not go when TCP_QUICKACK was set: %u unacked", unacked(c));
	close3(l, c, s);
	return r;
}

/* Fill c's buffers (nothing is read) with bytes numbered from *n on,
 * until a nonblocking write says EAGAIN: 0, or -1 on another error. */
static int fill_until_eagain(int c, unsigned long *n)
{
	unsigned char b[4096];
	for (;;) {
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)((*n + i) % 251);
		ssize_t w = write(c, b, sizeof(b));
		if (w < 0)
			return errno == EAGAIN ? 0 : -1;
		*n += (unsigned long)w;
	}
}

/* SO_SNDBUF raised on a connection whose send buffer is full takes
 * effect at once (Linux's sk_sndbuf): the next write fits, and every
 * byte queued before and after arrives in order. */
static int check_tcp_sndbuf_grow(void)
{
	int l, c, s, small = 16384, big = 262144, r;
	unsigned long sent = 0, got = 0;

	if (want_ok("a loopback connection", tcp_conn(&l, &c, &s)))
		return CHECK_FAIL;
	fcntl(c, F_SETFL, O_NONBLOCK);
	r = want_ok("SO_SNDBUF 16 KiB", setsockopt(c, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small))) ||
	    want_ok("writes until EAGAIN", fill_until_eagain(c, &sent)) ||
	    want_ok("SO_SNDBUF 256 KiB", setsockopt(c, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big))) ? CHECK_FAIL : 0;
	if (!r) {
		unsigned char b = (unsigned char)(sent % 251);
		ssize_t w = write(c, &b, 1);
		if (w != 1)
			r = fail("a write after raising SO_SNDBUF: %zd (%s), want 1", w, w < 0 ? strerror(errno) : "");
		else
			sent++;
	}
	shutdown(c, SHUT_WR);
	for (unsigned char b[4096]; !r;) {
		ssize_t k = read(s, b, sizeof(b));
		if (k <= 0) {
			if (k < 0 || got != sent)
				r = fail("read %lu of %lu bytes (%s)", got, sent, k < 0 ? strerror(errno) : "end");
			break;
		}
		for (ssize_t i = 0; i < k && !r; i++, got++)
			if (b[i] != (unsigned char)(got % 251))
				r = fail("byte %lu is %u, want %lu", got, b[i], got % 251);
	}
	close3(l, c, s);
	return r;
}

/* 4 MiB each way at once through one loopback connection, both ends
 * nonblocking under poll: every byte arrives, in order (windows fill
 * and open, neither end waits on the other for ever). */
static int check_tcp_bulk(void)
{
	enum { TOTAL = 4 << 20, CHUNK = 65536 };
	static unsigned char out[CHUNK], in[CHUNK];
	size_t sent[2] = { 0 }, got[2] = { 0 };
	int l, c, s, r = 0;

	if (want_ok("a loopback connection", tcp_conn(&l, &c, &s)))
		return CHECK_FAIL;
	for (int i = 0; i < CHUNK; i++)
		out[i] = (unsigned char)(i * 7 + i / 251);
	int fds[2] = { c, s };
	fcntl(c, F_SETFL, O_NONBLOCK);
	fcntl(s, F_SETFL, O_NONBLOCK);
	while (!r && (got[0] < TOTAL || got[1] < TOTAL)) {
		struct pollfd p[2] = { { c, POLLIN | (sent[0] < TOTAL ? POLLOUT : 0), 0 },
				       { s, POLLIN | (sent[1] < TOTAL ? POLLOUT : 0), 0 } };
		if (poll(p, 2, 10000) <= 0) {
			r = fail("poll: nothing ready for 10 s (sent %zu/%zu, got %zu/%zu)", sent[0], sent[1],
				 got[0], got[1]);
			break;
		}
		for (int i = 0; i < 2 && !r; i++) {
			if ((p[i].revents & POLLOUT) && sent[i] < TOTAL) {
				size_t off = sent[i] % CHUNK, n = CHUNK - off;
				ssize_t w = write(fds[i], out + off, n);
				if (w > 0)
					sent[i] += (size_t)w;
			}
			if (p[i].revents & POLLIN) {
				ssize_t n = read(fds[i], in, sizeof(in));
				if (n <= 0) {
					r = fail("read: %zd after %zu bytes", n, got[i]);
					break;
				}
				for (ssize_t k = 0; k < n && !r; k++)
					if (in[k] != out[(got[i] + (size_t)k) % CHUNK])
						r = fail("byte %zu wrong", got[i] + (size_t)k);
				got[i] += (size_t)n;
			}
		}
	}
	close3(l, c, s);
	return r;
}

/* The end that closes first waits in TIME-WAIT (state 06 in
 * /proc/net/tcp, for 60 s on Linux) even while its program still holds
 * the socket, which is closed meanwhile: getpeername says ENOTCONN. */
static int check_tcp_time_wait(void)
{
	struct sockaddr_in me, peer;
	int l, c, s, r;
	char b;

	if (want_ok("a loopback connection", tcp_conn(&l, &c, &s)))
		return CHECK_FAIL;
	me = name_of(c, 0);
	peer = name_of(c, 1);
	shutdown(c, SHUT_WR);
	r = want_eq("read the client's FIN", read(s, &b, 1), 0);
	close(s);
	if (!r)
		r = want_eq("read the server's FIN", read(c, &b, 1), 0);
	if (!r && proc_tcp_state_of(&me, &peer) != 6) /* TCP_TIME_WAIT */
		r = fail("/proc/net/tcp: the first closer's state %d, want 6 (TIME_WAIT)",
			 proc_tcp_state_of(&me, &peer));
	if (!r) {
		socklen_t len = sizeof(peer);
		r = want_err("getpeername in TIME-WAIT", getpeername(c, (struct sockaddr *)&peer, &len), ENOTCONN);
	}
	close(c);
	close(l);
	return r;
}

/* Sets fd's SO_SNDBUF and SO_RCVBUF to the most allowed (Linux caps at
 * wmem_max and rmem_max). */
static void big_buffers(int fd)
{
	int big = 1 << 30;

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
}

/* Connects fd to *a within ms: 0, or the errno (ETIMEDOUT past ms). */
static int connect_within(int fd, const struct sockaddr_in *a, int ms)
{
	int err = 0;
	socklen_t len = sizeof(err);
	struct pollfd p = { fd, POLLOUT, 0 };

	fcntl(fd, F_SETFL, O_NONBLOCK);
	if (connect_to(fd, a) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return errno;
	if (poll(&p, 1, ms) != 1)
		return ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return errno;
	fcntl(fd, F_SETFL, 0);
	return err;
}

/* Linux's socket buffer sizes are limits, not allocations: connections
 * are made under TCP memory pressure too (their buffers moderated toward
 * tcp_rmem[0] and tcp_wmem[0]). MANY_PAIRS loopback connections whose
 * four ends ask the largest buffers, more in all than an eighth of RAM at
 * Kestrel's ring sizes: every one connects and carries a message each
 * way. */
#define MANY_PAIRS 96
#define MANY_MSG 2048                  /* under the smallest ring: blocking writes return */
static int check_tcp_many_buffers(void)
{
	static int fds[MANY_PAIRS][2];
	static char out[MANY_MSG], in[MANY_MSG];
	struct sockaddr_in a;
	int l = socket(AF_INET, SOCK_STREAM, 0), r = CHECK_OK, made = 0;

	if (l < 0)
		return fail("socket: %s", errname(errno));
	big_buffers(l); /* the accepted ends take the listener's */
	if (bind_to(l, INADDR_LOOPBACK, 0) || listen(l, 8)) {
		close(l);
		return fail("bind/listen: %s", errname(errno));
	}
	a = name_of(l, 0);
	for (; made < MANY_PAIRS && r == CHECK_OK; made++) {
		int c = socket(AF_INET, SOCK_STREAM, 0), err;

		fds[made][0] = c;
		fds[made][1] = -1;
		big_buffers(c);
		if ((err = connect_within(c, &a, 5000)) != 0)
			r = fail("connection %d of %d: connect: %s", made + 1, MANY_PAIRS, errname(err));
		else if ((fds[made][1] = accept(l, NULL, NULL)) < 0)
			r = fail("connection %d of %d: accept: %s", made + 1, MANY_PAIRS, errname(errno));
	}
	memset(out, 'm', sizeof(out));
	for (int i = 0; i < made && r == CHECK_OK; i++)
		for (int dir = 0; dir < 2 && r == CHECK_OK; dir++) {
			int from = fds[i][dir], to = fds[i][!dir];
			size_t got = 0;
			if (write(from, out, sizeof(out)) != (ssize_t)sizeof(out))
				r = fail("connection %d: write: %s", i + 1, errname(errno));
			while (r == CHECK_OK && got < sizeof(in)) {
				ssize_t n = read(to, in + got, sizeof(in) - got);
				if (n <= 0)
					r = fail("connection %d: read: %zd after %zu bytes", i + 1, n, got);
				else
					got += (size_t)n;
			}
		}
	for (int i = 0; i < made; i++) {
		close(fds[i][0]);
		if (fds[i][1] >= 0)
			close(fds[i][1]);
	}
	close(l);
	if (r == CHECK_OK)
		remark("%d connections with the largest buffers asked, each carrying %d bytes each way",
		       MANY_PAIRS, MANY_MSG);
	return r;
}

/* /proc/net/sockstat's TCP orphan count and memory in pages: 0, or -1. */
static int tcp_sockstat(unsigned *orphan, long *mem_pages)
{
	char buf[1024];
	const char *t = file_text("/proc/net/sockstat", buf, sizeof(buf)) > 0 ? strstr(buf, "\nTCP: ") : NULL;

	if (!t || sscanf(t, "\nTCP: inuse %*u orphan %u tw %*u alloc %*u mem %ld", orphan, mem_pages) != 2)
		return -1;
	return 0;
}

/* n connections over 127.0.0.1 through a new listener, *l: the clients
 * (SO_RCVBUF rcvbuf first, unless 0) in c, the accepted ends in sv.
 * CHECK_OK, or the failure, with what was made closed. */
static int lo_pairs(int n, int rcvbuf, int c[], int sv[], int *l)
{
	int made = 0, r = CHECK_OK;
	struct sockaddr_in a;

	*l = socket(AF_INET, SOCK_STREAM, 0);
	if (*l < 0 || bind_to(*l, INADDR_LOOPBACK, 0) || listen(*l, n)) {
		r = fail("listener: %s", errname(errno));
		if (*l >= 0)
			close(*l);
		return r;
	}
	a = name_of(*l, 0);
	for (; made < n && r == CHECK_OK; made++) {
		int err;
		c[made] = socket(AF_INET, SOCK_STREAM, 0);
		sv[made] = -1;
		if (rcvbuf)
			setsockopt(c[made], SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
		if ((err = connect_within(c[made], &a, 5000)) != 0)
			r = fail("connection %d: connect: %s", made + 1, errname(err));
		else if ((sv[made] = accept(*l, NULL, NULL)) < 0)
			r = fail("connection %d: accept: %s", made + 1, errname(errno));
	}
	if (r == CHECK_OK)
		return r;
	for (int i = 0; i < made; i++) {
		close(c[i]);
		if (sv[i] >= 0)
			close(sv[i]);
	}
	close(*l);
	return r;
}

/* Writes to non-blocking fd until no more room comes within 100 ms: the bytes written. */
static long fill_send(int fd)
{
	static char chunk[65536];
	struct pollfd p = { fd, POLLOUT, 0 };
	long total = 0;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	for (;;) {
		ssize_t n = write(fd, chunk, sizeof(chunk));
		if (n > 0) {
			total += n;
			continue;
		}
		if (n < 0 && errno != EAGAIN)
			return total;
		if (poll(&p, 1, 100) != 1)
			return total;
	}
}

/* Linux keeps no receive buffer for a socket its program closed (an
 * orphan: new data resets it): ORPHANS connections whose clients asked
 * a large SO_RCVBUF, each client writing until the server (which never
 * reads) holds all it can, then closed while its FIN waits behind the
 * data. /proc/net/sockstat counts them as orphans, and TCP's memory
 * grew by about what is queued, not by the clients' receive buffers. */
#define ORPHANS 4
#define ORPHAN_RCVBUF (1 << 20)
#define ORPHAN_SLACK (64 * 1024)  /* per connection: the servers' unused send buffers and rounding */
static int check_tcp_orphan_memory(void)
{
	int c[ORPHANS], sv[ORPHANS], l, r;
	unsigned orph0, orph1;
	long mem0, mem1, written = 0;

	if (tcp_sockstat(&orph0, &mem0))
		return fail("/proc/net/sockstat: no TCP line with orphan and mem (%s)", errname(errno));
	if ((r = lo_pairs(ORPHANS, ORPHAN_RCVBUF, c, sv, &l)) != CHECK_OK)
		return r;
	for (int i = 0; i < ORPHANS; i++)
		written += fill_send(c[i]);
	for (int i = 0; i < ORPHANS; i++)
		close(c[i]);
	usleep(50 * 1000);
	if (tcp_sockstat(&orph1, &mem1))
		r = fail("/proc/net/sockstat unreadable after the closes");
	if (r == CHECK_OK && orph1 < orph0 + ORPHANS)
		r = fail("sockstat's TCP orphan %u after closing %d connections in FIN-WAIT-1 (before: %u)", orph1,
			 ORPHANS, orph0);
	long grew = (mem1 - mem0) * 4096, budget = 2 * written + ORPHANS * ORPHAN_SLACK;
	if (r == CHECK_OK && grew > budget)
		r = fail("TCP memory grew by %ld KiB with %ld KiB queued (at most %ld KiB): the orphans "
			 "kept their receive buffers", grew / 1024, written / 1024, budget / 1024);
	for (int i = 0; i < ORPHANS; i++)
		close(sv[i]); /* unread data: a reset, which ends the orphans */
	close(l);
	if (r == CHECK_OK)
		remark("%d orphans, %ld KiB queued, TCP memory +%ld KiB", ORPHANS, written / 1024, grew / 1024);
	return r;
}

/* Nor any buffers in TIME-WAIT: TW_PAIRS connections that carried a
 * byte each way, the clients closing first (TIME-WAIT on their side,
 * the servers' ends gone after LAST-ACK), leave TCP's memory about where
 * it was. */
#define TW_PAIRS 8
#define TW_SLACK (16 * 1024)   /* per connection: rounding */
static int check_tcp_time_wait_memory(void)
{
	int c[TW_PAIRS], sv[TW_PAIRS], l, r;
	unsigned orph;
	long mem0, mem1;
	char b = 't';

	if (tcp_sockstat(&orph, &mem0))
		return fail("/proc/net/sockstat: no TCP line with orphan and mem (%s)", errname(errno));
	if ((r = lo_pairs(TW_PAIRS, 0, c, sv, &l)) != CHECK_OK)
		return r;
	for (int i = 0; i < TW_PAIRS && r == CHECK_OK; i++)
		if (write(c[i], &b, 1) != 1 || read(sv[i], &b, 1) != 1 || write(sv[i], &b, 1) != 1 ||
		    read(c[i], &b, 1) != 1)
			r = fail("connection %d: a byte each way: %s", i + 1, errname(errno));
	for (int i = 0; i < TW_PAIRS; i++)
		close(c[i]);
	usleep(20 * 1000);
	for (int i = 0; i < TW_PAIRS; i++)
		close(sv[i]);
	close(l);
	usleep(50 * 1000);
	if (r == CHECK_OK && tcp_sockstat(&orph, &mem1))
		r = fail("/proc/net/sockstat unreadable after the closes");
	long grew = r == CHECK_OK ? (mem1 - mem0) * 4096 : 0;
	if (grew > TW_PAIRS * TW_SLACK)
		r = fail("TCP memory grew by %ld KiB with %d connections in TIME-WAIT (at most %d KiB)", grew / 1024,
			 TW_PAIRS, TW_PAIRS * TW_SLACK / 1024);
	if (r == CHECK_OK)
		remark("%d connections in TIME-WAIT, TCP memory %+ld KiB", TW_PAIRS, grew / 1024);
	return r;
}

static const struct check checks[] = {
	{ "tcp-basic", check_tcp_basic },
	{ "tcp-refused", check_tcp_refused },
	{ "tcp-any", check_tcp_any },
	{ "tcp-listen-unbound", check_tcp_listen_unbound },
	{ "tcp-nonblock-connect", check_tcp_nonblock_connect },
	{ "tcp-bind-errors", check_tcp_bind_errors },
	{ "unreachable", check_unreachable },
	{ "tcp-epipe", check_tcp_epipe },
	{ "tcp-reset", check_tcp_reset },
	{ "tcp-reset-after-fin", check_tcp_reset_after_fin },
	{ "tcp-flags", check_tcp_flags },
	{ "tcp-linger", check_tcp_linger },
	{ "tcp-accept-reset", check_tcp_accept_reset },
	{ "tcp-shutdown", check_tcp_shutdown },
	{ "tcp-options", check_tcp_options },
	{ "tcp-readiness", check_tcp_readiness },
	{ "tcp-accept-wait", check_tcp_accept_wait },
	{ "tcp-sendfile", check_tcp_sendfile },
	{ "tcp-unconnected", check_tcp_unconnected },
	{ "tcp-ioctl-unconnected", check_tcp_ioctl_unconnected },
	{ "tcp-info-lo", check_tcp_info_lo },
	{ "tcp-quickack", check_tcp_quickack },
	{ "tcp-sndbuf-grow", check_tcp_sndbuf_grow },
	{ "tcp-bulk", check_tcp_bulk },
	{ "tcp-many-buffers", check_tcp_many_buffers },
	{ "tcp-orphan-memory", check_tcp_orphan_memory },
	{ "tcp-time-wait-memory", check_tcp_time_wait_memory },
	{ "tcp-time-wait", check_tcp_time_wait },
	{ "socket-errors", check_socket_errors },
	{ "udp", check_udp },
	{ "udp-connected", check_udp_connected },
	{ "udp-wait", check_udp_wait },
	{ "udp-refused", check_udp_refused },
	{ "udp-cork", check_udp_cork },
	{ "udp6-cork", check_udp6_cork },
	{ "tcp6", check_tcp6 },
	{ "tcp6-dualstack", check_tcp6_dualstack },
	{ "udp6", check_udp6 },
	{ "udp6-hoplimit", check_udp6_hoplimit },
};

int main(int argc, char **argv)
{
	c_isolate = 1;
	return run_checks("conform_inet", checks, NELEMS(checks), argc, argv);
}
