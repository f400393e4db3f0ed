/* SPDX-License-Identifier: MIT */
/* Assembler macros that fill and empty the general-register part of a struct trap_frame (one layout for every entry). */
#ifndef KESTREL_ARCH_FRAME_MACROS_H
#define KESTREL_ARCH_FRAME_MACROS_H
#ifdef __ASSEMBLER__

/* Push rax..r15: after this, RSP points at a struct trap_frame whose
 * vector, error and hardware part were pushed before. */
.macro PUSH_GPRS
	pushq	%rax			/* rax */
	pushq	%rbx			/* rbx */
	pushq	%rcx			/* rcx */
	pushq	%rdx			/* rdx */
	pushq	%rsi			/* rsi */
	pushq	%rdi			/* rdi */
	pushq	%rbp			/* rbp */
	pushq	%r8			/* r8 */
	pushq	%r9			/* r9 */
	pushq	%r10			/* r10 */
	pushq	%r11			/* r11 */
	pushq	%r12			/* r12 */
	pushq	%r13			/* r13 */
	pushq	%r14			/* r14 */
	pushq	%r15			/* r15 */
.endm

/* The reverse: RSP ends at the frame's vector field. */
.macro POP_GPRS
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
.endm

#endif
#endif
