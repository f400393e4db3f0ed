/* SPDX-License-Identifier: MIT */
/*
 * ext2's engine below the VFS: a mounted file system's superblock and
 * group descriptors, inodes by number (ext2_meta.c), allocation from the
 * bitmaps (ext2_alloc.c), block mapping (direct, indirect, double and
 * triple), file data and truncation (ext2_core.c) and directory entries
 * (ext2_dir.c, with the names of big directories in memory:
 * ext2_index.h, pure, below them all), each file calling only those
 * before it. It reaches the disk only through the
 * block cache (block/bcache.h) and knows nothing of struct inode, so
 * the host tests and the fuzzer run it over an image in memory
 * (tests/unit/ext2_host.h stands in for the cache).
 *
 * Lock rule: the caller (ext2.c) holds the file system's sleeplock
 * around every call; these functions sleep in the block cache.
 * Errors: -EIO for a device error or a structure found corrupt (logged
 * with the inode or block), -ENOSPC, -EFBIG, -ENOMEM, -ENOENT, -EEXIST,
 * -EINTR (a directory walk stopped for SIGKILL: io_should_stop).
 */
#ifndef KESTREL_FS_EXT2_CORE_H
#define KESTREL_FS_EXT2_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "block/bcache.h"
#include "fs/ext2_disk.h"
#include "fs/ext2_index.h"

struct ext2_fs {
	struct blkdev *dev;
	struct ext2_geom g;
	struct ext2_super sb;       /* the primary superblock, written through on change */
	struct ext2_gd *gd;         /* g.groups descriptors, written through on change */
	bool read_only;
	uint16_t mount_state;       /* s_state as found at mount (restored at unmount) */
	uint64_t max_size;          /* the largest file size the block map allows */
	unsigned errors_logged;     /* corruption lines logged (a few, then quiet) */
	bool use_reserved;          /* the caller may take the s_r_blocks_count kept for root */
	struct ext2_dir_index *dix; /* the last directories' name indexes (ext2_dir.c), most recent first */
	unsigned dix_builds;        /* indexes built by a scan (the host tests count them) */
	uint32_t *hint;             /* per group, blocks then inodes: every bitmap bit below is set (ext2_alloc.c) */
};

/* Read and check dev's superblock and group descriptors into fs.
 * want_ro: mount read-only. 0 (fs->read_only set when a feature or
 * recorded errors demote it; *why says why), -EINVAL (not ext2 or
 * refused: *why), -EIO, -ENOMEM. */
int ext2_fs_load(struct blkdev *dev, bool want_ro, struct ext2_fs *fs, const char **why);
void ext2_fs_free(struct ext2_fs *fs);
/* A structure found corrupt (what, and its number n): logged, ERROR_FS
 * recorded in s_state for e2fsck, and -EIO for the caller to return. */
int ext2_corrupt(struct ext2_fs *fs, const char *what, uint64_t n);
/* Write the in-memory superblock / group descriptor g to the cache. */
int ext2_sb_write(struct ext2_fs *fs);
int ext2_gd_write(struct ext2_fs *fs, uint32_t g);

/* Inode ino's first 128 bytes: 0, -EIO (ino out of range or a read error). */
int ext2_iread(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *out);
int ext2_iwrite(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in);

/* The disk block of logical block lblk of in (*pblk 0: a hole), with
 * create making it (and the indirect blocks on its way: in->i_blocks
 * counts them) near inode ino's group. */
int ext2_bmap(struct ext2_fs *fs, struct ext2_inode *in, uint32_t ino, uint64_t lblk, bool create,
	      uint32_t *pblk);
/* Up to n bytes of in's data at off into buf: the count (0 at the end) or -errno. */
long ext2_read(struct ext2_fs *fs, struct ext2_inode *in, uint64_t off, void *buf, size_t n);
/* n bytes of buf at off, allocating blocks and growing i_size: the
 * count written (short at ENOSPC) or -errno when nothing was. */
long ext2_write(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint64_t off,
		const void *buf, size_t n);
/* Make in size bytes long: blocks past it freed, the tail of its last
 * block zeroed (growth reads zeros: a hole). */
int ext2_truncate(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint64_t size);
/* A symlink's target into buf (cap bytes, no NUL): its length or -errno. */
int ext2_readlink(struct ext2_fs *fs, struct ext2_inode *in, char *buf, size_t cap);
/* Store target (len bytes) in the new symlink in: in i_block when short, else a block. */
int ext2_set_symlink(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, const char *target,
		     size_t len);

/* Allocation from the bitmaps, near group goal; counts kept in the
 * group descriptor and the superblock. A new block is zeroed. The last
 * s_r_blocks_count free blocks go only to a caller with use_reserved. */
int ext2_block_alloc(struct ext2_fs *fs, uint32_t goal, uint32_t *blk);
int ext2_block_free(struct ext2_fs *fs, uint32_t blk);
int ext2_inode_alloc(struct ext2_fs *fs, uint32_t goal, bool dir, uint32_t *ino);
void ext2_inode_free(struct ext2_fs *fs, uint32_t ino, bool dir);
/* The last link of ino is gone and nobody holds it: its blocks and its
 * number go back to the bitmaps, i_dtime = now. */
int ext2_inode_release(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint32_t now);
/* The group inode ino lives in. */
uint32_t ext2_ino_group(const struct ext2_fs *fs, uint32_t ino);

/* Directories (ext2_dir.c). Positions are byte offsets in the directory. */
typedef bool (*ext2_emit_fn)(void *ctx, const char *name, size_t len, uint32_t ino, uint8_t ftype,
			     uint64_t next);
/* Emit the live entries but "." and ".." from byte *pos on, until emit
 * says stop; *pos then names the first entry not emitted. */
int ext2_dir_iterate(struct ext2_fs *fs, struct ext2_inode *din, uint64_t *pos, ext2_emit_fn emit,
		     void *ctx);
/* The entry called name: 0 with *ino and *ftype, -ENOENT, -EIO. */
int ext2_dir_find(struct ext2_fs *fs, struct ext2_inode *din, const char *name, size_t len,
		  uint32_t *ino, uint8_t *ftype);
/* Add an entry (the caller checked the name is free); may grow the directory. */
int ext2_dir_add(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *din, const char *name,
		 size_t len, uint32_t ino, uint8_t ftype);
/* Remove the entry called name: 0 or -ENOENT. */
int ext2_dir_remove(struct ext2_fs *fs, struct ext2_inode *din, const char *name, size_t len);
/* Point the entry called name (".." too) at ino: 0 or -ENOENT. */
int ext2_dir_retarget(struct ext2_fs *fs, struct ext2_inode *din, const char *name, size_t len,
		      uint32_t ino, uint8_t ftype);
/* The first block of a new directory ino in parent: "." and "..". */
int ext2_dir_init(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint32_t parent);

#endif
