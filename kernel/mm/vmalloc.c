// SPDX-License-Identifier: MIT
/*
 * Kestrel: the vmalloc area. Areas are handed out first-fit from a list
 * of free address ranges (initially the whole area) and recorded in a
 * list of live areas; each area is one guard page followed by its
 * mapped pages. Freed ranges merge with their neighbours. Those lists
 * stay short (exec's file buffers, device registers): kernel stacks,
 * one per thread and thousands of them, have their own area of
 * fixed-size slots below.
 */
#include "mm/vmalloc.h"
#include "lib/errno.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "mm/tlb_batch.h"
#include "arch/x86_64/tlb.h"
#include "mm/vmm.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "panic.h"

#define GUARD_PAGES 1

struct vm_range {
	uint64_t start, pages;    /* pages include the guard */
	bool owns_pages;          /* false for vmalloc_map_phys */
	struct vm_range *next;
};

/* Lock rule: vm_lock protects both lists (and the kernel stacks'
 * state below), interrupts off. kstack_flush_stale holds it across a
 * TLB shootdown, so it is taken as arch/x86_64/tlb.c asks of such a
 * lock: spinning, a CPU answers the shootdown in flight (vm_lock_take),
 * or two CPUs wait for each other (kernel stacks come and go without
 * the kernel lock: fork makes its thread before taking it). */
static struct spinlock vm_lock = SPINLOCK_INIT;

/* vm_lock, interrupts off; the flags to give back to vm_lock_give. */
static uint64_t vm_lock_take(void)
{
	uint64_t flags = irq_save();

	spin_lock_irqoff_poll(&vm_lock, tlb_poll);
	return flags;
}

static void vm_lock_give(uint64_t flags)
{
	spin_unlock_irqrestore(&vm_lock, flags);
}
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
	uint64_t flags = vm_lock_take();
	uint64_t start = take_range(pages + GUARD_PAGES);
	if (start) {
		*area = (struct vm_range){ start, pages + GUARD_PAGES, owns, live_list };
		live_list = area;
	}
	vm_lock_give(flags);
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

static void free_page_phys(uint64_t pa)
{
	pmm_free(pa, 0);
}

/* Unmap the pages at [va, va + n pages) that are mapped, freeing them if
 * owned (the area's own pages; not a device's). One flush on every CPU
 * for them all (kernel-half entries are global: every CPU may hold
 * them), before the pages are freed and the range handed out again. */
static void unmap_pages(uint64_t va, uint64_t n, bool owned)
{
	struct tlb_batch b;

	tlb_batch_init(&b, TLB_BATCH_KERNEL, free_page_phys);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t at = va + i * PAGE_SIZE, pa = vmm_unmap_kernel_deferred(at);
		if (pa && owned)
			tlb_batch_drop(&b, at, pa);
		else if (pa)
			tlb_batch_add(&b, at);
	}
	tlb_batch_finish(&b);
}

/* Map n fresh zeroed pages, writable, at va: 0, or -ENOMEM after
 * unmapping and freeing whatever was mapped. */
static int map_fresh_pages(uint64_t va, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		void *pg = page_alloc_zeroed();
		if (!pg || vmm_map_kernel(va + i * PAGE_SIZE, virt_to_phys(pg), VM_WRITE)) {
			if (pg)
				page_free(pg);
			unmap_pages(va, i, true);
			return -ENOMEM;
		}
	}
	return 0;
}

static void unmap_area(const struct vm_range *a)
{
	unmap_pages(first_page(a), a->pages - GUARD_PAGES, a->owns_pages);
}

void *vmalloc(size_t size)
{
	uint64_t pages = page_count(size);
	struct vm_range *a = reserve(pages, true);

	if (!a)
		return NULL;
	if (map_fresh_pages(first_page(a), pages)) {
		vfree((void *)first_page(a));
		return NULL;
	}
	return (void *)first_page(a);
}

void *vmalloc_map_phys(uint64_t pa, size_t len, unsigned prot)
{
	uint64_t off = page_offset(pa);
	uint64_t pages = page_count(off + len);
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
	uint64_t va = page_round_down((uint64_t)p);
	struct vm_range *a = NULL;

	if (!p)
		return;
	uint64_t flags = vm_lock_take();
	for (struct vm_range **pp = &live_list; *pp; pp = &(*pp)->next)
		if (first_page(*pp) == va) {
			a = *pp;
			*pp = a->next;
			break;
		}
	vm_lock_give(flags);
	if (!a)
		panic("vfree: %p is not a vmalloc area", p);
	unmap_area(a);
	flags = vm_lock_take();
	give_back(a);
	vm_lock_give(flags);
}

/* ---------------------------------------------------------------- kernel stacks */

