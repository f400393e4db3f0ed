// SPDX-License-Identifier: MIT
/*
 * Kestrel: adjtimex(2) and clock_adjtime(2), the NTP interface of the
 * wall clock, as Linux's do_adjtimex answers (kernel/time/ntp.c).
 *
 * What is kept: the NTP state a daemon sets and reads back (status with
 * its read-only bits, frequency within +-500 ppm, maximum and estimated
 * error, time constant within 0..10, TAI offset, tick, the PLL's offset,
 * adjtime(3)'s pending adjustment) and ADJ_SETOFFSET, which steps the
 * clock. What is not: Kestrel's clock follows its time source, not this
 * state, so the frequency, tick and offsets do not slew it, and
 * adjtime's adjustment stays pending (Linux slews 0.5 ms a second). As
 * on Linux, the maximum error grows 500 us a second up to 16 s, where the
 * clock counts as unsynchronised, and the call returns TIME_ERROR while
 * the clock is unsynchronised (from boot until a daemon clears STA_UNSYNC).
 *
 * Lock rule: ntp_lock (interrupts off) around every read and write of ntp.
 */
#include "sys/syscall_define.h"
#include "sys/sys_misc.h"
#include "proc/process.h"
#include "time/time.h"
#include "time/timespec.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "mm/usercopy.h"
#include "uapi/capability.h"
#include "uapi/time.h"
#include "uapi/timex.h"

#define NSEC_PER_USEC_S ((int64_t)NSEC_PER_USEC) /* time.h's, signed */
#define NSEC_PER_SEC_S ((int64_t)NSEC_PER_SEC) /* time.h's, signed for the offsets */
#define USEC_PER_SEC 1000000ll
#define MAXTC 10                       /* the largest time constant */
#define MAXPHASE_NS 500000000ll        /* the PLL's offset range */
#define MAX_TAI_OFFSET 100000
#define MAXFREQ_PPM_SCALED (500ll << 16) /* +-500 ppm, in adjtimex's 16.16 ppm: the tolerance */
#define NTP_PHASE_LIMIT 16000000ll    /* us: where the maximum error stops growing */
#define MAXERROR_GROWTH_US 500        /* us a second (Linux's MAXFREQ / NSEC_PER_USEC_S) */
#define TIME_CONSTANT_BOOT 2
#define TICK_USEC (1000000 / USER_HZ)  /* us between ticks as adjtimex reports them */
#define TICK_MIN (900000 / USER_HZ)    /* ADJ_TICK within 10% of it */
#define TICK_MAX (1100000 / USER_HZ)

static struct spinlock ntp_lock = SPINLOCK_INIT;
static struct {
	int32_t status;
	int64_t freq;              /* 16.16 ppm */
	int64_t maxerror, esterror; /* us; maxerror as of maxerror_at */
	uint64_t maxerror_at;      /* time_ns() of the last maxerror write */
	int64_t constant, tick, offset, adjust;
	int32_t tai;
} ntp = { STA_UNSYNC, 0, NTP_PHASE_LIMIT, NTP_PHASE_LIMIT, 0, TIME_CONSTANT_BOOT, TICK_USEC, 0, 0, 0 };

int32_t adjtimex_tai_offset(void)
{
	return __atomic_load_n(&ntp.tai, __ATOMIC_RELAXED);
}

/* Linux's timekeeping_validate_timex: EPERM for a change without
 * CAP_SYS_TIME, EINVAL for adjtime's flag alone, a tick off by more than
 * 10%, an offset to step by whose fraction is out of range, a frequency
 * whose scaling would overflow. */
