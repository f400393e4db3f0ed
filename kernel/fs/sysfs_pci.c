// SPDX-License-Identifier: MIT
/*
 * Kestrel: /sys/bus/pci and /sys/devices/pci0000:00 (sysfs_pci.h), what
 * busybox's lspci reads (each function's uevent, found through the
 * links of /sys/bus/pci/devices) and the attribute files of Linux's
 * drivers/pci/pci-sysfs.c, in the same formats.
 *
 * Node numbering: function i's directory is SYSFS_PCI_BASE + i * STRIDE,
 * its attributes the next values (ATTR_FIRST + table index), its link in
 * /sys/bus/pci/devices + LINK, its "driver" link + DRIVER_LINK and its
 * link in its driver's directory + DRV_DEV_LINK; driver j of the table
 * (dev/pci_drivers.c) has the directory /sys/bus/pci/drivers/NAME, as if
 * it were function DRV_INDEX + j.
 */
#include "fs/sysfs_pci.h"
#include "fs/inode.h"
#include "dev/pci.h"
#include "mm/heap.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "proc/process.h"
#include "uapi/capability.h"
#include "uapi/stat.h"

#define STRIDE     32
#define ATTR_FIRST 1
#define LINK       (STRIDE - 1)
#define DRIVER_LINK (STRIDE - 2)
#define DRV_DEV_LINK (STRIDE - 3)
#define DRV_INDEX  0x8000u /* above any function index (dev/pci.c keeps 256) */
#define ATTR_SIZE  4096   /* a text attribute's st_size (PAGE_SIZE), as sysfs */
#define TEXT_MAX   1024   /* the longest text attribute (resource: 17 lines of 57) */
#define CFG_USER_BYTES 64 /* what a reader without CAP_SYS_ADMIN sees of config, as Linux */
#define ROOT_NAME  "pci0000:00"
#define MAX_DEPTH  256    /* bridges below one another: each a higher bus */
#define LINK_MAX_BYTES 4096 /* a link's target: 13 bytes per bridge level at most */

/* Linux's resource flags (include/linux/ioport.h), for the resource file. */
#define IORESOURCE_IO        0x00000100u
#define IORESOURCE_MEM       0x00000200u
#define IORESOURCE_PREFETCH  0x00002000u
#define IORESOURCE_SIZEALIGN 0x00040000u
#define IORESOURCE_MEM_64    0x00100000u
#define RESOURCES_DEVICE     13  /* six BARs, the ROM, six SR-IOV BARs */
#define RESOURCES_BRIDGE     17  /* and four bridge windows */

enum attr {
	A_UEVENT, A_VENDOR, A_DEVICE, A_CLASS, A_SUBVENDOR, A_SUBDEVICE, A_REVISION, A_IRQ,
	A_RESOURCE, A_MODALIAS, A_CONFIG, N_ATTRS
};
static const char *const attr_names[N_ATTRS] = {
	[A_UEVENT] = "uevent", [A_VENDOR] = "vendor", [A_DEVICE] = "device", [A_CLASS] = "class",
	[A_SUBVENDOR] = "subsystem_vendor", [A_SUBDEVICE] = "subsystem_device",
	[A_REVISION] = "revision", [A_IRQ] = "irq", [A_RESOURCE] = "resource",
	[A_MODALIAS] = "modalias", [A_CONFIG] = "config",
};
_Static_assert(ATTR_FIRST + N_ATTRS < DRV_DEV_LINK, "attributes overlap the links");

static long node_aux(unsigned index, unsigned k)
{
	return SYSFS_PCI_BASE + (long)index * STRIDE + (long)k;
}

/* "0000:00:1f.2", Linux's pci_name. */
static void slot_name(const struct pci_dev *d, char *buf, size_t size)
{
	ksnprintf(buf, size, "%04x:%02x:%02x.%u", d->segment, d->bus, d->dev, d->fn);
}

static void dir_entry(unsigned index, struct sysfs_entry *e)
{
	slot_name(pci_get(index), e->name, sizeof(e->name));
	e->mode = S_IFDIR | 0755;
	e->aux = node_aux(index, 0);
	e->size = 0;
}

