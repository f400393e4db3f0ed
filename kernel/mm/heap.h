/* SPDX-License-Identifier: MIT */
/* The kernel heap: kmalloc/kfree with size classes for small objects and whole pages for large ones. */
#ifndef KESTREL_MM_HEAP_H
#define KESTREL_MM_HEAP_H

#include <stddef.h>
#include <stdint.h>

/* size bytes, 16-byte aligned (page aligned above HEAP_MAX_SMALL), or NULL.
 * Any context but an NMI: a small size comes from this CPU's cache when
 * it has one, else under the heap lock with interrupts off. */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
/* NULL is ignored; anything not from kmalloc panics. */
void kfree(void *p);

#define HEAP_MAX_SMALL 2048
/* CPUs with a cache of their own: smp.h's SMP_MAX_CPUS (smp.c allocates
 * from the heap, so the number is repeated; fs/procfs_cpus.c checks the
 * two agree). */
#define HEAP_MAX_CPUS 64

/* From now on small objects go through per-CPU caches: called once, by
 * the boot CPU when its per-CPU block is installed (every other CPU has
 * its block before it allocates). */
void heap_cpu_caches_start(void);

struct heap_stats {
	uint64_t small_in_use;   /* objects handed out (exact while no CPU allocates or frees) */
	uint64_t slab_pages;     /* pages owned by the size classes */
	uint64_t large_in_use;   /* large blocks handed out */
};
void heap_stats(struct heap_stats *out);

#endif
