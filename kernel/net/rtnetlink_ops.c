// SPDX-License-Identifier: MIT
/*
 * Kestrel: NETLINK_ROUTE's requests carried out on the stack
 * (net/rtnetlink.h): the dumps of links, IPv4 addresses, the main
 * routing table and the ARP cache, read through netdev.h, ipv4.h and
 * arp.h, and the changes (a link up or down, its MTU and queue length,
 * addresses, routes, neighbours) made through their entry points, each
 * checked as 6.1's handler checks it, with its errno; and the
 * notifications, built by the same functions as the dumps' entries.
 *
 * Lock rule: none of its own. Each table is read entry by entry under
 * its owner's lock (ipv4_addr_get, ipv4_route_get, arp_entry_get), so a
 * dump across several receives can skip or repeat an entry that changed
 * meanwhile, as Linux's can (without its NLM_F_DUMP_INTR); a dump's
 * cursor is the socket's, under the socket's rule.
 */
#include "net/ifstate.h"
#include "net/rtnetlink.h"
#include "net/arp.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/ndisc.h"
#include "net/neigh.h"
#include "time/time.h"
#include "net/net.h"
#include "net/netdev.h"
#include "net/pmtu.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "uapi/in.h"
#include "uapi/route.h"
#include "uapi/time.h"

#define LINK_MSG_MAX 1024       /* room for one link's message (about 600 bytes) */
#define ROUTE_MSG_MAX 256
#define ROUTE_NEWS_FLAGS (NLM_F_EXCL | NLM_F_CREATE) /* a new route's notification: fib_table_insert's
						       * and fib6_add_rt2node's nlflags */
#define ROUTE6_LIFE_FOREVER IPV6_LIFE_FOREVER /* RTA_EXPIRES that is no expiry (INFINITY_LIFE_TIME) */
#define NS_PER_SEC 1000000000ull
#define ADDR_LOOPBACK_NET 0x7f000000u
#define ADDR_LOOPBACK_MASK 0xff000000u

/* ---- what the stack has, as the messages describe it ------------------------------------- */

