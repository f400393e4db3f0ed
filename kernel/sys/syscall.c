// SPDX-License-Identifier: MIT
/*
 * Kestrel: system-call dispatch. SYSCALL and int $0x80 both arrive with
 * a struct trap_frame; the number is in RAX and the arguments in RDI,
 * RSI, RDX, R10, R8, R9 (Linux x86_64). An unknown number is -ENOSYS.
 * With `audit`, `audit=ring` or the profiler on, every call is recorded
 * in the calling CPU's audit ring (audit.c) without any lock; otherwise
 * none is, and the usual path pays one test for it.
 */
#include "sys/syscall.h"
#include "sys/syscalls.h"
#include "uapi/unistd.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/klock.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/syscall_msr.h"
#include "mm/layout.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "proc/ptrace.h"
#include "sys/seccomp.h"
#include "uapi/seccomp.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "fs/procfs_klock.h"
#include "test/selftest.h"
#include "audit.h"
#include "profile.h"
#include "ksyms.h"
#include "log.h"

_Static_assert(AUDIT_CPUS >= SMP_MAX_CPUS, "an audit ring for every CPU");

static const syscall_fn table[SYS_COUNT] = {
	[SYS_read] = sys_read,
	[SYS_write] = sys_write,
	[SYS_open] = sys_open,
	[SYS_close] = sys_close,
	[SYS_close_range] = sys_close_range,
	[SYS_stat] = sys_stat,
	[SYS_fstat] = sys_fstat,
	[SYS_lstat] = sys_lstat,
	[SYS_lseek] = sys_lseek,
	[SYS_pread64] = sys_pread64,
	[SYS_pwrite64] = sys_pwrite64,
	[SYS_readv] = sys_readv,
	[SYS_access] = sys_access,
	[SYS_dup] = sys_dup,
	[SYS_dup2] = sys_dup2,
	[SYS_sendfile] = sys_sendfile,
	[SYS_splice] = sys_splice,
	[SYS_tee] = sys_tee,
	[SYS_vmsplice] = sys_vmsplice,
	[SYS_copy_file_range] = sys_copy_file_range,
	[SYS_fcntl] = sys_fcntl,
	[SYS_flock] = sys_flock,
	[SYS_fsync] = sys_fsync,
	[SYS_fdatasync] = sys_fdatasync,
	[SYS_truncate] = sys_truncate,
	[SYS_ftruncate] = sys_ftruncate,
	[SYS_getcwd] = sys_getcwd,
	[SYS_chdir] = sys_chdir,
	[SYS_fchdir] = sys_fchdir,
	[SYS_chroot] = sys_chroot,
	[SYS_rename] = sys_rename,
	[SYS_mkdir] = sys_mkdir,
	[SYS_rmdir] = sys_rmdir,
	[SYS_creat] = sys_creat,
	[SYS_link] = sys_link,
	[SYS_unlink] = sys_unlink,
	[SYS_symlink] = sys_symlink,
	[SYS_readlink] = sys_readlink,
	[SYS_chmod] = sys_chmod,
	[SYS_fchmod] = sys_fchmod,
	[SYS_chown] = sys_chown,
	[SYS_fchown] = sys_fchown,
	[SYS_lchown] = sys_lchown,
	[SYS_umask] = sys_umask,
	[SYS_mknod] = sys_mknod,
	[SYS_statfs] = sys_statfs,
	[SYS_fstatfs] = sys_fstatfs,
	[SYS_ustat] = sys_ustat,
	[SYS_sysfs] = sys_sysfs,
	[SYS_setxattr] = sys_setxattr,
	[SYS_lsetxattr] = sys_lsetxattr,
	[SYS_fsetxattr] = sys_fsetxattr,
	[SYS_getxattr] = sys_getxattr,
	[SYS_lgetxattr] = sys_lgetxattr,
	[SYS_fgetxattr] = sys_fgetxattr,
	[SYS_listxattr] = sys_listxattr,
	[SYS_llistxattr] = sys_llistxattr,
	[SYS_flistxattr] = sys_flistxattr,
	[SYS_removexattr] = sys_removexattr,
	[SYS_lremovexattr] = sys_lremovexattr,
	[SYS_fremovexattr] = sys_fremovexattr,
	[SYS_fadvise64] = sys_fadvise64,
	[SYS_readahead] = sys_readahead,
	[SYS_syslog] = sys_syslog,
	[SYS_adjtimex] = sys_adjtimex,
	[SYS_clock_adjtime] = sys_clock_adjtime,
	[SYS_fallocate] = sys_fallocate,
	[SYS_sched_setparam] = sys_sched_setparam,
	[SYS_sched_getparam] = sys_sched_getparam,
	[SYS_sched_setscheduler] = sys_sched_setscheduler,
	[SYS_sched_getscheduler] = sys_sched_getscheduler,
	[SYS_sched_setattr] = sys_sched_setattr,
	[SYS_sched_getattr] = sys_sched_getattr,
	[SYS_ioprio_set] = sys_ioprio_set,
	[SYS_ioprio_get] = sys_ioprio_get,
	[SYS_membarrier] = sys_membarrier,
	[SYS_ioperm] = sys_ioperm,
	[SYS_iopl] = sys_iopl,
	[SYS_name_to_handle_at] = sys_name_to_handle_at,
	[SYS_open_by_handle_at] = sys_open_by_handle_at,
	[SYS_vhangup] = sys_vhangup,
	[SYS_acct] = sys_acct,
	[SYS_setns] = sys_setns,
	[SYS_sched_get_priority_max] = sys_sched_get_priority_max,
	[SYS_sched_get_priority_min] = sys_sched_get_priority_min,
	[SYS_sched_rr_get_interval] = sys_sched_rr_get_interval,
	[SYS_rt_sigtimedwait] = sys_rt_sigtimedwait,
	[SYS_clock_settime] = sys_clock_settime,
	[SYS_settimeofday] = sys_settimeofday,
	[SYS_sync] = sys_sync,
	[SYS_mount] = sys_mount,
	[SYS_umount2] = sys_umount2,
	[SYS_reboot] = sys_reboot,
	[SYS_getdents64] = sys_getdents64,
	[SYS_getdents] = sys_getdents,
	[SYS_utimes] = sys_utimes,
	[SYS_openat] = sys_openat,
	[SYS_openat2] = sys_openat2,
	[SYS_mkdirat] = sys_mkdirat,
	[SYS_mknodat] = sys_mknodat,
	[SYS_fchownat] = sys_fchownat,
	[SYS_futimesat] = sys_futimesat,
	[SYS_newfstatat] = sys_newfstatat,
	[SYS_unlinkat] = sys_unlinkat,
	[SYS_renameat] = sys_renameat,
	[SYS_linkat] = sys_linkat,
	[SYS_symlinkat] = sys_symlinkat,
	[SYS_readlinkat] = sys_readlinkat,
	[SYS_fchmodat] = sys_fchmodat,
	[SYS_faccessat] = sys_faccessat,
	[SYS_utimensat] = sys_utimensat,
	[SYS_dup3] = sys_dup3,
	[SYS_preadv] = sys_preadv,
	[SYS_pwritev] = sys_pwritev,
	[SYS_preadv2] = sys_preadv2,
	[SYS_pwritev2] = sys_pwritev2,
	[SYS_syncfs] = sys_syncfs,
	[SYS_sync_file_range] = sys_sync_file_range,
	[SYS_renameat2] = sys_renameat2,
	[SYS_statx] = sys_statx,
	[SYS_faccessat2] = sys_faccessat2,
	[SYS_mmap] = sys_mmap,
	[SYS_mprotect] = sys_mprotect,
	[SYS_munmap] = sys_munmap,
	[SYS_brk] = sys_brk,
	[SYS_rt_sigaction] = sys_rt_sigaction,
	[SYS_rt_sigprocmask] = sys_rt_sigprocmask,
	[SYS_rt_sigreturn] = sys_rt_sigreturn,
	[SYS_rt_sigpending] = sys_rt_sigpending,
	[SYS_rt_sigsuspend] = sys_rt_sigsuspend,
	[SYS_sigaltstack] = sys_sigaltstack,
	[SYS_pause] = sys_pause,
	[SYS_getitimer] = sys_getitimer,
	[SYS_alarm] = sys_alarm,
	[SYS_setitimer] = sys_setitimer,
	[SYS_madvise] = sys_madvise,
	[SYS_mremap] = sys_mremap,
	[SYS_remap_file_pages] = sys_remap_file_pages,
	[SYS_msync] = sys_msync,
	[SYS_mincore] = sys_mincore,
	[SYS_mlock] = sys_mlock,
	[SYS_shmget] = sys_shmget,
	[SYS_shmat] = sys_shmat,
	[SYS_shmctl] = sys_shmctl,
	[SYS_shmdt] = sys_shmdt,
	[SYS_semget] = sys_semget,
	[SYS_semop] = sys_semop,
	[SYS_semtimedop] = sys_semtimedop,
	[SYS_semctl] = sys_semctl,
	[SYS_msgget] = sys_msgget,
	[SYS_msgsnd] = sys_msgsnd,
	[SYS_msgrcv] = sys_msgrcv,
	[SYS_msgctl] = sys_msgctl,
	[SYS_kcmp] = sys_kcmp,
	[SYS_process_vm_readv] = sys_process_vm_readv,
	[SYS_process_vm_writev] = sys_process_vm_writev,
	[SYS_io_setup] = sys_io_setup,
	[SYS_io_destroy] = sys_io_destroy,
	[SYS_io_submit] = sys_io_submit,
	[SYS_io_getevents] = sys_io_getevents,
	[SYS_io_pgetevents] = sys_io_pgetevents,
	[SYS_io_cancel] = sys_io_cancel,
	[SYS_mlock2] = sys_mlock2,
	[SYS_munlock] = sys_munlock,
	[SYS_mlockall] = sys_mlockall,
	[SYS_munlockall] = sys_munlockall,
	[SYS_getrlimit] = sys_getrlimit,
	[SYS_getrusage] = sys_getrusage,
	[SYS_sysinfo] = sys_sysinfo,
	[SYS_times] = sys_times,
	[SYS_ptrace] = sys_ptrace,
	[SYS_setuid] = sys_setuid,
	[SYS_setgid] = sys_setgid,
	[SYS_setreuid] = sys_setreuid,
	[SYS_setregid] = sys_setregid,
	[SYS_getgroups] = sys_getgroups,
	[SYS_setgroups] = sys_setgroups,
	[SYS_setresuid] = sys_setresuid,
	[SYS_setresgid] = sys_setresgid,
	[SYS_getresuid] = sys_getresuid,
	[SYS_getresgid] = sys_getresgid,
	[SYS_setfsuid] = sys_setfsuid,
	[SYS_setfsgid] = sys_setfsgid,
	[SYS_prctl] = sys_prctl,
	[SYS_personality] = sys_personality,
	[SYS_capget] = sys_capget,
	[SYS_capset] = sys_capset,
	[SYS_getpriority] = sys_getpriority,
	[SYS_setpriority] = sys_setpriority,
	[SYS_setrlimit] = sys_setrlimit,
	[SYS_sched_getaffinity] = sys_sched_getaffinity,
	[SYS_sched_setaffinity] = sys_sched_setaffinity,
	[SYS_getcpu] = sys_getcpu,
	[SYS_clock_nanosleep] = sys_clock_nanosleep,
	[SYS_prlimit64] = sys_prlimit64,
	[SYS_getrandom] = sys_getrandom,
	[SYS_seccomp] = sys_seccomp,
	[SYS_clone] = sys_clone,
	[SYS_clone3] = sys_clone3,
	[SYS_fork] = sys_fork,
	[SYS_vfork] = sys_vfork,
	[SYS_execve] = sys_execve,
	[SYS_execveat] = sys_execveat,
	[SYS_wait4] = sys_wait4,
	[SYS_waitid] = sys_waitid,
	[SYS_kill] = sys_kill,
	[SYS_tkill] = sys_tkill,
	[SYS_tgkill] = sys_tgkill,
	[SYS_rt_sigqueueinfo] = sys_rt_sigqueueinfo,
	[SYS_pidfd_open] = sys_pidfd_open,
	[SYS_pidfd_send_signal] = sys_pidfd_send_signal,
	[SYS_pidfd_getfd] = sys_pidfd_getfd,
	[SYS_rt_tgsigqueueinfo] = sys_rt_tgsigqueueinfo,
	[SYS_setpgid] = sys_setpgid,
	[SYS_getpgid] = sys_getpgid,
	[SYS_getpgrp] = sys_getpgrp,
	[SYS_setsid] = sys_setsid,
	[SYS_getsid] = sys_getsid,
	[SYS_ioctl] = sys_ioctl,
	[SYS_writev] = sys_writev,
	[SYS_sched_yield] = sys_sched_yield,
	[SYS_nanosleep] = sys_nanosleep,
	[SYS_restart_syscall] = sys_restart_syscall,
	[SYS_timer_create] = sys_timer_create,
	[SYS_timer_settime] = sys_timer_settime,
	[SYS_timer_gettime] = sys_timer_gettime,
	[SYS_timer_getoverrun] = sys_timer_getoverrun,
	[SYS_timer_delete] = sys_timer_delete,
	[SYS_getpid] = sys_getpid,
	[SYS_exit] = sys_exit,
	[SYS_uname] = sys_uname,
	[SYS_sethostname] = sys_sethostname,
	[SYS_setdomainname] = sys_setdomainname,
	[SYS_gettimeofday] = sys_gettimeofday,
	[SYS_getuid] = sys_getuid,
	[SYS_getgid] = sys_getgid,
	[SYS_geteuid] = sys_geteuid,
	[SYS_getegid] = sys_getegid,
	[SYS_getppid] = sys_getppid,
	[SYS_arch_prctl] = sys_arch_prctl,
	[SYS_gettid] = sys_gettid,
	[SYS_time] = sys_time,
	[SYS_set_tid_address] = sys_set_tid_address,
	[SYS_clock_gettime] = sys_clock_gettime,
	[SYS_clock_getres] = sys_clock_getres,
	[SYS_exit_group] = sys_exit_group,
	[SYS_futex] = sys_futex,
	[SYS_futex_waitv] = sys_futex_waitv,
	[SYS_set_robust_list] = sys_set_robust_list,
	[SYS_unshare] = sys_unshare,
	[SYS_get_robust_list] = sys_get_robust_list,
	[SYS_pipe] = sys_pipe,
	[SYS_pipe2] = sys_pipe2,
	[SYS_eventfd] = sys_eventfd,
	[SYS_eventfd2] = sys_eventfd2,
	[SYS_epoll_create] = sys_epoll_create,
	[SYS_epoll_create1] = sys_epoll_create1,
	[SYS_epoll_ctl] = sys_epoll_ctl,
	[SYS_epoll_wait] = sys_epoll_wait,
	[SYS_epoll_pwait] = sys_epoll_pwait,
	[SYS_epoll_pwait2] = sys_epoll_pwait2,
	[SYS_signalfd4] = sys_signalfd4,
	[SYS_signalfd] = sys_signalfd,
	[SYS_memfd_create] = sys_memfd_create,
	[SYS_timerfd_create] = sys_timerfd_create,
	[SYS_timerfd_settime] = sys_timerfd_settime,
	[SYS_timerfd_gettime] = sys_timerfd_gettime,
	[SYS_mq_open] = sys_mq_open,
	[SYS_mq_unlink] = sys_mq_unlink,
	[SYS_mq_timedsend] = sys_mq_timedsend,
	[SYS_mq_timedreceive] = sys_mq_timedreceive,
	[SYS_mq_notify] = sys_mq_notify,
	[SYS_mq_getsetattr] = sys_mq_getsetattr,
	[SYS_add_key] = sys_add_key,
	[SYS_request_key] = sys_request_key,
	[SYS_keyctl] = sys_keyctl,
	[SYS_inotify_init] = sys_inotify_init,
	[SYS_inotify_init1] = sys_inotify_init1,
	[SYS_inotify_add_watch] = sys_inotify_add_watch,
	[SYS_inotify_rm_watch] = sys_inotify_rm_watch,
	[SYS_socket] = sys_socket,
	[SYS_socketpair] = sys_socketpair,
	[SYS_bind] = sys_bind,
	[SYS_connect] = sys_connect,
	[SYS_listen] = sys_listen,
	[SYS_accept] = sys_accept,
	[SYS_accept4] = sys_accept4,
	[SYS_getsockname] = sys_getsockname,
	[SYS_getpeername] = sys_getpeername,
	[SYS_shutdown] = sys_shutdown,
	[SYS_setsockopt] = sys_setsockopt,
	[SYS_getsockopt] = sys_getsockopt,
	[SYS_sendto] = sys_sendto,
	[SYS_sendmsg] = sys_sendmsg,
	[SYS_recvfrom] = sys_recvfrom,
	[SYS_recvmsg] = sys_recvmsg,
	[SYS_sendmmsg] = sys_sendmmsg,
	[SYS_recvmmsg] = sys_recvmmsg,
	[SYS_poll] = sys_poll,
	[SYS_ppoll] = sys_ppoll,
	[SYS_select] = sys_select,
	[SYS_pselect6] = sys_pselect6,
};

