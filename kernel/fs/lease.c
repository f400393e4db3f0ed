// SPDX-License-Identifier: MIT
/*
 * Kestrel: file leases, as Linux's fs/locks.c shows them to programs
 * (fcntl(2) F_SETLEASE, F_GETLEASE). A lease belongs to an open file
 * description of a regular file: a read lease while nobody has the file
 * open for writing, a write lease while nobody else has it open at all.
 * An open that conflicts (any open meets a write lease, one for writing
 * a read lease) breaks it: the holder gets its signal once, and the
 * opener waits until the holder gives the lease up (or, a write lease
 * met by a reader, goes down to a read lease), or until lease_break_secs
 * (fs.lease-break-time) have passed and the kernel does it; O_NONBLOCK opens get EWOULDBLOCK
 * instead of waiting. truncate(2) breaks leases as an open for writing.
 *
 * Lock rule: the list changes and is walked only in system calls with
 * the kernel lock (a breaker sleeps on lease_wq, which drops it); no
 * interrupt handler touches it. Programs hold few leases: one list.
 */
#include "fs/lease.h"
#include "fs/fown.h"
#include "fs/inode.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "time/time.h"
#include "lib/errno.h"
#include "uapi/capability.h"
#include "uapi/fcntl.h"
#include "uapi/signal.h"
#include "uapi/stat.h"

struct lease {
	struct lease *next;
	struct file *f;          /* its holder; f's reference keeps f->inode */
	int fd;                  /* the descriptor F_SETLEASE came through: si_fd */
	int type;                /* F_RDLCK or F_WRLCK */
	int target;              /* being broken: F_UNLCK or F_RDLCK; else type */
	uint64_t deadline;       /* time_ns() the kernel breaks it by; 0: not being broken;
	                          * NO_DEADLINE: broken, but the kernel never takes it */
};

static struct lease *leases;
int64_t lease_break_secs = LEASE_BREAK_SECS_DEFAULT;
static struct wait_queue lease_wq;  /* breakers wait here for holders to give way */

/* The link that points at f's lease, or at the list's end (NULL) if none. */
static struct lease **link_of(const struct file *f)
{
	struct lease **pp = &leases;

	while (*pp && (*pp)->f != f)
		pp = &(*pp)->next;
	return pp;
}

/* Take the lease at *pp off the list and let its breakers look again. */
static void unlink_lease(struct lease **pp)
{
	struct lease *l = *pp;

	*pp = l->next;
	kfree(l);
	wake_all(&lease_wq);
}

/* Does lease l stand in the way of an open (write: for writing)? */
static bool conflicts(const struct lease *l, bool write)
{
	return write || l->type == F_WRLCK;
}

/* Linux's check_conflicting_open: a read lease needs no writer of the
 * file, a write lease no opener but f (nor a process running it). */
static bool open_conflict(const struct file *f, int type)
{
	const struct inode *ip = f->inode;

	int writers = __atomic_load_n(&ip->writecount, __ATOMIC_SEQ_CST);
	int readers = __atomic_load_n(&ip->readcount, __ATOMIC_SEQ_CST);

	if (type == F_RDLCK)
		return writers > 0;
	return writers != (f->writer ? 1 : 0) || readers != (f->reader ? 1 : 0);
}

/* Give f a lease of type, or change the one it has (Linux's
 * generic_add_lease and lease_modify). 0, -EAGAIN, -ENOMEM. */
static long add_lease(struct file *f, int fd, int type)
{
	struct lease *mine = NULL;

	if (open_conflict(f, type))
		return -EAGAIN;
	for (struct lease *l = leases; l; l = l->next) {
		if (l->f == f)
			mine = l;
		else if (l->f->inode == f->inode && (type == F_WRLCK || (l->deadline && l->target == F_UNLCK)))
			return -EAGAIN; /* no write lease beside another; no lease beside a writer's wait */
	}
	if (!mine) {
		if (!(mine = kzalloc(sizeof(*mine))))
			return -ENOMEM;
		mine->f = f;
		mine->next = leases;
		__atomic_store_n(&leases, mine, __ATOMIC_SEQ_CST);
		/* a lock-free open counts itself, then looks for leases
		 * (fs/fsops.c's vfs_open_nolock): published, then the counts
		 * looked at again, one of the two sees the other (Linux's
		 * generic_add_lease looks again after its smp_mb too) */
		if (open_conflict(f, type)) {
			unlink_lease(&leases);
			return -EAGAIN;
		}
	} else if (mine->deadline && type == F_RDLCK && mine->target == F_RDLCK) {
		mine->deadline = 0; /* the downgrade a reader waited for */
	}
	mine->type = type;
	if (!mine->deadline)
		mine->target = type;
	mine->fd = fd;
	wake_all(&lease_wq);
	return fown_set_self(f);
}

