// SPDX-License-Identifier: MIT
/*
 * Kestrel: FAT12/16/32 under the VFS, as Linux's vfat and msdos (8.3
 * names only, shown in lower case; a longer name is EINVAL where Linux's
 * msdos would cut it): the fs_types of fs/fstype.h, the inode operations and the
 * open files of regular files, on the volume engine of fat_vol.c.
 *
 * Inodes: FAT has none on the disk; a file is its short directory
 * entry. An inode in memory stands for one entry (keyed by the entry's
 * position on the volume, which is also its number) and goes away with
 * its last reference (transient): a second lookup while it lives finds
 * it in the volume's list of live inodes. A file unlinked while open
 * keeps its clusters until that last reference, as Linux.
 *
 * Modes: as Linux's vfat with the default umask options: rwxr-xr-x for
 * files and directories (read-only entries lose the write bits), owned
 * by root.
 *
 * Lock rule: every operation that reaches the disk holds the volume's
 * sleeplock (fat_sb.lock) around its engine calls, never while copying
 * to or from user memory. The list of live inodes is changed under it.
 */
#include "fs/fat_vol.h"
#include "fs/fstype.h"
#include "fs/inode.h"
#include "mm/heap.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "proc/sched.h"
#include "uapi/fcntl.h"
#include "uapi/limits.h"
#include "log.h"

#define MSDOS_SUPER_MAGIC 0x4d44u
#define FAT_MODE          0755u
#define FAT_WRITE_BITS    0222u
#define FAT_UMASK         0022u    /* Linux's default fmask and dmask */
#define FAT_DAY_SECONDS   86400
#define FAT_ROOT_INO      1u
#define FAT_BOUNCE        65536u   /* bytes one read or write step moves */
#define FAT_STATFS_NAMELEN 255u
#define FAT_PARKED_DIRS   8u       /* evicted directories whose name index the volume keeps */

struct fat_inode;

struct fat_sb {
	struct fat_vol vol;
	struct fs_info fsi;           /* the mount's: its read_only is the mount's */
	struct sleeplock lock;
	struct fat_inode *live;       /* inodes in memory, the root excepted */
	/* The last lookup that found nothing, while no directory changed
	 * since (gen): create right after it (open O_CREAT, mkdir) need not
	 * scan the directory again. Keyed by the directory's first cluster
	 * (0 and root for a FAT12/16 root), never by an inode pointer. */
	uint64_t gen;                 /* bumped by every change of a directory */
	uint64_t miss_gen;
	uint32_t miss_dir;
	bool miss_root;
	size_t miss_len;
	char miss_name[NAME_MAX + 1];
	/* Directories whose inode went: their name index and hints (the
	 * node's, by first cluster), for their next inode, as a shell loop
	 * makes a new one for the directory at every command (park_dir). */
	struct fat_node parked[FAT_PARKED_DIRS];
	unsigned park_next;
};

struct fat_inode {
	struct fat_node node;
	struct fat_sb *sb;
	struct inode *ip;
	struct fat_inode *next;       /* in sb->live */
	bool is_root;
};

static const struct inode_ops fat_inode_ops;
static const struct file_ops fat_file_ops;

static struct fat_inode *fi_of(const struct inode *ip) { return ip->priv; }
static struct fat_sb *sb_of(const struct inode *ip) { return fi_of(ip)->sb; }

static int64_t now_sec(void) { return vfs_now().sec; }

/* Take the volume lock: 0, or -EINTR for a caller being killed. */
static int sb_lock(struct fat_sb *s) { return sleeplock_lock(&s->lock); }
/* Let go of the volume lock; damage found meanwhile made the volume
 * read-only, which the VFS then sees too. */
static void sb_unlock(struct fat_sb *s)
{
	if (s->vol.read_only)
		s->fsi.read_only = true;
	sleeplock_unlock(&s->lock);
}

/* ---------------------------------------------------------------- inodes */

