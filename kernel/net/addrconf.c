// SPDX-License-Identifier: MIT
/*
 * Kestrel: IPv6 addresses, routes and stateless autoconfiguration
 * (net/ipv6.h), as Linux's addrconf.c keeps them for a host:
 *
 *   up       An Ethernet device that comes up gets fe80::/64 and its
 *            link-local address from its MAC (modified EUI-64, RFC 4291),
 *            tentative; it joins all-nodes and the address's
 *            solicited-node group (its NIC's multicast filter follows).
 *            lo gets ::1/128.
 *   DAD      Once the link has carrier and a short random delay passed,
 *            one solicitation from :: (DupAddrDetectTransmits 1); a
 *            second later with no advertisement and no other probe for
 *            it the address is ready, else it failed (dadfailed, never
 *            used: RFC 4862 5.4.5).
 *   MLD      Each change of a device's groups, and each MLD query, sends
 *            an MLDv2 report (RFC 3810) of its solicited-node groups to
 *            ff02::16 (all-nodes is never reported), so a switch that
 *            snoops MLD lets ND's multicasts through: before DAD's probe,
 *            as RFC 4862 5.4.2 asks.
 *   RS       The link-local ready, up to three router solicitations,
 *            4 s apart, until an advertisement comes.
 *   RA       A router advertisement: a default route through its sender
 *            for its router lifetime; each prefix with the on-link flag
 *            a route for its valid lifetime; each /64 with the autonomous
 *            flag an address, prefix + the interface identifier,
 *            tentative and through DAD, with the prefix's lifetimes (RFC
 *            4862 5.5.3, without the two-hour rule's protection); its MTU
 *            option the device's IPv6 MTU; its hop limit the default.
 *            At most AUTOCONF_MAX addresses a device from RAs, and
 *            the tables' own bounds for routes.
 *   time     A deprecated address (preferred lifetime over) is kept and
 *            used last; one past its valid lifetime goes, and so does a
 *            route past its expiry.
 *   news     The listener (netlink: RTM_NEWADDR and RTM_DELADDR to
 *            RTNLGRP_IPV6_IFADDR) hears what Linux's ipv6_ifa_notify
 *            tells: an address added by hand, tentative, unless nodad;
 *            every address again when DAD is done (passed, or failed:
 *            dadfailed), an RA's refresh of a ready address, each
 *            address that goes (by hand, its lifetime, its device down).
 *            The route listener (RTM_NEWROUTE and RTM_DELROUTE to
 *            RTNLGRP_IPV6_ROUTE) hears each route made and each that
 *            goes, as inet6_rt_notify tells, in the same list.
 *
 * Lock rule: ac_lock guards the addresses, the routes and the per-device
 * state; netdev lookups are its only calls. What must be sent (DAD
 * probes, solicitations), told to a driver (its multicast list) or to
 * the listener (copies of the addresses as they were) is collected under
 * it and done after it is released; mc_lock keeps two multicast updates
 * of a device from crossing in its driver. addr_news and route_news are
 * set at boot.
 */
#include "net/ipv6.h"
#include "net/ndisc.h"
#include "net/ether.h"
#include "net/icmp6.h"
#include "net/netdev.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "time/time.h"
#include "uapi/netlink.h"
#include "uapi/rtnetlink.h"
#include "log.h"

#define MS                  1000000ull
#define SEC                 (1000 * MS)
#define DAD_TRANSMITS       1              /* net.ipv6.conf.*.dad_transmits */
#define DAD_RETRANS_NS      (1000 * MS)    /* RetransTimer */
#define DAD_DELAY_MAX_MS    200            /* the first probe's random delay (Linux: up to 1 s) */
#define RS_MAX              3              /* router_solicitations */
#define RS_INTERVAL_NS      (4 * SEC)      /* router_solicitation_interval */
#define ROUTE_METRIC_PREFIX 256            /* Linux's metric of a prefix route */
#define ROUTE_METRIC_RA     1024           /* ...and of an RA's default route */
#define IDEV_MAX            8              /* devices with IPv6 state */
#define MC_MAX              (IPV6_ADDR_MAX + 2)
#define EUI64_PREFIX_LEN    64
#define IFA_F_DEPRECATED    0x20
#define AUTOCONF_MAX        16             /* net.ipv6.conf.*.max_addresses: RAs' addresses a device takes */

/* An address and its DAD. */
struct ac_addr {
	struct ipv6_ifaddr a;
	uint8_t dad_left;            /* probes still to send */
	uint64_t dad_next;           /* the next step (a probe, or the verdict) */
	bool autoconf;               /* made from an RA's prefix */
};

/* A device's IPv6 state. */
struct inet6_dev {
	int ifindex;                 /* 0: the slot is free */
	uint32_t mtu;                /* an RA's MTU option; 0: the device's */
	uint8_t hops;                /* an RA's hop limit; 0: the default */
	uint8_t rs_left;
	uint64_t rs_next;
	bool got_ra;
};

static struct spinlock ac_lock = SPINLOCK_INIT;
static struct spinlock mc_lock = SPINLOCK_INIT;
static struct ac_addr addrs[IPV6_ADDR_MAX];
static struct ipv6_route routes[IPV6_ROUTE_MAX];
static struct inet6_dev idevs[IDEV_MAX];
static uint32_t rand_state;

static const struct in6 all_nodes = { { 0xff, 0x02, [15] = 1 } };
static const struct in6 node_local_all = { { 0xff, 0x01, [15] = 1 } };

