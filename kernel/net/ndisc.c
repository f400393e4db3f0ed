// SPDX-License-Identifier: MIT
/*
 * Kestrel: Neighbor Discovery (net/ndisc.h), IPv6's neighbour cache over
 * Ethernet, kept as net/arp.c keeps IPv4's (Linux's neighbour code, its
 * default times; RFC 4861 7.3 names the same states):
 *
 *   INCOMPLETE  a solicitation to the solicited-node group each second,
 *               3 times, then FAILED: the waiting packets get an ICMPv6
 *               address unreachable.
 *   REACHABLE   an advertisement answered a solicitation; 30 s later STALE.
 *   STALE       used as it is; the first packet sent moves it to
 *   DELAY       for 5 s, then
 *   PROBE       unicast solicitations each second, 3 times, then FAILED.
 * STALE and FAILED entries older than 60 s go; a full table replaces its
 * oldest entry no packet waits on.
 *
 * Received: a solicitation for one of this host's addresses is answered
 * (solicited, override, our link-layer address) and leaves its sender in
 * the cache (STALE) when it named its own; a DAD probe (from ::) for an
 * address this host is still testing fails that address's DAD (addrconf),
 * for one it has is answered to all-nodes. An advertisement completes or
 * updates an entry that exists (RFC 4861 7.2.5), never makes one; for an
 * address this host is testing it fails DAD. A router advertisement goes
 * to addrconf. Every ND message must come with hop limit 255 (it was not
 * forwarded: RFC 4861 7.1).
 *
 * Lock rule: nd_lock guards the table and each entry's waiting queue.
 * Nothing is sent with it held: what to send is collected, and sent
 * after it is released.
 */
#include "net/ndisc.h"
#include "net/ether.h"
#include "net/icmp6.h"
#include "net/ipv6.h"
#include "net/netdev.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "time/time.h"
#include "uapi/rtnetlink.h"

#define MS                   1000000ull
#define ND_RETRANS_NS        (1000 * MS)   /* RetransTimer */
#define ND_REACHABLE_NS      (30000 * MS)  /* REACHABLE_TIME */
#define ND_DELAY_NS          (5000 * MS)   /* DELAY_FIRST_PROBE_TIME */
#define ND_GC_STALE_NS       (60000 * MS)  /* gc_stale_time */
#define ND_MCAST_SOLICIT     3             /* MAX_MULTICAST_SOLICIT */
#define ND_UCAST_SOLICIT     3             /* MAX_UNICAST_SOLICIT */
#define ND_UNRES_QLEN        16            /* packets waiting on one entry */
#define ND_ASK_MAX           16            /* solicitations one pass sends */

struct nd_entry {
	struct in6 addr;
	int ifindex;                 /* 0: the slot is free */
	uint8_t mac[ETH_ALEN];
	uint16_t state;              /* NUD_* */
	bool router;
	uint8_t probes;
	uint64_t updated;
	uint64_t next_probe;
	struct netbuf_queue waiting; /* INCOMPLETE: packets (data at the IPv6 header) */
};

static struct spinlock nd_lock = SPINLOCK_INIT;
static struct nd_entry table[NDISC_CACHE_MAX];

/* What to do once nd_lock is released. */
struct nd_todo {
	struct netbuf_queue send;    /* resolved: the Ethernet header in front */
	struct netbuf_queue unreach; /* gave up: address unreachable to their senders */
	struct { struct netdev *dev; struct in6 target; bool unicast; uint8_t mac[ETH_ALEN]; } ask[ND_ASK_MAX];
	unsigned nask;
};

/* ---- the table (nd_lock held) ---------------------------------------------------- */

static struct nd_entry *find(int ifindex, const struct in6 *a)
{
	for (unsigned i = 0; i < NDISC_CACHE_MAX; i++)
		if (table[i].ifindex == ifindex && in6_eq(&table[i].addr, a))
			return &table[i];
	return NULL;
}

