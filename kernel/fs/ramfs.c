// SPDX-License-Identifier: MIT
/*
 * Kestrel: ramfs, the writable file system in memory that holds the root.
 *
 * Directories are lists of entries in creation order; each entry has a
 * cookie (its position for getdents64) that never changes, so removing
 * entries while a reader walks the directory skips nothing. Regular files
 * keep their bytes in an array of page pointers (a NULL page reads as
 * zeros: sparse files are free); a file from the boot archive reads the
 * archive in place until its first change copies it. Symlinks keep their
 * target as a string.
 *
 * Lock rule: see fs/inode.h (one CPU, no preemption in the kernel).
 */
#include "fs/inode.h"
#include "fs/path.h"
#include "fs/pipe.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "lib/errno.h"
#include "lib/string.h"

#define RAMFS_MAGIC    0x858458f6u
#define RAMFS_DEV      1
#define PAGE           4096u
#define FIRST_COOKIE   2          /* 0 and 1 are "." and ".." */
#define MAX_FILE_SIZE  (1ull << 36)

const struct fs_info ramfs_fs = { "ramfs", RAMFS_DEV, RAMFS_MAGIC, false };

struct ramfs_dirent {
	struct ramfs_dirent *next;
	struct inode *ip;             /* counted in ip->nlink, not ip->refs */
	uint64_t cookie;
	size_t len;
	char name[];                  /* len bytes and a NUL */
};

struct ramfs_dir {
	struct ramfs_dirent *head, *tail;
	uint64_t next_cookie;
};

/*
 * A regular file's pages, in two levels so that no single allocation
 * grows with the file (a file may hold half of RAM: one flat array of
 * its page pointers would be megabytes of contiguous heap): a directory
 * of leaves, each one page of LEAF_SLOTS page pointers. A NULL leaf or
 * slot reads as zeros.
 */
#define LEAF_SLOTS (PAGE / sizeof(uint8_t *))
struct ramfs_file {
	uint8_t ***leaves;            /* nleaves slots */
	size_t nleaves;
	const uint8_t *borrowed;      /* the bytes in place, until the first change */
	/* Serialises writers and truncation (Linux's i_rwsem for writes): an
	 * O_APPEND write takes its position and copies under it, so two
	 * appenders that give up the CPU mid-copy cannot land on the same
	 * bytes. */
	struct sleeplock write_lock;
};

/*
 * The size limit, as tmpfs has one: by default half of RAM, in pages of
 * file data (a file still read in place from the boot archive costs
 * none) and in inodes. A write or create beyond it gives ENOSPC, so a
 * program filling the file system leaves the rest of memory to the
 * kernel and the other programs.
 */
static struct {
	uint64_t pages, max_pages;
	uint64_t inodes, max_inodes;
} usage;

static uint64_t next_ino = 1;
static const struct inode_ops ramfs_ops;
static const struct file_ops ramfs_file_ops;
static const uint8_t zeros[PAGE];

/* ---------------------------------------------------------------- directories */

static struct ramfs_dirent *dir_find(struct inode *dir, const char *name, size_t len,
				     struct ramfs_dirent **prev)
{
	struct ramfs_dir *d = dir->priv;
	struct ramfs_dirent *p = NULL;

	for (struct ramfs_dirent *e = d->head; e; p = e, e = e->next) {
		if (e->len == len && memcmp(e->name, name, len) == 0) {
			if (prev)
				*prev = p;
			return e;
		}
	}
	return NULL;
}

/* Append an entry for ip; the caller adjusts link counts. */
static int dir_add(struct inode *dir, const char *name, size_t len, struct inode *ip)
{
	struct ramfs_dir *d = dir->priv;
	struct ramfs_dirent *e = kmalloc(sizeof(*e) + len + 1);

	if (!e)
		return -ENOMEM;
	e->next = NULL;
	e->ip = ip;
	e->cookie = d->next_cookie++;
	e->len = len;
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	if (d->tail)
		d->tail->next = e;
	else
		d->head = e;
	d->tail = e;
	dir->mtime = dir->ctime = vfs_now();
	return 0;
}

