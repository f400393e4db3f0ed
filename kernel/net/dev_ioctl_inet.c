// SPDX-License-Identifier: MIT
/*
 * Kestrel: AF_INET's interface requests (net/dev_ioctl.h), as Linux
 * 6.1's inet_ioctl hands them on: the IPv4 addresses of an interface
 * (devinet_ioctl: SIOCG/SIFADDR, NETMASK, BRDADDR, DSTADDR, and
 * SIOCSIFFLAGS on an alias), the routing table (ip_rt_ioctl with
 * rtentry_to_fib_config: SIOCADDRT, SIOCDELRT) and the ARP cache
 * (arp_ioctl: SIOCGARP, SIOCSARP, SIOCDARP), with Linux's checks in
 * Linux's order, so that each error is the one Linux gives.
 *
 * An address is changed by taking it off and putting it back with its
 * new mask or broadcast (Linux's inet_del_ifa then inet_insert_ifa):
 * its subnet route follows, and a gratuitous ARP announces it again.
 * Addresses are in network byte order in the user's structures and in
 * host order in net/ipv4.h's.
 *
 * Lock rule: none of its own; ipv4_config.c and arp.c lock their tables.
 */
#include "net/dev_ioctl.h"
#include "net/arp.h"
#include "net/ipv4.h"
#include "net/netdev.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "proc/process.h"
#include "uapi/capability.h"
#include "uapi/in.h"
#include "uapi/route.h"
#include "uapi/sockios.h"

#define IN_CLASSA_PREFIX 8
#define IN_CLASSB_PREFIX 16
#define IN_CLASSC_PREFIX 24

static uint32_t ntoh32(uint32_t v)
{
	return __builtin_bswap32(v);
}

static struct sockaddr_in *sin_of(struct sockaddr *sa)
{
	return (struct sockaddr_in *)sa;
}

/* The classful prefix SIOCSIFADDR gives an address (Linux's
 * inet_abc_len), -1 for a multicast one. Host order. */
static int abc_len(uint32_t a)
{
	if (a == 0 || a == INADDR_BROADCAST)
		return 0;
	if (!(a & 0x80000000u))
		return IN_CLASSA_PREFIX;
	if ((a & 0xc0000000u) == 0x80000000u)
		return IN_CLASSB_PREFIX;
	if ((a & 0xe0000000u) == 0xc0000000u)
		return IN_CLASSC_PREFIX;
	if ((a & 0xf0000000u) == 0xe0000000u)
		return -1;
	return 32;
}

/* Is mask not a contiguous mask, or has addr bits outside it (Linux's bad_mask)? Host order. */
static bool bad_mask(uint32_t mask, uint32_t addr)
{
	if (addr & ~mask)
		return true;
	uint32_t host = ~mask;
	return (host & (host + 1)) != 0;
}

/* ---- addresses (devinet_ioctl) ---------------------------------------------------- */

/* The address of dev labelled `label`, with local address want when
 * match_addr (a 4.4BSD caller names the address), else the first so
 * labelled. True and *out when there is one. */
static bool find_ifaddr(const struct netdev *dev, const char *label, bool match_addr, uint32_t want,
			struct ipv4_ifaddr *out)
{
	struct ipv4_ifaddr a;

	for (int pass = match_addr ? 0 : 1; pass < 2; pass++)
		for (unsigned i = 0; ipv4_addr_get(i, &a); i++)
			if (a.ifindex == dev->ifindex && strncmp(a.label, label, IFNAMSIZ) == 0 &&
			    (pass == 1 || a.addr == want)) {
				*out = a;
				return true;
			}
	return false;
}

/* Put a back with a new mask and broadcast (Linux's del + insert). */
static long readd(const struct ipv4_ifaddr *a, unsigned prefix, uint32_t bcast)
{
	ipv4_addr_del(a->ifindex, a->addr);
	return ipv4_addr_add(a->ifindex, a->addr, (uint8_t)prefix, bcast);
}

/* SIOCSIFADDR: the address, with its classful mask and broadcast; 0.0.0.0 takes it away. */
static long set_addr(struct netdev *dev, const struct ipv4_ifaddr *old, uint32_t addr)
{
	int prefix = abc_len(addr);

	if (prefix < 0)
		return -EINVAL;
	if (old && old->addr == addr)
		return 0;
	if (old)
		ipv4_addr_del(dev->ifindex, old->addr);
	if (!addr)
		return 0;
	if (dev->flags & IFF_POINTOPOINT)
		prefix = 32;
	uint32_t mask = ipv4_prefix_mask((unsigned)prefix);
	uint32_t bcast = (dev->flags & IFF_BROADCAST) && prefix < 31 ? addr | ~mask : 0;
	return ipv4_addr_add(dev->ifindex, addr, (uint8_t)prefix, bcast);
}

