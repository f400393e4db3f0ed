/* SPDX-License-Identifier: MIT */
/* Host unit test: the GPT parser (kernel/block/gpt.c) on disks built in memory. */
#include <stdlib.h>

#include "unit.h"
#include "block/gpt.h"

#define NENT 128
#define ESZ  128

/* A disk in memory and the number of reads it refuses (read_fail). */
struct disk {
	uint8_t *bytes;
	uint32_t lbsize;
	uint64_t nblocks;
	int read_fail;
};

static int disk_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	struct disk *d = ctx;

	if (d->read_fail)
		return -5;
	if (lba >= d->nblocks || count > d->nblocks - lba)
		abort(); /* the parser must check bounds before reading */
	memcpy(buf, d->bytes + lba * d->lbsize, (size_t)count * d->lbsize);
	return 0;
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* Entry i: type byte t (0: unused), first/last LBA, unique GUID byte g. */
static void set_entry(uint8_t *array, unsigned i, uint8_t t, uint64_t first, uint64_t last, uint8_t g)
{
	uint8_t *e = array + (size_t)i * ESZ;

	memset(e, 0, ESZ);
	memset(e, t, t ? 16 : 0);
	memset(e + 16, g, 16);
	put64(e + 32, first);
	put64(e + 40, last);
}

/* Write a header at lba whose array is at alba. */
static void write_header(struct disk *d, uint64_t lba, uint64_t alt, uint64_t alba, const uint8_t *array)
{
	uint8_t *h = d->bytes + lba * d->lbsize;
	uint64_t array_blocks = (NENT * ESZ + d->lbsize - 1) / d->lbsize;

	memset(h, 0, d->lbsize);
	memcpy(h, "EFI PART", 8);
	put32(h + 8, 0x00010000);
	put32(h + 12, 92);
	put64(h + 24, lba);
	put64(h + 32, alt);
	put64(h + 40, 2 + array_blocks);
	put64(h + 48, d->nblocks - 2 - array_blocks);
	memset(h + 56, 0x5a, 16);
	put64(h + 72, alba);
	put32(h + 80, NENT);
	put32(h + 84, ESZ);
	put32(h + 88, gpt_crc32(array, NENT * ESZ));
	put32(h + 16, gpt_crc32(h, 92));
}

/* A disk of nblocks with both headers and arrays holding array. */
static void make_disk(struct disk *d, uint32_t lbsize, uint64_t nblocks, const uint8_t *array)
{
	uint64_t array_blocks = (NENT * ESZ + lbsize - 1) / lbsize;

	d->lbsize = lbsize;
	d->nblocks = nblocks;
	d->read_fail = 0;
	d->bytes = calloc(nblocks, lbsize);
	memcpy(d->bytes + 2 * lbsize, array, NENT * ESZ);
	memcpy(d->bytes + (nblocks - 1 - array_blocks) * lbsize, array, NENT * ESZ);
	write_header(d, 1, nblocks - 1, 2, array);
	write_header(d, nblocks - 1, 1, nblocks - 1 - array_blocks, array);
}

static uint8_t array[NENT * ESZ];
static struct gpt_table table;
static uint8_t scratch[GPT_ARRAY_MAX + GPT_LBA_MAX];

static int parse(struct disk *d)
{
	return gpt_parse(disk_read, d, d->lbsize, d->nblocks, scratch, &table);
}

/* Two partitions of a 4 MiB disk of 512-byte blocks. */
static void two_parts(struct disk *d)
{
	memset(array, 0, sizeof(array));
	set_entry(array, 0, 0xaf, 2048, 4095, 0x11);
	set_entry(array, 1, 0xaf, 4096, 8000, 0x22);
	make_disk(d, 512, 8192, array);
}

UNIT_TEST(crc32_known_value)
{
	CHECK_EQ(gpt_crc32("123456789", 9), 0xcbf43926);
	CHECK_EQ(gpt_crc32("", 0), 0);
	return NULL;
}

UNIT_TEST(two_partitions)
{
	struct disk d;

	two_parts(&d);
	CHECK_EQ(parse(&d), 1);
	CHECK_EQ(table.count, 2);
	CHECK_EQ(table.used_backup, 0);
	CHECK(table.reason == NULL);
	CHECK_EQ(table.parts[0].number, 1);
	CHECK_EQ(table.parts[0].first_lba, 2048);
	CHECK_EQ(table.parts[0].last_lba, 4095);
	CHECK_EQ(table.parts[0].uniq_guid[15], 0x11);
	CHECK_EQ(table.parts[1].number, 2);
	CHECK_EQ(table.parts[1].last_lba, 8000);
	CHECK_EQ(table.parts[1].type_guid[0], 0xaf);
	free(d.bytes);
	return NULL;
}

