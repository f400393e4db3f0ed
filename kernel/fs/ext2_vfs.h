/* SPDX-License-Identifier: MIT */
/*
 * ext2 under the VFS, inside: the mount and the in-memory inodes shared
 * by ext2_inode.c (the table of live inodes, the lock, writing inodes
 * back), ext2_ops.c (the inode and file operations) and ext2.c (the
 * mount's life and fs/fstype.h's ext2_fs_type), in that order of calls.
 *
 * In-memory inodes are transient (freed at their last reference) and
 * found again by number in the mount's table while alive, so one disk
 * inode has at most one struct inode. The VFS changes modes, owners and
 * times in struct inode directly; they reach the disk when the inode is
 * written: at its eviction, at sync and at fsync. Eviction cannot sleep
 * for the lock, so an evicted inode waits on the mount's "gone" list
 * and is written (or, with no link left, freed on the disk) by the next
 * operation to take the lock.
 */
#ifndef KESTREL_FS_EXT2_VFS_H
#define KESTREL_FS_EXT2_VFS_H

#include "fs/ext2_core.h"
#include "fs/inode.h"
#include "proc/sched.h"

#define EXT2_MAGIC     0xef53
#define EXT2_NODE_HASH 256u           /* live inodes' table buckets */

struct ext2_mount;

struct ext2_node {
	uint32_t ino;
	struct ext2_inode raw;        /* the disk inode; block map and size are the engine's */
	struct inode *ip;             /* NULL once evicted */
	void *fifo;                   /* a FIFO's pipe (fs/pipe.h) */
	struct ext2_node *next;       /* in the table's bucket, or on the gone list */
	struct ext2_mount *m;
	/* sequential read-ahead (ext2_ops.c), under the mount's lock */
	uint64_t ra_next;             /* where the last read ended: a read from here is sequential */
	uint64_t ra_end;              /* read-ahead was started up to this byte of the file */
	uint32_t ra_win;              /* the window: 0 after a jump, doubling up to RA_MAX */
};

/*
 * Lock rule: lock serialises every operation that touches the disk (the
 * engine sleeps in the block cache); live and gone change only under
 * it, except that eviction (not sleeping, one CPU, no kernel
 * preemption) moves a node from live to gone. The flags are the
 * mount's, changed under lock.
 */
struct ext2_mount {
	struct fs_info info;          /* the inodes' fs: first, so an inode finds its mount */
	struct ext2_fs fs;
	const struct inode_ops *iops; /* ext2_ops.c's, for the inodes made */
	struct sleeplock lock;
	struct ext2_node *live[EXT2_NODE_HASH];
	struct ext2_node *gone;
	unsigned nlive;
	bool forced_ro;               /* a feature or recorded errors keep it read-only */
	bool marked_clean;            /* s_state has VALID on the disk now */
	bool killed;                  /* unmounted: freed with its last node */
};

static inline struct ext2_mount *ext2_mount_of(const struct inode *ip)
{
	return (struct ext2_mount *)(uintptr_t)ip->fs;
}

static inline struct ext2_node *ext2_node_of(const struct inode *ip)
{
	return ip->priv;
}

/* ext2_inode.c */
uint32_t ext2_now(void);
/* The VFS's fields of ip into its disk inode. */
void ext2_to_raw(const struct inode *ip, struct ext2_inode *raw);
/* The node for ino while it has a struct inode, or NULL. */
struct ext2_node *ext2_live_find(struct ext2_mount *m, uint32_t ino);
/* Write node's disk inode if it changed (the file system is then not clean). Locked. */
int ext2_write_node(struct ext2_mount *m, struct ext2_node *n);
/* Write every live inode: 0 or -EIO. Locked. */
int ext2_write_live(struct ext2_mount *m);
/* Settle the evicted inodes: written, or freed on the disk. Locked. */
void ext2_drain_gone(struct ext2_mount *m);
/* Take the mount's lock (settling evicted inodes): 0 or -EINTR; the
 * write form first refuses a read-only mount (-EROFS) and marks the
 * superblock not clean. */
int ext2_lock(struct ext2_mount *m);
int ext2_lock_write(struct ext2_mount *m);
void ext2_unlock(struct ext2_mount *m);
/* The superblock says "not clean" on the disk, written at once (the
 * first change after a sync marked it clean). */
void ext2_mark_dirty(struct ext2_mount *m);
/* A struct inode for node n (its disk inode read), a directory's parent
 * and name set, entered in the table. 0 or -ENOMEM. Locked. */
int ext2_make_inode(struct ext2_mount *m, struct ext2_node *n, struct inode *dir, const char *name,
		    size_t len, struct inode **out);
/* A reference to inode ino, found in dir under name: 0, -EIO (a free
 * or bad inode: logged), -ENOMEM. Locked. */
int ext2_iget(struct ext2_mount *m, uint32_t ino, struct inode *dir, const char *name, size_t len,
	      struct inode **out);
/* The evict operation (see above), and freeing a mount. */
void ext2_evict(struct inode *ip);
void ext2_free_mount(struct ext2_mount *m);

/* ext2_ops.c */
extern const struct inode_ops ext2_iops;

#endif
