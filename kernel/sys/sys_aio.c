// SPDX-License-Identifier: MIT
/*
 * Kestrel: Linux's native AIO (io_setup, io_submit, io_getevents,
 * io_pgetevents, io_cancel, io_destroy), as fs/aio.c behaves to a
 * program, with every request done at once: io_submit performs each
 * read, write, vectored read or write, fsync or fdatasync, then queues
 * its completion event (and signals its IOCB_FLAG_RESFD eventfd);
 * io_getevents takes queued events, waiting for min_nr of them (another
 * thread's submissions) up to its timeout. Nothing is ever in flight,
 * so io_cancel finds nothing to cancel (-EINVAL, Linux's answer for a
 * finished request), and IOCB_CMD_POLL, which would wait, and
 * RWF_NOWAIT are refused (-EINVAL, -EOPNOTSUPP) as by a kernel without
 * them. A context's id is the address of a page mapped in the caller
 * (Linux's ring) whose header says "no ring" (magic 0), so libaio reads
 * it and always asks the kernel for events.
 *
 * Lock rule: aio_lock guards every process's contexts, their event
 * queues and aio_nr; requests are performed, and user memory touched,
 * with it let go.
 */
#include "sys/sys_aio.h"
#include "sys/syscall_define.h"
#include "sys/sys_fs.h"
#include "sys/syscall.h"
#include "fs/eventfd.h"
#include "fs/fstype.h"
#include "fs/procfs_sys.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/usercopy.h"
#include "mm/uvm.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "time/time.h"
#include "time/timespec.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/smp.h"
#include "lib/errno.h"
#include "lib/spinlock.h"

#define IOCB_CMD_PREAD   0
#define IOCB_CMD_PWRITE  1
#define IOCB_CMD_FSYNC   2
#define IOCB_CMD_FDSYNC  3
#define IOCB_CMD_POLL    5
#define IOCB_CMD_NOOP    6
#define IOCB_CMD_PREADV  7
#define IOCB_CMD_PWRITEV 8
#define IOCB_FLAG_RESFD  (1u << 0)
#define IOCB_FLAG_IOPRIO (1u << 1)
#define KIOCB_KEY        0          /* what io_submit writes into aio_key */
#define AIO_MAX_NR_DEFAULT 65536    /* fs.aio-max-nr */
#define AIO_CPU_SLOTS    4          /* Linux keeps 4 slots a CPU: nr_events is at least that */
#define AIO_NR_EVENTS_MAX (0x10000000u / sizeof(struct io_event))
#define NS_PER_S 1000000000ll

struct iocb {
	uint64_t aio_data;
	uint32_t aio_key;
	int32_t aio_rw_flags;
	uint16_t aio_lio_opcode;
	int16_t aio_reqprio;
	uint32_t aio_fildes;
	uint64_t aio_buf;
	uint64_t aio_nbytes;
	int64_t aio_offset;
	uint64_t aio_reserved2;
	uint32_t aio_flags;
	uint32_t aio_resfd;
};
_Static_assert(sizeof(struct iocb) == 64, "Linux's struct iocb");

struct io_event {
	uint64_t data, obj;
	int64_t res, res2;
};

/* The header of Linux's ring, which libaio reads at the context's address. */
struct aio_ring {
	uint32_t id, nr, head, tail, magic, compat_features, incompat_features, header_length;
};

/* One io_setup's context. */
struct aio_ctx {
	struct aio_ctx *next;     /* the process's */
	uint64_t id;              /* the mapped page's address */
	unsigned max_reqs;        /* what io_setup asked: its share of aio_nr */
	unsigned nr_events;       /* Linux's ring size: io_submit takes at most this many */
	unsigned head, count;     /* the queue of finished events, in events[] */
	unsigned inflight;        /* requests running (unlocked) with a slot kept for their event */
	struct io_event *events;  /* nr_events - 1 of them, Linux's reqs_available */
	struct wait_queue wq;     /* io_getevents waits here for more */
	bool dead;                /* io_destroy'd while a thread waits in it */
	int waiters;
};

