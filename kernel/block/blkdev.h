/* SPDX-License-Identifier: MIT */
/*
 * Block devices: the contract between disk drivers (virtio-blk, NVMe,
 * AHCI, USB mass storage), the block layer (registry, GPT partitions,
 * /dev nodes, /proc/partitions) and the file systems (FAT, ext2), which
 * reach the disk only through the block cache (block/bcache.h).
 *
 * Lock rule: the registry only grows, under the kernel lock, by a driver's
 * probe (at boot, or later USB mass storage from the hot-plug thread); a
 * device's fields are fixed once registered. A request belongs to its
 * submitter until the driver completes it; completion may run in an
 * interrupt handler and touches only the request's done, status and wait
 * queue.
 */
#ifndef KESTREL_BLOCK_BLKDEV_H
#define KESTREL_BLOCK_BLKDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proc/sched.h"

#define SECTOR_SIZE       512u    /* the unit of every sector number here */
#define BLK_NAME_MAX      16      /* "nvme0n1p15" and a NUL */
#define BLK_MAX_SEGS      32      /* memory pieces of one request */
#define BLK_IO_TIMEOUT_MS 30000   /* a request not done by then is -EIO (Linux: 30 s) */

/* Linux's block major numbers, for the /dev nodes and /proc/partitions. */
#define BLK_MAJOR_SD      8       /* sda: AHCI and USB mass storage */
#define BLK_MAJOR_VIRTIO  254     /* vda */
#define BLK_MAJOR_NVME    259     /* nvme0n1 (Linux's blkext) */

struct blkdev;

/* One physically contiguous piece of memory a request moves. */
struct blk_seg {
	uint64_t phys;            /* physical address (DMA) */
	uint32_t len;             /* bytes: a multiple of SECTOR_SIZE */
};

/*
 * A read or write of whole sectors. The submitter fills dev, write,
 * sector (in SECTOR_SIZE units, relative to the whole disk: partitions
 * are translated by the block layer before the driver sees them),
 * nsect and segs (their lengths sum to nsect * SECTOR_SIZE), and calls
 * blk_submit_wait. The driver calls blk_complete exactly once.
 */
struct blk_req {
	struct blkdev *dev;
	bool write;
	uint64_t sector;
	uint32_t nsect;
	unsigned nsegs;
	struct blk_seg segs[BLK_MAX_SEGS];
	/* the driver's bookkeeping while in flight */
	void *driver;
	/* the block layer's: the device the submitter named, while in flight */
	struct blkdev *part;
	/* completion: set by blk_complete */
	volatile bool done;
	int status;               /* 0 or -EIO */
	struct wait_queue wq;
};

/* What a driver gives the block layer. */
struct blk_ops {
	/* Start r on the device, or return -errno at once (then r is not
	 * completed). The driver later calls blk_complete(r, status), from
	 * its interrupt handler or before submit returns. May be called
	 * with interrupts enabled; must not sleep. -EBUSY: the device's
	 * queue is full now; the block layer waits a little and retries
	 * (until BLK_IO_TIMEOUT_MS). */
	int (*submit)(struct blkdev *d, struct blk_req *r);
	/* Write the device's volatile cache to the medium: 0 or -EIO.
	 * May sleep (it may wait for a completion). NULL: no cache. */
	int (*flush)(struct blkdev *d);
	/* Called while waiting with interrupts off is not possible (no
	 * interrupt delivery yet, or a polled driver): look for completions
	 * and complete them. NULL for interrupt-driven drivers. */
	void (*poll)(struct blkdev *d);
	/* r timed out (BLK_IO_TIMEOUT_MS): forget it. After cancel returns
	 * the driver never touches r again (it may still owe the device a
	 * reset). NULL: the driver's requests cannot outlive the timeout. */
	void (*cancel)(struct blkdev *d, struct blk_req *r);
};

