/* SPDX-License-Identifier: MIT */
/*
 * Physical memory-map sanitising: turns the firmware's map (unsorted,
 * overlapping, unaligned) into the clean map the boot protocol promises.
 * No allocation and bounded work, so the loader can run it after
 * ExitBootServices.
 */
#ifndef KESTREL_SHARED_MEMMAP_H
#define KESTREL_SHARED_MEMMAP_H

#include <stdint.h>

#include "bootinfo.h"

/*
 * Highest address a range may reach. The last 4 KiB page of the 64-bit
 * space cannot be described with an exclusive end, so ranges are clipped
 * below it (no x86 machine has physical memory there).
 */
#define MEMMAP_ADDR_TOP (~(KBI_PAGE_SIZE - 1))

/*
 * Sanitise r[0..n) in place so it meets the struct kbi_mem_range contract
 * of bootinfo.h:
 *  - unknown type values become KBI_MEM_RESERVED;
 *  - KBI_MEM_USABLE ranges shrink inward to 4 KiB boundaries, every other
 *    type grows outward (a page partly non-usable is non-usable); ends
 *    beyond MEMMAP_ADDR_TOP are clipped to it;
 *  - where ranges overlap the higher-priority type wins, highest first:
 *    BAD > RESERVED > ACPI_NVS > RUNTIME > PERSISTENT > ACPI_RECLAIM >
 *    TRAMPOLINE > KERNEL > ROOTFS > BOOTINFO > PAGETABLES > BOOT_STACK > LOADER >
 *    BOOT_SERVICES > USABLE; the flags of a piece are the OR of the flags
 *    of every range covering it;
 *  - page 0 is never USABLE: a usable page 0 becomes RESERVED;
 *  - zero-length ranges are dropped, the result is sorted by base, and
 *    adjacent ranges with equal (type, flags) are merged.
 * Holes (addresses no range covers) stay holes.
 * cap >= n is the capacity of r; resolving an overlap can need more
 * entries than n (a range punched into the middle of another adds one,
 * and so does a usable page 0); cap >= 2n always suffices.
 * Work is O(n^2) for typical maps and O(n^3) at worst; no recursion.
 *
 * Returns the new count (0 <= count <= cap). Returns -1 if cap was too
 * small; then r[0..cap) holds cap well-formed entries (known types,
 * aligned, non-zero, sorted by base) that still describe exactly the same
 * resolved map but may overlap and be unmerged: NOT a valid kbi map, but
 * copying them to a larger array and calling memmap_sanitise again gives
 * the same result as a first call with enough room would have.
 * n < 0 or cap < n also return -1, with r untouched.
 */
int memmap_sanitise(struct kbi_mem_range *r, int n, int cap);

/*
 * Make [base, base + len), rounded outward to pages (and clipped at
 * MEMMAP_ADDR_TOP), have the given type with flags 0, overriding (not by
 * priority) whatever covered it and filling holes: ranges it covers are
 * removed, ranges it cuts are trimmed or split in two, and one new range
 * is appended at the end. The result is unsorted: call memmap_sanitise
 * afterwards (several marks may share one sanitise). len 0 is a no-op.
 * Needs cap >= the resulting count, n + 1 + (ranges split) - (ranges
 * removed); at most n + 2 on a sanitised map. Returns the new count, or
 * -1 if cap is too small (or n < 0, or cap < n); r is then untouched.
 */
int memmap_mark(struct kbi_mem_range *r, int n, int cap, uint64_t base,
                uint64_t len, uint32_t type);

/* Total bytes of ranges of the given type in r[0..n). */
uint64_t memmap_total(const struct kbi_mem_range *r, int n, uint32_t type);

/* A short lower-case name for a type ("usable", "reserved", ...);
 * "unknown" for values outside enum kbi_mem_type. */
const char *memmap_type_name(uint32_t type);

#endif
