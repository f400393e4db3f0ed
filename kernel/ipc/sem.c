// SPDX-License-Identifier: MIT
/*
 * Kestrel: System V semaphores (semget, semop, semtimedop, semctl), as
 * Linux's ipc/sem.c. A set holds nsems counters of 0..SEMVMX. A semop
 * applies all its operations or none (perform): an add, a take that
 * waits while the value is too small, or a wait for zero. One that
 * cannot go on sleeps in the set's queue of pending operations; each
 * change to the set retries that queue in arrival order (update_queue)
 * and completes for the sleepers what now goes through, so that a
 * sleeper wakes to a finished operation and nobody overtakes it.
 *
 * SEM_UNDO records, per process and set, the opposite of each change
 * (struct sem_undo); the adjustments are applied when the process (and
 * every process sharing them through CLONE_SYSVSEM) has exited, clamped
 * to 0..SEMVMX as Linux's exit_sem does. SETVAL and SETALL clear them.
 *
 * Lock rule: sem_table's lock (ipc/ipc_ids.h) guards every set, its
 * pending queue, every undo record and list, and used_sems.
 */
#include "ipc/ipc.h"
#include "fs/sbuf.h"
#include "mm/heap.h"
#include "mm/usercopy.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "sys/syscall_define.h"
#include "time/time.h"
#include "time/timespec.h"
#include "lib/errno.h"
#include "lib/string.h"

#define SEMUSZ 20      /* seminfo's constant semusz, as Linux reports it */
#define NS_PER_S 1000000000ll
#define INT_MAX_V 2147483647

int64_t sem_limits[4] = { SEMMSL_DEFAULT, SEMMNS_DEFAULT, SEMOPM_DEFAULT, SEMMNI_DEFAULT };

struct sem {
	int val;
	int pid;             /* the last process to change it */
};

/* A semop asleep in its set's pending queue, on its caller's stack. */
struct sem_pending {
	struct sem_pending *next, **pprev;
	const struct sembuf *sops;
	unsigned nsops;
	struct sem_undo *undo;           /* SEM_UNDO's record, or NULL */
	int pid;
	const struct sembuf *blocking;   /* the operation it waits on */
	int status;                      /* PENDING, or the result it woke to */
};
#define PENDING 1

/* SEM_UNDO's adjustments of one process (list) for one set. */
struct sem_undo {
	struct sem_undo *next_in_list, **pprev_in_list;
	struct sem_undo *next_in_set, **pprev_in_set;
	int semid;
	int16_t adj[];
};

struct sem_undo_list {
	int refs;                  /* the processes sharing it (CLONE_SYSVSEM) */
	struct sem_undo *head;
};

struct sem_set {
	struct ipc_obj perm;
	unsigned nsems;
	int64_t otime;             /* the last successful semop */
	struct sem_pending *pending, **pending_tail;
	struct sem_undo *undos;
	struct wait_queue wq;      /* the pending semops' threads */
	struct sem sems[];
};

static void set_free(struct ipc_obj *o);
struct ipc_table sem_table = { .max_idx = -1, .last_idx = -1, .next_id = -1,
			       .limit = &sem_limits[SEM_MNI_I], .free = set_free };
static int64_t used_sems; /* semaphores in all sets, within semmns */

static int64_t limit(int i)
{
	return __atomic_load_n(&sem_limits[i], __ATOMIC_RELAXED);
}

static struct sem_set *set_of(struct ipc_obj *o)
{
	return (struct sem_set *)o;
}

static void set_free(struct ipc_obj *o)
{
	kfree(set_of(o));
}

int sem_limits_set(const int64_t *v)
{
	for (int i = 0; i < 4; i++)
		if (v[i] < -INT_MAX_V - 1 || v[i] > INT_MAX_V)
			return -EINVAL;
	if (v[SEM_MNI_I] < 0 || v[SEM_MNI_I] > IPC_MNI)
		return -ERANGE; /* Linux's sem_check_semmni */
	uint64_t fl = ipc_lock(&sem_table);
	for (int i = 0; i < 4; i++)
		__atomic_store_n(&sem_limits[i], v[i], __ATOMIC_RELAXED);
	ipc_unlock(&sem_table, fl);
	return 0;
}

