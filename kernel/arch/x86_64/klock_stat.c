// SPDX-License-Identifier: MIT
/*
 * Kestrel x86_64: the kernel lock's statistics (klock.h has what they
 * count and their lock rule: the kernel lock itself). A take starts the
 * CPU's hold clock and names its entry; the release charges the hold to
 * both the CPU and that entry. Cycles are the TSC's: /proc/klock_stat
 * turns them into time.
 */
#include "arch/x86_64/klock.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "lib/string.h"

bool klock_stat_on;

/* One CPU's counts and its current hold (while it holds the lock). */
static struct cpu_stat {
	struct klock_stat s;
	uint64_t hold_start;  /* TSC at the take */
	uint64_t entry;       /* what took it */
} __attribute__((aligned(64))) cpu_stats[SMP_MAX_CPUS];
static struct klock_stat entry_stats[KLOCK_ENTRIES];

static void count_take(struct klock_stat *s, bool contended, uint64_t wait)
{
	s->takes++;
	s->contended += contended;
	s->wait_cycles += wait;
	if (wait > s->max_wait)
		s->max_wait = wait;
}

static void count_hold(struct klock_stat *s, uint64_t hold)
{
	s->hold_cycles += hold;
	if (hold > s->max_hold)
		s->max_hold = hold;
}

void klock_stat_take(uint64_t entry, bool contended, uint64_t wait_cycles)
{
	struct cpu_stat *c = &cpu_stats[this_cpu()->cpu_id];

	if (entry >= KLOCK_ENTRIES)
		entry = KLOCK_ENTRY_BAD_SYSCALL; /* a system call number past the table */
	count_take(&c->s, contended, wait_cycles);
	count_take(&entry_stats[entry], contended, wait_cycles);
	c->entry = entry;
	c->hold_start = rdtsc();
}

void klock_stat_release(void)
{
	struct cpu_stat *c = &cpu_stats[this_cpu()->cpu_id];

	if (!c->hold_start)
		return; /* taken before the statistics went on */
	uint64_t hold = rdtsc() - c->hold_start;
	c->hold_start = 0;
	count_hold(&c->s, hold);
	count_hold(&entry_stats[c->entry], hold);
}

/* Under the kernel lock (a system call's): only this CPU holds it, and
 * its present hold, taken uncounted, stays uncounted (hold_start 0). */
void klock_stat_enable(bool on)
{
	if (on && !klock_stat_on) {
		memset(cpu_stats, 0, sizeof(cpu_stats));
		memset(entry_stats, 0, sizeof(entry_stats));
	}
	__atomic_store_n(&klock_stat_on, on, __ATOMIC_RELAXED);
	klock_free_word = on ? KLOCK_FREE_COUNTED : 0; /* this hold's release writes it */
}

struct klock_stat klock_stat_of_cpu(unsigned cpu)
{
	return cpu < SMP_MAX_CPUS ? cpu_stats[cpu].s : (struct klock_stat){ 0 };
}

struct klock_stat klock_stat_of_entry(unsigned entry)
{
	return entry < KLOCK_ENTRIES ? entry_stats[entry] : (struct klock_stat){ 0 };
}
