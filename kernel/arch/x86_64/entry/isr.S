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
 *     SYSRET, so its path never touches GS (nmi_common);
 *   - so can a #DB in ring 0 (debug_common): a user watchpoint hit by a
 *     MOV SS or POP SS is held back past the next instruction, and when
 *     that is SYSCALL, INT or INT3 the #DB arrives at the first
 *     instruction of the entry, before its swapgs (CVE-2018-8897).
 * On every entry RFLAGS.AC is cleared (clac, where SMAP is on): the
 * interrupted code's AC, a user's or a user-copy window's, must not
 * switch SMAP off in the handler; IRET restores it.
 */
#include "arch/x86_64/trapframe.h"
#include "arch/x86_64/frame_macros.h"
#include "arch/x86_64/percpu.h"

#define VEC_DEBUG 1
#define VEC_NMI 2
#define DR6_RESERVED 0xffff0ff0	/* debugreg.h: DR6 with no condition recorded */
#define DR6_BS 0x4000		/* debugreg.h's DR6_STEP: a single step */
#define RFLAGS_TF 0x100
#define HW_FRAME_WORDS 7	/* vector, error, rip, cs, rflags, rsp, ss */

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
	.elseif vec == VEC_DEBUG
	jmp	debug_common
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

/* #DB, on its own IST stack (idt.c). From ring 0 it is a user breakpoint
 * the kernel's own access hit (a data watchpoint in a user copy) or one a
 * MOV SS held back to an entry's first instruction, where GS and even RSP
 * may still be the user's: nothing here reads GS or calls C; DR6 is
 * cleared (the CPU never clears it) and the interrupted code goes on
 * (data breakpoints are traps: the access is done; no instruction
 * breakpoint can be on a kernel address, debugreg.c refuses them); a
 * single step in ring 0 (none is ever asked for) clears TF. Linux
 * records such a hit in the tracee's virtual DR6; Kestrel forgets it.
 * From ring 3 the frame moves to the thread's kernel stack, where the CPU
 * would have put it without IST, and isr_common takes it as any other
 * exception: C code may sleep there, which it must not on a per-CPU
 * stack. */
debug_common:
	testb	$3, 24(%rsp)		/* the interrupted CS (above vector, error, rip) */
	jnz	4f
	pushq	%rax			/* ring 0: the interrupted code's */
	mov	%dr6, %rax
	testl	$DR6_BS, %eax
	jz	5f
	andq	$~RFLAGS_TF, 40(%rsp)	/* the kernel never steps itself: stop (Linux clears TF too) */
5:	movl	$DR6_RESERVED, %eax
	mov	%rax, %dr6
	popq	%rax
	add	$16, %rsp		/* drop vector and error */
	iretq
4:	pushq	%rax			/* ring 3: two scratch registers, */
	pushq	%rcx			/* copied with the frame */
	swapgs				/* GS is the user's: read the kernel stack's top */
	mov	%gs:PERCPU_KERNEL_RSP, %rax
	swapgs				/* and give it back: isr_common swaps as from ring 3 */
	sub	$(8 * (HW_FRAME_WORDS + 2)), %rax
	.set i, 0
	.rept HW_FRAME_WORDS + 2	/* rcx, rax, then the frame, in the same order */
	mov	i(%rsp), %rcx
	mov	%rcx, i(%rax)
	.set i, i + 8
	.endr
	mov	%rax, %rsp		/* off the IST stack */
	popq	%rcx
	popq	%rax
	jmp	isr_common

	.section .note.GNU-stack, "", @progbits
