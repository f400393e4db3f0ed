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
 *
 * Each CPU keeps a few freed objects of each class for its next
 * allocations (Linux's SLUB per-CPU freelists, here in the shape of
 * Bonwick's magazines): an allocation and a free that find their CPU's
 * cache neither empty nor full touch nothing shared, and the heap's lock
 * is taken once per batch of objects moved between a cache and the
 * slabs. Two CPUs that allocate per operation would otherwise take the
 * one lock in turn (scale_open_close made 1.16x on two CPUs what it made
 * on one with a struct file from the heap each open, 2.10x without).
 * The caches hold at most CACHE_BYTES of each class per CPU, and pin at
 * most as many slab pages as they hold objects.
 */
#include "mm/heap.h"
#include "mm/pmm.h"
#include "mm/layout.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "arch/x86_64/cpu.h"
#include "panic.h"

#define CLASS_MIN_SHIFT 4                   /* 16 bytes */
#define CLASS_COUNT     8                   /* 16 .. 2048 */
#define CLASS_MASK      0xfu
#define FREE_SHIFT      4
#define CACHE_SLOTS     16                  /* objects a CPU keeps of a class, at most */
#define CACHE_BYTES     2048                /* and at most this many bytes of it */
#define POISON_FREE     0x6b                /* a freed object's bytes in debug builds (Linux's POISON_FREE) */

/* Debug builds (make LOCKCHECK=1) fill a freed object with POISON_FREE,
 * so that a use after free reads 0x6b6b... (a pointer there is not
 * canonical: a fault, not a quiet read of stale fields). */
#ifdef KESTREL_LOCKCHECK
#define HEAP_POISON 1
#else
#define HEAP_POISON 0
#endif

/* Lock rule: the slab lists (partial[], every slab page's free list and
 * refcount) and stats' small_in_use and slab_pages change under
 * heap_lock, interrupts off; large_in_use is atomic. */
static struct spinlock heap_lock = SPINLOCK_INIT;
static uint32_t partial[CLASS_COUNT] = { BUDDY_NONE, BUDDY_NONE, BUDDY_NONE, BUDDY_NONE,
					  BUDDY_NONE, BUDDY_NONE, BUDDY_NONE, BUDDY_NONE };
/* Empty slab pages kept per class, at most SLAB_EMPTY_KEEP: a flush that
 * empties a page and the refill after it would otherwise free a page
 * and build a fresh one in turn. Under heap_lock. */
#define SLAB_EMPTY_KEEP 1
static uint8_t empty_kept[CLASS_COUNT];
static struct heap_stats stats; /* small_in_use: objects out of the slabs, cached ones too */

/* Lock rule: a CPU's cache is its own, read and written by that CPU with
 * interrupts off; heap_stats reads the counts of all (an exact sum when
 * nothing allocates meanwhile). obj[c][0 .. count[c] - 1] are free
 * objects of class c, the last the most recently freed. */
struct cpu_cache {
	uint8_t count[CLASS_COUNT];
	void *obj[CLASS_COUNT][CACHE_SLOTS];
} __attribute__((aligned(64)));
static struct cpu_cache cpu_cache[HEAP_MAX_CPUS];
static bool caches_on; /* set once every CPU that allocates has its GS block */

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
	empty_kept[c]++; /* for slab_alloc to take at once */
	stats.slab_pages++;
	return true;
}

static inline void *slab_alloc(unsigned c)
{
	if (partial[c] == BUDDY_NONE && !slab_grow(c))
		return NULL;
	uint32_t pfn = partial[c];
	struct page *pg = page_of_pfn(pfn);
	unsigned idx = (pg->slab_class >> FREE_SHIFT) - 1;
	char *obj = pfn_addr(pfn) + idx * class_size(c);
	uint16_t next = *(uint16_t *)obj;

	pg->slab_class = (uint16_t)(c | (unsigned)next << FREE_SHIFT);
	if (pg->refcount++ == 0)
		empty_kept[c]--;
	if (next == 0)
		partial_remove(c, pfn);
	stats.small_in_use++;
	return obj;
}

/* Return obj, an object's start, to its page; an empty page goes back to
 * the PMM unless the class keeps fewer than SLAB_EMPTY_KEEP empty ones. */
static inline void slab_free(struct page *pg, uint32_t pfn, void *obj)
{
	unsigned c = pg->slab_class & CLASS_MASK;
	size_t osize = class_size(c);
	uint64_t off = (uint64_t)obj - (uint64_t)pfn_addr(pfn); /* a multiple of osize: small_free checked */

	unsigned first = pg->slab_class >> FREE_SHIFT;
	*(uint16_t *)obj = (uint16_t)first;
	pg->slab_class = (uint16_t)(c | (unsigned)(off / osize + 1) << FREE_SHIFT);
	pg->refcount--;
	stats.small_in_use--;
	if (first == 0)
		partial_push(c, pfn);
	if (pg->refcount != 0)
		return;
	if (empty_kept[c] < SLAB_EMPTY_KEEP) {
		empty_kept[c]++;
	} else {
		partial_remove(c, pfn);
		pg->flags &= (uint8_t)~PAGE_SLAB;
		pg->refcount = 1;
		stats.slab_pages--;
		pmm_free((uint64_t)pfn * PAGE_SIZE, 0);
	}
}

