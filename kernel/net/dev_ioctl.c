// SPDX-License-Identifier: MIT
/*
 * Kestrel: the interface requests of every socket (net/dev_ioctl.h), as
 * Linux 6.1's sock_ioctl, sock_do_ioctl and net/core/dev_ioctl.c answer
 * them: SIOCGIFCONF (the IPv4 addresses, one struct ifreq each),
 * SIOCGIFNAME, SIOCGIFINDEX, SIOCG/SIFFLAGS, SIOCG/SIFMTU,
 * SIOCGIFHWADDR, SIOCGIFMETRIC, SIOCGIFMAP, SIOCG/SIFTXQLEN, and the
 * changes Linux refuses for a driver that cannot make them. AF_INET's
 * own requests (addresses, routes, ARP) are dev_ioctl_inet.c's, AF_INET6's
 * (routes) dev_ioctl_inet6.c's.
 *
 * Every request copies the user's whole structure in first (a bad
 * pointer is -EFAULT before anything else is looked at), works on the
 * copy, and copies it back only for the requests that return a value,
 * as Linux's get_user_ifreq/put_user_ifreq.
 *
 * Lock rule: none of its own. Devices are found through net/netdev.h
 * (never unregistered, so a pointer stays good); a device's mtu and
 * tx_queue_len are single aligned words, written whole; its flags are
 * changed with an atomic compare-and-swap, as netdev_carrier sets the
 * link bits beside them.
 */
#include "net/ifstate.h"
#include "net/dev_ioctl.h"
#include "net/ipv4.h"
#include "net/net.h"
#include "net/netdev.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "proc/process.h"
#include "uapi/capability.h"
#include "uapi/in.h"
#include "uapi/sockios.h"

/* The flags SIOCSIFFLAGS may change besides IFF_UP (Linux's
 * __dev_change_flags; PROMISC and ALLMULTI are its gflags). */
#define IFF_USER_SETTABLE (IFF_DEBUG | IFF_NOTRAILERS | IFF_NOARP | IFF_DYNAMIC | IFF_MULTICAST | \
			   IFF_PORTSEL | IFF_AUTOMEDIA | IFF_PROMISC | IFF_ALLMULTI)
#define IFREQ_SIZE sizeof(struct ifreq)

bool dev_ioctl_handles(unsigned long req)
{
	switch (req) {
	case SIOCGIFCONF: case SIOCGIFNAME: case SIOCGIFINDEX: case SIOCGIFFLAGS: case SIOCSIFFLAGS:
	case SIOCGIFMETRIC: case SIOCSIFMETRIC: case SIOCGIFMTU: case SIOCSIFMTU: case SIOCGIFHWADDR:
	case SIOCSIFHWADDR: case SIOCGIFMAP: case SIOCSIFMAP: case SIOCGIFTXQLEN: case SIOCSIFTXQLEN:
	case SIOCGIFSLAVE: case SIOCGIFADDR: case SIOCSIFADDR: case SIOCGIFDSTADDR: case SIOCSIFDSTADDR:
	case SIOCGIFBRDADDR: case SIOCSIFBRDADDR: case SIOCGIFNETMASK: case SIOCSIFNETMASK:
	case SIOCADDRT: case SIOCDELRT: case SIOCGARP: case SIOCSARP: case SIOCDARP:
		return true;
	default:
		return false;
	}
}

/* ---- flags ---------------------------------------------------------------------- */

/* The flags as SIOCGIFFLAGS and netlink report them (Linux's
 * dev_get_flags): RUNNING and LOWER_UP only while the device is up and
 * has its link (netdev_carrier keeps both bits together; LOWER_UP is
 * the carrier). */
static uint32_t visible_flags(const struct netdev *dev)
{
	uint32_t f = __atomic_load_n(&dev->flags, __ATOMIC_RELAXED);
	uint32_t out = f & ~(uint32_t)(IFF_RUNNING | IFF_LOWER_UP | IFF_DORMANT);

	if ((f & IFF_UP) && (f & IFF_LOWER_UP))
		out |= IFF_RUNNING | IFF_LOWER_UP;
	return out;
}

int dev_ioctl_change_flags(struct netdev *dev, uint32_t flags)
{
	uint32_t old = __atomic_load_n(&dev->flags, __ATOMIC_RELAXED), want;

	do
		want = (old & ~(uint32_t)IFF_USER_SETTABLE) | (flags & IFF_USER_SETTABLE);
	while (!__atomic_compare_exchange_n(&dev->flags, &old, want, false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED));
	if (!((old ^ flags) & IFF_UP))
		return 0;
	if (flags & IFF_UP)
		return net_dev_up(dev);
	net_dev_down(dev);
	return 0;
}