/* SIOCSIFNETMASK: a contiguous mask; the broadcast follows it when it was the default one. */
static long set_netmask(struct netdev *dev, const struct ipv4_ifaddr *a, uint32_t mask)
{
	if (bad_mask(mask, 0))
		return -EINVAL;
	if (mask == a->mask)
		return 0;
	unsigned prefix = ipv4_mask_prefix(mask);
	uint32_t bcast = a->bcast;
	if ((dev->flags & IFF_BROADCAST) && prefix < 31 && a->bcast == (a->addr | ~a->mask))
		bcast = a->addr | ~mask;
	return readd(a, prefix, bcast);
}

/* The changes, on dev's address a (NULL: it has none; only SIOCSIFADDR
 * and SIOCSIFFLAGS get here then). alias: the name had a colon. */
static long addr_change(unsigned long req, struct netdev *dev, const struct ipv4_ifaddr *a, bool alias,
			const struct ifreq *ifr)
{
	uint32_t v = ntoh32(sin_of((struct sockaddr *)&ifr->ifr_ifru.ifru_addr)->sin_addr);

	switch (req) {
	case SIOCSIFFLAGS:
		if (!alias)
			return dev_ioctl_change_flags(dev, (uint32_t)(int32_t)ifr->ifr_ifru.ifru_flags);
		if (!a)
			return -EADDRNOTAVAIL;
		if (!(ifr->ifr_ifru.ifru_flags & IFF_UP))
			ipv4_addr_del(a->ifindex, a->addr);
		return 0;
	case SIOCSIFADDR:
		return set_addr(dev, a, v);
	case SIOCSIFBRDADDR:
		return a->bcast == v ? 0 : readd(a, a->prefix, v);
	case SIOCSIFDSTADDR: /* the peer of a point-to-point link: Kestrel has none to change */
		if (a->addr == v)
			return 0;
		return abc_len(v) < 0 ? -EINVAL : -EOPNOTSUPP;
	case SIOCSIFNETMASK:
		return set_netmask(dev, a, v);
	default:
		return -EINVAL;
	}
}

/* The answers, from dev's address a, into ifr's (cleared) address. */
static void addr_answer(unsigned long req, const struct ipv4_ifaddr *a, struct ifreq *ifr)
{
	uint32_t v = req == SIOCGIFBRDADDR ? a->bcast : req == SIOCGIFNETMASK ? a->mask : a->addr;

	sin_of(&ifr->ifr_ifru.ifru_addr)->sin_addr = ntoh32(v);
}

static bool is_get_addr(unsigned long req)
{
	return req == SIOCGIFADDR || req == SIOCGIFBRDADDR || req == SIOCGIFDSTADDR || req == SIOCGIFNETMASK;
}

/* The checks before the device is looked at, in Linux's order: a
 * reader's address is cleared to AF_INET, a writer needs CAP_NET_ADMIN
 * and an AF_INET address. 0 or the error. */
static long addr_precheck(unsigned long req, struct ifreq *ifr)
{
	struct sockaddr_in *sin = sin_of(&ifr->ifr_ifru.ifru_addr);

	if (is_get_addr(req)) {
		memset(sin, 0, sizeof(*sin));
		sin->sin_family = AF_INET;
		return 0;
	}
	if (!capable(CAP_NET_ADMIN))
		return -EPERM;
	if (req != SIOCSIFFLAGS && sin->sin_family != AF_INET)
		return -EINVAL;
	return 0;
}

/* Linux's devinet_ioctl on the copied ifreq. */
static long addr_request(unsigned long req, struct ifreq *ifr)
{
	char name[IFNAMSIZ];
	struct sockaddr_in orig = *sin_of(&ifr->ifr_ifru.ifru_addr);

	ifr->ifr_name[IFNAMSIZ - 1] = 0;
	long err = addr_precheck(req, ifr);
	if (err)
		return err;
	memcpy(name, ifr->ifr_name, IFNAMSIZ);
	char *colon = strchr(name, ':');
	if (colon)
		*colon = 0;
	struct netdev *dev = netdev_by_name(name);
	if (!dev)
		return -ENODEV;
	struct ipv4_ifaddr a = { 0 };
	bool match = is_get_addr(req) && orig.sin_family == AF_INET;
	bool have = find_ifaddr(dev, ifr->ifr_name, match, ntoh32(orig.sin_addr), &a);
	if (!have && req != SIOCSIFADDR && req != SIOCSIFFLAGS)
		err = -EADDRNOTAVAIL;
	else if (!is_get_addr(req))
		err = addr_change(req, dev, have ? &a : NULL, colon != NULL, ifr);
	else
		addr_answer(req, &a, ifr);
	netdev_put(dev);
	return err;
}