static uint64_t counter(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* dev's counters as rtnl_link_stats64. */
static void link_stats(const struct netdev *dev, struct rtnl_link_stats64 *s)
{
	const struct netdev_stats *n = &dev->stats;

	memset(s, 0, sizeof(*s));
	s->rx_packets = counter(&n->rx_packets);
	s->tx_packets = counter(&n->tx_packets);
	s->rx_bytes = counter(&n->rx_bytes);
	s->tx_bytes = counter(&n->tx_bytes);
	s->rx_errors = counter(&n->rx_errors);
	s->tx_errors = counter(&n->tx_errors);
	s->rx_dropped = counter(&n->rx_dropped);
	s->tx_dropped = counter(&n->tx_dropped);
	s->multicast = counter(&n->rx_multicast);
	s->collisions = counter(&n->collisions);
	s->rx_frame_errors = counter(&n->rx_frame);
	s->rx_fifo_errors = counter(&n->rx_fifo);
	s->tx_fifo_errors = counter(&n->tx_fifo);
	s->tx_carrier_errors = counter(&n->tx_carrier);
}

/*
 * dev as RTM_NEWLINK shows it. Linux's dev_get_flags: IFF_RUNNING and
 * IFF_LOWER_UP only while the device is up; lo's operational state is
 * "unknown" (its driver never sets one), an Ethernet's up with carrier
 * and down otherwise. The queueing discipline is lo's noqueue, or the
 * fq_codel Debian's Linux attaches when a device comes up (its
 * CONFIG_DEFAULT_NET_SCH; noop before).
 */
static void link_info(const struct netdev *dev, struct rtnl_link_info *l)
{
	uint32_t f = __atomic_load_n(&dev->flags, __ATOMIC_RELAXED);
	bool up = f & IFF_UP, carrier = f & IFF_LOWER_UP, lo = dev->type == ARPHRD_LOOPBACK;
	uint64_t changes = __atomic_load_n(&dev->carrier_changes, __ATOMIC_RELAXED);

	memset(l, 0, sizeof(*l));
	l->ifindex = dev->ifindex;
	l->type = dev->type;
	l->flags = f & ~(uint32_t)(IFF_RUNNING | IFF_LOWER_UP);
	if (up && carrier)
		l->flags |= IFF_RUNNING | IFF_LOWER_UP;
	l->name = dev->name;
	l->qdisc = lo ? "noqueue" : up ? "fq_codel" : "noop";
	l->mtu = dev->mtu;
	l->min_mtu = dev->min_mtu;
	l->max_mtu = dev->max_mtu;
	l->txqlen = dev->tx_queue_len;
	l->operstate = !up ? IF_OPER_DOWN : lo ? IF_OPER_UNKNOWN : carrier ? IF_OPER_UP : IF_OPER_DOWN;
	l->carrier = carrier;
	l->carrier_up = (uint32_t)((changes + 1) / 2);
	l->carrier_down = (uint32_t)(changes / 2);
	if (!lo) {
		memcpy(l->addr, dev->mac, ETH_ALEN);
		memset(l->brd, 0xff, ETH_ALEN);
		memcpy(l->perm, dev->perm_mac, ETH_ALEN);
	}
	if (dev->bus_info[0] && (!dev->driver || strcmp(dev->driver, "virtio_net") != 0)) {
		l->parent = dev->bus_info;   /* a PCI function's address */
		l->parent_bus = "pci";
	}
	link_stats(dev, &l->stats);
}

/* An IPv4 address as RTM_NEWADDR shows it: every address here is
 * permanent (no lifetimes); 127/8 has host scope, the rest global, as
 * Linux gives them when nobody asks for another; the broadcast address
 * only on a device that broadcasts (lo's has none). */
static void addr_info(const struct ipv4_ifaddr *a, struct rtnl_addr_info *o)
{
	struct netdev *dev = netdev_by_index(a->ifindex);
	bool loop = (a->addr & ADDR_LOOPBACK_MASK) == ADDR_LOOPBACK_NET;
	bool bcast = dev && (dev->flags & IFF_BROADCAST);

	netdev_put(dev);
	memset(o, 0, sizeof(*o));
	o->ifindex = a->ifindex;
	o->local = a->addr;
	o->bcast = bcast ? a->bcast : 0;
	o->prefix = a->prefix;
	o->scope = loop ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
	o->flags = IFA_F_PERMANENT;
	o->label = a->label;
}

/* A main-table route as RTM_NEWROUTE shows it ("linkdown" when its
 * device has no carrier). */
static void route_info(const struct ipv4_route *r, struct rtnl_route_info *o)
{
	struct netdev *dev = netdev_by_index(r->ifindex);
	bool linkdown = dev && !(dev->flags & IFF_LOWER_UP);

	netdev_put(dev);
	memset(o, 0, sizeof(*o));
	o->table = RT_TABLE_MAIN;
	o->dst = r->dst;
	o->dst_len = r->prefix;
	o->gateway = r->gateway;
	o->prefsrc = r->prefsrc;
	o->oif = r->ifindex;
	o->priority = r->metric;
	o->protocol = r->protocol;
	o->scope = r->scope;
	o->type = RTN_UNICAST;
	if (linkdown)
		o->flags |= RTNH_F_LINKDOWN;
}

/* ---- the tables in Linux's order --------------------------------------------------------- */

/* The n-th device (0, 1...) in ifindex order, held, or NULL. */
static struct netdev *dev_nth(unsigned n)
{
	struct netdev *d = netdev_first();

	while (d && n--)
		d = netdev_next(d);
	return d;
}

/* The n-th IPv4 address grouped by device in ifindex order, as Linux
 * walks each device's list. True and *out, or false past the last. */
static bool addr_nth(unsigned n, struct ipv4_ifaddr *out)
{
	for (struct netdev *d = netdev_first(); d; d = netdev_next(d))
		for (unsigned i = 0; ipv4_addr_get(i, out); i++)
			if (out->ifindex == d->ifindex && n-- == 0) {
				netdev_put(d);
				return true;
			}
	return false;
}

/* Route a goes before b in Linux's trie walk: the lower destination,
 * then the longer prefix, then the lower metric. */
static bool route_before(const struct ipv4_route *a, const struct ipv4_route *b)
{
	if (a->dst != b->dst)
		return a->dst < b->dst;
	if (a->prefix != b->prefix)
		return a->prefix > b->prefix;
	return a->metric < b->metric;
}

/* The main table in that order into out (room for IPV4_ROUTE_MAX): the count. */
static unsigned routes_sorted(struct ipv4_route *out)
{
	unsigned n = 0;

	while (n < IPV4_ROUTE_MAX && ipv4_route_get(n, &out[n]))
		n++;
	for (unsigned i = 1; i < n; i++) {   /* insertion sort: at most 64 */
		struct ipv4_route r = out[i];
		unsigned k = i;
		for (; k > 0 && route_before(&r, &out[k - 1]); k--)
			out[k] = out[k - 1];
		out[k] = r;
	}
	return n;
}

/* ---- dumps --------------------------------------------------------------------------------- */

size_t rtnl_dump_min_alloc(const struct rtnl_dump *d)
{
	return d->type == RTM_GETLINK ? LINK_MSG_MAX : 0;
}

/* The route dump's filters (ip_valid_fib_dump_req's), and what a table
 * other than main means: nothing, or -ENOENT for one that does not
 * exist when the dump is AF_INET's own. */
static void route_filters(const struct rtnl_req *req, struct rtnl_dump *d)
{
	const struct rtmsg *rtm = &req->hdr.rtm;
	uint32_t table = req->tb[RTA_TABLE] ? nla_get_u32(req->tb[RTA_TABLE]) : rtm->rtm_table;

	d->protocol = rtm->rtm_protocol;
	d->rt_type = rtm->rtm_type;
	d->cloned = req->strict && (rtm->rtm_flags & RTM_F_CLONED);
	d->none = (rtm->rtm_flags & RTM_F_PREFIX) /* IPv4 has no prefix routes */ || d->cloned;
	if (req->tb[RTA_OIF]) {
		d->ifindex = (int)nla_get_u32(req->tb[RTA_OIF]);
		if (!netdev_exists(d->ifindex))
			d->err = -ENODEV;
	}
	if (table && table != RT_TABLE_MAIN) {
		d->none = true;   /* the local table is not listed */
		if (table != RT_TABLE_LOCAL && req->family == AF_INET) {
			d->err = -ENOENT;
			d->ext.msg = "ipv4: FIB table does not exist";
		}
	}
	if (req->strict && (rtm->rtm_flags || d->protocol || d->rt_type || table || d->ifindex))
		d->flags |= NLM_F_DUMP_FILTERED;
}

/* Each type's filters from its parsed request. */
static void dump_filters(const struct rtnl_req *req, struct rtnl_dump *d)
{
	const struct nlattr *const *tb = req->tb;

	switch (d->type) {
	case RTM_GETLINK:
		d->ext_mask = tb[IFLA_EXT_MASK] ? nla_get_u32(tb[IFLA_EXT_MASK]) : 0;
		if (tb[IFLA_TARGET_NETNSID])
			d->err = -EINVAL;
		if (tb[IFLA_MASTER] || tb[IFLA_LINKINFO]) {
			d->none = true;   /* no device here has a master or a link kind */
			d->flags |= NLM_F_DUMP_FILTERED;
		}
		break;
	case RTM_GETADDR:
		d->v6 = req->family == AF_INET6;
		if (tb[IFA_TARGET_NETNSID])
			d->err = -EINVAL;
		if ((d->ifindex = (int)req->hdr.ifa.ifa_index)) {
			d->flags |= NLM_F_DUMP_FILTERED;
			if (!netdev_exists(d->ifindex))
				d->err = -ENODEV;
		}
		break;
	case RTM_GETROUTE:
		d->v6 = req->family == AF_INET6;
		route_filters(req, d);
		if (d->v6 && (req->hdr.rtm.rtm_flags & RTM_F_PREFIX))
			d->none = d->cloned; /* IPv6 has prefix routes: the filter does not empty the dump */
		break;
	case RTM_GETNEIGH:
		d->none = (req->family && req->family != AF_INET && req->family != AF_INET6) ||
			  (req->hdr.ndm.ndm_flags == NTF_PROXY);
		d->v6 = req->family == AF_INET6;
		d->ifindex = tb[NDA_IFINDEX] ? (int)nla_get_u32(tb[NDA_IFINDEX]) : 0;
		if (tb[NDA_MASTER])
			d->none = true;
		if (d->ifindex || tb[NDA_MASTER])
			d->flags |= NLM_F_DUMP_FILTERED;
		break;
	}
}

void rtnl_dump_start(const struct rtnl_req *req, int err, uint32_t pid, struct rtnl_dump *d)
{
	memset(d, 0, sizeof(*d));
	d->type = req->nlh->nlmsg_type;
	d->family = req->family;
	d->flags = NLM_F_MULTI;
	d->seq = req->nlh->nlmsg_seq;
	d->pid = pid;
	if (err) {
		d->err = err;
		d->ext = req->ext;
		return;
	}
	dump_filters(req, d);
}

/* The next links into b. 0, or -EMSGSIZE when the batch is full. */
static int dump_links(struct rtnl_dump *d, struct nl_buf *b)
{
	struct rtnl_link_info l;

	for (struct netdev *dev; (dev = dev_nth(d->next)); d->next++) {
		link_info(dev, &l); /* l points into dev: put after the fill */
		int err = rtnl_fill_link(b, &l, d->flags, d->seq, d->pid, d->ext_mask);
		netdev_put(dev);
		if (err)
			return -EMSGSIZE;
	}
	return 0;
}

/* Hundredths of a second since boot (IFA_CACHEINFO's stamps). */
static uint32_t centisecs(uint64_t ns)
{
	return (uint32_t)(ns / 10000000ull);
}

/* Seconds left of a lifetime set at stamp (0xffffffff: forever). */
static uint32_t life_left(uint32_t life, uint64_t stamp, uint64_t now)
{
	uint64_t age = (now - stamp) / 1000000000ull;
	return life == IPV6_LIFE_FOREVER ? life : age >= life ? 0 : (uint32_t)(life - age);
}

/* An IPv6 address as RTM_NEWADDR shows it at now. */
static void addr6_info(const struct ipv6_ifaddr *a, uint64_t now, struct rtnl_addr6_info *o)
{
	*o = (struct rtnl_addr6_info){ .ifindex = a->ifindex, .prefix = a->prefix, .scope = a->scope,
				       .flags = a->flags, .preferred_s = life_left(a->preferred_s, a->stamp, now),
				       .valid_s = life_left(a->valid_s, a->stamp, now),
				       .cstamp = centisecs(a->created), .tstamp = centisecs(a->stamp) };
	memcpy(o->addr, a->addr.b, sizeof(o->addr));
}

static int dump_addrs6(struct rtnl_dump *d, struct nl_buf *b)
{
	struct ipv6_ifaddr a;
	uint64_t now = time_ns();

	for (; ipv6_addr_get_listed(d->next, &a); d->next++) {
		if (d->ifindex && a.ifindex != d->ifindex)
			continue;
		struct rtnl_addr6_info o;
		addr6_info(&a, now, &o);
		if (rtnl_fill_addr6(b, &o, d->flags, d->seq, d->pid))
			return -EMSGSIZE;
	}
	return 0;
}

/* An IPv6 route as RTM_NEWROUTE shows it at now. */
static void route6_info(const struct ipv6_route *r, uint64_t now, struct rtnl_route6_info *o)
{
	*o = (struct rtnl_route6_info){ .dst_len = r->prefix, .protocol = r->protocol, .oif = r->ifindex,
					.priority = r->metric, .has_gateway = !in6_is_any(&r->gateway) };
	if (r->expires)
		o->expires_cs = r->expires > now ? (int32_t)((r->expires - now) / 10000000ull) : 0;
	memcpy(o->dst, r->dst.b, sizeof(o->dst));
	memcpy(o->gateway, r->gateway.b, sizeof(o->gateway));
}

static int dump_routes6(struct rtnl_dump *d, struct nl_buf *b)
{
	struct ipv6_route r;
	uint64_t now = time_ns();

	for (; ipv6_route_get(d->next, &r); d->next++) {
		if ((d->ifindex && r.ifindex != d->ifindex) || (d->protocol && r.protocol != d->protocol) ||
		    (d->rt_type && d->rt_type != RTN_UNICAST))
			continue;
		struct rtnl_route6_info o;
		route6_info(&r, now, &o);
		if (rtnl_fill_route6(b, &o, d->flags, d->seq, d->pid))
			return -EMSGSIZE;
	}
	return 0;
}

static int dump_neighs6(struct rtnl_dump *d, struct nl_buf *b);

/* After IPv4's entries, an AF_UNSPEC dump goes on with IPv6's. */
static int dump_then_v6(struct rtnl_dump *d, struct nl_buf *b, int v4_err)
{
	if (v4_err || d->v6 || d->family == AF_INET)
		return v4_err;
	d->v6 = true;
	d->next = 0;
	if (d->type == RTM_GETNEIGH)
		return dump_neighs6(d, b);
	return d->type == RTM_GETADDR ? dump_addrs6(d, b) : dump_routes6(d, b);
}

static int dump_addrs(struct rtnl_dump *d, struct nl_buf *b)
{
	struct ipv4_ifaddr a;
	struct rtnl_addr_info o;

	if (d->v6)
		return dump_addrs6(d, b);
	for (; addr_nth(d->next, &a); d->next++) {
		if (d->ifindex && a.ifindex != d->ifindex)
			continue;
		addr_info(&a, &o);
		if (rtnl_fill_addr(b, &o, d->flags, d->seq, d->pid))
			return -EMSGSIZE;
	}
	return dump_then_v6(d, b, 0);
}

static int dump_routes(struct rtnl_dump *d, struct nl_buf *b)
{
	struct ipv4_route table[IPV4_ROUTE_MAX];
	struct rtnl_route_info o;
	if (d->v6)
		return dump_routes6(d, b);
	unsigned n = routes_sorted(table);

	for (; d->next < n; d->next++) {
		const struct ipv4_route *r = &table[d->next];
		if ((d->ifindex && r->ifindex != d->ifindex) || (d->protocol && r->protocol != d->protocol) ||
		    (d->rt_type && d->rt_type != RTN_UNICAST))
			continue;
		route_info(r, &o);
		if (rtnl_fill_route(b, &o, d->flags, d->seq, d->pid))
			return -EMSGSIZE;
	}
	return dump_then_v6(d, b, 0);
}

static int dump_neighs6(struct rtnl_dump *d, struct nl_buf *b)
{
	struct ndisc_entry_info e;

	for (; ndisc_entry_get(d->next, &e); d->next++) {
		if (d->ifindex && e.ifindex != d->ifindex)
			continue;
		struct rtnl_neigh_info n = { .ifindex = e.ifindex, .state = e.state, .v6 = true, .router = e.router };
		memcpy(n.lladdr, e.mac, sizeof(n.lladdr));
		memcpy(n.dst6, e.addr.b, sizeof(n.dst6));
		if (rtnl_fill_neigh(b, &n, d->flags, d->seq, d->pid))
			return -EMSGSIZE;
	}
	return 0;
}

static int dump_neighs(struct rtnl_dump *d, struct nl_buf *b)
{
	struct arp_entry_info e;

	if (d->v6)
		return dump_neighs6(d, b);
	for (; arp_entry_get(d->next, &e); d->next++) {
		if (d->ifindex && e.ifindex != d->ifindex)
			continue;
		struct rtnl_neigh_info n = { .ifindex = e.ifindex, .dst = e.ip, .state = e.state };
		memcpy(n.lladdr, e.mac, sizeof(n.lladdr));
		if (rtnl_fill_neigh(b, &n, d->flags, d->seq, d->pid))
			return -EMSGSIZE;
	}
	return dump_then_v6(d, b, 0);
}

long rtnl_dump_fill(struct rtnl_dump *d, struct nl_buf *b)
{
	size_t start = b->len;
	int err = 0;

	if (d->err)
		return d->err;
	if (d->none)
		return 0;
	switch (d->type) {
	case RTM_GETLINK:  err = dump_links(d, b); break;
	case RTM_GETADDR:  err = dump_addrs(d, b); break;
	case RTM_GETROUTE: err = dump_routes(d, b); break;
	case RTM_GETNEIGH: err = dump_neighs(d, b); break;
	}
	if (err && b->len == start)
		return err; /* one entry larger than a whole batch */
	return (long)(b->len - start);
}

/* ---- links ----------------------------------------------------------------------------------- */

/* The link a request names: by ifi_index, else by IFLA_IFNAME (or the
 * alternative name). *dev held, or -EINVAL (neither given), -ENODEV. */
static int find_link(const struct rtnl_req *req, struct netdev **dev)
{
	char name[IFNAMSIZ];
	const struct nlattr *n = req->tb[IFLA_IFNAME] ? req->tb[IFLA_IFNAME] : req->tb[IFLA_ALT_IFNAME];

	if (req->hdr.ifi.ifi_index > 0) {
		*dev = netdev_by_index(req->hdr.ifi.ifi_index);
	} else if (n) {
		nla_get_string(n, name, sizeof(name));
		*dev = netdev_by_name(name);
	} else {
		return -EINVAL;
	}
	return *dev ? 0 : -ENODEV;
}

/* RTM_GETLINK of one link: its RTM_NEWLINK. */
static int get_link(struct rtnl_req *req, struct rtnl_reply *r)
{
	uint8_t buf[LINK_MSG_MAX];
	struct nl_buf b = { buf, 0, sizeof(buf) };
	struct rtnl_link_info l;
	struct netdev *dev;
	int err = find_link(req, &dev);

	if (err)
		return err;
	link_info(dev, &l);
	uint32_t mask = req->tb[IFLA_EXT_MASK] ? nla_get_u32(req->tb[IFLA_EXT_MASK]) : 0;
	err = rtnl_fill_link(&b, &l, 0, req->nlh->nlmsg_seq, r->pid, mask);
	netdev_put(dev); /* l pointed into it until the fill */
	return err ? -EMSGSIZE : r->send(r, &b);
}

/* dev_set_mtu_ext: the same MTU is no change; outside the device's
 * range -EINVAL. */
static int set_mtu(struct netdev *dev, uint32_t mtu, struct nl_ext_ack *ext)
{
	if (mtu == dev->mtu)
		return 0;
	if (mtu < dev->min_mtu) {
		ext->msg = "mtu less than device minimum";
		return -EINVAL;
	}
	if (dev->max_mtu && mtu > dev->max_mtu) {
		ext->msg = "mtu greater than device maximum";
		return -EINVAL;
	}
	net_dev_set_mtu(dev, mtu);
	return 0;
}

/* dev_change_flags with rtnl_dev_combine_flags: the flags ifi_change
 * names (all of them when it is 0) from ifi_flags, the others kept. Only
 * IFF_UP does anything here (Linux also keeps PROMISC, ALLMULTI...). */
static int set_flags(struct netdev *dev, const struct ifinfomsg *ifm)
{
	uint32_t cur = dev->flags, flags = ifm->ifi_flags;

	if (ifm->ifi_change)
		flags = (flags & ifm->ifi_change) | (cur & ~ifm->ifi_change);
	if (!((flags ^ cur) & IFF_UP))
		return 0;
	if (flags & IFF_UP)
		return net_dev_up(dev);
	net_dev_down(dev);
	return 0;
}

/* validate_linkmsg then do_setlink's steps, in its order: address (no
 * driver here can change one), MTU, name (no renaming), flags, queue length. */
static int set_link(struct netdev *dev, struct rtnl_req *req)
{
	const struct nlattr *const *tb = req->tb;
	int err;

	if ((tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) < ETH_ALEN) ||
	    (tb[IFLA_BROADCAST] && nla_len(tb[IFLA_BROADCAST]) < ETH_ALEN))
		return -EINVAL;
	if (tb[IFLA_ADDRESS])
		return -EOPNOTSUPP;
	if (tb[IFLA_MTU] && (err = set_mtu(dev, nla_get_u32(tb[IFLA_MTU]), &req->ext)))
		return err;
	if (req->hdr.ifi.ifi_index > 0 && tb[IFLA_IFNAME]) {
		char name[IFNAMSIZ];
		nla_get_string(tb[IFLA_IFNAME], name, sizeof(name));
		if (strcmp(name, dev->name) != 0)
			return (dev->flags & IFF_UP) ? -EBUSY : -EOPNOTSUPP;
	}
	if ((req->hdr.ifi.ifi_flags || req->hdr.ifi.ifi_change) && (err = set_flags(dev, &req->hdr.ifi)))
		return err;
	if (tb[IFLA_TXQLEN])
		net_dev_set_txqlen(dev, nla_get_u32(tb[IFLA_TXQLEN]));
	return 0;
}

