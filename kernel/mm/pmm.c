// SPDX-License-Identifier: MIT
/*
 * Kestrel: physical memory. One struct page per frame from 0 to the end
 * of RAM (16 bytes per 4 KiB, 0.4%), placed in the first usable range
 * big enough, then the buddy allocator over the usable frames.
 *
 * Each CPU keeps up to CACHE_PAGES free single pages for its next
 * allocations (Linux's per-CPU page lists): a page fault's page and
 * munmap's return of it touch only the CPU's own cache, and the buddy
 * allocator's lock is taken once per CACHE_BATCH pages moved between a
 * cache and the free lists. A cached page is marked PAGE_CACHED, so a
 * second free of it panics as one of a page on a free list does, and is
 * counted free (pmm_free_pages). When the free lists cannot serve an
 * allocation, every cache is given back and the allocation tried again:
 * memory in the caches never makes an allocation fail.
 */
#include "mm/pmm.h"
#include "mm/layout.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "arch/x86_64/cpu.h"
#include "log.h"
#include "panic.h"

#define CACHE_PAGES 512 /* free pages a CPU keeps, at most (2 MiB) */
#define CACHE_BATCH 64  /* pages a refill takes, and a full cache gives back */

/* Lock rule: pmm_lock protects the buddy allocator (its free lists and
 * counts, and the struct page of every page not allocated and not
 * cached), interrupts off. Taken after a cache's lock, never before. */
static struct buddy buddy;
static struct spinlock pmm_lock = SPINLOCK_INIT;
static uint64_t array_base, array_len; /* physical range of the descriptors */

/* Lock rule: a CPU's cache is under its own lock, interrupts off: its CPU
 * takes it for each single page, another CPU only to give every cache
 * back (drain_all_caches) or to check them. The struct page of a cached
 * page (flags, order, refcount) is written under its cache's lock: the
 * buddy allocator reads a neighbour's PAGE_FREE when merging, which a
 * cached page never has, so it reads the same bit either way.
 * count is also read without the lock (pmm_free_pages: a sum that is
 * exact while nothing allocates). */
struct page_cache {
	struct spinlock lock;
	uint32_t count;
	uint32_t pfn[CACHE_PAGES]; /* pfn[0 .. count - 1], the last freed last */
} __attribute__((aligned(64)));
static struct page_cache caches[PMM_MAX_CPUS];
static bool caches_on; /* set once every CPU that allocates has its GS block */
static char cache_lock_class; /* the order checker's one key for every cache's lock */

static const struct kbi_mem_range *map_of(const struct kbi_boot_info *bi)
{
	return phys_to_virt(bi->memmap);
}

/* Types whose frames the allocator covers, now or after reclaim. */
static bool is_ram(uint32_t type)
{
	return type == KBI_MEM_USABLE || type == KBI_MEM_BOOT_SERVICES || type == KBI_MEM_LOADER ||
	       type == KBI_MEM_KERNEL || type == KBI_MEM_ROOTFS || type == KBI_MEM_BOOTINFO ||
	       type == KBI_MEM_PAGETABLES || type == KBI_MEM_BOOT_STACK ||
	       type == KBI_MEM_ACPI_RECLAIM;
}

static uint64_t ram_end(const struct kbi_boot_info *bi)
{
	const struct kbi_mem_range *r = map_of(bi);
	uint64_t end = 0;

	for (uint32_t i = 0; i < bi->memmap_count; i++)
		if (is_ram(r[i].type) && r[i].base + r[i].length > end)
			end = r[i].base + r[i].length;
	return end < direct_map_size ? end : direct_map_size;
}

/* Free the part of [base, base+len) that is not the descriptor array. */
static void add_free_except_array(uint64_t base, uint64_t len)
{
	uint64_t end = base + len, a0 = array_base, a1 = array_base + array_len;

	if (base == 0) { /* physical 0 means "no page" to pmm_alloc's callers */
		base = PAGE_SIZE;
		if (end <= base)
			return;
		len = end - base;
	}
	if (a1 <= base || a0 >= end) {
		buddy_add_free(&buddy, base / PAGE_SIZE, len / PAGE_SIZE);
		return;
	}
	if (a0 > base)
		buddy_add_free(&buddy, base / PAGE_SIZE, (a0 - base) / PAGE_SIZE);
	if (a1 < end)
		buddy_add_free(&buddy, a1 / PAGE_SIZE, (end - a1) / PAGE_SIZE);
}

