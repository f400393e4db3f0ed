// SPDX-License-Identifier: MIT
// Path MTU discovery's socket options on the loopback as Linux has them: IP_MTU_DISCOVER and IPV6_MTU_DISCOVER (defaults, range, EMSGSIZE under DO), IP_MTU and IPV6_MTU (ENOTCONN, then the route's MTU once connected); `route ADDR` prints ip route get's path MTU, `serve` serves zeros from a socket with a chosen IP_MTU_DISCOVER, `df4` sends datagrams under each IP_MTU_DISCOVER and `softerr` shows the error a connection that had a frag-needed dies with, for the boot test.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "checks.h"

/*
 * What ip(7) and ipv6(7) say and Linux 6.1 does with only lo (MTU
 * 65536): a socket starts at IP_PMTUDISC_WANT (net.ipv4.ip_no_pmtu_disc
 * 0); IP_MTU and IPV6_MTU need a route, which only connect gives
 * (ENOTCONN before, and on a listener); lo's route reads 65535 for IPv4
 * (IP_MAX_MTU) and 65536 for IPv6. Over IPv6 a datagram longer than the
 * path is cut into fragments under WANT and refused with EMSGSIZE under
 * DO and PROBE. Every check also passes on the build machine's Linux.
 */
#define LO_MTU4        65535      /* lo's 65536 as IPv4's dst_mtu caps it (IP_MAX_MTU) */
#define LO_MTU6        65536      /* lo's MTU as IPv6 reads it */
#define V6_FITS        (LO_MTU6 - 40 - 8)  /* the largest UDP payload one IPv6 packet on lo carries */
#define V4_UDP_MAX     65507      /* 65535 less the IPv4 and UDP headers */
#define PMTUDISC_DONT  0
#define PMTUDISC_WANT  1
#define PMTUDISC_DO    2
#define PMTUDISC_PROBE 3
#define PMTUDISC_INTERFACE 4
#define PMTUDISC_OMIT  5
#define RECV_WAIT_MS   2000
#define ERRNO_MASK     0xfff
#define CLOSE(fd) do { if ((fd) >= 0) close(fd); (fd) = -1; } while (0)

static char big[V4_UDP_MAX + 64];
static char rbuf[sizeof(big)];

static struct sockaddr_in sa4(const char *addr, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	inet_pton(AF_INET, addr, &a.sin_addr);
	return a;
}

static struct sockaddr_in6 sa6(const char *addr, uint16_t port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	inet_pton(AF_INET6, addr, &a.sin6_addr);
	return a;
}

/* The name of -r (an errno as this file's helpers return them): errname's, with r's range
 * told to the compiler (errno values are small). */
static const char *said(int r)
{
	return errname((-r) & ERRNO_MASK);
}

/* An int option's value, or -errno. */
static int get_int(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);
	return getsockopt(fd, level, name, &v, &len) < 0 ? -errno : v;
}

static int set_int(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v)) < 0 ? -errno : 0;
}

/* A UDP socket of family bound to lo's address, port chosen; -1 on an error. */
static int udp_bound(int family, uint16_t *port)
{
	int fd = socket(family, SOCK_DGRAM, 0);
	struct sockaddr_in a4 = sa4("127.0.0.1", 0);
	struct sockaddr_in6 a6 = sa6("::1", 0);
	struct sockaddr_storage got;
	socklen_t len = sizeof(got);
	int r = fd < 0 ? -1 : family == AF_INET ? bind(fd, (struct sockaddr *)&a4, sizeof(a4))
						: bind(fd, (struct sockaddr *)&a6, sizeof(a6));
	if (r < 0 || getsockname(fd, (struct sockaddr *)&got, &len) < 0) {
		CLOSE(fd);
		return -1;
	}
	*port = ntohs(((struct sockaddr_in *)&got)->sin_port);
	return fd;
}

