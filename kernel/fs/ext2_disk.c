// SPDX-License-Identifier: MIT
/*
 * Kestrel: ext2's on-disk checks and arithmetic (see ext2_disk.h). Pure:
 * no kernel headers, no allocation; every field read from the disk is
 * checked here before the file system trusts it.
 */
#include "fs/ext2_disk.h"

#define S_IFMT_   0170000u
#define S_IFSOCK_ 0140000u
#define S_IFLNK_  0120000u
#define S_IFREG_  0100000u
#define S_IFBLK_  0060000u
#define S_IFDIR_  0040000u
#define S_IFCHR_  0020000u
#define S_IFIFO_  0010000u

/* Linux's DT_ values (getdents64's d_type) by ext2 file type. */
static const uint8_t dtype_by_ftype[EXT2_FT_MAX] = { 0, 8, 4, 2, 6, 1, 12, 10 };

/* The inode fields of a revision-1 superblock, checked. */
static bool parse_dynamic(const struct ext2_super *sb, struct ext2_geom *g, const char **why)
{
	g->inode_size = sb->s_inode_size;
	g->first_ino = sb->s_first_ino;
	if (g->inode_size < EXT2_GOOD_OLD_INODE_SIZE || g->inode_size > g->block_size ||
	    (g->inode_size & (g->inode_size - 1))) {
		*why = "bad inode size";
		return false;
	}
	if (g->first_ino < EXT2_GOOD_OLD_FIRST_INO || g->first_ino > g->inodes_count) {
		*why = "bad first inode";
		return false;
	}
	return true;
}

/* Block size, group sizes and counts, checked against each other and the device. */
static bool parse_geometry(const struct ext2_super *sb, uint64_t dev_bytes, struct ext2_geom *g,
			   const char **why)
{
	if (sb->s_log_block_size > EXT2_MAX_BLOCK_LOG - EXT2_MIN_BLOCK_LOG) {
		*why = "block size above 4096";
		return false;
	}
	g->block_size = 1024u << sb->s_log_block_size;
	g->ptrs = g->block_size / 4;
	g->blocks_count = sb->s_blocks_count;
	g->first_data_block = sb->s_first_data_block;
	g->blocks_per_group = sb->s_blocks_per_group;
	g->inodes_per_group = sb->s_inodes_per_group;
	g->inodes_count = sb->s_inodes_count;
	if (g->first_data_block != (g->block_size == 1024 ? 1u : 0u)) {
		*why = "bad first data block";
		return false;
	}
	if (g->blocks_per_group == 0 || g->blocks_per_group > 8 * g->block_size ||
	    g->blocks_per_group % 8) {
		*why = "bad blocks per group";
		return false;
	}
	if (g->inodes_per_group == 0 || g->inodes_per_group > 8 * g->block_size ||
	    g->inodes_per_group % 8) {
		*why = "bad inodes per group";
		return false;
	}
	if (g->blocks_count <= g->first_data_block) {
		*why = "bad block count";
		return false;
	}
	if ((uint64_t)g->blocks_count * g->block_size > dev_bytes) {
		*why = "file system larger than its device";
		return false;
	}
	g->groups = (g->blocks_count - g->first_data_block + g->blocks_per_group - 1) /
		    g->blocks_per_group;
	if ((uint64_t)g->groups * g->inodes_per_group != g->inodes_count) {
		*why = "inode count does not match the groups";
		return false;
	}
	return true;
}

/* The feature verdict: incompatible features refuse, read-only compatible ones demote. */
static enum ext2_verdict parse_features(const struct ext2_super *sb, struct ext2_geom *g,
					const char **why)
{
	uint32_t inc = sb->s_rev_level == EXT2_GOOD_OLD_REV ? 0 : sb->s_feature_incompat;
	uint32_t ro = sb->s_rev_level == EXT2_GOOD_OLD_REV ? 0 : sb->s_feature_ro_compat;

	g->filetype = inc & EXT2_FEATURE_INCOMPAT_FILETYPE;
	g->sparse_super = ro & EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER;
	g->large_file = ro & EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
	if (inc & EXT3_FEATURE_INCOMPAT_RECOVER) {
		*why = "the journal needs recovery (mount it with Linux or run e2fsck first)";
		return EXT2_SB_BAD;
	}
	if (inc & ~EXT2_FEATURE_INCOMPAT_SUPP) {
		*why = "unsupported incompatible features";
		return EXT2_SB_BAD;
	}
	if (ro & ~EXT2_FEATURE_RO_COMPAT_SUPP) {
		*why = "read-only compatible features it cannot keep up to date";
		return EXT2_SB_RO;
	}
	if (sb->s_state & EXT2_ERROR_FS) {
		*why = "errors recorded (run e2fsck)";
		return EXT2_SB_RO;
	}
	return EXT2_SB_OK;
}

