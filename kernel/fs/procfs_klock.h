/* SPDX-License-Identifier: MIT */
/* /proc/klock_stat: the kernel lock's statistics (procfs_klock.c). */
#ifndef KESTREL_FS_PROCFS_KLOCK_H
#define KESTREL_FS_PROCFS_KLOCK_H

#include <stddef.h>
#include "fs/sbuf.h"

struct process;

/* /proc/klock_stat (p: the reader, unused), and the buffer it needs. */
void show_klock_stat(struct sbuf *s, struct process *p);
size_t klock_stat_buf_size(void);
/* The name of system call nr, or NULL (set by sys/syscall.c, above
 * this file; NULL until then: the calls are shown by number). */
extern const char *(*procfs_klock_namer)(unsigned long nr);

#endif
