// SPDX-License-Identifier: MIT
/*
 * Kestrel: the NVMe driver (NVM Express base specification 1.4): bring-up,
 * reset and registration here, the I/O path in nvme_io.c, the structures
 * both use in nvme_ctrl.h.
 *
 * Bring-up in the order of section 7.6.1: disable the controller (CC.EN
 * 0, wait for CSTS.RDY 0 within CAP.TO), give it the admin submission and
 * completion queues, enable it (wait for RDY 1), IDENTIFY the controller
 * and its active namespaces, then create one I/O completion queue (on
 * MSI-X entry 0, or MSI; polled from the tick without either) and one I/O
 * submission queue feeding it. Admin commands run only in probe, polled
 * with a deadline. Each usable namespace registers as nvme<C>n<N>.
 *
 * I/O: a block request becomes one NVMe READ or WRITE when its memory
 * can be described by one PRP list (nvme_parse.c says what that takes:
 * the block cache's requests, page runs whose first piece may start
 * inside a page and whose last may end inside one, always can), else
 * several, each over whole segments; the request completes when all
 * have. Completions are consumed by phase tag in the interrupt handler.
 *
 * Failure: a command not completed within IO_TIMEOUT_MS (the watchdog
 * timer looks), or a request the block layer cancels, stops the
 * controller: it is disabled and its bus mastering turned off (so no DMA
 * can land after), and every request in flight completes with -EIO; the
 * next request resets it (as Linux's nvme_reset_work, without retrying
 * what failed). A controller fatal status (CSTS.CFS), a controller that
 * reads all ones, or MAX_RESETS resets without a command completing in
 * between break it for good: all its I/O is -EIO from then on. Each case
 * is one log line.
 */
#include "dev/nvme.h"
#include "dev/nvme_ctrl.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "mm/heap.h"
#include "time/time.h"
#include "test/selftest.h"
#include "log.h"

static struct nvme_ctrl ctrls[NVME_MAX_CTRL];
static unsigned nctrl;
static unsigned next_minor;       /* Linux numbers major 259 in order of appearance */

/* ---------------------------------------------------------------- registers */

/* 64-bit registers as two 32-bit accesses, low first (the spec allows
 * it; some controllers reject 64-bit accesses). */
static uint64_t reg_read64(struct nvme_ctrl *c, unsigned off)
{
	uint64_t lo = nvme_reg_read(c, off);
	return lo | (uint64_t)nvme_reg_read(c, off + 4) << 32;
}

static void reg_write64(struct nvme_ctrl *c, unsigned off, uint64_t v)
{
	nvme_reg_write(c, off, (uint32_t)v);
	nvme_reg_write(c, off + 4, (uint32_t)(v >> 32));
}

static volatile void *doorbell(struct nvme_ctrl *c, unsigned qid, bool cq)
{
	return c->regs + NVME_REG_DOORBELLS + (2 * qid + cq) * c->dstrd;
}

/* Wait up to CAP.TO for CSTS.RDY to become ready; false on timeout or a
 * fatal status (a controller that reads all ones has that bit too). */
static bool wait_ready(struct nvme_ctrl *c, bool ready)
{
	uint64_t end = tsc_deadline_ms(c->timeout_ms);

	for (;;) {
		uint32_t csts = nvme_reg_read(c, NVME_REG_CSTS);
		if (csts & NVME_CSTS_CFS)
			return false;
		if (!!(csts & NVME_CSTS_RDY) == ready)
			return true;
		if (tsc_deadline_passed(end))
			return false;
		cpu_pause();
	}
}

/* ---------------------------------------------------------------- memory */

static void *ctrl_page(struct nvme_ctrl *c)
{
	if (c->npages == CTRL_PAGES)
		return NULL;
	void *p = page_alloc_zeroed();
	if (p)
		c->pages[c->npages++] = p;
	return p;
}

static void free_pages(struct nvme_ctrl *c)
{
	while (c->npages)
		page_free(c->pages[--c->npages]);
}

/* A queue pair's memory and doorbells; false when out of memory. */
static bool queue_init(struct nvme_ctrl *c, struct nvme_queue *q, unsigned qid, uint16_t depth)
{
	q->sq = ctrl_page(c);
	q->cq = ctrl_page(c);
	q->depth = depth;
	q->sq_tail = q->cq_head = 0;
	q->phase = NVME_CQE_PHASE;
	q->sq_db = doorbell(c, qid, false);
	q->cq_db = doorbell(c, qid, true);
	return q->sq && q->cq;
}

