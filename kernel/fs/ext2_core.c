// SPDX-License-Identifier: MIT
/*
 * Kestrel: ext2's engine (see ext2_core.h): the block map, file data,
 * truncation, symlinks and the release of an unlinked inode. Below it:
 * ext2_meta.c (superblock, group descriptors, inodes by number) and
 * ext2_alloc.c (the bitmaps); above it, ext2_dir.c (directory entries).
 */
#include "fs/ext2_core.h"
#include "lib/errno.h"
#include "lib/string.h"

#define MAX_RUN_BLOCKS 64u    /* contiguous blocks moved by one cache call */

/* ---------------------------------------------------------------- block map */

static bool block_ok(const struct ext2_fs *fs, uint32_t blk)
{
	return blk >= fs->g.first_data_block && blk < fs->g.blocks_count;
}

/* The slot at depth level is empty: make a (zeroed) block for it. */
static int fill_slot(struct ext2_fs *fs, struct ext2_inode *in, uint32_t ino, uint32_t *slot,
		     struct bbuf *holder)
{
	uint32_t blk;
	int err = ext2_block_alloc(fs, ext2_ino_group(fs, ino), &blk);

	if (err)
		return err;
	*slot = blk;
	in->i_blocks += fs->g.block_size / 512;
	if (holder)
		bcache_dirty(holder, (uint32_t)((uint8_t *)slot - holder->data), sizeof(*slot));
	return 0;
}

int ext2_bmap(struct ext2_fs *fs, struct ext2_inode *in, uint32_t ino, uint64_t lblk, bool create,
	      uint32_t *pblk)
{
	uint32_t idx[4];
	int depth = ext2_bmap_path(fs->g.ptrs, lblk, idx);
	uint32_t *slot = &in->i_block[idx[0]];
	struct bbuf held;
	bool holding = false;
	int err = 0;

	if (!depth)
		return -EFBIG;
	for (int level = 1;; level++) {
		if (*slot == 0 && !create) {
			*pblk = 0;
			break;
		}
		if (*slot == 0 && (err = fill_slot(fs, in, ino, slot, holding ? &held : NULL)))
			break;
		if (!block_ok(fs, *slot)) {
			err = ext2_corrupt(fs, "block number out of range in inode", ino);
			break;
		}
		if (level == depth) {
			*pblk = *slot;
			break;
		}
		struct bbuf next;
		if ((err = bcache_get(fs->dev, *slot, fs->g.block_size, &next)))
			break;
		if (holding)
			bcache_put(&held);
		held = next;
		holding = true;
		slot = &((uint32_t *)held.data)[idx[level]];
	}
	if (holding)
		bcache_put(&held);
	return err;
}

/* How many blocks from lblk on (at most max) sit on the disk one after
 * another from pblk: one cache call moves them all. */
static uint32_t run_length(struct ext2_fs *fs, struct ext2_inode *in, uint32_t ino, uint64_t lblk,
			   uint32_t pblk, uint32_t max, bool create)
{
	uint32_t n = 1, next;

	while (n < max && n < MAX_RUN_BLOCKS &&
	       ext2_bmap(fs, in, ino, lblk + n, create, &next) == 0 && next == pblk + n)
		n++;
	return n;
}

long ext2_read(struct ext2_fs *fs, struct ext2_inode *in, uint64_t off, void *buf, size_t n)
{
	uint64_t size = ext2_inode_size(in);
	uint32_t bs = fs->g.block_size;
	size_t done = 0;

	if (off >= size)
		return 0;
	if (n > size - off)
		n = (size_t)(size - off);
	while (done < n) {
		uint64_t pos = off + done, lblk = pos / bs;
		uint32_t in_off = (uint32_t)(pos % bs), pblk;
		int err = ext2_bmap(fs, in, 0, lblk, false, &pblk);
		if (err)
			return done ? (long)done : err;
		size_t k = n - done;
		if (!pblk) {
			k = k < bs - in_off ? k : bs - in_off;
			memset((uint8_t *)buf + done, 0, k);
		} else {
			uint32_t want = (uint32_t)((in_off + k + bs - 1) / bs);
			uint32_t run = run_length(fs, in, 0, lblk, pblk, want, false);
			k = k < (size_t)run * bs - in_off ? k : (size_t)run * bs - in_off;
			err = bcache_read(fs->dev, (uint64_t)pblk * bs + in_off, (uint8_t *)buf + done, k);
			if (err)
				return done ? (long)done : err;
		}
		done += k;
	}
	return (long)done;
}

