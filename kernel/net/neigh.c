// SPDX-License-Identifier: MIT
/*
 * Kestrel: the neighbour cache of both IP families over Ethernet
 * (net/neigh.h), kept as Linux's neighbour code keeps it, with its
 * default times (RFC 4861 7.3 names the same states for IPv6):
 *
 *   INCOMPLETE  asked by broadcast or group; asked again each second,
 *               3 times (mcast_solicit), then FAILED: the waiting packets
 *               get the family's unreachable error.
 *   REACHABLE   an answer came; 30 s later (base_reachable_time) STALE.
 *   STALE       still used as it is; the first packet sent moves it to
 *   DELAY       for 5 s (delay_first_probe_time), then
 *   PROBE       asked by unicast each second, 3 times (ucast_solicit),
 *               then FAILED. An answer at any point: REACHABLE.
 *   PERMANENT   set by hand (SIOCSARP, ip neigh add); never ages.
 * STALE and FAILED entries older than 60 s (gc_stale_time) are dropped;
 * a full table replaces its oldest entry that no packet waits on.
 *
 * Lock rule: a table's lock guards its entries and their waiting queues.
 * Nothing is sent with it held: a struct todo collects what to send and
 * what the listener is to hear, and it goes after the lock is released.
 * news_fn is set at boot.
 */
#include "net/neigh.h"
#include "net/ether.h"
#include "net/wire.h"
#include "net/netdev.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "time/time.h"
#include "uapi/rtnetlink.h"

#define MS                    1000000ull
#define NEIGH_RETRANS_NS      (1000 * MS)   /* retrans_time_ms */
#define NEIGH_REACHABLE_NS    (30000 * MS)  /* base_reachable_time_ms */
#define NEIGH_DELAY_NS        (5000 * MS)   /* delay_first_probe_time */
#define NEIGH_GC_STALE_NS     (60000 * MS)  /* gc_stale_time */
#define NEIGH_MCAST_SOLICIT   3
#define NEIGH_UCAST_SOLICIT   3
#define NEIGH_UNRES_QLEN      16            /* packets waiting on one entry */
#define NEIGH_NEWS_FEW        4             /* the listener's news a todo keeps without the heap */

/* What to do once the table's lock is released. Each frame on send and
 * unreach holds its nb->dev, and each ask its dev (net/netdev.h's rule:
 * they are used after the lock), let go of by todo_run. */
struct todo {
	struct netbuf_queue send;    /* resolved: the Ethernet header in front */
	struct netbuf_queue unreach; /* gave up: their senders hear of it */
	struct {
		struct netdev *dev;
		uint8_t key[NEIGH_KEY_MAX];
		bool unicast;
		uint8_t mac[ETH_ALEN];
	} ask[NEIGH_ASK_MAX];
	unsigned nask;
	/* the listener's news, in order: at most one per entry a run but
	 * for a deletion by hand (two), so the table's size + 1 suffice.
	 * The first few here (a run has one or two: a flood of new senders
	 * costs no heap), the rest from the heap (todo_run frees them; none
	 * when it has no room: the listener misses them, as Linux's gets
	 * ENOBUFS). */
	struct neigh_news { struct neigh_info n; bool gone; } few[NEIGH_NEWS_FEW], *more;
	unsigned nnews;
	struct netbuf_queue dead;    /* packets of removed entries: freed after the lock */
};

static neigh_news_fn news_fn; /* set once at boot (neigh_listen) */

void neigh_listen(neigh_news_fn fn)
{
	news_fn = fn;
}

/* ---- the table (its lock held) ----------------------------------------------------- */

static struct neigh_entry *find(struct neigh_table *t, int ifindex, const uint8_t *key)
{
	for (unsigned i = 0; i < t->size; i++) {
		struct neigh_entry *e = &t->entries[i];
		if (e->ifindex == ifindex && !memcmp(e->key, key, t->key_len))
			return e;
	}
	return NULL;
}

/* e as ip neigh and the listener see it. */
static void info_of(const struct neigh_entry *e, struct neigh_info *out)
{
	*out = (struct neigh_info){ .ifindex = e->ifindex, .state = e->state, .router = e->router };
	memcpy(out->key, e->key, NEIGH_KEY_MAX);
	memcpy(out->mac, e->mac, ETH_ALEN);
}

/* The i-th of td's news. */
static struct neigh_news *news_at(struct todo *td, unsigned i)
{
	return i < NEIGH_NEWS_FEW ? &td->few[i] : &td->more[i - NEIGH_NEWS_FEW];
}

/* The listener will hear of e as it is now: RTM_NEWNEIGH, or RTM_DELNEIGH
 * (gone). The lock held (the heap's lock nests inside it). */
