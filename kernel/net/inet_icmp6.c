// SPDX-License-Identifier: MIT
/*
 * Kestrel: the IPv6 sockets that see ICMPv6 itself, over the IPv6 stack
 * (as inet_icmp.c's for IPv4):
 *
 *   SOCK_RAW, IPPROTO_ICMPV6 (CAP_NET_RAW): a send is an ICMPv6 message,
 *     whose checksum the kernel always computes (RFC 3542 3.1: for ICMPv6
 *     it is not optional; SOL_RAW's IPV6_CHECKSUM is taken and read back,
 *     as busybox's ping6 sets it); a receive is a copy of every ICMPv6
 *     message this host receives, ICMPv6 header first (no IPv6 header:
 *     RFC 3542 3), but the types ICMP6_FILTER blocks; IPV6_RECVHOPLIMIT
 *     (or RFC 2292's IPV6_2292HOPLIMIT, which busybox's ping6 asks for)
 *     gives the hop limit. Other protocols' raw sockets are refused
 *     (EPROTONOSUPPORT) until they are needed.
 *   SOCK_DGRAM, IPPROTO_ICMPV6, the ping socket: a send is an echo request
 *     whose identifier the kernel sets to the socket's; a receive an echo
 *     reply with it. ping_group_range decides, as for IPv4.
 *
 * A link-local or multicast destination names its link with
 * sin6_scope_id, or the socket's SO_BINDTODEVICE. Lock rule: as the
 * sockets' (the kernel lock, for now); icmp6_socks changes at create and
 * release only.
 */
#include "net/inet_sock.h"
#include "net/icmp6.h"
#include "net/ipv6.h"
#include "net/netdev.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"

#define PING_IDENT_LOW  1
#define PING_IDENT_HIGH 65535
#define ICMP6_FILTER    1        /* IPPROTO_ICMPV6's option: struct icmp6_filter, 8 words */
#define IPV6_CHECKSUM   7        /* SOL_RAW's (and IPPROTO_IPV6's) option */
#define RAW6_MAX_PAYLOAD 65535
#define MC_HOPS_DEFAULT 1        /* IPV6_MULTICAST_HOPS' default */

/* What rides after a queued message: where it came from, its hop limit. */
struct icmp6_meta {
	struct inet_name src;
	int hoplimit;
};

static struct unix_sock *icmp6_socks;

static bool is_ping(const struct unix_sock *s)
{
	return s->type == SOCK_DGRAM;
}

static struct inet_name v6_name(const struct in6 *a, int ifindex)
{
	struct inet_name n = { .kind = INET_V6 };
	memcpy(n.a6, a->b, sizeof(n.a6));
	if (in6_is_linklocal(a))
		n.scope = ifindex;
	return n;
}

/* ---- receiving ---------------------------------------------------------------------- */

/* Does s take a message from ip (its bound address, its connected peer)? */
static bool addressed(const struct unix_sock *s, const struct ipv6_info *ip)
{
	static const uint8_t any[16];
	if (s->in.name.kind == INET_V6 && memcmp(s->in.name.a6, any, 16) && memcmp(s->in.name.a6, ip->dst.b, 16))
		return false;
	return !s->in.has_peer || s->in.peer.kind != INET_V6 || !memcmp(s->in.peer.a6, ip->src.b, 16);
}

static void queue_copy(struct unix_sock *s, const struct netbuf *nb, const struct ipv6_info *ip)
{
	struct icmp6_meta meta = { v6_name(&ip->src, nb->dev ? nb->dev->ifindex : 0), ip->hop_limit };
	unix_queue_wire(s, nb->data, nb->len, &meta, sizeof(meta));
}

/* ipv6_raw_hook: every ICMPv6 message (data at its header) for each raw
 * ICMPv6 socket whose filter lets its type through. */
static void raw6_input(const struct netbuf *nb, const struct ipv6_info *ip)
{
	if (ip->proto != NEXTHDR_ICMP || !nb->len)
		return;
	uint8_t t = nb->data[0];
	for (struct unix_sock *s = icmp6_socks; s; s = s->in.next)
		if (!is_ping(s) && !s->dead && addressed(s, ip) && !((s->in.icmp6_filter[t >> 5] >> (t & 31)) & 1))
			queue_copy(s, nb, ip);
}

/* icmp6_ping_hook: an echo reply for the ping socket of its identifier. */
static bool ping6_input(const struct netbuf *nb, const struct ipv6_info *ip, const struct icmp6_info *ic)
{
	for (struct unix_sock *s = icmp6_socks; s; s = s->in.next)
		if (is_ping(s) && !s->dead && s->in.name.port == ic->id && addressed(s, ip)) {
			queue_copy(s, nb, ip);
			return true;
		}
	return false;
}

/* ---- sending --------------------------------------------------------------------------- */

static bool ident_free(uint16_t id)
{
	for (struct unix_sock *s = icmp6_socks; s; s = s->in.next)
		if (is_ping(s) && s->in.name.port == id)
			return false;
	return true;
}