/* With `audit` on the command line, every call is also logged as it is
 * made and as it returns. Set once at boot. */
static bool audit_serial;
/* audit_serial, `audit=ring` or the profiler (profile.h, on before this
 * is set): the one flag the usual path tests, and the calls recorded in
 * the audit rings. Set once at boot. */
static bool run_slow;

void syscall_init(bool audit_to_serial, bool audit_ring)
{
	arch_syscall_init();
	audit_serial = audit_to_serial;
	run_slow = audit_serial || audit_ring || profile_on;
	procfs_klock_namer = syscall_name; /* /proc/klock_stat names the calls */
}

/*
 * The system calls that run without the kernel lock (issue 29's first):
 * each reads only what its own thread owns or what does not change while
 * the process lives (its pid and thread id; its credentials, which only
 * the thread itself replaces; the CPU it runs on, which the kernel, not
 * preemptive, does not change under it; its clear_child_tid), or what
 * has locks of its own (sched_yield's run queues; nanosleep's timer and
 * its sleep, sched.c's wait_interruptible; futex's hash buckets). A fault in one (a bad getcpu
 * pointer) takes the lock in the fault's own entry. Every other call
 * takes it from entry to return (klock.h), and so does every call of a
 * traced process (its tracer's stops need the lock).
 */
