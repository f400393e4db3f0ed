// SPDX-License-Identifier: MIT
/*
 * Kestrel: the descriptor system calls: read, write and their vector and
 * positional forms, lseek, close, dup*, fcntl, ioctl, sendfile,
 * getdents, getdents64, ftruncate, and the sync family (through the
 * mount table to a disk file system; nothing to do in memory). Every one goes through the open
 * file's struct file_ops (fs/vfs.h); a missing operation gives the error
 * Linux gives for a file without it.
 */
#include "sys/syscall_define.h"
#include "sys/sys_fs.h"
#include "sys/sys_socket.h"
#include "net/unix.h"
#include "fs/inode.h"
#include "fs/fsops.h"
#include "fs/fstype.h"
#include "fs/mfile.h"
#include "fs/filelock.h"
#include "fs/fown.h"
#include "fs/dnotify.h"
#include "arch/x86_64/klock.h"
#include "fs/lease.h"
#include "fs/inotify.h"
#include "fs/path.h"
#include "fs/pipe.h"
#include "mm/heap.h"
#include "proc/process.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "uapi/fcntl.h"
#include "uapi/inotify.h"
#include "uapi/ioctl.h"
#include "uapi/unistd.h"
#include "uapi/limits.h"

/* The status flags F_SETFL changes (Linux's SETFL_MASK); the rest stay. */
#define SETFL_MASK  (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)
#define SENDFILE_CHUNK 4096

/* ---------------------------------------------------------------- helpers */

struct fdtable *cur_files_made(void)
{
	struct process *p = current_process();

	if (!p)
		return NULL;
	if (!p->files)
		vfs_default_stdio(p); /* a process made before its creator gave it files */
	return p->files;
}

/* fd_file_any's other cases: the caller holds the kernel lock (a traced
 * caller's read, int $0x80's), or the process has no table yet, which
 * only the kernel lock may make. Out of line. */
__attribute__((noinline)) struct file *fd_file_slow(int fd)
{
	bool taken = call_lock();
	struct file *f = fd_file(fd);

	call_unlock(taken);
	return f;
}

typedef long (*rw_op_fn)(struct file *, struct iobuf, size_t, uint64_t *);

/* f's read or write for a transfer, and *n cut to MAX_RW_COUNT (as
 * Linux: one call moves at most that much): the op, or NULL and *err
 * (-EBADF: not open for it, -EINVAL: the file has no such op). */
static inline __attribute__((always_inline)) rw_op_fn rw_op(struct file *f, bool write, size_t *n,
							     long *err)
{
	if (write ? !can_write(f) : !can_read(f)) {
		*err = -EBADF;
		return NULL;
	}
	rw_op_fn op = write ? f->ops->write : f->ops->read;
	if (!op) {
		*err = -EINVAL;
		return NULL;
	}
	if (*n > MAX_RW_COUNT)
		*n = MAX_RW_COUNT;
	return op;
}

/* What follows a transfer of r bytes (r > 0): inotify's event, when
 * anything is watched and the file has an inode: asked inline, the
 * call only then. */
static inline __attribute__((always_inline)) long rw_done(struct file *f, bool write, long r)
{
	if (r > 0 && inotify_active() && f->inode)
		inotify_file(f, write ? IN_MODIFY : IN_ACCESS);
	return r;
}

/* file_rw_at, inline in pread and pwrite (positional). */
static inline __attribute__((always_inline)) long rw_at(struct file *f, bool write, uptr_t buf, size_t n,
							uint64_t *pos)
{
	long err;
	rw_op_fn op = rw_op(f, write, &n, &err);

	if (!op)
		return err;
	if (write && f->inode && S_ISREG(f->inode->mode)) {
		uint64_t at = f->flags & O_APPEND ? f->inode->size : *pos;
		int err = vfs_write_limit(at, &n); /* RLIMIT_FSIZE */
		if (err)
			return err;
	}
	long r = f->inode && mfile_mapped(f->inode)
		 ? mfile_io(f, write, buf, n, pos, op) /* a mapped disk file's pages */
		 : op(f, iobuf_user(buf), n, pos);
	return rw_done(f, write, r);
}

long file_rw_at(struct file *f, bool write, uptr_t buf, size_t n, uint64_t *pos)
{
	return rw_at(f, write, buf, n, pos);
}

/* Seekable files take pread/pwrite; pipes and terminals (no lseek) and
 * streams with a do-nothing lseek (eventfd) do not. */
bool seekable(const struct file *f)
{
	return f->ops->lseek != NULL && !f->ops->no_pread;
}

/* ---------------------------------------------------------------- read and write */

