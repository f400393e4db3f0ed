/* SPDX-License-Identifier: MIT */
/*
 * kfuzz: an in-guest system-call fuzzer. Seeded and deterministic: child
 * number K draws its calls from a PRNG seeded with (seed, K), so the same
 * seed makes the same sequence of calls in every child. Each child makes
 * random system calls (every number but kfuzz_table.h's deny list) with
 * hostile arguments, in its own session with stdio on /dev/null, and is
 * killed with its whole process group by a watchdog when it runs too long.
 * The parent prints a progress line every few seconds and checks at the
 * end that free memory came back (a leak check).
 *
 *   kfuzz -t SECONDS [-s SEED] [-j JOBS] [-c FIRST] [-n CHILDREN] [-v] [-m MARGIN_KB]
 *
 * -c/-n run only children FIRST .. FIRST+CHILDREN-1 (replay one child of a
 * failing run: -s SEED -c K -n 1 -j 1 -v prints each call before making it).
 * Exit status: 0 ok, 1 memory leak, 2 usage or setup error, 3 a child
 * survived SIGKILL. Never run it on a machine you care about as root: it
 * is meant for Kestrel in QEMU (make fuzz-kernel).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "kfuzz_table.h"

#define SCRATCH_ROOT     "/tmp/kfuzz"
#define CALLS_PER_CHILD  1500	  /* then the child exits and a fresh one starts */
#define DESCENDANT_CALLS 200	  /* a fork's child makes at most this many more */
#define WATCHDOG_MS      2000	  /* a child still running after this is SIGKILLed */
#define UNKILLABLE_MS    10000	  /* ... and one that outlives SIGKILL this long is a bug */
#define PROGRESS_MS      5000
#define TICK_US          20000	  /* the child's interval timer: blocked calls get EINTR */
#define REPORT_FD        200	  /* the child's end of the count pipe, out of the fd pool's way */
#define REPORT_EVERY     64
#define REPORT_MAGIC     0x6b66757aU
#define MAX_JOBS         16
#define FD_POOL          32
#define SCRATCH_INODES   64
#define PAGE             4096UL
#define BUF_PAGES        6	  /* 4 rw, 1 read-only, 1 PROT_NONE */
#define THREAD_STACKS    4
#define THREAD_STACK     65536
/*
 * The leak margin. MemFree counts the buddy allocator's free pages, so it
 * sees the kernel heap (slab pages return to it when empty) and every page
 * table, stack and file page. What legitimately stays allocated after a run:
 * the shared copies of the executables' pages that exec keeps (a few dozen
 * KiB for /bin/hello and kfuzz), slab pages pinned by one long-lived object
 * each (8 size classes), and tables that grew (processes, fds). Runs of
 * 30 s to 5 min lose 32-44 KiB, whatever their length, plus the kernel
 * stacks that exiting threads leave mapped for reuse or waiting for one
 * batched shootdown (mm/vmalloc.c: up to 8 + 8 of 16 KiB, 256 KiB; a 600 s
 * run on 4 CPUs lost 428 KiB in all). 768 KiB is that with room, while one
 * leaked page per child (~1000 a minute), or 64 bytes per call (~6000 a
 * second), exceeds it within a minute.
 */
#define LEAK_MARGIN_KB   768
#define KFUZZ_SA_RESTORER 0x04000000
#define KFUZZ_XSTR(x) #x
#define KFUZZ_STR(x) KFUZZ_XSTR(x)

/* ------------------------------------------------------------------ PRNG */

/* splitmix64: one state word, good enough output, trivially seedable. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return rnd() % n;
}

static int chance(unsigned in)
{
	return below(in) == 0;
}

#define PICK(a) ((a)[below(sizeof(a) / sizeof((a)[0]))])

/* ------------------------------------------------------------------ output */

static int verbose;
static int log_fd = 2;	/* the parent's stderr, kept in the child under -v */

static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (write(1, buf, n) < 0)
		return;
}

/* ------------------------------------------------------------------ raw calls */

/* The fuzzed calls go through this, not libc: no errno, no TLS, so a child
 * that changed its FS base or clobbered its signal state keeps running. */
