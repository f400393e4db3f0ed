// SPDX-License-Identifier: MIT
// Linux's native AIO (issue 28): io_setup, io_submit, io_getevents, io_pgetevents, io_cancel and
// io_destroy by raw system call: reads and writes (plain and vectored), fsync, batches, the
// submission cap and the full queue, eventfd completion, waits, signals, errors, fs.aio-nr.
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>
#include "checks.h"

/*
 * As fs/aio.c behaves to a program. Only what a kernel that performs
 * every request inside io_submit shares with Linux is asserted: Linux
 * may still be running a request (an fsync always goes to a worker),
 * so every check waits for its events with a time-out, never assumes a
 * request is in flight, and never expects io_cancel to succeed. The
 * context id is the address of Linux's ring; only its being readable
 * memory is checked, not what the ring holds. Where Linux's numbers
 * depend on the machine (the ring holds at least twice nr_events, and
 * per-CPU batches of free slots), a check asserts bounds and says what
 * it saw in its remark.
 *
 * Every check runs in its own child (c_isolate), written as
 * AIO_CHECK(name) { body }: the body may return on its first failure,
 * and the check then destroys the contexts and closes the files it made
 * (new_ctx, scratch_fd), however it returned. The files live in a
 * scratch directory, /tmp/t-conform_aio.PID, that main() removes.
 *
 * LTP's syscalls/io_setup, io_submit, io_getevents, io_pgetevents,
 * io_cancel and io_destroy tests check much of the same.
 */

/* include/uapi/linux/aio_abi.h (not in musl's headers). */
typedef unsigned long aio_context_t;

enum {
	IOCB_CMD_PREAD = 0,
	IOCB_CMD_PWRITE = 1,
	IOCB_CMD_FSYNC = 2,
	IOCB_CMD_FDSYNC = 3,
	IOCB_CMD_PREADV = 7,
	IOCB_CMD_PWRITEV = 8,
};
#define IOCB_FLAG_RESFD (1u << 0)

struct iocb {
	uint64_t aio_data;       /* given back in the event's data */
	uint32_t aio_key;        /* io_submit writes KIOCB_KEY (0) here */
	int32_t aio_rw_flags;    /* RWF_* */
	uint16_t aio_lio_opcode; /* IOCB_CMD_* */
	int16_t aio_reqprio;
	uint32_t aio_fildes;
	uint64_t aio_buf;        /* the buffer, or the iovec array */
	uint64_t aio_nbytes;     /* its length, or the iovec count */
	int64_t aio_offset;
	uint64_t aio_reserved2;  /* must be 0 */
	uint32_t aio_flags;      /* IOCB_FLAG_* */
	uint32_t aio_resfd;      /* the eventfd for IOCB_FLAG_RESFD */
};
_Static_assert(sizeof(struct iocb) == 64, "Linux's struct iocb");

struct io_event {
	uint64_t data; /* the iocb's aio_data */
	uint64_t obj;  /* the iocb's address */
	int64_t res;   /* bytes, or -errno */
	int64_t res2;
};

/* io_pgetevents' last argument (struct __aio_sigset). */
struct aio_sigset {
	const sigset_t *sigmask;
	size_t sigsetsize;
};

#define KSIGSET_SIZE 8                          /* the kernel's sigset_t, not musl's */
#define BAD_PTR ((void *)16)                    /* never mapped */
#define KERNEL_HALF 0xffff800000000000ull       /* access_ok refuses it before any copy */
#define NR_EVENTS_LIMIT (0x10000000u / sizeof(struct io_event) / 2) /* io_setup's EINVAL above this */
#define AIO_NR_FILE "/proc/sys/fs/aio-nr"
#define AIO_MAX_NR_FILE "/proc/sys/fs/aio-max-nr"
#define AIO_NR_TRIES 3        /* another program's io_setup may move aio-nr meanwhile */
#define ACCOUNT_NR 37         /* the nr_events aio-nr is watched with */
#define CAP_IOCBS 200         /* iocbs given to io_submit at once against io_setup(1) */
#define FULL_NR 4             /* the nr_events of the context filled up */
#define FULL_LIMIT 65536      /* io_submits before giving up on EAGAIN */
#define EVENT_WAIT_MS 2000    /* for an event (Linux's fsync completes in a worker) */
#define SHORT_WAIT_MS 50
#define PROMPT_MS 500         /* what "returns at once" allows */
#define BLOCK_WAIT_MS 2000    /* for the thread to block, and to end once woken */
#define NO_PROC_GRACE_MS 100  /* the same when /proc cannot tell */
#define SIGNAL_AFTER_MS 100   /* the timer's signal during io_pgetevents */
#define PWAIT_MS 1000         /* io_pgetevents' time-out that the signal cuts short */
#define MASKED_WAIT_MS 300    /* its time-out when the signal is blocked */
#define CHILD_ALARM_S 5

static long sys_io_setup(unsigned nr, aio_context_t *ctxp)
{
	return syscall(SYS_io_setup, nr, ctxp);
}

static long sys_io_destroy(aio_context_t ctx)
{
	return syscall(SYS_io_destroy, ctx);
}

static long sys_io_submit(aio_context_t ctx, long nr, struct iocb **iocbpp)
{
	return syscall(SYS_io_submit, ctx, nr, iocbpp);
}

static long sys_io_getevents(aio_context_t ctx, long min_nr, long nr, struct io_event *ev, struct timespec *ts)
{
	return syscall(SYS_io_getevents, ctx, min_nr, nr, ev, ts);
}

static long sys_io_pgetevents(aio_context_t ctx, long min_nr, long nr, struct io_event *ev, struct timespec *ts,
			      const struct aio_sigset *sig)
{
	return syscall(SYS_io_pgetevents, ctx, min_nr, nr, ev, ts, sig);
}

static long sys_io_cancel(aio_context_t ctx, struct iocb *cb, struct io_event *ev)
{
	return syscall(SYS_io_cancel, ctx, cb, ev);
}

/* ---- what a check made, undone by AIO_CHECK ---- */

#define MAX_MADE 8
static struct {
	int n_ctx, n_fd;
	aio_context_t ctx[MAX_MADE];
	int fd[MAX_MADE];
} made;

/* new_ctx: io_setup(NR) into *ctx, recorded; 0, or -1 with errno (fail() already said why). */
static int new_ctx(unsigned nr, aio_context_t *ctx)
{
	*ctx = 0;
	if (sys_io_setup(nr, ctx) != 0) {
		int e = errno;
		fail("io_setup(%u): %s", nr, errname(e));
		errno = e;
		return -1;
	}
	if (made.n_ctx < MAX_MADE)
		made.ctx[made.n_ctx++] = *ctx;
	return 0;
}