/*
 * A disk or a partition of one. A driver fills name, major, minor
 * (blkdev_register gives partitions minor + N), sector_size (its
 * logical block: 512 or 4096, a multiple of SECTOR_SIZE), nsect (in
 * SECTOR_SIZE units), max_sect (the most SECTOR_SIZE sectors one
 * request may move), ops and priv, then calls blkdev_register.
 */
struct blkdev {
	char name[BLK_NAME_MAX];
	unsigned major, minor;
	uint32_t sector_size;
	uint64_t nsect;
	uint32_t max_sect;
	bool read_only;
	const struct blk_ops *ops;
	void *priv;               /* the driver's */
	/* set by the block layer */
	struct blkdev *whole;     /* the disk of a partition; itself for a disk */
	uint64_t start;           /* a partition's first sector on whole */
	unsigned partno;          /* 0 for a disk */
	uint8_t part_guid[16];    /* GPT unique partition GUID (as stored on disk) */
	struct blkdev *next;      /* the registry */
};

/* Add a disk (and the partitions of its GPT, if any, as devices of
 * their own named name + N, or name + "p" + N after a digit) and their
 * /dev nodes. 0 or -ENOMEM. Called by a driver's probe at boot. */
int blkdev_register(struct blkdev *d);
/* The next "sdX" name (sda, sdb... sdz, sdaa...) for a SCSI-like disk
 * (AHCI, USB mass storage) and its first minor (16 per disk, as
 * Linux's sd: minor = 16 * index). */
void blkdev_sd_name(char name[BLK_NAME_MAX], unsigned *minor);
/* The device with that name ("vda1", or "/dev/vda1"), or NULL. */
struct blkdev *blkdev_find(const char *name);
/* The device with those numbers, or NULL. */
struct blkdev *blkdev_find_rdev(unsigned major, unsigned minor);
/* The partition whose GPT unique GUID is guid (16 bytes as on disk), or NULL. */
struct blkdev *blkdev_find_guid(const uint8_t guid[16]);
/* Call fn for every device, disks before their partitions, in
 * registration order (for /proc/partitions and sync). */
void blkdev_for_each(void (*fn)(struct blkdev *d, void *arg), void *arg);
/* /proc/partitions in Linux's format (block/genhd.c's show_partition:
 * major, minor, size in KiB, name) into buf, truncated at cap (NUL
 * ended when cap > 0). Returns the length it wanted, as snprintf does. */
size_t blkdev_format_partitions(char *buf, size_t cap);

/* Run r (whose sector is relative to r->dev, a disk or a partition) and
 * wait for it: 0, -EIO (a device error or BLK_IO_TIMEOUT_MS passed:
 * logged), -EINVAL (beyond the device). Sleeps; not from interrupts. */
int blk_submit_wait(struct blk_req *r);
/* blk_submit_wait in two halves, for a submitter with several requests
 * in flight (read-ahead): start hands r to the driver (0, or -EINVAL,
 * -EROFS, -EIO, or -EBUSY when the device's queue is full now, at once:
 * then r is not in flight and finish must not be called); finish waits
 * for a started r exactly as blk_submit_wait does and returns its
 * result. r (and its memory) belongs to the driver in between. Not from
 * interrupts; finish sleeps. */
int blk_submit_start(struct blk_req *r);
int blk_submit_finish(struct blk_req *r);
/* The driver's end of a request: status 0 or -EIO. Interrupt-safe. */
void blk_complete(struct blk_req *r, int status);
/* For a driver's own requests (a cache flush, an identify): wait for r,
 * already started on disk d by the driver with done cleared, up to
 * BLK_IO_TIMEOUT_MS: r's status, or -EIO on timeout (d->ops->cancel is
 * called, a line logged). Sleeps (or, before the scheduler runs, halts
 * until an interrupt); polls with d->ops->poll when there is one. */
int blk_wait(struct blkdev *d, struct blk_req *r);
/* Flush d's disk's volatile write cache: 0 or -EIO. */
int blk_flush(struct blkdev *d);

#endif
