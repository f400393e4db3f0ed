// SPDX-License-Identifier: MIT
/* Kestrel: clock_gettime, gettimeofday, nanosleep. */
#include "sys/syscall.h"
#include "dev/time.h"
#include "dev/rtc.h"
#include "mm/usercopy.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "proc/sched.h"
#include "lib/errno.h"

#define NSEC_PER_SEC 1000000000ull
#define CLOCK_REALTIME           0
#define CLOCK_MONOTONIC          1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
#define CLOCK_MONOTONIC_RAW      4
#define CLOCK_REALTIME_COARSE    5
#define CLOCK_MONOTONIC_COARSE   6
#define CLOCK_BOOTTIME           7

struct timespec_user {
	int64_t sec, nsec;
};

long sys_clock_gettime(uint64_t clk, uint64_t ts, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	if (clk > CLOCK_BOOTTIME)
		return -EINVAL;
	bool wall = clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE;
	uint64_t ns = wall ? rtc_realtime_ns() : time_ns();
	struct timespec_user t = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
	return copy_to_user(ts, &t, sizeof(t));
}

long sys_gettimeofday(uint64_t tv, uint64_t tz, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)tz, (void)a2, (void)a3, (void)a4, (void)a5;
	uint64_t ns = rtc_realtime_ns();
	struct timespec_user t = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC / 1000) };
	return tv ? copy_to_user(tv, &t, sizeof(t)) : 0;
}

long sys_nanosleep(uint64_t req, uint64_t rem, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct timespec_user t;

	(void)rem, (void)a2, (void)a3, (void)a4, (void)a5;
	if (copy_from_user(&t, req, sizeof(t)))
		return -EFAULT;
	if (t.sec < 0 || t.nsec < 0 || t.nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	uint64_t deadline = time_ns() + (uint64_t)t.sec * NSEC_PER_SEC + (uint64_t)t.nsec;
	while (time_ns() < deadline) {
		if (signal_pending())
			return -EINTR;
		wait_on(NULL, deadline);
	}
	return 0;
}

long sys_time(uint64_t tloc, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	int64_t t = (int64_t)(rtc_realtime_ns() / NSEC_PER_SEC);

	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	if (tloc && copy_to_user(tloc, &t, sizeof(t)))
		return -EFAULT;
	return t;
}
