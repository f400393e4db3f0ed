// SPDX-License-Identifier: MIT
/*
 * Kestrel: AF_INET on the loopback network, the parts TCP and UDP share:
 * socket(), names and ports (bind, ephemeral ports, getsockname and
 * getpeername), the lookup of the socket an address reaches, and the
 * IPPROTO_IP/IPPROTO_TCP options. An AF_INET socket is an AF_UNIX socket
 * (net/unix_sock.h) with family AF_INET and a struct sock_proto: its
 * queues, buffers, connections, accept, poll and SOL_SOCKET options are
 * AF_UNIX's; what differs is here and in inet_tcp.c and inet_udp.c.
 * Every IPv4 destination, this host's own (127/8 and the interfaces'
 * addresses, through lo) as another's, is reached through the IPv4
 * stack: a TCP connect becomes a connection of net/tcp_sock.c, a UDP
 * datagram a packet (inet_udp.c's wire path). Every IPv6 address, ::1
 * included (over lo), is reached through the IPv6 stack by TCP (a
 * connection of net/tcp_sock.c), UDP and the ICMPv6 sockets. Only
 * UDP-Lite to ::1, which neither stack carries, goes without a packet,
 * straight onto the receiver's queue.
 *
 * Lock rule: as AF_UNIX's (one CPU under the kernel lock, never
 * preempted; nothing here sleeps with the port list half changed).
 */
#include "net/inet_sock.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/net_sysctl.h"
#include "net/netdev.h"
#include "net/pmtu.h"
#include "net/tcp.h"
#include "net/tcp_sock.h"

#include "fs/vfs.h"
#include "arch/x86_64/klock.h"
#include "lib/byteorder.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "time/time.h"
#include "uapi/capability.h"
#include "uapi/socket.h"
#include "uapi/tcp.h"
#include "uapi/udp.h"

#define SOCK_FLAGS (SOCK_NONBLOCK | SOCK_CLOEXEC)
#define TCP_MSS_LOOPBACK 65483 /* lo's MTU 65536 less the headers and options */
#define TCP_MSS_DEFAULT  536   /* before a connection */
#define TCP_KEEPIDLE_DEFAULT  7200 /* net.ipv4.tcp_keepalive_time */
#define TCP_KEEPINTVL_DEFAULT 75
#define TCP_KEEPCNT_DEFAULT   9
#define TCP_FIN_TIMEOUT       60   /* net.ipv4.tcp_fin_timeout, s: what TCP_LINGER2 0 reads as */
#define SOCK_MIN_RCVBUF_HALF  (UNIX_RCVBUF_MIN / 2) /* TCP_WINDOW_CLAMP's floor */
#define IP_MC_TTL_DEFAULT     1
#define TCP_SYN_RETRIES       6    /* net.ipv4.tcp_syn_retries: TCP_SYNCNT's default */
#define TCP_RTO_INIT_S        1    /* TCP_TIMEOUT_INIT and TCP_RTO_MAX, s: TCP_DEFER_ACCEPT's units */
#define TCP_RTO_MAX_S         120
#define IP_TTL_MAX            255


/* Every socket holding a port (bound, or given one by connect or
 * listen), linked by in.next; accepted sockets share their listener's. */
static struct unix_sock *port_list;
static uint32_t next_ephemeral;

/* ---- addresses ------------------------------------------------------------------ */

static const uint8_t in6_loopback[16] = { [15] = 1 };
static const uint8_t in6_any[16];

/* An IPv6 address's kind (the IPv4 of ::ffff:a.b.c.d into *v4). */
static uint8_t in6_kind(const uint8_t a[16], uint32_t *v4)
{
	if (!memcmp(a, in6_any, sizeof(in6_any)))
		return INET_V6_ANY;
	if (!memcmp(a, in6_loopback, sizeof(in6_loopback)))
		return INET_V6_LOOP;
	if (!memcmp(a, in6_any, IN6_V4MAPPED_PREFIX) && a[10] == 0xff && a[11] == 0xff) {
		memcpy(v4, a + 12, sizeof(*v4));
		*v4 = be32(*v4);
		return INET_V4;
	}
	return INET_V6;
}

static int addr_in4(const struct sockaddr_un *a, size_t len, bool any_ok, struct inet_name *n)
{
	struct sockaddr_in in;

	if (len < sizeof(in))
		return -EINVAL;
	memcpy(&in, a, sizeof(in));
	*n = (struct inet_name){ .addr = be32(in.sin_addr), .port = be16(in.sin_port), .kind = INET_V4 };
	if (in.sin_family == AF_INET)
		return 0;
	if (any_ok && in.sin_family == AF_UNSPEC && n->addr == INADDR_ANY)
		return 0;
	return -EAFNOSUPPORT;
}

static int addr_in6(const struct sockaddr_un *a, size_t len, struct inet_name *n)
{
	struct sockaddr_in6 in6 = { 0 };

	if (len < SIN6_LEN_RFC2133)
		return -EINVAL;
	memcpy(&in6, a, len < sizeof(in6) ? len : sizeof(in6));
	if (in6.sin6_family != AF_INET6)
		return -EAFNOSUPPORT;
	*n = (struct inet_name){ .addr = 0, .port = be16(in6.sin6_port), .kind = 0 };
	n->kind = in6_kind(in6.sin6_addr, &n->addr);
	if (n->kind == INET_V6) {
		memcpy(n->a6, in6.sin6_addr, sizeof(n->a6));
		if (in6.sin6_addr[0] == 0xfe && (in6.sin6_addr[1] & 0xc0) == 0x80)
			n->scope = (int)in6.sin6_scope_id; /* a link-local address names its link */
	}
	return 0;
}

int inet_addr_in4(const struct sockaddr_un *a, size_t len, struct inet_name *n)
{
	return addr_in4(a, len, false, n);
}

int inet_addr_in(const struct unix_sock *s, const struct sockaddr_un *a, size_t len, bool any_ok,
		 struct inet_name *n)
{
	return s->family == AF_INET6 ? addr_in6(a, len, n) : addr_in4(a, len, any_ok, n);
}

