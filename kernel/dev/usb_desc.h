/* SPDX-License-Identifier: MIT */
/* USB descriptors (USB 2.0, chapter 9): the standard requests' constants and a bounds-checked parser of device and configuration descriptors. */
#ifndef KESTREL_DEV_USB_DESC_H
#define KESTREL_DEV_USB_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Standard requests (USB 2.0, 9.4) and HID class requests (HID 1.11, 7.2). */
#define USB_REQ_GET_DESCRIPTOR    0x06
#define USB_REQ_SET_CONFIGURATION 0x09
#define USB_HID_SET_REPORT        0x09
#define USB_HID_SET_IDLE          0x0a
#define USB_HID_SET_PROTOCOL      0x0b
#define USB_REQ_GET_STATUS        0x00
#define USB_REQ_CLEAR_FEATURE     0x01
#define USB_REQ_SET_FEATURE       0x03
#define USB_DIR_IN                0x80    /* bmRequestType: device to host */
#define USB_RECIP_OTHER           0x03    /* a hub's port */
#define USB_TYPE_CLASS            0x20
#define USB_RECIP_INTERFACE       0x01
#define USB_RECIP_ENDPOINT        0x02
#define USB_FEAT_ENDPOINT_HALT    0       /* CLEAR_FEATURE to an endpoint (USB 2.0, 9.4.5) */

#define USB_DT_DEVICE             1
#define USB_DT_CONFIG             2
#define USB_DT_INTERFACE          4
#define USB_DT_ENDPOINT           5
#define USB_DT_DEVICE_SIZE        18
#define USB_DT_CONFIG_SIZE        9
#define USB_DT_INTERFACE_SIZE     9
#define USB_DT_ENDPOINT_SIZE      7
#define USB_DT_SS_EP_COMP         0x30    /* SuperSpeed endpoint companion (USB 3.2, 9.6.7) */
#define USB_DT_SS_EP_COMP_SIZE    6
#define USB_SS_MAX_BURST          15
#define USB_DT_HUB                0x29
#define USB_DT_HUB_MIN            7       /* up to wHubCharacteristics and bPwrOn2PwrGood */
#define USB_DT_SS_HUB             0x2a    /* SuperSpeed hub descriptor (USB 3.2, 10.15.2.1) */
#define USB_DT_SS_HUB_SIZE        12
#define USB_REQ_SET_HUB_DEPTH     12      /* USB 3.2, 10.16.2.9: class request to the hub device */

/* Hub class (USB 2.0, 11.24): port features and wPortStatus/wPortChange bits. */
#define USB_PORT_FEAT_RESET       4
#define USB_PORT_FEAT_POWER       8
#define USB_PORT_FEAT_C_CONNECTION 16
#define USB_PORT_FEAT_C_RESET     20
#define USB_PORT_STAT_CONNECTION  (1u << 0)
#define USB_PORT_STAT_ENABLE      (1u << 1)
#define USB_PORT_STAT_LOW_SPEED   (1u << 9)
#define USB_PORT_STAT_HIGH_SPEED  (1u << 10)
#define USB_PORT_STAT_C_RESET     (1u << 20)  /* wPortChange bit 4, in the 32-bit status */
#define USB_HUB_MAX_PORTS         15          /* a route string tier is 4 bits */
#define USB_HUB_MAX_DEPTH         5           /* hub tiers below a root port (USB 3.2, 8.9) */
/* SuperSpeed hubs (USB 3.2, 10.16.2.6, tables 10-13 and 10-14): the
 * power bit moves to 9, the speed field means something else, and the
 * changes add a warm reset, the link state and configuration errors. */
#define USB_SS_PORT_STAT_POWER    (1u << 9)
#define USB_SS_PORT_STAT_LINK(s)  (((s) >> 5) & 0xfu)
#define USB_SS_LINK_U0            0
#define USB_PORT_STAT_POWER       (1u << 8)   /* USB 2 hubs */
#define USB_PORT_FEAT_BH_RESET    28          /* warm reset (SuperSpeed) */
#define USB_PORT_FEAT_C_LINK_STATE 25
#define USB_PORT_FEAT_C_CONFIG_ERR 26
#define USB_PORT_FEAT_C_BH_RESET  29
#define USB_PORT_STAT_C_CONNECTION (1u << 16)
#define USB_PORT_STAT_C_BH_RESET  (1u << 21)
#define USB_PORT_STAT_C_LINK      (1u << 22)
#define USB_PORT_STAT_C_CONFIG_ERR (1u << 23)

#define USB_CLASS_PER_INTERFACE   0x00
#define USB_CLASS_HID             0x03
#define USB_CLASS_HUB             0x09
#define USB_HID_SUBCLASS_BOOT     0x01
#define USB_HID_PROTOCOL_KEYBOARD 0x01

#define USB_EP_DIR_IN             0x80    /* bEndpointAddress */
#define USB_EP_NUM_MASK           0x0f
#define USB_EP_XFER_MASK          0x03    /* bmAttributes */
#define USB_EP_XFER_INT           0x03
#define USB_EP_XFER_BULK          0x02
#define USB_EP_MAXP_MASK          0x07ff  /* wMaxPacketSize: the size, without the high-bandwidth bits */

