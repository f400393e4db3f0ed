// SPDX-License-Identifier: MIT
/*
 * Kestrel: virtio-blk (virtio 1.0, sections 4.1 and 5.2) on the PCI
 * modern transport. The vendor capabilities name where the common,
 * notify, ISR and device configuration live (in the memory BARs); one
 * split virtqueue carries requests as descriptor chains: a 16-byte
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
#include "mm/mmio.h"
#include "mm/pmm.h"
#include "time/time.h"
#include "log.h"

#define VBLK_MAX            8        /* disks driven */
#define VBLK_MINORS         16
#define VBLK_QUEUE_MAX      256      /* descriptors used at most */
#define VBLK_RESET_MS       1000
#define NS_PER_MS           1000000ull

/* PCI capability (4.1.4) */
#define PCI_CAP_ID_VENDOR   0x09
#define VCAP_TYPE           3        /* cfg_type */
#define VCAP_BAR            4
#define VCAP_OFFSET         8
#define VCAP_LENGTH         12
#define VCAP_NOTIFY_MULT    16
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG    3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define PCI_CAP_NEXT_LIMIT  48       /* capabilities followed at most */

/* Common configuration (4.1.4.3) */
#define CC_DFSELECT         0x00
#define CC_DF               0x04
#define CC_GFSELECT         0x08
#define CC_GF               0x0c
#define CC_MSIX_CONFIG      0x10
#define CC_NUM_QUEUES       0x12
#define CC_STATUS           0x14
#define CC_Q_SELECT         0x16
#define CC_Q_SIZE           0x18
#define CC_Q_MSIX           0x1a
#define CC_Q_ENABLE         0x1c
#define CC_Q_NOTIFY_OFF     0x1e
#define CC_Q_DESC           0x20
#define CC_Q_AVAIL          0x28
#define CC_Q_USED           0x30
#define VIRTIO_MSI_NO_VECTOR 0xffff

/* Device status (2.1) */
#define ST_ACKNOWLEDGE      1u
#define ST_DRIVER           2u
#define ST_DRIVER_OK        4u
#define ST_FEATURES_OK      8u
#define ST_FAILED           0x80u

/* Feature bits (5.2.3, 6) */
#define F_BLK_SEG_MAX       (1ull << 2)
#define F_BLK_RO            (1ull << 5)
#define F_BLK_SIZE          (1ull << 6)
#define F_BLK_FLUSH         (1ull << 9)
#define F_VERSION_1         (1ull << 32)
#define F_WANTED            (F_BLK_SEG_MAX | F_BLK_RO | F_BLK_SIZE | F_BLK_FLUSH | F_VERSION_1)

/* Device configuration (5.2.4) */
#define BCFG_CAPACITY       0x00
#define BCFG_SEG_MAX        0x0c
#define BCFG_BLK_SIZE       0x14

/* Requests (5.2.6) */
#define T_IN                0
#define T_OUT               1
#define T_FLUSH             4
#define S_OK                0

/* Split virtqueue (2.6) */
#define DESC_F_NEXT         1u
#define DESC_F_WRITE        2u
#define VBLK_MAX_SECT       (BLK_MAX_SEGS * 8u) /* 128 KiB a request */
#define DESC_NONE           0xffffu

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
struct vq_used_elem {
	uint32_t id;
	uint32_t len;
};
struct blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct vblk {
	struct blkdev disk;
	struct pci_dev *pci;
	volatile uint8_t *common, *isr, *devcfg;
	volatile uint16_t *notify;     /* queue 0's doorbell */
	uint64_t features;
	uint32_t seg_max;              /* data segments a request may have */
	/* the queue: interrupts off (lock rule) */
	uint16_t qsize;
	struct vq_desc *desc;
	volatile uint16_t *avail;      /* flags, idx, ring[qsize] */
	volatile uint16_t *used;       /* flags, idx, then ring of vq_used_elem */
	uint16_t free_head, nfree;
	uint16_t last_used;
	struct blk_hdr *hdrs;          /* one per head descriptor */
	volatile uint8_t *status;      /* one per head descriptor */
	struct blk_req **inflight;     /* by head descriptor; NULL: cancelled */
	bool dead;                     /* reset failed or the device asked for one */
};

static struct vblk *vblks[VBLK_MAX];
static unsigned nvblk;

/* ---------------------------------------------------------------- the queue */

static volatile struct vq_used_elem *used_ring(struct vblk *v)
{
	return (volatile struct vq_used_elem *)(v->used + 2);
}

