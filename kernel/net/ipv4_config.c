// SPDX-License-Identifier: MIT
/*
 * Kestrel: IPv4 addresses and the main routing table (net/ipv4.h), as
 * Linux keeps them: an address brings its subnet's route (proto kernel,
 * scope link) while its device is up; the route to a destination is the
 * longest prefix that matches, then the lowest metric; the local
 * addresses (and all of 127/8 on lo) are delivered here before any route
 * is looked at (Linux's local table).
 *
 * Lock rule: cfg_lock guards both tables and is held for every change,
 * which also moves cfg_gen on (read without the lock: a route cached
 * against it is good while it has not moved); nothing is called with it
 * held except netdev lookups (which take netdev.c's own lock, never this
 * one).
 */
#include "net/ipv4.h"
#include "net/arp.h"
#include "net/netdev.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define LOOPBACK_NET  0x7f000000u
#define LOOPBACK_MASK 0xff000000u

static struct spinlock cfg_lock = SPINLOCK_INIT;
static struct ipv4_ifaddr addrs[IPV4_IFADDR_MAX];   /* ifindex 0: free */
static unsigned addrs_end;  /* cfg_lock: one past the last slot in use, where the walks stop
			     * (a packet's checks walk them: with lo's and a NIC's, 2 of 32) */
static struct ipv4_route routes[IPV4_ROUTE_MAX];    /* ifindex 0: free */
static uint64_t cfg_gen = 1;                         /* moves on at every change; never 0 */

/* A table changed: every cached route is stale. cfg_lock held. */
static void changed(void)
{
	__atomic_add_fetch(&cfg_gen, 1, __ATOMIC_RELEASE);
}

static ipv4_addr_news_fn addr_news;   /* set once at boot (ipv4_addr_listen) */
static ipv4_route_news_fn route_news; /* set once at boot (ipv4_route_listen) */

void ipv4_addr_listen(ipv4_addr_news_fn fn)
{
	addr_news = fn;
}

void ipv4_route_listen(ipv4_route_news_fn fn)
{
	route_news = fn;
}

static void drop_dev_routes(int ifindex);
static int addr_insert(struct netdev *dev, uint32_t addr, uint8_t prefix, uint32_t bcast);

static bool multicast(uint32_t a)
{
	return (a >> 28) == 0xe;
}

/* ---- addresses ------------------------------------------------------------------ */

/* Is addr the broadcast address of a (cfg_lock held). */
static bool broadcast_of(const struct ipv4_ifaddr *a, uint32_t addr)
{
	return (a->bcast && a->bcast == addr) || (a->prefix < 31 && addr == (a->addr | ~a->mask));
}

bool ipv4_is_local(uint32_t addr)
{
	struct netdev *lo = netdev_loopback();
	if ((addr & LOOPBACK_MASK) == LOOPBACK_NET)
		return lo && (lo->flags & IFF_UP);
	bool found = false;
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	for (unsigned i = 0; i < addrs_end && !found; i++)
		found = addrs[i].ifindex && addrs[i].addr == addr;
	spin_unlock_irqrestore(&cfg_lock, fl);
	return found;
}

bool ipv4_is_broadcast(uint32_t addr)
{
	if (addr == INADDR_BROADCAST)
		return true;
	bool found = false;
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	for (unsigned i = 0; i < addrs_end && !found; i++)
		found = addrs[i].ifindex && broadcast_of(&addrs[i], addr);
	spin_unlock_irqrestore(&cfg_lock, fl);
	return found;
}

void ipv4_addr_kinds(uint32_t dst, uint32_t src, struct ipv4_addr_kinds *k)
{
	struct netdev *lo = netdev_loopback();
	bool lo_up = lo && (lo->flags & IFF_UP);
	bool dst_lo = (dst & LOOPBACK_MASK) == LOOPBACK_NET, src_lo = (src & LOOPBACK_MASK) == LOOPBACK_NET;
	k->dst_local = dst_lo && lo_up;
	k->dst_broadcast = dst == INADDR_BROADCAST;
	k->src_local = src_lo && lo_up;
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	for (unsigned i = 0; i < addrs_end; i++) {
		const struct ipv4_ifaddr *a = &addrs[i];
		if (!a->ifindex)
			continue;
		k->dst_local |= !dst_lo && a->addr == dst;
		k->dst_broadcast |= broadcast_of(a, dst);
		k->src_local |= !src_lo && a->addr == src;
	}
	spin_unlock_irqrestore(&cfg_lock, fl);
}