/* Indexed by the number's low bits (SYSCALL_LOCK_FREE_SLOTS, a power of
 * two above SYS_COUNT, so no number of the table aliases another of it):
 * the SYSCALL entry (entry/syscall.S) looks without a bounds test. A
 * number past the table that aliases a lock-free entry runs without the
 * lock too, harmlessly: it is -ENOSYS before it touches anything. */
#define LOCK_FREE_SLOTS SYSCALL_LOCK_FREE_SLOTS
_Static_assert(LOCK_FREE_SLOTS >= SYS_COUNT && !(LOCK_FREE_SLOTS & (LOCK_FREE_SLOTS - 1)),
	       "lock_free's index mask must cover the table");
#define lock_free syscall_lock_free
const bool syscall_lock_free[LOCK_FREE_SLOTS] = {
	[SYS_getpid] = true, [SYS_gettid] = true,
	[SYS_getuid] = true, [SYS_geteuid] = true, [SYS_getgid] = true, [SYS_getegid] = true,
	[SYS_getcpu] = true,
	/* the thread's own state, the scheduler (own locks), sleeping and
	 * the clock; clock_nanosleep takes the lock for a CPU-time clock */
	[SYS_sched_yield] = true, [SYS_set_tid_address] = true,
	[SYS_nanosleep] = true, [SYS_clock_nanosleep] = true,
	/* private waits and wakes; the other operations take the lock (futex.c) */
	[SYS_futex] = true,
	/* the thread's own mask (signal.c's set_blocked: a barrier against
	 * the senders, the lock only to retarget), its FS and GS bases, its
	 * alternate stack */
	[SYS_rt_sigprocmask] = true, [SYS_arch_prctl] = true, [SYS_sigaltstack] = true,
	/* the regions, under their space's map_lock and lock (mm/uvm.h); the
	 * kernel lock only for files and memory objects (sys_mem.c) */
	[SYS_mmap] = true, [SYS_munmap] = true, [SYS_mprotect] = true, [SYS_brk] = true,
	[SYS_mremap] = true, [SYS_madvise] = true,
	/* a path through RAM directories, walked without it (fs/inode.h's
	 * vfs_walk_nolock); the kernel lock for any other (sys_stat.c) */
	[SYS_stat] = true, [SYS_lstat] = true, [SYS_newfstatat] = true, [SYS_statx] = true,
	/* the descriptor under its table's lock, the file's reference
	 * keeping what it reads (sys_stat.c's kstat_fd) */
	[SYS_fstat] = true,
	[SYS_access] = true, [SYS_faccessat] = true, [SYS_faccessat2] = true,
	[SYS_readlink] = true, [SYS_readlinkat] = true,
	/* the descriptor under its table's lock (fs/vfs.h's fd_get_nolock);
	 * a pipe's, a connected TCP socket's or a memory device's transfer
	 * without the kernel lock, any other file's under it (sys_fs.c) */
	[SYS_read] = true, [SYS_write] = true, [SYS_readv] = true, [SYS_writev] = true,
	/* the slot emptied under its table's lock; the kernel lock for a flush
	 * and the last reference's release (sys_fs.c, fs/vfs.h's fd_take_nolock) */
	[SYS_close] = true,
	/* the file under its table's lock, installed in a free slot or
	 * exchanged into one under it; the kernel lock to grow the table
	 * and for what close needs it for (sys_fs.c's dup_to) */
	[SYS_dup] = true, [SYS_dup2] = true, [SYS_dup3] = true,
	/* F_DUPFD, F_GETFD, F_SETFD and F_GETFL the same way; the other
	 * commands take the kernel lock (sys_fs.c's fcntl_path_cmd) */
	[SYS_fcntl] = true,
	/* an existing RAM file through RAM directories, its inode by a
	 * lock-free walk and its slot under the table's lock; the kernel
	 * lock for any other (sys_fsname.c's open_nolock) */
	[SYS_open] = true, [SYS_openat] = true,
	/* the same, and a socket's family says (sys_socket.c's sock_call_lock) */
	[SYS_sendto] = true, [SYS_recvfrom] = true, [SYS_sendmsg] = true, [SYS_recvmsg] = true,
	/* the new image built in a space of its own, its file steps and the
	 * commit under the kernel lock (proc/process.c's exec_load_lockless) */
	[SYS_execve] = true,
	/* a fork's copy of the address space made first, the rest under the
	 * kernel lock (proc/process.c's process_fork; a thread's clone, a
	 * System V undo list's, take it from the start: sys_process.c) */
	[SYS_fork] = true, [SYS_vfork] = true, [SYS_clone] = true, [SYS_clone3] = true,
	/* the robust futexes and clear_child_tid without it, the rest under
	 * it (proc/process.c's exit_futexes) */
	[SYS_exit] = true, [SYS_exit_group] = true,
};

