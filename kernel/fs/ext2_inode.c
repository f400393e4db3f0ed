// SPDX-License-Identifier: MIT
/*
 * Kestrel: ext2's in-memory inodes (see ext2_vfs.h): the table of live
 * inodes by number, the mount's lock, and writing inodes back, at once
 * or, for evicted ones, at the next locked operation.
 */
#include "fs/ext2_vfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "log.h"
#include "mm/heap.h"
#include "proc/process.h"
#include "uapi/capability.h"

uint32_t ext2_now(void)
{
	return (uint32_t)vfs_now().sec;
}

/* The VFS's fields of ip into its disk inode. */
void ext2_to_raw(const struct inode *ip, struct ext2_inode *raw)
{
	raw->i_mode = (uint16_t)ip->mode;
	raw->i_uid = (uint16_t)ip->uid;
	raw->i_uid_high = (uint16_t)(ip->uid >> 16);
	raw->i_gid = (uint16_t)ip->gid;
	raw->i_gid_high = (uint16_t)(ip->gid >> 16);
	raw->i_links_count = (uint16_t)ip->nlink;
	raw->i_atime = (uint32_t)ip->atime.sec;
	raw->i_mtime = (uint32_t)ip->mtime.sec;
	raw->i_ctime = (uint32_t)ip->ctime.sec;
}

/* The disk inode's fields into a new struct inode. */
static void from_raw(struct inode *ip, const struct ext2_inode *raw)
{
	ip->uid = raw->i_uid | (uint32_t)raw->i_uid_high << 16;
	ip->gid = raw->i_gid | (uint32_t)raw->i_gid_high << 16;
	ip->nlink = raw->i_links_count;
	ip->size = ext2_inode_size(raw);
	ip->atime = (struct vfs_time){ raw->i_atime, 0 };
	ip->mtime = (struct vfs_time){ raw->i_mtime, 0 };
	ip->ctime = (struct vfs_time){ raw->i_ctime, 0 };
	if (S_ISCHR(ip->mode) || S_ISBLK(ip->mode)) {
		uint32_t major, minor;
		ext2_inode_rdev(raw, &major, &minor);
		ip->rdev = RDEV(major, minor);
	}
}

struct ext2_node *ext2_live_find(struct ext2_mount *m, uint32_t ino)
{
	for (struct ext2_node *n = m->live[ino % EXT2_NODE_HASH]; n; n = n->next)
		if (n->ino == ino)
			return n;
	return NULL;
}

static void live_remove(struct ext2_mount *m, struct ext2_node *n)
{
	struct ext2_node **pp = &m->live[n->ino % EXT2_NODE_HASH];

	while (*pp != n)
		pp = &(*pp)->next;
	*pp = n->next;
	m->nlive--;
}

/* The file system changes: it is not clean on the disk any more. */
void ext2_mark_dirty(struct ext2_mount *m)
{
	if (!m->marked_clean || m->fs.read_only)
		return;
	m->marked_clean = false;
	m->fs.sb.s_state &= (uint16_t)~EXT2_VALID_FS;
	/* on the disk before the change: a crash after it must not leave "clean" */
	if (!ext2_sb_write(&m->fs))
		bcache_sync_dev(m->fs.dev);
}

/* Write node's disk inode (from its struct inode while it has one), if
 * it changed: an unchanged one leaves a clean file system clean. */
int ext2_write_node(struct ext2_mount *m, struct ext2_node *n)
{
	struct ext2_inode disk;

	if (n->ip)
		ext2_to_raw(n->ip, &n->raw);
	if (m->fs.read_only)
		return 0;
	int err = ext2_iread(&m->fs, n->ino, &disk);
	if (err || !memcmp(&disk, &n->raw, sizeof(disk)))
		return err;
	ext2_mark_dirty(m);
	return ext2_iwrite(&m->fs, n->ino, &n->raw);
}

/* Write (or free on the disk, with no link left) every evicted node. Locked. */
void ext2_drain_gone(struct ext2_mount *m)
{
	while (m->gone) {
		struct ext2_node *n = m->gone;
		m->gone = n->next;
		if (!m->fs.read_only && n->raw.i_links_count == 0) {
			ext2_mark_dirty(m);
			ext2_inode_release(&m->fs, n->ino, &n->raw, ext2_now());
		} else {
			ext2_write_node(m, n);
		}
		kfree(n);
	}
}

void ext2_free_mount(struct ext2_mount *m)
{
	ext2_fs_free(&m->fs);
	kfree(m);
}

/* Take the mount's lock and settle evicted nodes: 0 or -EINTR. */
int ext2_lock(struct ext2_mount *m)
{
	int err = sleeplock_lock(&m->lock);

	if (!err)
		ext2_drain_gone(m);
	return err;
}

