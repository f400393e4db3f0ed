// SPDX-License-Identifier: MIT
/*
 * Kestrel: devices on the xHCI root ports and on USB 2 hubs (xHCI 1.2,
 * 4.3; USB 2.0, 11): port reset and speed, Enable Slot, Address Device
 * (with the route string and transaction translator behind hubs), the
 * descriptors read over endpoint 0, then a driver or none. A HID boot keyboard is configured
 * (SET_CONFIGURATION, SET_PROTOCOL boot, SET_IDLE, Configure Endpoint
 * for its interrupt IN endpoint) and its reports go to dev/usbkbd.c
 * from the interrupt handler; a bulk-only mass storage interface goes to
 * dev/usb_storage.c (which drives its bulk endpoints with xhci_ctl.c, as
 * this file drives endpoint 0), and so do its transfer events; anything
 * else is logged and left alone.
 * Everything here but xhci_transfer_event runs in xhci_probe.
 */
#include "dev/xhci_hw.h"
#include "dev/usb_desc.h"
#include "dev/scsi_bot.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mmio.h"
#include "time/time.h"
#include "log.h"

#define PORT_RESET_MS       100
#define CMD_TIMEOUT_MS      500
#define SETUP_LEN           8
#define CONFIG_MAX          1024      /* configuration bytes read at most (buf is one page) */
#define REPORT_OFF          2048      /* the report buffer, in buf's second half */
#define LED_OFF             2048 + 64
#define MAXP0_LS_FS         8
#define MAXP0_HS            64
#define MAXP0_SS            512
#define SS_MAXP0_EXP        9         /* a SuperSpeed bMaxPacketSize0 is an exponent */
#define FS_INTERVAL_MIN     3         /* xHCI intervals are 2^n * 125 us */
#define INTERVAL_MAX        10
#define HID_REPORT_OUTPUT   0x0200    /* SET_REPORT wValue: output report 0 */
#define HID_PROTOCOL_BOOT   0
#define HUB_STATUS_LEN      4
#define HUB_POLL_MS         5
#define HUB_RESET_RECOVERY_MS 10      /* USB 2.0 TRSTRCY */
#define HUB_POWER_EXTRA_MS  20
#define XHCI_HUB_DEPTH      5         /* tiers of hubs below a root port at most */

#define hc xhci_hc

static int get_descriptor(struct xhci_dev *u, uint8_t dtype, uint16_t len)
{
	memset(u->buf, 0, len);
	return xhci_control(u, USB_DIR_IN, USB_REQ_GET_DESCRIPTOR, (uint16_t)(dtype << 8), 0, len);
}

/* ---------------------------------------------------------------- addressing */

/* Resets a USB 2 port (a USB 3 port enables itself once its link
 * trains); NULL when it is enabled, or why not. */
static const char *port_reset(unsigned port)
{
	volatile uint8_t *reg = hc.op + OP_PORTSC(port);
	uint32_t sc = mmio_read32(reg);

	if (!(sc & PORT_PED)) {
		mmio_write32(reg, (sc & PORT_NEUTRAL) | PORT_PR);
		xhci_op_wait(OP_PORTSC(port), PORT_PRC, PORT_PRC, PORT_RESET_MS);
		sc = mmio_read32(reg);
		mmio_write32(reg, (sc & PORT_NEUTRAL) | (sc & PORT_CHANGES));
		if (!(sc & PORT_PRC))
			return "port reset timed out";
	}
	sc = mmio_read32(reg);
	if (!(sc & PORT_PED))
		return "port not enabled after reset";
	return NULL;
}

static unsigned default_maxp0(unsigned speed)
{
	return speed == SPEED_SUPER ? MAXP0_SS : speed == SPEED_HIGH ? MAXP0_HS : MAXP0_LS_FS;
}

