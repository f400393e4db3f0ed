/* SPDX-License-Identifier: MIT */
/* NETLINK_ROUTE's messages: the pure part (rtnetlink.c: splitting a send into messages, parsing and validating each request's header and attributes as Linux 6.1 does, building the answers into a buffer) and the part that asks and changes the stack (rtnetlink_ops.c), which net/netlink.c's sockets call. */
#ifndef KESTREL_NET_RTNETLINK_H
#define KESTREL_NET_RTNETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "uapi/netlink.h"
#include "uapi/rtnetlink.h"

/* ---- building (rtnetlink.c) ----------------------------------------------------------- */

/* A buffer answers are written into: cap bytes at data, len used. */
struct nl_buf {
	uint8_t *data;
	size_t len, cap;
};

/* What went wrong, for NETLINK_EXT_ACK: a message (a static string) and
 * the offending attribute (an offset from the request's header; 0: none). */
struct nl_ext_ack {
	const char *msg;
	uint32_t bad_attr;
};

/* Start a message with a fixed header of hdrlen bytes (zeroed): its
 * offset in b (for nl_msg_hdr/nl_msg_end), or -EMSGSIZE (nothing written). */
long nl_msg_begin(struct nl_buf *b, uint16_t type, uint16_t flags, uint32_t seq, uint32_t pid,
		  size_t hdrlen);
/* The fixed header of the message begun at off. */
void *nl_msg_fixed(struct nl_buf *b, long off);
/* Close the message begun at off: its nlmsg_len. */
void nl_msg_end(struct nl_buf *b, long off);
/* Attributes: 0, or -EMSGSIZE (nothing written). */
int nl_put(struct nl_buf *b, uint16_t type, const void *data, size_t len);
int nl_put_u8(struct nl_buf *b, uint16_t type, uint8_t v);
int nl_put_u32(struct nl_buf *b, uint16_t type, uint32_t v);
int nl_put_string(struct nl_buf *b, uint16_t type, const char *s);
/* A nested attribute: begin gives its offset (or -EMSGSIZE), end sets its length. */
long nl_nest_begin(struct nl_buf *b, uint16_t type);
void nl_nest_end(struct nl_buf *b, long off);

/* NLMSG_ERROR for req (err 0: an acknowledgment): the whole request after
 * the error unless capped (or err is 0: NLM_F_CAPPED), the extended
 * acknowledgment's attributes when ext is non-NULL. 0 or -EMSGSIZE. */
int nl_put_error(struct nl_buf *b, const struct nlmsghdr *req, uint32_t pid, int err, bool capped,
		 const struct nl_ext_ack *ext);
/* The bytes nl_put_error needs. */
size_t nl_error_size(const struct nlmsghdr *req, int err, bool capped, const struct nl_ext_ack *ext);
/* NLMSG_DONE of a dump (NLM_F_MULTI | extra flags) with its int error. 0 or -EMSGSIZE. */
int nl_put_done(struct nl_buf *b, uint32_t seq, uint32_t pid, uint16_t flags, int err,
		const struct nl_ext_ack *ext);

/* ---- parsing (rtnetlink.c) ------------------------------------------------------------ */

/* The next message of a send at *off (Linux's netlink_rcv_skb): true and
 * *h; false at the end, or at a header whose length is below the header or
 * beyond the send (the rest is dropped, as Linux drops it, silently). */
bool nl_msg_next(const uint8_t *buf, size_t len, size_t *off, const struct nlmsghdr **h);

/* Attribute policy types (Linux's NLA_*). */
enum nla_kind {
	NLA_UNSPEC, NLA_U8, NLA_U16, NLA_U32, NLA_U64, NLA_S32, NLA_STRING, NLA_NUL_STRING,
	NLA_BINARY, NLA_NESTED, NLA_FLAG, NLA_REJECT,
};
struct nla_policy {
	uint8_t type;            /* enum nla_kind */
	uint16_t len;            /* strings, binary: the most; unspec: the least */
};

/* How strictly (Linux's NL_VALIDATE_*): unknown types and trailing bytes. */
#define NL_VALIDATE_TRAILING 1u   /* bytes after the last whole attribute: -EINVAL */
#define NL_VALIDATE_MAXTYPE  2u   /* a type beyond the policy: -EINVAL */
#define NL_VALIDATE_DEPRECATED_STRICT (NL_VALIDATE_TRAILING | NL_VALIDATE_MAXTYPE)

/*
 * Parse the attributes of msg after its fixed header of hdrlen bytes into
 * tb[0..maxtype] (pointers into msg; NULL: absent; the last of a type
 * wins), each checked against pol (Linux's __nla_validate_parse). 0,
 * -EINVAL (the message is shorter than its header; NLA_REJECT; with
 * validate, an unknown type or trailing bytes) or -ERANGE (a value too
 * short or a string too long); ext says which attribute.
 */
