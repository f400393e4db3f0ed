/* SPDX-License-Identifier: MIT */
/*
 * The VFS contract: open files, their operations, and per-process file
 * descriptor tables. Everything that can sit behind a file descriptor
 * (ramfs files and directories, /dev and /proc nodes, pipes, the TTY)
 * provides a struct file_ops; the system calls in sys/ only go through
 * these functions.
 */
#ifndef KESTREL_FS_VFS_H
#define KESTREL_FS_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/spinlock.h"
#include "mm/iobuf.h"
#include "mm/usercopy.h"
#include "proc/sched.h"
#include "uapi/fcntl.h"
#include "uapi/poll.h"

/* A new descriptor table has this many slots (Linux's NR_OPEN_DEFAULT);
 * it doubles on demand up to the process's RLIMIT_NOFILE. */
#define FD_TABLE_MIN 64

/* The most bytes one read, write, sendfile or vector of them moves
 * (Linux's MAX_RW_COUNT: INT_MAX rounded down to a page); larger counts
 * are cut to it, so a call's length is bounded whatever the program asks. */
#define MAX_RW_COUNT 0x7ffff000ul

struct inode;   /* defined by the VFS implementation (fs/inode.h) */
struct process; /* proc/process.h */
struct file;

/* The two directory-entry layouts of getdents64(2) and getdents(2). */
enum dirent_format { DIRENT_64, DIRENT_OLD };

/* Which directions of a file's read and write take a kernel buffer as
 * well as a user one (file_ops.kernel_io): sendfile, splice, copy_file_range,
 * mmap's page reads and the kernel's own readers use only those. */
#define KERNEL_IO_READ  1u
#define KERNEL_IO_WRITE 2u

/* Operations on an open file. Any may be NULL: the VFS then returns the
 * Linux error for it (EINVAL, ESPIPE, ENOTTY, ENOTDIR...). read and write
 * move n bytes to or from an iobuf (mm/iobuf.h): a user address (copied
 * with the usercopy helpers, a fault -EFAULT or a short count) or, where
 * kernel_io says so, a kernel buffer; one function serves both callers.
 * read/write advance *pos themselves (pread/pwrite pass a local copy).
 * A blocking read/write sleeps (wait_on) and returns -EINTR when a
 * signal is pending for the caller (signal_pending()), -EAGAIN when the
 * file is O_NONBLOCK. */
