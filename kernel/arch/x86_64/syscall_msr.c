// SPDX-License-Identifier: MIT
/*
 * Kestrel x86_64: the SYSCALL MSRs. STAR holds the selector bases
 * SYSCALL and SYSRET load (gdt.h explains the GDT order this needs),
 * LSTAR the 64-bit entry point, FMASK the RFLAGS bits cleared on entry.
 */
#include "arch/x86_64/syscall_msr.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"

#define MSR_STAR   0xc0000081u
#define MSR_LSTAR  0xc0000082u
#define MSR_FMASK  0xc0000084u
#define STAR_SYSCALL_SHIFT 32  /* SYSCALL: CS = this, SS = this + 8 */
#define STAR_SYSRET_SHIFT  48  /* SYSRET: SS = this + 8, CS = this + 16 */
/* Cleared on entry: no interrupt before the stack switch, no single-step
 * trap or string direction from the user, no AC window open, and no NT
 * (our IRET would #GP with it). */
#define SYSCALL_RFLAGS_MASK (RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT)

void syscall_entry(void); /* entry/syscall.S */

void arch_syscall_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, ((uint64_t)KERNEL_CS << STAR_SYSCALL_SHIFT) |
			((uint64_t)(USER_DS_BASE - 8) << STAR_SYSRET_SHIFT));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, SYSCALL_RFLAGS_MASK);
}
