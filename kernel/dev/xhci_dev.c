// SPDX-License-Identifier: MIT
/*
 * Kestrel: devices on the xHCI root ports and on hubs, USB 2 and
 * SuperSpeed (xHCI 1.2, 4.3; USB 2.0, 11; USB 3.2, 10): port reset and
 * speed, Enable Slot, Address Device (with the route string and
 * transaction translator behind hubs), the descriptors read over
 * endpoint 0, then a driver or none. A HID boot keyboard is configured
 * (SET_CONFIGURATION, SET_PROTOCOL boot, SET_IDLE, Configure Endpoint
 * for its interrupt IN endpoint) and its reports go to dev/usbkbd.c
 * from the interrupt handler; a bulk-only mass storage interface goes to
 * dev/usb_storage.c (which drives its bulk endpoints with xhci_ctl.c, as
 * this file drives endpoint 0), and so do its transfer events; anything
 * else is logged and left alone. A device that goes (xhci_dev_remove)
 * takes everything below it, its slot and its pages.
 * Everything here but xhci_transfer_event runs in xhci_probe or in the
 * hot-plug thread (xhci_hotplug.c) with interrupts off: both poll.
 */
#include "dev/xhci_hw.h"
#include "dev/usb_desc.h"
#include "dev/scsi_bot.h"
#include "dev/usb_net.h"
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
#define HID_REPORT_OUTPUT   0x0200    /* SET_REPORT wValue: output report 0 */
#define HID_PROTOCOL_BOOT   0
#define HUB_STATUS_LEN      4
#define HUB_POLL_MS         5
#define HUB_RESET_RECOVERY_MS 10      /* USB 2.0 TRSTRCY */
#define HUB_POWER_EXTRA_MS  20
#define XHCI_HUB_DEPTH      USB_HUB_MAX_DEPTH

_Static_assert(SPEED_FULL == USB_SPEED_FULL && SPEED_LOW == USB_SPEED_LOW && SPEED_HIGH == USB_SPEED_HIGH &&
	       SPEED_SUPER == USB_SPEED_SUPER, "xHCI's port speed IDs are the hub decoder's");
#define HUB_WARM_RESET_MS   200       /* a SuperSpeed warm reset takes longer (USB 3.2, 7.5.4.10) */
#define HUB_DEBOUNCE_MS     100       /* USB 2.0 7.1.7.3, TATTDB */

static int get_descriptor(struct xhci_dev *u, uint8_t dtype, uint16_t len)
{
	memset(u->buf, 0, len);
	return xhci_control(u, USB_DIR_IN, USB_REQ_GET_DESCRIPTOR, (uint16_t)(dtype << 8), 0, len);
}

/* ---------------------------------------------------------------- addressing */

/* Resets a USB 2 port (a USB 3 port enables itself once its link
 * trains); NULL when it is enabled, or why not. The port's change bits
 * are acknowledged first: this connection is being handled now, and a
 * CSC left set would later read as the device plugged in again. */
