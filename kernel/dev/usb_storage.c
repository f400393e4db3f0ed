// SPDX-License-Identifier: MIT
/*
 * Kestrel: USB mass storage, bulk-only transport (USB MSC BOT 1.0) with
 * SCSI commands (SBC-3), over the xHCI driver. A disk is an interface of
 * class 8, subclass 6, protocol 0x50: its bulk IN and OUT endpoints are
 * configured, LUN 0 is asked INQUIRY, TEST UNIT READY and READ CAPACITY,
 * and it is registered with the block layer as sdX.
 *
 * Each command is three phases, one after the other: the CBW on bulk
 * OUT, the data (one TD of chained TRBs straight from the request's
 * pages), the CSW on bulk IN, checked (signature, tag, residue). A phase
 * waits for its transfer event, which usb_storage_event records from
 * the controller's interrupt handler. A stall in the data or CSW phase
 * clears the endpoint's halt (BOT 6.7); a timeout, a phase error or a
 * bad CSW does the reset recovery (BOT 5.3.4: Bulk-Only Mass Storage
 * Reset, CLEAR_FEATURE(HALT) on both endpoints) and the command is -EIO,
 * logged.
 *
 * Requests run in one kernel thread ("usb-storage"), since a command
 * sleeps three times and blk_ops.submit must not: submit queues the
 * request, the thread runs it and completes it. Before the scheduler
 * runs (the block layer reads the GPT at registration, in the xHCI
 * probe) submit runs the command itself, polling the event ring.
 * Recovery (xHCI commands, control transfers) always polls, with
 * interrupts off, as the probe does.
 *
 * A disk pulled out (usb_storage_gone, from the hot-plug thread) is
 * marked gone: what is queued completes with -EIO at once, a phase being
 * waited for ends, and every later request is -EIO without touching the
 * device, whose pages the xHCI driver frees. The disk stays registered
 * (the block layer has no removal): its struct and name live on, and a
 * disk plugged in again is a new sdX.
 *
 * Lock rule: a disk's queue, flush counters, gone and wait state (w)
 * change with interrupts off; w is written by the one thread running the
 * disk's commands and completed under hc->lock by usb_storage_event.
 * Whoever sleeps (wait_phase) looks at gone when it wakes, before it
 * touches the device's rings or buffer again.
 */
#include "dev/xhci_hw.h"
#include "dev/scsi_bot.h"
#include "dev/usb_desc.h"
#include "dev/usb_storage.h"
#include "arch/x86_64/cpu.h"
#include "block/bcache.h"
#include "block/blkdev.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "proc/sched.h"
#include "time/time.h"
#include "log.h"

#define MSC_MAX_DISKS      8         /* disks driven at once (gone ones make room) */
#define BUF_CBW            0         /* offsets in a disk's DMA page */
#define BUF_CSW            64
#define BUF_REPLY          128       /* INQUIRY, sense, capacity: 64 bytes at most */
#define BUF_SECTOR         2048      /* LBA 0, read at probe */
#define BUF_SECTOR_MAX     2048
#define CBW_TIMEOUT_MS     1000
#define DATA_TIMEOUT_MS    5000      /* with the CBW and CSW, under BLK_IO_TIMEOUT_MS */
#define CSW_TIMEOUT_MS     3500      /* a stick may hold the CSW while it programs flash */
#define CSW_NODATA_MS      8000      /* SYNCHRONIZE CACHE: the whole budget */
#define READY_TIMEOUT_MS   3000      /* TEST UNIT READY at probe */
#define READY_POLL_MS      100
#define WAIT_SLICE_NS      10000000ull   /* a sleeping waiter looks at the event ring this often */
#define NS_PER_MS          1000000ull
#define MAX_SECT_HS        240       /* Linux's usb-storage max_sectors */
#define MAX_SECT_SS        2048
#define RW_TRIES           2
#define SENSE_ILLEGAL_REQ  0x5
#define PERIPHERAL_DISK    0
#define FOUR_GIB           0x100000000ull
#define MIB                (1024 * 1024)
#define BLOCK_MAX          4096      /* the block cache's page */


