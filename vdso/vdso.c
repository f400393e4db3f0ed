// SPDX-License-Identifier: MIT
/*
 * Kestrel's vDSO: the time system calls answered in user mode, as
 * Linux's x86_64 vDSO exports them (version LINUX_2.6, see vdso.map):
 * __vdso_clock_gettime, __vdso_gettimeofday, __vdso_time,
 * __vdso_clock_getres and __vdso_getcpu, each also under its plain name.
 *
 * The kernel maps this image read+exec into every process, with its data
 * page ([vvar], kernel/time/vvar.h) one page below it; the code finds
 * that page PC-relatively (vvar_page, placed by vdso.lds), so the image
 * needs no relocation. Each function computes exactly what the kernel's
 * system call returns (kernel/sys/sys_time.c over time_ns() and
 * time_realtime_ns()), or makes that system call itself: when the page
 * says the TSC is not the clock, for a clock id it does not handle, and
 * for a pointer outside user space (so that the answer is the kernel's
 * -EFAULT; an unmapped user pointer faults, as on Linux). Results are
 * the system call's: 0 or a negative errno, as glibc and musl expect.
 *
 * Built freestanding, -fPIC, no libc; everything x86 about it (SYSCALL,
 * RDTSC) is in the few inline functions at the top.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "time/vvar.h"
#include "uapi/time.h"
#include "uapi/unistd.h"

#define NSEC_PER_SEC  1000000000ull
#define NSEC_PER_USEC 1000ull
#define VDSO_TIMEZONE_SIZE 8 /* Linux's struct timezone: two ints */
#define USER_END      0x0000800000000000ull /* the end of the lower canonical half */

/* The data page, one page below the image (vdso.lds). Hidden: reached
 * by a PC-relative address, never through a relocation. */
extern const struct vvar_data vvar_page __attribute__((visibility("hidden")));

struct vdso_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct vdso_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

/* ------------------------------------------------------------ x86 */

static inline long vdso_syscall2(long nr, long a, long b)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return ret;
}

static inline long vdso_syscall3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

/* The TSC once every earlier load is done (LFENCE, as the kernel's
 * rdtsc_ordered): not read ahead of the sequence count. */
static inline uint64_t vdso_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void vdso_pause(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* ------------------------------------------------------------ the clock */

/* Can the kernel's copy to p of len bytes succeed, as far as the address
 * goes (1 <= p <= USER_END - len, in one compare)? A NULL or kernel-half
 * pointer is left to the system call. */
static inline bool user_ptr_ok(const void *p, size_t len)
{
	return (uint64_t)p - 1 < USER_END - len;
}

/* The clocks answered here, as bits: the real-time ones and the
 * monotonic ones, all read from the one clock as the kernel does. */
#define CLOCK_BIT(c)  (1u << (c))
#define CLOCKS_REAL   (CLOCK_BIT(CLOCK_REALTIME) | CLOCK_BIT(CLOCK_REALTIME_COARSE))
#define CLOCKS_KNOWN  (CLOCKS_REAL | CLOCK_BIT(CLOCK_MONOTONIC) | CLOCK_BIT(CLOCK_MONOTONIC_RAW) | \
		       CLOCK_BIT(CLOCK_MONOTONIC_COARSE) | CLOCK_BIT(CLOCK_BOOTTIME))
#define CLOCKS_COARSE (CLOCK_BIT(CLOCK_REALTIME_COARSE) | CLOCK_BIT(CLOCK_MONOTONIC_COARSE))

/* clk's bit if it is a clock answered here, else 0. */
static inline unsigned clock_bit(int clk)
{
	return (unsigned)clk < 32 ? CLOCK_BIT(clk) & CLOCKS_KNOWN : 0;
}

/* The time in ns (time_ns(), or time_realtime_ns() when realtime) into
 * *ns: true, or false when the TSC is not the clock (ask the kernel).
 * Lock-free against the kernel's changes: retried while the sequence
 * count is odd or moved. */
static inline __attribute__((always_inline)) bool read_ns(bool realtime, uint64_t *ns)
{
	const struct vvar_data *v = &vvar_page;

	for (;;) {
		uint32_t seq = __atomic_load_n(&v->seq, __ATOMIC_ACQUIRE);
		if (__builtin_expect(seq & 1, 0)) {
			vdso_pause();
			continue;
		}
		/* The system call's answer from here on: the mode changes only
		 * once, from TSC to system call, never back. */
		if (__builtin_expect(__atomic_load_n(&v->mode, __ATOMIC_RELAXED) != VVAR_MODE_TSC, 0))
			return false;
		uint64_t origin = __atomic_load_n(&v->tsc_origin, __ATOMIC_RELAXED);
		uint64_t mult = __atomic_load_n(&v->ns_mult, __ATOMIC_RELAXED);
		uint64_t offset = realtime ? __atomic_load_n(&v->realtime_offset, __ATOMIC_RELAXED) : 0;
		uint64_t t = vdso_rdtsc();
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__builtin_expect(__atomic_load_n(&v->seq, __ATOMIC_RELAXED) != seq, 0))
			continue;
		uint64_t mono = (uint64_t)(((unsigned __int128)(t - origin) * mult) >> VVAR_NS_SHIFT);
		*ns = mono + offset;
		return true;
	}
}

