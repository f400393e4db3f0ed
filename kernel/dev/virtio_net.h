/* SPDX-License-Identifier: MIT */
/* The virtio-net driver (virtio 1.0 over the PCI modern transport): Ethernet interfaces eth0, eth1... for the network stack (net/netdev.h). */
#ifndef KESTREL_DEV_VIRTIO_NET_H
#define KESTREL_DEV_VIRTIO_NET_H

#include "dev/pci.h"
#include "dev/virtio_pci.h" /* VIRTIO_PCI_VENDOR */

#define VIRTIO_PCI_NET_LEGACY    0x1000  /* transitional: modern capabilities too */
#define VIRTIO_PCI_NET_MODERN    0x1041  /* 0x1040 + device type 1 */

/* Bind a virtio-net function and register it as a network device: 0,
 * -ENODEV for another virtio device (the next driver of the table may
 * take it), or -errno (left unbound, logged). Boot, before the network
 * thread starts. */
int virtio_net_probe(struct pci_dev *d);

#endif
