// SPDX-License-Identifier: MIT
/*
 * Kestrel: signals. A signal is a bit in the process's pending set;
 * on every return to user mode signal_deliver() takes the lowest
 * pending, unblocked one and either runs its handler, ignores it, or
 * applies the default action. A handler runs on a frame the kernel
 * builds on the user stack (or the alternate stack): the return
 * address, a ucontext with every register and the signal mask, the
 * siginfo, and the FPU state. rt_sigreturn reads it back and leaves by
 * IRET, since any register (RCX and R11 included) may have changed.
 */
#include "sys/syscall_define.h"
#include "proc/signal.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "mm/layout.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "sys/syscall.h"
#include "log.h"

#define SIG_DFL 0
#define SIG_IGN 1
#define SA_NOCLDWAIT 0x00000002ull
#define SA_SIGINFO   0x00000004ull
#define SA_RESTORER  0x04000000ull
#define SA_ONSTACK   0x08000000ull
#define SA_RESTART   0x10000000ull
#define SA_NODEFER   0x40000000ull
#define SA_RESETHAND 0x80000000ull
#define SS_ONSTACK   1
#define SS_DISABLE   2
#define MINSIGSTKSZ  2048

#define SIGHUP  1
#define SIGINT  2
#define SIGQUIT 3
#define SIGABRT 6
#define SIGUSR1 10
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG  23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGWINCH 28
#define SIGSYS  31

#define SI_USER   0
#define SI_KERNEL 0x80
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
/* The wait status's WCOREDUMP bit (0x80) says a core file was written.
 * Kestrel writes none (and RLIMIT_CORE is 0 by default, as in Linux, which
 * then sets no flag), so a death by a core-action signal never claims one:
 * busybox sh prints "Segmentation fault", not "... (core dumped)". */
#define WCOREFLAG 0
#define RED_ZONE  128
#define FXSAVE_BYTES 512
#define VEC_SYSCALL 0x100
#define SYSCALL_INSN_LEN 2      /* both "syscall" and "int $0x80" */
/* What rt_sigreturn takes from the frame: Linux's FIX_EFLAGS. IOPL, IF, NT,
 * VM stay as the kernel had them. */
#define RFLAGS_USER_CHANGEABLE (RFLAGS_AC | RFLAGS_OF | RFLAGS_DF | RFLAGS_TF | RFLAGS_SF | \
				RFLAGS_ZF | RFLAGS_AF | RFLAGS_PF | RFLAGS_CF | RFLAGS_RF)
/* ucontext.uc_flags (Linux): the frame's ss is meaningful, and restore it
 * exactly (a bad one then faults the IRET: SIGSEGV); without STRICT, a bad
 * ss is replaced by the user data selector (old DOSEMU and CRIU frames). */
#define UC_SIGCONTEXT_SS     0x2
#define UC_STRICT_RESTORE_SS 0x4
#define MXCSR_VALID 0xffbfu

/* The Linux x86_64 signal frame, as user space expects it. */
struct sigcontext_k {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved[8];
};

struct stack_k {
	uint64_t sp;
	int32_t flags;
	int32_t pad;
	uint64_t size;
};

struct ucontext_k {
	uint64_t flags;
	uint64_t link;
	struct stack_k stack;
	struct sigcontext_k mc;
	uint64_t sigmask;
};

struct siginfo_k {
	int32_t signo, errno_, code, pad;
	union {
		uint64_t addr;                                   /* SIGSEGV, SIGBUS, ... */
		struct { int32_t pid; uint32_t uid; int32_t status; } chld; /* SIGCHLD, kill */
	};
	uint8_t rest[128 - 16 - 16];
};

struct rt_sigframe {
	uint64_t pretcode;        /* the handler's return address: sa_restorer */
	struct ucontext_k uc;
	struct siginfo_k info;
};

_Static_assert(sizeof(struct sigcontext_k) == 256, "sigcontext");
_Static_assert(sizeof(struct siginfo_k) == 128, "siginfo");

enum dfl { DFL_TERM, DFL_CORE, DFL_IGNORE, DFL_STOP };

static uint64_t bit(int sig)
{
	return 1ull << (sig - 1);
}