static long raw6(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ the child's world */

/*
 * Paths. Scratch names are relative to the child's own scratch directory
 * (its cwd, which only ever moves to a scratch directory); the scratch
 * symlinks point only at scratch names, so nothing relative leaves it.
 * System paths are read-only targets: 'w' arguments never get one, and
 * open() of one loses O_CREAT/O_TRUNC and (except /dev/null and friends)
 * its write access.
 */
static const char *const scratch_paths[] = {
	"f0", "f1", "d1", "d1/f2", "d1/d2", "d1/..", ".", "./f1", "l_f0", "l_d1", "l_dangle",
	"l_loop", "l_chain0", "l_chain7", "fifo", "nope", "d1/nope/x", "f0/x", "", "x0", "x1",
	"d1/x2", "d1/d2/x3", NULL /* long name */, NULL /* over PATH_MAX */,
};
#define SCRATCH_LONG    (sizeof(scratch_paths) / sizeof(scratch_paths[0]) - 2)
#define SCRATCH_TOOLONG (sizeof(scratch_paths) / sizeof(scratch_paths[0]) - 1)
#define CHAIN_LINKS 8
static const char *const system_paths[] = {
	"/", "/proc", "/proc/self/status", "/proc/self/fd", "/proc/self/exe", "/proc/self/cwd",
	"/proc/meminfo", "/proc/1/status", "/dev/null", "/dev/zero", "/dev/full", "/dev/urandom",
	"/bin/hello", "/etc/hostname", "/proc/self/fd/0", "/proc/self/maps",
};
#define SYSTEM_WRITABLE 4	/* /dev/null, zero, full, urandom: the only system write targets */
#define SYSTEM_DEV_FIRST 8

static char long_name[300], too_long[4200];

struct child {
	unsigned long index;
	char *buf;			/* BUF_PAGES pages: 4 rw, 1 read-only, 1 PROT_NONE */
	char *stacks;			/* THREAD_STACKS stacks for clone's children */
	int fds[FD_POOL];
	unsigned nfds;
	long last_pid;			/* the last fork/clone result: a pid we may signal */
	int descendant;
	struct { uint64_t dev, ino; } scratch[SCRATCH_INODES];
	unsigned nscratch;
};
static struct child C;

static void remember_fd(long fd)
{
	if (fd >= 0 && fd < 4096 && fd != REPORT_FD && !(verbose && fd == log_fd))
		C.fds[C.nfds++ % FD_POOL] = (int)fd;
}

static void remember_inode(const struct stat *st)
{
	if (C.nscratch < SCRATCH_INODES) {
		C.scratch[C.nscratch].dev = st->st_dev;
		C.scratch[C.nscratch].ino = st->st_ino;
		C.nscratch++;
	}
}

static int is_scratch_inode(const struct stat *st)
{
	for (unsigned i = 0; i < C.nscratch; i++)
		if (C.scratch[i].dev == st->st_dev && C.scratch[i].ino == st->st_ino)
			return 1;
	return 0;
}

/* ------------------------------------------------------------------ argument kinds */

static const uint64_t boundary[] = {
	0, 1, 2, 3, 7, 8, 16, 64, 255, 256, 4095, 4096, 4097, 65535, 65536, 0x7fffffff,
	0x80000000, 0xffffffff, 0x100000000ULL, 0x100000001ULL, 0x7fffffffffffffffULL,
	0x8000000000000000ULL, ~0ULL, ~0ULL - 1, -4096ULL, -4095ULL, 1ULL << 47, (1ULL << 47) - 1,
};

/* A 32-bit value with garbage in the upper half: Linux reads int arguments
 * as 32 bits, so the kernel must too. */
static uint64_t high_bits(uint64_t v)
{
	return (v & 0xffffffffULL) | (rnd() << 32 | 1ULL << 32);
}

static uint64_t gen_int(void)
{
	switch (below(4)) {
	case 0: return PICK(boundary);
	case 1: return below(64);
	case 2: return high_bits(below(64));
	default: return rnd();
	}
}

static uint64_t gen_len(void)
{
	switch (below(4)) {
	case 0: return PICK(boundary);
	case 1: return below(2 * PAGE);
	case 2: return PAGE * below(8) + below(3) - 1;
	default: return below(5) == 0 ? rnd() : below(1 << 20);
	}
}

static uint64_t gen_small(void)
{
	static const uint64_t v[] = { 0, 1, 2, 3, 4, 8, 16, 64, 1024, 1ULL << 31, ~0ULL,
				      0x100000001ULL };
	return chance(2) ? below(5) : PICK(v);
}

static const uint64_t hostile_ptrs[] = {
	0, 1, 8, 0xfff, 0x1000, 0x7ffffffff000ULL, 0x7fffffffeff8ULL, 0x7ffffffffff8ULL,
	0x800000000000ULL, 0x800000000000ULL - 1, 0xffff800000000000ULL, 0xffffffff80000000ULL,
	0xffffffffff600000ULL /* vsyscall */, 0x8000000000000000ULL, ~0ULL, ~0ULL - 7,
};

/* A pointer: mostly into the child's own pages (rw, the rw/ro and ro/none
 * edges, unaligned), sometimes kernel-half, non-canonical, NULL, or code. */
static uint64_t gen_buf(void)
{
	uint64_t b = (uint64_t)C.buf;

	switch (below(10)) {
	case 0: case 1: case 2: return b + 8 * below(4 * PAGE / 8);	/* rw, aligned */
	case 3: return b + below(4 * PAGE);				/* rw, unaligned */
	case 4: return b + 4 * PAGE - 8 * below(8);			/* up to the ro page */
	case 5: return b + 4 * PAGE + below(PAGE);			/* read-only */
	case 6: return b + 5 * PAGE - below(32);			/* up to PROT_NONE */
	case 7: return b + 5 * PAGE + below(PAGE);			/* PROT_NONE */
	case 8: return PICK(hostile_ptrs);
	default: return chance(2) ? (uint64_t)&raw6 : rnd();		/* code, or anything */
	}
}

static uint64_t gen_addr(void)
{
	uint64_t b = (uint64_t)C.buf;

	switch (below(6)) {
	case 0: return b + PAGE * below(BUF_PAGES + 1);
	case 1: return 0;
	case 2: return PICK(hostile_ptrs) & ~(PAGE - 1);
	case 3: return (rnd() & 0x7ffffffff000ULL) | 0x10000000000ULL;	/* high, rarely ours */
	case 4: return b + below(PAGE);
	default: return rnd();
	}
}

static uint64_t gen_any(void)
{
	switch (below(4)) {
	case 0: return gen_int();
	case 1: return gen_len();
	case 2: return gen_buf();
	default: return gen_addr();
	}
}

/* An fd: earlier results mostly, small numbers, bogus ones, high bits. */
static uint64_t gen_fd(void)
{
	static const uint64_t bogus[] = { -1ULL, 0x7fffffff, 0x80000000, 4096, 65535, -100ULL,
					  1ULL << 32, 1023, 1024 };
	uint64_t fd = C.nfds ? (uint64_t)C.fds[below(C.nfds < FD_POOL ? C.nfds : FD_POOL)] : 0;

	switch (below(10)) {
	case 0: return below(20);
	case 1: return PICK(bogus);
	case 2: return high_bits(fd);
	default: return fd;
	}
}

/* Bits of the set, at random; now and then one stray bit or pure garbage. */
static uint64_t gen_bits(const uint64_t *bits, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		if (chance(4))
			v |= bits[i];
	if (chance(16))
		v |= 1ULL << below(64);
	if (chance(32))
		v = rnd();
	return v;
}
#define BITS(a) gen_bits(a, sizeof(a) / sizeof((a)[0]))

static uint64_t gen_open_flags(void)
{
	static const uint64_t o[] = { O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC, O_APPEND, O_NONBLOCK,
				      O_DSYNC, O_ASYNC, O_DIRECT, O_LARGEFILE, O_DIRECTORY,
				      O_NOFOLLOW, O_NOATIME, O_CLOEXEC, O_PATH, O_TMPFILE };
	return (BITS(o) & ~3ULL) | below(4);
}

static uint64_t gen_mode(void)
{
	static const uint64_t m[] = { 0, 0644, 0777, 07777, S_IFREG | 0644, S_IFIFO | 0600,
				      S_IFDIR | 0755, S_IFSOCK | 0600, S_IFCHR | 0666,
				      S_IFBLK | 0600, S_IFLNK | 0777, ~0ULL, 0x100000644ULL };
	return chance(4) ? rnd() & 0xffff : PICK(m);
}

static uint64_t gen_prot(void)
{
	static const uint64_t p[] = { PROT_READ, PROT_WRITE, PROT_EXEC, PROT_GROWSDOWN,
				      PROT_GROWSUP, 8 /* PROT_SEM */ };
	return BITS(p);
}

static uint64_t gen_map_flags(void)
{
	static const uint64_t m[] = { MAP_FIXED, MAP_GROWSDOWN, MAP_DENYWRITE, MAP_EXECUTABLE,
				      MAP_LOCKED, MAP_NORESERVE, MAP_POPULATE, MAP_NONBLOCK,
				      MAP_STACK, MAP_HUGETLB, 0x80000 /* MAP_SYNC */,
				      0x100000 /* MAP_FIXED_NOREPLACE */ };
	uint64_t v = BITS(m);
	if (!chance(4))
		v |= chance(2) ? MAP_PRIVATE : MAP_SHARED;
	if (!chance(3))
		v |= MAP_ANONYMOUS;
	return v;
}

static uint64_t gen_clone_flags(void)
{
	static const uint64_t c[] = { CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND,
				      0x1000 /* PIDFD */, CLONE_PTRACE, CLONE_VFORK,
				      CLONE_PARENT, CLONE_THREAD, CLONE_NEWNS, CLONE_SYSVSEM,
				      CLONE_SETTLS, CLONE_PARENT_SETTID, CLONE_CHILD_CLEARTID,
				      CLONE_UNTRACED, CLONE_CHILD_SETTID, CLONE_NEWUTS,
				      CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_IO };
	if (chance(3))
		return SIGCHLD;
	if (chance(3))
		return CLONE_VM | CLONE_VFORK | SIGCHLD;
	if (chance(2))	/* pthread_create's, plus stray bits */
		return CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
		       CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID |
		       (chance(4) ? CLONE_SETTLS : 0) | (chance(4) ? 1ULL << below(32) : 0);
	return BITS(c) | (chance(2) ? SIGCHLD : below(65));
}

static uint64_t gen_at_flags(void)
{
	static const uint64_t a[] = { AT_SYMLINK_NOFOLLOW, AT_REMOVEDIR, AT_SYMLINK_FOLLOW,
				      AT_NO_AUTOMOUNT, AT_EMPTY_PATH, 0x2000, 0x4000 };
	return BITS(a);
}

static uint64_t gen_wait_opts(void)
{
	static const uint64_t w[] = { WUNTRACED, WEXITED, WCONTINUED, WNOWAIT, 0x20000000,
				      0x40000000, 0x80000000 };
	return BITS(w) | (chance(4) ? 0 : WNOHANG);
}

/* A pid that can only reach the child's own process group: never -1, the
 * parent, init, or another child's group. High bits may be set (Linux
 * reads pid_t as 32 bits): the low half stays safe. */
static uint64_t gen_pid(void)
{
	long self = raw6(SYS_getpid, 0, 0, 0, 0, 0, 0);
	long grp = raw6(SYS_getpgid, 0, 0, 0, 0, 0, 0);
	uint64_t v;

	switch (below(7)) {
	case 0: v = 0; break;
	case 1: case 2: v = (uint64_t)self; break;
	case 3: v = grp > 0 ? (uint64_t)-grp : 0; break;
	case 4: v = C.last_pid > 0 ? (uint64_t)C.last_pid : (uint64_t)self; break;
	case 5: v = chance(2) ? 0x7fffffff : 0x80000000; break;	/* nobody; INT_MIN */
	default: v = 1 << 22; break;				/* nobody */
	}
	return chance(6) ? high_bits(v) : v;
}

static uint64_t gen_signal(void)
{
	if (chance(8))
		return chance(2) ? high_bits(below(65)) : rnd();
	uint64_t sig = below(66);
	/* SIGSTOP to itself parks the child until the watchdog: rarely */
	return sig == SIGSTOP && !chance(8) ? SIGCONT : sig;
}

static uint64_t gen_ioctl(void)
{
	static const uint64_t r[] = { 0x5401, 0x5402, 0x5403, 0x5404, 0x540e, 0x540f, 0x5410,
				      0x5411, 0x5413, 0x5414, 0x541b, 0x5421, 0x5422, 0x5429,
				      0x5450, 0x5451, 0x5452, 0x80045430, 0x40045431 };
	uint64_t v = chance(8) ? rnd() : PICK(r);
	return chance(8) ? high_bits(v) : v;
}

static uint64_t gen_fcntl(void)
{
	uint64_t v = chance(2) ? below(17) : 1024 + below(12);
	if (chance(10))
		v = rnd();
	return chance(8) ? high_bits(v) : v;
}

static uint64_t gen_clock(void)
{
	static const uint64_t k[] = { -1ULL, -2ULL, -6ULL, 0x7fffffff, 1ULL << 32, 16 };
	return chance(4) ? PICK(k) : below(12);
}

static uint64_t gen_futex_op(void)
{
	uint64_t v = below(14) | (chance(2) ? 128 : 0) | (chance(4) ? 256 : 0);
	return chance(10) ? rnd() : v;
}

/* A device number, never a terminal's (majors 4 and 5): a child that made
 * one could open the console. Only /dev/null, zero, full, random, or none. */
static uint64_t gen_dev(void)
{
	static const uint64_t d[] = { 0, 0x103, 0x105, 0x107, 0x108, 0x109, 0x100000103ULL };
	return PICK(d);
}

static uint64_t scratch_name(void)
{
	size_t i = below(sizeof(scratch_paths) / sizeof(scratch_paths[0]));

	if (i == SCRATCH_LONG)
		return (uint64_t)long_name;
	if (i == SCRATCH_TOOLONG)
		return (uint64_t)too_long;
	return (uint64_t)scratch_paths[i];
}

static uint64_t gen_path(int writable)
{
	if (chance(12))
		return gen_buf();	/* NULL, unterminated, kernel, PROT_NONE... */
	if (writable || chance(2))
		return scratch_name();
	return (uint64_t)PICK(system_paths);
}

static uint64_t gen_arg(char kind)
{
	switch (kind) {
	case 'f': return gen_fd();
	case 'd': return chance(2) ? (uint64_t)AT_FDCWD : gen_fd();
	case 'p': return gen_path(0);
	case 'w': return gen_path(1);
	case 'b': return gen_buf();
	case 'l': return gen_len();
	case 'i': return gen_int();
	case 't': return gen_small();
	case 'a': return gen_addr();
	case 'o': return gen_open_flags();
	case 'O': return gen_mode();
	case 'm': return gen_prot();
	case 'M': return gen_map_flags();
	case 'c': return gen_clone_flags();
	case 'A': return gen_at_flags();
	case 'W': return gen_wait_opts();
	case 'P': return gen_pid();
	case 's': return gen_signal();
	case 'I': return gen_ioctl();
	case 'F': return gen_fcntl();
	case 'k': return gen_clock();
	case 'R': return chance(8) ? gen_int() : below(17);
	case 'D': return gen_dev();
	case 'Q': return gen_futex_op();
	default: return gen_any();
	}
}

/* ------------------------------------------------------------------ keeping calls inside the child */

static int is_system_path(uint64_t p)
{
	for (size_t i = 0; i < sizeof(system_paths) / sizeof(system_paths[0]); i++)
		if (p == (uint64_t)system_paths[i])
			return (int)i + 1;
	return 0;
}

/* May a call that creates, removes or changes things act through this fd
 * (as a dirfd, or on the file itself)? Only when it names a scratch inode,
 * a pipe or socket, or nothing at all. The fd is read as Linux reads it,
 * 32 bits. */
static int fd_is_safe_target(uint64_t fd)
{
	struct stat st;
	int fd32 = (int)(uint32_t)fd;

	if (fd32 < 0)
		return 1;	/* AT_FDCWD (the scratch cwd) or no fd */
	if (raw6(SYS_fstat, fd32, (long)&st, 0, 0, 0, 0) < 0)
		return 1;
	if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
		return 1;
	return is_scratch_inode(&st);
}

static int sig_has(const char *sig, char kind)
{
	return sig && strchr(sig, kind) != NULL;
}

/* Calls that change the file an fd names (not its contents through a
 * write-mode fd, which only scratch files and /dev/null-like ones have). */
static int modifies_fd(long nr)
{
	switch (nr) {
	case SYS_fchmod: case SYS_fchown: case SYS_ftruncate: case SYS_fallocate:
	case SYS_fsetxattr: case SYS_fremovexattr: case SYS_fchdir: case SYS_utimensat:
	case SYS_fchmodat: case SYS_fchownat: case SYS_execveat:
		return 1;
	default:
		return 0;
	}
}

/* Rewrite what could reach outside the child: fds and dirfds of changing
 * calls that do not name scratch inodes become AT_FDCWD / -1; opens of
 * system paths lose creation, truncation and (mostly) write access. */
static void confine(long nr, const char *sig, uint64_t *a)
{
	int changes = sig_has(sig, 'w') || modifies_fd(nr) || nr == SYS_openat ||
		      nr == SYS_openat2;

	for (int i = 0; sig && sig[i]; i++) {
		if ((sig[i] == 'd' || sig[i] == 'f') && changes && !fd_is_safe_target(a[i]))
			a[i] = sig[i] == 'd' ? (uint64_t)AT_FDCWD : -1ULL;
	}
	if (nr == SYS_open || nr == SYS_openat) {
		int pi = nr == SYS_open ? 0 : 1;
		int sys = is_system_path(a[pi]);
		if (sys) {
			a[pi + 1] &= ~(uint64_t)(O_CREAT | O_TRUNC | O_TMPFILE | O_EXCL);
			if (sys - 1 < SYSTEM_DEV_FIRST || sys - 1 >= SYSTEM_DEV_FIRST + SYSTEM_WRITABLE)
				a[pi + 1] &= ~(uint64_t)O_ACCMODE;
		}
	}
	if (nr == SYS_clone && chance(2))	/* a stack of ours: the child runs */
		a[1] = (uint64_t)C.stacks + THREAD_STACK * (1 + below(THREAD_STACKS)) - 64;
	if (nr == SYS_openat2)
		a[1] = scratch_name();	/* its flags are in a struct: scratch paths only */
	/* where the cwd or a symlink points decides what every relative name
	 * means: never a string from a buffer ("/" is one in 65536) */
	if (nr == SYS_chdir || nr == SYS_chroot || nr == SYS_symlink || nr == SYS_symlinkat)
		a[0] = scratch_name();
}

/* ------------------------------------------------------------------ one call */

static unsigned long calls_done, calls_reported;

static void report(int final)
{
	uint32_t rec[2] = { REPORT_MAGIC, (uint32_t)(calls_done - calls_reported) };

	if (!final && calls_done - calls_reported < REPORT_EVERY)
		return;
	raw6(SYS_write, REPORT_FD, (long)rec, sizeof(rec), 0, 0, 0);
	calls_reported = calls_done;
}

/* Numbers the kernel answered -ENOSYS in the probe (probe_nosys): drawn
 * only one time in 16, so the calls it has get most of the fuzzing. */
static unsigned char nosys[KFUZZ_NR_MAX + 8];

static long pick_nr(void)
{
	for (;;) {
		long nr = (long)below(KFUZZ_NR_MAX + 8);	/* a few past the end too */
		if (kfuzz_denied(nr) || (nosys[nr] && !chance(16)))
			continue;
		/* the calls that end a process or multiply them are kept rare (a
		 * garbage rt_sigreturn frame kills the child: tested, but costly) */
		if ((nr == SYS_exit || nr == SYS_exit_group || nr == SYS_rt_sigreturn) &&
		    !chance(16))
			continue;
		if ((nr == SYS_fork || nr == SYS_vfork || nr == SYS_clone || nr == SYS_clone3) &&
		    (C.descendant || !chance(4)))
			continue;
		if (nr == SYS_execve || nr == SYS_execveat) {
			if (C.descendant || !chance(4))
				continue;
		}
		return nr;
	}
}

static void log_call(unsigned long i, long nr, const uint64_t *a)
{
	char line[200];
	int n = snprintf(line, sizeof(line),
			 "kfuzz: child %lu call %lu: %ld(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)\n",
			 C.index, i, nr, (unsigned long)a[0], (unsigned long)a[1],
			 (unsigned long)a[2], (unsigned long)a[3], (unsigned long)a[4],
			 (unsigned long)a[5]);
	raw6(SYS_write, log_fd, (long)line, n, 0, 0, 0);
}

/* What a call returned that later calls can use: fds, pids. */
static void note_result(long nr, const uint64_t *a, long ret)
{
	switch (nr) {
	case SYS_fork: case SYS_vfork: case SYS_clone: case SYS_clone3:
		if (ret == 0) {
			C.descendant = 1;
		} else if (ret > 0) {
			C.last_pid = ret;
		}
		return;
	case SYS_pipe: case SYS_pipe2: case SYS_socketpair:
		if (ret == 0) {
			uint64_t p = nr == SYS_socketpair ? a[3] : a[0];
			int *fds = (int *)p;
			remember_fd(fds[0]);	/* it was just written: readable */
			remember_fd(fds[1]);
		}
		return;
	case SYS_open: case SYS_openat: case SYS_creat: case SYS_openat2: {
		struct stat st;
		uint64_t path = nr == SYS_open || nr == SYS_creat ? a[0] : a[1];
		if (ret >= 0 && !is_system_path(path) &&
		    raw6(SYS_fstat, ret, (long)&st, 0, 0, 0, 0) == 0)
			remember_inode(&st);	/* made in scratch: a safe target later */
		remember_fd(ret);
		return;
	}
	case SYS_dup: case SYS_dup2: case SYS_dup3: case SYS_fcntl: case SYS_socket:
	case SYS_eventfd: case SYS_eventfd2: case SYS_epoll_create: case SYS_epoll_create1:
	case SYS_memfd_create: case SYS_pidfd_open: case SYS_timerfd_create:
	case SYS_signalfd: case SYS_signalfd4: case SYS_inotify_init1: case SYS_accept:
	case SYS_accept4: case SYS_pidfd_getfd:
		remember_fd(ret);
		return;
	default:
		return;
	}
}

/* Fill the rw pages: page 0 small values (timespecs, counts, structs that
 * pass validation), page 1 a mix of pointers and lengths (iovecs...),
 * page 2 random bytes, page 3 mostly zero. */
static void refill_buffers(void)
{
	uint64_t *q = (uint64_t *)C.buf;

	for (unsigned i = 0; i < PAGE / 8; i++) {
		static const uint64_t small[] = { 0, 1, 2, 3, 17, 1000, 999999999, 1000000000, 64 };
		q[i] = chance(4) ? (uint64_t)C.buf + 8 * below(PAGE / 8) : PICK(small);
		q[PAGE / 8 + i] = gen_any();
		q[2 * PAGE / 8 + i] = rnd();
		q[3 * PAGE / 8 + i] = chance(16) ? gen_any() : 0;
	}
}

static void on_tick(int sig)
{
	(void)sig;
}

/* rt_sigreturn for the tick handler: musl's restorer is internal. */
void kfuzz_restorer(void);
__asm__(".text\n.type kfuzz_restorer,@function\nkfuzz_restorer:\n"
	"\tmov $" KFUZZ_STR(SYS_rt_sigreturn) ", %eax\n\tsyscall\n\thlt\n");

/*
 * Keep the tick going whatever the fuzzed calls did to it: handler,
 * mask and timer, with raw calls (the FS base may be garbage by now).
 * Without it, one rt_sigprocmask that blocks SIGALRM turns the next
 * blocking call into a 2 s watchdog kill.
 */
static void keep_ticking(void)
{
	struct { uint64_t handler, flags, restorer, mask; } ksa = {
		(uint64_t)on_tick, KFUZZ_SA_RESTORER, (uint64_t)kfuzz_restorer, 0 };
	uint64_t alrm = 1ULL << (SIGALRM - 1);
	struct itimerval it = { { 0, TICK_US }, { 0, TICK_US } };

	raw6(SYS_rt_sigaction, SIGALRM, (long)&ksa, 0, 8, 0, 0);
	raw6(SYS_rt_sigprocmask, SIG_UNBLOCK, (long)&alrm, 0, 8, 0, 0);
	raw6(SYS_setitimer, ITIMER_REAL, (long)&it, 0, 0, 0, 0);
}

/* Calls after which the tick may be gone: handler, mask or timer changed. */
static int touches_tick(long nr)
{
	switch (nr) {
	case SYS_rt_sigaction: case SYS_rt_sigprocmask: case SYS_rt_sigreturn:
	case SYS_setitimer: case SYS_alarm: case SYS_timer_settime: case SYS_prlimit64:
	case SYS_setrlimit: case SYS_execve: case SYS_execveat:
		return 1;
	default:
		return 0;
	}
}

/*
 * clone(2) for the fuzzer: a child given a stack starts in kfuzz_thread
 * on that stack (it has no frame to return into); one without a stack
 * returns like fork's child. The kernel keeps every register but RAX,
 * RCX, R11 (and RSP, to the new stack) in the child, so RSI still says
 * whether a stack was given.
 */
long kfuzz_clone(uint64_t flags, uint64_t stack, uint64_t ptid, uint64_t ctid, uint64_t tls);
void kfuzz_thread(void);
__asm__(".text\n.globl kfuzz_clone\n.type kfuzz_clone,@function\nkfuzz_clone:\n"
	"\tmov %rcx, %r10\n"
	"\tmov $" KFUZZ_STR(SYS_clone) ", %eax\n"
	"\tsyscall\n"
	"\ttest %rax, %rax\n"
	"\tjnz 1f\n"
	"\ttest %rsi, %rsi\n"
	"\tjz 1f\n"
	"\tand $-16, %rsp\n"
	"\tcall kfuzz_thread\n"
	"\thlt\n"
	"1:\tret\n");

static void fuzz_one(unsigned long i);

/* A clone child on its own stack (a thread, with CLONE_VM): a few calls of
 * its own, racing its parent's on the same memory, then exit (only itself). */
void __attribute__((used, noinline)) kfuzz_thread(void)
{
	C.descendant = 1;
	for (unsigned long i = 0; i < DESCENDANT_CALLS; i++) {
		fuzz_one(i);
		report(0);
	}
	report(1);
	raw6(SYS_exit, 0, 0, 0, 0, 0, 0);
}

static void fuzz_one(unsigned long i)
{
	uint64_t a[6];
	long nr = pick_nr();
	const char *sig = nr < (long)(sizeof(kfuzz_sig) / sizeof(kfuzz_sig[0])) ? kfuzz_sig[nr] : NULL;

	for (int k = 0; k < 6; k++)
		a[k] = sig && k < (int)strlen(sig) ? gen_arg(sig[k]) : gen_any();
	confine(nr, sig, a);
	if (verbose)
		log_call(i, nr, a);
	long ret = nr == SYS_clone ? kfuzz_clone(a[0], a[1], a[2], a[3], a[4])
				   : raw6(nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4],
					  (long)a[5]);
	calls_done++;
	note_result(nr, a, ret);
	if (touches_tick(nr))
		keep_ticking();
}

