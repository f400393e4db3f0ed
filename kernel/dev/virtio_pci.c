// SPDX-License-Identifier: MIT
/*
 * Kestrel: the virtio PCI modern transport (virtio 1.1, 4.1), shared by
 * virtio-blk and virtio-net. The device's vendor-specific capabilities
 * name, each by BAR and offset, the common configuration (features,
 * status, queue setup), the doorbells, the ISR byte and the device's own
 * configuration. Everything the capabilities say is checked against the
 * BAR it points into before it is mapped: a device cannot make the
 * kernel touch memory outside its own BARs.
 */
#include "dev/virtio_pci.h"
#include "lib/errno.h"
#include "mm/mmio.h"
#include "time/time.h"

/* The vendor capability (4.1.4): struct virtio_pci_cap, then for the
 * notify capability its multiplier. */
#define PCI_CAP_ID_VENDOR    0x09
#define VCAP_NEXT            1
#define VCAP_LEN             2
#define VCAP_TYPE            3
#define VCAP_BAR             4
#define VCAP_OFFSET          8
#define VCAP_LENGTH          12
#define VCAP_NOTIFY_MULT     16
#define VCAP_BYTES           16       /* struct virtio_pci_cap */
#define VCAP_NOTIFY_BYTES    20       /* struct virtio_pci_notify_cap */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG    3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define PCI_CAP_NEXT_LIMIT   48       /* capabilities followed at most (a looping list ends) */

/* The common configuration (4.1.4.3) */
#define CC_DFSELECT          0x00
#define CC_DF                0x04
#define CC_GFSELECT          0x08
#define CC_GF                0x0c
#define CC_MSIX_CONFIG       0x10
#define CC_NUM_QUEUES        0x12
#define CC_STATUS            0x14
#define CC_GENERATION        0x15
#define CC_Q_SELECT          0x16
#define CC_Q_SIZE            0x18
#define CC_Q_MSIX            0x1a
#define CC_Q_ENABLE          0x1c
#define CC_Q_NOTIFY_OFF      0x1e
#define CC_Q_DESC            0x20
#define CC_Q_AVAIL           0x28     /* queue_driver */
#define CC_Q_USED            0x30     /* queue_device */
#define CC_BYTES             0x38
#define NOTIFY_BYTES         2        /* a doorbell: the queue index, 16 bits */

static volatile uint16_t *cc16(struct virtio_pci *vp, unsigned off)
{
	return (volatile uint16_t *)(vp->common + off);
}

static volatile uint32_t *cc32(struct virtio_pci *vp, unsigned off)
{
	return (volatile uint32_t *)(vp->common + off);
}

/* A 64-bit field as its two 32-bit halves, low first (4.1.3.1 allows it). */
static void cc64_write(struct virtio_pci *vp, unsigned off, uint64_t v)
{
	*cc32(vp, off) = (uint32_t)v;
	*cc32(vp, off + 4) = (uint32_t)(v >> 32);
}

/* ---------------------------------------------------------------- capabilities */

/* The region the capability at cap describes, its BAR mapped once into
 * bars[]; at least min bytes long (*len set). NULL when it is not in a
 * memory BAR, runs past the BAR, is too short or cannot be mapped. */
static volatile uint8_t *cap_region(struct pci_dev *p, uint16_t cap, volatile uint8_t *bars[PCI_BARS],
				    uint32_t min, uint32_t *len)
{
	unsigned bar = pci_cfg_read(p, cap + VCAP_BAR, 1);
	uint32_t off = pci_cfg_read(p, cap + VCAP_OFFSET, 4);

	*len = pci_cfg_read(p, cap + VCAP_LENGTH, 4);
	if (bar >= PCI_BARS || (p->bars[bar].flags & PCI_BAR_IO) || *len < min ||
	    (uint64_t)off + *len > p->bars[bar].size)
		return NULL;
	if (!bars[bar])
		bars[bar] = pci_map_bar(p, bar);
	return bars[bar] ? bars[bar] + off : NULL;
}