void inet_addr_out(const struct unix_sock *s, const struct inet_name *n, struct sockaddr_un *a,
		   size_t *len)
{
	memset(a, 0, sizeof(*a));
	if (s->family == AF_INET) {
		struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = be16(n->port),
					  .sin_addr = be32(n->addr) };
		memcpy(a, &in, sizeof(in));
		*len = sizeof(in);
		return;
	}
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = be16(n->port) };
	if (n->kind == INET_V6_LOOP) {
		memcpy(in6.sin6_addr, in6_loopback, sizeof(in6_loopback));
	} else if (n->kind == INET_V4) {
		uint32_t v4 = be32(n->addr);
		in6.sin6_addr[10] = in6.sin6_addr[11] = 0xff;
		memcpy(in6.sin6_addr + 12, &v4, sizeof(v4));
	} else if (n->kind == INET_V6) {
		memcpy(in6.sin6_addr, n->a6, sizeof(in6.sin6_addr));
		in6.sin6_scope_id = (uint32_t)n->scope;
	}
	memcpy(a, &in6, sizeof(in6));
	*len = sizeof(in6);
}

struct in6 inet_in6(const struct inet_name *n)
{
	struct in6 a = { 0 };
	if (n->kind == INET_V6)
		memcpy(a.b, n->a6, sizeof(a.b));
	else if (n->kind == INET_V6_LOOP)
		memcpy(a.b, in6_loopback, sizeof(a.b));
	else if (n->kind == INET_V4) {
		a.b[10] = a.b[11] = 0xff;
		put_be32(a.b + 12, n->addr);
	}
	return a;
}

struct inet_name inet_name6(const struct in6 *a, uint16_t port, int ifindex)
{
	struct inet_name n = { .port = port, .kind = INET_V6 };
	if (in6_is_loopback(a)) {
		n.kind = INET_V6_LOOP;
		return n;
	}
	memcpy(n.a6, a->b, sizeof(n.a6));
	if (in6_is_linklocal(a))
		n.scope = ifindex;
	return n;
}

void inet_name_sync(struct unix_sock *s)
{
	inet_addr_out(s, &s->in.name, &s->addr, &s->addrlen);
	s->bound = s->in.name.port != 0;
}

struct inet_name inet_any(const struct unix_sock *s)
{
	return (struct inet_name){ .addr = INADDR_ANY, .port = 0, .kind = s->family == AF_INET6 ? INET_V6_ANY : INET_V4 };
}

/* An IPv4 address of this host: 127/8, or an address an interface has. */
static bool v4_local(uint32_t addr)
{
	return inet_loopback(addr) || ipv4_is_local(addr);
}

/* The device a name's scope (or s's SO_BINDTODEVICE) sends through,
 * held, or NULL. */
static struct netdev *v6_dev(const struct unix_sock *s, const struct inet_name *d)
{
	return d->scope ? netdev_by_index(d->scope) : inet_bound_dev(s);
}

int inet_v6_route(const struct unix_sock *s, const struct inet_name *d, struct ipv6_dst *out)
{
	struct in6 a;
	memcpy(a.b, d->a6, sizeof(a.b));
	memset(out, 0, sizeof(*out));
	struct netdev *dev = v6_dev(s, d);
	if (!dev && (d->scope || s->bound_dev_if))
		return -ENODEV; /* the named or bound device is gone */
	int err = ipv6_route_lookup(&a, dev, out);
	netdev_put(dev);
	return err;
}

int inet_route(const struct unix_sock *s, struct inet_name *d)
{
	struct ipv6_dst route;
	if (d->kind == INET_V6) {
		int err = inet_v6_route(s, d, &route);
		netdev_put(route.dev);
		return err;
	}
	if (d->kind == INET_V6_ANY)
		d->kind = INET_V6_LOOP;
	if (d->kind == INET_V4 && d->addr == INADDR_ANY)
		d->addr = INADDR_LOOPBACK;
	if (d->kind == INET_V6_LOOP)
		return 0;
	return d->kind == INET_V4 && v4_local(d->addr) && !s->in.v6only ? 0 : -ENETUNREACH;
}

int inet_version_mismatch(const struct inet_name *src, const struct inet_name *d)
{
	if (src->kind == d->kind)
		return 0;
	return src->kind == INET_V4 ? -EAFNOSUPPORT : -ENETUNREACH;
}

bool inet_via_ipv4(const struct unix_sock *s, struct inet_name *d)
{
	if (d->kind != INET_V4 || s->in.v6only)
		return false;
	if (d->addr == INADDR_ANY)
		d->addr = INADDR_LOOPBACK; /* this host, as Linux's ip_route_connect takes it */
	return true;
}

struct netdev *inet_bound_dev(const struct unix_sock *s)
{
	return s->bound_dev_if ? netdev_by_index(s->bound_dev_if) : NULL;
}

bool inet_bound_gone(const struct unix_sock *s)
{
	return s->bound_dev_if && !netdev_exists(s->bound_dev_if);
}

/* The source the route to dst (through s's bound device) gives, or
 * otherwise when there is none. */
static uint32_t v4_route_src(const struct unix_sock *s, uint32_t dst, uint32_t otherwise)
{
	struct ipv4_dst route;
	struct netdev *dev = inet_bound_dev(s);
	if (ipv4_route_lookup(dst, dev, &route) == 0) {
		otherwise = route.src;
		netdev_put(route.dev);
	}
	netdev_put(dev);
	return otherwise;
}

struct inet_name inet_source(const struct unix_sock *s, const struct inet_name *d)
{
	struct inet_name n = s->in.name;

