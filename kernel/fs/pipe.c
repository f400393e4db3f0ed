/* SPDX-License-Identifier: MIT */
/* Pipes and FIFOs: a 64 KiB ring between a read end and a write end, with blocking, PIPE_BUF atomicity, EOF and EPIPE as Linux has them. */
#include "fs/pipe.h"

#include <stdbool.h>
#include <stdint.h>

#include "fs/vfs.h"
#include "lib/errno.h"
#include "mm/iobuf.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "test/selftest.h"
#include "uapi/ioctl.h"
#include "uapi/signal.h"

#define RING_MASK (PIPE_SIZE - 1)
_Static_assert((PIPE_SIZE & RING_MASK) == 0, "PIPE_SIZE must be a power of two");

/*
 * One pipe. Byte i of the stream is at buf[i & RING_MASK]; wpos - rpos
 * bytes are waiting. Lock rule: every field changes in thread context
 * (system calls), never from an interrupt, and the kernel is not
 * preempted on its single CPU, so a check and the wait_on after it
 * cannot miss a wake-up; no lock is taken.
 */
struct pipe {
	char *buf;              /* PIPE_SIZE bytes */
	uint32_t rpos, wpos;    /* free-running stream offsets */
	int readers, writers;   /* open files on each end */
	struct wait_queue rwq;  /* readers wait for data or the last writer's close */
	struct wait_queue wwq;  /* writers wait for room or the last reader's close */
	/* FIFOs only */
	uint64_t ino;           /* st_ino and /proc/PID/fd's "pipe:[ino]", as pipefs numbers them */
	void **fifo_slot;       /* where the FIFO's inode keeps this pipe; cleared when freed */
	uint32_t read_opens, write_opens; /* opens so far: an open waits for the other's to move */
};

static uint32_t pipe_used(const struct pipe *p) { return p->wpos - p->rpos; }
static uint32_t pipe_room(const struct pipe *p) { return PIPE_SIZE - pipe_used(p); }

/* Wakes the other end's sleepers and poll/select. */
static void pipe_changed(struct wait_queue *wq)
{
	wake_all(wq);
	io_event();
}

/* ---- the ring ----------------------------------------------------------------- */

/* Copies n waiting bytes (n <= pipe_used) to dst and consumes them. 0 or -EFAULT. */
static int ring_take(struct pipe *p, struct iobuf dst, size_t n)
{
	size_t at = p->rpos & RING_MASK, first = n < PIPE_SIZE - at ? n : PIPE_SIZE - at;

	if (iobuf_put(dst, 0, p->buf + at, first) || iobuf_put(dst, first, p->buf, n - first))
		return -EFAULT;
	p->rpos += (uint32_t)n;
	return 0;
}

/* Appends n bytes (n <= pipe_room) from src at offset off. 0 or -EFAULT. */
static int ring_add(struct pipe *p, struct iobuf src, size_t off, size_t n)
{
	size_t at = p->wpos & RING_MASK, first = n < PIPE_SIZE - at ? n : PIPE_SIZE - at;

	if (iobuf_get(p->buf + at, src, off, first) || iobuf_get(p->buf, src, off + first, n - first))
		return -EFAULT;
	p->wpos += (uint32_t)n;
	return 0;
}

/* ---- read and write ----------------------------------------------------------- */

static long pipe_read_buf(struct file *f, struct iobuf dst, size_t n)
{
	struct pipe *p = f->priv;

	if (n == 0)
		return 0;
	while (pipe_used(p) == 0) {
		if (p->writers == 0)
			return 0; /* end of file */
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (signal_pending())
			return -ERESTARTSYS;
		wait_on(&p->rwq, NO_DEADLINE);
	}
	size_t k = n < pipe_used(p) ? n : pipe_used(p);
	if (ring_take(p, dst, k))
		return -EFAULT;
	pipe_changed(&p->wwq);
	return (long)k;
}

/* The reader is gone: SIGPIPE for the writer, and -EPIPE unless some
 * bytes were already written. */
static long pipe_broken(size_t done)
{
	struct process *self = current_process();

	if (self)
		signal_send(self, SIGPIPE);
	return done ? (long)done : -EPIPE;
}

/*
 * Writes all n bytes unless interrupted. A write of at most PIPE_BUF
 * bytes waits until it fits whole, so it is never interleaved with
 * another writer's; a longer one goes in as room appears.
 */
static long pipe_write_buf(struct file *f, struct iobuf src, size_t n)
{
	struct pipe *p = f->priv;
	size_t done = 0, need = n <= PIPE_BUF ? n : 1;

	while (done < n) {
		if (p->readers == 0)
			return pipe_broken(done);
		size_t room = pipe_room(p);
		if (room >= need) {
			size_t k = n - done < room ? n - done : room;
			if (ring_add(p, src, done, k))
				return done ? (long)done : -EFAULT;
			done += k;
			pipe_changed(&p->rwq);
			continue;
		}
		if (f->flags & O_NONBLOCK)
			return done ? (long)done : -EAGAIN;
		if (signal_pending())
			return done ? (long)done : -ERESTARTSYS;
		wait_on(&p->wwq, NO_DEADLINE);
	}
	return (long)done;
}

/* ---- file operations ---------------------------------------------------------- */

static long pipe_read(struct file *f, uptr_t buf, size_t n, uint64_t *pos)
{
	(void)pos;
	return pipe_read_buf(f, iobuf_user(buf), n);
}

static long pipe_kread(struct file *f, void *buf, size_t n, uint64_t *pos)
{
	(void)pos;
	return pipe_read_buf(f, iobuf_kernel(buf), n);
}