/* ---- semget --------------------------------------------------------------------- */

static int set_create(struct ipc_table *t, int32_t key, int flg, void *arg)
{
	int nsems = *(int *)arg;

	if (!nsems)
		return -EINVAL;
	if (used_sems + nsems > limit(SEM_MNS_I))
		return -ENOSPC;
	struct sem_set *s = kzalloc(sizeof(*s) + (size_t)nsems * sizeof(s->sems[0]));
	if (!s)
		return -ENOMEM;
	s->nsems = (unsigned)nsems;
	s->pending_tail = &s->pending;
	int err = ipc_add(t, &s->perm, key, flg);
	if (err) {
		kfree(s);
		return err;
	}
	used_sems += nsems;
	return s->perm.id;
}

/* An existing set asked for more semaphores than it has: -EINVAL. */
static int set_check(const struct ipc_obj *o, void *arg)
{
	return (unsigned)*(int *)arg > set_of((struct ipc_obj *)o)->nsems ? -EINVAL : 0;
}

SYSCALL_DEFINE3(semget, int, key, int, nsems, int, semflg)
{
	if (nsems < 0 || nsems > limit(SEM_MSL_I))
		return -EINVAL;
	return ipc_get_or_create(&sem_table, key, semflg, set_create, set_check, &nsems);
}

/* ---- the operations ------------------------------------------------------------- */

/*
 * Linux's perform_atomic_semop: apply sops to s all together, or none.
 * 0 (done: each semaphore's pid is pid), 1 (one must wait: *blocking),
 * -EAGAIN (it must wait and has IPC_NOWAIT), -ERANGE (a value or an
 * undo adjustment would leave its range).
 */
static int perform(struct sem_set *s, const struct sembuf *sops, unsigned nsops,
		   struct sem_undo *un, int pid, const struct sembuf **blocking)
{
	unsigned i;
	int r = 0;

	for (i = 0; i < nsops; i++) {
		const struct sembuf *op = &sops[i];
		struct sem *sem = &s->sems[op->sem_num];
		int v = sem->val + op->sem_op;
		if ((op->sem_op == 0 && sem->val) || v < 0) {
			*blocking = op;
			r = op->sem_flg & IPC_NOWAIT ? -EAGAIN : 1;
			break;
		}
		if (v > SEMVMX) {
			r = -ERANGE;
			break;
		}
		if (op->sem_flg & SEM_UNDO) {
			int adj = un->adj[op->sem_num] - op->sem_op;
			if (adj < -SEMAEM - 1 || adj > SEMAEM) {
				r = -ERANGE;
				break;
			}
			un->adj[op->sem_num] = (int16_t)adj;
		}
		sem->val = v;
	}
	if (r) { /* take back what was applied, newest first */
		while (i-- > 0) {
			s->sems[sops[i].sem_num].val -= sops[i].sem_op;
			if (sops[i].sem_flg & SEM_UNDO)
				un->adj[sops[i].sem_num] = (int16_t)(un->adj[sops[i].sem_num] + sops[i].sem_op);
		}
		return r;
	}
	for (i = 0; i < nsops; i++)
		s->sems[sops[i].sem_num].pid = pid;
	s->otime = ipc_now();
	return 0;
}

static bool alters(const struct sembuf *sops, unsigned nsops)
{
	for (unsigned i = 0; i < nsops; i++)
		if (sops[i].sem_op)
			return true;
	return false;
}

static void pending_unlink(struct sem_set *s, struct sem_pending *q)
{
	*q->pprev = q->next;
	if (q->next)
		q->next->pprev = q->pprev;
	else
		s->pending_tail = q->pprev;
}

static void pending_add(struct sem_set *s, struct sem_pending *q)
{
	q->next = NULL;
	q->pprev = s->pending_tail;
	*s->pending_tail = q;
	s->pending_tail = &q->next;
}

/* Linux's update_queue: complete, in arrival order, the pending semops
 * that can go on now; after one that changed a value, start again from
 * the first. Wakes the set's sleepers when any completed. */
