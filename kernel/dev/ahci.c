// SPDX-License-Identifier: MIT
/*
 * Kestrel: the AHCI host controller (Serial ATA AHCI 1.3.1) and its ATA
 * disks. Bring-up follows section 10.1.2: take the HBA from the
 * firmware (BOHC), set AHCI mode, then per implemented port: stop it,
 * give it a command list and a received-FIS area, let the link come up,
 * read the device's signature, start it, and IDENTIFY an ATA disk
 * (polled: the port's interrupts are still off). Disks are registered
 * with the block layer (sda, sdb...) once interrupts are on: MSI, or
 * without it a poll from the tick (and blk_ops.poll).
 *
 * I/O: one block request per command slot (up to 32), READ/WRITE DMA
 * EXT with a PRDT built from the request's segments, FLUSH CACHE EXT
 * for blk_flush. Requests that find every slot taken wait in a FIFO.
 * A task-file or bus error, or a command still running after
 * CMD_TIMEOUT_MS, fails every command in flight with -EIO (one log
 * line) and resets the port: stop, clear, COMRESET if the device is
 * still busy, start. A port that does not come back is dead: -EIO.
 */
#include "dev/ahci.h"
#include "dev/ahci_hw.h"
#include "dev/ata_id.h"
#include "block/blkdev.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/mmio.h"
#include "mm/pmm.h"
#include "proc/ktimer.h"
#include "proc/sched.h"
#include "test/selftest.h"
#include "time/time.h"
#include "log.h"

#define AHCI_MAX_HBAS      4
#define AHCI_PRDT_MAX      BLK_MAX_SEGS
#define CT_STRIDE          1024     /* a command table with AHCI_PRDT_MAX entries fits */
#define CT_PER_PAGE        (PAGE_SIZE / CT_STRIDE)
#define CT_PAGES           (AHCI_SLOTS_MAX / CT_PER_PAGE)
#define AHCI_MAX_SECT      8192     /* 4 MiB a request: one PRD entry can hold it all */
#define ATA_COUNT_MAX      65536u   /* a count of 0 means 65536 sectors */
#define FOUR_GIB           0x100000000ull
#define NS_PER_MS          1000000ull

#define HANDOFF_TIMEOUT_MS 25       /* BOS clears within 25 ms (10.6.3) */
#define BIOS_BUSY_MS       2000     /* then BB may stay up 2 s more */
#define STOP_TIMEOUT_MS    500      /* CR and FR clear within 500 ms (10.1.2) */
#define LINK_TIMEOUT_MS    1000     /* a present device brings the link up */
#define READY_TIMEOUT_MS   2000     /* BSY and DRQ clear after a reset */
#define SPINUP_MS          20       /* for a spun-up device to show on its link */
#define COMRESET_MS        2        /* DET=1 held at least 1 ms (10.4.2) */
#define IDENTIFY_TIMEOUT_MS 5000
#define CMD_TIMEOUT_MS     (BLK_IO_TIMEOUT_MS / 2)  /* before the block layer gives up */
#define POLL_NS            1000000ull  /* without MSI: look every tick (1 ms asked) */

struct ahci_hba;

/*
 * One port with an ATA disk. Lock rule: lock (interrupts off) protects
 * everything below it, and the port's registers once started; the
 * interrupt handler, the timer and submit take it. The DMA memory and
 * disk are set at probe and fixed after.
 */
struct ahci_port {
	struct ahci_hba *hba;
	volatile uint8_t *regs;
	unsigned no;
	void *cl_page;             /* command list at 0, received FIS at AHCI_CL_BYTES */
	struct ahci_cmd_hdr *cl;
	uint8_t *ct_pages[CT_PAGES];
	struct blkdev disk;
	struct ata_id id;          /* what the disk said of itself */

	struct spinlock lock;
	struct blk_req *slot_req[AHCI_SLOTS_MAX];
	uint64_t slot_deadline[AHCI_SLOTS_MAX];  /* time_ns() */
	uint32_t busy;             /* slots issued and not completed */
	struct blk_req *queue_head, *queue_tail;  /* waiting for a slot, by r->driver */
	struct ktimer timer;       /* timeouts, and the poll without MSI */
	bool dead;                 /* did not come back from a reset: -EIO */
};

/* One controller. Written at probe; ports[] read by the interrupt handler. */
struct ahci_hba {
	struct pci_dev *pci;
	volatile uint8_t *abar;
	uint64_t bar_size;
	unsigned nslots;
	bool s64;                  /* 64-bit DMA addresses */
	bool irq_on;               /* MSI delivers completions */
	struct ahci_port *ports[AHCI_MAX_PORTS];
};

static struct ahci_hba hbas[AHCI_MAX_HBAS];

/* ---------------------------------------------------------------- registers */

