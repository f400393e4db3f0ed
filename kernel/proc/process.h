/* SPDX-License-Identifier: MIT */
/* Processes: an address space, its threads, an exit status someone waits for. */
#ifndef KESTREL_PROC_PROCESS_H
#define KESTREL_PROC_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include "proc/cputime.h"
#include "proc/cred.h"
#include "proc/exec.h"
#include "proc/itimer.h"
#include "proc/ptimer.h"
#include "proc/ptrace.h"
#include "proc/rlimit.h"
#include "proc/sched.h"
#include "lib/spinlock.h"
#include "uapi/signal.h"
#include "uapi/wait.h"

struct vm_space;
struct fdtable;
struct inode;
struct fs_share;
struct sigqueue_entry;

enum process_state { PROC_ALIVE, PROC_ZOMBIE };

/* The first program's pid: it only receives the signals it handles. */
#define INIT_PID 1

/* A vfork parent's wait, on its own kernel stack: done when the child
 * has exec'd or ended (woken on wq). */
struct vfork_done {
	bool done;
	struct wait_queue wq;
};

/*
 * Lock rule: state and wstatus change with interrupts off;
 * vm is the process's own (see mm/uvm.h); the rest is set at creation.
 */
/* Signal handlers (Linux's sighand_struct): a process's own, or shared by
 * the processes clone(CLONE_SIGHAND) made. Lock rule: action under the
 * kernel lock; refs (atomic) counts the processes holding it, each until
 * it is freed (a zombie keeps it) or execs (exec gives it a copy of its
 * own). */
struct sighand {
	int refs;                  /* atomic: the last put frees it, with or without the lock */
	struct sigaction_k action[NSIG];
};

/* Linux's initial timer slack (init_task's), in ns. */
#define TIMER_SLACK_DEFAULT_NS 50000

/*
 * The process tree's lock (Linux's tasklist_lock; issue 29). It covers
 * the list of every process (process.c's all_procs, next_proc and
 * prev_proc), the family links (parent, children, sibling) and the
 * ptrace links (ptrace.tracer, ptrace.trace_next, ptrace.tracees).
 * Rule while the tree leaves the kernel lock: whoever changes them holds
 * the kernel lock and this lock both, so a reader may hold either one:
 * today's readers hold the kernel lock; a reader without it takes this.
 * A spinlock, taken with interrupts off (code run from the tick reads
 * the tree: ptimer.c's notify, signal.c's notify_parent), held for the
 * link updates only: never across a sleep, a user copy, an allocation
 * or a take of the kernel lock. Order: the kernel lock, then this; no
 * other lock is taken under it yet.
 */
extern struct spinlock process_tree_lock;

struct process {
	int pid;
	char name[16];
	struct vm_space *vm;
	struct inode *exe;         /* the file it runs, its writers denied (Linux's
	                            * mm->exe_file): set by exec, held by a fork's child
	                            * too, dropped at exec and exit; NULL for none */
	enum process_state state;
	int wstatus;               /* valid once a zombie */
	struct wait_queue exit_wq; /* woken when it becomes a zombie */

	/*
	 * Threads (changed with interrupts off). The pid is the first
	 * thread's tid; the others get tids from the same numbers. A thread
	 * that ends leaves the list and is freed by the reaper; the last
	 * one stays, as `thread`, for the zombie. Signal masks are per
	 * thread; dispositions, pending process signals and the rest here
	 * are shared, as are files, cwd and address space.
	 */
	struct thread *thread;     /* a live thread (the first while it lives); the last one */
	struct thread *threads;    /* every live thread, through group_next */
	int nthreads;
	bool exiting;              /* exit_group or a fatal signal: every thread is leaving */
	bool ending;               /* process_end has begun (its last thread leaves): Linux's PF_EXITING */
	bool core_dumping;         /* a thread is writing its core (process_core_wait): no new
	                            * threads, no second dump */
	int exit_wstatus;          /* the status it set */
	uint64_t dead_run_ns;      /* CPU time of the threads already gone */
	struct wait_queue thread_exit_wq; /* a thread left (exec waits for the others) */

