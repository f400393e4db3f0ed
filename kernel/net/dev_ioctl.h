/* SPDX-License-Identifier: MIT */
/* The interface requests every socket answers (Linux's dev_ioctl, devinet_ioctl, ip_rt_ioctl, ipv6_route_ioctl and arp_ioctl): names and indexes, flags, MTU, hardware and IPv4 addresses, routes and the ARP cache. */
#ifndef KESTREL_NET_DEV_IOCTL_H
#define KESTREL_NET_DEV_IOCTL_H

#include <stdbool.h>
#include <stdint.h>
#include "mm/usercopy.h"

/* Is req one of the requests dev_ioctl answers (uapi/sockios.h)? A
 * socket's ioctl asks this first and hands those over. */
bool dev_ioctl_handles(unsigned long req);

/*
 * Answer req for a socket of family `family` (AF_INET, AF_UNIX...), arg
 * the user's pointer to its struct ifreq, ifconf, rtentry or arpreq.
 * As on Linux, the address, route and ARP requests belong to AF_INET
 * sockets, and the route requests (struct in6_rtmsg) to AF_INET6 ones too
 * (another family gets -ENOTTY once its ifreq was read); the others work
 * on any socket. The request's result (0), or -EFAULT, -ENODEV
 * (no such interface), -EPERM (a change without CAP_NET_ADMIN), -EINVAL,
 * -EADDRNOTAVAIL (the interface has no IPv4 address)... Process context;
 * may sleep (it brings devices up and down).
 */
long dev_ioctl(int family, unsigned long req, uptr_t arg);

/* ---- between dev_ioctl.c and dev_ioctl_inet.c --------------------------------- */

struct ifreq;
struct netdev;

/* AF_INET's own requests: addresses (devinet), routes, the ARP cache. */
long dev_ioctl_inet_addr(unsigned long req, uptr_t arg);
long dev_ioctl_inet_route(unsigned long req, uptr_t arg);
long dev_ioctl_inet_arp(unsigned long req, uptr_t arg);
/* AF_INET6's: SIOCADDRT and SIOCDELRT of a struct in6_rtmsg (dev_ioctl_inet6.c). */
long dev_ioctl_inet6_route(unsigned long req, uptr_t arg);
/* Set dev's flags as SIOCSIFFLAGS asks (Linux's dev_change_flags): the
 * flags a user may change, then IFF_UP through net_dev_up/net_dev_down.
 * 0 or the driver's error from bringing it up. */
int dev_ioctl_change_flags(struct netdev *dev, uint32_t flags);

#endif