/* ------------------------------------------------------------------ the child's setup */

static const char *const scratch_files[] = { "f0", "f1", "d1/f2" };
static const char *const scratch_dirs[] = { "d1", "d1/d2" };

static void make_scratch(const char *dir)
{
	char name[32];
	struct stat st;

	if (mkdir(dir, 0755) < 0 || chdir(dir) < 0)
		_exit(100);
	for (size_t i = 0; i < sizeof(scratch_dirs) / sizeof(scratch_dirs[0]); i++)
		mkdir(scratch_dirs[i], 0755);
	for (size_t i = 0; i < sizeof(scratch_files) / sizeof(scratch_files[0]); i++) {
		int fd = open(scratch_files[i], O_CREAT | O_RDWR, 0644);
		if (fd >= 0 && write(fd, "#!/bin/hello\nkfuzz scratch\n", 27) < 0)
			_exit(100);
		close(fd);
	}
	symlink("f0", "l_f0");
	symlink("d1", "l_d1");
	symlink("nope", "l_dangle");
	symlink("l_loop", "l_loop");
	for (int i = 0; i < CHAIN_LINKS; i++) {
		char target[16];
		snprintf(name, sizeof(name), "l_chain%d", i);
		snprintf(target, sizeof(target), "l_chain%d", i + 1);
		symlink(target, name);
	}
	mkfifo("fifo", 0644);
	const char *all[] = { ".", "d1", "d1/d2", "f0", "f1", "d1/f2", "fifo" };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (lstat(all[i], &st) == 0)
			remember_inode(&st);
}