/* track_fd: record FD (when it is one) for closing; returns FD. */
static int track_fd(int fd)
{
	if (fd >= 0 && made.n_fd < MAX_MADE)
		made.fd[made.n_fd++] = fd;
	return fd;
}

/* scratch_fd: open the check's scratch file (created, mode 0600) with FLAGS, recorded; the fd or -1. */
static int scratch_fd(int flags)
{
	int fd = track_fd(open(P("f"), flags | O_CREAT, 0600));

	if (fd < 0)
		fail("open the scratch file: %s", errname(errno));
	return fd;
}

/* closed_fd: a descriptor number that is not open (FD's duplicate, closed again); or -1. */
static int closed_fd(int fd)
{
	int d = dup(fd);

	if (d >= 0)
		close(d);
	return d;
}

/* cleaned: R, once the check's contexts are destroyed and its files closed and removed. */
static int cleaned(int r)
{
	while (made.n_ctx > 0)
		sys_io_destroy(made.ctx[--made.n_ctx]); /* EINVAL for one the body destroyed */
	while (made.n_fd > 0)
		close(made.fd[--made.n_fd]);
	unlink(P("f"));
	return r;
}

/* AIO_CHECK(fn): check fn runs fn_body, then undoes what the body made. */
#define AIO_CHECK(fn)                                        \
	static int fn##_body(void);                          \
	static int fn(void) { return cleaned(fn##_body()); } \
	static int fn##_body(void)

/* ---- requests and events ---- */

/* prep: *CB as request OP on FD, of LEN bytes at BUF (or LEN iovecs), at offset OFF, tagged DATA. */
static void prep(struct iocb *cb, int op, int fd, const void *buf, size_t len, long long off, uint64_t data)
{
	memset(cb, 0, sizeof(*cb));
	cb->aio_data = data;
	cb->aio_lio_opcode = (uint16_t)op;
	cb->aio_fildes = (uint32_t)fd;
	cb->aio_buf = (uint64_t)(uintptr_t)buf;
	cb->aio_nbytes = len;
	cb->aio_offset = off;
}

/* submit1: io_submit of CB alone, which must return 1. */
static int submit1(const char *what, aio_context_t ctx, struct iocb *cb)
{
	struct iocb *list[1] = { cb };

	return want_eq(what, sys_io_submit(ctx, 1, list), 1);
}

/* submit_err: io_submit of CB alone, which must fail with ERR. */
static int submit_err(const char *what, aio_context_t ctx, struct iocb *cb, int err)
{
	struct iocb *list[1] = { cb };

	errno = 0;
	return want_err(what, sys_io_submit(ctx, 1, list), err);
}

static struct timespec ms_ts(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };

	return t;
}

/* want_event: EV is CB's completion with result RES. */
static int want_event(const char *what, const struct io_event *ev, const struct iocb *cb, long long res)
{
	if (ev->data != cb->aio_data || ev->obj != (uint64_t)(uintptr_t)cb)
		return fail("%s: event data %#llx obj %#llx, want %#llx %p", what, (unsigned long long)ev->data,
			    (unsigned long long)ev->obj, (unsigned long long)cb->aio_data, (const void *)cb);
	if (ev->res != res || ev->res2 != 0)
		return fail("%s: event res %lld res2 %lld, want %lld 0", what, (long long)ev->res,
			    (long long)ev->res2, res);
	return CHECK_OK;
}

/* want_done: the next event (within EVENT_WAIT_MS) is CB's, with result RES. */
static int want_done(const char *what, aio_context_t ctx, const struct iocb *cb, long long res)
{
	struct io_event ev;
	struct timespec ts = ms_ts(EVENT_WAIT_MS);
	char call[120];

	memset(&ev, 0, sizeof(ev));
	snprintf(call, sizeof(call), "io_getevents after %s", what);
	if (want_eq(call, sys_io_getevents(ctx, 1, 1, &ev, &ts), 1))
		return CHECK_FAIL;
	return want_event(what, &ev, cb, res);
}

/* want_none: no event is queued (a zero time-out finds none). */
static int want_none(const char *when, aio_context_t ctx)
{
	struct io_event ev;
	struct timespec zero = { 0, 0 };
	char call[120];

	snprintf(call, sizeof(call), "io_getevents %s", when);
	return want_eq(call, sys_io_getevents(ctx, 1, 1, &ev, &zero), 0);
}

/* fill: LEN bytes of a pattern numbered SEED. */
static void fill(unsigned char *buf, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(seed * 31 + i * 7 + i / 251);
}

/* want_file: FD holds LEN bytes WANT at offset OFF (pread). */
static int want_file(const char *what, int fd, long off, const void *want, size_t len)
{
	unsigned char got[4096];

	if (len > sizeof(got))
		return fail("%s: %zu bytes is more than want_file reads", what, len);
	if (pread(fd, got, len, off) != (ssize_t)len)
		return fail("%s: pread of %zu at %ld: %s", what, len, off, errname(errno));
	if (memcmp(got, want, len) != 0)
		return fail("%s: the file does not hold the bytes at %ld", what, off);
	return CHECK_OK;
}

/* ---- io_setup and io_destroy ---- */

/* io_setup: *ctxp must be 0, nr_events not 0, ctxp writable; the id is non-zero, readable memory. */
AIO_CHECK(check_setup)
{
	aio_context_t ctx = 12345;
	volatile const unsigned char *ring;
	void *ro;
	long r;

	errno = 0;
	if (want_err("io_setup(1, *ctxp != 0)", sys_io_setup(1, &ctx), EINVAL))
		return CHECK_FAIL;
	ctx = 0;
	if (want_err("io_setup(0)", sys_io_setup(0, &ctx), EINVAL) ||
	    want_err("io_setup(1, bad ctxp)", sys_io_setup(1, BAD_PTR), EFAULT))
		return CHECK_FAIL;
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	errno = 0;
	r = want_err("io_setup(1, ctxp read-only, holding 0)", sys_io_setup(1, ro), EFAULT);
	munmap(ro, 4096);
	if (r || new_ctx(1, &ctx))
		return CHECK_FAIL;
	if (ctx == 0)
		return fail("io_setup gave the id 0");
	ring = (const unsigned char *)ctx;
	(void)*ring; /* Linux's ring: readable; what it holds is not checked */
	return want_eq("io_destroy", sys_io_destroy(ctx), 0);
}

/* aio_nr_is: aio-nr reads WANT; a few tries in case another program's
 * io_setup moves it (on Linux the counter is the machine's). 0, or -1 with *got. */
static int aio_nr_is(long want, long *got)
{
	for (int t = 0; t < AIO_NR_TRIES; t++) {
		if (read_long(AIO_NR_FILE, got) == 0 && *got == want)
			return 0;
		ms_sleep(10);
	}
	return -1;
}

/* fs.aio-nr grows by nr_events at io_setup and goes back at io_destroy (and
 * not at a refused io_setup); nr_events above fs.aio-max-nr is EAGAIN. */
AIO_CHECK(check_aio_nr)
{
	aio_context_t ctx = 0;
	long before, got, max;
	void *ro;
	int r = -1;

	if (read_long(AIO_NR_FILE, &before) != 0)
		return skip("no %s", AIO_NR_FILE);
	for (int t = 0; t < AIO_NR_TRIES && r != 0; t++) {
		if (read_long(AIO_NR_FILE, &before) || new_ctx(ACCOUNT_NR, &ctx))
			return fail("io_setup(%d) or reading %s: %s", ACCOUNT_NR, AIO_NR_FILE, errname(errno));
		r = aio_nr_is(before + ACCOUNT_NR, &got);
		if (want_eq("io_destroy", sys_io_destroy(ctx), 0))
			return CHECK_FAIL;
	}
	if (r != 0)
		return fail("aio-nr %ld after io_setup(%d), want %ld", got, ACCOUNT_NR, before + ACCOUNT_NR);
	if (aio_nr_is(before, &got))
		return fail("aio-nr %ld after io_destroy, want %ld", got, before);
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	errno = 0;
	r = want_err("io_setup(ctxp read-only)", sys_io_setup(ACCOUNT_NR, ro), EFAULT);
	munmap(ro, 4096);
	if (r)
		return CHECK_FAIL;
	if (aio_nr_is(before, &got))
		return fail("aio-nr %ld after a refused io_setup, want %ld", got, before);
	if (read_long(AIO_MAX_NR_FILE, &max) != 0) {
		remark("no %s: its EAGAIN not checked", AIO_MAX_NR_FILE);
		return CHECK_OK;
	}
	if (max + 1 > (long)NR_EVENTS_LIMIT) {
		remark("aio-max-nr %ld: io_setup(aio-max-nr + 1) would be EINVAL, not checked", max);
		return CHECK_OK;
	}
	ctx = 0;
	errno = 0;
	if (want_err("io_setup(aio-max-nr + 1)", sys_io_setup((unsigned)max + 1, &ctx), EAGAIN))
		return CHECK_FAIL;
	remark("aio-nr %ld -> %ld -> %ld, aio-max-nr %ld", before, before + ACCOUNT_NR, before, max);
	return CHECK_OK;
}

/* io_destroy twice: EINVAL the second time, and for io_submit and
 * io_getevents on the destroyed id; ids that were never a context
 * (1, a local variable's address) are EINVAL to all three. */
AIO_CHECK(check_destroy)
{
	aio_context_t ctx;
	uint64_t local = 0;
	struct io_event ev;
	struct timespec zero = { 0, 0 };
	struct iocb cb;
	struct iocb *list[1] = { &cb };
	int fd = scratch_fd(O_RDWR);
	char what[80];

	if (fd < 0 || new_ctx(1, &ctx))
		return CHECK_FAIL;
	prep(&cb, IOCB_CMD_PWRITE, fd, "x", 1, 0, 1);
	if (want_eq("io_destroy", sys_io_destroy(ctx), 0) ||
	    want_err("io_destroy again", sys_io_destroy(ctx), EINVAL) ||
	    want_err("io_submit on a destroyed id", sys_io_submit(ctx, 1, list), EINVAL) ||
	    want_err("io_getevents on a destroyed id", sys_io_getevents(ctx, 0, 1, &ev, &zero), EINVAL))
		return CHECK_FAIL;
	for (int i = 0; i < 2; i++) {
		aio_context_t bad = i == 0 ? 1 : (aio_context_t)(uintptr_t)&local;
		const char *name = i == 0 ? "id 1" : "a local's address";

		snprintf(what, sizeof(what), "io_destroy(%s)", name);
		if (want_err(what, sys_io_destroy(bad), EINVAL))
			return CHECK_FAIL;
		snprintf(what, sizeof(what), "io_submit(%s)", name);
		if (want_err(what, sys_io_submit(bad, 1, list), EINVAL))
			return CHECK_FAIL;
		snprintf(what, sizeof(what), "io_getevents(%s)", name);
		if (want_err(what, sys_io_getevents(bad, 0, 1, &ev, &zero), EINVAL))
			return CHECK_FAIL;
	}
	if (local != 0)
		return fail("the local variable given as an id was written");
	return lseek(fd, 0, SEEK_END) != 0 ? fail("a request on a bad id wrote the file") : CHECK_OK;
}

/* ---- requests ---- */

/* PWRITE then PREAD: io_submit returns 1, the event names the iocb and the
 * byte count, the bytes are in the file, the file offset stays; at EOF a
 * read gives 0, across it the short count. */
AIO_CHECK(check_rw)
{
	static unsigned char out[4096], in[4096];
	aio_context_t ctx;
	struct iocb cb;
	int fd = scratch_fd(O_RDWR);

	if (fd < 0 || new_ctx(4, &ctx))
		return CHECK_FAIL;
	fill(out, sizeof(out), 1);
	prep(&cb, IOCB_CMD_PWRITE, fd, out, sizeof(out), 0, 0x1111222233334444ull);
	if (submit1("io_submit(PWRITE 4096)", ctx, &cb) || want_done("PWRITE", ctx, &cb, sizeof(out)) ||
	    want_file("after PWRITE", fd, 0, out, sizeof(out)))
		return CHECK_FAIL;
	prep(&cb, IOCB_CMD_PREAD, fd, in, sizeof(in), 0, 77);
	if (submit1("io_submit(PREAD 4096)", ctx, &cb) || want_done("PREAD", ctx, &cb, sizeof(in)))
		return CHECK_FAIL;
	if (memcmp(in, out, sizeof(in)) != 0)
		return fail("PREAD's bytes are not the file's");
	if (lseek(fd, 0, SEEK_CUR) != 0)
		return fail("the file offset moved to %ld", (long)lseek(fd, 0, SEEK_CUR));
	prep(&cb, IOCB_CMD_PREAD, fd, in, 100, sizeof(out), 78);
	if (submit1("io_submit(PREAD at EOF)", ctx, &cb) || want_done("PREAD at EOF", ctx, &cb, 0))
		return CHECK_FAIL;
	memset(in, 0, sizeof(in));
	prep(&cb, IOCB_CMD_PREAD, fd, in, 100, sizeof(out) - 30, 79);
	if (submit1("io_submit(PREAD 100, 30 before EOF)", ctx, &cb) ||
	    want_done("PREAD 100, 30 before EOF", ctx, &cb, 30))
		return CHECK_FAIL;
	return memcmp(in, out + sizeof(out) - 30, 30) != 0 ? fail("the short PREAD's bytes are wrong") : CHECK_OK;
}

/* PWRITEV and PREADV with three iovecs each: the total, the bytes in order. */
AIO_CHECK(check_vectored)
{
	char a[4], b[4], c[10];
	struct iovec wv[3] = { { "abc", 3 }, { "defgh", 5 }, { "ijklmno", 7 } };
	struct iovec rv[3] = { { a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) } };
	aio_context_t ctx;
	struct iocb cb;
	int fd = scratch_fd(O_RDWR);

	if (fd < 0 || new_ctx(4, &ctx))
		return CHECK_FAIL;
	if (pwrite(fd, "__", 2, 0) != 2)
		return fail("pwrite: %s", errname(errno));
	prep(&cb, IOCB_CMD_PWRITEV, fd, wv, 3, 2, 8);
	if (submit1("io_submit(PWRITEV 3 iovecs)", ctx, &cb) || want_done("PWRITEV", ctx, &cb, 15) ||
	    want_file("after PWRITEV", fd, 0, "__abcdefghijklmno", 17))
		return CHECK_FAIL;
	memset(c, 0, sizeof(c));
	prep(&cb, IOCB_CMD_PREADV, fd, rv, 3, 2, 7);
	if (submit1("io_submit(PREADV 3 iovecs)", ctx, &cb) || want_done("PREADV (4+4+10, 15 left)", ctx, &cb, 15))
		return CHECK_FAIL;
	if (memcmp(a, "abcd", 4) || memcmp(b, "efgh", 4) || memcmp(c, "ijklmno\0\0\0", 10))
		return fail("PREADV read \"%.4s\" \"%.4s\" \"%.10s\"", a, b, c);
	return CHECK_OK;
}

