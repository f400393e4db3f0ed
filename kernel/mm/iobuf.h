/* SPDX-License-Identifier: MIT */
/* A buffer that is either user memory (copied through the usercopy helpers) or kernel memory, for I/O paths the kernel itself also drives (the echo test, self-tests). */
#ifndef KESTREL_MM_IOBUF_H
#define KESTREL_MM_IOBUF_H

#include <stddef.h>
#include <stdint.h>
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/usercopy.h"

/* Exactly one of the two is set. kernel is a trusted kernel pointer;
 * user is only ever passed to copy_to_user/copy_from_user. */
struct iobuf {
	uptr_t user;
	char *kernel;
};

static inline struct iobuf iobuf_user(uptr_t p) { return (struct iobuf){ p, NULL }; }
static inline struct iobuf iobuf_kernel(void *p) { return (struct iobuf){ 0, p }; }

/* b from offset off on. */
static inline struct iobuf iobuf_at(struct iobuf b, size_t off)
{
	return b.kernel ? iobuf_kernel(b.kernel + off) : iobuf_user(b.user + off);
}

/* Copies n bytes from src to offset off in b: 0 or -EFAULT. */
static inline int iobuf_put(struct iobuf b, size_t off, const void *src, size_t n)
{
	if (b.kernel) {
		memcpy(b.kernel + off, src, n);
		return 0;
	}
	return copy_to_user(b.user + off, src, n) ? -EFAULT : 0;
}

/* As iobuf_put, but what can be copied is: the bytes copied (n unless a
 * page of a user buffer faults). */
static inline size_t iobuf_put_partial(struct iobuf b, size_t off, const void *src, size_t n)
{
	if (b.kernel) {
		memcpy(b.kernel + off, src, n);
		return n;
	}
	return copy_to_user_partial(b.user + off, src, n);
}

/* Copies n bytes at offset off in b to dst: 0 or -EFAULT. */
static inline int iobuf_get(void *dst, struct iobuf b, size_t off, size_t n)
{
	if (b.kernel) {
		memcpy(dst, b.kernel + off, n);
		return 0;
	}
	return copy_from_user(dst, b.user + off, n) ? -EFAULT : 0;
}

#endif
