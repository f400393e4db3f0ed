// SPDX-License-Identifier: MIT
/*
 * Kestrel: NETLINK_ROUTE's messages without the stack (net/rtnetlink.h):
 * a send split into messages as Linux's netlink_rcv_skb splits it, each
 * request's header and attributes validated as 6.1's handlers validate
 * them (the liberal "deprecated" parse of a doit; the strict checks of
 * a dump on a socket with NETLINK_GET_STRICT_CHK), and the answers
 * (links, addresses, routes, neighbours, errors, NLMSG_DONE) built with
 * Linux's attributes in Linux's order.
 *
 * Every byte of a request is the user's: each length is checked against
 * what is left before it is used, values are read with memcpy. Nothing
 * here touches the stack or allocates: tests/unit and tests/fuzz build
 * this file on the host.
 */
#include "net/rtnetlink.h"
#include "lib/byteorder.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "uapi/in.h"

#define MAX_ADDR_LEN  32   /* the longest link-layer address a policy takes */
#define IFNAMSIZ_     16   /* uapi/if.h's IFNAMSIZ (a name and its NUL) */
#define IFALIASZ      256
#define ALTIFNAMSIZ   128
#define ETH_ALEN_     6

/* ---- building ------------------------------------------------------------------------- */

/* n more bytes at the end of b (n aligned, zeroed), or NULL when they do not fit. */
static void *put_room(struct nl_buf *b, size_t n)
{
	if (n > b->cap - b->len)
		return NULL;
	void *p = b->data + b->len;
	memset(p, 0, n);
	b->len += n;
	return p;
}

long nl_msg_begin(struct nl_buf *b, uint16_t type, uint16_t flags, uint32_t seq, uint32_t pid,
		  size_t hdrlen)
{
	long off = (long)b->len;
	struct nlmsghdr h = { (uint32_t)NLMSG_LENGTH(hdrlen), type, flags, seq, pid };
	uint8_t *p = put_room(b, NLMSG_SPACE(hdrlen));

	if (!p)
		return -EMSGSIZE;
	memcpy(p, &h, sizeof(h));
	return off;
}

void *nl_msg_fixed(struct nl_buf *b, long off)
{
	return b->data + off + NLMSG_HDRLEN;
}

void nl_msg_end(struct nl_buf *b, long off)
{
	uint32_t len = (uint32_t)(b->len - (size_t)off);

	memcpy(b->data + off, &len, sizeof(len));
}

int nl_put(struct nl_buf *b, uint16_t type, const void *data, size_t len)
{
	struct nlattr a = { (uint16_t)(NLA_HDRLEN + len), type };
	uint8_t *p = put_room(b, NLA_ALIGN(NLA_HDRLEN + len));

	if (!p)
		return -EMSGSIZE;
	memcpy(p, &a, sizeof(a));
	if (len)
		memcpy(p + NLA_HDRLEN, data, len);
	return 0;
}

int nl_put_u8(struct nl_buf *b, uint16_t type, uint8_t v)
{
	return nl_put(b, type, &v, sizeof(v));
}

int nl_put_u32(struct nl_buf *b, uint16_t type, uint32_t v)
{
	return nl_put(b, type, &v, sizeof(v));
}

int nl_put_string(struct nl_buf *b, uint16_t type, const char *s)
{
	return nl_put(b, type, s, strlen(s) + 1);
}

long nl_nest_begin(struct nl_buf *b, uint16_t type)
{
	long off = (long)b->len;

	return nl_put(b, type, NULL, 0) ? -EMSGSIZE : off;
}

void nl_nest_end(struct nl_buf *b, long off)
{
	uint16_t len = (uint16_t)(b->len - (size_t)off);

	memcpy(b->data + off, &len, sizeof(len));
}

/* The bytes of the extended acknowledgment's attributes (Linux's
 * netlink_ack_tlv_len): the message, and for an error the offset. */
static size_t ext_size(int err, const struct nl_ext_ack *ext)
{
	size_t n = 0;

	if (!ext)
		return 0;
	if (ext->msg)
		n += NLA_ALIGN(NLA_HDRLEN + strlen(ext->msg) + 1);
	if (err && ext->bad_attr)
		n += NLA_ALIGN(NLA_HDRLEN + sizeof(uint32_t));
	return n;
}

size_t nl_error_size(const struct nlmsghdr *req, int err, bool capped, const struct nl_ext_ack *ext)
{
	size_t payload = sizeof(struct nlmsgerr);

	if (err && !capped)
		payload += req->nlmsg_len - NLMSG_HDRLEN;
	return NLMSG_SPACE(payload) + ext_size(err, ext);
}

int nl_put_error(struct nl_buf *b, const struct nlmsghdr *req, uint32_t pid, int err, bool capped,
		 const struct nl_ext_ack *ext)
{
	bool whole = err && !capped;
	size_t tlv = ext_size(err, ext), copy = whole ? req->nlmsg_len : sizeof(*req);
	uint16_t flags = (whole ? 0 : NLM_F_CAPPED) | (tlv ? NLM_F_ACK_TLVS : 0);

	if (nl_error_size(req, err, capped, ext) > b->cap - b->len)
		return -EMSGSIZE;
	long off = nl_msg_begin(b, NLMSG_ERROR, flags, req->nlmsg_seq, pid,
				sizeof(int32_t) + copy);
	uint8_t *p = nl_msg_fixed(b, off);
	int32_t e = err;
	memcpy(p, &e, sizeof(e));
	memcpy(p + sizeof(e), req, copy);
	if (tlv && ext->msg)
		nl_put_string(b, NLMSGERR_ATTR_MSG, ext->msg);
	if (tlv && err && ext->bad_attr)
		nl_put_u32(b, NLMSGERR_ATTR_OFFS, ext->bad_attr);
	nl_msg_end(b, off);
	return 0;
}

int nl_put_done(struct nl_buf *b, uint32_t seq, uint32_t pid, uint16_t flags, int err,
		const struct nl_ext_ack *ext)
{
	bool tlv = ext && ext->msg;
	size_t need = NLMSG_SPACE(sizeof(int32_t)) +
		      (tlv ? NLA_ALIGN(NLA_HDRLEN + strlen(ext->msg) + 1) : 0);
	int32_t e = err;

	if (need > b->cap - b->len)
		return -EMSGSIZE;
	long off = nl_msg_begin(b, NLMSG_DONE, (uint16_t)(NLM_F_MULTI | flags | (tlv ? NLM_F_ACK_TLVS : 0)),
				seq, pid, sizeof(e));
	memcpy(nl_msg_fixed(b, off), &e, sizeof(e));
	if (tlv)
		nl_put_string(b, NLMSGERR_ATTR_MSG, ext->msg);
	nl_msg_end(b, off);
	return 0;
}

