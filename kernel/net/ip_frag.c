// SPDX-License-Identifier: MIT
/*
 * Kestrel: fragment reassembly for IPv4 and IPv6 (net/ip_frag.h), with
 * Linux's limits: all waiting fragments of a family hold at most 4 MiB
 * (a fragment that would pass it is dropped), a datagram is made of at
 * most 64 pieces, and 64 datagrams wait at once: a new one takes the
 * oldest one's place, so fragments that never complete cannot shut
 * reassembly for the whole timeout. Overlapping pieces drop the whole
 * datagram, as Linux does for both families since 4.19 (RFC 5722's rule):
 * an overlap is how fragment attacks rewrite headers. A piece that is a
 * byte-for-byte duplicate of one held is dropped alone; an empty piece
 * breaks its datagram, as Linux's ip_frag_queue.
 *
 * Lock rule: a table's lock guards its queues and its memory count;
 * fragments are freed after it is released.
 */
#include "net/ip_frag.h"
#include "net/netdev.h"
#include "lib/string.h"
#include "time/time.h"

/* ---- queues (the table's lock held) ------------------------------------------------ */

static struct ip_frag_queue *find_queue(struct ip_frag_table *t, const struct ip_frag_key *key)
{
	for (unsigned i = 0; i < IP_FRAG_QUEUES; i++) {
		struct ip_frag_queue *q = &t->queues[i];
		if (q->used && !memcmp(&q->key, key, sizeof(*key)))
			return q;
	}
	return NULL;
}

/* Free q's pieces into dead (freed after the lock) and the slot. */
static void kill_queue(struct ip_frag_table *t, struct ip_frag_queue *q, struct netbuf_queue *dead)
{
	for (unsigned i = 0; i < q->nslots; i++) {
		t->mem -= q->slots[i].nb->cap;
		netbuf_enqueue(dead, q->slots[i].nb);
	}
	memset(q, 0, sizeof(*q));
}

/* A slot for a new datagram: a free one, else the oldest queue's, whose
 * pieces go to dead (the caller counts a failure). */
static struct ip_frag_queue *new_queue(struct ip_frag_table *t, const struct ip_frag_key *key,
				       struct netbuf_queue *dead)
{
	struct ip_frag_queue *q = NULL;
	for (unsigned i = 0; i < IP_FRAG_QUEUES && (!q || q->used); i++)
		if (!t->queues[i].used || !q || t->queues[i].created < q->created)
			q = &t->queues[i];
	if (q->used)
		kill_queue(t, q, dead);
	q->used = true;
	q->key = *key;
	q->created = time_ns();
	q->first = -1;
	return q;
}

/* Does [off, off + len) overlap a piece q holds? */
static bool overlaps(const struct ip_frag_queue *q, uint32_t off, uint32_t len)
{
	for (unsigned i = 0; i < q->nslots; i++) {
		uint32_t o = q->slots[i].off, l = q->slots[i].len;
		if (off < o + l && o < off + len)
			return true;
	}
	return false;
}

/* Is p one q already holds, byte range for byte range? */
static bool duplicate(const struct ip_frag_queue *q, const struct ip_frag_piece *p)
{
	for (unsigned i = 0; i < q->nslots; i++)
		if (q->slots[i].off == p->off && q->slots[i].len == p->len)
			return true;
	return false;
}

/* Would p break q: an empty or misaligned piece, an overlap, data past
 * the end (the one a last piece set, or 65535), a second last piece that
 * disagrees, a last piece before data already held, too many pieces? */
static bool breaks(const struct ip_frag_queue *q, const struct ip_frag_piece *p)
{
	uint32_t end = p->off + p->len;
	if (q->nslots == IP_FRAG_PER_DATAGRAM || !p->len || (p->mf && p->len % IP_FRAG_UNIT) ||
	    end > IP_FRAG_MAX_END || overlaps(q, p->off, p->len))
		return true;
	if (q->total && end > q->total)
		return true;
	if (!p->mf && q->total && q->total != end)
		return true;
	for (unsigned i = 0; !p->mf && i < q->nslots; i++)
		if (q->slots[i].off + q->slots[i].len > end)
			return true;
	return false;
}

/* Add p (in nb) to q; false, taking nothing, when it breaks the datagram. */
static bool add_piece(struct ip_frag_table *t, struct ip_frag_queue *q, struct netbuf *nb,
		      const struct ip_frag_piece *p)
{
	if (breaks(q, p))
		return false;
	if (!p->mf)
		q->total = p->off + p->len;
	if (p->off == 0) {
		q->first = (int)q->nslots;
		q->hdr_keep = p->hdr_keep;
		q->cookie = p->cookie;
	}
	q->slots[q->nslots++] = (struct ip_frag_slot){ (uint16_t)p->off, (uint16_t)p->len, p->data_off, nb };
	q->have += p->len;
	t->mem += nb->cap;
	return true;
}

