// SPDX-License-Identifier: MIT
/* Kestrel x86_64: what happens on a trap: a user fault becomes a signal; a kernel one is
 * recovered when it has a fixup (a user copy, a faulting IRET to ring 3), else it is fatal and
 * explains itself. */
#include <stdint.h>
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/efi_call.h"
#include "arch/x86_64/frame_print.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/klock.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/vectors.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/ioport.h"
#include "mm/usercopy.h"
#include "mm/layout.h"
#include "mm/uvm.h"
#include "mm/vmalloc.h"
#include "proc/oom.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "sys/syscall.h"
#include "lib/string.h"
#include "panic.h"
#include "log.h"
#include "uapi/signal.h"

#define GUARD_SIZE  4096
#define NMI_REPORT_MS 1000  /* at most one "nmi:" line a second */

extern const char trap_iret_user[]; /* isr.S: the IRET back to ring 3 */

extern const char __boot_stack_guard[];

#define PF_PRESENT  (1u << 0)
#define PF_WRITE    (1u << 1)
#define PF_USER     (1u << 2)
#define PF_RSVD     (1u << 3)
#define PF_IFETCH   (1u << 4)

static const char *const exception_names[VEC_EXCEPTIONS] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
	"invalid opcode", "device not available", "double fault", "coprocessor overrun",
	"invalid TSS", "segment not present", "stack fault", "general protection",
	"page fault", "reserved 15", "x87 FP error", "alignment check", "machine check",
	"SIMD FP error", "virtualization", "control protection", "reserved 22",
	"reserved 23", "reserved 24", "reserved 25", "reserved 26", "reserved 27",
	"hypervisor injection", "VMM communication", "security", "reserved 31",
};

/* A guard page: below the boot stack, or below a vmalloc area. */
static bool is_guard_page(uint64_t va)
{
	uint64_t boot_guard = (uint64_t)__boot_stack_guard;
	return (va >= boot_guard && va < boot_guard + GUARD_SIZE) || vmalloc_is_guard(va);
}

static void describe_page_fault(uint64_t err, uint64_t cr2)
{
	panic_printf("page fault at %#018lx: %s, %s, %s%s%s\n", cr2,
		     err & PF_PRESENT ? "protection violation" : "page not present",
		     err & PF_WRITE ? "write" : "read",
		     err & PF_USER ? "user mode" : "kernel mode",
		     err & PF_IFETCH ? ", instruction fetch" : "",
		     err & PF_RSVD ? ", reserved bit set" : "");
}

/* The frame's registers and this CPU's CR2 and CR3. */
static void dump_registers(const struct trap_frame *tf)
{
	trap_print_regs(tf);
	panic_printf("CR2 %016lx  CR3 %016lx\n", read_cr2(), read_cr3());
}

/* A kernel-mode exception that nothing recovers: print everything a reader needs and stop. */
static void __attribute__((noreturn)) fatal_exception(struct trap_frame *tf)
{
	uint64_t cr2 = read_cr2();

	panic_begin();
	panic_printf("\nKERNEL PANIC: exception %lu (%s), error code %#lx\n", tf->vector,
		     exception_names[tf->vector], tf->error);
	if (tf->vector == VEC_PAGE_FAULT)
		describe_page_fault(tf->error, cr2);
	if (tf->vector == VEC_DOUBLE_FAULT && is_guard_page(cr2))
		panic_printf("kernel stack overflow: hit the guard page at %#018lx\n", cr2);
	dump_registers(tf);
	panic_backtrace(tf->rip, tf->rbp);
	panic_end();
}

/* The signal a user-mode exception kills its process with (as Linux). */
static int exception_signal(uint64_t vector)
{
	switch (vector) {
	case VEC_DIVIDE:
	case VEC_X87_FP:
	case VEC_SIMD_FP:
		return SIGFPE;
	case VEC_INVALID_OP:
		return SIGILL;
	case VEC_DEBUG:
	case VEC_BREAKPOINT:
		return SIGTRAP;
	case VEC_ALIGNMENT:
	case VEC_SEG_NP:
	case VEC_STACK:
		return SIGBUS;
	default:
		return SIGSEGV; /* page fault, general protection (incl. privileged instructions), #OF */
	}
}

