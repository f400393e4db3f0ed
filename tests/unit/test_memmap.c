/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for shared/memmap.c: sorting, overlap resolution by priority,
 * alignment, page 0, merging, marking and capacity limits.
 */
#include <stdio.h>
#include <string.h>

#include "memmap.h"
#include "unit.h"

#define KIB 0x400ULL
#define MIB 0x100000ULL
#define GIB 0x40000000ULL

#define U  KBI_MEM_USABLE
#define RS KBI_MEM_RESERVED
#define AR KBI_MEM_ACPI_RECLAIM
#define AN KBI_MEM_ACPI_NVS
#define RT KBI_MEM_RUNTIME
#define BS KBI_MEM_BOOT_SERVICES
#define LD KBI_MEM_LOADER
#define RTF KBI_MEMF_EFI_RUNTIME

/* Range literals: base, length, type (and flags). */
#define RF(b, l, t, f) { .base = (b), .length = (l), .type = (t), .flags = (f) }
#define R(b, l, t) RF(b, l, t, 0)

#define MAP_MAX 128
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* The protocol's promises about a sanitised map (bootinfo.h). */
static const char *check_invariants(const struct kbi_mem_range *r, int n)
{
	for (int i = 0; i < n; i++) {
		const struct kbi_mem_range *x = &r[i];

		snprintf(unit_msg, sizeof(unit_msg), "entry %d [0x%llx +0x%llx type %u]: ", i,
		         (unsigned long long)x->base, (unsigned long long)x->length, x->type);
		size_t at = strlen(unit_msg);
		const char *bad = NULL;

		if (x->length == 0)
			bad = "zero length";
		else if ((x->base | x->length) & (KBI_PAGE_SIZE - 1))
			bad = "not page aligned";
		else if (x->type == 0 || x->type >= KBI_MEM_TYPE_COUNT)
			bad = "unknown type";
		else if (x->base == 0 && x->type == KBI_MEM_USABLE)
			bad = "page 0 usable";
		else if (i > 0 && r[i - 1].base + r[i - 1].length > x->base)
			bad = "unsorted or overlapping";
		else if (i > 0 && r[i - 1].base + r[i - 1].length == x->base &&
		         r[i - 1].type == x->type && r[i - 1].flags == x->flags)
			bad = "not merged with the previous entry";
		if (bad) {
			snprintf(unit_msg + at, sizeof(unit_msg) - at, "%s", bad);
			return unit_msg;
		}
	}
	return NULL;
}

/* Fail unless got[0..n) equals want[0..wn) exactly. */
static const char *check_map(const struct kbi_mem_range *got, int n,
                             const struct kbi_mem_range *want, int wn)
{
	if (n != wn) {
		snprintf(unit_msg, sizeof(unit_msg), "count %d, expected %d", n, wn);
		return unit_msg;
	}
	for (int i = 0; i < n; i++) {
		if (got[i].base == want[i].base && got[i].length == want[i].length &&
		    got[i].type == want[i].type && got[i].flags == want[i].flags)
			continue;
		snprintf(unit_msg, sizeof(unit_msg),
		         "entry %d: got [0x%llx +0x%llx %s f%u], expected [0x%llx +0x%llx %s f%u]",
		         i, (unsigned long long)got[i].base, (unsigned long long)got[i].length,
		         memmap_type_name(got[i].type), got[i].flags,
		         (unsigned long long)want[i].base, (unsigned long long)want[i].length,
		         memmap_type_name(want[i].type), want[i].flags);
		return unit_msg;
	}
	return NULL;
}

/* Sanitise a copy of in[0..n) with capacity cap and compare with want. */
static const char *sanitise_expect(const struct kbi_mem_range *in, int n, int cap,
                                   const struct kbi_mem_range *want, int wn)
{
	struct kbi_mem_range r[MAP_MAX];

	memcpy(r, in, (size_t)n * sizeof(*r));
	int got = memmap_sanitise(r, n, cap);

	if (got < 0) {
		snprintf(unit_msg, sizeof(unit_msg), "sanitise returned %d", got);
		return unit_msg;
	}
	CHECK_OK(check_invariants(r, got));
	return check_map(r, got, want, wn);
}

