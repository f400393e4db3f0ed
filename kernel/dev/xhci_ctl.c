// SPDX-License-Identifier: MIT
/*
 * Kestrel: xHCI device and endpoint contexts (xHCI 1.2, 6.2) and the
 * transfers every USB driver makes on them: input contexts for Address
 * Device, Evaluate Context and Configure Endpoint, control transfers on
 * endpoint 0 (polled), bulk endpoints configured and restarted after a
 * stall or a timeout. Below xhci_dev.c (the devices) and the class
 * drivers that use them (usb_storage.c); calls only xhci_ring.c.
 */
#include "dev/xhci_hw.h"
#include "dev/usb_desc.h"
#include "lib/string.h"

#define CMD_TIMEOUT_MS      500
#define XFER_TIMEOUT_MS     500
#define SETUP_LEN           8
#define FS_INTERVAL_MIN     3         /* xHCI intervals are 2^n * 125 us */
#define INTERVAL_MAX        10

/* ---------------------------------------------------------------- contexts */

/* xHCI's interval exponent (6.2.3.6) from bInterval: milliseconds for
 * low and full speed, 2^(n-1) microframes for high speed and above. */
unsigned xhci_interval(unsigned speed, unsigned b)
{
	unsigned e = 0;

	if (speed == SPEED_HIGH || speed == SPEED_SUPER)
		e = b ? b - 1 : 0;
	else
		for (unsigned frames = (b ? b : 1) * 8; frames > 1; frames >>= 1)
			e++;
	if (speed != SPEED_HIGH && speed != SPEED_SUPER && e < FS_INTERVAL_MIN)
		e = FS_INTERVAL_MIN;
	return e > INTERVAL_MAX ? INTERVAL_MAX : e;
}

static uint32_t *in_ctx(struct xhci_dev *u, unsigned i)
{
	return (uint32_t *)(u->in_ctx + i * u->hc->ctx_size);
}

void xhci_in_ctx_reset(struct xhci_dev *u, uint32_t add)
{
	memset(u->in_ctx, 0, XHCI_PAGE);
	in_ctx(u, CTX_INPUT_CONTROL)[ICC_ADD] = add;
}

void xhci_slot_ctx(struct xhci_dev *u, unsigned entries)
{
	uint32_t *s = in_ctx(u, 1);

	s[0] = u->route | (uint32_t)u->speed << SLOT_SPEED_SHIFT | (uint32_t)entries << SLOT_ENTRIES_SHIFT |
	       (u->hub_ports ? SLOT_HUB : 0);
	s[1] = (uint32_t)u->port << SLOT_PORT_SHIFT | (uint32_t)u->hub_ports << SLOT_NPORTS_SHIFT;
	s[2] = u->tt_slot | (uint32_t)u->tt_port << SLOT_TT_PORT_SHIFT;
}

void xhci_ep_ctx(struct xhci_dev *u, unsigned dci, unsigned type, unsigned maxp, unsigned interval,
		 const struct xhci_ring *r)
{
	uint32_t *e = in_ctx(u, 1 + dci);

	e[0] = (uint32_t)interval << EP_INTERVAL_SHIFT;
	e[1] = EP_CERR_MAX << EP_CERR_SHIFT | type << EP_TYPE_SHIFT | maxp << EP_MAXP_SHIFT;
	e[2] = (uint32_t)r->phys | TRB_CYCLE;
	e[3] = (uint32_t)(r->phys >> 32);
	e[4] = type == EP_TYPE_CONTROL ? SETUP_LEN : maxp | maxp << EP_ESIT_SHIFT;
}

/* A bulk endpoint's context: no interval, no ESIT payload, the burst
 * a SuperSpeed device announced; an interrupt IN endpoint's has its
 * interval and one packet of ESIT payload (as xhci_ep_ctx's). */
