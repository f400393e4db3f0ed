/* SPDX-License-Identifier: MIT */
/*
 * The GUID partition table (UEFI 2.10, 5.3): a pure parser of what a
 * disk holds, compiled into the kernel and the host tests. It reads
 * through a callback, checks the primary header (signature, size, its
 * CRC32, its own LBA, the usable range, the entry array's bounds and
 * CRC32) and falls back to the backup header at the disk's last LBA when
 * the primary is bad, saying why in reason.
 */
#ifndef KESTREL_BLOCK_GPT_H
#define KESTREL_BLOCK_GPT_H

#include <stdint.h>

#define GPT_MAX_PARTS   128     /* entries read at most (the usual array) */
#define GPT_ENTRY_MIN   128     /* the smallest entry size the spec allows */
#define GPT_HEADER_MIN  92      /* the bytes the header's CRC32 may cover at least */
#define GPT_LBA_MAX     4096    /* the largest logical block handled */
#define GPT_ARRAY_MAX   65536   /* the largest entry array handled, in bytes */

/* Read count logical blocks at lba into buf: 0 or a negative errno. */
typedef int (*gpt_read_fn)(void *ctx, uint64_t lba, uint32_t count, void *buf);

struct gpt_part {
	unsigned number;          /* 1 + the entry's index: Linux's partition number */
	uint64_t first_lba, last_lba; /* inclusive, in logical blocks */
	uint8_t type_guid[16];
	uint8_t uniq_guid[16];    /* as stored on disk */
};

struct gpt_table {
	unsigned count;           /* used entries found */
	struct gpt_part parts[GPT_MAX_PARTS];
	int used_backup;          /* 1: the primary was bad, the backup is used */
	const char *reason;       /* why the primary (or both) was refused; NULL if fine */
};

/* The table of a disk of nblocks logical blocks of lbsize bytes (512 ..
 * GPT_LBA_MAX, a power of two). scratch: a buffer of at least
 * gpt_scratch_size(lbsize) bytes. Returns 1 with *out filled when a
 * valid header was found, 0 when the disk has no valid GPT (out->reason
 * says why: no signature, a CRC mismatch...), or a negative errno from
 * read. Entries outside the usable range, overlapping or empty are
 * skipped. */
int gpt_parse(gpt_read_fn read, void *ctx, uint32_t lbsize, uint64_t nblocks, void *scratch,
	      struct gpt_table *out);
/* The scratch bytes gpt_parse needs: the entry array and one block. */
uint32_t gpt_scratch_size(uint32_t lbsize);
/* CRC-32 (IEEE 802.3, reflected, as the GPT and zlib use). */
uint32_t gpt_crc32(const void *buf, uint32_t len);

#endif
