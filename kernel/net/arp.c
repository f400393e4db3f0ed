// SPDX-License-Identifier: MIT
/*
 * Kestrel: ARP (net/arp.h), the neighbour cache of IPv4 over Ethernet,
 * kept as Linux's neighbour code keeps it, with its default times:
 *
 *   INCOMPLETE  asked by broadcast; asked again each second, 3 times
 *               (mcast_solicit), then FAILED: the waiting packets are
 *               dropped with an ICMP host unreachable to their sender.
 *   REACHABLE   an answer came; 30 s later (base_reachable_time) STALE.
 *   STALE       still used as it is; the first packet sent moves it to
 *   DELAY       for 5 s (delay_first_probe_time), then
 *   PROBE       asked by unicast each second, 3 times (ucast_solicit),
 *               then FAILED. An answer at any point: REACHABLE.
 *   PERMANENT   set by hand (SIOCSARP); never ages.
 * STALE and FAILED entries older than 60 s (gc_stale_time) are dropped;
 * a full table replaces its oldest entry that no packet waits on.
 *
 * A request for one of our addresses is answered and leaves its sender
 * in the cache (STALE), as Linux's arp_process; an unsolicited reply or
 * a gratuitous ARP only updates an entry that exists (arp_accept 0).
 *
 * Lock rule: arp_lock guards the table and each entry's waiting queue.
 * Nothing is sent with it held: frames to send are collected and sent
 * after it is released.
 */
#include "net/arp.h"
#include "net/ether.h"
#include "net/icmp.h"
#include "net/ipv4.h"
#include "net/netdev.h"
#include "net/wire.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "time/time.h"

#define MS                    1000000ull
#define ARP_RETRANS_NS        (1000 * MS)   /* retrans_time_ms */
#define ARP_REACHABLE_NS      (30000 * MS)  /* base_reachable_time_ms */
#define ARP_DELAY_NS          (5000 * MS)   /* delay_first_probe_time */
#define ARP_GC_STALE_NS       (60000 * MS)  /* gc_stale_time */
#define ARP_MCAST_SOLICIT     3
#define ARP_UCAST_SOLICIT     3
#define ARP_UNRES_QLEN        16            /* packets waiting on one entry */

struct arp_entry {
	uint32_t ip;                 /* 0: the slot is free */
	int ifindex;
	uint8_t mac[ETH_ALEN];
	uint16_t state;              /* NUD_* */
	uint8_t probes;              /* requests sent in this INCOMPLETE or PROBE */
	uint64_t updated;            /* last state change or confirmation */
	uint64_t next_probe;         /* INCOMPLETE/PROBE: when to ask again */
	struct netbuf_queue waiting; /* INCOMPLETE: packets (data at the IP header) */
};

static struct spinlock arp_lock = SPINLOCK_INIT;
static struct arp_entry table[ARP_CACHE_MAX];

/* A request or a packet to send once arp_lock is released. */
struct arp_todo {
	struct netbuf_queue send;    /* resolved: each packet's dev and the entry's mac in front */
	struct netbuf_queue unreach; /* gave up: ICMP host unreachable to their senders */
	struct { struct netdev *dev; uint32_t ip; const uint8_t *mac; } ask[ARP_CACHE_MAX / 8];
	unsigned nask;
	uint8_t macs[ARP_CACHE_MAX / 8][ETH_ALEN];
};

void arp_init(void)
{
}

/* ---- the table (arp_lock held) -------------------------------------------------- */

static struct arp_entry *find(int ifindex, uint32_t ip)
{
	for (unsigned i = 0; i < ARP_CACHE_MAX; i++)
		if (table[i].ip == ip && table[i].ifindex == ifindex)
			return &table[i];
	return NULL;
}

/* A free slot, else the oldest entry nothing waits on (its slot is
 * cleared), else NULL. */
