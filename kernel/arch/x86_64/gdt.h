/* SPDX-License-Identifier: MIT */
/* The GDT, TSS and the segment selectors, in the order SYSCALL/SYSRET needs. */
#ifndef KESTREL_ARCH_GDT_H
#define KESTREL_ARCH_GDT_H

/*
 * SYSCALL loads CS = STAR[47:32] and SS = STAR[47:32] + 8; 64-bit SYSRET
 * loads SS = STAR[63:48] + 8 and CS = STAR[63:48] + 16 (both with RPL 3).
 * Hence kernel code, kernel data, then user data *before* user code.
 */
#define GDT_NULL        0x00
#define KERNEL_CS       0x08
#define KERNEL_DS       0x10
#define USER_DS_BASE    0x18
#define USER_CS_BASE    0x20
#define TSS_SEL         0x28  /* a 16-byte system descriptor: two slots */
#define SEL_RPL3        3
#define USER_DS         (USER_DS_BASE | SEL_RPL3)
#define USER_CS         (USER_CS_BASE | SEL_RPL3)

/* Interrupt stack table slots (1-based, as the IDT gate field wants). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MACHINE_CHECK 3

#ifndef __ASSEMBLER__
#include <stdint.h>
void gdt_init(void);
/* The stack the CPU switches to on an interrupt from ring 3 (TSS.RSP0). */
void gdt_set_kernel_stack(uint64_t top);
#endif

#endif