static const uint64_t unblockable = (1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1));

static enum dfl default_action(int sig);

/* Would sig do nothing at all if delivered now? Such a signal is not
 * even queued (as in Linux), so it cannot interrupt a blocking call. */
static bool ignored(const struct process *p, int sig)
{
	uint64_t h = p->sig_action[sig - 1].handler;
	if (sig == SIGKILL || sig == SIGSTOP)
		return false;
	for (const struct thread *t = p->threads; t; t = t->group_next)
		if (t->sig_blocked & bit(sig))
			return false; /* it may unblock it later */
	return h == SIG_IGN || (h == SIG_DFL && default_action(sig) == DFL_IGNORE);
}

/* Forget sig wherever it is pending in p: the process and each thread. */
static void discard_pending(struct process *p, uint64_t mask)
{
	p->sig_pending &= ~mask;
	for (struct thread *t = p->threads; t; t = t->group_next)
		t->sig_pending &= ~mask;
}

/* Tell the parent its child stopped or continued (wait4 and SIGCHLD). */
static void notify_parent(struct process *p)
{
	if (!p->parent)
		return;
	p->parent->chld_pid = p->pid;
	wake_all(&p->parent->child_wq);
	signal_send(p->parent, SIGCHLD);
}

/* SIGCONT resumes a stopped process whatever its disposition; a stop
 * signal cancels a pending SIGCONT and vice versa. */
static void job_control_send(struct process *p, int sig)
{
	if (sig == SIGCONT) {
		discard_pending(p, bit(SIGSTOP) | bit(SIGTSTP) | bit(SIGTTIN) | bit(SIGTTOU));
		if (p->stopped) {
			p->stopped = false;
			p->cont_report = true;
			p->stop_report = false;
			wake_all(&p->stop_wq);
			notify_parent(p);
		}
	} else if (default_action(sig) == DFL_STOP) {
		discard_pending(p, bit(SIGCONT));
	}
}

/* Queue sig for p as sent by process from_pid (0: the kernel). */
/* As Linux's init (SIGNAL_UNKILLABLE), pid 1 takes only the signals it
 * has a handler for (or ignores): one left at SIG_DFL is dropped, SIGKILL
 * and SIGSTOP from a process included, so no program can end or stop it
 * (kill returns 0). The kernel's own SIGKILL and SIGSTOP (the OOM killer,
 * the self-test harness) still act, and a fault in init is not sent this
 * way: it kills init, as in Linux. */
static bool init_drops(const struct process *p, int sig, int from_pid)
{
	if (p->pid != INIT_PID || p->sig_action[sig - 1].handler != SIG_DFL)
		return false;
	return from_pid != 0 || (sig != SIGKILL && sig != SIGSTOP);
}

static int send_from(struct process *p, int sig, int from_pid)
{
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (sig == 0 || !p || p->state != PROC_ALIVE)
		return 0;
	job_control_send(p, sig);
	if (ignored(p, sig) || init_drops(p, sig, from_pid))
		return 0;
	uint64_t f = irq_save();
	p->sig_from_pid[sig - 1] = from_pid;
	p->sig_pending |= bit(sig);
	/* Interrupt the blocking calls of the threads that may take it. */
	for (struct thread *t = p->threads; t; t = t->group_next)
		if ((bit(sig) & ~t->sig_blocked) && t->state == THREAD_SLEEPING)
			thread_make_runnable(t);
	irq_restore(f);
	return 0;
}

int signal_send_thread(struct process *p, struct thread *t, int sig)
{
	if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCONT || sig == 0)
		return signal_send(p, sig);
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (p->state != PROC_ALIVE || ignored(p, sig))
		return 0;
	uint64_t f = irq_save();
	struct process *from = current_process();
	p->sig_from_pid[sig - 1] = from ? from->pid : 0;
	t->sig_pending |= bit(sig);
	if (!(t->sig_blocked & bit(sig)) && t->state == THREAD_SLEEPING)
		thread_make_runnable(t);
	irq_restore(f);
	return 0;
}

int signal_send(struct process *p, int sig)
{
	struct process *from = current_process();

	return send_from(p, sig, from ? from->pid : 0);
}

