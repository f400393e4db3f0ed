/* SPDX-License-Identifier: MIT */
/*
 * Kestrel x86_64: the SYSCALL entry.
 *
 * SYSCALL leaves the user RIP in RCX and RFLAGS in R11, loads the kernel
 * CS/SS from STAR, masks RFLAGS with FMASK (IF, TF, DF, AC cleared) and
 * does not touch RSP or GS. So: swapgs first (before anything could use
 * GS), park the user RSP in the per-CPU block, switch to this thread's
 * kernel stack, and build the same struct trap_frame an interrupt
 * builds. syscall_dispatch() returns whether SYSRET is safe; otherwise
 * we leave through the common IRET path.
 */
#include "arch/x86_64/trapframe.h"
#include "arch/x86_64/gdt.h"

#define PERCPU_KERNEL_RSP 8
#define PERCPU_USER_RSP   16
#define VEC_SYSCALL       0x100   /* not an IDT vector: marks a SYSCALL frame */

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
	pushq	%rax			/* rax: the syscall number, then the result */
	pushq	%rbx			/* rbx */
	pushq	%rcx			/* rcx */
	pushq	%rdx			/* rdx: arg 3 */
	pushq	%rsi			/* rsi: arg 2 */
	pushq	%rdi			/* rdi: arg 1 */
	pushq	%rbp			/* rbp */
	pushq	%r8			/* r8: arg 5 */
	pushq	%r9			/* r9: arg 6 */
	pushq	%r10			/* r10: arg 4 */
	pushq	%r11			/* r11 */
	pushq	%r12			/* r12 */
	pushq	%r13			/* r13 */
	pushq	%r14			/* r14 */
	pushq	%r15			/* r15 */
	cld
	mov	%rsp, %rdi		/* struct trap_frame * */
	call	syscall_dispatch	/* interrupts on inside; returns off */
	test	%eax, %eax
	jz	trap_return		/* not SYSRET-safe: IRET (it swaps GS back) */
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11			/* == frame rflags (checked) */
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx			/* == frame rip (checked) */
	popq	%rbx
	popq	%rax
	mov	(TF_RSP - TF_VECTOR)(%rsp), %rsp	/* the user stack */
	swapgs				/* GS base: back to the user's */
	sysretq

	.section .note.GNU-stack, "", @progbits