/* A free slot, else the oldest entry nothing waits on (cleared), else NULL. */
static struct nd_entry *alloc_slot(void)
{
	struct nd_entry *oldest = NULL;
	for (unsigned i = 0; i < NDISC_CACHE_MAX; i++) {
		struct nd_entry *e = &table[i];
		if (!e->ifindex)
			return e;
		if (e->state == NUD_PERMANENT || e->waiting.count)
			continue;
		if (!oldest || e->updated < oldest->updated)
			oldest = e;
	}
	if (oldest)
		memset(oldest, 0, sizeof(*oldest));
	return oldest;
}

static void clear_entry(struct nd_entry *e, struct netbuf_queue *dead)
{
	struct netbuf *nb;
	while ((nb = netbuf_dequeue(&e->waiting)))
		netbuf_enqueue(dead, nb);
	memset(e, 0, sizeof(*e));
}

static void set_state(struct nd_entry *e, uint16_t state, uint64_t now)
{
	e->state = state;
	e->updated = now;
	e->probes = 0;
	e->next_probe = now;
}

static void todo_ask(struct nd_todo *t, const struct nd_entry *e, bool unicast)
{
	if (t->nask >= ND_ASK_MAX)
		return; /* asked at the next round */
	struct netdev *dev = netdev_by_index(e->ifindex);
	if (!dev)
		return;
	t->ask[t->nask].dev = dev;
	t->ask[t->nask].target = e->addr;
	t->ask[t->nask].unicast = unicast;
	memcpy(t->ask[t->nask].mac, e->mac, ETH_ALEN);
	t->nask++;
}

/* e's address is known: its waiting packets to t->send, framed. */
static void release_waiting(struct nd_entry *e, struct nd_todo *t)
{
	struct netbuf *nb;
	while ((nb = netbuf_dequeue(&e->waiting))) {
		uint8_t *h = netbuf_push(nb, ETH_HLEN);
		if (!h) {
			netbuf_free(nb);
			continue;
		}
		eth_build(h, e->mac, nb->dev->mac, ETH_P_IPV6);
		netbuf_enqueue(&t->send, nb);
	}
}

/* ---- sending (nd_lock not held) --------------------------------------------------- */

/* A link-layer address option (type, our MAC) at p: its 8 bytes. */
static size_t put_ll_option(uint8_t *p, uint8_t type, const struct netdev *dev)
{
	p[0] = type;
	p[1] = 1;
	memcpy(p + 2, dev->mac, ETH_ALEN);
	return ND_OPT_LL_LEN;
}

/* An ND message of len bytes, its header and body filled by the caller. */
static struct netbuf *nd_alloc(size_t len)
{
	struct netbuf *nb = netbuf_alloc(NETBUF_HEADROOM, len);
	if (nb)
		memset(netbuf_put(nb, len), 0, len);
	return nb;
}

/* Send the message nb from src to dst (to mac when not NULL: a unicast
 * probe before ND knows it, as Linux's ndisc_send_skb). */
static void nd_send(struct netdev *dev, struct netbuf *nb, const struct in6 *src, const struct in6 *dst,
		    const uint8_t *mac)
{
	if (!mac) {
		icmp6_send(nb, src, dst, dev, ND_HOP_LIMIT);
		return;
	}
	struct ipv6_info ip = { .payload_len = (uint16_t)nb->len, .next_hdr = NEXTHDR_ICMP,
				.hop_limit = ND_HOP_LIMIT, .src = *src, .dst = *dst };
	icmp6_set_csum(nb->data, nb->len, src, dst);
	uint8_t *h = netbuf_push(nb, IPV6_HDR_LEN);
	if (!h) {
		netbuf_free(nb);
		return;
	}
	ipv6_build(h, &ip);
	__atomic_add_fetch(&icmp6_mib.out_msgs, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&icmp6_mib.out_type[NDISC_NEIGHBOUR_SOLICIT], 1, __ATOMIC_RELAXED);
	ether_output(dev, nb, mac, ETH_P_IPV6);
}