static long validate(const struct timex_k *t)
{
	bool cap = capable(CAP_SYS_TIME);

	if (t->modes & ADJ_ADJTIME) {
		if (!(t->modes & ADJ_OFFSET))
			return -EINVAL;
		if (!(t->modes & ADJ_OFFSET_READONLY) && !cap)
			return -EPERM;
	} else {
		if (t->modes && !cap)
			return -EPERM;
		if ((t->modes & ADJ_TICK) && (t->tick < TICK_MIN || t->tick > TICK_MAX))
			return -EINVAL;
	}
	if (t->modes & ADJ_SETOFFSET) {
		if (!cap)
			return -EPERM;
		if (t->time_usec < 0 || t->time_usec >= ((t->modes & ADJ_NANO) ? NSEC_PER_SEC_S : USEC_PER_SEC))
			return -EINVAL;
		if (t->time_sec > INT64_MAX / NSEC_PER_SEC_S - 1 || t->time_sec < INT64_MIN / NSEC_PER_SEC_S + 1)
			return -EINVAL; /* no clock gets there (Linux's timespec64_valid_settod) */
	}
	if ((t->modes & ADJ_FREQUENCY) &&
	    (t->freq < INT64_MIN / (NSEC_PER_USEC_S << 16) || t->freq > INT64_MAX / (NSEC_PER_USEC_S << 16)))
		return -EINVAL;
	return 0;
}

/* ADJ_SETOFFSET: step the wall clock by the (sec, usec or nsec) offset. */
static long step_clock(const struct timex_k *t)
{
	int64_t frac = (t->modes & ADJ_NANO) ? t->time_usec : t->time_usec * NSEC_PER_USEC_S;
	int64_t delta = t->time_sec * NSEC_PER_SEC_S + frac;
	int64_t now = (int64_t)time_realtime_ns();

	if ((delta < 0 && -delta > now) || (delta > 0 && (uint64_t)(now + delta) >= TIMESPEC_FOREVER_NS))
		return -EINVAL;
	time_set_realtime((uint64_t)(now + delta));
	return 0;
}

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* The maximum error now: grown since it was set, capped (ntp_lock held). */
static int64_t maxerror_now(uint64_t now)
{
	int64_t grown = ntp.maxerror + (int64_t)((now - ntp.maxerror_at) / NSEC_PER_SEC) * MAXERROR_GROWTH_US;
	return grown < NTP_PHASE_LIMIT ? grown : NTP_PHASE_LIMIT;
}

/* Linux's process_adjtimex_modes, for the state kept (ntp_lock held). */
static void apply_modes(const struct timex_k *t, uint64_t now)
{
	if (t->modes & ADJ_STATUS) {
		if ((ntp.status & STA_PLL) && !(t->status & STA_PLL))
			ntp.status = STA_UNSYNC; /* the PLL turned off: Linux's ntp state reset */
		ntp.status = (ntp.status & STA_RONLY) | (t->status & ~STA_RONLY);
	}
	if (t->modes & ADJ_NANO)
		ntp.status |= STA_NANO;
	if (t->modes & ADJ_MICRO)
		ntp.status &= ~STA_NANO;
	if (t->modes & ADJ_FREQUENCY)
		ntp.freq = clamp64(t->freq, -MAXFREQ_PPM_SCALED, MAXFREQ_PPM_SCALED);
	if (t->modes & ADJ_MAXERROR) {
		ntp.maxerror = t->maxerror;
		ntp.maxerror_at = now;
	}
	if (t->modes & ADJ_ESTERROR)
		ntp.esterror = t->esterror;
	if (t->modes & ADJ_TIMECONST) {
		int64_t c = clamp64(t->constant, -4, MAXTC); /* (no overflow below) */
		if (!(ntp.status & STA_NANO))
			c += 4; /* a microsecond-mode constant is 4 less (Linux adds 4) */
		ntp.constant = clamp64(c, 0, MAXTC);
	}
	if ((t->modes & ADJ_TAI) && t->constant >= 0 && t->constant <= MAX_TAI_OFFSET)
		ntp.tai = (int32_t)t->constant;
	if ((t->modes & ADJ_OFFSET) && (ntp.status & STA_PLL)) /* without the PLL, ignored */
		ntp.offset = clamp64((ntp.status & STA_NANO) ? t->offset
							 : clamp64(t->offset, -USEC_PER_SEC, USEC_PER_SEC) * NSEC_PER_USEC_S,
				     -MAXPHASE_NS, MAXPHASE_NS);
	if (t->modes & ADJ_TICK)
		ntp.tick = t->tick;
}

