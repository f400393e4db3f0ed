// SPDX-License-Identifier: MIT
/*
 * Kestrel x86_64: the kernel lock (klock.h has the rules): a test-and-set
 * lock owned by a CPU, with a per-CPU depth for nesting. Inactive (every
 * call returns at once) until klock_init_boot: interrupts taken before the
 * per-CPU block exists must not read it.
 *
 * Not a ticket lock: under a hypervisor that deschedules virtual CPUs
 * (QEMU's threads on a busy host), a fair lock hands every release to the
 * next waiter in line even when that waiter's CPU is not running, and all
 * the others wait for the host to run it; a lock that whichever CPU runs
 * may take has no such convoy (Linux falls back to the same, for the same
 * reason, in a guest without paravirtual spinlocks: virt_spin_lock). A
 * waiter spins, then halts until a release wakes it (one halted waiter per
 * release, taking turns) or its tick does.
 */
#include "arch/x86_64/klock.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/tlb.h"
#include "arch/x86_64/vectors.h"
#include "lib/spinlock.h"
#include "panic.h"

/* Lock rule: taken with an atomic exchange, released by its holder with
 * release order. */
volatile uint32_t klock_word;
uint32_t klock_free_word; /* under the lock (klock_stat_enable) */
static bool active;
/* CPUs halted in wait_lock (atomic): a release looks for one to wake only
 * when there is one. */
volatile uint32_t klock_halted_waiters;
uint32_t klock_waiters; /* CPUs in wait_lock, spinning or halted (atomic) */
static unsigned wake_next; /* where the next release starts looking (lock holder's) */

/* Spin this many times before halting: long enough for a short kernel
 * entry of another CPU to end, short against a host that deschedules the
 * holder's virtual CPU (then only halting gives the host CPU back). */
#define SPIN_BEFORE_HALT 2000
/* Spins a CPU that lets the lock go (klock_relax) waits for a waiter to
 * take it before it takes it back. */
#define RELAX_SPINS 500
/* While halted for the lock, CR8 (the task priority) masks every vector
 * below 0xf0: device interrupts wait in the APIC; the tick, the wake-up
 * IPI and the TLB IPI still come (trap.c answers them without the lock). */
#define CR8_ONLY_TOP_CLASS 14

static void write_cr8(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr8" ::"r"(v) : "memory");
}

void klock_init_boot(void)
{
	klock_word = KLOCK_HELD;
	this_cpu()->klock_depth = 1;
	active = true;
}

static bool try_take(void)
{
	return __atomic_load_n(&klock_word, __ATOMIC_RELAXED) != KLOCK_HELD &&
	       __atomic_exchange_n(&klock_word, KLOCK_HELD, __ATOMIC_ACQUIRE) != KLOCK_HELD;
}

/* Halt until a release may have freed the lock: published (klock_halted,
 * then the count) before the last look at it, so that a release after
 * that look sees a halted waiter and sends a wake-up IPI. Interrupts are
 * enabled for the halt only, under CR8: nothing that needs the lock can
 * come in. */
static void halt_for_lock(struct percpu *c)
{
	__atomic_store_n(&c->klock_halted, true, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&klock_halted_waiters, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&klock_word, __ATOMIC_SEQ_CST) == KLOCK_HELD) {
		write_cr8(CR8_ONLY_TOP_CLASS);
		cpu_idle_wait(); /* sti; hlt */
		cpu_cli();
		write_cr8(0);
	}
	__atomic_fetch_sub(&klock_halted_waiters, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&c->klock_halted, false, __ATOMIC_RELAXED);
}

/* Take the lock with interrupts off, answering TLB flush requests while
 * waiting: the holder may be waiting for this CPU's answer. Counted for
 * entry (klock.h's statistics) when they are on. */
static void wait_lock(bool may_halt, uint64_t entry)
{
	struct percpu *c = this_cpu();
	unsigned spins = 0;

	if (try_take()) {
		if (__builtin_expect(klock_stat_on, 0))
			klock_stat_take(entry, false, 0);
		return;
	}
	uint64_t t0 = klock_stat_on ? rdtsc() : 0;
	__atomic_fetch_add(&klock_waiters, 1, __ATOMIC_RELAXED);
	while (!try_take()) {
		tlb_poll();
		cpu_pause();
		if (!may_halt || ++spins < SPIN_BEFORE_HALT)
			continue;
		halt_for_lock(c);
		spins = 0;
	}
	__atomic_fetch_sub(&klock_waiters, 1, __ATOMIC_RELAXED);
	if (__builtin_expect(klock_stat_on, 0))
		klock_stat_take(entry, true, t0 ? rdtsc() - t0 : 0);
}

