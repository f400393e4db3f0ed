/* SPDX-License-Identifier: MIT */
/*
 * Every system-call handler, declared one way: the six raw argument
 * registers (SYSCALL_ARGS), as the table in sys/syscall.c calls them.
 * Each is defined with SYSCALL_DEFINEn (sys/syscall_define.h), which
 * turns the registers into its Linux prototype's types. Grouped by the
 * file that defines them; the numbers are in uapi/unistd.h.
 */
#ifndef KESTREL_SYS_SYSCALLS_H
#define KESTREL_SYS_SYSCALLS_H

#include <stdint.h>

#define SYSCALL_ARGS uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t

/* proc/futex.c: futex(uaddr, op, val, timeout or val2, uaddr2, val3):
 * FUTEX_WAIT, FUTEX_WAKE, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_WAKE_OP,
 * FUTEX_WAIT_BITSET and FUTEX_WAKE_BITSET (a wake reaches the waiters
 * whose bitset shares a bit with its own; 0 is -EINVAL), FUTEX_LOCK_PI, FUTEX_TRYLOCK_PI and FUTEX_UNLOCK_PI
 * (no priority inheritance: one CPU, one priority), with or without
 * FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME. Others are -ENOSYS.
 * set_robust_list(head, len) and get_robust_list(tid, head, len): the
 * list walked when the thread exits. futex_waitv(waiters, nr, flags,
 * timeout, clockid): one sleep on up to 128 futexes. */
long sys_futex(SYSCALL_ARGS);
long sys_futex_waitv(SYSCALL_ARGS);
long sys_set_robust_list(SYSCALL_ARGS);
long sys_get_robust_list(SYSCALL_ARGS);

/* proc/itimer.c */
long sys_getitimer(SYSCALL_ARGS);
long sys_setitimer(SYSCALL_ARGS);
long sys_alarm(SYSCALL_ARGS);

/* proc/signal.c */
long sys_rt_sigaction(SYSCALL_ARGS);
long sys_rt_sigprocmask(SYSCALL_ARGS);
long sys_rt_sigpending(SYSCALL_ARGS);
long sys_rt_sigreturn(SYSCALL_ARGS);
long sys_sigaltstack(SYSCALL_ARGS);
long sys_rt_sigsuspend(SYSCALL_ARGS);
long sys_pause(SYSCALL_ARGS);

/* sys/sys_cred.c: user and group ids, groups, capabilities and nice values */
long sys_getuid(SYSCALL_ARGS);
long sys_geteuid(SYSCALL_ARGS);
long sys_getgid(SYSCALL_ARGS);
long sys_getegid(SYSCALL_ARGS);
long sys_getresuid(SYSCALL_ARGS);
long sys_getresgid(SYSCALL_ARGS);
long sys_setuid(SYSCALL_ARGS);
long sys_setgid(SYSCALL_ARGS);
long sys_setreuid(SYSCALL_ARGS);
long sys_setregid(SYSCALL_ARGS);
long sys_setresuid(SYSCALL_ARGS);
long sys_setresgid(SYSCALL_ARGS);
long sys_setfsuid(SYSCALL_ARGS);
long sys_setfsgid(SYSCALL_ARGS);
long sys_getgroups(SYSCALL_ARGS);
long sys_setgroups(SYSCALL_ARGS);
long sys_capget(SYSCALL_ARGS);
long sys_capset(SYSCALL_ARGS);
long sys_getpriority(SYSCALL_ARGS);
long sys_setpriority(SYSCALL_ARGS);