/* Linux's __do_adjtimex on the kept state: apply t's modes, fill t with
 * the state and the time, return the clock's state. */
static long do_adjtimex(struct timex_k *t)
{
	long err = validate(t);
	if (err)
		return err;
	if ((t->modes & ADJ_SETOFFSET) && (err = step_clock(t)))
		return err;
	uint64_t now = time_ns(), real = time_realtime_ns();
	uint64_t fl = spin_lock_irqsave(&ntp_lock);
	if (t->modes & ADJ_ADJTIME) {
		int64_t old = ntp.adjust;
		if (!(t->modes & ADJ_OFFSET_READONLY))
			ntp.adjust = t->offset;
		t->offset = old;
	} else {
		if (t->modes)
			apply_modes(t, now);
		t->offset = (ntp.status & STA_NANO) ? ntp.offset : ntp.offset / NSEC_PER_USEC_S;
	}
	int64_t maxerror = maxerror_now(now);
	if (maxerror >= NTP_PHASE_LIMIT)
		ntp.status |= STA_UNSYNC; /* Linux's second_overflow */
	*t = (struct timex_k){ .modes = t->modes, .offset = t->offset, .freq = ntp.freq,
			       .maxerror = maxerror, .esterror = ntp.esterror, .status = ntp.status,
			       .constant = ntp.constant, .precision = 1, .tolerance = MAXFREQ_PPM_SCALED,
			       .time_sec = (int64_t)(real / NSEC_PER_SEC), .tick = ntp.tick, .tai = ntp.tai };
	t->time_usec = (int64_t)(real % NSEC_PER_SEC) / ((ntp.status & STA_NANO) ? 1 : NSEC_PER_USEC_S);
	bool error = ntp.status & (STA_UNSYNC | STA_CLOCKERR);
	spin_unlock_irqrestore(&ntp_lock, fl);
	return error ? TIME_ERROR : TIME_OK;
}

#define CLOCKFD 3      /* a negative clock id's low bits: a descriptor's clock (else a CPU clock) */
#define CLOCKFD_MASK 7

/* Linux's clock_adjtime without the copies: CLOCK_REALTIME is adjtimex;
 * the other clocks have no adjuster (EOPNOTSUPP), CPU clocks included; an
 * id that names no clock, or a descriptor's clock (none here), is EINVAL. */
static long clock_adj(clockid_t which, struct timex_k *t)
{
	if (which == CLOCK_REALTIME)
		return do_adjtimex(t);
	if (which < 0)
		return (which & CLOCKFD_MASK) == CLOCKFD ? -EINVAL : -EOPNOTSUPP;
	if (which > CLOCK_TAI || which == CLOCK_TAI - 1) /* 10 was CLOCK_SGI_CYCLE */
		return -EINVAL;
	return -EOPNOTSUPP;
}

/* Read the caller's timex (EFAULT first, as Linux), adjust, write it
 * back: the clock's state, or -errno. */
static long adjtimex_user(clockid_t which, uptr_t utx)
{
	struct timex_k t;

	if (copy_from_user(&t, utx, sizeof(t)))
		return -EFAULT;
	long r = clock_adj(which, &t);
	if (r >= 0 && copy_to_user(utx, &t, sizeof(t)))
		return -EFAULT;
	return r;
}

SYSCALL_DEFINE1(adjtimex, uptr_t, utx)
{
	return adjtimex_user(CLOCK_REALTIME, utx);
}

SYSCALL_DEFINE2(clock_adjtime, clockid_t, which, uptr_t, utx)
{
	return adjtimex_user(which, utx);
}
