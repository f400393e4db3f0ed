/* SPDX-License-Identifier: MIT */
/* User address spaces: a PML4 sharing the kernel half, and a list of regions (VMAs) with demand-zero paging. */
#ifndef KESTREL_MM_UVM_H
#define KESTREL_MM_UVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USER_STACK_TOP   0x00007ffffffff000ull
#define USER_STACK_MAX   (8ull << 20)              /* RLIMIT_STACK's usual 8 MiB */
#define USER_MMAP_BASE   0x00007f0000000000ull     /* mmap grows down from here */
#define USER_PIE_BASE    0x0000555555554000ull
#define USER_INTERP_BASE 0x00007fff00000000ull
#define USER_MIN_ADDR    0x10000ull                /* nothing below: NULL stays unmapped */

#define VMA_GROWSDOWN (1u << 0)  /* the stack: faults just below extend it */
#define VMA_HEAP      (1u << 1)  /* the brk region */
#define VMA_SIGBUS    (1u << 2)  /* a file mapping's pages past the end of the file */

/* A region of user addresses [start, end), page aligned, with VM_* prot.
 * Pages inside are mapped on first touch (zero-filled) unless exec
 * mapped them already. */
struct vma {
	uint64_t start, end;
	unsigned prot;
	unsigned flags;
	/* Demand-loaded contents: the bytes [backing_va, backing_va +
	 * backing_len) of this region come from backing, memory that stays
	 * put for the kernel's lifetime (the boot archive); a page is copied
	 * from it on first touch, the rest of the page is zero. */
	const uint8_t *backing;
	uint64_t backing_va, backing_len;
	struct vma *next;         /* sorted by start */
};

/* Lock rule: an address space is changed only by its own (single)
 * thread, or by its creator before that thread first runs. */
struct vm_space {
	int refs;                 /* processes using it (vfork shares it) */
	uint64_t pml4;            /* physical */
	struct vma *vmas;
	uint64_t brk_start, brk;  /* the heap: [brk_start, brk) */
	uint64_t mmap_next;       /* next mmap hint, growing down */
};

struct vm_space *uvm_create(void);
/* Drop a reference; the last one frees every page and table. */
void uvm_destroy(struct vm_space *vs);
/* fork: a copy sharing every page copy-on-write (writable pages become
 * read-only in both until the first write fault copies them). */
struct vm_space *uvm_fork(struct vm_space *parent);

/* Add a region (no overlap allowed): 0, -EINVAL, -ENOMEM. */
int uvm_add_vma(struct vm_space *vs, uint64_t start, uint64_t end, unsigned prot, unsigned flags);
struct vma *uvm_find_vma(struct vm_space *vs, uint64_t va);
/* Remove [start, end) from the regions and unmap it. */
int uvm_unmap(struct vm_space *vs, uint64_t start, uint64_t end);
/* Change protection of [start, end), which must be covered by regions. */
int uvm_protect(struct vm_space *vs, uint64_t start, uint64_t end, unsigned prot);
/* Give the region starting at start demand-loaded contents (see struct vma). */
int uvm_set_backing(struct vm_space *vs, uint64_t start, const void *data, uint64_t va, uint64_t len);
/* Set flags on the regions covering [start, end) (splitting at the edges). */
int uvm_set_flags(struct vm_space *vs, uint64_t start, uint64_t end, unsigned flags);
/* A free range of len bytes for mmap, below mmap_next; 0 if none. */
uint64_t uvm_find_free(struct vm_space *vs, uint64_t len);

/* Make sure the page at va is present (zero-filled if new) and return
 * its direct-map address; NULL if va is in no region or out of memory. */
void *uvm_page(struct vm_space *vs, uint64_t va);
/* Copy into the user space (through the direct map, whatever CR3 is). */
int uvm_write(struct vm_space *vs, uint64_t va, const void *src, size_t len);

/* A page fault at va in user space: true if it was resolved (demand
 * zero inside a region whose protection allows the access, or stack
 * growth), false if the access is bad. */
bool uvm_handle_fault(struct vm_space *vs, uint64_t va, bool write, bool exec);

#endif