/* sys/sys_fs.c */
long sys_read(SYSCALL_ARGS);
long sys_write(SYSCALL_ARGS);
long sys_readv(SYSCALL_ARGS);
long sys_writev(SYSCALL_ARGS);
long sys_preadv(SYSCALL_ARGS);
long sys_pwritev(SYSCALL_ARGS);
long sys_pread64(SYSCALL_ARGS);
long sys_pwrite64(SYSCALL_ARGS);
long sys_lseek(SYSCALL_ARGS);
long sys_close(SYSCALL_ARGS);
long sys_close_range(SYSCALL_ARGS);
long sys_dup(SYSCALL_ARGS);
long sys_dup2(SYSCALL_ARGS);
long sys_dup3(SYSCALL_ARGS);
long sys_fcntl(SYSCALL_ARGS);
long sys_ioctl(SYSCALL_ARGS);
long sys_sendfile(SYSCALL_ARGS);
long sys_preadv2(SYSCALL_ARGS);
long sys_pwritev2(SYSCALL_ARGS);
/* sys/sys_splice.c */
long sys_splice(SYSCALL_ARGS);
long sys_tee(SYSCALL_ARGS);
long sys_vmsplice(SYSCALL_ARGS);
long sys_copy_file_range(SYSCALL_ARGS);
long sys_getdents64(SYSCALL_ARGS);
long sys_getdents(SYSCALL_ARGS);
long sys_ftruncate(SYSCALL_ARGS);
long sys_fsync(SYSCALL_ARGS);
long sys_fdatasync(SYSCALL_ARGS);
long sys_syncfs(SYSCALL_ARGS);
long sys_sync_file_range(SYSCALL_ARGS);
long sys_flock(SYSCALL_ARGS);
long sys_sync(SYSCALL_ARGS);

/* sys/sys_fsname.c */
long sys_open(SYSCALL_ARGS);
long sys_openat(SYSCALL_ARGS);
long sys_openat2(SYSCALL_ARGS);
long sys_creat(SYSCALL_ARGS);
long sys_mkdirat(SYSCALL_ARGS);
long sys_mkdir(SYSCALL_ARGS);
long sys_mknodat(SYSCALL_ARGS);
long sys_mknod(SYSCALL_ARGS);
long sys_unlinkat(SYSCALL_ARGS);
long sys_unlink(SYSCALL_ARGS);
long sys_rmdir(SYSCALL_ARGS);
long sys_symlinkat(SYSCALL_ARGS);
long sys_symlink(SYSCALL_ARGS);
long sys_renameat2(SYSCALL_ARGS);
long sys_renameat(SYSCALL_ARGS);
long sys_rename(SYSCALL_ARGS);
long sys_linkat(SYSCALL_ARGS);
long sys_link(SYSCALL_ARGS);
long sys_readlinkat(SYSCALL_ARGS);
long sys_readlink(SYSCALL_ARGS);
long sys_chdir(SYSCALL_ARGS);
long sys_fchdir(SYSCALL_ARGS);
long sys_getcwd(SYSCALL_ARGS);
long sys_chroot(SYSCALL_ARGS);
long sys_truncate(SYSCALL_ARGS);
long sys_mount(SYSCALL_ARGS);
long sys_umount2(SYSCALL_ARGS);
/* sys/sys_reboot.c */
long sys_reboot(SYSCALL_ARGS);

/* sys/sys_mem.c */
long sys_brk(SYSCALL_ARGS);
long sys_mmap(SYSCALL_ARGS);
long sys_munmap(SYSCALL_ARGS);
long sys_mremap(SYSCALL_ARGS);
long sys_remap_file_pages(SYSCALL_ARGS);
long sys_mprotect(SYSCALL_ARGS);
long sys_msync(SYSCALL_ARGS);
long sys_mincore(SYSCALL_ARGS);
long sys_mlock(SYSCALL_ARGS);
long sys_mlock2(SYSCALL_ARGS);
long sys_munlock(SYSCALL_ARGS);
long sys_mlockall(SYSCALL_ARGS);
long sys_munlockall(SYSCALL_ARGS);

/* sys/sys_misc.c */
long sys_times(SYSCALL_ARGS);
long sys_sysinfo(SYSCALL_ARGS);
long sys_getrusage(SYSCALL_ARGS);
long sys_prlimit64(SYSCALL_ARGS);
long sys_getrlimit(SYSCALL_ARGS);
long sys_setrlimit(SYSCALL_ARGS);
long sys_prctl(SYSCALL_ARGS);
long sys_personality(SYSCALL_ARGS);
long sys_getrandom(SYSCALL_ARGS);
long sys_madvise(SYSCALL_ARGS);
long sys_sched_getaffinity(SYSCALL_ARGS);
long sys_sched_setaffinity(SYSCALL_ARGS);
long sys_getcpu(SYSCALL_ARGS);
long sys_vhangup(SYSCALL_ARGS);
long sys_acct(SYSCALL_ARGS);
long sys_setns(SYSCALL_ARGS);

