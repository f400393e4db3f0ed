// SPDX-License-Identifier: MIT
/* Host tests of the TLB flush batch (kernel/mm/tlb_batch.c): one shootdown
 * for many pages, and no page released before a shootdown covered it. */
#include <stdlib.h>
#include "unit.h"
#include "mm/tlb_batch.h"

#define SPACE  0x123000ull   /* a made-up PML4 */
#define VA     0x7f0000000000ull
#define PAGES  10000

/* What the fakes saw. */
static struct {
	unsigned shootdowns, kernel_shootdowns;
	uint64_t pml4, start, end;     /* the last shootdown */
	unsigned released, early;      /* releases; those not covered by the last shootdown */
	unsigned allocs, frees;
	bool fail_alloc;
} seen;

uint64_t pmm_alloc(unsigned order)
{
	if (order || seen.fail_alloc)
		return 0;
	seen.allocs++;
	return (uint64_t)(uintptr_t)aligned_alloc(PAGE_SIZE, PAGE_SIZE);
}

void pmm_free(uint64_t phys, unsigned order)
{
	(void)order;
	seen.frees++;
	free((void *)(uintptr_t)phys);
}

void tlb_shootdown(uint64_t pml4, uint64_t start, uint64_t end)
{
	seen.shootdowns++;
	seen.pml4 = pml4;
	seen.start = start;
	seen.end = end;
}

void tlb_shootdown_kernel(uint64_t start, uint64_t end)
{
	seen.kernel_shootdowns++;
	seen.start = start;
	seen.end = end;
}

/* A gathered "page" is the address it was mapped at, plus one (never 0):
 * its release must come after a shootdown that covered that address. */
static void release(uint64_t pa)
{
	uint64_t va = pa - 1;

	seen.released++;
	if (seen.shootdowns + seen.kernel_shootdowns == 0 || va < seen.start || va >= seen.end)
		seen.early++;
}

static void reset(void)
{
	memset(&seen, 0, sizeof(seen));
}

UNIT_TEST(empty_batch_flushes_nothing)
{
	struct tlb_batch b;

	reset();
	tlb_batch_init(&b, SPACE, release);
	tlb_batch_finish(&b);
	CHECK_EQ(seen.shootdowns + seen.kernel_shootdowns, 0);
	return NULL;
}

UNIT_TEST(ten_thousand_pages_few_shootdowns)
{
	struct tlb_batch b;

	reset();
	tlb_batch_init(&b, SPACE, release);
	for (uint64_t i = 0; i < PAGES; i++)
		tlb_batch_drop(&b, VA + i * PAGE_SIZE, VA + i * PAGE_SIZE + 1);
	tlb_batch_finish(&b);
	CHECK(seen.shootdowns >= 1 && seen.shootdowns <= 2);
	CHECK_EQ(seen.pml4, SPACE);
	CHECK_EQ(seen.released, PAGES);
	CHECK_EQ(seen.early, 0);
	CHECK_EQ(seen.allocs, seen.frees);
	CHECK_EQ(seen.end, VA + PAGES * PAGE_SIZE); /* the last one reaches the last page */
	return NULL;
}

UNIT_TEST(no_memory_flushes_when_inline_full)
{
	struct tlb_batch b;

	reset();
	seen.fail_alloc = true;
	tlb_batch_init(&b, SPACE, release);
	for (uint64_t i = 0; i < 100; i++)
		tlb_batch_drop(&b, VA + i * PAGE_SIZE, VA + i * PAGE_SIZE + 1);
	CHECK_EQ(seen.shootdowns, 100 / TLB_BATCH_INLINE);
	CHECK_EQ(seen.early, 0);
	tlb_batch_finish(&b);
	CHECK_EQ(seen.shootdowns, 100 / TLB_BATCH_INLINE + 1);
	CHECK_EQ(seen.released, 100);
	CHECK_EQ(seen.early, 0);
	return NULL;
}

UNIT_TEST(range_spans_every_address)
{
	struct tlb_batch b;

	reset();
	tlb_batch_init(&b, SPACE, release);
	tlb_batch_add(&b, VA + 5 * PAGE_SIZE + 17);
	tlb_batch_add(&b, VA + 2 * PAGE_SIZE);
	tlb_batch_add(&b, VA + 9 * PAGE_SIZE);
	tlb_batch_finish(&b);
	CHECK_EQ(seen.shootdowns, 1);
	CHECK_EQ(seen.start, VA + 2 * PAGE_SIZE);
	CHECK_EQ(seen.end, VA + 10 * PAGE_SIZE);
	CHECK_EQ(seen.released, 0);
	return NULL;
}

UNIT_TEST(kernel_batch_goes_to_every_cpu)
{
	struct tlb_batch b;
	uint64_t kva = 0xffffc00000000000ull;

	reset();
	tlb_batch_init(&b, TLB_BATCH_KERNEL, release);
	tlb_batch_drop(&b, kva, kva + 1);
	tlb_batch_add(&b, kva + PAGE_SIZE);
	tlb_batch_finish(&b);
	CHECK_EQ(seen.kernel_shootdowns, 1);
	CHECK_EQ(seen.shootdowns, 0);
	CHECK_EQ(seen.end, kva + 2 * PAGE_SIZE);
	CHECK_EQ(seen.released, 1);
	CHECK_EQ(seen.early, 0);
	return NULL;
}

UNIT_TEST(batch_is_reusable_after_finish)
{
	struct tlb_batch b;

	reset();
	tlb_batch_init(&b, SPACE, release);
	tlb_batch_drop(&b, VA, VA + 1);
	tlb_batch_finish(&b);
	tlb_batch_finish(&b); /* nothing left: no second shootdown */
	CHECK_EQ(seen.shootdowns, 1);
	tlb_batch_drop(&b, VA + PAGE_SIZE, VA + PAGE_SIZE + 1);
	tlb_batch_finish(&b);
	CHECK_EQ(seen.shootdowns, 2);
	CHECK_EQ(seen.start, VA + PAGE_SIZE);
	CHECK_EQ(seen.released, 2);
	CHECK_EQ(seen.early, 0);
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(empty_batch_flushes_nothing),
	UNIT_ENTRY(ten_thousand_pages_few_shootdowns),
	UNIT_ENTRY(no_memory_flushes_when_inline_full),
	UNIT_ENTRY(range_spans_every_address),
	UNIT_ENTRY(kernel_batch_goes_to_every_cpu),
	UNIT_ENTRY(batch_is_reusable_after_finish),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
