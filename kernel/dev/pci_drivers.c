// SPDX-License-Identifier: MIT
/* Kestrel: the PCI driver table. A function is offered to each entry that
 * matches it, in order, until a probe takes it (dev/pci.h). */
#include <stddef.h>
#include "dev/pci.h"
#include "dev/ahci.h"
#include "dev/e1000.h"
#include "dev/e1000_hw.h"
#include "dev/nvme.h"
#include "dev/xhci.h"
#include "dev/virtio_blk.h"
#include "dev/virtio_net.h"

const struct pci_driver pci_drivers[] = {
	{ "xhci", PCI_ANY_ID, PCI_ANY_ID, PCI_CLASS_XHCI, PCI_CLASS_MASK_ALL, xhci_probe },
	{ "ahci", PCI_ANY_ID, PCI_ANY_ID, PCI_CLASS_AHCI, PCI_CLASS_MASK_ALL, ahci_probe },
	{ "nvme", PCI_ANY_ID, PCI_ANY_ID, PCI_CLASS_NVME, PCI_CLASS_MASK_ALL, nvme_probe },
	/* every virtio function is offered to each; a probe declines (-ENODEV) what is not its own */
	{ "virtio-blk", VIRTIO_PCI_VENDOR, PCI_ANY_ID, 0, 0, virtio_blk_probe },
	{ "virtio-net", VIRTIO_PCI_VENDOR, PCI_ANY_ID, 0, 0, virtio_net_probe },
	{ "e1000e", E1000_PCI_VENDOR, E1000_DEV_82574L, E1000_PCI_CLASS_ETHERNET, E1000_PCI_CLASS_MASK, e1000e_probe },
	{ "e1000", E1000_PCI_VENDOR, PCI_ANY_ID, E1000_PCI_CLASS_ETHERNET, E1000_PCI_CLASS_MASK, e1000_probe },
	{ NULL, 0, 0, 0, 0, NULL },
};
