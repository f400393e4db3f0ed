/* SPDX-License-Identifier: MIT */
/* Kestrel x86_64: the 4-level page-table format behind a small arch_* interface. */
#ifndef KESTREL_ARCH_PAGING_H
#define KESTREL_ARCH_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define PTE_P     (1ull << 0)
#define PTE_W     (1ull << 1)
#define PTE_U     (1ull << 2)
#define PTE_PWT   (1ull << 3)
#define PTE_PCD   (1ull << 4)
#define PTE_PS    (1ull << 7)
#define PTE_G     (1ull << 8)
#define PTE_COW   (1ull << 9)    /* software bit: read-only because shared copy-on-write */
#define PTE_PROTNONE (1ull << 10) /* software bit: a user PROT_NONE page, kept but not present */
#define PTE_NX    (1ull << 63)
#define PTE_ADDR  0x000ffffffffff000ull

#define PAGE_SIZE_2M 0x200000ull
#define PAGE_SIZE_1G 0x40000000ull

/* Generic protection bits; the arch turns them into PTE bits. Readable
 * is implied: x86 has no write-only or execute-only pages. */
#define VM_WRITE    (1u << 0)
#define VM_EXEC     (1u << 1)
#define VM_USER     (1u << 2)
#define VM_UNCACHED (1u << 3)
#define VM_GLOBAL   (1u << 4)
#define VM_READ     (1u << 5)   /* for user regions: PROT_NONE has none of R/W/X */
#define VM_NONE     (1u << 6)   /* a PROT_NONE user page: kept, but not present, so that
				     * no access (not even the kernel's) reaches it */
#define VM_WC       (1u << 7)   /* write-combining (PAT entry 1, pat.h): the framebuffer */

/* The page allocator for page-table pages: alloc_zeroed returns a
 * zeroed, direct-mapped 4 KiB page or NULL; free_page takes one back.
 * mm_init registers the PMM's before any mapping is made; until then
 * every mapping that needs a new table fails with -ENOMEM. */
void arch_paging_set_allocator(void *(*alloc_zeroed)(void), void (*free_page)(void *));
/* How a changed entry is flushed from every CPU that may hold it
 * (tlb.c registers its shootdown in tlb_init); until then, this CPU's
 * TLB alone. */
void arch_paging_set_flush(void (*flush)(uint64_t pml4, uint64_t va));

/* Map one 4 KiB page (or a 2 MiB / 1 GiB page with arch_map_large) in
 * the tables rooted at pml4 (physical), allocating intermediate tables
 * from the PMM. Replaces an existing 4 KiB mapping. Returns 0 or
 * -ENOMEM. Callers serialise changes to one address space. */
int arch_map_page(uint64_t pml4, uint64_t va, uint64_t pa, unsigned prot);
int arch_map_large(uint64_t pml4, uint64_t va, uint64_t pa, uint64_t size, unsigned prot);
/* Remove a 4 KiB mapping and flush it from the TLB of every CPU that
 * may hold it (tlb.h); returns the physical address it mapped, or 0 if
 * none. Replacing a present mapping (arch_map_page) and
 * arch_protect_page flush the same way. */
uint64_t arch_unmap_page(uint64_t pml4, uint64_t va);
/* The same without any flush, for a caller that gathers many (mm's
 * tlb_batch): it must flush (tlb.h) before va is mapped again or the
 * page it mapped is freed. */
uint64_t arch_unmap_page_deferred(uint64_t pml4, uint64_t va);
/* Change a 4 KiB mapping's protection; -EFAULT if not mapped. A page
 * made VM_NONE stays in the tables (PTE_PROTNONE) for a later change:
 * every function here treats it as mapped, the CPU as absent. */
int arch_protect_page(uint64_t pml4, uint64_t va, unsigned prot);
/* Give the mapped leaf entry *pte protection prot in place (a PTE_COW
 * page stays read-only), with no flush: the caller flushes (tlb.h). */
void arch_pte_protect(uint64_t *pte, unsigned prot);
/* Make sure the PML4 entry covering va points to a table. */
int arch_ensure_pml4_entry(uint64_t pml4, uint64_t va);

/* The physical address va maps to in pml4 (4 KiB pages), or 0. */
uint64_t arch_translate(uint64_t pml4, uint64_t va);
/* Free the page-table pages of the lower (user) half of pml4; the
 * mapped pages themselves must have been unmapped already, and pml4
 * retired (tlb_retire_pml4) so that no CPU still walks it. */
void arch_free_user_tables(uint64_t pml4);

/* Call fn(va, pte, ctx) for every present 4 KiB mapping in [start, end)
 * of a user address space, skipping absent tables (fast on sparse
 * regions). fn may change *pte; the caller flushes the TLB. */
void arch_walk_user(uint64_t pml4, uint64_t start, uint64_t end,
		    void (*fn)(uint64_t va, uint64_t *pte, void *ctx), void *ctx);
/* The leaf entry for va in pml4 (4 KiB pages), or NULL. */
uint64_t *arch_pte(uint64_t pml4, uint64_t va);
/* The leaf entry slot for va in pml4 (4 KiB pages), its tables created
 * if missing (the slot itself may be empty: the caller fills it, and
 * flushes if it replaces a present entry); NULL when out of memory or
 * inside a large page. The slots of one PAGE_SIZE_2M-aligned block are
 * one array: the slot of va + k pages is this one + k within the block
 * (so a caller filling many pages walks once a block). */
uint64_t *arch_pte_alloc(uint64_t pml4, uint64_t va);
/* Fill the empty leaf slot *pte (from arch_pte_alloc: nothing to flush,
 * no CPU holds an entry for it) with a mapping of pa with protection
 * prot; cow: mark it PTE_COW and read-only (a shared page). */
void arch_pte_fill(uint64_t *pte, uint64_t pa, unsigned prot, bool cow);
void arch_invlpg(uint64_t va);

uint64_t arch_current_pml4(void);
void arch_switch_pml4(uint64_t pml4);
/* Flush every TLB entry, global ones included. */
void arch_flush_tlb_all(void);

/* The leaf entry mapping addr in the current CR3 (with PTE_PS set for a
 * large page), or 0 if it is not mapped. Lock-free, read-only: usable
 * from the panic path. */
uint64_t arch_leaf_entry(uint64_t addr);
bool arch_kernel_addr_mapped(uint64_t addr);

#endif
