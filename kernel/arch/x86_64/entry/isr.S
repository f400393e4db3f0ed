/* SPDX-License-Identifier: MIT */
/*
 * Kestrel x86_64: interrupt and exception entry stubs.
 *
 * One stub per vector (256 of them, 16 bytes apart) pushes a zero error
 * code where the CPU pushes none, then the vector number, and jumps to
 * isr_common (the NMI to nmi_common), which completes a struct
 * trap_frame and calls trap_dispatch(frame). Every push below names the
 * trap_frame field it fills.
 *
 * The GS discipline (swapgs). In the kernel GS_BASE is this CPU's block
 * and KERNEL_GS_BASE holds the user's GS base; in ring 3 they are the
 * other way round. swapgs exchanges them, exactly once on each crossing:
 *   - entry from ring 3 (the frame's CS has RPL 3): swapgs in isr_common,
 *     or first thing in syscall_entry;
 *   - exit to ring 3: swapgs just before IRET (trap_return) or SYSRET;
 *   - entry from ring 0: no swap, GS is already the kernel's,
 *     with one exception: the IRET to ring 3 in trap_return (at
 *     trap_iret_user) runs after its swapgs, so a fault raised by that
 *     IRET itself (#GP, #NP, #SS: a bad selector or, on hardware, a
 *     non-canonical RIP in the frame) arrives in ring 0 with the user's
 *     GS base. isr_common recognises that RIP and swaps; trap_dispatch
 *     then turns the fault into a signal for the process (bad_iret in
 *     trap.c) and returns the frame to resume with.
 *   - the NMI can arrive anywhere, also between a swapgs and its IRET or
 *     SYSRET, so its path never touches GS (nmi_common).
 * On every entry RFLAGS.AC is cleared (clac, where SMAP is on): the
 * interrupted code's AC, a user's or a user-copy window's, must not
 * switch SMAP off in the handler; IRET restores it.
 */
#include "arch/x86_64/trapframe.h"
#include "arch/x86_64/frame_macros.h"

#define VEC_NMI 2

/* clac when SMAP is on (clac itself is #UD on CPUs without SMAP).
 * Clobbers the arithmetic flags only. */
.macro CLAC_IF_SMAP
	cmpb	$0, cpu_smap_enabled(%rip)
	je	97f
	clac
97:
.endm

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
	.if vec == VEC_NMI
	jmp	nmi_common
	.else
	jmp	isr_common
	.endif
	.set vec, vec + 1
	.endr

isr_common:
	PUSH_GPRS			/* touches no GS: the swap can wait */
	CLAC_IF_SMAP
	testb	$3, TF_CS(%rsp)
	jnz	1f			/* from ring 3: GS base is the user's */
	leaq	trap_iret_user(%rip), %rax
	cmpq	%rax, TF_RIP(%rsp)
	jne	2f			/* from ring 0: GS base is the kernel's */
1:	swapgs				/* user's -> this CPU's block, exactly once */
2:	cld				/* the C ABI wants DF clear */
	mov	%rsp, %rdi		/* struct trap_frame * */
	call	trap_dispatch		/* returns the frame to leave with */
	mov	%rax, %rsp		/* tf, or the user frame after a faulting IRET */
	.globl trap_return
/* Restore a struct trap_frame at RSP and leave by IRET: the exit of every
 * interrupt, and the first entry of every user thread and exec. */
trap_return:
	POP_GPRS
	add	$16, %rsp		/* drop vector and error: RSP at the hardware frame */
	testb	$3, 8(%rsp)		/* the CS we return to */
	jz	3f
	swapgs				/* back to the user's GS base */
	.globl trap_iret_user
trap_iret_user:				/* a fault here is the user's: see above */
	iretq
3:	iretq

/* The NMI, on its own IST stack: it may interrupt any instruction of the
 * kernel, even with the user's GS base loaded, so nothing here or in
 * trap_nmi() reads GS. It counts the NMI and goes back; the report is
 * logged later from an ordinary interrupt (trap.c). */
nmi_common:
	PUSH_GPRS
	CLAC_IF_SMAP
	cld
	mov	%rsp, %rdi		/* struct trap_frame * */
	call	trap_nmi
	POP_GPRS
	add	$16, %rsp		/* drop vector and error */
	iretq

	.section .note.GNU-stack, "", @progbits
