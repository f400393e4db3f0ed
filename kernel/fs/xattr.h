/* SPDX-License-Identifier: MIT */
/* Extended attributes kept in memory with an inode, as Linux's simple_xattrs (tmpfs's): names with their values, newest first. */
#ifndef KESTREL_FS_XATTR_H
#define KESTREL_FS_XATTR_H

#include <stdbool.h>
#include <stddef.h>

struct inode;

/*
 * The store behind an inode whose file system keeps attributes
 * (fs_info.xattrs). Names are whole ("security.x"), checked by the
 * caller (sys/sys_xattr.c: namespaces and permissions, as Linux's VFS).
 * Every inode's list is under one lock of this file's, taken with
 * interrupts off and never held across a user copy: callers pass kernel
 * buffers.
 */

/* The value of name into buf (size bytes; 0: only ask its length): its
 * length, -ENODATA when ip has no such attribute, -ERANGE when it does
 * not fit in size. */
long xattr_get(struct inode *ip, const char *name, void *buf, size_t size);

/* Set name to value (size bytes, maybe 0) or remove it (value NULL):
 * XATTR_CREATE fails with -EEXIST when it exists, XATTR_REPLACE (and a
 * removal) with -ENODATA when it does not. A new name goes first in the
 * list, a replaced one keeps its place. 0, or -ENOMEM. */
int xattr_set(struct inode *ip, const char *name, const void *value, size_t size, int flags);

/* ip's names, each with its NUL, into buf (size bytes; 0: only ask the
 * length), leaving out trusted.* unless trusted: the bytes, or -ERANGE
 * when they do not fit in size. */
long xattr_list(struct inode *ip, char *buf, size_t size, bool trusted);

/* An inode freed: its attributes go with it. */
void xattr_free_all(struct inode *ip);

#endif