static struct spinlock aio_lock = SPINLOCK_INIT;
static int64_t aio_nr, aio_max_nr = AIO_MAX_NR_DEFAULT;

static unsigned queue_cap(const struct aio_ctx *c)
{
	return c->nr_events - 1;
}

/* The caller's context id, or NULL. aio_lock held. */
static struct aio_ctx *ctx_find(uint64_t id)
{
	struct process *p = current_process();

	for (struct aio_ctx *c = p->aio; c; c = c->next)
		if (c->id == id && !c->dead)
			return c;
	return NULL;
}

/* ---- io_setup and io_destroy ------------------------------------------------------ */

/* Map the page standing for the ring: its address, or 0. */
static uint64_t map_ring(unsigned nr_events)
{
	struct vm_space *vs = current_process()->vm;
	struct aio_ring hdr = { .nr = nr_events, .header_length = sizeof(hdr) };

	uvm_map_lock(vs); /* the regions' writers (mm/uvm.h) */
	uint64_t addr = uvm_find_free(vs, PAGE_SIZE);
	if (addr && uvm_add_vma(vs, addr, addr + PAGE_SIZE, VM_READ | VM_WRITE, VMA_DONTCOPY))
		addr = 0; /* a fork's child has no context: no page either (Linux's VM_DONTCOPY) */
	if (addr && uvm_write_checked(vs, addr, &hdr, sizeof(hdr))) {
		uvm_unmap(vs, addr, addr + PAGE_SIZE);
		addr = 0;
	}
	uvm_map_unlock(vs);
	return addr;
}

/* A context for nr requests (Linux's ioctx_alloc): or -EINVAL, -EAGAIN
 * (past fs.aio-max-nr), -ENOMEM. */
static long ctx_create(unsigned nr, struct aio_ctx **out)
{
	unsigned cpu_slots = AIO_CPU_SLOTS * smp_cpus_online();
	unsigned slots = nr > cpu_slots ? nr : cpu_slots;

	if (slots > AIO_NR_EVENTS_MAX / 2)
		return -EINVAL;
	if (nr > __atomic_load_n(&aio_max_nr, __ATOMIC_RELAXED))
		return -EAGAIN;
	struct aio_ctx *c = kzalloc(sizeof(*c));
	if (!c || !(c->events = kmalloc(2 * slots * sizeof(c->events[0])))) {
		kfree(c);
		return -ENOMEM;
	}
	c->max_reqs = nr;
	c->nr_events = 2 * slots;
	uint64_t fl = spin_lock_irqsave(&aio_lock);
	bool fits = aio_nr + nr <= aio_max_nr;
	if (fits)
		aio_nr += nr;
	spin_unlock_irqrestore(&aio_lock, fl);
	if (!fits || !(c->id = map_ring(c->nr_events))) {
		if (fits)
			__atomic_sub_fetch(&aio_nr, nr, __ATOMIC_RELAXED);
		kfree(c->events);
		kfree(c);
		return fits ? -ENOMEM : -EAGAIN;
	}
	*out = c;
	return 0;
}

/* Take c out of the process's list (aio_lock held) and give back its
 * share; it is freed now, or by its last waiter. */
static void ctx_unlink(struct process *p, struct aio_ctx *c)
{
	for (struct aio_ctx **pc = &p->aio; *pc; pc = &(*pc)->next)
		if (*pc == c) {
			*pc = c->next;
			break;
		}
	aio_nr -= c->max_reqs;
	c->dead = true;
	wake_all(&c->wq);
}

static void ctx_free(struct aio_ctx *c)
{
	kfree(c->events);
	kfree(c);
}

