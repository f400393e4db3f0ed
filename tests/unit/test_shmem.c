// SPDX-License-Identifier: MIT
/* Host tests of memory objects (kernel/mm/shmem.c): the page tree grows
 * with the highest page touched, keeps every page where it was, and
 * truncation frees exactly the pages past the cut. */
#include <stdlib.h>
#include "unit.h"
#include "mm/shmem.h"

/* What the fakes saw: pages (nodes and data) alive, and allocations to fail. */
static struct {
	long pages, heap;
	int fail_after; /* page allocations left before they fail; < 0: never */
} seen = { 0, 0, -1 };

void *kzalloc(size_t size)
{
	seen.heap++;
	return calloc(1, size);
}

void kfree(void *p)
{
	if (p)
		seen.heap--;
	free(p);
}

void *page_alloc_zeroed(void)
{
	if (seen.fail_after == 0)
		return NULL;
	if (seen.fail_after > 0)
		seen.fail_after--;
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	memset(p, 0, PAGE_SIZE);
	seen.pages++;
	return p;
}

void page_free(void *page)
{
	seen.pages--;
	free(page);
}

/* The object holds one reference on each data page: its only one here. */
void page_ref_put(uint64_t phys)
{
	page_free((void *)(uintptr_t)phys);
}

#define BIG (1ull << 35) /* pages: all of user space, as a RAM file's object */

static void reset(void)
{
	seen.pages = seen.heap = 0;
	seen.fail_after = -1;
}

/* A one-page object is its page alone: no node. */
UNIT_TEST(one_page_no_node)
{
	reset();
	struct shmem *s = shmem_create(BIG);
	uint64_t p = shmem_page(s, 0);
	CHECK(p != 0);
	CHECK(seen.pages == 1);
	CHECK(shmem_lookup(s, 0) == p);
	CHECK(shmem_lookup(s, 1) == 0);
	CHECK(shmem_lookup(s, 512) == 0);
	CHECK(shmem_page(s, 0) == p);
	shmem_put(s);
	CHECK(seen.pages == 0 && seen.heap == 0);
	return NULL;
}

/* Growing keeps the pages already there; each height adds one node. */
UNIT_TEST(grow_keeps_pages)
{
	reset();
	struct shmem *s = shmem_create(BIG);
	uint64_t p0 = shmem_page(s, 0);
	uint64_t p1 = shmem_page(s, 1);          /* one node on top of page 0 */
	CHECK_EQ(seen.pages, 3);
	uint64_t p2 = shmem_page(s, 512 * 512);  /* two more levels: root, and a path down */
	CHECK(p0 && p1 && p2);
	CHECK(shmem_lookup(s, 0) == p0);
	CHECK(shmem_lookup(s, 1) == p1);
	CHECK(shmem_lookup(s, 512 * 512) == p2);
	CHECK(shmem_lookup(s, 512 * 512 + 1) == 0);
	uint64_t far = shmem_page(s, BIG - 1);
	CHECK(far && shmem_lookup(s, BIG - 1) == far && shmem_lookup(s, 0) == p0);
	CHECK(shmem_page(s, BIG) == 0);
	shmem_put(s);
	CHECK(seen.pages == 0 && seen.heap == 0);
	return NULL;
}

/* Truncation frees the pages from the cut on, and the emptied tree
 * starts small again. */
UNIT_TEST(truncate_frees)
{
	reset();
	struct shmem *s = shmem_create(BIG);
	for (uint64_t i = 0; i < 1000; i++)
		CHECK(shmem_page(s, i * 7) != 0);
	uint64_t keep = shmem_lookup(s, 693);
	shmem_truncate(s, 694);
	CHECK(shmem_lookup(s, 693) == keep);
	CHECK(shmem_lookup(s, 700) == 0);
	CHECK(shmem_lookup(s, 6993) == 0);
	shmem_truncate(s, 0);
	CHECK(seen.pages == 0);
	CHECK(shmem_page(s, 0) != 0 && seen.pages == 1); /* height 0 again */
	shmem_truncate(s, 5);                             /* past the end: nothing */
	CHECK(seen.pages == 1);
	shmem_put(s);
	CHECK(seen.pages == 0 && seen.heap == 0);
	return NULL;
}

/* shmem_seek finds the next page or hole, across empty subtrees and
 * past the tree's reach. */
UNIT_TEST(seek_pages_and_holes)
{
	reset();
	struct shmem *s = shmem_create(BIG);
	CHECK_EQ(shmem_seek(s, 0, 100, true), 100);      /* empty: no page */
	CHECK_EQ(shmem_seek(s, 5, 100, false), 5);
	CHECK(shmem_page(s, 3) && shmem_page(s, 4) && shmem_page(s, 512 * 512 + 9));
	CHECK_EQ(shmem_seek(s, 0, BIG, true), 3);
	CHECK_EQ(shmem_seek(s, 3, BIG, true), 3);
	CHECK_EQ(shmem_seek(s, 3, BIG, false), 5);
	CHECK_EQ(shmem_seek(s, 5, BIG, true), 512 * 512 + 9);
	CHECK_EQ(shmem_seek(s, 5, 1000, true), 1000);    /* none below end */
	CHECK_EQ(shmem_seek(s, 512 * 512 + 9, BIG, false), 512 * 512 + 10);
	CHECK_EQ(shmem_seek(s, 512 * 512 + 10, BIG, true), BIG);
	shmem_put(s);
	CHECK(seen.pages == 0 && seen.heap == 0);
	return NULL;
}

/* Out of memory while growing: 0, and what was there stays. */
UNIT_TEST(grow_out_of_memory)
{
	reset();
	struct shmem *s = shmem_create(BIG);
	uint64_t p0 = shmem_page(s, 0);
	seen.fail_after = 0;
	CHECK(shmem_page(s, 1000000) == 0);
	CHECK(shmem_lookup(s, 0) == p0);
	seen.fail_after = -1;
	CHECK(shmem_page(s, 1000000) != 0 && shmem_lookup(s, 0) == p0);
	shmem_put(s);
	CHECK(seen.pages == 0 && seen.heap == 0);
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(one_page_no_node),
	UNIT_ENTRY(grow_keeps_pages),
	UNIT_ENTRY(truncate_frees),
	UNIT_ENTRY(grow_out_of_memory),
	UNIT_ENTRY(seek_pages_and_holes),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
