/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the NVMe driver's pure parts (kernel/dev/nvme_parse.c):
 * any bytes as an IDENTIFY page (controller, namespace, namespace list)
 * give printable NUL-terminated strings, a block size of 512..4096 or a
 * refusal, and a list of increasing IDs within NN; any bytes as a
 * request's segments give PRPs that respect their limits: at most cap
 * pages after the first, at most max_bytes, a whole number of blocks,
 * every page after the first page-aligned, and the bytes of the segments
 * taken.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dev/nvme_parse.h"

#define MAX_SEGS 32
#define CAP      64

static void check_string(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == size)
		abort();
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			abort();
}

static void fuzz_identify(const uint8_t *page)
{
	struct nvme_ctrl_info c;
	struct nvme_ns_info n;
	uint32_t ids[16];

	nvme_parse_ctrl(page, &c);
	check_string(c.model, sizeof(c.model));
	check_string(c.serial, sizeof(c.serial));
	check_string(c.firmware, sizeof(c.firmware));
	if (!nvme_parse_ns(page, &n) && (n.lba_shift < 9 || n.lba_shift > 12 || !n.nsze ||
					 n.nsze > UINT64_MAX >> n.lba_shift))
		abort();
	unsigned k = nvme_parse_ns_list(page, c.nn, ids, 16);
	for (unsigned i = 0; i < k; i++)
		if (!ids[i] || ids[i] > c.nn || (i && ids[i] <= ids[i - 1]))
			abort();
}

static void fuzz_prp(const uint8_t *data, size_t size)
{
	struct nvme_seg segs[MAX_SEGS];
	uint64_t pages[CAP];
	struct nvme_prp p;
	unsigned n = 0;
	uint32_t blk = 512u << (data[0] % 4), max_bytes = 4096u << (data[1] % 9);

	for (size_t off = 2; off + 12 <= size && n < MAX_SEGS; off += 12, n++) {
		memcpy(&segs[n].phys, data + off, 8);
		memcpy(&segs[n].len, data + off + 8, 4);
		segs[n].len %= 1u << 20;
	}
	if (nvme_prp_build(segs, n, blk, max_bytes, pages, CAP, &p))
		return;
	uint64_t sum = 0;
	for (unsigned i = 0; i < p.nsegs; i++)
		sum += segs[i].len;
	if (!p.nsegs || p.nsegs > n || p.npages > CAP || p.bytes > max_bytes || p.bytes % blk ||
	    sum != p.bytes || p.prp1 != segs[0].phys)
		abort();
	for (unsigned i = 0; i < p.npages; i++)
		if (pages[i] % NVME_PAGE)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *page = calloc(1, NVME_ID_SIZE);

	if (!page)
		return 0;
	memcpy(page, data, size < NVME_ID_SIZE ? size : NVME_ID_SIZE);
	fuzz_identify(page);
	free(page);
	if (size >= 2)
		fuzz_prp(data, size);
	return 0;
}
