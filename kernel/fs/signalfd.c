// SPDX-License-Identifier: MIT
/*
 * Kestrel: signalfd (see signalfd.h). The file holds only the mask; the
 * signals stay in the thread's and process's pending sets until a read
 * takes them (proc/signal.c's signal_dequeue). Readers sleep on
 * io_event_wq, which the signal code wakes on every queued signal
 * (signal_set_queued_hook), blocked or not, as poll and epoll need too.
 * Lock rule: the mask changes only in system calls (one CPU, no kernel
 * preemption).
 */
#include "fs/signalfd.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/usercopy.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "uapi/signalfd.h"

struct signalfd {
	uint64_t mask;
};

static const struct file_ops signalfd_ops;

static bool fault_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE;
}

/* Linux's signalfd_copyinfo of the fields Kestrel fills, by the layout
 * siginfo_layout gives: a fault's address and a child's fate for their
 * kernel codes, an I/O signal's band and fd (POLL_IN...), a sigqueue's
 * (si_code < 0 but SI_TKILL) sender and value as ssi_int and ssi_ptr,
 * else the sender of a kill, tkill or the kernel. */
static void to_ssi(const struct siginfo_k *in, struct signalfd_siginfo_k *out)
{
	bool kernel_code = in->code > 0 && in->code < SI_KERNEL;

	memset(out, 0, sizeof(*out));
	out->ssi_signo = (uint32_t)in->signo;
	out->ssi_errno = in->errno_;
	out->ssi_code = in->code;
	if (kernel_code && fault_signal(in->signo)) {
		out->ssi_addr = in->addr;
	} else if (kernel_code && in->signo == SIGCHLD) {
		out->ssi_pid = (uint32_t)in->chld.pid;
		out->ssi_uid = in->chld.uid;
		out->ssi_status = in->chld.status;
	} else if (kernel_code) { /* POLL_IN...: an I/O signal's */
		out->ssi_band = (uint32_t)in->poll.band;
		out->ssi_fd = in->poll.fd;
	} else {
		out->ssi_pid = (uint32_t)in->rt.pid;
		out->ssi_uid = in->rt.uid;
		if (in->code < 0 && in->code != SI_TKILL) {
			out->ssi_int = (int32_t)in->rt.value;
			out->ssi_ptr = in->rt.value;
		}
	}
}

/* Wait for a signal of s's mask and take it into *info: 0, -EAGAIN
 * (O_NONBLOCK) or -ERESTARTSYS. The check and the sleep are one step with
 * interrupts off: a signal an interrupt sends between them (a timer, the
 * TTY) would otherwise wake nobody. */
static long wait_one(struct file *f, const struct signalfd *s, struct siginfo_k *info)
{
	uint64_t fl = irq_save();
	long r = 0;

	while (!signal_dequeue(s->mask, info)) {
		if (f->flags & O_NONBLOCK) {
			r = -EAGAIN;
			break;
		}
		if (signal_pending() || fatal_signal_pending()) {
			r = -ERESTARTSYS;
			break;
		}
		wait_on(&io_event_wq, NO_DEADLINE);
	}
	irq_restore(fl);
	return r;
}

static long signalfd_read(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	const size_t one = sizeof(struct signalfd_siginfo_k);
	struct signalfd *s = f->priv;
	struct siginfo_k info;
	struct signalfd_siginfo_k ssi;
	size_t done = 0;
	long r;

	(void)pos;
	if (n < one)
		return -EINVAL;
	if ((r = wait_one(f, s, &info)))
		return r;
	do { /* then as many more as are pending and fit */
		to_ssi(&info, &ssi);
		if (iobuf_put(buf, done, &ssi, one))
			return done ? (long)done : -EFAULT;
		done += one;
	} while (n - done >= one && signal_dequeue(s->mask, &info));
	return (long)done;
}

static unsigned signalfd_poll(struct file *f)
{
	struct signalfd *s = f->priv;

	return signal_pending_set() & s->mask ? POLLIN : 0;
}

static void signalfd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops signalfd_ops = {
	.read = signalfd_read,
	.poll = signalfd_poll,
	.release = signalfd_release,
	.anon_name = "[signalfd]",
};

bool signalfd_is(const struct file *f)
{
	return f && f->ops == &signalfd_ops;
}

void signalfd_set_mask(struct file *f, uint64_t mask)
{
	struct signalfd *s = f->priv;

	s->mask = mask & ~SIG_UNBLOCKABLE;
	io_event(); /* pollers of it may see something new */
}

int signalfd_create(struct file **out, uint64_t mask, unsigned flags)
{
	struct signalfd *s = kzalloc(sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->mask = mask & ~SIG_UNBLOCKABLE;
	*out = file_alloc(&signalfd_ops, O_RDWR | (flags & O_NONBLOCK), s);
	if (!*out) {
		kfree(s);
		return -ENOMEM;
	}
	signal_set_queued_hook(io_event); /* readers and pollers hear of blocked signals */
	return 0;
}
