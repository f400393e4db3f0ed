/* SPDX-License-Identifier: MIT */
/*
 * The kernel's virtual address space, drawn once. Every constant below
 * and in shared/bootinfo.h derives from this picture.
 *
 *   0x0000000000000000 - 0x00007fffffffefff  user space          PML4 0-255 (per process)
 *                                            programs map [USER_MIN_ADDR, USER_VA_END):
 *                                            mmap, brk, the stack, ELF segments
 *   0x00007ffffffff000 - 0x00007fffffffffff  never mapped        the last user page: a
 *                                            SYSCALL at its end would return to
 *                                            0x800000000000, a non-canonical RIP
 *   ---------------------------------------- the upper half, shared by every address space:
 *   0xffff800000000000 - 0xffffbfffffffffff  direct map          PML4 256-383 (64 TiB)
 *                                            physical 0 to the end of RAM, NX, large
 *                                            pages: RAM write-back, the rest (reserved,
 *                                            MMIO, holes) uncached (shared/pgplan.h);
 *                                            kmalloc and page allocations are addressed
 *                                            through it
 *   0xffffc00000000000 - 0xffffdfffffffffff  (reserved)          PML4 384-447
 *   0xffffe00000000000 - 0xffffe7ffffffffff  vmalloc area        PML4 448-463
 *                                            areas with a guard page below each: exec's
 *                                            file buffers, device registers (uncached)
 *   0xffffe80000000000 - 0xffffefffffffffff  kernel stacks       PML4 464-479
 *                                            fixed slots (mm/vmalloc.h): the stack on
 *                                            top, an unmapped guard below
 *   0xfffff00000000000 - 0xfffffeffffffffff  (reserved)          PML4 480-509
 *   0xffffff0000000000 - 0xffffff7fffffffff  (reserved)          PML4 510
 *   0xffffffff00000000                       framebuffer         PML4 511
 *   0xffffffff7ff00000                       loader's boot stack (freed after boot)
 *   0xffffffff80000000 - kernel end          kernel image        PML4 511
 *                                            text RX | rodata R | data+bss RW |
 *                                            guard | boot stack RW | ksyms R
 *
 * All PML4 entries 256-511 point to page-directory-pointer tables that
 * vmm_init() creates once at boot and that never change afterwards: a
 * process's PML4 copies them, so every later kernel mapping (a stack, a
 * heap page, a per-CPU block) is visible in every address space.
 * Per-CPU blocks come from kmalloc (direct map) and are reached via GS.
 */
#ifndef KESTREL_MM_LAYOUT_H
#define KESTREL_MM_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>
#include "bootinfo.h"

#define PAGE_SIZE        ((uint64_t)4096)
#define PAGE_SHIFT       12
#define USER_TOP         0x0000800000000000ull   /* end of the lower canonical half */
#define USER_VA_END      (USER_TOP - PAGE_SIZE)  /* end of what user space may map */
#define USER_MIN_ADDR    0x10000ull              /* nothing below: NULL stays unmapped */
#define KERNEL_HALF      0xffff800000000000ull
#define DIRECT_MAP_BASE  KBI_DIRECT_MAP_BASE
#define DIRECT_MAP_MAX   KBI_DIRECT_MAP_MAX      /* 64 TiB: RAM above is left out */
#define VMALLOC_BASE     0xffffe00000000000ull
#define VMALLOC_END      0xffffe80000000000ull
#define KSTACK_AREA_BASE VMALLOC_END
#define KSTACK_AREA_END  0xfffff00000000000ull
#define FB_VIRT          KBI_FB_VIRT
#define KERNEL_VIRT_BASE KBI_KERNEL_VIRT_BASE

#define PML4_KERNEL_FIRST 256
#define PML4_ENTRIES      512

/*
 * Page rounding, written once. page_round_up wraps to 0 for v in the last
 * page of the 64-bit space (above UINT64_MAX - PAGE_SIZE + 1): callers
 * given an untrusted length check for that (a zero result from a
 * non-zero v), as mmap's and madvise's checks do. page_count never wraps.
 */
static inline uint64_t page_round_down(uint64_t v)
{
	return v & ~(PAGE_SIZE - 1);
}

static inline uint64_t page_round_up(uint64_t v)
{
	return (v + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/* The offset of v in its page; 0 when v is page-aligned. */
static inline uint64_t page_offset(uint64_t v)
{
	return v & (PAGE_SIZE - 1);
}

/* How many pages n bytes fill (the last one partly). */
static inline uint64_t page_count(uint64_t n)
{
	return (n >> PAGE_SHIFT) + (page_offset(n) != 0);
}

/* Set once at boot from the boot info. */
extern uint64_t direct_map_size;

static inline void *phys_to_virt(uint64_t phys)
{
	return (void *)(DIRECT_MAP_BASE + phys);
}

static inline uint64_t virt_to_phys(const void *direct_mapped)
{
	return (uint64_t)direct_mapped - DIRECT_MAP_BASE;
}

static inline bool phys_in_direct_map(uint64_t phys)
{
	return phys < direct_map_size;
}

#endif
