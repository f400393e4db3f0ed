// SPDX-License-Identifier: MIT
// Pipe conformance: F_GETPIPE_SZ/F_SETPIPE_SZ, fstat/fstatfs of a pipe, F_GETFL, /proc/self/fd reopen and modes, ESPIPE order, vector checks, tee and vmsplice, wake-ups.
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/param.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include "checks.h"

/*
 * As Linux (pipe(7), fcntl(2)): a pipe holds 64 KiB; F_SETPIPE_SZ rounds
 * up to a power of two pages (0 gives one page), refuses above 2 GiB
 * (EINVAL) and below the bytes waiting (EBUSY), and a program may go up
 * to /proc/sys/fs/pipe-max-size (1 MiB) without privilege, which also
 * caps an unprivileged user's new pipe, as pipe-user-pages-soft and
 * -hard cap the pages all of a user's pipes hold. A pipe's
 * inode is S_IFIFO 0600 on pipefs (PIPEFS_MAGIC), the same for both
 * ends; pipe2's ends have no O_LARGEFILE, opens do. /proc/self/fd/N of a
 * pipe reopens it without waiting for a writer, and its link's mode says
 * how the descriptor is open. The offset calls check ESPIPE before the
 * access mode; readv checks every element before moving a byte; a
 * transfer past the largest offset is EINVAL. tee duplicates what one
 * pipe holds into another without consuming it; vmsplice copies user
 * memory into a pipe as far as there is room, and out of one what is
 * waiting (tee(2), vmsplice(2)). gVisor's pipe_test,
 * readv_test, preadv_test, pread64_test and pwrite64_test check these.
 */
#define PIPEFS_MAGIC_ 0x50495045
#define DEFAULT_SIZE (64 * 1024)
#define PAGE 4096
#define MIB (1024 * 1024)

static int open_pipe(int p[2], int flags)
{
	if (pipe2(p, flags) != 0)
		return fail("pipe2(%#x): %s", flags, errname(errno));
	return CHECK_OK;
}

static void close_pipe(int p[2])
{
	close(p[0]);
	close(p[1]);
}

/* Both ends must report size. */
static int want_size(int p[2], long size)
{
	return want_eq("F_GETPIPE_SZ (read end)", fcntl(p[0], F_GETPIPE_SZ), size) ||
	       want_eq("F_GETPIPE_SZ (write end)", fcntl(p[1], F_GETPIPE_SZ), size);
}

/* Sizes: the default, rounding, the unprivileged limit, EINVAL, EBADF. */
static int check_size(void)
{
	int p[2], r;

	if (open_pipe(p, 0))
		return CHECK_FAIL;
	r = want_size(p, DEFAULT_SIZE) ||
	    want_eq("F_SETPIPE_SZ 0", fcntl(p[0], F_SETPIPE_SZ, 0), PAGE) || want_size(p, PAGE) ||
	    want_eq("F_SETPIPE_SZ page+1", fcntl(p[1], F_SETPIPE_SZ, PAGE + 1), 2 * PAGE) ||
	    want_eq("F_SETPIPE_SZ 3 pages", fcntl(p[0], F_SETPIPE_SZ, 3 * PAGE), 4 * PAGE) ||
	    want_eq("F_SETPIPE_SZ 1 MiB", fcntl(p[0], F_SETPIPE_SZ, MIB), MIB) || want_size(p, MIB);
	errno = 0;
	if (!r)
		r = want_err("F_SETPIPE_SZ 2^63-1", fcntl(p[0], F_SETPIPE_SZ, 0x7fffffffffffffffL), EINVAL);
	errno = 0;
	if (!r)
		r = want_err("F_SETPIPE_SZ 2^31+1", fcntl(p[1], F_SETPIPE_SZ, (1L << 31) + 1), EINVAL);
	int fd = open("/", O_RDONLY | O_DIRECTORY);
	errno = 0;
	if (!r)
		r = want_err("F_GETPIPE_SZ of a directory", fcntl(fd, F_GETPIPE_SZ), EBADF);
	errno = 0;
	if (!r)
		r = want_err("F_SETPIPE_SZ of a directory", fcntl(fd, F_SETPIPE_SZ, PAGE), EBADF);
	close(fd);
	close_pipe(p);
	return r;
}

/* A pipe cannot shrink below what it holds; the bytes survive a resize. */
static int check_size_busy(void)
{
	static char buf[128 * 1024], back[128 * 1024];
	int p[2], r;

	if (open_pipe(p, O_NONBLOCK))
		return CHECK_FAIL;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 13 + i / 4099);
	r = want_eq("F_SETPIPE_SZ 128 KiB", fcntl(p[1], F_SETPIPE_SZ, sizeof(buf)), sizeof(buf)) ||
	    want_eq("write 128 KiB", write(p[1], buf, sizeof(buf)), sizeof(buf));
	errno = 0;
	if (!r)
		r = want_err("F_SETPIPE_SZ 64 KiB when full", fcntl(p[1], F_SETPIPE_SZ, DEFAULT_SIZE), EBUSY) ||
		    want_size(p, sizeof(buf));
	if (!r)
		r = want_eq("read 100 KiB", read(p[0], back, 100 * 1024), 100 * 1024) ||
		    want_eq("F_SETPIPE_SZ 32 KiB holding 28 KiB", fcntl(p[0], F_SETPIPE_SZ, 32 * 1024), 32 * 1024) ||
		    want_eq("read the rest", read(p[0], back + 100 * 1024, sizeof(back)), 28 * 1024);
	if (!r && memcmp(buf, back, sizeof(buf)) != 0)
		r = fail("the bytes changed across the resizes");
	close_pipe(p);
	return r;
}

