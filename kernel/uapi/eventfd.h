/* SPDX-License-Identifier: MIT */
/* Linux's eventfd flags (include/uapi/linux/eventfd.h). */
#ifndef KESTREL_UAPI_EVENTFD_H
#define KESTREL_UAPI_EVENTFD_H

#include "uapi/fcntl.h"

#define EFD_SEMAPHORE 1
#define EFD_CLOEXEC   O_CLOEXEC
#define EFD_NONBLOCK  O_NONBLOCK

#endif
