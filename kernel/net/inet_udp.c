// SPDX-License-Identifier: MIT
/*
 * Kestrel: UDP (see net/inet.c). To an IPv4 address, this host's own
 * through lo, a datagram goes through the IPv4 stack (udp_wire_send
 * below); to an IPv6 address, ::1 included (lo carries it), through the
 * IPv6 stack (udp6_wire_send). UDP-Lite to ::1, which neither stack
 * carries, goes
 * straight onto the queue of the socket its address reaches, with its
 * boundaries (AF_UNIX's datagram receive reads it); as on Linux, one
 * nobody is bound to, or that finds the receiver's SO_RCVBUF full, is
 * dropped and the send still succeeds. A connected sender whose peer's
 * port nobody holds gets ECONNREFUSED from its next call, as Linux's
 * ICMP port-unreachable gives it (a resolver's query to 127.0.0.1:53
 * fails at once, not after its timeout). A datagram is charged to no
 * sender (on the loopback it leaves the sender at once): the sender is
 * always writable, and never waits.
 *
 * Through the IPv4 stack, udp_wire_input queues what comes in (from
 * lo in the sender's own call, net/loopback.h; from a wire in the
 * network thread) on the socket its port and address reach, with the
 * sender's name; port unreachable comes back as ICMP, as on Linux. A
 * socket bound to a device (SO_BINDTODEVICE: DHCP clients renewing a
 * lease) sends through that device only, by the routes it has
 * (255.255.255.255 too), and takes only what came in on it.
 *
 * Corking (MSG_MORE, UDP_CORK), through the IPv4 and IPv6 stacks: what is sent
 * while either holds gathers into one datagram (struct udp_pending),
 * sent by the first send without either or by clearing UDP_CORK; its
 * destination, source, TTL and TOS (IPv6: hop limit and traffic
 * class) are the first send's (Linux ignores
 * a later send's address while one is pending). A datagram that would
 * pass UDP_PAYLOAD_MAX, or a fault copying in, drops what was pending
 * (-EMSGSIZE, -EFAULT), as Linux's udp_flush_pending_frames. On the
 * direct path to ::1 every send is its own datagram.
 *
 * Through the IPv6 stack (udp6_wire_send, udp6_input): a datagram per
 * send unless corked, the name a receive reports with its link
 * (sin6_scope_id) when link-local; ::1 keeps its socket name
 * (INET_V6_LOOP), only its transport is lo's packets.
 */
#include "net/inet_sock.h"
#include "net/icmp.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/icmp6.h"
#include "net/netdev.h"
#include "net/pmtu.h"
#include "net/sock_filter.h"
#include "net/udp.h"

#include "fs/vfs.h"
#include "lib/byteorder.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "time/time.h"

#define UDP_LEN_MAX    0xffff  /* a send longer is -EMSGSIZE before anything else (Linux's udp_sendmsg) */
#define UDP_CORK_FIRST 2048    /* a pending datagram's first buffer; it doubles as it grows */

/* Does s send to d through the IPv4 stack (inet_via_ipv4)? UDP-Lite,
 * which the stack does not carry, stays on this host's direct path. */
static bool udp_via_ipv4(const struct unix_sock *s, struct inet_name *d)
{
	return s->protocol != IPPROTO_UDPLITE && inet_via_ipv4(s, d);
}

/* The address a connect or a send names: the socket's family's, or on an
 * IPv6 socket an AF_INET one too, taken as its v4-mapped address (Linux's
 * ip6_datagram_connect and udpv6_sendmsg hand it to IPv4; glibc's
 * getaddrinfo counts on it). With IPV6_V6ONLY that is -EAFNOSUPPORT for a
 * connect, -ENETUNREACH for a send, as Linux's. 0, -EINVAL,
 * -EAFNOSUPPORT, -ENETUNREACH. */
static int udp_addr(const struct unix_sock *s, const struct sockaddr_un *a, size_t len, bool send,
		    struct inet_name *d)
{
	if (s->family != AF_INET6 || len < sizeof(uint16_t) || a->sun_family != AF_INET)
		return inet_addr_in(s, a, len, false, d);
	int err = inet_addr_in4(a, len, d);
	if (!err && s->in.v6only)
		err = send ? -ENETUNREACH : -EAFNOSUPPORT;
	return err;
}

/* Where a send goes: sendto's address, or the connected peer. 0, -EINVAL
 * (port 0, a short address), -EAFNOSUPPORT, -EDESTADDRREQ, -ENETUNREACH. */