/* FSYNC and FDSYNC on a regular file: an event with res 0 (on Linux from a
 * worker, hence the wait); an offset with them is EINVAL at io_submit, and
 * so is a file with no fsync (a pipe: Linux's aio_fsync). */
AIO_CHECK(check_fsync)
{
	aio_context_t ctx;
	struct iocb cb;
	int fd = scratch_fd(O_RDWR), p[2];

	if (fd < 0 || new_ctx(4, &ctx))
		return CHECK_FAIL;
	if (pipe(p) || track_fd(p[0]) < 0 || track_fd(p[1]) < 0)
		return fail("pipe: %s", errname(errno));
	prep(&cb, IOCB_CMD_FSYNC, p[1], NULL, 0, 0, 1);
	if (submit_err("io_submit(FSYNC of a pipe)", ctx, &cb, EINVAL))
		return CHECK_FAIL;
	if (write(fd, "data", 4) != 4)
		return fail("write: %s", errname(errno));
	prep(&cb, IOCB_CMD_FSYNC, fd, NULL, 0, 0, 2);
	if (submit1("io_submit(FSYNC)", ctx, &cb) || want_done("FSYNC", ctx, &cb, 0))
		return CHECK_FAIL;
	prep(&cb, IOCB_CMD_FDSYNC, fd, NULL, 0, 0, 3);
	if (submit1("io_submit(FDSYNC)", ctx, &cb) || want_done("FDSYNC", ctx, &cb, 0))
		return CHECK_FAIL;
	prep(&cb, IOCB_CMD_FSYNC, fd, NULL, 0, 1, 4);
	if (submit_err("io_submit(FSYNC with offset 1)", ctx, &cb, EINVAL))
		return CHECK_FAIL;
	return want_none("after the refused FSYNC", ctx);
}

