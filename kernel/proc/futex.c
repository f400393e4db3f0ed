// SPDX-License-Identifier: MIT
/*
 * Kestrel: futexes (see futex.h). Waiters are records on their own
 * kernel stacks, in one list. Lock rule: the list changes with
 * interrupts off; between reading the futex word and joining the list
 * nothing else runs (one CPU, the kernel is not preempted), so a wake
 * that follows a change of the word can never be missed.
 */
#include "sys/syscall_define.h"
#include "proc/futex.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "proc/sched.h"
#include "time/time.h"
#include "mm/usercopy.h"
#include "time/timespec.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"
#include "uapi/futex.h"

#define FUTEX_CMD_MASK        (~(uint64_t)(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))

struct waiter {
	struct vm_space *vm;
	uint64_t uaddr;
	bool woken;
	struct wait_queue wq;
	struct waiter *next;
};

static struct waiter *waiters;

/* Remove w from the list if it is there. Interrupts off. */
static void unlink_waiter(struct waiter *w)
{
	for (struct waiter **pp = &waiters; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			return;
		}
}

/* Wake up to n waiters on (vm, uaddr); move up to requeue more to uaddr2. Returns both counts. */
static int wake_requeue(struct vm_space *vm, uint64_t uaddr, int n, uint64_t uaddr2, int requeue,
			int *moved)
{
	uint64_t f = irq_save();
	int woken = 0;

	*moved = 0;
	for (struct waiter **pp = &waiters; *pp;) {
		struct waiter *w = *pp;
		if (w->vm != vm || w->uaddr != uaddr) {
			pp = &w->next;
		} else if (woken < n) {
			*pp = w->next;
			w->woken = true;
			wake_all(&w->wq);
			woken++;
		} else if (*moved < requeue) {
			w->uaddr = uaddr2;
			(*moved)++;
			pp = &w->next;
		} else {
			break;
		}
	}
	irq_restore(f);
	return woken;
}

int futex_wake(struct vm_space *vm, uint64_t uaddr, int n)
{
	int moved;

	return wake_requeue(vm, uaddr, n, 0, 0, &moved);
}

/* A futex timeout as a time_ns() deadline (NO_DEADLINE: none). absolute: a point on
 * the monotonic clock (or the real-time one, realtime). 0 or -errno. */
static int deadline_of(uint64_t uts, bool absolute, bool realtime, uint64_t *deadline)
{
	uint64_t ns;
	int err;

	*deadline = NO_DEADLINE;
	if (!uts)
		return 0;
	if ((err = timespec_read(uts, &ns)) < 0)
		return err;
	if (!absolute)
		*deadline = time_ns() + ns;
	else if (realtime)
		*deadline = realtime_deadline(ns);
	else
		*deadline = ns; /* 0 is a deadline already passed */
	return 0;
}

/* FUTEX_WAIT: sleep while *uaddr == val, until woken (0), the deadline
 * (-ETIMEDOUT) or a signal (-EINTR); -EAGAIN if the word differs. */
static long futex_wait(uint64_t uaddr, uint32_t val, uint64_t deadline)
{
	struct process *p = current_process();
	struct waiter w = { p->vm, uaddr, false, { NULL }, NULL };
	uint32_t now;
	long r = 0;

	if (copy_from_user(&now, uaddr, sizeof(now)))
		return -EFAULT;
	if (now != val)
		return -EAGAIN;
	uint64_t f = irq_save();
	w.next = waiters;
	waiters = &w;
	while (!w.woken) {
		if (signal_pending()) {
			r = -EINTR;
			break;
		}
		if (time_ns() >= deadline) {
			r = -ETIMEDOUT;
			break;
		}
		wait_on(&w.wq, deadline);
	}
	if (!w.woken)
		unlink_waiter(&w);
	irq_restore(f);
	return w.woken ? 0 : r;
}

SYSCALL_DEFINE6(futex, uptr_t, uaddr, int, op, uint32_t, val, uptr_t, utimeout, uptr_t, uaddr2, uint32_t, val3)
{
	struct vm_space *vm = current_process()->vm;
	uint64_t cmd = op & FUTEX_CMD_MASK, deadline;
	int moved, woken, err;
	uint32_t now;

	if (uaddr & 3)
		return -EINVAL;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (cmd == FUTEX_WAIT_BITSET && (uint32_t)val3 == 0)
			return -EINVAL;
		err = deadline_of(utimeout, cmd == FUTEX_WAIT_BITSET, op & FUTEX_CLOCK_REALTIME, &deadline);
		return err ? err : futex_wait(uaddr, (uint32_t)val, deadline);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (cmd == FUTEX_WAKE_BITSET && (uint32_t)val3 == 0)
			return -EINVAL;
		return futex_wake(vm, uaddr, (int)val);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		if ((int)val < 0 || (int)utimeout < 0 || (uaddr2 & 3))
			return -EINVAL;
		if (cmd == FUTEX_CMP_REQUEUE) {
			if (copy_from_user(&now, uaddr, sizeof(now)))
				return -EFAULT;
			if (now != (uint32_t)val3)
				return -EAGAIN;
		}
		woken = wake_requeue(vm, uaddr, (int)val, uaddr2, (int)utimeout, &moved);
		return woken + moved; /* as Linux counts, for both */
	default:
		return -ENOSYS;
	}
}