/* One disk (LUN 0 of one interface). */
struct usb_msc {
	struct xhci_dev *u;           /* NULL once gone */
	struct xhci *hc;
	uint8_t iface, lun, in_dci, out_dci, in_addr, out_addr;
	uint16_t in_maxp, out_maxp;
	struct xhci_ring in, out;
	uint8_t *buf;                 /* one page: CBW, CSW, short replies */
	uint32_t tag;
	bool gone;                    /* unplugged, or reset recovery failed: every command -EIO at once */
	bool cache_dropped;           /* unplugged and its cached pages given back (usb_storage_reap) */
	struct blkdev disk;
	/* the phase waited for (see the lock rule) */
	struct {
		const struct xhci_ring *ring;   /* NULL: nothing awaited */
		uint8_t dci;
		unsigned first, ntrbs;
		volatile bool done;
		unsigned cc;
		uint32_t residue;
		bool at_last;           /* the event is for the TD's last TRB */
	} w;
	struct wait_queue ev_wq;      /* the phase's waiter */
	/* requests queued (linked through r->driver), the one running */
	struct blk_req *head, *tail, *cur;
	bool cur_cancelled;
	/* cache flushes asked for and done, by generation */
	uint64_t flush_req, flush_done;
	int flush_status;
	struct wait_queue flush_wq;
};

static struct usb_msc *disks[MSC_MAX_DISKS];
static unsigned ndisks;
static struct thread *worker;     /* created at the first probe, run at the first request */
static bool worker_started;
static struct wait_queue work_wq;

/* ---------------------------------------------------------------- transfers */

/* Queues len bytes at phys as TRBs of one TD on r (each within a 64 KiB
 * boundary), chained to what follows unless last; left counts the TD's
 * bytes after these, for TD Size. Returns how many TRBs. */
static unsigned queue_piece(struct xhci_ring *r, uint64_t phys, uint32_t len, uint32_t *left, uint16_t maxp,
			    bool last)
{
	unsigned n = 0;

	while (len) {
		uint32_t chunk = TRB_MAX_LEN - (uint32_t)(phys & (TRB_MAX_LEN - 1));
		chunk = chunk < len ? chunk : len;
		*left -= chunk;
		uint32_t packets = (*left + maxp - 1) / maxp;
		uint32_t tds = packets < TRB_TD_SIZE_MAX ? packets : TRB_TD_SIZE_MAX;
		bool end = last && chunk == len;
		xhci_ring_push(r, phys, chunk | tds << TRB_TD_SIZE_SHIFT,
			       TRB_TYPE(TRB_NORMAL) | TRB_ISP | (end ? TRB_IOC : TRB_CH));
		phys += chunk;
		len -= chunk;
		n++;
	}
	return n;
}

/* Where TRB address a falls in the TD being waited for: its index from
 * the TD's first TRB, or -1 when it is not one of them. */
static long td_offset(const struct usb_msc *m, uint64_t a)
{
	const struct xhci_ring *r = m->w.ring;
	const unsigned usable = RING_TRBS - 1;

	if (a < r->phys || a >= r->phys + usable * sizeof(struct trb) || (a - r->phys) % sizeof(struct trb))
		return -1;
	unsigned idx = (unsigned)((a - r->phys) / sizeof(struct trb));
	unsigned off = (idx + usable - m->w.first) % usable;
	return off < m->w.ntrbs ? (long)off : -1;
}

void usb_storage_event(struct xhci_dev *u, const struct trb *ev)
{
	struct usb_msc *m = u->msc;
	unsigned cc = TRB_CC(ev->status);

	if (!m || !m->w.ring || m->w.done || TRB_GET_EP(ev->control) != m->w.dci)
		return;
	bool ok = cc == CC_SUCCESS || cc == CC_SHORT_PACKET;
	long off = td_offset(m, ev->param);
	if (ok && (off < 0 || (cc == CC_SUCCESS && (unsigned long)off != m->w.ntrbs - 1)))
		return;           /* an earlier TD's, or a TRB without IOC */
	m->w.cc = cc;
	m->w.residue = TRB_LEN(ev->status);
	m->w.at_last = off >= 0 && (unsigned long)off == m->w.ntrbs - 1;
	m->w.done = true;
	wake_all(&m->ev_wq);
}

/* Whether the running thread may sleep for a phase (the worker), or
 * polls (probe, or a request before the scheduler runs). */
static bool may_sleep(void)
{
	return worker && current_thread() == worker;
}