int signal_send_kernel(struct process *p, int sig)
{
	return send_from(p, sig, 0);
}

struct pgrp_send {
	int pgid, sig, found;
};

static void send_if_in_group(struct process *p, void *arg)
{
	struct pgrp_send *s = arg;
	if (p->pgid == s->pgid && p->state == PROC_ALIVE) {
		signal_send(p, s->sig);
		s->found++;
	}
}

int signal_send_pgrp(int pgid, int sig)
{
	struct pgrp_send s = { pgid, sig, 0 };

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	process_for_each(send_if_in_group, &s);
	return s.found ? 0 : -ESRCH;
}

bool signal_child_autoreap(const struct process *p)
{
	const struct sigaction_k *sa = &p->sig_action[SIGCHLD - 1];

	return sa->handler == SIG_IGN || (sa->flags & SA_NOCLDWAIT);
}

bool signal_blocked_or_ignored(const struct process *p, int sig)
{
	return (current_thread()->sig_blocked & bit(sig)) || p->sig_action[sig - 1].handler == SIG_IGN;
}

bool signal_pending(void)
{
	struct process *p = current_process();
	struct thread *t = current_thread();

	return p && (t->must_exit || ((p->sig_pending | t->sig_pending) & ~t->sig_blocked));
}

bool fatal_signal_pending(void)
{
	struct process *p = current_process();
	struct thread *t = current_thread();

	return p && (t->must_exit || p->exiting || ((p->sig_pending | t->sig_pending) & bit(SIGKILL)));
}

int signal_kills_now(void)
{
	struct process *p = current_process();
	struct thread *t = current_thread();

	if (!p)
		return 0;
	uint64_t pending = p->sig_pending | t->sig_pending;
	if (pending & bit(SIGKILL))
		return SIGKILL;
	pending &= ~t->sig_blocked;
	for (int sig = 1; sig <= NSIG; sig++)
		if ((pending & bit(sig)) && p->sig_action[sig - 1].handler == SIG_DFL &&
		    default_action(sig) == DFL_TERM)
			return sig;
	return 0;
}

uint64_t signal_pending_set(void)
{
	struct process *p = current_process();

	return p ? p->sig_pending | current_thread()->sig_pending : 0;
}


void signal_force_fault(int sig, int code, uint64_t addr)
{
	struct process *p = current_process();

	current_thread()->sig_blocked &= ~bit(sig);
	if (p->sig_action[sig - 1].handler == SIG_IGN)
		p->sig_action[sig - 1].handler = SIG_DFL;
	p->fault_addr = addr;
	p->fault_code = code;
	p->sig_pending |= bit(sig);
}

void signal_reset_on_exec(struct process *p)
{
	for (int i = 0; i < NSIG; i++)
		if (p->sig_action[i].handler != SIG_IGN)
			p->sig_action[i] = (struct sigaction_k){ 0 };
	struct thread *t = current_thread(); /* exec runs in the thread that stays */

	t->altstack_sp = t->altstack_size = 0;
	t->altstack_flags = SS_DISABLE;
}

static enum dfl default_action(int sig)
{
	switch (sig) {
	case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
		return DFL_IGNORE;
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return DFL_STOP;
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
	case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return DFL_CORE;
	default:
		return DFL_TERM;
	}
}

/* The lowest pending, unblocked signal (SIGKILL first), or 0. */
static int next_signal(struct process *p)
{
	const struct thread *t = current_thread();
	uint64_t ready = (p->sig_pending | t->sig_pending) & ~(t->sig_blocked & ~unblockable);

	if (ready & bit(SIGKILL))
		return SIGKILL;
	return ready ? __builtin_ctzll(ready) + 1 : 0;
}

/* A system call interrupted with -ERESTARTSYS: restart it, or fail it
 * with -EINTR when a handler without SA_RESTART is about to run. */
static void fix_restart(struct trap_frame *tf, bool handler, uint64_t sa_flags)
{
	if ((tf->vector != VEC_SYSCALL && tf->vector != VEC_INT80) || (int64_t)tf->rax != -ERESTARTSYS)
		return;
	if (handler && !(sa_flags & SA_RESTART)) {
		tf->rax = (uint64_t)-EINTR;
		return;
	}
	tf->rax = current_thread()->syscall_nr;
	tf->rip -= SYSCALL_INSN_LEN;
	current_thread()->force_iret = true;
}

