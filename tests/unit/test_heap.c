// SPDX-License-Identifier: MIT
/* Host tests of the kernel heap (kernel/mm/heap.c) over the real buddy allocator in a malloc'd arena. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "unit.h"
#include "mm/heap.h"
#include "mm/pmm.h"

#define ARENA_PAGES 2048

uint8_t *host_arena;
unsigned host_cpu; /* the CPU heap.c's calls run on (heap_host.h) */
static struct page pages[ARENA_PAGES];
static struct buddy b;
static jmp_buf panic_jump;
static bool expect_panic;
static char panic_msg[256];

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(panic_msg, sizeof(panic_msg), fmt, ap);
	va_end(ap);
	if (expect_panic)
		longjmp(panic_jump, 1);
	fprintf(stderr, "unexpected panic: %s\n", panic_msg);
	abort();
}

/* The PMM, as the kernel's pmm.c gives it (page 0 never handed out). */
uint64_t pmm_alloc(unsigned order)
{
	int64_t pfn = buddy_alloc(&b, order);
	return pfn < 0 ? 0 : (uint64_t)pfn * PAGE_SIZE;
}

void pmm_free(uint64_t phys, unsigned order)
{
	buddy_free(&b, phys / PAGE_SIZE, order);
}

struct page *pmm_page(uint64_t phys)
{
	return phys / PAGE_SIZE < ARENA_PAGES ? &pages[phys / PAGE_SIZE] : NULL;
}

/* The arena and its allocator, set up once: the heap keeps its own state
 * (slab lists) across tests, as in the kernel. */
static void fresh(void)
{
	if (host_arena)
		return;
	host_arena = aligned_alloc(PAGE_SIZE, ARENA_PAGES * PAGE_SIZE);
	buddy_init(&b, pages, ARENA_PAGES);
	buddy_add_free(&b, 1, ARENA_PAGES - 1);
	heap_cpu_caches_start();
}

UNIT_TEST(small_sizes_aligned_and_distinct)
{
	void *p[64];
	fresh();
	for (int i = 0; i < 64; i++) {
		size_t n = 1 + (size_t)i * 31;
		p[i] = kmalloc(n);
		CHECK(p[i] != NULL);
		CHECK_EQ((uint64_t)p[i] & 15, 0);
		memset(p[i], i, n);
	}
	for (int i = 0; i < 64; i++) {
		unsigned char *c = p[i];
		for (size_t k = 0; k < 1 + (size_t)i * 31; k++)
			CHECK_EQ(c[k], (unsigned)i);
		kfree(p[i]);
	}
	struct heap_stats s;
	heap_stats(&s);
	CHECK_EQ(s.small_in_use, 0);
	CHECK_OK(buddy_check(&b));
	return NULL;
}

UNIT_TEST(large_is_page_aligned_and_returned)
{
	fresh();
	uint64_t before = b.free_pages;
	void *p = kmalloc(3 * 4096 + 1); /* order 2 */
	CHECK(p != NULL);
	CHECK_EQ(virt_to_phys(p) & (PAGE_SIZE - 1), 0);
	CHECK_EQ(b.free_pages, before - 4);
	kfree(p);
	CHECK_EQ(b.free_pages, before);
	return NULL;
}

UNIT_TEST(empty_slabs_go_back_to_the_pmm)
{
	void *p[512];
	fresh();
	uint64_t before = b.free_pages;
	for (int i = 0; i < 512; i++)
		CHECK((p[i] = kmalloc(64)) != NULL); /* 8 pages of 64 objects */
	for (int i = 0; i < 512; i++)
		kfree(p[i]);
	/* one empty page the class keeps, and the page of the objects freed
	 * last, which the CPU's cache holds */
	CHECK(b.free_pages >= before - 2);
	CHECK_OK(buddy_check(&b));
	return NULL;
}

UNIT_TEST(kzalloc_zeroes)
{
	fresh();
	unsigned char *p = kmalloc(200);
	memset(p, 0xee, 200);
	kfree(p);
	p = kzalloc(200);
	for (int i = 0; i < 200; i++)
		CHECK_EQ(p[i], 0);
	kfree(p);
	return NULL;
}

UNIT_TEST(out_of_memory_is_null)
{
	fresh();
	CHECK(kmalloc((size_t)ARENA_PAGES * PAGE_SIZE) == NULL);
	return NULL;
}

