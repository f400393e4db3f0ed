// SPDX-License-Identifier: MIT
/* Kestrel: the small system calls libc start-up and busybox expect: limits, usage, sysinfo, prctl, getrandom, identities. */
#include "sys/syscall_define.h"
#include "sys/syscall.h"
#include "sys/sys_misc.h"
#include "proc/process.h"
#include "proc/acct.h"
#include "fs/nsfs.h"
#include "fs/pidfd.h"
#include "uapi/sched.h"
#include "sys/sys_fs.h"
#include "proc/rlimit.h"
#include "proc/signal.h"
#include "proc/sched.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "mm/usercopy.h"
#include "arch/x86_64/paging.h"
#include "fs/inode.h"
#include "dev/tty.h"
#include "time/time.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "uapi/personality.h"
#include "uapi/resource.h"
#include "sys/seccomp.h"
#include "uapi/prctl.h"
#include "uapi/random.h"
#include "uapi/time.h"

struct tms_k { int64_t utime, stime, cutime, cstime; };

#define NS_PER_CLOCK_TICK (NSEC_PER_SEC / USER_HZ)

/* times(buf): the caller's and its reaped children's CPU time in clock
 * ticks; returns the ticks since boot (any fixed point in the past will do). */
SYSCALL_DEFINE1(times, uptr_t, buf)
{
	uint64_t ticks = time_ns() / NS_PER_CLOCK_TICK;
	struct process *p = current_process();
	struct cpu_times self = process_cpu_times(p), kids = p->child_times;
	struct tms_k t = {
		(int64_t)(self.user_ns / NS_PER_CLOCK_TICK), (int64_t)(self.sys_ns / NS_PER_CLOCK_TICK),
		(int64_t)(kids.user_ns / NS_PER_CLOCK_TICK), (int64_t)(kids.sys_ns / NS_PER_CLOCK_TICK),
	};

	if (buf && copy_to_user(buf, &t, sizeof(t)))
		return -EFAULT;
	return (long)ticks;
}

struct sysinfo_k {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char rest[4];
};

SYSCALL_DEFINE1(sysinfo, uptr_t, info)
{
	struct sysinfo_k si;

	memset(&si, 0, sizeof(si));
	si.uptime = (int64_t)(time_ns() / NSEC_PER_SEC);
	si.totalram = pmm_managed_pages() * PAGE_SIZE;
	si.freeram = pmm_free_pages() * PAGE_SIZE;
	si.procs = 1;
	si.mem_unit = 1;
	return copy_to_user(info, &si, sizeof(si));
}

/* struct rusage: two timevals, then fourteen longs (maxrss, then faults, ... Kestrel leaves 0). */
struct rusage_k {
	int64_t utime_sec, utime_usec, stime_sec, stime_usec;
	int64_t maxrss;           /* KiB */
	int64_t rest[13];
};

int put_rusage(uint64_t uaddr, const struct usage *u)
{
	const struct cpu_times *times = &u->times;
	struct rusage_k ru;

	memset(&ru, 0, sizeof(ru));
	ru.maxrss = (int64_t)(u->maxrss_pages * (PAGE_SIZE / 1024));
	ru.utime_sec = (int64_t)(times->user_ns / NSEC_PER_SEC);
	ru.utime_usec = (int64_t)(times->user_ns % NSEC_PER_SEC / 1000);
	ru.stime_sec = (int64_t)(times->sys_ns / NSEC_PER_SEC);
	ru.stime_usec = (int64_t)(times->sys_ns % NSEC_PER_SEC / 1000);
	return copy_to_user(uaddr, &ru, sizeof(ru));
}

/* getrusage(who, usage): the caller (one thread: SELF and THREAD agree) or its reaped children. */
SYSCALL_DEFINE2(getrusage, int, who, uptr_t, ru)
{
	struct process *p = current_process();
	struct usage u;

	if (who == RUSAGE_CHILDREN)
		u = (struct usage){ p->child_times, p->child_maxrss_pages };
	else if (who == RUSAGE_SELF || who == RUSAGE_THREAD)
		u = (struct usage){ process_cpu_times(p), process_maxrss_pages(p) };
	else
		return -EINVAL;
	return put_rusage(ru, &u);
}