static int free_from(struct ext2_fs *fs, struct ext2_inode *in, uint32_t ino, uint64_t first);

/* Note a size above 2 GiB in the superblock (LARGE_FILE), as Linux does. */
static void note_large_file(struct ext2_fs *fs, uint64_t size)
{
	if (size <= INT32_MAX || fs->g.large_file)
		return;
	fs->g.large_file = true;
	if (fs->sb.s_rev_level == EXT2_GOOD_OLD_REV)
		return; /* Linux upgrades the revision; a 2 GiB file on revision 0 stays as it is */
	fs->sb.s_feature_ro_compat |= EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
	ext2_sb_write(fs);
}

long ext2_write(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint64_t off,
		const void *buf, size_t n)
{
	uint32_t bs = fs->g.block_size;
	size_t done = 0;
	int err = 0;

	if (off >= fs->max_size || n > fs->max_size - off)
		return -EFBIG;
	while (done < n) {
		uint64_t pos = off + done, lblk = pos / bs;
		uint32_t in_off = (uint32_t)(pos % bs), pblk;
		if ((err = ext2_bmap(fs, in, ino, lblk, true, &pblk)))
			break;
		size_t k = n - done;
		uint32_t want = (uint32_t)((in_off + k + bs - 1) / bs);
		uint32_t run = run_length(fs, in, ino, lblk, pblk, want, true);
		k = k < (size_t)run * bs - in_off ? k : (size_t)run * bs - in_off;
		if ((err = bcache_write(fs->dev, (uint64_t)pblk * bs + in_off, (const uint8_t *)buf + done, k)))
			break;
		done += k;
	}
	uint64_t end = off + done > ext2_inode_size(in) ? off + done : ext2_inode_size(in);
	if (err) /* blocks made ahead of a failed write: none may lie past the end */
		free_from(fs, in, ino, (end + bs - 1) / bs);
	if (done && off + done > ext2_inode_size(in)) {
		ext2_inode_set_size(in, off + done);
		note_large_file(fs, off + done);
	}
	return done ? (long)done : err;
}

/* ---------------------------------------------------------------- truncation */

/* Free the blocks under *slot (a tree of the given level: 0 a data
 * block) for logical blocks from rel on; *slot itself goes when rel is
 * 0. The depth is at most 3 (the triple-indirect tree), not the user's. */
static int free_tree(struct ext2_fs *fs, struct ext2_inode *in, uint32_t ino, uint32_t *slot,
		     int level, uint64_t rel)
{
	uint64_t span = 1;

	if (*slot == 0)
		return 0;
	if (!block_ok(fs, *slot))
		return ext2_corrupt(fs, "block number out of range in inode", ino);
	for (int i = 1; i < level; i++)
		span *= fs->g.ptrs;
	if (level > 0) {
		struct bbuf bb;
		int err = bcache_get(fs->dev, *slot, fs->g.block_size, &bb);
		if (err)
			return err;
		uint32_t *e = (uint32_t *)bb.data;
		for (uint64_t i = rel / span; i < fs->g.ptrs && !err; i++) {
			uint64_t crel = i == rel / span ? rel % span : 0;
			uint32_t before = e[i];
			err = free_tree(fs, in, ino, &e[i], level - 1, crel);
			if (e[i] != before)
				bcache_dirty(&bb, (uint32_t)(i * 4), 4);
		}
		bcache_put(&bb);
		if (err)
			return err;
	}
	if (rel == 0) {
		int err = ext2_block_free(fs, *slot);
		if (err) /* a block freed twice: a corrupt tree, left for e2fsck */
			return err;
		*slot = 0;
		in->i_blocks -= in->i_blocks >= fs->g.block_size / 512 ? fs->g.block_size / 512 : in->i_blocks;
	}
	return 0;
}

