/* SPDX-License-Identifier: MIT */
/* Linux's old routing-table ABI (include/uapi/linux/route.h, ipv6_route.h): struct rtentry and struct in6_rtmsg for SIOCADDRT and SIOCDELRT, and the RTF_* flags /proc/net/route and ipv6_route show. */
#ifndef KESTREL_UAPI_ROUTE_H
#define KESTREL_UAPI_ROUTE_H

#include <stdint.h>
#include "uapi/if.h"

/* struct rtentry, x86_64 layout (120 bytes). rt_dev is a user pointer
 * to an interface name, or 0. */
struct rtentry {
	uint64_t rt_pad1;
	struct sockaddr rt_dst;      /* the target network or host */
	struct sockaddr rt_gateway;  /* with RTF_GATEWAY */
	struct sockaddr rt_genmask;  /* the network's mask (not for RTF_HOST) */
	uint16_t rt_flags;
	int16_t rt_pad2;
	uint64_t rt_pad3;
	uint64_t rt_pad4;
	int16_t rt_metric;           /* +1 for binary compatibility: the route's metric is this less 1 */
	uint64_t rt_dev;
	uint64_t rt_mtu;
	uint64_t rt_window;
	uint16_t rt_irtt;
};
_Static_assert(sizeof(struct rtentry) == 120, "struct rtentry is 120 bytes");

#define RTF_UP        0x0001  /* route usable */
#define RTF_GATEWAY   0x0002  /* the destination is a gateway */
#define RTF_HOST      0x0004  /* a host entry (net otherwise) */
#define RTF_REINSTATE 0x0008
#define RTF_DYNAMIC   0x0010
#define RTF_MODIFIED  0x0020
#define RTF_MTU       0x0040
#define RTF_WINDOW    0x0080
#define RTF_IRTT      0x0100
#define RTF_REJECT    0x0200
/* IPv6's (include/uapi/linux/ipv6_route.h) */
#define RTF_DEFAULT   0x00010000  /* a router advertisement's default route */
#define RTF_ADDRCONF  0x00040000  /* made by a router advertisement */
#define RTF_EXPIRES   0x00400000  /* rtmsg_info is its lifetime */
#define RTF_CACHE     0x01000000
#define RTF_PCPU      0x40000000
#define RTF_LOCAL     0x80000000

/* struct in6_rtmsg, SIOCADDRT and SIOCDELRT on an AF_INET6 socket
 * (x86_64 layout, 80 bytes). */
struct in6_rtmsg {
	uint8_t rtmsg_dst[16];
	uint8_t rtmsg_src[16];       /* a source route's: not supported */
	uint8_t rtmsg_gateway[16];   /* with RTF_GATEWAY */
	uint32_t rtmsg_type;
	uint16_t rtmsg_dst_len;
	uint16_t rtmsg_src_len;
	uint32_t rtmsg_metric;       /* 0: IP6_RT_PRIO_USER */
	uint64_t rtmsg_info;         /* with RTF_EXPIRES: the lifetime in USER_HZ ticks */
	uint32_t rtmsg_flags;
	int32_t rtmsg_ifindex;
};
_Static_assert(sizeof(struct in6_rtmsg) == 80, "struct in6_rtmsg is 80 bytes");

#define IP6_RT_PRIO_USER 1024     /* an IPv6 route asked for without a metric */

#endif
