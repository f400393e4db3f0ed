/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for shared/pgplan.c: the direct map's extent (at least
 * 4 GiB, clamped to the layout, RAM above it counted), its memory types
 * (RAM write-back; reserved, MMIO and holes uncached; reserved wins an
 * overlap), the page sizes of each run, and the loader's refusal of
 * 5-level paging. A random model check compares the walk with a page by
 * page answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgplan.h"
#include "unit.h"

#define KIB 0x400ULL
#define MIB 0x100000ULL
#define GIB 0x40000000ULL
#define TIB (1024 * GIB)

#define U  KBI_MEM_USABLE
#define RS KBI_MEM_RESERVED
#define AN KBI_MEM_ACPI_NVS
#define AR KBI_MEM_ACPI_RECLAIM
#define RT KBI_MEM_RUNTIME
#define BS KBI_MEM_BOOT_SERVICES
#define LD KBI_MEM_LOADER

#define R(b, l, t) { .base = (b), .length = (l), .type = (t), .flags = 0 }
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* A walk's result: up to WALK_MAX pages. */
#define WALK_MAX 20000
struct page { uint64_t pa, size; enum pgplan_cache c; };
static struct page walked[WALK_MAX];

/* Walk [0, end) as the loader and the kernel do; the page count, or -1
 * if it overflowed WALK_MAX or a run did not advance. */
static int walk(const struct kbi_mem_range *r, int n, uint64_t end, bool gib)
{
	int count = 0;

	for (uint64_t pa = 0; pa < end;) {
		enum pgplan_cache c;
		uint64_t run_end = pgplan_run(r, n, pa, end, &c);
		if (run_end <= pa || run_end > end)
			return -1;
		while (pa < run_end) {
			uint64_t size = pgplan_page(pa, run_end, gib);
			if (count == WALK_MAX)
				return -1;
			walked[count++] = (struct page){ pa, size, c };
			pa += size;
		}
	}
	return count;
}

/* The memory type the walk gave the page holding pa, or -1. The walk's
 * pages are in address order: a binary search (random_model asks for
 * every 4 KiB of 64 MiB in 300 maps; a linear scan took 54 s under gcc's
 * ASan). */
static int type_at(int count, uint64_t pa)
{
	int lo = 0, hi = count; /* the page holding pa, if any, is in [lo, hi) */

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (pa < walked[mid].pa)
			hi = mid;
		else if (pa >= walked[mid].pa + walked[mid].size)
			lo = mid + 1;
		else
			return (int)walked[mid].c;
	}
	return -1;
}

UNIT_TEST(ram_types)
{
	static const uint32_t ram[] = { U, AR, AN, RT, BS, LD, KBI_MEM_KERNEL, KBI_MEM_ROOTFS,
					KBI_MEM_BOOTINFO, KBI_MEM_PAGETABLES, KBI_MEM_BOOT_STACK,
					KBI_MEM_TRAMPOLINE };
	static const uint32_t not_ram[] = { 0, RS, KBI_MEM_BAD, KBI_MEM_PERSISTENT,
					    KBI_MEM_TYPE_COUNT, 0xffffffffu };

	for (unsigned i = 0; i < sizeof(ram) / sizeof(ram[0]); i++)
		CHECK(pgplan_type_is_ram(ram[i]));
	for (unsigned i = 0; i < sizeof(not_ram) / sizeof(not_ram[0]); i++)
		CHECK(!pgplan_type_is_ram(not_ram[i]));
	return NULL;
}

UNIT_TEST(end_at_least_4g)
{
	const struct kbi_mem_range r[] = { R(4 * KIB, 256 * MIB, U) };
	uint64_t left = 1;

	CHECK_EQ(pgplan_end(r, COUNT(r), KBI_DIRECT_MAP_MAX, &left), 4 * GIB);
	CHECK_EQ(left, 0);
	CHECK_EQ(pgplan_end(NULL, 0, KBI_DIRECT_MAP_MAX, NULL), 4 * GIB);
	return NULL;
}