/* RTM_NEWLINK (__rtnl_newlink): an existing link is changed unless
 * NLM_F_EXCL or NLM_F_REPLACE; none is ever created (no link kinds). */
static int new_link(struct rtnl_req *req)
{
	struct netdev *dev;
	int err = find_link(req, &dev);
	uint16_t fl = req->nlh->nlmsg_flags;

	if (!err) {
		err = fl & NLM_F_EXCL ? -EEXIST : fl & NLM_F_REPLACE ? -EOPNOTSUPP : set_link(dev, req);
		netdev_put(dev);
		return err;
	}
	if (!(fl & NLM_F_CREATE))
		return -ENODEV;
	return -EOPNOTSUPP;
}

/* ---- addresses ------------------------------------------------------------------------------ */

static uint32_t in_addr(const struct nlattr *a)
{
	return __builtin_bswap32(nla_get_u32(a));
}

/* RTM_NEWADDR (rtm_to_ifaddr, inet_rtm_newaddr): an address already
 * there is -EEXIST unless NLM_F_REPLACE (and no NLM_F_EXCL); 0.0.0.0 is
 * accepted and nothing done. */
static int new_addr(struct rtnl_req *req)
{
	const struct nlattr *const *tb = req->tb;
	const struct ifaddrmsg *ifm = &req->hdr.ifa;
	struct ipv4_ifaddr a;

	if (ifm->ifa_prefixlen > 32 || !tb[IFA_LOCAL])
		return -EINVAL;
	if (!netdev_exists((int)ifm->ifa_index))
		return -ENODEV;
	if (tb[IFA_CACHEINFO]) {
		struct ifa_cacheinfo ci;
		memcpy(&ci, nla_data(tb[IFA_CACHEINFO]), sizeof(ci));
		if (!ci.ifa_valid || ci.ifa_prefered > ci.ifa_valid) {
			req->ext.msg = "ipv4: address lifetime invalid";
			return -EINVAL;
		}
	}
	uint32_t local = in_addr(tb[IFA_LOCAL]), mask = ipv4_prefix_mask(ifm->ifa_prefixlen);
	for (unsigned i = 0; ipv4_addr_get(i, &a); i++)
		if (a.ifindex == (int)ifm->ifa_index && a.addr == local && a.mask == mask) {
			uint16_t fl = req->nlh->nlmsg_flags;
			return (fl & NLM_F_EXCL) || !(fl & NLM_F_REPLACE) ? -EEXIST : 0;
		}
	if (!local)
		return 0;
	uint32_t bcast = tb[IFA_BROADCAST] ? in_addr(tb[IFA_BROADCAST]) : 0;
	return ipv4_addr_add((int)ifm->ifa_index, local, ifm->ifa_prefixlen, bcast);
}

