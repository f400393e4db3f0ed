/* SPDX-License-Identifier: MIT */
/* Spinlocks that also disable interrupts on this CPU while held. */
#ifndef KESTREL_LIB_SPINLOCK_H
#define KESTREL_LIB_SPINLOCK_H

#include <stddef.h>
#include <stdint.h>
/* The one arch file lib/ may include: cpu.h is inline wrappers over
 * single instructions (irq_save, cpu_pause...), includes nothing of the
 * kernel and calls nothing, so it sits below lib/ and no circle can pass
 * through it. The assembly stays there, under arch/. */
#include "arch/x86_64/cpu.h"

/*
 * Lock rule of a spinlock's users: hold it only with interrupts off (these
 * functions see to it), never sleep or take the kernel lock (klock.h)
 * while holding it, and take several only in one order everywhere.
 *
 * Debug builds (make LOCKCHECK=1, -DKESTREL_LOCKCHECK) check that: each
 * lock records its owner CPU and where it was taken, and the lock-order
 * checker (proc/lockcheck.h) learns the order locks are taken in and
 * reports a lock taken in the other order with both call sites. The
 * checker registers itself through spinlock_check, so that this file,
 * below it, calls nothing above lib/. Release builds carry none of it.
 */
struct spinlock {
	volatile uint32_t locked;
#ifdef KESTREL_LOCKCHECK
	uint32_t owner; /* the holder's CPU id + 1; 0 when free */
	uint64_t site;  /* where the holder took it */
	const void *cls; /* what the order checker knows it by: NULL, itself;
	                  * else one key for many locks alike (spin_lock_class) */
#endif
};

#define SPINLOCK_INIT { 0 }

/* Make l one of a class of locks alike (every RAM directory's), which the
 * order checker of debug builds knows as one lock, key: so that many
 * such locks do not use up its table, and their order against others is
 * learnt from any of them. Two locks of one class held at once are the
 * holder's to order (by address); the checker does not check them.
 * Nothing in a release build. */
static inline void spin_lock_class(struct spinlock *l, const void *key)
{
#ifdef KESTREL_LOCKCHECK
	l->cls = key;
#else
	(void)l;
	(void)key;
#endif
}

#ifdef KESTREL_LOCKCHECK
/* The checker's hooks (proc/lockcheck.c), NULL until it starts. Called
 * with interrupts off. site: the code address of the spin_lock call. */
struct spinlock_check {
	void (*acquire)(struct spinlock *l, uint64_t site); /* before spinning: the order check */
	void (*taken)(struct spinlock *l, uint64_t site);   /* it is ours: owner and site */
	void (*release)(struct spinlock *l);                /* before it is freed */
	void (*stuck)(struct spinlock *l, uint64_t site);   /* spun for SPIN_STUCK rounds */
	/* spin_must_hold's; fn: the function whose contract it checks */
	void (*must_hold)(const struct spinlock *l, uint64_t site, const char *fn);
	/* spin_none_held's; what: the place */
	void (*none_held)(const char *what);
};
extern const struct spinlock_check *volatile spinlock_check;
#define SPIN_STUCK (1u << 26) /* pause rounds: seconds under emulation */
#define SPIN_THIS_IP ({ __label__ __here; __here: (uint64_t)&&__here; })
#endif

/* Take the lock with interrupts off, running poll() (if not NULL) at each
 * round of the spin: for a lock whose holder may wait for this CPU while
 * holding it, with interrupts off (a TLB shootdown's sender waits for
 * every CPU that has the address space loaded), so this CPU answers such
 * a wait (arch/x86_64/tlb.h's tlb_poll) instead of deadlocking with it.
 * spin_lock_irqoff is it without poll; spin_lock_irqsave takes the lock
 * with interrupts off and returns the RFLAGS to restore. */
#ifdef KESTREL_LOCKCHECK
#define spin_lock_irqoff_poll(l, poll) spin_acquire_poll_at((l), (poll), SPIN_THIS_IP)
#define spin_lock_irqsave(l) spin_lock_irqsave_at((l), SPIN_THIS_IP)
#define spin_lock_irqoff(l) spin_acquire_poll_at((l), NULL, SPIN_THIS_IP)
static inline void spin_acquire_poll_at(struct spinlock *l, void (*poll)(void), uint64_t site)
{
	const struct spinlock_check *c = spinlock_check;
	uint32_t spins = 0;

	if (c)
		c->acquire(l, site);
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked) {
			if (poll)
				poll();
			cpu_pause();
			if (++spins == SPIN_STUCK && c)
				c->stuck(l, site);
		}
	if (c)
		c->taken(l, site);
}

static inline uint64_t spin_lock_irqsave_at(struct spinlock *l, uint64_t site)
{
	uint64_t flags = irq_save();

	spin_acquire_poll_at(l, NULL, site);
	return flags;
}
#else
static inline void spin_lock_irqoff_poll(struct spinlock *l, void (*poll)(void))
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked) {
			if (poll)
				poll();
			cpu_pause();
		}
}

static inline void spin_lock_irqoff(struct spinlock *l)
{
	spin_lock_irqoff_poll(l, NULL);
}

static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = irq_save();

	spin_lock_irqoff(l);
	return flags;
}
#endif

/* A function whose contract says l is held says so with this: in a debug
 * build the checker panics, naming the function (__func__: a small
 * helper is often inlined, and the call's site then falls in its
 * caller) and the site, when l is free or another CPU holds it; in a
 * release build it is nothing. */
#ifdef KESTREL_LOCKCHECK
#define spin_must_hold(l) spin_must_hold_at((l), SPIN_THIS_IP, __func__)
static inline void spin_must_hold_at(const struct spinlock *l, uint64_t site, const char *fn)
{
	const struct spinlock_check *c = spinlock_check;

	if (c)
		c->must_hold(l, site, fn);
}
#else
static inline void spin_must_hold(const struct spinlock *l)
{
	(void)l;
}
#endif

/* Where this CPU must hold no spinlock (it waits for the kernel lock,
 * which lib/spinlock.h's lock rule forbids under one): in a debug build
 * the checker reports a held one, naming what (the place) and where the
 * lock was taken; in a release build it is nothing. For code below the
 * checker (arch/'s kernel lock); code above it calls lockcheck_none_held. */
static inline void spin_none_held(const char *what)
{
#ifdef KESTREL_LOCKCHECK
	const struct spinlock_check *c = spinlock_check;

	if (c)
		c->none_held(what);
#else
	(void)what;
#endif
}

static inline void spin_unlock_irqoff(struct spinlock *l)
{
#ifdef KESTREL_LOCKCHECK
	const struct spinlock_check *c = spinlock_check;

	if (c)
		c->release(l);
#endif
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	spin_unlock_irqoff(l);
	irq_restore(flags);
}

#endif
