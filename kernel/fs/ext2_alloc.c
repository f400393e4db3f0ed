// SPDX-License-Identifier: MIT
/*
 * Kestrel: ext2's block and inode allocation from the group bitmaps
 * (see ext2_core.h). A search starts in the goal group and goes round
 * the groups; every change updates the bitmap, the group descriptor's
 * and the superblock's free counts together, so e2fsck finds them
 * equal.
 */
#include "fs/ext2_core.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "log.h"
#include "mm/heap.h"

/* The first clear bit of bitmap in [from, nbits), or -1: a word at a time. */
static long find_zero(const uint8_t *bitmap, uint32_t from, uint32_t nbits)
{
	uint32_t i = from;

	for (; i < nbits && i % 64; i++)
		if (!(bitmap[i / 8] & (1u << (i % 8))))
			return (long)i;
	for (; i + 64 <= nbits; i += 64) {
		uint64_t w;
		memcpy(&w, bitmap + i / 8, sizeof(w)); /* bit i + k is bit k: little-endian */
		if (w != ~0ull)
			return (long)(i + (uint32_t)__builtin_ctzll(~w));
	}
	for (; i < nbits; i++)
		if (!(bitmap[i / 8] & (1u << (i % 8))))
			return (long)i;
	return -1;
}

/* The search hint of group g's block (inodes false) or inode bitmap, or
 * NULL (no memory for hints: searches start at the front). */
static uint32_t *hint_of(struct ext2_fs *fs, uint32_t g, bool inodes)
{
	if (!fs->hint && !(fs->hint = kzalloc((size_t)fs->g.groups * 2 * sizeof(uint32_t))))
		return NULL;
	return &fs->hint[(inodes ? fs->g.groups : 0) + g];
}

/* Take the first free bit from from on of the bitmap in block bmap
 * (nbits long), starting at *hint when that is further (every bit
 * below it is set): its index, -ENOSPC when full (the count said
 * otherwise: logged), or -EIO. */
static long take_bit(struct ext2_fs *fs, uint32_t bmap, uint32_t nbits, uint32_t from, uint32_t *hint)
{
	struct bbuf bb;
	uint32_t start = hint && *hint > from && *hint < nbits ? *hint : from;
	int err = bcache_get(fs->dev, bmap, fs->g.block_size, &bb);

	if (err)
		return err;
	long bit = find_zero(bb.data, start, nbits);
	if (bit < 0 && start > from) /* a hint out of step: the whole range, as without one */
		bit = find_zero(bb.data, from, nbits);
	if (bit >= 0) {
		bb.data[bit / 8] |= (uint8_t)(1u << (bit % 8));
		bcache_dirty(&bb, (uint32_t)(bit / 8), 1);
		if (hint)
			*hint = (uint32_t)bit + 1;
	}
	bcache_put(&bb);
	if (bit < 0) {
		ext2_corrupt(fs, "bitmap full but free count says otherwise, block", bmap);
		return -ENOSPC;
	}
	return bit;
}

/* Clear bit of the bitmap in block bmap (its search hint moving back to
 * it): 0, or -EIO (already clear: logged). */
static int clear_bit(struct ext2_fs *fs, uint32_t bmap, uint32_t bit, uint32_t *hint)
{
	struct bbuf bb;
	int err = bcache_get(fs->dev, bmap, fs->g.block_size, &bb);

	if (err)
		return err;
	bool was = bb.data[bit / 8] & (1u << (bit % 8));
	bb.data[bit / 8] &= (uint8_t)~(1u << (bit % 8));
	bcache_dirty(&bb, bit / 8, 1);
	bcache_put(&bb);
	if (hint && bit < *hint)
		*hint = bit;
	return was ? 0 : ext2_corrupt(fs, "freeing a free bit of bitmap block", bmap);
}

/* Zero a new block through the cache. */
static int zero_block(struct ext2_fs *fs, uint32_t blk)
{
	struct bbuf bb;
	int err = bcache_get_new(fs->dev, blk, fs->g.block_size, &bb);

	if (err)
		return err;
	memset(bb.data, 0, fs->g.block_size);
	bcache_dirty(&bb, 0, fs->g.block_size);
	bcache_put(&bb);
	return 0;
}

