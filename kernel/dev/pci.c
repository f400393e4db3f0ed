// SPDX-License-Identifier: MIT
/*
 * Kestrel: the PCI core. Configuration space is reached in one place
 * (cfg_access), through the MCFG's ECAM windows (PCI Express base
 * specification 5.0, 7.2.2: 4 KiB per function, memory-mapped) or, on
 * machines without an MCFG (QEMU's pc), through the legacy 0xCF8/0xCFC
 * ports (arch/x86_64/pci_port.h). Enumeration starts at the first bus of
 * segment 0 and follows bridges to the secondary buses the firmware
 * numbered (no renumbering), eight functions of multifunction devices,
 * sizes each BAR with decoding off, finds the MSI and MSI-X capabilities,
 * and offers each function to the driver table (pci_drivers.c). Only a
 * driver's probe turns decoding or bus mastering on.
 */
#include "dev/pci.h"
#include "firmware/acpi.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pci_port.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/mmio.h"
#include "test/selftest.h"
#include "log.h"

#define PCI_MAX_DEVICES   256
#define PCI_BUSES         256
#define PCI_SLOTS         32
#define PCI_FUNCTIONS     8
#define ECAM_BUS_BYTES    (1u << ACPI_ECAM_BUS_SHIFT)
#define ECAM_SPACE        4096u   /* configuration bytes per function */
#define CAP_WALK_MAX      48      /* (256 - 64) / 4: a longer list loops */
#define CAP_FIRST         0x40u   /* capabilities live after the header */
#define CAP_PTR_MASK      0xfcu
#define CAP_NEXT          1
#define BAR_STEP          4
#define BAR_BRIDGE_COUNT  2
#define BAR_IO_MASK       0x3u
#define BAR_MEM_MASK      0xfu
#define BAR_TYPE_SHIFT    1
#define BAR_TYPE_MASK     0x3u
#define BAR_TYPE_64       0x2u
#define IO_BAR_UPPER      0xffff0000u  /* I/O BARs may implement only 16 bits */
#define ALL_ONES          0xffffffffu

/* MSI (PCI Local Bus 3.0, 6.8.1) and MSI-X (6.8.2) registers. */
#define MSI_CTRL          2
#define MSI_ADDR_LO       4
#define MSI_ADDR_HI       8
#define MSI_DATA_32       8
#define MSI_DATA_64       12
#define MSI_CTRL_ENABLE   (1u << 0)
#define MSI_CTRL_MME_MASK (7u << 4)   /* vectors enabled: 1 */
#define MSI_CTRL_64BIT    (1u << 7)
#define MSIX_CTRL         2
#define MSIX_TABLE        4
#define MSIX_CTRL_SIZE    0x7ffu       /* table entries - 1 */
#define MSIX_CTRL_MASKALL (1u << 14)
#define MSIX_CTRL_ENABLE  (1u << 15)
#define MSIX_BIR_MASK     0x7u
#define MSIX_ENTRY_BYTES  16
#define MSIX_ENT_ADDR_LO  0
#define MSIX_ENT_ADDR_HI  4
#define MSIX_ENT_DATA     8
#define MSIX_ENT_CTRL     12
#define MSIX_ENT_MASKED   (1u << 0)

/*
 * pci_cfg_lock serialises every configuration access: the legacy
 * address/data pair is one shared register, and a read-modify-write of
 * a register must not interleave with another. Taken with interrupts
 * off, held for one access only. ecam_bus[] (the mapped 1 MiB windows)
 * and the device table are written by pci_init alone, before any driver
 * runs, and only read afterwards.
 */
static struct spinlock pci_cfg_lock = SPINLOCK_INIT;
static volatile uint8_t *ecam_bus[PCI_BUSES];
static bool use_ecam;
static struct pci_dev devs[PCI_MAX_DEVICES];
static volatile void *bar_maps[PCI_MAX_DEVICES][PCI_BARS];
static volatile uint8_t *msix_tables[PCI_MAX_DEVICES];
static unsigned ndevs, ndropped;

/* ---------------------------------------------------------------- config space */

