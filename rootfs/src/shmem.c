// SPDX-License-Identifier: MIT
// Shared memory and madvise: MAP_SHARED|MAP_ANONYMOUS and /dev/zero across fork, MADV_DONTNEED, madvise's errors.
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include "checks.h"

/*
 * A MAP_SHARED anonymous mapping is one memory for every process that
 * inherits it by fork, until each unmaps it; mprotect and munmap of a
 * part act on the caller's view only. MADV_DONTNEED drops pages: private
 * anonymous memory reads back zero, a private file mapping the file,
 * shared memory what it held. A child's death is the answer to whether
 * an access faults, as in t-mmapt. The scratch file lives in
 * /tmp/t-shmem.PID.
 */
#define PAGE 4096ul
#define WAIT_MS 2000

static char *map_shared(size_t len, int prot)
{
	return mmap(NULL, len, prot, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
}

/* filled: the N bytes at P all equal C. */
static int filled(const volatile char *p, size_t n, char c)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

/* until: wait (up to WAIT_MS) for *P to become V; 1 if it did. */
static int until(volatile int *p, int v)
{
	long long end = now_ms() + WAIT_MS;

	while (*p != v && now_ms() < end)
		ms_sleep(1);
	return *p == v;
}

/* write_dies: fork a child that writes ADDR; it must die by SIGSEGV. */
static int write_dies(const char *what, volatile char *addr)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit rl = { 0, 0 };
		setrlimit(RLIMIT_CORE, &rl);
		*addr = 1;
		_exit(0);
	}
	return want_signal(what, pid, SIGSEGV);
}

/* The child of check_shared_fork: it sees the parent's 1, both add 1000
 * at once, it waits for the parent's 42, writes its page and exits. */
static void shared_fork_child(volatile int *c)
{
	if (c[0] != 1)
		_exit(1);
	for (int i = 0; i < 1000; i++)
		__atomic_add_fetch(&c[1], 1, __ATOMIC_SEQ_CST);
	if (!until(&c[2], 42))
		_exit(2);
	memset((char *)c + PAGE, 'c', PAGE);
	_exit(0);
}

/* Parent and child see each other's writes; the memory outlives the child; a
 * child's munmap leaves the parent's mapping alone. */
static int check_shared_fork(void)
{
	volatile int *c = (volatile int *)map_shared(2 * PAGE, PROT_READ | PROT_WRITE);
	char *p = (char *)c;
	int r;

	if (p == MAP_FAILED)
		return fail("mmap MAP_SHARED|MAP_ANONYMOUS: %s", errname(errno));
	if (!filled(p, 2 * PAGE, 0)) {
		munmap(p, 2 * PAGE);
		return fail("fresh shared memory is not zero");
	}
	c[0] = 1;
	pid_t pid = fork();
	if (pid == 0)
		shared_fork_child(c);
	for (int i = 0; i < 1000; i++)
		__atomic_add_fetch(&c[1], 1, __ATOMIC_SEQ_CST);
	c[2] = 42;
	r = want_exit("the child (1: it did not see the parent's 1, 2: nor its 42)", pid, 0);
	if (!r && c[1] != 2000)
		r = fail("the shared counter is %d after 1000 + 1000 increments, want 2000", c[1]);
	if (!r && !filled(p + PAGE, PAGE, 'c'))
		r = fail("the child's write to its second page did not reach the parent");
	if (!r && (pid = fork()) == 0)
		_exit(munmap(p, 2 * PAGE) == 0 ? 0 : 1);
	if (!r)
		r = want_exit("a child unmapping the memory", pid, 0);
	if (!r) {
		c[0] = 7;	/* still mapped and writable here */
		if (c[0] != 7 || !filled(p + PAGE, PAGE, 'c'))
			r = fail("the parent's mapping changed when a child unmapped its own");
	}
	munmap(p, 2 * PAGE);
	return r;
}

