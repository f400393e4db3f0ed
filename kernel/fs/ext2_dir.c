// SPDX-License-Identifier: MIT
/*
 * Kestrel: ext2 directories (see ext2_core.h): linear lists of entries
 * in whole blocks, every entry checked (ext2_dirent_at) before use. A
 * removed entry is merged into the one before it in its block (or,
 * first in its block, gets inode 0); a new one takes the first hole big
 * enough, else a new block at the end. A hashed directory (dir_index)
 * reads the same way; its index is dropped at the first change, as
 * Linux's ext2 does (e2fsck rebuilds it).
 *
 * A directory of EXT2_INDEX_MIN_BLOCKS blocks or more gets a name index
 * in memory (ext2_index.h), built by one scan at its first use and kept
 * in step by every change made here: a lookup reads the one block its
 * candidate lies in, a new entry goes straight to the first block with
 * room. Anything unexpected (an entry not where the index says, no
 * memory) drops the index and falls back to the scan.
 */
#include "fs/ext2_core.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "log.h"
#include "proc/sched.h"

/* One entry handed to a scan callback, with where it lies. */
struct dent_at {
	struct bbuf *bb;
	uint32_t off;               /* in the block */
	uint32_t prev;              /* the previous entry's offset in the block, or UINT32_MAX */
	uint64_t pos;               /* in the directory */
	struct ext2_dirent *d;
};

/* A scan callback: 0 go on, 1 stop (done), or -errno. */
typedef int (*dent_fn)(struct ext2_fs *fs, struct dent_at *at, void *ctx);

/* Walk one directory block's entries from byte from on. */
static int scan_block(struct ext2_fs *fs, struct bbuf *bb, uint64_t base, uint64_t from, dent_fn fn,
		      void *ctx)
{
	const char *why;
	uint32_t prev = UINT32_MAX;

	for (uint32_t off = 0; off < fs->g.block_size;) {
		struct ext2_dirent *d = (struct ext2_dirent *)ext2_dirent_at(bb->data, off, fs->g.block_size,
									   fs->g.inodes_count, &why);
		if (!d) {
			klog(LOG_ERR, "ext2: %s: directory block %lu: %s\n", fs->dev->name,
			     (unsigned long)(base / fs->g.block_size), why);
			return ext2_corrupt(fs, "bad directory entry at byte", base + off);
		}
		if (base + off >= from) {
			struct dent_at at = { bb, off, prev, base + off, d };
			int r = fn(fs, &at, ctx);
			if (r)
				return r;
		}
		prev = off;
		off += d->rec_len;
	}
	return 0;
}

#define IX_STALE 2 /* an index candidate is not an entry: the index is out of step */

/* Walk the entries of the directory's logical block lb from byte from
 * (in the directory) on: 0 (walked through), 1 (fn stopped) or -errno. */
static int scan_lblock(struct ext2_fs *fs, struct ext2_inode *din, uint64_t lb, uint64_t from,
		       dent_fn fn, void *ctx)
{
	uint32_t bs = fs->g.block_size, pblk;
	struct bbuf bb;
	int err = ext2_bmap(fs, din, 0, lb, false, &pblk);

	if (!err && !pblk)
		err = ext2_corrupt(fs, "hole in a directory at block", lb);
	if (!err)
		err = bcache_get(fs->dev, pblk, bs, &bb);
	if (err)
		return err;
	err = scan_block(fs, &bb, lb * bs, from, fn, ctx);
	bcache_put(&bb);
	return err;
}

/* Walk the directory's entries from byte from on (from the start of its block). */
static int scan(struct ext2_fs *fs, struct ext2_inode *din, uint64_t from, dent_fn fn, void *ctx)
{
	uint32_t bs = fs->g.block_size;
	uint64_t nblocks = ext2_inode_size(din) / bs;

	for (uint64_t lb = from / bs; lb < nblocks; lb++) {
		if (lb > from / bs && io_should_stop()) /* a corrupt size can make it long */
			return -EINTR;
		int err = scan_lblock(fs, din, lb, from, fn, ctx);
		if (err)
			return err < 0 ? err : 0;
	}
	return 0;
}

/* Call fn on the entry at byte pos of the directory (a position the
 * index gave): fn's answer, IX_STALE when no valid entry starts there,
 * or -errno. */