long dev_ioctl_inet_addr(unsigned long req, uptr_t arg)
{
	struct ifreq ifr;

	if (copy_from_user(&ifr, arg, sizeof(ifr)))
		return -EFAULT;
	long r = addr_request(req, &ifr);
	if (!r && is_get_addr(req) && copy_to_user(arg, &ifr, sizeof(ifr)))
		return -EFAULT;
	return r;
}

/* ---- routes (ip_rt_ioctl) -------------------------------------------------------- */

/* rt_dev, a user pointer to a name, as an ifindex into *ifindex (0 when
 * rt_dev is 0). 0, -EFAULT or -ENODEV. */
static long route_dev(uptr_t rt_dev, int *ifindex)
{
	char name[IFNAMSIZ] = { 0 };

	*ifindex = 0;
	if (!rt_dev)
		return 0;
	if (copy_from_user(name, rt_dev, IFNAMSIZ - 1))
		return -EFAULT;
	char *colon = strchr(name, ':');
	if (colon)
		*colon = 0;
	struct netdev *dev = netdev_by_name(name);
	if (!dev)
		return -ENODEV;
	*ifindex = dev->ifindex;
	netdev_put(dev);
	return 0;
}

/* The destination and its prefix (Linux's rtentry_to_fib_config, first half). */
static long route_dst(struct rtentry *rt, struct ipv4_route *r)
{
	if (rt->rt_dst.sa_family != AF_INET)
		return -EAFNOSUPPORT;
	uint32_t addr = ntoh32(sin_of(&rt->rt_dst)->sin_addr);
	unsigned prefix = 32;
	if (!(rt->rt_flags & RTF_HOST)) {
		uint32_t mask = ntoh32(sin_of(&rt->rt_genmask)->sin_addr);
		if (rt->rt_genmask.sa_family != AF_INET && (mask || rt->rt_genmask.sa_family))
			return -EAFNOSUPPORT;
		if (bad_mask(mask, addr))
			return -EINVAL;
		prefix = ipv4_mask_prefix(mask);
	}
	r->dst = addr;
	r->prefix = (uint8_t)prefix;
	r->mask = ipv4_prefix_mask(prefix);
	return 0;
}

/* struct rtentry as a route of net/ipv4.h (the rest of rtentry_to_fib_config). */
static long route_of(unsigned long req, struct rtentry *rt, struct ipv4_route *r)
{
	memset(r, 0, sizeof(*r));
	long err = route_dst(rt, r);
	if (err)
		return err;
	if (rt->rt_metric)
		r->metric = (uint32_t)(rt->rt_metric - 1);
	if (rt->rt_flags & RTF_REJECT) /* an unreachable route: Kestrel's table has no route types */
		return -EOPNOTSUPP;
	if ((err = route_dev(rt->rt_dev, &r->ifindex)))
		return err;
	uint32_t gw = ntoh32(sin_of(&rt->rt_gateway)->sin_addr);
	if (rt->rt_gateway.sa_family == AF_INET && gw)
		r->gateway = gw;
	if (req == SIOCDELRT)
		return 0;
	if ((rt->rt_flags & RTF_GATEWAY) && !r->gateway)
		return -EINVAL;
	r->protocol = RTPROT_BOOT;
	r->scope = (rt->rt_flags & RTF_GATEWAY) && r->gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	return 0;
}

long dev_ioctl_inet_route(unsigned long req, uptr_t arg)
{
	struct rtentry rt;
	struct ipv4_route r;

	if (copy_from_user(&rt, arg, sizeof(rt)))
		return -EFAULT;
	if (!capable(CAP_NET_ADMIN))
		return -EPERM;
	long err = route_of(req, &rt, &r);
	if (err)
		return err;
	if (req == SIOCDELRT)
		return ipv4_route_del(&r);
	if (!r.ifindex && !r.gateway) /* fib_check_nh: no device to send on */
		return -ENODEV;
	return ipv4_route_add(&r);
}

/* ---- the ARP cache (arp_ioctl) ------------------------------------------------------ */

/* The device the request names, or the one the route to ip uses (Linux's
 * ip_route_output with RTO_ONLINK), held. NULL and *err when there is none. */
static struct netdev *arp_dev_for(struct netdev *named, uint32_t ip, long *err)
{
	struct ipv4_dst d;

	if (named) {
		netdev_hold(named);
		return named;
	}
	*err = ipv4_route_lookup(ip, NULL, &d);
	return *err ? NULL : d.dev;
}

