// SPDX-License-Identifier: MIT
/*
 * Kestrel: the block device registry, GPT partitions as devices of their
 * own, and the one way a request reaches a driver (block/blkdev.h):
 * bounds checked, a partition's sector translated to the disk's, and
 * waited for with interrupts off around the check and the sleep, so a
 * completion from an interrupt handler is never missed. A request not
 * done after BLK_IO_TIMEOUT_MS is -EIO and a log line.
 */
#include "block/blkdev.h"
#include "block/gpt.h"
#include "arch/x86_64/cpu.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "time/time.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "log.h"

#define NS_PER_MS        1000000ull
#define PART_MINORS      16      /* minors per vd/sd disk, as Linux's (PART_BITS 4) */
#define SD_LETTERS       26
#define DEV_PREFIX       "/dev/"

/* The registry: written at boot only (blkdev.h's lock rule). */
static struct blkdev *devices;
static struct blkdev **devices_tail = &devices;
static unsigned sd_count;

/* ---------------------------------------------------------------- requests */

/* Whether r fits its device: sector range, size, segments, alignment. */
static bool req_valid(const struct blk_req *r)
{
	const struct blkdev *d = r->dev;
	uint32_t unit = d->sector_size / SECTOR_SIZE;
	uint64_t bytes = 0;

	if (!r->nsect || r->nsect > d->whole->max_sect || r->sector > d->nsect ||
	    r->nsect > d->nsect - r->sector || r->nsegs == 0 || r->nsegs > BLK_MAX_SEGS)
		return false;
	if (unit > 1 && (((r->sector + d->start) % unit) || (r->nsect % unit)))
		return false;
	for (unsigned i = 0; i < r->nsegs; i++) {
		if (!r->segs[i].len || r->segs[i].len % SECTOR_SIZE)
			return false;
		bytes += r->segs[i].len;
	}
	return bytes == (uint64_t)r->nsect * SECTOR_SIZE;
}

/* Whether the scheduler runs (before sched_init the boot code has no
 * thread to put to sleep). */
static bool can_sleep(void)
{
	return current_thread() != NULL;
}

/* Wait until r is done or deadline (time_ns) passes: true if done.
 * Interrupts are off around each check and the sleep that follows it,
 * so blk_complete's wake_all cannot fall between them. */
static bool wait_done(struct blkdev *whole, struct blk_req *r, uint64_t deadline)
{
	for (;;) {
		if (whole->ops->poll)
			whole->ops->poll(whole);
		uint64_t f = irq_save();
		if (r->done) {
			irq_restore(f);
			return true;
		}
		if (time_ns() >= deadline) {
			irq_restore(f);
			return false;
		}
		if (whole->ops->poll) {
			irq_restore(f);
			if (can_sleep())
				sched_yield();
		} else if (can_sleep()) {
			wait_on(&r->wq, deadline);
			irq_restore(f);
		} else {
			cpu_idle_wait(); /* sti; hlt: the completion's or the tick's interrupt wakes it */
			irq_restore(f);
		}
	}
}

/* Hand r to whole's driver, waiting while its queue is full (-EBUSY)
 * until deadline: 0 or the driver's -errno (-EIO at the deadline).
 * With busy_ok, a full queue is -EBUSY at once. */
static int submit(struct blkdev *whole, struct blk_req *r, uint64_t deadline, bool busy_ok)
{
	for (;;) {
		r->done = false;
		r->status = 0;
		r->wq.head = NULL;
		int err = whole->ops->submit(whole, r);
		if (err != -EBUSY || busy_ok)
			return err;
		if (time_ns() >= deadline) {
			klog(LOG_ERR, "blk: %s: queue full for %u ms\n", whole->name, BLK_IO_TIMEOUT_MS);
			return -EIO;
		}
		if (whole->ops->poll)
			whole->ops->poll(whole);
		if (can_sleep())
			sleep_until(time_ns() + NS_PER_MS);
		else
			cpu_idle_wait();
	}
}

int blk_wait(struct blkdev *d, struct blk_req *r)
{
	if (wait_done(d, r, time_ns() + BLK_IO_TIMEOUT_MS * NS_PER_MS))
		return r->status;
	if (d->ops->cancel)
		d->ops->cancel(d, r);
	klog(LOG_ERR, "blk: %s: %s of %u sectors at %lu timed out after %u ms\n", d->name,
	     r->write ? "write" : "read", r->nsect, (unsigned long)r->sector, BLK_IO_TIMEOUT_MS);
	return -EIO;
}