static uint64_t entry_ino(uint64_t de_pos)
{
	return de_pos / FAT_DIRENT_SIZE + FAT_ROOT_INO + 1;
}

static struct vfs_time de_time(const uint8_t *de, unsigned date_off, unsigned time_off)
{
	return (struct vfs_time){ fat_time_to_unix(fat_le16(de + date_off),
						   time_off ? fat_le16(de + time_off) : 0), 0 };
}

static void unpark_dir(struct fat_sb *s, struct fat_node *n);

/* A new inode for node (de: its short entry; NULL for the root). */
static struct inode *fat_new_inode(struct fat_sb *s, const struct fat_node *node, const uint8_t *de)
{
	uint32_t mode = (node->is_dir ? S_IFDIR : S_IFREG) | FAT_MODE;
	struct fat_inode *fi = kzalloc(sizeof(*fi));
	struct inode *ip;

	if (de && (de[FAT_DE_ATTR] & FAT_ATTR_RO))
		mode &= ~FAT_WRITE_BITS;
	if (!fi || !(ip = inode_alloc(&s->fsi, &fat_inode_ops, mode))) {
		kfree(fi);
		return NULL;
	}
	fi->node = *node;
	if (node->is_dir && !node->is_root)
		unpark_dir(s, &fi->node);
	fi->sb = s;
	fi->ip = ip;
	ip->priv = fi;
	ip->transient = true;
	ip->uid = ip->gid = 0;
	ip->nlink = node->is_dir ? 2 : 1;
	ip->size = node->size;
	if (de) {
		ip->mtime = ip->ctime = de_time(de, FAT_DE_MDATE, FAT_DE_MTIME);
		ip->atime = de_time(de, FAT_DE_ADATE, 0);
		ip->ino = entry_ino(node->de_pos);
		fi->next = s->live;
		s->live = fi;
	} else {
		ip->atime = ip->mtime = ip->ctime = (struct vfs_time){ 0, 0 };
		ip->ino = FAT_ROOT_INO;
		fi->is_root = true;
	}
	return ip;
}

/* Keep the evicted directory n's index and hints (its node) with the
 * volume, in place of the oldest parked one. Under the lock. */
static void park_dir(struct fat_sb *s, struct fat_node *n)
{
	struct fat_node *slot = &s->parked[s->park_next++ % FAT_PARKED_DIRS];

	fat_dir_index_drop(slot);
	*slot = *n;
	n->index = NULL;
}

/* A new inode's directory n takes back what park_dir kept for it. Under the lock. */
static void unpark_dir(struct fat_sb *s, struct fat_node *n)
{
	for (unsigned i = 0; i < FAT_PARKED_DIRS; i++) {
		struct fat_node *p = &s->parked[i];
		if (p->first && p->first == n->first) {
			n->free_hint = p->free_hint;
			n->hint_idx = p->hint_idx;
			n->hint_clus = p->hint_clus;
			n->index = p->index;
			memset(p, 0, sizeof(*p));
			return;
		}
	}
}

/* The directory starting at cluster clus is gone (its cluster may be
 * reused): drop what is parked for it. Under the lock; also at unmount (clus 0: all). */
static void forget_dir(struct fat_sb *s, uint32_t clus)
{
	for (unsigned i = 0; i < FAT_PARKED_DIRS; i++) {
		struct fat_node *p = &s->parked[i];
		if (p->first && (!clus || p->first == clus)) {
			fat_dir_index_drop(p);
			memset(p, 0, sizeof(*p));
		}
	}
}

static struct fat_inode *find_live(struct fat_sb *s, uint64_t de_pos)
{
	for (struct fat_inode *fi = s->live; fi; fi = fi->next)
		if (fi->node.de_pos == de_pos)
			return fi;
	return NULL;
}

/* A directory inode's name and parent (for "..", getcwd). The old
 * parent's reference goes to *old, for the caller to drop once it has
 * let go of the volume lock (the last reference's evict takes it). */
