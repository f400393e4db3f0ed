// SPDX-License-Identifier: MIT
/*
 * Kestrel: the NVMe driver's I/O path (the bring-up is nvme.c's): block
 * requests to READ, WRITE and FLUSH commands on the one I/O queue pair,
 * their completions by phase tag (from the interrupt handler, or polled),
 * the watchdog that finds late commands and a fatal or vanished
 * controller, and the reset of a stopped controller.
 *
 * Lock rule: c->lock (interrupts off) around everything that touches the
 * I/O queue, cmds, ios, busy, dead and broken (nvme_ctrl.h).
 */
#include "dev/nvme_ctrl.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "proc/sched.h"
#include "time/time.h"
#include "log.h"

/* ---------------------------------------------------------------- failure */

/* Stop the controller: disabled, no more DMA, every request in flight
 * -EIO; for good if broken, else until restart. Lock held. */
static void fail_ctrl(struct nvme_ctrl *c, const char *why, bool broken)
{
	c->broken |= broken;
	if (c->dead)
		return;
	c->dead = true;
	if (broken)
		klog(LOG_ERR, "nvme%u: %s; the controller is disabled, its I/O fails from now on\n", c->index, why);
	else
		klog(LOG_ERR, "nvme%u: %s; the I/O in flight fails and the controller is reset\n", c->index, why);
	nvme_reg_write(c, NVME_REG_CC, 0);
	pci_disable_device(c->pci);   /* bus mastering off: nothing lands in memory later */
	for (unsigned i = 0; i < MAX_CMDS; i++) {
		struct nvme_io *io = &c->ios[i];
		if (io->r)
			blk_complete(io->r, -EIO);
		io->r = NULL;
		io->pending = 0;
		c->cmds[i].io = NULL;
	}
	c->busy = 0;
}

/* ---------------------------------------------------------------- completions */

static const char *opname(uint8_t op)
{
	return op == NVME_CMD_WRITE ? "write" : op == NVME_CMD_READ ? "read" : "flush";
}

/* One I/O completion: its command's request is done when the last of
 * its commands is. Lock held. */
static void complete_cmd(struct nvme_ctrl *c, const struct nvme_cqe *e)
{
	if (e->cid >= MAX_CMDS || !(c->busy & (1ull << e->cid))) {
		klog(LOG_WARN, "nvme%u: completion for command %u, which is not in flight\n", c->index, e->cid);
		return;
	}
	struct nvme_cmd *cmd = &c->cmds[e->cid];
	struct nvme_io *io = cmd->io;
	c->busy &= ~(1ull << e->cid);
	cmd->io = NULL;
	c->resets = 0;
	if (NVME_CQE_SC(e->status) || NVME_CQE_SCT(e->status)) {
		klog(LOG_ERR, "nvme%u: %s at block %lu failed: status type %u code %#x\n", c->index,
		     opname(cmd->opcode), (unsigned long)cmd->lba, NVME_CQE_SCT(e->status), NVME_CQE_SC(e->status));
		io->status = -EIO;
	}
	if (--io->pending == 0 && io->r) {
		blk_complete(io->r, io->status);
		io->r = NULL;
	}
}

/* Consume every posted I/O completion. Lock held. */
static void reap(struct nvme_ctrl *c)
{
	struct nvme_cqe e;
	bool any = false;

	while (!c->dead && nvme_cq_next(&c->io, &e)) {
		complete_cmd(c, &e);
		any = true;
	}
	if (any && !c->dead)
		mmio_write32(c->io.cq_db, c->io.cq_head);
}

void nvme_irq(struct nvme_ctrl *c)
{
	uint64_t flags = spin_lock_irqsave(&c->lock);

	if (c->io.cq)            /* an interrupt before the queue exists */
		reap(c);
	spin_unlock_irqrestore(&c->lock, flags);
}

/* The watchdog, from the tick: a fatal or vanished controller, a late
 * command; and, without interrupts, the completions. */
void nvme_watchdog(struct ktimer *t)
{
	struct nvme_ctrl *c = (struct nvme_ctrl *)((char *)t - offsetof(struct nvme_ctrl, watchdog));
	uint64_t flags = spin_lock_irqsave(&c->lock);
	uint32_t csts = nvme_reg_read(c, NVME_REG_CSTS);

	if (csts == NVME_REG_GONE)
		fail_ctrl(c, "the controller reads all ones (gone)", true);
	else if (csts & NVME_CSTS_CFS)
		fail_ctrl(c, "the controller reports a fatal status", true);
	reap(c);
	uint64_t now = time_ns();
	for (unsigned i = 0; i < MAX_CMDS && !c->dead; i++)
		if ((c->busy & (1ull << i)) && now >= c->cmds[i].deadline) {
			char why[80];
			ksnprintf(why, sizeof(why), "%s at block %lu timed out after %u ms",
				  opname(c->cmds[i].opcode), (unsigned long)c->cmds[i].lba, IO_TIMEOUT_MS);
			fail_ctrl(c, why, false);
		}
	if (!c->dead)
		ktimer_arm(t, now + nvme_watchdog_period(c));
	spin_unlock_irqrestore(&c->lock, flags);
}