/* Enable Slot, the contexts and endpoint 0's ring, Address Device. */
static const char *address(struct xhci_dev *u)
{
	if (xhci_command(0, TRB_TYPE(TRB_ENABLE_SLOT), CMD_TIMEOUT_MS, &u->slot) || !u->slot ||
	    u->slot > hc.max_slots)
		return "Enable Slot failed";
	u->in_ctx = xhci_page();
	u->out_ctx = xhci_page();
	u->buf = xhci_page();
	if (!u->in_ctx || !u->out_ctx || !u->buf || !xhci_ring_init(&u->ep0))
		return "out of memory";
	hc.dcbaa[u->slot] = xhci_phys(u->out_ctx);
	xhci_in_ctx_reset(u, 1u << 0 | 1u << DCI_EP0);
	xhci_slot_ctx(u, DCI_EP0);
	xhci_ep_ctx(u, DCI_EP0, EP_TYPE_CONTROL, default_maxp0(u->speed), 0, &u->ep0);
	if (xhci_command(xhci_phys(u->in_ctx), TRB_TYPE(TRB_ADDRESS_DEVICE) | TRB_SLOT(u->slot),
			 CMD_TIMEOUT_MS, NULL))
		return "Address Device failed";
	return NULL;
}

/* Reads the first 8 bytes of the device descriptor and tells the
 * controller endpoint 0's real packet size when it is not the default. */
static const char *fix_maxp0(struct xhci_dev *u)
{
	struct usb_device_info di;

	if (get_descriptor(u, USB_DT_DEVICE, SETUP_LEN) || usb_parse_device(u->buf, SETUP_LEN, false, &di))
		return "no device descriptor";
	unsigned maxp = u->speed == SPEED_SUPER ? (di.max_packet0 == SS_MAXP0_EXP ? MAXP0_SS : 0) : di.max_packet0;
	if (maxp != 8 && maxp != 16 && maxp != 32 && maxp != 64 && maxp != MAXP0_SS)
		return "bad bMaxPacketSize0";
	if (maxp == default_maxp0(u->speed))
		return NULL;
	xhci_in_ctx_reset(u, 1u << DCI_EP0);
	xhci_ep_ctx(u, DCI_EP0, EP_TYPE_CONTROL, maxp, 0, &u->ep0);
	if (xhci_command(xhci_phys(u->in_ctx), TRB_TYPE(TRB_EVALUATE_CTX) | TRB_SLOT(u->slot),
			 CMD_TIMEOUT_MS, NULL))
		return "Evaluate Context failed";
	return NULL;
}

/* ---------------------------------------------------------------- the keyboard */

/* xHCI's interval exponent (6.2.3.6) from bInterval: milliseconds for
 * low and full speed, 2^(n-1) microframes for high speed and above. */
static unsigned xhci_interval(unsigned speed, unsigned b)
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

static void queue_report(struct xhci_dev *u)
{
	xhci_ring_push(&u->intr, xhci_phys(u->buf + REPORT_OFF), USBKBD_REPORT_SIZE,
		       TRB_TYPE(TRB_NORMAL) | TRB_IOC | TRB_ISP);
	xhci_ring_doorbell(u->slot, u->int_dci);
}

/* SET_CONFIGURATION, the boot protocol, no idle repeats, then the
 * interrupt endpoint configured and its first transfer queued. */
static const char *keyboard_start(struct xhci_dev *u, const struct usb_config_info *c,
				  const struct usb_iface_info *i, const struct usb_ep_info *e)
{
	uint8_t cls = USB_TYPE_CLASS | USB_RECIP_INTERFACE;

	if (xhci_control(u, 0, USB_REQ_SET_CONFIGURATION, c->config_value, 0, 0))
		return "SET_CONFIGURATION failed";
	if (xhci_control(u, cls, USB_HID_SET_PROTOCOL, HID_PROTOCOL_BOOT, i->number, 0))
		return "SET_PROTOCOL failed";
	if (xhci_control(u, cls, USB_HID_SET_IDLE, 0, i->number, 0))
		return "SET_IDLE failed";
	u->int_dci = (uint8_t)(2 * (e->address & USB_EP_NUM_MASK) + 1);
	if (!xhci_ring_init(&u->intr))
		return "out of memory";
	xhci_in_ctx_reset(u, 1u << 0 | 1u << u->int_dci);
	xhci_slot_ctx(u, u->int_dci);
	xhci_ep_ctx(u, u->int_dci, EP_TYPE_INT_IN, e->max_packet, xhci_interval(u->speed, e->interval), &u->intr);
	if (xhci_command(xhci_phys(u->in_ctx), TRB_TYPE(TRB_CONFIGURE_EP) | TRB_SLOT(u->slot),
			 CMD_TIMEOUT_MS, NULL))
		return "Configure Endpoint failed";
	usbkbd_init(&u->keys);
	u->kbd = true;
	queue_report(u);
	return NULL;
}