/* ---- batches and limits ---- */

/* Three iocbs at once: 3 submitted, 3 events (in any order), every write done. */
AIO_CHECK(check_batch)
{
	static const char *text[3] = { "aaaa", "bbbb", "cccc" };
	aio_context_t ctx;
	struct iocb cb[3];
	struct iocb *list[3] = { &cb[0], &cb[1], &cb[2] };
	struct io_event ev[3];
	struct timespec ts = ms_ts(EVENT_WAIT_MS);
	int seen[3] = { 0, 0, 0 };
	int fd = scratch_fd(O_RDWR);

	if (fd < 0 || new_ctx(8, &ctx))
		return CHECK_FAIL;
	for (int i = 0; i < 3; i++)
		prep(&cb[i], IOCB_CMD_PWRITE, fd, text[i], 4, 4 * i, 100 + i);
	if (want_eq("io_submit(3 PWRITEs)", sys_io_submit(ctx, 3, list), 3) ||
	    want_eq("io_getevents(3, 3)", sys_io_getevents(ctx, 3, 3, ev, &ts), 3))
		return CHECK_FAIL;
	for (int i = 0; i < 3; i++) {
		uint64_t k = ev[i].data - 100;

		if (k > 2 || seen[k]++)
			return fail("event %d has data %llu (not one of 100-102, or twice)", i,
				    (unsigned long long)ev[i].data);
		if (want_event("a batched PWRITE", &ev[i], &cb[k], 4))
			return CHECK_FAIL;
	}
	return want_file("after the batch", fd, 0, "aaaabbbbcccc", 12) || want_none("after the batch", ctx);
}

/* io_setup(1), then CAP_IOCBS iocbs in one io_submit: no error, some number
 * of them taken (Linux caps nr at its ring, then stops at the first request
 * with no free slot), and exactly that many events. */
