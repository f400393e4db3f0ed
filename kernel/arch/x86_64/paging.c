// SPDX-License-Identifier: MIT
/* Kestrel x86_64: creating, changing and walking 4-level page tables. */
#include <stddef.h>
#include "arch/x86_64/paging.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"
#include "mm/layout.h"

#define CR4_PGE (1ull << 7)
#define LEVEL_SHIFT_PML4 39
#define LEVEL_SHIFT_PDPT 30
#define LEVEL_SHIFT_PD   21
#define LEVEL_SHIFT_PT   12

/* Where page-table pages come from: the PMM, which sits above arch/ and
 * so registers itself (mm_init, before the first mapping is made). */
static void *(*table_alloc)(void);
static void (*table_free)(void *table);

void arch_paging_set_allocator(void *(*alloc_zeroed)(void), void (*free_page)(void *))
{
	table_alloc = alloc_zeroed;
	table_free = free_page;
}

static inline unsigned index_at(uint64_t va, int shift)
{
	return (va >> shift) & 511;
}

/* A leaf that maps a page: present, or kept as PROT_NONE. */
static inline bool leaf_mapped(uint64_t e)
{
	return e & (PTE_P | PTE_PROTNONE);
}

static inline uint64_t *table_virt(uint64_t phys)
{
	return phys_to_virt(phys & PTE_ADDR);
}

static uint64_t leaf_bits(unsigned prot)
{
	uint64_t e = PTE_P;

	if (prot & VM_NONE)
		return PTE_PROTNONE | PTE_NX | (prot & VM_USER ? PTE_U : 0);
	if (prot & VM_WRITE)
		e |= PTE_W;
	if (!(prot & VM_EXEC))
		e |= PTE_NX;
	if (prot & VM_USER)
		e |= PTE_U;
	if (prot & VM_UNCACHED)
		e |= PTE_PCD | PTE_PWT;
	else if (prot & VM_WC)
		e |= PTE_PWT; /* PAT entry 1: write-combining once pat_init ran, else write-through */
	if (prot & VM_GLOBAL)
		e |= PTE_G;
	return e;
}

/* The entry in the table at level `shift` for va, walking down from the
 * PML4 and creating missing tables when asked. Intermediate entries are
 * present and writable (and user for user addresses): leaves decide. */
static uint64_t *walk(uint64_t pml4, uint64_t va, int stop_shift, bool create)
{
	uint64_t *table = table_virt(pml4);

	for (int shift = LEVEL_SHIFT_PML4; shift > stop_shift; shift -= 9) {
		uint64_t *e = &table[index_at(va, shift)];
		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			void *t = table_alloc ? table_alloc() : NULL;
			if (!t)
				return NULL;
			*e = virt_to_phys(t) | PTE_P | PTE_W | (va < USER_TOP ? PTE_U : 0);
		} else if (*e & PTE_PS) {
			return NULL; /* inside a large page */
		}
		table = table_virt(*e);
	}
	return &table[index_at(va, stop_shift)];
}

static void invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}

void arch_invlpg(uint64_t va)
{
	invlpg(va);
}

/* Who flushes a changed entry from every CPU that may hold it: tlb.c,
 * which sits above (it reaches the other CPUs) and registers itself at
 * boot (tlb_init). Before that one CPU runs, and this CPU's TLB is all. */
static void (*flush_hook)(uint64_t pml4, uint64_t va);

void arch_paging_set_flush(void (*flush)(uint64_t pml4, uint64_t va))
{
	flush_hook = flush;
}

/* va's old translation in pml4 is gone or weaker: flush it on every CPU
 * that may hold it (every CPU for a kernel-half address). */
static void flush_one(uint64_t pml4, uint64_t va)
{
	if (flush_hook)
		flush_hook(pml4, va);
	else if (pml4 == arch_current_pml4() || va >= KERNEL_HALF)
		invlpg(va);
}

