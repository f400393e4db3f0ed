// SPDX-License-Identifier: MIT
/*
 * Kestrel: capget/capset and getpriority/setpriority. Every process runs
 * as root; what it can change (its capability sets, its nice value) is
 * in proc/cred.h, with Linux's rules.
 */
#include "sys/syscall_define.h"
#include "sys/syscalls.h"
#include "sys/sys_misc.h"
#include "proc/cred.h"
#include "proc/process.h"
#include "proc/rlimit.h"
#include "lib/errno.h"
#include "uapi/capability.h"
#include "uapi/prctl.h"
#include "uapi/resource.h"

/* struct __user_cap_header_struct and __user_cap_data_struct. */
struct cap_header_k { uint32_t version; int pid; };
struct cap_data_k { uint32_t effective, permitted, inheritable; };

/* Linux's cap_validate_magic: how many data structs the header's
 * version uses, or -EINVAL with the preferred version written back
 * (-EFAULT when the header cannot be read or written). */
static int cap_version(uptr_t header, unsigned *count)
{
	uint32_t version, preferred = _LINUX_CAPABILITY_VERSION_3;

	if (copy_from_user(&version, header, sizeof(version)))
		return -EFAULT;
	if (version == _LINUX_CAPABILITY_VERSION_1) {
		*count = _LINUX_CAPABILITY_U32S_1;
		return 0;
	}
	if (version == _LINUX_CAPABILITY_VERSION_2 || version == _LINUX_CAPABILITY_VERSION_3) {
		*count = _LINUX_CAPABILITY_U32S_3;
		return 0;
	}
	if (copy_to_user(header, &preferred, sizeof(preferred)))
		return -EFAULT;
	return -EINVAL;
}

/* capget(header, data): a NULL data with an unknown version is 0 (the
 * probe libcap uses: the preferred version is in the header). */
SYSCALL_DEFINE2(capget, uptr_t, header, uptr_t, data)
{
	struct cap_header_k h;
	struct cap_data_k d[_LINUX_CAPABILITY_U32S_3];
	unsigned count;
	int err = cap_version(header, &count);

	if (!data || err)
		return !data && err == -EINVAL ? 0 : err;
	if (copy_from_user(&h, header, sizeof(h)))
		return -EFAULT;
	if (h.pid < 0)
		return -EINVAL;
	struct process *p = h.pid ? process_find(h.pid) : current_process();
	if (!p)
		return -ESRCH;
	for (unsigned i = 0; i < count; i++) {
		d[i].effective = (uint32_t)(p->cred.cap_effective >> (32 * i));
		d[i].permitted = (uint32_t)(p->cred.cap_permitted >> (32 * i));
		d[i].inheritable = (uint32_t)(p->cred.cap_inheritable >> (32 * i));
	}
	return copy_to_user(data, d, count * sizeof(d[0]));
}

/* capset(header, data): only the caller's own sets (pid 0 or its own),
 * else -EPERM; the rules are cred_capset's. */
SYSCALL_DEFINE2(capset, uptr_t, header, uptr_t, data)
{
	struct cap_header_k h;
	struct cap_data_k d[_LINUX_CAPABILITY_U32S_3] = { 0 };
	uint64_t e = 0, pm = 0, in = 0;
	unsigned count;
	int err = cap_version(header, &count);
	struct process *p = current_process();

	if (err)
		return err;
	if (copy_from_user(&h, header, sizeof(h)))
		return -EFAULT;
	if (h.pid != 0 && h.pid != p->pid)
		return -EPERM;
	if (copy_from_user(d, data, count * sizeof(d[0])))
		return -EFAULT;
	for (unsigned i = 0; i < count; i++) {
		e |= (uint64_t)d[i].effective << (32 * i);
		pm |= (uint64_t)d[i].permitted << (32 * i);
		in |= (uint64_t)d[i].inheritable << (32 * i);
	}
	return cred_capset(&p->cred, e, pm, in);
}

/* ------------------------------------------------------------ nice values */

/* Which processes a getpriority/setpriority names, and what came of it. */
struct prio_walk {
	int which, who;
	int nice;       /* setpriority: the clamped new value */
	int best;       /* getpriority: the highest 20 - nice seen, 0 for none */
	long err;       /* setpriority: -ESRCH until one matched */
	bool set;
};

