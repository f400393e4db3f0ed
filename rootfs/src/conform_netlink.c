// SPDX-License-Identifier: MIT
// AF_NETLINK/NETLINK_ROUTE conformance: sockets and port ids, dumps of links, addresses and routes, acknowledgments and errors, truncated reads, getifaddrs, addresses added and removed on lo, and the notifications of addresses, routes, neighbours and of lo going down and up.
#define _GNU_SOURCE
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <net/route.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "checks.h"

/*
 * As Linux 6.1 answers a NETLINK_ROUTE socket (netlink(7), rtnetlink(7)):
 * what glibc's and musl's getifaddrs/if_nameindex, busybox ip and
 * iproute2 send. The build machine's lo (127.0.0.1/8, up) is the only
 * interface these checks count on; a host with more interfaces, IPv6 or
 * other routes passes too. The checks that add addresses and routes need
 * CAP_NET_ADMIN and skip without it; on Linux they work in a network
 * namespace of their own (Kestrel has none: unshare says EINVAL, and they
 * clean up after themselves).
 *
 * musl has no <linux/netlink.h>: the ABI is spelled out here, on
 * purpose apart from the kernel's own headers.
 */
#define NETLINK_ROUTE_ 0
#define SOL_NETLINK_ 270
#define NETLINK_EXT_ACK_ 11
#define NETLINK_GET_STRICT_CHK_ 12
#define NETLINK_CAP_ACK_ 10

struct nlhdr { uint32_t len; uint16_t type, flags; uint32_t seq, pid; };
struct nl_sa { uint16_t family, pad; uint32_t pid, groups; };
struct rta { uint16_t len, type; };
struct ifinfo { uint8_t family, pad; uint16_t type; int32_t index; uint32_t flags, change; };
struct ifa_msg { uint8_t family, prefixlen, flags, scope; uint32_t index; };
struct rtm { uint8_t family, dst_len, src_len, tos, table, protocol, scope, type; uint32_t flags; };

#define NLMSG_NOOP_ 1
#define NLMSG_ERROR_ 2
#define NLMSG_DONE_ 3
#define F_REQUEST 0x1
#define F_MULTI 0x2
#define F_ACK 0x4
#define F_DUMP 0x300
#define F_REPLACE 0x100
#define F_EXCL 0x200
#define F_CREATE 0x400
#define F_CAPPED 0x100
#define F_ACK_TLVS 0x200
#define RTM_NEWLINK_ 16
#define RTM_GETLINK_ 18
#define RTM_SETLINK_ 19
#define RTM_NEWADDR_ 20
#define RTM_DELADDR_ 21
#define RTM_GETADDR_ 22
#define RTM_NEWROUTE_ 24
#define RTM_DELROUTE_ 25
#define RTM_GETROUTE_ 26
#define RTM_GETNEIGH_ 30
#define IFLA_ADDRESS_ 1
#define IFLA_IFNAME_ 3
#define IFLA_MTU_ 4
#define IFLA_QDISC_ 6
#define IFLA_STATS_ 7
#define IFLA_TXQLEN_ 13
#define IFLA_OPERSTATE_ 16
#define IFLA_STATS64_ 23
#define IFA_ADDRESS_ 1
#define IFA_LOCAL_ 2
#define IFA_LABEL_ 3
#define IFA_CACHEINFO_ 6
#define RTA_DST_ 1
#define RTA_OIF_ 4
#define RTA_TABLE_ 15
#define ARPHRD_LOOPBACK_ 772
#define IFF_LOWER_UP_ 0x10000
#define RT_SCOPE_HOST_ 254
#define RTN_LOCAL_ 2
#define RTM_F_CLONED_ 0x200
#define NL_BUF 32768
#define ALIGN4(n) (((n) + 3u) & ~3u)

static unsigned char rbuf[NL_BUF];
static uint32_t seq_no = 1000;

/* A NETLINK_ROUTE socket bound to an automatic port id, in the
 * multicast groups (RTMGRP_* bits) given: the fd, or -1. */
static int nl_join(uint32_t groups)
{
	struct nl_sa sa = { AF_NETLINK, 0, 0, groups };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE_);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int nl_open(void)
{
	return nl_join(0);
}

/* A request being built: header, fixed part, attributes. */
struct req { unsigned char b[512]; size_t len; };

static void req_init(struct req *r, uint16_t type, uint16_t flags, const void *fixed, size_t flen)
{
	struct nlhdr h = { 0, type, flags, ++seq_no, 0 };

	memset(r, 0, sizeof(*r));
	memcpy(r->b, &h, sizeof(h));
	memcpy(r->b + sizeof(h), fixed, flen);
	r->len = sizeof(h) + ALIGN4(flen);
	((struct nlhdr *)r->b)->len = (uint32_t)(sizeof(h) + flen);
}

static void req_attr(struct req *r, uint16_t type, const void *data, size_t n)
{
	struct rta a = { (uint16_t)(sizeof(a) + n), type };

	memcpy(r->b + r->len, &a, sizeof(a));
	memcpy(r->b + r->len + sizeof(a), data, n);
	r->len += ALIGN4(sizeof(a) + n);
	((struct nlhdr *)r->b)->len = (uint32_t)r->len;
}

static uint32_t req_seq(const struct req *r)
{
	return ((const struct nlhdr *)r->b)->seq;
}

static long req_send(int fd, const struct req *r)
{
	struct nl_sa to = { AF_NETLINK, 0, 0, 0 };

	return sendto(fd, r->b, ((const struct nlhdr *)r->b)->len, 0, (struct sockaddr *)&to, sizeof(to));
}

/* One datagram into rbuf (MSG_DONTWAIT: the kernel answers before the
 * send returns). Its length, or -1. */
static long nl_read(int fd)
{
	return recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
}

/* The first message of rbuf's datagram of n bytes, checked whole. */
static const struct nlhdr *first_msg(long n)
{
	const struct nlhdr *h = (const struct nlhdr *)rbuf;

	return n >= (long)sizeof(*h) && h->len >= sizeof(*h) && h->len <= (uint32_t)n ? h : NULL;
}

/* The attribute of type in message h after its fixed part of flen bytes, or NULL. */
static const struct rta *find_attr(const struct nlhdr *h, size_t flen, uint16_t type)
{
	size_t off = sizeof(*h) + ALIGN4(flen);

	while (off + sizeof(struct rta) <= h->len) {
		const struct rta *a = (const struct rta *)((const char *)h + off);
		if (a->len < sizeof(*a) || off + a->len > h->len)
			return NULL;
		if ((a->type & 0x3fff) == type)
			return a;
		off += ALIGN4(a->len);
	}
	return NULL;
}

static const void *rta_data(const struct rta *a) { return a + 1; }
static size_t rta_len(const struct rta *a) { return a->len - sizeof(*a); }

static uint32_t rta_u32(const struct rta *a)
{
	uint32_t v = 0;

	memcpy(&v, rta_data(a), rta_len(a) < 4 ? rta_len(a) : 4);
	return v;
}

/* Read one answer that must be an NLMSG_ERROR for seq: its error (0 an
 * ack), or 1 when something else came (why in c_why). */
static int read_error(int fd, uint32_t seq, const struct nlhdr **out)
{
	long n = nl_read(fd);
	const struct nlhdr *h = first_msg(n);

	if (!h) {
		fail("no answer (%ld, %s)", n, errname(errno));
		return 1;
	}
	if (h->type != NLMSG_ERROR_ || h->seq != seq || h->len < sizeof(*h) + 4 + sizeof(*h)) {
		fail("want NLMSG_ERROR for seq %u, got type %u seq %u len %u", seq, h->type, h->seq, h->len);
		return 1;
	}
	if (out)
		*out = h;
	int32_t e;
	memcpy(&e, h + 1, sizeof(e));
	return e;
}

/* Each message of a dump, datagram by datagram, to fn, until NLMSG_DONE
 * (whose int error goes to *done_err). CHECK_OK or a failure. */
static int read_dump(int fd, uint32_t seq, int (*fn)(const struct nlhdr *, void *), void *arg, int *done_err)
{
	for (int datagrams = 0; datagrams < 1000; datagrams++) {
		long n = nl_read(fd);
		if (n <= 0)
			return fail("dump: recv %ld (%s) before NLMSG_DONE", n, errname(errno));
		for (long off = 0; off + (long)sizeof(struct nlhdr) <= n;) {
			const struct nlhdr *h = (const struct nlhdr *)(rbuf + off);
			if (h->len < sizeof(*h) || off + (long)h->len > n)
				return fail("dump: a message of %u bytes at %ld of %ld", h->len, off, n);
			if (h->seq != seq || !(h->flags & F_MULTI))
				return fail("dump: type %u seq %u flags %#x (want seq %u, NLM_F_MULTI)",
					    h->type, h->seq, h->flags, seq);
			if (h->type == NLMSG_DONE_) {
				if (h->len < sizeof(*h) + 4)
					return fail("NLMSG_DONE of %u bytes", h->len);
				memcpy(done_err, h + 1, sizeof(*done_err));
				return off + (long)ALIGN4(h->len) == n ? CHECK_OK : fail("bytes after NLMSG_DONE");
			}
			if (h->type == NLMSG_ERROR_)
				return fail("dump answered NLMSG_ERROR");
			int r = fn(h, arg);
			if (r != CHECK_OK)
				return r;
			off += ALIGN4(h->len);
		}
	}
	return fail("dump: no NLMSG_DONE after 1000 datagrams");
}

/* ---- sockets ------------------------------------------------------------------------- */

static int check_socket(void)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE_), r;

	if (fd < 0)
		return fail("socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE): %s", errname(errno));
	close(fd);
	errno = 0;
	if ((r = want_err("socket(SOCK_STREAM)", socket(AF_NETLINK, SOCK_STREAM, 0), ESOCKTNOSUPPORT)))
		return r;
	errno = 0;
	if ((r = want_err("socket(protocol 32)", socket(AF_NETLINK, SOCK_RAW, 32), EPROTONOSUPPORT)))
		return r;
	errno = 0;
	if ((r = want_err("socket(protocol -1)", socket(AF_NETLINK, SOCK_RAW, -1), EPROTONOSUPPORT)))
		return r;
	int type = 0;
	socklen_t len = sizeof(type);
	fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE_);
	r = getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
	int dom = 0;
	len = sizeof(dom);
	getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &len);
	close(fd);
	if (r || type != SOCK_RAW || dom != AF_NETLINK)
		return fail("SO_TYPE %d SO_DOMAIN %d, want SOCK_RAW, AF_NETLINK", type, dom);
	return CHECK_OK;
}

/* Port ids: autobind gives the process id, then a negative one; a taken
 * id is EADDRINUSE; a bound socket rebinds only to its own id. */
static int check_bind(void)
{
	int a = nl_open(), b = nl_open(), c = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE_), r = CHECK_OK;
	struct nl_sa sa = { 0 }, sb = { 0 };
	socklen_t la = sizeof(sa), lb = sizeof(sb);

	if (a < 0 || b < 0 || c < 0)
		r = fail("socket/bind: %s", errname(errno));
	else if (getsockname(a, (struct sockaddr *)&sa, &la) || getsockname(b, (struct sockaddr *)&sb, &lb))
		r = fail("getsockname: %s", errname(errno));
	else if (la != 12 || sa.family != AF_NETLINK || sa.pid != (uint32_t)getpid())
		r = fail("first autobind: len %u family %u pid %u, want 12, AF_NETLINK, %d", la, sa.family,
			 sa.pid, getpid());
	else if ((int32_t)sb.pid >= -4096)
		r = fail("second autobind: pid %d, want below -4096", (int32_t)sb.pid);
	if (r == CHECK_OK) {
		struct nl_sa taken = { AF_NETLINK, 0, sa.pid, 0 }, other = { AF_NETLINK, 0, 12345, 0 };
		errno = 0;
		r = want_err("bind to a taken port id", bind(c, (struct sockaddr *)&taken, sizeof(taken)), EADDRINUSE);
		errno = 0;
		if (!r)
			r = want_err("rebind to another id", bind(a, (struct sockaddr *)&other, sizeof(other)), EINVAL);
		errno = 0;
		if (!r)
			r = want_err("bind with 8 bytes", bind(c, (struct sockaddr *)&other, 8), EINVAL);
		other.family = AF_UNIX;
		errno = 0;
		if (!r)
			r = want_err("bind AF_UNIX", bind(c, (struct sockaddr *)&other, sizeof(other)), EINVAL);
		if (!r)
			r = want_eq("rebind to its own id", bind(a, (struct sockaddr *)&sa, sizeof(sa)), 0);
	}
	close(a);
	close(b);
	close(c);
	return r;
}

/* ---- getifaddrs, if_nameindex -------------------------------------------------------------- */

