// SPDX-License-Identifier: MIT
/*
 * Kestrel: ext2 directories (see ext2_core.h): linear lists of entries
 * in whole blocks, every entry checked (ext2_dirent_at) before use. A
 * removed entry is merged into the one before it in its block (or,
 * first in its block, gets inode 0); a new one takes the first hole big
 * enough, else a new block at the end. A hashed directory (dir_index)
 * reads the same way; its index is dropped at the first change, as
 * Linux's ext2 does (e2fsck rebuilds it).
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

/* Walk the directory's entries from byte from on (from the start of its block). */
static int scan(struct ext2_fs *fs, struct ext2_inode *din, uint64_t from, dent_fn fn, void *ctx)
{
	uint32_t bs = fs->g.block_size;
	uint64_t nblocks = ext2_inode_size(din) / bs;

	for (uint64_t lb = from / bs; lb < nblocks; lb++) {
		uint32_t pblk;
		struct bbuf bb;
		if (lb > from / bs && io_should_stop()) /* a corrupt size can make it long */
			return -EINTR;
		int err = ext2_bmap(fs, din, 0, lb, false, &pblk);
		if (!err && !pblk)
			err = ext2_corrupt(fs, "hole in a directory at block", lb);
		if (!err)
			err = bcache_get(fs->dev, pblk, bs, &bb);
		if (err)
			return err;
		err = scan_block(fs, &bb, lb * bs, from, fn, ctx);
		bcache_put(&bb);
		if (err)
			return err < 0 ? err : 0;
	}
	return 0;
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

/* ---------------------------------------------------------------- find */

struct find_ctx {
	const char *name;
	size_t len;
	bool hit;
	uint32_t found_ino;         /* what the entry held when found */
	uint8_t found_ftype;
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
	return 1;
}

int ext2_dir_find(struct ext2_fs *fs, struct ext2_inode *din, const char *name, size_t len,
		  uint32_t *ino, uint8_t *ftype)
{
	struct find_ctx fc = { .name = name, .len = len };
	int err = scan(fs, din, 0, find_one, &fc);

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
	int r = find_one(fs, at, c);

	if (r != 1)
		return r;
	if (at->prev != UINT32_MAX) {
		struct ext2_dirent *p = (struct ext2_dirent *)(at->bb->data + at->prev);
		p->rec_len += at->d->rec_len;
		bcache_dirty(at->bb, at->prev, 8);
	} else {
		at->d->inode = 0;
		bcache_dirty(at->bb, at->off, 8);
	}
	return 1;
}

int ext2_dir_remove(struct ext2_fs *fs, struct ext2_inode *din, const char *name, size_t len)
{
	struct find_ctx fc = { .name = name, .len = len };
	int err = scan(fs, din, 0, remove_one, &fc);

	if (!err && !fc.hit)
		err = -ENOENT;
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

int ext2_dir_retarget(struct ext2_fs *fs, struct ext2_inode *din, const char *name, size_t len,
		      uint32_t ino, uint8_t ftype)
{
	struct find_ctx fc = { .name = name, .len = len, .ino = ino, .ftype = ftype };
	int err = scan(fs, din, 0, retarget_one, &fc);

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
};

/* Write the entry into d (rec_len already set). */
static void fill(struct ext2_fs *fs, struct ext2_dirent *d, const struct add_ctx *ac)
{
	d->inode = ac->ino;
	d->name_len = (uint8_t)ac->len;
	d->file_type = fs->g.filetype ? ac->ftype : 0;
	memcpy(d->name, ac->name, ac->len);
}

static int add_one(struct ext2_fs *fs, struct dent_at *at, void *c)
{
	struct add_ctx *ac = c;
	struct ext2_dirent *d = at->d;
	uint32_t need = EXT2_DIR_REC_LEN(ac->len);
	uint32_t used = d->inode ? EXT2_DIR_REC_LEN(d->name_len) : 0;

	if (d->rec_len < used + need)
		return 0;
	if (used) { /* split: the new entry takes the slack after d */
		struct ext2_dirent *n = (struct ext2_dirent *)((uint8_t *)d + used);
		n->rec_len = (uint16_t)(d->rec_len - used);
		d->rec_len = (uint16_t)used;
		d = n;
	}
	fill(fs, d, ac);
	bcache_dirty(at->bb, at->off, d->rec_len + used);
	ac->done = true;
	return 1;
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
	return 0;
}

int ext2_dir_add(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *din, const char *name,
		 size_t len, uint32_t ino, uint8_t ftype)
{
	struct add_ctx ac = { name, len, ino, ftype, false };
	int err;

	if (len == 0 || len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	if ((err = scan(fs, din, 0, add_one, &ac)))
		return err;
	if (!ac.done && (err = add_block(fs, dino, din, &ac)))
		return err;
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
	if ((err = bcache_get(fs->dev, pblk, bs, &bb)))
		return err;
	struct ext2_dirent *dot = (struct ext2_dirent *)bb.data;
	struct ext2_dirent *dotdot = (struct ext2_dirent *)(bb.data + EXT2_DIR_REC_LEN(1));
	struct add_ctx a1 = { ".", 1, ino, EXT2_FT_DIR, false }, a2 = { "..", 2, parent, EXT2_FT_DIR, false };
	dot->rec_len = (uint16_t)EXT2_DIR_REC_LEN(1);
	fill(fs, dot, &a1);
	dotdot->rec_len = (uint16_t)(bs - EXT2_DIR_REC_LEN(1));
	fill(fs, dotdot, &a2);
	bcache_dirty(&bb, 0, bs);
	bcache_put(&bb);
	ext2_inode_set_size(in, bs);
	return 0;
}
