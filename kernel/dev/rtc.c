// SPDX-License-Identifier: MIT
/*
 * Kestrel: the CMOS RTC (MC146818 and its descendants). Read once at
 * boot, waiting out an update in progress and reading until two reads
 * agree; BCD and 12-hour modes are decoded. The RTC is taken to hold UTC.
 */
#include "dev/rtc.h"
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

void rtc_init(void)
{
	struct rtc_time a, b;
	uint8_t status_b = cmos(RTC_STATUS_B);

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
	int64_t days = days_from_civil(2000 + a.year, a.month, a.day);
	time_set_realtime(((uint64_t)days * 86400 + a.hour * 3600 + a.min * 60 + a.sec) * NSEC_PER_SEC);
	klog(LOG_INFO, "rtc: 20%02u-%02u-%02u %02u:%02u:%02u UTC\n", a.year, a.month, a.day, a.hour,
	     a.min, a.sec);
}
