/* SPDX-License-Identifier: MIT */
/* USB Ethernet adapters of the CDC-ECM class (QEMU's usb-net; RTL8153 and others in ECM mode): the driver behind the xHCI probe. */
#ifndef KESTREL_DEV_USB_NET_H
#define KESTREL_DEV_USB_NET_H

#include <stdbool.h>

struct xhci_dev;
struct usb_device_info;
struct trb;

/*
 * Looks through u's configurations (at most the first few) for an ECM
 * function; *matched says whether one was found. If so: the adapter is
 * configured (SET_CONFIGURATION, Configure Endpoint, SET_INTERFACE to
 * the data interface's setting with the bulk endpoints, the packet
 * filter), its MAC read, an ethN registered and its receive ring
 * started. NULL when bound or not an adapter; else why it could not be
 * driven (the caller unbinds u). Probe context, or the hot-plug thread
 * with interrupts off (polls endpoint 0).
 */
const char *usb_net_probe(struct xhci_dev *u, unsigned num_configs, bool *matched);

/* A transfer event for u's endpoints (hc->lock held, interrupts off:
 * the interrupt handler or a poll of the event ring). */
void usb_net_event(struct xhci_dev *u, const struct trb *ev);

/* u is being unbound (unplugged): from here its netdev neither sends
 * nor receives, its carrier is off and u's pages are no longer touched;
 * u->net is cleared. Interrupts off, before u's slot is disabled. */
void usb_net_gone(struct xhci_dev *u);

/* The adapters that went since the last call: their netdevs unregistered
 * (net_dev_unregister: down, addresses, routes and neighbours gone, the
 * listeners told, every reference waited for) and the adapters freed,
 * their names and slots free for the next. The hot-plug thread,
 * interrupts on (it sleeps). */
void usb_net_reap(void);

#endif