/* ---- parsing -------------------------------------------------------------------------- */

bool nl_msg_next(const uint8_t *buf, size_t len, size_t *off, const struct nlmsghdr **h)
{
	struct nlmsghdr hdr;

	if (*off > len || len - *off < NLMSG_HDRLEN)
		return false;
	memcpy(&hdr, buf + *off, sizeof(hdr));
	if (hdr.nlmsg_len < NLMSG_HDRLEN || hdr.nlmsg_len > len - *off)
		return false;
	*h = (const struct nlmsghdr *)(buf + *off);
	size_t step = NLMSG_ALIGN((size_t)hdr.nlmsg_len);
	*off += step < len - *off ? step : len - *off;
	return true;
}

uint8_t nla_get_u8(const struct nlattr *a)
{
	uint8_t v = 0;

	memcpy(&v, nla_data(a), nla_len(a) < sizeof(v) ? nla_len(a) : sizeof(v));
	return v;
}

uint32_t nla_get_u32(const struct nlattr *a)
{
	uint32_t v = 0;

	memcpy(&v, nla_data(a), nla_len(a) < sizeof(v) ? nla_len(a) : sizeof(v));
	return v;
}

void nla_get_string(const struct nlattr *a, char *buf, size_t size)
{
	size_t n = nla_len(a);
	const char *s = nla_data(a);
	const char *nul = memchr(s, 0, n);

	if (nul)
		n = (size_t)(nul - s);
	if (n > size - 1)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = 0;
}

/* The least payload a fixed-size type needs (Linux's nla_attr_minlen). */
static size_t kind_minlen(uint8_t type)
{
	switch (type) {
	case NLA_U8:  return 1;
	case NLA_U16: return 2;
	case NLA_U32: case NLA_S32: return 4;
	case NLA_U64: return 8;
	default:      return 0;
	}
}

/* One attribute against its policy (Linux's validate_nla, as the liberal
 * and deprecated-strict parses run it). 0, -ERANGE or -EINVAL. */
static int check_attr(const struct nlattr *a, const struct nla_policy *pt)
{
	size_t len = nla_len(a);
	const char *s = nla_data(a);

	switch (pt->type) {
	case NLA_REJECT:
		return -EINVAL;
	case NLA_FLAG:
		return len ? -ERANGE : 0;
	case NLA_STRING:
		if (len < 1)
			return -ERANGE;
		if (pt->len && len - (s[len - 1] == 0) > pt->len)
			return -ERANGE;
		return 0;
	case NLA_NUL_STRING:
		if (pt->len && len > (size_t)pt->len + 1)
			return -ERANGE;
		return len && memchr(s, 0, len) ? 0 : -EINVAL;
	case NLA_BINARY:
		return pt->len && len > pt->len ? -ERANGE : 0;
	case NLA_NESTED:
		return len && len < NLA_HDRLEN ? -ERANGE : 0;
	default:
		return len < (pt->len ? pt->len : kind_minlen(pt->type)) ? -ERANGE : 0;
	}
}

int nl_parse(const struct nlmsghdr *msg, size_t hdrlen, const struct nla_policy *pol,
	     unsigned maxtype, unsigned validate, const struct nlattr **tb, struct nl_ext_ack *ext)
{
	for (unsigned i = 0; i <= maxtype; i++)
		tb[i] = NULL;
	if (msg->nlmsg_len < NLMSG_LENGTH(hdrlen))
		return -EINVAL;
	const uint8_t *p = (const uint8_t *)msg + NLMSG_SPACE(hdrlen);
	long rem = (long)msg->nlmsg_len - (long)NLMSG_SPACE(hdrlen);
	while (rem >= (long)NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		if (a->nla_len < NLA_HDRLEN || a->nla_len > rem)
			break;
		unsigned type = a->nla_type & NLA_TYPE_MASK;
		if (type == 0 || type > maxtype) {
			if (validate & NL_VALIDATE_MAXTYPE) {
				ext->msg = "Unknown attribute type";
				ext->bad_attr = (uint32_t)(p - (const uint8_t *)msg);
				return -EINVAL;
			}
		} else {
			int err = check_attr(a, &pol[type]);
			if (err) {
				ext->msg = "Attribute failed policy validation";
				ext->bad_attr = (uint32_t)(p - (const uint8_t *)msg);
				return err;
			}
			tb[type] = a;
		}
		long step = (long)NLA_ALIGN((unsigned)a->nla_len);
		p += step < rem ? step : rem;
		rem -= step;
	}
	if (rem > 0 && (validate & NL_VALIDATE_TRAILING)) {
		ext->msg = "bytes leftover after parsing attributes";
		return -EINVAL;
	}
	return 0;
}

/* ---- the policies (6.1's ifla_policy, ifa_ipv4_policy, rtm_ipv4_policy, nda_policy) ---- */