/* What to do once ac_lock is released. */
struct ac_todo {
	struct { int ifindex; struct in6 target; } dad[IPV6_ADDR_MAX];
	unsigned ndad;
	struct { int ifindex; struct in6 src; } rs[IDEV_MAX];
	unsigned nrs;
	int mc[IDEV_MAX];            /* devices whose multicast list changed */
	unsigned nmc;
	struct { int ifindex; struct in6 addr; uint8_t prefix; bool ok; } said[IPV6_ADDR_MAX];
	unsigned nsaid;
	/* the listeners' news of addresses and routes, in order: at most
	 * two per address a run (one added by hand: tentative, then ready)
	 * and one per route, so NEWS_MAX of them suffice. From the heap at
	 * the first (todo_run frees them): the 7 KiB are more than a kernel
	 * stack spares beside netlink's frames (the self-test's limit is
	 * half the stack). None when the heap has no room: the listener
	 * misses them, as Linux's gets ENOBUFS then. */
	struct ac_news {
		bool route, added;
		enum ipv6_route_event ev; /* a route's */
		union { struct ipv6_ifaddr a; struct ipv6_route r; };
	} *news;
	unsigned nnews;
};
#define NEWS_MAX (2 * IPV6_ADDR_MAX + IPV6_ROUTE_MAX)

static ipv6_addr_news_fn addr_news;   /* set once at boot (ipv6_addr_listen) */
static ipv6_route_news_fn route_news; /* set once at boot (ipv6_route_listen) */

void ipv6_addr_listen(ipv6_addr_news_fn fn)
{
	addr_news = fn;
}

void ipv6_route_listen(ipv6_route_news_fn fn)
{
	route_news = fn;
}

/* A slot at the end of t's news, or NULL (the heap or the list full). ac_lock held. */
static struct ac_news *news_slot(struct ac_todo *t)
{
	if (!t->news && !(t->news = kmalloc(NEWS_MAX * sizeof(*t->news))))
		return NULL;
	return t->nnews < NEWS_MAX ? &t->news[t->nnews++] : NULL;
}

/* The listener will hear of a as it is now: RTM_NEWADDR (added) or RTM_DELADDR. ac_lock held. */
static void news(struct ac_todo *t, const struct ipv6_ifaddr *a, bool added)
{
	struct ac_news *n = news_slot(t);
	if (n)
		*n = (struct ac_news){ .route = false, .added = added, .a = *a };
}

/* The route listener will hear of r: RTM_NEWROUTE (added, replaced) or RTM_DELROUTE. ac_lock held. */
static void route_news_ev(struct ac_todo *t, const struct ipv6_route *r, enum ipv6_route_event ev)
{
	struct ac_news *n = news_slot(t);
	if (n)
		*n = (struct ac_news){ .route = true, .ev = ev, .r = *r };
}

static void route_news_add(struct ac_todo *t, const struct ipv6_route *r, bool added)
{
	route_news_ev(t, r, added ? IPV6_ROUTE_ADDED : IPV6_ROUTE_DELETED);
}

static unsigned rand_ms(unsigned max)
{
	rand_state = rand_state * 1103515245u + 12345u + (uint32_t)time_ns();
	return (rand_state >> 16) % (max + 1);
}

/* ---- tables (ac_lock held) --------------------------------------------------------- */

static struct inet6_dev *idev_of(int ifindex, bool create)
{
	struct inet6_dev *free = NULL;
	for (unsigned i = 0; i < IDEV_MAX; i++) {
		if (idevs[i].ifindex == ifindex)
			return &idevs[i];
		if (!idevs[i].ifindex && !free)
			free = &idevs[i];
	}
	if (!create || !free)
		return NULL;
	memset(free, 0, sizeof(*free));
	free->ifindex = ifindex;
	return free;
}

static struct ac_addr *addr_find(int ifindex, const struct in6 *a)
{
	for (unsigned i = 0; i < IPV6_ADDR_MAX; i++)
		if (addrs[i].a.ifindex && (!ifindex || addrs[i].a.ifindex == ifindex) && in6_eq(&addrs[i].a.addr, a))
			return &addrs[i];
	return NULL;
}

static void mc_changed(struct ac_todo *t, int ifindex)
{
	for (unsigned i = 0; i < t->nmc; i++)
		if (t->mc[i] == ifindex)
			return;
	if (t->nmc < IDEV_MAX)
		t->mc[t->nmc++] = ifindex;
}

/* A new address, permanent, with flags: IFA_F_TENTATIVE (DAD runs),
 * IFA_F_NODAD (asked for by hand: no DAD, and ip shows "nodad") or 0 (no
 * DAD and no flag: lo's, which Linux never checks, IFF_LOOPBACK). NULL
 * when the table is full. */
static struct ac_addr *addr_add(int ifindex, const struct in6 *a, uint8_t prefix, uint8_t scope, uint32_t flags,
				uint64_t now, struct ac_todo *t)
{
	for (unsigned i = 0; i < IPV6_ADDR_MAX; i++) {
		struct ac_addr *x = &addrs[i];
		if (x->a.ifindex)
			continue;
		memset(x, 0, sizeof(*x));
		x->a = (struct ipv6_ifaddr){ .addr = *a, .prefix = prefix, .scope = scope, .ifindex = ifindex,
					     .flags = IFA_F_PERMANENT | flags,
					     .valid_s = IPV6_LIFE_FOREVER, .preferred_s = IPV6_LIFE_FOREVER,
					     .stamp = now, .created = now };
		x->dad_left = DAD_TRANSMITS;
		x->dad_next = now + (uint64_t)rand_ms(DAD_DELAY_MAX_MS) * MS;
		mc_changed(t, ifindex);
		return x;
	}
	return NULL;
}

/* The route dst/prefix via gw on ifindex, made (news of it in t) or
 * refreshed (expires: 0 never; a refresh is no news, as Linux's
 * fib6_set_expires). */
