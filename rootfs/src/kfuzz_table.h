/* SPDX-License-Identifier: MIT */
/* kfuzz: the argument kinds of each Linux x86_64 system call, and the calls it never makes. */
#ifndef ROOTFS_KFUZZ_TABLE_H
#define ROOTFS_KFUZZ_TABLE_H

#include <sys/syscall.h>

/*
 * One string per system call number: one letter per argument, saying what
 * kind of hostile value to make for it (kfuzz.c, gen_arg). A number with no
 * entry gets six 'x' (anything). The letters:
 *   f fd (earlier results, small numbers, bogus, high bits set)   d dirfd
 *   p path to read (scratch or safe system paths)                 w path that may be
 *     created, removed or changed: scratch only
 *   b buffer pointer (valid rw/ro/PROT_NONE pages, edges, kernel, non-canonical)
 *   l length   i integer   t small count   x anything   a address (mmap and friends)
 *   o open flags   O mode   m PROT_*   M MAP_*   c CLONE_*   A AT_*   W wait options
 *   P pid (never one outside the child's own process group)   s signal number
 *   I ioctl request   F fcntl command   k clock id   R rlimit resource
 *   D device number (never a terminal)   Q futex op
 */
static const char *const kfuzz_sig[] = {
	[SYS_read] = "fbl", [SYS_write] = "fbl", [SYS_open] = "poO", [SYS_close] = "f",
	[SYS_stat] = "pb", [SYS_fstat] = "fb", [SYS_lstat] = "pb", [SYS_poll] = "bti",
	[SYS_lseek] = "fxi", [SYS_mmap] = "almMfx", [SYS_mprotect] = "alm", [SYS_munmap] = "al",
	[SYS_brk] = "a", [SYS_rt_sigaction] = "sbbl", [SYS_rt_sigprocmask] = "ibbl",
	[SYS_rt_sigreturn] = "", [SYS_ioctl] = "fIb", [SYS_pread64] = "fblx",
	[SYS_pwrite64] = "fblx", [SYS_readv] = "fbt", [SYS_writev] = "fbt", [SYS_access] = "pi",
	[SYS_pipe] = "b", [SYS_select] = "tbbbb", [SYS_sched_yield] = "", [SYS_mremap] = "allMa",
	[SYS_msync] = "ali", [SYS_mincore] = "alb", [SYS_madvise] = "ali", [SYS_dup] = "f",
	[SYS_dup2] = "ff", [SYS_pause] = "", [SYS_nanosleep] = "bb", [SYS_getitimer] = "ib",
	[SYS_alarm] = "i", [SYS_setitimer] = "ibb", [SYS_getpid] = "", [SYS_sendfile] = "ffbl",
	[SYS_socket] = "iii", [SYS_connect] = "fbl", [SYS_accept] = "fbb",
	[SYS_sendto] = "fblibl", [SYS_recvfrom] = "fblibb", [SYS_sendmsg] = "fbi",
	[SYS_recvmsg] = "fbi", [SYS_shutdown] = "fi", [SYS_bind] = "fbl", [SYS_listen] = "fi",
	[SYS_getsockname] = "fbb", [SYS_getpeername] = "fbb", [SYS_socketpair] = "iiib",
	[SYS_setsockopt] = "fiibl", [SYS_getsockopt] = "fiibb", [SYS_clone] = "cabbx",
	[SYS_fork] = "", [SYS_vfork] = "", [SYS_execve] = "pbb", [SYS_exit] = "i",
	[SYS_wait4] = "PbWb", [SYS_kill] = "Ps", [SYS_uname] = "b", [SYS_fcntl] = "fFx",
	[SYS_flock] = "fi", [SYS_fsync] = "f", [SYS_fdatasync] = "f", [SYS_truncate] = "wx",
	[SYS_ftruncate] = "fx", [SYS_getdents] = "fbl", [SYS_getcwd] = "bl", [SYS_chdir] = "w",
	[SYS_fchdir] = "f", [SYS_rename] = "ww", [SYS_mkdir] = "wO", [SYS_rmdir] = "w",
	[SYS_creat] = "wO", [SYS_link] = "ww", [SYS_unlink] = "w", [SYS_symlink] = "ww",
	[SYS_readlink] = "pbl", [SYS_chmod] = "wO", [SYS_fchmod] = "fO", [SYS_chown] = "wii",
	[SYS_fchown] = "fii", [SYS_lchown] = "wii", [SYS_umask] = "O", [SYS_gettimeofday] = "bb",
	[SYS_getrlimit] = "Rb", [SYS_getrusage] = "ib", [SYS_sysinfo] = "b", [SYS_times] = "b",
	[SYS_ptrace] = "iPbb", [SYS_getuid] = "", [SYS_syslog] = "ibl", [SYS_getgid] = "",
	[SYS_setuid] = "i", [SYS_setgid] = "i", [SYS_geteuid] = "", [SYS_getegid] = "",
	[SYS_getppid] = "", [SYS_getpgrp] = "", [SYS_setreuid] = "ii", [SYS_setregid] = "ii",
	[SYS_getgroups] = "tb", [SYS_setgroups] = "tb", [SYS_setresuid] = "iii",
	[SYS_getresuid] = "bbb", [SYS_setresgid] = "iii", [SYS_getresgid] = "bbb",
	[SYS_getpgid] = "P", [SYS_setfsuid] = "i", [SYS_setfsgid] = "i", [SYS_getsid] = "P",
	[SYS_capget] = "bb", [SYS_capset] = "bb", [SYS_rt_sigpending] = "bl",
	[SYS_rt_sigtimedwait] = "bbbl", [SYS_rt_sigqueueinfo] = "Psb", [SYS_rt_sigsuspend] = "bl",
	[SYS_sigaltstack] = "bb", [SYS_utime] = "wb", [SYS_mknod] = "wOD", [SYS_personality] = "x",
	[SYS_statfs] = "pb", [SYS_fstatfs] = "fb", [SYS_getpriority] = "iP",
	[SYS_setpriority] = "iPi", [SYS_sched_setparam] = "Pb", [SYS_sched_getparam] = "Pb",
	[SYS_sched_setscheduler] = "Pib", [SYS_sched_getscheduler] = "P",
	[SYS_sched_rr_get_interval] = "Pb", [SYS_mlock] = "al", [SYS_munlock] = "al",
	[SYS_mlockall] = "i", [SYS_munlockall] = "", [SYS_vhangup] = "", [SYS_modify_ldt] = "ibl",
	[SYS_pivot_root] = "ww", [SYS_prctl] = "ixxxx", [SYS_arch_prctl] = "ix",
	[SYS_adjtimex] = "b", [SYS_setrlimit] = "Rb", [SYS_chroot] = "w", [SYS_sync] = "",
	[SYS_acct] = "w", [SYS_settimeofday] = "bb", [SYS_mount] = "wwpxb", [SYS_umount2] = "wi",
	[SYS_swapon] = "wi", [SYS_swapoff] = "w", [SYS_sethostname] = "bl",
	[SYS_setdomainname] = "bl", [SYS_iopl] = "i", [SYS_ioperm] = "xxi", [SYS_gettid] = "",
	[SYS_readahead] = "fxl", [SYS_setxattr] = "wpbli", [SYS_lsetxattr] = "wpbli",
	[SYS_fsetxattr] = "fpbli", [SYS_getxattr] = "ppbl", [SYS_lgetxattr] = "ppbl",
	[SYS_fgetxattr] = "fpbl", [SYS_listxattr] = "pbl", [SYS_llistxattr] = "pbl",
	[SYS_flistxattr] = "fbl", [SYS_removexattr] = "wp", [SYS_lremovexattr] = "wp",
	[SYS_fremovexattr] = "fp", [SYS_tkill] = "Ps", [SYS_time] = "b", [SYS_futex] = "bQibbi",
	[SYS_sched_setaffinity] = "Plb", [SYS_sched_getaffinity] = "Plb",
	[SYS_getdents64] = "fbl", [SYS_set_tid_address] = "b", [SYS_restart_syscall] = "",
	[SYS_fadvise64] = "fxli", [SYS_timer_create] = "kbb", [SYS_timer_settime] = "iibb",
	[SYS_timer_gettime] = "ib", [SYS_timer_getoverrun] = "i", [SYS_timer_delete] = "i",
	[SYS_clock_settime] = "kb", [SYS_clock_gettime] = "kb", [SYS_clock_getres] = "kb",
	[SYS_clock_nanosleep] = "kibb", [SYS_exit_group] = "i", [SYS_epoll_wait] = "fbti",
	[SYS_epoll_ctl] = "fifb", [SYS_tgkill] = "PPs", [SYS_utimes] = "wb",
	[SYS_waitid] = "iPbWb", [SYS_openat] = "dpoO", [SYS_mkdirat] = "dwO",
	[SYS_mknodat] = "dwOD", [SYS_fchownat] = "dwiiA", [SYS_futimesat] = "dwb",
	[SYS_newfstatat] = "dpbA", [SYS_unlinkat] = "dwA", [SYS_renameat] = "dwdw",
	[SYS_linkat] = "dwdwA", [SYS_symlinkat] = "wdw", [SYS_readlinkat] = "dpbl",
	[SYS_fchmodat] = "dwOA", [SYS_faccessat] = "dpiA", [SYS_pselect6] = "tbbbbb",
	[SYS_ppoll] = "btbbl", [SYS_unshare] = "c", [SYS_set_robust_list] = "bl",
	[SYS_get_robust_list] = "Pbb", [SYS_splice] = "fbfbli", [SYS_tee] = "ffli",
	[SYS_sync_file_range] = "fxxi", [SYS_vmsplice] = "fbti", [SYS_utimensat] = "dwbA",
	[SYS_epoll_pwait] = "fbtibl", [SYS_signalfd] = "fbl", [SYS_timerfd_create] = "ki",
	[SYS_eventfd] = "i", [SYS_fallocate] = "fixl", [SYS_timerfd_settime] = "fibb",
	[SYS_timerfd_gettime] = "fb", [SYS_accept4] = "fbbi", [SYS_signalfd4] = "fbli",
	[SYS_eventfd2] = "ii", [SYS_epoll_create] = "i", [SYS_epoll_create1] = "i",
	[SYS_dup3] = "ffo", [SYS_pipe2] = "bo", [SYS_inotify_init1] = "i",
	[SYS_preadv] = "fbtx", [SYS_pwritev] = "fbtx", [SYS_rt_tgsigqueueinfo] = "PPsb",
	[SYS_prlimit64] = "PRbb", [SYS_clock_adjtime] = "kb", [SYS_syncfs] = "f",
	[SYS_setns] = "fi", [SYS_getcpu] = "bbb", [SYS_process_vm_readv] = "Pbtbtx",
	[SYS_process_vm_writev] = "Pbtbtx", [SYS_kcmp] = "PPiff", [SYS_sched_setattr] = "Pbi",
	[SYS_sched_getattr] = "Pbli", [SYS_renameat2] = "dwdwi", [SYS_seccomp] = "iib",
	[SYS_getrandom] = "bli", [SYS_memfd_create] = "pi", [SYS_execveat] = "dpbbA",
	[SYS_membarrier] = "ii", [SYS_mlock2] = "ali", [SYS_copy_file_range] = "fbfbli",
	[SYS_preadv2] = "fbtxi", [SYS_pwritev2] = "fbtxi", [SYS_statx] = "dpAib",
	[SYS_rseq] = "blii", [SYS_pidfd_send_signal] = "fsbi", [SYS_pidfd_open] = "Pi",
	[SYS_clone3] = "bl", [SYS_close_range] = "ffi", [SYS_openat2] = "dpbl",
	[SYS_pidfd_getfd] = "ffi", [SYS_faccessat2] = "dpiA",
	/* System V IPC: ids and slots are small numbers ('i' is often below 64) */
	[SYS_shmget] = "ili", [SYS_shmat] = "iai", [SYS_shmctl] = "iib", [SYS_shmdt] = "a",
	[SYS_semget] = "iti", [SYS_semop] = "ibt", [SYS_semtimedop] = "ibtb", [SYS_semctl] = "iiix",
	[SYS_msgget] = "ii", [SYS_msgsnd] = "ibli", [SYS_msgrcv] = "iblii", [SYS_msgctl] = "iib",
	/* POSIX message queues: names are paths' last parts; attributes and events buffers */
	[SYS_mq_open] = "poOb", [SYS_mq_unlink] = "p", [SYS_mq_timedsend] = "fblib",
	[SYS_mq_timedreceive] = "fblbb", [SYS_mq_notify] = "fb", [SYS_mq_getsetattr] = "fbb",
	/* Linux AIO: a context is an address; iocb arrays and events are buffers */
	[SYS_io_setup] = "tb", [SYS_io_destroy] = "a", [SYS_io_submit] = "atb",
	[SYS_io_getevents] = "attbb", [SYS_io_pgetevents] = "attbbb", [SYS_io_cancel] = "abb",
};
#define KFUZZ_NR_MAX 450	/* numbers 0 .. KFUZZ_NR_MAX-1 are tried */

/*
 * The deny list: calls that would end or break the run rather than test
 * the kernel. Everything else is made, with arguments that keep it inside
 * the child (pids: 'P'; writable paths: 'w'; checked dirfds and fds).
 */
static int kfuzz_denied(long nr)
{
	switch (nr) {
	case SYS_reboot:          /* powers the machine off: the run ends, nothing is tested */
	case SYS_kexec_load:      /* the same, by loading another kernel */
	case SYS_kexec_file_load:
	case SYS_setsid:          /* a descendant in a new session or group would escape */
	case SYS_setpgid:         /* the watchdog's kill of the child's process group */
		return 1;
	default:
		return 0;
	}
}

#endif