static int set_dir_name(struct inode *ip, struct inode *parent, const char *name, size_t len,
			struct inode **old)
{
	char *nm = kmalloc(len + 1);

	*old = NULL;
	if (!nm)
		return -ENOMEM;
	memcpy(nm, name, len);
	nm[len] = '\0';
	kfree(ip->name);
	ip->name = nm;
	if (ip->parent != parent) {
		*old = ip->parent;
		ip->parent = inode_get(parent);
	}
	return 0;
}

/* Forget an inode made under the volume lock that cannot be used:
 * unhooked here, so its evict (inode_put) does not take the lock. */
static void discard_new(struct fat_sb *s, struct inode *ip)
{
	struct fat_inode *fi = fi_of(ip);

	for (struct fat_inode **pp = &s->live; *pp; pp = &(*pp)->next)
		if (*pp == fi) {
			*pp = fi->next;
			break;
		}
	fi->sb = NULL;
	inode_put(ip);
}

/* The inode for entry e of dir: the live one, or a new one. */
static int entry_inode(struct fat_sb *s, struct inode *dir, const struct fat_entry *e,
		       struct inode **out)
{
	struct fat_inode *fi = find_live(s, e->de_pos);
	struct fat_node node;

	if (fi) {
		*out = inode_get(fi->ip);
		return 0;
	}
	fat_entry_node(&s->vol, e, &node);
	if (node.is_dir && node.first == 0)
		return fat_vol_error(&s->vol, "directory without a cluster", 0);
	struct inode *ip = fat_new_inode(s, &node, e->de);
	if (!ip)
		return -ENOMEM;
	struct inode *none;
	if (node.is_dir && set_dir_name(ip, dir, e->name, e->len, &none)) {
		discard_new(s, ip);
		return -ENOMEM;
	}
	*out = ip;
	return 0;
}

/* Entries are big (a long name in UTF-8): one on the heap per call. */
static struct fat_entry *entry_alloc(void)
{
	return kmalloc(sizeof(struct fat_entry));
}

/* Remember that dir holds no name like name (under the lock). */
static void note_miss(struct fat_sb *s, struct inode *dir, const char *name, size_t len)
{
	if (len > NAME_MAX)
		return;
	s->miss_gen = s->gen;
	s->miss_dir = fi_of(dir)->node.first;
	s->miss_root = fi_of(dir)->node.is_root;
	s->miss_len = len;
	memcpy(s->miss_name, name, len);
}

/* Did the last lookup find no such name in dir, nothing changed since? */
static bool known_missing(const struct fat_sb *s, struct inode *dir, const char *name, size_t len)
{
	return s->miss_gen == s->gen && s->miss_len == len && s->miss_dir == fi_of(dir)->node.first &&
	       s->miss_root == fi_of(dir)->node.is_root && memcmp(s->miss_name, name, len) == 0;
}

static int fat_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct fat_sb *s = sb_of(dir);
	struct fat_entry *e = entry_alloc();
	int err;

	if (!e)
		return -ENOMEM;
	if (!(err = sb_lock(s))) {
		err = fat_dir_find(&s->vol, &fi_of(dir)->node, name, len, e);
		if (!err)
			err = entry_inode(s, dir, e, out);
		else if (err == -ENOENT)
			note_miss(s, dir, name, len);
		sb_unlock(s);
	}
	kfree(e);
	return err;
}

static int fat_iterate(struct inode *dir, uint64_t *pos, dir_emit_fn emit, void *ctx)
{
	struct fat_sb *s = sb_of(dir);
	struct fat_entry *e;
	int r;

	if (!vfs_emit_dots(dir, pos, emit, ctx))
		return 0;
	if (!(e = entry_alloc()))
		return -ENOMEM;
	if ((r = sb_lock(s))) {
		kfree(e);
		return r;
	}
	uint64_t off = *pos - 2; /* positions past the dots are byte offsets + 2 */
	while ((r = fat_dir_next(&s->vol, &fi_of(dir)->node, &off, e)) == 1) {
		unsigned dt = e->de[FAT_DE_ATTR] & FAT_ATTR_DIR ? DT_DIR : DT_REG;
		if (!emit(ctx, e->name, e->len, entry_ino(e->de_pos), dt, off + 2))
			break;
		*pos = off + 2;
	}
	sb_unlock(s);
	kfree(e);
	return r < 0 ? r : 0;
}

