// SPDX-License-Identifier: MIT
/*
 * Kestrel: advisory file locks (fs/filelock.h), as Linux's fs/locks.c.
 * Every locked file has a lock_ctx, found by its key (the inode, or for
 * files without one, such as pipes, the object behind them), holding an
 * unsorted list of lock records and the queue its waiters sleep on. A
 * record is a byte range [start, end] (end OFFSET_MAX: to the end of the
 * file however far it grows) of one type, owned by a descriptor table
 * (POSIX) or an open file (OFD, flock). An owner's ranges of one class
 * never overlap and adjacent ones of the same type are merged, so F_GETLK
 * reports ranges as Linux does. The lock rules are in the header.
 */
#include "fs/filelock.h"
#include "fs/inode.h"
#include "arch/x86_64/cpu.h"
#include "mm/heap.h"
#include "mm/usercopy.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "lib/errno.h"
#include "uapi/fcntl.h"

#define OFFSET_MAX INT64_MAX
/* How far a POSIX wait follows "owner A waits for owner B" before it
 * stops looking for a cycle (Linux's MAX_DEADLK_ITERATIONS). */
#define MAX_DEADLK_ITERATIONS 10

/* POSIX and OFD locks share the byte-range space; flock's is its own. */
enum lock_class { LC_POSIX, LC_OFD, LC_FLOCK };

struct file_lock {
	struct file_lock *next;
	const void *owner;     /* POSIX: the struct fdtable; OFD, flock: the struct file */
	enum lock_class cls;
	int type;              /* F_RDLCK or F_WRLCK (F_UNLCK only in a request) */
	int64_t start, end;    /* inclusive */
	int pid;               /* POSIX: the process that set it (F_GETLK's l_pid) */
};

struct lock_ctx {
	struct lock_ctx *next;
	const void *key;
	struct file_lock *locks;
	struct wait_queue wq;  /* woken on every change of locks */
	int waiters;           /* sleeping on wq: the ctx stays while any do */
};

/* A POSIX owner asleep in F_SETLKW, and the owner of the lock it waits for. */
struct lock_waiter {
	struct lock_waiter *next;
	const void *owner, *blocker;
};

static struct lock_ctx *ctxs;
static struct lock_waiter *waiters;
static int nlocks;

/* ---------------------------------------------------------------- records */

static const void *file_key(const struct file *f)
{
	if (f->inode)
		return f->inode;
	return f->priv ? f->priv : (const void *)f;
}

static struct lock_ctx *ctx_find(const void *key, bool create)
{
	for (struct lock_ctx *c = ctxs; c; c = c->next)
		if (c->key == key)
			return c;
	if (!create)
		return NULL;
	struct lock_ctx *c = kzalloc(sizeof(*c));
	if (!c)
		return NULL;
	c->key = key;
	c->next = ctxs;
	ctxs = c;
	return c;
}

/* Free c when it holds no lock and nobody waits on it. */
static void ctx_maybe_free(struct lock_ctx *c)
{
	if (c->locks || c->waiters)
		return;
	for (struct lock_ctx **pp = &ctxs; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			kfree(c);
			return;
		}
}

static struct file_lock *lock_alloc(void)
{
	if (nlocks >= FILELOCK_MAX)
		return NULL;
	struct file_lock *l = kzalloc(sizeof(*l));
	if (l)
		nlocks++;
	return l;
}

static void lock_free(struct file_lock *l)
{
	if (l) {
		nlocks--;
		kfree(l);
	}
}

static bool overlap(const struct file_lock *a, const struct file_lock *b)
{
	return a->start <= b->end && b->start <= a->end;
}

static bool same_space(enum lock_class a, enum lock_class b)
{
	return (a == LC_FLOCK) == (b == LC_FLOCK);
}

/* The first lock of another owner that req cannot coexist with, or NULL. */
static struct file_lock *find_conflict(const struct lock_ctx *c, const struct file_lock *req)
{
	for (struct file_lock *l = c->locks; l; l = l->next) {
		if (!same_space(l->cls, req->cls) || l->owner == req->owner)
			continue;
		if ((l->type == F_WRLCK || req->type == F_WRLCK) && overlap(l, req))
			return l;
	}
	return NULL;
}

