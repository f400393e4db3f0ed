// SPDX-License-Identifier: MIT
/*
 * Kestrel: virtio-blk (virtio 1.0, section 5.2) on the PCI modern
 * transport (dev/virtio_pci.c) with one split virtqueue (dev/virtq.c),
 * which carries requests as descriptor chains: a 16-byte
 * header (type, sector), the data segments, and a status byte the device
 * writes. Completions come by MSI-X (without it, the block layer polls
 * the used ring). Disks are vda, vdb... (major 254, 16 minors each).
 *
 * Lock rule: a device's queue state (free descriptors, avail ring,
 * requests in flight) changes with interrupts off, in submit and in the
 * interrupt handler (one CPU). The fields set at probe are fixed after.
 */
#include "dev/virtio_blk.h"
#include "block/blkdev.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "time/time.h"
#include "log.h"

#define VBLK_MAX            8        /* disks driven */
#define VBLK_MINORS         16
#define VBLK_QUEUE_MAX      256      /* descriptors used at most */
#define NS_PER_MS           1000000ull

/* Feature bits (5.2.3) */
#define F_BLK_SEG_MAX       (1ull << 2)
#define F_BLK_RO            (1ull << 5)
#define F_BLK_SIZE          (1ull << 6)
#define F_BLK_FLUSH         (1ull << 9)
#define F_WANTED            (F_BLK_SEG_MAX | F_BLK_RO | F_BLK_SIZE | F_BLK_FLUSH | VIRTIO_F_VERSION_1)

/* Device configuration (5.2.4) */
#define BCFG_CAPACITY       0x00
#define BCFG_SEG_MAX        0x0c
#define BCFG_BLK_SIZE       0x14

/* Requests (5.2.6) */
#define T_IN                0
#define T_OUT               1
#define T_FLUSH             4
#define S_OK                0
#define S_UNSET             0xff     /* what status holds until the device writes it */
#define VBLK_MAX_SECT       (BLK_MAX_SEGS * 8u) /* 128 KiB a request */
#define VBLK_CHAIN_MAX      (BLK_MAX_SEGS + 2u) /* header, data segments, status */

struct blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct vblk {
	struct blkdev disk;
	struct virtio_pci vp;
	uint32_t seg_max;              /* data segments a request may have */
	/* the queue: interrupts off (lock rule); a chain's cookie is its blk_req, NULL once cancelled */
	struct virtq q;
	struct blk_hdr *hdrs;          /* one per head descriptor */
	volatile uint8_t *status;      /* one per head descriptor */
	bool dead;                     /* reset failed or the device broke its used ring */
};

static struct vblk *vblks[VBLK_MAX];
static unsigned nvblk;

/* ---------------------------------------------------------------- the queue */

/* Complete what the device has finished. Interrupts off. */
static void drain(struct vblk *v)
{
	struct virtq_done done;

	while (virtq_harvest(&v->q, &done)) {
		int status = v->status[done.head] == S_OK ? 0 : -EIO;
		if (done.cookie)
			blk_complete(done.cookie, status);
	}
	if (v->q.broken)
		v->dead = true; /* what is still in flight times out in the block layer */
}

/* Queue the chain header + segments + status for r (type T_*), and ring
 * the doorbell: 0, or -EBUSY when descriptors are short. */
static int queue_req(struct vblk *v, struct blk_req *r, uint32_t type)
{
	struct virtq_seg segs[VBLK_CHAIN_MAX];
	unsigned n = 0;
	uint64_t f = irq_save();

	if (virtq_free_count(&v->q) < r->nsegs + 2) {
		irq_restore(f);
		return -EBUSY;
	}
	uint16_t head = virtq_next_head(&v->q); /* the header and status slots follow the head */
	v->hdrs[head] = (struct blk_hdr){ type, 0, r->sector };
	v->status[head] = S_UNSET;
	segs[n++] = (struct virtq_seg){ virt_to_phys(&v->hdrs[head]), sizeof(struct blk_hdr), false };
	for (unsigned s = 0; s < r->nsegs; s++)
		segs[n++] = (struct virtq_seg){ r->segs[s].phys, r->segs[s].len, !r->write };
	segs[n++] = (struct virtq_seg){ virt_to_phys((const void *)&v->status[head]), 1, true };
	virtq_add(&v->q, segs, n, r);
	virtq_kick(&v->q);
	irq_restore(f);
	return 0;
}

