/* SPDX-License-Identifier: MIT */
/* What the file system calls (sys_fs.c, sys_fsname.c, sys_stat.c, sys_splice.c) share. */
#ifndef KESTREL_SYS_SYS_FS_H
#define KESTREL_SYS_SYS_FS_H

#include <stdint.h>
#include "arch/x86_64/percpu.h"
#include "fs/vfs.h"
#include "proc/call_lock.h"
#include "proc/process.h"
#include "uapi/fcntl.h"
#include "uapi/uio.h"

/* The open(2) flags Kestrel knows; the others are ignored, as Linux's. */
#define OPEN_FLAGS_KNOWN (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | \
			  O_NONBLOCK | O_DIRECT | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_LARGEFILE | \
			  O_PATH | O_DSYNC | O_SYNC | O_ASYNC | O_NOATIME | __O_TMPFILE)

/* Helpers the three files share. */
struct inode;
/* The current process's descriptor table (made with stdio if missing). */
struct fdtable *cur_files_made(void);
static inline struct fdtable *cur_files(void)
{
	struct process *p = current_process();

	return p && p->files ? p->files : cur_files_made();
}
/* The file behind fd with a reference, or NULL (the caller's -EBADF).
 * Inline, as fd_get: every descriptor's system call starts here. */
static inline struct file *fd_file(int fd)
{
	return fd_get(cur_files(), fd);
}
/* fd_file for a call that may run without the kernel lock (read,
 * write): looked up under the table's own lock then (fs/vfs.h's
 * fd_get_nolock). */
struct file *fd_file_slow(int fd);
static inline __attribute__((always_inline)) struct file *fd_file_any(int fd)
{
	struct process *p = current_process();
	struct fdtable *t = p ? __atomic_load_n(&p->files, __ATOMIC_ACQUIRE) : NULL;

	if (__builtin_expect(!t || this_cpu_klock_depth(), 0))
		return fd_file_slow(fd);
	return fd_get_nolock(t, fd, false);
}
/*
 * Linux's fdget for read, write, pread, pwrite and poll: may the calling
 * thread, process p's, read descriptors' slots in p's table t (NULL:
 * no) with neither the table's lock nor a reference of its own for the
 * rest of its call? Yes when the thread is its process's only one and
 * the table its process's alone (refs 1: no CLONE_FILES sharer):
 * nothing but this thread installs or closes a descriptor in it (every
 * change is the table's own process's, made by its threads), so while
 * the call runs a slot cannot change and the table's reference keeps
 * the file (Linux's __fget_light with a files_struct count of 1).
 * Otherwise the caller takes a reference (fd_file_any).
 */
static inline __attribute__((always_inline)) bool fd_table_private(const struct process *p,
								    const struct fdtable *t)
{
	return t && __atomic_load_n(&p->nthreads, __ATOMIC_RELAXED) == 1 &&
	       __atomic_load_n(&t->refs, __ATOMIC_RELAXED) == 1;
}
/* File f (the caller's reference) in the current process's lowest free
 * descriptor >= min, with or without the kernel lock: the table's free
 * slots under its own lock, a growth under the kernel lock. The fd, or
 * -EMFILE, -ENOMEM with f put. */
long fd_install_any(struct file *f, int min, bool cloexec);
/* fd_file for the calls that do I/O on the file (fs/vfs.h's fd_get_io):
 * NULL for an O_PATH descriptor too, the caller's -EBADF. */
static inline struct file *fd_file_io(int fd)
{
	return fd_get_io(cur_files(), fd);
}
/* A user path copied into a new kmalloc'd buffer (kfree it): 0,
 * -EFAULT, -ENAMETOOLONG, -ENOMEM. Empty paths are -ENOENT unless
 * allow_empty. */
int user_path(uptr_t upath, char **out, bool allow_empty);
/* The base directory of an *at call: NULL for AT_FDCWD (the cwd),
 * else the directory behind dirfd with a reference (-EBADF, -ENOTDIR). */
int at_base(int dirfd, struct inode **base);
/* The inode behind fd (AT_FDCWD: the cwd) with a new reference, NULL
 * for a file without one (a pipe, a socket): 0 or -EBADF. */
int at_fd_inode(int fd, struct inode **out);
/* The inode an *at call with flags (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH)
 * names: a new reference or -errno. */
int at_inode(int dirfd, uptr_t upath, int flags, struct inode **out);
/* at_inode's walk without the kernel lock (fs/inode.h's vfs_walk_nolock,
 * which says what use may do): from dirfd (AT_FDCWD, or a directory's
 * descriptor, looked up under its table's lock) with the flag
 * AT_SYMLINK_NOFOLLOW (others are the caller's to check). 0 once use has
 * seen the inode, -errno (the path's copy's, or the walk's), or
 * WALK_LOCKED (the walk's or use's, or the caller holds the lock): the
 * caller walks again under the kernel lock (call_lock). */
int at_walk_nolock(int dirfd, uptr_t upath, int flags, int (*use)(struct inode *ip, void *ctx),
		   void *ctx);
/* Takes pread/pwrite. (can_read, can_write: fs/vfs.h.) */
bool seekable(const struct file *f);
/* Linux's rw_verify_area for an offset: a transfer that would pass the
 * largest file offset is -EINVAL before anything moves. */
static inline bool offset_overflows(int64_t off, uint64_t n)
{
	return off < 0 || n > (uint64_t)INT64_MAX - (uint64_t)off;
}
/* One read or write of f at *pos (moved on) through f's operations, as
 * read, pread and their vectored forms do it after their checks: the
 * bytes, or -EBADF (not open for it), -EINVAL (no such operation), an
 * I/O error. */
long file_rw_at(struct file *f, bool write, uptr_t buf, size_t n, uint64_t *pos);

/*
 * Linux's import_iovec: copy the vector in and check it whole before any
 * transfer. -EINVAL for more than UIO_MAXIOV elements or a negative
 * length, -EFAULT for a vector or an element outside user space (an empty
 * element too); the lengths are cut so that they add up to at most
 * MAX_RW_COUNT. *out is kmalloc'd (NULL for an empty vector), *total the sum.
 */
long import_iovec(uptr_t uiov, uint64_t cnt, struct iovec_user **out, uint64_t *total);
/* The elements of v in turn through file_rw_at at *pos, stopping at the
 * first short transfer: the bytes moved, or the first error when none. */
long rw_iovec(struct file *f, bool write, const struct iovec_user *v, uint64_t cnt, uint64_t *pos);
/* Copy up to n bytes from in (at *pos) to out (at *opos) through a kernel
 * buffer with file_kread/file_kwrite (both must allow it: kernel_io), a chunk at a time with a
 * preemption point between chunks; a short read or write ends it. The
 * count, or the first error when nothing moved (SIGKILL: -EINTR). */
long copy_between(struct file *out, uint64_t *opos, struct file *in, uint64_t *pos, size_t n);

#endif
