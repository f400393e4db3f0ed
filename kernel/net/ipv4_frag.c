// SPDX-License-Identifier: MIT
/*
 * Kestrel: IPv4 fragment reassembly (net/ipv4.h), with Linux's limits:
 * a datagram's fragments wait at most 30 s (net.ipv4.ipfrag_time), all
 * waiting fragments hold at most 4 MiB (ipfrag_high_thresh; a fragment
 * that would pass it is dropped), a datagram is made of at most 64
 * fragments, and 64 datagrams wait at once (a new one takes the oldest
 * one's place, so fragments that never complete cannot shut reassembly
 * for 30 s). Overlapping fragments drop the whole datagram, as Linux
 * does since 4.19 (RFC 5722's rule, applied to IPv4 too): an overlap is
 * how fragment attacks rewrite headers. A datagram whose first fragment
 * came and that times out earns its sender an ICMP time exceeded
 * (fragment reassembly time exceeded).
 *
 * Lock rule: frag_lock guards the queues and the memory count; ICMP is
 * sent after it is released.
 */
#include "net/ipv4.h"
#include "net/icmp.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "time/time.h"

#define FRAG_QUEUES       64
#define FRAG_PER_DATAGRAM 64
#define FRAG_MEM_MAX      (4u << 20)
#define FRAG_TIMEOUT_NS   (30ull * 1000000000ull)
#define IPV4_MAX_LEN      65535u
#define IPV4_CSUM_OFF     10

struct frag {
	uint16_t off, len;           /* payload bytes [off, off + len) of the datagram */
	struct netbuf *nb;           /* data at the payload; the first's header before it */
};

struct frag_queue {
	bool used;
	uint32_t src, dst;
	uint16_t id;
	uint8_t proto;
	uint64_t created;
	uint32_t total;              /* the payload's length once the last fragment came; 0 before */
	uint32_t have;               /* payload bytes received */
	int first;                   /* index in frags of the fragment at offset 0, or -1 */
	unsigned nfrags;
	struct frag frags[FRAG_PER_DATAGRAM];
};

static struct spinlock frag_lock = SPINLOCK_INIT;
static struct frag_queue queues[FRAG_QUEUES];
static size_t frag_mem;

/* ---- queues (frag_lock held) ---------------------------------------------------- */

static struct frag_queue *find_queue(const struct ipv4_info *ip)
{
	for (unsigned i = 0; i < FRAG_QUEUES; i++) {
		struct frag_queue *q = &queues[i];
		if (q->used && q->src == ip->src && q->dst == ip->dst && q->id == ip->id &&
		    q->proto == ip->proto)
			return q;
	}
	return NULL;
}

/* Free q's fragments into dead (freed after the lock) and the slot. */
static void kill_queue(struct frag_queue *q, struct netbuf_queue *dead)
{
	for (unsigned i = 0; i < q->nfrags; i++) {
		frag_mem -= q->frags[i].nb->cap;
		netbuf_enqueue(dead, q->frags[i].nb);
	}
	memset(q, 0, sizeof(*q));
}

/* A slot for a new datagram: a free one, else the oldest queue's, whose
 * fragments go to dead (a flood of datagrams that never complete cannot
 * keep every later one out for the 30 s of their timeout). */
static struct frag_queue *new_queue(const struct ipv4_info *ip, struct netbuf_queue *dead)
{
	struct frag_queue *q = NULL;
	for (unsigned i = 0; i < FRAG_QUEUES && (!q || q->used); i++)
		if (!queues[i].used || !q || queues[i].created < q->created)
			q = &queues[i];
	if (q->used)
		kill_queue(q, dead); /* counted as a failure by the caller */
	*q = (struct frag_queue){ .used = true, .src = ip->src, .dst = ip->dst, .id = ip->id,
				  .proto = ip->proto, .created = time_ns(), .first = -1 };
	return q;
}

/* Does [off, off + len) overlap a fragment q holds? */
static bool overlaps(const struct frag_queue *q, uint32_t off, uint32_t len)
{
	for (unsigned i = 0; i < q->nfrags; i++) {
		uint32_t o = q->frags[i].off, l = q->frags[i].len;
		if (off < o + l && o < off + len)
			return true;
	}
	return false;
}

/* Is this fragment one q already holds, byte range for byte range? (A
 * duplicate is dropped alone; any other overlap breaks the datagram.) */
static bool duplicate(const struct frag_queue *q, const struct ipv4_info *ip)
{
	uint32_t off = ip->frag_off, len = (uint32_t)ip->total_len - ip->hdr_len;
	for (unsigned i = 0; i < q->nfrags; i++)
		if (q->frags[i].off == off && q->frags[i].len == len)
			return true;
	return false;
}

/* Add a fragment to q. False: the datagram is broken (overlap, a second
 * last fragment that disagrees, data past the end, too many pieces). */