/* Unhook entry e (prev is the one before it, or NULL) and free it. */
static void dir_remove(struct inode *dir, struct ramfs_dirent *e, struct ramfs_dirent *prev)
{
	struct ramfs_dir *d = dir->priv;

	if (prev)
		prev->next = e->next;
	else
		d->head = e->next;
	if (d->tail == e)
		d->tail = prev;
	kfree(e);
	dir->mtime = dir->ctime = vfs_now();
}

static int ramfs_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct ramfs_dirent *e = dir_find(dir, name, len, NULL);

	if (!e)
		return -ENOENT;
	*out = inode_get(e->ip);
	return 0;
}

static int ramfs_iterate(struct inode *dir, uint64_t *pos, dir_emit_fn emit, void *ctx)
{
	struct ramfs_dir *d = dir->priv;

	if (*pos == 0) {
		if (!emit(ctx, ".", 1, dir->ino, DT_DIR, 1))
			return 0;
		*pos = 1;
	}
	if (*pos == 1) {
		struct inode *up = dir->parent ? dir->parent : dir;
		if (!emit(ctx, "..", 2, up->ino, DT_DIR, FIRST_COOKIE))
			return 0;
		*pos = FIRST_COOKIE;
	}
	for (struct ramfs_dirent *e = d->head; e; e = e->next) {
		if (e->cookie < *pos)
			continue;
		if (!emit(ctx, e->name, e->len, e->ip->ino, inode_dtype(e->ip), e->cookie + 1))
			return 0;
		*pos = e->cookie + 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- inode life */

/* A new ramfs inode of the given type with its private part; NULL when
 * out of memory or over the inode limit. */
static struct inode *ramfs_new(uint32_t mode)
{
	if (usage.inodes >= usage.max_inodes)
		return NULL;
	struct inode *ip = inode_alloc(&ramfs_fs, &ramfs_ops, mode);
	void *priv = NULL;

	if (!ip)
		return NULL;
	if (S_ISDIR(mode)) {
		struct ramfs_dir *d = kzalloc(sizeof(*d));
		if (d)
			d->next_cookie = FIRST_COOKIE;
		priv = d;
	} else if (S_ISREG(mode)) {
		priv = kzalloc(sizeof(struct ramfs_file));
	}
	if ((S_ISDIR(mode) || S_ISREG(mode)) && !priv) {
		kfree(ip);
		return NULL;
	}
	ip->priv = priv;
	ip->ino = next_ino++;
	usage.inodes++;
	return ip;
}

/* Page idx of the file, or NULL for a hole. */
static uint8_t *page_get(const struct ramfs_file *rf, size_t idx)
{
	size_t l = idx / LEAF_SLOTS;

	return l < rf->nleaves && rf->leaves[l] ? rf->leaves[l][idx % LEAF_SLOTS] : NULL;
}

/* Free the pages from page index `from` on; leaves wholly past it go too. */
static void file_free_pages(struct ramfs_file *rf, size_t from)
{
	for (size_t l = from / LEAF_SLOTS; l < rf->nleaves; l++) {
		uint8_t **leaf = rf->leaves[l];
		if (!leaf)
			continue;
		size_t first = l * LEAF_SLOTS;
		for (size_t i = first < from ? from - first : 0; i < LEAF_SLOTS; i++) {
			if (leaf[i]) {
				page_free(leaf[i]);
				usage.pages--;
			}
			leaf[i] = NULL;
		}
		if (first >= from) {
			kfree(leaf);
			rf->leaves[l] = NULL;
		}
	}
}

static void ramfs_evict(struct inode *ip)
{
	if (S_ISREG(ip->mode)) {
		struct ramfs_file *rf = ip->priv;
		file_free_pages(rf, 0);
		kfree(rf->leaves);
	} else if (S_ISDIR(ip->mode)) {
		struct ramfs_dir *d = ip->priv;
		while (d->head) /* only a failed create can leave entries here */
			dir_remove(ip, d->head, NULL);
	}
	kfree(ip->priv);
	usage.inodes--;
}

struct inode *ramfs_new_root(void)
{
	uint64_t half = pmm_managed_pages() / 2;

	usage.max_pages = usage.max_inodes = half;
	struct inode *ip = ramfs_new(S_IFDIR | 0755);

	if (!ip)
		return NULL;
	ip->nlink = 2;
	ip->parent = ip;
	return ip;
}

/* The type-specific part of a new inode: a directory's links and name, a symlink's target. */
static int ramfs_init_new(struct inode *dir, struct inode *ip, const char *name, size_t len,
			  const char *target)
{
	if (S_ISDIR(ip->mode)) {
		if (!(ip->name = kmalloc(len + 1)))
			return -ENOMEM;
		memcpy(ip->name, name, len);
		ip->name[len] = '\0';
		ip->parent = inode_get(dir);
		ip->nlink = 2;
	} else {
		ip->nlink = 1;
	}
	if (S_ISLNK(ip->mode)) {
		size_t tl = strlen(target);
		if (!(ip->priv = kmalloc(tl + 1)))
			return -ENOMEM;
		memcpy(ip->priv, target, tl + 1);
		ip->size = tl;
	}
	return 0;
}

static int ramfs_create(struct inode *dir, const char *name, size_t len, uint32_t mode,
			uint32_t rdev, const char *target, struct inode **out)
{
	if (dir_find(dir, name, len, NULL))
		return -EEXIST;
	struct inode *ip = ramfs_new(mode);
	if (!ip)
		return usage.inodes >= usage.max_inodes ? -ENOSPC : -ENOMEM;
	ip->rdev = rdev;
	int err = ramfs_init_new(dir, ip, name, len, target);
	if (!err)
		err = dir_add(dir, name, len, ip);
	if (err) {
		ip->nlink = 0;
		inode_put(ip);
		return err;
	}
	if (S_ISDIR(mode))
		dir->nlink++;
	*out = ip;
	return 0;
}

static int ramfs_link(struct inode *dir, const char *name, size_t len, struct inode *target)
{
	if (dir_find(dir, name, len, NULL))
		return -EEXIST;
	int err = dir_add(dir, name, len, target);
	if (err)
		return err;
	target->nlink++;
	target->ctime = vfs_now();
	return 0;
}

/* Drop the link entry e held on its inode (freeing it if nothing else holds it). */
static void drop_link(struct inode *dir, struct inode *ip)
{
	inode_get(ip);
	if (S_ISDIR(ip->mode)) {
		ip->nlink = 0;
		dir->nlink--;
	} else {
		ip->nlink--;
	}
	ip->ctime = vfs_now();
	inode_put(ip);
}

static int ramfs_unlink(struct inode *dir, const char *name, size_t len)
{
	struct ramfs_dirent *prev = NULL, *e = dir_find(dir, name, len, &prev);

	if (!e)
		return -ENOENT;
	struct inode *ip = e->ip;
	dir_remove(dir, e, prev);
	drop_link(dir, ip);
	return 0;
}

/* Give a moved directory its new name (nm, already allocated) and parent. */
static void move_dir(struct inode *ip, struct inode *odir, struct inode *ndir, char *nm)
{
	kfree(ip->name);
	ip->name = nm;
	if (odir != ndir) {
		odir->nlink--;
		ndir->nlink++;
		inode_put(ip->parent);
		ip->parent = inode_get(ndir);
	}
}

static int ramfs_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
			const char *nname, size_t nlen)
{
	struct ramfs_dirent *prev = NULL, *o = dir_find(odir, oname, olen, NULL);
	char *nm = NULL;

	if (!o)
		return -ENOENT;
	struct inode *ip = o->ip;
	if (S_ISDIR(ip->mode)) {
		if (!(nm = kmalloc(nlen + 1)))
			return -ENOMEM;
		memcpy(nm, nname, nlen);
		nm[nlen] = '\0';
	}
	struct ramfs_dirent *n = dir_find(ndir, nname, nlen, NULL);
	if (!n) {
		int err = dir_add(ndir, nname, nlen, ip);
		if (err) {
			kfree(nm);
			return err;
		}
	}
	/* Commit: nothing below fails. */
	inode_get(ip);
	if (n) {
		struct inode *old = n->ip;
		n->ip = ip; /* replaced in place: the name keeps its cookie */
		drop_link(ndir, old);
	}
	o = dir_find(odir, oname, olen, &prev);
	dir_remove(odir, o, prev);
	if (nm)
		move_dir(ip, odir, ndir, nm);
	ip->ctime = vfs_now();
	inode_put(ip);
	return 0;
}

/* ---------------------------------------------------------------- regular files */

/* Make room for page index idx in the page array (grown by doubling). */
const void *ramfs_borrowed(struct inode *ip)
{
	const struct ramfs_file *rf = ip->ops == &ramfs_ops && S_ISREG(ip->mode) ? ip->priv : NULL;
	return rf ? rf->borrowed : NULL;
}

/* The slot of page idx, its leaf (and a larger directory) allocated as
 * needed; NULL when memory is out. */
static uint8_t **page_slot(struct ramfs_file *rf, size_t idx)
{
	size_t l = idx / LEAF_SLOTS;

	if (l >= rf->nleaves) {
		size_t n = rf->nleaves ? rf->nleaves : 1;
		while (n <= l)
			n *= 2;
		uint8_t ***dir = kzalloc(n * sizeof(*dir));
		if (!dir)
			return NULL;
		if (rf->leaves)
			memcpy(dir, rf->leaves, rf->nleaves * sizeof(*dir));
		kfree(rf->leaves);
		rf->leaves = dir;
		rf->nleaves = n;
	}
	if (!rf->leaves[l] && !(rf->leaves[l] = kzalloc(LEAF_SLOTS * sizeof(uint8_t *))))
		return NULL;
	return &rf->leaves[l][idx % LEAF_SLOTS];
}

/* The page holding byte off, allocated (zeroed) if it is a hole; NULL
 * when the file system is full or memory is out (the caller's ENOSPC). */
static uint8_t *file_page(struct ramfs_file *rf, uint64_t off)
{
	uint8_t **slot = page_slot(rf, off / PAGE);

	if (!slot)
		return NULL;
	if (!*slot && usage.pages < usage.max_pages && (*slot = page_alloc_zeroed()))
		usage.pages++;
	return *slot;
}

void ramfs_usage(uint64_t *pages, uint64_t *max_pages, uint64_t *inodes, uint64_t *max_inodes)
{
	*pages = usage.pages;
	*max_pages = usage.max_pages;
	*inodes = usage.inodes;
	*max_inodes = usage.max_inodes;
}

/* The number in s (decimal) scaled by its suffix; false for anything else.
 * pct_base: what 100% is ('%' not allowed when 0). */
static bool parse_size(const char *s, size_t len, uint64_t pct_base, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0 || len - i > 1)
		return false;
	unsigned shift = 0;
	switch (i < len ? s[i] | 0x20 : 0) {
	case 0: break;
	case 'k': shift = 10; break;
	case 'm': shift = 20; break;
	case 'g': shift = 30; break;
	case 't': shift = 40; break;
	case '%' | 0x20:
		if (!pct_base || v > 100)
			return false;
		*out = pct_base / 100 * v + pct_base % 100 * v / 100;
		return true;
	default: return false;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return false;
	*out = v << shift;
	return true;
}

/* One option of ramfs_remount, into the page and inode limits: 0 or -EINVAL. */
static int remount_option(const char *o, size_t len, uint64_t *pages, uint64_t *inodes)
{
	static const char *const ignored[] = { "rw", "relatime", "noatime", "mode=", "uid=", "gid=" };
	uint64_t v;

	if (len > 5 && !memcmp(o, "size=", 5)) {
		if (!parse_size(o + 5, len - 5, pmm_managed_pages() * PAGE, &v))
			return -EINVAL;
		*pages = page_count(v);
		return 0;
	}
	if (len > 10 && !memcmp(o, "nr_inodes=", 10)) {
		if (!parse_size(o + 10, len - 10, 0, &v))
			return -EINVAL;
		*inodes = v;
		return 0;
	}
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		size_t n = strlen(ignored[i]);
		if (ignored[i][n - 1] == '=' ? len > n && !memcmp(o, ignored[i], n)
					     : len == n && !memcmp(o, ignored[i], n))
			return 0;
	}
	return -EINVAL;
}