int nl_parse(const struct nlmsghdr *msg, size_t hdrlen, const struct nla_policy *pol,
	     unsigned maxtype, unsigned validate, const struct nlattr **tb, struct nl_ext_ack *ext);

/* An attribute's payload and its length. Values are read with memcpy:
 * the caller's buffer may be aligned to 4 only. */
static inline const void *nla_data(const struct nlattr *a)
{
	return (const uint8_t *)a + NLA_HDRLEN;
}
static inline size_t nla_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}
uint8_t nla_get_u8(const struct nlattr *a);
uint32_t nla_get_u32(const struct nlattr *a);
/* A string attribute into buf (NUL-terminated, cut to size - 1). */
void nla_get_string(const struct nlattr *a, char *buf, size_t size);

/* ---- requests (rtnetlink.c) ------------------------------------------------------------ */

#define RTNL_ATTR_MAX 60  /* the largest of IFLA_MAX, IFA_MAX, RTA_MAX, NDA_MAX */

/*
 * A NETLINK_ROUTE request as rtnetlink_rcv_msg sorts it: its message,
 * family (the first byte of its payload), whether it is a dump, and, once
 * parsed, its fixed header (copied) and attributes.
 */
struct rtnl_req {
	const struct nlmsghdr *nlh;
	uint8_t family;
	bool dump;
	bool strict;             /* the socket's NETLINK_GET_STRICT_CHK */
	union {
		struct ifinfomsg ifi;
		struct ifaddrmsg ifa;
		struct rtmsg rtm;
		struct ndmsg ndm;
	} hdr;
	const struct nlattr *tb[RTNL_ATTR_MAX + 1];
	struct nl_ext_ack ext;
};

/* What rtnetlink_rcv_msg does with a message before any handler: 1 to
 * hand it on (req filled), 0 to answer nothing but an ack (a message of
 * less than one byte of payload), -EOPNOTSUPP (a type past RTM_MAX).
 * req is zeroed in every case. */
int rtnl_classify(const struct nlmsghdr *h, bool strict, struct rtnl_req *req);
/*
 * Parse req's fixed header and attributes as 6.1's handler for its type
 * does (the dump validators when req->dump and strict; the liberal
 * parse of a doit otherwise). 0, -EINVAL, -ERANGE, or -EOPNOTSUPP (a
 * type or family Kestrel has no handler for, as Linux without one).
 */
int rtnl_parse(struct rtnl_req *req);

/* ---- answers (rtnetlink.c) ---------------------------------------------------------- */

/* One interface as RTM_NEWLINK describes it. */
struct rtnl_link_info {
	int ifindex;
	uint16_t type;           /* ARPHRD_* */
	uint32_t flags;          /* IFF_* as dev_get_flags reports them */
	const char *name, *qdisc;
	uint32_t mtu, min_mtu, max_mtu, txqlen;
	uint8_t operstate;       /* IF_OPER_* */
	bool carrier;
	uint32_t carrier_up, carrier_down;
	uint8_t addr[6], brd[6], perm[6];
	const char *parent, *parent_bus; /* "0000:00:03.0", "pci"; NULL: none */
	struct rtnl_link_stats64 stats;
};
/* One IPv4 address (RTM_NEWADDR). Addresses in host byte order. */
struct rtnl_addr_info {
	int ifindex;
	uint32_t local, bcast;
	uint8_t prefix, scope;
	uint32_t flags;          /* IFA_F_* */
	const char *label;
	uint32_t cstamp, tstamp; /* hundredths of a second since boot */
};
/* One IPv4 route (RTM_NEWROUTE): a table's, or (cloned) a lookup's. */
struct rtnl_route_info {
	uint32_t table;
	uint32_t dst, gateway, prefsrc, src;
	uint8_t dst_len, protocol, scope, type;
	uint32_t flags;          /* rtm_flags */
	int oif;
	uint32_t priority;
	bool cloned;             /* ip route get's answer: RTA_UID and RTA_CACHEINFO too */
	uint32_t uid;
	uint32_t pmtu;           /* cloned: the path MTU cache's entry (0: none), RTA_METRICS' RTAX_MTU */
	bool pmtu_locked;        /* its RTAX_LOCK bit */
	int32_t expires;         /* cloned: the entry's time left in USER_HZ ticks (rta_expires) */
};
/* One IPv4 neighbour (RTM_NEWNEIGH); an IPv6 one when v6 (dst6 then). */
struct rtnl_neigh_info {
	int ifindex;
	uint32_t dst;
	uint8_t lladdr[6];
	uint16_t state;          /* NUD_* */
	bool v6, router;         /* router: NTF_ROUTER (an IPv6 router's) */
	uint8_t dst6[16];
};

