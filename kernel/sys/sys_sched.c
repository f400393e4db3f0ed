// SPDX-License-Identifier: MIT
/*
 * Kestrel: the POSIX scheduling calls glibc exposes (sched_get_priority_max,
 * sched_get_priority_min, sched_rr_get_interval, sched_{get,set}scheduler,
 * sched_{get,set}param). Every thread runs in one queue and is preempted
 * at each timer tick, so the round-robin interval reported is one tick;
 * policies and priorities are recorded and read back as Linux's, with its
 * checks, but not acted on. Also the CPU placement calls:
 * sched_getaffinity/sched_setaffinity on real masks (proc/sched.h) and
 * getcpu.
 */
#include "sys/syscall_define.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "proc/cred.h"
#include "arch/x86_64/smp.h"
#include "time/time.h"
#include "time/timespec.h"
#include "lib/errno.h"
#include "mm/layout.h"
#include "uapi/sched.h"
#include "uapi/capability.h"

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

static struct thread *affinity_target(pid_t pid);

/* The time slice of pid (0: the caller): one timer tick for everyone,
 * none (0) under SCHED_FIFO, as Linux. */
SYSCALL_DEFINE2(sched_rr_get_interval, pid_t, pid, uptr_t, interval)
{
	struct thread *t;

	if (pid < 0)
		return -EINVAL;
	if (!(t = affinity_target(pid)))
		return -ESRCH;
	return timespec_write(interval, t->cred.sched_policy == SCHED_FIFO ? 0 :
			      NSEC_PER_SEC / TIME_TICK_HZ);
}

/* The kernel's CPU mask: one long, as Linux's cpumask_size() for at most
 * 64 CPUs (SMP_MAX_CPUS). */
typedef uint64_t kcpumask_t;
_Static_assert(SMP_MAX_CPUS <= 8 * sizeof(kcpumask_t), "a CPU mask is one long");

/* The thread a pid argument names, as Linux's find_process_by_pid: 0 is
 * the caller, any other value a thread id. NULL if none is live. */
static struct thread *affinity_target(pid_t pid)
{
	struct process *owner;

	if (pid == 0)
		return current_thread();
	if (pid < 0)
		return NULL;
	return process_find_thread(pid, &owner);
}

/* The thread whose scheduling a get call reads: affinity_target's, or,
 * for the pid of a zombie not yet reaped, its last thread, which stays
 * (with its cred) until the reap, as Linux's find_process_by_pid finds
 * a dead task until release_task. The process table's rule (the kernel
 * lock, as affinity_target's lookup). NULL if none. */
static const struct thread *query_target(pid_t pid)
{
	struct process *p;
	const struct thread *t = affinity_target(pid);

	if (t || pid <= 0)
		return t;
	p = process_find(pid);
	return p && p->state == PROC_ZOMBIE ? p->thread : NULL;
}

/* Linux's check_same_owner, else CAP_SYS_NICE: may the caller change t's
 * placement? 0 or -EPERM. */
static long affinity_may_set(const struct thread *t)
{
	const struct cred *me = current_cred();

	if (me->euid == t->cred.euid || me->euid == t->cred.uid || capable(CAP_SYS_NICE))
		return 0;
	return -EPERM;
}

/* sched_getaffinity(pid, len, mask): the CPUs the thread may run on that
 * are online. As Linux: len must hold the kernel's mask and be a whole
 * number of longs (-EINVAL), the result is the bytes written (the
 * kernel's mask size, the rest of the caller's buffer untouched). */
SYSCALL_DEFINE3(sched_getaffinity, pid_t, pid, unsigned int, len, uptr_t, umask)
{
	struct thread *t;
	kcpumask_t mask;

	if (len < sizeof(mask) || len % sizeof(mask))
		return -EINVAL;
	if (!(t = affinity_target(pid)))
		return -ESRCH;
	mask = t->cpus_allowed & sched_online_mask();
	if (copy_to_user(umask, &mask, sizeof(mask)))
		return -EFAULT;
	return sizeof(mask);
}

/* sched_setaffinity(pid, len, mask): as Linux's, in its order: the mask
 * is read first (a short one zero-extended, a long one only as far as
 * the kernel's mask; -EFAULT), then the thread is found (-ESRCH), the
 * caller must own it or hold CAP_SYS_NICE (-EPERM), and a mask naming
 * no online CPU is -EINVAL (sched_set_affinity). */
SYSCALL_DEFINE3(sched_setaffinity, pid_t, pid, unsigned int, len, uptr_t, umask)
{
	kcpumask_t mask = 0;
	struct thread *t;
	long err;

	if (copy_from_user(&mask, umask, len < sizeof(mask) ? len : sizeof(mask)))
		return -EFAULT;
	if (!(t = affinity_target(pid)))
		return -ESRCH;
	if ((err = affinity_may_set(t)))
		return err;
	return sched_set_affinity(t, mask);
}

