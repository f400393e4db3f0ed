/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the GPT parser (kernel/block/gpt.c): the input
 * is a disk (its first byte picks 512- or 4096-byte blocks, and whether
 * the harness fixes both headers' CRC32s so the fuzzer gets past them,
 * and whether block 1 is copied to the last block as the backup header;
 * the rest fill the disk from block 1 on, which has at least MIN_BLOCKS
 * blocks and one more than the input needs).
 * The parser must read only blocks inside the disk (the reader aborts
 * otherwise), never write past its scratch buffer (ASan), and every
 * partition it returns must lie inside the disk, end after it starts,
 * overlap no other and carry a number within the entry count.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "block/gpt.h"

struct disk {
	const uint8_t *bytes;
	uint32_t lbsize;
	uint64_t nblocks;
};

static int disk_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	struct disk *d = ctx;

	if (lba >= d->nblocks || count > d->nblocks - lba)
		abort();
	memcpy(buf, d->bytes + lba * d->lbsize, (size_t)count * d->lbsize);
	return 0;
}

#define MIN_BLOCKS 8

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* Make the header at lba (and its array, where it lies inside the disk)
 * carry correct CRC32s. */
static void fix_crcs(uint8_t *disk, uint32_t lbsize, uint64_t nblocks, uint64_t lba)
{
	uint8_t *h = disk + lba * lbsize;
	uint64_t alba;
	uint32_t n = get32(h + 80), esz = get32(h + 84), hsz = get32(h + 12);

	memcpy(&alba, h + 72, 8);
	uint64_t bytes = (uint64_t)n * esz;
	if (bytes && bytes <= GPT_ARRAY_MAX && alba < nblocks && (bytes + lbsize - 1) / lbsize <= nblocks - alba) {
		uint32_t crc = gpt_crc32(disk + alba * lbsize, (uint32_t)bytes);
		memcpy(h + 88, &crc, 4);
	}
	if (hsz >= 92 && hsz <= lbsize) {
		memset(h + 16, 0, 4);
		uint32_t crc = gpt_crc32(h, hsz);
		memcpy(h + 16, &crc, 4);
	}
}

static uint8_t scratch[GPT_ARRAY_MAX + GPT_LBA_MAX];
static struct gpt_table table;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct disk d = { NULL, (data[0] & 1) ? 4096 : 512, 0 };
	d.nblocks = 2 + (size - 1 + d.lbsize - 1) / d.lbsize;
	if (d.nblocks < MIN_BLOCKS)
		d.nblocks = MIN_BLOCKS;
	uint8_t *copy = calloc(d.nblocks, d.lbsize);
	if (!copy)
		return 0;
	memcpy(copy + d.lbsize, data + 1, size - 1);
	if (data[0] & 4)
		memcpy(copy + (d.nblocks - 1) * d.lbsize, copy + d.lbsize, d.lbsize);
	d.bytes = copy;
	if ((data[0] & 2) && d.nblocks >= 3) {
		fix_crcs(copy, d.lbsize, d.nblocks, 1);
		fix_crcs(copy, d.lbsize, d.nblocks, d.nblocks - 1);
	}
	int r = gpt_parse(disk_read, &d, d.lbsize, d.nblocks, scratch, &table);
	if (r == 1) {
		if (table.count > GPT_MAX_PARTS)
			abort();
		for (unsigned i = 0; i < table.count; i++) {
			const struct gpt_part *p = &table.parts[i];
			if (p->first_lba > p->last_lba || p->last_lba >= d.nblocks || p->first_lba < 2 ||
			    p->number == 0)
				abort();
			for (unsigned j = 0; j < i; j++)
				if (p->first_lba <= table.parts[j].last_lba &&
				    table.parts[j].first_lba <= p->last_lba)
					abort();
		}
	} else if (r != 0 || !table.reason) {
		abort();
	}
	free(copy);
	return 0;
}