/* Waits for the awaited phase's event for up to ms: 0 or -ETIMEDOUT.
 * The event ring is read here too, so a lost interrupt costs at most
 * WAIT_SLICE_NS. Stops the wait either way (w.ring = NULL). */
static int wait_phase(struct usb_msc *m, uint32_t ms)
{
	uint64_t end = time_ns() + ms * NS_PER_MS;
	bool sleep = may_sleep();
	uint64_t f = irq_save();

	for (;;) {
		uint64_t g = spin_lock_irqsave(&m->hc->lock);
		xhci_consume_events(m->hc, 0, 0, NULL);
		spin_unlock_irqrestore(&m->hc->lock, g);
		uint64_t now = time_ns();
		if (m->w.done || now >= end)
			break;
		if (sleep)
			wait_on(&m->ev_wq, end < now + WAIT_SLICE_NS ? end : now + WAIT_SLICE_NS);
		else
			cpu_pause();
	}
	bool done = m->w.done;
	m->w.ring = NULL;
	irq_restore(f);
	return done ? 0 : -ETIMEDOUT;
}

/*
 * One bulk TD of total bytes from segs, waited for: 0 with the bytes
 * moved in *got, -EPIPE (the endpoint stalled), -EIO (another error
 * completion, logged), -ETIMEDOUT. The ring is halted after any error.
 */
static int bulk(struct usb_msc *m, bool in, const struct blk_seg *segs, unsigned nsegs, uint32_t total,
		uint32_t ms, uint32_t *got)
{
	struct xhci_ring *r = in ? &m->in : &m->out;
	uint16_t maxp = in ? m->in_maxp : m->out_maxp;
	uint32_t left = total;
	uint64_t f = irq_save();

	*got = 0;
	if (m->gone) {
		irq_restore(f);
		return -EIO;
	}
	m->w.ring = r;
	m->w.dci = in ? m->in_dci : m->out_dci;
	m->w.first = r->enq;
	m->w.done = false;
	m->w.ntrbs = 0;
	for (unsigned i = 0; i < nsegs; i++)
		m->w.ntrbs += queue_piece(r, segs[i].phys, segs[i].len, &left, maxp, i == nsegs - 1);
	xhci_ring_doorbell(m->hc, m->u->slot, m->w.dci);
	irq_restore(f);
	int err = wait_phase(m, ms);
	if (m->gone)
		return -EIO;        /* pulled out while we slept: its rings are freed */
	if (err)
		return err;
	if (m->w.cc == CC_STALL)
		return -EPIPE;
	if (m->w.cc != CC_SUCCESS && m->w.cc != CC_SHORT_PACKET) {
		klog(LOG_WARN, "usb-storage %s: bulk %s failed (completion code %u)\n", m->disk.name,
		     in ? "IN" : "OUT", m->w.cc);
		return -EIO;
	}
	/* a short packet before the last TRB leaves the count unknown: 0 */
	*got = m->w.cc == CC_SUCCESS ? total : m->w.at_last && m->w.residue <= total ? total - m->w.residue : 0;
	return 0;
}

/* ---------------------------------------------------------------- recovery */

/* Clears a halted bulk endpoint: the controller's side (Reset Endpoint,
 * an empty ring) and the device's (CLEAR_FEATURE(ENDPOINT_HALT)).
 * Polled with interrupts off. 0 or -EIO. */
static int clear_halt(struct usb_msc *m, bool in)
{
	if (m->gone)
		return -EIO;
	uint64_t f = irq_save();
	int err = xhci_ep_restart(m->u, in ? m->in_dci : m->out_dci, in ? &m->in : &m->out);

	if (!err)
		err = xhci_control(m->u, USB_RECIP_ENDPOINT, USB_REQ_CLEAR_FEATURE, USB_FEAT_ENDPOINT_HALT,
				   in ? m->in_addr : m->out_addr, 0);
	irq_restore(f);
	return err ? -EIO : 0;
}

/* Reset recovery (BOT 5.3.4) after what failed: logged; always -EIO
 * for the command that failed. A device that does not come back (it was
 * unplugged, or it hangs) is given up: m->gone. */
