/* SPDX-License-Identifier: MIT */
/* A binary buddy allocator over page frame numbers: pure C, no kernel dependencies (the host tests build it). */
#ifndef KESTREL_MM_BUDDY_H
#define KESTREL_MM_BUDDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUDDY_ORDERS   11           /* blocks of 2^0 .. 2^10 pages (4 KiB .. 4 MiB) */
#define BUDDY_NONE     0xffffffffu  /* end of a free list */

#define PAGE_FREE      (1u << 0)    /* head of a free block of 2^order pages */
#define PAGE_RESERVED  (1u << 1)    /* not managed: firmware, hole, kernel image... */
#define PAGE_SLAB      (1u << 2)    /* owned by the kernel heap's size classes */
#define PAGE_UNSCRUBBED (1u << 3)   /* holds the firmware's leftovers: zero before use (pmm.c);
                                     * kept through freeing, merging and splitting */
#define PAGE_CACHED    (1u << 4)    /* a free page in a CPU's cache (pmm.c), not on a free list */

/* One descriptor per physical page, 16 bytes. Lock rule: every field is
 * protected by the allocator's lock (the caller's), except refcount,
 * which its owner changes atomically once the page is allocated. */
struct page {
	uint32_t next, prev;   /* free-list links (page frame numbers) */
	uint32_t refcount;     /* owners of an allocated block (head page) */
	uint8_t order;         /* block order, valid on a block head */
	uint8_t flags;         /* PAGE_* */
	uint16_t slab_class;   /* PAGE_SLAB: heap size class */
};

/* Lock rule: the caller's; buddy.c takes none. pmm.c, its one user, holds
 * pmm_lock (interrupts off) around every call after pmm_init, which runs
 * before any other CPU or interrupt. */
struct buddy {
	struct page *pages;     /* descriptors for pfn 0 .. npages-1 */
	uint64_t npages;
	uint32_t free_head[BUDDY_ORDERS];
	uint64_t free_blocks[BUDDY_ORDERS];
	uint64_t free_pages;    /* pages on the free lists */
	uint64_t managed_pages; /* pages ever handed to buddy_add_free */
};

/* Start with every page reserved and nothing free. */
void buddy_init(struct buddy *b, struct page *pages, uint64_t npages);
/* Hand [pfn, pfn+count) to the allocator as free memory (clipped to npages). */
void buddy_add_free(struct buddy *b, uint64_t pfn, uint64_t count);
/* A block of 2^order pages: returns its first pfn with refcount 1, or
 * -1 when no block that large is free. O(BUDDY_ORDERS). */
int64_t buddy_alloc(struct buddy *b, unsigned order);
/* Give back a block from buddy_alloc, merging with free buddies. */
void buddy_free(struct buddy *b, uint64_t pfn, unsigned order);
/* Consistency check for tests: lists, flags and counts agree. Returns
 * NULL or a static description of the first problem. */
const char *buddy_check(const struct buddy *b);

#endif
