/* SPDX-License-Identifier: MIT */
/*
 * Kestrel x86_64: the kernel's first instruction.
 *
 * The loader arrives here with interrupts off, on its page tables and
 * boot stack, RDI = struct kbi_boot_info * (direct-map address). Move to
 * the kernel's own stack (in the image, with an unmapped guard page
 * below it, see kernel.ld) and call kmain(boot_info).
 */
	.text
	.globl _start
_start:
	cli
	lea	boot_stack_top(%rip), %rsp
	xor	%ebp, %ebp		/* end of the frame-pointer chain */
	pushq	$0			/* no return address: backtraces stop */
	call	kmain			/* rdi still holds the boot info */
1:	cli
	hlt
	jmp	1b

	.section .note.GNU-stack, "", @progbits