UNIT_TEST(primary_crc_bad_uses_backup)
{
	struct disk d;

	two_parts(&d);
	d.bytes[512 + 16] ^= 1; /* the primary header's CRC32 */
	CHECK_EQ(parse(&d), 1);
	CHECK_EQ(table.used_backup, 1);
	CHECK_STR(table.reason, "header CRC32 mismatch");
	CHECK_EQ(table.count, 2);
	free(d.bytes);
	return NULL;
}

UNIT_TEST(primary_array_bad_uses_backup)
{
	struct disk d;

	two_parts(&d);
	d.bytes[2 * 512 + 40] ^= 0xff; /* a byte of entry 0 in the primary array */
	CHECK_EQ(parse(&d), 1);
	CHECK_EQ(table.used_backup, 1);
	CHECK_STR(table.reason, "entry array CRC32 mismatch");
	CHECK_EQ(table.parts[0].last_lba, 4095);
	free(d.bytes);
	return NULL;
}

UNIT_TEST(both_bad_no_table)
{
	struct disk d;

	two_parts(&d);
	d.bytes[512 + 16] ^= 1;
	d.bytes[(d.nblocks - 1) * 512 + 16] ^= 1;
	CHECK_EQ(parse(&d), 0);
	CHECK_EQ(table.count, 0);
	CHECK_STR(table.reason, "header CRC32 mismatch");
	free(d.bytes);
	return NULL;
}

UNIT_TEST(unpartitioned_disk)
{
	struct disk d = { calloc(64, 512), 512, 64, 0 };

	CHECK_EQ(parse(&d), 0);
	CHECK_STR(table.reason, "no GPT signature");
	free(d.bytes);
	return NULL;
}

UNIT_TEST(read_error_propagates)
{
	struct disk d;

	two_parts(&d);
	d.read_fail = 1;
	CHECK(parse(&d) == -5);
	free(d.bytes);
	return NULL;
}

UNIT_TEST(bad_entries_skipped)
{
	struct disk d;

	memset(array, 0, sizeof(array));
	set_entry(array, 0, 0xaf, 2048, 4095, 1);
	set_entry(array, 1, 0xaf, 4000, 5000, 2);    /* overlaps entry 0 */
	set_entry(array, 2, 0xaf, 6000, 5999, 3);    /* ends before it starts */
	set_entry(array, 3, 0xaf, 7000, 9000, 4);    /* beyond the usable range */
	set_entry(array, 4, 0xaf, 10, 20, 5);        /* inside the primary array */
	set_entry(array, 6, 0xaf, 6000, 6999, 7);    /* good, after a gap: number 7 */
	make_disk(&d, 512, 8192, array);
	CHECK_EQ(parse(&d), 1);
	CHECK_EQ(table.count, 2);
	CHECK_EQ(table.parts[1].number, 7);
	free(d.bytes);
	return NULL;
}

UNIT_TEST(header_bounds_refused)
{
	struct disk d;

	two_parts(&d);
	/* both headers claim a huge array: refused without reading it */
	for (int i = 0; i < 2; i++) {
		uint8_t *h = d.bytes + (i ? d.nblocks - 1 : 1) * 512;
		put32(h + 80, 0x10000000);
		put32(h + 16, 0);
		put32(h + 16, gpt_crc32(h, 92));
	}
	CHECK_EQ(parse(&d), 0);
	CHECK_STR(table.reason, "entry array too large");
	free(d.bytes);
	/* an array past the end of the disk */
	two_parts(&d);
	uint8_t *h = d.bytes + 512;
	put64(h + 72, d.nblocks - 2);
	put32(h + 16, 0);
	put32(h + 16, gpt_crc32(h, 92));
	CHECK_EQ(parse(&d), 1);
	CHECK_EQ(table.used_backup, 1);
	CHECK_STR(table.reason, "entry array outside the disk");
	free(d.bytes);
	return NULL;
}

UNIT_TEST(block_4096)
{
	struct disk d;

	memset(array, 0, sizeof(array));
	set_entry(array, 0, 0xaf, 256, 511, 9);
	make_disk(&d, 4096, 1024, array);
	CHECK_EQ(parse(&d), 1);
	CHECK_EQ(table.count, 1);
	CHECK_EQ(table.parts[0].first_lba, 256);
	free(d.bytes);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_ENTRY(crc32_known_value),
		UNIT_ENTRY(two_partitions),
		UNIT_ENTRY(primary_crc_bad_uses_backup),
		UNIT_ENTRY(primary_array_bad_uses_backup),
		UNIT_ENTRY(both_bad_no_table),
		UNIT_ENTRY(unpartitioned_disk),
		UNIT_ENTRY(read_error_propagates),
		UNIT_ENTRY(bad_entries_skipped),
		UNIT_ENTRY(header_bounds_refused),
		UNIT_ENTRY(block_4096),
	};
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
