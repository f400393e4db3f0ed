/* SPDX-License-Identifier: MIT */
/* lo: the loopback network device. */
#ifndef KESTREL_NET_LOOPBACK_H
#define KESTREL_NET_LOOPBACK_H

struct netdev;

/* Register lo (it must be the first device: ifindex 1), carrier on, not
 * yet up. NULL if it cannot be registered. Boot time. */
struct netdev *loopback_create(void);

#endif
