/* SPDX-License-Identifier: MIT */
/* System-call numbers and handlers for processes, signals and the rest of the process-side surface. */
#ifndef KESTREL_SYS_SYS_PROCESS_H
#define KESTREL_SYS_SYS_PROCESS_H

#include <stdint.h>

#define SYS_rt_sigreturn     15
#define SYS_pause            34
#define SYS_getitimer        36
#define SYS_alarm            37
#define SYS_setitimer        38
#define SYS_clone            56
#define SYS_fork             57
#define SYS_vfork            58
#define SYS_execve           59
#define SYS_wait4            61
#define SYS_kill             62
#define SYS_setpgid          109
#define SYS_getpgrp          111
#define SYS_setsid           112
#define SYS_getpgid          121
#define SYS_getsid           124
#define SYS_rt_sigpending    127
#define SYS_rt_sigsuspend    130
#define SYS_sigaltstack      131
#define SYS_tkill            200
#define SYS_tgkill           234
#define SYS_waitid           247

#define SYSCALL_ARGS uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t
long sys_fork(SYSCALL_ARGS);
long sys_vfork(SYSCALL_ARGS);
long sys_clone(SYSCALL_ARGS);
long sys_execve(SYSCALL_ARGS);
long sys_wait4(SYSCALL_ARGS);
long sys_waitid(SYSCALL_ARGS);
long sys_kill(SYSCALL_ARGS);
long sys_tgkill(SYSCALL_ARGS);
long sys_tkill(SYSCALL_ARGS);
long sys_setpgid(SYSCALL_ARGS);
long sys_getpgid(SYSCALL_ARGS);
long sys_getpgrp(SYSCALL_ARGS);
long sys_setsid(SYSCALL_ARGS);
long sys_getsid(SYSCALL_ARGS);
long sys_rt_sigaction(SYSCALL_ARGS);
long sys_rt_sigprocmask(SYSCALL_ARGS);
long sys_rt_sigreturn(SYSCALL_ARGS);
long sys_rt_sigpending(SYSCALL_ARGS);
long sys_rt_sigsuspend(SYSCALL_ARGS);
long sys_sigaltstack(SYSCALL_ARGS);
long sys_pause(SYSCALL_ARGS);
long sys_getitimer(SYSCALL_ARGS);  /* proc/itimer.c */
long sys_setitimer(SYSCALL_ARGS);
long sys_alarm(SYSCALL_ARGS);
#undef SYSCALL_ARGS

#endif
