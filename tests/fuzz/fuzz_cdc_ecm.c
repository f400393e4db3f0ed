/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the CDC-ECM parsers (kernel/dev/cdc_ecm_desc.c):
 * a configuration of any bytes is never read past len (ASan: the input
 * is copied to a buffer of exactly len bytes); one that parses names a
 * bulk IN and a bulk OUT endpoint of nonzero number and packet size, a
 * data interface other than the communication one, an iMACAddress and
 * a segment of at least ECM_MIN_SEGMENT; a MAC string that parses is 12
 * hex digits of a unicast, nonzero address; a notification decodes to
 * one of its kinds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dev/cdc_ecm_desc.h"

static void check_config(const uint8_t *buf, size_t size)
{
	struct ecm_desc d;

	if (ecm_parse_config(buf, size, &d))
		return;
	if ((d.bulk_in.attributes & USB_EP_XFER_MASK) != USB_EP_XFER_BULK || !(d.bulk_in.address & USB_EP_DIR_IN) ||
	    (d.bulk_out.attributes & USB_EP_XFER_MASK) != USB_EP_XFER_BULK || (d.bulk_out.address & USB_EP_DIR_IN))
		abort();
	if (!(d.bulk_in.address & USB_EP_NUM_MASK) || !(d.bulk_out.address & USB_EP_NUM_MASK) ||
	    !d.bulk_in.max_packet || !d.bulk_out.max_packet || d.bulk_in.max_burst > USB_SS_MAX_BURST)
		abort();
	if (d.data_iface == d.ctrl_iface || !d.mac_string || d.max_segment < ECM_MIN_SEGMENT)
		abort();
	if (d.has_notify && ((d.notify.attributes & USB_EP_XFER_MASK) != USB_EP_XFER_INT ||
			     !(d.notify.address & USB_EP_DIR_IN)))
		abort();
}

static void check_mac(const uint8_t *buf, size_t size)
{
	uint8_t mac[6];

	if (ecm_parse_mac(buf, size, mac))
		return;
	if (size < 2 + 2 * ECM_MAC_DIGITS || (mac[0] & 1) || !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	check_config(buf, size);
	check_mac(buf, size);
	ecm_first_langid(buf, size);
	struct ecm_notify n = ecm_parse_notify(buf, size);
	if (n.ev != ECM_EV_NONE && n.ev != ECM_EV_CONNECTED && n.ev != ECM_EV_DISCONNECTED && n.ev != ECM_EV_SPEED)
		abort();
	if (n.ev == ECM_EV_SPEED && size < USB_CDC_NOTIFY_HDR + USB_CDC_NOTIFY_SPEED_DATA)
		abort();
	free(buf);
	return 0;
}