/* Free the chain starting at head. Interrupts off. */
static void free_chain(struct vblk *v, uint16_t head)
{
	uint16_t i = head;

	for (unsigned n = 0; n < v->qsize; n++) {
		v->nfree++;
		if (!(v->desc[i].flags & DESC_F_NEXT))
			break;
		i = v->desc[i].next;
	}
	v->desc[i].next = v->free_head;
	v->desc[i].flags = 0;
	v->free_head = head;
}

/* Complete what the device has finished. Interrupts off. */
static void drain(struct vblk *v)
{
	while (v->last_used != __atomic_load_n(&v->used[1], __ATOMIC_ACQUIRE)) {
		volatile struct vq_used_elem *e = &used_ring(v)[v->last_used % v->qsize];
		uint32_t head = e->id;
		v->last_used++;
		if (head >= v->qsize)
			continue; /* a device bug: nothing of ours */
		struct blk_req *r = v->inflight[head];
		v->inflight[head] = NULL;
		int status = v->status[head] == S_OK ? 0 : -EIO;
		free_chain(v, (uint16_t)head);
		if (r)
			blk_complete(r, status);
	}
}

/* Take one descriptor off the free list. Interrupts off, nfree > 0. */
static uint16_t desc_take(struct vblk *v)
{
	uint16_t i = v->free_head;

	v->free_head = v->desc[i].next;
	v->nfree--;
	return i;
}

/* Fill descriptor i and link it to the next one if more follow. */
static void desc_fill(struct vblk *v, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags)
{
	v->desc[i].addr = addr;
	v->desc[i].len = len;
	v->desc[i].flags = flags;
}

/* Queue the chain header + segments + status for r (type T_*), and ring
 * the doorbell: 0, or -EBUSY when descriptors are short. */
static int queue_req(struct vblk *v, struct blk_req *r, uint32_t type)
{
	unsigned need = r->nsegs + 2;
	uint64_t f = irq_save();

	if (v->nfree < need) {
		irq_restore(f);
		return -EBUSY;
	}
	uint16_t head = desc_take(v), prev = head;
	v->hdrs[head] = (struct blk_hdr){ type, 0, r->sector };
	v->status[head] = 0xff;
	desc_fill(v, head, virt_to_phys(&v->hdrs[head]), sizeof(struct blk_hdr), DESC_F_NEXT);
	for (unsigned s = 0; s < r->nsegs; s++) {
		uint16_t i = desc_take(v);
		v->desc[prev].next = i;
		desc_fill(v, i, r->segs[s].phys, r->segs[s].len, DESC_F_NEXT | (r->write ? 0 : DESC_F_WRITE));
		prev = i;
	}
	uint16_t st = desc_take(v);
	v->desc[prev].next = st;
	desc_fill(v, st, virt_to_phys((const void *)&v->status[head]), 1, DESC_F_WRITE);
	v->inflight[head] = r;
	uint16_t idx = v->avail[1];
	v->avail[2 + idx % v->qsize] = head;
	__atomic_store_n(&v->avail[1], (uint16_t)(idx + 1), __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the index before the doorbell */
	*v->notify = 0;
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

	if (!(v->features & F_BLK_FLUSH))
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

	for (unsigned i = 0; i < v->qsize; i++)
		if (v->inflight[i] == r)
			v->inflight[i] = NULL; /* its descriptors come back when the device answers */
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
		if (!v->pci->msix_on)
			(void)v->isr[0]; /* reading the ISR acknowledges the interrupt */
		drain(v);
	}
}

/* ---------------------------------------------------------------- bring-up */

/* Map the region of the capability at cap: its BAR (mapped once per BAR
 * in bars) plus offset, NULL when it does not fit. */
static volatile uint8_t *cap_region(struct pci_dev *p, uint16_t cap, volatile uint8_t *bars[PCI_BARS])
{
	unsigned bar = pci_cfg_read(p, cap + VCAP_BAR, 1);
	uint32_t off = pci_cfg_read(p, cap + VCAP_OFFSET, 4), len = pci_cfg_read(p, cap + VCAP_LENGTH, 4);

	if (bar >= PCI_BARS || (p->bars[bar].flags & PCI_BAR_IO) || (uint64_t)off + len > p->bars[bar].size)
		return NULL;
	if (!bars[bar])
		bars[bar] = pci_map_bar(p, bar);
	return bars[bar] ? bars[bar] + off : NULL;
}