static void fill_context(struct sigcontext_k *mc, const struct trap_frame *tf, uint64_t mask,
			 uint64_t fpstate)
{
	*mc = (struct sigcontext_k){
		tf->r8, tf->r9, tf->r10, tf->r11, tf->r12, tf->r13, tf->r14, tf->r15,
		tf->rdi, tf->rsi, tf->rbp, tf->rbx, tf->rdx, tf->rax, tf->rcx, tf->rsp, tf->rip,
		tf->rflags, (uint16_t)tf->cs, 0, 0, (uint16_t)tf->ss,
		tf->error, tf->vector < VEC_EXCEPTIONS ? tf->vector : 0, mask, 0, fpstate, { 0 },
	};
}

/* What the handler's siginfo says: the fault address for a fault, the
 * child's fate for SIGCHLD, the sender for anything sent with kill. */
static void fill_info(struct process *p, int sig, struct siginfo_k *info)
{
	info->signo = sig;
	if (p->fault_code) {
		info->code = p->fault_code;
		info->addr = p->fault_addr;
		p->fault_code = 0;
		p->fault_addr = 0;
	} else if (sig == SIGCHLD && p->chld_pid) {
		int ws = p->chld_status, s = ws & 0x7f;
		info->code = !s ? CLD_EXITED : (ws & 0x80) ? CLD_DUMPED : CLD_KILLED;
		info->chld.pid = p->chld_pid;
		info->chld.status = s ? s : (ws >> 8) & 0xff;
	} else {
		info->code = p->sig_from_pid[sig - 1] ? SI_USER : SI_KERNEL;
		info->chld.pid = p->sig_from_pid[sig - 1];
	}
}

/* True when rsp is on thread t's alternate signal stack. */
static bool on_altstack(const struct thread *t, uint64_t rsp)
{
	return rsp >= t->altstack_sp && rsp < t->altstack_sp + t->altstack_size;
}

/* Where the frame goes: the thread's alternate stack if asked for and
 * not already on it, else below the red zone of the interrupted stack. */
static uint64_t frame_top(const struct trap_frame *tf, uint64_t sa_flags)
{
	const struct thread *t = current_thread();

	if ((sa_flags & SA_ONSTACK) && !(t->altstack_flags & SS_DISABLE) && !on_altstack(t, tf->rsp))
		return t->altstack_sp + t->altstack_size;
	return tf->rsp - RED_ZONE;
}

/* Build the frame and point tf at the handler. false if the frame could
 * not be written (a bad stack): the caller kills the process. */
static bool setup_frame(struct process *p, struct trap_frame *tf, int sig,
			const struct sigaction_k *act)
{
	static uint8_t fx[FXSAVE_BYTES] __attribute__((aligned(16)));
	struct rt_sigframe fr;
	uint64_t top = frame_top(tf, act->flags);
	uint64_t fpstate = (top - FXSAVE_BYTES) & ~63ull;
	uint64_t at = ((fpstate - sizeof(fr)) & ~15ull) - 8; /* as if called: (rsp + 8) % 16 == 0 */

	/* the mask to restore on return: sigsuspend's caller's, not its temporary one */
	const struct thread *t = current_thread();
	uint64_t restore = t->sigsuspend_active ? t->sigsuspend_saved : t->sig_blocked;

	memset(&fr, 0, sizeof(fr));
	fr.pretcode = act->restorer;
	fr.uc.flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS; /* as Linux's 64-bit frames */
	fr.uc.stack = (struct stack_k){ t->altstack_sp, (int32_t)t->altstack_flags, 0, t->altstack_size };
	fill_context(&fr.uc.mc, tf, restore, fpstate);
	fr.uc.sigmask = restore;
	fill_info(p, sig, &fr.info);
	__asm__ volatile("fxsave64 %0" : "=m"(fx));
	if (copy_to_user(fpstate, fx, sizeof(fx)) || copy_to_user(at, &fr, sizeof(fr)))
		return false;
	tf->rsp = at;
	tf->rip = act->handler;
	tf->rdi = (uint64_t)sig;
	tf->rsi = at + __builtin_offsetof(struct rt_sigframe, info);
	tf->rdx = at + __builtin_offsetof(struct rt_sigframe, uc);
	tf->rax = 0;
	tf->rflags &= ~(RFLAGS_DF | RFLAGS_TF);
	tf->cs = USER_CS;
	tf->ss = USER_DS;
	current_thread()->force_iret = true;
	return true;
}