AIO_CHECK(check_submit_cap)
{
	static struct iocb cb[CAP_IOCBS];
	static struct iocb *list[CAP_IOCBS];
	static struct io_event ev[CAP_IOCBS];
	static char buf[CAP_IOCBS];
	struct timespec ts = ms_ts(EVENT_WAIT_MS);
	aio_context_t ctx;
	long n;
	int fd = scratch_fd(O_RDWR);

	if (fd < 0 || new_ctx(1, &ctx))
		return CHECK_FAIL;
	if (pwrite(fd, "z", 1, 0) != 1)
		return fail("pwrite: %s", errname(errno));
	for (int i = 0; i < CAP_IOCBS; i++) {
		prep(&cb[i], IOCB_CMD_PREAD, fd, &buf[i], 1, 0, i);
		list[i] = &cb[i];
	}
	n = sys_io_submit(ctx, CAP_IOCBS, list);
	if (n == -1)
		return fail("io_submit of %d iocbs to io_setup(1): %s, want a count", CAP_IOCBS, errname(errno));
	if (n < 1 || n > CAP_IOCBS)
		return fail("io_submit of %d iocbs returned %ld", CAP_IOCBS, n);
	if (want_eq("io_getevents for every one taken", sys_io_getevents(ctx, n, CAP_IOCBS, ev, &ts), n))
		return CHECK_FAIL;
	for (long i = 0; i < n; i++) {
		if (ev[i].data >= (uint64_t)n)
			return fail("an event for iocb %llu, which was not taken", (unsigned long long)ev[i].data);
		if (want_event("a capped batch's PREAD", &ev[i], &cb[ev[i].data], 1))
			return CHECK_FAIL;
	}
	remark("io_setup(1) took %ld of %d iocbs", n, CAP_IOCBS);
	return want_none("after the capped batch", ctx);
}

/* Single iocbs without reading events: io_submit accepts at least
 * nr_events, then fails with EAGAIN; once the events are read it accepts
 * again. */
AIO_CHECK(check_queue_full)
{
	struct timespec ts = ms_ts(EVENT_WAIT_MS);
	struct io_event *ev;
	aio_context_t ctx;
	struct iocb cb;
	char c;
	long n = 0, r = 1;
	int fd = scratch_fd(O_RDWR);

	if (fd < 0 || new_ctx(FULL_NR, &ctx))
		return CHECK_FAIL;
	if (pwrite(fd, "z", 1, 0) != 1)
		return fail("pwrite: %s", errname(errno));
	prep(&cb, IOCB_CMD_PREAD, fd, &c, 1, 0, 9);
	while (n < FULL_LIMIT && (r = sys_io_submit(ctx, 1, (struct iocb *[]){ &cb })) == 1)
		n++;
	if (r == 1)
		return fail("%ld io_submits taken, none refused", n);
	if (want_err("io_submit with every slot's event unread", r, EAGAIN))
		return CHECK_FAIL;
	if (n < FULL_NR)
		return fail("EAGAIN after %ld requests, want at least nr_events %d", n, FULL_NR);
	if (!(ev = calloc(n, sizeof(*ev))))
		return fail("calloc");
	r = sys_io_getevents(ctx, n, n, ev, &ts);
	free(ev);
	if (want_eq("io_getevents of every request taken", r, n) || want_none("once all are read", ctx) ||
	    submit1("io_submit once the events are read", ctx, &cb) || want_done("the PREAD after", ctx, &cb, 1))
		return CHECK_FAIL;
	remark("io_setup(%d): EAGAIN after %ld", FULL_NR, n);
	return CHECK_OK;
}

/* io_submit's errors, each with nothing queued after it; an error in the
 * second iocb returns 1, the first done. */
AIO_CHECK(check_submit_errors)
{
	aio_context_t ctx;
	struct iocb cb, bad;
	struct iocb *list[2] = { &cb, &bad };
	char buf[16];
	int fd = scratch_fd(O_RDWR), rd, wr, shut;

	if (fd < 0 || (rd = scratch_fd(O_RDONLY)) < 0 || (wr = scratch_fd(O_WRONLY)) < 0 ||
	    new_ctx(4, &ctx))
		return CHECK_FAIL;
	if ((shut = closed_fd(fd)) < 0)
		return fail("dup: %s", errname(errno));
	if (pwrite(fd, "0123456789abcdef", 16, 0) != 16)
		return fail("pwrite: %s", errname(errno));
	prep(&cb, IOCB_CMD_PREAD, fd, buf, sizeof(buf), 0, 5);
	errno = 0;
	if (want_err("io_submit(nr -1)", sys_io_submit(ctx, -1, list), EINVAL) ||
	    want_eq("io_submit(nr 0)", sys_io_submit(ctx, 0, list), 0) ||
	    want_err("io_submit(bad iocbpp)", sys_io_submit(ctx, 1, BAD_PTR), EFAULT) ||
	    want_err("io_submit(a NULL iocb)", sys_io_submit(ctx, 1, (struct iocb *[]){ NULL }), EFAULT))
		return CHECK_FAIL;
	prep(&bad, IOCB_CMD_PREAD, shut, buf, sizeof(buf), 0, 6);
	if (submit_err("io_submit(PREAD, fd not open)", ctx, &bad, EBADF))
		return CHECK_FAIL;
	prep(&bad, IOCB_CMD_PWRITE, rd, buf, sizeof(buf), 0, 6);
	if (submit_err("io_submit(PWRITE, O_RDONLY fd)", ctx, &bad, EBADF))
		return CHECK_FAIL;
	prep(&bad, IOCB_CMD_PREAD, wr, buf, sizeof(buf), 0, 6);
	if (submit_err("io_submit(PREAD, O_WRONLY fd)", ctx, &bad, EBADF))
		return CHECK_FAIL;
	prep(&bad, 99, fd, buf, sizeof(buf), 0, 6);
	if (submit_err("io_submit(opcode 99)", ctx, &bad, EINVAL))
		return CHECK_FAIL;
	prep(&bad, IOCB_CMD_PREAD, fd, buf, sizeof(buf), 0, 6);
	bad.aio_reserved2 = 1;
	if (submit_err("io_submit(aio_reserved2 1)", ctx, &bad, EINVAL))
		return CHECK_FAIL;
	prep(&bad, IOCB_CMD_PREAD, fd, buf, sizeof(buf), -1, 6);
	if (submit_err("io_submit(PREAD at offset -1)", ctx, &bad, EINVAL))
		return CHECK_FAIL;
	prep(&bad, IOCB_CMD_PREAD, fd, NULL, 16, 0, 6);
	bad.aio_buf = KERNEL_HALF;
	if (submit_err("io_submit(PREAD into a kernel-half buffer)", ctx, &bad, EFAULT) ||
	    want_none("after the refused requests", ctx))
		return CHECK_FAIL;
	prep(&bad, IOCB_CMD_PREAD, shut, buf, sizeof(buf), 0, 6);
	memset(buf, 0, sizeof(buf));
	if (want_eq("io_submit(good PREAD, PREAD on a bad fd)", sys_io_submit(ctx, 2, list), 1) ||
	    want_done("the good first PREAD", ctx, &cb, 16) || want_none("after the first PREAD's", ctx))
		return CHECK_FAIL;
	return memcmp(buf, "0123456789abcdef", 16) != 0 ? fail("the first PREAD's bytes are wrong") : CHECK_OK;
}