/* The address of an AF_INET6 RTM_NEWADDR/DELADDR (IFA_LOCAL, else
 * IFA_ADDRESS, as inet6_rtm_newaddr's extract_addr): 0, -EINVAL. */
static int addr6_of(const struct rtnl_req *req, struct in6 *a)
{
	const struct nlattr *x = req->tb[IFA_LOCAL] ? req->tb[IFA_LOCAL] : req->tb[IFA_ADDRESS];
	if (!x)
		return -EINVAL;
	memcpy(a->b, nla_data(x), sizeof(a->b));
	return 0;
}

/* RTM_NEWADDR for AF_INET6 (inet6_rtm_newaddr): the address, with its
 * prefix route, tentative until DAD passes unless IFA_F_NODAD. */
static int new_addr6(struct rtnl_req *req)
{
	const struct ifaddrmsg *ifm = &req->hdr.ifa;
	uint32_t flags = req->tb[IFA_FLAGS] ? nla_get_u32(req->tb[IFA_FLAGS]) : ifm->ifa_flags;
	struct in6 a;
	if (ifm->ifa_prefixlen > 128 || addr6_of(req, &a))
		return -EINVAL;
	struct netdev *dev = netdev_by_index((int)ifm->ifa_index);
	if (!dev)
		return -ENODEV;
	int err = addrconf_addr_add(dev, &a, ifm->ifa_prefixlen, flags & IFA_F_NODAD,
				    !!(req->nlh->nlmsg_flags & NLM_F_REPLACE) && !(req->nlh->nlmsg_flags & NLM_F_EXCL));
	netdev_put(dev);
	return err;
}