#define EXPECT(in, cap, want) sanitise_expect(in, COUNT(in), cap, want, COUNT(want))

UNIT_TEST(empty_map)
{
	struct kbi_mem_range r[1];

	CHECK_EQ(memmap_sanitise(r, 0, 0), 0);
	CHECK_EQ(memmap_sanitise(r, 0, 1), 0);
	CHECK(memmap_sanitise(r, 1, 0) == -1); /* cap < n */
	CHECK(memmap_sanitise(r, -1, 1) == -1);
	return NULL;
}

UNIT_TEST(unsorted)
{
	struct kbi_mem_range in[] = {
		R(3 * MIB, MIB, U), R(1 * MIB, MIB, RS), R(8 * MIB, MIB, AR), R(0x1000, 0x1000, U),
	};
	struct kbi_mem_range want[] = {
		R(0x1000, 0x1000, U), R(1 * MIB, MIB, RS), R(3 * MIB, MIB, U), R(8 * MIB, MIB, AR),
	};
	return EXPECT(in, COUNT(in), want);
}

UNIT_TEST(nested_overlap)
{
	struct kbi_mem_range in[] = {
		R(1 * MIB, 15 * MIB, U), R(4 * MIB, MIB, RS),
	};
	struct kbi_mem_range want[] = {
		R(1 * MIB, 3 * MIB, U), R(4 * MIB, MIB, RS), R(5 * MIB, 11 * MIB, U),
	};
	CHECK_OK(EXPECT(in, 3, want));
	/* nested the other way round: the weaker inner range vanishes */
	struct kbi_mem_range in2[] = { R(4 * MIB, MIB, U), R(1 * MIB, 15 * MIB, RS) };
	struct kbi_mem_range want2[] = { R(1 * MIB, 15 * MIB, RS) };
	return EXPECT(in2, 2, want2);
}

UNIT_TEST(partial_overlap)
{
	struct kbi_mem_range in[] = { R(1 * MIB, MIB, U), R(0x180000, MIB, AR) };
	struct kbi_mem_range want[] = { R(1 * MIB, 0x80000, U), R(0x180000, MIB, AR) };
	CHECK_OK(EXPECT(in, 2, want));
	struct kbi_mem_range in2[] = { R(1 * MIB, MIB, RS), R(0x180000, 0x180000, U) };
	struct kbi_mem_range want2[] = { R(1 * MIB, MIB, RS), R(2 * MIB, 0x100000, U) };
	return EXPECT(in2, 2, want2);
}

UNIT_TEST(identical_overlap)
{
	struct kbi_mem_range in[] = { R(MIB, MIB, U), R(MIB, MIB, U), R(MIB, MIB, U) };
	struct kbi_mem_range want[] = { R(MIB, MIB, U) };
	CHECK_OK(EXPECT(in, 3, want));
	struct kbi_mem_range in2[] = { R(MIB, MIB, BS), R(MIB, MIB, AN), R(MIB, MIB, LD) };
	struct kbi_mem_range want2[] = { R(MIB, MIB, AN) };
	return EXPECT(in2, 3, want2);
}

UNIT_TEST(chain_of_overlaps)
{
	/* staggered: U, RS, U, RS each overlapping the next */
	struct kbi_mem_range in[] = {
		R(0x10000, 0xa000, U), R(0x15000, 0xa000, RS), R(0x1c000, 0x8000, U),
		R(0x21000, 0x8000, RS),
	};
	struct kbi_mem_range want[] = {
		R(0x10000, 0x5000, U), R(0x15000, 0xa000, RS), R(0x1f000, 0x2000, U),
		R(0x21000, 0x8000, RS),
	};
	return EXPECT(in, 8, want);
}

