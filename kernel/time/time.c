// SPDX-License-Identifier: MIT
/*
 * Kestrel: time. The TSC is the clock: time_ns() converts TSC counts to
 * nanoseconds with a fixed-point multiplier. Its rate, and the rate of
 * the local APIC timer that drives the scheduler tick, come from CPUID
 * leaves 0x15/0x16 where the CPU reports them (recent Intel; not QEMU
 * TCG), else from measuring both against a reference clock: the HPET,
 * the ACPI PM timer, or as a last resort the PIT, picked by the drivers
 * (dev/refclocks.c) and handed in by main.c. The measurement is the
 * median of three 50 ms windows, each bounded by bracketed reads (see
 * cal_point), so one preempted read cannot skew it.
 *
 * The TSC stays the clock while it can be trusted: a CPU that reports an
 * invariant TSC (CPUID 0x80000007 EDX bit 8) is believed; otherwise the
 * boot CPU's tick compares it with the reference clock every WATCHDOG_MS
 * (Linux's clocksource watchdog does the same) and, at a drift over
 * 1/2^WATCHDOG_SHIFT, or on tsc=unstable, time_ns() moves to the
 * reference clock for good (the HPET or the PM timer: one whose counter
 * takes at least MIN_WRAP_MS to wrap), said in the log. The reference
 * clock is extended to nanoseconds from a base the boot CPU's tick moves
 * on (under a sequence count, so that any CPU reads it lock-free).
 */
#include <stddef.h>
#include "time/time.h"
#include "time/refclock.h"
#include "time/vvar.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/features.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/thread.h"
#include "test/selftest.h"
#include "lib/printf.h"
#include "log.h"
#include "profile.h"

#define USEC_PER_SEC   ((uint64_t)1000000)
#define MSEC_PER_SEC   ((uint64_t)1000)
#define HZ_PER_MHZ     ((uint64_t)1000000)
#define NS_MULT_SHIFT  32           /* ns = tsc_delta * ns_mult >> 32 */


#define CAL_WINDOW_DIV 20           /* a calibration window is 1/20 s of reference time */
#define CAL_RUNS       3            /* windows; the median counts */
#define SAMPLE_TRIES   5            /* bracketed reads per calibration point */
#define WATCHDOG_MS    500          /* a non-invariant TSC is checked this often */
#define WATCHDOG_SHIFT 4            /* drift over 1/16 of the span: unstable (31 ms in 500, as Linux) */
#define MIN_WRAP_MS    1000         /* a reference clock must take this long to wrap to be the clock */
#define CPUID_APM      0x80000007u  /* advanced power management: EDX bit 8 invariant TSC */
#define CPUID_APM_INVARIANT_TSC (1u << 8)

void (*timer_tick_hook)(const struct trap_frame *tf);

/* Set once by time_init; ticks is written by the boot CPU's tick
 * interrupt only (every CPU ticks; one counts), with or without the
 * kernel lock (time_tick_needs_lock). */
static struct {
	bool ready, ticking;
	uint64_t tsc_hz, apic_hz;        /* apic_hz: the timer's input, before its divider */
	uint32_t tick_count;             /* the tick timer's initial count */
	const char *tsc_source;
	const struct refclock *ref;      /* the best reference clock, also for the self-tests */
	uint64_t origin;                 /* TSC at the loader's start: time_ns() == 0 */
	uint64_t ns_mult;
	volatile uint64_t ticks;
	bool tsc_invariant;              /* CPUID says so: no watchdog */
} tm;

/* The reference clock as the clock (time_ns), once the TSC is distrusted.
 * Lock rule: written only on the boot CPU, by its tick and by
 * time_mark_tsc_unstable (interrupts off: they never interleave), inside
 * an odd seq; read by any CPU lock-free, retrying while seq is odd or
 * changed. */
static struct {
	volatile uint32_t seq;
	volatile bool on;
	uint64_t base_count, base_ns;    /* the reference read at base_ns */
	uint64_t mult;                   /* ns = counts * mult >> NS_MULT_SHIFT */
} rc;

/* The watchdog's previous look (boot CPU's tick only). */
static struct {
	uint64_t tsc, ref, next_tick;
} wd;

