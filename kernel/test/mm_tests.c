// SPDX-License-Identifier: MIT
/* Kestrel: self-tests of the memory manager and per-CPU data. */
#include "test/selftest.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "mm/uvm.h"
#include "mm/vmalloc.h"
#include "mm/vmm.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "lib/string.h"

#define HEAP_STRESS_COUNT 1500
#define HEAP_STRESS_MAX   6000
#define AROUND_BASE       0x40000000ull /* 64 KiB-aligned: one fault-around window */
#define AROUND_PAGES      16            /* uvm.c's FAULT_AROUND_BYTES in pages */

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

/* Demand-loaded read-only contents for fault_around: page i holds i + 1.
 * The shared table keeps its pages (a reference each) after the test, as
 * it keeps a program's: 16 of its slots, freed by uvm_shared_reclaim. */
static uint8_t around_src[AROUND_PAGES * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/* A space with one read-only region [AROUND_BASE + first pages, + pages)
 * backed by around_src's same pages (as exec maps a program's text from
 * the boot archive); NULL if out of memory. */
static struct vm_space *around_space(uint64_t first, uint64_t pages)
{
	struct vm_space *vs = uvm_create();
	uint64_t start = AROUND_BASE + first * PAGE_SIZE;

	if (vs && !uvm_add_vma(vs, start, start + pages * PAGE_SIZE, VM_READ, 0) &&
	    !uvm_set_backing(vs, start, around_src + first * PAGE_SIZE, start, pages * PAGE_SIZE))
		return vs;
	if (vs)
		uvm_destroy(vs);
	return NULL;
}

/* Page i of the window is mapped in vs, read-only, with its contents. */
static bool around_mapped(struct vm_space *vs, uint64_t i)
{
	uint64_t *pte = arch_pte(vs->pml4, AROUND_BASE + i * PAGE_SIZE);

	return pte && !(*pte & PTE_W) && *(uint8_t *)phys_to_virt(*pte & PTE_ADDR) == i + 1;
}

/* The checks of fault_around: a warm space (every page faulted once, so
 * the shared table holds them), then one read fault in a second space
 * maps the whole window, and in a third, whose region covers the middle
 * of the window only, maps that region's pages and nothing outside. */
static const char *around_checks(struct vm_space *warm, struct vm_space *full, struct vm_space *part)
{
	for (uint64_t i = 0; i < AROUND_PAGES; i++)
		if (!uvm_try_fault(warm, AROUND_BASE + i * PAGE_SIZE, false, false))
			return "a read fault in a backed read-only region was not resolved";
	for (uint64_t i = 0; i < AROUND_PAGES; i++) {
		uint64_t pa = arch_translate(warm->pml4, AROUND_BASE + i * PAGE_SIZE);
		if (!pa)
			return "a faulted page is not mapped";
		if (__atomic_load_n(&pmm_page(pa)->refcount, __ATOMIC_RELAXED) < 2)
			return SELFTEST_SKIP("the shared table had no room for the window's pages");
	}
	if (!uvm_try_fault(full, AROUND_BASE + 5 * PAGE_SIZE, false, false))
		return "the second space's read fault was not resolved";
	for (uint64_t i = 0; i < AROUND_PAGES; i++)
		if (!around_mapped(full, i) || arch_translate(full->pml4, AROUND_BASE + i * PAGE_SIZE) !=
						   arch_translate(warm->pml4, AROUND_BASE + i * PAGE_SIZE))
			return "one read fault did not map its window's shared pages read-only";
	if (full->resident != AROUND_PAGES)
		return "the pages mapped around a fault are not counted resident";
	if (!uvm_try_fault(part, AROUND_BASE + 6 * PAGE_SIZE, false, false))
		return "the third space's read fault was not resolved";
	for (uint64_t i = 0; i < AROUND_PAGES; i++)
		if (around_mapped(part, i) != (i >= 4 && i < 12))
			return "fault-around mapped outside its region or missed a page in it";
	return NULL;
}

SELFTEST(uvm_fault_around)
{
	for (uint64_t i = 0; i < AROUND_PAGES; i++)
		around_src[i * PAGE_SIZE] = (uint8_t)(i + 1);
	struct vm_space *warm = around_space(0, AROUND_PAGES), *full = around_space(0, AROUND_PAGES);
	struct vm_space *part = around_space(4, 8);
	const char *err = warm && full && part ? around_checks(warm, full, part) : "out of memory";

	if (warm)
		uvm_destroy(warm);
	if (full)
		uvm_destroy(full);
	if (part)
		uvm_destroy(part);
	return err;
}
