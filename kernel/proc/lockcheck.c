// SPDX-License-Identifier: MIT
/*
 * Kestrel: the lock-order checker of debug builds (proc/lockcheck.h has
 * what it reports). It hooks every spinlock through lib/spinlock.h's
 * spinlock_check; in a release build only the stubs at the end remain.
 */
#include "proc/lockcheck.h"
#include "lib/spinlock.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "ksyms.h"
#include "lib/printf.h"
#include "log.h"
#include "panic.h"
#include "test/selftest.h"

#ifdef KESTREL_LOCKCHECK

/* Where a lock was taken, or a lock it was taken under: a code address. */
struct edge {
	uint64_t held_site; /* where the lock held then was taken */
	uint64_t take_site; /* where the second was taken under it; 0: never */
};

struct held {
	struct spinlock *l;
	int idx;       /* in known[], -1 when untracked */
	uint64_t site;
};

/* Lock rule: known, nknown, order, reported, untracked and violations are
 * under table_lock (a bare flag: the checker does not check itself),
 * taken with interrupts off; held, nheld and busy are their CPU's. */
static volatile uint32_t table_lock;
static struct spinlock *known[LOCKCHECK_LOCKS];
static unsigned nknown, untracked;
static struct edge order[LOCKCHECK_LOCKS][LOCKCHECK_LOCKS]; /* [a][b]: b taken holding a */
static uint64_t reported[LOCKCHECK_LOCKS];                  /* bit b of [a]: told once */
static unsigned violations;
static struct held held[SMP_MAX_CPUS][LOCKCHECK_DEPTH];
static unsigned nheld[SMP_MAX_CPUS];
static bool busy[SMP_MAX_CPUS]; /* inside the checker: its own logging takes no look */
static bool running;

static void table_take(void)
{
	while (__atomic_exchange_n(&table_lock, 1, __ATOMIC_ACQUIRE))
		while (table_lock)
			cpu_pause();
}

static void table_give(void)
{
	__atomic_store_n(&table_lock, 0, __ATOMIC_RELEASE);
}

/* This CPU's id, or -1 while it has no per-CPU block (an application
 * processor's first steps) or is inside the checker. */
static int checking_cpu(void)
{
	if (!percpu_ready())
		return -1;
	unsigned cpu = smp_cpu_id();
	return cpu < SMP_MAX_CPUS && !busy[cpu] ? (int)cpu : -1;
}

/* known[]'s index of l, adding it while there is room; -1 otherwise.
 * table_lock held. */
static int index_of(const struct spinlock *l, bool add)
{
	if (l->cls)
		l = l->cls; /* one of a class: known by its key */
	for (unsigned i = 0; i < nknown; i++)
		if (known[i] == l)
			return (int)i;
	if (!add)
		return -1;
	if (nknown == LOCKCHECK_LOCKS) {
		untracked++;
		return -1;
	}
	known[nknown] = (struct spinlock *)l;
	return (int)nknown++;
}

/* "name+0xoff" of a code address, into buf. */
static const char *where(uint64_t site, char *buf, unsigned cap)
{
	uint64_t off = 0;
	const char *name = ksyms_lookup(site, &off);

	if (name)
		ksnprintf(buf, cap, "%s+%#lx", name, off);
	else
		ksnprintf(buf, cap, "%#lx", site);
	return buf;
}

/* One violation of the order: this CPU takes b at site while holding a
 * (taken at held_site); earlier b was held (taken at e.held_site) when
 * a was taken at e.take_site. Called without table_lock. */
static void report_order(const struct spinlock *a, const struct spinlock *b, uint64_t held_site,
			 uint64_t site, struct edge e)
{
	char s1[64], s2[64], s3[64], s4[64];

	klog(LOG_ERR,
	     "lockcheck: lock order violated on CPU %u: %p taken at %s while holding %p (taken at %s);"
	     " earlier %p was taken at %s while holding %p (taken at %s)\n",
	     smp_cpu_id(), (const void *)b, where(site, s1, sizeof(s1)), (const void *)a,
	     where(held_site, s2, sizeof(s2)), (const void *)a, where(e.take_site, s3, sizeof(s3)),
	     (const void *)b, where(e.held_site, s4, sizeof(s4)));
}