/* A one-page pipe: PIPE_BUF atomicity and O_NONBLOCK's EAGAIN and partial writes. */
static int check_small_nonblock(void)
{
	static char buf[2 * PAGE];
	int p[2], r, n = -1;

	if (open_pipe(p, O_NONBLOCK))
		return CHECK_FAIL;
	r = want_eq("F_SETPIPE_SZ 0", fcntl(p[0], F_SETPIPE_SZ, 0), PAGE) ||
	    want_eq("write 3000", write(p[1], buf, 3000), 3000);
	errno = 0;
	if (!r)
		r = want_err("write of 2000 (<= PIPE_BUF) into 1096 bytes of room", write(p[1], buf, 2000), EAGAIN);
	if (!r)
		r = want_eq("FIONREAD (write end)", ioctl(p[1], FIONREAD, &n), 0) ||
		    want_eq("FIONREAD count", n, 3000) ||
		    want_eq("read all", read(p[0], buf, sizeof(buf)), 3000) ||
		    want_eq("write of 2 pages (> PIPE_BUF) into one", write(p[1], buf, sizeof(buf)), PAGE);
	errno = 0;
	if (!r)
		r = want_err("write into a full pipe", write(p[1], buf, 1), EAGAIN);
	close_pipe(p);
	return r;
}

/* Reads that must give want bytes, beginning with first. */
static int want_read(int fd, size_t ask, long want, char first, const char *what)
{
	char buf[2 * PAGE];

	memset(buf, 0, sizeof(buf));
	long n = read(fd, buf, ask);
	if (n != want)
		return fail("%s: read(%zu) gave %ld (%s), want %ld", what, ask, n, n < 0 ? errname(errno) : "-", want);
	return n > 0 && buf[0] != first ? fail("%s: read began with %#x, want %#x", what, buf[0], first) : CHECK_OK;
}

/*
 * Packet mode (pipe2's O_DIRECT, pipe(2)): O_DIRECT is the write end's
 * alone; each write (each page of a longer one) is a packet, a read
 * takes at most one and drops what of it does not fit; a packet takes a
 * page slot of its own, so 16 one-byte packets fill a 64 KiB pipe, and a
 * smaller size with more packets waiting is EBUSY. F_SETFL O_DIRECT makes
 * a plain pipe's writes packets from then on, and a packet ends a read
 * (stream bytes before it are read with it). (Linux merges a packet written
 * right after stream bytes into their page: not checked, nor modelled.)
 */
static int check_packets(void)
{
	static char big[PAGE + 904];
	int p[2], r;

	if (open_pipe(p, O_DIRECT | O_NONBLOCK))
		return CHECK_FAIL;
	memset(big, 'B', sizeof(big));
	big[PAGE] = 'C';
	r = want_eq("F_GETFL O_DIRECT (write end)", fcntl(p[1], F_GETFL) & O_DIRECT, O_DIRECT) ||
	    want_eq("F_GETFL O_DIRECT (read end)", fcntl(p[0], F_GETFL) & O_DIRECT, 0) ||
	    want_eq("write ab", write(p[1], "ab", 2), 2) || want_eq("write cde", write(p[1], "cde", 3), 3) ||
	    want_eq("write f", write(p[1], "f", 1), 1) ||
	    want_read(p[0], 100, 2, 'a', "first packet") || want_read(p[0], 2, 2, 'c', "cde into 2 bytes") ||
	    want_read(p[0], 100, 1, 'f', "third packet (e dropped)") ||
	    want_eq("write PAGE + 904", write(p[1], big, sizeof(big)), sizeof(big)) ||
	    want_read(p[0], sizeof(big), PAGE, 'B', "first page") || want_read(p[0], sizeof(big), 904, 'C', "the rest");
	for (int i = 0; !r && i < DEFAULT_SIZE / PAGE; i++)
		r = want_eq("write of a 1-byte packet", write(p[1], "x", 1), 1);
	errno = 0;
	if (!r)
		r = want_err("a 17th packet", write(p[1], "x", 1), EAGAIN) ||
		    want_err("F_SETPIPE_SZ one page with 16 packets", fcntl(p[1], F_SETPIPE_SZ, PAGE), EBUSY);
	close_pipe(p);
	if (r || open_pipe(p, O_NONBLOCK))
		return CHECK_FAIL;
	r = want_eq("F_SETFL O_DIRECT", fcntl(p[1], F_SETFL, O_DIRECT | O_NONBLOCK), 0) ||
	    want_eq("write pq", write(p[1], "pq", 2), 2) || want_eq("write rs", write(p[1], "rs", 2), 2) ||
	    want_eq("F_SETFL without O_DIRECT", fcntl(p[1], F_SETFL, O_NONBLOCK), 0) ||
	    want_eq("write tuv", write(p[1], "tuv", 3), 3) ||
	    want_read(p[0], 1, 1, 'p', "a packet read by 1 byte") || want_read(p[0], 100, 2, 'r', "a packet ends a read") ||
	    want_read(p[0], 100, 3, 't', "stream bytes after packets");
	close_pipe(p);
	return r;
}