uint64_t *arch_pte(uint64_t pml4, uint64_t va)
{
	uint64_t *e = walk(pml4, va, LEVEL_SHIFT_PT, false);
	return e && leaf_mapped(*e) ? e : NULL;
}

uint64_t *arch_pte_alloc(uint64_t pml4, uint64_t va)
{
	return walk(pml4, va, LEVEL_SHIFT_PT, true);
}

/* Visit the entries of the table behind e covering [start, end). */
static void walk_range(uint64_t table_phys, int shift, uint64_t start, uint64_t end,
		       void (*fn)(uint64_t, uint64_t *, void *), void *ctx)
{
	uint64_t *t = table_virt(table_phys);
	uint64_t span = 1ull << shift;

	for (uint64_t va = start; va < end;) {
		uint64_t next = (va & ~(span - 1)) + span;
		uint64_t *e = &t[index_at(va, shift)];
		if (shift == LEVEL_SHIFT_PT) {
			if (leaf_mapped(*e))
				fn(va, e, ctx);
		} else if ((*e & PTE_P) && !(*e & PTE_PS)) {
			walk_range(*e, shift - 9, va, next < end ? next : end, fn, ctx);
		}
		if (next <= va)
			break; /* wrapped at the top of the address space */
		va = next;
	}
}

void arch_walk_user(uint64_t pml4, uint64_t start, uint64_t end,
		    void (*fn)(uint64_t va, uint64_t *pte, void *ctx), void *ctx)
{
	if (end > USER_TOP)
		end = USER_TOP;
	if (start < end)
		walk_range(pml4, LEVEL_SHIFT_PML4, start, end, fn, ctx);
}

int arch_map_page(uint64_t pml4, uint64_t va, uint64_t pa, unsigned prot)
{
	uint64_t *e = walk(pml4, va, LEVEL_SHIFT_PT, true);

	if (!e)
		return -ENOMEM;
	bool was = *e & PTE_P;
	*e = (pa & PTE_ADDR) | leaf_bits(prot);
	if (was)
		flush_one(pml4, va);
	return 0;
}

void arch_pte_fill(uint64_t *pte, uint64_t pa, unsigned prot, bool cow)
{
	uint64_t e = (pa & PTE_ADDR) | leaf_bits(prot);

	*pte = cow ? (e & ~PTE_W) | PTE_COW : e;
}

int arch_map_large(uint64_t pml4, uint64_t va, uint64_t pa, uint64_t size, unsigned prot)
{
	int shift = size == PAGE_SIZE_1G ? LEVEL_SHIFT_PDPT : LEVEL_SHIFT_PD;
	uint64_t *e = walk(pml4, va, shift, true);

	if (!e)
		return -ENOMEM;
	*e = (pa & PTE_ADDR) | leaf_bits(prot) | PTE_PS;
	return 0;
}

uint64_t arch_unmap_page_deferred(uint64_t pml4, uint64_t va)
{
	uint64_t *e = walk(pml4, va, LEVEL_SHIFT_PT, false);

	if (!e || !leaf_mapped(*e))
		return 0;
	uint64_t pa = *e & PTE_ADDR;
	*e = 0;
	return pa;
}

uint64_t arch_unmap_page(uint64_t pml4, uint64_t va)
{
	uint64_t pa = arch_unmap_page_deferred(pml4, va);

	if (pa)
		flush_one(pml4, va);
	return pa;
}

void arch_pte_protect(uint64_t *pte, unsigned prot)
{
	uint64_t cow = *pte & PTE_COW; /* a shared page stays read-only until the write fault copies it */

	*pte = (*pte & PTE_ADDR) | leaf_bits(prot) | cow;
	if (cow)
		*pte &= ~PTE_W;
}

int arch_protect_page(uint64_t pml4, uint64_t va, unsigned prot)
{
	uint64_t *e = walk(pml4, va, LEVEL_SHIFT_PT, false);

	if (!e || !leaf_mapped(*e))
		return -EFAULT;
	arch_pte_protect(e, prot);
	flush_one(pml4, va);
	return 0;
}

