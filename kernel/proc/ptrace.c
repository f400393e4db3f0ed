// SPDX-License-Identifier: MIT
/*
 * Kestrel: ptrace, the tracee's stops and the tracer's hold on them
 * (Linux's kernel/ptrace.c and the ptrace parts of kernel/signal.c).
 *
 * A traced process stops on its own way back to user mode: before a
 * signal is acted on (signal-delivery-stop), around system calls under
 * PTRACE_SYSCALL, after exec, at PTRACE_INTERRUPT. The stopping thread
 * records its user frame and a wait status, wakes the tracer's wait4 and
 * sleeps until the tracer resumes it (PTRACE_CONT, _SYSCALL, _SINGLESTEP,
 * _DETACH), the tracer goes away, or SIGKILL comes: a stop never outlives
 * a kill. The requests that read and write the tracee (sys/sys_ptrace.c)
 * need it in such a stop, so its frame is still and its registers are in
 * the frame and the thread's saved state.
 *
 * Lock rule: everything here changes with interrupts off under the
 * kernel lock, the links between tracers and tracees under
 * process_tree_lock too (process.h); the sleeps are wait_on's.
 */
#include "proc/ptrace.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/ptrace.h"
#include "arch/x86_64/signal.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "uapi/capability.h"
#include "uapi/prctl.h"
#include "uapi/ptrace.h"
#include "uapi/wait.h"

/* The wait status of a ptrace-stop reporting sig (and an event). */
static int stop_status(int sig, int event)
{
	return ((sig | (event << PTRACE_EVENT_SHIFT)) << 8) | WSTATUS_STOPPED_LOW;
}

/* Tell the tracer a stop is there to see: its wait4 wakes, SIGCHLD. */
static void notify_tracer(struct process *p)
{
	struct process *tracer = p->ptrace.tracer;

	tracer->chld_pid = p->pid;
	process_child_event(tracer);
	signal_send(tracer, SIGCHLD);
}

/* The stopped thread must go on at once: it is being killed. */
static bool must_leave(void)
{
	return fatal_signal_pending();
}

/*
 * The current thread stops with wait status status until the tracer
 * resumes it, leaves, or the thread is killed; sig is what a signal stop
 * delivers unless the tracer says otherwise. Any interrupt state. Returns
 * the signal to deliver (resume_sig), 0 if killed or not traced.
 */
static int stop(struct trap_frame *tf, int status, int sig, bool signal_stop)
{
	struct process *p = current_process();
	struct ptrace_state *s = &p->ptrace;
	uint64_t f = irq_save();

	while (s->stopped && s->tracer && !must_leave()) /* another thread's stop */
		wait_on(&s->wq, NO_DEADLINE);
	if (!s->tracer || must_leave()) {
		irq_restore(f);
		return s->tracer ? 0 : sig;
	}
	s->stopped = current_thread();
	s->frame = tf;
	s->status = status;
	s->report = true;
	s->resumed = false;
	s->signal_stop = signal_stop;
	s->resume_sig = sig;
	notify_tracer(p);
	while (!s->resumed && s->tracer && !must_leave())
		wait_on(&s->wq, NO_DEADLINE);
	while (s->requests) { /* a request under way holds it: ptrace_request_end wakes it */
		s->request_wait = true;
		wait_on(&s->wq, NO_DEADLINE);
	}
	s->request_wait = false;
	sig = must_leave() ? 0 : s->resume_sig;
	s->stopped = NULL;
	s->frame = NULL;
	s->report = false;
	wake_all(&s->wq); /* a thread waiting for its own stop */
	irq_restore(f);
	return sig;
}

int ptrace_signal_stop(struct trap_frame *tf, int sig, const struct siginfo_k *info)
{
	struct ptrace_state *s = &current_process()->ptrace;

	s->info = *info;
	return stop(tf, stop_status(sig, 0), sig, true);
}

/* An event stop (exec, PTRACE_INTERRUPT): SIGTRAP with the event, msg
 * for PTRACE_GETEVENTMSG; a signal given to the resume is dropped, as
 * Linux does for these stops. */
static void event_stop(struct trap_frame *tf, int event, uint64_t msg)
{
	struct ptrace_state *s = &current_process()->ptrace;

	s->event_msg = msg;
	memset(&s->info, 0, sizeof(s->info));
	s->info.signo = SIGTRAP;
	s->info.code = SIGTRAP | (event << PTRACE_EVENT_SHIFT);
	stop(tf, stop_status(SIGTRAP, event), 0, false);
}

