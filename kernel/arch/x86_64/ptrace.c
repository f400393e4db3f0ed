// SPDX-License-Identifier: MIT
/*
 * Kestrel x86_64: ptrace's view of a stopped thread (Linux's
 * arch/x86/kernel/ptrace.c): its user frame as struct user_regs_struct,
 * the register area of struct user, the FXSAVE image, the trap flag. A
 * tracer's values go through the rules rt_sigreturn applies (signal.c),
 * so the kernel's IRET and SYSRET see nothing a program could not give.
 */
#include "arch/x86_64/ptrace.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/signal.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/layout.h"

#define DEBUGREG_OFF 848 /* offsetof(struct user, u_debugreg) */
#define DEBUGREG_END (DEBUGREG_OFF + 8 * 8)

void arch_ptrace_get_regs(const struct trap_frame *tf, const struct arch_thread *a,
			  uint64_t orig_rax, struct user_regs_k *r)
{
	*r = (struct user_regs_k){
		.r15 = tf->r15, .r14 = tf->r14, .r13 = tf->r13, .r12 = tf->r12,
		.rbp = tf->rbp, .rbx = tf->rbx, .r11 = tf->r11, .r10 = tf->r10,
		.r9 = tf->r9, .r8 = tf->r8, .rax = tf->rax, .rcx = tf->rcx,
		.rdx = tf->rdx, .rsi = tf->rsi, .rdi = tf->rdi, .orig_rax = orig_rax,
		.rip = tf->rip, .cs = tf->cs, .eflags = tf->rflags, .rsp = tf->rsp,
		.ss = tf->ss, .fs_base = a->fs_base, .gs_base = a->gs_base,
		/* ds, es, fs, gs: 0, as a 64-bit Linux program has them */
	};
}

/* Linux's invalid_selector: a null selector or one with RPL 3. */
static bool selector_ok(uint64_t sel)
{
	return sel <= 0xffff && (sel == 0 || (sel & SEL_RPL3) == SEL_RPL3);
}

/* Everything Linux's putreg refuses with -EIO. */
static bool regs_ok(const struct user_regs_k *r)
{
	return (r->cs & SEL_RPL3) == SEL_RPL3 && (r->ss & SEL_RPL3) == SEL_RPL3 &&
	       r->cs <= 0xffff && r->ss <= 0xffff && selector_ok(r->ds) && selector_ok(r->es) &&
	       selector_ok(r->fs) && selector_ok(r->gs) && r->fs_base < USER_VA_END &&
	       r->gs_base < USER_VA_END;
}

int arch_ptrace_set_regs(struct trap_frame *tf, struct arch_thread *a, const struct user_regs_k *r,
			 uint64_t *orig_rax)
{
	if (!regs_ok(r))
		return -EIO;
	tf->r15 = r->r15; tf->r14 = r->r14; tf->r13 = r->r13; tf->r12 = r->r12;
	tf->rbp = r->rbp; tf->rbx = r->rbx; tf->r11 = r->r11; tf->r10 = r->r10;
	tf->r9 = r->r9; tf->r8 = r->r8; tf->rax = r->rax; tf->rcx = r->rcx;
	tf->rdx = r->rdx; tf->rsi = r->rsi; tf->rdi = r->rdi; tf->rsp = r->rsp;
	tf->rip = r->rip; /* a non-user RIP is SIGSEGV on the way out (signal_deliver) */
	tf->rflags = arch_rflags_from_user(tf->rflags, r->eflags);
	tf->cs = arch_selector_from_user(r->cs);
	tf->ss = arch_selector_from_user(r->ss);
	a->fs_base = r->fs_base; /* loaded when the thread is next switched to */
	a->gs_base = r->gs_base;
	*orig_rax = r->orig_rax;
	return 0;
}

int arch_ptrace_peek_user(const struct trap_frame *tf, const struct arch_thread *a,
			  uint64_t orig_rax, uint64_t off, uint64_t *val)
{
	struct user_regs_k r;

	if ((off & 7) || off >= ARCH_USER_AREA_SIZE)
		return -EIO;
	*val = 0;
	if (off >= DEBUGREG_OFF && off < DEBUGREG_END)
		*val = arch_debugreg_peek(&a->dbg, (off - DEBUGREG_OFF) / 8);
	if (off < sizeof(r)) {
		arch_ptrace_get_regs(tf, a, orig_rax, &r);
		memcpy(val, (const uint8_t *)&r + off, sizeof(*val));
	}
	return 0;
}

int arch_ptrace_poke_user(struct trap_frame *tf, struct arch_thread *a, uint64_t *orig_rax,
			  uint64_t off, uint64_t val)
{
	struct user_regs_k r;

	if ((off & 7) || off >= ARCH_USER_AREA_SIZE)
		return -EIO;
	if (off >= DEBUGREG_OFF && off < DEBUGREG_END)
		return arch_debugreg_poke(&a->dbg, (off - DEBUGREG_OFF) / 8, val);
	if (off >= sizeof(r))
		return 0;
	arch_ptrace_get_regs(tf, a, *orig_rax, &r);
	memcpy((uint8_t *)&r + off, &val, sizeof(val));
	return arch_ptrace_set_regs(tf, a, &r, orig_rax);
}

void arch_ptrace_get_fpregs(const struct arch_thread *a, void *out)
{
	memcpy(out, a->fpu, ARCH_USER_FPREGS_SIZE); /* saved when the thread switched away */
}

bool arch_ptrace_set_step(struct trap_frame *tf)
{
	bool was = tf->rflags & RFLAGS_TF;

	tf->rflags |= RFLAGS_TF;
	return !was;
}

void arch_ptrace_clear_step(struct trap_frame *tf)
{
	tf->rflags &= ~RFLAGS_TF;
}