/* read or write of any file under the kernel lock, taken for the rest
 * of the call and its return (counted under the call) unless the
 * caller holds it. Out of line: a stream's path pays nothing for it. */
static __attribute__((noinline)) long rw_locked(struct file *f, bool write, uptr_t buf, size_t n)
{
	call_lock_kept();
	return file_rw_at(f, write, buf, n, &f->pos);
}

/* read or write of a lock-free file, a stream (file_ops.lock_free: no
 * RLIMIT_FSIZE, no mapped pages), without the kernel lock, unless the
 * file says it needs it for this call (lock_free_now: a socket other
 * than a connected TCP one). A caller that entered with the lock (a
 * traced one, int $0x80's) gives it up first. Inline in read and
 * write: the usual case of a lock-free call. */
static inline __attribute__((always_inline)) long rw_stream(struct file *f, bool write, uptr_t buf, size_t n)
{
	if (f->ops->lock_free_now && !f->ops->lock_free_now(f))
		return rw_locked(f, write, buf, n);
	long err = 0;
	rw_op_fn op = rw_op(f, write, &n, &err);
	if (this_cpu_klock_depth())
		klock_leave_call();
	return op ? rw_done(f, write, op(f, iobuf_user(buf), n, &f->pos)) : err;
}

/* read or write of f, found (and held) by the caller: a lock-free file's
 * without the kernel lock (rw_stream), any other under it, taken for
 * the transfer; then inotify's event. Out of line: rw_fd's usual case
 * is a plain stream's. */
static __attribute__((noinline)) long rw_file(struct file *f, bool write, uptr_t buf, size_t n)
{
	return __builtin_expect(f->ops->lock_free, 1) ? rw_stream(f, write, buf, n)
						       : rw_locked(f, write, buf, n);
}

/* rw_fd for a table another thread or process may change: the file
 * looked up under the table's lock with a reference for the call
 * (fd_file_any). Out of line. */
static __attribute__((noinline)) long rw_fd_shared(unsigned int fd, bool write, uptr_t buf, size_t n)
{
	struct file *f = fd_file_any((int)fd);

	if (!f)
		return -EBADF;
	long r = rw_file(f, write, buf, n);
	file_put(f);
	return r;
}

/* Whether a read or write of f is a plain stream's, which needs nothing
 * around its op: a lock-free file that is so for every call (no
 * lock_free_now: a pipe, not a socket), nothing watched by inotify (so no
 * event to send after it), the caller without the kernel lock (not a
 * traced caller's, not int $0x80's). */
static inline __attribute__((always_inline)) bool rw_plain(const struct file *f)
{
	return f->ops->lock_free && !f->ops->lock_free_now && !inotify_active() &&
	       !this_cpu_klock_depth();
}

/*
 * read and write run without the kernel lock (syscall.c's lock_free) but
 * for a traced caller and int $0x80: the descriptor is looked up as
 * Linux's fdget does (fd_table_private: a single-threaded process's own
 * table without a lock or a reference; else rw_fd_shared); a plain
 * stream's op (rw_plain: a pipe's) is then the call's last step, so that
 * read and write keep nothing across it; any other file goes through
 * rw_file. An inotify watch added while a plain read runs misses its
 * event, as one added just after it would.
 */
static inline __attribute__((always_inline)) long rw_fd(unsigned int fd, bool write, uptr_t buf, size_t n)
{
	struct process *p = current_thread()->proc; /* a system call's: never NULL */
	struct fdtable *t = p->files;

	if (__builtin_expect(!fd_table_private(p, t), 0))
		return rw_fd_shared(fd, write, buf, n);
	struct file *f = fd_slot(t, (int)fd);
	if (!f)
		return -EBADF;
	if (__builtin_expect(!rw_plain(f), 0))
		return rw_file(f, write, buf, n);
	long err;
	rw_op_fn op = rw_op(f, write, &n, &err);
	return op ? op(f, iobuf_user(buf), n, &f->pos) : err;
}

SYSCALL_DEFINE3(read, unsigned int, fd, uptr_t, buf, size_t, n)
{
	return rw_fd(fd, false, buf, n);
}

SYSCALL_DEFINE3(write, unsigned int, fd, uptr_t, buf, size_t, n)
{
	return rw_fd(fd, true, buf, n);
}

