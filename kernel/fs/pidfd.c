// SPDX-License-Identifier: MIT
/*
 * Kestrel: pidfds (Linux's kernel/pid.c and kernel/fork.c pidfd_fops):
 * an anonymous file "[pidfd]" naming a process by its pid and start
 * time, so a reaped process or a reused pid is told apart without a
 * reference keeping anything alive. The system calls that make and use
 * them (pidfd_open, pidfd_send_signal, waitid P_PIDFD) are in sys/.
 */
#include "fs/pidfd.h"
#include "fs/inode.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "proc/process.h"
#include "lib/errno.h"
#include "uapi/fcntl.h"
#include "uapi/poll.h"

/* What a pidfd names: set at creation, never changed. */
struct pidfd {
	int pid;
	uint64_t start_ns;   /* the process's start_ns: a later holder of the pid differs */
};

static const struct file_ops pidfd_ops;

/* The process d names, or NULL once reaped (or the pid reused). */
static struct process *pidfd_lookup(const struct pidfd *d)
{
	struct process *p = process_find(d->pid);

	return p && p->start_ns == d->start_ns ? p : NULL;
}

/* Readable once the process has ended, as Linux's pidfd_poll (which also
 * says POLLHUP after the reap; Linux 6.1 says only POLLIN). */
static unsigned pidfd_poll(struct file *f)
{
	struct process *p = pidfd_lookup(f->priv);

	return !p || p->state == PROC_ZOMBIE ? POLLIN : 0;
}

static long pidfd_rw(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	(void)f, (void)buf, (void)n, (void)pos;
	return -EINVAL;
}

static void pidfd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops pidfd_ops = {
	.read = pidfd_rw,
	.write = pidfd_rw,
	.poll = pidfd_poll,
	.release = pidfd_release,
	.anon_name = "[pidfd]",
};

int pidfd_create(struct process *p, unsigned flags, struct file **out)
{
	struct pidfd *d = kzalloc(sizeof(*d));

	if (!d)
		return -ENOMEM;
	*d = (struct pidfd){ .pid = p->pid, .start_ns = p->start_ns };
	*out = file_alloc(&pidfd_ops, O_RDWR | (flags & O_NONBLOCK), d);
	if (!*out) {
		kfree(d);
		return -ENOMEM;
	}
	return 0;
}

bool pidfd_is(const struct file *f)
{
	return f->ops == &pidfd_ops;
}

int pidfd_process(struct file *f, struct process **out)
{
	if (f->ops == &pidfd_ops) {
		*out = pidfd_lookup(f->priv);
		return *out ? 0 : -ESRCH;
	}
	if (procfs_pid_dir(f, out) <= 0)
		return -EBADF;
	return *out ? 0 : -ESRCH;
}
