/* SPDX-License-Identifier: MIT */
/* The lock-order checker of debug builds (make LOCKCHECK=1). */
#ifndef KESTREL_PROC_LOCKCHECK_H
#define KESTREL_PROC_LOCKCHECK_H

#include <stdbool.h>
#include <stdint.h>

struct spinlock;

/*
 * The checker learns, lock by lock, the order spinlocks are taken in: a
 * lock B taken while this CPU holds A records "A before B" with both call
 * sites. Taking A while holding B after that is reported once per pair
 * as a violation naming the four sites (the two of each order), since
 * two CPUs taking them in the two orders can deadlock. Also reported: a
 * CPU taking a lock it holds (a certain deadlock: panic), a lock spun on
 * for SPIN_STUCK rounds (with its owner CPU and where it took it), a
 * spinlock held where a thread switches (lockcheck_none_held: a thread
 * that sleeps holding one) or where it waits for the kernel lock (its
 * take, retake and relax at depth 0, through lib/spinlock.h's
 * spin_none_held: lib/spinlock.h forbids taking it under a spinlock), a spinlock
 * taken with interrupts on (spin_lock_irqoff where they were not off).
 * Locks are known by address (each device's lock, each run queue's and
 * each wait queue's is its own), or by their class's key (lib/spinlock.h's
 * spin_lock_class: every RAM directory's lock is one); the first
 * LOCKCHECK_LOCKS seen are tracked, the others only counted.
 *
 * Lock rule: its tables are under a lock of its own (not a checked
 * spinlock), taken with interrupts off; the per-CPU held lists are their
 * CPU's. A release build (no KESTREL_LOCKCHECK) has only the stubs.
 */
#define LOCKCHECK_LOCKS 64 /* lock instances tracked */
#define LOCKCHECK_DEPTH 8  /* spinlocks one CPU may hold at once */

#ifdef KESTREL_LOCKCHECK
/* Start checking (after the per-CPU blocks exist); logs that it runs. */
void lockcheck_init(void);
/* Is this a debug build with the checker running? */
bool lockcheck_enabled(void);
/* Violations reported so far (every kind above but the panic). */
unsigned lockcheck_violations(void);
/* Report if this CPU holds any spinlock where it must not (what: the
 * place: "a thread switch" from sched.c, the kernel lock's take from
 * klock.c through spin_none_held): a release build compiles it to
 * nothing. */
void lockcheck_none_held(const char *what);
/* Forget what was learned about l (a self-test's locks, before they go). */
void lockcheck_forget(const struct spinlock *l);
/* Track l from now on: for a lock whose order matters but which is first
 * taken late, when the first LOCKCHECK_LOCKS locks seen (wait queues'
 * among them) may have filled the table. Logged when there is no room. */
void lockcheck_track(const struct spinlock *l);
#else
static inline void lockcheck_init(void) {}
static inline bool lockcheck_enabled(void) { return false; }
static inline unsigned lockcheck_violations(void) { return 0; }
static inline void lockcheck_none_held(const char *what) { (void)what; }
static inline void lockcheck_forget(const struct spinlock *l) { (void)l; }
static inline void lockcheck_track(const struct spinlock *l) { (void)l; }
#endif

#endif