static void route_set(struct ac_todo *t, const struct in6 *dst, uint8_t prefix, const struct in6 *gw,
		      int ifindex, uint32_t metric, uint8_t proto, uint64_t expires)
{
	struct ipv6_route *free = NULL;
	for (unsigned i = 0; i < IPV6_ROUTE_MAX; i++) {
		struct ipv6_route *r = &routes[i];
		if (!r->ifindex) {
			if (!free)
				free = r;
			continue;
		}
		if (r->ifindex == ifindex && r->prefix == prefix && in6_eq(&r->dst, dst) && in6_eq(&r->gateway, gw)) {
			r->expires = expires;
			return;
		}
	}
	if (!free)
		return;
	*free = (struct ipv6_route){ .dst = *dst, .prefix = prefix, .gateway = *gw, .ifindex = ifindex,
				     .metric = metric, .protocol = proto, .expires = expires };
	route_news_add(t, free, true);
}

/* Route slot r goes, with news of it in t (tell) or none. ac_lock held. */
static void route_drop(struct ac_todo *t, struct ipv6_route *r, bool tell)
{
	if (tell)
		route_news_add(t, r, false);
	memset(r, 0, sizeof(*r));
}

static void route_del(struct ac_todo *t, const struct in6 *dst, uint8_t prefix, const struct in6 *gw,
		      int ifindex)
{
	for (unsigned i = 0; i < IPV6_ROUTE_MAX; i++) {
		struct ipv6_route *r = &routes[i];
		if (r->ifindex == ifindex && r->prefix == prefix && in6_eq(&r->dst, dst) && in6_eq(&r->gateway, gw))
			route_drop(t, r, true);
	}
}

/* ---- what is done after the lock ----------------------------------------------------- */

/* The device's groups as Ethernet addresses: all-nodes, then each address's solicited-node group. */
static unsigned mc_list(int ifindex, uint8_t (*macs)[ETH_ALEN])
{
	unsigned n = 0;
	in6_mc_mac(&all_nodes, macs[n++]);
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	for (unsigned i = 0; i < IPV6_ADDR_MAX && n < MC_MAX; i++) {
		if (addrs[i].a.ifindex != ifindex)
			continue;
		struct in6 sn;
		in6_solicited_node(&addrs[i].a.addr, &sn);
		in6_mc_mac(&sn, macs[n]);
		bool dup = false;
		for (unsigned k = 0; k < n; k++)
			dup |= memcmp(macs[k], macs[n], ETH_ALEN) == 0;
		n += !dup;
	}
	spin_unlock_irqrestore(&ac_lock, fl);
	return n;
}

static void mc_sync(int ifindex)
{
	static uint8_t macs[MC_MAX][ETH_ALEN]; /* mc_lock */
	struct netdev *dev = netdev_by_index(ifindex);
	if (dev && dev->ops->set_multicast) {
		uint64_t fl = spin_lock_irqsave(&mc_lock);
		unsigned n = mc_list(ifindex, macs);
		dev->ops->set_multicast(dev, (const uint8_t(*)[ETH_ALEN])macs, n);
		spin_unlock_irqrestore(&mc_lock, fl);
	}
	netdev_put(dev);
}

/* ---- MLDv2 reports (RFC 3810 5.2) ---- */

#define MLD2_REPORT_HDR   8     /* type, code, checksum, reserved, record count */
#define MLD2_RECORD_LEN   20    /* type, aux length, source count, the group */
#define MLD2_CHANGE_TO_EX 4     /* a join: CHANGE_TO_EXCLUDE_MODE with no source */
#define MLD2_IS_EX        2     /* a query's answer: MODE_IS_EXCLUDE */
#define MLD_HOPS          1
#define HBH_LEN           8     /* hop-by-hop: router alert (MLD) and a PadN */

/* The device's groups but all-nodes (its solicited-node groups), up to max. */
static unsigned mld_groups(int ifindex, struct in6 *out, unsigned max)
{
	unsigned n = 0;
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	for (unsigned i = 0; i < IPV6_ADDR_MAX && n < max; i++) {
		if (addrs[i].a.ifindex != ifindex)
			continue;
		struct in6 sn;
		bool dup = false;
		in6_solicited_node(&addrs[i].a.addr, &sn);
		for (unsigned k = 0; k < n; k++)
			dup |= in6_eq(&out[k], &sn);
		if (!dup)
			out[n++] = sn;
	}
	spin_unlock_irqrestore(&ac_lock, fl);
	return n;
}

/* Send dev an MLDv2 report of its groups (records of type rtype) from its
 * link-local address, or from :: while it has none ready (RFC 3590).
 * The IPv6 header is built here: MLD's carries a router alert. */
static void mld_report(struct netdev *dev, uint8_t rtype)
{
	static const struct in6 all_mld_routers = { { 0xff, 0x02, [15] = 0x16 } };
	struct in6 groups[MC_MAX], src = { 0 };
	unsigned n = mld_groups(dev->ifindex, groups, MC_MAX);
	if (!n || dev->type != ARPHRD_ETHER || !(dev->flags & IFF_UP))
		return;
	struct in6 ll = { { 0xfe, 0x80 } };
	in6_set_eui64(&ll, dev->mac);
	if (ipv6_addr_local(&ll) == IPV6_LOCAL)
		src = ll;
	size_t len = MLD2_REPORT_HDR + n * MLD2_RECORD_LEN;
	struct netbuf *nb = netbuf_alloc(NETBUF_HEADROOM, len);
	if (!nb)
		return;
	uint8_t *p = netbuf_put(nb, len);
	memset(p, 0, len);
	p[0] = ICMPV6_MLD2_REPORT;
	put_be16(p + 6, (uint16_t)n);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *r = p + MLD2_REPORT_HDR + i * MLD2_RECORD_LEN;
		r[0] = rtype;
		memcpy(r + 4, groups[i].b, 16);
	}
	icmp6_set_csum(p, len, &src, &all_mld_routers);
	uint8_t *hbh = netbuf_push(nb, HBH_LEN);
	uint8_t *h = hbh ? netbuf_push(nb, IPV6_HDR_LEN) : NULL;
	if (!h) {
		netbuf_free(nb);
		return;
	}
	static const uint8_t ra[HBH_LEN] = { NEXTHDR_ICMP, 0, IPV6_TLV_ROUTERALERT, 2, 0, 0, IPV6_TLV_PADN, 0 };
	memcpy(hbh, ra, HBH_LEN);
	struct ipv6_info ip = { .payload_len = (uint16_t)(HBH_LEN + len), .next_hdr = NEXTHDR_HOP,
				.hop_limit = MLD_HOPS, .src = src, .dst = all_mld_routers };
	ipv6_build(h, &ip);
	uint8_t mac[ETH_ALEN];
	in6_mc_mac(&all_mld_routers, mac);
	__atomic_add_fetch(&icmp6_mib.out_msgs, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&icmp6_mib.out_type[ICMPV6_MLD2_REPORT], 1, __ATOMIC_RELAXED);
	ether_output(dev, nb, mac, ETH_P_IPV6);
}

