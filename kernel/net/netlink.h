/* SPDX-License-Identifier: MIT */
/* AF_NETLINK sockets (NETLINK_ROUTE alone), as Linux 6.1's af_netlink: port ids, requests to the kernel answered on the socket's queue, dumps continued as the reader drains them. */
#ifndef KESTREL_NET_NETLINK_H
#define KESTREL_NET_NETLINK_H

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

#endif
