// SPDX-License-Identifier: MIT
/*
 * Kestrel: ext2's metadata (see ext2_core.h): mounting checks, the
 * superblock and group descriptors written through to the block cache,
 * inodes by number, and the record of a corrupt structure. The bottom
 * of the engine: it calls only ext2_disk.c and the block cache.
 */
#include "fs/ext2_core.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "log.h"
#include "mm/heap.h"

#define MAX_ERROR_LINES 16    /* a corrupt image logs this many, then stays quiet */
#define BLOCKS_LIMIT   (1ull << 32) /* i_blocks counts 512-byte units in 32 bits */

/* A structure found corrupt: logged, recorded in s_state (e2fsck will
 * look), -EIO for the caller. */
int ext2_corrupt(struct ext2_fs *fs, const char *what, uint64_t n)
{
	if (fs->errors_logged < MAX_ERROR_LINES && ++fs->errors_logged)
		klog(LOG_ERR, "ext2: %s: %s %lu: file system error\n", fs->dev->name, what, (unsigned long)n);
	if (!fs->read_only && !(fs->sb.s_state & EXT2_ERROR_FS)) {
		fs->sb.s_state |= EXT2_ERROR_FS;
		fs->mount_state |= EXT2_ERROR_FS;
		ext2_sb_write(fs);
	}
	return -EIO;
}

/* ---------------------------------------------------------------- mount */

/* Read and check every group descriptor. */
static int load_groups(struct ext2_fs *fs, const char **why)
{
	uint32_t bs = fs->g.block_size, per = bs / EXT2_GD_SIZE;

	fs->gd = kmalloc((size_t)fs->g.groups * EXT2_GD_SIZE);
	if (!fs->gd)
		return -ENOMEM;
	for (uint32_t b = 0; b < fs->g.gdt_blocks; b++) {
		struct bbuf bb;
		int err = bcache_get(fs->dev, fs->g.first_data_block + 1 + b, bs, &bb);
		if (err)
			return err;
		uint32_t n = fs->g.groups - b * per < per ? fs->g.groups - b * per : per;
		memcpy(&fs->gd[b * per], bb.data, n * EXT2_GD_SIZE);
		bcache_put(&bb);
	}
	for (uint32_t g = 0; g < fs->g.groups; g++) {
		if (!ext2_gd_check(&fs->g, &fs->gd[g], g, why)) {
			klog(LOG_ERR, "ext2: %s: group %u: %s\n", fs->dev->name, g, *why);
			return -EINVAL;
		}
	}
	return 0;
}

int ext2_fs_load(struct blkdev *dev, bool want_ro, struct ext2_fs *fs, const char **why)
{
	struct bbuf bb;

	memset(fs, 0, sizeof(*fs));
	fs->dev = dev;
	int err = bcache_get(dev, EXT2_SB_OFFSET / EXT2_SB_SIZE, EXT2_SB_SIZE, &bb);
	if (err) {
		*why = "cannot read the superblock";
		return err;
	}
	memcpy(&fs->sb, bb.data, sizeof(fs->sb));
	bcache_put(&bb);
	enum ext2_verdict v = ext2_sb_parse(&fs->sb, dev->nsect * SECTOR_SIZE, &fs->g, why);
	if (v == EXT2_SB_BAD)
		return -EINVAL;
	fs->read_only = want_ro || v == EXT2_SB_RO || dev->read_only;
	fs->mount_state = fs->sb.s_state;
	uint64_t maxb = ext2_max_blocks(fs->g.ptrs);
	uint64_t lim = BLOCKS_LIMIT / (fs->g.block_size / 512) / 2; /* room for indirect blocks */
	fs->max_size = (maxb < lim ? maxb : lim) * fs->g.block_size;
	err = load_groups(fs, why);
	if (err) {
		ext2_fs_free(fs);
		return err;
	}
	return 0;
}

void ext2_fs_free(struct ext2_fs *fs)
{
	ext2_index_free_all(&fs->dix);
	kfree(fs->hint);
	fs->hint = NULL;
	kfree(fs->gd);
	fs->gd = NULL;
}

int ext2_sb_write(struct ext2_fs *fs)
{
	struct bbuf bb;
	int err = bcache_get(fs->dev, EXT2_SB_OFFSET / EXT2_SB_SIZE, EXT2_SB_SIZE, &bb);

	if (err)
		return err;
	if (memcmp(bb.data, &fs->sb, sizeof(fs->sb))) {
		memcpy(bb.data, &fs->sb, sizeof(fs->sb));
		bcache_dirty(&bb, 0, sizeof(fs->sb));
	}
	bcache_put(&bb);
	return 0;
}

int ext2_gd_write(struct ext2_fs *fs, uint32_t g)
{
	uint32_t bs = fs->g.block_size;
	uint64_t at = (uint64_t)g * EXT2_GD_SIZE;
	struct bbuf bb;
	int err = bcache_get(fs->dev, fs->g.first_data_block + 1 + at / bs, bs, &bb);

	if (err)
		return err;
	memcpy(bb.data + at % bs, &fs->gd[g], EXT2_GD_SIZE);
	bcache_dirty(&bb, (uint32_t)(at % bs), EXT2_GD_SIZE);
	bcache_put(&bb);
	return 0;
}

/* ---------------------------------------------------------------- inodes */

uint32_t ext2_ino_group(const struct ext2_fs *fs, uint32_t ino)
{
	return (ino - 1) / fs->g.inodes_per_group;
}

/* Hold the block holding inode ino; *off gets its offset in the block. */
static int inode_block(struct ext2_fs *fs, uint32_t ino, struct bbuf *bb, uint32_t *off)
{
	if (ino == 0 || ino > fs->g.inodes_count)
		return ext2_corrupt(fs, "inode number out of range", ino);
	uint32_t idx = (ino - 1) % fs->g.inodes_per_group;
	uint64_t byte = (uint64_t)idx * fs->g.inode_size;
	uint32_t blk = fs->gd[ext2_ino_group(fs, ino)].bg_inode_table + (uint32_t)(byte / fs->g.block_size);

	*off = (uint32_t)(byte % fs->g.block_size);
	return bcache_get(fs->dev, blk, fs->g.block_size, bb);
}

int ext2_iread(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *out)
{
	struct bbuf bb;
	uint32_t off;
	int err = inode_block(fs, ino, &bb, &off);

	if (err)
		return err;
	memcpy(out, bb.data + off, sizeof(*out));
	bcache_put(&bb);
	return 0;
}

int ext2_iwrite(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in)
{
	struct bbuf bb;
	uint32_t off;
	int err = inode_block(fs, ino, &bb, &off);

	if (err)
		return err;
	if (memcmp(bb.data + off, in, sizeof(*in))) {
		memcpy(bb.data + off, in, sizeof(*in));
		bcache_dirty(&bb, off, sizeof(*in));
	}
	bcache_put(&bb);
	return 0;
}