static void todo_news(const struct neigh_table *t, struct todo *td, const struct neigh_entry *e, bool gone)
{
	if (!news_fn || td->nnews > t->size)
		return;
	if (td->nnews >= NEIGH_NEWS_FEW && !td->more &&
	    !(td->more = kmalloc((t->size + 1 - NEIGH_NEWS_FEW) * sizeof(*td->more))))
		return;
	struct neigh_news *n = news_at(td, td->nnews++);
	info_of(e, &n->n);
	n->gone = gone;
}

/* Did e's state, address or router flag change since before (__neigh_update's notify)? */
static bool entry_changed(const struct neigh_entry *e, const struct neigh_info *before)
{
	return e->state != before->state || e->router != before->router || memcmp(e->mac, before->mac, ETH_ALEN);
}

/* A free slot, else the oldest entry nothing waits on (cleared, and its
 * removal told: Linux's forced gc), else NULL. */
static struct neigh_entry *alloc_slot(struct neigh_table *t, struct todo *td)
{
	struct neigh_entry *oldest = NULL;
	for (unsigned i = 0; i < t->size; i++) {
		struct neigh_entry *e = &t->entries[i];
		if (!e->ifindex)
			return e;
		if (e->state == NUD_PERMANENT || e->waiting.count)
			continue;
		if (!oldest || e->updated < oldest->updated)
			oldest = e;
	}
	if (oldest) {
		todo_news(t, td, oldest, true);
		memset(oldest, 0, sizeof(*oldest));
	}
	return oldest;
}

/* A fresh entry for key in e's slot. */
static void claim(struct neigh_table *t, struct neigh_entry *e, int ifindex, const uint8_t *key)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->key, key, t->key_len);
	e->ifindex = ifindex;
}

/* Free e's slot, its removal told; its waiting packets go to td->dead
 * (freed after the lock). */
static void clear_entry(const struct neigh_table *t, struct neigh_entry *e, struct todo *td)
{
	struct netbuf *nb;
	while ((nb = netbuf_dequeue(&e->waiting)))
		netbuf_enqueue(&td->dead, nb);
	todo_news(t, td, e, true);
	memset(e, 0, sizeof(*e));
}

static void set_state(struct neigh_entry *e, uint16_t state, uint64_t now)
{
	e->state = state;
	e->updated = now;
	e->probes = 0;
	e->next_probe = now;
}

/* Queue a solicitation for e (unicast to its known address when asked). */
static void todo_ask(struct todo *td, const struct neigh_entry *e, bool unicast)
{
	if (td->nask >= NEIGH_ASK_MAX)
		return; /* asked at the next round */
	struct netdev *dev = netdev_by_index(e->ifindex);
	if (!dev)
		return;
	td->ask[td->nask].dev = dev;
	memcpy(td->ask[td->nask].key, e->key, NEIGH_KEY_MAX);
	td->ask[td->nask].unicast = unicast;
	memcpy(td->ask[td->nask].mac, e->mac, ETH_ALEN);
	td->nask++;
}

/* e's address is known: its waiting packets to td->send, framed. */
static void release_waiting(const struct neigh_table *t, struct neigh_entry *e, struct todo *td)
{
	struct netbuf *nb;
	while ((nb = netbuf_dequeue(&e->waiting))) {
		uint8_t *h = netbuf_push(nb, ETH_HLEN);
		if (!h) {
			netbuf_free(nb);
			continue;
		}
		eth_build(h, e->mac, nb->dev->mac, t->ops->ethertype);
		netdev_hold(nb->dev);
		netbuf_enqueue(&td->send, nb);
	}
}

/* ---- after the lock ---------------------------------------------------------------- */

static void todo_run(const struct neigh_table *t, struct todo *td)
{
	struct netbuf *nb;
	for (unsigned i = 0; i < td->nnews; i++)
		news_fn(t->ops->v6, &news_at(td, i)->n, news_at(td, i)->gone);
	kfree(td->more);
	td->more = NULL;
	netbuf_queue_purge(&td->dead);
	for (unsigned i = 0; i < td->nask; i++) {
		t->ops->solicit(td->ask[i].dev, td->ask[i].key, td->ask[i].unicast ? td->ask[i].mac : NULL);
		netdev_put(td->ask[i].dev);
	}
	while ((nb = netbuf_dequeue(&td->send))) {
		struct netdev *dev = nb->dev;
		netdev_xmit(dev, nb);
		netdev_put(dev);
	}
	while ((nb = netbuf_dequeue(&td->unreach))) {
		struct netdev *dev = nb->dev;
		t->ops->unreachable(nb);
		netbuf_free(nb);
		netdev_put(dev);
	}
}

/* ---- output ------------------------------------------------------------------------ */