struct file_ops {
	long (*read)(struct file *f, struct iobuf buf, size_t n, uint64_t *pos);
	long (*write)(struct file *f, struct iobuf buf, size_t n, uint64_t *pos);
	long (*lseek)(struct file *f, int64_t off, int whence);
	long (*ioctl)(struct file *f, unsigned long req, uint64_t arg);
	unsigned (*poll)(struct file *f);              /* POLLIN | POLLOUT | POLLHUP ... now */
	/* A count of f's readiness changes (Linux's wake-ups of its wait
	 * queues), for epoll's edge-triggered registrations; never 0. NULL:
	 * every I/O event anywhere counts (io_event_gen). */
	uint64_t (*event_gen)(struct file *f);
	/* directory entries as struct linux_dirent64 or the old linux_dirent */
	long (*getdents)(struct file *f, uptr_t buf, size_t n, enum dirent_format fmt);
	void (*release)(struct file *f);               /* last reference dropped */
	/* Optional: each close of a descriptor of f (close, dup2 over it,
	 * exec's close-on-exec, the process's end), before the reference
	 * goes, as Linux's flush (mq_notify's registration ends with it). */
	void (*flush)(struct file *f);
	/* Optional, added for the VFS's own users: */
	/* Called once by open(2) on a device node after f->ops was set to
	 * this table: may check the node (inode_rdev), set f->priv, or fail
	 * the open with a negative errno. */
	int (*open)(struct inode *ip, struct file *f);
	/* KERNEL_IO_READ and KERNEL_IO_WRITE: read or write also takes a
	 * kernel buffer. Without the bit the file cannot be that end of a
	 * sendfile or splice (-EINVAL) nor be read by the kernel. */
	unsigned kernel_io;
	/* A stream whose lseek succeeds doing nothing (Linux's noop_llseek,
	 * as eventfd's): pread and pwrite are still -ESPIPE. */
	bool no_pread;
	/* A file with no inode: /proc/PID/fd/N reads "anon_inode:" and this
	 * (Linux's anon_inode name, "[eventfd]"...); NULL shows "pipe:[N]". */
	const char *anon_name;
	/* A file with no inode that names itself (Linux's d_op->d_dname, as
	 * sockets' "socket:[ino]"): writes the name into buf (cap bytes, NUL
	 * ended) for /proc/PID/fd/N. NULL: anon_name or "pipe:[N]". */
	void (*dname)(struct file *f, char *buf, size_t cap);
	/* read and write run without the kernel lock (sys_fs.c): the
	 * implementation's own locks cover them, and whatever else they
	 * reach takes the kernel lock itself (issue 29). Only for a stream
	 * (no RLIMIT_FSIZE, no mapped pages: sys_fs.c skips those steps).
	 * Pipes, /dev/null, zero and full, and sockets as lock_free_now
	 * says. */
	bool lock_free;
	/* Optional, for a lock_free file: may this read or write run
	 * without the kernel lock? Asked with or without it, after the
	 * descriptor is looked up; an answer may go from false to true
	 * meanwhile, never back while the caller holds its reference; false
	 * takes the lock for the call. NULL: always. (A socket: only a
	 * connected TCP one, net/unix.h's unix_lock_free.) */
	bool (*lock_free_now)(struct file *f);
};

/* An open file description (shared by dup'd descriptors and forks).
 * Lock rule: refs is changed atomically (file_get, file_put), since a
 * read or write of a lock-free file (file_ops.lock_free) takes and drops
 * its reference without the kernel lock; pos and flags belong to
 * whoever holds a reference and are changed under the kernel lock (a
 * lock-free read may see a stale O_NONBLOCK, as on Linux). */
struct file {
	const struct file_ops *ops;
	struct inode *inode;   /* NULL for pipes */
	uint64_t pos;
	unsigned flags;        /* O_ACCMODE | O_APPEND | O_NONBLOCK */
	int refs;
	void *priv;            /* the implementation's */
	/* fcntl F_SETOWN/F_SETOWN_EX, F_SETSIG and O_ASYNC (fs/fown.h); same lock rule */
	int own_type;          /* F_OWNER_TID, F_OWNER_PID or F_OWNER_PGRP */
	int own_pid;           /* 0: nobody gets the I/O signals */
	int own_sig;           /* F_SETSIG: 0 means SIGIO without siginfo details */
	int async_fd;          /* the descriptor O_ASYNC was set through (si_fd) */
	struct file *async_next; /* the list of files with O_ASYNC */
	void *epoll_links;     /* its epoll registrations (fs/eventpoll.c); same lock rule */
	uint64_t excl_gen;     /* the event an EPOLLEXCLUSIVE registration claimed (fs/eventpoll.c); atomic */
	char *path;            /* a FIFO's absolute path as opened (kmalloc'd), for /proc/PID/fd; or NULL */
	bool writer;           /* holds a write on inode (inode_get_write): Linux's FMODE_WRITER */
	bool reader;           /* counted in inode->readcount: a regular file open for reading only */
	uint64_t cred_serial;  /* the opener's credentials' serial (proc/cred.h), Linux's f_cred */
	uint32_t tty_gen;      /* a terminal's file: the terminal's vhangups when opened (dev/tty.h) */
};

/* A new open file description with one reference (NULL when out of
 * memory); inode NULL, pos 0, opened with the current credentials. */
struct file *file_alloc(const struct file_ops *ops, unsigned flags, void *priv);
/* A new reference to f (NULL stays NULL). Inline: every descriptor's
 * system call takes one (fd_get). */