/* fstat, fstatfs and F_GETFL of the two ends. */
static int check_stat(void)
{
	struct stat rs, ws;
	struct statfs sf;
	int p[2], r;

	if (open_pipe(p, 0))
		return CHECK_FAIL;
	r = want_ok("fstat (read end)", fstat(p[0], &rs)) || want_ok("fstat (write end)", fstat(p[1], &ws)) ||
	    want_ok("fstatfs", fstatfs(p[0], &sf));
	if (!r && (rs.st_ino != ws.st_ino || rs.st_dev != ws.st_dev))
		r = fail("the ends have different inodes (%lu, %lu)", (unsigned long)rs.st_ino,
			 (unsigned long)ws.st_ino);
	if (!r && rs.st_mode != (S_IFIFO | 0600))
		r = fail("st_mode %#o, want S_IFIFO|0600", rs.st_mode);
	if (!r && (rs.st_blksize != PAGE || rs.st_nlink != 1))
		r = fail("st_blksize %ld st_nlink %lu, want 4096 and 1", (long)rs.st_blksize,
			 (unsigned long)rs.st_nlink);
	if (!r && (sf.f_type != PIPEFS_MAGIC_ || sf.f_bsize != PAGE || sf.f_namelen != NAME_MAX))
		r = fail("fstatfs: f_type %#lx f_bsize %ld f_namelen %ld, want PIPEFS_MAGIC 4096 255",
			 (long)sf.f_type, (long)sf.f_bsize, (long)sf.f_namelen);
	if (!r)
		r = want_eq("F_GETFL (read end)", fcntl(p[0], F_GETFL), O_RDONLY) ||
		    want_eq("F_GETFL (write end)", fcntl(p[1], F_GETFL), O_WRONLY);
	close_pipe(p);
	return r;
}

/* A FIFO's ends are opened: O_LARGEFILE shows; its capacity is a pipe's. */
static int check_fifo_flags(void)
{
	int r, rd, wr;

	unlink(P("fifo"));
	if (mkfifo(P("fifo"), 0644) != 0)
		return fail("mkfifo: %s", errname(errno));
	rd = open(P("fifo"), O_RDONLY | O_NONBLOCK);
	wr = open(P("fifo"), O_WRONLY | O_NONBLOCK);
	r = want_ok("open the FIFO O_RDONLY|O_NONBLOCK", rd) || want_ok("open it O_WRONLY|O_NONBLOCK", wr) ||
	    want_eq("F_GETFL (reader)", fcntl(rd, F_GETFL), O_LARGEFILE | O_RDONLY | O_NONBLOCK) ||
	    want_eq("F_GETFL (writer)", fcntl(wr, F_GETFL), O_LARGEFILE | O_WRONLY | O_NONBLOCK) ||
	    want_eq("F_GETPIPE_SZ of a FIFO", fcntl(rd, F_GETPIPE_SZ), DEFAULT_SIZE) ||
	    want_eq("F_SETPIPE_SZ of a FIFO", fcntl(wr, F_SETPIPE_SZ, 0), PAGE) ||
	    want_eq("F_GETPIPE_SZ of the other end", fcntl(rd, F_GETPIPE_SZ), PAGE);
	close(rd);
	close(wr);
	unlink(P("fifo"));
	return r;
}

/* /proc/self/fd/N: the link's text and mode, and a reopen that does not wait. */
static int check_proc_fd(void)
{
	char path[64], link[64], want[64];
	struct stat st, ls;
	int p[2], r, fd = -1, v = 0x12345678, got = 0;

	if (open_pipe(p, 0))
		return CHECK_FAIL;
	r = want_ok("fstat", fstat(p[0], &st));
	snprintf(want, sizeof(want), "pipe:[%lu]", (unsigned long)st.st_ino);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	long n = r ? -1 : readlink(path, link, sizeof(link) - 1);
	if (!r && (n < 0 || (link[n] = 0, strcmp(link, want) != 0)))
		r = fail("readlink %s: %s, want %s", path, n < 0 ? errname(errno) : link, want);
	if (!r)
		r = want_ok("lstat of the read end's link", lstat(path, &ls));
	if (!r && ls.st_mode != (S_IFLNK | 0500))
		r = fail("the read end's link has mode %#o, want S_IFLNK|0500", ls.st_mode);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[1]);
	if (!r)
		r = want_ok("lstat of the write end's link", lstat(path, &ls));
	if (!r && ls.st_mode != (S_IFLNK | 0300))
		r = fail("the write end's link has mode %#o, want S_IFLNK|0300", ls.st_mode);
	if (!r)
		r = want_eq("write 4", write(p[1], &v, sizeof(v)), sizeof(v));
	close(p[1]);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	if (!r) /* no writer is left: an open of a FIFO would wait, a pipe's does not */
		r = want_ok("open /proc/self/fd/N of a pipe O_RDONLY", fd = open(path, O_RDONLY));
	if (!r)
		r = want_eq("read through the reopened end", read(fd, &got, sizeof(got)), sizeof(got)) ||
		    want_eq("the value read", got, v) || want_eq("then EOF", read(fd, &got, sizeof(got)), 0) ||
		    want_eq("F_GETFL of the reopened end", fcntl(fd, F_GETFL), O_LARGEFILE | O_RDONLY);
	if (fd >= 0)
		close(fd);
	close(p[0]);
	return r;
}

