/* SPDX-License-Identifier: MIT */
/* Memory management bring-up, in order: physical pages, kernel tables, reclaim. */
#ifndef KESTREL_MM_MM_H
#define KESTREL_MM_MM_H

#include "bootinfo.h"

/* After this: pmm_alloc, kmalloc, vmalloc and mmio_map work, the kernel
 * runs on its own page tables, and boot-time memory is reclaimed. Logs
 * total, usable and free memory. */
void mm_init(const struct kbi_boot_info *bi);

#endif