/* The modification time of a directory whose entries changed. */
static void dir_changed(struct fat_sb *s, struct inode *dir, int64_t t)
{
	s->gen++;
	fat_node_update(&s->vol, &fi_of(dir)->node, t);
	dir->mtime = dir->ctime = (struct vfs_time){ t, 0 };
}

/* create's disk part, under the lock: the entry e of a new file or directory. */
static int create_entry(struct fat_sb *s, struct inode *dir, const char *name, size_t len,
			bool is_dir, struct fat_entry *e)
{
	uint8_t tmpl[FAT_DIRENT_SIZE];
	const uint8_t blank[FAT_SHORT_LEN] = { 0 };
	uint32_t clus = 0;
	int64_t t = now_sec();
	int err = known_missing(s, dir, name, len) ? -ENOENT
						    : fat_dir_find(&s->vol, &fi_of(dir)->node, name, len, e);

	s->gen++; /* from here on names may change, whatever the outcome */
	if (err != -ENOENT)
		return err ? err : -EEXIST;
	if (s->vol.read_only)
		return -EROFS;
	if (is_dir && (err = fat_dir_create(&s->vol, &fi_of(dir)->node, t, &clus)))
		return err;
	fat_de_init(tmpl, blank, 0, is_dir ? FAT_ATTR_DIR : FAT_ATTR_ARCH, clus, 0, t);
	if ((err = fat_dir_add(&s->vol, &fi_of(dir)->node, name, len, tmpl, e))) {
		struct fat_node gone = { .first = clus };
		fat_node_free(&s->vol, &gone);
		return err;
	}
	dir_changed(s, dir, t);
	return 0;
}

static int fat_create(struct inode *dir, const char *name, size_t len, uint32_t mode,
		      uint32_t rdev, const char *target, struct inode **out)
{
	struct fat_sb *s = sb_of(dir);
	struct fat_entry *e;
	int err;

	(void)rdev;
	(void)target;
	if (!S_ISREG(mode) && !S_ISDIR(mode))
		return -EPERM; /* no device nodes, FIFOs or symlinks on FAT (Linux: EPERM) */
	if (!(e = entry_alloc()))
		return -ENOMEM;
	if (!(err = sb_lock(s))) {
		err = create_entry(s, dir, name, len, S_ISDIR(mode), e);
		if (!err)
			err = entry_inode(s, dir, e, out);
		sb_unlock(s);
	}
	kfree(e);
	return err;
}

/* An entry's name went away: a live inode keeps its clusters until its
 * last reference (evict), anything else frees them now. */
static int drop_entry(struct fat_sb *s, const struct fat_entry *e)
{
	struct fat_inode *fi = find_live(s, e->de_pos);

	if (fi) {
		fi->node.de_pos = 0;
		fi->ip->nlink = 0;
		fat_dir_index_drop(&fi->node); /* a directory gone: its names with it */
		fi->ip->ctime = vfs_now();
		return 0;
	}
	struct fat_node node;
	fat_entry_node(&s->vol, e, &node);
	if (node.is_dir)
		forget_dir(s, node.first);
	return fat_node_free(&s->vol, &node);
}

static int fat_unlink(struct inode *dir, const char *name, size_t len)
{
	struct fat_sb *s = sb_of(dir);
	struct fat_entry *e = entry_alloc();
	int err;

	if (!e)
		return -ENOMEM;
	if (!(err = sb_lock(s))) {
		s->gen++;
		err = fat_dir_find(&s->vol, &fi_of(dir)->node, name, len, e);
		if (!err)
			err = fat_dir_remove(&s->vol, &fi_of(dir)->node, e);
		if (!err)
			err = drop_entry(s, e);
		if (!err)
			dir_changed(s, dir, now_sec());
		sb_unlock(s);
	}
	kfree(e);
	return err;
}