static int visit_at(struct ext2_fs *fs, struct ext2_inode *din, uint32_t pos, dent_fn fn, void *ctx)
{
	uint32_t bs = fs->g.block_size, off = pos % bs, pblk;
	struct bbuf bb;
	const char *why;
	int err = ext2_bmap(fs, din, 0, pos / bs, false, &pblk);

	if (err || !pblk)
		return err ? err : IX_STALE;
	if ((err = bcache_get(fs->dev, pblk, bs, &bb)))
		return err;
	struct ext2_dirent *d = (struct ext2_dirent *)ext2_dirent_at(bb.data, off, bs, fs->g.inodes_count,
								   &why);
	struct dent_at at = { &bb, off, UINT32_MAX, pos, d };
	err = d ? fn(fs, &at, ctx) : IX_STALE;
	bcache_put(&bb);
	return err;
}

/* The room a new record has in entry d: its slack, or all of it when free. */
static uint32_t dent_room(const struct ext2_dirent *d)
{
	return d->inode ? d->rec_len - EXT2_DIR_REC_LEN(d->name_len) : d->rec_len;
}

static bool is_dot(const struct ext2_dirent *d)
{
	return (d->name_len == 1 && d->name[0] == '.') ||
	       (d->name_len == 2 && d->name[0] == '.' && d->name[1] == '.');
}

/* ---------------------------------------------------------------- iterate */

struct iter_ctx {
	ext2_emit_fn emit;
	void *ctx;
	uint64_t *pos;
	bool filetype;
};

static int iter_one(struct ext2_fs *fs, struct dent_at *at, void *c)
{
	struct iter_ctx *ic = c;
	struct ext2_dirent *d = at->d;
	uint64_t next = at->pos + d->rec_len;

	(void)fs;
	if (d->inode && !is_dot(d) &&
	    !ic->emit(ic->ctx, d->name, d->name_len, d->inode, ic->filetype ? d->file_type : 0, next))
		return 1;
	*ic->pos = next;
	return 0;
}

int ext2_dir_iterate(struct ext2_fs *fs, struct ext2_inode *din, uint64_t *pos, ext2_emit_fn emit,
		     void *ctx)
{
	struct iter_ctx ic = { emit, ctx, pos, fs->g.filetype };

	return scan(fs, din, *pos, iter_one, &ic);
}

/* ---------------------------------------------------------------- the name index */

static int build_one(struct ext2_fs *fs, struct dent_at *at, void *c)
{
	struct ext2_dir_index *ix = c;
	uint32_t blk = (uint32_t)(at->pos / fs->g.block_size), room = dent_room(at->d);
	int err;

	if ((blk >= ix->nblocks || room > ix->room[blk]) && (err = ext2_index_set_room(ix, blk, room)))
		return err;
	if (at->d->inode)
		return ext2_index_add(ix, ext2_index_hash(at->d->name, at->d->name_len), (uint32_t)at->pos);
	return 0;
}

/* Whether directory din may have an index: big enough, positions in 32 bits. */
static bool indexable(const struct ext2_fs *fs, const struct ext2_inode *din)
{
	uint64_t size = ext2_inode_size(din);
	uint32_t bs = fs->g.block_size;

	return din->i_block[0] && size % bs == 0 && size / bs >= EXT2_INDEX_MIN_BLOCKS &&
	       size <= UINT32_MAX - bs;
}

/* The name index of directory din, built by one scan on first use or
 * when out of step with its size: NULL with *err 0 when it has none
 * (small, too many names, no memory), NULL with *err set when the scan
 * failed (-EIO: corrupt, logged; -EINTR). */
static struct ext2_dir_index *dir_index(struct ext2_fs *fs, struct ext2_inode *din, int *err)
{
	uint32_t key = din->i_block[0];
	uint64_t size = ext2_inode_size(din);

	*err = 0;
	if (!indexable(fs, din))
		return NULL;
	struct ext2_dir_index *ix = ext2_index_lookup(&fs->dix, key);
	if (ix && ix->size == size)
		return ix->too_big ? NULL : ix;
	ext2_index_forget(&fs->dix, key);
	if (!(ix = ext2_index_new(key)))
		return NULL;
	ix->size = size;
	fs->dix_builds++;
	int r = scan(fs, din, 0, build_one, ix);
	if (ix->too_big || (!r && ix->nblocks == size / fs->g.block_size)) {
		ext2_index_insert(&fs->dix, ix);
		return ix->too_big ? NULL : ix;
	}
	ext2_index_free(ix);
	*err = r == -ENOMEM ? 0 : r;
	return NULL;
}

