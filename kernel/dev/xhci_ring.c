// SPDX-License-Identifier: MIT
/*
 * Kestrel: the xHCI controller's memory and rings (xHCI 1.2, 4.9): the
 * pages it reads, producer rings with their link TRB and cycle bit, the
 * doorbells, the event ring's consumer, and commands and transfers
 * waited for by polling (the probe's way; afterwards the interrupt
 * handler consumes the events). Calls nothing of the drivers above: a
 * transfer event nobody waits for goes to hc->on_transfer, a port change
 * to hc->on_port.
 */
#include "dev/xhci_hw.h"
#include "lib/errno.h"
#include "mm/layout.h"
#include "mm/mmio.h"
#include "mm/pmm.h"
#include "proc/sched.h"
#include "time/time.h"
#include "log.h"

#define EVENTS_PER_CALL     (RING_TRBS * 4) /* bound on one pass over the event ring */
#define FOUR_GIB            0x100000000ull
#define NS_PER_MS           1000000ull
#define OP_POLL_MS          1           /* a thread looks at a register this often */

struct xhci xhci_hcs[XHCI_MAX_HCS];

/* A thread (the hot-plug thread, a disk's worker) sleeps through a
 * delay, so a device's attach does not hold the CPU and the kernel lock
 * for its resets and power-up times; the probe (no thread yet) spins.
 * Never called under hc->lock nor from an interrupt handler. */
static void pause_until(uint64_t tsc_end, uint32_t ms)
{
	if (current_thread()) {
		sleep_until(time_ns() + (ms ? ms : 1) * NS_PER_MS);
		return;
	}
	while (!tsc_deadline_passed(tsc_end))
		cpu_pause();
}

void xhci_delay_ms(uint32_t ms)
{
	pause_until(tsc_deadline_ms(ms), ms);
}

bool xhci_op_wait(struct xhci *hc, unsigned off, uint32_t mask, uint32_t want, uint32_t timeout_ms)
{
	uint64_t end = tsc_deadline_ms(timeout_ms);

	for (;;) {
		if ((op_read(hc, off) & mask) == want)
			return true;
		if (tsc_deadline_passed(end))
			return false;
		if (current_thread())
			pause_until(0, OP_POLL_MS);
		else
			cpu_pause();
	}
}

/* ---------------------------------------------------------------- memory */

/* A zeroed page hc can reach by physical address: below 4 GiB unless
 * it does 64-bit addressing. NULL when there is none. */
static void *dma_page(const struct xhci *hc)
{
	void *p = page_alloc_zeroed();

	if (p && !hc->ac64 && virt_to_phys(p) + XHCI_PAGE > FOUR_GIB) {
		page_free(p);
		p = NULL;
	}
	return p;
}

/* Every page the driver allocates is recorded, the controller's in hc,
 * a device's in the device, so a failed probe or a removed device frees
 * them all in one place (xhci_free_pages, xhci_dev_free_pages). */
void *xhci_page(struct xhci *hc)
{
	if (hc->npages == XHCI_MAX_PAGES)
		return NULL;
	void *p = dma_page(hc);
	if (p)
		hc->pages[hc->npages++] = p;
	return p;
}

void *xhci_dev_page(struct xhci_dev *u)
{
	if (u->npages == XHCI_DEV_PAGES)
		return NULL;
	void *p = dma_page(u->hc);
	if (p)
		u->pages[u->npages++] = p;
	return p;
}

void xhci_dev_free_pages(struct xhci_dev *u)
{
	while (u->npages)
		page_free(u->pages[--u->npages]);
}

uint64_t xhci_phys(const void *p)
{
	return virt_to_phys(p);
}

void xhci_free_pages(struct xhci *hc)
{
	while (hc->npages)
		page_free(hc->pages[--hc->npages]);
}

/* ---------------------------------------------------------------- rings */

bool xhci_ring_init(struct xhci_ring *r, void *page)
{
	r->trbs = page;
	if (!r->trbs)
		return false;
	r->phys = xhci_phys(r->trbs);
	r->enq = 0;
	r->cycle = TRB_CYCLE;
	return true;
}

/* Writes one TRB, its cycle bit last (the controller owns it from
 * then on), and steps over the link TRB at the end of the page,
 * toggling the producer's cycle (the link chains when the TRB did).
 * Returns the TRB's physical address. */
uint64_t xhci_ring_push(struct xhci_ring *r, uint64_t param, uint32_t status, uint32_t control)
{
	volatile struct trb *t = &r->trbs[r->enq];
	uint64_t at = r->phys + r->enq * sizeof(struct trb);

	t->param = param;
	t->status = status;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	t->control = (control & ~TRB_CYCLE) | r->cycle;
	if (++r->enq == RING_TRBS - 1) {
		volatile struct trb *link = &r->trbs[r->enq];
		link->param = r->phys;
		link->status = 0;
		__atomic_thread_fence(__ATOMIC_RELEASE);
		/* a TD that goes on past the end of the page chains through the link */
		link->control = TRB_TYPE(TRB_LINK) | TRB_TC | (control & TRB_CH) | r->cycle;
		r->enq = 0;
		r->cycle ^= TRB_CYCLE;
	}
	return at;
}