long import_iovec(uptr_t uiov, uint64_t cnt, struct iovec_user **out, uint64_t *total)
{
	struct iovec_user *v;
	long err = 0;

	*out = NULL;
	*total = 0;
	if (cnt > UIO_MAXIOV)
		return -EINVAL;
	if (cnt == 0)
		return 0;
	if (!(v = kmalloc(cnt * sizeof(*v))))
		return -ENOMEM;
	if (copy_from_user(v, uiov, cnt * sizeof(*v)))
		err = -EFAULT;
	for (uint64_t i = 0; !err && i < cnt; i++) {
		if ((int64_t)v[i].len < 0)
			err = -EINVAL;
		else if (!user_access_ok(v[i].base, v[i].len))
			err = -EFAULT;
		else if (v[i].len > MAX_RW_COUNT - *total)
			v[i].len = MAX_RW_COUNT - *total; /* the vector's total is capped too */
		*total += v[i].len;
	}
	if (err) {
		kfree(v);
		return err;
	}
	*out = v;
	return 0;
}

/* Why f cannot take a readv/writev (positional: preadv/pwritev): -EBADF
 * (O_PATH, or not open for it), -ESPIPE; 0 if it can. Linux's order.
 * Inline: pread and pwrite start with it. */
static inline __attribute__((always_inline)) long iov_file_check(const struct file *f, bool write,
								  bool positional)
{
	if (f->flags & O_PATH)
		return -EBADF;
	if (positional && !seekable(f))
		return -ESPIPE;
	return (write ? can_write(f) : can_read(f)) ? 0 : -EBADF;
}

long rw_iovec(struct file *f, bool write, const struct iovec_user *v, uint64_t cnt, uint64_t *pos)
{
	long total = 0;

	for (uint64_t i = 0; i < cnt; i++) {
		if (v[i].len == 0)
			continue;
		long r = file_rw_at(f, write, v[i].base, v[i].len, pos);
		if (r < 0)
			return total ? total : r;
		total += r;
		if (r < (long)v[i].len)
			break;
	}
	return total;
}

/* readv/writev and their positional forms: the vector checked whole, then
 * one element at a time, stopping at the first short transfer; pos is
 * f->pos or a local copy. readv and writev come in without the kernel
 * lock (syscall.c's lock_free) and take it, as read and write, for a file
 * that needs it; the positional forms hold it. may_drop: the caller is
 * the system call itself and does nothing after (readv, writev), so a
 * socket that may be read or written without the kernel lock gives it
 * up (klock_leave_call) when held (a traced caller). */
static long do_iov(int fd, bool write, uptr_t uiov, uint64_t cnt, int64_t off, bool positional,
		   bool may_drop)
{
	struct iovec_user *v = NULL;
	uint64_t len;

	if (positional && off < 0)
		return -EINVAL;
	struct file *f = fd_file_any(fd);
	if (!f)
		return -EBADF;
	uint64_t local = (uint64_t)off, *pos = positional ? &local : &f->pos;
	long err = iov_file_check(f, write, positional);
	if (!err && unix_is_socket(f)) { /* one message, as sendmsg/recvmsg */
		sock_call_lock(f, 0, may_drop); /* a connected TCP socket: as read and write */
		err = sock_rw_iov(f, write, uiov, cnt);
		file_put(f);
		return err;
	}
	if (!f->ops->lock_free)
		call_lock_kept(); /* readv, writev: as read and write (nothing when held) */
	if (!err)
		err = import_iovec(uiov, cnt, &v, &len);
	if (!err && positional && offset_overflows(off, len))
		err = -EINVAL;
	long r = err ? err : rw_iovec(f, write, v, cnt, pos);
	kfree(v);
	file_put(f);
	return r;
}

SYSCALL_DEFINE3(readv, unsigned long, fd, uptr_t, iov, unsigned long, cnt)
{
	return do_iov((int)fd, false, iov, cnt, 0, false, true);
}

SYSCALL_DEFINE3(writev, unsigned long, fd, uptr_t, iov, unsigned long, cnt)
{
	return do_iov((int)fd, true, iov, cnt, 0, false, true);
}

SYSCALL_DEFINE4(preadv, unsigned long, fd, uptr_t, iov, unsigned long, cnt, unsigned long, off)
{
	return do_iov((int)fd, false, iov, cnt, (int64_t)off, true, false);
}

SYSCALL_DEFINE4(pwritev, unsigned long, fd, uptr_t, iov, unsigned long, cnt, unsigned long, off)
{
	return do_iov((int)fd, true, iov, cnt, (int64_t)off, true, false);
}

/* preadv2/pwritev2(fd, iov, cnt, pos_l, pos_h, flags): preadv/pwritev,
 * or readv/writev at the file position when the offset is -1 (-EINVAL
 * below that); on x86_64 the offset is pos_l alone (Linux's pos_from_hilo
 * shifts pos_h out). flags as Linux's: RWF_HIPRI (a polling hint, nothing
 * to poll here), RWF_DSYNC and RWF_SYNC (the written range reaches the
 * disk: fdatasync or fsync after the write); -EOPNOTSUPP for the others
 * (RWF_NOWAIT: no file here has Linux's FMODE_NOWAIT for them;
 * RWF_APPEND is not done) and for unknown bits. */
