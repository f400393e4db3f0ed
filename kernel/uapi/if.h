/* SPDX-License-Identifier: MIT */
/* Linux's network-interface ABI (include/uapi/linux/if.h, if_ether.h, if_arp.h): interface names and flags, struct ifreq and ifconf, EtherTypes, ARP hardware types and struct arpreq. */
#ifndef KESTREL_UAPI_IF_H
#define KESTREL_UAPI_IF_H

#include <stdint.h>

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
#define IFF_MASTER      0x400
#define IFF_SLAVE       0x800
#define IFF_MULTICAST   0x1000
#define IFF_PORTSEL     0x2000
#define IFF_AUTOMEDIA   0x4000
#define IFF_DYNAMIC     0x8000
#define IFF_LOWER_UP    0x10000
#define IFF_DORMANT     0x20000
#define IFF_ECHO        0x40000

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

/* struct sockaddr (linux/socket.h): the generic address the interface
 * requests carry (an AF_INET address is a struct sockaddr_in in it). */
struct sockaddr {
	uint16_t sa_family;
	uint8_t sa_data[14];
};

/* struct ifmap: SIOCGIFMAP's hardware parameters (x86_64 layout) */
struct ifmap {
	uint64_t mem_start, mem_end;
	uint16_t base_addr;
	uint8_t irq, dma, port;
};

/* struct ifreq: an interface request, the name then one of the values
 * (40 bytes on x86_64; ifr_data and ifr_newname share the union) */
struct ifreq {
	char ifr_name[IFNAMSIZ];
	union {
		struct sockaddr ifru_addr;   /* ifr_addr, dstaddr, broadaddr, netmask, hwaddr */
		int16_t ifru_flags;          /* ifr_flags */
		int32_t ifru_ivalue;         /* ifr_ifindex, ifr_metric, ifr_mtu, ifr_qlen */
		struct ifmap ifru_map;       /* ifr_map */
		char ifru_newname[IFNAMSIZ]; /* ifr_newname */
		uint64_t ifru_data;          /* ifr_data: a user pointer */
	} ifr_ifru;
};
_Static_assert(sizeof(struct ifreq) == 40, "struct ifreq is 40 bytes");

/* struct ifconf: SIOCGIFCONF's buffer (a user pointer; NULL asks for the length) */
struct ifconf {
	int32_t ifc_len;
	uint32_t ifc_pad;            /* the compiler's padding on x86_64 */
	uint64_t ifc_buf;
};
_Static_assert(sizeof(struct ifconf) == 16, "struct ifconf is 16 bytes");

/* ARP flags and struct arpreq (if_arp.h): SIOCGARP, SIOCSARP, SIOCDARP */
#define ATF_COM      0x02   /* completed: the hardware address is valid */
#define ATF_PERM     0x04   /* permanent */
#define ATF_PUBL     0x08   /* published (proxy ARP) */
#define ATF_USETRAILERS 0x10
#define ATF_NETMASK  0x20   /* arp_netmask is valid (proxy ARP) */
#define ATF_DONTPUB  0x40
struct arpreq {
	struct sockaddr arp_pa;      /* the protocol (IPv4) address */
	struct sockaddr arp_ha;      /* the hardware address; sa_family an ARPHRD_* */
	int32_t arp_flags;
	struct sockaddr arp_netmask;
	char arp_dev[IFNAMSIZ];
};
_Static_assert(sizeof(struct arpreq) == 68, "struct arpreq is 68 bytes");

#endif
