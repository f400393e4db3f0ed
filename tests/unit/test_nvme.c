/* SPDX-License-Identifier: MIT */
/* Host unit test: the NVMe driver's pure parts (kernel/dev/nvme_parse.c): IDENTIFY pages and PRP building. */
#include "unit.h"
#include "dev/nvme_parse.h"

#define PG 4096ull

static uint8_t id[NVME_ID_SIZE];

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* A namespace page: nsze blocks, format index fmt of nlbaf+1 formats,
 * format fmt of 2^lbads bytes with ms metadata bytes. */
static void make_ns(uint64_t nsze, unsigned nlbaf, uint8_t flbas, unsigned fmt, unsigned lbads, unsigned ms)
{
	memset(id, 0, sizeof(id));
	put64(id, nsze);
	id[25] = (uint8_t)nlbaf;
	id[26] = flbas;
	uint8_t *f = id + 128 + 4 * fmt;
	f[0] = (uint8_t)ms;
	f[1] = (uint8_t)(ms >> 8);
	f[2] = (uint8_t)lbads;
}

UNIT_TEST(ctrl_strings_and_fields)
{
	struct nvme_ctrl_info c;

	memset(id, 0, sizeof(id));
	id[0] = 0x36;
	id[1] = 0x1b;
	memcpy(id + 4, "kestrel0            ", 20);
	memcpy(id + 24, "QEMU NVMe Ctrl\x01                         ", 40);
	memcpy(id + 64, "7.2.22  ", 8);
	id[77] = 7;
	put32(id + 516, 256);
	id[525] = 1;
	nvme_parse_ctrl(id, &c);
	CHECK_EQ(c.vendor, 0x1b36);
	CHECK_STR(c.serial, "kestrel0");
	CHECK_STR(c.model, "QEMU NVMe Ctrl?");
	CHECK_STR(c.firmware, "7.2.22");
	CHECK_EQ(c.mdts, 7);
	CHECK_EQ(c.nn, 256);
	CHECK(c.vwc);
	memset(id + 4, 0, 20);   /* a NUL-filled serial is empty */
	id[525] = 0xfe;
	nvme_parse_ctrl(id, &c);
	CHECK_STR(c.serial, "");
	CHECK(!c.vwc);
	return NULL;
}

UNIT_TEST(ns_formats)
{
	struct nvme_ns_info n;

	make_ns(131072, 0, 0, 0, 9, 0);
	CHECK(nvme_parse_ns(id, &n) == NULL);
	CHECK_EQ(n.nsze, 131072);
	CHECK_EQ(n.lba_shift, 9);
	CHECK(!n.read_only);
	make_ns(1000, 3, 2, 2, 12, 0);   /* the third of four formats: 4 KiB */
	id[99] = 1;
	CHECK(nvme_parse_ns(id, &n) == NULL);
	CHECK_EQ(n.lba_shift, 12);
	CHECK(n.read_only);
	make_ns(1000, 19, 0x21, 17, 12, 0);   /* NVMe 2.0: index 17 = 1 | 1 << 4 */
	CHECK(nvme_parse_ns(id, &n) == NULL);
	CHECK_EQ(n.lba_shift, 12);
	return NULL;
}

UNIT_TEST(ns_refused)
{
	struct nvme_ns_info n;

	make_ns(0, 0, 0, 0, 9, 0);
	CHECK(nvme_parse_ns(id, &n) != NULL);              /* no blocks */
	make_ns(100, 1, 2, 2, 9, 0);
	CHECK(nvme_parse_ns(id, &n) != NULL);              /* index beyond the list */
	make_ns(100, 0, 0, 0, 8, 0);
	CHECK(nvme_parse_ns(id, &n) != NULL);              /* 256-byte blocks */
	make_ns(100, 0, 0, 0, 13, 0);
	CHECK(nvme_parse_ns(id, &n) != NULL);              /* 8 KiB blocks */
	make_ns(100, 0, 0, 0, 9, 8);
	CHECK(nvme_parse_ns(id, &n) != NULL);              /* metadata */
	make_ns(100, 0, 0x10, 0, 9, 0);
	CHECK(nvme_parse_ns(id, &n) != NULL);              /* extended LBA */
	make_ns(UINT64_MAX >> 8, 0, 0, 0, 9, 0);
	CHECK(nvme_parse_ns(id, &n) != NULL);              /* bytes overflow */
	make_ns(1000, 15, 0x2f, 15, 12, 0);                /* 16 formats: bits 6:5 ignored */
	CHECK(nvme_parse_ns(id, &n) == NULL);
	return NULL;
}

UNIT_TEST(ns_list)
{
	uint32_t out[8];

	memset(id, 0, sizeof(id));
	put32(id, 1);
	put32(id + 4, 2);
	put32(id + 8, 5);
	put32(id + 12, 3);        /* out of order: the list ends */
	CHECK_EQ(nvme_parse_ns_list(id, 16, out, 8), 3);
	CHECK_EQ(out[2], 5);
	CHECK_EQ(nvme_parse_ns_list(id, 4, out, 8), 2);    /* 5 > NN */
	CHECK_EQ(nvme_parse_ns_list(id, 16, out, 1), 1);   /* cap */
	memset(id, 0xff, sizeof(id));
	CHECK_EQ(nvme_parse_ns_list(id, UINT32_MAX, out, 8), 1);  /* 0xffffffff once, then not increasing */
	return NULL;
}