/* mprotect of a part: the protection is per process, the memory still shared. */
static int check_shared_mprotect(void)
{
	char *p = map_shared(3 * PAGE, PROT_READ | PROT_WRITE);
	pid_t pid;
	int r;

	if (p == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	memset(p, 'm', 3 * PAGE);
	r = want_eq("mprotect(middle, PROT_READ)", mprotect(p + PAGE, PAGE, PROT_READ), 0);
	if (!r)
		r = write_dies("a write to the read-only shared page", p + PAGE);
	if (!r && (pid = fork()) == 0) {
		p[0] = 'a';
		p[2 * PAGE] = 'b';
		_exit(p[PAGE] == 'm' && mprotect(p + PAGE, PAGE, PROT_READ | PROT_WRITE) == 0 &&
		      (p[PAGE] = 'c') == 'c' ? 0 : 1);
	}
	if (!r)
		r = want_exit("the child writing around and (after its mprotect) into the page", pid, 0);
	if (!r && (p[0] != 'a' || p[2 * PAGE] != 'b' || p[PAGE] != 'c'))
		r = fail("the parent sees %c %c %c, want the child's a c b", p[0], p[PAGE], p[2 * PAGE]);
	if (!r)
		r = write_dies("a write to the page the parent still has read-only", p + PAGE);
	/* The first page unmapped: the rest is still shared with a new child. */
	if (!r)
		r = want_eq("munmap(first page)", munmap(p, PAGE), 0);
	if (!r && (pid = fork()) == 0) {
		p[2 * PAGE + 1] = 'z';
		_exit(0);
	}
	if (!r)
		r = want_exit("a child writing the last page", pid, 0);
	if (!r && p[2 * PAGE + 1] != 'z')
		r = fail("after munmap of the first page the last one is no longer shared");
	munmap(p, 3 * PAGE);
	return r;
}

/* /dev/zero: MAP_SHARED is shared anonymous memory, MAP_PRIVATE private. */
static int check_shared_devzero(void)
{
	int fd = open("/dev/zero", O_RDWR), ro;
	char *s, *q;
	pid_t pid;
	int r = CHECK_OK;

	if (fd < 0)
		return fail("open /dev/zero: %s", errname(errno));
	s = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	q = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (s == MAP_FAILED || q == MAP_FAILED)
		r = fail("mmap of /dev/zero: shared %s, private %s", s == MAP_FAILED ? errname(errno) : "ok",
			 q == MAP_FAILED ? "failed" : "ok");
	if (!r && (!filled(s, 2 * PAGE, 0) || !filled(q, PAGE, 0)))
		r = fail("a mapping of /dev/zero is not zero");
	if (!r && (pid = fork()) == 0) {
		memset(s + PAGE, 's', PAGE);
		memset(q, 'q', PAGE);
		_exit(0);
	}
	if (!r)
		r = want_exit("the child writing both mappings", pid, 0);
	if (!r && !filled(s + PAGE, PAGE, 's'))
		r = fail("the child's write to the shared /dev/zero mapping did not reach the parent");
	if (!r && !filled(q, PAGE, 0))
		r = fail("the child's write to the private /dev/zero mapping reached the parent");
	ro = open("/dev/zero", O_RDONLY);
	errno = 0;
	if (!r)
		r = want_err("a shared writable mapping of a read-only /dev/zero",
			     syscall(SYS_mmap, 0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
	close(ro);
	if (s != MAP_FAILED)
		munmap(s, 2 * PAGE);
	if (q != MAP_FAILED)
		munmap(q, PAGE);
	return r;
}

/* Private anonymous memory reads back zero after MADV_DONTNEED, in this
 * process only (a child's pages shared copy-on-write are its own). */
static int check_dontneed_zeroes(void)
{
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t pid;
	int r;

	if (p == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	memset(p, 'd', 4 * PAGE);
	if ((pid = fork()) == 0)
		_exit(madvise(p, 4 * PAGE, MADV_DONTNEED) == 0 && filled(p, 4 * PAGE, 0) ? 0 : 1);
	r = want_exit("a child's MADV_DONTNEED of the copy-on-write pages (1: not zero)", pid, 0);
	if (!r && !filled(p, 4 * PAGE, 'd'))
		r = fail("a child's MADV_DONTNEED changed the parent's pages");
	if (!r)
		r = want_eq("madvise(middle two pages, MADV_DONTNEED)", madvise(p + PAGE, 2 * PAGE, MADV_DONTNEED), 0);
	if (!r && !filled(p + PAGE, 2 * PAGE, 0))
		r = fail("private anonymous pages are not zero after MADV_DONTNEED");
	if (!r && (!filled(p, PAGE, 'd') || !filled(p + 3 * PAGE, PAGE, 'd')))
		r = fail("the pages beside the range lost their contents");
	if (!r) {
		p[PAGE] = 'n';
		if (p[PAGE] != 'n' || p[PAGE + 1] != 0)
			r = fail("a dropped page does not take a new write");
	}
	munmap(p, 4 * PAGE);
	return r;
}

/* Shared memory keeps its contents through MADV_DONTNEED. */
static int check_dontneed_shared_keeps(void)
{
	char *p = map_shared(2 * PAGE, PROT_READ | PROT_WRITE);
	pid_t pid;
	int r;

	if (p == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	memset(p, 'k', 2 * PAGE);
	r = want_eq("madvise(shared, MADV_DONTNEED)", madvise(p, 2 * PAGE, MADV_DONTNEED), 0);
	if (!r && !filled(p, 2 * PAGE, 'k'))
		r = fail("shared memory lost its contents to MADV_DONTNEED");
	if (!r && (pid = fork()) == 0) {
		int ok = madvise(p, PAGE, MADV_DONTNEED) == 0 && filled(p, PAGE, 'k');
		p[0] = 'x';
		_exit(ok ? 0 : 1);
	}
	if (!r)
		r = want_exit("a child's MADV_DONTNEED and write (1: contents lost)", pid, 0);
	if (!r && p[0] != 'x')
		r = fail("a write after MADV_DONTNEED in a child did not reach the shared memory");
	errno = 0;
	if (!r)
		r = want_err("MADV_FREE of shared memory", madvise(p, PAGE, MADV_FREE), EINVAL);
	munmap(p, 2 * PAGE);
	return r;
}

/* A private file mapping refaults from the file after MADV_DONTNEED. */
static int check_dontneed_file(void)
{
	static char buf[2 * PAGE];
	int fd = open(P("f"), O_RDWR | O_CREAT | O_TRUNC, 0644), r = CHECK_OK;
	char *p;

	if (fd < 0)
		return fail("open: %s", errname(errno));
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)('a' + i % 23);
	if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
		close(fd);
		return fail("write: %s", errname(errno));
	}
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return fail("mmap of the file: %s", errname(errno));
	memset(p, 'W', 2 * PAGE);
	r = want_eq("madvise(file, MADV_DONTNEED)", madvise(p, 2 * PAGE, MADV_DONTNEED), 0);
	if (!r && memcmp(p, buf, sizeof(buf)) != 0)
		r = fail("a private file mapping shows %#x after MADV_DONTNEED, want the file's %#x", p[0], buf[0]);
	munmap(p, 2 * PAGE);
	return r;
}

/* Linux's checks: EINVAL for bad advice, start or length; ENOMEM for a
 * hole, after the advice was applied to what is mapped. */
static int check_madvise_errors(void)
{
	char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int r = CHECK_OK;

	if (p == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	static const struct { const char *what; long off; size_t len; int advice, err; } bad[] = {
		{ "an unaligned start", 1, PAGE, MADV_DONTNEED, EINVAL },
		{ "a length that wraps when rounded up", 0, SIZE_MAX, MADV_DONTNEED, EINVAL },
		{ "unknown advice 999", 0, PAGE, 999, EINVAL },
		{ "unknown advice 5", 0, PAGE, 5, EINVAL },
		{ "advice -1", 0, PAGE, -1, EINVAL },
	};
	for (size_t i = 0; i < NELEMS(bad) && !r; i++) {
		errno = 0;
		r = want_err(bad[i].what, madvise(p + bad[i].off, bad[i].len, bad[i].advice), bad[i].err);
	}
	errno = 0;
	if (!r)
		r = want_err("a range that wraps around the address space",
			     syscall(SYS_madvise, (uintptr_t)p, -(uintptr_t)p, MADV_DONTNEED), EINVAL);
	if (!r)
		r = want_eq("length 0", madvise(p, 0, MADV_DONTNEED), 0);
	if (!r)
		r = want_eq("MADV_NORMAL on mapped memory", madvise(p, 3 * PAGE, MADV_NORMAL), 0);
	memset(p, 'e', 3 * PAGE);
	if (!r)
		r = want_eq("munmap(middle page)", munmap(p + PAGE, PAGE), 0);
	errno = 0;
	if (!r)
		r = want_err("MADV_DONTNEED over a hole", madvise(p, 3 * PAGE, MADV_DONTNEED), ENOMEM);
	if (!r && (!filled(p, PAGE, 0) || !filled(p + 2 * PAGE, PAGE, 0)))
		r = fail("MADV_DONTNEED over a hole did not drop the mapped pages around it");
	errno = 0;
	if (!r)
		r = want_err("MADV_NORMAL of the hole", madvise(p + PAGE, PAGE, MADV_NORMAL), ENOMEM);
	munmap(p, 3 * PAGE);
	return r;
}

static const struct check checks[] = {
	{ "shared-anon-fork", check_shared_fork },
	{ "shared-anon-mprotect", check_shared_mprotect },
	{ "shared-devzero", check_shared_devzero },
	{ "dontneed-zeroes", check_dontneed_zeroes },
	{ "dontneed-shared-keeps", check_dontneed_shared_keeps },
	{ "dontneed-file", check_dontneed_file },
	{ "madvise-errors", check_madvise_errors },
};

int main(int argc, char **argv)
{
	int status;

	snprintf(work, sizeof(work), "/tmp/t-shmem.%d", (int)getpid());
	rm_tree(work);
	if (mkdir(work, 0755) != 0) {
		t_begin("shmem");
		t_fail("cannot make the scratch directory %s: %s", work, errname(errno));
		return 1;
	}
	status = run_checks("shmem", checks, NELEMS(checks), argc, argv);
	rm_tree(work);
	return status;
}
