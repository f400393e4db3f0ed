/* SPDX-License-Identifier: MIT */
/* Host unit test: firmware/efi_rt_parse.c, the EFI runtime services' table checks, UCS-2 names, status codes and times. */
#include "firmware/efi_rt_parse.h"
#include "lib/errno.h"
#include "unit.h"

#define REV_2_70 ((2u << 16) | 70)

/* A runtime services table as OVMF leaves it: signature, revision,
 * size, and the CRC32 computed the way the firmware does. */
static void make_rt(struct efi_runtime_services *rt)
{
	memset(rt, 0, sizeof(*rt));
	rt->hdr.signature = EFI_RUNTIME_SERVICES_SIGNATURE;
	rt->hdr.revision = REV_2_70;
	rt->hdr.header_size = sizeof(*rt);
	rt->get_time = 0x7f8e1234;
	rt->get_variable = 0x7f8e5678;
	rt->hdr.crc32 = efi_crc32(rt, sizeof(*rt));
}

UNIT_TEST(crc32_known_value)
{
	CHECK_EQ(efi_crc32("123456789", 9), 0xcbf43926u); /* the CRC-32/IEEE check value */
	CHECK_EQ(efi_crc32("", 0), 0u);
	return NULL;
}

UNIT_TEST(table_accepted)
{
	struct efi_runtime_services rt;

	make_rt(&rt);
	CHECK(efi_table_check(&rt, sizeof(rt), EFI_RUNTIME_SERVICES_SIGNATURE, sizeof(rt)) == NULL);
	/* more bytes readable than the table: still fine */
	uint8_t big[512] = { 0 };
	memcpy(big, &rt, sizeof(rt));
	CHECK(efi_table_check(big, sizeof(big), EFI_RUNTIME_SERVICES_SIGNATURE, sizeof(rt)) == NULL);
	return NULL;
}

UNIT_TEST(table_refused_with_reason)
{
	struct efi_runtime_services rt;

	make_rt(&rt);
	CHECK_STR(efi_table_check(&rt, sizeof(rt), EFI_SYSTEM_TABLE_SIGNATURE, sizeof(rt)),
		  "bad signature");
	CHECK_STR(efi_table_check(&rt, 20, EFI_RUNTIME_SERVICES_SIGNATURE, sizeof(rt)),
		  "truncated header");
	CHECK_STR(efi_table_check(&rt, sizeof(rt) - 8, EFI_RUNTIME_SERVICES_SIGNATURE, 24),
		  "header size too large");
	CHECK_STR(efi_table_check(&rt, sizeof(rt), EFI_RUNTIME_SERVICES_SIGNATURE, sizeof(rt) + 8),
		  "header size too small");
	rt.get_time++; /* a pointer changed behind the CRC */
	CHECK_STR(efi_table_check(&rt, sizeof(rt), EFI_RUNTIME_SERVICES_SIGNATURE, sizeof(rt)),
		  "bad CRC32");
	make_rt(&rt);
	rt.hdr.revision = 0x00000099;
	rt.hdr.crc32 = 0;
	rt.hdr.crc32 = efi_crc32(&rt, sizeof(rt));
	CHECK_STR(efi_table_check(&rt, sizeof(rt), EFI_RUNTIME_SERVICES_SIGNATURE, sizeof(rt)),
		  "revision below 1.0");
	return NULL;
}

UNIT_TEST(names_to_ucs2)
{
	uint16_t out[EFI_VAR_NAME_MAX + 1];
	static const char name[] = "KestrelSelftest";

	CHECK_EQ(efi_name_to_ucs2(name, out, EFI_VAR_NAME_MAX + 1), sizeof(name));
	for (size_t i = 0; i < sizeof(name); i++)
		CHECK_EQ(out[i], (unsigned char)name[i]);
	CHECK_EQ(efi_name_to_ucs2("", out, 8), -1);
	CHECK_EQ(efi_name_to_ucs2("caf\xc3\xa9", out, 8), -1); /* not ASCII */
	CHECK_EQ(efi_name_to_ucs2("a\tb", out, 8), -1);        /* a control character */
	CHECK_EQ(efi_name_to_ucs2("abcdefg", out, 8), 8);      /* exactly fits with its NUL */
	CHECK_EQ(efi_name_to_ucs2("abcdefgh", out, 8), -1);    /* one too many */
	return NULL;
}

UNIT_TEST(names_from_ucs2)
{
	static const uint16_t name[] = { 'B', 'o', 'o', 't', '0', '0', '0', '1', 0 };
	static const uint16_t wide[] = { 'L', 0x00e9, 0 };
	char out[16];

	CHECK_EQ(efi_name_from_ucs2(name, 9, out, sizeof(out)), 8);
	CHECK_STR(out, "Boot0001");
	CHECK_EQ(efi_name_from_ucs2(name, 8, out, sizeof(out)), -1); /* no NUL within n */
	CHECK_EQ(efi_name_from_ucs2(name, 9, out, 8), -1);           /* does not fit */
	CHECK_EQ(efi_name_from_ucs2(wide, 3, out, sizeof(out)), -1);
	return NULL;
}

