// SPDX-License-Identifier: MIT
/*
 * Kestrel x86_64: a trap frame's registers as a panic report prints them.
 * Its own file, below trap.c and smp.c, which both print frames: it
 * calls the panic path alone, so neither of them calls the other for it.
 */
#include "arch/x86_64/frame_print.h"
#include "arch/x86_64/trapframe.h"
#include "panic.h"

void trap_print_regs(const struct trap_frame *tf)
{
	panic_printf("RIP %016lx  CS %04lx  RFLAGS %016lx\n", tf->rip, tf->cs, tf->rflags);
	panic_printf("RSP %016lx  SS %04lx\n", tf->rsp, tf->ss);
	panic_printf("RAX %016lx  RBX %016lx  RCX %016lx\n", tf->rax, tf->rbx, tf->rcx);
	panic_printf("RDX %016lx  RSI %016lx  RDI %016lx\n", tf->rdx, tf->rsi, tf->rdi);
	panic_printf("RBP %016lx  R8  %016lx  R9  %016lx\n", tf->rbp, tf->r8, tf->r9);
	panic_printf("R10 %016lx  R11 %016lx  R12 %016lx\n", tf->r10, tf->r11, tf->r12);
	panic_printf("R13 %016lx  R14 %016lx  R15 %016lx\n", tf->r13, tf->r14, tf->r15);
}
