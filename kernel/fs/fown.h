/* SPDX-License-Identifier: MIT */
/*
 * A file's owner and its I/O signals, as Linux's fs/fcntl.c: fcntl
 * F_SETOWN, F_GETOWN, F_SETOWN_EX, F_GETOWN_EX, F_SETSIG, F_GETSIG are
 * kept on the open file description (struct file's own_* fields), and a
 * file with O_ASYNC is on a list that the files' producers (pipes) walk
 * to signal its owner when I/O becomes possible: SIGIO, or the F_SETSIG
 * signal with si_code POLL_IN/POLL_OUT, si_fd (the descriptor O_ASYNC was
 * set through) and si_band.
 *
 * Lock rule: the list and the fields change only in system calls on the
 * one CPU, never preempted in kernel mode; no interrupt handler walks them.
 */
#ifndef KESTREL_FS_FOWN_H
#define KESTREL_FS_FOWN_H

#include <stdbool.h>
#include "fs/vfs.h"

/* fcntl's owner and signal commands on f: F_GETOWN's owner (a negative
 * process group), F_GETSIG's signal, or 0; -EINVAL (a bad type or signal,
 * INT_MIN), -ESRCH (no such process, thread or group), -EFAULT. */
long fown_fcntl(struct file *f, unsigned int cmd, unsigned long arg);

/* F_SETFL is about to set f's flags to flags through descriptor fd:
 * O_ASYNC turning on puts f on the async list (remembering fd), turning
 * off takes it off. */
void fown_setfl(struct file *f, int fd, unsigned flags);

/* The files with O_ASYNC set (through async_next). Lock rule: the kernel
 * lock. */
extern struct file *fown_async_files;
void fown_notify_async(const void *obj, int code);
/* I/O became possible on the object obj (a file's priv: the pipe):
 * signal the owner of each O_ASYNC file open on it whose direction
 * matches: POLL_IN for readers, POLL_OUT for writers. Inline: every pipe
 * read and write asks, and almost never has an O_ASYNC file to tell. */
static inline void fown_notify(const void *obj, int code)
{
	if (fown_async_files)
		fown_notify_async(obj, code);
}
/* fown_notify for a caller that may run without the kernel lock (a
 * pipe's or an AF_UNIX stream's transfer): the list's lock is taken for
 * the moment, only when some file is O_ASYNC. */
void fown_notify_locking(const void *obj, int code);
static inline void fown_notify_any(const void *obj, int code)
{
	if (__atomic_load_n(&fown_async_files, __ATOMIC_RELAXED))
		fown_notify_locking(obj, code);
}

/* Signal f's owner as an I/O signal for descriptor fd with si_code code
 * (POLL_MSG: dnotify), whether or not f is O_ASYNC. */
void fown_signal(const struct file *f, int fd, int code);

/* Make the calling process f's owner (Linux's __f_setown with its tgid,
 * as F_NOTIFY does). 0. */
long fown_set_self(struct file *f);

/* f's last reference is going: off the async list. */
void fown_release(struct file *f);

#endif