void ptrace_interrupt_stop(struct trap_frame *tf)
{
	struct ptrace_state *s = &current_process()->ptrace;

	if (!s->interrupt)
		return;
	s->interrupt = false;
	if (s->tracer)
		event_stop(tf, PTRACE_EVENT_STOP, 0);
}

bool ptrace_group_stop(struct trap_frame *tf, int sig)
{
	struct ptrace_state *s = &current_process()->ptrace;

	if (!s->trap_stop)
		return false;
	s->trap_stop = false;
	stop(tf, stop_status(sig, 0), 0, false);
	return s->tracer != NULL;
}

/* A syscall stop: SIGTRAP, | 0x80 with PTRACE_O_TRACESYSGOOD. A signal
 * given to the resume is sent to the tracee, as Linux does. */
static void syscall_stop(struct trap_frame *tf)
{
	struct process *p = current_process();
	struct ptrace_state *s = &p->ptrace;
	int sig = SIGTRAP | ((s->options & PTRACE_O_TRACESYSGOOD) ? PTRACE_SYSGOOD_BIT : 0);

	memset(&s->info, 0, sizeof(s->info));
	s->info.signo = SIGTRAP;
	s->info.code = sig;
	int inject = stop(tf, stop_status(sig, 0), 0, false);
	if (inject)
		signal_send_thread(p, current_thread(), inject);
}

static bool syscall_traced(const struct process *p)
{
	return p && p->ptrace.tracer && p->ptrace.resume == PTRACE_RESUME_SYSCALL;
}

bool ptrace_syscall_entry(struct trap_frame *tf)
{
	struct thread *t = current_thread();

	if (!syscall_traced(t->proc))
		return true;
	arch_syscall_set_result(tf, -ENOSYS); /* what RAX reads at the entry stop */
	syscall_stop(tf);
	return !must_leave() && t->syscall_nr != (uint64_t)-1;
}

void ptrace_syscall_exit(struct trap_frame *tf)
{
	if (syscall_traced(current_process()))
		syscall_stop(tf);
}

void ptrace_exec(struct trap_frame *tf, int old_tid)
{
	struct process *p = current_process();
	struct ptrace_state *s = &p->ptrace;

	if (!s->tracer)
		return;
	if (s->options & PTRACE_O_TRACEEXEC)
		event_stop(tf, PTRACE_EVENT_EXEC, (uint64_t)old_tid);
	else if (!s->seized)
		signal_send_kernel(p, SIGTRAP); /* the legacy post-exec SIGTRAP */
}

int ptrace_fork_event(bool vfork, uint64_t exit_signal)
{
	const struct ptrace_state *s = &current_process()->ptrace;

	if (!s->tracer)
		return 0;
	if (vfork)
		return (s->options & PTRACE_O_TRACEVFORK) ? PTRACE_EVENT_VFORK : 0;
	if (exit_signal == SIGCHLD)
		return (s->options & PTRACE_O_TRACEFORK) ? PTRACE_EVENT_FORK : 0;
	return (s->options & PTRACE_O_TRACECLONE) ? PTRACE_EVENT_CLONE : 0;
}

void ptrace_fork_stop(int event, int msg)
{
	event_stop(current_thread()->uframe, event, (uint64_t)msg);
}

/* ---- attaching and detaching ---- */

/* Take t off its tracer's list: traced by no one. Interrupts off. */
static void tracee_unlink(struct process *t)
{
	struct ptrace_state *s = &t->ptrace;

	spin_lock_irqoff(&process_tree_lock);
	struct process **pp = &s->tracer->ptrace.tracees;
	while (*pp && *pp != t)
		pp = &(*pp)->ptrace.trace_next;
	if (*pp)
		*pp = s->trace_next;
	s->tracer = NULL;
	s->trace_next = NULL;
	spin_unlock_irqoff(&process_tree_lock);
}

/* Take t off its tracer's list and stop tracing it; a stopped t goes on
 * (with resume_sig). Interrupts off. */
static void unlink_tracee(struct process *t)
{
	struct ptrace_state *s = &t->ptrace;
	struct process *tracer = s->tracer;

	tracee_unlink(t);
	process_child_event(tracer); /* a wait for it may now find nothing */
	if (s->forced_step && s->frame)
		arch_ptrace_clear_step(s->frame);
	s->options = 0;
	s->seized = s->interrupt = s->forced_step = s->trap_stop = false;
	s->resume = PTRACE_RESUME_CONT;
	s->resumed = true;
	wake_all(&s->wq);
}