void addrconf_mld_query(struct netdev *dev)
{
	mld_report(dev, MLD2_IS_EX);
}

/* An address's DAD verdict, as the log tells it. */
static void say(const struct ac_todo *t, unsigned i)
{
	struct netdev *dev = netdev_by_index(t->said[i].ifindex);
	char text[IN6_TEXT_MAX];
	in6_format(&t->said[i].addr, text);
	klog(t->said[i].ok ? LOG_INFO : LOG_WARN, "ipv6: %s %s/%u %s\n", dev ? dev->name : "?", text,
	     t->said[i].prefix, t->said[i].ok ? "ready (DAD passed)" : "DAD failed: a duplicate on the link");
	netdev_put(dev);
}

static void todo_run(struct ac_todo *t)
{
	static const struct in6 any;
	for (unsigned i = 0; i < t->nnews; i++) {
		const struct ac_news *n = &t->news[i];
		if (n->route && route_news)
			route_news(&n->r, n->ev);
		else if (!n->route && addr_news)
			addr_news(&n->a, n->added);
	}
	kfree(t->news);
	t->news = NULL;
	for (unsigned i = 0; i < t->nmc; i++) {
		struct netdev *dev = netdev_by_index(t->mc[i]);
		mc_sync(t->mc[i]);
		if (dev)
			mld_report(dev, MLD2_CHANGE_TO_EX);
		netdev_put(dev);
	}
	for (unsigned i = 0; i < t->ndad; i++) {
		struct netdev *dev = netdev_by_index(t->dad[i].ifindex);
		if (dev)
			ndisc_send_ns(dev, &any, &t->dad[i].target);
		netdev_put(dev);
	}
	for (unsigned i = 0; i < t->nrs; i++) {
		struct netdev *dev = netdev_by_index(t->rs[i].ifindex);
		if (dev)
			ndisc_send_rs(dev, &t->rs[i].src);
		netdev_put(dev);
	}
	for (unsigned i = 0; i < t->nsaid; i++)
		say(t, i);
}

/* ---- devices up and down -------------------------------------------------------------- */

void addrconf_dev_up(struct netdev *dev)
{
	struct ac_todo t = { 0 };
	uint64_t now = time_ns();
	struct in6 a = { 0 }, ll_net = { { 0xfe, 0x80 } }, any = { 0 };
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	if (dev->type == ARPHRD_LOOPBACK) {
		a.b[15] = 1;
		struct ac_addr *x = NULL;
		if (!addr_find(dev->ifindex, &a))
			x = addr_add(dev->ifindex, &a, 128, RT_SCOPE_HOST, 0, now, &t);
		if (x)
			news(&t, &x->a, true); /* Linux's init_loopback: no DAD on lo, ready at once */
		route_set(&t, &a, 128, &any, dev->ifindex, ROUTE_METRIC_PREFIX, RTPROT_KERNEL, 0);
	} else if (dev->type == ARPHRD_ETHER && idev_of(dev->ifindex, true)) {
		a = ll_net;
		in6_set_eui64(&a, dev->mac);
		if (!addr_find(dev->ifindex, &a))
			addr_add(dev->ifindex, &a, EUI64_PREFIX_LEN, RT_SCOPE_LINK, IFA_F_TENTATIVE, now, &t);
		route_set(&t, &ll_net, EUI64_PREFIX_LEN, &any, dev->ifindex, ROUTE_METRIC_PREFIX, RTPROT_KERNEL, 0);
		mc_changed(&t, dev->ifindex);
	}
	spin_unlock_irqrestore(&ac_lock, fl);
	todo_run(&t);
}

/* Is a before b in Linux's list of a device's addresses? ipv6_link_dev_addr
 * keeps it by scope, global first, and the newest first within a scope. */
static bool listed_before(const struct ipv6_ifaddr *a, const struct ipv6_ifaddr *b)
{
	if (a->scope != b->scope)
		return a->scope < b->scope; /* RT_SCOPE_UNIVERSE < _LINK < _HOST */
	return a->created > b->created;
}

/* The slots of ifindex's addresses into idx, in Linux's order: how many. ac_lock held. */
static unsigned dev_addrs(int ifindex, unsigned *idx)
{
	unsigned n = 0;
	for (unsigned i = 0; i < IPV6_ADDR_MAX; i++) {
		if (addrs[i].a.ifindex != ifindex)
			continue;
		unsigned k = n++;
		for (; k > 0 && listed_before(&addrs[i].a, &addrs[idx[k - 1]].a); k--)
			idx[k] = idx[k - 1];
		idx[k] = i;
	}
	return n;
}

unsigned ipv6_dev_addrs(int ifindex, struct ipv6_ifaddr *out, unsigned max)
{
	unsigned idx[IPV6_ADDR_MAX];
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	unsigned n = dev_addrs(ifindex, idx);
	for (unsigned i = 0; i < n && i < max; i++)
		out[i] = addrs[idx[i]].a;
	spin_unlock_irqrestore(&ac_lock, fl);
	return n < max ? n : max;
}