static const struct nla_policy ifla_policy[IFLA_MAX + 1] = {
	[IFLA_IFNAME]         = { NLA_STRING, IFNAMSIZ_ - 1 },
	[IFLA_ADDRESS]        = { NLA_BINARY, MAX_ADDR_LEN },
	[IFLA_BROADCAST]      = { NLA_BINARY, MAX_ADDR_LEN },
	[IFLA_MAP]            = { NLA_UNSPEC, sizeof(struct rtnl_link_ifmap) },
	[IFLA_MTU]            = { NLA_U32, 0 },
	[IFLA_LINK]           = { NLA_U32, 0 },
	[IFLA_MASTER]         = { NLA_U32, 0 },
	[IFLA_CARRIER]        = { NLA_U8, 0 },
	[IFLA_TXQLEN]         = { NLA_U32, 0 },
	[IFLA_WEIGHT]         = { NLA_U32, 0 },
	[IFLA_OPERSTATE]      = { NLA_U8, 0 },
	[IFLA_LINKMODE]       = { NLA_U8, 0 },
	[IFLA_LINKINFO]       = { NLA_NESTED, 0 },
	[IFLA_NET_NS_PID]     = { NLA_U32, 0 },
	[IFLA_NET_NS_FD]      = { NLA_U32, 0 },
	[IFLA_IFALIAS]        = { NLA_BINARY, IFALIASZ - 1 },
	[IFLA_VFINFO_LIST]    = { NLA_NESTED, 0 },
	[IFLA_VF_PORTS]       = { NLA_NESTED, 0 },
	[IFLA_PORT_SELF]      = { NLA_NESTED, 0 },
	[IFLA_AF_SPEC]        = { NLA_NESTED, 0 },
	[IFLA_EXT_MASK]       = { NLA_U32, 0 },
	[IFLA_PROMISCUITY]    = { NLA_U32, 0 },
	[IFLA_NUM_TX_QUEUES]  = { NLA_U32, 0 },
	[IFLA_NUM_RX_QUEUES]  = { NLA_U32, 0 },
	[IFLA_GSO_MAX_SEGS]   = { NLA_U32, 0 },
	[IFLA_GSO_MAX_SIZE]   = { NLA_U32, 0 },
	[IFLA_PHYS_PORT_ID]   = { NLA_BINARY, MAX_ADDR_LEN },
	[IFLA_CARRIER_CHANGES] = { NLA_U32, 0 },
	[IFLA_PHYS_SWITCH_ID] = { NLA_BINARY, MAX_ADDR_LEN },
	[IFLA_LINK_NETNSID]   = { NLA_S32, 0 },
	[IFLA_PROTO_DOWN]     = { NLA_U8, 0 },
	[IFLA_XDP]            = { NLA_NESTED, 0 },
	[IFLA_EVENT]          = { NLA_U32, 0 },
	[IFLA_GROUP]          = { NLA_U32, 0 },
	[IFLA_TARGET_NETNSID] = { NLA_S32, 0 },
	[IFLA_CARRIER_UP_COUNT] = { NLA_REJECT, 0 },
	[IFLA_CARRIER_DOWN_COUNT] = { NLA_REJECT, 0 },
	[IFLA_MIN_MTU]        = { NLA_U32, 0 },
	[IFLA_MAX_MTU]        = { NLA_U32, 0 },
	[IFLA_PROP_LIST]      = { NLA_NESTED, 0 },
	[IFLA_ALT_IFNAME]     = { NLA_STRING, ALTIFNAMSIZ - 1 },
	[IFLA_PERM_ADDRESS]   = { NLA_REJECT, 0 },
	[IFLA_PROTO_DOWN_REASON] = { NLA_NESTED, 0 },
	[IFLA_NEW_IFINDEX]    = { NLA_S32, 0 },
	[IFLA_PARENT_DEV_NAME] = { NLA_NUL_STRING, 0 },
	[IFLA_GRO_MAX_SIZE]   = { NLA_U32, 0 },
	[IFLA_TSO_MAX_SIZE]   = { NLA_REJECT, 0 },
	[IFLA_TSO_MAX_SEGS]   = { NLA_REJECT, 0 },
};

static const struct nla_policy ifa_policy[IFA_MAX + 1] = {
	[IFA_LOCAL]          = { NLA_U32, 0 },
	[IFA_ADDRESS]        = { NLA_U32, 0 },
	[IFA_BROADCAST]      = { NLA_U32, 0 },
	[IFA_LABEL]          = { NLA_STRING, IFNAMSIZ_ - 1 },
	[IFA_CACHEINFO]      = { NLA_UNSPEC, sizeof(struct ifa_cacheinfo) },
	[IFA_FLAGS]          = { NLA_U32, 0 },
	[IFA_RT_PRIORITY]    = { NLA_U32, 0 },
	[IFA_TARGET_NETNSID] = { NLA_S32, 0 },
	[IFA_PROTO]          = { NLA_U8, 0 },
};

/* Linux's ifa_ipv6_policy: the addresses are 16 bytes at least. */
static const struct nla_policy ifa6_policy[IFA_MAX + 1] = {
	[IFA_LOCAL]          = { NLA_UNSPEC, 16 },
	[IFA_ADDRESS]        = { NLA_UNSPEC, 16 },
	[IFA_CACHEINFO]      = { NLA_UNSPEC, sizeof(struct ifa_cacheinfo) },
	[IFA_FLAGS]          = { NLA_U32, 0 },
	[IFA_RT_PRIORITY]    = { NLA_U32, 0 },
	[IFA_TARGET_NETNSID] = { NLA_S32, 0 },
	[IFA_PROTO]          = { NLA_U8, 0 },
};

static const struct nla_policy rtm_policy[RTA_MAX + 1] = {
	[RTA_DST]        = { NLA_U32, 0 },
	[RTA_SRC]        = { NLA_U32, 0 },
	[RTA_IIF]        = { NLA_U32, 0 },
	[RTA_OIF]        = { NLA_U32, 0 },
	[RTA_GATEWAY]    = { NLA_U32, 0 },
	[RTA_PRIORITY]   = { NLA_U32, 0 },
	[RTA_PREFSRC]    = { NLA_U32, 0 },
	[RTA_METRICS]    = { NLA_NESTED, 0 },
	[RTA_MULTIPATH]  = { NLA_UNSPEC, 8 },   /* struct rtnexthop */
	[RTA_FLOW]       = { NLA_U32, 0 },
	[RTA_ENCAP_TYPE] = { NLA_U16, 0 },
	[RTA_ENCAP]      = { NLA_NESTED, 0 },
	[RTA_UID]        = { NLA_U32, 0 },
	[RTA_MARK]       = { NLA_U32, 0 },
	[RTA_TABLE]      = { NLA_U32, 0 },
	[RTA_IP_PROTO]   = { NLA_U8, 0 },
	[RTA_SPORT]      = { NLA_U16, 0 },
	[RTA_DPORT]      = { NLA_U16, 0 },
	[RTA_NH_ID]      = { NLA_U32, 0 },
};

/* Linux's rtm_ipv6_policy: the addresses 16 bytes at least; RTA_DST has
 * none (rtm_to_fib6_config checks it against rtm_dst_len). */
static const struct nla_policy rtm6_policy[RTA_MAX + 1] = {
	[RTA_GATEWAY]    = { NLA_UNSPEC, 16 },
	[RTA_PREFSRC]    = { NLA_UNSPEC, 16 },
	[RTA_OIF]        = { NLA_U32, 0 },
	[RTA_IIF]        = { NLA_U32, 0 },
	[RTA_PRIORITY]   = { NLA_U32, 0 },
	[RTA_METRICS]    = { NLA_NESTED, 0 },
	[RTA_MULTIPATH]  = { NLA_UNSPEC, 8 },   /* struct rtnexthop */
	[RTA_PREF]       = { NLA_U8, 0 },
	[RTA_ENCAP_TYPE] = { NLA_U16, 0 },
	[RTA_ENCAP]      = { NLA_NESTED, 0 },
	[RTA_EXPIRES]    = { NLA_U32, 0 },
	[RTA_UID]        = { NLA_U32, 0 },
	[RTA_MARK]       = { NLA_U32, 0 },
	[RTA_TABLE]      = { NLA_U32, 0 },
	[RTA_IP_PROTO]   = { NLA_U8, 0 },
	[RTA_SPORT]      = { NLA_U16, 0 },
	[RTA_DPORT]      = { NLA_U16, 0 },
	[RTA_NH_ID]      = { NLA_U32, 0 },
};

