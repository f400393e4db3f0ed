// SPDX-License-Identifier: MIT
/*
 * Kestrel: clock_settime(2) and settimeofday(2) (glibc's stime goes
 * through the latter; x86_64 has no stime system call). CLOCK_REALTIME is set with CAP_SYS_TIME
 * (-EPERM without it) and moves every reader of the wall clock at once;
 * every other clock, the monotonic ones and CLOCK_PROCESS_CPUTIME_ID and
 * CLOCK_THREAD_CPUTIME_ID included, is -EINVAL before the time is even
 * read, as Linux has no setter for them (its clock_process and
 * clock_thread have none; posix_cpu_clock_set's EPERM is for the clocks
 * clock_getcpuclockid names, which Kestrel does not set either).
 */
#include "sys/syscall_define.h"
#include "proc/process.h"
#include "time/time.h"
#include "time/timespec.h"
#include "lib/errno.h"
#include "mm/usercopy.h"
#include "uapi/capability.h"
#include "uapi/time.h"

SYSCALL_DEFINE2(clock_settime, clockid_t, which, uptr_t, tp)
{
	uint64_t ns;

	if (which != CLOCK_REALTIME)
		return -EINVAL;
	int err = timespec_read(tp, &ns);
	if (err)
		return err;
	/* Linux refuses times from about 2232 on (timespec64_valid_settod);
	 * timespec_read saturates from 2116 on, so those are refused too
	 * rather than set to a time nobody asked for. */
	if (ns >= TIMESPEC_FOREVER_NS)
		return -EINVAL;
	if (!capable(CAP_SYS_TIME))
		return -EPERM;
	time_set_realtime(ns);
	return 0;
}

/* x86_64's struct timeval and struct timezone. */
struct timeval_u {
	int64_t tv_sec, tv_usec;
};
struct timezone_u {
	int32_t tz_minuteswest, tz_dsttime;
};
#define TZ_MINUTES_MAX (15 * 60) /* Linux: within +-15 hours of UTC */
#define USEC_PER_SEC 1000000

/* A timeval as a wall-clock time in ns, refused as Linux's
 * timespec64_valid_settod refuses it (and from 2116 on, as clock_settime
 * here): 0 or -EINVAL. */
static int settod_ns(const struct timeval_u *tv, uint64_t *ns)
{
	if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= USEC_PER_SEC ||
	    (uint64_t)tv->tv_sec >= TIMESPEC_FOREVER_NS / NSEC_PER_SEC)
		return -EINVAL;
	*ns = (uint64_t)tv->tv_sec * NSEC_PER_SEC + (uint64_t)tv->tv_usec * 1000;
	return 0;
}

/* settimeofday(tv, tz): Linux's order: tv read (-EFAULT) and its tv_usec
 * checked, tz read, the time checked (-EINVAL), then CAP_SYS_TIME (-EPERM), then the zone's range
 * (-EINVAL). The zone is checked and not kept: gettimeofday reports none
 * (nor does the vDSO's), so keeping it would show nothing. */
SYSCALL_DEFINE2(settimeofday, uptr_t, utv, uptr_t, utz)
{
	struct timeval_u tv;
	struct timezone_u tz;
	uint64_t ns = 0;
	int err;

	if (utv && copy_from_user(&tv, utv, sizeof(tv)))
		return -EFAULT;
	if (utv && (tv.tv_usec > USEC_PER_SEC || tv.tv_usec < 0))
		return -EINVAL; /* Linux looks at tv_usec before it reads tz */
	if (utz && copy_from_user(&tz, utz, sizeof(tz)))
		return -EFAULT;
	if (utv && (err = settod_ns(&tv, &ns)))
		return err;
	if (!capable(CAP_SYS_TIME))
		return -EPERM;
	if (utz && (tz.tz_minuteswest > TZ_MINUTES_MAX || tz.tz_minuteswest < -TZ_MINUTES_MAX))
		return -EINVAL;
	if (utv)
		time_set_realtime(ns);
	return 0;
}
