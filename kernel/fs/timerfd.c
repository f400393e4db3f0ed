// SPDX-License-Identifier: MIT
/*
 * Kestrel: timerfd (see timerfd.h). Each timerfd embeds a ktimer
 * (proc/ktimer.h) whose deadline is a time_ns() value: CLOCK_MONOTONIC
 * and CLOCK_BOOTTIME are time_ns() itself (Kestrel never suspends), an
 * absolute CLOCK_REALTIME time is converted when it is set. The timer
 * fires in the tick, counts the expirations (with the periods a late
 * tick missed, as Linux's overrun), re-arms itself for an interval and
 * wakes readers and pollers through io_event().
 *
 * Lock rule: deadline, interval and count change with interrupts off
 * (the fire callback runs in the tick).
 */
#include "fs/timerfd.h"
#include "arch/x86_64/cpu.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "mm/heap.h"
#include "mm/usercopy.h"
#include "proc/ktimer.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "time/time.h"
#include "time/timespec.h"
#include "uapi/time.h"

struct timerfd {
	struct ktimer timer;    /* first: the fire callback finds the timerfd from it */
	int clockid;
	uint64_t interval;      /* ns, 0: one shot */
	uint64_t deadline;      /* time_ns() of the next expiration, 0: disarmed */
	uint64_t count;         /* expirations not yet read */
};

static const struct file_ops timerfd_ops;

/* From the tick, interrupts off: count the expiration(s), re-arm. */
static void timerfd_fire(struct ktimer *k)
{
	struct timerfd *t = (struct timerfd *)k;
	uint64_t now = time_ns();

	if (!t->deadline)
		return;
	if (t->interval) {
		uint64_t n = 1 + (now - t->deadline) / t->interval;
		t->count += n;
		t->deadline += n * t->interval;
		ktimer_arm(&t->timer, t->deadline);
	} else {
		t->count++;
		t->deadline = 0;
	}
	io_event();
}

/* Take the count (interrupts off for it): the expirations, 0 if none. */
static uint64_t take_count(struct timerfd *t)
{
	uint64_t f = irq_save(), n = t->count;

	t->count = 0;
	irq_restore(f);
	return n;
}

static long timerfd_read(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	struct timerfd *t = f->priv;
	uint64_t v;

	(void)pos;
	if (n < sizeof(v))
		return -EINVAL;
	while ((v = take_count(t)) == 0) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (signal_pending() || fatal_signal_pending())
			return -ERESTARTSYS;
		wait_on(&io_event_wq, NO_DEADLINE);
	}
	if (iobuf_put(buf, 0, &v, sizeof(v))) {
		uint64_t fl = irq_save();
		t->count += v; /* not read after all */
		irq_restore(fl);
		return -EFAULT;
	}
	return sizeof(v);
}

static unsigned timerfd_poll(struct file *f)
{
	struct timerfd *t = f->priv;

	return t->count ? POLLIN : 0;
}

static void timerfd_release(struct file *f)
{
	struct timerfd *t = f->priv;
	uint64_t fl = irq_save();

	ktimer_cancel(&t->timer);
	irq_restore(fl);
	kfree(t);
}

static const struct file_ops timerfd_ops = {
	.read = timerfd_read,
	.poll = timerfd_poll,
	.release = timerfd_release,
	.anon_name = "[timerfd]",
};

bool timerfd_is(const struct file *f)
{
	return f && f->ops == &timerfd_ops;
}

int timerfd_create(struct file **out, int clockid, unsigned flags)
{
	struct timerfd *t = kzalloc(sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->clockid = clockid;
	t->timer.fire = timerfd_fire;
	*out = file_alloc(&timerfd_ops, O_RDWR | (flags & O_NONBLOCK), t);
	if (!*out) {
		kfree(t);
		return -ENOMEM;
	}
	return 0;
}

/* What gettime says; interrupts off. An armed timer never reads as 0. */
static void get_locked(const struct timerfd *t, uint64_t *value, uint64_t *interval)
{
	*value = timer_left(t->deadline);
	*interval = t->interval;
}

void timerfd_gettime(struct file *f, uint64_t *value, uint64_t *interval)
{
	uint64_t fl = irq_save();

	get_locked(f->priv, value, interval);
	irq_restore(fl);
}

void timerfd_settime(struct file *f, bool abstime, uint64_t value, uint64_t interval,
		     uint64_t *old_value, uint64_t *old_interval)
{
	struct timerfd *t = f->priv;
	uint64_t fl = irq_save();

	get_locked(t, old_value, old_interval);
	ktimer_cancel(&t->timer);
	t->count = 0;
	t->interval = value ? interval : 0;
	t->deadline = value ? timer_deadline(t->clockid == CLOCK_REALTIME, abstime, value) : 0;
	if (t->deadline)
		ktimer_arm(&t->timer, t->deadline);
	irq_restore(fl);
}