static inline struct file *file_get(struct file *f)
{
	if (f)
		__atomic_fetch_add(&f->refs, 1, __ATOMIC_RELAXED);
	return f;
}
/* Drop a reference; the last calls ops->release and drops f->inode's,
 * under the kernel lock (taken when the caller runs without it), but a
 * regular RAM file's with nothing else to undo, which goes without it
 * (vfs.c's file_release_lock_free). Inline
 * for the usual case (not the last reference): every read and write
 * drops the one fd_get took. */
void file_put_last(struct file *f, int left);
static inline void file_put(struct file *f)
{
	if (!f)
		return;
	int left = __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL);
	if (__builtin_expect(left > 0, 1))
		return;
	file_put_last(f, left); /* also refuses a count that went below 0 */
}

/* Whether f's read (write) takes a kernel buffer (file_ops.kernel_io). */
static inline bool file_can_kread(const struct file *f)
{
	return f->ops->read && (f->ops->kernel_io & KERNEL_IO_READ);
}
static inline bool file_can_kwrite(const struct file *f)
{
	return f->ops->write && (f->ops->kernel_io & KERNEL_IO_WRITE);
}
/* f's read and write with a kernel buffer; only where file_can_kread
 * (file_can_kwrite) says so. */
static inline long file_kread(struct file *f, void *buf, size_t n, uint64_t *pos)
{
	return f->ops->read(f, iobuf_kernel(buf), n, pos);
}
static inline long file_kwrite(struct file *f, const void *buf, size_t n, uint64_t *pos)
{
	return f->ops->write(f, iobuf_kernel((void *)buf), n, pos);
}

/*
 * A process's descriptor table; shared by CLONE_FILES (vfork), copied by
 * fork. Lock rule: refs under the kernel lock. Every change of a slot,
 * of its cloexec flag, of size and of the arrays is made under lock
 * (spinlock, interrupts off): a slot is changed only by exchange
 * (vfs.c's fd_slot_xchg), so of two writers on one slot (a lock-free
 * close, fd_take_nolock, and a dup2 or close under the kernel lock) one
 * alone gets the file the slot held. An installer finds a free slot and
 * fills it in one hold of lock (fd_install; fd_install_nolock, a
 * lock-free open's, which never grows the table), so no two fill one
 * slot; a growth is a kernel-lock holder's. A close need not hold the
 * kernel lock either, and a regular RAM file's last reference goes
 * without it too (file_put_last), which is why every reader that takes
 * a reference, or looks at the file, holds lock while it reads the slot
 * (fd_get, fd_get_io, fd_get_nolock): the slot's reference keeps the
 * file while lock is held; the kernel lock keeps none. A growth copies and swaps the arrays under lock, so no
 * exchange falls into an array being left. Nothing under lock
 * allocates, frees, sleeps or takes another lock; the arrays a growth
 * replaces are freed after it is let go, and never by a lock-free
 * writer, so a kernel-lock holder may read slots and size without lock.
 * Never keep a pointer into the arrays across a call that may install
 * a descriptor. A lock-free user needs the table itself to outlive it:
 * it looks the table up and uses it with interrupts off, and the
 * process's table changes only under the kernel lock and, while other
 * threads of the process may be looking, waits for them before it puts
 * the old one (proc/process.c's files_unshare_commit).
 */
struct fdtable {
	int refs;
	int size;              /* slots in fd and cloexec: FD_TABLE_MIN * 2^k */
	struct file **fd;      /* NULL: a free slot */
	bool *cloexec;
	struct spinlock lock;  /* of the class fdtable_lock_class (vfs.c) */
};

struct fdtable *fdtable_create(void);
/* fork, unshare: a copy of t, every file file_get'd, in *out: 0, -ENOMEM,
 * or -EMFILE when an open descriptor is past fs.nr_open (rounded up to
 * 64, as Linux's dup_fd). */
