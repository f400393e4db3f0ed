/* SPDX-License-Identifier: MIT */
/* Host unit test: IPv6's wire formats (kernel/net/wire6.c): the extension headers as a host takes them, ICMPv6 and Neighbor Discovery, UDP over IPv6, against packets built independently (net_frames6.h) and every cut of them. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "net_frames.h"
#include "net_frames6.h"
#include "net/wire6.h"

static uint8_t pb[2048];
static size_t plen;

static void load(const char *hex)
{
	memset(pb, 0, sizeof(pb));
	plen = frame_unhex(hex, pb);
}

/* ipv6_parse over a copy of exactly n bytes (ASan sees a read past it). */
static enum wire_err parse_exact(size_t n, struct ipv6_info *ip)
{
	uint8_t *b = malloc(n ? n : 1);
	memcpy(b, pb, n);
	enum wire_err e = ipv6_parse(b, n, ip);
	free(b);
	return e;
}

/* The packet's upper layer parsed as ICMPv6. */
static enum wire_err icmp6_of(const struct ipv6_info *ip, struct icmp6_info *ic)
{
	size_t n = IPV6_HDR_LEN + ip->payload_len - ip->l4_off;
	uint8_t *b = malloc(n);
	memcpy(b, pb + ip->l4_off, n);
	enum wire_err e = icmp6_parse(b, n, &ip->src, &ip->dst, ic);
	free(b);
	return e;
}

UNIT_TEST(addr_helpers)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct in6 a = { { 0xfe, 0x80 } }, sn;
	uint8_t m[6];
	in6_set_eui64(&a, mac);
	static const uint8_t ll[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x50, 0x54, 0, 0xff, 0xfe, 0x12, 0x34, 0x56 };
	CHECK(memcmp(a.b, ll, 16) == 0);
	in6_solicited_node(&a, &sn);
	static const uint8_t snw[16] = { 0xff, 0x02, [11] = 1, 0xff, 0x12, 0x34, 0x56 };
	CHECK(memcmp(sn.b, snw, 16) == 0);
	in6_mc_mac(&sn, m);
	static const uint8_t mw[6] = { 0x33, 0x33, 0xff, 0x12, 0x34, 0x56 };
	CHECK(memcmp(m, mw, 6) == 0);
	CHECK(in6_is_linklocal(&a) && !in6_is_multicast(&a) && in6_is_multicast(&sn));
	CHECK_EQ(in6_mc_scope(&sn), 2);
	struct in6 b = a;
	b.b[7] ^= 1;
	CHECK(in6_prefix_eq(&a, &b, 63) && !in6_prefix_eq(&a, &b, 64) && in6_prefix_eq(&a, &b, 0));
	CHECK(!in6_prefix_eq(&a, &b, 129));
	return NULL;
}

UNIT_TEST(addr_text)
{
	static const struct { uint8_t b[16]; const char *text; } cases[] = {
		{ { 0xfe, 0x80, [8] = 0x50, 0x54, 0, 0xff, 0xfe, 0x12, 0x34, 0x56 }, "fe80::5054:ff:fe12:3456" },
		{ { [15] = 1 }, "::1" },
		{ { 0 }, "::" },
		{ { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, "2001:db8::1" },
		{ { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1 }, "2001:db8:0:1:0:1:0:1" },
		{ { 0x20, 0x01, 0x0d, 0xb8, [8] = 0, 1 }, "2001:db8:0:0:1::" },
		{ { 0x20, 0x01, [14] = 0, 0 }, "2001::" },
		{ { 0xff, 0x02, [11] = 1, 0xff, 0x12, 0x34, 0x56 }, "ff02::1:ff12:3456" },
	};
	char buf[IN6_TEXT_MAX];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct in6 a;
		memcpy(a.b, cases[i].b, 16);
		in6_format(&a, buf);
		CHECK_STR(buf, cases[i].text);
	}
	return NULL;
}

