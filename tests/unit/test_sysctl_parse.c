/* SPDX-License-Identifier: MIT */
/* Host unit test: fs/sysctl_parse.c, what a write to /proc/sys means (Linux's proc_dointvec, proc_douintvec, proc_dostring). */
#include "fs/sysctl_parse.h"
#include "lib/errno.h"
#include "unit.h"

#define LEN(s) (sizeof(s) - 1)

UNIT_TEST(ints_vector)
{
	int64_t v[3] = { 7, 8, 9 };
	unsigned n = 0;
	CHECK_EQ(sysctl_parse_ints("40000\t50000\n", LEN("40000\t50000\n"), SYSCTL_INT, v, 2, &n), 12);
	CHECK_EQ(n, 2u);
	CHECK_EQ(v[0], 40000);
	CHECK_EQ(v[1], 50000);
	CHECK_EQ(v[2], 9);
	/* one number of two: only the first is written */
	v[1] = 8;
	CHECK_EQ(sysctl_parse_ints("  12 ", 5, SYSCTL_INT, v, 2, &n), 5);
	CHECK_EQ(n, 1u);
	CHECK_EQ(v[0], 12);
	CHECK_EQ(v[1], 8);
	/* past the vector's length: the rest is not taken */
	CHECK_EQ(sysctl_parse_ints("1 2 3", 5, SYSCTL_INT, v, 2, &n), 4);
	CHECK_EQ(n, 2u);
	return NULL;
}

UNIT_TEST(ints_signs_and_bounds)
{
	int64_t v[1];
	unsigned n;
	CHECK_EQ(sysctl_parse_ints("-5\n", 3, SYSCTL_INT, v, 1, &n), 3);
	CHECK_EQ(v[0], -5);
	CHECK_EQ(sysctl_parse_ints("-5", 2, SYSCTL_UINT, v, 1, &n), -EINVAL);
	CHECK_EQ(sysctl_parse_ints("2147483647", 10, SYSCTL_INT, v, 1, &n), 10);
	CHECK_EQ(sysctl_parse_ints("2147483648", 10, SYSCTL_INT, v, 1, &n), -EINVAL);
	CHECK_EQ(sysctl_parse_ints("-2147483648", 11, SYSCTL_INT, v, 1, &n), 11);
	CHECK_EQ(v[0], -2147483648ll);
	CHECK_EQ(sysctl_parse_ints("-2147483649", 11, SYSCTL_INT, v, 1, &n), -EINVAL);
	CHECK_EQ(sysctl_parse_ints("4294967295", 10, SYSCTL_UINT, v, 1, &n), 10);
	CHECK_EQ(sysctl_parse_ints("4294967296", 10, SYSCTL_UINT, v, 1, &n), -EINVAL);
	CHECK_EQ(sysctl_parse_ints("99999999999999999999999", 23, SYSCTL_UINT, v, 1, &n), -EINVAL);
	/* proc_doulongvec_minmax: the whole 64 bits, no sign */
	CHECK_EQ(sysctl_parse_ints("18446744073692774399", 20, SYSCTL_ULONG, v, 1, &n), 20);
	CHECK_EQ((uint64_t)v[0], 18446744073692774399ull);
	CHECK_EQ(sysctl_parse_ints("18446744073709551615", 20, SYSCTL_ULONG, v, 1, &n), 20);
	CHECK_EQ(sysctl_parse_ints("18446744073709551616", 20, SYSCTL_ULONG, v, 1, &n), -EINVAL);
	CHECK_EQ(sysctl_parse_ints("-1", 2, SYSCTL_ULONG, v, 1, &n), -EINVAL);
	return NULL;
}

UNIT_TEST(ints_malformed)
{
	int64_t v[2];
	unsigned n;
	CHECK_EQ(sysctl_parse_ints("", 0, SYSCTL_INT, v, 2, &n), -EINVAL);
	CHECK_EQ(sysctl_parse_ints(" \n", 2, SYSCTL_INT, v, 2, &n), -EINVAL);
	CHECK_EQ(sysctl_parse_ints("abc", 3, SYSCTL_INT, v, 2, &n), -EINVAL);
	CHECK_EQ(sysctl_parse_ints("64x", 3, SYSCTL_INT, v, 2, &n), -EINVAL);
	CHECK_EQ(sysctl_parse_ints("1,2", 3, SYSCTL_INT, v, 2, &n), -EINVAL);
	CHECK_EQ(sysctl_parse_ints("-", 1, SYSCTL_INT, v, 2, &n), -EINVAL);
	CHECK_EQ(sysctl_parse_ints("+1", 2, SYSCTL_INT, v, 2, &n), -EINVAL);
	return NULL;
}

UNIT_TEST(string_writes)
{
	char buf[8] = "abc";
	sysctl_string_write(buf, sizeof(buf), 0, "host\nrest", 9);
	CHECK_STR(buf, "host");
	sysctl_string_write(buf, sizeof(buf), 4, "name", 4);   /* appended at the end, cut to 7 */
	CHECK_STR(buf, "hostnam");
	sysctl_string_write(buf, sizeof(buf), 2, "X", 1);      /* cut at the position */
	CHECK_STR(buf, "hoX");
	sysctl_string_write(buf, sizeof(buf), 9, "Y", 1);      /* past the end: nothing */
	CHECK_STR(buf, "hoX");
	sysctl_string_write(buf, sizeof(buf), 0, "a\0b", 3);   /* stops at a NUL */
	CHECK_STR(buf, "a");
	sysctl_string_write(buf, sizeof(buf), 0, "", 0);
	CHECK_STR(buf, "");
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(ints_vector),
	UNIT_ENTRY(ints_signs_and_bounds),
	UNIT_ENTRY(ints_malformed),
	UNIT_ENTRY(string_writes),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
