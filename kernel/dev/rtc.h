/* SPDX-License-Identifier: MIT */
/* The CMOS real-time clock: wall-clock time at boot. */
#ifndef KESTREL_DEV_RTC_H
#define KESTREL_DEV_RTC_H

#include <stdint.h>

/* Read the RTC once (at boot) and set the wall clock from it
 * (time_set_realtime). */
void rtc_init(void);

#endif
