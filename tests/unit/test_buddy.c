// SPDX-License-Identifier: MIT
/* Host tests of the kernel's buddy page allocator (kernel/mm/buddy.c). */
#include <stdlib.h>
#include "unit.h"
#include "mm/buddy.h"

#define NPAGES 4096

static struct page pages[NPAGES];
static struct buddy b;
static unsigned char owner[NPAGES]; /* which test allocation holds a page */

static void fresh(uint64_t first, uint64_t count)
{
	buddy_init(&b, pages, NPAGES);
	buddy_add_free(&b, first, count);
	memset(owner, 0, sizeof(owner));
}

UNIT_TEST(add_free_counts)
{
	fresh(3, 1000);
	CHECK_EQ(b.free_pages, 1000);
	CHECK_EQ(b.managed_pages, 1000);
	CHECK_OK(buddy_check(&b));
	CHECK(pages[0].flags & PAGE_RESERVED);
	CHECK(pages[2].flags & PAGE_RESERVED);
	return NULL;
}

UNIT_TEST(add_free_clipped)
{
	fresh(NPAGES - 10, 100);
	CHECK_EQ(b.free_pages, 10);
	fresh(NPAGES + 5, 100);
	CHECK_EQ(b.free_pages, 0);
	return NULL;
}

UNIT_TEST(alloc_is_aligned_and_inside_free_memory)
{
	fresh(1, NPAGES - 1);
	for (unsigned k = 0; k < BUDDY_ORDERS; k++) {
		int64_t p = buddy_alloc(&b, k);
		CHECK(p >= 1);
		CHECK_EQ((uint64_t)p & ((1u << k) - 1), 0);
		CHECK_EQ(pages[p].refcount, 1);
		CHECK_EQ(pages[p].order, k);
	}
	CHECK_OK(buddy_check(&b));
	return NULL;
}

UNIT_TEST(exhaust_and_restore)
{
	fresh(0, NPAGES);
	uint64_t n = 0;
	while (buddy_alloc(&b, 0) >= 0)
		n++;
	CHECK_EQ(n, NPAGES);
	CHECK_EQ(b.free_pages, 0);
	CHECK(buddy_alloc(&b, 0) < 0);
	for (uint64_t i = 0; i < NPAGES; i++)
		buddy_free(&b, i, 0);
	CHECK_EQ(b.free_pages, NPAGES);
	/* everything merged back into maximal blocks */
	CHECK_EQ(b.free_blocks[BUDDY_ORDERS - 1], NPAGES >> (BUDDY_ORDERS - 1));
	CHECK_OK(buddy_check(&b));
	return NULL;
}

UNIT_TEST(too_large_order_fails)
{
	fresh(0, NPAGES);
	CHECK(buddy_alloc(&b, BUDDY_ORDERS) < 0);
	fresh(0, 3); /* no block of 4 pages exists */
	CHECK(buddy_alloc(&b, 2) < 0);
	CHECK(buddy_alloc(&b, 1) >= 0);
	return NULL;
}

/* Random allocations and frees: no page is ever handed out twice, and
 * the allocator stays consistent throughout. */
UNIT_TEST(random_no_overlap)
{
	struct { int64_t pfn; unsigned order; } live[512];
	int nlive = 0;

	fresh(5, NPAGES - 17);
	srand(7);
	for (int step = 0; step < 20000; step++) {
		if (nlive < 512 && (rand() % 3 != 0 || nlive == 0)) {
			unsigned k = (unsigned)(rand() % 6);
			int64_t p = buddy_alloc(&b, k);
			if (p < 0)
				continue;
			for (uint64_t i = 0; i < (1u << k); i++) {
				CHECK(p + (int64_t)i >= 5 && p + (int64_t)i < NPAGES - 12);
				CHECK(!owner[p + i]);
				owner[p + i] = 1;
			}
			live[nlive].pfn = p;
			live[nlive++].order = k;
		} else {
			int i = rand() % nlive;
			for (uint64_t j = 0; j < (1u << live[i].order); j++)
				owner[live[i].pfn + j] = 0;
			buddy_free(&b, (uint64_t)live[i].pfn, live[i].order);
			live[i] = live[--nlive];
		}
		if (step % 997 == 0)
			CHECK_OK(buddy_check(&b));
	}
	while (nlive)
		buddy_free(&b, (uint64_t)live[nlive - 1].pfn, live[nlive - 1].order), nlive--;
	CHECK_EQ(b.free_pages, NPAGES - 17);
	CHECK_OK(buddy_check(&b));
	return NULL;
}

/* PAGE_UNSCRUBBED stays on every page through splitting, freeing and merging. */
UNIT_TEST(unscrubbed_mark_survives)
{
	int64_t small[8], big;

	fresh(0, 64);
	for (int i = 0; i < 64; i++)
		pages[i].flags |= PAGE_UNSCRUBBED;
	for (int i = 0; i < 8; i++) {
		small[i] = buddy_alloc(&b, 0);
		CHECK(small[i] >= 0);
		CHECK(pages[small[i]].flags & PAGE_UNSCRUBBED);
	}
	for (int i = 0; i < 8; i++)
		buddy_free(&b, (uint64_t)small[i], 0);
	CHECK_OK(buddy_check(&b));
	big = buddy_alloc(&b, 6);
	CHECK_EQ(big, 0);
	for (int i = 0; i < 64; i++)
		CHECK(pages[i].flags & PAGE_UNSCRUBBED);
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(add_free_counts),
	UNIT_ENTRY(add_free_clipped),
	UNIT_ENTRY(alloc_is_aligned_and_inside_free_memory),
	UNIT_ENTRY(exhaust_and_restore),
	UNIT_ENTRY(too_large_order_fails),
	UNIT_ENTRY(random_no_overlap),
	UNIT_ENTRY(unscrubbed_mark_survives),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