/* /proc/self/fdinfo/N: a file per descriptor with its flags; looking at it
 * keeps no reference (the pipe still sees its writer close). */
static int check_fdinfo(void)
{
	char path[64], text[256] = { 0 }, want[32];
	struct stat st;
	int p[2], r, fd;

	if (open_pipe(p, O_CLOEXEC))
		return CHECK_FAIL;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", p[1]);
	r = want_ok("lstat /proc/self/fdinfo/N", lstat(path, &st));
	if (!r && !S_ISREG(st.st_mode))
		r = fail("%s has mode %#o, want a regular file", path, st.st_mode);
	if (!r)
		r = want_ok("open it", fd = open(path, O_RDONLY));
	if (!r) {
		r = want_ok("read it", read(fd, text, sizeof(text) - 1));
		close(fd);
	}
	snprintf(want, sizeof(want), "flags:\t0%o\n", O_WRONLY | O_CLOEXEC);
	if (!r && (strncmp(text, "pos:\t0\n", 7) != 0 || !strstr(text, want)))
		r = fail("%s reads \"%s\", want pos 0 and flags 0%o", path, text, O_WRONLY | O_CLOEXEC);
	close(p[1]);
	if (!r)
		r = want_eq("read after the writer closed", read(p[0], text, 1), 0);
	close(p[0]);
	return r;
}

/* The offset calls: ESPIPE before EBADF, as Linux checks FMODE_PREAD first. */
static int check_espipe(void)
{
	struct iovec iov;
	int p[2], r = CHECK_OK, buf = 0;

	if (open_pipe(p, 0))
		return CHECK_FAIL;
	iov.iov_base = &buf;
	iov.iov_len = sizeof(buf);
	errno = 0;
	r = want_err("lseek", lseek(p[0], 0, SEEK_CUR), ESPIPE);
	errno = 0;
	if (!r)
		r = want_err("pread of the write end", pread(p[1], &buf, sizeof(buf), 0), ESPIPE);
	errno = 0;
	if (!r)
		r = want_err("pwrite of the read end", pwrite(p[0], &buf, sizeof(buf), 0), ESPIPE);
	errno = 0;
	if (!r)
		r = want_err("preadv of the write end", preadv(p[1], &iov, 1, 0), ESPIPE);
	errno = 0;
	if (!r)
		r = want_err("pwritev of the read end", pwritev(p[0], &iov, 1, 0), ESPIPE);
	errno = 0;
	if (!r)
		r = want_err("pread at -1", pread(p[0], &buf, sizeof(buf), -1), EINVAL);
	close_pipe(p);
	return r;
}

/* readv checks the whole vector first; offsets past the largest are EINVAL; O_PATH is EBADF. */
static int check_vectors(void)
{
	char buf[16] = { 0 };
	struct iovec iov[2] = { { (void *)~(uintptr_t)0, 0 }, { buf, sizeof(buf) } };
	int p[2], r, fd = -1, op = -1;

	if (open_pipe(p, O_NONBLOCK))
		return CHECK_FAIL;
	r = want_eq("write 4", write(p[1], "abcd", 4), 4);
	errno = 0;
	if (!r)
		r = want_err("readv with an empty element at ~0", readv(p[0], iov, 2), EFAULT) ||
		    want_eq("the bytes are still there", read(p[0], buf, sizeof(buf)), 4);
	close_pipe(p);
	if (!r)
		r = want_ok("open a file", fd = open(P("file"), O_RDWR | O_CREAT | O_APPEND, 0644));
	errno = 0;
	if (!r)
		r = want_err("pread at 2^63-1", pread(fd, buf, 10, INT64_MAX), EINVAL);
	errno = 0;
	if (!r)
		r = want_err("pwrite at 2^63-1 (O_APPEND)", pwrite(fd, buf, 10, INT64_MAX), EINVAL);
	errno = 0;
	iov[0].iov_base = buf;
	iov[0].iov_len = 10;
	if (!r)
		r = want_err("preadv at 2^63-1", preadv(fd, iov, 1, INT64_MAX), EINVAL);
	if (!r)
		r = want_ok("open O_PATH", op = open(P("file"), O_PATH));
	errno = 0;
	iov[0].iov_base = NULL;
	iov[0].iov_len = 0;
	if (!r)
		r = want_err("preadv of O_PATH", preadv(op, iov, 1, 0), EBADF);
	errno = 0;
	if (!r)
		r = want_err("pwrite of O_PATH", pwrite(op, buf, 1, 0), EBADF);
	if (op >= 0)
		close(op);
	if (fd >= 0)
		close(fd);
	unlink(P("file"));
	return r;
}

