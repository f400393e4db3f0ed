// SPDX-License-Identifier: MIT
/* Kestrel: gathering TLB flushes and the pages they free (see tlb_batch.h). */
#include <stddef.h>
#include "mm/tlb_batch.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "arch/x86_64/tlb.h"

#define BLOCK_PREV  0   /* in an extra page: the previous extra page (direct map), or 0 */
#define BLOCK_COUNT 1   /* how many addresses follow */
#define BLOCK_FIRST 2
#define BLOCK_SLOTS (PAGE_SIZE / sizeof(uint64_t))

void tlb_batch_init(struct tlb_batch *b, uint64_t pml4, void (*release)(uint64_t pa))
{
	b->pml4 = pml4;
	b->release = release;
	b->start = b->end = 0;
	b->n = 0;
	b->block = NULL;
	b->nblocks = 0;
}

void tlb_batch_add(struct tlb_batch *b, uint64_t va)
{
	va = page_round_down(va);
	if (b->start == b->end) {
		b->start = va;
		b->end = va + PAGE_SIZE;
		return;
	}
	if (va < b->start)
		b->start = va;
	if (va + PAGE_SIZE > b->end)
		b->end = va + PAGE_SIZE;
}

/* Room for one more page: a new extra page when the current one is
 * full. False when there is none (too many, or no memory). */
static bool block_room(struct tlb_batch *b)
{
	if (b->block && b->block[BLOCK_COUNT] < BLOCK_SLOTS - BLOCK_FIRST)
		return true;
	if (b->nblocks >= TLB_BATCH_MAX_BLOCKS)
		return false;
	uint64_t pa = pmm_alloc(0);
	if (!pa)
		return false;
	uint64_t *blk = phys_to_virt(pa);
	blk[BLOCK_PREV] = (uint64_t)b->block;
	blk[BLOCK_COUNT] = 0;
	b->block = blk;
	b->nblocks++;
	return true;
}

void tlb_batch_drop(struct tlb_batch *b, uint64_t va, uint64_t pa)
{
	tlb_batch_add(b, va);
	if (b->n < TLB_BATCH_INLINE) {
		b->pages[b->n++] = pa;
		return;
	}
	if (!block_room(b)) {
		tlb_batch_finish(b); /* flush now: the pages gathered so far go */
		tlb_batch_add(b, va);
		b->pages[b->n++] = pa;
		return;
	}
	b->block[BLOCK_FIRST + b->block[BLOCK_COUNT]++] = pa;
}

/* Release every gathered page and give the extra pages back. */
static void release_all(struct tlb_batch *b)
{
	for (unsigned i = 0; i < b->n; i++)
		b->release(b->pages[i]);
	b->n = 0;
	while (b->block) {
		uint64_t *blk = b->block;
		for (uint64_t i = 0; i < blk[BLOCK_COUNT]; i++)
			b->release(blk[BLOCK_FIRST + i]);
		b->block = (uint64_t *)blk[BLOCK_PREV];
		pmm_free(virt_to_phys(blk), 0);
	}
	b->nblocks = 0;
}

void tlb_batch_finish(struct tlb_batch *b)
{
	if (b->start != b->end) {
		if (b->pml4 == TLB_BATCH_KERNEL)
			tlb_shootdown_kernel(b->start, b->end);
		else
			tlb_shootdown(b->pml4, b->start, b->end);
	}
	b->start = b->end = 0;
	release_all(b);
}