/* Mark the managed frames of [base, base+len) to be zeroed before their first use. */
static void mark_unscrubbed(uint64_t base, uint64_t len)
{
	for (uint64_t pfn = base / PAGE_SIZE; pfn < (base + len) / PAGE_SIZE && pfn < buddy.npages; pfn++)
		if (!(buddy.pages[pfn].flags & PAGE_RESERVED))
			buddy.pages[pfn].flags |= PAGE_UNSCRUBBED;
}

/* Give the allocator every range of a type; unscrubbed: mark it to be zeroed on allocation. */
static void add_ranges_of_type(const struct kbi_boot_info *bi, uint32_t type, bool unscrubbed)
{
	const struct kbi_mem_range *r = map_of(bi);

	for (uint32_t i = 0; i < bi->memmap_count; i++)
		if (r[i].type == type && r[i].base < direct_map_size) {
			add_free_except_array(r[i].base, r[i].length);
			if (unscrubbed)
				mark_unscrubbed(r[i].base, r[i].length);
		}
}

/* Zero the frames of a new block that still hold the firmware's bytes. Lock held. */
static void scrub_block(uint64_t pfn, unsigned order)
{
	for (uint64_t i = 0; i < (1ull << order); i++)
		if (buddy.pages[pfn + i].flags & PAGE_UNSCRUBBED) {
			memzero_page(phys_to_virt((pfn + i) * PAGE_SIZE));
			buddy.pages[pfn + i].flags &= (uint8_t)~PAGE_UNSCRUBBED;
		}
}

void pmm_init(const struct kbi_boot_info *bi)
{
	const struct kbi_mem_range *r = map_of(bi);
	uint64_t npages = ram_end(bi) / PAGE_SIZE;

	array_len = page_round_up(npages * sizeof(struct page));
	for (uint32_t i = 0; i < bi->memmap_count && !array_base; i++)
		if (r[i].type == KBI_MEM_USABLE && r[i].length >= array_len && r[i].base >= (1u << 20))
			array_base = r[i].base;
	if (!array_base)
		panic("pmm: no usable range of %lu KiB for the page descriptors", array_len / 1024);
	buddy_init(&buddy, phys_to_virt(array_base), npages);
	add_ranges_of_type(bi, KBI_MEM_USABLE, false);
}

/*
 * The firmware's and the loader's memory is zeroed before the kernel uses
 * it, a frame at a time as pmm_alloc hands it out (zeroing all of it here
 * cost 100 ms of boot under emulation): nothing of theirs leaks into
 * kernel objects, and, under QEMU's emulation, a page the firmware once
 * ran code from stops being a "code page". Until its stale code bytes are
 * overwritten, every store to such a page takes QEMU's slow path: a file
 * structure that landed in one made each write(2) three times slower.
 */
void pmm_reclaim_boot_memory(const struct kbi_boot_info *bi)
{
	static const uint32_t reclaim[] = { KBI_MEM_LOADER, KBI_MEM_BOOT_SERVICES,
					    KBI_MEM_PAGETABLES, KBI_MEM_BOOT_STACK };
	uint64_t before = buddy.free_pages;
	uint64_t flags = spin_lock_irqsave(&pmm_lock);

	for (unsigned i = 0; i < sizeof(reclaim) / sizeof(reclaim[0]); i++)
		add_ranges_of_type(bi, reclaim[i], true);
	spin_unlock_irqrestore(&pmm_lock, flags);
	klog(LOG_DEBUG, "pmm: reclaimed %lu KiB of loader and boot-services memory\n",
	     (buddy.free_pages - before) * PAGE_SIZE / 1024);
}

/* A block of 2^order pages from the free lists, scrubbed: its pfn, or -1. */
static int64_t buddy_take(unsigned order)
{
	uint64_t flags = spin_lock_irqsave(&pmm_lock);
	int64_t pfn = buddy_alloc(&buddy, order);
	if (pfn >= 0)
		scrub_block((uint64_t)pfn, order);
	spin_unlock_irqrestore(&pmm_lock, flags);
	return pfn;
}

