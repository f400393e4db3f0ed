/* SPDX-License-Identifier: MIT */
/* Ethernet II framing: the received frame's dispatch by EtherType, and the header in front of a frame to send. lo's frames carry the same header, with zero addresses, as Linux's. */
#ifndef KESTREL_NET_ETHER_H
#define KESTREL_NET_ETHER_H

#include <stdbool.h>
#include <stdint.h>
#include "net/netbuf.h"

struct netdev;

/* A received frame (nb->dev set, data at the Ethernet header). Owns nb.
 * The network thread. */
void ether_input(struct netbuf *nb);
/* Push the Ethernet header (dst, dev's address, type) and send nb on
 * dev. Owns nb. 0 or netdev_xmit's error. */
int ether_output(struct netdev *dev, struct netbuf *nb, const uint8_t dst[6], uint16_t type);

/* tap sees every received IPv4 packet (data at its IP header) first and
 * returns true when it took it (then it owns it). NULL: none. The
 * network thread calls it; set it only while nothing is received. */
void ether_set_ip_tap(bool (*tap)(struct netbuf *nb));

/* tap sees every frame for this host (data at its Ethernet header), and
 * takes copies (AF_PACKET); idle says, without the kernel lock, that it
 * has nobody to copy to. Boot time. */
void ether_set_packet_tap(void (*tap)(const struct netbuf *nb), bool (*idle)(void));
/* lo's frame without the kernel lock (issue 29): up the stack when it is
 * an IPv4 or IPv6 packet no tap looks at and its protocol takes it so
 * (ipv4_input_nolock, ipv6_input_nolock): true, nb taken; else false,
 * nb as it came, for ether_input under the kernel lock. */
bool ether_input_nolock(struct netbuf *nb);

extern const uint8_t ether_broadcast[6];

#endif