static struct arp_entry *alloc_slot(void)
{
	struct arp_entry *oldest = NULL;
	for (unsigned i = 0; i < ARP_CACHE_MAX; i++) {
		struct arp_entry *e = &table[i];
		if (!e->ip)
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

/* Free e's slot; its waiting packets go to dead (freed after the lock). */
static void clear_entry(struct arp_entry *e, struct netbuf_queue *dead)
{
	struct netbuf *nb;
	while ((nb = netbuf_dequeue(&e->waiting)))
		netbuf_enqueue(dead, nb);
	memset(e, 0, sizeof(*e));
}

static void set_state(struct arp_entry *e, uint16_t state, uint64_t now)
{
	e->state = state;
	e->updated = now;
	e->probes = 0;
	e->next_probe = now;
}

/* Queue a request for e (unicast to its known address when mac). */
static void todo_ask(struct arp_todo *t, const struct arp_entry *e, bool unicast)
{
	if (t->nask >= sizeof(t->ask) / sizeof(t->ask[0]))
		return; /* asked again at the next round */
	struct netdev *dev = netdev_by_index(e->ifindex);
	if (!dev)
		return;
	memcpy(t->macs[t->nask], e->mac, ETH_ALEN);
	t->ask[t->nask].dev = dev;
	t->ask[t->nask].ip = e->ip;
	t->ask[t->nask].mac = unicast ? t->macs[t->nask] : NULL;
	t->nask++;
}

/* e's address is known: move its waiting packets to t->send, each with
 * its Ethernet header in front. */
static void release_waiting(struct arp_entry *e, struct arp_todo *t)
{
	struct netbuf *nb;
	while ((nb = netbuf_dequeue(&e->waiting))) {
		uint8_t *h = netbuf_push(nb, ETH_HLEN);
		if (!h) {
			netbuf_free(nb);
			continue;
		}
		eth_build(h, e->mac, nb->dev->mac, ETH_P_IP);
		netbuf_enqueue(&t->send, nb);
	}
}

/* ---- sending (arp_lock not held) ------------------------------------------------ */

/* An ARP packet from dev's address src_ip. Broadcast when to_mac is NULL. */
static void send_arp(struct netdev *dev, uint16_t op, uint32_t src_ip, uint32_t dst_ip,
		     const uint8_t *to_mac)
{
	struct netbuf *nb = netbuf_alloc(NETBUF_HEADROOM, ARP_LEN);
	if (!nb)
		return;
	struct arp_info a = { .op = op, .spa = src_ip, .tpa = dst_ip };
	memcpy(a.sha, dev->mac, ETH_ALEN);
	if (to_mac && op == ARP_OP_REPLY)
		memcpy(a.tha, to_mac, ETH_ALEN);
	arp_build(netbuf_put(nb, ARP_LEN), &a);
	ether_output(dev, nb, to_mac ? to_mac : ether_broadcast, ETH_P_ARP);
}

static void todo_run(struct arp_todo *t)
{
	struct netbuf *nb;
	for (unsigned i = 0; i < t->nask; i++) {
		struct netdev *dev = t->ask[i].dev;
		send_arp(dev, ARP_OP_REQUEST, ipv4_dev_addr(dev->ifindex), t->ask[i].ip, t->ask[i].mac);
	}
	while ((nb = netbuf_dequeue(&t->send)))
		netdev_xmit(nb->dev, nb);
	while ((nb = netbuf_dequeue(&t->unreach))) {
		icmp_send_error(nb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
		netbuf_free(nb);
	}
}

/* ---- output --------------------------------------------------------------------- */

/* Under arp_lock: send nb to e, or queue it. True when it can go now. */
static bool resolve_locked(struct arp_entry *e, struct netbuf *nb, uint64_t now, struct arp_todo *t)
{
	switch (e->state) {
	case NUD_INCOMPLETE:
		if (e->waiting.count >= ARP_UNRES_QLEN)
			netbuf_free(netbuf_dequeue(&e->waiting)); /* the oldest goes, as Linux's */
		netbuf_enqueue(&e->waiting, nb);
		return false;
	case NUD_STALE:
		set_state(e, NUD_DELAY, now);
		return true;
	default:
		(void)t;
		return true;
	}
}

int arp_output(struct netdev *dev, uint32_t nexthop, struct netbuf *nb)
{
	struct arp_todo t = { 0 };
	uint8_t mac[ETH_ALEN];
	uint64_t now = time_ns();
	bool now_ok = false;

	nb->dev = dev;
	uint64_t fl = spin_lock_irqsave(&arp_lock);
	struct arp_entry *e = find(dev->ifindex, nexthop);
	if (e && e->state == NUD_FAILED)
		memset(e, 0, sizeof(*e)), e = NULL; /* a new packet starts over */
	if (!e && (e = alloc_slot())) {
		e->ip = nexthop;
		e->ifindex = dev->ifindex;
		set_state(e, NUD_INCOMPLETE, now);
		e->probes = 1;
		e->next_probe = now + ARP_RETRANS_NS;
		todo_ask(&t, e, false);
	}
	if (e) {
		now_ok = resolve_locked(e, nb, now, &t);
		memcpy(mac, e->mac, ETH_ALEN);
	}
	spin_unlock_irqrestore(&arp_lock, fl);
	todo_run(&t);
	if (!e) {
		netdev_count(&dev->stats.tx_dropped, 1);
		netbuf_free(nb);
		return -ENOBUFS;
	}
	return now_ok ? ether_output(dev, nb, mac, ETH_P_IP) : 0;
}

void arp_announce(struct netdev *dev, uint32_t addr)
{
	if (dev->type == ARPHRD_ETHER && (dev->flags & IFF_UP))
		send_arp(dev, ARP_OP_REQUEST, addr, addr, NULL);
}

/* ---- input ---------------------------------------------------------------------- */

/* Learn a's sender: update its entry; create one (STALE) when create. */
static void learn(struct netdev *dev, const struct arp_info *a, bool create, bool reply,
		  struct arp_todo *t)
{
	uint64_t now = time_ns();
	struct arp_entry *e = find(dev->ifindex, a->spa);
	if (!e && !create)
		return;
	if (!e && !(e = alloc_slot()))
		return;
	if (e->state == NUD_PERMANENT)
		return;
	bool changed = !e->ip || memcmp(e->mac, a->sha, ETH_ALEN) != 0;
	e->ip = a->spa;
	e->ifindex = dev->ifindex;
	memcpy(e->mac, a->sha, ETH_ALEN);
	if (reply || e->state == NUD_INCOMPLETE)
		set_state(e, reply ? NUD_REACHABLE : NUD_STALE, now);
	else if (changed)
		set_state(e, NUD_STALE, now);
	release_waiting(e, t);
}

void arp_input(struct netbuf *nb)
{
	struct netdev *dev = nb->dev;
	struct arp_info a;
	struct arp_todo t = { 0 };

	if (arp_parse(nb->data, nb->len, &a) != WIRE_OK || eth_is_multicast(a.sha) ||
	    (a.spa >> 24) == 127 || a.spa == INADDR_BROADCAST) {
		netdev_count(&dev->stats.rx_dropped, 1);
		netbuf_free(nb);
		return;
	}
	bool for_us = ipv4_is_local(a.tpa) && ipv4_dev_addr(dev->ifindex) != 0;
	uint64_t fl = spin_lock_irqsave(&arp_lock);
	if (a.spa) /* 0.0.0.0: a duplicate-address probe teaches nothing */
		learn(dev, &a, for_us && a.op == ARP_OP_REQUEST, a.op == ARP_OP_REPLY, &t);
	spin_unlock_irqrestore(&arp_lock, fl);
	if (for_us && a.op == ARP_OP_REQUEST)
		send_arp(dev, ARP_OP_REPLY, a.tpa, a.spa ? a.spa : a.tpa, a.sha);
	todo_run(&t);
	netbuf_free(nb);
}

/* ---- time ----------------------------------------------------------------------- */

/* Move e on by its clock (arp_lock held). */
static void age(struct arp_entry *e, uint64_t now, struct arp_todo *t)
{
	bool solicit = e->state == NUD_INCOMPLETE || e->state == NUD_PROBE;
	unsigned limit = e->state == NUD_INCOMPLETE ? ARP_MCAST_SOLICIT : ARP_UCAST_SOLICIT;

	if (e->state == NUD_REACHABLE && now - e->updated >= ARP_REACHABLE_NS)
		set_state(e, NUD_STALE, now);
	else if (e->state == NUD_DELAY && now - e->updated >= ARP_DELAY_NS)
		set_state(e, NUD_PROBE, now);
	else if ((e->state == NUD_STALE || e->state == NUD_FAILED) && now - e->updated >= ARP_GC_STALE_NS)
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
	e->next_probe = now + ARP_RETRANS_NS;
	todo_ask(t, e, e->state == NUD_PROBE);
}

void arp_timer(uint64_t now)
{
	struct arp_todo t = { 0 };
	uint64_t fl = spin_lock_irqsave(&arp_lock);
	for (unsigned i = 0; i < ARP_CACHE_MAX; i++)
		if (table[i].ip && table[i].state != NUD_PERMANENT)
			age(&table[i], now, &t);
	spin_unlock_irqrestore(&arp_lock, fl);
	todo_run(&t);
}

void arp_flush_dev(int ifindex)
{
	struct netbuf_queue dead = { 0 };
	uint64_t fl = spin_lock_irqsave(&arp_lock);
	for (unsigned i = 0; i < ARP_CACHE_MAX; i++) {
		struct arp_entry *e = &table[i];
		if (!e->ip || e->ifindex != ifindex || e->state == NUD_PERMANENT)
			continue;
		clear_entry(e, &dead);
	}
	spin_unlock_irqrestore(&arp_lock, fl);
	netbuf_queue_purge(&dead);
}

/* ---- the table as /proc/net/arp and SIOC*ARP see it ----------------------------- */

bool arp_entry_get(unsigned i, struct arp_entry_info *out)
{
	unsigned n = 0;
	bool found = false;
	uint64_t fl = spin_lock_irqsave(&arp_lock);
	for (unsigned k = 0; k < ARP_CACHE_MAX && !found; k++) {
		const struct arp_entry *e = &table[k];
		if (!e->ip || n++ != i)
			continue;
		*out = (struct arp_entry_info){ .ip = e->ip, .ifindex = e->ifindex, .state = e->state };
		memcpy(out->mac, e->mac, ETH_ALEN);
		found = true;
	}
	spin_unlock_irqrestore(&arp_lock, fl);
	return found;
}

int arp_entry_set(int ifindex, uint32_t ip, const uint8_t mac[6])
{
	struct arp_todo t = { 0 };
	int err = 0;
	uint64_t fl = spin_lock_irqsave(&arp_lock);
	struct arp_entry *e = find(ifindex, ip);
	if (!e && (e = alloc_slot())) {
		e->ip = ip;
		e->ifindex = ifindex;
	}
	if (e) {
		memcpy(e->mac, mac, ETH_ALEN);
		set_state(e, NUD_PERMANENT, time_ns());
		release_waiting(e, &t);
	} else {
		err = -ENOSPC;
	}
	spin_unlock_irqrestore(&arp_lock, fl);
	todo_run(&t);
	return err;
}

int arp_entry_del(int ifindex, uint32_t ip)
{
	struct netbuf_queue dead = { 0 };
	uint64_t fl = spin_lock_irqsave(&arp_lock);
	struct arp_entry *e = find(ifindex, ip);
	if (e)
		clear_entry(e, &dead);
	spin_unlock_irqrestore(&arp_lock, fl);
	netbuf_queue_purge(&dead);
	return e ? 0 : -ENXIO;
}
