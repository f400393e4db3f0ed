/* SPDX-License-Identifier: MIT */
/* Neighbor Discovery (RFC 4861): IPv6's neighbour cache over Ethernet, with ARP's states and times, neighbour solicitations and advertisements, and the messages addrconf sends (DAD probes, router solicitations). */
#ifndef KESTREL_NET_NDISC_H
#define KESTREL_NET_NDISC_H

#include <stdbool.h>
#include <stdint.h>
#include "net/netbuf.h"
#include "net/wire6.h"

struct netdev;

#define NDISC_CACHE_MAX 128            /* entries (gc_thresh3's role) */

struct ndisc_entry_info {
	struct in6 addr;
	uint8_t mac[6];
	int ifindex;
	uint16_t state;                /* NUD_* */
	bool router;
};

/* An ND message (NS, NA, RS, RA, redirect), checked by icmp6_parse; the
 * hop limit of 255 is checked here. Does not take nb. Network thread. */
void ndisc_rcv(const struct netbuf *nb, const struct ipv6_info *ip, const struct icmp6_info *ic);
/* Send nb (data at the IPv6 header) to nexthop on dev: at once when its
 * address is known, else after an answer (a few packets wait). Owns nb.
 * 0, -ENOBUFS. */
int ndisc_output(struct netdev *dev, const struct in6 *nexthop, struct netbuf *nb);
/* A neighbour solicitation for target from src (:: for a DAD probe,
 * then with no source link-layer option) to its solicited-node group. */
void ndisc_send_ns(struct netdev *dev, const struct in6 *src, const struct in6 *target);
/* A router solicitation from src (:: with no option) to all-routers. */
void ndisc_send_rs(struct netdev *dev, const struct in6 *src);
/* Learn addr's link-layer address (a router advertisement's source
 * option): an entry is made or refreshed, STALE, as Linux's ndisc_router_discovery. */
void ndisc_learn(struct netdev *dev, const struct in6 *addr, const uint8_t mac[6], bool router);
/* The cache's periodic work, as arp_timer. Network thread. */
void ndisc_timer(uint64_t now);
/* Drop every entry of ifindex, the permanent ones too (its device went
 * down: Linux's neigh_ifdown, an RTM_DELNEIGH each). */
void ndisc_flush_dev(int ifindex);
/* The same, its device being unregistered. */
void ndisc_forget_dev(int ifindex);
/* The i-th entry: true and *out, or false past the last. */
bool ndisc_entry_get(unsigned i, struct ndisc_entry_info *out);
/* ip -6 neigh add (a permanent entry) and del, as arp_entry_set/_del. 0, -ENOSPC, -ENXIO. */
int ndisc_entry_set(int ifindex, const struct in6 *addr, const uint8_t mac[6]);
int ndisc_entry_del(int ifindex, const struct in6 *addr);

#endif
