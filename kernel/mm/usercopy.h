/* SPDX-License-Identifier: MIT */
/* Copying to and from user memory: range-checked, and a bad pointer gives -EFAULT instead of a kernel fault. */
#ifndef KESTREL_MM_USERCOPY_H
#define KESTREL_MM_USERCOPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A user-space address: never dereference it, only pass it to the helpers. */
typedef uint64_t uptr_t;

int copy_from_user(void *dst, uptr_t src, size_t n);
int copy_to_user(uptr_t dst, const void *src, size_t n);
/* Copy what can be copied: the bytes before the first page of dst that
 * faults (n when none does), as Linux's copy_to_user reports "bytes not
 * copied" and a read returns the bytes it got before a bad page. */
size_t copy_to_user_partial(uptr_t dst, const void *src, size_t n);
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