/* Objects of class c a CPU's cache holds at most (at least 1). */
static unsigned cache_max(unsigned c)
{
	size_t n = CACHE_BYTES / class_size(c);
	return n == 0 ? 1 : n > CACHE_SLOTS ? CACHE_SLOTS : (unsigned)n;
}

/* Fill cc's empty class-c cache with up to half its size from the slabs;
 * false if not one object could be had. Interrupts off. */
static bool cache_refill(struct cpu_cache *cc, unsigned c)
{
	unsigned want = (cache_max(c) + 1) / 2;
	spin_lock_irqoff(&heap_lock);
	while (cc->count[c] < want) {
		void *p = slab_alloc(c);
		if (!p)
			break;
		cc->obj[c][cc->count[c]++] = p;
	}
	spin_unlock_irqoff(&heap_lock);
	return cc->count[c] != 0;
}

/* Give the newer half of cc's full class-c cache back to the slabs (the
 * older stay: no copying). Interrupts off. */
static void cache_flush(struct cpu_cache *cc, unsigned c)
{
	unsigned left = cache_max(c) / 2;
	spin_lock_irqoff(&heap_lock);
	while (cc->count[c] > left) {
		void *obj = cc->obj[c][--cc->count[c]];
		uint64_t phys = virt_to_phys(obj);
		slab_free(pmm_page(phys), (uint32_t)(phys / PAGE_SIZE), obj);
	}
	spin_unlock_irqoff(&heap_lock);
}

/* An object of class c: this CPU's cache's newest, refilled first if it
 * is empty; straight from the slabs before the caches are on. NULL if
 * memory is out. */
static void *small_alloc(unsigned c)
{
	void *p = NULL;
	uint64_t irq = irq_save();
	if (!caches_on) {
		spin_lock_irqoff(&heap_lock);
		p = slab_alloc(c);
		spin_unlock_irqoff(&heap_lock);
	} else {
		struct cpu_cache *cc = &cpu_cache[cpu_this_index()];
		if (cc->count[c] || cache_refill(cc, c))
			p = cc->obj[c][--cc->count[c]];
	}
	irq_restore(irq);
	return p;
}

/* Free obj, of pg's slab page, into this CPU's cache (half of a full one
 * goes back to the slabs first), or straight to the slabs before the
 * caches are on. */
static void small_free(struct page *pg, uint64_t phys, void *obj)
{
	unsigned c = pg->slab_class & CLASS_MASK;
	if (page_offset(phys) % class_size(c))
		panic("kfree: %p is not the start of a %zu-byte object", obj, class_size(c));
	if (HEAP_POISON)
		memset(obj, POISON_FREE, class_size(c));
	uint64_t irq = irq_save();
	if (!caches_on) {
		spin_lock_irqoff(&heap_lock);
		slab_free(pg, (uint32_t)(phys / PAGE_SIZE), obj);
		spin_unlock_irqoff(&heap_lock);
	} else {
		struct cpu_cache *cc = &cpu_cache[cpu_this_index()];
		if (cc->count[c] == cache_max(c))
			cache_flush(cc, c);
		cc->obj[c][cc->count[c]++] = obj;
	}
	irq_restore(irq);
}

void heap_cpu_caches_start(void)
{
	caches_on = true;
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
	return small_alloc(size_class(size));
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
	if (!pg || (pg->flags & (PAGE_FREE | PAGE_RESERVED | PAGE_CACHED)))
		panic("kfree: %p was not allocated by kmalloc", p);
	if (!(pg->flags & PAGE_SLAB)) {
		if (page_offset(phys))
			panic("kfree: %p is inside a large block", p);
		__atomic_sub_fetch(&stats.large_in_use, 1, __ATOMIC_RELAXED);
		if (HEAP_POISON)
			memset(p, POISON_FREE, PAGE_SIZE << pg->order);
		pmm_free(phys, pg->order);
		return;
	}
	small_free(pg, phys, p);
}

/* Objects the CPUs' caches hold: relaxed reads of counts their CPUs
 * change. */
static uint64_t cached_objects(void)
{
	uint64_t n = 0;
	for (unsigned cpu = 0; cpu < HEAP_MAX_CPUS; cpu++)
		for (unsigned c = 0; c < CLASS_COUNT; c++)
			n += __atomic_load_n(&cpu_cache[cpu].count[c], __ATOMIC_RELAXED);
	return n;
}

void heap_stats(struct heap_stats *out)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);
	*out = stats;
	spin_unlock_irqrestore(&heap_lock, flags);
	uint64_t cached = cached_objects(); /* may run ahead of the snapshot while CPUs allocate */
	out->small_in_use = cached < out->small_in_use ? out->small_in_use - cached : 0;
}
