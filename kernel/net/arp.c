// SPDX-License-Identifier: MIT
/*
 * Kestrel: ARP (net/arp.h), IPv4's half of the neighbour cache over
 * Ethernet: the table, its states and times are neigh.c's; here are
 * ARP's packets. A request for one of our addresses is answered and
 * leaves its sender in the cache (STALE), as Linux's arp_process; an
 * unsolicited reply or a gratuitous ARP only updates an entry that
 * exists (arp_accept 0). An address ARP gives up on earns the waiting
 * packets' senders an ICMP host unreachable.
 *
 * Lock rule: the table's own (neigh.h); this file keeps no state.
 */
#include "net/arp.h"
#include "net/neigh.h"
#include "net/ether.h"
#include "net/icmp.h"
#include "net/ipv4.h"
#include "net/netdev.h"
#include "net/wire.h"
#include "lib/string.h"

static void solicit_v4(struct netdev *dev, const uint8_t *key, const uint8_t *mac);
static void unreachable_v4(struct netbuf *nb);

static const struct neigh_ops arp_ops = {
	.ethertype = ETH_P_IP, .solicit = solicit_v4, .unreachable = unreachable_v4,
};
static struct neigh_entry entries[ARP_CACHE_MAX];
static struct neigh_table table = NEIGH_TABLE_INIT(&arp_ops, sizeof(uint32_t), entries);

void arp_init(void)
{
}

static const uint8_t *key_of(const uint32_t *ip)
{
	return (const uint8_t *)ip;
}

/* ---- sending ------------------------------------------------------------------- */

/* An ARP packet from dev's address src_ip. Broadcast when to_mac is NULL. */
static void send_arp(struct netdev *dev, uint16_t op, uint32_t src_ip, uint32_t dst_ip,
		     const uint8_t *to_mac)
{
	struct netbuf *nb = netbuf_alloc(NETBUF_HEADROOM, ARP_LEN);
	if (!nb)
		return;
	struct arp_info a = { .op = op, .spa = src_ip, .tpa = dst_ip };
	memcpy(a.sha, dev->mac, ETH_ALEN);
	if (to_mac && op == ARP_OP_REPLY)
		memcpy(a.tha, to_mac, ETH_ALEN);
	arp_build(netbuf_put(nb, ARP_LEN), &a);
	ether_output(dev, nb, to_mac ? to_mac : ether_broadcast, ETH_P_ARP);
}

/* The table's solicitation: a request from dev's address, broadcast or to mac. */
static void solicit_v4(struct netdev *dev, const uint8_t *key, const uint8_t *mac)
{
	uint32_t ip;
	memcpy(&ip, key, sizeof(ip));
	send_arp(dev, ARP_OP_REQUEST, ipv4_dev_addr(dev->ifindex), ip, mac);
}

static void unreachable_v4(struct netbuf *nb)
{
	icmp_send_error(nb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
}

/* ---- output --------------------------------------------------------------------- */

int arp_output(struct netdev *dev, uint32_t nexthop, struct netbuf *nb)
{
	return neigh_output(&table, dev, key_of(&nexthop), nb);
}

void arp_announce(struct netdev *dev, uint32_t addr)
{
	if (dev->type == ARPHRD_ETHER && (dev->flags & IFF_UP))
		send_arp(dev, ARP_OP_REQUEST, addr, addr, NULL);
}

/* ---- input ---------------------------------------------------------------------- */

void arp_input(struct netbuf *nb)
{
	struct netdev *dev = nb->dev;
	struct arp_info a;

	if (arp_parse(nb->data, nb->len, &a) != WIRE_OK || eth_is_multicast(a.sha) ||
	    (a.spa >> 24) == 127 || a.spa == INADDR_BROADCAST) {
		netdev_count(&dev->stats.rx_dropped, 1);
		netbuf_free(nb);
		return;
	}
	bool for_us = ipv4_is_local(a.tpa) && ipv4_dev_addr(dev->ifindex) != 0;
	if (a.spa) /* 0.0.0.0: a duplicate-address probe teaches nothing */
		neigh_update(&table, dev->ifindex, key_of(&a.spa), a.sha,
			     NEIGH_OVERRIDE | (for_us && a.op == ARP_OP_REQUEST ? NEIGH_CREATE : 0) |
			     (a.op == ARP_OP_REPLY ? NEIGH_SOLICITED : 0));
	if (for_us && a.op == ARP_OP_REQUEST)
		send_arp(dev, ARP_OP_REPLY, a.tpa, a.spa ? a.spa : a.tpa, a.sha);
	netbuf_free(nb);
}

/* ---- time, and the table as /proc/net/arp and SIOC*ARP see it ---------------- */

void arp_timer(uint64_t now)
{
	neigh_timer(&table, now);
}

void arp_flush_dev(int ifindex)
{
	neigh_flush_dev(&table, ifindex, true); /* neigh_ifdown: the permanent ones too */
}

void arp_forget_dev(int ifindex)
{
	neigh_flush_dev(&table, ifindex, true);
}

bool arp_entry_get(unsigned i, struct arp_entry_info *out)
{
	struct neigh_info n;
	if (!neigh_get(&table, i, &n))
		return false;
	*out = (struct arp_entry_info){ .ifindex = n.ifindex, .state = n.state };
	memcpy(&out->ip, n.key, sizeof(out->ip));
	memcpy(out->mac, n.mac, ETH_ALEN);
	return true;
}

int arp_entry_set(int ifindex, uint32_t ip, const uint8_t mac[6])
{
	return neigh_set_permanent(&table, ifindex, key_of(&ip), mac);
}

int arp_entry_del(int ifindex, uint32_t ip)
{
	return neigh_delete(&table, ifindex, key_of(&ip));
}