/* One IPv6 address (inet6_fill_ifaddr's RTM_NEWADDR): lifetimes left in s
 * (0xffffffff: forever). */
struct rtnl_addr6_info {
	int ifindex;
	uint8_t addr[16];
	uint8_t prefix, scope;
	uint32_t flags;          /* IFA_F_* */
	uint32_t preferred_s, valid_s;
	uint32_t cstamp, tstamp;
};
/* One IPv6 route of the main table (rt6_fill_node's RTM_NEWROUTE). */
struct rtnl_route6_info {
	uint8_t dst[16], gateway[16];
	bool has_gateway;
	uint8_t dst_len, protocol;
	int oif;
	uint32_t priority;
	int32_t expires_cs;      /* hundredths of a second left; 0: none */
	uint8_t table, type;     /* 0: main, unicast */
	bool lookup;             /* an answer to RTM_GETROUTE: with RTA_SRC and RTA_PREFSRC */
	uint8_t src[16], prefsrc[16];
};

/* The answer's messages: 0 or -EMSGSIZE (nothing written). */
int rtnl_fill_link(struct nl_buf *b, const struct rtnl_link_info *l, uint16_t flags, uint32_t seq,
		   uint32_t pid, uint32_t ext_mask);
int rtnl_fill_addr(struct nl_buf *b, const struct rtnl_addr_info *a, uint16_t flags, uint32_t seq,
		   uint32_t pid);
int rtnl_fill_route(struct nl_buf *b, const struct rtnl_route_info *r, uint16_t flags, uint32_t seq,
		    uint32_t pid);
int rtnl_fill_neigh(struct nl_buf *b, const struct rtnl_neigh_info *n, uint16_t flags, uint32_t seq,
		    uint32_t pid);
int rtnl_fill_addr6(struct nl_buf *b, const struct rtnl_addr6_info *a, uint16_t flags, uint32_t seq,
		    uint32_t pid);
int rtnl_fill_route6(struct nl_buf *b, const struct rtnl_route6_info *r, uint16_t flags, uint32_t seq,
		     uint32_t pid);

/* ---- the stack (rtnetlink_ops.c) ---------------------------------------------------------- */

/* A dump in progress: what it lists, where it is, whom it answers. */
struct rtnl_dump {
	uint16_t type;           /* RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, RTM_GETNEIGH */
	uint8_t family;
	uint16_t flags;          /* NLM_F_MULTI, with NLM_F_DUMP_FILTERED for a filtered dump */
	uint32_t seq, pid;
	int ifindex;             /* a filter (0: none) */
	bool none;               /* a filter nothing matches (a master, a link kind, a table) */
	uint8_t protocol, rt_type; /* routes: filters (0: none) */
	bool cloned;             /* routes: the cached ones (none here) */
	uint32_t ext_mask;       /* IFLA_EXT_MASK */
	unsigned next;           /* the next entry to list */
	bool v6;                 /* addresses, routes: IPv4's are listed, IPv6's now (AF_UNSPEC lists both) */
	int err;                 /* a strict check's error: the NLMSG_DONE's */
	struct nl_ext_ack ext;
};

/* The room the first batch of a dump of this type needs beyond the
 * usual (Linux's min_dump_alloc: the largest link message). */
size_t rtnl_dump_min_alloc(const struct rtnl_dump *d);
/* Begin the dump req asks for (pid: the asker's port id). err is what
 * rtnl_parse said: a validator's error is the dump's first answer (its
 * NLMSG_DONE), as Linux checks a dump's request inside the dump. */
void rtnl_dump_start(const struct rtnl_req *req, int err, uint32_t pid, struct rtnl_dump *d);
/* The next batch: as many entries as b holds. The bytes added (> 0), 0
 * when the dump is over, or -errno (the NLMSG_DONE's error). */
long rtnl_dump_fill(struct rtnl_dump *d, struct nl_buf *b);

/* A sink for the messages a request answers with (unicast to the asker). */
struct rtnl_reply {
	/* Queue the message in b: 0, or -ENOBUFS/-ENOMEM. */
	int (*send)(struct rtnl_reply *r, const struct nl_buf *b);
	uint32_t pid;            /* the asker's port id */
	uint32_t uid;            /* the asker's uid (RTA_UID) */
};
/*
 * Carry out a parsed request that is not a dump: RTM_GETLINK (the one
 * link's message sent), RTM_NEWLINK/SETLINK (up, down, MTU, queue length),
 * RTM_NEWADDR/DELADDR, RTM_NEWROUTE/DELROUTE, RTM_GETROUTE (a lookup),
 * RTM_NEWNEIGH/DELNEIGH. 0 or -errno (for NLMSG_ERROR; ext filled). The
 * CAP_NET_ADMIN check is the caller's.
 */
