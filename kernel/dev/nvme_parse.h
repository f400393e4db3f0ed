/* SPDX-License-Identifier: MIT */
/* NVMe: the pure parts of the driver (no kernel headers, host-tested and fuzzed): the IDENTIFY pages a controller returns, and the PRPs of a command built from a request's memory segments. */
#ifndef KESTREL_DEV_NVME_PARSE_H
#define KESTREL_DEV_NVME_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NVME_ID_SIZE      4096u   /* every IDENTIFY data structure */
#define NVME_PAGE         4096u   /* the memory page size the driver sets (CC.MPS = 0) */
#define NVME_PRP_PER_PAGE (NVME_PAGE / 8)
#define NVME_NS_LIST_MAX  1024u   /* IDs in one active namespace list */

/* What the driver keeps of IDENTIFY controller (NVMe 1.4, figure 247). */
struct nvme_ctrl_info {
	char model[41], serial[21], firmware[9];   /* trailing spaces cut, NUL-terminated */
	uint16_t vendor;
	uint8_t mdts;             /* max transfer: 2^mdts minimum pages; 0 = no limit */
	uint32_t nn;              /* namespaces the controller may have */
	bool vwc;                 /* a volatile write cache exists: FLUSH means something */
};

/* What the driver keeps of IDENTIFY namespace (figure 249). */
struct nvme_ns_info {
	uint64_t nsze;            /* size in logical blocks */
	unsigned lba_shift;       /* the formatted logical block is 1 << lba_shift bytes */
	bool read_only;           /* NSATTR write protected */
};

/* Parse an IDENTIFY controller page (NVME_ID_SIZE bytes). Never fails:
 * every field is taken as it is, strings made printable. */
void nvme_parse_ctrl(const uint8_t *id, struct nvme_ctrl_info *out);

/* Parse an IDENTIFY namespace page: NULL when the namespace is usable,
 * or why not (size 0, a format index beyond the list, a block size not
 * 512..4096, metadata, a size that overflows 64-bit bytes). */
const char *nvme_parse_ns(const uint8_t *id, struct nvme_ns_info *out);

/* The active namespace IDs of a list page (CNS 2), in order: those above
 * 0 and at most nn, strictly increasing (the list ends at the first 0 or
 * out-of-order ID). Writes at most cap; returns how many. */
unsigned nvme_parse_ns_list(const uint8_t *list, uint32_t nn, uint32_t *out, unsigned cap);

/* One physically contiguous piece of memory (mirrors block/blkdev.h's
 * struct blk_seg, which host code cannot include). */
struct nvme_seg {
	uint64_t phys;
	uint32_t len;
};

/* The data pointer of one command. */
struct nvme_prp {
	uint64_t prp1;            /* the first byte: any dword-aligned address */
	unsigned npages;          /* pages after the first, written to pages[] */
	uint32_t bytes;           /* how much this command moves */
	unsigned nsegs;           /* how many segments it takes */
};

/*
 * Build one command's PRPs from the first segments of segs[0..n): the
 * longest run of whole segments that one PRP list can describe (the
 * first may start anywhere dword-aligned; each later segment must start
 * on a page, and the one before it end on one: PRP entries after the
 * first point at whole pages), at most max_bytes and cap pages after
 * the first, cut where its length is a multiple of blk (the logical
 * block). pages[] receives the page addresses after the first: the
 * command's PRP2 is pages[0] when npages is 1, the list's address when
 * more. Returns 0, or -1 when not even segs[0] alone fits these rules
 * (the caller fails the request).
 */
int nvme_prp_build(const struct nvme_seg *segs, unsigned n, uint32_t blk, uint32_t max_bytes,
		   uint64_t *pages, unsigned cap, struct nvme_prp *out);

#endif
