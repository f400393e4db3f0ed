/* SPDX-License-Identifier: MIT */
/* The kernel's own page tables and the kernel half of every address space. */
#ifndef KESTREL_MM_VMM_H
#define KESTREL_MM_VMM_H

#include <stdint.h>
#include "bootinfo.h"
#include "arch/x86_64/paging.h"

/* Build the kernel's tables (see mm/layout.h), with every upper-half
 * PML4 entry created, switch to them and flush the TLB. After this the
 * loader's tables, stack and hand-off page are unused. */
void vmm_init(const struct kbi_boot_info *bi);
uint64_t vmm_kernel_pml4(void);

/* Kernel-half mappings (va >= KERNEL_HALF), visible in every address
 * space at once. Serialised by the kernel mapping lock. */
int vmm_map_kernel(uint64_t va, uint64_t pa, unsigned prot);
uint64_t vmm_unmap_kernel(uint64_t va);
/* vmm_unmap_kernel without the flush (one per page is an IPI to every
 * CPU): the caller gathers them (mm/tlb_batch.h) and flushes before the
 * address is mapped again or the page freed. */
uint64_t vmm_unmap_kernel_deferred(uint64_t va);
int vmm_protect_kernel(uint64_t va, unsigned prot);

#endif
