/* SPDX-License-Identifier: MIT */
/* Linux's AF_PACKET ABI (include/uapi/linux/if_packet.h): struct sockaddr_ll and the SOL_PACKET options Kestrel knows. */
#ifndef KESTREL_UAPI_IF_PACKET_H
#define KESTREL_UAPI_IF_PACKET_H

#include <stdint.h>

#define AF_PACKET 17
#define SOL_PACKET 263

/* struct sockaddr_ll: protocol in network byte order */
struct sockaddr_ll {
	uint16_t sll_family;
	uint16_t sll_protocol;
	int32_t sll_ifindex;
	uint16_t sll_hatype;
	uint8_t sll_pkttype;
	uint8_t sll_halen;
	uint8_t sll_addr[8];
};
_Static_assert(sizeof(struct sockaddr_ll) == 20, "struct sockaddr_ll is 20 bytes");

/* sll_pkttype */
#define PACKET_HOST      0
#define PACKET_BROADCAST 1
#define PACKET_MULTICAST 2
#define PACKET_OTHERHOST 3
#define PACKET_OUTGOING  4

/* SOL_PACKET options */
#define PACKET_ADD_MEMBERSHIP  1
#define PACKET_DROP_MEMBERSHIP 2
#define PACKET_AUXDATA         8

#endif