uint32_t ipv4_dev_addr(int ifindex)
{
	uint32_t a = 0;
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	for (unsigned i = 0; i < addrs_end && !a; i++)
		if (addrs[i].ifindex == ifindex)
			a = addrs[i].addr;
	spin_unlock_irqrestore(&cfg_lock, fl);
	return a;
}

/* The subnet route an address brings (cfg_lock not needed: a value). */
static struct ipv4_route subnet_route(const struct ipv4_ifaddr *a)
{
	return (struct ipv4_route){ .dst = a->addr & a->mask, .mask = a->mask, .prefix = a->prefix,
				    .prefsrc = a->addr, .ifindex = a->ifindex,
				    .scope = RT_SCOPE_LINK, .protocol = RTPROT_KERNEL };
}

int ipv4_addr_add(int ifindex, uint32_t addr, uint8_t prefix, uint32_t bcast)
{
	if (prefix > 32 || !addr || multicast(addr) || addr == INADDR_BROADCAST)
		return -EINVAL;
	struct netdev *dev = netdev_by_index(ifindex);
	if (!dev)
		return -EINVAL;
	int err = addr_insert(dev, addr, prefix, bcast);
	netdev_put(dev);
	return err;
}

/* ipv4_addr_add's work, on dev (held). */
static int addr_insert(struct netdev *dev, uint32_t addr, uint8_t prefix, uint32_t bcast)
{
	int ifindex = dev->ifindex;
	struct ipv4_ifaddr a = { .addr = addr, .mask = ipv4_prefix_mask(prefix), .prefix = prefix,
				 .ifindex = ifindex };
	a.bcast = bcast; /* as given: `ip addr add A/P` has none on Linux */
	memcpy(a.label, dev->name, sizeof(a.label));
	int err = -ENOSPC;
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	for (unsigned i = 0; i < addrs_end; i++)
		if (addrs[i].ifindex == ifindex && addrs[i].addr == addr)
			err = -EEXIST;
	for (unsigned i = 0; i < IPV4_IFADDR_MAX && err == -ENOSPC; i++)
		if (!addrs[i].ifindex) {
			addrs[i] = a;
			if (i >= addrs_end)
				addrs_end = i + 1;
			err = 0;
			changed();
		}
	spin_unlock_irqrestore(&cfg_lock, fl);
	if (!err && addr_news)
		addr_news(&a, true);
	if (err || !(dev->flags & IFF_UP))
		return err;
	if (prefix < 32 && dev->type != ARPHRD_LOOPBACK) {
		struct ipv4_route r = subnet_route(&a);
		ipv4_route_add(&r);
	}
	arp_announce(dev, addr);
	return 0;
}

int ipv4_addr_del(int ifindex, uint32_t addr)
{
	struct ipv4_ifaddr gone = { 0 };
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	for (unsigned i = 0; i < addrs_end && !gone.ifindex; i++)
		if (addrs[i].ifindex == ifindex && addrs[i].addr == addr) {
			gone = addrs[i];
			addrs[i].ifindex = 0;
			changed();
		}
	while (addrs_end && !addrs[addrs_end - 1].ifindex)
		addrs_end--;
	spin_unlock_irqrestore(&cfg_lock, fl);
	if (!gone.ifindex)
		return -EADDRNOTAVAIL;
	if (addr_news)
		addr_news(&gone, false);
	struct ipv4_route r = subnet_route(&gone);
	ipv4_route_del(&r);
	if (!ipv4_dev_addr(ifindex))
		drop_dev_routes(ifindex); /* the last address: IPv4 is off there (Linux's fib_disable_ip) */
	return 0;
}

bool ipv4_addr_get(unsigned i, struct ipv4_ifaddr *out)
{
	unsigned n = 0;
	bool found = false;
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	for (unsigned k = 0; k < addrs_end && !found; k++)
		if (addrs[k].ifindex && n++ == i) {
			*out = addrs[k];
			found = true;
		}
	spin_unlock_irqrestore(&cfg_lock, fl);
	return found;
}

/* ---- routes --------------------------------------------------------------------- */

/* Is gw on the link of some up device's subnet? Its ifindex, or 0. cfg_lock held. */
static int link_of(uint32_t gw)
{
	for (unsigned i = 0; i < IPV4_ROUTE_MAX; i++)
		if (routes[i].ifindex && !routes[i].gateway && routes[i].prefix &&
		    (gw & routes[i].mask) == routes[i].dst)
			return routes[i].ifindex;
	return 0;
}

static bool same_route(const struct ipv4_route *a, const struct ipv4_route *b)
{
	return a->dst == b->dst && a->prefix == b->prefix && a->metric == b->metric;
}