static const struct nla_policy nda_policy[NDA_MAX + 1] = {
	[NDA_DST]       = { NLA_BINARY, MAX_ADDR_LEN },
	[NDA_LLADDR]    = { NLA_BINARY, MAX_ADDR_LEN },
	[NDA_CACHEINFO] = { NLA_UNSPEC, sizeof(struct nda_cacheinfo) },
	[NDA_PROBES]    = { NLA_U32, 0 },
	[5]             = { NLA_U16, 0 },   /* NDA_VLAN */
	[6]             = { NLA_U16, 0 },   /* NDA_PORT */
	[7]             = { NLA_U32, 0 },   /* NDA_VNI */
	[NDA_IFINDEX]   = { NLA_U32, 0 },
	[NDA_MASTER]    = { NLA_U32, 0 },
	[NDA_PROTOCOL]  = { NLA_U8, 0 },
	[13]            = { NLA_U32, 0 },   /* NDA_NH_ID */
	[14]            = { NLA_NESTED, 0 },/* NDA_FDB_EXT_ATTRS */
	[15]            = { NLA_U32, 0 },   /* NDA_FLAGS_EXT */
};

/* ---- requests ------------------------------------------------------------------------- */

int rtnl_classify(const struct nlmsghdr *h, bool strict, struct rtnl_req *req)
{
	memset(req, 0, sizeof(*req));
	if (h->nlmsg_type > RTM_MAX)
		return -EOPNOTSUPP;
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtgenmsg)))
		return 0; /* "all the messages must have at least 1 byte length" */
	req->nlh = h;
	req->family = ((const uint8_t *)h)[NLMSG_HDRLEN];
	req->strict = strict;
	req->dump = (h->nlmsg_type & RTM_KIND_MASK) == RTM_KIND_GET && (h->nlmsg_flags & NLM_F_DUMP);
	return 1;
}

/* The fixed header into req (the message is long enough: the caller checked). */
static void copy_hdr(struct rtnl_req *req, size_t len)
{
	memcpy(&req->hdr, (const uint8_t *)req->nlh + NLMSG_HDRLEN, len);
}

/* A strict dump request's header: at least len bytes. */
static int dump_hdr(struct rtnl_req *req, size_t len, const char *msg)
{
	if (req->nlh->nlmsg_len < NLMSG_LENGTH(len)) {
		req->ext.msg = msg;
		return -EINVAL;
	}
	copy_hdr(req, len);
	return 0;
}

/* Every attribute present is one of the allowed (a strict request's). */
static int only_attrs(struct rtnl_req *req, unsigned maxtype, const uint16_t *ok, size_t nok,
		      const char *msg)
{
	for (unsigned i = 0; i <= maxtype; i++) {
		bool allowed = false;
		for (size_t k = 0; k < nok; k++)
			allowed |= ok[k] == i;
		if (req->tb[i] && !allowed) {
			req->ext.msg = msg;
			return -EINVAL;
		}
	}
	return 0;
}

/* A doit's liberal parse (nlmsg_parse_deprecated) with its header. */
static int doit_parse(struct rtnl_req *req, size_t hdrlen, const struct nla_policy *pol, unsigned maxtype)
{
	int err = nl_parse(req->nlh, hdrlen, pol, maxtype, 0, req->tb, &req->ext);

	if (!err)
		copy_hdr(req, hdrlen);
	return err;
}

/* RTM_GETLINK dump (rtnl_valid_dump_ifinfo_req and rtnl_dump_ifinfo's
 * attribute loop). Without strict checking a short header is a
 * struct rtgenmsg and a parse error only drops the attributes. */
static int parse_link_dump(struct rtnl_req *req)
{
	static const uint16_t ok[] = { IFLA_TARGET_NETNSID, IFLA_EXT_MASK, IFLA_MASTER, IFLA_LINKINFO };
	int err;

	if (!req->strict) {
		size_t hdrlen = req->nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg))
					? sizeof(struct rtgenmsg) : sizeof(struct ifinfomsg);
		if (nl_parse(req->nlh, hdrlen, ifla_policy, IFLA_MAX, 0, req->tb, &req->ext))
			memset(req->tb, 0, sizeof(req->tb));
		req->ext = (struct nl_ext_ack){ 0 };
		return 0;
	}
	if ((err = dump_hdr(req, sizeof(struct ifinfomsg), "Invalid header for link dump")))
		return err;
	const struct ifinfomsg *ifm = &req->hdr.ifi;
	if (ifm->__ifi_pad || ifm->ifi_type || ifm->ifi_flags || ifm->ifi_change) {
		req->ext.msg = "Invalid values in header for link dump request";
		return -EINVAL;
	}
	if (ifm->ifi_index) {
		req->ext.msg = "Filter by device index not supported for link dumps";
		return -EINVAL;
	}
	err = nl_parse(req->nlh, sizeof(*ifm), ifla_policy, IFLA_MAX, NL_VALIDATE_DEPRECATED_STRICT,
		       req->tb, &req->ext);
	return err ? err : only_attrs(req, IFLA_MAX, ok, 4, "Unsupported attribute in link dump request");
}

/* RTM_GETLINK of one link (rtnl_valid_getlink_req). */
static int parse_link_get(struct rtnl_req *req)
{
	static const uint16_t ok[] = { IFLA_IFNAME, IFLA_ALT_IFNAME, IFLA_EXT_MASK, IFLA_TARGET_NETNSID };
	int err;

	if (req->nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg))) {
		req->ext.msg = "Invalid header for get link";
		return -EINVAL;
	}
	if (!req->strict)
		return doit_parse(req, sizeof(struct ifinfomsg), ifla_policy, IFLA_MAX);
	copy_hdr(req, sizeof(struct ifinfomsg));
	const struct ifinfomsg *ifm = &req->hdr.ifi;
	if (ifm->__ifi_pad || ifm->ifi_type || ifm->ifi_flags || ifm->ifi_change) {
		req->ext.msg = "Invalid values in header for get link request";
		return -EINVAL;
	}
	err = nl_parse(req->nlh, sizeof(*ifm), ifla_policy, IFLA_MAX, NL_VALIDATE_DEPRECATED_STRICT,
		       req->tb, &req->ext);
	return err ? err : only_attrs(req, IFLA_MAX, ok, 4, "Unsupported attribute in get link request");
}

/* RTM_GETADDR dump (inet_valid_dump_ifaddr_req; no check at all without
 * strict checking). */
