// SPDX-License-Identifier: MIT
/*
 * Kestrel: System V IPC's tables of objects (ipc/ipc_ids.h), as Linux's
 * ipc/util.c: slots handed out cyclically over a window that grows with
 * the objects in use, each id carrying a sequence number bumped when the
 * search wraps, so that a stale id of a removed object is refused
 * (-EINVAL) instead of reaching a newer one.
 */
#include "ipc/ipc_ids.h"
#include "mm/heap.h"
#include "proc/cred.h"
#include "proc/process.h"
#include "time/time.h"
#include "lib/errno.h"
#include "uapi/capability.h"

#define NS_PER_S 1000000000ull

uint64_t ipc_lock(struct ipc_table *t)
{
	return spin_lock_irqsave(&t->lock);
}

void ipc_unlock(struct ipc_table *t, uint64_t flags)
{
	spin_unlock_irqrestore(&t->lock, flags);
}

int64_t ipc_now(void)
{
	return (int64_t)(time_realtime_ns() / NS_PER_S);
}

int ipc_pid(void)
{
	struct process *p = current_process();

	return p ? p->pid : 0;
}

/* ---- slots ------------------------------------------------------------------------ */

static struct ipc_obj *slot_get(const struct ipc_table *t, int idx)
{
	struct ipc_obj **c = t->chunk[idx / IPC_CHUNK];

	return c ? c[idx % IPC_CHUNK] : NULL;
}

/* Make slot idx's chunk exist: false when out of memory. */
static bool slot_ready(struct ipc_table *t, int idx)
{
	struct ipc_obj ***c = &t->chunk[idx / IPC_CHUNK];

	if (!*c)
		*c = kzalloc(IPC_CHUNK * sizeof(**c));
	return *c != NULL;
}

static void slot_set(struct ipc_table *t, int idx, struct ipc_obj *o)
{
	t->chunk[idx / IPC_CHUNK][idx % IPC_CHUNK] = o;
}

/* The first free slot in [from, to), or -1. */
static int free_slot_in(const struct ipc_table *t, int from, int to)
{
	for (int i = from; i < to; i++)
		if (!slot_get(t, i))
			return i;
	return -1;
}

struct ipc_obj *ipc_find_slot(struct ipc_table *t, int id)
{
	return id < 0 ? NULL : slot_get(t, id & (IPC_MNI - 1));
}

struct ipc_obj *ipc_find_id(struct ipc_table *t, int id)
{
	struct ipc_obj *o = ipc_find_slot(t, id);

	return o && o->id == id ? o : NULL;
}

struct ipc_obj *ipc_find_key(struct ipc_table *t, int32_t key)
{
	for (int i = 0; i <= t->max_idx; i++) {
		struct ipc_obj *o = slot_get(t, i);
		if (o && o->key == key)
			return o;
	}
	return NULL;
}

/* Linux's ipc_idr_alloc without a next_id: the next free slot after the
 * last one taken, within max(1.5 x in use, IPC_MIN_CYCLE) slots,
 * wrapping to the start; seq goes up when the search wrapped. */
static int cyclic_slot(struct ipc_table *t, uint16_t *seq)
{
	int window = t->in_use * 3 / 2;

	if (window < IPC_MIN_CYCLE)
		window = IPC_MIN_CYCLE;
	if (window > IPC_MNI)
		window = IPC_MNI;
	int from = t->cursor < window ? t->cursor : 0;
	int idx = free_slot_in(t, from, window);
	if (idx < 0)
		idx = free_slot_in(t, 0, from);
	if (idx < 0)
		return -ENOSPC;
	if (idx <= t->last_idx && ++t->seq >= IPC_SEQ_MAX)
		t->seq = 0;
	t->last_idx = idx;
	t->cursor = idx + 1;
	*seq = t->seq;
	return idx;
}

/* With kernel.*_next_id set: its slot or the first free one after it,
 * its sequence; next_id is used up (-1). */
static int chosen_slot(struct ipc_table *t, uint16_t *seq)
{
	int want = (int)t->next_id;

	t->next_id = -1;
	*seq = (uint16_t)(want >> IPC_SEQ_SHIFT);
	int idx = free_slot_in(t, want & (IPC_MNI - 1), IPC_MNI);
	return idx < 0 ? -ENOSPC : idx;
}