UNIT_TEST(prp_one_page_and_two)
{
	uint64_t pages[8];
	struct nvme_prp p;
	struct nvme_seg s[1] = { { 0x10000, 4096 } };

	CHECK(nvme_prp_build(s, 1, 512, 1 << 20, pages, 8, &p) == 0);
	CHECK_EQ(p.prp1, 0x10000);
	CHECK_EQ(p.npages, 0);
	CHECK_EQ(p.bytes, 4096);
	s[0] = (struct nvme_seg){ 0x10000 + 3584, 1024 };  /* two sectors straddling a page end */
	CHECK(nvme_prp_build(s, 1, 512, 1 << 20, pages, 8, &p) == 0);
	CHECK_EQ(p.prp1, 0x10000 + 3584);
	CHECK_EQ(p.npages, 1);
	CHECK_EQ(pages[0], 0x11000);
	return NULL;
}

UNIT_TEST(prp_page_run)
{
	uint64_t pages[8];
	struct nvme_prp p;
	/* a block cache run: the tail of one page, two whole pages, the head of one */
	struct nvme_seg s[4] = { { 0x5000 + 3072, 1024 }, { 0x9000, 4096 }, { 0x2000, 4096 }, { 0x7000, 512 } };

	CHECK(nvme_prp_build(s, 4, 512, 1 << 20, pages, 8, &p) == 0);
	CHECK_EQ(p.nsegs, 4);
	CHECK_EQ(p.bytes, 1024 + 8192 + 512);
	CHECK_EQ(p.prp1, 0x5000 + 3072);
	CHECK_EQ(p.npages, 3);
	CHECK_EQ(pages[0], 0x9000);
	CHECK_EQ(pages[1], 0x2000);
	CHECK_EQ(pages[2], 0x7000);
	/* a contiguous 16 KiB segment: four pages, PRP1 and three entries */
	struct nvme_seg big[1] = { { 0x40000, 16384 } };
	CHECK(nvme_prp_build(big, 1, 4096, 1 << 20, pages, 8, &p) == 0);
	CHECK_EQ(p.npages, 3);
	CHECK_EQ(pages[2], 0x43000);
	return NULL;
}

UNIT_TEST(prp_split_where_needed)
{
	uint64_t pages[8];
	struct nvme_prp p;
	/* the second segment starts inside a page: two commands */
	struct nvme_seg s[2] = { { 0x1000, 4096 }, { 0x3200, 512 } };

	CHECK(nvme_prp_build(s, 2, 512, 1 << 20, pages, 8, &p) == 0);
	CHECK_EQ(p.nsegs, 1);
	CHECK_EQ(p.bytes, 4096);
	CHECK(nvme_prp_build(s + 1, 1, 512, 1 << 20, pages, 8, &p) == 0);
	CHECK_EQ(p.prp1, 0x3200);
	/* the first ends inside a page: the cut is after it */
	struct nvme_seg t[2] = { { 0x1000, 512 }, { 0x3000, 512 } };
	CHECK(nvme_prp_build(t, 2, 512, 1 << 20, pages, 8, &p) == 0);
	CHECK_EQ(p.nsegs, 1);
	/* the list's capacity and max_bytes cut too */
	struct nvme_seg u[3] = { { 0x1000, 4096 }, { 0x8000, 8192 }, { 0x20000, 4096 } };
	CHECK(nvme_prp_build(u, 3, 512, 1 << 20, pages, 2, &p) == 0);
	CHECK_EQ(p.nsegs, 2);
	CHECK_EQ(p.npages, 2);
	CHECK(nvme_prp_build(u, 3, 512, 8192, pages, 8, &p) == 0);
	CHECK_EQ(p.nsegs, 1);
	return NULL;
}

UNIT_TEST(prp_block_multiple)
{
	uint64_t pages[8];
	struct nvme_prp p;
	/* 4 KiB blocks: a cut after 1 KiB is no cut; the run must reach 4 KiB */
	struct nvme_seg s[2] = { { 0x1000 + 3072, 1024 }, { 0x5000, 3072 } };

	CHECK(nvme_prp_build(s, 2, 4096, 1 << 20, pages, 8, &p) == 0);
	CHECK_EQ(p.nsegs, 2);
	CHECK_EQ(p.bytes, 4096);
	/* the same pieces not joinable: no command can be made */
	struct nvme_seg t[2] = { { 0x1000 + 2048, 1024 }, { 0x5000, 3072 } };
	CHECK(nvme_prp_build(t, 2, 4096, 1 << 20, pages, 8, &p) == -1);
	/* odd addresses, empty input, zero block size */
	struct nvme_seg odd[1] = { { 0x1002, 512 } };
	CHECK(nvme_prp_build(odd, 1, 512, 1 << 20, pages, 8, &p) == -1);
	CHECK(nvme_prp_build(s, 0, 512, 1 << 20, pages, 8, &p) == -1);
	CHECK(nvme_prp_build(s, 2, 0, 1 << 20, pages, 8, &p) == -1);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_ENTRY(ctrl_strings_and_fields),
		UNIT_ENTRY(ns_formats),
		UNIT_ENTRY(ns_refused),
		UNIT_ENTRY(ns_list),
		UNIT_ENTRY(prp_one_page_and_two),
		UNIT_ENTRY(prp_page_run),
		UNIT_ENTRY(prp_split_where_needed),
		UNIT_ENTRY(prp_block_multiple),
	};
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