/* si_code for a fault signal (Linux values, uapi/signal.h). */
static int fault_code(struct process *p, uint64_t vector, uint64_t err, uint64_t addr)
{
	if (vector == VEC_PAGE_FAULT) /* ACCERR: mapped, but not for this access */
		return (err & PF_PRESENT) || uvm_mapped_at(p->vm, addr) ? SEGV_ACCERR : SEGV_MAPERR;
	if (vector == VEC_INVALID_OP)
		return ILL_ILLOPN;
	if (vector == VEC_DIVIDE)
		return FPE_INTDIV;
	return SI_KERNEL; /* a general protection fault has no better code */
}

/* A page fault taken in ring 3, resolved as Linux does, with interrupts
 * on (they were on in user mode): the tick charges the fault's work to
 * system time, and a long fault (zeroing a huge page, reading a file's
 * page) holds no interrupt off. True when resolved. Back with them off. */
static bool user_page_fault(struct process *p, const struct trap_frame *tf, uint64_t cr2)
{
	cpu_sti();
	bool done = process_page_fault(p, cr2, tf->error & PF_WRITE, tf->error & PF_IFETCH, true);
	cpu_cli();
	return done;
}

/* uvm_try_fault for the fault tf took at cr2 in p's space, with
 * interrupts on while it runs (as in user_page_fault): true when it
 * resolved it without the kernel lock. Interrupts off. */
static bool try_fault_nolock(struct process *p, const struct trap_frame *tf, uint64_t cr2)
{
	cpu_sti();
	bool done = uvm_try_fault(p->vm, cr2, tf->error & PF_WRITE, tf->error & PF_IFETCH);
	cpu_cli();
	return done;
}

/* The return to ring 3 after a trap handled without the kernel lock, as
 * a lock-free system call returns (sys/syscall.c): the preemption point
 * (the scheduler has locks of its own), and the kernel lock, counted
 * against entry, only when there is signal work. Interrupts off. */
static void return_nolock(struct thread *t, struct trap_frame *tf, uint64_t entry)
{
	if (sched_resched_due())
		sched_preempt_point(tf); /* interrupts off: nothing new is due after it */
	if (__builtin_expect(t->proc && signal_return_work(t, t->proc, 0), 0)) {
		klock_enter_user(true, entry);
		signal_deliver(tf);
		klock_leave_user();
	}
}

/* A page fault from ring 3 that mm resolves without the kernel lock
 * (uvm_try_fault: private memory, copy-on-write), then return_nolock.
 * False, having done nothing: the caller takes the lock and handles the
 * fault at cr2 as before (SIGSEGV, SIGBUS, stack growth, file and shared
 * mappings, out of memory). Interrupts off. */
static bool user_fault_nolock(struct trap_frame *tf, uint64_t cr2)
{
	struct thread *t = current_thread();

	if (!t->proc || !try_fault_nolock(t->proc, tf, cr2))
		return false;
	return_nolock(t, tf, KLOCK_ENTRY_EXCEPTION);
	return true;
}

/* A page fault inside a user-copy helper, at a user address, taken with
 * interrupts on (so no spinlock is held), resolved as user_fault_nolock
 * resolves one from ring 3 (private memory, copy-on-write) and retried,
 * without the kernel lock. Most come from the lock-free system calls'
 * copies (rt_sigprocmask writing its old mask to a stack page that fork
 * left copy-on-write), which would otherwise wait for the lock here.
 * False, having done nothing: the usual path (the lock, then
 * process_page_fault or the copy's -EFAULT). Interrupts off. */
static bool copy_fault_nolock(struct trap_frame *tf)
{
	uint64_t cr2 = read_cr2();
	struct process *p = current_process();

	return p && cr2 < USER_TOP && (tf->rflags & RFLAGS_IF) && usercopy_fixup(tf->rip) &&
	       try_fault_nolock(p, tf, cr2);
}