UNIT_TEST(status_to_errno)
{
	CHECK_EQ(efi_status_errno(EFI_SUCCESS), 0);
	CHECK_EQ(efi_status_errno(EFI_NOT_FOUND), -ENOENT);
	CHECK_EQ(efi_status_errno(EFI_BUFFER_TOO_SMALL), -E2BIG);
	CHECK_EQ(efi_status_errno(EFI_OUT_OF_RESOURCES), -ENOSPC);
	CHECK_EQ(efi_status_errno(EFI_INVALID_PARAMETER), -EINVAL);
	CHECK_EQ(efi_status_errno(EFI_WRITE_PROTECTED), -EROFS);
	CHECK_EQ(efi_status_errno(EFI_SECURITY_VIOLATION), -EACCES);
	CHECK_EQ(efi_status_errno(EFI_UNSUPPORTED), -EOPNOTSUPP);
	CHECK_EQ(efi_status_errno(EFI_DEVICE_ERROR), -EIO);
	CHECK_EQ(efi_status_errno(1), -EIO); /* a warning is not success either */
	return NULL;
}

static struct efi_time_raw raw_time(unsigned y, unsigned mo, unsigned d, unsigned h,
				    unsigned mi, unsigned s, int tz)
{
	return (struct efi_time_raw){ .year = (uint16_t)y, .month = (uint8_t)mo, .day = (uint8_t)d,
				      .hour = (uint8_t)h, .minute = (uint8_t)mi,
				      .second = (uint8_t)s, .timezone = (int16_t)tz };
}

UNIT_TEST(time_checked)
{
	struct efi_rt_time t;
	struct efi_time_raw r;

	r = raw_time(2024, 2, 29, 23, 59, 59, EFI_TIMEZONE_UNSPECIFIED);
	CHECK(efi_time_from_raw(&r, &t));
	CHECK_EQ(t.year, 2024u);
	CHECK_EQ(t.second, 59u);
	r = raw_time(2023, 2, 29, 0, 0, 0, 0);  /* not a leap year */
	CHECK(!efi_time_from_raw(&r, &t));
	r = raw_time(2100, 2, 29, 0, 0, 0, 0);  /* nor is 2100 */
	CHECK(!efi_time_from_raw(&r, &t));
	r = raw_time(2000, 2, 29, 0, 0, 0, 0);  /* but 2000 is */
	CHECK(efi_time_from_raw(&r, &t));
	r = raw_time(1899, 12, 31, 0, 0, 0, 0);
	CHECK(!efi_time_from_raw(&r, &t));
	r = raw_time(2024, 13, 1, 0, 0, 0, 0);
	CHECK(!efi_time_from_raw(&r, &t));
	r = raw_time(2024, 4, 31, 0, 0, 0, 0);
	CHECK(!efi_time_from_raw(&r, &t));
	r = raw_time(2024, 1, 1, 24, 0, 0, 0);
	CHECK(!efi_time_from_raw(&r, &t));
	r = raw_time(2024, 1, 1, 0, 0, 0, 1441);
	CHECK(!efi_time_from_raw(&r, &t));
	r = raw_time(2024, 1, 1, 0, 0, 0, 0);
	r.nanosecond = 1000000000u;
	CHECK(!efi_time_from_raw(&r, &t));
	return NULL;
}

UNIT_TEST(time_to_unix)
{
	struct efi_rt_time t = { .year = 1970, .month = 1, .day = 1,
				 .timezone = EFI_TIMEZONE_UNSPECIFIED };

	CHECK_EQ(efi_time_to_unix(&t), 0);
	t = (struct efi_rt_time){ .year = 2000, .month = 1, .day = 1,
				  .timezone = EFI_TIMEZONE_UNSPECIFIED };
	CHECK_EQ(efi_time_to_unix(&t), 946684800);
	t = (struct efi_rt_time){ .year = 2026, .month = 11, .day = 23, .hour = 4, .minute = 17,
				  .second = 56, .timezone = 0 };
	CHECK_EQ(efi_time_to_unix(&t), 1795407476);
	t.timezone = 60; /* local time an hour ahead of UTC */
	CHECK_EQ(efi_time_to_unix(&t), 1795407476 - 3600);
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(crc32_known_value),
	UNIT_ENTRY(table_accepted),
	UNIT_ENTRY(table_refused_with_reason),
	UNIT_ENTRY(names_to_ucs2),
	UNIT_ENTRY(names_from_ucs2),
	UNIT_ENTRY(status_to_errno),
	UNIT_ENTRY(time_checked),
	UNIT_ENTRY(time_to_unix),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
