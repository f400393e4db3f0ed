// SPDX-License-Identifier: MIT
/*
 * Unit tests of kernel/net/rtnetlink.c, NETLINK_ROUTE's messages without
 * the stack: splitting a send into messages, attribute parsing with
 * Linux 6.1's policies (liberal and strict), each request type's checks,
 * and the answers' layout (an address message byte for byte as Linux 6.1
 * builds 127.0.0.1 on lo, acknowledgments, NLMSG_DONE, a full buffer).
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "net/rtnetlink.h"
#include "lib/errno.h"
#include "uapi/in.h"

#define AF_PACKET_FAMILY 17 /* the family getifaddrs dumps links with */

/* A request being built in an aligned buffer. */
struct req {
	union {
		uint8_t b[512];
		struct nlmsghdr h;
	};
	size_t len;
};

static void req_init(struct req *r, uint16_t type, uint16_t flags, const void *fixed, size_t flen)
{
	memset(r, 0, sizeof(*r));
	r->h = (struct nlmsghdr){ (uint32_t)(NLMSG_HDRLEN + flen), type, flags, 7, 0 };
	memcpy(r->b + NLMSG_HDRLEN, fixed, flen);
	r->len = NLMSG_SPACE(flen);
}

static void req_attr(struct req *r, uint16_t type, const void *data, size_t n)
{
	struct nlattr a = { (uint16_t)(NLA_HDRLEN + n), type };

	memcpy(r->b + r->len, &a, sizeof(a));
	memcpy(r->b + r->len + NLA_HDRLEN, data, n);
	r->len += NLA_ALIGN(NLA_HDRLEN + n);
	r->h.nlmsg_len = (uint32_t)r->len;
}

/* Classify and parse r as a socket with strict checking or not would. */
static int parse(struct req *r, bool strict, struct rtnl_req *out)
{
	int c = rtnl_classify(&r->h, strict, out);

	return c <= 0 ? c - 1000 : rtnl_parse(out);
}

/* ---- messages of a send ----------------------------------------------------------- */

UNIT_TEST(msg_next_splits_and_stops)
{
	union { uint8_t b[64]; uint32_t align; } u = { { 0 } };
	struct nlmsghdr h = { 17, 18, 1, 1, 0 };
	const struct nlmsghdr *m;
	size_t off = 0;

	memcpy(u.b, &h, sizeof(h));
	h.nlmsg_len = 16;
	memcpy(u.b + 20, &h, sizeof(h));          /* the second after 17 aligned to 20 */
	h.nlmsg_len = 40;                         /* a third that lies about its length */
	memcpy(u.b + 36, &h, sizeof(h));
	CHECK(nl_msg_next(u.b, 64, &off, &m) && m == (void *)u.b && off == 20);
	CHECK(nl_msg_next(u.b, 64, &off, &m) && off == 36);
	CHECK(!nl_msg_next(u.b, 64, &off, &m));
	off = 0;
	h.nlmsg_len = 15;                         /* shorter than a header */
	memcpy(u.b, &h, sizeof(h));
	CHECK(!nl_msg_next(u.b, 64, &off, &m));
	off = 0;
	CHECK(!nl_msg_next(u.b, 15, &off, &m));   /* a send shorter than a header */
	return NULL;
}

/* ---- attributes ---------------------------------------------------------------------- */

UNIT_TEST(parse_liberal_and_strict)
{
	struct req r;
	struct rtnl_req q;
	struct ifinfomsg ifi = { .ifi_index = 1 };
	uint32_t mtu = 1400;

	req_init(&r, RTM_SETLINK, NLM_F_REQUEST, &ifi, sizeof(ifi));
	req_attr(&r, IFLA_MTU, &mtu, 4);
	req_attr(&r, 200, "x", 1);                /* beyond IFLA_MAX: ignored by a doit */
	CHECK_EQ(parse(&r, false, &q), 0);
	CHECK(q.tb[IFLA_MTU] && nla_get_u32(q.tb[IFLA_MTU]) == 1400);
	CHECK_EQ(q.hdr.ifi.ifi_index, 1);
	r.b[r.len] = 0xff;                        /* trailing bytes: ignored */
	r.h.nlmsg_len += 3;
	CHECK_EQ(parse(&r, false, &q), 0);
	return NULL;
}

