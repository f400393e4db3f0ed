/* SPDX-License-Identifier: MIT */
/* Memory objects: pages several regions map, filled on demand (shared anonymous memory, RAM files). */
#ifndef KESTREL_MM_SHMEM_H
#define KESTREL_MM_SHMEM_H

#include <stdbool.h>
#include <stdint.h>

struct vma;

/*
 * A memory object is npages pages, each allocated zeroed on its first
 * use and kept until the object goes (or is truncated):
 * MAP_SHARED|MAP_ANONYMOUS memory, which every process that inherits
 * the mapping sees, and a RAM file's bytes, which its mappings map
 * (shared, or copied on write by a private one). The object
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
/* A reference unless the last one is already gone (the object is being
 * freed): false then. */
bool shmem_tryget(struct shmem *s);
/* Drop a reference; the last one frees the object and drops its
 * references on its pages (those still mapped somewhere stay). */
void shmem_put(struct shmem *s);
/* The physical address of page idx, allocated zeroed on first use; 0
 * when idx is out of range, memory is exhausted or the accounting
 * limit (shmem_set_acct) is reached. */
uint64_t shmem_page(struct shmem *s, uint64_t idx);
/*
 * What the object's owner hears (a System V segment, ipc/shm.c, Linux's
 * shm_open, shm_close and the end of its file): mapped(arg) when a
 * region comes to map it (mm/uvm.c: a new mapping, a fork's copy, a
 * split or move), unmapped(arg) when one goes (before the region's
 * reference is dropped), release(arg) when the last reference goes,
 * after the pages are dropped (and shmem_set_acct's accounting done) and
 * before the object is freed. Any may be NULL; none may take a reference
 * or sleep.
 */
struct shmem_hooks {
	void (*mapped)(void *arg);
	void (*unmapped)(void *arg);
	void (*release)(void *arg);
};
void shmem_set_hooks(struct shmem *s, const struct shmem_hooks *hooks, void *arg);
/* Has s hooks (a System V segment)? Such an object's regions change
 * under the kernel lock (a fork's copy of them too: uvm_needs_klock). */
bool shmem_has_hooks(const struct shmem *s);
/* The arg s's hooks were set with, if they are hooks; else NULL. */
void *shmem_hook_arg(const struct shmem *s, const struct shmem_hooks *hooks);
void shmem_mapped(struct shmem *s);
void shmem_unmapped(struct shmem *s);
/* Page idx if it is allocated, else 0 (a hole: it reads as zeros). */
uint64_t shmem_lookup(const struct shmem *s, uint64_t idx);
/* The first page from idx on, below end, that is allocated (present) or
 * a hole (!present); end when there is none. Skips an empty subtree at
 * once, as Linux's xarray search does (SEEK_DATA, SEEK_HOLE). */
uint64_t shmem_seek(const struct shmem *s, uint64_t idx, uint64_t end, bool present);

/*
 * File objects. A RAM file's bytes live in an object (fs/ramfs.c), so
 * that read(2), write(2) and every mapping of the file see the same
 * pages. Such an object is created with the largest size the file may
 * reach; its end (shmem_end) follows the file's size: a mapping's page
 * at or past it is SIGBUS. Its data pages are counted in *used, and
 * none is allocated once *used reaches *max (tmpfs's size limit).
 */
void shmem_set_acct(struct shmem *s, uint64_t *used, const uint64_t *max);
/* The accounting limit is reached: a new page cannot be had (a fault
 * on a hole is SIGBUS, as on a full tmpfs). */
bool shmem_full(const struct shmem *s);
/* The pages a mapping may reach: [0, end). Anonymous objects: all.
 * Read and written atomically (a fork reads it without the kernel
 * lock); written under the kernel lock, lowered before a truncation's
 * unmapping (uvm_truncate_object). */
uint64_t shmem_end(const struct shmem *s);
void shmem_set_end(struct shmem *s, uint64_t end);
/* Drop the object's pages from idx on (those still mapped somewhere
 * stay until unmapped: uvm_truncate_object unmaps them first). */
void shmem_truncate(struct shmem *s, uint64_t idx);
/* The head of the list of regions mapping the object, kept by mm/uvm.c
 * (reverse mapping, for truncation) under its rmap_lock (uvm.h's rules):
 * a reader outside mm/uvm.c holds the kernel lock and either looks only
 * at whether the list is empty (ramfs, mfile), which a lock-free fork
 * does not change (it links a region while its parent's, which stays,
 * is on the list), or walks a System V segment's list (shm's nattch),
 * whose regions all change under the kernel lock (shmem_has_hooks). */
struct vma **shmem_rmap(struct shmem *s);

#endif
