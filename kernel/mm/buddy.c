// SPDX-License-Identifier: MIT
/*
 * Kestrel: the binary buddy allocator. A free block of 2^k pages sits on
 * free list k, its head page marked PAGE_FREE with order k; its buddy is
 * the block whose pfn differs in bit k. Allocation splits the smallest
 * big-enough block; freeing merges with the buddy while it is free and
 * of the same order. Both are O(BUDDY_ORDERS).
 */
#include "mm/buddy.h"

static void list_push(struct buddy *b, uint64_t pfn, unsigned order)
{
	struct page *p = &b->pages[pfn];

	p->flags = (uint8_t)((p->flags & PAGE_UNSCRUBBED) | PAGE_FREE);
	p->order = (uint8_t)order;
	p->refcount = 0;
	p->prev = BUDDY_NONE;
	p->next = b->free_head[order];
	if (p->next != BUDDY_NONE)
		b->pages[p->next].prev = (uint32_t)pfn;
	b->free_head[order] = (uint32_t)pfn;
	b->free_blocks[order]++;
	b->free_pages += 1ull << order;
}

static void list_remove(struct buddy *b, uint64_t pfn)
{
	struct page *p = &b->pages[pfn];
	unsigned order = p->order;

	if (p->prev != BUDDY_NONE)
		b->pages[p->prev].next = p->next;
	else
		b->free_head[order] = p->next;
	if (p->next != BUDDY_NONE)
		b->pages[p->next].prev = p->prev;
	p->flags &= (uint8_t)~PAGE_FREE;
	b->free_blocks[order]--;
	b->free_pages -= 1ull << order;
}

void buddy_init(struct buddy *b, struct page *pages, uint64_t npages)
{
	b->pages = pages;
	b->npages = npages;
	b->free_pages = 0;
	b->managed_pages = 0;
	for (unsigned k = 0; k < BUDDY_ORDERS; k++) {
		b->free_head[k] = BUDDY_NONE;
		b->free_blocks[k] = 0;
	}
	for (uint64_t i = 0; i < npages; i++)
		pages[i] = (struct page){ BUDDY_NONE, BUDDY_NONE, 0, 0, PAGE_RESERVED, 0 };
}

/* Free a block, merging upwards while the buddy is a free block of the
 * same order. */
void buddy_free(struct buddy *b, uint64_t pfn, unsigned order)
{
	b->pages[pfn].flags &= (uint8_t)~(PAGE_RESERVED | PAGE_SLAB);
	while (order + 1 < BUDDY_ORDERS) {
		uint64_t buddy = pfn ^ (1ull << order);
		if (buddy + (1ull << order) > b->npages)
			break;
		const struct page *bp = &b->pages[buddy];
		if (!(bp->flags & PAGE_FREE) || bp->order != order)
			break;
		list_remove(b, buddy);
		if (buddy < pfn)
			pfn = buddy;
		order++;
	}
	list_push(b, pfn, order);
}

void buddy_add_free(struct buddy *b, uint64_t pfn, uint64_t count)
{
	if (pfn >= b->npages)
		return;
	if (count > b->npages - pfn)
		count = b->npages - pfn;
	b->managed_pages += count;
	while (count) {
		/* the largest aligned block that starts at pfn and fits */
		unsigned order = 0;
		while (order + 1 < BUDDY_ORDERS && !(pfn & ((2ull << order) - 1)) &&
		       (2ull << order) <= count)
			order++;
		for (uint64_t i = 0; i < (1ull << order); i++)
			b->pages[pfn + i].flags = 0;
		buddy_free(b, pfn, order);
		pfn += 1ull << order;
		count -= 1ull << order;
	}
}

int64_t buddy_alloc(struct buddy *b, unsigned order)
{
	unsigned k = order;

	if (order >= BUDDY_ORDERS)
		return -1;
	while (k < BUDDY_ORDERS && b->free_head[k] == BUDDY_NONE)
		k++;
	if (k == BUDDY_ORDERS)
		return -1;
	uint64_t pfn = b->free_head[k];
	list_remove(b, pfn);
	while (k > order) { /* split: the upper half goes back on list k-1 */
		k--;
		list_push(b, pfn + (1ull << k), k);
	}
	b->pages[pfn].order = (uint8_t)order;
	b->pages[pfn].refcount = 1;
	return (int64_t)pfn;
}

const char *buddy_check(const struct buddy *b)
{
	uint64_t pages = 0;

	for (unsigned k = 0; k < BUDDY_ORDERS; k++) {
		uint64_t blocks = 0;
		uint32_t prev = BUDDY_NONE;
		for (uint32_t p = b->free_head[k]; p != BUDDY_NONE; p = b->pages[p].next) {
			const struct page *pg = &b->pages[p];
			if (p >= b->npages || !(pg->flags & PAGE_FREE) || pg->order != k)
				return "a free-list entry is not a free block of its order";
			if (pg->prev != prev)
				return "broken prev link";
			if (p & ((1u << k) - 1))
				return "misaligned free block";
			if (++blocks > b->npages)
				return "free-list cycle";
			prev = p;
		}
		if (blocks != b->free_blocks[k])
			return "free-block count mismatch";
		pages += blocks << k;
	}
	if (pages != b->free_pages)
		return "free-page count mismatch";
	return NULL;
}