/* sys/sys_pipe.c */
long sys_pipe2(SYSCALL_ARGS);
long sys_pipe(SYSCALL_ARGS);
long sys_eventfd2(SYSCALL_ARGS);
long sys_eventfd(SYSCALL_ARGS);

/* sys/sys_fdtypes.c: epoll, signalfd, timerfd, memfd_create */
long sys_epoll_create(SYSCALL_ARGS);
long sys_epoll_create1(SYSCALL_ARGS);
long sys_epoll_ctl(SYSCALL_ARGS);
long sys_epoll_wait(SYSCALL_ARGS);
long sys_epoll_pwait(SYSCALL_ARGS);
long sys_epoll_pwait2(SYSCALL_ARGS);
long sys_signalfd4(SYSCALL_ARGS);
long sys_signalfd(SYSCALL_ARGS);
long sys_memfd_create(SYSCALL_ARGS);
long sys_timerfd_create(SYSCALL_ARGS);
long sys_timerfd_settime(SYSCALL_ARGS);
long sys_timerfd_gettime(SYSCALL_ARGS);

/* sys/sys_keys.c */
long sys_add_key(SYSCALL_ARGS);
long sys_request_key(SYSCALL_ARGS);
long sys_keyctl(SYSCALL_ARGS);

/* sys/sys_inotify.c */
long sys_inotify_init(SYSCALL_ARGS);
long sys_inotify_init1(SYSCALL_ARGS);
long sys_inotify_add_watch(SYSCALL_ARGS);
long sys_inotify_rm_watch(SYSCALL_ARGS);

/* sys/sys_socket.c: AF_UNIX sockets (net/unix.h) */
long sys_socket(SYSCALL_ARGS);
long sys_socketpair(SYSCALL_ARGS);
long sys_bind(SYSCALL_ARGS);
long sys_connect(SYSCALL_ARGS);
long sys_listen(SYSCALL_ARGS);
long sys_accept(SYSCALL_ARGS);
long sys_accept4(SYSCALL_ARGS);
long sys_getsockname(SYSCALL_ARGS);
long sys_getpeername(SYSCALL_ARGS);
long sys_shutdown(SYSCALL_ARGS);
long sys_setsockopt(SYSCALL_ARGS);
long sys_getsockopt(SYSCALL_ARGS);
long sys_sendto(SYSCALL_ARGS);
long sys_sendmsg(SYSCALL_ARGS);
long sys_recvfrom(SYSCALL_ARGS);
long sys_recvmsg(SYSCALL_ARGS);
long sys_sendmmsg(SYSCALL_ARGS);
long sys_recvmmsg(SYSCALL_ARGS);

/* sys/sys_poll.c */
long sys_poll(SYSCALL_ARGS);
long sys_ppoll(SYSCALL_ARGS);
long sys_select(SYSCALL_ARGS);
long sys_pselect6(SYSCALL_ARGS);

/* sys/sys_proc.c */
long sys_exit(SYSCALL_ARGS);
long sys_exit_group(SYSCALL_ARGS);
long sys_getpid(SYSCALL_ARGS);
long sys_gettid(SYSCALL_ARGS);
long sys_arch_prctl(SYSCALL_ARGS);
long sys_set_tid_address(SYSCALL_ARGS);
long sys_sched_yield(SYSCALL_ARGS);
long sys_uname(SYSCALL_ARGS);
long sys_sethostname(SYSCALL_ARGS);
long sys_setdomainname(SYSCALL_ARGS);

/* sys/sys_process.c */
long sys_fork(SYSCALL_ARGS);
long sys_vfork(SYSCALL_ARGS);
long sys_clone(SYSCALL_ARGS);
long sys_clone3(SYSCALL_ARGS);
long sys_unshare(SYSCALL_ARGS);
long sys_execve(SYSCALL_ARGS);
long sys_execveat(SYSCALL_ARGS);
long sys_wait4(SYSCALL_ARGS);
long sys_waitid(SYSCALL_ARGS);
long sys_kill(SYSCALL_ARGS);
long sys_tgkill(SYSCALL_ARGS);
long sys_tkill(SYSCALL_ARGS);
long sys_rt_sigqueueinfo(SYSCALL_ARGS);
/* pidfds (fs/pidfd.h): made by pidfd_open, signalled by pidfd_send_signal */
long sys_pidfd_open(SYSCALL_ARGS);
long sys_pidfd_send_signal(SYSCALL_ARGS);
/* ... and, with ptrace's permission, copied a descriptor from by pidfd_getfd */
long sys_pidfd_getfd(SYSCALL_ARGS);
long sys_rt_tgsigqueueinfo(SYSCALL_ARGS);
long sys_getppid(SYSCALL_ARGS);
long sys_setpgid(SYSCALL_ARGS);
long sys_getpgid(SYSCALL_ARGS);
long sys_getpgrp(SYSCALL_ARGS);
long sys_setsid(SYSCALL_ARGS);
long sys_getsid(SYSCALL_ARGS);