static int check_getifaddrs(void)
{
	struct ifaddrs *list, *i;
	int inet = 0, packet = 0;

	if (getifaddrs(&list) != 0)
		return fail("getifaddrs: %s", errname(errno));
	for (i = list; i; i = i->ifa_next) {
		if (strcmp(i->ifa_name, "lo") != 0 || !i->ifa_addr)
			continue;
		if (!(i->ifa_flags & IFF_UP) || !(i->ifa_flags & IFF_LOOPBACK))
			inet = -1;
		if (i->ifa_addr->sa_family == AF_PACKET)
			packet++;
		if (i->ifa_addr->sa_family == AF_INET && i->ifa_netmask &&
		    ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
		    ((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr == htonl(0xff000000u) && inet >= 0)
			inet++;
	}
	freeifaddrs(list);
	if (inet != 1 || packet != 1)
		return fail("lo: %d AF_INET 127.0.0.1/8 entries (flags ok: %s), %d AF_PACKET, want 1 and 1",
			    inet < 0 ? 0 : inet, inet < 0 ? "no" : "yes", packet);
	return CHECK_OK;
}

static int check_if_names(void)
{
	struct if_nameindex *ni = if_nameindex(), *p;
	char name[IF_NAMESIZE] = "";
	int found = 0;

	if (!ni)
		return fail("if_nameindex: %s", errname(errno));
	for (p = ni; p->if_index; p++)
		found += p->if_index == 1 && strcmp(p->if_name, "lo") == 0;
	if_freenameindex(ni);
	if (found != 1)
		return fail("if_nameindex has no {1, \"lo\"}");
	if (if_nametoindex("lo") != 1)
		return fail("if_nametoindex(\"lo\") = %u, want 1 (%s)", if_nametoindex("lo"), errname(errno));
	if (!if_indextoname(1, name) || strcmp(name, "lo") != 0)
		return fail("if_indextoname(1) = \"%s\" (%s), want lo", name, errname(errno));
	return CHECK_OK;
}

/* ---- links ---------------------------------------------------------------------------------- */

struct link_seen { int lo, bad; char why[160]; };

/* lo's RTM_NEWLINK, attribute by attribute. */
static int see_link(const struct nlhdr *h, void *arg)
{
	struct link_seen *s = arg;
	const struct ifinfo *ifi = (const struct ifinfo *)(h + 1);
	const struct rta *name = find_attr(h, sizeof(*ifi), IFLA_IFNAME_);

	if (h->type != RTM_NEWLINK_ || h->len < sizeof(*h) + sizeof(*ifi) || !name)
		return fail("a link message of type %u, %u bytes, %s IFLA_IFNAME", h->type, h->len,
			    name ? "with" : "without");
	if (strcmp(rta_data(name), "lo") != 0)
		return CHECK_OK;
	s->lo++;
	const struct rta *mtu = find_attr(h, sizeof(*ifi), IFLA_MTU_), *q = find_attr(h, sizeof(*ifi), IFLA_QDISC_);
	const struct rta *addr = find_attr(h, sizeof(*ifi), IFLA_ADDRESS_);
	const struct rta *st64 = find_attr(h, sizeof(*ifi), IFLA_STATS64_), *st = find_attr(h, sizeof(*ifi), IFLA_STATS_);
	const struct rta *op = find_attr(h, sizeof(*ifi), IFLA_OPERSTATE_), *txq = find_attr(h, sizeof(*ifi), IFLA_TXQLEN_);
	uint32_t want = IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP_;
	if (ifi->index != 1 || ifi->type != ARPHRD_LOOPBACK_ || (ifi->flags & want) != want)
		return fail("lo: index %d type %u flags %#x", ifi->index, ifi->type, ifi->flags);
	if (!mtu || rta_u32(mtu) != 65536 || !q || strcmp(rta_data(q), "noqueue") || !addr || rta_len(addr) != 6)
		return fail("lo: mtu %u, qdisc %s, address of %zu bytes", mtu ? rta_u32(mtu) : 0,
			    q ? (const char *)rta_data(q) : "none", addr ? rta_len(addr) : 0);
	if (!st64 || rta_len(st64) < 192 || !st || rta_len(st) < 92 || !op || !txq)
		return fail("lo: IFLA_STATS64 %zu bytes, IFLA_STATS %zu, operstate %s, txqlen %s",
			    st64 ? rta_len(st64) : 0, st ? rta_len(st) : 0, op ? "yes" : "no", txq ? "yes" : "no");
	return CHECK_OK;
}

/* A raw RTM_GETLINK dump (as getifaddrs sends it: a struct rtgenmsg), parsed by hand. */
static int check_link_dump(void)
{
	int fd = nl_open(), err = -1, r;
	struct link_seen s = { 0 };
	struct req q;
	uint8_t family = AF_PACKET;
	struct nl_sa me = { 0 }, from = { 0 };
	socklen_t len = sizeof(me), flen = sizeof(from);

	if (fd < 0)
		return fail("socket: %s", errname(errno));
	getsockname(fd, (struct sockaddr *)&me, &len);
	req_init(&q, RTM_GETLINK_, F_REQUEST | F_DUMP, &family, 1);
	if (req_send(fd, &q) != (long)((struct nlhdr *)q.b)->len)
		r = fail("send: %s", errname(errno));
	else if (recvfrom(fd, rbuf, sizeof(rbuf), MSG_PEEK | MSG_DONTWAIT, (struct sockaddr *)&from, &flen) <= 0 ||
		 flen != sizeof(from) || from.family != AF_NETLINK || from.pid != 0)
		r = fail("the answer's sender: len %u family %u pid %u, want 12, AF_NETLINK, 0", flen,
			 from.family, from.pid);
	else if (((struct nlhdr *)rbuf)->pid != me.pid)
		r = fail("nlmsg_pid %u, want the socket's %u", ((struct nlhdr *)rbuf)->pid, me.pid);
	else if ((r = read_dump(fd, req_seq(&q), see_link, &s, &err)) == CHECK_OK && (err || s.lo != 1))
		r = fail("NLMSG_DONE error %d, %d lo messages", err, s.lo);
	close(fd);
	return r;
}

/* RTM_GETLINK of one link: by index, by name, an unknown one (ENODEV),
 * and with NLM_F_ACK the answer then an acknowledgment. */
static int check_link_get(void)
{
	int fd = nl_open(), r = CHECK_OK;
	struct ifinfo ifi = { .index = 1 };
	struct req q;
	struct link_seen s = { 0 };

	if (fd < 0)
		return fail("socket: %s", errname(errno));
	req_init(&q, RTM_GETLINK_, F_REQUEST | F_ACK, &ifi, sizeof(ifi));
	req_send(fd, &q);
	long n = nl_read(fd);
	const struct nlhdr *h = first_msg(n);
	if (!h || h->type != RTM_NEWLINK_ || h->flags != 0 || h->seq != req_seq(&q) || h->len != n)
		r = fail("by index: %ld bytes, type %u flags %#x", n, h ? h->type : 0, h ? h->flags : 0);
	else if ((r = see_link(h, &s)) == CHECK_OK) {
		const struct nlhdr *e;
		int err = read_error(fd, req_seq(&q), &e);
		if (err == 1)
			r = CHECK_FAIL;
		else if (err || e->len != 36 || e->flags != F_CAPPED)
			r = fail("ack: error %d len %u flags %#x, want 0, 36, NLM_F_CAPPED", err, e->len, e->flags);
	}
	ifi.index = 0;
	req_init(&q, RTM_GETLINK_, F_REQUEST, &ifi, sizeof(ifi));
	req_attr(&q, IFLA_IFNAME_, "lo", 3);
	req_send(fd, &q);
	n = nl_read(fd);
	h = first_msg(n);
	if (r == CHECK_OK && (!h || h->type != RTM_NEWLINK_ || ((const struct ifinfo *)(h + 1))->index != 1))
		r = fail("by name: type %u", h ? h->type : 0);
	ifi.index = 99999;
	req_init(&q, RTM_GETLINK_, F_REQUEST, &ifi, sizeof(ifi));
	req_send(fd, &q);
	const struct nlhdr *e;
	int err = read_error(fd, req_seq(&q), &e);
	if (r == CHECK_OK && err == 1)
		r = CHECK_FAIL;
	else if (r == CHECK_OK && (err != -ENODEV || e->len != 16 + 4 + q.len ||
				   memcmp((const char *)(e + 1) + 4, q.b, q.len)))
		r = fail("unknown index: error %d len %u, want -ENODEV and the whole request", err, e->len);
	close(fd);
	return r;
}

/* ---- errors ------------------------------------------------------------------------------ */

/* Send q and want NLMSG_ERROR err for it. */
static int want_nlerr(int fd, const struct req *q, int want, const char *what)
{
	if (req_send(fd, q) < 0)
		return fail("%s: send: %s", what, errname(errno));
	int err = read_error(fd, req_seq(q), NULL);
	if (err == 1)
		return CHECK_FAIL;
	return err == want ? CHECK_OK : fail("%s: error %d, want %d", what, err, want);
}

/* Bad requests: an unknown type, a GET no family answers, a short
 * header, a value too short; what Linux drops without a word. */
static int check_errors(void)
{
	int fd = nl_open(), r;
	struct ifinfo ifi = { 0 };
	struct ifa_msg ifa = { .family = AF_INET };
	struct req q;

	if (fd < 0)
		return fail("socket: %s", errname(errno));
	req_init(&q, 0x7ff, F_REQUEST, &ifi, sizeof(ifi));
	r = want_nlerr(fd, &q, -EOPNOTSUPP, "type 0x7ff");
	req_init(&q, RTM_GETADDR_, F_REQUEST, &ifa, sizeof(ifa));
	if (!r)
		r = want_nlerr(fd, &q, -EOPNOTSUPP, "RTM_GETADDR without NLM_F_DUMP");
	req_init(&q, RTM_GETLINK_, F_REQUEST | F_ACK, &ifi, 1);
	if (!r)
		r = want_nlerr(fd, &q, -EINVAL, "RTM_GETLINK with a 1-byte header");
	ifi.index = 1;
	req_init(&q, RTM_GETLINK_, F_REQUEST, &ifi, sizeof(ifi));
	req_attr(&q, IFLA_IFNAME_, "lo", 3);
	uint16_t short_mtu = 1;
	req_attr(&q, IFLA_MTU_, &short_mtu, sizeof(short_mtu));
	if (!r)
		r = want_nlerr(fd, &q, -ERANGE, "IFLA_MTU of 2 bytes");
	/* control messages and non-requests: only the asked-for ack */
	req_init(&q, NLMSG_NOOP_, F_REQUEST | F_ACK, &ifi, sizeof(ifi));
	if (!r)
		r = want_nlerr(fd, &q, 0, "NLMSG_NOOP with NLM_F_ACK");
	req_init(&q, RTM_GETLINK_, 0, &ifi, sizeof(ifi));
	if (!r && req_send(fd, &q) < 0)
		r = fail("send: %s", errname(errno));
	/* a length beyond the send: dropped whole, the send still succeeds */
	req_init(&q, RTM_GETLINK_, F_REQUEST | F_ACK, &ifi, sizeof(ifi));
	((struct nlhdr *)q.b)->len = 4000;
	if (!r && send(fd, q.b, q.len, 0) != (long)q.len)
		r = fail("send of a lying header: %s", errname(errno));
	errno = 0;
	if (!r)
		r = want_err("recv after them", nl_read(fd), EAGAIN);
	errno = 0;
	if (!r)
		r = want_err("an empty send", send(fd, q.b, 0, 0), ENODATA);
	close(fd);
	return r;
}

/* Changes need CAP_NET_ADMIN: EPERM for a process without it. */
static int check_eperm(void)
{
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		struct ifa_msg ifa = { AF_INET, 8, 0, RT_SCOPE_HOST_, 1 };
		uint32_t a = htonl(0x7f000002);
		struct req q;
		if (setresuid(65534, 65534, 65534) != 0)
			_exit(3);
		int fd = nl_open();
		req_init(&q, RTM_NEWADDR_, F_REQUEST | F_ACK | F_CREATE | F_EXCL, &ifa, sizeof(ifa));
		req_attr(&q, IFA_LOCAL_, &a, 4);
		_exit(fd >= 0 && want_nlerr(fd, &q, -EPERM, "RTM_NEWADDR as nobody") == CHECK_OK ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return fail("fork: %s", errname(errno));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 3)
		return skip("cannot become nobody");
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? CHECK_OK : fail("RTM_NEWADDR as nobody: not EPERM (status %#x)", st);
}

/* ---- truncated reads, readiness ----------------------------------------------------------- */

static int ignore_msg(const struct nlhdr *h, void *arg)
{
	(void)h;
	(void)arg;
	return CHECK_OK;
}

/* A dump read through a small buffer: MSG_PEEK|MSG_TRUNC tells the
 * datagram's length, a short read is cut (MSG_TRUNC), and the dump goes
 * on to NLMSG_DONE. */
static int check_trunc(void)
{
	int fd = nl_open(), r = CHECK_OK, err = -1;
	uint8_t family = AF_UNSPEC;
	struct req q;
	char small[32];
	struct iovec v = { small, sizeof(small) };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
	struct pollfd p = { fd, POLLIN, 0 };

	if (fd < 0)
		return fail("socket: %s", errname(errno));
	req_init(&q, RTM_GETLINK_, F_REQUEST | F_DUMP, &family, 1);
	req_send(fd, &q);
	long whole = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
	if (poll(&p, 1, 0) != 1 || !(p.revents & POLLIN))
		r = fail("poll: revents %#x, want POLLIN", p.revents);
	else if (whole <= (long)sizeof(small))
		r = fail("MSG_PEEK|MSG_TRUNC: %ld (%s), want the datagram's length", whole, errname(errno));
	else if (recvmsg(fd, &m, MSG_DONTWAIT) != (long)sizeof(small) || !(m.msg_flags & MSG_TRUNC))
		r = fail("a 32-byte read: flags %#x, want MSG_TRUNC", m.msg_flags);
	else if (((struct nlhdr *)small)->type != RTM_NEWLINK_)
		r = fail("the cut datagram began with type %u", ((struct nlhdr *)small)->type);
	else if ((r = read_dump(fd, req_seq(&q), ignore_msg, NULL, &err)) == CHECK_OK && err)
		r = fail("NLMSG_DONE error %d", err);
	p.revents = 0;
	if (r == CHECK_OK && poll(&p, 1, 0) != 0)
		r = fail("poll after the dump: revents %#x, want none", p.revents);
	close(fd);
	return r;
}

/* ---- strict checking, options ------------------------------------------------------------ */

/* With NETLINK_GET_STRICT_CHK a link dump filtered by index is refused
 * in its NLMSG_DONE (with the reason, under NETLINK_EXT_ACK). */
static int check_strict(void)
{
	int fd = nl_open(), one = 1, v = 0, r;
	socklen_t len = sizeof(v);
	struct ifinfo ifi = { .index = 1 };
	struct req q;

	if (fd < 0)
		return fail("socket: %s", errname(errno));
	if (setsockopt(fd, SOL_NETLINK_, NETLINK_GET_STRICT_CHK_, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_NETLINK_, NETLINK_EXT_ACK_, &one, sizeof(one)) ||
	    getsockopt(fd, SOL_NETLINK_, NETLINK_EXT_ACK_, &v, &len) || v != 1) {
		close(fd);
		return fail("NETLINK_GET_STRICT_CHK/NETLINK_EXT_ACK: %s, read back %d", errname(errno), v);
	}
	errno = 0;
	r = want_err("an unknown SOL_NETLINK option", setsockopt(fd, SOL_NETLINK_, 99, &one, sizeof(one)), ENOPROTOOPT);
	req_init(&q, RTM_GETLINK_, F_REQUEST | F_DUMP, &ifi, sizeof(ifi));
	req_send(fd, &q);
	long n = nl_read(fd);
	const struct nlhdr *h = first_msg(n);
	int32_t err = 0;
	if (h)
		memcpy(&err, h + 1, sizeof(err));
	if (!r && (!h || h->type != NLMSG_DONE_ || err != -EINVAL || !(h->flags & F_ACK_TLVS)))
		r = fail("strict link dump by index: type %u error %d flags %#x, want NLMSG_DONE -EINVAL with TLVs",
			 h ? h->type : 0, err, h ? h->flags : 0);
	close(fd);
	return r;
}

static int check_rcvbuf(void)
{
	int fd = nl_open(), v = 65536, got = 0;
	socklen_t len = sizeof(got);

	if (fd < 0)
		return fail("socket: %s", errname(errno));
	int r = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) ||
		getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len);
	close(fd);
	if (r || got != 2 * v)
		return fail("SO_RCVBUF 65536 reads back %d (%s), want 131072", got, errname(errno));
	return CHECK_OK;
}

