// SPDX-License-Identifier: MIT
/*
 * Kestrel: the IPv4 sockets that see IP itself, over the stack:
 *
 *   SOCK_RAW, protocol P (1..254; CAP_NET_RAW, else EPERM): a send is
 *     P's message, to which the kernel puts an IPv4 header; a receive is
 *     a copy of every packet of protocol P this host receives (the
 *     whole IPv4 packet, header first), as Linux's raw_v4_input does
 *     before the protocol itself sees it. ICMP_FILTER masks ICMP types.
 *     Protocol IPPROTO_RAW (255) is taken too, as on Linux: busybox's
 *     udhcpc and udhcpd open one only for the interface ioctls. Its
 *     sends (on Linux: the caller's own IPv4 header, IP_HDRINCL) are not
 *     implemented yet and say EOPNOTSUPP rather than put a second header
 *     in front of the caller's.
 *   SOCK_DGRAM, IPPROTO_ICMP, the "ping" socket: a send is an ICMP echo
 *     request (type 8, code 0), whose identifier the kernel sets to the
 *     socket's (its port: bind's, or a free one at the first send) and
 *     whose checksum it computes; a receive is an echo reply with that
 *     identifier, ICMP header first. Only for a caller whose group is in
 *     net.ipv4.ping_group_range: Linux's default "1 0" lets nobody in,
 *     but every systemd-based distribution (Debian's included) sets
 *     "0 2147483647", and so does Kestrel.
 *
 * Both are AF_UNIX's socket chassis with a struct sock_proto, as TCP and
 * UDP (net/inet.c); their receive queue holds each packet with its
 * sender's name after it. Lock rule: as the sockets' (the kernel lock,
 * for now); icmp_socks is changed at create and release only, with
 * release stores, so that lo's input without the kernel lock may ask
 * whether it is empty (raw_idle) and never walk it.
 */
#include "net/inet_sock.h"
#include "net/sock_filter.h"
#include "net/inet_icmp.h"
#include "net/icmp.h"
#include "net/net_sysctl.h"
#include "net/ipv4.h"
#include "net/wire.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "proc/cred.h"
#include "proc/process.h"
#include "uapi/capability.h"

#define PING_IDENT_LOW  1
#define PING_IDENT_HIGH 65535
#define ICMP_FILTER     1          /* SOL_RAW's option: a mask of ICMP types to drop */
#define RAW_MAX_PAYLOAD 65515      /* 65535 less the IPv4 header */

/* What rides after a queued packet: where it came from. */
struct icmp_meta {
	struct inet_name src;
	uint8_t ttl, tos;
};

/* The raw and ping sockets, linked through in.next (they hold no port
 * on net/inet.c's list). */
static struct unix_sock *icmp_socks;

static bool is_ping(const struct unix_sock *s)
{
	return s->type == SOCK_DGRAM;
}

/* ---- receiving (the network thread) ---------------------------------------------- */

/* Queue len bytes at p (within nb) on s, from ip's source, as much as
 * s's filter keeps of them (dropped when s is full). */
static void queue_copy(struct unix_sock *s, const struct netbuf *nb, const uint8_t *p, size_t len,
		       const struct ipv4_info *ip)
{
	struct icmp_meta meta = { { .addr = ip->src, .port = 0, .kind = INET_V4 }, ip->ttl, ip->tos };
	const uint8_t *net = nb->head + nb->network_off;
	uint32_t keep = sock_filter_run(s, nb, p, (uint32_t)len, net, sock_filter_mac(nb, net));
	if (keep)
		unix_queue_wire(s, p, keep, &meta, sizeof(meta));
}

/* Does s take a packet to dst (its bound address, its connected peer)? */
static bool addressed(const struct unix_sock *s, const struct ipv4_info *ip)
{
	if (s->in.name.addr != INADDR_ANY && s->in.name.addr != ip->dst)
		return false;
	return !s->in.has_peer || s->in.peer.addr == ip->src;
}

/* ICMP_FILTER: bit t set drops ICMP type t (raw ICMP sockets only). */
static bool filtered(const struct unix_sock *s, const struct ipv4_info *ip, const uint8_t *payload,
		     size_t len)
{
	if (ip->proto != IPPROTO_ICMP || !len || payload[0] >= 32)
		return false;
	return (s->in.icmp_filter >> payload[0]) & 1;
}

/* ipv4_raw_hook: a copy of the whole packet (nb->data at its IP header)
 * for every raw socket of its protocol. */
static void raw_input(const struct netbuf *nb, const struct ipv4_info *ip)
{
	for (struct unix_sock *s = icmp_socks; s; s = s->in.next)
		if (!is_ping(s) && !s->dead && s->protocol == ip->proto && addressed(s, ip) &&
		    !filtered(s, ip, nb->data + ip->hdr_len, ip->total_len - ip->hdr_len))
			queue_copy(s, nb, nb->data, ip->total_len, ip);
}