/* Reserved and MMIO ranges above RAM do not stretch the map. */
UNIT_TEST(end_follows_ram_only)
{
	const struct kbi_mem_range r[] = {
		R(4 * KIB, 2 * GIB, U), R(4 * GIB, 14 * GIB, BS), R(18 * GIB, 4 * KIB, AN),
		R(1 * TIB, 12 * GIB, RS), R(2 * TIB, GIB, KBI_MEM_PERSISTENT),
	};
	uint64_t left = 1;

	CHECK_EQ(pgplan_end(r, COUNT(r), KBI_DIRECT_MAP_MAX, &left), 18 * GIB + 4 * KIB);
	CHECK_EQ(left, 0);
	return NULL;
}

/* RAM beyond the layout's 64 TiB is left out and counted, partly and whole. */
UNIT_TEST(end_clamped_to_layout)
{
	const struct kbi_mem_range r[] = {
		R(4 * KIB, 2 * GIB, U), R(60 * TIB, 8 * TIB, U), R(70 * TIB, 2 * TIB, RT),
		R(80 * TIB, TIB, RS),
	};
	uint64_t left = 0;

	CHECK_EQ(pgplan_end(r, COUNT(r), KBI_DIRECT_MAP_MAX, &left), 64 * TIB);
	CHECK_EQ(left, 4 * TIB + 2 * TIB);
	CHECK_EQ(pgplan_end(r, COUNT(r), 3 * GIB + 123, &left), 3 * GIB); /* max rounded down */
	return NULL;
}

/* A range that wraps the 64-bit space ends at the top, clamped. */
UNIT_TEST(end_wrapping_range)
{
	const struct kbi_mem_range r[] = { R(0xfffffffffff00000ULL, 2 * MIB, U) };
	uint64_t left = 0;

	CHECK_EQ(pgplan_end(r, COUNT(r), KBI_DIRECT_MAP_MAX, &left), KBI_DIRECT_MAP_MAX);
	CHECK(left > 0);
	return NULL;
}

/* A q35-like map: RAM of several types below 2 GiB is one write-back
 * run; the VGA hole, ECAM, the flash and the gap to 4 GiB are uncached;
 * RAM above 4 GiB is 1 GiB pages. */
UNIT_TEST(q35_like_map)
{
	const struct kbi_mem_range r[] = {
		R(0, 4 * KIB, RS), R(4 * KIB, 0x9f000 - 4 * KIB, U), R(0x9f000, 4 * KIB, RS),
		R(MIB, 7 * MIB, U), R(8 * MIB, MIB, AN), R(9 * MIB, 100 * MIB, BS),
		R(109 * MIB, 3 * MIB, LD), R(112 * MIB, 2 * GIB - 112 * MIB - 64 * KIB, U),
		R(2 * GIB - 64 * KIB, 64 * KIB, RT), R(0xb0000000, 256 * MIB, RS),
		R(0xffc00000, 4 * MIB, RS), R(4 * GIB, 14 * GIB, U),
	};
	uint64_t end = pgplan_end(r, COUNT(r), KBI_DIRECT_MAP_MAX, NULL);
	int n = walk(r, COUNT(r), end, true);

	CHECK(n > 0);
	CHECK_EQ(end, 18 * GIB);
	CHECK_EQ(type_at(n, 0), PGPLAN_UC);
	CHECK_EQ(type_at(n, 0x5000), PGPLAN_WB);
	CHECK_EQ(type_at(n, 0x9f000), PGPLAN_UC);
	CHECK_EQ(type_at(n, 0xa0000), PGPLAN_UC);  /* hole: VGA */
	CHECK_EQ(type_at(n, 0xfffff), PGPLAN_UC);
	CHECK_EQ(type_at(n, 8 * MIB), PGPLAN_WB);  /* NVS is RAM */
	CHECK_EQ(type_at(n, 2 * GIB - 4 * KIB), PGPLAN_WB);
	CHECK_EQ(type_at(n, 2 * GIB), PGPLAN_UC);  /* hole */
	CHECK_EQ(type_at(n, 0xb0000000), PGPLAN_UC);
	CHECK_EQ(type_at(n, 0xfee00000), PGPLAN_UC); /* local APIC: a hole */
	CHECK_EQ(type_at(n, 4 * GIB), PGPLAN_WB);
	/* contiguous, and the RAM from 1 MiB to 2 GiB in large pages */
	int in_low_ram = 0, gib_pages = 0;
	for (int i = 0; i < n; i++) {
		CHECK_EQ(walked[i].pa & (walked[i].size - 1), 0);
		if (i)
			CHECK_EQ(walked[i].pa, walked[i - 1].pa + walked[i - 1].size);
		if (walked[i].pa >= MIB && walked[i].pa < 2 * GIB)
			in_low_ram++;
		gib_pages += walked[i].size == GIB;
	}
	CHECK_EQ(walked[n - 1].pa + walked[n - 1].size, end);
	/* 1->2 MiB in 4 KiB pages (256), 2 MiB pages to 1 GiB (511), then one
	 * 1 GiB page to 2 GiB: five RAM types, one run */
	CHECK_EQ(in_low_ram, 256 + 511 + 1);
	/* 1-2 GiB, 2-3 and 3-4 GiB (holes and reserved: all uncached), 4-18 GiB */
	CHECK_EQ(gib_pages, 1 + 2 + 14);
	return NULL;
}

