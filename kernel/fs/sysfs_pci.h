/* SPDX-License-Identifier: MIT */
/*
 * The PCI part of /sys (fs/sysfs.c asks it; it asks dev/pci.h): the
 * nodes made from the functions pci_init found, as Linux's:
 *
 *   /sys/bus/pci/devices/0000:BB:DD.F -> ../../../devices/pci0000:00/.../0000:BB:DD.F
 *   /sys/bus/pci/drivers/NAME/ (each driver of the table), holding a link
 *       0000:BB:DD.F for each function it has bound
 *   /sys/devices/pci0000:00/0000:BB:DD.F/{uevent, vendor, device, class,
 *       subsystem_vendor, subsystem_device, revision, irq, resource,
 *       modalias, config}, driver -> its driver's directory (when bound),
 *       and the functions behind it if it is a bridge
 *
 * A node is named by its aux value (the inode's), SYSFS_PCI_BASE and
 * above; the static directories the nodes hang from are passed as
 * SYSFS_PCI_LINKS, SYSFS_PCI_ROOT and SYSFS_PCI_DRIVERS. The function list never changes
 * after boot, so a node's aux stays valid for good.
 */
#ifndef KESTREL_FS_SYSFS_PCI_H
#define KESTREL_FS_SYSFS_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mm/iobuf.h"

#define SYSFS_PCI_BASE  0x100000L /* aux values of PCI nodes start here */
#define SYSFS_PCI_LINKS (-1L)     /* /sys/bus/pci/devices */
#define SYSFS_PCI_ROOT  (-2L)     /* /sys/devices/pci0000:00 */
#define SYSFS_PCI_DRIVERS (-3L)   /* /sys/bus/pci/drivers */
#define SYSFS_NAME_MAX  32

/* A node: its name in its directory, mode, aux and st_size. */
struct sysfs_entry {
	char name[SYSFS_NAME_MAX];
	uint32_t mode;
	long aux;
	uint64_t size;
};

/* Child k (from 0) of directory dir (SYSFS_PCI_LINKS, SYSFS_PCI_ROOT,
 * SYSFS_PCI_DRIVERS, a function's or a driver's directory) into *e;
 * false past the last. */
bool sysfs_pci_child(long dir, unsigned k, struct sysfs_entry *e);
/* The node aux (>= SYSFS_PCI_BASE) into *e; false if there is none. */
bool sysfs_pci_node(long aux, struct sysfs_entry *e);
/* Read an attribute file from *pos, as read(2). -ENOMEM, -EFAULT. */
long sysfs_pci_read(long aux, struct iobuf b, size_t n, uint64_t *pos);
/* A link's target (no NUL, at most cap bytes): its length, or -EINVAL. */
int sysfs_pci_readlink(long aux, char *buf, size_t cap);

#endif
