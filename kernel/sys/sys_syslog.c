// SPDX-License-Identifier: MIT
/*
 * Kestrel: syslog(2), the call behind dmesg (glibc's klogctl), over the
 * kernel log's ring (log.h) as Linux's do_syslog answers it: read the
 * whole log or what is new since the last read, clear it, set the
 * console's level, and the sizes. The ring keeps lines as the consoles
 * show them ("[   1.234] text"), without Linux's "<level>" prefix.
 *
 * Lock rule: the reader's and the clear mark's offsets are this file's;
 * each is read and written with one atomic access, so two readers at
 * once may both see the same lines (as two dmesg on Linux would), and
 * none sees torn state. The ring is log.c's.
 */
#include "sys/syscall_define.h"
#include "log.h"
#include "lib/errno.h"
#include "mm/usercopy.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "time/time.h"
#include "uapi/capability.h"

/* Linux's SYSLOG_ACTION_* (include/linux/syslog.h). */
enum {
	SYSLOG_ACTION_CLOSE,
	SYSLOG_ACTION_OPEN,
	SYSLOG_ACTION_READ,
	SYSLOG_ACTION_READ_ALL,
	SYSLOG_ACTION_READ_CLEAR,
	SYSLOG_ACTION_CLEAR,
	SYSLOG_ACTION_CONSOLE_OFF,
	SYSLOG_ACTION_CONSOLE_ON,
	SYSLOG_ACTION_CONSOLE_LEVEL,
	SYSLOG_ACTION_SIZE_UNREAD,
	SYSLOG_ACTION_SIZE_BUFFER,
};

#define CONSOLE_LEVEL_MIN 1      /* Linux's minimum_console_loglevel */
#define CONSOLE_LEVEL_MAX 8      /* syslog's highest level + 1 */
#define CONSOLE_LEVEL_OFF 1      /* what CONSOLE_OFF leaves: emergencies only */
#define READ_POLL_NS 50000000ull /* a blocking READ looks for new lines this often */
#define COPY_CHUNK 512

static size_t read_off;           /* SYSLOG_ACTION_READ's place (Linux's syslog_seq) */
static size_t clear_off;          /* where READ_ALL starts after a CLEAR (clear_seq) */
static int saved_level;           /* CONSOLE_OFF's console level, for CONSOLE_ON (0: not off) */

/* Linux's syslog_action_restricted with dmesg_restrict 0 (the kernel's
 * default): reading the whole log and its size are open to everyone,
 * the rest needs CAP_SYSLOG (or CAP_SYS_ADMIN, which Linux still takes). */
static bool allowed(int type)
{
	if (type == SYSLOG_ACTION_READ_ALL || type == SYSLOG_ACTION_SIZE_BUFFER)
		return true;
	return capable(CAP_SYSLOG) || capable(CAP_SYS_ADMIN);
}

/* Copy the ring's bytes [from, to) to buf: bytes copied, or -EFAULT. */
static long copy_out(uptr_t buf, size_t from, size_t to)
{
	char chunk[COPY_CHUNK];
	size_t done = 0, off = from;

	while (off < to) {
		size_t n = log_ring_read(chunk, &off, to - off < sizeof(chunk) ? to - off : sizeof(chunk));
		if (!n)
			break;
		if (copy_to_user(buf + done, chunk, n))
			return -EFAULT;
		done += n;
	}
	return (long)done;
}

/* The first line start at or after off that the ring still holds (a
 * line cut by the ring's wrap is left out, as Linux keeps whole records):
 * off itself when it is 0 or follows a newline, else just past the next
 * newline (the ring's end if none). */
static size_t line_start(size_t off)
{
	size_t end = log_ring_end(), oldest = end > LOG_RING_SIZE ? end - LOG_RING_SIZE : 0;
	char c;

	if (off < oldest)
		off = oldest;
	if (off == 0)
		return 0;
	size_t at = off - 1; /* reads the byte before off first (or, gone, from the oldest on) */
	while (at < end && log_ring_read(&c, &at, 1) == 1 && c != '\n')
		;
	return at < end ? at : end;
}

