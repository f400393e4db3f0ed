// SPDX-License-Identifier: MIT
/*
 * Kestrel: poll, ppoll, select and pselect6. Each asks every file's
 * ops->poll for its state now (a file without one, like a regular file,
 * is always readable and writable) and, while nothing is ready, sleeps
 * on io_event_wq, which every producer wakes on every change. The scan
 * and the sleep need no lock: the event count is taken before each scan
 * and the sleep ends at once when it moved (io_event_wait), so no event
 * falls between the last scan and the sleep, whatever lock its producer
 * holds (a pipe's writer holds none of the kernel's). Deadlines are time_ns() values;
 * sleeps end on the scheduler tick (10 ms granularity).
 */
#include "sys/syscall_define.h"
#include "time/time.h"
#include "time/timespec.h"
#include "fs/vfs.h"
#include "sys/sys_fs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/usercopy.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "uapi/personality.h"

#define POLLIN_SET  (POLLIN | POLLRDNORM | POLLHUP | POLLERR)  /* select: readable */
#define POLLOUT_SET (POLLOUT | POLLWRNORM | POLLERR)           /* select: writable */
#define POLLEX_SET  POLLPRI                                    /* select: exceptional */

#define NS_PER_MS     1000000ull
#define NS_PER_US     1000ull
#define US_PER_SEC    1000000ll
#define SIG_HANDLER_MIN (SIG_IGN + 1) /* SIG_DFL and SIG_IGN run no handler */
/* A deadline already passed without reading the clock: a zero timeout,
 * one scan and no sleep (time_ns() is never 0 once the kernel runs). */
#define DEADLINE_NOW 0
/* pollfds that do_poll keeps on its stack (256 bytes, as Linux's
 * POLL_STACK_ALLOC); more go to the heap. */
#define POLL_STACK_FDS 32

struct pollfd_k {
	int32_t fd;
	int16_t events;
	int16_t revents;
};

struct timeval_k {
	int64_t tv_sec, tv_usec;
};

/* ---- the common loop ---------------------------------------------------------- */

/* The result of a wait a signal cut short, as Linux's ERESTARTNOHAND:
 * -EINTR when a handler is about to run, otherwise -ERESTARTSYS, which
 * the signal code restarts after an ignored or stopping signal. */
static long interrupted(void)
{
	const struct process *p = current_process();
	uint64_t ready = signal_pending_set() & ~current_thread()->sig_blocked;

	for (int sig = 1; sig <= NSIG; sig++)
		if ((ready >> (sig - 1) & 1) && p->sighand->action[sig - 1].handler >= SIG_HANDLER_MIN)
			return -EINTR;
	return -ERESTARTSYS;
}

/* Scans until scan reports something (a count > 0 or an error) or the
 * deadline passes (0 then); sleeps on io_event_wq in between. Inline in
 * both callers, so each scan is a direct call. */
static inline __attribute__((always_inline)) long poll_loop(long (*scan)(void *ctx), void *ctx, uint64_t deadline)
{
	for (;;) {
		uint64_t seen = io_event_seen();
		long n = scan(ctx);
		if (n != 0)
			return n;
		if (deadline == DEADLINE_NOW || time_ns() >= deadline)
			return 0;
		if (signal_pending())
			return interrupted();
		io_event_wait(seen, deadline);
	}
}

/* ---- timeouts ----------------------------------------------------------------- */

/* The deadline sec + nsec from now (saturating to NO_DEADLINE;
 * DEADLINE_NOW for zero, without a clock read). */
static uint64_t deadline_after(uint64_t sec, uint64_t nsec)
{
	if (sec == 0 && nsec == 0)
		return DEADLINE_NOW;
	uint64_t now = time_ns();

	if (sec >= (NO_DEADLINE - now) / NSEC_PER_SEC - 1)
		return NO_DEADLINE;
	return now + sec * NSEC_PER_SEC + nsec;
}

/* A relative timespec (NULL: none) as a deadline: 0, -EFAULT, -EINVAL. */
static int timespec_deadline(uptr_t uts, uint64_t *deadline)
{
	uint64_t ns;
	int err;

	*deadline = NO_DEADLINE;
	if (!uts)
		return 0;
	if ((err = timespec_read(uts, &ns)) < 0)
		return err;
	*deadline = deadline_after(ns / NSEC_PER_SEC, ns % NSEC_PER_SEC);
	return 0;
}

/* Nanoseconds left until deadline (finite). */
static uint64_t time_left(uint64_t deadline)
{
	uint64_t now = time_ns();

	return deadline > now ? deadline - now : 0;
}

/* The personality's STICKY_TIMEOUTS: the timeout is left as the caller
 * gave it (Linux's poll_select_finish). */
static bool sticky_timeouts(void)
{
	return __atomic_load_n(&current_process()->personality, __ATOMIC_RELAXED) & STICKY_TIMEOUTS;
}