static int check_defaults(void)
{
	static const struct { int family, type, level, name; const char *what; } s[] = {
		{ AF_INET, SOCK_DGRAM, IPPROTO_IP, IP_MTU_DISCOVER, "UDP IP_MTU_DISCOVER" },
		{ AF_INET, SOCK_STREAM, IPPROTO_IP, IP_MTU_DISCOVER, "TCP IP_MTU_DISCOVER" },
		{ AF_INET6, SOCK_DGRAM, IPPROTO_IPV6, IPV6_MTU_DISCOVER, "UDPv6 IPV6_MTU_DISCOVER" },
		{ AF_INET6, SOCK_STREAM, IPPROTO_IPV6, IPV6_MTU_DISCOVER, "TCPv6 IPV6_MTU_DISCOVER" },
	};
	for (size_t i = 0; i < NELEMS(s); i++) {
		int fd = socket(s[i].family, s[i].type, 0);
		if (fd < 0)
			return fail("socket for %s: %s", s[i].what, errname(errno));
		int v = get_int(fd, s[i].level, s[i].name);
		close(fd);
		if (v != PMTUDISC_WANT)
			return fail("%s is %d, not IP_PMTUDISC_WANT", s[i].what, v);
	}
	return CHECK_OK;
}

/* DONT..OMIT kept and read back; -1 and 6 EINVAL, the value left as it was. */
static int range_of(int family, int level, int name, const char *what)
{
	int fd = socket(family, SOCK_DGRAM, 0);
	if (fd < 0)
		return fail("socket: %s", errname(errno));
	for (int v = PMTUDISC_DONT; v <= PMTUDISC_OMIT; v++) {
		int r = set_int(fd, level, name, v), got = get_int(fd, level, name);
		if (r || got != v) {
			close(fd);
			return fail("%s %d: set %s, read %d", what, v, r ? said(r) : "ok", got);
		}
	}
	int bad[] = { -1, PMTUDISC_OMIT + 1 };
	for (size_t i = 0; i < NELEMS(bad); i++) {
		int r = set_int(fd, level, name, bad[i]);
		if (r != -EINVAL) {
			close(fd);
			return fail("%s %d: %s, not EINVAL", what, bad[i], r ? said(r) : "accepted");
		}
	}
	int left = get_int(fd, level, name);
	close(fd);
	return left == PMTUDISC_OMIT ? CHECK_OK : fail("%s after the refusals: %d", what, left);
}

static int check_range(void)
{
	int r = range_of(AF_INET, IPPROTO_IP, IP_MTU_DISCOVER, "IP_MTU_DISCOVER");
	return r ? r : range_of(AF_INET6, IPPROTO_IPV6, IPV6_MTU_DISCOVER, "IPV6_MTU_DISCOVER");
}

/* IP_MTU on unconnected UDP and on a TCP listener, IPV6_MTU on unconnected UDPv6: ENOTCONN. */
static int check_enotconn(void)
{
	int u = socket(AF_INET, SOCK_DGRAM, 0), u6 = socket(AF_INET6, SOCK_DGRAM, 0);
	int l = socket(AF_INET, SOCK_STREAM, 0), rc = CHECK_OK;
	struct sockaddr_in a = sa4("127.0.0.1", 0);
	int r1 = get_int(u, IPPROTO_IP, IP_MTU), r2 = get_int(u6, IPPROTO_IPV6, IPV6_MTU);
	int r3 = bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0 ? -errno
											 : get_int(l, IPPROTO_IP, IP_MTU);
	if (r1 != -ENOTCONN || r2 != -ENOTCONN || r3 != -ENOTCONN)
		rc = fail("IP_MTU unconnected UDP %d, IPV6_MTU unconnected UDPv6 %d, IP_MTU listener %d "
			  "(want -%d)", r1, r2, r3, ENOTCONN);
	CLOSE(u);
	CLOSE(u6);
	CLOSE(l);
	return rc;
}