/* tee: what pipe a holds goes into pipe b and stays in a; the errors. */
static int check_tee(void)
{
	int a[2], b[2], fd = open("/dev/null", O_RDWR);
	char buf[16] = { 0 };

	if (pipe(a) || pipe(b) || fd < 0)
		return fail("pipe: %s", errname(errno));
	int r = want_eq("write 10", write(a[1], "0123456789", 10), 10) ||
		want_eq("tee 4", tee(a[0], b[1], 4, 0), 4) ||
		want_eq("b holds 4", read(b[0], buf, sizeof(buf)), 4) ||
		want_eq("b's bytes", (long)memcmp(buf, "0123", 4), 0) ||
		want_eq("tee the rest and more", tee(a[0], b[1], 100, 0), 10) ||
		want_eq("a still holds 10", read(a[0], buf, sizeof(buf)), 10) ||
		want_eq("a's bytes", (long)memcmp(buf, "0123456789", 10), 0) ||
		want_err("empty a, NONBLOCK", tee(a[0], b[1], 4, SPLICE_F_NONBLOCK), EAGAIN) ||
		want_eq("length 0", tee(a[0], b[1], 0, 0), 0) ||
		want_err("unknown flag", tee(a[0], b[1], 4, 0x10), EINVAL) ||
		want_err("a pipe into itself", tee(a[0], a[1], 4, 0), EINVAL) ||
		want_err("from a file", tee(fd, b[1], 4, 0), EINVAL) ||
		want_err("into a file", tee(a[0], fd, 4, 0), EINVAL) ||
		want_err("from a write end", tee(a[1], b[1], 4, 0), EBADF) ||
		want_err("into a read end", tee(a[0], b[0], 4, 0), EBADF) ||
		want_err("a closed descriptor", tee(-1, b[1], 4, 0), EBADF);
	close(a[1]);
	if (!r)
		r = want_eq("no writer left", tee(a[0], b[1], 4, 0), 0);
	close(a[0]);
	close(b[0]);
	close(b[1]);
	close(fd);
	return r ? CHECK_FAIL : CHECK_OK;
}

/* A memfd holding n bytes of 'x' (the splice checks' other end), or -1. */
static int memfd_with(size_t n)
{
	static char buf[PAGE];
	int fd = (int)syscall(SYS_memfd_create, "conform-pipe", 0);

	memset(buf, 'x', sizeof(buf));
	for (size_t done = 0; fd >= 0 && done < n;) {
		size_t k = n - done < sizeof(buf) ? n - done : sizeof(buf);
		if (write(fd, buf, k) != (ssize_t)k) {
			close(fd);
			return -1;
		}
		done += k;
	}
	return fd;
}

/* A splice into a pipe takes a page of its own (Linux's pipe gives each
 * spliced buffer a slot): a one-page pipe with any byte in it has none,
 * even once the head's bytes are partly read; an empty one takes a page. */
static int check_splice_slots(void)
{
	static char buf[PAGE];
	int p[2], fd = memfd_with(PAGE), r;
	loff_t off = 0;

	if (fd < 0 || open_pipe(p, 0))
		return fail("memfd or pipe: %s", errname(errno));
	r = want_eq("F_SETPIPE_SZ one page", fcntl(p[1], F_SETPIPE_SZ, PAGE), PAGE) ||
	    want_eq("write a page less 128", write(p[1], buf, PAGE - 128), PAGE - 128);
	errno = 0;
	if (!r)
		r = want_err("splice into 128 bytes of room", splice(fd, &off, p[1], NULL, PAGE, SPLICE_F_NONBLOCK),
			     EAGAIN) ||
		    want_eq("read 100", read(p[0], buf, 100), 100);
	errno = 0;
	if (!r)
		r = want_err("splice with the head page partly read", splice(fd, &off, p[1], NULL, PAGE, SPLICE_F_NONBLOCK),
			     EAGAIN) ||
		    want_eq("read the rest", read(p[0], buf, PAGE), PAGE - 228) ||
		    want_eq("splice into the empty pipe", splice(fd, &off, p[1], NULL, PAGE, SPLICE_F_NONBLOCK), PAGE);
	close_pipe(p);
	close(fd);
	return r ? CHECK_FAIL : CHECK_OK;
}

/* splice and sendfile: an offset the transfer would carry past the largest
 * file offset is EINVAL before anything moves; splice into a file at its
 * RLIMIT_FSIZE is EFBIG (SIGXFSZ ignored here) and leaves the pipe's bytes
 * where they were. */
