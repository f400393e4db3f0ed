// SPDX-License-Identifier: MIT
/*
 * Kestrel: what a CDC-ECM Ethernet adapter says about itself, parsed
 * without trusting a byte of it (USB CDC 1.2, ECM 1.2): the functional
 * descriptors of its configuration, its MAC address string and the
 * notifications of its interrupt endpoint. Every descriptor's bLength is
 * checked against the bytes read and against its type's own length
 * before a field is used. Pure code: the host unit test
 * (tests/unit/test_cdc_ecm.c) and the fuzzer (tests/fuzz/fuzz_cdc_ecm.c)
 * build it as is.
 */
#include "dev/cdc_ecm_desc.h"
#include "lib/hex.h"

#define DESC_LENGTH      0
#define DESC_TYPE        1
#define DESC_SUBTYPE     2       /* a functional descriptor's bDescriptorSubtype */
#define DESC_MIN         2
#define CONFIG_TOTAL     2       /* wTotalLength */
#define CONFIG_VALUE     5
#define IFACE_NUMBER     2
#define IFACE_ALT        3
#define IFACE_CLASS      5
#define IFACE_SUBCLASS   6
#define UNION_MIN        5       /* up to the first subordinate interface */
#define UNION_MASTER     3
#define UNION_SLAVE0     4
#define ETHER_SIZE       13      /* the Ethernet networking functional descriptor */
#define ETHER_MAC        3
#define ETHER_MAXSEG     8
#define EP_ADDRESS       2
#define EP_ATTR          3
#define EP_MAXP          4
#define EP_INTERVAL      6
#define MAX_ALTS         8       /* data interface settings remembered; more are skipped */

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One interface setting met on the walk, and its endpoints. */
struct alt {
	uint8_t number, alt, cls, subclass;
	bool has_in, has_out, has_int;
	struct usb_ep_info in, out, intr;
};

/* The walk's state: the settings seen, and the functional descriptors
 * of the first ECM communication interface. */
struct walk {
	struct alt alts[MAX_ALTS];
	unsigned nalts;
	int cur;                    /* alts[] index of the setting being read, or -1 */
	int ctrl;                   /* alts[] index of the ECM communication interface, or -1 */
	bool has_union, has_ether;
	uint8_t union_master, union_slave, mac_string;
	uint16_t max_segment;
};

static void on_iface(struct walk *w, const uint8_t *d)
{
	w->cur = -1;
	if (w->nalts == MAX_ALTS)
		return;
	struct alt *a = &w->alts[w->nalts];
	*a = (struct alt){ .number = d[IFACE_NUMBER], .alt = d[IFACE_ALT], .cls = d[IFACE_CLASS],
			   .subclass = d[IFACE_SUBCLASS] };
	w->cur = (int)w->nalts++;
	if (w->ctrl < 0 && a->cls == USB_CLASS_COMM && a->subclass == USB_CDC_SUBCLASS_ETHERNET)
		w->ctrl = w->cur;
}

static void on_endpoint(struct walk *w, const uint8_t *d)
{
	if (w->cur < 0)
		return;
	struct alt *a = &w->alts[w->cur];
	struct usb_ep_info e = { .address = d[EP_ADDRESS], .attributes = d[EP_ATTR],
				 .max_packet = le16(d + EP_MAXP) & USB_EP_MAXP_MASK, .interval = d[EP_INTERVAL] };
	bool in = e.address & USB_EP_DIR_IN;
	unsigned type = e.attributes & USB_EP_XFER_MASK;

	if (!(e.address & USB_EP_NUM_MASK) || !e.max_packet)
		return;
	if (type == USB_EP_XFER_BULK && in && !a->has_in) {
		a->in = e;
		a->has_in = true;
	} else if (type == USB_EP_XFER_BULK && !in && !a->has_out) {
		a->out = e;
		a->has_out = true;
	} else if (type == USB_EP_XFER_INT && in && !a->has_int) {
		a->intr = e;
		a->has_int = true;
	}
}

