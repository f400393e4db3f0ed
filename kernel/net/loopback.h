/* SPDX-License-Identifier: MIT */
/* lo: the loopback network device, and the delivery of what it carries in its sender's own context. */
#ifndef KESTREL_NET_LOOPBACK_H
#define KESTREL_NET_LOOPBACK_H

#include <stdbool.h>

struct netbuf;
struct netdev;

/* Register lo (it must be the first device: ifindex 1), carrier on, not
 * yet up; input takes each frame lo carries up the stack (ether_input),
 * under the kernel lock; input_nolock (ether_input_nolock) may take one
 * without it first: true when it did, false leaving the frame as it was
 * for input. NULL if it cannot be registered. Boot time. */
struct netdev *loopback_create(void (*input)(struct netbuf *nb), bool (*input_nolock)(struct netbuf *nb));

/*
 * Take every frame waiting on lo up the stack now, in the caller's
 * context, as Linux's softirq runs in the sender's at its
 * local_bh_enable: a segment a program sends to this host is received
 * (and answered, and the answer received) before its system call
 * returns. One drainer at a time (a second caller leaves the frames to
 * the first, which looks again before it stops), so what lo carries is
 * taken up in the order it was sent. Callers hold no lock (the kernel
 * lock aside: the drain takes it, when the caller does not hold it, for
 * the frames input_nolock leaves to input): the
 * socket calls when they are done, a socket wait before it sleeps, and
 * the network thread after its timers. True when it delivered a frame.
 */
bool loopback_run(void);

#endif