static const char *port_reset(struct xhci *hc, unsigned port)
{
	volatile uint8_t *reg = hc->op + OP_PORTSC(port);
	uint32_t sc = mmio_read32(reg);

	mmio_write32(reg, (sc & PORT_NEUTRAL) | (sc & PORT_CHANGES));
	if (!(sc & PORT_PED)) {
		mmio_write32(reg, (sc & PORT_NEUTRAL) | PORT_PR);
		xhci_op_wait(hc, OP_PORTSC(port), PORT_PRC, PORT_PRC, PORT_RESET_MS);
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
	struct xhci *hc = u->hc;

	if (xhci_command(hc, 0, TRB_TYPE(TRB_ENABLE_SLOT), CMD_TIMEOUT_MS, &u->slot) || !u->slot ||
	    u->slot > hc->max_slots)
		return "Enable Slot failed";
	u->in_ctx = xhci_dev_page(u);
	u->out_ctx = xhci_dev_page(u);
	u->buf = xhci_dev_page(u);
	if (!u->in_ctx || !u->out_ctx || !u->buf || !xhci_ring_init(&u->ep0, xhci_dev_page(u)))
		return "out of memory";
	hc->dcbaa[u->slot] = xhci_phys(u->out_ctx);
	xhci_in_ctx_reset(u, 1u << 0 | 1u << DCI_EP0);
	xhci_slot_ctx(u, DCI_EP0);
	xhci_ep_ctx(u, DCI_EP0, EP_TYPE_CONTROL, default_maxp0(u->speed), 0, &u->ep0);
	if (xhci_command(hc, xhci_phys(u->in_ctx), TRB_TYPE(TRB_ADDRESS_DEVICE) | TRB_SLOT(u->slot),
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
	if (xhci_command(u->hc, xhci_phys(u->in_ctx), TRB_TYPE(TRB_EVALUATE_CTX) | TRB_SLOT(u->slot),
			 CMD_TIMEOUT_MS, NULL))
		return "Evaluate Context failed";
	return NULL;
}

/* ---------------------------------------------------------------- the keyboard */

static void queue_report(struct xhci_dev *u)
{
	xhci_ring_push(&u->intr, xhci_phys(u->buf + REPORT_OFF), USBKBD_REPORT_SIZE,
		       TRB_TYPE(TRB_NORMAL) | TRB_IOC | TRB_ISP);
	xhci_ring_doorbell(u->hc, u->slot, u->int_dci);
}

static void update_leds(struct xhci_dev *u);

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
	if (!xhci_ring_init(&u->intr, xhci_dev_page(u)))
		return "out of memory";
	xhci_in_ctx_reset(u, 1u << 0 | 1u << u->int_dci);
	xhci_slot_ctx(u, u->int_dci);
	xhci_ep_ctx(u, u->int_dci, EP_TYPE_INT_IN, e->max_packet, xhci_interval(u->speed, e->interval), &u->intr);
	if (xhci_command(u->hc, xhci_phys(u->in_ctx), TRB_TYPE(TRB_CONFIGURE_EP) | TRB_SLOT(u->slot),
			 CMD_TIMEOUT_MS, NULL))
		return "Configure Endpoint failed";
	usbkbd_init(&u->keys);
	u->kbd = true;
	queue_report(u);
	update_leds(u);     /* Num Lock starts on */
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
static void hub_watch_start(struct xhci_dev *h, const struct usb_config_info *c);
static void hub_status_event(struct xhci_dev *h, unsigned cc);

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
	bool hub = di.dev_class == USB_CLASS_HUB && u->depth < XHCI_HUB_DEPTH, net = false;
	const char *net_why = NULL;
	if (!kbd && !msc && di.dev_class != USB_CLASS_HUB)
		net_why = usb_net_probe(u, di.num_configs, &net);
	klog(LOG_INFO, "usb %s: %04x:%04x class %02x %s\n", u->name, di.vendor, di.product, cls,
	     kbd ? "keyboard" : hub ? (u->speed == SPEED_SUPER ? "hub (SuperSpeed)" : "hub")
		 : msc ? "mass storage" : net ? "network (CDC-ECM)" : "no driver");
	if (net)
		return net_why;
	if (hub)
		return hub_start(u, &c);
	if (msc && !kbd)
		return usb_storage_probe(u, &c, msc);
	if (!kbd)
		return NULL;
	return keyboard_start(u, &c, kbd, usb_iface_int_in(kbd));
}

static void unbind(struct xhci_dev *u);

/* Address a device whose port is reset and enabled, read what it is,
 * and start its driver; on failure (logged) it is unbound: its slot
 * disabled, its pages freed, its entry free again. */
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
	unbind(u);
}

/* A free devs[] entry of hc for a device below parent (NULL: a root
 * port) on port, or NULL (logged) when all are taken. */
static struct xhci_dev *new_dev(struct xhci *hc, struct xhci_dev *parent, unsigned port)
{
	for (unsigned i = 0; i < XHCI_MAX_DEVS; i++) {
		struct xhci_dev *u = &hc->devs[i];
		if (u->used)
			continue;
		*u = (struct xhci_dev){ .hc = hc, .used = true, .parent = parent, .parent_port = (uint8_t)port };
		if (parent)
			ksnprintf(u->name, sizeof(u->name), "%s.%u", parent->name, port);
		else
			ksnprintf(u->name, sizeof(u->name), "%u-%u", hc->bus, port);
		return u;
	}
	if (parent)
		klog(LOG_WARN, "usb %s.%u: more than %u devices; left alone\n", parent->name, port, XHCI_MAX_DEVS);
	else
		klog(LOG_WARN, "usb %u-%u: more than %u devices; left alone\n", hc->bus, port, XHCI_MAX_DEVS);
	return NULL;
}

void xhci_port_attach(struct xhci *hc, unsigned port)
{
	struct xhci_dev *u = new_dev(hc, NULL, port);
	const char *why;

	if (!u)
		return;
	u->port = (uint8_t)port;
	why = port_reset(hc, port);
	if (why) {
		klog(LOG_WARN, "usb %s: %s; device left alone\n", u->name, why);
		u->used = false;
		return;
	}
	u->speed = (uint8_t)PORT_SPEED(mmio_read32(hc->op + OP_PORTSC(port)));
	attach(u);
}

struct xhci_dev *xhci_root_dev(struct xhci *hc, unsigned port)
{
	for (unsigned i = 0; i < XHCI_MAX_DEVS; i++) {
		struct xhci_dev *u = &hc->devs[i];
		if (u->used && !u->parent && u->port == port)
			return u;
	}
	return NULL;
}

/* ---------------------------------------------------------------- removal */

/* Stops u's driver, disables its slot (the controller stops its
 * endpoints: no transfer touches its pages after the completion) and
 * frees its pages and its entry. Its children are already gone. */
static void unbind(struct xhci_dev *u)
{
	struct xhci *hc = u->hc;

	u->kbd = false;
	ktimer_cancel(&u->keys.repeat);   /* zeroed or armed: both fine */
	if (u->msc)
		usb_storage_gone(u);
	if (u->net)
		usb_net_gone(u);
	if (u->slot && !hc->dead)
		xhci_command(hc, 0, TRB_TYPE(TRB_DISABLE_SLOT) | TRB_SLOT(u->slot), CMD_TIMEOUT_MS, NULL);
	if (u->slot && u->slot <= hc->max_slots)
		hc->dcbaa[u->slot] = 0;
	xhci_dev_free_pages(u);
	*u = (struct xhci_dev){ 0 };
}

/* Depth first: a hub's devices go before it (bounded by XHCI_HUB_DEPTH
 * tiers, and by devs[] at each). */
void xhci_dev_remove(struct xhci_dev *u)
{
	struct xhci *hc = u->hc;

	for (unsigned i = 0; i < XHCI_MAX_DEVS; i++)
		if (hc->devs[i].used && hc->devs[i].parent == u)
			xhci_dev_remove(&hc->devs[i]);
	klog(LOG_INFO, "usb %s: removed%s\n", u->name, u->kbd ? " (keyboard)" : u->msc ? " (mass storage)"
						       : u->net ? " (network)" : u->hub_ports ? " (hub)" : "");
	unbind(u);
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

/* Clears the change bits a reset leaves (USB 2.0 11.24.2.7.2; a
 * SuperSpeed hub's also the warm reset's, the link state's and a
 * configuration error's, USB 3.2 10.16.2.6.2), those that are set. */
static void hub_clear_changes(struct xhci_dev *h, unsigned port, uint32_t st, bool ss)
{
	static const struct { uint32_t bit; uint16_t feature; bool ss_only; } changes[] = {
		{ USB_PORT_STAT_C_RESET, USB_PORT_FEAT_C_RESET, false },
		{ USB_PORT_STAT_C_CONNECTION, USB_PORT_FEAT_C_CONNECTION, false },
		{ USB_PORT_STAT_C_BH_RESET, USB_PORT_FEAT_C_BH_RESET, true },
		{ USB_PORT_STAT_C_LINK, USB_PORT_FEAT_C_LINK_STATE, true },
		{ USB_PORT_STAT_C_CONFIG_ERR, USB_PORT_FEAT_C_CONFIG_ERR, true },
	};

	for (unsigned i = 0; i < sizeof(changes) / sizeof(changes[0]); i++)
		if ((st & changes[i].bit) && (ss || !changes[i].ss_only))
			hub_port_feature(h, USB_REQ_CLEAR_FEATURE, changes[i].feature, port);
}

/* Resets a hub's port (USB 2.0, 11.5.1.5; USB 3.2, 10.16.2.10): true
 * with the port's state in *ps once the reset is over and the port
 * enabled. */
static bool hub_port_reset(struct xhci_dev *h, unsigned port, struct usb_hub_port *ps)
{
	bool ss = h->speed == SPEED_SUPER;
	uint32_t st = 0;

	*ps = (struct usb_hub_port){ 0 };
	if (hub_port_feature(h, USB_REQ_SET_FEATURE, USB_PORT_FEAT_RESET, port))
		return false;
	uint64_t end = tsc_deadline_ms(ss ? HUB_WARM_RESET_MS : PORT_RESET_MS);
	while (hub_port_status(h, port, &st) && !usb_hub_port_decode(st, ss).reset_done && !tsc_deadline_passed(end))
		xhci_delay_ms(HUB_POLL_MS);
	hub_clear_changes(h, port, st | USB_PORT_STAT_C_RESET | USB_PORT_STAT_C_CONNECTION, ss);
	xhci_delay_ms(HUB_RESET_RECOVERY_MS);
	*ps = usb_hub_port_decode(st, ss);
	return ps->reset_done && ps->enabled;
}

/* One device on a hub's port: its route, speed and transaction
 * translator (a low or full speed device's nearest high-speed hub:
 * xHCI 1.2, 4.5.2), then attached as any other. */
static void hub_child(struct xhci_dev *h, unsigned port, const struct usb_hub_port *ps)
{
	struct xhci_dev *u = new_dev(h->hc, h, port);

	if (!u)
		return;
	u->port = h->port;
	u->depth = (uint8_t)(h->depth + 1);
	if (!usb_route_child(h->route, h->depth, port, &u->route)) {
		klog(LOG_WARN, "usb %s: too deep or port too high for a route string; left alone\n", u->name);
		*u = (struct xhci_dev){ 0 };
		return;
	}
	u->speed = ps->speed;
	if (u->speed == SPEED_LOW || u->speed == SPEED_FULL) {
		u->tt_slot = h->speed == SPEED_HIGH ? h->slot : h->tt_slot;
		u->tt_port = h->speed == SPEED_HIGH ? (uint8_t)port : h->tt_port;
	}
	attach(u);
}

/* The hub's descriptor, USB 2 (0x29) or SuperSpeed (0x2A), into *hi. */
static const char *hub_descriptor(struct xhci_dev *h, struct usb_hub_info *hi)
{
	bool ss = h->speed == SPEED_SUPER;
	uint16_t len = ss ? USB_DT_SS_HUB_SIZE : USB_DT_HUB_MIN;
	uint8_t type = ss ? USB_DT_SS_HUB : USB_DT_HUB;

	memset(h->buf, 0, len);
	if (xhci_control(h, USB_DIR_IN | USB_TYPE_CLASS, USB_REQ_GET_DESCRIPTOR, (uint16_t)(type << 8), 0, len))
		return "no hub descriptor";
	return usb_parse_hub(h->buf, len, ss, hi);
}

/*
 * A hub: configured, told to the controller (Configure Endpoint with the
 * slot's hub fields), a SuperSpeed one told its depth (SET_HUB_DEPTH: it
 * picks its route string tier with it, USB 3.2 10.16.2.9), every port
 * powered, and what is connected attached, one port at a time; then
 * its status-change endpoint is polled, so devices plugged into it or
 * pulled out later go to the hot-plug thread (xhci_hubs_service).
 * The SuperSpeed path follows the specifications; QEMU 7.2 has no
 * SuperSpeed hub, so it has not run on a device.
 */
static const char *hub_start(struct xhci_dev *h, const struct usb_config_info *c)
{
	struct usb_hub_info hi;
	const char *why;

	if (xhci_control(h, 0, USB_REQ_SET_CONFIGURATION, c->config_value, 0, 0))
		return "SET_CONFIGURATION failed";
	if ((why = hub_descriptor(h, &hi)))
		return why;
	h->hub_ports = hi.nports;
	xhci_in_ctx_reset(h, 1u << 0);
	xhci_slot_ctx(h, DCI_EP0);
	if (xhci_command(h->hc, xhci_phys(h->in_ctx), TRB_TYPE(TRB_CONFIGURE_EP) | TRB_SLOT(h->slot),
			 CMD_TIMEOUT_MS, NULL))
		return "Configure Endpoint (hub) failed";
	if (h->speed == SPEED_SUPER && xhci_control(h, USB_TYPE_CLASS, USB_REQ_SET_HUB_DEPTH, h->depth, 0, 0))
		return "SET_HUB_DEPTH failed";
	for (unsigned p = 1; p <= hi.nports; p++)
		hub_port_feature(h, USB_REQ_SET_FEATURE, USB_PORT_FEAT_POWER, p);
	xhci_delay_ms(hi.power_on_ms + HUB_POWER_EXTRA_MS);
	for (unsigned p = 1; p <= hi.nports && !h->hc->dead; p++) {
		uint32_t st;
		struct usb_hub_port ps;
		if (!hub_port_status(h, p, &st)) {
			klog(LOG_WARN, "usb %s: hub does not answer; its ports left alone\n", h->name);
			break;
		}
		if (!usb_hub_port_decode(st, h->speed == SPEED_SUPER).connected)
			continue;
		if (hub_port_reset(h, p, &ps))
			hub_child(h, p, &ps);
		else
			klog(LOG_WARN, "usb %s.%u: port reset failed; device left alone\n", h->name, p);
	}
	hub_watch_start(h, c);
	return NULL;
}

/* ---------------------------------------------------------------- hub hot-plug */

/* The status-change bitmap's bytes: bit 0 the hub, bit n port n (USB 2.0, 11.12.4). */
static unsigned hub_bitmap_len(const struct xhci_dev *h)
{
	return (h->hub_ports + 1u + 7u) / 8u;
}

static void hub_queue_status(struct xhci_dev *h)
{
	xhci_ring_push(&h->intr, xhci_phys(h->buf + REPORT_OFF), hub_bitmap_len(h),
		       TRB_TYPE(TRB_NORMAL) | TRB_IOC | TRB_ISP);
	xhci_ring_doorbell(h->hc, h->slot, h->int_dci);
}

/* The hub's status-change endpoint configured and its first transfer
 * queued, so ports that change later are seen; a hub without one (or
 * whose endpoint cannot be configured) keeps what it has, logged. */
static void hub_watch_start(struct xhci_dev *h, const struct usb_config_info *c)
{
	const struct usb_ep_info *e = c->num_ifaces ? usb_iface_int_in(&c->ifaces[0]) : NULL;

	if (!e || !xhci_ring_init(&h->intr, xhci_dev_page(h))) {
		klog(LOG_WARN, "usb %s: no status-change endpoint; devices plugged in later are not seen\n", h->name);
		return;
	}
	h->int_dci = (uint8_t)(2 * (e->address & USB_EP_NUM_MASK) + 1);
	xhci_in_ctx_reset(h, 1u << 0 | 1u << h->int_dci);
	xhci_slot_ctx(h, h->int_dci);
	xhci_ep_ctx(h, h->int_dci, EP_TYPE_INT_IN, e->max_packet, xhci_interval(h->speed, e->interval), &h->intr);
	if (xhci_command(h->hc, xhci_phys(h->in_ctx), TRB_TYPE(TRB_CONFIGURE_EP) | TRB_SLOT(h->slot),
			 CMD_TIMEOUT_MS, NULL)) {
		klog(LOG_WARN, "usb %s: status-change endpoint not configured; devices plugged in later are not seen\n",
		     h->name);
		return;
	}
	h->hub_watch = true;
	hub_queue_status(h);
}

/* The hub's status-change report (interrupt handler, hc->lock held):
 * the ports it names go to the hot-plug thread; the next transfer is
 * queued by the thread once it has read them. An error completion (the
 * hub going away) stops the watch. */
static void hub_status_event(struct xhci_dev *h, unsigned cc)
{
	if (cc != CC_SUCCESS && cc != CC_SHORT_PACKET) {
		h->hub_watch = false;
		return;
	}
	uint16_t bits = (uint16_t)(h->buf[REPORT_OFF] | (hub_bitmap_len(h) > 1 ? h->buf[REPORT_OFF + 1] << 8 : 0));
	h->hub_changes |= (uint16_t)(bits & ~1u);       /* bit 0: the hub itself (power, over-current) */
	if (h->hc->on_port)
		h->hc->on_port(h->hc, 0);
}

/* The device on port of hub h, or NULL. */
static struct xhci_dev *hub_child_at(struct xhci_dev *h, unsigned port)
{
	for (unsigned i = 0; i < XHCI_MAX_DEVS; i++) {
		struct xhci_dev *u = &h->hc->devs[i];
		if (u->used && u->parent == h && u->parent_port == port)
			return u;
	}
	return NULL;
}

/* One port of a hub that reported: a device gone is removed; a device
 * connected anew is debounced, reset and attached. */
static void hub_port_service(struct xhci_dev *h, unsigned port)
{
	bool ss = h->speed == SPEED_SUPER;
	uint32_t st;
	struct usb_hub_port ps;

	if (!hub_port_status(h, port, &st))
		return;
	ps = usb_hub_port_decode(st, ss);
	hub_clear_changes(h, port, st, ss);
	struct xhci_dev *u = hub_child_at(h, port);
	bool gone = u && (!ps.connected || ps.connect_changed);
	bool came = ps.connected && ps.connect_changed;
	if (!gone && !came)
		return;
	klog(LOG_INFO, "usb %s.%u: port change (connected %s)\n", h->name, port, ps.connected ? "yes" : "no");
	if (u)
		xhci_dev_remove(u);
	if (!came)
		return;
	xhci_delay_ms(HUB_DEBOUNCE_MS);
	if (hub_port_reset(h, port, &ps))
		hub_child(h, port, &ps);
	else
		klog(LOG_WARN, "usb %s.%u: port reset failed; device left alone\n", h->name, port);
}

void xhci_hubs_service(struct xhci *hc)
{
	for (unsigned i = 0; i < XHCI_MAX_DEVS; i++) {
		struct xhci_dev *h = &hc->devs[i];
		if (!h->used || !h->hub_watch || !h->hub_changes)
			continue;
		uint16_t bits = h->hub_changes;
		h->hub_changes = 0;
		for (unsigned p = 1; p <= h->hub_ports && h->used; p++)
			if (bits & (1u << p))
				hub_port_service(h, p);
		if (h->used && h->hub_watch)
			hub_queue_status(h);
	}
}

/* ---------------------------------------------------------------- reports */

/* A keyboard's Num Lock and Caps Lock LEDs follow the key map: an output report
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
	klog(LOG_DEBUG, "usb %s: keyboard LEDs:%s%s\n", u->name, leds & USBKBD_LED_NUM ? " num" : "",
	     leds & USBKBD_LED_CAPS ? " caps" : "");
	xhci_control_queue(u, USB_TYPE_CLASS | USB_RECIP_INTERFACE, USB_HID_SET_REPORT, HID_REPORT_OUTPUT, 0, 1,
		      LED_OFF);
}

/* A transfer event the probe did not wait for (hc->lock held, from the
 * interrupt handler or a probe's poll): any event of a disk's, handed
 * to dev/usb_storage.c; a keyboard report, handed on
 * and the next one queued (an error stops the keyboard, logged), or
 * the end of a LED update. */
void xhci_transfer_event(struct xhci *hc, const struct trb *ev)
{
	unsigned slot = TRB_GET_SLOT(ev->control), dci = TRB_GET_EP(ev->control);
	unsigned cc = TRB_CC(ev->status);

	for (unsigned n = 0; n < XHCI_MAX_DEVS; n++) {
		struct xhci_dev *u = &hc->devs[n];
		if (!u->used)
			continue;
		if (u->slot == slot && u->msc) {
			usb_storage_event(u, ev);
			return;
		}
		if (u->slot == slot && u->net) {
			usb_net_event(u, ev);
			return;
		}
		if (u->slot == slot && u->hub_watch && dci == u->int_dci) {
			hub_status_event(u, cc);
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
			ktimer_cancel(&u->keys.repeat);   /* a key held now would repeat forever */
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
