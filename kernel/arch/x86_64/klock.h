/* SPDX-License-Identifier: MIT */
/* The kernel lock: one CPU at a time runs kernel code (SMP, first stage). */
#ifndef KESTREL_ARCH_KLOCK_H
#define KESTREL_ARCH_KLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/percpu.h"

/*
 * SMP's first stage keeps every rule the single-CPU kernel was written to:
 * kernel code runs on one CPU at a time, under one recursive lock that a
 * CPU owns. Programs run on every CPU at once; only their kernel entries
 * take turns. Under the lock, "interrupts off" still excludes every
 * interrupt handler (the other CPUs' handlers wait for the lock, this
 * CPU's cannot run), so no structure written for one CPU needs a lock of
 * its own yet; finer locks replace this one structure by structure.
 *
 * Who holds it:
 *   - a CPU entering the kernel from ring 3 (system call, exception,
 *     interrupt) takes it, and gives it back on the way out to ring 3;
 *   - an interrupt taken in the kernel nests (depth + 1) on the CPU that
 *     holds it; on an idle CPU, which does not, it takes it;
 *   - a thread keeps its depth across a switch, but not the lock: the
 *     switch gives the lock up (klock_switch_out saves prev's depth) and
 *     the thread switched in takes it back at its own depth
 *     (klock_retake), as Linux's big kernel lock was given up by a
 *     sleeping task; between two threads that both hold it the CPU keeps
 *     it. A thread that sleeps lets every CPU into the kernel meanwhile;
 *     the scheduler runs under locks of its own (proc/sched.c);
 *   - a new kernel thread starts at depth 1, a new user thread at 0;
 *   - an idle CPU never holds it: its idle thread has depth 0;
 *   - the boot thread owns it from klock_init_boot on.
 * Not taken: the NMI, and the IPIs that must be answered while another
 * CPU holds the lock (VEC_IPI_TLB, VEC_IPI_RESCHED): their handlers touch
 * only their own CPU and the mailboxes of tlb.c.
 *
 * A CPU waiting for the lock spins with interrupts off, answering TLB
 * flush requests (tlb_poll), then halts with only the top priority class
 * (the tick and the IPIs, answered without the lock) let in, so the holder
 * may wait for every CPU's answer. The holder must never wait for an
 * interrupt except by sleeping (wait_on): the interrupt may be routed to a
 * CPU that is waiting for the lock. The boot thread, which sets devices up
 * and waits for their interrupts, stays on the boot CPU, where they are
 * routed.
 */

/* The boot CPU takes the lock for the boot thread (depth 1), before any
 * other CPU runs. */
void klock_init_boot(void);

/* Take the lock for this CPU, or nest if this CPU holds it. Interrupts
 * must be off and stay off. */
void klock_enter(void);

/* The same, for a CPU taking an interrupt the local APIC delivered: its
 * vector is in service until the EOI and blocks the wake-up IPI of a
 * waiter that halts (klock.c), so this one only spins. */
void klock_enter_irq(void);

/* Undo one klock_enter: the lock is released when the depth reaches 0.
 * Interrupts must be off. */
void klock_leave(void);

/* The user-boundary fast paths, inline on every system call and every
 * exception or interrupt taken in ring 3. A CPU running a program never
 * holds the lock (it gave it back on the way out), and the lock is active
 * by the time any program runs, so these skip klock_enter's two tests.
 * klock_enter_user: interrupts off; may_halt false for an interrupt the
 * local APIC delivered (see klock_enter_irq). klock_leave_user: interrupts
 * off, this CPU's depth exactly 1 (the entry's own), about to return to
 * ring 3. Private to these two and klock.c: */
extern volatile uint32_t klock_word;          /* KLOCK_HELD, or free (test-and-set) */
extern uint32_t klock_free_word;               /* what a release writes: 0, or KLOCK_FREE_COUNTED */
extern volatile uint32_t klock_halted_waiters; /* CPUs halted for it */
extern bool klock_stat_on;                     /* the statistics below count */
extern uint32_t klock_waiters;                 /* CPUs waiting for it, spinning or halted */
/* The lock word: KLOCK_HELD, or free: 0, or KLOCK_FREE_COUNTED while
 * the statistics are on (klock_free_word, changed under the lock with
 * them), so that the take's one exchange also tells whether to count it
 * and the user-boundary take pays no test of its own for them. */
