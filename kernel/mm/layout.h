/* SPDX-License-Identifier: MIT */
/*
 * The kernel's virtual address space, drawn once (see shared/bootinfo.h
 * for what the loader maps at entry):
 *
 *   0x0000000000000000 - 0x00007fffffffffff  user space (empty for now)
 *   0xffff800000000000 - +direct_map_size     direct map of physical memory
 *   0xffffffff00000000                        framebuffer
 *   0xffffffff7ff00000                        loader's boot stack (unused after entry)
 *   0xffffffff80000000 -                      kernel image (text, rodata, data,
 *                                             guard page, boot stack, bss, ksyms)
 */
#ifndef KESTREL_MM_LAYOUT_H
#define KESTREL_MM_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>
#include "bootinfo.h"

#define DIRECT_MAP_BASE KBI_DIRECT_MAP_BASE

/* Set once at boot from the boot info. */
extern uint64_t direct_map_size;

static inline void *phys_to_virt(uint64_t phys)
{
	return (void *)(DIRECT_MAP_BASE + phys);
}

static inline bool phys_in_direct_map(uint64_t phys)
{
	return phys < direct_map_size;
}

#endif
