// SPDX-License-Identifier: MIT
/*
 * Kestrel: the USB mass storage self-test, through the block layer as
 * a file system would go (blk_submit_wait, the driver's worker thread):
 * every USB disk's first 120 KiB read in one request of 30 pages equal
 * the same read a sector at a time; a disk's first partition (the boot
 * stick's ESP) ends its first sector in 55 AA; and on a scratch disk
 * (block 0 starts with USBMS_SCRATCH_MAGIC: the boot test makes one) a
 * pattern is written, flushed and read back, and 16 MiB are read in a
 * row and timed (logged in MB/s). Skipped without a USB disk.
 */
#include "dev/usb_storage.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "test/selftest.h"
#include "time/time.h"
#include "log.h"

#define T_PAGES        30                      /* 240 sectors: the smallest max_sect */
#define T_PAGE         4096u
#define T_SECTORS      (T_PAGES * T_PAGE / SECTOR_SIZE)
#define SPEED_BYTES    (16u << 20)
#define SPEED_START    4096                    /* sectors: after the written pattern */
#define BOOT_SIG_OFF   510
#define NS_PER_MS      1000000ull

struct t_buf {
	void *pages[T_PAGES];
};

static void t_free(struct t_buf *b)
{
	for (unsigned i = 0; i < T_PAGES; i++)
		page_free(b->pages[i]);
}

static bool t_alloc(struct t_buf *b)
{
	for (unsigned i = 0; i < T_PAGES; i++) {
		b->pages[i] = page_alloc_zeroed();
		if (!b->pages[i]) {
			while (i)
				page_free(b->pages[--i]);
			return false;
		}
	}
	return true;
}

/* One request of nsect sectors at sector of d, over pages of b from
 * the first: 0 or -errno. */
static int t_io(struct blkdev *d, bool write, uint64_t sector, uint32_t nsect, struct t_buf *b)
{
	struct blk_req r = { .dev = d, .write = write, .sector = sector, .nsect = nsect };
	uint32_t left = nsect * SECTOR_SIZE;

	for (unsigned i = 0; left; i++) {
		uint32_t n = left < T_PAGE ? left : T_PAGE;
		r.segs[r.nsegs++] = (struct blk_seg){ virt_to_phys(b->pages[i]), n };
		left -= n;
	}
	return blk_submit_wait(&r);
}

/* The whole read equals sector-sized reads of the same place. */
static const char *t_compare_runs(struct blkdev *d, struct t_buf *big, struct t_buf *one)
{
	uint32_t unit = d->sector_size / SECTOR_SIZE;

	if (t_io(d, false, 0, T_SECTORS, big))
		return "reading 120 KiB in one request failed";
	for (uint32_t s = 0; s < T_SECTORS; s += unit) {
		if (t_io(d, false, s, unit, one))
			return "reading one block failed";
		const uint8_t *p = (const uint8_t *)big->pages[s / 8] + (s % 8) * SECTOR_SIZE;
		if (memcmp(p, one->pages[0], unit * SECTOR_SIZE))
			return "a run read differs from its blocks read one by one";
	}
	return NULL;
}

/* The first partition's first sector ends in 55 AA (a FAT boot sector). */
static const char *t_partition(struct blkdev *d, struct t_buf *b)
{
	char name[BLK_NAME_MAX + 2];

	ksnprintf(name, sizeof(name), "%s1", d->name);
	struct blkdev *p = blkdev_find(name);
	if (!p)
		return NULL;
	if (t_io(p, false, 0, d->sector_size / SECTOR_SIZE, b))
		return "reading the first partition failed";
	const uint8_t *s = b->pages[0];
	if (s[BOOT_SIG_OFF] != 0x55 || s[BOOT_SIG_OFF + 1] != 0xaa)
		return "the first partition's boot sector has no 55 AA";
	return NULL;
}

/* On a scratch disk: the pattern written, flushed, read back; then
 * SPEED_BYTES read in a row and timed. */
static const char *t_scratch(struct blkdev *d, struct t_buf *b)
{
	if (memcmp(b->pages[0], USBMS_SCRATCH_MAGIC, sizeof(USBMS_SCRATCH_MAGIC) - 1))
		return NULL;
	for (uint32_t s = 0; s < T_SECTORS; s++)
		for (unsigned k = 0; k < SECTOR_SIZE; k++)
			((uint8_t *)b->pages[s / 8])[(s % 8) * SECTOR_SIZE + k] = usbms_pattern(USBMS_SCRATCH_SECTOR + s, k);
	if (t_io(d, true, USBMS_SCRATCH_SECTOR, T_SECTORS, b) || blk_flush(d))
		return "writing the scratch disk failed";
	for (unsigned i = 0; i < T_PAGES; i++)
		memset(b->pages[i], 0, T_PAGE);
	if (t_io(d, false, USBMS_SCRATCH_SECTOR, T_SECTORS, b))
		return "reading back the scratch disk failed";
	for (uint32_t s = 0; s < T_SECTORS; s++)
		for (unsigned k = 0; k < SECTOR_SIZE; k++)
			if (((uint8_t *)b->pages[s / 8])[(s % 8) * SECTOR_SIZE + k] !=
			    usbms_pattern(USBMS_SCRATCH_SECTOR + s, k))
				return "the scratch disk read back differs";
	if (d->nsect < SPEED_START + SPEED_BYTES / SECTOR_SIZE)
		return NULL;
	uint64_t t0 = time_ns();
	for (uint32_t done = 0; done < SPEED_BYTES / SECTOR_SIZE; done += T_SECTORS) {
		uint32_t n = SPEED_BYTES / SECTOR_SIZE - done;
		if (t_io(d, false, SPEED_START + done, n < T_SECTORS ? n : T_SECTORS, b))
			return "the timed read failed";
	}
	uint64_t ms = (time_ns() - t0) / NS_PER_MS;
	klog(LOG_INFO, "usb-storage %s: sequential read %u MiB in %lu ms (%lu.%lu MB/s) in %u KiB requests\n",
	     d->name, SPEED_BYTES >> 20, ms, ms ? SPEED_BYTES / 1000 / ms : 0,
	     ms ? SPEED_BYTES / 100 / ms % 10 : 0, T_SECTORS / 2);
	return NULL;
}

SELFTEST(usb_storage)
{
	struct t_buf big, one;
	const char *why = NULL;

	if (!usb_storage_disk(0))
		return SELFTEST_SKIP("no USB disk");
	if (!t_alloc(&big))
		return "out of memory";
	if (!t_alloc(&one)) {
		t_free(&big);
		return "out of memory";
	}
	for (unsigned n = 0; !why && usb_storage_disk(n); n++) {
		struct blkdev *d = usb_storage_disk(n);
		if (d->nsect < T_SECTORS)
			continue;
		if (!(why = t_compare_runs(d, &big, &one)) && !(why = t_partition(d, &one)))
			why = t_scratch(d, &big);
	}
	t_free(&one);
	t_free(&big);
	return why;
}
