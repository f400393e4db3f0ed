// SPDX-License-Identifier: MIT
/*
 * Kestrel: the pure parts of the NVMe driver. Everything here reads what
 * a controller wrote (IDENTIFY pages) or what the block layer asks for
 * (a request's segments) and trusts neither: every offset is a constant
 * inside the 4 KiB page, every index is checked against its list.
 * Compiled into the kernel and into tests/unit and tests/fuzz.
 */
#include "dev/nvme_parse.h"

/* IDENTIFY controller offsets (NVMe 1.4, figure 247). */
#define IDC_VID     0
#define IDC_SN      4
#define IDC_SN_LEN  20
#define IDC_MN      24
#define IDC_MN_LEN  40
#define IDC_FR      64
#define IDC_FR_LEN  8
#define IDC_MDTS    77
#define IDC_NN      516
#define IDC_VWC     525
#define IDC_VWC_PRESENT 0x01u

/* IDENTIFY namespace offsets (figure 249). */
#define IDN_NSZE    0
#define IDN_NLBAF   25
#define IDN_FLBAS   26
#define IDN_NSATTR  99
#define IDN_LBAF    128
#define IDN_LBAF_SIZE 4
#define FLBAS_LOW(f)   ((f) & 0xfu)
#define FLBAS_HIGH(f)  (((f) >> 5) & 0x3u)   /* NVMe 2.0: index bits 5:4 */
#define FLBAS_EXTENDED 0x10u                 /* metadata inside the block */
#define NSATTR_WP      0x01u
#define LBAF_LOW_FORMATS 16u
#define LBADS_MIN   9                        /* 512 bytes */
#define LBADS_MAX   12                       /* 4096: a block fits a page */

#define PRINTABLE_MIN 0x20
#define PRINTABLE_MAX 0x7e

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* An ASCII field padded with spaces, as a C string: other bytes become
 * '?', trailing spaces and NULs go. dst holds len + 1. */
static void id_string(char *dst, const uint8_t *src, unsigned len)
{
	unsigned end = 0;

	for (unsigned i = 0; i < len; i++) {
		uint8_t c = src[i];
		dst[i] = c >= PRINTABLE_MIN && c <= PRINTABLE_MAX ? (char)c : '?';
		if (c != ' ' && c != 0)
			end = i + 1;
	}
	dst[end] = 0;
}

void nvme_parse_ctrl(const uint8_t *id, struct nvme_ctrl_info *out)
{
	out->vendor = le16(id + IDC_VID);
	id_string(out->serial, id + IDC_SN, IDC_SN_LEN);
	id_string(out->model, id + IDC_MN, IDC_MN_LEN);
	id_string(out->firmware, id + IDC_FR, IDC_FR_LEN);
	out->mdts = id[IDC_MDTS];
	out->nn = le32(id + IDC_NN);
	out->vwc = id[IDC_VWC] & IDC_VWC_PRESENT;
}

const char *nvme_parse_ns(const uint8_t *id, struct nvme_ns_info *out)
{
	uint8_t flbas = id[IDN_FLBAS];
	unsigned nlbaf = id[IDN_NLBAF];          /* 0-based count */
	unsigned index = FLBAS_LOW(flbas);

	if (nlbaf >= LBAF_LOW_FORMATS)
		index |= FLBAS_HIGH(flbas) << 4;
	if (index > nlbaf)
		return "its block format index is beyond its format list";
	const uint8_t *lbaf = id + IDN_LBAF + index * IDN_LBAF_SIZE;
	unsigned ms = le16(lbaf), lbads = lbaf[2];
	if (ms || (flbas & FLBAS_EXTENDED))
		return "its blocks carry metadata";
	if (lbads < LBADS_MIN || lbads > LBADS_MAX)
		return "its block size is not 512 to 4096 bytes";
	out->nsze = le64(id + IDN_NSZE);
	out->lba_shift = lbads;
	out->read_only = id[IDN_NSATTR] & NSATTR_WP;
	if (!out->nsze)
		return "it has no blocks";
	if (out->nsze > UINT64_MAX >> lbads)
		return "its size overflows";
	return NULL;
}

unsigned nvme_parse_ns_list(const uint8_t *list, uint32_t nn, uint32_t *out, unsigned cap)
{
	unsigned n = 0;
	uint32_t last = 0;

	for (unsigned i = 0; i < NVME_NS_LIST_MAX && n < cap; i++) {
		uint32_t id = le32(list + 4 * i);
		if (id <= last || id > nn)
			break;
		out[n++] = id;
		last = id;
	}
	return n;
}

/* Pages seg s touches. */
static uint64_t seg_pages(const struct nvme_seg *s)
{
	return (s->phys % NVME_PAGE + s->len + NVME_PAGE - 1) / NVME_PAGE;
}

/* Whether segment i may follow segment i - 1 in one PRP list. */
static bool seg_joins(const struct nvme_seg *segs, unsigned i)
{
	const struct nvme_seg *prev = &segs[i - 1];

	return segs[i].phys % NVME_PAGE == 0 && (prev->phys + prev->len) % NVME_PAGE == 0;
}

int nvme_prp_build(const struct nvme_seg *segs, unsigned n, uint32_t blk, uint32_t max_bytes,
		   uint64_t *pages, unsigned cap, struct nvme_prp *out)
{
	uint64_t bytes = 0;
	unsigned npages = 0;

	out->nsegs = 0;
	if (!n || !blk || segs[0].phys % sizeof(uint32_t))
		return -1;
	for (unsigned i = 0; i < n; i++) {
		const struct nvme_seg *s = &segs[i];
		uint64_t sp = seg_pages(s);
		uint64_t skip = i == 0;              /* the first page is PRP1's */
		if (!s->len || (i && !seg_joins(segs, i)) || npages + sp - skip > cap ||
		    bytes + s->len > max_bytes)
			break;
		uint64_t base = s->phys - s->phys % NVME_PAGE;
		for (uint64_t p = skip; p < sp; p++)
			pages[npages++] = base + p * NVME_PAGE;
		bytes += s->len;
		if (bytes % blk == 0) {
			out->prp1 = segs[0].phys;
			out->npages = npages;
			out->bytes = (uint32_t)bytes;
			out->nsegs = i + 1;
		}
	}
	return out->nsegs ? 0 : -1;
}
