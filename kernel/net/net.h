/* SPDX-License-Identifier: MIT */
/* The network stack's start and its thread: lo, the receive work of every device, the periodic work of ARP and reassembly, and boot-time configuration (ip= on the command line, as Linux's ipconfig). */
#ifndef KESTREL_NET_NET_H
#define KESTREL_NET_NET_H

#include <stdbool.h>
#include <stdint.h>

struct netdev;

/* Make lo (up, 127.0.0.1/8), start the network thread, bring up the
 * Ethernet devices the drivers registered, and configure them as
 * ip_spec (Linux's ip= value, or NULL/"" for none) says. Process
 * context, after sched_init; waits for a DHCP lease when ip=dhcp
 * (at most about 10 s). */
void net_init(const char *ip_spec);

/* Wake the network thread (from any context). */
void net_kick(void);

/* Milliseconds -> time_ns() units. */
#define NET_NS_PER_MS 1000000ull

#endif