/* ---------------------------------------------------------------- block ops */

static int vblk_submit(struct blkdev *d, struct blk_req *r)
{
	struct vblk *v = d->priv;

	if (v->dead)
		return -EIO;
	if (r->nsegs > v->seg_max)
		return -EINVAL;
	return queue_req(v, r, r->write ? T_OUT : T_IN);
}

static int vblk_flush(struct blkdev *d)
{
	struct vblk *v = d->priv;
	struct blk_req r;

	if (!(v->vp.features & F_BLK_FLUSH))
		return 0;
	if (v->dead)
		return -EIO;
	memset(&r, 0, sizeof(r));
	r.dev = d;
	r.write = true;
	uint64_t end = time_ns() + BLK_IO_TIMEOUT_MS * NS_PER_MS;
	int err;
	while ((err = queue_req(v, &r, T_FLUSH)) == -EBUSY && time_ns() < end)
		sleep_until(time_ns() + NS_PER_MS); /* the queue is full: wait for completions */
	if (err == -EBUSY)
		klog(LOG_ERR, "virtio-blk: %s: queue full for %u ms: flush not sent\n", d->name, BLK_IO_TIMEOUT_MS);
	return err ? -EIO : blk_wait(d, &r);
}

static void vblk_poll(struct blkdev *d)
{
	struct vblk *v = d->priv;
	uint64_t f = irq_save();

	drain(v);
	irq_restore(f);
}

static void vblk_cancel(struct blkdev *d, struct blk_req *r)
{
	struct vblk *v = d->priv;
	uint64_t f = irq_save();

	virtq_forget(&v->q, r); /* its descriptors come back when the device answers */
	irq_restore(f);
}

static const struct blk_ops vblk_irq_ops = {
	.submit = vblk_submit, .flush = vblk_flush, .cancel = vblk_cancel,
};
static const struct blk_ops vblk_poll_ops = {
	.submit = vblk_submit, .flush = vblk_flush, .poll = vblk_poll, .cancel = vblk_cancel,
};

static void vblk_irq(struct trap_frame *tf)
{
	(void)tf;
	for (unsigned i = 0; i < nvblk; i++) {
		struct vblk *v = vblks[i];
		if (!v->vp.pci->msix_on)
			(void)virtio_pci_isr(&v->vp); /* reading the ISR acknowledges the interrupt */
		drain(v);
	}
}

/* ---------------------------------------------------------------- bring-up */

/* Queue 0 and the per-head header and status slots: NULL, or why not. */
static const char *setup_queue(struct vblk *v)
{
	const char *why = virtio_pci_queue_setup(&v->vp, 0, &v->q, VBLK_QUEUE_MAX);

	if (why)
		return why;
	v->hdrs = kzalloc(v->q.size * sizeof(*v->hdrs));
	v->status = kzalloc(v->q.size);
	if (!v->hdrs || !v->status)
		return "no memory for the queue";
	return NULL;
}

/* Interrupts: MSI-X entry 0 for queue 0; polled by the block layer without. */
static void setup_irq(struct vblk *v)
{
	int vec = pci_msi_enable(v->vp.pci, vblk_irq);

	v->disk.ops = &vblk_irq_ops;
	if (vec >= 0 && v->vp.pci->msix_on) {
		virtio_pci_config_vector(&v->vp, VIRTIO_MSI_NO_VECTOR);
		if (!virtio_pci_queue_vector(&v->vp, 0, 0)) {
			klog(LOG_WARN, "virtio-blk: MSI-X vector refused; polling\n");
			v->disk.ops = &vblk_poll_ops;
		}
	} else {
		/* virtio signals a queue by MSI-X or INTx only: without MSI-X, poll */
		klog(LOG_WARN, "virtio-blk: no MSI-X (%d); polling\n", vec);
		v->disk.ops = &vblk_poll_ops;
	}
	virtio_pci_queue_enable(&v->vp, 0);
}