int rtnl_doit(struct rtnl_req *req, struct rtnl_reply *r);

/* Linux's multicast groups (uapi rtnetlink.h's RTNLGRP_*) a notification goes to. */
#define RTNLGRP_LINK        1
#define RTNLGRP_NEIGH       3
#define RTNLGRP_IPV4_IFADDR 5
#define RTNLGRP_IPV4_ROUTE  7
#define RTNLGRP_IPV6_IFADDR 9
#define RTNLGRP_IPV6_ROUTE  11

struct ipv4_ifaddr;
/* An IPv4 address added (RTM_NEWADDR) or deleted (RTM_DELADDR) to emit's
 * RTNLGRP_IPV4_IFADDR, with the port id and sequence number of the
 * request that made the change (0 and 0 for the kernel's own: DHCP,
 * the ioctls), as Linux's rtmsg_ifa. */
void rtnl_notify_addr(const struct ipv4_ifaddr *a, bool added, uint32_t pid, uint32_t seq,
		      void (*emit)(unsigned group, const struct nl_buf *b));
struct ipv4_route;
/* A main-table IPv4 route added (RTM_NEWROUTE, with NLM_F_EXCL |
 * NLM_F_CREATE), put in another's place (RTM_NEWROUTE, NLM_F_REPLACE) or
 * deleted (RTM_DELROUTE): ev, to emit's RTNLGRP_IPV4_ROUTE, as the dump shows
 * it, with the port id and sequence number of the RTM_NEWROUTE/DELROUTE
 * request that made the change (0 and 0 for the kernel's own and the
 * ioctls'), as Linux's rtmsg_fib from fib_table_insert/_delete. */
void rtnl_notify_route(const struct ipv4_route *r, unsigned ev /* an enum ipv4_route_event (net/ipv4.h) */,
		       uint32_t pid, uint32_t seq,
		       void (*emit)(unsigned group, const struct nl_buf *b));
struct ipv6_route;
/* An IPv6 route made (RTM_NEWROUTE, NLM_F_EXCL | NLM_F_CREATE), put in
 * another's place (RTM_NEWROUTE, NLM_F_REPLACE) or gone (RTM_DELROUTE) to
 * emit's RTNLGRP_IPV6_ROUTE, as the dump shows it, with the port id and
 * sequence number of the RTM_NEWROUTE/DELROUTE request that made the
 * change (0 and 0 for the kernel's own: Linux's inet6_rt_notify). */
void rtnl_notify_route6(const struct ipv6_route *r, unsigned ev /* an enum ipv6_route_event (net/ipv6.h) */,
			uint32_t pid, uint32_t seq, void (*emit)(unsigned group, const struct nl_buf *b));
struct neigh_info;
/* A neighbour entry changed (RTM_NEWNEIGH) or removed (RTM_DELNEIGH) to
 * emit's RTNLGRP_NEIGH, as the dump shows it (v6: an NDP entry, else
 * ARP's): sequence number 0 and pid the port id of the RTM_NEWNEIGH or
 * RTM_DELNEIGH request that made the change, else 0, as Linux's
 * __neigh_notify. */
void rtnl_notify_neigh(bool v6, const struct neigh_info *n, bool gone, uint32_t pid,
		       void (*emit)(unsigned group, const struct nl_buf *b));
struct ipv6_ifaddr;
/* An IPv6 address added or changed (RTM_NEWADDR) or deleted (RTM_DELADDR)
 * to emit's RTNLGRP_IPV6_IFADDR, as the dump shows it: seq and pid 0
 * whoever asked, as Linux's inet6_ifa_notify. */
void rtnl_notify_addr6(const struct ipv6_ifaddr *a, bool added,
		       void (*emit)(unsigned group, const struct nl_buf *b));
struct netdev;
/* dev's state now (RTM_NEWLINK, as the dump shows it) to emit's
 * RTNLGRP_LINK, seq and pid 0, as Linux's rtmsg_ifinfo. */
void rtnl_notify_link(const struct netdev *dev, void (*emit)(unsigned group, const struct nl_buf *b));
/*
 * What rtnetlink's listeners hear when dev is unregistered (net/ifstate.h),
 * in Linux's order: RTM_NEWLINK without IFF_UP if it was up (dev_close),
 * an RTM_DELROUTE for each IPv6 route and an RTM_DELADDR for each IPv6
 * address (addrconf_ifdown), an RTM_DELADDR for each IPv4 address
 * (inetdev_destroy), then RTM_DELLINK; each message built in a buffer of
 * its own and handed to emit with its group (seq and pid 0, as Linux's
 * notifications).
 */
struct netdev;
struct net_dev_gone;
void rtnl_notify_gone(const struct netdev *dev, const struct net_dev_gone *what,
		      void (*emit)(unsigned group, const struct nl_buf *b));

#endif