/* An interrupt taken in ring 3 whose work needs no kernel lock: a wake-up
 * IPI (its work is the return's: the switch to the thread woken for this
 * CPU, which needs none, and a signal sent to this thread), or a tick that
 * sched_tick_lock_free lets in (its counts and the balancing; no timer
 * due, none of the process's CPU-time timers armed); then return_nolock.
 * Taking the lock for each made the interrupted CPU wait for whoever held
 * it, for nothing (the "(irq)" waiters of the scaling pairs). The EOI is
 * sent before the lock could be taken, so the take may halt. Interrupts
 * off. */
static void user_irq_nolock(struct trap_frame *tf)
{
	irq_dispatch(tf);
	return_nolock(current_thread(), tf, KLOCK_ENTRY_IRQ);
}

/* A #DB from ring 3: a single step, a hardware breakpoint of the thread
 * (debugreg.c), or INT1; SIGTRAP with its si_code and the RIP as si_addr,
 * as Linux's exc_debug_user, or nothing when DR6 names no cause of ours. */
static void debug_trap(struct process *p, struct trap_frame *tf)
{
	int code = arch_debugreg_user_trap(&current_thread()->arch.dbg, tf);

	if (!p)
		panic("user-mode #DB without a process");
	if (code)
		signal_force_fault(SIGTRAP, code, tf->rip);
}

/* An exception in ring 3: resolve a demand-paging fault, or signal the
 * process (its handler runs if it has one; otherwise it dies of the
 * signal's default action). The kernel goes on either way. cr2: a page
 * fault's address, read at entry (an interrupt taken since, with
 * interrupts on in user_fault_nolock, might have changed CR2). */
static void user_exception(struct trap_frame *tf, uint64_t cr2)
{
	struct process *p = current_process();

	if (tf->vector == VEC_PAGE_FAULT && p && user_page_fault(p, tf, cr2))
		return;
	if (tf->vector == VEC_GP && p && arch_io_skip_cli(&current_thread()->arch.io, tf, p->pid, p->name))
		return;
	if (tf->vector == VEC_DEBUG) {
		debug_trap(p, tf);
		return;
	}
	int sig = exception_signal(tf->vector);
	if (p && tf->vector == VEC_PAGE_FAULT && uvm_fault_sigbus(p->vm, cr2))
		sig = SIGBUS; /* a file mapping past the end of its file */
	if (!p || (p->sighand->action[sig - 1].handler <= SIG_IGN && !ptrace_traced(&p->ptrace)))
		/* no handler: say why it dies (a tracee's tracer decides first) */
		klog(LOG_WARN, "kestrel: pid %d (%s) killed by signal %d: %s at rip %#lx%s%#lx\n",
		     p ? p->pid : -1, p ? p->name : "?", sig, exception_names[tf->vector], tf->rip,
		     tf->vector == VEC_PAGE_FAULT ? ", address " : ", error ",
		     tf->vector == VEC_PAGE_FAULT ? cr2 : tf->error);
	if (!p)
		panic("user-mode exception without a process");
	signal_force_fault(sig, fault_code(p, tf->vector, tf->error, cr2),
			   tf->vector == VEC_PAGE_FAULT ? cr2 : 0);
}

/* A kernel-mode fault inside a user-copy helper resumes at its fix-up,
 * which returns -EFAULT. True if it was one. */
static bool kernel_fixup(struct trap_frame *tf)
{
	uint64_t fixup;

	if (tf->vector != VEC_PAGE_FAULT && tf->vector != VEC_GP)
		return false;
	fixup = usercopy_fixup(tf->rip);
	/* A copy helper touching a user page not yet present (demand zero,
	 * stack growth) or shared copy-on-write: resolve it and retry. */
	struct process *p = current_process();
	if (fixup && tf->vector == VEC_PAGE_FAULT && p && read_cr2() < USER_TOP &&
	    process_page_fault(p, read_cr2(), tf->error & PF_WRITE, false, false))
		return true;
	if (!fixup)
		return false;
	tf->rip = fixup;
	return true;
}