static long do_iov2(unsigned long fd, bool write, uptr_t iov, unsigned long cnt, int64_t off,
		    int flags)
{
	if (flags & ~(RWF_HIPRI | RWF_DSYNC | RWF_SYNC))
		return -EOPNOTSUPP;
	if (off < -1)
		return -EINVAL;
	long r = do_iov((int)fd, write, iov, cnt, off, off != -1, false); /* fsync's look follows */
	if (r > 0 && write && (flags & (RWF_DSYNC | RWF_SYNC))) {
		struct file *f = fd_file((int)fd);
		long s = f && f->inode ? vfs_fsync(f->inode, !(flags & RWF_SYNC)) : 0;
		if (f)
			file_put(f);
		if (s < 0)
			r = s;
	}
	return r;
}

SYSCALL_DEFINE6(preadv2, unsigned long, fd, uptr_t, iov, unsigned long, cnt, unsigned long, pos_l,
		unsigned long, pos_h, int, flags)
{
	(void)pos_h;
	return do_iov2(fd, false, iov, cnt, (int64_t)pos_l, flags);
}

SYSCALL_DEFINE6(pwritev2, unsigned long, fd, uptr_t, iov, unsigned long, cnt, unsigned long, pos_l,
		unsigned long, pos_h, int, flags)
{
	(void)pos_h;
	return do_iov2(fd, true, iov, cnt, (int64_t)pos_l, flags);
}

/* pread64/pwrite64 of f, found by the caller, at off (not negative),
 * leaving the file position alone. */
static inline __attribute__((always_inline)) long positional_file(struct file *f, bool write, uptr_t buf,
								  size_t n, int64_t off)
{
	long r = iov_file_check(f, write, true);

	if (!r && offset_overflows(off, n))
		r = -EINVAL; /* as Linux's rw_verify_area, with the count asked */
	if (r)
		return r;
	uint64_t pos = (uint64_t)off;
	return rw_at(f, write, buf, n, &pos);
}

/* positional for a table another thread or process may change: the
 * file with a reference for the call (fd_file_any). Out of line. */
static __attribute__((noinline)) long positional_shared(unsigned int fd, bool write, uptr_t buf, size_t n,
							 int64_t off)
{
	struct file *f = fd_file_any((int)fd);

	if (!f)
		return -EBADF;
	long r = positional_file(f, write, buf, n, off);
	file_put(f);
	return r;
}

/* pread64/pwrite64: at off, leaving the file position alone; the
 * descriptor looked up as read and write do (rw_fd: a private table's
 * slot read once, without a reference). Inline in each, so that each
 * has its own copy for its direction. */
static inline __attribute__((always_inline)) long positional(unsigned int fd, bool write, uptr_t buf,
							     size_t n, int64_t off)
{
	if (off < 0)
		return -EINVAL;
	struct process *p = current_thread()->proc; /* a system call's: never NULL */
	struct fdtable *t = p->files;
	if (__builtin_expect(!fd_table_private(p, t), 0))
		return positional_shared(fd, write, buf, n, off);
	struct file *f = fd_slot(t, (int)fd);
	return f ? positional_file(f, write, buf, n, off) : -EBADF;
}

SYSCALL_DEFINE4(pread64, unsigned int, fd, uptr_t, buf, size_t, n, loff_t, off)
{
	return positional(fd, false, buf, n, (int64_t)off);
}

SYSCALL_DEFINE4(pwrite64, unsigned int, fd, uptr_t, buf, size_t, n, loff_t, off)
{
	return positional(fd, true, buf, n, (int64_t)off);
}

SYSCALL_DEFINE3(lseek, unsigned int, fd, off_t, off, unsigned int, whence)
{
	struct file *f = fd_file_io((int)fd);

	if (!f)
		return -EBADF;
	long r = f->ops->lseek ? f->ops->lseek(f, (int64_t)off, (int)whence) : -ESPIPE;
	file_put(f);
	return r;
}

/* ---------------------------------------------------------------- descriptors */

/* close(2), a lock-free call (syscall.c): the slot emptied under the
 * table's own lock (fs/vfs.h's fd_take_nolock), then fd_close_flush,
 * which takes the kernel lock only for a flush with something to do and
 * for the last reference's release. A caller that holds the kernel lock
 * (traced, int $0x80) closes under it as before, and so does a process
 * without a table yet (cur_files makes one with the standard three). */