static uint32_t px_read(struct ahci_port *p, unsigned off) { return mmio_read32(p->regs + off); }
static void px_write(struct ahci_port *p, unsigned off, uint32_t v) { mmio_write32(p->regs + off, v); }
static uint32_t hba_read(struct ahci_hba *h, unsigned off) { return mmio_read32(h->abar + off); }
static void hba_write(struct ahci_hba *h, unsigned off, uint32_t v) { mmio_write32(h->abar + off, v); }

static void delay_ms(uint32_t ms)
{
	uint64_t end = tsc_deadline_ms(ms);

	while (!tsc_deadline_passed(end))
		cpu_pause();
}

/* Wait until (reg & mask) == want, at most timeout_ms: true if it came. */
static bool px_wait(struct ahci_port *p, unsigned off, uint32_t mask, uint32_t want, uint32_t timeout_ms)
{
	uint64_t end = tsc_deadline_ms(timeout_ms);

	for (;;) {
		if ((px_read(p, off) & mask) == want)
			return true;
		if (tsc_deadline_passed(end))
			return (px_read(p, off) & mask) == want;
		cpu_pause();
	}
}

/* A page for the HBA to read by physical address: below 4 GiB unless it
 * does 64-bit addressing. NULL when out of memory. */
static void *dma_page(struct ahci_hba *h)
{
	void *pg = page_alloc_zeroed();

	if (pg && !h->s64 && virt_to_phys(pg) + PAGE_SIZE > FOUR_GIB) {
		page_free(pg);
		pg = NULL;
	}
	return pg;
}

static void split64(struct ahci_port *p, unsigned lo, uint64_t v)
{
	px_write(p, lo, (uint32_t)v);
	px_write(p, lo + 4, (uint32_t)(v >> 32));
}

/* ---------------------------------------------------------------- port start and stop */

/* Stops command processing (ST off, wait for CR); with fis also FIS
 * reception (FRE off, wait for FR). False if the port does not stop. */
static bool port_stop(struct ahci_port *p, bool fis)
{
	px_write(p, PX_CMD, px_read(p, PX_CMD) & ~PXCMD_ST);
	if (!px_wait(p, PX_CMD, PXCMD_CR, 0, STOP_TIMEOUT_MS))
		return false;
	if (!fis)
		return true;
	px_write(p, PX_CMD, px_read(p, PX_CMD) & ~PXCMD_FRE);
	return px_wait(p, PX_CMD, PXCMD_FR, 0, STOP_TIMEOUT_MS);
}

/* COMRESET (10.4.2): DET=1 for a millisecond, then wait for the link. */
static bool port_comreset(struct ahci_port *p)
{
	uint32_t sctl = px_read(p, PX_SCTL) & ~SCTL_DET_MASK;

	px_write(p, PX_SCTL, sctl | SCTL_IPM_NONE | SCTL_DET_COMRESET);
	delay_ms(COMRESET_MS);
	px_write(p, PX_SCTL, sctl | SCTL_IPM_NONE);
	if (!px_wait(p, PX_SSTS, SSTS_DET_MASK, DET_ESTABLISHED, LINK_TIMEOUT_MS))
		return false;
	px_write(p, PX_SERR, SERR_ALL);
	return true;
}

/* Waits for the device to be ready (BSY and DRQ clear), COMRESETting it
 * once if it is not, or first if reset (a command was abandoned while
 * the device may still be moving its data: PxTFD is only the last FIS
 * the device sent, so "not busy" there proves nothing, and QEMU's AHCI
 * finishing that transfer after ST went off and on again dereferences
 * a command header it has forgotten and dies; a COMRESET ends the
 * transfer first, as Linux's error handler resets a timed-out disk).
 * Then starts the port (ST on). False if it will not. */
static bool port_start(struct ahci_port *p, bool reset)
{
	const uint32_t busy = TFD_STS_BSY | TFD_STS_DRQ;

	if (reset && !port_comreset(p))
		return false;
	if (!px_wait(p, PX_TFD, busy, 0, READY_TIMEOUT_MS) &&
	    (!port_comreset(p) || !px_wait(p, PX_TFD, busy, 0, READY_TIMEOUT_MS)))
		return false;
	px_write(p, PX_SERR, SERR_ALL);
	px_write(p, PX_IS, px_read(p, PX_IS));
	px_write(p, PX_CMD, px_read(p, PX_CMD) | PXCMD_FRE | PXCMD_ST);
	return true;
}

/* ---------------------------------------------------------------- commands */

static uint8_t *slot_table(struct ahci_port *p, unsigned slot)
{
	return p->ct_pages[slot / CT_PER_PAGE] + (slot % CT_PER_PAGE) * CT_STRIDE;
}

