/* SPDX-License-Identifier: MIT */
/* USB mass storage (bulk-only transport) disks: the driver is reached through the xHCI probe; this is what the self-test asks of it. */
#ifndef KESTREL_DEV_USB_STORAGE_H
#define KESTREL_DEV_USB_STORAGE_H

#include "block/blkdev.h"

/* The n-th USB disk registered (0, 1...), or NULL past the last. */
struct blkdev *usb_storage_disk(unsigned n);

/* A disk whose block 0 starts with this may be written by the
 * self-test (sectors USBMS_SCRATCH_SECTOR on): the boot test makes one. */
#define USBMS_SCRATCH_MAGIC   "KESTREL-USBMS-SCRATCH\n"
#define USBMS_SCRATCH_SECTOR  2048

/* The byte at offset k of sector s of the self-test's written pattern. */
static inline uint8_t usbms_pattern(uint64_t s, unsigned k)
{
	return (uint8_t)(s * 13 + k * 7 + 0x5a);
}

#endif
