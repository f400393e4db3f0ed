/* SPDX-License-Identifier: MIT */
/* Signals: actions, masks, delivery on the way back to user mode. */
#ifndef KESTREL_PROC_SIGNAL_H
#define KESTREL_PROC_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "uapi/signal.h"


struct process;
struct thread;

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
/* exec: handled signals go back to their default action. */
void signal_reset_on_exec(struct process *p);

#endif
