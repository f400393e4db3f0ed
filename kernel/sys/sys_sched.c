// SPDX-License-Identifier: MIT
/*
 * Kestrel: the POSIX scheduling queries glibc exposes (sched_get_priority_max,
 * sched_get_priority_min, sched_rr_get_interval). Every thread runs under
 * SCHED_NORMAL and is preempted at each timer tick, so the round-robin
 * interval reported is one tick.
 */
#include "sys/syscall_define.h"
#include "proc/process.h"
#include "time/time.h"
#include "time/timespec.h"
#include "lib/errno.h"
#include "uapi/sched.h"

/* A policy Linux knows: 0, or -EINVAL. */
static int policy_known(int policy)
{
	switch (policy) {
	case SCHED_NORMAL: case SCHED_FIFO: case SCHED_RR: case SCHED_BATCH: case SCHED_IDLE:
	case SCHED_DEADLINE:
		return 0;
	}
	return -EINVAL;
}

static bool policy_rt(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

SYSCALL_DEFINE1(sched_get_priority_max, int, policy)
{
	int err = policy_known(policy);
	return err ? err : policy_rt(policy) ? MAX_RT_PRIO : 0;
}

SYSCALL_DEFINE1(sched_get_priority_min, int, policy)
{
	int err = policy_known(policy);
	return err ? err : policy_rt(policy) ? 1 : 0;
}

/* The time slice of pid (0: the caller): one timer tick for everyone. */
SYSCALL_DEFINE2(sched_rr_get_interval, pid_t, pid, uptr_t, interval)
{
	if (pid < 0)
		return -EINVAL;
	if (pid && !process_find(pid))
		return -ESRCH;
	return timespec_write(interval, NSEC_PER_SEC / TIME_TICK_HZ);
}
