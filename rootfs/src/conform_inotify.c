// SPDX-License-Identifier: MIT
// inotify conformance: event shapes (names, cookies, parent and child, IN_ONESHOT, self deletion), the queue's edges, the errors.
#define _GNU_SOURCE
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <unistd.h>
#include "checks.h"

/*
 * As Linux 6.1 (inotify(7)): each check makes a fresh directory under
 * /tmp, watches it or a file in it, does something and reads the events
 * back with a nonblocking instance, comparing them one by one (wd, mask,
 * cookie, name). Names are padded with NULs to a multiple of
 * sizeof(struct inotify_event); a buffer too small for the next event is
 * EINVAL; max_queued_events events then IN_Q_OVERFLOW (wd -1). A kernel
 * without inotify fails every check with ENOSYS.
 */
#define EV_SIZE sizeof(struct inotify_event)
#define BUF_SIZE 65536
#define MAX_QUEUED_DEFAULT 16384

static char dir[64];
static char evbuf[BUF_SIZE] __attribute__((aligned(8)));

/* A fresh directory for one check: 0 or CHECK_FAIL. */
static int make_dir(void)
{
	strcpy(dir, "/tmp/inotifyXXXXXX");
	return mkdtemp(dir) ? CHECK_OK : fail("mkdtemp: %s", errname(errno));
}

/* dir/name into p (128 bytes). */
static const char *in_dir(char *p, const char *name)
{
	snprintf(p, 128, "%s/%s", dir, name);
	return p;
}

/* Remove dir and what the check left in it (names a..z, sub). */
static void clean_dir(void)
{
	static const char *const names[] = { "a", "b", "c", "sub" };
	char p[128];

	for (size_t i = 0; i < NELEMS(names); i++) {
		unlink(in_dir(p, names[i]));
		rmdir(p);
	}
	rmdir(dir);
}

/* What one event should be: cookie -1 means "the same nonzero cookie as the last one that had one". */
struct want {
	int wd;
	uint32_t mask;
	const char *name;   /* NULL: none (len 0) */
	int cookie;         /* 0, or COOKIE_PAIR */
};
#define COOKIE_PAIR (-1)

/* Read everything queued on fd and compare with want[0..n): CHECK_OK or fail. */
static int expect(int fd, const struct want *want, size_t n)
{
	ssize_t len = read(fd, evbuf, sizeof(evbuf));
	uint32_t cookie = 0;
	size_t i = 0;

	if (len < 0)
		return fail("read of %zu expected events: %s", n, errname(errno));
	for (ssize_t off = 0; off < len; i++) {
		struct inotify_event *e = (struct inotify_event *)(evbuf + off);
		const char *name = e->len ? e->name : NULL;
		if (i >= n)
			return fail("extra event %zu: wd %d mask %#x name %s", i, e->wd, e->mask,
				    name ? name : "-");
		const struct want *w = &want[i];
		if (e->wd != w->wd || e->mask != w->mask)
			return fail("event %zu: wd %d mask %#x, want wd %d mask %#x", i, e->wd, e->mask,
				    w->wd, w->mask);
		if ((name == NULL) != (w->name == NULL) || (name && strcmp(name, w->name)))
			return fail("event %zu (mask %#x): name %s, want %s", i, e->mask, name ? name : "-",
				    w->name ? w->name : "-");
		if (e->len % EV_SIZE)
			return fail("event %zu: len %u is not a multiple of %zu", i, e->len, EV_SIZE);
		if (w->cookie == COOKIE_PAIR ? (e->cookie == 0 || (cookie && e->cookie != cookie))
					     : e->cookie != 0)
			return fail("event %zu (mask %#x): cookie %u", i, e->mask, e->cookie);
		if (w->cookie == COOKIE_PAIR)
			cookie = e->cookie;
		off += (ssize_t)(EV_SIZE + e->len);
	}
	return i == n ? CHECK_OK : fail("%zu events, want %zu (missing mask %#x)", i, n, want[i].mask);
}