static void open_pool(void)
{
	static const struct { const char *path; int flags; } opens[] = {
		{ "f0", O_RDWR }, { "f1", O_RDONLY }, { "d1", O_RDONLY | O_DIRECTORY },
		{ "fifo", O_RDWR | O_NONBLOCK }, { "/dev/zero", O_RDONLY },
		{ "/proc/self/status", O_RDONLY }, { "/", O_RDONLY | O_DIRECTORY },
	};
	int p[2];

	for (int fd = 0; fd < 3; fd++)
		remember_fd(fd);
	for (size_t i = 0; i < sizeof(opens) / sizeof(opens[0]); i++)
		remember_fd(open(opens[i].path, opens[i].flags));
	if (pipe(p) == 0) {
		remember_fd(p[0]);
		remember_fd(p[1]);
	}
	char pts[32]; /* a pseudo-terminal pair: both ends, unlocked */
	int m = posix_openpt(O_RDWR | O_NONBLOCK | O_NOCTTY);
	remember_fd(m);
	if (m >= 0 && unlockpt(m) == 0 && ptsname_r(m, pts, sizeof(pts)) == 0)
		remember_fd(open(pts, O_RDWR | O_NONBLOCK | O_NOCTTY));
}

/* Signals the fuzzed calls send to the child itself (kill, tkill, alarm,
 * SIGPIPE, SIGXFSZ...) are ignored, or most children would die in their
 * first hundred calls; faults keep their default action. */
