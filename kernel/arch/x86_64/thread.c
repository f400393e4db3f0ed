// SPDX-License-Identifier: MIT
/*
 * Kestrel x86_64: the machine side of threads. A thread's kernel stack
 * holds, when it is switched away, the callee-saved registers that
 * switch.S pushed (struct switch_frame); a new thread's stack is laid
 * out here so that the first switch to it "returns" into its entry code.
 * A user thread also owns its FPU/SSE/AVX registers (saved eagerly on
 * every switch, see fpu.c) and its FS and GS bases, which live in MSRs
 * while it runs.
 */
#include "arch/x86_64/thread.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/percpu.h"
#include "lib/string.h"
#include "mm/heap.h"

/* entry/switch.S */
void arch_switch(uint64_t *save_rsp, uint64_t new_rsp);
void thread_entry_kernel(void);
void thread_entry_user(void);

/* What arch_switch leaves on a stack it switches away from, lowest
 * address first: the registers it pushed (rbp first, so last here) and
 * the address its ret goes to. */
struct switch_frame {
	uint64_t r15, r14, r13, r12, rbx, rbp;
	uint64_t ret;
};

_Static_assert(sizeof(struct switch_frame) == 7 * 8, "switch.S pushes six registers");

/* Put a switch frame just below sp that resumes at entry with r12, r13
 * set (thread_entry_kernel takes the function and its argument there). */
static void push_switch_frame(struct arch_thread *a, uint64_t sp, void (*entry)(void),
			      uint64_t r12, uint64_t r13)
{
	struct switch_frame *f = (struct switch_frame *)sp - 1;

	*f = (struct switch_frame){ .r12 = r12, .r13 = r13, .ret = (uint64_t)entry };
	a->saved_rsp = (uint64_t)f;
}

void arch_thread_boot_init(void)
{
	fpu_boot_init();
}

size_t arch_thread_fpu_size(void)
{
	size_t n = fpu_area_size();

	return n < 64 ? 64 : n;
}

void arch_thread_init_kernel(struct arch_thread *a, uint64_t kstack_top, void (*fn)(void *),
			     void *arg)
{
	push_switch_frame(a, kstack_top, thread_entry_kernel, (uint64_t)fn, (uint64_t)arg);
}

void arch_user_frame_init(struct trap_frame *tf, uint64_t rip, uint64_t rsp)
{
	memset(tf, 0, sizeof(*tf));
	tf->rip = rip;
	tf->cs = USER_CS;
	tf->rflags = RFLAGS_USER_INITIAL;
	tf->rsp = rsp;
	tf->ss = USER_DS;
}

struct trap_frame *arch_thread_init_user(struct arch_thread *a, uint64_t kstack_top, void *fpu,
					 uint64_t rip, uint64_t rsp)
{
	struct trap_frame *tf = arch_thread_user_frame(kstack_top);

	a->fpu = fpu;
	fpu_init_area(fpu);
	a->fs_base = a->gs_base = 0;
	arch_user_frame_init(tf, rip, rsp);
	push_switch_frame(a, (uint64_t)tf, thread_entry_user, 0, 0);
	return tf;
}

/*
 * The user FS and GS bases. this_cpu()->user_fs_base/user_gs_base record
 * what the MSRs hold, so that a switch writes only a base that differs (a
 * WRMSR costs more than the switch's other work, and most switches keep
 * both). The record is read back from the MSRs whenever a user thread
 * leaves the CPU, not trusted: CR4.FSGSBASE is off, but a program can still
 * replace a base behind the kernel's back by loading FS or GS with a
 * selector (a null one too, on Intel and QEMU: the base becomes the
 * descriptor's, 0), and a stale record would hand that 0 to the next
 * thread with the same base (forked processes share their TLS address).
 */

/* Read the bases the MSRs hold into a and this CPU's record. */
static void save_user_bases(struct arch_thread *a)
{
	struct percpu *cpu = this_cpu();

	a->fs_base = cpu->user_fs_base = rdmsr(MSR_FS_BASE);
	a->gs_base = cpu->user_gs_base = rdmsr(MSR_KERNEL_GS_BASE); /* the user's, swapped out */
}