static int udp_dest(const struct unix_sock *s, const struct sock_msg *m, struct inet_name *d)
{
	int err;

	if (m->addrlen) {
		if ((err = udp_addr(s, &m->addr, m->addrlen, true, d)))
			return err;
		if (!d->port)
			return -EINVAL;
	} else if (s->in.has_peer) {
		*d = s->in.peer;
	} else {
		return -EDESTADDRREQ;
	}
	if (udp_via_ipv4(s, d))
		return 0; /* the IPv4 route decides at the send */
	return inet_route(s, d);
}

/* What rides after a datagram's bytes, for the receive's name and
 * control messages: where it came from; its hop limit and traffic class
 * (IPv4's TTL and TOS); where it went (IPv4: the header's destination
 * and the device it came in on); when it came (CLOCK_REALTIME). */
struct udp_meta {
	struct inet_name src;
	int hoplimit, tclass;
	struct inet_name dst;
	int ifindex;
	uint64_t stamp_ns;
};

/* A send's meta on this host's direct path (::1, on lo): the control
 * messages' values, else the socket's. */
static struct udp_meta udp_meta(const struct unix_sock *s, const struct sock_msg *m,
				const struct inet_name *src, const struct inet_name *d)
{
	const struct netdev *lo = netdev_loopback();
	struct udp_meta u = { .src = *src, .hoplimit = s->in.hops, .tclass = s->in.tclass, .dst = *d,
			      .ifindex = lo ? lo->ifindex : 0, .stamp_ns = time_realtime_ns() };

	if ((m->has_ip6 & IP6_HAS_HOPLIMIT) && m->ip6_hoplimit >= 0)
		u.hoplimit = m->ip6_hoplimit;
	if ((m->has_ip6 & IP6_HAS_TCLASS) && m->ip6_tclass >= 0)
		u.tclass = m->ip6_tclass;
	return u;
}

/* Queue one datagram of m from s (with meta u) on to, unless to's
 * buffer is full or it shut down reading (dropped, as on Linux). The
 * meta rides after the bytes, for the receive. 0, -ENOMEM, -EFAULT. */
static int udp_deliver(struct unix_sock *to, struct unix_sock *s, struct sock_msg *m, size_t len,
		       const struct udp_meta *src)
{
	if ((to->shutdown & RCV_SHUTDOWN) || unix_rq_bytes(to) >= (size_t)to->rcvbuf)
		return 0; /* full once past SO_RCVBUF: an empty queue takes any one (Linux's) */
	struct unix_skb *skb = unix_skb_alloc(len + sizeof(*src));
	if (!skb)
		return -ENOMEM;
	if (unix_iov_copy_in(m, skb->data, len)) {
		kfree(skb);
		return -EFAULT;
	}
	memcpy(skb->data + len, src, sizeof(*src));
	skb->len = len;
	skb->truesize = 0; /* charged to no sender */
	unix_skb_queue(to, s, skb, m);
	return 0;
}

/* ---- to and from other hosts: the IPv4 stack -------------------------------------- */

/* Is there a route to d (through s's device, if it is bound to one)?
 * 0, -ENETUNREACH, or -ENODEV (s's device is gone). */
static int udp_wire_route(const struct unix_sock *s, const struct inet_name *d)
{
	struct ipv4_dst route;
	struct netdev *dev = inet_bound_dev(s);
	if (s->bound_dev_if && !dev)
		return -ENODEV; /* inet_bound_gone */
	int err = ipv4_route_lookup(d->addr, dev, &route);
	if (!err)
		netdev_put(route.dev);
	netdev_put(dev);
	return err;
}

/* Where a datagram goes and how: its ports and addresses (dst INET_V4:
 * through the IPv4 stack, else the IPv6 one), the IPv4 header's source,
 * TTL and TOS, or the IPv6 header's hop limit and traffic class. */
struct udp_out {
	struct inet_name src, dst;
	uint32_t from;              /* the IPv4 source: src's, or IP_PKTINFO's */
	uint8_t ttl, tos;           /* TTL 0: the default */
	int hops6;                  /* IPv6's hop limit (-1: the route's) */
	uint8_t tclass6;            /* IPv6's traffic class */
};

/* The datagram m starts, from src to d: m's IP_TTL, IP_TOS and
 * IP_PKTINFO source if it has them, else the socket's. A broadcast needs
 * SO_BROADCAST. 0, -EACCES, -EINVAL (a source not this host's). */
static int udp_out_of(const struct unix_sock *s, const struct sock_msg *m, const struct inet_name *src,
		      const struct inet_name *d, struct udp_out *o)
{
	if (ipv4_is_broadcast(d->addr) && !((s->sockopt_bits >> SO_BROADCAST) & 1))
		return -EACCES;
	o->src = *src;
	o->dst = *d;
	o->from = src->addr;
	if ((m->has_ip4 & IP4_HAS_PKTINFO) && m->ip4_src) { /* IP_PKTINFO's source: one of ours */
		if (!ipv4_is_local(m->ip4_src))
			return -EINVAL;
		o->from = m->ip4_src;
	}
	o->ttl = (uint8_t)((m->has_ip4 & IP4_HAS_TTL) ? m->ip4_ttl : s->in.opt.ttl > 0 ? s->in.opt.ttl : 0);
	o->tos = (uint8_t)((m->has_ip4 & IP4_HAS_TOS) ? m->ip4_tos : s->in.opt.tos);
	return 0;
}

