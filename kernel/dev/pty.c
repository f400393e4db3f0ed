// SPDX-License-Identifier: MIT
/*
 * Kestrel: pseudo-terminals (see pty.h). A pair is one struct pty: the
 * slave is a struct tty (dev/tty.h) whose input is what the master
 * writes, and whose output goes into the pair's buffer for the master.
 * Both ends' files point at the pair (file->priv).
 */
#include "dev/pty.h"
#include "dev/tty.h"
#include "fs/devpts.h"
#include "fs/inode.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "uapi/ioctl.h"

#define CHUNK    256
#define NOT_MINE (-ERESTARTSYS - 1) /* master_ioctl_pty: not a master's own request */
#define OUT_MASK (PTY_OUT_SIZE - 1)
#define IN_MASK  (PTY_IN_SIZE - 1)
_Static_assert((PTY_OUT_SIZE & OUT_MASK) == 0, "PTY_OUT_SIZE is a power of two");
_Static_assert((PTY_IN_SIZE & IN_MASK) == 0, "PTY_IN_SIZE is a power of two");

/*
 * One pair. Lock rule: the kernel lock (one CPU in the kernel, never
 * preempted there); every field changes in thread context only.
 */
struct pty {
	struct tty tty;              /* the slave; first, so a struct tty * is the pair's */
	int index;                   /* N of /dev/pts/N */
	bool locked;                 /* TIOCSPTLCK: the slave cannot be opened yet */
	bool packet;                 /* TIOCPKT: master reads start with a status byte */
	uint8_t pkt_status;          /* TIOCPKT_FLUSH* not yet read by the master (packet mode) */
	bool slave_closed;           /* the slave's last file closed: master reads end in -EIO */
	int masters, slaves;         /* open files of each end */
	uint32_t out_head, out_tail; /* out[i & OUT_MASK], free-running */
	uint32_t in_head, in_tail;   /* in[i & IN_MASK], free-running */
	struct wait_queue master_wq; /* master readers: output came, or the slave closed */
	struct wait_queue write_wq;  /* writers: room in out (slave) or in in (master) */
	char out[PTY_OUT_SIZE];      /* the slave's output, for the master's reader */
	char in[PTY_IN_SIZE];        /* the master's writes not yet in the slave's discipline */
};

static struct pty *ptys[DEVPTS_MAX];
static const struct file_ops master_ops, slave_ops;

/* ---- the output buffer (slave to master) ----------------------------------------- */

static size_t out_used(const struct pty *p) { return p->out_head - p->out_tail; }
static size_t out_room(const struct pty *p) { return PTY_OUT_SIZE - out_used(p); }

/* Appends up to n bytes of s (what fits); wakes the master's readers. */
static size_t out_put(struct pty *p, const char *s, size_t n)
{
	size_t k = n < out_room(p) ? n : out_room(p);

	for (size_t i = 0; i < k; i++)
		p->out[p->out_head++ & OUT_MASK] = s[i];
	if (k) {
		wake_all(&p->master_wq);
		io_event();
	}
	return k;
}

/* Moves up to n bytes to dst at off: the count or -EFAULT. */
static long out_take(struct pty *p, struct iobuf dst, size_t off, size_t n)
{
	size_t k = n < out_used(p) ? n : out_used(p);
	size_t at = p->out_tail & OUT_MASK, first = k < PTY_OUT_SIZE - at ? k : PTY_OUT_SIZE - at;

	if (iobuf_put(dst, off, p->out + at, first) || iobuf_put(dst, off + first, p->out, k - first))
		return -EFAULT;
	p->out_tail += (uint32_t)k;
	wake_all(&p->write_wq);
	io_event();
	return (long)k;
}

/* ---- the input buffer (master to the slave's discipline) ------------------------------ */

static size_t in_used(const struct pty *p) { return p->in_head - p->in_tail; }
static size_t in_room(const struct pty *p) { return PTY_IN_SIZE - in_used(p); }

