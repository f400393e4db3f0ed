// SPDX-License-Identifier: MIT
/* Kestrel: fork, vfork, clone, execve, wait4, waitid, kill, and process groups and sessions. */
#include "sys/syscall_define.h"
#include "sys/syscall.h"
#include "sys/sys_fs.h"
#include "sys/sys_misc.h"
#include "sys/sys_aio.h"
#include "proc/call_lock.h"
#include "fs/inode.h"
#include "fs/pidfd.h"
#include "fs/vfs.h"
#include "ipc/ipc.h"
#include "proc/exec.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "mm/heap.h"
#include "mm/usercopy.h"
#include "mm/uvm.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "uapi/ptrace.h"
#include "uapi/wait.h"
#include "uapi/sched.h"
#include "uapi/capability.h"
#include "uapi/limits.h"
#include "uapi/fcntl.h"
#include "uapi/pidfd.h"
#include "uapi/stat.h"

#define EXEC_ARGS_MAX 1024
#define EXEC_BYTES_MAX (128 * 1024)

static struct trap_frame *frame(void)
{
	return current_thread()->uframe;
}

/* Start fork's child c (process_start_child), giving the kernel lock up
 * first when this CPU holds it for the call's entry alone (depth 1) and
 * this is no vfork: the child, linked but asleep on no wait queue and
 * with no timer, is woken by nothing else, so nothing ends or frees it
 * meanwhile, and its wake takes the run queue's lock alone. */
static void start_child(struct process *c, bool vfork)
{
	if (!vfork)
		call_unlock_entry();
	process_start_child(c, vfork);
}

static long do_fork(bool share_vm, bool vfork, uint64_t new_sp)
{
	int err;
	struct process *c = process_fork(frame(), (share_vm ? FORK_SHARE_VM : 0) | FORK_EXIT_SIGNAL(SIGCHLD),
					 new_sp, &err);

	if (!c)
		return err;
	int pid = c->pid;
	int event = ptrace_fork_event(vfork, SIGCHLD);
	if (event) { /* PTRACE_O_TRACEFORK, _TRACEVFORK: the tracer sees both */
		ptrace_fork_attach(c);
		ptrace_fork_stop(event, pid);
	}
	start_child(c, vfork); /* c may be gone when a vfork returns */
	return pid;
}

SYSCALL_DEFINE0(fork)
{
	return do_fork(false, false, 0);
}

SYSCALL_DEFINE0(vfork)
{
	return do_fork(true, true, 0);
}

/* clone(CLONE_THREAD | ...): a new thread in the caller's process. As
 * Linux: a thread shares signal handlers (CLONE_SIGHAND), and those need
 * a shared address space (CLONE_VM). Files and cwd are always shared. */
static long clone_thread(uint64_t flags, uint64_t newsp, uint64_t ptid, uint64_t ctid, uint64_t tls)
{
	int err;

	if (!(flags & CLONE_SIGHAND) || !(flags & CLONE_VM) || (flags & CLONE_VFORK))
		return -EINVAL;
	struct thread *t = process_clone_thread(frame(), newsp, &err);
	if (!t)
		return err;
	int tid = t->tid;
	if (flags & CLONE_SETTLS)
		t->arch.fs_base = tls;
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = ctid;
	if (flags & CLONE_PARENT_SETTID)
		copy_to_user(ptid, &tid, sizeof(tid));
	if (flags & CLONE_CHILD_SETTID)
		copy_to_user(ctid, &tid, sizeof(tid));
	thread_make_runnable(t);
	int event = ptrace_fork_event(false, flags & CSIGNAL);
	if (event == PTRACE_EVENT_CLONE) /* the thread is traced with its process */
		ptrace_fork_stop(event, tid);
	return tid;
}

/* CLONE_PIDFD: a close-on-exec pidfd for the new child c in the
 * caller's table (Linux's O_RDWR | O_CLOEXEC), its number written to
 * upidfd, which do_clone found writable before the fork. 0 or -errno
 * (-ENOMEM, -EMFILE). */
static int clone_pidfd(struct process *c, uptr_t upidfd)
{
	struct file *f;
	int err = pidfd_create(c, 0, &f);

	if (err)
		return err;
	int fd = fd_install(current_process()->files, f, 0, true);
	if (fd < 0) {
		file_put(f);
		return fd;
	}
	copy_to_user(upidfd, &fd, sizeof(fd));
	return 0;
}

/* The namespace flags (Kestrel has one namespace of each kind). */
#define UNSHARE_NAMESPACES (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
			    CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWTIME)

/* clone and clone3: a thread, or a process as fork, vfork and
 * posix_spawn make them; clear_sighand: clone3's CLONE_CLEAR_SIGHAND,
 * the child's handlers back to SIG_DFL (SIG_IGN stays); upidfd:
 * CLONE_PIDFD's int (clone's parent_tid, clone3's pidfd). */
