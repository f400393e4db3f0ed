/* SPDX-License-Identifier: MIT */
/* Terminals: the console TTY (the line discipline between the console's input queue and programs, its output to the consoles) and what every terminal shares (reading, job control, the ioctls: termios, window size, foreground process group). */
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
#define TTY_SPEED    38400           /* what TCGETS2 says of both speeds */

/*
 * The console's terminal. Lock rule: struct tty's; interrupt handlers
 * never touch it (they queue raw bytes in dev/console.c). started and
 * the list of registered terminals change in thread context only.
 */
static bool console_started;
static struct tty console;
static struct tty *ttys;      /* every registered terminal, the console first */

/* ---- hooks from the line discipline ------------------------------------------- */

static void console_echo(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	log_write(s, n, false);
}

static void tty_signal(void *ctx, int sig)
{
	struct tty *t = ctx;

	if (t->fg_pgrp > 0)
		signal_send_pgrp(t->fg_pgrp, sig);
}

/* ---- terminals ------------------------------------------------------------------ */

void tty_port_init(struct tty *t, const struct tty_driver *drv, uint32_t rdev,
		   void (*echo)(void *t, const char *s, size_t n))
{
	struct ldisc_hooks hooks = { echo, tty_signal, t };

	memset(t, 0, sizeof(*t));
	ldisc_init(&t->ld, &hooks);
	t->drv = drv;
	t->rdev = rdev;
}

void tty_register(struct tty *t)
{
	struct tty **pp = &ttys;

	while (*pp)
		pp = &(*pp)->next;
	t->next = NULL;
	*pp = t;
}

void tty_unregister(struct tty *t)
{
	for (struct tty **pp = &ttys; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			return;
		}
	}
}

void tty_port_changed(struct tty *t)
{
	wake_all(&t->read_wq);
	io_event();
}

/* ---- the input thread --------------------------------------------------------- */

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
		ldisc_receive(&console.ld, raw, (size_t)n);
		tty_port_changed(&console);
	}
}

static long console_write(struct tty *t, struct iobuf src, size_t n, bool nonblock);
static void tty_leader_exit(int sid);
static bool tty_of_session(int sid, uint32_t *rdev, int *fg_pgrp);

static const struct tty_driver console_driver = { .write = console_write };
static const struct file_ops tty_ops;

void tty_init(void)
{
	if (console_started)
		return;
	console_started = true;
	tty_port_init(&console, &console_driver, 0, console_echo);
	console.claim_free = true;
	console.ws.ws_col = (uint16_t)(fbcon_cols() ? fbcon_cols() : DEFAULT_COLS);
	console.ws.ws_row = (uint16_t)(fbcon_rows() ? fbcon_rows() : DEFAULT_ROWS);
	tty_register(&console);
	process_set_leader_exit_hook(tty_leader_exit);
	process_set_ctty_lookup(tty_of_session);
	tty_file_ops = &tty_ops; /* /dev/console and /dev/tty open here from now on */
	struct thread *t = thread_create_kernel("tty", tty_input_thread, NULL);
	if (!t)
		panic("tty: no memory for the input thread");
	thread_make_runnable(t);
}

/* ---- reading ------------------------------------------------------------------ */

/* Waits until the discipline could hand a read min bytes (a line in
 * canonical mode). 0 when it can (or f hung up: the read then takes what
 * is left, 0 bytes; f NULL: the kernel's read), WAIT_TIMED_OUT at the deadline (time_ns, NO_DEADLINE
 * none), -EAGAIN for a non-blocking file, -ERESTARTSYS on a pending signal. */
static int tty_wait(struct tty *t, const struct file *f, size_t min, bool nonblock, uint64_t deadline)
{
	while (!ldisc_read_ready(&t->ld, min) && !tty_file_hung(t, f)) {
		if (nonblock)
			return -EAGAIN;
		if (signal_pending())
			return -ERESTARTSYS;
		if (!wait_on(&t->read_wq, deadline) && !ldisc_read_ready(&t->ld, min))
			return WAIT_TIMED_OUT;
	}
	return 0;
}