	/* family: parent, children and sibling change under process_tree_lock
	 * (above); the rest with interrupts off, under the kernel lock */
	struct process *parent;    /* NULL only for processes the kernel started */
	struct process *children;  /* first child */
	struct process *sibling;   /* next child of the same parent */
	struct wait_queue child_wq;/* a child changed state (wait4 sleeps here) */
	uint32_t child_events;     /* atomic: how often child_wq was woken (process_child_event) */
	int pgid, sid;
	int pdeath_signal;         /* sent to it when its parent thread (parent_tid) or its
	                            * parent process ends; prctl, 0 after fork */
	int parent_tid;            /* the parent's thread that forked it (0: none, or gone) */
	bool child_subreaper;      /* orphaned descendants come to it, not init (prctl; 0 after fork) */
	/* prctl(PR_SET_TIMERSLACK), /proc/PID/timerslack_ns: Linux keeps it per
	 * thread; here a process's threads share it. Nothing sleeps longer for
	 * it: timers fire when due, within any slack. */
	uint64_t timer_slack_ns;
	uint64_t default_timer_slack_ns; /* what setting 0 restores: the slack at fork */
	bool init_killable;        /* read for pid 1 only: a fault was forced on it with the default
	                            * action, which kills it (Linux clears SIGNAL_UNKILLABLE);
	                            * else its default-action signals are dropped (signal.c) */
	bool pidns_init;           /* made by clone(CLONE_NEWPID): the init of a pid namespace
	                            * (Kestrel has one pid space), so CLONE_PARENT is EINVAL */
	int exit_signal;           /* sent to the parent when it ends (clone's CSIGNAL; 0: none);
	                            * not SIGCHLD: a clone child, seen by wait with __WCLONE/__WALL */
	uint32_t self_exec_id;     /* counts its execs */
	uint32_t parent_exec_id;   /* the parent's self_exec_id at fork: an exec since then
	                            * turns exit_signal into SIGCHLD, as Linux's do_notify_parent */
	uint32_t personality;      /* personality(2): PER_* domain and flags; read and written
	                            * with __atomic by its threads; copied at fork, exec
	                            * clears READ_IMPLIES_EXEC (and PER_CLEAR_ON_SETID when
	                            * ids change), as Linux's */
	bool ended_traced;         /* ended traced by its parent: its wait sees it as a tracee
	                            * (Linux keeps the link until the reap), whatever the options */

	/* files: shared by its threads */
	struct fdtable *files;
	struct inode *cwd;
	struct inode *root;        /* chroot's: where "/" and ".." stop; NULL: the system's */
	uint32_t umask;
	struct fs_share *fs_share; /* CLONE_FS: shared with the processes with the same (Linux's
	                            * fs_struct): cwd, root and umask changed through
	                            * process_set_cwd, _root and _umask; NULL: its own. Left at
	                            * its end */
	struct aio_ctx *aio;       /* io_setup's contexts (sys/sys_aio.c), under its lock; gone at
	                            * exec and exit */
	struct sem_undo_list *sysvsem; /* SEM_UNDO's adjustments (ipc/sem.c): NULL until the first,
	                            * shared by CLONE_SYSVSEM; applied and left at its end */

	/* signals: pending changes with interrupts off (the masks are the threads') */
	uint64_t sig_pending;      /* bit (sig - 1) */
	struct sighand *sighand;   /* its handlers; never NULL once it is linked */
	int sig_from_pid[NSIG];    /* who sent each pending signal (siginfo si_pid) */
	uint32_t sig_from_uid[NSIG]; /* and its real uid (si_uid) */
	uint64_t sig_queued;       /* bit (sig - 1): sent by rt_(tg)sigqueueinfo with */
	int sig_code[NSIG];        /* this si_code */
	uint64_t sig_value[NSIG];  /* and this si_value */
	struct sigqueue_entry *rtq; /* real-time signals' instances (proc/sigqueue.c) */
	uint64_t rtq_count;        /* how many */
	int chld_pid, chld_status; /* the last child to end (SIGCHLD's siginfo) */
	bool did_exec;             /* setpgid on a child that has exec'd is EACCES */
	bool orphaned;             /* its parent exited (getppid reports init) */
	bool stopped;              /* job control: stopped by stop_sig until SIGCONT */
	int stop_sig;
	bool stop_report, cont_report; /* not yet reported to wait4(WUNTRACED / WCONTINUED) */
	struct wait_queue stop_wq; /* a stopped process's threads sleep here */
	int poll_sig, poll_code;   /* the last I/O signal sent with details (F_SETSIG), */
	int poll_fd;               /* and its si_code, si_fd and si_band; poll_sig 0: none */
	int64_t poll_band;