static long do_clone(uint64_t flags, uint64_t newsp, uint64_t ptid, uint64_t ctid, uint64_t tls,
		     bool clear_sighand, uptr_t upidfd)
{
	int err;

	/* copy_process's first refusals: a new mount or user namespace with
	 * the caller's shared file-system state */
	if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS) ||
	    (flags & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS))
		return -EINVAL;
	if ((flags & CLONE_SETTLS) && tls >= USER_VA_END)
		return -EPERM; /* as Linux: the base must be a user address (it reaches WRMSR) */
	if ((flags & CLONE_PIDFD) && (flags & CLONE_THREAD))
		return -EINVAL; /* a pidfd names a process */
	/* copy_namespaces: a new namespace but a user one needs CAP_SYS_ADMIN */
	if ((flags & (UNSHARE_NAMESPACES & ~(uint64_t)CLONE_NEWUSER)) && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (flags & CLONE_THREAD) {
		call_lock_kept(); /* fork and clone come without it (process_fork) */
		return clone_thread(flags, newsp, ptid, ctid, tls);
	}
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL; /* shared handlers need shared memory (copy_process) */
	if ((flags & CLONE_PIDFD) && (flags & CLONE_DETACHED))
		return -EINVAL;
	int none = -1; /* Linux fails the whole clone when it cannot store the pidfd */
	if ((flags & CLONE_PIDFD) && copy_to_user(upidfd, &none, sizeof(none)))
		return -EFAULT;
	/* CLONE_VM without CLONE_VFORK: a process sharing the caller's memory
	 * (stress-ng's and some spawners' children), which runs beside it as
	 * a thread would; the address space goes with the last of them.
	 * CLONE_SIGHAND: and its signal handlers (LinuxThreads' processes). */
	unsigned int how = (flags & CLONE_VM ? FORK_SHARE_VM : 0) | (flags & CLONE_PARENT ? FORK_SIBLING : 0) |
			   (flags & CLONE_FS ? FORK_SHARE_FS : 0) | (flags & CLONE_FILES ? FORK_SHARE_FILES : 0) |
			   (flags & CLONE_SIGHAND ? FORK_SHARE_SIGHAND : 0) |
			   (flags & CLONE_NEWPID ? FORK_NEWPID : 0) | FORK_EXIT_SIGNAL(flags & CSIGNAL);
	if (flags & CLONE_SYSVSEM)
		call_lock_kept();
	if ((flags & CLONE_SYSVSEM) && (err = sem_undo_share_prepare(current_process())))
		return err;
	struct process *c = process_fork(frame(), how, newsp, &err);
	if (!c)
		return err;
	sem_undo_fork(current_process(), c, flags & CLONE_SYSVSEM);
	int pid = c->pid;
	if ((flags & CLONE_PIDFD) && (err = clone_pidfd(c, upidfd))) {
		/* no pidfd and no room for one: the child, not started yet, dies
		 * at once and this clone fails, as Linux's would before it */
		signal_send_kernel(c, SIGKILL);
		process_start_child(c, false);
		return err;
	}
	if (clear_sighand)
		signal_flush_handlers(c->sighand);
	if (flags & CLONE_SETTLS)
		c->thread->arch.fs_base = tls;
	if (flags & CLONE_CHILD_CLEARTID)
		c->thread->clear_child_tid = ctid;
	if (flags & CLONE_PARENT_SETTID)
		copy_to_user(ptid, &pid, sizeof(pid));
	if ((flags & CLONE_CHILD_SETTID) && !(flags & CLONE_VM)) {
		/* the child's copy of the page: write through its own space */
		uvm_write_checked(c->vm, ctid, &pid, sizeof(pid));
	} else if (flags & CLONE_CHILD_SETTID) {
		copy_to_user(ctid, &pid, sizeof(pid));
	}
	int event = ptrace_fork_event(flags & CLONE_VFORK, flags & CSIGNAL);
	if (event) {
		ptrace_fork_attach(c);
		ptrace_fork_stop(event, pid);
	}
	start_child(c, flags & CLONE_VFORK);
	return pid;
}

/* clone(flags, newsp, parent_tid, child_tid, tls) */
SYSCALL_DEFINE5(clone, unsigned long, flags, unsigned long, newsp, uptr_t, ptid, uptr_t, ctid, unsigned long, tls)
{
	if ((flags & CLONE_PIDFD) && (flags & CLONE_PARENT_SETTID))
		return -EINVAL; /* both would write parent_tid */
	return do_clone(flags, newsp, ptid, ctid, tls, false, ptid);
}

/* clone3's struct clone_args: its first version, and all Kestrel knows. */
struct clone_args_k {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

/* Read clone3's arguments of size bytes, as Linux: -EINVAL below the
 * first version, -E2BIG above a page or with unknown non-zero bytes
 * past what Kestrel knows, -EFAULT. */
static long clone3_read(uptr_t uargs, size_t size, struct clone_args_k *a)
{
	memset(a, 0, sizeof(*a));
	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	return copy_struct_from_user(a, sizeof(*a), uargs, size);
}

/* clone3(args, size): clone with its arguments in a struct. No set_tid
 * or cgroup (-EINVAL: they need namespaces Kestrel does not have). */
#define UNSHARE_FLAGS (CLONE_THREAD | CLONE_FS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES | CLONE_SYSVSEM | \
		       UNSHARE_NAMESPACES)

/* Linux's check_unshare_flags, with its implied flags: -EINVAL for an
 * unknown flag, or CLONE_THREAD, CLONE_SIGHAND or CLONE_VM in a process
 * with other threads (CLONE_VM: or sharing its memory, a vfork child). */
static long unshare_check(unsigned long *flags)
{
	struct process *p = current_process();

	if (*flags & ~(unsigned long)UNSHARE_FLAGS)
		return -EINVAL;
	if (*flags & CLONE_NEWUSER)
		*flags |= CLONE_THREAD | CLONE_FS;
	if (*flags & CLONE_VM)
		*flags |= CLONE_SIGHAND;
	if (*flags & CLONE_SIGHAND)
		*flags |= CLONE_THREAD;
	if (*flags & CLONE_NEWNS)
		*flags |= CLONE_FS;
	if ((*flags & CLONE_THREAD) && p->nthreads > 1)
		return -EINVAL;
	if ((*flags & CLONE_VM) && p->vm->refs > 1)
		return -EINVAL;
	return 0;
}

