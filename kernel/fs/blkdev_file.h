/* SPDX-License-Identifier: MIT */
/* Block special files: /dev/vda, /dev/vda1... opened, read, written and fsync'd through the block cache. */
#ifndef KESTREL_FS_BLKDEV_FILE_H
#define KESTREL_FS_BLKDEV_FILE_H

#include "fs/inode.h"
#include "fs/vfs.h"

/* Open the block device of node ip (its rdev): 0, or -ENXIO when no
 * registered device has that number. */
int blkdev_file_open(struct inode *ip, struct file *f);
/* fsync(2) of a block node: its device's dirty pages written and the
 * disk's cache flushed: 0, -EIO, or -ENXIO without the device. */
int blkdev_file_fsync(struct inode *ip);
/* Make a node in the directory dev for every registered disk and
 * partition (S_IFBLK, 0660, Linux's numbers): how many were made. */
unsigned blkdev_file_populate(struct inode *dev);

#endif