static int check_splice_limits(void)
{
	int p[2], in = memfd_with(16), out = memfd_with(MIB), r;
	loff_t big = 0x7ffffffffffffffeLL;
	off_t sbig = 0x7ffffffffffffffeLL;
	struct rlimit was, lim;
	char buf[8];

	if (in < 0 || out < 0 || open_pipe(p, 0) || getrlimit(RLIMIT_FSIZE, &was))
		return fail("memfd, pipe or getrlimit: %s", errname(errno));
	signal(SIGXFSZ, SIG_IGN);
	r = want_eq("write 8", write(p[1], "abcdefgh", 8), 8);
	errno = 0;
	if (!r)
		r = want_err("splice to an offset past the largest", splice(p[0], NULL, out, &big, 3, 0), EINVAL) ||
		    want_err("sendfile from an offset past the largest", sendfile(out, in, &sbig, 3), EINVAL);
	lim = was;
	lim.rlim_cur = MIB;
	if (!r && setrlimit(RLIMIT_FSIZE, &lim))
		r = fail("setrlimit: %s", errname(errno));
	errno = 0;
	if (!r) {
		r = want_eq("lseek to the end", lseek(out, 0, SEEK_END), MIB) ||
		    want_err("splice at RLIMIT_FSIZE", splice(p[0], NULL, out, NULL, 8, 0), EFBIG);
		setrlimit(RLIMIT_FSIZE, &was);
	}
	if (!r)
		r = want_eq("the pipe still holds 8", read(p[0], buf, sizeof(buf)), 8);
	signal(SIGXFSZ, SIG_DFL);
	close_pipe(p);
	close(in);
	close(out);
	return r ? CHECK_FAIL : CHECK_OK;
}

/* sendfile of a file to itself, reading from offset 0 while it grows at
 * its end: the whole count goes (a short read is not the file's end). */
static int check_sendfile_self(void)
{
	int fd = memfd_with(1);
	off_t off = 0;

	if (fd < 0)
		return fail("memfd_create: %s", errname(errno));
	int r = want_eq("sendfile 64 KiB of a 1-byte file to itself", sendfile(fd, fd, &off, 64 * 1024), 64 * 1024) ||
		want_eq("the offset after", off, 64 * 1024) ||
		want_eq("the size after", lseek(fd, 0, SEEK_END), 64 * 1024 + 1);
	close(fd);
	return r ? CHECK_FAIL : CHECK_OK;
}

/* vmsplice: a vector into a pipe up to its room, out of one what waits. */
static int check_vmsplice(void)
{
	/* page-aligned: Linux's pipe holds 16 pages, not 64 KiB from anywhere */
	char *big = mmap(NULL, DEFAULT_SIZE + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	int p[2], fd = open("/dev/null", O_WRONLY);
	char x[8] = { 0 }, y[8] = { 0 };

	if (big == MAP_FAILED || pipe(p) || fd < 0)
		return fail("mmap or pipe: %s", errname(errno));
	struct iovec in[2] = { { "abc", 3 }, { "defgh", 5 } }, out[2] = { { x, 2 }, { y, 8 } };
	struct iovec all = { big, DEFAULT_SIZE + 4096 };
	int r = want_eq("vmsplice 8 in", vmsplice(p[1], in, 2, 0), 8) ||
		want_eq("vmsplice out", vmsplice(p[0], out, 2, 0), 8) ||
		want_eq("the bytes", (long)(memcmp(x, "ab", 2) | memcmp(y, "cdefgh", 6)), 0) ||
		want_err("empty, NONBLOCK", vmsplice(p[0], out, 2, SPLICE_F_NONBLOCK), EAGAIN) ||
		want_eq("more than the room", vmsplice(p[1], &all, 1, 0), DEFAULT_SIZE) ||
		want_err("full, NONBLOCK", vmsplice(p[1], in, 1, SPLICE_F_NONBLOCK), EAGAIN) ||
		want_err("a file", vmsplice(fd, in, 1, 0), EBADF) ||
		want_err("IOV_MAX + 1", vmsplice(p[1], in, IOV_MAX + 1, 0), EINVAL) ||
		want_err("unknown flag", vmsplice(p[1], in, 1, 0x10), EINVAL) ||
		want_err("a bad vector", vmsplice(p[0], (void *)8, 1, 0), EFAULT) ||
		want_eq("an empty vector", vmsplice(p[1], in, 0, 0), 0);
	close(p[0]);
	close(p[1]);
	close(fd);
	munmap(big, DEFAULT_SIZE + 4096);
	return r ? CHECK_FAIL : CHECK_OK;
}

#define MAX_SIZE_PATH "/proc/sys/fs/pipe-max-size"

/* Write v to /proc/sys/fs/pipe-max-size: 0 or -1. */
static int set_max_size(long v)
{
	FILE *f = fopen(MAX_SIZE_PATH, "w");
	int r = f && fprintf(f, "%ld\n", v) > 0 ? 0 : -1;

	if (f && fclose(f))
		r = -1;
	return r;
}

/* Does this process have CAP_SYS_RESOURCE (24) in its effective set? */
static int has_sys_resource(void)
{
	char line[128];
	unsigned long long eff = 0;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	if (f)
		fclose(f);
	return (eff >> 24) & 1;
}

/* A child that makes a pipe as uid: exit 0 when it holds want bytes. */
static pid_t new_pipe_child(uid_t uid, long want)
{
	pid_t pid = fork();

	if (pid == 0) {
		int p[2];
		if ((uid && setuid(uid)) || pipe(p))
			_exit(1);
		_exit(fcntl(p[0], F_GETPIPE_SZ) == want ? 0 : 2);
	}
	return pid;
}

/* A new pipe of a user without CAP_SYS_RESOURCE holds no more than
 * pipe-max-size (LTP's fcntl35); root's holds the usual 64 KiB. Needs
 * root to change the limit; it is put back at once. */
static int check_new_pipe_limit(void)
{
	long old = 0;
	FILE *f = fopen(MAX_SIZE_PATH, "r");

	if (!f || fscanf(f, "%ld", &old) != 1) {
		if (f)
			fclose(f);
		return fail("read %s: %s", MAX_SIZE_PATH, errname(errno));
	}
	fclose(f);
	if (geteuid() != 0)
		return skip("not root: %s stays", MAX_SIZE_PATH);
	if (set_max_size(PAGE))
		return fail("write %s: %s", MAX_SIZE_PATH, errname(errno));
	long root_size = has_sys_resource() ? 16 * PAGE : PAGE; /* a container's root may lack it */
	pid_t user = new_pipe_child(65534, PAGE), root = new_pipe_child(0, root_size);
	int r = want_exit("a user's new pipe (2: not one page)", user, 0) |
		want_exit("root's new pipe (2: not 64 KiB with CAP_SYS_RESOURCE, else a page)", root, 0);
	if (set_max_size(old))
		return fail("put %s back to %ld: %s", MAX_SIZE_PATH, old, errname(errno));
	return r ? CHECK_FAIL : CHECK_OK;
}

#define SOFT_PATH "/proc/sys/fs/pipe-user-pages-soft"
#define HARD_PATH "/proc/sys/fs/pipe-user-pages-hard"

/* Write v to a /proc/sys file: 0 or -1. */
static int write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	int r = f && fprintf(f, "%ld\n", v) > 0 ? 0 : -1;

	if (f && fclose(f))
		r = -1;
	return r;
}

