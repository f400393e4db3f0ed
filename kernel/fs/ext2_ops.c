// SPDX-License-Identifier: MIT
/*
 * Kestrel: ext2's inode and file operations (see ext2_vfs.h): lookup,
 * readdir, create, link, unlink, rename, readlink, truncate, and the
 * reads (straight from the block cache, with read-ahead) and writes
 * (through a bounce buffer) of regular files. Each takes the mount's
 * lock around its work on the disk.
 */
#include "fs/ext2_vfs.h"
#include "fs/pipe.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "proc/process.h"

#define IO_CHUNK       (16u * 1024)   /* bytes moved between the user and the cache per step */
#define RA_MIN         (128u * 1024)  /* a sequential reader's first read-ahead window (Linux's default) */
#define RA_MAX         (2u * 1024 * 1024) /* the largest window */
#define RUN_MAX_BLOCKS 256u           /* blocks one cache call of a read moves at most */
#define EXT2_LINK_MAX  32000          /* Linux's ext2 */

static const struct file_ops ext2_file_ops;

/* ---------------------------------------------------------------- lookup and readdir */

static int ext2_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct ext2_mount *m = ext2_mount_of(dir);
	uint32_t ino;
	uint8_t ft;
	int err = ext2_lock(m);

	if (err)
		return err;
	err = ext2_dir_find(&m->fs, &ext2_node_of(dir)->raw, name, len, &ino, &ft);
	if (!err)
		err = ext2_iget(m, ino, dir, name, len, out);
	ext2_unlock(m);
	return err;
}

struct emit_ctx {
	dir_emit_fn emit;
	void *ctx;
};

static bool emit_one(void *c, const char *name, size_t len, uint32_t ino, uint8_t ftype, uint64_t next)
{
	struct emit_ctx *ec = c;

	return ec->emit(ec->ctx, name, len, ino, ext2_dtype_of_ftype(ftype), next + 2);
}

/* Positions: 0 ".", 1 "..", then 2 + the entry's byte offset. */
static int ext2_iterate(struct inode *dir, uint64_t *pos, dir_emit_fn emit, void *ctx)
{
	struct ext2_mount *m = ext2_mount_of(dir);
	struct emit_ctx ec = { emit, ctx };

	if (!vfs_emit_dots(dir, pos, emit, ctx))
		return 0;
	int err = ext2_lock(m);
	if (err)
		return err;
	uint64_t bpos = *pos - 2;
	err = ext2_dir_iterate(&m->fs, &ext2_node_of(dir)->raw, &bpos, emit_one, &ec);
	*pos = bpos + 2;
	ext2_unlock(m);
	return err;
}

static int ext2_readlink_op(struct inode *ip, char *buf, size_t cap)
{
	struct ext2_mount *m = ext2_mount_of(ip);
	int err;

	if (!S_ISLNK(ip->mode))
		return -EINVAL;
	if ((err = ext2_lock(m)))
		return err;
	err = ext2_readlink(&m->fs, &ext2_node_of(ip)->raw, buf, cap);
	ext2_unlock(m);
	return err;
}

/* ---------------------------------------------------------------- creating */

/* The new disk inode's type-specific part: a directory's first block, a
 * symlink's target, a device's numbers. */
static int init_raw(struct ext2_mount *m, uint32_t ino, struct ext2_inode *raw, uint32_t dino,
		    uint32_t rdev, const char *target)
{
	if (S_ISDIR(raw->i_mode)) {
		raw->i_links_count = 2;
		return ext2_dir_init(&m->fs, ino, raw, dino);
	}
	raw->i_links_count = 1;
	if (S_ISLNK(raw->i_mode))
		return ext2_set_symlink(&m->fs, ino, raw, target, strlen(target));
	if (S_ISCHR(raw->i_mode) || S_ISBLK(raw->i_mode))
		ext2_inode_set_rdev(raw, RDEV_MAJOR(rdev), RDEV_MINOR(rdev));
	return 0;
}

/* Make the disk inode and its entry in dir; *ino gets its number. Locked. */
static int create_disk(struct ext2_mount *m, struct inode *dir, const char *name, size_t len,
		       struct ext2_node *n, uint32_t rdev, const char *target)
{
	struct ext2_node *dn = ext2_node_of(dir);
	uint32_t t = ext2_now();
	int err = ext2_inode_alloc(&m->fs, ext2_ino_group(&m->fs, dn->ino), S_ISDIR(n->raw.i_mode), &n->ino);