UNIT_TEST(zero_length_dropped)
{
	struct kbi_mem_range in[] = {
		R(MIB, 0, U), R(2 * MIB, 0, RS), R(3 * MIB, 0x1000, U), R(4 * MIB, 0x800, U),
	};
	struct kbi_mem_range want[] = { R(3 * MIB, 0x1000, U) };
	return EXPECT(in, 4, want);
}

UNIT_TEST(unaligned)
{
	struct kbi_mem_range in[] = { R(0x11234, 0x4444, U), R(0x21234, 0x4444, RS) };
	struct kbi_mem_range want[] = { R(0x12000, 0x3000, U), R(0x21000, 0x5000, RS) };
	CHECK_OK(EXPECT(in, 2, want));
	/* a reserved range sharing a page with usable memory takes the page */
	struct kbi_mem_range in2[] = { R(0x10000, 0x10800, U), R(0x20800, 0xf800, RS) };
	struct kbi_mem_range want2[] = { R(0x10000, 0x10000, U), R(0x20000, 0x10000, RS) };
	return EXPECT(in2, 2, want2);
}

UNIT_TEST(page_zero_never_usable)
{
	struct kbi_mem_range in[] = { R(0, 0xa0000, U) };
	struct kbi_mem_range want[] = { R(0, 0x1000, RS), R(0x1000, 0x9f000, U) };
	CHECK_OK(EXPECT(in, 2, want));
	struct kbi_mem_range in2[] = { R(0, 0x1000, U), R(0x1000, 0x1000, RS) };
	struct kbi_mem_range want2[] = { R(0, 0x2000, RS) };
	CHECK_OK(EXPECT(in2, 2, want2));
	/* page 0 that would become usable after reclaim is reserved too */
	struct kbi_mem_range in3[] = { R(0, 0x1000, BS), R(0x1000, 0x1000, U) };
	struct kbi_mem_range want3[] = { R(0, 0x1000, RS), R(0x1000, 0x1000, U) };
	CHECK_OK(EXPECT(in3, 2, want3));
	struct kbi_mem_range in3b[] = { R(0, 0x2000, LD) };
	struct kbi_mem_range want3b[] = { R(0, 0x1000, RS), R(0x1000, 0x1000, LD) };
	CHECK_OK(EXPECT(in3b, 2, want3b));
	struct kbi_mem_range in3c[] = { R(0, 0x1000, AR), R(0x1000, 0x1000, U) };
	CHECK_OK(EXPECT(in3c, 2, in3c)); /* page 0 that is never freed keeps its type */
	struct kbi_mem_range in4[] = { R(0x10, 0x2000, U) }; /* page 0 lost to shrinking */
	struct kbi_mem_range want4[] = { R(0x1000, 0x1000, U) };
	CHECK_OK(EXPECT(in4, 1, want4));
	/* usable page 0 inside a larger overlap */
	struct kbi_mem_range in5[] = { R(0, 0x10000, U), R(0x8000, 0x1000, LD) };
	struct kbi_mem_range want5[] = {
		R(0, 0x1000, RS), R(0x1000, 0x7000, U), R(0x8000, 0x1000, LD), R(0x9000, 0x7000, U),
	};
	return EXPECT(in5, 4, want5);
}

UNIT_TEST(adjacent_merging)
{
	struct kbi_mem_range in[] = {
		R(0x10000, 0x1000, U), R(0x11000, 0x1000, U), RF(0x12000, 0x1000, U, RTF),
		R(0x13000, 0x1000, RS), R(0x15000, 0x1000, RS), R(0x14000, 0x1000, RS),
	};
	struct kbi_mem_range want[] = {
		R(0x10000, 0x2000, U), RF(0x12000, 0x1000, U, RTF), R(0x13000, 0x3000, RS),
	};
	return EXPECT(in, 6, want);
}

/* Runtime code (a driver's image, KBI_MEMF_EFI_CODE) and runtime data
 * beside it stay apart, each with its exact extent: the kernel maps the
 * one executable and the other not. Two code images side by side merge. */
