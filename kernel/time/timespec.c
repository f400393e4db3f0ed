// SPDX-License-Identifier: MIT
/* Kestrel: user timespecs (see timespec.h). */
#include "time/timespec.h"
#include "time/time.h"
#include "lib/errno.h"

int timespec_read(uptr_t uts, uint64_t *ns)
{
	const uint64_t max_sec = TIMESPEC_FOREVER_NS / NSEC_PER_SEC;
	struct timespec_k t;

	if (copy_from_user(&t, uts, sizeof(t)))
		return -EFAULT;
	if (t.sec < 0 || t.nsec < 0 || t.nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	*ns = ((uint64_t)t.sec > max_sec ? max_sec : (uint64_t)t.sec) * NSEC_PER_SEC + (uint64_t)t.nsec;
	return 0;
}

int timespec_write(uptr_t uts, uint64_t ns)
{
	struct timespec_k t = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };

	return copy_to_user(uts, &t, sizeof(t));
}

uint64_t realtime_deadline(uint64_t wall_ns)
{
	uint64_t wall = time_realtime_ns();

	return time_ns() + (wall_ns > wall ? wall_ns - wall : 0);
}
