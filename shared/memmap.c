/* SPDX-License-Identifier: MIT */
/*
 * Memory-map sanitising and marking, in place and allocation-free, for the
 * loader (after ExitBootServices) and for host tests and fuzzers.
 */
#include "memmap.h"

#include <stdbool.h>
#include <stddef.h>

#define PAGE_MASK (KBI_PAGE_SIZE - 1)

/*
 * Overlap priority of each type: the higher value wins. Index 0 and any
 * value past the table are unknown types, which are turned into RESERVED
 * before priorities are ever consulted.
 */
static const uint8_t type_priority[KBI_MEM_TYPE_COUNT] = {
	[KBI_MEM_USABLE]        = 1,
	[KBI_MEM_BOOT_SERVICES] = 2,
	[KBI_MEM_LOADER]        = 3,
	[KBI_MEM_BOOT_STACK]    = 4,
	[KBI_MEM_PAGETABLES]    = 5,
	[KBI_MEM_BOOTINFO]      = 6,
	[KBI_MEM_ROOTFS]        = 7,
	[KBI_MEM_KERNEL]        = 8,
	[KBI_MEM_TRAMPOLINE]    = 9,
	[KBI_MEM_ACPI_RECLAIM]  = 10,
	[KBI_MEM_PERSISTENT]    = 11,
	[KBI_MEM_RUNTIME]       = 12,
	[KBI_MEM_ACPI_NVS]      = 13,
	[KBI_MEM_RESERVED]      = 14,
	[KBI_MEM_BAD]           = 15,
};

static const char *const type_names[KBI_MEM_TYPE_COUNT] = {
	[KBI_MEM_USABLE]        = "usable",
	[KBI_MEM_RESERVED]      = "reserved",
	[KBI_MEM_ACPI_RECLAIM]  = "acpi-reclaim",
	[KBI_MEM_ACPI_NVS]      = "acpi-nvs",
	[KBI_MEM_RUNTIME]       = "efi-runtime",
	[KBI_MEM_BOOT_SERVICES] = "boot-services",
	[KBI_MEM_LOADER]        = "loader",
	[KBI_MEM_KERNEL]        = "kernel",
	[KBI_MEM_ROOTFS]        = "rootfs",
	[KBI_MEM_BOOTINFO]      = "bootinfo",
	[KBI_MEM_PAGETABLES]    = "pagetables",
	[KBI_MEM_BOOT_STACK]    = "boot-stack",
	[KBI_MEM_BAD]           = "bad",
	[KBI_MEM_PERSISTENT]    = "persistent",
	[KBI_MEM_TRAMPOLINE]    = "ap-trampoline",
};

static bool type_known(uint32_t type)
{
	return type < KBI_MEM_TYPE_COUNT && type_priority[type] != 0;
}

/* End of a range; callers only use it on ranges already clipped below
 * MEMMAP_ADDR_TOP, so it cannot wrap. */
static uint64_t range_end(const struct kbi_mem_range *x)
{
	return x->base + x->length;
}

static void set_bounds(struct kbi_mem_range *x, uint64_t base, uint64_t end)
{
	x->base = base;
	x->length = end - base;
}

/* base + length, saturated at MEMMAP_ADDR_TOP. */
static uint64_t clipped_end(uint64_t base, uint64_t length)
{
	if (base >= MEMMAP_ADDR_TOP || length >= MEMMAP_ADDR_TOP - base)
		return MEMMAP_ADDR_TOP;
	return base + length;
}

/* Round up to a page; x <= MEMMAP_ADDR_TOP, so it cannot wrap. */
static uint64_t page_up(uint64_t x)
{
	return (x + PAGE_MASK) & ~PAGE_MASK;
}

/*
 * Phase 1, per entry: fix unknown types, clip at MEMMAP_ADDR_TOP, align
 * (usable shrinks inward, everything else grows outward) and drop what
 * ends up empty. Compacts r in place; returns the new count.
 */
static int normalise(struct kbi_mem_range *r, int n)
{
	int out = 0;

	for (int i = 0; i < n; i++) {
		struct kbi_mem_range x = r[i];
		uint64_t end = clipped_end(x.base, x.length);
		uint64_t base = x.base < MEMMAP_ADDR_TOP ? x.base : MEMMAP_ADDR_TOP;

		if (!type_known(x.type))
			x.type = KBI_MEM_RESERVED;
		if (x.type == KBI_MEM_USABLE) {
			base = page_up(base);
			end &= ~PAGE_MASK;
		} else {
			base &= ~PAGE_MASK;
			end = page_up(end);
		}
		if (end <= base)
			continue;
		set_bounds(&x, base, end);
		r[out++] = x;
	}
	return out;
}