/* The vDSO's data page once time_attach_vvar gave it (NULL before); its
 * lock rule is in time/vvar.h. A change of the clock is made between
 * vvar_begin and vvar_end, interrupts off. */
static struct vvar_data *vvar;
static void vvar_begin(void);
static void vvar_end(void);

/* a * b / c, exact (to the unit) as long as b * c < 2^64, whatever a:
 * every use here has c a reference count, 10^6 or a rate, and b a rate,
 * all below 2^40. c must not be 0. */
static uint64_t mul_div(uint64_t a, uint64_t b, uint64_t c)
{
	return a / c * b + a % c * b / c;
}

/* ------------------------------------------------------------ reference */

/* Elapsed reference counts, accumulated read by read so that a counter
 * narrower than the span (the PIT wraps every 55 ms) is never lost. */
struct span {
	const struct refclock *ref;
	uint64_t last, counts;
};

static void span_start(struct span *s, const struct refclock *ref, uint64_t first)
{
	*s = (struct span){ .ref = ref, .last = first, .counts = 0 };
}

static uint64_t span_add(struct span *s, uint64_t now)
{
	s->counts += refclock_delta(s->ref, s->last, now);
	s->last = now;
	return s->counts;
}

static uint64_t span_poll(struct span *s)
{
	return span_add(s, s->ref->read());
}

/* The three clocks read as nearly together as possible: the reference
 * (and APIC timer) read is bracketed by TSC reads, the tightest of a few
 * tries is kept, and the TSC is taken at its midpoint. */
struct cal_point {
	uint64_t tsc, ref;
	uint32_t apic;
};

static struct cal_point cal_point(const struct refclock *ref)
{
	struct cal_point best = { 0 };
	uint64_t best_spread = ~0ull;

	for (int i = 0; i < SAMPLE_TRIES; i++) {
		uint64_t t0 = rdtsc();
		uint64_t r = ref->read();
		uint32_t a = lapic_ready() ? lapic_timer_count() : 0;
		uint64_t t1 = rdtsc();
		if (t1 - t0 < best_spread) {
			best_spread = t1 - t0;
			best = (struct cal_point){ .tsc = t0 + (t1 - t0) / 2, .ref = r, .apic = a };
		}
	}
	return best;
}

/* Measure over at least counts reference counts, starting now. */
static void measure(const struct refclock *ref, uint64_t counts, struct cal_point *a,
		    struct cal_point *b, uint64_t *elapsed, void (*work)(void))
{
	struct span s;

	*a = cal_point(ref);
	span_start(&s, ref, a->ref);
	if (work)
		work(); /* inside the window: only its end points are timed */
	while (span_poll(&s) < counts)
		cpu_pause();
	*b = cal_point(ref);
	*elapsed = span_add(&s, b->ref);
}

/* ------------------------------------------------------------ calibration */

/* Rates the CPU states outright. TSC = crystal * EBX / EAX (leaf 0x15);
 * if the crystal is not given, leaf 0x16's base frequency stands for the
 * TSC and the crystal is derived from it. The APIC timer runs at the
 * crystal clock on CPUs that report one (as Linux also assumes). */
static void rates_from_cpuid(void)
{
	struct cpu_clock_info ci;

	cpu_clock_info(&ci);
	uint32_t denominator = ci.tsc_denominator, numerator = ci.tsc_numerator;
	uint32_t crystal = ci.crystal_hz, base_mhz = ci.base_mhz;
	if (denominator && numerator && crystal) {
		tm.tsc_hz = (uint64_t)crystal * numerator / denominator;
		tm.apic_hz = crystal;
		tm.tsc_source = "CPUID 0x15";
	} else if (base_mhz) {
		tm.tsc_hz = base_mhz * HZ_PER_MHZ;
		if (denominator && numerator)
			tm.apic_hz = tm.tsc_hz * denominator / numerator;
		tm.tsc_source = "CPUID 0x16";
	}
}

static uint64_t median3(uint64_t v[CAL_RUNS])
{
	uint64_t a = v[0], b = v[1], c = v[2];
	if ((a <= b && b <= c) || (c <= b && b <= a))
		return b;
	if ((b <= a && a <= c) || (c <= a && a <= b))
		return a;
	return c;
}

