/* SPDX-License-Identifier: MIT */
/* /dev/pts, Linux's devpts: the numbered slave nodes of the pseudo-terminals, made and removed by the pty driver, and /dev/pts/ptmx. */
#ifndef KESTREL_FS_DEVPTS_H
#define KESTREL_FS_DEVPTS_H

#include <stdint.h>

struct inode;

#define UNIX98_PTY_SLAVE_MAJOR 136   /* /dev/pts/N is 136:N, as Linux's (up to 1023) */
#define PTMX_MINOR             2     /* /dev/ptmx is TTYAUX_MAJOR:2 */
#define DEVPTS_MAX             256   /* pseudo-terminals at once (Linux's kernel.pty.max is 4096) */
#define DEVPTS_GID             5     /* the group "tty": Debian mounts devpts gid=5,mode=620 */
#define DEVPTS_MODE            0620

/*
 * The table of slave nodes. Lock rule: the kernel lock; changed in thread
 * context only (the pty driver's open and release, chmod and chown).
 */

/* A new slave node, owned by the caller's file-system uid, group tty,
 * mode 0620 (what glibc's grantpt checks): its index, or -ENOSPC when
 * DEVPTS_MAX are in use. */
int devpts_new(void);
/* The node of index leaves /dev/pts (its master closed); the index stays
 * taken until devpts_kill. */
void devpts_hide(int index);
/* The node of index goes away (its pty is gone); the index is free again. */
void devpts_kill(int index);
/* The inode of /dev/pts/index (a new reference), or NULL (no such node, or
 * out of memory): for a slave opened without a path (TIOCGPTPEER). */
struct inode *devpts_inode(int index);
/* Mount /dev/pts on the directory dir (devfs_populate). */
void devpts_mount(struct inode *dir);

#endif