/* Drop every lock of owner in class cls on c; wake the waiters if any went. */
static void remove_owner(struct lock_ctx *c, const void *owner, enum lock_class cls)
{
	bool changed = false;

	for (struct file_lock **pp = &c->locks; *pp;) {
		struct file_lock *l = *pp;
		if (l->owner == owner && l->cls == cls) {
			*pp = l->next;
			lock_free(l);
			changed = true;
		} else {
			pp = &l->next;
		}
	}
	if (changed)
		wake_all(&c->wq);
}

/* ---------------------------------------------------------------- ranges */

/* Cut req's range out of its owner's locks; *spare (a free record)
 * becomes the upper half of a lock split in two, and is then NULL. */
static void cut_range(struct lock_ctx *c, const struct file_lock *req, struct file_lock **spare)
{
	for (struct file_lock **pp = &c->locks; *pp;) {
		struct file_lock *l = *pp;
		if (l->owner != req->owner || l->cls != req->cls || !overlap(l, req)) {
			pp = &l->next;
		} else if (l->start < req->start && l->end > req->end) {
			struct file_lock *hi = *spare;
			*spare = NULL;
			*hi = *l;
			hi->start = req->end + 1;
			l->end = req->start - 1;
			l->next = hi;
			pp = &hi->next;
		} else if (l->start < req->start) {
			l->end = req->start - 1;
			pp = &l->next;
		} else if (l->end > req->end) {
			l->start = req->end + 1;
			pp = &l->next;
		} else {
			*pp = l->next;
			lock_free(l);
		}
	}
}

static bool adjacent(const struct file_lock *a, const struct file_lock *b)
{
	return (a->end != OFFSET_MAX && a->end + 1 == b->start) ||
	       (b->end != OFFSET_MAX && b->end + 1 == a->start);
}

static bool same_owner(const struct file_lock *a, const struct file_lock *b)
{
	return a->owner == b->owner && a->cls == b->cls;
}

/* Link n into c where Linux's posix_lock_inode puts it: an owner's locks
 * stay together, sorted by start, and a new owner's go at the end. The
 * order is what F_GETLK reports first among several conflicts. */
static void link_sorted(struct lock_ctx *c, struct file_lock *n)
{
	struct file_lock **pp = &c->locks;

	while (*pp && !same_owner(*pp, n))
		pp = &(*pp)->next;
	while (*pp && same_owner(*pp, n) && (*pp)->start < n->start)
		pp = &(*pp)->next;
	n->next = *pp;
	*pp = n;
}

/* Put n on c, merged with its owner's adjacent locks of the same type. */
static void insert_merged(struct lock_ctx *c, struct file_lock *n)
{
	for (struct file_lock **pp = &c->locks; *pp;) {
		struct file_lock *l = *pp;
		if (l->owner == n->owner && l->cls == n->cls && l->type == n->type && adjacent(l, n)) {
			n->start = l->start < n->start ? l->start : n->start;
			n->end = l->end > n->end ? l->end : n->end;
			*pp = l->next;
			lock_free(l);
		} else {
			pp = &l->next;
		}
	}
	link_sorted(c, n);
}

/* Does req's range fall strictly inside one of its owner's locks (which
 * cut_range must then split in two)? */
static bool needs_split(const struct lock_ctx *c, const struct file_lock *req)
{
	for (const struct file_lock *l = c->locks; l; l = l->next)
		if (l->owner == req->owner && l->cls == req->cls && l->start < req->start && l->end > req->end)
			return true;
	return false;
}

/* Set req (no conflict left) on c: 0, or -ENOLCK with nothing changed.
 * Records are allocated first, only those needed, so an unlock that
 * splits nothing works even at FILELOCK_MAX. */
static long apply_range(struct lock_ctx *c, const struct file_lock *req)
{
	bool split_one = needs_split(c, req);
	struct file_lock *split = split_one ? lock_alloc() : NULL;
	struct file_lock *n = req->type == F_UNLCK ? NULL : lock_alloc();

	if ((split_one && !split) || (req->type != F_UNLCK && !n)) {
		lock_free(split);
		lock_free(n);
		return -ENOLCK;
	}
	cut_range(c, req, &split);
	lock_free(split);
	if (n) {
		*n = *req;
		insert_merged(c, n);
	}
	wake_all(&c->wq);
	return 0;
}