void xhci_ring_doorbell(struct xhci *hc, unsigned slot, unsigned target)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	mmio_write32(hc->db + 4 * slot, target);
}

/* ---------------------------------------------------------------- events */

/* An event nobody waits for: a port change (left to the hot-plug
 * thread, which reads and acknowledges the port: the handler must not
 * attach, since that polls for hundreds of milliseconds) or a transfer
 * for a device's endpoint. Before interrupts are on (the probe) port
 * changes are only acknowledged: the probe looks at every port itself. */
static void dispatch_event(struct xhci *hc, const struct trb *ev)
{
	unsigned type = TRB_GET_TYPE(ev->control);

	if (type == TRB_EV_TRANSFER) {
		if (hc->on_transfer)
			hc->on_transfer(hc, ev);
	} else if (type == TRB_EV_PORT) {
		unsigned port = EVT_PORT(ev->param);
		if (port < 1 || port > hc->max_ports)
			return;
		if (hc->irq_on && hc->on_port) {
			hc->on_port(hc, port);
		} else {
			uint32_t sc = op_read(hc, OP_PORTSC(port));
			op_write(hc, OP_PORTSC(port), (sc & PORT_NEUTRAL) | (sc & PORT_CHANGES));
		}
	}
}

bool xhci_consume_events(struct xhci *hc, unsigned type, uint64_t match, struct trb *found)
{
	bool got = false;

	for (unsigned n = 0; n < EVENTS_PER_CALL && !got; n++) {
		volatile struct trb *e = &hc->evt[hc->evt_deq];
		if ((e->control & TRB_CYCLE) != hc->evt_cycle)
			break;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		struct trb ev = { e->param, e->status, e->control };
		unsigned t = TRB_GET_TYPE(ev.control);
		uint64_t key = t == TRB_EV_TRANSFER ? (uint64_t)TRB_GET_SLOT(ev.control) << 8 | TRB_GET_EP(ev.control)
						    : ev.param;
		if (found && t == type && key == match) {
			*found = ev;
			got = true;
		} else {
			dispatch_event(hc, &ev);
		}
		if (++hc->evt_deq == RING_TRBS) {
			hc->evt_deq = 0;
			hc->evt_cycle ^= TRB_CYCLE;
		}
	}
	ir_write64(hc, IR_ERDP, (hc->evt_phys + hc->evt_deq * sizeof(struct trb)) | ERDP_EHB);
	return got;
}

/* Polls for one event (see consume_events) until the TSC reaches end
 * (tsc_deadline_ms). */
static int wait_event(struct xhci *hc, unsigned type, uint64_t match, struct trb *ev, uint64_t end)
{
	for (;;) {
		uint64_t flags = spin_lock_irqsave(&hc->lock);
		bool got = xhci_consume_events(hc, type, match, ev);
		spin_unlock_irqrestore(&hc->lock, flags);
		if (got)
			return 0;
		if (tsc_deadline_passed(end))
			return -ETIMEDOUT;
		cpu_pause();
	}
}

/* Runs one command to its completion: 0 with the completion's slot ID
 * in *slot_out (if not NULL), -EIO with its completion code logged, or
 * -ETIMEDOUT (and the controller is taken for dead: the probe stops
 * and declines it). Probe context only (polls). */
int xhci_command(struct xhci *hc, uint64_t param, uint32_t control, uint32_t timeout_ms, uint8_t *slot_out)
{
	struct trb ev;
	uint64_t at = xhci_ring_push(&hc->cmd, param, 0, control);

	xhci_ring_doorbell(hc, 0, 0);
	int err = wait_event(hc, TRB_EV_COMMAND, at, &ev, tsc_deadline_ms(timeout_ms));
	if (err) {
		klog(LOG_WARN, "xhci: command %u timed out\n", TRB_GET_TYPE(control));
		hc->dead = true;
		return err;
	}
	if (TRB_CC(ev.status) != CC_SUCCESS) {
		klog(LOG_WARN, "xhci: command %u failed (completion code %u)\n", TRB_GET_TYPE(control),
		     TRB_CC(ev.status));
		return -EIO;
	}
	if (slot_out)
		*slot_out = (uint8_t)TRB_GET_SLOT(ev.control);
	return 0;
}

/* Waits for the transfer event of slot's endpoint dci that reports on
 * TRB trb, or an error on that endpoint, all within timeout_ms (events
 * on the endpoint's earlier TRBs are passed over). 0 with the event's
 * status word in *status, -EIO on an error completion, -ETIMEDOUT. */
int xhci_wait_transfer(struct xhci *hc, unsigned slot, unsigned dci, uint64_t trb, uint32_t timeout_ms,
		       uint32_t *status)
{
	struct trb ev;
	uint64_t end = tsc_deadline_ms(timeout_ms);

	for (;;) {
		if (wait_event(hc, TRB_EV_TRANSFER, (uint64_t)slot << 8 | dci, &ev, end))
			return -ETIMEDOUT;
		unsigned cc = TRB_CC(ev.status);
		*status = ev.status;
		if (cc != CC_SUCCESS && cc != CC_SHORT_PACKET)
			return -EIO;
		if (ev.param == trb)
			return 0;
	}
}