/* The entry now at n was o's (rename): its live inode follows. */
static void entry_moved(struct fat_sb *s, const struct fat_entry *o, const struct fat_entry *n,
			struct inode *ndir, struct inode **put)
{
	struct fat_inode *fi = find_live(s, o->de_pos);

	if (!fi)
		return;
	fi->node.de_pos = n->de_pos; /* its number follows its entry, as readdir shows it */
	fi->ip->ino = entry_ino(n->de_pos);
	if (S_ISDIR(fi->ip->mode))
		set_dir_name(fi->ip, ndir, n->name, n->len, put); /* only getcwd misses it on ENOMEM */
}

/* rename's disk part, under the lock: o is the old entry, n a scratch
 * one; a moved directory's old parent goes to *put (dropped unlocked). */
static int rename_entry(struct fat_sb *s, struct inode *odir, struct fat_entry *o,
			struct inode *ndir, const char *nname, size_t nlen, struct fat_entry *n,
			struct inode **put)
{
	struct fat_node *on = &fi_of(odir)->node, *nn = &fi_of(ndir)->node;
	int err = fat_dir_find(&s->vol, nn, nname, nlen, n);

	s->gen++;
	if (err == 0 && n->de_pos != o->de_pos) { /* replace the target (checked by the VFS) */
		if ((err = fat_dir_remove(&s->vol, nn, n)) || (err = drop_entry(s, n)))
			return err;
	} else if (err != -ENOENT && err != 0) {
		return err;
	}
	uint8_t tmpl[FAT_DIRENT_SIZE];
	memcpy(tmpl, o->de, sizeof(tmpl));
	if ((err = fat_dir_add(&s->vol, nn, nname, nlen, tmpl, n)) ||
	    (err = fat_dir_remove(&s->vol, on, o)))
		return err;
	struct fat_inode *fi = find_live(s, o->de_pos);
	entry_moved(s, o, n, ndir, put);
	if ((tmpl[FAT_DE_ATTR] & FAT_ATTR_DIR) && odir != ndir) {
		struct fat_node moved;
		fat_entry_node(&s->vol, n, &moved);
		if ((err = fat_dir_set_parent(&s->vol, fi ? &fi->node : &moved, nn)))
			return err;
	}
	int64_t t = now_sec();
	dir_changed(s, odir, t);
	if (ndir != odir)
		dir_changed(s, ndir, t);
	return 0;
}

static int fat_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
		      const char *nname, size_t nlen)
{
	struct fat_sb *s = sb_of(odir);
	struct fat_entry *o = entry_alloc(), *n = entry_alloc();
	struct inode *put = NULL;
	int err = -ENOMEM;

	if (o && n && !(err = sb_lock(s))) {
		err = fat_dir_find(&s->vol, &fi_of(odir)->node, oname, olen, o);
		if (!err)
			err = rename_entry(s, odir, o, ndir, nname, nlen, n, &put);
		sb_unlock(s);
	}
	inode_put(put);
	kfree(o);
	kfree(n);
	return err;
}


static int fat_truncate(struct inode *ip, uint64_t size)
{
	struct fat_sb *s = sb_of(ip);
	struct fat_inode *fi = fi_of(ip);
	int err;

	if (!S_ISREG(ip->mode))
		return -EISDIR;
	if ((err = sb_lock(s)))
		return err;
	int64_t t = now_sec();
	err = fat_file_truncate(&s->vol, &fi->node, size);
	int err2 = fat_node_update(&s->vol, &fi->node, t);
	ip->size = fi->node.size;
	ip->mtime = ip->ctime = (struct vfs_time){ t, 0 };
	sb_unlock(s);
	return err ? err : err2;
}

