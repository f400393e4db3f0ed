// SPDX-License-Identifier: MIT
/*
 * Kestrel: /proc/klock_stat, the kernel lock's statistics
 * (arch/x86_64/klock.h) as Linux's /proc/lock_stat shows its locks': one
 * line per CPU, then one per entry that took the lock, the longest held
 * first. Times in microseconds. Counting starts with `klockstat` on the
 * command line or `sysctl kernel.lock_stat=1` (which zeroes the counts
 * first); kernel.lock_stat=0 stops it and keeps them. Read under the
 * kernel lock (a system call's), as they are written.
 */
#include "fs/procfs_klock.h"
#include "arch/x86_64/klock.h"
#include "arch/x86_64/smp.h"
#include "lib/printf.h"
#include "time/time.h"

#define LINE_MAX_BYTES 100
#define NS_PER_US      1000

static const char *const other_names[KLOCK_ENTRIES - KLOCK_SYSCALLS] = {
	[KLOCK_ENTRY_BAD_SYSCALL - KLOCK_SYSCALLS] = "(bad syscall)",
	[KLOCK_ENTRY_INT80 - KLOCK_SYSCALLS] = "(int80)",
	[KLOCK_ENTRY_EXCEPTION - KLOCK_SYSCALLS] = "(exception)",
	[KLOCK_ENTRY_IRQ - KLOCK_SYSCALLS] = "(irq)",
	[KLOCK_ENTRY_KERNEL - KLOCK_SYSCALLS] = "(kernel)",
	[KLOCK_ENTRY_RESUME - KLOCK_SYSCALLS] = "(resume)",
};

const char *(*procfs_klock_namer)(unsigned long nr);

size_t klock_stat_buf_size(void)
{
	return (size_t)(3 + SMP_MAX_CPUS + KLOCK_ENTRIES) * LINE_MAX_BYTES;
}

static uint64_t us(uint64_t cycles)
{
	return time_tsc_cycles_to_ns(cycles) / NS_PER_US;
}

static void line(struct sbuf *s, const char *name, unsigned nr, const struct klock_stat *k)
{
	char label[24];

	if (name)
		ksnprintf(label, sizeof(label), "%s", name);
	else
		ksnprintf(label, sizeof(label), "syscall %u", nr);
	sb_printf(s, "%-22s %10lu %10lu %12lu %12lu %10lu %10lu\n", label, k->takes, k->contended,
		  us(k->wait_cycles), us(k->hold_cycles), us(k->max_wait), us(k->max_hold));
}

/* The name of entry e: a system call's from the symbols, or the kind's. */
static const char *entry_name(unsigned e)
{
	if (e >= KLOCK_SYSCALLS)
		return other_names[e - KLOCK_SYSCALLS];
	return procfs_klock_namer ? procfs_klock_namer(e) : NULL;
}

/* order[0..n) := the entries that took the lock, the longest held first. */
static unsigned sorted_entries(uint16_t *order)
{
	unsigned n = 0;

	for (unsigned e = 0; e < KLOCK_ENTRIES; e++) {
		uint64_t hold = klock_stat_of_entry(e).hold_cycles;
		if (!klock_stat_of_entry(e).takes)
			continue;
		unsigned i = n++;
		for (; i > 0 && klock_stat_of_entry(order[i - 1]).hold_cycles < hold; i--)
			order[i] = order[i - 1];
		order[i] = (uint16_t)e;
	}
	return n;
}

void show_klock_stat(struct sbuf *s, struct process *p)
{
	static uint16_t order[KLOCK_ENTRIES]; /* under the kernel lock */

	(void)p;
	sb_printf(s, "klock_stat: %s\n", klock_stat_on ? "on" : "off (klockstat, or kernel.lock_stat = 1)");
	sb_printf(s, "%-22s %10s %10s %12s %12s %10s %10s\n", "cpu/entry", "takes", "contended",
		  "wait_us", "hold_us", "maxwait_us", "maxhold_us");
	for (unsigned cpu = 0; cpu < smp_cpus_online(); cpu++) {
		struct klock_stat k = klock_stat_of_cpu(cpu);
		char name[16];
		ksnprintf(name, sizeof(name), "cpu%u", cpu);
		line(s, name, 0, &k);
	}
	unsigned n = sorted_entries(order);
	for (unsigned i = 0; i < n; i++) {
		struct klock_stat k = klock_stat_of_entry(order[i]);
		line(s, entry_name(order[i]), order[i], &k);
	}
}