/* sys/sys_ptrace.c: ptrace(request, pid, addr, data) (proc/ptrace.c) */
long sys_ptrace(SYSCALL_ARGS);

/* sys/sys_stat.c */
long sys_newfstatat(SYSCALL_ARGS);
long sys_stat(SYSCALL_ARGS);
long sys_lstat(SYSCALL_ARGS);
long sys_fstat(SYSCALL_ARGS);
long sys_statx(SYSCALL_ARGS);
long sys_statfs(SYSCALL_ARGS);
long sys_fstatfs(SYSCALL_ARGS);
long sys_ustat(SYSCALL_ARGS);
long sys_sysfs(SYSCALL_ARGS);
long sys_faccessat2(SYSCALL_ARGS);
long sys_faccessat(SYSCALL_ARGS);
long sys_access(SYSCALL_ARGS);
long sys_umask(SYSCALL_ARGS);
long sys_fchmodat(SYSCALL_ARGS);
long sys_chmod(SYSCALL_ARGS);
long sys_fchmod(SYSCALL_ARGS);
long sys_fchownat(SYSCALL_ARGS);
long sys_chown(SYSCALL_ARGS);
long sys_lchown(SYSCALL_ARGS);
long sys_fchown(SYSCALL_ARGS);
long sys_utimensat(SYSCALL_ARGS);
long sys_utimes(SYSCALL_ARGS);
long sys_futimesat(SYSCALL_ARGS);

/* sys/sys_xattr.c: no file system stores extended attributes: list is
 * empty, the others -EOPNOTSUPP after Linux's argument checks */
long sys_setxattr(SYSCALL_ARGS);
long sys_lsetxattr(SYSCALL_ARGS);
long sys_fsetxattr(SYSCALL_ARGS);
long sys_getxattr(SYSCALL_ARGS);
long sys_lgetxattr(SYSCALL_ARGS);
long sys_fgetxattr(SYSCALL_ARGS);
long sys_listxattr(SYSCALL_ARGS);
long sys_llistxattr(SYSCALL_ARGS);
long sys_flistxattr(SYSCALL_ARGS);
long sys_removexattr(SYSCALL_ARGS);
long sys_lremovexattr(SYSCALL_ARGS);
long sys_fremovexattr(SYSCALL_ARGS);

/* sys/sys_falloc.c: fadvise64 (checked, nothing to do) and fallocate
 * (mode 0 grows a RAM file, KEEP_SIZE has nothing to reserve) */
long sys_fadvise64(SYSCALL_ARGS);
long sys_readahead(SYSCALL_ARGS);
long sys_syslog(SYSCALL_ARGS);
long sys_adjtimex(SYSCALL_ARGS);
long sys_clock_adjtime(SYSCALL_ARGS);
long sys_fallocate(SYSCALL_ARGS);

