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
 * This file is the POSIX side (which signal, masks, dispositions,
 * restarts); the frame itself is the machine's: arch/x86_64/signal.c.
 */
#include "sys/syscall_define.h"
#include "proc/signal.h"
#include "proc/coredump.h"
#include "proc/process.h"
#include "proc/ptrace.h"
#include "proc/sched.h"
#include "proc/sigqueue.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/klock.h"
#include "arch/x86_64/signal.h"
#include "mm/layout.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "sys/syscall.h"
#include "log.h"
#include "uapi/signal.h"
#include "uapi/seccomp.h"
#include "uapi/unistd.h"
#include "uapi/wait.h"


_Static_assert(sizeof(struct siginfo_k) == ARCH_SIGINFO_SIZE, "siginfo");

enum dfl { DFL_TERM, DFL_CORE, DFL_IGNORE, DFL_STOP };

static uint64_t bit(int sig)
{
	return 1ull << (sig - 1);
}

static const uint64_t unblockable = SIG_UNBLOCKABLE;

static enum dfl default_action(int sig);

/* Does a thread of p block sig? Such a signal is never dropped at send
 * (Linux's sig_ignored): it may be unblocked, or taken by sigwait. */
static bool blocked_in(const struct process *p, int sig)
{
	for (const struct thread *t = p->threads; t; t = t->group_next)
		if (t->sig_blocked & bit(sig))
			return true;
	return false;
}

/* Would sig do nothing at all if delivered now? Such a signal is not
 * even queued (as in Linux), so it cannot interrupt a blocking call. */
static bool ignored(const struct process *p, int sig)
{
	uint64_t h = p->sighand->action[sig - 1].handler;
	if (sig == SIGKILL || sig == SIGSTOP || ptrace_traced(&p->ptrace))
		return false; /* as Linux: a tracer sees even ignored signals */
	if (blocked_in(p, sig))
		return false;
	return h == SIG_IGN || (h == SIG_DFL && default_action(sig) == DFL_IGNORE);
}