/* One UDP datagram of len bytes as o says (fragmented by IPv4 when
 * longer than the MTU): its payload from kbuf, or from m's iovecs when
 * kbuf is NULL. len, or -ENOMEM, -EFAULT, -ENETUNREACH... */
static long udp_wire_xmit(struct unix_sock *s, const struct udp_out *o, const void *kbuf, struct sock_msg *m,
			  size_t len)
{
	struct netbuf *nb = netbuf_alloc(NETBUF_HEADROOM, UDP_HDR_LEN + len);
	if (!nb)
		return -ENOMEM;
	uint8_t *p = netbuf_put(nb, UDP_HDR_LEN + len);
	if (kbuf)
		memcpy(p + UDP_HDR_LEN, kbuf, len);
	else if (unix_iov_copy_in(m, (char *)p + UDP_HDR_LEN, len)) {
		netbuf_free(nb);
		return -EFAULT;
	}
	udp_build(p, o->from, o->dst.addr, o->src.port, o->dst.port, (uint16_t)(UDP_HDR_LEN + len));
	struct ipv4_send out = { .src = o->from, .dst = o->dst.addr, .proto = IPPROTO_UDP, .ttl = o->ttl,
				 .tos = o->tos, .pmtudisc = s->in.opt.pmtudisc, .dev = inet_bound_dev(s) };
	int err = s->bound_dev_if && !out.dev ? -ENODEV : 0; /* inet_bound_gone */
	if (err)
		netbuf_free(nb);
	else
		err = ipv4_output(nb, &out);
	netdev_put(out.dev);
	if (err)
		return err;
	__atomic_add_fetch(&udp_mib.out_datagrams, 1, __ATOMIC_RELAXED);
	return (long)len;
}

/* ---- to and from other hosts: the IPv6 stack ---------------------------------------- */

/* n's IPv6 address: ::1 for the loopback's name, :: for the wildcard. */
static struct in6 v6_addr(const struct inet_name *n)
{
	struct in6 a = { 0 };
	if (n->kind == INET_V6)
		memcpy(a.b, n->a6, sizeof(a.b));
	else if (n->kind == INET_V6_LOOP)
		a.b[15] = 1;
	return a;
}

/* The datagram m starts, from src to d (IPv6): hop limit and class from
 * m's IPV6_HOPLIMIT and IPV6_TCLASS, else the socket's. */
static void udp6_out_of(const struct unix_sock *s, const struct sock_msg *m, const struct inet_name *src,
			const struct inet_name *d, struct udp_out *o)
{
	*o = (struct udp_out){ .src = *src, .dst = *d };
	o->hops6 = (m->has_ip6 & IP6_HAS_HOPLIMIT) && m->ip6_hoplimit >= 0 ? m->ip6_hoplimit
		   : s->in.hops > 0 ? s->in.hops : -1;
	o->tclass6 = (uint8_t)((m->has_ip6 & IP6_HAS_TCLASS) && m->ip6_tclass >= 0 ? m->ip6_tclass
			       : s->in.tclass > 0 ? s->in.tclass : 0);
}

static long udp6_send_routed(struct unix_sock *s, const struct udp_out *o, const void *kbuf, struct sock_msg *m,
			     size_t len, struct in6 to, const struct ipv6_dst *rp);

/* One datagram of len bytes as o says (o->dst INET_V6, or ::1) through
 * the IPv6 stack: its payload from kbuf, or from m's iovecs when kbuf is
 * NULL. len, or -ENETUNREACH, -EINVAL (a link-local address without its
 * link), -EMSGSIZE (longer than the link and not to be cut), -ENOMEM,
 * -EFAULT. */
static long udp6_wire_xmit(struct unix_sock *s, const struct udp_out *o, const void *kbuf, struct sock_msg *m,
			   size_t len)
{
	struct ipv6_dst r;
	struct inet_name dv = o->dst; /* ::1 as an address the route looks up */
	struct in6 to = v6_addr(&o->dst);
	memcpy(dv.a6, to.b, sizeof(dv.a6));
	dv.kind = INET_V6;
	int err = inet_v6_route(s, &dv, &r);
	long ret = err ? err : udp6_send_routed(s, o, kbuf, m, len, to, &r);
	netdev_put(r.dev); /* the route's */
	return ret;
}

