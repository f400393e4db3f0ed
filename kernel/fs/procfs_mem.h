/* SPDX-License-Identifier: MIT */
/* /proc/PID/mem and pagemap: a process's memory read and written at its addresses, and which of its pages are present (procfs.c opens them). */
#ifndef KESTREL_FS_PROCFS_MEM_H
#define KESTREL_FS_PROCFS_MEM_H

#include <stdbool.h>

struct file;
struct process;

/* Open p's memory (its pagemap when pagemap) on f (f->ops, f->priv set):
 * 0, -EACCES without ptrace's attach permission on p (file system
 * credentials), -ENOMEM. */
int procfs_mem_open(struct process *p, struct file *f, bool pagemap);

#endif
