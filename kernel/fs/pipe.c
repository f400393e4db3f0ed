/* SPDX-License-Identifier: MIT */
/* Pipes and FIFOs: a ring (64 KiB unless F_SETPIPE_SZ changes it) between a read end and a write end, with blocking, PIPE_BUF atomicity, EOF and EPIPE as Linux has them. */
#include "fs/pipe.h"

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/klock.h"
#include "fs/fown.h"
#include "fs/inode.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "mm/iobuf.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "test/selftest.h"
#include "uapi/capability.h"
#include "uapi/ioctl.h"
#include "uapi/magic.h"
#include "uapi/signal.h"

_Static_assert((PIPE_SIZE & (PIPE_SIZE - 1)) == 0, "PIPE_SIZE must be a power of two");

#define PIPE_SIZE_LIMIT (1ull << 31) /* F_SETPIPE_SZ above this is EINVAL (Linux's round_pipe_size) */
#define PIPE_MODE 0600               /* an anonymous pipe's inode */
/* Room below which a writer may be asleep on a pipe: a write of up to
 * PIPE_BUF bytes waits for room for all of it, a longer one for any, a
 * splice, tee or vmsplice for a free page slot, which splice_room finds
 * whenever the room is two pages or more. A read that found at least
 * this much room (and no packets) wakes no writer, as Linux's pipe_read
 * wakes them only when the pipe was full. */
#define PIPE_WAKE_ROOM (2 * PAGE_SIZE)
_Static_assert(PIPE_BUF <= PIPE_WAKE_ROOM, "a small write's wait is within PIPE_WAKE_ROOM");

/*
 * One pipe. Byte i of the stream is at buf[i & (size - 1)]; wpos - rpos
 * bytes are waiting. Lock rule: read and write run without the kernel
 * lock (pipe_file_ops' lock_free), so the ring and the counts of open
 * ends are under lock, a sleeping lock (Linux's pipe->mutex), held
 * across the copy to or from user memory, whose fault may sleep or take
 * the kernel lock (lock before the kernel lock; a kernel-lock holder
 * that waits for lock sleeps, which gives the kernel lock up). Changes
 * are made under lock, then the other side's wait queue is woken; a
 * sleeper looks again after it is queued (wait_on_cond), with atomic
 * loads (pipe_readable, pipe_writable). Opens, closes and the FIFO
 * counts run under the kernel lock as well.
 */
struct pipe {
	struct sleeplock lock;
	char *buf;              /* size bytes */
	uint32_t size;          /* the capacity: a power of two pages (F_SETPIPE_SZ) */
	uint32_t rpos, wpos;    /* free-running stream offsets */
	uint32_t slot_base;     /* where Linux's page slots would begin: wpos when the
	                         * pipe was last empty (splice_room) */
	int readers, writers;   /* open files on each end */
	struct wait_queue rwq;  /* readers wait for data or the last writer's close */
	struct wait_queue wwq;  /* writers wait for room or the last reader's close */
	uint64_t ino;           /* st_ino and /proc/PID/fd's "pipe:[ino]", as pipefs numbers them */
	void **fifo_slot;       /* where the inode (FIFO or pipefs) keeps this pipe; cleared when freed */
	/* FIFOs only */
	uint32_t read_opens, write_opens; /* opens so far: an open waits for the other's to move */
	struct pipe_user *user; /* who its ring's pages are charged to (Linux's pipe->user) */
	/* Packets (a write end with O_DIRECT: Linux's PIPE_BUF_FLAG_PACKET
	 * buffers): the waiting ones' stream offsets, oldest first, in a ring
	 * of pkt_cap (the pipe's page slots; NULL until the first packet). */
	struct pipe_packet *pkts;
	uint32_t pkt_head, pkt_count, pkt_cap;
	/* Epoll's edge counts (file_ops.event_gen), moved where Linux wakes
	 * its queues: in_gen when bytes come or the last writer goes, out_gen
	 * when a full pipe's read frees a slot, the size changes or the last
	 * reader goes. Atomic: read without the lock. */
	uint64_t in_gen, out_gen;
	/* Set for good by the first poll, select or epoll look at either end
	 * (Linux's pipe->poll_usage): from then on every read and write wakes
	 * the other side and io_event_wq; before, only a read or write after
	 * which a sleeper may be waiting (pipe_added, pipe_taken). Atomic. */
	bool polled;
};

/* A packet's bytes: stream offsets [start, end). */
struct pipe_packet {
	uint32_t start, end;
};

/* The pages of pipe rings a user's pipes hold (Linux's
 * user_struct.pipe_bufs), for pipe-user-pages-soft and -hard. Lock rule:
 * the kernel lock; no interrupt handler. A record goes with its last page. */
struct pipe_user {
	struct pipe_user *next;
	uint32_t uid;             /* the creator's real uid */
	uint64_t pages;
};
static struct pipe_user *pipe_users;
static uint64_t pipe_user_charge(struct pipe_user *u, uint64_t was, uint64_t pages);
static uint64_t user_pages_soft = PIPE_USER_PAGES_SOFT, user_pages_hard; /* 0: no limit */

static uint32_t pipe_used(const struct pipe *p) { return p->wpos - p->rpos; }
static uint32_t pipe_room(const struct pipe *p) { return p->size - pipe_used(p); }

/* Room for a splice, vmsplice or tee into a pipe with positions wpos and
 * rpos, slots from base, and capacity size: Linux's pipe holds what a
 * write adds in pages (slots), filling the last before it takes a new
 * one, and each buffer a splice adds in a slot of its own, so a splice
 * waits for a slot no byte is in (a page holding bytes, the head's partly
 * read one included, is a full slot); with one free, as much as a write
 * may put in. */
static uint32_t splice_room(uint32_t wpos, uint32_t rpos, uint32_t base, uint32_t size)
{
	uint32_t page_mask = ~(uint32_t)(PAGE_SIZE - 1);

	if (wpos == rpos)
		return size; /* empty: every slot is free */
	uint32_t span = ((wpos - base + PAGE_SIZE - 1) & page_mask) - ((rpos - base) & page_mask);

	return span < size ? size - (wpos - rpos) : 0;
}

