// SPDX-License-Identifier: MIT
/* Kestrel x86_64: TLB shootdowns. STUB until the SMP version lands: this CPU only. */
#include "arch/x86_64/tlb.h"
#include "arch/x86_64/paging.h"

void tlb_init(void)
{
}

void tlb_note_loaded(uint64_t pml4)
{
	(void)pml4;
}

void tlb_shootdown(uint64_t pml4, uint64_t start, uint64_t end)
{
	if (pml4 != arch_current_pml4())
		return;
	for (uint64_t va = start; va < end; va += 4096)
		arch_invlpg(va);
}

void tlb_shootdown_kernel(uint64_t start, uint64_t end)
{
	for (uint64_t va = start; va < end; va += 4096)
		arch_invlpg(va);
}

void tlb_retire_pml4(uint64_t pml4)
{
	(void)pml4;
}

void tlb_poll(void)
{
}
