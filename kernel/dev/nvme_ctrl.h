/* SPDX-License-Identifier: MIT */
/* NVMe: the driver's own structures, shared by its bring-up (dev/nvme.c) and its I/O path (dev/nvme_io.c); nothing else includes this. */
#ifndef KESTREL_DEV_NVME_CTRL_H
#define KESTREL_DEV_NVME_CTRL_H

#include <stdbool.h>
#include <stdint.h>
#include "block/blkdev.h"
#include "dev/nvme_hw.h"
#include "dev/nvme_parse.h"
#include "dev/pci.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/mmio.h"
#include "proc/ktimer.h"

#define NVME_BAR          0
#define NVME_MAX_CTRL     4
#define NVME_MAX_NS       16
#define ADMIN_DEPTH       32        /* entries of each admin queue */
#define IO_DEPTH          64        /* one page of 64-byte submission entries */
#define IO_QID            1
#define MAX_CMDS          (IO_DEPTH - 1)   /* a full ring keeps one entry empty */
#define MAX_TRANSFER      (1024u * 1024u)  /* per command; MDTS may lower it */
#define ADMIN_TIMEOUT_MS  5000u
#define IO_TIMEOUT_MS     (BLK_IO_TIMEOUT_MS / 2)  /* the driver gives up before the block layer */
#define NS_PER_MS         1000000ull
#define WATCHDOG_NS       (100 * NS_PER_MS)
#define POLL_NS           (1 * NS_PER_MS)  /* without interrupts: completions looked for each tick */
#define MIN_TIMEOUT_MS    500u      /* CAP.TO of 0 still gets this */
#define CTRL_PAGES        5         /* admin SQ and CQ, I/O SQ and CQ, the IDENTIFY buffer */
#define SECTORS(bytes)    ((bytes) / SECTOR_SIZE)
#define MAX_RESETS        3         /* in a row, without a command completing */

struct nvme_queue {
	struct nvme_sqe *sq;
	volatile struct nvme_cqe *cq;
	uint16_t depth;
	uint16_t sq_tail, cq_head;
	uint16_t phase;           /* the phase tag of entries not yet consumed */
	volatile void *sq_db, *cq_db;
};

struct nvme_ctrl;

/* A namespace as a block device. */
struct nvme_ns {
	struct blkdev bd;
	struct nvme_ctrl *c;
	uint32_t nsid;
	unsigned lba_shift;
};

/* A block request in flight: done when its last command completes. */
struct nvme_io {
	struct blk_req *r;        /* NULL: free (or cancelled while commands remain) */
	unsigned pending;         /* its commands not yet completed */
	int status;
};

/* A command in flight on the I/O queue, indexed by its command ID. */
struct nvme_cmd {
	struct nvme_io *io;
	uint64_t deadline;        /* time_ns */
	uint64_t *list;           /* its PRP list page, allocated on first need, kept */
	uint64_t lba;             /* for the log */
	uint8_t opcode;
};

/*
 * One controller. Lock rule: written by probe alone until its namespaces
 * register; from then on lock (interrupts off) protects io, the I/O
 * queue, cmds, ios, busy, dead and broken. The admin queue is probe's and
 * restart's (while dead, nothing else touches the controller); the rest
 * is fixed.
 */
struct nvme_ctrl {
	struct pci_dev *pci;
	volatile uint8_t *regs;
	uint64_t bar_size;
	unsigned index;           /* the C of nvme<C> */
	uint32_t dstrd;           /* doorbell stride: 4 << CAP.DSTRD bytes */
	uint32_t timeout_ms;      /* CAP.TO */
	uint32_t max_bytes;       /* per command */
	unsigned max_cmds;        /* in flight: at most the I/O queue's depth - 1 */
	bool polled, vwc;
	struct nvme_ctrl_info info;
	struct nvme_queue admin;
	uint16_t admin_cid;
	uint8_t *id;              /* the IDENTIFY buffer */
	void *pages[CTRL_PAGES];
	unsigned npages;
	struct nvme_ns ns[NVME_MAX_NS];
	unsigned nns;
	struct ktimer watchdog;
	struct spinlock lock;
	bool dead;                /* stopped: no I/O until restart */
	bool broken;              /* for good: restart is not tried */
	unsigned resets;          /* restarts since a command last completed */
	/* nvme.c's: enable a stopped controller again with empty queues
	 * (NULL, or why not); the I/O path's restart calls it. */
	const char *(*reenable)(struct nvme_ctrl *c);
	struct nvme_queue io;
	uint64_t busy;            /* command IDs in use: bit n for ID n */
	struct nvme_cmd cmds[MAX_CMDS];
	struct nvme_io ios[MAX_CMDS];
};

/* ---------------------------------------------------------------- registers and queues */

static inline uint32_t nvme_reg_read(struct nvme_ctrl *c, unsigned off)
{
	return mmio_read32(c->regs + off);
}

static inline void nvme_reg_write(struct nvme_ctrl *c, unsigned off, uint32_t v)
{
	mmio_write32(c->regs + off, v);
}

/* Write e at the tail slot + ahead of q (not yet visible to the device). */
static inline void nvme_sq_put(struct nvme_queue *q, unsigned ahead, const struct nvme_sqe *e)
{
	memcpy(&q->sq[(q->sq_tail + ahead) % q->depth], e, sizeof(*e));
}

/* Hand the next n entries to the device. */
static inline void nvme_sq_ring(struct nvme_queue *q, unsigned n)
{
	q->sq_tail = (uint16_t)((q->sq_tail + n) % q->depth);
	__atomic_thread_fence(__ATOMIC_RELEASE);  /* entries before the doorbell */
	mmio_write32(q->sq_db, q->sq_tail);
}

/* Take the next completion of q if the device has posted it: the phase
 * tag flips each time round the ring (4.6.1). */
static inline bool nvme_cq_next(struct nvme_queue *q, struct nvme_cqe *out)
{
	volatile struct nvme_cqe *e = &q->cq[q->cq_head];

	if ((e->status & NVME_CQE_PHASE) != q->phase)
		return false;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);   /* the tag before the rest */
	out->result = e->result;
	out->sq_head = e->sq_head;
	out->cid = e->cid;
	out->status = e->status;
	if (++q->cq_head == q->depth) {
		q->cq_head = 0;
		q->phase ^= NVME_CQE_PHASE;
	}
	return true;
}

static inline uint64_t nvme_watchdog_period(const struct nvme_ctrl *c)
{
	return c->polled ? POLL_NS : WATCHDOG_NS;
}

/* ------------------------------------------- nvme.c calls these (never the other way) */

/* nvme_io.c: the I/O queue's completions (from the interrupt handler and
 * polls: interrupts on or off, takes c->lock); the watchdog timer (fires
 * from the tick; re-arms itself while the controller runs); the block
 * operations a namespace registers with (the second set polls). */
void nvme_irq(struct nvme_ctrl *c);
void nvme_watchdog(struct ktimer *t);
extern const struct blk_ops nvme_ops, nvme_ops_polled;

#endif
