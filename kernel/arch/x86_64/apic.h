/* SPDX-License-Identifier: MIT */
/* The boot CPU's local APIC (x2APIC through MSRs when the CPU has it, else xAPIC through MMIO): enable, EOI, ID, timer. */
#ifndef KESTREL_ARCH_APIC_H
#define KESTREL_ARCH_APIC_H

#include <stdbool.h>
#include <stdint.h>
#include "firmware/acpi_tables.h"

/* The timer counts its input clock divided by this (set once at init). */
#define LAPIC_TIMER_DIVIDER 16

/*
 * Bring up this CPU's local APIC: x2APIC mode if CPUID offers it, else
 * xAPIC at the MADT's address (madt may be NULL: the IA32_APIC_BASE
 * address is used). Software-enables it with VEC_SPURIOUS (the caller,
 * interrupts_init, installs the two handlers below), masks the timer and
 * LINT0 (the 8259s are not used), wires LINT0/1 to NMI as the MADT's NMI
 * entries say, and acknowledges anything the firmware left in service.
 * Interrupts must be off. Returns false (logged) if there is no APIC.
 */
bool lapic_init(const struct acpi_madt_info *madt);
/* The handlers of VEC_APIC_ERROR (logs the ESR) and VEC_SPURIOUS (counts it). */
struct trap_frame;
void lapic_error_interrupt(struct trap_frame *tf);
void lapic_spurious_interrupt(struct trap_frame *tf);

bool lapic_ready(void);
bool lapic_is_x2apic(void);
/* This CPU's APIC ID (32-bit in x2APIC mode, 8-bit in xAPIC mode). */
uint32_t lapic_id(void);
/* End of interrupt for the vector in service; a no-op before lapic_init. */
void lapic_eoi(void);

/* Timer. The LVT is programmed with VEC_APIC_TIMER; "masked" runs count
 * down without raising it (for calibration). */
void lapic_timer_free_run(void);          /* one-shot from the maximum count, masked */
uint32_t lapic_timer_count(void);         /* the current count (counts down) */
void lapic_timer_periodic(uint32_t initial_count); /* unmasked, reload every initial_count */
void lapic_timer_stop(void);

#endif