/* Make tracer trace t. Interrupts off. */
static void link_tracee(struct process *tracer, struct process *t)
{
	t->ptrace.resume = PTRACE_RESUME_CONT;
	spin_lock_irqoff(&process_tree_lock);
	t->ptrace.tracer = tracer;
	t->ptrace.trace_next = tracer->ptrace.tracees;
	tracer->ptrace.tracees = t;
	spin_unlock_irqoff(&process_tree_lock);
}

void ptrace_fork_attach(struct process *c)
{
	const struct ptrace_state *s = &current_process()->ptrace;
	uint64_t f = irq_save();

	if (s->tracer && !c->ptrace.tracer) {
		link_tracee(s->tracer, c);
		c->ptrace.options = s->options;
		c->ptrace.seized = s->seized;
		c->ptrace.interrupt = s->seized; /* PTRACE_EVENT_STOP first */
	}
	irq_restore(f);
	if (c->ptrace.tracer && !c->ptrace.seized)
		signal_send_kernel(c, SIGSTOP);
}

void ptrace_exit(struct process *p)
{
	while (p->ptrace.tracees) {
		struct process *t = p->ptrace.tracees;
		bool kill = t->ptrace.options & PTRACE_O_EXITKILL;
		unlink_tracee(t); /* a signal stop the tracer never saw delivers its signal */
		if (kill)
			signal_send(t, SIGKILL);
	}
	if (p->ptrace.tracer)
		unlink_tracee(p);
}

/* Linux's __ptrace_may_access (real credentials): the calling thread's
 * real uid and gid are each of the target's (its leader's), the target is
 * dumpable and the caller holds at least its permitted capabilities; or
 * the caller has CAP_SYS_PTRACE. */
static bool may_access_as(uint32_t uid, uint32_t gid, struct process *t)
{
	const struct cred *a = current_cred(), *b = process_cred(t);

	if (capable(CAP_SYS_PTRACE))
		return true;
	return uid == b->uid && uid == b->euid && uid == b->suid && gid == b->gid &&
	       gid == b->egid && gid == b->sgid && !(b->cap_permitted & ~a->cap_permitted) &&
	       b->dumpable != SUID_DUMP_DISABLE;
}

static bool may_access(struct process *t)
{
	return may_access_as(current_cred()->uid, current_cred()->gid, t);
}

bool ptrace_may_access_fscreds(struct process *t)
{
	if (t == current_process())
		return true; /* Linux: same_thread_group */
	return may_access_as(current_cred()->fsuid, current_cred()->fsgid, t);
}

bool ptrace_may_access_realcreds(struct process *t)
{
	if (t == current_process() || t->vm == current_process()->vm)
		return true; /* Linux: mm == current->mm */
	return may_access(t);
}

int ptrace_traceme(void)
{
	struct process *p = current_process();
	uint64_t f = irq_save();
	int err = -EPERM;

	if (!p->ptrace.tracer && p->parent && p->parent->state == PROC_ALIVE &&
	    !process_ending(p->parent)) {
		link_tracee(p->parent, p);
		err = 0;
	}
	irq_restore(f);
	return err;
}

/* Is t (of serial serial) still among self's tracees? Asked after a
 * sleep, before t is read: nothing keeps a process that leaves its
 * tracer (it ends, is reaped and freed meanwhile), and its memory may be
 * another process's by then, which the serial tells apart. */
static bool still_tracee(const struct process *self, const struct process *t, uint64_t serial)
{
	for (const struct process *c = self->ptrace.tracees; c; c = c->ptrace.trace_next)
		if (c == t)
			return c->serial == serial;
	return false;
}

/* PTRACE_ATTACH to a process stopped by a signal (job control): its
 * thread moves from that stop into a ptrace-stop, and the call returns
 * once it is there, as Linux's ptrace_attach waits for JOBCTL_TRAPPING,
 * so that the tracer's next request (POKEUSER, GETREGS) finds a stopped
 * tracee without a wait4 first. Nothing for a running process. */
static void trap_stopped(struct process *self, struct process *t)
{
	uint64_t f = irq_save();
	uint64_t serial = t->serial;

	if (t->stopped) {
		t->ptrace.trap_stop = true;
		wake_all(&t->stop_wq);
	}
	while (still_tracee(self, t, serial) && t->ptrace.trap_stop && !t->ptrace.stopped &&
	       t->stopped && t->state == PROC_ALIVE && !process_ending(t) && !fatal_signal_pending())
		wait_on(&self->child_wq, NO_DEADLINE); /* notify_tracer wakes it */
	irq_restore(f);
}

