// SPDX-License-Identifier: MIT
/*
 * Kestrel: packet buffers (net/netbuf.h). The bytes come from the kernel
 * heap, which hands out direct-mapped, physically contiguous memory at
 * every size, so a device may DMA into any netbuf.
 *
 * Freed netbufs of the two sizes a stream of packets is made of (a
 * full-sized frame's bytes, one of the heap's 2 KiB objects, and a bare
 * ACK's, a 256-byte one) wait in a pool of each for the next
 * netbuf_alloc of that size class: a receive ring refilled a frame at a
 * time and the segments and ACKs sent then cost a lock and a few stores
 * instead of two kmallocs and two kfrees each, and the slab does not
 * give pages back and take them again (Linux's page_pool does this for
 * its drivers). A pool holds at most NETBUF_POOL_MAX, what a burst needs
 * (each netbuf in the stack is freed before the next poll's batch): 128
 * KiB and 16 KiB of bytes. Lock rule: pool_lock, any context.
 */
#include "net/netbuf.h"
#include "net/wire.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/layout.h"

#define NETBUF_POOL_MAX   64
#define POOL_SMALL_CAP    256             /* the heap's class a bare segment's bytes come from */
#define POOL_FRAME_CAP    HEAP_MAX_SMALL  /* ...and a full-sized frame's */

struct netbuf_pool {
	struct netbuf *head;    /* linked through next */
	unsigned count;
};

static struct spinlock pool_lock = SPINLOCK_INIT;
static struct netbuf_pool pools[2];

/* The pool for bytes of cap, or NULL: caps that share a heap size class
 * share a pool, so a recycled netbuf always has the room asked for. */
static struct netbuf_pool *pool_for(size_t cap)
{
	if (cap <= POOL_SMALL_CAP && cap > POOL_SMALL_CAP / 2)
		return &pools[0];
	if (cap <= POOL_FRAME_CAP && cap > POOL_FRAME_CAP / 2)
		return &pools[1];
	return NULL;
}

/* A netbuf from pool p with its fields zeroed but head, or NULL. */
static struct netbuf *pool_take(struct netbuf_pool *p)
{
	uint64_t fl = spin_lock_irqsave(&pool_lock);
	struct netbuf *nb = p->head;
	if (nb) {
		p->head = nb->next;
		p->count--;
	}
	spin_unlock_irqrestore(&pool_lock, fl);
	if (nb) {
		uint8_t *head = nb->head;
		memset(nb, 0, sizeof(*nb));
		nb->head = head;
	}
	return nb;
}

/* Keep nb (its bytes from pool p's class) for reuse. False: the pool is full. */
static bool pool_put(struct netbuf_pool *p, struct netbuf *nb)
{
	uint64_t fl = spin_lock_irqsave(&pool_lock);
	bool kept = p->count < NETBUF_POOL_MAX;
	if (kept) {
		nb->next = p->head;
		p->head = nb;
		p->count++;
	}
	spin_unlock_irqrestore(&pool_lock, fl);
	return kept;
}

unsigned netbuf_pooled(void)
{
	uint64_t fl = spin_lock_irqsave(&pool_lock);
	unsigned n = pools[0].count + pools[1].count;

	spin_unlock_irqrestore(&pool_lock, fl);
	return n;
}

/* A netbuf with cap bytes from the heap. */
static struct netbuf *heap_alloc(size_t cap)
{
	struct netbuf *nb = kzalloc(sizeof(*nb));
	if (!nb)
		return NULL;
	nb->head = kmalloc(cap);
	if (!nb->head) {
		kfree(nb);
		return NULL;
	}
	return nb;
}

struct netbuf *netbuf_alloc(size_t headroom, size_t size)
{
	if (size < NETBUF_MIN_SIZE)
		size = NETBUF_MIN_SIZE; /* room to pad a short frame (netdev_xmit) */
	size_t cap = headroom + size;
	if (cap < size || cap > UINT32_MAX)
		return NULL;
	struct netbuf_pool *p = pool_for(cap);
	struct netbuf *nb = p ? pool_take(p) : NULL;
	if (!nb && !(nb = heap_alloc(cap)))
		return NULL;
	nb->cap = (uint32_t)cap;
	nb->data = nb->head + headroom;
	return nb;
}

void netbuf_orphan(struct netbuf *nb)
{
	void (*d)(struct netbuf *) = nb->destructor;

	if (!d)
		return;
	d(nb);
	nb->destructor = NULL;
	nb->owner = NULL;
}

