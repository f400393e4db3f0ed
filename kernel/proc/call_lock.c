// SPDX-License-Identifier: MIT
/* Kestrel: the kernel lock taken midway by a system call that runs
 * without it (proc/call_lock.h), counted under the call in
 * /proc/klock_stat. */
#include "proc/call_lock.h"
#include "arch/x86_64/klock.h"
#include "proc/sched.h"

bool call_lock(void)
{
	if (klock_held())
		return false;
	klock_enter_call(current_thread()->syscall_nr);
	return true;
}

void call_unlock(bool taken)
{
	if (taken)
		klock_leave_any();
}

void call_lock_kept(void)
{
	if (!this_cpu_klock_depth())
		klock_enter_call_depth0(current_thread()->syscall_nr);
}

bool call_unlock_entry(void)
{
	if (this_cpu_klock_depth() != 1)
		return false;
	klock_leave_call();
	return true;
}