/* ---- SIOCGIFCONF ------------------------------------------------------------------ */

/* One struct ifreq per IPv4 address, device by device (Linux's
 * inet_gifconf over for_each_netdev), into the user's buffer at
 * buf + *done while len - *done holds one; buf 0 only counts. 0 or -EFAULT. */
static int ifconf_dev(const struct netdev *dev, uptr_t buf, int len, int *done)
{
	struct ipv4_ifaddr a;

	for (unsigned i = 0; ipv4_addr_get(i, &a); i++) {
		if (a.ifindex != dev->ifindex)
			continue;
		if (!buf) {
			*done += (int)IFREQ_SIZE;
			continue;
		}
		if (len - *done < (int)IFREQ_SIZE)
			break;
		struct ifreq ifr;
		memset(&ifr, 0, sizeof(ifr));
		memcpy(ifr.ifr_name, a.label, IFNAMSIZ - 1);
		struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_ifru.ifru_addr;
		sin->sin_family = AF_INET;
		sin->sin_addr = __builtin_bswap32(a.addr);
		if (copy_to_user(buf + (uptr_t)*done, &ifr, IFREQ_SIZE))
			return -EFAULT;
		*done += (int)IFREQ_SIZE;
	}
	return 0;
}

/* SIOCGIFCONF (Linux's dev_ifconf): the list, or with ifc_buf NULL the
 * length it needs; ifc_len gets the bytes written. */
static long ifconf(uptr_t arg)
{
	struct ifconf ifc;
	int done = 0;

	if (copy_from_user(&ifc, arg, sizeof(ifc)))
		return -EFAULT;
	for (struct netdev *d = netdev_first(); d; d = netdev_next(d))
		if (ifconf_dev(d, ifc.ifc_buf, ifc.ifc_len, &done)) {
			netdev_put(d);
			return -EFAULT;
		}
	return copy_to_user(arg, &done, sizeof(done)) ? -EFAULT : 0;
}

/* ---- the requests on one device ---------------------------------------------------- */

/* The device an ifreq names, up to a colon (an alias "eth0:1" is eth0's), held. */
static struct netdev *ifreq_dev(const struct ifreq *ifr)
{
	char name[IFNAMSIZ];