void addrconf_dev_down(struct netdev *dev, bool tell)
{
	struct ac_todo t = { 0 };
	unsigned idx[IPV6_ADDR_MAX];
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	for (unsigned i = 0; i < IPV6_ROUTE_MAX; i++)
		if (routes[i].ifindex == dev->ifindex)
			route_drop(&t, &routes[i], tell); /* rt6_disable_ip's, before the addresses */
	/* every address goes, lo's ::1 too (back when it comes up), in the
	 * list's order: Linux's addrconf_ifdown with keep_addr_on_down 0 */
	unsigned n = dev_addrs(dev->ifindex, idx);
	for (unsigned i = 0; i < n; i++) {
		if (tell)
			news(&t, &addrs[idx[i]].a, false);
		memset(&addrs[idx[i]], 0, sizeof(addrs[idx[i]]));
	}
	struct inet6_dev *idev = idev_of(dev->ifindex, false);
	if (idev)
		memset(idev, 0, sizeof(*idev));
	spin_unlock_irqrestore(&ac_lock, fl);
	todo_run(&t);
	ndisc_flush_dev(dev->ifindex);
}

void addrconf_dev_forget(int ifindex)
{
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	for (unsigned i = 0; i < IPV6_ROUTE_MAX; i++)
		if (routes[i].ifindex == ifindex)
			memset(&routes[i], 0, sizeof(routes[i]));
	for (unsigned i = 0; i < IPV6_ADDR_MAX; i++)
		if (addrs[i].a.ifindex == ifindex)
			memset(&addrs[i], 0, sizeof(addrs[i]));
	struct inet6_dev *idev = idev_of(ifindex, false);
	if (idev)
		memset(idev, 0, sizeof(*idev));
	spin_unlock_irqrestore(&ac_lock, fl);
	ndisc_forget_dev(ifindex);
}

/* ---- addresses by hand (netlink) ------------------------------------------------------- */

/* The scope Linux gives an address (ipv6_addr_scope). */
static uint8_t scope_of(const struct in6 *a)
{
	return in6_is_loopback(a) ? RT_SCOPE_HOST : in6_is_linklocal(a) ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
}

/* The news of an address added by hand (inet6_addr_add): tentative
 * first unless nodad, then, where no DAD runs (lo, nodad), ready at
 * once (Linux's DAD ends there as soon as it begins). ac_lock held. */
static void added_news(const struct ac_addr *x, struct ac_todo *t)
{
	struct ipv6_ifaddr tentative = x->a;
	tentative.flags |= IFA_F_TENTATIVE;
	if (!(x->a.flags & IFA_F_NODAD))
		news(t, &tentative, true);
	if (!(x->a.flags & IFA_F_TENTATIVE))
		news(t, &x->a, true);
}

int addrconf_addr_add(struct netdev *dev, const struct in6 *a, uint8_t prefix, bool nodad, bool replace)
{
	struct ac_todo t = { 0 };
	static const struct in6 any;
	int err = 0;
	if (prefix > 128 || in6_is_multicast(a) || in6_is_any(a))
		return -EINVAL;
	uint64_t now = time_ns();
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	struct ac_addr *x = addr_find(dev->ifindex, a);
	if (x) {
		err = replace ? 0 : -EEXIST;
		if (replace)
			news(&t, &x->a, true); /* inet6_addr_modify's */
	} else if (!(x = addr_add(dev->ifindex, a, prefix, scope_of(a),
				  nodad ? IFA_F_NODAD : dev->type == ARPHRD_LOOPBACK ? 0 : IFA_F_TENTATIVE, now, &t))) {
		err = -ENOSPC;
	} else {
		struct in6 net = *a;
		in6_prefix_mask(&net, prefix);
		if (prefix < 128) /* inet6_addr_add: the prefix route, then DAD's start (the news) */
			route_set(&t, &net, prefix, &any, dev->ifindex, ROUTE_METRIC_PREFIX, RTPROT_KERNEL, 0);
		added_news(x, &t);
	}
	spin_unlock_irqrestore(&ac_lock, fl);
	todo_run(&t);
	return err;
}

int addrconf_addr_del(struct netdev *dev, const struct in6 *a, uint8_t prefix)
{
	struct ac_todo t = { 0 };
	static const struct in6 any;
	int err = -EADDRNOTAVAIL;
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	struct ac_addr *x = addr_find(dev->ifindex, a);
	if (x && (!prefix || x->a.prefix == prefix)) {
		struct in6 net = *a;
		uint8_t plen = x->a.prefix;
		bool autoconf = x->autoconf; /* an RA's prefix route is the RA's */
		in6_prefix_mask(&net, plen);
		news(&t, &x->a, false);
		memset(x, 0, sizeof(*x));
		if (plen < 128 && !autoconf)
			route_del(&t, &net, plen, &any, dev->ifindex); /* its prefix route, as Linux's */
		mc_changed(&t, dev->ifindex);
		err = 0;
	}
	spin_unlock_irqrestore(&ac_lock, fl);
	todo_run(&t);
	return err;
}

/* ---- DAD ------------------------------------------------------------------------------ */

/* x passed DAD: ready; a link-local one starts router solicitation. */
static void dad_passed(struct ac_addr *x, uint64_t now, struct ac_todo *t)
{
	x->a.flags &= ~(uint32_t)IFA_F_TENTATIVE;
	news(t, &x->a, true); /* addrconf_dad_completed's */
	if (t->nsaid < IPV6_ADDR_MAX)
		t->said[t->nsaid++] = (typeof(t->said[0])){ x->a.ifindex, x->a.addr, x->a.prefix, true };
	struct inet6_dev *idev = idev_of(x->a.ifindex, false);
	if (x->a.scope == RT_SCOPE_LINK && idev && !idev->got_ra) {
		idev->rs_left = RS_MAX;
		idev->rs_next = now;
	}
}