/* getcpu(cpu, node, tcache): the CPU the caller runs on now and its NUMA
 * node (always 0: one node); either pointer may be NULL, tcache is
 * ignored as by Linux since 2.6.24. -EFAULT for a bad pointer. */
SYSCALL_DEFINE3(getcpu, uptr_t, ucpu, uptr_t, unode, uptr_t, tcache)
{
	unsigned cpu = smp_cpu_id(), node = 0;

	(void)tcache;
	if (ucpu && copy_to_user(ucpu, &cpu, sizeof(cpu)))
		return -EFAULT;
	if (unode && copy_to_user(unode, &node, sizeof(node)))
		return -EFAULT;
	return 0;
}

/* ---- policies: sched_{get,set}scheduler, sched_{get,set}param ----------------
 * As Linux's (kernel/sched/core.c), on the per-thread record in struct
 * cred: every check and error code is Linux's, the values read back are
 * the ones set; Kestrel's one run queue does not act on them. */

#define SCHED_KEEP_POLICY (-1)   /* sched_setparam: Linux's SETPARAM_POLICY */

/* struct sched_param: one int */
struct sched_param_k {
	int sched_priority;
};

/* May the caller, without CAP_SYS_NICE, give t this policy and priority
 * (Linux's user checks in __sched_setscheduler)? 0 or -EPERM. */
static long setscheduler_may(const struct thread *t, int policy, unsigned prio, bool reset)
{
	const struct cred *c = &t->cred;

	if (capable(CAP_SYS_NICE))
		return 0;
	if (policy_rt(policy)) {
		uint64_t rlim = rlimit_cur(t->proc, RLIMIT_RTPRIO);
		if (policy != c->sched_policy && rlim == 0)
			return -EPERM;
		if (prio > (unsigned)c->sched_priority && prio > rlim)
			return -EPERM;
	}
	if (policy == SCHED_DEADLINE)
		return -EPERM;
	/* leaving SCHED_IDLE is raising the priority: RLIMIT_NICE must allow it */
	if (c->sched_policy == SCHED_IDLE && policy != SCHED_IDLE &&
	    rlimit_cur(t->proc, RLIMIT_NICE) < (uint64_t)(NICE_TO_PRIO_BASE - c->nice))
		return -EPERM;
	if (affinity_may_set(t))
		return -EPERM;
	if (c->sched_reset_on_fork && !reset)
		return -EPERM;
	return 0;
}

/* Linux's do_sched_setscheduler + __sched_setscheduler: pid's policy and
 * priority from the user's struct sched_param (policy SCHED_KEEP_POLICY:
 * keep its policy). 0 or -EINVAL, -EFAULT, -ESRCH, -EPERM. */
static long set_scheduler(pid_t pid, int policy, uptr_t uparam)
{
	struct sched_param_k p;
	struct thread *t;
	bool reset;
	long err;

	if (!uparam || pid < 0)
		return -EINVAL;
	if (copy_from_user(&p, uparam, sizeof(p)))
		return -EFAULT;
	if (!(t = affinity_target(pid)))
		return -ESRCH;
	if (policy == SCHED_KEEP_POLICY) {
		policy = t->cred.sched_policy;
		reset = t->cred.sched_reset_on_fork;
	} else {
		reset = policy & SCHED_RESET_ON_FORK;
		policy &= ~SCHED_RESET_ON_FORK;
		if (policy_known(policy))
			return -EINVAL;
	}
	unsigned prio = (unsigned)p.sched_priority;   /* Linux's sched_attr holds a u32 */
	if (prio > MAX_RT_PRIO - 1 || policy == SCHED_DEADLINE || policy_rt(policy) != (prio != 0))
		return -EINVAL;  /* a deadline needs sched_setattr's runtime: never valid here */
	if ((err = setscheduler_may(t, policy, prio, reset)))
		return err;
	t->cred.sched_policy = policy;
	t->cred.sched_priority = (int)prio;
	t->cred.sched_reset_on_fork = reset;
	return 0;
}

SYSCALL_DEFINE3(sched_setscheduler, pid_t, pid, int, policy, uptr_t, param)
{
	if (policy < 0)
		return -EINVAL;
	return set_scheduler(pid, policy, param);
}

SYSCALL_DEFINE2(sched_setparam, pid_t, pid, uptr_t, param)
{
	return set_scheduler(pid, SCHED_KEEP_POLICY, param);
}

/* The policy of pid (0: the caller), with SCHED_RESET_ON_FORK when set. */
SYSCALL_DEFINE1(sched_getscheduler, pid_t, pid)
{
	const struct thread *t;

	if (pid < 0)
		return -EINVAL;
	if (!(t = query_target(pid)))
		return -ESRCH;
	return t->cred.sched_policy | (t->cred.sched_reset_on_fork ? SCHED_RESET_ON_FORK : 0);
}

