// SPDX-License-Identifier: MIT
/*
 * Kestrel: a hashed timing wheel (Varghese and Lauck). Time is cut into
 * slots of one scheduler tick; a timer due at `when` waits in the list of
 * slot ceil(when / SLOT_NS), modulo WHEEL_SLOTS. Each tick visits only
 * the slots whose start has passed since the last tick, and fires the
 * timers in them that are due; a timer more than a revolution ahead
 * (WHEEL_SLOTS ticks, 2.56 s) stays in its slot for the next round.
 * Arming and cancelling are O(1): the lists are doubly linked.
 */
#include <stddef.h>
#include "proc/ktimer.h"
#include "lib/spinlock.h"
#include "time/time.h"

#define WHEEL_SLOTS 256u                        /* a power of two */
#define SLOT_NS     (NSEC_PER_SEC / TIME_TICK_HZ)

/* Lock rule: wheel_lock, with interrupts off, covers the wheel, done_slot
 * and every timer's when, next and pprev (those on the wheel and those
 * ktimer_run took off it to fire). A leaf: nothing is taken under it. */
static struct spinlock wheel_lock = SPINLOCK_INIT;
static struct ktimer *wheel[WHEEL_SLOTS];
static uint64_t done_slot; /* every slot up to this number has been visited */

/* Put t at the head of the list *head. */
static void list_add(struct ktimer **head, struct ktimer *t)
{
	t->next = *head;
	t->pprev = head;
	if (*head)
		(*head)->pprev = &t->next;
	*head = t;
}

static void list_del(struct ktimer *t)
{
	*t->pprev = t->next;
	if (t->next)
		t->next->pprev = t->pprev;
	t->next = NULL;
	t->pprev = NULL;
}

/* Off the wheel or the firing list, if on one. wheel_lock. */
static void cancel_locked(struct ktimer *t)
{
	if (!t->when)
		return;
	list_del(t);
	__atomic_store_n(&t->when, 0, __ATOMIC_RELAXED);
}

void ktimer_cancel_armed(struct ktimer *t)
{
	uint64_t f = spin_lock_irqsave(&wheel_lock);
	cancel_locked(t);
	spin_unlock_irqrestore(&wheel_lock, f);
}

void ktimer_arm(struct ktimer *t, uint64_t when)
{
	uint64_t slot = when / SLOT_NS + (when % SLOT_NS != 0);
	uint64_t f = spin_lock_irqsave(&wheel_lock);

	cancel_locked(t);
	if (slot <= done_slot) /* already past: the next slot the tick visits */
		slot = done_slot + 1;
	__atomic_store_n(&t->when, when ? when : 1, __ATOMIC_RELAXED);
	list_add(&wheel[slot % WHEEL_SLOTS], t);
	spin_unlock_irqrestore(&wheel_lock, f);
}

/* Move the timers of list *head that are due at now to the list *due. */
static void collect_due(struct ktimer **head, struct ktimer **due, uint64_t now)
{
	struct ktimer *t = *head;

	while (t) {
		struct ktimer *next = t->next;
		if (t->when <= now) {
			list_del(t);
			list_add(due, t);
		}
		t = next;
	}
}

/* The next timer of the firing list *due, taken off it and disarmed;
 * NULL when it is empty. */
static struct ktimer *pop_due(struct ktimer **due)
{
	uint64_t f = spin_lock_irqsave(&wheel_lock);
	struct ktimer *t = *due;

	if (t)
		cancel_locked(t);
	spin_unlock_irqrestore(&wheel_lock, f);
	return t;
}

/* The first slot a tick at now has to visit (the last is now / SLOT_NS):
 * the one after done_slot, or after a long stall the last revolution's
 * first, since each slot once is all of them. wheel_lock. */
static uint64_t first_due_slot(uint64_t now)
{
	uint64_t last = now / SLOT_NS, first = done_slot + 1;

	return last >= first && last - first >= WHEEL_SLOTS ? last - WHEEL_SLOTS + 1 : first;
}

bool ktimer_due(uint64_t now)
{
	uint64_t f = spin_lock_irqsave(&wheel_lock);
	bool due = false;

	for (uint64_t s = first_due_slot(now); s <= now / SLOT_NS && !due; s++)
		for (const struct ktimer *t = wheel[s % WHEEL_SLOTS]; t && !due; t = t->next)
			due = t->when <= now;
	spin_unlock_irqrestore(&wheel_lock, f);
	return due;
}

void ktimer_run(uint64_t now)
{
	uint64_t last = now / SLOT_NS; /* the last slot whose start has passed */
	struct ktimer *due = NULL;
	uint64_t f = spin_lock_irqsave(&wheel_lock);

	if (last <= done_slot) {
		spin_unlock_irqrestore(&wheel_lock, f);
		return;
	}
	for (uint64_t s = first_due_slot(now); s <= last; s++)
		collect_due(&wheel[s % WHEEL_SLOTS], &due, now);
	done_slot = last;
	spin_unlock_irqrestore(&wheel_lock, f);
	/* Fire from a private list, one at a time with the lock dropped: a
	 * callback may arm or cancel a timer, one still on the list too. */
	for (struct ktimer *t; (t = pop_due(&due)) != NULL;)
		t->fire(t);
}
