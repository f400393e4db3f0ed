/* SPDX-License-Identifier: MIT */
/*
 * Kestrel x86_64: the SYSCALL entry.
 *
 * SYSCALL leaves the user RIP in RCX and RFLAGS in R11, loads the kernel
 * CS/SS from STAR, masks RFLAGS with FMASK (IF, TF, DF, AC and NT
 * cleared: the user may set NT with popf, and the kernel's own IRET would
 * #GP with it) and does not touch RSP or GS. So: swapgs first (before anything could use
 * GS), park the user RSP in the per-CPU block, switch to this thread's
 * kernel stack, and build the same struct trap_frame an interrupt
 * builds. The call's number picks its C part: syscall_dispatch_free for
 * one that runs without the kernel lock (sys/syscall.c's
 * syscall_lock_free), syscall_dispatch for the rest; each returns
 * whether SYSRET is safe; otherwise we leave through the common IRET
 * path.
 */
#include "arch/x86_64/trapframe.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/frame_macros.h"
#include "arch/x86_64/percpu.h"
#include "sys/syscall.h"

/* Back to user mode from a call's C part, which returned whether SYSRET
 * is safe in %eax. */
.macro SYSCALL_LEAVE
	test	%eax, %eax
	jz	trap_return		/* not SYSRET-safe: IRET (it swaps GS back) */
	POP_GPRS			/* rcx == frame rip, r11 == frame rflags (checked) */
	mov	(TF_RSP - TF_VECTOR)(%rsp), %rsp	/* the user stack */
	swapgs				/* GS base: back to the user's */
	sysretq
.endm


	.text
	.globl syscall_entry
syscall_entry:
	swapgs				/* GS base: user's -> this CPU's block */
	mov	%rsp, %gs:PERCPU_USER_RSP
	mov	%gs:PERCPU_KERNEL_RSP, %rsp
	pushq	$USER_DS		/* ss */
	pushq	%gs:PERCPU_USER_RSP	/* rsp */
	pushq	%r11			/* rflags */
	pushq	$USER_CS		/* cs */
	pushq	%rcx			/* rip */
	pushq	$0			/* error */
	pushq	$VEC_SYSCALL		/* vector */
	PUSH_GPRS			/* rax holds the number, then the result;
				   rdi, rsi, rdx, r10, r8, r9 the arguments */
	mov	%rsp, %rdi		/* struct trap_frame * (DF is clear: FMASK has it) */
	and	$(SYSCALL_LOCK_FREE_SLOTS - 1), %eax	/* the number's slot (the frame keeps rax) */
	cmpb	$0, syscall_lock_free(%rax)
	jne	1f
	call	syscall_dispatch	/* interrupts on inside; returns off */
	SYSCALL_LEAVE
1:	call	syscall_dispatch_free	/* the same, without the kernel lock */
	SYSCALL_LEAVE

	.section .note.GNU-stack, "", @progbits