	if (n.kind == INET_V6_ANY || (n.kind == INET_V4 && n.addr == INADDR_ANY)) {
		n.kind = d->kind;
		n.addr = d->kind == INET_V4 ? INADDR_LOOPBACK : 0;
		if (d->kind == INET_V4 && ipv4_is_local(d->addr))
			n.addr = d->addr; /* to one of its own addresses: from it, as Linux */
		else if (d->kind == INET_V4)
			n.addr = v4_route_src(s, d->addr, n.addr);
	}
	if (n.kind == INET_V6 && d->kind == INET_V6 && !memcmp(n.a6, (uint8_t[16]){ 0 }, sizeof(n.a6))) {
		struct ipv6_dst r6;
		if (inet_v6_route(s, d, &r6) == 0) {
			memcpy(n.a6, r6.src.b, sizeof(n.a6));
			n.scope = in6_is_linklocal(&r6.src) ? r6.dev->ifindex : 0;
		}
		netdev_put(r6.dev);
	}
	return n;
}

bool inet_same(const struct inet_name *a, const struct inet_name *b)
{
	return a->kind == b->kind && a->port == b->port && (a->kind != INET_V4 || a->addr == b->addr) &&
	       (a->kind != INET_V6 || !memcmp(a->a6, b->a6, sizeof(a->a6)));
}

/* ---- ports ---------------------------------------------------------------------- */

static bool reuses(const struct unix_sock *s)
{
	return (s->sockopt_bits >> SO_REUSEADDR) & 1;
}

/* The IPv4 addresses a socket bound to n takes: none (-1), all (0) or one. */
static int64_t v4_set(const struct unix_sock *o, const struct inet_name *n)
{
	if (n->kind == INET_V6_ANY)
		return o->in.v6only ? -1 : 0;
	return n->kind == INET_V4 ? (int64_t)n->addr : -1;
}

/* Sockets o bound to a and s bound to b would share an address: both
 * take ::1, or their IPv4 sets meet. The ports are equal. */
static bool overlaps(const struct unix_sock *o, const struct inet_name *a, const struct unix_sock *s,
		     const struct inet_name *b)
{
	bool a6 = a->kind == INET_V6_ANY || a->kind == INET_V6_LOOP || a->kind == INET_V6;
	bool b6 = b->kind == INET_V6_ANY || b->kind == INET_V6_LOOP || b->kind == INET_V6;
	int64_t x = v4_set(o, a), y = v4_set(s, b);
	bool six = a6 && b6 && (a->kind == INET_V6_ANY || b->kind == INET_V6_ANY ||
				(a->kind == b->kind && (a->kind != INET_V6 || !memcmp(a->a6, b->a6, sizeof(a->a6)))));

	return six || (x >= 0 && y >= 0 && (x == 0 || y == 0 || x == y));
}

/*
 * Would s bound to n clash with another socket of its protocol (Linux's
 * inet_csk_bind_conflict and udp_lib_lport_inuse)? Not when both have
 * SO_REUSEADDR, unless (TCP) the other one listens. An ephemeral pick
 * (strict) clashes with any socket on the port.
 */
static bool port_taken(const struct unix_sock *s, const struct inet_name *n, bool strict)
{
	if (s->protocol == IPPROTO_TCP && tcp_sock_port_held(n, v4_set(s, n), reuses(s), strict))
		return true;
	for (const struct unix_sock *o = port_list; o; o = o->in.next) {
		if (o == s || o->protocol != s->protocol || o->in.name.port != n->port)
			continue;
		if (!strict && !overlaps(o, &o->in.name, s, n))
			continue;
		if (!strict && reuses(s) && reuses(o) &&
		    (s->type == SOCK_DGRAM || o->state != UNIX_LISTEN))
			continue;
		return true;
	}
	return false;
}

bool inet_listen_conflict(const struct unix_sock *s)
{
	for (const struct unix_sock *o = port_list; o; o = o->in.next)
		if (o != s && o->protocol == s->protocol && o->state == UNIX_LISTEN &&
		    o->in.name.port == s->in.name.port && overlaps(o, &o->in.name, s, &s->in.name))
			return true;
	return false;
}

/* A free port of the ephemeral range (net.ipv4.ip_local_port_range),
 * starting after the last one given (the first start comes from the
 * clock). 0: none free. */
static uint16_t pick_port(const struct unix_sock *s, struct inet_name n)
{
	uint16_t low, high;

	net_sysctl_port_range(&low, &high);
	const uint32_t range = (uint32_t)high - low + 1;
	if (!next_ephemeral)
		next_ephemeral = (uint32_t)time_ns() | 1;
	for (uint32_t i = 0; i < range; i++) {
		n.port = (uint16_t)(low + next_ephemeral++ % range);
		if (!port_taken(s, &n, true))
			return n.port;
		if (io_should_stop())
			return 0;
	}
	return 0;
}

int inet_bind_port(struct unix_sock *s, struct inet_name n)
{
	if (!n.port) {
		if (!(n.port = pick_port(s, n)))
			return io_should_stop() ? -EINTR : -EADDRINUSE;
	} else if (port_taken(s, &n, false)) {
		return -EADDRINUSE;
	}
	s->in.name = n;
	s->in.hashed = true;
	s->in.next = port_list;
	port_list = s;
	inet_name_sync(s);
	return 0;
}

/* A socket bound to b takes what is sent to d (the ports are equal). */
static bool takes(const struct unix_sock *o, const struct inet_name *b, const struct inet_name *d)
{
	if (b->kind == INET_V6_ANY)
		return d->kind == INET_V6_LOOP || d->kind == INET_V6 || (d->kind == INET_V4 && !o->in.v6only);
	if (b->kind == INET_V6_LOOP)
		return d->kind == INET_V6_LOOP;
	if (b->kind == INET_V6)
		return d->kind == INET_V6 && !memcmp(b->a6, d->a6, sizeof(b->a6));
	return d->kind == INET_V4 && (b->addr == INADDR_ANY || b->addr == d->addr);
}

void inet_for_each(void (*fn)(const struct unix_sock *s, void *ctx), void *ctx)
{
	for (const struct unix_sock *o = port_list; o; o = o->in.next)
		if (!o->dead)
			fn(o, ctx);
}