/* ---- addresses and routes -------------------------------------------------------------------- */

struct addr_seen { uint32_t want; int found, lo_ok; };

static int see_addr(const struct nlhdr *h, void *arg)
{
	struct addr_seen *s = arg;
	const struct ifa_msg *ifa = (const struct ifa_msg *)(h + 1);
	const struct rta *local = find_attr(h, sizeof(*ifa), IFA_LOCAL_);
	const struct rta *label = find_attr(h, sizeof(*ifa), IFA_LABEL_);
	const struct rta *ci = find_attr(h, sizeof(*ifa), IFA_CACHEINFO_);

	if (h->type != RTM_NEWADDR_ || ifa->family != AF_INET || !local || !find_attr(h, sizeof(*ifa), IFA_ADDRESS_))
		return fail("an address message: type %u family %u", h->type, ifa->family);
	uint32_t a = ntohl(rta_u32(local));
	if (a == INADDR_LOOPBACK)
		s->lo_ok = ifa->index == 1 && ifa->prefixlen == 8 && ifa->scope == RT_SCOPE_HOST_ && label &&
			   !strcmp(rta_data(label), "lo") && ci && rta_len(ci) == 16;
	if (a == s->want && ifa->index == 1 && ifa->prefixlen == 8)
		s->found++;
	return CHECK_OK;
}

/* Dump AF_INET's addresses: 127.0.0.1/8 as Linux shows it, and how
 * many times s->want/8 is on lo. */
static int dump_addrs(int fd, struct addr_seen *s)
{
	struct ifa_msg ifa = { .family = AF_INET };
	struct req q;
	int err = -1, r;

	s->found = s->lo_ok = 0;
	req_init(&q, RTM_GETADDR_, F_REQUEST | F_DUMP, &ifa, sizeof(ifa));
	req_send(fd, &q);
	if ((r = read_dump(fd, req_seq(&q), see_addr, s, &err)))
		return r;
	if (err || !s->lo_ok)
		return fail("address dump: error %d, 127.0.0.1/8 scope host \"lo\" %s", err, s->lo_ok ? "seen" : "missing");
	return CHECK_OK;
}

/* A request to add (or delete) 127.0.0.2/8 on lo. */
static void addr_req(struct req *q, uint16_t type, uint16_t flags)
{
	struct ifa_msg ifa = { AF_INET, 8, 0, RT_SCOPE_HOST_, 1 };
	uint32_t a = htonl(0x7f000002);

	req_init(q, type, F_REQUEST | F_ACK | flags, &ifa, sizeof(ifa));
	req_attr(q, IFA_LOCAL_, &a, 4);
	req_attr(q, IFA_ADDRESS_, &a, 4);
}

/* Bring lo up in the fresh network namespace Linux gave (RTM_NEWLINK). */
static int lo_up(int fd)
{
	struct ifinfo ifi = { .index = 1, .flags = IFF_UP, .change = IFF_UP };
	struct req q;

	req_init(&q, RTM_NEWLINK_, F_REQUEST | F_ACK, &ifi, sizeof(ifi));
	return want_nlerr(fd, &q, 0, "RTM_NEWLINK lo up");
}

#define RTMGRP_IPV4_IFADDR_ 0x10
#define NEWS_WAIT_MS 2000

/* fd's port id. */
static uint32_t port_of(int fd)
{
	struct nl_sa sa = { 0 };
	socklen_t len = sizeof(sa);

	return getsockname(fd, (struct sockaddr *)&sa, &len) ? 0 : sa.pid;
}

/* The next notification on listener fd (within NEWS_WAIT_MS) is type
 * about address addr/8 on lo, with the port id of the socket whose
 * request made it (Linux's rtmsg_ifa for every address added or
 * deleted: the requester's port and sequence number, 0 for the kernel's
 * own changes). */
static int want_addr_news(int fd, uint16_t type, uint32_t addr, uint32_t pid)
{
	struct pollfd p = { fd, POLLIN, 0 };
	const struct nlhdr *h = (const struct nlhdr *)rbuf;
	const struct ifa_msg *ifa = (const struct ifa_msg *)(h + 1);

	if (poll(&p, 1, NEWS_WAIT_MS) != 1)
		return fail("no notification %u in %d ms", type, NEWS_WAIT_MS);
	ssize_t n = recv(fd, rbuf, sizeof(rbuf), 0);
	if (n < (ssize_t)(sizeof(*h) + sizeof(*ifa)) || h->len > (size_t)n)
		return fail("notification %u: recv %zd (%s)", type, n, n < 0 ? errname(errno) : "short");
	const struct rta *local = find_attr(h, sizeof(*ifa), IFA_LOCAL_);
	if (h->type != type || h->pid != pid || ifa->family != AF_INET || ifa->index != 1 ||
	    ifa->prefixlen != 8 || !local || ntohl(rta_u32(local)) != addr)
		return fail("notification: type %u pid %u family %u index %u /%u, want %u from %u about %08x/8 on lo",
			    h->type, h->pid, ifa->family, ifa->index, ifa->prefixlen, type, pid, addr);
	return CHECK_OK;
}

/* RTM_NEWADDR and RTM_DELADDR of 127.0.0.2/8 on lo, seen by the dump in
 * between and heard by a listener on the IPv4 address group (one
 * message each; the refused repeats say nothing). Linux: in a network
 * namespace of its own, where bringing lo up gives it 127.0.0.1/8. */
static int check_addr_roundtrip(void)
{
	struct addr_seen s = { 0x7f000002, 0, 0 };
	struct req q;
	struct pollfd p;
	int fd, ln, r;

	if (geteuid() != 0)
		return skip("needs CAP_NET_ADMIN");
	int own_ns = unshare(CLONE_NEWNET) == 0;
	if ((fd = nl_open()) < 0)
		return fail("socket: %s", errname(errno));
	if ((own_ns && (r = lo_up(fd))) || (r = dump_addrs(fd, &s)) ||
	    (s.found && (r = fail("127.0.0.2/8 is on lo already")))) {
		close(fd);
		return r;
	}
	if ((ln = nl_join(RTMGRP_IPV4_IFADDR_)) < 0) { /* after lo came up: its 127.0.0.1 is no news */
		close(fd);
		return fail("a listener on RTMGRP_IPV4_IFADDR: %s", errname(errno));
	}
	addr_req(&q, RTM_NEWADDR_, F_CREATE | F_EXCL);
	r = want_nlerr(fd, &q, 0, "RTM_NEWADDR 127.0.0.2/8");
	if (!r)
		r = want_addr_news(ln, RTM_NEWADDR_, 0x7f000002, port_of(fd));
	if (!r && !(r = dump_addrs(fd, &s)) && s.found != 1)
		r = fail("the dump shows 127.0.0.2/8 %d times after RTM_NEWADDR", s.found);
	addr_req(&q, RTM_NEWADDR_, F_CREATE | F_EXCL);
	if (!r)
		r = want_nlerr(fd, &q, -EEXIST, "RTM_NEWADDR again");
	addr_req(&q, RTM_DELADDR_, 0);
	int d = want_nlerr(fd, &q, 0, "RTM_DELADDR 127.0.0.2/8");
	r = r ? r : d;
	if (!r)
		r = want_addr_news(ln, RTM_DELADDR_, 0x7f000002, port_of(fd)); /* none for the refused add */
	if (!r && !(r = dump_addrs(fd, &s)) && s.found)
		r = fail("127.0.0.2/8 still dumped after RTM_DELADDR");
	addr_req(&q, RTM_DELADDR_, 0);
	if (!r)
		r = want_nlerr(fd, &q, -EADDRNOTAVAIL, "RTM_DELADDR again");
	p = (struct pollfd){ ln, POLLIN, 0 };
	if (!r && poll(&p, 1, 0) != 0)
		r = fail("a notification after the refused RTM_DELADDR");
	close(ln);
	close(fd);
	return r;
}

/* ---- notifications of IPv6 addresses and links ---------------------------------------------- */

static void quiet_request(int fd, const struct req *q);

#define RTMGRP_LINK_ 0x1
#define RTMGRP_IPV6_IFADDR_ 0x100
#define IFA_FLAGS_ 8
#define IFA_F_NODAD_ 0x02
#define IFA_F_TENTATIVE_ 0x40
#define IF_OPER_UNKNOWN_ 0
#define IF_OPER_DOWN_ 2
#define NEWS_SETTLE_MS 300

/* The next notification on listener fd within NEWS_WAIT_MS, whole, in
 * rbuf: its header, or NULL (why in c_why). */
static const struct nlhdr *next_news(int fd, size_t flen)
{
	struct pollfd p = { fd, POLLIN, 0 };
	const struct nlhdr *h = (const struct nlhdr *)rbuf;

	if (poll(&p, 1, NEWS_WAIT_MS) != 1) {
		fail("no notification in %d ms", NEWS_WAIT_MS);
		return NULL;
	}
	ssize_t n = recv(fd, rbuf, sizeof(rbuf), 0);
	if (n < (ssize_t)(sizeof(*h) + flen) || h->len > (size_t)n || h->len < sizeof(*h) + flen) {
		fail("a notification: recv %zd (%s)", n, n < 0 ? errname(errno) : "short");
		return NULL;
	}
	return h;
}

/* Empty listener fd of what came before the check's changes (Linux's
 * lo, brought up in a fresh namespace, gets ::1 a moment later; a
 * listener made afterwards may hear it). */
static void news_drain(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	while (poll(&p, 1, NEWS_SETTLE_MS) == 1 && recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT) > 0)
		;
}

/* A notification check's start, as root (Linux: in a network namespace
 * of its own, whose lo it brings up): a request socket into *fd and a
 * listener on groups (gname in a failure) into *ln, what it heard
 * before drained (Linux's lo up: its local routes, ::1). CHECK_OK, or
 * the failure with *fd and *ln -1 or open: news_end closes them either
 * way. */
static int news_begin(uint32_t groups, const char *gname, int *fd, int *ln)
{
	int own_ns = unshare(CLONE_NEWNET) == 0, r;

	*ln = -1;
	if ((*fd = nl_open()) < 0)
		return fail("socket: %s", errname(errno));
	if (own_ns && (r = lo_up(*fd)))
		return r;
	if ((*ln = nl_join(groups)) < 0)
		return fail("a listener on %s: %s", gname, errname(errno));
	news_drain(*ln);
	return CHECK_OK;
}

static void news_end(int fd, int ln)
{
	if (ln >= 0)
		close(ln);
	if (fd >= 0)
		close(fd);
}

/* An IPv6 address on lo, as a notification must describe it. */
struct addr6_want {
	uint16_t type;               /* RTM_NEWADDR or RTM_DELADDR */
	const struct in6_addr *addr;
	uint8_t prefixlen;
	uint32_t mask, flags;        /* IFA_FLAGS & mask must be flags */
};

/* Is message h about w (an IPv6 address of lo)? Linux's inet6_ifa_notify:
 * port id and sequence number 0 whoever asked, the dump's attributes. */
static int addr6_news_is(const struct nlhdr *h, const struct addr6_want *w)
{
	const struct ifa_msg *ifa = (const struct ifa_msg *)(h + 1);
	const struct rta *a = find_attr(h, sizeof(*ifa), IFA_ADDRESS_);
	const struct rta *fl = find_attr(h, sizeof(*ifa), IFA_FLAGS_);
	const struct rta *ci = find_attr(h, sizeof(*ifa), IFA_CACHEINFO_);
	char text[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, w->addr, text, sizeof(text));
	if (h->type != w->type || h->pid || h->seq || ifa->family != AF_INET6 || ifa->index != 1 ||
	    ifa->prefixlen != w->prefixlen || !a || rta_len(a) != 16 || memcmp(rta_data(a), w->addr, 16) ||
	    !fl || !ci || rta_len(ci) != 16)
		return fail("notification type %u pid %u seq %u family %u index %u /%u%s%s; want %u about %s/%u on lo, pid and seq 0",
			    h->type, h->pid, h->seq, ifa->family, ifa->index, ifa->prefixlen, fl ? "" : ", no IFA_FLAGS",
			    ci ? "" : ", no IFA_CACHEINFO", w->type, text, w->prefixlen);
	if ((rta_u32(fl) & w->mask) != w->flags || (ifa->flags & w->mask) != (w->flags & 0xff))
		return fail("%s/%u: IFA_FLAGS %#x, ifa_flags %#x; want %#x of %#x", text, w->prefixlen, rta_u32(fl),
			    ifa->flags, w->flags, w->mask);
	return CHECK_OK;
}

static int want_addr6_news(int fd, const struct addr6_want *w)
{
	const struct nlhdr *h = next_news(fd, sizeof(struct ifa_msg));

	return h ? addr6_news_is(h, w) : CHECK_FAIL;
}

/* RTM_NEWADDR or RTM_DELADDR of addr/64 on lo; nodad adds IFA_F_NODAD. */
static void addr6_req(struct req *q, uint16_t type, const struct in6_addr *addr, int nodad)
{
	struct ifa_msg ifa = { AF_INET6, 64, 0, 0, 1 };
	uint32_t flags = IFA_F_NODAD_;

	req_init(q, type, F_REQUEST | F_ACK | (type == RTM_NEWADDR_ ? F_CREATE | F_EXCL : 0), &ifa, sizeof(ifa));
	req_attr(q, IFA_LOCAL_, addr, 16);
	if (nodad)
		req_attr(q, IFA_FLAGS_, &flags, 4);
}