static void ignore_signals(void)
{
	for (int sig = 1; sig < 65; sig++) {
		switch (sig) {
		case SIGKILL: case SIGSTOP: case SIGALRM: case SIGSEGV: case SIGBUS:
		case SIGILL: case SIGFPE: case SIGTRAP: case SIGSYS: case SIGCHLD:
			continue;
		default:
			signal(sig, SIG_IGN);
		}
	}
}

/* Everything a child does before its first fuzzed call. Its stdio goes to
 * /dev/null; its count pipe to REPORT_FD; a timer interrupts blocked calls
 * (no SA_RESTART) so that a sleeping call costs 20 ms, not the watchdog. */
static void child_setup(unsigned long index, int report_wr)
{
	char dir[64];

	setsid();
	if (verbose)
		log_fd = dup2(2, REPORT_FD + 1);
	int null = open("/dev/null", O_RDWR);
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	if (null > 2)
		close(null);
	if (dup2(report_wr, REPORT_FD) < 0)
		_exit(100);
	close(report_wr);
	memset(&C, 0, sizeof(C));
	C.index = index;
	snprintf(dir, sizeof(dir), SCRATCH_ROOT "/c%lu", index);
	make_scratch(dir);
	C.buf = mmap(NULL, BUF_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	C.stacks = mmap(NULL, THREAD_STACKS * THREAD_STACK, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (C.buf == MAP_FAILED || C.stacks == MAP_FAILED)
		_exit(100);
	memset(C.buf + 4 * PAGE, 'a', PAGE);	/* an unterminated string up to PROT_NONE */
	mprotect(C.buf + 4 * PAGE, PAGE, PROT_READ);
	mprotect(C.buf + 5 * PAGE, PAGE, PROT_NONE);
	open_pool();
	ignore_signals();
	keep_ticking();
}

static uint64_t child_seed(uint64_t seed, unsigned long index)
{
	rng_state = seed ^ (0xd1b54a32d192ed03ULL * (index + 1));
	return rnd();
}

static void __attribute__((noreturn)) child_main(uint64_t seed, unsigned long index, int report_wr)
{
	child_setup(index, report_wr);
	rng_state = child_seed(seed, index);
	refill_buffers();
	unsigned long limit = CALLS_PER_CHILD;
	for (unsigned long i = 0; i < limit; i++) {
		if (i % 32 == 31) {
			refill_buffers();
			keep_ticking();
		}
		fuzz_one(i);
		if (C.descendant && limit > i + DESCENDANT_CALLS)
			limit = i + DESCENDANT_CALLS;
		report(0);
	}
	report(1);
	raw6(SYS_exit_group, 0, 0, 0, 0, 0, 0);
	__builtin_unreachable();
}

/* ------------------------------------------------------------------ the probe */

/* Calls the probe must not make with garbage: they end, replace or
 * multiply the process, or signal someone; all exist on Kestrel. */
static int probe_skips(long nr)
{
	switch (nr) {
	case SYS_exit: case SYS_exit_group: case SYS_fork: case SYS_vfork: case SYS_clone:
	case SYS_clone3: case SYS_execve: case SYS_execveat: case SYS_rt_sigreturn:
	case SYS_kill: case SYS_tkill: case SYS_tgkill: case SYS_rt_sigqueueinfo:
	case SYS_rt_tgsigqueueinfo: case SYS_pidfd_send_signal:
		return 1;
	default:
		return kfuzz_denied(nr);
	}
}

/* Does the kernel have system call nr? Made once in a throw-away process,
 * every argument the address of a PROT_NONE page (as an int, a huge fd),
 * which any real handler refuses: exit status 1 means -ENOSYS. Killed,
 * stuck (100 ms) or anything else: it exists. */
static int probe_one(long nr, uint64_t bad)
{
	int ws;
	pid_t pid = fork();

	if (pid == 0) {
		setsid();
		long r = raw6(nr, (long)bad, (long)bad, (long)bad, (long)bad, (long)bad, (long)bad);
		raw6(SYS_exit_group, r == -ENOSYS, 0, 0, 0, 0, 0);
	}
	if (pid < 0)
		return 1;
	for (int i = 0; i < 100; i++) {
		if (waitpid(pid, &ws, WNOHANG) == pid)
			return !(WIFEXITED(ws) && WEXITSTATUS(ws) == 1);
		usleep(1000);
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, &ws, 0);
	return 1;
}

/* Fill nosys[]: the same for every child, so a seed still means one
 * sequence of calls per child on a given kernel. */
static void probe_nosys(void)
{
	char *none = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned have = 0;

	if (none == MAP_FAILED)
		return;
	for (long nr = 0; nr < KFUZZ_NR_MAX + 8; nr++) {
		nosys[nr] = !probe_skips(nr) && !probe_one(nr, (uint64_t)none);
		have += !nosys[nr] && !kfuzz_denied(nr);
	}
	munmap(none, PAGE);
	say("kfuzz: %u of %d system call numbers answer (the others: one draw in 16)\n", have,
	    KFUZZ_NR_MAX + 8);
}

/* ------------------------------------------------------------------ the parent */

struct slot {
	pid_t pid;		/* 0: free */
	unsigned long index;
	uint64_t started, killed;	/* ms; killed 0: not yet */
};

static struct {
	uint64_t seed;
	unsigned seconds, jobs;
	unsigned long first, count;	/* count 0: as many as time allows */
	long margin_kb;
} opt = { 0, 0, 8, 0, 0, LEAK_MARGIN_KB };

static struct {
	unsigned long calls, children, exited, signalled, watchdog;
	int unkillable;
} stats;

static struct slot slots[MAX_JOBS];
static int report_rd;

static void remove_tree(const char *path);

static void remove_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char sub[PATH_MAX];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		remove_tree(sub);
	}
	closedir(d);
}