/* The directory din changed other than through its index: drop it. */
static void index_drop(struct ext2_fs *fs, const struct ext2_inode *din)
{
	ext2_index_forget(&fs->dix, din->i_block[0]);
}

/* ---------------------------------------------------------------- find */

struct find_ctx {
	const char *name;
	size_t len;
	bool hit;
	uint32_t found_ino;         /* what the entry held when found */
	uint8_t found_ftype;
	uint64_t found_pos;
	uint32_t room;              /* remove: the room its block gained */
	/* retarget */
	uint32_t ino;
	uint8_t ftype;
};

static int find_one(struct ext2_fs *fs, struct dent_at *at, void *c)
{
	struct find_ctx *fc = c;

	(void)fs;
	if (!at->d->inode || at->d->name_len != fc->len || memcmp(at->d->name, fc->name, fc->len))
		return 0;
	fc->hit = true;
	fc->found_ino = at->d->inode;
	fc->found_ftype = at->d->file_type;
	fc->found_pos = at->pos;
	return 1;
}

/* Look fc's name up through the index, calling fn (find_one or
 * retarget_one) on each candidate: 1 (fn took it), 0 (not there),
 * IX_STALE or -errno. */
static int indexed(struct ext2_fs *fs, struct ext2_inode *din, struct ext2_dir_index *ix, dent_fn fn,
		   struct find_ctx *fc)
{
	uint32_t h = ext2_index_hash(fc->name, fc->len), pos;
	struct ext2_index_iter it;

	ext2_index_iter_start(ix, h, &it);
	while (ext2_index_next(ix, h, &it, &pos)) {
		int r = visit_at(fs, din, pos, fn, fc);
		if (r)
			return r;
	}
	return 0;
}

/* Find fc's name (fn: find_one or retarget_one) by the index (its
 * miss is an answer), else by the scan: 0 (fc->hit says) or -errno. */
static int find_via(struct ext2_fs *fs, struct ext2_inode *din, dent_fn fn, struct find_ctx *fc)
{
	int err;
	struct ext2_dir_index *ix = dir_index(fs, din, &err);

	if (err)
		return err;
	if (ix) {
		int r = indexed(fs, din, ix, fn, fc);
		if (r != IX_STALE)
			return r < 0 ? r : 0;
		index_drop(fs, din);
		fc->hit = false;
	}
	return scan(fs, din, 0, fn, fc);
}

int ext2_dir_find(struct ext2_fs *fs, struct ext2_inode *din, const char *name, size_t len,
		  uint32_t *ino, uint8_t *ftype)
{
	struct find_ctx fc = { .name = name, .len = len };
	int err = find_via(fs, din, find_one, &fc);

	if (err)
		return err;
	if (!fc.hit)
		return -ENOENT;
	*ino = fc.found_ino;
	*ftype = fs->g.filetype ? fc.found_ftype : 0;
	return 0;
}

/* A change to a directory: its hash index no longer matches. */
static void dir_changed(struct ext2_inode *din)
{
	din->i_flags &= ~EXT2_INDEX_FL;
}

static int remove_one(struct ext2_fs *fs, struct dent_at *at, void *c)
{
	struct find_ctx *fc = c;
	int r = find_one(fs, at, c);

	if (r != 1)
		return r;
	if (at->prev != UINT32_MAX) {
		struct ext2_dirent *p = (struct ext2_dirent *)(at->bb->data + at->prev);
		p->rec_len += at->d->rec_len;
		bcache_dirty(at->bb, at->prev, 8);
		fc->room = dent_room(p);
	} else {
		at->d->inode = 0;
		bcache_dirty(at->bb, at->off, 8);
		fc->room = dent_room(at->d);
	}
	return 1;
}

/* remove_one for the entry at fc->found_pos only (the block walked from there). */
static int remove_at(struct ext2_fs *fs, struct dent_at *at, void *c)
{
	struct find_ctx *fc = c;

	if (at->pos != fc->found_pos)
		return IX_STALE;
	return remove_one(fs, at, c) == 1 ? 1 : IX_STALE;
}

