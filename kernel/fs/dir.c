// SPDX-License-Identifier: MIT
/*
 * Kestrel: open directories (getdents64 over any file system's iterate,
 * read giving EISDIR) and the lseek arithmetic every seekable file shares.
 */
#include "fs/inode.h"
#include "fs/path.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "uapi/fcntl.h"

#define DIRENT_HEADER 19   /* d_ino 8, d_off 8, d_reclen 2, d_type 1 */

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

/* Where getdents64 is filling the user's buffer. */
struct dirent_ctx {
	uptr_t buf;
	size_t cap, used;
	int err;
	bool full;
};

/* One struct linux_dirent64: header, name, NUL, padded to 8 bytes. */
static bool emit_user(void *arg, const char *name, size_t len, uint64_t ino, unsigned dtype,
		      uint64_t next_pos)
{
	struct dirent_ctx *c = arg;
	uint8_t rec[DIRENT_HEADER + NAME_MAX + 1 + 8];
	size_t reclen = (DIRENT_HEADER + len + 1 + 7) & ~(size_t)7;
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
	rec[18] = (uint8_t)dtype;
	memcpy(rec + DIRENT_HEADER, name, len);
	if (copy_to_user(c->buf + c->used, rec, reclen)) {
		c->err = -EFAULT;
		return false;
	}
	c->used += reclen;
	return true;
}

static long dir_getdents64(struct file *f, uptr_t buf, size_t n)
{
	struct dirent_ctx c = { buf, n, 0, 0, false };
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

/* Directories seek to a position getdents64 handed out (d_off), or back to 0. */
static long dir_lseek(struct file *f, int64_t off, int whence)
{
	if (whence == SEEK_SET && off >= 0) {
		f->pos = (uint64_t)off;
		return off;
	}
	if (whence == SEEK_CUR && off == 0)
		return (long)f->pos;
	return -EINVAL;
}

const struct file_ops dir_file_ops = {
	.read = dir_read,
	.lseek = dir_lseek,
	.getdents64 = dir_getdents64,
};
