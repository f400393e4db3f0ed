/* SPDX-License-Identifier: MIT */
/* Linux's struct iovec as a program passes it (include/uapi/linux/uio.h). */
#ifndef KESTREL_UAPI_UIO_H
#define KESTREL_UAPI_UIO_H

#include <stdint.h>

/* A user struct iovec: base is a user address. */
struct iovec_user {
	uint64_t base;
	uint64_t len;
};

#endif