/* Move up to n of c's pages back to the free lists, the oldest first (the
 * newest, likeliest still in the CPU's cache, stay). c's lock held. */
static void cache_give_back(struct page_cache *c, uint32_t n)
{
	if (n > c->count)
		n = c->count;
	spin_lock_irqoff(&pmm_lock);
	for (uint32_t i = 0; i < n; i++) {
		struct page *pg = &buddy.pages[c->pfn[i]];
		pg->flags &= (uint8_t)~PAGE_CACHED;
		buddy_free(&buddy, c->pfn[i], 0);
	}
	spin_unlock_irqoff(&pmm_lock);
	c->count -= n;
	memmove(c->pfn, c->pfn + n, c->count * sizeof(c->pfn[0]));
}

/* Fill c's empty cache with up to CACHE_BATCH pages from the free lists,
 * scrubbed; false if not one could be had. c's lock held. */
static bool cache_refill(struct page_cache *c)
{
	spin_lock_irqoff(&pmm_lock);
	while (c->count < CACHE_BATCH) {
		int64_t pfn = buddy_alloc(&buddy, 0);
		if (pfn < 0)
			break;
		scrub_block((uint64_t)pfn, 0);
		buddy.pages[pfn].flags |= PAGE_CACHED;
		buddy.pages[pfn].refcount = 0;
		c->pfn[c->count++] = (uint32_t)pfn;
	}
	spin_unlock_irqoff(&pmm_lock);
	return c->count != 0;
}

/* A single page from this CPU's cache (refilled first when empty): its
 * pfn with refcount 1, or -1 when the free lists are empty too. */
static int64_t cache_take(void)
{
	uint64_t flags = irq_save();
	struct page_cache *c = &caches[cpu_this_index()];
	int64_t pfn = -1;

	spin_lock_irqoff(&c->lock);
	if (c->count || cache_refill(c)) {
		pfn = c->pfn[--c->count];
		struct page *pg = &buddy.pages[pfn];
		pg->flags &= (uint8_t)~PAGE_CACHED;
		pg->order = 0;
		pg->refcount = 1;
	}
	spin_unlock_irqoff(&c->lock);
	irq_restore(flags);
	return pfn;
}

/* Put the allocated single page pfn (pmm_free checked it) in this CPU's
 * cache, half of a full cache going back to the free lists first. */
static void cache_put(uint64_t pfn)
{
	uint64_t flags = irq_save();
	struct page_cache *c = &caches[cpu_this_index()];
	struct page *pg = &buddy.pages[pfn];

	spin_lock_irqoff(&c->lock);
	if (c->count == CACHE_PAGES)
		cache_give_back(c, CACHE_BATCH);
	pg->flags = (uint8_t)((pg->flags & (uint8_t)~PAGE_SLAB) | PAGE_CACHED);
	pg->refcount = 0;
	c->pfn[c->count++] = (uint32_t)pfn;
	spin_unlock_irqoff(&c->lock);
	irq_restore(flags);
}

/* Give every CPU's cached pages back to the free lists, one cache at a
 * time: for an allocation the free lists alone could not serve. */
static void drain_all_caches(void)
{
	for (unsigned cpu = 0; cpu < PMM_MAX_CPUS; cpu++) {
		struct page_cache *c = &caches[cpu];
		if (!__atomic_load_n(&c->count, __ATOMIC_RELAXED))
			continue;
		uint64_t flags = spin_lock_irqsave(&c->lock);
		cache_give_back(c, c->count);
		spin_unlock_irqrestore(&c->lock, flags);
	}
}

void pmm_cpu_caches_start(void)
{
	for (unsigned cpu = 0; cpu < PMM_MAX_CPUS; cpu++)
		spin_lock_class(&caches[cpu].lock, &cache_lock_class);
	caches_on = true;
}

uint64_t pmm_alloc(unsigned order)
{
	bool cached = order == 0 && caches_on;
	int64_t pfn = cached ? cache_take() : buddy_take(order);

	if (pfn < 0 && caches_on) { /* what the caches hold may serve it */
		drain_all_caches();
		pfn = cached ? cache_take() : buddy_take(order);
	}
	return pfn < 0 ? 0 : (uint64_t)pfn * PAGE_SIZE;
}