/* udp6_wire_xmit's datagram on its route *rp to address to. */
static long udp6_send_routed(struct unix_sock *s, const struct udp_out *o, const void *kbuf, struct sock_msg *m,
			     size_t len, struct in6 to, const struct ipv6_dst *rp)
{
	struct ipv6_dst r = *rp;
	int err;
	if (len > 0xffff - UDP_HDR_LEN)
		return -EMSGSIZE;
	struct ipv6_send out = { .proto = NEXTHDR_UDP, .dev = r.dev, .pmtudisc = s->in.opt.pmtudisc6,
				 .frag_size = s->in.frag_size, .hops = o->hops6, .tclass = o->tclass6 };
	out.src = v6_addr(&o->src);
	out.dst = to;
	if (in6_is_any(&out.src))
		out.src = r.src;
	struct netbuf *nb = netbuf_alloc(NETBUF_HEADROOM, UDP_HDR_LEN + len);
	if (!nb)
		return -ENOMEM;
	uint8_t *p = netbuf_put(nb, UDP_HDR_LEN + len);
	if (kbuf) {
		memcpy(p + UDP_HDR_LEN, kbuf, len);
	} else if (unix_iov_copy_in(m, (char *)p + UDP_HDR_LEN, len)) {
		netbuf_free(nb);
		return -EFAULT;
	}
	udp6_build(p, &out.src, &out.dst, o->src.port, o->dst.port, (uint16_t)(UDP_HDR_LEN + len));
	if ((err = ipv6_output(nb, &out)))
		return err;
	__atomic_add_fetch(&udp_mib.out_datagrams, 1, __ATOMIC_RELAXED);
	return (long)len;
}

/* IPv6's UDP handler: the datagram checked (its checksum is mandatory),
 * queued on the socket its port and address reach with the sender's
 * name, or answered with a port unreachable. Network thread, or lo's
 * sender. */
static void udp6_input(struct netbuf *nb, const struct ipv6_info *ip)
{
	struct udp_info u;
	int ifindex = nb->dev ? nb->dev->ifindex : 0;
	enum wire_err err = udp6_parse(nb->data, nb->len, &ip->src, &ip->dst, &u);
	if (err != WIRE_OK) {
		__atomic_add_fetch(&udp_mib.in_errors, 1, __ATOMIC_RELAXED);
		if (err == WIRE_BAD_CSUM)
			__atomic_add_fetch(&udp_mib.in_csum_errors, 1, __ATOMIC_RELAXED);
		netbuf_free(nb);
		return;
	}
	netbuf_trim(nb, u.len);
	struct inet_name d = inet_name6(&ip->dst, u.dport, ifindex), src = inet_name6(&ip->src, u.sport, ifindex);
	struct unix_sock *to = inet_lookup_dev(IPPROTO_UDP, &d, &src, ifindex);
	if (!to) {
		__atomic_add_fetch(&udp_mib.no_ports, 1, __ATOMIC_RELAXED);
		netbuf_push(nb, (size_t)(nb->data - netbuf_network(nb)));
		icmp6_send_error(nb, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0);
		netbuf_free(nb);
		return;
	}
	struct udp_meta meta = { .src = src, .hoplimit = ip->hop_limit, .tclass = ip->tclass, .dst = d,
				 .ifindex = ifindex, .stamp_ns = time_realtime_ns() };
	netbuf_pull(nb, UDP_HDR_LEN);
	if (unix_queue_wire(to, nb->data, nb->len, &meta, sizeof(meta)) == -ENOBUFS)
		__atomic_add_fetch(&udp_mib.rcvbuf_errors, 1, __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&udp_mib.in_datagrams, 1, __ATOMIC_RELAXED);
	netbuf_free(nb);
}

/* An ICMPv6 error about a datagram we sent: a hard one (port
 * unreachable; a packet too big unless IPV6_PMTUDISC_DONT) tells the
 * socket connected to the peer it names; a packet too big that a socket
 * of ours could have caused teaches the path MTU cache (net/pmtu.c). */
static void udp6_err(const struct icmp6_info *ic, const struct in6 *from)
{
	(void)from;
	struct inet_name me = inet_name6(&ic->inner.src, ic->inner_sport, 0);
	struct inet_name peer = inet_name6(&ic->inner.dst, ic->inner_dport, 0);
	struct unix_sock *s = ic->inner_l4_len >= 4 ? inet_lookup_from(IPPROTO_UDP, &me, &peer) : NULL;
	int err;
	bool hard;
	if (s && ic->type == ICMPV6_PKT_TOOBIG)
		ipv6_update_pmtu(&ic->inner.dst, ic->ifindex, ic->rest); /* Linux's ip6_sk_update_pmtu */
	if (!s || !icmp6_err_convert(ic, &err, &hard))
		return;
	if (ic->type == ICMPV6_PKT_TOOBIG) /* Linux's __udp6_lib_err: hard unless IPV6_PMTUDISC_DONT */
		hard = s->in.opt.pmtudisc6 != IP_PMTUDISC_DONT;
	if (!hard || !s->in.has_peer || !inet_same(&s->in.peer, &peer))
		return;
	s->err = err;
	unix_changed(s);
}

