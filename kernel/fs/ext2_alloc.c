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

/* The first clear bit below nbits in bitmap, or -1. */
static long find_zero(const uint8_t *bitmap, uint32_t nbits)
{
	for (uint32_t byte = 0; byte * 8 < nbits; byte++) {
		if (bitmap[byte] == 0xff)
			continue;
		for (uint32_t bit = 0; bit < 8 && byte * 8 + bit < nbits; bit++)
			if (!(bitmap[byte] & (1u << bit)))
				return (long)(byte * 8 + bit);
	}
	return -1;
}

/* Take the first free bit of the bitmap in block bmap (nbits long):
 * its index, -ENOSPC when full (the count said otherwise: logged), or
 * -EIO. */
static long take_bit(struct ext2_fs *fs, uint32_t bmap, uint32_t nbits, uint32_t from)
{
	struct bbuf bb;
	int err = bcache_get(fs->dev, bmap, fs->g.block_size, &bb);

	if (err)
		return err;
	long bit = find_zero(bb.data + from / 8, nbits - from / 8 * 8);
	if (bit >= 0) {
		bit += from / 8 * 8;
		bb.data[bit / 8] |= (uint8_t)(1u << (bit % 8));
		bcache_dirty(&bb, (uint32_t)(bit / 8), 1);
	}
	bcache_put(&bb);
	if (bit < 0) {
		ext2_corrupt(fs, "bitmap full but free count says otherwise, block", bmap);
		return -ENOSPC;
	}
	return bit;
}

/* Clear bit of the bitmap in block bmap: 0, or -EIO (already clear: logged). */
static int clear_bit(struct ext2_fs *fs, uint32_t bmap, uint32_t bit)
{
	struct bbuf bb;
	int err = bcache_get(fs->dev, bmap, fs->g.block_size, &bb);

	if (err)
		return err;
	bool was = bb.data[bit / 8] & (1u << (bit % 8));
	bb.data[bit / 8] &= (uint8_t)~(1u << (bit % 8));
	bcache_dirty(&bb, bit / 8, 1);
	bcache_put(&bb);
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
		long bit = take_bit(fs, gd->bg_block_bitmap, ext2_group_blocks(&fs->g, g), 0);
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
	int err = clear_bit(fs, fs->gd[g].bg_block_bitmap, rel % fs->g.blocks_per_group);
	if (err)
		return err;
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
		long bit = take_bit(fs, gd->bg_inode_bitmap, fs->g.inodes_per_group, from);
		if (bit == -ENOSPC)
			continue;
		if (bit < 0)
			return (int)bit;
		if ((uint32_t)bit < from) { /* a reserved one was clear: put it back */
			clear_bit(fs, gd->bg_inode_bitmap, (uint32_t)bit);
			continue;
		}
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
	if (clear_bit(fs, fs->gd[g].bg_inode_bitmap, (ino - 1) % fs->g.inodes_per_group))
		return;
	fs->gd[g].bg_free_inodes_count++;
	if (dir && fs->gd[g].bg_used_dirs_count)
		fs->gd[g].bg_used_dirs_count--;
	fs->sb.s_free_inodes_count++;
	ext2_gd_write(fs, g);
	ext2_sb_write(fs);
}
