/* SPDX-License-Identifier: MIT */
/* The CMOS real-time clock: wall-clock time at boot. */
#ifndef KESTREL_DEV_RTC_H
#define KESTREL_DEV_RTC_H

#include <stdint.h>

/* Read the RTC once (at boot) and set the wall clock from it
 * (time_set_realtime). */
void rtc_init(void);

/* Days since 1970-01-01 for a civil date (pure; host-testable). */
int64_t rtc_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