static void attr_entry(unsigned index, unsigned a, struct sysfs_entry *e)
{
	ksnprintf(e->name, sizeof(e->name), "%s", attr_names[a]);
	/* Linux's uevent and config are 0644 (they take writes); Kestrel's take none */
	e->mode = S_IFREG | 0444;
	e->aux = node_aux(index, ATTR_FIRST + a);
	e->size = a == A_CONFIG ? pci_cfg_size(pci_get(index)) : ATTR_SIZE;
}

static unsigned driver_count(void)
{
	unsigned n = 0;

	while (pci_drivers[n].name)
		n++;
	return n;
}

/* A link entry named after function index. */
static void link_entry(unsigned index, unsigned k, struct sysfs_entry *e)
{
	if (k == DRIVER_LINK)
		ksnprintf(e->name, sizeof(e->name), "driver");
	else
		slot_name(pci_get(index), e->name, sizeof(e->name));
	e->mode = S_IFLNK | 0777;
	e->aux = node_aux(index, k);
	e->size = 0;
}

static void driver_dir_entry(unsigned j, struct sysfs_entry *e)
{
	ksnprintf(e->name, sizeof(e->name), "%s", pci_drivers[j].name);
	e->mode = S_IFDIR | 0755;
	e->aux = node_aux(DRV_INDEX + j, 0);
	e->size = 0;
}

/* The k-th function (from 0) bound to driver j. */
static bool nth_bound_function(unsigned j, unsigned k, unsigned *index)
{
	for (unsigned i = 0; i < pci_count(); i++)
		if (pci_get(i)->driver == &pci_drivers[j] && k-- == 0) {
			*index = i;
			return true;
		}
	return false;
}

/* The k-th function (from 0) whose parent is parent (-1: the root bus). */
static bool nth_child_function(int parent, unsigned k, unsigned *index)
{
	for (unsigned i = 0; i < pci_count(); i++)
		if (pci_parent(i) == parent && k-- == 0) {
			*index = i;
			return true;
		}
	return false;
}

bool sysfs_pci_child(long dir, unsigned k, struct sysfs_entry *e)
{
	unsigned i;

	if (dir == SYSFS_PCI_LINKS) {
		if (k >= pci_count())
			return false;
		link_entry(k, LINK, e);
		return true;
	}
	if (dir == SYSFS_PCI_DRIVERS) {
		if (k >= driver_count())
			return false;
		driver_dir_entry(k, e);
		return true;
	}
	if (dir == SYSFS_PCI_ROOT) {
		if (!nth_child_function(-1, k, &i))
			return false;
		dir_entry(i, e);
		return true;
	}
	if (dir < SYSFS_PCI_BASE || (dir - SYSFS_PCI_BASE) % STRIDE != 0)
		return false;
	unsigned self = (unsigned)((dir - SYSFS_PCI_BASE) / STRIDE);
	if (self >= DRV_INDEX) { /* a driver's directory: its functions */
		if (self - DRV_INDEX >= driver_count() || !nth_bound_function(self - DRV_INDEX, k, &i))
			return false;
		link_entry(i, DRV_DEV_LINK, e);
		return true;
	}
	if (k < N_ATTRS) {
		attr_entry(self, k, e);
		return true;
	}
	unsigned bound = pci_get(self) && pci_get(self)->driver ? 1 : 0;
	if (bound && k == N_ATTRS) {
		link_entry(self, DRIVER_LINK, e);
		return true;
	}
	if (!nth_child_function((int)self, k - N_ATTRS - bound, &i))
		return false;
	dir_entry(i, e);
	return true;
}

bool sysfs_pci_node(long aux, struct sysfs_entry *e)
{
	if (aux < SYSFS_PCI_BASE)
		return false;
	unsigned index = (unsigned)((aux - SYSFS_PCI_BASE) / STRIDE);
	unsigned k = (unsigned)((aux - SYSFS_PCI_BASE) % STRIDE);
	if (index >= DRV_INDEX && index - DRV_INDEX < driver_count() && k == 0) {
		driver_dir_entry(index - DRV_INDEX, e);
		return true;
	}
	if (index >= pci_count())
		return false;
	if (k == 0)
		dir_entry(index, e);
	else if (k == LINK || k == DRV_DEV_LINK || (k == DRIVER_LINK && pci_get(index)->driver))
		link_entry(index, k, e);
	else if (k - ATTR_FIRST < N_ATTRS)
		attr_entry(index, k - ATTR_FIRST, e);
	else
		return false;
	return true;
}

