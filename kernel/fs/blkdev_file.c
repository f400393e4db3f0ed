// SPDX-License-Identifier: MIT
/*
 * Kestrel: block special files. A node's device number finds a device in
 * the block layer's registry (block/blkdev.h); read and write go through
 * the block cache (block/bcache.h) in chunks of up to one request, with
 * a position the file keeps; lseek knows the device's size; fsync,
 * BLKFLSBUF and the write-back reach the disk. As Linux's block
 * devices: a read at the end returns 0, a write there -ENOSPC.
 */
#include "fs/blkdev_file.h"
#include "block/bcache.h"
#include "mm/heap.h"
#include "mm/iobuf.h"
#include "mm/usercopy.h"
#include "proc/sched.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "uapi/fcntl.h"
#include "uapi/ioctl.h"
#include "uapi/poll.h"
#include "uapi/stat.h"
#include "log.h"

#define CHUNK_MAX   (128u * 1024)   /* bytes per bcache call: one full request */
#define READAHEAD   (1024u * 1024)  /* read ahead of a sequential reader, without waiting */
#define CHUNK_MIN   4096u
#define NODE_MODE   (S_IFBLK | 0660)

/* An open block file's state (f->priv). */
struct blk_open {
	struct blkdev *dev;
	uint64_t next;            /* where the last read ended: a read from here is sequential */
	uint64_t ra_end;          /* read-ahead was started up to here */
};

static uint64_t dev_bytes(const struct blkdev *d)
{
	return d->nsect * SECTOR_SIZE;
}

/* A bounce buffer of up to want bytes (at least CHUNK_MIN): its size in *got. */
static void *bounce_alloc(size_t want, size_t *got)
{
	size_t n = want < CHUNK_MAX ? want : CHUNK_MAX;
	void *p = NULL;

	if (n < CHUNK_MIN)
		n = CHUNK_MIN;
	for (; n >= CHUNK_MIN && !(p = kmalloc(n)); n /= 2)
		;
	*got = n;
	return p;
}

/* A read of n bytes at pos: a sequential one keeps READAHEAD bytes past
 * its end requested from the disk (started when half of that is left). */
static void readahead(struct blk_open *o, uint64_t pos, size_t n)
{
	size_t cur = n < READAHEAD ? n : READAHEAD;

	if (pos != o->next || o->ra_end < pos)
		o->ra_end = pos;
	if (pos != o->next || o->ra_end >= pos + cur + READAHEAD / 2)
		return;
	uint64_t want = pos + cur + READAHEAD; /* the cache stops at the device's end */
	bcache_readahead_async(o->dev, o->ra_end, (size_t)(want - o->ra_end));
	o->ra_end = want;
}

/* Move n bytes between the device at *pos and b: the count moved,
 * or -errno when nothing was. */
static long blk_rw(struct file *f, struct iobuf b, size_t n, uint64_t *pos, bool write)
{
	struct blk_open *o = f->priv;
	struct blkdev *d = o->dev;
	uint64_t size = dev_bytes(d);

	if (*pos >= size)
		return write && n ? -ENOSPC : 0;
	if (n > size - *pos)
		n = (size_t)(size - *pos);
	if (n > MAX_RW_COUNT)
		n = MAX_RW_COUNT;
	if (!write)
		readahead(o, *pos, n);
	size_t cap = CHUNK_MAX;
	uint8_t *buf = write ? bounce_alloc(n, &cap) : NULL; /* reads copy from the cache to b */
	if (write && !buf)
		return -ENOMEM;
	size_t done = 0;
	long err = 0;
	while (done < n && !err) {
		if (done && io_should_stop())
			break;
		size_t k = n - done < cap ? n - done : cap;
		if (write) {
			err = iobuf_get(buf, b, done, k) ? -EFAULT : bcache_write(d, *pos, buf, k);
		} else {
			err = bcache_read_iobuf(d, *pos, b, done, k);
		}
		if (!err) {
			done += k;
			*pos += k;
		}
	}
	kfree(buf);
	if (!write)
		o->next = *pos;
	return done ? (long)done : err;
}

static long blk_read(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	return blk_rw(f, buf, n, pos, false);
}

static long blk_write(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	return blk_rw(f, buf, n, pos, true);
}

static long blk_lseek(struct file *f, int64_t off, int whence)
{
	struct blkdev *d = ((struct blk_open *)f->priv)->dev;
	int64_t base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case SEEK_END:
		base = (int64_t)dev_bytes(d);
		break;
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->pos = (uint64_t)(base + off);
	return (long)f->pos;
}

static long put_u64(uint64_t arg, uint64_t v)
{
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long put_int(uint64_t arg, int v)
{
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long blk_ioctl(struct file *f, unsigned long req, uint64_t arg)
{
	struct blkdev *d = ((struct blk_open *)f->priv)->dev;

	switch (req) {
	case BLKGETSIZE64:
		return put_u64(arg, dev_bytes(d));
	case BLKGETSIZE: /* an unsigned long of 512-byte sectors */
		return put_u64(arg, d->nsect);
	case BLKSSZGET:
	case BLKPBSZGET:
		return put_int(arg, (int)d->sector_size);
	case BLKROGET:
		return put_int(arg, d->read_only);
	case BLKFLSBUF: {
		int err = bcache_sync_dev(d);
		if (!err)
			bcache_invalidate_dev(d); /* held pages (a mount) stay: not an error, as Linux */
		return err;
	}
	case BLKRRPART:
		return -EBUSY; /* partitions are read once, at registration */
	}
	return -ENOTTY;
}

static void blk_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops blkdev_file_ops = {
	.read = blk_read,
	.write = blk_write,
	.lseek = blk_lseek,
	.ioctl = blk_ioctl,
	.kernel_io = KERNEL_IO_READ | KERNEL_IO_WRITE,
	.release = blk_release,
};

int blkdev_file_open(struct inode *ip, struct file *f)
{
	struct blkdev *d = blkdev_find_rdev(RDEV_MAJOR(ip->rdev), RDEV_MINOR(ip->rdev));

	if (!d)
		return -ENXIO;
	if ((f->flags & O_ACCMODE) != O_RDONLY && d->read_only)
		return -EROFS;
	struct blk_open *o = kzalloc(sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->dev = d;
	f->ops = &blkdev_file_ops;
	f->priv = o;
	return 0;
}

int blkdev_file_fsync(struct inode *ip)
{
	struct blkdev *d = blkdev_find_rdev(RDEV_MAJOR(ip->rdev), RDEV_MINOR(ip->rdev));

	return d ? bcache_sync_dev(d) : -ENXIO;
}

struct populate {
	struct inode *dir;
	unsigned made;
};

static void make_node(struct blkdev *d, void *arg)
{
	struct populate *p = arg;
	struct inode *ip;

	if (p->dir->ops->create(p->dir, d->name, strnlen(d->name, BLK_NAME_MAX), NODE_MODE,
				RDEV(d->major, d->minor), NULL, &ip) == 0) {
		inode_put(ip);
		p->made++;
	}
}

unsigned blkdev_file_populate(struct inode *dev)
{
	struct populate p = { dev, 0 };

	blkdev_for_each(make_node, &p);
	return p.made;
}
