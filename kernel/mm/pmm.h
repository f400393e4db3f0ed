/* SPDX-License-Identifier: MIT */
/* The physical memory manager: page frames from the boot memory map, in buddy blocks, with reference counts. */
#ifndef KESTREL_MM_PMM_H
#define KESTREL_MM_PMM_H

#include <stdint.h>
#include "bootinfo.h"
#include "mm/buddy.h"

/* Build the allocator from the loader's map: every KBI_MEM_USABLE page is
 * free, except those that hold the page descriptors themselves. */
void pmm_init(const struct kbi_boot_info *bi);
/* Once the kernel runs on its own page tables: free the loader's and the
 * firmware's boot-services memory (and the loader's page tables and
 * stack). Runtime services, ACPI NVS and ACPI tables stay reserved. */
void pmm_reclaim_boot_memory(const struct kbi_boot_info *bi);

/* 2^order physically contiguous pages, refcount 1: physical address, or
 * 0 when memory is exhausted (after the CPUs' caches were given back).
 * Not zeroed. Any context: a single page comes from this CPU's cache of
 * free pages, anything else, and the cache's refills, from the buddy
 * allocator under the PMM lock, interrupts off. */
uint64_t pmm_alloc(unsigned order);
/* Give back a block from pmm_alloc (a single page to this CPU's cache);
 * panics on a page that is not allocated. Any context. */
void pmm_free(uint64_t phys, unsigned order);

/* CPUs with a page cache of their own: smp.h's SMP_MAX_CPUS (checked in
 * fs/procfs_cpus.c, as the heap's). */
#define PMM_MAX_CPUS 64
/* From now on single pages go through per-CPU caches: called once, by the
 * boot CPU when its per-CPU block is installed (as heap_cpu_caches_start). */
void pmm_cpu_caches_start(void);

/* One zeroed page, as a direct-map pointer; NULL when out of memory. */
void *page_alloc_zeroed(void);
/* A page holding a copy of the page at src (direct-mapped, page aligned):
 * its direct-map address, or NULL when memory is short. Not zeroed first:
 * every byte is written. */
void *page_alloc_copy(const void *src);
/* The same for a src of any alignment (a file's bytes in the boot archive). */
void *page_alloc_copy_unaligned(const void *src);
void page_free(void *direct_mapped);

/* Reference counts on allocated single pages (copy-on-write sharing). */
struct page *pmm_page(uint64_t phys);
void page_ref_get(uint64_t phys);
/* Drop a reference; frees the page when it was the last. */
void page_ref_put(uint64_t phys);

/* Free pages, those in the CPUs' caches too (exact while nothing
 * allocates or frees). */
uint64_t pmm_free_pages(void);
uint64_t pmm_managed_pages(void);

/* A cache above mm/ that can give clean pages back (the block cache's
 * bcache_shrink) registers here at boot; the OOM killer asks it before it
 * picks a victim (Linux's shrinkers, reduced to one). fn(pages) frees up
 * to that many pages and returns how many it freed: with interrupts off,
 * it must not sleep. */
void pmm_set_reclaimer(size_t (*fn)(size_t pages));
/* Asks the registered cache for up to pages pages: how many it freed
 * (0 with none registered). Interrupts off. */
size_t pmm_reclaim(size_t pages);

/* For the self-test: the allocator and every CPU's cache, under their locks. */
const char *pmm_check(void);

#endif
