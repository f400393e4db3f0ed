// SPDX-License-Identifier: MIT
// Memory mappings: anonymous private memory, MAP_FIXED, munmap holes, mprotect, private file mappings.
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include "checks.h"

/*
 * Whether an access faults is tested in a forked child, whose death by
 * SIGSEGV (or SIGBUS) is the answer: no signal handler is involved, so
 * these checks need only fork, wait and the fault path. The scratch
 * file lives in /tmp/t-mmap.PID. (The program is t-mmapt; its list
 * entry and lines are "mmap".)
 */
#define PAGE 4096ul

static char *map_anon(size_t len, int prot)
{
	return mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

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

/* filled: the N bytes at P all equal C. */
static int filled(const volatile char *p, size_t n, char c)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

static int check_anon_private(void)
{
	char *p = map_anon(3 * PAGE, PROT_READ | PROT_WRITE);
	int r = CHECK_OK;

	if (p == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	if ((uintptr_t)p % PAGE != 0)
		r = fail("mmap returned %p, not page aligned", (void *)p);
	else if (!filled(p, 3 * PAGE, 0))
		r = fail("fresh anonymous memory is not zero");
	memset(p, 'a', 3 * PAGE);
	if (!r && !filled(p, 3 * PAGE, 'a'))
		r = fail("writes did not stick");
	if (want_eq("munmap", munmap(p, 3 * PAGE), 0) && !r)
		r = CHECK_FAIL;
	return r;
}

/* After fork a private mapping is the child's own copy. */
static int check_anon_fork_cow(void)
{
	char *p = map_anon(2 * PAGE, PROT_READ | PROT_WRITE);
	pid_t pid;
	int r;

	if (p == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	memset(p, 'p', 2 * PAGE);
	pid = fork();
	if (pid == 0) {
		int saw = filled(p, 2 * PAGE, 'p');
		memset(p, 'c', 2 * PAGE);
		_exit(saw && filled(p, 2 * PAGE, 'c') ? 0 : 1);
	}
	r = want_exit("the child (1: it did not see the parent's data)", pid, 0);
	if (!r && !filled(p, 2 * PAGE, 'p'))
		r = fail("the child's writes reached the parent's private mapping");
	munmap(p, 2 * PAGE);
	return r;
}

/* MAP_FIXED over the middle of a mapping replaces just those pages. */
static int check_fixed_replace(void)
{
	char *p = map_anon(4 * PAGE, PROT_READ | PROT_WRITE), *q;
	int r = CHECK_OK;

	if (p == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	memset(p, 'A', 4 * PAGE);
	q = mmap(p + PAGE, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (q != p + PAGE)
		r = fail("MAP_FIXED at %p returned %p (%s)", (void *)(p + PAGE), (void *)q, errname(errno));
	else if (!filled(p + PAGE, 2 * PAGE, 0))
		r = fail("the replaced pages are not fresh zeros");
	else if (!filled(p, PAGE, 'A') || !filled(p + 3 * PAGE, PAGE, 'A'))
		r = fail("the pages around the replacement lost their contents");
	/* A read-only replacement: reading works, writing faults. */
	if (!r) {
		q = mmap(p + PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (q != p + PAGE)
			r = fail("read-only MAP_FIXED returned %p (%s)", (void *)q, errname(errno));
		else if (p[PAGE] != 0)
			r = fail("the read-only replacement is not zero");
		else
			r = touch_dies("a write to the read-only replacement", p + PAGE, 1, SIGSEGV);
	}
	munmap(p, 4 * PAGE);
	return r;
}

static int check_munmap_hole(void)
{
	char *p = map_anon(3 * PAGE, PROT_READ | PROT_WRITE), *q;
	int r;

	if (p == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	memset(p, 'h', 3 * PAGE);
	r = want_eq("munmap of the middle page", munmap(p + PAGE, PAGE), 0);
	if (!r)
		r = touch_dies("a read in the hole", p + PAGE, 0, SIGSEGV);
	if (!r && (!filled(p, PAGE, 'h') || !filled(p + 2 * PAGE, PAGE, 'h')))
		r = fail("the pages beside the hole lost their contents");
	errno = 0;
	if (!r)
		r = want_err("munmap at an unaligned address", munmap(p + 1, PAGE), EINVAL);
	errno = 0;
	if (!r)
		r = want_err("munmap of length 0", munmap(p, 0), EINVAL);
	if (!r) {
		q = mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (q != p + PAGE || !filled(q, PAGE, 0))
			r = fail("mapping the hole again gave %p (%s)", (void *)q, errname(errno));
	}
	munmap(p, 3 * PAGE);
	return r;
}

static int check_mprotect(void)
{
	char *p = map_anon(3 * PAGE, PROT_READ | PROT_WRITE), *hole;
	int r;

	if (p == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	memset(p, 'm', 3 * PAGE);
	/* The middle page only: the mapping splits in three. */
	r = want_eq("mprotect(middle, PROT_READ)", mprotect(p + PAGE, PAGE, PROT_READ), 0);
	if (!r && p[PAGE + 5] != 'm')
		r = fail("the read-only page lost its contents");
	if (!r)
		r = touch_dies("a write to the read-only page", p + PAGE, 1, SIGSEGV);
	if (!r) {
		p[0] = 'x';
		p[2 * PAGE] = 'y';	/* its neighbours are still writable */
		r = want_eq("mprotect(middle, PROT_NONE)", mprotect(p + PAGE, PAGE, PROT_NONE), 0);
	}
	if (!r)
		r = touch_dies("a read of a PROT_NONE page", p + PAGE, 0, SIGSEGV);
	if (!r)
		r = want_eq("mprotect(all, RW)", mprotect(p, 3 * PAGE, PROT_READ | PROT_WRITE), 0);
	if (!r) {
		p[PAGE] = 'z';
		if (p[PAGE] != 'z' || p[PAGE + 1] != 'm')
			r = fail("the page made writable again does not keep its contents");
	}
	/* A range with an unmapped page in it: ENOMEM. */
	hole = map_anon(PAGE, PROT_READ);
	if (!r && hole != MAP_FAILED) {
		munmap(hole, PAGE);
		errno = 0;
		r = want_err("mprotect of an unmapped page", mprotect(hole, PAGE, PROT_READ), ENOMEM);
	}
	munmap(p, 3 * PAGE);
	return r;
}

/* A large PROT_NONE reservation, made usable piece by piece (what allocators do). */
static int check_reserve(void)
{
	const size_t len = 16 << 20, used = 1 << 20;
	char *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	int r;

	if (p == MAP_FAILED)
		return fail("mmap 16 MiB PROT_NONE: %s", errname(errno));
	r = want_eq("mprotect the first MiB RW", mprotect(p, used, PROT_READ | PROT_WRITE), 0);
	if (!r) {
		for (size_t off = 0; off < used; off += PAGE)
			p[off] = (char)off;
		if (p[used - PAGE] != (char)(used - PAGE))
			r = fail("the committed part does not keep writes");
	}
	if (!r)
		r = touch_dies("a read past the committed part", p + used, 0, SIGSEGV);
	munmap(p, len);
	return r;
}

/* make_file: the scratch file: LEN bytes, byte i = 'a' + i % 23; an O_RDWR fd or fail(). */
static int make_file(size_t len)
{
	static char buf[3 * PAGE];
	int fd = open(P("f"), O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return fail("open: %s", errname(errno));
	for (size_t i = 0; i < len && i < sizeof(buf); i++)
		buf[i] = (char)('a' + i % 23);
	if (write(fd, buf, len) != (ssize_t)len) {
		close(fd);
		return fail("write: %s", errname(errno));
	}
	return fd;
}

/* A private file mapping shows the file; its writes stay in memory, never in the file. */
static int check_file_private(void)
{
	const size_t len = 2 * PAGE + 100;
	char *p, buf[64];
	int fd = make_file(len), r = CHECK_OK;

	if (fd < 0)
		return CHECK_FAIL;
	p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);	/* the mapping outlives the descriptor */
	if (p == MAP_FAILED)
		return fail("mmap of the file: %s", errname(errno));
	for (size_t i = 0; i < len && !r; i++)
		if (p[i] != (char)('a' + i % 23))
			r = fail("byte %zu of the mapping is %#x, want the file's %#x", i, p[i], 'a' + (int)(i % 23));
	if (!r && !filled(p + len, 3 * PAGE - len, 0))
		r = fail("the last page past the end of the file is not zero");
	if (!r) {
		memset(p, 'W', 2 * PAGE);
		fd = open(P("f"), O_RDONLY);
		if (fd < 0 || pread(fd, buf, sizeof(buf), PAGE) != sizeof(buf))
			r = fail("reading the file back: %s", errname(errno));
		else if (buf[0] != (char)('a' + PAGE % 23))
			r = fail("a write to the private mapping reached the file");
		close(fd);
	}
	munmap(p, 3 * PAGE);
	return r;
}

/* Offsets: a page-aligned one maps from there; an unaligned one is EINVAL. */
static int check_file_offset(void)
{
	char *p;
	int fd = make_file(3 * PAGE), r = CHECK_OK;

	if (fd < 0)
		return CHECK_FAIL;
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);
	if (p == MAP_FAILED)
		r = fail("mmap at offset 4096: %s", errname(errno));
	else if (p[0] != (char)('a' + PAGE % 23) || p[PAGE - 1] != (char)('a' + (2 * PAGE - 1) % 23))
		r = fail("the mapping at offset 4096 shows the wrong bytes");
	if (p != MAP_FAILED)
		munmap(p, PAGE);
	errno = 0;
	if (!r)
		r = want_err("mmap at offset 100", syscall(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE, fd, 100),
			     EINVAL);
	close(fd);
	return r;
}

static int check_file_errors(void)
{
	int fd = make_file(PAGE), wo, ro, r;
	char *p;

	if (fd < 0)
		return CHECK_FAIL;
	close(fd);
	errno = 0;
	r = want_err("mmap of a closed fd", syscall(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE, fd, 0), EBADF);
	wo = open(P("f"), O_WRONLY);
	errno = 0;
	if (!r)
		r = want_err("mmap of a write-only fd", syscall(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE, wo, 0),
			     EACCES);
	close(wo);
	errno = 0;
	if (!r)
		r = want_err("mmap with neither MAP_PRIVATE nor MAP_SHARED",
			     syscall(SYS_mmap, 0, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
	/* A read-only fd may back a private writable mapping: the writes are private. */
	ro = open(P("f"), O_RDONLY);
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	if (!r && p == MAP_FAILED)
		r = fail("a private RW mapping of a read-only fd: %s", errname(errno));
	if (p != MAP_FAILED) {
		p[0] = 'Q';
		munmap(p, PAGE);
	}
	close(ro);
	return r;
}

/* A mapping longer than its file: the pages wholly past the end give SIGBUS. */
static int check_file_sigbus(void)
{
	int fd = make_file(100), r;
	char *p;

	if (fd < 0)
		return CHECK_FAIL;
	p = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	r = p[0] == 'a' && p[99] == (char)('a' + 99 % 23) && p[100] == 0 ? CHECK_OK :
		fail("the first page does not show the file then zeros");
	if (!r)
		r = touch_dies("a read two pages past the end of the file", p + 2 * PAGE, 0, SIGBUS);
	munmap(p, 3 * PAGE);
	return r;
}

static const struct check checks[] = {
	{ "anon-private", check_anon_private },
	{ "anon-fork-cow", check_anon_fork_cow },
	{ "fixed-replace", check_fixed_replace },
	{ "munmap-hole", check_munmap_hole },
	{ "mprotect", check_mprotect },
	{ "reserve", check_reserve },
	{ "file-private", check_file_private },
	{ "file-offset", check_file_offset },
	{ "file-errors", check_file_errors },
	{ "file-sigbus", check_file_sigbus },
};

int main(int argc, char **argv)
{
	int status;

	snprintf(work, sizeof(work), "/tmp/t-mmap.%d", (int)getpid());
	rm_tree(work);
	if (mkdir(work, 0755) != 0) {
		t_begin("mmap");
		t_fail("cannot make the scratch directory %s: %s", work, errname(errno));
		return 1;
	}
	status = run_checks("mmap", checks, NELEMS(checks), argc, argv);
	rm_tree(work);
	return status;
}