UNIT_TEST(parse_value_too_short_is_erange)
{
	struct req r;
	struct rtnl_req q;
	struct ifinfomsg ifi = { .ifi_index = 1 };
	uint16_t mtu = 1;

	req_init(&r, RTM_SETLINK, NLM_F_REQUEST, &ifi, sizeof(ifi));
	req_attr(&r, IFLA_MTU, &mtu, 2);
	CHECK_EQ(parse(&r, false, &q), -ERANGE);
	CHECK(q.ext.bad_attr == NLMSG_SPACE(sizeof(ifi)));
	req_init(&r, RTM_SETLINK, NLM_F_REQUEST, &ifi, sizeof(ifi));
	req_attr(&r, IFLA_IFNAME, "a-name-of-16-chr", 16); /* no NUL, 16 > IFNAMSIZ - 1 */
	CHECK_EQ(parse(&r, false, &q), -ERANGE);
	req_init(&r, RTM_SETLINK, NLM_F_REQUEST, &ifi, sizeof(ifi));
	req_attr(&r, IFLA_IFNAME, "fifteen-chars-x", 16);  /* 15 and a NUL */
	CHECK_EQ(parse(&r, false, &q), 0);
	req_init(&r, RTM_SETLINK, NLM_F_REQUEST, &ifi, sizeof(ifi));
	req_attr(&r, IFLA_PERM_ADDRESS, "abcdef", 6);     /* NLA_REJECT */
	CHECK_EQ(parse(&r, false, &q), -EINVAL);
	return NULL;
}

UNIT_TEST(parse_lying_attribute_ends_the_list)
{
	struct req r;
	struct rtnl_req q;
	struct ifinfomsg ifi = { 0 };
	struct nlattr liar = { 200, IFLA_MTU };

	req_init(&r, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof(ifi));
	req_attr(&r, IFLA_IFNAME, "lo", 3);
	memcpy(r.b + r.len, &liar, sizeof(liar));
	r.len += 8;
	r.h.nlmsg_len = (uint32_t)r.len;
	CHECK_EQ(parse(&r, false, &q), 0);         /* liberal: a warning on Linux */
	CHECK(q.tb[IFLA_IFNAME] && !q.tb[IFLA_MTU]);
	CHECK_EQ(parse(&r, true, &q), -EINVAL);    /* strict: trailing bytes */
	return NULL;
}

/* ---- requests ---------------------------------------------------------------------------- */

UNIT_TEST(classify)
{
	struct req r;
	struct rtnl_req q;
	uint8_t fam = AF_INET;

	req_init(&r, RTM_MAX + 1, NLM_F_REQUEST, &fam, 1);
	CHECK_EQ(rtnl_classify(&r.h, false, &q), -EOPNOTSUPP);
	req_init(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &fam, 0);
	CHECK_EQ(rtnl_classify(&r.h, false, &q), 0); /* no family byte: nothing but an ack */
	req_init(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ROOT, &fam, 1);
	CHECK_EQ(rtnl_classify(&r.h, false, &q), 1);
	CHECK(q.dump && q.family == AF_INET);      /* either bit of NLM_F_DUMP makes a dump */
	req_init(&r, RTM_NEWADDR, NLM_F_REQUEST | NLM_F_DUMP, &fam, 1);
	CHECK_EQ(rtnl_classify(&r.h, false, &q), 1);
	CHECK(!q.dump);                            /* only a GET dumps */
	return NULL;
}

UNIT_TEST(link_requests)
{
	struct req r;
	struct rtnl_req q;
	uint8_t fam = AF_PACKET_FAMILY;
	struct ifinfomsg ifi = { .ifi_index = 1 };
	uint32_t mask = RTEXT_FILTER_VF;

	req_init(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &fam, 1);   /* getifaddrs */
	CHECK_EQ(parse(&r, false, &q), 0);
	CHECK_EQ(parse(&r, true, &q), -EINVAL);    /* strict: the header is an ifinfomsg */
	req_init(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &ifi, sizeof(ifi));
	CHECK_EQ(parse(&r, true, &q), -EINVAL);    /* strict: no filter by index */
	CHECK_STR(q.ext.msg, "Filter by device index not supported for link dumps");
	ifi.ifi_index = 0;
	req_init(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &ifi, sizeof(ifi));
	req_attr(&r, IFLA_EXT_MASK, &mask, 4);    /* iproute2's */
	CHECK_EQ(parse(&r, true, &q), 0);
	req_attr(&r, IFLA_MTU, &mask, 4);
	CHECK_EQ(parse(&r, true, &q), -EINVAL);    /* not a dump's attribute */
	CHECK_EQ(parse(&r, false, &q), 0);
	req_init(&r, RTM_GETLINK, NLM_F_REQUEST, &ifi, 1);
	CHECK_EQ(parse(&r, false, &q), -EINVAL);   /* one link: a whole ifinfomsg */
	return NULL;
}