/* ECAM: a plain memory access of the width asked. */
static uint32_t ecam_rw(volatile void *p, unsigned width, bool write, uint32_t v)
{
	switch (width) {
	case 1:
		if (write)
			*(volatile uint8_t *)p = (uint8_t)v;
		return write ? 0 : *(volatile uint8_t *)p;
	case 2:
		if (write)
			*(volatile uint16_t *)p = (uint16_t)v;
		return write ? 0 : *(volatile uint16_t *)p;
	default:
		if (write)
			*(volatile uint32_t *)p = v;
		return write ? 0 : *(volatile uint32_t *)p;
	}
}

/* The one accessor: width bytes at off of bus:dev.fn, read (returns the
 * value) or written (returns 0), under pci_cfg_lock. All ones for a read
 * nobody answers or that is out of range. */
static uint32_t cfg_access(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, unsigned width,
			   bool write, uint32_t v)
{
	volatile uint8_t *base = ecam_bus[bus];
	uint32_t r;

	if (width != 1 && width != 2 && width != 4)
		return ALL_ONES;
	if (off % width || off >= (use_ecam ? ECAM_SPACE : PCI_PORT_SPACE) || (use_ecam && !base) ||
	    dev >= PCI_SLOTS || fn >= PCI_FUNCTIONS)
		return write ? 0 : ALL_ONES >> (32 - 8 * width);
	uint64_t flags = spin_lock_irqsave(&pci_cfg_lock);
	if (use_ecam) {
		uint32_t at = (uint32_t)dev << ACPI_ECAM_DEV_SHIFT | (uint32_t)fn << ACPI_ECAM_FN_SHIFT | off;
		r = ecam_rw(base + at, width, write, v);
	} else if (write) {
		pci_port_write(bus, dev, fn, off, width, v);
		r = 0;
	} else {
		r = pci_port_read(bus, dev, fn, off, width);
	}
	spin_unlock_irqrestore(&pci_cfg_lock, flags);
	return r;
}

uint32_t pci_cfg_read(const struct pci_dev *d, uint16_t off, unsigned width)
{
	return cfg_access(d->bus, d->dev, d->fn, off, width, false, 0);
}

void pci_cfg_write(const struct pci_dev *d, uint16_t off, unsigned width, uint32_t v)
{
	cfg_access(d->bus, d->dev, d->fn, off, width, true, v);
}

static uint16_t vendor_at(uint8_t bus, uint8_t dev, uint8_t fn)
{
	return (uint16_t)cfg_access(bus, dev, fn, PCI_VENDOR_ID, 2, false, 0);
}

/* The ECAM window of segment 0 that covers bus, or NULL. */
static const struct acpi_ecam *ecam_for(const struct acpi_mcfg_info *m, unsigned bus)
{
	for (unsigned i = 0; m && i < m->n; i++)
		if (m->regions[i].segment == 0 && bus >= m->regions[i].bus_start &&
		    bus <= m->regions[i].bus_end)
			return &m->regions[i];
	return NULL;
}

/* Map bus's 1 MiB of ECAM before it is scanned; false if no window
 * covers it or the mapping fails (then the bus reads as empty). */
static bool ecam_map_bus(unsigned bus)
{
	const struct acpi_ecam *e;

	if (!use_ecam || ecam_bus[bus])
		return true;
	e = ecam_for(acpi_mcfg(), bus);
	if (!e)
		return false;
	ecam_bus[bus] = mmio_map(e->base + ((uint64_t)bus << ACPI_ECAM_BUS_SHIFT), ECAM_BUS_BYTES);
	if (!ecam_bus[bus])
		klog(LOG_WARN, "pci: cannot map the ECAM window of bus %u\n", bus);
	return ecam_bus[bus] != NULL;
}

/* ---------------------------------------------------------------- BARs */

/* Size one BAR at off (decoding is off): write all ones, read what
 * sticks, put the original back. Returns how many registers it used
 * (2 for a 64-bit memory BAR; its upper half must be below end). */