int ramfs_remount(const char *opts)
{
	uint64_t pages = usage.max_pages, inodes = usage.max_inodes;

	for (const char *o = opts; *o;) {
		size_t len = 0;
		while (o[len] && o[len] != ',')
			len++;
		int err = len ? remount_option(o, len, &pages, &inodes) : 0;
		if (err)
			return err;
		o += len + (o[len] == ',');
	}
	/* tmpfs: 0 means no limit; a limit below the use is refused */
	pages = pages ? pages : UINT64_MAX;
	inodes = inodes ? inodes : UINT64_MAX;
	if (pages < usage.pages || inodes < usage.inodes)
		return -EINVAL;
	usage.max_pages = pages;
	usage.max_inodes = inodes;
	return 0;
}

/* Copy a borrowed file's bytes into pages of its own, before a change. */
static int file_unborrow(struct inode *ip)
{
	struct ramfs_file *rf = ip->priv;

	if (!rf->borrowed)
		return 0;
	for (uint64_t off = 0; off < ip->size; off += PAGE) {
		uint8_t *pg = file_page(rf, off);
		if (!pg) {
			file_free_pages(rf, 0);
			return -ENOSPC;
		}
		uint64_t k = ip->size - off < PAGE ? ip->size - off : PAGE;
		memcpy(pg, rf->borrowed + off, k);
	}
	rf->borrowed = NULL;
	return 0;
}

