/* SPDX-License-Identifier: MIT */
/*
 * Futexes: threads sleep on a user address until another wakes it, the
 * primitive under pthread mutexes, condition variables and joins. A
 * private futex is keyed by (address space, user address), a shared one
 * in MAP_SHARED memory by (memory object, offset), so processes sharing
 * the memory meet on it.
 */
#ifndef KESTREL_PROC_FUTEX_H
#define KESTREL_PROC_FUTEX_H

#include <stdint.h>

struct vm_space;

/* Wake up to n threads waiting on uaddr in vm (at least one, as Linux,
 * when n <= 0); returns how many. */
int futex_wake(struct vm_space *vm, uint64_t uaddr, int n);

struct process;
struct thread;
/* Thread t of p leaves (exit) or replaces its memory (exec): walk its
 * robust list (set_robust_list) in p's memory as Linux does, marking
 * FUTEX_OWNER_DIED on each futex t still owns and waking one waiter
 * there; at most ROBUST_LIST_LIMIT entries, every read a user copy, a
 * bad list just ends the walk. Clears t->robust_list. Interrupts on. */
void futex_exit_robust(struct process *p, struct thread *t);

#endif
