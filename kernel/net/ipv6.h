/* SPDX-License-Identifier: MIT */
/* IPv6 (RFC 8200) for a host: receiving (checks, extension headers, local delivery by protocol), sending (route, source address, Neighbor Discovery or lo), and the interfaces' addresses and routes with their autoconfiguration (net/addrconf.c). */
#ifndef KESTREL_NET_IPV6_H
#define KESTREL_NET_IPV6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/netbuf.h"
#include "net/wire6.h"

struct netdev;

#define IPV6_HOPS_DEFAULT  64      /* net.ipv6.conf.*.hop_limit */
#define IPV6_ADDR_MAX      32      /* addresses on all interfaces */
#define IPV6_ROUTE_MAX     32      /* routes of the main table */
#define IPV6_LIFE_FOREVER  0xffffffffu
#define RTPROT_RA          9       /* a route a router advertisement made (Linux's) */

/* Linux's IFA_F_* an IPv6 address carries (ip -6 addr shows them) */
#define IFA_F_NODAD        0x02
#define IFA_F_DADFAILED    0x08
#define IFA_F_TENTATIVE    0x40
#define IFA_F_MANAGETEMPADDR 0x100
#define IFA_F_NOPREFIXROUTE  0x200

/* An address on an interface. Lifetimes in seconds from `stamp` (ns). */
struct ipv6_ifaddr {
	struct in6 addr;
	uint8_t prefix;
	uint8_t scope;                 /* RT_SCOPE_LINK, _UNIVERSE, _HOST */
	int ifindex;                   /* 0: the slot is free */
	uint32_t flags;                /* IFA_F_* */
	uint32_t valid_s, preferred_s; /* IPV6_LIFE_FOREVER: forever */
	uint64_t stamp;                /* when the lifetimes were set */
	uint64_t created;
};

/* A route of the main table. gateway :: is on the link. */
struct ipv6_route {
	struct in6 dst;
	uint8_t prefix;
	struct in6 gateway;
	int ifindex;                   /* 0: the slot is free */
	uint32_t metric;
	uint8_t protocol;              /* RTPROT_KERNEL, RTPROT_RA, RTPROT_BOOT */
	uint64_t expires;              /* ns; 0: never */
};

/* Where a packet goes: the device, the next hop on it, the source. */
struct ipv6_dst {
	struct netdev *dev;
	struct in6 nexthop, src;
	bool local;                    /* to this host: through lo */
};

/* What a sender asks for: src :: lets the route choose unless src_fixed
 * (a DAD probe goes from :: itself); dev non-NULL sends on that device
 * (link-local and multicast destinations need one); hops -1 is the
 * device's default. */
struct ipv6_send {
	struct in6 src, dst;
	bool src_fixed;
	uint8_t proto, tclass;
	int hops;
	uint8_t pmtudisc;              /* IPV6_MTU_DISCOVER's IPV6_PMTUDISC_* (0, DONT: the kernel's own) */
	uint32_t frag_size;            /* IPV6_MTU set: a lower MTU its packets keep to (0: none) */
	struct netdev *dev;
};

/* An upper layer's handlers: input owns nb (data at its header, len its
 * length, network_off the IPv6 header); err learns of an ICMPv6 error
 * about a packet this host sent. */
struct ipv6_protocol {
	void (*input)(struct netbuf *nb, const struct ipv6_info *ip);
	void (*err)(const struct icmp6_info *ic, const struct in6 *from);
	/* May be NULL: lo's input without the kernel lock and its first look,
	 * as struct ipv4_protocol's (ipv6_input_nolock). */
	bool (*input_nolock)(struct netbuf *nb, const struct ipv6_info *ip);
	bool (*input_nolock_may)(const uint8_t *p, size_t len);
};
void ipv6_register_protocol(uint8_t proto, const struct ipv6_protocol *p);
/* The raw sockets' look at every packet delivered here (data at its
 * upper-layer header) before its protocol's. Set at boot. */
extern void (*ipv6_raw_hook)(const struct netbuf *nb, const struct ipv6_info *ip);
/* An ICMPv6 error from `from`: to the err handler of the protocol it quotes. */
void ipv6_deliver_error(const struct icmp6_info *ic, const struct in6 *from);

void ipv6_init(void);
/* From Ethernet or lo: an IPv6 packet at nb->data. Owns nb. Network thread. */
void ipv6_input(struct netbuf *nb);
/* From lo, without the kernel lock (issue 29): an IPv6 packet whose
 * upper layer follows its header directly (no extension header: no
 * fragment, and nothing raw sockets see, which look at ICMPv6 alone),
 * for this host and taken by its protocol's input_nolock goes up: true,
 * nb taken. Otherwise false, nb as it came and nothing counted, for
 * ipv6_input. ipv6_nolock_may is its first look at the raw bytes. */