/* Phase 2: insertion sort by base (no allocation, n is small). */
static void sort_by_base(struct kbi_mem_range *r, int n)
{
	for (int i = 1; i < n; i++) {
		struct kbi_mem_range x = r[i];
		int j = i;

		for (; j > 0 && r[j - 1].base > x.base; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
}

/*
 * Phase 3 state. r[0..k) is finished output (sorted, disjoint, merged);
 * r[k..j) is free; r[j..m) is the input still to resolve, sorted by base,
 * every base >= the end of the output so far. cap bounds m.
 */
struct sweep {
	struct kbi_mem_range *r;
	int k, j, m, cap;
};

/* Remove r[i] from the pending input. */
static void pending_remove(struct sweep *s, int i)
{
	for (; i + 1 < s->m; i++)
		s->r[i] = s->r[i + 1];
	s->m--;
}

/* r[i]'s base grew: move it right until the pending input is sorted again. */
static void pending_resort(struct sweep *s, int i)
{
	struct kbi_mem_range x = s->r[i];

	for (; i + 1 < s->m && s->r[i + 1].base < x.base; i++)
		s->r[i] = s->r[i + 1];
	s->r[i] = x;
}

/* True if x can join the last output range instead of taking a slot. */
static bool merges_with_output(const struct sweep *s, const struct kbi_mem_range *x)
{
	if (s->k == 0)
		return false;
	const struct kbi_mem_range *last = &s->r[s->k - 1];

	return range_end(last) == x->base && last->type == x->type &&
	       last->flags == x->flags;
}

/* Append x to the output; the caller checked there is room (a free slot,
 * or space to shift the pending input right by one). */
static void output_push(struct sweep *s, const struct kbi_mem_range *x)
{
	if (merges_with_output(s, x)) {
		s->r[s->k - 1].length += x->length;
		return;
	}
	if (s->k == s->j) {
		for (int i = s->m; i > s->j; i--)
			s->r[i] = s->r[i - 1];
		s->j++;
		s->m++;
	}
	s->r[s->k++] = *x;
}

/*
 * Emit the front of r[j], [base, cut), as final output (nothing else
 * pending covers it) and keep the rest pending. Page 0 is emitted as
 * RESERVED when it is usable or would become usable once the kernel
 * reclaims boot memory (OVMF keeps boot-services data there): a null
 * physical address must never be a page the allocator hands out. Returns false, changing nothing, when the output
 * would need a slot and none is left.
 */
static bool emit_front(struct sweep *s, uint64_t cut)
{
	struct kbi_mem_range *a = &s->r[s->j];
	struct kbi_mem_range piece = *a;

	if (piece.base == 0 && (piece.type == KBI_MEM_USABLE || piece.type == KBI_MEM_BOOT_SERVICES ||
				piece.type == KBI_MEM_LOADER)) {
		piece.type = KBI_MEM_RESERVED;
		if (cut > KBI_PAGE_SIZE)
			cut = KBI_PAGE_SIZE;
	}
	piece.length = cut - piece.base;
	bool consumed = cut == range_end(a);
	int room = (s->j - s->k) + (s->cap - s->m) + (consumed ? 1 : 0);

	if (room == 0 && !merges_with_output(s, &piece))
		return false;
	if (consumed)
		s->j++;
	else
		set_bounds(a, cut, range_end(a));
	output_push(s, &piece);
	return true;
}

/* True if a wins wherever it overlaps b: a's type is at least as strong and
 * already carries all of b's flags. */
static bool dominates(const struct kbi_mem_range *a, const struct kbi_mem_range *b)
{
	return (a->type == b->type || type_priority[a->type] > type_priority[b->type]) &&
	       (a->flags | b->flags) == a->flags;
}

/* Pending r[j+1] lies under the dominant r[j] up to r[j]'s end: cut it off. */
static void trim_dominated(struct sweep *s)
{
	struct kbi_mem_range *a = &s->r[s->j], *b = &s->r[s->j + 1];

	if (range_end(b) <= range_end(a)) {
		pending_remove(s, s->j + 1);
		return;
	}
	set_bounds(b, range_end(a), range_end(b));
	pending_resort(s, s->j + 1);
}

/*
 * r[j] and r[j+1] start at the same base: replace them with the common
 * part (stronger type, OR of flags) and the longer one's tail, if any.
 */
static void resolve_same_base(struct sweep *s)
{
	struct kbi_mem_range a = s->r[s->j], b = s->r[s->j + 1];
	const struct kbi_mem_range *longer = range_end(&a) >= range_end(&b) ? &a : &b;
	uint64_t common_end = range_end(&a) < range_end(&b) ? range_end(&a) : range_end(&b);
	struct kbi_mem_range common = type_priority[a.type] >= type_priority[b.type] ? a : b;

	common.flags = a.flags | b.flags;
	set_bounds(&common, a.base, common_end);
	s->r[s->j] = common;
	if (range_end(longer) == common_end) {
		pending_remove(s, s->j + 1);
		return;
	}
	s->r[s->j + 1] = *longer;
	set_bounds(&s->r[s->j + 1], common_end, range_end(longer));
	pending_resort(s, s->j + 1);
}

/*
 * One step of the sweep on the lowest pending range A = r[j] and the next
 * one B = r[j+1]. Each step emits output or strictly shrinks the pending
 * input's extent or count, so the loop in resolve() terminates. Returns
 * false only when output needs a slot and cap is exhausted.
 */
static bool resolve_step(struct sweep *s)
{
	struct kbi_mem_range *a = &s->r[s->j];

	if (s->j + 1 == s->m || s->r[s->j + 1].base >= range_end(a))
		return emit_front(s, range_end(a)); /* nothing else covers A */

	struct kbi_mem_range *b = &s->r[s->j + 1];

	if (dominates(a, b)) {
		trim_dominated(s);
		return true;
	}
	if (a->base < b->base && dominates(b, a) && range_end(b) >= range_end(a)) {
		set_bounds(a, a->base, b->base); /* B covers A's tail: drop it */
		return true;
	}
	if (a->base < b->base)
		return emit_front(s, b->base); /* A alone up to B */
	resolve_same_base(s);
	return true;
}

/* Phase 3: sweep sorted, aligned r[0..n) into disjoint merged output. */
static int resolve(struct kbi_mem_range *r, int n, int cap)
{
	struct sweep s = { .r = r, .k = 0, .j = 0, .m = n, .cap = cap };

	while (s.j < s.m) {
		if (!resolve_step(&s))
			return -1; /* here k == j and m == cap: r[0..cap) is whole */
	}
	return s.k;
}

int memmap_sanitise(struct kbi_mem_range *r, int n, int cap)
{
	if (n < 0 || cap < n)
		return -1;
	n = normalise(r, n);
	sort_by_base(r, n);
	return resolve(r, n, cap);
}

/* How marking [base, end) affects one range. */
enum mark_effect {
	MARK_KEEP,    /* disjoint from the marked range: untouched */
	MARK_SWALLOW, /* entirely inside it: removed */
	MARK_TRIM,    /* sticks out on one side: trimmed to that side */
	MARK_SPLIT,   /* sticks out on both sides: split in two */
};

static enum mark_effect mark_effect_on(const struct kbi_mem_range *x, uint64_t base,
                                       uint64_t end)
{
	uint64_t rb = x->base, re = clipped_end(x->base, x->length);

	if (re <= base || rb >= end)
		return MARK_KEEP;
	if (rb >= base && re <= end)
		return MARK_SWALLOW;
	if (rb < base && re > end)
		return MARK_SPLIT;
	return MARK_TRIM;
}

/* The count marking [base, end) will leave: n + 1, +1 per split, -1 per
 * swallowed range. */
static int mark_result_count(const struct kbi_mem_range *r, int n, uint64_t base,
                             uint64_t end)
{
	int count = n + 1;

	for (int i = 0; i < n; i++) {
		enum mark_effect e = mark_effect_on(&r[i], base, end);

		count += e == MARK_SPLIT ? 1 : e == MARK_SWALLOW ? -1 : 0;
	}
	return count;
}

/* Remove the ranges [base, end) swallows, keeping order; returns the count. */
static int mark_drop_swallowed(struct kbi_mem_range *r, int n, uint64_t base,
                               uint64_t end)
{
	int out = 0;

	for (int i = 0; i < n; i++)
		if (mark_effect_on(&r[i], base, end) != MARK_SWALLOW)
			r[out++] = r[i];
	return out;
}

/* Cut [base, end) out of the ranges that stick out of it: trim them, or
 * split them with the upper half appended at r[n...] (room checked by the
 * caller). Returns the new count. */
static int mark_cut_overlaps(struct kbi_mem_range *r, int n, uint64_t base,
                             uint64_t end)
{
	int count = n;

	for (int i = 0; i < n; i++) {
		struct kbi_mem_range *x = &r[i];
		enum mark_effect e = mark_effect_on(x, base, end);
		uint64_t re = clipped_end(x->base, x->length);

		if (e == MARK_KEEP)
			continue;
		if (e == MARK_SPLIT) {
			r[count] = *x;
			set_bounds(&r[count++], end, re);
		}
		if (x->base < base)
			set_bounds(x, x->base, base);
		else
			set_bounds(x, end, re);
	}
	return count;
}

int memmap_mark(struct kbi_mem_range *r, int n, int cap, uint64_t base,
                uint64_t len, uint32_t type)
{
	if (n < 0 || cap < n)
		return -1;
	if (len == 0)
		return n;
	uint64_t end = page_up(clipped_end(base, len));

	base = (base < MEMMAP_ADDR_TOP ? base : MEMMAP_ADDR_TOP) & ~PAGE_MASK;
	if (end <= base)
		return n;
	if (mark_result_count(r, n, base, end) > cap)
		return -1;
	n = mark_drop_swallowed(r, n, base, end);
	n = mark_cut_overlaps(r, n, base, end);
	r[n] = (struct kbi_mem_range){ .base = base, .length = end - base, .type = type };
	return n + 1;
}

uint64_t memmap_total(const struct kbi_mem_range *r, int n, uint32_t type)
{
	uint64_t total = 0;

	for (int i = 0; i < n; i++)
		if (r[i].type == type)
			total += r[i].length;
	return total;
}

const char *memmap_type_name(uint32_t type)
{
	if (type < KBI_MEM_TYPE_COUNT && type_names[type])
		return type_names[type];
	return "unknown";
}
