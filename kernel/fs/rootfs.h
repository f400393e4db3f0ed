/* SPDX-License-Identifier: MIT */
/* The boot rootfs archive, read in place (fs/populate.c builds the root file system from it). */
#ifndef KESTREL_FS_ROOTFS_H
#define KESTREL_FS_ROOTFS_H

#include <stddef.h>
#include <stdint.h>
#include "bootinfo.h"
#include "fs/cpio.h"

/* Check the archive once, logging the first bad header (with the entry
 * name) and how many entries were readable. Never fatal. */
void rootfs_init(const struct kbi_boot_info *bi);
/* A regular file's bytes: 0, or -ENOENT. Symlinks are followed (a few hops). */
int rootfs_lookup(const char *path, const void **data, size_t *size);

#endif