/* The notifications of IPv6 addresses added and deleted by hand on lo:
 * tentative first, then again when DAD is over (lo's at once); with
 * nodad once, ready; one RTM_DELADDR each; then nothing. */
static int addr6_news_steps(int fd, int ln)
{
	static const struct in6_addr a1 = { { { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } } };
	static const struct in6_addr a2 = { { { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } } };
	const uint32_t both = IFA_F_TENTATIVE_ | IFA_F_NODAD_;
	struct pollfd p = { ln, POLLIN, 0 };
	struct req q;
	int r;

	addr6_req(&q, RTM_NEWADDR_, &a1, 0);
	if ((r = want_nlerr(fd, &q, 0, "RTM_NEWADDR 2001:db8::1/64")) ||
	    (r = want_addr6_news(ln, &(struct addr6_want){ RTM_NEWADDR_, &a1, 64, both, IFA_F_TENTATIVE_ })) ||
	    (r = want_addr6_news(ln, &(struct addr6_want){ RTM_NEWADDR_, &a1, 64, both, 0 })))
		return r;
	addr6_req(&q, RTM_NEWADDR_, &a2, 1);
	if ((r = want_nlerr(fd, &q, 0, "RTM_NEWADDR 2001:db8::2/64 nodad")) ||
	    (r = want_addr6_news(ln, &(struct addr6_want){ RTM_NEWADDR_, &a2, 64, both, IFA_F_NODAD_ })))
		return r;
	addr6_req(&q, RTM_DELADDR_, &a1, 0);
	if ((r = want_nlerr(fd, &q, 0, "RTM_DELADDR 2001:db8::1/64")) ||
	    (r = want_addr6_news(ln, &(struct addr6_want){ RTM_DELADDR_, &a1, 64, IFA_F_TENTATIVE_, 0 })))
		return r;
	addr6_req(&q, RTM_DELADDR_, &a2, 0);
	if ((r = want_nlerr(fd, &q, 0, "RTM_DELADDR 2001:db8::2/64")) ||
	    (r = want_addr6_news(ln, &(struct addr6_want){ RTM_DELADDR_, &a2, 64, both, IFA_F_NODAD_ })))
		return r;
	addr6_req(&q, RTM_DELADDR_, &a2, 0);
	if ((r = want_nlerr(fd, &q, -EADDRNOTAVAIL, "RTM_DELADDR 2001:db8::2/64 again")))
		return r;
	return poll(&p, 1, NEWS_SETTLE_MS) ? fail("a notification after the refused RTM_DELADDR") : CHECK_OK;
}

/* A listener on the IPv6 address group hears each address added by
 * hand, its DAD's end and its deletion (Linux: in a network namespace
 * of its own). */
static int check_addr6_news(void)
{
	int fd, ln, r = CHECK_OK;

	if (geteuid() != 0)
		return skip("needs CAP_NET_ADMIN");
	int own_ns = unshare(CLONE_NEWNET) == 0;
	if ((fd = nl_open()) < 0)
		return fail("socket: %s", errname(errno));
	if (own_ns)
		r = lo_up(fd);
	if (!r && (ln = nl_join(RTMGRP_IPV6_IFADDR_)) < 0)
		r = fail("a listener on RTMGRP_IPV6_IFADDR: %s", errname(errno));
	if (!r) {
		if (own_ns)
			news_drain(ln);
		r = addr6_news_steps(fd, ln);
		close(ln);
	}
	close(fd);
	return r;
}

/* RTM_NEWLINK of lo (index 1) with IFF_UP set or cleared. */
static void lo_set_req(struct req *q, int up)
{
	struct ifinfo ifi = { .index = 1, .flags = up ? IFF_UP : 0, .change = IFF_UP };

	req_init(q, RTM_NEWLINK_, F_REQUEST | F_ACK, &ifi, sizeof(ifi));
}

/* The next notification on ln is RTM_NEWLINK for lo, up (IFF_UP,
 * IFF_RUNNING and IFF_LOWER_UP, operstate unknown: lo's driver has none)
 * or down (none of the three, operstate down), pid and seq 0, as Linux's
 * rtmsg_ifinfo after dev_change_flags. */
static int want_lo_news(int ln, int up)
{
	const uint32_t bits = IFF_UP | IFF_RUNNING | IFF_LOWER_UP_;
	const struct nlhdr *h = next_news(ln, sizeof(struct ifinfo));
	if (!h)
		return CHECK_FAIL;
	const struct ifinfo *ifi = (const struct ifinfo *)(h + 1);
	const struct rta *op = find_attr(h, sizeof(*ifi), IFLA_OPERSTATE_);
	unsigned oper = op ? *(const uint8_t *)rta_data(op) : 255;
	if (h->type != RTM_NEWLINK_ || h->pid || h->seq || ifi->index != 1 || (ifi->flags & bits) != (up ? bits : 0) ||
	    oper != (up ? IF_OPER_UNKNOWN_ : IF_OPER_DOWN_) || !find_attr(h, sizeof(*ifi), IFLA_IFNAME_))
		return fail("lo %s: type %u pid %u seq %u index %d flags %#x operstate %u; want RTM_NEWLINK for 1, "
			    "flags %#x of %#x, operstate %u", up ? "up" : "down", h->type, h->pid, h->seq, ifi->index,
			    ifi->flags, up ? bits : 0, bits, oper, up ? IF_OPER_UNKNOWN_ : IF_OPER_DOWN_);
	return CHECK_OK;
}

/* lo's addresses besides ::1 while it goes down, added (nodad) in this order. */
static const struct in6_addr lo_g1 = { { { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x11 } } };
static const struct in6_addr lo_ll = { { { 0xfe, 0x80, [15] = 0x11 } } };
static const struct in6_addr lo_g2 = { { { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x12 } } };
static const struct in6_addr lo_one = IN6ADDR_LOOPBACK_INIT;

/* The RTM_DELADDRs after lo's RTM_NEWLINK down, in the order of Linux's
 * list of a device's addresses (addrconf_ifdown walks it: global first,
 * the newest first within a scope, then link, then host). */
static int lo_down_deletions(int ln)
{
	const struct in6_addr *want[] = { &lo_g2, &lo_g1, &lo_ll, &lo_one };
	static const uint8_t plen[] = { 64, 64, 64, 128 };
	char got[INET6_ADDRSTRLEN], text[INET6_ADDRSTRLEN];

	for (unsigned i = 0; i < NELEMS(want); i++) {
		const struct nlhdr *h = next_news(ln, sizeof(struct ifa_msg));
		if (!h)
			return CHECK_FAIL;
		const struct ifa_msg *ifa = (const struct ifa_msg *)(h + 1);
		const struct rta *a = find_attr(h, sizeof(*ifa), IFA_ADDRESS_);
		inet_ntop(AF_INET6, want[i], text, sizeof(text));
		if (h->type == RTM_DELADDR_ && a && rta_len(a) == 16 && memcmp(rta_data(a), want[i], 16)) {
			inet_ntop(AF_INET6, rta_data(a), got, sizeof(got));
			return fail("lo down: deletion %u is of %s, want %s (2001:db8::12, ::11, fe80::11, ::1)", i + 1,
				    got, text);
		}
		int r = addr6_news_is(h, &(struct addr6_want){ RTM_DELADDR_, want[i], plen[i], IFA_F_TENTATIVE_, 0 });
		if (r)
			return r;
	}
	return CHECK_OK;
}

/* lo down, then up: RTM_NEWLINK first each time (before IPv6 hears of
 * it), then RTM_DELADDR of each of its addresses (every address goes
 * down with the device) in Linux's order, then RTM_NEWADDR of ::1,
 * ready, once lo is up again. */
static int lo_down_up_steps(int fd, int ln)
{
	struct req q;
	int r;

	lo_set_req(&q, 0);
	if ((r = want_nlerr(fd, &q, 0, "RTM_NEWLINK lo down")) || (r = want_lo_news(ln, 0)) ||
	    (r = lo_down_deletions(ln)))
		return r;
	lo_set_req(&q, 1);
	if ((r = want_nlerr(fd, &q, 0, "RTM_NEWLINK lo up")) || (r = want_lo_news(ln, 1)) ||
	    (r = want_addr6_news(ln, &(struct addr6_want){ RTM_NEWADDR_, &lo_one, 128, IFA_F_TENTATIVE_, 0 })))
		return r;
	return CHECK_OK;
}

/* lo's IPv6 addresses as a dump lists them. */
struct lo6_seen { struct in6_addr a[8]; unsigned n; };

static int see_lo6(const struct nlhdr *h, void *arg)
{
	struct lo6_seen *s = arg;
	const struct ifa_msg *ifa = (const struct ifa_msg *)(h + 1);
	const struct rta *a = find_attr(h, sizeof(*ifa), IFA_ADDRESS_);

	if (h->type == RTM_NEWADDR_ && ifa->family == AF_INET6 && ifa->index == 1 && a && rta_len(a) == 16 &&
	    s->n < NELEMS(s->a))
		memcpy(&s->a[s->n++], rta_data(a), 16);
	return CHECK_OK;
}

/* An AF_INET6 address dump lists lo's in the order of Linux's list
 * (inet6_dump_addr walks it): 2001:db8::12, ::11, fe80::11, ::1. */
static int lo6_dump_order(int fd)
{
	const struct in6_addr *want[] = { &lo_g2, &lo_g1, &lo_ll, &lo_one };
	struct ifa_msg ifa = { .family = AF_INET6 };
	struct lo6_seen s = { .n = 0 };
	struct req q;
	int err = -1, r;

	req_init(&q, RTM_GETADDR_, F_REQUEST | F_DUMP, &ifa, sizeof(ifa));
	req_send(fd, &q);
	if ((r = read_dump(fd, req_seq(&q), see_lo6, &s, &err)))
		return r;
	int same = s.n == NELEMS(want) && !err;
	for (unsigned i = 0; same && i < s.n; i++)
		same = !memcmp(&s.a[i], want[i], 16);
	if (!same) {
		char text[4][INET6_ADDRSTRLEN] = { "-", "-", "-", "-" };
		for (unsigned i = 0; i < s.n && i < 4; i++)
			inet_ntop(AF_INET6, &s.a[i], text[i], sizeof(text[i]));
		return fail("lo's IPv6 addresses dumped (error %d): %u, %s %s %s %s...; want 2001:db8::12 ::11 fe80::11 ::1",
			    err, s.n, text[0], text[1], text[2], text[3]);
	}
	return CHECK_OK;
}

/* lo_g1, lo_ll and lo_g2 added to lo (nodad), or with del taken away quietly. */
static int lo_extra_addrs(int fd, int del)
{
	const struct in6_addr *add[] = { &lo_g1, &lo_ll, &lo_g2 };
	struct req q;
	int r = CHECK_OK;

	for (unsigned i = 0; i < NELEMS(add) && !r; i++) {
		addr6_req(&q, del ? RTM_DELADDR_ : RTM_NEWADDR_, add[i], 1);
		if (del)
			quiet_request(fd, &q);
		else
			r = want_nlerr(fd, &q, 0, "RTM_NEWADDR on lo");
	}
	return r;
}

/* lo with three addresses more than ::1 is dumped in Linux's order;
 * then a listener on the link and IPv6 address groups hears it go down
 * and come up (Linux: in a network
 * namespace of its own; on Kestrel lo is up again at the end, without
 * them, whatever happened). */
static int check_link_news(void)
{
	struct req q;
	int fd, ln, r = CHECK_OK;

	if (geteuid() != 0)
		return skip("needs CAP_NET_ADMIN");
	int own_ns = unshare(CLONE_NEWNET) == 0;
	if ((fd = nl_open()) < 0)
		return fail("socket: %s", errname(errno));
	if (own_ns)
		r = lo_up(fd);
	if (!r)
		r = lo_extra_addrs(fd, 0);
	if (!r)
		r = lo6_dump_order(fd);
	if (!r && (ln = nl_join(RTMGRP_LINK_ | RTMGRP_IPV6_IFADDR_)) < 0)
		r = fail("a listener on RTMGRP_LINK: %s", errname(errno));
	if (!r) {
		if (own_ns)
			news_drain(ln);
		r = lo_down_up_steps(fd, ln);
		close(ln);
	}
	lo_set_req(&q, 1);
	quiet_request(fd, &q);
	lo_extra_addrs(fd, 1);
	close(fd);
	return r;
}

/* lo's MTU and queue length (RTM_GETLINK): CHECK_OK, or a failure. */
static int lo_mtu_qlen(int fd, uint32_t *mtu, uint32_t *qlen)
{
	struct ifinfo ifi = { .index = 1 };
	struct req q;

	req_init(&q, RTM_GETLINK_, F_REQUEST, &ifi, sizeof(ifi));
	req_send(fd, &q);
	long n = nl_read(fd);
	const struct nlhdr *h = first_msg(n);
	const struct rta *m = h ? find_attr(h, sizeof(ifi), IFLA_MTU_) : NULL;
	const struct rta *t = h ? find_attr(h, sizeof(ifi), IFLA_TXQLEN_) : NULL;
	if (!h || h->type != RTM_NEWLINK_ || !m || !t)
		return fail("RTM_GETLINK lo: %ld bytes, type %u", n, h ? h->type : 0);
	*mtu = rta_u32(m);
	*qlen = rta_u32(t);
	return CHECK_OK;
}

/* RTM_NEWLINK of lo setting its MTU and, when qlen is non-zero, its queue length (mtu 0: none). */
static void lo_mtu_req(struct req *q, uint32_t mtu, uint32_t qlen)
{
	struct ifinfo ifi = { .index = 1 };

	req_init(q, RTM_NEWLINK_, F_REQUEST | F_ACK, &ifi, sizeof(ifi));
	if (mtu)
		req_attr(q, IFLA_MTU_, &mtu, 4);
	if (qlen)
		req_attr(q, IFLA_TXQLEN_, &qlen, 4);
}