/* IP_MTU after connect: lo's, for UDP and for TCP; ENOTCONN again after AF_UNSPEC. */
static int check_mtu4(void)
{
	uint16_t port;
	int rx = udp_bound(AF_INET, &port), u = socket(AF_INET, SOCK_DGRAM, 0), rc = CHECK_OK;
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in to = sa4("127.0.0.1", port), la = sa4("127.0.0.1", 0);
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	socklen_t len = sizeof(la);
	if (rx < 0 || connect(u, (struct sockaddr *)&to, sizeof(to)) < 0) {
		rc = fail("UDP connect: %s", errname(errno));
		goto out;
	}
	int udp = get_int(u, IPPROTO_IP, IP_MTU);
	int after = connect(u, &unspec, sizeof(unspec)) < 0 ? -errno : get_int(u, IPPROTO_IP, IP_MTU);
	if (bind(l, (struct sockaddr *)&la, sizeof(la)) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&la, &len) < 0 || connect(c, (struct sockaddr *)&la, sizeof(la)) < 0) {
		rc = fail("TCP connect: %s", errname(errno));
		goto out;
	}
	int tcp = get_int(c, IPPROTO_IP, IP_MTU);
	if (udp != LO_MTU4 || tcp != LO_MTU4 || after != -ENOTCONN)
		rc = fail("IP_MTU: UDP %d, TCP %d (want %d), UDP after AF_UNSPEC %d (want -%d)", udp, tcp, LO_MTU4,
			  after, ENOTCONN);
out:
	CLOSE(rx);
	CLOSE(u);
	CLOSE(l);
	CLOSE(c);
	return rc;
}

/* A UDPv6 socket connected to a receiver on ::1: both, or a skip when there is no ::1. */
static int pair6(int *rx, int *tx)
{
	uint16_t port;
	*tx = -1;
	*rx = udp_bound(AF_INET6, &port);
	if (*rx < 0)
		return skip("no ::1 here: %s", said(-errno));
	struct sockaddr_in6 to = sa6("::1", port);
	*tx = socket(AF_INET6, SOCK_DGRAM, 0);
	if (*tx < 0 || connect(*tx, (struct sockaddr *)&to, sizeof(to)) < 0)
		return fail("UDPv6 connect: %s", errname(errno));
	return CHECK_OK;
}

static int check_mtu6(void)
{
	int rx, tx, rc = pair6(&rx, &tx);
	if (rc == CHECK_OK) {
		int v = get_int(tx, IPPROTO_IPV6, IPV6_MTU);
		if (v != LO_MTU6)
			rc = fail("IPV6_MTU connected to ::1: %d, want %d", v, LO_MTU6);
	}
	CLOSE(rx);
	CLOSE(tx);
	return rc;
}

/* Send n bytes on tx under IPV6_MTU_DISCOVER how: 0 when rx got them whole, else -errno. */
static int send6(int rx, int tx, int how, size_t n)
{
	if (set_int(tx, IPPROTO_IPV6, IPV6_MTU_DISCOVER, how))
		return -errno;
	if (send(tx, big, n, 0) < 0)
		return -errno;
	struct timeval tv = { RECV_WAIT_MS / 1000, 0 };
	setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ssize_t got = recv(rx, rbuf, sizeof(rbuf), 0);
	return got == (ssize_t)n ? 0 : got < 0 ? -errno : -EPROTO;
}

/* One byte over lo's MTU: fragments under WANT and DONT, EMSGSIZE under DO and PROBE; the
 * largest that fits goes under DO. */
static int check_emsgsize6(void)
{
	int rx, tx, rc = pair6(&rx, &tx);
	static const struct { int how; size_t n; int want; } s[] = {
		{ PMTUDISC_WANT, V6_FITS + 1, 0 }, { PMTUDISC_DONT, V6_FITS + 1, 0 },
		{ PMTUDISC_DO, V6_FITS + 1, -EMSGSIZE }, { PMTUDISC_PROBE, V6_FITS + 1, -EMSGSIZE },
		{ PMTUDISC_DO, V6_FITS, 0 },
	};
	for (size_t i = 0; rc == CHECK_OK && i < NELEMS(s); i++) {
		int r = send6(rx, tx, s[i].how, s[i].n);
		if (r != s[i].want)
			rc = fail("%zu bytes under IPV6_MTU_DISCOVER %d: %s, want %s", s[i].n, s[i].how,
				  r ? said(r) : "delivered", s[i].want ? said(s[i].want) : "delivered");
	}
	CLOSE(rx);
	CLOSE(tx);
	return rc;
}

