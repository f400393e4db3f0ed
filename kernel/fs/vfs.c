// SPDX-License-Identifier: MIT
/*
 * Kestrel: the VFS's objects: inodes and their reference counts, open
 * files, per-process descriptor tables, and the I/O event queue.
 *
 * Lock rule for everything here: the kernel runs on one CPU and is not
 * preempted in kernel mode, so these structures change only inside
 * system calls, between sleeps; interrupt handlers never touch them.
 */
#include <limits.h>
#include "arch/x86_64/klock.h"
#include "fs/inode.h"
#include "fs/xattr.h"
#include "fs/eventpoll.h"
#include "fs/filelock.h"
#include "fs/fown.h"
#include "fs/dnotify.h"
#include "fs/inotify.h"
#include "fs/lease.h"
#include "fs/path.h"
#include "time/time.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "mm/vmalloc.h"
#include "proc/process.h"
#include "proc/rlimit.h"
#include "proc/signal.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "panic.h"

#define DEFAULT_UMASK 022
#define FD_DEFAULT_LIMIT 1024   /* RLIMIT_NOFILE for kernel threads: Linux's default */

struct wait_queue io_event_wq;
static struct inode *root;

uint64_t io_event_gen = 1; /* 0 is "never" to epoll */

void io_event(void)
{
	/* one instruction (timers call it from the tick), ordered after the
	 * producer's change: a waiter that sees the new count sees it */
	__atomic_add_fetch(&io_event_gen, 1, __ATOMIC_SEQ_CST);
	wake_all(&io_event_wq);
}

static bool io_event_came(const void *seen)
{
	return __atomic_load_n(&io_event_gen, __ATOMIC_ACQUIRE) != *(const uint64_t *)seen;
}

bool io_event_wait(uint64_t seen, uint64_t deadline_ns)
{
	return wait_on_cond(&io_event_wq, io_event_came, &seen, deadline_ns);
}


/* ---------------------------------------------------------------- inodes */

struct vfs_time vfs_now(void)
{
	uint64_t ns = time_realtime_ns(); /* the clock CLOCK_REALTIME reads */
	return (struct vfs_time){ (int64_t)(ns / NSEC_PER_SEC), (uint32_t)(ns % NSEC_PER_SEC) };
}

/* a <= b */
static bool time_le(struct vfs_time a, struct vfs_time b)
{
	return a.sec < b.sec || (a.sec == b.sec && a.nsec <= b.nsec);
}

#define RELATIME_MAX_SEC (24 * 60 * 60) /* an atime older than a day is refreshed (Linux) */

bool vfs_atime_due(const struct inode *ip, struct vfs_time now)
{
	if (ip->fs->read_only)
		return false;
	return time_le(ip->atime, ip->mtime) || time_le(ip->atime, ip->ctime) ||
	       now.sec - ip->atime.sec >= RELATIME_MAX_SEC;
}

void vfs_touch_atime(struct inode *ip)
{
	struct vfs_time now = vfs_now();

	if (vfs_atime_due(ip, now))
		ip->atime = now;
}

struct inode *inode_alloc(const struct fs_info *fs, const struct inode_ops *ops, uint32_t mode)
{
	struct inode *ip = kzalloc(sizeof(*ip));

	if (!ip)
		return NULL;
	ip->fs = fs;
	ip->ops = ops;
	ip->mode = mode;
	ip->refs = 1;
	ip->atime = ip->mtime = ip->ctime = vfs_now();
	const struct cred *c = current_cred();
	ip->uid = c->fsuid;
	ip->gid = c->fsgid;
	return ip;
}