/* A slot: the guard (unmapped) at its bottom, the stack at its top. */
#define KSTACK_SLOT_SIZE  (2 * (uint64_t)KSTACK_SIZE)
#define KSTACK_GUARD_SIZE (KSTACK_SLOT_SIZE - KSTACK_SIZE)
#define KSTACK_SLOTS_MAX  ((KSTACK_AREA_END - KSTACK_AREA_BASE) / KSTACK_SLOT_SIZE)
#define KSTACK_FREE_MIN   256 /* first size of the stack of free slot numbers */

/* Lock rule: vm_lock protects all four. Slots below slots_used have been
 * handed out at least once; the free ones among them are the first nfree
 * numbers of free_slots, which always has room for every slot in use
 * (kstack_room grows it before a new slot is taken), so a free never
 * needs memory. */
static uint32_t *free_slots;
static uint32_t nfree, free_cap, slots_used;

/* Freed stacks kept mapped for the next kstack_alloc, as Linux's cached
 * stacks: unmapping one costs a flush on every CPU (kernel entries are
 * global: any CPU may hold them), keeping it costs KSTACK_SIZE of memory.
 * A thread's exit and the next thread's creation then change no mapping.
 * Their slots count as in use. Lock rule: vm_lock. */
#define KSTACK_CACHED_MAX 8
static uint64_t cached_tops[KSTACK_CACHED_MAX];
static size_t cached_dirty[KSTACK_CACHED_MAX]; /* bytes below its top that may be non-zero */
static uint32_t ncached;

/* Stacks freed beyond the cache: unmapped, but their slots and pages
 * wait here until KSTACK_STALE_MAX of them are flushed from every CPU in
 * one shootdown (a burst of exits then costs one round of IPIs, not one
 * each). Their slots count as in use. Lock rule: vm_lock. */
#define KSTACK_STALE_MAX 8
#define KSTACK_PAGES     (KSTACK_SIZE / PAGE_SIZE)
static uint32_t stale_slots[KSTACK_STALE_MAX];
static uint64_t stale_pages[KSTACK_STALE_MAX][KSTACK_PAGES];
static uint32_t nstale;

static uint64_t slot_top(uint32_t slot)
{
	return KSTACK_AREA_BASE + ((uint64_t)slot + 1) * KSTACK_SLOT_SIZE;
}

/* Make sure a slot can be taken and later given back without memory:
 * false when the stack of free numbers cannot grow (out of memory). */
static bool kstack_room(void)
{
	uint64_t flags = vm_lock_take();
	bool room = nfree || slots_used < free_cap;
	uint32_t cap = free_cap ? 2 * free_cap : KSTACK_FREE_MIN;
	vm_lock_give(flags);

	if (room)
		return true;
	uint32_t *grown = kmalloc(cap * sizeof(*grown)), *old = grown;
	if (!grown)
		return false;
	flags = vm_lock_take();
	if (cap > free_cap) { /* nobody grew it meanwhile */
		memcpy(grown, free_slots, nfree * sizeof(*grown));
		old = free_slots;
		free_slots = grown;
		free_cap = cap;
	}
	vm_lock_give(flags);
	kfree(old);
	return true;
}

/* A free slot's number, or -1 when there is none (room or area exhausted). */
static int64_t kstack_slot_take(void)
{
	uint64_t flags = vm_lock_take();
	int64_t slot = -1;

	if (nfree)
		slot = free_slots[--nfree];
	else if (slots_used < free_cap && slots_used < KSTACK_SLOTS_MAX)
		slot = slots_used++;
	vm_lock_give(flags);
	return slot;
}

/* Unmap and free the stack pages of slot from below top down to low,
 * then give the slot back. */
static void kstack_slot_put(uint32_t slot, uint64_t low)
{
	unmap_pages(low, (slot_top(slot) - low) / PAGE_SIZE, true);
	uint64_t flags = vm_lock_take();
	free_slots[nfree++] = slot;
	vm_lock_give(flags);
}

/* A cached stack's top (zeroed again, as a fresh one: the scheduler
 * measures a stack's peak by its untouched zeros), or 0 if none. */
static uint64_t kstack_cached_take(void)
{
	uint64_t flags = vm_lock_take();
	uint64_t top = 0;
	size_t dirty = 0;

	if (ncached) {
		ncached--;
		top = cached_tops[ncached];
		dirty = cached_dirty[ncached];
	}
	vm_lock_give(flags);
	if (top) /* only what its last thread wrote: a fork's stack is mostly untouched */
		memset((void *)(top - dirty), 0, dirty);
	return top;
}

/* Keep the stack below top (dirty bytes of it written) for a later
 * kstack_alloc: false when the cache is full. */
