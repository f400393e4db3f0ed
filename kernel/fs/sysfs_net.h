/* SPDX-License-Identifier: MIT */
/*
 * The network-interface part of /sys (fs/sysfs.c asks it; it reads the
 * devices through net/netdev.h only), as Linux's net/core/net-sysfs.c:
 *
 *   /sys/class/net/IF -> ../../devices/virtual/net/IF (each registered device)
 *   /sys/devices/virtual/net/IF/{address, broadcast, addr_len, mtu, ifindex,
 *       iflink, type, flags, operstate, carrier, carrier_changes, dormant,
 *       speed, duplex, tx_queue_len, dev_id, ... , uevent},
 *       statistics/{rx_bytes, rx_packets, ... tx_window_errors},
 *       subsystem -> ../../../../class/net, and device -> its PCI function
 *
 * Linux puts a PCI NIC's directory under its PCI function (and virtio's
 * under virtio0); Kestrel keeps every interface under devices/virtual/net
 * and links the function as "device". A node is named by its aux value,
 * SYSFS_NET_BASE and above (interface ifindex's from SYSFS_NET_BASE +
 * ifindex * SYSFS_NET_STRIDE); the two static directories the nodes hang
 * from are passed as SYSFS_NET_CLASS and SYSFS_NET_VIRTUAL. Devices are
 * never unregistered, so a node's aux stays valid for good.
 */
#ifndef KESTREL_FS_SYSFS_NET_H
#define KESTREL_FS_SYSFS_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fs/sysfs_pci.h"
#include "mm/iobuf.h"

#define SYSFS_NET_BASE    0x4000000L /* above the PCI nodes (sysfs_pci.h) */
#define SYSFS_NET_STRIDE  128        /* aux values per interface */
#define SYSFS_NET_IFMAX   65536      /* ifindex values with nodes */
#define SYSFS_NET_END     (SYSFS_NET_BASE + SYSFS_NET_IFMAX * SYSFS_NET_STRIDE)
#define SYSFS_NET_CLASS   (-20L)     /* /sys/class/net */
#define SYSFS_NET_VIRTUAL (-21L)     /* /sys/devices/virtual/net */

static inline bool sysfs_net_is(long aux)
{
	return aux >= SYSFS_NET_BASE && aux < SYSFS_NET_END;
}

/* Child k (from 0) of directory dir (SYSFS_NET_CLASS, SYSFS_NET_VIRTUAL,
 * an interface's directory or its statistics) into *e; false past the last. */
bool sysfs_net_child(long dir, unsigned k, struct sysfs_entry *e);
/* Read an attribute from *pos, as read(2): its bytes, or -EINVAL where
 * Linux refuses (carrier, dormant, speed... of a device that is down),
 * -EFAULT. */
long sysfs_net_read(long aux, struct iobuf b, size_t n, uint64_t *pos);
/* A link's target (no NUL, at most cap bytes): its length, or -EINVAL. */
int sysfs_net_readlink(long aux, char *buf, size_t cap);

#endif
