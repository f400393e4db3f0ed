// SPDX-License-Identifier: MIT
// Hostile memory use: the last user page, read-only pages after fork, huge mprotect, PROT_NONE copies, the stack guard gap, RLIMIT_AS, a memory hog.
#define _GNU_SOURCE 1 /* CLONE_CHILD_SETTID */
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include "checks.h"

/*
 * Each check is one /etc/selftest line (t-memhostile NAME), the
 * regression program of a way a ring-3 program could corrupt or exhaust
 * Kestrel's memory management (issue 9): the last user page was
 * mappable, a child wrote through a read-only page it shared with its
 * parent, mprotect over 32 TiB walked every page, the kernel copied
 * from PROT_NONE pages, the stack grew into other mappings, and a
 * memory hog had no end but a panic. Linux's answers are the
 * specification; memhog alone behaves differently on a big Linux host
 * (see check_memhog).
 */
#define PAGE 4096ul
#define LAST_PAGE 0x7ffffffff000ul   /* the top user page: never mappable */
#define MIB (1024ul * 1024)


static void *map_anon(void *hint, size_t len, int prot, int flags)
{
	return mmap(hint, len, prot, flags | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* lastpage: nothing maps 0x7ffffffff000 (Linux: TASK_SIZE ends below it). */
static int check_lastpage(void)
{
	void *p;
	long cur, r;

	errno = 0;
	p = map_anon((void *)LAST_PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_FIXED);
	if (want_err("mmap(MAP_FIXED, last page)", (long)p, ENOMEM))
		return CHECK_FAIL;
	errno = 0;
	p = map_anon((void *)(LAST_PAGE - PAGE), 2 * PAGE, PROT_READ, MAP_FIXED);
	if (want_err("mmap(MAP_FIXED, two pages ending at 2^47)", (long)p, ENOMEM))
		return CHECK_FAIL;
	/* a hint there is not taken: the mapping lands below the top page */
	p = map_anon((void *)LAST_PAGE, PAGE, PROT_READ | PROT_WRITE, 0);
	if (p == MAP_FAILED)
		return fail("mmap(hint at the last page): %s", errname(errno));
	munmap(p, PAGE);
	if ((uintptr_t)p + PAGE > LAST_PAGE)
		return fail("mmap(hint at the last page) mapped %p", p);
	errno = 0;
	if (want_err("munmap(last page)", munmap((void *)LAST_PAGE, PAGE), EINVAL))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("mprotect(last page)", mprotect((void *)LAST_PAGE, PAGE, PROT_READ), ENOMEM))
		return CHECK_FAIL;
	cur = syscall(SYS_brk, 0);
	r = syscall(SYS_brk, LAST_PAGE + 0x800);
	if (r != cur)
		return fail("brk(last page) returned %#lx, want the unchanged %#lx", r, cur);
	return CHECK_OK;
}

static char ro_page[PAGE] __attribute__((aligned(4096))) = "parent";

/* A read-only private page made writable by the child after fork: the
 * child's write must not reach the parent (and the other way round). */
static int fork_ro_case(char *page, const char *what)
{
	int go[2], st;
	pid_t pid;
	char c;

	if (pipe(go) != 0)
		return fail("pipe: %s", errname(errno));
	pid = fork();
	if (pid == 0) {
		if (mprotect(page, PAGE, PROT_READ | PROT_WRITE) != 0)
			_exit(2);
		strcpy(page, "child!");
		/* now the parent writes its copy; this one must stay ours */
		if (read(go[0], &c, 1) != 1 || strcmp(page, "child!") != 0)
			_exit(3);
		_exit(0);
	}
	close(go[0]);
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	ms_sleep(50); /* let the child write first (either order must work) */
	int r = strcmp(page, "parent") == 0 ? CHECK_OK : fail("%s: the parent sees \"%.8s\"", what, page);
	if (mprotect(page, PAGE, PROT_READ | PROT_WRITE) != 0)
		r = fail("%s: mprotect in the parent: %s", what, errname(errno));
	else
		strcpy(page, "PARENT");
	if (write(go[1], "x", 1) != 1)
		r = fail("write to the child: %s", errname(errno));
	close(go[1]);
	if (wait_child(pid, 5000, &st) != CHECK_OK)
		return CHECK_FAIL;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return fail("%s: the child ended with status %#x (3: it saw the parent's write)", what, st);
	mprotect(page, PAGE, PROT_READ);
	return r;
}

/* CLONE_CHILD_SETTID into a read-only page: Linux's write faults and is
 * dropped; neither the child's nor the parent's page may change. */
static int settid_ro_case(void)
{
	uint32_t *tid = map_anon(NULL, PAGE, PROT_READ | PROT_WRITE, 0);
	int st;

	if (tid == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	*tid = 0x11111111;
	mprotect(tid, PAGE, PROT_READ);
	long pid = syscall(SYS_clone, CLONE_CHILD_SETTID | SIGCHLD, 0, NULL, tid, 0);
	if (pid == 0)
		_exit(*tid == 0x11111111 ? 0 : 4);
	if (pid < 0)
		return fail("clone(CLONE_CHILD_SETTID): %s", errname(errno));
	if (wait_child((pid_t)pid, 5000, &st) != CHECK_OK)
		return CHECK_FAIL;
	int r = *tid == 0x11111111 ? CHECK_OK : fail("the parent's read-only page now holds %#x", *tid);
	if (r == CHECK_OK && (!WIFEXITED(st) || WEXITSTATUS(st) != 0))
		r = fail("the child's read-only tid word changed (status %#x)", st);
	munmap(tid, PAGE);
	return r;
}

/* forkro: copy-on-write whatever the protection at fork time. */
static int check_forkro(void)
{
	char *anon = map_anon(NULL, PAGE, PROT_READ | PROT_WRITE, 0);

	if (anon == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	strcpy(anon, "parent");
	mprotect(anon, PAGE, PROT_READ);
	mprotect(ro_page, PAGE, PROT_READ);
	if (fork_ro_case(anon, "anonymous page") || fork_ro_case(ro_page, "data page"))
		return CHECK_FAIL;
	munmap(anon, PAGE);
	return settid_ro_case();
}

/* bigmprotect: mprotect and munmap over a 32 TiB PROT_NONE reservation
 * walk only what is populated (the selftest line's time-out is tight). */
static int check_bigmprotect(void)
{
	size_t len = 32ul << 40;
	long long t0 = now_ms();
	char *p = map_anon(NULL, len, PROT_NONE, MAP_NORESERVE);

	if (p == MAP_FAILED)
		return skip("no 32 TiB PROT_NONE reservation here: %s", errname(errno));
	char *mid = p + len / 2;
	if (mprotect(mid, PAGE, PROT_READ | PROT_WRITE) != 0)
		return fail("mprotect(one page): %s", errname(errno));
	*mid = 1;
	if (mprotect(p, len, PROT_READ) != 0)
		return fail("mprotect(32 TiB, PROT_READ): %s", errname(errno));
	if (*mid != 1)
		return fail("the populated page lost its byte");
	if (mprotect(p, len, PROT_NONE) != 0)
		return fail("mprotect(32 TiB, PROT_NONE): %s", errname(errno));
	if (munmap(p, len) != 0)
		return fail("munmap(32 TiB): %s", errname(errno));
	long long ms = now_ms() - t0;
	remark("%lld ms", ms);
	return ms < 2000 ? CHECK_OK : fail("took %lld ms", ms);
}

/* protnone-write: the kernel's copies honour PROT_NONE and read-only. */
static int check_protnone(void)
{
	char *buf = map_anon(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, 0);
	int fds[2], zero, r = CHECK_OK;

	if (buf == MAP_FAILED || pipe(fds) != 0)
		return fail("mmap/pipe: %s", errname(errno));
	memset(buf, 'x', PAGE); /* the first page is present, the second never touched */
	mprotect(buf, 2 * PAGE, PROT_NONE);
	errno = 0;
	if (want_err("write(pipe, touched PROT_NONE page)", write(fds[1], buf, 16), EFAULT) ||
	    (errno = 0, want_err("write(pipe, untouched PROT_NONE page)", write(fds[1], buf + PAGE, 16), EFAULT)))
		r = CHECK_FAIL;
	if (r == CHECK_OK && (zero = open("/dev/zero", O_RDONLY)) >= 0) {
		errno = 0;
		r = want_err("read(/dev/zero into PROT_NONE)", read(zero, buf, 16), EFAULT);
		mprotect(buf, PAGE, PROT_READ);
		errno = 0;
		if (r == CHECK_OK)
			r = want_err("read(/dev/zero into a read-only page)", read(zero, buf, 16), EFAULT);
		if (r == CHECK_OK && buf[0] != 'x')
			r = fail("the read-only page changed");
		close(zero);
	}
	close(fds[0]);
	close(fds[1]);
	munmap(buf, 2 * PAGE);
	return r;
}

/* Touch the byte at addr; the child dies of SIGSEGV if the stack cannot grow there. */
static void touch(uintptr_t addr)
{
	*(volatile char *)addr = 1;
}

/* A child that maps one page `below` bytes under its stack (0: none),
 * lowers RLIMIT_STACK to rlim (0: unchanged) and touches `depth` bytes
 * under its stack. Exits 0 when the touch worked, 7 if the hint was not
 * taken. */
static pid_t stack_child(size_t below, size_t rlim, size_t depth)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	char here;
	uintptr_t top = (uintptr_t)&here & ~(PAGE - 1);
	if (below) {
		void *want = (void *)(top - below);
		if (map_anon(want, PAGE, PROT_READ | PROT_WRITE, 0) != want)
			_exit(7);
	}
	struct rlimit rl = { rlim, RLIM_INFINITY };
	if (rlim && setrlimit(RLIMIT_STACK, &rl) != 0)
		_exit(8);
	touch(top - depth);
	_exit(0);
}

/* stackgap: the stack grows, but not within Linux's 1 MiB guard gap of
 * another mapping, nor past RLIMIT_STACK. */
static int check_stackgap(void)
{
	if (want_exit("growing the stack 512 KiB", stack_child(0, 0, 512 * 1024), 0) ||
	    want_exit("growing 2 MiB to 2 MiB above a mapping", stack_child(4 * MIB, 0, 2 * MIB), 0) ||
	    want_signal("growing to 508 KiB above a mapping", stack_child(4 * MIB, 0, 4 * MIB - 512 * 1024),
			SIGSEGV) ||
	    want_signal("growing 1 MiB with RLIMIT_STACK 256 KiB", stack_child(0, 256 * 1024, MIB), SIGSEGV))
		return CHECK_FAIL;
	return CHECK_OK;
}

/* rlimit-as: mmap and brk past RLIMIT_AS fail with ENOMEM. */
static int check_rlimit_as(void)
{
	struct rlimit rl = { 64 * MIB, RLIM_INFINITY };
	void *p;
	long cur, r;

	if (setrlimit(RLIMIT_AS, &rl) != 0)
		return fail("setrlimit(RLIMIT_AS, 64 MiB): %s", errname(errno));
	errno = 0;
	p = map_anon(NULL, 128 * MIB, PROT_READ | PROT_WRITE, 0);
	if (want_err("mmap(128 MiB) under RLIMIT_AS 64 MiB", (long)p, ENOMEM))
		return CHECK_FAIL;
	p = map_anon(NULL, MIB, PROT_READ | PROT_WRITE, 0);
	if (p == MAP_FAILED)
		return fail("mmap(1 MiB) under RLIMIT_AS 64 MiB: %s", errname(errno));
	munmap(p, MIB);
	cur = syscall(SYS_brk, 0);
	r = syscall(SYS_brk, cur + 128 * MIB);
	if (r != cur)
		return fail("brk(+128 MiB) under RLIMIT_AS 64 MiB returned %#lx, want %#lx", r, cur);
	if (malloc(100 * MIB) != NULL)
		return fail("malloc(100 MiB) under RLIMIT_AS 64 MiB succeeded");
	return CHECK_OK;
}

/* memtotal_mib: MemTotal from /proc/meminfo, or 0 if unknown. */
static unsigned long memtotal_mib(void)
{
	char buf[256] = "";
	unsigned long kib = 0;
	int fd = open("/proc/meminfo", O_RDONLY);

	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	char *m = strstr(buf, "MemTotal:");
	if (m)
		kib = strtoul(m + 9, NULL, 10);
	return kib / 1024;
}

#define HOG_CHUNK (4 * MIB)

/* The hog: map and touch memory until mmap fails (exit 3) or it is
 * killed; `bound`: a RLIMIT_AS to stop at first (0: none). */
static void hog(size_t bound)
{
	struct rlimit rl = { bound, RLIM_INFINITY };

	if (bound && setrlimit(RLIMIT_AS, &rl) != 0)
		_exit(9);
	for (;;) {
		char *p = map_anon(NULL, HOG_CHUNK, PROT_READ | PROT_WRITE, 0);
		if (p == MAP_FAILED)
			_exit(errno == ENOMEM ? 3 : 10);
		for (size_t i = 0; i < HOG_CHUNK; i += PAGE)
			p[i] = 1;
	}
}

/* memhog: a child eats memory until it fails or is killed; the parent
 * lives on and can still fork and exec. With under 2 GiB of RAM (the
 * usual Kestrel boot) the hog has no limit: it ends by the kernel's OOM
 * path (SIGKILL) or ENOMEM. With more (the Linux build machine, or the
 * 8 GiB boot test, where filling RAM under emulation takes too long) it
 * is bounded by RLIMIT_AS (256 MiB): then only ENOMEM and the parent's
 * side are tested. */
static int check_memhog(void)
{
	unsigned long total = memtotal_mib();
	int unbounded = total ? total < 2048 : on_kestrel();
	int st;

	pid_t pid = fork();
	if (pid == 0)
		hog(unbounded ? 0 : 256 * MIB);
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	if (wait_child(pid, 120000, &st) != CHECK_OK)
		return CHECK_FAIL;
	if (WIFSIGNALED(st) ? WTERMSIG(st) != SIGKILL : (!WIFEXITED(st) || WEXITSTATUS(st) != 3))
		return fail("the hog ended with status %#x, want SIGKILL or exit 3 (ENOMEM)", st);
	remark("%s hog (MemTotal %lu MiB) ended by %s", unbounded ? "unbounded" : "256 MiB",
	       total, WIFSIGNALED(st) ? "SIGKILL" : "ENOMEM");
	/* the rest of the system still works: fork, exec, memory */
	char *p = map_anon(NULL, MIB, PROT_READ | PROT_WRITE, 0);
	if (p == MAP_FAILED)
		return fail("mmap(1 MiB) after the hog: %s", errname(errno));
	memset(p, 1, MIB);
	munmap(p, MIB);
	pid = fork();
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	return want_exit("fork+exec /bin/true after the hog", pid, 0);
}

static const struct check checks[] = {
	{ "lastpage", check_lastpage },
	{ "forkro", check_forkro },
	{ "bigmprotect", check_bigmprotect },
	{ "protnone-write", check_protnone },
	{ "stackgap", check_stackgap },
	{ "rlimit-as", check_rlimit_as },
	{ "memhog", check_memhog },
};

int main(int argc, char **argv)
{
	return run_checks("memhostile", checks, NELEMS(checks), argc, argv);
}
