// SPDX-License-Identifier: MIT
/*
 * Kestrel: clock_settime(2). CLOCK_REALTIME is set with CAP_SYS_TIME
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
