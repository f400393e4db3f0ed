/* SPDX-License-Identifier: MIT */
/* ARP (RFC 826): the neighbour cache of IPv4 over Ethernet, with timeouts, the few packets waiting for an answer, and gratuitous ARP. */
#ifndef KESTREL_NET_ARP_H
#define KESTREL_NET_ARP_H

#include <stdbool.h>
#include <stdint.h>
#include "net/netbuf.h"
#include "uapi/rtnetlink.h"

struct netdev;

#define ARP_CACHE_MAX     256    /* entries (gc_thresh3's role) */

struct arp_entry_info {
	uint32_t ip;
	uint8_t mac[6];
	int ifindex;
	uint16_t state;              /* NUD_* (uapi/rtnetlink.h: ip neigh shows them) */
};

void arp_init(void);
/* An ARP packet at nb->data from dev. Owns nb. Network thread. */
void arp_input(struct netbuf *nb);
/* Send nb (data at the IPv4 header) to nexthop on dev: at once when the
 * address is known, else after an ARP answer (a few packets wait; more
 * are dropped, as Linux's unres_qlen). Owns nb. 0, -ENOBUFS, -ENETDOWN. */
int arp_output(struct netdev *dev, uint32_t nexthop, struct netbuf *nb);
/* Announce addr on dev (gratuitous ARP request). */
void arp_announce(struct netdev *dev, uint32_t addr);
/* The cache's periodic work: age entries, retry or give up on
 * incomplete ones. The network thread, about every 100 ms. */
void arp_timer(uint64_t now);
/* Drop every entry of ifindex, the permanent ones too (its device went
 * down: Linux's neigh_ifdown, an RTM_DELNEIGH each). */
void arp_flush_dev(int ifindex);
/* The same, its device being unregistered. */
void arp_forget_dev(int ifindex);
/* The i-th entry: true and *out, or false past the last. */
bool arp_entry_get(unsigned i, struct arp_entry_info *out);
/* Add or replace a permanent entry (SIOCSARP, ip neigh add); delete one. 0, -ENOSPC, -ENXIO. */
int arp_entry_set(int ifindex, uint32_t ip, const uint8_t mac[6]);
int arp_entry_del(int ifindex, uint32_t ip);

#endif