/* The register FIS of an LBA48 command. */
static void build_fis(uint8_t *fis, uint8_t cmd, uint64_t lba, uint32_t count)
{
	memset(fis, 0, FIS_H2D_BYTES);
	fis[FIS_TYPE] = FIS_TYPE_H2D;
	fis[FIS_FLAGS] = FIS_H2D_COMMAND;
	fis[FIS_CMD] = cmd;
	fis[FIS_DEVICE] = FIS_DEV_LBA;
	for (unsigned i = 0; i < 3; i++) {
		fis[FIS_LBA0 + i] = (uint8_t)(lba >> (8 * i));
		fis[FIS_LBA3 + i] = (uint8_t)(lba >> (8 * (i + 3)));
	}
	fis[FIS_COUNT_LO] = (uint8_t)count;         /* 65536 is sent as 0 */
	fis[FIS_COUNT_HI] = (uint8_t)(count >> 8);
}

/* The PRDT for a request's segments: entries written, or -EINVAL for a
 * segment the HBA cannot take (odd address or length, too long, above
 * 4 GiB without 64-bit addressing). */
static int build_prdt(struct ahci_port *p, uint8_t *table, const struct blk_req *r)
{
	struct ahci_prd *prd = (struct ahci_prd *)(table + CT_PRDT);

	if (r->nsegs == 0 || r->nsegs > AHCI_PRDT_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < r->nsegs; i++) {
		const struct blk_seg *s = &r->segs[i];
		if (s->len == 0 || s->len > PRD_MAX_BYTES || (s->phys & 1) || (s->len & 1) ||
		    (!p->hba->s64 && s->phys + s->len > FOUR_GIB))
			return -EINVAL;
		prd[i].dba = s->phys;
		prd[i].reserved = 0;
		prd[i].dbc = s->len - 1;
	}
	return (int)r->nsegs;
}

/* Fill slot's header and table for r: a FLUSH CACHE EXT when r->nsect
 * is 0, else a READ or WRITE DMA EXT. 0 or -EINVAL. */
static int build_command(struct ahci_port *p, unsigned slot, struct blk_req *r)
{
	struct ahci_cmd_hdr *h = &p->cl[slot];
	uint8_t *table = slot_table(p, slot);
	uint32_t per = p->disk.sector_size / SECTOR_SIZE;
	int n = 0;

	if (r->nsect == 0) {
		build_fis(table + CT_CFIS, ATA_CMD_FLUSH_CACHE_EXT, 0, 0);
	} else {
		if (r->sector % per || r->nsect % per || r->nsect / per > ATA_COUNT_MAX)
			return -EINVAL;
		n = build_prdt(p, table, r);
		if (n < 0)
			return n;
		build_fis(table + CT_CFIS, r->write ? ATA_CMD_WRITE_DMA_EXT : ATA_CMD_READ_DMA_EXT,
			  r->sector / per, r->nsect / per);
	}
	h->flags = (uint16_t)(HDR_CFL_H2D | (r->write && r->nsect ? HDR_WRITE : 0));
	h->prdtl = (uint16_t)n;
	h->prdbc = 0;
	h->ctba = virt_to_phys(table);
	return 0;
}

/* The timer at the earliest deadline of the slots in flight (and, without
 * MSI, at the next poll); off when nothing is in flight. Lock held. */
static void arm_timer(struct ahci_port *p)
{
	if (!p->busy) {
		ktimer_cancel(&p->timer);
		return;
	}
	uint64_t when = p->hba->irq_on ? UINT64_MAX : time_ns() + POLL_NS;
	for (uint32_t b = p->busy; b; b &= b - 1) {
		uint64_t d = p->slot_deadline[__builtin_ctz(b)];
		if (d < when)
			when = d;
	}
	ktimer_arm(&p->timer, when);
}

/* Issue r in a free slot: 0, -EBUSY (no slot free), -EINVAL. Lock held. */
static int issue(struct ahci_port *p, struct blk_req *r)
{
	uint32_t all = p->hba->nslots == AHCI_SLOTS_MAX ? UINT32_MAX : (1u << p->hba->nslots) - 1;
	uint32_t free = all & ~p->busy;

	if (!free)
		return -EBUSY;
	unsigned slot = (unsigned)__builtin_ctz(free);
	int err = build_command(p, slot, r);
	if (err)
		return err;
	p->slot_req[slot] = r;
	p->slot_deadline[slot] = time_ns() + CMD_TIMEOUT_MS * NS_PER_MS;
	p->busy |= 1u << slot;
	__atomic_thread_fence(__ATOMIC_RELEASE);  /* the table before the doorbell */
	px_write(p, PX_CI, 1u << slot);
	return 0;
}

/* Issue what waits in the queue while slots are free. Lock held. */
static void issue_queued(struct ahci_port *p)
{
	while (p->queue_head && !p->dead) {
		struct blk_req *r = p->queue_head;
		int err = issue(p, r);
		if (err == -EBUSY)
			return;
		p->queue_head = r->driver;
		if (!p->queue_head)
			p->queue_tail = NULL;
		r->driver = NULL;
		if (err)
			blk_complete(r, -EIO);
	}
}

