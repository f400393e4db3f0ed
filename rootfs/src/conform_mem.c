// SPDX-License-Identifier: MIT
// Memory and descriptor conformance: W+X and mmap's flags, mprotect's prot bits, maps' protection,
// getdents(78), O_PATH, MAP_GROWSDOWN.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "checks.h"

/*
 * What Linux does and gVisor's mmap_test and getdents_test check:
 * - an anonymous mapping may be readable, writable and executable at
 *   once (W^X is for ELF segments, not for what a program asks);
 * - mmap ignores flags it does not know with MAP_PRIVATE/MAP_SHARED;
 *   MAP_SHARED_VALIDATE is EINVAL for anonymous memory, and so is
 *   MAP_SHARED|MAP_GROWSDOWN; MAP_FIXED_NOREPLACE fails with EEXIST over
 *   any mapping (even with MAP_FIXED, even a partial overlap) and leaves
 *   it alone; a hint need not be page aligned; MAP_LOCKED is accepted;
 *   MAP_32BIT maps below 4 GiB;
 * - a file mapping checks read access (EACCES, e.g. a pipe's write end)
 *   before whether the file can be mapped (ENODEV), an O_PATH descriptor
 *   is EBADF, and an offset whose last page passes the largest off_t is
 *   EOVERFLOW;
 * - mprotect accepts PROT_SEM, refuses other unknown bits and
 *   PROT_GROWSDOWN on a region that does not grow down (EINVAL), and a
 *   zero length succeeds before prot is looked at;
 * - getdents (78) lists struct linux_dirent records: 8-byte aligned,
 *   d_type in each record's last byte; a count of 0 or over INT_MAX is
 *   EINVAL; an O_PATH descriptor EBADF, a regular file ENOTDIR; a /proc
 *   directory seeks to its end (SEEK_END) like a file;
 * - an O_PATH descriptor takes only F_DUPFD(_CLOEXEC), F_GETFD, F_SETFD
 *   and F_GETFL (which shows O_PATH, without O_LARGEFILE); every other
 *   fcntl, and read, write, ioctl, fchmod, fchown, fsync, is EBADF;
 * - /proc/self/maps shows a region's protection as asked: PROT_WRITE
 *   alone is "-w-", PROT_EXEC alone "--x" (x86 reads such pages, and
 *   so may the program: reading one is no fault); a shared mapping of
 *   /dev/zero opened read-only never becomes writable (EACCES).
 * Scratch files live in /tmp/t-conform_mem.PID.
 */
#define PAGE 4096ul
#define PROT_SEM_BIT 0x8          /* Linux's PROT_SEM (musl does not define it) */
#define MAP_UNKNOWN_FLAG 0x800000 /* no mmap flag of Linux's */
#define TEST_ADDR 0x30000000ul
#define SYS_getdents_old 78       /* musl has SYS_getdents; spelled out: the old layout is the point */
#define LINUX_DIRENT_NAME 18      /* offsetof(struct linux_dirent, d_name) */

