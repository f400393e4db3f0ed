// SPDX-License-Identifier: MIT
/*
 * Kestrel: eventfd (see eventfd.h). Lock rule: the counter changes only
 * in system calls, between which nothing else runs (one CPU, the kernel
 * is not preempted); sleepers wait on the one queue for any change.
 */
#include "fs/eventfd.h"
#include <stdbool.h>
#include <stdint.h>
#include "fs/vfs.h"
#include "lib/errno.h"
#include "mm/heap.h"
#include "mm/usercopy.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "uapi/eventfd.h"

/* A write keeps the counter below it; only eventfd_signal (an AIO
 * completion) reaches it, the overflow poll reports as POLLERR. */
#define EVENTFD_MAX UINT64_MAX

struct eventfd {
	uint64_t count;
	bool semaphore;          /* EFD_SEMAPHORE: a read takes 1 */
	struct wait_queue wq;    /* readers and writers wait for a change */
};

/* The counter changed: wake readers, writers and poll/select. */
static void eventfd_changed(struct eventfd *e)
{
	wake_all(&e->wq);
	io_event();
}

/* Wait for a change of e (the caller found it unusable): 0, -EAGAIN
 * (O_NONBLOCK) or -ERESTARTSYS. */
static long eventfd_wait(struct file *f, struct eventfd *e)
{
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	if (signal_pending())
		return -ERESTARTSYS;
	wait_on(&e->wq, NO_DEADLINE);
	return 0;
}

static long eventfd_read(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t val;
	long r;

	(void)pos;
	if (n < sizeof(val))
		return -EINVAL;
	while (e->count == 0)
		if ((r = eventfd_wait(f, e)) < 0)
			return r;
	val = e->semaphore ? 1 : e->count;
	if (iobuf_put(buf, 0, &val, sizeof(val)))
		return -EFAULT;
	e->count -= val;
	eventfd_changed(e);
	return sizeof(val);
}

static long eventfd_write(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t val;
	long r;

	(void)pos;
	if (n != sizeof(val)) /* exactly 8 since Linux 6.9 (at least 8 before) */
		return -EINVAL;
	if (iobuf_get(&val, buf, 0, sizeof(val)))
		return -EFAULT;
	if (val == EVENTFD_MAX)
		return -EINVAL;
	while (EVENTFD_MAX - e->count <= val)
		if ((r = eventfd_wait(f, e)) < 0)
			return r;
	if (val) {
		e->count += val;
		eventfd_changed(e);
	}
	return sizeof(val);
}

static unsigned eventfd_poll(struct file *f)
{
	struct eventfd *e = f->priv;

	return (e->count > 0 ? POLLIN : 0) | (e->count < EVENTFD_MAX - 1 ? POLLOUT : 0) |
	       (e->count == EVENTFD_MAX ? POLLERR : 0);
}

/* Linux's noop_llseek: nothing moves, the position (always 0) is returned. */
static long eventfd_lseek(struct file *f, int64_t off, int whence)
{
	(void)off;
	(void)whence;
	return (long)f->pos;
}

static void eventfd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops eventfd_ops = {
	.read = eventfd_read,
	.write = eventfd_write,
	.lseek = eventfd_lseek,
	.poll = eventfd_poll,
	.release = eventfd_release,
	.no_pread = true,
	.anon_name = "[eventfd]",
};

int eventfd_create(struct file **out, unsigned long long initval, unsigned flags)
{
	struct eventfd *e = kzalloc(sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->count = initval;
	e->semaphore = (flags & EFD_SEMAPHORE) != 0;
	*out = file_alloc(&eventfd_ops, O_RDWR | (flags & O_NONBLOCK), e);
	if (!*out) {
		kfree(e);
		return -ENOMEM;
	}
	return 0;
}

bool eventfd_is(const struct file *f)
{
	return f->ops == &eventfd_ops;
}

void eventfd_signal(struct file *f)
{
	struct eventfd *e = f->priv;

	if (e->count < EVENTFD_MAX) {
		e->count++;
		eventfd_changed(e);
	}
}
