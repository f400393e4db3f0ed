/* SPDX-License-Identifier: MIT */
/* PCI and PCI Express: configuration space (ECAM or the legacy ports), the enumerated functions, BARs, MSI/MSI-X, and the driver table. */
#ifndef KESTREL_DEV_PCI_H
#define KESTREL_DEV_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/x86_64/irq.h"

/* Configuration header offsets (PCI Local Bus 3.0, 6.1; type 0 and 1). */
#define PCI_VENDOR_ID      0x00
#define PCI_DEVICE_ID      0x02
#define PCI_COMMAND        0x04
#define PCI_STATUS         0x06
#define PCI_REVISION       0x08
#define PCI_CLASS_PROG     0x09
#define PCI_HEADER_TYPE    0x0e
#define PCI_BAR0           0x10
#define PCI_SECONDARY_BUS  0x19     /* type 1 (bridges) */
#define PCI_SUBSYSTEM_VENDOR 0x2c   /* type 0; 0x2e the subsystem device */
#define PCI_CAP_PTR        0x34
#define PCI_IRQ_LINE       0x3c
#define PCI_IRQ_PIN        0x3d

#define PCI_COMMAND_IO     (1u << 0)
#define PCI_COMMAND_MEMORY (1u << 1)
#define PCI_COMMAND_MASTER (1u << 2)
#define PCI_COMMAND_INTX_DISABLE (1u << 10)
#define PCI_STATUS_CAP_LIST (1u << 4)
#define PCI_HEADER_MULTIFUNCTION 0x80u
#define PCI_HEADER_LAYOUT  0x7fu
#define PCI_HEADER_NORMAL  0
#define PCI_HEADER_BRIDGE  1
#define PCI_VENDOR_NONE    0xffffu  /* no function answers here */
#define PCI_ANY_ID         0xffffffffu
#define PCI_CLASS_MASK_ALL 0xffffffu   /* class, subclass and programming interface */

#define PCI_CAP_ID_MSI     0x05
#define PCI_CAP_ID_MSIX    0x11
#define PCI_CAP_ID_SSVID   0x0d     /* bridges' subsystem IDs */
#define PCI_SSVID_VENDOR   4        /* its offset of the vendor (then the device) */
#define PCI_CAP_ID_EXP     0x10     /* PCI Express */
#define PCI_CFG_SIZE       256
#define PCI_CFG_SIZE_EXT   4096     /* PCI Express, through ECAM */

#define PCI_BARS           6
#define PCI_BAR_IO         (1u << 0)
#define PCI_BAR_MEM64      (1u << 2)  /* the BAR's type bits, as Linux's flags */
#define PCI_BAR_PREFETCH   (1u << 3)

struct pci_bar {
	uint64_t base, size;     /* size 0: not implemented */
	uint32_t flags;          /* PCI_BAR_*: the low bits of the BAR register */
};

struct pci_driver;

/* One function found by the enumeration. Lock rule: written by pci_init
 * before anything else runs; afterwards driver, msi_vector and msi_on
 * belong to the driver that bound it (probe runs once, at boot). */
struct pci_dev {
	uint16_t segment;
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint32_t class_code;     /* class << 16 | subclass << 8 | prog-if */
	uint8_t revision, header_type, irq_line, irq_pin;
	uint8_t secondary_bus;   /* bridges: as the firmware set it */
	uint8_t msi_cap, msix_cap; /* configuration offsets of the capabilities, 0 if absent */
	uint16_t msix_entries;
	struct pci_bar bars[PCI_BARS];
	const struct pci_driver *driver;
	unsigned msi_vector;     /* 0 when MSI/MSI-X is off */
	bool msix_on;
};

/* A driver binds by vendor/device (PCI_ANY_ID matches any) and/or by
 * class: (class_code & class_mask) == class. probe returns 0 when it has
 * taken the function, a negative errno when not (the function stays
 * unbound, its decoding as the firmware left it). */
struct pci_driver {
	const char *name;
	uint32_t vendor, device;
	uint32_t class_code, class_mask;
	int (*probe)(struct pci_dev *d);
};

/* The driver table (dev/pci_drivers.c), ended by an entry with name NULL. */
extern const struct pci_driver pci_drivers[];

/* Configuration space of d: width 1, 2 or 4 bytes at off (aligned to the
 * width, below 4096 with ECAM, below 256 through the legacy ports; an
 * access beyond reads all ones and writes nothing). pci_cfg_lock inside:
 * any context. */
uint32_t pci_cfg_read(const struct pci_dev *d, uint16_t off, unsigned width);
void pci_cfg_write(const struct pci_dev *d, uint16_t off, unsigned width, uint32_t v);

/* Find every function: through the MCFG's ECAM windows (segment 0), or
 * the legacy ports without them; follow bridges to the secondary buses
 * the firmware numbered; size the BARs; find MSI and MSI-X; bind drivers
 * from the table; log one line per function. Needs mm, acpi_init and
 * interrupts_init. */
void pci_init(void);

/* The functions found, in bus order: index < pci_count(). */
unsigned pci_count(void);
struct pci_dev *pci_get(unsigned index);

/* For drivers' probe: turn on memory decoding (and I/O decoding if a BAR
 * is I/O) and bus mastering; pci_disable_device turns all three off. */
void pci_enable_device(struct pci_dev *d);
void pci_disable_device(struct pci_dev *d);

/* BAR i of d mapped uncached (memory BARs only); NULL if it is absent,
 * an I/O BAR or cannot be mapped. Mappings are kept for good: call once. */
volatile void *pci_map_bar(struct pci_dev *d, unsigned i);

/* Deliver d's interrupts to handler h on a vector of its own: MSI-X entry
 * 0 if d has it, else MSI (one message). Returns the vector, or a
 * negative errno: -ENODEV without either capability, -EBUSY when no
 * vector is free, -ENOMEM if the MSI-X table cannot be mapped, -EINVAL
 * if the boot CPU cannot be addressed. INTx is disabled meanwhile.
 * pci_msi_disable undoes it (and frees the vector). */
int pci_msi_enable(struct pci_dev *d, irq_handler_t h);
void pci_msi_disable(struct pci_dev *d);

/* Read-only views for /sys/bus/pci (fs/sysfs_pci.c); any context after
 * pci_init. The offset of d's first capability with this id, 0 if none
 * (a bounded walk: a looping list ends it). */
uint8_t pci_find_capability(const struct pci_dev *d, unsigned id);
/* d's subsystem vendor and device (type 0: the header's; a bridge: its
 * SSVID capability's), 0 and 0 when it has none. */
void pci_subsystem(const struct pci_dev *d, uint16_t *vendor, uint16_t *device);
/* The bytes of configuration space d answers: PCI_CFG_SIZE_EXT for a
 * PCI Express function reached through ECAM, else PCI_CFG_SIZE. */
unsigned pci_cfg_size(const struct pci_dev *d);
/* The index of the bridge function index sits behind (always a lower
 * index: bridges only lead to higher buses), -1 on the first bus or for
 * an index out of range. */
int pci_parent(unsigned index);

/* /proc/bus/pci/devices in Linux's format (drivers/pci/proc.c): one line
 * per function, truncated at cap. Returns the length it wanted, as
 * snprintf does. */
size_t pci_format_devices(char *buf, size_t cap);

#endif