/* Load a's bases into the MSRs, writing only what differs from the record
 * (exact: only the kernel has run since save_user_bases or the last write). */
static void load_user_bases(const struct arch_thread *a)
{
	struct percpu *cpu = this_cpu();

	if (cpu->user_fs_base != a->fs_base) {
		wrmsr(MSR_FS_BASE, a->fs_base);
		cpu->user_fs_base = a->fs_base;
	}
	if (cpu->user_gs_base != a->gs_base) {
		wrmsr(MSR_KERNEL_GS_BASE, a->gs_base); /* swapgs makes it GS_BASE in user mode */
		cpu->user_gs_base = a->gs_base;
	}
}

void arch_thread_copy_current(struct arch_thread *child, const struct arch_thread *self)
{
	fpu_save(child->fpu); /* the caller's live FPU state */
	save_user_bases(child); /* the caller's bases, as its program left them */
	arch_io_inherit(&child->io, &self->io);
	child->tsc_off = self->tsc_off;
	arch_debugreg_clear(&child->dbg, false); /* breakpoints are not inherited (Linux's copy_thread) */
}

void arch_thread_release(struct arch_thread *a)
{
	kfree(a->fpu);
	arch_io_release(&a->io);
}

/* The calling thread's bases are written whatever the record says: its
 * program may have changed them since it entered the kernel. */
void arch_thread_reset_current(struct arch_thread *a)
{
	struct percpu *cpu = this_cpu();

	a->fs_base = a->gs_base = cpu->user_fs_base = cpu->user_gs_base = 0;
	wrmsr(MSR_FS_BASE, 0);
	wrmsr(MSR_KERNEL_GS_BASE, 0); /* the user's GS base, until the swapgs on return */
	fpu_init_area(a->fpu);
	fpu_restore(a->fpu);
	arch_debugreg_clear(&a->dbg, true); /* Linux's flush_ptrace_hw_breakpoint */
}

void arch_thread_read_bases(struct arch_thread *a)
{
	save_user_bases(a);
}

void arch_thread_set_fs_base(struct arch_thread *a, uint64_t base)
{
	a->fs_base = this_cpu()->user_fs_base = base;
	wrmsr(MSR_FS_BASE, base);
}

void arch_thread_set_gs_base(struct arch_thread *a, uint64_t base)
{
	a->gs_base = this_cpu()->user_gs_base = base;
	wrmsr(MSR_KERNEL_GS_BASE, base); /* swapgs makes it GS_BASE in user mode */
}

/* CR4.TSD as off says. This CPU's CR4 holds the running thread's
 * tsc_off: set by arch_thread_set_tsc, then by every switch. */
static void tsd_load(bool off)
{
	uint64_t cr4 = read_cr4();

	if (!!(cr4 & CR4_TSD) != off)
		write_cr4(off ? cr4 | CR4_TSD : cr4 & ~CR4_TSD);
}

void arch_thread_set_tsc(struct arch_thread *a, bool off)
{
	uint64_t f = irq_save(); /* no switch between the flag and CR4 */

	a->tsc_off = off;
	tsd_load(off);
	irq_restore(f);
}

void arch_switch_prepare(struct arch_thread *prev, struct arch_thread *next,
			 uint64_t next_kstack_top)
{
	if (prev->tsc_off != next->tsc_off)
		tsd_load(next->tsc_off);
	if (prev->fpu) {
		fpu_save(prev->fpu); /* the whole XSAVE state: x87, SSE, AVX... */
		save_user_bases(prev);
	}
	if (next->fpu) {
		fpu_restore(next->fpu);
		load_user_bases(next);
	}
	arch_io_switch(&prev->io, &next->io);
	arch_debugreg_switch(&next->dbg);
	gdt_set_kernel_stack(next_kstack_top);
	this_cpu()->kernel_rsp = next_kstack_top;
}

void arch_thread_stopped_at(const struct arch_thread *a, uint64_t *rip, uint64_t *rbp)
{
	const struct switch_frame *f = (const struct switch_frame *)a->saved_rsp;

	*rip = f->ret;
	*rbp = f->rbp;
}

void arch_switch_to(struct arch_thread *prev, struct arch_thread *next)
{
	arch_switch(&prev->saved_rsp, next->saved_rsp);
}