static int recover(struct usb_msc *m, const char *what, int err)
{
	if (m->gone)
		return -EIO;        /* unplugged (or given up already): nothing to reset */
	klog(LOG_WARN, "usb-storage %s: %s %s; reset recovery\n", m->disk.name, what,
	     err == -ETIMEDOUT ? "timed out" : "failed");
	uint64_t f = irq_save();
	xhci_ep_restart(m->u, m->in_dci, &m->in);
	xhci_ep_restart(m->u, m->out_dci, &m->out);
	int bad = xhci_control(m->u, USB_TYPE_CLASS | USB_RECIP_INTERFACE, USB_MSC_REQ_RESET, 0, m->iface, 0);
	irq_restore(f);
	if (clear_halt(m, true) || clear_halt(m, false) || bad) {
		klog(LOG_ERR, "usb-storage %s: reset recovery failed; the disk is given up (every request -EIO)\n",
		     m->disk.name);
		m->gone = true;
	}
	return -EIO;
}

/* Reads the CSW into the buffer, waiting up to ms; a stall is cleared
 * and the read tried once more (BOT 6.7.2). 0 with its length in *got,
 * or -errno. */
static int read_csw(struct usb_msc *m, uint32_t ms, uint32_t *got)
{
	struct blk_seg seg = { xhci_phys(m->buf + BUF_CSW), BOT_CSW_SIZE };
	int err = bulk(m, true, &seg, 1, BOT_CSW_SIZE, ms, got);

	if (err == -EPIPE && !clear_halt(m, true))
		err = bulk(m, true, &seg, 1, BOT_CSW_SIZE, ms, got);
	return err;
}

/* ---------------------------------------------------------------- commands */

#define CMD_CHECK_CONDITION 1     /* bot_command: the CSW said "failed" */

/*
 * Runs c through the three phases with data in segs: 0 (with the CSW's
 * residue in *residue), CMD_CHECK_CONDITION, or -EIO (after reset
 * recovery). *short_xfer is set when the data phase moved less than
 * asked.
 */
static int bot_command(struct usb_msc *m, const struct scsi_cmd *c, const struct blk_seg *segs, unsigned nsegs,
		       uint32_t *residue, bool *short_xfer)
{
	uint32_t tag = ++m->tag, got;
	struct blk_seg cbw = { xhci_phys(m->buf + BUF_CBW), BOT_CBW_SIZE };

	*residue = 0;
	*short_xfer = false;
	if (m->gone)
		return -EIO;
	bot_build_cbw(m->buf + BUF_CBW, c, tag, m->lun);
	int err = bulk(m, false, &cbw, 1, BOT_CBW_SIZE, CBW_TIMEOUT_MS, &got);
	if (err)
		return recover(m, "CBW", err);
	if (c->len) {
		err = bulk(m, c->in, segs, nsegs, c->len, DATA_TIMEOUT_MS, &got);
		if (err == -EPIPE)
			err = clear_halt(m, c->in);
		else if (!err)
			*short_xfer = got != c->len;
		if (err)
			return recover(m, "data phase", err);
	}
	if ((err = read_csw(m, c->len ? CSW_TIMEOUT_MS : CSW_NODATA_MS, &got)))
		return recover(m, "CSW", err);
	switch (bot_check_csw(m->buf + BUF_CSW, got, tag, c->len, residue)) {
	case BOT_CSW_OK:
		return 0;
	case BOT_CSW_CMD_FAILED:
		return CMD_CHECK_CONDITION;
	case BOT_CSW_PHASE:
		return recover(m, "phase error", -EIO);
	default:
		return recover(m, "bad CSW", -EIO);
	}
}

/* REQUEST SENSE into *s: 0 or -EIO. */
static int request_sense(struct usb_msc *m, struct scsi_sense *s)
{
	struct scsi_cmd c;
	struct blk_seg seg = { xhci_phys(m->buf + BUF_REPLY), SCSI_SENSE_LEN };
	uint32_t residue;
	bool shrt;

	if (m->gone)
		return -EIO;
	scsi_cmd_request_sense(&c);
	memset(m->buf + BUF_REPLY, 0, SCSI_SENSE_LEN);
	if (bot_command(m, &c, &seg, 1, &residue, &shrt))
		return -EIO;
	return scsi_parse_sense(m->buf + BUF_REPLY, SCSI_SENSE_LEN - residue, s) ? -EIO : 0;
}