long lease_set(struct file *f, int fd, unsigned long arg)
{
	struct inode *ip = f->inode;

	if (arg != F_RDLCK && arg != F_WRLCK && arg != F_UNLCK)
		return -EINVAL;
	if (!ip)
		return -EINVAL; /* a pipe or a socket */
	if (ip->uid != current_cred()->fsuid && !capable(CAP_LEASE))
		return -EACCES;
	if (!S_ISREG(ip->mode))
		return -EINVAL;
	if (arg != F_UNLCK)
		return add_lease(f, fd, (int)arg);
	struct lease **pp = link_of(f);
	if (*pp)
		unlink_lease(pp);
	return 0;
}

long lease_get(struct file *f)
{
	const struct lease *l = *link_of(f);

	return !l ? F_UNLCK : l->deadline ? l->target : l->type;
}

/* When a break starting now ends: fs.lease-break-time seconds on, or
 * never when it is 0 or less (Linux's __break_lease then sets no
 * break time and time_out_leases never takes the lease). */
static uint64_t break_deadline(void)
{
	int64_t secs = __atomic_load_n(&lease_break_secs, __ATOMIC_RELAXED);

	if (secs <= 0)
		return NO_DEADLINE;
	return time_ns() + (uint64_t)secs * NSEC_PER_SEC;
}

/* Start breaking the leases on ip that an open (write: for writing) meets:
 * each is signalled when it gets a new target. True when any conflict. */
static bool start_break(struct inode *ip, bool write)
{
	bool any = false;

	for (struct lease *l = leases; l; l = l->next) {
		if (l->f->inode != ip || !conflicts(l, write))
			continue;
		any = true;
		int target = write ? F_UNLCK : F_RDLCK;
		if (l->deadline && (l->target == F_UNLCK || target == F_RDLCK))
			continue; /* broken to that already */
		if (!l->deadline)
			l->deadline = break_deadline();
		l->target = target;
		fown_signal(l->f, l->fd, POLL_MSG);
	}
	return any;
}

/* Do what the holders of ip's broken leases did not in time (Linux's
 * time_out_leases), then: is a lease still in the way? *next gets the
 * earliest deadline left. */
static bool still_blocked(struct inode *ip, bool write, uint64_t *next)
{
	uint64_t now = time_ns();
	bool blocked = false;

	*next = NO_DEADLINE;
	for (struct lease **pp = &leases; *pp;) {
		struct lease *l = *pp;
		if (l->f->inode == ip && l->deadline && now >= l->deadline) {
			if (l->target == F_UNLCK) {
				unlink_lease(pp);
				continue;
			}
			l->type = F_RDLCK;
			l->deadline = 0;
		}
		if (l->f->inode == ip && conflicts(l, write)) {
			blocked = true;
			if (l->deadline && l->deadline < *next)
				*next = l->deadline;
		}
		pp = &l->next;
	}
	return blocked;
}

bool lease_any(void)
{
	return __atomic_load_n(&leases, __ATOMIC_SEQ_CST) != NULL;
}

int lease_break(struct inode *ip, unsigned flags)
{
	bool write = (flags & O_ACCMODE) != O_RDONLY;
	uint64_t next;

	if (!leases || !start_break(ip, write))
		return 0;
	if (flags & O_NONBLOCK)
		return -EWOULDBLOCK;
	while (still_blocked(ip, write, &next)) {
		if (signal_pending())
			return -ERESTARTSYS;
		wait_on(&lease_wq, next);
	}
	return 0;
}

void lease_release(struct file *f)
{
	if (!leases)
		return;
	struct lease **pp = link_of(f);
	if (*pp)
		unlink_lease(pp);
}