/* IPv4 on lo: no datagram is over the path (65535), so DO sends the largest, and one more is
 * EMSGSIZE under any setting. */
static int check_emsgsize4(void)
{
	uint16_t port;
	int rx = udp_bound(AF_INET, &port), tx = socket(AF_INET, SOCK_DGRAM, 0), rc = CHECK_OK;
	struct sockaddr_in to = sa4("127.0.0.1", port);
	if (rx < 0 || connect(tx, (struct sockaddr *)&to, sizeof(to)) < 0 ||
	    set_int(tx, IPPROTO_IP, IP_MTU_DISCOVER, PMTUDISC_DO)) {
		rc = fail("setup: %s", errname(errno));
	} else {
		ssize_t a = send(tx, big, V4_UDP_MAX, 0);
		int ea = a < 0 ? errno : 0;
		ssize_t b = send(tx, big, V4_UDP_MAX + 1, 0);
		int eb = b < 0 ? errno : 0;
		if (a != V4_UDP_MAX || eb != EMSGSIZE)
			rc = fail("under DO: %d bytes %s, %d bytes %s (want sent, EMSGSIZE)", V4_UDP_MAX,
				  ea ? errname(ea) : "sent", V4_UDP_MAX + 1, eb ? errname(eb) : "sent");
	}
	CLOSE(rx);
	CLOSE(tx);
	return rc;
}

/* ---- t-conform_pmtu route ADDR: what `ip route get ADDR` would show of the path MTU cache
 * (busybox's ip prints no metrics): "route ADDR: mtu N lock L expires S" (N 0: no RTAX_MTU),
 * for the boot test that taught the guest a path MTU. */
#define NL_BUF        4096
#define NLMSG_ALIGNTO 4u
#define NL_ALIGN(n)   (((n) + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1))
#define NETLINK_ROUTE_ 0
#define RTM_NEWROUTE_ 24
#define RTM_GETROUTE_ 26
#define RTA_DST_      1
#define RTA_METRICS_  8
#define RTA_CACHEINFO_ 12
#define RTAX_LOCK_    1
#define RTAX_MTU_     2
#define NLM_F_REQUEST_ 1
#define USER_HZ_      100

struct nlh { uint32_t len; uint16_t type, flags; uint32_t seq, pid; };
struct rtm { uint8_t family, dst_len, src_len, tos, table, protocol, scope, type; uint32_t flags; };
struct rta { uint16_t len, type; };

/* The u32 of nested attribute type in [p, p + len), or 0. */
static uint32_t nested_u32(const uint8_t *p, size_t len, uint16_t type)
{
	for (size_t off = 0; off + sizeof(struct rta) <= len;) {
		const struct rta *a = (const struct rta *)(p + off);
		if (a->len < sizeof(*a) || off + a->len > len)
			break;
		if (a->type == type && a->len >= sizeof(*a) + 4) {
			uint32_t v;
			memcpy(&v, a + 1, 4);
			return v;
		}
		off += NL_ALIGN(a->len);
	}
	return 0;
}