/* The boot-keyboard interface of c, or NULL. */
static const struct usb_iface_info *find_keyboard(const struct usb_config_info *c)
{
	for (unsigned n = 0; n < c->num_ifaces; n++) {
		const struct usb_iface_info *i = &c->ifaces[n];
		if (i->iface_class == USB_CLASS_HID && i->subclass == USB_HID_SUBCLASS_BOOT &&
		    i->protocol == USB_HID_PROTOCOL_KEYBOARD && usb_iface_int_in(i))
			return i;
	}
	return NULL;
}

/* The bulk-only SCSI mass storage interface of c, or NULL. */
static const struct usb_iface_info *find_storage(const struct usb_config_info *c)
{
	for (unsigned n = 0; n < c->num_ifaces; n++) {
		const struct usb_iface_info *i = &c->ifaces[n];
		if (i->iface_class == USB_CLASS_MASS_STORAGE && i->subclass == USB_MSC_SUBCLASS_SCSI &&
		    i->protocol == USB_MSC_PROTOCOL_BOT)
			return i;
	}
	return NULL;
}

static const char *hub_start(struct xhci_dev *h, const struct usb_config_info *c);

/* Descriptors, one log line, and a driver when there is one (or a hub's
 * ports attached, recursively: depth and devs[] bound it). */
static const char *identify(struct xhci_dev *u)
{
	struct usb_device_info di;
	struct usb_config_info c;
	const char *why;

	if (get_descriptor(u, USB_DT_DEVICE, USB_DT_DEVICE_SIZE) ||
	    (why = usb_parse_device(u->buf, USB_DT_DEVICE_SIZE, true, &di)))
		return "no device descriptor";
	if (get_descriptor(u, USB_DT_CONFIG, USB_DT_CONFIG_SIZE) ||
	    (why = usb_parse_config(u->buf, USB_DT_CONFIG_SIZE, &c)))
		return "no configuration descriptor";
	uint16_t total = c.total_length < CONFIG_MAX ? c.total_length : CONFIG_MAX;
	if (get_descriptor(u, USB_DT_CONFIG, total))
		return "configuration descriptor unreadable";
	if ((why = usb_parse_config(u->buf, total, &c)))
		return why;
	unsigned cls = di.dev_class != USB_CLASS_PER_INTERFACE || !c.num_ifaces ? di.dev_class
										: c.ifaces[0].iface_class;
	const struct usb_iface_info *kbd = di.dev_class == USB_CLASS_PER_INTERFACE ? find_keyboard(&c) : NULL;
	const struct usb_iface_info *msc = di.dev_class == USB_CLASS_PER_INTERFACE ? find_storage(&c) : NULL;
	bool hub = di.dev_class == USB_CLASS_HUB && u->speed != SPEED_SUPER && u->depth < XHCI_HUB_DEPTH;
	klog(LOG_INFO, "usb %s: %04x:%04x class %02x %s\n", u->name, di.vendor, di.product, cls,
	     kbd ? "keyboard" : hub ? "hub" : msc ? "mass storage" : "no driver");
	if (hub)
		return hub_start(u, &c);
	if (msc && !kbd)
		return usb_storage_probe(u, &c, msc);
	if (!kbd)
		return NULL;
	return keyboard_start(u, &c, kbd, usb_iface_int_in(kbd));
}

/* Address a device whose port is reset and enabled, read what it is,
 * and start its driver; on failure its slot is disabled and the device
 * left in its default state. Its devs[] entry stays (dead: slot 0),
 * since a hub's children may follow it in the array. */
static void attach(struct xhci_dev *u)
{
	const char *why = address(u);

	if (!why)
		why = fix_maxp0(u);
	if (!why)
		why = identify(u);
	if (!why)
		return;
	klog(LOG_WARN, "usb %s: %s; device left alone\n", u->name, why);
	if (u->slot)
		xhci_command(0, TRB_TYPE(TRB_DISABLE_SLOT) | TRB_SLOT(u->slot), CMD_TIMEOUT_MS, NULL);
	if (u->slot && u->slot <= hc.max_slots)
		hc.dcbaa[u->slot] = 0;
	u->slot = 0;
	u->kbd = false;     /* its pages stay on the driver's list */
	u->msc = NULL;
}