/* ---------------------------------------------------------------- waiting */

/* Would owner me waiting for blocker close a cycle of POSIX waiters? */
static bool would_deadlock(const void *me, const void *blocker)
{
	for (int i = 0; i < MAX_DEADLK_ITERATIONS; i++) {
		if (blocker == me)
			return true;
		const struct lock_waiter *w = waiters;
		while (w && w->owner != blocker)
			w = w->next;
		if (!w)
			return false;
		blocker = w->blocker;
	}
	return false;
}

/* Sleep once on c's queue as a waiter for held. */
static void wait_once(struct lock_ctx *c, const struct file_lock *req, const struct file_lock *held)
{
	struct lock_waiter w = { waiters, req->owner, held->owner };

	waiters = &w;
	c->waiters++;
	wait_on(&c->wq, NO_DEADLINE);
	c->waiters--;
	for (struct lock_waiter **pp = &waiters; *pp; pp = &(*pp)->next)
		if (*pp == &w) {
			*pp = w.next;
			break;
		}
}

/* Take req on c, waiting for conflicts to go when wait. Interrupts are
 * off across each check and the sleep after it, so no wake is lost. */
static long lock_range(struct lock_ctx *c, const struct file_lock *req, bool wait)
{
	uint64_t fl = irq_save();
	long r;

	for (;;) {
		struct file_lock *held = req->type == F_UNLCK ? NULL : find_conflict(c, req);
		if (!held) {
			r = req->cls == LC_FLOCK ? 0 : apply_range(c, req);
			break;
		}
		r = -EAGAIN;
		if (!wait)
			break;
		r = -EDEADLK;
		if (req->cls == LC_POSIX && held->cls == LC_POSIX && would_deadlock(req->owner, held->owner))
			break;
		r = -ERESTARTSYS;
		if (signal_pending())
			break;
		wait_once(c, req, held);
	}
	irq_restore(fl);
	return r;
}

/* ---------------------------------------------------------------- fcntl */

/* struct flock's range to [*start, *end] (Linux's flock_to_posix_lock). */
static long flock_range(const struct file *f, const struct flock_k *fl, int64_t *start, int64_t *end)
{
	int64_t base, s;

	switch (fl->l_whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (int64_t)f->pos; break;
	case SEEK_END: base = f->inode ? (int64_t)f->inode->size : 0; break;
	default: return -EINVAL;
	}
	if (fl->l_start > OFFSET_MAX - base)
		return -EOVERFLOW;
	s = base + fl->l_start;
	if (s < 0)
		return -EINVAL;
	if (fl->l_len > 0) {
		if (fl->l_len - 1 > OFFSET_MAX - s)
			return -EOVERFLOW;
		*end = s + fl->l_len - 1;
	} else if (fl->l_len < 0) {
		*end = s - 1;
		s += fl->l_len;
		if (s < 0)
			return -EINVAL;
	} else {
		*end = OFFSET_MAX;
	}
	*start = s;
	return 0;
}

/* Read the user's struct flock into a request of the current owner. */
static long read_request(struct file *f, uptr_t arg, bool ofd, struct flock_k *fl, struct file_lock *req)
{
	struct process *p = current_process();

	if (copy_from_user(fl, arg, sizeof(*fl)))
		return -EFAULT;
	long r = flock_range(f, fl, &req->start, &req->end);
	if (r)
		return r;
	if (ofd && fl->l_pid != 0)
		return -EINVAL;
	req->type = fl->l_type;
	req->cls = ofd ? LC_OFD : LC_POSIX;
	req->owner = ofd ? (const void *)f : (const void *)p->files;
	req->pid = p->pid;
	return 0;
}

