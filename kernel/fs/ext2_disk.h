/* SPDX-License-Identifier: MIT */
/*
 * ext2 on the disk: the superblock, group descriptors, inodes and
 * directory entries as Linux's ext2 lays them out (little-endian, read
 * in place on x86), and the pure checks and arithmetic over them: the
 * superblock's geometry and feature verdict, a group descriptor's
 * ranges, one directory entry's rec_len rules, sparse-superblock groups
 * and the logical-block-to-indirection path. No kernel headers: this
 * and ext2_disk.c compile on the host for the unit tests and the fuzzer.
 */
#ifndef KESTREL_FS_EXT2_DISK_H
#define KESTREL_FS_EXT2_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXT2_SUPER_MAGIC      0xef53
#define EXT2_SB_OFFSET        1024u     /* bytes from the device's start */
#define EXT2_SB_SIZE          1024u
#define EXT2_MIN_BLOCK_LOG    10        /* 1 KiB */
#define EXT2_MAX_BLOCK_LOG    12        /* 4 KiB: the block cache's page */
#define EXT2_ROOT_INO         2
#define EXT2_GOOD_OLD_REV     0
#define EXT2_DYNAMIC_REV      1
#define EXT2_GOOD_OLD_INODE_SIZE 128u
#define EXT2_GOOD_OLD_FIRST_INO  11u
#define EXT2_NDIR_BLOCKS      12
#define EXT2_IND_BLOCK        12
#define EXT2_DIND_BLOCK       13
#define EXT2_TIND_BLOCK       14
#define EXT2_N_BLOCKS         15
#define EXT2_NAME_LEN         255
#define EXT2_FAST_LINK_MAX    (EXT2_N_BLOCKS * 4)  /* a target shorter than this lives in i_block */
#define EXT2_GD_SIZE          32u

/* s_state */
#define EXT2_VALID_FS         0x0001    /* cleanly unmounted */
#define EXT2_ERROR_FS         0x0002    /* errors detected */

/* s_feature_compat: none changes how ext2 reads or writes */
#define EXT2_FEATURE_COMPAT_HAS_JOURNAL   0x0004
#define EXT2_FEATURE_COMPAT_DIR_INDEX     0x0020
/* s_feature_incompat */
#define EXT2_FEATURE_INCOMPAT_FILETYPE    0x0002
#define EXT3_FEATURE_INCOMPAT_RECOVER     0x0004
#define EXT2_FEATURE_INCOMPAT_SUPP        EXT2_FEATURE_INCOMPAT_FILETYPE
/* s_feature_ro_compat */
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER 0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE   0x0002
#define EXT2_FEATURE_RO_COMPAT_SUPP \
	(EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE)

/* i_flags */
#define EXT2_INDEX_FL         0x00001000  /* hashed directory: dropped at the first change */

/* Directory entry file types (with INCOMPAT_FILETYPE) */
enum {
	EXT2_FT_UNKNOWN, EXT2_FT_REG_FILE, EXT2_FT_DIR, EXT2_FT_CHRDEV,
	EXT2_FT_BLKDEV, EXT2_FT_FIFO, EXT2_FT_SOCK, EXT2_FT_SYMLINK, EXT2_FT_MAX
};

struct ext2_super {
	uint32_t s_inodes_count;
	uint32_t s_blocks_count;
	uint32_t s_r_blocks_count;
	uint32_t s_free_blocks_count;
	uint32_t s_free_inodes_count;
	uint32_t s_first_data_block;
	uint32_t s_log_block_size;
	uint32_t s_log_frag_size;
	uint32_t s_blocks_per_group;
	uint32_t s_frags_per_group;
	uint32_t s_inodes_per_group;
	uint32_t s_mtime;
	uint32_t s_wtime;
	uint16_t s_mnt_count;
	int16_t s_max_mnt_count;
	uint16_t s_magic;
	uint16_t s_state;
	uint16_t s_errors;
	uint16_t s_minor_rev_level;
	uint32_t s_lastcheck;
	uint32_t s_checkinterval;
	uint32_t s_creator_os;
	uint32_t s_rev_level;
	uint16_t s_def_resuid;
	uint16_t s_def_resgid;
	/* EXT2_DYNAMIC_REV */
	uint32_t s_first_ino;
	uint16_t s_inode_size;
	uint16_t s_block_group_nr;
	uint32_t s_feature_compat;
	uint32_t s_feature_incompat;
	uint32_t s_feature_ro_compat;
	uint8_t s_uuid[16];
	char s_volume_name[16];
	char s_last_mounted[64];
	uint32_t s_algorithm_usage_bitmap;
	uint8_t s_prealloc_blocks;
	uint8_t s_prealloc_dir_blocks;
	uint16_t s_reserved_gdt_blocks;
	uint8_t s_rest[EXT2_SB_SIZE - 208];
};

struct ext2_gd {
	uint32_t bg_block_bitmap;
	uint32_t bg_inode_bitmap;
	uint32_t bg_inode_table;
	uint16_t bg_free_blocks_count;
	uint16_t bg_free_inodes_count;
	uint16_t bg_used_dirs_count;
	uint16_t bg_flags;
	uint8_t bg_reserved[12];
};