/* rm -rf, not following symlinks; directories a child chmodded are opened up first. */
static void remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		chmod(path, 0700);
		remove_entries(path);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static void drain_reports(void)
{
	uint32_t rec[64][2];
	ssize_t n;

	while ((n = read(report_rd, rec, sizeof(rec))) > 0)
		for (ssize_t i = 0; i < n / 8; i++)
			if (rec[i][0] == REPORT_MAGIC)
				stats.calls += rec[i][1];
}

static struct slot *slot_of(pid_t pid)
{
	for (unsigned i = 0; i < opt.jobs; i++)
		if (slots[i].pid == pid)
			return &slots[i];
	return NULL;
}

static void kill_group(pid_t pid)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
}

/* Reap whatever ended: our children free their slots (and their group and
 * scratch go with them); adopted orphans are only counted out. */
static void reap(void)
{
	int ws;
	pid_t pid;

	while ((pid = waitpid(-1, &ws, WNOHANG | __WALL)) > 0) {
		struct slot *s = slot_of(pid);
		if (!s || WIFSTOPPED(ws) || WIFCONTINUED(ws))
			continue;
		char dir[64];
		kill(-pid, SIGKILL);	/* its descendants go with it */
		snprintf(dir, sizeof(dir), SCRATCH_ROOT "/c%lu", s->index);
		remove_tree(dir);
		if (s->killed)
			stats.watchdog++;
		else if (WIFSIGNALED(ws))
			stats.signalled++;
		else
			stats.exited++;
		s->pid = 0;
	}
}

