// SPDX-License-Identifier: MIT
// Syscall surface test: a table of small named checks of errors, bad pointers, time, brk and mmap.
#include <errno.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include "selftest.h"

/*
 * Each check is a function that returns 0 when it holds, or -1 after
 * fail() has put the reason in `why`; it may leave a remark in `note`
 * for the "ok" line. Every check must hold on Linux as well as on
 * Kestrel (tests/linux/run-selftest-list.sh runs this binary on the
 * build machine); where the two may differ and both are right, the
 * check accepts both and says which it saw.
 *
 * Raw syscall() is used where the kernel's own answer matters and libc
 * would hide it: musl answers clock_gettime from the vDSO on Linux,
 * refuses any change in sbrk and brk, and rounds mprotect's address
 * down to a page. It returns -1 and sets errno like a wrapper. Signal
 * handlers are not used: rt_sigaction may be a no-op.
 *
 * Usage: t-syscalls [CHECK...]   run every check, or only those named.
 */
#define ARCH_GET_CPUID_ 0x1011  /* asm/prctl.h's, which musl does not ship */
#define ARCH_SET_CPUID_ 0x1012
#ifndef ARCH_GET_FS
#define ARCH_GET_FS 0x1003
#endif
#define PAGE 4096ul
#define USER_LAST_PAGE 0x00007ffffffff000ul	/* never mapped on Linux; Kestrel's stack top */
#define KERNEL_ADDR 0xffffffff80000000ul

static char why[300];
static char note[200];

/* fail: record why the running check failed; returns -1 for `return fail(...)`. */
__attribute__((format(printf, 1, 2)))
static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return -1;
}

__attribute__((format(printf, 1, 2)))
static void remark(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(note, sizeof(note), fmt, ap);
	va_end(ap);
}

/* errname: the symbolic name of the errno values these checks meet. */
static const char *errname(int e)
{
	static char other[16];

	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case EBADF: return "EBADF";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case ENOSYS: return "ENOSYS";
	case ENODEV: return "ENODEV";
	}
	snprintf(other, sizeof(other), "errno %d", e);
	return other;
}

/* want_err: RET (with the errno it left) must be -1/ERR. Call with errno fresh. */
static int want_err(const char *what, long ret, int err)
{
	int e = errno;

	if (ret == -1 && e == err)
		return 0;
	if (ret == -1)
		return fail("%s: -1/%s, want -1/%s", what, errname(e), errname(err));
	return fail("%s returned %ld, want -1/%s", what, ret, errname(err));
}

/* want_eq: RET must be WANT; on -1 the errno is reported too. */
static int want_eq(const char *what, long ret, long want)
{
	int e = errno;

	if (ret == want)
		return 0;
	if (ret == -1)
		return fail("%s: -1/%s, want %ld", what, errname(e), want);
	return fail("%s returned %ld, want %ld", what, ret, want);
}

static int check_enosys(void)
{
	errno = 0;
	if (want_err("syscall(1000)", syscall(1000), ENOSYS))
		return -1;
	errno = 0;
	return want_err("syscall(100000)", syscall(100000), ENOSYS);
}

static int check_write_null(void)
{
	return want_err("write(1, NULL, 5)", write(1, NULL, 5), EFAULT);
}

static int check_write_low(void)
{
	return want_err("write(1, 0x1, 5)", write(1, (void *)1, 5), EFAULT);
}

static int check_write_kernel(void)
{
	return want_err("write(1, kernel address, 5)", write(1, (void *)KERNEL_ADDR, 5), EFAULT);
}

/*
 * write_partial: WHAT wrote LEN bytes at BUF, of which only the first
 * GOOD can be read. Linux answers -1/EFAULT, or, when some bytes could
 * be copied, the short count (a regular file takes what it got); a
 * count above GOOD means the kernel read memory that is not there.
 */
static int write_partial(const char *what, const void *buf, size_t len, long good)
{
	long n = write(1, buf, len);
	int e = errno;

	if (n == -1 && e == EFAULT) {
		remark("EFAULT");
		return 0;
	}
	if (n == -1)
		return fail("%s: -1/%s, want -1/EFAULT", what, errname(e));
	if (n > 0 && n <= good) {
		remark("short write of %ld bytes", n);
		return 0;
	}
	return fail("%s returned %ld, want -1/EFAULT (or at most %ld)", what, n, good);
}