/* Linux's fat_sanitize_mode_change with the default umask (022): the r
 * and x bits stay as they are, the w bits are all (of 0755) or none
 * (the read-only attribute, files only); anything else is -EPERM. */
static int fat_mode_ok(const struct inode *ip, uint32_t *mode)
{
	uint32_t perm = *mode & ~FAT_UMASK;

	if (*mode & ~(uint32_t)S_IRWXUGO)
		return -EPERM; /* no set-id or sticky bits on FAT */
	if ((perm & (S_IRUGO | S_IXUGO)) != (ip->mode & (S_IRUGO | S_IXUGO)))
		return -EPERM;
	uint32_t w = perm & S_IWUGO;
	if (w && w != (S_IWUGO & ~FAT_UMASK))
		return -EPERM;
	if (!w && S_ISDIR(ip->mode))
		return -EPERM; /* a directory cannot hold read-only (Linux without rodir) */
	*mode = perm;
	return 0;
}

/* chmod, chown, utimes as Linux's fat_setattr: owner and group stay
 * root's (-EPERM), the owner's write bit is the read-only attribute, the
 * modification time is kept to 2 seconds and the access time to the day. */
static int fat_setattr(struct inode *ip, struct iattr *a)
{
	struct fat_sb *s = sb_of(ip);
	int ro = -1, err;
	int64_t mt = -1, at = -1;

	if (((a->valid & ATTR_UID) && a->uid != 0) || ((a->valid & ATTR_GID) && a->gid != 0))
		return -EPERM;
	if ((a->valid & ATTR_MODE) && (err = fat_mode_ok(ip, &a->mode)))
		return err;
	if ((a->valid & ATTR_MODE) && S_ISREG(ip->mode))
		ro = !(a->mode & S_IWUGO);
	if (a->valid & ATTR_MTIME) {
		mt = a->mtime.sec < 0 ? 0 : a->mtime.sec & ~(int64_t)1;
		a->mtime = (struct vfs_time){ mt, 0 };
	}
	if (a->valid & ATTR_ATIME) {
		at = a->atime.sec < 0 ? 0 : a->atime.sec - a->atime.sec % FAT_DAY_SECONDS;
		a->atime = (struct vfs_time){ at, 0 };
	}
	if (ro < 0 && mt < 0 && at < 0)
		return 0;
	if ((err = sb_lock(s)))
		return err;
	err = s->vol.read_only ? -EROFS : fat_node_set_attrs(&s->vol, &fi_of(ip)->node, ro, mt, at);
	sb_unlock(s);
	return err;
}

static int fat_open(struct inode *ip, struct file *f)
{
	f->ops = S_ISDIR(ip->mode) ? &dir_file_ops : &fat_file_ops;
	return 0;
}

/* The last reference: an unlinked file's clusters go now. */
static void fat_evict(struct inode *ip)
{
	struct fat_inode *fi = fi_of(ip);
	struct fat_sb *s = fi->sb;

	if (fi->is_root || !s) { /* the root, or an inode fat_kill detached */
		fat_dir_index_drop(&fi->node);
		kfree(fi);
		return;
	}
	bool locked = sb_lock(s) == 0; /* a killed caller still unhooks the inode */
	if (locked && fi->node.is_dir && fi->node.first && ip->nlink != 0)
		park_dir(s, &fi->node);
	fat_dir_index_drop(&fi->node); /* kept (parked) or not, it leaves the inode */
	for (struct fat_inode **pp = &s->live; *pp; pp = &(*pp)->next)
		if (*pp == fi) {
			*pp = fi->next;
			break;
		}
	if (ip->nlink == 0 && locked && !s->vol.read_only)
		fat_node_free(&s->vol, &fi->node);
	if (locked)
		sb_unlock(s);
	kfree(fi);
}

static const struct inode_ops fat_inode_ops = {
	.lookup = fat_lookup,
	.iterate = fat_iterate,
	.create = fat_create,
	.unlink = fat_unlink,
	.rename = fat_rename,
	.truncate = fat_truncate,
	.open = fat_open,
	.evict = fat_evict,
	.setattr = fat_setattr,
};