static void update_queue(struct sem_set *s)
{
	bool woke = false;
	struct sem_pending *q = s->pending;

	while (q) {
		struct sem_pending *next = q->next;
		int r = perform(s, q->sops, q->nsops, q->undo, q->pid, &q->blocking);
		if (r == 1) {
			q = next;
			continue;
		}
		pending_unlink(s, q);
		q->status = r;
		woke = true;
		q = !r && alters(q->sops, q->nsops) ? s->pending : next;
	}
	if (woke)
		wake_all(&s->wq);
}

/* ---- SEM_UNDO's records --------------------------------------------------------- */

static void undo_unlink(struct sem_undo *un)
{
	*un->pprev_in_list = un->next_in_list;
	if (un->next_in_list)
		un->next_in_list->pprev_in_list = un->pprev_in_list;
	*un->pprev_in_set = un->next_in_set;
	if (un->next_in_set)
		un->next_in_set->pprev_in_set = un->pprev_in_set;
	kfree(un);
}

/* Linux's find_alloc_undo: the caller's record for s, made if needed.
 * NULL when out of memory. */
/* p's list, made if it has none (Linux's get_undo_list): false when out
 * of memory. sem_table locked. */
static bool undo_list_of(struct process *p)
{
	if (!p->sysvsem && (p->sysvsem = kzalloc(sizeof(*p->sysvsem))))
		p->sysvsem->refs = 1;
	return p->sysvsem != NULL;
}

static struct sem_undo *undo_for(struct sem_set *s)
{
	struct process *p = current_process();

	if (!undo_list_of(p))
		return NULL;
	for (struct sem_undo *un = p->sysvsem->head; un; un = un->next_in_list)
		if (un->semid == s->perm.id)
			return un;
	struct sem_undo *un = kzalloc(sizeof(*un) + s->nsems * sizeof(un->adj[0]));
	if (!un)
		return NULL;
	un->semid = s->perm.id;
	un->next_in_list = p->sysvsem->head;
	un->pprev_in_list = &p->sysvsem->head;
	if (un->next_in_list)
		un->next_in_list->pprev_in_list = &un->next_in_list;
	p->sysvsem->head = un;
	un->next_in_set = s->undos;
	un->pprev_in_set = &s->undos;
	if (un->next_in_set)
		un->next_in_set->pprev_in_set = &un->next_in_set;
	s->undos = un;
	return un;
}

/* SETVAL and SETALL: the adjustments of semaphore num (all: -1) go. */
static void undo_clear(struct sem_set *s, int num)
{
	for (struct sem_undo *un = s->undos; un; un = un->next_in_set) {
		if (num >= 0)
			un->adj[num] = 0;
		else
			memset(un->adj, 0, s->nsems * sizeof(un->adj[0]));
	}
}

int sem_undo_share_prepare(struct process *p)
{
	uint64_t fl = ipc_lock(&sem_table);
	bool ok = undo_list_of(p);

	ipc_unlock(&sem_table, fl);
	return ok ? 0 : -ENOMEM;
}

void sem_undo_fork(struct process *parent, struct process *child, bool share)
{
	if (!share)
		return;
	uint64_t fl = ipc_lock(&sem_table);
	parent->sysvsem->refs++;
	child->sysvsem = parent->sysvsem;
	ipc_unlock(&sem_table, fl);
}

/* Apply un's adjustments to its set, as Linux's exit_sem. */
static void undo_apply(struct sem_undo *un, int pid)
{
	struct sem_set *s = (struct sem_set *)ipc_find_id(&sem_table, un->semid);

	for (unsigned i = 0; s && i < s->nsems; i++) {
		if (!un->adj[i])
			continue;
		int v = s->sems[i].val + un->adj[i];
		s->sems[i].val = v < 0 ? 0 : v > SEMVMX ? SEMVMX : v;
		s->sems[i].pid = pid;
	}
	undo_unlink(un);
	if (s)
		update_queue(s);
}

void sem_undo_exit(struct process *p)
{
	if (!p->sysvsem)
		return;
	uint64_t fl = ipc_lock(&sem_table);
	struct sem_undo_list *l = p->sysvsem;

	p->sysvsem = NULL;
	if (--l->refs == 0) {
		while (l->head)
			undo_apply(l->head, p->pid);
		kfree(l);
	}
	ipc_unlock(&sem_table, fl);
}