/* The last user page is unmapped on both systems; on Kestrel the stack ends just below it. */
static int check_write_usertop(void)
{
	return write_partial("write(1, 0x7fffffffeffe, 100)", (const void *)(USER_LAST_PAGE - 2), 100, 2);
}

/* Two bytes ("~\n") at the end of a page with a hole after it: the copy must stop at the hole. */
static int check_write_cross(void)
{
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int r;

	if (p == MAP_FAILED)
		return fail("mmap of two pages: %s", errname(errno));
	if (munmap(p + PAGE, PAGE) != 0)
		return fail("munmap of the second page: %s", errname(errno));
	p[PAGE - 2] = '~';
	p[PAGE - 1] = '\n';
	r = write_partial("write across a hole", p + PAGE - 2, 100, 2);
	munmap(p, PAGE);
	return r;
}

static int check_write_badfd(void)
{
	return want_err("write(7, ...)", write(7, "x", 1), EBADF);
}

static int check_write_zero(void)
{
	return want_eq("write(1, buf, 0)", write(1, "x", 0), 0);
}

static int check_writev_badiov(void)
{
	return want_err("writev(1, 0x1, 2)", writev(1, (const struct iovec *)1, 2), EFAULT);
}

static int check_writev(void)
{
	static char a[] = "syscalls: writev gathered", b[] = " two iovecs\n";
	struct iovec iov[2] = { { a, sizeof(a) - 1 }, { b, sizeof(b) - 1 } };

	return want_eq("writev of two iovecs", writev(1, iov, 2), (long)(sizeof(a) + sizeof(b) - 2));
}

static int check_uname(void)
{
	struct utsname u;

	if (uname(&u) != 0)
		return fail("uname: %s", errname(errno));
	if (u.sysname[0] == '\0')
		return fail("sysname is empty");
	if (strcmp(u.machine, "x86_64") != 0)
		return fail("machine \"%.20s\", want \"x86_64\"", u.machine);
	remark("sysname %.40s", u.sysname);
	return 0;
}

static long long ts_ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000ll + t->tv_nsec;
}

static int check_clock_monotonic(void)
{
	struct timespec prev, now;

	if (clock_gettime(CLOCK_MONOTONIC, &prev) != 0)
		return fail("clock_gettime: %s", errname(errno));
	for (int i = 0; i < 1000; i++) {
		if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
			return fail("clock_gettime call %d: %s", i, errname(errno));
		if (now.tv_nsec < 0 || now.tv_nsec >= 1000000000)
			return fail("call %d: tv_nsec %ld out of range", i, now.tv_nsec);
		if (ts_ns(&now) < ts_ns(&prev))
			return fail("call %d went back from %lld to %lld ns", i, ts_ns(&prev), ts_ns(&now));
		prev = now;
	}
	return 0;
}

static int check_clock_badid(void)
{
	struct timespec t;

	return want_err("clock_gettime(12345)", syscall(SYS_clock_gettime, 12345, &t), EINVAL);
}

static int check_clock_badptr(void)
{
	return want_err("clock_gettime(MONOTONIC, 0x1)",
			syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)1), EFAULT);
}

static int check_nanosleep(void)
{
	struct timespec t0, t1, req = { 0, 20000000 };
	long long took;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (nanosleep(&req, NULL) != 0)
		return fail("nanosleep(20 ms): %s", errname(errno));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	took = ts_ns(&t1) - ts_ns(&t0);
	if (took < 20000000)
		return fail("nanosleep(20 ms) returned after %lld ns", took);
	remark("slept %lld us", took / 1000);
	return 0;
}

static int check_nanosleep_badnsec(void)
{
	struct timespec req = { 0, 1000000000 };

	return want_err("nanosleep(tv_nsec 1e9)", nanosleep(&req, NULL), EINVAL);
}

/* brk: grow the break by 1 MiB, write every page, shrink back; brk(0) reports it each time. */
static int check_brk(void)
{
	const long grow = 1 << 20;
	long cur = syscall(SYS_brk, 0), top;

	if (cur <= 0)
		return fail("brk(0) returned %ld", cur);
	top = syscall(SYS_brk, cur + grow);
	if (top != cur + grow)
		return fail("brk(%#lx) returned %#lx, want the new break", cur + grow, top);
	if (syscall(SYS_brk, 0) != top)
		return fail("brk(0) after growing is not %#lx", top);
	for (long off = 0; off < grow; off += PAGE)
		((volatile char *)cur)[off] = (char)off;
	((volatile char *)top)[-1] = 1;
	if (syscall(SYS_brk, cur) != cur)
		return fail("shrinking back to %#lx failed", cur);
	return want_eq("brk(0) after shrinking", syscall(SYS_brk, 0), cur);
}