/* unshare(flags): CLONE_FILES gives the caller its own copy of a
 * descriptor table shared by CLONE_FILES, CLONE_FS its own working
 * directory and umask, CLONE_SYSVSEM leaves the semaphore adjustments it
 * shares (applying them if it held them last, Linux's exit_sem), and
 * CLONE_THREAD, CLONE_SIGHAND and CLONE_VM have nothing to do once
 * unshare_check passed. Namespaces (Kestrel has none): -EPERM
 * without CAP_SYS_ADMIN as Linux, else -EINVAL. -ENOMEM. */
SYSCALL_DEFINE1(unshare, unsigned long, flags)
{
	long err = unshare_check(&flags);

	if (err)
		return err;
	if (flags & UNSHARE_NAMESPACES)
		return capable(CAP_SYS_ADMIN) ? -EINVAL : -EPERM;
	if (flags & CLONE_SYSVSEM)
		sem_undo_exit(current_process());
	return process_unshare(flags & CLONE_FILES, flags & CLONE_FS);
}

SYSCALL_DEFINE2(clone3, uptr_t, uargs, size_t, size)
{
	struct clone_args_k a;
	long err = clone3_read(uargs, size, &a);

	if (err)
		return err;
	if ((a.flags & ~(CLONE_LEGACY_FLAGS | CLONE_CLEAR_SIGHAND)) || (a.exit_signal & ~(uint64_t)CSIGNAL) ||
	    a.exit_signal > NSIG || (a.flags & CSIGNAL) || a.set_tid || a.set_tid_size)
		return -EINVAL;
	if ((a.flags & (CLONE_THREAD | CLONE_PARENT)) && a.exit_signal)
		return -EINVAL;
	if ((a.flags & CLONE_CLEAR_SIGHAND) && (a.flags & CLONE_SIGHAND))
		return -EINVAL;
	if (!a.stack != !a.stack_size || a.stack + a.stack_size < a.stack)
		return -EINVAL;
	return do_clone((a.flags & CLONE_LEGACY_FLAGS) | a.exit_signal, a.stack + a.stack_size, a.parent_tid,
			a.child_tid, a.tls, a.flags & CLONE_CLEAR_SIGHAND, a.pidfd);
}

/* execve's scratch for copying argv and envp: 12 KiB, on the heap (on
 * the 16 KiB kernel stack it left execve one deep call from the guard
 * page), taken once for both vectors. */
struct vector_scratch {
	uint64_t ptrs[EXEC_ARGS_MAX + 1];
	char buf[PATH_MAX];
};

/* Copy a NULL-terminated user vector of strings into one kernel block:
 * a pointer array followed by the strings. */
static long copy_vector(uptr_t uv, char ***out, size_t *total, struct vector_scratch *s)
{
	uint64_t *ptrs = s->ptrs;
	char *buf = s->buf;
	size_t n = 0;

	while (uv) {
		if (n >= EXEC_ARGS_MAX)
			return -E2BIG;
		if (copy_from_user(&ptrs[n], uv + n * 8, 8))
			return -EFAULT;
		if (!ptrs[n])
			break;
		n++;
	}
	char **v = kmalloc((n + 1) * sizeof(char *));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		long len = strncpy_from_user(buf, ptrs[i], PATH_MAX);
		if (len < 0 || (*total += (size_t)len + 1) > EXEC_BYTES_MAX ||
		    !(v[i] = kmalloc((size_t)len + 1))) {
			v[i] = NULL;
			for (size_t j = 0; j < i; j++)
				kfree(v[j]);
			kfree(v);
			return len < 0 ? (len == -ENAMETOOLONG ? -E2BIG : len) : -E2BIG;
		}
		memcpy(v[i], buf, (size_t)len + 1);
	}
	v[n] = NULL;
	*out = v;
	return 0;
}

static void free_vector(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		kfree(v[i]);
	kfree(v);
}

/* execveat's (dirfd, path) as one path the exec code walks from the
 * cwd, into out (PATH_MAX bytes): an absolute path as it is, a relative
 * one from AT_FDCWD as it is, else /dev/fd/N[/path] as Linux names it
 * (AT_EXECFN shows it), which leads through procfs's fd link to the
 * open file itself; "" with AT_EMPTY_PATH is that file. EBADF for a
 * bad descriptor, ENOTDIR for a relative path from a non-directory. */