/* Fail everything queued (the port is dead). Lock held. */
static void fail_queued(struct ahci_port *p)
{
	while (p->queue_head) {
		struct blk_req *r = p->queue_head;
		p->queue_head = r->driver;
		r->driver = NULL;
		blk_complete(r, -EIO);
	}
	p->queue_tail = NULL;
}

static void complete_slot(struct ahci_port *p, unsigned slot, int status)
{
	struct blk_req *r = p->slot_req[slot];

	p->slot_req[slot] = NULL;
	p->busy &= ~(1u << slot);
	if (r)
		blk_complete(r, status);
}

/* After an error or a timeout: every command in flight fails (which of
 * them the device finished is not to be trusted: QEMU clears the failed
 * command's CI bit, the spec says it stays set); the port is stopped,
 * cleared and started again (the device COMRESET first if abandon: a
 * command timed out or was cancelled, so the device may still be in it;
 * else only if still busy), or declared dead. Bounded waits with
 * interrupts off: this is the failure path. Lock held. */
static void port_recover(struct ahci_port *p, const char *what, bool abandon)
{
	uint32_t tfd = px_read(p, PX_TFD), is = px_read(p, PX_IS);

	klog(LOG_ERR, "ahci: %s: %s (status %#x, error %#x, interrupt status %#x); resetting the port\n",
	     p->disk.name, what, TFD_STS(tfd), TFD_ERR(tfd), is);
	bool stopped = port_stop(p, false), in_flight = p->busy != 0;
	for (uint32_t b = p->busy; b; b &= b - 1)
		complete_slot(p, (unsigned)__builtin_ctz(b), -EIO);
	if (!stopped || !port_start(p, abandon && in_flight)) {
		klog(LOG_ERR, "ahci: %s: the port does not come back; the disk is gone\n", p->disk.name);
		px_write(p, PX_IE, 0);
		port_stop(p, true);
		p->dead = true;
		fail_queued(p);
	}
}

/* Completions and errors of p (interrupt handler, timer, poll). Lock held. */
static void port_service(struct ahci_port *p)
{
	uint32_t is = px_read(p, PX_IS);

	if (p->dead)
		return;
	if (is & PXIS_ERRORS) {
		port_recover(p, is & PXIS_TFES ? "the disk reports an error" : "a bus or interface error",
			     false);
		px_write(p, PX_IS, is);
	} else {
		px_write(p, PX_IS, is);
		uint32_t ci = px_read(p, PX_CI);
		for (uint32_t b = p->busy & ~ci; b; b &= b - 1)
			complete_slot(p, (unsigned)__builtin_ctz(b), 0);
	}
	issue_queued(p);
	arm_timer(p);
}

/* The timer: a missed completion, a command past its deadline, or
 * (without MSI) the poll. From the tick, interrupts off. */
static void port_timer(struct ktimer *t)
{
	struct ahci_port *p = (struct ahci_port *)((char *)t - offsetof(struct ahci_port, timer));
	uint64_t flags = spin_lock_irqsave(&p->lock);

	port_service(p);
	uint64_t now = time_ns();
	for (uint32_t b = p->busy; b && !p->dead; b &= b - 1)
		if (p->slot_deadline[__builtin_ctz(b)] <= now) {
			port_recover(p, "a command timed out", true);
			issue_queued(p);
			break;
		}
	arm_timer(p);
	spin_unlock_irqrestore(&p->lock, flags);
}

/* MSI: service every port of every controller that has an interrupt
 * pending (the handler has no argument: the table says which). */
static void ahci_irq(struct trap_frame *tf)
{
	(void)tf;
	for (unsigned i = 0; i < AHCI_MAX_HBAS; i++) {
		struct ahci_hba *h = &hbas[i];
		if (!h->irq_on)
			continue;
		uint32_t is = hba_read(h, HBA_IS);
		for (uint32_t b = is; b; b &= b - 1) {
			struct ahci_port *p = h->ports[__builtin_ctz(b)];
			if (!p)
				continue;
			uint64_t flags = spin_lock_irqsave(&p->lock);
			port_service(p);
			spin_unlock_irqrestore(&p->lock, flags);
		}
		hba_write(h, HBA_IS, is);
	}
}

/* ---------------------------------------------------------------- block operations */

static void enqueue(struct ahci_port *p, struct blk_req *r)
{
	r->driver = NULL;
	if (p->queue_tail)
		p->queue_tail->driver = r;
	else
		p->queue_head = r;
	p->queue_tail = r;
}

/* blk_ops.submit: issue r, or queue it behind others when every slot is
 * taken. 0, -EIO (the port is dead), -EINVAL (a request the HBA cannot
 * take). Any context; does not sleep. */
