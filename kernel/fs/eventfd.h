/* SPDX-License-Identifier: MIT */
/* eventfd: a 64-bit counter behind a file descriptor, for wake-ups between threads and processes. */
#ifndef KESTREL_FS_EVENTFD_H
#define KESTREL_FS_EVENTFD_H

#include <stdbool.h>

struct file;

/*
 * A new eventfd file holding initval, with one reference (file_put
 * closes it). flags: EFD_SEMAPHORE, EFD_NONBLOCK (O_NONBLOCK); other bits
 * are the caller's to check. 0 or -ENOMEM.
 *
 * On the file, as Linux: read of at least 8 bytes waits for a counter
 * above 0 and returns it (8 bytes) and sets it to 0, or with
 * EFD_SEMAPHORE returns 1 and decrements it; write of exactly 8 bytes (6.9)
 * adds the value, waiting while the sum would reach 2^64 - 1
 * (0xffffffffffffffff itself is -EINVAL). Shorter reads, and writes of
 * another size, are -EINVAL,
 * O_NONBLOCK gives -EAGAIN instead of waiting, a signal -ERESTARTSYS.
 * poll: POLLIN when the counter is above 0, POLLOUT while 1 more fits,
 * POLLERR at 2^64 - 1 (eventfd_signal's overflow).
 * lseek does nothing and returns 0, pread and pwrite are -ESPIPE.
 */
int eventfd_create(struct file **out, unsigned long long initval, unsigned flags);

/* Is f an eventfd? */
bool eventfd_is(const struct file *f);
/* Add 1 to eventfd f's counter for a finished Linux AIO request
 * (IOCB_FLAG_RESFD, Linux's eventfd_signal): never waits; unlike a
 * write it may take the counter to 2^64 - 1, the overflow (poll says
 * POLLERR, a read returns it), where it stays. */
void eventfd_signal(struct file *f);

#endif