	struct process *next_proc, *prev_proc; /* the list of all processes: process_tree_lock */
	bool kernel_waits;         /* started by the kernel, which waits for it and frees it */
	bool reaping;              /* a zombie no one waits for: the reaper frees it */
	struct process *reap_next; /* the reaper's list */
	struct vfork_done *vfork_done; /* the vfork parent's wait until exec or exit, or NULL */

	char cmdline[128];         /* argv joined by NULs, for /proc/PID/cmdline */
	char *exe_path;            /* what exec loaded (kmalloc'd, procfs owns it), or NULL */
	uint32_t cmdline_len;
	struct exec_layout layout; /* the program's environment and auxv (/proc/PID/environ, auxv) */
	uint64_t start_ns;         /* time_ns() at creation */
	uint64_t serial;           /* set at creation, never reused: tells apart two
	                            * processes of one pid (/proc/PID's inode) */

	/* CPU time (see proc/cputime.h): changed with interrupts off */
	uint64_t user_ticks, sys_ticks;  /* the timer's samples of where it ran */
	struct cpu_times child_times;    /* of the children it waited for, and theirs */
	uint64_t maxrss_pages;     /* resident high-water mark of the address spaces it left (exec) */
	uint64_t child_maxrss_pages; /* the largest of its waited-for children's, and theirs */
	struct itimer itimers[ITIMER_COUNT]; /* setitimer (see proc/itimer.h) */
	struct ktimer real_timer;  /* ITIMER_REAL's deadline on the timer wheel */
	struct ptimer *ptimers;    /* timer_create's (proc/ptimer.h): not kept by fork or exec */
	int ptimer_next_id;        /* where the next timer id is looked for */

	struct rlimits rlim;       /* setrlimit/prlimit64: the process's own; copied at fork */
	struct ptrace_state ptrace; /* tracer and tracees (proc/ptrace.h): zero at fork */
};

/* Start the reaper, the kernel thread that frees zombies no one waits
 * for (orphans without init; children of a parent that ignores SIGCHLD). */
void process_init(void);

/* Start child c (from process_fork, not yet runnable). vfork: then
 * wait until it has exec'd or ended; the wait is killable as Linux's: a
 * fatal signal (SIGKILL, or one left at a default action that
 * terminates) ends the caller there and then, other signals wait. */
void process_start_child(struct process *c, bool vfork);

/* Create a process running path with argv/envp (NULL-terminated) in a
 * fresh address space; its thread is runnable on return. NULL and
 * *err = -errno on failure (-ENOENT, -ENOEXEC, -ENOMEM...). */
struct process *process_spawn(const char *path, const char *const argv[],
			      const char *const envp[], int *err);
/* The same, as pid 1. */
struct process *process_spawn_init(const char *path, const char *const argv[],
				   const char *const envp[], int *err);
/* fork/vfork/clone: a child of the current process resuming at tf with
 * RAX = 0 (and RSP = new_sp if non-zero); how: FORK_SHARE_VM shares the
 * address space (vfork), FORK_SIBLING makes it a child of the caller's
 * parent instead (CLONE_PARENT), FORK_SHARE_FS shares the working
 * directory and umask (CLONE_FS), FORK_SHARE_FILES the descriptor table
 * (CLONE_FILES), FORK_SHARE_SIGHAND the signal handlers (CLONE_SIGHAND),
 * FORK_NEWPID makes it a pid namespace's init (CLONE_NEWPID), and
 * FORK_EXIT_SIGNAL(sig) is the signal its end sends (CSIGNAL; but for
 * FORK_SIBLING: the caller's). Both are set before the child is linked,
 * so whoever finds it in the tree (a wait's eligible) sees them final.
 * Not yet runnable (process_start_child).
 * NULL and *err on failure: -EAGAIN at the task limits (below), -ENOMEM,
 * -EINVAL for FORK_SIBLING from init. Called with the kernel lock or
 * without it (fork and clone run without it from their entry); returns
 * with it held (taken at depth 1 if the caller came without it), but
 * for an -EAGAIN seen before the copy (process.c's task_limit_seen): a
 * fork's copy of the address space is made without it (process.c's
 * fork_space). */