void ext2_unlock(struct ext2_mount *m)
{
	sleeplock_unlock(&m->lock);
}

/* As lock, for an operation that changes the file system. */
int ext2_lock_write(struct ext2_mount *m)
{
	if (m->fs.read_only || m->info.read_only)
		return -EROFS;
	int err = ext2_lock(m);
	if (!err) {
		ext2_mark_dirty(m);
		m->fs.use_reserved = capable(CAP_SYS_RESOURCE); /* Linux's ext2_has_free_blocks */
	}
	return err;
}

/* Last reference gone: keep what the VFS changed and let the next
 * locked operation write it (see the header). */
void ext2_evict(struct inode *ip)
{
	struct ext2_node *n = ext2_node_of(ip);
	struct ext2_mount *m = n->m;

	ext2_to_raw(ip, &n->raw);
	n->ip = NULL;
	live_remove(m, n);
	if (m->killed) { /* after the unmount's last sync: the disk is done with */
		kfree(n);
		if (!m->nlive)
			ext2_free_mount(m);
		return;
	}
	n->next = m->gone;
	m->gone = n;
}

/* A struct inode for node n (its disk inode read), a directory's parent and name set. */
int ext2_make_inode(struct ext2_mount *m, struct ext2_node *n, struct inode *dir, const char *name,
		      size_t len, struct inode **out)
{
	struct inode *ip = inode_alloc(&m->info, m->iops, n->raw.i_mode);

	if (!ip)
		return -ENOMEM;
	ip->ino = n->ino;
	ip->transient = true;
	ip->priv = n;
	from_raw(ip, &n->raw);
	if (S_ISDIR(ip->mode)) {
		if (dir && !(ip->name = kmalloc(len + 1))) {
			kfree(ip);
			return -ENOMEM;
		}
		if (dir) {
			memcpy(ip->name, name, len);
			ip->name[len] = '\0';
		}
		ip->parent = dir ? inode_get(dir) : ip;
	}
	n->ip = ip;
	n->m = m;
	n->next = m->live[n->ino % EXT2_NODE_HASH];
	m->live[n->ino % EXT2_NODE_HASH] = n;
	m->nlive++;
	*out = ip;
	return 0;
}

/* A reference to inode ino, found in dir under name. Locked. */
/* Take inode ino off the gone list: its node, or NULL. */
static struct ext2_node *gone_take(struct ext2_mount *m, uint32_t ino)
{
	for (struct ext2_node **pp = &m->gone; *pp; pp = &(*pp)->next) {
		if ((*pp)->ino == ino) {
			struct ext2_node *n = *pp;
			*pp = n->next;
			return n;
		}
	}
	return NULL;
}

/* An evicted node found again: a struct inode for it, or back on the
 * gone list (-EIO: an entry naming an unlinked inode, -ENOMEM). */
static int revive(struct ext2_mount *m, struct ext2_node *n, struct inode *dir, const char *name,
		  size_t len, struct inode **out)
{
	int err = n->raw.i_links_count ? ext2_make_inode(m, n, dir, name, len, out) : -EIO;

	if (err) {
		n->next = m->gone;
		m->gone = n;
	}
	return err;
}

int ext2_iget(struct ext2_mount *m, uint32_t ino, struct inode *dir, const char *name, size_t len,
		struct inode **out)
{
	struct ext2_node *n = ext2_live_find(m, ino);

	if (n) {
		*out = inode_get(n->ip);
		return 0;
	}
	if ((n = gone_take(m, ino))) /* evicted while this operation slept: newer than the disk */
		return revive(m, n, dir, name, len, out);
	if (!(n = kzalloc(sizeof(*n))))
		return -ENOMEM;
	n->ino = ino;
	int err = ext2_iread(&m->fs, ino, &n->raw);
	if (!err && (n->raw.i_links_count == 0 || !ext2_ftype_of_mode(n->raw.i_mode))) {
		klog(LOG_ERR, "ext2: %s: entry '%.*s' names a free or bad inode %u\n", m->fs.dev->name,
		     (int)len, name, ino);
		err = -EIO;
	}
	if (!err)
		err = ext2_make_inode(m, n, dir, name, len, out);
	if (err)
		kfree(n);
	return err;
}


int ext2_write_live(struct ext2_mount *m)
{
	int err = 0;

	for (unsigned b = 0; b < EXT2_NODE_HASH; b++)
		for (struct ext2_node *n = m->live[b]; n; n = n->next)
			if (ext2_write_node(m, n) && !err)
				err = -EIO;
	return err;
}
