/* SPDX-License-Identifier: MIT */
/* Linux's old routing-table ABI (include/uapi/linux/route.h): struct rtentry for SIOCADDRT and SIOCDELRT, and the RTF_* flags /proc/net/route shows. */
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

#endif