struct unix_sock *inet_lookup_dev(int protocol, const struct inet_name *d, const struct inet_name *src,
				  int ifindex)
{
	klock_must_hold("inet port list (lookup)");
	for (struct unix_sock *o = port_list; o; o = o->in.next) {
		if (o->protocol != protocol || o->in.name.port != d->port || o->dead ||
		    !takes(o, &o->in.name, d))
			continue;
		if (o->type == SOCK_STREAM && o->state != UNIX_LISTEN)
			continue;
		if (o->type == SOCK_DGRAM && o->in.has_peer && !inet_same(&o->in.peer, src))
			continue;
		if (ifindex && o->bound_dev_if && o->bound_dev_if != ifindex)
			continue; /* SO_BINDTODEVICE to another device */
		return o;
	}
	return NULL;
}

struct unix_sock *inet_lookup_from(int protocol, const struct inet_name *d, const struct inet_name *src)
{
	return inet_lookup_dev(protocol, d, src, 0);
}

struct unix_sock *inet_lookup(const struct unix_sock *from, const struct inet_name *d)
{
	for (struct unix_sock *o = port_list; o; o = o->in.next) {
		if (o->protocol != from->protocol || o->in.name.port != d->port || o->dead ||
		    !takes(o, &o->in.name, d))
			continue;
		if (o->type == SOCK_STREAM && o->state != UNIX_LISTEN)
			continue;
		if (o->type == SOCK_DGRAM && o->in.has_peer) {
			struct inet_name src = inet_source(from, d);
			if (!inet_same(&o->in.peer, &src))
				continue; /* a connected UDP socket takes only its peer's datagrams */
		}
		return o;
	}
	return NULL;
}

void inet_release(struct unix_sock *s)
{
	inet_err_purge(s);
	inet6_opts_release(s);
	inet_unhash(s);
}

void inet_unhash(struct unix_sock *s)
{
	if (!s->in.hashed)
		return;
	for (struct unix_sock **pp = &port_list; *pp; pp = &(*pp)->in.next) {
		if (*pp == s) {
			*pp = s->in.next;
			break;
		}
	}
	s->in.next = NULL;
	s->in.hashed = false;
}

void inet_forget_unchosen(struct unix_sock *s, bool addr)
{
	klock_must_hold("inet port list (forget)");
	if (addr && !s->in.addr_locked) {
		uint16_t port = s->in.name.port;
		s->in.name = inet_any(s);
		s->in.name.port = port;
	}
	if (!s->in.port_locked) {
		inet_unhash(s);
		s->in.name.port = 0;
	}
	inet_name_sync(s);
}

/* ---- bind and names --------------------------------------------------------------- */

/* Linux's inet_bind: the family, a local address (0.0.0.0 or 127/8, the
 * only ones lo has), a privileged port, then one bind per socket. */
int inet_bind(struct file *f, const struct sockaddr_un *a, size_t len)
{
	struct unix_sock *s = unix_sock(f);
	struct inet_name n;
	int err = inet_addr_in(s, a, len, true, &n);

	if (err)
		return err;
	if (n.kind == INET_V4 && s->in.v6only)
		return -EINVAL; /* ::ffff:a.b.c.d on an IPV6_V6ONLY socket */
	if (n.kind == INET_FOREIGN || (n.kind == INET_V4 && n.addr != INADDR_ANY && !v4_local(n.addr)))
		return -EADDRNOTAVAIL;
	if (n.kind == INET_V6) {
		struct in6 a;
		memcpy(a.b, n.a6, sizeof(a.b));
		if (ipv6_addr_local(&a) != IPV6_LOCAL)
			return -EADDRNOTAVAIL; /* Linux's EADDRNOTAVAIL, tentative ones included */
	}
	if (n.port && n.port < INET_PORT_PRIVILEGED && !capable(CAP_NET_BIND_SERVICE))
		return -EACCES;
	if (s->in.name.port || s->state != UNIX_UNCONNECTED)
		return -EINVAL;
	if ((err = inet_bind_port(s, n)))
		return err;
	s->in.port_locked = n.port != 0;
	s->in.addr_locked = !(n.kind == INET_V6_ANY || (n.kind == INET_V4 && n.addr == INADDR_ANY));
	return 0;
}

void inet_inherit(struct unix_sock *e, const struct unix_sock *l)
{
	e->family = l->family;
	e->protocol = l->protocol;
	e->sockopt_bits = l->sockopt_bits;
	e->zerocopy = l->zerocopy;
	e->linger = l->linger;
	e->tstamp = l->tstamp;
	e->priority = l->priority;
	e->sndbuf = l->sndbuf, e->sndbuf_set = l->sndbuf_set;
	e->rcvbuf = l->rcvbuf, e->rcvbuf_set = l->rcvbuf_set;
	e->rcvlowat = l->rcvlowat;
	e->in.nodelay = l->in.nodelay;
	e->in.cork = l->in.cork;
	e->in.keepidle = l->in.keepidle;
	e->in.keepintvl = l->in.keepintvl;
	e->in.keepcnt = l->in.keepcnt;
	e->in.v6only = l->in.v6only;
	e->in.opt = l->in.opt;
}

int inet_getname(struct file *f, enum sock_name which, struct sockaddr_un *a, size_t *len)
{
	const struct unix_sock *s = unix_sock(f);

	if (which == SOCK_NAME_OWN) {
		inet_addr_out(s, &s->in.name, a, len);
		return 0;
	}
	if (!s->in.has_peer || !s->in.peer.port)
		return -ENOTCONN; /* connected to port 0: nothing (Linux's inet_getname) */
	inet_addr_out(s, &s->in.peer, a, len);
	return 0;
}

void inet_drop_files(struct sock_msg *m)
{
	if (m->nfds)
		sock_msg_put_fds(m);
}

/* ---- socket() ------------------------------------------------------------------- */