/* The real-time priority of pid (0 under the other policies). */
SYSCALL_DEFINE2(sched_getparam, pid_t, pid, uptr_t, param)
{
	struct sched_param_k p = { 0 };
	const struct thread *t;

	if (!param || pid < 0)
		return -EINVAL;
	if (!(t = query_target(pid)))
		return -ESRCH;
	if (policy_rt(t->cred.sched_policy))
		p.sched_priority = t->cred.sched_priority;
	return copy_to_user(param, &p, sizeof(p)) ? -EFAULT : 0;
}

/* ---- sched_setattr, sched_getattr ---------------------------------------------
 * The same record through Linux's struct sched_attr, which adds the nice
 * value and SCHED_DEADLINE's runtime, deadline and period (kept in the
 * thread's cred and read back; no admission control: Kestrel's one run
 * queue reserves no bandwidth, so -EBUSY never comes). Linux 6.1 built
 * without CONFIG_UCLAMP_TASK, as Debian's: the utilisation clamps are
 * -EOPNOTSUPP and read back as 0. */

struct sched_attr_k {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
	uint32_t sched_util_min, sched_util_max;
};
_Static_assert(sizeof(struct sched_attr_k) == SCHED_ATTR_SIZE_VER1, "Linux 6.1's struct sched_attr");

#define DL_SCALE         10                  /* Linux keeps runtimes in units of 2^10 ns */
#define DL_PERIOD_MIN_NS (100ull * 1000)     /* kernel.sched_deadline_period_min_us: 100 */
#define DL_PERIOD_MAX_NS (4194304ull * 1000) /* kernel.sched_deadline_period_max_us: 2^22 */
#define DL_FLAGS_KEPT    (SCHED_FLAG_RECLAIM | SCHED_FLAG_DL_OVERRUN)

/* Linux's sched_copy_attr: the user's struct, of the size its first
 * field says (0: the first version's), zero-extended; nice clamped to
 * its range. -E2BIG (the kernel's size written back into size) for a
 * size under the first version, over a page, or with non-zero bytes past
 * Kestrel's struct; -EINVAL for the clamps in a first-version struct;
 * -EFAULT. */
static long attr_read(uptr_t uattr, struct sched_attr_k *a)
{
	uint32_t size, ksize = sizeof(*a);
	int err;

	if (copy_from_user(&size, uattr, sizeof(size)))
		return -EFAULT;
	if (!size)
		size = SCHED_ATTR_SIZE_VER0;
	err = size < SCHED_ATTR_SIZE_VER0 || size > PAGE_SIZE ? -E2BIG
	      : copy_struct_from_user(a, sizeof(*a), uattr, size);
	if (err == -E2BIG)
		copy_to_user(uattr, &ksize, sizeof(ksize)); /* Linux ignores a fault here */
	if (err)
		return err;
	if ((a->sched_flags & SCHED_FLAG_UTIL_CLAMP) && size < SCHED_ATTR_SIZE_VER1)
		return -EINVAL;
	a->sched_nice = a->sched_nice < NICE_MIN ? NICE_MIN : a->sched_nice > NICE_MAX ? NICE_MAX
											 : a->sched_nice;
	return 0;
}

/* Linux's __checkparam_dl: 0 < runtime <= deadline <= period (a period
 * of 0 is the deadline), runtime at least 2^DL_SCALE ns, the period
 * within the sysctls' bounds, no top bit set. */
static bool dl_params_ok(const struct sched_attr_k *a)
{
	uint64_t period = a->sched_period ? a->sched_period : a->sched_deadline;

	if (a->sched_flags & SCHED_FLAG_SUGOV)
		return true;
	if (!a->sched_deadline || a->sched_runtime < (1ull << DL_SCALE))
		return false;
	if ((a->sched_deadline | a->sched_period) & (1ull << 63))
		return false;
	if (period < a->sched_deadline || a->sched_deadline < a->sched_runtime)
		return false;
	return period >= DL_PERIOD_MIN_NS && period <= DL_PERIOD_MAX_NS;
}

/* Linux's get_params: what t's policy uses, into a. */
static void attr_params(const struct thread *t, struct sched_attr_k *a)
{
	const struct cred *c = &t->cred;

	if (c->sched_policy == SCHED_DEADLINE) {
		a->sched_runtime = c->sched_runtime;
		a->sched_deadline = c->sched_deadline;
		a->sched_period = c->sched_period;
		a->sched_flags |= c->sched_dl_flags;
	} else if (policy_rt(c->sched_policy)) {
		a->sched_priority = (uint32_t)c->sched_priority;
	} else {
		a->sched_nice = c->nice;
	}
}

