/* SPDX-License-Identifier: MIT */
/* AF_INET and AF_INET6 sockets: TCP and UDP (and the ICMP sockets) over IPv4 and IPv6, on the AF_UNIX sockets' chassis (queues, accept, poll, SOL_SOCKET options). */
#ifndef KESTREL_NET_INET_H
#define KESTREL_NET_INET_H

#include <stddef.h>

struct file;

/*
 * socket(family, type, protocol), family AF_INET or AF_INET6 (whose
 * sockets also reach IPv4 through ::ffff:a.b.c.d unless IPV6_V6ONLY):
 * *out a new socket file; *flags the
 * SOCK_NONBLOCK/SOCK_CLOEXEC bits of type. SOCK_STREAM is TCP (protocol
 * 0 or IPPROTO_TCP), SOCK_DGRAM UDP (0, IPPROTO_UDP or IPPROTO_UDPLITE,
 * which behaves as UDP: nothing is ever corrupted here); sys_socket.c
 * checked type's flags. 0, -ESOCKTNOSUPPORT (another type), -EPROTONOSUPPORT
 * (another protocol), -ENOMEM. The other socket calls reach it through
 * net/unix.h's entry points.
 */
int inet_create(int family, int type, int protocol, unsigned *flags, struct file **out);

/* get/setsockopt at levels IPPROTO_IP, IPPROTO_IPV6 and IPPROTO_TCP (len:
 * the value's bytes; *len in, the bytes val holds, at least
 * sizeof(struct tcp_info), TCP_INFO's, out, the value's: IPV6_RTHDR's
 * header is cut to the room). 0, -EOPNOTSUPP (f is no AF_INET socket),
 * -ENOPROTOOPT, -EINVAL (a short value; TCP_KEEPIDLE, TCP_KEEPINTVL,
 * TCP_KEEPCNT out of Linux's range). */
int inet_setsockopt(struct file *f, int level, int name, const void *val, size_t len);
int inet_getsockopt(struct file *f, int level, int name, void *val, size_t *len);

#endif