#define KLOCK_HELD         1u
#define KLOCK_FREE_COUNTED 2u
void klock_enter_user_slow(bool may_halt, uint64_t entry, uint32_t old);
void klock_wake_waiter(void);
void klock_bad_depth(void) __attribute__((noreturn));
void klock_stat_take(uint64_t entry, bool contended, uint64_t wait_cycles);
void klock_stat_release(void);

/* entry: what takes the lock, for the statistics: a system call's number
 * as it came (klock_stat_take files one past the table under
 * KLOCK_ENTRY_BAD_SYSCALL), or an enum klock_entry. */
static inline __attribute__((always_inline)) void klock_enter_user(bool may_halt, uint64_t entry)
{
	uint32_t old = __atomic_exchange_n(&klock_word, KLOCK_HELD, __ATOMIC_ACQUIRE);

	if (__builtin_expect(old, 0))
		klock_enter_user_slow(may_halt, entry, old); /* held: takes it; counts */
	this_cpu_set_klock_depth(1);
}

/* klock_leave_user's release, after the depth went from 1 to 0. */
static inline __attribute__((always_inline)) void klock_release_user(void)
{
	uint32_t free = klock_free_word;
	if (__builtin_expect(free, 0))
		klock_stat_release(); /* still held: the counts are the holder's */
	/* the exchange is a full barrier: the store is seen before the look
	 * at the halted waiters (against klock.c's publish-then-look) */
	__atomic_exchange_n(&klock_word, free, __ATOMIC_SEQ_CST);
	if (__builtin_expect(klock_halted_waiters != 0, 0))
		klock_wake_waiter();
}

static inline __attribute__((always_inline)) void klock_leave_user(void)
{
	if (__builtin_expect(!this_cpu_klock_depth_dec(), 0))
		klock_bad_depth(); /* it was not the depth the entry left: a bug */
	klock_release_user();
}

/* klock_leave_user at the end of a system call, which may have given the
 * lock up midway (klock_leave_call): then nothing is released. The same
 * one decrement and test as klock_leave_user; a depth that went below 0
 * is put back, any other is the bug it reports. */
static inline __attribute__((always_inline)) void klock_leave_syscall(void)
{
	if (__builtin_expect(this_cpu_klock_depth_dec(), 1))
		klock_release_user();
	else if (this_cpu_klock_depth() == UINT32_MAX)
		this_cpu_set_klock_depth(0); /* the call gave the lock up (klock_leave_call) */
	else
		klock_bad_depth(); /* it was not the depth the entry left: a bug */
}

/* A system call's handler gives the lock up for the rest of its run (a
 * pipe's read, once its descriptor is looked up under it): the
 * dispatcher finds it gone and returns as a lock-free call does
 * (sys/syscall.c). Interrupts on; the entry's own depth (1), which
 * klock_leave_user checks. */
static inline void klock_leave_call(void)
{
	cpu_cli();
	klock_leave_user();
	cpu_sti();
}

/*
 * Statistics (Linux's lock_stat, for the one lock): the command line's
 * klockstat, or kernel.lock_stat = 1, turns them on; /proc/klock_stat
 * shows them. For each CPU and for each entry that took the lock (a
 * system call by number, an exception, an interrupt, the kernel's own
 * klock_enter), the outermost takes, how many found it held, and the
 * TSC cycles spent waiting for it and holding it (the longest of each).
 * Lock rule: counted and read under the lock itself (each take is
 * counted once it is taken, each release before it is released), so no
 * two CPUs touch the counts at once. Off, they cost one load and an
 * untaken branch at each user-boundary release, and nothing at the take
 * (its exchange finds KLOCK_FREE_COUNTED when they are on). (A bad system
 * call number of 513 to 517 is filed under the kind of that value.)
 */