static unsigned size_bar(struct pci_dev *d, uint16_t off, uint16_t end, struct pci_bar *b)
{
	uint32_t orig = pci_cfg_read(d, off, 4);

	pci_cfg_write(d, off, 4, ALL_ONES);
	uint32_t mask = pci_cfg_read(d, off, 4);
	pci_cfg_write(d, off, 4, orig);
	if (orig & PCI_BAR_IO) {
		uint32_t m = mask & ~BAR_IO_MASK;
		if (m && !(m & IO_BAR_UPPER))
			m |= IO_BAR_UPPER;
		*b = (struct pci_bar){ .base = orig & ~BAR_IO_MASK, .size = m ? (uint32_t)(~m + 1) : 0,
				       .flags = PCI_BAR_IO };
		return 1;
	}
	uint64_t base = orig & ~BAR_MEM_MASK, m = mask & ~BAR_MEM_MASK;
	unsigned used = 1;
	if (((orig >> BAR_TYPE_SHIFT) & BAR_TYPE_MASK) == BAR_TYPE_64 && off + BAR_STEP < end) {
		uint32_t hi = pci_cfg_read(d, off + BAR_STEP, 4);
		pci_cfg_write(d, off + BAR_STEP, 4, ALL_ONES);
		uint32_t hmask = pci_cfg_read(d, off + BAR_STEP, 4);
		pci_cfg_write(d, off + BAR_STEP, 4, hi);
		base |= (uint64_t)hi << 32;
		m |= (uint64_t)hmask << 32;
		used = 2;
	} else {
		m |= 0xffffffff00000000ull; /* a 32-bit BAR: the upper half is not decoded */
	}
	*b = (struct pci_bar){ .base = base, .size = m ? ~m + 1 : 0, .flags = orig & BAR_MEM_MASK };
	return used;
}

/* Every BAR of a type 0 (6) or type 1 (2) header, with I/O and memory
 * decoding off meanwhile (a half-sized BAR must not claim addresses) and
 * interrupts off (nothing may touch the device then: the framebuffer's
 * device is one of these). The command register is put back as it was. */
static void size_bars(struct pci_dev *d)
{
	unsigned layout = d->header_type & PCI_HEADER_LAYOUT;
	unsigned n = layout == PCI_HEADER_NORMAL ? PCI_BARS
		   : layout == PCI_HEADER_BRIDGE ? BAR_BRIDGE_COUNT : 0;
	uint64_t flags = irq_save();
	uint16_t cmd = (uint16_t)pci_cfg_read(d, PCI_COMMAND, 2);

	pci_cfg_write(d, PCI_COMMAND, 2, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (unsigned i = 0; i < n;) {
		unsigned used = size_bar(d, (uint16_t)(PCI_BAR0 + i * BAR_STEP),
					 (uint16_t)(PCI_BAR0 + n * BAR_STEP), &d->bars[i]);
		i += used;
	}
	pci_cfg_write(d, PCI_COMMAND, 2, cmd);
	irq_restore(flags);
}

volatile void *pci_map_bar(struct pci_dev *d, unsigned i)
{
	unsigned idx = (unsigned)(d - devs);

	if (idx >= ndevs || i >= PCI_BARS || !d->bars[i].size || (d->bars[i].flags & PCI_BAR_IO) ||
	    !d->bars[i].base)
		return NULL;
	if (!bar_maps[idx][i])
		bar_maps[idx][i] = mmio_map(d->bars[i].base, d->bars[i].size);
	return bar_maps[idx][i];
}

void pci_enable_device(struct pci_dev *d)
{
	uint16_t cmd = (uint16_t)pci_cfg_read(d, PCI_COMMAND, 2);

	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	for (unsigned i = 0; i < PCI_BARS; i++)
		if (d->bars[i].size && (d->bars[i].flags & PCI_BAR_IO))
			cmd |= PCI_COMMAND_IO;
	pci_cfg_write(d, PCI_COMMAND, 2, cmd);
}

void pci_disable_device(struct pci_dev *d)
{
	uint16_t cmd = (uint16_t)pci_cfg_read(d, PCI_COMMAND, 2);

	pci_cfg_write(d, PCI_COMMAND, 2, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER));
}

