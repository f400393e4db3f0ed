// SPDX-License-Identifier: MIT
/*
 * Kestrel: futexes (see futex.h). Waiters are records on their own
 * kernel stacks, in the list of their key's hash bucket. Lock rules: a
 * bucket's lock covers its list and its waiters' key and woken; a waiter
 * whose key moves (requeue) moves under both buckets' locks, taken in
 * address order; a bucket's lock is taken before a wait queue's.
 *
 * Private FUTEX_WAIT, FUTEX_WAKE and their _BITSET forms run without the
 * kernel lock (sys/syscall.c's lock_free); the other operations take it
 * (they read the address space's regions, or update a word and the queue
 * as one step). A waiter joins its bucket before it reads the futex word
 * (futex_wait): a wake that follows a change of the word then finds it,
 * and a waiter that reads a changed word leaves with -EAGAIN, passing on
 * a wake that took it meanwhile. It sleeps in wait_on_flag on woken.
 *
 * A futex is keyed as Linux keys it: a private one (FUTEX_PRIVATE_FLAG)
 * by (address space, address); a shared one in MAP_SHARED memory by
 * (memory object, offset in it), so processes that share the object
 * meet there whatever the address they map it at; any other shared one
 * by (address space, address) too, but apart from the private one (a
 * private wake does not reach a shared waiter, nor the reverse, as on
 * Linux, where the key's FUT_OFF_MMSHARED bit tells them apart).
 */
#include "sys/syscall_define.h"
#include "proc/futex.h"
#include "proc/process.h"
#include "proc/ptrace.h"
#include "proc/signal.h"
#include "proc/sched.h"
#include "time/time.h"
#include "mm/usercopy.h"
#include "mm/uvm.h"
#include "time/timespec.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/klock.h"
#include "lib/errno.h"
#include "uapi/futex.h"
#include "uapi/time.h"
#include "mm/heap.h"

#define FUTEX_CMD_MASK        (~(uint64_t)(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))

/* What a futex is keyed by (see above). */
struct fkey {
	const void *space;   /* the address space, or the shared memory object */
	uint64_t off;        /* the address in it, or the offset in the object */
	bool shared;         /* not FUTEX_PRIVATE_FLAG */
};

/* The one sleep of a futex_waitv caller, whichever of its waiters a wake
 * takes: woken is set (and wq woken) after the waiter's own woken, under
 * the waiter's bucket lock. On the caller's stack. */
struct waitv_sleep {
	bool woken;
	struct wait_queue wq;
};

struct waiter {
	struct fkey key;
	uint32_t bitset;     /* FUTEX_WAIT_BITSET's; FUTEX_BITSET_MATCH_ANY otherwise */
	bool woken;          /* taken off its bucket by a wake */
	struct wait_queue wq;
	struct waitv_sleep *group; /* futex_waitv's: where the caller sleeps instead of wq */
	struct waiter *next;
};

#define FUTEX_BUCKETS 64 /* a power of two */
struct bucket {
	struct spinlock lock;
	struct waiter *head;
} __attribute__((aligned(64)));
static struct bucket buckets[FUTEX_BUCKETS];

static struct bucket *bucket_of(struct fkey k)
{
	uint64_t h = (uint64_t)(uintptr_t)k.space * 0x9e3779b97f4a7c15ull ^ (k.off >> 2) * 0xc2b2ae3d27d4eb4full;

	h ^= h >> 29;
	return &buckets[(h ^ k.shared) & (FUTEX_BUCKETS - 1)];
}

/* Remove w from b's list. b's lock held. */
static void unlink_waiter(struct bucket *b, struct waiter *w)
{
	spin_must_hold(&b->lock);
	for (struct waiter **pp = &b->head; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			return;
		}
}

/* w (its key and bitset set) joins its bucket. */
static void waiter_join(struct waiter *w)
{
	struct bucket *b = bucket_of(w->key);
	uint64_t f = spin_lock_irqsave(&b->lock);

	w->next = b->head;
	b->head = w;
	spin_unlock_irqrestore(&b->lock, f);
}

/* w leaves its bucket unless a wake took it off first: whether one did.
 * After this no waker touches w (a waker holds the bucket's lock while it
 * does), so its stack may go. */
