/* SPDX-License-Identifier: MIT */
/* /proc/PID/mem: a process's memory read and written at its addresses (procfs.c opens it). */
#ifndef KESTREL_FS_PROCFS_MEM_H
#define KESTREL_FS_PROCFS_MEM_H

struct file;
struct process;

/* Open p's memory on f (f->ops, f->priv set): 0, -EACCES without ptrace's
 * attach permission on p (file system credentials), -ENOMEM. */
int procfs_mem_open(struct process *p, struct file *f);

#endif
