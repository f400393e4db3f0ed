// SPDX-License-Identifier: MIT
// TCP over IPv6 on the loopback as Linux has it: ::1 connections, names, the dual-stack rules (v4-mapped addresses, IPV6_V6ONLY, bind conflicts) and /proc/net/tcp6.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "checks.h"

/*
 * What ipv6(7) and tcp(7) say and Linux 6.1 does with only lo: an
 * AF_INET6 socket on :: takes IPv4 too, named ::ffff:a.b.c.d, unless
 * IPV6_V6ONLY (net.ipv6.bindv6only 0: off by default); its connect to a
 * v4-mapped address goes over IPv4; a :: listener and a 0.0.0.0 one
 * share no port unless one is IPV6_V6ONLY. Every check also passes on
 * the build machine's Linux.
 */
#define BULK_BYTES   (1 << 20)     /* the ::1 transfer */
#define BULK_CHUNK   16384
#define PROC_LINE    512
#define WAIT_MS      5000
#define CLOSE(fd) do { if ((fd) >= 0) close(fd); (fd) = -1; } while (0)

/* [addr]:port for text addr (host order port). */
static struct sockaddr_in6 sa6(const char *addr, uint16_t port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	inet_pton(AF_INET6, addr, &a.sin6_addr);
	return a;
}

static struct sockaddr_in sa4(const char *addr, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	inet_pton(AF_INET, addr, &a.sin_addr);
	return a;
}

/* The name (peer: the peer's) of fd, its length in *len; zeroed on an error. */
static struct sockaddr_in6 name6(int fd, int peer, socklen_t *len)
{
	struct sockaddr_in6 a;
	*len = sizeof(a);
	memset(&a, 0, sizeof(a));
	if (peer ? getpeername(fd, (struct sockaddr *)&a, len) : getsockname(fd, (struct sockaddr *)&a, len))
		*len = 0;
	return a;
}

/* Is name a the AF_INET6 form of text addr and port (0: any), of full length? */
static int is6(const struct sockaddr_in6 *a, socklen_t len, const char *addr, uint16_t port)
{
	struct sockaddr_in6 w = sa6(addr, port);
	return len == sizeof(*a) && a->sin6_family == AF_INET6 && !memcmp(&a->sin6_addr, &w.sin6_addr, 16) &&
	       (!port || a->sin6_port == w.sin6_port) && a->sin6_flowinfo == 0 && a->sin6_scope_id == 0;
}

static void say_name(const char *what, const struct sockaddr_in6 *a, socklen_t len)
{
	char t[INET6_ADDRSTRLEN] = "?";
	inet_ntop(AF_INET6, &a->sin6_addr, t, sizeof(t));
	fail("%s: [%s]:%d len %u family %d scope %u", what, t, ntohs(a->sin6_port), len, a->sin6_family,
	     a->sin6_scope_id);
}