	if (err)
		return err;
	n->raw.i_atime = n->raw.i_mtime = n->raw.i_ctime = t;
	err = init_raw(m, n->ino, &n->raw, dn->ino, rdev, target);
	if (!err)
		err = ext2_iwrite(&m->fs, n->ino, &n->raw);
	if (!err)
		err = ext2_dir_add(&m->fs, dn->ino, &dn->raw, name, len, n->ino,
				   ext2_ftype_of_mode(n->raw.i_mode));
	if (err) {
		ext2_inode_release(&m->fs, n->ino, &n->raw, t);
		return err;
	}
	return 0;
}

/* The caller's file-system ids as the new disk inode's owner. */
static void set_owner(struct ext2_inode *raw)
{
	const struct cred *c = current_cred();

	raw->i_uid = (uint16_t)c->fsuid;
	raw->i_uid_high = (uint16_t)(c->fsuid >> 16);
	raw->i_gid = (uint16_t)c->fsgid;
	raw->i_gid_high = (uint16_t)(c->fsgid >> 16);
}

/* Make the disk inode n for a new entry of dir and its struct inode. Locked. */
static int create_locked(struct ext2_mount *m, struct inode *dir, const char *name, size_t len,
			 struct ext2_node *n, uint32_t rdev, const char *target, struct inode **out)
{
	int err = create_disk(m, dir, name, len, n, rdev, target);

	if (err)
		return err;
	if ((err = ext2_make_inode(m, n, dir, name, len, out))) {
		ext2_dir_remove(&m->fs, &ext2_node_of(dir)->raw, name, len);
		ext2_inode_release(&m->fs, n->ino, &n->raw, ext2_now());
		return err;
	}
	struct vfs_time now = vfs_now();
	(*out)->atime = (*out)->mtime = (*out)->ctime = now;
	(*out)->rdev = rdev;
	if (S_ISDIR((*out)->mode))
		dir->nlink++;
	dir->mtime = dir->ctime = now;
	ext2_write_node(m, n);
	ext2_write_node(m, ext2_node_of(dir));
	return 0;
}

static int ext2_create(struct inode *dir, const char *name, size_t len, uint32_t mode, uint32_t rdev,
		       const char *target, struct inode **out)
{
	struct ext2_mount *m = ext2_mount_of(dir);
	struct ext2_node *n = NULL;
	uint32_t ino;
	uint8_t ft;
	int err = ext2_lock_write(m);

	if (err)
		return err;
	if (S_ISDIR(mode) && dir->nlink >= EXT2_LINK_MAX)
		err = -EMLINK;
	else if ((err = ext2_dir_find(&m->fs, &ext2_node_of(dir)->raw, name, len, &ino, &ft)) != -ENOENT)
		err = err ? err : -EEXIST;
	else if (!(n = kzalloc(sizeof(*n))))
		err = -ENOMEM;
	else {
		n->raw.i_mode = (uint16_t)mode;
		set_owner(&n->raw);
		err = create_locked(m, dir, name, len, n, rdev, target, out);
		if (err)
			kfree(n);
	}
	ext2_unlock(m);
	return err;
}

static int ext2_link(struct inode *dir, const char *name, size_t len, struct inode *target)
{
	struct ext2_mount *m = ext2_mount_of(dir);
	uint32_t ino;
	uint8_t ft;
	int err = ext2_lock_write(m);

	if (err)
		return err;
	if (target->nlink >= EXT2_LINK_MAX)
		err = -EMLINK;
	else if ((err = ext2_dir_find(&m->fs, &ext2_node_of(dir)->raw, name, len, &ino, &ft)) != -ENOENT)
		err = err ? err : -EEXIST;
	else
		err = ext2_dir_add(&m->fs, ext2_node_of(dir)->ino, &ext2_node_of(dir)->raw, name, len,
				   ext2_node_of(target)->ino, ext2_ftype_of_mode(target->mode));
	if (!err) {
		target->nlink++;
		target->ctime = dir->mtime = dir->ctime = vfs_now();
		ext2_write_node(m, ext2_node_of(target));
		ext2_write_node(m, ext2_node_of(dir));
	}
	ext2_unlock(m);
	return err;
}

/* ---------------------------------------------------------------- removing */

/* One link of inode ino (an entry of dir just removed or replaced) is
 * gone. A live inode is freed on the disk at its eviction; one nobody
 * holds, now. Locked. */