/* The entry for a packet to key: found, or new and INCOMPLETE (its
 * first solicitation queued), or NULL when the table is full. A FAILED
 * entry starts over. */
static struct neigh_entry *entry_for_output(struct neigh_table *t, int ifindex, const uint8_t *key,
					    uint64_t now, struct todo *td)
{
	struct neigh_entry *e = find(t, ifindex, key);
	if (e && e->state == NUD_FAILED) {
		memset(e, 0, sizeof(*e));
		e = NULL;
	}
	if (e || !(e = alloc_slot(t, td)))
		return e;
	claim(t, e, ifindex, key);
	set_state(e, NUD_INCOMPLETE, now);
	e->probes = 1;
	e->next_probe = now + NEIGH_RETRANS_NS;
	todo_ask(td, e, false);
	return e;
}

int neigh_output(struct neigh_table *t, struct netdev *dev, const uint8_t *key, struct netbuf *nb)
{
	struct todo td = { 0 };
	uint8_t mac[ETH_ALEN];
	uint64_t now = time_ns();
	bool send_now = false;

	nb->dev = dev;
	uint64_t fl = spin_lock_irqsave(&t->lock);
	struct neigh_entry *e = entry_for_output(t, dev->ifindex, key, now, &td);
	if (e && e->state == NUD_INCOMPLETE) {
		if (e->waiting.count >= NEIGH_UNRES_QLEN)
			netbuf_free(netbuf_dequeue(&e->waiting)); /* the oldest goes, as Linux's */
		netbuf_enqueue(&e->waiting, nb);
	} else if (e) {
		if (e->state == NUD_STALE)
			set_state(e, NUD_DELAY, now);
		memcpy(mac, e->mac, ETH_ALEN);
		send_now = true;
	}
	spin_unlock_irqrestore(&t->lock, fl);
	todo_run(t, &td);
	if (!e) {
		netdev_count(&dev->stats.tx_dropped, 1);
		netbuf_free(nb);
		return -ENOBUFS;
	}
	return send_now ? ether_output(dev, nb, mac, t->ops->ethertype) : 0;
}

/* ---- what the wire says ------------------------------------------------------------ */

static void update_entry(struct neigh_table *t, struct neigh_entry *e, const uint8_t *mac, unsigned flags,
			 uint64_t now, struct todo *td);

/* neigh_update's work, the lock held: the entry's change, told when it changed. */
static void update_locked(struct neigh_table *t, int ifindex, const uint8_t *key, const uint8_t *mac,
			  unsigned flags, struct todo *td)
{
	uint64_t now = time_ns();
	struct neigh_entry *e = find(t, ifindex, key);
	if (!e) {
		if (!(flags & NEIGH_CREATE) || !(e = alloc_slot(t, td)))
			return;
		claim(t, e, ifindex, key);
	}
	struct neigh_info before;
	info_of(e, &before);
	update_entry(t, e, mac, flags, now, td);
	if (entry_changed(e, &before))
		todo_news(t, td, e, false);
}

/* update_locked's rules on e. */
static void update_entry(struct neigh_table *t, struct neigh_entry *e, const uint8_t *mac, unsigned flags,
			 uint64_t now, struct todo *td)
{
	if (flags & NEIGH_SET_ROUTER)
		e->router = flags & NEIGH_ROUTER;
	if (e->state == NUD_PERMANENT)
		return;
	bool fresh = e->state == NUD_NONE || e->state == NUD_INCOMPLETE;
	bool changed = memcmp(e->mac, mac, ETH_ALEN) != 0;
	if (!fresh && changed && !(flags & NEIGH_OVERRIDE)) {
		if (e->state == NUD_REACHABLE)
			set_state(e, NUD_STALE, now); /* keeps its old address (RFC 4861 7.2.5) */
		return;
	}
	memcpy(e->mac, mac, ETH_ALEN);
	if (flags & NEIGH_SOLICITED)
		set_state(e, NUD_REACHABLE, now);
	else if (fresh || changed)
		set_state(e, NUD_STALE, now);
	release_waiting(t, e, td);
}

void neigh_update(struct neigh_table *t, int ifindex, const uint8_t *key, const uint8_t *mac,
		  unsigned flags)
{
	struct todo td = { 0 };
	uint64_t fl = spin_lock_irqsave(&t->lock);
	update_locked(t, ifindex, key, mac, flags, &td);
	spin_unlock_irqrestore(&t->lock, fl);
	todo_run(t, &td);
}

/* ---- time -------------------------------------------------------------------------- */

/* Move e on by its clock (the lock held); each new state told, as
 * neigh_timer_handler's notify, and a removal as the periodic gc's. */