enum ext2_verdict ext2_sb_parse(const struct ext2_super *sb, uint64_t dev_bytes, struct ext2_geom *g,
				const char **why)
{
	*why = "";
	if (sb->s_magic != EXT2_SUPER_MAGIC) {
		*why = "no ext2 magic";
		return EXT2_SB_BAD;
	}
	if (sb->s_rev_level > EXT2_DYNAMIC_REV) {
		*why = "revision above 1";
		return EXT2_SB_BAD;
	}
	if (!parse_geometry(sb, dev_bytes, g, why))
		return EXT2_SB_BAD;
	g->inode_size = EXT2_GOOD_OLD_INODE_SIZE;
	g->first_ino = EXT2_GOOD_OLD_FIRST_INO;
	if (sb->s_rev_level == EXT2_DYNAMIC_REV && !parse_dynamic(sb, g, why))
		return EXT2_SB_BAD;
	g->itable_blocks = (uint32_t)(((uint64_t)g->inodes_per_group * g->inode_size + g->block_size - 1) /
				      g->block_size);
	g->gdt_blocks = (uint32_t)(((uint64_t)g->groups * EXT2_GD_SIZE + g->block_size - 1) / g->block_size);
	if (g->itable_blocks >= g->blocks_per_group || g->gdt_blocks >= g->blocks_per_group) {
		*why = "metadata larger than a group";
		return EXT2_SB_BAD;
	}
	return parse_features(sb, g, why);
}

uint32_t ext2_group_blocks(const struct ext2_geom *geo, uint32_t g)
{
	uint32_t start = geo->first_data_block + g * geo->blocks_per_group;
	uint32_t left = geo->blocks_count - start;

	return left < geo->blocks_per_group ? left : geo->blocks_per_group;
}

/* Whether [blk, blk + n) lies inside group g. */
static bool in_group(const struct ext2_geom *geo, uint32_t g, uint32_t blk, uint32_t n)
{
	uint64_t start = geo->first_data_block + (uint64_t)g * geo->blocks_per_group;
	uint64_t end = start + ext2_group_blocks(geo, g);

	return blk >= start && (uint64_t)blk + n <= end;
}

bool ext2_gd_check(const struct ext2_geom *geo, const struct ext2_gd *gd, uint32_t g,
		   const char **why)
{
	if (!in_group(geo, g, gd->bg_block_bitmap, 1)) {
		*why = "block bitmap outside its group";
		return false;
	}
	if (!in_group(geo, g, gd->bg_inode_bitmap, 1)) {
		*why = "inode bitmap outside its group";
		return false;
	}
	if (!in_group(geo, g, gd->bg_inode_table, geo->itable_blocks)) {
		*why = "inode table outside its group";
		return false;
	}
	if (gd->bg_free_blocks_count > ext2_group_blocks(geo, g) ||
	    gd->bg_free_inodes_count > geo->inodes_per_group) {
		*why = "free counts larger than the group";
		return false;
	}
	return true;
}

/* n is a power of base (1 counts: base^0). */
static bool is_power_of(uint32_t n, uint32_t base)
{
	while (n > 1 && n % base == 0)
		n /= base;
	return n == 1;
}

bool ext2_group_has_super(const struct ext2_geom *geo, uint32_t g)
{
	if (!geo->sparse_super || g <= 1)
		return true;
	if (g % 2 == 0)
		return false;
	return is_power_of(g, 3) || is_power_of(g, 5) || is_power_of(g, 7);
}