/* A socket of family bound to addr (port 0: any), listening; -1 on an error (the reason in c_why). */
static int listen_on(int family, const char *addr, uint16_t port, int v6only)
{
	int fd = socket(family, SOCK_STREAM, 0), r;
	if (fd < 0) {
		fail("socket: %s", errname(errno));
		return -1;
	}
	if (v6only && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) < 0) {
		fail("IPV6_V6ONLY: %s", errname(errno));
		close(fd);
		return -1;
	}
	if (family == AF_INET6) {
		struct sockaddr_in6 a = sa6(addr, port);
		r = bind(fd, (struct sockaddr *)&a, sizeof(a));
	} else {
		struct sockaddr_in a = sa4(addr, port);
		r = bind(fd, (struct sockaddr *)&a, sizeof(a));
	}
	if (r < 0 || listen(fd, 8) < 0) {
		fail("bind/listen %s port %u: %s", addr, port, errname(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static uint16_t port_of(int fd)
{
	socklen_t len;
	struct sockaddr_in6 a = name6(fd, 0, &len); /* sin_port and sin6_port sit alike */
	return ntohs(a.sin6_port);
}

/* An AF_INET6 client connected to [addr]:port: the fd, or -1 with errno. */
static int connect6(const char *addr, uint16_t port)
{
	struct sockaddr_in6 a = sa6(addr, port);
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Names over ::1: an unbound socket is [::]:0; a connection's names are
 * ::1 with the ports, as sockaddr_in6 of 28 bytes, scope 0, both ends. */
static int check_names(void)
{
	socklen_t len;
	int u = socket(AF_INET6, SOCK_STREAM, 0), l = listen_on(AF_INET6, "::1", 0, 0), c = -1, s = -1, r = 0;
	struct sockaddr_in6 a = name6(u, 0, &len);
	if (!is6(&a, len, "::", 0) || a.sin6_port)
		r = (say_name("an unbound socket", &a, len), CHECK_FAIL);
	if (!r && l < 0)
		r = CHECK_FAIL;
	uint16_t port = r ? 0 : port_of(l);
	if (!r && (c = connect6("::1", port)) < 0)
		r = fail("connect [::1]: %s", errname(errno));
	if (!r && (s = accept(l, NULL, NULL)) < 0)
		r = fail("accept: %s", errname(errno));
	if (!r) {
		struct sockaddr_in6 cn = name6(c, 0, &len);
		if (!is6(&cn, len, "::1", 0) || !cn.sin6_port)
			r = (say_name("the client's name", &cn, len), CHECK_FAIL);
		struct sockaddr_in6 cp = name6(c, 1, &len), sn = name6(s, 0, &len);
		if (!r && !is6(&cp, sizeof(cp), "::1", port))
			r = (say_name("the client's peer", &cp, sizeof(cp)), CHECK_FAIL);
		if (!r && !is6(&sn, len, "::1", port))
			r = (say_name("the accepted socket's name", &sn, len), CHECK_FAIL);
		struct sockaddr_in6 sp = name6(s, 1, &len);
		if (!r && !is6(&sp, len, "::1", ntohs(cn.sin6_port)))
			r = (say_name("the accepted socket's peer", &sp, len), CHECK_FAIL);
	}
	close(u);
	if (s >= 0)
		close(s);
	if (c >= 0)
		close(c);
	if (l >= 0)
		close(l);
	return r;
}

/* A connect to [::]:port reaches ::1 (Linux's tcp_v6_connect); to a
 * port nobody listens on it is refused (a reset), and a nonblocking
 * one says EINPROGRESS, then SO_ERROR ECONNREFUSED; a link-local
 * address without its link (scope id) is EINVAL. */
static int check_connect(void)
{
	int l = listen_on(AF_INET6, "::1", 0, 0), c, r = 0;
	socklen_t len;
	if (l < 0)
		return CHECK_FAIL;
	uint16_t port = port_of(l);
	if ((c = connect6("::", port)) < 0)
		r = fail("connect [::]: %s", errname(errno));
	if (!r) {
		struct sockaddr_in6 p = name6(c, 1, &len);
		if (!is6(&p, len, "::1", port))
			r = (say_name("connect [::]'s peer", &p, len), CHECK_FAIL);
		close(c);
	}
	close(l); /* the port is free now: nobody listens */
	errno = 0;
	if (!r)
		r = want_err("connect to a closed port", connect6("::1", port), ECONNREFUSED);
	if (!r) {
		struct sockaddr_in6 a = sa6("::1", port);
		int n = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0), err = 0;
		socklen_t elen = sizeof(err);
		struct pollfd pf = { .fd = n, .events = POLLOUT };
		long cr = connect(n, (struct sockaddr *)&a, sizeof(a));
		if (cr < 0 && errno == EINPROGRESS)
			poll(&pf, 1, WAIT_MS);
		else if (cr < 0)
			err = errno;
		if (!err)
			getsockopt(n, SOL_SOCKET, SO_ERROR, &err, &elen);
		if (err != ECONNREFUSED)
			r = fail("a nonblocking connect to a closed port: %s, want ECONNREFUSED", errname(err));
		close(n);
	}
	errno = 0;
	if (!r)
		r = want_err("connect [fe80::1] without a scope id", connect6("fe80::1", 80), EINVAL);
	return r;
}

/* FNV-1a over n bytes, continuing h. */
static uint32_t fnv(uint32_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* The byte at offset i of the transfer: a pattern that catches a
 * reordered or repeated piece. */
static unsigned char bulk_byte(size_t i)
{
	return (unsigned char)(i * 7 + (i >> 11));
}

/* A child writes BULK_BYTES to [::1]:port and exits 0. */
static void bulk_writer(uint16_t port)
{
	static unsigned char buf[BULK_CHUNK];
	int c = connect6("::1", port);
	if (c < 0)
		_exit(1);
	for (size_t off = 0; off < BULK_BYTES; off += BULK_CHUNK) {
		for (size_t i = 0; i < BULK_CHUNK; i++)
			buf[i] = bulk_byte(off + i);
		for (size_t done = 0; done < BULK_CHUNK;) {
			ssize_t w = write(c, buf + done, BULK_CHUNK - done);
			if (w <= 0)
				_exit(2);
			done += (size_t)w;
		}
	}
	_exit(close(c) ? 3 : 0);
}

/* 1 MiB over ::1 from another process, in order and whole (FNV-1a of
 * both ends), then the end of the stream. */
static int check_bulk(void)
{
	static unsigned char buf[BULK_CHUNK];
	int l = listen_on(AF_INET6, "::1", 0, 0), s, r = 0;
	if (l < 0)
		return CHECK_FAIL;
	uint16_t port = port_of(l);
	pid_t pid = fork();
	if (pid == 0)
		bulk_writer(port);
	if ((s = accept(l, NULL, NULL)) < 0) {
		r = fail("accept: %s", errname(errno));
	} else {
		uint32_t got = 2166136261u, want = 2166136261u;
		size_t total = 0;
		ssize_t n;
		while ((n = read(s, buf, sizeof(buf))) > 0) {
			got = fnv(got, buf, (size_t)n);
			total += (size_t)n;
		}
		for (size_t i = 0; i < BULK_BYTES; i++) {
			unsigned char b = bulk_byte(i);
			want = fnv(want, &b, 1);
		}
		if (n < 0 || total != BULK_BYTES || got != want)
			r = fail("read %zu bytes (last read %zd %s), hash %08x, want %d bytes hash %08x", total, n,
				 n < 0 ? errname(errno) : "", got, BULK_BYTES, want);
		close(s);
	}
	if (!r)
		r = want_exit("the writer", pid, 0);
	else
		kill(pid, SIGKILL), waitpid(pid, NULL, 0);
	close(l);
	return r;
}

/* An AF_INET6 socket's connect to ::ffff:127.0.0.1 goes over IPv4: an
 * IPv4 listener takes it, naming the client 127.0.0.1 (AF_INET), and the
 * client's names are v4-mapped sockaddr_in6; with IPV6_V6ONLY the same
 * connect is ENETUNREACH. */
static int check_v4mapped_connect(void)
{
	int l = listen_on(AF_INET, "127.0.0.1", 0, 0), c = -1, s = -1, r = 0;
	socklen_t len;
	if (l < 0)
		return CHECK_FAIL;
	uint16_t port = port_of(l);
	if ((c = connect6("::ffff:127.0.0.1", port)) < 0)
		r = fail("connect [::ffff:127.0.0.1]: %s", errname(errno));
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	if (!r && (s = accept(l, (struct sockaddr *)&from, &flen)) < 0)
		r = fail("accept: %s", errname(errno));
	if (!r && (flen != sizeof(from) || from.sin_family != AF_INET || from.sin_addr.s_addr != htonl(INADDR_LOOPBACK)))
		r = fail("the IPv4 listener named its client family %d len %u", from.sin_family, flen);
	if (!r) {
		struct sockaddr_in6 me = name6(c, 0, &len);
		if (!is6(&me, len, "::ffff:127.0.0.1", ntohs(from.sin_port)))
			r = (say_name("the client's name", &me, len), CHECK_FAIL);
		struct sockaddr_in6 peer = name6(c, 1, &len);
		if (!r && !is6(&peer, len, "::ffff:127.0.0.1", port))
			r = (say_name("the client's peer", &peer, len), CHECK_FAIL);
	}
	if (!r) {
		int v = socket(AF_INET6, SOCK_STREAM, 0), one = 1;
		struct sockaddr_in6 a = sa6("::ffff:127.0.0.1", port);
		setsockopt(v, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		errno = 0;
		r = want_err("an IPV6_V6ONLY socket's connect to ::ffff:127.0.0.1",
			     connect(v, (struct sockaddr *)&a, sizeof(a)), ENETUNREACH);
		close(v);
	}
	if (s >= 0)
		close(s);
	if (c >= 0)
		close(c);
	close(l);
	return r;
}

/* bind(AF_INET6 [::]:port): 0, or errno; v6only sets IPV6_V6ONLY first. */
static int bind_any6(uint16_t port, int v6only, int *fd)
{
	struct sockaddr_in6 a = sa6("::", port);
	*fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (v6only)
		setsockopt(*fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	return bind(*fd, (struct sockaddr *)&a, sizeof(a)) ? errno : 0;
}

static int bind4(const char *addr, uint16_t port, int *fd)
{
	struct sockaddr_in a = sa4(addr, port);
	*fd = socket(AF_INET, SOCK_STREAM, 0);
	return bind(*fd, (struct sockaddr *)&a, sizeof(a)) ? errno : 0;
}

static int want_bind(const char *what, int got, int want)
{
	if (got == want)
		return 0;
	return fail("%s: %s, want %s", what, got ? errname(got) : "0", want ? errname(want) : "0");
}

/* The bind conflicts between the two families on one port (Linux's
 * inet_csk_bind_conflict with ipv6_only): [::] and 0.0.0.0 clash both
 * ways, bound or listening, unless the IPv6 one is IPV6_V6ONLY; ::1 and
 * 127.0.0.1 never clash; IPV6_V6ONLY cannot change once bound. */
static int check_bind_conflicts(void)
{
	int a = -1, b = -1, r;
	r = bind4("0.0.0.0", 0, &a);
	uint16_t p = port_of(a);
	if (!r)
		r = want_bind("[::] on 0.0.0.0's port", bind_any6(p, 0, &b), EADDRINUSE);
	CLOSE(b);
	if (!r)
		r = want_bind("[::] IPV6_V6ONLY on 0.0.0.0's port", bind_any6(p, 1, &b), 0);
	CLOSE(b);
	CLOSE(a);
	if (r)
		return r;
	r = want_bind("[::]", bind_any6(0, 0, &a), 0);
	p = port_of(a);
	if (!r)
		r = want_ok("listen [::]", listen(a, 1));
	if (!r)
		r = want_bind("0.0.0.0 on a [::] listener's port", bind4("0.0.0.0", p, &b), EADDRINUSE);
	CLOSE(b);
	if (!r)
		r = want_bind("127.0.0.1 on a [::] listener's port", bind4("127.0.0.1", p, &b), EADDRINUSE);
	CLOSE(b);
	int one = 1;
	errno = 0;
	if (!r)
		r = want_err("IPV6_V6ONLY once bound", setsockopt(a, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)),
			     EINVAL);
	CLOSE(a);
	if (r)
		return r;
	r = want_bind("[::] IPV6_V6ONLY", bind_any6(0, 1, &a), 0);
	p = port_of(a);
	if (!r)
		r = want_bind("0.0.0.0 on an IPV6_V6ONLY [::]'s port", bind4("0.0.0.0", p, &b), 0);
	CLOSE(b);
	CLOSE(a);
	if (r)
		return r;
	struct sockaddr_in6 lo6 = sa6("::1", 0);
	a = socket(AF_INET6, SOCK_STREAM, 0);
	r = want_ok("bind [::1]", bind(a, (struct sockaddr *)&lo6, sizeof(lo6)));
	p = port_of(a);
	if (!r)
		r = want_bind("127.0.0.1 on [::1]'s port", bind4("127.0.0.1", p, &b), 0);
	CLOSE(b);
	if (!r) {
		int c = socket(AF_INET6, SOCK_STREAM, 0);
		lo6.sin6_port = htons(p);
		errno = 0;
		r = want_err("[::1] twice", bind(c, (struct sockaddr *)&lo6, sizeof(lo6)), EADDRINUSE);
		close(c);
	}
	CLOSE(a);
	return r;
}

/* A [::] listener takes an IPv4 client and an IPv6 one: accept names
 * them ::ffff:127.0.0.1 and ::1; the accepted sockets' own names are
 * the address each was reached at. With IPV6_V6ONLY the IPv4 client is
 * refused. */
static int check_dual_accept(void)
{
	int l = listen_on(AF_INET6, "::", 0, 0), c4 = -1, c6 = -1, s4 = -1, s6 = -1, r = 0;
	socklen_t len;
	if (l < 0)
		return CHECK_FAIL;
	uint16_t port = port_of(l);
	struct sockaddr_in to = sa4("127.0.0.1", port);
	c4 = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(c4, (struct sockaddr *)&to, sizeof(to)) < 0)
		r = fail("IPv4 connect to [::]: %s", errname(errno));
	struct sockaddr_in6 from;
	len = sizeof(from);
	if (!r && (s4 = accept(l, (struct sockaddr *)&from, &len)) < 0)
		r = fail("accept: %s", errname(errno));
	if (!r && !is6(&from, len, "::ffff:127.0.0.1", 0))
		r = (say_name("accept's name of the IPv4 client", &from, len), CHECK_FAIL);
	if (!r) {
		struct sockaddr_in6 me = name6(s4, 0, &len);
		if (!is6(&me, len, "::ffff:127.0.0.1", port))
			r = (say_name("the accepted IPv4 socket's name", &me, len), CHECK_FAIL);
	}
	if (!r && (c6 = connect6("::1", port)) < 0)
		r = fail("IPv6 connect to [::]: %s", errname(errno));
	len = sizeof(from);
	if (!r && (s6 = accept(l, (struct sockaddr *)&from, &len)) < 0)
		r = fail("accept: %s", errname(errno));
	if (!r && !is6(&from, len, "::1", 0))
		r = (say_name("accept's name of the IPv6 client", &from, len), CHECK_FAIL);
	if (!r)
		r = want_eq("IPv4 write", write(c4, "4", 1), 1) || want_eq("its read", read(s4, &(char){ 0 }, 1), 1) ||
		    want_eq("IPv6 write", write(c6, "6", 1), 1) || want_eq("its read", read(s6, &(char){ 0 }, 1), 1)
			? CHECK_FAIL : 0;
	for (int *fd = (int[]){ s4, s6, c4, c6, l }, i = 0; i < 5; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	if (r)
		return r;
	l = listen_on(AF_INET6, "::", 0, 1);
	if (l < 0)
		return CHECK_FAIL;
	to = sa4("127.0.0.1", port_of(l));
	c4 = socket(AF_INET, SOCK_STREAM, 0);
	errno = 0;
	r = want_err("IPv4 connect to an IPV6_V6ONLY [::] listener", connect(c4, (struct sockaddr *)&to, sizeof(to)),
		     ECONNREFUSED);
	close(c4);
	close(l);
	return r;
}

/* /proc/net/FILE's line whose local and remote fields are local and remote
 * (text as the file prints them; remote NULL: any): its state (hex), or -1. */
static int proc_state_of(const char *file, const char *local, const char *remote)
{
	char path[64], line[PROC_LINE], la[64], ra[64];
	unsigned st;
	snprintf(path, sizeof(path), "/proc/net/%s", file);
	FILE *f = fopen(path, "r");
	int found = -1;
	if (!f)
		return -1;
	while (found < 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, " %*d: %63s %63s %x", la, ra, &st) == 3 && !strcmp(la, local) &&
		    (!remote || !strcmp(ra, remote)))
			found = (int)st;
	fclose(f);
	return found;
}

#define TCP6_LOOP  "00000000000000000000000001000000" /* ::1 as tcp6 prints it */
#define TCP6_ANY   "00000000000000000000000000000000"
#define TCP6_V4LO  "0000000000000000FFFF00000100007F" /* ::ffff:127.0.0.1 */
#define ST_ESTABLISHED 0x01
#define ST_LISTEN      0x0A

/* /proc/net/tcp6, as ss and netstat read it: a [::1] listener (0A), both
 * ends of a ::1 connection (01), and an AF_INET6 listener's IPv4
 * connection as ::ffff:127.0.0.1 in tcp6, while its AF_INET client
 * stays in /proc/net/tcp. */
static int check_proc_tcp6(void)
{
	int l = listen_on(AF_INET6, "::1", 0, 0), d = listen_on(AF_INET6, "::", 0, 0), c = -1, s = -1, c4 = -1, s4 = -1;
	int r = 0;
	char a[64], b[64];
	if (l < 0 || d < 0)
		r = CHECK_FAIL;
	uint16_t port = r ? 0 : port_of(l), dport = r ? 0 : port_of(d);
	if (!r && ((c = connect6("::1", port)) < 0 || (s = accept(l, NULL, NULL)) < 0))
		r = fail("connect [::1]: %s", errname(errno));
	snprintf(a, sizeof(a), "%s:%04X", TCP6_LOOP, port);
	snprintf(b, sizeof(b), "%s:%04X", TCP6_LOOP, port_of(c));
	if (!r && proc_state_of("tcp6", a, TCP6_ANY ":0000") != ST_LISTEN)
		r = fail("tcp6 has no listener line %s (state 0A)", a);
	if (!r && (proc_state_of("tcp6", a, b) != ST_ESTABLISHED || proc_state_of("tcp6", b, a) != ST_ESTABLISHED))
		r = fail("tcp6 has not both ends %s and %s established: %d %d", a, b, proc_state_of("tcp6", a, b),
			 proc_state_of("tcp6", b, a));
	struct sockaddr_in to = sa4("127.0.0.1", dport);
	if (!r) {
		c4 = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(c4, (struct sockaddr *)&to, sizeof(to)) < 0 || (s4 = accept(d, NULL, NULL)) < 0)
			r = fail("IPv4 connect to [::]: %s", errname(errno));
	}
	snprintf(a, sizeof(a), "%s:%04X", TCP6_V4LO, dport);
	snprintf(b, sizeof(b), "0100007F:%04X", port_of(c4 >= 0 ? c4 : 0));
	if (!r && proc_state_of("tcp6", a, NULL) != ST_ESTABLISHED)
		r = fail("tcp6 has no line %s for the IPv4 connection its [::] listener accepted", a);
	if (!r && proc_state_of("tcp", b, NULL) != ST_ESTABLISHED)
		r = fail("tcp has no line %s for the AF_INET client", b);
	snprintf(b, sizeof(b), "0100007F:%04X", dport);
	if (!r && proc_state_of("tcp", b, NULL) >= 0)
		r = fail("tcp shows the AF_INET6 end %s (it belongs in tcp6)", b);
	for (int *fd = (int[]){ s, c, s4, c4, l, d }, i = 0; i < 6; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	return r;
}

/* net.ipv6.bindv6only (read only: the machine's setting is left alone)
 * is 0 or 1, and a new AF_INET6 socket's IPV6_V6ONLY is what it says. */
static int check_bindv6only(void)
{
	long v;
	int fd = socket(AF_INET6, SOCK_STREAM, 0), on = -1;
	socklen_t len = sizeof(on);
	if (read_long("/proc/sys/net/ipv6/bindv6only", &v)) {
		close(fd);
		return fail("/proc/sys/net/ipv6/bindv6only: %s", errname(errno));
	}
	int r = want_ok("getsockopt IPV6_V6ONLY", getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, &len));
	close(fd);
	if (!r && ((v != 0 && v != 1) || on != v))
		r = fail("bindv6only %ld, a new socket's IPV6_V6ONLY %d", v, on);
	return r;
}

/* ---- IPV6_ADDRFORM and IPV6_RTHDR (Linux's net/ipv6/ipv6_sockglue.c) ---- */

#ifndef IPV6_ADDRFORM
#define IPV6_ADDRFORM 1
#endif
#define RTHDR_TYPE_SRH 4       /* segment routing (linux/seg6.h's ipv6_sr_hdr) */
#define RTHDR_UNIT     8       /* an extension header's length unit */
#define SRH_FIXED      8       /* ipv6_sr_hdr before its segments */
#define SRH_SEGMENT    16
#define RTHDR_LARGE    640     /* past the 232 bytes most options take (LTP's setsockopt11) */
#define SRH_TLV_PADN   4       /* SR6_TLV_PADDING */

/* setsockopt(fd, IPPROTO_IPV6, IPV6_ADDRFORM, v, len): 0, or -1 with errno. */
static int addrform(int fd, int v, socklen_t len)
{
	return setsockopt(fd, IPPROTO_IPV6, IPV6_ADDRFORM, &v, len);
}

/* int option level/name of fd, or -1 (errno set). */
static int int_opt(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);
	return getsockopt(fd, level, name, &v, &len) ? -1 : v;
}

/* Is a (len bytes) sockaddr_in 127.0.0.1:port? */
static int is_lo4(const struct sockaddr_in *a, socklen_t len, uint16_t port)
{
	return len == sizeof(*a) && a->sin_family == AF_INET && a->sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
	       a->sin_port == htons(port);
}

/* fd (AF_INET now) names itself 127.0.0.1:me and its peer 127.0.0.1:peer, as sockaddr_in. */
static int names_are_ipv4(int fd, uint16_t me, uint16_t peer)
{
	struct sockaddr_in a, b;
	socklen_t la = sizeof(a), lb = sizeof(b);
	if (getsockname(fd, (struct sockaddr *)&a, &la) || getpeername(fd, (struct sockaddr *)&b, &lb))
		return fail("getsockname/getpeername: %s", errname(errno));
	if (!is_lo4(&a, la, me) || !is_lo4(&b, lb, peer))
		return fail("names after IPV6_ADDRFORM: family %d len %u port %u, peer family %d len %u port %u",
			    a.sin_family, la, ntohs(a.sin_port), b.sin_family, lb, ntohs(b.sin_port));
	return 0;
}

/* After IPV6_ADDRFORM, fd is AF_INET's: SO_DOMAIN, IP_TTL set and read,
 * IPPROTO_IPV6 no level of its (get EOPNOTSUPP, set ENOPROTOOPT). */
static int options_are_ipv4(int fd)
{
	int ttl = 33, r = 0;
	if (int_opt(fd, SOL_SOCKET, SO_DOMAIN) != AF_INET)
		return fail("SO_DOMAIN after IPV6_ADDRFORM: %d", int_opt(fd, SOL_SOCKET, SO_DOMAIN));
	if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) || int_opt(fd, IPPROTO_IP, IP_TTL) != ttl)
		return fail("IP_TTL after IPV6_ADDRFORM: %s", errname(errno));
	errno = 0;
	r = want_err("getsockopt IPV6_V6ONLY of the AF_INET socket", int_opt(fd, IPPROTO_IPV6, IPV6_V6ONLY),
		     EOPNOTSUPP);
	errno = 0;
	return r ? r : want_err("IPV6_ADDRFORM again", addrform(fd, AF_INET, sizeof(int)), ENOPROTOOPT);
}

