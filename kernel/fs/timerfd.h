/* SPDX-License-Identifier: MIT */
/* timerfd: a timer on the kernel's timer wheel whose expirations are read from a file descriptor. */
#ifndef KESTREL_FS_TIMERFD_H
#define KESTREL_FS_TIMERFD_H

#include <stdbool.h>
#include <stdint.h>

struct file;

/*
 * A new, disarmed timerfd of clock clockid (CLOCK_REALTIME, _MONOTONIC
 * or _BOOTTIME; the caller checks), with one reference. flags:
 * O_NONBLOCK (TFD_NONBLOCK). 0 or -ENOMEM.
 *
 * On the file, as Linux: read of at least 8 bytes waits for an
 * expiration and returns how many happened since the last read (or
 * settime), resetting the count; O_NONBLOCK: -EAGAIN; a signal:
 * -ERESTARTSYS; shorter buffers -EINVAL. poll: POLLIN after an
 * expiration. Expirations are counted on the scheduler tick (10 ms).
 */
int timerfd_create(struct file **out, int clockid, unsigned flags);
bool timerfd_is(const struct file *f);

/*
 * timerfd_settime: arm for value_ns (0: disarm) from now, or at the
 * clock's absolute time value_ns with abstime, then every interval_ns
 * (0: once); the count of expirations goes back to 0. *old_value_ns and
 * *old_interval_ns get what timerfd_gettime would have said before.
 */
void timerfd_settime(struct file *f, bool abstime, uint64_t value_ns, uint64_t interval_ns,
		     uint64_t *old_value_ns, uint64_t *old_interval_ns);
/* timerfd_gettime: the time to the next expiration (0: disarmed) and the interval. */
void timerfd_gettime(struct file *f, uint64_t *value_ns, uint64_t *interval_ns);

#endif
