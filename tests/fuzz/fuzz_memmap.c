/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for memmap_sanitise: checks the output against the
 * protocol's invariants, an independent reference model, and the rule
 * that sanitising never creates usable memory; also exercises the
 * capacity-exhaustion recovery and memmap_mark.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memmap.h"

#define MAX_IN  64          /* entries decoded from one input */
#define MODEL_MAX (4 * MAX_IN + 8) /* ranges the reference model accepts */
#define ENTRY_BYTES 11      /* base32, len32, type, flags, scale */
#define PAGE KBI_PAGE_SIZE
#define TOP MEMMAP_ADDR_TOP

typedef unsigned __int128 u128;

#define FAIL(...)                                                     \
	do {                                                          \
		fprintf(stderr, "fuzz_memmap: " __VA_ARGS__);         \
		fprintf(stderr, "\n");                                \
		abort();                                              \
	} while (0)

/* Priority per type, highest wins, written out independently of memmap.c. */
static int prio(uint32_t t)
{
	static const uint32_t order[] = {
		KBI_MEM_USABLE, KBI_MEM_BOOT_SERVICES, KBI_MEM_LOADER, KBI_MEM_BOOT_STACK,
		KBI_MEM_PAGETABLES, KBI_MEM_BOOTINFO, KBI_MEM_ROOTFS, KBI_MEM_KERNEL,
		KBI_MEM_TRAMPOLINE, KBI_MEM_ACPI_RECLAIM, KBI_MEM_PERSISTENT, KBI_MEM_RUNTIME, KBI_MEM_ACPI_NVS,
		KBI_MEM_RESERVED, KBI_MEM_BAD,
	};
	for (int i = 0; i < (int)(sizeof(order) / sizeof(order[0])); i++)
		if (order[i] == t)
			return i;
	return -1;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One fuzz entry: small unaligned, paged, large, or near the top of 2^64. */
static struct kbi_mem_range decode(const uint8_t *p)
{
	uint64_t b = rd32(p), l = rd32(p + 4);
	struct kbi_mem_range x = { .type = p[8] % 16, .flags = p[9] & 3 };

	if (p[8] >= 0xf0)
		x.type = 0xffffffffu - p[8];
	switch (p[10] % 5) {
	case 0: x.base = b & 0xfffff; x.length = l & 0x3ffff; break;
	case 1: x.base = (b & 0xffff) << 12; x.length = (l & 0xff) << 12; break;
	case 2: x.base = b << 12; x.length = l << 16; break;
	case 3: x.base = UINT64_MAX - (b << (p[10] & 31)); x.length = l << (p[10] >> 3); break;
	default: x.base = (b & 0xff) << 12; x.length = l & 0x7fff; break;
	}
	return x;
}

static u128 raw_end(const struct kbi_mem_range *x)
{
	return (u128)x->base + x->length;
}

/* The protocol invariants (bootinfo.h) on a successful result. */
static void check_invariants(const struct kbi_mem_range *r, int n)
{
	for (int i = 0; i < n; i++) {
		if (r[i].length == 0 || ((r[i].base | r[i].length) & (PAGE - 1)))
			FAIL("entry %d zero or unaligned", i);
		if (prio(r[i].type) < 0)
			FAIL("entry %d unknown type %u", i, r[i].type);
		if (raw_end(&r[i]) > TOP)
			FAIL("entry %d ends past the top", i);
		if (r[i].base == 0 && (r[i].type == KBI_MEM_USABLE || r[i].type == KBI_MEM_BOOT_SERVICES ||
				       r[i].type == KBI_MEM_LOADER))
			FAIL("page 0 usable or reclaimable");
		if (i == 0)
			continue;
		uint64_t pe = r[i - 1].base + r[i - 1].length;
		if (pe > r[i].base)
			FAIL("entries %d,%d unsorted or overlapping", i - 1, i);
		if (pe == r[i].base && r[i - 1].type == r[i].type && r[i - 1].flags == r[i].flags)
			FAIL("entries %d,%d not merged", i - 1, i);
	}
}

/* Sanitising never creates usable memory: every output usable byte lies
 * only in usable input ranges, and is covered by at least one. */
static void check_no_new_usable(const struct kbi_mem_range *in, int n,
                                const struct kbi_mem_range *out, int m)
{
	for (int o = 0; o < m; o++) {
		if (out[o].type != KBI_MEM_USABLE)
			continue;
		u128 ob = out[o].base, oe = raw_end(&out[o]);

		for (int i = 0; i < n; i++)
			if (in[i].length && in[i].base < oe && raw_end(&in[i]) > ob &&
			    in[i].type != KBI_MEM_USABLE)
				FAIL("output usable %d meets non-usable input %d", o, i);
		for (u128 pos = ob; pos < oe;) {
			u128 next = pos;
			for (int i = 0; i < n; i++)
				if (in[i].type == KBI_MEM_USABLE && in[i].base <= pos &&
				    raw_end(&in[i]) > next)
					next = raw_end(&in[i]);
			if (next == pos)
				FAIL("output usable %d not covered by usable input", o);
			pos = next;
		}
	}
}

/* Independent normalisation of one input (type, clip, align); false if empty. */
static int model_normalise(struct kbi_mem_range x, uint64_t *b, uint64_t *e, uint32_t *t)
{
	u128 end = raw_end(&x);
	u128 base = x.base;

	*t = prio(x.type) < 0 ? KBI_MEM_RESERVED : x.type;
	if (end > TOP)
		end = TOP;
	if (base > TOP)
		base = TOP;
	if (*t == KBI_MEM_USABLE) {
		base = (base + PAGE - 1) / PAGE * PAGE;
		end = end / PAGE * PAGE;
	} else {
		base = base / PAGE * PAGE;
		end = (end + PAGE - 1) / PAGE * PAGE;
	}
	*b = (uint64_t)base;
	*e = (uint64_t)end;
	return end > base;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Reference result: per elementary interval, strongest covering type and
 * OR of flags; page 0 that is (or would become) usable becomes reserved; merge. Returns the count. */
static int model(const struct kbi_mem_range *in, int n, struct kbi_mem_range *want)
{
	uint64_t nb[MODEL_MAX], ne[MODEL_MAX], pts[2 * MODEL_MAX + 2];
	uint32_t nt[MODEL_MAX], nf[MODEL_MAX];
	int nn = 0, np = 0, w = 0;

	if (n > MODEL_MAX)
		FAIL("model input too large (%d)", n);

	for (int i = 0; i < n; i++)
		if (model_normalise(in[i], &nb[nn], &ne[nn], &nt[nn])) {
			nf[nn] = in[i].flags;
			pts[np++] = nb[nn];
			pts[np++] = ne[nn];
			nn++;
		}
	pts[np++] = 0;
	pts[np++] = PAGE;
	qsort(pts, (size_t)np, sizeof(pts[0]), cmp_u64);
	for (int k = 0; k + 1 < np; k++) {
		uint64_t p = pts[k], q = pts[k + 1];
		int best = -1;
		uint32_t type = 0, flags = 0;

		if (p == q)
			continue;
		for (int i = 0; i < nn; i++) {
			if (nb[i] > p || ne[i] <= p)
				continue;
			flags |= nf[i];
			if (prio(nt[i]) > best) {
				best = prio(nt[i]);
				type = nt[i];
			}
		}
		if (best < 0)
			continue;
		if (p == 0 && (type == KBI_MEM_USABLE || type == KBI_MEM_BOOT_SERVICES ||
			       type == KBI_MEM_LOADER))
			type = KBI_MEM_RESERVED;
		if (w > 0 && want[w - 1].base + want[w - 1].length == p &&
		    want[w - 1].type == type && want[w - 1].flags == flags) {
			want[w - 1].length += q - p;
			continue;
		}
		want[w++] = (struct kbi_mem_range){ .base = p, .length = q - p, .type = type,
		                                    .flags = flags };
	}
	return w;
}

static void check_equal(const struct kbi_mem_range *got, int n,
                        const struct kbi_mem_range *want, int wn, const char *what)
{
	if (n != wn)
		FAIL("%s: count %d, model %d", what, n, wn);
	for (int i = 0; i < n; i++)
		if (got[i].base != want[i].base || got[i].length != want[i].length ||
		    got[i].type != want[i].type || got[i].flags != want[i].flags)
			FAIL("%s: entry %d differs from the model", what, i);
}

/* Shape of the array after a -1: cap sorted, aligned, known, non-empty. */
static void check_failure_state(const struct kbi_mem_range *r, int cap)
{
	for (int i = 0; i < cap; i++) {
		if (r[i].length == 0 || ((r[i].base | r[i].length) & (PAGE - 1)) ||
		    prio(r[i].type) < 0 || raw_end(&r[i]) > TOP)
			FAIL("after -1: entry %d malformed", i);
		if (i > 0 && r[i - 1].base > r[i].base)
			FAIL("after -1: entries unsorted at %d", i);
	}
}

/* memmap_mark on the sanitised map, then sanitise again: the marked range
 * has exactly its type, nothing else moves. */
static void check_mark(const struct kbi_mem_range *map, int n, uint64_t base,
                       uint64_t len, uint32_t type)
{
	struct kbi_mem_range r[2 * MAX_IN + 8], ref[MODEL_MAX];
	int rn;

	memcpy(r, map, (size_t)n * sizeof(r[0]));
	int m = memmap_mark(r, n, n + 2, base, len, type);
	if (m < 0)
		FAIL("mark on a sanitised map needed more than n + 2");
	m = memmap_sanitise(r, m, 2 * MAX_IN + 8);
	if (m < 0)
		FAIL("sanitise after mark failed");
	check_invariants(r, m);
	/* model: the old map with [b, e) cut out, plus [b, e) of type */
	uint64_t b = base & ~(PAGE - 1);
	u128 e = (u128)base + len;
	if (e > TOP)
		e = TOP;
	e = (e + PAGE - 1) / PAGE * PAGE;
	if (len == 0)
		e = b; /* a no-op */
	rn = 0;
	for (int i = 0; i < n; i++) {
		uint64_t xb = map[i].base, xe = xb + map[i].length;
		if (xb < b)
			ref[rn++] = (struct kbi_mem_range){ xb, (xe < b ? xe : b) - xb,
			                                    map[i].type, map[i].flags };
		if (xe > e)
			ref[rn++] = (struct kbi_mem_range){ xb > e ? xb : (uint64_t)e,
			                                    xe - (xb > e ? xb : (uint64_t)e),
			                                    map[i].type, map[i].flags };
	}
	if (e > b)
		ref[rn++] = (struct kbi_mem_range){ b, (uint64_t)e - b, type, 0 };
	struct kbi_mem_range want[2 * MODEL_MAX + 2];
	int wn = model(ref, rn, want);
	check_equal(r, m, want, wn, "mark");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kbi_mem_range in[MAX_IN], r[2 * MAX_IN + 2], want[2 * MODEL_MAX + 2];
	struct kbi_mem_range again[4 * MAX_IN + 4];

	if (size < 4)
		return 0;
	int n = (int)((size - 4) / ENTRY_BYTES);
	if (n > MAX_IN)
		n = MAX_IN;
	for (int i = 0; i < n; i++)
		in[i] = decode(data + 4 + (size_t)i * ENTRY_BYTES);
	int cap = n + data[0] % (n + 2); /* n .. 2n + 1 */

	memcpy(r, in, (size_t)n * sizeof(r[0]));
	int got = memmap_sanitise(r, n, cap);
	int wn = model(in, n, want);

	if (got < 0) {
		if (cap >= 2 * n)
			FAIL("cap %d >= 2n failed", cap);
		check_failure_state(r, cap);
		memcpy(again, r, (size_t)cap * sizeof(r[0]));
		got = memmap_sanitise(again, cap, 4 * MAX_IN + 4);
		if (got < 0)
			FAIL("recovery with a bigger array failed");
		check_invariants(again, got);
		check_equal(again, got, want, wn, "recovered");
		return 0;
	}
	check_invariants(r, got);
	check_no_new_usable(in, n, r, got);
	check_equal(r, got, want, wn, "sanitise");

	/* idempotence */
	memcpy(again, r, (size_t)got * sizeof(r[0]));
	if (memmap_sanitise(again, got, got) != got || memcmp(again, r, (size_t)got * sizeof(r[0])))
		FAIL("not idempotent");

	uint64_t mb = (uint64_t)data[1] << 14 | (uint64_t)data[2] << 6;
	check_mark(r, got, mb, (uint64_t)data[3] << 11, data[3] % (KBI_MEM_TYPE_COUNT - 1) + 1);
	return 0;
}
