/* SPDX-License-Identifier: MIT */
/* System-call numbers and handlers for the small calls: limits, usage, sysinfo, prctl, getrandom, identities. */
#ifndef KESTREL_SYS_SYS_MISC_H
#define KESTREL_SYS_SYS_MISC_H

#include <stdint.h>

#define SYS_madvise           28
#define SYS_getrlimit         97
#define SYS_getrusage         98
#define SYS_sysinfo           99
#define SYS_times             100
#define SYS_setuid            105
#define SYS_setgid            106
#define SYS_setreuid          113
#define SYS_setregid          114
#define SYS_setgroups         116
#define SYS_setresuid         117
#define SYS_getresuid         118
#define SYS_setresgid         119
#define SYS_getresgid         120
#define SYS_prctl             157
#define SYS_setrlimit         160
#define SYS_sched_getaffinity 204
#define SYS_prlimit64         302
#define SYS_getrandom         318

struct cpu_times;
/* Write a struct rusage holding times (the rest 0) to user address uaddr: 0 or -EFAULT. */
int put_rusage(uint64_t uaddr, const struct cpu_times *times);

#define SYSCALL_ARGS uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t
long sys_times(SYSCALL_ARGS);
long sys_sysinfo(SYSCALL_ARGS);
long sys_getrusage(SYSCALL_ARGS);
long sys_prlimit64(SYSCALL_ARGS);
long sys_getrlimit(SYSCALL_ARGS);
long sys_setrlimit(SYSCALL_ARGS);
long sys_prctl(SYSCALL_ARGS);
long sys_getrandom(SYSCALL_ARGS);
long sys_madvise(SYSCALL_ARGS);
long sys_sched_getaffinity(SYSCALL_ARGS);
long sys_zero(SYSCALL_ARGS);
long sys_getresuid(SYSCALL_ARGS);
#undef SYSCALL_ARGS

#endif
