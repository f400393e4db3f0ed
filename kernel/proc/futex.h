/* SPDX-License-Identifier: MIT */
/*
 * Futexes: threads sleep on a user address until another wakes it, the
 * primitive under pthread mutexes, condition variables and joins. A
 * waiter is keyed by (address space, user address), so private and
 * "shared" futexes are the same thing here (no MAP_SHARED yet).
 */
#ifndef KESTREL_PROC_FUTEX_H
#define KESTREL_PROC_FUTEX_H

#include <stdint.h>

struct vm_space;

/* Wake up to n threads waiting on uaddr in vm; returns how many. */
int futex_wake(struct vm_space *vm, uint64_t uaddr, int n);

#endif