/* Take the capability at cap if it is the first of its type. */
static void take_cap(struct virtio_pci *vp, uint16_t cap, volatile uint8_t *bars[PCI_BARS])
{
	unsigned type = pci_cfg_read(vp->pci, cap + VCAP_TYPE, 1);
	unsigned caplen = pci_cfg_read(vp->pci, cap + VCAP_LEN, 1);
	uint32_t len;

	if (caplen < VCAP_BYTES)
		return;
	if (type == VIRTIO_PCI_CAP_COMMON_CFG && !vp->common) {
		vp->common = cap_region(vp->pci, cap, bars, CC_BYTES, &len);
	} else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG && !vp->notify_base && caplen >= VCAP_NOTIFY_BYTES) {
		vp->notify_base = cap_region(vp->pci, cap, bars, NOTIFY_BYTES, &vp->notify_len);
		vp->notify_mult = pci_cfg_read(vp->pci, cap + VCAP_NOTIFY_MULT, 4);
	} else if (type == VIRTIO_PCI_CAP_ISR_CFG && !vp->isr) {
		vp->isr = cap_region(vp->pci, cap, bars, 1, &len);
	} else if (type == VIRTIO_PCI_CAP_DEVICE_CFG && !vp->devcfg) {
		vp->devcfg = cap_region(vp->pci, cap, bars, 1, &vp->devcfg_len);
	}
}

const char *virtio_pci_find(struct virtio_pci *vp)
{
	volatile uint8_t *bars[PCI_BARS] = { 0 };
	uint16_t cap = pci_cfg_read(vp->pci, PCI_CAP_PTR, 1) & ~3u;

	for (unsigned n = 0; cap && n < PCI_CAP_NEXT_LIMIT; n++) {
		if (pci_cfg_read(vp->pci, cap, 1) == PCI_CAP_ID_VENDOR)
			take_cap(vp, cap, bars);
		cap = pci_cfg_read(vp->pci, cap + VCAP_NEXT, 1) & ~3u;
	}
	if (!vp->common || !vp->notify_base || !vp->isr || !vp->devcfg)
		return "virtio capabilities missing (a legacy-only device?)";
	return NULL;
}

/* ---------------------------------------------------------------- status */

uint8_t virtio_pci_status(const struct virtio_pci *vp)
{
	return vp->common[CC_STATUS];
}

void virtio_pci_status_add(struct virtio_pci *vp, uint8_t bits)
{
	vp->common[CC_STATUS] = (uint8_t)(virtio_pci_status(vp) | bits);
}

void virtio_pci_fail(struct virtio_pci *vp)
{
	virtio_pci_status_add(vp, VIRTIO_ST_FAILED);
}

bool virtio_pci_reset(struct virtio_pci *vp)
{
	uint64_t end = tsc_deadline_ms(VIRTIO_RESET_MS);

	vp->common[CC_STATUS] = 0;
	while (virtio_pci_status(vp) != 0)
		if (tsc_deadline_passed(end))
			return false;
	return true;
}

const char *virtio_pci_begin(struct virtio_pci *vp)
{
	const char *why = virtio_pci_find(vp);

	if (why)
		return why;
	if (!virtio_pci_reset(vp))
		return "reset timed out";
	virtio_pci_status_add(vp, VIRTIO_ST_ACKNOWLEDGE);
	virtio_pci_status_add(vp, VIRTIO_ST_DRIVER);
	return NULL;
}

/* ---------------------------------------------------------------- features */

uint64_t virtio_pci_device_features(struct virtio_pci *vp)
{
	*cc32(vp, CC_DFSELECT) = 0;
	uint64_t f = *cc32(vp, CC_DF);
	*cc32(vp, CC_DFSELECT) = 1;
	return f | (uint64_t)*cc32(vp, CC_DF) << 32;
}

const char *virtio_pci_negotiate(struct virtio_pci *vp, uint64_t wanted)
{
	uint64_t dev = virtio_pci_device_features(vp);

	if (!(dev & VIRTIO_F_VERSION_1))
		return "no VIRTIO_F_VERSION_1";
	vp->features = dev & (wanted | VIRTIO_F_VERSION_1);
	*cc32(vp, CC_GFSELECT) = 0;
	*cc32(vp, CC_GF) = (uint32_t)vp->features;
	*cc32(vp, CC_GFSELECT) = 1;
	*cc32(vp, CC_GF) = (uint32_t)(vp->features >> 32);
	virtio_pci_status_add(vp, VIRTIO_ST_FEATURES_OK);
	if (!(virtio_pci_status(vp) & VIRTIO_ST_FEATURES_OK))
		return "features refused";
	return NULL;
}