int fdtable_copy(struct fdtable *t, struct fdtable **out);
void fdtable_put(struct fdtable *t);                      /* drop a reference; closes all at 0 */
/* fdtable_put in three steps, for a caller that closes without the
 * kernel lock (an exit, proc/process.c): fdtable_unref drops a reference
 * under the kernel lock, true when it was the last; then
 * fdtable_close_all closes every descriptor, with the kernel lock or
 * without it (fd_close_flush and the last file_put take it for what
 * needs it), while no process can install in t any more (no thread of
 * its process is left, and no other process holds it) but lookups
 * under the kernel lock may still find it; then fdtable_free, once
 * nothing can find it (its process's files pointer cleared under the
 * kernel lock). */
bool fdtable_unref(struct fdtable *t);
void fdtable_close_all(struct fdtable *t);
void fdtable_free(struct fdtable *t);
/* Close t's close-on-exec descriptors, with the kernel lock or without
 * it (as fdtable_close_all), while no one else installs in t or grows it
 * (an exec's own table, its process's only thread). */
void fdtable_close_on_exec(struct fdtable *t);
/* close_range: close every open descriptor in first..last (or only mark
 * it close-on-exec when cloexec); what is not open is skipped. */
void fdtable_close_range(struct fdtable *t, unsigned int first, unsigned int last, bool cloexec);
/* The current process's RLIMIT_NOFILE soft limit (at most fs.nr_open):
 * descriptors must stay below it. */
int fd_limit(void);
/* Install f at the lowest free descriptor >= min: the fd, -EMFILE when
 * none is free below fd_limit(), -ENOMEM when the table cannot grow.
 * Takes over the caller's reference to f on success only. */
int fd_install(struct fdtable *t, struct file *f, int min, bool cloexec);
/* fd_install into the current process's table at the lowest free
 * descriptor >= min, without the kernel lock (a lock-free open's, dup's,
 * F_DUPFD's): the fd, or FD_INSTALL_LOCKED when none is free below the
 * table's size and fd_limit() (the caller then installs with fd_install
 * under the kernel lock, which grows the table or answers -EMFILE).
 * Takes over the caller's reference to f when it installs it. */
#define FD_INSTALL_LOCKED (-1)
int fd_install_nolock(struct file *f, int min, bool cloexec);
/* Would fd_install find a descriptor below fd_limit() (not -EMFILE)?
 * For calls that, as Linux's, reserve one before anything else. */
bool fd_room(const struct fdtable *t);
/* dup2: install f at exactly fd, closing what was there: fd, -EBADF when
 * fd is not below fd_limit(), -ENOMEM. Takes over the reference on success. */
int fd_install_at(struct fdtable *t, int fd, struct file *f, bool cloexec);
/* fd_install_at into p's table (the caller's process) without the kernel
 * lock, interrupts on (a lock-free dup2's): the slot exchanged under the
 * table's lock, with interrupts off from the table's lookup on
 * (files_unshare_commit's barrier), and what it held closed as close(2)
 * closes it (fd_close_flush). fd, -EBADF (fd not below fd_limit(); f
 * not taken), or FD_INSTALL_LOCKED when fd is past the table's size or p
 * has none (the caller then installs with fd_install_at under the kernel
 * lock, which grows the table). Takes over f's reference when it returns fd. */
int fd_install_at_nolock(struct process *p, int fd, struct file *f, bool cloexec);
/* True if fd is open in t (no reference taken). */
static inline bool fd_is_open(const struct fdtable *t, int fd)
{
	return t && fd >= 0 && fd < t->size && t->fd[fd];
}
/* What slot fd of t holds (NULL: free, or no such slot), read once: a
 * close without the kernel lock may empty it between two reads. No
 * reference is taken (fd_get takes one). */