static bool waiter_leave(struct waiter *w)
{
	for (;;) {
		struct bucket *b = bucket_of(w->key); /* a hint: a requeue may move it */
		uint64_t f = spin_lock_irqsave(&b->lock);
		if (bucket_of(w->key) == b) {
			bool woken = w->woken;
			if (!woken)
				unlink_waiter(b, w);
			spin_unlock_irqrestore(&b->lock, f);
			return woken;
		}
		spin_unlock_irqrestore(&b->lock, f);
	}
}

/* Lock a and b (one lock when they are the same), in address order. */
static uint64_t lock_two(struct bucket *a, struct bucket *b)
{
	uint64_t f = spin_lock_irqsave(a < b ? &a->lock : &b->lock);

	if (a != b)
		spin_lock_irqoff(a < b ? &b->lock : &a->lock);
	return f;
}

static void unlock_two(struct bucket *a, struct bucket *b, uint64_t f)
{
	if (a != b)
		spin_unlock_irqoff(&b->lock);
	spin_unlock_irqrestore(&a->lock, f);
}

/* The key of the futex at uaddr in vm; shared: not FUTEX_PRIVATE_FLAG. */
static struct fkey key_of(struct vm_space *vm, uint64_t uaddr, bool shared)
{
	uint64_t off = 0;
	struct shmem *obj = shared ? uvm_shared_object_at(vm, uaddr, &off) : NULL;

	if (obj)
		return (struct fkey){ obj, off, true };
	return (struct fkey){ vm, uaddr, shared };
}

/* A shared futex's key comes from its page, which Linux's get_futex_key
 * pins: an address not mapped readable (unmapped, PROT_NONE, a file
 * page past the end) is -EFAULT even for a wake. 0 or -EFAULT. A private
 * one is keyed by its address alone: no look at the memory. */
static int shared_page_ok(uint64_t uaddr, bool shared)
{
	uint32_t word;

	if (!shared)
		return 0;
	return copy_from_user(&word, uaddr, sizeof(word)) ? -EFAULT : 0;
}

static bool key_eq(struct fkey a, struct fkey b)
{
	return a.space == b.space && a.off == b.off && a.shared == b.shared;
}

/* Wake up to n waiters on key whose bitset shares a bit with bitset;
 * move up to requeue more to key2. Returns both counts. */
static int wake_requeue(struct fkey key, uint32_t bitset, int n, struct fkey key2, int requeue,
			int *moved)
{
	struct bucket *b = bucket_of(key), *b2 = bucket_of(key2);
	uint64_t f = lock_two(b, b2);
	int woken = 0;

	*moved = 0;
	for (struct waiter **pp = &b->head; *pp;) {
		struct waiter *w = *pp;
		if (!key_eq(w->key, key) || !(w->bitset & bitset)) {
			pp = &w->next;
		} else if (woken < n) {
			*pp = w->next;
			__atomic_store_n(&w->woken, true, __ATOMIC_RELEASE);
			if (w->group) { /* before the lock goes: w may leave after it */
				__atomic_store_n(&w->group->woken, true, __ATOMIC_RELEASE);
				wake_all(&w->group->wq);
			} else {
				wake_all(&w->wq);
			}
			woken++;
		} else if (*moved < requeue) {
			w->key = key2;
			(*moved)++;
			if (b2 != b) { /* into key2's bucket */
				*pp = w->next;
				w->next = b2->head;
				b2->head = w;
			} else {
				pp = &w->next;
			}
		} else {
			break;
		}
	}
	unlock_two(b, b2, f);
	return woken;
}

/* FUTEX_WAKE_BITSET: up to n (at least one, as Linux's futex_wake) on key, of bitset. */
static int wake_bits(struct fkey key, uint32_t bitset, int n)
{
	int moved;

	return wake_requeue(key, bitset, n < 1 ? 1 : n, key, 0, &moved);
}

/* FUTEX_WAKE: up to n (at least one) on key. */
static int wake_key(struct fkey key, int n)
{
	return wake_bits(key, FUTEX_BITSET_MATCH_ANY, n);
}

