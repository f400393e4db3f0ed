// SPDX-License-Identifier: MIT
/*
 * Kestrel: processes. Creation by the kernel (process_spawn: the
 * self-test harness and init) or by fork/vfork/clone, threads (clone
 * with CLONE_THREAD), exec in place, exit (children go to init, the
 * parent gets SIGCHLD), and wait.
 * Lock rule: the process list and the family links change under
 * process_tree_lock and the kernel lock (process.h); the rest of the
 * tree (state, the groups, the reaper's list) with interrupts off under
 * the kernel lock.
 */
#include "proc/process.h"
#include "proc/acct.h"
#include "proc/call_lock.h"
#include "uapi/personality.h"
#include "proc/exec.h"
#include "proc/futex.h"
#include "proc/signal.h"
#include "proc/itimer.h"
#include "proc/lockcheck.h"
#include "proc/sigqueue.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "mm/uvm.h"
#include "mm/vmm.h"
#include "mm/vmalloc.h"
#include "time/time.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/klock.h"
#include "arch/x86_64/tlb.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "log.h"
#include "panic.h"
#include "uapi/signal.h"
#include "uapi/prctl.h"

/* Written over a freed struct process: a use after free reads pointers
 * that fault (non-canonical) instead of a stale process that seems fine. */
#define PROCESS_POISON 0x6b

/* Linux's fork_init: threads-max = RAM / (8 * THREAD_SIZE), at least 20. */
#define TASK_RAM_SHARE (8ull * KSTACK_SIZE)
#define MIN_MAX_TASKS  20

static struct process *all_procs;   /* every process, live or zombie: process_tree_lock */
struct spinlock process_tree_lock = SPINLOCK_INIT;
static int next_pid = INIT_PID + 1; /* pid 1 is kept for init; pid_lock */
static struct spinlock pid_lock;    /* next_pid, last_pid, highest_pid, total_forks */
static int last_pid;                /* the newest id handed out */
static int highest_pid = INIT_PID;  /* the largest id ever handed out (init's is 1) */
static uint64_t total_forks;        /* ids handed out since boot: processes and threads made */
static uint64_t process_serials;    /* the last struct process's serial; atomic */
int pid_max = PID_MAX_DEFAULT;      /* kernel.pid_max: ids wrap below it */
static int nr_tasks;                /* processes (zombies too) plus extra threads; interrupts off */
static int max_tasks = MIN_MAX_TASKS; /* threads-max, set by process_init */
static struct process *init_proc;   /* pid 1 until it is released: found in O(1) at every exit */
/* A kernel thread's credentials: root with every capability. */
static const struct cred kernel_cred = {
	.cap_effective = CAP_FULL_SET, .cap_permitted = CAP_FULL_SET, .dumpable = SUID_DUMP_USER,
};

static uint64_t process_pml4(const struct process *p)
{
	return p->vm->pml4;
}

struct process *process_find(int pid)
{
	for (struct process *p = all_procs; p; p = p->next_proc)
		if (p->pid == pid)
			return p;
	return NULL;
}

struct thread *process_find_thread(int tid, struct process **owner)
{
	for (struct process *p = all_procs; p; p = p->next_proc) {
		if (p->state != PROC_ALIVE)
			continue;
		for (struct thread *t = p->threads; t; t = t->group_next)
			if (t->tid == tid) {
				*owner = p;
				return t;
			}
	}
	*owner = NULL;
	return NULL;
}

struct process *process_find_id(int id)
{
	struct process *p = process_find(id);

	if (!p)
		process_find_thread(id, &p);
	return p;
}

bool capable(int cap)
{
	struct process *p = current_process();

	return !p || cred_capable(current_cred(), cap);
}

const struct cred *current_cred(void)
{
	struct process *p = current_process();
	struct thread *t = current_thread();

	if (t && t->access_cred)
		return t->access_cred;
	return p ? &t->cred : &kernel_cred;
}

struct thread *process_leader(struct process *p)
{
	for (struct thread *t = p->threads; t; t = t->group_next)
		if (t->tid == p->pid)
			return t;
	return NULL;
}

struct cred *process_cred(struct process *p)
{
	struct thread *leader = process_leader(p);

	return leader ? &leader->cred : &p->thread->cred;
}

/* CLONE_FS: the count of processes sharing one working directory and
 * umask. Each keeps its own copy in p->cwd and p->umask, which
 * process_set_cwd and process_set_umask change in all of them. */
struct fs_share {
	int users;
};

/* Share parent's working directory and umask with its child c: 0, or
 * -ENOMEM (nothing shared). */
static int fs_share_join(struct process *parent, struct process *c)
{
	if (!parent->fs_share) {
		if (!(parent->fs_share = kzalloc(sizeof(*parent->fs_share))))
			return -ENOMEM;
		parent->fs_share->users = 1;
	}
	c->fs_share = parent->fs_share;
	c->fs_share->users++;
	return 0;
}

/* p ends (or its fork failed): it shares nothing any more. */
static void fs_share_leave(struct process *p)
{
	if (p->fs_share && --p->fs_share->users == 0)
		kfree(p->fs_share);
	p->fs_share = NULL;
}

/* A private copy of p's descriptor table when another process shares it
 * (CLONE_FILES), in *own (NULL when not shared): 0, -ENOMEM or -EMFILE
 * (fdtable_copy). */
static int files_unshare_copy(struct process *p, struct fdtable **own)
{
	*own = NULL;
	if (!p->files || p->files->refs <= 1)
		return 0;
	return fdtable_copy(p->files, own);
}

/* p takes own (from files_unshare_copy) as its table, if any. Another
 * thread of p may be looking a descriptor up in the old one without the
 * kernel lock (fs/vfs.h's fd_get_nolock, interrupts off): a barrier on
 * every CPU that runs p's address space waits for each such lookup to
 * end before p's reference to the old table goes (which another
 * process's may then free). */
static void files_unshare_commit(struct process *p, struct fdtable *own)
{
	if (!own)
		return;
	struct fdtable *old = p->files;
	__atomic_store_n(&p->files, own, __ATOMIC_RELEASE);
	if (p->nthreads > 1)
		tlb_barrier(p->vm->pml4);
	fdtable_put(old);
}

int process_unshare(bool files, bool fs)
{
	struct process *p = current_process();
	struct fdtable *own = NULL;

	int err = files ? files_unshare_copy(p, &own) : 0;
	if (err)
		return err;
	files_unshare_commit(p, own);
	if (fs)
		fs_share_leave(p);
	return 0;
}

bool process_fs_shared(const struct process *p)
{
	return p->fs_share && p->fs_share->users > 1;
}

/* The directory of p's that a chdir (root false) or a chroot changes. */
static struct inode **fs_dir(struct process *p, bool root)
{
	return root ? &p->root : &p->cwd;
}

/* dir (whose reference this takes) as p's working directory or root, and
 * that of every live process sharing p's fs (CLONE_FS). */
static void fs_set_dir(struct process *p, bool root, struct inode *dir)
{
	if (p->fs_share) {
		for (struct process *o = all_procs; o; o = o->next_proc)
			if (o != p && o->fs_share == p->fs_share && o->state == PROC_ALIVE) {
				struct inode *old = *fs_dir(o, root);
				*fs_dir(o, root) = inode_get(dir);
				inode_put(old); /* another reference to it remains: p's or dir's */
			}
	}
	inode_put(*fs_dir(p, root)); /* NULL (no chroot yet) is nothing to put */
	*fs_dir(p, root) = dir;
}

void process_set_cwd(struct process *p, struct inode *dir)
{
	fs_set_dir(p, false, dir);
}

void process_set_root(struct process *p, struct inode *dir)
{
	fs_set_dir(p, true, dir);
}

void process_set_umask(struct process *p, uint32_t mask)
{
	if (p->fs_share) {
		for (struct process *o = all_procs; o; o = o->next_proc)
			if (o->fs_share == p->fs_share && o->state == PROC_ALIVE)
				o->umask = mask;
	}
	p->umask = mask;
}

