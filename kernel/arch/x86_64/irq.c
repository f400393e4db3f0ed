// SPDX-License-Identifier: MIT
/* Kestrel x86_64: the device-interrupt handler table, dispatch and EOI, ISA IRQ routing, the MSI vector allocator, and interrupt-controller bring-up. */
#include <stddef.h>
#include "arch/x86_64/irq.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/pic.h"
#include "firmware/acpi.h"
#include "lib/spinlock.h"
#include "log.h"

/* Set with interrupts off or the vector masked (see irq.h). */
static irq_handler_t handlers[VEC_COUNT];

/* vector_lock protects dyn_used: which of VEC_DYN_BASE..VEC_DYN_END-1
 * irq_alloc_vector has handed out. */
static struct spinlock vector_lock = SPINLOCK_INIT;
static bool dyn_used[VEC_DYN_END - VEC_DYN_BASE];

/* MSI address and data (Intel SDM vol. 3, 11.11.1 and 11.11.2). */
#define MSI_ADDRESS_BASE      0xfee00000u
#define MSI_DEST_SHIFT        12
#define MSI_DEST_MAX          0xffu   /* 8 bits without interrupt remapping */
#define MSI_DATA_FIXED_EDGE   0u      /* delivery mode fixed, edge, assert: all zero */

void irq_set_handler(unsigned vector, irq_handler_t h)
{
	if (vector >= VEC_EXCEPTIONS && vector < VEC_COUNT)
		handlers[vector] = h;
}

unsigned irq_alloc_vector(irq_handler_t h)
{
	unsigned vector = 0;
	uint64_t flags = spin_lock_irqsave(&vector_lock);

	for (unsigned i = 0; i < VEC_DYN_END - VEC_DYN_BASE; i++) {
		if (!dyn_used[i]) {
			dyn_used[i] = true;
			vector = VEC_DYN_BASE + i;
			handlers[vector] = h;
			break;
		}
	}
	spin_unlock_irqrestore(&vector_lock, flags);
	return vector;
}

void irq_free_vector(unsigned vector)
{
	if (vector < VEC_DYN_BASE || vector >= VEC_DYN_END)
		return;
	uint64_t flags = spin_lock_irqsave(&vector_lock);
	handlers[vector] = NULL;
	dyn_used[vector - VEC_DYN_BASE] = false;
	spin_unlock_irqrestore(&vector_lock, flags);
}

bool irq_msi_message(unsigned vector, uint64_t *address, uint32_t *data)
{
	uint32_t dest = lapic_id();

	if (vector < VEC_DYN_BASE || vector >= VEC_DYN_END || dest > MSI_DEST_MAX)
		return false;
	*address = MSI_ADDRESS_BASE | dest << MSI_DEST_SHIFT;
	*data = MSI_DATA_FIXED_EDGE | vector;
	return true;
}

/* Runs with interrupts off. Every vector but the spurious one was
 * delivered by the local APIC and holds its in-service bit until the EOI,
 * blocking its priority class: so the EOI goes out even when nobody
 * handled the interrupt. A spurious interrupt sets no in-service bit,
 * and an EOI for it would retire some other interrupt's. */
void irq_dispatch(struct trap_frame *tf)
{
	irq_handler_t h = handlers[tf->vector];

	if (h)
		h(tf);
	else
		klog(LOG_WARN, "irq: unexpected interrupt on vector %lu\n", tf->vector);
	if (tf->vector != VEC_SPURIOUS)
		lapic_eoi();
}

/* IO APIC registers are reached through a select/window pair, so every
 * change runs with interrupts off; callers may have them on. */
bool irq_route_isa(unsigned isa_irq, irq_handler_t h)
{
	struct isa_route r;
	unsigned vector = VEC_ISA_BASE + isa_irq;
	bool ok = false;

	if (isa_irq >= VEC_ISA_COUNT || !ioapic_isa_route(isa_irq, &r))
		return false;
	uint64_t flags = irq_save();
	if (ioapic_program(r.gsi, (uint8_t)vector, r.active_low, r.level)) {
		irq_set_handler(vector, h);
		ioapic_set_masked(r.gsi, false);
		ok = true;
	}
	irq_restore(flags);
	return ok;
}

void irq_unroute_isa(unsigned isa_irq)
{
	struct isa_route r;

	if (isa_irq >= VEC_ISA_COUNT || !ioapic_isa_route(isa_irq, &r))
		return;
	uint64_t flags = irq_save();
	ioapic_set_masked(r.gsi, true);
	irq_set_handler(VEC_ISA_BASE + isa_irq, NULL);
	irq_restore(flags);
}

/* The "apic:" banner line: mode, ID, CPUs, IO APICs and overrides. */
static void banner(const struct acpi_madt_info *madt)
{
	unsigned cpus = 0, overrides = madt ? madt->noverrides : 0;
	uint64_t address;
	uint32_t first, last;

	for (unsigned i = 0; madt && i < madt->ncpus; i++)
		cpus += madt->cpus[i].enabled;
	if (!ioapic_info(0, &address, &first, &last)) {
		klog(LOG_INFO, "apic: %s id %u, %u CPUs in MADT, no IO APIC, %u overrides\n",
		     lapic_is_x2apic() ? "x2APIC" : "xAPIC", lapic_id(), cpus, overrides);
		return;
	}
	klog(LOG_INFO, "apic: %s id %u, %u CPUs in MADT, IO APIC at %#lx GSIs %u-%u, %u overrides\n",
	     lapic_is_x2apic() ? "x2APIC" : "xAPIC", lapic_id(), cpus, address, first, last, overrides);
	for (unsigned i = 1; ioapic_info(i, &address, &first, &last); i++)
		klog(LOG_INFO, "apic: IO APIC at %#lx GSIs %u-%u\n", address, first, last);
}

void interrupts_init(void)
{
	const struct acpi_madt_info *madt = acpi_madt();

	pic_disable();
	if (!lapic_init(madt))
		return;
	irq_set_handler(VEC_APIC_ERROR, lapic_error_interrupt);
	irq_set_handler(VEC_SPURIOUS, lapic_spurious_interrupt);
	ioapic_init(madt, lapic_id());
	banner(madt);
}