/* -v: what a child the watchdog kills was doing (its /proc stat line). */
static void say_state(const struct slot *s)
{
	char path[64], buf[160] = "";
	snprintf(path, sizeof(path), "/proc/%d/stat", s->pid);
	int fd = open(path, O_RDONLY);
	if (fd >= 0) {
		ssize_t n = read(fd, buf, 60);
		buf[n > 0 ? n : 0] = 0;
		close(fd);
	}
	say("kfuzz: watchdog: child %lu: %s\n", s->index, buf);
}

static void watchdog(uint64_t now)
{
	for (unsigned i = 0; i < opt.jobs; i++) {
		struct slot *s = &slots[i];
		if (!s->pid)
			continue;
		if (!s->killed && now - s->started > WATCHDOG_MS) {
			if (verbose)
				say_state(s);
			kill_group(s->pid);
			s->killed = now;
		} else if (s->killed && now - s->killed > UNKILLABLE_MS) {
			say("kfuzz: FAIL child %lu (pid %d, seed %llu) survived SIGKILL for %d s\n",
			    s->index, s->pid, (unsigned long long)opt.seed, UNKILLABLE_MS / 1000);
			stats.unkillable = 1;
			s->pid = 0;	/* give up on it; the run goes on */
		} else if (s->killed) {
			kill_group(s->pid);
		}
	}
}

static int spawn(struct slot *s, unsigned long index, int report_wr)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(report_rd);
		child_main(opt.seed, index, report_wr);
	}
	*s = (struct slot){ pid, index, now_ms(), 0 };
	stats.children++;
	return 0;
}

static int running(void)
{
	int n = 0;
	for (unsigned i = 0; i < opt.jobs; i++)
		n += slots[i].pid != 0;
	return n;
}

static void progress(uint64_t t0, const char *what)
{
	say("kfuzz: %sseed %llu, %lu calls, %lu children, %llu s\n", what,
	    (unsigned long long)opt.seed, stats.calls, stats.children,
	    (unsigned long long)(now_ms() - t0) / 1000);
}

/* Start children until the time is up (or the -n children are done), keep
 * JOBS running, watch them, count their calls. */
static void run(int report_wr)
{
	uint64_t t0 = now_ms(), next_progress = t0 + PROGRESS_MS;
	unsigned long next = opt.first, end = opt.count ? opt.first + opt.count : ~0UL;
	struct pollfd pfd = { report_rd, POLLIN, 0 };

	for (;;) {
		uint64_t now = now_ms();
		int over = now - t0 >= (uint64_t)opt.seconds * 1000 || next >= end;
		for (unsigned i = 0; i < opt.jobs && !over && next < end; i++)
			if (!slots[i].pid && spawn(&slots[i], next, report_wr) == 0)
				next++;
		if (over) {
			for (unsigned i = 0; i < opt.jobs; i++)
				if (slots[i].pid && !slots[i].killed)
					slots[i].started = 0;	/* time is up: the watchdog ends it */
			if (!running())
				break;
		}
		poll(&pfd, 1, 50);
		drain_reports();
		reap();
		watchdog(now_ms());
		if (now_ms() >= next_progress) {
			progress(t0, "");
			next_progress += PROGRESS_MS;
		}
	}
	drain_reports();
	progress(t0, "done: ");
	say("kfuzz: children: %lu exited, %lu killed by a signal, %lu by the watchdog\n",
	    stats.exited, stats.signalled, stats.watchdog);
}