static int ahci_submit(struct blkdev *d, struct blk_req *r)
{
	struct ahci_port *p = d->priv;
	uint64_t flags = spin_lock_irqsave(&p->lock);
	int err = -EIO;

	if (!p->dead) {
		err = p->queue_head ? -EBUSY : issue(p, r);
		if (err == -EBUSY) {
			enqueue(p, r);
			err = 0;
		}
		if (!err)
			arm_timer(p);
	}
	spin_unlock_irqrestore(&p->lock, flags);
	return err;
}

/* blk_ops.poll: completions without MSI. */
static void ahci_poll(struct blkdev *d)
{
	struct ahci_port *p = d->priv;
	uint64_t flags = spin_lock_irqsave(&p->lock);

	port_service(p);
	spin_unlock_irqrestore(&p->lock, flags);
}

static void ahci_cancel(struct blkdev *d, struct blk_req *r);

/* blk_ops.flush: FLUSH CACHE EXT, waited for: 0 or -EIO (the port's
 * timer fails it after CMD_TIMEOUT_MS; before the scheduler runs, the
 * wait gives up itself after BLK_IO_TIMEOUT_MS). Sleeps. */
static int ahci_flush(struct blkdev *d)
{
	struct ahci_port *p = d->priv;
	struct blk_req r;

	memset(&r, 0, sizeof(r));
	r.dev = d;
	r.write = true;
	int err = ahci_submit(d, &r);
	if (err)
		return err;
	uint64_t deadline = time_ns() + BLK_IO_TIMEOUT_MS * NS_PER_MS;
	uint64_t flags = irq_save();
	while (!r.done) {
		if (!p->hba->irq_on)
			ahci_poll(d);
		if (r.done)
			break;
		if (time_ns() >= deadline) {  /* before the scheduler, no timer fails it */
			ahci_cancel(d, &r);
			irq_restore(flags);
			return -EIO;
		}
		if (current_thread())
			wait_on(&r.wq, time_ns() + POLL_NS);
		else
			cpu_idle_wait();  /* at boot: the completion's or the tick's interrupt */
		irq_save();
	}
	irq_restore(flags);
	return r.status;
}

/* Take r out of the queue if it waits there. Lock held. */
static void dequeue(struct ahci_port *p, struct blk_req *r)
{
	struct blk_req *prev = NULL;

	for (struct blk_req *q = p->queue_head; q; prev = q, q = q->driver) {
		if (q != r)
			continue;
		if (prev)
			prev->driver = q->driver;
		else
			p->queue_head = q->driver;
		if (p->queue_tail == q)
			p->queue_tail = prev;
		return;
	}
}

/* blk_ops.cancel: the block layer gave up on r. Out of the queue if it
 * waits there; if the device has it, the port is reset (so no DMA into
 * r's memory follows) and r's slot is freed. */
static void ahci_cancel(struct blkdev *d, struct blk_req *r)
{
	struct ahci_port *p = d->priv;
	uint64_t flags = spin_lock_irqsave(&p->lock);

	dequeue(p, r);
	for (uint32_t b = p->busy; b && !p->dead; b &= b - 1)
		if (p->slot_req[__builtin_ctz(b)] == r) {
			port_recover(p, "a request was cancelled", true);
			issue_queued(p);
			arm_timer(p);
			break;
		}
	spin_unlock_irqrestore(&p->lock, flags);
}

static const struct blk_ops ahci_ops_irq = { .submit = ahci_submit, .flush = ahci_flush,
					     .cancel = ahci_cancel };
static const struct blk_ops ahci_ops_polled = { .submit = ahci_submit, .flush = ahci_flush,
						.poll = ahci_poll, .cancel = ahci_cancel };

/* ---------------------------------------------------------------- bring-up */

/* Takes the HBA from the firmware when it offers the handoff (10.6.3):
 * OS-owned set, BIOS-owned gone within 25 ms, then up to 2 s for the
 * firmware to finish what it had in flight (BIOS busy). */
static void bios_handoff(struct ahci_hba *h)
{
	if (!(hba_read(h, HBA_CAP2) & CAP2_BOH))
		return;
	hba_write(h, HBA_BOHC, hba_read(h, HBA_BOHC) | BOHC_OOS);
	uint64_t end = tsc_deadline_ms(HANDOFF_TIMEOUT_MS);
	while ((hba_read(h, HBA_BOHC) & BOHC_BOS) && !tsc_deadline_passed(end))
		cpu_pause();
	end = tsc_deadline_ms(BIOS_BUSY_MS);
	while ((hba_read(h, HBA_BOHC) & BOHC_BB) && !tsc_deadline_passed(end))
		cpu_pause();
	if (hba_read(h, HBA_BOHC) & (BOHC_BOS | BOHC_BB))
		klog(LOG_WARN, "ahci: %02x:%02x.%u: the firmware does not let go; taking the controller\n",
		     h->pci->bus, h->pci->dev, h->pci->fn);
}