static void age(const struct neigh_table *t, struct neigh_entry *e, uint64_t now, struct todo *td)
{
	bool solicit = e->state == NUD_INCOMPLETE || e->state == NUD_PROBE;
	unsigned limit = e->state == NUD_INCOMPLETE ? NEIGH_MCAST_SOLICIT : NEIGH_UCAST_SOLICIT;

	if (e->state == NUD_REACHABLE && now - e->updated >= NEIGH_REACHABLE_NS) {
		set_state(e, NUD_STALE, now);
		todo_news(t, td, e, false);
	} else if (e->state == NUD_DELAY && now - e->updated >= NEIGH_DELAY_NS) {
		set_state(e, NUD_PROBE, now);
		todo_news(t, td, e, false);
	} else if ((e->state == NUD_STALE || e->state == NUD_FAILED) && now - e->updated >= NEIGH_GC_STALE_NS) {
		clear_entry(t, e, td);
	}
	if (!solicit || now < e->next_probe)
		return;
	if (e->probes >= limit) {
		struct netbuf *nb;
		while ((nb = netbuf_dequeue(&e->waiting))) {
			netdev_hold(nb->dev);
			netbuf_enqueue(&td->unreach, nb);
		}
		set_state(e, NUD_FAILED, now);
		todo_news(t, td, e, false);
		return;
	}
	e->probes++;
	e->next_probe = now + NEIGH_RETRANS_NS;
	todo_ask(td, e, e->state == NUD_PROBE);
}

void neigh_timer(struct neigh_table *t, uint64_t now)
{
	struct todo td = { 0 };
	uint64_t fl = spin_lock_irqsave(&t->lock);
	for (unsigned i = 0; i < t->size; i++)
		if (t->entries[i].ifindex && t->entries[i].state != NUD_PERMANENT)
			age(t, &t->entries[i], now, &td);
	spin_unlock_irqrestore(&t->lock, fl);
	todo_run(t, &td);
}

void neigh_flush_dev(struct neigh_table *t, int ifindex, bool permanent_too)
{
	struct todo td = { 0 };
	uint64_t fl = spin_lock_irqsave(&t->lock);
	for (unsigned i = 0; i < t->size; i++)
		if (t->entries[i].ifindex == ifindex && (permanent_too || t->entries[i].state != NUD_PERMANENT))
			clear_entry(t, &t->entries[i], &td);
	spin_unlock_irqrestore(&t->lock, fl);
	todo_run(t, &td);
}

/* ---- by hand, and as ip neigh sees it ------------------------------------------------ */

bool neigh_get(struct neigh_table *t, unsigned i, struct neigh_info *out)
{
	unsigned n = 0;
	bool found = false;
	uint64_t fl = spin_lock_irqsave(&t->lock);
	for (unsigned k = 0; k < t->size && !found; k++) {
		const struct neigh_entry *e = &t->entries[k];
		if (!e->ifindex || n++ != i)
			continue;
		info_of(e, out);
		found = true;
	}
	spin_unlock_irqrestore(&t->lock, fl);
	return found;
}

int neigh_set_permanent(struct neigh_table *t, int ifindex, const uint8_t *key, const uint8_t *mac)
{
	struct todo td = { 0 };
	uint64_t fl = spin_lock_irqsave(&t->lock);
	struct neigh_entry *e = find(t, ifindex, key);
	if (!e && (e = alloc_slot(t, &td)))
		claim(t, e, ifindex, key);
	if (e) {
		struct neigh_info before;
		info_of(e, &before);
		memcpy(e->mac, mac, ETH_ALEN);
		set_state(e, NUD_PERMANENT, time_ns());
		release_waiting(t, e, &td);
		if (entry_changed(e, &before))
			todo_news(t, &td, e, false);
	}
	spin_unlock_irqrestore(&t->lock, fl);
	todo_run(t, &td);
	return e ? 0 : -ENOSPC;
}

/* By hand (neigh_delete: __neigh_update to FAILED, then the removal):
 * RTM_NEWNEIGH FAILED when the entry had an address or was being asked
 * for, then RTM_DELNEIGH, both FAILED. */
int neigh_delete(struct neigh_table *t, int ifindex, const uint8_t *key)
{
	struct todo td = { 0 };
	uint64_t fl = spin_lock_irqsave(&t->lock);
	struct neigh_entry *e = find(t, ifindex, key);
	if (e) {
		bool told = e->state & (NUD_VALID | NUD_INCOMPLETE | NUD_PROBE);
		e->state = NUD_FAILED;
		if (told)
			todo_news(t, &td, e, false);
		clear_entry(t, e, &td);
	}
	spin_unlock_irqrestore(&t->lock, fl);
	todo_run(t, &td);
	return e ? 0 : -ENXIO;
}
