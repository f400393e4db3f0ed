/* SPDX-License-Identifier: MIT */
/* Host unit test: net/pmtu_cache.c, the path MTU cache's table (lookup, expiry, a full bucket giving its oldest away, the bound hostile ICMP cannot pass). */
#include "net/pmtu_cache.h"
#include "unit.h"

#define NS_PER_S   1000000000ull
#define LIFE_NS    (600 * NS_PER_S)
#define MANY       100000            /* destinations: far more than the table holds */

static struct pmtu_table table;

static void fresh(void)
{
	memset(&table, 0, sizeof(table));
	table.key = (struct siphash_key){ 0x0123456789abcdefull, 0xfedcba9876543210ull };
}

/* ::ffff:10.x.y.z for n (distinct for distinct n < 2^24). */
static struct in6 addr(uint32_t n)
{
	struct in6 a = { .b = { [10] = 0xff, [11] = 0xff, [12] = 10 } };
	a.b[13] = (uint8_t)(n >> 16);
	a.b[14] = (uint8_t)(n >> 8);
	a.b[15] = (uint8_t)n;
	return a;
}

/* The bucket index of a, as the table hashes it. */
static uint64_t bucket(const struct in6 *a)
{
	return siphash(&table.key, a->b, sizeof(a->b)) % PMTU_BUCKETS;
}

UNIT_TEST(set_get_update)
{
	struct pmtu_entry e;
	struct in6 a = addr(1), b = addr(2);
	fresh();
	CHECK(!pmtu_table_get(&table, &a, 0, &e));
	pmtu_table_set(&table, &a, 1000, false, 10, 10 + LIFE_NS);
	CHECK(pmtu_table_get(&table, &a, 11, &e));
	CHECK_EQ(e.mtu, 1000);
	CHECK(!pmtu_table_get(&table, &b, 11, &e));
	pmtu_table_set(&table, &a, 800, true, 20, 20 + LIFE_NS);
	CHECK(pmtu_table_get(&table, &a, 21, &e));
	CHECK_EQ(e.mtu, 800);
	CHECK(e.locked);
	CHECK_EQ(table.entries, 1); /* the same destination: its own slot */
	return NULL;
}

UNIT_TEST(expires)
{
	struct pmtu_entry e;
	struct in6 a = addr(7);
	fresh();
	pmtu_table_set(&table, &a, 1280, false, 0, LIFE_NS);
	CHECK(pmtu_table_get(&table, &a, LIFE_NS - 1, &e));
	CHECK(!pmtu_table_get(&table, &a, LIFE_NS, &e));
	CHECK_EQ(table.entries, 0); /* reaped on the way */
	return NULL;
}

/* PMTU_BUCKET_DEPTH + 1 destinations of one bucket: the oldest goes, the rest stay. */
UNIT_TEST(full_bucket_gives_oldest)
{
	struct in6 same[PMTU_BUCKET_DEPTH + 1];
	struct pmtu_entry e;
	int n = 0;
	fresh();
	struct in6 first = addr(0);
	for (uint32_t i = 0; n < PMTU_BUCKET_DEPTH + 1 && i < MANY; i++) {
		struct in6 a = addr(i);
		if (bucket(&a) == bucket(&first))
			same[n++] = a;
	}
	CHECK_EQ(n, PMTU_BUCKET_DEPTH + 1);
	for (int i = 0; i < n; i++)
		pmtu_table_set(&table, &same[i], 1000 + (uint32_t)i, false, 100 + (uint64_t)i, LIFE_NS);
	CHECK(!pmtu_table_get(&table, &same[0], 200, &e));
	for (int i = 1; i < n; i++) {
		CHECK(pmtu_table_get(&table, &same[i], 200, &e));
		CHECK_EQ(e.mtu, 1000 + (uint32_t)i);
	}
	CHECK_EQ(table.entries, PMTU_BUCKET_DEPTH);
	CHECK_EQ(table.replaced, 1);
	return NULL;
}

/* An expired slot is taken before a live one is given away. */
UNIT_TEST(expired_slot_reused)
{
	struct in6 same[PMTU_BUCKET_DEPTH + 1];
	struct pmtu_entry e;
	int n = 0;
	fresh();
	struct in6 first = addr(0);
	for (uint32_t i = 0; n < PMTU_BUCKET_DEPTH + 1 && i < MANY; i++) {
		struct in6 a = addr(i);
		if (bucket(&a) == bucket(&first))
			same[n++] = a;
	}
	for (int i = 0; i < PMTU_BUCKET_DEPTH; i++) /* the last of them expires first */
		pmtu_table_set(&table, &same[i], 1000, false, (uint64_t)i, i == PMTU_BUCKET_DEPTH - 1 ? 50 : LIFE_NS);
	pmtu_table_set(&table, &same[PMTU_BUCKET_DEPTH], 900, false, 60, LIFE_NS);
	CHECK_EQ(table.replaced, 0);
	CHECK(pmtu_table_get(&table, &same[0], 61, &e));
	CHECK(pmtu_table_get(&table, &same[PMTU_BUCKET_DEPTH], 61, &e));
	CHECK_EQ(table.entries, PMTU_BUCKET_DEPTH);
	return NULL;
}

/* Hostile ICMP for MANY destinations: never more than PMTU_ENTRIES_MAX held, the newest found. */
UNIT_TEST(bounded)
{
	struct pmtu_entry e;
	fresh();
	for (uint32_t i = 0; i < MANY; i++) {
		struct in6 a = addr(i);
		pmtu_table_set(&table, &a, 576 + i % 800, false, i + 1, LIFE_NS);
		if (table.entries > PMTU_ENTRIES_MAX)
			return "more entries than PMTU_ENTRIES_MAX";
	}
	struct in6 last = addr(MANY - 1);
	CHECK(pmtu_table_get(&table, &last, MANY, &e));
	CHECK_EQ(table.entries, PMTU_ENTRIES_MAX);
	CHECK_EQ(table.replaced, MANY - PMTU_ENTRIES_MAX);
	pmtu_table_clear(&table);
	CHECK_EQ(table.entries, 0);
	CHECK(!pmtu_table_get(&table, &last, MANY, &e));
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(set_get_update),
	UNIT_ENTRY(expires),
	UNIT_ENTRY(full_bucket_gives_oldest),
	UNIT_ENTRY(expired_slot_reused),
	UNIT_ENTRY(bounded),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
