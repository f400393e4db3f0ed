// SPDX-License-Identifier: MIT
// File-backed mappings as Linux's: MAP_SHARED of a file, truncation and SIGBUS, msync, mincore, MAP_POPULATE,
// and the write-back of a mapped file grown to 256 GiB of holes costing its pages, not its size.
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "checks.h"

/*
 * What Linux does and gVisor's mmap_test checks: a MAP_SHARED mapping
 * of a file, read(2)/write(2) of it and every other mapping of it (in
 * this process, or a forked one) are the same pages; a MAP_PRIVATE
 * mapping shows the file's later changes until a page of it is written;
 * a page wholly past the end of the file is SIGBUS when touched,
 * whatever the size was at map time (truncation shrinks mappings, even
 * a private page already copied; growth makes pages reachable), the
 * rest of the last page reads zeros; a shared mapping of a file opened
 * O_RDONLY cannot be made writable (EACCES); msync checks its flags and
 * range; mincore reports which pages are present, MAP_POPULATE makes
 * them so. Faults are tested in forked children (no signal handler).
 */
#define PAGE 4096ul

/* touch_dies: fork a child that reads (WRITE = 0) or writes ADDR; it must die by SIG. */
static int touch_dies(const char *what, volatile char *addr, int write, int sig)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit rl = { 0, 0 };
		setrlimit(RLIMIT_CORE, &rl);
		if (write)
			*addr = 1;
		else
			(void)*addr;
		_exit(0);
	}
	return want_signal(what, pid, sig);
}

/* touch_lives: the same access in a child must not kill it. */
static int touch_lives(const char *what, volatile char *addr, int write)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (write)
			*addr = 1;
		else
			(void)*addr;
		_exit(0);
	}
	return want_exit(what, pid, 0);
}

/* new_file: the scratch file with LEN bytes of 'f' (sparse past 3 pages); an O_RDWR fd or fail(). */
static int new_file(size_t len)
{
	static char buf[3 * PAGE];
	int fd = open(P("f"), O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return fail("open: %s", errname(errno));
	memset(buf, 'f', sizeof(buf));
	if (write(fd, buf, len < sizeof(buf) ? len : sizeof(buf)) < 0 || ftruncate(fd, (off_t)len)) {
		close(fd);
		return fail("making the file: %s", errname(errno));
	}
	return fd;
}

/* file_byte: the byte at OFF of FD (pread), or -1. */
static int file_byte(int fd, off_t off)
{
	unsigned char c;

	return pread(fd, &c, 1, off) == 1 ? c : -1;
}

/* A store through a shared mapping is in the file; a write(2) is in the mapping. */
static int check_shared_rw(void)
{
	int fd = new_file(2 * PAGE), r = CHECK_OK;
	char *p, *q;

	if (fd < 0)
		return CHECK_FAIL;
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	q = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, PAGE);
	if (p == MAP_FAILED || q == MAP_FAILED)
		r = fail("mmap MAP_SHARED of a file: %s", errname(errno));
	if (!r) {
		p[10] = 'S';
		p[PAGE + 5] = 'T';
		if (file_byte(fd, 10) != 'S')
			r = fail("a store through the mapping is not in the file");
		else if (q[5] != 'T')
			r = fail("a second mapping of the file does not see the store");
	}
	if (!r && (pwrite(fd, "W", 1, PAGE + 7) != 1 || p[PAGE + 7] != 'W' || q[7] != 'W'))
		r = fail("a write(2) to the file is not in its mappings");
	if (p != MAP_FAILED)
		munmap(p, 2 * PAGE);
	if (q != MAP_FAILED)
		munmap(q, PAGE);
	close(fd);
	return r;
}

