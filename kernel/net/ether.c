// SPDX-License-Identifier: MIT
/*
 * Kestrel: Ethernet II (net/ether.h). A frame is checked by eth_parse
 * (wire.c), classified as Linux's eth_type_trans does (to this host,
 * broadcast, multicast, or another host's, which is dropped: no
 * promiscuous mode yet), and handed to ARP, IPv4 or IPv6.
 *
 * Lock rule: none of its own; the network thread alone receives, and
 * senders reach the device through netdev_xmit's tx_lock. lo's drain
 * receives too, under the kernel lock (ether_input) or, for what
 * ether_input_nolock admits, without it: the taps are set at boot and
 * their sockets' lists only asked whether they are empty.
 */
#include "net/ether.h"
#include "net/arp.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/netdev.h"
#include "net/wire.h"
#include "lib/errno.h"
#include "lib/string.h"

const uint8_t ether_broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* A look at every IPv4 frame before IP does (the boot-time DHCP client,
 * which must hear its answers before its device has an address, as
 * Linux's ipconfig does with dev_add_pack). Set at boot only. */
static bool (*ip_tap)(struct netbuf *nb);
/* The packet sockets' look at every frame for this host (AF_PACKET). */
static void (*packet_tap)(const struct netbuf *nb);
static bool (*packet_tap_idle)(void);

#define ETH_TYPE_OFF 12 /* the EtherType's offset in the header */

void ether_set_packet_tap(void (*tap)(const struct netbuf *nb), bool (*idle)(void))
{
	packet_tap_idle = idle;
	packet_tap = tap;
}

void ether_set_ip_tap(bool (*tap)(struct netbuf *nb))
{
	ip_tap = tap;
}

/* Whom the frame is for (NETBUF_*): dev's own address, broadcast, multicast, or another host. */
static uint8_t classify(const struct netdev *dev, const struct eth_info *e)
{
	if (dev->type == ARPHRD_LOOPBACK)
		return NETBUF_HOST;
	if (eth_is_broadcast(e->dst))
		return NETBUF_BROADCAST;
	if (eth_is_multicast(e->dst))
		return NETBUF_MULTICAST;
	return memcmp(e->dst, dev->mac, ETH_ALEN) == 0 ? NETBUF_HOST : NETBUF_OTHERHOST;
}

/* Drop nb, counting it on its device. */
static void drop(struct netbuf *nb)
{
	netdev_count(&nb->dev->stats.rx_dropped, 1);
	netbuf_free(nb);
}

void ether_input(struct netbuf *nb)
{
	struct netdev *dev = nb->dev;
	struct eth_info e;

	if (!(dev->flags & IFF_UP) || eth_parse(nb->data, nb->len, &e) != WIRE_OK) {
		drop(nb);
		return;
	}
	nb->pkt_type = classify(dev, &e);
	if (nb->pkt_type == NETBUF_MULTICAST)
		netdev_count(&dev->stats.rx_multicast, 1);
	nb->protocol = e.type;
	if (packet_tap && nb->pkt_type != NETBUF_OTHERHOST)
		packet_tap(nb);
	netbuf_pull(nb, ETH_HLEN);
	if (nb->pkt_type == NETBUF_OTHERHOST) {
		netbuf_free(nb); /* not for us: not a drop (Linux counts none either) */
		return;
	}
	switch (e.type) {
	case ETH_P_IP:
		if (!ip_tap || !ip_tap(nb))
			ipv4_input(nb);
		break;
	case ETH_P_IPV6:
		ipv6_input(nb);
		break;
	case ETH_P_ARP:
		if (dev->type == ARPHRD_ETHER) {
			arp_input(nb);
			break;
		}
		drop(nb);
		break;
	default:
		drop(nb);
		break;
	}
}

/* Would ether_input hand nb to nothing but IPv4 or IPv6, with no tap looking? */
static bool nolock_fits(const struct netdev *dev, const struct eth_info *e)
{
	if (!(dev->flags & IFF_UP) || (e->type == ETH_P_IP && ip_tap))
		return false;
	return !packet_tap || (packet_tap_idle && packet_tap_idle());
}

/* A look at the EtherType and the packet's own first bytes: true when
 * IPv4 or IPv6 may take it without the kernel lock. */
static bool nolock_may(const struct netbuf *nb)
{
	if (nb->len < ETH_HLEN)
		return false;
	uint16_t type = get_be16(nb->data + ETH_TYPE_OFF);
	if (type == ETH_P_IP)
		return ipv4_nolock_may(nb->data + ETH_HLEN, nb->len - ETH_HLEN);
	if (type == ETH_P_IPV6)
		return ipv6_nolock_may(nb->data + ETH_HLEN, nb->len - ETH_HLEN);
	return false;
}

bool ether_input_nolock(struct netbuf *nb)
{
	struct netdev *dev = nb->dev;
	struct eth_info e;
	/* a look first: what goes to the kernel lock anyway costs the drain no parse */
	if (dev->type != ARPHRD_LOOPBACK || !nolock_may(nb))
		return false;
	if (eth_parse(nb->data, nb->len, &e) != WIRE_OK || !nolock_fits(dev, &e))
		return false;
	uint8_t pkt_type = nb->pkt_type;
	uint16_t protocol = nb->protocol;
	nb->pkt_type = classify(dev, &e);
	nb->protocol = e.type;
	netbuf_pull(nb, ETH_HLEN);
	if (e.type == ETH_P_IP ? ipv4_input_nolock(nb) : ipv6_input_nolock(nb))
		return true;
	netbuf_push(nb, ETH_HLEN); /* the header's bytes are still there */
	nb->pkt_type = pkt_type;
	nb->protocol = protocol;
	return false;
}

int ether_output(struct netdev *dev, struct netbuf *nb, const uint8_t dst[6], uint16_t type)
{
	uint8_t *h = netbuf_push(nb, ETH_HLEN);
	if (!h) {
		netdev_count(&dev->stats.tx_dropped, 1);
		netbuf_free(nb);
		return -ENOBUFS;
	}
	eth_build(h, dst, dev->mac, type);
	nb->dev = dev;
	return netdev_xmit(dev, nb);
}