/* One address's DAD step at now. */
static void dad_step(struct ac_addr *x, uint64_t now, struct ac_todo *t)
{
	if (!(x->a.flags & IFA_F_TENTATIVE) || (x->a.flags & IFA_F_DADFAILED) || now < x->dad_next)
		return;
	struct netdev *dev = netdev_by_index(x->a.ifindex);
	bool ready = dev && (dev->flags & IFF_UP) && (dev->flags & IFF_RUNNING);
	netdev_put(dev);
	if (!ready) {
		x->dad_next = now + DAD_RETRANS_NS; /* no carrier yet: DAD waits for it */
		return;
	}
	if (!x->dad_left)
		return dad_passed(x, now, t);
	x->dad_left--;
	x->dad_next = now + DAD_RETRANS_NS;
	if (t->ndad < IPV6_ADDR_MAX)
		t->dad[t->ndad++] = (typeof(t->dad[0])){ x->a.ifindex, x->a.addr };
}

bool addrconf_dad_conflict(struct netdev *dev, const struct in6 *a)
{
	struct ac_todo t = { 0 };
	bool tentative = false;
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	struct ac_addr *x = addr_find(dev->ifindex, a);
	if (x && (x->a.flags & IFA_F_TENTATIVE) && !(x->a.flags & IFA_F_DADFAILED)) {
		tentative = true;
		x->a.flags |= IFA_F_DADFAILED;
		news(&t, &x->a, true); /* addrconf_dad_stop's: tentative and dadfailed */
		if (t.nsaid < IPV6_ADDR_MAX)
			t.said[t.nsaid++] = (typeof(t.said[0])){ x->a.ifindex, x->a.addr, x->a.prefix, false };
	}
	spin_unlock_irqrestore(&ac_lock, fl);
	todo_run(&t);
	return tentative;
}

/* ---- router advertisements --------------------------------------------------------------- */

/* Lifetime s from now as an expiry (0: never). */
static uint64_t expiry(uint64_t now, uint32_t s)
{
	return s == IPV6_LIFE_FOREVER ? 0 : now + (uint64_t)s * SEC;
}

/* The addresses RAs gave ifindex (a hostile router's flood of prefixes
 * stops at AUTOCONF_MAX, as Linux's max_addresses). */
static unsigned autoconf_count(int ifindex)
{
	unsigned n = 0;
	for (unsigned i = 0; i < IPV6_ADDR_MAX; i++)
		n += addrs[i].a.ifindex == ifindex && addrs[i].autoconf;
	return n;
}

/* An RA's prefix option on dev (RFC 4862 5.5.3). */
static void ra_prefix(const struct netdev *dev, const struct nd_prefix *p, uint64_t now, struct ac_todo *t)
{
	static const struct in6 any;
	if (in6_is_linklocal(&p->prefix) || in6_is_multicast(&p->prefix) || p->preferred_s > p->valid_s ||
	    p->len > 128)
		return;
	if (p->onlink) {
		if (p->valid_s)
			route_set(t, &p->prefix, p->len, &any, dev->ifindex, ROUTE_METRIC_PREFIX, RTPROT_KERNEL,
				  expiry(now, p->valid_s));
		else
			route_del(t, &p->prefix, p->len, &any, dev->ifindex);
	}
	if (!p->autonomous || p->len != EUI64_PREFIX_LEN)
		return;
	struct in6 a = p->prefix;
	in6_set_eui64(&a, dev->mac);
	struct ac_addr *x = addr_find(dev->ifindex, &a);
	if (!x && p->valid_s && autoconf_count(dev->ifindex) < AUTOCONF_MAX)
		x = addr_add(dev->ifindex, &a, p->len, RT_SCOPE_UNIVERSE, IFA_F_TENTATIVE, now, t);
	if (!x)
		return;
	bool refresh = x->autoconf && !(x->a.flags & IFA_F_TENTATIVE);
	x->autoconf = true;
	x->a.flags &= ~(uint32_t)(IFA_F_PERMANENT | IFA_F_DEPRECATED); /* "dynamic" */
	x->a.valid_s = p->valid_s;
	x->a.preferred_s = p->preferred_s;
	x->a.stamp = now;
	if (refresh)
		news(t, &x->a, true); /* the new lifetimes (addrconf_prefix_rcvd_add_addr's update_lft) */
}

void addrconf_ra(struct netdev *dev, const struct ipv6_info *ip, const struct icmp6_info *ic)
{
	struct ac_todo t = { 0 };
	static const struct in6 any;
	uint64_t now = time_ns();
	if (ic->has_sll)
		ndisc_learn(dev, &ip->src, ic->sll, true);
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	struct inet6_dev *idev = idev_of(dev->ifindex, false);
	if (idev) {
		idev->got_ra = true;
		idev->rs_left = 0;
		if (ic->cur_hop_limit)
			idev->hops = ic->cur_hop_limit;
		if (ic->mtu >= IPV6_MIN_MTU && ic->mtu <= dev->mtu)
			idev->mtu = ic->mtu;
		if (ic->router_lifetime_s)
			route_set(&t, &any, 0, &ip->src, dev->ifindex, ROUTE_METRIC_RA, RTPROT_RA,
				  now + (uint64_t)ic->router_lifetime_s * SEC);
		else
			route_del(&t, &any, 0, &ip->src, dev->ifindex);
		for (unsigned i = 0; i < ic->nprefix; i++)
			ra_prefix(dev, &ic->prefix[i], now, &t);
	}
	spin_unlock_irqrestore(&ac_lock, fl);
	todo_run(&t);
}

/* ---- time ----------------------------------------------------------------------------------- */