int ptrace_attach(struct process *t, bool seize, uint32_t options)
{
	struct process *self = current_process();

	if (seize && (options & ~(uint32_t)PTRACE_O_MASK))
		return -EINVAL;
	if (t == self || t->state != PROC_ALIVE ||
	    process_ending(t) || !may_access(t))
		return -EPERM;
	uint64_t f = irq_save();
	if (t->ptrace.tracer) {
		irq_restore(f);
		return -EPERM;
	}
	link_tracee(self, t);
	t->ptrace.seized = seize;
	t->ptrace.options = seize ? options : 0;
	irq_restore(f);
	if (!seize) { /* the kernel's, as Linux's SEND_SIG_PRIV: it stops init too */
		signal_send_kernel(t, SIGSTOP);
		trap_stopped(self, t);
	}
	return 0;
}

struct process *ptrace_tracee(int pid)
{
	struct process *self = current_process();

	for (struct process *t = self->ptrace.tracees; t; t = t->ptrace.trace_next)
		if (t->pid == pid && t->state == PROC_ALIVE)
			return t;
	return NULL;
}

struct process *ptrace_stopped_tracee(int pid)
{
	struct process *t = ptrace_tracee(pid);

	return t && t->ptrace.stopped && !t->ptrace.resumed ? t : NULL;
}

void ptrace_request_begin(struct process *t)
{
	uint64_t f = irq_save();

	t->ptrace.requests++;
	irq_restore(f);
}

void ptrace_request_end(struct process *t)
{
	uint64_t f = irq_save();

	/* only a stop that is leaving waits for it: a stopped thread woken
	 * for nothing would run on a CPU while the tracer writes what its
	 * switch back loads (its debug registers) */
	if (--t->ptrace.requests == 0 && t->ptrace.request_wait)
		wake_all(&t->ptrace.wq);
	irq_restore(f);
}

/* Resume the stop (interrupts off): how, and sig for a signal stop. */
static void resume(struct process *t, enum ptrace_resume how, int sig)
{
	struct ptrace_state *s = &t->ptrace;

	if (how == PTRACE_RESUME_STEP) {
		if (arch_ptrace_set_step(s->frame))
			s->forced_step = true;
	} else if (s->forced_step) {
		arch_ptrace_clear_step(s->frame);
		s->forced_step = false;
	}
	s->resume = how;
	s->resume_sig = sig;
	s->resumed = true;
	s->report = false;
	wake_all(&s->wq);
}

int ptrace_resume(struct process *t, enum ptrace_resume how, uint64_t sig)
{
	if (sig > NSIG)
		return -EIO;
	uint64_t f = irq_save();
	resume(t, how, (int)sig);
	irq_restore(f);
	return 0;
}

int ptrace_detach(struct process *t, uint64_t sig)
{
	if (sig > NSIG)
		return -EIO;
	uint64_t f = irq_save();
	resume(t, PTRACE_RESUME_CONT, (int)sig);
	unlink_tracee(t);
	irq_restore(f);
	return 0;
}

int ptrace_set_options(struct process *t, uint64_t options)
{
	if (options & ~(uint64_t)PTRACE_O_MASK)
		return -EINVAL;
	t->ptrace.options = (uint32_t)options;
	return 0;
}

int ptrace_interrupt(struct process *t)
{
	if (!t->ptrace.seized)
		return -EIO;
	t->ptrace.interrupt = true;
	return 0;
}

/* ---- the tracer's wait ---- */

bool ptrace_has_report(const struct process *c, const struct process *tracer)
{
	return c->ptrace.tracer == tracer && c->ptrace.stopped && c->ptrace.report;
}

int ptrace_take_report(struct process *c)
{
	struct ptrace_state *s = &c->ptrace;

	s->report = false;
	if (s->signal_stop)
		s->resume_sig = 0; /* Linux's exit_code = 0: seen, so only a resume injects it */
	return s->status;
}

uint64_t ptrace_orig_rax(const struct process *t)
{
	long ret;

	return arch_syscall_result(t->ptrace.frame, &ret) ? t->ptrace.stopped->syscall_nr
							  : (uint64_t)-1;
}

void ptrace_set_orig_rax(struct process *t, uint64_t nr)
{
	t->ptrace.stopped->syscall_nr = nr;
}