/* time_calibration_work's function, run once (NULL after). */
static void (*cal_work)(void);

static void (*take_cal_work(void))(void)
{
	void (*fn)(void) = cal_work;

	cal_work = NULL;
	return fn;
}

void time_calibration_work(void (*fn)(void))
{
	cal_work = fn;
}

/* Fill whichever of tsc_hz and apic_hz CPUID left unknown by measuring
 * against tm.ref. The APIC timer counts down, masked, meanwhile. */
static void calibrate(void)
{
	uint64_t tsc[CAL_RUNS], apic[CAL_RUNS];
	const struct refclock *ref = tm.ref;

	if (lapic_ready())
		lapic_timer_free_run();
	for (int i = 0; i < CAL_RUNS; i++) {
		struct cal_point a, b;
		uint64_t elapsed;
		measure(ref, ref->hz / CAL_WINDOW_DIV, &a, &b, &elapsed, i ? NULL : take_cal_work());
		tsc[i] = mul_div(b.tsc - a.tsc, ref->hz, elapsed);
		apic[i] = mul_div((uint64_t)(a.apic - b.apic) * LAPIC_TIMER_DIVIDER, ref->hz, elapsed);
	}
	if (lapic_ready())
		lapic_timer_stop();
	if (!tm.tsc_hz) {
		tm.tsc_hz = median3(tsc);
		tm.tsc_source = ref->name;
	}
	if (!tm.apic_hz && lapic_ready())
		tm.apic_hz = median3(apic);
}

/* ------------------------------------------------------------ the tick */

static void clock_tick(void);
static void clock_init(void);

static void tick(struct trap_frame *tf)
{
	if (__builtin_expect(profile_on, 0) && !arch_frame_is_user(tf))
		profile_hit(tf->rip); /* every CPU's tick, idle or not, before any lock */
	if (this_cpu()->cpu_id == 0) {
		tm.ticks++;
		clock_tick();
	}
	if (timer_tick_hook)
		timer_tick_hook(tf);
}

static void start_tick(void)
{
	uint64_t count = tm.apic_hz / LAPIC_TIMER_DIVIDER / TIME_TICK_HZ;

	if (!lapic_ready() || !count || count > UINT32_MAX) {
		klog(LOG_ERR, "time: no usable local APIC timer; no scheduler tick\n");
		return;
	}
	irq_set_handler(VEC_APIC_TIMER, tick);
	lapic_timer_periodic((uint32_t)count);
	tm.tick_count = (uint32_t)count;
	tm.ticking = true;
}

uint32_t time_tick_count(void)
{
	return tm.ticking ? tm.tick_count : 0;
}

void time_preset_tsc_khz(uint64_t khz)
{
	if (!khz)
		return;
	tm.tsc_hz = khz * 1000;
	tm.tsc_source = "tsc_early_khz";
}

void time_init(const struct kbi_boot_info *bi, const struct refclock *ref)
{
	uint64_t preset_hz = tm.tsc_hz; /* tsc_early_khz, or 0 */
	const char *preset_source = tm.tsc_source;

	tm.ref = ref;
	rates_from_cpuid();
	if (preset_hz) {
		tm.tsc_hz = preset_hz;
		tm.tsc_source = preset_source;
	}
	if ((!tm.tsc_hz || !tm.apic_hz) && tm.ref)
		calibrate();
	void (*work)(void) = take_cal_work();
	if (work) /* nothing was measured */
		work();
	if (!tm.tsc_hz && bi->tsc_hz) {
		tm.tsc_hz = bi->tsc_hz;
		tm.tsc_source = "the loader's figure";
	}
	if (!tm.tsc_hz) {
		klog(LOG_ERR, "time: no way to learn the TSC rate; no clock\n");
		return;
	}
	tm.origin = bi->tsc_loader_start;
	tm.ns_mult = (NSEC_PER_SEC << NS_MULT_SHIFT) / tm.tsc_hz;
	tm.ready = true;
	log_set_clock(bi->tsc_loader_start, tm.tsc_hz);
	start_tick();
	klog(LOG_INFO, "time: TSC %lu MHz (%s), APIC timer %lu MHz, tick %u Hz\n",
	     tm.tsc_hz / HZ_PER_MHZ, tm.tsc_source, tm.apic_hz / HZ_PER_MHZ,
	     tm.ticking ? TIME_TICK_HZ : 0);
	clock_init();
}