/* An IPv4 connection accepted by a [::] listener (its peer v4-mapped)
 * becomes AF_INET with IPV6_ADDRFORM: sockaddr_in names, SO_DOMAIN,
 * IPv4 options, a line in /proc/net/tcp and none in tcp6, and its bytes
 * still flow. */
static int check_addrform(void)
{
	int l = listen_on(AF_INET6, "::", 0, 0), c = -1, s = -1, r = 0;
	char a[64], got = 0;
	if (l < 0)
		return CHECK_FAIL;
	uint16_t port = port_of(l);
	struct sockaddr_in to = sa4("127.0.0.1", port);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(c, (struct sockaddr *)&to, sizeof(to)) < 0 || (s = accept(l, NULL, NULL)) < 0)
		r = fail("IPv4 connect to [::]: %s", errname(errno));
	if (!r)
		r = want_ok("IPV6_ADDRFORM AF_INET", addrform(s, AF_INET, sizeof(int)));
	if (!r)
		r = names_are_ipv4(s, port, port_of(c));
	if (!r)
		r = options_are_ipv4(s);
	snprintf(a, sizeof(a), "0100007F:%04X", port);
	if (!r && proc_state_of("tcp", a, NULL) != ST_ESTABLISHED)
		r = fail("/proc/net/tcp has no line %s for the converted socket", a);
	snprintf(a, sizeof(a), "%s:%04X", TCP6_V4LO, port);
	if (!r && proc_state_of("tcp6", a, NULL) >= 0)
		r = fail("/proc/net/tcp6 still shows %s", a);
	if (!r && (write(s, "x", 1) != 1 || read(c, &got, 1) != 1 || got != 'x'))
		r = fail("a byte over the converted connection: %s", errname(errno));
	for (int *fd = (int[]){ s, c, l }, i = 0; i < 3; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	return r;
}