static int drop_link(struct ext2_mount *m, struct inode *dir, uint32_t ino)
{
	struct ext2_node *n = ext2_live_find(m, ino);
	struct ext2_inode raw;

	if (n) {
		bool isdir = S_ISDIR(n->ip->mode);
		n->ip->nlink = isdir || n->ip->nlink == 0 ? 0 : n->ip->nlink - 1;
		n->ip->ctime = vfs_now();
		if (isdir && dir->nlink > 2)
			dir->nlink--;
		return ext2_write_node(m, n);
	}
	int err = ext2_iread(&m->fs, ino, &raw);
	if (err)
		return err;
	bool isdir = S_ISDIR(raw.i_mode);
	raw.i_links_count = isdir || raw.i_links_count == 0 ? 0 : raw.i_links_count - 1;
	raw.i_ctime = ext2_now();
	if (isdir && dir->nlink > 2)
		dir->nlink--;
	if (raw.i_links_count == 0)
		return ext2_inode_release(&m->fs, ino, &raw, ext2_now());
	return ext2_iwrite(&m->fs, ino, &raw);
}

static int ext2_unlink(struct inode *dir, const char *name, size_t len)
{
	struct ext2_mount *m = ext2_mount_of(dir);
	uint32_t ino;
	uint8_t ft;
	int err = ext2_lock_write(m);

	if (err)
		return err;
	err = ext2_dir_find(&m->fs, &ext2_node_of(dir)->raw, name, len, &ino, &ft);
	if (!err)
		err = ext2_dir_remove(&m->fs, &ext2_node_of(dir)->raw, name, len);
	if (!err) {
		dir->mtime = dir->ctime = vfs_now();
		err = drop_link(m, dir, ino);
		ext2_write_node(m, ext2_node_of(dir));
	}
	ext2_unlock(m);
	return err;
}

/* A directory moved from odir to ndir under a new name: its ".." and the
 * link counts on the disk, its parent and name in memory. Locked. */
static int move_dir(struct ext2_mount *m, struct inode *ip, struct inode *odir, struct inode *ndir,
		    const char *nname, size_t nlen)
{
	char *nm = kmalloc(nlen + 1);

	if (!nm)
		return -ENOMEM;
	memcpy(nm, nname, nlen);
	nm[nlen] = '\0';
	kfree(ip->name);
	ip->name = nm;
	if (odir == ndir)
		return 0;
	int err = ext2_dir_retarget(&m->fs, &ext2_node_of(ip)->raw, "..", 2, ext2_node_of(ndir)->ino, EXT2_FT_DIR);
	odir->nlink--;
	ndir->nlink++;
	inode_put(ip->parent); /* odir: the caller holds it too, so it stays */
	ip->parent = inode_get(ndir);
	ext2_write_node(m, ext2_node_of(ip));
	return err;
}

/* The entry nname in ndir names src now: replaced in place or added. Locked. */
static int rename_entry(struct ext2_mount *m, struct inode *ndir, const char *nname, size_t nlen,
			uint32_t src, uint8_t ft)
{
	uint32_t old;
	uint8_t oft;
	struct ext2_node *dn = ext2_node_of(ndir);
	int err = ext2_dir_find(&m->fs, &dn->raw, nname, nlen, &old, &oft);

	if (err == -ENOENT)
		return ext2_dir_add(&m->fs, dn->ino, &dn->raw, nname, nlen, src, ft);
	if (err)
		return err;
	if ((err = ext2_dir_retarget(&m->fs, &dn->raw, nname, nlen, src, ft)))
		return err;
	return drop_link(m, ndir, old);
}

static int ext2_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
		       const char *nname, size_t nlen)
{
	struct ext2_mount *m = ext2_mount_of(odir);
	uint32_t src;
	uint8_t ft;
	int err = ext2_lock_write(m);

	if (err)
		return err;
	err = ext2_dir_find(&m->fs, &ext2_node_of(odir)->raw, oname, olen, &src, &ft);
	struct ext2_node *sn = err ? NULL : ext2_live_find(m, src);
	if (!err && !sn)
		err = -EIO; /* the VFS holds the source: it is live */
	if (!err)
		err = rename_entry(m, ndir, nname, nlen, src, ext2_ftype_of_mode(sn->ip->mode));
	if (!err)
		err = ext2_dir_remove(&m->fs, &ext2_node_of(odir)->raw, oname, olen);
	if (!err && S_ISDIR(sn->ip->mode))
		err = move_dir(m, sn->ip, odir, ndir, nname, nlen);
	if (!err) {
		struct vfs_time now = vfs_now();
		sn->ip->ctime = odir->mtime = odir->ctime = ndir->mtime = ndir->ctime = now;
		ext2_write_node(m, sn);
		ext2_write_node(m, ext2_node_of(odir));
		ext2_write_node(m, ext2_node_of(ndir));
	}
	ext2_unlock(m);
	return err;
}