/* ---- eventfd, waits, signals ---- */

/* IOCB_FLAG_RESFD: the eventfd counts completions (1, then 2 for two more);
 * a resfd that is not an eventfd is EINVAL, one not open EBADF. */
AIO_CHECK(check_resfd)
{
	aio_context_t ctx;
	struct iocb cb[2];
	struct iocb *list[2] = { &cb[0], &cb[1] };
	struct io_event ev[2];
	struct timespec ts = ms_ts(EVENT_WAIT_MS);
	uint64_t count = 0;
	char buf[4];
	int fd = scratch_fd(O_RDWR), efd;

	if (fd < 0 || new_ctx(4, &ctx))
		return CHECK_FAIL;
	if ((efd = track_fd(eventfd(0, EFD_NONBLOCK))) < 0)
		return fail("eventfd: %s", errname(errno));
	if (pwrite(fd, "abcd", 4, 0) != 4)
		return fail("pwrite: %s", errname(errno));
	for (int i = 0; i < 2; i++) {
		prep(&cb[i], IOCB_CMD_PREAD, fd, buf, sizeof(buf), 0, 40 + i);
		cb[i].aio_flags = IOCB_FLAG_RESFD;
		cb[i].aio_resfd = (uint32_t)efd;
	}
	if (submit1("io_submit(PREAD, RESFD)", ctx, &cb[0]) || want_done("PREAD with RESFD", ctx, &cb[0], 4) ||
	    want_eq("read of the eventfd", read(efd, &count, 8), 8))
		return CHECK_FAIL;
	if (count != 1)
		return fail("the eventfd read %llu after one request, want 1", (unsigned long long)count);
	if (want_eq("io_submit(2 PREADs, RESFD)", sys_io_submit(ctx, 2, list), 2) ||
	    want_eq("io_getevents(2, 2)", sys_io_getevents(ctx, 2, 2, ev, &ts), 2) ||
	    want_eq("read of the eventfd", read(efd, &count, 8), 8))
		return CHECK_FAIL;
	if (count != 2)
		return fail("the eventfd read %llu after two requests, want 2", (unsigned long long)count);
	cb[0].aio_resfd = (uint32_t)fd;
	if (submit_err("io_submit(RESFD a regular file)", ctx, &cb[0], EINVAL))
		return CHECK_FAIL;
	cb[0].aio_resfd = (uint32_t)closed_fd(fd);
	if (submit_err("io_submit(RESFD not open)", ctx, &cb[0], EBADF) ||
	    want_none("after the refused RESFD requests", ctx))
		return CHECK_FAIL;
	errno = 0;
	return want_err("read of the eventfd after the refused requests", read(efd, &count, 8), EAGAIN);
}

/* An eventfd at 2^64 - 2 (the most a write leaves) takes a completion to
 * 2^64 - 1, the overflow Linux's eventfd_signal allows: poll says POLLERR
 * and POLLIN, no POLLOUT, and a read returns 2^64 - 1 (LTP's eventfd06). */
AIO_CHECK(check_resfd_overflow)
{
	aio_context_t ctx;
	struct iocb cb;
	uint64_t count = UINT64_MAX - 1;
	char buf[4];
	int fd = scratch_fd(O_RDWR), efd;

	if (fd < 0 || new_ctx(4, &ctx))
		return CHECK_FAIL;
	if ((efd = track_fd(eventfd(0, EFD_NONBLOCK))) < 0 || write(efd, &count, 8) != 8)
		return fail("eventfd at 2^64 - 2: %s", errname(errno));
	prep(&cb, IOCB_CMD_PREAD, fd, buf, sizeof(buf), 0, 50);
	cb.aio_flags = IOCB_FLAG_RESFD;
	cb.aio_resfd = (uint32_t)efd;
	if (submit1("io_submit(PREAD, RESFD)", ctx, &cb) || want_done("PREAD with RESFD", ctx, &cb, 0))
		return CHECK_FAIL;
	struct pollfd pfd = { efd, POLLIN | POLLOUT, 0 };
	if (want_eq("poll of the eventfd", poll(&pfd, 1, 0), 1) ||
	    want_eq("its revents", pfd.revents, POLLIN | POLLERR) ||
	    want_eq("read of the eventfd", read(efd, &count, 8), 8))
		return CHECK_FAIL;
	if (count != UINT64_MAX)
		return fail("the eventfd read %llu, want 2^64 - 1", (unsigned long long)count);
	return CHECK_OK;
}

/* io_getevents: min_nr past nr or negative EINVAL, a bad time-out EFAULT; a
 * zero time-out returns 0 at once, 50 ms returns 0 after 50 ms at least; a
 * bad events pointer with an event queued is EFAULT, and the event stays
 * queued for the next read. */
