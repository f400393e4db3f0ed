/* SPDX-License-Identifier: MIT */
/*
 * The CPUs' part of /sys (fs/sysfs.c asks it; it asks arch/x86_64's smp.h
 * and cpuinfo.h), as Linux's drivers/base/cpu.c and topology.c show them:
 *
 *   /sys/devices/system/cpu/cpuN/ for each online CPU (glibc's
 *       sysconf(_SC_NPROCESSORS_CONF) and lscpu count these), with
 *       online ("1"; not for cpu0, which cannot go offline, as on x86 Linux)
 *       and topology/{physical_package_id, die_id, core_id,
 *       thread_siblings[_list], core_cpus[_list], core_siblings[_list],
 *       die_cpus[_list], package_cpus[_list]}
 *   /sys/devices/system/cpu/{kernel_max, offline} beside online, possible
 *       and present (sysfs.c's table), whose text this file writes too
 *
 * A node is named by its aux value: SYSFS_CPU_BASE and above, below
 * SYSFS_CPU_END; the directory they hang from is passed as SYSFS_CPU_TOP.
 * CPUs never go offline, so a node's aux stays valid for good.
 */
#ifndef KESTREL_FS_SYSFS_CPU_H
#define KESTREL_FS_SYSFS_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fs/sysfs_pci.h"   /* struct sysfs_entry */
#include "mm/iobuf.h"

#define SYSFS_CPU_BASE   0x10000L  /* aux values of the cpuN nodes start here */
#define SYSFS_CPU_ITEMS  32        /* aux values per CPU */
#define SYSFS_CPU_MAX    64        /* CPUs with nodes (sysfs_cpu.c checks SMP_MAX_CPUS fits) */
#define SYSFS_CPU_END    (SYSFS_CPU_BASE + SYSFS_CPU_MAX * SYSFS_CPU_ITEMS)
#define SYSFS_CPU_TOP    (-10L)    /* /sys/devices/system/cpu */
_Static_assert(SYSFS_CPU_END <= SYSFS_PCI_BASE, "the CPU nodes sit below the PCI ones");

/* Is aux one of this file's nodes? */
static inline bool sysfs_cpu_is(long aux)
{
	return aux >= SYSFS_CPU_BASE && aux < SYSFS_CPU_END;
}

/* Child k (from 0) of directory dir (SYSFS_CPU_TOP, a cpuN or a topology
 * directory) into *e; false past the last. */
bool sysfs_cpu_child(long dir, unsigned k, struct sysfs_entry *e);
/* Read one of this file's attributes (sysfs_cpu_is(aux)) from *pos, as
 * read(2): -EFAULT. */
long sysfs_cpu_read(long aux, struct iobuf b, size_t n, uint64_t *pos);

/* The text of /sys/devices/system/cpu's own files into buf (cap bytes,
 * NUL-terminated): the online CPUs' list (online, possible, present: one
 * list, as Kestrel's CPUs never go offline), kernel_max (the highest CPU
 * number this kernel can have, Linux's NR_CPUS - 1) and offline (an
 * empty line). */
enum sysfs_cpu_text { SYSFS_CPU_TEXT_LIST, SYSFS_CPU_TEXT_KERNEL_MAX, SYSFS_CPU_TEXT_OFFLINE };
void sysfs_cpu_text(enum sysfs_cpu_text which, char *buf, size_t cap);

#endif
