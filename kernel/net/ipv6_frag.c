// SPDX-License-Identifier: MIT
/*
 * Kestrel: IPv6 fragment reassembly (net/ipv6.h), with ipv4_frag.c's
 * shape and Linux's IPv6 limits: a datagram's fragments wait at most
 * 60 s (net.ipv6.ip6frag_time), all waiting fragments hold at most 4 MiB
 * (ip6frag_high_thresh), a datagram is made of at most 64 fragments, and
 * 64 datagrams wait at once (a new one takes the oldest one's place).
 * Overlapping fragments drop the whole datagram (RFC 5722); a duplicate
 * is dropped alone. A datagram whose first fragment came and that times
 * out earns its sender an ICMPv6 time exceeded (fragment reassembly).
 * The whole packet is the first fragment's unfragmentable part (the IPv6
 * header and the extension headers before the fragment header), its
 * next-header byte now naming what the fragment header named, and the
 * payloads in order.
 *
 * Lock rule: frag_lock guards the queues and the memory count; ICMPv6 is
 * sent after it is released.
 */
#include "net/ipv6.h"
#include "net/icmp6.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "time/time.h"

#define FRAG_QUEUES       64
#define FRAG_PER_DATAGRAM 64
#define FRAG_MEM_MAX      (4u << 20)
#define FRAG_TIMEOUT_NS   (60ull * 1000000000ull)
#define IPV6_MAX_PLEN     65535u
#define IP6_PLEN_OFF      4

struct frag {
	uint16_t off, len;           /* payload bytes [off, off + len) of the datagram */
	struct netbuf *nb;           /* data at the IPv6 header */
	uint16_t data_off;           /* the payload's offset in nb */
};

struct frag_queue {
	bool used;
	struct in6 src, dst;
	uint32_t id;
	uint64_t created;
	uint32_t total;              /* the payload's length once the last fragment came; 0 before */
	uint32_t have;
	int first;                   /* index of the fragment at offset 0, or -1 */
	uint16_t unfrag_len;         /* the first's bytes before its fragment header */
	uint16_t nh_off;             /* ...and where in them the fragment header is named */
	uint8_t nexthdr;             /* what the fragment header names */
	unsigned nfrags;
	struct frag frags[FRAG_PER_DATAGRAM];
};

static struct spinlock frag_lock = SPINLOCK_INIT;
static struct frag_queue queues[FRAG_QUEUES];
static size_t frag_mem;

/* ---- queues (frag_lock held) ---------------------------------------------------- */

static struct frag_queue *find_queue(const struct ipv6_info *ip)
{
	for (unsigned i = 0; i < FRAG_QUEUES; i++) {
		struct frag_queue *q = &queues[i];
		if (q->used && q->id == ip->frag_id && in6_eq(&q->src, &ip->src) && in6_eq(&q->dst, &ip->dst))
			return q;
	}
	return NULL;
}

static void kill_queue(struct frag_queue *q, struct netbuf_queue *dead)
{
	for (unsigned i = 0; i < q->nfrags; i++) {
		frag_mem -= q->frags[i].nb->cap;
		netbuf_enqueue(dead, q->frags[i].nb);
	}
	memset(q, 0, sizeof(*q));
}

static struct frag_queue *new_queue(const struct ipv6_info *ip, struct netbuf_queue *dead)
{
	struct frag_queue *q = NULL;
	for (unsigned i = 0; i < FRAG_QUEUES && (!q || q->used); i++)
		if (!queues[i].used || !q || queues[i].created < q->created)
			q = &queues[i];
	if (q->used)
		kill_queue(q, dead);
	*q = (struct frag_queue){ .used = true, .src = ip->src, .dst = ip->dst, .id = ip->frag_id,
				  .created = time_ns(), .first = -1 };
	return q;
}

static uint32_t frag_len(const struct ipv6_info *ip)
{
	return (uint32_t)IPV6_HDR_LEN + ip->payload_len - ip->l4_off;
}

static bool overlaps(const struct frag_queue *q, uint32_t off, uint32_t len)
{
	for (unsigned i = 0; i < q->nfrags; i++) {
		uint32_t o = q->frags[i].off, l = q->frags[i].len;
		if (off < o + l && o < off + len)
			return true;
	}
	return false;
}

static bool duplicate(const struct frag_queue *q, const struct ipv6_info *ip)
{
	for (unsigned i = 0; i < q->nfrags; i++)
		if (q->frags[i].off == ip->frag_off && q->frags[i].len == frag_len(ip))
			return true;
	return false;
}