SYSCALL_DEFINE2(io_setup, unsigned int, nr_events, uptr_t, ctxp)
{
	uint64_t id;
	struct aio_ctx *c;

	if (copy_from_user(&id, ctxp, sizeof(id)))
		return -EFAULT;
	if (id || !nr_events)
		return -EINVAL;
	long r = ctx_create(nr_events, &c);
	if (r)
		return r;
	struct process *p = current_process();
	uint64_t fl = spin_lock_irqsave(&aio_lock);
	c->next = p->aio;
	p->aio = c;
	spin_unlock_irqrestore(&aio_lock, fl);
	if (copy_to_user(ctxp, &c->id, sizeof(c->id))) {
		fl = spin_lock_irqsave(&aio_lock);
		ctx_unlink(p, c);
		spin_unlock_irqrestore(&aio_lock, fl);
		ctx_free(c);
		return -EFAULT;
	}
	return 0;
}

/* Unlink the context id and unmap its page: 0 or -EINVAL. */
static long ctx_destroy(struct process *p, uint64_t id, bool unmap)
{
	uint64_t fl = spin_lock_irqsave(&aio_lock);
	struct aio_ctx *c = ctx_find(id);
	bool waited = c && c->waiters;

	if (c)
		ctx_unlink(p, c);
	spin_unlock_irqrestore(&aio_lock, fl);
	if (!c)
		return -EINVAL;
	if (unmap) {
		uvm_map_lock(p->vm); /* the regions' writers (mm/uvm.h) */
		uvm_unmap(p->vm, id, id + PAGE_SIZE);
		uvm_map_unlock(p->vm);
	}
	if (!waited)
		ctx_free(c);
	return 0;
}

SYSCALL_DEFINE1(io_destroy, unsigned long, ctx)
{
	return ctx_destroy(current_process(), ctx, true);
}

void aio_exit(struct process *p)
{
	while (p->aio)
		ctx_destroy(p, p->aio->id, false); /* the address space goes (or went) whole */
}

/* ---- io_submit ------------------------------------------------------------------ */

/* A request past its checks: its file, its IOCB_FLAG_RESFD eventfd (or
 * NULL), a vectored one's iovec array (or NULL). */
struct aio_req {
	struct file *f, *resfd;
	struct iovec_user *iov;
};

static void req_put(struct aio_req *q)
{
	kfree(q->iov);
	if (q->resfd)
		file_put(q->resfd);
	file_put(q->f);
}

static bool is_write(const struct iocb *cb)
{
	return cb->aio_lio_opcode == IOCB_CMD_PWRITE || cb->aio_lio_opcode == IOCB_CMD_PWRITEV;
}

/* Perform cb: the event's res (bytes, or -errno). */
static long perform(const struct aio_req *q, const struct iocb *cb)
{
	uint64_t pos = (uint64_t)cb->aio_offset;

	switch (cb->aio_lio_opcode) {
	case IOCB_CMD_PREAD:
	case IOCB_CMD_PWRITE:
		return file_rw_at(q->f, is_write(cb), cb->aio_buf, cb->aio_nbytes, &pos);
	case IOCB_CMD_PREADV:
	case IOCB_CMD_PWRITEV:
		return rw_iovec(q->f, is_write(cb), q->iov, cb->aio_nbytes, &pos);
	default: /* FSYNC, FDSYNC, on a file check_request found has an inode */
		return vfs_fsync(q->f->inode, cb->aio_lio_opcode == IOCB_CMD_FDSYNC);
	}
}

/* The checks Linux makes before a read or write starts (aio_prep_rw,
 * aio_read/aio_write, aio_setup_rw, rw_verify_area): 0, or io_submit's
 * error; a vectored one's array is read in (*iov, the caller's to free). */
static long check_rw(const struct file *f, const struct iocb *cb, struct iovec_user **iov)
{
	bool vectored = cb->aio_lio_opcode == IOCB_CMD_PREADV || cb->aio_lio_opcode == IOCB_CMD_PWRITEV;
	uint64_t total;

	if (cb->aio_rw_flags & ~(RWF_HIPRI | RWF_DSYNC | RWF_SYNC))
		return -EOPNOTSUPP; /* RWF_NOWAIT: no file here has FMODE_NOWAIT */
	if (!(is_write(cb) ? can_write(f) : can_read(f)))
		return -EBADF;
	if (!(is_write(cb) ? f->ops->write : f->ops->read))
		return -EINVAL;
	long r = vectored ? import_iovec(cb->aio_buf, cb->aio_nbytes, iov, &total)
		 : user_access_ok(cb->aio_buf, cb->aio_nbytes) ? 0 : -EFAULT; /* import_single_range */
	if (!r && cb->aio_offset < 0 && seekable(f))
		r = -EINVAL;
	return r;
}

