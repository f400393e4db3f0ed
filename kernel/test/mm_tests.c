// SPDX-License-Identifier: MIT
/* Kestrel: self-tests of the memory manager and per-CPU data. */
#include "test/selftest.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "mm/vmalloc.h"
#include "mm/vmm.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "lib/string.h"

#define HEAP_STRESS_COUNT 1500
#define HEAP_STRESS_MAX   6000

/* Take every free page one at a time, then give them all back: the
 * counts must match and the allocator must stay consistent. The taken
 * pages are chained through their struct page, so nothing is touched. */
SELFTEST(pmm_every_page)
{
	uint64_t before = pmm_free_pages(), taken = 0;
	uint32_t chain = BUDDY_NONE;
	uint64_t phys;

	while ((phys = pmm_alloc(0)) != 0) {
		pmm_page(phys)->next = chain;
		chain = (uint32_t)(phys / PAGE_SIZE);
		taken++;
	}
	uint64_t empty = pmm_free_pages();
	while (chain != BUDDY_NONE) {
		uint32_t next = pmm_page((uint64_t)chain * PAGE_SIZE)->next;
		pmm_free((uint64_t)chain * PAGE_SIZE, 0);
		chain = next;
	}
	if (taken != before || empty != 0)
		return "allocated page count differs from the free count";
	if (pmm_free_pages() != before)
		return "free count not restored after giving every page back";
	return pmm_check();
}

SELFTEST(pmm_orders_aligned)
{
	uint64_t blocks[BUDDY_ORDERS];

	for (unsigned k = 0; k < BUDDY_ORDERS; k++) {
		blocks[k] = pmm_alloc(k);
		if (!blocks[k] || (blocks[k] & ((PAGE_SIZE << k) - 1)))
			return "block missing or not aligned to its size";
	}
	for (unsigned k = 0; k < BUDDY_ORDERS; k++)
		pmm_free(blocks[k], k);
	return pmm_check();
}

SELFTEST(vmm_map_protect_unmap)
{
	char *p = vmalloc(PAGE_SIZE);
	if (!p)
		return "vmalloc failed";
	uint64_t e = arch_leaf_entry((uint64_t)p);
	memset(p, 0x5a, PAGE_SIZE);
	if (!(e & PTE_W) || !(e & PTE_NX) || (e & PTE_U))
		return "vmalloc page is not kernel RW NX";
	if (*(char *)phys_to_virt(e & PTE_ADDR) != 0x5a)
		return "direct map does not see the vmalloc page's bytes";
	vmm_protect_kernel((uint64_t)p, 0);
	if (arch_leaf_entry((uint64_t)p) & PTE_W)
		return "protect did not remove write access";
	vfree(p);
	if (arch_kernel_addr_mapped((uint64_t)p))
		return "page still mapped after vfree";
	return NULL;
}

SELFTEST(kernel_stack_guard)
{
	uint64_t top = kstack_alloc();
	if (!top)
		return "kstack_alloc failed";
	uint64_t guard = top - KSTACK_SIZE - PAGE_SIZE;
	const char *why = NULL;
	if (arch_kernel_addr_mapped(guard) || !vmalloc_is_guard(guard))
		why = "no unmapped guard page below the stack";
	else if (!arch_kernel_addr_mapped(top - 8) || !arch_kernel_addr_mapped(top - KSTACK_SIZE))
		why = "stack not mapped";
	kstack_free(top);
	return why;
}

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

/* Many sizes, small and large, filled with a pattern, freed in a shuffled
 * order; every object keeps its bytes and the heap ends where it began. */
SELFTEST(heap_stress)
{
	static void *obj[HEAP_STRESS_COUNT];
	static uint16_t len[HEAP_STRESS_COUNT];
	struct heap_stats s0, s1;

	heap_stats(&s0);
	for (int i = 0; i < HEAP_STRESS_COUNT; i++) {
		len[i] = (uint16_t)(1 + rng() % HEAP_STRESS_MAX);
		obj[i] = kmalloc(len[i]);
		if (!obj[i] || ((uint64_t)obj[i] & 15))
			return "kmalloc failed or misaligned";
		memset(obj[i], (char)i, len[i]);
	}
	for (int i = HEAP_STRESS_COUNT - 1; i > 0; i--) {
		int j = (int)(rng() % (uint32_t)(i + 1));
		void *t = obj[i]; obj[i] = obj[j]; obj[j] = t;
		uint16_t l = len[i]; len[i] = len[j]; len[j] = l;
	}
	for (int i = 0; i < HEAP_STRESS_COUNT; i++) {
		unsigned char *b = obj[i];
		for (uint16_t k = 0; k < len[i]; k++)
			if (b[k] != b[0])
				return "an object's bytes changed";
		kfree(obj[i]);
	}
	heap_stats(&s1);
	if (s1.small_in_use != s0.small_in_use || s1.large_in_use != s0.large_in_use)
		return "objects still counted in use after freeing all";
	return pmm_check();
}

SELFTEST(percpu_self)
{
	struct percpu *c = this_cpu();
	if (!c || c->self != c || !percpu_is_installed(c))
		return "GS does not point at the boot CPU's block";
	return NULL;
}
