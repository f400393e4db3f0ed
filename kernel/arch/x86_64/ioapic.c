// SPDX-License-Identifier: MIT
/*
 * Kestrel x86_64: IO APICs (Intel 82093AA datasheet). Each is two
 * registers in MMIO, a select and a window, behind which sit its ID,
 * version (with the number of redirection entries) and one 64-bit
 * redirection entry per input pin; pin n is GSI gsi_base + n. Every
 * entry starts masked and is unmasked only once routed.
 */
#include <stddef.h>
#include "arch/x86_64/ioapic.h"
#include "mm/mmio.h"
#include "log.h"

#define IOAPIC_MMIO_SIZE        0x20u
#define IOAPIC_REGSEL           0x00u
#define IOAPIC_WINDOW           0x10u
#define IOAPIC_REG_VERSION      0x01u
#define IOAPIC_VER_MAXREDIR_SHIFT 16
#define IOAPIC_VER_MAXREDIR_MASK  0xffu
#define IOAPIC_REG_REDTBL       0x10u   /* entry n: low dword 0x10 + 2n, high 0x11 + 2n */

#define RTE_DELIVERY_FIXED      (0u << 8)
#define RTE_DEST_PHYSICAL       (0u << 11)
#define RTE_ACTIVE_LOW          (1u << 13)
#define RTE_LEVEL               (1u << 15)
#define RTE_MASKED              (1u << 16)
#define RTE_DEST_SHIFT          24      /* in the high dword */
#define RTE_DEST_MAX            0xfeu   /* physical destination: 8-bit APIC ID, 0xff broadcasts */

#define ISA_BUS                 0

struct ioapic {
	volatile uint32_t *regs;
	uint64_t phys;
	uint32_t gsi_base;
	unsigned pins;
};

/* Written by ioapic_init with interrupts off; the entries themselves are
 * changed only with interrupts off (single CPU for now). */
static struct {
	struct ioapic chips[ACPI_MAX_IOAPICS];
	unsigned count;
	uint32_t dest;
	bool dest_ok;
	const struct acpi_madt_info *madt;
} io;

static uint32_t ioapic_read(const struct ioapic *a, uint32_t reg)
{
	mmio_write32((volatile uint8_t *)a->regs + IOAPIC_REGSEL, reg);
	return mmio_read32((volatile uint8_t *)a->regs + IOAPIC_WINDOW);
}

static void ioapic_write(const struct ioapic *a, uint32_t reg, uint32_t v)
{
	mmio_write32((volatile uint8_t *)a->regs + IOAPIC_REGSEL, reg);
	mmio_write32((volatile uint8_t *)a->regs + IOAPIC_WINDOW, v);
}

/* The IO APIC serving gsi and its pin there, or NULL. */
static const struct ioapic *chip_for(uint32_t gsi, unsigned *pin)
{
	for (unsigned i = 0; i < io.count; i++) {
		const struct ioapic *a = &io.chips[i];
		if (gsi >= a->gsi_base && gsi - a->gsi_base < a->pins) {
			*pin = gsi - a->gsi_base;
			return a;
		}
	}
	return NULL;
}

/* Map one IO APIC, learn its size, and mask every entry. */
static bool add_chip(const struct acpi_ioapic *m)
{
	struct ioapic *a = &io.chips[io.count];

	a->regs = mmio_map(m->address, IOAPIC_MMIO_SIZE);
	if (!a->regs) {
		klog(LOG_ERR, "ioapic: cannot map the IO APIC at %#x\n", m->address);
		return false;
	}
	a->phys = m->address;
	a->gsi_base = m->gsi_base;
	a->pins = ((ioapic_read(a, IOAPIC_REG_VERSION) >> IOAPIC_VER_MAXREDIR_SHIFT) &
		   IOAPIC_VER_MAXREDIR_MASK) + 1;
	for (unsigned pin = 0; pin < a->pins; pin++) {
		ioapic_write(a, IOAPIC_REG_REDTBL + 2 * pin, RTE_MASKED);
		ioapic_write(a, IOAPIC_REG_REDTBL + 2 * pin + 1, 0);
	}
	io.count++;
	return true;
}