/* Forget sig wherever it is pending in p: the process and each thread. */
static void discard_pending(struct process *p, uint64_t mask)
{
	sigqueue_flush(p, mask);
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
	process_child_event(p->parent);
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

/*
 * As Linux's init (SIGNAL_UNKILLABLE), pid 1 takes only the signals it
 * has a handler for (or ignores), or blocks: one it neither blocks nor
 * handles is dropped when sent, SIGKILL and SIGSTOP from a process
 * included, so no program can end or stop it (kill returns 0; Linux's
 * sig_task_ignored). A blocked one is queued, as Linux drops nothing
 * blocked (sig_ignored): an init that takes its signals by sigtimedwait
 * or signalfd (tini, busybox sh's wait) gets them, and one still at
 * SIG_DFL when it is unblocked is dropped at delivery instead
 * (init_spares). The kernel's own SIGKILL and SIGSTOP (the OOM killer,
 * the self-test harness) still act, and a fault in init is not sent this
 * way: it kills init, as in Linux.
 */
static bool init_drops(const struct process *p, int sig, int from_pid)
{
	if (p->pid != INIT_PID || p->sighand->action[sig - 1].handler != SIG_DFL ||
	    blocked_in(p, sig))
		return false;
	return from_pid != 0 || (sig != SIGKILL && sig != SIGSTOP);
}

/* Whether p is init and its default action for sig, about to be taken,
 * is not: a signal queued while blocked and unblocked at SIG_DFL
 * (Linux's get_signal, SIGNAL_UNKILLABLE). SIGKILL and SIGSTOP reach
 * init only from the kernel (init_drops) and act; a forced fault makes
 * init killable for good (signal_force_fault). */
static bool init_spares(const struct process *p, int sig)
{
	return p->pid == INIT_PID && !p->init_killable && sig != SIGKILL && sig != SIGSTOP;
}

/* signal_set_queued_hook's callback, or NULL. */
static void (*queued_hook)(void);

void signal_set_queued_hook(void (*fn)(void))
{
	queued_hook = fn;
}

/* signal_set_timer_hook's callback, or NULL. */
static void (*timer_hook)(struct process *p, struct siginfo_k *info);

void signal_set_timer_hook(void (*fn)(struct process *p, struct siginfo_k *info))
{
	timer_hook = fn;
}

/* Record who sent sig to p: si_pid from_pid, si_uid the sending
 * thread's real uid (0 from the kernel), no queued si_code or si_value.
 * Interrupts off. */
static void note_sender(struct process *p, int sig, int from_pid)
{
	p->sig_from_pid[sig - 1] = from_pid;
	p->sig_from_uid[sig - 1] = from_pid ? current_cred()->uid : 0;
	p->sig_queued &= ~bit(sig);
}

/* signal_send_queued's siginfo for the send under way (NULL: a kill's). */
static const struct siginfo_k *send_info;

/* A real-time signal's instance for p (tid: the thread it goes to, 0:
 * the process), with send_info's details or a kill's (SI_USER, from_pid
 * and the sender's real uid). Interrupts off. -EAGAIN past the queue's
 * limit for one sent with its own siginfo (Linux: si_code != SI_USER);
 * a kill's is pending without its details then; 0 otherwise. */
static int rt_enqueue(struct process *p, int tid, int sig, int from_pid)
{
	struct siginfo_k kill_info = { .signo = sig, .code = from_pid ? SI_USER : SI_KERNEL };

	if (sig < SIGRTMIN)
		return 0;
	kill_info.rt.pid = from_pid;
	kill_info.rt.uid = from_pid ? current_cred()->uid : 0;
	int err = sigqueue_add(p, tid, sig, send_info ? send_info : &kill_info);
	return send_info && send_info->code != SI_USER ? err : 0;
}

/* sig was taken off p's pending bits: if another real-time instance of it
 * is queued, it is pending again (on the thread it was sent to). */
static void rt_dequeued(struct process *p, int sig)
{
	int tid = sig >= SIGRTMIN ? sigqueue_second_tid(p, sig) : -1;
	struct thread *t = p->threads;

	if (tid < 0)
		return;
	while (tid && t && t->tid != tid)
		t = t->group_next;
	if (tid && t)
		t->sig_pending |= bit(sig);
	else
		p->sig_pending |= bit(sig);
}

/* Take sig off the pending set of thread t (its own first) or of its
 * process p: the one step every taker shares (delivery, signalfd,
 * sigwait). A further real-time instance of sig stays pending. */
static void take_pending(struct process *p, struct thread *t, int sig)
{
	if (t->sig_pending & bit(sig))
		t->sig_pending &= ~bit(sig);
	else
		p->sig_pending &= ~bit(sig);
	rt_dequeued(p, sig);
}

/* A real-time signal taken off the pending bits that no handler will
 * see (ignored, stopped, or replaced by a tracer): its instance goes. */
static void rt_drop(struct process *p, int sig)
{
	if (sig >= SIGRTMIN)
		sigqueue_first(p, sig, NULL, true);
}

/*
 * The barrier between a store and a load on each side of a thread's
 * signal mask. A sender sets a pending bit, then reads thread masks to
 * choose whom to wake (send_from, signal_send_thread); a thread changes its own mask
 * without the kernel lock (set_blocked), then reads the pending bits.
 * With a full barrier on both sides at least one of the two sees the
 * other's store, so a signal a thread has just unblocked is either seen
 * by that thread on its way out or has it kicked, and one it has just
 * blocked is either passed over by the sender or retargeted by the
 * thread.
 */
static inline void mask_barrier(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* May thread t of a process take sig now (Linux's wants_signal, short of
 * its "no signal pending yet" preference): alive and not blocking it. */
static bool takes(const struct thread *t, int sig)
{
	return t->state != THREAD_DEAD && !(t->sig_blocked & bit(sig));
}

/* Does sig, pending for all of p, go to one thread (its handler runs
 * once, on the thread that takes it) rather than to the whole process (a
 * default action kills, stops or continues every thread; a tracer looks
 * at it first)? */
static bool for_one_thread(const struct process *p, int sig)
{
	uint64_t h = p->sighand->action[sig - 1].handler;

	return sig != SIGKILL && sig != SIGSTOP && h != SIG_DFL && h != SIG_IGN &&
	       !ptrace_traced(&p->ptrace);
}

/*
 * Wake the threads of p that may take sig, now pending for all of p. A
 * signal with a handler wakes one, as Linux's complete_signal: prefer
 * when it may take it (the thread whose CPU time ran an ITIMER_PROF
 * down; NULL: the leader, as for kill), else the first that may. Waking every
 * thread instead lets an idle one (asleep in pthread_join on another
 * CPU) win the race to the handler against the thread the signal was
 * meant for. Interrupts off.
 */
static void wake_takers(struct process *p, int sig, struct thread *prefer)
{
	if (for_one_thread(p, sig)) {
		if (!prefer)
			prefer = process_leader(p);
		struct thread *t = prefer && prefer->proc == p && takes(prefer, sig) ? prefer : NULL;
		for (struct thread *u = p->threads; !t && u; u = u->group_next)
			if (takes(u, sig))
				t = u;
		if (t && t->state != THREAD_RUNNABLE)
			thread_make_runnable(t); /* a sleeper wakes; one running elsewhere is kicked */
		return;
	}
	for (struct thread *t = p->threads; t; t = t->group_next)
		if ((bit(sig) & ~t->sig_blocked) && t->state != THREAD_RUNNABLE)
			thread_make_runnable(t);
}

/* Queue sig for p as sent by process from_pid (0: the kernel). */
static int send_from(struct process *p, int sig, int from_pid, struct thread *prefer)
{
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (sig == 0 || !p || p->state != PROC_ALIVE)
		return 0;
	job_control_send(p, sig);
	if (ignored(p, sig) || init_drops(p, sig, from_pid))
		return 0;
	uint64_t f = irq_save();
	if (rt_enqueue(p, 0, sig, from_pid)) {
		irq_restore(f);
		return -EAGAIN;
	}
	note_sender(p, sig, from_pid);
	p->sig_pending |= bit(sig);
	mask_barrier(); /* the pending bit before any mask is read */
	if (queued_hook)
		queued_hook();
	wake_takers(p, sig, prefer); /* interrupt a blocking call that may take it */
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
	if (rt_enqueue(p, t->tid, sig, from ? from->pid : 0)) {
		irq_restore(f);
		return -EAGAIN;
	}
	note_sender(p, sig, from ? from->pid : 0);
	t->sig_pending |= bit(sig);
	mask_barrier(); /* the pending bit before any mask is read */
	if (queued_hook)
		queued_hook();
	if (!(t->sig_blocked & bit(sig)) && t->state != THREAD_RUNNABLE)
		thread_make_runnable(t); /* a sleeper wakes; one running elsewhere is kicked */
	irq_restore(f);
	return 0;
}

int signal_send_queued(struct process *p, struct thread *t, int sig, const struct siginfo_k *info)
{
	send_info = info; /* a real-time signal's instance carries it (rt_enqueue) */
	int err = t ? signal_send_thread(p, t, sig) : signal_send(p, sig);
	send_info = NULL;
	if (sig >= SIGRTMIN)
		return err;
	uint64_t f = irq_save();
	uint64_t pending = t ? t->sig_pending | p->sig_pending : p->sig_pending;

	if (!err && sig > 0 && (pending & bit(sig))) {
		p->sig_from_pid[sig - 1] = info->rt.pid;
		p->sig_from_uid[sig - 1] = info->rt.uid;
		p->sig_code[sig - 1] = info->code;
		p->sig_value[sig - 1] = info->rt.value;
		p->sig_queued |= bit(sig);
	}
	irq_restore(f);
	return err;
}

int signal_send(struct process *p, int sig)
{
	struct process *from = current_process();

	return send_from(p, sig, from ? from->pid : 0, NULL);
}

int signal_send_kernel(struct process *p, int sig)
{
	return send_from(p, sig, 0, NULL);
}

int signal_send_kernel_prefer(struct process *p, struct thread *prefer, int sig)
{
	return send_from(p, sig, 0, prefer);
}

int signal_send_poll(struct process *p, struct thread *t, int sig, int code, int fd, int64_t band)
{
	if (!p || p->state != PROC_ALIVE)
		return 0;
	uint64_t f = irq_save();
	p->poll_sig = sig;
	p->poll_code = code;
	p->poll_fd = fd;
	p->poll_band = band;
	irq_restore(f);
	struct siginfo_k info = { .signo = sig, .code = code }; /* a real-time one's instance */
	info.poll.band = band;
	info.poll.fd = fd;
	send_info = &info;
	int err = t ? signal_send_thread(p, t, sig) : send_from(p, sig, 0, NULL);
	send_info = NULL;
	return err;
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
	const struct sigaction_k *sa = &p->sighand->action[SIGCHLD - 1];

	return sa->handler == SIG_IGN || (sa->flags & SA_NOCLDWAIT);
}

bool signal_blocked_or_ignored(const struct process *p, int sig)
{
	return (current_thread()->sig_blocked & bit(sig)) || p->sighand->action[sig - 1].handler == SIG_IGN;
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

	return p && !t->exit_io &&
	       (t->must_exit || p->exiting || ((p->sig_pending | t->sig_pending) & bit(SIGKILL)));
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
		if ((pending & bit(sig)) && p->sighand->action[sig - 1].handler == SIG_DFL &&
		    default_action(sig) == DFL_TERM && !init_spares(p, sig))
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
	struct thread *t = current_thread();

	t->sig_blocked &= ~bit(sig);
	if (p->sighand->action[sig - 1].handler == SIG_IGN)
		p->sighand->action[sig - 1].handler = SIG_DFL;
	if (p->sighand->action[sig - 1].handler == SIG_DFL && !ptrace_traced(&p->ptrace))
		p->init_killable = true; /* init dies of it too (Linux's force_sig_info_to_task) */
	t->fault_addr = addr;
	t->fault_code = code;
	t->sig_pending |= bit(sig); /* the faulting thread's, not any thread's (Linux) */
}

void signal_flush_handlers(struct sighand *h)
{
	struct sigaction_k *a = h->action;

	for (int i = 0; i < NSIG; i++) /* SIG_IGN is 1, SIG_DFL 0: one store for both */
		a[i] = (struct sigaction_k){ .handler = a[i].handler == SIG_IGN ? SIG_IGN : SIG_DFL };
}

void signal_reset_on_exec(struct process *p)
{
	signal_flush_handlers(p->sighand);
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

/* A system call interrupted with a restart code (lib/errno.h): restart
 * it, or fail it with -EINTR when a handler is about to run (for
 * -ERESTARTSYS, one without SA_RESTART). An interrupted sleep restarts
 * as restart_syscall, which sleeps on to its saved deadline. */
static void fix_restart(struct trap_frame *tf, bool handler, uint64_t sa_flags)
{
	struct thread *t = current_thread();
	long ret;

	if (!arch_syscall_result(tf, &ret) || !signal_restart_code(ret))
		return;
	if (handler && (ret == -ERESTART_RESTARTBLOCK || ret == -ERESTARTNOHAND || !(sa_flags & SA_RESTART))) {
		t->restart_deadline = 0; /* a later restart_syscall says EINTR */
		arch_syscall_set_result(tf, -EINTR);
		return;
	}
	arch_syscall_restart(tf, ret == -ERESTART_RESTARTBLOCK ? SYS_restart_syscall : t->syscall_nr);
	t->force_iret = true;
}

/* What the handler's siginfo says: the fault address for a fault, the
 * child's fate for SIGCHLD, a real-time signal's own instance (taken
 * from the queue when take, else only read), the sender for anything
 * sent with kill. */
static void fill_info(struct process *p, int sig, struct siginfo_k *info, bool take)
{
	struct thread *t = current_thread(); /* a fault's details are its own thread's */

	info->signo = sig;
	if (t->fault_code) {
		info->code = t->fault_code;
		info->addr = t->fault_addr;
		if (sig == SIGSYS && t->fault_code == SYS_SECCOMP) {
			info->errno_ = t->fault_errno;
			info->sys.syscall = (int32_t)(uint32_t)t->fault_sys;
			info->sys.arch = (uint32_t)(t->fault_sys >> 32);
		}
		t->fault_code = 0;
		t->fault_addr = 0;
	} else if (sig >= SIGRTMIN && sigqueue_first(p, sig, info, take)) {
		if (take && sig == p->poll_sig)
			p->poll_sig = 0; /* the instance carried the I/O details */
	} else if (sig == p->poll_sig) {
		info->code = p->poll_code;
		info->poll.band = p->poll_band;
		info->poll.fd = p->poll_fd;
		p->poll_sig = 0;
	} else if (sig == SIGCHLD && p->chld_pid) {
		info->code = wstatus_cld_code(p->chld_status);
		info->chld.pid = p->chld_pid;
		info->chld.status = wstatus_cld_status(p->chld_status);
	} else if (p->sig_queued & bit(sig)) {
		info->code = p->sig_code[sig - 1];
		info->rt.pid = p->sig_from_pid[sig - 1];
		info->rt.uid = p->sig_from_uid[sig - 1];
		info->rt.value = p->sig_value[sig - 1];
		p->sig_queued &= ~bit(sig);
	} else {
		info->code = p->sig_from_pid[sig - 1] ? SI_USER : SI_KERNEL;
		info->chld.pid = p->sig_from_pid[sig - 1];
		info->chld.uid = p->sig_from_uid[sig - 1];
	}
	if (take && info->code == SI_TIMER && timer_hook)
		timer_hook(p, info); /* a periodic timer re-arms as its signal is taken */
}

int signal_dequeue(uint64_t mask, struct siginfo_k *info)
{
	struct process *p = current_process();
	struct thread *t = current_thread();
	uint64_t f = irq_save();
	uint64_t own = t->sig_pending & mask, shared = p->sig_pending & mask;
	int sig = own ? __builtin_ctzll(own) + 1 : shared ? __builtin_ctzll(shared) + 1 : 0;

	if (sig) {
		take_pending(p, t, sig);
		memset(info, 0, sizeof(*info));
		fill_info(p, sig, info, true);
	}
	irq_restore(f);
	return sig;
}

/* True when rsp is on thread t's alternate signal stack. */
static bool on_altstack(const struct thread *t, uint64_t rsp)
{
	return rsp >= t->altstack_sp && rsp < t->altstack_sp + t->altstack_size;
}

/* Where the frame goes: the top of the thread's alternate stack if asked
 * for and not already on it, else 0: the interrupted stack. */
static uint64_t alt_top(const struct trap_frame *tf, uint64_t sa_flags)
{
	const struct thread *t = current_thread();

	if ((sa_flags & SA_ONSTACK) && !(t->altstack_flags & SS_DISABLE) &&
	    !on_altstack(t, arch_user_sp(tf)))
		return t->altstack_sp + t->altstack_size;
	return 0;
}

/* Build the frame (arch/x86_64/signal.c) and point tf at the handler.
 * false if the frame could not be written (a bad stack): the caller kills
 * the process. */
static bool setup_frame(struct process *p, struct trap_frame *tf, int sig,
			const struct sigaction_k *act)
{
	struct thread *t = current_thread();
	struct siginfo_k info;
	uint64_t top = alt_top(tf, act->flags);

	memset(&info, 0, sizeof(info));
	fill_info(p, sig, &info, true);
	struct arch_sigframe_req req = {
		.sig = sig,
		.handler = act->handler,
		.restorer = act->restorer,
		.alt_top = top,
		/* on the alternate stack, or going there: a frame that would not
		 * fit on it is SIGSEGV, never the memory below it (Linux's
		 * get_sigframe) */
		.floor = top || on_altstack(t, arch_user_sp(tf)) ? t->altstack_sp : 0,
		/* the mask to restore on return: sigsuspend's caller's, not its temporary one */
		.mask = t->sigsuspend_active ? t->sigsuspend_saved : t->sig_blocked,
		.ss_sp = t->altstack_sp,
		.ss_size = t->altstack_size,
		.ss_flags = t->altstack_flags,
		.info = &info,
	};
	if (!arch_signal_setup_frame(tf, &t->arch, &req))
		return false;
	t->force_iret = true;
	return true;
}

/* While p is stopped, its threads wait here (interrupts off) on their
 * way back to user mode (frame tf), until SIGCONT, SIGKILL or an exit.
 * A tracer that attaches meanwhile has the thread trap into a
 * ptrace-stop; resumed from it by the tracer, the process runs again
 * (Linux's tracee runs, its group-stop notwithstanding); left by it, it
 * stays stopped. */
static void wait_while_stopped(struct process *p, const struct thread *t, struct trap_frame *tf)
{
	while (p->stopped && !(p->sig_pending & bit(SIGKILL)) && !t->must_exit) {
		if (p->ptrace.trap_stop) {
			if (ptrace_group_stop(tf, p->stop_sig))
				p->stopped = false;
			continue;
		}
		wait_on(&p->stop_wq, NO_DEADLINE);
	}
}

/* Stop p (interrupts off; tf the thread's frame, for a tracer that
 * attaches) until SIGCONT or SIGKILL; its other threads
 * stop as they next return to user mode. */
static void stop_current(struct process *p, int sig, struct trap_frame *tf)
{
	p->stopped = true;
	p->stop_sig = sig;
	p->stop_report = true;
	p->cont_report = false;
	notify_parent(p);
	wait_while_stopped(p, current_thread(), tf);
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
		process_exit_current(WSTATUS_SIGNALED(SIGSEGV));
	}
	if (t->sigsuspend_active)
		t->sig_blocked = t->sigsuspend_saved;
	t->sigsuspend_active = false;
	t->sig_blocked |= a.mask | ((a.flags & SA_NODEFER) ? 0 : bit(sig));
	t->sig_blocked &= ~unblockable;
	if (a.flags & SA_RESETHAND) /* SA_ONESHOT: the handler alone; flags and mask stay (Linux) */
		act->handler = SIG_DFL;
}

/* A traced process shows sig to its tracer before acting on it (the
 * signal-delivery-stop, proc/ptrace.c): the signal to act on instead, 0
 * for none. An injected signal the thread blocks waits, pending. */
static int trace_signal(struct process *p, struct thread *t, struct trap_frame *tf, int sig)
{
	struct siginfo_k info;
	uint64_t addr = t->fault_addr;
	int code = t->fault_code;

	memset(&info, 0, sizeof(info));
	fill_info(p, sig, &info, false); /* the handler's siginfo takes the instance */
	t->fault_addr = addr; /* a handler's siginfo says the same */
	t->fault_code = code;
	int inject = ptrace_signal_stop(tf, sig, &info);
	if (inject != sig)
		t->fault_code = 0; /* the fault's details were for sig */
	if (inject && (t->sig_blocked & ~unblockable & bit(inject))) {
		t->sig_pending |= bit(inject);
		return 0;
	}
	return inject;
}

/* A default action that dumps core: the other threads end, the core is
 * written (proc/coredump.c), then the process ends, WCOREDUMP in its
 * status when the core was written. A thread that another one's exit or
 * dump overtook leaves as that one's. */
static __attribute__((noreturn)) void exit_dumping_core(struct thread *t, struct trap_frame *tf,
							int sig)
{
	int ws = WSTATUS_SIGNALED(sig);

	if (!process_core_wait()) {
		if (t->must_exit)
			process_thread_exit_current(0); /* the status is the other's */
		process_exit_current(ws);
	}
	if (coredump_write(sig, tf))
		ws |= WSTATUS_COREFLAG;
	process_exit_current(ws);
}

/* Take the next pending signal(s) of the current thread: run a handler
 * (then stop), ignore, stop, or die. */
static void deliver(struct process *p, struct thread *t, struct trap_frame *tf)
{
	int sig;

	if (t->must_exit)
		process_thread_exit_current(0); /* the status is exit_group's, or unused */
	wait_while_stopped(p, t, tf);
	if (t->must_exit)
		process_thread_exit_current(0);
	ptrace_interrupt_stop(tf);
	while ((sig = next_signal(p)) != 0) {
		int taken = sig; /* a real-time instance of it is the handler's, or dropped */
		take_pending(p, t, sig);
		if (sig != SIGKILL && ptrace_traced(&p->ptrace) && (sig = trace_signal(p, t, tf, sig)) != taken)
			rt_drop(p, taken);
		if (!sig)
			continue;
		struct sigaction_k *act = &p->sighand->action[sig - 1];
		if (sig != SIGKILL && act->handler == SIG_IGN) {
			if (sig == taken)
				rt_drop(p, sig);
			continue;
		}
		if (sig == SIGKILL || act->handler == SIG_DFL) {
			enum dfl d = default_action(sig);
			if (init_spares(p, sig)) {
				if (sig == taken)
					rt_drop(p, sig);
				continue;
			}
			if (d == DFL_STOP)
				stop_current(p, sig, tf);
			if ((d == DFL_IGNORE || d == DFL_STOP) && sig == taken)
				rt_drop(p, sig);
			if (d == DFL_IGNORE || d == DFL_STOP)
				continue;
			if (d == DFL_CORE)
				exit_dumping_core(t, tf, sig);
			process_exit_current(WSTATUS_SIGNALED(sig));
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
	if (arch_user_ip(tf) < USER_TOP)
		return;
	klog(LOG_WARN, "kestrel: pid %d (%s): return to a non-user rip %#lx: SIGSEGV\n", p->pid,
	     p->name, arch_user_ip(tf));
	signal_force_fault(SIGSEGV, SI_KERNEL, 0);
	deliver(p, t, tf);
	if (arch_user_ip(tf) >= USER_TOP) /* a handler at a bad address as well */
		process_exit_current(WSTATUS_SIGNALED(SIGSEGV));
}

/* ---- the system calls ---- */

SYSCALL_DEFINE4(rt_sigaction, int, sig, uptr_t, act, uptr_t, oact, size_t, size)
{
	struct process *p = current_process();
	struct sigaction_k k;

	if (sig < 1 || sig > NSIG || size != SIGSET_BYTES)
		return -EINVAL;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (oact && copy_to_user(oact, &p->sighand->action[sig - 1], sizeof(k)))
		return -EFAULT;
	if (act) {
		if (copy_from_user(&k, act, sizeof(k)))
			return -EFAULT;
		k.mask &= ~unblockable;
		p->sighand->action[sig - 1] = k;
		bool dfl_ignore = k.handler == SIG_DFL && default_action((int)sig) == DFL_IGNORE;
		if (k.handler == SIG_IGN || dfl_ignore)
			discard_pending(p, bit((int)sig)); /* POSIX: discarded, blocked or not */
	}
	return 0;
}

/* Signals pending for all of p that its calling thread has just blocked
 * (newly): wake another thread that may take them, as Linux's
 * retarget_shared_pending, since a sender may have chosen the caller
 * while its mask still let them in and kicked it in vain. Takes the
 * kernel lock (the senders' and the thread list's); rare: only when such
 * a signal is pending. */
static __attribute__((noinline)) void retarget(struct process *p, uint64_t newly)
{
	klock_enter_any();
	uint64_t f = irq_save();
	uint64_t sigs = p->sig_pending & newly;

	for (int sig = 1; sig <= NSIG; sig++)
		if (sigs & bit(sig))
			wake_takers(p, sig, NULL);
	irq_restore(f);
	klock_leave_any();
}

/* The calling thread t blocks mask (no unblockable signal in it) from
 * now on, without the kernel lock: a thread's mask is written by that
 * thread alone, and senders read it under the kernel lock; the barrier
 * pairs with the senders' (mask_barrier: a signal just unblocked is seen
 * by the return to user mode, one just blocked is retargeted). */
static void set_blocked(struct thread *t, uint64_t mask)
{
	uint64_t newly = mask & ~t->sig_blocked;

	__atomic_store_n(&t->sig_blocked, mask, __ATOMIC_RELAXED);
	mask_barrier();
	if (newly & __atomic_load_n(&t->proc->sig_pending, __ATOMIC_RELAXED))
		retarget(t->proc, newly);
}

/* In sys/syscall.c's lock_free table: see set_blocked. */
SYSCALL_DEFINE4(rt_sigprocmask, int, how, uptr_t, set, uptr_t, oset, size_t, size)
{
	struct thread *t = current_thread();
	uint64_t s, old = t->sig_blocked, mask;

	if (size != SIGSET_BYTES)
		return -EINVAL;
	/* As Linux: the new set is read and applied before the old one is
	 * written, so set and oset may be the same buffer; a bad how
	 * writes nothing. */
	if (set) {
		if (copy_from_user(&s, set, sizeof(s)))
			return -EFAULT;
		switch (how) {
		case SIG_BLOCK: mask = old | s; break;
		case SIG_UNBLOCK: mask = old & ~s; break;
		case SIG_SETMASK: mask = s; break;
		default: return -EINVAL;
		}
		set_blocked(t, mask & ~unblockable);
	}
	if (oset && copy_to_user(oset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(rt_sigpending, uptr_t, set, size_t, size)
{
	struct process *p = current_process();
	uint64_t s = (p->sig_pending | current_thread()->sig_pending) & current_thread()->sig_blocked;

	if (size != SIGSET_BYTES)
		return -EINVAL;
	return copy_to_user(set, &s, sizeof(s));
}

/* Restore what setup_frame saved (arch/x86_64/signal.c: registers,
 * selectors, FPU state) and the mask; a frame that cannot be read kills
 * with SIGSEGV. */
SYSCALL_DEFINE0(rt_sigreturn)
{
	struct thread *t = current_thread();
	uint64_t mask;

	if (!arch_signal_restore_frame(t->uframe, &t->arch, &mask))
		process_exit_current(WSTATUS_SIGNALED(SIGSEGV));
	t->sig_blocked = mask & ~unblockable;
	t->force_iret = true; /* signal return leaves through IRET */
	long ret = 0;
	arch_syscall_result(t->uframe, &ret); /* the interrupted code's RAX, kept as it was */
	return ret;
}

SYSCALL_DEFINE2(sigaltstack, uptr_t, ss, uptr_t, old)
{
	struct thread *t = current_thread();
	struct stack_k k = { t->altstack_sp, (int32_t)t->altstack_flags, 0, t->altstack_size };
	bool on = on_altstack(t, arch_user_sp(t->uframe));

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

	if (size != SIGSET_BYTES)
		return -EINVAL;
	if (copy_from_user(&s, set, sizeof(s)))
		return -EFAULT;
	t->sig_blocked = s & ~unblockable;
	while (!signal_pending())
		wait_on(NULL, NO_DEADLINE);
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
	if (size != SIGSET_BYTES)
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
		wait_on(NULL, NO_DEADLINE);
	return -EINTR;
}
