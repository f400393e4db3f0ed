/* SPDX-License-Identifier: MIT */
/* Linux's timerfd flags (include/uapi/linux/timerfd.h); struct itimerspec is in uapi/time.h. */
#ifndef KESTREL_UAPI_TIMERFD_H
#define KESTREL_UAPI_TIMERFD_H

#include <stdint.h>
#include "uapi/fcntl.h"

#define TFD_TIMER_ABSTIME       (1u << 0)
#define TFD_TIMER_CANCEL_ON_SET (1u << 1)
#define TFD_CLOEXEC             O_CLOEXEC
#define TFD_NONBLOCK            O_NONBLOCK

#endif
