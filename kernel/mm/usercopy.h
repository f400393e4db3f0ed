/* SPDX-License-Identifier: MIT */
/* Copying to and from user memory: range-checked, and a bad pointer gives -EFAULT instead of a kernel fault. */
#ifndef KESTREL_MM_USERCOPY_H
#define KESTREL_MM_USERCOPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/errno.h"
#include "mm/layout.h"

/* A user-space address: never dereference it, only pass it to the helpers. */
typedef uint64_t uptr_t;

/* The copy itself (arch/x86_64/usercopy.S): 0, or -EFAULT when a user
 * page faulted (the bytes before it may have been copied). */
long arch_copy_user(void *dst, const void *src, size_t n);

/* The whole range must be in what user space may map, without wrapping. */
static inline bool user_range_ok(uptr_t p, size_t n)
{
	return p < USER_VA_END && n <= USER_VA_END - p;
}

/* Copy n bytes from user memory at src to dst, or to user memory at dst
 * from src: 0 or -EFAULT (a bad range, or a page that faulted). Inline:
 * every read and write's copy starts here. */
static inline int copy_from_user(void *dst, uptr_t src, size_t n)
{
	if (!user_range_ok(src, n))
		return -EFAULT;
	return (int)arch_copy_user(dst, (const void *)src, n);
}
static inline int copy_to_user(uptr_t dst, const void *src, size_t n)
{
	if (!user_range_ok(dst, n))
		return -EFAULT;
	return (int)arch_copy_user((void *)dst, src, n);
}

/* Copy what can be copied: the bytes before the first page of dst that
 * faults (n when none does), as Linux's copy_to_user reports "bytes not
 * copied" and a read returns the bytes it got before a bad page. The
 * whole copy inline, copy_to_user_slow (out of line) after a fault. */
size_t copy_to_user_slow(uptr_t dst, const void *src, size_t n);
static inline size_t copy_to_user_partial(uptr_t dst, const void *src, size_t n)
{
	return copy_to_user(dst, src, n) ? copy_to_user_slow(dst, src, n) : n;
}
/* Copy a NUL-terminated string of at most max-1 bytes; returns its
 * length, -EFAULT, or -ENAMETOOLONG. */
long strncpy_from_user(char *dst, uptr_t src, size_t max);

/* Linux's access_ok: [p, p + n) lies in user space without wrapping (an
 * empty range too, at most at its end). Checks the numbers only, touches
 * nothing: for validating a vector of buffers before using any. */
bool user_access_ok(uptr_t p, size_t n);

/* Linux's copy_struct_from_user: a versioned struct of usize bytes at
 * src into dst, which holds ksize: a shorter one is zero-extended, a
 * longer one must have zeroes past ksize. 0, -E2BIG (a non-zero byte
 * Kestrel does not know, or usize over COPY_STRUCT_MAX: the tail is
 * scanned a byte at a time, so a caller refuses more first, as Linux's
 * openat2, clone3 and sched_setattr refuse over a page) or -EFAULT. */
#define COPY_STRUCT_MAX 4096
int copy_struct_from_user(void *dst, size_t ksize, uptr_t src, size_t usize);

/* The exception-table fix-up for a kernel fault at rip, or 0. */
uint64_t usercopy_fixup(uint64_t rip);

#endif
