// SPDX-License-Identifier: MIT
/*
 * Kestrel: the pure parts of the EFI runtime services (efi_rt_parse.h):
 * checking the tables the firmware left, converting variable names and
 * times, mapping status codes. No kernel state; compiled into the host
 * unit test as is.
 */
#include "firmware/efi_rt_parse.h"
#include "lib/civil.h"
#include "lib/errno.h"

#define CRC32_POLY      0xedb88320u /* IEEE 802.3, reflected */
#define CRC_OFFSET      __builtin_offsetof(struct efi_table_header, crc32)
#define MAX_TABLE_SIZE  4096u       /* no real table header claims more */
#define ASCII_FIRST     0x20
#define ASCII_LAST      0x7e
#define SEC_PER_DAY     86400
#define SEC_PER_MIN     60
#define EFI_TZ_LIMIT    1440        /* |TimeZone| <= 24 hours (UEFI 2.10, 8.3.1) */
#define EFI_YEAR_MIN    1900
#define EFI_YEAR_MAX    9999
#define NSEC_MAX        999999999u

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (CRC32_POLY & (0u - (crc & 1)));
	}
	return crc;
}

uint32_t efi_crc32(const void *buf, size_t n)
{
	return ~crc32_update(~0u, buf, n);
}

/* The CRC32 of a table with its crc32 field read as zero. */
static uint32_t table_crc(const uint8_t *t, size_t size)
{
	static const uint8_t zero[sizeof(uint32_t)];
	uint32_t crc = crc32_update(~0u, t, CRC_OFFSET);

	crc = crc32_update(crc, zero, sizeof(zero));
	crc = crc32_update(crc, t + CRC_OFFSET + sizeof(zero), size - CRC_OFFSET - sizeof(zero));
	return ~crc;
}

const char *efi_table_check(const void *table, size_t avail, uint64_t want, size_t min_size)
{
	struct efi_table_header h;

	if (avail < sizeof(h))
		return "truncated header";
	__builtin_memcpy(&h, table, sizeof(h));
	if (h.signature != want)
		return "bad signature";
	if (EFI_REVISION_MAJOR(h.revision) < 1)
		return "revision below 1.0";
	if (h.header_size < min_size || h.header_size < sizeof(h))
		return "header size too small";
	if (h.header_size > avail || h.header_size > MAX_TABLE_SIZE)
		return "header size too large";
	if (table_crc(table, h.header_size) != h.crc32)
		return "bad CRC32";
	return NULL;
}

int efi_name_to_ucs2(const char *name, uint16_t *out, size_t cap)
{
	size_t i = 0;

	if (!name[0])
		return -1;
	for (; name[i]; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < ASCII_FIRST || c > ASCII_LAST || i + 1 >= cap)
			return -1;
		out[i] = c;
	}
	out[i] = 0;
	return (int)i + 1;
}

int efi_name_from_ucs2(const uint16_t *name, size_t n, char *out, size_t cap)
{
	for (size_t i = 0; i < n; i++) {
		if (name[i] == 0) {
			out[i] = '\0';
			return (int)i;
		}
		if (name[i] < ASCII_FIRST || name[i] > ASCII_LAST || i + 1 >= cap)
			return -1;
		out[i] = (char)name[i];
	}
	return -1;
}

int efi_status_errno(uint64_t status)
{
	switch (status) {
	case EFI_SUCCESS:
		return 0;
	case EFI_NOT_FOUND:
		return -ENOENT;
	case EFI_BUFFER_TOO_SMALL:
		return -E2BIG;
	case EFI_OUT_OF_RESOURCES:
		return -ENOSPC;
	case EFI_INVALID_PARAMETER:
		return -EINVAL;
	case EFI_WRITE_PROTECTED:
		return -EROFS;
	case EFI_SECURITY_VIOLATION:
		return -EACCES;
	case EFI_UNSUPPORTED:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

static bool leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

bool efi_time_from_raw(const struct efi_time_raw *raw, struct efi_rt_time *t)
{
	if (raw->year < EFI_YEAR_MIN || raw->year > EFI_YEAR_MAX || raw->month < 1 ||
	    raw->month > 12 || raw->day < 1 || raw->day > days_in_month(raw->year, raw->month) ||
	    raw->hour > 23 || raw->minute > 59 || raw->second > 59 || raw->nanosecond > NSEC_MAX)
		return false;
	if (raw->timezone != EFI_TIMEZONE_UNSPECIFIED &&
	    (raw->timezone < -EFI_TZ_LIMIT || raw->timezone > EFI_TZ_LIMIT))
		return false;
	*t = (struct efi_rt_time){
		.year = raw->year, .month = raw->month, .day = raw->day,
		.hour = raw->hour, .minute = raw->minute, .second = raw->second,
		.nanosecond = raw->nanosecond, .timezone = raw->timezone,
	};
	return true;
}

/* UEFI 2.10 (8.3.1): Localtime = UTC + TimeZone, so UTC = the time shown
 * minus TimeZone minutes. */
int64_t efi_time_to_unix(const struct efi_rt_time *t)
{
	int64_t s = days_from_civil(t->year, t->month, t->day) * SEC_PER_DAY +
		    t->hour * 3600 + t->minute * SEC_PER_MIN + t->second;

	if (t->timezone != EFI_TIMEZONE_UNSPECIFIED)
		s -= (int64_t)t->timezone * SEC_PER_MIN;
	return s;
}
