/* SPDX-License-Identifier: MIT */
/*
 * /sys/firmware/efi/efivars, read-only (fs/sysfs.c asks; it asks
 * firmware/efi_rt.h): each firmware variable with an ASCII name as a
 * file NAME-GUID (the GUID in lower case), holding the variable's 4
 * attribute bytes (little-endian) and then its data, as Linux's efivarfs
 * shows them; st_size is 4 + the data's size. Names that are not
 * printable ASCII are left out. Without runtime services the directory
 * is empty.
 */
#ifndef KESTREL_FS_SYSFS_EFIVARS_H
#define KESTREL_FS_SYSFS_EFIVARS_H

#include <stddef.h>
#include <stdint.h>
#include "fs/inode.h"

/* The directory's lookup and iterate (dir is the efivars directory):
 * as inode_ops's. lookup: a new transient file inode, -ENOENT, -ENOMEM,
 * -EIO. */
int sysfs_efivars_lookup(struct inode *dir, const char *name, size_t len, struct inode **out);
int sysfs_efivars_iterate(struct inode *dir, uint64_t *pos, dir_emit_fn emit, void *ctx);

#endif
