/* SPDX-License-Identifier: MIT */
/* The AHCI (SATA) host controller: its PCI probe. */
#ifndef KESTREL_DEV_AHCI_H
#define KESTREL_DEV_AHCI_H

#include "dev/pci.h"

/* Mass storage controller, SATA, programming interface AHCI 1.0. */
#define PCI_CLASS_AHCI     0x010601u

/* Takes an AHCI controller: firmware handoff, AHCI mode, each
 * implemented port stopped, given its command list and received-FIS
 * area and started; each ATA disk found is identified and registered
 * as sda, sdb... (ATAPI and other devices are logged and left alone).
 * Completion by MSI, else polled from the tick. Every wait is bounded.
 * Returns 0 when bound (even with no disk), a negative errno when the
 * controller cannot be driven (its memory freed, decoding off). Boot
 * context, interrupts on. */
int ahci_probe(struct pci_dev *d);

#endif