/* The interfaces and endpoints recorded per configuration; more are
 * skipped (and counted), never written past. */
#define USB_MAX_IFACES 8
#define USB_MAX_EPS    4

struct usb_device_info {
	uint16_t bcd_usb, vendor, product;
	uint8_t dev_class, dev_subclass, dev_protocol;
	uint8_t max_packet0;      /* 8, 16, 32, 64 (or 9: 2^9 for SuperSpeed) */
	uint8_t num_configs;
};

struct usb_ep_info {
	uint8_t address;          /* bEndpointAddress: number | USB_EP_DIR_IN */
	uint8_t attributes;       /* transfer type in the low two bits */
	uint16_t max_packet;      /* the low 11 bits of wMaxPacketSize */
	uint8_t interval;         /* bInterval as the device gave it */
	uint8_t max_burst;        /* SuperSpeed companion's bMaxBurst (0..15); 0 without one */
};

/* Alternate setting 0 of one interface (other settings are skipped). */
struct usb_iface_info {
	uint8_t number, iface_class, subclass, protocol;
	uint8_t num_eps;          /* recorded in eps[], at most USB_MAX_EPS */
	struct usb_ep_info eps[USB_MAX_EPS];
};

struct usb_config_info {
	uint16_t total_length;    /* wTotalLength */
	uint8_t config_value;     /* for SET_CONFIGURATION */
	uint8_t num_ifaces;       /* recorded in ifaces[], at most USB_MAX_IFACES */
	unsigned skipped;         /* interfaces or endpoints beyond the arrays */
	struct usb_iface_info ifaces[USB_MAX_IFACES];
};

/* Device speeds as xHCI's default protocol speed IDs (xHCI 1.2, 7.2.2.1.1). */
#define USB_SPEED_FULL            1
#define USB_SPEED_LOW             2
#define USB_SPEED_HIGH            3
#define USB_SPEED_SUPER           4

/* A hub's descriptor (USB 2.0 11.23.2.1, or SuperSpeed USB 3.2 10.15.2.1). */
struct usb_hub_info {
	uint8_t nports;           /* bNbrPorts, at most USB_HUB_MAX_PORTS (more are not addressable) */
	uint16_t characteristics; /* wHubCharacteristics */
	unsigned power_on_ms;     /* bPwrOn2PwrGood: 2 ms units */
	uint8_t header_decode_lat;/* SuperSpeed bHubHdrDecLat (0.1 us units); 0 for USB 2 */
	uint16_t hub_delay_ns;    /* SuperSpeed wHubDelay; 0 for USB 2 */
};

/* One port of a hub, from its 32-bit GET_STATUS answer (wPortStatus |
 * wPortChange << 16): the parts the driver acts on. */
struct usb_hub_port {
	bool connected, enabled, powered;
	bool reset_done;          /* C_PORT_RESET (or C_BH_PORT_RESET on SuperSpeed) */
	bool connect_changed;
	uint8_t speed;            /* xHCI speed ID (1 full, 2 low, 3 high, 4 super) */
};

/* Parses a hub descriptor of len bytes; ss: the SuperSpeed one (type
 * 0x2A) is wanted, else the USB 2 one (0x29). Returns NULL, or why the
 * bytes are not one. Pure: any context. */
const char *usb_parse_hub(const uint8_t *buf, size_t len, bool ss, struct usb_hub_info *out);
/* Decodes a hub port's status; ss: a SuperSpeed hub's (whose devices
 * are SuperSpeed: xHCI speed 4). Pure. */
struct usb_hub_port usb_hub_port_decode(uint32_t status, bool ss);
/* The route string of the device on port (1..15) of a hub whose own
 * route is route and which sits depth tiers below the root port (0: on
 * a root port), into *out (xHCI 1.2, 8.9: four bits a tier, the first
 * tier lowest). false when the port or the depth cannot be expressed. */
bool usb_route_child(uint32_t route, unsigned depth, unsigned port, uint32_t *out);

/* Parses a device descriptor of len bytes (at least the first 8 for a
 * partial read: then only max_packet0 is meaningful, and full is
 * false). Returns NULL, or why the bytes are not one. Pure: any context. */
const char *usb_parse_device(const uint8_t *buf, size_t len, bool full, struct usb_device_info *out);

/* Parses a configuration descriptor and what follows it, never reading
 * beyond len nor beyond wTotalLength: interfaces (alternate setting 0)
 * with their endpoints. A descriptor whose bLength is below 2 or runs
 * past the end is an error; unknown descriptor types are skipped.
 * Returns NULL, or why the bytes are malformed. Pure: any context. */
const char *usb_parse_config(const uint8_t *buf, size_t len, struct usb_config_info *out);

/* The first interrupt IN endpoint of iface, or NULL. */
const struct usb_ep_info *usb_iface_int_in(const struct usb_iface_info *iface);
/* The first bulk endpoint of iface in that direction (in: IN, else
 * OUT) with a nonzero number and packet size, or NULL. */
const struct usb_ep_info *usb_iface_bulk(const struct usb_iface_info *iface, bool in);

#endif
