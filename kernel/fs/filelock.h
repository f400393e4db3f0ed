/* SPDX-License-Identifier: MIT */
/*
 * Advisory file locks, as Linux's: POSIX record locks (fcntl F_SETLK,
 * F_SETLKW, F_GETLK: byte ranges owned by a process's descriptor table,
 * all dropped when that table closes any descriptor of the file), open
 * file description locks (F_OFD_*: the same ranges, owned by the open
 * file, dropped at its last close) and flock(2) locks (the whole file,
 * owned by the open file). POSIX and OFD locks conflict with each other;
 * flock locks only with flock locks.
 *
 * Lock rule: every list here (the files with locks, each file's locks,
 * the blocked POSIX waiters) is changed only by system calls on the one
 * CPU, which is never preempted in kernel mode; nothing is touched from
 * interrupt handlers, and no code sleeps with a half-made change (a
 * waiter sleeps only between complete operations and checks again).
 */
#ifndef KESTREL_FS_FILELOCK_H
#define KESTREL_FS_FILELOCK_H

#include <stdbool.h>
#include "fs/vfs.h"

/* At most this many lock records exist at once, system-wide: beyond
 * it F_SETLK and flock fail with ENOLCK rather than use up the heap. */
#define FILELOCK_MAX 65536

/* fcntl F_GETLK / F_OFD_GETLK (ofd): the first lock that would block
 * the struct flock at arg, written back over it, or l_type F_UNLCK.
 * 0, -EFAULT, -EINVAL (a bad type or whence, OFD l_pid not 0, a
 * negative start), -EOVERFLOW. */
long filelock_getlk(struct file *f, uptr_t arg, bool ofd);

/* fcntl F_SETLK, F_SETLKW (wait) and their OFD forms on descriptor fd
 * of the current process: take, change or release the range. 0,
 * -EFAULT, -EINVAL, -EOVERFLOW, -EBADF (a read lock without read access,
 * a write lock without write access), -EAGAIN (a conflict, no wait),
 * -EDEADLK (POSIX wait that would close a cycle), -ERESTARTSYS (a
 * signal ended the wait), -ENOLCK (no memory or too many locks). */
long filelock_setlk(struct file *f, int fd, uptr_t arg, bool ofd, bool wait);

/* flock(2): LOCK_SH, LOCK_EX or LOCK_UN, with LOCK_NB. 0, -EINVAL,
 * -EWOULDBLOCK, -ERESTARTSYS, -ENOLCK. */
long filelock_flock(struct file *f, unsigned int op);

/* A descriptor of table owner on f was closed: drop owner's POSIX locks
 * on f's file (Linux's locks_remove_posix). Cheap when nothing is locked. */
void filelock_close(struct file *f, const void *owner);
/* Whether any file has a lock context, as a caller without the kernel
 * lock may ask before a close (vfs.c's fd_close_flush): false means the
 * closing process holds no POSIX lock to drop (its own would be there),
 * so filelock_close need not run. */
bool filelock_any(void);

/* f's last reference is going: drop its OFD and flock locks. */
void filelock_release(struct file *f);

#endif