/* ------------------------------------------------------------ the API */

/* Nanoseconds since the origin at TSC value tsc. The 64 x 64 -> 128-bit
 * product cannot overflow for any TSC delta. */
static uint64_t tsc_to_ns(uint64_t tsc)
{
	return (uint64_t)(((unsigned __int128)(tsc - tm.origin) * tm.ns_mult) >> NS_MULT_SHIFT);
}

uint64_t time_tsc_cycles_to_ns(uint64_t cycles)
{
	return tm.ready ? (uint64_t)(((unsigned __int128)cycles * tm.ns_mult) >> NS_MULT_SHIFT) : 0;
}

/* ------------------------------------------------------------ the clock source */

static uint64_t ref_counts_to_ns(uint64_t counts)
{
	return (uint64_t)(((unsigned __int128)counts * rc.mult) >> NS_MULT_SHIFT);
}

/* Can ref be the clock: does its counter take MIN_WRAP_MS to wrap (the
 * HPET, the PM timer; not the PIT's 55 ms)? */
static bool ref_fit(const struct refclock *ref)
{
	return ref && ref->hz && ref->mask / ref->hz * MSEC_PER_SEC >= MIN_WRAP_MS;
}

/* The reference clock's time: base_ns plus the counts since base_count,
 * read lock-free against the tick's rebase. */
static uint64_t ref_ns(void)
{
	for (;;) {
		uint32_t seq = __atomic_load_n(&rc.seq, __ATOMIC_ACQUIRE);
		if (seq & 1) {
			cpu_pause();
			continue;
		}
		uint64_t ns = rc.base_ns + ref_counts_to_ns(refclock_delta(tm.ref, rc.base_count,
									   tm.ref->read()));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&rc.seq, __ATOMIC_RELAXED) == seq)
			return ns;
	}
}

/* Move the base to now (ns: the time now), inside an odd seq. Boot CPU's
 * tick or time_mark_tsc_unstable, interrupts off. */
