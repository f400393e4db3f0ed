// SPDX-License-Identifier: MIT
/*
 * Kestrel: packet buffers (net/netbuf.h). The bytes come from the kernel
 * heap, which hands out direct-mapped, physically contiguous memory at
 * every size, so a device may DMA into any netbuf.
 */
#include "net/netbuf.h"
#include "net/wire.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/layout.h"

struct netbuf *netbuf_alloc(size_t headroom, size_t size)
{
	if (size < NETBUF_MIN_SIZE)
		size = NETBUF_MIN_SIZE; /* room to pad a short frame (netdev_xmit) */
	size_t cap = headroom + size;
	if (cap < size || cap > UINT32_MAX)
		return NULL;
	struct netbuf *nb = kzalloc(sizeof(*nb));
	if (!nb)
		return NULL;
	nb->head = kmalloc(cap);
	if (!nb->head) {
		kfree(nb);
		return NULL;
	}
	nb->cap = (uint32_t)cap;
	nb->data = nb->head + headroom;
	return nb;
}

void netbuf_free(struct netbuf *nb)
{
	if (!nb)
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