static int ping_autobind(struct unix_sock *s)
{
	static uint16_t next = PING_IDENT_LOW;
	for (unsigned i = 0; i < PING_IDENT_HIGH; i++) {
		uint16_t id = next;
		next = next == PING_IDENT_HIGH ? PING_IDENT_LOW : next + 1;
		if (ident_free(id)) {
			s->in.name.port = id;
			inet_name_sync(s);
			return 0;
		}
	}
	return -EADDRINUSE;
}

/* The destination of a send (an IPv6 address; ::1 as lo's). */
static int dest_of(const struct unix_sock *s, const struct sock_msg *m, struct inet_name *d)
{
	if (m->addrlen) {
		int err = inet_addr_in(s, &m->addr, m->addrlen, false, d);
		if (err)
			return err;
	} else if (s->in.has_peer) {
		*d = s->in.peer;
	} else {
		return -EDESTADDRREQ;
	}
	if (d->kind == INET_V6_LOOP || d->kind == INET_V6_ANY) { /* ::1, and :: as this host */
		memset(d->a6, 0, sizeof(d->a6));
		d->a6[15] = 1;
		d->kind = INET_V6;
	}
	return d->kind == INET_V6 ? 0 : -EAFNOSUPPORT;
}

static long icmp6_sock_send(struct file *f, struct sock_msg *m, int flags)
{
	struct unix_sock *s = unix_sock(f);
	struct inet_name d;
	size_t len = unix_iov_total(m);
	long err;

	inet_drop_files(m);
	if ((err = dest_of(s, m, &d)))
		return err;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (len > RAW6_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (len < ICMPV6_HDR_LEN)
		return -EINVAL; /* no room for the checksum the kernel owes */
	if (is_ping(s) && !s->in.name.port && (err = ping_autobind(s)))
		return err;
	if (!d.scope && inet_bound_gone(s))
		return -ENODEV;
	struct netbuf *nb = netbuf_alloc(NETBUF_HEADROOM, len);
	if (!nb)
		return -ENOMEM;
	uint8_t *p = netbuf_put(nb, len);
	if (unix_iov_copy_in(m, (char *)p, len)) {
		netbuf_free(nb);
		return -EFAULT;
	}
	if (is_ping(s)) {
		if (p[0] != ICMPV6_ECHO_REQUEST || p[1] != 0) {
			netbuf_free(nb);
			return -EINVAL;
		}
		put_be16(p + 4, s->in.name.port);
	}
	struct in6 src = { 0 }, dst;
	memcpy(dst.b, d.a6, sizeof(dst.b));
	bool bound = s->in.name.kind == INET_V6;
	if (bound)
		memcpy(src.b, s->in.name.a6, sizeof(src.b));
	int hops = in6_is_multicast(&dst) ? MC_HOPS_DEFAULT : s->in.hops > 0 ? s->in.hops : -1;
	if ((m->has_ip6 & IP6_HAS_HOPLIMIT) && m->ip6_hoplimit >= 0)
		hops = m->ip6_hoplimit;
	struct netdev *dev = d.scope ? netdev_by_index(d.scope) : inet_bound_dev(s);
	err = icmp6_send(nb, bound ? &src : NULL, &dst, dev, hops);
	netdev_put(dev);
	return err ? err : (long)len;
}

static long icmp6_sock_recv(struct file *f, struct sock_msg *m, int flags)
{
	struct unix_sock *s = unix_sock(f);
	struct icmp6_meta meta;
	bool got;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (flags & MSG_ERRQUEUE)
		return inet_recv_error(s, m);
	long r = unix_dgram_recv_meta(f, s, m, flags, &meta, sizeof(meta), &got);
	if (got) {
		inet_addr_out(s, &meta.src, &m->addr, &m->addrlen);
		if (s->in.recv_hoplimit2292)
			sock_msg_cmsg(m, IPPROTO_IPV6, IPV6_2292HOPLIMIT, &meta.hoplimit, sizeof(meta.hoplimit));
		if (s->in.recv_hoplimit)
			sock_msg_cmsg(m, IPPROTO_IPV6, IPV6_HOPLIMIT, &meta.hoplimit, sizeof(meta.hoplimit));
	}
	return r;
}

/* ---- the other operations ------------------------------------------------------------ */

static int icmp6_sock_bind(struct file *f, const struct sockaddr_un *a, size_t len)
{
	struct unix_sock *s = unix_sock(f);
	struct inet_name n;
	int err = inet_addr_in(s, a, len, true, &n);
	if (err)
		return err;
	if (n.kind == INET_V6) {
		struct in6 x;
		memcpy(x.b, n.a6, sizeof(x.b));
		if (ipv6_addr_local(&x) != IPV6_LOCAL)
			return -EADDRNOTAVAIL;
	} else if (n.kind != INET_V6_ANY) {
		return n.kind == INET_V4 ? -EINVAL : -EADDRNOTAVAIL;
	}
	if (is_ping(s) && n.port && !ident_free(n.port))
		return -EADDRINUSE;
	uint16_t port = n.port;
	s->in.name = n;
	s->in.name.port = is_ping(s) ? port : 0;
	if (is_ping(s) && !port && (err = ping_autobind(s)))
		return err;
	inet_name_sync(s);
	return 0;
}

static int icmp6_sock_connect(struct file *f, const struct sockaddr_un *a, size_t len)
{
	struct unix_sock *s = unix_sock(f);
	struct inet_name d;
	if (len >= sizeof(uint16_t) && a->sun_family == AF_UNSPEC) {
		s->in.has_peer = false;
		return 0;
	}
	struct sock_msg m = { 0 };
	memcpy(&m.addr, a, len < sizeof(m.addr) ? len : sizeof(m.addr));
	m.addrlen = len;
	int err = dest_of(s, &m, &d);
	if (err)
		return err;
	s->in.peer = d;
	s->in.peer.port = 0;
	s->in.has_peer = true;
	return is_ping(s) && !s->in.name.port ? ping_autobind(s) : 0;
}

static int icmp6_sock_listen(struct file *f, int backlog)
{
	(void)f;
	(void)backlog;
	return -EOPNOTSUPP;
}

static int icmp6_sock_shutdown(struct file *f, int how)
{
	struct unix_sock *s = unix_sock(f);
	int err = unix_shutdown_sock(s, how);
	return err ? err : s->in.has_peer ? 0 : -ENOTCONN;
}

static void icmp6_sock_release(struct unix_sock *s)
{
	inet6_opts_release(s); /* IPV6_RTHDR's header */
	for (struct unix_sock **pp = &icmp6_socks; *pp; pp = &(*pp)->in.next)
		if (*pp == s) {
			*pp = s->in.next;
			break;
		}
	s->in.next = NULL;
}

const struct sock_proto inet_icmp6_proto = {
	.bind = icmp6_sock_bind,
	.connect = icmp6_sock_connect,
	.listen = icmp6_sock_listen,
	.getname = inet_getname,
	.sendmsg = icmp6_sock_send,
	.recvmsg = icmp6_sock_recv,
	.shutdown = icmp6_sock_shutdown,
	.release = icmp6_sock_release,
};

void inet_icmp6_adopt(struct unix_sock *s)
{
	s->in.next = icmp6_socks;
	icmp6_socks = s;
}

int inet_icmp6_setsockopt(struct unix_sock *s, int level, int name, const void *val, size_t len)
{
	if (level == IPPROTO_IPV6 && name == IPV6_2292HOPLIMIT) {
		int v;
		if (len < sizeof(v))
			return -EINVAL;
		memcpy(&v, val, sizeof(v));
		s->in.recv_hoplimit2292 = v != 0;
		return 0;
	}
	if (level == SOL_RAW && name == IPV6_CHECKSUM && s->type == SOCK_RAW) {
		int v;
		if (len < sizeof(v))
			return -EINVAL;
		memcpy(&v, val, sizeof(v));
		return v == 2 || v < 0 ? 0 : -EINVAL; /* ICMPv6's own offset, always summed */
	}
	if (level == IPPROTO_ICMPV6 && name == ICMP6_FILTER && s->type == SOCK_RAW) {
		size_t n = len < sizeof(s->in.icmp6_filter) ? len : sizeof(s->in.icmp6_filter);
		memset(s->in.icmp6_filter, 0, sizeof(s->in.icmp6_filter));
		memcpy(s->in.icmp6_filter, val, n);
		return 0;
	}
	return -ENOPROTOOPT;
}

int inet_icmp6_getsockopt(struct unix_sock *s, int level, int name, void *val, size_t *len)
{
	if (level == IPPROTO_IPV6 && name == IPV6_2292HOPLIMIT) {
		int v = s->in.recv_hoplimit2292;
		size_t n = *len < sizeof(v) ? *len : sizeof(v);
		memcpy(val, &v, n);
		*len = n;
		return 0;
	}
	if (level == SOL_RAW && name == IPV6_CHECKSUM && s->type == SOCK_RAW) {
		int v = 2;
		size_t n = *len < sizeof(v) ? *len : sizeof(v);
		memcpy(val, &v, n);
		*len = n;
		return 0;
	}
	if (level == IPPROTO_ICMPV6 && name == ICMP6_FILTER && s->type == SOCK_RAW) {
		size_t n = *len < sizeof(s->in.icmp6_filter) ? *len : sizeof(s->in.icmp6_filter);
		memcpy(val, s->in.icmp6_filter, n);
		*len = n;
		return 0;
	}
	return -ENOPROTOOPT;
}

void inet_icmp6_init(void)
{
	ipv6_raw_hook = raw6_input;
	icmp6_ping_hook = ping6_input;
}
