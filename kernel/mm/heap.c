// SPDX-License-Identifier: MIT
/*
 * Kestrel: the kernel heap. Small sizes (16 .. 2048 bytes, powers of two)
 * come from slab pages, one size class per page; the page's struct page
 * holds the slab bookkeeping, so objects fill the whole page. Larger
 * sizes get a buddy block. Everything is addressed through the direct
 * map, so kfree finds the struct page from the pointer.
 *
 * A slab page's struct page: next/prev link it into its class's list of
 * pages with free objects; refcount counts objects in use; slab_class
 * holds the class in its low 4 bits and 1 + the index of the first free
 * object in the upper 12 (0: none). A free object starts with the
 * uint16_t 1 + index of the next free one.
 */
#include "mm/heap.h"
#include "mm/pmm.h"
#include "mm/layout.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "panic.h"

#define CLASS_MIN_SHIFT 4                   /* 16 bytes */
#define CLASS_COUNT     8                   /* 16 .. 2048 */
#define CLASS_MASK      0xfu
#define FREE_SHIFT      4

static struct spinlock heap_lock = SPINLOCK_INIT;
static uint32_t partial[CLASS_COUNT] = { BUDDY_NONE, BUDDY_NONE, BUDDY_NONE, BUDDY_NONE,
					  BUDDY_NONE, BUDDY_NONE, BUDDY_NONE, BUDDY_NONE };
static struct heap_stats stats;

static unsigned size_class(size_t size)
{
	unsigned c = 0;
	while ((16u << c) < size)
		c++;
	return c;
}

static size_t class_size(unsigned c)
{
	return (size_t)16 << c;
}

static unsigned order_for(size_t size)
{
	unsigned order = 0;
	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

static struct page *page_of_pfn(uint32_t pfn)
{
	return pmm_page((uint64_t)pfn * PAGE_SIZE);
}

static char *pfn_addr(uint32_t pfn)
{
	return phys_to_virt((uint64_t)pfn * PAGE_SIZE);
}

static uint16_t *link_of(char *page, size_t osize, unsigned idx)
{
	return (uint16_t *)(page + idx * osize);
}

static void partial_push(unsigned c, uint32_t pfn)
{
	struct page *pg = page_of_pfn(pfn);
	pg->prev = BUDDY_NONE;
	pg->next = partial[c];
	if (pg->next != BUDDY_NONE)
		page_of_pfn(pg->next)->prev = pfn;
	partial[c] = pfn;
}

static void partial_remove(unsigned c, uint32_t pfn)
{
	struct page *pg = page_of_pfn(pfn);
	if (pg->prev != BUDDY_NONE)
		page_of_pfn(pg->prev)->next = pg->next;
	else
		partial[c] = pg->next;
	if (pg->next != BUDDY_NONE)
		page_of_pfn(pg->next)->prev = pg->prev;
}

/* A fresh slab page for class c with every object on its free list. */
static bool slab_grow(unsigned c)
{
	uint64_t phys = pmm_alloc(0);
	if (!phys)
		return false;
	uint32_t pfn = (uint32_t)(phys / PAGE_SIZE);
	struct page *pg = page_of_pfn(pfn);
	size_t osize = class_size(c);
	unsigned n = (unsigned)(PAGE_SIZE / osize);
	char *page = pfn_addr(pfn);

	for (unsigned i = 0; i < n; i++)
		*link_of(page, osize, i) = (uint16_t)(i + 1 < n ? i + 2 : 0);
	pg->flags |= PAGE_SLAB;
	pg->refcount = 0;
	pg->slab_class = (uint16_t)(c | (1u << FREE_SHIFT)); /* first free: index 0 */
	partial_push(c, pfn);
	stats.slab_pages++;
	return true;
}

static void *slab_alloc(unsigned c)
{
	if (partial[c] == BUDDY_NONE && !slab_grow(c))
		return NULL;
	uint32_t pfn = partial[c];
	struct page *pg = page_of_pfn(pfn);
	unsigned idx = (pg->slab_class >> FREE_SHIFT) - 1;
	char *obj = pfn_addr(pfn) + idx * class_size(c);
	uint16_t next = *(uint16_t *)obj;

	pg->slab_class = (uint16_t)(c | (unsigned)next << FREE_SHIFT);
	pg->refcount++;
	if (next == 0)
		partial_remove(c, pfn);
	stats.small_in_use++;
	return obj;
}

/* Return obj to its page; an empty page goes back to the PMM unless it
 * is the class's only page with free objects (keeps a warm page). */
static void slab_free(struct page *pg, uint32_t pfn, void *obj)
{
	unsigned c = pg->slab_class & CLASS_MASK;
	size_t osize = class_size(c);
	uint64_t off = (uint64_t)obj - (uint64_t)pfn_addr(pfn);

	if (off % osize)
		panic("kfree: %p is not the start of a %zu-byte object", obj, osize);
	unsigned first = pg->slab_class >> FREE_SHIFT;
	*(uint16_t *)obj = (uint16_t)first;
	pg->slab_class = (uint16_t)(c | (unsigned)(off / osize + 1) << FREE_SHIFT);
	pg->refcount--;
	stats.small_in_use--;
	if (first == 0)
		partial_push(c, pfn);
	if (pg->refcount == 0 && !(partial[c] == pfn && pg->next == BUDDY_NONE)) {
		partial_remove(c, pfn);
		pg->flags &= (uint8_t)~PAGE_SLAB;
		pg->refcount = 1;
		stats.slab_pages--;
		pmm_free((uint64_t)pfn * PAGE_SIZE, 0);
	}
}

void *kmalloc(size_t size)
{
	if (size == 0)
		size = 1;
	if (size > HEAP_MAX_SMALL) {
		uint64_t phys = pmm_alloc(order_for(size));
		if (!phys)
			return NULL;
		__atomic_add_fetch(&stats.large_in_use, 1, __ATOMIC_RELAXED);
		return phys_to_virt(phys);
	}
	uint64_t flags = spin_lock_irqsave(&heap_lock);
	void *p = slab_alloc(size_class(size));
	spin_unlock_irqrestore(&heap_lock, flags);
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	if (!p)
		return;
	uint64_t phys = virt_to_phys(p);
	struct page *pg = (uint64_t)p >= DIRECT_MAP_BASE ? pmm_page(phys) : NULL;
	if (!pg || (pg->flags & (PAGE_FREE | PAGE_RESERVED)))
		panic("kfree: %p was not allocated by kmalloc", p);
	if (!(pg->flags & PAGE_SLAB)) {
		if (page_offset(phys))
			panic("kfree: %p is inside a large block", p);
		__atomic_sub_fetch(&stats.large_in_use, 1, __ATOMIC_RELAXED);
		pmm_free(phys, pg->order);
		return;
	}
	uint64_t flags = spin_lock_irqsave(&heap_lock);
	slab_free(pg, (uint32_t)(phys / PAGE_SIZE), p);
	spin_unlock_irqrestore(&heap_lock, flags);
}

void heap_stats(struct heap_stats *out)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);
	*out = stats;
	spin_unlock_irqrestore(&heap_lock, flags);
}