/* Did the IRET back to ring 3 (trap_return) fault? isr_common has then
 * already swapped to the kernel's GS base. */
static bool is_bad_iret(const struct trap_frame *tf)
{
	return !(tf->cs & SEL_RPL3) && tf->rip == (uint64_t)trap_iret_user &&
	       (tf->vector == VEC_GP || tf->vector == VEC_SEG_NP || tf->vector == VEC_STACK);
}

/*
 * The IRET to ring 3 faulted on the frame it was reading: a selector
 * that rt_sigreturn let through (as Linux does) or, on hardware, a
 * non-canonical RIP. That frame is the thread's user frame at the top of
 * its kernel stack, the fault frame tf sits just below it (overlapping
 * its register part), and tf's registers are the user's: trap_return had
 * restored them. Put them back into the user frame and take the fault as
 * the user's own, as Linux's fixup_bad_iret does: the process gets the
 * signal (SIGSEGV for #GP) with the bad frame as its context, and dies
 * or runs its handler on a new, valid frame. Returns the user frame.
 */
static __attribute__((noinline)) struct trap_frame *bad_iret(struct trap_frame *tf)
{
	struct trap_frame fault = *tf; /* tf and uf overlap: copy it out first */
	struct trap_frame *uf = (struct trap_frame *)(fault.rsp - TF_RIP);
	struct thread *t = current_thread();

	if (!current_process() || (uint64_t)uf != t->kstack_top - sizeof(*uf))
		fatal_exception(tf); /* not the IRET of a user frame we built */
	memcpy(uf, &fault, TF_VECTOR); /* the general registers */
	uf->vector = fault.vector;
	uf->error = fault.error;
	klog(LOG_DEBUG, "kestrel: pid %d: IRET to user mode faulted (%s, error %#lx): rip %#lx "
			"cs %#lx ss %#lx\n", current_process()->pid, exception_names[fault.vector],
	     fault.error, uf->rip, uf->cs, uf->ss);
	user_exception(uf, 0); /* #GP, #NP or #SS: no fault address */
	return uf;
}

/* The CPU an NMI came to, found by its APIC id (trap_nmi reads no GS;
 * smp_cpu(0) may, before the CPUs are numbered, when only CPU 0 runs). */
static unsigned nmi_cpu(void)
{
	unsigned cpu = smp_nmi_cpu_id();

	return cpu < IRQ_MAX_CPUS ? cpu : IRQ_MAX_CPUS; /* not one of ours: not counted */
}

/* NMIs counted by trap_nmi and reported so far. */
static volatile uint64_t nmi_count;
static uint64_t nmi_reported, nmi_report_ms;

void trap_nmi(struct trap_frame *tf)
{
	if (smp_nmi_stop(tf)) /* another CPU panicked: this one stops here */
		return;
	__atomic_fetch_add(&nmi_count, 1, __ATOMIC_RELAXED);
	irq_count_nmi(nmi_cpu());
}

/* From an ordinary interrupt (the log is not NMI-safe): say that NMIs
 * came and were ignored, at most once every NMI_REPORT_MS. */
static void report_nmis(void)
{
	uint64_t n = __atomic_load_n(&nmi_count, __ATOMIC_RELAXED);

	if (n == nmi_reported) /* every interrupt asks: the cheap test first */
		return;
	uint64_t now = log_ms_since_origin(rdtsc());
	if (nmi_report_ms && now - nmi_report_ms < NMI_REPORT_MS)
		return;
	klog(LOG_WARN, "nmi: %lu unexpected NMI%s (%lu in all), ignored\n", n - nmi_reported,
	     n - nmi_reported == 1 ? "" : "s", n);
	nmi_reported = n;
	nmi_report_ms = now ? now : 1;
}