static int parse_addr_dump(struct rtnl_req *req)
{
	static const uint16_t ok[] = { IFA_TARGET_NETNSID };
	int err;

	if (!req->strict) {
		if (req->nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifaddrmsg)))
			copy_hdr(req, sizeof(struct ifaddrmsg));
		req->hdr.ifa.ifa_index = 0; /* no filter without strict checking */
		return 0;
	}
	if ((err = dump_hdr(req, sizeof(struct ifaddrmsg), "ipv4: Invalid header for address dump request")))
		return err;
	const struct ifaddrmsg *ifm = &req->hdr.ifa;
	if (ifm->ifa_prefixlen || ifm->ifa_flags || ifm->ifa_scope) {
		req->ext.msg = "ipv4: Invalid values in header for address dump request";
		return -EINVAL;
	}
	err = nl_parse(req->nlh, sizeof(*ifm), ifa_policy, IFA_MAX, NL_VALIDATE_DEPRECATED_STRICT,
		       req->tb, &req->ext);
	return err ? err : only_attrs(req, IFA_MAX, ok, 1, "ipv4: Unsupported attribute in dump request");
}

/* RTM_GETROUTE dump (ip_valid_fib_dump_req; without strict checking only
 * the flags of a whole rtmsg count). */
static int parse_route_dump(struct rtnl_req *req)
{
	static const uint16_t ok[] = { RTA_TABLE, RTA_OIF };
	int err;

	if (!req->strict) {
		if (req->nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct rtmsg))) {
			copy_hdr(req, sizeof(struct rtmsg));
			uint32_t flags = req->hdr.rtm.rtm_flags & (RTM_F_PREFIX | RTM_F_CLONED);
			memset(&req->hdr.rtm, 0, sizeof(req->hdr.rtm));
			req->hdr.rtm.rtm_flags = flags;
		}
		return 0;
	}
	if ((err = dump_hdr(req, sizeof(struct rtmsg), "Invalid header for FIB dump request")))
		return err;
	const struct rtmsg *rtm = &req->hdr.rtm;
	if (rtm->rtm_dst_len || rtm->rtm_src_len || rtm->rtm_tos || rtm->rtm_scope) {
		req->ext.msg = "Invalid values in header for FIB dump request";
		return -EINVAL;
	}
	if (rtm->rtm_flags & ~(uint32_t)(RTM_F_CLONED | RTM_F_PREFIX)) {
		req->ext.msg = "Invalid flags for FIB dump request";
		return -EINVAL;
	}
	err = nl_parse(req->nlh, sizeof(*rtm), rtm_policy, RTA_MAX, NL_VALIDATE_DEPRECATED_STRICT,
		       req->tb, &req->ext);
	return err ? err : only_attrs(req, RTA_MAX, ok, 2, "Unsupported attribute in dump request");
}

/* RTM_GETROUTE of one destination (inet_rtm_valid_getroute_req). */
static int parse_route_get(struct rtnl_req *req)
{
	static const uint16_t ok[] = { RTA_IIF, RTA_OIF, RTA_SRC, RTA_DST, RTA_IP_PROTO, RTA_SPORT,
				       RTA_DPORT, RTA_MARK, RTA_UID };
	int err;

	if (req->nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg))) {
		req->ext.msg = "ipv4: Invalid header for route get request";
		return -EINVAL;
	}
	if (!req->strict)
		return doit_parse(req, sizeof(struct rtmsg), rtm_policy, RTA_MAX);
	copy_hdr(req, sizeof(struct rtmsg));
	const struct rtmsg *rtm = &req->hdr.rtm;
	if ((rtm->rtm_src_len && rtm->rtm_src_len != 32) || (rtm->rtm_dst_len && rtm->rtm_dst_len != 32) ||
	    rtm->rtm_table || rtm->rtm_protocol || rtm->rtm_scope || rtm->rtm_type) {
		req->ext.msg = "ipv4: Invalid values in header for route get request";
		return -EINVAL;
	}
	if (rtm->rtm_flags & ~(uint32_t)(RTM_F_NOTIFY | RTM_F_LOOKUP_TABLE | RTM_F_FIB_MATCH)) {
		req->ext.msg = "ipv4: Unsupported rtm_flags for route get request";
		return -EINVAL;
	}
	if ((err = nl_parse(req->nlh, sizeof(*rtm), rtm_policy, RTA_MAX, NL_VALIDATE_DEPRECATED_STRICT,
			    req->tb, &req->ext)))
		return err;
	if ((req->tb[RTA_SRC] && !rtm->rtm_src_len) || (req->tb[RTA_DST] && !rtm->rtm_dst_len)) {
		req->ext.msg = "ipv4: rtm_src_len and rtm_dst_len must be 32 for IPv4";
		return -EINVAL;
	}
	return only_attrs(req, RTA_MAX, ok, 9, "ipv4: Unsupported attribute in route get request");
}

/* RTM_GETROUTE of one IPv6 destination (inet6_rtm_valid_getroute_req; its
 * messages carry the module's name, NL_SET_ERR_MSG_MOD). */
static int parse_route6_get(struct rtnl_req *req)
{
	static const uint16_t ok[] = { RTA_SRC, RTA_DST, RTA_IIF, RTA_OIF, RTA_MARK, RTA_UID, RTA_SPORT,
				       RTA_DPORT, RTA_IP_PROTO };
	int err;

	if (req->nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg))) {
		req->ext.msg = "ipv6: Invalid header for get route request";
		return -EINVAL;
	}
	if (!req->strict)
		return doit_parse(req, sizeof(struct rtmsg), rtm6_policy, RTA_MAX);
	copy_hdr(req, sizeof(struct rtmsg));
	const struct rtmsg *rtm = &req->hdr.rtm;
	if ((rtm->rtm_src_len && rtm->rtm_src_len != 128) || (rtm->rtm_dst_len && rtm->rtm_dst_len != 128) ||
	    rtm->rtm_table || rtm->rtm_protocol || rtm->rtm_scope || rtm->rtm_type) {
		req->ext.msg = "ipv6: Invalid values in header for get route request";
		return -EINVAL;
	}
	if (rtm->rtm_flags & ~(uint32_t)RTM_F_FIB_MATCH) {
		req->ext.msg = "ipv6: Invalid flags for get route request";
		return -EINVAL;
	}
	if ((err = nl_parse(req->nlh, sizeof(*rtm), rtm6_policy, RTA_MAX, NL_VALIDATE_DEPRECATED_STRICT,
			    req->tb, &req->ext)))
		return err;
	if ((req->tb[RTA_SRC] && !rtm->rtm_src_len) || (req->tb[RTA_DST] && !rtm->rtm_dst_len)) {
		req->ext.msg = "ipv6: rtm_src_len and rtm_dst_len must be 128 for IPv6";
		return -EINVAL;
	}
	return only_attrs(req, RTA_MAX, ok, 9, "ipv6: Unsupported attribute in get route request");
}