/* An address's lifetimes at now: deprecated, or gone (true). */
static bool addr_expired(struct ac_addr *x, uint64_t now, struct ac_todo *t)
{
	uint64_t age_s = (now - x->a.stamp) / SEC;
	if (x->a.valid_s != IPV6_LIFE_FOREVER && age_s >= x->a.valid_s) {
		mc_changed(t, x->a.ifindex);
		news(t, &x->a, false);
		memset(x, 0, sizeof(*x));
		return true;
	}
	if (x->a.preferred_s != IPV6_LIFE_FOREVER && age_s >= x->a.preferred_s &&
	    !(x->a.flags & IFA_F_DEPRECATED)) {
		x->a.flags |= IFA_F_DEPRECATED;
		news(t, &x->a, true); /* addrconf_verify_rtnl's */
	}
	return false;
}

static void rs_step(struct inet6_dev *idev, uint64_t now, struct ac_todo *t)
{
	if (!idev->rs_left || now < idev->rs_next || t->nrs >= IDEV_MAX)
		return;
	struct netdev *dev = netdev_by_index(idev->ifindex);
	struct in6 ll = { { 0xfe, 0x80 } };
	if (!dev)
		return;
	in6_set_eui64(&ll, dev->mac);
	netdev_put(dev);
	idev->rs_left--;
	idev->rs_next = now + RS_INTERVAL_NS;
	t->rs[t->nrs].ifindex = idev->ifindex;
	t->rs[t->nrs++].src = ll;
}

void addrconf_timer(uint64_t now)
{
	struct ac_todo t = { 0 };
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	for (unsigned i = 0; i < IPV6_ADDR_MAX; i++)
		if (addrs[i].a.ifindex && !addr_expired(&addrs[i], now, &t))
			dad_step(&addrs[i], now, &t);
	for (unsigned i = 0; i < IPV6_ROUTE_MAX; i++)
		if (routes[i].ifindex && routes[i].expires && now >= routes[i].expires)
			route_drop(&t, &routes[i], true); /* fib6_age's */
	for (unsigned i = 0; i < IDEV_MAX; i++)
		if (idevs[i].ifindex)
			rs_step(&idevs[i], now, &t);
	spin_unlock_irqrestore(&ac_lock, fl);
	todo_run(&t);
}

/* ---- lookups ------------------------------------------------------------------------------------ */

enum ipv6_local ipv6_addr_local(const struct in6 *a)
{
	enum ipv6_local r = IPV6_NOT_LOCAL;
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	struct ac_addr *x = addr_find(0, a);
	if (x)
		r = x->a.flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED) ? IPV6_LOCAL_TENTATIVE : IPV6_LOCAL;
	spin_unlock_irqrestore(&ac_lock, fl);
	return r;
}

bool ipv6_addr_on(int ifindex, const struct in6 *a)
{
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	bool on = addr_find(ifindex, a) != NULL;
	spin_unlock_irqrestore(&ac_lock, fl);
	return on;
}

/* The first route of r's destination, prefix and metric, and a free slot. ac_lock held. */
static struct ipv6_route *route_same(const struct ipv6_route *r, struct ipv6_route **free)
{
	*free = NULL;
	for (unsigned i = 0; i < IPV6_ROUTE_MAX; i++) {
		struct ipv6_route *o = &routes[i];
		if (!o->ifindex) {
			if (!*free)
				*free = o;
		} else if (o->prefix == r->prefix && o->metric == r->metric && in6_eq(&o->dst, &r->dst)) {
			return o;
		}
	}
	return NULL;
}

/* The route of r's destination, prefix and metric through r's device
 * and gateway, or NULL. ac_lock held. */
static struct ipv6_route *route_same_hop(const struct ipv6_route *r)
{
	for (unsigned i = 0; i < IPV6_ROUTE_MAX; i++) {
		struct ipv6_route *o = &routes[i];
		if (o->ifindex == r->ifindex && o->prefix == r->prefix && o->metric == r->metric &&
		    in6_eq(&o->dst, &r->dst) && in6_eq(&o->gateway, &r->gateway))
			return o;
	}
	return NULL;
}

int ipv6_route_user_add(const struct ipv6_route *r, unsigned nlflags)
{
	struct ac_todo t = { 0 };
	struct ipv6_route *free, *same, *hop;
	int err = 0;
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	same = route_same(r, &free);
	if (same && (nlflags & NLM_F_EXCL)) {
		err = -EEXIST;
	} else if (same && (nlflags & NLM_F_REPLACE)) {
		*same = *r;
		route_news_ev(&t, same, IPV6_ROUTE_REPLACED);
	} else if ((nlflags & NLM_F_REPLACE) && !(nlflags & NLM_F_CREATE)) {
		err = -ENOENT; /* "Route to replace not found" */
	} else if (same && (hop = route_same_hop(r))) {
		if (hop->expires)
			hop->expires = r->expires;
		err = -EEXIST;
	} else if (!free) {
		err = -ENOSPC;
	} else {
		*free = *r;
		route_news_ev(&t, free, IPV6_ROUTE_ADDED);
	}
	spin_unlock_irqrestore(&ac_lock, fl);
	todo_run(&t);
	return err;
}

/* Does o match RTM_DELROUTE's r (ip6_route_del's tests)? */
static bool route_del_matches(const struct ipv6_route *o, const struct ipv6_route *r, bool gateway)
{
	return o->ifindex && o->prefix == r->prefix && in6_eq(&o->dst, &r->dst) &&
	       (!r->ifindex || o->ifindex == r->ifindex) && (!gateway || in6_eq(&o->gateway, &r->gateway)) &&
	       (!r->metric || o->metric == r->metric) && (!r->protocol || o->protocol == r->protocol);
}

int ipv6_route_user_del(const struct ipv6_route *r, bool gateway)
{
	struct ac_todo t = { 0 };
	struct ipv6_route *best = NULL;
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	for (unsigned i = 0; i < IPV6_ROUTE_MAX; i++)
		if (route_del_matches(&routes[i], r, gateway) && (!best || routes[i].metric < best->metric))
			best = &routes[i];
	if (best)
		route_drop(&t, best, true);
	spin_unlock_irqrestore(&ac_lock, fl);
	todo_run(&t);
	return best ? 0 : -ESRCH;
}