int inet_create(int family, int type, int protocol, unsigned *flags, struct file **out)
{
	const struct sock_proto *proto;
	int t = type & SOCK_TYPE_MASK;

	*flags = (unsigned)type & SOCK_FLAGS;
	if (t == SOCK_STREAM && (protocol == IPPROTO_IP || protocol == IPPROTO_TCP))
		proto = &inet_tcp_proto, protocol = IPPROTO_TCP;
	else if (t == SOCK_DGRAM && (protocol == IPPROTO_IP || protocol == IPPROTO_UDP))
		proto = &inet_udp_proto, protocol = IPPROTO_UDP;
	else if (t == SOCK_DGRAM && protocol == IPPROTO_UDPLITE)
		proto = &inet_udp_proto; /* UDP-Lite: UDP whose checksum may cover less; all is local */
	else if (family == AF_INET && (t == SOCK_RAW || (t == SOCK_DGRAM && protocol == IPPROTO_ICMP)))
		proto = &inet_icmp_proto; /* raw and ping sockets (inet_icmp.c) */
	else if (family == AF_INET6 && (t == SOCK_RAW || t == SOCK_DGRAM) && protocol == IPPROTO_ICMPV6)
		proto = &inet_icmp6_proto; /* raw and ping sockets over IPv6 (inet_icmp6.c) */
	else if (t == SOCK_STREAM || t == SOCK_DGRAM || t == SOCK_RAW)
		return -EPROTONOSUPPORT;
	else
		return -ESOCKTNOSUPPORT;
	int err = proto == &inet_icmp_proto || proto == &inet_icmp6_proto ? inet_icmp_check(t, protocol) : 0;
	if (err)
		return err;
	struct unix_sock *s = unix_sock_alloc(t);
	if (!s)
		return -ENOMEM;
	s->family = family;
	s->protocol = protocol;
	s->in.name = inet_any(s);
	s->in.v6only = family == AF_INET6 && net_sysctl_bindv6only(); /* Linux's inet6_create */
	s->in.hops = IPV6_DEFAULT_HOPS;
	s->in.opt = (struct inet_opts){ .ttl = -1, .mc_ttl = IP_MC_TTL_DEFAULT, .mc_loop = true,
					.pmtudisc = IP_PMTUDISC_WANT, .pmtudisc6 = IP_PMTUDISC_WANT,
					/* tcp_congestion_control now (Linux's tcp_init_sock) */
					.cong = (uint8_t)net_sysctl_tcp_cong_default() };
	s->proto = proto;
	if (proto == &inet_tcp_proto)
		s->sndbuf = (int)net_sysctl_tcp_wmem_default(); /* Linux's tcp_init_sock: sk_sndbuf */
	if (proto == &inet_icmp_proto)
		inet_icmp_adopt(s);
	if (proto == &inet_icmp6_proto)
		inet_icmp6_adopt(s);
	inet_name_sync(s);
	if (!(*out = unix_file(s, *flags))) {
		unix_put(s);
		return -ENOMEM;
	}
	return 0;
}

/* ---- options -------------------------------------------------------------------- */

/* The AF_INET or AF_INET6 socket behind f, or NULL. */
static struct unix_sock *inet_sock_of(struct file *f)
{
	struct unix_sock *s = unix_is_socket(f) ? unix_sock(f) : NULL;

	return s && s->proto ? s : NULL;
}

/* TCP_DEFER_ACCEPT's seconds as the SYN-ACK retransmits Linux keeps
 * (secs_to_retrans: timeouts from 1 s doubling to 120 s, until they
 * cover the time), and back (retrans_to_secs). */
static uint8_t secs_to_retrans(int secs)
{
	int timeout = TCP_RTO_INIT_S, period = timeout, n = 1;

	if (secs <= 0)
		return 0;
	while (secs > period && n < (int)UINT8_MAX) {
		n++;
		timeout = timeout * 2 > TCP_RTO_MAX_S ? TCP_RTO_MAX_S : timeout * 2;
		period += timeout;
	}
	return (uint8_t)n;
}

static int retrans_to_secs(int n)
{
	int timeout = TCP_RTO_INIT_S, period = n > 0 ? timeout : 0;

	while (n-- > 1) {
		timeout = timeout * 2 > TCP_RTO_MAX_S ? TCP_RTO_MAX_S : timeout * 2;
		period += timeout;
	}
	return period;
}

/* IP_MTU and IPV6_MTU (Linux's dst_mtu of the socket's route): the path
 * MTU to the peer s is connected to, the path MTU cache's if it knows a
 * lower one than the device's. -ENOTCONN when s has no peer (or no
 * route to it any more). */
static int peer_mtu(const struct unix_sock *s, int *v)
{
	struct inet_name p = s->in.peer;
	if (!s->in.has_peer)
		return -ENOTCONN;
	if (p.kind == INET_V4) {
		struct ipv4_dst d;
		struct netdev *dev = inet_bound_dev(s);
		int err = ipv4_route_lookup(p.addr, dev, &d);
		netdev_put(dev);
		if (err)
			return -ENOTCONN;
		*v = (int)pmtu_ipv4(&d, p.addr, NULL);
		netdev_put(d.dev);
		return 0;
	}
	if (p.kind == INET_V6_LOOP) { /* ::1, as an address the route looks up */
		memset(p.a6, 0, sizeof(p.a6));
		p.a6[15] = 1;
		p.kind = INET_V6;
	}
	struct ipv6_dst r;
	struct in6 a;
	if (p.kind != INET_V6)
		return -ENOTCONN;
	int err = inet_v6_route(s, &p, &r);
	memcpy(a.b, p.a6, sizeof(a.b));
	if (!err)
		*v = (int)pmtu_ipv6(&r, &a);
	netdev_put(r.dev);
	return err ? -ENOTCONN : 0;
}