int futex_wake(struct vm_space *vm, uint64_t uaddr, int n)
{
	return wake_key(key_of(vm, uaddr, true), n);
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

/* Sleep on wq until *woken is set (0), the deadline (-ETIMEDOUT) or a
 * signal (-EINTR). */
static long sleep_until_woken(struct wait_queue *wq, bool *woken, uint64_t deadline)
{
	while (!__atomic_load_n(woken, __ATOMIC_ACQUIRE)) {
		if (signal_pending())
			return -EINTR;
		if (deadline != NO_DEADLINE && time_ns() >= deadline)
			return -ETIMEDOUT;
		wait_on_flag(wq, woken, deadline);
	}
	return 0;
}

/* w, on its bucket, sleeps until woken (0), the deadline (-ETIMEDOUT)
 * or a signal (-EINTR), and leaves the bucket. */
static long futex_sleep(struct waiter *w, uint64_t deadline)
{
	long r = sleep_until_woken(&w->wq, &w->woken, deadline);

	return waiter_leave(w) ? 0 : r;
}

/* A waiter's record for key, of bitset, on the caller's stack. */
#define WAITER(key, bitset) { (key), (bitset), false, { SPINLOCK_INIT, NULL }, NULL, NULL }

/* FUTEX_WAIT: sleep while *uaddr == val, until woken (0), the deadline
 * (-ETIMEDOUT) or a signal (-EINTR); -EAGAIN if the word differs,
 * -EFAULT. The waiter joins its bucket before it reads the word (the
 * lock rule above); one that reads a changed word but was woken
 * meanwhile passes the wake on. */
static long futex_wait(uint64_t uaddr, struct fkey key, uint32_t val, uint32_t bitset,
		       uint64_t deadline)
{
	struct waiter w = WAITER(key, bitset);
	uint32_t now;
	long r = 0;

	waiter_join(&w);
	if (copy_from_user(&now, uaddr, sizeof(now)))
		r = -EFAULT;
	else if (now != val)
		r = -EAGAIN;
	if (!r)
		return futex_sleep(&w, deadline);
	if (waiter_leave(&w)) {
		int moved;
		wake_requeue(w.key, FUTEX_BITSET_MATCH_ANY, 1, w.key, 0, &moved);
	}
	return r;
}

/* Whether a thread waits on key. */
static bool has_waiters(struct fkey key)
{
	struct bucket *b = bucket_of(key);
	uint64_t f = spin_lock_irqsave(&b->lock);
	bool any = false;

	for (struct waiter *w = b->head; w && !any; w = w->next)
		any = key_eq(w->key, key) && !w->woken;
	spin_unlock_irqrestore(&b->lock, f);
	return any;
}

/* FUTEX_WAKE_OP's operation on *old (Linux's arch_futex_atomic_op_inuser):
 * the new value, or false for an unknown op (-ENOSYS). */
static bool wake_op_apply(unsigned op, uint32_t oparg, uint32_t old, uint32_t *val)
{
	switch (op) {
	case FUTEX_OP_SET:  *val = oparg; return true;
	case FUTEX_OP_ADD:  *val = old + oparg; return true;
	case FUTEX_OP_OR:   *val = old | oparg; return true;
	case FUTEX_OP_ANDN: *val = old & ~oparg; return true;
	case FUTEX_OP_XOR:  *val = old ^ oparg; return true;
	default: return false;
	}
}

/* FUTEX_WAKE_OP's comparison of the old value with cmparg: 1, 0, or
 * -ENOSYS for an unknown cmp. */
static int wake_op_cmp(unsigned cmp, int old, int cmparg)
{
	switch (cmp) {
	case FUTEX_OP_CMP_EQ: return old == cmparg;
	case FUTEX_OP_CMP_NE: return old != cmparg;
	case FUTEX_OP_CMP_LT: return old < cmparg;
	case FUTEX_OP_CMP_LE: return old <= cmparg;
	case FUTEX_OP_CMP_GT: return old > cmparg;
	case FUTEX_OP_CMP_GE: return old >= cmparg;
	default: return -ENOSYS;
	}
}

/* A signed 12-bit field of val3 at bit shift. */
static int field12(uint32_t val3, int shift)
{
	int v = (int)((val3 >> shift) & 0xfff);

	return v & 0x800 ? v - 0x1000 : v;
}

/* FUTEX_WAKE_OP: atomically apply val3's op to *uaddr2, wake up to n on
 * uaddr and, if the old *uaddr2 passes val3's comparison, up to n2 on
 * uaddr2. The read-modify-write is atomic: one CPU, no preemption in the
 * kernel. Returns the count woken, -EFAULT or -ENOSYS (an unknown cmp
 * reports -ENOSYS after the op, as Linux). */
static long futex_wake_op(struct fkey key, int n, uint64_t uaddr2, struct fkey key2, int n2,
			  uint32_t val3)
{
	unsigned op = (val3 >> 28) & 7, cmp = (val3 >> 24) & 15;
	int oparg = field12(val3, 12);
	uint32_t old, val;

	if (uaddr2 & 3)
		return -EINVAL;
	if (val3 & ((uint32_t)FUTEX_OP_OPARG_SHIFT << 28))
		oparg = (int)(1u << (oparg & 31)); /* Linux warns and masks a shift out of 0-31 */
	if (!wake_op_apply(op, (uint32_t)oparg, 0, &val))
		return -ENOSYS;
	if (copy_from_user(&old, uaddr2, sizeof(old)))
		return -EFAULT;
	wake_op_apply(op, (uint32_t)oparg, old, &val);
	if (copy_to_user(uaddr2, &val, sizeof(val)))
		return -EFAULT;
	int hit = wake_op_cmp(cmp, (int)old, field12(val3, 0));
	if (hit < 0)
		return hit;
	long woken = wake_key(key, n);
	if (hit)
		woken += wake_key(key2, n2);
	return woken;
}

/* One try at a PI lock for tid: 0 taken, 1 owned by another (the
 * FUTEX_WAITERS bit set when wait), -EDEADLK if tid owns it, -EFAULT. */
static int pi_try(uint64_t uaddr, struct fkey key, uint32_t tid, bool wait)
{
	uint32_t word, val;

	if (copy_from_user(&word, uaddr, sizeof(word)))
		return -EFAULT;
	if ((word & FUTEX_TID_MASK) == tid)
		return -EDEADLK;
	if (word & FUTEX_TID_MASK) {
		val = word | FUTEX_WAITERS;
		if (!wait || val == word)
			return 1;
		return copy_to_user(uaddr, &val, sizeof(val)) ? -EFAULT : 1;
	}
	val = tid | (word & FUTEX_OWNER_DIED);
	if (has_waiters(key))
		val |= FUTEX_WAITERS;
	return copy_to_user(uaddr, &val, sizeof(val)) ? -EFAULT : 0;
}

/* FUTEX_LOCK_PI (deadline: NO_DEADLINE or CLOCK_REALTIME's) and
 * FUTEX_TRYLOCK_PI: take the lock word for the caller, sleeping while
 * another thread owns it. No priority inheritance: one CPU, one priority.
 * 0, -EDEADLK, -EAGAIN (trylock), -ETIMEDOUT, -ERESTARTSYS or -EFAULT. */
static long futex_lock_pi(uint64_t uaddr, struct fkey key, uint64_t deadline, bool try)
{
	uint32_t tid = (uint32_t)current_thread()->tid;

	for (;;) {
		int r = pi_try(uaddr, key, tid, !try);
		if (r <= 0)
			return r;
		if (try)
			return -EAGAIN;
		struct waiter w = WAITER(key, FUTEX_BITSET_MATCH_ANY);
		waiter_join(&w); /* under the kernel lock since pi_try: no unlock between */
		long s = futex_sleep(&w, deadline);
		if (s == -EINTR)
			return -ERESTARTSYS;
		if (s < 0)
			return s;
	}
}

/* FUTEX_UNLOCK_PI: the caller releases the lock word: 0, and one waiter
 * woken to take it. -EPERM if it is not the owner, -EFAULT. */
static long futex_unlock_pi(uint64_t uaddr, struct fkey key)
{
	uint32_t word, zero = 0;

	if (copy_from_user(&word, uaddr, sizeof(word)))
		return -EFAULT;
	if ((word & FUTEX_TID_MASK) != (uint32_t)current_thread()->tid)
		return -EPERM;
	if (copy_to_user(uaddr, &zero, sizeof(zero)))
		return -EFAULT;
	wake_key(key, 1);
	return 0;
}

/* futex(2)'s operations (the system call below decides the kernel lock). */
static long futex_op(uint64_t uaddr, int op, uint32_t val, uint64_t utimeout, uint64_t uaddr2,
		     uint32_t val3)
{
	struct vm_space *vm = current_process()->vm;
	bool shared = !(op & FUTEX_PRIVATE_FLAG);
	struct fkey key = key_of(vm, uaddr, shared);
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
		return err ? err : futex_wait(uaddr, key, (uint32_t)val,
					      cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3, deadline);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (cmd == FUTEX_WAKE_BITSET && (uint32_t)val3 == 0)
			return -EINVAL;
		if ((err = shared_page_ok(uaddr, shared)))
			return err;
		return wake_bits(key, cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : val3, (int)val);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		if ((int)val < 0 || (int)utimeout < 0 || (uaddr2 & 3))
			return -EINVAL;
		if ((err = shared_page_ok(uaddr, shared)) || (err = shared_page_ok(uaddr2, shared)))
			return err;
		if (cmd == FUTEX_CMP_REQUEUE) {
			if (copy_from_user(&now, uaddr, sizeof(now)))
				return -EFAULT;
			if (now != (uint32_t)val3)
				return -EAGAIN;
		}
		woken = wake_requeue(key, FUTEX_BITSET_MATCH_ANY, (int)val, key_of(vm, uaddr2, shared),
				     (int)utimeout, &moved);
		return woken + moved; /* as Linux counts, for both */
	case FUTEX_WAKE_OP:
		return futex_wake_op(key, (int)val, uaddr2, key_of(vm, uaddr2, shared), (int)utimeout, val3);
	case FUTEX_LOCK_PI:
	case FUTEX_TRYLOCK_PI:
		err = deadline_of(cmd == FUTEX_LOCK_PI ? utimeout : 0, true, true, &deadline);
		return err ? err : futex_lock_pi(uaddr, key, deadline, cmd == FUTEX_TRYLOCK_PI);
	case FUTEX_UNLOCK_PI:
		return futex_unlock_pi(uaddr, key);
	default:
		return -ENOSYS;
	}
}

