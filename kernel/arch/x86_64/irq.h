/* SPDX-License-Identifier: MIT */
/* Device interrupts: vector numbers, handler registration, routing of legacy (ISA) IRQs, end of interrupt. */
#ifndef KESTREL_ARCH_IRQ_H
#define KESTREL_ARCH_IRQ_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trapframe.h"
#include "arch/x86_64/vectors.h" /* the vector map */

typedef void (*irq_handler_t)(struct trap_frame *tf);

/* Install the handler for a vector (>= 32). Interrupts must be off or the
 * vector masked. The dispatcher sends the EOI after the handler returns,
 * except for VEC_SPURIOUS. */
void irq_set_handler(unsigned vector, irq_handler_t h);

/* Route legacy ISA IRQ isa_irq (0-15) to VEC_ISA_BASE + isa_irq on the
 * boot CPU through the IO APIC, honouring the MADT's interrupt source
 * overrides (e.g. the PIT's IRQ 0 arriving on GSI 2), install h, and
 * unmask it. Returns false if no IO APIC covers it (or its identity GSI
 * was taken by another IRQ's override). Needs interrupts_init; may be
 * called with interrupts on. */
bool irq_route_isa(unsigned isa_irq, irq_handler_t h);
/* Undo irq_route_isa: mask the IRQ's GSI and drop its handler. */
void irq_unroute_isa(unsigned isa_irq);

/* A free vector from VEC_DYN_BASE..VEC_DYN_END-1 with h installed, for
 * an MSI or MSI-X source; 0 when all are taken. irq_free_vector drops
 * the handler and returns the vector (the source must be masked or off
 * first). Both may be called with interrupts on; vector_lock inside. */
unsigned irq_alloc_vector(irq_handler_t h);
void irq_free_vector(unsigned vector);

/* The MSI message (Intel SDM vol. 3, 11.11) that delivers vector, fixed
 * and edge-triggered, to the boot CPU in physical destination mode; false
 * if the vector is not a dynamic one or the boot CPU's APIC ID does not
 * fit the 8-bit destination field (x2APIC IDs above 255 need interrupt
 * remapping, which Kestrel does not do). */
bool irq_msi_message(unsigned vector, uint64_t *address, uint32_t *data);

/* Called by trap_dispatch for vectors >= 32. */
void irq_dispatch(struct trap_frame *tf);

/* Retire the 8259s, bring up the boot CPU's local APIC and every IO
 * APIC (all inputs masked), and log the "apic:" line. Needs the parsed
 * MADT (acpi_init) and mmio_map; interrupts must be off. */
void interrupts_init(void);

/* True if this CPU accepts maskable interrupts (RFLAGS.IF). */
static inline bool interrupts_enabled(void)
{
	uint64_t flags;
	__asm__ volatile("pushfq; popq %0" : "=r"(flags));
	return flags & RFLAGS_IF;
}

#endif