UNIT_TEST(runtime_code_and_data_apart)
{
	const uint32_t code = KBI_MEMF_EFI_RUNTIME | KBI_MEMF_EFI_CODE;
	struct kbi_mem_range in[] = {
		RF(0x3ee40000, 0x20000, RT, RTF), RF(0x3ee60000, 0x10000, RT, code),
		RF(0x3ee70000, 0x10000, RT, code), RF(0x3ee80000, 0x30000, RT, RTF),
	};
	struct kbi_mem_range want[] = {
		RF(0x3ee40000, 0x20000, RT, RTF), RF(0x3ee60000, 0x20000, RT, code),
		RF(0x3ee80000, 0x30000, RT, RTF),
	};
	return EXPECT(in, 8, want);
}

UNIT_TEST(unknown_types_reserved)
{
	struct kbi_mem_range in[] = {
		R(0x10000, 0x1000, 0), R(0x11000, 0x1000, KBI_MEM_TYPE_COUNT),
		R(0x12000, 0x1000, 0xffffffffu), R(0x13000, 0x1000, RS),
	};
	struct kbi_mem_range want[] = { R(0x10000, 0x4000, RS) };
	return EXPECT(in, 4, want);
}

/* The priority list of memmap.h, highest first, written out independently. */
static const uint32_t priority_order[] = {
	KBI_MEM_BAD, KBI_MEM_RESERVED, KBI_MEM_ACPI_NVS, KBI_MEM_RUNTIME,
	KBI_MEM_PERSISTENT, KBI_MEM_ACPI_RECLAIM, KBI_MEM_TRAMPOLINE, KBI_MEM_KERNEL, KBI_MEM_ROOTFS,
	KBI_MEM_BOOTINFO, KBI_MEM_PAGETABLES, KBI_MEM_BOOT_STACK, KBI_MEM_LOADER,
	KBI_MEM_BOOT_SERVICES, KBI_MEM_USABLE,
};

UNIT_TEST(priority_every_pair)
{
	CHECK_EQ(COUNT(priority_order), KBI_MEM_TYPE_COUNT - 1);
	for (int hi = 0; hi < COUNT(priority_order); hi++) {
		for (int lo = hi; lo < COUNT(priority_order); lo++) {
			uint32_t h = priority_order[hi], l = priority_order[lo];
			/* the weaker one is bigger and comes first, then the reverse */
			struct kbi_mem_range a[] = { R(0x10000, 0x4000, l), R(0x11000, 0x1000, h) };
			struct kbi_mem_range b[] = { R(0x11000, 0x1000, h), R(0x10000, 0x4000, l) };
			struct kbi_mem_range want[] = {
				R(0x10000, 0x1000, l), R(0x11000, 0x1000, h), R(0x12000, 0x2000, l),
			};
			int wn = h == l ? 1 : 3;

			if (h == l)
				want[0].length = 0x4000;
			CHECK_OK(sanitise_expect(a, 2, 3, want, wn));
			CHECK_OK(sanitise_expect(b, 2, 3, want, wn));
		}
	}
	return NULL;
}

UNIT_TEST(flags_or_on_overlap)
{
	struct kbi_mem_range in[] = { RF(0x10000, 0x4000, U, RTF), R(0x11000, 0x1000, RS) };
	struct kbi_mem_range want[] = {
		RF(0x10000, 0x1000, U, RTF), RF(0x11000, 0x1000, RS, RTF), RF(0x12000, 0x2000, U, RTF),
	};
	CHECK_OK(EXPECT(in, 3, want));
	struct kbi_mem_range in2[] = { R(0x10000, 0x2000, RT), RF(0x11000, 0x2000, RT, RTF) };
	struct kbi_mem_range want2[] = { R(0x10000, 0x1000, RT), RF(0x11000, 0x2000, RT, RTF) };
	return EXPECT(in2, 4, want2);
}

