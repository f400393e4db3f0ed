/* SPDX-License-Identifier: MIT */
/* AF_NETLINK sockets (NETLINK_ROUTE alone), as Linux 6.1's af_netlink: port ids, requests to the kernel answered on the socket's queue, dumps continued as the reader drains them. */
#ifndef KESTREL_NET_NETLINK_H
#define KESTREL_NET_NETLINK_H

#include <stddef.h>

struct file;

/*
 * socket(AF_NETLINK, type, protocol): *out a new socket file, *flags the
 * SOCK_NONBLOCK/SOCK_CLOEXEC bits of type. SOCK_RAW or SOCK_DGRAM (they
 * behave alike), protocol NETLINK_ROUTE; sys_socket.c checked type's
 * flags. 0, -ESOCKTNOSUPPORT (another type), -EPROTONOSUPPORT (another protocol),
 * -ENOMEM. The other socket calls reach it through net/unix.h's entry
 * points (the AF_UNIX chassis, as AF_INET's sockets), SOL_NETLINK's
 * options through its struct sock_proto's.
 */
int netlink_create(int type, int protocol, unsigned *flags, struct file **out);

/*
 * mq_notify's SIGEV_THREAD (ipc/mqueue.c), as Linux's
 * netlink_getsockbyfilp and netlink_sendskb: is f a netlink socket (0,
 * -ENOTSOCK, -EINVAL for another family's), and queue len bytes on it
 * as one datagram from the kernel (0, -ENOBUFS when its queue is full,
 * -ENOMEM). Kernel lock held, as every socket call.
 */
int netlink_check(struct file *f);
int netlink_deliver(struct file *f, const void *data, size_t len);
/* The kernel's notifications to the sockets that joined their groups
 * begin (net_init). Boot time. */
void netlink_init(void);

#endif