static void rebase(uint64_t count, uint64_t ns)
{
	__atomic_store_n(&rc.seq, rc.seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	rc.base_count = count;
	rc.base_ns = ns;
	__atomic_store_n(&rc.seq, rc.seq + 1, __ATOMIC_RELEASE);
}

void time_mark_tsc_unstable(const char *why)
{
	if (!tm.ready || rc.on)
		return;
	if (!ref_fit(tm.ref)) {
		klog(LOG_WARN, "time: TSC unstable (%s), but no reference clock to keep time with; "
			       "the TSC stays the clock\n", why);
		return;
	}
	uint64_t flags = irq_save();
	vvar_begin(); /* the vDSO stops reading the TSC before the clock leaves it */
	rc.mult = (NSEC_PER_SEC << NS_MULT_SHIFT) / tm.ref->hz;
	rebase(tm.ref->read(), tsc_to_ns(rdtsc()));
	__atomic_store_n(&rc.on, true, __ATOMIC_RELEASE);
	vvar_end();
	irq_restore(flags);
	klog(LOG_WARN, "time: TSC unstable (%s); the clock is now the %s\n", why, tm.ref->name);
}

bool time_clock_is_tsc(void)
{
	return !rc.on;
}

/* Every WATCHDOG_MS: the TSC's span against the reference's; a drift
 * over 1/2^WATCHDOG_SHIFT of it marks the TSC unstable. */
static void watchdog(void)
{
	if (tm.ticks < wd.next_tick)
		return;
	wd.next_tick = tm.ticks + WATCHDOG_MS * TIME_TICK_HZ / MSEC_PER_SEC;
	struct cal_point p = cal_point(tm.ref);
	if (wd.tsc) {
		uint64_t tsc_ns = mul_div(p.tsc - wd.tsc, NSEC_PER_SEC, tm.tsc_hz);
		uint64_t ref = ref_counts_to_ns(refclock_delta(tm.ref, wd.ref, p.ref));
		uint64_t drift = tsc_ns > ref ? tsc_ns - ref : ref - tsc_ns;
		if (drift > ref >> WATCHDOG_SHIFT) {
			char why[96];
			ksnprintf(why, sizeof(why), "the watchdog: %lu us of TSC in %lu us of %s",
				  tsc_ns / 1000, ref / 1000, tm.ref->name);
			time_mark_tsc_unstable(why);
			return;
		}
	}
	wd.tsc = p.tsc;
	wd.ref = p.ref;
}

bool time_tick_needs_lock(void)
{
	return this_cpu()->cpu_id == 0 && !rc.on && !tm.tsc_invariant && rc.mult &&
	       tm.ticks + 1 >= wd.next_tick;
}

/* The boot CPU's tick: move the reference clock's base on, or watch a
 * TSC the CPU does not call invariant. */
static void clock_tick(void)
{
	if (rc.on) {
		uint64_t now = tm.ref->read();
		rebase(now, rc.base_ns + ref_counts_to_ns(refclock_delta(tm.ref, rc.base_count, now)));
	} else if (!tm.tsc_invariant && rc.mult) {
		watchdog();
	}
}

/* Trust the TSC outright (CPUID's invariant bit), or set the watchdog up
 * against a reference that can keep time. Logs which. */
static void clock_init(void)
{
	uint32_t r[4] = { 0 };

	cpuid(CPUID_APM & 0x80000000u, 0, r);
	if (r[0] >= CPUID_APM) {
		cpuid(CPUID_APM, 0, r);
		tm.tsc_invariant = r[3] & CPUID_APM_INVARIANT_TSC;
	}
	if (tm.tsc_invariant) {
		klog(LOG_INFO, "time: TSC invariant (CPUID 0x80000007): the clock\n");
	} else if (ref_fit(tm.ref)) {
		rc.mult = (NSEC_PER_SEC << NS_MULT_SHIFT) / tm.ref->hz;
		klog(LOG_INFO, "time: TSC not invariant (CPUID 0x80000007): the clock, checked "
			       "against the %s every %u ms\n", tm.ref->name, WATCHDOG_MS);
	} else {
		klog(LOG_WARN, "time: TSC not invariant (CPUID 0x80000007) and no reference clock "
			       "to check it against: the clock unchecked\n");
	}
}

uint64_t time_ns(void)
{
	if (__builtin_expect(rc.on, 0))
		return ref_ns();
	return tm.ready ? tsc_to_ns(rdtsc()) : 0;
}

/* CLOCK_REALTIME minus time_ns(), modulo 2^64: one word, so that a
 * reader never sees half of a clock_settime (set at boot from the RTC,
 * and by clock_settime). */
static uint64_t realtime_offset_ns;

void time_set_realtime(uint64_t epoch_ns)
{
	uint64_t flags = irq_save();

	vvar_begin();
	__atomic_store_n(&realtime_offset_ns, epoch_ns - time_ns(), __ATOMIC_RELAXED);
	vvar_end();
	irq_restore(flags);
}

uint64_t time_realtime_ns(void)
{
	return time_ns() + __atomic_load_n(&realtime_offset_ns, __ATOMIC_RELAXED);
}

/* Open a change of the vDSO's page: seq odd, and that store visible
 * before anything the change reads (the TSC, the reference). */
static void vvar_begin(void)
{
	if (!vvar)
		return;
	__atomic_store_n(&vvar->seq, vvar->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Close it: the clock as it is now into the page, then seq even. */
static void vvar_end(void)
{
	if (!vvar)
		return;
	vvar->mode = tm.ready && !rc.on ? VVAR_MODE_TSC : VVAR_MODE_SYSCALL;
	vvar->tsc_origin = tm.origin;
	vvar->ns_mult = tm.ns_mult;
	vvar->realtime_offset = realtime_offset_ns;
	vvar->coarse_res_ns = NSEC_PER_SEC / TIME_TICK_HZ;
	__atomic_store_n(&vvar->seq, vvar->seq + 1, __ATOMIC_RELEASE);
}

_Static_assert(VVAR_NS_SHIFT == NS_MULT_SHIFT, "the vDSO scales the TSC as time_ns() does");

void time_attach_vvar(struct vvar_data *page)
{
	uint64_t flags = irq_save();

	vvar = page;
	vvar_begin();
	vvar_end();
	irq_restore(flags);
}

uint64_t tsc_hz(void) { return tm.tsc_hz; }

uint64_t tsc_deadline_ms(uint64_t ms)
{
	uint64_t hz = tm.tsc_hz ? tm.tsc_hz : TIME_EARLY_TSC_HZ;

	return rdtsc() + ms * (hz / MSEC_PER_SEC);
}

bool tsc_deadline_passed(uint64_t deadline)
{
	return (int64_t)(rdtsc() - deadline) >= 0;
}

/* ------------------------------------------------------------ self-tests */

/*
 * Under emulation the host can stall QEMU for milliseconds at a time, and
 * QEMU then coalesces the periodic timer's missed ticks into one: on a
 * loaded host the guest really does get fewer tick interrupts, however
 * long it counts (boots failed a count-based test at 62-85 Hz with three
 * QEMUs and a compiler on two cores). What can be wrong in the kernel is
 * the programming, and that is read off the timer itself: its current
 * count runs down at the programmed rate on QEMU's virtual clock, as the
 * reference does, whatever the host's load. So the tick test checks that
 * ticks come (a few edges, each within TEST_EDGE_DIV of a second) and
 * that the running timer's count rate, over short spans in which it does
 * not reload, makes TIME_TICK_HZ reloads a second against the reference.
 * Each rate test also takes the best of a few attempts.
 */
#define TEST_ATTEMPTS       4
#define TEST_WINDOW_DIV     2     /* 1/2 s = 500 ms of reference time */
#define TEST_EDGE_DIV       2     /* wait at most 500 ms for a tick */
#define TEST_EDGES          3     /* consecutive tick edges that must come */
#define TEST_SPAN_DIV       (4 * TIME_TICK_HZ) /* a quarter of a tick's period of reference time
					       * per count sample (1 ms at 250 Hz): under half
					       * a period, so a span that fell held no reload */
#define TEST_SPAN_TRIES     64    /* spans tried, for one without a reload or a stall */
#define TEST_SAMPLES        5     /* odd: the median is one of them */
#define TICK_TOLERANCE_PCT  5
#define RATE_TOLERANCE_PCT  2
#define MONOTONIC_READS     1000
#define PCT                 100
#define MILLI               1000

/* |measured - want| as hundredths of a percent of want. */
static uint64_t error_bp(uint64_t measured, uint64_t want)
{
	uint64_t diff = measured > want ? measured - want : want - measured;
	return mul_div(diff, PCT * PCT, want);
}

/* Spin until the tick count changes, polling only memory and the TSC:
 * under TCG every MMIO or port read of the reference takes QEMU's global
 * lock, and a guest hammering it delays the very timer callbacks being
 * measured. False if no tick comes within 1/TEST_EDGE_DIV s. */
static bool next_tick(void)
{
	uint64_t t = tm.ticks, end = time_ns() + NSEC_PER_SEC / TEST_EDGE_DIV;

	while (tm.ticks == t) {
		if (time_ns() > end)
			return false;
		cpu_pause();
	}
	return true;
}

/* Sort a few values in place (insertion sort: n is TEST_SAMPLES). */
static void sort_small(uint64_t *v, int n)
{
	for (int i = 1; i < n; i++) {
		uint64_t x = v[i];
		int j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* The running tick timer's input rate in Hz (before its divider): its
 * count's fall over a quarter period of reference time in which it did not
 * reload. A span shorter than half a nominal period whose count fell
 * cannot hold a reload (one would leave the count above where it was);
 * a host stall makes a span longer and it is tried again. 0 if every
 * try failed. */
static uint64_t sample_timer_hz(void)
{
	uint64_t half_period = tm.ref->hz / TIME_TICK_HZ / 2;

	for (int i = 0; i < TEST_SPAN_TRIES; i++) {
		struct cal_point a, b;
		uint64_t elapsed;

		measure(tm.ref, tm.ref->hz / TEST_SPAN_DIV, &a, &b, &elapsed, NULL);
		if (b.apic < a.apic && elapsed && elapsed < half_period)
			return mul_div((uint64_t)(a.apic - b.apic) * LAPIC_TIMER_DIVIDER, tm.ref->hz,
				       elapsed);
	}
	return 0;
}

/* The tick rate in mHz the running timer makes: the median of
 * TEST_SAMPLES count-rate samples over its initial count. 0 if the
 * count could not be sampled. */
static uint64_t measure_tick_mhz(void)
{
	uint64_t hz[TEST_SAMPLES];

	for (int i = 0; i < TEST_SAMPLES; i++)
		if (!(hz[i] = sample_timer_hz()))
			return 0;
	sort_small(hz, TEST_SAMPLES);
	return mul_div(hz[TEST_SAMPLES / 2], MILLI, (uint64_t)LAPIC_TIMER_DIVIDER * tm.tick_count);
}

SELFTEST(timer_rate)
{
	uint64_t milli_hz = 0, err = ~0ull;
	int attempt;

	if (!tm.ref || !tm.ticking)
		return "no reference clock or no tick";
	if (!interrupts_enabled())
		return "interrupts are off";
	for (int i = 0; i < TEST_EDGES; i++)
		if (!next_tick())
			return "no ticks";
	for (attempt = 1; attempt <= TEST_ATTEMPTS && err > TICK_TOLERANCE_PCT * PCT; attempt++) {
		milli_hz = measure_tick_mhz();
		if (!milli_hz)
			return "the tick timer's count does not run";
		err = error_bp(milli_hz, TIME_TICK_HZ * MILLI);
	}
	klog(LOG_INFO, "time: tick %lu.%03lu Hz against the %s, %lu.%02lu%% off (attempt %d)\n",
	     milli_hz / MILLI, milli_hz % MILLI, tm.ref->name, err / PCT, err % PCT, attempt - 1);
	return err > TICK_TOLERANCE_PCT * PCT ? "tick rate more than 5% off" : NULL;
}

/* Over 200 ms of reference time, the TSC must run at tsc_hz() and
 * time_ns must advance by the same time, each within 2%; the error
 * returned is the larger of the two, in hundredths of a percent. */
static uint64_t measure_tsc_error(uint64_t *tsc_err, uint64_t *ns_err)
{
	struct cal_point a, b;
	uint64_t counts;
	uint64_t ns_a = time_ns(); /* the clock (the TSC or the reference), around the window */

	measure(tm.ref, tm.ref->hz / TEST_WINDOW_DIV, &a, &b, &counts, NULL);
	uint64_t ns_b = time_ns();
	uint64_t hz = mul_div(b.tsc - a.tsc, tm.ref->hz, counts);
	uint64_t ref_ns = mul_div(counts, NSEC_PER_SEC, tm.ref->hz);
	*tsc_err = error_bp(hz, tm.tsc_hz);
	*ns_err = error_bp(ns_b - ns_a, ref_ns);
	return *tsc_err > *ns_err ? *tsc_err : *ns_err;
}

SELFTEST(tsc_rate)
{
	uint64_t tsc_err = 0, ns_err = 0, worst = ~0ull;
	int attempt;

	if (!tm.ref || !tm.ready)
		return "no reference clock or no clock";
	for (attempt = 1; attempt <= TEST_ATTEMPTS && worst > RATE_TOLERANCE_PCT * PCT; attempt++)
		worst = measure_tsc_error(&tsc_err, &ns_err);
	klog(LOG_INFO, "time: TSC against the %s %lu.%02lu%% off, time_ns %lu.%02lu%% off (attempt %d)\n",
	     tm.ref->name, tsc_err / PCT, tsc_err % PCT, ns_err / PCT, ns_err % PCT, attempt - 1);
	if (tsc_err > RATE_TOLERANCE_PCT * PCT)
		return "TSC rate more than 2% off the reference";
	return ns_err > RATE_TOLERANCE_PCT * PCT ? "time_ns more than 2% off the reference" : NULL;
}

SELFTEST(time_ns_monotonic)
{
	uint64_t first = time_ns(), prev = first;

	for (int i = 0; i < MONOTONIC_READS; i++) {
		uint64_t now = time_ns();
		if (now < prev)
			return "time_ns went backwards";
		prev = now;
	}
	return prev > first ? NULL : "time_ns did not advance";
}
