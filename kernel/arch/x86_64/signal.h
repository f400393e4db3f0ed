/* SPDX-License-Identifier: MIT */
/* The x86_64 side of signals: the Linux signal frame on the user stack, and restarting system calls. */
#ifndef KESTREL_ARCH_SIGNAL_H
#define KESTREL_ARCH_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/thread.h"
#include "arch/x86_64/trapframe.h"

#define ARCH_SIGINFO_SIZE 128 /* the siginfo the frame carries, filled by proc/signal.c */

/* What proc/signal.c decided for one run of a handler. */
struct arch_sigframe_req {
	int sig;
	uint64_t handler;    /* where the handler starts */
	uint64_t restorer;   /* where it returns to (sa_restorer: a stub calling rt_sigreturn) */
	uint64_t alt_top;    /* top of the alternate stack to use, 0: the interrupted stack */
	uint64_t floor;      /* the frame's lowest byte may not be below this (0: no floor) */
	uint64_t mask;       /* the signal mask rt_sigreturn puts back */
	uint64_t ss_sp, ss_size;  /* the thread's sigaltstack, recorded in uc_stack */
	uint32_t ss_flags;
	const void *info;    /* ARCH_SIGINFO_SIZE bytes */
};

/* Build the Linux x86_64 rt_sigframe (return address, ucontext with
 * every register, the mask and the full XSAVE state, siginfo) on the user
 * stack, and point tf at the handler with a clean FPU state; a's FPU area
 * is the scratch buffer. Current thread, interrupts on or off. false when
 * the frame cannot be written (a bad stack) or would go below req->floor:
 * tf and the FPU registers are then unchanged and the caller kills the
 * process with SIGSEGV. */
bool arch_signal_setup_frame(struct trap_frame *tf, struct arch_thread *a,
			     const struct arch_sigframe_req *req);

/* rt_sigreturn: reload tf and the FPU registers from the frame the
 * handler returned from, keeping Linux's checks (only user-changeable
 * flags, selectors with RPL 3, a sanitised XSAVE image), and store the
 * saved signal mask in *mask. false when the frame cannot be read: the
 * caller kills the process with SIGSEGV. */
bool arch_signal_restore_frame(struct trap_frame *tf, struct arch_thread *a, uint64_t *mask);

/* The RFLAGS a value from user space (a sigreturn frame, a tracer's
 * registers) leaves: only the flags a program may change (Linux's
 * FIX_EFLAGS) come from user, with IF on; IOPL, NT, VM stay cur's. */
uint64_t arch_rflags_from_user(uint64_t cur, uint64_t user);

/* A segment selector from user space with RPL 3, so that no value raises
 * privilege; a bad one makes the IRET fault, which bad_iret (trap.c)
 * turns into SIGSEGV for the process. */
static inline uint64_t arch_selector_from_user(uint64_t sel)
{
	return sel | SEL_RPL3;
}

/* The 512-byte FXSAVE image fx (a tracer's PTRACE_SETFPREGS) as the x87
 * and SSE state of a stopped thread a (not running): MXCSR's reserved
 * bits cleared, as for a sigreturn frame, so no restore faults. */
void arch_fpu_set_legacy(struct arch_thread *a, const void *fx);

/* The instruction pointer the return to user mode goes to. */
static inline uint64_t arch_user_ip(const struct trap_frame *tf)
{
	return tf->rip;
}

/* The user stack pointer of the interrupted code. */
static inline uint64_t arch_user_sp(const struct trap_frame *tf)
{
	return tf->rsp;
}

/* If tf was saved by a system call (SYSCALL or int $0x80), its result
 * into *ret and true; false for an interrupt or an exception. */
bool arch_syscall_result(const struct trap_frame *tf, long *ret);
void arch_syscall_set_result(struct trap_frame *tf, long ret);
/* Make the return to user mode run system call nr again (the
 * instruction before tf's RIP), through IRET. */
void arch_syscall_restart(struct trap_frame *tf, uint64_t nr);

#endif