/* RTM_NEWROUTE and RTM_DELROUTE (rtm_to_fib_config's checks). */
static int parse_route_change(struct rtnl_req *req)
{
	int err = doit_parse(req, sizeof(struct rtmsg), rtm_policy, RTA_MAX);

	if (err)
		return err;
	if (req->hdr.rtm.rtm_tos & 3) {
		req->ext.msg = "Invalid dsfield (tos): ECN bits must be 0";
		return -EINVAL;
	}
	if (req->hdr.rtm.rtm_type > RTN_MAX) {
		req->ext.msg = "Invalid route type";
		return -EINVAL;
	}
	return 0;
}

/* RTM_GETNEIGH dump (neigh_valid_dump_req): filters by NDA_IFINDEX and
 * NDA_MASTER; a parse error counts only with strict checking. */
static int parse_neigh_dump(struct rtnl_req *req)
{
	static const uint16_t ok[] = { NDA_IFINDEX, NDA_MASTER };
	int err;

	if (!req->strict) {
		if (nl_parse(req->nlh, sizeof(struct ndmsg), nda_policy, NDA_MAX, 0, req->tb, &req->ext))
			memset(req->tb, 0, sizeof(req->tb));
		else
			copy_hdr(req, sizeof(struct ndmsg));
		req->ext = (struct nl_ext_ack){ 0 };
		return 0;
	}
	if ((err = dump_hdr(req, sizeof(struct ndmsg), "Invalid header for neighbor dump request")))
		return err;
	const struct ndmsg *ndm = &req->hdr.ndm;
	if (ndm->ndm_pad1 || ndm->ndm_pad2 || ndm->ndm_ifindex || ndm->ndm_state || ndm->ndm_type) {
		req->ext.msg = "Invalid values in header for neighbor dump request";
		return -EINVAL;
	}
	if (ndm->ndm_flags & ~NTF_PROXY) {
		req->ext.msg = "Invalid flags in header for neighbor dump request";
		return -EINVAL;
	}
	err = nl_parse(req->nlh, sizeof(*ndm), nda_policy, NDA_MAX, NL_VALIDATE_DEPRECATED_STRICT,
		       req->tb, &req->ext);
	return err ? err : only_attrs(req, NDA_MAX, ok, 2, "Unsupported attribute in neighbor dump request");
}

/* The dumps: which family's handler answers (Linux falls back to the
 * PF_UNSPEC one when a family has none). */
static int parse_dump(struct rtnl_req *req)
{
	switch (req->nlh->nlmsg_type) {
	case RTM_GETLINK:  return parse_link_dump(req);
	case RTM_GETADDR:  return parse_addr_dump(req);
	case RTM_GETROUTE: return parse_route_dump(req);
	case RTM_GETNEIGH: return parse_neigh_dump(req);
	default:           return -EOPNOTSUPP;
	}
}

int rtnl_parse(struct rtnl_req *req)
{
	if (req->dump)
		return parse_dump(req);
	bool inet = req->family == AF_INET;
	switch (req->nlh->nlmsg_type) {
	case RTM_GETLINK:
		return parse_link_get(req);
	case RTM_NEWLINK: case RTM_SETLINK: case RTM_DELLINK:
		return doit_parse(req, sizeof(struct ifinfomsg), ifla_policy, IFLA_MAX);
	case RTM_NEWADDR: case RTM_DELADDR:
		if (req->family == AF_INET6)
			return doit_parse(req, sizeof(struct ifaddrmsg), ifa6_policy, IFA_MAX);
		return inet ? doit_parse(req, sizeof(struct ifaddrmsg), ifa_policy, IFA_MAX) : -EOPNOTSUPP;
	case RTM_GETROUTE:
		if (req->family == AF_INET6)
			return parse_route6_get(req);
		return inet ? parse_route_get(req) : -EOPNOTSUPP;
	case RTM_NEWROUTE: case RTM_DELROUTE:
		if (req->family == AF_INET6) /* inet6_rtm_newroute's nlmsg_parse_deprecated */
			return doit_parse(req, sizeof(struct rtmsg), rtm6_policy, RTA_MAX);
		return inet ? parse_route_change(req) : -EOPNOTSUPP;
	case RTM_NEWNEIGH: case RTM_DELNEIGH:
		return doit_parse(req, sizeof(struct ndmsg), nda_policy, NDA_MAX);
	default:
		return -EOPNOTSUPP;
	}
}

/* ---- answers -------------------------------------------------------------------------- */

/* IFLA_STATS: the 64-bit counters cut to 32 (Linux's copy_rtnl_link_stats). */
static struct rtnl_link_stats stats32(const struct rtnl_link_stats64 *s)
{
	const uint64_t *in = (const uint64_t *)s;
	struct rtnl_link_stats out;
	uint32_t *o = (uint32_t *)&out;

	for (size_t i = 0; i < sizeof(out) / sizeof(*o); i++)
		o[i] = (uint32_t)in[i];
	return out;
}

/* rtnl_fill_ifinfo's attributes after the counts, up to the statistics. */
static int link_addrs_stats(struct nl_buf *b, const struct rtnl_link_info *l, uint32_t ext_mask)
{
	static const uint8_t zero[ETH_ALEN_];
	struct rtnl_link_ifmap map = { 0 };
	struct rtnl_link_stats st = stats32(&l->stats);

	if (nl_put(b, IFLA_MAP, &map, sizeof(map)) || nl_put(b, IFLA_ADDRESS, l->addr, ETH_ALEN_) ||
	    nl_put(b, IFLA_BROADCAST, l->brd, ETH_ALEN_))
		return -EMSGSIZE;
	if (!(ext_mask & RTEXT_FILTER_SKIP_STATS) &&
	    (nl_put(b, IFLA_STATS64, &l->stats, sizeof(l->stats)) || nl_put(b, IFLA_STATS, &st, sizeof(st))))
		return -EMSGSIZE;
	long xdp = nl_nest_begin(b, IFLA_XDP);
	if (xdp < 0 || nl_put_u8(b, IFLA_XDP_ATTACHED, 0))
		return -EMSGSIZE;
	nl_nest_end(b, xdp);
	if (memcmp(l->perm, zero, sizeof(zero)) && nl_put(b, IFLA_PERM_ADDRESS, l->perm, ETH_ALEN_))
		return -EMSGSIZE;
	if (l->parent && (nl_put_string(b, IFLA_PARENT_DEV_NAME, l->parent) ||
			  nl_put_string(b, IFLA_PARENT_DEV_BUS_NAME, l->parent_bus)))
		return -EMSGSIZE;
	return 0;
}

