// SPDX-License-Identifier: MIT
/*
 * Kestrel: the kernel profiler. As Linux's profile=N: every CPU's timer
 * tick that interrupts the kernel adds one to the bucket of the RIP it
 * interrupted, a bucket being 2^N bytes of the kernel's text;
 * /proc/profile is the bucket size and the buckets, which readprofile
 * (or tools/profile.py) names with the kernel's symbols. Beside it, each
 * system call's count and time (entry to return, sleep included) while
 * the profiler is on, which /proc/profile_syscalls shows. Lock rules in
 * profile.h. Calls nothing above the log: the buckets are the caller's
 * memory (main.c's), the files procfs's (fs/procfs_profile.c), so the
 * tick's arch code may call down into it.
 */
#include "profile.h"
#include "log.h"

extern const char __text_start[], __text_end[];

bool profile_on;

static struct {
	uint32_t *buckets;  /* count per 2^shift bytes of text from __text_start */
	size_t n;           /* buckets */
	unsigned shift;
	struct profile_call calls[PROFILE_CALLS + 1]; /* the last: every nr above */
} prof;

size_t profile_buckets_for(unsigned shift)
{
	uint64_t text = (uint64_t)(__text_end - __text_start);

	if (shift > PROFILE_SHIFT_MAX)
		shift = PROFILE_SHIFT_MAX;
	return (size_t)((text + (1ull << shift) - 1) >> shift);
}

void profile_init(uint32_t *buckets, size_t n, unsigned shift)
{
	if (!buckets) {
		klog(LOG_WARN, "profile: no memory for %zu buckets; profiling off\n", n);
		return;
	}
	prof.shift = shift > PROFILE_SHIFT_MAX ? PROFILE_SHIFT_MAX : shift;
	prof.n = n;
	prof.buckets = buckets;
	__atomic_store_n(&profile_on, true, __ATOMIC_RELEASE); /* after the buckets */
	klog(LOG_INFO, "profile: kernel profiling enabled (shift: %u, %zu buckets of %lu bytes)\n",
	     prof.shift, prof.n, 1ul << prof.shift);
}

void profile_hit(uint64_t kernel_rip)
{
	uint64_t off = kernel_rip - (uint64_t)__text_start;
	size_t i = (size_t)(off >> prof.shift);

	if (kernel_rip < (uint64_t)__text_start || i >= prof.n)
		i = prof.n - 1; /* outside the text (firmware, a trampoline): the last, as Linux's */
	__atomic_fetch_add(&prof.buckets[i], 1, __ATOMIC_RELAXED);
}

void profile_syscall(uint64_t nr, uint64_t cycles)
{
	struct profile_call *c = &prof.calls[nr < PROFILE_CALLS ? nr : PROFILE_CALLS];

	__atomic_fetch_add(&c->calls, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->cycles, cycles, __ATOMIC_RELAXED);
}

const uint32_t *profile_buckets(size_t *n, uint32_t *step)
{
	*n = profile_on ? prof.n : 0;
	*step = 1u << prof.shift;
	return profile_on ? prof.buckets : NULL;
}

void profile_reset(void)
{
	if (!profile_on)
		return;
	for (size_t i = 0; i < prof.n; i++)
		__atomic_store_n(&prof.buckets[i], 0, __ATOMIC_RELAXED);
	for (size_t i = 0; i <= PROFILE_CALLS; i++) {
		__atomic_store_n(&prof.calls[i].calls, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&prof.calls[i].cycles, 0, __ATOMIC_RELAXED);
	}
}

struct profile_call profile_call_of(unsigned nr)
{
	const struct profile_call *c = &prof.calls[nr < PROFILE_CALLS ? nr : PROFILE_CALLS];

	return (struct profile_call){ __atomic_load_n(&c->calls, __ATOMIC_RELAXED),
				      __atomic_load_n(&c->cycles, __ATOMIC_RELAXED) };
}