/* The order check for taking l (index i) on cpu holding its list: learn
 * "held before l" for each held lock; find one the other order was seen
 * for and not yet told. Returns that edge's lock in *other, else NULL.
 * table_lock held. */
static const struct held *check_order(unsigned cpu, int i, uint64_t site, struct edge *seen)
{
	const struct held *bad = NULL;

	for (unsigned k = 0; k < nheld[cpu]; k++) {
		const struct held *h = &held[cpu][k];
		if (h->idx < 0 || h->idx == i)
			continue;
		struct edge *fwd = &order[h->idx][i], *back = &order[i][h->idx];
		if (back->take_site && !(reported[i] & (1ull << h->idx)) && !bad) {
			reported[i] |= 1ull << h->idx;
			reported[h->idx] |= 1ull << i;
			violations++;
			*seen = *back;
			bad = h;
		}
		if (!fwd->take_site)
			*fwd = (struct edge){ h->site, site };
	}
	return bad;
}

/* A spinlock taken with interrupts on (spin_lock_irqoff where they were
 * not off): an interrupt handler taking it on this CPU would spin
 * forever. Reported once per CPU. */
static void check_irqs_off(int cpu, struct spinlock *l, uint64_t site)
{
	static bool told[SMP_MAX_CPUS];
	uint64_t flags = irq_save();

	irq_restore(flags);
	if (!(flags & RFLAGS_IF) || told[cpu])
		return;
	char s1[64];
	told[cpu] = true;
	busy[cpu] = true;
	__atomic_fetch_add(&violations, 1, __ATOMIC_RELAXED);
	klog(LOG_ERR, "lockcheck: CPU %d takes %p at %s with interrupts on\n", cpu, (void *)l,
	     where(site, s1, sizeof(s1)));
	busy[cpu] = false;
}

static void on_acquire(struct spinlock *l, uint64_t site)
{
	int cpu = checking_cpu();
	if (cpu < 0)
		return;
	check_irqs_off(cpu, l, site);
	for (unsigned k = 0; k < nheld[cpu]; k++)
		if (held[cpu][k].l == l) {
			char s1[64], s2[64];
			busy[cpu] = true;
			panic("lockcheck: CPU %d takes %p at %s, which it holds (taken at %s)", cpu,
			      (void *)l, where(site, s1, sizeof(s1)), where(held[cpu][k].site, s2, sizeof(s2)));
		}
	struct edge seen;
	table_take();
	int i = index_of(l, true);
	const struct held *bad = i >= 0 ? check_order((unsigned)cpu, i, site, &seen) : NULL;
	table_give();
	if (bad) {
		busy[cpu] = true;
		report_order(bad->l, l, bad->site, site, seen);
		busy[cpu] = false;
	}
}

static void on_taken(struct spinlock *l, uint64_t site)
{
	int cpu = checking_cpu();

	l->site = site;
	if (cpu < 0)
		return;
	l->owner = (uint32_t)cpu + 1;
	if (nheld[cpu] == LOCKCHECK_DEPTH) {
		busy[cpu] = true;
		klog(LOG_ERR, "lockcheck: CPU %d holds more than %u spinlocks; not tracking %p\n", cpu,
		     LOCKCHECK_DEPTH, (void *)l);
		busy[cpu] = false;
		return;
	}
	table_take();
	int i = index_of(l, false);
	table_give();
	held[cpu][nheld[cpu]++] = (struct held){ l, i, site };
}

static void on_release(struct spinlock *l)
{
	int cpu = checking_cpu();

	l->owner = 0;
	if (cpu < 0)
		return;
	for (unsigned k = nheld[cpu]; k-- > 0;)
		if (held[cpu][k].l == l) {
			for (unsigned j = k; j + 1 < nheld[cpu]; j++)
				held[cpu][j] = held[cpu][j + 1];
			nheld[cpu]--;
			return;
		}
}

static void on_stuck(struct spinlock *l, uint64_t site)
{
	int cpu = checking_cpu();
	char s1[64], s2[64];

	if (cpu < 0)
		return;
	busy[cpu] = true;
	__atomic_fetch_add(&violations, 1, __ATOMIC_RELAXED);
	klog(LOG_ERR, "lockcheck: CPU %d spins on %p at %s: held by CPU %d since %s\n", cpu,
	     (void *)l, where(site, s1, sizeof(s1)), (int)l->owner - 1, where(l->site, s2, sizeof(s2)));
	busy[cpu] = false;
}

