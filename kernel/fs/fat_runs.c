// SPDX-License-Identifier: MIT
/*
 * Kestrel: a FAT node's cache of cluster runs (fat_runs.h). A handful
 * of runs searched linearly: cheaper than any structure at this size.
 */
#include "fs/fat_runs.h"

/* Move run i to the front (the most recently used). */
static void to_front(struct fat_runs *rs, uint32_t i)
{
	struct fat_run r = rs->r[i];

	for (; i > 0; i--)
		rs->r[i] = rs->r[i - 1];
	rs->r[0] = r;
}

static void drop(struct fat_runs *rs, uint32_t i)
{
	for (rs->n--; i < rs->n; i++)
		rs->r[i] = rs->r[i + 1];
}

bool fat_runs_lookup(struct fat_runs *rs, uint32_t idx, uint32_t *kidx, uint32_t *kclus,
		     uint32_t *contig)
{
	bool found = false;

	for (uint32_t i = 0; i < rs->n; i++) {
		const struct fat_run *r = &rs->r[i];
		if (r->idx > idx)
			continue;
		if (idx - r->idx < r->len) { /* a hit */
			*kidx = idx;
			*kclus = r->clus + (idx - r->idx);
			*contig = r->len - (idx - r->idx);
			to_front(rs, i);
			return true;
		}
		uint32_t last = r->idx + r->len - 1;
		if (!found || last > *kidx) {
			*kidx = last;
			*kclus = r->clus + r->len - 1;
			found = true;
		}
	}
	return found;
}

void fat_runs_note(struct fat_runs *rs, uint32_t idx, uint32_t clus)
{
	for (uint32_t i = 0; i < rs->n;) {
		struct fat_run *r = &rs->r[i];
		if (idx >= r->idx && idx - r->idx < r->len) {
			if (r->clus + (idx - r->idx) == clus) {
				to_front(rs, i);
				return; /* known already */
			}
			drop(rs, i); /* says otherwise: stale */
			continue;
		}
		if (idx - r->idx == r->len && clus - r->clus == r->len) {
			r->len++; /* the next cluster on the disk: the run grows */
			to_front(rs, i);
			return;
		}
		i++;
	}
	if (rs->n == FAT_RUNS)
		rs->n--; /* the least recently used goes */
	rs->r[rs->n++] = (struct fat_run){ idx, clus, 1 };
	to_front(rs, rs->n - 1);
}

void fat_runs_trim(struct fat_runs *rs, uint32_t keep)
{
	for (uint32_t i = 0; i < rs->n;) {
		struct fat_run *r = &rs->r[i];
		if (r->idx >= keep) {
			drop(rs, i);
			continue;
		}
		if (keep - r->idx < r->len)
			r->len = keep - r->idx;
		i++;
	}
}

void fat_runs_clear(struct fat_runs *rs)
{
	rs->n = 0;
}