static long pipe_write(struct file *f, uptr_t buf, size_t n, uint64_t *pos)
{
	(void)pos;
	return pipe_write_buf(f, iobuf_user(buf), n);
}

static long pipe_kwrite(struct file *f, const void *buf, size_t n, uint64_t *pos)
{
	(void)pos;
	return pipe_write_buf(f, iobuf_kernel((void *)buf), n);
}

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
	const struct pipe *p = f->priv;

	return (pipe_used(p) ? POLLIN : 0) | (p->writers == 0 ? POLLHUP : 0);
}

static unsigned pipe_poll_write(struct file *f)
{
	const struct pipe *p = f->priv;

	return (pipe_room(p) >= PIPE_BUF ? POLLOUT : 0) | (p->readers == 0 ? POLLERR : 0);
}

/* The last end closed: free the pipe (a FIFO's unread bytes go with it, as in Linux). */
static void pipe_free_if_unused(struct pipe *p)
{
	if (p->readers || p->writers)
		return;
	if (p->fifo_slot)
		*p->fifo_slot = NULL;
	kfree(p->buf);
	kfree(p);
}

static void pipe_release_read(struct file *f)
{
	struct pipe *p = f->priv;

	p->readers--;
	pipe_changed(&p->wwq);
	pipe_free_if_unused(p);
}

static void pipe_release_write(struct file *f)
{
	struct pipe *p = f->priv;

	p->writers--;
	pipe_changed(&p->rwq);
	pipe_free_if_unused(p);
}

/* A FIFO opened O_RDWR holds both ends. */
static void pipe_release_both(struct file *f)
{
	struct pipe *p = f->priv;

	p->readers--;
	p->writers--;
	pipe_changed(&p->rwq);
	pipe_changed(&p->wwq);
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
	.release = pipe_release_read,
	.kread = pipe_kread,
};

static const struct file_ops pipe_write_ops = {
	.write = pipe_write,
	.ioctl = pipe_ioctl,
	.poll = pipe_poll_write,
	.release = pipe_release_write,
	.kwrite = pipe_kwrite,
};

static const struct file_ops pipe_both_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.ioctl = pipe_ioctl,
	.poll = pipe_poll_both,
	.release = pipe_release_both,
	.kread = pipe_kread,
	.kwrite = pipe_kwrite,
};

/* An empty pipe with no ends open; NULL when out of memory. */
static struct pipe *pipe_alloc(void)
{
	static uint64_t next_ino = 1;
	struct pipe *p = kzalloc(sizeof(*p));

	if (!p || !(p->buf = kmalloc(PIPE_SIZE))) {
		kfree(p);
		return NULL;
	}
	p->ino = next_ino++;
	return p;
}

uint64_t pipe_ino(const struct file *f)
{
	bool is_pipe = f->ops == &pipe_read_ops || f->ops == &pipe_write_ops ||
		       f->ops == &pipe_both_ops;
	return is_pipe ? ((const struct pipe *)f->priv)->ino : 0;
}

int pipe_create(struct file **rd, struct file **wr, unsigned flags)
{
	struct pipe *p = pipe_alloc();
	unsigned nonblock = flags & O_NONBLOCK;

	if (!p)
		return -ENOMEM;
	*rd = file_alloc(&pipe_read_ops, O_RDONLY | nonblock, p);
	if (!*rd) {
		pipe_free_if_unused(p);
		return -ENOMEM;
	}
	p->readers = 1;
	*wr = file_alloc(&pipe_write_ops, O_WRONLY | nonblock, p);
	if (!*wr) {
		file_put(*rd); /* the last end closes: frees the pipe */
		return -ENOMEM;
	}
	p->writers = 1;
	return 0;
}

/* ---- FIFOs ----------------------------------------------------------------------- */

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

int pipe_open_fifo(void **slot, struct file *f)
{
	struct pipe *p = *slot;
	unsigned acc = f->flags & O_ACCMODE;
	bool nonblock = f->flags & O_NONBLOCK;
	int err = 0;

	if (acc != O_RDONLY && acc != O_WRONLY && acc != O_RDWR)
		return -EINVAL;
	if (!p) {
		if (!(p = pipe_alloc()))
			return -ENOMEM;
		p->fifo_slot = slot;
		*slot = p;
	}
	if (acc == O_WRONLY && !p->readers && nonblock) {
		pipe_free_if_unused(p);
		return -ENXIO;
	}
	f->priv = p;
	if (acc != O_WRONLY) {
		p->readers++;
		p->read_opens++;
		pipe_changed(&p->wwq);
	}
	if (acc != O_RDONLY) {
		p->writers++;
		p->write_opens++;
		pipe_changed(&p->rwq);
	}
	if (acc == O_RDONLY && !p->writers && !nonblock)
		err = wait_other_end(&p->rwq, &p->write_opens);
	else if (acc == O_WRONLY && !p->readers)
		err = wait_other_end(&p->wwq, &p->read_opens);
	if (err) {
		if (acc == O_RDONLY)
			p->readers--;
		else
			p->writers--;
		pipe_free_if_unused(p);
		return err;
	}
	f->ops = acc == O_RDONLY ? &pipe_read_ops : acc == O_WRONLY ? &pipe_write_ops : &pipe_both_ops;
	return 0;
}

/* ---- self-tests --------------------------------------------------------------- */

#define PIPE_FILL_EXTRA 10 /* bytes written past a full ring */

static long kread(struct file *f, void *buf, size_t n) { return f->ops->kread(f, buf, n, &f->pos); }
static long kwrite(struct file *f, const void *buf, size_t n) { return f->ops->kwrite(f, buf, n, &f->pos); }

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