/* ---- semop and semtimedop ------------------------------------------------------- */

/* Sleep in s's pending queue until q completes, the set goes, a signal
 * comes or the deadline passes: q's result, -EIDRM, -EINTR, -EAGAIN. */
static int sleep_pending(struct sem_set *s, struct sem_pending *q, uint64_t deadline,
			 uint64_t *fl)
{
	q->status = PENDING;
	pending_add(s, q);
	for (;;) {
		int err = ipc_wait(&sem_table, &s->perm, &s->wq, deadline, fl);
		if (q->status != PENDING)
			return q->status; /* done for it, or -EIDRM from the removal */
		if (err)
			return err;
		if (signal_pending() || time_ns() >= deadline) {
			pending_unlink(s, q);
			return signal_pending() ? -EINTR : -EAGAIN;
		}
	}
}

/* The checks and the operation under the lock (Linux's do_semtimedop
 * after the copies): 0, or its error. */
static long semop_locked(int semid, const struct sembuf *sops, unsigned nsops, uint64_t deadline)
{
	bool undo = false, alter = alters(sops, nsops);
	unsigned max = 0;

	for (unsigned i = 0; i < nsops; i++) {
		if (sops[i].sem_num > max)
			max = sops[i].sem_num;
		undo |= (sops[i].sem_flg & SEM_UNDO) != 0;
	}
	uint64_t fl = ipc_lock(&sem_table);
	struct sem_set *s = (struct sem_set *)ipc_find_id(&sem_table, semid);
	struct sem_undo *un = NULL;
	long r = !s ? -EINVAL : max >= s->nsems ? -EFBIG
		: !ipc_may(&s->perm, alter ? IPC_WRITE : IPC_READ) ? -EACCES
		: undo && !(un = undo_for(s)) ? -ENOMEM : 0;

	if (!r) {
		struct sem_pending q = { .sops = sops, .nsops = nsops, .undo = un, .pid = ipc_pid() };
		r = perform(s, sops, nsops, un, q.pid, &q.blocking);
		if (r == 0 && alter)
			update_queue(s);
		else if (r == 1)
			r = sleep_pending(s, &q, deadline, &fl);
	}
	ipc_unlock(&sem_table, fl);
	return r;
}

static long do_semtimedop(int semid, uptr_t usops, unsigned nsops, uptr_t utimeout)
{
	struct timespec_k ts;

	if (utimeout && copy_from_user(&ts, utimeout, sizeof(ts)))
		return -EFAULT;
	if (nsops < 1 || semid < 0)
		return -EINVAL;
	if (nsops > limit(SEM_OPM_I))
		return -E2BIG;
	struct sembuf *sops = kmalloc(nsops * sizeof(*sops));
	if (!sops)
		return -ENOMEM;
	long r = copy_from_user(sops, usops, nsops * sizeof(*sops)) ? -EFAULT : 0;
	uint64_t deadline = NO_DEADLINE;
	if (!r && utimeout) {
		if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= NS_PER_S)
			r = -EINVAL;
		else if ((uint64_t)ts.sec < TIMESPEC_FOREVER_NS / NS_PER_S)
			deadline = time_ns() + (uint64_t)ts.sec * NS_PER_S + (uint64_t)ts.nsec;
	}
	if (!r)
		r = semop_locked(semid, sops, nsops, deadline);
	kfree(sops);
	return r;
}

SYSCALL_DEFINE3(semop, int, semid, uptr_t, sops, unsigned int, nsops)
{
	return do_semtimedop(semid, sops, nsops, 0);
}

SYSCALL_DEFINE4(semtimedop, int, semid, uptr_t, sops, unsigned int, nsops, uptr_t, timeout)
{
	return do_semtimedop(semid, sops, nsops, timeout);
}

/* ---- semctl --------------------------------------------------------------------- */

