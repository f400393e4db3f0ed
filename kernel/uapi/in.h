/* SPDX-License-Identifier: MIT */
/* Linux's IPv4 and IPv6 socket ABI (include/uapi/linux/in.h, in6.h, tcp.h): the families, protocols, struct sockaddr_in and sockaddr_in6, the loopback network and the IPPROTO_IP/IPPROTO_IPV6/IPPROTO_TCP options Kestrel knows. */
#ifndef KESTREL_UAPI_IN_H
#define KESTREL_UAPI_IN_H

#include <stdint.h>

#define AF_INET  2
#define AF_INET6 10

/* protocols (socket(2)'s third argument, and option levels) */
#define IPPROTO_IP  0
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_IPV6 41
#define IPPROTO_UDPLITE 136
#define IPPROTO_RAW 255     /* a raw socket that sends whole IPv4 packets (IP_HDRINCL) */

/* struct sockaddr_in: port and address in network byte order */
struct sockaddr_in {
	uint16_t sin_family;
	uint16_t sin_port;
	uint32_t sin_addr;
	uint8_t sin_zero[8];
};
_Static_assert(sizeof(struct sockaddr_in) == 16, "struct sockaddr_in is 16 bytes");

/* struct sockaddr_in6: port in network byte order, the address's 16 bytes */
struct sockaddr_in6 {
	uint16_t sin6_family;
	uint16_t sin6_port;
	uint32_t sin6_flowinfo;
	uint8_t sin6_addr[16];
	uint32_t sin6_scope_id;
};
_Static_assert(sizeof(struct sockaddr_in6) == 28, "struct sockaddr_in6 is 28 bytes");
#define SIN6_LEN_RFC2133 24   /* the shortest struct sockaddr_in6 Linux takes (no scope id) */
#define IN6_V4MAPPED_PREFIX 10 /* ::ffff:a.b.c.d: 10 zero bytes, 0xffff, then the IPv4 address */

/* addresses, in host byte order */
#define INADDR_ANY        0x00000000u
#define INADDR_LOOPBACK   0x7f000001u  /* 127.0.0.1 */
#define IN_LOOPBACKNET    127          /* 127.0.0.0/8: every address on lo */
#define IN_CLASSA_NSHIFT  24

/* level IPPROTO_IP */
#define IP_TOS             1
#define IP_TTL             2
#define IP_PKTINFO         8
#define IP_MTU_DISCOVER    10   /* IP_PMTUDISC_*: DONT, WANT (the default), DO, PROBE, INTERFACE, OMIT */
#define IP_RECVERR         11
#define IP_RECVTTL         12
#define IP_RECVTOS         13
#define IP_MTU             14
#define IP_MULTICAST_TTL   33
#define IP_MULTICAST_LOOP  34
#define IP_RECVORIGDSTADDR 20
#define IP_ORIGDSTADDR     IP_RECVORIGDSTADDR /* its control message */
#define IP_PMTUDISC_DONT   0
#define IP_PMTUDISC_WANT   1
#define IP_PMTUDISC_DO     2
#define IP_PMTUDISC_PROBE  3
#define IP_PMTUDISC_INTERFACE 4
#define IP_PMTUDISC_OMIT   5
/* IP_PKTINFO's control message: the interface a datagram came in on, the
 * local address a reply would come from, and the header's destination */
struct in_pktinfo {
	int32_t ipi_ifindex;
	uint32_t ipi_spec_dst;
	uint32_t ipi_addr;
};
/* IP_RECVERR's control message (struct sock_extended_err), followed by
 * the offender's struct sockaddr_in */
struct sock_extended_err {
	uint32_t ee_errno;
	uint8_t ee_origin, ee_type, ee_code, ee_pad;
	uint32_t ee_info, ee_data;
};
#define SO_EE_ORIGIN_ICMP  2
#define SO_EE_ORIGIN_ICMP6 3
#define SO_EE_ORIGIN_ZEROCOPY 5  /* a MSG_ZEROCOPY completion: ee_info..ee_data the sends' ids */
#define SO_EE_CODE_ZEROCOPY_COPIED 1 /* its ee_code: the kernel copied the bytes */
#define IP_ECN_MASK        3    /* INET_ECN_MASK: the low bits of IP_TOS a TCP socket keeps */