UNIT_TEST(echo_request)
{
	struct ipv6_info ip;
	struct icmp6_info ic;
	load(F6_ECHO);
	CHECK_EQ(parse_exact(plen, &ip), WIRE_OK);
	CHECK_EQ(ip.proto, NEXTHDR_ICMP);
	CHECK_EQ(ip.l4_off, IPV6_HDR_LEN);
	CHECK_EQ(ip.hop_limit, 64);
	CHECK_EQ(icmp6_of(&ip, &ic), WIRE_OK);
	CHECK_EQ(ic.type, ICMPV6_ECHO_REQUEST);
	CHECK_EQ(ic.id, 0x1234);
	CHECK_EQ(ic.seq, 7);
	pb[IPV6_HDR_LEN + 9] ^= 1; /* a byte of the data: the sum is wrong */
	CHECK_EQ(icmp6_of(&ip, &ic), WIRE_BAD_CSUM);
	return NULL;
}

UNIT_TEST(truncated_every_byte)
{
	struct ipv6_info ip;
	load(F6_UDP_EXT);
	for (size_t n = 0; n < plen; n++)
		CHECK_EQ(parse_exact(n, &ip), WIRE_TRUNCATED);
	CHECK_EQ(parse_exact(plen, &ip), WIRE_OK);
	return NULL;
}

UNIT_TEST(padding_after_payload)
{
	struct ipv6_info ip;
	load(F6_UDP);
	CHECK_EQ(parse_exact(plen + 10, &ip), WIRE_OK); /* link padding: the caller trims it */
	CHECK_EQ(ip.payload_len, plen - IPV6_HDR_LEN);
	pb[0] = 0x45;
	CHECK_EQ(parse_exact(plen, &ip), WIRE_BAD_HEADER);
	CHECK(!ip.refusal.icmp);
	return NULL;
}

UNIT_TEST(extension_headers_walked)
{
	struct ipv6_info ip;
	struct udp_info u;
	load(F6_UDP_EXT);
	CHECK_EQ(parse_exact(plen, &ip), WIRE_OK);
	CHECK_EQ(ip.proto, NEXTHDR_UDP);
	CHECK_EQ(ip.l4_off, IPV6_HDR_LEN + 16);
	CHECK_EQ(ip.nh_off, IPV6_HDR_LEN + 8); /* the destination header's next header byte */
	CHECK(ip.router_alert);
	CHECK_EQ(udp6_parse(pb + ip.l4_off, plen - ip.l4_off, &ip.src, &ip.dst, &u), WIRE_OK);
	CHECK_EQ(u.sport, 5555);
	CHECK_EQ(u.dport, 7777);
	CHECK_EQ(u.len, 13);
	return NULL;
}

UNIT_TEST(hop_by_hop_not_first)
{
	struct ipv6_info ip;
	load(F6_UDP_EXT);
	pb[6] = NEXTHDR_DEST;      /* the fixed header names a destination header... */
	pb[IPV6_HDR_LEN] = NEXTHDR_HOP; /* ...which names hop-by-hop */
	CHECK_EQ(parse_exact(plen, &ip), WIRE_BAD_HEADER);
	CHECK(ip.refusal.icmp);
	CHECK_EQ(ip.refusal.code, ICMPV6_UNK_NEXTHDR);
	CHECK_EQ(ip.refusal.pointer, IPV6_HDR_LEN);
	return NULL;
}

UNIT_TEST(routing_type0_refused)
{
	struct ipv6_info ip;
	load(F6_RT0);
	CHECK_EQ(parse_exact(plen, &ip), WIRE_BAD_HEADER);
	CHECK(ip.refusal.icmp);
	CHECK_EQ(ip.refusal.code, ICMPV6_HDR_FIELD);
	CHECK_EQ(ip.refusal.pointer, IPV6_HDR_LEN + 2); /* the routing type */
	pb[IPV6_HDR_LEN + 3] = 0; /* no segment left: the header is skipped */
	CHECK_EQ(parse_exact(plen, &ip), WIRE_OK);
	CHECK_EQ(ip.proto, NEXTHDR_UDP);
	CHECK_EQ(ip.l4_off, IPV6_HDR_LEN + 24);
	return NULL;
}