UNIT_TEST(top_of_address_space)
{
	struct kbi_mem_range in[] = {
		R(0xffffffffffffe800ULL, 0x1000, RS),      /* grows to end at 2^64 */
		R(0xffffffff00000000ULL, UINT64_MAX, U),   /* length overflows */
		R(UINT64_MAX, 1, RS),                      /* entirely in the last page */
	};
	struct kbi_mem_range want[] = {
		R(0xffffffff00000000ULL, 0xfffff000ULL - 0x1000, U),
		R(0xffffffffffffe000ULL, 0x1000, RS),
	};
	struct kbi_mem_range r[3];

	/* the last page cannot be described: everything stops at MEMMAP_ADDR_TOP */
	memcpy(r, in, sizeof(in));
	CHECK_EQ(memmap_sanitise(r, 3, 3), 2);
	CHECK_OK(check_invariants(r, 2));
	return check_map(r, 2, want, 2);
}

UNIT_TEST(sanitise_is_idempotent)
{
	struct kbi_mem_range r[8] = {
		R(0, 0x9fc00, U), R(0x9fc00, 0x400, RS), R(0x100000, 0x7f00000, U),
		R(0x1000000, 0x20000, LD), RF(0xfffc0000ULL, 0x40000, RS, RTF),
	};
	struct kbi_mem_range once[8];
	int n = memmap_sanitise(r, 5, 8);

	CHECK(n > 0);
	memcpy(once, r, sizeof(r));
	CHECK_EQ(memmap_sanitise(r, n, n), n);
	return check_map(r, n, once, n);
}

UNIT_TEST(capacity_exhausted)
{
	struct kbi_mem_range in[] = { R(1 * MIB, 15 * MIB, U), R(4 * MIB, MIB, RS) };
	struct kbi_mem_range want[] = {
		R(1 * MIB, 3 * MIB, U), R(4 * MIB, MIB, RS), R(5 * MIB, 11 * MIB, U),
	};
	struct kbi_mem_range r[MAP_MAX];

	memcpy(r, in, sizeof(in));
	CHECK(memmap_sanitise(r, 2, 2) == -1);
	/* the documented recovery: move all cap entries to a bigger array */
	CHECK_EQ(memmap_sanitise(r, 2, 4), 3);
	return check_map(r, 3, want, 3);
}

UNIT_TEST(capacity_2n_suffices)
{
	/* k reserved holes punched into one usable range: 2k + 1 outputs */
	enum { K = 40, N = K + 1 };
	struct kbi_mem_range r[2 * N];

	r[0] = (struct kbi_mem_range)R(0x100000, 0x1000 * (2 * K + 1), U);
	for (int i = 0; i < K; i++)
		r[1 + i] = (struct kbi_mem_range)R(0x101000 + 0x2000 * (uint64_t)(K - 1 - i), 0x1000, RS);
	int n = memmap_sanitise(r, N, 2 * N);

	CHECK_EQ(n, 2 * K + 1);
	CHECK_OK(check_invariants(r, n));
	CHECK_EQ(memmap_total(r, n, U), 0x1000 * (K + 1));
	CHECK_EQ(memmap_total(r, n, RS), 0x1000 * K);
	return NULL;
}

UNIT_TEST(capacity_failure_keeps_information)
{
	/* run with every too-small cap, recover, compare with a roomy run */
	struct kbi_mem_range in[] = {
		R(0, 0x100000, U), R(0x8000, 0x1000, RS), R(0x20000, 0x1000, AN),
		R(0x40000, 0x3000, LD), R(0x41000, 0x1000, BS), RF(0x80000, 0x1000, RS, RTF),
	};
	struct kbi_mem_range roomy[MAP_MAX], r[MAP_MAX];
	int n = COUNT(in);

	memcpy(roomy, in, sizeof(in));
	int want = memmap_sanitise(roomy, n, MAP_MAX);
	CHECK(want > n);
	for (int cap = n; cap < MAP_MAX; cap++) {
		memcpy(r, in, sizeof(in));
		int got = memmap_sanitise(r, n, cap);

		if (got >= 0) {
			CHECK_OK(check_map(r, got, roomy, want));
			continue;
		}
		CHECK_EQ(memmap_sanitise(r, cap, MAP_MAX), want);
		CHECK_OK(check_map(r, want, roomy, want));
	}
	return NULL;
}

