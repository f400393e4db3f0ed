/* SPDX-License-Identifier: MIT */
/*
 * The plan of the kernel's direct map, and the paging mode the loader can
 * hand over from. Pure C: the loader, the kernel (which redraws the same
 * direct map in vmm_init) and the host tests compile it.
 *
 * The direct map's rule, one for the loader's tables and the kernel's:
 *  - it covers [0, end), end = the end of the last RAM-like range, at
 *    least 4 GiB (the first 4 GiB hold the firmware's tables, the legacy
 *    areas and the local APIC), at most KBI_DIRECT_MAP_MAX (the layout's
 *    region): RAM above that is left out of the map and of the page
 *    allocator, and the caller logs how much;
 *  - a RAM-like range (pgplan_type_is_ram) is mapped write-back; every
 *    other address below end (reserved, MMIO, bad or persistent memory,
 *    holes no range describes) is mapped uncached (PCD|PWT, which is UC in
 *    the power-on PAT and in Linux's PAT layout alike), never write-back:
 *    a write-back mapping of device memory lets the CPU fetch lines from
 *    device registers speculatively and write lines back into them. Such
 *    addresses stay mapped (not left out) so that a firmware table the
 *    kernel reads from reserved memory, or below 1 MiB, is still reached.
 */
#ifndef KESTREL_SHARED_PGPLAN_H
#define KESTREL_SHARED_PGPLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "bootinfo.h"

#define PGPLAN_MIN_END  0x100000000ULL /* 4 GiB */
#define PGPLAN_4K       0x1000ULL
#define PGPLAN_2M       0x200000ULL
#define PGPLAN_1G       0x40000000ULL

/* The memory type a run of the direct map gets. */
enum pgplan_cache {
	PGPLAN_WB, /* RAM: write-back */
	PGPLAN_UC, /* anything else: uncached */
};

/* Whether memory of this kbi type is RAM the kernel may read as memory:
 * usable, ACPI (reclaimable and NVS), EFI runtime, boot services and
 * everything the loader placed. Reserved, bad, persistent: no. */
bool pgplan_type_is_ram(uint32_t type);

/* The direct map's end for the ranges r[0..n) (any order, may overlap):
 * page-aligned, in [PGPLAN_MIN_END, max], max being the layout's limit
 * (KBI_DIRECT_MAP_MAX). *ram_left_out (may be NULL) gets the bytes of
 * RAM-like ranges at or above the end. */
uint64_t pgplan_end(const struct kbi_mem_range *r, int n, uint64_t max, uint64_t *ram_left_out);

/* The longest run [addr, returned end) over which the memory type stays
 * the same, ending at most at end; addr < end, both page-aligned, and so
 * should the ranges be (a boundary inside a page moves up to the next
 * page: the loader's EFI map and the kernel's sanitised map are). *cache
 * gets the type. Where ranges overlap, a non-RAM range wins over RAM (as
 * in memmap_sanitise, where reserved and bad rank above every RAM type);
 * an address no range covers is PGPLAN_UC. Work O(n) per boundary
 * crossed; no allocation. */
uint64_t pgplan_run(const struct kbi_mem_range *r, int n, uint64_t addr, uint64_t end,
		    enum pgplan_cache *cache);

/* The largest page that maps addr inside [addr, run_end): 1 GiB (only
 * when gib_pages), 2 MiB or 4 KiB, the address aligned to it. */
uint64_t pgplan_page(uint64_t addr, uint64_t run_end, bool gib_pages);

/* The firmware's paging mode at the loader's start, from CR4: NULL when
 * the loader can hand over its 4-level tables, else why it cannot. With
 * CR4.LA57 the CPU walks five levels and would read the loader's PML4 as
 * a PML5; LA57 can change only with paging off, which in long mode means
 * leaving it (Linux's 32-bit trampoline does). Kestrel refuses instead:
 * UEFI firmware that turns LA57 on is found on servers with more than
 * 64 TiB of address space, not on the laptops Kestrel aims at, and the
 * refusal names the firmware setting to change. */
#define PGPLAN_CR4_LA57 (1ULL << 12)
const char *pgplan_paging_refusal(uint64_t cr4);

#endif