/* The opcode's own checks: 0, or io_submit's error. */
static long check_request(const struct file *f, const struct iocb *cb, struct iovec_user **iov)
{
	switch (cb->aio_lio_opcode) {
	case IOCB_CMD_PREAD:
	case IOCB_CMD_PREADV:
	case IOCB_CMD_PWRITE:
	case IOCB_CMD_PWRITEV:
		return check_rw(f, cb, iov);
	case IOCB_CMD_FSYNC:
	case IOCB_CMD_FDSYNC:
		if (cb->aio_buf || cb->aio_offset || cb->aio_nbytes || cb->aio_rw_flags)
			return -EINVAL;
		return file_can_fsync(f) ? 0 : -EINVAL; /* Linux's aio_fsync: no f_op->fsync */
	default:
		return -EINVAL; /* POLL, NOOP and unknown codes */
	}
}

/* Keep a slot for a request's event: false when every slot is taken by
 * an event not yet read or a request running (Linux: no request slot,
 * -EAGAIN before the request starts). */
static bool reserve_slot(struct aio_ctx *c)
{
	if (c->count + c->inflight >= queue_cap(c))
		return false;
	c->inflight++;
	return true;
}

static void push_event(struct aio_ctx *c, const struct io_event *ev)
{
	c->events[(c->head + c->count) % queue_cap(c)] = *ev;
	c->count++;
	wake_all(&c->wq);
}

/* Give back a slot reserve_slot kept for a request that did not start. */
static void release_slot(uint64_t ctx)
{
	uint64_t fl = spin_lock_irqsave(&aio_lock);
	struct aio_ctx *c = ctx_find(ctx);

	if (c)
		c->inflight--;
	spin_unlock_irqrestore(&aio_lock, fl);
}

/* Keep a slot in context ctx: 0, -EINVAL (no such context), -EAGAIN. */
static long take_slot(uint64_t ctx)
{
	uint64_t fl = spin_lock_irqsave(&aio_lock);
	struct aio_ctx *c = ctx_find(ctx);
	long r = !c ? -EINVAL : reserve_slot(c) ? 0 : -EAGAIN;

	spin_unlock_irqrestore(&aio_lock, fl);
	return r;
}

/* Queue a finished request's event in the slot kept for it. */
static void complete(uint64_t ctx, const struct io_event *ev)
{
	uint64_t fl = spin_lock_irqsave(&aio_lock);
	struct aio_ctx *c = ctx_find(ctx);

	if (c) {
		c->inflight--;
		push_event(c, ev);
	}
	spin_unlock_irqrestore(&aio_lock, fl);
}

/* The request, in Linux's order after the slot: its fd (-EBADF), its
 * IOCB_FLAG_RESFD eventfd (-EBADF, -EINVAL), aio_key's write (-EFAULT),
 * the opcode's own checks. 0 with *q filled, or the error with nothing
 * held. */
static long open_request(uptr_t ucb, const struct iocb *cb, struct aio_req *q)
{
	uint32_t key = KIOCB_KEY;
	long r = 0;

	*q = (struct aio_req){ fd_file((int)cb->aio_fildes), NULL, NULL };
	if (!q->f)
		return -EBADF;
	if (cb->aio_flags & IOCB_FLAG_RESFD) {
		q->resfd = fd_file((int)cb->aio_resfd);
		r = !q->resfd ? -EBADF : !eventfd_is(q->resfd) ? -EINVAL : 0;
	}
	if (!r && copy_to_user(ucb + __builtin_offsetof(struct iocb, aio_key), &key, sizeof(key)))
		r = -EFAULT;
	if (!r)
		r = check_request(q->f, cb, &q->iov);
	if (r)
		req_put(q);
	return r;
}

