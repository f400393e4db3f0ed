// SPDX-License-Identifier: MIT
/*
 * Kestrel x86_64: a call into UEFI runtime firmware (efi_call.h). The
 * CR3 switch, the FPU state the firmware may use and expects clean, and
 * the way out when the firmware faults; the jump itself is efi_call.S.
 */
#include "arch/x86_64/efi_call.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/trapframe.h"
#include "lib/errno.h"

#define FPU_AREA_MAX  4096   /* fpu.c's XSAVE_MAX: every XSAVE layout fits */
#define FCW_DEFAULT   0x037f /* x87: all exceptions masked, 64-bit precision (UEFI 2.10, 2.3.4) */
#define MXCSR_DEFAULT 0x1f80 /* SSE: all exceptions masked, round to nearest */
#define NO_CPU        UINT32_MAX
#define LOWER_HALF_END 0x0000800000000000ull /* canonical lower half: the firmware's 1:1 code */

uint64_t efi_call_thunk(uint64_t fn, const uint64_t *args, uint64_t stack_top);
extern const char efi_call_faulted[], efi_call_window[], efi_call_back[];
extern uint64_t efi_call_saved_rsp;

/* The state of the call in flight; one at a time (the kernel lock). */
static uint32_t call_cpu = NO_CPU;         /* the CPU inside the firmware */
static bool faulted;                       /* set by the fix-up */
static struct efi_call_fault last_fault;   /* what the fix-up saw */
/* The caller's FPU registers: a user thread's live state (fpu.c). */
static uint8_t saved_fpu[FPU_AREA_MAX] __attribute__((aligned(64)));

/* UEFI's required FPU state at a call: x87 reset, default control words. */
static void fpu_firmware_state(void)
{
	uint16_t fcw = FCW_DEFAULT;
	uint32_t mxcsr = MXCSR_DEFAULT;

	__asm__ volatile("fninit; fldcw %0; ldmxcsr %1" ::"m"(fcw), "m"(mxcsr));
}

int arch_efi_call(uint64_t pml4, uint64_t stack_top, uint64_t fn,
		  const uint64_t args[EFI_CALL_MAX_ARGS], uint64_t *status,
		  struct efi_call_fault *fault)
{
	uint64_t flags = irq_save();
	uint64_t old_pml4 = arch_current_pml4();

	fpu_save(saved_fpu);
	fpu_firmware_state();
	faulted = false;
	call_cpu = this_cpu()->cpu_id;
	arch_switch_pml4(pml4);
	*status = efi_call_thunk(fn, args, stack_top);
	arch_switch_pml4(old_pml4);
	call_cpu = NO_CPU;
	fpu_restore(saved_fpu);
	irq_restore(flags);
	if (!faulted)
		return 0;
	*fault = last_fault;
	return -EIO;
}

/* Exceptions the call can be abandoned on: the ones firmware code
 * raises itself. An NMI, a machine check or a double fault is not the
 * firmware's doing (or leaves nothing sane to return to). */
static bool recoverable(uint64_t vector)
{
	return vector < VEC_EXCEPTIONS && vector != VEC_NMI && vector != VEC_MACHINE_CHECK &&
	       vector != VEC_DOUBLE_FAULT;
}

/* Did the fault happen in the call: in the firmware, which runs 1:1 in
 * the lower half, or in the thunk after it saved this call's stack?
 * Anything else (a handler interrupting the call, the fix-up path
 * itself) is a kernel fault and is not taken for the firmware's. */
static bool in_call(uint64_t rip)
{
	return rip < LOWER_HALF_END ||
	       (rip >= (uint64_t)efi_call_window && rip < (uint64_t)efi_call_back);
}

bool arch_efi_call_fixup(struct trap_frame *tf)
{
	if (call_cpu != this_cpu()->cpu_id || (tf->cs & SEL_RPL3) || !recoverable(tf->vector) ||
	    !in_call(tf->rip))
		return false;
	last_fault = (struct efi_call_fault){
		.vector = tf->vector,
		.rip = tf->rip,
		.addr = tf->vector == VEC_PAGE_FAULT ? read_cr2() : 0,
		.error = tf->error,
	};
	faulted = true;
	tf->rip = (uint64_t)efi_call_faulted;
	tf->rsp = efi_call_saved_rsp;
	tf->rflags &= ~(RFLAGS_DF | RFLAGS_AC | RFLAGS_TF | RFLAGS_NT | RFLAGS_IF);
	return true;
}
