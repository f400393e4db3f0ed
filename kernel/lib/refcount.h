/* SPDX-License-Identifier: MIT */
/*
 * Kestrel: reference counts taken only while an object lives (Linux's
 * refcount_inc_not_zero), for a finder that reaches an object whose last
 * reference may be going on another CPU.
 */
#ifndef KESTREL_LIB_REFCOUNT_H
#define KESTREL_LIB_REFCOUNT_H

#include <stdbool.h>

/* Add a reference to *refs unless it is 0 (the object's end has begun):
 * whether it did. Atomic; a success orders the caller's later accesses
 * to the object after it. */
static inline bool ref_get_unless_zero(int *refs)
{
	int n = __atomic_load_n(refs, __ATOMIC_RELAXED);

	do {
		if (n == 0)
			return false;
	} while (!__atomic_compare_exchange_n(refs, &n, n + 1, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	return true;
}

#endif
