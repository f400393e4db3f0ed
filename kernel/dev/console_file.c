// SPDX-License-Identifier: MIT
/*
 * Kestrel: the console as a file when no TTY can be opened for it
 * (console_fallback_ops in fs/vfs.h): writes go to the log's consoles,
 * reads take the console's raw input queue, with no line discipline.
 * Registered with the file layer at boot (console_file_register).
 */
#include "dev/console_file.h"
#include "dev/console.h"

#include <stdint.h>

#include "fs/vfs.h"
#include "mm/iobuf.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "time/time.h"
#include "lib/errno.h"
#include "log.h"

#define CHUNK 256                   /* bytes copied at a time */
#define CONSOLE_POLL_NS 10000000ull /* the input is polled every 10 ms */

/* Write n bytes of b to the log's consoles, a chunk at a time with a
 * preemption point between chunks: the count, -EFAULT, or (SIGKILL) the
 * count so far or -EINTR. */
static long kcons_write(struct file *f, struct iobuf b, size_t n, uint64_t *pos)
{
	char chunk[CHUNK];

	(void)f, (void)pos; /* a stream */
	for (size_t done = 0; done < n;) {
		if (io_should_stop())
			return done ? (long)done : -EINTR;
		size_t k = n - done < CHUNK ? n - done : CHUNK;
		if (iobuf_get(chunk, b, done, k))
			return done ? (long)done : -EFAULT;
		log_write(chunk, k, false);
		done += k;
	}
	return (long)n;
}

/* Read what the console's input queue holds, waiting (polled) for at
 * least one byte: -EAGAIN when non-blocking, -EINTR on a signal. */
static long kcons_read(struct file *f, struct iobuf b, size_t n, uint64_t *pos)
{
	char chunk[CHUNK];

	(void)pos; /* a stream */
	if (n == 0)
		return 0;
	for (;;) {
		int got = console_read(chunk, n < CHUNK ? n : CHUNK);
		if (got > 0)
			return iobuf_put(b, 0, chunk, (size_t)got) ? -EFAULT : got;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (current_process() && signal_pending())
			return -EINTR;
		sleep_until(time_ns() + CONSOLE_POLL_NS);
	}
}

/* Not a terminal: programs then treat their output as a file. */
static long kcons_ioctl(struct file *f, unsigned long req, uint64_t arg)
{
	(void)f, (void)req, (void)arg;
	return -ENOTTY;
}

static unsigned kcons_poll(struct file *f)
{
	(void)f;
	return POLLOUT | (console_has_input() ? POLLIN : 0);
}

static const struct file_ops kcons_ops = {
	.read = kcons_read, .write = kcons_write, .ioctl = kcons_ioctl, .poll = kcons_poll,
	.kernel_io = KERNEL_IO_READ | KERNEL_IO_WRITE,
};


void console_file_register(void)
{
	console_fallback_ops = &kcons_ops;
}