/* Find the common, notify, ISR and device regions: NULL or what lacks. */
static const char *find_caps(struct vblk *v)
{
	volatile uint8_t *bars[PCI_BARS] = { 0 };
	volatile uint8_t *notify_base = NULL;
	uint32_t mult = 0;
	uint16_t cap = pci_cfg_read(v->pci, PCI_CAP_PTR, 1) & ~3u;

	for (unsigned n = 0; cap && n < PCI_CAP_NEXT_LIMIT; n++) {
		if (pci_cfg_read(v->pci, cap, 1) == PCI_CAP_ID_VENDOR) {
			unsigned type = pci_cfg_read(v->pci, cap + VCAP_TYPE, 1);
			if (type == VIRTIO_PCI_CAP_COMMON_CFG && !v->common)
				v->common = cap_region(v->pci, cap, bars);
			else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG && !notify_base) {
				notify_base = cap_region(v->pci, cap, bars);
				mult = pci_cfg_read(v->pci, cap + VCAP_NOTIFY_MULT, 4);
			} else if (type == VIRTIO_PCI_CAP_ISR_CFG && !v->isr)
				v->isr = cap_region(v->pci, cap, bars);
			else if (type == VIRTIO_PCI_CAP_DEVICE_CFG && !v->devcfg)
				v->devcfg = cap_region(v->pci, cap, bars);
		}
		cap = pci_cfg_read(v->pci, cap + 1, 1) & ~3u;
	}
	if (!v->common || !notify_base || !v->isr || !v->devcfg)
		return "virtio capabilities missing (a legacy-only device?)";
	*(volatile uint16_t *)(v->common + CC_Q_SELECT) = 0;
	uint16_t qoff = *(volatile uint16_t *)(v->common + CC_Q_NOTIFY_OFF);
	v->notify = (volatile uint16_t *)(notify_base + (uint64_t)qoff * mult);
	return NULL;
}

static uint8_t status_get(struct vblk *v)
{
	return v->common[CC_STATUS];
}

static void status_set(struct vblk *v, uint8_t s)
{
	v->common[CC_STATUS] = s;
}

/* Reset the device (status 0, read back 0): false when it never resets. */
static bool reset(struct vblk *v)
{
	uint64_t end = tsc_deadline_ms(VBLK_RESET_MS);

	status_set(v, 0);
	while (status_get(v) != 0)
		if (tsc_deadline_passed(end))
			return false;
	return true;
}

/* Negotiate features: NULL, or why not. */
static const char *negotiate(struct vblk *v)
{
	volatile uint32_t *sel = (volatile uint32_t *)(v->common + CC_DFSELECT);
	volatile uint32_t *df = (volatile uint32_t *)(v->common + CC_DF);
	volatile uint32_t *gsel = (volatile uint32_t *)(v->common + CC_GFSELECT);
	volatile uint32_t *gf = (volatile uint32_t *)(v->common + CC_GF);

	*sel = 0;
	uint64_t dev = *df;
	*sel = 1;
	dev |= (uint64_t)*df << 32;
	if (!(dev & F_VERSION_1))
		return "no VIRTIO_F_VERSION_1";
	v->features = dev & F_WANTED;
	*gsel = 0;
	*gf = (uint32_t)v->features;
	*gsel = 1;
	*gf = (uint32_t)(v->features >> 32);
	status_set(v, ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK);
	if (!(status_get(v) & ST_FEATURES_OK))
		return "features refused";
	return NULL;
}

/* Allocate and give the device queue 0: NULL, or why not. */
static const char *setup_queue(struct vblk *v)
{
	volatile uint16_t *qsel = (volatile uint16_t *)(v->common + CC_Q_SELECT);
	volatile uint16_t *qsz = (volatile uint16_t *)(v->common + CC_Q_SIZE);

	*qsel = 0;
	uint16_t n = *qsz;
	if (n == 0)
		return "queue 0 missing";
	if (n > VBLK_QUEUE_MAX)
		n = VBLK_QUEUE_MAX;
	if (n & (n - 1))
		return "queue size not a power of two";
	/* page 0: descriptors; page 1: avail at 0, used at 2048; page 2: headers; page 3: status */
	uint64_t mem = pmm_alloc(2);
	v->inflight = kzalloc(n * sizeof(*v->inflight));
	if (!mem || !v->inflight)
		return "no memory for the queue";
	uint8_t *base = phys_to_virt(mem);
	memset(base, 0, 4 * PAGE_SIZE);
	v->qsize = n;
	v->desc = (struct vq_desc *)base;
	v->avail = (volatile uint16_t *)(base + PAGE_SIZE);
	v->used = (volatile uint16_t *)(base + PAGE_SIZE + PAGE_SIZE / 2);
	v->hdrs = (struct blk_hdr *)(base + 2 * PAGE_SIZE);
	v->status = base + 3 * PAGE_SIZE;
	for (uint16_t i = 0; i < n; i++)
		v->desc[i].next = (uint16_t)(i + 1u < n ? i + 1u : DESC_NONE);
	v->free_head = 0;
	v->nfree = n;
	*qsz = n;
	*(volatile uint64_t *)(v->common + CC_Q_DESC) = mem;
	*(volatile uint64_t *)(v->common + CC_Q_AVAIL) = mem + PAGE_SIZE;
	*(volatile uint64_t *)(v->common + CC_Q_USED) = mem + PAGE_SIZE + PAGE_SIZE / 2;
	return NULL;
}

