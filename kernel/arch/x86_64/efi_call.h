/* SPDX-License-Identifier: MIT */
/* Calling UEFI runtime firmware: its page table, its stack, the MS x64 ABI, and surviving its faults. */
#ifndef KESTREL_ARCH_EFI_CALL_H
#define KESTREL_ARCH_EFI_CALL_H

#include <stdbool.h>
#include <stdint.h>

#define EFI_CALL_MAX_ARGS 6 /* SetVariable and GetVariable take 5 */

/* Why a firmware call did not return: the exception it took. */
struct efi_call_fault {
	uint64_t vector; /* the exception vector (14: page fault, 13: GP...) */
	uint64_t rip;    /* where in the firmware */
	uint64_t addr;   /* CR2 for a page fault, else 0 */
	uint64_t error;  /* the exception's error code */
};

/*
 * Call the firmware function at fn (a physical = virtual address in
 * pml4's 1:1 map) with args[0..EFI_CALL_MAX_ARGS) in the MS x64 calling
 * convention (rcx, rdx, r8, r9, then the stack above 32 bytes of shadow
 * space, RSP 16-byte aligned at the call), with interrupts off, pml4 in
 * CR3, RSP at stack_top, and the FPU in the state UEFI requires (FCW
 * 0x37f, MXCSR 0x1f80); the caller's FPU state (a user thread's live
 * registers), CR3 and interrupt flag are put back afterwards. pml4 must
 * hold the kernel's upper half: the call's arguments, the stack, the
 * interrupt table and this code are reached through it.
 *
 * One call at a time machine-wide: the caller holds the kernel lock.
 * Returns 0 with the firmware's RAX (an EFI_STATUS) in *status, or -EIO
 * when the firmware took an exception (a page fault outside its map, a
 * GP, an invalid opcode...): the exception handler abandoned the call,
 * and *fault says what happened.
 */
int arch_efi_call(uint64_t pml4, uint64_t stack_top, uint64_t fn,
		  const uint64_t args[EFI_CALL_MAX_ARGS], uint64_t *status,
		  struct efi_call_fault *fault);

/* For trap.c, on an exception in kernel mode that nothing else
 * recovers: if this CPU is inside arch_efi_call, record the fault and
 * point tf at the call's way out (its saved stack), so that the IRET
 * resumes the caller, not the firmware. True if it did. */
struct trap_frame;
bool arch_efi_call_fixup(struct trap_frame *tf);

#endif
