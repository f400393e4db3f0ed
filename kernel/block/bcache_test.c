// SPDX-License-Identifier: MIT
/*
 * Kestrel: self-tests of the block cache against a disk in memory (a
 * driver of a few lines that completes each request at once and counts
 * them), not registered: no node, no /proc/partitions line. They check
 * what reaches the "disk": only the sectors that changed, runs of pages
 * in one request, a 4 KiB-block device read and written in whole blocks,
 * an error that is EIO and leaves nothing cached, a held page that makes
 * invalidation EBUSY, and read-ahead that leaves requests in flight (a
 * "lazy" disk completes them only when polled, and takes two at a time)
 * whose pages a later read waits for instead of reading them again.
 */
#include "block/bcache.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "test/selftest.h"
#include "lib/errno.h"
#include "lib/string.h"

#define RAM_SECTS   1024u             /* a 512 KiB disk */
#define RAM_MAXSECT 256u
#define BAD_SECTOR  700u              /* reads of it fail */
#define LAZY_QUEUE  2u                /* requests the lazy disk holds at once */

struct ramdisk {
	struct blkdev dev;
	uint8_t *bytes;
	unsigned reads, writes;       /* requests */
	uint32_t last_nsect;          /* of the last request */
	uint64_t last_sector;
	/* the lazy disk: requests held until polled */
	struct blk_req *pending[LAZY_QUEUE];
	unsigned npending, started, refused;
	bool bad_ok;                  /* BAD_SECTOR reads fine */
};

static int ram_submit(struct blkdev *d, struct blk_req *r)
{
	struct ramdisk *rd = d->priv;
	uint8_t *at = rd->bytes + r->sector * SECTOR_SIZE;
	int status = 0;

	if (!r->write && !rd->bad_ok && r->sector <= BAD_SECTOR && BAD_SECTOR < r->sector + r->nsect)
		status = -EIO;
	for (unsigned i = 0; i < r->nsegs && !status; i++) {
		void *mem = phys_to_virt(r->segs[i].phys);
		if (r->write)
			memcpy(at, mem, r->segs[i].len);
		else
			memcpy(mem, at, r->segs[i].len);
		at += r->segs[i].len;
	}
	*(r->write ? &rd->writes : &rd->reads) += 1;
	rd->last_nsect = r->nsect;
	rd->last_sector = r->sector;
	blk_complete(r, status);
	return 0;
}

static const struct blk_ops ram_ops = { .submit = ram_submit };

/* The lazy disk: a request waits in pending until ram_poll; a full queue is -EBUSY. */
static int lazy_submit(struct blkdev *d, struct blk_req *r)
{
	struct ramdisk *rd = d->priv;

	if (rd->npending == LAZY_QUEUE) {
		rd->refused++;
		return -EBUSY;
	}
	rd->pending[rd->npending++] = r;
	rd->started++;
	return 0;
}

static void lazy_poll(struct blkdev *d)
{
	struct ramdisk *rd = d->priv;

	for (unsigned i = 0; i < rd->npending; i++)
		ram_submit(d, rd->pending[i]);
	rd->npending = 0;
}

static const struct blk_ops lazy_ops = { .submit = lazy_submit, .poll = lazy_poll };

/* A fresh disk of RAM_SECTS sectors, each filled with its number's low byte. */
static struct ramdisk *ram_new(uint32_t sector_size)
{
	struct ramdisk *rd = kzalloc(sizeof(*rd));
	uint8_t *bytes = kmalloc(RAM_SECTS * SECTOR_SIZE);

	if (!rd || !bytes) {
		kfree(rd);
		kfree(bytes);
		return NULL;
	}
	for (unsigned s = 0; s < RAM_SECTS; s++)
		memset(bytes + s * SECTOR_SIZE, (int)(s & 0xff), SECTOR_SIZE);
	memcpy(rd->dev.name, "ramtest", 8);
	rd->dev.sector_size = sector_size;
	rd->dev.nsect = RAM_SECTS;
	rd->dev.max_sect = RAM_MAXSECT;
	rd->dev.ops = &ram_ops;
	rd->dev.priv = rd;
	rd->dev.whole = &rd->dev;
	rd->bytes = bytes;
	return rd;
}

