/* SPDX-License-Identifier: MIT */
/* /proc/profile, /proc/profile_syscalls and /proc/kallsyms: the kernel profiler's files (procfs_profile.c). */
#ifndef KESTREL_FS_PROCFS_PROFILE_H
#define KESTREL_FS_PROCFS_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include "fs/sbuf.h"

struct file;
struct process;

/* Whether the profiler's files exist: only with profile=N, as Linux's /proc/profile. */
bool procfs_profile_present(void);
/* Open /proc/profile on f: reads give the buckets (profile.h), a write of
 * anything zeroes them and the call counts. */
int procfs_profile_open(struct file *f);
/* /proc/profile_syscalls: "name calls ns" a line, each call made since
 * boot or the last write to /proc/profile (p: the reader, unused). */
void show_profile_syscalls(struct sbuf *s, struct process *p);
size_t profile_syscalls_buf_size(void);
/* /proc/kallsyms: "address t name" a line, the kernel's text symbols in
 * address order (p: unused), and the room it needs. */
void show_kallsyms(struct sbuf *s, struct process *p);
size_t kallsyms_buf_size(void);

#endif