UNIT_TEST(unknown_option_actions)
{
	struct ipv6_info ip;
	load(F6_UNK_OPT);
	CHECK_EQ(parse_exact(plen, &ip), WIRE_BAD_OPTION); /* 10: drop and tell */
	CHECK(ip.refusal.icmp);
	CHECK_EQ(ip.refusal.code, ICMPV6_UNK_OPTION);
	CHECK_EQ(ip.refusal.pointer, IPV6_HDR_LEN + 2);
	pb[IPV6_HDR_LEN + 2] = 0x40; /* 01: drop silently */
	CHECK_EQ(parse_exact(plen, &ip), WIRE_BAD_OPTION);
	CHECK(!ip.refusal.icmp);
	pb[IPV6_HDR_LEN + 2] = 0x1e; /* 00: skip */
	CHECK_EQ(parse_exact(plen, &ip), WIRE_OK);
	pb[IPV6_HDR_LEN + 2] = 0xc0; /* 11: tell unless to multicast */
	CHECK_EQ(parse_exact(plen, &ip), WIRE_BAD_OPTION);
	CHECK(ip.refusal.icmp);
	pb[IPV6_HDR_LEN + 3] = 7; /* an option past its header: dropped */
	CHECK_EQ(parse_exact(plen, &ip), WIRE_BAD_HEADER);
	CHECK(!ip.refusal.icmp);
	return NULL;
}

UNIT_TEST(fragment_header)
{
	struct ipv6_info ip;
	load(F6_FRAG);
	CHECK_EQ(parse_exact(plen, &ip), WIRE_OK);
	CHECK_EQ(ip.proto, NEXTHDR_FRAGMENT);
	CHECK_EQ(ip.frag_hdr_off, IPV6_HDR_LEN);
	CHECK_EQ(ip.l4_off, IPV6_HDR_LEN + 8);
	CHECK_EQ(ip.frag_nexthdr, NEXTHDR_UDP);
	CHECK(ip.frag_mf);
	CHECK_EQ(ip.frag_off, 0);
	CHECK_EQ(ip.frag_id, 0xabcd);
	pb[IPV6_HDR_LEN + 3] = 0; /* an atomic fragment: its header skipped (RFC 6946) */
	CHECK_EQ(parse_exact(plen, &ip), WIRE_OK);
	CHECK_EQ(ip.proto, NEXTHDR_UDP);
	pb[IPV6_HDR_LEN + 3] = 1;
	pb[5] -= 1;                /* 15 bytes of data with M: not a multiple of 8 */
	CHECK_EQ(parse_exact(plen, &ip), WIRE_BAD_HEADER);
	CHECK(ip.refusal.icmp);
	CHECK_EQ(ip.refusal.pointer, 4);
	pb[5] += 1;
	put_be16(pb + IPV6_HDR_LEN + 2, 0xfff8 | 1); /* offset 65528 + 16 bytes: past 65535 */
	CHECK_EQ(parse_exact(plen, &ip), WIRE_BAD_HEADER);
	CHECK_EQ(ip.refusal.pointer, IPV6_HDR_LEN + 2);
	return NULL;
}

