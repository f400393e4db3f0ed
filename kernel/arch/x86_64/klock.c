// SPDX-License-Identifier: MIT
/*
 * Kestrel x86_64: the kernel lock (klock.h has the rules). A ticket lock,
 * so that CPUs take their turns in the order they asked (a CPU that leaves
 * the kernel and comes straight back cannot starve the others), owned by a
 * CPU with a per-CPU depth for nesting. Inactive (every call returns at
 * once) until klock_init_boot: interrupts taken before the per-CPU block
 * exists must not read it.
 */
#include "arch/x86_64/klock.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/tlb.h"
#include "arch/x86_64/vectors.h"
#include "panic.h"

/* Lock rule: next_ticket is taken with an atomic add; now_serving is
 * written only by the holder, with release order. */
static struct {
	volatile uint32_t next_ticket;
	volatile uint32_t now_serving;
} kl;
static bool active;
/* CPUs halted in wait_turn (atomic): a release looks for the one to wake
 * only when there is one. */
static uint32_t halted_waiters;

/* Spin this many times before halting: long enough for a short kernel
 * entry of another CPU to end, short against a host that deschedules the
 * holder's virtual CPU (then only halting gives the host CPU back). */
#define SPIN_BEFORE_HALT 2000
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
	kl.next_ticket = 1; /* ticket 0 is the boot thread's, served now */
	kl.now_serving = 0;
	this_cpu()->klock_depth = 1;
	active = true;
}

/* Wait for ticket t's turn with interrupts off, answering TLB flush
 * requests meanwhile: the holder may be waiting for this CPU's answer. */
/* Halt until ticket t may be served: published (klock_halted, then the
 * count) before the last look at now_serving, so that a release after
 * that look sees it and sends the wake-up IPI (release_to). Interrupts
 * are enabled for the halt only, under CR8: nothing that needs the lock
 * can come in. */
static void halt_for_turn(struct percpu *c, uint32_t t)
{
	c->klock_ticket = t;
	__atomic_store_n(&c->klock_halted, true, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&halted_waiters, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&kl.now_serving, __ATOMIC_SEQ_CST) != t) {
		write_cr8(CR8_ONLY_TOP_CLASS);
		cpu_idle_wait(); /* sti; hlt */
		cpu_cli();
		write_cr8(0);
	}
	__atomic_fetch_sub(&halted_waiters, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&c->klock_halted, false, __ATOMIC_RELAXED);
}

static void wait_turn(uint32_t t, bool may_halt)
{
	struct percpu *c = this_cpu();
	unsigned spins = 0;

	while (__atomic_load_n(&kl.now_serving, __ATOMIC_ACQUIRE) != t) {
		tlb_poll();
		cpu_pause();
		if (!may_halt || ++spins < SPIN_BEFORE_HALT)
			continue;
		halt_for_turn(c, t);
		spins = 0;
	}
}

/* Serve the next ticket; wake its CPU if it halted waiting (the fence
 * orders the store before the look at halted_waiters, against
 * halt_for_turn's publish-then-look). */
static void release(void)
{
	uint32_t next = kl.now_serving + 1;

	__atomic_store_n(&kl.now_serving, next, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&halted_waiters, __ATOMIC_RELAXED))
		return;
	for (unsigned i = 0; i < smp_cpus_online(); i++) {
		struct percpu *w = smp_cpu(i);
		if (w && w->klock_halted && w->klock_ticket == next) {
			smp_send_ipi(i, VEC_IPI_RESCHED);
			return;
		}
	}
}

/* klock_enter and klock_enter_irq. */
static void enter(bool may_halt)
{
	if (!active)
		return;
	struct percpu *c = this_cpu();
	if (c->klock_depth) {
		c->klock_depth++;
		return;
	}
	uint64_t f = irq_save(); /* an interrupt while waiting would take a second ticket */
	wait_turn(__atomic_fetch_add(&kl.next_ticket, 1, __ATOMIC_RELAXED), may_halt);
	c->klock_depth = 1;
	irq_restore(f);
}

void klock_enter(void)
{
	enter(true);
}

void klock_enter_irq(void)
{
	enter(false);
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

void klock_relax(void)
{
	if (!active)
		return;
	struct percpu *c = this_cpu();
	uint32_t depth = c->klock_depth;
	if (!depth || __atomic_load_n(&kl.next_ticket, __ATOMIC_RELAXED) == kl.now_serving + 1)
		return; /* not held, or nobody waits */
	uint64_t f = irq_save();
	c->klock_depth = 0;
	release();
	wait_turn(__atomic_fetch_add(&kl.next_ticket, 1, __ATOMIC_RELAXED), true);
	c->klock_depth = depth;
	irq_restore(f);
}

bool klock_held(void)
{
	return !active || this_cpu()->klock_depth != 0;
}

uint32_t klock_depth(void)
{
	return active ? this_cpu()->klock_depth : 0;
}

void klock_set_depth(uint32_t depth)
{
	if (active)
		this_cpu()->klock_depth = depth;
}