UNIT_TEST(mark_splits_middle)
{
	struct kbi_mem_range r[4] = { R(1 * MIB, 15 * MIB, U) };
	int n = memmap_mark(r, 1, 4, 4 * MIB + 0x123, 0x1000, KBI_MEM_KERNEL);

	CHECK_EQ(n, 3);
	n = memmap_sanitise(r, n, 4);
	struct kbi_mem_range want[] = {
		R(1 * MIB, 3 * MIB, U), R(4 * MIB, 0x2000, KBI_MEM_KERNEL),
		R(4 * MIB + 0x2000, 12 * MIB - 0x2000, U),
	};
	return check_map(r, n, want, 3);
}

UNIT_TEST(mark_overrides_and_fills_holes)
{
	struct kbi_mem_range r[8] = {
		R(0x1000, 0xf000, U), R(0x20000, 0x10000, RS), R(0x9000, 0x1000, AN),
	};
	int n = memmap_mark(r, 3, 8, 0x8000, 0x20000, KBI_MEM_BOOTINFO);

	CHECK_EQ(n, 3); /* AN swallowed, U and RS trimmed, one added */
	n = memmap_sanitise(r, n, 8);
	struct kbi_mem_range want[] = {
		R(0x1000, 0x7000, U), R(0x8000, 0x20000, KBI_MEM_BOOTINFO), R(0x28000, 0x8000, RS),
	};
	return check_map(r, n, want, 3);
}

UNIT_TEST(mark_edges)
{
	struct kbi_mem_range r[4] = { R(0x10000, 0x10000, LD) };

	CHECK_EQ(memmap_mark(r, 1, 4, 0x12000, 0, KBI_MEM_KERNEL), 1); /* len 0 */
	/* exactly the whole range: replaced, nothing split */
	CHECK_EQ(memmap_mark(r, 1, 1, 0x10000, 0x10000, KBI_MEM_ROOTFS), 1);
	CHECK_EQ(r[0].type, KBI_MEM_ROOTFS);
	CHECK_EQ(r[0].base, 0x10000);
	CHECK_EQ(r[0].length, 0x10000);
	/* touching the start only */
	CHECK_EQ(memmap_mark(r, 1, 2, 0x10000, 0x1000, KBI_MEM_PAGETABLES), 2);
	int n = memmap_sanitise(r, 2, 4);
	struct kbi_mem_range want[] = {
		R(0x10000, 0x1000, KBI_MEM_PAGETABLES), R(0x11000, 0xf000, KBI_MEM_ROOTFS),
	};
	return check_map(r, n, want, 2);
}

UNIT_TEST(mark_capacity)
{
	struct kbi_mem_range r[3] = { R(MIB, 15 * MIB, U) };

	CHECK(memmap_mark(r, 1, 2, 4 * MIB, MIB, KBI_MEM_KERNEL) == -1);
	CHECK_EQ(r[0].base, MIB); /* untouched */
	CHECK_EQ(r[0].length, 15 * MIB);
	CHECK_EQ(r[0].type, U);
	CHECK_EQ(memmap_mark(r, 1, 3, 4 * MIB, MIB, KBI_MEM_KERNEL), 3);
	CHECK(memmap_mark(r, 2, 1, 0, 1, U) == -1); /* cap < n */
	return NULL;
}

/*
 * A map shaped like OVMF's under QEMU with 2 GiB (EFI types already
 * translated the way the loader does), with the kind of firmware
 * untidiness the sanitiser must absorb: an unsorted entry, a duplicate,
 * an unaligned legacy-BIOS split and an unknown type.
 */
