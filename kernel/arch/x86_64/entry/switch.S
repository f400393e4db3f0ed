/* SPDX-License-Identifier: MIT */
/*
 * Kestrel x86_64: switching kernel stacks between threads.
 *
 * arch_switch(uint64_t *save_rsp = rdi, uint64_t new_rsp = rsi)
 * saves the callee-saved registers on the current stack, stores RSP in
 * *save_rsp, loads new_rsp and pops the other thread's registers: the
 * push order below is struct switch_frame in thread.c, which lays out a
 * new thread's stack to match (change both together). The
 * caller-saved ones are already saved by the C caller; RFLAGS.IF is the
 * scheduler's business (it runs with interrupts off).
 */
#define RFLAGS_FIXED 0x2	/* bit 1 reads as 1; IF, DF, AC, NT, TF all clear */

/* A new thread starts from a clean RFLAGS, not from whatever the thread
 * that switched to it had (an NT or AC left by a user, say): only the
 * fixed bit, interrupts off until sched_tail turns them on. */
.macro CLEAN_RFLAGS
	pushq	$RFLAGS_FIXED
	popfq
.endm

	.text
	.globl arch_switch, thread_entry_kernel, thread_entry_user
arch_switch:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	mov	%rsp, (%rdi)
	mov	%rsi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret

/* First run of a kernel thread: r12 = function, r13 = argument. */
thread_entry_kernel:
	CLEAN_RFLAGS
	call	sched_tail		/* finish the switch (interrupts on) */
	mov	%r13, %rdi
	call	*%r12
	call	thread_exit		/* does not return */
	ud2

/* First run of a user thread: the stack holds a struct trap_frame built
 * by the creator; leave through the common interrupt return (IRET). */
thread_entry_user:
	CLEAN_RFLAGS
	call	sched_tail_user		/* gives up the kernel lock; interrupts stay off */
	jmp	trap_return

	.section .note.GNU-stack, "", @progbits
