// SPDX-License-Identifier: MIT
/* Kestrel: memory-management bring-up. */
#include "mm/mm.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "arch/x86_64/paging.h"
#include "mm/vmm.h"
#include "memmap.h"
#include "log.h"

#define MIB ((uint64_t)1 << 20)

/* Every byte of RAM the firmware reported, whatever it holds. */
static uint64_t total_ram(const struct kbi_boot_info *bi)
{
	const struct kbi_mem_range *r = phys_to_virt(bi->memmap);
	uint64_t sum = 0;

	for (uint32_t i = 0; i < bi->memmap_count; i++)
		if (r[i].type != KBI_MEM_RESERVED && r[i].type != KBI_MEM_BAD)
			sum += r[i].length;
	return sum;
}

void mm_init(const struct kbi_boot_info *bi)
{
	pmm_init(bi);
	arch_paging_set_allocator(page_alloc_zeroed, page_free);
	vmm_init(bi);
	pmm_reclaim_boot_memory(bi);
	klog(LOG_INFO, "memory: %lu MiB total, %lu MiB usable, %lu MiB free after boot\n",
	     total_ram(bi) / MIB, pmm_managed_pages() * PAGE_SIZE / MIB,
	     pmm_free_pages() * PAGE_SIZE / MIB);
}