/* prlimit64(pid, resource, new, old): the limits of the caller (pid 0)
 * or of another process, as Linux's: the new limit is read first, the
 * old one written only after the new one took. Another process's limits,
 * read or written, need its credentials to be the caller's
 * (cred_may_prlimit) or CAP_SYS_RESOURCE: else -EPERM. */
SYSCALL_DEFINE4(prlimit64, pid_t, pid, unsigned int, res, uptr_t, unew, uptr_t, uold)
{
	struct process *p = pid ? process_find(pid) : current_process();
	struct rlimit_k next, old;

	if (unew && copy_from_user(&next, unew, sizeof(next)))
		return -EFAULT;
	if (!p || p->state != PROC_ALIVE)
		return -ESRCH;
	if (p != current_process() && !cred_may_prlimit(current_cred(), process_cred(p)) &&
	    !capable(CAP_SYS_RESOURCE))
		return -EPERM;
	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	old = p->rlim.lim[res];
	if (unew) {
		int r = rlimit_set(&p->rlim, res, &next, capable(CAP_SYS_RESOURCE));
		if (r)
			return r;
	}
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(getrlimit, unsigned int, res, uptr_t, ulim)
{
	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	return copy_to_user(ulim, &current_process()->rlim.lim[res], sizeof(struct rlimit_k));
}

SYSCALL_DEFINE2(setrlimit, unsigned int, res, uptr_t, ulim)
{
	struct rlimit_k next;

	if (copy_from_user(&next, ulim, sizeof(next)))
		return -EFAULT;
	return rlimit_set(&current_process()->rlim, res, &next, capable(CAP_SYS_RESOURCE));
}

/* PR_GET_TSC (the calling thread's mode, an int at arg2) and PR_SET_TSC
 * (PR_TSC_ENABLE or PR_TSC_SIGSEGV, else -EINVAL), as Linux's per-thread
 * get_tsc_mode and set_tsc_mode (arch/x86_64/thread.h). */
static long prctl_tsc(int option, unsigned long arg2)
{
	struct arch_thread *a = &current_thread()->arch;

	if (option == PR_GET_TSC) {
		int mode = a->tsc_off ? PR_TSC_SIGSEGV : PR_TSC_ENABLE;
		return copy_to_user(arg2, &mode, sizeof(mode));
	}
	if (arg2 != PR_TSC_ENABLE && arg2 != PR_TSC_SIGSEGV)
		return -EINVAL;
	arch_thread_set_tsc(a, arg2 == PR_TSC_SIGSEGV);
	return 0;
}

SYSCALL_DEFINE5(prctl, int, option, unsigned long, arg2, unsigned long, arg3, unsigned long, arg4, unsigned long, arg5)
{
	struct process *p = current_process();
	char name[16];

	if (option == PR_SET_NAME) {
		long n = strncpy_from_user(name, arg2, sizeof(name));
		if (n == -EFAULT)
			return -EFAULT;
		strlcpy(p->name, name, sizeof(p->name));
		return 0;
	}
	if (option == PR_GET_NAME)
		return copy_to_user(arg2, p->name, sizeof(p->name));
	if (option == PR_SET_PDEATHSIG) {
		if (arg2 > NSIG)
			return -EINVAL;
		p->pdeath_signal = (int)arg2;
		return 0;
	}
	if (option == PR_GET_PDEATHSIG)
		return copy_to_user(arg2, &p->pdeath_signal, sizeof(int));
	if (option == PR_GET_TSC || option == PR_SET_TSC)
		return prctl_tsc(option, arg2);
	if (option == PR_GET_SECCOMP || option == PR_SET_SECCOMP)
		return seccomp_prctl(option, arg2, arg3);
	return prctl_task(option, arg2, arg3, arg4, arg5);
}

/* getrandom(buf, count, flags): /dev/urandom's bytes, at most INT_MAX per
 * call, as Linux (a long request is killable: the bytes so far). */
SYSCALL_DEFINE3(getrandom, uptr_t, ubuf, size_t, count, unsigned int, flags)
{
	if (flags & ~(uint32_t)(GRND_NONBLOCK | GRND_RANDOM))
		return -EINVAL;
	return devfs_random_fill(iobuf_user(ubuf), count > INT32_MAX ? INT32_MAX : count);
}

/* personality(persona): the process's persona before the call; any other
 * value than PERSONALITY_QUERY becomes the new one, whatever its domain
 * (Linux keeps the value as given; only STICKY_TIMEOUTS and the exec-time
 * clearing act on it here). */
SYSCALL_DEFINE1(personality, unsigned int, persona)
{
	struct process *p = current_process();

	if (persona == PERSONALITY_QUERY)
		return __atomic_load_n(&p->personality, __ATOMIC_RELAXED);
	return __atomic_exchange_n(&p->personality, persona, __ATOMIC_RELAXED);
}

/* acct(path): BSD process accounting to the file at path, or off for
 * NULL (proc/acct.h), as Linux's: CAP_SYS_PACCT (-EPERM) before anything,
 * then the path (-EFAULT, -ENAMETOOLONG, -ENOENT for an empty one) and
 * the open's errors. */
SYSCALL_DEFINE1(acct, uptr_t, upath)
{
	char *path = NULL;

	if (!capable(CAP_SYS_PACCT))
		return -EPERM;
	if (upath) {
		int err = user_path(upath, &path, false);
		if (err)
			return err;
	}
	long r = acct_set(path);
	kfree(path);
	return r;
}

/* The namespace flags setns may name through a pidfd (Linux's check_setns_flags). */
#define SETNS_ALL (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
		   CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWTIME)