/* An IPPROTO_IP option's value, or -ENOPROTOOPT. */
static int ip_int_option(const struct unix_sock *s, int name, int *v)
{
	const struct inet_opts *o = &s->in.opt;
	switch (name) {
	case IP_TOS:             *v = o->tos; return 0;
	case IP_TTL:             *v = o->ttl < 0 ? net_sysctl_default_ttl() : o->ttl; return 0;
	case IP_MULTICAST_TTL:   *v = o->mc_ttl; return 0;
	case IP_MULTICAST_LOOP:  *v = o->mc_loop; return 0;
	case IP_PKTINFO:         *v = o->pktinfo; return 0;
	case IP_RECVTTL:         *v = o->recvttl; return 0;
	case IP_RECVTOS:         *v = o->recvtos; return 0;
	case IP_RECVORIGDSTADDR: *v = o->recvorigdst; return 0;
	case IP_RECVERR:         *v = o->recverr; return 0;
	case IP_MTU_DISCOVER:    *v = o->pmtudisc; return 0;
	case IP_MTU:             return peer_mtu(s, v);
	default:                 return -ENOPROTOOPT;
	}
}

/* An int option's value, or -ENOPROTOOPT. */
static int int_option(const struct unix_sock *s, int level, int name, int *v)
{
	if (level == IPPROTO_IPV6) {
		if (s->family != AF_INET6)
			return -EOPNOTSUPP; /* IPv4's ip_getsockopt: not its level (its set: ENOPROTOOPT) */
		switch (name) {
		case IPV6_V6ONLY:       *v = s->in.v6only; return 0;
		case IPV6_RECVHOPLIMIT: *v = s->in.recv_hoplimit; return 0;
		case IPV6_RECVPKTINFO:  *v = s->in.recv_pktinfo6; return 0;
		case IPV6_RECVTCLASS:   *v = s->in.recv_tclass; return 0;
		case IPV6_UNICAST_HOPS: *v = s->in.hops; return 0;
		case IPV6_TCLASS:       *v = s->in.tclass; return 0;
		case IPV6_MTU_DISCOVER: *v = s->in.opt.pmtudisc6; return 0;
		case IPV6_MTU:          return peer_mtu(s, v);
		default:                return -ENOPROTOOPT;
		}
	}
	if (level == IPPROTO_IP)
		return ip_int_option(s, name, v);
	if (level == IPPROTO_UDP) {
		if (name != UDP_CORK || s->type != SOCK_DGRAM ||
		    (s->protocol != IPPROTO_UDP && s->protocol != IPPROTO_UDPLITE))
			return -ENOPROTOOPT;
		*v = s->in.udp_cork;
		return 0;
	}
	if (s->type != SOCK_STREAM)
		return -ENOPROTOOPT;
	switch (name) {
	case TCP_NODELAY:   *v = s->in.nodelay; return 0;
	case TCP_MAXSEG:    *v = tcp_sock_maxseg(s);
		if (s->in.opt.user_mss && (*v < 0 || s->state == UNIX_LISTEN))
			*v = s->in.opt.user_mss; /* closed or listening: what was set, as Linux */
		else if (*v < 0)
			*v = s->in.has_peer ? TCP_MSS_LOOPBACK : TCP_MSS_DEFAULT;
		return 0;
	case TCP_KEEPIDLE:  *v = s->in.keepidle ? s->in.keepidle : TCP_KEEPIDLE_DEFAULT; return 0;
	case TCP_KEEPINTVL: *v = s->in.keepintvl ? s->in.keepintvl : TCP_KEEPINTVL_DEFAULT; return 0;
	case TCP_KEEPCNT:   *v = s->in.keepcnt ? s->in.keepcnt : TCP_KEEPCNT_DEFAULT; return 0;
	case TCP_CORK:      *v = s->in.cork; return 0;
	case TCP_QUICKACK:  *v = tcp_sock_quickack(s); return 0;
	case TCP_USER_TIMEOUT: *v = (int)s->in.opt.user_timeout; return 0;
	case TCP_NOTSENT_LOWAT: *v = (int)__atomic_load_n(&s->in.opt.notsent_lowat, __ATOMIC_RELAXED); return 0;
	case TCP_WINDOW_CLAMP: *v = s->in.opt.window_clamp; return 0;
	case TCP_INQ:       *v = s->in.opt.inq; return 0;
	case TCP_SYNCNT:    *v = s->in.opt.syncnt ? s->in.opt.syncnt : TCP_SYN_RETRIES; return 0;
	case TCP_DEFER_ACCEPT: *v = retrans_to_secs(s->in.opt.defer_accept); return 0;
	case TCP_LINGER2:   /* Linux's: -1 stays, 0 reads as tcp_fin_timeout */
		*v = s->in.opt.linger2 ? s->in.opt.linger2 : TCP_FIN_TIMEOUT; return 0;
	default:
		return -ENOPROTOOPT;
	}
}

/* getsockopt at a level the socket's protocols do not answer: an IPv4
 * socket's ends in ip_getsockopt (-EOPNOTSUPP), an IPv6 socket's in
 * ipv6_getsockopt (-ENOPROTOOPT), as Linux's. */
static int unknown_level(const struct unix_sock *s)
{
	return s->family == AF_INET ? -EOPNOTSUPP : -ENOPROTOOPT;
}