static const struct kbi_mem_range ovmf_map[] = {
	R(0x0, 0x1000, BS),
	R(0x1000, 0x9e000, U),
	R(0x9f000, 0xc00, U),
	R(0x9fc00, 0x400, RS),               /* EBDA, unaligned split */
	R(0x100000, 0x700000, U),
	R(0x800000, 0x8000, AN),
	R(0x808000, 0x3000, U),
	R(0x80b000, 0x1000, AN),
	R(0x80c000, 0x5000, U),
	R(0x811000, 0xef000, AN),
	R(0x900000, 0x2000000, U),
	R(0x2900000, 0x1000000, LD),
	R(0x3900000, 0x3b000000, U),
	R(0x3e900000, 0x20000, BS),
	R(0x3e920000, 0x3a0000, U),
	R(0x3ecc0000, 0x100000, BS),
	RF(0x3edc0000, 0x80000, RT, RTF),
	RF(0x3ee40000, 0x200000, RT, RTF),
	R(0x3f040000, 0x200000, BS),
	R(0x3f240000, 0x8c000, U),
	R(0x3f2cc000, 0x6000, AR),
	R(0x3f2d2000, 0x4000, AN),
	R(0x3f2d6000, 0x6a000, BS),
	RF(0x3f340000, 0x200000, RT, RTF),
	RF(0x3f540000, 0x100000, RT, RTF),
	R(0x3f640000, 0x9bc000, BS),
	R(0x3fffc000, 0x4000, RS),
	R(0xe0000000ULL, 0x10000000, RS),    /* PCIe ECAM */
	RF(0xffc00000ULL, 0x400000, RS, RTF), /* flash, runtime MMIO */
	RF(0x3ee40000, 0x200000, RT, RTF),    /* duplicate */
	R(0x3e900000, 0x20000, BS),          /* duplicate, out of order */
	R(0xfd000000ULL, 0x1000000, 42),     /* unknown type */
};

UNIT_TEST(ovmf_like_map)
{
	struct kbi_mem_range want[] = {
		R(0x0, 0x1000, RS),  /* boot-services page 0 is never reclaimed */
		R(0x1000, 0x9e000, U),
		R(0x9f000, 0x1000, RS),
		R(0x100000, 0x700000, U),
		R(0x800000, 0x8000, AN),
		R(0x808000, 0x3000, U),
		R(0x80b000, 0x1000, AN),
		R(0x80c000, 0x5000, U),
		R(0x811000, 0xef000, AN),
		R(0x900000, 0x2000000, U),
		R(0x2900000, 0x1000000, LD),
		R(0x3900000, 0x3b000000, U),
		R(0x3e900000, 0x20000, BS),
		R(0x3e920000, 0x3a0000, U),
		R(0x3ecc0000, 0x100000, BS),
		RF(0x3edc0000, 0x280000, RT, RTF),
		R(0x3f040000, 0x200000, BS),
		R(0x3f240000, 0x8c000, U),
		R(0x3f2cc000, 0x6000, AR),
		R(0x3f2d2000, 0x4000, AN),
		R(0x3f2d6000, 0x6a000, BS),
		RF(0x3f340000, 0x300000, RT, RTF),
		R(0x3f640000, 0x9bc000, BS),
		R(0x3fffc000, 0x4000, RS),
		R(0xe0000000ULL, 0x10000000, RS),
		R(0xfd000000ULL, 0x1000000, RS),
		RF(0xffc00000ULL, 0x400000, RS, RTF),
	};
	uint64_t usable = 0x9e000 + 0x700000 + 0x3000 + 0x5000 + 0x2000000 + 0x3b000000 +
	                  0x3a0000 + 0x8c000;

	CHECK_OK(sanitise_expect(ovmf_map, COUNT(ovmf_map), COUNT(ovmf_map), want, COUNT(want)));
	struct kbi_mem_range r[COUNT(ovmf_map)];

	memcpy(r, ovmf_map, sizeof(ovmf_map));
	int n = memmap_sanitise(r, COUNT(r), COUNT(r));
	CHECK_EQ(memmap_total(r, n, U), usable);
	CHECK_EQ(memmap_total(r, n, RT), 0x580000);
	return NULL;
}