/* Wake one CPU halted for the lock, taking turns among them (the
 * releasing CPU, after its release). */
void klock_wake_waiter(void)
{
	unsigned n = smp_cpus_online(), me = this_cpu()->cpu_id, start = wake_next;

	for (unsigned k = 0; k < n; k++) {
		unsigned i = (start + k) % n;
		struct percpu *w = smp_cpu(i);
		if (i != me && w && __atomic_load_n(&w->klock_halted, __ATOMIC_RELAXED)) {
			__atomic_store_n(&wake_next, i + 1, __ATOMIC_RELAXED);
			smp_send_ipi(i, VEC_IPI_RESCHED);
			return;
		}
	}
}

/* Free the lock, and wake one halted waiter if there is one (the exchange
 * orders the store before the look at klock_halted_waiters, against
 * halt_for_lock's publish-then-look). klock_leave_user is the same inline. */
static void release(void)
{
	uint32_t free = klock_free_word;

	if (__builtin_expect(free, 0))
		klock_stat_release();
	__atomic_exchange_n(&klock_word, free, __ATOMIC_SEQ_CST); /* a full barrier, no separate fence */
	if (__builtin_expect(__atomic_load_n(&klock_halted_waiters, __ATOMIC_RELAXED) != 0, 0))
		klock_wake_waiter();
}

/* klock_enter_user's exchange found old, not 0: free with the
 * statistics on (it is taken: count it), or held (wait for it as
 * klock_enter does). The caller sets the depth. */
void klock_enter_user_slow(bool may_halt, uint64_t entry, uint32_t old)
{
	if (old == KLOCK_HELD)
		wait_lock(may_halt, entry);
	else if (klock_stat_on)
		klock_stat_take(entry, false, 0);
}

void klock_bad_depth(void)
{
	struct percpu *c = this_cpu();

	panic("klock: CPU %u returns to user mode at depth %u, not 1", c->cpu_id, c->klock_depth + 1);
}

/* klock_enter, klock_enter_irq and klock_enter_call, counted for entry. */
static void enter(bool may_halt, uint64_t entry)
{
	if (!active)
		return;
	struct percpu *c = this_cpu();
	if (c->klock_depth) {
		c->klock_depth++;
		return;
	}
	spin_none_held("the kernel lock's take"); /* debug builds */
	wait_lock(may_halt, entry); /* interrupts off (the contract): none waits inside */
	c->klock_depth = 1;
}

void klock_enter(void)
{
	enter(true, KLOCK_ENTRY_KERNEL);
}

void klock_enter_irq(void)
{
	enter(false, KLOCK_ENTRY_KERNEL);
}

void klock_enter_any(void)
{
	uint64_t f = irq_save();

	klock_enter();
	irq_restore(f);
}

void klock_enter_call(uint64_t nr)
{
	uint64_t f = irq_save();

	enter(true, nr < KLOCK_SYSCALLS ? nr : KLOCK_ENTRY_BAD_SYSCALL);
	irq_restore(f);
}

void klock_leave_any(void)
{
	uint64_t f = irq_save();

	klock_leave();
	irq_restore(f);
}

void klock_leave(void)
{
	if (!active)
		return;
	struct percpu *c = this_cpu();
	if (!c->klock_depth)
		panic("klock: released by CPU %u, which does not hold it", c->cpu_id);
	if (--c->klock_depth == 0)
		release();
}

void klock_relax_slow(void)
{
	if (!active)
		return;
	struct percpu *c = this_cpu();
	uint32_t depth = c->klock_depth;
	if (!depth)
		return;
	spin_none_held("the kernel lock's relax"); /* debug builds */
	uint64_t f = irq_save();
	c->klock_depth = 0;
	release();
	for (unsigned i = 0; i < RELAX_SPINS && __atomic_load_n(&klock_word, __ATOMIC_RELAXED) != KLOCK_HELD; i++)
		cpu_pause(); /* a spinning waiter takes it now, if there is one */
	wait_lock(true, KLOCK_ENTRY_KERNEL);
	c->klock_depth = depth;
	irq_restore(f);
}

bool klock_held(void)
{
	return !active || this_cpu()->klock_depth != 0;
}

#ifdef KESTREL_LOCKCHECK
void klock_must_hold(const char *what)
{
	if (!klock_held())
		panic("klock: %s without the kernel lock", what);
}
#endif

uint32_t klock_depth(void)
{
	return active ? this_cpu()->klock_depth : 0;
}

void klock_release_held(void)
{
	release();
}

void klock_retake_slow(uint32_t depth)
{
	if (!active)
		return;
	spin_none_held("the kernel lock's retake"); /* debug builds */
	wait_lock(true, KLOCK_ENTRY_RESUME);
	this_cpu()->klock_depth = depth;
}