/* ------------------------------------------------------------ the calls */

int __vdso_clock_gettime(int clk, struct vdso_timespec *ts)
	__attribute__((visibility("default")));
int __vdso_gettimeofday(struct vdso_timeval *tv, void *tz) __attribute__((visibility("default")));
int64_t __vdso_time(int64_t *tloc) __attribute__((visibility("default")));
int __vdso_clock_getres(int clk, struct vdso_timespec *res) __attribute__((visibility("default")));
long __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache)
	__attribute__((visibility("default")));

/* The system call, out of the fast paths' way (they then need no saved registers). */
static __attribute__((noinline, cold)) long slow_syscall2(long nr, long a, long b)
{
	return vdso_syscall2(nr, a, b);
}

int __vdso_clock_gettime(int clk, struct vdso_timespec *ts)
{
	unsigned bit = clock_bit(clk);
	uint64_t ns;

	if (__builtin_expect(!bit || !user_ptr_ok(ts, sizeof(*ts)) || !read_ns(bit & CLOCKS_REAL, &ns), 0))
		return (int)slow_syscall2(SYS_clock_gettime, clk, (long)ts);
	ts->tv_sec = (int64_t)(ns / NSEC_PER_SEC);
	ts->tv_nsec = (int64_t)(ns % NSEC_PER_SEC);
	return 0;
}

/* As the system call: the time into tv, a zero struct timezone into tz,
 * each when not NULL; a pointer that is not plainly the program's goes to
 * the kernel, which says EFAULT. */
int __vdso_gettimeofday(struct vdso_timeval *tv, void *tz)
{
	uint64_t ns = 0;

	if ((tv && !user_ptr_ok(tv, sizeof(*tv))) || (tz && !user_ptr_ok(tz, VDSO_TIMEZONE_SIZE)) ||
	    (tv && !read_ns(true, &ns)))
		return (int)slow_syscall2(SYS_gettimeofday, (long)tv, (long)tz);
	if (tv) {
		tv->tv_sec = (int64_t)(ns / NSEC_PER_SEC);
		tv->tv_usec = (int64_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC);
	}
	if (tz) { /* tz_minuteswest and tz_dsttime: nobody set a zone */
		((volatile int32_t *)tz)[0] = 0;
		((volatile int32_t *)tz)[1] = 0;
	}
	return 0;
}

int64_t __vdso_time(int64_t *tloc)
{
	uint64_t ns;

	if ((tloc && !user_ptr_ok(tloc, sizeof(*tloc))) || !read_ns(true, &ns))
		return slow_syscall2(SYS_time, (long)tloc, 0);
	int64_t t = (int64_t)(ns / NSEC_PER_SEC);
	if (tloc)
		*tloc = t;
	return t;
}

/* 1 ns, the coarse clocks a tick: what the kernel answers for these clocks. */
int __vdso_clock_getres(int clk, struct vdso_timespec *res)
{
	unsigned bit = clock_bit(clk);

	if (!bit || (res && !user_ptr_ok(res, sizeof(*res))))
		return (int)slow_syscall2(SYS_clock_getres, clk, (long)res);
	if (res) {
		res->tv_sec = 0;
		res->tv_nsec = bit & CLOCKS_COARSE ? (int64_t)vvar_page.coarse_res_ns : 1;
	}
	return 0;
}

/* The CPU is the kernel's to say (no RDPID/TSC_AUX set up yet). */
long __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache)
{
	return vdso_syscall3(SYS_getcpu, (long)cpu, (long)node, (long)cache);
}

/* The plain names Linux's vDSO exports beside the __vdso_ ones. */
int clock_gettime(int, struct vdso_timespec *)
	__attribute__((weak, alias("__vdso_clock_gettime"), visibility("default")));
int gettimeofday(struct vdso_timeval *, void *)
	__attribute__((weak, alias("__vdso_gettimeofday"), visibility("default")));
int64_t time(int64_t *) __attribute__((weak, alias("__vdso_time"), visibility("default")));
int clock_getres(int, struct vdso_timespec *)
	__attribute__((weak, alias("__vdso_clock_getres"), visibility("default")));
long getcpu(unsigned *, unsigned *, void *)
	__attribute__((weak, alias("__vdso_getcpu"), visibility("default")));