UNIT_TEST(random_stress_no_overlap)
{
	enum { N = 400 };
	static void *p[N];
	static size_t len[N];
	fresh();
	srand(3);
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < N; i++) {
			host_cpu = (unsigned)rand() % HOST_CPUS; /* freed on one CPU, reused on another */
			if (p[i] && rand() % 2) {
				unsigned char *c = p[i];
				for (size_t k = 0; k < len[i]; k++)
					CHECK_EQ(c[k], (unsigned)(i & 0xff));
				kfree(p[i]);
				p[i] = NULL;
			} else if (!p[i]) {
				len[i] = 1 + (size_t)(rand() % 5000);
				p[i] = kmalloc(len[i]);
				CHECK(p[i] != NULL);
				memset(p[i], i & 0xff, len[i]);
			}
		}
	}
	for (int i = 0; i < N; i++)
		kfree(p[i]), p[i] = NULL;
	host_cpu = 0;
	struct heap_stats s;
	heap_stats(&s);
	CHECK_EQ(s.small_in_use, 0);
	CHECK_EQ(s.large_in_use, 0);
	CHECK_OK(buddy_check(&b));
	return NULL;
}

/* Objects in the CPUs' caches are not counted in use: the count is exact
 * at every step, whichever CPU frees what another allocated. */
UNIT_TEST(cached_objects_not_in_use)
{
	enum { N = 100 };
	void *p[N];
	struct heap_stats s0, s;
	fresh();
	heap_stats(&s0);
	for (int i = 0; i < N; i++) {
		host_cpu = (unsigned)i % HOST_CPUS;
		CHECK((p[i] = kmalloc(40)) != NULL);
	}
	heap_stats(&s);
	CHECK_EQ(s.small_in_use, s0.small_in_use + N);
	for (int i = 0; i < N; i++) {
		host_cpu = (unsigned)(i * 7 + 1) % HOST_CPUS;
		kfree(p[i]);
		heap_stats(&s);
		CHECK_EQ(s.small_in_use, s0.small_in_use + N - 1 - (uint64_t)i);
	}
	host_cpu = 0;
	return NULL;
}

/* Caches stay small: after every CPU freed many objects of every class,
 * they pin at most one page per object they may hold, and the slabs
 * keep one warm page per class. */
UNIT_TEST(cpu_caches_are_bounded)
{
	enum { PER = 200, CLASSES = 8, CACHED_MAX = 4 * 16 + 8 + 4 + 2 + 1 };
	static void *p[HOST_CPUS][CLASSES][PER];
	fresh();
	uint64_t before = b.free_pages;
	for (unsigned cpu = 0; cpu < HOST_CPUS; cpu++)
		for (int c = 0; c < CLASSES; c++)
			for (int i = 0; i < PER; i++)
				CHECK((p[cpu][c][i] = kmalloc((size_t)16 << c)) != NULL);
	for (unsigned cpu = 0; cpu < HOST_CPUS; cpu++) {
		host_cpu = cpu;
		for (int c = 0; c < CLASSES; c++)
			for (int i = 0; i < PER; i++)
				kfree(p[(cpu + 1) % HOST_CPUS][c][i]);
	}
	host_cpu = 0;
	CHECK(b.free_pages + HOST_CPUS * CACHED_MAX + CLASSES >= before);
	CHECK_OK(buddy_check(&b));
	return NULL;
}

/* A pointer into the middle of an object, or to a page never allocated,
 * panics. (A pointer inside a free multi-page block is not caught: only a
 * block's head page carries the free mark.) */
UNIT_TEST(bad_free_panics)
{
	fresh();
	char *p = kmalloc(64);
	expect_panic = true;
	if (setjmp(panic_jump) == 0) {
		kfree(p + 8);
		expect_panic = false;
		return "kfree of an interior pointer did not panic";
	}
	CHECK(strstr(panic_msg, "not the start") != NULL);
	if (setjmp(panic_jump) == 0) {
		kfree(host_arena); /* page 0: reserved, never allocated */
		expect_panic = false;
		return "kfree of a reserved page did not panic";
	}
	expect_panic = false;
	kfree(p);
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(small_sizes_aligned_and_distinct),
	UNIT_ENTRY(large_is_page_aligned_and_returned),
	UNIT_ENTRY(empty_slabs_go_back_to_the_pmm),
	UNIT_ENTRY(kzalloc_zeroes),
	UNIT_ENTRY(out_of_memory_is_null),
	UNIT_ENTRY(random_stress_no_overlap),
	UNIT_ENTRY(cached_objects_not_in_use),
	UNIT_ENTRY(cpu_caches_are_bounded),
	UNIT_ENTRY(bad_free_panics),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
