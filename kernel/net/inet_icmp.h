/* SPDX-License-Identifier: MIT */
/* What /proc/net asks of net/inet_icmp.c (its other entry points are in net/inet_sock.h). */
#ifndef KESTREL_NET_INET_ICMP_H
#define KESTREL_NET_INET_ICMP_H

struct unix_sock;

/* fn on each open raw and ping socket (is_ping: s->type == SOCK_DGRAM),
 * newest first, for /proc/net/raw and /proc/net/icmp. Lock rule: as the
 * sockets' (the list changes at create and release only). */
void inet_icmp_for_each(void (*fn)(const struct unix_sock *s, void *ctx), void *ctx);

#endif
