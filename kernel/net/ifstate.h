/* SPDX-License-Identifier: MIT */
/* Bringing a network interface up or down, and unregistering one. */
#ifndef KESTREL_NET_IFSTATE_H
#define KESTREL_NET_IFSTATE_H

#include "net/ipv4.h"
#include "net/ipv6.h"

struct netdev;

/* Bring dev up (ops->open, IFF_UP, its addresses' subnet routes and a
 * gratuitous ARP) or down (IFF_UP off, ops->stop, its routes and ARP
 * entries gone; its IPv4 addresses stay, as Linux's). The link
 * listeners hear of the change before IPv4 and IPv6 do, as Linux's
 * __dev_notify_flags sends RTM_NEWLINK before NETDEV_UP/NETDEV_DOWN.
 * 0 or the driver's error. Process context. */
int net_dev_up(struct netdev *dev);
void net_dev_down(struct netdev *dev);

/* What happened to a device (Linux's NETDEV_UP, NETDEV_DOWN, and
 * linkwatch's NETDEV_CHANGE). */
enum net_link_event { NET_LINK_UP, NET_LINK_DOWN, NET_LINK_CARRIER, NET_LINK_CHANGE };
/* Who hears that a listed device's state changed (netlink: RTM_NEWLINK,
 * as Linux's rtmsg_ifinfo; packet sockets: ENETDOWN): after IFF_UP
 * changed in net_dev_up or net_dev_down, in the caller's context, and
 * after a carrier change of a device that is up (Linux's linkwatch), in
 * the network thread; the kernel lock held in both, as by every system
 * call and kernel thread (the sockets' rule). Boot time; at most
 * NET_LINK_LISTENERS. */
#define NET_LINK_LISTENERS 4
typedef void (*net_link_news_fn)(const struct netdev *dev, enum net_link_event ev);
void net_link_listen(net_link_news_fn fn);
/* Set dev's MTU or queue length, checked by the caller; a change is
 * told to the link listeners (NET_LINK_CHANGE: Linux's NETDEV_CHANGEMTU
 * and NETDEV_CHANGE_TX_QUEUE_LEN, each an RTM_NEWLINK), the same value
 * is nothing. Process context. */
void net_dev_set_mtu(struct netdev *dev, uint32_t mtu);
void net_dev_set_txqlen(struct netdev *dev, uint32_t len);
/* The network thread's turn at the carrier changes drivers reported
 * (netdev_carrier): each device that had one and is up is told once,
 * in its state now (changes between two turns are told as one, as
 * Linux's linkwatch does). */
void net_linkwatch_run(void);

#define NET_GONE_ADDRS 8  /* addresses of each family a departure lists (the notifications') */
#define NET_GONE_ROUTES 8 /* ...and IPv6 routes */

/* What a device that goes had, for those told (Linux's NETDEV_DOWN and
 * NETDEV_UNREGISTER, and the deletions between them): whether it was up,
 * the first NET_GONE_ADDRS addresses of each family and NET_GONE_ROUTES
 * IPv6 routes (IPv4's go without a word on Linux too). */
struct net_dev_gone {
	bool was_up;
	struct ipv4_ifaddr v4[NET_GONE_ADDRS];
	struct ipv6_ifaddr v6[NET_GONE_ADDRS];
	struct ipv6_route r6[NET_GONE_ROUTES];
	int nv4, nv6, nr6;
};

/* Who must hear that a device goes (packet sockets, rtnetlink's
 * listeners): fn is called by net_dev_unregister after the device left
 * every lookup, before its last reference goes, in the unregistering
 * thread (process context, the kernel lock held as by every kernel
 * thread: the sockets' rule). Boot time; at most NET_GONE_LISTENERS. */
#define NET_GONE_LISTENERS 4
typedef void (*net_dev_gone_fn)(const struct netdev *dev, const struct net_dev_gone *what);
void net_dev_gone_listen(net_dev_gone_fn fn);

/*
 * Linux's unregister_netdevice for a driver whose device is gone
 * (unplugged): dev leaves the list and the name and index lookups, goes
 * down, loses its IPv4 and IPv6 addresses (and with them its multicast
 * groups), routes, neighbour entries and reassembly queues; the
 * listeners are told; then the caller sleeps until every reference to
 * dev is gone (net/netdev.h's rule) and what still pointed at it is let
 * go of. On return the driver may free dev. Process context (sleeps);
 * one call per device; never lo.
 */
void net_dev_unregister(struct netdev *dev);

#endif