static uint32_t pipe_splice_room(const struct pipe *p)
{
	return splice_room(p->wpos, p->rpos, p->slot_base, p->size);
}

/* A change epoll's edge-triggered registrations on p's read (in) or
 * write (out) ends see. */
static void pipe_edge(uint64_t *gen)
{
	__atomic_add_fetch(gen, 1, __ATOMIC_RELEASE);
}

/* Wakes the other end's sleepers and poll/select. */
static void pipe_changed(struct wait_queue *wq)
{
	wake_all(wq);
	io_event();
}

/* Take p's lock: its holders only copy, a fault their longest wait. */
static void pipe_lock(struct pipe *p)
{
	sleeplock_lock_unkillable(&p->lock);
}

static void pipe_unlock(struct pipe *p)
{
	sleeplock_unlock(&p->lock);
}

/* Atomic looks for a sleeper's second look (wait_on_cond), without
 * the lock: a reader may go on when bytes wait or no writer is left. */
static bool pipe_readable(const void *arg)
{
	const struct pipe *p = arg;

	return __atomic_load_n(&p->wpos, __ATOMIC_ACQUIRE) != __atomic_load_n(&p->rpos, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&p->writers, __ATOMIC_ACQUIRE) == 0;
}

/* A splice into the pipe may go on (pipe_splice_room), or no reader is left. */
static bool pipe_splice_writable(const void *arg)
{
	const struct pipe *p = arg;

	return splice_room(__atomic_load_n(&p->wpos, __ATOMIC_ACQUIRE), __atomic_load_n(&p->rpos, __ATOMIC_ACQUIRE),
			   __atomic_load_n(&p->slot_base, __ATOMIC_ACQUIRE), __atomic_load_n(&p->size, __ATOMIC_ACQUIRE)) ||
	       __atomic_load_n(&p->readers, __ATOMIC_ACQUIRE) == 0;
}

/* A writer needing need bytes of room (and a packet's slot, for a
 * packet) may go on (or no reader is left). */
struct pipe_need {
	const struct pipe *p;
	uint32_t need;
	bool packet;
};
static bool pipe_writable(const void *arg)
{
	const struct pipe_need *w = arg;
	const struct pipe *p = w->p;
	uint32_t used = __atomic_load_n(&p->wpos, __ATOMIC_ACQUIRE) - __atomic_load_n(&p->rpos, __ATOMIC_ACQUIRE);
	uint32_t size = __atomic_load_n(&p->size, __ATOMIC_ACQUIRE);

	if (__atomic_load_n(&p->readers, __ATOMIC_ACQUIRE) == 0)
		return true;
	return size - used >= w->need &&
	       (!w->packet || __atomic_load_n(&p->pkt_count, __ATOMIC_ACQUIRE) < size / PAGE_SIZE);
}

/* O_ASYNC owners' signals (fs/fown.h), whose list is the kernel lock's,
 * taken for a lock-free caller. */
static inline void pipe_notify(const struct pipe *p, int code)
{
	fown_notify_any(p, code);
}

/* A poll, select or epoll look at p (its ops' poll): pipe->polled set,
 * the first time with a full barrier before the look at the ring, so
 * that a writer or reader that changed the ring before the look (and
 * then, after its unlock's barrier, read polled) either sees it set
 * and wakes io_event_wq, or changed the ring early enough for the look
 * to see it. */
