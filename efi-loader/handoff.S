/* SPDX-License-Identifier: MIT */
/*
 * Kestrel EFI loader: the last instructions before the kernel.
 *
 * handoff(cr3 = rdi, entry = rsi, boot_info = rdx, stack_top = rcx)
 *
 * This code is copied into a page that is identity-mapped in both the
 * firmware's tables and the kernel's, so the instruction after the CR3
 * write is still mapped. It carries its own GDT for the same reason: the
 * firmware's GDT is not mapped in the new tables, and the kernel loads
 * its own soon after entry. Position-independent: RIP-relative only.
 */
#define HANDOFF_CS 0x08
#define HANDOFF_DS 0x10

	.text
	.globl handoff_start, handoff_end
	.code64
handoff_start:
	cli
	/* lgdt from a pseudo-descriptor built on the firmware stack, which
	 * is still mapped until CR3 changes */
	lea	handoff_gdt(%rip), %rax
	sub	$16, %rsp
	movw	$(handoff_gdt_end - handoff_gdt - 1), (%rsp)
	mov	%rax, 2(%rsp)
	lgdt	(%rsp)
	add	$16, %rsp
	/* reload CS with a far return into the new GDT */
	lea	1f(%rip), %rax
	pushq	$HANDOFF_CS
	push	%rax
	lretq
1:	mov	$HANDOFF_DS, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	mov	%rdi, %cr3		/* the kernel's tables from here on */
	mov	%rcx, %rsp		/* boot stack (upper half) */
	mov	%rdx, %rdi		/* first argument: struct kbi_boot_info * */
	xor	%ebp, %ebp		/* backtraces stop at a zero frame */
	pushq	$0			/* fake return address, keeps the ABI alignment */
	jmp	*%rsi

	.balign 16
handoff_gdt:
	.quad	0			/* null */
	.quad	0x00af9a000000ffff	/* HANDOFF_CS: 64-bit code, DPL 0 */
	.quad	0x00cf92000000ffff	/* HANDOFF_DS: data, DPL 0 */
handoff_gdt_end:
handoff_end:

	.section .note.GNU-stack, "", @progbits