void ramfs_borrow(struct inode *ip, const void *data, uint64_t size)
{
	struct ramfs_file *rf = ip->priv;

	file_free_pages(rf, 0);
	rf->borrowed = data;
	ip->size = size;
}

/* Read up to n bytes at off into b: the count, or -EFAULT if none could be copied. */
static long file_read(struct inode *ip, struct iobuf b, size_t n, uint64_t off)
{
	struct ramfs_file *rf = ip->priv;
	size_t done = 0;

	if (off >= ip->size)
		return 0;
	if (n > ip->size - off)
		n = ip->size - off;
	while (done < n) {
		if (done && io_should_stop())
			break; /* SIGKILL: what was read so far */
		uint64_t at = off + done, idx = at / PAGE, in = at % PAGE;
		size_t k = n - done < PAGE - in ? n - done : PAGE - in;
		const uint8_t *pg = rf->borrowed ? NULL : page_get(rf, idx);
		const uint8_t *src = rf->borrowed ? rf->borrowed + at : pg ? pg + in : zeros;
		if (iobuf_put(b, done, src, k))
			return done ? (long)done : -EFAULT;
		done += k;
	}
	return (long)done;
}

/* Write n bytes of b at off, extending the file: the count or -errno. */
static long file_write(struct inode *ip, struct iobuf b, size_t n, uint64_t off)
{
	struct ramfs_file *rf = ip->priv;
	size_t done = 0;
	int err = file_unborrow(ip);

	if (err)
		return err;
	if (off >= MAX_FILE_SIZE || n > MAX_FILE_SIZE - off)
		return -EFBIG;
	while (done < n) {
		if (io_should_stop()) {
			err = -EINTR; /* SIGKILL: what was written so far, or -EINTR */
			break;
		}
		uint64_t at = off + done, in = at % PAGE;
		size_t k = n - done < PAGE - in ? n - done : PAGE - in;
		uint8_t *pg = file_page(rf, at);
		if (!pg) {
			err = -ENOSPC;
			break;
		}
		if (iobuf_get(pg + in, b, done, k)) {
			err = -EFAULT;
			break;
		}
		done += k;
	}
	if (done && off + done > ip->size)
		ip->size = off + done;
	if (done)
		ip->mtime = ip->ctime = vfs_now();
	return done ? (long)done : err;
}

