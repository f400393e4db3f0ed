/* SPDX-License-Identifier: MIT */
/* POSIX message queues (mq_open ... mq_getsetattr, the mqueue file system): what the rest of the kernel reaches of ipc/mqueue*.c. */
#ifndef KESTREL_IPC_MQUEUE_H
#define KESTREL_IPC_MQUEUE_H

struct inode;

/* Boot: the file system's root and /proc/sys/fs/mqueue. */
void mqueue_init(void);
/* The root of the one mqueue file system, which mount -t mqueue shows
 * (no reference taken; NULL if boot had no memory for it). */
struct inode *mqueue_root(void);

#endif