SYSCALL_DEFINE1(close, unsigned int, fd)
{
	struct process *p = current_process();
	const void *owner = NULL;

	if (!p || klock_held())
		return fd_close(cur_files(), (int)fd);
	struct file *f = fd_take_nolock(p, (int)fd, &owner);
	if (f) {
		fd_close_flush(f, owner);
		return 0;
	}
	if (owner)
		return -EBADF;
	bool taken = call_lock();
	int err = fd_close(cur_files(), (int)fd);
	call_unlock(taken);
	return err;
}

/* close_range(first, last, flags): close (or with CLOSE_RANGE_CLOEXEC
 * mark close-on-exec) every open descriptor from first to last;
 * -EINVAL for an unknown flag or first > last. CLOSE_RANGE_UNSHARE first
 * gives the process its own copy of a table shared with another process
 * (CLONE_FILES; -ENOMEM); the table stays shared by all its threads (the
 * descriptors close for every thread; Linux would keep them for the
 * caller's sibling threads). */
SYSCALL_DEFINE3(close_range, unsigned int, first, unsigned int, last, unsigned int, flags)
{
	if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	if ((flags & CLOSE_RANGE_UNSHARE) && process_unshare(true, false))
		return -ENOMEM;
	fdtable_close_range(cur_files(), first, last, flags & CLOSE_RANGE_CLOEXEC);
	return 0;
}

long fd_install_any(struct file *f, int min, bool cloexec)
{
	int fd = fd_install_nolock(f, min, cloexec);

	if (fd != FD_INSTALL_LOCKED)
		return fd;
	bool taken = call_lock();
	fd = fd_install(cur_files(), f, min, cloexec);
	call_unlock(taken);
	if (fd < 0)
		file_put(f);
	return fd;
}

/* dup, dup2 and dup3 run with or without the kernel lock (a traced
 * caller and int $0x80 come with it): the file looked up under its
 * table's lock (fd_file_any) and installed as a lock-free open installs
 * (fd_install_any) or as close empties a slot (fd_install_at_nolock);
 * the kernel lock only to grow the table, for a flush with something to
 * do and for the last reference's release of what dup2 replaced. */
SYSCALL_DEFINE1(dup, unsigned int, fd)
{
	struct file *f = fd_file_any((int)fd);

	return f ? fd_install_any(f, 0, false) : -EBADF;
}

/* dup2/dup3: put oldfd's file at newfd, closing what was there. */
static long dup_to(int oldfd, int newfd, bool cloexec)
{
	struct file *f = fd_file_any(oldfd);

	if (!f)
		return -EBADF;
	int r = fd_install_at_nolock(current_process(), newfd, f, cloexec);
	if (r == FD_INSTALL_LOCKED) { /* past the table's size: it grows */
		bool taken = call_lock();
		r = fd_install_at(cur_files(), newfd, f, cloexec);
		call_unlock(taken);
	}
	if (r < 0)
		file_put(f); /* -EBADF at or above RLIMIT_NOFILE, -ENOMEM */
	return r;
}

SYSCALL_DEFINE2(dup2, unsigned int, oldfd, unsigned int, newfd)
{
	if ((int)oldfd == (int)newfd) {
		struct file *f = fd_file_any((int)oldfd);
		if (!f)
			return -EBADF;
		file_put(f);
		return (long)(int)newfd;
	}
	return dup_to((int)oldfd, (int)newfd, false);
}

SYSCALL_DEFINE3(dup3, unsigned int, oldfd, unsigned int, newfd, int, flags)
{
	if (flags & ~(uint64_t)O_CLOEXEC)
		return -EINVAL;
	if ((int)oldfd == (int)newfd)
		return -EINVAL;
	return dup_to((int)oldfd, (int)newfd, flags & O_CLOEXEC);
}

/* F_SETFL: the status flags in SETFL_MASK, O_ASYNC's list kept in step;
 * -EPERM when it would set O_NOATIME on a file the caller neither owns
 * nor has CAP_FOWNER for (Linux's setfl), nothing changed. */
static long setfl(struct file *f, int fd, unsigned long arg)
{
	unsigned flags = (f->flags & ~(unsigned)SETFL_MASK) | ((unsigned)arg & SETFL_MASK);

	if ((flags & ~f->flags & O_NOATIME) && f->inode && !vfs_owner_or_capable(f->inode))
		return -EPERM;
	fown_setfl(f, fd, flags);
	f->flags = flags;
	return 0;
}

/* The commands an O_PATH descriptor takes (Linux's check_fcntl_cmd):
 * the descriptor's own, none that touch the file. */
static bool fcntl_path_cmd(unsigned int cmd)
{
	return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC || cmd == F_GETFD || cmd == F_SETFD ||
	       cmd == F_GETFL;
}

