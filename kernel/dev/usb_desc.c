// SPDX-License-Identifier: MIT
/*
 * Kestrel: USB descriptors are data from outside the machine; every
 * length in them is checked against the bytes actually read before it
 * is used (USB 2.0, 9.6). Pure code, no kernel state: the host unit test
 * (tests/unit/test_usb_desc.c) and the fuzzer (tests/fuzz/fuzz_usb_desc.c)
 * build it as is.
 */
#include "dev/usb_desc.h"

#define DESC_LENGTH    0
#define DESC_TYPE      1
#define DESC_MIN       2      /* bLength and bDescriptorType */
#define DEV_PARTIAL    8      /* bytes up to bMaxPacketSize0 */

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

const char *usb_parse_device(const uint8_t *buf, size_t len, bool full, struct usb_device_info *out)
{
	size_t need = full ? USB_DT_DEVICE_SIZE : DEV_PARTIAL;

	if (len < need)
		return "device descriptor too short";
	if (buf[DESC_TYPE] != USB_DT_DEVICE)
		return "not a device descriptor";
	if (buf[DESC_LENGTH] < (full ? USB_DT_DEVICE_SIZE : DEV_PARTIAL))
		return "device descriptor bLength too small";
	*out = (struct usb_device_info){ .max_packet0 = buf[7] };
	if (!full)
		return NULL;
	out->bcd_usb = le16(buf + 2);
	out->dev_class = buf[4];
	out->dev_subclass = buf[5];
	out->dev_protocol = buf[6];
	out->vendor = le16(buf + 8);
	out->product = le16(buf + 10);
	out->num_configs = buf[17];
	return NULL;
}

/* Records an interface descriptor (d has at least USB_DT_INTERFACE_SIZE
 * bytes); returns the slot it went to, or NULL for an alternate setting
 * or when the array is full. */
static struct usb_iface_info *add_iface(struct usb_config_info *c, const uint8_t *d)
{
	if (d[3] != 0)
		return NULL;    /* bAlternateSetting */
	if (c->num_ifaces == USB_MAX_IFACES) {
		c->skipped++;
		return NULL;
	}
	struct usb_iface_info *i = &c->ifaces[c->num_ifaces++];
	*i = (struct usb_iface_info){ .number = d[2], .iface_class = d[5], .subclass = d[6],
				      .protocol = d[7] };
	return i;
}

/* Records an endpoint of interface i; returns its slot, or NULL. */
static struct usb_ep_info *add_ep(struct usb_config_info *c, struct usb_iface_info *i, const uint8_t *d)
{
	if (!i)
		return NULL;
	if (i->num_eps == USB_MAX_EPS) {
		c->skipped++;
		return NULL;
	}
	struct usb_ep_info *e = &i->eps[i->num_eps++];
	*e = (struct usb_ep_info){ .address = d[2], .attributes = d[3],
				   .max_packet = le16(d + 4) & USB_EP_MAXP_MASK, .interval = d[6] };
	return e;
}

const char *usb_parse_config(const uint8_t *buf, size_t len, struct usb_config_info *out)
{
	struct usb_iface_info *cur = NULL;
	struct usb_ep_info *ep = NULL;      /* the endpoint a companion descriptor describes */

	*out = (struct usb_config_info){ 0 };
	if (len < USB_DT_CONFIG_SIZE)
		return "configuration descriptor too short";
	if (buf[DESC_TYPE] != USB_DT_CONFIG || buf[DESC_LENGTH] < USB_DT_CONFIG_SIZE)
		return "not a configuration descriptor";
	out->total_length = le16(buf + 2);
	out->config_value = buf[5];
	if (out->total_length < buf[DESC_LENGTH])
		return "wTotalLength shorter than the descriptor";
	size_t end = out->total_length < len ? out->total_length : len;
	for (size_t at = buf[DESC_LENGTH]; at < end;) {
		const uint8_t *d = buf + at;
		if (end - at < DESC_MIN || d[DESC_LENGTH] < DESC_MIN)
			return "descriptor with bLength below 2";
		if (d[DESC_LENGTH] > end - at)
			return "descriptor runs past wTotalLength";
		if (d[DESC_TYPE] == USB_DT_INTERFACE) {
			if (d[DESC_LENGTH] < USB_DT_INTERFACE_SIZE)
				return "interface descriptor too short";
			cur = add_iface(out, d);
			ep = NULL;
		} else if (d[DESC_TYPE] == USB_DT_ENDPOINT) {
			if (d[DESC_LENGTH] < USB_DT_ENDPOINT_SIZE)
				return "endpoint descriptor too short";
			ep = add_ep(out, cur, d);
		} else if (d[DESC_TYPE] == USB_DT_SS_EP_COMP && ep && d[DESC_LENGTH] >= USB_DT_SS_EP_COMP_SIZE) {
			ep->max_burst = d[2] <= USB_SS_MAX_BURST ? d[2] : USB_SS_MAX_BURST;
			ep = NULL;
		}
		at += d[DESC_LENGTH];
	}
	return NULL;
}

