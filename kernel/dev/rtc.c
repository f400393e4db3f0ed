// SPDX-License-Identifier: MIT
/*
 * Kestrel: the CMOS RTC (MC146818 and its descendants). Read once at
 * boot, waiting out an update in progress and reading until two reads
 * agree; BCD and 12-hour modes are decoded. The RTC is taken to hold UTC.
 * A machine without one (the ports read 0xff) or with nonsense in it
 * takes the wall clock from the firmware's GetTime instead.
 */
#include "dev/rtc.h"
#include "firmware/efi_rt.h"
#include "firmware/efi_rt_parse.h"
#include "test/selftest.h"
#include "lib/civil.h"
#include "time/time.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/io.h"
#include "log.h"

#define CMOS_ADDR 0x70
#define CMOS_DATA 0x71
#define CMOS_NMI_OFF 0x80
#define RTC_SEC   0x00
#define RTC_MIN   0x02
#define RTC_HOUR  0x04
#define RTC_DAY   0x07
#define RTC_MONTH 0x08
#define RTC_YEAR  0x09
#define RTC_STATUS_A 0x0a
#define RTC_STATUS_B 0x0b
#define RTC_A_UPDATING 0x80
#define RTC_B_24H      0x02
#define RTC_B_BINARY   0x04
#define RTC_HOUR_PM    0x80
/* An update cycle holds RTC_A_UPDATING for at most 2 ms (244 us of
 * warning plus 1984 us of update); a dead RTC must not hang the boot. */
#define RTC_UPDATE_MS 10
#define RTC_ABSENT    0xff /* what a read of a port nothing answers gives */
#define RTC_AGREE_SEC 2    /* the self-test: CMOS and GetTime this close */
#define SEC_PER_DAY   86400

struct rtc_time {
	unsigned sec, min, hour, day, month, year;
};

static uint8_t cmos(uint8_t reg)
{
	outb(CMOS_ADDR, CMOS_NMI_OFF | reg);
	return inb(CMOS_DATA);
}

static void read_raw(struct rtc_time *t)
{
	uint64_t end = tsc_deadline_ms(RTC_UPDATE_MS);

	while ((cmos(RTC_STATUS_A) & RTC_A_UPDATING) && !tsc_deadline_passed(end))
		cpu_pause();
	*t = (struct rtc_time){ cmos(RTC_SEC), cmos(RTC_MIN), cmos(RTC_HOUR), cmos(RTC_DAY),
				cmos(RTC_MONTH), cmos(RTC_YEAR) };
}

static unsigned bcd(unsigned v)
{
	return (v & 0x0f) + (v >> 4) * 10;
}

/* Decoded (binary, 24-hour) fields in their ranges? */
static bool plausible(const struct rtc_time *t)
{
	return t->sec < 60 && t->min < 60 && t->hour < 24 && t->day >= 1 && t->day <= 31 &&
	       t->month >= 1 && t->month <= 12 && t->year < 100;
}

/* Read the CMOS clock: its time in *t and seconds since 1970 in *secs;
 * false when there is no RTC or what it holds is not a time. */
static bool cmos_read(struct rtc_time *t, int64_t *secs)
{
	struct rtc_time a, b;
	uint8_t status_b = cmos(RTC_STATUS_B);

	if (status_b == RTC_ABSENT && cmos(RTC_STATUS_A) == RTC_ABSENT)
		return false;
	read_raw(&a);
	do {
		b = a;
		read_raw(&a);
	} while (a.sec != b.sec || a.min != b.min || a.hour != b.hour || a.day != b.day);
	bool pm = a.hour & RTC_HOUR_PM;
	a.hour &= ~RTC_HOUR_PM;
	if (!(status_b & RTC_B_BINARY)) {
		a.sec = bcd(a.sec), a.min = bcd(a.min), a.hour = bcd(a.hour);
		a.day = bcd(a.day), a.month = bcd(a.month), a.year = bcd(a.year);
	}
	if (!(status_b & RTC_B_24H) && pm)
		a.hour = (a.hour % 12) + 12;
	if (!plausible(&a))
		return false;
	*t = a;
	*secs = days_from_civil(2000 + a.year, a.month, a.day) * SEC_PER_DAY + a.hour * 3600 +
		a.min * 60 + a.sec;
	return true;
}

/* No CMOS clock: the firmware's GetTime, if it has one. */
static void efi_fallback(void)
{
	struct efi_rt_time t;
	int err = efi_rt_get_time(&t);

	if (err) {
		klog(LOG_WARN, "rtc: no valid CMOS clock and no EFI GetTime (error %d); "
			       "the wall clock starts at 1970\n", err);
		return;
	}
	int64_t secs = efi_time_to_unix(&t);
	if (secs < 0) { /* the firmware's clock is set before 1970 */
		klog(LOG_WARN, "rtc: EFI GetTime says %04u, before 1970; the wall clock starts at 1970\n",
		     t.year);
		return;
	}
	time_set_realtime((uint64_t)secs * NSEC_PER_SEC);
	if (t.timezone == EFI_TIMEZONE_UNSPECIFIED)
		klog(LOG_INFO, "rtc: no valid CMOS clock; EFI GetTime: %04u-%02u-%02u "
			       "%02u:%02u:%02u UTC\n", t.year, t.month, t.day, t.hour, t.minute, t.second);
	else
		klog(LOG_INFO, "rtc: no valid CMOS clock; EFI GetTime: %04u-%02u-%02u "
			       "%02u:%02u:%02u, %d minutes from UTC\n", t.year, t.month, t.day, t.hour,
		     t.minute, t.second, t.timezone);
}

void rtc_init(void)
{
	struct rtc_time a;
	int64_t secs;

	if (!cmos_read(&a, &secs)) {
		efi_fallback();
		return;
	}
	time_set_realtime((uint64_t)secs * NSEC_PER_SEC);
	klog(LOG_INFO, "rtc: 20%02u-%02u-%02u %02u:%02u:%02u UTC\n", a.year, a.month, a.day, a.hour,
	     a.min, a.sec);
}

/* The firmware's clock and the CMOS one agree (GetTime works and
 * converts right): the fallback's test where the CMOS clock is there. */
SELFTEST(rtc_efi_gettime)
{
	struct rtc_time a;
	struct efi_rt_time t;
	int64_t cmos_secs;

	if (!efi_rt_available())
		return SELFTEST_SKIP("no EFI runtime services");
	if (!cmos_read(&a, &cmos_secs))
		return SELFTEST_SKIP("no CMOS clock to compare with");
	if (efi_rt_get_time(&t))
		return "GetTime failed";
	int64_t d = efi_time_to_unix(&t) - cmos_secs;
	if (d < -RTC_AGREE_SEC || d > RTC_AGREE_SEC)
		return "GetTime and the CMOS clock differ by more than 2 s";
	return NULL;
}
