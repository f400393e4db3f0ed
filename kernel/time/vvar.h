/* SPDX-License-Identifier: MIT */
/* The vDSO's data page ([vvar]): the clock's parameters, read by user code (vdso/) and written by time.c. */
#ifndef KESTREL_TIME_VVAR_H
#define KESTREL_TIME_VVAR_H

#include <stdint.h>

/*
 * One page, mapped read-only into every process just below the vDSO's
 * code. The vDSO computes exactly what time_ns() and time_realtime_ns()
 * compute when the TSC is the clock:
 *
 *   monotonic = (rdtsc() - tsc_origin) * ns_mult >> VVAR_NS_SHIFT   (128-bit product)
 *   realtime  = monotonic + realtime_offset                          (modulo 2^64)
 *
 * and makes the real system call when mode is VVAR_MODE_SYSCALL (no
 * clock yet, or the TSC distrusted: time_ns() is the HPET or the PM
 * timer, which user code cannot read).
 *
 * Lock rule: written only by time.c under the kernel lock with
 * interrupts off, inside an odd seq (seq odd while a change is under
 * way); read by user code on any CPU without a lock, retrying while seq
 * is odd or changed across the read. The layout is an ABI between the
 * kernel and the vDSO built with it (never seen by programs): fields
 * are only added at the end.
 */
#define VVAR_MODE_SYSCALL 0u  /* make the system call */
#define VVAR_MODE_TSC     1u  /* the formula above */
#define VVAR_NS_SHIFT     32

struct vvar_data {
	uint32_t seq;
	uint32_t mode;             /* VVAR_MODE_* */
	uint64_t tsc_origin;       /* the TSC at time_ns() == 0 */
	uint64_t ns_mult;          /* ns per TSC count << VVAR_NS_SHIFT */
	uint64_t realtime_offset;  /* CLOCK_REALTIME - time_ns(), modulo 2^64 */
	uint64_t coarse_res_ns;    /* clock_getres of the _COARSE clocks: one tick */
};

#endif