/*
 * A command whose reply (len bytes at most) lands at buf + BUF_REPLY:
 * 0 with the reply's length in *len, CMD_CHECK_CONDITION with the sense
 * in *s, or -EIO.
 */
static int small_command(struct usb_msc *m, const struct scsi_cmd *c, uint32_t *len, struct scsi_sense *s)
{
	struct blk_seg seg = { xhci_phys(m->buf + BUF_REPLY), c->len };
	uint32_t residue;
	bool shrt;

	if (m->gone)
		return -EIO;
	memset(m->buf + BUF_REPLY, 0, c->len);
	int err = bot_command(m, c, &seg, 1, &residue, &shrt);
	if (err == CMD_CHECK_CONDITION && request_sense(m, s))
		return -EIO;
	*len = c->len - residue;
	return err;
}

/* READ or WRITE of r (sectors of the disk, already checked by the
 * block layer), retried once after a unit attention or a transport
 * error the reset recovery got over: 0 or -EIO (logged). */
static int msc_rw(struct usb_msc *m, struct blk_req *r)
{
	uint32_t unit = m->disk.sector_size / SECTOR_SIZE;
	struct scsi_cmd c;
	struct scsi_sense s = { 0 };
	uint32_t residue;
	bool shrt;

	for (unsigned i = 0; i < r->nsegs; i++) {
		if (!m->hc->ac64 && r->segs[i].phys + r->segs[i].len > FOUR_GIB) {
			klog(LOG_WARN, "usb-storage %s: buffer above 4 GiB for a 32-bit controller\n", m->disk.name);
			return -EIO;
		}
	}
	scsi_cmd_rw(&c, r->write, r->sector / unit, r->nsect / unit, m->disk.sector_size);
	for (int tries = 0; tries < RW_TRIES; tries++) {
		int err = bot_command(m, &c, r->segs, r->nsegs, &residue, &shrt);
		if (!err && !residue && !shrt)
			return 0;
		if (err == CMD_CHECK_CONDITION && !request_sense(m, &s) && s.key == SENSE_UNIT_ATTENTION)
			continue;
		if (err == 0)
			klog(LOG_WARN, "usb-storage %s: %s at %lu: %u bytes not moved\n", m->disk.name,
			     r->write ? "write" : "read", (unsigned long)r->sector, residue);
		else if (err == CMD_CHECK_CONDITION)
			klog(LOG_WARN, "usb-storage %s: %s at %lu: sense %x/%02x/%02x\n", m->disk.name,
			     r->write ? "write" : "read", (unsigned long)r->sector, s.key, s.asc, s.ascq);
		if (err == CMD_CHECK_CONDITION || err == 0 || m->gone)
			return -EIO;
	}
	return -EIO;
}

/* SYNCHRONIZE CACHE(10): 0, or -EIO. A disk that does not know the
 * command (ILLEGAL REQUEST) has no cache to flush. */
static int do_flush(struct usb_msc *m)
{
	struct scsi_cmd c;
	struct scsi_sense s = { 0 };
	uint32_t len;

	scsi_cmd_sync_cache(&c);
	int err = small_command(m, &c, &len, &s);
	if (err == CMD_CHECK_CONDITION && s.key == SENSE_ILLEGAL_REQ)
		return 0;
	return err ? -EIO : 0;
}

/* ---------------------------------------------------------------- the worker */

/* The next piece of work (interrupts off): a queued request of some
 * disk (taken off its queue), or a flush asked for. NULL if none. */
static struct usb_msc *next_work(struct blk_req **r)
{
	for (unsigned i = 0; i < ndisks; i++) {
		struct usb_msc *m = disks[i];
		if (m->head) {
			*r = m->head;
			m->head = (*r)->driver;
			if (!m->head)
				m->tail = NULL;
			m->cur = *r;
			m->cur_cancelled = false;
			return m;
		}
		if (m->flush_done < m->flush_req) {
			*r = NULL;
			return m;
		}
	}
	return NULL;
}

static void worker_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct blk_req *r = NULL;
		struct usb_msc *m;
		uint64_t f = irq_save();
		while (!(m = next_work(&r)))
			wait_on(&work_wq, NO_DEADLINE);
		uint64_t gen = m->flush_req;
		irq_restore(f);
		int status = r ? msc_rw(m, r) : do_flush(m);
		f = irq_save();
		if (r && !m->cur_cancelled)
			blk_complete(r, status);
		if (r)
			m->cur = NULL;
		if (!r) {
			m->flush_status = status;
			m->flush_done = gen;
			wake_all(&m->flush_wq);
		}
		irq_restore(f);
	}
}