AIO_CHECK(check_getevents)
{
	aio_context_t ctx;
	struct io_event ev[2];
	struct timespec zero = { 0, 0 }, ts = ms_ts(SHORT_WAIT_MS), wait = ms_ts(EVENT_WAIT_MS);
	struct iocb cb;
	long long t0, dt;
	int fd = scratch_fd(O_RDWR);

	if (fd < 0 || new_ctx(4, &ctx))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("io_getevents(min_nr 2, nr 1)", sys_io_getevents(ctx, 2, 1, ev, &zero), EINVAL) ||
	    want_err("io_getevents(min_nr -1)", sys_io_getevents(ctx, -1, 1, ev, &zero), EINVAL) ||
	    want_err("io_getevents(bad timeout)", sys_io_getevents(ctx, 1, 1, ev, BAD_PTR), EFAULT))
		return CHECK_FAIL;
	t0 = now_ms();
	if (want_eq("io_getevents(zero timeout), nothing queued", sys_io_getevents(ctx, 1, 2, ev, &zero), 0))
		return CHECK_FAIL;
	if ((dt = now_ms() - t0) > PROMPT_MS)
		return fail("io_getevents with a zero timeout took %lld ms", dt);
	t0 = now_ms();
	if (want_eq("io_getevents(50 ms), nothing queued", sys_io_getevents(ctx, 1, 2, ev, &ts), 0))
		return CHECK_FAIL;
	if ((dt = now_ms() - t0) < SHORT_WAIT_MS || dt > EVENT_WAIT_MS)
		return fail("io_getevents with a %d ms timeout returned after %lld ms", SHORT_WAIT_MS, dt);
	prep(&cb, IOCB_CMD_PWRITE, fd, "q", 1, 0, 3);
	if (submit1("io_submit(PWRITE)", ctx, &cb))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("io_getevents(bad events, one queued)", sys_io_getevents(ctx, 1, 1, BAD_PTR, &wait), EFAULT))
		return CHECK_FAIL;
	if (want_eq("io_getevents after the failed copy", sys_io_getevents(ctx, 1, 2, ev, &wait), 1))
		return CHECK_FAIL;
	return ev[0].data == 3 ? CHECK_OK : fail("the kept event's data is %llu, not 3",
						 (unsigned long long)ev[0].data);
}

static struct waiter {
	aio_context_t ctx;
	int tid;
	long ret;
	int err;
	struct io_event ev;
	int done;
} waiter; /* static: a thread still blocked when its check gives up must not write into a dead frame */

static void *wait_events(void *arg)
{
	struct waiter *w = arg;

	__atomic_store_n(&w->tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	w->ret = sys_io_getevents(w->ctx, 1, 1, &w->ev, NULL);
	w->err = errno;
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* thread_state: thread TID's state letter in /proc/self/task/TID/stat, or 0 when it cannot be read. */
static char thread_state(int tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	return stat_state(path);
}

/* wait_blocked: until thread W sleeps (in io_getevents) or ends; without /proc a grace time; at
 * worst BLOCK_WAIT_MS (the check then goes on: a submission before the wait still must come back). */
static void wait_blocked(struct waiter *w)
{
	long long deadline = now_ms() + BLOCK_WAIT_MS;
	int tid;
	char s;

	while (!(tid = __atomic_load_n(&w->tid, __ATOMIC_ACQUIRE)) && now_ms() < deadline)
		ms_sleep(1);
	while (!__atomic_load_n(&w->done, __ATOMIC_ACQUIRE) && now_ms() < deadline) {
		if ((s = thread_state(tid)) == 0) {
			ms_sleep(NO_PROC_GRACE_MS);
			return;
		}
		if (s == 'S' || s == 'D')
			return;
		ms_sleep(1);
	}
}

/* A thread in io_getevents(min_nr 1, no time-out) is woken by another
 * thread's io_submit and returns that one event. */
AIO_CHECK(check_wake)
{
	struct waiter *w = &waiter;
	long long deadline;
	struct iocb cb;
	pthread_t t;
	int fd = scratch_fd(O_RDWR);

	if (fd < 0 || new_ctx(4, &w->ctx))
		return CHECK_FAIL;
	if (pthread_create(&t, NULL, wait_events, w) != 0)
		return fail("pthread_create");
	wait_blocked(w);
	if (__atomic_load_n(&w->done, __ATOMIC_ACQUIRE)) {
		pthread_join(t, NULL);
		return w->ret == -1 ? fail("io_getevents with nothing queued: %s, want a wait", errname(w->err))
				    : fail("io_getevents with nothing queued returned %ld, want a wait", w->ret);
	}
	prep(&cb, IOCB_CMD_PWRITE, fd, "w", 1, 0, 55);
	if (submit1("io_submit(PWRITE) with a thread waiting", w->ctx, &cb))
		return CHECK_FAIL;
	deadline = now_ms() + BLOCK_WAIT_MS;
	while (!__atomic_load_n(&w->done, __ATOMIC_ACQUIRE) && now_ms() < deadline)
		ms_sleep(1);
	if (!__atomic_load_n(&w->done, __ATOMIC_ACQUIRE))
		return fail("the waiting thread was not woken within %d ms", BLOCK_WAIT_MS);
	pthread_join(t, NULL);
	errno = w->err;
	if (want_eq("the waiting thread's io_getevents", w->ret, 1))
		return CHECK_FAIL;
	return want_event("the waiting thread's event", &w->ev, &cb, 1);
}

static volatile sig_atomic_t got_alarm;

static void on_alarm(int sig)
{
	(void)sig;
	got_alarm = 1;
}

/* alarm_in: SIGALRM (caught, no SA_RESTART) in MS milliseconds; 0 or -1. */
static int alarm_in(long ms)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	got_alarm = 0;
	if (sigaction(SIGALRM, &sa, NULL) != 0)
		return -1;
	return setitimer(ITIMER_REAL, &it, NULL);
}

/* io_pgetevents' signal mask: nothing blocked, a signal during the wait is
 * EINTR; SIGALRM blocked, the wait times out and the signal is taken once
 * the call has put the mask back. */
static int pgetevents_signals(aio_context_t ctx)
{
	struct timespec ts = ms_ts(PWAIT_MS), masked = ms_ts(MASKED_WAIT_MS);
	struct io_event ev;
	sigset_t none, alrm;
	struct aio_sigset sig = { &none, KSIGSET_SIZE };
	long long t0, dt;

	sigemptyset(&none);
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	if (alarm_in(SIGNAL_AFTER_MS))
		return fail("setitimer: %s", errname(errno));
	t0 = now_ms();
	errno = 0;
	if (want_err("io_pgetevents(nothing blocked) with SIGALRM", sys_io_pgetevents(ctx, 1, 1, &ev, &ts, &sig),
		     EINTR))
		return CHECK_FAIL;
	if ((dt = now_ms() - t0) >= PWAIT_MS || !got_alarm)
		return fail("io_pgetevents returned EINTR after %lld ms, the handler %s", dt,
			    got_alarm ? "ran" : "did not run");
	sig.sigmask = &alrm;
	if (alarm_in(SIGNAL_AFTER_MS))
		return fail("setitimer: %s", errname(errno));
	if (want_eq("io_pgetevents(SIGALRM blocked) with SIGALRM",
		    sys_io_pgetevents(ctx, 1, 1, &ev, &masked, &sig), 0))
		return CHECK_FAIL;
	if (!got_alarm)
		return fail("the SIGALRM blocked during io_pgetevents was not taken after it");
	return CHECK_OK;
}

/* io_pgetevents: without a signal mask (usig NULL, or its sigmask NULL) as
 * io_getevents; a wrong sigsetsize EINVAL, a bad usig EFAULT; the mask. */
AIO_CHECK(check_pgetevents)
{
	aio_context_t ctx;
	struct io_event ev;
	struct timespec ts = ms_ts(EVENT_WAIT_MS), zero = { 0, 0 };
	struct iocb cb;
	sigset_t none;
	struct aio_sigset nomask = { NULL, 0 }, badsize = { &none, 4 };
	int fd = scratch_fd(O_RDWR), r;

	sigemptyset(&none);
	if (fd < 0 || new_ctx(4, &ctx))
		return CHECK_FAIL;
	prep(&cb, IOCB_CMD_PWRITE, fd, "p", 1, 0, 60);
	if (submit1("io_submit(PWRITE)", ctx, &cb) ||
	    want_eq("io_pgetevents(usig NULL)", sys_io_pgetevents(ctx, 1, 1, &ev, &ts, NULL), 1) ||
	    want_event("io_pgetevents(usig NULL)", &ev, &cb, 1))
		return CHECK_FAIL;
	cb.aio_data = 61;
	if (submit1("io_submit(PWRITE)", ctx, &cb) ||
	    want_eq("io_pgetevents(sigmask NULL)", sys_io_pgetevents(ctx, 1, 1, &ev, &ts, &nomask), 1) ||
	    want_event("io_pgetevents(sigmask NULL)", &ev, &cb, 1))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("io_pgetevents(sigsetsize 4)", sys_io_pgetevents(ctx, 1, 1, &ev, &zero, &badsize), EINVAL) ||
	    want_err("io_pgetevents(bad usig)", sys_io_pgetevents(ctx, 1, 1, &ev, &zero, BAD_PTR), EFAULT))
		return CHECK_FAIL;
	r = pgetevents_signals(ctx);
	setitimer(ITIMER_REAL, &(struct itimerval){ { 0, 0 }, { 0, 0 } }, NULL);
	signal(SIGALRM, SIG_DFL);
	return r;
}

