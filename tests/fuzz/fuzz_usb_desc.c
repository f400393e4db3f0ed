/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the USB descriptor parser (kernel/dev/usb_desc.c):
 * device and configuration descriptors of any bytes never read past len
 * (ASan sees to that: the input is copied to a buffer of exactly len
 * bytes), never record more interfaces or endpoints than the arrays hold,
 * an interrupt IN or bulk endpoint found is one, and a SuperSpeed
 * companion's burst stays within 15; hub descriptors (USB 2 and
 * SuperSpeed) give 1 to 15 ports, a port status a real speed, and a
 * route string stays within its 20 bits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dev/usb_desc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct usb_device_info d;
	struct usb_config_info c;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	usb_parse_device(buf, size, true, &d);
	usb_parse_device(buf, size, false, &d);
	if (!usb_parse_config(buf, size, &c)) {
		if (c.num_ifaces > USB_MAX_IFACES)
			abort();
		for (unsigned i = 0; i < c.num_ifaces; i++) {
			if (c.ifaces[i].num_eps > USB_MAX_EPS)
				abort();
			const struct usb_ep_info *e = usb_iface_int_in(&c.ifaces[i]);
			if (e && (!(e->address & USB_EP_DIR_IN) ||
				  (e->attributes & USB_EP_XFER_MASK) != USB_EP_XFER_INT))
				abort();
			for (int in = 0; in < 2; in++) {
				e = usb_iface_bulk(&c.ifaces[i], in);
				if (e && (!(e->address & USB_EP_DIR_IN) != !in || !e->max_packet ||
					  (e->attributes & USB_EP_XFER_MASK) != USB_EP_XFER_BULK))
					abort();
			}
			for (unsigned k = 0; k < c.ifaces[i].num_eps; k++)
				if (c.ifaces[i].eps[k].max_burst > USB_SS_MAX_BURST)
					abort();
		}
	}
	for (int ss = 0; ss < 2; ss++) {
		struct usb_hub_info h;
		if (!usb_parse_hub(buf, size, ss, &h) && (!h.nports || h.nports > USB_HUB_MAX_PORTS))
			abort();
	}
	if (size >= 5) {
		uint32_t st = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
			      (uint32_t)data[3] << 24, route;
		struct usb_hub_port p = usb_hub_port_decode(st, data[4] & 1);
		if (p.speed < USB_SPEED_FULL || p.speed > USB_SPEED_SUPER)
			abort();
		if (usb_route_child(st & 0xfffff, data[4] >> 1 & 7, data[4] >> 4, &route) &&
		    (route >> 20 || (data[4] >> 1 & 7) >= USB_HUB_MAX_DEPTH))
			abort();
	}
	free(buf);
	return 0;
}
