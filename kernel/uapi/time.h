/* SPDX-License-Identifier: MIT */
/* Linux's clock ABI: clock ids, timer flags, interval timers, the clock-tick unit of times() and /proc. */
#ifndef KESTREL_UAPI_TIME_H
#define KESTREL_UAPI_TIME_H

#include <stdint.h>

/* Clock ids (include/uapi/linux/time.h). */
#define CLOCK_REALTIME           0
#define CLOCK_MONOTONIC          1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
#define CLOCK_MONOTONIC_RAW      4
#define CLOCK_REALTIME_COARSE    5
#define CLOCK_MONOTONIC_COARSE   6
#define CLOCK_BOOTTIME           7
#define CLOCK_REALTIME_ALARM     8
#define CLOCK_BOOTTIME_ALARM     9
#define CLOCK_TAI                11

/* struct itimerspec (timer_settime, timerfd_settime): the interval first. */
struct itimerspec_k {
	int64_t interval_sec, interval_nsec;
	int64_t value_sec, value_nsec;
};

/* clock_nanosleep flags. */
#define TIMER_ABSTIME 1

/* getitimer/setitimer's which. */
#define ITIMER_REAL    0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF    2

/* USER_HZ: the clock tick of times(), /proc and AT_CLKTCK (x86_64: 100). */
#define USER_HZ 100

#endif