static const char *ram_free(struct ramdisk *rd, const char *why)
{
	if (bcache_invalidate_dev(&rd->dev) && !why)
		why = "pages left behind";
	kfree(rd->bytes);
	kfree(rd);
	return why;
}

/* A 10-byte write inside sector 1: one read of it, one write of it. */
static const char *small_write(struct ramdisk *rd)
{
	static const char text[] = "0123456789";

	if (bcache_write(&rd->dev, SECTOR_SIZE + 100, text, 10))
		return "bcache_write failed";
	if (rd->reads != 1 || rd->last_nsect != 1 || rd->last_sector != 1)
		return "a partial sector was not read alone";
	if (bcache_sync_dev(&rd->dev))
		return "sync failed";
	if (rd->writes != 1 || rd->last_nsect != 1 || rd->last_sector != 1)
		return "sync wrote more than the changed sector";
	if (memcmp(rd->bytes + SECTOR_SIZE + 100, text, 10) || rd->bytes[SECTOR_SIZE + 99] != 1)
		return "the disk does not hold the write";
	return NULL;
}

/* 64 KiB read cold: one request; 32 KiB written whole: no read, one write. */
static const char *runs(struct ramdisk *rd)
{
	uint8_t *buf = kmalloc(64 * 1024);
	const char *why = NULL;

	if (!buf)
		return "no memory";
	rd->reads = rd->writes = 0;
	if (bcache_read(&rd->dev, 64 * 1024, buf, 64 * 1024) || buf[0] != 128 || buf[65535] != 255)
		why = "64 KiB read wrong";
	else if (rd->reads != 1 || rd->last_nsect != 128)
		why = "64 KiB cold read was not one request";
	memset(buf, 0xab, 32 * 1024);
	if (!why && bcache_write(&rd->dev, 256 * 1024, buf, 32 * 1024))
		why = "32 KiB write failed";
	else if (!why && rd->reads != 1)
		why = "a whole-page write read the disk";
	else if (!why && (bcache_sync_dev(&rd->dev) || rd->writes != 1 || rd->last_nsect != 64))
		why = "32 KiB write-back was not one request";
	else if (!why && (rd->bytes[256 * 1024] != 0xab || rd->bytes[288 * 1024] != (576 & 0xff)))
		why = "the disk does not hold the run";
	kfree(buf);
	return why;
}

SELFTEST(bcache_sectors_and_runs)
{
	struct ramdisk *rd = ram_new(SECTOR_SIZE);

	if (!rd)
		return "no memory";
	const char *why = small_write(rd);
	if (!why)
		why = runs(rd);
	return ram_free(rd, why);
}

SELFTEST(bcache_4k_blocks)
{
	struct ramdisk *rd = ram_new(BCACHE_PAGE);
	struct bbuf b;
	const char *why = NULL;

	if (!rd)
		return "no memory";
	if (bcache_write(&rd->dev, 8 * SECTOR_SIZE + 512, "x", 1))
		why = "write failed";
	else if (rd->reads != 1 || rd->last_nsect != 8 || rd->last_sector != 8)
		why = "a 4 KiB block was not read whole";
	else if (bcache_sync_dev(&rd->dev) || rd->writes != 1 || rd->last_nsect != 8)
		why = "a 4 KiB block was not written whole";
	else if (rd->bytes[8 * SECTOR_SIZE + 512] != 'x' || rd->bytes[8 * SECTOR_SIZE] != 8)
		why = "the disk does not hold the block";
	else if (bcache_get_new(&rd->dev, 64, 512, &b))
		why = "get_new failed";
	else {
		/* a piece of a 4 KiB block is not the whole block: it is read */
		if (b.data[0] != 64 || rd->reads != 2)
			why = "get_new of 512 bytes of a 4 KiB block did not read the block";
		bcache_put(&b);
	}
	return ram_free(rd, why);
}

