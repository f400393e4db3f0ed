/* SPDX-License-Identifier: MIT */
/* The pure parts of the EFI runtime services: table checks, UCS-2 names, status codes, EFI_TIME (host-tested). */
#ifndef KESTREL_FIRMWARE_EFI_RT_PARSE_H
#define KESTREL_FIRMWARE_EFI_RT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firmware/efi_rt.h"

/* EFI_TABLE_HEADER (UEFI 2.10, 4.2), at the start of every EFI table. */
struct efi_table_header {
	uint64_t signature;
	uint32_t revision;    /* major << 16 | minor */
	uint32_t header_size; /* bytes of the whole table */
	uint32_t crc32;       /* of header_size bytes, this field taken as 0 */
	uint32_t reserved;
};

#define EFI_SYSTEM_TABLE_SIGNATURE   0x5453595320494249ull /* "IBI SYST" */
#define EFI_RUNTIME_SERVICES_SIGNATURE 0x56524553544e5552ull /* "RUNTSERV" */
#define EFI_REVISION_MAJOR(r)        ((r) >> 16)
#define EFI_REVISION_MINOR(r)        ((r) & 0xffff)

/* EFI_SYSTEM_TABLE (x64), the fields read after ExitBootServices. */
struct efi_system_table {
	struct efi_table_header hdr;
	uint64_t firmware_vendor;      /* CHAR16 *, physical */
	uint32_t firmware_revision;
	uint32_t pad;
	uint64_t con_in_handle, con_in, con_out_handle, con_out, stderr_handle, stderr_out;
	uint64_t runtime_services;     /* EFI_RUNTIME_SERVICES *, physical */
	uint64_t boot_services;        /* NULL after ExitBootServices */
	uint64_t nr_tables;
	uint64_t config_tables;
};

/* EFI_RUNTIME_SERVICES: function pointers (physical addresses: Kestrel
 * never calls SetVirtualAddressMap). */
struct efi_runtime_services {
	struct efi_table_header hdr;
	uint64_t get_time, set_time, get_wakeup_time, set_wakeup_time;
	uint64_t set_virtual_address_map, convert_pointer;
	uint64_t get_variable, get_next_variable_name, set_variable;
	uint64_t get_next_high_monotonic_count, reset_system;
	uint64_t update_capsule, query_capsule_capabilities, query_variable_info;
};

/* EFI_TIME as the firmware lays it out (UEFI 2.10, 8.3.1). */
struct efi_time_raw {
	uint16_t year;
	uint8_t month, day, hour, minute, second, pad1;
	uint32_t nanosecond;
	int16_t timezone;
	uint8_t daylight, pad2;
};

/* EFI_STATUS: errors have the top bit set (UEFI 2.10, appendix D). */
#define EFI_ERROR_BIT             (1ull << 63)
#define EFI_SUCCESS               0ull
#define EFI_INVALID_PARAMETER     (EFI_ERROR_BIT | 2)
#define EFI_UNSUPPORTED           (EFI_ERROR_BIT | 3)
#define EFI_BUFFER_TOO_SMALL      (EFI_ERROR_BIT | 5)
#define EFI_DEVICE_ERROR          (EFI_ERROR_BIT | 7)
#define EFI_WRITE_PROTECTED       (EFI_ERROR_BIT | 8)
#define EFI_OUT_OF_RESOURCES      (EFI_ERROR_BIT | 9)
#define EFI_NOT_FOUND             (EFI_ERROR_BIT | 14)
#define EFI_SECURITY_VIOLATION    (EFI_ERROR_BIT | 26)

#define EFI_TIMEZONE_UNSPECIFIED  2047
#define EFI_VAR_NAME_MAX          128 /* characters, Kestrel's limit for a name */

/* The CRC32 (IEEE 802.3, as UEFI and the GPT use) of n bytes. */
uint32_t efi_crc32(const void *buf, size_t n);

/*
 * Check a table header read from memory: its signature is want, its
 * revision's major part at least 1, header_size between min_size and
 * avail (the bytes readable there), and its CRC32 right. Returns NULL,
 * or what is wrong ("bad signature", ...).
 */
const char *efi_table_check(const void *table, size_t avail, uint64_t want, size_t min_size);

/* An ASCII name as a NUL-terminated UCS-2 string in out (cap units):
 * the units written with the NUL, or -1 for an empty name, a byte
 * outside printable ASCII, or a name that does not fit. */
int efi_name_to_ucs2(const char *name, uint16_t *out, size_t cap);

/* The reverse, for names the firmware returns: at most cap - 1 bytes
 * and a NUL into out; -1 when a unit is not printable ASCII, there is
 * no NUL within n units, or it does not fit; else the length. */
int efi_name_from_ucs2(const uint16_t *name, size_t n, char *out, size_t cap);

/* The negative errno for an EFI_STATUS (0 for EFI_SUCCESS): NOT_FOUND
 * -ENOENT, BUFFER_TOO_SMALL -E2BIG, OUT_OF_RESOURCES -ENOSPC,
 * INVALID_PARAMETER -EINVAL, WRITE_PROTECTED -EROFS, SECURITY_VIOLATION
 * -EACCES, UNSUPPORTED -EOPNOTSUPP, anything else -EIO. */
int efi_status_errno(uint64_t status);

/* Check a firmware EFI_TIME and convert it: false when a field is out
 * of its range (a year outside 1900-9999, February 30...). */
bool efi_time_from_raw(const struct efi_time_raw *raw, struct efi_rt_time *t);

/* Seconds since 1970-01-01 00:00 UTC of t (its timezone applied when
 * specified; unspecified is taken as UTC, as Kestrel takes the RTC). */
int64_t efi_time_to_unix(const struct efi_rt_time *t);

#endif
