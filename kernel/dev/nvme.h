/* SPDX-License-Identifier: MIT */
/* NVMe (NVM Express 1.4) controllers: their PCI probe; each active namespace becomes a block device nvme<C>n<N>. */
#ifndef KESTREL_DEV_NVME_H
#define KESTREL_DEV_NVME_H

#include "dev/pci.h"

/* Mass storage, non-volatile memory, programming interface NVMe. */
#define PCI_CLASS_NVME     0x010802u

/* Takes an NVMe controller (up to NVME_MAX_CTRL): disable, admin
 * queues, enable, IDENTIFY, one I/O queue pair on MSI-X (or MSI, or
 * polled from the tick), then registers every usable active namespace
 * with the block layer. Every wait is bounded by a clock. Returns 0 when
 * bound; a negative errno (the controller disabled, its memory freed,
 * decoding off) when it cannot be driven. Boot context, interrupts on,
 * before sched_init. */
int nvme_probe(struct pci_dev *d);

#endif
