/* SPDX-License-Identifier: MIT */
/* Threads, the scheduler (least virtual run time first), sleeping and wait queues. */
#ifndef KESTREL_PROC_SCHED_H
#define KESTREL_PROC_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/thread.h"
#include "arch/x86_64/trapframe.h"
#include "lib/avl.h"
#include "lib/spinlock.h"
#include "proc/cred.h"
#include "proc/ktimer.h"
#include "proc/seccomp.h"

struct process;

enum thread_state { THREAD_RUNNABLE, THREAD_RUNNING, THREAD_SLEEPING, THREAD_DEAD };

/*
 * A thread. Lock rules of the scheduler's fields (sched.c has the whole
 * story; the kernel lock covers none of them):
 *   - state: RUNNING -> RUNNABLE, SLEEPING or DEAD by the thread itself
 *     (interrupts off); SLEEPING -> RUNNABLE by whoever wakes it, with a
 *     compare-and-swap, so one waker queues it; RUNNABLE -> RUNNING by
 *     the CPU that takes it off a run queue;
 *   - run_next, run_node, and cpu while queued: that CPU's run-queue lock;
 *   - wait_next, wait_pprev: the lock of the wait queue it is on;
 *   - sleep_timer: the timer wheel's lock (ktimer.h);
 *   - on_cpu: set by the CPU that switches to it, cleared by the same CPU
 *     once its switch away is complete (its registers saved): no other
 *     CPU runs it, reads its saved state or frees it before;
 *   - vrt, run_ns, run_since, klock_depth: its own CPU's while it runs
 *     or switches away, its run queue's once queued;
 *   - cpus_allowed: written by sched_set_affinity, read as a hint.
 * The rest is private to the thread or set before it first runs.
 */
struct thread {
	struct arch_thread arch;   /* switch slot, user FPU state and FS/GS bases (arch/x86_64/thread.h) */
	uint64_t kstack_top;       /* vmalloc'd, guard page below */
	size_t kstack_dirty;       /* bytes below kstack_top it may have written (set at exit) */
	bool kstack_noted;         /* kstack_dirty measured (thread_note_kstack) */
	enum thread_state state;
	struct thread *run_next;   /* run queue (sorted by vrt, sched.c) */
	struct avl_node run_node;  /* the same queue's index while it is long (sched.c) */
	struct thread *wait_next;  /* wait queue */
	struct thread **wait_pprev;/* what points to it in its wait queue, NULL when on none */
	struct ktimer sleep_timer; /* wait_on's deadline while sleeping (proc/ktimer.h) */
	struct process *proc;      /* NULL for a kernel thread */
	struct trap_frame *uframe; /* the user frame of the current system call */
	/* Reasons for a system call to leave by the full path (syscall.c),
	 * tested in one load: return_work is nonzero when any is set. */
	union {
		struct {
			bool force_iret;        /* leave this system call by IRET (sigreturn, exec) */
			bool sigsuspend_active; /* rt_sigsuspend's mask to restore after the handler */
			bool must_exit;         /* exit_group or exec elsewhere in the process: leave */
		};
		uint32_t return_work;
	};
	uint64_t syscall_nr;       /* the current system call's number (for restarts) */
	/* An interrupted sleep's deadline (time_ns) and time-left pointer, for
	 * restart_syscall (sys_time.c); deadline 0: nothing to restart. */
	uint64_t restart_deadline, restart_urem;
	uint64_t run_ns;           /* time spent running, up to the last switch away */
	uint64_t run_since;        /* time_ns() when it was last switched to */

