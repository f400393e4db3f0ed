/* SPDX-License-Identifier: MIT */
/* IPv4: the interfaces' addresses, the routing table, receiving (checks, local delivery by protocol, fragment reassembly) and sending (route, fragment, hand to ARP or to lo). */
#ifndef KESTREL_NET_IPV4_H
#define KESTREL_NET_IPV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/netbuf.h"
#include "net/wire.h"
#include "uapi/rtnetlink.h"

struct netdev;

#define IPV4_DEFAULT_TTL 64       /* net.ipv4.ip_default_ttl's default (net_sysctl_default_ttl() the value) */
#define INADDR_BROADCAST 0xffffffffu
#define IPV4_IFADDR_MAX  32       /* addresses on all interfaces */
#define IPV4_ROUTE_MAX   64       /* routes in the main table */

/* An address on an interface (ip addr). Host byte order. */
struct ipv4_ifaddr {
	uint32_t addr, mask, bcast;
	uint8_t prefix;                /* mask's length */
	int ifindex;
	char label[16];                /* "eth0" */
};

/* A route of the main table (ip route). Host byte order. scope is an
 * RT_SCOPE_*, protocol an RTPROT_* (uapi/rtnetlink.h). */
struct ipv4_route {
	uint32_t dst, mask;
	uint8_t prefix;
	uint32_t gateway;              /* 0: the destination is on the link */
	uint32_t prefsrc;              /* 0: the interface's first address */
	int ifindex;
	uint32_t metric;
	uint8_t scope, protocol;
};

/*
 * Where a packet goes: the device, the next hop on it (the gateway, or
 * the destination itself on the link) and the source address to use.
 */
struct ipv4_dst {
	struct netdev *dev;
	uint32_t nexthop;
	uint32_t src;
	bool local;                    /* to this host: it goes through lo */
	bool broadcast;                /* to the link's broadcast: no ARP */
};

/* What a sender asks for: src 0 lets the route choose; dev non-NULL
 * sends on that device whatever the routes say (DHCP before it has an
 * address, SO_BINDTODEVICE); ttl 0 is the default. */
struct ipv4_send {
	uint32_t src, dst;
	uint8_t proto, tos, ttl;
	bool tcp;                      /* a TCP segment (Linux's __ip_queue_xmit), else a datagram (__ip_make_skb) */
	uint8_t pmtudisc;              /* IP_MTU_DISCOVER's IP_PMTUDISC_* (0, DONT: the kernel's own) */
	struct netdev *dev;
	struct ipv4_route_cache *route; /* the sender's remembered route, or NULL */
};

/* A route a sender (a TCP connection) keeps between its packets, as
 * Linux's socket keeps its dst: good while the address and route tables
 * are as they were when it was looked up (their generation) and its
 * device is up. Zeroed: empty. The sender's own lock guards it. */
struct ipv4_route_cache {
	uint64_t gen;                  /* the tables' generation; 0: empty */
	uint32_t dst;
	struct netdev *via;            /* the lookup's dev argument */
	struct ipv4_dst d;
};

/* The handlers of an IP protocol (ICMP, UDP, TCP, raw). input owns nb
 * (data at the transport header, len its length, network_off the IP
 * header); err learns of an ICMP error about a packet this host sent. */
struct ipv4_protocol {
	void (*input)(struct netbuf *nb, const struct ipv4_info *ip);
	void (*err)(const struct icmp_info *icmp, uint32_t from);
	/* May be NULL. lo's input without the kernel lock (ipv4_input_nolock):
	 * true when it took nb; false when the packet needs the kernel lock,
	 * nb and the counters left as they were, for input. */
	bool (*input_nolock)(struct netbuf *nb, const struct ipv4_info *ip);
	/* With input_nolock: a look at the transport header's first len
	 * bytes (unchecked) before IPv4 parses anything: false when
	 * input_nolock would refuse the packet anyway. */
	bool (*input_nolock_may)(const uint8_t *p, size_t len);
};
/* An ICMP error from `from` about a packet this host sent: to the err
 * handler of the protocol ic->inner names. */
void ipv4_deliver_error(const struct icmp_info *ic, uint32_t from);
/* The raw sockets' look at every packet delivered here (data at its IP
 * header, whole and reassembled) before its protocol's: they take copies.
 * Set at boot (net/inet_icmp.c). */
extern void (*ipv4_raw_hook)(const struct netbuf *nb, const struct ipv4_info *ip);
/* Has no raw socket a look to take (no socket on its list)? Without the
 * kernel lock. Set at boot with ipv4_raw_hook. */
extern bool (*ipv4_raw_idle)(void);
/* Set the handlers of protocol proto (boot time). */
void ipv4_register_protocol(uint8_t proto, const struct ipv4_protocol *p);