/* The queue and offload figures Linux gives every device (one queue). */
#define LINK_GSO_MAX_SEGS 65535
#define LINK_GSO_MAX_SIZE 65536
#define LINK_TSO_MAX_SIZE 524280

/* rtnl_fill_ifinfo's attributes, in its order. */
static int link_attrs(struct nl_buf *b, const struct rtnl_link_info *l, uint32_t ext_mask)
{
	if (nl_put_string(b, IFLA_IFNAME, l->name) || nl_put_u32(b, IFLA_TXQLEN, l->txqlen) ||
	    nl_put_u8(b, IFLA_OPERSTATE, l->operstate) || nl_put_u8(b, IFLA_LINKMODE, IF_LINK_MODE_DEFAULT) ||
	    nl_put_u32(b, IFLA_MTU, l->mtu) || nl_put_u32(b, IFLA_MIN_MTU, l->min_mtu) ||
	    nl_put_u32(b, IFLA_MAX_MTU, l->max_mtu) || nl_put_u32(b, IFLA_GROUP, 0) ||
	    nl_put_u32(b, IFLA_PROMISCUITY, 0) || nl_put_u32(b, IFLA_NUM_TX_QUEUES, 1) ||
	    nl_put_u32(b, IFLA_GSO_MAX_SEGS, LINK_GSO_MAX_SEGS) ||
	    nl_put_u32(b, IFLA_GSO_MAX_SIZE, LINK_GSO_MAX_SIZE) ||
	    nl_put_u32(b, IFLA_GRO_MAX_SIZE, LINK_GSO_MAX_SIZE) ||
	    nl_put_u32(b, IFLA_TSO_MAX_SIZE, LINK_TSO_MAX_SIZE) ||
	    nl_put_u32(b, IFLA_TSO_MAX_SEGS, LINK_GSO_MAX_SEGS) || nl_put_u32(b, IFLA_NUM_RX_QUEUES, 1) ||
	    nl_put_u8(b, IFLA_CARRIER, l->carrier) || nl_put_string(b, IFLA_QDISC, l->qdisc) ||
	    nl_put_u32(b, IFLA_CARRIER_CHANGES, l->carrier_up + l->carrier_down) ||
	    nl_put_u32(b, IFLA_CARRIER_UP_COUNT, l->carrier_up) ||
	    nl_put_u32(b, IFLA_CARRIER_DOWN_COUNT, l->carrier_down) || nl_put_u8(b, IFLA_PROTO_DOWN, 0))
		return -EMSGSIZE;
	return link_addrs_stats(b, l, ext_mask);
}

int rtnl_fill_link(struct nl_buf *b, const struct rtnl_link_info *l, uint16_t flags, uint32_t seq,
		   uint32_t pid, uint32_t ext_mask)
{
	size_t mark = b->len;
	long off = nl_msg_begin(b, RTM_NEWLINK, flags, seq, pid, sizeof(struct ifinfomsg));

	if (off < 0)
		return -EMSGSIZE;
	struct ifinfomsg ifm = { .ifi_family = 0, .ifi_type = l->type, .ifi_index = l->ifindex,
				 .ifi_flags = l->flags };
	memcpy(nl_msg_fixed(b, off), &ifm, sizeof(ifm));
	if (link_attrs(b, l, ext_mask)) {
		b->len = mark;
		return -EMSGSIZE;
	}
	nl_msg_end(b, off);
	return 0;
}

static int put_in_addr(struct nl_buf *b, uint16_t type, uint32_t host_order)
{
	return nl_put_u32(b, type, be32(host_order));
}

int rtnl_fill_addr(struct nl_buf *b, const struct rtnl_addr_info *a, uint16_t flags, uint32_t seq,
		   uint32_t pid)
{
	size_t mark = b->len;
	long off = nl_msg_begin(b, RTM_NEWADDR, flags, seq, pid, sizeof(struct ifaddrmsg));

	if (off < 0)
		return -EMSGSIZE;
	struct ifaddrmsg ifm = { AF_INET, a->prefix, (uint8_t)a->flags, a->scope, (uint32_t)a->ifindex };
	struct ifa_cacheinfo ci = { INFINITY_LIFE_TIME, INFINITY_LIFE_TIME, a->cstamp, a->tstamp };
	memcpy(nl_msg_fixed(b, off), &ifm, sizeof(ifm));
	if ((a->local && (put_in_addr(b, IFA_ADDRESS, a->local) || put_in_addr(b, IFA_LOCAL, a->local))) ||
	    (a->bcast && put_in_addr(b, IFA_BROADCAST, a->bcast)) ||
	    (a->label[0] && nl_put_string(b, IFA_LABEL, a->label)) ||
	    nl_put_u32(b, IFA_FLAGS, a->flags) || nl_put(b, IFA_CACHEINFO, &ci, sizeof(ci))) {
		b->len = mark;
		return -EMSGSIZE;
	}
	nl_msg_end(b, off);
	return 0;
}

/* rtnetlink_put_metrics of a lookup's route: RTA_METRICS with the path
 * MTU (and its lock) when the cache has one, nothing otherwise. */
static int route_metrics(struct nl_buf *b, const struct rtnl_route_info *r)
{
	if (!r->pmtu)
		return 0;
	long nest = nl_nest_begin(b, RTA_METRICS);
	if (nest < 0 || (r->pmtu_locked && nl_put_u32(b, RTAX_LOCK, 1u << RTAX_MTU)) ||
	    nl_put_u32(b, RTAX_MTU, r->pmtu))
		return -EMSGSIZE;
	nl_nest_end(b, nest);
	return 0;
}

/* rt_fill_info's tail of a lookup: the metrics, the uid and the cache's
 * figures (rta_expires: the path MTU entry's time left). */
static int route_cloned_attrs(struct nl_buf *b, const struct rtnl_route_info *r)
{
	struct rta_cacheinfo ci = { .rta_expires = r->expires };

	return route_metrics(b, r) || nl_put_u32(b, RTA_UID, r->uid) ||
	       nl_put(b, RTA_CACHEINFO, &ci, sizeof(ci)) ? -EMSGSIZE : 0;
}