/* A field of the device configuration, or dflt when it cannot be read. */
static uint64_t config(struct vblk *v, uint32_t off, unsigned len, uint64_t dflt)
{
	uint64_t val;

	return virtio_pci_cfg_read(&v->vp, off, len, &val) ? val : dflt;
}

/* Read the disk's geometry from the device configuration. */
static void read_config(struct vblk *v)
{
	uint64_t f = v->vp.features;
	uint64_t cap = config(v, BCFG_CAPACITY, 8, 0);
	uint32_t bs = (f & F_BLK_SIZE) ? (uint32_t)config(v, BCFG_BLK_SIZE, 4, SECTOR_SIZE) : SECTOR_SIZE;
	uint32_t segs = (f & F_BLK_SEG_MAX) ? (uint32_t)config(v, BCFG_SEG_MAX, 4, 1) : 1;

	if (bs < SECTOR_SIZE || bs > PAGE_SIZE || (bs & (bs - 1)))
		bs = SECTOR_SIZE;
	if (segs == 0)
		segs = 1;
	v->seg_max = segs < BLK_MAX_SEGS ? segs : BLK_MAX_SEGS;
	if (v->seg_max + 2 > v->q.size)
		v->seg_max = v->q.size > 3 ? v->q.size - 2u : 1;
	v->disk.sector_size = bs;
	v->disk.nsect = cap;
	v->disk.max_sect = v->seg_max >= BLK_MAX_SEGS ? VBLK_MAX_SECT : v->seg_max * (PAGE_SIZE / SECTOR_SIZE);
	v->disk.read_only = (f & F_BLK_RO) != 0;
}

/* The bring-up of v (virtio 1.0, 3.1.1): NULL, or which step failed. */
static const char *start(struct vblk *v)
{
	const char *why = virtio_pci_begin(&v->vp);

	if (why)
		return why;
	why = virtio_pci_negotiate(&v->vp, F_WANTED);
	if (!why)
		why = setup_queue(v);
	if (why) {
		virtio_pci_fail(&v->vp);
		return why;
	}
	read_config(v);
	setup_irq(v);
	virtio_pci_status_add(&v->vp, VIRTIO_ST_DRIVER_OK);
	return NULL;
}

int virtio_blk_probe(struct pci_dev *d)
{
	if (d->device != VIRTIO_PCI_BLK_LEGACY && d->device != VIRTIO_PCI_BLK_MODERN)
		return -ENODEV;
	if (nvblk == VBLK_MAX)
		return -ENOSPC;
	struct vblk *v = kzalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->vp.pci = d;
	pci_enable_device(d);
	const char *why = start(v);
	if (why) {
		klog(LOG_WARN, "virtio-blk %02x:%02x.%u: %s\n", d->bus, d->dev, d->fn, why);
		pci_msi_disable(d);
		pci_disable_device(d);
		return -EIO; /* v stays: the device may still hold its queue's address */
	}
	vblks[nvblk] = v; /* the handler looks from here on (nothing was queued before) */
	ksnprintf(v->disk.name, BLK_NAME_MAX, "vd%c", 'a' + (int)nvblk);
	v->disk.major = BLK_MAJOR_VIRTIO;
	v->disk.minor = nvblk * VBLK_MINORS;
	v->disk.priv = v;
	nvblk++;
	klog(LOG_INFO, "virtio-blk %02x:%02x.%u: %s, block %u, %u segments, %s%s\n", d->bus, d->dev, d->fn,
	     v->disk.name, v->disk.sector_size, v->seg_max,
	     v->disk.ops->poll ? "polled" : "MSI-X",
	     (v->vp.features & F_BLK_FLUSH) ? ", flush" : "");
	int err = blkdev_register(&v->disk);
	if (err)
		klog(LOG_WARN, "virtio-blk: %s: not registered (%d)\n", v->disk.name, err);
	return 0;
}