long filelock_getlk(struct file *f, uptr_t arg, bool ofd)
{
	struct flock_k fl;
	struct file_lock req = { 0 };
	int16_t type;

	if (copy_from_user(&type, arg, sizeof(type)))
		return -EFAULT;
	if (type != F_RDLCK && type != F_WRLCK)
		return -EINVAL;
	long r = read_request(f, arg, ofd, &fl, &req);
	if (r)
		return r;
	struct lock_ctx *c = ctx_find(file_key(f), false);
	const struct file_lock *held = c ? find_conflict(c, &req) : NULL;
	fl.l_type = F_UNLCK;
	if (held) {
		fl.l_type = (int16_t)held->type;
		fl.l_whence = SEEK_SET;
		fl.l_start = held->start;
		fl.l_len = held->end == OFFSET_MAX ? 0 : held->end - held->start + 1;
		fl.l_pid = held->cls == LC_POSIX ? held->pid : -1;
	}
	return copy_to_user(arg, &fl, sizeof(fl)) ? -EFAULT : 0;
}

long filelock_setlk(struct file *f, int fd, uptr_t arg, bool ofd, bool wait)
{
	struct flock_k fl;
	struct file_lock req = { 0 };
	long r = read_request(f, arg, ofd, &fl, &req);

	if (r)
		return r;
	if (req.type != F_RDLCK && req.type != F_WRLCK && req.type != F_UNLCK)
		return -EINVAL;
	if ((req.type == F_RDLCK && !can_read(f)) || (req.type == F_WRLCK && !can_write(f)))
		return -EBADF;
	struct lock_ctx *c = ctx_find(file_key(f), req.type != F_UNLCK);
	if (!c)
		return req.type == F_UNLCK ? 0 : -ENOLCK;
	r = lock_range(c, &req, wait);
	/* A close of fd while we slept: the lock must not outlive it (Linux). */
	struct file *now = fd_get(current_process()->files, fd);
	if (r == 0 && now != f && req.type != F_UNLCK) {
		req.type = F_UNLCK;
		apply_range(c, &req);
	}
	file_put(now);
	ctx_maybe_free(c);
	return r;
}

/* ---------------------------------------------------------------- flock */

static struct file_lock *own_flock(const struct lock_ctx *c, const struct file *f)
{
	for (struct file_lock *l = c->locks; l; l = l->next)
		if (l->owner == f && l->cls == LC_FLOCK)
			return l;
	return NULL;
}

long filelock_flock(struct file *f, unsigned int op)
{
	unsigned cmd = op & ~(unsigned)LOCK_NB;
	struct file_lock req = { .owner = f, .cls = LC_FLOCK, .start = 0, .end = OFFSET_MAX };

	if (cmd == LOCK_SH)
		req.type = F_RDLCK;
	else if (cmd == LOCK_EX)
		req.type = F_WRLCK;
	else if (cmd == LOCK_UN)
		req.type = F_UNLCK;
	else
		return -EINVAL;
	struct lock_ctx *c = ctx_find(file_key(f), req.type != F_UNLCK);
	if (!c)
		return req.type == F_UNLCK ? 0 : -ENOLCK;
	struct file_lock *mine = own_flock(c, f);
	if (mine && mine->type == req.type)
		return 0;
	/* A conversion drops the old lock first, as Linux's (not atomic). */
	if (mine)
		remove_owner(c, f, LC_FLOCK);
	long r = 0;
	if (req.type != F_UNLCK) {
		struct file_lock *n = lock_alloc();
		r = n ? lock_range(c, &req, !(op & LOCK_NB)) : -ENOLCK;
		if (r == 0) {
			*n = req;
			n->next = c->locks;
			c->locks = n;
		} else {
			lock_free(n);
		}
	}
	ctx_maybe_free(c);
	return r == -EAGAIN ? -EWOULDBLOCK : r;
}

/* ---------------------------------------------------------------- closing */

bool filelock_any(void)
{
	return __atomic_load_n(&ctxs, __ATOMIC_RELAXED) != NULL;
}

void filelock_close(struct file *f, const void *owner)
{
	if (!ctxs)
		return;
	struct lock_ctx *c = ctx_find(file_key(f), false);
	if (!c)
		return;
	remove_owner(c, owner, LC_POSIX);
	ctx_maybe_free(c);
}

void filelock_release(struct file *f)
{
	if (!ctxs)
		return;
	struct lock_ctx *c = ctx_find(file_key(f), false);
	if (!c)
		return;
	remove_owner(c, f, LC_OFD);
	remove_owner(c, f, LC_FLOCK);
	ctx_maybe_free(c);
}
