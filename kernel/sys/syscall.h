/* SPDX-License-Identifier: MIT */
/* The system-call table (Linux x86_64 numbers), its dispatcher and the audit log. */
#ifndef KESTREL_SYS_SYSCALL_H
#define KESTREL_SYS_SYSCALL_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/trapframe.h"

#define SYS_mmap            9
#define SYS_mprotect        10
#define SYS_munmap          11
#define SYS_brk             12
#define SYS_rt_sigaction    13
#define SYS_rt_sigprocmask  14
#define SYS_sched_yield     24
#define SYS_nanosleep       35
#define SYS_getpid          39
#define SYS_exit            60
#define SYS_uname           63
#define SYS_gettimeofday    96
#define SYS_getuid          102
#define SYS_getgid          104
#define SYS_geteuid         107
#define SYS_getegid         108
#define SYS_getppid         110
#define SYS_arch_prctl      158
#define SYS_gettid          186
#define SYS_time            201
#define SYS_futex           202
#define SYS_set_tid_address 218
#define SYS_clock_gettime   228
#define SYS_clock_getres    229
#define SYS_clock_nanosleep 230
#define SYS_exit_group      231
#define SYS_set_robust_list 273
#define SYS_COUNT           448  /* past faccessat2 (439) */

typedef long (*syscall_fn)(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			   uint64_t a5);

/* Set up SYSCALL/SYSRET (EFER.SCE, STAR, LSTAR, FMASK). */
void syscall_init(bool audit_to_serial);
/* The SYSCALL path: run the call in tf, return true when SYSRET may be
 * used to go back (otherwise IRET). Entered with interrupts off; returns
 * with interrupts off. */
bool syscall_dispatch(struct trap_frame *tf);
/* The int $0x80 path: the same table, always returning by IRET. */
void syscall_int80(struct trap_frame *tf);
/* Print the most recent audit records (the panic report uses it). */
void audit_dump(void);

/* Handlers, by area. */
long sys_mmap(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_munmap(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_mprotect(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_brk(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_exit(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_exit_group(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_getpid(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_getppid(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_gettid(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_arch_prctl(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_set_tid_address(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_sched_yield(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_uname(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_clock_gettime(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_clock_getres(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_clock_nanosleep(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_gettimeofday(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_time(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_nanosleep(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

#endif
