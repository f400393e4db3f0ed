/* SPDX-License-Identifier: MIT */
/* ptrace: a tracer process stops, inspects and resumes its tracees (Linux's kernel/ptrace.c). */
#ifndef KESTREL_PROC_PTRACE_H
#define KESTREL_PROC_PTRACE_H

#include <stdbool.h>
#include <stdint.h>
#include "proc/sched.h"
#include "uapi/signal.h"

struct process;
struct thread;
struct trap_frame;

/* How the tracer resumed a stopped tracee. */
enum ptrace_resume { PTRACE_RESUME_CONT, PTRACE_RESUME_SYSCALL, PTRACE_RESUME_STEP };

/*
 * A process's ptrace state (embedded in struct process). Lock rule: every
 * field changes with interrupts off, under the kernel lock; the links
 * (tracer, trace_next, tracees) under process_tree_lock too (process.h).
 * Kestrel traces a whole process, one stop at a time: the thread that
 * reaches a ptrace-stop holds it (stopped) until the tracer resumes it;
 * another thread of the same process that reaches one meanwhile waits
 * for it (Linux traces each thread on its own).
 */
struct ptrace_state {
	/* as a tracee */
	struct process *tracer;    /* NULL: not traced */
	struct process *trace_next;/* the tracer's next tracee */
	uint32_t options;          /* PTRACE_O_* */
	bool seized;               /* attached by PTRACE_SEIZE: no SIGSTOP, no legacy exec SIGTRAP */
	bool interrupt;            /* PTRACE_INTERRUPT: stop at the next return to user mode */
	bool trap_stop;            /* PTRACE_ATTACH found it stopped by a signal: its thread moves
	                            * into a ptrace-stop (Linux's JOBCTL_TRAP_STOP) */
	enum ptrace_resume resume; /* the last resume request */
	bool forced_step;          /* the trap flag is PTRACE_SINGLESTEP's, not the program's */

	/* the stop under way (stopped != NULL) */
	struct thread *stopped;    /* the thread in a ptrace-stop, or NULL */
	struct trap_frame *frame;  /* its user registers */
	int status;                /* the wait status the stop reports */
	bool report;               /* not yet reported to the tracer's wait */
	bool resumed;              /* the tracer resumed (or left) it */
	bool signal_stop;          /* a signal-delivery-stop (resume_sig is delivered) */
	int resume_sig;            /* the signal to deliver on resume (Linux's exit_code) */
	uint32_t requests;         /* the tracer's requests under way on this stop (they may sleep
	                            * in a user copy): the stopped thread stays, even when resumed,
	                            * detached or killed, until they end (Linux's
	                            * ptrace_freeze_traced), so its frame, thread and space do */
	bool request_wait;         /* the stopped thread is leaving and waits for them to end */
	uint64_t event_msg;        /* PTRACE_GETEVENTMSG */
	struct siginfo_k info;     /* PTRACE_GETSIGINFO */
	struct wait_queue wq;      /* the stopped thread, and threads waiting to stop */

	/* as a tracer */
	struct process *tracees;   /* the first of its tracees */
};

static inline bool ptrace_traced(const struct ptrace_state *s)
{
	return s->tracer != 0;
}

/* ---- the tracee's side: its stops, called on its own paths ---- */

/* A signal-delivery-stop (signal.c's delivery, any interrupt state):
 * the tracer sees sig and decides. Returns the signal to deliver instead
 * (0: none; sig itself when the tracer goes away without having seen the
 * stop). info: what PTRACE_GETSIGINFO reports. */
int ptrace_signal_stop(struct trap_frame *tf, int sig, const struct siginfo_k *info);
/* PTRACE_INTERRUPT asked for a stop: take it now (PTRACE_EVENT_STOP). */
void ptrace_interrupt_stop(struct trap_frame *tf);
/* A thread of a process stopped by signal sig (job control), frame tf,
 * that PTRACE_ATTACH asked to trap (trap_stop): a ptrace-stop reporting
 * sig, as Linux's do_jobctl_trap, the tracer's requests served in it.
 * True when the tracer resumed it and traces it still (the thread runs
 * on, as Linux's tracee resumed from a group-stop); false when there was
 * nothing to trap or the tracer left (the job-control stop goes on). */
bool ptrace_group_stop(struct trap_frame *tf, int sig);
/* System-call stops under PTRACE_SYSCALL (sys/syscall.c). entry: before
 * the call, RAX reads -ENOSYS; the tracer may change the number
 * (orig_rax, the thread's syscall_nr) and the arguments. false: skip the
 * call (the number became -1, or the thread is being killed); RAX is then
 * the result. exit: after, RAX the result. Both no-ops unless traced so. */