#define FORK_SHARE_VM    1u
#define FORK_SIBLING     2u
#define FORK_SHARE_FS    4u
#define FORK_SHARE_FILES 8u
#define FORK_SHARE_SIGHAND 16u
#define FORK_NEWPID      32u
#define FORK_EXIT_SIGNAL_SHIFT 8
#define FORK_EXIT_SIGNAL(sig) ((unsigned int)(sig) << FORK_EXIT_SIGNAL_SHIFT) /* 0..NSIG */
struct process *process_fork(struct trap_frame *tf, unsigned int how, uint64_t new_sp, int *err);
/* unshare(2) for the current process: files, a private copy of a
 * descriptor table another process shares (CLONE_FILES); fs, its own
 * working directory and umask (CLONE_FS). 0, or -ENOMEM with nothing
 * changed. */
int process_unshare(bool files, bool fs);
/* What a successful process_exec leaves its caller to do, each step
 * with the kernel lock or without it (the call's own entry, depth 1,
 * may give it up first, as do_execve does for the old space's end). */
struct vm_space;
struct exec_done {
	struct vm_space *old_vm; /* the old address space, whose reference the caller
	                          * drops (uvm_destroy, or uvm_release_begin and _end) */
	char *old_exe_path;      /* the old /proc/PID/exe path, or NULL: kfree */
	bool finish;             /* process_exec_finish is still to run, before the
	                          * return to ring 3 */
};
/* execve in the current process: on success tf enters the new program
 * (returns 0) and *done says what is left (above); on failure nothing
 * changed (-errno) and *done is empty. exec_flags are exec_load's
 * (proc/exec.h). Called with the kernel lock (execveat) or without it
 * (execve, a lock-free call); on success it is held (taken at depth 1 by
 * a caller that came without it); the image may be built without it
 * (process.c's exec_load_lockless). */
int process_exec(struct trap_frame *tf, const char *path, const char *const argv[],
		 const char *const envp[], unsigned exec_flags, struct exec_done *done);
/* The end of a successful exec that touches only the current thread and
 * what its process no longer shares with anyone (done->finish): its
 * close-on-exec descriptors closed, its new address space loaded (CR3),
 * the handlers' reset, the alternate signal stack, FS and GS bases, a
 * clean FPU, no debug registers. With the kernel lock or without it,
 * interrupts on (a close may sleep); before the old space's last
 * reference goes (which must find it loaded nowhere). */
void process_exec_finish(void);

/* A new thread of the current process (clone with CLONE_THREAD): the
 * caller's registers except RAX = 0 (and RSP = new_sp if non-zero), its
 * FPU state, FS base and signal mask. Not yet runnable. NULL and *err
 * (-EAGAIN: out of threads or memory, or the process is exiting). */
struct thread *process_clone_thread(struct trap_frame *tf, uint64_t new_sp, int *err);
/* End the whole current process (exit_group, a fatal signal) with a wait
 * status: every other thread is told to leave; does not return. */
__attribute__((noreturn)) void process_exit_current(int wstatus);
/* End the current thread (exit): the last one to leave ends the process
 * with wstatus (or with exit_group's status, if one is under way). */
__attribute__((noreturn)) void process_thread_exit_current(int wstatus);
/* exec: end every other thread of the current process and wait until
 * they are gone; the caller becomes the process's first thread (its tid
 * the pid). 0, or -EINTR if the caller must leave itself. */
int process_single_thread(void);
/* A fatal signal whose default action dumps core (proc/coredump.c), as
 * Linux's coredump_wait: end every other thread and wait until they are
 * gone, without marking the process exiting (its core's writes would stop
 * at once: fatal_signal_pending). True when the caller is then the only
 * thread and writes the core; false when an exit or another thread's dump
 * came first, or the caller must leave itself (must_exit or SIGKILL).
 * Kernel lock held. */