/* Linux writes the time left back into a ppoll/pselect6 timespec (and a
 * select timeval); a fault there is ignored, as Linux does, since the
 * call itself succeeded. */
static void timespec_write_left(uptr_t uts, uint64_t deadline)
{
	if (uts && deadline != NO_DEADLINE && !sticky_timeouts())
		(void)timespec_write(uts, time_left(deadline));
}

/* ---- poll, ppoll -------------------------------------------------------------- */

struct poll_req {
	struct pollfd_k *fds;
	size_t n;
	struct fdtable *files;
};

/* One pollfd's revents: what its file is ready for among its events,
 * with POLLERR and POLLHUP always reported; POLLNVAL for a closed fd, 0
 * for a negative one. light: the table is the calling thread's alone
 * (sys_fs.h's fd_table_private), so the file is asked without a
 * reference of its own, as Linux's do_pollfd with fdget; else with one. */
static inline __attribute__((always_inline)) unsigned poll_one(struct fdtable *t, const struct pollfd_k *p,
							       bool light)
{
	if (p->fd < 0)
		return 0;
	struct file *f = light ? (fd_is_open(t, p->fd) ? t->fd[p->fd] : NULL) : fd_get(t, p->fd);
	if (!f)
		return POLLNVAL;
	unsigned m = vfs_poll_events(f) & ((uint16_t)p->events | POLLERR | POLLHUP);
	if (!light)
		file_put(f);
	return m;
}

/* poll_scan's loop, one copy for each kind of lookup. */
static inline __attribute__((always_inline)) long poll_scan_all(struct poll_req *r, bool light)
{
	long count = 0;

	for (size_t i = 0; i < r->n; i++) {
		unsigned m = poll_one(r->files, &r->fds[i], light);
		r->fds[i].revents = (int16_t)m;
		count += m != 0;
	}
	return count;
}

/* Fills every revents; returns how many are non-zero. A negative fd is
 * skipped, a closed one gets POLLNVAL; POLLERR and POLLHUP are always
 * reported. Whether the table is private is asked once a scan: nothing
 * but this thread, which is here, could make it shared. */
static long poll_scan(void *ctx)
{
	struct poll_req *r = ctx;

	if (__builtin_expect(fd_table_private(current_process(), r->files), 1))
		return poll_scan_all(r, true);
	return poll_scan_all(r, false);
}

/* poll's body: the nfds entries at ufds copied in (on the stack when
 * they fit), scanned until deadline, the results copied back. */
static long do_poll(uptr_t ufds, uint64_t nfds, uint64_t deadline)
{
	struct pollfd_k on_stack[POLL_STACK_FDS];
	struct poll_req r = { on_stack, nfds, current_process()->files };
	size_t bytes = nfds * sizeof(struct pollfd_k);
	long ret;

	if (nfds > (uint64_t)fd_limit()) /* Linux: more than RLIMIT_NOFILE entries is EINVAL */
		return -EINVAL;
	if (nfds > POLL_STACK_FDS && !(r.fds = kmalloc(bytes)))
		return -ENOMEM;
	ret = nfds && copy_from_user(r.fds, ufds, bytes) ? -EFAULT : 0;
	if (ret == 0)
		ret = poll_loop(poll_scan, &r, deadline);
	if (ret >= 0 && nfds && copy_to_user(ufds, r.fds, bytes))
		ret = -EFAULT;
	if (r.fds != on_stack)
		kfree(r.fds);
	return ret;
}

/* poll(fds, nfds, timeout in ms; negative: none). A restart after an
 * ignored signal starts the full timeout again (no restart block). */
SYSCALL_DEFINE3(poll, uptr_t, fds, unsigned int, nfds, int, timeout)
{
	int ms = (int)timeout;

	return do_poll(fds, nfds, ms < 0 ? NO_DEADLINE : deadline_after(0, (uint64_t)ms * NS_PER_MS));
}

/* True for the results of a wait a signal cut short. */
static bool was_interrupted(long ret)
{
	return ret == -EINTR || ret == -ERESTARTSYS;
}

/* ppoll(fds, nfds, timespec or NULL, sigmask or NULL, sigsetsize): the
 * wait runs with sigmask, atomically swapped in, as sigsuspend does. */
SYSCALL_DEFINE5(ppoll, uptr_t, fds, unsigned int, nfds, uptr_t, uts, uptr_t, sigmask, size_t, sigsetsize)
{
	uint64_t deadline, old;
	int err;

	if ((err = timespec_deadline(uts, &deadline)) < 0)
		return err;
	if ((err = signal_mask_enter(sigmask, sigsetsize, &old)) < 0)
		return err;
	long ret = do_poll(fds, nfds, deadline);
	signal_mask_leave(old, was_interrupted(ret));
	timespec_write_left(uts, deadline);
	return ret;
}

/* ---- select, pselect6 --------------------------------------------------------- */

struct select_req {
	int n;
	size_t words;                 /* 64-bit words of each set: (n + 63) / 64 */
	struct fdtable *files;
	uint64_t *want[3];            /* read, write, except: asked for */
	uint64_t *ready[3];           /* found ready */
};

