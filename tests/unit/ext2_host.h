/* SPDX-License-Identifier: MIT */
/* Host stand-ins for what kernel/fs/ext2_{core,alloc,dir}.c use (included first with -include): the block device is an image in memory, the block cache hands out pointers into it, kmalloc is malloc, klog prints only with EXT2_HOST_VERBOSE set. For tests/unit/test_ext2.c and tests/fuzz/fuzz_ext2.c. */
#ifndef KESTREL_TESTS_EXT2_HOST_H
#define KESTREL_TESTS_EXT2_HOST_H

/* Claim the kernel headers' include guards so the ext2 files get these instead. */
#define KESTREL_BLOCK_BCACHE_H
#define KESTREL_BLOCK_BLKDEV_H
#define KESTREL_LIB_STRING_H
#define KESTREL_MM_HEAP_H
#define KESTREL_LOG_H
#define KESTREL_PROC_SCHED_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECTOR_SIZE 512u
#define LOG_ERR  3
#define LOG_WARN 4
#define LOG_INFO 6

/* block/blkdev.h: a disk image in memory. */
struct blkdev {
	char name[16];
	uint64_t nsect;
	bool read_only;
	uint8_t *data;            /* nsect * SECTOR_SIZE bytes */
	unsigned fail_after;      /* 0: never; else the Nth cache call fails with -EIO */
	unsigned calls;
};

/* block/bcache.h */
struct bbuf {
	void *page;
	uint8_t *data;
	uint32_t off;
	uint32_t size;
};

static inline int host_fail(struct blkdev *d)
{
	return d->fail_after && ++d->calls >= d->fail_after ? -5 /* EIO */ : 0;
}

static inline int host_range(struct blkdev *d, uint64_t pos, size_t len)
{
	uint64_t end = d->nsect * SECTOR_SIZE;
	return pos > end || len > end - pos ? -22 /* EINVAL */ : host_fail(d);
}

static inline int bcache_get(struct blkdev *d, uint64_t block, uint32_t size, struct bbuf *out)
{
	if (size < 512 || size > 4096 || (size & (size - 1)) || block > UINT64_MAX / size)
		return -22;
	int err = host_range(d, block * size, size);
	if (err)
		return err;
	out->page = d;
	out->data = d->data + block * size;
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
	if (off > b->size || len > b->size - off)
		abort(); /* the file system marked bytes outside its block */
}

static inline void bcache_put(struct bbuf *b)
{
	b->data = NULL;
}

static inline int bcache_read(struct blkdev *d, uint64_t pos, void *buf, size_t len)
{
	int err = host_range(d, pos, len);
	if (!err)
		memcpy(buf, d->data + pos, len);
	return err;
}

static inline int bcache_write(struct blkdev *d, uint64_t pos, const void *buf, size_t len)
{
	int err = host_range(d, pos, len);
	if (!err)
		memcpy(d->data + pos, buf, len);
	return err;
}

/* proc/sched.h: nobody is ever killed here. */
static inline bool io_should_stop(void) { return false; }

/* mm/heap.h */
static inline void *kmalloc(size_t n) { return malloc(n ? n : 1); }
static inline void *kzalloc(size_t n) { return calloc(1, n ? n : 1); }
static inline void kfree(void *p) { free(p); }

/* log.h */
__attribute__((format(printf, 2, 3))) static inline void klog(int level, const char *fmt, ...)
{
	(void)level;
	if (!getenv("EXT2_HOST_VERBOSE"))
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

#endif
