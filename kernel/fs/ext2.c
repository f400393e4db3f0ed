// SPDX-License-Identifier: MIT
/*
 * Kestrel: ext2 under the VFS (fs/fstype.h's ext2_fs_type): mounting,
 * sync, unmounting, statfs, fsync and remount. The superblock says
 * "not clean" while mounted read-write (s_state) and clean again at sync
 * and at a clean unmount when it was clean at mount. The engine is
 * ext2_core.h; the in-memory inodes ext2_inode.c; the operations
 * ext2_ops.c.
 */
#include "fs/ext2_vfs.h"
#include "fs/fstype.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "log.h"
#include "mm/heap.h"

/* ---------------------------------------------------------------- the mount */


/* ---- file handles (name_to_handle_at) ------------------------------------ */

static uint32_t ext2_generation(const struct inode *ip)
{
	const struct ext2_node *n = ip->priv;

	return n->raw.i_generation;
}

/* fs_export's find: inode ino of the mount, of generation gen, as
 * Linux's ext2_nfs_get_inode: a number outside the table, a free inode
 * or another generation is -ESTALE. A directory is found only while it
 * is in memory (a cwd, an open file, a walk's): Kestrel's directories
 * know their parent, which a handle does not say (Linux reconnects a
 * disconnected one through ".."); -ESTALE otherwise. */
static int ext2_find(const struct fs_info *fs, uint64_t ino, uint32_t gen, struct inode **out)
{
	struct ext2_mount *m = (struct ext2_mount *)(uintptr_t)fs;
	struct ext2_inode raw;
	struct ext2_node *n;
	int err;

	if (ino < EXT2_ROOT_INO || ino > m->fs.sb.s_inodes_count)
		return -ESTALE;
	if ((err = ext2_lock(m)))
		return err;
	if ((n = ext2_live_find(m, (uint32_t)ino))) {
		err = n->raw.i_generation == gen ? 0 : -ESTALE;
		if (!err)
			*out = inode_get(n->ip);
	} else if (!(err = ext2_iread(&m->fs, (uint32_t)ino, &raw))) {
		if (!raw.i_links_count || raw.i_generation != gen || !ext2_ftype_of_mode(raw.i_mode) ||
		    S_ISDIR(raw.i_mode))
			err = -ESTALE;
		else
			err = ext2_iget(m, (uint32_t)ino, NULL, NULL, 0, out);
	}
	ext2_unlock(m);
	return err;
}

static const struct fs_export ext2_export = { .generation = ext2_generation, .find = ext2_find };

/* Read-write mount: the superblock says "mounted, not clean" on the disk. */
static void mark_mounted(struct ext2_mount *m)
{
	struct ext2_super *sb = &m->fs.sb;

	if (!(m->fs.mount_state & EXT2_VALID_FS))
		klog(LOG_WARN, "ext2: %s: was not cleanly unmounted: running e2fsck is recommended\n",
		     m->fs.dev->name);
	sb->s_mnt_count++;
	sb->s_mtime = ext2_now();
	sb->s_state &= (uint16_t)~EXT2_VALID_FS;
	ext2_sb_write(&m->fs);
	bcache_sync_dev(m->fs.dev);
}

static int ext2_mount(struct blkdev *dev, bool read_only, const char *opts, struct inode **root,
		      void **sb)
{
	struct ext2_mount *m = kzalloc(sizeof(*m));
	const char *why = "";

	(void)opts;
	if (!m)
		return -ENOMEM;
	int err = ext2_fs_load(dev, read_only, &m->fs, &why);
	if (err) {
		klog(LOG_INFO, "ext2: %s: not mounted: %s\n", dev->name, why);
		kfree(m);
		return err;
	}
	if (m->fs.read_only && !read_only && !dev->read_only) {
		m->forced_ro = true;
		klog(LOG_WARN, "ext2: %s: mounted read-only: %s (incompat %#x, ro_compat %#x)\n", dev->name,
		     why, m->fs.sb.s_feature_incompat, m->fs.sb.s_feature_ro_compat);
	}
	m->iops = &ext2_iops;
	m->info = (struct fs_info){ .name = "ext2", .dev = RDEV(dev->major, dev->minor),
				    .magic = EXT2_MAGIC, .read_only = m->fs.read_only,
				    .export = &ext2_export };
	if (!m->fs.read_only)
		mark_mounted(m);
	if ((err = ext2_lock(m)) == 0) {
		err = ext2_iget(m, EXT2_ROOT_INO, NULL, NULL, 0, root);
		ext2_unlock(m);
	}
	if (!err && !S_ISDIR((*root)->mode)) {
		klog(LOG_ERR, "ext2: %s: the root inode is not a directory\n", dev->name);
		inode_put(*root);
		err = -EINVAL;
	}
	if (err) {
		ext2_drain_gone(m);
		if (!m->fs.read_only) { /* as it was */
			m->fs.sb.s_state = m->fs.mount_state;
			ext2_sb_write(&m->fs);
			bcache_sync_dev(dev);
		}
		ext2_free_mount(m);
		return err;
	}
	klog(LOG_INFO, "ext2: %s: mounted %s (revision %u, %u-byte blocks, %u groups, %u of %u blocks free)\n",
	     dev->name, m->fs.read_only ? "read-only" : "read-write", m->fs.sb.s_rev_level,
	     m->fs.g.block_size, m->fs.g.groups, m->fs.sb.s_free_blocks_count, m->fs.sb.s_blocks_count);
	*sb = m;
	return 0;
}