uint16_t virtio_pci_num_queues(struct virtio_pci *vp)
{
	return *cc16(vp, CC_NUM_QUEUES);
}

/* ---------------------------------------------------------------- queues */

/* The largest power of two at most n (n > 0). */
static uint16_t pow2_floor(uint16_t n)
{
	uint16_t p = 1;

	while (p <= n / 2)
		p = (uint16_t)(p * 2);
	return p;
}

/* Queue index's doorbell, or NULL when the device puts it outside the
 * notify region. Queue index selected. */
static volatile uint16_t *doorbell(struct virtio_pci *vp)
{
	uint64_t off = (uint64_t)*cc16(vp, CC_Q_NOTIFY_OFF) * vp->notify_mult;

	if (off + NOTIFY_BYTES > vp->notify_len)
		return NULL;
	return (volatile uint16_t *)(vp->notify_base + off);
}

const char *virtio_pci_queue_setup(struct virtio_pci *vp, uint16_t index, struct virtq *q, uint16_t max_size)
{
	if (index >= virtio_pci_num_queues(vp))
		return "queue missing";
	*cc16(vp, CC_Q_SELECT) = index;
	uint16_t n = *cc16(vp, CC_Q_SIZE);
	if (n == 0)
		return "queue missing";
	n = pow2_floor(n < max_size ? n : max_size);
	volatile uint16_t *bell = doorbell(vp);
	if (!bell)
		return "queue doorbell outside the notify region";
	if (virtq_alloc(q, n))
		return "no memory for the queue";
	q->notify = bell;
	q->notify_value = index;
	*cc16(vp, CC_Q_SIZE) = n;
	cc64_write(vp, CC_Q_DESC, q->desc_phys);
	cc64_write(vp, CC_Q_AVAIL, q->avail_phys);
	cc64_write(vp, CC_Q_USED, q->used_phys);
	return NULL;
}

bool virtio_pci_queue_vector(struct virtio_pci *vp, uint16_t index, uint16_t entry)
{
	*cc16(vp, CC_Q_SELECT) = index;
	*cc16(vp, CC_Q_MSIX) = entry;
	return *cc16(vp, CC_Q_MSIX) == entry;
}

bool virtio_pci_config_vector(struct virtio_pci *vp, uint16_t entry)
{
	*cc16(vp, CC_MSIX_CONFIG) = entry;
	return *cc16(vp, CC_MSIX_CONFIG) == entry;
}

void virtio_pci_queue_enable(struct virtio_pci *vp, uint16_t index)
{
	*cc16(vp, CC_Q_SELECT) = index;
	*cc16(vp, CC_Q_ENABLE) = 1;
}

/* ---------------------------------------------------------------- device configuration */

/* One read of len bytes at p: the widths the spec names (8 as two halves). */
static uint64_t cfg_load(volatile uint8_t *p, unsigned len)
{
	switch (len) {
	case 1:
		return *p;
	case 2:
		return *(volatile uint16_t *)p;
	case 4:
		return mmio_read32(p);
	default:
		return mmio_read32(p) | (uint64_t)mmio_read32(p + 4) << 32;
	}
}

bool virtio_pci_cfg_read(struct virtio_pci *vp, uint32_t off, unsigned len, uint64_t *val)
{
	unsigned align = len == 8 ? 4 : len;

	if ((len != 1 && len != 2 && len != 4 && len != 8) || off % align || off > vp->devcfg_len ||
	    len > vp->devcfg_len - off)
		return false;
	uint64_t end = tsc_deadline_ms(VIRTIO_CFG_STABLE_MS);
	do {
		uint8_t gen = vp->common[CC_GENERATION];
		uint64_t v = cfg_load(vp->devcfg + off, len);
		if (vp->common[CC_GENERATION] == gen) {
			*val = v;
			return true;
		}
	} while (!tsc_deadline_passed(end));
	return false;
}

uint8_t virtio_pci_config_generation(struct virtio_pci *vp)
{
	return vp->common[CC_GENERATION];
}

uint8_t virtio_pci_isr(struct virtio_pci *vp)
{
	return vp->isr[0];
}
