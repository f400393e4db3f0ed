/* SPDX-License-Identifier: MIT */
/* Kestrel x86_64: page-table bits and read-only walks of the live tables. */
#ifndef KESTREL_ARCH_PAGING_H
#define KESTREL_ARCH_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define PTE_P     (1ull << 0)
#define PTE_W     (1ull << 1)
#define PTE_U     (1ull << 2)
#define PTE_PS    (1ull << 7)
#define PTE_G     (1ull << 8)
#define PTE_NX    (1ull << 63)
#define PTE_ADDR  0x000ffffffffff000ull

/* True if addr is mapped (present at every level) in the current CR3.
 * Safe to call from the panic path: it only reads tables through the
 * direct map. */
bool arch_kernel_addr_mapped(uint64_t addr);
/* The leaf entry mapping addr in the current CR3 (with PTE_PS set for a
 * large page), or 0 if it is not mapped. */
uint64_t arch_leaf_entry(uint64_t addr);

#endif
