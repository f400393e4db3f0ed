/* SPDX-License-Identifier: MIT */
/*
 * Kestrel x86_64: interrupt and exception entry stubs.
 *
 * One stub per vector (256 of them, 16 bytes apart) pushes a zero error
 * code where the CPU pushes none, then the vector number, and jumps to
 * isr_common, which completes a struct trap_frame and calls
 * trap_dispatch(frame). Every push below names the trap_frame field it
 * fills.
 */
#include "arch/x86_64/trapframe.h"
#include "arch/x86_64/frame_macros.h"


	.text
	.balign 16
	.globl isr_stubs
isr_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if !((vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30))
	pushq	$0			/* error */
	.endif
	pushq	$vec			/* vector */
	jmp	isr_common
	.set vec, vec + 1
	.endr

isr_common:
	/* From ring 3 the GS base is the user's: swap exactly once, before
	 * anything could touch GS. From ring 0 it is already the kernel's. */
	testb	$3, (TF_CS - TF_VECTOR)(%rsp)
	jz	1f
	swapgs
1:	PUSH_GPRS
	cld				/* the C ABI wants DF clear */
	mov	%rsp, %rdi		/* struct trap_frame * */
	call	trap_dispatch
	.globl trap_return
/* Restore a struct trap_frame at RSP and leave by IRET: the exit of every
 * interrupt, and the first entry of every user thread and exec. */
trap_return:
	POP_GPRS
	testb	$3, (TF_CS - TF_VECTOR)(%rsp)	/* rsp is at vector again */
	jz	2f
	swapgs				/* back to the user's GS base */
2:	add	$16, %rsp		/* drop vector and error */
	iretq

	.section .note.GNU-stack, "", @progbits