/* Free every block of in from logical block first on. */
static int free_from(struct ext2_fs *fs, struct ext2_inode *in, uint32_t ino, uint64_t first)
{
	uint64_t start = EXT2_NDIR_BLOCKS, span = fs->g.ptrs;
	int err = 0;

	for (uint64_t b = first; b < EXT2_NDIR_BLOCKS; b++)
		if ((err = free_tree(fs, in, ino, &in->i_block[b], 0, 0)))
			return err;
	for (int level = 1; level <= 3; level++) {
		uint64_t rel = first > start ? first - start : 0;
		if (rel < span && (err = free_tree(fs, in, ino, &in->i_block[EXT2_NDIR_BLOCKS + level - 1],
						   level, rel)))
			return err;
		start += span;
		span *= fs->g.ptrs;
	}
	return 0;
}

/* Zero the bytes of size's block past size, so growth later reads zeros. */
static int zero_tail(struct ext2_fs *fs, struct ext2_inode *in, uint32_t ino, uint64_t size)
{
	uint32_t bs = fs->g.block_size, in_off = (uint32_t)(size % bs), pblk;
	struct bbuf bb;

	if (!in_off)
		return 0;
	int err = ext2_bmap(fs, in, ino, size / bs, false, &pblk);
	if (err || !pblk)
		return err;
	if ((err = bcache_get(fs->dev, pblk, bs, &bb)))
		return err;
	memset(bb.data + in_off, 0, bs - in_off);
	bcache_dirty(&bb, in_off, bs - in_off);
	bcache_put(&bb);
	return 0;
}

int ext2_truncate(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint64_t size)
{
	uint32_t bs = fs->g.block_size;

	if (size > fs->max_size)
		return -EFBIG;
	if (size < ext2_inode_size(in)) {
		int err = free_from(fs, in, ino, (size + bs - 1) / bs);
		if (!err)
			err = zero_tail(fs, in, ino, size);
		if (err)
			return err;
	}
	ext2_inode_set_size(in, size);
	note_large_file(fs, size);
	return 0;
}

/* ---------------------------------------------------------------- symlinks */

int ext2_readlink(struct ext2_fs *fs, struct ext2_inode *in, char *buf, size_t cap)
{
	uint64_t len = in->i_size;

	if (len > fs->g.block_size - 1 || len == 0)
		return ext2_corrupt(fs, "symlink length", len);
	if (len > cap)
		len = cap;
	if (ext2_inode_fast_symlink(in, fs->g.block_size)) {
		memcpy(buf, in->i_block, len);
		return (int)len;
	}
	return (int)ext2_read(fs, in, 0, buf, len);
}

int ext2_set_symlink(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, const char *target,
		     size_t len)
{
	if (len >= fs->g.block_size)
		return -ENAMETOOLONG;
	if (len < EXT2_FAST_LINK_MAX) {
		memset(in->i_block, 0, sizeof(in->i_block));
		memcpy(in->i_block, target, len);
		in->i_size = (uint32_t)len;
		return 0;
	}
	long r = ext2_write(fs, ino, in, 0, target, len);
	return r < 0 ? (int)r : 0;
}

/* ---------------------------------------------------------------- release */

int ext2_inode_release(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint32_t now)
{
	uint16_t fmt = in->i_mode & 0170000;
	bool has_blocks = fmt == 0100000 || fmt == 0040000 ||
			  (fmt == 0120000 && !ext2_inode_fast_symlink(in, fs->g.block_size));
	int err = has_blocks ? ext2_truncate(fs, ino, in, 0) : 0;

	if (err)
		return err;
	in->i_links_count = 0;
	/* e2fsck reads a small i_dtime as an orphan-list link: a clock near the epoch must not look like one */
	in->i_dtime = now > fs->g.inodes_count ? now : fs->g.inodes_count + 1;
	if ((err = ext2_iwrite(fs, ino, in)))
		return err;
	ext2_inode_free(fs, ino, fmt == 0040000);
	return 0;
}
