// SPDX-License-Identifier: MIT
/*
 * Kestrel: a FAT directory's name index (fat_index.h): slots in one
 * array that doubles as it fills, two bucket arrays of chain heads (one
 * per key) rebuilt at each doubling, and a free list through next[0].
 */
#include "fs/fat_index.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"

#define FAT_INDEX_START 64u

uint32_t fat_index_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (len && name[len - 1] == '.')
		len--;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		h = (h ^ (uint8_t)c) * 16777619u;
	}
	return h;
}

struct fat_dir_index *fat_index_new(uint32_t chain_cap)
{
	struct fat_dir_index *ix = kzalloc(sizeof(*ix));

	if (!ix)
		return NULL;
	ix->free = FAT_INDEX_NONE;
	if (chain_cap && (ix->chain = kmalloc(chain_cap * sizeof(uint32_t))))
		ix->chain_cap = chain_cap;
	return ix;
}

/* Let go of the arrays (the index keeps nothing). */
static void drop_arrays(struct fat_dir_index *ix)
{
	kfree(ix->head[0]);
	kfree(ix->head[1]);
	kfree(ix->ent);
	ix->head[0] = ix->head[1] = NULL;
	ix->ent = NULL;
	ix->count = ix->cap = 0;
	ix->free = FAT_INDEX_NONE;
}

void fat_index_free(struct fat_dir_index *ix)
{
	if (!ix)
		return;
	drop_arrays(ix);
	kfree(ix->chain);
	kfree(ix);
}

static void link_slot(struct fat_dir_index *ix, uint32_t i)
{
	for (int k = 0; k < 2; k++) {
		uint32_t *head = &ix->head[k][ix->ent[i].hash[k] & (ix->cap - 1)];
		ix->ent[i].next[k] = *head;
		*head = i;
	}
}

/* Double the slots (or make the first ones) and rebuild the chains:
 * 0 or -ENOMEM (then nothing changed). */
static int grow(struct fat_dir_index *ix)
{
	uint32_t cap = ix->cap ? ix->cap * 2 : FAT_INDEX_START;
	struct fat_index_ent *ent = kmalloc(cap * sizeof(*ent));
	uint32_t *h0 = kmalloc(cap * sizeof(uint32_t)), *h1 = kmalloc(cap * sizeof(uint32_t));

	if (!ent || !h0 || !h1) {
		kfree(ent);
		kfree(h0);
		kfree(h1);
		return -ENOMEM;
	}
	if (ix->cap)
		memcpy(ent, ix->ent, ix->cap * sizeof(*ent));
	memset(h0, 0xff, cap * sizeof(uint32_t)); /* FAT_INDEX_NONE */
	memset(h1, 0xff, cap * sizeof(uint32_t));
	uint32_t old = ix->cap;
	kfree(ix->ent);
	kfree(ix->head[0]);
	kfree(ix->head[1]);
	ix->ent = ent;
	ix->head[0] = h0;
	ix->head[1] = h1;
	ix->cap = cap;
	for (uint32_t i = 0; i < old; i++) /* full when it grows: every old slot is in use */
		link_slot(ix, i);
	for (uint32_t i = cap; i-- > old;) {
		ent[i].first_off = FAT_INDEX_NONE;
		ent[i].next[0] = ix->free;
		ix->free = i;
	}
	return 0;
}

int fat_index_add(struct fat_dir_index *ix, uint32_t first_off, uint32_t hlong, uint32_t hshort,
		  const uint8_t *name11)
{
	int err;

	if (ix->too_big)
		return -EFBIG;
	if (ix->count >= FAT_INDEX_MAX) {
		drop_arrays(ix);
		ix->too_big = true;
		return -EFBIG;
	}
	if (ix->count == ix->cap && (err = grow(ix)))
		return err;
	uint32_t i = ix->free;
	struct fat_index_ent *e = &ix->ent[i];
	ix->free = e->next[0];
	e->first_off = first_off;
	e->hash[FAT_KEY_LONG] = hlong;
	e->hash[FAT_KEY_SHORT] = hshort;
	memcpy(e->name11, name11, FAT_SHORT_LEN);
	link_slot(ix, i);
	ix->count++;
	return 0;
}

/* Unhook slot i from the chain of key k: true if it was on it. */
static bool unlink_slot(struct fat_dir_index *ix, int k, uint32_t i)
{
	uint32_t *pp = &ix->head[k][ix->ent[i].hash[k] & (ix->cap - 1)];

	for (; *pp != FAT_INDEX_NONE; pp = &ix->ent[*pp].next[k])
		if (*pp == i) {
			*pp = ix->ent[i].next[k];
			return true;
		}
	return false;
}

bool fat_index_remove(struct fat_dir_index *ix, uint32_t first_off, uint32_t hlong)
{
	uint32_t i;

	if (ix->too_big || !ix->cap)
		return false;
	for (i = fat_index_first(ix, FAT_KEY_LONG, hlong); i != FAT_INDEX_NONE;
	     i = fat_index_next(ix, FAT_KEY_LONG, i, hlong))
		if (ix->ent[i].first_off == first_off)
			break;
	if (i == FAT_INDEX_NONE || !unlink_slot(ix, FAT_KEY_LONG, i) ||
	    !unlink_slot(ix, FAT_KEY_SHORT, i))
		return false;
	ix->ent[i].first_off = FAT_INDEX_NONE;
	ix->ent[i].next[0] = ix->free;
	ix->free = i;
	ix->count--;
	return true;
}

/* Slot i or the first after it on chain k with key h. */
static uint32_t match_from(const struct fat_dir_index *ix, int k, uint32_t i, uint32_t h)
{
	while (i != FAT_INDEX_NONE && ix->ent[i].hash[k] != h)
		i = ix->ent[i].next[k];
	return i;
}

uint32_t fat_index_first(const struct fat_dir_index *ix, int k, uint32_t h)
{
	if (ix->too_big || !ix->cap)
		return FAT_INDEX_NONE;
	return match_from(ix, k, ix->head[k][h & (ix->cap - 1)], h);
}

uint32_t fat_index_next(const struct fat_dir_index *ix, int k, uint32_t i, uint32_t h)
{
	return match_from(ix, k, ix->ent[i].next[k], h);
}
