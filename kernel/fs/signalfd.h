/* SPDX-License-Identifier: MIT */
/* signalfd: the signals of a mask, read from a file descriptor instead of delivered to a handler. */
#ifndef KESTREL_FS_SIGNALFD_H
#define KESTREL_FS_SIGNALFD_H

#include <stdbool.h>
#include <stdint.h>

struct file;

/*
 * A new signalfd file for the signals in mask (bit sig - 1; SIGKILL and
 * SIGSTOP are dropped, as Linux), with one reference. flags: O_NONBLOCK
 * (SFD_NONBLOCK); other bits are the caller's to check. 0 or -ENOMEM.
 *
 * On the file, as Linux: read of at least 128 bytes takes pending
 * signals of the mask off the reading thread (its own first, then its
 * process's), one struct signalfd_siginfo each, as many as fit; it waits
 * for the first (O_NONBLOCK: -EAGAIN; a signal: -ERESTARTSYS). Shorter
 * buffers are -EINVAL. poll: POLLIN while one is pending for the caller.
 */
int signalfd_create(struct file **out, uint64_t mask, unsigned flags);
/* True if f is a signalfd file. */
bool signalfd_is(const struct file *f);
/* signalfd4 on an existing signalfd: its mask becomes mask. */
void signalfd_set_mask(struct file *f, uint64_t mask);

#endif
