/* SPDX-License-Identifier: MIT */
/* Linux's network-interface ABI (include/uapi/linux/if.h, if_ether.h, if_arp.h): interface names and flags, EtherTypes, ARP hardware types. */
#ifndef KESTREL_UAPI_IF_H
#define KESTREL_UAPI_IF_H

#define IFNAMSIZ 16

/* interface flags (SIOCGIFFLAGS, netlink's ifi_flags) */
#define IFF_UP          0x1
#define IFF_BROADCAST   0x2
#define IFF_DEBUG       0x4
#define IFF_LOOPBACK    0x8
#define IFF_POINTOPOINT 0x10
#define IFF_NOTRAILERS  0x20
#define IFF_RUNNING     0x40
#define IFF_NOARP       0x80
#define IFF_PROMISC     0x100
#define IFF_ALLMULTI    0x200
#define IFF_MULTICAST   0x1000
#define IFF_LOWER_UP    0x10000

/* EtherTypes (if_ether.h), host byte order */
#define ETH_ALEN    6
#define ETH_HLEN    14
#define ETH_ZLEN    60     /* shortest frame without the FCS: shorter ones are padded */
#define ETH_DATA_LEN 1500  /* the MTU of an Ethernet */
#define ETH_FRAME_LEN 1514 /* the longest frame without the FCS */
#define ETH_P_ALL   0x0003
#define ETH_P_IP    0x0800
#define ETH_P_ARP   0x0806
#define ETH_P_8021Q 0x8100
#define ETH_P_IPV6  0x86dd

/* ARP hardware types (if_arp.h) */
#define ARPHRD_ETHER    1
#define ARPHRD_LOOPBACK 772

#endif