UNIT_TEST(addr_and_route_requests)
{
	struct req r;
	struct rtnl_req q;
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_index = 1 };
	struct rtmsg rtm = { .rtm_family = AF_INET };
	uint32_t dst = 0x0100007f;

	req_init(&r, RTM_GETADDR, NLM_F_REQUEST, &ifa, sizeof(ifa));
	CHECK_EQ(parse(&r, false, &q), -EOPNOTSUPP); /* no IPv4 doit */
	ifa.ifa_family = AF_INET6;                   /* IPv6's: 16-byte addresses (ifa_ipv6_policy) */
	req_init(&r, RTM_NEWADDR, NLM_F_REQUEST, &ifa, sizeof(ifa));
	req_attr(&r, IFA_LOCAL, &dst, 4);
	CHECK_EQ(parse(&r, false, &q), -ERANGE);     /* too short, as Linux's validate_nla says */
	uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 5 };
	req_init(&r, RTM_NEWADDR, NLM_F_REQUEST, &ifa, sizeof(ifa));
	req_attr(&r, IFA_LOCAL, a6, sizeof(a6));
	CHECK_EQ(parse(&r, false, &q), 0);
	ifa.ifa_family = 17;                         /* AF_PACKET: no address doit */
	req_init(&r, RTM_NEWADDR, NLM_F_REQUEST, &ifa, sizeof(ifa));
	CHECK_EQ(parse(&r, false, &q), -EOPNOTSUPP);
	ifa.ifa_family = AF_INET;
	ifa.ifa_prefixlen = 8;
	req_init(&r, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, &ifa, sizeof(ifa));
	CHECK_EQ(parse(&r, true, &q), -EINVAL);    /* strict: no prefix length in a dump */
	CHECK_EQ(parse(&r, false, &q), 0);
	req_init(&r, RTM_GETROUTE, NLM_F_REQUEST, &rtm, sizeof(rtm));
	req_attr(&r, RTA_DST, &dst, 4);
	CHECK_EQ(parse(&r, true, &q), -EINVAL);    /* RTA_DST needs rtm_dst_len 32 */
	rtm.rtm_dst_len = 32;
	req_init(&r, RTM_GETROUTE, NLM_F_REQUEST, &rtm, sizeof(rtm));
	req_attr(&r, RTA_DST, &dst, 4);
	CHECK_EQ(parse(&r, true, &q), 0);
	req_attr(&r, RTA_GATEWAY, &dst, 4);
	CHECK_EQ(parse(&r, true, &q), -EINVAL);
	rtm.rtm_tos = 1;
	req_init(&r, RTM_NEWROUTE, NLM_F_REQUEST, &rtm, sizeof(rtm));
	CHECK_EQ(parse(&r, false, &q), -EINVAL);   /* ECN bits */
	return NULL;
}

/* ---- answers ------------------------------------------------------------------------------ */

/* Linux 6.1's RTM_NEWADDR of 127.0.0.1/8 on lo in a dump (seq 1, port
 * 0x4a5d), captured, with its cache stamps 0x1b. */
static const uint8_t linux_lo_addr[76] = {
	0x4c, 0, 0, 0, 0x14, 0, 0x02, 0, 0x01, 0, 0, 0, 0x5d, 0x4a, 0, 0,
	0x02, 0x08, 0x80, 0xfe, 0x01, 0, 0, 0,
	0x08, 0, 0x01, 0, 0x7f, 0, 0, 0x01, 0x08, 0, 0x02, 0, 0x7f, 0, 0, 0x01,
	0x07, 0, 0x03, 0, 'l', 'o', 0, 0, 0x08, 0, 0x08, 0, 0x80, 0, 0, 0,
	0x14, 0, 0x06, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1b, 0, 0, 0, 0x1b, 0, 0, 0,
};