/* sys/sys_sched.c: the priority range of a policy, the round-robin interval */
long sys_sched_get_priority_max(SYSCALL_ARGS);
long sys_sched_get_priority_min(SYSCALL_ARGS);
long sys_sched_rr_get_interval(SYSCALL_ARGS);
/* ... and the policies: recorded per thread, read back */
long sys_sched_setparam(SYSCALL_ARGS);
long sys_sched_getparam(SYSCALL_ARGS);
long sys_sched_setscheduler(SYSCALL_ARGS);
long sys_sched_getscheduler(SYSCALL_ARGS);
/* ... through struct sched_attr, with nice and SCHED_DEADLINE's parameters */
long sys_sched_setattr(SYSCALL_ARGS);
long sys_sched_getattr(SYSCALL_ARGS);
/* sys/sys_ioprio.c: the I/O priority of threads, kept and read back */
long sys_ioprio_set(SYSCALL_ARGS);
long sys_ioprio_get(SYSCALL_ARGS);
/* sys/sys_seccomp.c: seccomp(op, flags, args): strict and filter modes, the actions' availability, the notification sizes */
long sys_seccomp(SYSCALL_ARGS);
/* sys/sys_membarrier.c: a memory barrier on every CPU running the process (or every CPU) */
long sys_membarrier(SYSCALL_ARGS);
/* sys/sys_ioport.c: user port I/O, ports by ioperm's bitmap or all by iopl(3) */
long sys_ioperm(SYSCALL_ARGS);
long sys_iopl(SYSCALL_ARGS);
/* sys/sys_fhandle.c: file handles of the RAM file systems and ext2 */
long sys_name_to_handle_at(SYSCALL_ARGS);
long sys_open_by_handle_at(SYSCALL_ARGS);

/* sys/sys_sigwait.c: take a pending signal of a set, waiting up to a timeout */
long sys_rt_sigtimedwait(SYSCALL_ARGS);

/* sys/sys_settime.c: set CLOCK_REALTIME (CAP_SYS_TIME) */
long sys_clock_settime(SYSCALL_ARGS);
long sys_settimeofday(SYSCALL_ARGS);

/* sys/sys_time.c */
long sys_clock_gettime(SYSCALL_ARGS);
long sys_clock_getres(SYSCALL_ARGS);
long sys_gettimeofday(SYSCALL_ARGS);
long sys_nanosleep(SYSCALL_ARGS);
long sys_restart_syscall(SYSCALL_ARGS);
/* ipc/shm.c, ipc/sem.c, ipc/msg.c: System V IPC (shmat and shmdt in sys/sys_mem.c) */
long sys_shmget(SYSCALL_ARGS);
long sys_shmat(SYSCALL_ARGS);
long sys_shmctl(SYSCALL_ARGS);
long sys_shmdt(SYSCALL_ARGS);
long sys_semget(SYSCALL_ARGS);
long sys_semop(SYSCALL_ARGS);
long sys_semtimedop(SYSCALL_ARGS);
long sys_semctl(SYSCALL_ARGS);
long sys_msgget(SYSCALL_ARGS);
long sys_msgsnd(SYSCALL_ARGS);
long sys_msgrcv(SYSCALL_ARGS);
long sys_msgctl(SYSCALL_ARGS);
/* ipc/mqueue_fs.c, ipc/mqueue.c: POSIX message queues */
long sys_mq_open(SYSCALL_ARGS);
long sys_mq_unlink(SYSCALL_ARGS);
long sys_mq_timedsend(SYSCALL_ARGS);
long sys_mq_timedreceive(SYSCALL_ARGS);
long sys_mq_notify(SYSCALL_ARGS);
long sys_mq_getsetattr(SYSCALL_ARGS);
/* sys/sys_process_vm.c: copies between the caller's memory and another
 * process's, through a vector on each side. */
long sys_process_vm_readv(SYSCALL_ARGS);
long sys_process_vm_writev(SYSCALL_ARGS);
/* sys/sys_kcmp.c: do two threads share a kernel resource? */
long sys_kcmp(SYSCALL_ARGS);
/* sys/sys_aio.c: Linux's native AIO, each request done at submission */
long sys_io_setup(SYSCALL_ARGS);
long sys_io_destroy(SYSCALL_ARGS);
long sys_io_submit(SYSCALL_ARGS);
long sys_io_getevents(SYSCALL_ARGS);
long sys_io_pgetevents(SYSCALL_ARGS);
long sys_io_cancel(SYSCALL_ARGS);
/* proc/ptimer.c */
long sys_timer_create(SYSCALL_ARGS);
long sys_timer_settime(SYSCALL_ARGS);
long sys_timer_gettime(SYSCALL_ARGS);
long sys_timer_getoverrun(SYSCALL_ARGS);
long sys_timer_delete(SYSCALL_ARGS);
long sys_time(SYSCALL_ARGS);
long sys_clock_nanosleep(SYSCALL_ARGS);

#undef SYSCALL_ARGS

#endif