/* The port's DMA memory: command list, received-FIS area, command tables. */
static bool port_alloc(struct ahci_port *p)
{
	unsigned pages = (p->hba->nslots + CT_PER_PAGE - 1) / CT_PER_PAGE;

	p->cl_page = dma_page(p->hba);
	if (!p->cl_page)
		return false;
	p->cl = p->cl_page;
	for (unsigned i = 0; i < pages; i++)
		if (!(p->ct_pages[i] = dma_page(p->hba)))
			return false;
	return true;
}

static void port_free(struct ahci_port *p)
{
	if (p->cl_page)
		page_free(p->cl_page);
	for (unsigned i = 0; i < CT_PAGES; i++)
		if (p->ct_pages[i])
			page_free(p->ct_pages[i]);
	kfree(p);
}

/* A device and its link: true when the link is up (waiting while a
 * device is present and the link is still coming); false and quiet for
 * an empty port. */
static bool port_link_up(struct ahci_port *p)
{
	uint32_t det = SSTS_DET(px_read(p, PX_SSTS));

	if (det == DET_NONE)
		return false;
	if (det != DET_ESTABLISHED && !px_wait(p, PX_SSTS, SSTS_DET_MASK, DET_ESTABLISHED, LINK_TIMEOUT_MS)) {
		klog(LOG_INFO, "ahci: port %u: a device but no link (SStatus %#x)\n", p->no, px_read(p, PX_SSTS));
		return false;
	}
	return true;
}

/* Stop the port, hand it its memory, turn on FIS reception, check the
 * signature and start it. NULL, or why the port is not driven. */
static const char *port_setup(struct ahci_port *p)
{
	if (!port_stop(p, true))
		return "it does not stop";
	if (!port_alloc(p))
		return "out of memory";
	split64(p, PX_CLB, virt_to_phys(p->cl));
	split64(p, PX_FB, virt_to_phys((uint8_t *)p->cl_page + AHCI_CL_BYTES));
	px_write(p, PX_IE, 0);
	px_write(p, PX_SERR, SERR_ALL);
	px_write(p, PX_IS, px_read(p, PX_IS));
	px_write(p, PX_CMD, px_read(p, PX_CMD) | PXCMD_FRE | PXCMD_SUD | PXCMD_POD);
	uint32_t sig = px_read(p, PX_SIG);
	if (sig == SIG_ATAPI)
		return "an ATAPI device (CD/DVD), not driven";
	if (sig == SIG_PM || sig == SIG_SEMB)
		return sig == SIG_PM ? "a port multiplier, not driven" : "an enclosure bridge, not driven";
	if (!port_start(p, false))
		return "the device does not become ready";
	return NULL;
}

/* IDENTIFY DEVICE in slot 0, polled (the port's interrupts are off):
 * NULL with the reply in buf, or why it failed. */
static const char *identify(struct ahci_port *p, uint16_t *buf)
{
	struct blk_req r;

	memset(&r, 0, sizeof(r));
	r.nsegs = 1;
	r.segs[0].phys = virt_to_phys(buf);
	r.segs[0].len = ATA_ID_WORDS * 2;
	int n = build_prdt(p, slot_table(p, 0), &r);
	if (n != 1)
		return "no buffer";
	build_fis(slot_table(p, 0) + CT_CFIS, ATA_CMD_IDENTIFY, 0, 0);
	p->cl[0].flags = HDR_CFL_H2D;
	p->cl[0].prdtl = 1;
	p->cl[0].prdbc = 0;
	p->cl[0].ctba = virt_to_phys(slot_table(p, 0));
	__atomic_thread_fence(__ATOMIC_RELEASE);
	px_write(p, PX_CI, 1);
	uint64_t end = tsc_deadline_ms(IDENTIFY_TIMEOUT_MS);
	while ((px_read(p, PX_CI) & 1) && !(px_read(p, PX_IS) & PXIS_ERRORS) && !tsc_deadline_passed(end))
		cpu_pause();
	uint32_t is = px_read(p, PX_IS), tfd = px_read(p, PX_TFD);
	px_write(p, PX_IS, is);
	if (px_read(p, PX_CI) & 1)
		return (is & PXIS_ERRORS) ? "IDENTIFY failed" : "IDENTIFY timed out";
	if ((is & PXIS_ERRORS) || (TFD_STS(tfd) & TFD_STS_ERR))
		return "IDENTIFY failed";
	return NULL;
}

