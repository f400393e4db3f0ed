// SPDX-License-Identifier: MIT
/*
 * Kestrel: the user and group id calls, supplementary groups, capget/capset
 * and getpriority/setpriority. The rules are in proc/cred.h, as Linux's.
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
#include "uapi/limits.h"
#include "mm/usercopy.h"

/* ------------------------------------------------------------ ids */

/* The calling thread's credentials: each thread has its own, as Linux's,
 * and a raw set*id changes only the caller's (libc's setuid() makes every
 * thread call it). */
static struct cred *my_cred(void)
{
	return &current_thread()->cred;
}

/* The end of a change of the caller's credentials, r its result: a
 * success is Linux's commit_creds, a new identity (cred_renew). Linux
 * keeps dumpable in the mm, one flag for the process, which commit_creds
 * clears; so a change that cleared the caller's clears every thread's. */
static long committed(long r, int dumpable_before)
{
	int now = my_cred()->dumpable;

	if (r >= 0)
		cred_renew(my_cred());
	if (now != dumpable_before)
		process_set_dumpable(current_process(), now);
	return r;
}

SYSCALL_DEFINE0(getuid)  { return my_cred()->uid; }
SYSCALL_DEFINE0(geteuid) { return my_cred()->euid; }
SYSCALL_DEFINE0(getgid)  { return my_cred()->gid; }
SYSCALL_DEFINE0(getegid) { return my_cred()->egid; }