	/* a user thread's own part of its process's state (proc/process.h) */
	struct thread *group_next; /* the process's next thread */
	/* The signal mask: each thread has its own, written by that thread
	 * alone (without the kernel lock: signal.c's set_blocked); others
	 * read it under the kernel lock, after signal.c's mask_barrier. */
	uint64_t sig_blocked;
	uint64_t sig_pending;      /* signals sent to this thread (tgkill), not the process */
	uint64_t fault_addr;       /* si_addr for its pending fault signal (SIGSEGV, SIGBUS...) */
	int fault_code;            /* si_code for it; 0: none pending */
	uint64_t sigsuspend_saved; /* the mask rt_sigsuspend replaced */
	bool exit_io;              /* writing its ended process's accounting record (proc/acct.c):
	                            * nothing can end it sooner, so fatal_signal_pending() is
	                            * false, as Linux's exiting thread has no SIGKILL pending;
	                            * set and cleared by the thread itself */
	uint64_t altstack_sp, altstack_size; /* sigaltstack: each thread has its own */
	uint32_t altstack_flags;   /* SS_DISABLE for a new thread */
	bool no_new_privs;         /* prctl(PR_SET_NO_NEW_PRIVS): kept by clone, fork and exec; never cleared */
	struct seccomp_state seccomp; /* its mode and filters (proc/seccomp.h): kept by clone, fork
	                            * and exec, as Linux's; released by thread_reap */
	uint64_t fault_sys;        /* with fault_code SYS_SECCOMP: SIGSYS's si_syscall (low word)
	                            * and si_arch (high word) */
	int fault_errno;           /* and its si_errno (the filter's data) */
	struct cred cred;          /* its credentials (proc/cred.h), as Linux's task->cred: a copy of the
	                            * creator's at clone and fork (cred_fork), changed only by the thread
	                            * itself (set*id, capset, exec); released by thread_reap */
	const struct cred *access_cred; /* inside access/faccessat without AT_EACCESS: the real ids'
	                            * view current_cred() answers with (Linux's access_override_creds) */
	uint64_t clear_child_tid;  /* set_tid_address, CLONE_CHILD_CLEARTID: 0 and a futex wake at exit */
	uint64_t robust_list;      /* set_robust_list's head (a user address): walked at exit and exec */
	int tid;
	char name[16];
	/* SMP (scheduler fields, see the lock rules above) */
	bool on_cpu;               /* a CPU runs it or has not finished switching away from it */
	uint32_t klock_depth;      /* its hold on the kernel lock while switched away (arch/x86_64/klock.h) */
	uint64_t cpus_allowed;     /* bit i: may run on CPU i (sched_setaffinity); inherited at clone/fork */
	unsigned cpu;              /* the CPU it runs on, last ran on, or is queued on */
	uint64_t vrt;              /* virtual run time, ns: its CPU time on its CPU's scale (sched.c) */
};

/* Threads asleep in wait_on. Lock rule: lock (interrupts off: interrupt
 * handlers wake them) covers head and its threads' wait_next and
 * wait_pprev. It is taken before a run-queue lock and the timer wheel's,
 * never after; a caller may hold locks of its own around wait_on's
 * wake-ups (wake_all) but never around wait_on. Zeroed is empty. */
struct wait_queue {
	struct spinlock lock;
	struct thread *head;
};

void sched_init(void);

/* What the scheduler needs of the layer that owns user threads (processes
 * and their signals, proc/process.c), which registers it once at boot with
 * sched_set_owner: so the scheduler calls down only, as the timer tick
 * reaches it through timer_tick_hook. Before that no thread belongs to a
 * process and no signal is pending. */
struct sched_owner_ops {
	/* The page tables to load for a thread of p. Interrupts off. */
	uint64_t (*pml4)(const struct process *p);
	/* Thread t of p runs its last schedule() (thread_exit). Interrupts off. */
	void (*thread_exited)(struct process *p, struct thread *t);
	/* One tick of ns nanoseconds charged to p, in user mode or not,
	 * and to its CPU-time timers when timers (the tick holds the kernel
	 * lock). Interrupts off. */
	void (*charge_tick)(struct process *p, bool user, uint64_t ns, bool timers);
	/* p has CPU-time timers a tick must charge (under the kernel lock). */
	bool (*cpu_timers_armed)(const struct process *p);
	/* Of the current thread: a signal would end its interruptible sleep
	 * (signal.h's signal_pending); it is being killed, so even an
	 * uninterruptible wait should end (fatal_signal_pending). */
	bool (*signal_wakes)(void);
	bool (*being_killed)(void);
};
void sched_set_owner(const struct sched_owner_ops *ops);

/* An application processor, set up (smp.c), adopts its running context
 * as its idle thread and schedules from then on. Interrupts off; takes the
 * kernel lock. */
__attribute__((noreturn)) void sched_ap_enter(void);
/* Restrict t to the CPUs in mask (bit i: CPU i). -EINVAL when mask names
 * no online CPU; the CPUs not online are dropped from it. A running t that
 * is current moves at once when its CPU is no longer allowed. */
int sched_set_affinity(struct thread *t, uint64_t mask);
/* The online CPUs as a mask (bit i: CPU i). */
uint64_t sched_online_mask(void);
/* idle=halt: false stops idle CPUs polling their queue before they halt
 * (sched.c's idle_wait); on by default. Before smp_finish. */
void sched_set_idle_poll(bool on);
/* A kernel thread running fn(arg); it exits when fn returns. */
struct thread *thread_create_kernel(const char *name, void (*fn)(void *), void *arg);
/* A thread of process p, named name (the process's), that enters user
 * mode at rip with stack rsp. */
