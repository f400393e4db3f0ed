// SPDX-License-Identifier: MIT
/*
 * Kestrel: the checks of an IPv6 route asked for by hand (net/ipv6.h's
 * ipv6_route_user_check), the same for netlink's RTM_NEWROUTE and the
 * old ioctl's SIOCADDRT, as Linux's ip6_route_info_create and
 * fib6_nh_init make them for both: the next hop's device and gateway.
 * The reason of an -EINVAL or -ENETDOWN is Linux's extack message.
 *
 * Lock rule: none of its own; the devices, addresses and routes are
 * looked up through netdev.h and ipv6.h, which lock their tables.
 */
#include "net/ipv6.h"
#include "net/netdev.h"
#include "lib/errno.h"
#include "uapi/if.h"

/* Is route r, through lo to somewhere not ::1, what Linux makes a reject
 * route of (fib6_is_reject: an address's prefix route on lo is one)? */
static bool route6_rejects(const struct ipv6_route *r)
{
	struct netdev *dev = netdev_by_index(r->ifindex);
	bool lo = dev && dev->type == ARPHRD_LOOPBACK;

	netdev_put(dev);
	return lo && !in6_is_loopback(&r->dst);
}

/* ip6_validate_gw and ip6_route_check_nh: a gateway that is not
 * link-local must be reached by a route of no gateway of its own and
 * not a reject route (on *dev's device if one is named; else that
 * route's device becomes the route's), the device may not be lo, the
 * gateway not this host's. 0, -EINVAL, -EHOSTUNREACH. */
static int route6_gateway(struct ipv6_route *r, struct netdev **dev, const char **why)
{
	const struct in6 *gw = &r->gateway;
	bool ll = in6_is_linklocal(gw) && !in6_is_multicast(gw), named = *dev != NULL;
	struct ipv6_route via;

	if (named && ipv6_addr_on(ll ? (*dev)->ifindex : 0, gw)) {
		*why = "Gateway can not be a local address";
		return -EINVAL;
	}
	if (!ll) {
		if (in6_is_multicast(gw) || in6_is_any(gw)) {
			*why = "Invalid gateway address";
			return -EINVAL;
		}
		if (ipv6_fib_lookup(gw, *dev, &via) || !in6_is_any(&via.gateway) || route6_rejects(&via))
			return -EHOSTUNREACH;
		if (!*dev && !(*dev = netdev_by_index(via.ifindex)))
			return -EHOSTUNREACH;
		r->ifindex = (*dev)->ifindex;
	}
	if (!*dev) {
		*why = "Egress device not specified";
		return -EINVAL;
	}
	if ((*dev)->type == ARPHRD_LOOPBACK) {
		*why = "Egress device can not be loopback device for this route";
		return -EINVAL;
	}
	if (!named && ipv6_addr_on(0, gw)) { /* the device found by the lookup: not checked above */
		*why = "Gateway can not be a local address";
		return -EINVAL;
	}
	return 0;
}

int ipv6_route_user_check(struct ipv6_route *r, bool gateway, const char **why)
{
	struct netdev *dev = NULL;
	int err = 0;

	if (r->ifindex && !(dev = netdev_by_index(r->ifindex)))
		return -ENODEV;
	if (gateway)
		err = route6_gateway(r, &dev, why);
	else if (!dev)
		err = -ENODEV;
	else if (route6_rejects(r))
		err = -EOPNOTSUPP;
	if (!err && !(dev->flags & IFF_UP)) {
		*why = "Nexthop device is not up";
		err = -ENETDOWN;
	}
	netdev_put(dev);
	return err;
}
