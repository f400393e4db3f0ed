/* SPDX-License-Identifier: MIT */
/* The vmalloc area: page-granular kernel mappings with a guard page below each (kernel stacks), and device registers. */
#ifndef KESTREL_MM_VMALLOC_H
#define KESTREL_MM_VMALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* size bytes (rounded up to pages) of zeroed, writable, NX memory with
 * an unmapped guard page just below it; NULL when out of memory. */
void *vmalloc(size_t size);
void vfree(void *p);

/* Map len bytes of physical address space at pa (device registers) with
 * prot (VM_* from arch paging.h); NULL on failure. Released by vfree. */
void *vmalloc_map_phys(uint64_t pa, size_t len, unsigned prot);

/* A kernel stack: KSTACK_SIZE bytes in a slot of the kernel-stack area
 * (mm/layout.h), with the rest of the slot below it an unmapped guard.
 * Returns the top (initial RSP), or 0 when out of memory. Both cost the
 * same however many stacks exist: a slot is found from its address, and
 * free slots wait on a stack of numbers. A few freed stacks stay mapped
 * for the next kstack_alloc (zeroed again then): unmapping one costs a
 * TLB flush on every CPU. Process context. */
#define KSTACK_SIZE (16 * 1024)
uint64_t kstack_alloc(void);
void kstack_free(uint64_t top);
/* kstack_free when only the top `dirty` bytes may hold non-zero words
 * (the rest as kstack_alloc gave it: zero): a cached stack is zeroed
 * again only there. */
void kstack_free_dirty(uint64_t top, size_t dirty);

/* True if va is a guard page of a live vmalloc area or of a kernel-stack
 * slot (for fault reports). */
bool vmalloc_is_guard(uint64_t va);

#endif
