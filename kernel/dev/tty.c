/* SPDX-License-Identifier: MIT */
/* The console TTY: the line discipline between the console's input queue and programs, its output to the consoles, and its ioctls (termios, window size, foreground process group). */
#include "dev/tty.h"
#include "arch/x86_64/cpu.h"

#include <stdbool.h>
#include <stdint.h>

#include "dev/console.h"
#include "dev/fbcon.h"
#include "time/time.h"
#include "dev/tty_ldisc.h"
#include "fs/inode.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "mm/iobuf.h"
#include "lib/string.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "panic.h"
#include "log.h"
#include "uapi/ioctl.h"
#include "uapi/signal.h"

#define DEFAULT_COLS 80
#define DEFAULT_ROWS 25
#define CHUNK        256             /* bytes copied per step */
#define OUT_STEP     16              /* bytes output between preemption points */
#define DECISECOND_NS 100000000ull   /* VTIME's unit */
#define WAIT_TIMED_OUT 1             /* tty_wait: the deadline passed */

struct winsize_k {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

/*
 * The one TTY. Lock rule: every field changes in thread context only
 * (the input thread, or a system call), and the kernel is not
 * preempted on its single CPU, so no lock is taken; interrupt handlers
 * never touch it (they queue raw bytes in dev/console.c).
 */
static struct {
	bool started;
	struct ldisc ld;
	struct winsize_k ws;
	int sid;                  /* the session it is the controlling terminal of; 0 none */
	int fg_pgrp;              /* the foreground process group; 0 none */
	struct wait_queue read_wq;/* readers wait for input */
} tty;

/* ---- hooks from the line discipline ------------------------------------------- */

static void tty_echo(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	log_write(s, n, false);
}

static void tty_signal(void *ctx, int sig)
{
	(void)ctx;
	if (tty.fg_pgrp > 0)
		signal_send_pgrp(tty.fg_pgrp, sig);
}

/* ---- the input thread --------------------------------------------------------- */

/* Wakes everyone who may care that input or settings changed. */
static void tty_changed(void)
{
	wake_all(&tty.read_wq);
	io_event();
}

/* Moves raw console bytes through the line discipline, forever. */
static void tty_input_thread(void *unused)
{
	char raw[CHUNK];

	(void)unused;
	for (;;) {
		int n = console_read(raw, sizeof(raw));
		if (n <= 0) {
			console_wait_input();
			continue;
		}
		ldisc_receive(&tty.ld, raw, (size_t)n);
		tty_changed();
	}
}

void tty_init(void)
{
	static const struct ldisc_hooks hooks = { tty_echo, tty_signal, NULL };

	if (tty.started)
		return;
	tty.started = true;
	ldisc_init(&tty.ld, &hooks);
	tty.ws.ws_col = (uint16_t)(fbcon_cols() ? fbcon_cols() : DEFAULT_COLS);
	tty.ws.ws_row = (uint16_t)(fbcon_rows() ? fbcon_rows() : DEFAULT_ROWS);
	struct thread *t = thread_create_kernel("tty", tty_input_thread, NULL);
	if (!t)
		panic("tty: no memory for the input thread");
	thread_make_runnable(t);
}

/* ---- reading ------------------------------------------------------------------ */

/* Waits until the discipline could hand a read min bytes (a line in
 * canonical mode). 0 when it can, WAIT_TIMED_OUT at the deadline
 * (time_ns, NO_DEADLINE none), -EAGAIN for a non-blocking file, -ERESTARTSYS on a
 * pending signal. */
static int tty_wait(size_t min, bool nonblock, uint64_t deadline)
{
	while (!ldisc_read_ready(&tty.ld, min)) {
		if (nonblock)
			return -EAGAIN;
		if (signal_pending())
			return -ERESTARTSYS;
		if (!wait_on(&tty.read_wq, deadline) && !ldisc_read_ready(&tty.ld, min))
			return WAIT_TIMED_OUT;
	}
	return 0;
}

/* Copies what the discipline has (one line at most in canonical mode)
 * to dst, up to n bytes. Returns the count or -EFAULT (input taken
 * before a fault is lost). */
static long tty_take(struct iobuf dst, size_t n)
{
	char chunk[CHUNK];
	size_t done = 0;
	bool line_end = false;

	while (done < n && !line_end && ldisc_read_ready(&tty.ld, 1)) {
		size_t want = n - done < CHUNK ? n - done : CHUNK;
		size_t got = ldisc_read(&tty.ld, chunk, want, &line_end);
		if (got && iobuf_put(dst, done, chunk, got))
			return done ? (long)done : -EFAULT;
		done += got;
		if (got < want && !line_end)
			break;
	}
	return (long)done;
}

/* Noncanonical reads, by VMIN and VTIME (deciseconds):
 *   MIN 0, TIME 0  whatever is there, maybe nothing;
 *   MIN 0, TIME t  the first byte, or nothing after t;
 *   MIN m, TIME 0  at least min(m, n) bytes;
 *   MIN m, TIME t  at least one byte, then until min(m, n) or a gap of t. */
static long tty_read_raw(struct iobuf dst, size_t n, bool nonblock)
{
	size_t vmin = tty.ld.t.c_cc[VMIN], want = vmin < n ? vmin : n;
	uint64_t vtime_ns = tty.ld.t.c_cc[VTIME] * DECISECOND_NS;
	int r;

	if (vmin == 0) {
		r = vtime_ns ? tty_wait(1, nonblock, time_ns() + vtime_ns) : 0;
	} else if (!vtime_ns) {
		r = tty_wait(want, nonblock, NO_DEADLINE);
	} else {
		r = tty_wait(1, nonblock, NO_DEADLINE);
		while (r == 0 && !ldisc_read_ready(&tty.ld, want))
			r = tty_wait(want, false, time_ns() + vtime_ns);
		if (r == -ERESTARTSYS)
			r = 0; /* a byte is there: return it rather than lose the call */
	}
	if (r < 0)
		return r;
	return tty_take(dst, n);
}

static long tty_read_buf(struct iobuf dst, size_t n, bool nonblock)
{
	tty_init();
	if (n == 0)
		return 0;
	if (!(tty.ld.t.c_lflag & ICANON))
		return tty_read_raw(dst, n, nonblock);
	int r = tty_wait(1, nonblock, NO_DEADLINE);
	if (r < 0)
		return r;
	return tty_take(dst, n);
}

long tty_read_kernel(char *buf, size_t n)
{
	return tty_read_buf(iobuf_kernel(buf), n, false);
}

/* ---- writing ------------------------------------------------------------------ */

/* Output-processes n bytes of src onto the consoles, OUT_STEP bytes at a
 * time with a preemption point after each step (a newline can scroll the
 * whole framebuffer, so a long write would otherwise hold the CPU for
 * seconds). Returns n, or the bytes written before a fault (-EFAULT if
 * none) or before SIGKILL (-EINTR if none). */
static long tty_write_buf(struct iobuf src, size_t n)
{
	char in[CHUNK], out[2 * CHUNK];
	size_t done = 0;

	tty_init();
	while (done < n) {
		size_t k = n - done < CHUNK ? n - done : CHUNK, pos = 0;
		if (iobuf_get(in, src, done, k))
			return done ? (long)done : -EFAULT;
		while (pos < k) {
			if (io_should_stop())
				return done + pos ? (long)(done + pos) : -EINTR;
			size_t step = k - pos < OUT_STEP ? k - pos : OUT_STEP;
			size_t used, len = ldisc_output(&tty.ld, in + pos, step, &used, out, sizeof(out));
			log_write(out, len, false);
			pos += used;
		}
		done += k;
	}
	return (long)done;
}

/* ---- ioctl -------------------------------------------------------------------- */

struct session_probe {
	int sid;
	bool found;
};

static void session_probe_fn(struct process *p, void *arg)
{
	struct session_probe *probe = arg;

	if (p->state == PROC_ALIVE && p->sid == probe->sid)
		probe->found = true;
}

/* True if some live process belongs to session sid. */
static bool session_alive(int sid)
{
	struct session_probe probe = { sid, false };

	process_for_each(session_probe_fn, &probe);
	return probe.found;
}

/* True if session sid holds the TTY as its controlling terminal; a
 * session with no live process left holds nothing. */
static bool tty_held_by(int sid)
{
	return tty.sid != 0 && tty.sid == sid && session_alive(sid);
}

static bool tty_held(void)
{
	return tty.sid != 0 && session_alive(tty.sid);
}

/* The TTY becomes the controlling terminal of p's session, p's group
 * the foreground one. */
static void tty_attach(const struct process *p)
{
	tty.sid = p->sid;
	tty.fg_pgrp = p->pgid;
}

/*
 * For the calls that need the TTY to be the caller's controlling
 * terminal (TIOCGPGRP, TIOCSPGRP, TIOCGSID): 0 or -ENOTTY, as Linux
 * gives for a terminal that is not the caller's. Kestrel departs from
 * Linux in one way: a TTY no live session holds is taken by the first
 * caller's session, so a shell started by the kernel (init=/bin/sh)
 * gets job control without a TIOCSCTTY of its own.
 */
static int tty_check_owner(const struct process *p)
{
	if (!p)
		return 0;
	if (!tty_held())
		tty_attach(p);
	return p->sid == tty.sid ? 0 : -ENOTTY;
}

/* TIOCSCTTY, as Linux: only a session leader; a TTY another (live)
 * session holds is taken only with arg 1 (everyone is privileged here). */
static long tty_set_ctty(const struct process *p, uint64_t arg)
{
	if (!p)
		return 0;
	if (tty_held_by(p->sid))
		return 0;
	if (p->pid != p->sid)
		return -EPERM;
	if (tty_held() && arg != 1)
		return -EPERM;
	tty_attach(p);
	return 0;
}

/*
 * Job control: a process whose controlling terminal this is, but which is
 * not in the foreground group, may not read it, nor change its settings,
 * nor (with TOSTOP) write to it. Its group gets sig (SIGTTIN for reads,
 * SIGTTOU otherwise), which stops it by default; the call returns
 * -ERESTARTSYS so that it runs again once the group is continued (in
 * the foreground, it hopes). As Linux: a process that ignores or blocks
 * SIGTTOU goes ahead; one that ignores or blocks SIGTTIN, or whose group
 * is orphaned (no one could continue it), gets -EIO instead.
 * Returns 0 when the caller may go ahead.
 */
static long tty_job_check(int sig)
{
	struct process *p = current_process();

	if (!p || !tty.sid || p->sid != tty.sid || !tty.fg_pgrp || p->pgid == tty.fg_pgrp)
		return 0;
	if (signal_blocked_or_ignored(p, sig))
		return sig == SIGTTOU ? 0 : -EIO;
	if (process_pgrp_orphaned(p->pgid))
		return -EIO;
	signal_send_pgrp(p->pgid, sig);
	return -ERESTARTSYS;
}

/* TIOCNOTTY: a session leader gives its controlling terminal up; for
 * anyone else it is accepted and changes nothing (Linux: -ENOTTY when
 * it is not the caller's terminal). SIGHUP is not sent. */
static long tty_drop_ctty(const struct process *p)
{
	if (p && p->pid == p->sid && tty_held_by(p->sid))
		tty.sid = tty.fg_pgrp = 0;
	return 0;
}

static long put_int(uint64_t arg, int v)
{
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long tty_set_termios(unsigned long req, uint64_t arg)
{
	struct termios_k t;

	if (copy_from_user(&t, arg, sizeof(t)))
		return -EFAULT;
	if (req == TCSETSF)
		ldisc_flush_input(&tty.ld);
	ldisc_set_termios(&tty.ld, &t); /* TCSETSW: output never waits, nothing to drain */
	tty_changed();
	return 0;
}

static long tty_set_winsize(uint64_t arg)
{
	struct winsize_k ws;

	if (copy_from_user(&ws, arg, sizeof(ws)))
		return -EFAULT;
	bool changed = memcmp(&ws, &tty.ws, sizeof(ws)) != 0;
	tty.ws = ws;
	if (changed && tty.fg_pgrp > 0)
		signal_send_pgrp(tty.fg_pgrp, SIGWINCH);
	return 0;
}

struct pgrp_owner {
	int pgrp, sid;
	bool in_group;
};

static void pgrp_owner_fn(struct process *p, void *arg)
{
	struct pgrp_owner *o = arg;

	if (p->pgid == o->pgrp) {
		o->sid = p->sid;
		o->in_group = true;
	} else if (!o->in_group && p->pid == o->pgrp) {
		o->sid = p->sid;
	}
}

/* The session of process group pgrp as Linux's session_of_pgrp finds it:
 * a member's (a zombie is still one), else that of the process whose pid
 * it is; 0 when no process uses the number. */
static int pgrp_session(int pgrp)
{
	struct pgrp_owner o = { pgrp, 0, false };

	process_for_each(pgrp_owner_fn, &o);
	return o.sid;
}

/* TIOCSPGRP, with Linux's errors: -ENOTTY for a background caller whose
 * group is orphaned, -EINVAL for a negative group, -ESRCH for a number no
 * process uses, -EPERM for a group of another session. */
static long tty_set_fg(const struct process *p, uint64_t arg)
{
	int pgrp, sid;
	long r = tty_job_check(SIGTTOU);

	if (r)
		return r == -EIO ? -ENOTTY : r;
	if (copy_from_user(&pgrp, arg, sizeof(pgrp)))
		return -EFAULT;
	if (pgrp < 0)
		return -EINVAL;
	sid = pgrp ? pgrp_session(pgrp) : 0;
	if (p && !sid)
		return -ESRCH;
	if (p && sid != p->sid)
		return -EPERM;
	tty.fg_pgrp = pgrp;
	return 0;
}

/* The job-control requests: foreground group, session, claiming. */
static long tty_ioctl_job(unsigned long req, uint64_t arg)
{
	struct process *p = current_process();
	int r;

	if (req == TIOCSCTTY)
		return tty_set_ctty(p, arg);
	if (req == TIOCNOTTY)
		return tty_drop_ctty(p);
	if ((r = tty_check_owner(p)) < 0)
		return r;
	if (req == TIOCGPGRP)
		return put_int(arg, tty.fg_pgrp);
	if (req == TIOCGSID)
		return put_int(arg, tty.sid);
	return tty_set_fg(p, arg); /* TIOCSPGRP */
}

/* The requests that change the terminal: a background caller is stopped first. */
static bool changes_tty(unsigned long req)
{
	return req == TCSETS || req == TCSETSW || req == TCSETSF || req == TCFLSH ||
	       req == TCXONC || req == TCSBRK;
}

static long tty_ioctl(struct file *f, unsigned long req, uint64_t arg)
{
	long r;

	(void)f;
	tty_init();
	if (changes_tty(req) && (r = tty_job_check(SIGTTOU)) != 0)
		return r;
	switch (req) {
	case TCGETS:
		return copy_to_user(arg, &tty.ld.t, sizeof(tty.ld.t)) ? -EFAULT : 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return tty_set_termios(req, arg);
	case TIOCGWINSZ:
		return copy_to_user(arg, &tty.ws, sizeof(tty.ws)) ? -EFAULT : 0;
	case TIOCSWINSZ:
		return tty_set_winsize(arg);
	case FIONREAD:
		return put_int(arg, (int)ldisc_available(&tty.ld));
	case TIOCOUTQ:
		return put_int(arg, 0); /* output is written synchronously */
	case TCFLSH:
		if (arg > TCIOFLUSH)
			return -EINVAL;
		if (arg != TCOFLUSH)
			ldisc_flush_input(&tty.ld);
		return 0;
	case TCSBRK:
	case TCXONC:
		return 0; /* tcdrain / tcflow: nothing queued, nothing to stop */
	case TIOCSCTTY:
	case TIOCNOTTY:
	case TIOCGPGRP:
	case TIOCSPGRP:
	case TIOCGSID:
		return tty_ioctl_job(req, arg);
	default:
		return -ENOTTY;
	}
}

/* ---- file operations ---------------------------------------------------------- */


/* Opening /dev/tty needs a controlling terminal: -ENXIO without one (as
 * after setsid). /dev/console and /dev/ttyN always open; a session
 * leader does not take the TTY by opening it (the VFS keeps no
 * O_NOCTTY to tell the cases apart): TIOCSCTTY does, or the first
 * job-control ioctl (see tty_check_owner). */
static int tty_open(struct inode *ip, struct file *f)
{
	const struct process *p = current_process();
	unsigned major = 0, minor = 0;

	(void)f;
	tty_init();
	if (ip)
		inode_rdev(ip, &major, &minor);
	if (major == TTYAUX_MAJOR && minor == TTYAUX_TTY && p && !tty_held_by(p->sid))
		return -ENXIO;
	return 0;
}

/* The first time a program waits for console input (a read, or a poll or
 * select that finds nothing to read: busybox ash polls before it reads)
 * is as close as the kernel gets to "the shell prompt is up": log it
 * once, for make bench and the boot tests. */
static void note_first_read(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	klog(LOG_INFO, "boot: loader start to first console read (shell prompt) %lu ms\n",
	     log_ms_since_origin(rdtsc()));
}

/* A process reading the terminal through a file (read(2), or sendfile,
 * which busybox cat uses): job control first. */
static long tty_file_read(struct file *f, struct iobuf dst, size_t n)
{
	long r;

	if ((r = tty_job_check(SIGTTIN)) != 0)
		return r;
	note_first_read();
	return tty_read_buf(dst, n, (f->flags & O_NONBLOCK) != 0);
}

/* The same for writing: with TOSTOP, a background writer is stopped. */
static long tty_file_write(struct iobuf src, size_t n)
{
	long r;

	if ((tty.ld.t.c_lflag & TOSTOP) && (r = tty_job_check(SIGTTOU)) != 0)
		return r;
	return tty_write_buf(src, n);
}

static long tty_read(struct file *f, uptr_t buf, size_t n, uint64_t *pos)
{
	(void)pos;
	return tty_file_read(f, iobuf_user(buf), n);
}

static long tty_write(struct file *f, uptr_t buf, size_t n, uint64_t *pos)
{
	(void)f, (void)pos;
	return tty_file_write(iobuf_user(buf), n);
}

static long tty_kread(struct file *f, void *buf, size_t n, uint64_t *pos)
{
	(void)pos;
	return tty_file_read(f, iobuf_kernel(buf), n);
}

static long tty_kwrite(struct file *f, const void *buf, size_t n, uint64_t *pos)
{
	(void)f, (void)pos;
	return tty_file_write(iobuf_kernel((void *)buf), n);
}

/* POLLIN when a read would not block (in noncanonical mode with VTIME 0,
 * once VMIN bytes are there, as Linux does); output never blocks. */
static unsigned tty_poll(struct file *f)
{
	const struct termios_k *t = &tty.ld.t;
	size_t min = !t->c_cc[VTIME] && t->c_cc[VMIN] ? t->c_cc[VMIN] : 1;

	(void)f;
	tty_init();
	if (ldisc_read_ready(&tty.ld, min))
		return POLLOUT | POLLIN;
	note_first_read();
	return POLLOUT;
}

static const struct file_ops tty_ops = {
	.read = tty_read,
	.write = tty_write,
	.ioctl = tty_ioctl,
	.poll = tty_poll,
	.open = tty_open,
	.kread = tty_kread,
	.kwrite = tty_kwrite,
};

const struct file_ops *tty_file_ops = &tty_ops;