int ext2_block_alloc(struct ext2_fs *fs, uint32_t goal, uint32_t *blk)
{
	if (fs->read_only)
		return -EROFS;
	if (!fs->use_reserved && fs->sb.s_free_blocks_count <= fs->sb.s_r_blocks_count)
		return -ENOSPC;
	for (uint32_t i = 0; i < fs->g.groups; i++) {
		uint32_t g = (goal + i) % fs->g.groups;
		struct ext2_gd *gd = &fs->gd[g];
		if (gd->bg_free_blocks_count == 0)
			continue;
		long bit = take_bit(fs, gd->bg_block_bitmap, ext2_group_blocks(&fs->g, g), 0,
				    hint_of(fs, g, false));
		if (bit == -ENOSPC)
			continue;
		if (bit < 0)
			return (int)bit;
		gd->bg_free_blocks_count--;
		fs->sb.s_free_blocks_count--;
		ext2_gd_write(fs, g);
		ext2_sb_write(fs);
		*blk = fs->g.first_data_block + g * fs->g.blocks_per_group + (uint32_t)bit;
		return zero_block(fs, *blk);
	}
	return -ENOSPC;
}

int ext2_block_free(struct ext2_fs *fs, uint32_t blk)
{
	uint32_t rel = blk - fs->g.first_data_block;
	uint32_t g = rel / fs->g.blocks_per_group;

	if (blk < fs->g.first_data_block || blk >= fs->g.blocks_count)
		return ext2_corrupt(fs, "freeing a block out of range", blk);
	int err = clear_bit(fs, fs->gd[g].bg_block_bitmap, rel % fs->g.blocks_per_group,
			    hint_of(fs, g, false));
	if (err)
		return err;
	ext2_index_forget(&fs->dix, blk); /* a directory whose first block it was is gone */
	fs->gd[g].bg_free_blocks_count++;
	fs->sb.s_free_blocks_count++;
	ext2_gd_write(fs, g);
	return ext2_sb_write(fs);
}

/* A directory goes to the group with the most free inodes (spreading
 * directories as Linux's Orlov does in spirit); a file near its goal. */
static uint32_t inode_goal(const struct ext2_fs *fs, uint32_t goal, bool dir)
{
	uint32_t best = goal % fs->g.groups;

	if (!dir)
		return best;
	for (uint32_t g = 0; g < fs->g.groups; g++)
		if (fs->gd[g].bg_free_inodes_count > fs->gd[best].bg_free_inodes_count)
			best = g;
	return best;
}

int ext2_inode_alloc(struct ext2_fs *fs, uint32_t goal, bool dir, uint32_t *ino)
{
	uint32_t start = inode_goal(fs, goal, dir);

	if (fs->read_only)
		return -EROFS;
	for (uint32_t i = 0; i < fs->g.groups; i++) {
		uint32_t g = (start + i) % fs->g.groups;
		struct ext2_gd *gd = &fs->gd[g];
		/* the reserved inodes of group 0 are never handed out */
		uint32_t from = g == 0 ? fs->g.first_ino - 1 : 0;
		if (gd->bg_free_inodes_count == 0 || from >= fs->g.inodes_per_group)
			continue;
		/* from: a clear reserved bit below it is never taken */
		long bit = take_bit(fs, gd->bg_inode_bitmap, fs->g.inodes_per_group, from,
				    hint_of(fs, g, true));
		if (bit == -ENOSPC)
			continue;
		if (bit < 0)
			return (int)bit;
		gd->bg_free_inodes_count--;
		gd->bg_used_dirs_count += dir;
		fs->sb.s_free_inodes_count--;
		ext2_gd_write(fs, g);
		ext2_sb_write(fs);
		*ino = g * fs->g.inodes_per_group + (uint32_t)bit + 1;
		return 0;
	}
	return -ENOSPC;
}

void ext2_inode_free(struct ext2_fs *fs, uint32_t ino, bool dir)
{
	uint32_t g = ext2_ino_group(fs, ino);

	if (ino < fs->g.first_ino || ino > fs->g.inodes_count) {
		ext2_corrupt(fs, "freeing a reserved or out-of-range inode", ino);
		return;
	}
	if (clear_bit(fs, fs->gd[g].bg_inode_bitmap, (ino - 1) % fs->g.inodes_per_group,
		      hint_of(fs, g, true)))
		return;
	fs->gd[g].bg_free_inodes_count++;
	if (dir && fs->gd[g].bg_used_dirs_count)
		fs->gd[g].bg_used_dirs_count--;
	fs->sb.s_free_inodes_count++;
	ext2_gd_write(fs, g);
	ext2_sb_write(fs);
}