UNIT_TEST(neighbour_solicit)
{
	struct ipv6_info ip;
	struct icmp6_info ic;
	static const uint8_t peer[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };
	load(F6_NS);
	CHECK_EQ(parse_exact(plen, &ip), WIRE_OK);
	CHECK_EQ(ip.hop_limit, ND_HOP_LIMIT);
	CHECK_EQ(icmp6_of(&ip, &ic), WIRE_OK);
	CHECK_EQ(ic.type, NDISC_NEIGHBOUR_SOLICIT);
	CHECK(ic.has_sll && memcmp(ic.sll, peer, 6) == 0);
	CHECK_EQ(ic.target.b[15], 0x56);
	load(F6_DAD_NS);
	CHECK_EQ(parse_exact(plen, &ip), WIRE_OK);
	CHECK_EQ(icmp6_of(&ip, &ic), WIRE_OK);
	CHECK(in6_is_any(&ip.src) && !ic.has_sll);
	pb[39] ^= 1; /* a probe to another group than the target's: invalid */
	CHECK_EQ(parse_exact(plen, &ip), WIRE_OK);
	CHECK(icmp6_of(&ip, &ic) != WIRE_OK);
	return NULL;
}

UNIT_TEST(router_advert)
{
	struct ipv6_info ip;
	struct icmp6_info ic;
	load(F6_RA);
	CHECK_EQ(parse_exact(plen, &ip), WIRE_OK);
	CHECK_EQ(icmp6_of(&ip, &ic), WIRE_OK);
	CHECK_EQ(ic.type, NDISC_ROUTER_ADVERT);
	CHECK_EQ(ic.cur_hop_limit, 64);
	CHECK_EQ(ic.router_lifetime_s, 1800);
	CHECK(ic.has_sll);
	CHECK_EQ(ic.mtu, 1500);
	CHECK_EQ(ic.nprefix, 1);
	CHECK_EQ(ic.prefix[0].len, 64);
	CHECK(ic.prefix[0].onlink && ic.prefix[0].autonomous);
	CHECK_EQ(ic.prefix[0].valid_s, 86400);
	CHECK_EQ(ic.prefix[0].preferred_s, 14400);
	CHECK(ic.prefix[0].prefix.b[0] == 0x20 && ic.prefix[0].prefix.b[5] == 1);
	/* an option of length 0 makes the whole message invalid (RFC 4861 4.6) */
	size_t opt = IPV6_HDR_LEN + ND_RA_LEN;
	pb[opt + 1] = 0;
	icmp6_set_csum(pb + IPV6_HDR_LEN, plen - IPV6_HDR_LEN, &ip.src, &ip.dst);
	CHECK_EQ(icmp6_of(&ip, &ic), WIRE_BAD_OPTION);
	/* from a global address: not a router's */
	load(F6_RA);
	pb[8] = 0x20;
	CHECK_EQ(parse_exact(plen, &ip), WIRE_OK);
	icmp6_set_csum(pb + IPV6_HDR_LEN, plen - IPV6_HDR_LEN, &ip.src, &ip.dst);
	CHECK_EQ(icmp6_of(&ip, &ic), WIRE_BAD_HEADER);
	return NULL;
}

UNIT_TEST(error_quotes_packet)
{
	struct ipv6_info ip;
	struct icmp6_info ic;
	load(F6_UNREACH);
	CHECK_EQ(parse_exact(plen, &ip), WIRE_OK);
	CHECK_EQ(icmp6_of(&ip, &ic), WIRE_OK);
	CHECK_EQ(ic.type, ICMPV6_DEST_UNREACH);
	CHECK_EQ(ic.code, ICMPV6_PORT_UNREACH);
	CHECK(ic.has_inner);
	CHECK_EQ(ic.inner.proto, NEXTHDR_UDP);
	CHECK_EQ(ic.inner_sport, 5555);
	CHECK_EQ(ic.inner_dport, 7777);
	CHECK_EQ(ic.inner_l4_len, 13);
	return NULL;
}