/* A SuperSpeed companion right after an endpoint: its burst, 0..15. */
static void on_companion(struct walk *w, const uint8_t *d, uint8_t last_ep)
{
	if (w->cur < 0 || !last_ep)
		return;
	struct alt *a = &w->alts[w->cur];
	uint8_t burst = d[2] > USB_SS_MAX_BURST ? USB_SS_MAX_BURST : d[2];
	if (a->has_in && a->in.address == last_ep)
		a->in.max_burst = burst;
	if (a->has_out && a->out.address == last_ep)
		a->out.max_burst = burst;
}

/* A functional descriptor: only the communication interface's count. */
static const char *on_functional(struct walk *w, const uint8_t *d)
{
	if (w->cur < 0 || w->cur != w->ctrl)
		return NULL;
	if (d[DESC_SUBTYPE] == USB_CDC_UNION_TYPE && !w->has_union) {
		if (d[DESC_LENGTH] < UNION_MIN)
			return "CDC Union descriptor too short";
		w->has_union = true;
		w->union_master = d[UNION_MASTER];
		w->union_slave = d[UNION_SLAVE0];
	} else if (d[DESC_SUBTYPE] == USB_CDC_ETHERNET_TYPE && !w->has_ether) {
		if (d[DESC_LENGTH] < ETHER_SIZE)
			return "CDC Ethernet descriptor too short";
		w->has_ether = true;
		w->mac_string = d[ETHER_MAC];
		w->max_segment = le16(d + ETHER_MAXSEG);
	}
	return NULL;
}

/* Walks the descriptors after the configuration's own. */
static const char *walk_descs(struct walk *w, const uint8_t *buf, size_t len)
{
	uint8_t last_ep = 0;

	for (size_t off = buf[DESC_LENGTH]; off < len;) {
		if (len - off < DESC_MIN)
			return "descriptor header runs past the end";
		const uint8_t *d = buf + off;
		uint8_t dlen = d[DESC_LENGTH], type = d[DESC_TYPE];
		if (dlen < DESC_MIN || dlen > len - off)
			return "descriptor length out of bounds";
		const char *why = NULL;
		if (type == USB_DT_INTERFACE && dlen >= USB_DT_INTERFACE_SIZE)
			on_iface(w, d);
		else if (type == USB_DT_ENDPOINT && dlen >= USB_DT_ENDPOINT_SIZE)
			on_endpoint(w, d);
		else if (type == USB_DT_SS_EP_COMP && dlen >= USB_DT_SS_EP_COMP_SIZE)
			on_companion(w, d, last_ep);
		else if (type == USB_DT_CS_INTERFACE && dlen >= DESC_MIN + 1)
			why = on_functional(w, d);
		else if (type == USB_DT_INTERFACE || type == USB_DT_ENDPOINT)
			return "interface or endpoint descriptor too short";
		if (why)
			return why;
		last_ep = type == USB_DT_ENDPOINT ? d[EP_ADDRESS] : 0;
		off += dlen;
	}
	return NULL;
}

/* The data interface's setting with both bulk endpoints, or NULL. */
static const struct alt *data_alt(const struct walk *w, uint8_t number)
{
	for (unsigned i = 0; i < w->nalts; i++) {
		const struct alt *a = &w->alts[i];
		if (a->number == number && a->cls == USB_CLASS_CDC_DATA && a->has_in && a->has_out)
			return a;
	}
	return NULL;
}