/* Work was added (interrupts off): the worker runs, the first time by
 * being made runnable. */
static void worker_kick(void)
{
	if (!worker_started) {
		worker_started = true;
		thread_make_runnable(worker);
	}
	wake_all(&work_wq);
}

/* Whether requests go to the worker (the scheduler runs), or are run
 * by the caller, polling (boot, or no worker thread). */
static bool use_worker(void)
{
	return worker && current_thread();
}

/* ---------------------------------------------------------------- block ops */

static int msc_submit(struct blkdev *d, struct blk_req *r)
{
	struct usb_msc *m = d->priv;

	if (!use_worker() || m->gone) {
		blk_complete(r, m->gone ? -EIO : msc_rw(m, r));
		return 0;
	}
	uint64_t f = irq_save();
	r->driver = NULL;
	if (m->tail)
		m->tail->driver = r;
	else
		m->head = r;
	m->tail = r;
	worker_kick();
	irq_restore(f);
	return 0;
}

static int msc_flush(struct blkdev *d)
{
	struct usb_msc *m = d->priv;

	if (m->gone)
		return -EIO;
	if (!use_worker())
		return do_flush(m);
	uint64_t f = irq_save();
	uint64_t gen = ++m->flush_req, end = time_ns() + BLK_IO_TIMEOUT_MS * NS_PER_MS;
	worker_kick();
	while (m->flush_done < gen && time_ns() < end)
		wait_on(&m->flush_wq, end);
	int err = m->flush_done >= gen ? m->flush_status : -EIO;
	irq_restore(f);
	return err;
}

/* r timed out in the block layer: dropped from the queue, or, running,
 * left uncompleted when it ends. */
static void msc_cancel(struct blkdev *d, struct blk_req *r)
{
	struct usb_msc *m = d->priv;
	uint64_t f = irq_save();

	if (m->cur == r) {
		m->cur_cancelled = true;
	} else {
		struct blk_req *prev = NULL;
		for (struct blk_req *q = m->head; q; prev = q, q = q->driver) {
			if (q != r)
				continue;
			if (prev)
				prev->driver = q->driver;
			else
				m->head = q->driver;
			if (m->tail == q)
				m->tail = prev;
			break;
		}
	}
	irq_restore(f);
}

static const struct blk_ops msc_ops = {
	.submit = msc_submit,
	.flush = msc_flush,
	.cancel = msc_cancel,
};

/* ---------------------------------------------------------------- probe */

/* SET_CONFIGURATION, both bulk endpoints' rings and contexts, and the
 * LUNs the device has (only LUN 0 is driven). NULL or why not. */
static const char *setup_endpoints(struct usb_msc *m, const struct usb_config_info *c,
				   const struct usb_ep_info *ein, const struct usb_ep_info *eout)
{
	struct xhci_dev *u = m->u;

	m->in_addr = ein->address;
	m->out_addr = eout->address;
	m->in_dci = (uint8_t)(2 * (ein->address & USB_EP_NUM_MASK) + 1);
	m->out_dci = (uint8_t)(2 * (eout->address & USB_EP_NUM_MASK));
	m->in_maxp = ein->max_packet;
	m->out_maxp = eout->max_packet;
	if (!xhci_ring_init(&m->in, xhci_dev_page(u)) || !xhci_ring_init(&m->out, xhci_dev_page(u)) ||
	    !(m->buf = xhci_dev_page(u)))
		return "out of memory";
	if (xhci_control(u, 0, USB_REQ_SET_CONFIGURATION, c->config_value, 0, 0))
		return "SET_CONFIGURATION failed";
	struct xhci_ep_cfg eps[2] = {
		{ m->out_dci, EP_TYPE_BULK_OUT, eout->max_packet, eout->max_burst, &m->out, 0 },
		{ m->in_dci, EP_TYPE_BULK_IN, ein->max_packet, ein->max_burst, &m->in, 0 },
	};
	if (xhci_configure_eps(u, eps, 2))
		return "Configure Endpoint failed";
	u->buf[0] = 0;
	if (xhci_control(u, USB_DIR_IN | USB_TYPE_CLASS | USB_RECIP_INTERFACE, USB_MSC_REQ_GET_MAX_LUN, 0,
			 m->iface, 1)) {
		xhci_ep_restart(u, DCI_EP0, &u->ep0);   /* a stall: one LUN (BOT 3.2) */
		u->buf[0] = 0;
	}
	if (u->buf[0])
		klog(LOG_INFO, "usb-storage: usb %s has %u LUNs; LUN 0 is used\n", u->name, u->buf[0] + 1u);
	return NULL;
}