static void bulk_ep_ctx(struct xhci_dev *u, const struct xhci_ep_cfg *c)
{
	uint32_t *e = in_ctx(u, 1 + c->dci);

	if (c->type == EP_TYPE_INT_IN) {
		xhci_ep_ctx(u, c->dci, EP_TYPE_INT_IN, c->max_packet, c->interval, c->ring);
		return;
	}
	e[0] = 0;
	e[1] = EP_CERR_MAX << EP_CERR_SHIFT | (uint32_t)c->type << EP_TYPE_SHIFT |
	       (uint32_t)c->max_burst << EP_MAXBURST_SHIFT | (uint32_t)c->max_packet << EP_MAXP_SHIFT;
	e[2] = (uint32_t)c->ring->phys | TRB_CYCLE;
	e[3] = (uint32_t)(c->ring->phys >> 32);
	e[4] = EP_AVG_TRB_BULK;
}

int xhci_configure_eps(struct xhci_dev *u, const struct xhci_ep_cfg *eps, unsigned n)
{
	uint32_t add = 1u << 0;
	unsigned last = DCI_EP0;

	for (unsigned i = 0; i < n; i++) {
		add |= 1u << eps[i].dci;
		last = eps[i].dci > last ? eps[i].dci : last;
	}
	xhci_in_ctx_reset(u, add);
	xhci_slot_ctx(u, last);
	for (unsigned i = 0; i < n; i++)
		bulk_ep_ctx(u, &eps[i]);
	return xhci_command(u->hc, xhci_phys(u->in_ctx), TRB_TYPE(TRB_CONFIGURE_EP) | TRB_SLOT(u->slot),
			    CMD_TIMEOUT_MS, NULL);
}

/* The state field of endpoint dci's output context (EP_STATE_*). */
static unsigned ep_state(struct xhci_dev *u, unsigned dci)
{
	volatile uint32_t *e = (volatile uint32_t *)(u->out_ctx + dci * u->hc->ctx_size);

	return e[0] & EP_STATE_MASK;
}

int xhci_ep_restart(struct xhci_dev *u, unsigned dci, struct xhci_ring *r)
{
	uint32_t ep = TRB_SLOT(u->slot) | (uint32_t)dci << TRB_DEQ_SHIFT;
	unsigned st = ep_state(u, dci);

	if (st == EP_STATE_RUNNING)
		xhci_command(u->hc, 0, TRB_TYPE(TRB_STOP_EP) | ep, CMD_TIMEOUT_MS, NULL);
	else if (st == EP_STATE_HALTED)
		xhci_command(u->hc, 0, TRB_TYPE(TRB_RESET_EP) | ep, CMD_TIMEOUT_MS, NULL);
	uint64_t deq = (r->phys + r->enq * sizeof(struct trb)) | r->cycle;
	return xhci_command(u->hc, deq, TRB_TYPE(TRB_SET_TR_DEQ) | ep, CMD_TIMEOUT_MS, NULL);
}

/* ---------------------------------------------------------------- control transfers */

uint64_t xhci_control_queue(struct xhci_dev *u, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
			    uint16_t len, unsigned off)
{
	bool in = type & USB_DIR_IN;
	uint64_t setup = type | (uint32_t)req << 8 | (uint32_t)value << 16 | (uint64_t)index << 32 |
			 (uint64_t)len << 48;
	uint32_t trt = !len ? TRT_NONE : in ? TRT_IN : TRT_OUT;

	xhci_ring_push(&u->ep0, setup, SETUP_LEN, TRB_TYPE(TRB_SETUP) | TRB_IDT | trt << TRB_TRT_SHIFT);
	if (len)
		xhci_ring_push(&u->ep0, xhci_phys(u->buf + off), len, TRB_TYPE(TRB_DATA) | (in ? TRB_DIR_IN : 0));
	uint64_t at = xhci_ring_push(&u->ep0, 0, 0, TRB_TYPE(TRB_STATUS) | TRB_IOC |
				     (len && in ? 0 : TRB_DIR_IN));
	xhci_ring_doorbell(u->hc, u->slot, DCI_EP0);
	return at;
}

int xhci_control(struct xhci_dev *u, uint8_t type, uint8_t req, uint16_t value, uint16_t index, uint16_t len)
{
	uint32_t status;
	uint64_t at = xhci_control_queue(u, type, req, value, index, len, 0);

	return xhci_wait_transfer(u->hc, u->slot, DCI_EP0, at, XFER_TIMEOUT_MS, &status);
}