static long map(unsigned long addr, size_t len, int prot, int flags, int fd, long off)
{
	return syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

/* ---- mmap-wx ---- */

/* A RWX page takes code and runs it: mov $42, %eax; ret. */
static int check_mmap_wx(void)
{
	static const unsigned char code[] = { 0xb8, 42, 0, 0, 0, 0xc3 };
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return fail("mmap(PROT_READ|PROT_WRITE|PROT_EXEC): %s, want a mapping", errname(errno));
	memcpy(p, code, sizeof(code));
	int r = ((int (*)(void))(uintptr_t)p)();
	munmap(p, PAGE);
	if (r != 42)
		return fail("the code written to the RWX page returned %d, want 42", r);
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	r = want_eq("mprotect(PROT_READ|PROT_WRITE|PROT_EXEC)",
		    mprotect(p, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC), 0);
	munmap(p, PAGE);
	return r;
}

/* ---- mmap-flags ---- */

static int check_noreplace(void)
{
	long a = map(TEST_ADDR, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		     -1, 0);
	int r;

	if (a != (long)TEST_ADDR)
		return fail("MAP_FIXED_NOREPLACE on a free range: %lx (%s), want %lx", a, errname(errno),
			    TEST_ADDR);
	*(volatile int *)a = 7;
	r = want_err("MAP_FIXED_NOREPLACE over a mapping",
		     map(TEST_ADDR, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0),
		     EEXIST);
	if (!r)
		r = want_err("MAP_FIXED|MAP_FIXED_NOREPLACE over a mapping",
			     map(TEST_ADDR, PAGE, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	if (!r)
		r = want_err("MAP_FIXED_NOREPLACE partly over a mapping",
			     map(TEST_ADDR - PAGE, 2 * PAGE, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	if (!r && *(volatile int *)a != 7)
		r = fail("the mapping under MAP_FIXED_NOREPLACE lost its contents");
	if (!r)
		r = want_err("MAP_FIXED_NOREPLACE at an unaligned address",
			     map(TEST_ADDR + 1, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
				 -1, 0), EINVAL);
	munmap((void *)a, PAGE);
	return r;
}

/* A flag that maps: success, unmapped again. */
static int maps(const char *what, unsigned long hint, int flags)
{
	long a = map(hint, PAGE, PROT_READ, flags, -1, 0);

	if (a == -1)
		return fail("%s: %s, want a mapping", what, errname(errno));
	munmap((void *)a, PAGE);
	return CHECK_OK;
}

static int check_mmap_flags(void)
{
	int r = check_noreplace();
	long a;

	if (!r)
		r = maps("an unaligned hint", TEST_ADDR + 1, MAP_PRIVATE | MAP_ANONYMOUS);
	if (!r)
		r = maps("an unknown flag with MAP_PRIVATE", 0, MAP_PRIVATE | MAP_ANONYMOUS | MAP_UNKNOWN_FLAG);
	if (!r)
		r = maps("MAP_LOCKED", 0, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED);
	if (!r)
		r = maps("MAP_POPULATE|MAP_NORESERVE", 0, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_NORESERVE);
	if (!r)
		r = want_err("anonymous MAP_SHARED_VALIDATE",
			     map(0, PAGE, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	if (!r)
		r = want_err("anonymous MAP_SHARED|MAP_GROWSDOWN",
			     map(0, PAGE, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0), EINVAL);
	if (r)
		return r;
	a = map(0, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (a == -1)
		return fail("MAP_32BIT: %s", errname(errno));
	munmap((void *)a, PAGE);
	if ((unsigned long)a + PAGE > 1ul << 32)
		return fail("MAP_32BIT mapped at %lx, want below 4 GiB", a);
	return CHECK_OK;
}

/* ---- mmap-file-errors ---- */

static int check_mmap_file_errors(void)
{
	int fds[2], fd, op, r;

	if (pipe(fds))
		return fail("pipe: %s", errname(errno));
	r = want_err("mmap of a pipe's read end", map(0, PAGE, PROT_READ, MAP_PRIVATE, fds[0], 0), ENODEV);
	if (!r)
		r = want_err("mmap of a pipe's write end", map(0, PAGE, PROT_READ, MAP_PRIVATE, fds[1], 0), EACCES);
	close(fds[0]);
	close(fds[1]);
	fd = open(P("f"), O_RDWR | O_CREAT, 0644);
	op = open(P("f"), O_PATH);
	if (fd < 0 || op < 0)
		r = fail("open: %s", errname(errno));
	if (!r)
		r = want_err("mmap of an O_PATH descriptor", map(0, PAGE, PROT_READ, MAP_PRIVATE, op, 0), EBADF);
	if (!r)
		r = want_err("mmap at the last positive page", map(0, PAGE, PROT_READ, MAP_PRIVATE, fd,
								   INT64_MAX & ~(long)(PAGE - 1)), EOVERFLOW);
	if (!r)
		r = want_err("mmap at a negative offset", map(0, PAGE, PROT_READ, MAP_PRIVATE, fd, -(long)PAGE),
			     EOVERFLOW);
	close(fd);
	close(op);
	unlink(P("f"));
	return r;
}

/* ---- mprotect-prot ---- */

static int check_mprotect_prot(void)
{
	char *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int r;

	if (p == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	r = want_eq("mprotect(PROT_READ|PROT_SEM)", mprotect(p, PAGE, PROT_READ | PROT_SEM_BIT), 0);
	if (!r)
		r = want_err("mprotect with an unknown bit", mprotect(p, PAGE, PROT_READ | 0x10), EINVAL);
	if (!r)
		r = want_err("mprotect(PROT_GROWSDOWN) of an ordinary mapping",
			     mprotect(p, PAGE, PROT_READ | PROT_GROWSDOWN), EINVAL);
	if (!r)
		r = want_err("mprotect(PROT_GROWSDOWN|PROT_GROWSUP)",
			     mprotect(p, PAGE, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP), EINVAL);
	if (!r)
		r = want_eq("mprotect of 0 bytes with an unknown bit", mprotect(p, 0, 0x10), 0);
	munmap(p, PAGE);
	return r;
}

/* ---- getdents-old ---- */

/* Walk one getdents(78) buffer of n bytes: every record 8-byte aligned and
 * inside the buffer; *found when "f" is there with d_type DT_REG. */
static int walk_old(const char *buf, long n, int *found)
{
	for (long off = 0; off < n;) {
		unsigned short reclen;
		memcpy(&reclen, buf + off + 16, sizeof(reclen));
		if (reclen % 8 || reclen <= LINUX_DIRENT_NAME || off + reclen > n)
			return fail("a record of %u bytes at %ld in %ld", reclen, off, n);
		if (!strcmp(buf + off + LINUX_DIRENT_NAME, "f")) {
			if (buf[off + reclen - 1] != DT_REG)
				return fail("\"f\" has d_type %d in its last byte, want DT_REG",
					    buf[off + reclen - 1]);
			*found = 1;
		}
		off += reclen;
	}
	return CHECK_OK;
}

/* A /proc directory seeks to its end like a file; getdents then succeeds. */
static int proc_seek_end(void)
{
	char buf[256];
	int fd = open("/proc/self", O_RDONLY | O_DIRECTORY), r;

	if (fd < 0)
		return fail("open /proc/self: %s", errname(errno));
	r = lseek(fd, 0, SEEK_END) < 0 ? fail("lseek(/proc/self, 0, SEEK_END): %s", errname(errno)) : CHECK_OK;
	if (!r && syscall(SYS_getdents_old, fd, buf, sizeof(buf)) < 0)
		r = fail("getdents at the end of /proc/self: %s", errname(errno));
	close(fd);
	return r;
}

static int check_getdents_old(void)
{
	char buf[512];
	int fd = open(P("f"), O_RDWR | O_CREAT, 0644), dir = open(work, O_RDONLY | O_DIRECTORY);
	int op = open(work, O_PATH), found = 0, r;
	long n;

	if (fd < 0 || dir < 0 || op < 0)
		r = fail("open: %s", errname(errno));
	else if ((n = syscall(SYS_getdents_old, dir, buf, sizeof(buf))) <= 0)
		r = fail("getdents: %ld (%s), want the entries", n, errname(errno));
	else if (!(r = walk_old(buf, n, &found)) && !found)
		r = fail("getdents did not list \"f\"");
	if (!r && lseek(dir, 0, SEEK_SET) == 0) /* from the start: there are entries to refuse */
		r = want_err("getdents with a count of 0", syscall(SYS_getdents_old, dir, buf, 0), EINVAL);
	if (!r)
		r = want_err("getdents with a count over INT_MAX",
			     syscall(SYS_getdents_old, dir, buf, 0x80000000u), EINVAL);
	if (!r)
		r = want_err("getdents of an O_PATH directory", syscall(SYS_getdents_old, op, buf, sizeof(buf)),
			     EBADF);
	if (!r)
		r = want_err("getdents of a file", syscall(SYS_getdents_old, fd, buf, sizeof(buf)), ENOTDIR);
	close(fd);
	close(dir);
	close(op);
	unlink(P("f"));
	return r ? r : proc_seek_end();
}

/* ---- opath ---- */

/* The fcntl commands an O_PATH descriptor takes. */
static int opath_fcntl_ok(int op)
{
	int r = want_eq("F_GETFL of an O_PATH descriptor", fcntl(op, F_GETFL), O_PATH);
	int d;

	if (!r)
		r = want_eq("F_SETFD", fcntl(op, F_SETFD, FD_CLOEXEC), 0);
	if (!r)
		r = want_eq("F_GETFD", fcntl(op, F_GETFD), FD_CLOEXEC);
	if (!r && (d = fcntl(op, F_DUPFD, 0)) < 0)
		r = fail("F_DUPFD: %s", errname(errno));
	else if (!r)
		close(d);
	return r;
}

/* What an O_PATH descriptor refuses: every other fcntl, and any I/O. */
static int opath_refused(int op)
{
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	char c = 0;
	int r = want_err("F_SETFL", fcntl(op, F_SETFL, O_NONBLOCK), EBADF);

	if (!r)
		r = want_err("F_GETLK", fcntl(op, F_GETLK, &fl), EBADF);
	if (!r)
		r = want_err("F_SETLK", fcntl(op, F_SETLK, &fl), EBADF);
	if (!r)
		r = want_err("F_GETOWN", fcntl(op, F_GETOWN), EBADF);
	if (!r)
		r = want_err("read", read(op, &c, 1), EBADF);
	if (!r)
		r = want_err("write", write(op, &c, 1), EBADF);
	if (!r)
		r = want_err("ioctl(FIONREAD)", ioctl(op, FIONREAD, &fl), EBADF);
	if (!r)
		r = want_err("fchmod", syscall(SYS_fchmod, op, 0600), EBADF); /* musl's fchmod falls back to chmod */
	if (!r)
		r = want_err("fchown", syscall(SYS_fchown, op, 0, 0), EBADF);
	if (!r)
		r = want_err("fsync", fsync(op), EBADF);
	return r;
}

static int check_opath(void)
{
	int fd = open(P("f"), O_RDWR | O_CREAT, 0644), op = open(P("f"), O_PATH), r;

	if (fd < 0 || op < 0)
		r = fail("open: %s", errname(errno));
	else if (!(r = opath_fcntl_ok(op)))
		r = opath_refused(op);
	close(fd);
	close(op);
	unlink(P("f"));
	return r;
}

/* The field NAME ("VmLck") of /proc/self/status in kB, or -1. */
static long status_kb(const char *name)
{
	char line[128], fmt[32];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	snprintf(fmt, sizeof(fmt), "%s: %%ld kB", name);
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, fmt, &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static long vm_locked_kb(void)
{
	return status_kb("VmLck");
}

/* /proc/self/status's VmRSS grows by the pages a program touches, VmHWM
 * is at least VmRSS, and VmSwap is 0 with nothing swapped out (LTP's
 * getrusage03 reads it). Linux counts a thread's faults in batches of
 * 64, hence the slack. */
static int check_status_rss(void)
{
	const size_t size = 4 << 20;
	const long slack_kb = 1024;
	long before = status_kb("VmRSS");
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	memset(p, 1, size);
	long after = status_kb("VmRSS"), hwm = status_kb("VmHWM");
	int r = before < 0 || after < 0 || hwm < 0 ? fail("no VmRSS or VmHWM line") :
		want_eq("VmRSS grew by about 4 MiB", after - before >= (long)(size >> 10) - slack_kb, 1) ||
		want_eq("VmHWM >= VmRSS", hwm >= after, 1) ||
		want_eq("VmSwap", status_kb("VmSwap"), 0) ? CHECK_FAIL : 0;
	munmap(p, size);
	return r;
}

/* mlock, munlock, mlock2, mlockall, munlockall as Linux's (as root, with
 * CAP_IPC_LOCK): VmLck counts what is locked, a range with a hole is
 * ENOMEM, unknown flags EINVAL, and a forked child inherits no lock. */
static int check_mlock(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int r, status = -1;

	if (p == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	munmap(p + 3 * pg, pg);
	long base = vm_locked_kb();
	r = want_ok("mlock 2 pages (from inside the first)", mlock(p + 100, pg)) ||
	    want_eq("VmLck grew by 2 pages", vm_locked_kb() - base, 2 * pg / 1024) ||
	    want_ok("mlock again, overlapping", syscall(SYS_mlock2, p, 3 * pg, 1 /* MLOCK_ONFAULT */)) ||
	    want_eq("VmLck counts them once", vm_locked_kb() - base, 3 * pg / 1024) ||
	    want_err("mlock over the hole", mlock(p + 2 * pg, 2 * pg), ENOMEM) ||
	    want_err("mlock2 with an unknown flag", syscall(SYS_mlock2, p, pg, 2), EINVAL) ||
	    want_err("mlockall(0)", mlockall(0), EINVAL) ||
	    want_err("mlockall(MCL_ONFAULT) alone", mlockall(MCL_ONFAULT), EINVAL) ? CHECK_FAIL : 0;
	if (!r) {
		pid_t c = fork();
		if (c == 0)
			_exit(vm_locked_kb() == 0 ? 0 : 1);
		if (c < 0 || waitpid(c, &status, 0) != c || !WIFEXITED(status) || WEXITSTATUS(status))
			r = fail("a forked child's VmLck is not 0 (status %#x)", status);
	}
	if (!r)
		r = want_ok("munlock the middle page", munlock(p + pg, pg)) ||
		    want_eq("VmLck after it", vm_locked_kb() - base, 2 * pg / 1024) ||
		    want_ok("munlockall", munlockall()) ||
		    want_eq("VmLck after munlockall", vm_locked_kb(), 0) ? CHECK_FAIL : 0;
	munmap(p, 3 * pg);
	return r;
}

/* Without CAP_IPC_LOCK, RLIMIT_MEMLOCK rules (in a child that gives up
 * root): 0 means EPERM; one page allows one page and refuses two with
 * ENOMEM (mlock) and EAGAIN (mmap with MAP_LOCKED). */
static int check_mlock_limit(void)
{
	pid_t c = fork();
	int status = -1;

	if (c == 0) {
		long pg = sysconf(_SC_PAGESIZE);
		struct rlimit zero = { 0, 0 }, one = { (rlim_t)pg, (rlim_t)pg };
		char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED || setrlimit(RLIMIT_MEMLOCK, &one) || setuid(65534))
			_exit(10);
		if (mlock(p, 2 * pg) != -1 || errno != ENOMEM)
			_exit(11);
		if (mlock(p, pg) != 0)
			_exit(12);
		if (mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0) != MAP_FAILED ||
		    errno != EAGAIN)
			_exit(13);
		if (setrlimit(RLIMIT_MEMLOCK, &zero) || mlock(p + pg, pg) != -1 || errno != EPERM)
			_exit(14);
		_exit(0);
	}
	if (c < 0 || waitpid(c, &status, 0) != c)
		return fail("fork: %s", errname(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return fail("the unprivileged child: status %#x (10: set-up, 11: 2 pages over a 1-page limit "
			    "not ENOMEM, 12: 1 page refused, 13: MAP_LOCKED over the limit not EAGAIN, "
			    "14: a 0 limit not EPERM)", status);
	return 0;
}

/* readahead: 0 on a regular file open for reading, EBADF on one open
 * for writing only or a closed descriptor, EINVAL on a pipe. */
static int check_readahead(void)
{
	int fd = open(P("ra"), O_CREAT | O_RDWR, 0644), wo = open(P("ra"), O_WRONLY), pp[2] = { -1, -1 };
	int r = want_ok("open", fd < 0 || wo < 0 || pipe(pp) ? -1 : 0) ||
		want_ok("readahead of a file", syscall(SYS_readahead, fd, 0, 4096)) ||
		want_err("readahead of a write-only descriptor", syscall(SYS_readahead, wo, 0, 4096), EBADF) ||
		want_err("readahead of a pipe", syscall(SYS_readahead, pp[0], 0, 4096), EINVAL) ||
		want_err("readahead of a closed descriptor", syscall(SYS_readahead, 999, 0, 4096), EBADF)
			? CHECK_FAIL : 0;
	close(fd);
	close(wo);
	close(pp[0]);
	close(pp[1]);
	unlink(P("ra"));
	return r;
}

/* A read into a buffer that runs into a PROT_NONE page returns what it
 * put before the page (Linux's copy_to_user counts what it could not
 * copy), EFAULT only when nothing fit; getdents64 likewise keeps the
 * whole records that fit before the page (gVisor's partial_bad_buffer). */
static int check_partial_read(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open(P("pr"), O_CREAT | O_RDWR | O_TRUNC, 0644), dir = open(work, O_RDONLY | O_DIRECTORY), r;

	if (p == MAP_FAILED || fd < 0 || dir < 0)
		return fail("set-up: %s", errname(errno));
	r = want_ok("PROT_NONE guard", mprotect(p + pg, pg, PROT_NONE)) ||
	    want_eq("write", write(fd, "hello world", 11), 11) ||
	    want_eq("read into 1 good byte", pread(fd, p + pg - 1, 10, 0), 1) ||
	    want_eq("...which is the file's first", p[pg - 1], 'h') ||
	    want_err("read into none", pread(fd, p + pg, 10, 0), EFAULT) ||
	    want_eq("getdents64 with room for one record before the page",
		    syscall(SYS_getdents64, dir, p + pg - 30, pg) > 0, 1) ||
	    want_err("getdents64 with room for none", syscall(SYS_getdents64, dir, p + pg - 1, pg), EFAULT)
		? CHECK_FAIL : 0;
	munmap(p, 2 * pg);
	close(fd);
	close(dir);
	unlink(P("pr"));
	return r;
}

/* The r, w and x columns of the /proc/self/maps line starting at addr,
 * and its p/s column, into perms (5 bytes); 0 or -1 if none. */
static int maps_perms(void *addr, char perms[5])
{
	char line[512], want[32];
	FILE *f = fopen("/proc/self/maps", "r");
	int r = -1;

	snprintf(want, sizeof(want), "%08lx-", (unsigned long)addr);
	while (f && r && fgets(line, sizeof(line), f))
		if (strncmp(line, want, strlen(want)) == 0 && sscanf(line, "%*s %4s", perms) == 1)
			r = 0;
	if (f)
		fclose(f);
	return r;
}

/* mmap's protection as /proc/self/maps shows it (LTP's mmap04): each
 * of the eight PROT_READ/WRITE/EXEC sets, private and shared, bit for
 * bit; a write-only page can still be read. */
static int check_maps_prot(void)
{
	long pg = sysconf(_SC_PAGESIZE);

	for (int prot = 0; prot < 8; prot++) {
		for (int shared = 0; shared < 2; shared++) {
			char want[5] = { prot & PROT_READ ? 'r' : '-', prot & PROT_WRITE ? 'w' : '-',
					 prot & PROT_EXEC ? 'x' : '-', shared ? 's' : 'p', 0 }, got[5] = "";
			/* a PROT_NONE neighbour of the other kind: no merge */
			char *a = mmap(NULL, 2 * pg, PROT_NONE, MAP_ANONYMOUS | (shared ? MAP_PRIVATE : MAP_SHARED),
				       -1, 0);
			if (a == MAP_FAILED)
				return fail("mmap: %s", errname(errno));
			char *b = mmap(a + pg, pg, prot, MAP_ANONYMOUS | MAP_FIXED | (shared ? MAP_SHARED : MAP_PRIVATE),
				       -1, 0);
			int r = b == MAP_FAILED ? -1 : maps_perms(b, got);
			if (!r && (prot & PROT_WRITE))
				r = *(volatile char *)b; /* readable, and zero */
			munmap(a, 2 * pg);
			if (r || strcmp(got, want))
				return fail("prot %d %s: maps shows \"%s\", want \"%s\"", prot,
					    shared ? "shared" : "private", got, want);
		}
	}
	return CHECK_OK;
}

/* A shared mapping of /dev/zero opened read-only can never be made
 * writable (mprotect EACCES, LTP's mprotect01); a private one can. */
static int check_zero_nowrite(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd = open("/dev/zero", O_RDONLY);

	if (fd < 0)
		return fail("open /dev/zero: %s", errname(errno));
	char *s = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
	char *p = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	int r = s == MAP_FAILED || p == MAP_FAILED ? fail("mmap /dev/zero: %s", errname(errno)) :
		want_err("mprotect(PROT_WRITE) of the shared one", mprotect(s, pg, PROT_WRITE), EACCES) ||
		want_ok("mprotect(PROT_WRITE) of the private one", mprotect(p, pg, PROT_WRITE));
	if (s != MAP_FAILED)
		munmap(s, pg);
	if (p != MAP_FAILED)
		munmap(p, pg);
	return r ? CHECK_FAIL : CHECK_OK;
}

/* The regions of this process: lines of /proc/self/maps, or -1. */
static long count_regions(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	long n = 0;
	int c;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* vm.max_map_count set to v: 0, or -1 with errno. */
static int set_max_map_count(long v)
{
	char text[32];
	int fd = open("/proc/sys/vm/max_map_count", O_WRONLY), n = snprintf(text, sizeof(text), "%ld\n", v);
	long w = fd < 0 ? -1 : write(fd, text, (size_t)n);

	if (fd >= 0)
		close(fd);
	return w == n ? 0 : -1;
}

#define MAP_COUNT_ROOM 16 /* regions allowed past those the process has */

/* Fill the room under a lowered limit with separate one-page regions:
 * how many went in before ENOMEM, or -1 on another error. */
static long fill_regions(void)
{
	long n = 0;

	for (; n < 4 * MAP_COUNT_ROOM; n++) {
		/* alternate protections: neighbours never merge into one region */
		void *p = mmap(NULL, 4096, n % 2 ? PROT_READ : PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return errno == ENOMEM ? n : -1;
	}
	return n;
}

/* vm.max_map_count is root's to lower (LTP's munmap04): past it mmap is
 * ENOMEM, and so is an munmap that would split a region in two; the
 * value is restored after. */
static int check_max_map_count(void)
{
	char old[32];
	int fd = open("/proc/sys/vm/max_map_count", O_RDONLY);
	long len = fd < 0 ? -1 : read(fd, old, sizeof(old) - 1), regions = count_regions();

	if (fd >= 0)
		close(fd);
	if (len <= 0 || regions <= 0)
		return fail("vm.max_map_count or /proc/self/maps: %s", errname(errno));
	old[len] = '\0';
	if (geteuid() != 0)
		return skip("vm.max_map_count is root's to write");
	char *three = mmap(NULL, 3 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (three == MAP_FAILED || set_max_map_count(regions + 1 + MAP_COUNT_ROOM))
		return fail("mmap or writing vm.max_map_count: %s", errname(errno));
	long got = fill_regions();
	errno = 0;
	int split = munmap(three + 4096, 4096), split_err = errno;
	set_max_map_count(strtol(old, NULL, 10));
	if (got < 0 || got >= 4 * MAP_COUNT_ROOM)
		return fail("%ld one-page mappings went in under a limit %d above the process's regions",
			    got, MAP_COUNT_ROOM);
	if (split != -1 || split_err != ENOMEM)
		return fail("munmap splitting a region at the limit: %d (%s), want ENOMEM", split,
			    errname(split_err));
	return CHECK_OK;
}

#define PM_PRESENT (1ull << 63)
#define PM_FILE    (1ull << 61)

/* /proc/self/pagemap (LTP's mmap12): a present bit for the touched
 * pages only, the file-or-shared bit for shared memory only, and reads
 * in whole 8-byte entries (EINVAL otherwise). */
static int check_pagemap(void)
{
	char *priv = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t e[4], s;
	int r = CHECK_OK;

	if (priv == MAP_FAILED || shared == MAP_FAILED || fd < 0)
		return fail("mmap or /proc/self/pagemap: %s", errname(errno));
	priv[0] = priv[2 * 4096] = shared[0] = 1;
	off_t at = (off_t)((uintptr_t)priv / 4096 * 8);
	if (pread(fd, e, sizeof(e), at) != sizeof(e) ||
	    pread(fd, &s, sizeof(s), (off_t)((uintptr_t)shared / 4096 * 8)) != sizeof(s))
		r = fail("pread of pagemap: %s", errname(errno));
	else if (!(e[0] & PM_PRESENT) || (e[1] & PM_PRESENT) || !(e[2] & PM_PRESENT) ||
		 (e[3] & PM_PRESENT) || (e[0] & PM_FILE) || !(s & PM_PRESENT) || !(s & PM_FILE))
		r = fail("pagemap %#llx %#llx %#llx %#llx, shared %#llx: want present, -, present, -; "
			 "the shared page present and file", (unsigned long long)e[0],
			 (unsigned long long)e[1], (unsigned long long)e[2], (unsigned long long)e[3],
			 (unsigned long long)s);
	else {
		errno = 0;
		r = want_err("pagemap read of 4 bytes", pread(fd, e, 4, at), EINVAL);
		if (!r)
			r = want_err("pagemap read at an odd offset", pread(fd, e, 8, at + 4), EINVAL);
	}
	close(fd);
	munmap(priv, 4 * 4096);
	munmap(shared, 4096);
	return r;
}

/* mincore asks a file mapping's pages, not only this mapping's page
 * table (LTP's mincore04): a page another mapping of the file touched is
 * resident in one that never touched it. */
static int check_mincore_file(void)
{
	char path[300];
	unsigned char vec = 0;
	snprintf(path, sizeof(path), "%s/mincore", work);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char *a = MAP_FAILED, *b = MAP_FAILED;
	int r = CHECK_OK;

	if (fd < 0 || ftruncate(fd, 4096) ||
	    (a = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED ||
	    (b = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0)) == MAP_FAILED)
		r = fail("file mappings: %s", errname(errno));
	else {
		a[0] = 1;
		if (mincore(b, 4096, &vec) || !(vec & 1))
			r = fail("mincore of the untouched mapping: %d, want the page resident", vec);
	}
	if (a != MAP_FAILED)
		munmap(a, 4096);
	if (b != MAP_FAILED)
		munmap(b, 4096);
	if (fd >= 0)
		close(fd);
	unlink(path);
	return r;
}

#define GUARD_GAP_PAGES 256 /* Linux's default stack_guard_gap */
#define GROW_PAGES      3

/* A child's life with a one-page MAP_GROWSDOWN region at the top of free
 * space (the guard gap and more below it): it writes GROW_PAGES pages
 * below the region, which grows to take them, and exits 0; with blocked,
 * a page mapped first just under the region's bottom, within the gap,
 * makes the first such write SIGSEGV. */
static void __attribute__((noreturn)) growsdown_child(bool blocked)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t reserve = (GUARD_GAP_PAGES + 2 * GROW_PAGES + 2) * pg;
	char *start = mmap(NULL, reserve, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (start == MAP_FAILED || munmap(start, reserve))
		_exit(2);
	char *top = start + reserve;
	if (mmap(top - pg, pg, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN,
		 -1, 0) == MAP_FAILED)
		_exit(3);
	if (blocked && mmap(top - 3 * pg, pg, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0) == MAP_FAILED)
		_exit(4);
	for (int i = 1; i <= GROW_PAGES; i++)
		((volatile char *)top)[-(long)pg - i * pg] = 1;
	_exit(0);
}

/* MAP_GROWSDOWN (LTP's mmap18): a private anonymous region that a
 * fault just below extends, as the main stack, but not into the guard
 * gap above another accessible mapping (SIGSEGV). */
static int check_growsdown(void)
{
	for (int blocked = 0; blocked <= 1; blocked++) {
		int st;
		pid_t pid = fork();
		if (pid == 0)
			growsdown_child(blocked);
		if (pid < 0 || wait_child(pid, 5000, &st) != CHECK_OK)
			return fail("fork or wait: %s", errname(errno));
		bool ok = blocked ? WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV : WIFEXITED(st) && WEXITSTATUS(st) == 0;
		if (!ok)
			return fail("%s: status %#x, want %s", blocked ? "a page in the gap" : "free space below", st,
				    blocked ? "SIGSEGV" : "exit 0");
	}
	return CHECK_OK;
}

static const struct check checks[] = {
	{ "mmap-wx", check_mmap_wx },
	{ "mmap-flags", check_mmap_flags },
	{ "mmap-file-errors", check_mmap_file_errors },
	{ "mprotect-prot", check_mprotect_prot },
	{ "getdents-old", check_getdents_old },
	{ "opath", check_opath },
	{ "mlock", check_mlock },
	{ "status-rss", check_status_rss },
	{ "mlock-limit", check_mlock_limit },
	{ "readahead", check_readahead },
	{ "partial-read", check_partial_read },
	{ "maps-prot", check_maps_prot },
	{ "zero-nowrite", check_zero_nowrite },
	{ "max-map-count", check_max_map_count },
	{ "pagemap", check_pagemap },
	{ "mincore-file", check_mincore_file },
	{ "growsdown", check_growsdown },
};

int main(int argc, char **argv)
{
	int status;

	snprintf(work, sizeof(work), "/tmp/t-conform_mem.%d", (int)getpid());
	rm_tree(work);
	if (mkdir(work, 0755) != 0) {
		t_begin("conform-mem");
		t_fail("cannot make the scratch directory %s: %s", work, errname(errno));
		return 1;
	}
	status = run_checks("conform-mem", checks, NELEMS(checks), argc, argv);
	rm_tree(work);
	return status;
}