/* The three ids to three user words: 0 or -EFAULT. */
static long put_three(uptr_t a, uptr_t b, uptr_t c, uint32_t x, uint32_t y, uint32_t z)
{
	if (copy_to_user(a, &x, sizeof(x)) || copy_to_user(b, &y, sizeof(y)) ||
	    copy_to_user(c, &z, sizeof(z)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE3(getresuid, uptr_t, ruid, uptr_t, euid, uptr_t, suid)
{
	const struct cred *c = my_cred();

	return put_three(ruid, euid, suid, c->uid, c->euid, c->suid);
}

SYSCALL_DEFINE3(getresgid, uptr_t, rgid, uptr_t, egid, uptr_t, sgid)
{
	const struct cred *c = my_cred();

	return put_three(rgid, egid, sgid, c->gid, c->egid, c->sgid);
}

SYSCALL_DEFINE1(setuid, uid_t, uid)
{
	int d = my_cred()->dumpable;
	return committed(cred_setuid(my_cred(), uid), d);
}

SYSCALL_DEFINE1(setgid, gid_t, gid)
{
	int d = my_cred()->dumpable;
	return committed(cred_setgid(my_cred(), gid), d);
}

SYSCALL_DEFINE2(setreuid, uid_t, ruid, uid_t, euid)
{
	int d = my_cred()->dumpable;
	return committed(cred_setreuid(my_cred(), ruid, euid), d);
}

SYSCALL_DEFINE2(setregid, gid_t, rgid, gid_t, egid)
{
	int d = my_cred()->dumpable;
	return committed(cred_setregid(my_cred(), rgid, egid), d);
}

/* setfsuid/setfsgid return the old id; only a change commits. */
SYSCALL_DEFINE1(setfsuid, uid_t, uid)
{
	int d = my_cred()->dumpable;
	uint32_t old = cred_setfsuid(my_cred(), uid);

	committed(old != my_cred()->fsuid ? 0 : -EPERM, d);
	return old;
}

SYSCALL_DEFINE1(setfsgid, gid_t, gid)
{
	int d = my_cred()->dumpable;
	uint32_t old = cred_setfsgid(my_cred(), gid);

	committed(old != my_cred()->fsgid ? 0 : -EPERM, d);
	return old;
}

SYSCALL_DEFINE3(setresuid, uid_t, ruid, uid_t, euid, uid_t, suid)
{
	int d = my_cred()->dumpable;
	return committed(cred_setresuid(my_cred(), ruid, euid, suid), d);
}

SYSCALL_DEFINE3(setresgid, gid_t, rgid, gid_t, egid, gid_t, sgid)
{
	int d = my_cred()->dumpable;
	return committed(cred_setresgid(my_cred(), rgid, egid, sgid), d);
}

/* getgroups(size, list): the count with size 0, else the list; -EINVAL
 * when size is below the count (or negative). */
SYSCALL_DEFINE2(getgroups, int, size, uptr_t, list)
{
	const struct group_info *g = my_cred()->groups;
	uint32_t n = g ? g->count : 0;

	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return n;
	if ((uint32_t)size < n)
		return -EINVAL;
	if (n && copy_to_user(list, g->gid, (size_t)n * sizeof(uint32_t)))
		return -EFAULT;
	return n;
}

/* setgroups(size, list): CAP_SETGID (-EPERM), at most NGROUPS_MAX
 * (-EINVAL); the list is copied into one bounded allocation (-ENOMEM). */
SYSCALL_DEFINE2(setgroups, int, size, uptr_t, list)
{
	struct group_info *g = NULL;

	if (!capable(CAP_SETGID))
		return -EPERM;
	if (size < 0 || size > NGROUPS_MAX)
		return -EINVAL;
	if (size) {
		if (!(g = groups_alloc((uint32_t)size)))
			return -ENOMEM;
		if (copy_from_user(g->gid, list, (size_t)size * sizeof(uint32_t))) {
			groups_free(g);
			return -EFAULT;
		}
		groups_sort(g);
	}
	cred_set_groups(my_cred(), g);
	cred_renew(my_cred());
	return 0;
}

/* ------------------------------------------------------------ capabilities */

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

/* The credentials of the task id names, as Linux's find_task_by_vpid: a
 * thread of a live process by its tid, else a zombie process by its pid;
 * NULL for none. */
static const struct cred *task_cred(int id)
{
	struct process *owner, *p;
	struct thread *t = process_find_thread(id, &owner);

	if (t)
		return &t->cred;
	p = process_find(id);
	return p ? process_cred(p) : NULL;
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
	const struct cred *c = h.pid ? task_cred(h.pid) : my_cred();
	if (!c)
		return -ESRCH;
	for (unsigned i = 0; i < count; i++) {
		d[i].effective = (uint32_t)(c->cap_effective >> (32 * i));
		d[i].permitted = (uint32_t)(c->cap_permitted >> (32 * i));
		d[i].inheritable = (uint32_t)(c->cap_inheritable >> (32 * i));
	}
	return copy_to_user(data, d, count * sizeof(d[0]));
}

/* capset(header, data): only the calling thread's own sets (pid 0 or its
 * tid), else -EPERM; the rules are cred_capset's. */
SYSCALL_DEFINE2(capset, uptr_t, header, uptr_t, data)
{
	struct cap_header_k h;
	struct cap_data_k d[_LINUX_CAPABILITY_U32S_3] = { 0 };
	uint64_t e = 0, pm = 0, in = 0;
	unsigned count;
	int err = cap_version(header, &count);

	if (err)
		return err;
	if (copy_from_user(&h, header, sizeof(h)))
		return -EFAULT;
	if (h.pid != 0 && h.pid != current_thread()->tid)
		return -EPERM;
	if (copy_from_user(d, data, count * sizeof(d[0])))
		return -EFAULT;
	for (unsigned i = 0; i < count; i++) {
		e |= (uint64_t)d[i].effective << (32 * i);
		pm |= (uint64_t)d[i].permitted << (32 * i);
		in |= (uint64_t)d[i].inheritable << (32 * i);
	}
	if ((err = cred_capset(my_cred(), e, pm, in)) == 0)
		cred_renew(my_cred());
	return err;
}

/* ------------------------------------------------------------ nice values */

/* Which threads a getpriority/setpriority names, and what came of it. A
 * nice value is a thread's, as Linux's task_nice: PRIO_PROCESS names one
 * thread by its tid (the caller's for 0), PRIO_PGRP every thread of the
 * group's processes, PRIO_USER every thread whose real uid it is. */
struct prio_walk {
	int which, who;
	int nice;       /* setpriority: the clamped new value */
	int best;       /* getpriority: the highest 20 - nice seen, 0 for none */
	long err;       /* setpriority: -ESRCH until one matched */
	bool set;
};

static bool prio_match(const struct process *p, const struct thread *t, const struct prio_walk *w)
{
	if (w->which == PRIO_PROCESS)
		return t->tid == w->who;
	if (w->which == PRIO_PGRP)
		return p->pgid == w->who;
	return t->cred.uid == (uint32_t)w->who; /* PRIO_USER: the real uid */
}

/* Linux's can_nice: a lower nice needs RLIMIT_NICE >= 20 - nice or CAP_SYS_NICE. */
static bool can_nice(int nice)
{
	return rlimit_cur(current_process(), RLIMIT_NICE) >= (uint64_t)(NICE_TO_PRIO_BASE - nice) ||
	       capable(CAP_SYS_NICE);
}

/* Thread t named by w: its nice read, or set as Linux's set_one_prio (another
 * user's thread needs CAP_SYS_NICE). */
static void prio_one(struct thread *t, struct prio_walk *w)
{
	struct cred *tc = &t->cred;

	if (!w->set) {
		int prio = NICE_TO_PRIO_BASE - tc->nice;
		if (prio > w->best)
			w->best = prio;
		return;
	}
	const struct cred *me = my_cred();
	if (tc->uid != me->euid && tc->euid != me->euid && !capable(CAP_SYS_NICE)) {
		w->err = -EPERM;
		return;
	}
	if (w->nice < tc->nice && !can_nice(w->nice)) {
		w->err = -EACCES;
		return;
	}
	if (w->err == -ESRCH)
		w->err = 0;
	tc->nice = w->nice;
}

/* Each live thread of process p that w names. */
static void prio_visit(struct process *p, void *arg)
{
	struct prio_walk *w = arg;

	if (p->state != PROC_ALIVE)
		return;
	for (struct thread *t = p->threads; t; t = t->group_next)
		if (prio_match(p, t, w))
			prio_one(t, w);
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
		w->who = current_thread()->tid;
	else if (who == 0 && which == PRIO_PGRP)
		w->who = me->pgid;
	else if (who == 0 && which == PRIO_USER)
		w->who = (int)my_cred()->uid;
	w->best = 0;
	w->err = -ESRCH;
	return 0;
}

/* getpriority(which, who): 20 - the lowest nice among the threads
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
 * below a thread's nice needs CAP_SYS_NICE or RLIMIT_NICE (-EACCES);
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

/* PR_SET_SECUREBITS, as commoncap's cap_task_prctl: EPERM to change a
 * locked bit, to unlock a lock, to set a bit Linux does not define, or
 * without CAP_SETPCAP. Per thread, as all of its credentials. */
static long prctl_set_securebits(unsigned long bits)
{
	unsigned old = my_cred()->securebits;

	if ((((old & SECURE_ALL_LOCKS) >> 1) & (old ^ bits)) || (old & SECURE_ALL_LOCKS & ~bits) ||
	    (bits & ~(unsigned long)(SECURE_ALL_LOCKS | SECURE_ALL_BITS)) || !capable(CAP_SETPCAP))
		return -EPERM;
	my_cred()->securebits = (unsigned)bits;
	cred_renew(my_cred());
	return 0;
}

long prctl_task(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4,
		unsigned long arg5)
{
	struct process *p = current_process();
	struct thread *t = current_thread();

	switch (option) {
	case PR_GET_DUMPABLE:
		return my_cred()->dumpable;
	case PR_SET_DUMPABLE:
		if (arg2 != SUID_DUMP_DISABLE && arg2 != SUID_DUMP_USER)
			return -EINVAL; /* SUID_DUMP_ROOT too */
		process_set_dumpable(p, (int)arg2);
		return 0;
	case PR_GET_KEEPCAPS: /* per thread, as Linux's securebits */
		return (my_cred()->securebits & SECBIT_KEEP_CAPS) != 0;
	case PR_SET_KEEPCAPS:
		if (arg2 > 1)
			return -EINVAL;
		if (my_cred()->securebits & SECBIT_KEEP_CAPS_LOCKED)
			return -EPERM;
		my_cred()->securebits = arg2 ? my_cred()->securebits | SECBIT_KEEP_CAPS
					     : my_cred()->securebits & ~SECBIT_KEEP_CAPS;
		cred_renew(my_cred());
		return 0;
	case PR_GET_SECUREBITS:
		return my_cred()->securebits;
	case PR_SET_SECUREBITS:
		return prctl_set_securebits(arg2);
	case PR_CAPBSET_READ:
		if (arg2 > CAP_LAST_CAP)
			return -EINVAL;
		return (my_cred()->cap_bset & CAP_BIT(arg2)) != 0;
	case PR_CAPBSET_DROP:
		return cred_bset_drop(my_cred(), arg2);
	case PR_CAP_AMBIENT:
		return cred_ambient_prctl(my_cred(), arg2, arg3, arg4, arg5);
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
	case PR_SET_TIMERSLACK: /* 0: back to the slack it had at fork */
		p->timer_slack_ns = arg2 ? arg2 : p->default_timer_slack_ns;
		return 0;
	case PR_GET_TIMERSLACK:
		return (long)p->timer_slack_ns; /* as Linux: a value past LONG_MAX reads negative */
	default:
		return -EINVAL;
	}
}