const char *syscall_name(unsigned long nr)
{
	uint64_t off;
	const char *name = nr < SYS_COUNT && table[nr] ? ksyms_lookup((uint64_t)table[nr], &off) : NULL;

	if (!name || off)
		return NULL;
	return strncmp(name, "sys_", 4) == 0 ? name + 4 : name;
}

bool syscall_takes_klock(unsigned long nr)
{
	return nr >= SYS_COUNT || !lock_free[nr];
}

/* The table's kernel-lock column, which issue 29 counts down: each
 * lock-free entry is a call the table has, an unknown number takes the
 * lock, and the log says how many calls take it. */
SELFTEST(syscall_klock)
{
	unsigned calls = 0, locked = 0;

	for (unsigned nr = 0; nr < SYS_COUNT; nr++) {
		if (!table[nr] && lock_free[nr])
			return "a lock-free entry without a call";
		calls += table[nr] != NULL;
		locked += table[nr] && syscall_takes_klock(nr);
	}
	if (!syscall_takes_klock(SYS_COUNT) || !syscall_takes_klock(~0ul))
		return "an unknown number would run without the kernel lock";
	if (!syscall_name(SYS_getppid) || strcmp(syscall_name(SYS_getppid), "getppid") != 0)
		return "getppid's name is not found in the kernel's symbols";
	klog(LOG_INFO, "selftest: syscall-klock: %u of %u system calls take the kernel lock\n",
	     locked, calls);
	return NULL;
}

