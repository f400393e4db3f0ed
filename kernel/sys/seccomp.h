/* SPDX-License-Identifier: MIT */
/* Seccomp's system-call side (sys/sys_seccomp.c): the check at each call's entry, and prctl's two options. */
#ifndef KESTREL_SYS_SECCOMP_H
#define KESTREL_SYS_SECCOMP_H

#include <stdbool.h>
#include <stdint.h>

struct thread;
struct trap_frame;

/*
 * The check of call nr (frame tf) by thread t, whose seccomp mode is not
 * SECCOMP_MODE_DISABLED; t is the current thread, kernel lock held (the
 * dispatcher sends such a thread's calls by the locked path). True: run
 * the call. False: skip it, with *ret its result (a filter's errno;
 * for TRAP the call's number, RAX as it came, with SIGSYS pending;
 * -ENOSYS otherwise, with SIGSYS pending for the kills). Strict mode's
 * refused call and KILL_THREAD with other threads alive end the thread
 * and do not return.
 */
bool seccomp_syscall_enter(struct thread *t, struct trap_frame *tf, uint64_t nr, long *ret);
/* PR_GET_SECCOMP (the thread's mode) and PR_SET_SECCOMP (arg2 the mode,
 * arg3 a filter's struct sock_fprog), as Linux's prctl_get_seccomp and
 * prctl_set_seccomp. */
long seccomp_prctl(int option, unsigned long arg2, unsigned long arg3);

#endif
