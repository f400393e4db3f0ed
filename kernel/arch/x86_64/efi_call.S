/* SPDX-License-Identifier: MIT */
/*
 * Kestrel x86_64: the jump into UEFI runtime firmware and back.
 *
 * The firmware is Microsoft x64 ABI code: the first four arguments in
 * rcx, rdx, r8, r9, the rest on the stack above a 32-byte "shadow
 * space" the callee may spill its register arguments into, RSP 16-byte
 * aligned at the call instruction; rbx, rbp, rdi, rsi, r12-r15 (and
 * xmm6-15) are callee-saved, the rest may be clobbered. The kernel is
 * System V code, so this thunk saves what System V wants kept, switches
 * to the stack it was given, lays out the arguments, calls, and comes
 * back on the saved stack. The caller (efi_call.c) has switched CR3 and
 * turned interrupts off.
 *
 * If the firmware faults, the exception handler (trap.c through
 * arch_efi_call_fixup) resumes at efi_call_faulted with RSP back at
 * efi_call_saved_rsp: the firmware's frames are abandoned, not unwound.
 */
#define SHADOW_SPACE 32              /* the callee's home for rcx, rdx, r8, r9 */
#define STACK_ARGS   16              /* arguments 5 and 6 */
#define CALL_FRAME   (SHADOW_SPACE + STACK_ARGS) /* 48: keeps RSP 16-byte aligned */
#define ARG(n)       ((n) * 8)

	.bss
	.balign 8
/* RSP after the pushes below, while a call is in flight (one at a
 * time: the kernel lock). */
	.globl efi_call_saved_rsp
efi_call_saved_rsp:
	.quad 0

	.text
/* uint64_t efi_call_thunk(uint64_t fn = rdi, const uint64_t *args = rsi,
 *                         uint64_t stack_top = rdx)
 * Returns the firmware's RAX; after a fault, whatever the fix-up left
 * (efi_call.c looks at its fault record, not at this value). */
	.globl efi_call_thunk
efi_call_thunk:
	push	%rbp			/* System V callee-saved registers, on the kernel stack */
	mov	%rsp, %rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	sub	$8, %rsp		/* keep the kernel stack 16-byte aligned */
	mov	%rsp, efi_call_saved_rsp(%rip)
/* From here to efi_call_back a fault is the call's (arch_efi_call_fixup):
 * efi_call_saved_rsp is this call's. */
	.globl efi_call_window
efi_call_window:
	mov	%rdi, %r11		/* the function */
	mov	%rsi, %r10		/* the argument array */
	and	$-16, %rdx
	mov	%rdx, %rsp		/* the firmware's own stack */
	sub	$CALL_FRAME, %rsp
	mov	ARG(4)(%r10), %rax
	mov	%rax, SHADOW_SPACE(%rsp)	/* argument 5 */
	mov	ARG(5)(%r10), %rax
	mov	%rax, SHADOW_SPACE + 8(%rsp)	/* argument 6 */
	mov	ARG(0)(%r10), %rcx
	mov	ARG(1)(%r10), %rdx
	mov	ARG(2)(%r10), %r8
	mov	ARG(3)(%r10), %r9
	cld				/* the ABI: DF clear at a call */
	call	*%r11
	.globl efi_call_back
efi_call_back:
	mov	efi_call_saved_rsp(%rip), %rsp
	add	$8, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret

/* The fix-up resumes here, RSP = efi_call_saved_rsp, interrupts off. */
	.globl efi_call_faulted
efi_call_faulted:
	cld
	xor	%eax, %eax
	jmp	efi_call_back
