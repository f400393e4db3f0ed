/* SPDX-License-Identifier: MIT */
/* Gathering TLB flushes: many unmapped or weakened pages, one shootdown, pages freed after it. */
#ifndef KESTREL_MM_TLB_BATCH_H
#define KESTREL_MM_TLB_BATCH_H

#include <stdint.h>

/*
 * A walk that removes or weakens many mappings (munmap, exit, mprotect,
 * fork's write-protection, mremap, vfree) clears the entries without
 * flushing, records each address here, and the pages whose last
 * mapping it removed; tlb_batch_finish then flushes the whole range on
 * every CPU that may hold it (arch/x86_64/tlb.h: one round of IPIs) and
 * only then releases the pages, so that no CPU can reach a page through
 * a stale entry once it is free. A batch lives on its user's stack for
 * one operation, under the kernel lock; it flushes early only when its
 * page list is full (TLB_BATCH_MAX_BLOCKS pages of addresses, or no
 * memory for another).
 */

#define TLB_BATCH_KERNEL   0    /* the pml4 of a batch of kernel-half addresses */
#define TLB_BATCH_INLINE   32   /* pages held without allocating */
#define TLB_BATCH_MAX_BLOCKS 16 /* extra pages of addresses (511 each) before a flush */

struct tlb_batch {
	uint64_t pml4;              /* the space, or TLB_BATCH_KERNEL */
	void (*release)(uint64_t pa); /* drops a gathered page's reference */
	uint64_t start, end;        /* the range to flush; start == end: nothing */
	unsigned n;                 /* pages in `pages` */
	uint64_t pages[TLB_BATCH_INLINE];
	uint64_t *block;            /* the newest extra page: [0] the previous one, [1] the count */
	unsigned nblocks;
};

/* An empty batch for the address space pml4 (TLB_BATCH_KERNEL: the
 * kernel half); release drops a gathered page (page_ref_put for user
 * pages, a plain free for the kernel's own). */
void tlb_batch_init(struct tlb_batch *b, uint64_t pml4, void (*release)(uint64_t pa));

/* va's mapping was removed or weakened (its entry already changed). */
void tlb_batch_add(struct tlb_batch *b, uint64_t va);

/* The same, and the mapping was the one to page pa, whose reference is
 * released after the flush. */
void tlb_batch_drop(struct tlb_batch *b, uint64_t va, uint64_t pa);

/* Flush what was gathered on every CPU, then release the pages. The
 * batch is empty again (and may be reused). */
void tlb_batch_finish(struct tlb_batch *b);

#endif