static const struct ipv6_protocol udp6_protocol = { .input = udp6_input, .err = udp6_err };

void inet_udp6_init(void)
{
	ipv6_register_protocol(NEXTHDR_UDP, &udp6_protocol);
}

/* ---- corking --------------------------------------------------------------------- */

/* A datagram being gathered (see the top of the file). Lock rule: as the socket's. */
struct udp_pending {
	struct udp_out out;
	size_t len, cap;
	uint8_t *data;
};

/* What was pending goes, unsent (Linux's udp_flush_pending_frames). */
static void udp_cork_drop(struct unix_sock *s)
{
	struct udp_pending *p = s->in.udp_pend;
	if (!p)
		return;
	s->in.udp_pend = NULL;
	kfree(p->data);
	kfree(p);
}

/* Room in p for n more bytes (at most UDP_PAYLOAD_MAX in all): 0, -ENOMEM. */
static int udp_cork_room(struct udp_pending *p, size_t n)
{
	size_t want = p->len + n, cap = p->cap ? p->cap : UDP_CORK_FIRST;
	if (want <= p->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	if (cap > UDP_PAYLOAD_MAX)
		cap = UDP_PAYLOAD_MAX;
	uint8_t *d = kmalloc(cap);
	if (!d)
		return -ENOMEM;
	if (p->len)
		memcpy(d, p->data, p->len);
	kfree(p->data);
	p->data = d;
	p->cap = cap;
	return 0;
}

/* m's len bytes join the pending datagram (started from o when there is
 * none). len, or -EMSGSIZE, -ENOMEM, -EFAULT: then nothing is pending. */
static long udp_cork_append(struct unix_sock *s, const struct udp_out *o, struct sock_msg *m, size_t len)
{
	struct udp_pending *p = s->in.udp_pend;
	if (!p) {
		if (!(p = kzalloc(sizeof(*p))))
			return -ENOMEM;
		p->out = *o;
		s->in.udp_pend = p;
	}
	int err = len > UDP_PAYLOAD_MAX - p->len ? -EMSGSIZE : udp_cork_room(p, len);
	if (!err && len && unix_iov_copy_in(m, (char *)p->data + p->len, len))
		err = -EFAULT;
	if (err) {
		udp_cork_drop(s);
		return err;
	}
	p->len += len;
	return (long)len;
}

/* The pending datagram goes, if there is one. 0 or the send's error. */
static int udp_cork_push(struct unix_sock *s)
{
	struct udp_pending *p = s->in.udp_pend;
	if (!p)
		return 0;
	long r = p->out.dst.kind == INET_V4 ? udp_wire_xmit(s, &p->out, p->data, NULL, p->len)
					    : udp6_wire_xmit(s, &p->out, p->data, NULL, p->len);
	udp_cork_drop(s);
	return r < 0 ? (int)r : 0;
}

int inet_udp_uncork(struct unix_sock *s)
{
	return (int)unix_proto_done(udp_cork_push(s)); /* to this host: lo's backlog taken up now */
}

/* A send through the IPv4 stack: at once, or gathered while MSG_MORE or
 * UDP_CORK holds (corked). len, or an error. */
static long udp_wire_send(struct unix_sock *s, struct sock_msg *m, size_t len, const struct inet_name *src,
			  const struct inet_name *d, bool corked)
{
	struct udp_out o;
	int err = udp_out_of(s, m, src, d, &o);
	if (err)
		return err;
	if (!corked)
		return udp_wire_xmit(s, &o, NULL, m, len);
	return udp_cork_append(s, &o, m, len);
}

/* A send through the IPv6 stack (to ::1 too): at once, or gathered while
 * MSG_MORE or UDP_CORK holds (corked). len, or an error. */
static long udp6_wire_send(struct unix_sock *s, struct sock_msg *m, size_t len, const struct inet_name *src,
			   const struct inet_name *d, bool corked)
{
	struct udp_out o;
	udp6_out_of(s, m, src, d, &o);
	if (!corked)
		return udp6_wire_xmit(s, &o, NULL, m, len);
	return udp_cork_append(s, &o, m, len);
}

/* A send while a datagram is pending: it joins it, and unless still
 * corked the datagram goes. len, or an error. */
static long udp_pending_send(struct unix_sock *s, struct sock_msg *m, size_t len, bool corked)
{
	long r = udp_cork_append(s, NULL, m, len);
	if (r < 0 || corked)
		return r;
	int err = udp_cork_push(s);
	return err ? err : r;
}

/* The network thread's hand-off (udp_deliver_hook): nb's payload for the
 * socket bound to its port, with the sender's name after it. False
 * when no socket takes it (the caller answers port unreachable). */
static bool udp_wire_input(struct netbuf *nb, const struct ipv4_info *ip, const struct udp_info *u)
{
	struct inet_name d = { .addr = ip->dst, .port = u->dport, .kind = INET_V4 }, src = { .addr = ip->src, .port = u->sport, .kind = INET_V4 };
	struct unix_sock *to = inet_lookup_dev(IPPROTO_UDP, &d, &src, nb->dev ? nb->dev->ifindex : 0);
	if (!to)
		return false;
	struct udp_meta meta = { .src = src, .hoplimit = ip->ttl, .tclass = ip->tos, .dst = d,
				 .ifindex = nb->dev ? nb->dev->ifindex : 0, .stamp_ns = time_realtime_ns() };
	/* the socket's filter sees the UDP header first and keeps it at least (sk_filter_trim_cap) */
	const uint8_t *net = nb->head + nb->network_off;
	uint32_t keep = sock_filter_run(to, nb, nb->data - UDP_HDR_LEN, UDP_HDR_LEN + nb->len, net,
					sock_filter_mac(nb, net));
	if (!keep) {
		__atomic_add_fetch(&udp_mib.in_errors, 1, __ATOMIC_RELAXED); /* as Linux counts it */
		netbuf_free(nb);
		return true;
	}
	uint32_t len = keep > UDP_HDR_LEN ? keep - UDP_HDR_LEN : 0;
	if (unix_queue_wire(to, nb->data, len, &meta, sizeof(meta)) == -ENOBUFS)
		__atomic_add_fetch(&udp_mib.rcvbuf_errors, 1, __ATOMIC_RELAXED); /* dropped, as Linux */
	netbuf_free(nb);
	return true;
}

/* What an ICMP error means to a UDP socket (Linux's __udp4_lib_err):
 * icmp_err_convert's, and a don't-fragment datagram too big is hard
 * unless the socket said IP_PMTUDISC_DONT. False for one it ignores. */
static bool udp_icmp_errno(const struct unix_sock *s, const struct icmp_info *ic, int *err, bool *hard)
{
	if (!icmp_err_convert(ic, err, hard))
		return false;
	if (ic->type == ICMP_DEST_UNREACH && ic->code == ICMP_FRAG_NEEDED)
		*hard = s->in.opt.pmtudisc != IP_PMTUDISC_DONT;
	return true;
}

/* An ICMP error about a datagram we sent (Linux's __udp4_lib_err): a
 * fragmentation needed that a socket of ours could have caused teaches
 * the path MTU cache (net/pmtu.c); the socket that sent it learns its
 * errno from its next call; with
 * IP_RECVERR, always, and the error is queued (net/inet_err.c); without,
 * only a hard error, on a socket connected to the peer it names. */
static void udp_wire_err(const struct icmp_info *ic, uint32_t from)
{
	struct inet_name me = { .addr = ic->inner.src, .port = ic->inner_sport, .kind = INET_V4 };
	struct inet_name peer = { .addr = ic->inner.dst, .port = ic->inner_dport, .kind = INET_V4 };
	struct unix_sock *s = inet_lookup_from(IPPROTO_UDP, &me, &peer);
	int err;
	bool hard;

	if (s && ic->type == ICMP_DEST_UNREACH && ic->code == ICMP_FRAG_NEEDED)
		ipv4_update_pmtu(ic->inner.dst, ic->rest & ICMP_FRAG_MTU_MASK, NULL); /* Linux's ipv4_sk_update_pmtu */
	if (!s || !udp_icmp_errno(s, ic, &err, &hard))
		return;
	if (s->in.opt.recverr) {
		struct sock_extended_err ee = { .ee_errno = (uint32_t)err, .ee_origin = SO_EE_ORIGIN_ICMP,
						.ee_type = ic->type, .ee_code = ic->code };
		if (ic->type == ICMP_DEST_UNREACH && ic->code == ICMP_FRAG_NEEDED)
			ee.ee_info = ic->rest & ICMP_FRAG_MTU_MASK; /* the next hop's MTU */
		size_t skip = ic->inner_l4_len < UDP_HDR_LEN ? ic->inner_l4_len : UDP_HDR_LEN;
		inet_err_queue(s, &ee, from, &peer, ic->inner_l4 + skip, ic->inner_l4_len - skip);
		return;
	}
	if (!hard || !s->in.has_peer || !inet_same(&s->in.peer, &peer))
		return;
	s->err = err;
	unix_changed(s);
}

void inet_udp_wire_init(void)
{
	udp_deliver_hook = udp_wire_input;
	udp_err_hook = udp_wire_err;
}

static long udp_send_copy(struct file *f, struct sock_msg *m, int flags)
{
	struct unix_sock *s = unix_sock(f);
	size_t len = unix_iov_total(m);
	struct inet_name d, src;
	struct udp_meta meta;
	long err;

	bool corked = (flags & MSG_MORE) || s->in.udp_cork;

	inet_drop_files(m);
	if (len > UDP_LEN_MAX)
		return -EMSGSIZE;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (s->in.udp_pend)
		return udp_pending_send(s, m, len, corked); /* its destination holds */
	if ((err = udp_dest(s, m, &d)))
		return err;
	if (s->err) { /* an earlier send's refusal (Linux's sock_alloc_send_pskb) */
		err = -s->err;
		s->err = 0;
		return err;
	}
	if (s->shutdown & SEND_SHUTDOWN)
		return -EPIPE; /* the same check's next; no SIGPIPE on a datagram socket */
	if (len > UDP_PAYLOAD_MAX)
		return -EMSGSIZE;
	if (!s->in.name.port && (err = inet_bind_port(s, inet_any(s))))
		return err;
	src = inet_source(s, &d);
	if ((err = inet_version_mismatch(&src, &d)))
		return err; /* bound to an address of the other version */
	if (d.kind == INET_V6 || (d.kind == INET_V6_LOOP && s->protocol != IPPROTO_UDPLITE))
		return udp6_wire_send(s, m, len, &src, &d, corked); /* ::1 too: over lo */
	if (udp_via_ipv4(s, &d))
		return udp_wire_send(s, m, len, &src, &d, corked);
	struct unix_sock *to = inet_lookup(s, &d);
	meta = udp_meta(s, m, &src, &d);
	if (to && (err = udp_deliver(to, s, m, len, &meta)))
		return err;
	if (!to && s->in.has_peer && inet_same(&d, &s->in.peer)) {
		s->err = ECONNREFUSED; /* the port-unreachable a connected socket hears */
		unix_changed(s);
	}
	return (long)len;
}

/*
 * A UDP send: with MSG_ZEROCOPY and SO_ZEROCOPY on, a completion for it
 * once it is sent, even of no bytes (Linux's __ip_append_data counts the
 * UDP header in its length); -ENOBUFS if there is no memory for one.
 */
static long udp_send(struct file *f, struct sock_msg *m, int flags)
{
	struct unix_sock *s = unix_sock(f);
	struct inet_err *zc = NULL;

	if ((flags & MSG_ZEROCOPY) && s->zerocopy && !(zc = inet_zc_prepare()))
		return -ENOBUFS;
	long r = udp_send_copy(f, m, flags);
	inet_zc_complete(s, zc, r >= 0);
	return r;
}

/* IPv4's control messages of a datagram that came through the stack, as
 * Linux's ip_cmsg_recv_offset orders them: IP_PKTINFO, IP_TTL, IP_TOS,
 * IP_ORIGDSTADDR, each when its option is on. */
static void udp_ip4_cmsgs(const struct unix_sock *s, struct sock_msg *m, const struct udp_meta *u)
{
	const struct inet_opts *o = &s->in.opt;

	if (o->pktinfo) { /* the reply's source: this host's address it went to, else the device's */
		uint32_t spec = ipv4_is_local(u->dst.addr) ? u->dst.addr : ipv4_dev_addr(u->ifindex);
		struct in_pktinfo pi = { u->ifindex, be32(spec), be32(u->dst.addr) };
		sock_msg_cmsg(m, IPPROTO_IP, IP_PKTINFO, &pi, sizeof(pi));
	}
	if (o->recvttl)
		sock_msg_cmsg(m, IPPROTO_IP, IP_TTL, &u->hoplimit, sizeof(u->hoplimit));
	if (o->recvtos) {
		uint8_t tos = (uint8_t)u->tclass; /* one byte, as Linux's */
		sock_msg_cmsg(m, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	}
	if (o->recvorigdst) {
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = be16(u->dst.port),
					   .sin_addr = be32(u->dst.addr) };
		sock_msg_cmsg(m, IPPROTO_IP, IP_ORIGDSTADDR, &sin, sizeof(sin));
	}
}

/* IPV6_PKTINFO of a datagram to an IPv6 socket: where it went (an IPv4
 * one's v4-mapped) and the device it came in on. */
static void udp_pktinfo6(const struct unix_sock *s, struct sock_msg *m, const struct udp_meta *u)
{
	struct sockaddr_un a;
	struct sockaddr_in6 in6;
	size_t len;
	struct in6_pktinfo pi = { .ipi6_ifindex = u->ifindex };

	inet_addr_out(s, &u->dst, &a, &len);
	memcpy(&in6, &a, sizeof(in6));
	memcpy(pi.ipi6_addr, in6.sin6_addr, sizeof(pi.ipi6_addr));
	sock_msg_cmsg(m, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi));
}