/* The walk's findings checked and copied out. */
static const char *conclude(const struct walk *w, struct ecm_desc *out)
{
	if (w->ctrl < 0)
		return "no ECM interface";
	const struct alt *c = &w->alts[w->ctrl];
	if (!w->has_union || w->union_master != c->number)
		return "no CDC Union descriptor for the ECM interface";
	if (!w->has_ether)
		return "no CDC Ethernet descriptor";
	if (!w->mac_string)
		return "no iMACAddress string";
	if (w->max_segment < ECM_MIN_SEGMENT)
		return "wMaxSegmentSize too small";
	if (w->union_slave == c->number)
		return "the data interface is the communication interface";
	const struct alt *d = data_alt(w, w->union_slave);
	if (!d)
		return "no data interface setting with bulk IN and OUT";
	out->ctrl_iface = c->number;
	out->data_iface = d->number;
	out->data_alt = d->alt;
	out->mac_string = w->mac_string;
	out->max_segment = w->max_segment;
	out->has_notify = c->has_int;
	out->notify = c->intr;
	out->bulk_in = d->in;
	out->bulk_out = d->out;
	return NULL;
}

const char *ecm_parse_config(const uint8_t *buf, size_t len, struct ecm_desc *out)
{
	struct walk w = { .cur = -1, .ctrl = -1 };

	*out = (struct ecm_desc){ 0 };
	if (len < USB_DT_CONFIG_SIZE)
		return "configuration descriptor too short";
	if (buf[DESC_TYPE] != USB_DT_CONFIG || buf[DESC_LENGTH] < USB_DT_CONFIG_SIZE)
		return "not a configuration descriptor";
	size_t total = le16(buf + CONFIG_TOTAL);
	if (total < len)
		len = total;
	if (len < buf[DESC_LENGTH])
		return "wTotalLength shorter than the configuration descriptor";
	out->config_value = buf[CONFIG_VALUE];
	const char *why = walk_descs(&w, buf, len);
	return why ? why : conclude(&w, out);
}

const char *ecm_parse_mac(const uint8_t *buf, size_t len, uint8_t mac[6])
{
	if (len < DESC_MIN || buf[DESC_TYPE] != USB_DT_STRING)
		return "not a string descriptor";
	size_t n = buf[DESC_LENGTH] < len ? buf[DESC_LENGTH] : len;
	if (n < DESC_MIN + 2 * ECM_MAC_DIGITS)
		return "MAC address string too short";
	uint8_t m[6];
	for (unsigned i = 0; i < ECM_MAC_DIGITS; i++) {
		int v = hex_digit(le16(buf + DESC_MIN + 2 * i));
		if (v < 0)
			return "MAC address string has a non-hex digit";
		if (i % 2 == 0)
			m[i / 2] = (uint8_t)(v << 4);
		else
			m[i / 2] |= (uint8_t)v;
	}
	if (m[0] & 1)
		return "MAC address is a multicast address";
	if (!(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]))
		return "MAC address is all zeros";
	for (unsigned i = 0; i < 6; i++)
		mac[i] = m[i];
	return NULL;
}

uint16_t ecm_first_langid(const uint8_t *buf, size_t len)
{
	if (len < DESC_MIN + 2 || buf[DESC_TYPE] != USB_DT_STRING || buf[DESC_LENGTH] < DESC_MIN + 2)
		return USB_LANG_EN_US;
	uint16_t id = le16(buf + DESC_MIN);
	return id ? id : USB_LANG_EN_US;
}

/* As Linux's usbnet_cdc_status: bmRequestType and a connection's
 * wLength are not looked at, any nonzero wValue is a connection. */
struct ecm_notify ecm_parse_notify(const uint8_t *buf, size_t len)
{
	struct ecm_notify n = { .ev = ECM_EV_NONE };

	if (len < USB_CDC_NOTIFY_HDR)
		return n;
	if (buf[1] == USB_CDC_NOTIFY_NETWORK_CONNECTION) {
		n.ev = le16(buf + 2) ? ECM_EV_CONNECTED : ECM_EV_DISCONNECTED;
	} else if (buf[1] == USB_CDC_NOTIFY_SPEED_CHANGE && len >= USB_CDC_NOTIFY_HDR + USB_CDC_NOTIFY_SPEED_DATA) {
		n.ev = ECM_EV_SPEED;
		n.down_bps = le32(buf + USB_CDC_NOTIFY_HDR);
		n.up_bps = le32(buf + USB_CDC_NOTIFY_HDR + 4);
	}
	return n;
}