/* Remove by the index: 1 done, 0 not there, IX_STALE (nothing changed), -errno. */
static int remove_indexed(struct ext2_fs *fs, struct ext2_inode *din, struct ext2_dir_index *ix,
			  struct find_ctx *fc)
{
	uint32_t bs = fs->g.block_size, h = ext2_index_hash(fc->name, fc->len);
	int r = indexed(fs, din, ix, find_one, fc);

	if (r != 1)
		return r;
	uint32_t pos = (uint32_t)fc->found_pos, blk = pos / bs;
	fc->hit = false;
	r = scan_lblock(fs, din, blk, pos, remove_at, fc);
	if (r != 1)
		return r < 0 ? r : IX_STALE;
	if (!ext2_index_del(ix, h, pos) || blk >= ix->nblocks) {
		index_drop(fs, din);
		return 1;
	}
	if (fc->room > ix->room[blk])
		ix->room[blk] = (uint16_t)fc->room;
	return 1;
}

int ext2_dir_remove(struct ext2_fs *fs, struct ext2_inode *din, const char *name, size_t len)
{
	struct find_ctx fc = { .name = name, .len = len };
	int err;
	struct ext2_dir_index *ix = dir_index(fs, din, &err);

	if (err)
		return err;
	int r = ix ? remove_indexed(fs, din, ix, &fc) : IX_STALE;
	if (r < 0)
		return r;
	if (r == IX_STALE) { /* no index, or it was out of step */
		index_drop(fs, din);
		fc.hit = false;
		if ((err = scan(fs, din, 0, remove_one, &fc)))
			return err;
	}
	err = fc.hit ? 0 : -ENOENT;
	if (!err)
		dir_changed(din);
	return err;
}

static int retarget_one(struct ext2_fs *fs, struct dent_at *at, void *c)
{
	struct find_ctx *fc = c;
	int r = find_one(fs, at, c);

	if (r != 1)
		return r;
	at->d->inode = fc->ino;
	if (fs->g.filetype)
		at->d->file_type = fc->ftype;
	bcache_dirty(at->bb, at->off, 8);
	return 1;
}

/* Retargeting moves no name: the index stays as it is. */
int ext2_dir_retarget(struct ext2_fs *fs, struct ext2_inode *din, const char *name, size_t len,
		      uint32_t ino, uint8_t ftype)
{
	struct find_ctx fc = { .name = name, .len = len, .ino = ino, .ftype = ftype };
	int err = find_via(fs, din, retarget_one, &fc);

	if (!err && !fc.hit)
		err = -ENOENT;
	if (!err)
		dir_changed(din);
	return err;
}

/* ---------------------------------------------------------------- add */

struct add_ctx {
	const char *name;
	size_t len;
	uint32_t ino;
	uint8_t ftype;
	bool done;
	uint64_t pos;               /* where the new entry went */
	uint32_t room;              /* add_in_block: the block's room afterwards */
};

/* Write the entry into d (rec_len already set). */
static void fill(struct ext2_fs *fs, struct ext2_dirent *d, const struct add_ctx *ac)
{
	d->inode = ac->ino;
	d->name_len = (uint8_t)ac->len;
	d->file_type = fs->g.filetype ? ac->ftype : 0;
	memcpy(d->name, ac->name, ac->len);
}

/* Put the new entry in at's slack (or in at itself when free) if it fits. */
static bool insert_at(struct ext2_fs *fs, struct dent_at *at, struct add_ctx *ac)
{
	struct ext2_dirent *d = at->d;
	uint32_t need = EXT2_DIR_REC_LEN(ac->len);
	uint32_t used = d->inode ? EXT2_DIR_REC_LEN(d->name_len) : 0;

	if (d->rec_len < used + need)
		return false;
	if (used) { /* split: the new entry takes the slack after d */
		struct ext2_dirent *n = (struct ext2_dirent *)((uint8_t *)d + used);
		n->rec_len = (uint16_t)(d->rec_len - used);
		d->rec_len = (uint16_t)used;
		d = n;
	}
	fill(fs, d, ac);
	bcache_dirty(at->bb, at->off, d->rec_len + used);
	ac->pos = at->pos + used;
	ac->done = true;
	return true;
}

static int add_one(struct ext2_fs *fs, struct dent_at *at, void *c)
{
	return insert_at(fs, at, c) ? 1 : 0;
}