/* ---------------------------------------------------------------- regular files */

static int ext2_truncate_op(struct inode *ip, uint64_t size)
{
	struct ext2_mount *m = ext2_mount_of(ip);
	struct ext2_node *n = ext2_node_of(ip);
	int err = ext2_lock_write(m);

	if (err)
		return err;
	err = ext2_truncate(&m->fs, n->ino, &n->raw, size);
	ip->size = ext2_inode_size(&n->raw);
	if (!err) {
		ip->mtime = ip->ctime = vfs_now();
		ext2_write_node(m, n);
	}
	ext2_unlock(m);
	return err;
}

/* Start reading bytes [from, to) of nd's data from the disk without
 * waiting, in runs of blocks that follow each other on the disk (one
 * request each, up to what the device takes); holes are skipped.
 * Locked. */
static void readahead_range(struct ext2_mount *m, struct ext2_node *nd, uint64_t from, uint64_t to)
{
	struct ext2_fs *fs = &m->fs;
	uint32_t bs = fs->g.block_size, start = 0, len = 0;

	for (uint64_t l = from / bs; l < (to + bs - 1) / bs; l++) {
		uint32_t pblk;
		if (ext2_bmap(fs, &nd->raw, 0, l, false, &pblk))
			break;
		if (len && pblk == start + len) {
			len++;
			continue;
		}
		if (len)
			bcache_readahead_async(fs->dev, (uint64_t)start * bs, (size_t)len * bs);
		start = pblk;
		len = pblk ? 1 : 0;
	}
	if (len)
		bcache_readahead_async(fs->dev, (uint64_t)start * bs, (size_t)len * bs);
}

/* Read-ahead for a read of n bytes at pos, as Linux's on-demand one: a
 * read where the last one ended doubles the window (RA_MIN..RA_MAX) and
 * starts the next part of it while the caller copies this one; any
 * other read closes it (only a large one is still read in big
 * requests). Locked. */
static void readahead(struct ext2_mount *m, struct ext2_node *nd, uint64_t pos, size_t n)
{
	uint64_t size = ext2_inode_size(&nd->raw);

	if (pos >= size)
		return;
	if (n > RA_MAX)
		n = RA_MAX; /* the rest is read ahead as the reader gets there */
	if (pos != nd->ra_next) {
		nd->ra_win = 0;
		nd->ra_end = pos;
		if (n >= RA_MIN)
			readahead_range(m, nd, pos, pos + n < size ? pos + n : size);
		return;
	}
	nd->ra_win = nd->ra_win ? (nd->ra_win * 2 < RA_MAX ? nd->ra_win * 2 : RA_MAX) : RA_MIN;
	uint64_t want = pos + n + nd->ra_win;
	if (want > size || want < pos)
		want = size;
	if (nd->ra_end < pos)
		nd->ra_end = pos;
	if (want > nd->ra_end && nd->ra_end < pos + n + nd->ra_win / 2) {
		readahead_range(m, nd, nd->ra_end, want);
		nd->ra_end = want;
	}
}

/* How many blocks from lblk on (at most max) lie one after another on
 * the disk from pblk, its first: one cache call reads them all. */
static uint32_t run_blocks(struct ext2_fs *fs, struct ext2_inode *raw, uint64_t lblk, uint32_t pblk,
			   uint64_t max)
{
	uint32_t n = 1, next;

	while (n < max && n < RUN_MAX_BLOCKS && ext2_bmap(fs, raw, 0, lblk + n, false, &next) == 0 &&
	       next == pblk + n)
		n++;
	return n;
}

/* n zero bytes into b at off (a hole): 0 or -EFAULT. */
static int put_zeros(struct iobuf b, size_t off, size_t n)
{
	static const uint8_t zeros[512];

	for (size_t k; n; off += k, n -= k) {
		k = n < sizeof(zeros) ? n : sizeof(zeros);
		if (iobuf_put(b, off, zeros, k))
			return -EFAULT;
	}
	return 0;
}

/* Read up to n bytes of nd's data at pos straight from the block cache
 * into b, a run of blocks contiguous on the disk per cache call: the
 * count (short at the end of the file), or -errno when none. Locked. */