/* Does op run without the kernel lock? A private wait or wake (their
 * key is the address alone: no look at the regions). */
static bool lock_free_op(int op)
{
	uint64_t cmd = op & FUTEX_CMD_MASK;

	return (op & FUTEX_PRIVATE_FLAG) && (cmd == FUTEX_WAIT || cmd == FUTEX_WAKE ||
	                                     cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_WAKE_BITSET);
}

/* In sys/syscall.c's lock_free table: the other operations take the
 * kernel lock here. */
SYSCALL_DEFINE6(futex, uptr_t, uaddr, int, op, uint32_t, val, uptr_t, utimeout, uptr_t, uaddr2, uint32_t, val3)
{
	if (lock_free_op(op))
		return futex_op(uaddr, op, val, utimeout, uaddr2, val3);
	klock_enter_any();
	long r = futex_op(uaddr, op, val, utimeout, uaddr2, val3);
	klock_leave_any();
	return r;
}

/* ---- futex_waitv(2): one sleep on up to FUTEX_WAITV_MAX futexes ----------- */

/* struct futex_waitv, as the user passes it */
struct futex_waitv_u {
	uint64_t val;
	uint64_t uaddr;
	uint32_t flags;
	uint32_t reserved;
};
_Static_assert(sizeof(struct futex_waitv_u) == FUTEX_WAITV_SIZE, "struct futex_waitv");