static int route_mode(const char *text)
{
	struct { struct nlh h; struct rtm r; struct rta a; uint32_t dst; } q = {
		.h = { sizeof(q), RTM_GETROUTE_, NLM_F_REQUEST_, 1, 0 },
		.r = { .family = AF_INET, .dst_len = 32 }, .a = { 8, RTA_DST_ } };
	static uint8_t buf[NL_BUF];
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE_);
	if (fd < 0 || inet_pton(AF_INET, text, &q.dst) != 1 || send(fd, &q, sizeof(q), 0) < 0) {
		printf("route %s: %s\n", text, strerror(errno));
		return 1;
	}
	ssize_t n = recv(fd, buf, sizeof(buf), 0);
	close(fd);
	const struct nlh *h = (const struct nlh *)buf;
	if (n < (ssize_t)(sizeof(*h) + sizeof(struct rtm)) || h->type != RTM_NEWROUTE_ || h->len > (size_t)n) {
		printf("route %s: no RTM_NEWROUTE\n", text);
		return 1;
	}
	const uint8_t *p = buf + sizeof(*h) + sizeof(struct rtm);
	size_t len = h->len - sizeof(*h) - sizeof(struct rtm);
	const uint8_t *metrics = NULL;
	size_t mlen = 0;
	int32_t expires = 0;
	for (size_t off = 0; off + sizeof(struct rta) <= len;) {
		const struct rta *a = (const struct rta *)(p + off);
		if (a->len < sizeof(*a) || off + a->len > len)
			break;
		if (a->type == RTA_METRICS_) {
			metrics = (const uint8_t *)(a + 1);
			mlen = a->len - sizeof(*a);
		} else if (a->type == RTA_CACHEINFO_ && a->len >= sizeof(*a) + 12) {
			memcpy(&expires, (const uint8_t *)(a + 1) + 8, 4); /* rta_expires */
		}
		off += NL_ALIGN(a->len);
	}
	printf("route %s: mtu %u lock %u expires %d\n", text, metrics ? nested_u32(metrics, mlen, RTAX_MTU_) : 0,
	       metrics ? nested_u32(metrics, mlen, RTAX_LOCK_) : 0, expires / USER_HZ_);
	return 0;
}

/* ---- t-conform_pmtu serve 4|6 PORT dont|want|do|probe|interface|omit BYTES wait|close|pause: an
 * HTTP/1.0 server of BYTES zeros whose listener (and so every connection it accepts, which
 * inherits the option) has IP_MTU_DISCOVER (4: AF_INET) or IPV6_MTU_DISCOVER (6: AF_INET6, IPV6_V6ONLY) set
 * as named, for the boot test's frag-needed and packet too big checks (busybox httpd sets
 * neither). One connection at a time: reads the request to its blank line, answers, then
 * (wait) shuts its side down and keeps the socket until the client's FIN, so that ICMP errors
 * meet a socket still open, or (close) closes at once, so that they meet the orphaned
 * connection, which keeps its socket's options on Linux, or (pause) sends half, waits
 * SERVE_PAUSE_S, sends the rest and closes, all under a short net.ipv4.route.mtu_expires, so that
 * a path MTU learnt during the first half expires before the second; forever. */
#define SERVE_HEAD    "HTTP/1.0 200 OK\r\n\r\n"
#define SERVE_CHUNK   4096
#define SERVE_BACKLOG 4
#define SERVE_MAX     (1 << 24)
#define SERVE_WAIT    0
#define SERVE_CLOSE   1
#define SERVE_PAUSE   2
#define SERVE_PAUSE_S 8          /* pause's pause: longer than its mtu_expires */
#define SERVE_EXPIRES_S 5
#define MTU_EXPIRES_FILE "/proc/sys/net/ipv4/route/mtu_expires"

static int pmtudisc_named(const char *how)
{
	static const struct { const char *name; int v; } n[] = {
		{ "dont", PMTUDISC_DONT }, { "want", PMTUDISC_WANT }, { "do", PMTUDISC_DO },
		{ "probe", PMTUDISC_PROBE }, { "interface", PMTUDISC_INTERFACE }, { "omit", PMTUDISC_OMIT },
	};
	for (size_t i = 0; i < NELEMS(n); i++)
		if (!strcmp(how, n[i].name))
			return n[i].v;
	return -1;
}

/* A listener on every address of family (4 or 6) at port with the option set; -1 on an error,
 * said on stdout. */
static int serve_listener(int family, uint16_t port, int how)
{
	int on = 1, fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	int r = fd < 0 ? -errno : setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ? -errno : 0;
	if (!r && family == 6)
		r = set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	if (!r)
		r = family == 4 ? set_int(fd, IPPROTO_IP, IP_MTU_DISCOVER, how)
				: set_int(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, how);
	if (!r)
		r = (family == 4 ? bind(fd, (struct sockaddr *)&a4, sizeof(a4))
				 : bind(fd, (struct sockaddr *)&a6, sizeof(a6))) < 0 ? -errno : 0;
	if (!r)
		r = listen(fd, SERVE_BACKLOG) < 0 ? -errno : 0;
	if (r) {
		printf("serve: IPv%d port %u: %s\n", family, port, said(r));
		CLOSE(fd);
	}
	return fd;
}