struct thread *thread_create_user(struct process *p, const char *name, uint64_t rip, uint64_t rsp);
void thread_make_runnable(struct thread *t);
__attribute__((noreturn)) void thread_exit(void);
/* Measure the current thread's kernel-stack use now, for thread_exit's
 * accounting (sched_kstack_peak_take, the zeroing of the stack's next
 * user), which then does not: for an exit that can do it without the
 * kernel lock. Its last call chain (process_thread_exited and the last
 * schedule) may write at most KSTACK_EXIT_MARGIN (sched.c) below the
 * deepest point seen. Once per thread; interrupts off. */
void thread_note_kstack(void);
/* Free a dead thread's stack and state (not the running one). */
void thread_reap(struct thread *t);
/* thread_reap in two steps: thread_reap_begin lets go of what is shared
 * (its credentials and seccomp filters, whose counts are the kernel
 * lock's) once t is off its CPU, under the kernel lock; thread_free
 * frees what is t's alone (its kernel stack, FPU area and struct), with
 * or without the lock. */
void thread_reap_begin(struct thread *t);
void thread_free(struct thread *t);
/* The deepest kernel-stack use, in bytes, of the threads that exited
 * since the last call (each stack starts zeroed and is measured at
 * thread_exit), and into name (16 bytes) the thread that reached it;
 * resets the mark. Any context. */
size_t sched_kstack_peak_take(char name[16]);
/* Log one line about t (tid, name, state, CPU) and, unless a CPU runs it
 * now, its kernel backtrace from where it stopped: what it sleeps in.
 * For sysrq 't' and a self-test past its time limit (process_show_all).
 * A diagnostic: t must stay allocated for the call (its process's
 * thread list walked with interrupts off and the kernel lock, which
 * reaping needs); its state may change while the call reads it. */
void sched_show_thread(struct thread *t);

/* The running thread: one load, inline (the system-call path asks often). */
static inline struct thread *current_thread(void)
{
	return this_cpu_current();
}
/* Give up the CPU; returns when picked again. Interrupts may be on. */
void sched_yield(void);
/* Called from the timer interrupt that interrupted tf: charge the tick
 * (user, system or idle), wake sleepers whose deadline passed, and ask
 * for a reschedule. With the kernel lock, or without it from an idle CPU,
 * a CPU halted for the lock, or a tick that sched_tick_lock_free let in
 * (user mode: its counts and the balancing, no timers). */
void sched_tick(const struct trap_frame *tf);
/* May this CPU's tick, taken in user mode, run without the kernel lock?
 * Not when its clock work needs it (time_tick_needs_lock: the boot CPU's
 * TSC watchdog), a wheel timer is due or the running process has
 * CPU-time timers (their callbacks and signals need the lock).
 * Interrupts off. */
bool sched_tick_lock_free(void);
/* t's running time so far in ns, including the current slice if it runs. */
uint64_t thread_run_ns(const struct thread *t);

/* The whole CPU's ticks since boot by what it was doing (/proc/stat). */
struct cpu_ticks {
	uint64_t user, sys, idle, switches;
};
struct cpu_ticks sched_cpu_ticks(void);   /* every CPU's, summed */
struct cpu_ticks sched_cpu_ticks_of(unsigned cpu); /* one online CPU's */
/* True when the timer asked for a reschedule: the system-call exit's
 * test (this CPU's flag, percpu.h) before it calls sched_preempt_point(). */
static inline bool sched_resched_due(void)
{
	return this_cpu_need_resched();
}
/* t runs in user mode on another CPU: interrupt it (VEC_IPI_RESCHED), so
 * that its return to user mode looks at its signals and exit requests
 * now rather than at its next tick. Interrupts off. */
void sched_kick(struct thread *t);
/* At the end of an interrupt: switch if a reschedule is due and the
 * interrupted code was user mode (the kernel itself is not preempted). */
void sched_preempt_point(struct trap_frame *tf);
/* A preemption point for kernel code: inside every loop whose length a
 * program controls (copies, page-table walks, console output), give up
 * the CPU when the timer has asked for a reschedule. The kernel itself is
 * not preemptible, so without it such a loop freezes every other thread.
 * Process or kernel-thread context, interrupts on or off (their state is
 * kept). Loops that may stop use io_should_stop() below. */
void sched_cond_resched(void);
/* The check of a loop whose length a program controls, once per chunk:
 * sched_cond_resched(), then true when the loop must stop now (SIGKILL
 * pending or the process exiting, fatal_signal_pending()): it then
 * returns its partial count, or -EINTR if nothing was done. */