const struct ext2_dirent *ext2_dirent_at(const uint8_t *blk, uint32_t off, uint32_t bs,
					 uint32_t inodes_count, const char **why)
{
	if (off > bs - EXT2_DIR_REC_LEN(1) || off % 4) {
		*why = "entry header past the block's end";
		return NULL;
	}
	const struct ext2_dirent *d = (const struct ext2_dirent *)(blk + off);
	if (d->rec_len < EXT2_DIR_REC_LEN(1) || d->rec_len % 4) {
		*why = "bad rec_len";
		return NULL;
	}
	if (d->rec_len > bs - off) {
		*why = "rec_len past the block's end";
		return NULL;
	}
	if (d->inode && (d->rec_len < EXT2_DIR_REC_LEN(d->name_len) || d->name_len == 0)) {
		*why = "rec_len too short for the name";
		return NULL;
	}
	if (d->inode > inodes_count) {
		*why = "inode number out of range";
		return NULL;
	}
	return d;
}

int ext2_bmap_path(uint32_t ptrs, uint64_t lblk, uint32_t idx[4])
{
	uint64_t p = ptrs, p2 = p * p;

	if (lblk < EXT2_NDIR_BLOCKS) {
		idx[0] = (uint32_t)lblk;
		return 1;
	}
	lblk -= EXT2_NDIR_BLOCKS;
	if (lblk < p) {
		idx[0] = EXT2_IND_BLOCK;
		idx[1] = (uint32_t)lblk;
		return 2;
	}
	lblk -= p;
	if (lblk < p2) {
		idx[0] = EXT2_DIND_BLOCK;
		idx[1] = (uint32_t)(lblk / p);
		idx[2] = (uint32_t)(lblk % p);
		return 3;
	}
	lblk -= p2;
	if (lblk < p2 * p) {
		idx[0] = EXT2_TIND_BLOCK;
		idx[1] = (uint32_t)(lblk / p2);
		idx[2] = (uint32_t)(lblk / p % p);
		idx[3] = (uint32_t)(lblk % p);
		return 4;
	}
	return 0;
}

uint64_t ext2_max_blocks(uint32_t ptrs)
{
	uint64_t p = ptrs;

	return EXT2_NDIR_BLOCKS + p + p * p + p * p * p;
}

uint8_t ext2_ftype_of_mode(uint32_t mode)
{
	switch (mode & S_IFMT_) {
	case S_IFREG_: return EXT2_FT_REG_FILE;
	case S_IFDIR_: return EXT2_FT_DIR;
	case S_IFCHR_: return EXT2_FT_CHRDEV;
	case S_IFBLK_: return EXT2_FT_BLKDEV;
	case S_IFIFO_: return EXT2_FT_FIFO;
	case S_IFSOCK_: return EXT2_FT_SOCK;
	case S_IFLNK_: return EXT2_FT_SYMLINK;
	}
	return EXT2_FT_UNKNOWN;
}

unsigned ext2_dtype_of_ftype(uint8_t ftype)
{
	return ftype < EXT2_FT_MAX ? dtype_by_ftype[ftype] : 0;
}

uint64_t ext2_inode_size(const struct ext2_inode *in)
{
	uint64_t size = in->i_size;

	if ((in->i_mode & S_IFMT_) == S_IFREG_)
		size |= (uint64_t)in->i_size_high << 32;
	return size;
}

void ext2_inode_set_size(struct ext2_inode *in, uint64_t size)
{
	in->i_size = (uint32_t)size;
	if ((in->i_mode & S_IFMT_) == S_IFREG_)
		in->i_size_high = (uint32_t)(size >> 32);
}

void ext2_inode_rdev(const struct ext2_inode *in, uint32_t *major, uint32_t *minor)
{
	uint32_t old = in->i_block[0], nw = in->i_block[1];

	if (old) {
		*major = (old >> 8) & 0xff;
		*minor = old & 0xff;
	} else {
		*major = (nw & 0xfff00) >> 8;
		*minor = (nw & 0xff) | ((nw >> 12) & 0xfff00);
	}
}

void ext2_inode_set_rdev(struct ext2_inode *in, uint32_t major, uint32_t minor)
{
	if (major < 256 && minor < 256) {
		in->i_block[0] = major << 8 | minor;
		in->i_block[1] = 0;
	} else {
		in->i_block[0] = 0;
		in->i_block[1] = (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
	}
	in->i_block[2] = 0;
}

bool ext2_inode_fast_symlink(const struct ext2_inode *in, uint32_t block_size)
{
	uint32_t acl = in->i_file_acl ? block_size / 512 : 0;

	return (in->i_mode & S_IFMT_) == S_IFLNK_ && in->i_blocks - acl == 0 &&
	       in->i_size < EXT2_FAST_LINK_MAX;
}