UNIT_TEST(builders_round_trip)
{
	struct ipv6_info ip, again;
	struct udp_info u;
	load(F6_UDP);
	CHECK_EQ(parse_exact(plen, &ip), WIRE_OK);
	uint8_t b[IPV6_HDR_LEN + 13];
	ipv6_build(b, &ip);
	memcpy(b + IPV6_HDR_LEN, pb + IPV6_HDR_LEN, 13);
	udp6_build(b + IPV6_HDR_LEN, &ip.src, &ip.dst, 5555, 7777, 13);
	CHECK(memcmp(b, pb, sizeof(b)) == 0);
	CHECK_EQ(ipv6_parse(b, sizeof(b), &again), WIRE_OK);
	put_be16(b + IPV6_HDR_LEN + 6, 0); /* no checksum: refused over IPv6 */
	CHECK_EQ(udp6_parse(b + IPV6_HDR_LEN, 13, &ip.src, &ip.dst, &u), WIRE_BAD_CSUM);
	load(F6_ECHO);
	CHECK_EQ(parse_exact(plen, &ip), WIRE_OK);
	uint8_t m[16];
	memcpy(m, pb + IPV6_HDR_LEN, 16);
	icmp6_build(m, &ip.src, &ip.dst, ICMPV6_ECHO_REQUEST, 0, 0x12340007, 8);
	CHECK(memcmp(m, pb + IPV6_HDR_LEN, 16) == 0);
	return NULL;
}

/* TCP over IPv6: Linux's SYN read (its checksum with IPv6's pseudo-header,
 * the options), refused with a bit flipped or cut short, and built again
 * with tcp6_build_partial: the stack's partial sum, completed as
 * netbuf_csum_finish does, gives Linux's very bytes. */
UNIT_TEST(tcp6_syn)
{
	struct ipv6_info ip;
	struct tcp_seg s;
	load(F6_TCP_SYN);
	CHECK_EQ(parse_exact(plen, &ip), WIRE_OK);
	CHECK_EQ(ip.proto, NEXTHDR_TCP);
	uint8_t *t = pb + ip.l4_off;
	size_t n = plen - ip.l4_off;
	CHECK_EQ(tcp6_parse_checked(t, n, &ip.src, &ip.dst, false, &s), WIRE_OK);
	CHECK_EQ(s.sport, 46018);
	CHECK_EQ(s.dport, 80);
	CHECK_EQ(s.flags, TCP_SYN);
	CHECK(s.opts.has_mss && s.opts.mss == 1440 && s.opts.sack_ok && s.opts.has_ts);
	CHECK(s.opts.has_wscale && s.opts.wscale == 7);
	CHECK_EQ(s.payload_len, 0);
	uint8_t b[64];
	memcpy(b, t, n);
	tcp6_build_partial(b, &ip.src, &ip.dst, &s, (uint32_t)n);
	put_be16(b + TCP_CSUM_FIELD, csum_fold(csum_add(0, b, n)));
	CHECK(memcmp(b, t, n) == 0);
	b[4] ^= 1;
	CHECK_EQ(tcp6_parse_checked(b, n, &ip.src, &ip.dst, false, &s), WIRE_BAD_CSUM);
	CHECK_EQ(tcp6_parse_checked(b, n, &ip.src, &ip.dst, true, &s), WIRE_OK); /* the device checked it */
	CHECK_EQ(tcp6_parse_checked(t, TCP_HDR_MIN - 1, &ip.src, &ip.dst, true, &s), WIRE_TRUNCATED);
	CHECK_EQ(tcp6_parse_checked(t, n - 1, &ip.src, &ip.dst, true, &s), WIRE_TRUNCATED); /* options cut */
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_ENTRY(addr_helpers),
		UNIT_ENTRY(addr_text),
		UNIT_ENTRY(echo_request),
		UNIT_ENTRY(truncated_every_byte),
		UNIT_ENTRY(padding_after_payload),
		UNIT_ENTRY(extension_headers_walked),
		UNIT_ENTRY(hop_by_hop_not_first),
		UNIT_ENTRY(routing_type0_refused),
		UNIT_ENTRY(unknown_option_actions),
		UNIT_ENTRY(fragment_header),
		UNIT_ENTRY(neighbour_solicit),
		UNIT_ENTRY(router_advert),
		UNIT_ENTRY(error_quotes_packet),
		UNIT_ENTRY(builders_round_trip),
		UNIT_ENTRY(tcp6_syn),
	};
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
