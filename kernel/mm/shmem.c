// SPDX-License-Identifier: MIT
/*
 * Kestrel: memory objects (mm/shmem.h). The pages are found through a
 * radix tree of page-sized nodes of 512 physical addresses, as deep as
 * the highest page touched needs (as Linux's xarray): none for an object
 * of one page (the root is that page), one node up to 512 pages, at most
 * 4 levels for all of user space. It grows a level on top when a page
 * beyond its reach is touched and is built as pages are touched: a
 * sparse 1 TiB object costs what it uses, and a small file costs its
 * pages and not four nodes (whose allocation, zeroing and, at truncation,
 * 2,048 slots' scan were most of a 4 KiB file's rewrite).
 */
#include "mm/shmem.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "lib/refcount.h"

#define SHMEM_FANOUT_SHIFT 9                          /* 512 slots per node */
#define SHMEM_FANOUT       (1u << SHMEM_FANOUT_SHIFT)
#define SHMEM_MAX_LEVELS   4                          /* 512^4 pages > user space */

struct shmem {
	int refs;
	unsigned levels;  /* nodes between root and the pages (0..SHMEM_MAX_LEVELS); the
			   * tree reaches pages [0, 512^levels): tree_reaches() */
	uint64_t npages;  /* capacity: pages [0, npages) may exist */
	uint64_t end;     /* a mapping reaches pages [0, end) (shmem_end): written under the
			   * kernel lock, read without it by a fork (atomic) */
	uint64_t root;    /* physical address of the top node; 0 until first use */
	uint64_t *used;   /* data pages counted here, none past *max (or NULL); atomic:
			   * an object's last reference may go without the kernel lock
			   * (uvm_release_begin), freeing pages another object of the same
			   * counter allocates under it */
	const uint64_t *max;
	struct vma *rmap; /* regions mapping the object (mm/uvm.c) */
	const struct shmem_hooks *hooks; /* shmem_set_hooks's, or NULL */
	void *hook_arg;
};

/* The fewest levels whose tree holds npages slots (0: one page, the root). */
static unsigned levels_for(uint64_t npages)
{
	unsigned levels = 0;

	while (levels < SHMEM_MAX_LEVELS && (npages - 1) >> (SHMEM_FANOUT_SHIFT * levels))
		levels++;
	return levels;
}

struct shmem *shmem_create(uint64_t npages)
{
	if (!npages || (npages - 1) >> (SHMEM_FANOUT_SHIFT * SHMEM_MAX_LEVELS))
		return NULL;
	struct shmem *s = kzalloc(sizeof(*s));

	if (!s)
		return NULL;
	s->refs = 1;
	s->npages = s->end = npages;
	s->levels = 0; /* grown as pages are touched (grow_to) */
	return s;
}

void shmem_get(struct shmem *s)
{
	__atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
}

/* Free a subtree: level 0 is a data page (drop the object's reference),
 * above that a node. Recursion at most SHMEM_MAX_LEVELS deep. */
static void free_tree(struct shmem *s, uint64_t phys, unsigned level)
{
	if (!phys)
		return;
	if (level == 0) {
		page_ref_put(phys);
		if (s->used)
			__atomic_sub_fetch(s->used, 1, __ATOMIC_RELAXED);
		return;
	}
	uint64_t *node = phys_to_virt(phys);
	for (unsigned i = 0; i < SHMEM_FANOUT; i++)
		if (node[i])
			free_tree(s, node[i], level - 1);
	page_free(node);
}

bool shmem_tryget(struct shmem *s)
{
	return ref_get_unless_zero(&s->refs);
}

void shmem_put(struct shmem *s)
{
	if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	free_tree(s, s->root, s->levels);
	if (s->hooks && s->hooks->release)
		s->hooks->release(s->hook_arg);
	kfree(s);
}

void shmem_set_hooks(struct shmem *s, const struct shmem_hooks *hooks, void *arg)
{
	s->hooks = hooks;
	s->hook_arg = arg;
}

bool shmem_has_hooks(const struct shmem *s)
{
	return s->hooks != NULL;
}

void *shmem_hook_arg(const struct shmem *s, const struct shmem_hooks *hooks)
{
	return s->hooks == hooks ? s->hook_arg : NULL;
}

void shmem_mapped(struct shmem *s)
{
	if (s->hooks && s->hooks->mapped)
		s->hooks->mapped(s->hook_arg);
}

void shmem_unmapped(struct shmem *s)
{
	if (s->hooks && s->hooks->unmapped)
		s->hooks->unmapped(s->hook_arg);
}

/* *slot's page, allocated zeroed if empty; 0 when out of memory. A data
 * page (data) is counted, and refused at the accounting limit. */
static uint64_t slot_page(struct shmem *s, uint64_t *slot, bool data)
{
	if (!*slot) {
		if (data && s->used && __atomic_load_n(s->used, __ATOMIC_RELAXED) >= *s->max)
			return 0;
		void *page = page_alloc_zeroed();
		if (page) {
			*slot = virt_to_phys(page);
			if (data && s->used)
				__atomic_add_fetch(s->used, 1, __ATOMIC_RELAXED);
		}
	}
	return *slot;
}