static long sem_info(int cmd, uptr_t buf)
{
	uint64_t fl = ipc_lock(&sem_table);
	struct seminfo si = {
		.semmni = (int32_t)limit(SEM_MNI_I), .semmns = (int32_t)limit(SEM_MNS_I),
		.semmsl = (int32_t)limit(SEM_MSL_I), .semopm = (int32_t)limit(SEM_OPM_I),
		.semvmx = SEMVMX, .semmnu = SEMMNS_DEFAULT, .semmap = SEMMNS_DEFAULT,
		.semume = SEMOPM_DEFAULT,
		.semusz = cmd == SEM_INFO ? sem_table.in_use : SEMUSZ,
		.semaem = cmd == SEM_INFO ? (int32_t)used_sems : SEMAEM,
	};
	int max = ipc_max_idx(&sem_table);

	ipc_unlock(&sem_table, fl);
	return copy_to_user(buf, &si, sizeof(si)) ? -EFAULT : max;
}

static long sem_stat(int semid, int cmd, uptr_t buf)
{
	uint64_t fl = ipc_lock(&sem_table);
	struct ipc_obj *o = cmd == IPC_STAT ? ipc_find_id(&sem_table, semid)
					    : ipc_find_slot(&sem_table, semid);
	struct semid64_ds ds = { 0 };
	long r = !o ? -EINVAL : cmd != SEM_STAT_ANY && !ipc_may(o, IPC_READ) ? -EACCES
		: cmd == IPC_STAT ? 0 : o->id;

	if (r >= 0) {
		ipc_perm_out(o, &ds.sem_perm);
		ds.sem_otime = set_of(o)->otime;
		ds.sem_ctime = o->ctime;
		ds.sem_nsems = set_of(o)->nsems;
	}
	ipc_unlock(&sem_table, fl);
	if (r >= 0 && copy_to_user(buf, &ds, sizeof(ds)))
		return -EFAULT;
	return r;
}

/* GETNCNT (zero false) and GETZCNT: the sleepers blocked on semaphore num. */
static int waiters(const struct sem_set *s, unsigned num, bool zero)
{
	int n = 0;

	for (const struct sem_pending *q = s->pending; q; q = q->next)
		if (q->blocking->sem_num == num && (zero ? q->blocking->sem_op == 0 : q->blocking->sem_op < 0))
			n++;
	return n;
}

/* The commands on one semaphore: GETVAL, GETPID, GETNCNT, GETZCNT. */
static long sem_get_one(int semid, int num, int cmd)
{
	uint64_t fl = ipc_lock(&sem_table);
	struct sem_set *s = (struct sem_set *)ipc_find_id(&sem_table, semid);
	long r = !s ? -EINVAL : !ipc_may(&s->perm, IPC_READ) ? -EACCES
		: num < 0 || (unsigned)num >= s->nsems ? -EINVAL : 0;

	if (!r)
		r = cmd == GETVAL ? s->sems[num].val : cmd == GETPID ? s->sems[num].pid
		  : waiters(s, (unsigned)num, cmd == GETZCNT);
	ipc_unlock(&sem_table, fl);
	return r;
}

static long sem_setval(int semid, int num, int val)
{
	if (val < 0 || val > SEMVMX)
		return -ERANGE;
	uint64_t fl = ipc_lock(&sem_table);
	struct sem_set *s = (struct sem_set *)ipc_find_id(&sem_table, semid);
	long r = !s ? -EINVAL : num < 0 || (unsigned)num >= s->nsems ? -EINVAL
		: !ipc_may(&s->perm, IPC_WRITE) ? -EACCES : 0;

	if (!r) {
		undo_clear(s, num);
		s->sems[num].val = val;
		s->sems[num].pid = ipc_pid();
		s->perm.ctime = ipc_now();
		update_queue(s);
	}
	ipc_unlock(&sem_table, fl);
	return r;
}

/* The set's size, for GETALL and SETALL's buffers: or -EINVAL. */
static long set_size(int semid)
{
	uint64_t fl = ipc_lock(&sem_table);
	struct sem_set *s = (struct sem_set *)ipc_find_id(&sem_table, semid);
	long n = s ? (long)s->nsems : -EINVAL;

	ipc_unlock(&sem_table, fl);
	return n;
}

/* GETALL into vals, or SETALL from them (each checked already), if the
 * set still has n semaphores: 0, -EINVAL, -EIDRM (it went meanwhile), -EACCES. */
