/* SPDX-License-Identifier: MIT */
/* AF_PACKET sockets: Ethernet frames to and from programs (DHCP clients, capture tools). */
#ifndef KESTREL_NET_AF_PACKET_H
#define KESTREL_NET_AF_PACKET_H

struct file;

/* socket(AF_PACKET, type, protocol): *out a new socket, *flags its
 * SOCK_NONBLOCK/SOCK_CLOEXEC bits. 0, -EINVAL, -ESOCKTNOSUPPORT (not
 * SOCK_RAW or SOCK_DGRAM), -EPERM (no CAP_NET_RAW), -ENOMEM. */
int packet_create(int type, int protocol, unsigned *flags, struct file **out);
/* Ethernet's tap set: received frames reach packet sockets. Boot time. */
void packet_init(void);

#endif