/* The next notification on ln is lo's RTM_NEWLINK showing mtu and qlen. */
static int want_lo_mtu_news(int ln, uint32_t mtu, uint32_t qlen)
{
	const struct nlhdr *h = next_news(ln, sizeof(struct ifinfo));
	if (!h)
		return CHECK_FAIL;
	const struct ifinfo *ifi = (const struct ifinfo *)(h + 1);
	const struct rta *m = find_attr(h, sizeof(*ifi), IFLA_MTU_), *t = find_attr(h, sizeof(*ifi), IFLA_TXQLEN_);
	if (h->type != RTM_NEWLINK_ || ifi->index != 1 || !m || !t || rta_u32(m) != mtu || rta_u32(t) != qlen)
		return fail("type %u index %d mtu %u qlen %u; want RTM_NEWLINK for lo with mtu %u qlen %u", h->type,
			    ifi->index, m ? rta_u32(m) : 0, t ? rta_u32(t) : 0, mtu, qlen);
	return CHECK_OK;
}

#define LO_MTU_TRY 65000
#define LO_QLEN_TRY 500

/* lo's MTU, then its queue length, set twice each, then both back: an
 * RTM_NEWLINK for each change and none for the same value (Linux's
 * NETDEV_CHANGEMTU and NETDEV_CHANGE_TX_QUEUE_LEN), two for the request
 * that changes both, the MTU's first (do_setlink's order). */
static int mtu_news_steps(int fd, int ln, uint32_t mtu0, uint32_t qlen0)
{
	struct pollfd p = { ln, POLLIN, 0 };
	struct req q;
	int r;

	lo_mtu_req(&q, LO_MTU_TRY, 0);
	if ((r = want_nlerr(fd, &q, 0, "RTM_NEWLINK lo mtu")) || (r = want_lo_mtu_news(ln, LO_MTU_TRY, qlen0)) ||
	    (r = want_nlerr(fd, &q, 0, "RTM_NEWLINK lo mtu again")))
		return r;
	lo_mtu_req(&q, 0, LO_QLEN_TRY);
	if ((r = want_nlerr(fd, &q, 0, "RTM_NEWLINK lo txqlen")) ||
	    (r = want_lo_mtu_news(ln, LO_MTU_TRY, LO_QLEN_TRY)) || (r = want_nlerr(fd, &q, 0, "RTM_NEWLINK lo txqlen again")))
		return r;
	lo_mtu_req(&q, mtu0, qlen0);
	if ((r = want_nlerr(fd, &q, 0, "RTM_NEWLINK lo mtu and txqlen back")) ||
	    (r = want_lo_mtu_news(ln, mtu0, LO_QLEN_TRY)) || (r = want_lo_mtu_news(ln, mtu0, qlen0)))
		return r;
	return poll(&p, 1, NEWS_SETTLE_MS) ? fail("a third notification for the request that changed two") : CHECK_OK;
}

/* A listener on the link group hears lo's MTU and queue length change
 * (Linux: in a network namespace of its own; on Kestrel both are put
 * back at the end whatever happened). */
static int check_mtu_news(void)
{
	struct req q;
	uint32_t mtu0 = 0, qlen0 = 0;
	int fd, ln, r = CHECK_OK;

	if (geteuid() != 0)
		return skip("needs CAP_NET_ADMIN");
	int own_ns = unshare(CLONE_NEWNET) == 0;
	if ((fd = nl_open()) < 0)
		return fail("socket: %s", errname(errno));
	if (own_ns)
		r = lo_up(fd);
	if (!r && !(r = lo_mtu_qlen(fd, &mtu0, &qlen0)) && (mtu0 == LO_MTU_TRY || qlen0 == LO_QLEN_TRY))
		r = fail("lo's mtu %u qlen %u already", mtu0, qlen0);
	if (!r && (ln = nl_join(RTMGRP_LINK_)) < 0)
		r = fail("a listener on RTMGRP_LINK: %s", errname(errno));
	if (!r) {
		if (own_ns)
			news_drain(ln);
		r = mtu_news_steps(fd, ln, mtu0, qlen0);
		close(ln);
	}
	if (mtu0) {
		lo_mtu_req(&q, mtu0, qlen0);
		quiet_request(fd, &q);
	}
	close(fd);
	return r;
}

#define ETH_P_LOCAL_EXP 0x88b5 /* IEEE's local experimental EtherType: nothing sends it */

/* A packet socket on lo for EtherType proto (0: receiving nothing), or -1. */
static int packet_on_lo(uint16_t proto)
{
	struct sockaddr_ll_ { uint16_t family, protocol; int32_t ifindex; uint16_t hatype; uint8_t pkttype, halen, addr[8]; }
		ll = { AF_PACKET, htons(proto), 1, 0, 0, 0, { 0 } };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, 0);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&ll, sizeof(ll))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* What recv says on packet socket fd that has nothing queued: its errno (0: a frame came). */
static int packet_recv_errno(int fd)
{
	char b[64];

	return recv(fd, b, sizeof(b), 0) < 0 ? errno : 0;
}

/* lo goes down under two packet sockets bound to it: the one receiving
 * an EtherType fails its next receive with ENETDOWN, once; the one
 * receiving nothing hears nothing (Linux's packet_notifier on
 * NETDEV_DOWN: sk_err of a running socket). Linux: in a network
 * namespace of its own; lo is up again at the end either way. */
static int check_packet_down(void)
{
	struct req q;
	int fd, on, off, r = CHECK_OK;

	if (geteuid() != 0)
		return skip("needs CAP_NET_ADMIN and CAP_NET_RAW");
	int own_ns = unshare(CLONE_NEWNET) == 0;
	if ((fd = nl_open()) < 0)
		return fail("socket: %s", errname(errno));
	if (own_ns)
		r = lo_up(fd);
	on = packet_on_lo(ETH_P_LOCAL_EXP);
	off = packet_on_lo(0);
	if (!r && (on < 0 || off < 0))
		r = fail("packet sockets bound to lo: %s", errname(errno));
	lo_set_req(&q, 0);
	if (!r)
		r = want_nlerr(fd, &q, 0, "RTM_NEWLINK lo down");
	if (!r) {
		int first = packet_recv_errno(on), again = packet_recv_errno(on), other = packet_recv_errno(off);
		if (first != ENETDOWN || again != EAGAIN || other != EAGAIN)
			r = fail("after lo went down: recv on the receiving socket errno %d, then %d; on the other %d; "
				 "want ENETDOWN (%d), EAGAIN (%d) and EAGAIN", first, again, other, ENETDOWN, EAGAIN);
	}
	lo_set_req(&q, 1);
	quiet_request(fd, &q);
	int up = r ? 0 : packet_recv_errno(on);
	if (!r && up != EAGAIN)
		r = fail("after lo came up again: recv on the receiving socket errno %d, want EAGAIN", up);
	close(on);
	close(off);
	close(fd);
	return r;
}

static int see_route(const struct nlhdr *h, void *arg)
{
	const struct rtm *rt = (const struct rtm *)(h + 1);

	(void)arg;
	if (h->type != RTM_NEWROUTE_ || rt->family != AF_INET || !find_attr(h, sizeof(*rt), RTA_TABLE_))
		return fail("a route message: type %u family %u", h->type, rt->family);
	return CHECK_OK;
}

/* The IPv4 route dump (each message with RTA_TABLE) and ip route get 127.0.0.1 (a local
 * route through lo; its table is main's unless RTM_F_LOOKUP_TABLE asks). */
static int check_routes(void)
{
	int fd = nl_open(), err = -1, r;
	struct rtm rt = { .family = AF_INET };
	struct req q;
	uint32_t dst = htonl(INADDR_LOOPBACK);

	if (fd < 0)
		return fail("socket: %s", errname(errno));
	req_init(&q, RTM_GETROUTE_, F_REQUEST | F_DUMP, &rt, sizeof(rt));
	req_send(fd, &q);
	if ((r = read_dump(fd, req_seq(&q), see_route, NULL, &err)) == CHECK_OK && err)
		r = fail("route dump: NLMSG_DONE error %d", err);
	rt.dst_len = 32;
	req_init(&q, RTM_GETROUTE_, F_REQUEST, &rt, sizeof(rt));
	req_attr(&q, RTA_DST_, &dst, 4);
	req_send(fd, &q);
	long n = nl_read(fd);
	const struct nlhdr *h = first_msg(n);
	const struct rtm *a = h ? (const struct rtm *)(h + 1) : NULL;
	const struct rta *oif = h ? find_attr(h, sizeof(*a), RTA_OIF_) : NULL;
	if (!r && (!h || h->type != RTM_NEWROUTE_ || a->type != RTN_LOCAL_ || a->table != 254 ||
		   !(a->flags & RTM_F_CLONED_) || !oif || rta_u32(oif) != 1))
		r = fail("ip route get 127.0.0.1: type %u rtm_type %u table %u flags %#x oif %u", h ? h->type : 0,
			 a ? a->type : 0, a ? a->table : 0, a ? a->flags : 0, oif ? rta_u32(oif) : 0);
	close(fd);
	return r;
}

/* ip neigh (a dump that may be empty) and ip link set lo up (already up: nothing changes). */
static int check_neigh_setlink(void)
{
	int fd = nl_open(), err = -1, r;
	uint8_t ndm[12] = { AF_INET };
	struct ifinfo ifi = { .index = 1, .flags = IFF_UP, .change = IFF_UP };
	struct req q;

	if (fd < 0)
		return fail("socket: %s", errname(errno));
	req_init(&q, RTM_GETNEIGH_, F_REQUEST | F_DUMP, ndm, sizeof(ndm));
	req_send(fd, &q);
	if ((r = read_dump(fd, req_seq(&q), ignore_msg, NULL, &err)) == CHECK_OK && err)
		r = fail("neighbour dump: NLMSG_DONE error %d", err);
	req_init(&q, RTM_SETLINK_, F_REQUEST | F_ACK, &ifi, sizeof(ifi));
	if (!r && geteuid() == 0)
		r = want_nlerr(fd, &q, 0, "RTM_SETLINK lo up");
	close(fd);
	return r;
}

/* ---- notifications of routes ------------------------------------------------------------- */

#define RTMGRP_IPV4_ROUTE_ 0x40
#define RTMGRP_IPV6_ROUTE_ 0x400
#define RTA_PRIORITY_ROUTE 6
#define RT_TABLE_MAIN_ 254
#define RTPROT_BOOT_ 3
#define RTPROT_STATIC_ 4
#define RT_SCOPE_LINK_ 253
#define RT_SCOPE_UNIVERSE_ 0
#define RTN_UNICAST_ 1

/* A route a notification must be about (of the main table; the others
 * a listener hears, Linux's local table's, are passed over). */
struct route_want {
	uint16_t type;               /* RTM_NEWROUTE or RTM_DELROUTE */
	uint8_t family, dst_len;
	const void *dst;             /* 4 or 16 bytes, network order */
	uint32_t pid, seq;           /* the requester's, or 0 and 0 */
	uint16_t flags;              /* nlmsg_flags: NLM_F_EXCL | NLM_F_CREATE for a new route */
	uint32_t metric;             /* RTA_PRIORITY (IPv6's; 0: not checked) */
};

/* Is message h about w's destination in the main table? */
static int route_news_about(const struct nlhdr *h, const struct route_want *w)
{
	const struct rtm *rt = (const struct rtm *)(h + 1);
	const struct rta *d = find_attr(h, sizeof(*rt), RTA_DST_);
	size_t alen = w->family == AF_INET ? 4 : 16;

	return (h->type == RTM_NEWROUTE_ || h->type == RTM_DELROUTE_) && rt->family == w->family &&
	       rt->table == RT_TABLE_MAIN_ && rt->dst_len == w->dst_len && d && rta_len(d) == alen &&
	       !memcmp(rta_data(d), w->dst, alen);
}

/* The next notification on ln about w's route (within NEWS_WAIT_MS; others
 * skipped) is w: its type, port id, sequence number and flags (Linux's
 * rtmsg_fib and inet6_rt_notify), through lo, with the dump's attributes. */
static int want_route_news(int ln, const struct route_want *w)
{
	char text[INET6_ADDRSTRLEN];

	inet_ntop(w->family, w->dst, text, sizeof(text));
	for (int skipped = 0; skipped < 32; skipped++) {
		const struct nlhdr *h = next_news(ln, sizeof(struct rtm));
		if (!h) {
			char why[sizeof(c_why)];
			snprintf(why, sizeof(why), "%s", c_why);
			return fail("%s %s/%u: %s", w->type == RTM_NEWROUTE_ ? "RTM_NEWROUTE" : "RTM_DELROUTE", text,
				    w->dst_len, why);
		}
		if (!route_news_about(h, w))
			continue;
		const struct rtm *rt = (const struct rtm *)(h + 1);
		const struct rta *oif = find_attr(h, sizeof(*rt), RTA_OIF_);
		const struct rta *prio = find_attr(h, sizeof(*rt), RTA_PRIORITY_ROUTE);
		if (h->type != w->type || h->pid != w->pid || h->seq != w->seq || h->flags != w->flags ||
		    rt->type != RTN_UNICAST_ || !oif || rta_u32(oif) != 1 ||
		    (w->metric && (!prio || rta_u32(prio) != w->metric)))
			return fail("%s/%u: type %u pid %u seq %u flags %#x rtm_type %u oif %u metric %u; want type %u "
				    "pid %u seq %u flags %#x unicast through lo metric %u", text, w->dst_len, h->type, h->pid,
				    h->seq, h->flags, rt->type, oif ? rta_u32(oif) : 0, prio ? rta_u32(prio) : 0, w->type,
				    w->pid, w->seq, w->flags, w->metric);
		return CHECK_OK;
	}
	return fail("%s/%u: no notification about it among 32", text, w->dst_len);
}