/* The disk on a started port, from its IDENTIFY reply: NULL or why not. */
static const char *port_disk(struct ahci_port *p)
{
	uint16_t *buf = dma_page(p->hba);

	if (!buf)
		return "out of memory";
	const char *why = identify(p, buf);
	if (why && !port_stop(p, false))
		return why;   /* the HBA may still write buf: it is left to it */
	if (!why)
		why = ata_id_parse(buf, &p->id);
	page_free(buf);
	if (why)
		return why;
	struct blkdev *d = &p->disk;
	d->major = BLK_MAJOR_SD;
	d->sector_size = p->id.sector_size;
	d->nsect = p->id.sectors * (p->id.sector_size / SECTOR_SIZE);
	d->max_sect = AHCI_MAX_SECT;
	d->priv = p;
	p->timer.fire = port_timer;
	return NULL;
}

/* Port no of h: a driven disk, or NULL (empty, or logged why not). */
static struct ahci_port *port_init(struct ahci_hba *h, unsigned no)
{
	struct ahci_port *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	p->hba = h;
	p->no = no;
	p->regs = h->abar + PORT_BASE + no * PORT_STRIDE;
	if (!port_link_up(p)) {
		kfree(p);
		return NULL;
	}
	const char *why = port_setup(p);
	if (!why)
		why = port_disk(p);
	if (why) {
		klog(LOG_INFO, "ahci: port %u: %s\n", no, why);
		if (port_stop(p, true))
			port_free(p);   /* else the HBA may still use its memory: left to it */
		return NULL;
	}
	return p;
}

/* MSI for completions (the ports' interrupts on), else the poll. */
static void enable_interrupts(struct ahci_hba *h)
{
	uint32_t vs = hba_read(h, HBA_VS);
	int v = pci_msi_enable(h->pci, ahci_irq);

	if (v < 0) {
		klog(LOG_WARN, "ahci: %02x:%02x.%u: AHCI %x.%x, %u command slots, no MSI (error %d): completions polled\n",
		     h->pci->bus, h->pci->dev, h->pci->fn, VS_MAJOR(vs), VS_MINOR(vs), h->nslots, v);
		return;
	}
	klog(LOG_INFO, "ahci: %02x:%02x.%u: AHCI %x.%x, %u command slots, interrupts on vector %d (MSI)\n",
	     h->pci->bus, h->pci->dev, h->pci->fn, VS_MAJOR(vs), VS_MINOR(vs), h->nslots, v);
	uint64_t flags = irq_save();
	h->irq_on = true;
	for (unsigned i = 0; i < AHCI_MAX_PORTS; i++) {
		struct ahci_port *p = h->ports[i];
		if (p) {
			px_write(p, PX_IS, px_read(p, PX_IS));
			px_write(p, PX_IE, PXIE_DEFAULT);
		}
	}
	hba_write(h, HBA_IS, hba_read(h, HBA_IS));
	hba_write(h, HBA_GHC, hba_read(h, HBA_GHC) | GHC_IE);
	irq_restore(flags);
}

/* Names the disk (sda...) and hands it to the block layer. */
static void port_register(struct ahci_port *p)
{
	struct blkdev *d = &p->disk;

	blkdev_sd_name(d->name, &d->minor);
	d->ops = p->hba->irq_on ? &ahci_ops_irq : &ahci_ops_polled;
	klog(LOG_INFO, "ahci: %s: %s, %lu MiB (%lu sectors of %u bytes), port %u\n", d->name, p->id.model,
	     d->nsect / (1024 * 1024 / SECTOR_SIZE), p->id.sectors, p->id.sector_size, p->no);
	int err = blkdev_register(d);
	if (err)
		klog(LOG_ERR, "ahci: %s: cannot register (error %d)\n", d->name, err);
}

/* The implemented ports whose registers lie inside the BAR. */
static uint32_t usable_ports(struct ahci_hba *h)
{
	uint32_t pi = hba_read(h, HBA_PI), ports = 0;

	for (unsigned no = 0; no < AHCI_MAX_PORTS; no++)
		if ((pi & (1u << no)) && PORT_BASE + (no + 1) * PORT_STRIDE <= h->bar_size)
			ports |= 1u << no;
	return ports;
}

/* With staggered spin-up (CAP.SSS) a port shows no device until it is
 * told to spin up (10.10.1): do it for every port that shows none, then
 * give the links SPINUP_MS to come up. Without SSS nothing waits. */
static void spin_up(struct ahci_hba *h, uint32_t ports)
{
	bool any = false;

	if (!(hba_read(h, HBA_CAP) & CAP_SSS))
		return;
	for (unsigned no = 0; no < AHCI_MAX_PORTS; no++) {
		volatile uint8_t *regs = h->abar + PORT_BASE + no * PORT_STRIDE;
		if (!(ports & (1u << no)) || SSTS_DET(mmio_read32(regs + PX_SSTS)) != DET_NONE ||
		    (mmio_read32(regs + PX_CMD) & PXCMD_SUD))
			continue;
		mmio_write32(regs + PX_CMD, mmio_read32(regs + PX_CMD) | PXCMD_SUD);
		any = true;
	}
	if (any)
		delay_ms(SPINUP_MS);
}

