// SPDX-License-Identifier: MIT
/*
 * Kestrel: ioprio_get and ioprio_set, as Linux 6.1's (block/ioprio.c).
 * The value is kept per thread (struct cred's ioprio) and read back;
 * Kestrel's block layer serves requests in order and does not act on
 * it. A value is checked as Debian's 6.1 does, with the hints of later
 * kernels: the level is its low three bits, so a best-effort level of 8
 * is level 0 with a hint, and accepted.
 */
#include "sys/syscall_define.h"
#include "proc/process.h"
#include "proc/cred.h"
#include "lib/errno.h"
#include "uapi/ioprio.h"
#include "uapi/capability.h"

/* Linux's ioprio_check_cap: the real-time class needs CAP_SYS_ADMIN or
 * CAP_SYS_NICE (-EPERM); an unknown class, or a level with class NONE,
 * is -EINVAL. (Its check of the real-time and best-effort levels against
 * IOPRIO_NR_LEVELS cannot fail: a level is three bits.) */
static long ioprio_check(int ioprio)
{
	switch (IOPRIO_PRIO_CLASS(ioprio)) {
	case IOPRIO_CLASS_RT:
		if (!capable(CAP_SYS_ADMIN) && !capable(CAP_SYS_NICE))
			return -EPERM;
		return 0;
	case IOPRIO_CLASS_BE:
	case IOPRIO_CLASS_IDLE:
		return 0;
	case IOPRIO_CLASS_NONE:
		return IOPRIO_PRIO_LEVEL(ioprio) ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

/* A walk over the threads ioprio_{get,set} name. */
struct ioprio_walk {
	int which, who;
	uint32_t uid;    /* IOPRIO_WHO_USER's */
	bool set;
	int ioprio;      /* set: the new value */
	long ret;        /* -ESRCH until a thread matched; get: the best seen */
};

/* Linux's ioprio_best: the higher priority (the lower value), a class
 * NONE counting as the default. */
static int ioprio_best(int a, int b)
{
	if (IOPRIO_PRIO_CLASS(a) == IOPRIO_CLASS_NONE)
		a = IOPRIO_DEFAULT;
	if (IOPRIO_PRIO_CLASS(b) == IOPRIO_CLASS_NONE)
		b = IOPRIO_DEFAULT;
	return (uint16_t)a < (uint16_t)b ? a : b;
}

/* Linux's set_task_ioprio: the caller must own t (its real or effective
 * uid is t's real one) or hold CAP_SYS_NICE. */
static long ioprio_set_one(struct thread *t, int ioprio)
{
	const struct cred *me = current_cred();

	if (t->cred.uid != me->euid && t->cred.uid != me->uid && !capable(CAP_SYS_NICE))
		return -EPERM;
	__atomic_store_n(&t->cred.ioprio, ioprio, __ATOMIC_RELAXED);
	return 0;
}

/* One thread the walk names: get folds its value in, set sets it (the
 * first error stops the setting, as Linux's loops). */
static void ioprio_visit_thread(struct ioprio_walk *w, struct thread *t)
{
	if (w->set) {
		if (w->ret == -ESRCH || w->ret == 0)
			w->ret = ioprio_set_one(t, w->ioprio);
		return;
	}
	int v = __atomic_load_n(&t->cred.ioprio, __ATOMIC_RELAXED);
	w->ret = w->ret == -ESRCH ? v : ioprio_best((int)w->ret, v);
}

/* IOPRIO_WHO_PGRP and IOPRIO_WHO_USER: every thread of p in the group,
 * or whose real uid is the user's. */
static void ioprio_visit(struct process *p, void *arg)
{
	struct ioprio_walk *w = arg;

	if (p->state != PROC_ALIVE || (w->which == IOPRIO_WHO_PGRP && p->pgid != w->who))
		return;
	for (struct thread *t = p->threads; t; t = t->group_next)
		if (w->which == IOPRIO_WHO_PGRP || t->cred.uid == w->uid)
			ioprio_visit_thread(w, t);
}

/* The walk for which and who (0: the caller, its group, its user; for
 * ioprio_set's IOPRIO_WHO_USER, 0 is uid 0, as Linux compares with the
 * uid made from who). -EINVAL for an unknown which, else the result. */
static long ioprio_walk(struct ioprio_walk *w)
{
	struct process *owner;

	switch (w->which) {
	case IOPRIO_WHO_PROCESS: {
		struct thread *t = w->who ? process_find_thread(w->who, &owner) : current_thread();
		if (t)
			ioprio_visit_thread(w, t);
		return w->ret;
	}
	case IOPRIO_WHO_PGRP:
		if (!w->who)
			w->who = current_process()->pgid;
		break;
	case IOPRIO_WHO_USER:
		w->uid = !w->who && !w->set ? current_cred()->uid : (uint32_t)w->who;
		if (w->uid == (uint32_t)-1)
			return -ESRCH;
		break;
	default:
		return -EINVAL;
	}
	process_for_each(ioprio_visit, w);
	return w->ret;
}

/* ioprio_get(which, who): the I/O priority of the thread (who a thread
 * id), or the best of a process group's or a user's threads; -ESRCH when
 * none is found, -EINVAL for an unknown which. */
SYSCALL_DEFINE2(ioprio_get, int, which, int, who)
{
	struct ioprio_walk w = { .which = which, .who = who, .set = false, .ret = -ESRCH };

	return ioprio_walk(&w);
}

/* ioprio_set(which, who, ioprio): as Linux's, the value checked first
 * (ioprio_check), then each thread named (-ESRCH for none, -EPERM for
 * one the caller may not change, which stops the walk there). */
SYSCALL_DEFINE3(ioprio_set, int, which, int, who, int, ioprio)
{
	struct ioprio_walk w = { .which = which, .who = who, .set = true, .ioprio = ioprio,
				 .ret = -ESRCH };
	long err = ioprio_check(ioprio);

	return err ? err : ioprio_walk(&w);
}