/* ---------------------------------------------------------------- submission */

static int cmd_alloc(struct nvme_ctrl *c, uint64_t taken)
{
	for (unsigned i = 0; i < c->max_cmds; i++)
		if (!((c->busy | taken) & (1ull << i)))
			return (int)i;
	return -1;
}

static struct nvme_io *io_alloc(struct nvme_ctrl *c)
{
	for (unsigned i = 0; i < MAX_CMDS; i++)
		if (!c->ios[i].r && !c->ios[i].pending)
			return &c->ios[i];
	return NULL;
}

/* Fill command cid's entry for the next nvme_prp_build piece of r
 * starting at segment *seg and byte *pos of r. 0, -ENOMEM (no PRP list
 * page), -EINVAL (memory PRPs cannot describe: logged). */
static int build_rw(struct nvme_ns *ns, struct blk_req *r, unsigned cid, unsigned *seg, uint64_t *pos,
		    struct nvme_sqe *e)
{
	struct nvme_ctrl *c = ns->c;
	struct nvme_cmd *cmd = &c->cmds[cid];
	struct nvme_seg segs[BLK_MAX_SEGS];
	struct nvme_prp prp;

	if (!cmd->list && !(cmd->list = page_alloc_zeroed()))
		return -ENOMEM;
	for (unsigned i = *seg; i < r->nsegs; i++)
		segs[i - *seg] = (struct nvme_seg){ r->segs[i].phys, r->segs[i].len };
	if (nvme_prp_build(segs, r->nsegs - *seg, ns->bd.sector_size, c->max_bytes, cmd->list,
			   NVME_PRP_PER_PAGE, &prp)) {
		klog(LOG_ERR, "nvme%u: request memory at %#lx (%u bytes) cannot be addressed by PRPs\n",
		     c->index, (unsigned long)r->segs[*seg].phys, r->segs[*seg].len);
		return -EINVAL;
	}
	uint64_t lba = (r->sector + SECTORS(*pos)) >> (ns->lba_shift - 9);
	*e = (struct nvme_sqe){
		.opcode = r->write ? NVME_CMD_WRITE : NVME_CMD_READ,
		.cid = (uint16_t)cid,
		.nsid = ns->nsid,
		.prp1 = prp.prp1,
		.prp2 = prp.npages == 0 ? 0 : prp.npages == 1 ? cmd->list[0] : virt_to_phys(cmd->list),
		.cdw10 = (uint32_t)lba,
		.cdw11 = (uint32_t)(lba >> 32),
		.cdw12 = (prp.bytes >> ns->lba_shift) - 1,   /* blocks, 0-based */
	};
	cmd->lba = lba;
	cmd->opcode = e->opcode;
	*seg += prp.nsegs;
	*pos += prp.bytes;
	return 0;
}

/* Put r's commands on the I/O queue and ring once; nothing is queued if
 * any step fails. Lock held. 0 or -errno. */
static int start_rw(struct nvme_ns *ns, struct blk_req *r)
{
	struct nvme_ctrl *c = ns->c;
	struct nvme_io *io = io_alloc(c);
	uint64_t taken = 0, pos = 0;
	unsigned seg = 0, n = 0;
	struct nvme_sqe e;
	uint32_t per = ns->bd.sector_size / SECTOR_SIZE;

	if (!io)
		return -EBUSY;
	if (r->sector % per || r->nsect % per || r->nsegs > BLK_MAX_SEGS)
		return -EINVAL;
	while (seg < r->nsegs) {
		int cid = cmd_alloc(c, taken);
		if (cid < 0)
			return -EBUSY;
		int err = build_rw(ns, r, (unsigned)cid, &seg, &pos, &e);
		if (err)
			return err;
		nvme_sq_put(&c->io, n++, &e);
		taken |= 1ull << cid;
	}
	if (SECTORS(pos) != r->nsect)
		return -EINVAL;
	/* commit: nothing below fails */
	uint64_t deadline = time_ns() + IO_TIMEOUT_MS * NS_PER_MS;
	io->r = r;
	io->pending = n;
	io->status = 0;
	for (unsigned i = 0; i < MAX_CMDS; i++)
		if (taken & (1ull << i)) {
			c->cmds[i].io = io;
			c->cmds[i].deadline = deadline;
		}
	c->busy |= taken;
	r->driver = io;
	nvme_sq_ring(&c->io, n);
	return 0;
}