/*
 * Interrupts answered without the kernel lock (klock.h): a TLB flush
 * request always (its sender holds the lock and waits for the answer); a
 * wake-up IPI or an application processor's tick that finds its CPU idle
 * (halted in the idle loop), since an idle CPU's tick has nothing to do
 * but count (sched_tick), and the idle loop takes the lock itself when it
 * sees work. A CPU halted waiting for the lock (klock.c) takes nothing
 * else: its tick only counts. In kernel code that runs without the lock
 * (a lock-free system call or fault, interrupts on), a wake-up IPI (its
 * work is the return's switch) and a tick that sched_tick_lock_free lets
 * in (counts, balancing) take none either: taking it made the lock-free
 * work wait for the lock's holder, for nothing (the "(kernel)" waiters of
 * the fork_exec pair). A wake-up IPI from user mode, and a tick there
 * that needs no lock, take it only for signal work (user_irq_nolock).
 * Anything else takes the lock.
 */
static bool lockless_interrupt(const struct trap_frame *tf)
{
	if (tf->vector == VEC_IPI_TLB)
		return true;
	struct percpu *c = this_cpu();
	if (c->klock_halted) /* halted for the lock: CR8 let only the top class in */
		return true;
	if (tf->vector != VEC_IPI_RESCHED && tf->vector != VEC_APIC_TIMER)
		return false;
	if ((tf->cs & SEL_RPL3) || c->klock_depth)
		return false;
	if (c->current == c->idle)
		return tf->vector == VEC_IPI_RESCHED || c->cpu_id != 0;
	return tf->vector == VEC_IPI_RESCHED || sched_tick_lock_free();
}

/* What a trap from ring 3 takes the kernel lock for (its statistics). */
static unsigned klock_entry_of(const struct trap_frame *tf)
{
	if (tf->vector < VEC_EXCEPTIONS)
		return KLOCK_ENTRY_EXCEPTION;
	return tf->vector == VEC_INT80 ? KLOCK_ENTRY_INT80 : KLOCK_ENTRY_IRQ;
}

struct trap_frame *trap_dispatch(struct trap_frame *tf)
{
	bool from_user = tf->cs & SEL_RPL3;

	if (tf->vector >= VEC_EXCEPTIONS && lockless_interrupt(tf)) {
		irq_dispatch(tf);
		return tf;
	}
	if (from_user && (tf->vector == VEC_IPI_RESCHED ||
			  (tf->vector == VEC_APIC_TIMER && sched_tick_lock_free()))) {
		user_irq_nolock(tf);
		return tf;
	}
	if (!from_user && tf->vector == VEC_PAGE_FAULT && copy_fault_nolock(tf))
		return tf;
	bool user_pf = from_user && tf->vector == VEC_PAGE_FAULT;
	uint64_t cr2 = user_pf ? read_cr2() : 0;
	if (user_pf && user_fault_nolock(tf, cr2))
		return tf;
	bool no_apic_vector = tf->vector < VEC_EXCEPTIONS || tf->vector == VEC_INT80;
	bool entered_from_user = from_user;

	if (from_user)
		klock_enter_user(no_apic_vector, klock_entry_of(tf));
	else if (no_apic_vector)
		klock_enter();
	else
		klock_enter_irq(); /* an APIC vector in service: spin only */
	if (tf->vector < VEC_EXCEPTIONS) {
		if (from_user) {
			user_exception(tf, cr2);
		} else if (is_bad_iret(tf)) {
			tf = bad_iret(tf);
			from_user = true;
		} else if (!kernel_fixup(tf) && !arch_efi_call_fixup(tf)) {
			fatal_exception(tf); /* not a user copy, not a firmware call */
		}
	} else if (tf->vector == VEC_INT80) {
		syscall_int80(tf);
	} else {
		irq_dispatch(tf);
		report_nmis();
		lapic_report_errors();
	}
	if (from_user) {
		sched_preempt_point(tf);
		signal_deliver(tf); /* after the switch: a signal may have come meanwhile */
	}
	if (entered_from_user)
		klock_leave_user();
	else
		klock_leave();
	return tf;
}
