/* SPDX-License-Identifier: MIT */
/* Each CPU's local APIC (x2APIC through MSRs when the CPU has it, else xAPIC through MMIO): enable, EOI, ID, timer. */
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
/* The handlers of VEC_APIC_ERROR (records the ESR for lapic_report_errors)
 * and VEC_SPURIOUS (counts it). */
struct trap_frame;
void lapic_error_interrupt(struct trap_frame *tf);
void lapic_spurious_interrupt(struct trap_frame *tf);
/* Log the error interrupts recorded since the last call, if any (one
 * load when none). Under the kernel lock: trap.c, after each interrupt. */
void lapic_report_errors(void);

/* On another CPU, after lapic_init on the boot CPU: enable and program
 * this CPU's APIC the same way, in the boot CPU's mode. False when it
 * cannot (no APIC set up, or this CPU's xAPIC page is elsewhere).
 * Interrupts off; logs nothing. */
bool lapic_init_ap(void);

/* Interprocessor interrupts to one APIC ID (physical destination), any
 * context: false when the APIC is not set up, the ID does not fit xAPIC
 * (255 or over: 255 is its broadcast) or an xAPIC never took the command.
 * x2APIC: one write of the 64-bit ICR, the full 32-bit ID. */
bool lapic_send_ipi(uint32_t dest, unsigned vector); /* fixed delivery */
bool lapic_send_nmi(uint32_t dest);
bool lapic_send_init(uint32_t dest);                 /* INIT, as to start a CPU */
bool lapic_send_sipi(uint32_t dest, uint32_t page);  /* start-up at page << 12 */

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