int ipv4_route_add(const struct ipv4_route *in)
{
	struct ipv4_route r = *in;
	if (r.prefix > 32)
		return -EINVAL;
	r.mask = ipv4_prefix_mask(r.prefix);
	r.dst &= r.mask;
	int err = -ENOSPC;
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	if (r.gateway && !r.ifindex)
		r.ifindex = link_of(r.gateway);
	if (!r.ifindex)
		err = -ENETUNREACH;
	for (unsigned i = 0; i < IPV4_ROUTE_MAX && err == -ENOSPC; i++)
		if (routes[i].ifindex && same_route(&routes[i], &r))
			err = -EEXIST;
	for (unsigned i = 0; i < IPV4_ROUTE_MAX && err == -ENOSPC; i++)
		if (!routes[i].ifindex) {
			routes[i] = r;
			err = 0;
			changed();
		}
	spin_unlock_irqrestore(&cfg_lock, fl);
	if (!err && route_news)
		route_news(&r, IPV4_ROUTE_ADDED);
	return err;
}

/* Is a the very route b (every field: nothing a replace would change)? */
static bool identical_route(const struct ipv4_route *a, const struct ipv4_route *b)
{
	return same_route(a, b) && a->mask == b->mask && a->gateway == b->gateway && a->prefsrc == b->prefsrc &&
	       a->ifindex == b->ifindex && a->scope == b->scope && a->protocol == b->protocol;
}

/* A replace by the very same route changes nothing and is no news, as
 * Linux's fib_table_insert (its fa_match). */
int ipv4_route_replace(const struct ipv4_route *in)
{
	struct ipv4_route r = *in;
	if (r.prefix > 32)
		return -EINVAL;
	r.mask = ipv4_prefix_mask(r.prefix);
	r.dst &= r.mask;
	int err = -ESRCH;
	bool news = false;
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	if (r.gateway && !r.ifindex)
		r.ifindex = link_of(r.gateway);
	if (!r.ifindex)
		err = -ENETUNREACH;
	for (unsigned i = 0; i < IPV4_ROUTE_MAX && err == -ESRCH; i++)
		if (routes[i].ifindex && same_route(&routes[i], &r)) {
			news = !identical_route(&routes[i], &r);
			routes[i] = r;
			err = 0;
			changed();
		}
	spin_unlock_irqrestore(&cfg_lock, fl);
	if (news && route_news)
		route_news(&r, IPV4_ROUTE_REPLACED);
	return err;
}

/* Does r match what del asks for (its 0 fields match anything)? */
static bool del_matches(const struct ipv4_route *r, const struct ipv4_route *del)
{
	uint32_t mask = ipv4_prefix_mask(del->prefix);
	return r->ifindex && r->dst == (del->dst & mask) && r->prefix == del->prefix &&
	       (!del->gateway || r->gateway == del->gateway) &&
	       (!del->ifindex || r->ifindex == del->ifindex) &&
	       (!del->metric || r->metric == del->metric);
}

int ipv4_route_del(const struct ipv4_route *del)
{
	struct ipv4_route gone = { 0 };
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	for (unsigned i = 0; i < IPV4_ROUTE_MAX && !gone.ifindex; i++)
		if (del_matches(&routes[i], del)) {
			gone = routes[i];
			routes[i].ifindex = 0;
			changed();
		}
	spin_unlock_irqrestore(&cfg_lock, fl);
	if (!gone.ifindex)
		return -ESRCH;
	if (route_news)
		route_news(&gone, IPV4_ROUTE_DELETED);
	return 0;
}

bool ipv4_route_get(unsigned i, struct ipv4_route *out)
{
	unsigned n = 0;
	bool found = false;
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	for (unsigned k = 0; k < IPV4_ROUTE_MAX && !found; k++)
		if (routes[k].ifindex && n++ == i) {
			*out = routes[k];
			found = true;
		}
	spin_unlock_irqrestore(&cfg_lock, fl);
	return found;
}

/* Every route through ifindex goes, without a word to the listener:
 * Linux's fib_table_flush (a device down, its last address gone)
 * removes them without an RTM_DELROUTE. */
static void drop_dev_routes(int ifindex)
{
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	for (unsigned i = 0; i < IPV4_ROUTE_MAX; i++)
		if (routes[i].ifindex == ifindex)
			routes[i].ifindex = 0;
	changed();
	spin_unlock_irqrestore(&cfg_lock, fl);
}

void ipv4_dev_down(int ifindex)
{
	drop_dev_routes(ifindex);
	arp_flush_dev(ifindex);
}

