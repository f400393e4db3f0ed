// SPDX-License-Identifier: MIT
/*
 * Kestrel: open directories (getdents and getdents64 over any file system's iterate,
 * read giving EISDIR) and the lseek arithmetic every seekable file shares.
 */
#include "fs/inode.h"
#include "fs/path.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "uapi/fcntl.h"

#define DIRENT_HEADER 19   /* d_ino 8, d_off 8, d_reclen 2, d_type 1 */
#define DIRENT_OLD_HEADER 18 /* d_ino 8, d_off 8, d_reclen 2; d_type is the record's last byte */
#define DIRENT_MAX_COUNT 0x7fffffffu /* Linux keeps the count in an int: more fits nothing */

long vfs_seek_pos(struct file *f, int64_t off, int whence, uint64_t size)
{
	int64_t base;

	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (int64_t)f->pos; break;
	case SEEK_END: base = (int64_t)size; break;
	case SEEK_DATA:
	case SEEK_HOLE: /* one data extent: [0, size), then the hole at the end */
		if (off < 0 || (uint64_t)off >= size)
			return -ENXIO;
		f->pos = whence == SEEK_DATA ? (uint64_t)off : size;
		return (long)f->pos;
	default: return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->pos = (uint64_t)(base + off);
	return (long)f->pos;
}

long vfs_read_text(const char *text, size_t len, struct iobuf b, size_t n, uint64_t *pos)
{
	if (*pos >= len)
		return 0;
	if (n > len - *pos)
		n = len - (size_t)*pos;
	if (iobuf_put(b, 0, text + *pos, n))
		return -EFAULT;
	*pos += n;
	return (long)n;
}

bool vfs_emit_dots(struct inode *dir, uint64_t *pos, dir_emit_fn emit, void *ctx)
{
	if (*pos == 0) {
		if (!emit(ctx, ".", 1, dir->ino, DT_DIR, 1))
			return false;
		*pos = 1;
	}
	if (*pos == 1) {
		if (!emit(ctx, "..", 2, dir->parent ? dir->parent->ino : dir->ino, DT_DIR, 2))
			return false;
		*pos = 2;
	}
	return true;
}

/* Where getdents/getdents64 is filling the user's buffer. */
struct dirent_ctx {
	uptr_t buf;
	size_t cap, used;
	int err;
	bool full;
	enum dirent_format fmt;
};

/* One record, padded to 8 bytes: struct linux_dirent64 (header with
 * d_type, name, NUL) or the old struct linux_dirent (header, name, NUL,
 * then d_type in the record's last byte). */
static bool emit_user(void *arg, const char *name, size_t len, uint64_t ino, unsigned dtype,
		      uint64_t next_pos)
{
	struct dirent_ctx *c = arg;
	uint8_t rec[DIRENT_HEADER + NAME_MAX + 2 + 8];
	bool old = c->fmt == DIRENT_OLD;
	size_t head = old ? DIRENT_OLD_HEADER : DIRENT_HEADER;
	size_t reclen = (head + len + 1 + (old ? 1 : 0) + 7) & ~(size_t)7;
	uint16_t rl = (uint16_t)reclen;
	int64_t off = (int64_t)next_pos;

	if (c->used + reclen > c->cap) {
		c->full = true;
		return false;
	}
	memset(rec, 0, reclen);
	memcpy(rec, &ino, 8);
	memcpy(rec + 8, &off, 8);
	memcpy(rec + 16, &rl, 2);
	rec[old ? reclen - 1 : 18] = (uint8_t)dtype;
	memcpy(rec + head, name, len);
	if (copy_to_user(c->buf + c->used, rec, reclen)) {
		c->err = -EFAULT;
		return false;
	}
	c->used += reclen;
	return true;
}

/* Fill buf with the entries from f->pos on, in format fmt: the bytes
 * written, 0 at the end, -EINVAL when the first entry does not fit
 * (a count over INT_MAX fits nothing, as in Linux). */
static long dir_getdents(struct file *f, uptr_t buf, size_t n, enum dirent_format fmt)
{
	struct dirent_ctx c = { buf, n > DIRENT_MAX_COUNT ? 0 : n, 0, 0, false, fmt };
	struct inode *ip = f->inode;

	if (ip->nlink == 0)
		return -ENOENT; /* removed while open: Linux lists nothing and says ENOENT */
	int err = ip->ops->iterate ? ip->ops->iterate(ip, &f->pos, emit_user, &c) : -ENOTDIR;
	if (err)
		return err;
	if (c.err && c.used == 0)
		return c.err;
	if (c.used == 0 && c.full)
		return -EINVAL;
	ip->atime = vfs_now();
	return (long)c.used;
}

static long dir_read(struct file *f, uptr_t buf, size_t n, uint64_t *pos)
{
	(void)f, (void)buf, (void)n, (void)pos;
	return -EISDIR;
}

/* Directories seek to a position getdents handed out (d_off), or back
 * to 0, absolutely or from the current position (Linux's
 * dcache_dir_lseek); SEEK_END is EINVAL. */
static long dir_lseek(struct file *f, int64_t off, int whence)
{
	return whence == SEEK_SET || whence == SEEK_CUR ? vfs_seek_pos(f, off, whence, 0) : -EINVAL;
}

const struct file_ops dir_file_ops = {
	.read = dir_read,
	.lseek = dir_lseek,
	.getdents = dir_getdents,
};

/* Directories that also seek from their end, like a file (Linux's
 * generic_file_llseek, which /proc's directories use). */
static long dir_lseek_end(struct file *f, int64_t off, int whence)
{
	if (whence == SEEK_END)
		return vfs_seek_pos(f, off, whence, f->inode->size);
	return dir_lseek(f, off, whence);
}

const struct file_ops dir_file_ops_seek_end = {
	.read = dir_read,
	.lseek = dir_lseek_end,
	.getdents = dir_getdents,
};