/* As user nobody: pipes of 16, 2 and 2 pages, then ENFILE; exit 0 or a step. */
static int user_pages_child(void)
{
	int p[4][2];

	if (setuid(65534))
		return 1;
	if (pipe(p[0]) || fcntl(p[0][0], F_GETPIPE_SZ) != 16 * PAGE)
		return 2; /* at the soft limit: a full pipe */
	if (pipe(p[1]) || fcntl(p[1][0], F_GETPIPE_SZ) != 2 * PAGE)
		return 3; /* past it: two pages */
	if (pipe(p[2]) || fcntl(p[2][0], F_GETPIPE_SZ) != 2 * PAGE)
		return 4; /* 20 pages in all: at the hard limit */
	if (pipe(p[3]) != -1 || errno != ENFILE)
		return 5; /* past the hard limit */
	if (fcntl(p[1][0], F_SETPIPE_SZ, 4 * PAGE) != -1 || errno != EPERM)
		return 6; /* growing past it */
	return 0;
}

/* fs.pipe-user-pages-soft and -hard (LTP's pipe15 reads the first): a
 * user without CAP_SYS_RESOURCE and CAP_SYS_ADMIN whose pipes hold more
 * pages than the soft limit gets two-page pipes, past the hard limit
 * none (ENFILE) and no growth (EPERM). Root only; both are put back. */
static int check_user_pages(void)
{
	long soft = -1, hard = -1;

	if (read_long(SOFT_PATH, &soft) || read_long(HARD_PATH, &hard))
		return fail("read %s and %s: %s", SOFT_PATH, HARD_PATH, errname(errno));
	if (geteuid() != 0)
		return skip("not root: the limits stay");
	if (write_long(SOFT_PATH, 16) || write_long(HARD_PATH, 20)) {
		write_long(SOFT_PATH, soft);
		return fail("write the limits: %s", errname(errno));
	}
	pid_t pid = fork();
	if (pid == 0)
		_exit(user_pages_child());
	int r = want_exit("nobody's pipes (2-6: the step that went wrong)", pid, 0);
	if (write_long(SOFT_PATH, soft) || write_long(HARD_PATH, hard))
		return fail("put the limits back: %s", errname(errno));
	return r;
}

#define WAKE_SETTLE_US 200000 /* time for a child to reach its sleep in the pipe */
#define WAKE_LIMIT_S 4         /* a child still asleep after this was never woken (under want_exit's 5 s) */