/* ---------------------------------------------------------------- capabilities */

uint8_t pci_find_capability(const struct pci_dev *d, unsigned id)
{
	if (!(pci_cfg_read(d, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return 0;
	unsigned ptr = pci_cfg_read(d, PCI_CAP_PTR, 1) & CAP_PTR_MASK;
	for (int n = 0; ptr >= CAP_FIRST && n < CAP_WALK_MAX; n++) {
		if (pci_cfg_read(d, (uint16_t)ptr, 1) == id)
			return (uint8_t)ptr;
		ptr = pci_cfg_read(d, (uint16_t)(ptr + CAP_NEXT), 1) & CAP_PTR_MASK;
	}
	return 0;
}

/* Note MSI and MSI-X. */
static void find_caps(struct pci_dev *d)
{
	d->msi_cap = pci_find_capability(d, PCI_CAP_ID_MSI);
	d->msix_cap = pci_find_capability(d, PCI_CAP_ID_MSIX);
	if (d->msix_cap)
		d->msix_entries = (uint16_t)((pci_cfg_read(d, (uint16_t)(d->msix_cap + MSIX_CTRL), 2) &
					      MSIX_CTRL_SIZE) + 1);
}

/* MSI with one message: address, data, then the enable bit. */
static void msi_program(struct pci_dev *d, uint64_t addr, uint32_t data)
{
	uint16_t cap = d->msi_cap;
	uint16_t ctrl = (uint16_t)pci_cfg_read(d, cap + MSI_CTRL, 2);

	pci_cfg_write(d, cap + MSI_CTRL, 2, ctrl & ~(MSI_CTRL_ENABLE | MSI_CTRL_MME_MASK));
	pci_cfg_write(d, cap + MSI_ADDR_LO, 4, (uint32_t)addr);
	if (ctrl & MSI_CTRL_64BIT) {
		pci_cfg_write(d, cap + MSI_ADDR_HI, 4, (uint32_t)(addr >> 32));
		pci_cfg_write(d, cap + MSI_DATA_64, 2, data);
	} else {
		pci_cfg_write(d, cap + MSI_DATA_32, 2, data);
	}
	pci_cfg_write(d, cap + MSI_CTRL, 2, (ctrl & ~MSI_CTRL_MME_MASK) | MSI_CTRL_ENABLE);
}

/* The MSI-X table of d mapped (entry 0's page onward), or NULL. */
static volatile uint8_t *msix_table(struct pci_dev *d)
{
	unsigned idx = (unsigned)(d - devs);
	uint32_t t = pci_cfg_read(d, d->msix_cap + MSIX_TABLE, 4);
	const struct pci_bar *b = &d->bars[t & MSIX_BIR_MASK];
	uint64_t off = t & ~MSIX_BIR_MASK, len = (uint64_t)d->msix_entries * MSIX_ENTRY_BYTES;

	if (msix_tables[idx])
		return msix_tables[idx];
	if ((t & MSIX_BIR_MASK) >= PCI_BARS || !b->size || (b->flags & PCI_BAR_IO) || !b->base ||
	    off > b->size || len > b->size - off)
		return NULL;
	msix_tables[idx] = mmio_map(b->base + off, len);
	return msix_tables[idx];
}

/* MSI-X: every entry masked, entry 0 programmed and unmasked, the
 * function enabled with its function mask clear. Memory decoding must
 * be on for the table writes to land. */
static bool msix_program(struct pci_dev *d, uint64_t addr, uint32_t data)
{
	volatile uint8_t *t = msix_table(d);
	uint16_t cap = d->msix_cap;

	if (!t)
		return false;
	uint16_t ctrl = (uint16_t)pci_cfg_read(d, cap + MSIX_CTRL, 2);
	pci_cfg_write(d, cap + MSIX_CTRL, 2, ctrl | MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL);
	for (unsigned i = 0; i < d->msix_entries; i++)
		mmio_write32(t + i * MSIX_ENTRY_BYTES + MSIX_ENT_CTRL, MSIX_ENT_MASKED);
	mmio_write32(t + MSIX_ENT_ADDR_LO, (uint32_t)addr);
	mmio_write32(t + MSIX_ENT_ADDR_HI, (uint32_t)(addr >> 32));
	mmio_write32(t + MSIX_ENT_DATA, data);
	mmio_write32(t + MSIX_ENT_CTRL, 0);
	pci_cfg_write(d, cap + MSIX_CTRL, 2, (ctrl | MSIX_CTRL_ENABLE) & ~MSIX_CTRL_MASKALL);
	return true;
}

static void intx(struct pci_dev *d, bool on)
{
	uint16_t cmd = (uint16_t)pci_cfg_read(d, PCI_COMMAND, 2);

	pci_cfg_write(d, PCI_COMMAND, 2, on ? cmd & ~PCI_COMMAND_INTX_DISABLE : cmd | PCI_COMMAND_INTX_DISABLE);
}

int pci_msi_enable(struct pci_dev *d, irq_handler_t h)
{
	uint64_t addr;
	uint32_t data;

	if (!d->msi_cap && !d->msix_cap)
		return -ENODEV;
	if (d->msi_vector)
		return -EBUSY;
	unsigned vector = irq_alloc_vector(h);
	if (!vector)
		return -EBUSY;
	if (!irq_msi_message(vector, &addr, &data)) {
		irq_free_vector(vector);
		return -EINVAL;
	}
	intx(d, false);
	d->msix_on = d->msix_cap && msix_program(d, addr, data);
	if (!d->msix_on && !d->msi_cap) {
		irq_free_vector(vector);
		return -ENOMEM;
	}
	if (!d->msix_on)
		msi_program(d, addr, data);
	d->msi_vector = vector;
	return (int)vector;
}

void pci_msi_disable(struct pci_dev *d)
{
	if (!d->msi_vector)
		return;
	if (d->msix_on) {
		uint16_t ctrl = (uint16_t)pci_cfg_read(d, d->msix_cap + MSIX_CTRL, 2);
		mmio_write32(msix_tables[d - devs] + MSIX_ENT_CTRL, MSIX_ENT_MASKED);
		pci_cfg_write(d, d->msix_cap + MSIX_CTRL, 2, ctrl & ~MSIX_CTRL_ENABLE);
	} else {
		uint16_t ctrl = (uint16_t)pci_cfg_read(d, d->msi_cap + MSI_CTRL, 2);
		pci_cfg_write(d, d->msi_cap + MSI_CTRL, 2, ctrl & ~MSI_CTRL_ENABLE);
	}
	irq_free_vector(d->msi_vector);
	d->msi_vector = 0;
	d->msix_on = false;
}

/* ---------------------------------------------------------------- enumeration */

/* Record the function at bus:dev.fn; a bridge queues its secondary bus
 * (only a bus above its own, so a bad bridge cannot make a loop). */
static void add_function(uint8_t bus, uint8_t dev, uint8_t fn, bool queue[PCI_BUSES])
{
	if (ndevs == PCI_MAX_DEVICES) {
		ndropped++;
		return;
	}
	struct pci_dev *d = &devs[ndevs++];
	*d = (struct pci_dev){ .bus = bus, .dev = dev, .fn = fn };
	d->vendor = (uint16_t)pci_cfg_read(d, PCI_VENDOR_ID, 2);
	d->device = (uint16_t)pci_cfg_read(d, PCI_DEVICE_ID, 2);
	d->class_code = pci_cfg_read(d, PCI_REVISION, 4) >> 8;
	d->revision = (uint8_t)pci_cfg_read(d, PCI_REVISION, 1);
	d->header_type = (uint8_t)pci_cfg_read(d, PCI_HEADER_TYPE, 1);
	d->irq_line = (uint8_t)pci_cfg_read(d, PCI_IRQ_LINE, 1);
	d->irq_pin = (uint8_t)pci_cfg_read(d, PCI_IRQ_PIN, 1);
	size_bars(d);
	find_caps(d);
	if ((d->header_type & PCI_HEADER_LAYOUT) == PCI_HEADER_BRIDGE) {
		d->secondary_bus = (uint8_t)pci_cfg_read(d, PCI_SECONDARY_BUS, 1);
		if (d->secondary_bus > bus)
			queue[d->secondary_bus] = true;
		else
			klog(LOG_WARN, "pci: bridge %02x:%02x.%u has secondary bus %u; not followed\n", bus,
			     dev, fn, d->secondary_bus);
	}
}

static void scan_bus(uint8_t bus, bool queue[PCI_BUSES])
{
	for (uint8_t dev = 0; dev < PCI_SLOTS; dev++) {
		if (vendor_at(bus, dev, 0) == PCI_VENDOR_NONE)
			continue;
		uint8_t hdr = (uint8_t)cfg_access(bus, dev, 0, PCI_HEADER_TYPE, 1, false, 0);
		uint8_t nfn = hdr & PCI_HEADER_MULTIFUNCTION ? PCI_FUNCTIONS : 1;
		for (uint8_t fn = 0; fn < nfn; fn++)
			if (vendor_at(bus, dev, fn) != PCI_VENDOR_NONE)
				add_function(bus, dev, fn, queue);
	}
}

/* Offer d to the table's drivers in order; the first probe that
 * returns 0 has it. */
static void bind(struct pci_dev *d)
{
	for (const struct pci_driver *drv = pci_drivers; drv->name; drv++) {
		if ((drv->vendor != PCI_ANY_ID && drv->vendor != d->vendor) ||
		    (drv->device != PCI_ANY_ID && drv->device != d->device) ||
		    (d->class_code & drv->class_mask) != drv->class_code)
			continue;
		if (drv->probe(d) == 0) {
			d->driver = drv;
			irq_set_msi_name(d->msi_vector, drv->name, d->segment, d->bus, (uint8_t)(d->dev << 3 | d->fn));
			return;
		}
	}
}

/* The first bus of segment 0's ECAM windows (0 without any); windows
 * of other segments are logged and left alone. */
static unsigned first_bus(const struct acpi_mcfg_info *m)
{
	unsigned first = PCI_BUSES;

	for (unsigned i = 0; m && i < m->n; i++) {
		if (m->regions[i].segment != 0)
			klog(LOG_WARN, "pci: segment %u (buses %u-%u) not scanned\n", m->regions[i].segment,
			     m->regions[i].bus_start, m->regions[i].bus_end);
		else if (m->regions[i].bus_start < first)
			first = m->regions[i].bus_start;
	}
	return first == PCI_BUSES ? 0 : first;
}

void pci_init(void)
{
	static bool queue[PCI_BUSES];
	const struct acpi_mcfg_info *m = acpi_mcfg();
	unsigned first = first_bus(m), buses = 0;

	use_ecam = ecam_for(m, first) != NULL;
	queue[first] = true;
	/* Bridges only queue buses above their own: one ascending pass. */
	for (unsigned bus = first; bus < PCI_BUSES; bus++) {
		if (!queue[bus] || !ecam_map_bus(bus))
			continue;
		scan_bus((uint8_t)bus, queue);
		buses++;
	}
	for (unsigned i = 0; i < ndevs; i++)
		bind(&devs[i]);
	klog(LOG_INFO, "pci: %u functions on %u buses through %s%s\n", ndevs, buses,
	     use_ecam ? "ECAM (MCFG)" : "the legacy ports (no MCFG)",
	     ndropped ? ", more not recorded" : "");
	for (unsigned i = 0; i < ndevs; i++) {
		const struct pci_dev *d = &devs[i];
		klog(LOG_INFO, "pci %04x:%02x:%02x.%u %04x:%04x class %04x driver %s\n", d->segment,
		     d->bus, d->dev, d->fn, d->vendor, d->device, d->class_code >> 8,
		     d->driver ? d->driver->name : "none");
	}
}

unsigned pci_count(void)
{
	return ndevs;
}

struct pci_dev *pci_get(unsigned index)
{
	return index < ndevs ? &devs[index] : NULL;
}

/* ---------------------------------------------------------------- read-only views (/sys) */

void pci_subsystem(const struct pci_dev *d, uint16_t *vendor, uint16_t *device)
{
	uint16_t off = PCI_SUBSYSTEM_VENDOR;

	*vendor = *device = 0;
	if ((d->header_type & PCI_HEADER_LAYOUT) == PCI_HEADER_BRIDGE) {
		uint8_t cap = pci_find_capability(d, PCI_CAP_ID_SSVID);
		if (!cap)
			return;
		off = (uint16_t)(cap + PCI_SSVID_VENDOR);
	} else if ((d->header_type & PCI_HEADER_LAYOUT) != PCI_HEADER_NORMAL) {
		return;
	}
	*vendor = (uint16_t)pci_cfg_read(d, off, 2);
	*device = (uint16_t)pci_cfg_read(d, (uint16_t)(off + 2), 2);
}

unsigned pci_cfg_size(const struct pci_dev *d)
{
	return use_ecam && pci_find_capability(d, PCI_CAP_ID_EXP) ? PCI_CFG_SIZE_EXT : PCI_CFG_SIZE;
}

int pci_parent(unsigned index)
{
	if (index >= ndevs)
		return -1;
	for (unsigned i = 0; i < index; i++)
		if ((devs[i].header_type & PCI_HEADER_LAYOUT) == PCI_HEADER_BRIDGE &&
		    devs[i].secondary_bus == devs[index].bus && devs[i].secondary_bus > devs[i].bus)
			return (int)i;
	return -1;
}

/* ---------------------------------------------------------------- /proc */

#define PROC_RESOURCES 7   /* six BARs and the expansion ROM (not sized: 0) */

size_t pci_format_devices(char *buf, size_t cap)
{
	size_t len = 0;

	for (unsigned i = 0; i < ndevs; i++) {
		const struct pci_dev *d = &devs[i];
		char line[320];
		int n = ksnprintf(line, sizeof(line), "%02x%02x\t%04x%04x\t%x", d->bus,
				  (unsigned)(d->dev << 3 | d->fn), d->vendor, d->device,
				  d->irq_pin ? d->irq_line : 0);
		for (unsigned r = 0; r < PROC_RESOURCES; r++) {
			const struct pci_bar *b = r < PCI_BARS ? &d->bars[r] : NULL;
			n += ksnprintf(line + n, sizeof(line) - (size_t)n, "\t%16lx",
				       b && b->size ? b->base | b->flags : 0);
		}
		for (unsigned r = 0; r < PROC_RESOURCES; r++) {
			const struct pci_bar *b = r < PCI_BARS ? &d->bars[r] : NULL;
			n += ksnprintf(line + n, sizeof(line) - (size_t)n, "\t%16lx", b ? b->size : 0);
		}
		/* Linux ends every line with a tab and the driver's name, empty when none. */
		n += ksnprintf(line + n, sizeof(line) - (size_t)n, "\t%s\n", d->driver ? d->driver->name : "");
		if (len < cap)
			memcpy(buf + len, line, (size_t)n < cap - len ? (size_t)n : cap - len);
		len += (size_t)n;
	}
	return len;
}

/* ---------------------------------------------------------------- self-tests */

/* Every PC has a host bridge at 00:00.0; each recorded function still
 * answers with its IDs; and with ECAM the legacy ports (which every PC
 * chipset still decodes) agree on the first 64 bytes of bus 0. */
SELFTEST(pci_enumerated)
{
	if (!ndevs)
		return SELFTEST_SKIP("no PCI functions");
	if (devs[0].bus != 0 || devs[0].dev != 0 || devs[0].fn != 0)
		return "no function at 00:00.0";
	for (unsigned i = 0; i < ndevs; i++) {
		const struct pci_dev *d = &devs[i];
		if (d->vendor == PCI_VENDOR_NONE || pci_cfg_read(d, PCI_VENDOR_ID, 2) != d->vendor ||
		    pci_cfg_read(d, PCI_DEVICE_ID, 2) != d->device)
			return "a function's IDs read back differently";
		if (!use_ecam || d->bus != 0)
			continue;
		for (uint16_t off = 0; off < CAP_FIRST; off += 4) {
			/* The one access outside cfg_access, on purpose: the
			 * other mechanism, under the same lock. */
			uint64_t flags = spin_lock_irqsave(&pci_cfg_lock);
			uint32_t port = pci_port_read(d->bus, d->dev, d->fn, off, 4);
			spin_unlock_irqrestore(&pci_cfg_lock, flags);
			if (off != PCI_COMMAND && port != pci_cfg_read(d, off, 4))
				return "ECAM and the legacy ports disagree";
		}
	}
	return NULL;
}

/* A stray message during the test (a device with an interrupt pending) is counted, not logged. */
static volatile unsigned test_msi_hits;

static void test_msi_irq(struct trap_frame *tf)
{
	(void)tf;
	test_msi_hits++;
}

/* MSI and MSI-X programmed on an unbound function that has them: the
 * message reads back as irq_msi_message composed it, with the enable
 * bit; disabled again, the bit is clear and the vector free. Delivery
 * needs a driver that can make its device interrupt: not tested here. */
static const char *msi_check(struct pci_dev *d)
{
	uint64_t addr;
	uint32_t data;
	uint16_t cap = d->msi_cap;

	unsigned vector = irq_alloc_vector(test_msi_irq);
	if (!vector || !irq_msi_message(vector, &addr, &data))
		return "no vector or no message";
	msi_program(d, addr, data);
	uint16_t ctrl = (uint16_t)pci_cfg_read(d, cap + MSI_CTRL, 2);
	uint16_t data_off = ctrl & MSI_CTRL_64BIT ? MSI_DATA_64 : MSI_DATA_32;
	bool ok = (ctrl & MSI_CTRL_ENABLE) && pci_cfg_read(d, cap + MSI_ADDR_LO, 4) == (uint32_t)addr &&
		  pci_cfg_read(d, cap + data_off, 2) == data;
	pci_cfg_write(d, cap + MSI_CTRL, 2, ctrl & ~MSI_CTRL_ENABLE);
	irq_free_vector(vector);
	if (!ok)
		return "MSI message or enable bit did not read back";
	return pci_cfg_read(d, cap + MSI_CTRL, 2) & MSI_CTRL_ENABLE ? "MSI still enabled" : NULL;
}

static const char *msix_check(struct pci_dev *d)
{
	uint16_t cmd = (uint16_t)pci_cfg_read(d, PCI_COMMAND, 2);

	pci_cfg_write(d, PCI_COMMAND, 2, cmd | PCI_COMMAND_MEMORY);
	int v = pci_msi_enable(d, test_msi_irq);
	const char *why = NULL;
	if (v < 0)
		why = "pci_msi_enable failed";
	else if (!d->msix_on || mmio_read32(msix_tables[d - devs] + MSIX_ENT_DATA) != (uint32_t)v ||
		 !(pci_cfg_read(d, d->msix_cap + MSIX_CTRL, 2) & MSIX_CTRL_ENABLE))
		why = "MSI-X entry 0 or enable bit did not read back";
	pci_msi_disable(d);
	if (!why && pci_cfg_read(d, d->msix_cap + MSIX_CTRL, 2) & MSIX_CTRL_ENABLE)
		why = "MSI-X still enabled";
	pci_cfg_write(d, PCI_COMMAND, 2, cmd);
	return why;
}

SELFTEST(pci_msi)
{
	unsigned tried = 0;

	for (unsigned i = 0; i < ndevs; i++) {
		struct pci_dev *d = &devs[i];
		const char *why = NULL;
		if (d->driver || d->msi_vector)
			continue;
		if (d->msix_cap && msix_table(d)) {
			why = msix_check(d);
			tried++;
		} else if (d->msi_cap) {
			why = msi_check(d);
			tried++;
		}
		if (why)
			return why;
	}
	return tried ? NULL : SELFTEST_SKIP("no MSI-capable function without a driver");
}