/* q is complete: one netbuf with the first piece's kept header (rewritten
 * by the family) and every payload in order, received on dev (the last
 * piece's, as Linux's ip_frag_reasm: the device the caller holds, where
 * the first piece's may be gone since). NULL when memory is short or the
 * family cannot say the packet. The lock held; q is left as is. */
static struct netbuf *join(const struct ip_frag_table *t, const struct ip_frag_queue *q, struct netdev *dev)
{
	const struct netbuf *first = q->slots[q->first].nb;
	size_t hlen = q->hdr_keep;
	struct netbuf *nb = netbuf_alloc(NETBUF_HEADROOM, hlen + q->total);
	if (!nb)
		return NULL;
	uint8_t *h = netbuf_put(nb, hlen + q->total);
	memcpy(h, netbuf_network(first), hlen);
	for (unsigned i = 0; i < q->nslots; i++) {
		const struct ip_frag_slot *s = &q->slots[i];
		memcpy(h + hlen + s->off, netbuf_network(s->nb) + s->data_off, s->len);
	}
	if (!t->finish(h, hlen, q->total, q->cookie)) {
		netbuf_free(nb);
		return NULL;
	}
	nb->dev = dev;
	nb->pkt_type = first->pkt_type;
	nb->protocol = first->protocol;
	netbuf_set_network(nb);
	return nb;
}

/* ---- the interface --------------------------------------------------------------- */

struct netbuf *ip_frag_add(struct ip_frag_table *t, struct netbuf *nb, const struct ip_frag_key *key,
			   const struct ip_frag_piece *p, bool *failed)
{
	struct netbuf_queue dead = { 0 };
	struct netbuf *whole = NULL;
	netbuf_set_network(nb);
	uint64_t fl = spin_lock_irqsave(&t->lock);
	bool room = t->mem + nb->cap <= IP_FRAG_MEM_MAX;
	struct ip_frag_queue *q = find_queue(t, key);
	if (!q && room)
		q = new_queue(t, key, &dead);
	if (!q || !room || duplicate(q, p)) {
		netbuf_enqueue(&dead, nb);
	} else if (!add_piece(t, q, nb, p)) {
		netbuf_enqueue(&dead, nb);
		kill_queue(t, q, &dead);
	} else if (q->total && q->have == q->total && q->first >= 0) {
		whole = join(t, q, nb->dev);
		kill_queue(t, q, &dead);
	}
	spin_unlock_irqrestore(&t->lock, fl);
	*failed = dead.count && !whole;
	netbuf_queue_purge(&dead);
	return whole;
}

/* Take q's first piece out of it (data at its network header, as every
 * piece's is: for the quote of a time exceeded). The lock held. */
static struct netbuf *take_first(struct ip_frag_table *t, struct ip_frag_queue *q)
{
	struct netbuf *nb = q->slots[q->first].nb;
	t->mem -= nb->cap;
	q->slots[q->first] = q->slots[--q->nslots];
	q->first = -1;
	return nb;
}

unsigned ip_frag_expire(struct ip_frag_table *t, uint64_t now, struct netbuf_queue *quotes)
{
	struct netbuf_queue dead = { 0 };
	unsigned n = 0;
	uint64_t fl = spin_lock_irqsave(&t->lock);
	for (unsigned i = 0; i < IP_FRAG_QUEUES; i++) {
		struct ip_frag_queue *q = &t->queues[i];
		if (!q->used || now - q->created < t->timeout_ns)
			continue;
		n++;
		if (q->first >= 0) {
			struct netbuf *quote = take_first(t, q);
			netdev_hold(quote->dev); /* its device may be unregistering: net/netdev.h */
			netbuf_enqueue(quotes, quote);
		}
		kill_queue(t, q, &dead);
	}
	spin_unlock_irqrestore(&t->lock, fl);
	netbuf_queue_purge(&dead);
	return n;
}

void ip_frag_forget_dev(struct ip_frag_table *t, const struct netdev *dev)
{
	struct netbuf_queue dead = { 0 };
	uint64_t fl = spin_lock_irqsave(&t->lock);
	for (unsigned i = 0; i < IP_FRAG_QUEUES; i++) {
		struct ip_frag_queue *q = &t->queues[i];
		bool has = false;
		for (unsigned k = 0; q->used && k < q->nslots && !has; k++)
			has = q->slots[k].nb->dev == dev;
		if (has)
			kill_queue(t, q, &dead);
	}
	spin_unlock_irqrestore(&t->lock, fl);
	netbuf_queue_purge(&dead);
}

size_t ip_frag_mem(const struct ip_frag_table *t)
{
	return __atomic_load_n(&t->mem, __ATOMIC_RELAXED);
}
