// SPDX-License-Identifier: MIT
/* Kestrel x86_64: walking the live page tables. */
#include "arch/x86_64/paging.h"
#include "arch/x86_64/cpu.h"
#include "mm/layout.h"

uint64_t arch_leaf_entry(uint64_t addr)
{
	uint64_t table = read_cr3() & PTE_ADDR;

	for (int shift = 39; shift >= 12; shift -= 9) {
		if (!phys_in_direct_map(table))
			return 0;
		uint64_t e = ((const uint64_t *)phys_to_virt(table))[(addr >> shift) & 511];
		if (!(e & PTE_P))
			return 0;
		if (shift == 12 || (shift <= 30 && (e & PTE_PS)))
			return e;
		table = e & PTE_ADDR;
	}
	return 0;
}

bool arch_kernel_addr_mapped(uint64_t addr)
{
	return arch_leaf_entry(addr) != 0;
}