/* ---------------------------------------------------------------- admin */

/* Run admin command e, polling with a deadline (probe only). 0, or
 * -EIO (an error status, or no answer: both logged). */
static int admin_cmd(struct nvme_ctrl *c, struct nvme_sqe *e, uint32_t *result)
{
	struct nvme_cqe done;
	uint64_t end = tsc_deadline_ms(ADMIN_TIMEOUT_MS);

	e->cid = ++c->admin_cid;
	nvme_sq_put(&c->admin, 0, e);
	nvme_sq_ring(&c->admin, 1);
	for (;;) {
		if (nvme_cq_next(&c->admin, &done)) {
			mmio_write32(c->admin.cq_db, c->admin.cq_head);
			if (done.cid == e->cid)
				break;
			continue;        /* a stale completion: not ours */
		}
		if (tsc_deadline_passed(end)) {
			klog(LOG_ERR, "nvme%u: admin command %#x timed out after %u ms\n", c->index,
			     e->opcode, ADMIN_TIMEOUT_MS);
			return -EIO;
		}
		cpu_pause();
	}
	if (NVME_CQE_SC(done.status) || NVME_CQE_SCT(done.status)) {
		klog(LOG_WARN, "nvme%u: admin command %#x failed: status type %u code %#x\n", c->index,
		     e->opcode, NVME_CQE_SCT(done.status), NVME_CQE_SC(done.status));
		return -EIO;
	}
	if (result)
		*result = done.result;
	return 0;
}

/* IDENTIFY (cns, nsid) into c->id. */
static int identify(struct nvme_ctrl *c, uint32_t cns, uint32_t nsid)
{
	struct nvme_sqe e = {
		.opcode = NVME_ADMIN_IDENTIFY,
		.nsid = nsid,
		.prp1 = virt_to_phys(c->id),
		.cdw10 = cns,
	};
	return admin_cmd(c, &e, NULL);
}

/* Create the I/O completion queue, then the submission queue on it. */
static int create_io_queues(struct nvme_ctrl *c)
{
	uint32_t size = (uint32_t)(c->io.depth - 1) << 16 | IO_QID;
	struct nvme_sqe feat = {
		.opcode = NVME_ADMIN_SET_FEATURES,
		.cdw10 = NVME_FEAT_NUM_QUEUES,
		.cdw11 = 0,                      /* one queue of each kind (0-based) */
	};
	struct nvme_sqe cq = {
		.opcode = NVME_ADMIN_CREATE_CQ,
		.prp1 = virt_to_phys((const void *)c->io.cq),
		.cdw10 = size,
		.cdw11 = NVME_QUEUE_PC | (c->polled ? 0 : NVME_CQ_IEN),  /* vector 0 */
	};
	struct nvme_sqe sq = {
		.opcode = NVME_ADMIN_CREATE_SQ,
		.prp1 = virt_to_phys(c->io.sq),
		.cdw10 = size,
		.cdw11 = (uint32_t)IO_QID << 16 | NVME_QUEUE_PC,
	};
	admin_cmd(c, &feat, NULL);   /* optional: the defaults give at least one pair */
	int err = admin_cmd(c, &cq, NULL);
	return err ? err : admin_cmd(c, &sq, NULL);
}

/* ---------------------------------------------------------------- bring-up */

/* Read CAP: NULL, or why the controller cannot be driven. */
static const char *read_caps(struct nvme_ctrl *c)
{
	uint64_t cap = reg_read64(c, NVME_REG_CAP);

	if ((uint32_t)cap == NVME_REG_GONE)
		return "its registers read all ones";
	if (!(cap & NVME_CAP_CSS_NVM))
		return "it lacks the NVM command set";
	if (NVME_CAP_MPSMIN(cap) != 0)
		return "it does not take 4 KiB pages";
	if (NVME_CAP_MQES(cap) < 2)
		return "its queues are too small";
	c->dstrd = 4u << NVME_CAP_DSTRD(cap);
	if (NVME_REG_DOORBELLS + (2 * IO_QID + 2) * c->dstrd > c->bar_size)
		return "its doorbells do not fit its BAR";
	c->timeout_ms = NVME_CAP_TO(cap) * NVME_CAP_TO_UNIT_MS;
	if (c->timeout_ms < MIN_TIMEOUT_MS)
		c->timeout_ms = MIN_TIMEOUT_MS;
	uint32_t mqes = NVME_CAP_MQES(cap);
	c->admin.depth = mqes < ADMIN_DEPTH ? (uint16_t)mqes : ADMIN_DEPTH;
	c->io.depth = mqes < IO_DEPTH ? (uint16_t)mqes : IO_DEPTH;
	c->max_cmds = c->io.depth - 1u;   /* every command in flight holds a ring entry at most */
	return NULL;
}

