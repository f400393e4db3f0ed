/* SPDX-License-Identifier: MIT */
/* Linux 6.1's NETLINK_ROUTE ABI (include/uapi/linux/rtnetlink.h, if_link.h, if_addr.h, neighbour.h, and if.h's operational states): message types, the fixed headers of links, addresses, routes and neighbours, their attributes, and the route, scope and neighbour-state constants. */
#ifndef KESTREL_UAPI_RTNETLINK_H
#define KESTREL_UAPI_RTNETLINK_H

#include <stdint.h>

/* message types: NEW, DEL, GET, SET of each object, in fours from RTM_BASE */
#define RTM_BASE     16
#define RTM_NEWLINK  16
#define RTM_DELLINK  17
#define RTM_GETLINK  18
#define RTM_SETLINK  19
#define RTM_NEWADDR  20
#define RTM_DELADDR  21
#define RTM_GETADDR  22
#define RTM_NEWROUTE 24
#define RTM_DELROUTE 25
#define RTM_GETROUTE 26
#define RTM_NEWNEIGH 28
#define RTM_DELNEIGH 29
#define RTM_GETNEIGH 30
#define RTM_MAX      123      /* the last type 6.1 knows (RTM_GETTUNNEL's group) */
#define RTM_KIND_MASK 3       /* type & 3: 0 NEW, 1 DEL, 2 GET, 3 SET */
#define RTM_KIND_GET  2

/* The one byte every request begins with (a dump may send only it). */
struct rtgenmsg {
	uint8_t rtgen_family;
};

/* ---- links (RTM_*LINK) ----------------------------------------------------------- */

struct ifinfomsg {
	uint8_t ifi_family;
	uint8_t __ifi_pad;
	uint16_t ifi_type;       /* ARPHRD_* */
	int32_t ifi_index;
	uint32_t ifi_flags;      /* IFF_* */
	uint32_t ifi_change;     /* the flags a request changes (0: all, as Linux) */
};
_Static_assert(sizeof(struct ifinfomsg) == 16, "struct ifinfomsg is 16 bytes");

#define IFLA_ADDRESS            1
#define IFLA_BROADCAST          2
#define IFLA_IFNAME             3
#define IFLA_MTU                4
#define IFLA_LINK               5
#define IFLA_QDISC              6
#define IFLA_STATS              7
#define IFLA_MASTER             10
#define IFLA_PROTINFO           12
#define IFLA_TXQLEN             13
#define IFLA_MAP                14
#define IFLA_WEIGHT             15
#define IFLA_OPERSTATE          16
#define IFLA_LINKMODE           17
#define IFLA_LINKINFO           18
#define IFLA_NET_NS_PID         19
#define IFLA_IFALIAS            20
#define IFLA_VFINFO_LIST        22
#define IFLA_STATS64            23
#define IFLA_VF_PORTS           24
#define IFLA_PORT_SELF          25
#define IFLA_AF_SPEC            26
#define IFLA_GROUP              27
#define IFLA_NET_NS_FD          28
#define IFLA_EXT_MASK           29
#define IFLA_PROMISCUITY        30
#define IFLA_NUM_TX_QUEUES      31
#define IFLA_NUM_RX_QUEUES      32
#define IFLA_CARRIER            33
#define IFLA_PHYS_PORT_ID       34
#define IFLA_CARRIER_CHANGES    35
#define IFLA_PHYS_SWITCH_ID     36
#define IFLA_LINK_NETNSID       37
#define IFLA_PROTO_DOWN         39
#define IFLA_GSO_MAX_SEGS       40
#define IFLA_GSO_MAX_SIZE       41
#define IFLA_XDP                43
#define IFLA_EVENT              44
#define IFLA_TARGET_NETNSID     46
#define IFLA_CARRIER_UP_COUNT   47
#define IFLA_CARRIER_DOWN_COUNT 48
#define IFLA_NEW_IFINDEX        49
#define IFLA_MIN_MTU            50
#define IFLA_MAX_MTU            51
#define IFLA_PROP_LIST          52
#define IFLA_ALT_IFNAME         53
#define IFLA_PERM_ADDRESS       54
#define IFLA_PROTO_DOWN_REASON  55
#define IFLA_PARENT_DEV_NAME    56
#define IFLA_PARENT_DEV_BUS_NAME 57
#define IFLA_GRO_MAX_SIZE       58
#define IFLA_TSO_MAX_SIZE       59
#define IFLA_TSO_MAX_SEGS       60
#define IFLA_MAX                60