/* One futex of the vector: the value it must hold, where, and its waiter. */
struct waitv_entry {
	uint64_t uaddr;
	uint32_t val;
	struct waiter w;
};

/* Read the n entries at uv into e and key each, in Linux's order
 * (futex_parse_waitv, then futex_wait_multiple_setup's keys): every
 * entry read and checked (-EFAULT; -EINVAL for unknown flags, a
 * __reserved, no FUTEX_32) before any is keyed (-EINVAL unaligned,
 * -EFAULT outside user space or, for a shared one, not mapped). Under
 * the kernel lock (a shared key reads the regions). */
static int waitv_read(struct waitv_entry *e, unsigned n, uptr_t uv, struct waitv_sleep *g)
{
	struct vm_space *vm = current_process()->vm;
	struct futex_waitv_u u;
	int err;

	for (unsigned i = 0; i < n; i++) {
		if (copy_from_user(&u, uv + i * sizeof(u), sizeof(u)))
			return -EFAULT;
		if ((u.flags & ~(uint32_t)(FUTEX_32 | FUTEX_PRIVATE_FLAG)) || u.reserved ||
		    !(u.flags & FUTEX_32))
			return -EINVAL;
		e[i].uaddr = u.uaddr;
		e[i].val = (uint32_t)u.val;
		e[i].w = (struct waiter)WAITER(((struct fkey){ NULL, 0, !(u.flags & FUTEX_PRIVATE_FLAG) }),
					       FUTEX_BITSET_MATCH_ANY);
		e[i].w.group = g;
	}
	for (unsigned i = 0; i < n; i++) {
		bool shared = e[i].w.key.shared;
		if (e[i].uaddr & 3)
			return -EINVAL;
		if (!user_access_ok(e[i].uaddr, sizeof(uint32_t)))
			return -EFAULT;
		if ((err = shared_page_ok(e[i].uaddr, shared)))
			return err;
		e[i].w.key = key_of(vm, e[i].uaddr, shared);
	}
	return 0;
}

