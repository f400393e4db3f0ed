// SPDX-License-Identifier: MIT
/*
 * The plan of the kernel's direct map (pgplan.h): its extent and the
 * memory type of each run of it.
 */
#include <stddef.h>

#include "pgplan.h"

bool pgplan_type_is_ram(uint32_t type)
{
	switch (type) {
	case KBI_MEM_USABLE:
	case KBI_MEM_ACPI_RECLAIM:
	case KBI_MEM_ACPI_NVS:
	case KBI_MEM_RUNTIME:
	case KBI_MEM_BOOT_SERVICES:
	case KBI_MEM_LOADER:
	case KBI_MEM_KERNEL:
	case KBI_MEM_ROOTFS:
	case KBI_MEM_BOOTINFO:
	case KBI_MEM_PAGETABLES:
	case KBI_MEM_BOOT_STACK:
	case KBI_MEM_TRAMPOLINE:
		return true;
	default:
		return false;
	}
}

static uint64_t range_end(const struct kbi_mem_range *x)
{
	uint64_t e = x->base + x->length;
	return e < x->base ? ~0ULL : e; /* a wrapping range ends at the top */
}

uint64_t pgplan_end(const struct kbi_mem_range *r, int n, uint64_t max, uint64_t *ram_left_out)
{
	uint64_t end = PGPLAN_MIN_END, left = 0;

	max &= ~(PGPLAN_4K - 1);
	for (int i = 0; i < n; i++)
		if (pgplan_type_is_ram(r[i].type) && range_end(&r[i]) > end)
			end = range_end(&r[i]);
	end = (end + PGPLAN_4K - 1) & ~(PGPLAN_4K - 1);
	if (end < PGPLAN_MIN_END) /* rounding wrapped */
		end = ~(PGPLAN_4K - 1);
	if (end > max)
		end = max;
	for (int i = 0; i < n; i++) {
		uint64_t b = r[i].base, e = range_end(&r[i]);
		if (pgplan_type_is_ram(r[i].type) && e > end)
			left += e - (b > end ? b : end);
	}
	if (ram_left_out)
		*ram_left_out = left;
	return end;
}

/* The memory type at addr. */
static enum pgplan_cache cache_at(const struct kbi_mem_range *r, int n, uint64_t addr)
{
	bool ram = false;

	for (int i = 0; i < n; i++) {
		if (addr < r[i].base || addr >= range_end(&r[i]))
			continue;
		if (!pgplan_type_is_ram(r[i].type))
			return PGPLAN_UC;
		ram = true;
	}
	return ram ? PGPLAN_WB : PGPLAN_UC;
}

/* The first range boundary above addr (end if none is below it). */
static uint64_t next_boundary(const struct kbi_mem_range *r, int n, uint64_t addr, uint64_t end)
{
	uint64_t next = end;

	for (int i = 0; i < n; i++) {
		uint64_t b = r[i].base, e = range_end(&r[i]);
		if (b > addr && b < next)
			next = b;
		if (e > addr && e < next)
			next = e;
	}
	return next;
}

uint64_t pgplan_run(const struct kbi_mem_range *r, int n, uint64_t addr, uint64_t end,
		    enum pgplan_cache *cache)
{
	enum pgplan_cache c = cache_at(r, n, addr);
	uint64_t at = addr;

	while (at < end) {
		/* both callers' maps are page-aligned; a boundary inside a
		 * page moves up to the next one (always forward: no stall) */
		uint64_t next = (next_boundary(r, n, at, end) + PGPLAN_4K - 1) & ~(PGPLAN_4K - 1);
		if (next == 0 || next >= end) {
			at = end;
			break;
		}
		at = next;
		if (cache_at(r, n, at) != c)
			break;
	}
	*cache = c;
	return at;
}

uint64_t pgplan_page(uint64_t addr, uint64_t run_end, bool gib_pages)
{
	static const uint64_t sizes[] = { PGPLAN_1G, PGPLAN_2M };

	for (unsigned i = gib_pages ? 0 : 1; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (!(addr & (sizes[i] - 1)) && run_end - addr >= sizes[i])
			return sizes[i];
	return PGPLAN_4K;
}

const char *pgplan_paging_refusal(uint64_t cr4)
{
	if (cr4 & PGPLAN_CR4_LA57)
		return "the firmware runs with 5-level paging (CR4.LA57): Kestrel hands over "
		       "4-level tables; turn 5-level paging off in the firmware setup";
	return NULL;
}
