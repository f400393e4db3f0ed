/* SPDX-License-Identifier: MIT */
/* Linux's netlink ABI (include/uapi/linux/netlink.h): the family, protocols, struct sockaddr_nl, the message and attribute headers with their alignment, the message flags, the control types and the SOL_NETLINK options. */
#ifndef KESTREL_UAPI_NETLINK_H
#define KESTREL_UAPI_NETLINK_H

#include <stdint.h>

#define AF_NETLINK 16

/* protocols (socket(2)'s third argument); Kestrel has NETLINK_ROUTE alone */
#define NETLINK_ROUTE  0
#define NETLINK_MAX_LINKS 32   /* MAX_LINKS: a protocol is below this */

/* struct sockaddr_nl: the port id (0: the kernel) and the multicast groups */
struct sockaddr_nl {
	uint16_t nl_family;
	uint16_t nl_pad;
	uint32_t nl_pid;
	uint32_t nl_groups;
};
_Static_assert(sizeof(struct sockaddr_nl) == 12, "struct sockaddr_nl is 12 bytes");

/* A message's header; its payload follows at NLMSG_HDRLEN. */
struct nlmsghdr {
	uint32_t nlmsg_len;    /* header included */
	uint16_t nlmsg_type;
	uint16_t nlmsg_flags;
	uint32_t nlmsg_seq;
	uint32_t nlmsg_pid;
};
_Static_assert(sizeof(struct nlmsghdr) == 16, "struct nlmsghdr is 16 bytes");

#define NLMSG_ALIGNTO    4u
#define NLMSG_ALIGN(len) (((len) + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1))
#define NLMSG_HDRLEN     ((uint32_t)NLMSG_ALIGN(sizeof(struct nlmsghdr)))
#define NLMSG_LENGTH(len) ((len) + NLMSG_HDRLEN)
#define NLMSG_SPACE(len) NLMSG_ALIGN(NLMSG_LENGTH(len))

/* nlmsg_flags: requests */
#define NLM_F_REQUEST       0x01
#define NLM_F_MULTI         0x02   /* one of a dump's messages; NLMSG_DONE ends them */
#define NLM_F_ACK           0x04
#define NLM_F_ECHO          0x08
#define NLM_F_DUMP_INTR     0x10
#define NLM_F_DUMP_FILTERED 0x20
/* ... of a GET */
#define NLM_F_ROOT   0x100
#define NLM_F_MATCH  0x200
#define NLM_F_ATOMIC 0x400
#define NLM_F_DUMP   (NLM_F_ROOT | NLM_F_MATCH)
/* ... of a NEW */
#define NLM_F_REPLACE 0x100
#define NLM_F_EXCL    0x200
#define NLM_F_CREATE  0x400
#define NLM_F_APPEND  0x800
/* ... of an acknowledgment (NLMSG_ERROR) */
#define NLM_F_CAPPED   0x100   /* the request is not copied after the error */
#define NLM_F_ACK_TLVS 0x200   /* extended acknowledgment attributes follow */

/* control message types (below NLMSG_MIN_TYPE the kernel answers nothing but an ack) */
#define NLMSG_NOOP     0x1
#define NLMSG_ERROR    0x2
#define NLMSG_DONE     0x3
#define NLMSG_OVERRUN  0x4
#define NLMSG_MIN_TYPE 0x10

/* NLMSG_ERROR's payload: the negative errno (0: an acknowledgment) and the
 * request's header (its whole message unless NLM_F_CAPPED) */
struct nlmsgerr {
	int32_t error;
	struct nlmsghdr msg;
};
/* the extended acknowledgment's attributes after it (NETLINK_EXT_ACK) */
#define NLMSGERR_ATTR_MSG  1   /* a string saying what was wrong */
#define NLMSGERR_ATTR_OFFS 2   /* u32: the offending attribute's offset in the request */

/* level SOL_NETLINK options */
#define SOL_NETLINK 270
#define NETLINK_ADD_MEMBERSHIP   1
#define NETLINK_DROP_MEMBERSHIP  2
#define NETLINK_PKTINFO          3
#define NETLINK_BROADCAST_ERROR  4
#define NETLINK_NO_ENOBUFS       5
#define NETLINK_LISTEN_ALL_NSID  8
#define NETLINK_LIST_MEMBERSHIPS 9
#define NETLINK_CAP_ACK          10
#define NETLINK_EXT_ACK          11
#define NETLINK_GET_STRICT_CHK   12

/* An attribute's header; its payload follows at NLA_HDRLEN. */
struct nlattr {
	uint16_t nla_len;      /* header included */
	uint16_t nla_type;
};
#define NLA_F_NESTED        0x8000
#define NLA_F_NET_BYTEORDER 0x4000
#define NLA_TYPE_MASK       (uint16_t)~(NLA_F_NESTED | NLA_F_NET_BYTEORDER)
#define NLA_ALIGNTO         4u
#define NLA_ALIGN(len)      (((len) + NLA_ALIGNTO - 1) & ~(NLA_ALIGNTO - 1))
#define NLA_HDRLEN          ((uint32_t)NLA_ALIGN(sizeof(struct nlattr)))

#endif