static int truncate_locked(struct inode *ip, uint64_t size)
{
	struct ramfs_file *rf = ip->priv;

	if (size > MAX_FILE_SIZE)
		return -EFBIG;
	if (size == 0) {
		rf->borrowed = NULL;
	} else {
		int err = file_unborrow(ip);
		if (err)
			return err;
	}
	if (size < ip->size && rf->nleaves) {
		file_free_pages(rf, page_count(size));
		uint8_t *last = page_get(rf, size / PAGE);
		if (size % PAGE && last) /* later growth reads zeros */
			memset(last + size % PAGE, 0, PAGE - size % PAGE);
	}
	ip->size = size;
	ip->mtime = ip->ctime = vfs_now();
	return 0;
}

/* Change the size under the inode's write lock (see struct inode). */
static int ramfs_truncate(struct inode *ip, uint64_t size)
{
	struct ramfs_file *rf = ip->priv;
	int err = sleeplock_lock(&rf->write_lock);

	if (err)
		return err;
	err = truncate_locked(ip, size);
	sleeplock_unlock(&rf->write_lock);
	return err;
}

long ramfs_read_kernel(struct inode *ip, void *buf, size_t n, uint64_t off)
{
	return file_read(ip, iobuf_kernel(buf), n, off);
}

static long rf_read(struct file *f, uptr_t buf, size_t n, uint64_t *pos)
{
	long r = file_read(f->inode, iobuf_user(buf), n, *pos);
	if (r > 0)
		*pos += (uint64_t)r;
	return r;
}

