// SPDX-License-Identifier: MIT
/*
 * Kestrel: an interface up or down (net/ifstate.h): the driver's open
 * or stop, IFF_UP, and what IPv4 keeps for it (its addresses' routes,
 * its ARP entries) and IPv6 (its link-local address and autoconfiguration). Below the sockets and ioctls that ask for it, above
 * netdev and IPv4.
 *
 * Unregistering a device (net_dev_unregister) is Linux's
 * unregister_netdevice in the order it does it: out of the lookups,
 * down, its addresses and what hangs off them gone, the listeners told
 * (a notifier chain, as Linux's netdevice notifiers: the sockets and
 * netlink above register with it at boot, so that this file calls
 * nothing above it), then the wait for its last reference.
 *
 * The link listeners (netlink's RTM_NEWLINK) hear of IFF_UP changing
 * here and of carrier changes in the network thread's linkwatch turn.
 *
 * Lock rule: IFF_UP changes atomically; IPv4's tables take their own
 * lock; listeners[] and link_listeners[] are written at boot only.
 */
#include "net/ifstate.h"
#include "net/arp.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/ndisc.h"
#include "net/netdev.h"
#include "log.h"

static net_dev_gone_fn listeners[NET_GONE_LISTENERS];
static unsigned nlisteners;
static net_link_news_fn link_listeners[NET_LINK_LISTENERS];
static unsigned nlink_listeners;

void net_link_listen(net_link_news_fn fn)
{
	if (nlink_listeners < NET_LINK_LISTENERS)
		link_listeners[nlink_listeners++] = fn;
	else
		klog(LOG_WARN, "net: too many link listeners\n");
}

static void tell_link(const struct netdev *dev, enum net_link_event ev)
{
	for (unsigned i = 0; i < nlink_listeners; i++)
		link_listeners[i](dev, ev);
}

int net_dev_up(struct netdev *dev)
{
	if (dev->flags & IFF_UP)
		return 0;
	int err = dev->ops->open ? dev->ops->open(dev) : 0;
	if (err)
		return err;
	__atomic_or_fetch(&dev->flags, IFF_UP, __ATOMIC_RELAXED);
	tell_link(dev, NET_LINK_UP);
	ipv4_dev_up(dev->ifindex);
	addrconf_dev_up(dev);
	return 0;
}

/* net_dev_down; tell false for an unregistering, whose listeners hear
 * the whole departure from rtnl_notify_gone instead. */
static void dev_down(struct netdev *dev, bool tell)
{
	if (!(dev->flags & IFF_UP))
		return;
	__atomic_and_fetch(&dev->flags, ~(uint32_t)IFF_UP, __ATOMIC_RELAXED);
	if (dev->ops->stop)
		dev->ops->stop(dev);
	if (tell)
		tell_link(dev, NET_LINK_DOWN);
	ipv4_dev_down(dev->ifindex);
	addrconf_dev_down(dev, tell);
}

void net_dev_down(struct netdev *dev)
{
	dev_down(dev, true);
}

void net_dev_set_mtu(struct netdev *dev, uint32_t mtu)
{
	/* netdev.h names no setter: one aligned store, read whole by the stack */
	if (__atomic_exchange_n(&dev->mtu, mtu, __ATOMIC_RELAXED) != mtu)
		tell_link(dev, NET_LINK_CHANGE);
}

void net_dev_set_txqlen(struct netdev *dev, uint32_t len)
{
	if (__atomic_exchange_n(&dev->tx_queue_len, len, __ATOMIC_RELAXED) != len)
		tell_link(dev, NET_LINK_CHANGE);
}

void net_linkwatch_run(void)
{
	if (!netdev_link_events_take())
		return;
	for (struct netdev *dev = netdev_first(); dev; dev = netdev_next(dev))
		if (netdev_link_event_take(dev) && (dev->flags & IFF_UP))
			tell_link(dev, NET_LINK_CARRIER);
}

void net_dev_gone_listen(net_dev_gone_fn fn)
{
	if (nlisteners < NET_GONE_LISTENERS)
		listeners[nlisteners++] = fn;
	else
		klog(LOG_WARN, "net: too many unregister listeners\n");
}

/* After dev's last reference: what points at it without holding it.
 * Nothing can find dev any more, so nothing new comes: the neighbour
 * entries a holder made since the first flush, and reassembly queues
 * with pieces that came on it. */
static void purge(struct netdev *dev)
{
	arp_forget_dev(dev->ifindex);
	ndisc_forget_dev(dev->ifindex);
	ipv4_frag_forget_dev(dev);
	ipv6_frag_forget_dev(dev);
}

/* dev's IPv6 routes and addresses into what (before net_dev_down takes
 * them, as Linux's NETDEV_DOWN does with its notifications). */
static void list_ipv6(const struct netdev *dev, struct net_dev_gone *what)
{
	struct ipv6_route r;
	for (unsigned i = 0; what->nr6 < NET_GONE_ROUTES && ipv6_route_get(i, &r); i++)
		if (r.ifindex == dev->ifindex)
			what->r6[what->nr6++] = r;
	what->nv6 = (int)ipv6_dev_addrs(dev->ifindex, what->v6, NET_GONE_ADDRS); /* in Linux's order */
}

void net_dev_unregister(struct netdev *dev)
{
	struct net_dev_gone what = { 0 }; /* about 1.5 KiB of the stack */

	netdev_unlist(dev);
	what.was_up = dev->flags & IFF_UP;
	list_ipv6(dev, &what);
	dev_down(dev, false);
	what.nv4 = ipv4_dev_forget(dev->ifindex, what.v4, NET_GONE_ADDRS);
	addrconf_dev_forget(dev->ifindex);
	for (unsigned i = 0; i < nlisteners; i++)
		listeners[i](dev, &what);
	netdev_unregister(dev, purge);
}