/* The handler of nr called with a0..a2 and the frame's other arguments, or -ENOSYS. */
static inline __attribute__((always_inline)) long call(uint64_t nr, uint64_t a0, uint64_t a1,
						       uint64_t a2, const struct trap_frame *tf)
{
	return __builtin_expect(nr < SYS_COUNT && table[nr], 1)
		       ? table[nr](a0, a1, a2, tf->r10, tf->r8, tf->r9) : -ENOSYS;
}

/* run()'s part with `audit` on the command line: the call recorded and
 * logged as it is made and as it returns. Out of line: the usual path
 * tests audit_serial once. */
static __attribute__((noinline)) long run_logged(const struct process *p, uint64_t nr,
						 struct trap_frame *tf)
{
	if (nr == SYS_exit || nr == SYS_exit_group) /* these never return */
		klog(LOG_INFO, "audit: pid %d syscall %lu (%#lx) = (does not return)\n", p->pid, nr,
		     tf->rdi);
	struct audit_rec *r = audit_begin(this_cpu_audit_ring(), p->pid, (uint32_t)nr, tf->rdi,
					   tf->rsi, tf->rdx);
	long ret = call(nr, tf->rdi, tf->rsi, tf->rdx, tf);

	r->ret = ret;
	klog(LOG_INFO, "audit: pid %d syscall %lu (%#lx, %#lx, %#lx) = %ld\n", r->pid, nr, tf->rdi,
	     tf->rsi, tf->rdx, ret);
	return ret;
}