#define IFLA_XDP_ATTACHED 2       /* inside IFLA_XDP: u8, XDP_ATTACHED_NONE 0 */
#define IFLA_INFO_KIND    1       /* inside IFLA_LINKINFO: the link type's name */

/* IFLA_EXT_MASK's bits */
#define RTEXT_FILTER_VF         (1 << 0)
#define RTEXT_FILTER_SKIP_STATS (1 << 3)

/* IFLA_OPERSTATE (RFC 2863, Linux's if.h) and IFLA_LINKMODE */
#define IF_OPER_UNKNOWN 0
#define IF_OPER_DOWN    2
#define IF_OPER_UP      6
#define IF_LINK_MODE_DEFAULT 0

/* IFLA_STATS64 and IFLA_STATS */
struct rtnl_link_stats64 {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes, rx_errors, tx_errors;
	uint64_t rx_dropped, tx_dropped, multicast, collisions;
	uint64_t rx_length_errors, rx_over_errors, rx_crc_errors, rx_frame_errors;
	uint64_t rx_fifo_errors, rx_missed_errors;
	uint64_t tx_aborted_errors, tx_carrier_errors, tx_fifo_errors, tx_heartbeat_errors;
	uint64_t tx_window_errors;
	uint64_t rx_compressed, tx_compressed, rx_nohandler, rx_otherhost_dropped;
};
_Static_assert(sizeof(struct rtnl_link_stats64) == 200, "6.1's rtnl_link_stats64 is 200 bytes");

struct rtnl_link_stats {
	uint32_t rx_packets, tx_packets, rx_bytes, tx_bytes, rx_errors, tx_errors;
	uint32_t rx_dropped, tx_dropped, multicast, collisions;
	uint32_t rx_length_errors, rx_over_errors, rx_crc_errors, rx_frame_errors;
	uint32_t rx_fifo_errors, rx_missed_errors;
	uint32_t tx_aborted_errors, tx_carrier_errors, tx_fifo_errors, tx_heartbeat_errors;
	uint32_t tx_window_errors;
	uint32_t rx_compressed, tx_compressed, rx_nohandler;
};
_Static_assert(sizeof(struct rtnl_link_stats) == 96, "rtnl_link_stats is 96 bytes");

/* IFLA_MAP */
struct rtnl_link_ifmap {
	uint64_t mem_start, mem_end, base_addr;
	uint16_t irq;
	uint8_t dma, port;
};
_Static_assert(sizeof(struct rtnl_link_ifmap) == 32, "rtnl_link_ifmap is 32 bytes");

/* ---- addresses (RTM_*ADDR) ------------------------------------------------------- */

struct ifaddrmsg {
	uint8_t ifa_family;
	uint8_t ifa_prefixlen;
	uint8_t ifa_flags;       /* IFA_F_* (the low eight; IFA_FLAGS has all) */
	uint8_t ifa_scope;       /* RT_SCOPE_* */
	uint32_t ifa_index;
};
_Static_assert(sizeof(struct ifaddrmsg) == 8, "struct ifaddrmsg is 8 bytes");

#define IFA_ADDRESS        1
#define IFA_LOCAL          2
#define IFA_LABEL          3
#define IFA_BROADCAST      4
#define IFA_ANYCAST        5
#define IFA_CACHEINFO      6
#define IFA_MULTICAST      7
#define IFA_FLAGS          8
#define IFA_RT_PRIORITY    9
#define IFA_TARGET_NETNSID 10
#define IFA_PROTO          11
#define IFA_MAX            11

#define IFA_F_SECONDARY 0x01
#define IFA_F_PERMANENT 0x80
#define INFINITY_LIFE_TIME 0xffffffffu /* ifa_cacheinfo's lifetime of a permanent address */

/* IFA_CACHEINFO: lifetimes in seconds, stamps in hundredths since boot */
struct ifa_cacheinfo {
	uint32_t ifa_prefered, ifa_valid, cstamp, tstamp;
};

/* ---- routes (RTM_*ROUTE) ----------------------------------------------------------- */

struct rtmsg {
	uint8_t rtm_family;
	uint8_t rtm_dst_len;
	uint8_t rtm_src_len;
	uint8_t rtm_tos;
	uint8_t rtm_table;       /* RT_TABLE_* (RTA_TABLE holds the whole id) */
	uint8_t rtm_protocol;    /* RTPROT_* */
	uint8_t rtm_scope;       /* RT_SCOPE_* */
	uint8_t rtm_type;        /* RTN_* */
	uint32_t rtm_flags;
};
_Static_assert(sizeof(struct rtmsg) == 12, "struct rtmsg is 12 bytes");