/* RTM_DELADDR for AF_INET6 (inet6_rtm_deladdr). */
static int del_addr6(struct rtnl_req *req)
{
	struct in6 a;
	if (addr6_of(req, &a))
		return -EINVAL;
	struct netdev *dev = netdev_by_index((int)req->hdr.ifa.ifa_index);
	if (!dev)
		return -ENODEV;
	int err = addrconf_addr_del(dev, &a, req->hdr.ifa.ifa_prefixlen);
	netdev_put(dev);
	return err;
}

/* Does address a match RTM_DELADDR's attributes (inet_rtm_deladdr)? */
static bool del_addr_matches(const struct rtnl_req *req, const struct ipv4_ifaddr *a)
{
	const struct nlattr *const *tb = req->tb;

	if (tb[IFA_LOCAL] && a->addr != in_addr(tb[IFA_LOCAL]))
		return false;
	if (tb[IFA_LABEL]) {
		char label[IFNAMSIZ];
		nla_get_string(tb[IFA_LABEL], label, sizeof(label));
		if (strcmp(label, a->label) != 0)
			return false;
	}
	if (tb[IFA_ADDRESS] && (req->hdr.ifa.ifa_prefixlen != a->prefix ||
				((in_addr(tb[IFA_ADDRESS]) ^ a->addr) & a->mask)))
		return false;
	return true;
}

/* RTM_DELADDR: the device's first address that matches. */
static int del_addr(struct rtnl_req *req)
{
	int ifindex = (int)req->hdr.ifa.ifa_index;
	struct ipv4_ifaddr a;

	if (!netdev_exists(ifindex))
		return -ENODEV;
	for (unsigned i = 0; ipv4_addr_get(i, &a); i++)
		if (a.ifindex == ifindex && del_addr_matches(req, &a))
			return ipv4_addr_del(ifindex, a.addr);
	return -EADDRNOTAVAIL;
}

/* ---- routes --------------------------------------------------------------------------------- */

/* rtm_to_fib_config into r, with fib_table_insert's prefix checks and
 * the table: 0 or -EINVAL, -EOPNOTSUPP (a table other than main, a type
 * other than unicast: Kestrel has neither). */
static int route_config(struct rtnl_req *req, struct ipv4_route *r, uint32_t *table)
{
	const struct nlattr *const *tb = req->tb;
	const struct rtmsg *rtm = &req->hdr.rtm;

	memset(r, 0, sizeof(*r));
	r->dst = tb[RTA_DST] ? in_addr(tb[RTA_DST]) : 0;
	r->prefix = rtm->rtm_dst_len;
	r->gateway = tb[RTA_GATEWAY] ? in_addr(tb[RTA_GATEWAY]) : 0;
	r->prefsrc = tb[RTA_PREFSRC] ? in_addr(tb[RTA_PREFSRC]) : 0;
	r->ifindex = tb[RTA_OIF] ? (int)nla_get_u32(tb[RTA_OIF]) : 0;
	r->metric = tb[RTA_PRIORITY] ? nla_get_u32(tb[RTA_PRIORITY]) : 0;
	r->scope = rtm->rtm_scope;
	r->protocol = rtm->rtm_protocol;
	*table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (!*table)
		*table = RT_TABLE_MAIN;
	if (r->prefix > 32) {
		req->ext.msg = "Invalid prefix length";
		return -EINVAL;
	}
	if (r->prefix < 32 && (r->dst << r->prefix)) {
		req->ext.msg = "Invalid prefix for given prefix length";
		return -EINVAL;
	}
	return 0;
}

/* fib_check_nh and fib_create_info's checks of a new route's next hop
 * and source: 0, -ENODEV, -ENETDOWN, -EINVAL. */
static int route_check(struct rtnl_req *req, const struct ipv4_route *r)
{
	struct netdev *dev = r->ifindex ? netdev_by_index(r->ifindex) : NULL;
	bool have = dev, up = dev && (dev->flags & IFF_UP);

	netdev_put(dev);
	if (r->gateway && r->scope >= RT_SCOPE_LINK) {
		req->ext.msg = "Nexthop has invalid scope";
		return -EINVAL;
	}
	if ((r->ifindex || !r->gateway) && !have)
		return -ENODEV;
	if (have && !up) {
		req->ext.msg = "Device for nexthop is not up";
		return -ENETDOWN;
	}
	if (r->prefsrc && !ipv4_is_local(r->prefsrc)) {
		req->ext.msg = "Invalid prefsrc address";
		return -EINVAL;
	}
	return 0;
}

/* Is there a main-table route to the same destination with the same metric? */
static bool route_exists(const struct ipv4_route *r)
{
	struct ipv4_route o;

	for (unsigned i = 0; ipv4_route_get(i, &o); i++)
		if (o.dst == r->dst && o.prefix == r->prefix && o.metric == r->metric)
			return true;
	return false;
}

/* RTM_NEWROUTE (inet_rtm_newroute, fib_table_insert). */
static int new_route(struct rtnl_req *req)
{
	struct ipv4_route r;
	uint32_t table;
	uint16_t fl = req->nlh->nlmsg_flags;
	int err = route_config(req, &r, &table);

	if (err)
		return err;
	if (table != RT_TABLE_MAIN || req->hdr.rtm.rtm_type != RTN_UNICAST)
		return -EOPNOTSUPP;
	if ((err = route_check(req, &r)))
		return err;
	if (route_exists(&r)) {
		if ((fl & NLM_F_EXCL) || !(fl & NLM_F_REPLACE))
			return -EEXIST;
		err = ipv4_route_replace(&r);
	} else if (!(fl & NLM_F_CREATE)) {
		return -ENOENT;
	} else {
		err = ipv4_route_add(&r);
	}
	if (err == -ENETUNREACH)
		req->ext.msg = "Nexthop has invalid gateway";
	return err;
}

/* Does route o match RTM_DELROUTE's r (fib_table_delete, fib_nh_match)? */
static bool del_route_matches(const struct rtnl_req *req, const struct ipv4_route *o,
			      const struct ipv4_route *r)
{
	const struct rtmsg *rtm = &req->hdr.rtm;

	return o->dst == r->dst && o->prefix == r->prefix &&
	       (!rtm->rtm_type || rtm->rtm_type == RTN_UNICAST) &&
	       (rtm->rtm_scope == RT_SCOPE_NOWHERE || o->scope == rtm->rtm_scope) &&
	       (!r->prefsrc || o->prefsrc == r->prefsrc) && (!r->protocol || o->protocol == r->protocol) &&
	       (!r->gateway || o->gateway == r->gateway) && (!r->ifindex || o->ifindex == r->ifindex) &&
	       (!r->metric || o->metric == r->metric);
}

/* RTM_DELROUTE: the first route that matches, or -ESRCH. */
static int del_route(struct rtnl_req *req)
{
	struct ipv4_route r, o;
	uint32_t table;
	int err = route_config(req, &r, &table);

	if (err)
		return err;
	if (table != RT_TABLE_MAIN) {
		req->ext.msg = "FIB table does not exist";
		return -ESRCH;
	}
	for (unsigned i = 0; ipv4_route_get(i, &o); i++)
		if (del_route_matches(req, &o, &r))
			return ipv4_route_del(&o);
	return -ESRCH;
}