void ipv4_dev_up(int ifindex)
{
	struct netdev *dev = netdev_by_index(ifindex);
	struct ipv4_ifaddr a;
	for (unsigned i = 0; dev && ipv4_addr_get(i, &a); i++) {
		if (a.ifindex != ifindex)
			continue;
		if (a.prefix < 32 && dev->type != ARPHRD_LOOPBACK) {
			struct ipv4_route r = subnet_route(&a);
			ipv4_route_add(&r);
		}
		arp_announce(dev, a.addr);
	}
	netdev_put(dev);
}

int ipv4_dev_forget(int ifindex, struct ipv4_ifaddr *gone, int max)
{
	int n = 0;
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	for (unsigned i = 0; i < addrs_end; i++) {
		if (addrs[i].ifindex != ifindex)
			continue;
		if (n < max)
			gone[n++] = addrs[i];
		addrs[i].ifindex = 0;
	}
	changed(); /* whatever the tables held: a cached route to the device is stale */
	spin_unlock_irqrestore(&cfg_lock, fl);
	drop_dev_routes(ifindex);
	arp_flush_dev(ifindex);
	return n;
}

/* ---- lookup --------------------------------------------------------------------- */

/* The best route to dst (through dev only, if given): longest prefix,
 * then lowest metric. cfg_lock held. */
static const struct ipv4_route *best_route(uint32_t dst, const struct netdev *dev)
{
	const struct ipv4_route *best = NULL;
	for (unsigned i = 0; i < IPV4_ROUTE_MAX; i++) {
		const struct ipv4_route *r = &routes[i];
		if (!r->ifindex || (dst & r->mask) != r->dst || (dev && r->ifindex != dev->ifindex))
			continue;
		if (!best || r->prefix > best->prefix || (r->prefix == best->prefix && r->metric < best->metric))
			best = r;
	}
	return best;
}

/* The source for a route: its prefsrc, else its device's first address. cfg_lock held. */
static uint32_t route_src(const struct ipv4_route *r)
{
	if (r->prefsrc)
		return r->prefsrc;
	for (unsigned i = 0; i < addrs_end; i++)
		if (addrs[i].ifindex == r->ifindex)
			return addrs[i].addr;
	return 0;
}

/* A local destination goes through lo, from itself. */
static int local_route(uint32_t dst, struct ipv4_dst *out)
{
	struct netdev *lo = netdev_loopback();
	if (!lo || !(lo->flags & IFF_UP))
		return -ENETUNREACH;
	netdev_hold(lo);
	*out = (struct ipv4_dst){ .dev = lo, .nexthop = dst, .src = dst, .local = true };
	return 0;
}

int ipv4_route_lookup(uint32_t dst, struct netdev *dev, struct ipv4_dst *out)
{
	if (!dev && ipv4_is_local(dst))
		return local_route(dst, out);
	if (dst == INADDR_BROADCAST || (dev && multicast(dst))) {
		if (!dev)
			return -ENETUNREACH;
		netdev_hold(dev);
		*out = (struct ipv4_dst){ .dev = dev, .nexthop = dst, .src = ipv4_dev_addr(dev->ifindex),
					  .broadcast = true };
		return 0;
	}
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	const struct ipv4_route *r = best_route(dst, dev);
	struct ipv4_route copy = r ? *r : (struct ipv4_route){ 0 };
	uint32_t src = r ? route_src(r) : 0;
	spin_unlock_irqrestore(&cfg_lock, fl);
	struct netdev *out_dev = r ? netdev_by_index(copy.ifindex) : NULL;
	if (!out_dev || !(out_dev->flags & IFF_UP)) {
		netdev_put(out_dev);
		return -ENETUNREACH;
	}
	*out = (struct ipv4_dst){ .dev = out_dev, .nexthop = copy.gateway ? copy.gateway : dst,
				  .src = src, .broadcast = ipv4_is_broadcast(dst) };
	return 0;
}

int ipv4_route_lookup_cached(uint32_t dst, struct netdev *dev, struct ipv4_route_cache *c,
			     struct ipv4_dst *out)
{
	/* a cached device is alive while the generation is the one it was
	 * cached at: unregistering moves it on (ipv4_dev_forget) before the
	 * device can go, and the hold is taken under the same lock */
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	uint64_t gen = cfg_gen;
	bool hit = c->gen == gen && c->dst == dst && c->via == dev;
	if (hit)
		netdev_hold(c->d.dev);
	spin_unlock_irqrestore(&cfg_lock, fl);
	if (hit && (c->d.dev->flags & IFF_UP)) {
		*out = c->d;
		return 0;
	}
	if (hit)
		netdev_put(c->d.dev);
	int err = ipv4_route_lookup(dst, dev, out);
	if (!err)
		*c = (struct ipv4_route_cache){ .gen = gen, .dst = dst, .via = dev, .d = *out };
	return err;
}
