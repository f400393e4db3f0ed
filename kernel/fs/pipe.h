/* SPDX-License-Identifier: MIT */
/* Pipes and FIFOs: a ring (64 KiB unless F_SETPIPE_SZ changes it) between a read end and a write end, with blocking, PIPE_BUF atomicity, EOF and EPIPE as Linux has them. */
#ifndef KESTREL_FS_PIPE_H
#define KESTREL_FS_PIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "uapi/limits.h"
#include "mm/usercopy.h"

struct file;

#define PIPE_SIZE (16 * 4096)    /* a new pipe's ring (Linux's 16 pages); a power of two */
#define PIPE_MAX_SIZE (1u << 20) /* /proc/sys/fs/pipe-max-size's default: F_SETPIPE_SZ's limit without CAP_SYS_RESOURCE */
#define PIPE_DEV 12              /* st_dev (minor) of anonymous pipes */
#define PIPE_USER_PAGES_SOFT 16384 /* Linux's pipe-user-pages-soft default: 1024 pipes of 16 pages */
#define PIPE_MIN_PAGES 2         /* a pipe past the soft limit (Linux's PIPE_MIN_DEF_BUFFERS) */

/*
 * A new pipe: *rd (O_RDONLY) and *wr (O_WRONLY) are open files on it,
 * each with one reference (file_put closes them). flags: O_NONBLOCK for
 * both ends; other bits are ignored here (the caller checks them).
 * 0 or -ENOMEM. Both files hold the pipe's inode (pipefs: S_IFIFO 0600,
 * statfs PIPEFS_MAGIC), which /proc/PID/fd/N reopens: an open of it
 * never waits for the other end, as Linux's fifo_open for pipes.
 *
 * On the files: read blocks while the pipe is empty and a writer is
 * left (0 at EOF); write blocks for room, all at once up to PIPE_BUF
 * bytes, in pieces above; with no reader left it gives -EPIPE and
 * SIGPIPE to the caller. O_NONBLOCK gives -EAGAIN instead of blocking
 * (or a partial count), and a pending signal -ERESTARTSYS (or a partial
 * count). ioctl FIONREAD; poll POLLIN and POLLHUP on the read end,
 * POLLOUT (PIPE_BUF bytes of room) and POLLERR on the write end. The
 * files' read and write do the same with kernel buffers (KERNEL_IO_*).
 */
int pipe_create(struct file **rd, struct file **wr, unsigned flags);

/*
 * Open a FIFO (a named pipe) as file f (the open's f->flags): the open
 * method of a file system's S_IFIFO inode. *slot is the inode's pointer
 * to the FIFO's pipe, NULL while no end is open; the pipe is made on the
 * first open and freed (unread bytes and all) on the last close, which
 * sets *slot back to NULL. As Linux: O_RDONLY waits for a writer to open
 * (not with O_NONBLOCK: reads then see EOF until one does); O_WRONLY
 * waits for a reader (O_NONBLOCK: -ENXIO); O_RDWR never waits. A signal
 * ends the wait with -ERESTARTSYS. Sets f->ops and f->priv; 0 or -errno.
 */
int pipe_open_fifo(void **slot, struct file *f);

/*
 * splice(2)'s wait on a pipe end f: until it has bytes to give (write
 * false) or room to take some (write true), as its read and write wait,
 * but for any amount; room for a splice is a page of the ring no byte is
 * in, as Linux's pipe gives each spliced buffer a slot of its own (a
 * pipe of one page holding a byte has none). -EAGAIN when it would wait and nonblock (or f's
 * O_NONBLOCK), -ERESTARTSYS at a signal, -EPIPE and SIGPIPE for room with
 * no reader left; -EINVAL if f is not a pipe or FIFO end. Else the bytes
 * waiting (0: no writer left, end of file) or the room.
 */
long pipe_splice_wait(struct file *f, bool write, bool nonblock);

/* vmsplice's wait: pipe_splice_wait's, with nonblock alone saying whether
 * it may wait (Linux's vmsplice looks at SPLICE_F_NONBLOCK, not O_NONBLOCK). */
long pipe_vmsplice_wait(struct file *f, bool write, bool nonblock);

/*
 * vmsplice's copy, which never waits: into the pipe (to_pipe), up to n
 * bytes from user memory at buf, as many as there is room for; out of
 * it, up to n of the bytes waiting, to buf. The bytes moved (0: no room,
 * or none waiting), -EFAULT (nothing moved), -EINVAL if f is not a pipe
 * end.
 */
long pipe_vmsplice_copy(struct file *f, uptr_t buf, size_t n, bool to_pipe);

/*
 * tee(2) after its descriptor checks: duplicate up to n of the bytes
 * waiting in the pipe behind in into the one behind out, leaving them in
 * in. Waits, as splice, for bytes in in and then room in out (not when
 * nonblock or either file is O_NONBLOCK: -EAGAIN); -ERESTARTSYS at a
 * signal, -EPIPE and SIGPIPE with no reader on out, -EINVAL if either is
 * not a pipe end or both are the same pipe. The bytes duplicated, 0 when
 * in has no writer left and nothing waiting.
 */
long pipe_tee(struct file *in, struct file *out, size_t n, bool nonblock);

/* The pipe's inode number (the same for both ends, unique among pipes,
 * never a kernel address): what fstat's st_ino and /proc/PID/fd's
 * "pipe:[N]" show. 0 if f is not a pipe or FIFO end. */
uint64_t pipe_ino(const struct file *f);

/*
 * fcntl F_GETPIPE_SZ: the pipe's capacity in bytes; -EBADF if f is not a
 * pipe or FIFO end.
 */
long pipe_get_size(struct file *f);

/*
 * fcntl F_SETPIPE_SZ: make the capacity arg bytes, rounded up to a power
 * of two pages (0 gives one page), as Linux: -EINVAL above 2 GiB, -EPERM
 * above PIPE_MAX_SIZE (when growing) without CAP_SYS_RESOURCE, -EBUSY if
 * more bytes are waiting than the new size holds, -ENOMEM, -EBADF if f is
 * not a pipe. The new capacity on success; the bytes waiting are kept.
 */
long pipe_set_size(struct file *f, unsigned int arg);

/* /proc/sys/fs/pipe-max-size: the limit above (PIPE_MAX_SIZE at boot),
 * and setting it to v rounded as F_SETPIPE_SZ rounds: 0, or -EINVAL
 * above 2 GiB. */
unsigned int pipe_max_size(void);
int pipe_set_max_size(uint64_t v);
/* /proc/sys/fs/pipe-user-pages-soft and -hard (hard true): the pages of
 * pipe rings a user's pipes may hold before, without CAP_SYS_RESOURCE or
 * CAP_SYS_ADMIN, new pipes get two pages (soft) or none (hard: pipe(2)
 * ENFILE, a growing F_SETPIPE_SZ EPERM); 0 is no limit. */
uint64_t pipe_user_pages(bool hard);
void pipe_set_user_pages(bool hard, uint64_t pages);

#endif