/* rtm_to_fib6_config and ip6_route_info_create's first checks: r from the
 * request (its destination masked to the prefix, as Linux's
 * ipv6_addr_prefix; RTA_EXPIRES from now), *gateway whether it names one,
 * *table the table. 0, -EINVAL or -EOPNOTSUPP (what Kestrel has not:
 * another table, a type other than unicast, source routes' subtrees,
 * multipath, a preferred source). */
static int route6_config(struct rtnl_req *req, struct ipv6_route *r, bool *gateway, uint32_t *table)
{
	const struct nlattr *const *tb = req->tb;
	const struct rtmsg *rtm = &req->hdr.rtm;

	memset(r, 0, sizeof(*r));
	*gateway = tb[RTA_GATEWAY] != NULL;
	if (tb[RTA_VIA]) {
		req->ext.msg = "IPv6 does not support RTA_VIA attribute";
		return -EINVAL;
	}
	if (rtm->rtm_type > RTN_MAX) {
		req->ext.msg = "Invalid route type";
		return -EINVAL;
	}
	if (rtm->rtm_dst_len > 128) {
		req->ext.msg = "Invalid prefix length";
		return -EINVAL;
	}
	if (rtm->rtm_src_len) {
		req->ext.msg = rtm->rtm_src_len > 128 ? "Invalid source address length"
			       : "Specifying source address requires IPV6_SUBTREES to be enabled";
		return -EINVAL;
	}
	if (tb[RTA_DST]) {
		size_t plen = (rtm->rtm_dst_len + 7u) / 8;
		if (nla_len(tb[RTA_DST]) < plen)
			return -EINVAL;
		memcpy(r->dst.b, nla_data(tb[RTA_DST]), plen);
	}
	in6_prefix_mask(&r->dst, rtm->rtm_dst_len);
	r->prefix = rtm->rtm_dst_len;
	if (*gateway)
		memcpy(r->gateway.b, nla_data(tb[RTA_GATEWAY]), sizeof(r->gateway.b));
	r->ifindex = tb[RTA_OIF] ? (int)nla_get_u32(tb[RTA_OIF]) : 0;
	r->metric = tb[RTA_PRIORITY] ? nla_get_u32(tb[RTA_PRIORITY]) : 0;
	r->protocol = rtm->rtm_protocol;
	if (tb[RTA_EXPIRES] && nla_get_u32(tb[RTA_EXPIRES]) != ROUTE6_LIFE_FOREVER)
		r->expires = time_ns() + (uint64_t)nla_get_u32(tb[RTA_EXPIRES]) * NS_PER_SEC;
	*table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (!*table)
		*table = RT_TABLE_MAIN;
	if (tb[RTA_MULTIPATH] || tb[RTA_PREFSRC] || tb[RTA_NH_ID] || tb[RTA_ENCAP])
		return -EOPNOTSUPP;
	return 0;
}

/* RTM_NEWROUTE for AF_INET6 (inet6_rtm_newroute, ip6_route_add): metric
 * 0 is IP6_RT_PRIO_USER's 1024. */
static int new_route6(struct rtnl_req *req)
{
	struct ipv6_route r;
	uint32_t table;
	bool gateway;
	int err = route6_config(req, &r, &gateway, &table);

	if (err)
		return err;
	if (table != RT_TABLE_MAIN || req->hdr.rtm.rtm_type != RTN_UNICAST)
		return -EOPNOTSUPP;
	if (!r.metric)
		r.metric = IP6_RT_PRIO_USER;
	if ((err = ipv6_route_user_check(&r, gateway, &req->ext.msg)))
		return err;
	return ipv6_route_user_add(&r, req->nlh->nlmsg_flags);
}

/* RTM_DELROUTE for AF_INET6 (inet6_rtm_delroute, ip6_route_del). */
static int del_route6(struct rtnl_req *req)
{
	struct ipv6_route r;
	uint32_t table;
	bool gateway;
	int err = route6_config(req, &r, &gateway, &table);

	if (err)
		return err;
	if (table != RT_TABLE_MAIN) {
		req->ext.msg = "FIB table does not exist";
		return -ESRCH;
	}
	return ipv6_route_user_del(&r, gateway);
}

/* RTM_GETROUTE of one destination (inet_rtm_getroute, rt_fill_info):
 * an output route's lookup, through RTA_OIF's device if given. Its table
 * is main's, even for a local destination and with RTM_F_LOOKUP_TABLE:
 * without policy rules Linux keeps the local routes in main's trie. */
static int get_route(struct rtnl_req *req, struct rtnl_reply *rep)
{
	uint8_t buf[ROUTE_MSG_MAX];
	struct nl_buf b = { buf, 0, sizeof(buf) };
	const struct nlattr *const *tb = req->tb;
	struct netdev *dev = NULL;
	struct ipv4_dst out;
	uint32_t dst = tb[RTA_DST] ? in_addr(tb[RTA_DST]) : 0;

	if (tb[RTA_OIF] && !(dev = netdev_by_index((int)nla_get_u32(tb[RTA_OIF]))))
		return -ENODEV;
	int err = ipv4_route_lookup(dst, dev, &out);
	netdev_put(dev);
	if (err)
		return -ENETUNREACH;
	int oif = out.dev->ifindex;
	netdev_put(out.dev);
	struct rtnl_route_info r = { .table = RT_TABLE_MAIN, .dst = dst, .dst_len = 32,
				     .prefsrc = out.src, .oif = oif, .type = RTN_UNICAST,
				     .scope = RT_SCOPE_UNIVERSE, .flags = RTM_F_CLONED, .cloned = true,
				     .uid = rep->uid };
	if (out.nexthop != dst)
		r.gateway = out.nexthop;
	struct in6 key = pmtu_key_v4(dst);
	uint64_t left_ns;
	if (!out.local && pmtu_cached(&key, &r.pmtu, &r.pmtu_locked, &left_ns))
		r.expires = (int32_t)(left_ns / (NSEC_PER_SEC / USER_HZ)); /* rt_fill_info's clock_t */
	if (out.local) {
		r.type = RTN_LOCAL;
		r.flags |= RTCF_LOCAL;
	} else if (out.broadcast) {
		r.type = RTN_BROADCAST;
		r.flags |= RTCF_BROADCAST;
	}
	if (rtnl_fill_route(&b, &r, 0, req->nlh->nlmsg_seq, rep->pid))
		return -EMSGSIZE;
	return rep->send(rep, &b);
}

/* RTM_GETROUTE of one IPv6 destination (inet6_rtm_getroute, rt6_fill_node):
 * the output route's lookup, through RTA_OIF's device if given, as
 * RTM_NEWROUTE: the destination /128, RTA_SRC the request's (::: Linux's
 * subtrees), RTA_PREFSRC the source a socket would get; this host's own
 * addresses and ::1 are the local table's (RTN_LOCAL through lo, proto
 * kernel, metric 0). No route: -ENETUNREACH; RTA_IIF (an input route:
 * Kestrel forwards nothing): -EOPNOTSUPP. */
