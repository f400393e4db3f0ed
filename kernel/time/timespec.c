// SPDX-License-Identifier: MIT
/* Kestrel: user timespecs (see timespec.h). */
#include "time/timespec.h"
#include "time/time.h"
#include "proc/sched.h"
#include "lib/errno.h"
#include "uapi/time.h"

/* sec and nsec as ns: -EINVAL unless both >= 0 and nsec < 10^9;
 * saturates at TIMESPEC_FOREVER_NS. */
static int to_ns(int64_t sec, int64_t nsec, uint64_t *ns)
{
	const uint64_t max_sec = TIMESPEC_FOREVER_NS / NSEC_PER_SEC;

	if (sec < 0 || nsec < 0 || nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	*ns = ((uint64_t)sec > max_sec ? max_sec : (uint64_t)sec) * NSEC_PER_SEC + (uint64_t)nsec;
	return 0;
}

int timespec_read(uptr_t uts, uint64_t *ns)
{
	struct timespec_k t;

	if (copy_from_user(&t, uts, sizeof(t)))
		return -EFAULT;
	return to_ns(t.sec, t.nsec, ns);
}

int timeout_deadline(uptr_t uts, bool wall, uint64_t *deadline)
{
	uint64_t ns;
	int err;

	*deadline = NO_DEADLINE;
	if (!uts)
		return 0;
	if ((err = timespec_read(uts, &ns)))
		return err;
	*deadline = wall ? realtime_deadline(ns) : time_ns() + ns;
	return 0;
}

int timespec_write(uptr_t uts, uint64_t ns)
{
	struct timespec_k t = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };

	return copy_to_user(uts, &t, sizeof(t));
}

int itimerspec_read(uptr_t uits, uint64_t *value, uint64_t *interval)
{
	struct itimerspec_k its;
	int err;

	if (copy_from_user(&its, uits, sizeof(its)))
		return -EFAULT;
	if ((err = to_ns(its.value_sec, its.value_nsec, value)) < 0)
		return err;
	return to_ns(its.interval_sec, its.interval_nsec, interval);
}

int itimerspec_write(uptr_t uits, uint64_t value, uint64_t interval)
{
	struct itimerspec_k its = { (int64_t)(interval / NSEC_PER_SEC), (int64_t)(interval % NSEC_PER_SEC),
				    (int64_t)(value / NSEC_PER_SEC), (int64_t)(value % NSEC_PER_SEC) };

	return copy_to_user(uits, &its, sizeof(its));
}

/* An absolute CLOCK_REALTIME time as the time_ns() instant it names,
 * past ones too (before boot: 1), so that a periodic timer counts the
 * periods since then as overruns, as Linux's. */
static uint64_t realtime_instant(uint64_t wall_ns)
{
	uint64_t wall = time_realtime_ns(), now = time_ns();

	if (wall_ns >= wall)
		return now + (wall_ns - wall);
	return wall - wall_ns < now ? now - (wall - wall_ns) : 1;
}

uint64_t timer_deadline(bool wall, bool abstime, uint64_t value)
{
	uint64_t d = !abstime ? time_ns() + value : wall ? realtime_instant(value) : value;

	return d ? d : 1;
}

uint64_t timer_left(uint64_t deadline)
{
	uint64_t now = time_ns();

	return !deadline ? 0 : deadline > now ? deadline - now : 1;
}

uint64_t realtime_deadline(uint64_t wall_ns)
{
	uint64_t wall = time_realtime_ns();

	return time_ns() + (wall_ns > wall ? wall_ns - wall : 0);
}