/* The next devs[] entry, or NULL (logged) when all are taken. */
static struct xhci_dev *new_dev(const char *parent, unsigned port)
{
	if (hc.ndevs == XHCI_MAX_DEVS) {
		klog(LOG_WARN, "usb %s%s%u: more than %u devices; left alone\n", parent, parent[0] ? "." : "1-",
		     port, XHCI_MAX_DEVS);
		return NULL;
	}
	struct xhci_dev *u = &hc.devs[hc.ndevs++];
	*u = (struct xhci_dev){ 0 };
	return u;
}

void xhci_port_attach(unsigned port)
{
	struct xhci_dev *u = new_dev("", port);
	const char *why;

	if (!u)
		return;
	u->port = (uint8_t)port;
	ksnprintf(u->name, sizeof(u->name), "1-%u", port);
	why = port_reset(port);
	if (why) {
		klog(LOG_WARN, "usb %s: %s; device left alone\n", u->name, why);
		return;
	}
	u->speed = (uint8_t)PORT_SPEED(mmio_read32(hc.op + OP_PORTSC(port)));
	attach(u);
}

/* ---------------------------------------------------------------- hubs */

static int hub_port_feature(struct xhci_dev *h, uint8_t req, uint16_t feature, unsigned port)
{
	return xhci_control(h, USB_TYPE_CLASS | USB_RECIP_OTHER, req, feature, (uint16_t)port, 0);
}

/* wPortStatus | wPortChange << 16 of a hub's port in *st; false if the
 * hub does not answer (the caller gives up on the hub: one timeout, not
 * one per port). */
static bool hub_port_status(struct xhci_dev *h, unsigned port, uint32_t *st)
{
	*st = 0;
	if (xhci_control(h, USB_DIR_IN | USB_TYPE_CLASS | USB_RECIP_OTHER, USB_REQ_GET_STATUS, 0, (uint16_t)port,
		    HUB_STATUS_LEN))
		return false;
	*st = (uint32_t)h->buf[0] | (uint32_t)h->buf[1] << 8 | (uint32_t)h->buf[2] << 16 |
	      (uint32_t)h->buf[3] << 24;
	return true;
}

/* Resets a hub's port (USB 2.0, 11.5.1.5); returns its status once
 * the reset is over and the port enabled, or 0. */
static uint32_t hub_port_reset(struct xhci_dev *h, unsigned port)
{
	uint32_t st = 0;

	if (hub_port_feature(h, USB_REQ_SET_FEATURE, USB_PORT_FEAT_RESET, port))
		return 0;
	uint64_t end = tsc_deadline_ms(PORT_RESET_MS);
	while (hub_port_status(h, port, &st) && !(st & USB_PORT_STAT_C_RESET) && !tsc_deadline_passed(end))
		xhci_delay_ms(HUB_POLL_MS);
	hub_port_feature(h, USB_REQ_CLEAR_FEATURE, USB_PORT_FEAT_C_RESET, port);
	hub_port_feature(h, USB_REQ_CLEAR_FEATURE, USB_PORT_FEAT_C_CONNECTION, port);
	xhci_delay_ms(HUB_RESET_RECOVERY_MS);
	return (st & USB_PORT_STAT_C_RESET) && (st & USB_PORT_STAT_ENABLE) ? st : 0;
}

/* One device on a hub's port: its route, speed and transaction
 * translator, then attached as any other. */
static void hub_child(struct xhci_dev *h, unsigned port, uint32_t st)
{
	struct xhci_dev *u = new_dev(h->name, port);

	if (!u)
		return;
	u->port = h->port;
	u->depth = (uint8_t)(h->depth + 1);
	u->route = h->route | (uint32_t)port << (4 * h->depth);
	u->speed = st & USB_PORT_STAT_LOW_SPEED ? SPEED_LOW : st & USB_PORT_STAT_HIGH_SPEED ? SPEED_HIGH : SPEED_FULL;
	if (u->speed != SPEED_HIGH) {
		u->tt_slot = h->speed == SPEED_HIGH ? h->slot : h->tt_slot;
		u->tt_port = h->speed == SPEED_HIGH ? (uint8_t)port : h->tt_port;
	}
	ksnprintf(u->name, sizeof(u->name), "%s.%u", h->name, port);
	attach(u);
}

/* A USB 2 hub: configured, told to the controller (Configure Endpoint
 * with the slot's hub fields), every port powered, and what is
 * connected attached, one port at a time. Its status-change endpoint
 * is not used: devices plugged in later are not seen. */