/* Take the first n entries' waiters off their buckets: the index of the
 * last one a wake took (as Linux's futex_unqueue_multiple), or -1. */
static long waitv_leave(struct waitv_entry *e, unsigned n)
{
	long woken = -1;

	for (unsigned i = 0; i < n; i++)
		if (waiter_leave(&e[i].w))
			woken = i;
	return woken;
}

/* Queue every waiter, each before its word is read (futex_wait's rule),
 * and sleep on g until one is woken: its index, or -EAGAIN (a word
 * differs), -EFAULT, -ETIMEDOUT at the deadline, -ERESTARTSYS for a
 * signal. A wake that comes while the words are read wins over the
 * -EAGAIN or -EFAULT, as Linux's. */
static long waitv_wait(struct waitv_entry *e, unsigned n, struct waitv_sleep *g, uint64_t deadline)
{
	uint32_t now;
	long r = 0, woken;

	for (unsigned i = 0; i < n; i++) {
		waiter_join(&e[i].w);
		if (copy_from_user(&now, e[i].uaddr, sizeof(now)))
			r = -EFAULT;
		else if (now != e[i].val)
			r = -EAGAIN;
		if (r) {
			woken = waitv_leave(e, i + 1);
			return woken >= 0 ? woken : r;
		}
	}
	r = sleep_until_woken(&g->wq, &g->woken, deadline);
	if (r == -EINTR)
		r = -ERESTARTSYS; /* as Linux's futex_wait_multiple */
	woken = waitv_leave(e, n);
	return woken >= 0 ? woken : r;
}

/* futex_waitv(waiters, nr, flags, timeout, clockid): sleep until one of
 * the nr futexes is woken, returning its index; as Linux 6.1's, whose
 * errors come in this order: flags (none known) -EINVAL, nr outside
 * 1..FUTEX_WAITV_MAX or a NULL vector -EINVAL, a clock other than
 * CLOCK_MONOTONIC and CLOCK_REALTIME -EINVAL (only with a timeout, an
 * absolute time on it), the timeout -EFAULT or -EINVAL, then the vector
 * (waitv_read) and the wait (waitv_wait). Under the kernel lock (not in
 * syscall.c's lock_free table), which a sleep lets go. */
SYSCALL_DEFINE5(futex_waitv, uptr_t, waiters, unsigned int, nr_futexes, unsigned int, flags,
		uptr_t, timeout, clockid_t, clockid)
{
	struct waitv_sleep g = { false, { SPINLOCK_INIT, NULL } };
	struct waitv_entry *e;
	uint64_t deadline = NO_DEADLINE;
	long r;

	if (flags)
		return -EINVAL;
	if (!nr_futexes || nr_futexes > FUTEX_WAITV_MAX || !waiters)
		return -EINVAL;
	if (timeout) {
		if (clockid != CLOCK_REALTIME && clockid != CLOCK_MONOTONIC)
			return -EINVAL;
		if ((r = deadline_of(timeout, true, clockid == CLOCK_REALTIME, &deadline)))
			return r;
	}
	if (!(e = kmalloc(nr_futexes * sizeof(*e))))
		return -ENOMEM;
	r = waitv_read(e, nr_futexes, waiters, &g);
	if (!r)
		r = waitv_wait(e, nr_futexes, &g, deadline);
	kfree(e);
	return r;
}