/* A private mapping shows the file's changes until the page is written; its own writes stay private. */
static int check_private_cow(void)
{
	int fd = new_file(2 * PAGE), r = CHECK_OK;
	char *p = MAP_FAILED;

	if (fd < 0)
		return CHECK_FAIL;
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		r = fail("mmap MAP_PRIVATE: %s", errname(errno));
	if (!r && (p[0] != 'f' || pwrite(fd, "A", 1, 1) != 1 || p[1] != 'A'))
		r = fail("a write(2) after the mapping was read is not seen in the private mapping");
	if (!r) {
		p[PAGE] = 'P'; /* the second page becomes private */
		if (pwrite(fd, "B", 1, PAGE + 1) != 1 || p[PAGE + 1] != 'f')
			r = fail("a written private page still follows the file");
		else if (file_byte(fd, PAGE) != 'f')
			r = fail("a store to a private mapping reached the file");
	}
	if (p != MAP_FAILED)
		munmap(p, 2 * PAGE);
	close(fd);
	return r;
}

/* A forked child's stores to a shared file mapping are the parent's. */
static int check_shared_fork(void)
{
	int fd = new_file(PAGE), r;
	volatile char *p;
	pid_t pid;

	if (fd < 0)
		return CHECK_FAIL;
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	(void)p[0];
	if ((pid = fork()) == 0) {
		p[100] = 'C';
		_exit(0);
	}
	r = want_exit("the child", pid, 0);
	if (!r && p[100] != 'C')
		r = fail("the parent does not see the child's store");
	munmap((void *)p, PAGE);
	return r;
}

/* Truncation: pages past the new end are SIGBUS, the last page's tail reads zero; growth brings pages back. */
static int check_truncate(void)
{
	int fd = new_file(2 * PAGE), r = CHECK_OK;
	char *p;

	if (fd < 0)
		return CHECK_FAIL;
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return fail("mmap: %s", errname(errno));
	}
	p[PAGE] = 'x'; /* present before the truncation */
	if (ftruncate(fd, 100))
		r = fail("ftruncate down: %s", errname(errno));
	if (!r && (p[99] != 'f' || p[100] != 0 || p[PAGE - 1] != 0))
		r = fail("the page holding the new end does not read the file then zeros");
	if (!r)
		r = touch_dies("a read of a page past the new end", p + PAGE, 0, SIGBUS);
	if (!r && ftruncate(fd, 2 * PAGE))
		r = fail("ftruncate up: %s", errname(errno));
	if (!r && p[PAGE] != 0)
		r = fail("a page brought back by growth does not read zero");
	if (!r) {
		p[PAGE + 1] = 'g';
		if (file_byte(fd, PAGE + 1) != 'g')
			r = fail("a store to the grown page is not in the file");
	}
	munmap(p, 2 * PAGE);
	close(fd);
	return r;
}

/* A private page already copied on write goes too when the file is truncated below it. */
static int check_truncate_cow(void)
{
	int fd = new_file(PAGE), r = CHECK_OK;
	char *p;

	if (fd < 0)
		return CHECK_FAIL;
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return fail("mmap: %s", errname(errno));
	}
	memset(p, 'a', PAGE);
	if (ftruncate(fd, 0))
		r = fail("ftruncate: %s", errname(errno));
	if (!r)
		r = touch_dies("a read of the copied page after truncation", p, 0, SIGBUS);
	munmap(p, PAGE);
	close(fd);
	return r;
}

/* A mapping made past the end of the file succeeds; it is SIGBUS until the file grows under it. */
static int check_beyond_eof(void)
{
	int fd = new_file(PAGE), r = CHECK_OK;
	char *p;

	if (fd < 0)
		return CHECK_FAIL;
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4 * PAGE);
	if (p == MAP_FAILED) {
		close(fd);
		return fail("mmap at an offset past the end: %s", errname(errno));
	}
	r = touch_dies("a read of a page past the end", p, 0, SIGBUS);
	if (!r && ftruncate(fd, 5 * PAGE))
		r = fail("ftruncate: %s", errname(errno));
	if (!r)
		r = touch_lives("a write once the file covers the page", p, 1);
	if (!r && file_byte(fd, 4 * PAGE) != 1)
		r = fail("the child's store is not in the file");
	munmap(p, PAGE);
	close(fd);
	return r;
}