/* Without 1 GiB pages, the same plan in 2 MiB pages at most. */
UNIT_TEST(no_gib_pages)
{
	const struct kbi_mem_range r[] = { R(4 * KIB, 8 * GIB - 4 * KIB, U) };
	int n = walk(r, COUNT(r), 8 * GIB, false);

	CHECK(n > 0);
	for (int i = 0; i < n; i++)
		CHECK(walked[i].size <= 2 * MIB);
	CHECK_EQ(n, 511 /* 4 KiB */ + 1 /* page 0 */ + 4095);
	return NULL;
}

/* Overlaps: a reserved range inside RAM wins; RAM over RAM stays RAM. */
UNIT_TEST(reserved_wins_overlap)
{
	const struct kbi_mem_range r[] = {
		R(0, 64 * MIB, U), R(16 * MIB, 4 * MIB, RS), R(32 * MIB, 8 * MIB, LD),
		R(36 * MIB, 8 * KIB, KBI_MEM_BAD),
	};
	int n = walk(r, COUNT(r), 64 * MIB, true);

	CHECK(n > 0);
	CHECK_EQ(type_at(n, 16 * MIB - 4 * KIB), PGPLAN_WB);
	CHECK_EQ(type_at(n, 16 * MIB), PGPLAN_UC);
	CHECK_EQ(type_at(n, 20 * MIB - 4 * KIB), PGPLAN_UC);
	CHECK_EQ(type_at(n, 20 * MIB), PGPLAN_WB);
	CHECK_EQ(type_at(n, 34 * MIB), PGPLAN_WB);
	CHECK_EQ(type_at(n, 36 * MIB + 4 * KIB), PGPLAN_UC);
	CHECK_EQ(type_at(n, 36 * MIB + 8 * KIB), PGPLAN_WB);
	return NULL;
}

UNIT_TEST(page_sizes)
{
	CHECK_EQ(pgplan_page(0, GIB, true), GIB);
	CHECK_EQ(pgplan_page(0, GIB, false), 2 * MIB);
	CHECK_EQ(pgplan_page(0, GIB - 4 * KIB, true), 2 * MIB);
	CHECK_EQ(pgplan_page(GIB, 2 * GIB, true), GIB);
	CHECK_EQ(pgplan_page(2 * MIB, 2 * GIB, true), 2 * MIB);
	CHECK_EQ(pgplan_page(4 * KIB, 2 * GIB, true), 4 * KIB);
	CHECK_EQ(pgplan_page(0, 4 * KIB, true), 4 * KIB);
	CHECK_EQ(pgplan_page(0, 2 * MIB - 4 * KIB, true), 4 * KIB);
	return NULL;
}