/* The admin queues to the (disabled) controller, then enable it and
 * wait for it to be ready (7.6.1 steps 2-6). */
static const char *enable(struct nvme_ctrl *c)
{
	uint16_t depth = c->admin.depth;

	nvme_reg_write(c, NVME_REG_AQA, NVME_AQA(depth, depth));
	reg_write64(c, NVME_REG_ASQ, virt_to_phys(c->admin.sq));
	reg_write64(c, NVME_REG_ACQ, virt_to_phys((const void *)c->admin.cq));
	nvme_reg_write(c, NVME_REG_CC, NVME_CC_EN | NVME_CC_CSS_NVM | NVME_CC_MPS_4K | NVME_CC_AMS_RR |
				       NVME_CC_IOSQES | NVME_CC_IOCQES);
	if (!wait_ready(c, true))
		return nvme_reg_read(c, NVME_REG_CSTS) & NVME_CSTS_CFS ? "it reports a fatal status"
								   : "it does not become ready";
	return NULL;
}

/* Disable, admin queues, enable (7.6.1 steps 1-6). */
static const char *reset_and_enable(struct nvme_ctrl *c)
{
	if (nvme_reg_read(c, NVME_REG_CC) & NVME_CC_EN)
		nvme_reg_write(c, NVME_REG_CC, nvme_reg_read(c, NVME_REG_CC) & ~NVME_CC_EN);
	if (!wait_ready(c, false))
		return "it does not become disabled";
	if (!queue_init(c, &c->admin, 0, c->admin.depth) || !(c->id = ctrl_page(c)))
		return "out of memory";
	return enable(c);
}

/* IDENTIFY controller: model, limits, the write cache; logged. */
static const char *identify_ctrl(struct nvme_ctrl *c)
{
	uint32_t vs = nvme_reg_read(c, NVME_REG_VS);

	if (identify(c, NVME_CNS_CTRL, 0))
		return "IDENTIFY controller failed";
	nvme_parse_ctrl(c->id, &c->info);
	c->vwc = c->info.vwc;
	c->max_bytes = MAX_TRANSFER;
	if (c->info.mdts && c->info.mdts < 20 && (NVME_PAGE << c->info.mdts) < c->max_bytes)
		c->max_bytes = NVME_PAGE << c->info.mdts;
	klog(LOG_INFO, "nvme%u: %s (serial %s, firmware %s, NVMe %u.%u), up to %u namespace%s, %s write cache, "
	     "%u KiB per command\n", c->index, c->info.model, c->info.serial, c->info.firmware, vs >> 16,
	     (vs >> 8) & 0xffu, c->info.nn, c->info.nn == 1 ? "" : "s", c->vwc ? "volatile" : "no",
	     c->max_bytes / 1024);
	return NULL;
}

/* Interrupts for the I/O completion queue: MSI-X entry 0 (or MSI), or
 * the watchdog polls every tick. */
#define NVME_IRQ(n) static void nvme_irq##n(struct trap_frame *tf) { (void)tf; nvme_irq(&ctrls[n]); }
NVME_IRQ(0)
NVME_IRQ(1)
NVME_IRQ(2)
NVME_IRQ(3)
static const irq_handler_t irq_handlers[NVME_MAX_CTRL] = { nvme_irq0, nvme_irq1, nvme_irq2, nvme_irq3 };

static void choose_interrupts(struct nvme_ctrl *c)
{
	int v = pci_msi_enable(c->pci, irq_handlers[c->index]);

	c->polled = v < 0;
	if (v < 0) {
		nvme_reg_write(c, NVME_REG_INTMS, ~0u);   /* no pin interrupts either */
		klog(LOG_WARN, "nvme%u: no MSI or MSI-X (error %d); completions polled\n", c->index, v);
	} else {
		klog(LOG_INFO, "nvme%u: interrupts on vector %d (%s)\n", c->index, v,
		     c->pci->msix_on ? "MSI-X" : "MSI");
	}
}