bool ipv6_mc_joined(int ifindex, const struct in6 *a)
{
	if (in6_eq(a, &all_nodes) || in6_eq(a, &node_local_all))
		return true;
	bool found = false;
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	for (unsigned i = 0; i < IPV6_ADDR_MAX && !found; i++) {
		struct in6 sn;
		if (addrs[i].a.ifindex != ifindex)
			continue;
		in6_solicited_node(&addrs[i].a.addr, &sn);
		found = in6_eq(&sn, a);
	}
	spin_unlock_irqrestore(&ac_lock, fl);
	return found;
}

/* How good x is as a source for dst (higher is better; < 0 unusable). */
static int source_score(const struct ac_addr *x, const struct in6 *dst, bool link_scope)
{
	if (x->a.flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED))
		return -1;
	int score = 0;
	if ((x->a.scope == RT_SCOPE_LINK) == link_scope)
		score += 1000; /* the destination's scope (RFC 6724 rule 2) */
	if (!(x->a.flags & IFA_F_DEPRECATED))
		score += 500;  /* rule 3 */
	for (unsigned n = 128; n > 0; n--)
		if (in6_prefix_eq(&x->a.addr, dst, n))
			return score + (int)n; /* rule 8: the longest matching prefix */
	return score;
}

int ipv6_select_source(const struct netdev *dev, const struct in6 *dst, struct in6 *out)
{
	bool link_scope = in6_is_linklocal(dst) || (in6_is_multicast(dst) && in6_mc_scope(dst) <= 2);
	int best = -1;
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	for (unsigned i = 0; i < IPV6_ADDR_MAX; i++) {
		const struct ac_addr *x = &addrs[i];
		if (!x->a.ifindex || x->a.ifindex != dev->ifindex || x->a.scope == RT_SCOPE_HOST)
			continue;
		int s = source_score(x, dst, link_scope);
		if (s > best) {
			best = s;
			*out = x->a.addr;
		}
	}
	spin_unlock_irqrestore(&ac_lock, fl);
	return best >= 0 ? 0 : -EADDRNOTAVAIL;
}

int ipv6_fib_lookup(const struct in6 *dst, const struct netdev *dev, struct ipv6_route *out)
{
	int best = -1;
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	for (unsigned i = 0; i < IPV6_ROUTE_MAX; i++) {
		const struct ipv6_route *r = &routes[i];
		if (!r->ifindex || (dev && r->ifindex != dev->ifindex) || !in6_prefix_eq(&r->dst, dst, r->prefix))
			continue;
		struct netdev *via = netdev_by_index(r->ifindex);
		bool up = via && (via->flags & IFF_UP);
		netdev_put(via);
		if (!up)
			continue;
		if (r->prefix > best || (r->prefix == best && r->metric < out->metric)) {
			best = r->prefix;
			*out = *r;
		}
	}
	spin_unlock_irqrestore(&ac_lock, fl);
	return best >= 0 ? 0 : -ENETUNREACH;
}

uint32_t ipv6_dev_mtu(const struct netdev *dev)
{
	uint32_t mtu = dev->mtu;
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	struct inet6_dev *idev = idev_of(dev->ifindex, false);
	if (idev && idev->mtu && idev->mtu < mtu)
		mtu = idev->mtu;
	spin_unlock_irqrestore(&ac_lock, fl);
	return mtu;
}

uint8_t ipv6_dev_hops(const struct netdev *dev)
{
	uint8_t hops = IPV6_HOPS_DEFAULT;
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	struct inet6_dev *idev = idev_of(dev->ifindex, false);
	if (idev && idev->hops)
		hops = idev->hops;
	spin_unlock_irqrestore(&ac_lock, fl);
	return hops;
}

/* ---- the tables as /proc/net and netlink see them --------------------------------------------- */

bool ipv6_addr_get(unsigned i, struct ipv6_ifaddr *out)
{
	unsigned n = 0;
	bool found = false;
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	for (unsigned k = 0; k < IPV6_ADDR_MAX && !found; k++) {
		if (!addrs[k].a.ifindex || n++ != i)
			continue;
		*out = addrs[k].a;
		found = true;
	}
	spin_unlock_irqrestore(&ac_lock, fl);
	return found;
}

/* Is slot a before slot b in a dump: by device, then in Linux's list's order? */
static bool dumped_before(unsigned a, unsigned b)
{
	if (addrs[a].a.ifindex != addrs[b].a.ifindex)
		return addrs[a].a.ifindex < addrs[b].a.ifindex;
	return listed_before(&addrs[a].a, &addrs[b].a);
}

bool ipv6_addr_get_listed(unsigned i, struct ipv6_ifaddr *out)
{
	unsigned idx[IPV6_ADDR_MAX], n = 0;
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	for (unsigned s = 0; s < IPV6_ADDR_MAX; s++) {
		if (!addrs[s].a.ifindex)
			continue;
		unsigned k = n++;
		for (; k > 0 && dumped_before(s, idx[k - 1]); k--)
			idx[k] = idx[k - 1];
		idx[k] = s;
	}
	if (i < n)
		*out = addrs[idx[i]].a;
	spin_unlock_irqrestore(&ac_lock, fl);
	return i < n;
}

bool ipv6_route_get(unsigned i, struct ipv6_route *out)
{
	unsigned n = 0;
	bool found = false;
	uint64_t fl = spin_lock_irqsave(&ac_lock);
	for (unsigned k = 0; k < IPV6_ROUTE_MAX && !found; k++) {
		if (!routes[k].ifindex || n++ != i)
			continue;
		*out = routes[k];
		found = true;
	}
	spin_unlock_irqrestore(&ac_lock, fl);
	return found;
}