/* Copies what the discipline has (one line at most in canonical mode)
 * to dst, up to n bytes. Returns the count or -EFAULT (input taken
 * before a fault is lost). */
static long tty_take(struct tty *t, struct iobuf dst, size_t n)
{
	char chunk[CHUNK];
	size_t done = 0;
	bool line_end = false;

	while (done < n && !line_end && ldisc_read_ready(&t->ld, 1)) {
		size_t want = n - done < CHUNK ? n - done : CHUNK;
		size_t got = ldisc_read(&t->ld, chunk, want, &line_end);
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
static long tty_read_raw(struct tty *t, const struct file *f, struct iobuf dst, size_t n,
			 bool nonblock)
{
	size_t vmin = t->ld.t.c_cc[VMIN], want = vmin < n ? vmin : n;
	uint64_t vtime_ns = t->ld.t.c_cc[VTIME] * DECISECOND_NS;
	int r;

	if (vmin == 0) {
		r = vtime_ns ? tty_wait(t, f, 1, nonblock, time_ns() + vtime_ns) : 0;
	} else if (!vtime_ns) {
		r = tty_wait(t, f, want, nonblock, NO_DEADLINE);
	} else {
		r = tty_wait(t, f, 1, nonblock, NO_DEADLINE);
		while (r == 0 && !ldisc_read_ready(&t->ld, want) && !tty_file_hung(t, f))
			r = tty_wait(t, f, want, false, time_ns() + vtime_ns);
		if (r == -ERESTARTSYS)
			r = 0; /* a byte is there: return it rather than lose the call */
	}
	if (r < 0)
		return r;
	return tty_take(t, dst, n);
}

static long tty_read_buf(struct tty *t, const struct file *f, struct iobuf dst, size_t n,
			 bool nonblock)
{
	if (n == 0)
		return 0;
	if (!(t->ld.t.c_lflag & ICANON))
		return tty_read_raw(t, f, dst, n, nonblock);
	int r = tty_wait(t, f, 1, nonblock, NO_DEADLINE);
	if (r < 0)
		return r;
	return tty_take(t, dst, n);
}

long tty_read_kernel(char *buf, size_t n)
{
	tty_init();
	return tty_read_buf(&console, NULL, iobuf_kernel(buf), n, false);
}

/* ---- writing ------------------------------------------------------------------ */

/* Output-processes n bytes of src onto the consoles, OUT_STEP bytes at a
 * time with a preemption point after each step (a newline can scroll the
 * whole framebuffer, so a long write would otherwise hold the CPU for
 * seconds). Returns n, or the bytes written before a fault (-EFAULT if
 * none) or before SIGKILL (-EINTR if none). */
static long console_write(struct tty *t, struct iobuf src, size_t n, bool nonblock)
{
	char in[CHUNK], out[2 * CHUNK];
	size_t done = 0;

	(void)nonblock;
	while (done < n) {
		size_t k = n - done < CHUNK ? n - done : CHUNK, pos = 0;
		if (iobuf_get(in, src, done, k))
			return done ? (long)done : -EFAULT;
		while (pos < k) {
			if (io_should_stop())
				return done + pos ? (long)(done + pos) : -EINTR;
			size_t step = k - pos < OUT_STEP ? k - pos : OUT_STEP;
			size_t used, len = ldisc_output(&t->ld, in + pos, step, &used, out, sizeof(out));
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

/* True if session sid holds t as its controlling terminal; a session
 * with no live process left holds nothing. */
static bool tty_held_by(const struct tty *t, int sid)
{
	return t->sid != 0 && t->sid == sid && session_alive(sid);
}

static bool tty_held(const struct tty *t)
{
	return t->sid != 0 && session_alive(t->sid);
}

/* The controlling terminal of session sid (a live one), or NULL. */
static struct tty *tty_of_sid(int sid)
{
	for (struct tty *t = ttys; t; t = t->next)
		if (t->sid == sid && tty_held_by(t, sid))
			return t;
	return NULL;
}

/* The controlling terminal of session sid, for /proc/PID/stat
 * (process_session_tty): true and its device number and foreground group,
 * or false. */
static bool tty_of_session(int sid, uint32_t *rdev, int *fg_pgrp)
{
	struct tty *t = sid ? tty_of_sid(sid) : NULL;

	if (!t)
		return false;
	*rdev = t->rdev;
	*fg_pgrp = t->fg_pgrp;
	return true;
}

/* t becomes the controlling terminal of p's session, p's group the
 * foreground one. */
static void tty_attach(struct tty *t, const struct process *p)
{
	t->sid = p->sid;
	t->fg_pgrp = p->pgid;
}

void tty_port_open_claim(struct tty *t)
{
	const struct process *p = current_process();

	if (p && p->pid == p->sid && !tty_held(t) && !tty_of_sid(p->sid))
		tty_attach(t, p);
}

/*
 * For the calls that need t to be the caller's controlling terminal
 * (TIOCGPGRP, TIOCSPGRP, TIOCGSID): 0 or -ENOTTY, as Linux gives for a
 * terminal that is not the caller's. The console departs from Linux in
 * one way (claim_free): a console no live session holds is taken by the
 * first caller's session, so a shell started by the kernel
 * (init=/bin/sh) gets job control without a TIOCSCTTY of its own.
 */
static int tty_check_owner(struct tty *t, const struct process *p)
{
	if (!p)
		return 0;
	if (t->claim_free && !tty_held(t))
		tty_attach(t, p);
	return p->sid == t->sid ? 0 : -ENOTTY;
}

/* TIOCSCTTY, as Linux: only a session leader without another controlling
 * terminal (the leader of the session holding t: nothing to do); a
 * terminal another (live) session holds is taken only with arg 1
 * (everyone is privileged here). The console (claim_free) also lets any
 * member of its session ask again. */
static long tty_set_ctty(struct tty *t, const struct process *p, uint64_t arg)
{
	if (!p)
		return 0;
	if (tty_held_by(t, p->sid) && (p->pid == p->sid || t->claim_free))
		return 0;
	if (p->pid != p->sid || tty_of_sid(p->sid))
		return -EPERM;
	if (tty_held(t) && arg != 1)
		return -EPERM;
	tty_attach(t, p);
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
static long tty_job_check(struct tty *t, int sig)
{
	struct process *p = current_process();

	if (!p || !t->sid || p->sid != t->sid || !t->fg_pgrp || p->pgid == t->fg_pgrp)
		return 0;
	if (signal_blocked_or_ignored(p, sig))
		return sig == SIGTTOU ? 0 : -EIO;
	if (process_pgrp_orphaned(p->pgid))
		return -EIO;
	signal_send_pgrp(p->pgid, sig);
	return -ERESTARTSYS;
}

/* TIOCNOTTY: a session leader gives its controlling terminal up; for
 * anyone else it is accepted and changes nothing. On the console that is
 * all (and SIGHUP is not sent). On the others, as Linux's tiocnotty and
 * disassociate_ctty: -ENOTTY unless t is the caller's controlling
 * terminal, and the leader's giving up sends SIGHUP and SIGCONT to the
 * foreground group. */
static long tty_drop_ctty(struct tty *t, const struct process *p)
{
	bool mine = p && tty_held_by(t, p->sid);

	if (!t->claim_free && p && !mine)
		return -ENOTTY;
	if (!mine || p->pid != p->sid)
		return 0;
	if (!t->claim_free && t->fg_pgrp > 0) {
		signal_send_pgrp(t->fg_pgrp, SIGHUP);
		signal_send_pgrp(t->fg_pgrp, SIGCONT);
	}
	t->sid = t->fg_pgrp = 0;
	return 0;
}

static long put_int(uint64_t arg, int v)
{
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

/* TCGETS2: the settings and the speeds, which are always B38400's. */
static long tty_get_termios2(struct tty *t, uint64_t arg)
{
	struct termios2_k t2 = { t->ld.t, TTY_SPEED, TTY_SPEED };

	return copy_to_user(arg, &t2, sizeof(t2)) ? -EFAULT : 0;
}

/* TCSETS* and TCSETS*2 (whose speeds are ignored): new settings, the
 * input flushed first for TCSETSF. */
static long tty_set_termios(struct tty *t, unsigned long req, uint64_t arg)
{
	struct termios_k tio;

	if (copy_from_user(&tio, arg, sizeof(tio)))
		return -EFAULT;
	if (req == TCSETSF || req == TCSETSF2)
		ldisc_flush_input(&t->ld);
	ldisc_set_termios(&t->ld, &tio); /* TCSETSW: output never waits, nothing to drain */
	tty_port_changed(t);
	return 0;
}

/* TCGETA: the settings as the old struct termio, each flag word cut to
 * its low 16 bits (Linux's kernel_termios_to_user_termio). */
static long tty_get_termio(struct tty *t, uint64_t arg)
{
	const struct termios_k *k = &t->ld.t;
	struct termio_k o = {
		.c_iflag = (uint16_t)k->c_iflag, .c_oflag = (uint16_t)k->c_oflag,
		.c_cflag = (uint16_t)k->c_cflag, .c_lflag = (uint16_t)k->c_lflag,
		.c_line = k->c_line,
	};

	memcpy(o.c_cc, k->c_cc, TERMIO_NCC);
	return copy_to_user(arg, &o, sizeof(o)) ? -EFAULT : 0;
}

/* Low 16 bits of a flag word from a struct termio, the rest kept. */
static uint32_t termio_flags(uint32_t old, uint16_t low)
{
	return (old & 0xffff0000u) | low;
}

/* TCSETA, TCSETAW, TCSETAF: a struct termio over the settings, which keep
 * what it cannot say (the high flag bits, control characters past the
 * eighth: Linux's user_termio_to_kernel_termios); input flushed for TCSETAF. */
static long tty_set_termio(struct tty *t, unsigned long req, uint64_t arg)
{
	struct termio_k o;
	struct termios_k tio = t->ld.t;

	if (copy_from_user(&o, arg, sizeof(o)))
		return -EFAULT;
	tio.c_iflag = termio_flags(tio.c_iflag, o.c_iflag);
	tio.c_oflag = termio_flags(tio.c_oflag, o.c_oflag);
	tio.c_cflag = termio_flags(tio.c_cflag, o.c_cflag);
	tio.c_lflag = termio_flags(tio.c_lflag, o.c_lflag);
	tio.c_line = o.c_line;
	memcpy(tio.c_cc, o.c_cc, TERMIO_NCC);
	if (req == TCSETAF)
		ldisc_flush_input(&t->ld);
	ldisc_set_termios(&t->ld, &tio);
	tty_port_changed(t);
	return 0;
}

static long tty_set_winsize(struct tty *t, uint64_t arg)
{
	struct tty_winsize ws;

	if (copy_from_user(&ws, arg, sizeof(ws)))
		return -EFAULT;
	bool changed = memcmp(&ws, &t->ws, sizeof(ws)) != 0;
	t->ws = ws;
	if (changed && t->fg_pgrp > 0)
		signal_send_pgrp(t->fg_pgrp, SIGWINCH);
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
static long tty_set_fg(struct tty *t, const struct process *p, uint64_t arg)
{
	int pgrp, sid;
	long r = tty_job_check(t, SIGTTOU);

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
	t->fg_pgrp = pgrp;
	return 0;
}

/* The job-control requests: foreground group, session, claiming. */
static long tty_ioctl_job(struct tty *t, unsigned long req, uint64_t arg)
{
	struct process *p = current_process();
	int r;

	if (req == TIOCSCTTY)
		return tty_set_ctty(t, p, arg);
	if (req == TIOCNOTTY)
		return tty_drop_ctty(t, p);
	if ((r = tty_check_owner(t, p)) < 0)
		return r;
	if (req == TIOCGPGRP)
		return put_int(arg, t->fg_pgrp);
	if (req == TIOCGSID)
		return put_int(arg, t->sid);
	return tty_set_fg(t, p, arg); /* TIOCSPGRP */
}

/* The requests that change the terminal: a background caller is stopped first. */
static bool changes_tty(unsigned long req)
{
	return req == TCSETS || req == TCSETSW || req == TCSETSF || req == TCFLSH ||
	       req == TCXONC || req == TCSBRK || req == TCSETS2 || req == TCSETSW2 ||
	       req == TCSETSF2 || req == TCSETA || req == TCSETAW || req == TCSETAF;
}

long tty_port_ioctl(struct tty *t, struct file *f, unsigned long req, uint64_t arg)
{
	long r;

	if (tty_file_hung(t, f))
		return req == TIOCSPGRP ? -ENOTTY : -EIO; /* Linux's hung_up_tty_ioctl */
	if (changes_tty(req) && (r = tty_job_check(t, SIGTTOU)) != 0)
		return r;
	switch (req) {
	case TCGETS:
		return copy_to_user(arg, &t->ld.t, sizeof(t->ld.t)) ? -EFAULT : 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
	case TCSETS2:
	case TCSETSW2:
	case TCSETSF2:
		return tty_set_termios(t, req, arg);
	case TCGETS2:
		return tty_get_termios2(t, arg);
	case TCGETA:
		return tty_get_termio(t, arg);
	case TCSETA:
	case TCSETAW:
	case TCSETAF:
		return tty_set_termio(t, req, arg);
	case TIOCGWINSZ:
		return copy_to_user(arg, &t->ws, sizeof(t->ws)) ? -EFAULT : 0;
	case TIOCSWINSZ:
		return tty_set_winsize(t, arg);
	case FIONREAD:
		return put_int(arg, (int)ldisc_available(&t->ld));
	case TIOCOUTQ:
		return put_int(arg, 0); /* output is written synchronously */
	case TCFLSH:
		if (arg > TCIOFLUSH)
			return -EINVAL;
		if (arg != TCOFLUSH)
			ldisc_flush_input(&t->ld);
		return 0;
	case TCSBRK:
	case TCXONC:
		return 0; /* tcdrain / tcflow: nothing queued, nothing to stop */
	case TIOCSCTTY:
	case TIOCNOTTY:
	case TIOCGPGRP:
	case TIOCSPGRP:
	case TIOCGSID:
		return tty_ioctl_job(t, req, arg);
	default:
		return -ENOTTY;
	}
}

static long tty_ioctl(struct file *f, unsigned long req, uint64_t arg)
{
	tty_init();
	return tty_port_ioctl(&console, f, req, arg);
}

/* Linux's tty_signal_session_leader for a hang-up: the leader of the
 * session holding the terminal gets SIGHUP and SIGCONT. */
static void hangup_leader(struct process *p, void *arg)
{
	int sid = *(int *)arg;

	if (p->state == PROC_ALIVE && p->pid == sid && p->sid == sid) {
		signal_send_kernel(p, SIGHUP);
		signal_send_kernel(p, SIGCONT);
	}
}

/* Session leader sid exited (proc's hook): as Linux's disassociate_ctty
 * on exit, a pty it held sends SIGHUP to its foreground group and is free
 * for another session. The console is left as it was (Linux would hang
 * it up; the kernel's own shell and self-tests share it). */
static void tty_leader_exit(int sid)
{
	for (struct tty *t = ttys; t; t = t->next) {
		if (t->sid != sid || t->claim_free)
			continue;
		if (t->fg_pgrp > 0)
			signal_send_pgrp(t->fg_pgrp, SIGHUP);
		t->sid = t->fg_pgrp = 0;
	}
}

/* What every hang-up of t does (Linux's __tty_hangup), once its files
 * are marked: input dropped, the session leader signalled, the session
 * without its terminal, readers and pollers woken to see the hang-up. */
static void hangup_session(struct tty *t)
{
	int sid = t->sid;

	ldisc_flush_input(&t->ld);
	if (sid && session_alive(sid))
		process_for_each(hangup_leader, &sid);
	t->sid = t->fg_pgrp = 0;
	tty_port_changed(t);
}

void tty_port_hangup(struct tty *t)
{
	t->hung_up = true;
	hangup_session(t);
}

bool tty_file_hung(const struct tty *t, const struct file *f)
{
	return t->hung_up || (f && f->tty_gen != t->vhangups);
}

void tty_file_opened(const struct tty *t, struct file *f)
{
	f->tty_gen = t->vhangups;
}

void tty_vhangup_self(void)
{
	const struct process *p = current_process();
	struct tty *t = p && p->sid ? tty_of_sid(p->sid) : NULL;

	if (!t)
		return;
	t->vhangups++;
	hangup_session(t);
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
	struct tty *ctty;

	tty_init();
	tty_file_opened(&console, f); /* a pty's open_ctty below sets its own */
	if (ip)
		inode_rdev(ip, &major, &minor);
	if (!(major == TTYAUX_MAJOR && minor == TTYAUX_TTY && p))
		return 0;
	if (!(ctty = tty_of_sid(p->sid)))
		return -ENXIO;
	return ctty->drv->open_ctty ? ctty->drv->open_ctty(ctty, f) : 0;
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
long tty_port_read(struct tty *t, struct file *f, struct iobuf dst, size_t n)
{
	long r;

	if (tty_file_hung(t, f))
		return 0;
	if ((r = tty_job_check(t, SIGTTIN)) != 0)
		return r;
	return tty_read_buf(t, f, dst, n, (f->flags & O_NONBLOCK) != 0);
}

/* The same for writing: with TOSTOP, a background writer is stopped. */
long tty_port_write(struct tty *t, struct file *f, struct iobuf src, size_t n)
{
	long r;

	if (tty_file_hung(t, f))
		return -EIO;
	if ((t->ld.t.c_lflag & TOSTOP) && (r = tty_job_check(t, SIGTTOU)) != 0)
		return r;
	bool nonblock = (f->flags & O_NONBLOCK) != 0;
	if (!sleeplock_trylock(&t->write_lock)) { /* Linux's tty_write_lock */
		if (nonblock)
			return -EAGAIN;
		if (sleeplock_lock(&t->write_lock))
			return -EINTR; /* killed while another writer held it */
	}
	r = t->drv->write(t, src, n, nonblock);
	sleeplock_unlock(&t->write_lock);
	return r;
}

static long tty_read(struct file *f, struct iobuf dst, size_t n, uint64_t *pos)
{
	(void)pos; /* a stream */
	tty_init();
	note_first_read();
	return tty_port_read(&console, f, dst, n);
}

static long tty_write(struct file *f, struct iobuf src, size_t n, uint64_t *pos)
{
	(void)pos; /* a stream */
	tty_init();
	return tty_port_write(&console, f, src, n);
}

/* A read would not block (in noncanonical mode with VTIME 0, once VMIN
 * bytes are there, as Linux does). */
bool tty_port_readable(const struct tty *t)
{
	const struct termios_k *tio = &t->ld.t;
	size_t min = !tio->c_cc[VTIME] && tio->c_cc[VMIN] ? tio->c_cc[VMIN] : 1;

	return ldisc_read_ready(&t->ld, min);
}

/* POLLIN when a read would not block; output never blocks. */
static unsigned tty_poll(struct file *f)
{
	tty_init();
	if (tty_file_hung(&console, f))
		return POLLIN | POLLOUT | POLLERR | POLLHUP; /* Linux's hung_up_tty_poll */
	if (tty_port_readable(&console))
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
	.kernel_io = KERNEL_IO_READ | KERNEL_IO_WRITE,
};

