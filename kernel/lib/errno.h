/* SPDX-License-Identifier: MIT */
/* Error numbers: Linux's (uapi/errno.h) and the kernel-internal ones user space never sees. */
#ifndef KESTREL_LIB_ERRNO_H
#define KESTREL_LIB_ERRNO_H

#include "uapi/errno.h"

/* Kernel-internal: a blocking call interrupted by a signal. The signal
 * code turns it into a restart (SA_RESTART, or no handler ran) or into
 * -EINTR; user space never sees it. */
#define ERESTARTSYS 512

#endif