struct ext2_inode {
	uint16_t i_mode;
	uint16_t i_uid;
	uint32_t i_size;
	uint32_t i_atime;
	uint32_t i_ctime;
	uint32_t i_mtime;
	uint32_t i_dtime;
	uint16_t i_gid;
	uint16_t i_links_count;
	uint32_t i_blocks;          /* 512-byte units, indirect blocks included */
	uint32_t i_flags;
	uint32_t i_osd1;
	uint32_t i_block[EXT2_N_BLOCKS];
	uint32_t i_generation;
	uint32_t i_file_acl;
	uint32_t i_size_high;       /* i_dir_acl in revision 0 */
	uint32_t i_faddr;
	uint16_t i_blocks_hi;
	uint16_t i_file_acl_high;
	uint16_t i_uid_high;
	uint16_t i_gid_high;
	uint16_t i_checksum_lo;
	uint16_t i_reserved;
};

struct ext2_dirent {
	uint32_t inode;             /* 0: an unused entry */
	uint16_t rec_len;
	uint8_t name_len;
	uint8_t file_type;          /* the high byte of name_len without FILETYPE */
	char name[];
} __attribute__((packed));

_Static_assert(sizeof(struct ext2_super) == EXT2_SB_SIZE, "ext2 superblock layout");
_Static_assert(sizeof(struct ext2_gd) == EXT2_GD_SIZE, "ext2 group descriptor layout");
_Static_assert(sizeof(struct ext2_inode) == EXT2_GOOD_OLD_INODE_SIZE, "ext2 inode layout");
_Static_assert(sizeof(struct ext2_dirent) == 8, "ext2 dirent header");
_Static_assert(offsetof(struct ext2_super, s_reserved_gdt_blocks) == 206, "ext2 superblock layout");
_Static_assert(offsetof(struct ext2_inode, i_block) == 40, "ext2 inode layout");

/* The bytes a directory entry with a name of n bytes needs (rec_len's floor). */
#define EXT2_DIR_REC_LEN(n)   ((8u + (unsigned)(n) + 3u) & ~3u)

/* What the superblock says about the file system, checked. */
struct ext2_geom {
	uint32_t block_size;        /* 1024, 2048 or 4096 */
	uint32_t blocks_count;
	uint32_t first_data_block;
	uint32_t blocks_per_group;
	uint32_t inodes_per_group;
	uint32_t inodes_count;
	uint32_t groups;
	uint32_t inode_size;
	uint32_t first_ino;         /* the first inode not reserved */
	uint32_t itable_blocks;     /* inode table blocks per group */
	uint32_t gdt_blocks;        /* blocks of group descriptors */
	uint32_t ptrs;              /* block numbers in one indirect block */
	bool sparse_super;
	bool filetype;
	bool large_file;
};

enum ext2_verdict {
	EXT2_SB_OK,                 /* mountable read-write */
	EXT2_SB_RO,                 /* mountable read-only only: why says so */
	EXT2_SB_BAD,                /* refused: why says so */
};

/* Check the 1024 bytes of superblock at sb against a device of
 * dev_bytes bytes and fill g. *why gets the reason for any
 * verdict but EXT2_SB_OK (a journal to replay, an unknown incompatible
 * feature, a bad field; a read-only compatible feature it cannot keep,
 * errors recorded in s_state). */
enum ext2_verdict ext2_sb_parse(const struct ext2_super *sb, uint64_t dev_bytes, struct ext2_geom *g,
				const char **why);
/* Check group g's descriptor: its bitmaps and inode table inside the
 * file system and its free counts within the group. False with why. */
bool ext2_gd_check(const struct ext2_geom *geo, const struct ext2_gd *gd, uint32_t g,
		   const char **why);
/* Whether group g holds a superblock copy (all groups, or 0, 1 and the
 * powers of 3, 5 and 7 with SPARSE_SUPER). */
bool ext2_group_has_super(const struct ext2_geom *geo, uint32_t g);
/* The blocks of group g (the last group may be short). */
uint32_t ext2_group_blocks(const struct ext2_geom *geo, uint32_t g);

/* Check the directory entry at off of a directory block (bs bytes):
 * rec_len a multiple of 4, at least 12 and the name's need, inside the
 * block; the inode within inodes_count. NULL with why, or the entry. */
const struct ext2_dirent *ext2_dirent_at(const uint8_t *blk, uint32_t off, uint32_t bs,
					 uint32_t inodes_count, const char **why);

/* The path to logical block lblk of a file: depth 1 (direct: idx[0] in
 * i_block), 2 (idx[0] = EXT2_IND_BLOCK, idx[1] in it), 3 or 4 (double
 * and triple indirect); 0 when lblk is beyond what ptrs per block map. */
int ext2_bmap_path(uint32_t ptrs, uint64_t lblk, uint32_t idx[4]);
/* The most logical blocks a file can map with ptrs per block. */
uint64_t ext2_max_blocks(uint32_t ptrs);

/* Mode bits to a directory entry's file type and to getdents' DT_ type. */
uint8_t ext2_ftype_of_mode(uint32_t mode);
unsigned ext2_dtype_of_ftype(uint8_t ftype);

/* A regular file's size (the high half counts in revision 1), and setting it. */
uint64_t ext2_inode_size(const struct ext2_inode *in);
void ext2_inode_set_size(struct ext2_inode *in, uint64_t size);
/* The device numbers of a device inode, as Linux's ext2 stores them
 * (old: i_block[0] = major << 8 | minor; new: i_block[1]), and storing them. */
void ext2_inode_rdev(const struct ext2_inode *in, uint32_t *major, uint32_t *minor);
void ext2_inode_set_rdev(struct ext2_inode *in, uint32_t major, uint32_t minor);
/* A symlink whose target is in i_block (no data block). */
bool ext2_inode_fast_symlink(const struct ext2_inode *in, uint32_t block_size);

#endif