bool ipv6_input_nolock(struct netbuf *nb);
bool ipv6_nolock_may(const uint8_t *pkt, size_t len);
/*
 * Send nb (data at the upper-layer header, its checksum done; headroom
 * for IPv6 and the link header) as s says. Owns nb in every case. 0,
 * -ENETUNREACH (no route), -EINVAL (a link-local or multicast
 * destination without a device), -EADDRNOTAVAIL (no source address),
 * -EMSGSIZE (over 65535 bytes), -ENOBUFS, -ENETDOWN. Longer than the
 * link's MTU, it goes in fragments (RFC 8200 4.5). Any context but an
 * interrupt handler.
 */
int ipv6_output(struct netbuf *nb, const struct ipv6_send *s);
/* The route to dst (dev, if given, the only device allowed), its source
 * chosen: 0 and *out, or -ENETUNREACH, -EINVAL, -EADDRNOTAVAIL. out->dev
 * is held or NULL whatever the answer (the source's choice may fail
 * after it is set): the caller netdev_puts it in every case. */
int ipv6_route_lookup(const struct in6 *dst, struct netdev *dev, struct ipv6_dst *out);

/* Counters of /proc/net/snmp6's Ip6 lines. */
struct ipv6_mib {
	uint64_t in_receives, in_hdr_errors, in_addr_errors, in_unknown_protos, in_truncated,
		in_discards, in_delivers, out_requests, out_discards, out_no_routes, reasm_fails,
		in_mcast_pkts, out_mcast_pkts, frag_fails, reasm_reqds, reasm_oks, reasm_timeout,
		frag_oks, frag_creates;
};
extern struct ipv6_mib ipv6_mib;
#define IPV6_MIB_INC(field) __atomic_add_fetch(&ipv6_mib.field, 1, __ATOMIC_RELAXED)

/* ---- ipv6_frag.c: reassembly ------------------------------------------------------ */

/* A fragment (ipv6_parse gave proto NEXTHDR_FRAGMENT; data at its IPv6
 * header): NULL while the datagram is incomplete (the fragment is kept or
 * dropped), else the whole packet in a new netbuf, data at its IPv6
 * header. Owns nb. */
struct netbuf *ipv6_reassemble(struct netbuf *nb, const struct ipv6_info *ip);
/* Drop datagrams older than 60 s (a time exceeded for one whose first
 * fragment came). The network thread, each 250 ms. */
void ipv6_frag_expire(uint64_t now);
/* Bytes held by incomplete datagrams. */
size_t ipv6_frag_mem(void);
/* Drop the incomplete datagrams a piece of which came on dev (its last
 * reference gone: net/ifstate.c's unregistering). */
void ipv6_frag_forget_dev(const struct netdev *dev);

/* ---- addrconf.c: addresses, routes, autoconfiguration ---------------------------- */

/* What an address of this host is, for a received packet. */
enum ipv6_local { IPV6_NOT_LOCAL, IPV6_LOCAL, IPV6_LOCAL_TENTATIVE };
/* Is a one of this host's addresses (on any device: the weak host model)? */
enum ipv6_local ipv6_addr_local(const struct in6 *a);
/* Has device ifindex joined multicast group a (all-nodes, a solicited-node group of its addresses)? */
bool ipv6_mc_joined(int ifindex, const struct in6 *a);
/* The best source on dev for dst (RFC 6724, briefly: the same scope,
 * not tentative): 0, or -EADDRNOTAVAIL. */
int ipv6_select_source(const struct netdev *dev, const struct in6 *dst, struct in6 *out);
/* The device's IPv6 MTU (an RA's MTU option, else the device's) and hop limit. */
uint32_t ipv6_dev_mtu(const struct netdev *dev);
uint8_t ipv6_dev_hops(const struct netdev *dev);
/* The route table's walk for ipv6_route_lookup: the longest prefix of a
 * route up, then the lowest metric. 0, -ENETUNREACH. */
int ipv6_fib_lookup(const struct in6 *dst, const struct netdev *dev, struct ipv6_route *out);

/* A device came up (its link-local address, DAD, then router
 * solicitation; lo: ::1) or went down (its routes, neighbours and
 * autoconfigured addresses go). */
void addrconf_dev_up(struct netdev *dev);
/* tell: the listener hears of each address that goes (false while the
 * device is unregistered: rtnl_notify_gone tells of them). */
void addrconf_dev_down(struct netdev *dev, bool tell);
/* Who hears of an address added, changed (its DAD done, an RA's new
 * lifetimes: added again) or gone (netlink: RTM_NEWADDR, RTM_DELADDR,
 * as Linux's ipv6_ifa_notify), a copy as it is then. Set once at boot;
 * called after the change, ac_lock released, in the context that made it
 * (a system call, the network thread). */
typedef void (*ipv6_addr_news_fn)(const struct ipv6_ifaddr *a, bool added);
void ipv6_addr_listen(ipv6_addr_news_fn fn);
/* Who hears of a route of the main table made (RTM_NEWROUTE: an
 * address's prefix route, an RA's prefix or default route, a device's
 * link-local prefix) or gone (RTM_DELROUTE: its address deleted, an RA's
 * zero lifetime, its expiry, its device down), as Linux's
 * inet6_rt_notify; a refreshed lifetime is no news, and a device
 * unregistered is rtnl_notify_gone's. A copy as it was then; called as
 * the address listener, in the same order as its news. */