/* MemFree from /proc/meminfo, in kB; -1 when it cannot be read. */
static long mem_free_kb(void)
{
	char buf[2048];
	int fd = open("/proc/meminfo", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	char *p;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strstr(buf, "MemFree:");
	return p ? strtol(p + 8, NULL, 10) : -1;
}

static void ipc_remove_all(void);

/* Every descendant gone: as PID 1, everything else too (orphans of killed
 * children are ours then), and the System V IPC objects they left; then
 * wait for the kernel to finish freeing. */
static void settle(void)
{
	uint64_t t0 = now_ms();

	if (getpid() == 1)
		kill(-1, SIGKILL);
	while (now_ms() - t0 < 5000) {
		int ws;
		pid_t pid = waitpid(-1, &ws, WNOHANG | __WALL);
		if (pid < 0 && errno == ECHILD)
			break;
		if (pid <= 0)
			usleep(20000);
	}
	ipc_remove_all();
	remove_tree(SCRATCH_ROOT);
	struct stat st;
	if (lstat(SCRATCH_ROOT, &st) == 0)
		say("kfuzz: %s could not be removed: the leak check counts what is left\n",
		    SCRATCH_ROOT);
	usleep(500000);	/* a moment for anything the kernel frees after the reap */
}

/* ------------------------------------------------------ System V IPC */

/*
 * System V IPC objects outlive the children that make them (a fuzzer on
 * Linux runs in an IPC namespace of its own, which goes with it). The
 * run keeps the tables small (ipc_limits: a child's random semget asks
 * for up to 32000 semaphores a set) and settle() removes whatever is
 * left (ipc_remove_all), so that the leak check counts what the kernel
 * lost, and the objects' own freeing is checked by it too.
 */
#define IPC_FUZZ_MNI   "256"                  /* queues, segments */
#define IPC_FUZZ_SEM   "32000 65536 500 256"  /* semmsl semmns semopm semmni */
#define IPC_STAT_ANY_MSG 13                   /* MSG_STAT_ANY */
#define IPC_STAT_ANY_SEM 20                   /* SEM_STAT_ANY */
#define IPC_STAT_ANY_SHM 15                   /* SHM_STAT_ANY */

static void write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		say("kfuzz: %s: %s (the IPC tables keep their size)\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static void ipc_limits(void)
{
	write_text("/proc/sys/kernel/msgmni", IPC_FUZZ_MNI);
	write_text("/proc/sys/kernel/shmmni", IPC_FUZZ_MNI);
	write_text("/proc/sys/kernel/sem", IPC_FUZZ_SEM);
}

/* IPC_RMID every object of one kind, found slot by slot with its
 * *_STAT_ANY command up to the highest slot IPC_INFO reports. */
static int ipc_remove_kind(int (*ctl)(int, int, void *), int stat_any)
{
	char info[128], ds[256];
	int removed = 0, max = ctl(0, IPC_INFO, info);

	for (int i = 0; i <= max; i++) {
		int id = ctl(i, stat_any, ds);
		if (id >= 0 && ctl(id, IPC_RMID, NULL) == 0)
			removed++;
	}
	return removed;
}

static int msgctl_any(int id, int cmd, void *buf)
{
	return msgctl(id, cmd, buf);
}

static int semctl_any(int id, int cmd, void *buf)
{
	return semctl(id, 0, cmd, buf);
}

static int shmctl_any(int id, int cmd, void *buf)
{
	return shmctl(id, cmd, buf);
}

static void ipc_remove_all(void)
{
	int n = ipc_remove_kind(msgctl_any, IPC_STAT_ANY_MSG);
	int s = ipc_remove_kind(semctl_any, IPC_STAT_ANY_SEM);
	int m = ipc_remove_kind(shmctl_any, IPC_STAT_ANY_SHM);

	say("kfuzz: System V IPC left by the children, removed: %d queues, %d semaphore sets, "
	    "%d segments\n", n, s, m);
}

/* The best of a few readings: the kernel may still be freeing. */
static long mem_free_settled(void)
{
	long best = -1;

	for (int i = 0; i < 5; i++) {
		long v = mem_free_kb();
		if (v > best)
			best = v;
		usleep(200000);
	}
	return best;
}

static int leak_check(long before)
{
	long after = mem_free_settled();

	if (before < 0 || after < 0) {
		say("kfuzz: memory: cannot read MemFree from /proc/meminfo\n");
		return 1;
	}
	long lost = before - after;
	say("kfuzz: memory: MemFree %ld kB before, %ld kB after, %ld kB lost (margin %ld kB): %s\n",
	    before, after, lost, opt.margin_kb, lost > opt.margin_kb ? "LEAK" : "ok");
	return lost > opt.margin_kb;
}

static int usage(void)
{
	say("usage: kfuzz -t SECONDS [-s SEED] [-j JOBS] [-c FIRST] [-n CHILDREN] [-v] "
	    "[-m MARGIN_KB]\n");
	return 2;
}

static uint64_t random_seed(void)
{
	uint64_t s = 0;

	if (getentropy(&s, sizeof(s)) < 0)
		s = now_ms() ^ ((uint64_t)getpid() << 32);
	return s % 1000000000000ULL;
}

static int parse_args(int argc, char **argv)
{
	int c;

	opt.seed = random_seed();
	while ((c = getopt(argc, argv, "t:s:j:c:n:vm:")) != -1) {
		switch (c) {
		case 't': opt.seconds = (unsigned)strtoul(optarg, NULL, 0); break;
		case 's': opt.seed = strtoull(optarg, NULL, 0); break;
		case 'j': opt.jobs = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'c': opt.first = strtoul(optarg, NULL, 0); break;
		case 'n': opt.count = strtoul(optarg, NULL, 0); break;
		case 'v': verbose = 1; break;
		case 'm': opt.margin_kb = strtol(optarg, NULL, 0); break;
		default: return -1;
		}
	}
	/* -t is required: an exec of /proc/self/exe by a child with random
	 * arguments must not start a second fuzzer */
	if (!opt.seconds || !opt.jobs || opt.jobs > MAX_JOBS || optind != argc)
		return -1;
	return 0;
}

static void make_paths(void)
{
	memset(long_name, 'n', sizeof(long_name) - 1);
	for (size_t i = 0; i + 2 < sizeof(too_long); i += 2)
		memcpy(too_long + i, "a/", 2);
}

int main(int argc, char **argv)
{
	int pipefd[2];

	if (parse_args(argc, argv) < 0)
		return usage();
	make_paths();
	signal(SIGPIPE, SIG_IGN);
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		say("kfuzz: pipe: %s\n", strerror(errno));
		return 2;
	}
	report_rd = pipefd[0];
	fcntl(report_rd, F_SETFL, O_NONBLOCK);
	fcntl(pipefd[1], F_SETFD, 0);	/* children inherit the write end */
	say("kfuzz: seed %llu, %u s, %u jobs, deny list: reboot kexec_load kexec_file_load "
	    "setsid setpgid\n", (unsigned long long)opt.seed, opt.seconds, opt.jobs);
	remove_tree(SCRATCH_ROOT);
	probe_nosys();
	ipc_limits();
	long before = mem_free_settled();
	if (mkdir(SCRATCH_ROOT, 0755) < 0) {
		say("kfuzz: mkdir %s: %s\n", SCRATCH_ROOT, strerror(errno));
		return 2;
	}
	run(pipefd[1]);
	settle();
	int leak = leak_check(before);
	int rc = stats.unkillable ? 3 : leak ? 1 : 0;
	say("kfuzz: %s\n", rc ? "FAIL" : "PASS");
	return rc;
}