/* A writer asleep for room wakes as a reader frees it a byte at a time:
 * a write of PIPE_BUF bytes (all at once) into a full pipe ends once
 * that many bytes were read, whichever read freed the last of them
 * (Linux wakes writers when a read empties a page slot of a full pipe).
 * The first byte's read is followed by a pause, so that a writer woken
 * by it alone goes back to sleep: a wake only on the read that found
 * the pipe full leaves it asleep, killed by its alarm. */
static int check_wake_writer(void)
{
	static char buf[DEFAULT_SIZE];
	int p[2], r = 0;
	char c;

	if (open_pipe(p, 0))
		return CHECK_FAIL;
	if (want_eq("fill the pipe", write(p[1], buf, sizeof(buf)), sizeof(buf))) {
		close_pipe(p);
		return CHECK_FAIL;
	}
	pid_t pid = fork();
	if (pid == 0) {
		alarm(WAKE_LIMIT_S);
		_exit(write(p[1], buf, PIPE_BUF) == PIPE_BUF ? 0 : 1);
	}
	usleep(WAKE_SETTLE_US);
	for (int i = 0; i < PIPE_BUF && !r; i++) {
		r = want_eq("a one-byte read", read(p[0], &c, 1), 1);
		if (i == 0)
			usleep(WAKE_SETTLE_US);
	}
	if (!r)
		r = want_exit("the writer of PIPE_BUF bytes into a full pipe", pid, 0);
	else
		kill(pid, SIGKILL);
	close_pipe(p);
	return r;
}

/* Milliseconds since *t0 (CLOCK_MONOTONIC). */
static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)(t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* epoll's edge-triggered mode reports every write into a pipe, even one
 * into a pipe that holds bytes already, and wakes a waiter asleep on it
 * at once (Linux's pipe->poll_usage: once polled, every write wakes): a
 * wait that ends only with its timeout (a look after it finds the event
 * too) is a wake-up missed. */
static int check_epoll_each_write(void)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, out;
	int p[2], ep = epoll_create1(0), r;

	if (ep < 0)
		return fail("epoll_create1: %s", errname(errno));
	if (open_pipe(p, 0)) {
		close(ep);
		return CHECK_FAIL;
	}
	r = want_ok("EPOLL_CTL_ADD", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev)) ||
	    want_eq("write a", write(p[1], "a", 1), 1) ||
	    want_eq("epoll_wait after the first write", epoll_wait(ep, &out, 1, 0), 1) ||
	    want_eq("epoll_wait with nothing new", epoll_wait(ep, &out, 1, 0), 0) ? CHECK_FAIL : CHECK_OK;
	int hold[2]; /* the writer stays until the wait is over: its exit would wake the waiter too */
	if (!r && open_pipe(hold, 0))
		r = CHECK_FAIL;
	if (!r) {
		pid_t pid = fork();
		if (pid == 0) {
			char c;
			close(hold[1]);
			usleep(WAKE_SETTLE_US);
			int ok = write(p[1], "b", 1) == 1;
			_exit(ok && read(hold[0], &c, 1) == 0 ? 0 : 1);
		}
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = want_eq("epoll_wait asleep through a write into a pipe holding a byte",
			    epoll_wait(ep, &out, 1, WAKE_LIMIT_S * 1000), 1);
		long ms = ms_since(&t0);
		if (!r && ms >= WAKE_LIMIT_S * 1000 / 2)
			r = fail("epoll_wait woke %ld ms after the wait began, the write %d ms in: not by the write",
				 ms, WAKE_SETTLE_US / 1000);
		close(hold[1]);
		if (want_exit("the second writer", pid, 0))
			r = CHECK_FAIL;
		close(hold[0]);
	}
	close(ep);
	close_pipe(p);
	return r;
}

static const struct check checks[] = {
	{ "size", check_size },
	{ "size-busy", check_size_busy },
	{ "small-nonblock", check_small_nonblock },
	{ "packets", check_packets },
	{ "stat", check_stat },
	{ "fifo-flags", check_fifo_flags },
	{ "proc-fd", check_proc_fd },
	{ "fdinfo", check_fdinfo },
	{ "espipe", check_espipe },
	{ "vectors", check_vectors },
	{ "tee", check_tee },
	{ "vmsplice", check_vmsplice },
	{ "splice-slots", check_splice_slots },
	{ "splice-limits", check_splice_limits },
	{ "sendfile-self", check_sendfile_self },
	{ "new-pipe-limit", check_new_pipe_limit },
	{ "user-pages", check_user_pages },
	{ "wake-writer", check_wake_writer },
	{ "epoll-each-write", check_epoll_each_write },
};

int main(int argc, char **argv)
{
	int r;

	signal(SIGPIPE, SIG_IGN);
	snprintf(work, sizeof(work), "/tmp/t-conform_pipe.%d", (int)getpid());
	rm_tree(work);
	if (mkdir(work, 0755) != 0) {
		t_begin("conform_pipe");
		t_fail("cannot make the scratch directory %s: %s", work, errname(errno));
		return t_finish();
	}
	r = run_checks("conform_pipe", checks, NELEMS(checks), argc, argv);
	rm_tree(work);
	return r;
}
