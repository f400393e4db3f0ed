/* SPDX-License-Identifier: MIT */
/* The machine side of a thread: its switch slot, user FPU state and segment bases, and its first frames. */
#ifndef KESTREL_ARCH_THREAD_H
#define KESTREL_ARCH_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/x86_64/debugreg.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/ioport.h"
#include "arch/x86_64/trapframe.h"

/*
 * Embedded in struct thread (proc/sched.h). Private to the thread, or
 * changed by the scheduler with interrupts off. A kernel thread has no
 * FPU area (fpu == NULL) and no user bases: the kernel never touches
 * FPU/SSE registers, FS or the user GS.
 */
struct arch_thread {
	uint64_t saved_rsp; /* arch_switch's save slot: a struct switch_frame is below it */
	void *fpu;          /* user FPU/SSE/AVX state (XSAVE layout), 64-byte aligned; NULL: kernel thread */
	uint64_t fs_base;   /* user TLS base (arch_prctl, clone's tls); read back when it leaves the CPU */
	uint64_t gs_base;   /* user GS base (arch_prctl): in KERNEL_GS_BASE while it runs */
	struct arch_io io;  /* user port I/O (ioperm, iopl): in the TSS while it runs */
	bool tsc_off;       /* prctl(PR_SET_TSC, PR_TSC_SIGSEGV): CR4.TSD while it runs (Linux's
	                     * TIF_NOTSC); set by the thread itself, copied to what it makes */
	struct arch_debugreg dbg; /* hardware breakpoints (ptrace): debugreg.h's lock rule */
};

/* Where a thread no CPU runs stopped: the return address and frame
 * pointer its last switch saved (the switch frame at saved_rsp), the
 * start of its kernel backtrace. A diagnostic read: the thread may be
 * woken and run while the caller looks, so what it finds may be stale
 * (backtrace_print checks each frame before it reads it). */
void arch_thread_stopped_at(const struct arch_thread *a, uint64_t *rip, uint64_t *rbp);

/* At boot, before any thread is made: the clean FPU state new threads start from. */
void arch_thread_boot_init(void);

/* Bytes the FPU area passed to arch_thread_init_user needs (64-byte aligned). */
size_t arch_thread_fpu_size(void);

/* Lay out a new kernel thread's stack (top kstack_top) so that the first
 * switch to it runs fn(arg) with interrupts on, then thread_exit(). */
void arch_thread_init_kernel(struct arch_thread *a, uint64_t kstack_top, void (*fn)(void *),
			     void *arg);

/* A new user thread: fpu (arch_thread_fpu_size() bytes) gets a clean FPU
 * state, the top of the kernel stack a user frame entering at rip with
 * stack rsp, below it a switch frame that leaves through that frame's
 * IRET. Returns the user frame, for a caller that wants to change it. */
struct trap_frame *arch_thread_init_user(struct arch_thread *a, uint64_t kstack_top, void *fpu,
					 uint64_t rip, uint64_t rsp);

/* The user frame of a user thread whose kernel stack tops at kstack_top:
 * where arch_thread_init_user built it, and where every trap and system
 * call from ring 3 saves the user registers. */
static inline struct trap_frame *arch_thread_user_frame(uint64_t kstack_top)
{
	return (struct trap_frame *)kstack_top - 1;
}

/* Give a new thread the running thread's (self's) user CPU state: its
 * FPU registers (live in the CPU), FS/GS bases and port permissions;
 * not its hardware breakpoints. */
void arch_thread_copy_current(struct arch_thread *child, const struct arch_thread *self);

/* A reaped thread's machine state freed: its FPU area, its share of an
 * ioperm bitmap. */
void arch_thread_release(struct arch_thread *a);

/* exec: the running thread's user CPU state as a new program's (zero
 * FS/GS bases, clean FPU, no hardware breakpoints), in the thread and
 * in the CPU. */
void arch_thread_reset_current(struct arch_thread *a);

/* arch_prctl(ARCH_SET_FS/GS) for the running thread a: base must be a
 * canonical user address (the caller checks). */
void arch_thread_set_fs_base(struct arch_thread *a, uint64_t base);
void arch_thread_set_gs_base(struct arch_thread *a, uint64_t base);
/* The calling thread's a: fs_base and gs_base read back from the MSRs
 * (its program may have loaded FS or GS since it entered the kernel). */
void arch_thread_read_bases(struct arch_thread *a);

/* prctl(PR_SET_TSC) for the running thread a: off makes RDTSC and RDTSCP
 * in ring 3 fault (#GP, SIGSEGV), as Linux's disable_TSC; on allows them.
 * Loaded into this CPU's CR4 at once; kept across exec, inherited by the
 * threads and processes a makes (arch_thread_copy_current), as Linux's.
 * The vDSO's clock reads use RDTSC too and fault alike, as on Linux. */
void arch_thread_set_tsc(struct arch_thread *a, bool off);

/* Before switching from prev to next (interrupts off): save prev's user
 * CPU state (FPU, FS/GS bases), load next's (and its port permissions),
 * and make next_kstack_top the stack traps and system calls from ring 3
 * arrive on. */
void arch_switch_prepare(struct arch_thread *prev, struct arch_thread *next,
			 uint64_t next_kstack_top);

/* Switch kernel stacks (switch.S): save the callee-saved registers and
 * RSP in prev, resume next where it switched away (or at its entry). */
void arch_switch_to(struct arch_thread *prev, struct arch_thread *next);

/* Did the trap or system call that built tf come from user mode (ring 3)? */
static inline bool arch_frame_is_user(const struct trap_frame *tf)
{
	return tf->cs & SEL_RPL3;
}

/* Build a user trap frame that enters at rip with stack rsp: clean
 * RFLAGS (interrupts on), the user selectors, every other register 0. */
void arch_user_frame_init(struct trap_frame *tf, uint64_t rip, uint64_t rsp);

#endif