/* A nonblocking instance: the fd or -1 after fail(). */
static int instance(void)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0)
		fail("inotify_init1: %s", errname(errno));
	return fd;
}

/* A file in a watched directory: created, opened, written, closed, read: names carried. */
static int check_child_names(void)
{
	char p[128], buf[4] = "abc";
	int fd, wd, f, r;

	if (make_dir() || (fd = instance()) < 0)
		return CHECK_FAIL;
	wd = inotify_add_watch(fd, dir, IN_ALL_EVENTS);
	r = want_ok("inotify_add_watch(dir)", wd);
	if (!r && (f = open(in_dir(p, "a"), O_CREAT | O_WRONLY, 0644)) >= 0) {
		r = want_eq("write", write(f, buf, 3), 3);
		close(f);
		f = open(p, O_RDONLY);
		r = r || want_eq("read", read(f, buf, 3), 3);
		close(f);
		mkdir(in_dir(p, "sub"), 0755);
		const struct want w[] = {
			{ wd, IN_CREATE, "a", 0 }, { wd, IN_OPEN, "a", 0 }, { wd, IN_MODIFY, "a", 0 },
			{ wd, IN_CLOSE_WRITE, "a", 0 }, { wd, IN_OPEN, "a", 0 }, { wd, IN_ACCESS, "a", 0 },
			{ wd, IN_CLOSE_NOWRITE, "a", 0 }, { wd, IN_CREATE | IN_ISDIR, "sub", 0 },
		};
		r = r || expect(fd, w, NELEMS(w));
	} else if (!r) {
		r = fail("open: %s", errname(errno));
	}
	close(fd);
	clean_dir();
	return r;
}

/* A rename within the directory: IN_MOVED_FROM and IN_MOVED_TO share a cookie; the file's own watch sees IN_MOVE_SELF. */
static int check_rename_cookie(void)
{
	char a[128], b[128];
	int fd, wd, wf, r;

	if (make_dir() || (fd = instance()) < 0)
		return CHECK_FAIL;
	close(open(in_dir(a, "a"), O_CREAT | O_WRONLY, 0644));
	wd = inotify_add_watch(fd, dir, IN_MOVE | IN_DELETE);
	wf = inotify_add_watch(fd, a, IN_MOVE_SELF | IN_ATTRIB);
	r = want_ok("add_watch(dir)", wd) || want_ok("add_watch(file)", wf) ||
	    want_ok("rename", rename(a, in_dir(b, "b"))) || want_ok("unlink", unlink(b));
	if (!r) {
		/* unlink: the link count (IN_ATTRIB), the file goes (IN_DELETE_SELF not asked; IN_IGNORED always), then the entry */
		const struct want w[] = {
			{ wd, IN_MOVED_FROM, "a", COOKIE_PAIR }, { wd, IN_MOVED_TO, "b", COOKIE_PAIR },
			{ wf, IN_MOVE_SELF, NULL, 0 }, { wf, IN_ATTRIB, NULL, 0 }, { wf, IN_IGNORED, NULL, 0 },
			{ wd, IN_DELETE, "b", 0 },
		};
		r = expect(fd, w, NELEMS(w));
	}
	close(fd);
	clean_dir();
	return r;
}