/* Nothing more about w's route on ln for NEWS_SETTLE_MS (a refused request says nothing). */
static int want_no_route_news(int ln, const struct route_want *w, const char *after)
{
	struct pollfd p = { ln, POLLIN, 0 };

	while (poll(&p, 1, NEWS_SETTLE_MS) == 1) {
		ssize_t n = recv(ln, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		const struct nlhdr *h = (const struct nlhdr *)rbuf;
		if (n >= (ssize_t)(sizeof(*h) + sizeof(struct rtm)) && h->len <= (size_t)n && route_news_about(h, w))
			return fail("a notification (type %u) after %s", h->type, after);
	}
	return CHECK_OK;
}

/* RTM_NEWROUTE or RTM_DELROUTE of 192.0.2.0/24 dev lo, as `ip route add/del` sends it. */
static void route4_req(struct req *q, uint16_t type)
{
	struct rtm rt = { AF_INET, 24, 0, 0, RT_TABLE_MAIN_, RTPROT_BOOT_, RT_SCOPE_LINK_, RTN_UNICAST_, 0 };
	uint32_t dst = htonl(0xc0000200u), oif = 1;

	if (type == RTM_DELROUTE_) {
		rt.scope = 255; /* RT_SCOPE_NOWHERE: ip route del's "any scope" */
		rt.protocol = 0; /* ...and any protocol */
	}
	req_init(q, type, F_REQUEST | F_ACK | (type == RTM_NEWROUTE_ ? F_CREATE | F_EXCL : 0), &rt, sizeof(rt));
	req_attr(q, RTA_DST_, &dst, 4);
	req_attr(q, RTA_OIF_, &oif, 4);
}

/* ip route replace 192.0.2.0/24 dev lo proto P: RTM_NEWROUTE with
 * NLM_F_CREATE | NLM_F_REPLACE. */
static void route4_replace_req(struct req *q, uint8_t proto)
{
	route4_req(q, RTM_NEWROUTE_);
	((struct nlhdr *)q->b)->flags = F_REQUEST | F_ACK | F_CREATE | F_REPLACE;
	((struct rtm *)(q->b + sizeof(struct nlhdr)))->protocol = proto;
}

/* ioctl(cmd, arg) on a datagram socket of family opened for it and
 * closed after: its result, errno as the socket or the ioctl left it. */
static int ioctl_once(int family, unsigned long cmd, void *arg)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	if (fd < 0)
		return -1;
	r = ioctl(fd, cmd, arg);
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

/* SIOCADDRT or SIOCDELRT of 192.0.2.0/24 dev lo (route(8)'s). 0, or -1 (errno says why). */
static int route4_ioctl(unsigned long cmd)
{
	struct rtentry rt;
	char dev[] = "lo";

	memset(&rt, 0, sizeof(rt));
	((struct sockaddr_in *)&rt.rt_dst)->sin_family = AF_INET;
	((struct sockaddr_in *)&rt.rt_dst)->sin_addr.s_addr = htonl(0xc0000200u);
	((struct sockaddr_in *)&rt.rt_genmask)->sin_family = AF_INET;
	((struct sockaddr_in *)&rt.rt_genmask)->sin_addr.s_addr = htonl(0xffffff00u);
	((struct sockaddr_in *)&rt.rt_gateway)->sin_family = AF_INET;
	rt.rt_flags = RTF_UP;
	rt.rt_dev = dev;
	return ioctl_once(AF_INET, cmd, &rt);
}

/* The steps of route-news: a route added, replaced and deleted by
 * request (with the requester's port id and sequence number), the
 * refused repeats and a replace by the same route (Linux's
 * fib_table_insert: no change, no news), then added and deleted by the
 * ioctls (0 and 0). */
static int route4_news_steps(int fd, int ln)
{
	static const uint8_t dst[4] = { 192, 0, 2, 0 };
	struct route_want w = { RTM_NEWROUTE_, AF_INET, 24, dst, port_of(fd), 0, F_EXCL | F_CREATE, 0 };
	struct req q;
	int r;

	route4_req(&q, RTM_NEWROUTE_);
	w.seq = req_seq(&q);
	if ((r = want_nlerr(fd, &q, 0, "RTM_NEWROUTE 192.0.2.0/24 dev lo")) || (r = want_route_news(ln, &w)))
		return r;
	route4_req(&q, RTM_NEWROUTE_);
	if ((r = want_nlerr(fd, &q, -EEXIST, "RTM_NEWROUTE 192.0.2.0/24 again")) ||
	    (r = want_no_route_news(ln, &w, "the refused RTM_NEWROUTE")))
		return r;
	route4_replace_req(&q, RTPROT_BOOT_);
	if ((r = want_nlerr(fd, &q, 0, "RTM_NEWROUTE 192.0.2.0/24 replace, the same")) ||
	    (r = want_no_route_news(ln, &w, "a replace by the same route")))
		return r;
	route4_replace_req(&q, RTPROT_STATIC_);
	w.seq = req_seq(&q);
	w.flags = F_REPLACE; /* one RTM_NEWROUTE, no RTM_DELROUTE before it */
	if ((r = want_nlerr(fd, &q, 0, "RTM_NEWROUTE 192.0.2.0/24 replace, proto static")) ||
	    (r = want_route_news(ln, &w)) || (r = want_no_route_news(ln, &w, "the replace's RTM_NEWROUTE")))
		return r;
	route4_req(&q, RTM_DELROUTE_);
	w = (struct route_want){ RTM_DELROUTE_, AF_INET, 24, dst, port_of(fd), req_seq(&q), 0, 0 };
	if ((r = want_nlerr(fd, &q, 0, "RTM_DELROUTE 192.0.2.0/24")) || (r = want_route_news(ln, &w)))
		return r;
	route4_req(&q, RTM_DELROUTE_);
	if ((r = want_nlerr(fd, &q, -ESRCH, "RTM_DELROUTE 192.0.2.0/24 again")) ||
	    (r = want_no_route_news(ln, &w, "the refused RTM_DELROUTE")))
		return r;
	if ((r = route4_ioctl(SIOCADDRT)))
		return fail("SIOCADDRT 192.0.2.0/24 dev lo: %s", errname(errno));
	w = (struct route_want){ RTM_NEWROUTE_, AF_INET, 24, dst, 0, 0, F_EXCL | F_CREATE, 0 };
	if ((r = want_route_news(ln, &w)))
		return r;
	if ((r = route4_ioctl(SIOCDELRT)))
		return fail("SIOCDELRT 192.0.2.0/24 dev lo: %s", errname(errno));
	w = (struct route_want){ RTM_DELROUTE_, AF_INET, 24, dst, 0, 0, 0, 0 };
	return want_route_news(ln, &w);
}

/* A listener on RTMGRP_IPV4_ROUTE hears each route added and deleted,
 * by netlink and by the ioctls (Linux: in a network namespace of its
 * own; the route is removed whatever happens). */
static int check_route_news(void)
{
	int fd, ln, r;
	struct req q;

	if (geteuid() != 0)
		return skip("needs CAP_NET_ADMIN");
	if ((r = news_begin(RTMGRP_IPV4_ROUTE_, "RTMGRP_IPV4_ROUTE", &fd, &ln)) == CHECK_OK)
		r = route4_news_steps(fd, ln);
	route4_req(&q, RTM_DELROUTE_);
	quiet_request(fd, &q);
	news_end(fd, ln);
	return r;
}

/* The IPv6 prefix route 2001:db8:0:31::/64 of an address on lo: made
 * (RTM_NEWROUTE) when the address is added, gone (RTM_DELROUTE) when it
 * is deleted and when lo goes down with it, each port id and sequence
 * number 0: the kernel's own (addrconf_prefix_route). */
static int route6_news_steps(int fd, int ln)
{
	static const struct in6_addr a = { { { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x31, [15] = 1 } } };
	static const struct in6_addr net = { { { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x31 } } };
	struct route_want w = { RTM_NEWROUTE_, AF_INET6, 64, &net, 0, 0, F_EXCL | F_CREATE, 256 };
	struct req q;
	int r;

	addr6_req(&q, RTM_NEWADDR_, &a, 1);
	if ((r = want_nlerr(fd, &q, 0, "RTM_NEWADDR 2001:db8:0:31::1/64 nodad")) || (r = want_route_news(ln, &w)))
		return r;
	addr6_req(&q, RTM_DELADDR_, &a, 0);
	w.type = RTM_DELROUTE_;
	w.flags = 0;
	if ((r = want_nlerr(fd, &q, 0, "RTM_DELADDR 2001:db8:0:31::1/64")) || (r = want_route_news(ln, &w)) ||
	    (r = want_no_route_news(ln, &w, "RTM_DELADDR")))
		return r;
	addr6_req(&q, RTM_NEWADDR_, &a, 1);
	w.type = RTM_NEWROUTE_;
	w.flags = F_EXCL | F_CREATE;
	if ((r = want_nlerr(fd, &q, 0, "RTM_NEWADDR 2001:db8:0:31::1/64 again")) || (r = want_route_news(ln, &w)))
		return r;
	lo_set_req(&q, 0);
	w.type = RTM_DELROUTE_;
	w.flags = 0;
	if ((r = want_nlerr(fd, &q, 0, "lo down")) || (r = want_route_news(ln, &w)))
		return r;
	lo_set_req(&q, 1);
	if ((r = want_nlerr(fd, &q, 0, "lo up")))
		return r;
	return want_no_route_news(ln, &w, "lo up (its address went with lo down)");
}

#define RTA_GATEWAY_ 5

/* ip -6 route add DST/LEN [via GW] [dev lo] [metric M] (RTM_NEWROUTE,
 * NLM_F_CREATE | NLM_F_EXCL, proto boot) or ip -6 route del ... (any
 * scope, protocol and type); gw NULL: none; oif 0: no RTA_OIF; metric
 * 0: no RTA_PRIORITY. */
static void route6_req(struct req *q, uint16_t type, const struct in6_addr *dst, uint8_t len,
		       const struct in6_addr *gw, uint32_t oif, uint32_t metric)
{
	struct rtm rt = { AF_INET6, len, 0, 0, RT_TABLE_MAIN_, RTPROT_BOOT_, RT_SCOPE_UNIVERSE_, RTN_UNICAST_, 0 };

	if (type == RTM_DELROUTE_) {
		rt.scope = 255;
		rt.protocol = 0;
		rt.type = 0;
	}
	req_init(q, type, F_REQUEST | F_ACK | (type == RTM_NEWROUTE_ ? F_CREATE | F_EXCL : 0), &rt, sizeof(rt));
	req_attr(q, RTA_DST_, dst, 16);
	if (gw)
		req_attr(q, RTA_GATEWAY_, gw, 16);
	if (oif)
		req_attr(q, RTA_OIF_, &oif, 4);
	if (metric)
		req_attr(q, RTA_PRIORITY_ROUTE, &metric, 4);
}

/* The requests ip6_route_add refuses, with 2001:db8:0:31::1/64 on lo: a
 * gateway reached only through lo (whose prefix route there Linux makes a
 * reject route), a link-local one with no device, a
 * multicast one, one no route reaches, this host's own; a prefix of 129,
 * a device that is not; a delete of what is not there; a replace of
 * nothing without NLM_F_CREATE. */
static int route6_refused(int fd)
{
	static const struct in6_addr net32 = { { { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x32 } } };
	static const struct in6_addr on_lo = { { { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x31, [15] = 2 } } };
	static const struct in6_addr mine = { { { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x31, [15] = 1 } } };
	static const struct in6_addr far = { { { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x99, [15] = 1 } } };
	static const struct in6_addr ll = { { { 0xfe, 0x80, [15] = 1 } } };
	static const struct in6_addr mc = { { { 0xff, 0x02, [15] = 1 } } };
	static const struct { const struct in6_addr *gw; uint32_t oif; uint8_t len; int err; const char *what; } bad[] = {
		{ &on_lo, 0, 64, -EHOSTUNREACH, "via 2001:db8:0:31::2 (lo's prefix route, a reject route)" },
		{ &ll, 0, 64, -EINVAL, "via fe80::1 with no device" },
		{ &mc, 1, 64, -EINVAL, "via ff02::1 dev lo" },
		{ &far, 1, 64, -EHOSTUNREACH, "via 2001:db8:0:99::1 dev lo (no route to it)" },
		{ &mine, 1, 64, -EINVAL, "via 2001:db8:0:31::1 dev lo (this host's)" },
		{ NULL, 1, 129, -EINVAL, "/129 dev lo" },
		{ NULL, 999, 64, -ENODEV, "dev 999" },
	};
	struct req q;
	int r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char what[96];
		snprintf(what, sizeof(what), "RTM_NEWROUTE 2001:db8:0:32::/%u %s", bad[i].len, bad[i].what);
		route6_req(&q, RTM_NEWROUTE_, &net32, bad[i].len, bad[i].gw, bad[i].oif, 0);
		if ((r = want_nlerr(fd, &q, bad[i].err, what)))
			return r;
	}
	route6_req(&q, RTM_DELROUTE_, &net32, 64, NULL, 0, 0);
	if ((r = want_nlerr(fd, &q, -ESRCH, "RTM_DELROUTE 2001:db8:0:32::/64 (none)")))
		return r;
	route6_req(&q, RTM_NEWROUTE_, &in6addr_loopback, 128, NULL, 1, 2000);
	((struct nlhdr *)q.b)->flags = F_REQUEST | F_ACK | F_REPLACE;
	return want_nlerr(fd, &q, -ENOENT, "RTM_NEWROUTE ::1/128 dev lo metric 2000, replace without create");
}

/* ::1/128 dev lo (a route through lo Linux keeps as one, not a reject
 * route): added with metric 1024 when none is given, refused again,
 * replaced, deleted, each heard with the requester's port id and
 * sequence number; a second delete refused. */