bool process_core_wait(void);
/* Wait until p is a zombie or the deadline (time_ns, NO_DEADLINE none) passes: true if it exited. */
bool process_wait(struct process *p, uint64_t deadline_ns);
/* Free a zombie: its address space, thread and struct. */
void process_release(struct process *p);
/* process_release in two steps: process_release_begin, under the kernel
 * lock, takes p out of every list and lets go of what the kernel lock
 * guards (its timers, its thread's credentials, its program); no one can
 * find p after it. process_free then lets go of the rest, which needs
 * no kernel lock (its /proc/PID/exe path, its signal handlers'
 * reference, its directories' references, its queued signals) and frees
 * what was p's alone (its thread's stack and FPU area, the structs),
 * with or without the lock: a wait4 does it after giving the lock up. */
void process_release_begin(struct process *p);
void process_free(struct process *p);

/* The running thread's process, NULL in a kernel thread (inline: hot). */
static inline struct process *current_process(void)
{
	struct thread *t = current_thread();
	return t ? t->proc : NULL;
}

/* True when process group pgid is orphaned (POSIX): no live member has
 * a parent in another group of the same session, so no shell could
 * continue it after a stop. A group with no live member is orphaned. */
bool process_pgrp_orphaned(int pgid);
/* fn(sid) is called (thread context, interrupts on) when session leader
 * sid exits, after its files are closed: the TTY layer releases the
 * session's controlling terminal then (Linux's disassociate_ctty). */
void process_set_leader_exit_hook(void (*fn)(int sid));
/* The TTY layer answers which terminal controls a session (for
 * /proc/PID/stat's tty_nr and tpgid): fn(sid, &rdev, &fg_pgrp) is true
 * and fills both when session sid has one. Set once at boot (tty_init). */
void process_set_ctty_lookup(bool (*fn)(int sid, uint32_t *rdev, int *fg_pgrp));
/* The controlling terminal of session sid: true and its device number and
 * foreground group, or false (none, or no TTY layer). */
bool process_session_tty(int sid, uint32_t *rdev, int *fg_pgrp);
/* fn(p) runs as the last thread of p leaves, before its parent hears of
 * it (ipc's SEM_UNDO, Linux's exit_sem; AIO's contexts): with interrupts
 * off, and it must not sleep. At most PROCESS_EXIT_HOOKS, at boot. */
#define PROCESS_EXIT_HOOKS 4
void process_add_exit_hook(void (*fn)(struct process *p));

/* The task limits: tasks are a process's last thread, live or zombie,
 * and each further thread. fork and clone fail with -EAGAIN when the
 * number of tasks of the caller's real uid (counted per user, as Linux)
 * reaches the caller's RLIMIT_NPROC, or when all of them reach the
 * system's limit (Linux's threads-max: RAM / (8 * KSTACK_SIZE)). Linux
 * exempts root (and CAP_SYS_RESOURCE) from RLIMIT_NPROC; Kestrel, where
 * init and the shell run as root, enforces it for everyone, so the
 * default limit keeps a fork bomb from exhausting the system (a program
 * may still raise its own limit, up to threads-max). */

/* True if the current thread has cap in its effective set (proc/cred.h),
 * in access()'s view of it inside access() (thread->access_cred); a
 * kernel thread has every capability. */
bool capable(int cap);
/* The credentials permission checks use: the current thread's (each
 * thread has its own, as Linux's), access()'s view of them inside
 * access(), root's for a kernel thread. */
const struct cred *current_cred(void);
/* p's thread-group leader (the live thread whose tid is the pid), or
 * NULL once it has left while others run. */
struct thread *process_leader(struct process *p);
/* The credentials others see of process p (kill, ptrace, /proc/PID,
 * PRIO_USER, nice): those of its thread-group leader, the thread whose tid
 * is the pid, as Linux looks at the leader's task; while the leader has
 * left and others run, those of its first remaining thread. p has a
 * thread (live or zombie). Interrupts off or no sleep between the call
 * and the use. */
struct cred *process_cred(struct process *p);
/* chdir: dir (whose reference this takes) becomes the working directory
 * of p and of every live process sharing it with p (CLONE_FS). */