/* IPV6_ADDRFORM's refusals, in Linux's order: a value not AF_INET or
 * shorter than an int EINVAL; a listener ENOTCONN; a ::1 connection (no
 * v4-mapped peer) EADDRNOTAVAIL; an unconnected UDP socket ENOTCONN. */
static int check_addrform_refused(void)
{
	int l = listen_on(AF_INET6, "::", 0, 0), c = -1, s = -1, u = socket(AF_INET6, SOCK_DGRAM, 0), r = 0;
	if (l < 0)
		return CHECK_FAIL;
	if ((c = connect6("::1", port_of(l))) < 0 || (s = accept(l, NULL, NULL)) < 0)
		r = fail("connect [::1]: %s", errname(errno));
	errno = 0;
	if (!r)
		r = want_err("IPV6_ADDRFORM AF_INET6", addrform(s, AF_INET6, sizeof(int)), EINVAL);
	errno = 0;
	if (!r)
		r = want_err("IPV6_ADDRFORM of 2 bytes", addrform(s, AF_INET, 2), EINVAL);
	errno = 0;
	if (!r)
		r = want_err("IPV6_ADDRFORM of a listener", addrform(l, AF_INET, sizeof(int)), ENOTCONN);
	errno = 0;
	if (!r)
		r = want_err("IPV6_ADDRFORM of a ::1 connection", addrform(s, AF_INET, sizeof(int)), EADDRNOTAVAIL);
	errno = 0;
	if (!r)
		r = want_err("IPV6_ADDRFORM of an unconnected UDP socket", addrform(u, AF_INET, sizeof(int)),
			     ENOTCONN);
	if (!r && int_opt(s, SOL_SOCKET, SO_DOMAIN) != AF_INET6)
		r = fail("a refused IPV6_ADDRFORM changed the family");
	for (int *fd = (int[]){ s, c, u, l }, i = 0; i < 4; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	return r;
}

/* A UDP socket connected to ::ffff:127.0.0.1 becomes AF_INET too: its
 * peer a sockaddr_in, SO_DOMAIN AF_INET, and its datagrams still go. */
static int check_addrform_udp(void)
{
	int rx = socket(AF_INET, SOCK_DGRAM, 0), u = socket(AF_INET6, SOCK_DGRAM, 0), r = 0;
	struct sockaddr_in any = sa4("127.0.0.1", 0), peer;
	socklen_t len = sizeof(any), plen = sizeof(peer);
	char got = 0;
	if (bind(rx, (struct sockaddr *)&any, sizeof(any)) || getsockname(rx, (struct sockaddr *)&any, &len))
		return fail("bind 127.0.0.1: %s", errname(errno));
	struct sockaddr_in6 to = sa6("::ffff:127.0.0.1", ntohs(any.sin_port));
	if (connect(u, (struct sockaddr *)&to, sizeof(to)))
		r = fail("connect [::ffff:127.0.0.1]: %s", errname(errno));
	if (!r)
		r = want_ok("IPV6_ADDRFORM AF_INET", addrform(u, AF_INET, sizeof(int)));
	if (!r && int_opt(u, SOL_SOCKET, SO_DOMAIN) != AF_INET)
		r = fail("SO_DOMAIN after IPV6_ADDRFORM: %d", int_opt(u, SOL_SOCKET, SO_DOMAIN));
	if (!r && (getpeername(u, (struct sockaddr *)&peer, &plen) || !is_lo4(&peer, plen, ntohs(any.sin_port))))
		r = fail("the peer after IPV6_ADDRFORM: family %d len %u", peer.sin_family, plen);
	if (!r && (send(u, "y", 1, 0) != 1 || recv(rx, &got, 1, 0) != 1 || got != 'y'))
		r = fail("a datagram after IPV6_ADDRFORM: %s", errname(errno));
	close(u);
	close(rx);
	return r;
}

/* A segment routing header (type 4) of len bytes (a multiple of 8, at
 * least 24), as LTP's setsockopt11 builds one: as many segments (::1)
 * as fit, all of them left, then a PadN TLV over the 8 bytes a segment
 * would not fill. */
static void srh_build(unsigned char *h, size_t len)
{
	size_t segs = (len - SRH_FIXED) / SRH_SEGMENT, pad = (len - SRH_FIXED) % SRH_SEGMENT;
	memset(h, 0, len);
	h[1] = (unsigned char)(len / RTHDR_UNIT - 1);                 /* hdrlen */
	h[2] = RTHDR_TYPE_SRH;
	h[3] = h[4] = (unsigned char)(segs - 1);                      /* segments_left, first_segment */
	for (size_t i = 0; i < segs; i++)
		memcpy(h + SRH_FIXED + SRH_SEGMENT * i, &in6addr_loopback, SRH_SEGMENT);
	if (pad)
		h[len - pad] = SRH_TLV_PADN, h[len - pad + 1] = (unsigned char)(pad - 2);
}

static int rthdr_set(int fd, const void *h, socklen_t len)
{
	return setsockopt(fd, IPPROTO_IPV6, IPV6_RTHDR, h, len);
}

/* getsockopt(IPV6_RTHDR) of fd with room bytes gives want (len bytes). */
static int rthdr_is(int fd, socklen_t room, const unsigned char *want, socklen_t len)
{
	unsigned char back[RTHDR_LARGE];
	socklen_t got = room;
	if (getsockopt(fd, IPPROTO_IPV6, IPV6_RTHDR, back, &got))
		return fail("getsockopt IPV6_RTHDR: %s", errname(errno));
	if (got != len || memcmp(back, want, len))
		return fail("IPV6_RTHDR read back %u bytes with room %u, want %u", got, room, len);
	return 0;
}

/* IPV6_RTHDR keeps a segment routing header and gives it back (cut to
 * the room), on UDP and TCP, one of 640 bytes too; length 0 removes it.
 * IPV6_RECVRTHDR is a flag read back. */
static int check_rthdr(void)
{
	unsigned char h[RTHDR_LARGE];
	int u = socket(AF_INET6, SOCK_DGRAM, 0), t = socket(AF_INET6, SOCK_STREAM, 0), one = 1, r;
	srh_build(h, 3 * RTHDR_UNIT);
	r = want_ok("IPV6_RTHDR of 24 bytes", rthdr_set(u, h, 3 * RTHDR_UNIT));
	if (!r)
		r = rthdr_is(u, sizeof(h), h, 3 * RTHDR_UNIT);
	if (!r)
		r = rthdr_is(u, RTHDR_UNIT, h, RTHDR_UNIT);
	if (!r)
		r = want_ok("IPV6_RTHDR of no bytes", rthdr_set(u, h, 0));
	if (!r)
		r = rthdr_is(u, sizeof(h), h, 0);
	srh_build(h, RTHDR_LARGE);
	if (!r)
		r = want_ok("IPV6_RTHDR of 640 bytes on TCP", rthdr_set(t, h, RTHDR_LARGE));
	if (!r)
		r = rthdr_is(t, sizeof(h), h, RTHDR_LARGE);
	if (!r && (setsockopt(u, IPPROTO_IPV6, IPV6_RECVRTHDR, &one, sizeof(one)) ||
		   int_opt(u, IPPROTO_IPV6, IPV6_RECVRTHDR) != 1))
		r = fail("IPV6_RECVRTHDR set and read: %s", errname(errno));
	close(u);
	close(t);
	return r;
}

/* IPV6_RTHDR's refusals (EINVAL), each leaving the header set before: a
 * length not a multiple of 8, shorter than the header says, or longer
 * than a segment routing header's own; segments_left past
 * first_segment; a TLV past the end; a type not 2 or 4. IPV6_MTU under
 * 1280 is EINVAL too, 1280 is taken. */
static int check_rthdr_refused(void)
{
	unsigned char good[4 * RTHDR_UNIT], h[4 * RTHDR_UNIT];
	int u = socket(AF_INET6, SOCK_DGRAM, 0), r, mtu = 1279;
	srh_build(good, sizeof(good));
	r = want_ok("IPV6_RTHDR of 32 bytes", rthdr_set(u, good, sizeof(good)));
	struct { const char *what; int off; unsigned char v; socklen_t len; } bad[] = { /* off -1: as good */
		{ "12 bytes", -1, 0, 12 },
		{ "16 bytes of a 32-byte header", -1, 0, 2 * RTHDR_UNIT },
		{ "40 bytes of a 32-byte header", -1, 0, 5 * RTHDR_UNIT },
		{ "segments_left past first_segment", 3, 1, sizeof(h) },
		{ "a TLV past the end", 3 * RTHDR_UNIT + 1, 7, sizeof(h) },
		{ "type 0", 2, 0, sizeof(h) },
	};
	for (size_t i = 0; !r && i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned char big[5 * RTHDR_UNIT] = { 0 };
		memcpy(h, good, sizeof(h));
		if (bad[i].off >= 0)
			h[bad[i].off] = bad[i].v;
		memcpy(big, h, sizeof(h));
		errno = 0;
		r = want_err(bad[i].what, rthdr_set(u, big, bad[i].len), EINVAL);
	}
	if (!r)
		r = rthdr_is(u, sizeof(h), good, sizeof(good));
	errno = 0;
	if (!r)
		r = want_err("IPV6_MTU 1279", setsockopt(u, IPPROTO_IPV6, IPV6_MTU, &mtu, sizeof(mtu)), EINVAL);
	mtu = 1280;
	if (!r)
		r = want_ok("IPV6_MTU 1280", setsockopt(u, IPPROTO_IPV6, IPV6_MTU, &mtu, sizeof(mtu)));
	close(u);
	return r;
}

static const struct check checks[] = {
	{ "tcp6-names", check_names },
	{ "tcp6-connect", check_connect },
	{ "tcp6-bulk", check_bulk },
	{ "tcp6-v4mapped-connect", check_v4mapped_connect },
	{ "tcp6-bind-conflicts", check_bind_conflicts },
	{ "tcp6-dual-accept", check_dual_accept },
	{ "tcp6-proc", check_proc_tcp6 },
	{ "tcp6-bindv6only", check_bindv6only },
	{ "tcp6-addrform", check_addrform },
	{ "tcp6-addrform-refused", check_addrform_refused },
	{ "tcp6-addrform-udp", check_addrform_udp },
	{ "tcp6-rthdr", check_rthdr },
	{ "tcp6-rthdr-refused", check_rthdr_refused },
};

int main(int argc, char **argv)
{
	c_isolate = 1;
	return run_checks("conform_tcp6", checks, NELEMS(checks), argc, argv);
}