/* Joining the namespaces of types (CLONE_NEW* bits) that the caller is in
 * already: Kestrel has one of each, so the target's are the caller's. As
 * Linux's install hooks: the user namespace is EINVAL (userns_install:
 * the caller's own), the others need CAP_SYS_ADMIN (the mount namespace
 * CAP_SYS_CHROOT too, and a working directory and root not shared by
 * CLONE_FS, EINVAL), then change nothing but the mount namespace's, which
 * moves root and working directory to the namespace's root. */
static long setns_same(unsigned types)
{
	struct process *p = current_process();

	if (types & CLONE_NEWUSER)
		return -EINVAL;
	if (!capable(CAP_SYS_ADMIN) || ((types & CLONE_NEWNS) && !capable(CAP_SYS_CHROOT)))
		return -EPERM;
	if (!(types & CLONE_NEWNS))
		return 0;
	if (p->fs_share)
		return -EINVAL;
	process_set_root(p, inode_get(vfs_root()));
	process_set_cwd(p, inode_get(vfs_root()));
	return 0;
}

/* setns(fd, nstype), Linux 6.1's order: EBADF; a namespace file whose type
 * nstype (0: any) must match, or a pidfd with a non-empty set of
 * namespace flags, else EINVAL; then the join (setns_same). A pidfd's
 * process must still be alive (ESRCH). */
SYSCALL_DEFINE2(setns, int, fd, int, nstype)
{
	struct file *f = fd_file_io(fd); /* EBADF for O_PATH too, as Linux's fdget */
	unsigned types = (unsigned)nstype;
	long err = 0;

	if (!f)
		return -EBADF;
	unsigned ns = nsfs_file_type(f);
	if (ns) {
		if (types && types != ns)
			err = -EINVAL;
		types = ns;
	} else if (pidfd_is(f)) {
		struct process *target;
		if (!types || (types & ~(unsigned)SETNS_ALL))
			err = -EINVAL;
		else if ((err = pidfd_process(f, &target)) == 0 && target->state != PROC_ALIVE)
			err = -ESRCH;
	} else {
		err = -EINVAL;
	}
	if (!err)
		err = setns_same(types);
	file_put(f);
	return err;
}

/* vhangup(): as Linux's, CAP_SYS_TTY_CONFIG (-EPERM), then the caller's
 * controlling terminal, if any, is hung up (dev/tty.h); 0. */
SYSCALL_DEFINE0(vhangup)
{
	if (!capable(CAP_SYS_TTY_CONFIG))
		return -EPERM;
	tty_vhangup_self();
	return 0;
}