unsigned ioapic_init(const struct acpi_madt_info *madt, uint32_t dest_apic_id)
{
	io.madt = madt;
	io.dest = dest_apic_id;
	io.dest_ok = dest_apic_id <= RTE_DEST_MAX;
	if (!io.dest_ok)
		klog(LOG_ERR, "ioapic: boot CPU APIC ID %u needs interrupt remapping; nothing will be routed\n",
		     dest_apic_id);
	for (unsigned i = 0; madt && i < madt->nioapics; i++)
		add_chip(&madt->ioapics[i]);
	if (!io.count)
		klog(LOG_ERR, "ioapic: no IO APIC; device interrupts unavailable\n");
	return io.count;
}

/* The override for this ISA IRQ, or NULL. */
static const struct acpi_override *isa_override(unsigned isa_irq)
{
	for (unsigned i = 0; io.madt && i < io.madt->noverrides; i++) {
		const struct acpi_override *o = &io.madt->overrides[i];
		if (o->bus == ISA_BUS && o->source == isa_irq)
			return o;
	}
	return NULL;
}

/* True if another ISA IRQ was moved onto this GSI by its override. */
static bool gsi_claimed_by_override(uint32_t gsi)
{
	for (unsigned i = 0; io.madt && i < io.madt->noverrides; i++)
		if (io.madt->overrides[i].gsi == gsi && io.madt->overrides[i].source != gsi)
			return true;
	return false;
}

bool ioapic_isa_route(unsigned isa_irq, struct isa_route *r)
{
	const struct acpi_override *o = isa_override(isa_irq);

	*r = (struct isa_route){ .gsi = isa_irq, .active_low = false, .level = false };
	if (!o)
		return !gsi_claimed_by_override(isa_irq);
	r->gsi = o->gsi;
	r->active_low = (o->flags & ACPI_POLARITY_MASK) == ACPI_POLARITY_LOW;
	r->level = (o->flags & ACPI_TRIGGER_MASK) == ACPI_TRIGGER_LEVEL;
	return true;
}

bool ioapic_program(uint32_t gsi, uint8_t vector, bool active_low, bool level)
{
	unsigned pin;
	const struct ioapic *a = chip_for(gsi, &pin);

	if (!a || !io.dest_ok)
		return false;
	uint32_t lo = vector | RTE_DELIVERY_FIXED | RTE_DEST_PHYSICAL | RTE_MASKED |
		      (active_low ? RTE_ACTIVE_LOW : 0) | (level ? RTE_LEVEL : 0);
	ioapic_write(a, IOAPIC_REG_REDTBL + 2 * pin, RTE_MASKED); /* masked while half-written */
	ioapic_write(a, IOAPIC_REG_REDTBL + 2 * pin + 1, io.dest << RTE_DEST_SHIFT);
	ioapic_write(a, IOAPIC_REG_REDTBL + 2 * pin, lo);
	return true;
}

void ioapic_set_masked(uint32_t gsi, bool masked)
{
	unsigned pin;
	const struct ioapic *a = chip_for(gsi, &pin);

	if (!a)
		return;
	uint32_t lo = ioapic_read(a, IOAPIC_REG_REDTBL + 2 * pin);
	ioapic_write(a, IOAPIC_REG_REDTBL + 2 * pin, masked ? lo | RTE_MASKED : lo & ~RTE_MASKED);
}

bool ioapic_info(unsigned i, uint64_t *address, uint32_t *gsi_first, uint32_t *gsi_last)
{
	if (i >= io.count)
		return false;
	*address = io.chips[i].phys;
	*gsi_first = io.chips[i].gsi_base;
	*gsi_last = io.chips[i].gsi_base + io.chips[i].pins - 1;
	return true;
}