/* The entry for ip on dev: true and *out when there is one. */
static bool arp_find(const struct netdev *dev, uint32_t ip, struct arp_entry_info *out)
{
	for (unsigned i = 0; arp_entry_get(i, out); i++)
		if (out->ip == ip && out->ifindex == dev->ifindex)
			return true;
	return false;
}

/* SIOCGARP: the entry's address and flags (ENXIO: none, or one of NOARP). */
static long arp_get(struct arpreq *r, struct netdev *dev, uint32_t ip)
{
	struct arp_entry_info e;

	if (!arp_find(dev, ip, &e) || (e.state & NUD_NOARP))
		return -ENXIO;
	memcpy(r->arp_ha.sa_data, e.mac, ETH_ALEN);
	r->arp_flags = e.state & NUD_PERMANENT ? ATF_PERM | ATF_COM : e.state & NUD_VALID ? ATF_COM : 0;
	r->arp_ha.sa_family = dev->type;
	memset(r->arp_dev, 0, sizeof(r->arp_dev));
	memcpy(r->arp_dev, dev->name, IFNAMSIZ - 1);
	return 0;
}

/* SIOCSARP: a complete entry. Kestrel's cache takes only permanent ones
 * by hand: an entry set without ATF_PERM is permanent too. */
static long arp_set(struct arpreq *r, struct netdev *named, uint32_t ip)
{
	long err = 0;
	struct arp_entry_info e;

	if (r->arp_flags & ATF_PUBL) /* proxy ARP */
		return -EOPNOTSUPP;
	if (r->arp_flags & ATF_PERM)
		r->arp_flags |= ATF_COM;
	struct netdev *dev = arp_dev_for(named, ip, &err);
	if (!dev)
		return err;
	if (r->arp_ha.sa_family != dev->type)
		err = -EINVAL;
	else if (!(r->arp_flags & ATF_COM)) /* no address: only an entry that has one stays */
		err = arp_find(dev, ip, &e) && (e.state & NUD_VALID) ? 0 : -EINVAL;
	else
		err = arp_entry_set(dev->ifindex, ip, r->arp_ha.sa_data);
	netdev_put(dev);
	return err;
}

/* SIOCDARP: the entry goes (ENXIO: there was none). */
static long arp_del(struct arpreq *r, struct netdev *named, uint32_t ip)
{
	long err = 0;

	if (r->arp_flags & ATF_PUBL)
		return -EOPNOTSUPP;
	struct netdev *dev = arp_dev_for(named, ip, &err);
	if (!dev)
		return err;
	err = arp_entry_del(dev->ifindex, ip);
	netdev_put(dev);
	return err;
}

/* The checks of arp_ioctl on the copied request, in its order; the named
 * device (or NULL) into *dev, held (also when the checks fail). */
static long arp_precheck(unsigned long req, struct arpreq *r, struct netdev **dev)
{
	*dev = NULL;
	if (r->arp_pa.sa_family != AF_INET)
		return -EPFNOSUPPORT;
	if (!(r->arp_flags & ATF_PUBL) && (r->arp_flags & (ATF_NETMASK | ATF_DONTPUB)))
		return -EINVAL;
	r->arp_dev[IFNAMSIZ - 1] = 0;
	if (!r->arp_dev[0])
		return req == SIOCGARP ? -ENODEV : 0;
	if (!(*dev = netdev_by_name(r->arp_dev)))
		return -ENODEV;
	if (!r->arp_ha.sa_family)
		r->arp_ha.sa_family = (*dev)->type;
	if ((r->arp_flags & ATF_COM) && r->arp_ha.sa_family != (*dev)->type)
		return -EINVAL;
	return 0;
}

/* The checked request r on dev (or NULL: the route's), its answer to arg. */
static long arp_request(unsigned long req, struct arpreq *r, struct netdev *dev, uptr_t arg)
{
	uint32_t ip = ntoh32(sin_of(&r->arp_pa)->sin_addr);
	if (req == SIOCDARP)
		return arp_del(r, dev, ip);
	if (req == SIOCSARP)
		return arp_set(r, dev, ip);
	long err = arp_get(r, dev, ip);
	if (!err && copy_to_user(arg, r, sizeof(*r)))
		return -EFAULT;
	return err;
}

long dev_ioctl_inet_arp(unsigned long req, uptr_t arg)
{
	struct arpreq r;
	struct netdev *dev;

	if (req != SIOCGARP && !capable(CAP_NET_ADMIN))
		return -EPERM;
	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	long err = arp_precheck(req, &r, &dev);
	if (!err)
		err = arp_request(req, &r, dev, arg);
	netdev_put(dev);
	return err;
}