UNIT_TEST(addr_message_matches_linux)
{
	uint8_t buf[128];
	struct nl_buf b = { buf, 0, sizeof(buf) };
	struct rtnl_addr_info a = { 1, 0x7f000001, 0, 8, 254, IFA_F_PERMANENT, "lo", 0x1b, 0x1b };

	CHECK_EQ(rtnl_fill_addr(&b, &a, NLM_F_MULTI, 1, 0x4a5d), 0);
	CHECK_EQ(b.len, sizeof(linux_lo_addr));
	CHECK(memcmp(buf, linux_lo_addr, sizeof(linux_lo_addr)) == 0);
	b.len = 0;
	b.cap = 60;                                  /* too small: nothing written */
	CHECK_EQ(rtnl_fill_addr(&b, &a, NLM_F_MULTI, 1, 0x4a5d), -EMSGSIZE);
	CHECK_EQ(b.len, 0);
	return NULL;
}

UNIT_TEST(link_message_layout)
{
	static uint8_t buf[2048];
	struct nl_buf b = { buf, 0, sizeof(buf) };
	struct rtnl_link_info l = { .ifindex = 1, .type = 772, .flags = 0x10049, .name = "lo",
				    .qdisc = "noqueue", .mtu = 65536, .txqlen = 1000 };
	struct nlmsghdr h;

	CHECK_EQ(rtnl_fill_link(&b, &l, NLM_F_MULTI, 1, 2, 0), 0);
	memcpy(&h, buf, sizeof(h));
	CHECK_EQ(h.nlmsg_len, b.len);
	CHECK_EQ(h.nlmsg_type, RTM_NEWLINK);
	size_t with_stats = b.len;
	b.len = 0;
	CHECK_EQ(rtnl_fill_link(&b, &l, 0, 1, 2, RTEXT_FILTER_SKIP_STATS), 0);
	CHECK_EQ(with_stats - b.len, 2 * NLA_HDRLEN + sizeof(struct rtnl_link_stats64) +
				     sizeof(struct rtnl_link_stats));
	b.len = 0;
	b.cap = 100;
	CHECK_EQ(rtnl_fill_link(&b, &l, 0, 1, 2, 0), -EMSGSIZE);
	CHECK_EQ(b.len, 0);
	return NULL;
}

UNIT_TEST(errors_acks_done)
{
	uint8_t buf[256];
	struct nl_buf b = { buf, 0, sizeof(buf) };
	struct req r;
	struct nlmsghdr h;
	struct nl_ext_ack ext = { "Invalid header for get link", 0 };
	uint8_t fam = 0;
	int32_t e;

	req_init(&r, RTM_GETLINK, NLM_F_REQUEST, &fam, 1);
	CHECK_EQ(nl_put_error(&b, &r.h, 9, 0, false, NULL), 0);     /* an ack: capped */
	memcpy(&h, buf, sizeof(h));
	CHECK(h.nlmsg_len == 36 && h.nlmsg_type == NLMSG_ERROR && h.nlmsg_flags == NLM_F_CAPPED &&
	      h.nlmsg_seq == 7 && h.nlmsg_pid == 9 && b.len == 36);
	b.len = 0;
	CHECK_EQ(nl_put_error(&b, &r.h, 9, -EINVAL, false, &ext), 0); /* the request, then the message */
	memcpy(&h, buf, sizeof(h));
	memcpy(&e, buf + 16, 4);
	CHECK(e == -EINVAL && h.nlmsg_flags == NLM_F_ACK_TLVS);
	CHECK_EQ(h.nlmsg_len, 16 + 4 + 17 + 3 + 4 + 28);
	CHECK(memcmp(buf + 20, r.b, 17) == 0 && strcmp((char *)buf + 44, ext.msg) == 0);
	CHECK_EQ(nl_error_size(&r.h, -EINVAL, false, &ext), h.nlmsg_len);
	b.len = 0;
	CHECK_EQ(nl_put_done(&b, 7, 9, NLM_F_DUMP_FILTERED, 0, NULL), 0);
	memcpy(&h, buf, sizeof(h));
	CHECK(h.nlmsg_len == 20 && h.nlmsg_type == NLMSG_DONE &&
	      h.nlmsg_flags == (NLM_F_MULTI | NLM_F_DUMP_FILTERED));
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_ENTRY(msg_next_splits_and_stops),
		UNIT_ENTRY(parse_liberal_and_strict),
		UNIT_ENTRY(parse_value_too_short_is_erange),
		UNIT_ENTRY(parse_lying_attribute_ends_the_list),
		UNIT_ENTRY(classify),
		UNIT_ENTRY(link_requests),
		UNIT_ENTRY(addr_and_route_requests),
		UNIT_ENTRY(addr_message_matches_linux),
		UNIT_ENTRY(link_message_layout),
		UNIT_ENTRY(errors_acks_done),
	};
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