static long rf_kread(struct file *f, void *buf, size_t n, uint64_t *pos)
{
	long r = file_read(f->inode, iobuf_kernel(buf), n, *pos);
	if (r > 0)
		*pos += (uint64_t)r;
	return r;
}

/* A write at *pos (the end, for O_APPEND) under the inode's write lock. */
static long locked_write(struct file *f, struct iobuf b, size_t n, uint64_t *pos)
{
	struct inode *ip = f->inode;
	struct ramfs_file *rf = ip->priv;
	long r = sleeplock_lock(&rf->write_lock);

	if (r)
		return r;
	if (f->flags & O_APPEND)
		*pos = ip->size;
	r = file_write(ip, b, n, *pos);
	sleeplock_unlock(&rf->write_lock);
	if (r > 0)
		*pos += (uint64_t)r;
	return r;
}

static long rf_write(struct file *f, uptr_t buf, size_t n, uint64_t *pos)
{
	return locked_write(f, iobuf_user(buf), n, pos);
}

static long rf_kwrite(struct file *f, const void *buf, size_t n, uint64_t *pos)
{
	return locked_write(f, iobuf_kernel((void *)buf), n, pos);
}

static long rf_lseek(struct file *f, int64_t off, int whence)
{
	return vfs_seek_pos(f, off, whence, f->inode->size);
}

static unsigned rf_poll(struct file *f)
{
	(void)f;
	return POLLIN | POLLOUT;
}

static const struct file_ops ramfs_file_ops = {
	.read = rf_read,
	.write = rf_write,
	.lseek = rf_lseek,
	.poll = rf_poll,
	.kread = rf_kread,
	.kwrite = rf_kwrite,
};

/* ---------------------------------------------------------------- the rest */

static int ramfs_readlink(struct inode *ip, char *buf, size_t cap)
{
	size_t n = ip->size < cap ? ip->size : cap;

	if (!S_ISLNK(ip->mode))
		return -EINVAL;
	memcpy(buf, ip->priv, n);
	return (int)n;
}

static int ramfs_open(struct inode *ip, struct file *f)
{
	switch (ip->mode & S_IFMT) {
	case S_IFREG:
		f->ops = &ramfs_file_ops;
		return 0;
	case S_IFDIR:
		f->ops = &dir_file_ops;
		return 0;
	case S_IFCHR:
		return devfs_open(ip, f);
	case S_IFIFO:
		return pipe_open_fifo(&ip->priv, f);
	}
	return -ENXIO; /* block devices and sockets: nothing behind them */
}

static const struct inode_ops ramfs_ops = {
	.lookup = ramfs_lookup,
	.iterate = ramfs_iterate,
	.create = ramfs_create,
	.link = ramfs_link,
	.unlink = ramfs_unlink,
	.rename = ramfs_rename,
	.readlink = ramfs_readlink,
	.truncate = ramfs_truncate,
	.open = ramfs_open,
	.evict = ramfs_evict,
};
