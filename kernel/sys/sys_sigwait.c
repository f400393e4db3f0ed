// SPDX-License-Identifier: MIT
/*
 * Kestrel: rt_sigtimedwait(2), behind glibc's sigwait, sigwaitinfo and
 * sigtimedwait. The lowest pending signal of the set (the thread's own
 * first, then its process's) is taken as signalfd takes it, its siginfo
 * copied out, and its number returned; with none, the thread sleeps until
 * one comes (-EAGAIN at the timeout, -EINTR when a signal outside the set
 * is to be handled). As on Linux the set's signals need not be blocked,
 * and SIGKILL and SIGSTOP are never waited for.
 */
#include "sys/syscall_define.h"
#include "fs/vfs.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "mm/usercopy.h"
#include "time/time.h"
#include "time/timespec.h"
#include "lib/errno.h"
#include "uapi/signal.h"

/* The longest sleep between two looks at the pending sets: one tick. A
 * signal queued while it is blocked wakes io_event_wq only when a
 * signalfd asked for that (signal_set_queued_hook), so the wait does
 * not count on it. */
#define SIGWAIT_POLL_NS (NSEC_PER_SEC / TIME_TICK_HZ)

/* The set's signal, or 0 at the deadline, -EINTR for another signal. */
static int wait_for_signal(uint64_t mask, struct siginfo_k *info, uint64_t deadline)
{
	for (;;) {
		int sig = signal_dequeue(mask, info);
		if (sig)
			return sig;
		uint64_t now = time_ns();
		if (now >= deadline)
			return 0;
		if (signal_pending() || fatal_signal_pending())
			return -EINTR;
		wait_on(&io_event_wq, deadline - now < SIGWAIT_POLL_NS ? deadline : now + SIGWAIT_POLL_NS);
	}
}

SYSCALL_DEFINE4(rt_sigtimedwait, uptr_t, uset, uptr_t, uinfo, uptr_t, uts, size_t, sigsetsize)
{
	uint64_t mask, timeout = NO_DEADLINE;
	struct siginfo_k info;

	if (sigsetsize != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(&mask, uset, sizeof(mask)))
		return -EFAULT;
	if (uts) {
		int err = timespec_read(uts, &timeout);
		if (err)
			return err;
	}
	uint64_t deadline = uts ? time_ns() + timeout : NO_DEADLINE;
	int sig = wait_for_signal(mask & ~SIG_UNBLOCKABLE, &info, deadline);
	if (sig == 0)
		return -EAGAIN;
	if (sig > 0 && uinfo && copy_to_user(uinfo, &info, sizeof(info)))
		return -EFAULT;
	return sig;
}