static const unsigned select_mask[3] = { POLLIN_SET, POLLOUT_SET, POLLEX_SET };

static bool fd_bit(const uint64_t *set, int fd) { return set[fd / 64] >> (fd % 64) & 1; }

/* Fills ready[]; returns the number of bits set, or -EBADF for an asked-for fd that is not open. */
static long select_scan(void *ctx)
{
	struct select_req *r = ctx;
	long count = 0;

	for (int s = 0; s < 3; s++)
		memset(r->ready[s], 0, r->words * sizeof(uint64_t));
	for (int fd = 0; fd < r->n; fd++) {
		bool asked = fd_bit(r->want[0], fd) || fd_bit(r->want[1], fd) || fd_bit(r->want[2], fd);
		if (!asked)
			continue;
		struct file *f = fd_get(r->files, fd);
		if (!f)
			return -EBADF;
		unsigned m = vfs_poll_events(f);
		file_put(f);
		for (int s = 0; s < 3; s++)
			if (fd_bit(r->want[s], fd) && (m & select_mask[s])) {
				r->ready[s][fd / 64] |= 1ull << (fd % 64);
				count++;
			}
	}
	return count;
}

/* The three user sets (each may be 0) of n descriptors in, waited on
 * until deadline, the ready ones written back. */
static long do_select(int64_t n, const uptr_t sets[3], uint64_t deadline)
{
	struct select_req *r;
	long ret = 0;

	if (n < 0)
		return -EINVAL;
	struct fdtable *files = current_process()->files;
	int size = files ? files->size : 0;
	int clamped = n > size ? size : (int)n; /* Linux too clamps to the table's size */
	size_t words = (size_t)(clamped + 63) / 64, bytes = words * sizeof(uint64_t);
	if (!(r = kzalloc(sizeof(*r) + 6 * bytes)))
		return -ENOMEM;
	r->n = clamped;
	r->words = words;
	r->files = files;
	for (int s = 0; s < 3; s++) {
		r->want[s] = (uint64_t *)(r + 1) + s * words;
		r->ready[s] = (uint64_t *)(r + 1) + (3 + s) * words;
	}
	for (int s = 0; s < 3 && ret == 0; s++)
		if (sets[s] && copy_from_user(r->want[s], sets[s], bytes))
			ret = -EFAULT;
	if (ret == 0)
		ret = poll_loop(select_scan, r, deadline);
	for (int s = 0; s < 3 && ret >= 0; s++)
		if (sets[s] && copy_to_user(sets[s], r->ready[s], bytes))
			ret = -EFAULT;
	kfree(r);
	return ret;
}

/* select(n, readfds, writefds, exceptfds, timeval or NULL); the time left
 * is written back to the timeval, as Linux does. */
SYSCALL_DEFINE5(select, int, n, uptr_t, in, uptr_t, out, uptr_t, ex, uptr_t, utv)
{
	const uptr_t sets[3] = { in, out, ex };
	uint64_t deadline = NO_DEADLINE;
	struct timeval_k tv;

	if (utv) {
		if (copy_from_user(&tv, utv, sizeof(tv)))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		/* Linux carries whole seconds out of tv_usec rather than refuse them */
		deadline = deadline_after((uint64_t)(tv.tv_sec + tv.tv_usec / US_PER_SEC),
					  (uint64_t)(tv.tv_usec % US_PER_SEC) * NS_PER_US);
	}
	long ret = do_select((int64_t)n, sets, deadline);
	if (utv && deadline != NO_DEADLINE && !sticky_timeouts()) {
		uint64_t left = time_left(deadline);
		tv = (struct timeval_k){ (int64_t)(left / NSEC_PER_SEC), (int64_t)(left % NSEC_PER_SEC / NS_PER_US) };
		(void)copy_to_user(utv, &tv, sizeof(tv));
	}
	return ret;
}

/* pselect6(n, readfds, writefds, exceptfds, timespec or NULL, NULL or
 * {sigmask or NULL, size}): the wait runs with sigmask, as in ppoll. */
SYSCALL_DEFINE6(pselect6, int, n, uptr_t, in, uptr_t, out, uptr_t, ex, uptr_t, uts, uptr_t, sigdata)
{
	const uptr_t sets[3] = { in, out, ex };
	struct { uint64_t mask, size; } sd = { 0, 0 };
	uint64_t deadline, old;
	int err;

	if ((err = timespec_deadline(uts, &deadline)) < 0)
		return err;
	if (sigdata && copy_from_user(&sd, sigdata, sizeof(sd)))
		return -EFAULT;
	if ((err = signal_mask_enter(sd.mask, sd.size, &old)) < 0)
		return err;
	long ret = do_select((int64_t)n, sets, deadline);
	signal_mask_leave(old, was_interrupted(ret));
	timespec_write_left(uts, deadline);
	return ret;
}