uint64_t arch_translate(uint64_t pml4, uint64_t va)
{
	uint64_t *e = walk(pml4, va, LEVEL_SHIFT_PT, false);

	return e && leaf_mapped(*e) ? *e & PTE_ADDR : 0;
}

/* Does entry e point to a table (not absent, not a large page)? */
static inline bool points_to_table(uint64_t e)
{
	return (e & (PTE_P | PTE_PS)) == PTE_P;
}

/* Slots of a table looked at together when freeing: a process's upper
 * tables are nearly all empty, and one test for eight of them saved a
 * fifth of a fork + exit (12k of 62k instructions). */
#define FREE_SCAN 8

/* Free the tables below entry e (which points to a table) at the given
 * level, then e's table. The test is made before the call, not by a
 * call on each of the 512 slots of every table. */
static void free_table(uint64_t e, int shift)
{
	uint64_t *t = table_virt(e);

	for (unsigned i = 0; shift > LEVEL_SHIFT_PT && i < 512; i += FREE_SCAN) {
		if (!((t[i] | t[i + 1] | t[i + 2] | t[i + 3] | t[i + 4] | t[i + 5] | t[i + 6] |
		       t[i + 7]) & PTE_P))
			continue;
		for (unsigned k = i; k < i + FREE_SCAN; k++)
			if (points_to_table(t[k]))
				free_table(t[k], shift - 9);
	}
	table_free(t);
}

void arch_free_user_tables(uint64_t pml4)
{
	uint64_t *root = table_virt(pml4);

	for (unsigned i = 0; i < PML4_KERNEL_FIRST; i++) {
		if (points_to_table(root[i]))
			free_table(root[i], LEVEL_SHIFT_PDPT);
		root[i] = 0;
	}
}

int arch_ensure_pml4_entry(uint64_t pml4, uint64_t va)
{
	return walk(pml4, va, LEVEL_SHIFT_PDPT, true) ? 0 : -ENOMEM;
}

uint64_t arch_current_pml4(void)
{
	return read_cr3() & PTE_ADDR;
}

void arch_switch_pml4(uint64_t pml4)
{
	__asm__ volatile("mov %0, %%cr3" ::"r"(pml4) : "memory");
}

void arch_flush_tlb_all(void)
{
	uint64_t cr4 = read_cr4();

	if (cr4 & CR4_PGE) { /* toggling PGE flushes global entries too */
		__asm__ volatile("mov %0, %%cr4" ::"r"(cr4 & ~CR4_PGE) : "memory");
		__asm__ volatile("mov %0, %%cr4" ::"r"(cr4) : "memory");
	} else {
		arch_switch_pml4(arch_current_pml4());
	}
}

uint64_t arch_leaf_entry(uint64_t addr)
{
	uint64_t table = arch_current_pml4();

	for (int shift = LEVEL_SHIFT_PML4; shift >= LEVEL_SHIFT_PT; shift -= 9) {
		if (!phys_in_direct_map(table))
			return 0;
		uint64_t e = table_virt(table)[index_at(addr, shift)];
		if (!(e & PTE_P))
			return 0;
		if (shift == LEVEL_SHIFT_PT || (shift <= LEVEL_SHIFT_PDPT && (e & PTE_PS)))
			return e;
		table = e & PTE_ADDR;
	}
	return 0;
}

/* Is addr a kernel address (the upper half) mapped in the current CR3?
 * A user page is not one: the panic path's backtrace asks this of a
 * stopped CPU's RBP, which at syscall_entry's first instruction is still
 * the user's, and reading that page with SMAP on faults (a recursive
 * panic that lost the first panic's message). */
bool arch_kernel_addr_mapped(uint64_t addr)
{
	return addr >= KERNEL_HALF && arch_leaf_entry(addr) != 0;
}