/* A datagram's control messages in Linux's order (udpv6_recvmsg's too):
 * its time (SO_TIMESTAMP); an IPv6 socket's IPV6_PKTINFO; then IPv4's,
 * or for an IPv6 datagram RFC 3542's hop limit and class. */
static void udp_cmsgs(struct unix_sock *s, struct sock_msg *m, const struct udp_meta *u)
{
	sock_recv_stamp(s, m, u->stamp_ns);
	if (s->family == AF_INET6 && s->in.recv_pktinfo6)
		udp_pktinfo6(s, m, u);
	if (u->src.kind == INET_V4) {
		udp_ip4_cmsgs(s, m, u);
		return;
	}
	if (s->family != AF_INET6)
		return;
	if (s->in.recv_hoplimit)
		sock_msg_cmsg(m, IPPROTO_IPV6, IPV6_HOPLIMIT, &u->hoplimit, sizeof(u->hoplimit));
	if (s->in.recv_tclass)
		sock_msg_cmsg(m, IPPROTO_IPV6, IPV6_TCLASS, &u->tclass, sizeof(u->tclass));
}

/* A receive: the datagram, and the name it came from as this socket's
 * family writes it. */
static long udp_recv(struct file *f, struct sock_msg *m, int flags)
{
	struct unix_sock *s = unix_sock(f);
	struct udp_meta u;
	bool got;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (flags & MSG_ERRQUEUE)
		return inet_recv_error(s, m);
	long r = unix_dgram_recv_meta(f, s, m, flags, &u, sizeof(u), &got);
	if (!got)
		return r;
	inet_addr_out(s, &u.src, &m->addr, &m->addrlen);
	udp_cmsgs(s, m, &u);
	return r;
}

