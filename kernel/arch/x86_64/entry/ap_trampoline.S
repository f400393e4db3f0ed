/* SPDX-License-Identifier: MIT */
/*
 * Kestrel x86_64: where an application processor starts (smp.c).
 *
 * smp.c copies this blob to the first page the loader reserved below
 * 1 MiB (bi->ap_trampoline) and fills its data fields; the SIPI vector is
 * that page's number, so the AP starts here in real mode with CS = page
 * << 8 and IP = 0. It goes to protected mode on the blob's own GDT, turns
 * on PAE, EFER.LME and EFER.NXE (the kernel's entries use NX) and paging
 * with the bring-up PML4 (below 4 GiB: identity map of the low 2 MiB plus
 * the kernel's upper half), enters 64-bit mode, takes a ticket (each AP
 * one, atomically) and with it a kernel stack from tr_stacks, and jumps
 * to the C entry in the higher half:
 *
 *     ap_entry(unsigned ticket, uint64_t stack_top)    (smp.c)
 *
 * Position-independent: real and protected mode address the blob through
 * its base (CS << 4, kept in EBX), 64-bit mode RIP-relatively; the far
 * jumps go through pointers smp.c writes. Nothing here may be read in
 * place in the kernel image: only the copy runs.
 */
#define CR0_PE        0x00000001
#define CR0_ET        0x00000010
#define CR0_NE        0x00000020
#define CR0_PG        0x80000000
#define CR4_PAE       0x00000020
#define MSR_EFER      0xc0000080
#define EFER_LME      0x00000100
#define EFER_NXE      0x00000800
#define TR_CS32       0x08
#define TR_DS32       0x10
#define TR_CS64       0x18
#define TR_MAX_STACKS 64    /* SMP_MAX_CPUS */

#define OFF(sym) sym - ap_trampoline_start

	.section .rodata.ap_trampoline, "a"
	.globl ap_trampoline_start, ap_trampoline_end, ap_trampoline_pm, ap_trampoline_lm
	.globl tr_gdtr, tr_far32, tr_far64, tr_cr3, tr_entry, tr_ticket, tr_gdt, tr_stacks
	.balign 4096
	.code16
ap_trampoline_start:
	cli
	cld
	mov	%cs, %ax
	mov	%ax, %ds
	xor	%ebx, %ebx
	mov	%ax, %bx
	shl	$4, %ebx		/* EBX: the blob's physical address */
	lgdtl	OFF(tr_gdtr)
	mov	$CR0_PE, %eax		/* and cache on: CD/NW are set after INIT */
	mov	%eax, %cr0
	ljmpl	*OFF(tr_far32)

	.code32
ap_trampoline_pm:
	mov	$TR_DS32, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	%ax, %fs
	mov	%ax, %gs
	mov	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	OFF(tr_cr3)(%ebx), %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$(EFER_LME | EFER_NXE), %eax
	wrmsr
	mov	$(CR0_PE | CR0_ET | CR0_NE | CR0_PG), %eax
	mov	%eax, %cr0
	ljmpl	*OFF(tr_far64)(%ebx)

	.code64
ap_trampoline_lm:
	mov	$1, %eax
	lock xaddl %eax, tr_ticket(%rip)
	cmp	$TR_MAX_STACKS, %eax	/* never: smp.c starts no more APs */
	jae	2f
	lea	tr_stacks(%rip), %rdx
	mov	(%rdx, %rax, 8), %rsp
	test	%rsp, %rsp
	jz	2f
	mov	%eax, %edi		/* first argument: the ticket */
	mov	%rsp, %rsi		/* second: the stack top */
	xor	%ebp, %ebp		/* backtraces stop at a zero frame */
	pushq	$0			/* fake return address, keeps the ABI alignment */
	jmp	*tr_entry(%rip)
2:	cli
	hlt
	jmp	2b

	.balign 8
tr_gdtr:
	.word	tr_gdt_end - tr_gdt - 1
	.long	0			/* smp.c: physical address of tr_gdt */
	.balign 8
tr_far32:
	.long	0			/* smp.c: physical address of ap_trampoline_pm */
	.word	TR_CS32
	.balign 8
tr_far64:
	.long	0			/* smp.c: physical address of ap_trampoline_lm */
	.word	TR_CS64
	.balign 8
tr_cr3:
	.quad	0			/* smp.c: the bring-up PML4 (below 4 GiB) */
tr_entry:
	.quad	0			/* smp.c: ap_entry */
tr_ticket:
	.long	0			/* the next AP's ticket (each takes one) */
	.balign 16
tr_gdt:
	.quad	0			/* null */
	.quad	0x00cf9a000000ffff	/* TR_CS32: 32-bit code, 4 GiB */
	.quad	0x00cf92000000ffff	/* TR_DS32: data, 4 GiB */
	.quad	0x00af9a000000ffff	/* TR_CS64: 64-bit code */
tr_gdt_end:
	.balign 8
tr_stacks:
	.fill	TR_MAX_STACKS, 8, 0	/* smp.c: one kernel stack top per ticket */
ap_trampoline_end:

	.section .note.GNU-stack, "", @progbits