static inline struct file *fd_slot(const struct fdtable *t, int fd)
{
	return t && fd >= 0 && fd < t->size ? __atomic_load_n(&t->fd[fd], __ATOMIC_RELAXED) : NULL;
}
/* t->lock held: slot fd's file with a new reference (io: none for an
 * O_PATH descriptor), or NULL. The slot's own reference keeps the file
 * while the lock is held (a close empties the slot under it first). */
static inline struct file *fd_slot_get(const struct fdtable *t, int fd, bool io)
{
	spin_must_hold(&t->lock);
	struct file *f = fd_slot(t, fd);

	return f && !(io && (f->flags & O_PATH)) ? file_get(f) : NULL;
}
/* The file behind fd with a new reference, or NULL (the caller's -EBADF),
 * looked up under t->lock (fd_get_locked; io as fd_slot_get's): a close without the kernel lock may empty the
 * slot and free the file at any time, so the kernel lock keeps no file
 * found in a slot. Inline, as fd_is_open and fd_get_io: on every
 * descriptor's system call. */
static inline struct file *fd_get_locked(struct fdtable *t, int fd, bool io)
{
	if (!t)
		return NULL;
	uint64_t flags = spin_lock_irqsave(&t->lock);
	struct file *f = fd_slot_get(t, fd, io);
	spin_unlock_irqrestore(&t->lock, flags);
	return f;
}
static inline struct file *fd_get(struct fdtable *t, int fd)
{
	return fd_get_locked(t, fd, false);
}
/* Opened for reading, for writing (O_PATH: neither; O_ACCMODE 3 neither,
 * as Linux). */
static inline bool can_read(const struct file *f)
{
	unsigned acc = f->flags & O_ACCMODE;

	return !(f->flags & O_PATH) && (acc == O_RDONLY || acc == O_RDWR);
}
static inline bool can_write(const struct file *f)
{
	unsigned acc = f->flags & O_ACCMODE;

	return !(f->flags & O_PATH) && (acc == O_WRONLY || acc == O_RDWR);
}
/* fd_get for the calls that do I/O or ask a file itself (read, poll,
 * epoll, the socket calls...), as Linux's fdget: NULL for an O_PATH
 * descriptor too, which only the calls on paths take. */
static inline struct file *fd_get_io(struct fdtable *t, int fd)
{
	return fd_get_locked(t, fd, true);
}
/* fd_get (io: fd_get_io) for a caller that does not hold the kernel
 * lock, interrupts on (a system call's): the same answer, looked up
 * under t->lock with interrupts off for that moment. Inline: a lock-free
 * read or write starts here. */
static inline struct file *fd_get_nolock(struct fdtable *t, int fd, bool io)
{
	cpu_cli();
	spin_lock_irqoff(&t->lock);
	struct file *f = fd_slot_get(t, fd, io);
	spin_unlock_irqoff(&t->lock);
	cpu_sti();
	return f;
}
/* FD_CLOEXEC of an open descriptor (false for anything else), and setting it. */
bool fd_cloexec(const struct fdtable *t, int fd);
void fd_set_cloexec(struct fdtable *t, int fd, bool on);
/* F_GETFD and F_SETFD on p's table (the caller's process) without the
 * kernel lock: the flag read, or set to *on when on is not NULL, under
 * the table's lock with interrupts off from the table's lookup on. The
 * flag as it was (false for a slot a close emptied meanwhile, as
 * Linux's get_close_on_exec answers). */
bool fd_cloexec_nolock(struct process *p, int fd, const bool *on);
int fd_close(struct fdtable *t, int fd);
/* close(2)'s table part for a caller without the kernel lock: p's
 * descriptor fd emptied (with its cloexec flag) under the table's lock,
 * with interrupts off from the table's lookup on (files_unshare_commit's
 * barrier), and the file it held returned with the table's reference
 * (NULL: -EBADF, or p has no table). *owner: the table, as the POSIX
 * locks' owner key (fd_close_flush); not to be dereferenced after. */