/* Validate r, translate a partition's sector, hand it to the driver. */
static int start(struct blk_req *r, bool busy_ok)
{
	struct blkdev *d = r->dev, *whole = d->whole;

	if (!req_valid(r))
		return -EINVAL;
	if (r->write && d->read_only)
		return -EROFS;
	r->part = d;
	r->dev = whole;
	r->sector += d->start;
	int err = submit(whole, r, time_ns() + BLK_IO_TIMEOUT_MS * NS_PER_MS, busy_ok);
	if (err) {
		r->dev = d;
		r->sector -= d->start;
	}
	return err;
}

int blk_submit_start(struct blk_req *r)
{
	return start(r, true);
}

int blk_submit_finish(struct blk_req *r)
{
	struct blkdev *whole = r->dev, *d = r->part;
	int err = blk_wait(whole, r);

	if (err && r->done)
		klog(LOG_ERR, "blk: %s: %s error at sector %lu (%u sectors)\n", whole->name,
		     r->write ? "write" : "read", (unsigned long)r->sector, r->nsect);
	r->dev = d;
	r->sector -= d->start;
	return err;
}

int blk_submit_wait(struct blk_req *r)
{
	int err = start(r, false);

	return err ? err : blk_submit_finish(r);
}

void blk_complete(struct blk_req *r, int status)
{
	r->status = status;
	__atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
	wake_all(&r->wq);
}

int blk_flush(struct blkdev *d)
{
	struct blkdev *whole = d->whole;

	if (!whole->ops->flush || whole->read_only)
		return 0;
	int err = whole->ops->flush(whole);
	if (err)
		klog(LOG_ERR, "blk: %s: cache flush failed (%d)\n", whole->name, err);
	return err;
}

/* ---------------------------------------------------------------- GPT */

/* gpt_parse's reader: whole logical blocks through one bounce page (the
 * heap's buffer is not necessarily physically contiguous). */
struct gpt_ctx {
	struct blkdev *disk;
	uint8_t *bounce;          /* one page, direct-mapped */
};

static int gpt_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	struct gpt_ctx *c = ctx;
	uint32_t lbsize = c->disk->sector_size, per = PAGE_SIZE / lbsize;
	struct blk_req r;

	while (count) {
		uint32_t n = count < per ? count : per;
		memset(&r, 0, sizeof(r));
		r.dev = c->disk;
		r.sector = lba * (lbsize / SECTOR_SIZE);
		r.nsect = n * (lbsize / SECTOR_SIZE);
		if (r.nsect > c->disk->max_sect)
			return -EIO;
		r.nsegs = 1;
		r.segs[0].phys = virt_to_phys(c->bounce);
		r.segs[0].len = n * lbsize;
		int err = blk_submit_wait(&r);
		if (err)
			return err;
		memcpy(buf, c->bounce, n * lbsize);
		buf = (uint8_t *)buf + n * lbsize;
		lba += n;
		count -= n;
	}
	return 0;
}

/* The name of disk's partition n: "vda1", or "nvme0n1p1" after a digit. */
static void part_name(char out[BLK_NAME_MAX], const char *disk, unsigned n)
{
	size_t len = strnlen(disk, BLK_NAME_MAX - 1);
	bool digit = len && disk[len - 1] >= '0' && disk[len - 1] <= '9';

	ksnprintf(out, BLK_NAME_MAX, "%s%s%u", disk, digit ? "p" : "", n);
}

static void registry_add(struct blkdev *d)
{
	d->next = NULL;
	*devices_tail = d;
	devices_tail = &d->next;
}

/* A device for GPT entry p of disk: 0 or -ENOMEM. */
static int add_partition(struct blkdev *disk, const struct gpt_part *p)
{
	uint32_t per = disk->sector_size / SECTOR_SIZE;

	if (disk->major != BLK_MAJOR_NVME && p->number >= PART_MINORS) {
		klog(LOG_WARN, "blk: %s: partition %u beyond the %u minors of a disk: left out\n",
		     disk->name, p->number, PART_MINORS - 1);
		return 0;
	}
	struct blkdev *d = kzalloc(sizeof(*d));
	if (!d)
		return -ENOMEM;
	part_name(d->name, disk->name, p->number);
	d->major = disk->major;
	d->minor = disk->minor + p->number;
	d->sector_size = disk->sector_size;
	d->nsect = (p->last_lba - p->first_lba + 1) * per;
	d->max_sect = disk->max_sect;
	d->read_only = disk->read_only;
	d->ops = disk->ops;
	d->priv = disk->priv;
	d->whole = disk;
	d->start = p->first_lba * per;
	d->partno = p->number;
	memcpy(d->part_guid, p->uniq_guid, 16);
	registry_add(d);
	return 0;
}

/* Read disk's GPT and register its partitions. A disk without a valid
 * table is just the disk; a damaged one is logged. 0 or -ENOMEM. */