static int route6_user_steps(int fd, int ln)
{
	struct route_want w = { RTM_NEWROUTE_, AF_INET6, 128, &in6addr_loopback, port_of(fd), 0, F_EXCL | F_CREATE,
				1024 };
	struct req q;
	int r;

	route6_req(&q, RTM_NEWROUTE_, &in6addr_loopback, 128, NULL, 1, 0);
	w.seq = req_seq(&q);
	if ((r = want_nlerr(fd, &q, 0, "RTM_NEWROUTE ::1/128 dev lo")) || (r = want_route_news(ln, &w)))
		return r;
	route6_req(&q, RTM_NEWROUTE_, &in6addr_loopback, 128, NULL, 1, 1024);
	if ((r = want_nlerr(fd, &q, -EEXIST, "RTM_NEWROUTE ::1/128 dev lo metric 1024 again")) ||
	    (r = want_no_route_news(ln, &w, "the refused RTM_NEWROUTE")))
		return r;
	route6_req(&q, RTM_NEWROUTE_, &in6addr_loopback, 128, NULL, 1, 1024);
	((struct nlhdr *)q.b)->flags = F_REQUEST | F_ACK | F_CREATE | F_REPLACE;
	((struct rtm *)(q.b + sizeof(struct nlhdr)))->protocol = RTPROT_STATIC_;
	w.seq = req_seq(&q);
	w.flags = F_REPLACE;
	if ((r = want_nlerr(fd, &q, 0, "RTM_NEWROUTE ::1/128 dev lo metric 1024, replace")) ||
	    (r = want_route_news(ln, &w)))
		return r;
	route6_req(&q, RTM_DELROUTE_, &in6addr_loopback, 128, NULL, 1, 1024);
	w = (struct route_want){ RTM_DELROUTE_, AF_INET6, 128, &in6addr_loopback, port_of(fd), req_seq(&q), 0, 1024 };
	if ((r = want_nlerr(fd, &q, 0, "RTM_DELROUTE ::1/128 dev lo metric 1024")) || (r = want_route_news(ln, &w)))
		return r;
	route6_req(&q, RTM_DELROUTE_, &in6addr_loopback, 128, NULL, 1, 1024);
	return want_nlerr(fd, &q, -ESRCH, "RTM_DELROUTE ::1/128 dev lo metric 1024 again");
}

#define RTA_PREFSRC_ 7
#define RTA_SRC_ 2

/* ip -6 route get DST: the answer's header and attributes as Linux's
 * rt6_fill_node writes them for a local destination: RTM_NEWROUTE, /128
 * (and a source of ::, /128: Linux's subtrees), the local table,
 * RTN_LOCAL, proto kernel, through lo, metric 0, source dst itself. */
static int want_local6(int fd, const struct in6_addr *dst)
{
	static const struct in6_addr any;
	struct rtm rt = { .family = AF_INET6, .dst_len = 128 };
	struct req q;
	char text[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, dst, text, sizeof(text));
	req_init(&q, RTM_GETROUTE_, F_REQUEST, &rt, sizeof(rt));
	req_attr(&q, RTA_DST_, dst, 16);
	req_send(fd, &q);
	const struct nlhdr *h = first_msg(nl_read(fd));
	const struct rtm *a = h ? (const struct rtm *)(h + 1) : NULL;
	if (!h || h->type != RTM_NEWROUTE_ || h->seq != req_seq(&q))
		return fail("ip -6 route get %s: no RTM_NEWROUTE answer (type %u)", text, h ? h->type : 0);
	const struct rta *d = find_attr(h, sizeof(*a), RTA_DST_), *src = find_attr(h, sizeof(*a), RTA_SRC_),
			 *pref = find_attr(h, sizeof(*a), RTA_PREFSRC_), *oif = find_attr(h, sizeof(*a), RTA_OIF_),
			 *prio = find_attr(h, sizeof(*a), RTA_PRIORITY_ROUTE);
	if (a->family != AF_INET6 || a->dst_len != 128 || a->src_len != 128 || a->table != 255 ||
	    a->type != RTN_LOCAL_ || a->protocol != 2 || !d || rta_len(d) != 16 || memcmp(rta_data(d), dst, 16) ||
	    !src || rta_len(src) != 16 || memcmp(rta_data(src), &any, 16) || !pref || rta_len(pref) != 16 ||
	    memcmp(rta_data(pref), dst, 16) || !oif || rta_u32(oif) != 1 || !prio || rta_u32(prio) != 0)
		return fail("ip -6 route get %s: family %u dst_len %u src_len %u table %u type %u proto %u, dst %s, "
			    "src %s, prefsrc %s, oif %u, metric %d; want 10 128 128 255 2 2, itself, ::, itself, 1, 0",
			    text, a->family, a->dst_len, a->src_len, a->table, a->type, a->protocol, d ? "given" : "none",
			    src ? "given" : "none", pref ? "given" : "none", oif ? rta_u32(oif) : 0,
			    prio ? (int)rta_u32(prio) : -1);
	return CHECK_OK;
}

/* ip -6 route get: ::1 is local (the local table's); where no route
 * goes, -ENETUNREACH (with 2001:db8:0:31::1/64 on lo: Linux answers for
 * that address with lo's prefix route, a reject route, not its local
 * one; Kestrel with a local route, not checked). Linux: in a network
 * namespace of its own, lo brought up. */
static int check_route6_get(void)
{
	static const struct in6_addr a = { { { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x31, [15] = 1 } } };
	static const struct in6_addr far = { { { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x99, [15] = 1 } } };
	struct rtm rt = { .family = AF_INET6, .dst_len = 128 };
	int fd, ln, r;
	struct req q;

	if (geteuid() != 0)
		return skip("needs CAP_NET_ADMIN");
	addr6_req(&q, RTM_NEWADDR_, &a, 1);
	if ((r = news_begin(RTMGRP_IPV6_ROUTE_, "RTMGRP_IPV6_ROUTE", &fd, &ln)) == CHECK_OK &&
	    (r = want_nlerr(fd, &q, 0, "RTM_NEWADDR 2001:db8:0:31::1/64 nodad")) == CHECK_OK &&
	    (r = want_local6(fd, &in6addr_loopback)) == CHECK_OK) {
		req_init(&q, RTM_GETROUTE_, F_REQUEST | F_ACK, &rt, sizeof(rt));
		req_attr(&q, RTA_DST_, &far, 16);
		r = want_nlerr(fd, &q, -ENETUNREACH, "ip -6 route get 2001:db8:0:99::1 (no route)");
	}
	addr6_req(&q, RTM_DELADDR_, &a, 0);
	quiet_request(fd, &q);
	news_end(fd, ln);
	return r;
}

/* ip -6 route add and del (Linux: in a network namespace of its own; the
 * address and the route removed whatever happens). */
static int check_route6_user(void)
{
	static const struct in6_addr a = { { { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x31, [15] = 1 } } };
	int fd, ln, r;
	struct req q;

	if (geteuid() != 0)
		return skip("needs CAP_NET_ADMIN");
	addr6_req(&q, RTM_NEWADDR_, &a, 1);
	if ((r = news_begin(RTMGRP_IPV6_ROUTE_, "RTMGRP_IPV6_ROUTE", &fd, &ln)) == CHECK_OK &&
	    (r = want_nlerr(fd, &q, 0, "RTM_NEWADDR 2001:db8:0:31::1/64 nodad")) == CHECK_OK &&
	    (r = route6_refused(fd)) == CHECK_OK) /* a refusal is no news: the listener hears the steps' */
		r = route6_user_steps(fd, ln);
	route6_req(&q, RTM_DELROUTE_, &in6addr_loopback, 128, NULL, 1, 1024);
	quiet_request(fd, &q);
	addr6_req(&q, RTM_DELADDR_, &a, 0);
	quiet_request(fd, &q);
	news_end(fd, ln);
	return r;
}

/* route -A inet6's SIOCADDRT or SIOCDELRT of DST/len dev ifindex metric
 * metric (struct in6_rtmsg, on an AF_INET6 socket): 0, or -1 (errno says why). */
static int route6_ioctl(unsigned long cmd, const struct in6_addr *dst, uint16_t len, int ifindex,
			uint32_t metric)
{
	struct in6_rtmsg m;

	memset(&m, 0, sizeof(m));
	m.rtmsg_dst = *dst;
	m.rtmsg_dst_len = len;
	m.rtmsg_ifindex = ifindex;
	m.rtmsg_metric = metric;
	m.rtmsg_flags = RTF_UP | (len == 128 ? RTF_HOST : 0);
	return ioctl_once(AF_INET6, cmd, &m);
}

/* The steps of route6-ioctl: what SIOCADDRT refuses; ::1/128 dev lo
 * metric 2000 added (heard with port id and sequence number 0, as the
 * kernel's own), refused again; a delete of metric 1024 finds nothing,
 * one of metric 2000 deletes it; added with metric 0 it is metric 1024
 * (IP6_RT_PRIO_USER). A delete's metric 0 is any metric, the lowest
 * first: ::1/128's own route of metric 256 (Linux 6.1; not in a network
 * namespace of 6.18), so it is not asked. */
static int route6_ioctl_steps(int ln)
{
	struct route_want w = { RTM_NEWROUTE_, AF_INET6, 128, &in6addr_loopback, 0, 0, F_EXCL | F_CREATE, 2000 };
	const struct in6_addr *lo6 = &in6addr_loopback;
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	if (fd < 0)
		return fail("socket(AF_INET6): %s", errname(errno));
	errno = 0;
	r = want_err("SIOCADDRT of address 8", ioctl(fd, SIOCADDRT, (void *)8), EFAULT);
	close(fd);
	errno = 0;
	if (r == CHECK_OK)
		r = want_err("SIOCADDRT ::1/129", route6_ioctl(SIOCADDRT, lo6, 129, 1, 2000), EINVAL);
	errno = 0;
	if (r == CHECK_OK)
		r = want_err("SIOCADDRT ::1/128 dev 999", route6_ioctl(SIOCADDRT, lo6, 128, 999, 2000), ENODEV);
	errno = 0;
	if (r == CHECK_OK)
		r = want_err("SIOCADDRT ::1/128 with no device", route6_ioctl(SIOCADDRT, lo6, 128, 0, 2000), ENODEV);
	if (r != CHECK_OK)
		return r;
	if (route6_ioctl(SIOCADDRT, lo6, 128, 1, 2000))
		return fail("SIOCADDRT ::1/128 dev lo metric 2000: %s", errname(errno));
	if ((r = want_route_news(ln, &w)))
		return r;
	errno = 0;
	if ((r = want_err("SIOCADDRT ::1/128 dev lo metric 2000 again", route6_ioctl(SIOCADDRT, lo6, 128, 1, 2000),
			  EEXIST)) ||
	    (r = want_no_route_news(ln, &w, "the refused SIOCADDRT")))
		return r;
	errno = 0;
	if ((r = want_err("SIOCDELRT ::1/128 dev lo metric 1024", route6_ioctl(SIOCDELRT, lo6, 128, 1, 1024), ESRCH)))
		return r;
	if (route6_ioctl(SIOCDELRT, lo6, 128, 1, 2000))
		return fail("SIOCDELRT ::1/128 dev lo metric 2000: %s", errname(errno));
	w.type = RTM_DELROUTE_;
	w.flags = 0;
	if ((r = want_route_news(ln, &w)))
		return r;
	if (route6_ioctl(SIOCADDRT, lo6, 128, 1, 0))
		return fail("SIOCADDRT ::1/128 dev lo metric 0: %s", errname(errno));
	w = (struct route_want){ RTM_NEWROUTE_, AF_INET6, 128, lo6, 0, 0, F_EXCL | F_CREATE, 1024 };
	if ((r = want_route_news(ln, &w)))
		return r;
	if (route6_ioctl(SIOCDELRT, lo6, 128, 1, 1024))
		return fail("SIOCDELRT ::1/128 dev lo metric 1024: %s", errname(errno));
	errno = 0;
	return want_err("SIOCDELRT ::1/128 dev lo metric 1024 again", route6_ioctl(SIOCDELRT, lo6, 128, 1, 1024),
			ESRCH);
}

/* route(8)'s IPv6 ioctls (Linux: in a network namespace of its own, lo
 * up; the route removed whatever happens). */
static int check_route6_ioctl(void)
{
	int fd, ln, r;

	if (geteuid() != 0)
		return skip("needs CAP_NET_ADMIN");
	if ((r = news_begin(RTMGRP_IPV6_ROUTE_, "RTMGRP_IPV6_ROUTE", &fd, &ln)) == CHECK_OK)
		r = route6_ioctl_steps(ln);
	(void)route6_ioctl(SIOCDELRT, &in6addr_loopback, 128, 1, 2000);
	(void)route6_ioctl(SIOCDELRT, &in6addr_loopback, 128, 1, 1024);
	news_end(fd, ln);
	return r;
}

/* A listener on RTMGRP_IPV6_ROUTE hears an address's prefix route made
 * and gone (Linux: in a network namespace of its own; lo ends up, the
 * address gone). */
static int check_route6_news(void)
{
	static const struct in6_addr a = { { { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x31, [15] = 1 } } };
	int fd, ln, r;
	struct req q;

	if (geteuid() != 0)
		return skip("needs CAP_NET_ADMIN");
	if ((r = news_begin(RTMGRP_IPV6_ROUTE_, "RTMGRP_IPV6_ROUTE", &fd, &ln)) == CHECK_OK)
		r = route6_news_steps(fd, ln);
	addr6_req(&q, RTM_DELADDR_, &a, 0);
	quiet_request(fd, &q);
	lo_set_req(&q, 1);
	quiet_request(fd, &q);
	news_end(fd, ln);
	return r;
}

/* ---- notifications of neighbours ----------------------------------------------------------- */

#define RTMGRP_NEIGH_ 0x4
#define RTM_NEWNEIGH_ 28
#define RTM_DELNEIGH_ 29
#define NDA_DST_ 1
#define NDA_LLADDR_ 2
#define NUD_FAILED_ 0x20
#define NUD_PERMANENT_ 0x80

struct nd_msg { uint8_t family, pad1; uint16_t pad2; int32_t ifindex; uint16_t state; uint8_t flags, type; };

static const struct in6_addr nb_addr = { { { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x32, [15] = 5 } } };

#define NB_DOWN 5                /* permanent entries on lo when it goes down */
#define NB_DOWN_FIRST 0x11       /* ...2001:db8:0:32::11 to ::15 */

/* RTM_NEWNEIGH (permanent, lladdr 00:11:22:33:44:last) or RTM_DELNEIGH
 * of 2001:db8:0:32::5 on lo (::host when host is not 0). */
static void neigh_req_for(struct req *q, uint16_t type, uint16_t flags, uint8_t last, uint8_t host)
{
	struct nd_msg nd = { .family = AF_INET6, .ifindex = 1, .state = NUD_PERMANENT_ };
	uint8_t mac[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, last };
	struct in6_addr dst = nb_addr;

	if (host)
		dst.s6_addr[15] = host;
	req_init(q, type, F_REQUEST | F_ACK | flags, &nd, sizeof(nd));
	req_attr(q, NDA_DST_, &dst, 16);
	if (type == RTM_NEWNEIGH_)
		req_attr(q, NDA_LLADDR_, mac, 6);
}