/* Linux's io_submit_one: 0 (done, its event queued), or the error. */
static long submit_one(uint64_t ctx, uptr_t ucb)
{
	struct iocb cb;
	struct aio_req q;

	if (copy_from_user(&cb, ucb, sizeof(cb)))
		return -EFAULT;
	if (cb.aio_reserved2 || (int64_t)cb.aio_nbytes < 0)
		return -EINVAL;
	long r = take_slot(ctx);
	if (r)
		return r;
	if ((r = open_request(ucb, &cb, &q)) != 0) {
		release_slot(ctx);
		return r;
	}
	struct io_event ev = { .data = cb.aio_data, .obj = ucb, .res = perform(&q, &cb) };
	complete(ctx, &ev);
	if (q.resfd)
		eventfd_signal(q.resfd);
	req_put(&q);
	return 0;
}

SYSCALL_DEFINE3(io_submit, unsigned long, ctx, long, nr, uptr_t, iocbpp)
{
	if (nr < 0)
		return -EINVAL;
	uint64_t fl = spin_lock_irqsave(&aio_lock);
	struct aio_ctx *c = ctx_find(ctx);
	long cap = c ? c->nr_events : 0;
	spin_unlock_irqrestore(&aio_lock, fl);
	if (!c)
		return -EINVAL;
	if (nr > cap)
		nr = cap;
	long i, r = 0;
	for (i = 0; i < nr; i++) {
		uint64_t ucb;
		if (copy_from_user(&ucb, iocbpp + (uint64_t)i * sizeof(ucb), sizeof(ucb))) {
			r = -EFAULT;
			break;
		}
		if ((r = submit_one(ctx, ucb)) != 0)
			break;
	}
	return i ? i : r;
}

/* ---- io_getevents, io_pgetevents, io_cancel ------------------------------------- */

/* Take up to nr events of context id into out, waiting until at least
 * min_nr are there, the deadline passes or a signal comes: the count
 * taken (maybe fewer than min_nr), or -EINVAL (no such context, or it
 * was destroyed while waiting with none taken). */
static long take_events(uint64_t id, long min_nr, long nr, struct io_event *out, uint64_t deadline)
{
	uint64_t fl = spin_lock_irqsave(&aio_lock);
	struct aio_ctx *c = ctx_find(id);
	long got = 0;

	if (!c) {
		spin_unlock_irqrestore(&aio_lock, fl);
		return -EINVAL;
	}
	c->waiters++;
	for (;;) {
		while (got < nr && c->count) {
			out[got++] = c->events[c->head];
			c->head = (c->head + 1) % queue_cap(c);
			c->count--;
		}
		if (got >= min_nr || c->dead || signal_pending() || time_ns() >= deadline)
			break;
		spin_unlock_irqrestore(&aio_lock, fl);
		wait_on(&c->wq, deadline); /* a wake in between is kept by the kernel lock (issue 29) */
		fl = spin_lock_irqsave(&aio_lock);
	}
	bool dead = c->dead, last = --c->waiters == 0;
	spin_unlock_irqrestore(&aio_lock, fl);
	if (dead && last)
		ctx_free(c);
	return dead && !got ? -EINVAL : got;
}

/* A copy to the reader failed: its n events go back to the front of the
 * queue, in order, as Linux leaves unread events in the ring (those that
 * no longer fit, after new submissions took the room, are lost). */
static void requeue(uint64_t id, const struct io_event *ev, long n)
{
	uint64_t fl = spin_lock_irqsave(&aio_lock);
	struct aio_ctx *c = ctx_find(id);

	while (c && n > 0 && c->count + c->inflight < queue_cap(c)) {
		c->head = (c->head + queue_cap(c) - 1) % queue_cap(c);
		c->events[c->head] = ev[--n];
		c->count++;
	}
	spin_unlock_irqrestore(&aio_lock, fl);
}

/* Linux's do_io_getevents after the timeout's copy: events written to
 * user memory, their count, or the error. */