static const char *hub_start(struct xhci_dev *h, const struct usb_config_info *c)
{
	if (xhci_control(h, 0, USB_REQ_SET_CONFIGURATION, c->config_value, 0, 0))
		return "SET_CONFIGURATION failed";
	memset(h->buf, 0, USB_DT_HUB_MIN);
	if (xhci_control(h, USB_DIR_IN | USB_TYPE_CLASS, USB_REQ_GET_DESCRIPTOR, USB_DT_HUB << 8, 0, USB_DT_HUB_MIN) ||
	    h->buf[1] != USB_DT_HUB || h->buf[0] < USB_DT_HUB_MIN)
		return "no hub descriptor";
	unsigned nports = h->buf[2] < USB_HUB_MAX_PORTS ? h->buf[2] : USB_HUB_MAX_PORTS;
	unsigned power_ms = h->buf[5] * 2u + HUB_POWER_EXTRA_MS;
	h->hub_ports = (uint8_t)nports;
	xhci_in_ctx_reset(h, 1u << 0);
	xhci_slot_ctx(h, DCI_EP0);
	if (xhci_command(xhci_phys(h->in_ctx), TRB_TYPE(TRB_CONFIGURE_EP) | TRB_SLOT(h->slot), CMD_TIMEOUT_MS,
			 NULL))
		return "Configure Endpoint (hub) failed";
	for (unsigned p = 1; p <= nports; p++)
		hub_port_feature(h, USB_REQ_SET_FEATURE, USB_PORT_FEAT_POWER, p);
	xhci_delay_ms(power_ms);
	for (unsigned p = 1; p <= nports && !hc.dead; p++) {
		uint32_t st;
		if (!hub_port_status(h, p, &st)) {
			klog(LOG_WARN, "usb %s: hub does not answer; its ports left alone\n", h->name);
			break;
		}
		if (!(st & USB_PORT_STAT_CONNECTION))
			continue;
		st = hub_port_reset(h, p);
		if (st)
			hub_child(h, p, st);
		else
			klog(LOG_WARN, "usb %s.%u: port reset failed; device left alone\n", h->name, p);
	}
	return NULL;
}

/* ---------------------------------------------------------------- reports */

/* A keyboard's Caps Lock LED follows the key map: an output report
 * queued on endpoint 0 without waiting, one at a time (the next change
 * goes when its completion arrives), so the ring never overflows. */
static void update_leds(struct xhci_dev *u)
{
	uint8_t leds = usbkbd_leds(&u->keys);

	if (leds == u->leds || u->led_busy)
		return;
	u->leds = leds;
	u->led_busy = true;
	u->buf[LED_OFF] = leds;
	xhci_control_queue(u, USB_TYPE_CLASS | USB_RECIP_INTERFACE, USB_HID_SET_REPORT, HID_REPORT_OUTPUT, 0, 1,
		      LED_OFF);
}

/* A transfer event the probe did not wait for (hc.lock held, from the
 * interrupt handler or a probe's poll): any event of a disk's, handed
 * to dev/usb_storage.c; a keyboard report, handed on
 * and the next one queued (an error stops the keyboard, logged), or
 * the end of a LED update. */
void xhci_transfer_event(const struct trb *ev)
{
	unsigned slot = TRB_GET_SLOT(ev->control), dci = TRB_GET_EP(ev->control);
	unsigned cc = TRB_CC(ev->status);

	for (unsigned n = 0; n < hc.ndevs; n++) {
		struct xhci_dev *u = &hc.devs[n];
		if (u->slot == slot && u->msc) {
			usb_storage_event(u, ev);
			return;
		}
		if (u->slot != slot || !u->kbd)
			continue;
		if (dci == DCI_EP0 && u->led_busy) {
			u->led_busy = false;    /* SET_REPORT done (or refused: the LEDs are a nicety) */
			update_leds(u);
			return;
		}
		if (dci != u->int_dci)
			return;
		if (cc != CC_SUCCESS && cc != CC_SHORT_PACKET) {
			klog(LOG_WARN, "usb %s: keyboard transfer failed (completion code %u); stopped\n",
			     u->name, cc);
			u->kbd = false;
			return;
		}
		uint32_t residue = TRB_LEN(ev->status);
		size_t got = residue < USBKBD_REPORT_SIZE ? USBKBD_REPORT_SIZE - residue : 0;
		usbkbd_report(&u->keys, u->buf + REPORT_OFF, got);
		update_leds(u);
		queue_report(u);
		return;
	}
}
