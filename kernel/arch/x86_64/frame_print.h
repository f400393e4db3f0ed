/* SPDX-License-Identifier: MIT */
/* A trap frame's registers in a panic report (trap.c's fatal exceptions, smp.c's stopped CPUs). */
#ifndef KESTREL_ARCH_FRAME_PRINT_H
#define KESTREL_ARCH_FRAME_PRINT_H

struct trap_frame;

/* Print tf's registers with panic_printf: RIP, CS, RFLAGS, RSP, SS and
 * the general registers, one report line per three. */
void trap_print_regs(const struct trap_frame *tf);

#endif