void netbuf_free(struct netbuf *nb)
{
	if (!nb)
		return;
	netbuf_orphan(nb);
	struct netbuf_pool *p = pool_for(nb->cap);
	if (p && pool_put(p, nb))
		return;
	kfree(nb->head);
	kfree(nb);
}

struct netbuf *netbuf_clone(const struct netbuf *nb)
{
	struct netbuf *c = netbuf_alloc(NETBUF_HEADROOM, nb->len);
	if (!c)
		return NULL;
	memcpy(netbuf_put(c, nb->len), nb->data, nb->len);
	long shift = (c->data - c->head) - (nb->data - nb->head);
	c->dev = nb->dev;
	c->protocol = nb->protocol;
	c->network_off = (uint16_t)(nb->network_off + shift);
	c->transport_off = (uint16_t)(nb->transport_off + shift);
	c->pkt_type = nb->pkt_type;
	c->csum_ok = nb->csum_ok;
	c->csum_partial = nb->csum_partial;
	c->csum_start = (uint16_t)(nb->csum_start + shift);
	c->csum_field = (uint16_t)(nb->csum_field + shift);
	return c;
}

void netbuf_csum_finish(struct netbuf *nb)
{
	if (!nb->csum_partial)
		return;
	const uint8_t *start = nb->head + nb->csum_start;
	size_t len = (size_t)(nb->data + nb->len - start);
	put_be16(nb->head + nb->csum_field, csum_fold(csum_add(0, start, len)));
	nb->csum_partial = false;
}

size_t netbuf_headroom(const struct netbuf *nb)
{
	return (size_t)(nb->data - nb->head);
}

size_t netbuf_tailroom(const struct netbuf *nb)
{
	return nb->cap - netbuf_headroom(nb) - nb->len;
}

void *netbuf_push(struct netbuf *nb, size_t n)
{
	if (n > netbuf_headroom(nb))
		return NULL;
	nb->data -= n;
	nb->len += (uint32_t)n;
	return nb->data;
}

void *netbuf_pull(struct netbuf *nb, size_t n)
{
	if (n > nb->len)
		return NULL;
	void *old = nb->data;
	nb->data += n;
	nb->len -= (uint32_t)n;
	return old;
}

void *netbuf_put(struct netbuf *nb, size_t n)
{
	if (n > netbuf_tailroom(nb))
		return NULL;
	void *tail = nb->data + nb->len;
	nb->len += (uint32_t)n;
	return tail;
}

void netbuf_trim(struct netbuf *nb, size_t len)
{
	if (len < nb->len)
		nb->len = (uint32_t)len;
}

uint64_t netbuf_phys(const struct netbuf *nb)
{
	return virt_to_phys(nb->data);
}

void netbuf_set_network(struct netbuf *nb)
{
	nb->network_off = (uint16_t)netbuf_headroom(nb);
}

void netbuf_set_transport(struct netbuf *nb)
{
	nb->transport_off = (uint16_t)netbuf_headroom(nb);
}

void netbuf_enter_transport(struct netbuf *nb, size_t hdr_len, struct netbuf_mark *m)
{
	*m = (struct netbuf_mark){ nb->network_off, nb->transport_off, hdr_len };
	netbuf_set_network(nb);
	netbuf_pull(nb, hdr_len);
	netbuf_set_transport(nb);
}

void netbuf_leave_transport(struct netbuf *nb, const struct netbuf_mark *m)
{
	netbuf_push(nb, m->hdr_len); /* the header's bytes are still there */
	nb->network_off = m->network_off;
	nb->transport_off = m->transport_off;
}

void netbuf_enqueue(struct netbuf_queue *q, struct netbuf *nb)
{
	nb->next = NULL;
	if (q->tail)
		q->tail->next = nb;
	else
		q->head = nb;
	q->tail = nb;
	q->count++;
	q->bytes += nb->len;
}

struct netbuf *netbuf_dequeue(struct netbuf_queue *q)
{
	struct netbuf *nb = q->head;
	if (!nb)
		return NULL;
	q->head = nb->next;
	if (!q->head)
		q->tail = NULL;
	nb->next = NULL;
	q->count--;
	q->bytes -= nb->len;
	return nb;
}

void netbuf_queue_purge(struct netbuf_queue *q)
{
	struct netbuf *nb;
	while ((nb = netbuf_dequeue(q)))
		netbuf_free(nb);
}