static long sem_all_locked(int semid, uint16_t *vals, long n, bool set)
{
	uint64_t fl = ipc_lock(&sem_table);
	struct sem_set *s = (struct sem_set *)ipc_find_id(&sem_table, semid);
	long r = !s ? -EIDRM : (long)s->nsems != n ? -EIDRM
		: !ipc_may(&s->perm, set ? IPC_WRITE : IPC_READ) ? -EACCES : 0;

	for (long i = 0; !r && i < n; i++) {
		if (!set) {
			vals[i] = (uint16_t)s->sems[i].val;
			continue;
		}
		s->sems[i].val = vals[i];
		s->sems[i].pid = ipc_pid();
	}
	if (!r && set) {
		undo_clear(s, -1);
		s->perm.ctime = ipc_now();
		update_queue(s);
	}
	ipc_unlock(&sem_table, fl);
	return r;
}

static long sem_all(int semid, int cmd, uptr_t array)
{
	long n = set_size(semid);

	if (n < 0)
		return n;
	uint16_t *vals = kmalloc((size_t)n * sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	long r = 0;
	if (cmd == SETALL) {
		r = copy_from_user(vals, array, (size_t)n * sizeof(*vals)) ? -EFAULT : 0;
		for (long i = 0; !r && i < n; i++)
			if (vals[i] > SEMVMX)
				r = -ERANGE;
	}
	if (!r)
		r = sem_all_locked(semid, vals, n, cmd == SETALL);
	if (!r && cmd == GETALL && copy_to_user(array, vals, (size_t)n * sizeof(*vals)))
		r = -EFAULT;
	kfree(vals);
	return r;
}

/* IPC_RMID: every sleeper wakes to -EIDRM, every undo record goes. */
static void set_remove(struct sem_set *s)
{
	for (struct sem_pending *q = s->pending; q; q = q->next)
		q->status = -EIDRM;
	s->pending = NULL;
	s->pending_tail = &s->pending;
	while (s->undos)
		undo_unlink(s->undos);
	wake_all(&s->wq);
	used_sems -= s->nsems;
	ipc_remove(&sem_table, &s->perm);
}

static long sem_down(int semid, int cmd, uptr_t buf)
{
	struct semid64_ds ds;

	if (cmd == IPC_SET && copy_from_user(&ds, buf, sizeof(ds)))
		return -EFAULT;
	uint64_t fl = ipc_lock(&sem_table);
	struct sem_set *s = (struct sem_set *)ipc_find_id(&sem_table, semid);
	long r = !s ? -EINVAL : !ipc_is_owner(&s->perm) ? -EPERM : 0;

	if (!r && cmd == IPC_RMID)
		set_remove(s);
	else if (!r)
		ipc_perm_set(&s->perm, &ds.sem_perm);
	ipc_unlock(&sem_table, fl);
	return r;
}

SYSCALL_DEFINE4(semctl, int, semid, int, semnum, int, cmd, unsigned long, arg)
{
	if (semid < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SEM_INFO:
		return sem_info(cmd, arg);
	case IPC_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY:
		return sem_stat(semid, cmd, arg);
	case GETVAL:
	case GETPID:
	case GETNCNT:
	case GETZCNT:
		return sem_get_one(semid, semnum, cmd);
	case GETALL:
	case SETALL:
		return sem_all(semid, cmd, arg);
	case SETVAL:
		return sem_setval(semid, semnum, (int)arg);
	case IPC_SET:
	case IPC_RMID:
		return sem_down(semid, cmd, arg);
	default:
		return -EINVAL;
	}
}

/* ---- /proc/sysvipc/sem ------------------------------------------------------------ */

static void show_set(struct ipc_obj *o, void *arg)
{
	const struct sem_set *s = set_of(o);

	sb_printf(arg, "%10d %10d  %4o %10u %5u %5u %5u %5u %10ld %10ld\n", o->key, o->id, o->mode,
		  s->nsems, o->uid, o->gid, o->cuid, o->cgid, (long)s->otime, (long)o->ctime);
}

void sem_proc_show(struct sbuf *s)
{
	sb_printf(s, "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n");
	uint64_t fl = ipc_lock(&sem_table);
	ipc_for_each(&sem_table, show_set, s);
	ipc_unlock(&sem_table, fl);
}