/* Linux's ip4_datagram_connect: a default destination (a port of its
 * own, and 127.0.0.1 or ::1 for a wildcard, if it has none); AF_UNSPEC
 * forgets it. */
static int udp_connect(struct file *f, const struct sockaddr_un *a, size_t len)
{
	struct unix_sock *s = unix_sock(f);
	struct inet_name d, src;
	int err;

	if (len >= sizeof(uint16_t) && a->sun_family == AF_UNSPEC) {
		s->in.has_peer = false;
		inet_forget_unchosen(s, true); /* Linux's __udp_disconnect */
		unix_changed(s);
		return 0;
	}
	if ((err = udp_addr(s, a, len, false, &d)))
		return err;
	if (udp_via_ipv4(s, &d) ? (err = udp_wire_route(s, &d)) : (err = inet_route(s, &d)))
		return err;
	src = inet_source(s, &d);
	if ((err = inet_version_mismatch(&src, &d)))
		return err;
	if (!s->in.name.port && (err = inet_bind_port(s, src)))
		return err;
	s->in.name = inet_source(s, &d); /* the port bind gave, the address made specific */
	inet_name_sync(s);
	s->in.peer = d;
	s->in.has_peer = true;
	unix_changed(s);
	return 0;
}

static int udp_listen(struct file *f, int backlog)
{
	(void)f;
	(void)backlog;
	return -EOPNOTSUPP;
}

/* Linux's inet_shutdown: a socket with no peer says -ENOTCONN, yet is
 * shut (a reader blocked in recv wakes to 0, the usual way to stop it). */
static int udp_shutdown(struct file *f, int how)
{
	struct unix_sock *s = unix_sock(f);
	int err = unix_shutdown_sock(s, how);

	return err ? err : s->in.has_peer ? 0 : -ENOTCONN;
}

static void udp_release(struct unix_sock *s)
{
	udp_cork_drop(s); /* never sent, as Linux's udp_destroy_sock */
	inet_release(s);
}

const struct sock_proto inet_udp_proto = {
	.bind = inet_bind,
	.connect = udp_connect,
	.listen = udp_listen,
	.getname = inet_getname,
	.sendmsg = udp_send,
	.recvmsg = udp_recv,
	.shutdown = udp_shutdown,
	.release = udp_release,
};

bool inet_udp_pending_v6(const struct unix_sock *s)
{
	const struct udp_pending *p = s->in.udp_pend;
	return p && p->out.dst.kind != INET_V4;
}