SELFTEST(bcache_errors)
{
	struct ramdisk *rd = ram_new(SECTOR_SIZE);
	struct bbuf b;
	uint8_t buf[16];
	const char *why = NULL;

	if (!rd)
		return "no memory";
	if (bcache_read(&rd->dev, BAD_SECTOR * SECTOR_SIZE, buf, sizeof(buf)) != -EIO)
		why = "a failed read was not EIO";
	else if (bcache_read(&rd->dev, RAM_SECTS * SECTOR_SIZE - 8, buf, sizeof(buf)) != -EINVAL)
		why = "a read past the end was not EINVAL";
	else if (bcache_get(&rd->dev, 0, 1024, &b))
		why = "bcache_get failed";
	else {
		if (bcache_invalidate_dev(&rd->dev) != -EBUSY)
			why = "invalidate with a held block was not EBUSY";
		bcache_put(&b);
	}
	return ram_free(rd, why);
}

/* Whether buf holds the ram disk's bytes from byte pos on (len bytes). */
static bool ram_bytes_ok(const uint8_t *buf, uint64_t pos, size_t len)
{
	for (size_t i = 0; i < len; i += SECTOR_SIZE / 2)
		if (buf[i] != (uint8_t)((pos + i) / SECTOR_SIZE))
			return false;
	return true;
}

/* Read-ahead of 384 KiB on the lazy disk (three requests, two at a
 * time), the reads after it; then a read-ahead that fails. */
static const char *readahead_steps(struct ramdisk *rd, uint8_t *buf)
{
	rd->bad_ok = true;
	bcache_readahead_async(&rd->dev, 0, 384 * 1024);
	if (rd->started != 3 || !rd->refused || rd->reads != 2 || rd->npending != 1)
		return "a full queue did not make the read-ahead settle the oldest and go on";
	if (bcache_read(&rd->dev, 0, buf, 256 * 1024) || !ram_bytes_ok(buf, 0, 256 * 1024))
		return "reading the read-ahead pages gave wrong bytes";
	if (bcache_read(&rd->dev, 256 * 1024, buf, 128 * 1024) || !ram_bytes_ok(buf, 256 * 1024, 128 * 1024))
		return "reading the last read-ahead pages gave wrong bytes";
	if (rd->started != 3 || rd->npending)
		return "read-ahead pages were read again";
	if (bcache_invalidate_dev(&rd->dev))
		return "invalidate failed";
	rd->bad_ok = false;
	bcache_readahead_async(&rd->dev, 256 * 1024, 128 * 1024); /* holds BAD_SECTOR */
	if (rd->started != 4 || rd->npending != 1)
		return "the read-ahead of a 128 KiB run was not one request left in flight";
	if (bcache_read(&rd->dev, BAD_SECTOR * SECTOR_SIZE, buf, 16) != -EIO)
		return "a read of a page whose read-ahead failed was not EIO";
	if (bcache_read(&rd->dev, 256 * 1024, buf, 4096) || !ram_bytes_ok(buf, 256 * 1024, 4096))
		return "a good page of the failed read-ahead run was not read again";
	return NULL;
}

SELFTEST(bcache_readahead_async)
{
	struct ramdisk *rd = ram_new(SECTOR_SIZE);
	uint8_t *buf = kmalloc(256 * 1024);
	const char *why = NULL;

	if (!rd || !buf) {
		kfree(buf);
		return rd ? ram_free(rd, "no memory") : "no memory";
	}
	rd->dev.ops = &lazy_ops;
	why = readahead_steps(rd, buf);
	bcache_readahead_async(&rd->dev, 0, RAM_SECTS * SECTOR_SIZE); /* left in flight: invalidation settles it */
	kfree(buf);
	return ram_free(rd, why);
}