#define KLOCK_SYSCALLS 512 /* entries 0..511: the system call of that number */
enum klock_entry {
	KLOCK_ENTRY_BAD_SYSCALL = KLOCK_SYSCALLS, /* a number past them */
	KLOCK_ENTRY_INT80,      /* int $0x80 from ring 3 */
	KLOCK_ENTRY_EXCEPTION,  /* a fault or trap from ring 3 (page faults most) */
	KLOCK_ENTRY_IRQ,        /* an interrupt from ring 3 */
	KLOCK_ENTRY_KERNEL,     /* klock_enter (idle CPUs, interrupts and faults in the kernel), klock_relax */
	KLOCK_ENTRY_RESUME,     /* a thread switched in that held it when it switched away */
	KLOCK_ENTRIES
};
struct klock_stat {
	uint64_t takes, contended;
	uint64_t wait_cycles, hold_cycles;
	uint64_t max_wait, max_hold;    /* cycles */
};
/* On (from now, the counts zeroed first) or off (the counts kept). */
void klock_stat_enable(bool on);
/* A copy of CPU cpu's counts, or of entry's. */
struct klock_stat klock_stat_of_cpu(unsigned cpu);
struct klock_stat klock_stat_of_entry(unsigned entry);

/* A thread's yield point (sched_yield) that found nothing else to run
 * here: when other CPUs wait for the lock, let them have it once and take
 * it back at the same depth. Without it a thread that yields in a loop,
 * waiting for work another CPU's kernel entry would do, waits forever. */
void klock_relax_slow(void);
static inline void klock_relax(void)
{
	if (this_cpu_klock_depth() && __atomic_load_n(&klock_waiters, __ATOMIC_RELAXED))
		klock_relax_slow();
}

/* For a system call that runs without the lock (sys/syscall.c's
 * lock_free table) and has a part that needs it: klock_enter and
 * klock_leave with interrupts on or off (their state is kept). */
void klock_enter_any(void);
void klock_leave_any(void);
/* klock_enter_any for system call nr's part that needs the lock, counted
 * under nr in the statistics (a read of a file that is not a pipe). */
void klock_enter_call(uint64_t nr);

/* klock_enter_call for a system call that runs without the lock, at
 * depth 0, and needs it from here to its return (proc/call_lock.h's
 * call_lock_kept), interrupts on: the user-boundary take, inline. */
static inline void klock_enter_call_depth0(uint64_t nr)
{
	cpu_cli();
	klock_enter_user(true, nr);
	cpu_sti();
}

/* Does this CPU hold the lock? */
bool klock_held(void);

/* Debug builds (make LOCKCHECK=1): code that is the kernel lock's by its
 * lock rule (the AF_UNIX files in flight) panics, naming what, when
 * reached without it, so that a caller that forgot the lock is caught on
 * its first call, not by a lost race. Nothing in a release build. */
#ifdef KESTREL_LOCKCHECK
void klock_must_hold(const char *what);
#else
static inline void klock_must_hold(const char *what)
{
	(void)what;
}
#endif

/* For code that both a lock-free call and a locked one reach (a pipe's
 * SIGPIPE, a file's last put): take the lock unless this CPU holds it,
 * true when it was taken; klock_leave_taken gives back what this took.
 * Interrupts on or off. */
static inline bool klock_enter_unless_held(void)
{
	if (klock_held())
		return false;
	klock_enter_any();
	return true;
}
static inline void klock_leave_taken(bool taken)
{
	if (taken)
		klock_leave_any();
}

/* This CPU's depth (0: not held). */
uint32_t klock_depth(void);

/* At a thread switch, interrupts off: return the depth this CPU holds
 * the lock at (0: not held), for the thread switched away to take back.
 * When it holds it and next_depth, the depth of the thread switched in,
 * is not 0, the CPU keeps it for that thread at next_depth (nothing to
 * give up and take back between two threads that both hold it);
 * otherwise it gives it up. */
void klock_release_held(void);
static inline uint32_t klock_switch_out(uint32_t next_depth)
{
	uint32_t depth = this_cpu_klock_depth(); /* 0 until klock_init_boot */

	if (depth) {
		this_cpu_set_klock_depth(next_depth); /* kept for next, or given up: */
		if (!next_depth)
			klock_release_held();
	}
	return depth;
}

/* In the thread switched in, interrupts off: take the lock at depth
 * unless the switch kept it for this thread (or depth is 0), waiting as
 * klock_enter does. */
void klock_retake_slow(uint32_t depth);
static inline void klock_retake(uint32_t depth)
{
	if (depth && !this_cpu_klock_depth())
		klock_retake_slow(depth);
}

#endif