/* run()'s part with the profiler on (profile=N): the call recorded in the
 * audit ring, run, and counted with its time in TSC cycles. Out of line,
 * as run_logged, so that the usual path pays one test (run_slow); on,
 * a call costs about 48 instructions more (make profile of ls -l over
 * 1,000 files, 2026-11-26: 10.47M kernel instructions without, 10.86M
 * with, 8,207 calls; time_ns in place of RDTSC cost 19 more). */
static __attribute__((noinline)) long run_profiled(const struct process *p, uint64_t nr,
						   struct trap_frame *tf)
{
	uint64_t t0 = rdtsc();
	struct audit_rec *r = audit_begin(this_cpu_audit_ring(), p->pid, (uint32_t)nr, tf->rdi,
					   tf->rsi, tf->rdx);
	long ret = call(nr, tf->rdi, tf->rsi, tf->rdx, tf);

	r->ret = ret;
	uint64_t t1 = rdtsc();
	profile_syscall(nr, t1 > t0 ? t1 - t0 : 0); /* moved to a CPU whose TSC is behind: 0 */
	return ret;
}

/* run()'s part with `audit=ring` alone: the call recorded in the audit
 * ring (for the panic report), run. Out of line, as run_logged. */
static __attribute__((noinline)) long run_recorded(const struct process *p, uint64_t nr,
						   struct trap_frame *tf)
{
	struct audit_rec *r = audit_begin(this_cpu_audit_ring(), p->pid, (uint32_t)nr, tf->rdi,
					   tf->rsi, tf->rdx);
	long ret = call(nr, tf->rdi, tf->rsi, tf->rdx, tf);

	r->ret = ret;
	return ret;
}

