/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for shared/pgplan.c over firmware-like memory maps
 * (any order, overlaps, unaligned, huge or wrapping ranges): the end is
 * page-aligned, at least 4 GiB unless clamped, never above the limit; the
 * walk over [0, end) always advances, stays inside it, covers it without
 * gaps with aligned pages, and gives each sampled page the type a direct
 * look at the ranges gives (for page-aligned maps).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgplan.h"

#define MAX_IN      32
#define ENTRY_BYTES 10 /* base (4 bytes, pages), length (4 bytes, pages), type, scale */
#define PAGE        PGPLAN_4K
#define WALK_MAX    (1u << 16)

#define FAIL(...)                                                     \
	do {                                                          \
		fprintf(stderr, "fuzz_pgplan: " __VA_ARGS__);         \
		fprintf(stderr, "\n");                                \
		abort();                                              \
	} while (0)

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The memory type of the page at pa, looked up directly (aligned maps). */
static enum pgplan_cache model(const struct kbi_mem_range *r, int n, uint64_t pa)
{
	bool ram = false;

	for (int i = 0; i < n; i++) {
		uint64_t e = r[i].base + r[i].length;
		if (e < r[i].base)
			e = ~0ULL;
		if (pa < r[i].base || pa >= e)
			continue;
		if (!pgplan_type_is_ram(r[i].type))
			return PGPLAN_UC;
		ram = true;
	}
	return ram ? PGPLAN_WB : PGPLAN_UC;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kbi_mem_range r[MAX_IN];
	int n = 0;
	bool aligned = true;

	if (size < 1)
		return 0;
	bool gib = data[0] & 1;
	uint64_t max = data[0] & 2 ? KBI_DIRECT_MAP_MAX : (uint64_t)(data[0] >> 2) << 30;
	for (size_t off = 1; off + ENTRY_BYTES <= size && n < MAX_IN; off += ENTRY_BYTES, n++) {
		const uint8_t *e = data + off;
		unsigned scale = e[9] % 4; /* pages, 2 MiB, 1 GiB or bytes */
		uint64_t unit = scale == 0 ? PAGE : scale == 1 ? PGPLAN_2M : scale == 2 ? PGPLAN_1G : 1;
		r[n].base = (uint64_t)le32(e) * unit;
		r[n].length = (uint64_t)le32(e + 4) * unit;
		r[n].type = e[8] % (KBI_MEM_TYPE_COUNT + 1);
		r[n].flags = 0;
		aligned = aligned && scale != 3;
	}
	uint64_t left;
	uint64_t end = pgplan_end(r, n, max, &left);
	if (end & (PAGE - 1))
		FAIL("end 0x%llx not page-aligned", (unsigned long long)end);
	if (end > (max & ~(PAGE - 1)) || (end < PGPLAN_MIN_END && end != (max & ~(PAGE - 1))))
		FAIL("end 0x%llx outside [4 GiB, max 0x%llx]", (unsigned long long)end,
		     (unsigned long long)max);
	/* walk at most the first WALK_MAX pages' worth of steps */
	uint64_t pa = 0;
	for (unsigned steps = 0; pa < end && steps < WALK_MAX; steps++) {
		enum pgplan_cache c;
		uint64_t run_end = pgplan_run(r, n, pa, end, &c);
		if (run_end <= pa || run_end > end || (run_end & (PAGE - 1)))
			FAIL("run from 0x%llx ends at 0x%llx (end 0x%llx)", (unsigned long long)pa,
			     (unsigned long long)run_end, (unsigned long long)end);
		if (aligned && model(r, n, pa) != c)
			FAIL("page 0x%llx typed %d", (unsigned long long)pa, (int)c);
		if (aligned && model(r, n, run_end - PAGE) != c)
			FAIL("last page of the run at 0x%llx typed %d", (unsigned long long)pa, (int)c);
		uint64_t size = pgplan_page(pa, run_end, gib);
		if ((pa & (size - 1)) || pa + size > run_end || (!gib && size == PGPLAN_1G))
			FAIL("page of 0x%llx at 0x%llx", (unsigned long long)size, (unsigned long long)pa);
		pa = run_end;
	}
	return 0;
}