/* fcntl_path_cmd's commands, the descriptor's own, run without the
 * kernel lock: F_DUPFD and F_DUPFD_CLOEXEC as dup (fd_install_any),
 * F_GETFD and F_SETFD under the table's lock (fd_cloexec_nolock), and
 * F_GETFL, a read of the file's flags (Linux reads f_flags unlocked
 * too). */
static long fcntl_nolock(int fd, unsigned int cmd, unsigned long arg)
{
	struct file *f = fd_file_any(fd);
	long r;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= (unsigned long)fd_limit())
			r = -EINVAL;
		else
			r = fd_install_any(file_get(f), (int)arg, cmd == F_DUPFD_CLOEXEC);
		break;
	case F_GETFD: r = fd_cloexec_nolock(current_process(), fd, NULL) ? FD_CLOEXEC : 0; break;
	case F_SETFD: {
		bool on = arg & FD_CLOEXEC;
		fd_cloexec_nolock(current_process(), fd, &on);
		r = 0;
		break;
	}
	default: r = (long)f->flags; break; /* F_GETFL */
	}
	file_put(f);
	return r;
}

SYSCALL_DEFINE3(fcntl, unsigned int, fd, unsigned int, cmd, unsigned long, arg)
{
	if (fcntl_path_cmd(cmd) && !this_cpu_klock_depth())
		return fcntl_nolock((int)fd, cmd, arg);
	call_lock_kept(); /* fcntl comes without it: the other commands need it */
	struct fdtable *t = cur_files();
	struct file *f = fd_file((int)fd);
	long r = 0;

	if (!f)
		return -EBADF;
	if ((f->flags & O_PATH) && !fcntl_path_cmd(cmd)) {
		file_put(f);
		return -EBADF;
	}
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= (unsigned long)fd_limit()) {
			r = -EINVAL;
			break;
		}
		r = fd_install(t, file_get(f), (int)arg, cmd == F_DUPFD_CLOEXEC);
		if (r < 0)
			file_put(f);
		break;
	case F_GETFD: r = fd_cloexec(t, (int)fd) ? FD_CLOEXEC : 0; break;
	case F_SETFD: fd_set_cloexec(t, (int)fd, arg & FD_CLOEXEC); break;
	case F_GETFL: r = (long)f->flags; break; /* O_LARGEFILE from open, not pipe2 (Linux) */
	case F_SETFL: r = setfl(f, (int)fd, arg); break;
	case F_GETLK:
	case F_OFD_GETLK: r = filelock_getlk(f, arg, cmd == F_OFD_GETLK); break;
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		r = filelock_setlk(f, (int)fd, arg, cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW,
				   cmd == F_SETLKW || cmd == F_OFD_SETLKW);
		break;
	case F_SETOWN:
	case F_GETOWN:
	case F_SETOWN_EX:
	case F_GETOWN_EX:
	case F_SETSIG:
	case F_GETSIG: r = fown_fcntl(f, cmd, arg); break;
	case F_NOTIFY: r = dnotify_fcntl(f, (int)fd, arg); break;
	case F_SETLEASE: r = lease_set(f, (int)fd, arg); break;
	case F_GETLEASE: r = lease_get(f); break;
	case F_GETPIPE_SZ: r = pipe_get_size(f); break;
	case F_SETPIPE_SZ: r = pipe_set_size(f, (unsigned int)arg); break; /* an int, as Linux */
	case F_ADD_SEALS: /* Linux asks for a writer before it looks at the file */
		r = (f->flags & O_ACCMODE) == O_RDONLY ? -EPERM : ramfs_add_seals(f->inode, (unsigned int)arg);
		break;
	case F_GET_SEALS: r = ramfs_get_seals(f->inode); break;
	default: r = -EINVAL;
	}
	file_put(f);
	return r;
}

/* FIOASYNC: O_ASYNC on or off as F_SETFL sets it (nginx sets it on its
 * channel socketpair). Linux's ioctl_fioasync answers -ENOTTY for a file
 * with no fasync operation, as regular files and directories have none. */
static long fioasync(struct file *f, int fd, unsigned long arg)
{
	int on;

	if (copy_from_user(&on, arg, sizeof(on)))
		return -EFAULT;
	if (!!on == !!(f->flags & O_ASYNC))
		return 0;
	if (f->inode && (S_ISREG(f->inode->mode) || S_ISDIR(f->inode->mode)))
		return -ENOTTY;
	setfl(f, fd, (f->flags & SETFL_MASK & ~(unsigned)O_ASYNC) | (on ? O_ASYNC : 0));
	return 0;
}