static void neigh_req(struct req *q, uint16_t type, uint16_t flags, uint8_t last)
{
	neigh_req_for(q, type, flags, last, 0);
}

/* NB_DOWN permanent entries on lo, then lo down: an RTM_DELNEIGH for each
 * (Linux's neigh_ifdown removes the permanent ones too; in no set order),
 * PERMANENT with its lladdr, port id 0; lo up again with none of them. */
static int neigh_down_steps(int fd, int ln)
{
	unsigned seen = 0;
	struct req q;
	int r;

	for (int i = 0; i < NB_DOWN; i++) {
		uint8_t host = (uint8_t)(NB_DOWN_FIRST + i);
		neigh_req_for(&q, RTM_NEWNEIGH_, F_CREATE | F_EXCL, host, host);
		if ((r = want_nlerr(fd, &q, 0, "RTM_NEWNEIGH 2001:db8:0:32::1x dev lo")))
			return r;
	}
	news_drain(ln);
	lo_set_req(&q, 0);
	if ((r = want_nlerr(fd, &q, 0, "lo down")))
		return r;
	for (int skipped = 0; seen != (1u << NB_DOWN) - 1 && skipped < 32; skipped++) {
		const struct nlhdr *h = next_news(ln, sizeof(struct nd_msg));
		if (!h)
			return fail("lo down: RTM_DELNEIGHs heard for %#x of the %d entries, then none in %d ms", seen,
				    NB_DOWN, NEWS_WAIT_MS);
		const struct nd_msg *nd = (const struct nd_msg *)(h + 1);
		const struct rta *d = find_attr(h, sizeof(*nd), NDA_DST_);
		const struct rta *ll = find_attr(h, sizeof(*nd), NDA_LLADDR_);
		const uint8_t *a = d && rta_len(d) == 16 ? rta_data(d) : NULL;
		unsigned bit = a ? (unsigned)a[15] - NB_DOWN_FIRST : 32;
		if (!a || memcmp(a, &nb_addr, 15) || bit >= NB_DOWN)
			continue;
		if (h->type != RTM_DELNEIGH_ || h->pid || h->seq || nd->state != NUD_PERMANENT_ || !ll ||
		    rta_len(ll) != 6 || ((const uint8_t *)rta_data(ll))[5] != a[15] || (seen & (1u << bit)))
			return fail("lo down, 2001:db8:0:32::%x: type %u pid %u state %#x lladdr %s (again: %d); want one "
				    "RTM_DELNEIGH, pid 0, PERMANENT with its lladdr", a[15], h->type, h->pid, nd->state,
				    ll ? "yes" : "none", !!(seen & (1u << bit)));
		seen |= 1u << bit;
	}
	lo_set_req(&q, 1);
	if ((r = want_nlerr(fd, &q, 0, "lo up")))
		return r;
	return seen == (1u << NB_DOWN) - 1 ? CHECK_OK : fail("lo down: RTM_DELNEIGHs for %#x of the entries", seen);
}

/* The next notification on ln about 2001:db8:0:32::5 (others skipped) is
 * type with state and pid (sequence number 0, no flags: Linux's
 * __neigh_notify), and lladdr ...:last when last is not 0, none when 0. */
static int want_neigh_news(int ln, uint16_t type, uint16_t state, uint32_t pid, uint8_t last)
{
	for (int skipped = 0; skipped < 32; skipped++) {
		const struct nlhdr *h = next_news(ln, sizeof(struct nd_msg));
		if (!h)
			return CHECK_FAIL;
		const struct nd_msg *nd = (const struct nd_msg *)(h + 1);
		const struct rta *d = find_attr(h, sizeof(*nd), NDA_DST_);
		const struct rta *ll = find_attr(h, sizeof(*nd), NDA_LLADDR_);
		if ((h->type != RTM_NEWNEIGH_ && h->type != RTM_DELNEIGH_) || nd->family != AF_INET6 || !d ||
		    rta_len(d) != 16 || memcmp(rta_data(d), &nb_addr, 16))
			continue;
		uint8_t got = ll && rta_len(ll) == 6 ? ((const uint8_t *)rta_data(ll))[5] : 0;
		if (h->type != type || h->pid != pid || h->seq || h->flags || nd->ifindex != 1 || nd->state != state ||
		    (last ? !ll || got != last : ll != NULL))
			return fail("2001:db8:0:32::5: type %u pid %u seq %u flags %#x ifindex %d state %#x lladdr %s..:%02x; "
				    "want type %u pid %u seq 0 flags 0 on lo, state %#x, lladdr %s..:%02x", h->type, h->pid,
				    h->seq, h->flags, nd->ifindex, nd->state, ll ? "" : "none ", got, type, pid, state,
				    last ? "" : "none ", last);
		return CHECK_OK;
	}
	return fail("2001:db8:0:32::5: no notification about it among 32");
}

/* Nothing more about the neighbour on ln for NEWS_SETTLE_MS. */
static int want_no_neigh_news(int ln, const char *after)
{
	struct pollfd p = { ln, POLLIN, 0 };

	while (poll(&p, 1, NEWS_SETTLE_MS) == 1) {
		ssize_t n = recv(ln, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		const struct nlhdr *h = (const struct nlhdr *)rbuf;
		const struct rta *d = n >= (ssize_t)(sizeof(*h) + sizeof(struct nd_msg)) && h->len <= (size_t)n ?
			find_attr(h, sizeof(struct nd_msg), NDA_DST_) : NULL;
		if (d && rta_len(d) == 16 && !memcmp(rta_data(d), &nb_addr, 16))
			return fail("a notification (type %u) after %s", h->type, after);
	}
	return CHECK_OK;
}

/* The steps of neigh-news: added, its address replaced, replaced by
 * the same (no news), deleted (FAILED, then the removal), deleted again
 * (refused, no news); then neigh_down_steps. */
static int neigh_news_steps(int fd, int ln)
{
	uint32_t me = port_of(fd);
	struct req q;
	int r;

	neigh_req(&q, RTM_NEWNEIGH_, F_CREATE | F_EXCL, 0x55);
	if ((r = want_nlerr(fd, &q, 0, "RTM_NEWNEIGH 2001:db8:0:32::5 dev lo")) ||
	    (r = want_neigh_news(ln, RTM_NEWNEIGH_, NUD_PERMANENT_, me, 0x55)))
		return r;
	neigh_req(&q, RTM_NEWNEIGH_, F_CREATE | F_REPLACE, 0x66);
	if ((r = want_nlerr(fd, &q, 0, "RTM_NEWNEIGH replace, a new lladdr")) ||
	    (r = want_neigh_news(ln, RTM_NEWNEIGH_, NUD_PERMANENT_, me, 0x66)))
		return r;
	neigh_req(&q, RTM_NEWNEIGH_, F_CREATE | F_REPLACE, 0x66);
	if ((r = want_nlerr(fd, &q, 0, "RTM_NEWNEIGH replace, the same")) ||
	    (r = want_no_neigh_news(ln, "a replace that changed nothing")))
		return r;
	neigh_req(&q, RTM_DELNEIGH_, 0, 0);
	if ((r = want_nlerr(fd, &q, 0, "RTM_DELNEIGH 2001:db8:0:32::5")) ||
	    (r = want_neigh_news(ln, RTM_NEWNEIGH_, NUD_FAILED_, me, 0)) ||
	    (r = want_neigh_news(ln, RTM_DELNEIGH_, NUD_FAILED_, 0, 0)))
		return r;
	neigh_req(&q, RTM_DELNEIGH_, 0, 0);
	if ((r = want_nlerr(fd, &q, -ENOENT, "RTM_DELNEIGH again")) ||
	    (r = want_no_neigh_news(ln, "the refused RTM_DELNEIGH")))
		return r;
	return neigh_down_steps(fd, ln);
}

/* A listener on RTMGRP_NEIGH hears a permanent IPv6 neighbour on lo
 * added, changed and deleted (Linux: in a network namespace of its own;
 * the entry is removed whatever happens). */
static int check_neigh_news(void)
{
	int fd, ln, r;
	struct req q;

	if (geteuid() != 0)
		return skip("needs CAP_NET_ADMIN");
	if ((r = news_begin(RTMGRP_NEIGH_, "RTMGRP_NEIGH", &fd, &ln)) == CHECK_OK)
		r = neigh_news_steps(fd, ln);
	neigh_req(&q, RTM_DELNEIGH_, 0, 0);
	quiet_request(fd, &q);
	for (int i = 0; i < NB_DOWN; i++) {
		neigh_req_for(&q, RTM_DELNEIGH_, 0, 0, (uint8_t)(NB_DOWN_FIRST + i));
		quiet_request(fd, &q);
	}
	lo_set_req(&q, 1);
	quiet_request(fd, &q);
	news_end(fd, ln);
	return r;
}

/* ---- a dump over several datagrams ---------------------------------------------------------- */

#define BATCH_ROUTES 62          /* 62 routes of 68 bytes: more than a fresh socket's first batch */
#define RTA_PRIORITY_ 6
#define RTA_PREFSRC_ 7

/* RTM_NEWROUTE or RTM_DELROUTE of 198.18.i.0/24 dev lo metric 100+i src 127.0.0.1. */
static void batch_route(struct req *q, uint16_t type, int i)
{
	struct rtm rt = { AF_INET, 24, 0, 0, 254, 4 /* static */, 253 /* link */, 1 /* unicast */, 0 };
	uint32_t dst = htonl(0xc6120000u | (uint32_t)i << 8), src = htonl(INADDR_LOOPBACK), oif = 1;
	uint32_t metric = 100 + (uint32_t)i;

	req_init(q, type, F_REQUEST | F_ACK | (type == RTM_NEWROUTE_ ? F_CREATE | F_EXCL : 0), &rt, sizeof(rt));
	req_attr(q, RTA_DST_, &dst, 4);
	req_attr(q, RTA_OIF_, &oif, 4);
	req_attr(q, RTA_PRIORITY_, &metric, 4);
	req_attr(q, RTA_PREFSRC_, &src, 4);
}

/* The route dump on a fresh socket (whose first batch is a page or
 * so): how many datagrams, and how many of our routes. */
static int count_batches(int *datagrams, int *routes)
{
	struct rtm rt = { .family = AF_INET };
	struct req q;
	int fd = nl_open(), r = CHECK_OK;

	*datagrams = *routes = 0;
	if (fd < 0)
		return fail("socket: %s", errname(errno));
	req_init(&q, RTM_GETROUTE_, F_REQUEST | F_DUMP, &rt, sizeof(rt));
	req_send(fd, &q);
	for (int done = 0; !done && !r;) {
		long n = nl_read(fd);
		if (n <= 0)
			r = fail("route dump: recv %ld (%s) before NLMSG_DONE", n, errname(errno));
		(*datagrams)++;
		for (long off = 0; !r && !done && off + 16 <= n; off += ALIGN4(((struct nlhdr *)(rbuf + off))->len)) {
			const struct nlhdr *h = (const struct nlhdr *)(rbuf + off);
			const struct rtm *m = (const struct rtm *)(h + 1);
			const struct rta *d = find_attr(h, sizeof(*m), RTA_DST_);
			if (h->len < 16 || off + h->len > n)
				r = fail("route dump: a message of %u bytes", h->len);
			done = h->type == NLMSG_DONE_;
			if (!done && d && m->table == 254 && (ntohl(rta_u32(d)) >> 16) == 0xc612)
				(*routes)++;
		}
	}
	close(fd);
	return r;
}

/* Send q and read its NLMSG_ERROR without a word (cleaning up after a failure). */
static void quiet_request(int fd, const struct req *q)
{
	if (req_send(fd, q) > 0)
		nl_read(fd);
}

/* Sixty-odd routes on lo make a dump of two datagrams or more; all are
 * listed once, and removed. Linux: in a network namespace of its own. */
static int check_dump_batches(void)
{
	struct req q;
	int fd, r = CHECK_OK, added = 0, datagrams = 0, routes = 0;

	if (geteuid() != 0)
		return skip("needs CAP_NET_ADMIN");
	int own_ns = unshare(CLONE_NEWNET) == 0;
	if ((fd = nl_open()) < 0)
		return fail("socket: %s", errname(errno));
	if (own_ns)
		r = lo_up(fd);
	for (; !r && added < BATCH_ROUTES; added++) {
		batch_route(&q, RTM_NEWROUTE_, added);
		r = want_nlerr(fd, &q, 0, "RTM_NEWROUTE 198.18.x.0/24");
	}
	if (!r && !(r = count_batches(&datagrams, &routes)) && (datagrams < 2 || routes != BATCH_ROUTES))
		r = fail("route dump: %d datagrams, %d of our %d routes", datagrams, routes, BATCH_ROUTES);
	for (int i = 0; i < added; i++) {
		batch_route(&q, RTM_DELROUTE_, i);
		if (r)
			quiet_request(fd, &q);
		else
			r = want_nlerr(fd, &q, 0, "RTM_DELROUTE 198.18.x.0/24");
	}
	if (!r)
		remark("%d datagrams", datagrams);
	close(fd);
	return r;
}

static const struct check checks[] = {
	{ "socket", check_socket },
	{ "bind", check_bind },
	{ "getifaddrs", check_getifaddrs },
	{ "if-names", check_if_names },
	{ "link-dump", check_link_dump },
	{ "link-get", check_link_get },
	{ "errors", check_errors },
	{ "eperm", check_eperm },
	{ "trunc", check_trunc },
	{ "strict", check_strict },
	{ "rcvbuf", check_rcvbuf },
	{ "addr-roundtrip", check_addr_roundtrip },
	{ "addr6-news", check_addr6_news },
	{ "link-news", check_link_news },
	{ "packet-down", check_packet_down },
	{ "mtu-news", check_mtu_news },
	{ "route-news", check_route_news },
	{ "route6-news", check_route6_news },
	{ "route6-user", check_route6_user },
	{ "route6-ioctl", check_route6_ioctl },
	{ "route6-get", check_route6_get },
	{ "neigh-news", check_neigh_news },
	{ "routes", check_routes },
	{ "neigh-setlink", check_neigh_setlink },
	{ "dump-batches", check_dump_batches },
};

int main(int argc, char **argv)
{
	c_isolate = 1;
	return run_checks("conform_netlink", checks, NELEMS(checks), argc, argv);
}