void ipv4_init(void);

/* ---- receive and send ---------------------------------------------------------- */

/* From Ethernet or lo: an IPv4 packet at nb->data. Owns nb. Network thread. */
void ipv4_input(struct netbuf *nb);
/* From lo, without the kernel lock (issue 29): an IPv4 packet at
 * nb->data that is whole, for this host, seen by no raw socket and taken
 * by its protocol's input_nolock goes up: true, nb taken. Otherwise
 * false, nb as it came and nothing counted, for ipv4_input. */
bool ipv4_input_nolock(struct netbuf *nb);
/* A look at an IPv4 packet's first len bytes (unchecked) before anyone
 * parses it: false when ipv4_input_nolock would refuse it anyway (its
 * protocol has no input_nolock, or that says no), so that what goes to
 * the kernel lock costs lo's drain no parse. */
bool ipv4_nolock_may(const uint8_t *pkt, size_t len);
/*
 * Send nb (data at the transport header; headroom for IPv4 and the link
 * header) as s says: route, IPv4 header with DF as s->pmtudisc asks,
 * fragments when it is longer than the path's MTU (the device's under
 * PROBE, INTERFACE and OMIT) and may be cut, else -EMSGSIZE (ipv4.c's
 * plan_output has Linux's rules). Owns nb in every case.
 * 0, -ENETUNREACH (no route), -EMSGSIZE, -ENOBUFS, -ENETDOWN,
 * -EHOSTUNREACH (ARP gave up: known only later, reported as 0 here).
 * Any context but an interrupt handler.
 */
int ipv4_output(struct netbuf *nb, const struct ipv4_send *s);
/* The route to dst (with dev, if given, as the only device allowed):
 * 0 and *out, out->dev held (netdev_put it), or -ENETUNREACH. */
int ipv4_route_lookup(uint32_t dst, struct netdev *dev, struct ipv4_dst *out);
/* ipv4_route_lookup through c: its route while still good, else a new
 * lookup, remembered when it succeeds; out->dev held either way (c's
 * own pointer is not: it is good while c->gen is the tables'). */
int ipv4_route_lookup_cached(uint32_t dst, struct netdev *dev, struct ipv4_route_cache *c,
			     struct ipv4_dst *out);

/* ---- addresses and routes (ioctl, netlink, DHCP) -------------------------------- */

/* Is addr one of this host's addresses (or in 127/8 on a lo that is up)? */
bool ipv4_is_local(uint32_t addr);
/* Is addr a broadcast address of any interface (or 255.255.255.255): its
 * broadcast address, or its subnet's (Linux's fib_add_ifaddr makes a
 * broadcast route for a prefix under 31 whether or not the address has one)? */
bool ipv4_is_broadcast(uint32_t addr);
/* A received packet's addresses against this host's, in one look: dst
 * one of ours (or 127/8 on lo, as ipv4_is_local), dst a broadcast
 * address (as ipv4_is_broadcast), src one of ours. */
struct ipv4_addr_kinds {
	bool dst_local, dst_broadcast, src_local;
};
void ipv4_addr_kinds(uint32_t dst, uint32_t src, struct ipv4_addr_kinds *k);
/* The first address on ifindex, or 0. */
uint32_t ipv4_dev_addr(int ifindex);
/* Add addr/prefix to ifindex, with its subnet route (as Linux's
 * fib_add_ifaddr) and a gratuitous ARP when the device is up. bcast is
 * its broadcast address as given, 0 for none (netlink without
 * IFA_BROADCAST, as Linux's inet_rtm_newaddr: the ioctls and ipconfig
 * compute the default themselves, as Linux's devinet_ioctl). 0,
 * -EEXIST, -ENOSPC, -EINVAL (prefix > 32 or the address is 0 or multicast). */
int ipv4_addr_add(int ifindex, uint32_t addr, uint8_t prefix, uint32_t bcast);
/* Remove addr from ifindex (and its subnet route; with the device's last
 * address, every route through it, as Linux). 0, -EADDRNOTAVAIL. */
int ipv4_addr_del(int ifindex, uint32_t addr);
/* The i-th address (0, 1, ...): true and *out, or false past the last. */
bool ipv4_addr_get(unsigned i, struct ipv4_ifaddr *out);
/* Who hears of an address ipv4_addr_add added or ipv4_addr_del took
 * away, whoever asked (netlink: RTM_NEWADDR and RTM_DELADDR, as Linux's
 * rtmsg_ifa from its inetaddr changes). Set once at boot; called after
 * the change, no lock of this layer's held. */
typedef void (*ipv4_addr_news_fn)(const struct ipv4_ifaddr *a, bool added);
void ipv4_addr_listen(ipv4_addr_news_fn fn);
/* Add a route. 0, -EEXIST (the same dst/prefix/metric), -ENOSPC,
 * -ENETUNREACH (the gateway is on no link), -EINVAL. */
