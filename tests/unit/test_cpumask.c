/* SPDX-License-Identifier: MIT */
/* Host unit test: lib/cpumask_fmt.c, CPU masks as Linux prints them (Cpus_allowed, /sys's topology). */
#include "lib/cpumask_fmt.h"
#include "unit.h"

/* Linux's "%*pb" on a 4-CPU guest, an 8-CPU one, 40 and 64 possible CPUs. */
UNIT_TEST(hex_as_linux)
{
	char buf[64];

	CHECK_EQ(cpumask_format_hex(buf, sizeof(buf), 0xf, 4), 1);
	CHECK_STR(buf, "f");
	cpumask_format_hex(buf, sizeof(buf), 0x9, 4);
	CHECK_STR(buf, "9");
	cpumask_format_hex(buf, sizeof(buf), 0x1, 8);
	CHECK_STR(buf, "01");
	cpumask_format_hex(buf, sizeof(buf), 0x2, 5);
	CHECK_STR(buf, "02");
	cpumask_format_hex(buf, sizeof(buf), 0xffull << 28, 40);
	CHECK_STR(buf, "0f,f0000000");
	cpumask_format_hex(buf, sizeof(buf), 0x1, 32);
	CHECK_STR(buf, "00000001");
	cpumask_format_hex(buf, sizeof(buf), ~0ull, 64);
	CHECK_STR(buf, "ffffffff,ffffffff");
	cpumask_format_hex(buf, sizeof(buf), 0x100000000ull, 33);
	CHECK_STR(buf, "1,00000000");
	return NULL;
}

/* Bits at or above nbits are not shown. */
UNIT_TEST(hex_ignores_high_bits)
{
	char buf[64];

	cpumask_format_hex(buf, sizeof(buf), 0xf3, 4);
	CHECK_STR(buf, "3");
	return NULL;
}

/* Linux's "%*pbl". */
UNIT_TEST(list_as_linux)
{
	char buf[256];

	cpumask_format_list(buf, sizeof(buf), 0xf, 4);
	CHECK_STR(buf, "0-3");
	cpumask_format_list(buf, sizeof(buf), 0xd, 4);
	CHECK_STR(buf, "0,2-3");
	cpumask_format_list(buf, sizeof(buf), 0x1, 1);
	CHECK_STR(buf, "0");
	cpumask_format_list(buf, sizeof(buf), 0, 4);
	CHECK_STR(buf, "");
	cpumask_format_list(buf, sizeof(buf), 0x8000000000000001ull, 64);
	CHECK_STR(buf, "0,63");
	cpumask_format_list(buf, sizeof(buf), ~0ull, 64);
	CHECK_STR(buf, "0-63");
	CHECK_EQ(cpumask_format_list(buf, sizeof(buf), 0x5555555555555555ull, 64), 90); /* 0,2,...,62 */
	return NULL;
}

/* A short buffer keeps a NUL-terminated prefix and reports the length needed. */
UNIT_TEST(short_buffer)
{
	char buf[4];

	CHECK_EQ(cpumask_format_list(buf, sizeof(buf), 0x5, 4), 3);
	CHECK_STR(buf, "0,2");
	CHECK_EQ(cpumask_format_list(buf, sizeof(buf), 0x15, 8), 5);
	CHECK_STR(buf, "0,2");
	CHECK_EQ(cpumask_format_hex(buf, sizeof(buf), ~0ull, 64), 17);
	CHECK_STR(buf, "fff");
	CHECK_EQ(cpumask_format_hex(buf, 0, ~0ull, 64), 17);
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(hex_as_linux),
	UNIT_ENTRY(hex_ignores_high_bits),
	UNIT_ENTRY(list_as_linux),
	UNIT_ENTRY(short_buffer),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