static int scan_partitions(struct blkdev *disk)
{
	uint64_t nblocks = disk->nsect / (disk->sector_size / SECTOR_SIZE);
	struct gpt_table *t = kmalloc(sizeof(*t));
	void *scratch = kmalloc(gpt_scratch_size(disk->sector_size));
	struct gpt_ctx c = { disk, page_alloc_zeroed() };
	int err = 0;

	if (!t || !scratch || !c.bounce) {
		err = -ENOMEM;
		goto out;
	}
	int r = gpt_parse(gpt_read, &c, disk->sector_size, nblocks, scratch, t);
	if (r < 0)
		klog(LOG_WARN, "blk: %s: cannot read the partition table (%d)\n", disk->name, r);
	else if (r == 0 && t->reason && strcmp(t->reason, "no GPT signature") != 0)
		klog(LOG_WARN, "blk: %s: GPT refused: %s; no partitions\n", disk->name, t->reason);
	else if (r == 1 && t->used_backup)
		klog(LOG_WARN, "blk: %s: primary GPT bad (%s): using the backup header\n", disk->name,
		     t->reason);
	for (unsigned i = 0; r == 1 && i < t->count && !err; i++)
		err = add_partition(disk, &t->parts[i]);
out:
	if (c.bounce)
		page_free(c.bounce);
	kfree(scratch);
	kfree(t);
	return err;
}

/* ---------------------------------------------------------------- the registry */

int blkdev_register(struct blkdev *d)
{
	if (!d->sector_size || d->sector_size % SECTOR_SIZE || d->sector_size > GPT_LBA_MAX ||
	    !d->max_sect || !d->ops || !d->ops->submit)
		return -EINVAL;
	d->whole = d;
	d->start = 0;
	d->partno = 0;
	memset(d->part_guid, 0, sizeof(d->part_guid));
	registry_add(d);
	klog(LOG_INFO, "blk: %s: %lu blocks of %u bytes (%lu MiB)%s\n", d->name,
	     (unsigned long)(d->nsect / (d->sector_size / SECTOR_SIZE)), d->sector_size,
	     (unsigned long)(d->nsect / (1024 * 1024 / SECTOR_SIZE)), d->read_only ? ", read-only" : "");
	return scan_partitions(d);
}

/* Linux's sd_format_disk_name: a..z, then aa..zz, aaa... */
void blkdev_sd_name(char name[BLK_NAME_MAX], unsigned *minor)
{
	char letters[8];
	unsigned n = sd_count++, len = 0;

	*minor = PART_MINORS * n;
	do {
		letters[len++] = (char)('a' + n % SD_LETTERS);
		n = n / SD_LETTERS;
	} while (n-- && len < sizeof(letters));
	name[0] = 's';
	name[1] = 'd';
	for (unsigned i = 0; i < len && i + 3 < BLK_NAME_MAX; i++)
		name[2 + i] = letters[len - 1 - i];
	name[2 + (len + 3 <= BLK_NAME_MAX ? len : BLK_NAME_MAX - 3)] = '\0';
}

struct blkdev *blkdev_find(const char *name)
{
	size_t plen = sizeof(DEV_PREFIX) - 1;

	if (strncmp(name, DEV_PREFIX, plen) == 0)
		name += plen;
	for (struct blkdev *d = devices; d; d = d->next)
		if (strncmp(d->name, name, BLK_NAME_MAX) == 0)
			return d;
	return NULL;
}

struct blkdev *blkdev_find_rdev(unsigned major, unsigned minor)
{
	for (struct blkdev *d = devices; d; d = d->next)
		if (d->major == major && d->minor == minor)
			return d;
	return NULL;
}

struct blkdev *blkdev_find_guid(const uint8_t guid[16])
{
	for (struct blkdev *d = devices; d; d = d->next)
		if (d->partno && memcmp(d->part_guid, guid, 16) == 0)
			return d;
	return NULL;
}

void blkdev_for_each(void (*fn)(struct blkdev *d, void *arg), void *arg)
{
	for (struct blkdev *d = devices; d; d = d->next)
		fn(d, arg);
}

size_t blkdev_format_partitions(char *buf, size_t cap)
{
	size_t len = 0;
	int n = ksnprintf(buf, cap, "major minor  #blocks  name\n\n");

	len += n > 0 ? (size_t)n : 0;
	for (struct blkdev *d = devices; d; d = d->next) {
		n = ksnprintf(len < cap ? buf + len : NULL, len < cap ? cap - len : 0, "%4u  %7u %10lu %s\n",
			      d->major, d->minor, (unsigned long)(d->nsect / (1024 / SECTOR_SIZE)), d->name);
		len += n > 0 ? (size_t)n : 0;
	}
	return len;
}