/* The ioctls every descriptor answers; the rest go to the file. */
SYSCALL_DEFINE3(ioctl, unsigned int, fd, unsigned int, req, unsigned long, arg)
{
	struct file *f = fd_file((int)fd);
	long r;
	int v;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH) {
		r = -EBADF;
	} else if (req == FIOCLEX || req == FIONCLEX) {
		fd_set_cloexec(cur_files(), (int)fd, req == FIOCLEX);
		r = 0;
	} else if (req == FIONBIO) {
		r = copy_from_user(&v, arg, sizeof(v)) ? -EFAULT : 0;
		if (!r)
			f->flags = v ? f->flags | O_NONBLOCK : f->flags & ~(unsigned)O_NONBLOCK;
	} else if (req == FIOASYNC) {
		r = fioasync(f, (int)fd, arg);
	} else if (req == FIONREAD && f->inode && S_ISREG(f->inode->mode)) {
		v = f->pos < f->inode->size ? (int)(f->inode->size - f->pos) : 0;
		r = copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
	} else {
		r = f->ops->ioctl ? f->ops->ioctl(f, req, arg) : -ENOTTY;
	}
	file_put(f);
	return r;
}

/* ---------------------------------------------------------------- sendfile */

long copy_between(struct file *out, uint64_t *opos, struct file *in, uint64_t *pos, size_t n)
{
	char *buf = kmalloc(SENDFILE_CHUNK);
	long total = 0, err = 0;

	if (!buf)
		return -ENOMEM;
	while ((size_t)total < n) {
		if (io_should_stop()) { /* SIGKILL: the partial count, or -EINTR */
			err = -EINTR;
			break;
		}
		size_t k = n - (size_t)total < SENDFILE_CHUNK ? n - (size_t)total : SENDFILE_CHUNK;
		/* RLIMIT_FSIZE before anything is read: a pipe's bytes stay */
		if (out->inode && S_ISREG(out->inode->mode) &&
		    (err = vfs_write_limit(out->flags & O_APPEND ? out->inode->size : *opos, &k)))
			break;
		long r = file_kread(in, buf, k, pos);
		if (r <= 0) {
			err = r;
			break;
		}
		long w = file_kwrite(out, buf, (size_t)r, opos);
		if (w < 0) {
			err = w;
			*pos -= (uint64_t)r;
			break;
		}
		total += w;
		if (w < r) {
			*pos -= (uint64_t)(r - w);
			break;
		}
		/* a short read of a regular file is not its end when the copy
		 * makes it grow (a file sent to itself): only 0 is, as Linux's
		 * splice_direct_to_actor */
		if ((size_t)r < k && !(in->inode && S_ISREG(in->inode->mode)))
			break;
	}
	kfree(buf);
	if (total > 0) { /* as Linux's do_sendfile and do_splice_direct */
		inotify_file(in, IN_ACCESS);
		inotify_file(out, IN_MODIFY);
	}
	return total ? total : err;
}

SYSCALL_DEFINE4(sendfile, int, outfd, int, infd, uptr_t, uoff, size_t, n)
{
	struct file *out = fd_file((int)outfd), *in = fd_file((int)infd);
	int64_t off = 0;
	long r = 0;

	if (!out || !in || !can_read(in) || !can_write(out))
		r = -EBADF;
	else if (!file_can_kread(in) || !file_can_kwrite(out) || (out->flags & O_APPEND))
		r = -EINVAL;
	else if (uoff && copy_from_user(&off, uoff, sizeof(off)))
		r = -EFAULT;
	else if (uoff && (off < 0 || !seekable(in)))
		r = off < 0 ? -EINVAL : -ESPIPE;
	else if ((int64_t)n >= 0 && (offset_overflows(uoff ? off : (int64_t)in->pos, n) ||
				     offset_overflows((int64_t)out->pos, n)))
		r = -EINVAL; /* Linux's rw_verify_area on both ends */
	if (!r) {
		uint64_t pos = (uint64_t)off;
		r = (int64_t)n < 0 ? -EINVAL : /* Linux: a negative ssize_t count */
		    copy_between(out, &out->pos, in, uoff ? &pos : &in->pos,
				 n > MAX_RW_COUNT ? MAX_RW_COUNT : n);
		off = (int64_t)pos;
		if (uoff && copy_to_user(uoff, &off, sizeof(off)))
			r = -EFAULT;
	}
	file_put(out);
	file_put(in);
	return r;
}

/* ---------------------------------------------------------------- the rest */

/* getdents and getdents64: the directory's entries in fmt; EBADF for an
 * O_PATH descriptor, ENOTDIR for a file that is not a directory. */
