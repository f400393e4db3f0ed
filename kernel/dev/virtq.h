/* SPDX-License-Identifier: MIT */
/* The virtio split virtqueue (virtio 1.1, 2.6): the rings a driver shares with its device, a free list of descriptors, adding a chain, the doorbell, and harvesting the used ring against a device that may lie. */
#ifndef KESTREL_DEV_VIRTQ_H
#define KESTREL_DEV_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The rings, as the device reads and writes them (little-endian, which
 * x86 is). One allocation, drawn once:
 *
 *   0                      descriptors: VIRTQ_DESC_BYTES * size
 *   avail_off              avail: flags, idx, ring[size], used_event
 *   used_off (aligned)     used: flags, idx, ring[size] of {id, len}, avail_event
 *
 * The driver writes the descriptors and avail; the device writes used.
 */
struct virtq_desc {
	uint64_t addr;   /* guest physical */
	uint32_t len;
	uint16_t flags;  /* VIRTQ_DESC_F_* */
	uint16_t next;   /* with VIRTQ_DESC_F_NEXT */
};
struct virtq_avail {
	uint16_t flags;  /* VIRTQ_AVAIL_F_NO_INTERRUPT */
	uint16_t idx;    /* where the driver puts the next head (free-running) */
	uint16_t ring[];
};
struct virtq_used_elem {
	uint32_t id;     /* the head of the chain the device is done with */
	uint32_t len;    /* bytes it wrote into the chain's writable part */
};
struct virtq_used {
	uint16_t flags;  /* VIRTQ_USED_F_NO_NOTIFY */
	uint16_t idx;
	struct virtq_used_elem ring[];
};

#define VIRTQ_DESC_F_NEXT          1u
#define VIRTQ_DESC_F_WRITE         2u   /* the device writes this buffer */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u
#define VIRTQ_USED_F_NO_NOTIFY     1u
#define VIRTQ_DESC_BYTES           16u
#define VIRTQ_USED_ALIGN           64u  /* the spec asks 4; a cache line keeps the rings apart */
#define VIRTQ_SIZE_MAX             32768u /* the largest queue the spec allows */
#define VIRTQ_NO_DESC              0xffffu

/* One buffer of a chain: the device reads it, or writes it if write. */
struct virtq_seg {
	uint64_t phys;
	uint32_t len;
	bool write;
};

/*
 * A split virtqueue. Lock rule: none of its own; its owner serialises
 * every call on one queue (virtio-blk: interrupts off on one CPU;
 * virtio-net: tx_lock for the transmit queue, the network thread for the
 * receive queue). The two exceptions, safe without the owner's lock:
 * virtq_irq_disable (a single store, from an interrupt handler) and
 * virtq_used_pending (a read).
 * Fixed by virtq_alloc and virtio_pci_queue_setup: size, the rings, the
 * physical addresses, notify and notify_value.
 */
struct virtq {
	uint16_t size;                 /* entries: a power of two */
	struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
	uint64_t desc_phys, avail_phys, used_phys;
	volatile uint16_t *notify;     /* the doorbell; NULL: none (a test's queue) */
	uint16_t notify_value;         /* what the doorbell is written with: the queue's index */
	/* the owner's lock */
	uint16_t free_head, nfree;     /* the free descriptors, linked through next */
	uint16_t avail_idx;            /* the next avail->idx (published by virtq_kick) */
	uint16_t last_used;            /* the next used->ring entry to harvest */
	uint16_t *chain;               /* per head: descriptors of the chain in flight; 0: none */
	void **cookie;                 /* per head: the owner's token for the chain */
	uint64_t bad_used;             /* used entries naming no chain of ours (a device bug) */
	bool broken;                   /* used->idx ran ahead of what we made available */
	unsigned order;                /* the rings' pages: 2^order */
};

/* Allocate rings for size entries (a power of two, 1..VIRTQ_SIZE_MAX),
 * zeroed, every descriptor free. 0, -EINVAL for a bad size, -ENOMEM. */
int virtq_alloc(struct virtq *q, uint16_t size);
/* Free what virtq_alloc took. Only once the device no longer owns the
 * rings (never given them, or reset); in-flight cookies are the owner's
 * to have taken back (virtq_reclaim) first. */
void virtq_free(struct virtq *q);

/* The head descriptor the next virtq_add will use, for an owner that
 * keeps per-head state the chain points into (VIRTQ_NO_DESC if none). */
uint16_t virtq_next_head(const struct virtq *q);
/* Free descriptors. */
static inline uint16_t virtq_free_count(const struct virtq *q)
{
	return q->nfree;
}
/* Put the chain segs[0..n) on the avail ring with cookie (may be NULL)
 * for its completion; the device sees it at the next virtq_kick. The
 * head (>= 0), or -ENOSPC when fewer than n descriptors are free,
 * -EINVAL for n of 0 or above size. */
int virtq_add(struct virtq *q, const struct virtq_seg *segs, unsigned n, void *cookie);
/* Publish what was added and ring the doorbell, unless the device asked
 * not to be notified (VIRTQ_USED_F_NO_NOTIFY). */
void virtq_kick(struct virtq *q);

/* A chain the device returned. */
struct virtq_done {
	uint16_t head;
	uint32_t len;    /* what the device says it wrote: to be checked by the owner */
	void *cookie;
};
/* The next chain the device is done with, its descriptors freed: true
 * and *out, or false when there is none. Entries naming a head not in
 * flight are skipped and counted in bad_used; a used index more than
 * size ahead marks the queue broken and returns false for good. */
bool virtq_harvest(struct virtq *q, struct virtq_done *out);
/* True when the device has returned chains not yet harvested. */
bool virtq_used_pending(const struct virtq *q);

/* Ask the device not to interrupt for this queue (a hint it may ignore). */
void virtq_irq_disable(struct virtq *q);
/* Let it interrupt again; true when chains came back meanwhile, so the
 * caller polls again rather than wait for an interrupt that was spared. */
bool virtq_irq_enable(struct virtq *q);

/* Every chain in flight with this cookie forgets it (completes with NULL). */
void virtq_forget(struct virtq *q, const void *cookie);
/* Once the device is reset (or never had the queue): take back one
 * chain still in flight, its descriptors freed: true and its cookie, or
 * false when none is left. */
bool virtq_reclaim(struct virtq *q, void **cookie);

#endif