/* level IPPROTO_IPV6: options, and (RFC 3542) the control messages of a datagram */
#define IPV6_ADDRFORM      1    /* an AF_INET6 socket on IPv4 (v4-mapped) becomes AF_INET */
#define IPV6_2292RTHDR     5    /* RFC 2292's: receive the routing header (a flag) */
#define IPV6_UNICAST_HOPS  16
#define IPV6_MTU_DISCOVER  23   /* IPV6_PMTUDISC_*: the values of IP_PMTUDISC_* */
#define IPV6_MTU           24
#define IPV6_RECVERR       25
#define IPV6_V6ONLY        26
#define IPV6_RECVPKTINFO   49
#define IPV6_PKTINFO       50   /* its control message: struct in6_pktinfo */
#define IPV6_RECVHOPLIMIT  51
#define IPV6_HOPLIMIT      52
#define IPV6_RECVRTHDR     56   /* receive the routing header (a flag) */
#define IPV6_RTHDR         57   /* the routing header a socket's packets carry */
#define IPV6_RECVTCLASS    66
#define IPV6_TCLASS        67
#define IPV6_DEFAULT_HOPS  64   /* lo's hop_limit */
/* An IPv6 extension header's first bytes (struct ipv6_opt_hdr); its
 * length is (hdrlen + 1) * 8 bytes, at most 255 * 8 as an option's */
struct ipv6_opt_hdr {
	uint8_t nexthdr, hdrlen;
};
#define IPV6_OPT_HDR_UNIT  8
#define IPV6_OPT_HDR_MAX   (255 * IPV6_OPT_HDR_UNIT)
/* The routing header (struct ipv6_rt_hdr), and its types a socket may set:
 * 2 (Mobile IPv6's, one address) and 4 (segment routing, struct
 * ipv6_sr_hdr of linux/seg6.h: segments[first_segment + 1] of 16 bytes,
 * then TLVs of struct sr6_tlv to the header's end) */
struct ipv6_rt_hdr {
	uint8_t nexthdr, hdrlen, type, segments_left;
};
#define IPV6_SRCRT_TYPE_2  2
#define IPV6_SRCRT_TYPE_4  4
struct ipv6_sr_hdr {
	uint8_t nexthdr, hdrlen, type, segments_left, first_segment, flags;
	uint16_t tag;
	uint8_t segments[][16];
};
struct sr6_tlv {
	uint8_t type, len;
	uint8_t data[];
};
#define IPV6_SR_SEGMENT_SHIFT 4 /* a segment: 16 bytes */
/* IPV6_PKTINFO's control message: the datagram's destination and the
 * interface it came in on */
struct in6_pktinfo {
	uint8_t ipi6_addr[16];
	int32_t ipi6_ifindex;
};

/* level IPPROTO_TCP */
#define TCP_NODELAY   1
#define TCP_MAXSEG    2
#define TCP_CORK      3
#define TCP_KEEPIDLE  4
#define TCP_KEEPINTVL 5
#define TCP_KEEPCNT   6
#define TCP_SYNCNT    7
#define TCP_LINGER2   8
#define TCP_DEFER_ACCEPT 9
#define MAX_TCP_SYNCNT 127
#define TCP_WINDOW_CLAMP 10
#define TCP_QUICKACK  12
#define TCP_CONGESTION 13
#define TCP_USER_TIMEOUT 18
#define TCP_NOTSENT_LOWAT 25
#define TCP_CC_INFO   26      /* the congestion control's own counts (union tcp_cc_info) */
#define TCP_INQ       36
#define TCP_CM_INQ    TCP_INQ /* its control message: the bytes still queued after a read */
#define TCP_MIN_MSS   88      /* TCP_MAXSEG's range: 88 to MAX_TCP_WINDOW */
#define MAX_TCP_WINDOW 32767
#define TCP_CA_NAME_MAX 16
#define TCP_FIN_TIMEOUT_MAX 120 /* s: TCP_LINGER2's ceiling */

#endif