static long execveat_path(int dirfd, const char *path, char *out)
{
	struct inode *base;

	if (path[0] == '/' || (path[0] && dirfd == AT_FDCWD)) {
		strlcpy(out, path, PATH_MAX);
		return 0;
	}
	if (!path[0]) {
		struct file *f = fd_file(dirfd);
		if (!f)
			return -EBADF;
		file_put(f);
		ksnprintf(out, PATH_MAX, "/dev/fd/%d", dirfd);
		return 0;
	}
	long err = at_base(dirfd, &base);
	if (err)
		return err;
	inode_put(base);
	if (ksnprintf(out, PATH_MAX, "/dev/fd/%d/%s", dirfd, path) >= PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

/* AT_SYMLINK_NOFOLLOW: a final symlink is ELOOP (other walk errors are
 * left for exec itself to report). */
static long refuse_final_symlink(const char *path)
{
	struct inode *ip;

	if (vfs_walk(NULL, path, 0, &ip))
		return 0;
	bool link = S_ISLNK(ip->mode);
	inode_put(ip);
	return link ? -ELOOP : 0;
}

/* A successful exec's last work (process.h's struct exec_done), after
 * the kernel lock is given up for the rest of the call
 * (call_unlock_entry, which only the entry's own depth may do): the
 * thread's own resets with its new address space loaded, then the old
 * space's end (uvm_destroy takes the lock if it needs it). */
static void exec_end(struct exec_done *done)
{
	call_unlock_entry();
	if (done->finish)
		process_exec_finish();
	if (done->old_vm)
		uvm_destroy(done->old_vm);
	kfree(done->old_exe_path);
}

/* Copy argv and envp in and exec path (a kernel string) with
 * exec_flags (proc/exec.h). An empty argv becomes { "" } (Linux 5.18 on:
 * a program that starts at argv[1] must not walk into envp). */
static long do_execve(const char *path, uptr_t uargv, uptr_t uenvp, unsigned exec_flags)
{
	static const char *const empty_argv[] = { "", NULL };
	char **argv = NULL, **envp = NULL;
	size_t total = 0;
	struct vector_scratch *s = kmalloc(sizeof(*s));
	long err = s ? copy_vector(uargv, &argv, &total, s) : -ENOMEM;

	if (err >= 0)
		err = copy_vector(uenvp, &envp, &total, s);
	kfree(s);
	struct exec_done done = { 0 };
	if (err >= 0)
		err = process_exec(frame(), path, argv && argv[0] ? (const char *const *)argv : empty_argv,
				   (const char *const *)envp, exec_flags, &done);
	if (err >= 0) {
		aio_exit(current_process()); /* Linux's exit_aio with the old address space */
		exec_end(&done);
	}
	free_vector(argv);
	free_vector(envp);
	return err < 0 ? err : 0;
}

/* execveat(dirfd, path, argv, envp, flags): AT_EMPTY_PATH runs the
 * descriptor's file, AT_SYMLINK_NOFOLLOW refuses a final symlink. A
 * path through a close-on-exec dirfd is gone after the exec, so a
 * script there cannot be run by its interpreter: EXEC_PATH_INACCESSIBLE. */
SYSCALL_DEFINE5(execveat, int, dirfd, uptr_t, upath, uptr_t, uargv, uptr_t, uenvp, int, flags)
{
	char *path, *full;

	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	long err = user_path(upath, &path, flags & AT_EMPTY_PATH);
	if (err)
		return err;
	full = kmalloc(PATH_MAX);
	err = full ? execveat_path(dirfd, path, full) : -ENOMEM;
	if (!err && path[0] && (flags & AT_SYMLINK_NOFOLLOW))
		err = refuse_final_symlink(full);
	unsigned exec_flags = 0;
	bool via_fd = path[0] != '/' && (!path[0] || dirfd != AT_FDCWD); /* /dev/fd/N... */
	if (!err && via_fd && fd_cloexec(current_process()->files, dirfd))
		exec_flags = EXEC_PATH_INACCESSIBLE;
	if (!err)
		err = do_execve(full, uargv, uenvp, exec_flags);
	kfree(full);
	kfree(path);
	return err;
}

SYSCALL_DEFINE3(execve, uptr_t, upath, uptr_t, uargv, uptr_t, uenvp)
{
	char *path;
	long err = user_path(upath, &path, false); /* "" is ENOENT, as Linux's getname */

	if (err)
		return err;
	err = do_execve(path, uargv, uenvp, 0);
	kfree(path);
	return err;
}

#define WAIT_THREAD_OPTIONS (__WNOTHREAD | __WCLONE | __WALL)

/* Does child c match wait4's pid argument for parent p? */
static bool matches(const struct process *p, const struct process *c, int64_t pid)
{
	if (pid > 0)
		return c->pid == pid;
	if (pid == 0)
		return c->pgid == p->pgid;
	if (pid < -1)
		return c->pgid == -pid;
	return true;
}

/* May a wait of p's with options see its child c, as Linux's
 * eligible_child: c matches pid; with __WNOTHREAD, the calling thread
 * forked it; a clone child (exit signal not SIGCHLD) only with __WCLONE,
 * the others only without, either with __WALL or for c's tracer (also
 * when c ended traced by p). */
static bool eligible(const struct process *p, const struct process *c, int64_t pid, uint64_t options)
{
	if (!matches(p, c, pid))
		return false;
	if ((options & __WNOTHREAD) && c->parent_tid != current_thread()->tid)
		return false;
	if ((options & __WALL) || c->ptrace.tracer == p || c->ended_traced)
		return true;
	return (c->exit_signal != SIGCHLD) == !!(options & __WCLONE);
}

/* p's tracees that are not its children, as Linux's ptraced list: a
 * matching one with a ptrace-stop to report. *found: any matching. */
static struct process *find_tracee_stop(struct process *p, int64_t pid, bool *found)
{
	for (struct process *c = p->ptrace.tracees; c; c = c->ptrace.trace_next) {
		if (c->parent == p || !matches(p, c, pid))
			continue;
		*found = true;
		if (ptrace_has_report(c, p))
			return c;
	}
	return NULL;
}

/* An eligible child with something to report: a zombie (with WEXITED),
 * a ptrace-stop (always, for its tracer), or (when asked, or for its
 * tracer) a stop or continue not yet reported. *found: any eligible
 * child (a zombie only with WEXITED, as Linux) or tracee. */
static struct process *find_zombie(struct process *p, int64_t pid, uint64_t options, bool *found)
{
	*found = false;
	for (struct process *c = p->children; c; c = c->sibling) {
		if (!eligible(p, c, pid, options))
			continue;
		if (c->state == PROC_ZOMBIE && !(options & WEXITED))
			continue;
		*found = true;
		if (c->reaping)
			continue; /* the reaper's, not ours: wait until it is gone */
		bool traced = c->ptrace.tracer == p;
		if (c->state == PROC_ZOMBIE || ptrace_has_report(c, p) ||
		    (((options & WUNTRACED) || traced) && c->stop_report) ||
		    ((options & WCONTINUED) && c->cont_report))
			return c;
	}
	return find_tracee_stop(p, pid, found);
}

/* The wait status to report for c, consuming a stop/continue report;
 * true if c is a zombie to reap. */
static bool report(struct process *c, uint64_t options, int *status)
{
	if (c->state == PROC_ZOMBIE) {
		*status = c->wstatus;
		return true;
	}
	if (ptrace_has_report(c, current_process())) {
		*status = ptrace_take_report(c);
		return false;
	}
	if (((options & WUNTRACED) || c->ptrace.tracer == current_process()) && c->stop_report) {
		*status = WSTATUS_STOPPED(c->stop_sig);
		c->stop_report = false;
	} else {
		*status = WSTATUS_CONTINUED;
		c->cont_report = false;
	}
	return false;
}

/* What a wait4 that found nothing sleeps until: p's child_events past seen. */
struct child_wait {
	const struct process *p;
	uint32_t seen;
};

static bool child_event_came(const void *arg)
{
	const struct child_wait *w = arg;

	return __atomic_load_n(&w->p->child_events, __ATOMIC_ACQUIRE) != w->seen;
}

/* Sleep until p's children have news since w's search (process_child_event)
 * or a signal comes. Without the kernel lock when this CPU holds it for
 * the call's entry alone (depth 1): the sleep's pick and switch run
 * outside it, and it is taken back for the next search (any news since
 * w->seen wakes it at once, so none is lost between the two). */
static void child_sleep(struct process *p, const struct child_wait *w)
{
	if (!call_unlock_entry()) {
		wait_on(&p->child_wq, NO_DEADLINE);
		return;
	}
	wait_on_cond(&p->child_wq, child_event_came, w, NO_DEADLINE);
	call_lock();
}

/* Wait for a matching child to report: it, or NULL with *err set. */
static struct process *wait_child(int64_t pid, uint64_t options, long *err)
{
	struct process *p = current_process();
	bool nohang = options & WNOHANG;
	bool found;

	for (;;) {
		struct child_wait w = { p, __atomic_load_n(&p->child_events, __ATOMIC_ACQUIRE) };
		struct process *z = find_zombie(p, pid, options, &found);
		if (z)
			return z;
		if (!found) {
			*err = -ECHILD;
			return NULL;
		}
		if (nohang) {
			*err = 0;
			return NULL;
		}
		if (signal_pending()) {
			*err = -ERESTARTSYS;
			return NULL;
		}
		child_sleep(p, &w);
	}
}

/* The rusage wait4 and waitid report: the child's CPU time and its reaped
 * children's, and the largest ru_maxrss among them (Linux's RUSAGE_BOTH). */
static struct usage child_usage(const struct process *z)
{
	uint64_t rss = process_maxrss_pages(z);

	return (struct usage){ cputime_add(process_cpu_times(z), z->child_times),
			       rss > z->child_maxrss_pages ? rss : z->child_maxrss_pages };
}

/* Free zombie z, which the caller waited for: its usage u (child_usage)
 * becomes the caller's children's. The rest of the call needs no kernel
 * lock (the copies out): when this CPU holds it for the call's entry
 * alone (depth 1), it goes before what z holds without it is let go and
 * z's own memory freed (process_free). */
static void reap_child(struct process *z, const struct usage *u)
{
	process_collect_usage(current_process(), u->times, u->maxrss_pages);
	process_release_begin(z);
	call_unlock_entry();
	process_free(z);
}

SYSCALL_DEFINE4(wait4, pid_t, pid, uptr_t, ustatus, int, options, uptr_t, rusage)
{
	long err;

	if ((unsigned int)options & ~(unsigned int)(WNOHANG | WUNTRACED | WCONTINUED | WAIT_THREAD_OPTIONS))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH; /* no group -INT_MIN: Linux's kernel_wait4 since 4.13 */
	struct process *z = wait_child((int64_t)(int32_t)pid, (unsigned int)options | WEXITED, &err);
	if (!z)
		return err;
	/* As Linux: the zombie is reaped before anything is copied out (a
	 * copy may fault and sleep, and z must not be found twice); a bad
	 * address then gives -EFAULT for a child that is gone. */
	int status, zpid = z->pid;
	bool reap = report(z, options, &status);
	struct usage usage = child_usage(z);
	if (reap)
		reap_child(z, &usage);
	if (ustatus && copy_to_user(ustatus, &status, sizeof(status)))
		return -EFAULT;
	if (rusage && put_rusage(rusage, &usage))
		return -EFAULT;
	return zpid;
}

struct waitid_info {
	int32_t signo, errno_, code, pad;
	int32_t pid;
	uint32_t uid;
	int32_t status;
	uint8_t rest[128 - 28];
};

/* waitid's siginfo for z, alive, reporting a ptrace-stop, a stop or a
 * continue: consumed, except a stop or continue with WNOWAIT. */
static void waitid_alive_info(struct process *z, uint64_t options, struct waitid_info *info)
{
	bool ptraced = ptrace_has_report(z, current_process());
	bool stop_report = z->stop_report, cont_report = z->cont_report;
	int status;

	report(z, options, &status);
	if ((options & WNOWAIT) && !ptraced) {
		z->stop_report = stop_report;
		z->cont_report = cont_report;
	}
	info->signo = SIGCHLD;
	info->pid = z->pid;
	if (ptraced) {
		info->code = CLD_TRAPPED;
		info->status = (status >> 8) & 0xff;
	} else if (status == WSTATUS_CONTINUED) {
		info->code = CLD_CONTINUED;
		info->status = SIGCONT;
	} else {
		info->code = CLD_STOPPED;
		info->status = (status >> 8) & 0xff;
	}
}

/* waitid(P_PIDFD, fd): the pid of the process the pidfd names, with
 * WNOHANG added when the pidfd is O_NONBLOCK (Linux 5.10's rule: the
 * wait then says EAGAIN when nothing is ready, unless the caller asked
 * for WNOHANG itself). -EINVAL
 * for fd < 0, -EBADF when fd is no pidfd, -ECHILD when its process has
 * been reaped (no child of anyone's any more). */
static long pidfd_wait_id(int fd, unsigned int *opts, int64_t *pid)
{
	struct process *p = NULL;
	struct file *f;
	long err;

	if (fd < 0)
		return -EINVAL;
	if (!(f = fd_file(fd)))
		return -EBADF;
	err = pidfd_is(f) ? pidfd_process(f, &p) : -EBADF;
	if (!err && (f->flags & O_NONBLOCK))
		*opts |= WNOHANG;
	file_put(f);
	if (err)
		return err == -ESRCH ? -ECHILD : err;
	*pid = p->pid;
	return 0;
}

SYSCALL_DEFINE5(waitid, int, idtype, pid_t, id, uptr_t, infop, int, options, uptr_t, rusage)
{
	int64_t pid;
	long err;
	unsigned int opts = (unsigned int)options;

	if (opts & ~(unsigned int)(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | WAIT_THREAD_OPTIONS))
		return -EINVAL;
	if (!(opts & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	if (idtype == P_ALL)
		pid = -1;
	else if (idtype == P_PID)
		pid = (int64_t)id;
	else if (idtype == P_PGID)
		pid = id ? -(int64_t)id : 0;
	else if (idtype == P_PIDFD)
		err = pidfd_wait_id((int)id, &opts, &pid);
	else
		return -EINVAL;
	if (idtype == P_PIDFD && err)
		return err;
	bool nonblock_fd = (opts & WNOHANG) && !(options & WNOHANG);
	struct process *z = wait_child(pid, opts, &err);
	if (!z && !err && nonblock_fd)
		return -EAGAIN; /* kernel_waitid: the pidfd's O_NONBLOCK, nothing ready */
	struct waitid_info info;
	struct usage usage = { { 0, 0 }, 0 };
	memset(&info, 0, sizeof(info));
	if (z && z->state != PROC_ZOMBIE) { /* a stop, a continue, a tracee's ptrace-stop */
		waitid_alive_info(z, opts, &info);
		z = NULL;
	} else if (z) {
		info.signo = SIGCHLD;
		info.code = wstatus_cld_code(z->wstatus);
		info.pid = z->pid;
		info.status = wstatus_cld_status(z->wstatus);
		usage = child_usage(z);
		if (!(opts & WNOWAIT))
			reap_child(z, &usage); /* before any copy, as wait4 */
	} else if (err) {
		return err;
	}
	if (infop && copy_to_user(infop, &info, sizeof(info)))
		return -EFAULT;
	if (z && rusage && put_rusage(rusage, &usage))
		return -EFAULT;
	return 0;
}

/* Linux's check_kill_permission: the caller's own process, a target
 * whose real or saved uid is the caller's real or effective uid (the
 * calling thread's credentials against tc, the target thread's, or for a
 * process its leader's), CAP_KILL, or SIGCONT within the caller's
 * session; else -EPERM. */
static long may_signal(const struct process *p, const struct cred *tc, int sig)
{
	const struct process *me = current_process();

	if (p == me || cred_may_signal(current_cred(), tc) || capable(CAP_KILL))
		return 0;
	return sig == SIGCONT && p->sid == me->sid ? 0 : -EPERM;
}

/* Send sig to p if the caller may: 0, or -EPERM. */
static long kill_checked(struct process *p, int sig)
{
	long err = may_signal(p, process_cred(p), sig);

	return err ? err : signal_send(p, sig);
}

struct kill_all {
	int sig, self, count, pgid; /* pgid 0: every process but init and the caller */
	long err;
};

/* kill(-1): everyone but init and the caller, success if any was
 * counted (Linux counts the -EPERM ones too); kill(-pgid): the group,
 * success if any one was signalled, else the last error. */
static void kill_one(struct process *p, void *arg)
{
	struct kill_all *k = arg;

	if (p->state != PROC_ALIVE)
		return;
	if (k->pgid ? p->pgid != k->pgid : (p->pid <= 1 || p->pid == k->self))
		return;
	long err = kill_checked(p, k->sig);
	if (k->pgid) {
		if (!err)
			k->count++;
		else
			k->err = err;
		return;
	}
	k->count++;
	if (err != -EPERM)
		k->err = err;
}

static long kill_group(int pgid, int sig)
{
	struct kill_all k = { sig, 0, 0, pgid, -ESRCH };

	process_for_each(kill_one, &k);
	return k.count ? 0 : k.err;
}

SYSCALL_DEFINE2(kill, pid_t, upid, int, sig)
{
	int pid = (int)upid;
	struct process *self = current_process();

	if ((unsigned)sig > NSIG)
		return -EINVAL;
	if (pid > 0) {
		struct process *p = process_find_id(pid); /* as Linux: a thread's id names its process */
		if (!p)
			return -ESRCH;
		return kill_checked(p, (int)sig); /* a zombie accepts (and drops) it until reaped */
	}
	if (pid == 0)
		return kill_group(self->pgid, (int)sig);
	if (pid == -1) {
		struct kill_all k = { (int)sig, self->pid, 0, 0, 0 };
		process_for_each(kill_one, &k);
		return k.count ? k.err : -ESRCH;
	}
	return kill_group(-pid, (int)sig);
}

/* Signal thread tid (of process tgid, if tgid > 0): that thread takes
 * it, with info's details (rt_tgsigqueueinfo) or NULL for tkill's and
 * tgkill's (si_code SI_TKILL, the caller's pid and real uid, as Linux). */
static long kill_thread(int tgid, int tid, uint64_t sig, const struct siginfo_k *info)
{
	struct siginfo_k tkill_info = { .signo = (int32_t)sig, .code = SI_TKILL };
	struct process *p;
	struct thread *t;

	if (sig > NSIG)
		return -EINVAL;
	t = process_find_thread(tid, &p);
	if (!t || (tgid > 0 && p->pid != tgid))
		return -ESRCH;
	long err = may_signal(p, &t->cred, (int)sig);
	if (err)
		return err;
	if (!info) {
		tkill_info.rt.pid = current_process()->pid;
		tkill_info.rt.uid = current_cred()->uid;
		info = &tkill_info;
	}
	return signal_send_queued(p, t, (int)sig, info);
}

SYSCALL_DEFINE3(tgkill, pid_t, tgid, pid_t, tid, int, sig)
{
	if ((int)tgid <= 0 || (int)tid <= 0)
		return -EINVAL;
	return kill_thread((int)tgid, (int)tid, sig, NULL);
}

SYSCALL_DEFINE2(tkill, pid_t, tid, int, sig)
{
	if ((int)tid <= 0)
		return -EINVAL;
	return kill_thread(0, (int)tid, sig, NULL);
}

/* The siginfo of rt_sigqueueinfo and rt_tgsigqueueinfo, read into info
 * (-EFAULT). Linux's rule: no one may pretend to be the kernel or
 * kill/tgkill (si_code >= 0 or SI_TKILL) but to itself (to_tid is the
 * caller's tid): -EPERM. */
static long queued_info(uptr_t uinfo, int to_tid, struct siginfo_k *info)
{
	if (copy_from_user(info, uinfo, sizeof(*info)))
		return -EFAULT;
	if ((info->code >= 0 || info->code == SI_TKILL) && to_tid != current_thread()->tid)
		return -EPERM;
	return 0;
}

/* rt_sigqueueinfo(tgid, sig, info): sig for process tgid (any thread's
 * id names its process, as kill's) with the caller's si_code, si_pid,
 * si_uid and si_value; kill's permission rule. */
SYSCALL_DEFINE3(rt_sigqueueinfo, pid_t, tgid, int, sig, uptr_t, uinfo)
{
	struct siginfo_k info;
	struct process *p = NULL;
	long err = queued_info(uinfo, (int)tgid, &info);

	if (err)
		return err;
	if ((int)tgid > 0)
		p = process_find_id((int)tgid);
	if (!p)
		return -ESRCH;
	if ((unsigned)sig > NSIG)
		return -EINVAL;
	if ((err = may_signal(p, process_cred(p), sig)))
		return err;
	return signal_send_queued(p, NULL, sig, &info);
}

/* rt_tgsigqueueinfo(tgid, tid, sig, info): the same for thread tid of
 * process tgid (-EINVAL for an id <= 0). */
SYSCALL_DEFINE4(rt_tgsigqueueinfo, pid_t, tgid, pid_t, tid, int, sig, uptr_t, uinfo)
{
	struct siginfo_k info;
	long err = queued_info(uinfo, (int)tid, &info);

	if (err)
		return err;
	if ((int)tgid <= 0 || (int)tid <= 0)
		return -EINVAL;
	return kill_thread((int)tgid, (int)tid, (uint64_t)(unsigned)sig, &info);
}

SYSCALL_DEFINE0(getppid)
{
	struct process *p = current_process();
	/* 0 only for the processes the kernel started itself; an orphan with
	 * no init to adopt it still reports init, as on Linux */
	return p->parent ? p->parent->pid : p->orphaned ? 1 : 0;
}

struct pgrp_query {
	int pgid, sid;
	bool hit;
};

static void pgrp_probe(struct process *p, void *arg)
{
	struct pgrp_query *q = arg;
	if (p->pgid == q->pgid && (q->sid < 0 || p->sid == q->sid))
		q->hit = true;
}

/* Is there a process group pgid (in session sid, or any if sid < 0)? */
static bool pgrp_exists(int pgid, int sid)
{
	struct pgrp_query q = { pgid, sid, false };
	process_for_each(pgrp_probe, &q);
	return q.hit;
}

SYSCALL_DEFINE2(setpgid, pid_t, upid, pid_t, upgid)
{
	struct process *self = current_process();
	int pid = (int)upid ? (int)upid : self->pid;
	int pgid = (int)upgid ? (int)upgid : pid;

	if (pgid < 0)
		return -EINVAL;
	struct process *p = process_find(pid);
	if (!p || (p != self && p->parent != self))
		return -ESRCH;
	if (p != self && p->did_exec)
		return -EACCES;
	if (p->sid != self->sid || p->sid == p->pid)
		return -EPERM; /* another session, or a session leader */
	if (pgid != pid && !pgrp_exists(pgid, self->sid))
		return -EPERM;
	p->pgid = pgid;
	return 0;
}

SYSCALL_DEFINE1(getpgid, pid_t, upid)
{
	struct process *p = (int)upid ? process_find((int)upid) : current_process();
	return p ? p->pgid : -ESRCH;
}

SYSCALL_DEFINE0(getpgrp)
{
	return current_process()->pgid;
}

SYSCALL_DEFINE0(setsid)
{
	struct process *p = current_process();

	if (pgrp_exists(p->pid, -1)) /* already a group leader (or our pid names a group) */
		return -EPERM;
	p->sid = p->pgid = p->pid;
	return p->sid;
}

SYSCALL_DEFINE1(getsid, pid_t, upid)
{
	struct process *p = (int)upid ? process_find((int)upid) : current_process();
	return p ? p->sid : -ESRCH;
}

/* ---------------------------------------------------------------- pidfds */

/* pidfd_open(pid, flags): a close-on-exec pidfd (fs/pidfd.h) for process
 * pid, live or a zombie. As Linux: -EINVAL for flags other than
 * PIDFD_NONBLOCK, pid <= 0 or a thread that does not lead its process,
 * -ESRCH for no such pid, -EMFILE, -ENOMEM. */
SYSCALL_DEFINE2(pidfd_open, pid_t, pid, unsigned int, flags)
{
	struct process *p, *owner;
	struct file *f;
	int fd, r;

	if ((flags & ~(unsigned int)PIDFD_NONBLOCK) || (int)pid <= 0)
		return -EINVAL;
	if (!(p = process_find((int)pid)))
		return process_find_thread((int)pid, &owner) ? -EINVAL : -ESRCH;
	if ((r = pidfd_create(p, flags, &f)) < 0)
		return r;
	if ((fd = fd_install(current_process()->files, f, 0, true)) < 0)
		file_put(f);
	return fd;
}

/* pidfd_getfd(pidfd, fd, flags): a duplicate, close-on-exec, of the
 * descriptor fd of the process a pidfd names, as Linux's: -EINVAL for
 * flags, -EBADF for no pidfd (a /proc/PID directory is none here), -ESRCH
 * once the process is reaped, -EPERM unless the caller may trace it
 * with its real ids (PTRACE_MODE_ATTACH_REALCREDS), -EBADF for an fd it
 * does not have open (a zombie has none), -EMFILE. */
/* The process descriptor fd names, a pidfd (or, unless pidfd_only, an
 * open /proc/PID directory): 0, -EBADF, -ESRCH once it is reaped. */
static long pidfd_target(int fd, bool pidfd_only, struct process **p)
{
	struct file *f = fd_file(fd);
	long err;

	if (!f)
		return -EBADF;
	err = pidfd_only && !pidfd_is(f) ? -EBADF : pidfd_process(f, p);
	file_put(f);
	return err;
}

SYSCALL_DEFINE3(pidfd_getfd, int, pidfd, int, fd, unsigned int, flags)
{
	struct process *p = NULL;
	struct file *f;
	long err;

	if (flags)
		return -EINVAL;
	if ((err = pidfd_target(pidfd, true, &p)))
		return err;
	if (!ptrace_may_access_realcreds(p))
		return -EPERM;
	if (!(f = fd_get(p->state == PROC_ALIVE ? p->files : NULL, fd)))
		return -EBADF;
	if ((err = fd_install(current_process()->files, f, 0, true)) < 0)
		file_put(f);
	return err;
}

/* pidfd_send_signal(fd, sig, info, flags): kill(2) or rt_sigqueueinfo(2)
 * to the process a pidfd or an open /proc/PID directory names. As Linux:
 * -EINVAL for flags, -EBADF for another file, -ESRCH once reaped; with
 * info, -EFAULT, -EINVAL when its si_signo is not sig, -EPERM for a
 * kernel's or tkill's si_code sent to another process; then kill's
 * checks (-EINVAL for a bad sig, -EPERM). */
SYSCALL_DEFINE4(pidfd_send_signal, int, fd, int, sig, uptr_t, uinfo, unsigned int, flags)
{
	struct siginfo_k info;
	struct process *p = NULL;
	long err;

	if (flags)
		return -EINVAL;
	if ((err = pidfd_target(fd, false, &p)))
		return err;
	if (uinfo) {
		if (copy_from_user(&info, uinfo, sizeof(info)))
			return -EFAULT;
		if (info.signo != sig)
			return -EINVAL;
		if (p != current_process() && (info.code >= 0 || info.code == SI_TKILL))
			return -EPERM;
	}
	if ((unsigned)sig > NSIG)
		return -EINVAL;
	if (!uinfo)
		return kill_checked(p, sig);
	if ((err = may_signal(p, process_cred(p), sig)))
		return err;
	return signal_send_queued(p, NULL, sig, &info);
}