void pmm_free(uint64_t phys, unsigned order)
{
	uint64_t pfn = phys / PAGE_SIZE;

	if (pfn >= buddy.npages || (buddy.pages[pfn].flags & (PAGE_FREE | PAGE_RESERVED | PAGE_CACHED)))
		panic("pmm: freeing %#lx, which is not an allocated page", phys);
	if (order == 0 && caches_on) {
		cache_put(pfn);
		return;
	}
	uint64_t flags = spin_lock_irqsave(&pmm_lock);
	buddy_free(&buddy, pfn, order);
	spin_unlock_irqrestore(&pmm_lock, flags);
}

void *page_alloc_zeroed(void)
{
	uint64_t phys = pmm_alloc(0);

	if (!phys)
		return NULL;
	void *p = phys_to_virt(phys);
	memzero_page(p);
	return p;
}

void *page_alloc_copy(const void *src)
{
	uint64_t phys = pmm_alloc(0);

	if (!phys)
		return NULL;
	void *p = phys_to_virt(phys);
	memcpy_page(p, src);
	return p;
}

void *page_alloc_copy_unaligned(const void *src)
{
	uint64_t phys = pmm_alloc(0);

	if (!phys)
		return NULL;
	void *p = phys_to_virt(phys);
	memcpy(p, src, PAGE_SIZE);
	return p;
}

void page_free(void *direct_mapped)
{
	pmm_free(virt_to_phys(direct_mapped), 0);
}

struct page *pmm_page(uint64_t phys)
{
	uint64_t pfn = phys / PAGE_SIZE;
	return pfn < buddy.npages ? &buddy.pages[pfn] : NULL;
}

void page_ref_get(uint64_t phys)
{
	__atomic_add_fetch(&pmm_page(phys)->refcount, 1, __ATOMIC_RELAXED);
}

void page_ref_put(uint64_t phys)
{
	if (__atomic_sub_fetch(&pmm_page(phys)->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		pmm_free(phys, 0);
}

uint64_t pmm_free_pages(void)
{
	uint64_t n = __atomic_load_n(&buddy.free_pages, __ATOMIC_RELAXED);
	for (unsigned cpu = 0; cpu < PMM_MAX_CPUS; cpu++)
		n += __atomic_load_n(&caches[cpu].count, __ATOMIC_RELAXED);
	return n;
}

uint64_t pmm_managed_pages(void)
{
	return buddy.managed_pages;
}

/* Set once at boot (pmm_set_reclaimer), read-only afterwards. */
static size_t (*reclaimer)(size_t pages);

void pmm_set_reclaimer(size_t (*fn)(size_t pages))
{
	reclaimer = fn;
}

size_t pmm_reclaim(size_t pages)
{
	return reclaimer ? reclaimer(pages) : 0;
}

/* NULL when every page in c is a cached single page, or what is wrong. */
static const char *cache_check(struct page_cache *c)
{
	const char *why = NULL;
	uint64_t flags = spin_lock_irqsave(&c->lock);

	if (c->count > CACHE_PAGES)
		why = "a CPU's page cache holds more than it may";
	for (uint32_t i = 0; i < c->count && !why; i++) {
		if (c->pfn[i] >= buddy.npages) {
			why = "a CPU's page cache holds a page past the end of memory";
			break;
		}
		const struct page *pg = &buddy.pages[c->pfn[i]];
		if ((pg->flags & (PAGE_FREE | PAGE_RESERVED | PAGE_SLAB)) ||
		    !(pg->flags & PAGE_CACHED) || pg->refcount)
			why = "a CPU's page cache holds a page not marked as cached and free";
	}
	spin_unlock_irqrestore(&c->lock, flags);
	return why;
}

const char *pmm_check(void)
{
	const char *why = NULL;

	for (unsigned cpu = 0; cpu < PMM_MAX_CPUS && !why; cpu++)
		why = cache_check(&caches[cpu]);
	if (why)
		return why;
	uint64_t flags = spin_lock_irqsave(&pmm_lock);
	why = buddy_check(&buddy);
	spin_unlock_irqrestore(&pmm_lock, flags);
	return why;
}