/* Interrupts: MSI-X entry 0 for queue 0; polled by the block layer without. */
static void setup_irq(struct vblk *v)
{
	volatile uint16_t *qmsix = (volatile uint16_t *)(v->common + CC_Q_MSIX);
	volatile uint16_t *cfgmsix = (volatile uint16_t *)(v->common + CC_MSIX_CONFIG);
	int vec = pci_msi_enable(v->pci, vblk_irq);

	v->disk.ops = &vblk_irq_ops;
	if (vec >= 0 && v->pci->msix_on) {
		*cfgmsix = VIRTIO_MSI_NO_VECTOR;
		*qmsix = 0;
		if (*qmsix != 0) {
			klog(LOG_WARN, "virtio-blk: MSI-X vector refused; polling\n");
			v->disk.ops = &vblk_poll_ops;
		}
	} else {
		/* virtio signals a queue by MSI-X or INTx only: without MSI-X, poll */
		klog(LOG_WARN, "virtio-blk: no MSI-X (%d); polling\n", vec);
		v->disk.ops = &vblk_poll_ops;
	}
	*(volatile uint16_t *)(v->common + CC_Q_ENABLE) = 1;
}

/* Read the disk's geometry from the device configuration. */
static void read_config(struct vblk *v)
{
	uint64_t cap = mmio_read32(v->devcfg + BCFG_CAPACITY) | (uint64_t)mmio_read32(v->devcfg + BCFG_CAPACITY + 4) << 32;
	uint32_t bs = (v->features & F_BLK_SIZE) ? mmio_read32(v->devcfg + BCFG_BLK_SIZE) : SECTOR_SIZE;
	uint32_t segs = (v->features & F_BLK_SEG_MAX) ? mmio_read32(v->devcfg + BCFG_SEG_MAX) : 1;

	if (bs < SECTOR_SIZE || bs > PAGE_SIZE || (bs & (bs - 1)))
		bs = SECTOR_SIZE;
	if (segs == 0)
		segs = 1;
	v->seg_max = segs < BLK_MAX_SEGS ? segs : BLK_MAX_SEGS;
	if (v->seg_max + 2 > v->qsize)
		v->seg_max = v->qsize > 3 ? v->qsize - 2u : 1;
	v->disk.sector_size = bs;
	v->disk.nsect = cap;
	v->disk.max_sect = v->seg_max >= BLK_MAX_SEGS ? VBLK_MAX_SECT : v->seg_max * (PAGE_SIZE / SECTOR_SIZE);
	v->disk.read_only = (v->features & F_BLK_RO) != 0;
}

/* The bring-up of v (virtio 1.0, 3.1.1): NULL, or which step failed. */
static const char *start(struct vblk *v)
{
	const char *why = find_caps(v);

	if (why)
		return why;
	if (!reset(v))
		return "reset timed out";
	status_set(v, ST_ACKNOWLEDGE);
	status_set(v, ST_ACKNOWLEDGE | ST_DRIVER);
	why = negotiate(v);
	if (!why)
		why = setup_queue(v);
	if (why) {
		status_set(v, ST_FAILED);
		return why;
	}
	read_config(v);
	setup_irq(v);
	status_set(v, ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
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
	v->pci = d;
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
	     (v->features & F_BLK_FLUSH) ? ", flush" : "");
	int err = blkdev_register(&v->disk);
	if (err)
		klog(LOG_WARN, "virtio-blk: %s: not registered (%d)\n", v->disk.name, err);
	return 0;
}