/* Does the tree, as high as it is now, reach page idx? */
static bool tree_reaches(const struct shmem *s, uint64_t idx)
{
	return (idx >> (SHMEM_FANOUT_SHIFT * s->levels)) == 0;
}

/* Make the tree high enough to reach page idx (< npages): an empty tree
 * just takes the height; a built one gets new nodes on top, the old root
 * in slot 0 of each. False when out of memory (the tree unchanged in
 * what it holds). */
static bool grow_to(struct shmem *s, uint64_t idx)
{
	if (!s->root) {
		if (!tree_reaches(s, idx))
			s->levels = levels_for(idx + 1);
		return true;
	}
	while (!tree_reaches(s, idx)) {
		uint64_t *node = page_alloc_zeroed();
		if (!node)
			return false;
		node[0] = s->root;
		s->root = virt_to_phys(node);
		s->levels++;
	}
	return true;
}

uint64_t shmem_page(struct shmem *s, uint64_t idx)
{
	uint64_t *slot = &s->root;

	if (idx >= s->npages || !grow_to(s, idx))
		return 0;
	for (unsigned l = s->levels; l > 0; l--) {
		uint64_t node = slot_page(s, slot, false);
		if (!node)
			return 0;
		unsigned i = (idx >> (SHMEM_FANOUT_SHIFT * (l - 1))) & (SHMEM_FANOUT - 1);
		slot = (uint64_t *)phys_to_virt(node) + i;
	}
	return slot_page(s, slot, true);
}

uint64_t shmem_lookup(const struct shmem *s, uint64_t idx)
{
	uint64_t phys = s->root;

	if (idx >= s->npages || !tree_reaches(s, idx))
		return 0;
	for (unsigned l = s->levels; l > 0 && phys; l--) {
		unsigned i = (idx >> (SHMEM_FANOUT_SHIFT * (l - 1))) & (SHMEM_FANOUT - 1);
		phys = ((const uint64_t *)phys_to_virt(phys))[i];
	}
	return phys;
}

/* 0 when page idx is allocated, else how many pages from idx on are
 * holes for certain: to the end of the empty subtree that holds idx
 * (of the tree's reach, when idx lies past it). */
static uint64_t hole_span(const struct shmem *s, uint64_t idx)
{
	unsigned shift = SHMEM_FANOUT_SHIFT * s->levels;
	uint64_t phys = s->root;

	if (!tree_reaches(s, idx))
		return UINT64_MAX - idx; /* nothing past the tree's reach */
	for (unsigned l = s->levels; phys && l > 0; l--) {
		shift -= SHMEM_FANOUT_SHIFT;
		phys = ((const uint64_t *)phys_to_virt(phys))[(idx >> shift) & (SHMEM_FANOUT - 1)];
		if (!phys)
			return (((idx >> shift) + 1) << shift) - idx;
	}
	if (phys)
		return 0;
	return ((uint64_t)1 << (SHMEM_FANOUT_SHIFT * s->levels)) - idx; /* an empty tree */
}

uint64_t shmem_seek(const struct shmem *s, uint64_t idx, uint64_t end, bool present)
{
	while (idx < end) {
		uint64_t span = hole_span(s, idx);
		if ((span == 0) == present)
			return idx;
		idx += span ? (span < end - idx ? span : end - idx) : 1;
	}
	return end;
}

void shmem_set_acct(struct shmem *s, uint64_t *used, const uint64_t *max)
{
	s->used = used;
	s->max = max;
}

bool shmem_full(const struct shmem *s)
{
	return s->used && __atomic_load_n(s->used, __ATOMIC_RELAXED) >= *s->max;
}

uint64_t shmem_end(const struct shmem *s)
{
	return __atomic_load_n(&s->end, __ATOMIC_ACQUIRE);
}

void shmem_set_end(struct shmem *s, uint64_t end)
{
	__atomic_store_n(&s->end, end < s->npages ? end : s->npages, __ATOMIC_RELEASE);
}

/* Free the pages from idx on in the subtree at *slot, whose first page
 * is base and which is `level` levels high; a subtree wholly past idx
 * goes with its nodes. */
static void truncate_tree(struct shmem *s, uint64_t *slot, unsigned level, uint64_t base,
			  uint64_t idx)
{
	if (!*slot)
		return;
	if (base >= idx) {
		free_tree(s, *slot, level);
		*slot = 0;
		return;
	}
	if (level == 0)
		return;
	uint64_t span = 1ull << (SHMEM_FANOUT_SHIFT * (level - 1));
	uint64_t *node = phys_to_virt(*slot);
	for (uint64_t i = (idx - base) / span; i < SHMEM_FANOUT; i++) /* from idx's subtree */
		if (node[i])
			truncate_tree(s, &node[i], level - 1, base + i * span, idx);
}

void shmem_truncate(struct shmem *s, uint64_t idx)
{
	truncate_tree(s, &s->root, s->levels, 0, idx);
	if (!s->root)
		s->levels = 0; /* empty: the next page touched sets the height */
}

struct vma **shmem_rmap(struct shmem *s)
{
	return &s->rmap;
}

