/* SPDX-License-Identifier: MIT */
/* Signals: actions, masks, delivery on the way back to user mode. */
#ifndef KESTREL_PROC_SIGNAL_H
#define KESTREL_PROC_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/errno.h"
#include "proc/process.h"
#include "uapi/signal.h"

/* The signals no mask can block. */
#define SIG_UNBLOCKABLE ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)))

/* Queue sig for p (and wake it if it sleeps interruptibly). 0 or -EINVAL. */
int signal_send(struct process *p, int sig);
/* Queue sig for thread t of p alone (tgkill): only t takes it. SIGKILL,
 * SIGSTOP and SIGCONT act on the whole process, as in Linux. */
int signal_send_thread(struct process *p, struct thread *t, int sig);
/* The signals pending for the current thread: its own and its process's. */
uint64_t signal_pending_set(void);
/* The same for a signal the kernel itself raises (a timer, the TTY):
 * siginfo says SI_KERNEL rather than naming the interrupted process. */
int signal_send_kernel(struct process *p, int sig);
/* signal_send_kernel, for one of p's threads first if it may take sig:
 * prefer, the thread whose CPU time made it (a CPU-time interval timer). */
int signal_send_kernel_prefer(struct process *p, struct thread *prefer, int sig);
/* An I/O signal for an O_ASYNC file (F_SETSIG): sig for p (or only its
 * thread t, if not NULL) with siginfo's si_code code (POLL_IN...), si_fd
 * fd and si_band band. 0 or -EINVAL. */
int signal_send_poll(struct process *p, struct thread *t, int sig, int code, int fd, int64_t band);
/* rt_sigqueueinfo's send: sig for p (or only its thread t, if not NULL)
 * as signal_send/signal_send_thread, but the handler's siginfo carries
 * info's si_code, si_pid, si_uid and si_value (the caller checked the
 * code). 0 or -EINVAL. */
int signal_send_queued(struct process *p, struct thread *t, int sig, const struct siginfo_k *info);
/* Send sig to every process in process group pgid; -ESRCH if none. */
int signal_send_pgrp(int pgid, int sig);
/* True when the current process has an unblocked signal pending: a
 * blocking system call should give up with -EINTR (or -ERESTARTSYS). */
bool signal_pending(void);
/* True when the current thread is being ended whatever it blocks: SIGKILL
 * is pending or its process is exiting (exit_group, a fatal signal, exec
 * in another thread). Every long kernel loop stops early with -EINTR (or
 * its partial count) when this is true, so SIGKILL always ends a program. */
bool fatal_signal_pending(void);
/* The signal that would end the current process at once by its default
 * action if delivered now: SIGKILL, or a pending, unblocked signal left
 * at SIG_DFL whose default is to terminate without a core (Linux turns
 * those into a group exit as they are sent); 0 if none. A killable sleep
 * (vfork's wait) ends on it. */
int signal_kills_now(void);

struct trap_frame;
/* On the way back to user mode (interrupts off): act on one pending,
 * unblocked signal: run its handler (a signal frame on the user stack,
 * tf rewritten to enter the handler), ignore it, or end the process
 * with its default action. An interrupted system call that returned
 * -ERESTARTSYS is restarted (SA_RESTART or no handler) or fails with
 * -EINTR. */
void signal_deliver(struct trap_frame *tf);
/* Is ret a restart code of an interrupted call (lib/errno.h)? One
 * compare on the system-call exit path: 512-516 are Linux's kernel-only
 * restart numbers, and no other value falls between them. */
static inline bool signal_restart_code(long ret)
{
	return (unsigned long)(ret + ERESTART_RESTARTBLOCK) <= ERESTART_RESTARTBLOCK - ERESTARTSYS;
}

/* Whether signal_deliver() has anything to do for thread t returning
 * from a system call that returned ret: a signal ready to act on, a stop
 * or an exit to honour, a sigsuspend mask to give back, a restart, an
 * IRET asked for (t->return_work: force_iret too), a tracer (its stops
 * and PTRACE_INTERRUPT). The
 * system-call exit's test (interrupts off, so nothing can be sent between
 * it and SYSRET); false means signal_deliver() would change nothing.
 * t is a user thread (its process p, t->proc, is not NULL). */
static inline bool signal_return_work(const struct thread *t, const struct process *p, long ret)
{
	uint64_t ready = (p->sig_pending | t->sig_pending) & ~(t->sig_blocked & ~SIG_UNBLOCKABLE);
	return ready || p->stopped || t->return_work || signal_restart_code(ret) || p->ptrace.tracer;
}
/* A fault in user mode: deliver sig with si_addr = addr now (unblocked,
 * handler or default action). Does not return if the process dies. */
void signal_force_fault(int sig, int code, uint64_t addr);
/* True when p's children are freed as they end, never waited for:
 * p ignores SIGCHLD or set SA_NOCLDWAIT on it. */
bool signal_child_autoreap(const struct process *p);
/* ppoll and pselect6: wait with the user's temporary signal mask umask
 * (a sigset_t of size bytes; umask 0: keep the mask). Returns 0 (and the
 * mask to give back in *old), -EFAULT or -EINVAL. */
int signal_mask_enter(uint64_t umask, uint64_t size, uint64_t *old);
/* After the wait: back to old, at once, or, when a signal interrupted it
 * (interrupted), only after that signal's handler, as sigsuspend does. */
void signal_mask_leave(uint64_t old, bool interrupted);
/* True when p blocks sig or ignores it (TTY job control asks). */
bool signal_blocked_or_ignored(const struct process *p, int sig);
/* fn is called (interrupts off, maybe in an interrupt) each time a
 * signal is queued, blocked or not: signalfd sets it so that its readers
 * and poll/epoll waiters hear of signals no handler will take. */
void signal_set_queued_hook(void (*fn)(void));
/* fn is called (interrupts off) each time a POSIX timer's signal (si_code
 * SI_TIMER) is taken, by a handler's delivery, sigwaitinfo or signalfd,
 * with the taker's process and the siginfo about to be given, which fn
 * may complete (si_overrun): proc/ptimer.c sets it, and re-arms a
 * periodic timer there, as Linux's posixtimer_rearm at dequeue. */
void signal_set_timer_hook(void (*fn)(struct process *p, struct siginfo_k *info));
/* signalfd's read: take the lowest pending signal in mask off the
 * current thread's pending sets (its own first, then its process's) and
 * its details into *info. The signal, or 0 if none is pending. */
int signal_dequeue(uint64_t mask, struct siginfo_k *info);
/* exec: handled signals go back to their default action (and the
 * alternate stack goes), as signal_flush_handlers does. */
void signal_reset_on_exec(struct process *p);
/* Linux's flush_signal_handlers (exec, CLONE_CLEAR_SIGHAND): every
 * action but SIG_IGN becomes SIG_DFL, and every one, ignored ones too,
 * loses its flags, restorer and mask. Under the kernel lock (senders
 * read the handlers). */
struct sighand;
void signal_flush_handlers(struct sighand *h);

#endif