UNIT_TEST(ovmf_then_loader_marks)
{
	struct kbi_mem_range r[MAP_MAX];
	int n = COUNT(ovmf_map);

	memcpy(r, ovmf_map, sizeof(ovmf_map));
	n = memmap_sanitise(r, n, MAP_MAX);
	CHECK(n > 0);
	/* kernel, rootfs and bootinfo carved from the loader pool, tables from usable */
	n = memmap_mark(r, n, MAP_MAX, 0x2900000, 0x212345, KBI_MEM_KERNEL);
	n = memmap_mark(r, n, MAP_MAX, 0x2b13000, 0x400000, KBI_MEM_ROOTFS);
	n = memmap_mark(r, n, MAP_MAX, 0x2f13000, 0x3000, KBI_MEM_BOOTINFO);
	n = memmap_mark(r, n, MAP_MAX, 0x1000000, 0x6000, KBI_MEM_PAGETABLES);
	CHECK(n > 0);
	n = memmap_sanitise(r, n, MAP_MAX);
	CHECK(n > 0);
	CHECK_OK(check_invariants(r, n));
	CHECK_EQ(memmap_total(r, n, KBI_MEM_KERNEL), 0x213000);
	CHECK_EQ(memmap_total(r, n, KBI_MEM_ROOTFS), 0x400000);
	CHECK_EQ(memmap_total(r, n, KBI_MEM_BOOTINFO), 0x3000);
	CHECK_EQ(memmap_total(r, n, KBI_MEM_PAGETABLES), 0x6000);
	CHECK_EQ(memmap_total(r, n, LD), 0x1000000 - 0x213000 - 0x400000 - 0x3000);
	return NULL;
}

UNIT_TEST(type_names)
{
	CHECK_STR(memmap_type_name(U), "usable");
	CHECK_STR(memmap_type_name(RS), "reserved");
	CHECK_STR(memmap_type_name(KBI_MEM_PERSISTENT), "persistent");
	CHECK_STR(memmap_type_name(0), "unknown");
	CHECK_STR(memmap_type_name(KBI_MEM_TYPE_COUNT), "unknown");
	for (uint32_t t = 1; t < KBI_MEM_TYPE_COUNT; t++)
		CHECK(strcmp(memmap_type_name(t), "unknown") != 0);
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(empty_map),
	UNIT_ENTRY(unsorted),
	UNIT_ENTRY(nested_overlap),
	UNIT_ENTRY(partial_overlap),
	UNIT_ENTRY(identical_overlap),
	UNIT_ENTRY(chain_of_overlaps),
	UNIT_ENTRY(zero_length_dropped),
	UNIT_ENTRY(unaligned),
	UNIT_ENTRY(page_zero_never_usable),
	UNIT_ENTRY(adjacent_merging),
	UNIT_ENTRY(runtime_code_and_data_apart),
	UNIT_ENTRY(unknown_types_reserved),
	UNIT_ENTRY(priority_every_pair),
	UNIT_ENTRY(flags_or_on_overlap),
	UNIT_ENTRY(top_of_address_space),
	UNIT_ENTRY(sanitise_is_idempotent),
	UNIT_ENTRY(capacity_exhausted),
	UNIT_ENTRY(capacity_2n_suffices),
	UNIT_ENTRY(capacity_failure_keeps_information),
	UNIT_ENTRY(mark_splits_middle),
	UNIT_ENTRY(mark_overrides_and_fills_holes),
	UNIT_ENTRY(mark_edges),
	UNIT_ENTRY(mark_capacity),
	UNIT_ENTRY(ovmf_like_map),
	UNIT_ENTRY(ovmf_then_loader_marks),
	UNIT_ENTRY(type_names),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
