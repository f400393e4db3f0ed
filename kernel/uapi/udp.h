/* SPDX-License-Identifier: MIT */
/* Linux's <linux/udp.h>: the options at level SOL_UDP (IPPROTO_UDP). */
#ifndef KESTREL_UAPI_UDP_H
#define KESTREL_UAPI_UDP_H

#define UDP_CORK 1   /* hold what is sent as one datagram until cleared */

#endif