/* TEST UNIT READY until the medium is ready (a unit attention or "not
 * ready, becoming ready" is normal after power-on), for at most
 * READY_TIMEOUT_MS. NULL or why not. */
static const char *wait_ready(struct usb_msc *m)
{
	uint64_t end = tsc_deadline_ms(READY_TIMEOUT_MS);
	struct scsi_cmd c;
	struct scsi_sense s = { 0 };
	uint32_t len;

	for (;;) {
		scsi_cmd_test_unit_ready(&c);
		int err = small_command(m, &c, &len, &s);
		if (!err)
			return NULL;
		if (err < 0)
			return "TEST UNIT READY failed";
		if (tsc_deadline_passed(end))
			return s.key == SENSE_NOT_READY ? "no medium (not ready)" : "not ready";
		if (s.key != SENSE_UNIT_ATTENTION)
			xhci_delay_ms(READY_POLL_MS);
	}
}

/* READ CAPACITY(10), or (16) for a disk of 2^32 blocks or more. */
static const char *read_capacity(struct usb_msc *m, struct scsi_capacity *cap)
{
	struct scsi_cmd c;
	struct scsi_sense s;
	uint32_t len;
	bool need16;

	scsi_cmd_read_capacity10(&c);
	if (small_command(m, &c, &len, &s))
		return "READ CAPACITY(10) failed";
	const char *why = scsi_parse_capacity10(m->buf + BUF_REPLY, len, cap, &need16);
	if (why || !need16)
		return why;
	scsi_cmd_read_capacity16(&c);
	if (small_command(m, &c, &len, &s))
		return "READ CAPACITY(16) failed";
	return scsi_parse_capacity16(m->buf + BUF_REPLY, len, cap);
}

/* INQUIRY, readiness and capacity, and the disk's fields. NULL or why not. */
static const char *identify_disk(struct usb_msc *m, struct scsi_inquiry *inq, struct scsi_capacity *cap)
{
	struct scsi_cmd c;
	struct scsi_sense s;
	uint32_t len;
	const char *why;

	scsi_cmd_inquiry(&c);
	if (small_command(m, &c, &len, &s))
		return "INQUIRY failed";
	if ((why = scsi_parse_inquiry(m->buf + BUF_REPLY, len, inq)))
		return why;
	if (inq->peripheral_type != PERIPHERAL_DISK)
		return "not a direct-access device";
	if ((why = wait_ready(m)) || (why = read_capacity(m, cap)))
		return why;
	if (cap->blocks > UINT64_MAX / cap->block_size || cap->block_size > BLOCK_MAX)
		return "unsupported capacity or block size";
	blkdev_sd_name(m->disk.name, &m->disk.minor);
	m->disk.major = BLK_MAJOR_SD;
	m->disk.sector_size = cap->block_size;
	m->disk.nsect = cap->blocks * (cap->block_size / SECTOR_SIZE);
	m->disk.max_sect = m->u->speed == SPEED_SUPER ? MAX_SECT_SS : MAX_SECT_HS;
	m->disk.max_sect -= m->disk.max_sect % (cap->block_size / SECTOR_SIZE);
	m->disk.ops = &msc_ops;
	m->disk.priv = m;
	return NULL;
}

/* The first block's last two bytes (55 aa on an MBR or protective MBR),
 * read at probe as a check the whole path works; -1 if unreadable. */
static int first_block_signature(struct usb_msc *m)
{
	uint32_t bs = m->disk.sector_size;
	struct blk_req r = { .dev = &m->disk, .sector = 0, .nsect = bs / SECTOR_SIZE, .nsegs = 1 };

	if (bs > BUF_SECTOR_MAX)
		return -1;
	r.segs[0] = (struct blk_seg){ xhci_phys(m->buf + BUF_SECTOR), bs };
	if (msc_rw(m, &r))
		return -1;
	return m->buf[BUF_SECTOR + SECTOR_SIZE - 2] << 8 | m->buf[BUF_SECTOR + SECTOR_SIZE - 1];
}

