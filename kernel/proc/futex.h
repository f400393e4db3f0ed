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

/* futex(uaddr, op, val, timeout or val2, uaddr2, val3): FUTEX_WAIT,
 * FUTEX_WAKE, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_WAIT_BITSET and
 * FUTEX_WAKE_BITSET (the bitset must not be 0; any other is "all"),
 * with or without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME. Others
 * are -ENOSYS. */
long sys_futex(uint64_t uaddr, uint64_t op, uint64_t val, uint64_t utimeout, uint64_t uaddr2,
	       uint64_t val3);

#endif