/* READ_ALL and READ_CLEAR: the newest whole lines since the last clear
 * that fit in len bytes, oldest first. */
static long read_all(uptr_t buf, int len, bool clear)
{
	size_t end = log_ring_end();
	size_t from = line_start(__atomic_load_n(&clear_off, __ATOMIC_RELAXED));
	while (end - from > (size_t)len) /* drop the oldest lines until the rest fits */
		from = line_start(from + 1);
	long r = copy_out(buf, from, end);
	if (clear && r >= 0)
		__atomic_store_n(&clear_off, end, __ATOMIC_RELAXED);
	return r;
}

/* READ: what was logged since the last READ, waiting for some when
 * there is none; up to len bytes, whole lines when they fit. */
static long read_new(uptr_t buf, int len)
{
	size_t from;
	while ((from = line_start(__atomic_load_n(&read_off, __ATOMIC_RELAXED))) >= log_ring_end()) {
		if (signal_pending())
			return -ERESTARTSYS;
		sleep_until(time_ns() + READ_POLL_NS);
	}
	size_t end = log_ring_end();
	if (end - from > (size_t)len)
		end = from + (size_t)len;
	long r = copy_out(buf, from, end);
	if (r > 0)
		__atomic_store_n(&read_off, from + (size_t)r, __ATOMIC_RELAXED);
	return r;
}

/* CONSOLE_OFF, CONSOLE_ON, CONSOLE_LEVEL: Linux's console_loglevel N
 * prints levels below N; log.h's level prints levels up to it. */
static long console(int type, int len)
{
	int console_level = log_get_level() + 1;

	if (type == SYSLOG_ACTION_CONSOLE_OFF) {
		if (!saved_level)
			saved_level = console_level;
		console_level = CONSOLE_LEVEL_OFF;
	} else if (type == SYSLOG_ACTION_CONSOLE_ON) {
		if (saved_level)
			console_level = saved_level;
		saved_level = 0;
	} else {
		if (len < 1 || len > CONSOLE_LEVEL_MAX)
			return -EINVAL;
		console_level = len < CONSOLE_LEVEL_MIN ? CONSOLE_LEVEL_MIN : len;
		saved_level = 0; /* an explicit level ends CONSOLE_OFF, as Linux */
	}
	log_set_level(console_level - 1);
	return 0;
}

SYSCALL_DEFINE3(syslog, int, type, uptr_t, buf, int, len)
{
	if (type < SYSLOG_ACTION_CLOSE || type > SYSLOG_ACTION_SIZE_BUFFER)
		return -EINVAL;
	if (!allowed(type))
		return -EPERM;
	switch (type) {
	case SYSLOG_ACTION_READ:
	case SYSLOG_ACTION_READ_ALL:
	case SYSLOG_ACTION_READ_CLEAR:
		if (!buf || len < 0)
			return -EINVAL;
		if (!len)
			return 0;
		if (!user_access_ok(buf, (size_t)len))
			return -EFAULT;
		return type == SYSLOG_ACTION_READ ? read_new(buf, len)
						  : read_all(buf, len, type == SYSLOG_ACTION_READ_CLEAR);
	case SYSLOG_ACTION_CLEAR:
		__atomic_store_n(&clear_off, log_ring_end(), __ATOMIC_RELAXED);
		return 0;
	case SYSLOG_ACTION_CONSOLE_OFF:
	case SYSLOG_ACTION_CONSOLE_ON:
	case SYSLOG_ACTION_CONSOLE_LEVEL:
		return console(type, len);
	case SYSLOG_ACTION_SIZE_UNREAD: {
		size_t from = line_start(__atomic_load_n(&read_off, __ATOMIC_RELAXED));
		return (long)(log_ring_end() - from);
	}
	case SYSLOG_ACTION_SIZE_BUFFER:
		return LOG_RING_SIZE;
	default: /* CLOSE, OPEN */
		return 0;
	}
}
