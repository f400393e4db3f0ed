// SPDX-License-Identifier: MIT
/*
 * Kestrel: the GUID partition table parser (block/gpt.h). Pure C over a
 * read callback: the kernel reads through the block layer, the host tests
 * and the fuzzer from a buffer.
 */
#include "block/gpt.h"
#include <stddef.h>
#include "lib/string.h"

#define GPT_SIGNATURE   0x5452415020494645ull /* "EFI PART" */
#define GPT_PRIMARY_LBA 1
#define GPT_REV_MAJOR   1u                    /* revision 1.x */

/* The header as on disk (UEFI 2.10, table 5.21), little-endian. */
struct gpt_header {
	uint64_t signature;
	uint32_t revision;
	uint32_t header_size;
	uint32_t header_crc32;
	uint32_t reserved;
	uint64_t my_lba;
	uint64_t alternate_lba;
	uint64_t first_usable_lba;
	uint64_t last_usable_lba;
	uint8_t disk_guid[16];
	uint64_t entries_lba;
	uint32_t num_entries;
	uint32_t entry_size;
	uint32_t entries_crc32;
} __attribute__((packed));

/* One entry (table 5.22); entry_size may be larger, the rest reserved. */
struct gpt_entry {
	uint8_t type_guid[16];
	uint8_t uniq_guid[16];
	uint64_t first_lba;
	uint64_t last_lba;
	uint64_t attributes;
	uint16_t name[36];
} __attribute__((packed));

_Static_assert(sizeof(struct gpt_header) == GPT_HEADER_MIN, "GPT header layout");
_Static_assert(sizeof(struct gpt_entry) == GPT_ENTRY_MIN, "GPT entry layout");

uint32_t gpt_crc32(const void *buf, uint32_t len)
{
	const uint8_t *p = buf;
	uint32_t crc = 0xffffffffu;

	for (uint32_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

uint32_t gpt_scratch_size(uint32_t lbsize)
{
	return GPT_ARRAY_MAX + lbsize;
}

/* The header at hdr (one block of lbsize bytes read from lba) checked on
 * its own: NULL when good, else why not. */
static const char *check_header(uint8_t *blk, uint32_t lbsize, uint64_t lba, uint64_t nblocks)
{
	struct gpt_header h;

	memcpy(&h, blk, sizeof(h));
	if (h.signature != GPT_SIGNATURE)
		return "no GPT signature";
	if ((h.revision >> 16) != GPT_REV_MAJOR)
		return "unknown revision";
	if (h.header_size < GPT_HEADER_MIN || h.header_size > lbsize)
		return "bad header size";
	uint32_t stored = h.header_crc32;
	memset(blk + offsetof(struct gpt_header, header_crc32), 0, 4);
	uint32_t crc = gpt_crc32(blk, h.header_size);
	memcpy(blk + offsetof(struct gpt_header, header_crc32), &stored, 4);
	if (crc != stored)
		return "header CRC32 mismatch";
	if (h.my_lba != lba)
		return "header not at its own LBA";
	if (h.first_usable_lba > h.last_usable_lba || h.last_usable_lba >= nblocks)
		return "usable range outside the disk";
	if (h.entry_size < GPT_ENTRY_MIN || (h.entry_size & (h.entry_size - 1)))
		return "bad entry size";
	if (h.num_entries == 0 || (uint64_t)h.num_entries * h.entry_size > GPT_ARRAY_MAX)
		return "entry array too large";
	uint64_t array_blocks = ((uint64_t)h.num_entries * h.entry_size + lbsize - 1) / lbsize;
	if (h.entries_lba < 2 || h.entries_lba >= nblocks || array_blocks > nblocks - h.entries_lba)
		return "entry array outside the disk";
	return NULL;
}

/* Whether entry e describes a partition inside the usable range. */
static int entry_usable(const struct gpt_entry *e, const struct gpt_header *h)
{
	static const uint8_t zero[16];

	if (memcmp(e->type_guid, zero, 16) == 0)
		return 0;
	return e->first_lba >= h->first_usable_lba && e->first_lba <= e->last_lba &&
	       e->last_lba <= h->last_usable_lba;
}

/* Whether p overlaps a partition already in t. */
static int overlaps(const struct gpt_table *t, const struct gpt_part *p)
{
	for (unsigned i = 0; i < t->count; i++)
		if (p->first_lba <= t->parts[i].last_lba && t->parts[i].first_lba <= p->last_lba)
			return 1;
	return 0;
}

/* Read and check the entry array of the good header h into t:
 * NULL, or why not. */
static const char *read_entries(gpt_read_fn read, void *ctx, uint32_t lbsize, const struct gpt_header *h,
				uint8_t *array, struct gpt_table *t, int *err)
{
	uint32_t bytes = h->num_entries * h->entry_size;
	uint32_t blocks = (bytes + lbsize - 1) / lbsize;

	*err = read(ctx, h->entries_lba, blocks, array);
	if (*err)
		return "cannot read the entry array";
	if (gpt_crc32(array, bytes) != h->entries_crc32)
		return "entry array CRC32 mismatch";
	t->count = 0;
	for (uint32_t i = 0; i < h->num_entries && t->count < GPT_MAX_PARTS; i++) {
		struct gpt_entry e;
		memcpy(&e, array + (size_t)i * h->entry_size, sizeof(e));
		if (!entry_usable(&e, h))
			continue;
		struct gpt_part *p = &t->parts[t->count];
		p->number = i + 1;
		p->first_lba = e.first_lba;
		p->last_lba = e.last_lba;
		memcpy(p->type_guid, e.type_guid, 16);
		memcpy(p->uniq_guid, e.uniq_guid, 16);
		if (!overlaps(t, p))
			t->count++;
	}
	return NULL;
}

/* Try the header at lba: 1 and t filled, 0 with *why set, or -errno. */
static int try_header(gpt_read_fn read, void *ctx, uint32_t lbsize, uint64_t nblocks, uint64_t lba,
		      uint8_t *scratch, struct gpt_table *t, const char **why)
{
	uint8_t *blk = scratch + GPT_ARRAY_MAX;
	struct gpt_header h;
	int err = read(ctx, lba, 1, blk);

	if (err)
		return err;
	*why = check_header(blk, lbsize, lba, nblocks);
	if (*why)
		return 0;
	memcpy(&h, blk, sizeof(h));
	*why = read_entries(read, ctx, lbsize, &h, scratch, t, &err);
	if (err)
		return err;
	return *why ? 0 : 1;
}

int gpt_parse(gpt_read_fn read, void *ctx, uint32_t lbsize, uint64_t nblocks, void *scratch,
	      struct gpt_table *out)
{
	const char *why = NULL, *backup_why = NULL;

	out->count = 0;
	out->used_backup = 0;
	out->reason = NULL;
	if (lbsize < 512 || lbsize > GPT_LBA_MAX || (lbsize & (lbsize - 1)) || nblocks < 3) {
		out->reason = "disk too small or odd block size";
		return 0;
	}
	int r = try_header(read, ctx, lbsize, nblocks, GPT_PRIMARY_LBA, scratch, out, &why);
	if (r)
		return r;
	out->reason = why;
	r = try_header(read, ctx, lbsize, nblocks, nblocks - 1, scratch, out, &backup_why);
	if (r == 1)
		out->used_backup = 1;
	return r;
}
