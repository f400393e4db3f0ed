/* SPDX-License-Identifier: MIT */
/*
 * A FAT node's cache of cluster runs: where its clusters lie, as a few
 * runs of clusters contiguous on the disk (file cluster idx..idx+len-1
 * at disk cluster clus..clus+len-1), so that finding the cluster of a
 * file offset costs O(FAT_RUNS) steps instead of a walk of the FAT
 * chain from the file's start. A file written on a fresh volume is
 * one run or a few. Bounded memory: FAT_RUNS runs, most recent first;
 * the oldest goes when a new one comes.
 *
 * The cache holds only facts of the chain as it is: its owner (fat_vol.c)
 * notes every cluster it finds or links (fat_runs_note), trims it when
 * the chain is cut (truncate: fat_runs_trim) and clears it when the
 * chain is freed. Pure: the host unit tests compile it.
 *
 * Lock rule: a node's cache is its node's (fat_vol.h: one thread at a time).
 */
#ifndef KESTREL_FS_FAT_RUNS_H
#define KESTREL_FS_FAT_RUNS_H

#include <stdbool.h>
#include <stdint.h>

#define FAT_RUNS 8u   /* as Linux's fat_cache: 8 runs per inode */

struct fat_run {
	uint32_t idx;   /* first file cluster of the run */
	uint32_t clus;  /* its disk cluster */
	uint32_t len;   /* clusters (>= 1) */
};

struct fat_runs {
	struct fat_run r[FAT_RUNS]; /* r[0] the most recently used */
	uint32_t n;
};

/* The best known position at or before file cluster idx: true with
 * *kidx <= idx and *kclus its disk cluster (*kidx == idx: a hit, and
 * *contig clusters from idx on are known contiguous, >= 1), false when
 * the cache knows nothing at or before idx. A hit moves its run to the
 * front. */
bool fat_runs_lookup(struct fat_runs *rs, uint32_t idx, uint32_t *kidx, uint32_t *kclus,
		     uint32_t *contig);
/* File cluster idx is at disk cluster clus: extend the run it follows,
 * or start a new one at the front (a run that says otherwise goes). */
void fat_runs_note(struct fat_runs *rs, uint32_t idx, uint32_t clus);
/* The chain now holds only file clusters 0..keep-1. */
void fat_runs_trim(struct fat_runs *rs, uint32_t keep);
/* Forget everything (the chain was freed or replaced). */
void fat_runs_clear(struct fat_runs *rs);

#endif