/* A solicitation for target: to its solicited-node group, or to mac (a probe). */
static void send_ns(struct netdev *dev, const struct in6 *src, const struct in6 *target, const uint8_t *mac)
{
	bool dad = in6_is_any(src);
	struct netbuf *nb = nd_alloc(ND_NS_LEN + (dad ? 0 : ND_OPT_LL_LEN));
	if (!nb)
		return;
	nb->data[0] = NDISC_NEIGHBOUR_SOLICIT;
	memcpy(nb->data + 8, target->b, 16);
	if (!dad)
		put_ll_option(nb->data + ND_NS_LEN, ND_OPT_SOURCE_LL_ADDR, dev);
	struct in6 dst = *target;
	if (!mac)
		in6_solicited_node(target, &dst);
	nd_send(dev, nb, src, &dst, mac);
}

void ndisc_send_ns(struct netdev *dev, const struct in6 *src, const struct in6 *target)
{
	send_ns(dev, src, target, NULL);
}

void ndisc_send_rs(struct netdev *dev, const struct in6 *src)
{
	static const struct in6 all_routers = { { 0xff, 0x02, [15] = 2 } };
	bool bare = in6_is_any(src);
	struct netbuf *nb = nd_alloc(ND_RS_LEN + (bare ? 0 : ND_OPT_LL_LEN));
	if (!nb)
		return;
	nb->data[0] = NDISC_ROUTER_SOLICIT;
	if (!bare)
		put_ll_option(nb->data + ND_RS_LEN, ND_OPT_SOURCE_LL_ADDR, dev);
	nd_send(dev, nb, src, &all_routers, NULL);
}

/* An advertisement for target (ours) to dst: solicited when answering one. */
static void send_na(struct netdev *dev, const struct in6 *target, const struct in6 *dst, bool solicited)
{
	struct netbuf *nb = nd_alloc(ND_NS_LEN + ND_OPT_LL_LEN);
	if (!nb)
		return;
	nb->data[0] = NDISC_NEIGHBOUR_ADVERT;
	put_be32(nb->data + 4, ND_NA_OVERRIDE | (solicited ? ND_NA_SOLICITED : 0));
	memcpy(nb->data + 8, target->b, 16);
	put_ll_option(nb->data + ND_NS_LEN, ND_OPT_TARGET_LL_ADDR, dev);
	icmp6_send(nb, target, dst, dev, ND_HOP_LIMIT);
}

