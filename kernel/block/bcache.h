/* SPDX-License-Identifier: MIT */
/*
 * The block cache: every file system's only way to a disk. It caches
 * 4 KiB pages of a device (a disk or a partition: each has its own
 * pages, keyed by byte offset / BCACHE_PAGE), reads and writes them in
 * whole runs where it can, and writes back dirty sectors (only those:
 * a 512-byte FAT sector change writes 512 bytes) on sync, on fsync,
 * under memory pressure, at unmount and before poweroff and reboot, and
 * every BCACHE_WRITEBACK_MS from its own kernel thread.
 *
 * A file system block of 512, 1024, 2048 or 4096 bytes at a multiple of
 * its size never straddles two pages, so bcache_get hands out a pointer
 * into one page.
 *
 * Lock rule: the cache's tables belong to the one CPU in kernel mode;
 * a page being read or written has its busy flag set and others sleep
 * on it (bcache.c). A held reference (bcache_get) keeps the page in
 * memory and its bytes stable until bcache_put.
 */
#ifndef KESTREL_BLOCK_BCACHE_H
#define KESTREL_BLOCK_BCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "block/blkdev.h"
#include "mm/iobuf.h"

#define BCACHE_PAGE         4096u
#define BCACHE_BLOCK_MAX    BCACHE_PAGE /* the largest logical block (sector_size) a device may have */
#define BCACHE_WRITEBACK_MS 5000u   /* dirty data older than this is written */

struct bcache_page;

/* A held block: data points at its bytes (size given to bcache_get). */
struct bbuf {
	struct bcache_page *page;
	uint8_t *data;
	uint32_t off;             /* data's offset in the page */
	uint32_t size;
};

/* Hold the block of size bytes (a power of two, 512..4096) at byte
 * offset block * size of d, read from the disk if not cached:
 * 0, -EIO (the read failed: logged), -EINVAL (beyond d's end or a bad
 * size), -ENOMEM. Sleeps. */
int bcache_get(struct blkdev *d, uint64_t block, uint32_t size, struct bbuf *out);
/* The same without reading: for a block the caller overwrites whole
 * (its bytes are zero if it was not cached). */
int bcache_get_new(struct blkdev *d, uint64_t block, uint32_t size, struct bbuf *out);
/* Mark len bytes at data + off of a held block dirty (to be written). */
void bcache_dirty(struct bbuf *b, uint32_t off, uint32_t len);
/* Release a held block. */
void bcache_put(struct bbuf *b);

/* Copy len bytes at byte offset pos of d to or from buf (a kernel
 * buffer), through the cache, in as few requests as the device allows:
 * 0, -EIO, -EINVAL. Killable between pages (-EINTR). For file data. */
int bcache_read(struct blkdev *d, uint64_t pos, void *buf, size_t len);
int bcache_write(struct blkdev *d, uint64_t pos, const void *buf, size_t len);
/* bcache_read straight into b (user or kernel memory) at byte off of it,
 * with no copy in between: also -EFAULT (b faulted; bytes before the
 * fault may have been copied). */
int bcache_read_iobuf(struct blkdev *d, uint64_t pos, struct iobuf b, size_t off, size_t len);
/* Hint: pages [pos, pos + len) of d will be read soon. */
void bcache_readahead(struct blkdev *d, uint64_t pos, size_t len);
/* The same without waiting: the missing pages of [pos, pos + len) are
 * requested (in runs of up to one request each) and the call returns
 * while the device works; a later bcache_get or bcache_read of those
 * pages waits for their request only. Errors are left to that later
 * read (it reads the page again and reports). Sleeps only to make room
 * or when many requests are already in flight. */
void bcache_readahead_async(struct blkdev *d, uint64_t pos, size_t len);

/* Write every dirty page of d (and flush the disk's cache): 0 or the
 * first error (-EIO); pages that failed stay dirty. */
int bcache_sync_dev(struct blkdev *d);
/* The same for every device (sync(2), poweroff, reboot). */
int bcache_sync_all(void);
/* Write back and drop every page of d (unmount, or before the device's
 * block size changes): 0 or -EIO (then the dirty pages stay). Pages
 * still held make it -EBUSY. */
int bcache_invalidate_dev(struct blkdev *d);
/* Free up to n clean unheld pages (memory pressure): how many were freed. */
size_t bcache_shrink(size_t n);
/* Start the write-back thread (after the scheduler is up). */
void bcache_init(void);

#endif