static bool add_frag(struct frag_queue *q, struct netbuf *nb, const struct ipv4_info *ip)
{
	uint32_t off = ip->frag_off, len = (uint32_t)ip->total_len - ip->hdr_len;
	if (q->nfrags == FRAG_PER_DATAGRAM || overlaps(q, off, len) || off + len > IPV4_MAX_LEN ||
	    (q->total && off + len > q->total) || (!ip->mf && q->total && q->total != off + len) ||
	    (!ip->mf && q->have > off + len) || (ip->mf && len % 8))
		return false;
	if (!ip->mf)
		q->total = off + len;
	for (unsigned i = 0; q->total && i < q->nfrags; i++)
		if (q->frags[i].off + q->frags[i].len > q->total)
			return false;
	netbuf_pull(nb, ip->hdr_len);
	if (off == 0)
		q->first = (int)q->nfrags;
	q->frags[q->nfrags++] = (struct frag){ (uint16_t)off, (uint16_t)len, nb };
	q->have += len;
	frag_mem += nb->cap;
	return true;
}

/* ---- the whole datagram ---------------------------------------------------------- */

/* q is complete: one netbuf with the first fragment's header (now
 * unfragmented, its length and checksum rewritten) and every payload in
 * order. NULL when memory is short, or when the header and the payload
 * make more than 65535 bytes (a payload may end at 65535 only without
 * options; Linux's "Oversized IP packet", a reassembly failure: the total
 * length field cannot say it). frag_lock held; q is left as is. */
static struct netbuf *join(const struct frag_queue *q)
{
	const struct netbuf *first = q->frags[q->first].nb;
	size_t hlen = (size_t)(first->data - netbuf_network(first));
	if (hlen + q->total > IPV4_MAX_LEN)
		return NULL;
	struct netbuf *nb = netbuf_alloc(NETBUF_HEADROOM, hlen + q->total);
	if (!nb)
		return NULL;
	uint8_t *h = netbuf_put(nb, hlen + q->total);
	memcpy(h, netbuf_network(first), hlen);
	for (unsigned i = 0; i < q->nfrags; i++)
		memcpy(h + hlen + q->frags[i].off, q->frags[i].nb->data, q->frags[i].len);
	put_be16(h + 2, (uint16_t)(hlen + q->total));
	put_be16(h + 6, 0);                    /* no MF, offset 0; DF is gone too, as Linux's */
	put_be16(h + IPV4_CSUM_OFF, 0);
	put_be16(h + IPV4_CSUM_OFF, csum_fold(csum_add(0, h, hlen)));
	nb->dev = first->dev;
	nb->pkt_type = first->pkt_type;
	nb->protocol = first->protocol;
	netbuf_set_network(nb);
	return nb;
}

struct netbuf *ipv4_reassemble(struct netbuf *nb, const struct ipv4_info *ip)
{
	struct netbuf_queue dead = { 0 };
	struct netbuf *whole = NULL;
	netbuf_set_network(nb);
	uint64_t fl = spin_lock_irqsave(&frag_lock);
	struct frag_queue *q = find_queue(ip);
	if (!q && frag_mem + nb->cap <= FRAG_MEM_MAX)
		q = new_queue(ip, &dead);
	if (!q || frag_mem + nb->cap > FRAG_MEM_MAX || duplicate(q, ip)) {
		netbuf_enqueue(&dead, nb);
	} else if (!add_frag(q, nb, ip)) {
		netbuf_enqueue(&dead, nb);
		kill_queue(q, &dead);
	} else if (q->total && q->have == q->total && q->first >= 0) {
		whole = join(q);
		kill_queue(q, &dead);
	}
	spin_unlock_irqrestore(&frag_lock, fl);
	if (dead.count && !whole)
		IPV4_MIB_INC(reasm_fails);
	netbuf_queue_purge(&dead);
	return whole;
}

void ipv4_frag_expire(uint64_t now)
{
	struct netbuf_queue dead = { 0 };
	uint64_t fl = spin_lock_irqsave(&frag_lock);
	for (unsigned i = 0; i < FRAG_QUEUES; i++) {
		struct frag_queue *q = &queues[i];
		if (!q->used || now - q->created < FRAG_TIMEOUT_NS)
			continue;
		IPV4_MIB_INC(reasm_timeout);
		IPV4_MIB_INC(reasm_fails);
		if (q->first >= 0) {
			struct netbuf *f = q->frags[q->first].nb;
			f->len += (uint32_t)(f->data - netbuf_network(f));
			f->data = netbuf_network(f);    /* back at its IP header, for the quote */
		}
		kill_queue(q, &dead);
	}
	spin_unlock_irqrestore(&frag_lock, fl);
	struct netbuf *nb;
	while ((nb = netbuf_dequeue(&dead))) {
		if (nb->data == netbuf_network(nb) && nb->pkt_type == NETBUF_HOST)
			icmp_send_error(nb, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, 0);
		netbuf_free(nb);
	}
}

size_t ipv4_frag_mem(void)
{
	return __atomic_load_n(&frag_mem, __ATOMIC_RELAXED);
}
