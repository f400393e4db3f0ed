// SPDX-License-Identifier: MIT
/* Kestrel: exit, process and thread ids, arch_prctl, set_tid_address, sched_yield, uname. */
#include "sys/syscall.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "mm/layout.h"
#include "mm/usercopy.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"
#include "lib/string.h"

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define UTS_LEN 65

/* exit: this thread only; the last one to go ends the process. */
long sys_exit(uint64_t status, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	process_thread_exit_current(WSTATUS_EXITED((int)status));
}

/* exit_group: every thread of the process (what libc's exit() calls). */
long sys_exit_group(uint64_t status, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	process_exit_current(WSTATUS_EXITED((int)status));
}

long sys_getpid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return current_process()->pid;
}

long sys_gettid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return current_thread()->tid;
}

long sys_arch_prctl(uint64_t code, uint64_t addr, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct thread *t = current_thread();

	(void)a2, (void)a3, (void)a4, (void)a5;
	switch (code) {
	case ARCH_SET_FS:
		if (addr >= USER_TOP)
			return -EPERM;
		t->fs_base = addr;
		wrmsr(MSR_FS_BASE, addr);
		return 0;
	case ARCH_GET_FS:
		return copy_to_user(addr, &t->fs_base, sizeof(t->fs_base));
	default:
		return -EINVAL;
	}
}

long sys_set_tid_address(uint64_t ptr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	current_thread()->clear_child_tid = ptr;
	return current_thread()->tid;
}

long sys_sched_yield(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	sched_yield();
	return 0;
}

long sys_uname(uint64_t buf, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	static const char *const fields[6] = { "Kestrel", "kestrel", "0.1", "#1", "x86_64", "(none)" };
	char uts[6][UTS_LEN];

	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	memset(uts, 0, sizeof(uts));
	for (int i = 0; i < 6; i++)
		strlcpy(uts[i], fields[i], UTS_LEN);
	return copy_to_user(buf, uts, sizeof(uts));
}