static bool kstack_cached_put(uint64_t top, size_t dirty)
{
	uint64_t flags = vm_lock_take();
	bool kept = ncached < KSTACK_CACHED_MAX;

	if (kept) {
		cached_tops[ncached] = top;
		cached_dirty[ncached++] = dirty < KSTACK_SIZE ? dirty : KSTACK_SIZE;
	}
	vm_lock_give(flags);
	return kept;
}

/* Flush the stale stacks from every CPU, then free their pages and give
 * their slots back. vm_lock stays held across the shootdown: a CPU
 * answers it without taking any lock, and nothing may take a stale slot
 * meanwhile. */
static void kstack_flush_stale(void)
{
	uint64_t flags = vm_lock_take();
	uint64_t lo = UINT64_MAX, hi = 0;

	for (uint32_t i = 0; i < nstale; i++) {
		uint64_t top = slot_top(stale_slots[i]);
		lo = top - KSTACK_SIZE < lo ? top - KSTACK_SIZE : lo;
		hi = top > hi ? top : hi;
	}
	if (nstale)
		tlb_shootdown_kernel(lo, hi);
	for (uint32_t i = 0; i < nstale; i++) {
		for (uint32_t k = 0; k < KSTACK_PAGES; k++)
			if (stale_pages[i][k])
				pmm_free(stale_pages[i][k], 0);
		free_slots[nfree++] = stale_slots[i];
	}
	nstale = 0;
	vm_lock_give(flags);
}

/* Queue slot (its pages) with the stale ones, under vm_lock: false when
 * the queue is full (another CPU filled it and has not flushed it yet). */
static bool kstack_stale_add(uint32_t slot, const uint64_t pages[KSTACK_PAGES], bool *full)
{
	uint64_t flags = vm_lock_take();
	bool added = nstale < KSTACK_STALE_MAX;

	if (added) {
		stale_slots[nstale] = slot;
		memcpy(stale_pages[nstale], pages, sizeof(stale_pages[nstale]));
		*full = ++nstale == KSTACK_STALE_MAX;
	}
	vm_lock_give(flags);
	return added;
}

/* Unmap slot's stack without a flush and queue it with the stale ones;
 * the queue is flushed when full. Two CPUs may free stacks at once (a
 * wait4 frees its zombie's without the kernel lock): the one that
 * filled the queue flushes it after letting vm_lock go, and one that
 * finds it full meanwhile flushes it itself before it queues. */
static void kstack_slot_put_stale(uint32_t slot)
{
	uint64_t low = slot_top(slot) - KSTACK_SIZE, pages[KSTACK_PAGES];
	bool full = false;

	for (uint32_t k = 0; k < KSTACK_PAGES; k++)
		pages[k] = vmm_unmap_kernel_deferred(low + k * PAGE_SIZE);
	while (!kstack_stale_add(slot, pages, &full))
		kstack_flush_stale();
	if (full)
		kstack_flush_stale();
}

uint64_t kstack_alloc(void)
{
	uint64_t cached = kstack_cached_take();

	if (cached)
		return cached;
	int64_t slot = kstack_room() ? kstack_slot_take() : -1;
	if (slot < 0) { /* the area is full: the stale slots may be all that is left */
		kstack_flush_stale();
		slot = kstack_room() ? kstack_slot_take() : -1;
	}
	if (slot < 0)
		return 0;
	uint64_t top = slot_top((uint32_t)slot);
	if (map_fresh_pages(top - KSTACK_SIZE, KSTACK_SIZE / PAGE_SIZE)) {
		kstack_slot_put((uint32_t)slot, top); /* nothing left mapped */
		kstack_flush_stale(); /* out of memory: give back what waits */
		return 0;
	}
	return top;
}

void kstack_free_dirty(uint64_t top, size_t dirty)
{
	uint64_t off = top - KSTACK_AREA_BASE;

	if (top <= KSTACK_AREA_BASE || top > KSTACK_AREA_END || off % KSTACK_SLOT_SIZE)
		panic("kstack_free: %#lx is not a kernel stack", top);
	if (!kstack_cached_put(top, dirty))
		kstack_slot_put_stale((uint32_t)(off / KSTACK_SLOT_SIZE - 1));
}

void kstack_free(uint64_t top)
{
	kstack_free_dirty(top, KSTACK_SIZE);
}

bool vmalloc_is_guard(uint64_t va)
{
	/* Lock-free reads for the panic path: the list only grows at its
	 * head, and slots_used only grows. */
	if (va >= KSTACK_AREA_BASE && va < KSTACK_AREA_END) {
		uint64_t off = va - KSTACK_AREA_BASE;
		return off / KSTACK_SLOT_SIZE < slots_used && off % KSTACK_SLOT_SIZE < KSTACK_GUARD_SIZE;
	}
	for (const struct vm_range *a = live_list; a; a = a->next)
		if (va >= a->start && va < first_page(a))
			return true;
	return false;
}
