// SPDX-License-Identifier: MIT
/*
 * Kestrel: the virtio split virtqueue (dev/virtq.h). Transport-neutral:
 * the PCI transport (dev/virtio_pci.c) tells the device where the rings
 * are and sets the doorbell; the drivers add chains and harvest them.
 *
 * The device is not trusted with the driver's bookkeeping: which heads
 * are in flight, and how long their chains are, live in q->chain (the
 * driver's memory, never the device's rings), so a used entry that names
 * a head not in flight, or a used index running ahead, cannot make the
 * free list hand out a descriptor twice.
 */
#include "dev/virtq.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/pmm.h"

#define AVAIL_HDR_BYTES  4u   /* flags, idx */
#define USED_HDR_BYTES   4u
#define EVENT_BYTES      2u   /* used_event / avail_event after each ring */

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Where avail and used start in the rings' allocation, and its size. */
static void layout(uint16_t size, uint64_t *avail_off, uint64_t *used_off, uint64_t *total)
{
	*avail_off = (uint64_t)VIRTQ_DESC_BYTES * size;
	*used_off = align_up(*avail_off + AVAIL_HDR_BYTES + 2ull * size + EVENT_BYTES, VIRTQ_USED_ALIGN);
	*total = *used_off + USED_HDR_BYTES + sizeof(struct virtq_used_elem) * (uint64_t)size + EVENT_BYTES;
}

int virtq_alloc(struct virtq *q, uint16_t size)
{
	uint64_t avail_off, used_off, total;
	unsigned order = 0;

	if (size == 0 || size > VIRTQ_SIZE_MAX || (size & (size - 1)))
		return -EINVAL;
	layout(size, &avail_off, &used_off, &total);
	while (((uint64_t)PAGE_SIZE << order) < total)
		order++;
	memset(q, 0, sizeof(*q));
	uint64_t mem = pmm_alloc(order);
	q->chain = kzalloc(size * sizeof(*q->chain));
	q->cookie = kzalloc(size * sizeof(*q->cookie));
	if (!mem || !q->chain || !q->cookie) {
		if (mem)
			pmm_free(mem, order);
		kfree(q->chain);
		kfree(q->cookie);
		return -ENOMEM;
	}
	uint8_t *base = phys_to_virt(mem);
	memset(base, 0, (size_t)PAGE_SIZE << order);
	q->size = size;
	q->order = order;
	q->desc = (struct virtq_desc *)base;
	q->avail = (volatile struct virtq_avail *)(base + avail_off);
	q->used = (volatile struct virtq_used *)(base + used_off);
	q->desc_phys = mem;
	q->avail_phys = mem + avail_off;
	q->used_phys = mem + used_off;
	for (uint16_t i = 0; i < size; i++)
		q->desc[i].next = (uint16_t)(i + 1u < size ? i + 1u : VIRTQ_NO_DESC);
	q->free_head = 0;
	q->nfree = size;
	return 0;
}

void virtq_free(struct virtq *q)
{
	if (!q->size)
		return;
	pmm_free(q->desc_phys, q->order);
	kfree(q->chain);
	kfree(q->cookie);
	memset(q, 0, sizeof(*q));
}

uint16_t virtq_next_head(const struct virtq *q)
{
	return q->nfree ? q->free_head : VIRTQ_NO_DESC;
}

/* Give the chain at head back to the free list. head is in flight. */
static void free_chain(struct virtq *q, uint16_t head)
{
	uint16_t n = q->chain[head], last = head;

	for (uint16_t k = 1; k < n; k++)
		last = q->desc[last].next;
	q->desc[last].next = q->free_head;
	q->desc[last].flags = 0;
	q->free_head = head;
	q->nfree = (uint16_t)(q->nfree + n);
	q->chain[head] = 0;
	q->cookie[head] = NULL;
}

/*
 * The free list is linked through next, so n descriptors taken from its
 * front are already chained in order: only the flags need setting.
 */
int virtq_add(struct virtq *q, const struct virtq_seg *segs, unsigned n, void *cookie)
{
	if (n == 0 || n > q->size)
		return -EINVAL;
	if (q->nfree < n)
		return -ENOSPC;
	uint16_t head = q->free_head, i = head;
	for (unsigned k = 0; k < n; k++) {
		struct virtq_desc *d = &q->desc[i];
		d->addr = segs[k].phys;
		d->len = segs[k].len;
		d->flags = (uint16_t)((segs[k].write ? VIRTQ_DESC_F_WRITE : 0) | (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		i = d->next;
	}
	q->free_head = i;
	q->nfree = (uint16_t)(q->nfree - n);
	q->chain[head] = (uint16_t)n;
	q->cookie[head] = cookie;
	q->avail->ring[q->avail_idx & (q->size - 1)] = head;
	q->avail_idx++;
	return head;
}

void virtq_kick(struct virtq *q)
{
	/* the ring entries before the index (release), the index before the
	 * read of the device's NO_NOTIFY flag (a full fence: 2.6.13.6) */
	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (q->notify && !(q->used->flags & VIRTQ_USED_F_NO_NOTIFY))
		*q->notify = q->notify_value;
}

bool virtq_used_pending(const struct virtq *q)
{
	return !q->broken && __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE) != q->last_used;
}

bool virtq_harvest(struct virtq *q, struct virtq_done *out)
{
	while (!q->broken) {
		uint16_t idx = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
		if (idx == q->last_used)
			return false;
		if ((uint16_t)(idx - q->last_used) > q->size) {
			q->broken = true; /* more back than was ever out: nothing in the ring is believable */
			return false;
		}
		volatile struct virtq_used_elem *e = &q->used->ring[q->last_used & (q->size - 1)];
		uint32_t id = e->id, len = e->len;
		q->last_used++;
		if (id >= q->size || !q->chain[id]) {
			q->bad_used++;
			continue;
		}
		out->head = (uint16_t)id;
		out->len = len;
		out->cookie = q->cookie[id];
		free_chain(q, (uint16_t)id);
		return true;
	}
	return false;
}

void virtq_irq_disable(struct virtq *q)
{
	__atomic_store_n(&q->avail->flags, (uint16_t)VIRTQ_AVAIL_F_NO_INTERRUPT, __ATOMIC_RELAXED);
}

bool virtq_irq_enable(struct virtq *q)
{
	__atomic_store_n(&q->avail->flags, (uint16_t)0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the flag before the look at used->idx */
	return virtq_used_pending(q);
}

void virtq_forget(struct virtq *q, const void *cookie)
{
	for (uint16_t i = 0; i < q->size; i++)
		if (q->chain[i] && q->cookie[i] == cookie)
			q->cookie[i] = NULL; /* its descriptors come back when the device answers */
}

bool virtq_reclaim(struct virtq *q, void **cookie)
{
	for (uint16_t i = 0; i < q->size; i++) {
		if (q->chain[i]) {
			*cookie = q->cookie[i];
			free_chain(q, i);
			return true;
		}
	}
	return false;
}