/* insert_at the first fit, walking the whole block for its room after. */
static int add_in_block(struct ext2_fs *fs, struct dent_at *at, void *c)
{
	struct add_ctx *ac = c;

	if (!ac->done)
		insert_at(fs, at, ac);
	if (dent_room(at->d) > ac->room) /* a split entry has none; the new one is walked next */
		ac->room = dent_room(at->d);
	return 0;
}

/* Append a block holding only the new entry. */
static int add_block(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *din, struct add_ctx *ac)
{
	uint32_t bs = fs->g.block_size, pblk;
	uint64_t size = ext2_inode_size(din);
	struct bbuf bb;
	int err = ext2_bmap(fs, din, dino, size / bs, true, &pblk);

	if (err)
		return err;
	if ((err = bcache_get(fs->dev, pblk, bs, &bb)))
		return err;
	struct ext2_dirent *d = (struct ext2_dirent *)bb.data;
	d->rec_len = (uint16_t)bs;
	fill(fs, d, ac);
	bcache_dirty(&bb, 0, bs);
	bcache_put(&bb);
	ext2_inode_set_size(din, size + bs);
	ac->pos = size;
	ac->done = true;
	return 0;
}

/* Add by the index (the name is known to be absent): 0 done, IX_STALE
 * (nothing changed), -errno. */
static int add_indexed(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *din,
		       struct ext2_dir_index *ix, struct add_ctx *ac)
{
	uint32_t bs = fs->g.block_size, need = EXT2_DIR_REC_LEN(ac->len);
	uint32_t blk = ext2_index_find_room(ix, need);
	int err;

	if (blk != EXT2_INDEX_NO_ROOM) {
		ac->room = 0;
		if ((err = scan_lblock(fs, din, blk, (uint64_t)blk * bs, add_in_block, ac)) < 0)
			return err;
		if (!ac->done)
			return IX_STALE;
	} else {
		blk = (uint32_t)(ext2_inode_size(din) / bs);
		if ((err = add_block(fs, dino, din, ac)))
			return err;
		ac->room = bs - need;
		ix->size = ext2_inode_size(din);
	}
	if (ext2_index_set_room(ix, blk, ac->room) ||
	    ext2_index_add(ix, ext2_index_hash(ac->name, ac->len), (uint32_t)ac->pos))
		ext2_index_forget(&fs->dix, ix->key);
	return 0;
}

int ext2_dir_add(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *din, const char *name,
		 size_t len, uint32_t ino, uint8_t ftype)
{
	struct add_ctx ac = { .name = name, .len = len, .ino = ino, .ftype = ftype };
	int err;

	if (len == 0 || len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	struct ext2_dir_index *ix = dir_index(fs, din, &err);
	if (err)
		return err;
	err = ix ? add_indexed(fs, dino, din, ix, &ac) : IX_STALE;
	if (err == IX_STALE) { /* no index, or it was out of step */
		index_drop(fs, din);
		if ((err = scan(fs, din, 0, add_one, &ac)))
			return err;
		if (!ac.done && (err = add_block(fs, dino, din, &ac)))
			return err;
	}
	if (err) {
		index_drop(fs, din);
		return err;
	}
	dir_changed(din);
	return 0;
}

int ext2_dir_init(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint32_t parent)
{
	uint32_t bs = fs->g.block_size, pblk;
	struct bbuf bb;
	int err = ext2_bmap(fs, in, ino, 0, true, &pblk);

	if (err)
		return err;
	ext2_index_forget(&fs->dix, pblk); /* none can be left keyed by a new block; in case */
	if ((err = bcache_get(fs->dev, pblk, bs, &bb)))
		return err;
	struct ext2_dirent *dot = (struct ext2_dirent *)bb.data;
	struct ext2_dirent *dotdot = (struct ext2_dirent *)(bb.data + EXT2_DIR_REC_LEN(1));
	struct add_ctx a1 = { .name = ".", .len = 1, .ino = ino, .ftype = EXT2_FT_DIR };
	struct add_ctx a2 = { .name = "..", .len = 2, .ino = parent, .ftype = EXT2_FT_DIR };
	dot->rec_len = (uint16_t)EXT2_DIR_REC_LEN(1);
	fill(fs, dot, &a1);
	dotdot->rec_len = (uint16_t)(bs - EXT2_DIR_REC_LEN(1));
	fill(fs, dotdot, &a2);
	bcache_dirty(&bb, 0, bs);
	bcache_put(&bb);
	ext2_inode_set_size(in, bs);
	return 0;
}
