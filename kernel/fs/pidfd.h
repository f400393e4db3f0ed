/* SPDX-License-Identifier: MIT */
/* Process file descriptors (pidfd_open): a file that names one process, readable once it has ended. */
#ifndef KESTREL_FS_PIDFD_H
#define KESTREL_FS_PIDFD_H

#include <stdbool.h>

struct file;
struct process;

/*
 * A new pidfd file for process p (live or a zombie), O_RDWR plus flags'
 * O_NONBLOCK, with one reference: 0, or -ENOMEM. It holds p's pid and
 * start time, never a pointer, so it outlives p harmlessly: once p is
 * reaped (or its pid reused) the file names no process. poll: POLLIN
 * when p has ended (a zombie or reaped), as Linux's pidfd_poll; read
 * and write are -EINVAL.
 */
int pidfd_create(struct process *p, unsigned flags, struct file **out);

/* True if f is a pidfd (not a /proc/PID directory). */
bool pidfd_is(const struct file *f);

/*
 * The process a pidfd, or a /proc/PID directory opened as Linux's
 * pidfd_to_pid accepts it, names: *out set and 0; -ESRCH when that
 * process has been reaped; -EBADF when f is neither. A zombie is found.
 */
int pidfd_process(struct file *f, struct process **out);

#endif