/* io_cancel: a finished request cannot be cancelled (EINVAL); a bad iocb
 * pointer is EFAULT. */
AIO_CHECK(check_cancel)
{
	aio_context_t ctx;
	struct io_event ev;
	struct iocb cb;
	int fd = scratch_fd(O_RDWR);

	if (fd < 0 || new_ctx(4, &ctx))
		return CHECK_FAIL;
	prep(&cb, IOCB_CMD_PWRITE, fd, "c", 1, 0, 70);
	if (submit1("io_submit(PWRITE)", ctx, &cb) || want_done("PWRITE", ctx, &cb, 1))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("io_cancel(a finished request)", sys_io_cancel(ctx, &cb, &ev), EINVAL) ||
	    want_err("io_cancel(bad iocb)", sys_io_cancel(ctx, BAD_PTR, &ev), EFAULT))
		return CHECK_FAIL;
	return want_none("after io_cancel", ctx);
}

/* A forked child cannot use its parent's context (contexts belong to the
 * address space, and the child's is new): io_submit, io_getevents and
 * io_destroy are EINVAL there; the parent's context works on. */
AIO_CHECK(check_fork)
{
	static const char *calls[] = { "io_submit", "io_getevents", "io_destroy" };
	aio_context_t ctx;
	struct io_event ev;
	struct timespec zero = { 0, 0 };
	struct iocb cb;
	int fd = scratch_fd(O_RDWR), st;
	pid_t pid;

	if (fd < 0 || new_ctx(4, &ctx))
		return CHECK_FAIL;
	prep(&cb, IOCB_CMD_PWRITE, fd, "k", 1, 0, 80);
	if ((pid = fork()) == 0) {
		long r[3];
		int e[3];

		alarm(CHILD_ALARM_S);
		r[0] = sys_io_submit(ctx, 1, (struct iocb *[]){ &cb });
		e[0] = errno;
		r[1] = sys_io_getevents(ctx, 0, 1, &ev, &zero);
		e[1] = errno;
		r[2] = sys_io_destroy(ctx);
		e[2] = errno;
		for (int i = 0; i < 3; i++)
			if (r[i] != -1 || e[i] != EINVAL)
				_exit(10 * (i + 1) + (r[i] == -1 ? 1 : 0));
		_exit(0);
	}
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	if (wait_child(pid, BLOCK_WAIT_MS, &st))
		return CHECK_FAIL;
	if (!WIFEXITED(st))
		return fail("the child was killed by signal %d", WTERMSIG(st));
	if (WEXITSTATUS(st) != 0)
		return fail("the child's %s on the parent's context %s, want EINVAL", calls[WEXITSTATUS(st) / 10 - 1],
			    WEXITSTATUS(st) % 10 ? "failed with another errno" : "succeeded");
	if (want_none("in the parent after the child", ctx) || submit1("the parent's io_submit", ctx, &cb) ||
	    want_done("the parent's PWRITE", ctx, &cb, 1))
		return CHECK_FAIL;
	return lseek(fd, 0, SEEK_END) != 1 ? fail("the file has %ld bytes, want 1 (the parent's only)",
						  (long)lseek(fd, 0, SEEK_END)) : CHECK_OK;
}

static const struct check checks[] = {
	{ "setup", check_setup },
	{ "aio-nr", check_aio_nr },
	{ "destroy", check_destroy },
	{ "rw", check_rw },
	{ "vectored", check_vectored },
	{ "fsync", check_fsync },
	{ "batch", check_batch },
	{ "submit-cap", check_submit_cap },
	{ "queue-full", check_queue_full },
	{ "submit-errors", check_submit_errors },
	{ "resfd", check_resfd },
	{ "resfd-overflow", check_resfd_overflow },
	{ "getevents", check_getevents },
	{ "wake", check_wake },
	{ "pgetevents", check_pgetevents },
	{ "cancel", check_cancel },
	{ "fork", check_fork },
};

int main(int argc, char **argv)
{
	int r;

	snprintf(work, sizeof(work), "/tmp/t-conform_aio.%d", (int)getpid());
	if (mkdir(work, 0700) != 0) {
		printf("conform_aio: mkdir %s: %s\n", work, strerror(errno));
		return 1;
	}
	c_isolate = 1;
	r = run_checks("conform_aio", checks, NELEMS(checks), argc, argv);
	rm_tree(work);
	return r;
}