/* A robust-list pointer at uptr: the entry (bit 0 cleared) and whether it
 * is a PI futex (bit 0). 0 or -EFAULT. */
static int robust_fetch(uint64_t uptr, uint64_t *entry, bool *pi)
{
	uint64_t v;

	if (copy_from_user(&v, uptr, sizeof(v)))
		return -EFAULT;
	*entry = v & ~(uint64_t)1;
	*pi = v & 1;
	return 0;
}

/* Thread tid died holding (or about to take: pending) the futex at uaddr
 * (Linux's handle_futex_death): if it owns it, keep FUTEX_WAITERS, set
 * FUTEX_OWNER_DIED and wake one waiter. -EFAULT stops the walk. */
static int robust_death(struct vm_space *vm, uint64_t uaddr, uint32_t tid, bool pi, bool pending)
{
	uint32_t word, val;

	if (uaddr & 3)
		return -EFAULT;
	if (copy_from_user(&word, uaddr, sizeof(word)))
		return -EFAULT;
	if (pending && !pi && !word) {
		futex_wake(vm, uaddr, 1); /* it died between the unlock and the wake */
		return 0;
	}
	if ((word & FUTEX_TID_MASK) != tid)
		return 0;
	val = (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
	if (copy_to_user(uaddr, &val, sizeof(val)))
		return -EFAULT;
	if (!pi && (word & FUTEX_WAITERS))
		futex_wake(vm, uaddr, 1);
	return 0;
}

void futex_exit_robust(struct process *p, struct thread *t)
{
	uint64_t head = t->robust_list, entry, next, pending;
	bool pi, next_pi, pending_pi;
	int64_t offset;
	int limit = ROBUST_LIST_LIMIT;

	t->robust_list = 0;
	if (!head || !p->vm || robust_fetch(head, &entry, &pi) ||
	    copy_from_user(&offset, head + ROBUST_HEAD_OFFSET, sizeof(offset)) ||
	    robust_fetch(head + ROBUST_PENDING_OFFSET, &pending, &pending_pi))
		return;
	while (entry != head) {
		int rc = robust_fetch(entry, &next, &next_pi);
		if (entry != pending &&
		    robust_death(p->vm, entry + (uint64_t)offset, (uint32_t)t->tid, pi, false))
			return;
		if (rc || !--limit)
			break;
		entry = next;
		pi = next_pi;
		sched_cond_resched();
	}
	if (pending)
		robust_death(p->vm, pending + (uint64_t)offset, (uint32_t)t->tid, pending_pi, true);
}

SYSCALL_DEFINE2(set_robust_list, uptr_t, head, size_t, len)
{
	if (len != ROBUST_LIST_HEAD_SIZE)
		return -EINVAL;
	current_thread()->robust_list = head;
	return 0;
}

/* get_robust_list(tid or 0, &head, &len): the thread's head and the one
 * size set_robust_list accepts. -ESRCH for no such thread, -EPERM for
 * another process the caller may not trace (Linux's ptrace_may_access,
 * PTRACE_MODE_READ; this checks the file system ids, which are the real
 * ones unless setfsuid moved them), -EFAULT. */
SYSCALL_DEFINE3(get_robust_list, int, pid, uptr_t, uhead, uptr_t, ulen)
{
	struct process *owner = current_process();
	struct thread *t = pid ? process_find_thread(pid, &owner) : current_thread();
	uint64_t len = ROBUST_LIST_HEAD_SIZE;

	if (pid < 0 || !t)
		return -ESRCH;
	if (owner != current_process() && !ptrace_may_access_fscreds(owner))
		return -EPERM;
	uint64_t head = t->robust_list;
	if (copy_to_user(ulen, &len, sizeof(len)) || copy_to_user(uhead, &head, sizeof(head)))
		return -EFAULT;
	return 0;
}
