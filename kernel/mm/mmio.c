// SPDX-License-Identifier: MIT
/* Kestrel: device register mappings, uncached, in the vmalloc area. */
#include "mm/mmio.h"
#include "mm/vmalloc.h"
#include "arch/x86_64/paging.h"

void *mmio_map(uint64_t phys, uint64_t len)
{
	return vmalloc_map_phys(phys, len, VM_WRITE | VM_UNCACHED);
}