/* The namespace nsid: identified and kept if usable, else logged. */
static void add_namespace(struct nvme_ctrl *c, uint32_t nsid)
{
	struct nvme_ns_info info;
	const char *why;

	if (c->nns == NVME_MAX_NS) {
		klog(LOG_WARN, "nvme%u: namespace %u left out: only %u are driven\n", c->index, nsid, NVME_MAX_NS);
		return;
	}
	if (identify(c, NVME_CNS_NS, nsid))
		return;
	if ((why = nvme_parse_ns(c->id, &info))) {
		klog(LOG_WARN, "nvme%u: namespace %u left out: %s\n", c->index, nsid, why);
		return;
	}
	struct nvme_ns *ns = &c->ns[c->nns++];
	ns->c = c;
	ns->nsid = nsid;
	ns->lba_shift = info.lba_shift;
	ns->bd.sector_size = 1u << info.lba_shift;
	ns->bd.nsect = info.nsze << (info.lba_shift - 9);
	ns->bd.read_only = info.read_only;
	klog(LOG_INFO, "nvme%u: namespace %u: %lu blocks of %u bytes (%lu MiB)%s\n", c->index, nsid,
	     (unsigned long)info.nsze, ns->bd.sector_size,
	     (unsigned long)(ns->bd.nsect / SECTORS(1024 * 1024)), info.read_only ? ", write-protected" : "");
}

/* The active namespaces: the list (NVMe 1.1 and later), or 1..NN. */
static void find_namespaces(struct nvme_ctrl *c)
{
	uint32_t ids[NVME_MAX_NS + 1];
	unsigned n = 0;

	if (!identify(c, NVME_CNS_NS_LIST, 0))
		n = nvme_parse_ns_list(c->id, c->info.nn, ids, NVME_MAX_NS + 1);
	else
		for (uint32_t id = 1; id <= c->info.nn && n < NVME_MAX_NS + 1; id++)
			ids[n++] = id;
	for (unsigned i = 0; i < n; i++)
		add_namespace(c, ids[i]);
	if (!c->nns)
		klog(LOG_WARN, "nvme%u: no usable namespace\n", c->index);
}

/* The whole bring-up; NULL, or which step failed. */
static const char *start(struct nvme_ctrl *c)
{
	const char *why;

	if ((why = read_caps(c)) || (why = reset_and_enable(c)) || (why = identify_ctrl(c)))
		return why;
	if (!queue_init(c, &c->io, IO_QID, c->io.depth))
		return "out of memory";
	choose_interrupts(c);
	if (create_io_queues(c))
		return "it refuses the I/O queues";
	find_namespaces(c);
	return NULL;
}

static void decline(struct nvme_ctrl *c)
{
	if (c->regs)
		nvme_reg_write(c, NVME_REG_CC, 0);
	if (c->pci->msi_vector)
		pci_msi_disable(c->pci);
	pci_disable_device(c->pci);
	free_pages(c);
}

/* ---------------------------------------------------------------- reset */

/* Empty the queues' memory and start their indices over. */
static void queue_reset(struct nvme_queue *q)
{
	memset(q->sq, 0, NVME_PAGE);
	memset((void *)q->cq, 0, NVME_PAGE);
	q->sq_tail = q->cq_head = 0;
	q->phase = NVME_CQE_PHASE;
}

/* The controller after a stop: disabled already; enabled again with
 * empty queues. NULL, or why not. The I/O path's restart calls it
 * (through c->reenable: calls between the two files go one way). */
static const char *reenable(struct nvme_ctrl *c)
{
	if (!wait_ready(c, false))
		return "it does not become disabled";
	queue_reset(&c->admin);
	queue_reset(&c->io);
	const char *why = enable(c);
	if (why)
		return why;
	return create_io_queues(c) ? "it refuses the I/O queues" : NULL;
}

/* ---------------------------------------------------------------- registration */

/* blkdev_for_each: the minor after every NVMe device's so far. */
static void note_minor(struct blkdev *d, void *arg)
{
	(void)arg;
	if (d->major == BLK_MAJOR_NVME && d->minor >= next_minor)
		next_minor = d->minor + 1;
}

/* Register c's namespaces as nvme<C>n1, n2... (Linux numbers them in
 * order, from 1), each with minors after the last device's. */