/* chmod of a watched file in a watched directory: the directory's event (with the name) first, then the file's. */
static int check_parent_and_child(void)
{
	char a[128], s[128];
	int fd, wd, wf, ws, r;

	if (make_dir() || (fd = instance()) < 0)
		return CHECK_FAIL;
	close(open(in_dir(a, "a"), O_CREAT | O_WRONLY, 0644));
	mkdir(in_dir(s, "sub"), 0755);
	wd = inotify_add_watch(fd, dir, IN_ATTRIB);
	wf = inotify_add_watch(fd, a, IN_ATTRIB);
	ws = inotify_add_watch(fd, s, IN_ATTRIB);
	r = want_ok("add_watch(dir)", wd) || want_ok("add_watch(file)", wf) ||
	    want_ok("add_watch(sub)", ws) || want_ok("chmod(sub)", chmod(s, 0700)) ||
	    want_ok("chmod(file)", chmod(a, 0600));
	if (!r) {
		const struct want w[] = {
			{ wd, IN_ATTRIB | IN_ISDIR, "sub", 0 }, { ws, IN_ATTRIB | IN_ISDIR, NULL, 0 },
			{ wd, IN_ATTRIB, "a", 0 }, { wf, IN_ATTRIB, NULL, 0 },
		};
		r = expect(fd, w, NELEMS(w));
	}
	close(fd);
	clean_dir();
	return r;
}

/* Reading a watched directory is IN_ACCESS|IN_ISDIR on it; sendfile is IN_ACCESS on its source, IN_MODIFY on its target. */
static int check_readdir_sendfile(void)
{
	char a[128], b[128];
	int fd, wd, in, out, r;

	if (make_dir() || (fd = instance()) < 0)
		return CHECK_FAIL;
	in = open(in_dir(a, "a"), O_CREAT | O_RDWR, 0644);
	r = want_ok("open a", in) || want_eq("write a", write(in, "abc", 3), 3);
	if (in >= 0)
		close(in);
	/* opened after the watch: Kestrel's files learn their directory from the walk (on Linux, the dentry) */
	wd = inotify_add_watch(fd, dir, IN_ACCESS | IN_MODIFY);
	in = open(a, O_RDONLY);
	out = open(in_dir(b, "b"), O_CREAT | O_WRONLY, 0644);
	r = r || want_ok("add_watch", wd) || want_ok("open a", in) || want_ok("open b", out);
	DIR *d = r ? NULL : opendir(dir);
	if (!r && !d)
		r = fail("opendir: %s", errname(errno));
	if (!r) {
		while (readdir(d))
			;
		closedir(d);
		off_t off = 0;
		r = want_eq("sendfile", sendfile(out, in, &off, 3), 3);
		const struct want w[] = {
			{ wd, IN_ACCESS | IN_ISDIR, NULL, 0 }, { wd, IN_ACCESS, "a", 0 },
			{ wd, IN_MODIFY, "b", 0 },
		};
		r = r || expect(fd, w, NELEMS(w));
	}
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	close(fd);
	clean_dir();
	return r;
}

/* IN_ONESHOT: one event, then IN_IGNORED; the descriptor is gone (rm_watch EINVAL). */
static int check_oneshot(void)
{
	char a[128];
	int fd, wd, r;

	if (make_dir() || (fd = instance()) < 0)
		return CHECK_FAIL;
	wd = inotify_add_watch(fd, dir, IN_CREATE | IN_ONESHOT);
	r = want_ok("add_watch", wd);
	if (!r) {
		close(open(in_dir(a, "a"), O_CREAT | O_WRONLY, 0644));
		close(open(in_dir(a, "b"), O_CREAT | O_WRONLY, 0644));
		const struct want w[] = { { wd, IN_CREATE, "a", 0 }, { wd, IN_IGNORED, NULL, 0 } };
		r = expect(fd, w, NELEMS(w));
		errno = 0;
		r = r || want_err("rm_watch of a spent oneshot", inotify_rm_watch(fd, wd), EINVAL);
	}
	close(fd);
	clean_dir();
	return r;
}