static char req[SERVE_CHUNK + 1];

/* Read one request from c into req, to its blank line (or the peer's end). */
static void read_request(int c)
{
	size_t got = 0;
	ssize_t n;
	while (got < SERVE_CHUNK && (n = read(c, req + got, SERVE_CHUNK - got)) > 0) {
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
}

/* Write bytes zeros to c: false on an error. */
static bool write_zeros(int c, long bytes)
{
	static const char zeros[SERVE_CHUNK];
	ssize_t n;
	for (long left = bytes; left > 0; left -= n) {
		n = write(c, zeros, left < SERVE_CHUNK ? (size_t)left : SERVE_CHUNK);
		if (n <= 0)
			return false;
	}
	return true;
}

/* net.ipv4.route.mtu_expires: set to secs (the value before in *old), or put back (old): 0 or -1. */
static int mtu_expires_set(int secs, int *old)
{
	FILE *f = fopen(MTU_EXPIRES_FILE, "r+");
	int ok = f && (!old || fscanf(f, "%d", old) == 1) && fseek(f, 0, SEEK_SET) == 0 &&
		 fprintf(f, "%d\n", secs) > 0;
	if (f && fclose(f))
		ok = 0;
	return ok ? 0 : -1;
}

/* Read one request, then send the answer; end SERVE_WAIT: then shut down and read to the
 * client's FIN; SERVE_PAUSE: the first half, a pause of SERVE_PAUSE_S, the rest, under a
 * net.ipv4.route.mtu_expires of SERVE_EXPIRES_S (put back after). */
static void serve_one(int c, long bytes, int end)
{
	int old = -1;
	read_request(c);
	if (end == SERVE_PAUSE && mtu_expires_set(SERVE_EXPIRES_S, &old))
		return;
	bool ok = write(c, SERVE_HEAD, strlen(SERVE_HEAD)) >= 0;
	if (ok && end == SERVE_PAUSE) {
		ok = write_zeros(c, bytes / 2);
		sleep(SERVE_PAUSE_S);
		bytes -= bytes / 2;
	}
	ok = ok && write_zeros(c, bytes);
	if (end == SERVE_PAUSE)
		(void)mtu_expires_set(old, NULL);
	if (ok && end == SERVE_WAIT && shutdown(c, SHUT_WR) == 0)
		while (read(c, req, SERVE_CHUNK) > 0)
			;
}

static int serve_mode(const char *fam, const char *port, const char *how, const char *bytes, const char *end_text)
{
	int family = atoi(fam), v = pmtudisc_named(how);
	long p = atol(port), n = atol(bytes);
	int end = !strcmp(end_text, "wait") ? SERVE_WAIT : !strcmp(end_text, "close") ? SERVE_CLOSE
		: !strcmp(end_text, "pause") ? SERVE_PAUSE : -1;
	if ((family != 4 && family != 6) || v < 0 || p <= 0 || p > 0xffff || n < 0 || n > SERVE_MAX || end < 0) {
		printf("usage: t-conform_pmtu serve 4|6 PORT dont|want|do|probe|interface|omit BYTES wait|close|pause\n");
		return 2;
	}
	int fd = serve_listener(family, (uint16_t)p, v);
	if (fd < 0)
		return 1;
	printf("serve: IPv%d port %ld %s %s\n", family, p, how, end_text);
	fflush(stdout);
	for (;;) {
		int c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		serve_one(c, n, end);
		close(c);
	}
}

/* ---- t-conform_pmtu softerr PORT: the soft error a frag-needed leaves (Linux's
 * tcp_v4_mtu_reduced: sk_err_soft EMSGSIZE when the path stays above the MTU it told, under
 * DF) shows when the connection dies of a timeout (tcp_write_err). An IPv4 listener on PORT
 * under IP_PMTUDISC_DO takes one connection, with keepalive after SOFTERR_IDLE_S idle and
 * SOFTERR_PROBES probes SOFTERR_IDLE_S apart; it reads the request to its blank line, answers
 * SERVE_HEAD, then reads until the connection ends and says how: "softerr: read: ERRNO" (or
 * "N bytes"). The boot test's client goes silent after the answer and a frag-needed of an MTU
 * under 552 quoting the guest's next sequence number: the keepalive gives up, with EMSGSIZE
 * where the soft error is kept, ETIMEDOUT where it is not. */
#define SOFTERR_IDLE_S  1
#define SOFTERR_PROBES  2

/* An errno's name for softerr's and df4's lines (checks.h's errname has neither). */
static const char *net_errname(int e)
{
	return e == EMSGSIZE ? "EMSGSIZE" : e == ETIMEDOUT ? "ETIMEDOUT" : errname(e & ERRNO_MASK);
}

static int softerr_mode(const char *port)
{
	int one = 1, idle = SOFTERR_IDLE_S, probes = SOFTERR_PROBES;
	long p = atol(port);
	int l = p > 0 && p <= 0xffff ? serve_listener(4, (uint16_t)p, PMTUDISC_DO) : -1;
	int c = l < 0 ? -1 : accept(l, NULL, NULL);
	if (c < 0 || setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) < 0 ||
	    setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) < 0 ||
	    setsockopt(c, IPPROTO_TCP, TCP_KEEPINTVL, &idle, sizeof(idle)) < 0 ||
	    setsockopt(c, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof(probes)) < 0) {
		printf("softerr: setup: %s\n", errname(errno));
		return 1;
	}
	ssize_t n;
	read_request(c);
	if (write(c, SERVE_HEAD, strlen(SERVE_HEAD)) < 0) {
		printf("softerr: write: %s\n", net_errname(errno));
		return 1;
	}
	while ((n = read(c, req, SERVE_CHUNK)) > 0)
		;
	if (n < 0)
		printf("softerr: read: %s\n", net_errname(errno));
	else
		printf("softerr: read: %zd bytes\n", n);
	return 0;
}

