// SPDX-License-Identifier: MIT
/* Kestrel: the PCI driver table. A function is offered to each entry that
 * matches it, in order, until a probe takes it (dev/pci.h). */
#include <stddef.h>
#include "dev/pci.h"
#include "dev/xhci.h"

const struct pci_driver pci_drivers[] = {
	{ "xhci", PCI_ANY_ID, PCI_ANY_ID, PCI_CLASS_XHCI, PCI_CLASS_MASK_ALL, xhci_probe },
	{ NULL, 0, 0, 0, 0, NULL },
};