/* A watched directory removed: IN_DELETE_SELF then IN_IGNORED, and the parent's IN_DELETE|IN_ISDIR after. */
static int check_delete_self(void)
{
	char s[128];
	int fd, wd, ws, r;

	if (make_dir() || (fd = instance()) < 0)
		return CHECK_FAIL;
	r = want_ok("mkdir", mkdir(in_dir(s, "sub"), 0755));
	wd = inotify_add_watch(fd, dir, IN_DELETE);
	ws = inotify_add_watch(fd, s, IN_DELETE_SELF);
	r = r || want_ok("add_watch(dir)", wd) || want_ok("add_watch(sub)", ws) ||
	    want_ok("rmdir", rmdir(s));
	if (!r) {
		const struct want w[] = {
			{ ws, IN_DELETE_SELF, NULL, 0 }, { ws, IN_IGNORED, NULL, 0 },
			{ wd, IN_DELETE | IN_ISDIR, "sub", 0 },
		};
		r = expect(fd, w, NELEMS(w));
	}
	close(fd);
	clean_dir();
	return r;
}

/* Identical consecutive events are one; a read too small for the next event is EINVAL; names are padded; FIONREAD. */
static int check_read_shapes(void)
{
	char a[128], buf[8] = "x";
	int fd, wd, f, r, avail = 0;

	if (make_dir() || (fd = instance()) < 0)
		return CHECK_FAIL;
	close(open(in_dir(a, "a"), O_CREAT | O_WRONLY, 0644));
	wd = inotify_add_watch(fd, dir, IN_MODIFY);
	r = want_ok("add_watch", wd) || want_ok("open", f = open(a, O_WRONLY));
	if (!r) {
		for (int i = 0; i < 5; i++)
			write(f, buf, 1);
		close(f);
		size_t one = EV_SIZE + EV_SIZE; /* "a" and its NUL padded to 16 bytes */
		r = want_ok("FIONREAD", ioctl(fd, FIONREAD, &avail)) ? CHECK_FAIL
		    : (size_t)avail != one ? fail("FIONREAD %d, want %zu (five writes, one event)", avail, one) : 0;
		errno = 0;
		r = r || want_err("read into a buffer one byte short", read(fd, evbuf, one - 1), EINVAL);
		const struct want w[] = { { wd, IN_MODIFY, "a", 0 } };
		r = r || expect(fd, w, NELEMS(w));
		errno = 0;
		r = r || want_err("read of an empty nonblocking instance", read(fd, evbuf, sizeof(evbuf)), EAGAIN);
	}
	close(fd);
	clean_dir();
	return r;
}

/* poll: not readable while empty, readable after an event. */
static int check_poll(void)
{
	char a[128];
	int fd, wd, r;

	if (make_dir() || (fd = instance()) < 0)
		return CHECK_FAIL;
	wd = inotify_add_watch(fd, dir, IN_CREATE);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	r = want_ok("add_watch", wd) || want_eq("poll while empty", poll(&p, 1, 0), 0);
	if (!r) {
		close(open(in_dir(a, "a"), O_CREAT | O_WRONLY, 0644));
		r = want_eq("poll after a create", poll(&p, 1, 1000), 1) ? CHECK_FAIL
		    : !(p.revents & POLLIN) ? fail("revents %#x without POLLIN", p.revents) : 0;
	}
	close(fd);
	clean_dir();
	return r;
}

/* The queue holds max_queued_events events, then one IN_Q_OVERFLOW (wd -1). */
static int check_overflow(void)
{
	char a[128], buf[1] = "x";
	int fd, wd, f, r;
	FILE *q = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
	long max = MAX_QUEUED_DEFAULT;

	if (!q || fscanf(q, "%ld", &max) != 1)
		return fail("/proc/sys/fs/inotify/max_queued_events unreadable");
	fclose(q);
	if (make_dir() || (fd = instance()) < 0)
		return CHECK_FAIL;
	close(open(in_dir(a, "a"), O_CREAT | O_WRONLY, 0644));
	wd = inotify_add_watch(fd, a, IN_MODIFY | IN_ACCESS);
	r = want_ok("add_watch", wd) || want_ok("open", f = open(a, O_RDWR));
	long got = 0, overflows = 0;
	if (!r) {
		/* alternate write and pread so that no two in a row merge */
		for (long i = 0; i < max + 10; i++) {
			if (i % 2 ? pread(f, buf, 1, 0) != 1 : write(f, buf, 1) != 1)
				break;
		}
		close(f);
		ssize_t len;
		while ((len = read(fd, evbuf, sizeof(evbuf))) > 0) {
			for (ssize_t off = 0; off < len; off += (ssize_t)EV_SIZE) {
				struct inotify_event *e = (struct inotify_event *)(evbuf + off);
				if (e->mask & IN_Q_OVERFLOW)
					overflows += e->wd == -1 ? 1 : 1000;
				else
					got++;
			}
		}
		r = got != max || overflows != 1
		    ? fail("%ld events and %ld overflow marks, want %ld and 1", got, overflows, max) : 0;
	}
	close(fd);
	clean_dir();
	return r;
}