/* Add a fragment to q. False: the datagram is broken (an overlap, a
 * second last fragment that disagrees, data past the end, too many). */
static bool add_frag(struct frag_queue *q, struct netbuf *nb, const struct ipv6_info *ip)
{
	uint32_t off = ip->frag_off, len = frag_len(ip);
	if (q->nfrags == FRAG_PER_DATAGRAM || !len || overlaps(q, off, len) ||
	    (q->total && off + len > q->total) || (!ip->frag_mf && q->total && q->total != off + len) ||
	    (!ip->frag_mf && q->have > off + len))
		return false;
	if (!ip->frag_mf)
		q->total = off + len;
	for (unsigned i = 0; q->total && i < q->nfrags; i++)
		if (q->frags[i].off + q->frags[i].len > q->total)
			return false;
	if (off == 0) {
		q->first = (int)q->nfrags;
		q->unfrag_len = ip->frag_hdr_off;
		q->nh_off = ip->nh_off;
		q->nexthdr = ip->frag_nexthdr;
	}
	q->frags[q->nfrags++] = (struct frag){ (uint16_t)off, (uint16_t)len, nb, ip->l4_off };
	q->have += len;
	frag_mem += nb->cap;
	return true;
}

/* q is complete: one packet, the first's unfragmentable part and every
 * payload in order. NULL when memory is short or it would pass 65535
 * bytes of payload. frag_lock held; q is left as is. */
static struct netbuf *join(const struct frag_queue *q)
{
	const struct netbuf *first = q->frags[q->first].nb;
	size_t hlen = q->unfrag_len;
	if (hlen - IPV6_HDR_LEN + q->total > IPV6_MAX_PLEN)
		return NULL;
	struct netbuf *nb = netbuf_alloc(NETBUF_HEADROOM, hlen + q->total);
	if (!nb)
		return NULL;
	uint8_t *h = netbuf_put(nb, hlen + q->total);
	memcpy(h, first->data, hlen);
	for (unsigned i = 0; i < q->nfrags; i++)
		memcpy(h + hlen + q->frags[i].off, q->frags[i].nb->data + q->frags[i].data_off, q->frags[i].len);
	h[q->nh_off] = q->nexthdr;
	put_be16(h + IP6_PLEN_OFF, (uint16_t)(hlen - IPV6_HDR_LEN + q->total));
	nb->dev = first->dev;
	nb->pkt_type = first->pkt_type;
	nb->protocol = first->protocol;
	netbuf_set_network(nb);
	return nb;
}

struct netbuf *ipv6_reassemble(struct netbuf *nb, const struct ipv6_info *ip)
{
	struct netbuf_queue dead = { 0 };
	struct netbuf *whole = NULL;
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
		IPV6_MIB_INC(reasm_fails);
	netbuf_queue_purge(&dead);
	return whole;
}

void ipv6_frag_expire(uint64_t now)
{
	struct netbuf_queue dead = { 0 };
	struct netbuf *quote = NULL;
	uint64_t fl = spin_lock_irqsave(&frag_lock);
	for (unsigned i = 0; i < FRAG_QUEUES; i++) {
		struct frag_queue *q = &queues[i];
		if (!q->used || now - q->created < FRAG_TIMEOUT_NS)
			continue;
		IPV6_MIB_INC(reasm_timeout);
		IPV6_MIB_INC(reasm_fails);
		if (q->first >= 0 && !quote && q->frags[q->first].nb->pkt_type == NETBUF_HOST) {
			quote = q->frags[q->first].nb; /* its sender hears of it (one a pass) */
			q->frags[q->first].nb = NULL;
			frag_mem -= quote->cap;
			for (unsigned k = (unsigned)q->first; k + 1 < q->nfrags; k++)
				q->frags[k] = q->frags[k + 1];
			q->nfrags--;
		}
		kill_queue(q, &dead);
	}
	spin_unlock_irqrestore(&frag_lock, fl);
	if (quote) {
		icmp6_send_error(quote, ICMPV6_TIME_EXCEED, ICMPV6_EXC_FRAGTIME, 0);
		netbuf_free(quote);
	}
	netbuf_queue_purge(&dead);
}

size_t ipv6_frag_mem(void)
{
	return __atomic_load_n(&frag_mem, __ATOMIC_RELAXED);
}