/* Run call nr of thread t's (recorded in the audit ring when `audit`,
 * `audit=ring` or the profiler asks), return its result: run's part
 * after the tracer and seccomp. The usual path records nothing (Linux
 * keeps no such ring): 19 instructions a call when it did. */
static inline __attribute__((always_inline)) long run_call(const struct thread *t, uint64_t nr,
							   struct trap_frame *tf)
{
	if (__builtin_expect(run_slow, 0))
		return audit_serial ? run_logged(t->proc, nr, tf)
		       : profile_on ? run_profiled(t->proc, nr, tf) : run_recorded(t->proc, nr, tf);
	return call(nr, tf->rdi, tf->rsi, tf->rdx, tf);
}

/* The call of thread t: the tracer's entry stop and seccomp's filter
 * first, when the thread has them, then run_call. Inline in both
 * entries: this is most of a system call. */
static inline __attribute__((always_inline)) long run(struct thread *t, struct trap_frame *tf)
{
	uint64_t nr = tf->rax;
	struct process *p = t->proc; /* never NULL: only user threads reach ring 3 to make a call */

	t->syscall_nr = nr;
	if (__builtin_expect(ptrace_traced(&p->ptrace), 0)) {
		if (!ptrace_syscall_entry(tf)) /* PTRACE_SYSCALL's entry stop */
			return (long)tf->rax;  /* skipped: the tracer's result */
		nr = t->syscall_nr;            /* the tracer may have changed it */
	}
	if (__builtin_expect(t->seccomp.mode != SECCOMP_MODE_DISABLED, 0)) {
		long ret; /* after the tracer's stop, as Linux's syscall_trace_enter */
		if (!seccomp_syscall_enter(t, tf, nr, &ret))
			return ret;
	}
	return run_call(t, nr, tf);
}

/* SYSRET reloads RIP from RCX and RFLAGS from R11 and cannot return to a
 * non-canonical RIP: on Intel CPUs it would raise #GP in ring 0 with the
 * user's RSP (the SYSRET pitfall). So SYSRET only when the frame still
 * says exactly what SYSCALL saved, RIP is a user address, and no trap
 * flag would fire on the way out; everything else leaves by IRET. */
static inline bool sysret_regs_ok(const struct trap_frame *tf)
{
	return tf->rcx == tf->rip && tf->r11 == tf->rflags && tf->rip < USER_TOP - PAGE_SIZE &&
	       !(tf->rflags & (RFLAGS_TF | RFLAGS_RF));
}

/* sysret_regs_ok, and the segments SYSRET sets (from the STAR MSR) are the
 * frame's: a frame sigreturn or a tracer rewrote. On the fast path the
 * frame's CS and SS are still the entry's constants (only sigreturn and
 * ptrace change them, and both take the full path), so it tests the
 * registers alone. */
static inline bool sysret_frame_ok(const struct trap_frame *tf)
{
	return sysret_regs_ok(tf) && tf->cs == USER_CS && tf->ss == USER_DS;
}

/* sysret_frame_ok, unless the call asked to leave by IRET (sigreturn,
 * exec: t->force_iret, consumed here). */
static bool sysret_ok(struct thread *t, const struct trap_frame *tf)
{
	if (t->force_iret) {
		t->force_iret = false;
		return false;
	}
	return sysret_frame_ok(tf);
}

/* syscall_dispatch's full return path, out of line: the tracer's exit
 * stop (PTRACE_SYSCALL), the preemption point, signal delivery (which
 * also refuses a non-user RIP), and the SYSRET checks again on the frame
 * they may have rewritten. Interrupts off, kernel lock held (released
 * here). Returns whether SYSRET is safe. */
static __attribute__((noinline)) bool full_return(struct thread *t, struct trap_frame *tf)
{
	if (ptrace_traced(&t->proc->ptrace)) {
		cpu_sti();
		ptrace_syscall_exit(tf); /* may stop; the tracer may change the result */
		cpu_cli();
	}
	sched_preempt_point(tf);
	signal_deliver(tf);
	bool ok = sysret_ok(t, tf);
	klock_leave_user();
	return ok;
}

/* Nothing to do on the way back to user mode for thread t, whose call
 * returned ret into tf, interrupts off: no reschedule due, no signal
 * work, the frame SYSRET-safe. Loads and compares only, so that the
 * usual return calls nothing and keeps no register across a call. */
static inline __attribute__((always_inline)) bool return_quiet(const struct thread *t,
							       const struct trap_frame *tf, long ret)
{
	return !sched_resched_due() && !signal_return_work(t, t->proc, ret) && sysret_regs_ok(tf);
}

