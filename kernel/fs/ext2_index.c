// SPDX-License-Identifier: MIT
/*
 * Kestrel: an ext2 directory's names in memory (see ext2_index.h): an
 * open-addressed table of (hash, position) with linear probing, kept at
 * most half full (dead slots counted), and a per-block room array.
 */
#include "fs/ext2_index.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"

#define FIRST_SLOTS 64u   /* a new table's slots */
#define FIRST_ROOM  16u   /* a new room array's blocks */

uint32_t ext2_index_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h;
}

struct ext2_dir_index *ext2_index_new(uint32_t key)
{
	struct ext2_dir_index *ix = kzalloc(sizeof(*ix));

	if (ix)
		ix->key = key;
	return ix;
}

void ext2_index_free(struct ext2_dir_index *ix)
{
	if (!ix)
		return;
	kfree(ix->slot);
	kfree(ix->room);
	kfree(ix);
}

/* Place (h, pos) in the first empty or dead slot of its probe sequence (room is known). */
static void place(struct ext2_dir_index *ix, uint32_t h, uint32_t pos)
{
	uint32_t mask = ix->cap - 1;

	for (uint32_t i = h & mask;; i = (i + 1) & mask) {
		if (ix->slot[i].pos == EXT2_IX_EMPTY || ix->slot[i].pos == EXT2_IX_DEAD) {
			if (ix->slot[i].pos == EXT2_IX_DEAD)
				ix->dead--;
			ix->slot[i].hash = h;
			ix->slot[i].pos = pos;
			return;
		}
	}
}

/* A table of cap slots holding the live names (dead ones dropped): 0 or
 * -ENOMEM (then nothing changed). */
static int rehash(struct ext2_dir_index *ix, uint32_t cap)
{
	struct ext2_index_slot *old = ix->slot, *s = kmalloc((size_t)cap * sizeof(*s));
	uint32_t ocap = ix->cap;

	if (!s)
		return -ENOMEM;
	memset(s, 0xff, (size_t)cap * sizeof(*s)); /* every pos EXT2_IX_EMPTY */
	ix->slot = s;
	ix->cap = cap;
	ix->dead = 0;
	for (uint32_t i = 0; i < ocap; i++)
		if (old[i].pos != EXT2_IX_EMPTY && old[i].pos != EXT2_IX_DEAD)
			place(ix, old[i].hash, old[i].pos);
	kfree(old);
	return 0;
}

int ext2_index_add(struct ext2_dir_index *ix, uint32_t h, uint32_t pos)
{
	if (ix->too_big)
		return -EFBIG;
	if (ix->count >= EXT2_INDEX_MAX) {
		kfree(ix->slot);
		ix->slot = NULL;
		ix->count = ix->dead = ix->cap = 0;
		ix->too_big = true;
		return -EFBIG;
	}
	if ((ix->count + ix->dead + 1) * 2 > ix->cap) { /* rehash to a quarter full */
		uint32_t cap = FIRST_SLOTS;
		while ((ix->count + 1) * 4 > cap)
			cap *= 2;
		int err = rehash(ix, cap);
		if (err)
			return err;
	}
	place(ix, h, pos);
	ix->count++;
	return 0;
}

void ext2_index_iter_start(const struct ext2_dir_index *ix, uint32_t h, struct ext2_index_iter *it)
{
	it->i = ix->cap ? h & (ix->cap - 1) : 0;
	it->left = ix->too_big ? 0 : ix->cap;
}

bool ext2_index_next(const struct ext2_dir_index *ix, uint32_t h, struct ext2_index_iter *it,
		     uint32_t *pos)
{
	while (it->left) {
		const struct ext2_index_slot *s = &ix->slot[it->i];
		it->i = (it->i + 1) & (ix->cap - 1);
		it->left--;
		if (s->pos == EXT2_IX_EMPTY)
			break;
		if (s->pos != EXT2_IX_DEAD && s->hash == h) {
			*pos = s->pos;
			return true;
		}
	}
	it->left = 0;
	return false;
}

bool ext2_index_del(struct ext2_dir_index *ix, uint32_t h, uint32_t pos)
{
	struct ext2_index_iter it;
	uint32_t p;

	ext2_index_iter_start(ix, h, &it);
	while (ext2_index_next(ix, h, &it, &p)) {
		if (p != pos)
			continue;
		ix->slot[(it.i + ix->cap - 1) & (ix->cap - 1)].pos = EXT2_IX_DEAD;
		ix->count--;
		ix->dead++;
		return true;
	}
	return false;
}

int ext2_index_set_room(struct ext2_dir_index *ix, uint32_t blk, uint32_t room)
{
	if (blk >= ix->room_cap) {
		uint32_t cap = ix->room_cap ? ix->room_cap : FIRST_ROOM;
		while (cap <= blk)
			cap *= 2;
		uint16_t *r = kmalloc((size_t)cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		memset(r, 0, (size_t)cap * sizeof(*r));
		if (ix->room)
			memcpy(r, ix->room, (size_t)ix->nblocks * sizeof(*r));
		kfree(ix->room);
		ix->room = r;
		ix->room_cap = cap;
	}
	if (blk >= ix->nblocks)
		ix->nblocks = blk + 1;
	ix->room[blk] = (uint16_t)(room > UINT16_MAX ? UINT16_MAX : room);
	return 0;
}

uint32_t ext2_index_find_room(const struct ext2_dir_index *ix, uint32_t need)
{
	for (uint32_t b = 0; b < ix->nblocks; b++)
		if (ix->room[b] >= need)
			return b;
	return EXT2_INDEX_NO_ROOM;
}

/* ---------------------------------------------------------------- the mount's list */

struct ext2_dir_index *ext2_index_lookup(struct ext2_dir_index **head, uint32_t key)
{
	for (struct ext2_dir_index **pp = head; *pp; pp = &(*pp)->next) {
		struct ext2_dir_index *ix = *pp;
		if (ix->key != key)
			continue;
		*pp = ix->next;
		ix->next = *head;
		*head = ix;
		return ix;
	}
	return NULL;
}

void ext2_index_insert(struct ext2_dir_index **head, struct ext2_dir_index *ix)
{
	struct ext2_dir_index *last = ix;

	ix->next = *head;
	*head = ix;
	for (unsigned n = 1; last->next && n < EXT2_INDEX_KEEP; n++)
		last = last->next;
	ext2_index_free_all(&last->next);
}

void ext2_index_forget(struct ext2_dir_index **head, uint32_t key)
{
	for (struct ext2_dir_index **pp = head; *pp; pp = &(*pp)->next) {
		struct ext2_dir_index *ix = *pp;
		if (ix->key == key) {
			*pp = ix->next;
			ext2_index_free(ix);
			return;
		}
	}
}

void ext2_index_free_all(struct ext2_dir_index **head)
{
	while (*head) {
		struct ext2_dir_index *ix = *head;
		*head = ix->next;
		ext2_index_free(ix);
	}
}
