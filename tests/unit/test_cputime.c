// SPDX-License-Identifier: MIT
/* Host tests of splitting measured CPU time by sampled ticks (kernel/proc/cputime.c). */
#include "unit.h"
#include "proc/cputime.h"

UNIT_TEST(no_samples_is_user_time)
{
	struct cpu_times t = cputime_split(3000000, 0, 0);

	CHECK_EQ(t.user_ns, 3000000);
	CHECK_EQ(t.sys_ns, 0);
	return NULL;
}

UNIT_TEST(splits_by_ratio)
{
	struct cpu_times t = cputime_split(1000000000, 3, 1);

	CHECK_EQ(t.user_ns, 750000000);
	CHECK_EQ(t.sys_ns, 250000000);
	t = cputime_split(1000000000, 0, 5);
	CHECK_EQ(t.user_ns, 0);
	CHECK_EQ(t.sys_ns, 1000000000);
	return NULL;
}

UNIT_TEST(parts_add_up)
{
	static const uint64_t runs[] = { 0, 1, 7, 999999999, 123456789012345ull, UINT64_MAX };
	static const uint64_t ticks[] = { 0, 1, 2, 3, 99, 1u << 20, (1ull << 31) - 1, 1ull << 40, UINT32_MAX };

	for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++)
		for (size_t u = 0; u < sizeof(ticks) / sizeof(ticks[0]); u++)
			for (size_t s = 0; s < sizeof(ticks) / sizeof(ticks[0]); s++) {
				struct cpu_times t = cputime_split(runs[r], ticks[u], ticks[s]);
				CHECK_EQ(t.user_ns + t.sys_ns, runs[r]);
				CHECK(t.sys_ns <= runs[r]);
				CHECK(ticks[s] || t.sys_ns == 0);
				CHECK(ticks[u] || !ticks[s] || t.user_ns == 0);
			}
	return NULL;
}

UNIT_TEST(huge_values_stay_exact)
{
	/* 2^63 ns split 1:1 is exactly half each, with no overflow on the way. */
	struct cpu_times t = cputime_split(1ull << 63, 1ull << 30, 1ull << 30);

	CHECK_EQ(t.sys_ns, 1ull << 62);
	CHECK_EQ(t.user_ns, 1ull << 62);
	t = cputime_split(UINT64_MAX, UINT32_MAX, UINT32_MAX);
	CHECK_EQ(t.sys_ns, UINT64_MAX / 2);
	return NULL;
}

UNIT_TEST(adds_part_by_part)
{
	struct cpu_times t = cputime_add((struct cpu_times){ 1, 2 }, (struct cpu_times){ 10, 20 });

	CHECK_EQ(t.user_ns, 11);
	CHECK_EQ(t.sys_ns, 22);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_ENTRY(no_samples_is_user_time), UNIT_ENTRY(splits_by_ratio), UNIT_ENTRY(parts_add_up),
		UNIT_ENTRY(huge_values_stay_exact), UNIT_ENTRY(adds_part_by_part),
	};
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