int inet_getsockopt(struct file *f, int level, int name, void *val, size_t *len)
{
	struct unix_sock *s = inet_sock_of(f);
	int v, err;

	if (!s)
		return -EOPNOTSUPP;
	if (s->proto->getsockopt)
		return s->proto->getsockopt(s, level, name, val, len);
	if (s->proto == &inet_icmp6_proto && (level == SOL_RAW || level == IPPROTO_ICMPV6 ||
					       (level == IPPROTO_IPV6 && name == IPV6_2292HOPLIMIT)))
		return inet_icmp6_getsockopt(s, level, name, val, len);
	if (level == SOL_RAW)
		return inet_icmp_getsockopt(s, level, name, val, len);
	if (level != IPPROTO_IP && level != IPPROTO_TCP && level != IPPROTO_IPV6 && level != IPPROTO_UDP)
		return unknown_level(s);
	bool tcp = s->type == SOCK_STREAM;
	if ((level == IPPROTO_TCP && !tcp) || (level == IPPROTO_UDP && tcp))
		return unknown_level(s); /* SOL_TCP on UDP, SOL_UDP on TCP */
	if (level == IPPROTO_TCP && name == TCP_INFO && s->type == SOCK_STREAM)
		return tcp_sock_info(s, val, len);
	if (level == IPPROTO_TCP && name == TCP_CC_INFO && s->type == SOCK_STREAM) {
		*len = 0; /* Linux 6.1's reno and cubic have no get_info: it copies 0 bytes */
		return 0;
	}
	if (level == IPPROTO_TCP && name == TCP_CONGESTION && s->type == SOCK_STREAM) {
		memset(val, 0, TCP_CA_NAME_MAX);
		strlcpy(val, tcp_cc_name(s->in.opt.cong), TCP_CA_NAME_MAX); /* copied: min(len, 16) */
		*len = TCP_CA_NAME_MAX;
		return 0;
	}
	if (level == IPPROTO_IPV6 && inet6_opt_known(name, false)) /* net/inet6_opts.c's */
		return s->family == AF_INET6 ? inet6_getsockopt(s, name, val, len) : -EOPNOTSUPP;
	if ((err = int_option(s, level, name, &v)))
		return err;
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

/* An IPPROTO_IPV6 option int_option knows: IPV6_V6ONLY only before the
 * socket has a port; hops and traffic class from -1 (the default) to 255.
 * 0 or -EINVAL. */
static int ip6_option(struct unix_sock *s, int name, int v)
{
	if (name == IPV6_MTU_DISCOVER) { /* how IPv6 sends (net/ipv6.c's out_mtu) */
		if (v < IP_PMTUDISC_DONT || v > IP_PMTUDISC_OMIT)
			return -EINVAL;
		s->in.opt.pmtudisc6 = (uint8_t)v;
	} else if (name == IPV6_V6ONLY) {
		if (s->in.name.port || s->state != UNIX_UNCONNECTED)
			return -EINVAL;
		s->in.v6only = v != 0;
	} else if (name == IPV6_RECVHOPLIMIT || name == IPV6_RECVTCLASS) {
		*(name == IPV6_RECVHOPLIMIT ? &s->in.recv_hoplimit : &s->in.recv_tclass) = v != 0;
	} else if (name == IPV6_RECVPKTINFO) {
		s->in.recv_pktinfo6 = v != 0;
	} else if (v < -1 || v > 0xff) {
		return -EINVAL;
	} else if (name == IPV6_UNICAST_HOPS) {
		s->in.hops = (int16_t)(v < 0 ? IPV6_DEFAULT_HOPS : v);
	} else if (name == IPV6_TCLASS) {
		s->in.tclass = (int16_t)(v < 0 ? 0 : v);
	}
	return 0;
}

/* An IPPROTO_TCP option int_option knows, with Linux's ranges (the
 * keepalive times and count: EINVAL outside them): kept and read back.
 * TCP_USER_TIMEOUT and TCP_WINDOW_CLAMP are kept and read back; the
 * engine does not act on them yet. */
static int tcp_option(struct unix_sock *s, int name, int v)
{
	switch (name) {
	case TCP_QUICKACK: /* the connection acts on it (tcp_sock.c's sockopt_changed) */
		s->in.opt.pingpong = !v;
		s->in.opt.quickack_set = true;
		return 0;
	case TCP_USER_TIMEOUT:
		if (v < 0)
			return -EINVAL;
		s->in.opt.user_timeout = (unsigned)v;
		return 0;
	case TCP_NOTSENT_LOWAT: /* any int, kept as Linux's u32; the socket wakes (tcp_sock.c) */
		__atomic_store_n(&s->in.opt.notsent_lowat, (uint32_t)v, __ATOMIC_RELAXED);
		return 0;
	case TCP_LINGER2:
		s->in.opt.linger2 = v < 0 ? -1 : v > TCP_FIN_TIMEOUT_MAX ? TCP_FIN_TIMEOUT_MAX : v;
		return 0;
	case TCP_WINDOW_CLAMP:
		if (!v && (s->state != UNIX_UNCONNECTED || s->in.tcp))
			return -EINVAL; /* only a closed socket may drop its clamp */
		s->in.opt.window_clamp = v && v < SOCK_MIN_RCVBUF_HALF ? SOCK_MIN_RCVBUF_HALF : v;
		return 0;
	case TCP_INQ:
		s->in.opt.inq = v != 0;
		return 0;
	case TCP_MAXSEG: /* 0 (none), or within Linux's range */
		if (v && (v < TCP_MIN_MSS || v > MAX_TCP_WINDOW))
			return -EINVAL;
		s->in.opt.user_mss = (uint16_t)v;
		return 0;
	case TCP_SYNCNT:
		if (v < 1 || v > MAX_TCP_SYNCNT)
			return -EINVAL;
		s->in.opt.syncnt = (uint8_t)v;
		return 0;
	case TCP_DEFER_ACCEPT:
		s->in.opt.defer_accept = secs_to_retrans(v);
		return 0;
	case TCP_NODELAY: /* set on: also a push past the cork (tcp_sock.c's sockopt_changed) */
		s->in.nodelay = v != 0;
		s->in.opt.nodelay_push = v != 0;
		return 0;
	case TCP_CORK:
		s->in.cork = v != 0;
		return 0;
	case TCP_KEEPIDLE:
		if (v < 1 || v > MAX_TCP_KEEPIDLE)
			return -EINVAL;
		s->in.keepidle = (uint16_t)v;
		return 0;
	case TCP_KEEPINTVL:
		if (v < 1 || v > MAX_TCP_KEEPINTVL)
			return -EINVAL;
		s->in.keepintvl = (uint16_t)v;
		return 0;
	case TCP_KEEPCNT:
		if (v < 1 || v > MAX_TCP_KEEPCNT)
			return -EINVAL;
		s->in.keepcnt = (uint8_t)v;
		return 0;
	default:
		return 0;
	}
}

/*
 * An IPPROTO_IP option, as Linux's do_ip_setsockopt: the value an int,
 * or one byte when optlen is 1 to 3 (0 when empty); kept and read back.
 * 0 or -EINVAL (out of Linux's range; IP_MULTICAST_TTL on TCP).
 */
static int ip_option(struct unix_sock *s, int name, const void *val, size_t len)
{
	struct inet_opts *o = &s->in.opt;
	int v = 0;

	if (len >= sizeof(v))
		memcpy(&v, val, sizeof(v));
	else if (len >= 1)
		v = *(const uint8_t *)val;
	switch (name) {
	case IP_TOS: /* TCP keeps the ECN bits it has (__ip_sock_set_tos) */
		if (s->type == SOCK_STREAM)
			v = (v & ~IP_ECN_MASK) | (o->tos & IP_ECN_MASK);
		o->tos = (uint8_t)v;
		return 0;
	case IP_TTL:
		if (len < 1 || (v != -1 && (v < 1 || v > IP_TTL_MAX)))
			return -EINVAL;
		o->ttl = (int16_t)v;
		return 0;
	case IP_MULTICAST_TTL:
		if (s->type == SOCK_STREAM || len < 1)
			return -EINVAL;
		v = v == -1 ? IP_MC_TTL_DEFAULT : v;
		if (v < 0 || v > IP_TTL_MAX)
			return -EINVAL;
		o->mc_ttl = (uint8_t)v;
		return 0;
	case IP_MULTICAST_LOOP:
		if (len < 1)
			return -EINVAL;
		o->mc_loop = v != 0;
		return 0;
	case IP_PKTINFO:         o->pktinfo = v != 0; return 0;
	case IP_RECVTTL:         o->recvttl = v != 0; return 0;
	case IP_RECVTOS:         o->recvtos = v != 0; return 0;
	case IP_RECVORIGDSTADDR: o->recvorigdst = v != 0; return 0;
	case IP_RECVERR:
		o->recverr = v != 0;
		if (!o->recverr)
			inet_err_purge(s); /* Linux's skb_queue_purge of the error queue */
		return 0;
	case IP_MTU_DISCOVER: /* how IPv4 sends (net/ipv4.c's plan_output) */
		if (v < IP_PMTUDISC_DONT || v > IP_PMTUDISC_OMIT)
			return -EINVAL;
		o->pmtudisc = (uint8_t)v;
		return 0;
	default:                 return -ENOPROTOOPT;
	}
}

/*
 * TCP_CONGESTION set, as Linux's do_tcp_setsockopt and
 * tcp_set_congestion_control: no bytes -EINVAL; the name is the first
 * TCP_CA_NAME_MAX - 1 bytes of val up to a NUL; the algorithm now in
 * use is always accepted; else an unknown name -ENOENT, one not in
 * tcp_allowed_congestion_control -EPERM without CAP_NET_ADMIN. The
 * connection, if any, switches (sockopt_changed).
 */
static int cong_set(struct unix_sock *s, const void *val, size_t len)
{
	char name[TCP_CA_NAME_MAX] = { 0 };
	int id;

	if (len < 1)
		return -EINVAL;
	memcpy(name, val, len < sizeof(name) - 1 ? len : sizeof(name) - 1);
	id = tcp_cc_find(name, strlen(name));
	if (id == s->in.opt.cong)
		return 0;
	if (id < 0)
		return -ENOENT;
	if (!net_sysctl_tcp_cong_allowed((unsigned)id) && !capable(CAP_NET_ADMIN))
		return -EPERM;
	s->in.opt.cong = (uint8_t)id;
	if (s->proto->sockopt_changed)
		s->proto->sockopt_changed(s);
	return 0;
}

/* Every option int_option knows is accepted (IP's by ip_option, the
 * TCP ones by tcp_option, IPv6's by ip6_option) and read back; the TCP
 * ones reach a connection over IPv4 through its socket's sockopt_changed. */
int inet_setsockopt(struct file *f, int level, int name, const void *val, size_t len)
{
	struct unix_sock *s = inet_sock_of(f);
	int v;

	if (!s)
		return -EOPNOTSUPP;
	if (s->proto->setsockopt)
		return s->proto->setsockopt(s, level, name, val, len);
	if (s->proto == &inet_icmp6_proto && (level == SOL_RAW || level == IPPROTO_ICMPV6 ||
					       (level == IPPROTO_IPV6 && name == IPV6_2292HOPLIMIT)))
		return inet_icmp6_setsockopt(s, level, name, val, len);
	if (level == SOL_RAW)
		return inet_icmp_setsockopt(s, level, name, val, len);
	if (level != IPPROTO_IP && level != IPPROTO_TCP && level != IPPROTO_IPV6 && level != IPPROTO_UDP)
		return -ENOPROTOOPT;
	if (level == IPPROTO_TCP && name == TCP_CONGESTION && s->type == SOCK_STREAM)
		return cong_set(s, val, len);
	if (level == IPPROTO_IPV6 && inet6_opt_known(name, true)) /* net/inet6_opts.c's */
		return s->family == AF_INET6 ? inet6_setsockopt(s, name, val, len) : -ENOPROTOOPT;
	if (int_option(s, level, name, &v))
		return -ENOPROTOOPT;
	if (level == IPPROTO_IP)
		return ip_option(s, name, val, len);
	if (len < sizeof(v))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	if (level == IPPROTO_IPV6)
		return ip6_option(s, name, v);
	if (level == IPPROTO_UDP) { /* UDP_CORK: clearing it sends what it held */
		s->in.udp_cork = v != 0;
		return v ? 0 : inet_udp_uncork(s);
	}
	if (level != IPPROTO_TCP)
		return 0;
	int err = tcp_option(s, name, v);
	if (!err && s->proto->sockopt_changed)
		s->proto->sockopt_changed(s);
	return err;
}