enum ipv6_route_event { IPV6_ROUTE_DELETED, IPV6_ROUTE_ADDED, IPV6_ROUTE_REPLACED };
typedef void (*ipv6_route_news_fn)(const struct ipv6_route *r, enum ipv6_route_event ev);
void ipv6_route_listen(ipv6_route_news_fn fn);
/* The device of ifindex is being unregistered: its addresses and with
 * them its multicast groups, its routes, its state and its neighbours
 * go, whether it was up or not. */
void addrconf_dev_forget(int ifindex);
/* The periodic work: DAD, router solicitations, lifetimes. Network thread, each 250 ms. */
void addrconf_timer(uint64_t now);
/* Neighbor Discovery's news for addresses: a DAD probe or an
 * advertisement for target a, which this host has (tentative or not):
 * a tentative one fails DAD. True when a was tentative. */
bool addrconf_dad_conflict(struct netdev *dev, const struct in6 *a);
/* An MLD query came on dev: a report of its groups answers it. */
void addrconf_mld_query(struct netdev *dev);
/* A router advertisement (checked: hop limit 255, link-local source). */
void addrconf_ra(struct netdev *dev, const struct ipv6_info *ip, const struct icmp6_info *ic);

/* ip -6 addr add (netlink): a on dev with its prefix route, tentative
 * and through DAD unless nodad; an address already there is -EEXIST
 * unless replace (then 0). 0, -EEXIST, -ENOSPC, -EINVAL (multicast,
 * ::, a prefix over 128). ip -6 addr del: 0 or -EADDRNOTAVAIL. */
int addrconf_addr_add(struct netdev *dev, const struct in6 *a, uint8_t prefix, bool nodad, bool replace);
int addrconf_addr_del(struct netdev *dev, const struct in6 *a, uint8_t prefix);
/* A route asked for by hand (RTM_NEWROUTE, checked by the caller: r's
 * device exists, its prefix is masked), with fib6_add_rt2node's rules
 * for a route of the same destination, prefix and metric: NLM_F_EXCL
 * -EEXIST; NLM_F_REPLACE puts r in the first one's place (news:
 * IPV6_ROUTE_REPLACED), -ENOENT when there is none unless NLM_F_CREATE;
 * otherwise the same device and gateway is -EEXIST (its expiry set to
 * r's if it had one) and another goes beside it (Linux: a multipath
 * sibling; here the lookup takes the first). -ENOSPC: the table is full. */
int ipv6_route_user_add(const struct ipv6_route *r, unsigned nlflags);
/* Linux's checks of the next hop of a route asked for by hand
 * (fib6_nh_init, ip6_validate_gw): the device named exists (else
 * -ENODEV) and is up (-ENETDOWN); with gateway, a gateway that is not
 * link-local is reached by a route of no gateway of its own (whose
 * device becomes r's when none is named; else -EHOSTUNREACH), the
 * device is not lo and the gateway not this host's (-EINVAL); without
 * one, a route through lo to anywhere but ::1 is Linux's reject route,
 * which Kestrel has not (-EOPNOTSUPP). *why: Linux's message for an
 * -EINVAL or -ENETDOWN (netlink's extack), untouched otherwise. */
int ipv6_route_user_check(struct ipv6_route *r, bool gateway, const char **why);
/* RTM_DELROUTE (ip6_route_del): of the routes of r's destination and
 * prefix, the one of lowest metric whose device (r->ifindex 0: any),
 * gateway (gateway false: any), metric (0: any) and protocol (0: any)
 * match goes: 0 or -ESRCH. */
int ipv6_route_user_del(const struct ipv6_route *r, bool gateway);
/* Is a an address of device ifindex (0: of any device), tentative or not? */
bool ipv6_addr_on(int ifindex, const struct in6 *a);
/* The i-th address / route: true and *out, or false past the last. */
bool ipv6_addr_get(unsigned i, struct ipv6_ifaddr *out);
/* The same, in a dump's order (Linux's inet6_dump_addr): by device, each
 * device's in the order of Linux's list of them (ipv6_dev_addrs'). */
bool ipv6_addr_get_listed(unsigned i, struct ipv6_ifaddr *out);
/* Up to max of device ifindex's addresses into out, in the order of
 * Linux's list of them (global first, then link, then host scope; the
 * newest first within one): how many. */
unsigned ipv6_dev_addrs(int ifindex, struct ipv6_ifaddr *out, unsigned max);
bool ipv6_route_get(unsigned i, struct ipv6_route *out);

/* IPv6's (Linux's __ip6_rt_update_pmtu): at least 1280, only lower.
 * ifindex: the link the ICMP came in on, which a link-local or multicast
 * dst is looked up through. */
uint32_t ipv6_update_pmtu(const struct in6 *dst, int ifindex, uint32_t mtu);

#endif