/* Moves what the slave's discipline can take now (ldisc_room) from the
 * input buffer into it: echo, signal characters and line editing happen
 * here, as in Linux's flip-buffer work. Called whenever room may have
 * appeared: after a master write, a slave read, new settings, a flush. */
static void pty_feed(struct pty *p)
{
	char chunk[CHUNK];
	size_t fed = 0, room;

	while (in_used(p) && (room = ldisc_room(&p->tty.ld)) > 0) {
		size_t k = in_used(p) < room ? in_used(p) : room;
		k = k < CHUNK ? k : CHUNK;
		for (size_t i = 0; i < k; i++)
			chunk[i] = p->in[p->in_tail++ & IN_MASK];
		ldisc_receive(&p->tty.ld, chunk, k);
		fed += k;
	}
	if (fed) {
		wake_all(&p->write_wq);
		tty_port_changed(&p->tty);
	}
}

/* Echo of the slave's discipline: into the output buffer, what fits. */
static void pty_echo(void *t, const char *s, size_t n)
{
	out_put(t, s, n);
}

/* ---- waiting ------------------------------------------------------------------------ */

/* One wait of a blocking call on wq: 0 to look again, or what the call
 * returns (done, or -EAGAIN / -ERESTARTSYS when nothing was done). */
static long pty_wait(struct wait_queue *wq, bool nonblock, size_t done)
{
	if (nonblock)
		return done ? (long)done : -EAGAIN;
	if (signal_pending())
		return done ? (long)done : -ERESTARTSYS;
	wait_on(wq, NO_DEADLINE);
	return 0;
}

/* ---- the slave's output ------------------------------------------------------------- */

/* The slave's driver write: output processing into the output buffer,
 * waiting for the master's reader when it is full. */
static long slave_write(struct tty *t, struct iobuf src, size_t n, bool nonblock)
{
	struct pty *p = (struct pty *)t;
	char in[CHUNK], out[2 * CHUNK];
	size_t done = 0, pos = 0, k = 0;

	while (done + pos < n) {
		if (pos == k) { /* the next chunk */
			done += k;
			pos = 0;
			k = n - done < CHUNK ? n - done : CHUNK;
			if (io_should_stop())
				return done ? (long)done : -EINTR;
			if (iobuf_get(in, src, done, k))
				return done ? (long)done : -EFAULT;
			continue;
		}
		if (t->hung_up)
			return done + pos ? (long)(done + pos) : -EIO;
		size_t room = out_room(p);
		if (room < 2) { /* ldisc_output needs 2: a newline may become "\r\n" */
			long r = pty_wait(&p->write_wq, nonblock, done + pos);
			if (r)
				return r;
			continue;
		}
		size_t used, cap = room < sizeof(out) ? room : sizeof(out);
		size_t len = ldisc_output(&t->ld, in + pos, k - pos, &used, out, cap);
		out_put(p, out, len);
		pos += used;
	}
	return (long)n;
}

/* ---- the master --------------------------------------------------------------------- */

/* Master write: input for the slave, through the input buffer, waiting
 * for the slave's reader when both it and the discipline are full. */
static long master_write(struct file *f, struct iobuf src, size_t n, uint64_t *pos)
{
	struct pty *p = f->priv;
	char chunk[CHUNK];
	size_t done = 0;

	(void)pos; /* a stream */
	while (done < n) {
		size_t room = in_room(p);
		if (!room) {
			long r = pty_wait(&p->write_wq, (f->flags & O_NONBLOCK) != 0, done);
			if (r)
				return r;
			continue;
		}
		if (io_should_stop())
			return done ? (long)done : -EINTR;
		size_t k = n - done < room ? n - done : room;
		k = k < CHUNK ? k : CHUNK;
		if (iobuf_get(chunk, src, done, k))
			return done ? (long)done : -EFAULT;
		for (size_t i = 0; i < k; i++)
			p->in[p->in_head++ & IN_MASK] = chunk[i];
		done += k;
		pty_feed(p);
	}
	return (long)n;
}