/* Every live inode and the superblock to the disk, then the disk's
 * cache; the superblock says clean again if it was at mount. Locked. */
static int sync_locked(struct ext2_mount *m)
{
	int err = ext2_write_live(m);

	if (m->fs.read_only)
		return err;
	int e = bcache_sync_dev(m->fs.dev);
	if (!err && !e && (m->fs.mount_state & EXT2_VALID_FS)) {
		m->fs.sb.s_state |= EXT2_VALID_FS;
		m->marked_clean = true;
	}
	m->fs.sb.s_wtime = ext2_now();
	ext2_sb_write(&m->fs);
	e = e ? e : bcache_sync_dev(m->fs.dev);
	return err ? err : e;
}

static int ext2_sync(void *sb, bool unmounting)
{
	struct ext2_mount *m = sb;
	int err = ext2_lock(m);

	(void)unmounting;
	if (err)
		return err;
	err = sync_locked(m);
	ext2_unlock(m);
	return err;
}

static void ext2_kill(void *sb)
{
	struct ext2_mount *m = sb;

	ext2_drain_gone(m);
	if (!m->nlive) {
		ext2_free_mount(m);
		return;
	}
	m->killed = true; /* the last live node frees it at its eviction */
}

static int ext2_statfs(void *sb, struct fs_stat *out)
{
	struct ext2_mount *m = sb;
	const struct ext2_super *s = &m->fs.sb;
	int err = ext2_lock(m);

	if (err)
		return err;
	out->magic = EXT2_MAGIC;
	out->bsize = m->fs.g.block_size;
	out->blocks = s->s_blocks_count;
	out->bfree = s->s_free_blocks_count;
	out->bavail = s->s_free_blocks_count > s->s_r_blocks_count ? s->s_free_blocks_count - s->s_r_blocks_count : 0;
	out->files = s->s_inodes_count;
	out->ffree = s->s_free_inodes_count;
	out->namelen = EXT2_NAME_LEN;
	ext2_unlock(m);
	return 0;
}

static int ext2_fsync(struct inode *ip, bool datasync)
{
	struct ext2_mount *m = ext2_mount_of(ip);
	int err = ext2_lock(m);

	(void)datasync;
	if (err)
		return err;
	err = ext2_write_node(m, ext2_node_of(ip));
	ext2_unlock(m);
	if (m->fs.read_only)
		return err;
	int e = bcache_sync_dev(m->fs.dev);
	return err ? err : e;
}

static int ext2_remount(void *sb, bool read_only)
{
	struct ext2_mount *m = sb;
	int err;

	if (!read_only && m->forced_ro)
		return -EROFS;
	if ((err = ext2_lock(m)))
		return err;
	if (read_only && !m->fs.read_only) {
		err = sync_locked(m);
		if (!err)
			m->fs.read_only = m->info.read_only = true;
	} else if (!read_only && m->fs.read_only) {
		m->fs.read_only = m->info.read_only = false;
		m->fs.mount_state = m->fs.sb.s_state;
		mark_mounted(m);
	}
	ext2_unlock(m);
	return err;
}

const struct fs_type ext2_fs_type = {
	.name = "ext2",
	.mount = ext2_mount,
	.sync = ext2_sync,
	.kill = ext2_kill,
	.statfs = ext2_statfs,
	.fsync = ext2_fsync,
	.remount = ext2_remount,
};