bool io_should_stop(void);

/*
 * Deadlines are time_ns() values. NO_DEADLINE, the one way to say "none",
 * is later than any time_ns() can reach, so `time_ns() >= deadline` is
 * never true for it and no comparison needs a special case; a deadline
 * computed from a user's timeout saturates to it (sys_poll.c). A deadline
 * of 0 is an ordinary one, already passed.
 */
#define NO_DEADLINE UINT64_MAX

/* Sleep on wq until woken or until the deadline (NO_DEADLINE: none).
 * The caller checks its condition in a loop. Returns false on timeout.
 * The check and the sleep are one step against wakers that hold what
 * the caller holds across both: the kernel lock (given up only once the
 * thread is on wq and asleep), or wq's own lock (sleeplock). Interrupts
 * on or off; no spinlock held. */
bool wait_on(struct wait_queue *wq, uint64_t deadline_ns);
/* Wake every thread asleep on wq. Nobody asleep, the common case, costs
 * no lock and no call: the fence orders the caller's change of the
 * condition before the look (against a sleeper that queues itself,
 * SEQ_CST in wq_add, then looks at the condition); a sleeper under the
 * kernel lock is on wq already. */
void wake_all_slow(struct wait_queue *wq);
static inline void wake_all(struct wait_queue *wq)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&wq->head, __ATOMIC_RELAXED))
		wake_all_slow(wq);
}
/* Sleep, on no wait queue, until woken, the deadline or a signal
 * (signal_pending): true when the deadline has not passed. Unlike
 * wait_on, safe without the kernel lock: the signal is looked at after
 * the thread is published asleep (a sender sets its pending bit, then
 * wakes the sleepers: one of the two sees the other). The caller checks
 * signal_pending() in its loop. Interrupts on or off. */
bool wait_interruptible(uint64_t deadline_ns);
/* Sleep on wq until *flag is true, the deadline or a signal: true when
 * the deadline has not passed. Safe without the kernel lock: the flag
 * and the signals are looked at after the thread is on wq and asleep,
 * and the waker sets the flag, then calls wake_all(wq) (one of the two
 * sees the other). The caller loops on its flag and signal_pending().
 * Interrupts on or off; no spinlock held. */
bool wait_on_flag(struct wait_queue *wq, const bool *flag, uint64_t deadline_ns);
/* wait_on_flag for a condition: sleep on wq until ready(arg) is true,
 * the deadline or a signal, with the same contract. ready is asked once
 * the thread is on wq, without any lock: it reads what wakers change
 * with atomic loads and may be stale by the time the caller looks again
 * under its own lock. */
bool wait_on_cond(struct wait_queue *wq, bool (*ready)(const void *arg), const void *arg,
		  uint64_t deadline_ns);

/* A sleeping lock, for process context across code that may give up the
 * CPU (a copy from user memory that faults, a preemption point in a long
 * copy). Lock rule: held is taken by a compare-and-swap (free: one
 * instruction each way) and released by a store; a taker that finds it
 * held sleeps on wq until it looks free (wait_on_cond's rule), which the
 * releaser wakes. Zeroed is unlocked. Not for interrupt handlers. */
struct sleeplock {
	bool held;
	struct wait_queue wq;
};
/* Take l, sleeping while another thread holds it: 0, or -EINTR without
 * the lock when the caller is being killed (fatal_signal_pending). */
int sleeplock_lock(struct sleeplock *l);
/* Take l if it is free: true, or false at once (Linux's mutex_trylock). */
static inline bool sleeplock_trylock(struct sleeplock *l)
{
	bool free = false;

	return __atomic_compare_exchange_n(&l->held, &free, true, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}
/* sleeplock_lock for a holder that only copies (a fault is its longest
 * wait), as Linux's mutex_lock: a kill does not interrupt it. Inline:
 * a free lock is one compare-and-swap. */
void sleeplock_lock_slow(struct sleeplock *l);
static inline void sleeplock_lock_unkillable(struct sleeplock *l)
{
	bool free = false;

	if (!__atomic_compare_exchange_n(&l->held, &free, true, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		sleeplock_lock_slow(l);
}
/* Release l and wake its sleepers, if any. Inline: a store and
 * wake_all's look. */
static inline void sleeplock_unlock(struct sleeplock *l)
{
	__atomic_store_n(&l->held, false, __ATOMIC_RELEASE);
	wake_all(&l->wq); /* its fence orders the store before its look at the sleepers */
}
void sleep_until(uint64_t deadline_ns);

#endif