static void register_namespaces(struct nvme_ctrl *c)
{
	for (unsigned i = 0; i < c->nns; i++) {
		struct nvme_ns *ns = &c->ns[i];
		ksnprintf(ns->bd.name, BLK_NAME_MAX, "nvme%un%u", c->index, i + 1);
		ns->bd.major = BLK_MAJOR_NVME;
		ns->bd.minor = next_minor;
		ns->bd.max_sect = SECTORS(c->max_bytes);
		ns->bd.ops = c->polled ? &nvme_ops_polled : &nvme_ops;
		ns->bd.priv = ns;
		int err = blkdev_register(&ns->bd);
		if (err)
			klog(LOG_WARN, "nvme%u: %s not registered (%d)\n", c->index, ns->bd.name, err);
		blkdev_for_each(note_minor, NULL);
	}
}

int nvme_probe(struct pci_dev *d)
{
	if (nctrl == NVME_MAX_CTRL) {
		klog(LOG_INFO, "nvme: %02x:%02x.%u found; only %u controllers are driven\n", d->bus, d->dev,
		     d->fn, NVME_MAX_CTRL);
		return -EBUSY;
	}
	struct nvme_ctrl *c = &ctrls[nctrl];
	memset(c, 0, sizeof(*c));
	c->index = nctrl;
	c->pci = d;
	pci_enable_device(d);
	c->regs = pci_map_bar(d, NVME_BAR);
	c->bar_size = d->bars[NVME_BAR].size;
	const char *why = !c->regs ? "BAR 0 cannot be mapped"
			  : c->bar_size < NVME_REGS_MIN ? "BAR 0 is too small" : start(c);
	if (why) {
		klog(LOG_WARN, "nvme: %02x:%02x.%u declined: %s\n", d->bus, d->dev, d->fn, why);
		decline(c);
		return -ENODEV;
	}
	nctrl++;
	c->watchdog.fire = nvme_watchdog;
	c->reenable = reenable;
	uint64_t flags = irq_save();
	ktimer_arm(&c->watchdog, time_ns() + nvme_watchdog_period(c));
	irq_restore(flags);
	register_namespaces(c);
	return 0;
}

/* ---------------------------------------------------------------- self-test */

/* Read the first page of ns into buf through the block layer. */
static int read_first_page(struct nvme_ns *ns, void *buf)
{
	struct blk_req *r = kzalloc(sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->dev = &ns->bd;
	r->nsect = SECTORS(NVME_PAGE);
	r->nsegs = 1;
	r->segs[0] = (struct blk_seg){ virt_to_phys(buf), NVME_PAGE };
	int err = blk_submit_wait(r);
	kfree(r);
	return err;
}

/* Stop the controller of ns the way a timeout does: a read submitted,
 * then cancelled by the block layer (the driver forgets it). NULL, or
 * why it did not stop. */
static const char *cancel_one(struct nvme_ns *ns, void *buf)
{
	struct blk_req *r = kzalloc(sizeof(*r));
	const char *why = NULL;

	if (!r)
		return "out of memory";
	r->dev = &ns->bd;
	r->nsect = SECTORS(NVME_PAGE);
	r->nsegs = 1;
	r->segs[0] = (struct blk_seg){ virt_to_phys(buf), NVME_PAGE };
	uint64_t flags = irq_save();   /* no completion between the two */
	if (ns->bd.ops->submit(&ns->bd, r))
		why = "the read was not submitted";
	else
		ns->bd.ops->cancel(&ns->bd, r);
	irq_restore(flags);
	if (!why && (!ns->c->dead || ns->c->broken))
		why = "a cancelled request did not stop the controller for a reset";
	kfree(r);   /* the driver never touches a cancelled request again */
	return why;
}

/* The recovery path on the first namespace: a cancelled request stops
 * the controller, the next read resets it and reads what was there. */
SELFTEST(nvme_reset)
{
	struct nvme_ns *ns = NULL;

	for (unsigned i = 0; i < nctrl && !ns; i++)
		if (ctrls[i].nns && !ctrls[i].dead)
			ns = &ctrls[i].ns[0];
	if (!ns)
		return SELFTEST_SKIP("no NVMe namespace");
	uint8_t *before = page_alloc_zeroed(), *after = page_alloc_zeroed();
	const char *why = !before || !after ? "out of memory" : NULL;
	if (!why && read_first_page(ns, before))
		why = "the first read failed";
	if (!why)
		why = cancel_one(ns, after);
	if (!why && read_first_page(ns, after))
		why = "the read after the reset failed";
	if (!why && (ns->c->dead || memcmp(before, after, NVME_PAGE) != 0))
		why = "the read after the reset differs";
	if (before)
		page_free(before);
	if (after)
		page_free(after);
	return why;
}