static bool prio_match(const struct process *p, const struct prio_walk *w)
{
	if (p->state != PROC_ALIVE)
		return false;
	if (w->which == PRIO_PROCESS)
		return p->pid == w->who;
	if (w->which == PRIO_PGRP)
		return p->pgid == w->who;
	return w->who == 0; /* PRIO_USER: every process is uid 0's */
}

/* Linux's can_nice: a lower nice needs RLIMIT_NICE >= 20 - nice or CAP_SYS_NICE. */
static bool can_nice(int nice)
{
	return rlimit_cur(current_process(), RLIMIT_NICE) >= (uint64_t)(NICE_TO_PRIO_BASE - nice) ||
	       capable(CAP_SYS_NICE);
}

/* Linux's set_one_prio (no permission check on uids: all are root). */
static void prio_visit(struct process *p, void *arg)
{
	struct prio_walk *w = arg;

	if (!prio_match(p, w))
		return;
	if (!w->set) {
		int prio = NICE_TO_PRIO_BASE - p->cred.nice;
		if (prio > w->best)
			w->best = prio;
		return;
	}
	if (w->nice < p->cred.nice && !can_nice(w->nice)) {
		w->err = -EACCES;
		return;
	}
	if (w->err == -ESRCH)
		w->err = 0;
	p->cred.nice = w->nice;
}

/* who 0 means the caller, its process group or its user. */
static long prio_start(struct prio_walk *w, int which, int who)
{
	struct process *me = current_process();

	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	w->which = which;
	w->who = who;
	if (who == 0 && which == PRIO_PROCESS)
		w->who = me->pid;
	else if (who == 0 && which == PRIO_PGRP)
		w->who = me->pgid;
	w->best = 0;
	w->err = -ESRCH;
	return 0;
}

/* getpriority(which, who): 20 - the lowest nice among the processes
 * named (1..40, never negative), -ESRCH for none. */
SYSCALL_DEFINE2(getpriority, int, which, int, who)
{
	struct prio_walk w = { .set = false };
	long err = prio_start(&w, which, who);

	if (err)
		return err;
	process_for_each(prio_visit, &w);
	return w.best ? w.best : -ESRCH;
}

/* setpriority(which, who, nice): nice clamped to -20..19; lowering it
 * below a process's nice needs CAP_SYS_NICE or RLIMIT_NICE (-EACCES);
 * -ESRCH when nothing matched. */
SYSCALL_DEFINE3(setpriority, int, which, int, who, int, nice)
{
	struct prio_walk w = { .set = true };
	long err = prio_start(&w, which, who);

	if (err)
		return err;
	w.nice = nice < NICE_MIN ? NICE_MIN : nice > NICE_MAX ? NICE_MAX : nice;
	process_for_each(prio_visit, &w);
	return w.err;
}

/* ------------------------------------------------------------ prctl */

/* PR_SET_MM changes the addresses /proc shows (code, data, stack, ...):
 * it needs CAP_SYS_RESOURCE first, as Linux; Kestrel then supports none
 * of its fields (-EINVAL, a kernel built without CONFIG_CHECKPOINT_RESTORE's
 * PR_SET_MM_MAP would say the same for a bad field). */
static long prctl_set_mm(unsigned long arg4, unsigned long arg5)
{
	if (arg4 || arg5)
		return -EINVAL;
	if (!capable(CAP_SYS_RESOURCE))
		return -EPERM;
	return -EINVAL;
}

long prctl_task(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4,
		unsigned long arg5)
{
	struct process *p = current_process();
	struct thread *t = current_thread();

	switch (option) {
	case PR_GET_DUMPABLE:
		return p->cred.dumpable;
	case PR_SET_DUMPABLE:
		if (arg2 != SUID_DUMP_DISABLE && arg2 != SUID_DUMP_USER)
			return -EINVAL; /* SUID_DUMP_ROOT too */
		p->cred.dumpable = (int)arg2;
		return 0;
	case PR_SET_NO_NEW_PRIVS:
		if (arg2 != 1 || arg3 || arg4 || arg5)
			return -EINVAL; /* it can only be set */
		t->no_new_privs = true;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (arg2 || arg3 || arg4 || arg5)
			return -EINVAL;
		return t->no_new_privs;
	case PR_SET_CHILD_SUBREAPER:
		p->child_subreaper = arg2 != 0;
		return 0;
	case PR_GET_CHILD_SUBREAPER: {
		int on = p->child_subreaper;
		return copy_to_user(arg2, &on, sizeof(on));
	}
	case PR_SET_MM:
		return prctl_set_mm(arg4, arg5);
	default:
		return -EINVAL;
	}
}