/* icmp_ping_hook: an echo reply (data at its ICMP header) for the ping
 * socket whose identifier it carries. True when one took it. */
static bool ping_input(const struct netbuf *nb, const struct ipv4_info *ip, const struct icmp_info *ic)
{
	for (struct unix_sock *s = icmp_socks; s; s = s->in.next)
		if (is_ping(s) && !s->dead && s->in.name.port == ic->id && addressed(s, ip)) {
			queue_copy(s, nb, nb->data, nb->len, ip);
			return true;
		}
	return false;
}

/* ---- sending --------------------------------------------------------------------- */

static bool ident_free(uint16_t id)
{
	for (struct unix_sock *s = icmp_socks; s; s = s->in.next)
		if (is_ping(s) && s->in.name.port == id)
			return false;
	return true;
}

/* A free identifier for a ping socket: 0 or -EADDRINUSE. */
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

/* The destination of a send: sendto's address or the connected peer. */
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
	if (d->kind != INET_V4)
		return -EAFNOSUPPORT;
	if (d->addr == INADDR_ANY)
		d->addr = INADDR_LOOPBACK;
	return 0;
}

/* A ping socket's message must be an echo request with room for the
 * header: the kernel fills the identifier and the checksum. */
static int ping_fix(struct unix_sock *s, uint8_t *p, size_t len)
{
	if (len < ICMP_HDR_LEN || p[0] != ICMP_ECHO || p[1] != 0)
		return -EINVAL;
	if (!s->in.name.port) {
		int err = ping_autobind(s);
		if (err)
			return err;
	}
	uint32_t rest = (uint32_t)s->in.name.port << 16 | get_be16(p + 6);
	icmp_build(p, ICMP_ECHO, 0, rest, len - ICMP_HDR_LEN);
	return 0;
}