/* ---- t-conform_pmtu df4 ADDR PORT MTU: what IP_MTU_DISCOVER does to IPv4 datagrams (UDP, raw
 * ICMP, ping) once the path to ADDR learnt MTU (less than the link's 1500), for the boot test
 * whose forged router teaches it and watches the wire. First a probe: a UDP socket connected to
 * ADDR:PORT sends DF4_BIG bytes (under WANT: whole, with DF) every DF4_PROBE_MS until its
 * IP_MTU reads MTU (the router's frag-needed quotes it). Then, for each kind and each option,
 * one datagram of DF4_SMALL and one of DF4_BIG bytes (the IPv4 packet's total length), each
 * tagged: its payload (after the 8-byte UDP or ICMP header) starts "df4:" and a big-endian
 * 16-bit number. One line per send, "df4 KIND HOW TOTAL TAG: sent" or the errno's name; the
 * test reads the packets on the wire. Linux 6.1 (__ip_append_data, __ip_make_skb) and Kestrel
 * give the same. */
#define DF4_SMALL     500
#define DF4_BIG       1400
#define DF4_L4_HDR    8          /* UDP's header, or ICMP's echo header */
#define DF4_IP_HDR    20
#define DF4_PROBE_MS  500
#define DF4_PROBES    20
#define DF4_ICMP_ECHO 8
#define DF4_RAW_ID    0x4446     /* the raw socket's echo identifier ("DF") */

static const char *const df4_hows[] = { "dont", "want", "do", "probe", "interface", "omit" };

