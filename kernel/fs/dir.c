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

/* Records are gathered here and copied to the user a batch at a time:
 * one copy_to_user for many entries, not one each (the copy's checks
 * were a third of an entry's cost). Room for several of the longest. */
#define DIRENT_STAGE 1024 /* bytes: three of the longest records (280) and more */

/* Record fields are stored whole into the byte stage. */
typedef uint64_t __attribute__((may_alias)) rec_u64;
typedef uint16_t __attribute__((may_alias)) rec_u16;

/* Where getdents/getdents64 is filling the user's buffer. */
struct dirent_ctx {
	uptr_t buf;
	size_t cap, used;     /* used: bytes in the user's buffer, staged ones included */
	size_t staged;        /* bytes at the end of used still in stage, not copied out */
	uint64_t staged_pos;  /* d_off of the last record staged */
	uint64_t copied_pos;  /* d_off of the last record copied out: where a fault rewinds to */
	int err;
	bool full;
	enum dirent_format fmt;
	uint8_t stage[DIRENT_STAGE] __attribute__((aligned(8)));
};

/* After a fault in the batch at at: the staged records that still go
 * out whole, one at a time (Linux's filldir copies each alone), their
 * bytes; copied_pos follows them. */
static size_t salvage_records(struct dirent_ctx *c, size_t at)
{
	size_t done = 0;

	while (done < c->staged) {
		size_t reclen = *(rec_u16 *)(c->stage + done + 16);
		if (copy_to_user(c->buf + at + done, c->stage + done, reclen))
			break;
		c->copied_pos = *(rec_u64 *)(c->stage + done + 8); /* its d_off */
		done += reclen;
	}
	return done;
}

/* Copy the staged records to the user. On a fault: c->err, and used
 * back to what was copied, the records before the bad page included
 * (the caller rewinds the position to the last of them). */
static bool stage_flush(struct dirent_ctx *c)
{
	size_t at = c->used - c->staged;

	if (c->staged && copy_to_user(c->buf + at, c->stage, c->staged)) {
		c->err = -EFAULT;
		c->used = at + salvage_records(c, at);
		c->staged = 0;
		return false;
	}
	c->staged = 0;
	c->copied_pos = c->staged_pos;
	return true;
}

/* One record, padded to 8 bytes: struct linux_dirent64 (header with
 * d_type, name, NUL) or the old struct linux_dirent (header, name, NUL,
 * then d_type in the record's last byte), written into the stage. */
static bool emit_user(void *arg, const char *name, size_t len, uint64_t ino, unsigned dtype,
		      uint64_t next_pos)
{
	struct dirent_ctx *c = arg;
	bool old = c->fmt == DIRENT_OLD;
	size_t head = old ? DIRENT_OLD_HEADER : DIRENT_HEADER;
	size_t reclen = (head + len + 1 + (old ? 1 : 0) + 7) & ~(size_t)7;

	if (c->used + reclen > c->cap) {
		c->full = true;
		return false;
	}
	if (c->staged + reclen > DIRENT_STAGE && !stage_flush(c))
		return false;
	uint8_t *rec = c->stage + c->staged;
	*(rec_u64 *)(rec + reclen - 8) = 0; /* the NUL and the padding (reclen - 8 <= head + len) */
	*(rec_u64 *)rec = ino;
	*(rec_u64 *)(rec + 8) = next_pos;
	*(rec_u16 *)(rec + 16) = (uint16_t)reclen;
	memcpy(rec + head, name, len);
	rec[old ? reclen - 1 : 18] = (uint8_t)dtype;
	c->staged += reclen;
	c->used += reclen;
	c->staged_pos = next_pos;
	return true;
}

/* Fill buf with the entries from f->pos on, in format fmt: the bytes
 * written, 0 at the end, -EINVAL when the first entry does not fit
 * (a count over INT_MAX fits nothing, as in Linux), -EFAULT when none
 * could be copied. A file system's iterate leaves f->pos at the d_off
 * of the last record it emitted; a fault puts it back after the last
 * record the user got. */
static long dir_getdents(struct file *f, uptr_t buf, size_t n, enum dirent_format fmt)
{
	struct dirent_ctx c = { .buf = buf, .cap = n > DIRENT_MAX_COUNT ? 0 : n,
				.copied_pos = f->pos, .fmt = fmt };
	struct inode *ip = f->inode;

	if (ip->nlink == 0)
		return -ENOENT; /* removed while open: Linux lists nothing and says ENOENT */
	int err = ip->ops->iterate ? ip->ops->iterate(ip, &f->pos, emit_user, &c) : -ENOTDIR;
	if (!c.err)
		stage_flush(&c);
	if (c.err)
		f->pos = c.copied_pos; /* the records the user did not get are read again */
	if (err)
		return err;
	if (c.err && c.used == 0)
		return c.err;
	if (c.used == 0 && c.full)
		return -EINVAL;
	vfs_touch_atime(ip);
	return (long)c.used;
}

static long dir_read(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
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