static void log_disk(const struct usb_msc *m, const struct scsi_inquiry *inq, const struct scsi_capacity *cap,
		     int sig)
{
	klog(LOG_INFO, "usb-storage %s: usb %s, %s %s %s, %lu blocks of %u bytes (%lu MiB), block 0 ends %04x\n",
	     m->disk.name, m->u->name, inq->vendor, inq->product, inq->revision, (unsigned long)cap->blocks,
	     cap->block_size, (unsigned long)(cap->blocks * cap->block_size / MIB), sig < 0 ? 0 : (unsigned)sig);
}

/* Drops from disks[] the gone disks with nothing queued or running:
 * their struct stays (the block layer still names it) and any request
 * that reaches it completes with -EIO in msc_submit. Interrupts off or
 * probe context. */
static void forget_gone(void)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < ndisks; i++) {
		struct usb_msc *m = disks[i];
		if (!m->gone || m->head || m->cur || m->flush_done < m->flush_req)
			disks[kept++] = m;
	}
	ndisks = kept;
}

void usb_storage_gone(struct xhci_dev *u)
{
	struct usb_msc *m = u->msc;

	m->gone = true;
	m->u = NULL;
	m->buf = NULL;
	m->in = m->out = (struct xhci_ring){ 0 };
	u->msc = NULL;
	if (m->w.ring && !m->w.done) {
		m->w.cc = 0;            /* no completion code: the phase failed */
		m->w.done = true;
		wake_all(&m->ev_wq);
	}
	while (m->head) {
		struct blk_req *r = m->head;
		m->head = r->driver;
		blk_complete(r, -EIO);
	}
	m->tail = NULL;
	klog(LOG_INFO, "usb-storage %s: gone (unplugged); its requests fail with EIO\n", m->disk.name);
}

/* A partition or the disk itself of m: its cached pages dropped. */
static void drop_cache_of(struct blkdev *d, void *arg)
{
	struct usb_msc *m = arg;

	if (d->whole == &m->disk)
		bcache_invalidate_dev(d);   /* dirty or held pages stay: their writes fail, their holders see EIO */
}

void usb_storage_reap(void)
{
	for (unsigned i = 0; i < ndisks; i++) {
		struct usb_msc *m = disks[i];
		if (m->gone && !m->u && !m->cache_dropped) {
			m->cache_dropped = true;
			blkdev_for_each(drop_cache_of, m);
		}
	}
}

const char *usb_storage_probe(struct xhci_dev *u, const struct usb_config_info *c,
			      const struct usb_iface_info *i)
{
	const struct usb_ep_info *ein = usb_iface_bulk(i, true), *eout = usb_iface_bulk(i, false);
	struct scsi_inquiry inq;
	struct scsi_capacity cap;
	const char *why;

	if (!ein || !eout)
		return "no bulk IN and OUT endpoints";
	if (ndisks == MSC_MAX_DISKS)
		forget_gone();
	if (ndisks == MSC_MAX_DISKS)
		return "too many disks";
	struct usb_msc *m = kzalloc(sizeof(*m));
	if (!m)
		return "out of memory";
	m->u = u;
	m->hc = u->hc;
	m->iface = i->number;
	u->msc = m;
	if (!(why = setup_endpoints(m, c, ein, eout)))
		why = identify_disk(m, &inq, &cap);
	if (why) {
		u->msc = NULL;
		kfree(m);
		return why;
	}
	if (!worker && !(worker = thread_create_kernel("usb-storage", worker_main, NULL)))
		klog(LOG_WARN, "usb-storage: no worker thread; requests will poll\n");
	log_disk(m, &inq, &cap, first_block_signature(m));
	disks[ndisks++] = m;
	if (blkdev_register(&m->disk))
		klog(LOG_WARN, "usb-storage %s: not registered (out of memory)\n", m->disk.name);
	return NULL;
}

struct blkdev *usb_storage_disk(unsigned n)
{
	return n < ndisks && disks[n]->disk.whole ? &disks[n]->disk : NULL;
}