/* Reset a stopped controller, once its requests have failed: afterwards
 * c->dead is false, or c->broken is true (logged either way). Busy-waits
 * up to CAP.TO twice and the admin commands' timeouts (c->reenable,
 * nvme.c's); interrupts on, lock not held (while dead neither the
 * interrupt handler nor the watchdog touches the controller). */
static void restart(struct nvme_ctrl *c)
{
	const char *why = "too many resets in a row";

	if (c->resets < MAX_RESETS) {
		c->resets++;
		pci_enable_device(c->pci);
		why = c->reenable(c);
	}
	uint64_t flags = spin_lock_irqsave(&c->lock);
	if (why) {
		c->broken = true;
		nvme_reg_write(c, NVME_REG_CC, 0);
		pci_disable_device(c->pci);
		klog(LOG_ERR, "nvme%u: reset failed: %s; its I/O fails from now on\n", c->index, why);
	} else {
		c->dead = false;
		klog(LOG_WARN, "nvme%u: controller reset; I/O goes on\n", c->index);
		ktimer_arm(&c->watchdog, time_ns() + nvme_watchdog_period(c));
	}
	spin_unlock_irqrestore(&c->lock, flags);
}

static int nvme_submit(struct blkdev *d, struct blk_req *r)
{
	struct nvme_ns *ns = d->priv;
	struct nvme_ctrl *c = ns->c;

	if (c->dead && !c->broken)
		restart(c);
	uint64_t flags = spin_lock_irqsave(&c->lock);
	int err = c->dead ? -EIO : start_rw(ns, r);

	spin_unlock_irqrestore(&c->lock, flags);
	return err;
}

/* FLUSH on ns, completing r. Lock held. */
static int start_flush(struct nvme_ns *ns, struct blk_req *r)
{
	struct nvme_ctrl *c = ns->c;
	struct nvme_io *io = io_alloc(c);
	int cid = cmd_alloc(c, 0);

	if (c->dead)
		return -EIO;
	if (!io || cid < 0)
		return -EBUSY;
	struct nvme_sqe e = { .opcode = NVME_CMD_FLUSH, .cid = (uint16_t)cid, .nsid = ns->nsid };
	nvme_sq_put(&c->io, 0, &e);
	io->r = r;
	io->pending = 1;
	io->status = 0;
	c->cmds[cid].io = io;
	c->cmds[cid].opcode = NVME_CMD_FLUSH;
	c->cmds[cid].lba = 0;
	c->cmds[cid].deadline = time_ns() + IO_TIMEOUT_MS * NS_PER_MS;
	c->busy |= 1ull << cid;
	nvme_sq_ring(&c->io, 1);
	return 0;
}

/* Look for completions (the polled mode's ops->poll). */
static void nvme_poll(struct blkdev *d)
{
	struct nvme_ns *ns = d->priv;

	nvme_irq(ns->c);
}

/* Write the volatile cache to the medium. Sleeps until the FLUSH
 * completes; the watchdog bounds that (a late flush fails the
 * controller, which completes it). 0 or -EIO. */
static int nvme_flush(struct blkdev *d)
{
	struct nvme_ns *ns = d->priv;
	struct nvme_ctrl *c = ns->c;
	struct blk_req r;

	if (!c->vwc)
		return 0;
	if (c->dead && !c->broken)
		restart(c);
	memset(&r, 0, sizeof(r));
	r.dev = d;
	uint64_t flags = spin_lock_irqsave(&c->lock);
	int err = start_flush(ns, &r);
	spin_unlock_irqrestore(&c->lock, flags);
	while (!err) {
		if (c->polled)
			nvme_poll(d);
		flags = irq_save();
		if (r.done) {
			irq_restore(flags);
			break;
		}
		if (c->polled || !current_thread())
			cpu_idle_wait();   /* sti; hlt: the next tick or interrupt */
		else
			wait_on(&r.wq, NO_DEADLINE);
		irq_restore(flags);
	}
	return err ? err : r.status;
}

/* The block layer gave up on r: forget it. Its commands may still move
 * data into memory the caller reuses, so the controller is failed. */
static void nvme_cancel(struct blkdev *d, struct blk_req *r)
{
	struct nvme_ns *ns = d->priv;
	struct nvme_ctrl *c = ns->c;
	uint64_t flags = spin_lock_irqsave(&c->lock);
	struct nvme_io *io = r->driver;

	if (io >= c->ios && io < c->ios + MAX_CMDS && io->r == r) {
		io->r = NULL;
		fail_ctrl(c, "the block layer cancelled a request", false);
	}
	spin_unlock_irqrestore(&c->lock, flags);
}

const struct blk_ops nvme_ops = {
	.submit = nvme_submit,
	.flush = nvme_flush,
	.cancel = nvme_cancel,
};

const struct blk_ops nvme_ops_polled = {
	.submit = nvme_submit,
	.flush = nvme_flush,
	.poll = nvme_poll,
	.cancel = nvme_cancel,
};
