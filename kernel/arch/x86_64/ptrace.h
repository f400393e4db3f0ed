/* SPDX-License-Identifier: MIT */
/* The x86_64 side of ptrace: struct user_regs_struct, the register area of struct user, the FPU image, the trap flag. */
#ifndef KESTREL_ARCH_PTRACE_H
#define KESTREL_ARCH_PTRACE_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/thread.h"
#include "arch/x86_64/trapframe.h"

/* Linux's struct user_regs_struct (sys/user.h), what PTRACE_GETREGS and
 * NT_PRSTATUS carry, in its order. */
struct user_regs_k {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi, orig_rax, rip, cs, eflags, rsp, ss;
	uint64_t fs_base, gs_base, ds, es, fs, gs;
};
_Static_assert(sizeof(struct user_regs_k) == 27 * 8, "user_regs_struct");

#define ARCH_USER_FPREGS_SIZE 512 /* struct user_fpregs_struct: the FXSAVE image */
#define ARCH_USER_AREA_SIZE   912 /* sizeof(struct user): PEEKUSER/POKEUSER offsets below it */

/* A stopped thread's registers (its user frame tf, its arch state a, the
 * system call number orig_rax or -1) as user_regs_struct. */
void arch_ptrace_get_regs(const struct trap_frame *tf, const struct arch_thread *a,
			  uint64_t orig_rax, struct user_regs_k *r);
/* Set them, as Linux's putreg: every value checked first (-EIO for a
 * selector without RPL 3 or a base outside user space, nothing changed),
 * then RFLAGS through arch_rflags_from_user and the selectors through
 * arch_selector_from_user, the same rules as rt_sigreturn, so no value
 * reaches IRET, SYSRET or an MSR unchecked. The new orig_rax into *orig_rax. */
int arch_ptrace_set_regs(struct trap_frame *tf, struct arch_thread *a, const struct user_regs_k *r,
			 uint64_t *orig_rax);
/* PTRACE_PEEKUSER/POKEUSER at byte offset off of struct user: a register
 * below sizeof(user_regs_struct), a debug register in u_debugreg
 * (debugreg.h: its errors), 0 elsewhere (writes there ignored). -EIO for
 * a misaligned or too large offset. */
int arch_ptrace_peek_user(const struct trap_frame *tf, const struct arch_thread *a,
			  uint64_t orig_rax, uint64_t off, uint64_t *val);
int arch_ptrace_poke_user(struct trap_frame *tf, struct arch_thread *a, uint64_t *orig_rax,
			  uint64_t off, uint64_t val);
/* The FXSAVE image of a stopped thread's FPU state (ARCH_USER_FPREGS_SIZE bytes). */
void arch_ptrace_get_fpregs(const struct arch_thread *a, void *out);
/* PTRACE_SINGLESTEP: set the trap flag in the frame; false if it was set
 * already (the program's own, which resuming must then leave alone). */
bool arch_ptrace_set_step(struct trap_frame *tf);
void arch_ptrace_clear_step(struct trap_frame *tf);

#endif