/* The uevent file: what lspci parses (DRIVER first, as Linux's core adds it). */
static int uevent_text(const struct pci_dev *d, char *buf, size_t size)
{
	uint16_t sv, sd;
	char slot[SYSFS_NAME_MAX];
	int n = 0;

	pci_subsystem(d, &sv, &sd);
	slot_name(d, slot, sizeof(slot));
	if (d->driver)
		n += ksnprintf(buf, size, "DRIVER=%s\n", d->driver->name);
	n += ksnprintf(buf + n, size - (size_t)n,
		       "PCI_CLASS=%04X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:%04X\nPCI_SLOT_NAME=%s\n"
		       "MODALIAS=pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n",
		       d->class_code, d->vendor, d->device, sv, sd, slot, d->vendor, d->device, sv,
		       sd, d->class_code >> 16, (d->class_code >> 8) & 0xff, d->class_code & 0xff);
	return n;
}

/* Linux's resource flags for a BAR as Kestrel sized it. */
static uint64_t bar_flags(const struct pci_bar *b)
{
	uint32_t f = IORESOURCE_SIZEALIGN | (b->flags & (PCI_BAR_IO | PCI_BAR_MEM64 | PCI_BAR_PREFETCH));

	if (b->flags & PCI_BAR_IO)
		return f | IORESOURCE_IO;
	f |= IORESOURCE_MEM;
	if (b->flags & PCI_BAR_PREFETCH)
		f |= IORESOURCE_PREFETCH;
	if (b->flags & PCI_BAR_MEM64)
		f |= IORESOURCE_MEM_64;
	return f;
}

/* The resource file: start, end and flags per resource; absent ones 0. */
static int resource_text(const struct pci_dev *d, char *buf, size_t size)
{
	bool bridge = (d->header_type & PCI_HEADER_LAYOUT) == PCI_HEADER_BRIDGE;
	unsigned lines = bridge ? RESOURCES_BRIDGE : RESOURCES_DEVICE;
	int n = 0;

	for (unsigned r = 0; r < lines; r++) {
		const struct pci_bar *b = r < PCI_BARS && d->bars[r].size ? &d->bars[r] : NULL;
		n += ksnprintf(buf + n, size - (size_t)n, "0x%016lx 0x%016lx 0x%016lx\n",
			       b ? b->base : 0, b ? b->base + b->size - 1 : 0, b ? bar_flags(b) : 0);
	}
	return n;
}

static int modalias_text(const struct pci_dev *d, char *buf, size_t size)
{
	uint16_t sv, sd;

	pci_subsystem(d, &sv, &sd);
	return ksnprintf(buf, size, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n", d->vendor,
			 d->device, sv, sd, d->class_code >> 16, (d->class_code >> 8) & 0xff,
			 d->class_code & 0xff);
}

/* A text attribute into buf: its length. */
static int attr_text(const struct pci_dev *d, enum attr a, char *buf, size_t size)
{
	uint16_t sv, sd;

	pci_subsystem(d, &sv, &sd);
	switch (a) {
	case A_UEVENT: return uevent_text(d, buf, size);
	case A_VENDOR: return ksnprintf(buf, size, "0x%04x\n", d->vendor);
	case A_DEVICE: return ksnprintf(buf, size, "0x%04x\n", d->device);
	case A_CLASS: return ksnprintf(buf, size, "0x%06x\n", d->class_code);
	case A_SUBVENDOR: return ksnprintf(buf, size, "0x%04x\n", sv);
	case A_SUBDEVICE: return ksnprintf(buf, size, "0x%04x\n", sd);
	case A_REVISION: return ksnprintf(buf, size, "0x%02x\n", d->revision);
	case A_IRQ: return ksnprintf(buf, size, "%u\n", d->irq_pin ? d->irq_line : 0);
	case A_RESOURCE: return resource_text(d, buf, size);
	case A_MODALIAS: return modalias_text(d, buf, size);
	default: return 0;
	}
}

/* config: the function's configuration space read now, a dword at a
 * time; a reader without CAP_SYS_ADMIN gets the first 64 bytes. */
