/* SPDX-License-Identifier: MIT */
/* IO APICs: redirection entries for global system interrupts (GSIs), and where each ISA IRQ arrives. */
#ifndef KESTREL_ARCH_IOAPIC_H
#define KESTREL_ARCH_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include "firmware/acpi_tables.h"

/* How an ISA IRQ reaches an IO APIC, after the MADT's overrides. */
struct isa_route {
	uint32_t gsi;
	bool active_low;
	bool level;
};

/*
 * Map every IO APIC in the MADT and mask all its entries; routed
 * interrupts go to dest_apic_id (physical destination mode, so it must
 * fit 8 bits). madt may be NULL. Returns the number of IO APICs usable.
 */
unsigned ioapic_init(const struct acpi_madt_info *madt, uint32_t dest_apic_id);

/* Where ISA IRQ isa_irq arrives: its override, or the identity GSI,
 * edge-triggered and active high (the ISA defaults). False if the
 * identity GSI is taken by another IRQ's override. */
bool ioapic_isa_route(unsigned isa_irq, struct isa_route *r);

/* Program gsi to deliver vector to the boot CPU, masked. False if no IO
 * APIC serves gsi or the destination cannot be expressed. */
bool ioapic_program(uint32_t gsi, uint8_t vector, bool active_low, bool level);
void ioapic_set_masked(uint32_t gsi, bool masked);

/* IO APIC i's MMIO address and GSI range, for the banner; false past the last. */
bool ioapic_info(unsigned i, uint64_t *address, uint32_t *gsi_first, uint32_t *gsi_last);

#endif