void process_set_dumpable(struct process *p, int dumpable)
{
	uint64_t f = irq_save();

	for (struct thread *t = p->threads; t; t = t->group_next)
		t->cred.dumpable = dumpable;
	irq_restore(f);
}

void process_for_each(void (*fn)(struct process *p, void *arg), void *arg)
{
	uint64_t f = irq_save();
	for (struct process *p = all_procs; p; p = p->next_proc)
		fn(p, arg);
	irq_restore(f);
}

/* process_show_all's step: p's line, then each live thread's. */
static void show_process(struct process *p, void *arg)
{
	static const char *const state_names[] = {
		[PROC_ALIVE] = "live", [PROC_ZOMBIE] = "zombie",
	};

	(void)arg;
	klog(LOG_INFO, "process %d (%.16s) %s, %d threads%s\n", p->pid,
	     p->thread ? p->thread->name : "-", state_names[p->state], p->nthreads,
	     p->exiting ? ", exiting" : "");
	for (struct thread *t = p->threads; t; t = t->group_next)
		sched_show_thread(t);
}

void process_show_all(void)
{
	klog(LOG_INFO, "show-task-states: every process and its threads\n");
	process_for_each(show_process, NULL);
}

/* New signal handlers: a copy of from's actions, or every one SIG_DFL
 * (from NULL), held once. NULL when out of memory. */
static struct sighand *sighand_new(const struct sighand *from)
{
	struct sighand *h = kzalloc(sizeof(*h));

	if (!h)
		return NULL;
	if (from)
		memcpy(h->action, from->action, sizeof(h->action));
	h->refs = 1;
	return h;
}

static struct sighand *sighand_get(struct sighand *h)
{
	__atomic_add_fetch(&h->refs, 1, __ATOMIC_RELAXED);
	return h;
}

/* Drop a reference to h (NULL: none), with or without the kernel lock:
 * the last one frees it, and no one else holds it then. */