static int config_bytes(const struct pci_dev *d, uint8_t *buf)
{
	unsigned size = pci_cfg_size(d);

	if (!capable(CAP_SYS_ADMIN))
		size = CFG_USER_BYTES;
	for (unsigned off = 0; off < size; off += 4) {
		uint32_t v = pci_cfg_read(d, (uint16_t)off, 4);
		memcpy(buf + off, &v, 4);
	}
	return (int)size;
}

long sysfs_pci_read(long aux, struct iobuf b, size_t n, uint64_t *pos)
{
	if (aux < SYSFS_PCI_BASE)
		return -EINVAL;
	unsigned a = (unsigned)((aux - SYSFS_PCI_BASE) % STRIDE) - ATTR_FIRST;
	const struct pci_dev *d = pci_get((unsigned)((aux - SYSFS_PCI_BASE) / STRIDE));
	if (!d || a >= N_ATTRS)
		return -EINVAL;
	char *buf = kmalloc(a == A_CONFIG ? PCI_CFG_SIZE_EXT : TEXT_MAX);
	if (!buf)
		return -ENOMEM;
	int len = a == A_CONFIG ? config_bytes(d, (uint8_t *)buf) : attr_text(d, a, buf, TEXT_MAX);
	if (len >= TEXT_MAX && a != A_CONFIG)
		len = TEXT_MAX - 1; /* truncated by ksnprintf: cannot happen with 17 lines */
	long r = vfs_read_text(buf, (size_t)len, b, n, pos);
	kfree(buf);
	return r;
}

/* "devices/pci0000:00/<the bridges above>/<index>" at path[len...]:
 * the new length; *depth gets the functions in it. */
static size_t device_path(char *path, size_t len, unsigned index, unsigned *depth)
{
	uint16_t chain[MAX_DEPTH];
	unsigned n = 0;

	for (int i = (int)index; i >= 0 && n < MAX_DEPTH; i = pci_parent((unsigned)i))
		chain[n++] = (uint16_t)i;
	*depth = n;
	len += (size_t)ksnprintf(path + len, LINK_MAX_BYTES - len, "devices/" ROOT_NAME);
	while (n > 0 && len < LINK_MAX_BYTES) {
		char slot[SYSFS_NAME_MAX];
		slot_name(pci_get(chain[--n]), slot, sizeof(slot));
		len += (size_t)ksnprintf(path + len, LINK_MAX_BYTES - len, "/%s", slot);
	}
	return len;
}

/* The target of link k of function index into path: from
 * /sys/bus/pci/devices (3 levels below /sys) or a driver's directory (4)
 * to the function's directory; from that directory (2 + its depth) to
 * its driver's. */
static size_t link_target(char *path, unsigned index, unsigned k)
{
	unsigned depth, up = k == LINK ? 3 : 4;
	size_t len = 0;

	if (k != DRIVER_LINK) {
		for (unsigned i = 0; i < up; i++)
			len += (size_t)ksnprintf(path + len, LINK_MAX_BYTES - len, "../");
		return device_path(path, len, index, &depth);
	}
	device_path(path, 0, index, &depth); /* only its depth */
	for (unsigned i = 0; i < 2 + depth && len < LINK_MAX_BYTES; i++)
		len += (size_t)ksnprintf(path + len, LINK_MAX_BYTES - len, "../");
	if (len < LINK_MAX_BYTES)
		len += (size_t)ksnprintf(path + len, LINK_MAX_BYTES - len, "bus/pci/drivers/%s",
					 pci_get(index)->driver->name);
	return len;
}

int sysfs_pci_readlink(long aux, char *buf, size_t cap)
{
	if (aux < SYSFS_PCI_BASE)
		return -EINVAL;
	unsigned index = (unsigned)((aux - SYSFS_PCI_BASE) / STRIDE);
	unsigned k = (unsigned)((aux - SYSFS_PCI_BASE) % STRIDE);
	if (index >= pci_count() || (k != LINK && k != DRV_DEV_LINK && k != DRIVER_LINK) ||
	    (k == DRIVER_LINK && !pci_get(index)->driver))
		return -EINVAL;
	char *path = kmalloc(LINK_MAX_BYTES);
	if (!path)
		return -ENOMEM;
	size_t len = link_target(path, index, k);
	if (len >= LINK_MAX_BYTES)
		len = LINK_MAX_BYTES - 1;
	if (len > cap)
		len = cap;
	memcpy(buf, path, len);
	kfree(path);
	return (int)len;
}
