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
 * if no NUL was found in max bytes, or -EFAULT.
 * Bytes until src is 8-aligned, then 8 bytes a load while a word holds
 * no zero byte ((w - 0x01..01) & ~w & 0x80..80 is non-zero exactly when
 * one does), then bytes again up to the NUL: a path costs a quarter of
 * the instructions of a byte loop. An aligned load never crosses into
 * the next page, so it faults only where the byte loop would have. */
	.globl arch_strncpy_user
arch_strncpy_user:
	USER_BEGIN
	xor	%eax, %eax			/* rax: bytes copied */
	movabs	$0xfefefefefefefeff, %r8	/* -0x0101..01 */
	movabs	$0x8080808080808080, %r9
1:	lea	(%rsi,%rax), %rcx		/* bytes until src + rax is aligned */
	test	$7, %cl
	jz	3f
	cmp	%rdx, %rax
	je	6f
2:	movb	(%rsi,%rax), %cl
	movb	%cl, (%rdi,%rax)
	test	%cl, %cl
	jz	6f
	inc	%rax
	jmp	1b
3:	cmp	$8, %rdx			/* words while 8 bytes remain below max: */
	jb	4f
	lea	-8(%rdx), %r11			/* r11: the last offset such a word starts at */
	cmp	%r11, %rax
	ja	4f
8:	mov	(%rsi,%rax), %rcx
	lea	(%rcx,%r8), %r10		/* w - 0x01..01 */
	and	%r9, %r10			/* ... & 0x80..80 */
	or	%rcx, %r10
	xor	%rcx, %r10			/* ... & ~w: (x | w) ^ w is x & ~w */
	jnz	4f				/* a zero byte in it: bytes from here */
	mov	%rcx, (%rdi,%rax)
	add	$8, %rax
	cmp	%r11, %rax
	jbe	8b
4:	cmp	%rdx, %rax			/* bytes up to the NUL or max */
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
	EX 2b, 7b
	EX 5b, 7b
	EX 8b, 7b

	.section .note.GNU-stack, "", @progbits
