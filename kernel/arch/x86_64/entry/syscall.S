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
 * builds. syscall_dispatch() returns whether SYSRET is safe; otherwise
 * we leave through the common IRET path.
 */
#include "arch/x86_64/trapframe.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/frame_macros.h"
#include "arch/x86_64/percpu.h"


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
	call	syscall_dispatch	/* interrupts on inside; returns off */
	test	%eax, %eax
	jz	trap_return		/* not SYSRET-safe: IRET (it swaps GS back) */
	POP_GPRS			/* rcx == frame rip, r11 == frame rflags (checked) */
	mov	(TF_RSP - TF_VECTOR)(%rsp), %rsp	/* the user stack */
	swapgs				/* GS base: back to the user's */
	sysretq

	.section .note.GNU-stack, "", @progbits