/* A mapping keeps an unlinked, closed file's pages. */
static int check_unlinked(void)
{
	int fd = new_file(PAGE);
	char *p;

	if (fd < 0)
		return CHECK_FAIL;
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	unlink(P("f"));
	if (p == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	p[1] = 'u';
	int r = p[0] == 'f' && p[1] == 'u' ? CHECK_OK : fail("the mapping lost the unlinked file");
	munmap(p, PAGE);
	return r;
}

/* Write access: a shared mapping needs a writable file, now (mmap) and later (mprotect). */
static int check_access(void)
{
	int fd = new_file(PAGE), ro, r;
	char *p, *q;

	if (fd < 0)
		return CHECK_FAIL;
	close(fd);
	ro = open(P("f"), O_RDONLY);
	errno = 0;
	r = want_err("mmap MAP_SHARED PROT_WRITE of an O_RDONLY fd",
		     (long)mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, 0);
	q = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, ro, 0);
	if (!r && (p == MAP_FAILED || q == MAP_FAILED))
		r = fail("a read-only mapping of an O_RDONLY fd: %s", errname(errno));
	errno = 0;
	if (!r)
		r = want_err("mprotect PROT_WRITE of the shared one", mprotect(p, PAGE, PROT_READ | PROT_WRITE),
			     EACCES);
	if (!r)
		r = want_ok("mprotect PROT_WRITE of the private one", mprotect(q, PAGE, PROT_READ | PROT_WRITE));
	if (p != MAP_FAILED)
		munmap(p, PAGE);
	if (q != MAP_FAILED)
		munmap(q, PAGE);
	close(ro);
	return r;
}

/* msync: its flag rules, alignment, and ENOMEM for a range with a hole. */
static int check_msync(void)
{
	int fd = new_file(2 * PAGE), r;
	char *p;

	if (fd < 0)
		return CHECK_FAIL;
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	p[0] = 'm';
	r = want_ok("msync MS_SYNC", msync(p, 2 * PAGE, MS_SYNC));
	if (!r)
		r = want_ok("msync MS_ASYNC|MS_INVALIDATE", msync(p, 100, MS_ASYNC | MS_INVALIDATE));
	errno = 0;
	if (!r)
		r = want_err("msync MS_ASYNC|MS_SYNC", msync(p, PAGE, MS_ASYNC | MS_SYNC), EINVAL);
	errno = 0;
	if (!r)
		r = want_err("msync of an unaligned address", msync(p + 1, PAGE, MS_SYNC), EINVAL);
	errno = 0;
	if (!r)
		r = want_err("msync with an unknown flag", msync(p, PAGE, 8), EINVAL);
	munmap(p + PAGE, PAGE);
	errno = 0;
	if (!r)
		r = want_err("msync over a hole", msync(p, 2 * PAGE, MS_SYNC), ENOMEM);
	munmap(p, PAGE);
	return r;
}

/* sparse-grow: a one-page file mapped MAP_SHARED and written through the
 * mapping, then grown by ftruncate to 256 GiB of holes (less where the
 * file system's limit is lower: EFBIG halves it, down to 4 GiB; a mapped
 * disk file's pages reach 512 GiB, fs/mfile.c): msync, fsync
 * and the munmap that ends the mapping each take under SPARSE_MS (their
 * cost is the pages there are, not the size: a walk page by page over
 * the holes took minutes on ext2), and the byte written is in the file. */
#define SPARSE_MS 2000

static int timed(const char *what, int ret, long long t0)
{
	long long ms = now_ms() - t0;

	if (ret)
		return fail("%s: %s", what, errname(errno));
	if (ms > SPARSE_MS)
		return fail("%s of a sparse mapped file took %lld ms", what, ms);
	return CHECK_OK;
}