int ipv4_route_add(const struct ipv4_route *r);
/* Replace the route with r's dst/prefix/metric by r (ip route replace).
 * 0, -ESRCH (none), -ENETUNREACH (the gateway is on no link: the old
 * route stays), -EINVAL. */
int ipv4_route_replace(const struct ipv4_route *r);
/* Remove the route with r's dst/prefix (and, when not 0, its gateway,
 * ifindex and metric). 0, -ESRCH. */
int ipv4_route_del(const struct ipv4_route *r);
/* The i-th route: true and *out, or false past the last. */
bool ipv4_route_get(unsigned i, struct ipv4_route *out);
/* Who hears of a route ipv4_route_add added, ipv4_route_replace put in
 * another's place or ipv4_route_del took away, whoever asked (netlink:
 * RTM_NEWROUTE and RTM_DELROUTE, as Linux's rtmsg_fib from
 * fib_table_insert and fib_table_delete); the routes a device down or
 * its last address takes away go unheard, as Linux's fib_table_flush
 * sends nothing. Set once at boot; called after the change, no lock of
 * this layer's held, in the context that made it. */
enum ipv4_route_event { IPV4_ROUTE_DELETED, IPV4_ROUTE_ADDED, IPV4_ROUTE_REPLACED };
typedef void (*ipv4_route_news_fn)(const struct ipv4_route *r, enum ipv4_route_event ev);
void ipv4_route_listen(ipv4_route_news_fn fn);
/* A device went down: its routes go (its addresses stay, as Linux's). */
void ipv4_dev_down(int ifindex);
/* A device came up: its addresses' subnet routes come back. */
void ipv4_dev_up(int ifindex);
/* The device of ifindex is being unregistered: its addresses go (the
 * first max of them into gone, for the notifications; their number is
 * returned), its routes and ARP entries, and every cached route goes
 * stale. */
int ipv4_dev_forget(int ifindex, struct ipv4_ifaddr *gone, int max);

/* Counters of /proc/net/snmp's Ip: line (each added to atomically). */
struct ipv4_mib {
	uint64_t in_receives, in_hdr_errors, in_addr_errors, in_unknown_protos, in_discards,
		in_delivers, out_requests, out_discards, out_no_routes, reasm_timeout, reasm_reqds,
		reasm_oks, reasm_fails, frag_oks, frag_fails, frag_creates, in_truncated;
};
extern struct ipv4_mib ipv4_mib;
#define IPV4_MIB_INC(field) __atomic_add_fetch(&ipv4_mib.field, 1, __ATOMIC_RELAXED)

/* Prefix length <-> mask (host order). */
static inline uint32_t ipv4_prefix_mask(unsigned prefix)
{
	return prefix ? 0xffffffffu << (32 - prefix) : 0;
}
/* A contiguous mask's prefix length (its leading ones). */
static inline unsigned ipv4_mask_prefix(uint32_t mask)
{
	return mask ? 32 - (unsigned)__builtin_ctz(mask) : 0;
}

/* ---- ipv4_frag.c: reassembly -------------------------------------------------- */

/* A fragment (its header parsed into ip): NULL while the datagram is
 * incomplete (the fragment is kept or dropped), else the whole datagram
 * in a new netbuf, data at its (rewritten) IP header. Owns nb. */
struct netbuf *ipv4_reassemble(struct netbuf *nb, const struct ipv4_info *ip);
/* Drop queues older than net.ipv4.ipfrag_time (an ICMP time-exceeded
 * for those whose first fragment came). The network thread, once a second. */
void ipv4_frag_expire(uint64_t now);
/* Bytes held by incomplete datagrams (/proc/net/sockstat's FRAG line). */
size_t ipv4_frag_mem(void);
/* Drop the incomplete datagrams a piece of which came on dev (its last
 * reference gone: net/ifstate.c's unregistering). */
void ipv4_frag_forget_dev(const struct netdev *dev);

/* A validated ICMP error said the path to dst takes mtu (0 from an old
 * router). As Linux's __ip_rt_update_pmtu: only ever lower than the path
 * MTU now; under min_pmtu, min_pmtu and locked; an entry the same
 * refreshed once half its time is gone. Returns the path MTU after it,
 * 0 when dst has no route; *locked_out (if given): whether it is locked.
 * Takes pmtu_lock. */
uint32_t ipv4_update_pmtu(uint32_t dst, uint32_t mtu, bool *locked_out);
/* Linux's ip_dont_fragment: does a socket under IP_MTU_DISCOVER how set
 * DF on a TCP segment to a path whose MTU is locked or not? */
bool ipv4_dont_fragment(uint8_t how, bool locked);

#endif
