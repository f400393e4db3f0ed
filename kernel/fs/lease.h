/* SPDX-License-Identifier: MIT */
/* File leases (fcntl F_SETLEASE, F_GETLEASE): a read or write lease on a regular file, broken by a conflicting open, as Linux's fs/locks.c. */
#ifndef KESTREL_FS_LEASE_H
#define KESTREL_FS_LEASE_H

#include <stdbool.h>
#include <stdint.h>

struct file;
struct inode;

/* Linux's /proc/sys/fs/lease-break-time default: seconds a holder has to
 * give a broken lease up before the kernel takes it. */
#define LEASE_BREAK_SECS_DEFAULT 45

/* fs.lease-break-time (procfs_sys.c's file writes it, any int as Linux's
 * proc_dointvec): the seconds a break gives its holders, read when a
 * break starts; 0 or less, no limit: the breaker waits for the holder.
 * One aligned word, read and written whole: no lock. */
extern int64_t lease_break_secs;

/*
 * fcntl(fd, F_SETLEASE, arg) on f, in Linux's order: an unknown arg
 * -EINVAL; a caller who is neither the file's owner nor has CAP_LEASE
 * -EACCES; a file that is not regular -EINVAL; F_UNLCK drops f's lease
 * (0 if none); F_RDLCK needs the file open for writing nowhere, F_WRLCK
 * open nowhere but through f, and neither may meet another file's write
 * lease, a read lease being broken for a writer, or (F_WRLCK) any other
 * lease: -EAGAIN. The caller becomes f's owner, who gets the lease's
 * signal (SIGIO, or F_SETSIG's, with si_fd fd) when it is broken.
 */
long lease_set(struct file *f, int fd, unsigned long arg);

/* fcntl(F_GETLEASE): f's lease (F_RDLCK, F_WRLCK, or F_UNLCK for none),
 * or while it is being broken what it must become. */
long lease_get(struct file *f);

/*
 * An open of ip with flags (or a truncate: O_WRONLY) meets the leases on
 * it: a write lease conflicts with any open, a read lease with one for
 * writing. Each holder is signalled once and given lease_break_secs to
 * give it up (F_UNLCK) or, a write lease met by a reader, to go down to
 * F_RDLCK, after which the kernel does it. With O_NONBLOCK -EWOULDBLOCK
 * at once; else the caller waits: 0, or -ERESTARTSYS for a signal.
 * Costs one load when no lease exists.
 */
int lease_break(struct inode *ip, unsigned flags);
/* Is there a lease anywhere? One load, for the lock-free open and
 * release (a sequentially consistent one: lease_set publishes a new
 * lease, then looks at the opens again). */
bool lease_any(void);

/* f's last reference is going: its lease goes (and a breaker waiting for
 * it goes on). */
void lease_release(struct file *f);

#endif
