/* SPDX-License-Identifier: MIT */
/* The Intel 8254x (e1000) and 82574L (e1000e) Ethernet drivers: a struct netdev per controller, eth0, eth1... */
#ifndef KESTREL_DEV_E1000_H
#define KESTREL_DEV_E1000_H

#include "dev/pci.h"

/* The table entry's match: Intel's Ethernet controllers; the probe takes
 * those its chip table lists. */
#define E1000_PCI_VENDOR          0x8086
#define E1000_PCI_CLASS_ETHERNET  0x020000u   /* network, Ethernet */
#define E1000_PCI_CLASS_MASK      0xffff00u   /* any programming interface */

/* Bind an Intel function whose device ID the driver's chip table lists:
 * 0, or -ENODEV (not one of ours), -ENOSPC, -ENOMEM, -EIO (the device
 * failed to reset or has no MAC address: left unbound, logged). */
int e1000_probe(struct pci_dev *d);

/* The same for the 82574L (8086:10d3, dev/e1000e.c): -ENODEV for any
 * other function. */
int e1000e_probe(struct pci_dev *d);

#endif
