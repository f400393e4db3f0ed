/* SPDX-License-Identifier: MIT */
/*
 * Kestrel x86_64: the only instructions that touch user memory.
 *
 * Each may fault on a bad user address; its address and a fix-up
 * address go into the exception table (.ex_table), and the page-fault
 * and GP handlers resume a faulting kernel instruction found there at
 * its fix-up, which returns -EFAULT. With SMAP on, stac/clac open and
 * close the window in which the kernel may touch user pages.
 */
#define EFAULT 14

.macro EX fault, fixup
	.pushsection .ex_table, "a"
	.balign 8
	.quad \fault, \fixup
	.popsection
.endm

.macro USER_BEGIN
	cmpb	$0, cpu_smap_enabled(%rip)
	je	98f
	stac
98:
.endm

.macro USER_END
	cmpb	$0, cpu_smap_enabled(%rip)
	je	99f
	clac
99:
.endm

	.text
/* long arch_copy_user(void *dst = rdi, const void *src = rsi, size_t n = rdx)
 * Returns 0, or -EFAULT if any byte faulted. The range checks are the
 * caller's (mm/usercopy.c). */
	.globl arch_copy_user
arch_copy_user:
	USER_BEGIN
	mov	%rdx, %rcx
	shr	$3, %rcx
1:	rep movsq			/* 8 bytes at a time: rep movsb is slow under emulation */
	mov	%rdx, %rcx
	and	$7, %rcx
2:	rep movsb
	USER_END
	xor	%eax, %eax
	ret
3:	USER_END
	mov	$-EFAULT, %rax
	ret
	EX 1b, 3b
	EX 2b, 3b

/* long arch_strncpy_user(char *dst = rdi, const char *src = rsi, size_t max = rdx)
 * Copies up to and including the NUL; returns the length without it, max
 * if no NUL was found in max bytes, or -EFAULT. */
	.globl arch_strncpy_user
arch_strncpy_user:
	USER_BEGIN
	xor	%eax, %eax
4:	cmp	%rdx, %rax
	je	6f
5:	movb	(%rsi,%rax), %cl
	movb	%cl, (%rdi,%rax)
	test	%cl, %cl
	jz	6f
	inc	%rax
	jmp	4b
6:	USER_END
	ret
7:	USER_END
	mov	$-EFAULT, %rax
	ret
	EX 5b, 7b

	.section .note.GNU-stack, "", @progbits