static int get_route6(struct rtnl_req *req, struct rtnl_reply *rep)
{
	uint8_t buf[ROUTE_MSG_MAX];
	struct nl_buf b = { buf, 0, sizeof(buf) };
	const struct nlattr *const *tb = req->tb;
	struct rtnl_route6_info o = { .dst_len = 128, .lookup = true };
	struct netdev *dev = NULL;
	struct ipv6_dst out;
	struct ipv6_route r;
	struct in6 dst = { 0 };

	if ((tb[RTA_DST] && nla_len(tb[RTA_DST]) < sizeof(dst.b)) || (tb[RTA_SRC] && nla_len(tb[RTA_SRC]) < sizeof(o.src)))
		return -EINVAL;
	if (tb[RTA_IIF])
		return -EOPNOTSUPP;
	if (tb[RTA_DST])
		memcpy(dst.b, nla_data(tb[RTA_DST]), sizeof(dst.b));
	if (tb[RTA_SRC])
		memcpy(o.src, nla_data(tb[RTA_SRC]), sizeof(o.src));
	if (tb[RTA_OIF] && !(dev = netdev_by_index((int)nla_get_u32(tb[RTA_OIF]))))
		return -ENODEV;
	int err = ipv6_route_lookup(&dst, dev, &out);
	netdev_put(dev);
	if (err)
		return err == -EINVAL ? err : -ENETUNREACH;
	o.oif = out.dev->ifindex;
	memcpy(o.dst, dst.b, sizeof(o.dst));
	memcpy(o.prefsrc, out.src.b, sizeof(o.prefsrc));
	if (out.local) {
		o.table = RT_TABLE_LOCAL;
		o.type = RTN_LOCAL;
		o.protocol = RTPROT_KERNEL;
	} else if (!ipv6_fib_lookup(&dst, out.dev, &r)) {
		struct rtnl_route6_info f;
		route6_info(&r, time_ns(), &f); /* the route's own: its next hop, metric, protocol, expiry */
		o.has_gateway = f.has_gateway;
		memcpy(o.gateway, f.gateway, sizeof(o.gateway));
		o.protocol = f.protocol;
		o.priority = f.priority;
		o.expires_cs = f.expires_cs;
	}
	netdev_put(out.dev);
	if (rtnl_fill_route6(&b, &o, 0, req->nlh->nlmsg_seq, rep->pid))
		return -EMSGSIZE;
	return rep->send(rep, &b);
}

/* ---- neighbours ---------------------------------------------------------------------------- */

/* An entry a request names: its family's table and its address (host
 * order for IPv4, as arp.h keeps it). */
struct neigh_key {
	bool v6;
	uint32_t ip;
	struct in6 ip6;
};

/* neigh_add and neigh_delete's checks: *k and the device's *ifindex.
 * 0, -EINVAL, -ENODEV, -EAFNOSUPPORT. */
static int neigh_target(struct rtnl_req *req, struct neigh_key *k, int *ifindex)
{
	const struct nlattr *const *tb = req->tb;
	const struct ndmsg *ndm = &req->hdr.ndm;

	*ifindex = 0;
	if (!tb[NDA_DST]) {
		req->ext.msg = "Network address not specified";
		return -EINVAL;
	}
	if (ndm->ndm_ifindex && !netdev_exists(ndm->ndm_ifindex))
		return -ENODEV;
	*ifindex = ndm->ndm_ifindex;
	if (*ifindex && tb[NDA_LLADDR] && nla_len(tb[NDA_LLADDR]) < ETH_ALEN) {
		req->ext.msg = "Invalid link address";
		return -EINVAL;
	}
	if (ndm->ndm_family != AF_INET && ndm->ndm_family != AF_INET6)
		return -EAFNOSUPPORT;
	k->v6 = ndm->ndm_family == AF_INET6;
	if (nla_len(tb[NDA_DST]) < (k->v6 ? sizeof(k->ip6.b) : sizeof(k->ip))) {
		req->ext.msg = "Invalid network address";
		return -EINVAL;
	}
	if (!*ifindex) {
		req->ext.msg = "Device not specified";
		return -EINVAL;
	}
	if (k->v6)
		memcpy(k->ip6.b, nla_data(tb[NDA_DST]), sizeof(k->ip6.b));
	else
		k->ip = in_addr(tb[NDA_DST]);
	return 0;
}

static bool neigh_exists(int ifindex, const struct neigh_key *k)
{
	struct arp_entry_info e;
	struct ndisc_entry_info e6;

	for (unsigned i = 0; k->v6 && ndisc_entry_get(i, &e6); i++)
		if (e6.ifindex == ifindex && in6_eq(&e6.addr, &k->ip6))
			return true;
	for (unsigned i = 0; !k->v6 && arp_entry_get(i, &e); i++)
		if (e.ifindex == ifindex && e.ip == k->ip)
			return true;
	return false;
}

/* RTM_NEWNEIGH: a permanent entry (the cache keeps no other kind by hand). */
static int new_neigh(struct rtnl_req *req)
{
	uint16_t fl = req->nlh->nlmsg_flags;
	int ifindex;
	struct neigh_key k;
	int err = neigh_target(req, &k, &ifindex);

	if (err)
		return err;
	if (neigh_exists(ifindex, &k)) {
		if (fl & NLM_F_EXCL)
			return -EEXIST;
	} else if (!(fl & NLM_F_CREATE)) {
		return -ENOENT;
	}
	if (!req->tb[NDA_LLADDR]) {
		req->ext.msg = "No link layer address given";
		return -EINVAL;
	}
	const uint8_t *mac = nla_data(req->tb[NDA_LLADDR]);
	return k.v6 ? ndisc_entry_set(ifindex, &k.ip6, mac) : arp_entry_set(ifindex, k.ip, mac);
}

static int del_neigh(struct rtnl_req *req)
{
	int ifindex;
	struct neigh_key k;
	int err = neigh_target(req, &k, &ifindex);

	if (err)
		return err;
	err = k.v6 ? ndisc_entry_del(ifindex, &k.ip6) : arp_entry_del(ifindex, k.ip);
	return err ? -ENOENT : 0;
}

/* ---- notifications ------------------------------------------------------------------------- */

/* The message just filled at b's start becomes a deletion (the fill
 * functions write RTM_NEW*): its type set to type. */
static void retype(struct nl_buf *b, uint16_t type)
{
	struct nlmsghdr h;
	memcpy(&h, b->data, sizeof(h));
	h.nlmsg_type = type;
	memcpy(b->data, &h, sizeof(h));
}

/* b's message (its type set to type) to emit's group, if it was filled (fill 0). */
static void notify(int fill, struct nl_buf *b, uint16_t type, unsigned group,
		   void (*emit)(unsigned group, const struct nl_buf *b))
{
	if (fill)
		return;
	retype(b, type);
	emit(group, b);
}

/* The IPv6 part of rtnl_notify_gone: RTM_DELROUTE for each route, RTM_DELADDR for each address. */
static void notify_gone6(const struct net_dev_gone *what, uint8_t *buf, size_t cap,
			 void (*emit)(unsigned group, const struct nl_buf *b))
{
	uint64_t now = time_ns();
	for (int i = 0; i < what->nr6; i++) {
		struct rtnl_route6_info o;
		route6_info(&what->r6[i], now, &o);
		struct nl_buf b = { buf, 0, cap };
		notify(rtnl_fill_route6(&b, &o, 0, 0, 0), &b, RTM_DELROUTE, RTNLGRP_IPV6_ROUTE, emit);
	}
	for (int i = 0; i < what->nv6; i++) {
		struct rtnl_addr6_info o;
		addr6_info(&what->v6[i], now, &o);
		struct nl_buf b = { buf, 0, cap };
		notify(rtnl_fill_addr6(&b, &o, 0, 0, 0), &b, RTM_DELADDR, RTNLGRP_IPV6_IFADDR, emit);
	}
}