/* ---------------------------------------------------------------- file data */

/* Read or write n bytes of f's file at *pos through a kernel bounce
 * buffer, FAT_BOUNCE at a time (the lock is never held over a user
 * copy): the count, or -errno when nothing moved. */
static long fat_rw(struct file *f, struct iobuf b, size_t n, uint64_t *pos, bool write)
{
	struct inode *ip = f->inode;
	struct fat_sb *s = sb_of(ip);
	struct fat_inode *fi = fi_of(ip);
	size_t done = 0, cap = n < FAT_BOUNCE ? n : FAT_BOUNCE;
	uint8_t *bounce = cap ? kmalloc(cap) : NULL;
	long r = 0;

	if (cap && !bounce)
		return -ENOMEM;
	while (done < n && r >= 0) {
		size_t k = n - done < cap ? n - done : cap;
		if (done && io_should_stop())
			break;
		if (write && iobuf_get(bounce, b, done, k)) {
			r = -EFAULT;
			break;
		}
		if ((r = sb_lock(s)))
			break;
		if (write && (f->flags & O_APPEND))
			*pos = fi->node.size;
		r = write ? fat_file_write(&s->vol, &fi->node, *pos, bounce, k)
			  : fat_file_read(&s->vol, &fi->node, *pos, bounce, k);
		if (write && (r > 0 || fi->node.size != ip->size)) {
			int64_t t = now_sec();
			fat_node_update(&s->vol, &fi->node, t);
			ip->size = fi->node.size;
			ip->mtime = ip->ctime = (struct vfs_time){ t, 0 };
		}
		sb_unlock(s);
		if (r <= 0)
			break;
		if (!write && iobuf_put(b, done, bounce, (size_t)r)) {
			r = -EFAULT;
			break;
		}
		done += (size_t)r;
		*pos += (uint64_t)r;
		if ((size_t)r < k)
			break;
	}
	kfree(bounce);
	return done ? (long)done : r;
}

static long fat_read(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	return fat_rw(f, buf, n, pos, false);
}

static long fat_write(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	return fat_rw(f, buf, n, pos, true);
}

static long fat_lseek(struct file *f, int64_t off, int whence)
{
	return vfs_seek_pos(f, off, whence, f->inode->size);
}

static const struct file_ops fat_file_ops = {
	.read = fat_read,
	.write = fat_write,
	.lseek = fat_lseek,
	.kernel_io = KERNEL_IO_READ | KERNEL_IO_WRITE,
};

/* ---------------------------------------------------------------- the file system */

/* fs_type.mount for vfat and msdos (name): read and check the boot
 * sector (fat_vol_open logs why a volume is refused or made read-only),
 * and make the root inode. 0, -EINVAL (not FAT), -EIO, -ENOMEM. */
static int fat_mount_as(const char *name, struct blkdev *dev, bool ro, struct inode **root,
			void **sbp)
{
	struct fat_sb *s = kzalloc(sizeof(*s));
	struct fat_node rn;
	int err;

	if (!s)
		return -ENOMEM;
	if ((err = fat_vol_open(&s->vol, dev, ro))) {
		kfree(s);
		return err;
	}
	s->vol.msdos = strcmp(name, "msdos") == 0;
	s->vol.name_index = true; /* one fat_node per directory: its inode's */
	s->fsi = (struct fs_info){ .name = name, .dev = RDEV(dev->major, dev->minor),
				   .magic = MSDOS_SUPER_MAGIC, .read_only = s->vol.read_only };
	fat_root_node(&s->vol, &rn);
	struct inode *ip = fat_new_inode(s, &rn, NULL);
	if (!ip) {
		kfree(s);
		return -ENOMEM;
	}
	ip->parent = ip;
	klog(LOG_INFO, "fat: %s: FAT%d, %u clusters of %u bytes%s\n", dev->name, s->vol.b.kind,
	     s->vol.b.nclusters, s->vol.b.cluster_size,
	     s->vol.read_only && !ro ? ", read-only (damaged)" : "");
	*root = ip;
	*sbp = s;
	return 0;
}