static long icmp_sock_send(struct file *f, struct sock_msg *m, int flags)
{
	struct unix_sock *s = unix_sock(f);
	struct inet_name d;
	size_t len = unix_iov_total(m);
	long err;

	inet_drop_files(m);
	if ((err = dest_of(s, m, &d)))
		return err;
	if ((flags & MSG_OOB) || s->protocol == IPPROTO_RAW)
		return -EOPNOTSUPP; /* IPPROTO_RAW: see the top */
	if (len > RAW_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (ipv4_is_broadcast(d.addr) && !((s->sockopt_bits >> SO_BROADCAST) & 1))
		return -EACCES;
	struct netbuf *nb = netbuf_alloc(NETBUF_HEADROOM, len);
	if (!nb)
		return -ENOMEM;
	uint8_t *p = netbuf_put(nb, len);
	if (unix_iov_copy_in(m, (char *)p, len) || (is_ping(s) && (err = ping_fix(s, p, len)))) {
		netbuf_free(nb);
		return err ? err : -EFAULT;
	}
	if (s->protocol == IPPROTO_ICMP && len) { /* Linux's icmp_out_count for raw and ping sends */
		__atomic_add_fetch(&icmp_mib.out_msgs, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&icmp_mib.out_type[p[0]], 1, __ATOMIC_RELAXED);
	}
	/* DF, fragments and EMSGSIZE as IP_MTU_DISCOVER says (Linux's raw and
	 * ping sendmsg go through ip_append_data as UDP's) */
	struct ipv4_send out = { .src = s->in.name.addr, .dst = d.addr, .proto = (uint8_t)s->protocol,
				 .ttl = s->in.hops > 0 && s->in.hops != IPV6_DEFAULT_HOPS ? (uint8_t)s->in.hops : 0,
				 .pmtudisc = s->in.opt.pmtudisc };
	err = ipv4_output(nb, &out);
	return err ? err : (long)len;
}

static long icmp_sock_recv(struct file *f, struct sock_msg *m, int flags)
{
	struct unix_sock *s = unix_sock(f);
	struct icmp_meta meta;
	bool got;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (flags & MSG_ERRQUEUE)
		return inet_recv_error(s, m); /* none queued yet: ping's errors come in SO_ERROR */
	long r = unix_dgram_recv_meta(f, s, m, flags, &meta, sizeof(meta), &got);
	if (got)
		inet_addr_out(s, &meta.src, &m->addr, &m->addrlen);
	return r;
}

/* ---- the other operations ------------------------------------------------------- */

/* bind: an address of this host (0.0.0.0 for any); a ping socket's port is its identifier. */
static int icmp_sock_bind(struct file *f, const struct sockaddr_un *a, size_t len)
{
	struct unix_sock *s = unix_sock(f);
	struct inet_name n;
	int err = inet_addr_in(s, a, len, true, &n);
	if (err)
		return err;
	if (n.kind != INET_V4)
		return -EAFNOSUPPORT;
	if (n.addr != INADDR_ANY && !inet_loopback(n.addr) && !ipv4_is_local(n.addr))
		return -EADDRNOTAVAIL;
	if (is_ping(s) && n.port && !ident_free(n.port))
		return -EADDRINUSE;
	s->in.name.addr = n.addr;
	if (is_ping(s)) {
		s->in.name.port = n.port;
		if (!n.port && (err = ping_autobind(s)))
			return err;
	}
	inet_name_sync(s);
	return 0;
}

static int icmp_sock_connect(struct file *f, const struct sockaddr_un *a, size_t len)
{
	struct unix_sock *s = unix_sock(f);
	struct inet_name d;
	if (len >= sizeof(uint16_t) && a->sun_family == AF_UNSPEC) {
		s->in.has_peer = false;
		return 0;
	}
	int err = inet_addr_in(s, a, len, false, &d);
	if (err)
		return err;
	if (d.kind != INET_V4)
		return -EAFNOSUPPORT;
	s->in.peer = d;
	s->in.peer.port = 0;
	s->in.has_peer = true;
	if (is_ping(s) && !s->in.name.port)
		return ping_autobind(s);
	return 0;
}

static int icmp_sock_listen(struct file *f, int backlog)
{
	(void)f;
	(void)backlog;
	return -EOPNOTSUPP;
}

static int icmp_sock_shutdown(struct file *f, int how)
{
	struct unix_sock *s = unix_sock(f);
	int err = unix_shutdown_sock(s, how);
	return err ? err : s->in.has_peer ? 0 : -ENOTCONN;
}

static void icmp_sock_release(struct unix_sock *s)
{
	for (struct unix_sock **pp = &icmp_socks; *pp; pp = &(*pp)->in.next)
		if (*pp == s) {
			__atomic_store_n(pp, s->in.next, __ATOMIC_RELEASE);
			break;
		}
	s->in.next = NULL;
}

const struct sock_proto inet_icmp_proto = {
	.bind = icmp_sock_bind,
	.connect = icmp_sock_connect,
	.listen = icmp_sock_listen,
	.getname = inet_getname,
	.sendmsg = icmp_sock_send,
	.recvmsg = icmp_sock_recv,
	.shutdown = icmp_sock_shutdown,
	.release = icmp_sock_release,
};

/* Linux's ping_init_sock: the caller's effective group, or one of its
 * supplementary groups, is in ping_group_range. */
static bool ping_allowed(void)
{
	const struct cred *c = current_cred();

	if (net_sysctl_ping_group(c->egid))
		return true;
	for (uint32_t i = 0; c->groups && i < c->groups->count; i++)
		if (net_sysctl_ping_group(c->groups->gid[i]))
			return true;
	return false;
}

void inet_icmp_for_each(void (*fn)(const struct unix_sock *s, void *ctx), void *ctx)
{
	for (struct unix_sock *s = icmp_socks; s; s = s->in.next)
		if (!s->dead)
			fn(s, ctx);
}

int inet_icmp_check(int type, int protocol)
{
	if (type == SOCK_RAW)
		return protocol <= 0 || protocol > IPPROTO_RAW ? -EPROTONOSUPPORT :
		       capable(CAP_NET_RAW) ? 0 : -EPERM;
	return ping_allowed() ? 0 : -EACCES;
}

void inet_icmp_adopt(struct unix_sock *s)
{
	s->in.next = icmp_socks;
	__atomic_store_n(&icmp_socks, s, __ATOMIC_RELEASE);
}

int inet_icmp_setsockopt(struct unix_sock *s, int level, int name, const void *val, size_t len)
{
	if (level != SOL_RAW || name != ICMP_FILTER || s->type != SOCK_RAW || s->protocol != IPPROTO_ICMP)
		return -ENOPROTOOPT;
	if (len < sizeof(uint32_t))
		return -EINVAL;
	memcpy(&s->in.icmp_filter, val, sizeof(uint32_t));
	return 0;
}

int inet_icmp_getsockopt(struct unix_sock *s, int level, int name, void *val, size_t *len)
{
	if (level != SOL_RAW || name != ICMP_FILTER || s->type != SOCK_RAW || s->protocol != IPPROTO_ICMP)
		return -ENOPROTOOPT;
	size_t n = *len < sizeof(uint32_t) ? *len : sizeof(uint32_t);
	memcpy(val, &s->in.icmp_filter, n);
	*len = n;
	return 0;
}

/* ipv4_raw_idle: no raw or ping socket, so raw_input would copy the
 * packet to none. Without the kernel lock: a socket made while a packet
 * is on its way may or may not see it, as on Linux. */
static bool raw_idle(void)
{
	return !__atomic_load_n(&icmp_socks, __ATOMIC_ACQUIRE);
}

void inet_icmp_init(void)
{
	ipv4_raw_idle = raw_idle;
	ipv4_raw_hook = raw_input;
	icmp_ping_hook = ping_input;
}