/* Every implemented port; disks registered once interrupts are on. */
static void find_disks(struct ahci_hba *h)
{
	uint32_t ports = usable_ports(h);
	bool any = false;

	spin_up(h, ports);
	for (unsigned no = 0; no < AHCI_MAX_PORTS; no++) {
		if (!(ports & (1u << no)))
			continue;
		h->ports[no] = port_init(h, no);
		any |= h->ports[no] != NULL;
	}
	if (!any)
		return;
	enable_interrupts(h);
	for (unsigned no = 0; no < AHCI_MAX_PORTS; no++)
		if (h->ports[no])
			port_register(h->ports[no]);
}

static struct ahci_hba *hba_slot(void)
{
	for (unsigned i = 0; i < AHCI_MAX_HBAS; i++)
		if (!hbas[i].pci)
			return &hbas[i];
	return NULL;
}

int ahci_probe(struct pci_dev *d)
{
	struct ahci_hba *h = hba_slot();

	if (!h) {
		klog(LOG_INFO, "ahci: %02x:%02x.%u: only %u controllers are driven\n", d->bus, d->dev, d->fn,
		     AHCI_MAX_HBAS);
		return -EBUSY;
	}
	pci_enable_device(d);
	h->abar = pci_map_bar(d, AHCI_ABAR);
	h->bar_size = d->bars[AHCI_ABAR].size;
	if (!h->abar || h->bar_size < PORT_BASE) {
		klog(LOG_INFO, "ahci: %02x:%02x.%u: BAR 5 cannot be mapped\n", d->bus, d->dev, d->fn);
		pci_disable_device(d);
		memset(h, 0, sizeof(*h));
		return -ENODEV;
	}
	h->pci = d;
	uint32_t cap = hba_read(h, HBA_CAP);
	h->nslots = ((cap >> CAP_NCS_SHIFT) & CAP_NCS_MASK) + 1;
	h->s64 = cap & CAP_S64A;
	bios_handoff(h);
	hba_write(h, HBA_GHC, (hba_read(h, HBA_GHC) & ~GHC_IE) | GHC_AE);
	find_disks(h);
	return 0;
}

/* ---------------------------------------------------------------- self-test */

/* Read the first page of p's disk into buf: 0 or -errno. */
static int read_first_page(struct ahci_port *p, void *buf)
{
	struct blk_req r;

	memset(&r, 0, sizeof(r));
	r.dev = &p->disk;
	r.nsect = PAGE_SIZE / SECTOR_SIZE;
	r.nsegs = 1;
	r.segs[0] = (struct blk_seg){ virt_to_phys(buf), PAGE_SIZE };
	return blk_submit_wait(&r);
}

/* Submit a read and cancel it before it can complete: the port must be
 * reset and still alive. */
static const char *cancel_one(struct ahci_port *p, void *buf)
{
	struct blk_req *r = kzalloc(sizeof(*r));
	const char *why = NULL;

	if (!r)
		return "out of memory";
	r->dev = &p->disk;
	r->nsect = PAGE_SIZE / SECTOR_SIZE;
	r->nsegs = 1;
	r->segs[0] = (struct blk_seg){ virt_to_phys(buf), PAGE_SIZE };
	uint64_t flags = irq_save();   /* no completion between the two */
	if (p->disk.ops->submit(&p->disk, r))
		why = "the read was not submitted";
	else
		p->disk.ops->cancel(&p->disk, r);
	if (!why && (p->busy || p->dead))
		why = "a cancelled request left the port busy or dead";
	irq_restore(flags);
	kfree(r);   /* the driver never touches a cancelled request again */
	return why;
}

/* The recovery path, on the last AHCI disk when there are two or more
 * (the boot disk is left alone): a cancelled read resets the port, and
 * the next read returns what the first one did. */
SELFTEST(ahci_reset)
{
	struct ahci_port *p = NULL;
	unsigned disks = 0;

	for (unsigned i = 0; i < AHCI_MAX_HBAS; i++)
		for (unsigned no = 0; no < AHCI_MAX_PORTS; no++)
			if (hbas[i].ports[no] && !hbas[i].ports[no]->dead) {
				p = hbas[i].ports[no];
				disks++;
			}
	if (disks < 2)
		return SELFTEST_SKIP("fewer than two AHCI disks; the boot disk is left alone");
	uint8_t *before = page_alloc_zeroed(), *after = page_alloc_zeroed();
	const char *why = !before || !after ? "out of memory" : NULL;
	if (!why && read_first_page(p, before))
		why = "the first read failed";
	if (!why)
		why = cancel_one(p, after);
	if (!why && read_first_page(p, after))
		why = "the read after the reset failed";
	if (!why && memcmp(before, after, PAGE_SIZE) != 0)
		why = "the read after the reset differs";
	if (before)
		page_free(before);
	if (after)
		page_free(after);
	return why;
}
