// SPDX-License-Identifier: MIT
/*
 * Kestrel: the vmalloc area. Areas are handed out first-fit from a list
 * of free address ranges (initially the whole area) and recorded in a
 * list of live areas; each area is one guard page followed by its
 * mapped pages. Freed ranges merge with their neighbours.
 */
#include "mm/vmalloc.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include "lib/spinlock.h"
#include "panic.h"

#define GUARD_PAGES 1

struct vm_range {
	uint64_t start, pages;    /* pages include the guard */
	bool owns_pages;          /* false for vmalloc_map_phys */
	struct vm_range *next;
};

/* Lock rule: vm_lock protects both lists. */
static struct spinlock vm_lock = SPINLOCK_INIT;
static struct vm_range *free_list; /* sorted by start */
static struct vm_range *live_list;
static struct vm_range whole = { VMALLOC_BASE, (VMALLOC_END - VMALLOC_BASE) / PAGE_SIZE, false, NULL };

/* Carve `pages` from the first free range big enough; returns the start
 * address or 0. Called with vm_lock held. */
static uint64_t take_range(uint64_t pages)
{
	if (!free_list && whole.pages)
		free_list = &whole;
	for (struct vm_range **pp = &free_list; *pp; pp = &(*pp)->next) {
		struct vm_range *r = *pp;
		if (r->pages < pages)
			continue;
		uint64_t start = r->start;
		r->start += pages * PAGE_SIZE;
		r->pages -= pages;
		if (r->pages == 0) {
			*pp = r->next;
			if (r != &whole)
				kfree(r);
		}
		return start;
	}
	return 0;
}

/* Absorb n's successor if the two ranges touch. */
static void merge_with_next(struct vm_range *n)
{
	struct vm_range *next = n->next;

	if (!next || n->start + n->pages * PAGE_SIZE != next->start)
		return;
	n->pages += next->pages;
	n->next = next->next;
	if (next != &whole)
		kfree(next);
}

/* Put a range back in the sorted free list, merging with both
 * neighbours. The node is reused as the free-list entry. Called with
 * vm_lock held. */
static void give_back(struct vm_range *node)
{
	struct vm_range *prev = NULL, *cur = free_list;

	while (cur && cur->start < node->start) {
		prev = cur;
		cur = cur->next;
	}
	node->next = cur;
	if (prev)
		prev->next = node;
	else
		free_list = node;
	merge_with_next(node);
	if (prev)
		merge_with_next(prev);
}

/* Reserve an area of `pages` mapped pages plus the guard, and record it. */
static struct vm_range *reserve(uint64_t pages, bool owns)
{
	struct vm_range *area = kmalloc(sizeof(*area));
	if (!area)
		return NULL;
	uint64_t flags = spin_lock_irqsave(&vm_lock);
	uint64_t start = take_range(pages + GUARD_PAGES);
	if (start) {
		*area = (struct vm_range){ start, pages + GUARD_PAGES, owns, live_list };
		live_list = area;
	}
	spin_unlock_irqrestore(&vm_lock, flags);
	if (!start) {
		kfree(area);
		return NULL;
	}
	return area;
}

static uint64_t first_page(const struct vm_range *a)
{
	return a->start + GUARD_PAGES * PAGE_SIZE;
}

static void unmap_area(const struct vm_range *a)
{
	for (uint64_t i = 0; i < a->pages - GUARD_PAGES; i++) {
		uint64_t pa = vmm_unmap_kernel(first_page(a) + i * PAGE_SIZE);
		if (pa && a->owns_pages)
			pmm_free(pa, 0);
	}
}

void *vmalloc(size_t size)
{
	uint64_t pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	struct vm_range *a = reserve(pages, true);

	if (!a)
		return NULL;
	for (uint64_t i = 0; i < pages; i++) {
		void *pg = page_alloc_zeroed();
		if (!pg || vmm_map_kernel(first_page(a) + i * PAGE_SIZE, virt_to_phys(pg), VM_WRITE)) {
			if (pg)
				page_free(pg);
			vfree((void *)first_page(a));
			return NULL;
		}
	}
	return (void *)first_page(a);
}

void *vmalloc_map_phys(uint64_t pa, size_t len, unsigned prot)
{
	uint64_t off = pa & (PAGE_SIZE - 1);
	uint64_t pages = (off + len + PAGE_SIZE - 1) / PAGE_SIZE;
	struct vm_range *a = reserve(pages, false);

	if (!a)
		return NULL;
	for (uint64_t i = 0; i < pages; i++)
		if (vmm_map_kernel(first_page(a) + i * PAGE_SIZE, pa - off + i * PAGE_SIZE, prot)) {
			vfree((void *)first_page(a));
			return NULL;
		}
	return (void *)(first_page(a) + off);
}

void vfree(void *p)
{
	uint64_t va = (uint64_t)p & ~(PAGE_SIZE - 1);
	struct vm_range *a = NULL;

	if (!p)
		return;
	uint64_t flags = spin_lock_irqsave(&vm_lock);
	for (struct vm_range **pp = &live_list; *pp; pp = &(*pp)->next)
		if (first_page(*pp) == va) {
			a = *pp;
			*pp = a->next;
			break;
		}
	spin_unlock_irqrestore(&vm_lock, flags);
	if (!a)
		panic("vfree: %p is not a vmalloc area", p);
	unmap_area(a);
	flags = spin_lock_irqsave(&vm_lock);
	give_back(a);
	spin_unlock_irqrestore(&vm_lock, flags);
}

uint64_t kstack_alloc(void)
{
	void *base = vmalloc(KSTACK_SIZE);
	return base ? (uint64_t)base + KSTACK_SIZE : 0;
}

void kstack_free(uint64_t top)
{
	vfree((void *)(top - KSTACK_SIZE));
}

bool vmalloc_is_guard(uint64_t va)
{
	/* Lock-free read for the panic path: the list only grows at its head. */
	for (const struct vm_range *a = live_list; a; a = a->next)
		if (va >= a->start && va < first_page(a))
			return true;
	return false;
}