static inline void pipe_mark_polled(struct pipe *p)
{
	if (!__atomic_load_n(&p->polled, __ATOMIC_RELAXED)) {
		__atomic_store_n(&p->polled, true, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
}

/* The other side's sleepers woken after a change of p (its lock given
 * up, whose release is a full barrier): with poll/select/epoll too
 * (io_event) once p has been polled; else only wq, and only when may_wait
 * says a sleeper may be there (every poll, select or epoll waiter looked
 * at p, so marked it, before it slept). Inline: every read and write
 * ends here. */
static inline __attribute__((always_inline)) void pipe_wake_other(struct pipe *p, struct wait_queue *wq,
								  bool may_wait)
{
	if (__atomic_load_n(&p->polled, __ATOMIC_RELAXED))
		pipe_changed(wq);
	else if (may_wait)
		wake_all(wq);
}

/* After a write added bytes to p (its lock given up): readers woken when
 * the pipe was empty before (was_empty: a reader sleeps only on an
 * empty pipe), as Linux's pipe_write (pipe_wake_other); O_ASYNC readers
 * told. */
static inline __attribute__((always_inline)) void pipe_added(struct pipe *p, bool was_empty)
{
	pipe_wake_other(p, &p->rwq, was_empty);
	pipe_notify(p, POLL_IN); /* O_ASYNC readers: data (fs/fown.h) */
}

/* Whether a writer may be asleep on p for room (p's lock, before a read
 * takes bytes): the room is below PIPE_WAKE_ROOM, or packets wait (a
 * packet writer also waits for a packet's slot). */
static inline bool pipe_writer_may_wait(const struct pipe *p)
{
	return pipe_room(p) < PIPE_WAKE_ROOM || p->pkt_count;
}

/* ---- packets ------------------------------------------------------------------ */

static uint32_t pipe_slots(const struct pipe *p)
{
	return p->size / PAGE_SIZE;
}

/* The oldest waiting packet, or NULL. p's lock. */
static struct pipe_packet *pkt_first(const struct pipe *p)
{
	return p->pkt_count ? &p->pkts[p->pkt_head] : NULL;
}

/* Forget packets the stream has been read past (a read, a splice out,
 * a resize); a partly consumed one starts at rpos. p's lock. */
static void pkt_trim(struct pipe *p)
{
	struct pipe_packet *k;

	while ((k = pkt_first(p)) && (int32_t)(k->end - p->rpos) <= 0) {
		p->pkt_head = (p->pkt_head + 1) % p->pkt_cap;
		__atomic_store_n(&p->pkt_count, p->pkt_count - 1, __ATOMIC_RELEASE);
	}
	if (k && (int32_t)(k->start - p->rpos) < 0)
		k->start = p->rpos;
}

/* A free slot for one more packet: the records allocated (on the first
 * packet) and fewer packets waiting than the ring has page slots, as a
 * Linux packet takes a slot of its own. False with *err when out of
 * memory. p's lock. */
static bool pkt_slot_free(struct pipe *p, long *err)
{
	if (!p->pkts) {
		if (!(p->pkts = kzalloc((size_t)pipe_slots(p) * sizeof(*p->pkts)))) {
			*err = -ENOMEM;
			return false;
		}
		p->pkt_cap = pipe_slots(p);
	}
	return p->pkt_count < p->pkt_cap;
}

/* Record the n bytes just added at the stream's end as a packet. p's lock. */
static void pkt_add(struct pipe *p, uint32_t n)
{
	p->pkts[(p->pkt_head + p->pkt_count) % p->pkt_cap] = (struct pipe_packet){ p->wpos - n, p->wpos };
	__atomic_store_n(&p->pkt_count, p->pkt_count + 1, __ATOMIC_RELEASE);
}

/* Give the records a capacity of cap and rebase them by -base (a ring
 * moved to offset 0). 0, -EBUSY (more packets wait than cap), -ENOMEM.
 * p's lock. */
static int pkt_resize(struct pipe *p, uint32_t cap, uint32_t base)
{
	if (!p->pkts)
		return 0;
	if (p->pkt_count > cap)
		return -EBUSY;
	struct pipe_packet *n = kzalloc((size_t)cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	for (uint32_t i = 0; i < p->pkt_count; i++) {
		n[i] = p->pkts[(p->pkt_head + i) % p->pkt_cap];
		n[i].start -= base;
		n[i].end -= base;
	}
	kfree(p->pkts);
	p->pkts = n;
	p->pkt_cap = cap;
	p->pkt_head = 0;
	return 0;
}

/* ---- the ring ----------------------------------------------------------------- */

/* Copies n waiting bytes (n <= pipe_used) to dst, leaving them. 0 or
 * -EFAULT. p's lock. The ring's three are inline: a pipe's read and
 * write are mostly these. */
static inline __attribute__((always_inline)) int ring_peek(const struct pipe *p, struct iobuf dst, size_t n)
{
	size_t at = p->rpos & (p->size - 1), first = n < p->size - at ? n : p->size - at;

	bool bad = iobuf_put(dst, 0, p->buf + at, first) ||
		   (n > first && iobuf_put(dst, first, p->buf, n - first)); /* wrapped */
	return bad ? -EFAULT : 0;
}

/* Copies n waiting bytes (n <= pipe_used) to dst and consumes them. 0 or
 * -EFAULT. p's lock. */
static inline __attribute__((always_inline)) int ring_take(struct pipe *p, struct iobuf dst, size_t n)
{
	/* splice_room's span is at most the bytes waiting plus two pages
	 * less two bytes: below that, a slot is free without looking */
	bool was_full = pipe_used(p) + 2 * PAGE_SIZE > p->size && pipe_splice_room(p) == 0;

	if (ring_peek(p, dst, n))
		return -EFAULT;
	__atomic_store_n(&p->rpos, p->rpos + (uint32_t)n, __ATOMIC_RELEASE);
	if (p->pkt_count)
		pkt_trim(p);
	if (was_full && pipe_splice_room(p))
		pipe_edge(&p->out_gen); /* a slot is free again: Linux's EPOLLOUT wake-up */
	return 0;
}

/* Appends n bytes (n <= pipe_room) from src at offset off. 0 or -EFAULT.
 * p's lock. */
static inline __attribute__((always_inline)) int ring_add(struct pipe *p, struct iobuf src, size_t off,
								  size_t n)
{
	size_t at = p->wpos & (p->size - 1), first = n < p->size - at ? n : p->size - at;

	bool bad = iobuf_get(p->buf + at, src, off, first) ||
		   (n > first && iobuf_get(p->buf, src, off + first, n - first)); /* wrapped */
	if (bad)
		return -EFAULT;
	if (p->wpos == p->rpos) /* empty: Linux's next buffer starts a page */
		__atomic_store_n(&p->slot_base, p->wpos, __ATOMIC_RELEASE);
	__atomic_store_n(&p->wpos, p->wpos + (uint32_t)n, __ATOMIC_RELEASE);
	pipe_edge(&p->in_gen);
	return 0;
}

/* ---- read and write ----------------------------------------------------------- */

/* Wait, with p's lock held (given up for the sleep and taken back),
 * until bytes wait or no writer is left: 0, -EAGAIN (O_NONBLOCK),
 * -ERESTARTSYS (a signal). */
static long pipe_wait_data(struct pipe *p, bool nonblock)
{
	while (pipe_used(p) == 0 && p->writers) {
		if (nonblock)
			return -EAGAIN;
		if (signal_pending())
			return -ERESTARTSYS;
		pipe_unlock(p);
		wait_on_cond(&p->rwq, pipe_readable, p, NO_DEADLINE);
		pipe_lock(p);
	}
	return 0;
}

/* A read of at most n bytes once bytes wait: those before the next
 * packet, then, when n is not reached, that packet's, whose bytes past n
 * are dropped and which ends the read (Linux's pipe_read). The bytes
 * given, or -EFAULT. p's lock. */
static long pipe_take(struct pipe *p, struct iobuf dst, size_t n)
{
	const struct pipe_packet *k = pkt_first(p);
	size_t plain = k ? k->start - p->rpos : pipe_used(p);
	size_t done = n < plain ? n : plain;

	if (done && ring_take(p, dst, done))
		return -EFAULT;
	if (done == n || !(k = pkt_first(p)) || k->start != p->rpos)
		return (long)done;
	size_t len = k->end - k->start, m = n - done < len ? n - done : len;
	if (ring_take(p, iobuf_at(dst, done), m))
		return -EFAULT;
	__atomic_store_n(&p->rpos, k->end, __ATOMIC_RELEASE); /* the rest of the packet goes */
	pkt_trim(p);
	return (long)(done + m);
}

/* After a read took bytes from p (its lock given up): writers woken
 * when one may wait (wake: pipe_writer_may_wait before the read; Linux's
 * pipe_read, when the pipe was full), as pipe_wake_other says; O_ASYNC
 * writers told. */
static inline __attribute__((always_inline)) void pipe_taken(struct pipe *p, bool wake)
{
	pipe_wake_other(p, &p->wwq, wake);
	pipe_notify(p, POLL_OUT); /* O_ASYNC writers: room (fs/fown.h) */
}

/* pipe_read's general case, p's lock held (given up on return): wait for
 * bytes (or the writers' end), then take them, packets and all. Out of
 * line: the usual read finds plain bytes waiting. */
static __attribute__((noinline)) long pipe_read_wait(struct file *f, struct pipe *p, struct iobuf dst,
						      size_t n)
{
	long r = pipe_wait_data(p, f->flags & O_NONBLOCK);
	bool wake = !r && pipe_writer_may_wait(p);
	long k = r ? 0 : pipe_take(p, dst, n);
	if (k < 0)
		r = k;
	pipe_unlock(p);
	if (r)
		return r;
	if (k) /* else end of file */
		pipe_taken(p, wake);
	return (long)k;
}

/* Reads up to n bytes: waits while the pipe is empty and a writer is
 * left (0 at end of file), and stops at a packet's end (pipe_take). The
 * usual read, of plain bytes already waiting, is one step here. */
static long pipe_read(struct file *f, struct iobuf dst, size_t n, uint64_t *pos)
{
	struct pipe *p = f->priv;

	(void)pos; /* a stream */
	if (n == 0)
		return 0;
	pipe_lock(p);
	uint32_t used = pipe_used(p);
	if (__builtin_expect(!used || p->pkt_count, 0))
		return pipe_read_wait(f, p, dst, n);
	bool wake = pipe_room(p) < PIPE_WAKE_ROOM; /* pipe_writer_may_wait: no packets here */
	size_t k = n < used ? n : used;
	int err = ring_take(p, dst, k);
	pipe_unlock(p);
	if (err)
		return err;
	pipe_taken(p, wake);
	return (long)k;
}

/* The reader is gone: SIGPIPE for the writer (under the kernel lock,
 * taken for a lock-free caller), and -EPIPE unless some bytes were
 * already written. p's lock not held. */
static long pipe_broken(size_t done)
{
	struct process *self = current_process();
	bool taken = klock_enter_unless_held();

	if (self)
		signal_send(self, SIGPIPE);
	klock_leave_taken(taken);
	return done ? (long)done : -EPIPE;
}

/* The bytes the next step of a write of n (done so far) may add, 0 when
 * it must wait: a write of at most PIPE_BUF bytes goes whole, a longer
 * one as room appears; a packet (O_DIRECT) is at most a page and needs a
 * slot of its own. p's lock. */
static size_t pipe_write_step(struct pipe *p, struct pipe_need *need, size_t n, size_t done, long *err)
{
	size_t room = pipe_room(p), want = n - done;

	if (need->packet) {
		want = want < PAGE_SIZE ? want : PAGE_SIZE;
		need->need = (uint32_t)want;
		return room >= want && pkt_slot_free(p, err) ? want : 0;
	}
	return room >= need->need ? (want < room ? want : room) : 0;
}

/*
 * pipe_write's loop, p's lock held (given up on return): writes all n
 * bytes (done so far) unless interrupted. A write of at most PIPE_BUF
 * bytes waits until it fits whole, so it is never interleaved with
 * another writer's; a longer one goes in as room appears. From a file
 * with O_DIRECT, each page of it is a packet (pipe_take). Out of line:
 * the usual write fits at once.
 */
static __attribute__((noinline)) long pipe_write_wait(struct file *f, struct pipe *p, struct iobuf src,
						       size_t n)
{
	size_t done = 0;
	struct pipe_need need = { p, n <= PIPE_BUF ? (uint32_t)n : 1, (f->flags & O_DIRECT) != 0 };
	long err = 0;

	while (done < n && !err) {
		if (p->readers == 0) {
			pipe_unlock(p);
			return pipe_broken(done);
		}
		size_t k = pipe_write_step(p, &need, n, done, &err);
		if (err)
			break;
		if (k) {
			bool was_empty = pipe_used(p) == 0;
			if (ring_add(p, src, done, k)) {
				err = -EFAULT;
				break;
			}
			if (need.packet)
				pkt_add(p, (uint32_t)k);
			done += k;
			pipe_unlock(p); /* the reader may take them at once */
			pipe_added(p, was_empty);
			if (done == n)
				return (long)done;
		} else if (f->flags & O_NONBLOCK) {
			err = -EAGAIN;
			break;
		} else if (signal_pending()) {
			err = -ERESTARTSYS;
			break;
		} else {
			pipe_unlock(p);
			wait_on_cond(&p->wwq, pipe_writable, &need, NO_DEADLINE);
		}
		pipe_lock(p);
	}
	pipe_unlock(p);
	return done ? (long)done : err;
}

/* Writes all n bytes unless interrupted (pipe_write_wait's contract).
 * The usual write, which fits whole at once (a reader left, room for
 * all of it, not a packet), is one step here; anything else is
 * pipe_write_wait's. An empty write is 0 at once, as Linux's. */
static long pipe_write(struct file *f, struct iobuf src, size_t n, uint64_t *pos)
{
	struct pipe *p = f->priv;

	(void)pos; /* a stream */
	if (n == 0)
		return 0;
	pipe_lock(p);
	if (__builtin_expect(!p->readers || n > pipe_room(p) || (f->flags & O_DIRECT), 0))
		return pipe_write_wait(f, p, src, n);
	bool was_empty = pipe_used(p) == 0;
	int err = ring_add(p, src, 0, n);
	pipe_unlock(p); /* the reader may take them at once */
	if (err)
		return err;
	pipe_added(p, was_empty);
	return (long)n;
}

/* ---- file operations ---------------------------------------------------------- */

static long pipe_ioctl(struct file *f, unsigned long req, uint64_t arg)
{
	const struct pipe *p = f->priv;
	int n = (int)pipe_used(p);

	if (req != FIONREAD)
		return -ENOTTY;
	return copy_to_user(arg, &n, sizeof(n)) ? -EFAULT : 0;
}

static unsigned pipe_poll_read(struct file *f)
{
	struct pipe *p = f->priv;

	pipe_mark_polled(p);
	return (pipe_used(p) ? POLLIN : 0) | (p->writers == 0 ? POLLHUP : 0);
}

/* POLLOUT while a page slot is free (Linux's !pipe_full), which leaves
 * room for PIPE_BUF bytes; for a packet writer, a packet's slot too. */
static unsigned pipe_poll_write(struct file *f)
{
	struct pipe *p = f->priv;

	pipe_mark_polled(p);
	bool slot = pipe_splice_room(p) && (!(f->flags & O_DIRECT) || p->pkt_count < pipe_slots(p));

	return (slot ? POLLOUT : 0) | (p->readers == 0 ? POLLERR : 0);
}

static uint64_t pipe_in_gen(struct file *f)
{
	const struct pipe *p = f->priv;

	return __atomic_load_n(&p->in_gen, __ATOMIC_ACQUIRE);
}

static uint64_t pipe_out_gen(struct file *f)
{
	const struct pipe *p = f->priv;

	return __atomic_load_n(&p->out_gen, __ATOMIC_ACQUIRE);
}

static uint64_t pipe_both_gen(struct file *f)
{
	return pipe_in_gen(f) + pipe_out_gen(f);
}

/* The last end closed: free the pipe (a FIFO's unread bytes go with it, as in Linux). */
static void pipe_free_if_unused(struct pipe *p)
{
	if (p->readers || p->writers)
		return;
	if (p->fifo_slot)
		*p->fifo_slot = NULL;
	pipe_user_charge(p->user, p->size / PAGE_SIZE, 0);
	kfree(p->pkts);
	kfree(p->buf);
	kfree(p);
}

/* Count an end of p opened (by 1) or closed (by -1): readers, writers or
 * both, under p's lock (not interruptible: a close must count), and
 * wake the other side. The kernel lock. */
static void pipe_count_ends(struct pipe *p, int readers, int writers)
{
	pipe_lock(p);
	__atomic_store_n(&p->readers, p->readers + readers, __ATOMIC_RELEASE);
	__atomic_store_n(&p->writers, p->writers + writers, __ATOMIC_RELEASE);
	if (readers)
		pipe_edge(&p->out_gen);
	if (writers)
		pipe_edge(&p->in_gen);
	pipe_unlock(p);
	if (readers)
		pipe_changed(&p->wwq);
	if (writers)
		pipe_changed(&p->rwq);
}

static void pipe_release_read(struct file *f)
{
	struct pipe *p = f->priv;

	pipe_count_ends(p, -1, 0);
	pipe_free_if_unused(p);
}

static void pipe_release_write(struct file *f)
{
	struct pipe *p = f->priv;

	pipe_count_ends(p, 0, -1);
	pipe_free_if_unused(p);
}

/* A FIFO opened O_RDWR holds both ends. */
static void pipe_release_both(struct file *f)
{
	struct pipe *p = f->priv;

	pipe_count_ends(p, -1, -1);
	pipe_free_if_unused(p);
}

static unsigned pipe_poll_both(struct file *f)
{
	return pipe_poll_read(f) | pipe_poll_write(f);
}

static const struct file_ops pipe_read_ops = {
	.read = pipe_read,
	.ioctl = pipe_ioctl,
	.poll = pipe_poll_read,
	.event_gen = pipe_in_gen,
	.release = pipe_release_read,
	.kernel_io = KERNEL_IO_READ,
	.lock_free = true,
};

static const struct file_ops pipe_write_ops = {
	.write = pipe_write,
	.ioctl = pipe_ioctl,
	.poll = pipe_poll_write,
	.event_gen = pipe_out_gen,
	.release = pipe_release_write,
	.kernel_io = KERNEL_IO_WRITE,
	.lock_free = true,
};

static const struct file_ops pipe_both_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.ioctl = pipe_ioctl,
	.poll = pipe_poll_both,
	.event_gen = pipe_both_gen,
	.release = pipe_release_both,
	.kernel_io = KERNEL_IO_READ | KERNEL_IO_WRITE,
	.lock_free = true,
};

static unsigned int max_size = PIPE_MAX_SIZE; /* changed only by pipe_set_max_size */

/* The calling user's record (its real uid's), made when missing; NULL
 * when out of memory. */
static struct pipe_user *pipe_user_get(void)
{
	uint32_t uid = current_cred()->uid;
	struct pipe_user *u = pipe_users;

	while (u && u->uid != uid)
		u = u->next;
	if (!u && (u = kzalloc(sizeof(*u)))) {
		u->uid = uid;
		u->next = pipe_users;
		pipe_users = u;
	}
	return u;
}

/* Charge u for pages instead of was (Linux's account_pipe_buffers): its
 * total after; a record left with none goes. */
static uint64_t pipe_user_charge(struct pipe_user *u, uint64_t was, uint64_t pages)
{
	u->pages = u->pages - was + pages;
	uint64_t total = u->pages;
	if (!total) {
		struct pipe_user **pp = &pipe_users;
		while (*pp != u)
			pp = &(*pp)->next;
		*pp = u->next;
		kfree(u);
	}
	return total;
}

/* Linux's pipe_is_unprivileged_user: the user limits apply. */
static bool pipe_user_limited(void)
{
	return !capable(CAP_SYS_RESOURCE) && !capable(CAP_SYS_ADMIN);
}

/* The pages a new pipe's ring may have, charged to u (Linux's
 * alloc_pipe_info): PIPE_SIZE, or pipe-max-size when that is less and
 * the caller lacks CAP_SYS_RESOURCE; two pages past the user's soft
 * limit; 0 (nothing charged) past the hard one. */
static uint32_t pipe_first_pages(struct pipe_user *u)
{
	uint32_t pages = (PIPE_SIZE > max_size && !capable(CAP_SYS_RESOURCE) ? max_size : PIPE_SIZE) / PAGE_SIZE;
	uint64_t total = pipe_user_charge(u, 0, pages);

	if (user_pages_soft && total > user_pages_soft && pipe_user_limited()) {
		total = pipe_user_charge(u, pages, PIPE_MIN_PAGES);
		pages = PIPE_MIN_PAGES;
	}
	if (user_pages_hard && total > user_pages_hard && pipe_user_limited()) {
		pipe_user_charge(u, pages, 0);
		return 0;
	}
	return pages;
}

/* An empty pipe with no ends open, its ring charged to the caller's
 * user (pipe_first_pages). NULL and *err: -ENOMEM, or -ENFILE past the
 * user's hard limit (Linux's pipe(2) answer; a FIFO's open says ENOMEM). */
static struct pipe *pipe_alloc(int *err)
{
	static uint64_t next_ino = 1;
	struct pipe_user *u = pipe_user_get();
	uint32_t pages = u ? pipe_first_pages(u) : 0;
	struct pipe *p = pages ? kzalloc(sizeof(*p)) : NULL;

	*err = u && !pages ? -ENFILE : -ENOMEM;
	if (!p || !(p->buf = kmalloc((size_t)pages * PAGE_SIZE))) {
		kfree(p);
		if (pages)
			pipe_user_charge(u, pages, 0);
		return NULL;
	}
	*err = 0;
	p->user = u;
	p->size = pages * PAGE_SIZE;
	p->in_gen = p->out_gen = 1; /* 0 is epoll's "never reported" */
	p->ino = next_ino++;
	return p;
}

/* The pipe behind f, or NULL if f is not a pipe or FIFO end. */
static struct pipe *pipe_of(const struct file *f)
{
	bool is_pipe = f->ops == &pipe_read_ops || f->ops == &pipe_write_ops ||
		       f->ops == &pipe_both_ops;
	return is_pipe ? f->priv : NULL;
}

/* Wait until p has bytes to give (write false) or a free slot to take
 * some (write true: pipe_splice_room): pipe_splice_wait's contract, nonblock alone saying whether to
 * wait. The kernel lock (no F_SETPIPE_SZ meanwhile), not p's: the counts
 * are a look, which the caller's copy under p's lock takes again. */
static long pipe_wait_ready(struct pipe *p, bool write, bool nonblock)
{
	for (;;) {
		if (write && __atomic_load_n(&p->readers, __ATOMIC_ACQUIRE) == 0)
			return pipe_broken(0);
		uint32_t have = write ? pipe_splice_room(p) : pipe_used(p);
		if (have || (!write && __atomic_load_n(&p->writers, __ATOMIC_ACQUIRE) == 0))
			return have;
		if (nonblock)
			return -EAGAIN;
		if (signal_pending())
			return -ERESTARTSYS;
		if (write)
			wait_on_cond(&p->wwq, pipe_splice_writable, p, NO_DEADLINE);
		else
			wait_on_cond(&p->rwq, pipe_readable, p, NO_DEADLINE);
	}
}

long pipe_splice_wait(struct file *f, bool write, bool nonblock)
{
	struct pipe *p = pipe_of(f);

	return p ? pipe_wait_ready(p, write, nonblock || (f->flags & O_NONBLOCK)) : -EINVAL;
}

long pipe_vmsplice_wait(struct file *f, bool write, bool nonblock)
{
	struct pipe *p = pipe_of(f);

	return p ? pipe_wait_ready(p, write, nonblock) : -EINVAL;
}

long pipe_vmsplice_copy(struct file *f, uptr_t buf, size_t n, bool to_pipe)
{
	struct pipe *p = pipe_of(f);

	if (!p)
		return -EINVAL;
	pipe_lock(p);
	uint32_t can = to_pipe ? pipe_splice_room(p) : pipe_used(p);
	if (n > can)
		n = can;
	int err = n ? (to_pipe ? ring_add(p, iobuf_user(buf), 0, n) : ring_take(p, iobuf_user(buf), n)) : 0;
	pipe_unlock(p);
	if (err)
		return err;
	if (n == 0)
		return 0;
	pipe_changed(to_pipe ? &p->rwq : &p->wwq); /* the other side's waiters */
	pipe_notify(p, to_pipe ? POLL_IN : POLL_OUT);
	return (long)n;
}

/* Append to `to` n of the bytes waiting in `from` (n <= both pipe_used(from)
 * and pipe_room(to)), leaving them in `from`. Both pipes' locks. */
static void ring_dup(struct pipe *from, struct pipe *to, size_t n)
{
	size_t at = from->rpos & (from->size - 1), first = n < from->size - at ? n : from->size - at;

	/* kernel to kernel: cannot fault */
	(void)ring_add(to, iobuf_kernel(from->buf + at), 0, first);
	(void)ring_add(to, iobuf_kernel(from->buf), 0, n - first);
}

long pipe_tee(struct file *in, struct file *out, size_t n, bool nonblock)
{
	struct pipe *ip = pipe_of(in), *op = pipe_of(out);
	long have, room;

	if (!ip || !op || ip == op)
		return -EINVAL;
	nonblock = nonblock || ((in->flags | out->flags) & O_NONBLOCK);
	if ((have = pipe_wait_ready(ip, false, nonblock)) <= 0)
		return have; /* 0: no writer left, nothing to duplicate */
	if ((room = pipe_wait_ready(op, true, nonblock)) < 0)
		return room;
	/* The waits may have slept: take both counts again now, under both
	 * locks (in address order: another tee may take them the other way). */
	struct pipe *first = ip < op ? ip : op, *second = ip < op ? op : ip;
	pipe_lock(first);
	pipe_lock(second);
	n = n < pipe_used(ip) ? n : pipe_used(ip);
	n = n < pipe_splice_room(op) ? n : pipe_splice_room(op);
	if (n)
		ring_dup(ip, op, n);
	pipe_unlock(second);
	pipe_unlock(first);
	if (n == 0)
		return 0;
	pipe_changed(&op->rwq);
	pipe_notify(op, POLL_IN);
	return (long)n;
}

uint64_t pipe_ino(const struct file *f)
{
	const struct pipe *p = pipe_of(f);

	return p ? p->ino : 0;
}

/* ---- capacity (F_GETPIPE_SZ, F_SETPIPE_SZ) ------------------------------------ */

long pipe_get_size(struct file *f)
{
	const struct pipe *p = pipe_of(f);

	return p ? (long)p->size : -EBADF;
}

/* Linux's round_pipe_size: at least a page, a power of two; 0 when too big. */
static uint64_t pipe_round_size(uint64_t arg)
{
	uint64_t size = PAGE_SIZE;

	if (arg > PIPE_SIZE_LIMIT)
		return 0;
	while (size < arg)
		size <<= 1;
	return size;
}

/* Move the waiting bytes (and packets) into a new ring of size bytes
 * (>= pipe_used). 0, -EBUSY (more packets than its slots), -ENOMEM.
 * p's lock. */
static int pipe_resize_ring(struct pipe *p, uint32_t size)
{
	uint32_t used = pipe_used(p), base = p->rpos;
	char *buf = kmalloc(size);

	if (!buf)
		return -ENOMEM;
	(void)ring_peek(p, iobuf_kernel(buf), used); /* kernel to kernel: cannot fault */
	int err = pkt_resize(p, size / PAGE_SIZE, base);
	if (err) {
		kfree(buf);
		return err;
	}
	kfree(p->buf);
	p->buf = buf;
	__atomic_store_n(&p->size, size, __ATOMIC_RELEASE);
	__atomic_store_n(&p->rpos, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&p->wpos, used, __ATOMIC_RELEASE);
	__atomic_store_n(&p->slot_base, 0, __ATOMIC_RELEASE);
	return 0;
}

unsigned int pipe_max_size(void)
{
	return max_size;
}

uint64_t pipe_user_pages(bool hard)
{
	return hard ? user_pages_hard : user_pages_soft;
}

void pipe_set_user_pages(bool hard, uint64_t pages)
{
	*(hard ? &user_pages_hard : &user_pages_soft) = pages;
}

int pipe_set_max_size(uint64_t v)
{
	uint64_t size = pipe_round_size(v);

	if (!size || size > UINT32_MAX)
		return -EINVAL;
	max_size = (unsigned int)size;
	return 0;
}

/* pipe_set_size's work on p, whose lock is held: the new size or an error. */
static long pipe_resize(struct pipe *p, uint64_t size)
{
	if (size > p->size && size > max_size && !capable(CAP_SYS_RESOURCE))
		return -EPERM;
	if (size == p->size)
		return (long)size;
	if (pipe_used(p) > size)
		return -EBUSY; /* as Linux: the waiting bytes must fit */
	uint64_t was = p->size / PAGE_SIZE, pages = size / PAGE_SIZE;
	uint64_t total = pipe_user_charge(p->user, was, pages); /* was > 0: the record stays */
	int err = pages > was && user_pages_hard && total > user_pages_hard && pipe_user_limited()
		? -EPERM : pipe_resize_ring(p, (uint32_t)size);
	if (err) {
		pipe_user_charge(p->user, pages, was);
		return err;
	}
	return (long)size;
}

long pipe_set_size(struct file *f, unsigned int arg)
{
	struct pipe *p = pipe_of(f);
	uint64_t size = pipe_round_size(arg);

	if (!p)
		return -EBADF;
	if (!size)
		return -EINVAL;
	pipe_lock(p); /* a copy in progress (its fault may sleep) finishes first */
	long r = pipe_resize(p, size);
	if (r > 0)
		pipe_edge(&p->out_gen);
	pipe_unlock(p);
	if (r > 0)
		pipe_changed(&p->wwq); /* more room, maybe */
	return r;
}

/* ---- opening an end --------------------------------------------------------- */

/*
 * Sleep on wq until *opens moves from what it was (the other end was
 * opened, even if it has been closed again since). 0, or -ERESTARTSYS
 * when a signal comes first.
 */
static int wait_other_end(struct wait_queue *wq, const uint32_t *opens)
{
	uint32_t seen = *opens;

	while (*opens == seen) {
		if (signal_pending())
			return -ERESTARTSYS;
		wait_on(wq, NO_DEADLINE);
	}
	return 0;
}

/*
 * Open an end of the pipe at *slot (made if NULL) as f, per f->flags.
 * fifo: a named pipe, whose opens wait for the other end (and O_WRONLY |
 * O_NONBLOCK with no reader is -ENXIO); an anonymous pipe reopened
 * through /proc never waits (Linux's fifo_open with is_pipe).
 */
static int pipe_open_end(void **slot, struct file *f, bool fifo)
{
	struct pipe *p = *slot;
	unsigned acc = f->flags & O_ACCMODE;
	bool nonblock = f->flags & O_NONBLOCK;
	int err = 0;

	if (acc != O_RDONLY && acc != O_WRONLY && acc != O_RDWR)
		return -EINVAL;
	if (!p) {
		if (!(p = pipe_alloc(&err)))
			return -ENOMEM; /* fifo_open's answer, whatever the cause */
		p->fifo_slot = slot;
		*slot = p;
	}
	if (fifo && acc == O_WRONLY && !p->readers && nonblock) {
		pipe_free_if_unused(p);
		return -ENXIO;
	}
	f->priv = p;
	p->read_opens += acc != O_WRONLY;
	p->write_opens += acc != O_RDONLY;
	pipe_count_ends(p, acc != O_WRONLY, acc != O_RDONLY);
	if (fifo && acc == O_RDONLY && !p->writers && !nonblock)
		err = wait_other_end(&p->rwq, &p->write_opens);
	else if (fifo && acc == O_WRONLY && !p->readers)
		err = wait_other_end(&p->wwq, &p->read_opens);
	if (err) {
		pipe_count_ends(p, -(acc == O_RDONLY), -(acc != O_RDONLY));
		pipe_free_if_unused(p);
		return err;
	}
	f->ops = acc == O_RDONLY ? &pipe_read_ops : acc == O_WRONLY ? &pipe_write_ops : &pipe_both_ops;
	return 0;
}

int pipe_open_fifo(void **slot, struct file *f)
{
	return pipe_open_end(slot, f, true);
}

/* ---- anonymous pipes: pipefs inodes ----------------------------------------------- */

/* "pipe" so that /proc/PID/fd/N reads "pipe:[ino]" as on Linux (its pipefs's d_dname). */
static const struct fs_info pipefs_fs = { .name = "pipe", .dev = PIPE_DEV, .magic = PIPEFS_MAGIC };

/* An open of /proc/PID/fd/N for a pipe: another file on the same pipe. */
static int pipefs_open(struct inode *ip, struct file *f)
{
	return pipe_open_end(&ip->priv, f, false);
}

static const struct inode_ops pipefs_ops = {
	.open = pipefs_open,
};

/* The inode of new pipe p: freed with the last file on it. NULL when out of memory. */
static struct inode *pipefs_inode(struct pipe *p)
{
	struct inode *ip = inode_alloc(&pipefs_fs, &pipefs_ops, S_IFIFO | PIPE_MODE);

	if (!ip)
		return NULL;
	ip->ino = p->ino;
	ip->nlink = 1;
	ip->transient = true; /* no directory holds it */
	ip->priv = p;
	p->fifo_slot = &ip->priv;
	return ip;
}

int pipe_create(struct file **rd, struct file **wr, unsigned flags)
{
	int err;
	struct pipe *p = pipe_alloc(&err);
	unsigned nonblock = flags & O_NONBLOCK;
	struct inode *ip = p ? pipefs_inode(p) : NULL;

	if (!ip) {
		if (p)
			pipe_free_if_unused(p);
		return p ? -ENOMEM : err;
	}
	*rd = file_alloc(&pipe_read_ops, O_RDONLY | nonblock, p);
	if (!*rd) {
		pipe_free_if_unused(p);
		inode_put(ip);
		return -ENOMEM;
	}
	(*rd)->inode = ip; /* the inode's first reference */
	p->readers = 1;
	*wr = file_alloc(&pipe_write_ops, O_WRONLY | nonblock | (flags & O_DIRECT), p); /* as Linux: this end only */
	if (!*wr) {
		file_put(*rd); /* the last end closes: frees the pipe and its inode */
		return -ENOMEM;
	}
	(*wr)->inode = inode_get(ip);
	p->writers = 1;
	return 0;
}

/* ---- self-tests --------------------------------------------------------------- */

#define PIPE_FILL_EXTRA 10 /* bytes written past a full ring */

static long kread(struct file *f, void *buf, size_t n) { return file_kread(f, buf, n, &f->pos); }
static long kwrite(struct file *f, const void *buf, size_t n) { return file_kwrite(f, buf, n, &f->pos); }

/* Bytes in, partial reads out, then EOF once the writer is closed. */
static const char *pipe_round_trip_check(struct file *rd, struct file *wr)
{
	static const char msg[] = "hello, pipe";
	char got[sizeof(msg)] = { 0 };

	if (kwrite(wr, msg, sizeof(msg) - 1) != sizeof(msg) - 1)
		return "write of 11 bytes";
	if (rd->ops->poll(rd) != POLLIN || wr->ops->poll(wr) != POLLOUT)
		return "poll with data waiting";
	if (kread(rd, got, 4) != 4 || memcmp(got, "hell", 4) != 0)
		return "partial read of 4 bytes";
	if (kread(rd, got + 4, sizeof(got)) != 7 || memcmp(got, msg, sizeof(msg)) != 0)
		return "read of the other 7 bytes";
	rd->flags |= O_NONBLOCK;
	if (kread(rd, got, 1) != -EAGAIN)
		return "non-blocking read of an empty pipe is not -EAGAIN";
	return NULL;
}

/* A non-blocking write fills the ring (wrapping it), the next gets -EAGAIN. */
static const char *pipe_fill_check(struct file *rd, struct file *wr, uint8_t *pattern, uint8_t *back)
{
	for (size_t i = 0; i < PIPE_SIZE + PIPE_FILL_EXTRA; i++)
		pattern[i] = (uint8_t)(i * 7 + i / 251);
	wr->flags |= O_NONBLOCK;
	if (kwrite(wr, pattern, PIPE_SIZE + PIPE_FILL_EXTRA) != PIPE_SIZE)
		return "non-blocking write of more than the ring is not partial";
	if (kwrite(wr, pattern, 1) != -EAGAIN || wr->ops->poll(wr) != 0)
		return "full pipe: write is not -EAGAIN or poll is not 0";
	if (kread(rd, back, PIPE_SIZE) != PIPE_SIZE || memcmp(back, pattern, PIPE_SIZE) != 0)
		return "read back of a full ring";
	if (kwrite(wr, pattern + PIPE_SIZE, PIPE_FILL_EXTRA) != PIPE_FILL_EXTRA ||
	    kread(rd, back, PIPE_SIZE) != PIPE_FILL_EXTRA ||
	    memcmp(back, pattern + PIPE_SIZE, PIPE_FILL_EXTRA) != 0)
		return "a write across the ring's end";
	return NULL;
}

SELFTEST(pipe_round_trip)
{
	struct file *rd, *wr;
	const char *why;

	uint8_t *pattern = kmalloc(PIPE_SIZE + PIPE_FILL_EXTRA), *back = kmalloc(PIPE_SIZE);

	if (!pattern || !back || pipe_create(&rd, &wr, 0)) {
		kfree(pattern);
		kfree(back);
		return "out of memory";
	}
	why = pipe_round_trip_check(rd, wr);
	if (!why)
		why = pipe_fill_check(rd, wr, pattern, back);
	kfree(pattern);
	kfree(back);
	file_put(wr);
	if (!why && (kread(rd, (char[1]){ 0 }, 1) != 0 || rd->ops->poll(rd) != POLLHUP))
		why = "no EOF or POLLHUP after the writer closed";
	file_put(rd);
	return why;
}

SELFTEST(pipe_no_reader_epipe)
{
	struct file *rd, *wr;
	const char *why = NULL;

	if (pipe_create(&rd, &wr, 0))
		return "pipe_create failed";
	file_put(rd);
	if (kwrite(wr, "x", 1) != -EPIPE)
		why = "write with no reader is not -EPIPE";
	else if (wr->ops->poll(wr) != (POLLOUT | POLLERR))
		why = "poll with no reader is not POLLOUT|POLLERR";
	file_put(wr);
	return why;
}
