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

/* Called by trap_dispatch for vectors >= 32. Counts the interrupt on
 * this CPU (irq_count) before the handler runs. */
void irq_dispatch(struct trap_frame *tf);

/* ---- Counts and sources, for /proc/interrupts and /proc/stat ---- */

/* CPUs counted: smp.h's SMP_MAX_CPUS (smp.c sits above this file, so the
 * number is repeated; fs/procfs_cpus.c checks the two agree). */
#define IRQ_MAX_CPUS 64

/* Name the MSI or MSI-X vector's source: name (a string that outlives
 * the vector, e.g. the PCI driver's) and the requester's PCI segment,
 * bus and devfn (Linux shows them as its hwirq). A vector outside the
 * MSI range is ignored; irq_free_vector forgets the name. */
void irq_set_msi_name(unsigned vector, const char *name, uint16_t segment, uint8_t bus,
		      uint8_t devfn);

/* Interrupts online CPU cpu has taken on vector since boot (32-bit, as
 * Linux's, wrapping). Each CPU counts its own without a lock; a reader
 * on another CPU may see a count a moment old. 0 for a bad cpu or vector. */
uint32_t irq_count(unsigned cpu, unsigned vector);

/* The per-CPU counts of Linux's named lines (arch_show_interrupts). */
enum irq_stat {
	IRQ_STAT_NMI,       /* NMI: non-maskable interrupts */
	IRQ_STAT_TIMER,     /* LOC: the local APIC timer */
	IRQ_STAT_SPURIOUS,  /* SPU: the APIC's spurious vector */
	IRQ_STAT_RESCHED,   /* RES: reschedule IPIs */
	IRQ_STAT_TLB,       /* TLB: TLB shootdown IPIs */
	IRQ_STAT_ERROR,     /* ERR (summed over the CPUs): APIC error interrupts */
	IRQ_STAT_COUNT
};
uint32_t irq_stat_count(unsigned cpu, enum irq_stat stat);
/* Every interrupt cpu has taken (all vectors and NMIs): /proc/stat's total. */
uint64_t irq_cpu_total(unsigned cpu);

/* For trap_nmi: count an NMI on CPU cpu (the caller finds it without
 * GS: an NMI may come with the user's GS base loaded). */
void irq_count_nmi(unsigned cpu);

/* One device interrupt as Linux's /proc/interrupts lists it. */
struct irq_source {
	unsigned vector;
	unsigned irq;        /* Linux's IRQ number: the ISA IRQ; MSIs after the IO APICs' GSIs */
	const char *chip;    /* "IO-APIC" or "PCI-MSI" */
	uint64_t hwirq;      /* the IO APIC pin, or Linux's MSI hwirq */
	bool level;          /* level-triggered ("fasteoi"), else "edge" */
	const char *name;    /* the driver's name; NULL when unnamed */
};

/* The next device vector in use (an ISA IRQ routed or ever taken, an
 * MSI vector allocated) at or after *cursor (start at 0), in vector (so
 * IRQ) order; advances *cursor past it. False after the last. Any
 * context; what it reads may change under it (a snapshot, as Linux's). */
bool irq_next_source(unsigned *cursor, struct irq_source *out);

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