static long read_locked(struct ext2_mount *m, struct ext2_node *nd, struct iobuf b, size_t n, uint64_t pos)
{
	struct ext2_fs *fs = &m->fs;
	uint64_t size = ext2_inode_size(&nd->raw);
	uint32_t bs = fs->g.block_size;
	size_t done = 0;

	if (pos >= size)
		return 0;
	if (n > size - pos)
		n = (size_t)(size - pos);
	while (done < n) {
		if (done && io_should_stop())
			break;
		uint64_t at = pos + done, lblk = at / bs;
		uint32_t in_off = (uint32_t)(at % bs), pblk;
		size_t k = n - done;
		int err = ext2_bmap(fs, &nd->raw, 0, lblk, false, &pblk);
		if (!err && !pblk) {
			k = k < bs - in_off ? k : bs - in_off;
			err = put_zeros(b, done, k);
		} else if (!err) {
			uint64_t run = run_blocks(fs, &nd->raw, lblk, pblk, (in_off + (uint64_t)k + bs - 1) / bs);
			k = k < run * bs - in_off ? k : (size_t)(run * bs - in_off);
			err = bcache_read_iobuf(fs->dev, (uint64_t)pblk * bs + in_off, b, done, k);
		}
		if (err)
			return done ? (long)done : err;
		done += k;
	}
	return (long)done;
}

static long file_read(struct file *f, struct iobuf b, size_t n, uint64_t *pos)
{
	struct ext2_mount *m = ext2_mount_of(f->inode);
	long r = ext2_lock(m);

	if (r == 0) {
		struct ext2_node *nd = ext2_node_of(f->inode);
		readahead(m, nd, *pos, n);
		r = read_locked(m, nd, b, n, *pos);
		nd->ra_next = *pos + (r > 0 ? (uint64_t)r : 0);
		ext2_unlock(m);
	}
	if (r > 0)
		*pos += (uint64_t)r;
	return r;
}

/* Write n bytes of b at pos through bounce: the count, or -errno when none. Locked. */
static long write_locked(struct ext2_mount *m, struct ext2_node *nd, uint8_t *bounce, struct iobuf b,
			 size_t n, uint64_t pos)
{
	size_t done = 0;

	while (done < n) {
		if (io_should_stop())
			return done ? (long)done : -EINTR;
		size_t k = n - done < IO_CHUNK ? n - done : IO_CHUNK;
		if (iobuf_get(bounce, b, done, k))
			return done ? (long)done : -EFAULT;
		long put = ext2_write(&m->fs, nd->ino, &nd->raw, pos + done, bounce, k);
		if (put < 0)
			return done ? (long)done : put;
		done += (size_t)put;
		if ((size_t)put < k)
			break;
	}
	return (long)done;
}

/* Write n bytes of b at *pos (the end with O_APPEND). */
static long file_write(struct file *f, struct iobuf b, size_t n, uint64_t *pos)
{
	struct inode *ip = f->inode;
	struct ext2_mount *m = ext2_mount_of(ip);
	uint8_t *bounce = kmalloc(IO_CHUNK);
	long r = bounce ? ext2_lock_write(m) : -ENOMEM;

	if (r == 0) {
		if (f->flags & O_APPEND)
			*pos = ip->size;
		r = write_locked(m, ext2_node_of(ip), bounce, b, n, *pos);
		ip->size = ext2_inode_size(&ext2_node_of(ip)->raw);
		if (r > 0) {
			ip->mtime = ip->ctime = vfs_now();
			vfs_remove_privs(ip);
		}
		ext2_write_node(m, ext2_node_of(ip));
		ext2_unlock(m);
	}
	kfree(bounce);
	if (r > 0)
		*pos += (uint64_t)r;
	return r;
}

static long ext2_flseek(struct file *f, int64_t off, int whence)
{
	return vfs_seek_pos(f, off, whence, f->inode->size);
}

static const struct file_ops ext2_file_ops = {
	.read = file_read,
	.write = file_write,
	.lseek = ext2_flseek,
	.kernel_io = KERNEL_IO_READ | KERNEL_IO_WRITE,
};

static int ext2_open(struct inode *ip, struct file *f)
{
	switch (ip->mode & S_IFMT) {
	case S_IFREG:
		f->ops = &ext2_file_ops;
		return 0;
	case S_IFDIR:
		f->ops = &dir_file_ops;
		return 0;
	case S_IFCHR:
	case S_IFBLK:
		return devfs_open(ip, f);
	case S_IFIFO:
		return pipe_open_fifo(&ext2_node_of(ip)->fifo, f);
	}
	return -ENXIO; /* sockets: nothing behind them */
}

const struct inode_ops ext2_iops = {
	.lookup = ext2_lookup,
	.iterate = ext2_iterate,
	.create = ext2_create,
	.link = ext2_link,
	.unlink = ext2_unlink,
	.rename = ext2_rename,
	.readlink = ext2_readlink_op,
	.truncate = ext2_truncate_op,
	.open = ext2_open,
	.evict = ext2_evict,
};

