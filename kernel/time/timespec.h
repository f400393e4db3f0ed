/* SPDX-License-Identifier: MIT */
/* Linux's struct timespec between user memory and the kernel's nanoseconds: sleeps, timeouts, clocks. */
#ifndef KESTREL_TIME_TIMESPEC_H
#define KESTREL_TIME_TIMESPEC_H

#include <stdbool.h>
#include <stdint.h>
#include "mm/usercopy.h"

/* A duration longer than this (about 146 years) is as good as forever. */
#define TIMESPEC_FOREVER_NS (UINT64_MAX / 4)

struct timespec_k {
	int64_t sec, nsec;
};

/* Read a user timespec as ns, saturating at TIMESPEC_FOREVER_NS: 0,
 * -EFAULT, or -EINVAL (a negative field, or nsec >= 10^9). */
int timespec_read(uptr_t uts, uint64_t *ns);
/* Write ns to user memory as a timespec: 0 or -EFAULT. */
int timespec_write(uptr_t uts, uint64_t ns);
/* An absolute CLOCK_REALTIME time as a time_ns() deadline (now if past). */
uint64_t realtime_deadline(uint64_t wall_ns);
/* A system call's optional timeout (uts 0: none, NO_DEADLINE) as a
 * time_ns() deadline: from now, or (wall) an absolute CLOCK_REALTIME
 * time. 0, or timespec_read's -EFAULT, -EINVAL. */
int timeout_deadline(uptr_t uts, bool wall, uint64_t *deadline);

/* A user itimerspec as ns, value and interval: 0, -EFAULT, or -EINVAL
 * (either timespec as timespec_read refuses it). */
int itimerspec_read(uptr_t uits, uint64_t *value, uint64_t *interval);
/* Write value and interval to user memory as an itimerspec: 0 or -EFAULT. */
int itimerspec_write(uptr_t uits, uint64_t value, uint64_t interval);
/* An interval timer's time_ns() deadline for value (never 0): from now,
 * or absolute on its clock (wall: CLOCK_REALTIME's kind, converted; a
 * past time stays in the past, for the overrun count). */
uint64_t timer_deadline(bool wall, bool abstime, uint64_t value);
/* An interval timer's time left to deadline: 0 when disarmed (deadline
 * 0); one that is due but has not run yet reads 1 ns, never disarmed. */
uint64_t timer_left(uint64_t deadline);

#endif
