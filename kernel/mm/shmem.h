/* SPDX-License-Identifier: MIT */
/* Memory objects: pages several regions map, filled on demand (shared anonymous memory, file snapshots). */
#ifndef KESTREL_MM_SHMEM_H
#define KESTREL_MM_SHMEM_H

#include <stdint.h>

/*
 * A memory object is npages pages, each allocated zeroed on its first
 * use and kept until the object goes: MAP_SHARED|MAP_ANONYMOUS memory,
 * which every process that inherits the mapping sees, and the snapshot
 * of a file that a private file mapping copies on write. The object
 * holds one reference on each of its pages; a page-table entry mapping
 * one holds another (so unmapping drops it as any user page).
 *
 * Lock rule: the regions (struct vma) that point at an object hold its
 * references; they are changed as their address space is (mm/uvm.h),
 * by non-preemptible kernel code that does not sleep, so the page tree
 * needs no lock. The reference count is atomic all the same.
 */
struct shmem;

/* A new object of npages (at least 1) pages, none allocated yet, with
 * one reference; NULL when out of memory. */
struct shmem *shmem_create(uint64_t npages);
void shmem_get(struct shmem *s);
/* Drop a reference; the last one frees the object and drops its
 * references on its pages (those still mapped somewhere stay). */
void shmem_put(struct shmem *s);
/* The physical address of page idx, allocated zeroed on first use; 0
 * when idx is out of range or memory is exhausted. */
uint64_t shmem_page(struct shmem *s, uint64_t idx);

#endif