/* While p is stopped, its threads wait here (interrupts off) on their
 * way back to user mode, until SIGCONT, SIGKILL or an exit. */
static void wait_while_stopped(struct process *p, const struct thread *t)
{
	while (p->stopped && !(p->sig_pending & bit(SIGKILL)) && !t->must_exit)
		wait_on(&p->stop_wq, 0);
}

/* Stop p (interrupts off) until SIGCONT or SIGKILL; its other threads
 * stop as they next return to user mode. */
static void stop_current(struct process *p, int sig)
{
	p->stopped = true;
	p->stop_sig = sig;
	p->stop_report = true;
	p->cont_report = false;
	notify_parent(p);
	wait_while_stopped(p, current_thread());
	if (p->sig_pending & bit(SIGKILL))
		p->stopped = false;
}

/* Run the handler of sig (act): restart or fail the interrupted call,
 * build the frame, and block what the handler blocks. */
static void run_handler(struct process *p, struct thread *t, struct trap_frame *tf, int sig,
			struct sigaction_k *act)
{
	struct sigaction_k a = *act;

	fix_restart(tf, true, act->flags);
	if (!setup_frame(p, tf, sig, &a)) {
		klog(LOG_WARN, "kestrel: pid %d (%s): bad stack for signal %d handler\n", p->pid,
		     p->name, sig);
		process_exit_current(WSTATUS_SIGNALED(SIGSEGV) | WCOREFLAG);
	}
	if (t->sigsuspend_active)
		t->sig_blocked = t->sigsuspend_saved;
	t->sigsuspend_active = false;
	t->sig_blocked |= a.mask | ((a.flags & SA_NODEFER) ? 0 : bit(sig));
	t->sig_blocked &= ~unblockable;
	if (a.flags & SA_RESETHAND)
		*act = (struct sigaction_k){ 0 };
}

/* Take the next pending signal(s) of the current thread: run a handler
 * (then stop), ignore, stop, or die. */
static void deliver(struct process *p, struct thread *t, struct trap_frame *tf)
{
	int sig;

	if (t->must_exit)
		process_thread_exit_current(0); /* the status is exit_group's, or unused */
	wait_while_stopped(p, t);
	if (t->must_exit)
		process_thread_exit_current(0);
	while ((sig = next_signal(p)) != 0) {
		struct sigaction_k *act = &p->sig_action[sig - 1];
		if (t->sig_pending & bit(sig))
			t->sig_pending &= ~bit(sig); /* the thread's own first */
		else
			p->sig_pending &= ~bit(sig);
		if (sig != SIGKILL && act->handler == SIG_IGN)
			continue;
		if (sig == SIGKILL || act->handler == SIG_DFL) {
			enum dfl d = default_action(sig);
			if (d == DFL_STOP)
				stop_current(p, sig);
			if (d == DFL_IGNORE || d == DFL_STOP)
				continue;
			process_exit_current(WSTATUS_SIGNALED(sig) | (d == DFL_CORE ? WCOREFLAG : 0));
		}
		run_handler(p, t, tf, sig, act);
		return;
	}
	if (t->sigsuspend_active) { /* nothing ran a handler: back to the caller's mask */
		t->sig_blocked = t->sigsuspend_saved;
		t->sigsuspend_active = false;
	}
	fix_restart(tf, false, 0);
}

/*
 * The last step before any return to user mode. The frame's RIP must be
 * a user address: a handler or sigreturn frame may hold any value, and an
 * IRET to a non-canonical RIP faults in the kernel on hardware but not
 * under QEMU (which would run on there), while a kernel-half one would
 * fault in user mode. Linux's result is SIGSEGV either way: the SIGSEGV
 * handler runs if it has a usable one, otherwise the process dies.
 */