const struct usb_ep_info *usb_iface_int_in(const struct usb_iface_info *iface)
{
	for (unsigned i = 0; i < iface->num_eps && i < USB_MAX_EPS; i++) {
		const struct usb_ep_info *e = &iface->eps[i];
		if ((e->address & USB_EP_DIR_IN) && (e->attributes & USB_EP_XFER_MASK) == USB_EP_XFER_INT &&
		    (e->address & USB_EP_NUM_MASK) != 0 && e->max_packet)
			return e;
	}
	return NULL;
}

const struct usb_ep_info *usb_iface_bulk(const struct usb_iface_info *iface, bool in)
{
	for (unsigned i = 0; i < iface->num_eps && i < USB_MAX_EPS; i++) {
		const struct usb_ep_info *e = &iface->eps[i];
		if (!(e->address & USB_EP_DIR_IN) == !in && (e->attributes & USB_EP_XFER_MASK) == USB_EP_XFER_BULK &&
		    (e->address & USB_EP_NUM_MASK) != 0 && e->max_packet)
			return e;
	}
	return NULL;
}

/* ---------------------------------------------------------------- hubs */

#define HUB_NPORTS     2
#define HUB_CHARS      3
#define HUB_PWR_GOOD   5
#define SS_HUB_DECLAT  7
#define SS_HUB_DELAY   8
#define PWR_GOOD_UNIT_MS 2
#define ROUTE_TIER_BITS  4

const char *usb_parse_hub(const uint8_t *buf, size_t len, bool ss, struct usb_hub_info *out)
{
	size_t need = ss ? USB_DT_SS_HUB_SIZE : USB_DT_HUB_MIN;

	*out = (struct usb_hub_info){ 0 };
	if (len < need)
		return "hub descriptor too short";
	if (buf[DESC_TYPE] != (ss ? USB_DT_SS_HUB : USB_DT_HUB))
		return "not a hub descriptor";
	if (buf[DESC_LENGTH] < need)
		return "hub descriptor bLength too small";
	if (!buf[HUB_NPORTS])
		return "hub without ports";
	out->nports = buf[HUB_NPORTS] < USB_HUB_MAX_PORTS ? buf[HUB_NPORTS] : USB_HUB_MAX_PORTS;
	out->characteristics = le16(buf + HUB_CHARS);
	out->power_on_ms = buf[HUB_PWR_GOOD] * PWR_GOOD_UNIT_MS;
	if (ss) {
		out->header_decode_lat = buf[SS_HUB_DECLAT];
		out->hub_delay_ns = le16(buf + SS_HUB_DELAY);
	}
	return NULL;
}

struct usb_hub_port usb_hub_port_decode(uint32_t st, bool ss)
{
	struct usb_hub_port p = {
		.connected = st & USB_PORT_STAT_CONNECTION,
		.enabled = st & USB_PORT_STAT_ENABLE,
		.connect_changed = st & USB_PORT_STAT_C_CONNECTION,
	};

	if (ss) {
		/* a SuperSpeed hub's port is powered at bit 9; its speed
		 * field is 0 (5 Gb/s) for every device it can hold */
		p.powered = st & USB_SS_PORT_STAT_POWER;
		p.reset_done = st & (USB_PORT_STAT_C_RESET | USB_PORT_STAT_C_BH_RESET);
		p.speed = USB_SPEED_SUPER;
		return p;
	}
	p.powered = st & USB_PORT_STAT_POWER;
	p.reset_done = st & USB_PORT_STAT_C_RESET;
	p.speed = st & USB_PORT_STAT_LOW_SPEED    ? USB_SPEED_LOW
		  : st & USB_PORT_STAT_HIGH_SPEED ? USB_SPEED_HIGH
						  : USB_SPEED_FULL;
	return p;
}

bool usb_route_child(uint32_t route, unsigned depth, unsigned port, uint32_t *out)
{
	if (port < 1 || port > USB_HUB_MAX_PORTS || depth >= USB_HUB_MAX_DEPTH)
		return false;
	*out = route | (uint32_t)port << (ROUTE_TIER_BITS * depth);
	return true;
}
