/* SPDX-License-Identifier: MIT */
/* The interrupt vector map, drawn once: what each IDT vector is for. */
#ifndef KESTREL_ARCH_VECTORS_H
#define KESTREL_ARCH_VECTORS_H

/*
 * Vector map:
 *   0-31     CPU exceptions
 *   32-47    legacy ISA IRQ n at VEC_ISA_BASE + n (routed through the IO APIC)
 *   48-239   VEC_DYN_BASE..VEC_DYN_END-1: handed out by irq_alloc_vector
 *            (MSI and MSI-X, and later devices)
 *   240      VEC_APIC_TIMER: the local APIC timer (scheduler tick)
 *   241      VEC_IPI_RESCHED: another CPU made a thread runnable (smp.h)
 *   242      VEC_IPI_TLB: another CPU asks for a TLB flush (tlb.h)
 *   254      VEC_APIC_ERROR
 *   255      VEC_SPURIOUS: the local APIC spurious vector (no EOI)
 */
#define VEC_ISA_BASE   32
#define VEC_ISA_COUNT  16
#define VEC_DYN_BASE   (VEC_ISA_BASE + VEC_ISA_COUNT)
#define VEC_DYN_END    VEC_APIC_TIMER
#define VEC_APIC_TIMER 240
#define VEC_IPI_RESCHED 241
#define VEC_IPI_TLB    242
#define VEC_APIC_ERROR 254
#define VEC_SPURIOUS   255

#endif