void signal_deliver(struct trap_frame *tf)
{
	struct process *p = current_process();
	struct thread *t = current_thread();

	if (!p)
		return;
	deliver(p, t, tf);
	if (tf->rip < USER_TOP)
		return;
	klog(LOG_WARN, "kestrel: pid %d (%s): return to a non-user rip %#lx: SIGSEGV\n", p->pid,
	     p->name, tf->rip);
	signal_force_fault(SIGSEGV, SI_KERNEL, 0);
	deliver(p, t, tf);
	if (tf->rip >= USER_TOP) /* a handler at a bad address as well */
		process_exit_current(WSTATUS_SIGNALED(SIGSEGV) | WCOREFLAG);
}

/* ---- the system calls ---- */

SYSCALL_DEFINE4(rt_sigaction, int, sig, uptr_t, act, uptr_t, oact, size_t, size)
{
	struct process *p = current_process();
	struct sigaction_k k;

	if (sig < 1 || sig > NSIG || size != sizeof(uint64_t))
		return -EINVAL;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (oact && copy_to_user(oact, &p->sig_action[sig - 1], sizeof(k)))
		return -EFAULT;
	if (act) {
		if (copy_from_user(&k, act, sizeof(k)))
			return -EFAULT;
		k.mask &= ~unblockable;
		p->sig_action[sig - 1] = k;
		bool dfl_ignore = k.handler == SIG_DFL && default_action((int)sig) == DFL_IGNORE;
		if (k.handler == SIG_IGN || dfl_ignore)
			discard_pending(p, bit((int)sig)); /* POSIX: discarded, blocked or not */
	}
	return 0;
}

SYSCALL_DEFINE4(rt_sigprocmask, int, how, uptr_t, set, uptr_t, oset, size_t, size)
{
	struct thread *t = current_thread();
	uint64_t s;

	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (oset && copy_to_user(oset, &t->sig_blocked, sizeof(s)))
		return -EFAULT;
	if (!set)
		return 0;
	if (copy_from_user(&s, set, sizeof(s)))
		return -EFAULT;
	switch (how) {
	case 0: t->sig_blocked |= s; break;   /* SIG_BLOCK */
	case 1: t->sig_blocked &= ~s; break;  /* SIG_UNBLOCK */
	case 2: t->sig_blocked = s; break;    /* SIG_SETMASK */
	default: return -EINVAL;
	}
	t->sig_blocked &= ~unblockable;
	return 0;
}

SYSCALL_DEFINE2(rt_sigpending, uptr_t, set, size_t, size)
{
	struct process *p = current_process();
	uint64_t s = (p->sig_pending | current_thread()->sig_pending) & current_thread()->sig_blocked;

	if (size != sizeof(uint64_t))
		return -EINVAL;
	return copy_to_user(set, &s, sizeof(s));
}

/* The selectors of a sigreturn frame, as Linux's restore_sigcontext takes
 * them: RPL forced to 3 (so no frame can raise privilege), otherwise the
 * user's; a bad one makes the IRET fault, which bad_iret (trap.c) turns
 * into SIGSEGV. A bad ss with the 64-bit cs and no UC_STRICT_RESTORE_SS is
 * replaced by the user data selector, the only valid ring-3 SS here. */
static void restore_selectors(struct trap_frame *tf, const struct ucontext_k *uc)
{
	tf->cs = uc->mc.cs | SEL_RPL3;
	tf->ss = uc->mc.ss | SEL_RPL3;
	if (!(uc->flags & UC_STRICT_RESTORE_SS) && tf->cs == USER_CS)
		tf->ss = USER_DS;
}

/* Restore what setup_frame saved; only user-changeable flags come back.
 * A RIP outside user space gives SIGSEGV on the way out (signal_deliver),
 * a bad selector when the IRET faults: Linux's results. */