/* The return to user mode of a call that ran without the kernel lock and
 * has something to do (return_quiet is false), interrupts off: the lock
 * is taken only for full_return's signal work (counted under the call).
 * The preemption point needs no lock (the scheduler has its own): a
 * wake-up that preempts, the usual reason here, costs no take of it;
 * nor does the thread's own choice of IRET (an exec's new frame: the
 * SYSRET checks read only the thread and its frame). Out of line. */
static __attribute__((noinline)) bool return_unlocked(struct trap_frame *tf)
{
	struct thread *t = current_thread();
	long ret = (long)tf->rax;

	if (sched_resched_due())
		sched_preempt_point(tf); /* interrupts off: nothing new is due after it */
	if (!signal_return_work(t, t->proc, ret))
		return sysret_ok(t, tf);
	klock_enter_user(true, t->syscall_nr);
	return full_return(t, tf);
}

/* syscall_dispatch's return for a call that held the kernel lock (from
 * entry, or taken midway by a lock-free one and kept), interrupts off:
 * the common case leaves at once, releasing it; otherwise full_return
 * with it, or a lock-free call's return when the call gave it up midway
 * (klock_leave_call). Inline in syscall_dispatch. */
static inline __attribute__((always_inline)) bool return_locked(struct trap_frame *tf)
{
	struct thread *t = current_thread(); /* one load: cheaper than keeping it across the call */

	/* signal_return_work is also true for a traced process */
	if (__builtin_expect(return_quiet(t, tf, (long)tf->rax), 1)) {
		klock_leave_syscall(); /* nothing when the call gave it up (a pipe's read) */
		return true;
	}
	if (!this_cpu_klock_depth()) /* given up midway (klock_leave_call): no lock to switch with */
		return return_unlocked(tf);
	return full_return(t, tf);
}

/*
 * The SYSCALL entry's C part for a call the lock_free table marks (the
 * entry looked it up: a call of this kind pays for no dispatcher in
 * between): run it without the kernel lock, unless the call took it
 * midway and kept it (call_lock_kept: a read of a file that needs it),
 * which returns as a locked call does. A traced caller (its tracer's
 * stops need the lock) or one under seccomp (its kills need it), as
 * seen here with interrupts off, goes the locked way, syscall_dispatch.
 * Interrupts off on entry and return;
 * returns whether SYSRET is safe.
 */
bool syscall_dispatch_free(struct trap_frame *tf)
{
	struct thread *t = current_thread();
	uint64_t nr = tf->rax;

	if (__builtin_expect(ptrace_traced(&t->proc->ptrace) || t->seccomp.mode != SECCOMP_MODE_DISABLED, 0))
		return syscall_dispatch(tf);
	t->uframe = tf;
	t->syscall_nr = nr;
	cpu_sti();
	/* neither looked at again: a tracer that attaches from here on
	 * stops the thread at its next call's entry, as on Linux, whose
	 * entry reads the work flags once */
	tf->rax = (uint64_t)run_call(t, nr, tf);
	cpu_cli();
	/* only the frame is kept across the call (the rest is one load
	 * away again), so this function saves one register, not five */
	if (__builtin_expect(this_cpu_klock_depth() != 0, 0))
		return return_locked(tf);
	t = current_thread();
	if (__builtin_expect(return_quiet(t, tf, (long)tf->rax), 1))
		return true;
	return return_unlocked(tf);
}

/*
 * The SYSCALL entry's C part for every other call (and for a lock-free
 * one's traced or seccomp-filtered caller): run the call with
 * interrupts on, then, with them off, the return-to-user work. The
 * common case is tested in a few loads (no reschedule due, no signal
 * work, not traced, no IRET asked for, the frame still SYSRET-safe) and
 * leaves at once: interrupts stay off until SYSRET, so nothing can
 * become due in between. Otherwise full_return. The kernel lock
 * (klock.h) is held from entry to the return checks, except by a call
 * that gave it up midway (klock_leave_call). Returns whether SYSRET is
 * safe (else the entry leaves by IRET).
 */
bool syscall_dispatch(struct trap_frame *tf)
{
	struct thread *t = current_thread();
	uint64_t nr = tf->rax;

	t->uframe = tf;
	klock_enter_user(true, nr); /* interrupts are still off (FMASK) */
	cpu_sti();
	tf->rax = (uint64_t)run(t, tf);
	cpu_cli();
	return return_locked(tf);
}

void syscall_int80(struct trap_frame *tf)
{
	struct thread *t = current_thread();

	t->uframe = tf;
	cpu_sti();
	tf->rax = (uint64_t)run(t, tf);
	if (!klock_held())
		klock_enter_call(t->syscall_nr); /* given up midway (klock_leave_call): the trap's return holds it */
	if (t->proc && ptrace_traced(&t->proc->ptrace))
		ptrace_syscall_exit(tf);
	cpu_cli();
}	/* trap_dispatch does the return-to-user checks */
