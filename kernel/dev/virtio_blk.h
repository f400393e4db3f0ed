/* SPDX-License-Identifier: MIT */
/* The virtio-blk driver (virtio 1.0 over the PCI modern transport): disks vda, vdb... */
#ifndef KESTREL_DEV_VIRTIO_BLK_H
#define KESTREL_DEV_VIRTIO_BLK_H

#include "dev/pci.h"
#include "dev/virtio_pci.h" /* VIRTIO_PCI_VENDOR */

#define VIRTIO_PCI_BLK_LEGACY    0x1001  /* transitional: modern capabilities too */
#define VIRTIO_PCI_BLK_MODERN    0x1042  /* 0x1040 + device type 2 */

/* Bind a virtio-blk function: 0, -ENODEV for another virtio device (the
 * next driver of the table may take it), or -errno (left unbound, logged). */
int virtio_blk_probe(struct pci_dev *d);

#endif