/* Unaligned boundaries never stall the walk, and it still covers [0, end). */
UNIT_TEST(unaligned_ranges_terminate)
{
	const struct kbi_mem_range r[] = {
		R(0x1800, 0x800, U), R(0x2000, 0x1234, RS), R(0x3234, 10 * MIB, U),
		R(0x5000, 1, AN),
	};
	int n = walk(r, COUNT(r), 4 * GIB, true);

	CHECK(n > 0);
	CHECK_EQ(walked[n - 1].pa + walked[n - 1].size, 4 * GIB);
	return NULL;
}

/* The loader refuses CR4.LA57 and only that. */
UNIT_TEST(la57_refused)
{
	CHECK(pgplan_paging_refusal(0) == NULL);
	CHECK(pgplan_paging_refusal(~PGPLAN_CR4_LA57) == NULL);
	CHECK(pgplan_paging_refusal(PGPLAN_CR4_LA57) != NULL);
	CHECK(strstr(pgplan_paging_refusal(0x3606f8 | PGPLAN_CR4_LA57), "5-level") != NULL);
	CHECK_EQ(PGPLAN_CR4_LA57, 0x1000);
	return NULL;
}

/* Random maps over 64 MiB in 4 KiB steps: every page's type in the walk
 * equals the page-by-page answer (reserved or bad anywhere on it: UC;
 * else RAM somewhere on it: WB; else UC), runs are maximal (the next run
 * has another type), pages are the largest the run allows. */
#define MODEL_SPAN (64 * MIB)
UNIT_TEST(random_model)
{
	static const uint32_t types[] = { U, RS, AN, RT, BS, LD, KBI_MEM_BAD, KBI_MEM_PERSISTENT };
	struct kbi_mem_range r[24];

	srand(12345);
	for (int round = 0; round < 300; round++) {
		int n = rand() % COUNT(r);
		for (int i = 0; i < n; i++) {
			uint64_t b = (uint64_t)(rand() % (MODEL_SPAN / (4 * KIB))) * 4 * KIB;
			uint64_t l = (uint64_t)(1 + rand() % 2048) * 4 * KIB;
			if (rand() % 4 == 0)
				l *= 8;
			r[i] = (struct kbi_mem_range)R(b, l, types[rand() % 8]);
		}
		int count = walk(r, n, MODEL_SPAN, true);
		CHECK(count > 0);
		for (uint64_t pa = 0; pa < MODEL_SPAN; pa += 4 * KIB) {
			bool bad = false, ram = false;
			for (int i = 0; i < n; i++) {
				if (pa < r[i].base || pa >= r[i].base + r[i].length)
					continue;
				if (pgplan_type_is_ram(r[i].type))
					ram = true;
				else
					bad = true;
			}
			int want = bad || !ram ? PGPLAN_UC : PGPLAN_WB;
			if (type_at(count, pa) != want) {
				snprintf(unit_msg, sizeof(unit_msg), "round %d: page 0x%llx type %d, want %d",
					 round, (unsigned long long)pa, type_at(count, pa), want);
				return unit_msg;
			}
		}
		/* a 4 KiB page at a 2 MiB boundary: its 2 MiB are not of one type */
		for (int i = 0; i < count; i++) {
			if (walked[i].size != 4 * KIB || (walked[i].pa & (2 * MIB - 1)))
				continue;
			bool same = true;
			for (uint64_t p = walked[i].pa; p < walked[i].pa + 2 * MIB && p < MODEL_SPAN;
			     p += 4 * KIB)
				same = same && type_at(count, p) == (int)walked[i].c;
			CHECK(!same);
		}
	}
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(ram_types),
	UNIT_ENTRY(end_at_least_4g),
	UNIT_ENTRY(end_follows_ram_only),
	UNIT_ENTRY(end_clamped_to_layout),
	UNIT_ENTRY(end_wrapping_range),
	UNIT_ENTRY(q35_like_map),
	UNIT_ENTRY(no_gib_pages),
	UNIT_ENTRY(reserved_wins_overlap),
	UNIT_ENTRY(page_sizes),
	UNIT_ENTRY(unaligned_ranges_terminate),
	UNIT_ENTRY(la57_refused),
	UNIT_ENTRY(random_model),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
