/* SPDX-License-Identifier: MIT */
/* epoll: a set of watched open files behind a file descriptor, asked for the ones that are ready. */
#ifndef KESTREL_FS_EVENTPOLL_H
#define KESTREL_FS_EVENTPOLL_H

#include <stdbool.h>
#include <stdint.h>
#include "mm/usercopy.h"

struct file;
struct epoll_event_k;

/* The most nested epoll files one wait looks through (Linux's EP_MAX_NESTS). */
#define EP_MAX_NESTS 4

/* A new, empty epoll file (O_RDWR), with one reference: 0 or -ENOMEM. */
int eventpoll_create(struct file **out);
/* True if f is an epoll file. */
bool eventpoll_is(const struct file *f);

/*
 * epoll_ctl on epoll file ep: op EPOLL_CTL_ADD, _MOD or _DEL of (tf, fd)
 * with ev (ignored for DEL). As Linux: -EPERM when tf cannot be polled
 * (a regular file, a directory), -EINVAL when tf is ep itself, for an
 * unknown op or a misused EPOLLEXCLUSIVE, -EEXIST (ADD of a registered
 * pair), -ENOENT (MOD or DEL of one that is not), -ELOOP when adding an
 * epoll file would close a circle or nest deeper than EP_MAX_NESTS,
 * -ENOSPC past the system's registrations (Linux's max_user_watches: 4%
 * of RAM), -ENOMEM. A registration belongs to the open file description: it goes
 * when tf's last reference does (eventpoll_file_gone), not when fd is
 * closed while a dup of it stays open.
 */
int eventpoll_ctl(struct file *ep, int op, int fd, struct file *tf, const struct epoll_event_k *ev);

/*
 * epoll_wait on epoll file ep: up to maxevents (> 0) ready events
 * copied to events, waiting until deadline (time_ns(); NO_DEADLINE
 * none, 0 one look). Level-triggered by default: a ready file is
 * reported on every call; EPOLLET reports it once per I/O event that
 * happened since it was reported (possibly more often, never less);
 * EPOLLONESHOT disables it after one report until EPOLL_CTL_MOD.
 * Returns the count, 0 at the deadline, -EINTR when a signal is pending
 * (never restarted, as Linux), -EFAULT, -ENOMEM.
 */
long eventpoll_wait(struct file *ep, uptr_t events, int maxevents, uint64_t deadline);

/* Called by file_put when a file with epoll registrations loses its
 * last reference: every registration of it is removed. */
void eventpoll_file_gone(struct file *f);

#endif