bool ptrace_syscall_entry(struct trap_frame *tf);
void ptrace_syscall_exit(struct trap_frame *tf);
/* A traced process's exec succeeded (tf enters the new program): the
 * PTRACE_EVENT_EXEC stop with PTRACE_O_TRACEEXEC, else SIGTRAP (unless
 * seized). old_tid: the exec'ing thread's former id (the event message). */
void ptrace_exec(struct trap_frame *tf, int old_tid);

/* fork, vfork or clone by a traced process: the PTRACE_EVENT_* its
 * tracer asked for with PTRACE_O_TRACEFORK/VFORK/CLONE (vfork; a fork
 * is a clone whose exit signal is SIGCHLD; the rest are clones), or 0. */
int ptrace_fork_event(bool vfork, uint64_t exit_signal);
/* New child c (not yet running) of a traced process, for such an event:
 * traced by the same tracer with the same options, and stopped at its
 * first return to user mode (SIGSTOP, or PTRACE_EVENT_STOP if seized). */
void ptrace_fork_attach(struct process *c);
/* The caller stops with event (its message msg: the new pid or tid). */
void ptrace_fork_stop(int event, int msg);

/* ---- the tracer's side ---- */

/* p ends (interrupts off, before its children are reparented): its
 * tracees are detached (killed with PTRACE_O_EXITKILL), and p, if traced,
 * leaves its tracer. */
void ptrace_exit(struct process *p);
/* wait4: true when c has a ptrace-stop that tracer has not seen yet. */
bool ptrace_has_report(const struct process *c, const struct process *tracer);
/* Consume it: its wait status (a signal stop reported to wait forgets its
 * signal, as Linux's exit_code = 0, unless the tracer resumes with one). */
int ptrace_take_report(struct process *c);

/* PTRACE_TRACEME: the current process asks its parent to trace it.
 * 0, -EPERM (already traced, no parent, or the parent could not). */
int ptrace_traceme(void);
/* PTRACE_ATTACH (seize false: SIGSTOP sent) and PTRACE_SEIZE (options):
 * 0, -EPERM (self, own thread group, already traced, exiting, not
 * dumpable or more privileged without CAP_SYS_PTRACE), -EINVAL (bad
 * options). The programs the kernel starts, init among them, are
 * programs as any other: Linux refuses only its kernel threads. */
int ptrace_attach(struct process *t, bool seize, uint32_t options);
/* Linux's ptrace_may_access(t, PTRACE_MODE_ATTACH_FSCREDS), what opening
 * /proc/PID/mem needs: t is the caller's own process, or the caller's file
 * system uid and gid are each of t's real, effective and saved ones, t is
 * dumpable and holds no capability the caller lacks; or CAP_SYS_PTRACE. */
bool ptrace_may_access_fscreds(struct process *t);
/* Linux's mm_access(t, PTRACE_MODE_ATTACH_REALCREDS), what
 * process_vm_readv and _writev need: t shares the caller's address space,
 * or the caller's real uid and gid are each of t's, t is dumpable and
 * holds no capability the caller lacks; or CAP_SYS_PTRACE. */
bool ptrace_may_access_realcreds(struct process *t);
/* The tracee pid of the current tracer, stopped in a ptrace-stop (what
 * every request but TRACEME, ATTACH, SEIZE, KILL and INTERRUPT needs); NULL if none (-ESRCH). */
struct process *ptrace_stopped_tracee(int pid);
/* The tracee pid of the current tracer, stopped or not; NULL if none. */
struct process *ptrace_tracee(int pid);
/* A request on t, a tracee ptrace_stopped_tracee found, begins and ends
 * (under the kernel lock; the request may sleep between): t's stopped
 * thread does not leave its stop meanwhile, so t, its frame and its
 * space stay valid across the request's sleeps. */
void ptrace_request_begin(struct process *t);
void ptrace_request_end(struct process *t);
/* Resume a stopped tracee with signal sig (0..NSIG; -EIO beyond). */
int ptrace_resume(struct process *t, enum ptrace_resume how, uint64_t sig);
/* PTRACE_DETACH: resume with sig and stop tracing it. 0 or -EIO. */
int ptrace_detach(struct process *t, uint64_t sig);
/* PTRACE_SETOPTIONS: 0 or -EINVAL for an unknown bit. */
int ptrace_set_options(struct process *t, uint64_t options);
/* PTRACE_INTERRUPT: a seized tracee stops at its next return to user
 * mode (one in a blocking call stops when the call returns). -EIO if not seized. */
int ptrace_interrupt(struct process *t);
/* The stopped tracee's system-call number as orig_rax (-1 outside one),
 * and setting it (effective at a syscall-entry stop). */
uint64_t ptrace_orig_rax(const struct process *t);
void ptrace_set_orig_rax(struct process *t, uint64_t nr);

#endif