static long get_events(uint64_t id, long min_nr, long nr, uptr_t events, const struct timespec_k *ts)
{
	if (min_nr < 0 || min_nr > nr)
		return -EINVAL;
	uint64_t deadline = NO_DEADLINE;
	if (ts) {
		uint64_t ns = ts->sec < 0 || ts->nsec < 0 ? 0 : (uint64_t)ts->sec * NS_PER_S + (uint64_t)ts->nsec;
		deadline = ts->sec >= (int64_t)(TIMESPEC_FOREVER_NS / NS_PER_S) ? NO_DEADLINE : time_ns() + ns;
	}
	long want = nr;
	uint64_t fl = spin_lock_irqsave(&aio_lock);
	struct aio_ctx *c = ctx_find(id);
	if (c && want > (long)queue_cap(c))
		want = queue_cap(c); /* no more can ever be queued */
	spin_unlock_irqrestore(&aio_lock, fl);
	if (!c)
		return -EINVAL;
	struct io_event *buf = kmalloc((size_t)(want ? want : 1) * sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	long got = take_events(id, min_nr < want ? min_nr : want, want, buf, deadline);
	if (got > 0 && copy_to_user(events, buf, (size_t)got * sizeof(*buf))) {
		requeue(id, buf, got);
		got = -EFAULT;
	}
	kfree(buf);
	return got;
}

SYSCALL_DEFINE5(io_getevents, unsigned long, ctx, long, min_nr, long, nr, uptr_t, events, uptr_t, timeout)
{
	struct timespec_k ts;

	if (timeout && copy_from_user(&ts, timeout, sizeof(ts)))
		return -EFAULT;
	long r = get_events(ctx, min_nr, nr, events, timeout ? &ts : NULL);
	return !r && signal_pending() ? -EINTR : r;
}

SYSCALL_DEFINE6(io_pgetevents, unsigned long, ctx, long, min_nr, long, nr, uptr_t, events, uptr_t, timeout,
		uptr_t, usig)
{
	struct timespec_k ts;
	struct { uint64_t sigmask, sigsetsize; } sig = { 0, 0 };
	uint64_t old;

	if (timeout && copy_from_user(&ts, timeout, sizeof(ts)))
		return -EFAULT;
	if (usig && copy_from_user(&sig, usig, sizeof(sig)))
		return -EFAULT;
	long r = signal_mask_enter(sig.sigmask, sig.sigsetsize, &old);
	if (r < 0)
		return r;
	r = get_events(ctx, min_nr, nr, events, timeout ? &ts : NULL);
	bool interrupted = signal_pending();
	signal_mask_leave(old, interrupted);
	return interrupted && !r ? -ERESTARTNOHAND : r;
}

SYSCALL_DEFINE3(io_cancel, unsigned long, ctx, uptr_t, iocb, uptr_t, result)
{
	uint32_t key;

	(void)ctx;    /* a context or not: -EINVAL all the same */
	(void)result; /* unused since Linux 4.19: an event always reports */
	if (copy_from_user(&key, iocb + __builtin_offsetof(struct iocb, aio_key), sizeof(key)))
		return -EFAULT;
	if (key != KIOCB_KEY)
		return -EINVAL;
	return -EINVAL; /* the context's or not, nothing is in flight to cancel */
}

/* ---- fs.aio-nr and fs.aio-max-nr ------------------------------------------------ */

static void aio_nr_get(int64_t *v)
{
	v[0] = __atomic_load_n(&aio_nr, __ATOMIC_RELAXED);
}

static const struct sysctl_file aio_files[] = {
	{ .name = "aio-nr", .dir = SYSCTL_DIR_FS, .mode = 0444, .n = 1, .kind = SYSCTL_ULONG, .get = aio_nr_get },
	{ .name = "aio-max-nr", .dir = SYSCTL_DIR_FS, .mode = 0644, .n = 1, .kind = SYSCTL_ULONG,
	  .data = &aio_max_nr, .min = 0, .max = INT64_MAX },
};

void aio_init(void)
{
	procfs_sysctl_register(aio_files, sizeof(aio_files) / sizeof(aio_files[0]));
	process_add_exit_hook(aio_exit);
}