/* The Internet checksum of p (RFC 1071), for the raw socket's echo request. */
static uint16_t df4_csum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Send one tagged datagram of total bytes (an IPv4 packet's length) from a new socket of kind
 * (0 UDP, 1 raw ICMP, 2 ping) under option how to a: 0 or -errno. */
static int df4_send(int kind, int how, const struct sockaddr_in *a, size_t total, uint16_t tag)
{
	static uint8_t pkt[DF4_BIG];
	int fd = kind == 0 ? socket(AF_INET, SOCK_DGRAM, 0) : kind == 1 ? socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)
								  : socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	if (fd < 0)
		return -errno;
	size_t n = total - DF4_IP_HDR;            /* what the socket is given: UDP's payload, ICMP's message */
	uint8_t *body = pkt + DF4_L4_HDR;         /* after the echo header (raw, ping) */
	memset(pkt, 0, sizeof(pkt));
	if (kind == 0) {
		n -= DF4_L4_HDR;
		body = pkt;
	}
	memcpy(body, "df4:", 4);
	body[4] = (uint8_t)(tag >> 8), body[5] = (uint8_t)tag;
	if (kind != 0) {
		pkt[0] = DF4_ICMP_ECHO;
		pkt[4] = DF4_RAW_ID >> 8, pkt[5] = DF4_RAW_ID & 0xff;
		pkt[6] = (uint8_t)(tag >> 8), pkt[7] = (uint8_t)tag;
		uint16_t c = df4_csum(pkt, n);      /* the raw socket's to give; a ping socket's kernel sets its own */
		pkt[2] = (uint8_t)(c >> 8), pkt[3] = (uint8_t)c;
	}
	int r = set_int(fd, IPPROTO_IP, IP_MTU_DISCOVER, how);
	if (!r && sendto(fd, pkt, n, 0, (const struct sockaddr *)a, sizeof(*a)) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* The probe (see above): the path MTU IP_MTU reads once it is want, or the last read. */
static int df4_probe(const struct sockaddr_in *a, int want)
{
	static char probe[DF4_BIG - DF4_IP_HDR - DF4_L4_HDR] = "probe";
	int fd = socket(AF_INET, SOCK_DGRAM, 0), mtu = -1;
	if (fd < 0 || connect(fd, (const struct sockaddr *)a, sizeof(*a)) < 0) {
		printf("df4: probe socket: %s\n", errname(errno));
		return -1;
	}
	for (int i = 0; i < DF4_PROBES && mtu != want; i++) {
		if (send(fd, probe, sizeof(probe), 0) < 0 && errno != EMSGSIZE)
			printf("df4: probe: %s\n", errname(errno));
		usleep(DF4_PROBE_MS * 1000);
		mtu = get_int(fd, IPPROTO_IP, IP_MTU);
	}
	close(fd);
	return mtu;
}

static int df4_mode(const char *addr, const char *port, const char *mtu_text)
{
	static const char *const kinds[] = { "udp", "raw", "ping" };
	struct sockaddr_in a = sa4(addr, (uint16_t)atoi(port)), icmp_a = sa4(addr, 0);
	int want = atoi(mtu_text), mtu = df4_probe(&a, want);
	printf("df4: path mtu %d\n", mtu);
	if (mtu != want)
		return 1;
	uint16_t tag = 0;
	for (int k = 0; k < (int)NELEMS(kinds); k++)
		for (int h = 0; h < (int)NELEMS(df4_hows); h++)
			for (size_t total = DF4_SMALL; total <= DF4_BIG; total += DF4_BIG - DF4_SMALL) {
				int r = df4_send(k, pmtudisc_named(df4_hows[h]), k ? &icmp_a : &a, total, tag);
				printf("df4 %s %s %zu %u: %s\n", kinds[k], df4_hows[h], total, tag,
				       !r ? "sent" : net_errname(-r));
				tag++;
			}
	printf("df4: done\n");
	return 0;
}

static const struct check checks[] = {
	{ "defaults", check_defaults },
	{ "range", check_range },
	{ "enotconn", check_enotconn },
	{ "mtu4", check_mtu4 },
	{ "mtu6", check_mtu6 },
	{ "emsgsize6", check_emsgsize6 },
	{ "emsgsize4", check_emsgsize4 },
};

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "route"))
		return route_mode(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "softerr"))
		return softerr_mode(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "df4"))
		return df4_mode(argv[2], argv[3], argv[4]);
	if (argc == 7 && !strcmp(argv[1], "serve"))
		return serve_mode(argv[2], argv[3], argv[4], argv[5], argv[6]);
	c_isolate = 1;
	return run_checks("conform_pmtu", checks, NELEMS(checks), argc, argv);
}
