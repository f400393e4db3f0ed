/* SPDX-License-Identifier: MIT */
/* /proc/sys's writable numbers (fs.nr_open, fs.pipe-max-size): procfs.c opens them. */
#ifndef KESTREL_FS_PROCFS_SYS_H
#define KESTREL_FS_PROCFS_SYS_H

struct file;

/* Open the sysctl file name on f (f->ops, f->priv set): 0, or -ENXIO if
 * there is none by that name. */
int procfs_sysctl_open(const char *name, struct file *f);

/* Open /proc/sysrq-trigger on f: a write's first character is a magic
 * SysRq key, as Linux's; 'c' panics ("sysrq triggered crash"), the
 * others are refused with a log line. Root's (the file's mode, 0200). */
int procfs_sysrq_open(struct file *f);

#endif
