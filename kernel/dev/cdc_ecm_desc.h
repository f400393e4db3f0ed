/* SPDX-License-Identifier: MIT */
/* CDC-ECM (USB CDC 1.2 and its ECM 1.2 subclass): the constants, and bounds-checked parsers of what an Ethernet adapter says about itself (configuration, MAC string, notifications). */
#ifndef KESTREL_DEV_CDC_ECM_DESC_H
#define KESTREL_DEV_CDC_ECM_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dev/usb_desc.h"

#define USB_CLASS_COMM            0x02    /* CDC 1.2, 4.2: the communication interface */
#define USB_CLASS_CDC_DATA        0x0a    /* CDC 1.2, 4.5: the data interface */
#define USB_CDC_SUBCLASS_ETHERNET 0x06    /* ECM */
#define USB_DT_CS_INTERFACE       0x24    /* class-specific functional descriptors */
#define USB_DT_STRING             3
#define USB_CDC_UNION_TYPE        0x06
#define USB_CDC_ETHERNET_TYPE     0x0f
#define USB_REQ_SET_INTERFACE     0x0b    /* USB 2.0, 9.4.10 */
#define USB_LANG_EN_US            0x0409  /* when a device lists no language */

/* ECM 1.2, 6.2.4: SET_ETHERNET_PACKET_FILTER and its bits. */
#define USB_CDC_SET_ETHERNET_PACKET_FILTER 0x43
#define USB_CDC_PACKET_TYPE_PROMISCUOUS    (1u << 0)
#define USB_CDC_PACKET_TYPE_ALL_MULTICAST  (1u << 1)
#define USB_CDC_PACKET_TYPE_DIRECTED       (1u << 2)
#define USB_CDC_PACKET_TYPE_BROADCAST      (1u << 3)
#define USB_CDC_PACKET_TYPE_MULTICAST      (1u << 4)

/* ECM 1.2, 6.3: notifications on the interrupt endpoint. */
#define USB_CDC_NOTIFY_NETWORK_CONNECTION  0x00
#define USB_CDC_NOTIFY_SPEED_CHANGE        0x2a
#define USB_CDC_NOTIFY_HDR                 8      /* bmRequestType .. wLength */
#define USB_CDC_NOTIFY_SPEED_DATA          8      /* DLBitRate, ULBitRate */

#define ECM_MAC_DIGITS            12      /* iMACAddress: 12 hexadecimal digits */
#define ECM_MIN_SEGMENT           (14 + 68)  /* an Ethernet header and IPv4's smallest MTU */

/* What the driver needs of an ECM function, from one configuration. */
struct ecm_desc {
	uint8_t config_value;     /* for SET_CONFIGURATION */
	uint8_t ctrl_iface;       /* the communication interface (class 2, subclass 6) */
	uint8_t data_iface;       /* the Union's first subordinate: class 0x0a */
	uint8_t data_alt;         /* its alternate setting with the two bulk endpoints (not 0: CDC 1.2, 3.8.2) */
	uint8_t mac_string;       /* iMACAddress */
	uint16_t max_segment;     /* wMaxSegmentSize: the longest frame, header included */
	bool has_notify;          /* an interrupt IN endpoint on the communication interface */
	struct usb_ep_info notify, bulk_in, bulk_out;
};

/*
 * Parses a configuration descriptor of len bytes (never reading past len
 * nor wTotalLength) as an ECM function: the communication interface, its
 * Union and Ethernet functional descriptors (each of at least its
 * specified length), its interrupt IN endpoint, and the data
 * interface's alternate setting with a bulk IN and a bulk OUT endpoint.
 * Returns NULL, or why these bytes are not a usable ECM function (a
 * configuration without a class 2 subclass 6 interface says "no ECM
 * interface", which the caller takes as another kind of device). Pure.
 */
const char *ecm_parse_config(const uint8_t *buf, size_t len, struct ecm_desc *out);

/* The MAC address from the iMACAddress string descriptor of len bytes
 * (UTF-16LE, exactly 12 hexadecimal digits first, ECM 1.2 5.4). NULL,
 * or why not (too short, not a string, a non-hex digit, a multicast or
 * all-zero address). Pure. */
const char *ecm_parse_mac(const uint8_t *buf, size_t len, uint8_t mac[6]);

/* The first language ID of string descriptor 0 of len bytes, or
 * USB_LANG_EN_US when it lists none. Pure. */
uint16_t ecm_first_langid(const uint8_t *buf, size_t len);

/* A notification, decoded. */
enum ecm_event { ECM_EV_NONE, ECM_EV_CONNECTED, ECM_EV_DISCONNECTED, ECM_EV_SPEED };
struct ecm_notify {
	enum ecm_event ev;
	uint32_t down_bps, up_bps;     /* ECM_EV_SPEED */
};
/* Decodes len bytes from the interrupt endpoint: a NETWORK_CONNECTION
 * (wValue nonzero: connected) or a CONNECTION_SPEED_CHANGE with its 8
 * data bytes; anything else, or too short, is ECM_EV_NONE. Pure. */
struct ecm_notify ecm_parse_notify(const uint8_t *buf, size_t len);

#endif
