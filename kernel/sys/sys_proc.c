// SPDX-License-Identifier: MIT
/* Kestrel: exit, process and thread ids, arch_prctl, set_tid_address, sched_yield, uname,
 * sethostname and setdomainname. */
#include "sys/syscall_define.h"
#include "sys/syscall.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "proc/uts.h"
#include "mm/layout.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "uapi/capability.h"
#include "uapi/prctl.h"


/* exit: this thread only; the last one to go ends the process. */
SYSCALL_DEFINE1(exit, int, status)
{
	process_thread_exit_current(WSTATUS_EXITED((int)status));
}

/* exit_group: every thread of the process (what libc's exit() calls). */
SYSCALL_DEFINE1(exit_group, int, status)
{
	process_exit_current(WSTATUS_EXITED((int)status));
}

SYSCALL_DEFINE0(getpid)
{
	return current_process()->pid;
}

SYSCALL_DEFINE0(gettid)
{
	return current_thread()->tid;
}

SYSCALL_DEFINE2(arch_prctl, int, code, unsigned long, addr)
{
	struct thread *t = current_thread();

	switch (code) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		/* WRMSR faults on a non-canonical base; Linux wants a user address */
		if (addr >= USER_VA_END)
			return -EPERM;
		if (code == ARCH_SET_FS)
			arch_thread_set_fs_base(&t->arch, addr);
		else
			arch_thread_set_gs_base(&t->arch, addr);
		return 0;
	case ARCH_GET_FS:
		arch_thread_read_bases(&t->arch); /* the live value, as Linux's x86_fsbase_read_task */
		return copy_to_user(addr, &t->arch.fs_base, sizeof(t->arch.fs_base));
	case ARCH_GET_GS:
		arch_thread_read_bases(&t->arch);
		return copy_to_user(addr, &t->arch.gs_base, sizeof(t->arch.gs_base));
	case ARCH_GET_CPUID:
		return 1; /* CPUID runs: Kestrel does not fault it */
	case ARCH_SET_CPUID:
		return -ENODEV; /* as Linux on a CPU without CPUID faulting (no cpuid_fault flag) */
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE1(set_tid_address, uptr_t, ptr)
{
	current_thread()->clear_child_tid = ptr;
	return current_thread()->tid;
}

SYSCALL_DEFINE0(sched_yield)
{
	sched_yield();
	return 0;
}

/* struct new_utsname's fields, in order. */
enum { UTSF_SYSNAME, UTSF_NODENAME, UTSF_RELEASE, UTSF_VERSION, UTSF_MACHINE, UTSF_DOMAINNAME, UTSF_COUNT };

SYSCALL_DEFINE1(uname, uptr_t, buf)
{
	static const char *const fixed[UTSF_COUNT] = { UTS_SYSNAME, NULL, UTS_RELEASE, UTS_VERSION, "x86_64", NULL };
	char uts[UTSF_COUNT][UTS_FIELD_LEN];

	memset(uts, 0, sizeof(uts));
	for (int i = 0; i < UTSF_COUNT; i++)
		if (fixed[i])
			strlcpy(uts[i], fixed[i], UTS_FIELD_LEN);
	uts_get(UTS_HOSTNAME, uts[UTSF_NODENAME]);
	uts_get(UTS_DOMAINNAME, uts[UTSF_DOMAINNAME]);
	return copy_to_user(buf, uts, sizeof(uts));
}

/*
 * sethostname and setdomainname, as Linux's kernel/sys.c: CAP_SYS_ADMIN
 * first (-EPERM), then len from 0 to UTS_NAME_LEN (-EINVAL), then the
 * bytes (-EFAULT, nothing changed). The name is the len bytes as they
 * are, NULs included, the rest of the field cleared.
 */
static long set_uts_name(enum uts_field field, uptr_t name, int len)
{
	char tmp[UTS_NAME_LEN];

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (len < 0 || len > UTS_NAME_LEN)
		return -EINVAL;
	if (copy_from_user(tmp, name, (size_t)len))
		return -EFAULT;
	uts_set(field, tmp, (size_t)len);
	return 0;
}

SYSCALL_DEFINE2(sethostname, uptr_t, name, int, len)
{
	return set_uts_name(UTS_HOSTNAME, name, len);
}

SYSCALL_DEFINE2(setdomainname, uptr_t, name, int, len)
{
	return set_uts_name(UTS_DOMAINNAME, name, len);
}