/* spin_must_hold: l is free, or another CPU holds it. A lock held with
 * no owner recorded (taken while this CPU's checking was off) passes. */
static void on_must_hold(const struct spinlock *l, uint64_t site, const char *fn)
{
	int cpu = checking_cpu();
	uint32_t owner = l->owner;
	char s1[64];

	if (cpu < 0 || (__atomic_load_n(&l->locked, __ATOMIC_RELAXED) && (!owner || owner == (uint32_t)cpu + 1)))
		return;
	busy[cpu] = true;
	panic("lockcheck: CPU %d in %s (at %s) needs %p held, which %s", cpu, fn, where(site, s1, sizeof(s1)),
	      (void *)l, owner ? "another CPU holds" : "is free");
}

static const struct spinlock_check hooks = { on_acquire, on_taken, on_release, on_stuck, on_must_hold,
					     lockcheck_none_held };

void lockcheck_init(void)
{
	running = true;
	spinlock_check = &hooks;
	klog(LOG_INFO, "lockcheck: checking the order of spinlocks (debug build; %u tracked)\n",
	     LOCKCHECK_LOCKS);
}

bool lockcheck_enabled(void)
{
	return running;
}

unsigned lockcheck_violations(void)
{
	return __atomic_load_n(&violations, __ATOMIC_RELAXED);
}

void lockcheck_none_held(const char *what)
{
	int cpu = checking_cpu();
	char s1[64];

	if (cpu < 0 || !nheld[cpu])
		return;
	busy[cpu] = true;
	__atomic_fetch_add(&violations, 1, __ATOMIC_RELAXED);
	klog(LOG_ERR, "lockcheck: CPU %d holds %p (taken at %s) at %s\n", cpu,
	     (void *)held[cpu][0].l, where(held[cpu][0].site, s1, sizeof(s1)), what);
	busy[cpu] = false;
}

void lockcheck_forget(const struct spinlock *l)
{
	uint64_t f = irq_save();

	table_take();
	int i = index_of(l, false);
	if (i >= 0) {
		for (unsigned k = 0; k < LOCKCHECK_LOCKS; k++) {
			order[i][k] = order[k][i] = (struct edge){ 0, 0 };
			reported[k] &= ~(1ull << i);
		}
		reported[i] = 0;
		known[i] = NULL; /* the slot stays used: indexes are kept in held lists */
	}
	table_give();
	irq_restore(f);
}

void lockcheck_track(const struct spinlock *l)
{
	uint64_t f = irq_save();

	table_take();
	int i = index_of(l, true);
	table_give();
	irq_restore(f);
	if (i < 0)
		klog(LOG_ERR, "lockcheck: no room to track %p: its order goes unchecked\n", (void *)l);
}

/* Two locks taken in both orders: one report naming them, and only one
 * however often it happens again; the learned order then forgotten. */
SELFTEST(lockcheck_order)
{
	static struct spinlock a = SPINLOCK_INIT, b = SPINLOCK_INIT;
	unsigned before = lockcheck_violations();
	uint64_t fa, fb;

	for (int round = 0; round < 2; round++) {
		fa = spin_lock_irqsave(&a);
		fb = spin_lock_irqsave(&b);
		spin_unlock_irqrestore(&b, fb);
		spin_unlock_irqrestore(&a, fa);
		fb = spin_lock_irqsave(&b);
		fa = spin_lock_irqsave(&a); /* the other order: reported the first time */
		if (a.owner != smp_cpu_id() + 1)
			return "the lock does not record its owner CPU";
		spin_must_hold(&a); /* held here: passes (a free one panics) */
		spin_unlock_irqrestore(&a, fa);
		spin_unlock_irqrestore(&b, fb);
	}
	unsigned seen = lockcheck_violations() - before;
	lockcheck_forget(&a);
	lockcheck_forget(&b);
	if (seen != 1)
		return seen ? "the violation was reported more than once" : "no violation reported";
	return NULL;
}

#else /* a release build: the header's inline stubs */

SELFTEST(lockcheck_order)
{
	return SELFTEST_SKIP("not a LOCKCHECK build");
}

#endif