/* all_zero: the N bytes at P are zero. */
static int all_zero(const volatile char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* mmap: 64 KiB anonymous RW is zeroed and writable; munmap twice is fine; MAP_FIXED reuses it. */
static int check_mmap_anon(void)
{
	const size_t len = 64 * 1024;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *q;

	if (p == MAP_FAILED)
		return fail("mmap 64 KiB: %s", errname(errno));
	if (!all_zero(p, len))
		return fail("fresh anonymous memory is not zero");
	memset(p, 0x5a, len);
	if (p[0] != 0x5a || p[len - 1] != 0x5a)
		return fail("writes did not stick");
	if (want_eq("munmap", munmap(p, len), 0) || want_eq("second munmap", munmap(p, len), 0))
		return -1;
	q = mmap(p, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (q != p)
		return fail("MAP_FIXED at %p returned %p (%s)", (void *)p, (void *)q, errname(errno));
	if (!all_zero(q, len))
		return fail("memory mapped again with MAP_FIXED is not zero");
	q[len - 1] = 1;
	return want_eq("final munmap", munmap(q, len), 0);
}

static int check_mmap_badargs(void)
{
	if (want_err("mmap of length 0",
		     syscall(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL))
		return -1;
	return want_err("MAP_FIXED at an unaligned address",
			syscall(SYS_mmap, 0x10000000ul + 123, PAGE, PROT_READ,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), EINVAL);
}

static int check_mprotect(void)
{
	volatile char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int r;

	if (p == MAP_FAILED)
		return fail("mmap one page: %s", errname(errno));
	p[10] = 42;
	r = want_eq("mprotect(PROT_READ)", mprotect((void *)p, PAGE, PROT_READ), 0);
	if (r == 0 && p[10] != 42)
		r = fail("the page reads %d after mprotect, want 42", p[10]);
	if (r == 0)
		r = want_err("mprotect(unaligned)", syscall(SYS_mprotect, p + 1, PAGE, PROT_READ), EINVAL);
	munmap((void *)p, PAGE);
	return r;
}

/* W+X: Linux maps it; Kestrel refuses with EACCES (W^X). Either is fine, but a mapping must be real. */
static int check_mmap_wx(void)
{
	volatile char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		if (errno != EACCES)
			return fail("mmap(W+X): %s, want a mapping or EACCES", errname(errno));
		remark("refused with EACCES (W^X)");
		return 0;
	}
	p[0] = (char)0xc3;	/* ret */
	p[PAGE - 1] = 7;
	if ((unsigned char)p[0] != 0xc3 || p[PAGE - 1] != 7)
		return fail("the W+X mapping at %p does not keep writes", (void *)p);
	remark("allowed, a real writable mapping");
	return want_eq("munmap", munmap((void *)p, PAGE), 0);
}

/* ARCH_GET_FS is the thread pointer, and musl's TCB starts with a pointer to itself. */
static int check_arch_prctl(void)
{
	unsigned long base = 0, self;

	if (want_eq("arch_prctl(ARCH_GET_FS)", syscall(SYS_arch_prctl, ARCH_GET_FS, &base), 0))
		return -1;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	if (base != self)
		return fail("ARCH_GET_FS says %#lx, %%fs:0 holds %#lx", base, self);
	return 0;
}

/* 1 if /proc/cpuinfo's flags name cpuid_fault, 0 if not, -1 unreadable. */
static int has_cpuid_fault(void)
{
	char line[4096];
	FILE *f = fopen("/proc/cpuinfo", "r");
	int found = -1;

	if (!f)
		return -1;
	while (found < 1 && fgets(line, sizeof(line), f))
		if (strncmp(line, "flags", 5) == 0)
			found = strstr(line, " cpuid_fault ") || strstr(line, " cpuid_fault\n");
	fclose(f);
	return found;
}

/* ARCH_GET_CPUID: 1 (CPUID runs); ARCH_SET_CPUID(1) as the CPU allows:
 * 0 with CPUID faulting (cpuinfo's cpuid_fault), ENODEV without. */
static int check_arch_cpuid(void)
{
	int fault = has_cpuid_fault();

	if (fault < 0)
		return fail("no flags line in /proc/cpuinfo");
	if (want_eq("ARCH_GET_CPUID", syscall(SYS_arch_prctl, ARCH_GET_CPUID_, 0), 1))
		return -1;
	errno = 0;
	if (fault)
		return want_eq("ARCH_SET_CPUID(1), cpuid_fault", syscall(SYS_arch_prctl, ARCH_SET_CPUID_, 1), 0);
	return want_err("ARCH_SET_CPUID(1), no cpuid_fault", syscall(SYS_arch_prctl, ARCH_SET_CPUID_, 1), ENODEV);
}

static int check_ids(void)
{
	long pid = getpid(), tid = syscall(SYS_gettid);

	if (pid <= 0)
		return fail("getpid returned %ld", pid);
	if (tid != pid)
		return fail("gettid %ld is not getpid %ld", tid, pid);
	remark("pid %ld uid %ld euid %ld gid %ld egid %ld", pid, (long)getuid(), (long)geteuid(),
	       (long)getgid(), (long)getegid());
	return 0;
}

static int check_ioctl_winsz(void)
{
	struct winsize ws;
	int r = ioctl(1, TIOCGWINSZ, &ws);

	if (r == 0) {
		remark("a terminal, %ux%u", ws.ws_col, ws.ws_row);
		return 0;
	}
	if (r == -1 && errno == ENOTTY) {
		remark("ENOTTY");
		return 0;
	}
	return fail("ioctl(1, TIOCGWINSZ) returned %d/%s, want 0 or ENOTTY", r, errname(errno));
}

static const struct check {
	const char *name;
	int (*run)(void);
} checks[] = {
	{ "enosys", check_enosys },
	{ "write-null", check_write_null },
	{ "write-low", check_write_low },
	{ "write-kernel", check_write_kernel },
	{ "write-usertop", check_write_usertop },
	{ "write-cross", check_write_cross },
	{ "write-badfd", check_write_badfd },
	{ "write-zero", check_write_zero },
	{ "writev-badiov", check_writev_badiov },
	{ "writev", check_writev },
	{ "uname", check_uname },
	{ "clock-monotonic", check_clock_monotonic },
	{ "clock-badid", check_clock_badid },
	{ "clock-badptr", check_clock_badptr },
	{ "nanosleep", check_nanosleep },
	{ "nanosleep-badnsec", check_nanosleep_badnsec },
	{ "brk", check_brk },
	{ "mmap-anon", check_mmap_anon },
	{ "mmap-badargs", check_mmap_badargs },
	{ "mprotect", check_mprotect },
	{ "mmap-wx", check_mmap_wx },
	{ "arch-prctl", check_arch_prctl },
	{ "arch-cpuid", check_arch_cpuid },
	{ "ids", check_ids },
	{ "ioctl-winsz", check_ioctl_winsz },
};
#define NCHECKS (sizeof(checks) / sizeof(checks[0]))

/* wanted: CHECK is to run (no names given, or it is among them). */
static int wanted(const char *name, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return argc < 2;
}

/* run_one: run a check and print its line. */
static int run_one(const struct check *c)
{
	why[0] = note[0] = '\0';
	errno = 0;
	if (c->run() == 0) {
		t_say("%s ok%s%s", c->name, note[0] ? ": " : "", note);
		return 1;
	}
	t_say("%s FAIL %s", c->name, why);
	t_failures++;
	return 0;
}

int main(int argc, char **argv)
{
	int passed = 0, ran = 0;

	t_begin("syscalls");
	for (int i = 1; i < argc; i++) {
		size_t k = 0;
		while (k < NCHECKS && strcmp(checks[k].name, argv[i]) != 0)
			k++;
		if (k == NCHECKS)
			t_fail("no check named \"%.40s\"", argv[i]);
	}
	for (size_t k = 0; k < NCHECKS; k++) {
		if (!wanted(checks[k].name, argc, argv))
			continue;
		ran++;
		passed += run_one(&checks[k]);
	}
	t_say("%d passed, %d failed", passed, ran - passed);
	return t_finish();
}
