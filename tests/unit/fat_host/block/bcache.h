/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for kernel/block/bcache.h, for the FAT unit tests and
 * fuzzer only: a "device" is an image in memory, and every cache call is
 * a bounds-checked copy. Same prototypes and errors as the kernel's.
 */
#ifndef KESTREL_HOST_BCACHE_H
#define KESTREL_HOST_BCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "lib/errno.h"

#define SECTOR_SIZE 512u

struct blkdev {
	char name[16];
	uint64_t nsect;
	bool read_only;
	uint8_t *mem;             /* the image */
	size_t size;
	unsigned writes;          /* calls that changed the image */
	unsigned gets;            /* bcache_get calls (the FAT engine's metadata reads) */
};

struct bbuf {
	void *page;
	uint8_t *data;
	uint32_t off;
	uint32_t size;
};

static inline bool host_in(const struct blkdev *d, uint64_t pos, size_t len)
{
	return pos <= d->size && len <= d->size - pos;
}

static inline int bcache_get(struct blkdev *d, uint64_t block, uint32_t size, struct bbuf *out)
{
	if (size < 512 || size > 4096 || (size & (size - 1)) || block > d->size / size ||
	    !host_in(d, block * size, size))
		return -EINVAL;
	d->gets++;
	out->page = d;
	out->data = d->mem + block * size;
	out->off = 0;
	out->size = size;
	return 0;
}

static inline int bcache_get_new(struct blkdev *d, uint64_t block, uint32_t size, struct bbuf *out)
{
	return bcache_get(d, block, size, out);
}

static inline void bcache_dirty(struct bbuf *b, uint32_t off, uint32_t len)
{
	(void)off;
	(void)len;
	((struct blkdev *)b->page)->writes++;
}

static inline void bcache_put(struct bbuf *b) { b->data = NULL; }

static inline int bcache_read(struct blkdev *d, uint64_t pos, void *buf, size_t len)
{
	if (!host_in(d, pos, len))
		return -EINVAL;
	memcpy(buf, d->mem + pos, len);
	return 0;
}

static inline int bcache_write(struct blkdev *d, uint64_t pos, const void *buf, size_t len)
{
	if (!host_in(d, pos, len))
		return -EINVAL;
	memcpy(d->mem + pos, buf, len);
	d->writes++;
	return 0;
}

static inline int bcache_sync_dev(struct blkdev *d) { (void)d; return 0; }

static inline void bcache_readahead(struct blkdev *d, uint64_t pos, size_t len)
{
	(void)d;
	(void)pos;
	(void)len;
}

static inline void bcache_readahead_async(struct blkdev *d, uint64_t pos, size_t len)
{
	bcache_readahead(d, pos, len);
}

#endif