static void sighand_put(struct sighand *h)
{
	if (h && __atomic_sub_fetch(&h->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(h);
}

/* Does another process share h (CLONE_SIGHAND)? Only h's users change
 * that (a share by a fork of one of them), but the last reference of
 * another may go at any moment without the kernel lock. */
static bool sighand_shared(const struct sighand *h)
{
	return __atomic_load_n(&h->refs, __ATOMIC_ACQUIRE) > 1;
}

/* p runs ip now (exec_image's exe, whose reference and denial of writers
 * it takes; NULL at exit): the file it ran before may be written again. */
static void set_exe(struct process *p, struct inode *ip)
{
	vfs_exec_release(p->exe);
	p->exe = ip;
}

/* A fork's child runs its parent's file too (Linux's dup_mm_exe_file):
 * a reference and a denial of writers of its own, which cannot fail as
 * the parent's denies them already. */
static struct inode *exe_dup(struct inode *ip)
{
	if (!ip || inode_deny_write(ip))
		return NULL;
	return inode_get(ip);
}

/* The names a process running path with argv shows (/proc/PID/comm and
 * cmdline), made apart from the process so that an exec makes them
 * before it takes the kernel lock and only copies them under it. */
struct proc_names {
	char name[sizeof(((struct process *)0)->name)];       /* path's last component */
	char cmdline[sizeof(((struct process *)0)->cmdline)]; /* argv joined with NULs, cut
	                                                        * before the first that does
	                                                        * not fit */
	uint32_t cmdline_len;
};

static void names_make(struct proc_names *n, const char *path, const char *const argv[])
{
	const char *base = path;
	for (const char *s = path; *s; s++)
		if (*s == '/')
			base = s + 1;
	strlcpy(n->name, base, sizeof(n->name));
	n->cmdline_len = 0;
	for (int i = 0; argv && argv[i]; i++) {
		size_t len = strlen(argv[i]) + 1;
		if (n->cmdline_len + len > sizeof(n->cmdline))
			break;
		memcpy(n->cmdline + n->cmdline_len, argv[i], len);
		n->cmdline_len += (uint32_t)len;
	}
}

/* p shows names n: the kernel lock held, as by /proc's readers. */
static void names_set(struct process *p, const struct proc_names *n)
{
	memcpy(p->name, n->name, sizeof(p->name));
	memcpy(p->cmdline, n->cmdline, n->cmdline_len);
	p->cmdline_len = n->cmdline_len;
}

/* c's parent becomes parent, and c its first child (parent NULL: c has
 * no parent). process_tree_lock. */
static void child_link(struct process *parent, struct process *c)
{
	spin_must_hold(&process_tree_lock);
	c->parent = parent;
	if (parent) {
		c->sibling = parent->children;
		parent->children = c;
	}
}

/* Take c out of its parent's children (c->parent is left as it was).
 * process_tree_lock. */
static void child_unlink(struct process *c)
{
	spin_must_hold(&process_tree_lock);
	if (!c->parent)
		return;
	for (struct process **pp = &c->parent->children; *pp; pp = &(*pp)->sibling)
		if (*pp == c) {
			*pp = c->sibling;
			break;
		}
}

/* Publish new process p (its parent already set, or NULL): on the list
 * of every process and its parent's children. Kernel lock. */
static void link_process(struct process *p)
{
	uint64_t f = spin_lock_irqsave(&process_tree_lock);
	p->next_proc = all_procs;
	p->prev_proc = NULL;
	if (all_procs)
		all_procs->prev_proc = p;
	all_procs = p;
	child_link(p->parent, p);
	spin_unlock_irqrestore(&process_tree_lock, f);
}

/* Take p off the list and out of its parent's children: no lookup finds
 * it after this. Kernel lock. */
static void unlink_process(struct process *p)
{
	uint64_t f = irq_save();
	spin_lock_irqoff(&process_tree_lock);
	if (p->prev_proc)
		p->prev_proc->next_proc = p->next_proc;
	else
		all_procs = p->next_proc;
	if (p->next_proc)
		p->next_proc->prev_proc = p->prev_proc;
	child_unlink(p);
	spin_unlock_irqoff(&process_tree_lock);
	nr_tasks--;	/* its last thread */
	if (p->parent)
		process_child_event(p->parent); /* a wait4 may be waiting for the last child to go */
	irq_restore(f);
}

/* ---- the reaper: frees the zombies nobody will wait for ---- */

static struct process *reap_list;     /* interrupts off to change */
static struct thread *reap_threads;   /* threads that left a process that goes on */
static struct wait_queue reaper_wq;

/* Queue zombie z for the reaper. Interrupts off. Its thread may still be
 * running its last instructions: the reaper, a thread too, can only run
 * once the dying thread has switched away (one CPU). */
static void reap_later(struct process *z)
{
	z->reaping = true;
	z->reap_next = reap_list;
	reap_list = z;
	wake_all(&reaper_wq);
}

/* Queue dead thread t (no longer in any process) for the reaper. Interrupts off. */
static void reap_thread_later(struct thread *t)
{
	t->group_next = reap_threads;
	reap_threads = t;
	wake_all(&reaper_wq);
}

static void reaper_main(void *arg)
{
	(void)arg;
	for (;;) {
		uint64_t f = irq_save();
		while (!reap_list && !reap_threads)
			wait_on(&reaper_wq, NO_DEADLINE);
		struct process *z = reap_list;
		struct thread *t = z ? NULL : reap_threads;
		if (z)
			reap_list = z->reap_next;
		else
			reap_threads = t->group_next;
		irq_restore(f);
		if (z)
			process_release(z);
		else
			thread_reap(t);
	}
}

/* The scheduler's view of processes (sched.h). */
static const struct sched_owner_ops owner_ops = {
	.pml4 = process_pml4,
	.thread_exited = process_thread_exited,
	.charge_tick = process_charge_tick,
	.cpu_timers_armed = itimer_cpu_armed,
	.signal_wakes = signal_pending,
	.being_killed = fatal_signal_pending,
};

void process_init(void)
{
	uint64_t tasks = pmm_managed_pages() * PAGE_SIZE / TASK_RAM_SHARE;
	struct thread *t = thread_create_kernel("reaper", reaper_main, NULL);

	max_tasks = tasks > MIN_MAX_TASKS ? (int)(tasks < INT32_MAX ? tasks : INT32_MAX) : MIN_MAX_TASKS;

	if (!t)
		panic("process_init: cannot start the reaper thread");
	lockcheck_track(&process_tree_lock); /* first taken when the first program starts */
	sched_set_owner(&owner_ops);
	ptimer_init();
	thread_make_runnable(t);
}

/* The signal child c sends parent when it ends, as Linux's
 * do_notify_parent: its exit signal, or SIGCHLD when the parent exec'd
 * since the fork. (c stays a clone child for wait all the same.) */
static int exit_signal_sent(const struct process *c, const struct process *parent)
{
	if (c->exit_signal != SIGCHLD && c->parent_exec_id != parent->self_exec_id)
		return SIGCHLD;
	return c->exit_signal;
}

/* A child of parent that ends is freed at once instead of becoming a
 * zombie: the parent ignores SIGCHLD or set SA_NOCLDWAIT and the child
 * sends it SIGCHLD (exit_signal_sent), or there is no parent (an orphan
 * with no init to take it). */
static bool autoreaped(const struct process *c, const struct process *parent)
{
	if (!parent)
		return !c->kernel_waits;
	return exit_signal_sent(c, parent) == SIGCHLD && signal_child_autoreap(parent);
}

/* ---- threads ---- */

/* A new thread of p, named name, that resumes where the calling thread's
 * system call (frame tf) returns, with RAX = 0 and RSP = new_sp (if
 * non-zero), and the caller's FPU state, FS base, I/O permissions, signal
 * mask and no_new_privs: what only the caller changes, so this needs no
 * kernel lock (fork makes it before taking it). Not yet runnable or in
 * p's list; its credentials and seccomp filters are copy_caller_shared's.
 * NULL when out of memory or kernel stacks. */
static struct thread *copy_caller_own(struct process *p, const char *name,
				      const struct trap_frame *tf, uint64_t new_sp)
{
	struct thread *t = thread_create_user(p, name, tf->rip, new_sp ? new_sp : tf->rsp);

	if (!t)
		return NULL;
	struct trap_frame *ctf = arch_thread_user_frame(t->kstack_top);
	*ctf = *tf;
	ctf->rax = 0;
	if (new_sp)
		ctf->rsp = new_sp;
	arch_thread_copy_current(&t->arch, &current_thread()->arch); /* FPU, FS/GS, ports */
	t->sig_blocked = current_thread()->sig_blocked;
	t->no_new_privs = current_thread()->no_new_privs;
	t->altstack_flags = SS_DISABLE; /* a new thread starts without one */
	return t;
}

/* New thread t (copy_caller_own) takes the caller's seccomp filters and a
 * copy of its credentials (Linux's copy_creds, for a thread and a process
 * alike), which other threads and processes may change (a filter's
 * TSYNC, sched_setscheduler, a keyring): under the kernel lock. */
static void copy_caller_shared(struct thread *t)
{
	seccomp_copy(&t->seccomp, &current_thread()->seccomp);
	cred_fork(&t->cred, &current_thread()->cred);
}

/* copy_caller_own and copy_caller_shared in one, under the kernel lock:
 * a thread of p named as p. */
static struct thread *copy_caller(struct process *p, const struct trap_frame *tf, uint64_t new_sp)
{
	struct thread *t = copy_caller_own(p, p->name, tf, new_sp);

	if (t)
		copy_caller_shared(t);
	return t;
}

/* Add t to p's threads, as tid. Interrupts off. */
static void group_add(struct process *p, struct thread *t, int tid)
{
	t->tid = tid;
	t->group_next = p->threads;
	p->threads = t;
	p->nthreads++;
	if (!p->thread)
		p->thread = t;
}

/* Take t out of p's threads (it is leaving; others stay). Interrupts off. */
static void group_remove(struct process *p, struct thread *t)
{
	for (struct thread **pp = &p->threads; *pp; pp = &(*pp)->group_next)
		if (*pp == t) {
			*pp = t->group_next;
			break;
		}
	p->nthreads--;
	if (p->thread == t)
		p->thread = p->threads;
}

/* Tell every thread of p but the caller to leave, waking any that sleeps
 * (a blocked call sees signal_pending() and returns). Interrupts off. */
static void others_must_exit(struct process *p)
{
	for (struct thread *o = p->threads; o; o = o->group_next)
		if (o != current_thread()) {
			o->must_exit = true;
			thread_make_runnable(o);
		}
}

#define PID_WINDOW 1024 /* ids one walk of the processes judges, after a wrap */

/* Set id's bit in used, the bitmap of [base, base + PID_WINDOW), if it falls there. */
static void mark_id(uint64_t used[PID_WINDOW / 64], int base, int id)
{
	if (id < base || id - base >= PID_WINDOW)
		return;
	unsigned off = (unsigned)(id - base);
	used[off / 64] |= 1ull << (off % 64);
}

/* Which ids of [base, base + PID_WINDOW) some process, thread, process
 * group or session still has: their bits set in used, in one walk of the
 * processes (process_find's, under the kernel lock). */
static void ids_in_use(int base, uint64_t used[PID_WINDOW / 64])
{
	memset(used, 0, PID_WINDOW / 8);
	for (const struct process *p = all_procs; p; p = p->next_proc) {
		mark_id(used, base, p->pid);
		mark_id(used, base, p->pgid);
		mark_id(used, base, p->sid);
		for (const struct thread *t = p->state == PROC_ALIVE ? p->threads : NULL; t; t = t->group_next)
			mark_id(used, base, t->tid);
	}
}

/* The first id of [base, base + n) whose bit in used is clear, or 0. */
static int first_free_id(const uint64_t used[PID_WINDOW / 64], int base, int n)
{
	for (int i = 0; i < n; i++)
		if (!(used[i / 64] & (1ull << (i % 64))))
			return base + i;
	return 0;
}

/*
 * A new process or thread id (Linux's alloc_pid over its IDR): the next
 * after the last one handed out that nothing uses, wrapping below
 * pid_max back to RESERVED_PIDS (ids under it stay the daemons'). An id
 * above every one handed out is free without a look, so only after a
 * wrap does a fork walk the processes, and then one walk judges
 * PID_WINDOW ids (a walk per id tried cost, with 30,000 processes and
 * their ids ahead, 30,000 walks of 30,000 with interrupts off). 0 when
 * every id is taken (the caller's -EAGAIN). The walk of all_procs is
 * process_find's, under the kernel lock; pid_lock keeps next_pid and the
 * counts.
 */
static int alloc_pid(void)
{
	uint64_t used[PID_WINDOW / 64];
	uint64_t fl = spin_lock_irqsave(&pid_lock);
	int max = __atomic_load_n(&pid_max, __ATOMIC_RELAXED), id = 0;

	for (int tried = 0; tried < max && !id;) {
		int cand = next_pid >= max ? RESERVED_PIDS : next_pid;
		if (cand > highest_pid) {
			id = cand;
			break;
		}
		int n = max - cand < PID_WINDOW ? max - cand : PID_WINDOW;
		ids_in_use(cand, used);
		id = first_free_id(used, cand, n);
		next_pid = cand + n;
		tried += n;
	}
	if (id) {
		next_pid = id + 1;
		last_pid = id;
		highest_pid = id > highest_pid ? id : highest_pid;
		total_forks++;
	}
	spin_unlock_irqrestore(&pid_lock, fl);
	return id;
}

int process_last_pid(void)
{
	return __atomic_load_n(&last_pid, __ATOMIC_RELAXED);
}

void process_set_last_pid(int last)
{
	uint64_t fl = spin_lock_irqsave(&pid_lock);
	last_pid = last;
	next_pid = last + 1;
	spin_unlock_irqrestore(&pid_lock, fl);
}

uint64_t process_total_forks(void)
{
	return __atomic_load_n(&total_forks, __ATOMIC_RELAXED);
}

/* The tasks whose real uid is uid, as Linux counts them for RLIMIT_NPROC
 * (per user): each thread of a live process by its own credentials, each
 * zombie once. Interrupts off; O(tasks), so asked only when the count of
 * every task reaches the limit. */
static uint64_t tasks_of_user(uint32_t uid)
{
	uint64_t n = 0;

	for (struct process *p = all_procs; p; p = p->next_proc) {
		if (p->state != PROC_ALIVE) {
			n += process_cred(p)->uid == uid;
			continue;
		}
		for (const struct thread *t = p->threads; t; t = t->group_next)
			n += t->cred.uid == uid;
	}
	return n;
}

/* Would one more task for p's fork or clone pass a limit, with n tasks
 * counted: the system's (max_tasks), or p's RLIMIT_NPROC for the
 * caller's user. root's tasks are counted as every task (an upper
 * bound, and what a fork bomb run as root hits first); another user's
 * own count is the walk of every process (tasks_of_user), made only
 * when walk says the caller holds the kernel lock, and only once every
 * task together reaches the limit; without it such a user is never
 * refused here. */
static bool task_limit_hit(const struct process *p, uint64_t n, bool walk)
{
	uint64_t limit = rlimits_cur(&p->rlim, RLIMIT_NPROC);
	uint32_t uid = current_cred()->uid;

	if (n >= (uint64_t)max_tasks)
		return true;
	return n >= limit && (uid == 0 || (walk && tasks_of_user(uid) >= limit));
}

/* Count one more task for p's fork or clone, if the limits allow it (see
 * process_fork): 0, or -EAGAIN. Counted at once, so that a fork
 * that sleeps while copying cannot let another pass the system's limit;
 * a failed fork gives it back with task_unreserve(). The walk of
 * task_limit_hit runs with interrupts off. */
static int task_reserve(const struct process *p)
{
	uint64_t f = irq_save();
	int err = 0;

	if (task_limit_hit(p, (uint64_t)nr_tasks, true))
		err = -EAGAIN;
	else
		nr_tasks++;
	irq_restore(f);
	return err;
}

/* task_reserve's refusal as far as a read without the kernel lock can
 * see it, for a fork to ask before it copies the address space (Linux's
 * copy_process checks RLIMIT_NPROC and threads-max before copy_mm), so
 * that a caller at its limit that forks again and again does not copy
 * its space each time only to drop it. True when the count of every
 * task, read racily (as Linux reads nr_threads there), is at the
 * system's limit, or at p's RLIMIT_NPROC for root, whose tasks count as
 * every task. A non-root user's own count is the walk of every process,
 * under the kernel lock: left to task_reserve, which decides in every
 * case under it. */
static bool task_limit_seen(const struct process *p)
{
	return task_limit_hit(p, (uint64_t)__atomic_load_n(&nr_tasks, __ATOMIC_RELAXED), false);
}

static void task_unreserve(void)
{
	uint64_t f = irq_save();
	nr_tasks--;
	irq_restore(f);
}

static struct process *process_alloc(int pid)
{
	struct process *p = kzalloc(sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	p->state = PROC_ALIVE;
	p->umask = 022;
	p->exit_signal = SIGCHLD;
	p->start_ns = time_ns();
	p->serial = __atomic_add_fetch(&process_serials, 1, __ATOMIC_RELAXED);
	return p;
}

/* Drop what new process c holds of its parent's (its program,
 * handlers, table, directories, share of the fs), for a spawn or fork
 * that failed. Under the kernel lock. */
static void drop_copies(struct process *c)
{
	set_exe(c, NULL);
	sighand_put(c->sighand);
	if (c->files)
		fdtable_put(c->files);
	if (c->cwd)
		inode_put(c->cwd);
	if (c->root)
		inode_put(c->root);
	fs_share_leave(c);
}

static struct process *spawn(int pid, const char *path, const char *const argv[],
			     const char *const envp[], int *err)
{
	struct process *p = process_alloc(pid);
	struct exec_image img;

	if (!p) {
		*err = -ENOMEM;
		return NULL;
	}
	struct proc_names names;
	names_make(&names, path, argv);
	names_set(p, &names);
	rlimit_defaults(&p->rlim, (uint64_t)max_tasks); /* a fork copies its parent's */
	p->timer_slack_ns = p->default_timer_slack_ns = TIMER_SLACK_DEFAULT_NS;
	p->kernel_waits = true;
	p->pgid = p->sid = p->pid;
	*err = (p->sighand = sighand_new(NULL)) ? vfs_default_stdio(p) : -ENOMEM;
	if (!*err)
		*err = exec_load(path, argv, envp, 0, &img);
	if (!*err && img.doomed) { /* nobody to see the SIGSEGV: say why */
		exec_image_drop(&img);
		*err = -ENOEXEC;
	}
	if (*err)
		goto fail;
	p->vm = img.vm;
	set_exe(p, img.exe);
	p->layout = img.layout;
	procfs_exchange_exe(p, img.exe_path); /* a new process had none */
	struct thread *t = thread_create_user(p, p->name, img.entry, img.sp);
	if (!t) {
		*err = -ENOMEM;
		goto fail;
	}
	t->altstack_flags = SS_DISABLE;
	cred_defaults(&t->cred);
	group_add(p, t, p->pid);
	uint64_t f = irq_save();
	nr_tasks++; /* the kernel's own programs count, but are never refused */
	if (p->pid == INIT_PID)
		init_proc = p;
	irq_restore(f);
	link_process(p);
	thread_make_runnable(t);
	return p;
fail:
	if (p->vm)
		uvm_destroy(p->vm);
	drop_copies(p);
	kfree(p);
	return NULL;
}

struct process *process_spawn(const char *path, const char *const argv[],
			      const char *const envp[], int *err)
{
	int pid = alloc_pid();
	if (!pid) {
		*err = -EAGAIN;
		return NULL;
	}
	return spawn(pid, path, argv, envp, err);
}

struct process *process_spawn_init(const char *path, const char *const argv[],
				   const char *const envp[], int *err)
{
	return spawn(INIT_PID, path, argv, envp, err);
}

/* p ended with wstatus: its parent gets the signal exit_signal_sent
 * gives (none for 0 or a number beyond the signals). Interrupts off. */
static void notify_parent(struct process *p, int wstatus)
{
	struct process *parent = p->parent;
	int sig = exit_signal_sent(p, parent);

	if (sig == SIGCHLD) { /* SIGCHLD's siginfo */
		parent->chld_pid = p->pid;
		parent->chld_status = wstatus;
	}
	if (sig > 0 && sig <= NSIG)
		signal_send(parent, sig);
}

/*
 * p's last thread is off to its last switch (thread_exit, interrupts off):
 * p is a zombie, and only now is its parent told, as Linux's exit_notify
 * sets EXIT_ZOMBIE before do_notify_parent. A parent its SIGCHLD wakes
 * must find the child waitable: busybox sh's wait blocks SIGCHLD, tries
 * waitpid(WNOHANG) and sleeps in sigsuspend until the next SIGCHLD, and
 * a signal sent while the child was still closing its files (process_end,
 * which may sleep) found nothing to wait for and left the shell asleep
 * for good.
 */
void process_thread_exited(struct process *p, struct thread *t)
{
	(void)t;
	p->state = PROC_ZOMBIE;
	if (p->parent)
		notify_parent(p, p->wstatus);
	wake_all(&p->exit_wq);
	io_event(); /* its pidfds poll readable (fs/pidfd.c) */
	if (autoreaped(p, p->parent))
		reap_later(p);
	else if (p->parent)
		process_child_event(p->parent);
}

void process_child_event(struct process *p)
{
	__atomic_add_fetch(&p->child_events, 1, __ATOMIC_RELEASE);
	wake_all(&p->child_wq); /* its fence orders the count before its look */
}

/* p execs or ends: its vfork parent, if one waits, goes on. The parent's
 * vfork_done is on the parent's stack: once released it is never touched
 * again. Interrupts off. */
static void vfork_release(struct process *p)
{
	struct vfork_done *d = p->vfork_done;

	if (!d)
		return;
	p->vfork_done = NULL;
	d->done = true;
	wake_all(&d->wq);
}

/* c's parent (or the thread that forked it) is gone: its parent-death
 * signal (prctl PR_SET_PDEATHSIG), if it set one and still runs. */
static void pdeath_notify(struct process *c)
{
	if (c->pdeath_signal && c->state != PROC_ZOMBIE)
		signal_send(c, c->pdeath_signal);
}

/* Who takes p's children, as Linux's find_new_reaper: the nearest live
 * ancestor that made itself a child subreaper (prctl), else init (NULL
 * if init is gone). Interrupts off. */
static struct process *new_reaper(struct process *p)
{
	for (struct process *a = p->parent; a && a != init_proc; a = a->parent)
		if (a->child_subreaper && a->state == PROC_ALIVE && !process_ending(a))
			return a;
	return init_proc == p ? NULL : init_proc;
}

/* Move p's first child to reaper (NULL: none), as Linux's reparent_leader
 * sets its exit signal back to SIGCHLD: that child, or NULL when p has
 * none left. Kernel lock, interrupts off. */
static struct process *reparent_first(struct process *p, struct process *reaper)
{
	spin_lock_irqoff(&process_tree_lock);
	struct process *c = p->children;
	if (c) {
		child_unlink(c);
		child_link(reaper, c);
		c->parent_tid = 0;
		c->exit_signal = SIGCHLD;
		c->ended_traced = false;
		c->orphaned = true;
	}
	spin_unlock_irqoff(&process_tree_lock);
	return c;
}

/* Give p's children to their new reaper (new_reaper). Interrupts off. */
static void reparent_children(struct process *p)
{
	struct process *reaper = new_reaper(p), *c;

	while ((c = reparent_first(p, reaper)) != NULL) {
		pdeath_notify(c);
		if (c->state != PROC_ZOMBIE || c->reaping)
			continue; /* alive, or already the reaper's: queued once only */
		if (autoreaped(c, reaper)) {
			reap_later(c);
		} else {
			/* a zombie tells its new parent, as Linux's reparent_leader */
			if (reaper && !ptrace_traced(&c->ptrace))
				notify_parent(c, c->wstatus);
			process_child_event(reaper);
		}
	}
}

/* The current thread leaves: 0 at its clear_child_tid and a futex wake
 * there, as pthread_join waits for. */
static void clear_child_tid(struct process *p, struct thread *t)
{
	int zero = 0;

	if (t->clear_child_tid && !copy_to_user(t->clear_child_tid, &zero, sizeof(zero)))
		futex_wake(p->vm, t->clear_child_tid, 1);
	t->clear_child_tid = 0;
}

/* Thread t of p leaves while others go on: the children it forked get
 * their parent-death signal, as Linux's forget_original_parent (their
 * parent is now the process as a whole). Interrupts off. */
static void children_lose_thread(struct process *p, const struct thread *t)
{
	for (struct process *c = p->children; c; c = c->sibling) {
		if (c->parent_tid != t->tid)
			continue;
		c->parent_tid = 0;
		pdeath_notify(c);
	}
}

/* A thread other than the last leaves p (interrupts off): the reaper
 * frees it once it has switched away. */
static __attribute__((noreturn)) void leave_group(struct process *p, struct thread *t)
{
	children_lose_thread(p, t);
	group_remove(p, t);
	nr_tasks--;
	p->dead_run_ns += thread_run_ns(t);
	t->proc = NULL; /* a kernel thread now, for its last instructions */
	wake_all(&p->thread_exit_wq);
	reap_thread_later(t);
	/* The process may be gone before the next switch loads another CR3. */
	tlb_load(vmm_kernel_pml4());
	thread_exit();
}

/* The last thread leaves: p becomes a zombie with wstatus. Interrupts off. */
static void (*leader_exit_hook)(int sid);

void process_set_leader_exit_hook(void (*fn)(int sid))
{
	leader_exit_hook = fn;
}

/* Set once at boot (process_set_ctty_lookup), read-only afterwards. */
static bool (*ctty_lookup)(int sid, uint32_t *rdev, int *fg_pgrp);

void process_set_ctty_lookup(bool (*fn)(int sid, uint32_t *rdev, int *fg_pgrp))
{
	ctty_lookup = fn;
}

bool process_session_tty(int sid, uint32_t *rdev, int *fg_pgrp)
{
	return ctty_lookup && ctty_lookup(sid, rdev, fg_pgrp);
}

static void (*exit_hooks[PROCESS_EXIT_HOOKS])(struct process *p);
static unsigned n_exit_hooks;

void process_add_exit_hook(void (*fn)(struct process *p))
{
	if (n_exit_hooks == PROCESS_EXIT_HOOKS)
		panic("process: more than %d exit hooks", PROCESS_EXIT_HOOKS);
	exit_hooks[n_exit_hooks++] = fn;
}

/* An exiting process's costly work that touches nothing shared: the
 * end of its reference to its address space (vm, no longer p->vm nor
 * loaded here; NULL when none), the free of its emptied descriptor
 * table (files, from exit_files; NULL when none) and the measure of its
 * kernel stack (thread_note_kstack).
 * Without the kernel lock when this CPU holds it only for the exit's
 * entry (depth 1): other CPUs' system calls run meanwhile (the process
 * is no zombie yet, its memory, files and program are gone: what they
 * may find of it). Interrupts off, so no switch back to the thread
 * looks for p->vm. */
static void exit_work_unlocked(struct vm_space *vm, struct fdtable *files)
{
	bool drop = this_cpu_klock_depth() == 1;
	if (drop)
		klock_leave();
	if (vm)
		uvm_destroy(vm);
	if (files)
		fdtable_free(files);
	thread_note_kstack();
	if (drop)
		klock_enter();
}

/* The exiting thread leaves its process's address space for the kernel's
 * (whose upper half is the same): its user memory is no longer used, and
 * the space must be loaded nowhere before its last reference goes. Early,
 * with the kernel lock given up, it may be undone by a switch back to the
 * thread (which loads p->vm): process_end does it again only then. */
static void exit_leave_space(void)
{
	tlb_load(vmm_kernel_pml4());
}

/*
 * p's descriptors close (Linux's exit_files), with interrupts on: a
 * close may sleep (a pipe wakes its readers). The last reference to its
 * table closes them all without the kernel lock when this CPU holds it
 * only for the exit's entry (depth 1; fd_close_flush and the files' last
 * release take it for what needs it), as close(2) does: p has no other
 * thread to install a descriptor. The table stays p's while they close,
 * so what looks at it under the kernel lock (umount's busy scan, /proc,
 * pidfd_getfd) finds what is still open, as during a close(2); it is
 * no longer p's once the lock is back. Returns the emptied table, for
 * the caller to free (fdtable_free) when nothing can find it, or NULL.
 */
static struct fdtable *exit_files(struct process *p)
{
	struct fdtable *t = p->files;

	if (t && fdtable_unref(t)) {
		bool drop = this_cpu_klock_depth() == 1;
		if (drop) {
			klock_leave_any();
			exit_leave_space(); /* out of the lock's hold (a CR3 load is dear) */
		}
		fdtable_close_all(t);
		if (drop)
			klock_enter_any();
	} else {
		t = NULL; /* another process's too (CLONE_FILES): it stays open */
	}
	p->files = NULL;
	return t;
}

static __attribute__((noreturn)) void process_end(struct process *p, int wstatus)
{
	p->ending = true; /* before its tracees and children go: process_ending */
	for (unsigned i = 0; i < n_exit_hooks; i++)
		exit_hooks[i](p);
	vfork_release(p);
	p->wstatus = wstatus;
	p->ended_traced = p->parent && p->ptrace.tracer == p->parent;
	ptrace_exit(p); /* its tracees go on (or die: EXITKILL); it leaves its tracer */
	reparent_children(p);
	cpu_sti();
	acct_process(p, wstatus); /* its accounting record (may sleep): before its memory goes */
	struct fdtable *files = exit_files(p);
	set_exe(p, NULL); /* its program may be written again (Linux's exit_mm) */
	if (p->pid == p->sid && leader_exit_hook)
		leader_exit_hook(p->sid);
	cpu_cli();
	/* Leave the dying address space (if exit_files did not, or a switch
	 * back loaded it again) and free it now, not when the zombie is
	 * reaped: an OOM victim's memory must come back even if its parent
	 * never waits (proc/oom.c). Any CR3 with the shared kernel half will
	 * do for the last few instructions. */
	exit_leave_space();
	struct vm_space *vm = p->vm;
	if (vm) {
		p->maxrss_pages = process_maxrss_pages(p);
		p->vm = NULL;
	}
	exit_work_unlocked(vm, files);
	fs_share_leave(p); /* Linux's exit_fs */
	thread_exit();
}

/* The exiting thread t's last words to the threads that share its
 * memory: its robust futexes marked as their owner's death, 0 at its
 * clear_child_tid, and their waiters woken. Only t's own state, its user
 * memory and the futex buckets (locks of their own): with or without the
 * kernel lock, interrupts on (a user access may fault and sleep); the
 * second call does nothing (both are cleared). */
static void exit_futexes(struct process *p, struct thread *t)
{
	futex_exit_robust(p, t);
	clear_child_tid(p, t);
}

void process_thread_exit_current(int wstatus)
{
	struct process *p = current_process();
	struct thread *t = current_thread();

	exit_futexes(p, t);
	call_lock_kept(); /* exit and exit_group come without it */
	cpu_cli();
	if (p->nthreads > 1)
		leave_group(p, t);
	process_end(p, p->exiting ? p->exit_wstatus : wstatus);
}

void process_exit_current(int wstatus)
{
	struct process *p = current_process();

	if (!this_cpu_klock_depth()) { /* exit_group's entry, interrupts on */
		exit_futexes(p, current_thread());
		call_lock_kept();
	}
	cpu_cli();
	if (!p->exiting) {
		p->exiting = true;
		p->exit_wstatus = wstatus;
		others_must_exit(p);
	}
	cpu_sti();
	process_thread_exit_current(wstatus);
}

struct thread *process_clone_thread(struct trap_frame *tf, uint64_t new_sp, int *err)
{
	struct process *p = current_process();

	*err = -EAGAIN;
	if (p->exiting || p->core_dumping || task_reserve(p))
		return NULL;
	int tid = alloc_pid();
	struct thread *t = tid ? copy_caller(p, tf, new_sp) : NULL; /* no free id: -EAGAIN */
	if (!t) {
		task_unreserve();
		return NULL;
	}
	cred_keys_clone(&t->cred, true); /* its own thread keyring, made at first use */
	uint64_t f = irq_save();
	group_add(p, t, tid);
	irq_restore(f);
	*err = 0;
	return t;
}

int process_single_thread(void)
{
	struct process *p = current_process();
	struct thread *t = current_thread();
	uint64_t f = irq_save();

	others_must_exit(p);
	while (p->nthreads > 1 && !t->must_exit)
		wait_on(&p->thread_exit_wq, NO_DEADLINE);
	irq_restore(f);
	if (t->must_exit)
		return -EINTR;
	t->tid = p->pid; /* as in Linux, the exec'ing thread takes the pid */
	p->thread = t;
	return 0;
}

bool process_core_wait(void)
{
	struct process *p = current_process();
	struct thread *t = current_thread();
	uint64_t f = irq_save();

	if (p->exiting || p->core_dumping || t->must_exit) {
		irq_restore(f);
		return false;
	}
	p->core_dumping = true;
	others_must_exit(p);
	uint64_t kill = 1ull << (SIGKILL - 1);
	while (p->nthreads > 1 && !t->must_exit && !((p->sig_pending | t->sig_pending) & kill))
		wait_on(&p->thread_exit_wq, NO_DEADLINE);
	irq_restore(f);
	return p->nthreads == 1 && !t->must_exit;
}

bool process_wait(struct process *p, uint64_t deadline_ns)
{
	while (p->state != PROC_ZOMBIE)
		if (!wait_on(&p->exit_wq, deadline_ns) && p->state != PROC_ZOMBIE)
			return false;
	return true;
}

struct pgrp_probe {
	int pgid;
	bool anchored;
};

static void pgrp_probe_fn(struct process *p, void *arg)
{
	struct pgrp_probe *probe = arg;
	const struct process *up = p->parent;

	if (p->state == PROC_ALIVE && p->pgid == probe->pgid && up && up->state == PROC_ALIVE &&
	    up->pgid != p->pgid && up->sid == p->sid)
		probe->anchored = true;
}

bool process_pgrp_orphaned(int pgid)
{
	struct pgrp_probe probe = { pgid, false };

	process_for_each(pgrp_probe_fn, &probe);
	return !probe.anchored;
}

void process_charge_tick(struct process *p, bool user, uint64_t ns, bool timers)
{
	/* atomic: a tick without the kernel lock may charge another thread of p at once */
	__atomic_fetch_add(user ? &p->user_ticks : &p->sys_ticks, 1, __ATOMIC_RELAXED);
	if (timers)
		itimer_charge(p, user, ns);
}

struct cpu_times process_cpu_times(const struct process *p)
{
	uint64_t flags = irq_save();
	uint64_t run = p->dead_run_ns;

	for (const struct thread *t = p->threads; t; t = t->group_next)
		run += thread_run_ns(t);
	irq_restore(flags);
	return cputime_split(run, p->user_ticks, p->sys_ticks);
}

/* The larger of a and b. */
static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

uint64_t process_maxrss_pages(const struct process *p)
{
	return max_u64(p->maxrss_pages, p->vm ? p->vm->hiwater : 0);
}

void process_collect_usage(struct process *parent, struct cpu_times t, uint64_t maxrss_pages)
{
	uint64_t flags = irq_save();

	parent->child_times = cputime_add(parent->child_times, t);
	parent->child_maxrss_pages = max_u64(parent->child_maxrss_pages, maxrss_pages);
	irq_restore(flags);
}

void process_release(struct process *p)
{
	process_release_begin(p);
	process_free(p);
}

void process_release_begin(struct process *p)
{
	if (p == init_proc)
		init_proc = NULL;
	unlink_process(p);
	itimer_forget(p);
	ptimer_delete_all(p);
	thread_reap_begin(p->thread);
	if (p->vm)
		uvm_destroy(p->vm);
	set_exe(p, NULL);
	fs_share_leave(p);
}

void process_free(struct process *p)
{
	procfs_forget(p);
	sighand_put(p->sighand);
	if (p->cwd)
		inode_put_nolock(p->cwd);
	if (p->root)
		inode_put_nolock(p->root);
	sigqueue_flush(p, ~0ull);
	thread_free(p->thread);
	memset(p, PROCESS_POISON, sizeof(*p));
	kfree(p);
}

/* ---- fork ---- */

/* The copy of the caller's address space parent for a fork's child, or
 * NULL when out of memory. Under parent's map_lock (the copy sees no
 * other thread's mmap or brk half done) and without the kernel lock
 * when this CPU does not hold it (fork and clone run without it from
 * their entry) or holds it only for the fork's own entry (depth 1:
 * given up around the copy), unless a region needs it
 * (uvm_needs_klock: System V segments): other CPUs' system calls
 * run meanwhile, as they do during a lock-free mmap. Nothing of the
 * child is published yet. Returns with the kernel lock held only if the
 * copy held it (a region needed it, or the caller held it deeper than
 * its entry). A system call's thread, interrupts on. */
static struct vm_space *fork_space(struct vm_space *parent)
{
	uvm_map_lock(parent);
	uint32_t depth = this_cpu_klock_depth();
	bool needs = uvm_needs_klock(parent);
	if (depth == 1 && !needs)
		klock_leave_call();
	else if (!depth && needs)
		call_lock();
	struct vm_space *vm = uvm_fork(parent);
	uvm_map_unlock(parent);
	return vm;
}

/* The child's process (no pid yet) and its thread, made before the
 * kernel lock (nothing of them is published): *tp the thread, NULL for
 * both when out of memory. The name is read as Linux's dup_task_struct
 * copies comm, without a lock: another thread's PR_SET_NAME at the same
 * time may leave a mix of the two names, never an unterminated one. */
static struct process *fork_prepare(struct process *parent, const struct trap_frame *tf,
				    uint64_t new_sp, struct thread **tp)
{
	struct process *c = process_alloc(0);

	*tp = NULL;
	if (!c)
		return NULL;
	memcpy(c->name, parent->name, sizeof(c->name) - 1);
	*tp = copy_caller_own(c, c->name, tf, new_sp);
	if (*tp)
		return c;
	kfree(c);
	return NULL;
}

/*
 * What of the caller a fork's child c copies before the kernel lock
 * (process_fork), when nobody else can change it meanwhile: the caller
 * is its process's only thread (only it could make another), and its
 * signal handlers, descriptor table and directories are shared with no
 * other process (only their users' threads change them: sigaction, open
 * and dup2, chdir; a count read as 1 cannot grow but by this thread).
 * Then c->sighand, c->files (left NULL by an error, which the locked
 * part meets again), c->exe, c->cwd and c->root are copied here, and
 * true is returned; else nothing, and false: the locked part copies it
 * all. Nothing of c is published yet.
 */
static bool fork_copy_early(struct process *parent, unsigned int how, struct process *c)
{
	if (__atomic_load_n(&parent->nthreads, __ATOMIC_RELAXED) != 1 ||
	    (how & (FORK_SHARE_FS | FORK_SHARE_FILES | FORK_SHARE_SIGHAND)) ||
	    sighand_shared(parent->sighand) || !parent->files || parent->files->refs != 1 ||
	    process_fs_shared(parent))
		return false;
	c->sighand = sighand_new(parent->sighand);
	if (fdtable_copy(parent->files, &c->files))
		c->files = NULL;
	c->exe = exe_dup(parent->exe);
	c->cwd = inode_get(parent->cwd);
	c->root = parent->root ? inode_get(parent->root) : NULL;
	return true;
}

/* A fork refused before anything of child c was shared: its copy vm
 * (NULL: none), c (with what fork_copy_early copied) and its thread t
 * (NULL: none) dropped. NULL. Under the kernel lock. */
static struct process *fork_refused(struct vm_space *vm, struct process *c, struct thread *t)
{
	if (vm)
		uvm_destroy(vm);
	if (t)
		thread_reap(t);
	if (c)
		drop_copies(c);
	kfree(c);
	return NULL;
}

/* fork_copy_early's copies under the kernel lock, with the sharing how
 * asks for: CLONE_SIGHAND one table of handlers for both (Linux's
 * copy_sighand), CLONE_FILES one descriptor table (a copy of it is left
 * to the caller, whose error it reports). */
static void fork_copy_locked(struct process *parent, unsigned int how, struct process *c)
{
	c->sighand = how & FORK_SHARE_SIGHAND ? sighand_get(parent->sighand) : sighand_new(parent->sighand);
	c->exe = exe_dup(parent->exe);
	if (how & FORK_SHARE_FILES) {
		c->files = parent->files;
		c->files->refs++;
	}
	c->cwd = inode_get(parent->cwd);
	c->root = parent->root ? inode_get(parent->root) : NULL;
}

/* A child of the current process with the same registers except RAX = 0
 * (and RSP = new_sp when given); how: FORK_SHARE_VM, FORK_SIBLING (see
 * process.h). */
struct process *process_fork(struct trap_frame *tf, unsigned int how, uint64_t new_sp, int *err)
{
	struct process *parent = current_process();
	bool share_vm = how & FORK_SHARE_VM;

	/* before the copy, without the kernel lock (CLONE_PARENT's -EINVAL
	 * from init, below, comes first: as Linux's) */
	*err = -EAGAIN;
	if (!(how & FORK_SIBLING) && task_limit_seen(parent))
		return NULL;
	/* the copy first, and the child's own structures, without the kernel
	 * lock (fork_space, fork_prepare); the rest under it */
	struct vm_space *vm = share_vm ? NULL : fork_space(parent->vm);
	struct thread *t = NULL;
	struct process *c = share_vm || vm ? fork_prepare(parent, tf, new_sp, &t) : NULL;
	bool early = c && fork_copy_early(parent, how, c);
	call_lock();
	*err = -ENOMEM;
	if (!c)
		return fork_refused(vm, NULL, NULL);
	*err = -EINVAL;
	if ((how & FORK_SIBLING) && (!parent->parent || parent->pidns_init))
		return fork_refused(vm, c, t); /* as Linux: a (namespace's) init has no parent to share */
	if ((*err = task_reserve(parent)) != 0)
		return fork_refused(vm, c, t);
	c->pid = alloc_pid();
	if (!c->pid) {
		*err = -EAGAIN; /* every id taken: Linux's alloc_pid says EAGAIN */
		task_unreserve();
		return fork_refused(vm, c, t);
	}
	*err = -ENOMEM;
	c->vm = vm; /* the fork's copy (NULL when shared: below); the failure path frees it */
	memcpy(c->name, parent->name, sizeof(c->name));
	memcpy(t->name, c->name, sizeof(t->name)); /* as it is now, under the lock */
	memcpy(c->cmdline, parent->cmdline, sizeof(c->cmdline));
	c->cmdline_len = parent->cmdline_len;
	c->layout = parent->layout;
	c->parent = parent;
	c->pgid = parent->pgid;
	c->sid = parent->sid;
	c->umask = parent->umask;
	c->personality = __atomic_load_n(&parent->personality, __ATOMIC_RELAXED);
	c->rlim = parent->rlim;
	c->timer_slack_ns = c->default_timer_slack_ns = parent->timer_slack_ns; /* copy_process */
	if (share_vm) {
		c->vm = parent->vm;
		__atomic_add_fetch(&c->vm->refs, 1, __ATOMIC_RELAXED);
	}
	if (!early)
		fork_copy_locked(parent, how, c);
	if (!c->sighand)
		goto fail; /* *err is -ENOMEM */
	if (!c->files && !(how & FORK_SHARE_FILES)) {
		int ferr = fdtable_copy(parent->files, &c->files);
		if (ferr) {
			*err = ferr; /* -EMFILE past fs.nr_open; the rest stays -ENOMEM */
			goto fail;
		}
	}
	if ((how & FORK_SHARE_FS) && fs_share_join(parent, c))
		goto fail;
	copy_caller_shared(t);
	struct thread *cur = current_thread(); /* fork keeps the caller's alternate stack */
	t->altstack_sp = cur->altstack_sp;
	t->altstack_size = cur->altstack_size;
	t->altstack_flags = cur->altstack_flags;
	cred_renew(&t->cred); /* a process's own, as Linux's copy_creds without CLONE_THREAD */
	cred_keys_clone(&t->cred, false);
	group_add(c, t, c->pid);
	c->pidns_init = how & FORK_NEWPID;
	/* the caller's parent as it is now (the copy may have slept while
	 * it was reparented), as Linux takes real_parent at the end */
	if ((how & FORK_SIBLING) && parent->parent) {
		c->parent = parent->parent;
		c->exit_signal = parent->exit_signal; /* as Linux: the caller's, to the same parent */
		c->parent_exec_id = parent->parent_exec_id;
	} else {
		c->exit_signal = (int)(how >> FORK_EXIT_SIGNAL_SHIFT);
		c->parent_tid = current_thread()->tid;
		c->parent_exec_id = parent->self_exec_id;
	}
	link_process(c);
	*err = 0;
	return c;
fail:
	thread_reap(t);
	if (c->vm)
		uvm_destroy(c->vm);
	drop_copies(c);
	kfree(c);
	task_unreserve();
	return NULL;
}

/* The vfork parent sleeps until child c has exec'd or ended (d->done), or
 * until a fatal signal ends the parent itself: then c, still alive (it
 * has not released d), forgets d, which is on this stack. Interrupts off. */
static void vfork_wait(struct process *c, struct vfork_done *d, uint64_t flags)
{
	while (!d->done && !fatal_signal_pending() && !signal_kills_now())
		wait_on(&d->wq, NO_DEADLINE);
	if (d->done)
		return;
	c->vfork_done = NULL;
	irq_restore(flags);
	int sig = signal_kills_now();
	if (sig)
		process_exit_current(WSTATUS_SIGNALED(sig));
	process_thread_exit_current(0); /* exit_group or exec elsewhere: their status */
}

void process_start_child(struct process *c, bool vfork)
{
	struct vfork_done d = { false, { SPINLOCK_INIT, NULL } };
	uint64_t f = irq_save();

	if (vfork)
		c->vfork_done = &d;
	thread_make_runnable(c->thread);
	if (vfork)
		vfork_wait(c, &d, f);
	irq_restore(f);
}

/* ---- exec ---- */

/* Linux's exec-time personality changes for a 64-bit program
 * (set_personality_64bit, begin_new_exec's per_clear): READ_IMPLIES_EXEC
 * goes, and with an exec that changes ids or gains capabilities the
 * flags PER_CLEAR_ON_SETID names. */
static void exec_personality(struct process *p, bool setid)
{
	uint32_t clear = READ_IMPLIES_EXEC | (setid ? PER_CLEAR_ON_SETID : 0);

	__atomic_and_fetch(&p->personality, ~clear, __ATOMIC_RELAXED);
}

/*
 * exec_load for the current thread, without the kernel lock when it may
 * (issue 29; exec.h says what the build then needs): its process has no
 * other thread (none can appear: only its threads make threads) and no
 * tracer, and this CPU holds the lock not at all (execve, a lock-free
 * call) or only for the call's own entry (execveat, int $0x80: given up
 * here, as fork_space does). Otherwise under the lock, taken here if
 * need be. On success the lock is held (at the entry's depth 1, for the
 * commit and the call's return); on failure perhaps not. A tracer that
 * attached during the build (exec_creds looked before it came, so the
 * credentials may be wrong) makes it build again under the lock.
 */
static int exec_load_lockless(const char *path, const char *const argv[], const char *const envp[],
			      unsigned exec_flags, struct exec_image *img)
{
	struct process *p = current_process();
	uint32_t depth = this_cpu_klock_depth();

	if (depth > 1 || p->nthreads > 1 || ptrace_traced(&p->ptrace)) {
		call_lock();
		return exec_load(path, argv, envp, exec_flags, img);
	}
	if (depth)
		klock_leave_call();
	int err = exec_load(path, argv, envp, exec_flags, img);
	if (err)
		return err;
	call_lock();
	if (!ptrace_traced(&p->ptrace))
		return 0;
	exec_image_drop(img);
	return exec_load(path, argv, envp, exec_flags, img);
}

/* process_exec's commit when a tracer or a doomed image may stop or kill
 * the thread at once: its finish first (the tracer reads the new
 * registers), then PTRACE_EVENT_EXEC (or the legacy SIGTRAP) or the
 * SIGSEGV. Returns whether the caller still has the finish to do. */
static bool exec_stop_or_finish(struct trap_frame *tf, const struct exec_image *img, int old_tid)
{
	if (!img->doomed && !ptrace_traced(&current_process()->ptrace))
		return true;
	process_exec_finish();
	if (img->doomed) /* Linux's force_fatal_sig after the point of no return */
		signal_force_fault(SIGSEGV, SI_KERNEL, 0);
	else
		ptrace_exec(tf, old_tid);
	return false;
}

int process_exec(struct trap_frame *tf, const char *path, const char *const argv[],
		 const char *const envp[], unsigned exec_flags, struct exec_done *done)
{
	struct process *p = current_process();
	struct thread *t = current_thread();
	struct exec_image img;
	int old_tid = t->tid; /* PTRACE_EVENT_EXEC's message */
	struct fdtable *own; /* Linux's unshare_files: close-on-exec closes in exec's own table */
	struct proc_names names;

	*done = (struct exec_done){ 0 };
	names_make(&names, path, argv); /* before the lock, if it comes without */
	int err = exec_load_lockless(path, argv, envp, exec_flags, &img);
	if (err)
		return err;
	err = files_unshare_copy(p, &own);
	/* handlers shared by CLONE_SIGHAND: exec gets a copy of its own
	 * (Linux's unshare_sighand), which process_exec_finish then resets */
	struct sighand *own_sh = NULL;
	if (!err && sighand_shared(p->sighand) && !(own_sh = sighand_new(p->sighand)))
		err = -ENOMEM;
	if (!err && p->nthreads > 1)
		err = process_single_thread();
	if (err) {
		fdtable_put(own);
		sighand_put(own_sh);
		exec_image_drop(&img);
		return err;
	}
	/* Commit: nothing below can fail. */
	futex_exit_robust(p, t); /* as Linux's exec_mm_release, in the old memory */
	t->clear_child_tid = 0;
	p->maxrss_pages = process_maxrss_pages(p); /* ru_maxrss spans exec, as Linux's */
	done->old_vm = p->vm; /* a vfork parent keeps its own reference */
	p->vm = img.vm; /* loaded by process_exec_finish, or by a switch back to t */
	set_exe(p, img.exe);
	uint64_t f = irq_save();
	vfork_release(p);
	irq_restore(f);
	names_set(p, &names);
	p->layout = img.layout;
	done->old_exe_path = procfs_exchange_exe(p, img.exe_path);
	p->did_exec = true;
	p->self_exec_id++;
	exec_personality(p, img.secure);
	img.cred.groups = t->cred.groups; /* the same list: exec_creds took no reference */
	t->cred = img.cred;
	cred_renew(&t->cred);
	cred_keys_exec(&t->cred);
	if (own_sh) {
		sighand_put(p->sighand);
		p->sighand = own_sh;
	}
	ptimer_delete_all(p); /* as Linux's exit_itimers at exec */
	files_unshare_commit(p, own);
	arch_user_frame_init(tf, img.entry, img.sp);
	t->force_iret = true; /* exec leaves through IRET */
	done->finish = exec_stop_or_finish(tf, &img, old_tid);
	return 0;
}

/*
 * Why without the kernel lock: the thread is its process's only one
 * (process_exec made it so) and its handlers are its process's alone
 * (own_sh), so nothing but this thread writes them, its stack or its
 * registers; a tracer that attached since the commit cannot stop it
 * before its return to ring 3, which comes after this. A signal sent
 * meanwhile reads a handler only to see whether it is ignored, which the
 * reset does not change (SIG_IGN stays, the rest becomes SIG_DFL), and
 * waits for the return to be delivered. Linux's begin_new_exec resets
 * the handlers without the signal lock too. The close-on-exec
 * descriptors close here as close(2) closes, in a table that is the
 * process's alone (process_exec unshared it): no other thread installs
 * in it or grows it meanwhile.
 */
void process_exec_finish(void)
{
	struct thread *t = current_thread();

	fdtable_close_on_exec(t->proc->files);
	tlb_load(t->proc->vm->pml4);
	signal_reset_on_exec(t->proc);
	arch_thread_reset_current(&t->arch); /* no FS/GS base, a clean FPU */
}
