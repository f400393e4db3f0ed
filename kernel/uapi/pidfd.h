/* SPDX-License-Identifier: MIT */
/* Linux's pidfd flags (include/uapi/linux/pidfd.h). */
#ifndef KESTREL_UAPI_PIDFD_H
#define KESTREL_UAPI_PIDFD_H

#include "uapi/fcntl.h"

#define PIDFD_NONBLOCK O_NONBLOCK   /* pidfd_open: the pidfd is O_NONBLOCK (waitid: WNOHANG) */

#endif