struct file *fd_take_nolock(struct process *p, int fd, const void **owner);
/* What every close of a descriptor does after its slot is emptied (its
 * process's POSIX locks on the file go, the file's flush), taking the
 * kernel lock for it when there is anything to do and the caller does
 * not hold it; then the table's reference is dropped. */
void fd_close_flush(struct file *f, const void *owner);

/* Woken on every I/O state change (data in, space out, hang-up), so
 * poll/select can sleep on one queue for many files. Producers call
 * io_event() after they wake their own waiters. Lock rule: a wait queue's
 * (proc/sched.h); io_event_gen is bumped atomically, from the tick too. */
extern struct wait_queue io_event_wq;
void io_event(void);
/* How many io_event() calls there were (epoll's edge-triggered mode asks
 * whether anything happened since it last reported a file). */
extern uint64_t io_event_gen;
/* For a waiter on io_event_wq that looks at files without the locks of
 * their producers (poll, epoll; a pipe's writer runs without the kernel
 * lock): seen = io_event_seen() before the look, and after a look that
 * found nothing, io_event_wait(seen, deadline) sleeps until an io_event()
 * after seen (at once if one came meanwhile), the deadline or a signal
 * (wait_on_cond's contract). */
static inline uint64_t io_event_seen(void)
{
	return __atomic_load_n(&io_event_gen, __ATOMIC_ACQUIRE);
}
bool io_event_wait(uint64_t seen, uint64_t deadline_ns);
/* What f is ready for now, as poll(2) reports it: its ops' poll (a file
 * without one is always readable and writable) with POLLRDNORM and
 * POLLWRNORM added to POLLIN and POLLOUT. For poll/select and epoll,
 * once a descriptor: inline. */
static inline unsigned vfs_poll_events(struct file *f)
{
	_Static_assert(POLLIN << 6 == POLLRDNORM && POLLOUT << 6 == POLLWRNORM, "poll bits");
	unsigned m = f->ops && f->ops->poll ? f->ops->poll(f) : POLLIN | POLLOUT;

	return m | (m & (POLLIN | POLLOUT)) << 6; /* POLLRDNORM and POLLWRNORM too */
}


/* Per-process file-system state the process code needs. */
/* A new reference to ip (NULL stays NULL): a kernel-lock holder's, or
 * anyone's who holds one already. */
struct inode *inode_get(struct inode *ip);
/* Drop a reference, the kernel lock held; the inode goes with its last
 * one when it has no name left. */
void inode_put(struct inode *ip);
/* A reference taken inside a lock-free walk (fs/inode.h's
 * vfs_walk_nolock) on what it found: false when ip is going
 * (INODE_REFS_DEAD: the caller acts as if the walk had not found it). */
bool inode_tryget(struct inode *ip);
/* inode_put without the kernel lock: it takes the lock only for a last
 * reference whose inode goes. */
void inode_put_nolock(struct inode *ip);
/* A writer of ip (a file open for writing, truncate by path), as Linux's
 * get_write_access: 0, or -ETXTBSY while something runs it. Undone by
 * inode_put_write. */
int inode_get_write(struct inode *ip);
void inode_put_write(struct inode *ip);
/* Deny writers of ip while running or reading it for exec, as Linux's
 * deny_write_access: 0, or -ETXTBSY while it is open for writing.
 * Undone by inode_allow_write. */
int inode_deny_write(struct inode *ip);
void inode_allow_write(struct inode *ip);
/* The root directory, without a new reference (inode_get it to keep it). */
struct inode *vfs_root(void);
/* A device node's numbers (0, 0 for anything else). */
void inode_rdev(const struct inode *ip, unsigned *major, unsigned *minor);