static bool policy_fair(int policy)
{
	return policy == SCHED_NORMAL || policy == SCHED_BATCH;
}

/* Linux's __sched_setscheduler for a user's sched_setattr on t, in its
 * order: the policy and flags (-EINVAL), the priority and the deadline
 * parameters (-EINVAL), the caller's rights (-EPERM: a lower nice needs
 * RLIMIT_NICE or CAP_SYS_NICE, then setscheduler_may), SCHED_FLAG_SUGOV
 * (-EINVAL), the clamps (-EOPNOTSUPP); then the record. */
static long set_attr(struct thread *t, const struct sched_attr_k *a)
{
	struct cred *c = &t->cred;
	int policy = (int)a->sched_policy;
	bool reset = a->sched_flags & SCHED_FLAG_RESET_ON_FORK;
	long err;

	if (a->sched_flags & SCHED_FLAG_KEEP_POLICY) {
		policy = c->sched_policy;
		reset = c->sched_reset_on_fork;
	} else if (policy_known(policy)) {
		return -EINVAL;
	}
	if (a->sched_flags & ~(uint64_t)(SCHED_FLAG_ALL | SCHED_FLAG_SUGOV))
		return -EINVAL;
	if (a->sched_priority > MAX_RT_PRIO - 1 ||
	    (policy == SCHED_DEADLINE && !dl_params_ok(a)) ||
	    policy_rt(policy) != (a->sched_priority != 0))
		return -EINVAL;
	if (policy_fair(policy) && a->sched_nice < c->nice && !capable(CAP_SYS_NICE) &&
	    rlimit_cur(t->proc, RLIMIT_NICE) < (uint64_t)(NICE_TO_PRIO_BASE - a->sched_nice))
		return -EPERM;
	if ((err = setscheduler_may(t, policy, a->sched_priority, reset)))
		return err;
	if (a->sched_flags & SCHED_FLAG_SUGOV)
		return -EINVAL;
	if (a->sched_flags & SCHED_FLAG_UTIL_CLAMP)
		return -EOPNOTSUPP;
	c->sched_policy = policy;
	c->sched_priority = (int)a->sched_priority;
	c->sched_reset_on_fork = reset;
	if (policy == SCHED_DEADLINE) {
		c->sched_runtime = a->sched_runtime;
		c->sched_deadline = a->sched_deadline;
		c->sched_period = a->sched_period;
		c->sched_dl_flags = a->sched_flags & DL_FLAGS_KEPT;
	} else if (policy_fair(policy)) {
		c->nice = a->sched_nice;
	}
	return 0;
}

/* sched_setattr(pid, attr, flags): as Linux's: flags (none known), a
 * NULL attr or a negative pid -EINVAL, then the struct (attr_read), a
 * negative policy -EINVAL, the thread (-ESRCH), SCHED_FLAG_KEEP_PARAMS
 * taking its present parameters, and set_attr. */
SYSCALL_DEFINE3(sched_setattr, pid_t, pid, uptr_t, uattr, unsigned int, flags)
{
	struct sched_attr_k a;
	struct thread *t;
	long err;

	if (!uattr || pid < 0 || flags)
		return -EINVAL;
	if ((err = attr_read(uattr, &a)))
		return err;
	if ((int)a.sched_policy < 0)
		return -EINVAL;
	if (!(t = affinity_target(pid)))
		return -ESRCH;
	if (a.sched_flags & SCHED_FLAG_KEEP_PARAMS)
		attr_params(t, &a);
	return set_attr(t, &a);
}

/* sched_getattr(pid, attr, size, flags): the thread's policy and its
 * parameters in the first min(size, Kestrel's struct) bytes, whose size
 * field says how many. -EINVAL for a NULL attr, a negative pid, a size
 * under the first version or over a page, or flags; -ESRCH; -EFAULT. */
SYSCALL_DEFINE4(sched_getattr, pid_t, pid, uptr_t, uattr, unsigned int, usize, unsigned int, flags)
{
	struct sched_attr_k a = { 0 };
	const struct thread *t;

	if (!uattr || pid < 0 || usize > PAGE_SIZE || usize < SCHED_ATTR_SIZE_VER0 || flags)
		return -EINVAL;
	if (!(t = query_target(pid)))
		return -ESRCH;
	a.sched_policy = (uint32_t)t->cred.sched_policy;
	if (t->cred.sched_reset_on_fork)
		a.sched_flags |= SCHED_FLAG_RESET_ON_FORK;
	attr_params(t, &a);
	a.sched_flags &= SCHED_FLAG_ALL;
	a.size = usize < sizeof(a) ? usize : sizeof(a);
	if (!user_access_ok(uattr, usize))
		return -EFAULT;
	return copy_to_user(uattr, &a, a.size) ? -EFAULT : 0;
}
