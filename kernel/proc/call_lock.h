/* SPDX-License-Identifier: MIT */
/* The kernel lock for a part of a system call that runs without it
 * (sys/syscall.c's lock_free table): a path walk that must go again
 * under it, a read of a file that needs it, exec's steps that reach
 * shared state, fork after its copy. Counted under the current thread's
 * system call in /proc/klock_stat. */
#ifndef KESTREL_SYS_CALL_LOCK_H
#define KESTREL_SYS_CALL_LOCK_H

#include <stdbool.h>

/* For a call that runs without the kernel lock (sys/syscall.c's
 * lock_free) and needs it from here on (after WALK_LOCKED; a read of a
 * file that is not a stream): the lock, counted under the call, unless
 * the caller holds it already (true: taken, for call_unlock to give
 * back). */
bool call_lock(void);
void call_unlock(bool taken);
/* call_lock for the rest of the call and its return, which then leaves
 * as a locked call's (sys/syscall.c's syscall_dispatch_free): for a call
 * that would otherwise give it back just before the return took it
 * again, or switch threads without it (a read that sleeps). */
void call_lock_kept(void);
/* A locked call whose rest needs no kernel lock gives it up
 * (klock_leave_call) when this CPU holds it for the call's entry alone
 * (depth 1): whether it did. Held deeper (a caller inside the kernel),
 * it is kept. Interrupts on. */
bool call_unlock_entry(void);

#endif
