// SPDX-License-Identifier: MIT
/*
 * Kestrel: an interface up or down (net/ifstate.h): the driver's open
 * or stop, IFF_UP, and what IPv4 keeps for it (its addresses' routes,
 * its ARP entries) and IPv6 (its link-local address and autoconfiguration). Below the sockets and ioctls that ask for it, above
 * netdev and IPv4.
 *
 * Lock rule: IFF_UP changes atomically; IPv4's tables take their own lock.
 */
#include "net/ifstate.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/netdev.h"

int net_dev_up(struct netdev *dev)
{
	if (dev->flags & IFF_UP)
		return 0;
	int err = dev->ops->open ? dev->ops->open(dev) : 0;
	if (err)
		return err;
	__atomic_or_fetch(&dev->flags, IFF_UP, __ATOMIC_RELAXED);
	ipv4_dev_up(dev->ifindex);
	addrconf_dev_up(dev);
	return 0;
}

void net_dev_down(struct netdev *dev)
{
	if (!(dev->flags & IFF_UP))
		return;
	__atomic_and_fetch(&dev->flags, ~(uint32_t)IFF_UP, __ATOMIC_RELAXED);
	if (dev->ops->stop)
		dev->ops->stop(dev);
	ipv4_dev_down(dev->ifindex);
	addrconf_dev_down(dev);
}