/* Master read: the slave's output; -EIO once the slave closed and all of
 * it was read. In packet mode the data follows a TIOCPKT_DATA byte, and a
 * pending status (the slave's flushes) is read alone first. */
static long master_read(struct file *f, struct iobuf dst, size_t n, uint64_t *pos)
{
	struct pty *p = f->priv;
	static const char data_mark = TIOCPKT_DATA;

	(void)pos; /* a stream */
	if (n == 0)
		return 0;
	if (p->packet && p->pkt_status) {
		if (iobuf_put(dst, 0, &p->pkt_status, 1))
			return -EFAULT;
		p->pkt_status = 0;
		return 1;
	}
	while (!out_used(p)) {
		if (p->slave_closed)
			return -EIO;
		long r = pty_wait(&p->master_wq, (f->flags & O_NONBLOCK) != 0, 0);
		if (r)
			return r;
	}
	if (!p->packet)
		return out_take(p, dst, 0, n);
	if (iobuf_put(dst, 0, &data_mark, 1))
		return -EFAULT;
	long r = n > 1 ? out_take(p, dst, 1, n - 1) : 0;
	return r < 0 ? r : r + 1;
}

static long put_int(uint64_t arg, int v)
{
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long get_int(uint64_t arg, int *v)
{
	return copy_from_user(v, arg, sizeof(*v)) ? -EFAULT : 0;
}

static int slave_attach(struct pty *p, struct file *f);

/* TIOCGPTPEER: the slave opened as a new descriptor (flags: O_RDWR,
 * O_NONBLOCK, O_NOCTTY, O_CLOEXEC), without a walk of /dev/pts; as an
 * open, it makes the slave a session leader's controlling terminal
 * unless O_NOCTTY. */
static long master_open_peer(struct pty *p, uint64_t flags)
{
	unsigned fl = ((unsigned)flags & (O_ACCMODE | O_NONBLOCK | O_NOCTTY)) | O_LARGEFILE;
	struct file *f = file_alloc(&slave_ops, fl, NULL);
	int err, fd;

	if (!f)
		return -ENOMEM;
	f->inode = devpts_inode(p->index);
	if ((err = slave_attach(p, f)) < 0) {
		f->ops = NULL; /* not opened: no release */
		file_put(f);
		return err;
	}
	f->flags &= ~O_NOCTTY;
	if ((fd = fd_install(current_process()->files, f, 0, (flags & O_CLOEXEC) != 0)) < 0)
		file_put(f);
	return fd;
}

/* The requests only a master answers (Linux's pty_unix98_ioctl). */
static long master_ioctl_pty(struct pty *p, unsigned long req, uint64_t arg)
{
	int v;

	switch (req) {
	case TIOCGPTN:
		return put_int(arg, p->index);
	case TIOCSPTLCK:
		if (get_int(arg, &v))
			return -EFAULT;
		p->locked = v != 0;
		return 0;
	case TIOCGPTLCK:
		return put_int(arg, p->locked);
	case TIOCPKT:
		if (get_int(arg, &v))
			return -EFAULT;
		p->packet = v != 0;
		p->pkt_status = 0;
		return 0;
	case TIOCGPKT:
		return put_int(arg, p->packet);
	case TIOCGPTPEER:
		return master_open_peer(p, arg);
	}
	return NOT_MINE;
}

/* Flushes (TCFLSH's argument) seen from one end: its input (what the
 * other end wrote and it has not read) and its output (what it wrote and
 * the other end has not read), as Linux's tty_perform_flush and
 * pty_flush_buffer. */
static void pty_flush(struct pty *p, bool master, uint64_t which)
{
	bool input = which != TCOFLUSH, output = which != TCIFLUSH;

	if (master ? input : output)
		p->out_tail = p->out_head;
	if (master ? output : input)
		p->in_tail = p->in_head;
	if (!master && p->packet) /* Linux's n_tty/pty flush: the master hears of it */
		p->pkt_status |= (input ? TIOCPKT_FLUSHREAD : 0) | (output ? TIOCPKT_FLUSHWRITE : 0);
	wake_all(&p->master_wq);
	wake_all(&p->write_wq);
	io_event();
}

/* The master's terminal requests: its input (FIONREAD is the slave's
 * output) and flushes; the rest act on the slave (settings, window size,
 * the foreground group and session, as Linux's tty_pair_get_tty); the
 * master is never a controlling terminal (TIOCNOTTY: -ENOTTY). */
static long master_ioctl(struct file *f, unsigned long req, uint64_t arg)
{
	struct pty *p = f->priv;
	long r = master_ioctl_pty(p, req, arg);

	if (r != NOT_MINE)
		return r;
	switch (req) {
	case FIONREAD:
		return put_int(arg, (int)out_used(p));
	case TIOCOUTQ:
		return put_int(arg, (int)in_used(p));
	case TCFLSH:
		if (arg > TCIOFLUSH)
			return -EINVAL;
		pty_flush(p, true, arg);
		return 0;
	case TIOCGPGRP:
		return put_int(arg, p->tty.fg_pgrp);
	case TIOCGSID:
		return p->tty.sid ? put_int(arg, p->tty.sid) : -ENOTTY;
	case TIOCNOTTY:
		return -ENOTTY;
	}
	r = tty_port_ioctl(&p->tty, NULL, req, arg); /* the master end: never vhangup's */
	pty_feed(p); /* new settings may take more input */
	return r;
}

static unsigned master_poll(struct file *f)
{
	struct pty *p = f->priv;
	unsigned ev = 0;

	if (out_used(p))
		ev |= POLLIN;
	if (p->packet && p->pkt_status)
		ev |= POLLIN | POLLPRI;
	if (in_room(p))
		ev |= POLLOUT;
	if (p->slave_closed)
		ev |= POLLHUP;
	return ev;
}

/* ---- the pair's life ---------------------------------------------------------------- */

static const struct tty_driver pty_driver;

/* The pair goes once neither end has a file. */
static void pty_maybe_free(struct pty *p)
{
	if (p->masters || p->slaves)
		return;
	tty_unregister(&p->tty);
	ptys[p->index] = NULL;
	devpts_kill(p->index);
	kfree(p);
}

/* Linux's pty slave settings (pty.c's init_termios): tty_std_termios
 * with B38400 CS8 CREAD, so no IUTF8 and no HUPCL, unlike the console's. */
static void slave_default_termios(struct tty *t)
{
	struct termios_k tio;

	ldisc_default_termios(&tio);
	tio.c_iflag &= ~IUTF8;
	tio.c_cflag = B38400 | CS8 | CREAD;
	ldisc_set_termios(&t->ld, &tio);
}

/* open("/dev/ptmx"): a new pair, its slave locked until TIOCSPTLCK 0. */
static int ptmx_open(struct inode *ip, struct file *f)
{
	struct pty *p = kzalloc(sizeof(*p));
	int index;

	(void)ip;
	if (!p)
		return -ENOMEM;
	if ((index = devpts_new()) < 0) {
		kfree(p);
		return index;
	}
	tty_port_init(&p->tty, &pty_driver, RDEV(UNIX98_PTY_SLAVE_MAJOR, index), pty_echo);
	slave_default_termios(&p->tty);
	p->index = index;
	p->locked = true;
	p->masters = 1;
	ptys[index] = p;
	tty_register(&p->tty);
	f->priv = p;
	f->ops = &master_ops;
	return 0;
}

/* The last master file: the slave hangs up, and /dev/pts/N goes (its
 * number stays taken while the slave is open). */
static void master_release(struct file *f)
{
	struct pty *p = f->priv;

	if (--p->masters)
		return;
	devpts_hide(p->index);
	p->in_tail = p->in_head;
	tty_port_hangup(&p->tty);
	wake_all(&p->write_wq);
	pty_maybe_free(p);
}

/* ---- the slave ---------------------------------------------------------------------- */

/* f becomes an open file of p's slave: 0, or -EIO while it is locked or
 * once the master is gone (as Linux's pty_open). */
static int slave_attach(struct pty *p, struct file *f)
{
	if (p->locked || !p->masters || p->tty.hung_up)
		return -EIO;
	p->slaves++;
	p->slave_closed = false;
	tty_file_opened(&p->tty, f);
	f->priv = p;
	f->ops = &slave_ops;
	if (!(f->flags & O_NOCTTY))
		tty_port_open_claim(&p->tty);
	return 0;
}

static int slave_open(struct inode *ip, struct file *f)
{
	unsigned major, minor;

	inode_rdev(ip, &major, &minor);
	if (minor >= DEVPTS_MAX || !ptys[minor])
		return -EIO;
	return slave_attach(ptys[minor], f);
}

/* /dev/tty of a process whose controlling terminal is p's slave. */
static int slave_open_ctty(struct tty *t, struct file *f)
{
	struct pty *p = (struct pty *)t;
	unsigned flags = f->flags;

	f->flags |= O_NOCTTY;
	int err = slave_attach(p, f);
	f->flags = flags;
	return err;
}

static void slave_release(struct file *f)
{
	struct pty *p = f->priv;

	if (--p->slaves)
		return;
	p->slave_closed = true;
	wake_all(&p->master_wq);
	io_event();
	pty_maybe_free(p);
}

/* The slave's reader took input: more may come from the input buffer. */
static long slave_read(struct file *f, struct iobuf dst, size_t n, uint64_t *pos)
{
	struct pty *p = f->priv;
	long r = tty_port_read(&p->tty, f, dst, n);

	(void)pos; /* a stream */
	if (r > 0)
		pty_feed(p);
	return r;
}

/* The slave's terminal requests; a flush also drops what waits in the
 * pair's buffers, and new settings may take more input. */
static long slave_ioctl(struct file *f, unsigned long req, uint64_t arg)
{
	struct pty *p = f->priv;
	long r = tty_port_ioctl(&p->tty, f, req, arg);

	if (r == 0 && (req == TCFLSH || req == TCSETSF || req == TCSETSF2 || req == TCSETAF))
		pty_flush(p, false, req == TCFLSH ? arg : TCIFLUSH);
	pty_feed(p);
	return r;
}

static unsigned slave_poll(struct file *f)
{
	struct pty *p = f->priv;
	unsigned ev = 0;

	if (tty_file_hung(&p->tty, f))
		return POLLIN | POLLOUT | POLLERR | POLLHUP;
	if (tty_port_readable(&p->tty))
		ev |= POLLIN;
	if (out_room(p) >= 2)
		ev |= POLLOUT;
	return ev;
}

static const struct tty_driver pty_driver = {
	.write = slave_write,
	.open_ctty = slave_open_ctty,
};

/* ---- file operations ---------------------------------------------------------------- */

static long slave_file_write(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	struct pty *p = f->priv;

	(void)pos;
	return tty_port_write(&p->tty, f, buf, n);
}

static const struct file_ops master_ops = {
	.read = master_read,
	.write = master_write,
	.ioctl = master_ioctl,
	.poll = master_poll,
	.release = master_release,
	.open = ptmx_open,
	.kernel_io = KERNEL_IO_READ | KERNEL_IO_WRITE,
};

static const struct file_ops slave_ops = {
	.read = slave_read,
	.write = slave_file_write,
	.ioctl = slave_ioctl,
	.poll = slave_poll,
	.release = slave_release,
	.open = slave_open,
	.kernel_io = KERNEL_IO_READ | KERNEL_IO_WRITE,
};

void pty_init(void)
{
	ptmx_file_ops = &master_ops;
	pty_slave_file_ops = &slave_ops;
}