int ipc_add(struct ipc_table *t, struct ipc_obj *o, int32_t key, int flg)
{
	int64_t limit = __atomic_load_n(t->limit, __ATOMIC_RELAXED);
	uint16_t seq;

	if (t->in_use >= limit || t->in_use >= IPC_MNI)
		return -ENOSPC;
	int idx = t->next_id >= 0 ? chosen_slot(t, &seq) : cyclic_slot(t, &seq);
	if (idx < 0)
		return idx;
	if (!slot_ready(t, idx))
		return -ENOMEM;
	const struct cred *c = current_cred();
	o->key = key;
	o->uid = o->cuid = c->euid;
	o->gid = o->cgid = c->egid;
	o->mode = (uint32_t)flg & IPC_MODE_BITS;
	o->seq = seq;
	o->id = (int)((unsigned)seq << IPC_SEQ_SHIFT) + idx;
	o->refs = 1;
	o->ctime = ipc_now();
	slot_set(t, idx, o);
	t->in_use++;
	if (idx > t->max_idx)
		t->max_idx = idx;
	return 0;
}

void ipc_remove(struct ipc_table *t, struct ipc_obj *o)
{
	int idx = o->id & (IPC_MNI - 1);

	slot_set(t, idx, NULL);
	t->in_use--;
	while (t->max_idx >= 0 && !slot_get(t, t->max_idx))
		t->max_idx--;
	o->removed = true;
	o->key = IPC_PRIVATE;
	ipc_put(t, o);
}

void ipc_get(struct ipc_obj *o)
{
	o->refs++;
}

void ipc_put(struct ipc_table *t, struct ipc_obj *o)
{
	if (--o->refs == 0)
		t->free(o);
}

int ipc_wait(struct ipc_table *t, struct ipc_obj *o, struct wait_queue *wq, uint64_t deadline,
	     uint64_t *flags)
{
	ipc_get(o);
	ipc_unlock(t, *flags);
	/* A wake between the unlock and the sleep is not lost while every
	 * system call holds the kernel lock (issue 29 gives wait queues a
	 * lock of their own to sleep under). */
	wait_on(wq, deadline);
	*flags = ipc_lock(t);
	bool removed = o->removed;
	ipc_put(t, o);
	return removed ? -EIDRM : 0;
}

int ipc_get_or_create(struct ipc_table *t, int32_t key, int flg,
		      int (*create)(struct ipc_table *t, int32_t key, int flg, void *arg),
		      int (*check)(const struct ipc_obj *o, void *arg), void *arg)
{
	uint64_t fl = ipc_lock(t);
	struct ipc_obj *o = key == IPC_PRIVATE ? NULL : ipc_find_key(t, key);
	int r;

	if (!o)
		r = key == IPC_PRIVATE || (flg & IPC_CREAT) ? create(t, key, flg, arg) : -ENOENT;
	else if ((flg & IPC_CREAT) && (flg & IPC_EXCL))
		r = -EEXIST;
	else if (check && (r = check(o, arg)) != 0)
		;
	else
		r = ipc_may(o, flg) ? o->id : -EACCES;
	ipc_unlock(t, fl);
	return r;
}

/* ---- permissions ---------------------------------------------------------------- */

bool ipc_may(const struct ipc_obj *o, int ask)
{
	const struct cred *c = current_cred();
	unsigned want = ((unsigned)ask >> 6 | (unsigned)ask >> 3 | (unsigned)ask) & 7;
	unsigned granted = o->mode;

	if (c->euid == o->cuid || c->euid == o->uid)
		granted >>= 6;
	else if (cred_in_group(c, o->cgid) || cred_in_group(c, o->gid))
		granted >>= 3;
	return !(want & ~granted & 7) || capable(CAP_IPC_OWNER);
}

bool ipc_is_owner(const struct ipc_obj *o)
{
	const struct cred *c = current_cred();

	return c->euid == o->cuid || c->euid == o->uid || capable(CAP_SYS_ADMIN);
}

void ipc_perm_out(const struct ipc_obj *o, struct ipc64_perm *p)
{
	*p = (struct ipc64_perm){
		.key = o->key, .uid = o->uid, .gid = o->gid, .cuid = o->cuid, .cgid = o->cgid,
		.mode = o->mode, .seq = o->seq,
	};
}

void ipc_perm_set(struct ipc_obj *o, const struct ipc64_perm *p)
{
	o->uid = p->uid;
	o->gid = p->gid;
	o->mode = (o->mode & ~(uint32_t)IPC_MODE_BITS) | (p->mode & IPC_MODE_BITS);
	o->ctime = ipc_now();
}

int ipc_max_idx(const struct ipc_table *t)
{
	if (!t->in_use)
		return 0;
	return t->in_use == IPC_MNI ? IPC_MNI - 1 : t->max_idx;
}

void ipc_for_each(struct ipc_table *t, void (*fn)(struct ipc_obj *o, void *arg), void *arg)
{
	for (int i = 0; i <= t->max_idx; i++) {
		struct ipc_obj *o = slot_get(t, i);
		if (o)
			fn(o, arg);
	}
}