SYSCALL_DEFINE0(rt_sigreturn)
{
	static uint8_t fx[FXSAVE_BYTES] __attribute__((aligned(16)));
	struct trap_frame *tf = current_thread()->uframe;
	struct ucontext_k uc;
	uint64_t at = tf->rsp - 8; /* the handler's ret popped pretcode */

	if (copy_from_user(&uc, at + __builtin_offsetof(struct rt_sigframe, uc), sizeof(uc)))
		process_exit_current(WSTATUS_SIGNALED(SIGSEGV) | WCOREFLAG);
	const struct sigcontext_k *m = &uc.mc;
	tf->r8 = m->r8; tf->r9 = m->r9; tf->r10 = m->r10; tf->r11 = m->r11;
	tf->r12 = m->r12; tf->r13 = m->r13; tf->r14 = m->r14; tf->r15 = m->r15;
	tf->rdi = m->rdi; tf->rsi = m->rsi; tf->rbp = m->rbp; tf->rbx = m->rbx;
	tf->rdx = m->rdx; tf->rcx = m->rcx; tf->rsp = m->rsp; tf->rip = m->rip;
	tf->rflags = (tf->rflags & ~RFLAGS_USER_CHANGEABLE) | (m->eflags & RFLAGS_USER_CHANGEABLE) |
		     RFLAGS_IF;
	restore_selectors(tf, &uc);
	current_thread()->sig_blocked = uc.sigmask & ~unblockable;
	if (m->fpstate && copy_from_user(fx, m->fpstate, sizeof(fx)) == 0) {
		uint32_t *mxcsr = (uint32_t *)(fx + 24);
		*mxcsr &= MXCSR_VALID; /* a reserved bit would make fxrstor fault in the kernel */
		__asm__ volatile("fxrstor64 %0" ::"m"(fx));
	}
	current_thread()->force_iret = true; /* signal return leaves through IRET */
	return (long)m->rax;
}

SYSCALL_DEFINE2(sigaltstack, uptr_t, ss, uptr_t, old)
{
	struct thread *t = current_thread();
	struct stack_k k = { t->altstack_sp, (int32_t)t->altstack_flags, 0, t->altstack_size };
	bool on = on_altstack(t, t->uframe->rsp);

	if (on)
		k.flags = SS_ONSTACK;
	if (old && copy_to_user(old, &k, sizeof(k)))
		return -EFAULT;
	if (!ss)
		return 0;
	if (copy_from_user(&k, ss, sizeof(k)))
		return -EFAULT;
	if (on)
		return -EPERM;
	if (k.flags & ~SS_DISABLE)
		return -EINVAL;
	if (!(k.flags & SS_DISABLE) && k.size < MINSIGSTKSZ)
		return -ENOMEM;
	t->altstack_sp = k.sp;
	t->altstack_size = k.size;
	t->altstack_flags = (uint32_t)k.flags;
	return 0;
}

/* rt_sigsuspend: wait for a signal with a temporary mask. The handler
 * runs with the old mask restored by the frame (saved below). */
SYSCALL_DEFINE2(rt_sigsuspend, uptr_t, set, size_t, size)
{
	struct thread *t = current_thread();
	uint64_t s, old = t->sig_blocked;

	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&s, set, sizeof(s)))
		return -EFAULT;
	t->sig_blocked = s & ~unblockable;
	while (!signal_pending())
		wait_on(NULL, 0);
	/* deliver with the temporary mask, but have the frame save the old one */
	t->sig_blocked = s & ~unblockable;
	t->sigsuspend_saved = old;
	t->sigsuspend_active = true;
	return -EINTR;
}

int signal_mask_enter(uint64_t umask, uint64_t size, uint64_t *old)
{
	struct thread *t = current_thread();
	uint64_t s;

	*old = t->sig_blocked;
	if (!umask)
		return 0;
	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&s, umask, sizeof(s)))
		return -EFAULT;
	t->sig_blocked = s & ~unblockable;
	return 0;
}

void signal_mask_leave(uint64_t old, bool interrupted)
{
	struct thread *t = current_thread();

	if (interrupted && t->sig_blocked != old) {
		t->sigsuspend_saved = old;
		t->sigsuspend_active = true;
	} else {
		t->sig_blocked = old;
	}
}

SYSCALL_DEFINE0(pause)
{
	while (!signal_pending())
		wait_on(NULL, 0);
	return -EINTR;
}