/* The terminal drivers' operations, defined by fs/devfs.c and set once
 * at boot by the drivers above fs/, so that the file layer calls none of
 * them by name. While one is NULL, opening its nodes gives -ENXIO.
 * tty_file_ops: /dev/console and /dev/tty (and /dev/ttyN), set by
 * tty_init; its open hook (if any) runs on each open. ptmx_file_ops and
 * pty_slave_file_ops: /dev/ptmx (a new master each open) and /dev/pts/N
 * (a slave, its index the minor), set by pty_init; their open hooks run on
 * each open, and see O_NOCTTY in f->flags (dropped after the open).
 * console_fallback_ops: the console without a TTY (dev/console_file.c),
 * set by console_input_init. */
extern const struct file_ops *tty_file_ops;
extern const struct file_ops *ptmx_file_ops;
extern const struct file_ops *pty_slave_file_ops;
extern const struct file_ops *console_fallback_ops;

/* The console as a file, O_RDWR: /dev/console through the TTY, or, when
 * there is none or it cannot be opened, console_fallback_ops (writes go
 * to the log's consoles, reads take the console's raw input). For a
 * process's missing standard descriptors. NULL on ENOMEM or before the
 * console is set up. */
struct file *console_file_open(void);
/* Give a new process its file-system state: p->files (created if NULL)
 * with descriptors 0, 1, 2 on the kernel console (those not open
 * already), p->cwd the root if NULL, and umask 022. 0 or -ENOMEM. */
int vfs_default_stdio(struct process *p);
/* Remember the program p runs now (for /proc/PID/exe): path is the
 * absolute path exec loaded (vfs_exec_data resolved it already), a
 * kmalloc'd string procfs owns from here. Returns the path it replaces
 * (NULL if none) for the caller to kfree, after the kernel lock if it
 * likes. The kernel lock held, as by procfs's readers. procfs_forget
 * drops it (process release). */
char *procfs_exchange_exe(struct process *p, char *path);
void procfs_forget(struct process *p);

/* Populate the root file system from the boot cpio archive (bad headers
 * are reported with the entry name; boot goes on with what was read). */
void vfs_init(const void *cpio, size_t size);

/* Read a whole regular file for exec (fs/fsops.c). The file must be
 * executable (mode has an x bit): 0, -ENOENT, -ENOTDIR, -ELOOP, -EACCES
 * (also for a directory or a device, as Linux answers), -ENOMEM, -EIO.
 * Relative paths are resolved from the current process's cwd. abs_path
 * (PATH_MAX bytes, or NULL) gets the absolute path read, symlinks
 * resolved, for /proc/PID/exe. With owned, *data points at the boot
 * archive's bytes when the file is unchanged since boot (*owned false:
 * leave it alone), else at a vmalloc'd copy (*owned true: vfree it);
 * with owned NULL, *data is always a vmalloc'd copy. The file's writers
 * are denied while it is read (-ETXTBSY while it is open for writing);
 * with held, *held keeps that denial and a reference for the caller
 * (Linux's bprm->file, then mm->exe_file); release it with
 * vfs_exec_release. */
int vfs_exec_data(const char *path, const void **data, size_t *size, char *abs_path, bool *owned,
		  struct inode **held);
/* Drop what vfs_exec_data's held gave (NULL: nothing): the denial of
 * writes and the reference. */
void vfs_exec_release(struct inode *ip);
/*
 * vfs_exec_data without the kernel lock (issue 29), for the file most
 * execs run: a regular, not set-id file of the boot archive, unchanged
 * since boot, named by an absolute path with no ".", ".." or empty
 * component that reaches it through RAM directories without a symlink
 * or a mount point (so the path is its own absolute path, as
 * vfs_realpath would write it). Then *data is the archive's bytes
 * (never a copy), *size, abs_path and *held as vfs_exec_data's, and 0;
 * or -errno (the locked call's answer too); or WALK_LOCKED for any
 * other file: the caller asks vfs_exec_data under the lock. Interrupts
 * on. vfs_exec_release_nolock drops *held without the lock.
 */
int vfs_exec_data_nolock(const char *path, const void **data, size_t *size, char *abs_path,
			 struct inode **held);
void vfs_exec_release_nolock(struct inode *ip);

#endif
