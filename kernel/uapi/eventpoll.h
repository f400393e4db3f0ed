/* SPDX-License-Identifier: MIT */
/* Linux's epoll ABI (include/uapi/linux/eventpoll.h): operations, event bits, struct epoll_event. */
#ifndef KESTREL_UAPI_EVENTPOLL_H
#define KESTREL_UAPI_EVENTPOLL_H

#include <stdint.h>
#include "uapi/fcntl.h"
#include "uapi/poll.h"

#define EPOLL_CLOEXEC O_CLOEXEC

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

/* The event bits are poll's (EPOLLIN == POLLIN...) plus these flags. */
#define EPOLLIN        POLLIN
#define EPOLLPRI       POLLPRI
#define EPOLLOUT       POLLOUT
#define EPOLLERR       POLLERR
#define EPOLLHUP       POLLHUP
#define EPOLLRDNORM    POLLRDNORM
#define EPOLLWRNORM    POLLWRNORM
#define EPOLLRDHUP     POLLRDHUP
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP    (1u << 29)
#define EPOLLONESHOT   (1u << 30)
#define EPOLLET        (1u << 31)

/* The bits EPOLLEXCLUSIVE may be combined with (Linux's EPOLLEXCLUSIVE_OK_BITS). */
#define EPOLLEXCLUSIVE_OK_BITS (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | \
				EPOLLEXCLUSIVE)

/* Packed on x86_64 (12 bytes), as Linux's EPOLL_PACKED. */
struct epoll_event_k {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));
_Static_assert(sizeof(struct epoll_event_k) == 12, "struct epoll_event is 12 bytes on x86_64");

#endif
