/* SPDX-License-Identifier: MIT */
/* Bringing a network interface up or down. */
#ifndef KESTREL_NET_IFSTATE_H
#define KESTREL_NET_IFSTATE_H

struct netdev;

/* Bring dev up (ops->open, IFF_UP, its addresses' subnet routes and a
 * gratuitous ARP) or down (IFF_UP off, ops->stop, its routes and ARP
 * entries gone; its addresses stay, as Linux's). 0 or the driver's error. */
int net_dev_up(struct netdev *dev);
void net_dev_down(struct netdev *dev);

#endif
