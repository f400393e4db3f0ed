/* SPDX-License-Identifier: MIT */
/*
 * An ext2 directory's names in memory (ext2_dir.c's): a hash table from
 * a name's hash to the byte position of its entry, so a lookup, a
 * create or an unlink in a directory of N names reads one block instead
 * of all of them; and, per directory block, the largest record a new
 * entry could take there ("room"), so a create goes straight to the
 * first block with space. Nothing of it is on the disk (the format stays
 * ext2's linear directories). A hit is only a candidate: the caller
 * reads the entry back and compares the name. Bounded: a directory of
 * more than EXT2_INDEX_MAX names gets none (too_big: the caller scans).
 *
 * A mount keeps the indexes of its last EXT2_INDEX_KEEP directories in a
 * list, most recent first, keyed by the directory's first block (unique
 * among live directories; a freed block drops the index it keys:
 * ext2_index_forget). Pure: host tests build it as it is.
 *
 * Lock rule: the file system's (ext2_core.h): one thread at a time.
 */
#ifndef KESTREL_FS_EXT2_INDEX_H
#define KESTREL_FS_EXT2_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXT2_INDEX_MAX        32768u  /* names; 16 bytes of slots each at most: 512 KiB */
#define EXT2_INDEX_KEEP       8u      /* directories indexed per mount */
#define EXT2_INDEX_MIN_BLOCKS 2u      /* a smaller directory is scanned: one block read anyway */
#define EXT2_INDEX_NO_ROOM    UINT32_MAX

/* One slot of the open-addressed table; pos is an entry's byte
 * position (a multiple of 4), or one of these markers. */
#define EXT2_IX_EMPTY 0xffffffffu
#define EXT2_IX_DEAD  0xfffffffeu
struct ext2_index_slot {
	uint32_t hash;
	uint32_t pos;
};

struct ext2_dir_index {
	uint32_t key;                 /* the directory's first block */
	uint64_t size;                /* the directory's size when this was true */
	bool too_big;                 /* more names than EXT2_INDEX_MAX: nothing kept, scan */
	uint32_t count, dead, cap;    /* names, dead slots, slots (a power of two or 0) */
	struct ext2_index_slot *slot;
	uint16_t *room;               /* per directory block: the largest record a new entry may take */
	uint32_t nblocks, room_cap;
	struct ext2_dir_index *next;  /* in the mount's list */
};

/* A candidate walk over the slots of one hash. */
struct ext2_index_iter {
	uint32_t i, left;
};

/* The hash of a name of len bytes (FNV-1a). */
uint32_t ext2_index_hash(const char *name, size_t len);
/* An empty index for the directory whose first block is key, or NULL (no memory). */
struct ext2_dir_index *ext2_index_new(uint32_t key);
void ext2_index_free(struct ext2_dir_index *ix);
/* Enter the name of hash h whose entry is at pos: 0, -ENOMEM, or
 * -EFBIG (past EXT2_INDEX_MAX: the index turns too_big and empty). */
int ext2_index_add(struct ext2_dir_index *ix, uint32_t h, uint32_t pos);
/* Take out the name of hash h at pos: true, or false when it is not there. */
bool ext2_index_del(struct ext2_dir_index *ix, uint32_t h, uint32_t pos);
/* The candidates for hash h, one per call: start with it zeroed by
 * ext2_index_iter_start; true with *pos, false at the end. */
void ext2_index_iter_start(const struct ext2_dir_index *ix, uint32_t h, struct ext2_index_iter *it);
bool ext2_index_next(const struct ext2_dir_index *ix, uint32_t h, struct ext2_index_iter *it,
		     uint32_t *pos);
/* Block blk of the directory has room bytes for a new record (blocks
 * up to blk now exist: nblocks grows): 0 or -ENOMEM. */
int ext2_index_set_room(struct ext2_dir_index *ix, uint32_t blk, uint32_t room);
/* The first block with room for a record of need bytes, or EXT2_INDEX_NO_ROOM. */
uint32_t ext2_index_find_room(const struct ext2_dir_index *ix, uint32_t need);

/* The mount's list (*head): the index keyed key, moved to the front, or NULL. */
struct ext2_dir_index *ext2_index_lookup(struct ext2_dir_index **head, uint32_t key);
/* Put ix at the front, freeing the least recent past EXT2_INDEX_KEEP. */
void ext2_index_insert(struct ext2_dir_index **head, struct ext2_dir_index *ix);
/* Free the index keyed key, if any (its directory block was freed or it went out of step). */
void ext2_index_forget(struct ext2_dir_index **head, uint32_t key);
/* Free them all (unmount). */
void ext2_index_free_all(struct ext2_dir_index **head);

#endif