#define RTA_DST        1
#define RTA_SRC        2
#define RTA_IIF        3
#define RTA_OIF        4
#define RTA_GATEWAY    5
#define RTA_PRIORITY   6
#define RTA_PREFSRC    7
#define RTA_METRICS    8
#define RTA_MULTIPATH  9
/* RTA_METRICS's nested attributes (RTAX_*): u32 each */
#define RTAX_LOCK      1    /* a mask of the metrics locked: 1 << RTAX_MTU for a locked MTU */
#define RTAX_MTU       2
#define RTA_FLOW       11
#define RTA_CACHEINFO  12
#define RTA_TABLE      15
#define RTA_MARK       16
#define RTA_VIA        18
#define RTA_PREF       20   /* an IPv6 route's router preference (u8) */
#define RTA_ENCAP_TYPE 21
#define RTA_ENCAP      22
#define RTA_EXPIRES    23   /* an IPv6 route's lifetime, seconds (u32) */
#define RTA_UID        25
#define RTA_IP_PROTO   27
#define RTA_SPORT      28
#define RTA_DPORT      29
#define RTA_NH_ID      30
#define RTA_MAX        30

/* rtm_type */
#define RTN_UNSPEC    0
#define RTN_UNICAST   1
#define RTN_LOCAL     2
#define RTN_BROADCAST 3
#define RTN_MAX       11

/* rtm_protocol: who made the route */
#define RTPROT_UNSPEC 0
#define RTPROT_KERNEL 2   /* the kernel, for an address's subnet */
#define RTPROT_BOOT   3   /* at boot, or by ioctl or ip route without a protocol */
#define RTPROT_STATIC 4
#define RTPROT_DHCP   16

/* rtm_scope, ifa_scope: how far the destination or address reaches */
#define RT_SCOPE_UNIVERSE 0
#define RT_SCOPE_LINK     253
#define RT_SCOPE_HOST     254
#define RT_SCOPE_NOWHERE  255

/* the tables */
#define RT_TABLE_UNSPEC 0
#define RT_TABLE_COMPAT 252   /* rtm_table of a table id above 255 */
#define RT_TABLE_MAIN   254
#define RT_TABLE_LOCAL  255

/* rtm_flags */
#define RTM_F_NOTIFY 0x100
#define RTM_F_CLONED 0x200        /* a route a lookup made (ip route get) */
#define RTM_F_PREFIX 0x800
#define RTM_F_LOOKUP_TABLE 0x1000 /* ip route get: the table that answered */
#define RTM_F_FIB_MATCH 0x2000
#define RTCF_LOCAL   0x80000000u  /* ... to this host */
#define RTCF_BROADCAST 0x10000000u /* ... to a broadcast address */
#define RTNH_F_LINKDOWN 0x10      /* the route's device has no carrier */

/* RTA_CACHEINFO */
struct rta_cacheinfo {
	uint32_t rta_clntref, rta_lastuse;
	int32_t rta_expires;
	uint32_t rta_error, rta_used, rta_id, rta_ts, rta_tsage;
};
_Static_assert(sizeof(struct rta_cacheinfo) == 32, "struct rta_cacheinfo is 32 bytes");

/* ---- neighbours (RTM_*NEIGH) -------------------------------------------------------- */

struct ndmsg {
	uint8_t ndm_family;
	uint8_t ndm_pad1;
	uint16_t ndm_pad2;
	int32_t ndm_ifindex;
	uint16_t ndm_state;      /* NUD_* */
	uint8_t ndm_flags;       /* NTF_* */
	uint8_t ndm_type;        /* RTN_* */
};
_Static_assert(sizeof(struct ndmsg) == 12, "struct ndmsg is 12 bytes");

#define NDA_DST       1
#define NDA_LLADDR    2
#define NDA_CACHEINFO 3
#define NDA_PROBES    4
#define NDA_IFINDEX   8
#define NDA_MASTER    9
#define NDA_PROTOCOL  12
#define NDA_MAX       17

#define NTF_PROXY 0x08

/* neighbour states */
#define NUD_NONE       0x00
#define NUD_INCOMPLETE 0x01
#define NUD_REACHABLE  0x02
#define NUD_STALE      0x04
#define NUD_DELAY      0x08
#define NUD_PROBE      0x10
#define NUD_FAILED     0x20
#define NUD_NOARP      0x40
#define NUD_PERMANENT  0x80
#define NUD_VALID (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)

/* NDA_CACHEINFO: ages in hundredths of a second */
struct nda_cacheinfo {
	uint32_t ndm_confirmed, ndm_used, ndm_updated, ndm_refcnt;
};

#endif