void process_set_cwd(struct process *p, struct inode *dir);
/* chroot: the same for the root directory of p's path walks. */
void process_set_root(struct process *p, struct inode *dir);
/* umask: the same for the file creation mask. */
void process_set_umask(struct process *p, uint32_t mask);
/* True when p shares its working directory with another live process
 * (exec's LSM_UNSAFE_SHARE: no set-user-ID gain). */
bool process_fs_shared(const struct process *p);
/* Set the dumpable flag (SUID_DUMP_*) in the credentials of every thread
 * of p: Linux keeps one per mm, for the whole process. */
void process_set_dumpable(struct process *p, int dumpable);
/* kernel.pid_max: process and thread ids are below it, and wrap back to
 * RESERVED_PIDS when they reach it (Linux's defaults and bounds). */
#define PID_MAX_DEFAULT 32768
#define PID_MAX_LIMIT   4194304
#define RESERVED_PIDS   300
extern int pid_max;
/* The newest process or thread id handed out (/proc/loadavg's last),
 * or the one kernel.ns_last_pid was last set to. */
int process_last_pid(void);
/* kernel.ns_last_pid's write, as Linux's pid_ns_ctl_handler sets the
 * IDR's cursor: the next id tried is last + 1 (0 <= last <= pid_max,
 * the caller's check). */
void process_set_last_pid(int last);
/* Processes and threads made since boot (/proc/stat's processes). */
uint64_t process_total_forks(void);
/* Is p on its way out: exiting (exit_group, a fatal signal) or its last
 * thread in process_end, which has detached its tracees and given its
 * children away already? No tracer may attach to it, no tracee take it
 * as tracer and no orphan be given to it then (Linux refuses a
 * PF_EXITING task in ptrace_attach and find_new_reaper). Kernel lock. */
static inline bool process_ending(const struct process *p)
{
	return p->exiting || p->ending;
}
/* Find a live or zombie process by pid (NULL if none). */
struct process *process_find(int pid);
/* Find the live thread with id tid of a live process, and that process
 * into *owner: NULL (and *owner NULL) if none. */
struct thread *process_find_thread(int tid, struct process **owner);
/* The process id names, as kill(2) reads it: the process with that pid,
 * else the live process one of whose threads has that tid; NULL if none. */
struct process *process_find_id(int id);
/* Call fn for every process (for /proc and kill(-1)); interrupts off. */
void process_for_each(void (*fn)(struct process *p, void *arg), void *arg);
/* Every process and its threads in the log, with each thread's kernel
 * backtrace where it sleeps (sched_show_thread): Linux's sysrq 't'
 * (show-task-states), and the self-test harness's report of a program
 * still running at its time limit. With the kernel lock. */
void process_show_all(void);

/* The timer interrupted p's thread in user mode (user) or in the kernel:
 * a tick of ns nanoseconds for its times, and for its CPU-time timers
 * when timers (the tick holds the kernel lock); the scheduler's tick,
 * through sched_owner_ops; interrupts off. */
void process_charge_tick(struct process *p, bool user, uint64_t ns, bool timers);
/* p's wait4 and waitid may find something new (a child or tracee ended,
 * stopped, continued, left): counted in child_events, which a waiter
 * that sleeps without the kernel lock looks at, and child_wq woken. With
 * or without the kernel lock, interrupts on or off. */
void process_child_event(struct process *p);
/* p's own CPU time so far (a zombie's is final). */
struct cpu_times process_cpu_times(const struct process *p);
/* A parent reaping a zombie takes over its usage as its children's:
 * t, the zombie's CPU time and its own children's (times(),
 * RUSAGE_CHILDREN), and maxrss_pages, the largest ru_maxrss among them.
 * Call before process_release_begin (a getrusage of the parent's then
 * never misses the child). */
void process_collect_usage(struct process *parent, struct cpu_times t, uint64_t maxrss_pages);
/* p's resident high-water mark in pages, over its present address space
 * and those it left by exec or exit (ru_maxrss). */
uint64_t process_maxrss_pages(const struct process *p);

/* Thread t of p runs its last schedule() (thread_exit, through
 * sched_owner_ops): interrupts off. */
void process_thread_exited(struct process *p, struct thread *t);

#endif