/* The errors of Linux's inotify_init1 and inotify_add_watch. */
static int check_errors(void)
{
	char a[128];
	int fd, r;

	errno = 0;
	if (want_err("inotify_init1(O_RDWR)", inotify_init1(O_RDWR), EINVAL))
		return CHECK_FAIL;
	if (make_dir() || (fd = instance()) < 0)
		return CHECK_FAIL;
	close(open(in_dir(a, "a"), O_CREAT | O_WRONLY, 0644));
	errno = 0;
	r = want_err("mask 0", inotify_add_watch(fd, dir, 0), EINVAL);
	errno = 0;
	r = r || want_err("IN_MASK_ADD|IN_MASK_CREATE",
			  inotify_add_watch(fd, dir, IN_OPEN | IN_MASK_ADD | IN_MASK_CREATE), EINVAL);
	errno = 0;
	r = r || want_err("a closed fd", inotify_add_watch(999, dir, IN_OPEN), EBADF);
	int pfd[2];
	if (!r && !(r = want_ok("pipe", pipe(pfd)))) {
		errno = 0;
		r = want_err("a pipe's fd", inotify_add_watch(pfd[0], dir, IN_OPEN), EINVAL);
		close(pfd[0]);
		close(pfd[1]);
	}
	errno = 0;
	r = r || want_err("IN_ONLYDIR on a file", inotify_add_watch(fd, a, IN_OPEN | IN_ONLYDIR), ENOTDIR);
	errno = 0;
	r = r || want_err("a missing path", inotify_add_watch(fd, "/tmp/no/such", IN_OPEN), ENOENT);
	int wd = inotify_add_watch(fd, dir, IN_OPEN);
	r = r || want_ok("add_watch", wd);
	r = r || want_eq("the same inode again", inotify_add_watch(fd, dir, IN_CLOSE | IN_MASK_ADD), wd);
	errno = 0;
	r = r || want_err("IN_MASK_CREATE on a watched inode",
			  inotify_add_watch(fd, dir, IN_OPEN | IN_MASK_CREATE), EEXIST);
	errno = 0;
	r = r || want_err("rm_watch of an unknown wd", inotify_rm_watch(fd, wd + 100), EINVAL);
	r = r || want_ok("rm_watch", inotify_rm_watch(fd, wd));
	const struct want w[] = { { wd, IN_IGNORED, NULL, 0 } };
	r = r || expect(fd, w, NELEMS(w));
	close(fd);
	clean_dir();
	return r;
}

static const struct check checks[] = {
	{ "child_names", check_child_names },
	{ "rename_cookie", check_rename_cookie },
	{ "parent_and_child", check_parent_and_child },
	{ "readdir_sendfile", check_readdir_sendfile },
	{ "oneshot", check_oneshot },
	{ "delete_self", check_delete_self },
	{ "read_shapes", check_read_shapes },
	{ "poll", check_poll },
	{ "overflow", check_overflow },
	{ "errors", check_errors },
};

int main(int argc, char **argv)
{
	return run_checks("conform_inotify", checks, NELEMS(checks), argc, argv);
}
