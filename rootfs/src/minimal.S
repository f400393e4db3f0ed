/* SPDX-License-Identifier: MIT */
/* The smallest user program: write one line and exit with raw syscalls, no libc, one R+X segment. */

/* Linux x86_64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
#define SYS_write	1
#define SYS_exit	60
#define STDOUT		1

	.section .rodata
msg:	.ascii "MINIMAL_TEST_PASS\n"
	.set msg_len, . - msg

	.text
	.globl _start
	.type _start, @function
/*
 * Entry from the kernel: no stack set-up is needed because nothing is
 * pushed, and no data is written, so the one segment can stay read-only.
 */
_start:
	mov	$SYS_write, %eax
	mov	$STDOUT, %edi
	lea	msg(%rip), %rsi
	mov	$msg_len, %edx
	syscall
	/* exit(0) only if the whole line was written, else exit(1). */
	xor	%edi, %edi
	cmp	$msg_len, %rax
	setne	%dil
	mov	$SYS_exit, %eax
	syscall
	/* exit returned: fault loudly (SIGILL) rather than run off the end. */
	ud2
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