static void todo_run(struct nd_todo *t)
{
	struct netbuf *nb;
	for (unsigned i = 0; i < t->nask; i++) {
		struct netdev *dev = t->ask[i].dev;
		struct in6 src;
		if (ipv6_select_source(dev, &t->ask[i].target, &src))
			continue; /* no address to ask from yet */
		send_ns(dev, &src, &t->ask[i].target, t->ask[i].unicast ? t->ask[i].mac : NULL);
	}
	while ((nb = netbuf_dequeue(&t->send)))
		netdev_xmit(nb->dev, nb);
	while ((nb = netbuf_dequeue(&t->unreach))) {
		icmp6_send_error(nb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
		netbuf_free(nb);
	}
}

/* ---- output ------------------------------------------------------------------------ */

int ndisc_output(struct netdev *dev, const struct in6 *nexthop, struct netbuf *nb)
{
	struct nd_todo t = { 0 };
	uint8_t mac[ETH_ALEN];
	uint64_t now = time_ns();
	bool now_ok = false;

	nb->dev = dev;
	uint64_t fl = spin_lock_irqsave(&nd_lock);
	struct nd_entry *e = find(dev->ifindex, nexthop);
	if (e && e->state == NUD_FAILED)
		memset(e, 0, sizeof(*e)), e = NULL; /* a new packet starts over */
	if (!e && (e = alloc_slot())) {
		e->addr = *nexthop;
		e->ifindex = dev->ifindex;
		set_state(e, NUD_INCOMPLETE, now);
		e->probes = 1;
		e->next_probe = now + ND_RETRANS_NS;
		todo_ask(&t, e, false);
	}
	if (e) {
		if (e->state == NUD_INCOMPLETE) {
			if (e->waiting.count >= ND_UNRES_QLEN)
				netbuf_free(netbuf_dequeue(&e->waiting));
			netbuf_enqueue(&e->waiting, nb);
		} else {
			if (e->state == NUD_STALE)
				set_state(e, NUD_DELAY, now);
			now_ok = true;
		}
		memcpy(mac, e->mac, ETH_ALEN);
	}
	spin_unlock_irqrestore(&nd_lock, fl);
	todo_run(&t);
	if (!e) {
		netdev_count(&dev->stats.tx_dropped, 1);
		netbuf_free(nb);
		return -ENOBUFS;
	}
	return now_ok ? ether_output(dev, nb, mac, ETH_P_IPV6) : 0;
}

/* ---- input ------------------------------------------------------------------------- */

/* An address learnt with its link-layer address (nd_lock held): create
 * (STALE) when create, confirm (REACHABLE) when solicited, else STALE if
 * it changed and override allows (RFC 4861 7.2.5, 7.2.3). */
static void learn(int ifindex, const struct in6 *a, const uint8_t mac[6], bool create, bool solicited,
		  bool override, struct nd_todo *t)
{
	uint64_t now = time_ns();
	struct nd_entry *e = find(ifindex, a);
	if (!e && (!create || !(e = alloc_slot())))
		return;
	if (e->state == NUD_PERMANENT)
		return;
	bool fresh = !e->ifindex || e->state == NUD_INCOMPLETE;
	bool changed = memcmp(e->mac, mac, ETH_ALEN) != 0;
	if (!fresh && changed && !override) {
		if (e->state == NUD_REACHABLE)
			set_state(e, NUD_STALE, now); /* keeps its old address, as 7.2.5 says */
		return;
	}
	e->addr = *a;
	e->ifindex = ifindex;
	memcpy(e->mac, mac, ETH_ALEN);
	if (solicited)
		set_state(e, NUD_REACHABLE, now);
	else if (fresh || changed)
		set_state(e, NUD_STALE, now);
	release_waiting(e, t);
}

static void ns_rcv(struct netdev *dev, const struct ipv6_info *ip, const struct icmp6_info *ic)
{
	struct nd_todo t = { 0 };
	enum ipv6_local mine = ipv6_addr_local(&ic->target);
	if (mine == IPV6_NOT_LOCAL)
		return; /* not a target of ours (no proxy ND) */
	if (in6_is_any(&ip->src)) { /* someone's DAD probe */
		static const struct in6 all_nodes = { { 0xff, 0x02, [15] = 1 } };
		if (mine == IPV6_LOCAL_TENTATIVE)
			addrconf_dad_conflict(dev, &ic->target); /* ours fails; a failed one is never defended */
		else
			send_na(dev, &ic->target, &all_nodes, false);
		return;
	}
	if (mine == IPV6_LOCAL_TENTATIVE)
		return; /* RFC 4862 5.4.3: silently ignored while testing */
	if (ic->has_sll) {
		uint64_t fl = spin_lock_irqsave(&nd_lock);
		learn(dev->ifindex, &ip->src, ic->sll, true, false, true, &t);
		spin_unlock_irqrestore(&nd_lock, fl);
	}
	send_na(dev, &ic->target, &ip->src, true);
	todo_run(&t);
}

static void na_rcv(struct netdev *dev, const struct icmp6_info *ic)
{
	struct nd_todo t = { 0 };
	if (ipv6_addr_local(&ic->target) != IPV6_NOT_LOCAL) {
		addrconf_dad_conflict(dev, &ic->target); /* a tentative one fails; else another claims ours */
		return;
	}
	if (!ic->has_tll)
		return; /* Ethernet always says it; without, nothing to learn */
	uint64_t fl = spin_lock_irqsave(&nd_lock);
	struct nd_entry *e = find(dev->ifindex, &ic->target);
	if (e) {
		e->router = ic->flags & ND_NA_ROUTER;
		learn(dev->ifindex, &ic->target, ic->tll, false, ic->flags & ND_NA_SOLICITED,
		      ic->flags & ND_NA_OVERRIDE, &t);
	}
	spin_unlock_irqrestore(&nd_lock, fl);
	todo_run(&t);
}

void ndisc_rcv(const struct netbuf *nb, const struct ipv6_info *ip, const struct icmp6_info *ic)
{
	struct netdev *dev = nb->dev;
	if (ip->hop_limit != ND_HOP_LIMIT || dev->type != ARPHRD_ETHER)
		return; /* forwarded, or on lo: not a neighbour's */
	switch (ic->type) {
	case NDISC_NEIGHBOUR_SOLICIT:
		ns_rcv(dev, ip, ic);
		break;
	case NDISC_NEIGHBOUR_ADVERT:
		na_rcv(dev, ic);
		break;
	case NDISC_ROUTER_ADVERT:
		addrconf_ra(dev, ip, ic);
		break;
	default:
		break; /* RS: a host ignores them; redirects are not followed */
	}
}

void ndisc_learn(struct netdev *dev, const struct in6 *addr, const uint8_t mac[6], bool router)
{
	struct nd_todo t = { 0 };
	uint64_t fl = spin_lock_irqsave(&nd_lock);
	learn(dev->ifindex, addr, mac, true, false, true, &t);
	struct nd_entry *e = find(dev->ifindex, addr);
	if (e)
		e->router = router;
	spin_unlock_irqrestore(&nd_lock, fl);
	todo_run(&t);
}

/* ---- time --------------------------------------------------------------------------- */

static void age(struct nd_entry *e, uint64_t now, struct nd_todo *t)
{
	bool solicit = e->state == NUD_INCOMPLETE || e->state == NUD_PROBE;
	unsigned limit = e->state == NUD_INCOMPLETE ? ND_MCAST_SOLICIT : ND_UCAST_SOLICIT;

	if (e->state == NUD_REACHABLE && now - e->updated >= ND_REACHABLE_NS)
		set_state(e, NUD_STALE, now);
	else if (e->state == NUD_DELAY && now - e->updated >= ND_DELAY_NS)
		set_state(e, NUD_PROBE, now);
	else if ((e->state == NUD_STALE || e->state == NUD_FAILED) && now - e->updated >= ND_GC_STALE_NS)
		memset(e, 0, sizeof(*e));
	if (!solicit || now < e->next_probe)
		return;
	if (e->probes >= limit) {
		struct netbuf *nb;
		while ((nb = netbuf_dequeue(&e->waiting)))
			netbuf_enqueue(&t->unreach, nb);
		set_state(e, NUD_FAILED, now);
		return;
	}
	e->probes++;
	e->next_probe = now + ND_RETRANS_NS;
	todo_ask(t, e, e->state == NUD_PROBE);
}

void ndisc_timer(uint64_t now)
{
	struct nd_todo t = { 0 };
	uint64_t fl = spin_lock_irqsave(&nd_lock);
	for (unsigned i = 0; i < NDISC_CACHE_MAX; i++)
		if (table[i].ifindex && table[i].state != NUD_PERMANENT)
			age(&table[i], now, &t);
	spin_unlock_irqrestore(&nd_lock, fl);
	todo_run(&t);
}

void ndisc_flush_dev(int ifindex)
{
	struct netbuf_queue dead = { 0 };
	uint64_t fl = spin_lock_irqsave(&nd_lock);
	for (unsigned i = 0; i < NDISC_CACHE_MAX; i++)
		if (table[i].ifindex == ifindex && table[i].state != NUD_PERMANENT)
			clear_entry(&table[i], &dead);
	spin_unlock_irqrestore(&nd_lock, fl);
	netbuf_queue_purge(&dead);
}

bool ndisc_entry_get(unsigned i, struct ndisc_entry_info *out)
{
	unsigned n = 0;
	bool found = false;
	uint64_t fl = spin_lock_irqsave(&nd_lock);
	for (unsigned k = 0; k < NDISC_CACHE_MAX && !found; k++) {
		const struct nd_entry *e = &table[k];
		if (!e->ifindex || n++ != i)
			continue;
		*out = (struct ndisc_entry_info){ .addr = e->addr, .ifindex = e->ifindex, .state = e->state,
						  .router = e->router };
		memcpy(out->mac, e->mac, ETH_ALEN);
		found = true;
	}
	spin_unlock_irqrestore(&nd_lock, fl);
	return found;
}