static int vfat_mount(struct blkdev *dev, bool ro, const char *opts, struct inode **root, void **sb)
{
	(void)opts; /* uid=, gid=, umask=... are not taken yet */
	return fat_mount_as("vfat", dev, ro, root, sb);
}

static int msdos_mount(struct blkdev *dev, bool ro, const char *opts, struct inode **root, void **sb)
{
	(void)opts;
	return fat_mount_as("msdos", dev, ro, root, sb);
}

static int fat_sync(void *sbp, bool unmounting)
{
	struct fat_sb *s = sbp;
	bool locked = sb_lock(s) == 0; /* an unmount by a killed caller still writes back */
	int err = fat_vol_sync(&s->vol);

	if (locked)
		sb_unlock(s);
	if (err)
		klog(LOG_ERR, "fat: %s: write-back failed%s\n", s->vol.dev->name,
		     unmounting ? " at unmount" : "");
	return err;
}

static void fat_kill(void *sbp)
{
	struct fat_sb *s = sbp;

	while (s->live) { /* none should be left (umount checked): detach them */
		struct fat_inode *fi = s->live;
		s->live = fi->next;
		fi->sb = NULL;
	}
	forget_dir(s, 0);
	kfree(s);
}

static int fat_statfs(void *sbp, struct fs_stat *out)
{
	struct fat_sb *s = sbp;
	int err = sb_lock(s);

	if (err)
		return err;
	uint32_t free = fat_vol_free(&s->vol);
	sb_unlock(s);
	*out = (struct fs_stat){
		.magic = MSDOS_SUPER_MAGIC,
		.bsize = s->vol.b.cluster_size,
		.blocks = s->vol.b.nclusters,
		.bfree = free == FAT_FREE_UNKNOWN ? 0 : free,
		.bavail = free == FAT_FREE_UNKNOWN ? 0 : free,
		.namelen = FAT_STATFS_NAMELEN,
	};
	return 0;
}

static int fat_fsync(struct inode *ip, bool datasync)
{
	struct fat_sb *s = sb_of(ip);
	int err = sb_lock(s);

	(void)datasync;
	if (err)
		return err;
	if (!s->vol.read_only)
		err = fat_node_update(&s->vol, &fi_of(ip)->node, -1);
	sb_unlock(s);
	int err2 = bcache_sync_dev(s->vol.dev);
	return err ? err : err2;
}

static int fat_remount(void *sbp, bool ro)
{
	struct fat_sb *s = sbp;

	if (!ro && s->vol.damaged)
		return -EROFS;
	s->vol.read_only = ro || s->vol.dev->read_only;
	return 0;
}

/* Linux's fat_show_options for what Kestrel's FAT does: modes 0755
 * (umask 022), short names in code page 437, long names in UTF-8, a long
 * name stored when the short one is not all upper case (mixed), damage
 * makes the volume read-only. */
#define FAT_SHOW_COMMON "fmask=0022,dmask=0022,codepage=437"

const struct fs_type vfat_fs_type = {
	.name = "vfat",
	.mount = vfat_mount,
	.sync = fat_sync,
	.kill = fat_kill,
	.statfs = fat_statfs,
	.fsync = fat_fsync,
	.remount = fat_remount,
	.options = FAT_SHOW_COMMON ",iocharset=utf8,shortname=mixed,utf8,errors=remount-ro",
};

const struct fs_type msdos_fs_type = {
	.name = "msdos",
	.mount = msdos_mount,
	.sync = fat_sync,
	.kill = fat_kill,
	.statfs = fat_statfs,
	.fsync = fat_fsync,
	.remount = fat_remount,
	.options = FAT_SHOW_COMMON ",errors=remount-ro",
};