static long do_getdents(unsigned int fd, uptr_t buf, unsigned int n, enum dirent_format fmt)
{
	struct file *f = fd_file_io((int)fd);

	if (!f)
		return -EBADF;
	long r = f->ops->getdents ? f->ops->getdents(f, buf, n, fmt) : -ENOTDIR;
	if (r >= 0) /* Linux's iterate_dir: every read of a directory, the last (0) too */
		inotify_file(f, IN_ACCESS);
	file_put(f);
	return r;
}

SYSCALL_DEFINE3(getdents64, unsigned int, fd, uptr_t, buf, unsigned int, n)
{
	return do_getdents(fd, buf, n, DIRENT_64);
}

SYSCALL_DEFINE3(getdents, unsigned int, fd, uptr_t, buf, unsigned int, n)
{
	return do_getdents(fd, buf, n, DIRENT_OLD);
}

SYSCALL_DEFINE2(ftruncate, unsigned int, fd, off_t, len)
{
	struct file *f = fd_file_io((int)fd);

	if (!f)
		return -EBADF;
	long r;
	if (!f->inode || !S_ISREG(f->inode->mode) || !can_write(f))
		r = -EINVAL;
	else
		r = vfs_truncate(f->inode, (int64_t)len);
	file_put(f);
	return r;
}

/* fsync, fdatasync: the file's data (and metadata) on its disk; nothing
 * to do for a file in memory (fs/fstype.h's vfs_fsync); -EINVAL for a
 * file with no fsync at all (a pipe, a socket, /dev/null: file_can_fsync).
 * syncfs: its whole file system, whatever the file. */
static long do_fsync(unsigned int fd, int kind)
{
	struct file *f = fd_file_io((int)fd); /* EBADF for O_PATH too, as Linux's fdget */

	if (!f)
		return -EBADF;
	long r;
	if (kind == 2)
		r = f->inode ? vfs_syncfs(f->inode) : 0;
	else
		r = file_can_fsync(f) ? vfs_fsync(f->inode, kind == 1) : -EINVAL;
	file_put(f);
	return r;
}

SYSCALL_DEFINE1(fsync, unsigned int, fd)
{
	return do_fsync(fd, 0);
}

SYSCALL_DEFINE1(fdatasync, unsigned int, fd)
{
	return do_fsync(fd, 1);
}

SYSCALL_DEFINE1(syncfs, int, fd)
{
	return do_fsync((unsigned int)fd, 2);
}

/* sync_file_range's flags (Linux's include/uapi/linux/fs.h). */
#define SYNC_FILE_RANGE_WAIT_BEFORE 1
#define SYNC_FILE_RANGE_WRITE       2
#define SYNC_FILE_RANGE_WAIT_AFTER  4

/* sync_file_range(fd, offset, nbytes, flags), Linux 6.1's checks in its
 * order: EBADF (O_PATH too), EINVAL for unknown flags, a negative offset
 * or end, or one that wraps; ESPIPE for anything but a regular file, a
 * block device, a directory or a symlink. SYNC_FILE_RANGE_WRITE writes
 * the file's data out now, as fdatasync (Linux starts the write-back of
 * the range and may return before it ends: waiting for it too is
 * allowed, and a RAM file has nothing to write); the WAIT flags alone
 * wait for write-back already under way, which Kestrel never leaves
 * running behind a call: 0. */
SYSCALL_DEFINE4(sync_file_range, int, fd, int64_t, offset, int64_t, nbytes, unsigned int, flags)
{
	struct file *f = fd_file_io(fd);
	long r = 0;

	if (!f)
		return -EBADF;
	uint64_t end = (uint64_t)offset + (uint64_t)nbytes;
	uint32_t mode = f->inode ? f->inode->mode : 0;
	if (flags & ~(unsigned)(SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
				SYNC_FILE_RANGE_WAIT_AFTER) ||
	    offset < 0 || (int64_t)end < 0 || (int64_t)end < offset)
		r = -EINVAL;
	else if (!S_ISREG(mode) && !S_ISBLK(mode) && !S_ISDIR(mode) && !S_ISLNK(mode))
		r = -ESPIPE;
	else if ((flags & SYNC_FILE_RANGE_WRITE) && file_can_fsync(f))
		r = vfs_fsync(f->inode, true);
	file_put(f);
	return r;
}

/* flock: a whole-file lock owned by the open file description (fs/filelock.h). */
SYSCALL_DEFINE2(flock, unsigned int, fd, unsigned int, op)
{
	struct file *f = fd_file_io((int)fd);
	long r;

	if (!f)
		return -EBADF;
	r = filelock_flock(f, op);
	file_put(f);
	return r;
}

/* sync: every disk file system written back and marked clean, then
 * every block device's cache (an error is not reported, as Linux's). */
SYSCALL_DEFINE0(sync)
{
	vfs_sync_all();
	return 0;
}
