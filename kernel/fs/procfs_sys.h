/* SPDX-License-Identifier: MIT */
/* /proc/sys's writable numbers (fs.nr_open, fs.pipe-max-size): procfs.c opens them. */
#ifndef KESTREL_FS_PROCFS_SYS_H
#define KESTREL_FS_PROCFS_SYS_H

struct file;

/* Open the sysctl file name on f (f->ops, f->priv set): 0, or -ENXIO if
 * there is none by that name. */
int procfs_sysctl_open(const char *name, struct file *f);

#endif