void vfs_remove_privs(struct inode *ip)
{
	uint32_t kill = 0;

	if (ip->mode & S_ISUID)
		kill |= S_ISUID;
	if ((ip->mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		kill |= S_ISGID;
	if (kill && S_ISREG(ip->mode) && !capable(CAP_FSETID))
		ip->mode &= ~kill;
}

void vfs_init_owner(const struct inode *dir, struct inode *ip)
{
	if (!(dir->mode & S_ISGID))
		return;
	ip->gid = dir->gid;
	if (S_ISDIR(ip->mode))
		ip->mode |= S_ISGID;
	else if ((ip->mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
		 !cred_in_group(current_cred(), ip->gid) && !capable(CAP_FSETID))
		ip->mode &= ~S_ISGID;
}

struct inode *inode_get(struct inode *ip)
{
	if (ip)
		__atomic_fetch_add(&ip->refs, 1, __ATOMIC_RELAXED);
	return ip;
}

bool inode_tryget(struct inode *ip)
{
	int n = __atomic_load_n(&ip->refs, __ATOMIC_RELAXED);

	do {
		if (n < 0)
			return false; /* INODE_REFS_DEAD: its freer waits for this walk */
	} while (!__atomic_compare_exchange_n(&ip->refs, &n, n + 1, false, __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED));
	return true;
}

int inode_get_write(struct inode *ip)
{
	int n = __atomic_load_n(&ip->writecount, __ATOMIC_RELAXED);

	do {
		if (n < 0)
			return -ETXTBSY;
	} while (!__atomic_compare_exchange_n(&ip->writecount, &n, n + 1, false, __ATOMIC_SEQ_CST,
					      __ATOMIC_RELAXED));
	return 0;
}

void inode_put_write(struct inode *ip)
{
	if (__atomic_fetch_sub(&ip->writecount, 1, __ATOMIC_RELEASE) <= 0)
		panic("vfs: inode %lu: a write released that was not taken", ip->ino);
}

int inode_deny_write(struct inode *ip)
{
	int n = __atomic_load_n(&ip->writecount, __ATOMIC_RELAXED);

	do {
		if (n > 0)
			return -ETXTBSY;
	} while (!__atomic_compare_exchange_n(&ip->writecount, &n, n - 1, false, __ATOMIC_SEQ_CST,
					      __ATOMIC_RELAXED));
	return 0;
}

void inode_allow_write(struct inode *ip)
{
	if (__atomic_fetch_add(&ip->writecount, 1, __ATOMIC_RELEASE) >= 0)
		panic("vfs: inode %lu: a write denial released that was not taken", ip->ino);
}

/* Free an inode nobody can reach: the file system's data, then ours.
 * Its parent's reference is handed back to the caller (NULL if none).
 * A lock-free walk on another CPU may still be reading it (or its
 * directory's entries, or its symlink's target): those end first. */
static struct inode *inode_free(struct inode *ip)
{
	struct inode *parent = ip->parent && ip->parent != ip ? ip->parent : NULL;

	vfs_walkers_wait();
	inotify_inode_gone(ip); /* IN_DELETE_SELF and IN_IGNORED to its watches */
	if (ip->ops && ip->ops->evict)
		ip->ops->evict(ip);
	xattr_free_all(ip);
	kfree(ip->name);
	kfree(ip);
	return parent;
}

/* Does ip go with its last reference? Not the root, nor a file with a
 * name (nlink), unless it is transient (procfs's). */
static bool inode_goes(const struct inode *ip)
{
	return ip != root && (__atomic_load_n(&ip->nlink, __ATOMIC_ACQUIRE) == 0 || ip->transient);
}

/* Drops a reference. A removed directory holds its parent, which may be
 * removed too, and so on up a chain as deep as a program made it: the
 * chain is freed in a loop, never by recursion. The kernel lock is held:
 * an inode that goes is marked INODE_REFS_DEAD first, which a lock-free
 * walk's inode_tryget refuses; if such a walk took a reference between
 * the count's 0 and the mark, the inode stays, and that reference's put
 * frees it. */
void inode_put(struct inode *ip)
{
	while (ip) {
		int left = __atomic_sub_fetch(&ip->refs, 1, __ATOMIC_ACQ_REL);
		if (left < 0)
			panic("vfs: inode %lu released more often than taken", ip->ino);
		int zero = 0;
		if (left != 0 || !inode_goes(ip) ||
		    !__atomic_compare_exchange_n(&ip->refs, &zero, INODE_REFS_DEAD, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			return;
		ip = inode_free(ip);
	}
}

void inode_put_nolock(struct inode *ip)
{
	int n = __atomic_load_n(&ip->refs, __ATOMIC_RELAXED);

	for (;;) {
		if (n <= 0)
			panic("vfs: inode %lu released more often than taken", ip->ino);
		if (n == 1 && inode_goes(ip)) {
			/* the last reference of an inode that goes: freed under the
			 * kernel lock, as every other. nlink cannot change meanwhile:
			 * whoever changes it holds a reference (ramfs's drop_link). */
			bool taken = klock_enter_unless_held();
			inode_put(ip);
			klock_leave_taken(taken);
			return;
		}
		if (__atomic_compare_exchange_n(&ip->refs, &n, n - 1, false, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return; /* n - 1 left, or 0 left with a name (it stays) */
	}
}

struct inode *vfs_root(void)
{
	return root;
}

void inode_rdev(const struct inode *ip, unsigned *major, unsigned *minor)
{
	bool dev = ip && (S_ISCHR(ip->mode) || S_ISBLK(ip->mode));
	*major = dev ? RDEV_MAJOR(ip->rdev) : 0;
	*minor = dev ? RDEV_MINOR(ip->rdev) : 0;
}

unsigned inode_dtype(const struct inode *ip)
{
	switch (ip->mode & S_IFMT) {
	case S_IFDIR: return DT_DIR;
	case S_IFREG: return DT_REG;
	case S_IFLNK: return DT_LNK;
	case S_IFCHR: return DT_CHR;
	case S_IFBLK: return DT_BLK;
	case S_IFIFO: return DT_FIFO;
	case S_IFSOCK: return DT_SOCK;
	}
	return DT_UNKNOWN;
}

struct inode *vfs_cwd(void)
{
	struct process *p = current_process();
	return p && p->cwd ? p->cwd : root;
}

struct inode *vfs_walk_root(void)
{
	struct process *p = current_process();
	return p && p->root ? p->root : root;
}

/* Set the root once, at vfs_init. */
void vfs_set_root(struct inode *ip)
{
	root = ip;
}

/* ---------------------------------------------------------------- files */

struct file *file_alloc(const struct file_ops *ops, unsigned flags, void *priv)
{
	struct file *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	f->ops = ops;
	f->flags = flags;
	f->priv = priv;
	f->refs = 1;
	f->cred_serial = current_cred()->serial;
	return f;
}

/* The end of every release: f's counts on its inode, the inode's
 * reference (put: inode_put, or inode_put_nolock without the kernel
 * lock), f's path and f. */
static void file_release_end(struct file *f, void (*put)(struct inode *ip))
{
	if (f->writer)
		inode_put_write(f->inode);
	if (f->reader)
		__atomic_fetch_sub(&f->inode->readcount, 1, __ATOMIC_RELEASE);
	put(f->inode);
	kfree(f->path);
	kfree(f);
}

/* The last reference is gone: everything f holds goes, under the kernel
 * lock. */
static void file_release(struct file *f)
{
	filelock_release(f);
	fown_release(f);
	dnotify_release(f);
	inotify_close(f);
	if (f->epoll_links)
		eventpoll_file_gone(f);
	if (f->ops && f->ops->release)
		f->ops->release(f);
	lease_release(f);
	file_release_end(f, inode_put);
}

/*
 * Does f's release need nothing of the kernel lock's? A regular RAM
 * file's with no release of its own, when no lock context, O_ASYNC file,
 * dnotify mark, inotify watch or lease exists anywhere and f is in no
 * epoll set. Each "anything?" is read without the lock: what f itself
 * was given (an OFD lock, O_ASYNC, a lease, an epoll registration) was
 * given by a holder of a reference, whose put came before this last one
 * (the count's atomic order), so it is seen; an inotify watch added on
 * another CPU meanwhile may miss this close, as it may on Linux.
 */
static bool file_release_lock_free(const struct file *f)
{
	const struct inode *ip = f->inode;

	return ip && S_ISREG(ip->mode) && ramfs_is(ip->fs) && !(f->ops && f->ops->release) &&
	       !f->epoll_links && !filelock_any() &&
	       !__atomic_load_n(&fown_async_files, __ATOMIC_RELAXED) && !dnotify_any() &&
	       !inotify_active() && !lease_any();
}


/* file_put's out-of-line part: left is 0 (that was the last reference)
 * or a bug. A lock-free caller (a pipe's read, a close) releases a RAM
 * file without the kernel lock when nothing else needs it, and takes
 * the lock for any other release. */
void file_put_last(struct file *f, int left)
{
	if (left < 0)
		panic("vfs: file %p released more often than taken", (void *)f);
	if (!klock_held() && file_release_lock_free(f)) {
		file_release_end(f, inode_put_nolock); /* nothing else to undo */
		return;
	}
	bool taken = klock_enter_unless_held();
	file_release(f);
	klock_leave_taken(taken);
}

/* ---------------------------------------------------------------- descriptor tables */

/* A descriptor table's arrays: from the heap while small, else from the
 * vmalloc area (fs.nr_open lets a table reach millions of slots, more
 * than the buddy allocator's largest block); never more than half the
 * free memory, so a large dup2 is ENOMEM rather than memory exhaustion. */
#define FD_ARRAY_HEAP_MAX (64 * 1024)
static void *fd_array_alloc(size_t bytes)
{
	if (bytes <= FD_ARRAY_HEAP_MAX)
		return kzalloc(bytes);
	if (bytes / PAGE_SIZE > pmm_free_pages() / 2)
		return NULL;
	return vmalloc(bytes);
}

static void fd_array_free(void *a)
{
	if ((uint64_t)a >= VMALLOC_BASE && (uint64_t)a < VMALLOC_END)
		vfree(a);
	else
		kfree(a);
}

/* The key every table's lock is known by to the lock-order checker. */
static const char fdtable_lock_class = 'f';

/* Set slot fd of t to f (NULL: free it) with its cloexec flag, under
 * t->lock (the lock rule in vfs.h): what the slot held, whose reference
 * is now the caller's. fd < t->size. */
static struct file *fd_slot_xchg(struct fdtable *t, int fd, struct file *f, bool cloexec)
{
	uint64_t flags = spin_lock_irqsave(&t->lock);
	struct file *old = t->fd[fd];

	t->fd[fd] = f;
	t->cloexec[fd] = cloexec;
	spin_unlock_irqrestore(&t->lock, flags);
	return old;
}

/* Give t at least want slots (doubling from its size, want itself past
 * INT_MAX / 2): 0 or -ENOMEM. The caller holds the kernel lock (no other
 * installer); the slots are copied and the arrays swapped under t->lock,
 * so a close without the kernel lock empties a slot either before the
 * copy or in the new array, and lookups see the old arrays or the new,
 * which hold the same. */
static int fdtable_grow(struct fdtable *t, int want)
{
	int n = t->size ? t->size : FD_TABLE_MIN;

	while (n < want)
		n = n > INT_MAX / 2 ? want : n * 2;
	if (n == t->size)
		return 0;
	struct file **fd = fd_array_alloc((size_t)n * sizeof(*fd));
	bool *cloexec = fd_array_alloc((size_t)n * sizeof(*cloexec));
	if (!fd || !cloexec) {
		fd_array_free(fd);
		fd_array_free(cloexec);
		return -ENOMEM;
	}
	struct file **old_fd = t->fd;
	bool *old_cloexec = t->cloexec;
	uint64_t flags = spin_lock_irqsave(&t->lock);
	if (t->size) {
		memcpy(fd, t->fd, (size_t)t->size * sizeof(*fd));
		memcpy(cloexec, t->cloexec, (size_t)t->size * sizeof(*cloexec));
	}
	t->fd = fd;
	t->cloexec = cloexec;
	t->size = n;
	spin_unlock_irqrestore(&t->lock, flags);
	fd_array_free(old_fd);
	fd_array_free(old_cloexec);
	return 0;
}

struct fdtable *fdtable_create(void)
{
	struct fdtable *t = kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	spin_lock_class(&t->lock, &fdtable_lock_class);
	if (fdtable_grow(t, FD_TABLE_MIN)) {
		kfree(t);
		return NULL;
	}
	t->refs = 1;
	return t;
}

/* One past the highest open descriptor of t (0 if none). */
static int fdtable_used(const struct fdtable *t)
{
	int n = t->size;

	while (n > 0 && !t->fd[n - 1])
		n--;
	return n;
}

/* n rounded up to a word of descriptor bits (Linux's fd bitmaps). */
static uint64_t fd_words(uint64_t n)
{
	return (n + 63) & ~63ull;
}

int fdtable_copy(struct fdtable *t, struct fdtable **out)
{
	int used = fdtable_used(t);

	/* Linux's dup_fd: a table past the 64 slots every table has cannot
	 * be copied into one bigger than fs.nr_open allows */
	if (fd_words((uint64_t)used) > 64 && fd_words((uint64_t)used) > fd_words(sysctl_nr_open))
		return -EMFILE;
	struct fdtable *c = fdtable_create();
	if (!c)
		return -ENOMEM;
	if (fdtable_grow(c, used)) {
		fdtable_put(c);
		return -ENOMEM;
	}
	/* under t->lock: a close without the kernel lock cannot put a file
	 * between its slot's read and the copy's reference (c is private) */
	uint64_t flags = spin_lock_irqsave(&t->lock);
	for (int fd = 0; fd < used && fd < t->size; fd++) {
		c->fd[fd] = file_get(t->fd[fd]);
		c->cloexec[fd] = t->fd[fd] && t->cloexec[fd];
	}
	spin_unlock_irqrestore(&t->lock, flags);
	*out = c;
	return 0;
}

bool fdtable_unref(struct fdtable *t)
{
	return --t->refs == 0;
}

/* Empty slot fd of t and close what it held, with the kernel lock or
 * without it (fd_close_flush takes it for what needs it); nothing for an
 * empty slot. */
static void fd_slot_close(struct fdtable *t, int fd)
{
	struct file *f = fd_slot_xchg(t, fd, NULL, false);

	if (f)
		fd_close_flush(f, t);
}

void fdtable_close_all(struct fdtable *t)
{
	for (int fd = 0; fd < t->size; fd++)
		if (__atomic_load_n(&t->fd[fd], __ATOMIC_RELAXED)) /* else no installer is left to fill it */
			fd_slot_close(t, fd);
}

void fdtable_free(struct fdtable *t)
{
	fd_array_free(t->fd);
	fd_array_free(t->cloexec);
	kfree(t);
}

void fdtable_put(struct fdtable *t)
{
	if (!t || !fdtable_unref(t))
		return;
	fdtable_close_all(t);
	fdtable_free(t);
}

/* Close-on-exec flags looked at together by fdtable_close_on_exec: most
 * tables have none. */
#define CLOEXEC_SCAN 8
_Static_assert(sizeof(bool) * CLOEXEC_SCAN == sizeof(uint64_t), "eight flags in one word");

void fdtable_close_on_exec(struct fdtable *t)
{
	for (int fd = 0; fd < t->size; fd++) {
		uint64_t eight;
		if (fd % CLOEXEC_SCAN == 0 && fd + CLOEXEC_SCAN <= t->size) {
			memcpy(&eight, &t->cloexec[fd], sizeof(eight));
			if (!eight) {
				fd += CLOEXEC_SCAN - 1;
				continue;
			}
		}
		if (t->cloexec[fd])
			fd_slot_close(t, fd);
	}
}

void fdtable_close_range(struct fdtable *t, unsigned int first, unsigned int last, bool cloexec)
{
	for (unsigned int fd = first; fd <= last && fd < (unsigned int)t->size; fd++) {
		if (!t->fd[fd])
			continue;
		if (cloexec)
			fd_set_cloexec(t, (int)fd, true);
		else
			fd_close(t, (int)fd);
	}
}

int fd_limit(void)
{
	struct process *p = current_process();
	uint64_t lim = p ? rlimits_cur(&p->rlim, RLIMIT_NOFILE) : FD_DEFAULT_LIMIT;

	return lim > sysctl_nr_open ? (int)sysctl_nr_open : (int)lim;
}

/* The lowest free descriptor >= min of t (t->size when the table is full). */
static int first_free(const struct fdtable *t, int min)
{
	int fd = min < 0 ? 0 : min;

	while (fd < t->size && t->fd[fd])
		fd++;
	return fd;
}

bool fd_room(const struct fdtable *t)
{
	return t && first_free(t, 0) < fd_limit();
}

/* Put f in t's lowest free slot >= min and below limit, under t->lock:
 * the descriptor, or the first free one at or past t->size (or limit)
 * when there is none below it (f not installed). */
static int fd_fill_free(struct fdtable *t, struct file *f, int min, int limit, bool cloexec)
{
	uint64_t flags = spin_lock_irqsave(&t->lock);
	int fd = first_free(t, min);

	if (fd < t->size && fd < limit) {
		t->fd[fd] = f;
		t->cloexec[fd] = cloexec;
	}
	spin_unlock_irqrestore(&t->lock, flags);
	return fd;
}

int fd_install(struct fdtable *t, struct file *f, int min, bool cloexec)
{
	int limit = fd_limit();

	if (!t)
		return -EMFILE;
	for (;;) {
		/* found and filled under t->lock: a lock-free installer
		 * (fd_install_nolock) may fill a slot at any time */
		int fd = fd_fill_free(t, f, min, limit, cloexec);
		if (fd >= limit)
			return -EMFILE;
		if (fd < t->size)
			return fd;
		if (fdtable_grow(t, fd + 1))
			return -ENOMEM;
	}
}

int fd_install_nolock(struct file *f, int min, bool cloexec)
{
	struct process *p = current_process();
	int limit = fd_limit();

	uint64_t irq = irq_save(); /* keeps the table (files_unshare_commit's barrier) */
	struct fdtable *t = p ? __atomic_load_n(&p->files, __ATOMIC_ACQUIRE) : NULL;
	int fd = t ? fd_fill_free(t, f, min, limit, cloexec) : -EMFILE;
	bool filled = t && fd < t->size && fd < limit;
	irq_restore(irq);
	return filled ? fd : FD_INSTALL_LOCKED;
}

/* What every close of a descriptor of f does: the process's POSIX locks
 * (owner: its table) go (Linux), and the file's flush. Kernel lock held. */
static void file_flush(struct file *f, const void *owner)
{
	filelock_close(f, owner);
	if (f->ops && f->ops->flush)
		f->ops->flush(f);
}

void fd_close_flush(struct file *f, const void *owner)
{
	if (filelock_any() || (f->ops && f->ops->flush)) {
		bool taken = klock_enter_unless_held();
		file_flush(f, owner);
		klock_leave_taken(taken);
	}
	file_put(f);
}

int fd_install_at(struct fdtable *t, int fd, struct file *f, bool cloexec)
{
	if (!t || fd < 0 || fd >= fd_limit())
		return -EBADF;
	if (fd >= t->size && fdtable_grow(t, fd + 1))
		return -ENOMEM;
	struct file *old = fd_slot_xchg(t, fd, f, cloexec);
	if (old)
		file_flush(old, t);
	file_put(old); /* after the swap: a release that sleeps sees a consistent table */
	return fd;
}

int fd_install_at_nolock(struct process *p, int fd, struct file *f, bool cloexec)
{
	if (fd < 0 || fd >= fd_limit())
		return -EBADF;
	cpu_cli();
	struct fdtable *t = __atomic_load_n(&p->files, __ATOMIC_ACQUIRE);
	/* size only grows (under t->lock): a slot below it stays a slot */
	bool in = t && fd < t->size;
	struct file *old = in ? fd_slot_xchg(t, fd, f, cloexec) : NULL;
	cpu_sti();
	if (!in)
		return FD_INSTALL_LOCKED;
	if (old)
		fd_close_flush(old, t); /* t: the POSIX locks' owner key only */
	return fd;
}

bool fd_cloexec_nolock(struct process *p, int fd, const bool *on)
{
	cpu_cli();
	struct fdtable *t = __atomic_load_n(&p->files, __ATOMIC_ACQUIRE);
	bool was = false;
	if (t && fd >= 0) {
		spin_lock_irqoff(&t->lock);
		if (fd < t->size && t->fd[fd]) {
			was = t->cloexec[fd];
			if (on)
				t->cloexec[fd] = *on;
		}
		spin_unlock_irqoff(&t->lock);
	}
	cpu_sti();
	return was;
}

bool fd_cloexec(const struct fdtable *t, int fd)
{
	return fd_is_open(t, fd) && t->cloexec[fd];
}

void fd_set_cloexec(struct fdtable *t, int fd, bool on)
{
	if (!t || fd < 0 || fd >= t->size)
		return;
	uint64_t flags = spin_lock_irqsave(&t->lock);
	if (t->fd[fd])
		t->cloexec[fd] = on; /* not a slot a lock-free close just emptied */
	spin_unlock_irqrestore(&t->lock, flags);
}

int fd_close(struct fdtable *t, int fd)
{
	if (!fd_is_open(t, fd))
		return -EBADF;
	/* a lookup after this cannot find f; one before holds a reference */
	struct file *f = fd_slot_xchg(t, fd, NULL, false);
	if (!f)
		return -EBADF; /* a close without the kernel lock took it first */
	file_flush(f, t);
	file_put(f);
	return 0;
}

struct file *fd_take_nolock(struct process *p, int fd, const void **owner)
{
	cpu_cli();
	struct fdtable *t = __atomic_load_n(&p->files, __ATOMIC_ACQUIRE);
	/* size only grows (under t->lock): a slot below it stays a slot */
	struct file *f = t && fd >= 0 && fd < t->size ? fd_slot_xchg(t, fd, NULL, false) : NULL;
	cpu_sti();
	*owner = t;
	return f;
}

/* ---------------------------------------------------------------- new processes */

int vfs_default_stdio(struct process *p)
{
	if (!p->files && !(p->files = fdtable_create()))
		return -ENOMEM;
	if (!p->cwd)
		p->cwd = inode_get(root);
	p->umask = DEFAULT_UMASK;
	for (int fd = 0; fd <= 2; fd++) {
		if (p->files->fd[fd])
			continue;
		struct file *f = console_file_open();
		if (!f)
			return -ENOMEM;
		p->files->fd[fd] = f;
		p->files->cloexec[fd] = false;
	}
	return 0;
}
