/* SPDX-License-Identifier: MIT */
/* The IDT and the C side of every trap. */
#ifndef KESTREL_ARCH_IDT_H
#define KESTREL_ARCH_IDT_H

#include "arch/x86_64/trapframe.h"

#define VEC_DIVIDE        0
#define VEC_DEBUG         1
#define VEC_NMI           2
#define VEC_BREAKPOINT    3
#define VEC_OVERFLOW      4
#define VEC_INVALID_OP    6
#define VEC_DOUBLE_FAULT  8
#define VEC_SEG_NP        11
#define VEC_STACK         12
#define VEC_GP            13
#define VEC_PAGE_FAULT    14
#define VEC_X87_FP        16
#define VEC_ALIGNMENT     17
#define VEC_MACHINE_CHECK 18
#define VEC_SIMD_FP       19
#define VEC_INT80         0x80 /* system calls by int $0x80 (the 64-bit table) */
#define VEC_EXCEPTIONS    32   /* 0..31 are CPU exceptions */
#define VEC_COUNT         256

void idt_init(void);
/* Load the IDT idt_init filled on another CPU (one IDT for all). */
void idt_load(void);
/* Called by isr_common with interrupts off and a complete frame; returns
 * the frame to leave with (tf, except after a faulting IRET to ring 3). */
struct trap_frame *trap_dispatch(struct trap_frame *tf);
/* The NMI (nmi_common): count it; reads no GS, takes no lock. */
void trap_nmi(struct trap_frame *tf);

#endif
