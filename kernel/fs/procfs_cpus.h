/* SPDX-License-Identifier: MIT */
/* The CPUs in /proc: /proc/interrupts, /proc/stat's intr line, status's Cpus_allowed (procfs_cpus.c). */
#ifndef KESTREL_FS_PROCFS_CPUS_H
#define KESTREL_FS_PROCFS_CPUS_H

#include <stddef.h>
#include <stdint.h>
#include "fs/sbuf.h"

struct process;

/* /proc/interrupts (p: the reader, unused), and the buffer it needs now. */
void show_interrupts(struct sbuf *s, struct process *p);
size_t interrupts_buf_size(void);
/* /proc/stat's "intr TOTAL N0 N1 ..." line. */
void show_stat_intr(struct sbuf *s);
/* /proc/PID/status's Cpus_allowed and Cpus_allowed_list lines for mask. */
void show_cpus_allowed(struct sbuf *s, uint64_t mask);

#endif