void rtnl_notify_gone(const struct netdev *dev, const struct net_dev_gone *what,
		      void (*emit)(unsigned group, const struct nl_buf *b))
{
	uint8_t buf[LINK_MSG_MAX];
	struct nl_buf b;
	struct rtnl_link_info l;
	link_info(dev, &l);
	if (what->was_up) {
		b = (struct nl_buf){ buf, 0, sizeof(buf) };
		notify(rtnl_fill_link(&b, &l, 0, 0, 0, 0), &b, RTM_NEWLINK, RTNLGRP_LINK, emit);
	}
	notify_gone6(what, buf, sizeof(buf), emit);
	for (int i = 0; i < what->nv4; i++) {
		struct rtnl_addr_info o;
		addr_info(&what->v4[i], &o);
		o.bcast = (dev->flags & IFF_BROADCAST) ? what->v4[i].bcast : 0; /* addr_info's lookup finds no dev now */
		b = (struct nl_buf){ buf, 0, sizeof(buf) };
		notify(rtnl_fill_addr(&b, &o, 0, 0, 0), &b, RTM_DELADDR, RTNLGRP_IPV4_IFADDR, emit);
	}
	b = (struct nl_buf){ buf, 0, sizeof(buf) };
	notify(rtnl_fill_link(&b, &l, 0, 0, 0, 0), &b, RTM_DELLINK, RTNLGRP_LINK, emit);
}

void rtnl_notify_addr(const struct ipv4_ifaddr *a, bool added, uint32_t pid, uint32_t seq,
		      void (*emit)(unsigned group, const struct nl_buf *b))
{
	uint8_t buf[LINK_MSG_MAX];
	struct nl_buf b = { buf, 0, sizeof(buf) };
	struct rtnl_addr_info o;
	addr_info(a, &o);
	notify(rtnl_fill_addr(&b, &o, 0, seq, pid), &b, added ? RTM_NEWADDR : RTM_DELADDR,
	       RTNLGRP_IPV4_IFADDR, emit);
}

void rtnl_notify_addr6(const struct ipv6_ifaddr *a, bool added,
		       void (*emit)(unsigned group, const struct nl_buf *b))
{
	uint8_t buf[ROUTE_MSG_MAX];
	struct nl_buf b = { buf, 0, sizeof(buf) };
	struct rtnl_addr6_info o;
	addr6_info(a, time_ns(), &o);
	notify(rtnl_fill_addr6(&b, &o, 0, 0, 0), &b, added ? RTM_NEWADDR : RTM_DELADDR,
	       RTNLGRP_IPV6_IFADDR, emit);
}

void rtnl_notify_route(const struct ipv4_route *r, unsigned ev, uint32_t pid, uint32_t seq,
		       void (*emit)(unsigned group, const struct nl_buf *b))
{
	uint8_t buf[ROUTE_MSG_MAX];
	struct nl_buf b = { buf, 0, sizeof(buf) };
	struct rtnl_route_info o;
	uint16_t flags = ev == IPV4_ROUTE_ADDED ? ROUTE_NEWS_FLAGS : ev == IPV4_ROUTE_REPLACED ? NLM_F_REPLACE : 0;
	route_info(r, &o);
	notify(rtnl_fill_route(&b, &o, flags, seq, pid), &b, ev == IPV4_ROUTE_DELETED ? RTM_DELROUTE : RTM_NEWROUTE,
	       RTNLGRP_IPV4_ROUTE, emit);
}

void rtnl_notify_route6(const struct ipv6_route *r, unsigned ev, uint32_t pid, uint32_t seq,
			void (*emit)(unsigned group, const struct nl_buf *b))
{
	uint8_t buf[ROUTE_MSG_MAX];
	struct nl_buf b = { buf, 0, sizeof(buf) };
	struct rtnl_route6_info o;
	uint16_t flags = ev == IPV6_ROUTE_ADDED ? ROUTE_NEWS_FLAGS : ev == IPV6_ROUTE_REPLACED ? NLM_F_REPLACE : 0;
	route6_info(r, time_ns(), &o);
	notify(rtnl_fill_route6(&b, &o, flags, seq, pid), &b,
	       ev == IPV6_ROUTE_DELETED ? RTM_DELROUTE : RTM_NEWROUTE, RTNLGRP_IPV6_ROUTE, emit);
}

void rtnl_notify_neigh(bool v6, const struct neigh_info *e, bool gone, uint32_t pid,
		       void (*emit)(unsigned group, const struct nl_buf *b))
{
	uint8_t buf[ROUTE_MSG_MAX];
	struct nl_buf b = { buf, 0, sizeof(buf) };
	struct rtnl_neigh_info n = { .ifindex = e->ifindex, .state = e->state, .v6 = v6, .router = e->router };
	memcpy(n.lladdr, e->mac, sizeof(n.lladdr));
	if (v6)
		memcpy(n.dst6, e->key, sizeof(n.dst6));
	else
		memcpy(&n.dst, e->key, sizeof(n.dst)); /* arp.c's key: the address as ipv4.h keeps it */
	notify(rtnl_fill_neigh(&b, &n, 0, 0, pid), &b, gone ? RTM_DELNEIGH : RTM_NEWNEIGH, RTNLGRP_NEIGH, emit);
}

void rtnl_notify_link(const struct netdev *dev, void (*emit)(unsigned group, const struct nl_buf *b))
{
	uint8_t buf[LINK_MSG_MAX];
	struct nl_buf b = { buf, 0, sizeof(buf) };
	struct rtnl_link_info l;
	link_info(dev, &l);
	notify(rtnl_fill_link(&b, &l, 0, 0, 0, 0), &b, RTM_NEWLINK, RTNLGRP_LINK, emit);
}

/* ---- dispatch ------------------------------------------------------------------------------ */

int rtnl_doit(struct rtnl_req *req, struct rtnl_reply *r)
{
	struct netdev *dev;
	int err;

	switch (req->nlh->nlmsg_type) {
	case RTM_GETLINK:  return get_link(req, r);
	case RTM_NEWLINK:  return new_link(req);
	case RTM_SETLINK:
		if ((err = find_link(req, &dev)))
			return err;
		err = set_link(dev, req);
		netdev_put(dev);
		return err;
	case RTM_DELLINK:
		if ((err = find_link(req, &dev)))
			return err;
		netdev_put(dev);
		return -EOPNOTSUPP; /* no link kind can go */
	case RTM_NEWADDR:  return req->family == AF_INET6 ? new_addr6(req) : new_addr(req);
	case RTM_DELADDR:  return req->family == AF_INET6 ? del_addr6(req) : del_addr(req);
	case RTM_NEWROUTE: return req->family == AF_INET6 ? new_route6(req) : new_route(req);
	case RTM_DELROUTE: return req->family == AF_INET6 ? del_route6(req) : del_route(req);
	case RTM_GETROUTE: return req->family == AF_INET6 ? get_route6(req, r) : get_route(req, r);
	case RTM_NEWNEIGH: return new_neigh(req);
	case RTM_DELNEIGH: return del_neigh(req);
	default:           return -EOPNOTSUPP;
	}
}
