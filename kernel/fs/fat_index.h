/* SPDX-License-Identifier: MIT */
/*
 * A FAT directory's names in memory (the engine's, fat_vol.c): a hash
 * table from a name to the offset of its entry, so a lookup or a create
 * in a directory of N names reads one entry instead of N. Two keys per
 * entry: the long name (or the short one shown when there is none) and
 * the short name as text, both ASCII case-folded with trailing dots
 * dropped, as vfat compares names (fat_name_check, fat_name_eq); the
 * short name's 11 bytes too, so "is this short name taken" needs no
 * disk read. A hit is only a candidate: the caller reads the entry back
 * and compares. Bounded: a directory of more than FAT_INDEX_MAX names
 * has none (the caller scans).
 *
 * Lock rule: as the volume's (fat_vol.h): one thread at a time.
 */
#ifndef KESTREL_FS_FAT_INDEX_H
#define KESTREL_FS_FAT_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fs/fat_disk.h"

#define FAT_INDEX_MAX  16384u       /* names; 32 bytes each, 512 KiB at most per directory */
#define FAT_INDEX_NONE 0xffffffffu
#define FAT_KEY_LONG   0            /* the name fat_dir_next gives */
#define FAT_KEY_SHORT  1            /* the short name, as text */

struct fat_index_ent {
	uint32_t first_off;           /* the entry's first slot in the directory; NONE: free */
	uint32_t hash[2];             /* by FAT_KEY_* */
	uint32_t next[2];             /* the chains of the two keys; next[0] links free slots too */
	uint8_t name11[FAT_SHORT_LEN];
};

struct fat_dir_index {
	bool too_big;                 /* more names than FAT_INDEX_MAX: none kept, scan */
	uint32_t count, cap;          /* cap: a power of two, also the buckets per key */
	uint32_t free;                /* the first free slot, or NONE */
	uint32_t *head[2];            /* cap buckets per key */
	struct fat_index_ent *ent;    /* cap slots */
	/* The directory's clusters as far as they were walked (a directory
	 * only grows while it exists): chain[i] is its i-th. Kept when too_big. */
	uint32_t *chain;
	uint32_t nchain, chain_cap;
};

/* The key of a name of len bytes (case-folded, trailing dots dropped). */
uint32_t fat_index_hash(const char *name, size_t len);
/* An empty index with room for chain_cap clusters of the chain (none
 * if that memory is short): NULL when out of memory. */
struct fat_dir_index *fat_index_new(uint32_t chain_cap);
void fat_index_free(struct fat_dir_index *ix);
/* Enter a name (its keys and short name) whose entry begins at
 * first_off: 0, -ENOMEM, -EFBIG (past FAT_INDEX_MAX: the index turns
 * too_big and empty). */
int fat_index_add(struct fat_dir_index *ix, uint32_t first_off, uint32_t hlong, uint32_t hshort,
		  const uint8_t *name11);
/* Take out the entry at first_off whose long key is hlong: true, or
 * false when it is not there (the index is then out of step). */
bool fat_index_remove(struct fat_dir_index *ix, uint32_t first_off, uint32_t hlong);
/* Walk the candidates for key h of kind k: the first slot, then the
 * next after slot i; FAT_INDEX_NONE at the end. */
uint32_t fat_index_first(const struct fat_dir_index *ix, int k, uint32_t h);
uint32_t fat_index_next(const struct fat_dir_index *ix, int k, uint32_t i, uint32_t h);

#endif