	memcpy(name, ifr->ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = 0;
	char *colon = strchr(name, ':');
	if (colon)
		*colon = 0;
	return netdev_by_name(name);
}

/* The requests anyone may make; each fills its answer into ifr. */
static long get_request(unsigned long req, struct netdev *dev, struct ifreq *ifr)
{
	switch (req) {
	case SIOCGIFFLAGS:
		ifr->ifr_ifru.ifru_flags = (int16_t)visible_flags(dev);
		return 0;
	case SIOCGIFMETRIC:
		ifr->ifr_ifru.ifru_ivalue = 0;
		return 0;
	case SIOCGIFMTU:
		ifr->ifr_ifru.ifru_ivalue = (int32_t)dev->mtu;
		return 0;
	case SIOCGIFSLAVE:
		return -EINVAL;
	case SIOCGIFMAP: /* no ISA-style resources: all zero, as virtio's and e1000's */
		memset(&ifr->ifr_ifru.ifru_map, 0, sizeof(ifr->ifr_ifru.ifru_map));
		return 0;
	case SIOCGIFINDEX:
		ifr->ifr_ifru.ifru_ivalue = dev->ifindex;
		return 0;
	case SIOCGIFTXQLEN:
		ifr->ifr_ifru.ifru_ivalue = (int32_t)dev->tx_queue_len;
		return 0;
	case SIOCGIFHWADDR: /* the address's bytes; the rest of sa_data is left as it came */
		memcpy(ifr->ifr_ifru.ifru_addr.sa_data, dev->mac, ETH_ALEN);
		ifr->ifr_ifru.ifru_addr.sa_family = dev->type;
		return 0;
	default:
		return -ENOTTY;
	}
}

/* SIOCSIFMTU (Linux's dev_set_mtu): the same MTU is no change; another
 * must lie in min_mtu..max_mtu. */
static long set_mtu(struct netdev *dev, int32_t mtu)
{
	if (mtu >= 0 && (uint32_t)mtu == dev->mtu)
		return 0;
	if (mtu < 0 || (uint32_t)mtu < dev->min_mtu || (dev->max_mtu && (uint32_t)mtu > dev->max_mtu))
		return -EINVAL;
	net_dev_set_mtu(dev, (uint32_t)mtu);
	return 0;
}

/* The requests that change the device (CAP_NET_ADMIN checked already). */
static long set_request(unsigned long req, struct netdev *dev, struct ifreq *ifr)
{
	switch (req) {
	case SIOCSIFFLAGS: /* a short, sign-extended as Linux's */
		return dev_ioctl_change_flags(dev, (uint32_t)(int32_t)ifr->ifr_ifru.ifru_flags);
	case SIOCSIFMTU:
		return set_mtu(dev, ifr->ifr_ifru.ifru_ivalue);
	case SIOCSIFTXQLEN:
		if (ifr->ifr_ifru.ifru_ivalue < 0)
			return -EINVAL;
		net_dev_set_txqlen(dev, (uint32_t)ifr->ifr_ifru.ifru_ivalue);
		return 0;
	case SIOCSIFMETRIC:   /* unused on Linux too */
	case SIOCSIFMAP:      /* no driver has ndo_set_config */
	case SIOCSIFHWADDR:   /* no driver can reprogram its address filter yet */
		return -EOPNOTSUPP;
	default:
		return -ENOTTY;
	}
}

static bool is_set_request(unsigned long req)
{
	return req == SIOCSIFFLAGS || req == SIOCSIFMTU || req == SIOCSIFTXQLEN || req == SIOCSIFMETRIC ||
	       req == SIOCSIFMAP || req == SIOCSIFHWADDR;
}

/* SIOCGIFNAME: the name of ifr_ifindex. */
static long ifname(struct ifreq *ifr)
{
	struct netdev *dev = netdev_by_index(ifr->ifr_ifru.ifru_ivalue);

	if (!dev)
		return -ENODEV;
	memcpy(ifr->ifr_name, dev->name, IFNAMSIZ);
	netdev_put(dev);
	return 0;
}

/* Linux's dev_ioctl on the copied ifreq: *copyout tells whether the
 * answer goes back to the user. */
static long ifreq_request(unsigned long req, struct ifreq *ifr, bool *copyout)
{
	*copyout = !is_set_request(req);
	if (req == SIOCGIFNAME)
		return ifname(ifr);
	ifr->ifr_name[IFNAMSIZ - 1] = 0;
	if (is_set_request(req) && !capable(CAP_NET_ADMIN))
		return -EPERM;
	struct netdev *dev = ifreq_dev(ifr);
	if (!dev)
		return -ENODEV;
	long r = is_set_request(req) ? set_request(req, dev, ifr) : get_request(req, dev, ifr);
	netdev_put(dev);
	return r;
}

static bool is_inet_request(unsigned long req)
{
	switch (req) {
	case SIOCGIFADDR: case SIOCSIFADDR: case SIOCGIFDSTADDR: case SIOCSIFDSTADDR:
	case SIOCGIFBRDADDR: case SIOCSIFBRDADDR: case SIOCGIFNETMASK: case SIOCSIFNETMASK:
	case SIOCADDRT: case SIOCDELRT: case SIOCGARP: case SIOCSARP: case SIOCDARP:
		return true;
	default:
		return false;
	}
}

/* AF_INET's requests (inet_ioctl): routes, ARP, then the addresses. */
static long inet_request(unsigned long req, uptr_t arg)
{
	if (req == SIOCADDRT || req == SIOCDELRT)
		return dev_ioctl_inet_route(req, arg);
	if (req == SIOCGARP || req == SIOCSARP || req == SIOCDARP)
		return dev_ioctl_inet_arp(req, arg);
	return dev_ioctl_inet_addr(req, arg);
}

long dev_ioctl(int family, unsigned long req, uptr_t arg)
{
	if (req == SIOCGIFCONF)
		return ifconf(arg);
	if (family == AF_INET && is_inet_request(req))
		return inet_request(req, arg);
	if (family == AF_INET6 && (req == SIOCADDRT || req == SIOCDELRT)) /* inet6_ioctl's */
		return dev_ioctl_inet6_route(req, arg);
	/* SIOCSIFFLAGS reaches devinet_ioctl on an AF_INET socket: an alias's flags are its address's */
	if (family == AF_INET && req == SIOCSIFFLAGS)
		return dev_ioctl_inet_addr(req, arg);
	struct ifreq ifr;
	if (copy_from_user(&ifr, arg, sizeof(ifr)))
		return -EFAULT;
	if (is_inet_request(req)) /* another family has no IPv4 requests */
		return -ENOTTY;
	bool copyout;
	long r = ifreq_request(req, &ifr, &copyout);
	if (!r && copyout && copy_to_user(arg, &ifr, sizeof(ifr)))
		return -EFAULT;
	return r;
}