/* fib_dump_info's (or, cloned, rt_fill_info's) attributes in their order. */
static int route_attrs(struct nl_buf *b, const struct rtnl_route_info *r)
{
	if (nl_put_u32(b, RTA_TABLE, r->table))
		return -EMSGSIZE;
	if (r->cloned) {
		if (put_in_addr(b, RTA_DST, r->dst) || (r->src && put_in_addr(b, RTA_SRC, r->src)) ||
		    (r->oif && nl_put_u32(b, RTA_OIF, (uint32_t)r->oif)) ||
		    (r->prefsrc && put_in_addr(b, RTA_PREFSRC, r->prefsrc)) ||
		    (r->gateway && put_in_addr(b, RTA_GATEWAY, r->gateway)))
			return -EMSGSIZE;
		return route_cloned_attrs(b, r);
	}
	if ((r->dst_len && put_in_addr(b, RTA_DST, r->dst)) ||
	    (r->priority && nl_put_u32(b, RTA_PRIORITY, r->priority)) ||
	    (r->prefsrc && put_in_addr(b, RTA_PREFSRC, r->prefsrc)) ||
	    (r->gateway && put_in_addr(b, RTA_GATEWAY, r->gateway)) ||
	    (r->oif && nl_put_u32(b, RTA_OIF, (uint32_t)r->oif)))
		return -EMSGSIZE;
	return 0;
}

int rtnl_fill_route(struct nl_buf *b, const struct rtnl_route_info *r, uint16_t flags, uint32_t seq,
		    uint32_t pid)
{
	size_t mark = b->len;
	long off = nl_msg_begin(b, RTM_NEWROUTE, flags, seq, pid, sizeof(struct rtmsg));

	if (off < 0)
		return -EMSGSIZE;
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = r->dst_len,
			     .rtm_src_len = r->src ? 32 : 0,
			     .rtm_table = (uint8_t)(r->table < 256 ? r->table : RT_TABLE_COMPAT),
			     .rtm_protocol = r->protocol, .rtm_scope = r->scope, .rtm_type = r->type,
			     .rtm_flags = r->flags };
	memcpy(nl_msg_fixed(b, off), &rtm, sizeof(rtm));
	if (route_attrs(b, r)) {
		b->len = mark;
		return -EMSGSIZE;
	}
	nl_msg_end(b, off);
	return 0;
}

int rtnl_fill_addr6(struct nl_buf *b, const struct rtnl_addr6_info *a, uint16_t flags, uint32_t seq,
		    uint32_t pid)
{
	size_t mark = b->len;
	long off = nl_msg_begin(b, RTM_NEWADDR, flags, seq, pid, sizeof(struct ifaddrmsg));

	if (off < 0)
		return -EMSGSIZE;
	struct ifaddrmsg ifm = { AF_INET6, a->prefix, (uint8_t)a->flags, a->scope, (uint32_t)a->ifindex };
	struct ifa_cacheinfo ci = { a->preferred_s, a->valid_s, a->cstamp, a->tstamp };
	memcpy(nl_msg_fixed(b, off), &ifm, sizeof(ifm));
	if (nl_put(b, IFA_ADDRESS, a->addr, sizeof(a->addr)) || nl_put(b, IFA_CACHEINFO, &ci, sizeof(ci)) ||
	    nl_put_u32(b, IFA_FLAGS, a->flags)) {
		b->len = mark;
		return -EMSGSIZE;
	}
	nl_msg_end(b, off);
	return 0;
}

int rtnl_fill_route6(struct nl_buf *b, const struct rtnl_route6_info *r, uint16_t flags, uint32_t seq,
		     uint32_t pid)
{
	size_t mark = b->len;
	long off = nl_msg_begin(b, RTM_NEWROUTE, flags, seq, pid, sizeof(struct rtmsg));

	if (off < 0)
		return -EMSGSIZE;
	uint8_t table = r->table ? r->table : RT_TABLE_MAIN;
	struct rtmsg rtm = { .rtm_family = AF_INET6, .rtm_dst_len = r->dst_len, .rtm_src_len = r->lookup ? 128 : 0,
			     .rtm_table = table, .rtm_protocol = r->protocol, .rtm_scope = RT_SCOPE_UNIVERSE,
			     .rtm_type = r->type ? r->type : RTN_UNICAST };
	struct rta_cacheinfo ci = { .rta_expires = r->expires_cs };
	uint8_t pref = 0;
	memcpy(nl_msg_fixed(b, off), &rtm, sizeof(rtm));
	if (nl_put_u32(b, RTA_TABLE, table) ||
	    (r->dst_len && nl_put(b, RTA_DST, r->dst, sizeof(r->dst))) ||
	    (r->lookup && (nl_put(b, RTA_SRC, r->src, sizeof(r->src)) ||
			   nl_put(b, RTA_PREFSRC, r->prefsrc, sizeof(r->prefsrc)))) ||
	    (r->has_gateway && nl_put(b, RTA_GATEWAY, r->gateway, sizeof(r->gateway))) ||
	    nl_put_u32(b, RTA_OIF, (uint32_t)r->oif) || nl_put_u32(b, RTA_PRIORITY, r->priority) ||
	    nl_put(b, RTA_CACHEINFO, &ci, sizeof(ci)) || nl_put(b, RTA_PREF, &pref, sizeof(pref))) {
		b->len = mark;
		return -EMSGSIZE;
	}
	nl_msg_end(b, off);
	return 0;
}

#define NTF_ROUTER_ 0x80   /* ndm_flags: the neighbour is a router (IPv6) */

int rtnl_fill_neigh(struct nl_buf *b, const struct rtnl_neigh_info *n, uint16_t flags, uint32_t seq,
		    uint32_t pid)
{
	size_t mark = b->len;
	long off = nl_msg_begin(b, RTM_NEWNEIGH, flags, seq, pid, sizeof(struct ndmsg));

	if (off < 0)
		return -EMSGSIZE;
	struct ndmsg ndm = { .ndm_family = n->v6 ? AF_INET6 : AF_INET, .ndm_ifindex = n->ifindex,
			     .ndm_state = n->state, .ndm_flags = n->router ? NTF_ROUTER_ : 0, .ndm_type = RTN_UNICAST };
	struct nda_cacheinfo ci = { 0 };
	memcpy(nl_msg_fixed(b, off), &ndm, sizeof(ndm));
	if ((n->v6 ? nl_put(b, NDA_DST, n->dst6, sizeof(n->dst6)) : put_in_addr(b, NDA_DST, n->dst)) ||
	    ((n->state & NUD_VALID) && nl_put(b, NDA_LLADDR, n->lladdr, ETH_ALEN_)) ||
	    nl_put_u32(b, NDA_PROBES, 0) || nl_put(b, NDA_CACHEINFO, &ci, sizeof(ci))) {
		b->len = mark;
		return -EMSGSIZE;
	}
	nl_msg_end(b, off);
	return 0;
}
