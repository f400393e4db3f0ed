/* SPDX-License-Identifier: MIT */
/* The xHCI (USB 3) host controller: its PCI probe. */
#ifndef KESTREL_DEV_XHCI_H
#define KESTREL_DEV_XHCI_H

#include "dev/pci.h"

/* Serial bus controller, USB, programming interface xHCI. */
#define PCI_CLASS_XHCI     0x0c0330u

/* Takes a controller (up to four, each a USB bus of its own: "usb 2-1"
 * is bus 2's root port 1): firmware handoff, reset, rings, interrupts
 * (MSI-X, MSI, or polled from the tick), and the devices on its root
 * ports, each logged, a boot keyboard driven. Every wait is bounded.
 * Returns 0 when bound; a negative errno (the controller halted, its
 * memory freed, decoding off) when it cannot be driven. Boot context,
 * interrupts on, before sched_init. */
int xhci_probe(struct pci_dev *d);

/* Runs the hot-plug thread (once the scheduler runs): devices plugged
 * in or pulled out of root ports from then on are attached and removed.
 * A no-op without a controller. */
void xhci_hotplug_start(void);

#endif
