/* SPDX-License-Identifier: MIT */
/* The kernel clock: the calibrated TSC and APIC timer, a monotonic nanosecond clock, the periodic scheduler tick, and TSC deadlines for bounded device polls. */
#ifndef KESTREL_TIME_TIME_H
#define KESTREL_TIME_TIME_H

#include <stdbool.h>
#include <stdint.h>
#include "bootinfo.h"
#include "time/refclock.h"

/*
 * The scheduler tick rate: 250 Hz (4 ms), the HZ of Debian's Linux that
 * Kestrel is measured against. Every kernel timer fires on a tick
 * (proc/ktimer.c: sleeps, itimers, TCP's retransmission, probe and
 * reordering deadlines), so the tick is their resolution: at 100 Hz
 * Kestrel's TCP sent a 16 MiB transfer at 5% loss some 10% slower
 * (docs/network.md). Under QEMU TCG each tick costs emulation time, an
 * idle guest's too. The tick drives preemption and, when the clock is
 * the reference clock, moves its base on (time.c).
 */
#define TIME_TICK_HZ 250

#define NSEC_PER_SEC 1000000000ull
#define NSEC_PER_USEC 1000ull

/*
 * Learn the TSC and local APIC timer rates (CPUID 0x15/0x16 when the
 * CPU reports them, else measured against ref: the HPET, the ACPI PM
 * timer or the PIT, as refclock_pick chose; NULL if none), switch the log clock to the measured TSC rate,
 * and start the periodic tick on VEC_APIC_TIMER. time_ns() counts from
 * the loader's first instruction (bi->tsc_loader_start), like the log's
 * timestamps. Needs interrupts_init(); interrupts stay as they are (the
 * tick starts when the caller enables them). Logs the "time:" line.
 */
void time_init(const struct kbi_boot_info *bi, const struct refclock *ref);
/* fn runs once inside time_init, in the first calibration window (a
 * wait for the reference clock: only the window's end points are timed),
 * or when nothing is measured, before it returns: work that costs wall
 * time and needs no clock (smp_start). It must take well
 * under a second (the reference clock's counter may wrap). Before
 * time_init. */
void time_calibration_work(void (*fn)(void));
/* tsc_early_khz=N: time_init takes the TSC rate as given (khz > 0)
 * instead of CPUID's or a measurement. Before time_init. */
void time_preset_tsc_khz(uint64_t khz);

/* Nanoseconds since the loader started; monotonic. 0 before time_init.
 * The TSC, or the reference clock once the TSC is marked unstable. */
uint64_t time_ns(void);
/* A span of TSC cycles in nanoseconds (0 before time_init). */
uint64_t time_tsc_cycles_to_ns(uint64_t cycles);
/* Stop trusting the TSC (why: for the log): time_ns() moves to the
 * reference clock time_init was given, if it can keep time (the HPET or
 * the PM timer), continuing from the time now. For tsc=unstable, and the
 * watchdog that checks a TSC the CPU does not call invariant. After
 * time_init; interrupts on or off; once. */
void time_mark_tsc_unstable(const char *why);
/* Has this CPU's next tick clock work that needs the kernel lock? Only the
 * boot CPU's, on the ticks its TSC watchdog looks: it may move the clock
 * to the reference and publish that into the vDSO's page, which
 * time_set_realtime also writes, under the kernel lock. The rest of the
 * tick's clock work (the reference's rebase, the tick count) has the boot
 * CPU's tick as its one writer. Interrupts off. */
bool time_tick_needs_lock(void);
/* Is time_ns() the TSC (not the reference clock)? */
bool time_clock_is_tsc(void);
/* The wall clock (CLOCK_REALTIME): set it to epoch_ns nanoseconds since
 * 1970-01-01 UTC as of now (rtc_init does, at boot); time_realtime_ns
 * then reads that plus the monotonic time since. Before it is set, it
 * reads time_ns() since the epoch. */
void time_set_realtime(uint64_t epoch_ns);
uint64_t time_realtime_ns(void);
/* The vDSO's data page (time/vvar.h): from now on every change of the
 * clock (time_init, time_mark_tsc_unstable, time_set_realtime) is
 * published into it under its sequence count, and it is filled now.
 * Once, at boot, under the kernel lock; page stays mapped for good. */
struct vvar_data;
void time_attach_vvar(struct vvar_data *page);
/* TSC counts per second; 0 before time_init. */
uint64_t tsc_hz(void);
/* Bounded polls of a device are measured by the clock, never by counting
 * polls (whose length depends on the machine and the emulator): the TSC
 * value ms milliseconds from now, and whether the TSC has reached it.
 * Before time_init has measured the TSC, the rate assumed is
 * TIME_EARLY_TSC_HZ, faster than any x86 TSC, so an early wait is never
 * shorter than asked, only longer on a slow part. Any context. */
#define TIME_EARLY_TSC_HZ 8000000000ull
uint64_t tsc_deadline_ms(uint64_t ms);
bool tsc_deadline_passed(uint64_t deadline);

/* The local APIC timer's periodic count for TIME_TICK_HZ (divider
 * LAPIC_TIMER_DIVIDER), as the boot CPU's tick runs: another CPU starts
 * its own tick with it (the handler is shared). 0 when there is no tick. */
uint32_t time_tick_count(void);

/* Called from the tick interrupt (interrupts off, before the EOI) when
 * set; the scheduler installs it. */
struct trap_frame;
extern void (*timer_tick_hook)(const struct trap_frame *tf);

#endif
