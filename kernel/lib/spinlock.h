/* SPDX-License-Identifier: MIT */
/* Spinlocks that also disable interrupts on this CPU while held. */
#ifndef KESTREL_LIB_SPINLOCK_H
#define KESTREL_LIB_SPINLOCK_H

#include <stdint.h>
/* The one arch file lib/ may include: cpu.h is inline wrappers over
 * single instructions (irq_save, cpu_pause...), includes nothing of the
 * kernel and calls nothing, so it sits below lib/ and no circle can pass
 * through it. The assembly stays there, under arch/. */
#include "arch/x86_64/cpu.h"

struct spinlock {
	volatile uint32_t locked;
};

#define SPINLOCK_INIT { 0 }

/* Take the lock with interrupts off; returns the RFLAGS to restore. */
static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = irq_save();

	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			cpu_pause();
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	irq_restore(flags);
}

#endif