static int check_sparse_grow(void)
{
	int fd = new_file(PAGE), r;
	off_t size = (off_t)1 << 38;
	char *p;

	if (fd < 0)
		return CHECK_FAIL;
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return fail("mmap: %s", errname(errno));
	}
	p[1] = 's';
	while ((r = ftruncate(fd, size)) != 0 && errno == EFBIG && size > ((off_t)1 << 32))
		size /= 2;
	if (r)
		r = fail("ftruncate to %lld: %s", (long long)size, errname(errno));
	else if (file_byte(fd, size - 1) != 0)
		r = fail("the last byte of the file grown to %lld is not 0", (long long)size);
	long long t0 = now_ms();
	if (!r)
		r = timed("msync MS_SYNC", msync(p, PAGE, MS_SYNC), t0);
	t0 = now_ms();
	if (!r)
		r = timed("fsync", fsync(fd), t0);
	t0 = now_ms();
	if (!r)
		r = timed("munmap", munmap(p, PAGE), t0);
	else
		munmap(p, PAGE);
	if (!r && file_byte(fd, 1) != 's')
		r = fail("the byte written through the mapping is not in the file");
	if (ftruncate(fd, 0) != 0 && !r)
		r = fail("ftruncate to 0: %s", errname(errno));
	close(fd);
	return r;
}

/* mincore: a byte per page, 1 where present; ENOMEM for a hole, EINVAL for an unaligned start. */
static int check_mincore(void)
{
	unsigned char vec[3] = { 9, 9, 9 };
	char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int r;

	if (p == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	p[0] = 1;
	p[2 * PAGE] = 1;
	r = want_ok("mincore", mincore(p, 3 * PAGE, vec));
	if (!r && ((vec[0] & 1) != 1 || (vec[1] & 1) != 0 || (vec[2] & 1) != 1))
		r = fail("mincore says %d %d %d, want 1 0 1", vec[0], vec[1], vec[2]);
	errno = 0;
	if (!r)
		r = want_err("mincore of an unaligned address", mincore(p + 1, PAGE, vec), EINVAL);
	munmap(p + PAGE, PAGE);
	errno = 0;
	if (!r)
		r = want_err("mincore over a hole", mincore(p, 3 * PAGE, vec), ENOMEM);
	munmap(p, 3 * PAGE);
	return r;
}

/* MAP_POPULATE makes a file mapping's pages present at once, and stops quietly at the end of the file. */
static int check_populate(void)
{
	unsigned char vec[3] = { 9, 9, 9 };
	int fd = new_file(2 * PAGE), r;
	char *p;

	if (fd < 0)
		return CHECK_FAIL;
	p = mmap(NULL, 3 * PAGE, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return fail("mmap MAP_POPULATE: %s", errname(errno));
	r = want_ok("mincore", mincore(p, 2 * PAGE, vec));
	if (!r && (!(vec[0] & 1) || !(vec[1] & 1)))
		r = fail("after MAP_POPULATE mincore says %d %d, want 1 1", vec[0], vec[1]);
	munmap(p, 3 * PAGE);
	return r;
}

static const struct check checks[] = {
	{ "shared-rw", check_shared_rw },
	{ "private-cow", check_private_cow },
	{ "shared-fork", check_shared_fork },
	{ "truncate", check_truncate },
	{ "truncate-cow", check_truncate_cow },
	{ "beyond-eof", check_beyond_eof },
	{ "unlinked", check_unlinked },
	{ "access", check_access },
	{ "msync", check_msync },
	{ "mincore", check_mincore },
	{ "populate", check_populate },
	{ "sparse-grow", check_sparse_grow },
};

int main(int argc, char **argv)
{
	int status;

	snprintf(work, sizeof(work), "/tmp/t-conform_mfile.%d", (int)getpid());
	rm_tree(work);
	if (mkdir(work, 0755) != 0) {
		t_begin("conform-mfile");
		t_fail("cannot make the scratch directory %s: %s", work, errname(errno));
		return 1;
	}
	status = run_checks("conform-mfile", checks, NELEMS(checks), argc, argv);
	rm_tree(work);
	return status;
}
