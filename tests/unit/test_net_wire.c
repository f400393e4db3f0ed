/* SPDX-License-Identifier: MIT */
/* Host unit test: the network's wire formats (kernel/net/wire.c) against frames a real Linux sent, RFC examples, and every way a header can be cut or malformed. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "net_frames.h"
#include "net/wire.h"

#define IP_OFF   FRAME_ETH_LEN
#define L4_OFF   FRAME_L4
#define GW_IP    0x0a000202u          /* 10.0.2.2 */
#define HOST_IP  0x0a00020fu          /* 10.0.2.15 */
#define DNS_IP   0x0a000203u          /* 10.0.2.3 */

static const uint8_t host_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t gw_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

/* The frame under test (tests run one at a time). */
static uint8_t fb[2048];
static size_t flen;

static void load(const char *hex)
{
	memset(fb, 0, sizeof(fb));
	flen = frame_unhex(hex, fb);
}

/* The frame's transport bytes (after a 20-byte IPv4 header), as its IP total length says. */
static uint8_t *l4(size_t *len)
{
	*len = get_be16(fb + IP_OFF + 2) - IPV4_HDR_MIN;
	return fb + L4_OFF;
}

/* A copy of n bytes in a buffer of exactly n bytes, so ASan sees any read past it. */
static uint8_t *exact(const uint8_t *p, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);
	memcpy(b, p, n);
	return b;
}

static enum wire_err ipv4_exact(const uint8_t *p, size_t n, struct ipv4_info *ip)
{
	uint8_t *b = exact(p, n);
	enum wire_err e = ipv4_parse(b, n, ip);
	free(b);
	return e;
}

static enum wire_err tcp_exact(const uint8_t *p, size_t n, uint32_t src, uint32_t dst, struct tcp_seg *s)
{
	uint8_t *b = exact(p, n);
	enum wire_err e = tcp_parse(b, n, src, dst, s);
	free(b);
	return e;
}

/* Recompute the IPv4 header checksum at p after a test changed a field. */
static void ip_fix_csum(uint8_t *p)
{
	size_t hl = (size_t)(p[0] & 0xf) * 4;
	put_be16(p + 10, 0);
	put_be16(p + 10, csum_fold(csum_add(0, p, hl)));
}

/* Recompute the ICMP checksum of the len bytes at p. */
static void icmp_fix_csum(uint8_t *p, size_t len)
{
	put_be16(p + 2, 0);
	put_be16(p + 2, csum_fold(csum_add(0, p, len)));
}

/* ---- checksums ---------------------------------------------------------- */

/* RFC 1071 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2. */
UNIT_TEST(csum_rfc1071_example)
{
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint32_t s = csum_add(0, b, sizeof(b));

	CHECK_EQ(csum_fold(s), (uint16_t)~0xddf2);
	CHECK_EQ(csum_fold(csum_add(csum_add(0, b, 4), b + 4, 4)), (uint16_t)~0xddf2);
	CHECK_EQ(csum_fold(csum_add(csum_add(0, b, 2), b + 2, 6)), (uint16_t)~0xddf2);
	return NULL;
}

/* The reference: RFC 1071's loop, 16-bit words in network order. */
static uint16_t csum_ref(uint32_t sum, const uint8_t *b, size_t len)
{
	uint64_t acc = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)b[i] << 8 | b[i + 1];
	if (i < len)
		acc += (uint32_t)b[i] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

/* csum_add's word-at-a-time sum folds to the reference's at every length
 * and alignment, with a starting sum, and on 64 KiB of 0xff (the carries). */
UNIT_TEST(csum_matches_reference)
{
	static uint8_t buf[65536 + 8];
	uint32_t seed = 12345;

	for (size_t i = 0; i < sizeof(buf); i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (uint8_t)(seed >> 16);
	}
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len < 300; len++)
			CHECK_EQ(csum_fold(csum_add(0x1234abcd, buf + off, len)), csum_ref(0x1234abcd, buf + off, len));
	CHECK_EQ(csum_fold(csum_add(0, buf + 3, 65536)), csum_ref(0, buf + 3, 65536));
	memset(buf, 0xff, sizeof(buf));
	CHECK_EQ(csum_fold(csum_add(0xffffffff, buf, 65536)), csum_ref(0xffffffff, buf, 65536));
	return NULL;
}

UNIT_TEST(csum_odd_length)
{
	static const uint8_t b[] = { 0x01, 0x02, 0x03 };

	CHECK_EQ(csum_add(0, b, 3), 0x0102 + 0x0300);
	CHECK_EQ(csum_add(5, b, 1), 5 + 0x0100);
	CHECK_EQ(csum_add(7, b, 0), 7);
	CHECK_EQ(csum_fold(0), 0xffff);
	CHECK_EQ(csum_fold(0xffff), 0);
	CHECK_EQ(csum_fold(0x1fffe), 0);
	return NULL;
}

/* The IPv4 header of Wikipedia's worked example: its checksum is b861. */
UNIT_TEST(csum_ipv4_example)
{
	static const uint8_t h[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
				     0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };

	CHECK_EQ(csum_fold(csum_add(0, h, sizeof(h))), 0xb861);
	return NULL;
}

/* A running sum of 64 KiB of ff bytes, then more: no carry is lost. */
UNIT_TEST(csum_no_overflow)
{
	static uint8_t b[65536];
	uint32_t s = 0;

	memset(b, 0xff, sizeof(b));
	for (int i = 0; i < 4096; i++)
		s = csum_add(s, b, sizeof(b));
	CHECK_EQ(csum_fold(s), 0);
	b[0] = 0xfe;
	/* ffffffff is a zero; the words sum to -0x100 */
	CHECK_EQ(csum_fold(csum_add(0xffffffffu, b, sizeof(b))), 0x100);
	return NULL;
}

UNIT_TEST(csum_pseudo_header)
{
	/* 10.0.2.15 -> 10.0.2.2, TCP, 40 bytes: 0a00 + 020f + 0a00 + 0202 + 6 + 40 */
	CHECK_EQ(csum_fold(csum_pseudo4(HOST_IP, GW_IP, 6, 40)),
		 (uint16_t)~(0x0a00 + 0x020f + 0x0a00 + 0x0202 + 6 + 40));
	CHECK_EQ(csum_fold(csum_pseudo4(0xffffffffu, 0xffffffffu, 255, 0xffff)),
		 csum_fold(4 * 0xffff + 255 + 0xffff));
	return NULL;
}

/* Every captured IPv4 header, and its transport checksum, is what Linux computed. */
UNIT_TEST(csum_matches_linux)
{
	static const char *const frames[] = { hex_icmp_echo, hex_udp_dns, hex_icmp_port_unreach,
					      hex_tcp_syn, hex_tcp_ack, hex_tcp_sack3, hex_tcpnots_sack4,
					      hex_dhcp_discover, hex_dhcp_offer };
	static const uint8_t csum_at[] = { [1] = 2, [17] = 6, [6] = 16 };

	for (size_t i = 0; i < UNIT_COUNT(frames); i++) {
		size_t n;
		load(frames[i]);
		uint8_t *t = l4(&n);
		uint16_t ip = get_be16(fb + IP_OFF + 10), want = get_be16(t + csum_at[fb[IP_OFF + 9]]);
		ip_fix_csum(fb + IP_OFF);
		CHECK_EQ(get_be16(fb + IP_OFF + 10), ip);
		uint32_t sum = fb[IP_OFF + 9] == 1 ? 0 : csum_pseudo4(get_be32(fb + IP_OFF + 12),
			get_be32(fb + IP_OFF + 16), fb[IP_OFF + 9], (uint16_t)n);
		put_be16(t + csum_at[fb[IP_OFF + 9]], 0);
		CHECK_EQ(csum_fold(csum_add(sum, t, n)), want);
	}
	return NULL;
}

/* ---- Ethernet ------------------------------------------------------------- */

UNIT_TEST(eth_linux_arp_request)
{
	struct eth_info e;

	load(hex_arp_request);
	CHECK_EQ(eth_parse(fb, flen, &e), WIRE_OK);
	CHECK(eth_is_broadcast(e.dst) && eth_is_multicast(e.dst));
	CHECK(memcmp(e.src, host_mac, 6) == 0);
	CHECK(!eth_is_multicast(e.src) && !eth_is_broadcast(e.src));
	CHECK_EQ(e.type, 0x0806);
	load(hex_icmp_echo);
	CHECK_EQ(eth_parse(fb, 14, &e), WIRE_OK);
	CHECK(memcmp(e.dst, gw_mac, 6) == 0);
	CHECK_EQ(e.type, 0x0800);
	return NULL;
}

UNIT_TEST(eth_truncated)
{
	struct eth_info e;

	load(hex_arp_request);
	for (size_t n = 0; n < 14; n++) {
		uint8_t *b = exact(fb, n);
		enum wire_err r = eth_parse(b, n, &e);
		free(b);
		CHECK_EQ(r, WIRE_TRUNCATED);
	}
	return NULL;
}

UNIT_TEST(eth_unsupported_types)
{
	static const uint16_t bad[] = { 0x8100, 0x88a8, 0x9100, 0x05dc, 0x0000, 0x05ff };
	static const uint16_t good[] = { 0x0600, 0x0800, 0x0806, 0x86dd };
	struct eth_info e;

	load(hex_arp_request);
	for (size_t i = 0; i < UNIT_COUNT(bad); i++) {
		put_be16(fb + 12, bad[i]);
		CHECK_EQ(eth_parse(fb, flen, &e), WIRE_UNSUPPORTED);
	}
	for (size_t i = 0; i < UNIT_COUNT(good); i++) {
		put_be16(fb + 12, good[i]);
		CHECK_EQ(eth_parse(fb, flen, &e), WIRE_OK);
		CHECK_EQ(e.type, good[i]);
	}
	return NULL;
}

UNIT_TEST(eth_build_round_trip)
{
	uint8_t b[14];
	struct eth_info e;

	load(hex_icmp_echo);
	eth_build(b, gw_mac, host_mac, 0x0800);
	CHECK(memcmp(b, fb, 14) == 0);
	CHECK_EQ(eth_parse(b, 14, &e), WIRE_OK);
	CHECK(memcmp(e.dst, gw_mac, 6) == 0 && memcmp(e.src, host_mac, 6) == 0);
	return NULL;
}

/* ---- ARP ------------------------------------------------------------------ */

UNIT_TEST(arp_linux_request)
{
	struct arp_info a;

	load(hex_arp_request);
	CHECK_EQ(arp_parse(fb + 14, flen - 14, &a), WIRE_OK);
	CHECK_EQ(a.op, ARP_OP_REQUEST);
	CHECK(memcmp(a.sha, host_mac, 6) == 0);
	CHECK_EQ(a.spa, HOST_IP);
	CHECK(memcmp(a.tha, "\0\0\0\0\0\0", 6) == 0);
	CHECK_EQ(a.tpa, GW_IP);
	return NULL;
}

UNIT_TEST(arp_truncated_and_padded)
{
	struct arp_info a;

	load(hex_arp_request);
	for (size_t n = 0; n < ARP_LEN; n++) {
		uint8_t *b = exact(fb + 14, n);
		enum wire_err r = arp_parse(b, n, &a);
		free(b);
		CHECK_EQ(r, WIRE_TRUNCATED);
	}
	/* padded to Ethernet's 60-byte minimum */
	CHECK_EQ(arp_parse(fb + 14, 46, &a), WIRE_OK);
	return NULL;
}

UNIT_TEST(arp_other_hardware)
{
	static const struct { size_t at; uint8_t v; } bad[] = {
		{ 1, 6 },     /* htype IEEE 802 */
		{ 0, 1 },     /* htype 257 */
		{ 2, 0x86 },  /* ptype 0x86dd */
		{ 4, 8 },     /* hlen 8 */
		{ 5, 16 },    /* plen 16 */
	};
	struct arp_info a;

	for (size_t i = 0; i < UNIT_COUNT(bad); i++) {
		load(hex_arp_request);
		fb[14 + bad[i].at] = bad[i].v;
		CHECK_EQ(arp_parse(fb + 14, 28, &a), WIRE_UNSUPPORTED);
		/* the kind is known from the first 8 bytes: a short ARP of another kind is that */
		CHECK_EQ(arp_parse(fb + 14, 8, &a), WIRE_UNSUPPORTED);
	}
	return NULL;
}

UNIT_TEST(arp_bad_op)
{
	static const uint16_t ops[] = { 0, 3, 4, 0x0100, 0xffff };
	struct arp_info a;

	load(hex_arp_request);
	for (size_t i = 0; i < UNIT_COUNT(ops); i++) {
		put_be16(fb + 14 + 6, ops[i]);
		CHECK_EQ(arp_parse(fb + 14, 28, &a), WIRE_BAD_HEADER);
	}
	put_be16(fb + 14 + 6, ARP_OP_REPLY);
	CHECK_EQ(arp_parse(fb + 14, 28, &a), WIRE_OK);
	CHECK_EQ(a.op, ARP_OP_REPLY);
	return NULL;
}

/* arp_build makes Linux's request byte for byte, and a reply parses back. */
UNIT_TEST(arp_build_round_trip)
{
	struct arp_info req = { .op = ARP_OP_REQUEST, .spa = HOST_IP, .tpa = GW_IP }, back;
	uint8_t b[ARP_LEN];

	memcpy(req.sha, host_mac, 6);
	load(hex_arp_request);
	arp_build(b, &req);
	CHECK(memcmp(b, fb + 14, ARP_LEN) == 0);
	struct arp_info rep = { .op = ARP_OP_REPLY, .spa = GW_IP, .tpa = HOST_IP };
	memcpy(rep.sha, gw_mac, 6);
	memcpy(rep.tha, host_mac, 6);
	arp_build(b, &rep);
	CHECK_EQ(arp_parse(b, ARP_LEN, &back), WIRE_OK);
	CHECK_EQ(back.op, ARP_OP_REPLY);
	CHECK(memcmp(back.sha, gw_mac, 6) == 0 && memcmp(back.tha, host_mac, 6) == 0);
	CHECK(back.spa == GW_IP && back.tpa == HOST_IP);
	return NULL;
}

/* ---- IPv4 ----------------------------------------------------------------- */

UNIT_TEST(ipv4_linux_echo)
{
	struct ipv4_info ip;

	load(hex_icmp_echo);
	CHECK_EQ(ipv4_parse(fb + IP_OFF, flen - IP_OFF, &ip), WIRE_OK);
	CHECK_EQ(ip.hdr_len, 20);
	CHECK_EQ(ip.opt_len, 0);
	CHECK_EQ(ip.tos, 0);
	CHECK_EQ(ip.ttl, 64);
	CHECK_EQ(ip.proto, 1);
	CHECK_EQ(ip.total_len, 84);
	CHECK_EQ(ip.id, 0x9b90);
	CHECK(ip.df && !ip.mf);
	CHECK_EQ(ip.frag_off, 0);
	CHECK_EQ(ip.src, HOST_IP);
	CHECK_EQ(ip.dst, GW_IP);
	CHECK(!ip.has_source_route && !ip.has_router_alert);
	return NULL;
}

/* Linux's ICMP error goes out with TOS 0xc0 (internetwork control) and no DF. */
UNIT_TEST(ipv4_linux_icmp_error)
{
	struct ipv4_info ip;

	load(hex_icmp_port_unreach);
	CHECK_EQ(ipv4_parse(fb + IP_OFF, flen - IP_OFF, &ip), WIRE_OK);
	CHECK_EQ(ip.tos, 0xc0);
	CHECK(!ip.df && !ip.mf);
	CHECK_EQ(ip.total_len, 69);
	CHECK_EQ(ip.id, 0x9cd1);
	return NULL;
}

/* Cut anywhere before its total length, a packet is truncated; link padding after it is fine. */
UNIT_TEST(ipv4_truncated_every_byte)
{
	static const char *const frames[] = { hex_icmp_echo, hex_udp_dns, hex_tcp_syn, hex_dhcp_offer };
	struct ipv4_info ip;

	for (size_t f = 0; f < UNIT_COUNT(frames); f++) {
		load(frames[f]);
		size_t total = get_be16(fb + IP_OFF + 2);
		for (size_t n = 0; n < total; n++)
			CHECK_EQ(ipv4_exact(fb + IP_OFF, n, &ip), WIRE_TRUNCATED);
		CHECK_EQ(ipv4_exact(fb + IP_OFF, total, &ip), WIRE_OK);
		CHECK_EQ(ipv4_exact(fb + IP_OFF, total + 26, &ip), WIRE_OK);
		CHECK_EQ(ip.total_len, total);
	}
	return NULL;
}

/* Any single bit flipped in the header's checksummed bytes is seen. */
UNIT_TEST(ipv4_bad_csum)
{
	struct ipv4_info ip;

	for (size_t bit = 0; bit < 20 * 8; bit++) {
		load(hex_udp_dns);
		fb[IP_OFF + bit / 8] ^= (uint8_t)(1u << (bit % 8));
		CHECK(ipv4_parse(fb + IP_OFF, flen - IP_OFF, &ip) != WIRE_OK);
		if (bit / 8 >= 4)   /* past version, IHL and total length: only the sum is wrong */
			CHECK_EQ(ipv4_parse(fb + IP_OFF, flen - IP_OFF, &ip), WIRE_BAD_CSUM);
	}
	return NULL;
}

UNIT_TEST(ipv4_bad_version_and_ihl)
{
	struct ipv4_info ip;
	uint8_t *h = fb + IP_OFF;

	for (unsigned v = 0; v < 16; v++) {
		load(hex_udp_dns);
		h[0] = (uint8_t)(v << 4 | 5);
		ip_fix_csum(h);
		CHECK_EQ(ipv4_parse(h, flen - IP_OFF, &ip), v == 4 ? WIRE_OK : WIRE_BAD_HEADER);
	}
	for (unsigned ihl = 0; ihl < 5; ihl++) {
		load(hex_udp_dns);
		h[0] = (uint8_t)(0x40 | ihl);
		CHECK_EQ(ipv4_parse(h, flen - IP_OFF, &ip), WIRE_BAD_HEADER);
	}
	load(hex_udp_dns);   /* IHL 15 (60 bytes) in a 57-byte packet */
	h[0] = 0x4f;
	CHECK_EQ(ipv4_parse(h, 57, &ip), WIRE_TRUNCATED);
	return NULL;
}

/* The total length: below the header's is a bad header, above len is truncated. */
UNIT_TEST(ipv4_bad_total_length)
{
	struct ipv4_info ip;
	uint8_t *h = fb + IP_OFF;

	for (uint16_t t = 0; t < 20; t++) {
		load(hex_udp_dns);
		put_be16(h + 2, t);
		ip_fix_csum(h);
		CHECK_EQ(ipv4_parse(h, flen - IP_OFF, &ip), WIRE_BAD_HEADER);
	}
	load(hex_udp_dns);
	put_be16(h + 2, (uint16_t)(flen - IP_OFF + 1));
	ip_fix_csum(h);
	CHECK_EQ(ipv4_parse(h, flen - IP_OFF, &ip), WIRE_TRUNCATED);
	put_be16(h + 2, 0xffff);
	ip_fix_csum(h);
	CHECK_EQ(ipv4_parse(h, flen - IP_OFF, &ip), WIRE_TRUNCATED);
	return NULL;
}

/* A header of 20 + n bytes (n a multiple of 4) with the options o, total length 20 + n + 8. */
static size_t ip_with_opts(uint8_t *p, const uint8_t *o, size_t n)
{
	struct ipv4_info in = { .tos = 0, .ttl = 64, .proto = 17, .total_len = (uint16_t)(28 + n),
				.id = 7, .src = HOST_IP, .dst = GW_IP };

	memset(p, 0, 28 + n);
	ipv4_build(p, &in);
	p[0] = (uint8_t)(0x45 + n / 4);
	memcpy(p + 20, o, n);
	ip_fix_csum(p);
	return 28 + n;
}

static enum wire_err ip_opts_parse(const uint8_t *o, size_t n, struct ipv4_info *ip)
{
	uint8_t b[128];
	size_t len = ip_with_opts(b, o, n);

	return ipv4_exact(b, len, ip);
}

UNIT_TEST(ipv4_good_options)
{
	struct ipv4_info ip;
	/* RR with room for one address, pointer at it, then NOP and END */
	static const uint8_t rr[] = { IPOPT_RR, 7, 4, 0, 0, 0, 0, IPOPT_NOOP, IPOPT_END, 0, 0, 0 };
	static const uint8_t ra[] = { IPOPT_RA, 4, 0, 0 };
	static const uint8_t lsrr[] = { IPOPT_NOOP, IPOPT_LSRR, 7, 4, 10, 0, 2, 2 };
	static const uint8_t ssrr[] = { IPOPT_SSRR, 7, 8, 10, 0, 2, 2, IPOPT_END };
	static const uint8_t ts[] = { IPOPT_TS, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	/* after END anything is padding; an unknown kind with a sane length is skipped */
	static const uint8_t end[] = { IPOPT_END, 0xff, 0x00, 0x01 };
	static const uint8_t unknown[] = { 0x88, 4, 0x12, 0x34, 0x9e, 4, 0, 0 };

	CHECK_EQ(ip_opts_parse(rr, sizeof(rr), &ip), WIRE_OK);
	CHECK_EQ(ip.hdr_len, 32);
	CHECK_EQ(ip.opt_len, 12);
	CHECK(!ip.has_source_route && !ip.has_router_alert);
	CHECK_EQ(ip_opts_parse(ra, sizeof(ra), &ip), WIRE_OK);
	CHECK(ip.has_router_alert && !ip.has_source_route);
	CHECK_EQ(ip_opts_parse(lsrr, sizeof(lsrr), &ip), WIRE_OK);
	CHECK(ip.has_source_route && !ip.has_router_alert);
	CHECK_EQ(ip_opts_parse(ssrr, sizeof(ssrr), &ip), WIRE_OK);
	CHECK(ip.has_source_route);
	CHECK_EQ(ip_opts_parse(ts, sizeof(ts), &ip), WIRE_OK);
	CHECK_EQ(ip_opts_parse(end, sizeof(end), &ip), WIRE_OK);
	CHECK_EQ(ip_opts_parse(unknown, sizeof(unknown), &ip), WIRE_OK);
	return NULL;
}

UNIT_TEST(ipv4_bad_options)
{
	static const struct { uint8_t o[8]; size_t n; } bad[] = {
		{ { 0x88, 0, 0, 0 }, 4 },                 /* length 0 */
		{ { 0x88, 1, 0, 0 }, 4 },                 /* length 1 */
		{ { 0x88, 5, 0, 0 }, 4 },                 /* past the header */
		{ { IPOPT_NOOP, IPOPT_NOOP, IPOPT_NOOP, 0x88 }, 4 }, /* no room for the length byte */
		{ { IPOPT_NOOP, IPOPT_NOOP, IPOPT_RR, 7, 4, 0, 0, 0 }, 8 }, /* 7 from index 2: past */
		{ { IPOPT_RR, 7, 3, 0, 0, 0, 0, 0 }, 8 }, /* RR pointer below 4 */
		{ { IPOPT_RR, 2, 0, 0 }, 4 },             /* RR too short for its pointer */
		{ { IPOPT_LSRR, 7, 0, 0, 0, 0, 0, 0 }, 8 },
		{ { IPOPT_SSRR, 3, 2, 0 }, 4 },
		{ { IPOPT_TS, 8, 4, 0, 0, 0, 0, 0 }, 8 }, /* TS pointer below 5 */
		{ { IPOPT_TS, 3, 5, 0 }, 4 },             /* TS without its flags byte */
		{ { IPOPT_RA, 2, 0, 0 }, 4 },             /* router alert is 4 bytes */
		{ { IPOPT_RA, 6, 0, 0, 0, 0, 0, 0 }, 8 },
	};
	struct ipv4_info ip;

	for (size_t i = 0; i < UNIT_COUNT(bad); i++)
		if (ip_opts_parse(bad[i].o, bad[i].n, &ip) != WIRE_BAD_OPTION) {
			snprintf(unit_msg, sizeof(unit_msg), "bad option %zu accepted", i);
			return unit_msg;
		}
	return NULL;
}

/* A 40-byte option area full of NOPs, or one option spanning all of it. */
UNIT_TEST(ipv4_options_fill_header)
{
	uint8_t o[40];
	struct ipv4_info ip;

	memset(o, IPOPT_NOOP, sizeof(o));
	CHECK_EQ(ip_opts_parse(o, 40, &ip), WIRE_OK);
	CHECK_EQ(ip.hdr_len, 60);
	memset(o, 0, sizeof(o));
	o[0] = IPOPT_RR;
	o[1] = 39;
	o[2] = 4;
	CHECK_EQ(ip_opts_parse(o, 40, &ip), WIRE_OK);
	o[1] = 40;
	CHECK_EQ(ip_opts_parse(o, 40, &ip), WIRE_OK);
	o[1] = 41;
	CHECK_EQ(ip_opts_parse(o, 40, &ip), WIRE_BAD_OPTION);
	return NULL;
}

UNIT_TEST(ipv4_fragments)
{
	struct ipv4_info in = { .ttl = 64, .proto = 17, .id = 0x4242, .src = HOST_IP, .dst = GW_IP }, ip;
	uint8_t b[64] = { 0 };

	in.mf = true;
	in.frag_off = 1480;
	in.total_len = 44;
	ipv4_build(b, &in);
	CHECK_EQ(ipv4_parse(b, 44, &ip), WIRE_OK);
	CHECK(ip.mf && !ip.df);
	CHECK_EQ(ip.frag_off, 1480);
	CHECK_EQ(get_be16(b + 6), IPV4_FLAG_MF | 185);
	/* the last byte at 65535 exactly is fine; one past is the ping of death */
	in.mf = false;
	in.frag_off = 8189 * 8;
	in.total_len = 20 + 23;
	ipv4_build(b, &in);
	CHECK_EQ(ipv4_parse(b, 43, &ip), WIRE_OK);
	CHECK_EQ(ip.frag_off, 65512);
	in.total_len = 20 + 24;
	ipv4_build(b, &in);
	CHECK_EQ(ipv4_parse(b, 44, &ip), WIRE_BAD_HEADER);
	in.frag_off = 0x1fff * 8;   /* the largest offset, 65528: 8 bytes reach 65536 */
	in.total_len = 28;
	ipv4_build(b, &in);
	CHECK_EQ(ipv4_parse(b, 28, &ip), WIRE_BAD_HEADER);
	in.total_len = 27;
	ipv4_build(b, &in);
	CHECK_EQ(ipv4_parse(b, 27, &ip), WIRE_OK);
	return NULL;
}

/* ipv4_build remakes Linux's headers byte for byte (checksum included). */
UNIT_TEST(ipv4_build_matches_linux)
{
	static const char *const frames[] = { hex_icmp_echo, hex_udp_dns, hex_icmp_port_unreach,
					      hex_tcp_syn, hex_dhcp_offer };
	struct ipv4_info ip;
	uint8_t b[20];

	for (size_t i = 0; i < UNIT_COUNT(frames); i++) {
		load(frames[i]);
		CHECK_EQ(ipv4_parse(fb + IP_OFF, flen - IP_OFF, &ip), WIRE_OK);
		memset(b, 0xaa, sizeof(b));
		ipv4_build(b, &ip);
		CHECK(memcmp(b, fb + IP_OFF, 20) == 0);
	}
	return NULL;
}

/* ---- ICMP ----------------------------------------------------------------- */

UNIT_TEST(icmp_linux_echo)
{
	struct icmp_info ic;
	size_t n;

	load(hex_icmp_echo);
	uint8_t *p = l4(&n);
	CHECK_EQ(n, 64);
	CHECK_EQ(icmp_parse(p, n, &ic), WIRE_OK);
	CHECK_EQ(ic.type, ICMP_ECHO);
	CHECK_EQ(ic.code, 0);
	CHECK_EQ(ic.id, 0x2a2c);
	CHECK_EQ(ic.seq, 0);
	CHECK_EQ(ic.rest, 0x2a2c0000);
	CHECK(!ic.has_inner);
	return NULL;
}

UNIT_TEST(icmp_linux_port_unreach)
{
	struct icmp_info ic;
	size_t n;

	load(hex_icmp_port_unreach);
	uint8_t *p = l4(&n);
	CHECK_EQ(icmp_parse(p, n, &ic), WIRE_OK);
	CHECK_EQ(ic.type, ICMP_DEST_UNREACH);
	CHECK_EQ(ic.code, ICMP_PORT_UNREACH);
	CHECK_EQ(ic.rest, 0);
	CHECK(ic.has_inner);
	CHECK_EQ(ic.inner.hdr_len, 20);
	CHECK_EQ(ic.inner.proto, 17);
	CHECK_EQ(ic.inner.total_len, 41);
	CHECK_EQ(ic.inner.id, 0x1234);
	CHECK(ic.inner.df);
	CHECK_EQ(ic.inner.src, GW_IP);
	CHECK_EQ(ic.inner.dst, HOST_IP);
	CHECK_EQ(ic.inner_sport, 40000);
	CHECK_EQ(ic.inner_dport, 9999);
	CHECK_EQ(ic.inner_seq, 0x00152332);   /* the UDP length and checksum */
	return NULL;
}

/* Shorter than 8 is truncated; after that, dropping bytes breaks the sum or the inner header. */
UNIT_TEST(icmp_truncated_every_byte)
{
	struct icmp_info ic;
	size_t n;

	load(hex_icmp_port_unreach);
	uint8_t *p = l4(&n);
	for (size_t k = 0; k < n; k++) {
		uint8_t *b = exact(p, k);
		enum wire_err e = icmp_parse(b, k, &ic);
		free(b);
		if (k < ICMP_HDR_LEN)
			CHECK_EQ(e, WIRE_TRUNCATED);
		else
			CHECK(e != WIRE_OK);
	}
	/* with the checksum fixed each time, a cut inner header is truncated */
	for (size_t k = ICMP_HDR_LEN; k < ICMP_HDR_LEN + 28; k++) {
		uint8_t *b = exact(p, k);
		icmp_fix_csum(b, k);
		enum wire_err e = icmp_parse(b, k, &ic);
		free(b);
		CHECK_EQ(e, WIRE_TRUNCATED);
	}
	return NULL;
}

UNIT_TEST(icmp_bad_csum)
{
	struct icmp_info ic;
	size_t n;

	load(hex_icmp_echo);
	uint8_t *p = l4(&n);
	p[n - 1] ^= 1;
	CHECK_EQ(icmp_parse(p, n, &ic), WIRE_BAD_CSUM);
	p[n - 1] ^= 1;
	p[2] ^= 0x80;
	CHECK_EQ(icmp_parse(p, n, &ic), WIRE_BAD_CSUM);
	return NULL;
}

/* An error whose quoted header is not a sane IPv4 header, or lacks its 8 bytes. */
UNIT_TEST(icmp_error_inner_checks)
{
	struct icmp_info ic;
	size_t n;

	load(hex_icmp_port_unreach);
	uint8_t *p = l4(&n), *in = p + 8;
	in[0] = 0x65;                               /* version 6 */
	icmp_fix_csum(p, n);
	CHECK_EQ(icmp_parse(p, n, &ic), WIRE_BAD_HEADER);
	in[0] = 0x44;                               /* IHL 4 */
	icmp_fix_csum(p, n);
	CHECK_EQ(icmp_parse(p, n, &ic), WIRE_BAD_HEADER);
	in[0] = 0x46;                               /* IHL 6: 24 + 8 of the 41 quoted */
	in[20] = IPOPT_NOOP; in[21] = IPOPT_NOOP; in[22] = IPOPT_NOOP; in[23] = IPOPT_NOOP;
	icmp_fix_csum(p, n);
	CHECK_EQ(icmp_parse(p, n, &ic), WIRE_OK);
	CHECK_EQ(ic.inner.hdr_len, 24);
	in[0] = 0x49;                               /* IHL 9: 36 + 8 > 41 */
	icmp_fix_csum(p, n);
	CHECK_EQ(icmp_parse(p, n, &ic), WIRE_TRUNCATED);
	in[0] = 0x46;
	in[20] = 0x88; in[21] = 0;                  /* an inner option of length 0 */
	icmp_fix_csum(p, n);
	CHECK_EQ(icmp_parse(p, n, &ic), WIRE_BAD_OPTION);
	load(hex_icmp_port_unreach);
	p = l4(&n);
	put_be16(p + 8 + 2, 19);                    /* inner total length below its header */
	icmp_fix_csum(p, n);
	CHECK_EQ(icmp_parse(p, n, &ic), WIRE_BAD_HEADER);
	put_be16(p + 8 + 2, 1500);                  /* longer than quoted: fine, only a prefix is */
	put_be16(p + 8 + 10, 0xdead);               /* nor is the inner checksum checked */
	icmp_fix_csum(p, n);
	CHECK_EQ(icmp_parse(p, n, &ic), WIRE_OK);
	CHECK_EQ(ic.inner.total_len, 1500);
	return NULL;
}

/* Each error type needs its inner header; the others do not. */
UNIT_TEST(icmp_error_types)
{
	static const uint8_t errors[] = { ICMP_DEST_UNREACH, ICMP_SOURCE_QUENCH, ICMP_REDIRECT,
					  ICMP_TIME_EXCEEDED, ICMP_PARAMETERPROB };
	uint8_t b[8] = { 0 };
	struct icmp_info ic;

	for (size_t i = 0; i < UNIT_COUNT(errors); i++) {
		icmp_build(b, errors[i], 0, 0, 0);
		CHECK_EQ(icmp_parse(b, 8, &ic), WIRE_TRUNCATED);
	}
	for (unsigned t = 0; t < 256; t++) {
		if (memchr(errors, (int)t, sizeof(errors)))
			continue;
		icmp_build(b, (uint8_t)t, 0, 0x01020304, 0);
		CHECK_EQ(icmp_parse(b, 8, &ic), WIRE_OK);
		CHECK(!ic.has_inner);
		CHECK_EQ(ic.rest, 0x01020304);
	}
	return NULL;
}

/* FRAG_NEEDED carries the next hop's MTU in the low 16 bits of rest. */
UNIT_TEST(icmp_frag_needed)
{
	struct icmp_info ic;
	uint8_t b[8 + 28];
	size_t n;

	load(hex_icmp_port_unreach);
	uint8_t *p = l4(&n);
	memcpy(b + 8, p + 8, 28);
	icmp_build(b, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1400, 28);
	CHECK_EQ(icmp_parse(b, sizeof(b), &ic), WIRE_OK);
	CHECK_EQ(ic.code, ICMP_FRAG_NEEDED);
	CHECK_EQ(ic.rest & 0xffff, 1400);
	CHECK_EQ(ic.inner_dport, 9999);
	return NULL;
}

/* icmp_build remakes Linux's echo and port unreachable byte for byte. */
UNIT_TEST(icmp_build_matches_linux)
{
	uint8_t b[128];
	size_t n;

	load(hex_icmp_echo);
	uint8_t *p = l4(&n);
	memcpy(b, p, n);
	memset(b, 0xee, 8);
	icmp_build(b, ICMP_ECHO, 0, 0x2a2c0000, n - 8);
	CHECK(memcmp(b, p, n) == 0);
	load(hex_icmp_port_unreach);
	p = l4(&n);
	memcpy(b, p, n);
	memset(b, 0xee, 8);
	icmp_build(b, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, n - 8);
	CHECK(memcmp(b, p, n) == 0);
	return NULL;
}

/* ---- UDP ------------------------------------------------------------------ */

UNIT_TEST(udp_linux_dns_query)
{
	struct udp_info u;
	size_t n;

	load(hex_udp_dns);
	uint8_t *p = l4(&n);
	CHECK_EQ(udp_parse(p, n, HOST_IP, DNS_IP, &u), WIRE_OK);
	CHECK_EQ(u.sport, 0x9b92);
	CHECK_EQ(u.dport, 53);
	CHECK_EQ(u.len, 37);
	CHECK(!u.no_csum);
	/* the question: example.com, type A, class IN */
	CHECK(memcmp(p + 8 + 12, "\7example\3com\0\0\1\0\1", 17) == 0);
	return NULL;
}

UNIT_TEST(udp_truncated_every_byte)
{
	struct udp_info u;
	size_t n;

	load(hex_udp_dns);
	uint8_t *p = l4(&n);
	for (size_t k = 0; k < n; k++) {
		uint8_t *b = exact(p, k);
		enum wire_err e = udp_parse(b, k, HOST_IP, DNS_IP, &u);
		free(b);
		CHECK_EQ(e, WIRE_TRUNCATED);
	}
	return NULL;
}

/* The length field: under 8 no sender may use, over len is truncated,
 * under len leaves padding outside the sum. */
UNIT_TEST(udp_length_field)
{
	struct udp_info u;
	size_t n;

	load(hex_udp_dns);
	uint8_t *p = l4(&n);
	for (uint16_t l = 0; l < 8; l++) {
		put_be16(p + 4, l);
		CHECK_EQ(udp_parse(p, n, HOST_IP, DNS_IP, &u), WIRE_BAD_HEADER);
	}
	put_be16(p + 4, (uint16_t)(n + 1));
	CHECK_EQ(udp_parse(p, n, HOST_IP, DNS_IP, &u), WIRE_TRUNCATED);
	put_be16(p + 4, 0xffff);
	CHECK_EQ(udp_parse(p, n, HOST_IP, DNS_IP, &u), WIRE_TRUNCATED);
	load(hex_udp_dns);
	p = l4(&n);
	memset(p + n, 0x5a, 9);
	CHECK_EQ(udp_parse(p, n + 9, HOST_IP, DNS_IP, &u), WIRE_OK);
	CHECK_EQ(u.len, n);
	return NULL;
}

UNIT_TEST(udp_bad_csum)
{
	struct udp_info u;
	size_t n;

	load(hex_udp_dns);
	uint8_t *p = l4(&n);
	CHECK_EQ(udp_parse(p, n, HOST_IP, GW_IP, &u), WIRE_BAD_CSUM);   /* another pseudo-header */
	CHECK_EQ(udp_parse(p, n, DNS_IP, HOST_IP, &u), WIRE_OK);        /* the sum is symmetric */
	p[n - 1] ^= 1;
	CHECK_EQ(udp_parse(p, n, HOST_IP, DNS_IP, &u), WIRE_BAD_CSUM);
	return NULL;
}

/* A checksum of 0 means none was sent: accepted whatever the bytes. */
UNIT_TEST(udp_no_csum_accepted)
{
	struct udp_info u;
	size_t n;

	load(hex_udp_dns);
	uint8_t *p = l4(&n);
	put_be16(p + 6, 0);
	p[n - 1] ^= 0x55;
	CHECK_EQ(udp_parse(p, n, 1, 2, &u), WIRE_OK);
	CHECK(u.no_csum);
	CHECK_EQ(u.dport, 53);
	return NULL;
}

/* udp_build remakes Linux's DNS query and DHCP headers byte for byte. */
UNIT_TEST(udp_build_matches_linux)
{
	static const char *const frames[] = { hex_udp_dns, hex_dhcp_discover, hex_dhcp_offer };
	struct udp_info u;
	uint8_t b[600];
	size_t n;

	for (size_t i = 0; i < UNIT_COUNT(frames); i++) {
		load(frames[i]);
		uint8_t *p = l4(&n);
		uint32_t s = get_be32(fb + IP_OFF + 12), d = get_be32(fb + IP_OFF + 16);
		CHECK_EQ(udp_parse(p, n, s, d, &u), WIRE_OK);
		memcpy(b, p, n);
		memset(b, 0xee, 8);
		udp_build(b, s, d, u.sport, u.dport, u.len);
		CHECK(memcmp(b, p, n) == 0);
	}
	return NULL;
}

/* A datagram whose sum comes to 0 carries ffff, and parses. */
UNIT_TEST(udp_build_zero_csum)
{
	uint8_t b[10] = { 0 };
	struct udp_info u;

	udp_build(b, HOST_IP, GW_IP, 1000, 2000, 10);
	uint16_t c = get_be16(b + 6);
	put_be16(b + 8, c);          /* payload that brings the sum to ffff */
	udp_build(b, HOST_IP, GW_IP, 1000, 2000, 10);
	CHECK_EQ(get_be16(b + 6), 0xffff);
	CHECK_EQ(udp_parse(b, 10, HOST_IP, GW_IP, &u), WIRE_OK);
	CHECK(!u.no_csum);
	return NULL;
}

/* ---- TCP ------------------------------------------------------------------ */

static enum wire_err tcp_frame(const char *hex, struct tcp_seg *s, uint8_t **p, size_t *n)
{
	load(hex);
	*p = l4(n);
	return tcp_exact(*p, *n, get_be32(fb + IP_OFF + 12), get_be32(fb + IP_OFF + 16), s);
}

UNIT_TEST(tcp_linux_syn)
{
	struct tcp_seg s;
	uint8_t *p;
	size_t n;

	CHECK_EQ(tcp_frame(hex_tcp_syn, &s, &p, &n), WIRE_OK);
	CHECK_EQ(s.sport, 0x970e);
	CHECK_EQ(s.dport, 8080);
	CHECK_EQ(s.seq, 0x0d55717a);
	CHECK_EQ(s.ack, 0);
	CHECK_EQ(s.hdr_len, 40);
	CHECK_EQ(s.flags, TCP_SYN);
	CHECK_EQ(s.window, 0xfaf0);
	CHECK_EQ(s.urg_ptr, 0);
	CHECK_EQ(s.payload_off, 40);
	CHECK_EQ(s.payload_len, 0);
	CHECK(s.opts.has_mss && s.opts.sack_ok && s.opts.has_ts && s.opts.has_wscale);
	CHECK_EQ(s.opts.mss, 1460);
	CHECK_EQ(s.opts.ts_val, 0xef136a0a);
	CHECK_EQ(s.opts.ts_ecr, 0);
	CHECK_EQ(s.opts.wscale, 10);
	CHECK_EQ(s.opts.nsack, 0);
	return NULL;
}

UNIT_TEST(tcp_linux_ack)
{
	struct tcp_seg s;
	uint8_t *p;
	size_t n;

	CHECK_EQ(tcp_frame(hex_tcp_ack, &s, &p, &n), WIRE_OK);
	CHECK_EQ(s.flags, TCP_ACK);
	CHECK_EQ(s.seq, 0x0d55717b);
	CHECK_EQ(s.ack, 5001);
	CHECK_EQ(s.hdr_len, 32);
	CHECK_EQ(s.window, 63);
	CHECK(s.opts.has_ts && !s.opts.has_mss && !s.opts.sack_ok && !s.opts.has_wscale);
	CHECK_EQ(s.opts.ts_val, 0xef136a0a);
	CHECK_EQ(s.opts.ts_ecr, 1000);
	CHECK_EQ(tcp_frame(hex_tcpnots_ack, &s, &p, &n), WIRE_OK);
	CHECK_EQ(s.hdr_len, 20);
	CHECK(!s.opts.has_ts && !s.opts.nsack);
	return NULL;
}

/* Linux's duplicate ACKs: the newest block first, at most 3 beside timestamps, 4 without. */
UNIT_TEST(tcp_linux_sack_blocks)
{
	static const uint32_t blocks[][2] = { { 0x2ee1, 0x2f45 }, { 0x2711, 0x2775 },
					      { 0x1f41, 0x1fa5 }, { 0x1771, 0x17d5 } };
	static const char *const ts[] = { hex_tcp_sack1, hex_tcp_sack2, hex_tcp_sack3 };
	struct tcp_seg s;
	uint8_t *p;
	size_t n;

	for (size_t k = 0; k < UNIT_COUNT(ts); k++) {
		CHECK_EQ(tcp_frame(ts[k], &s, &p, &n), WIRE_OK);
		CHECK(s.opts.has_ts);
		CHECK_EQ(s.opts.nsack, k + 1);
		for (size_t i = 0; i <= k; i++) {
			CHECK_EQ(s.opts.sack[i].left, blocks[3 - k + i][0]);
			CHECK_EQ(s.opts.sack[i].right, blocks[3 - k + i][1]);
		}
	}
	CHECK_EQ(tcp_frame(hex_tcp_sack4, &s, &p, &n), WIRE_OK);
	CHECK_EQ(s.opts.nsack, 3);
	CHECK_EQ(s.opts.sack[0].left, blocks[0][0]);
	CHECK_EQ(s.opts.sack[2].right, blocks[2][1]);
	CHECK_EQ(tcp_frame(hex_tcpnots_sack4, &s, &p, &n), WIRE_OK);
	CHECK(!s.opts.has_ts);
	CHECK_EQ(s.opts.nsack, 4);
	for (size_t i = 0; i < 4; i++)
		CHECK(s.opts.sack[i].left == blocks[i][0] && s.opts.sack[i].right == blocks[i][1]);
	return NULL;
}

/* Build the options of each captured segment: the bytes are Linux's own. */
UNIT_TEST(tcp_opts_build_matches_linux)
{
	static const char *const frames[] = { hex_tcp_syn, hex_tcp_ack, hex_tcp_sack1, hex_tcp_sack2,
					      hex_tcp_sack3, hex_tcp_sack4, hex_tcpnots_ack,
					      hex_tcpnots_sack4 };
	struct tcp_seg s;
	uint8_t *p, b[40];
	size_t n;

	for (size_t i = 0; i < UNIT_COUNT(frames); i++) {
		CHECK_EQ(tcp_frame(frames[i], &s, &p, &n), WIRE_OK);
		memset(b, 0xee, sizeof(b));
		CHECK_EQ(tcp_opts_build(b, sizeof(b), &s.opts), s.hdr_len - 20u);
		CHECK(memcmp(b, p + 20, s.hdr_len - 20u) == 0);
	}
	return NULL;
}

/* The layouts the brief spells out: SYN, ACK, SACK_PERM without timestamps. */
UNIT_TEST(tcp_opts_build_layouts)
{
	static const uint8_t syn[] = { 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 1, 2, 3, 4,
				       0, 0, 0, 0, 0x01, 0x03, 0x03, 0x07 };
	static const uint8_t ack[] = { 0x01, 0x01, 0x08, 0x0a, 0, 0, 0, 9, 1, 2, 3, 4 };
	static const uint8_t syn_nots[] = { 0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x04, 0x02,
					    0x01, 0x03, 0x03, 0x07 };
	struct tcp_opts o = { .has_mss = true, .mss = 1460, .sack_ok = true, .has_ts = true,
			      .ts_val = 0x01020304, .has_wscale = true, .wscale = 7 };
	uint8_t b[40];

	CHECK_EQ(tcp_opts_build(b, 40, &o), sizeof(syn));
	CHECK(memcmp(b, syn, sizeof(syn)) == 0);
	struct tcp_opts a = { .has_ts = true, .ts_val = 9, .ts_ecr = 0x01020304 };
	CHECK_EQ(tcp_opts_build(b, 40, &a), sizeof(ack));
	CHECK(memcmp(b, ack, sizeof(ack)) == 0);
	o.has_ts = false;
	CHECK_EQ(tcp_opts_build(b, 40, &o), sizeof(syn_nots));
	CHECK(memcmp(b, syn_nots, sizeof(syn_nots)) == 0);
	struct tcp_opts none = { 0 };
	CHECK_EQ(tcp_opts_build(b, 40, &none), 0);
	return NULL;
}

/* SACK blocks: 01 01 05 0a/12/1a/22, as many as the room leaves. */
UNIT_TEST(tcp_opts_build_sack_room)
{
	struct tcp_opts o = { .nsack = 4 };
	uint8_t b[64];

	for (int i = 0; i < 4; i++) {
		o.sack[i].left = 0x1000u * (unsigned)(i + 1);
		o.sack[i].right = o.sack[i].left + 100;
	}
	CHECK_EQ(tcp_opts_build(b, 40, &o), 36);
	CHECK(b[0] == 1 && b[1] == 1 && b[2] == 5 && b[3] == 0x22);
	CHECK_EQ(get_be32(b + 4 + 24), 0x4000);
	CHECK_EQ(tcp_opts_build(b, 64, &o), 36);      /* cap above 40 is 40 */
	o.has_ts = true;
	CHECK_EQ(tcp_opts_build(b, 40, &o), 12 + 28);  /* 3 blocks beside timestamps, as Linux */
	CHECK_EQ(b[15], 0x1a);
	CHECK_EQ(tcp_opts_build(b, 27, &o), 12 + 12);  /* cap not a multiple of 4 */
	CHECK_EQ(b[15], 0x0a);
	CHECK_EQ(tcp_opts_build(b, 23, &o), 12);       /* no room for one block: no SACK at all */
	CHECK_EQ(tcp_opts_build(b, 11, &o), 0);        /* nor for the timestamps */
	o.nsack = 200;                                 /* a bad count reads no more than 4 */
	o.has_ts = false;
	CHECK_EQ(tcp_opts_build(b, 40, &o), 36);
	o.nsack = 2;
	CHECK_EQ(tcp_opts_build(b, 40, &o), 20);
	CHECK_EQ(b[3], 0x12);
	return NULL;
}

/* Two option sets say the same (the blocks past nsack do not count). */
static bool opts_eq(const struct tcp_opts *a, const struct tcp_opts *b)
{
	if (a->has_mss != b->has_mss || (a->has_mss && a->mss != b->mss) || a->sack_ok != b->sack_ok ||
	    a->has_ts != b->has_ts || (a->has_ts && (a->ts_val != b->ts_val || a->ts_ecr != b->ts_ecr)) ||
	    a->has_wscale != b->has_wscale || (a->has_wscale && a->wscale != b->wscale) ||
	    a->nsack != b->nsack)
		return false;
	for (size_t i = 0; i < a->nsack; i++)
		if (a->sack[i].left != b->sack[i].left || a->sack[i].right != b->sack[i].right)
			return false;
	return true;
}

/* Whatever the options, building then parsing gives them back. */
UNIT_TEST(tcp_opts_round_trip)
{
	uint8_t seg[60];
	struct tcp_seg s = { .sport = 1, .dport = 2, .flags = TCP_ACK }, back;

	for (unsigned m = 0; m < 32; m++) {
		struct tcp_opts o = { .has_mss = m & 1, .mss = 536, .sack_ok = m >> 1 & 1,
				      .has_ts = m >> 2 & 1, .ts_val = 77, .ts_ecr = 88,
				      .has_wscale = m >> 3 & 1, .wscale = 14, .nsack = (m >> 4 & 1) * 2 };
		o.sack[0].left = 5; o.sack[0].right = 6; o.sack[1].left = 7; o.sack[1].right = 8;
		memset(seg, 0, sizeof(seg));
		size_t n = tcp_opts_build(seg + 20, 40, &o);
		s.hdr_len = (uint8_t)(20 + n);
		tcp_build(seg, HOST_IP, GW_IP, &s, s.hdr_len);
		CHECK_EQ(tcp_parse(seg, s.hdr_len, HOST_IP, GW_IP, &back), WIRE_OK);
		CHECK(opts_eq(&back.opts, &o));
	}
	return NULL;
}

/* tcp_build remakes Linux's segments byte for byte (checksum included). */
UNIT_TEST(tcp_build_matches_linux)
{
	static const char *const frames[] = { hex_tcp_syn, hex_tcp_ack, hex_tcp_sack3, hex_tcpnots_sack4 };
	struct tcp_seg s;
	uint8_t *p, b[128];
	size_t n;

	for (size_t i = 0; i < UNIT_COUNT(frames); i++) {
		CHECK_EQ(tcp_frame(frames[i], &s, &p, &n), WIRE_OK);
		memset(b, 0xee, 20);
		memcpy(b + 20, p + 20, n - 20);
		tcp_build(b, get_be32(fb + IP_OFF + 12), get_be32(fb + IP_OFF + 16), &s, (uint32_t)n);
		CHECK(memcmp(b, p, n) == 0);
	}
	return NULL;
}

/* A segment with data: payload_off and payload_len, and the sum over the data. */
UNIT_TEST(tcp_payload)
{
	uint8_t seg[64] = { 0 };
	struct tcp_seg s = { .sport = 80, .dport = 5000, .seq = 1, .ack = 2, .hdr_len = 20,
			     .flags = TCP_ACK | TCP_PSH, .window = 512 }, back;

	memcpy(seg + 20, "hello, kestrel", 14);
	tcp_build(seg, GW_IP, HOST_IP, &s, 34);
	CHECK_EQ(tcp_parse(seg, 34, GW_IP, HOST_IP, &back), WIRE_OK);
	CHECK_EQ(back.payload_off, 20);
	CHECK_EQ(back.payload_len, 14);
	CHECK_EQ(back.flags, TCP_ACK | TCP_PSH);
	seg[33] ^= 1;
	CHECK_EQ(tcp_parse(seg, 34, GW_IP, HOST_IP, &back), WIRE_BAD_CSUM);
	seg[33] ^= 1;
	CHECK_EQ(tcp_parse(seg, 34, GW_IP, DNS_IP, &back), WIRE_BAD_CSUM);
	return NULL;
}

/* The checksum left to the device (tcp_build_partial), then finished as
 * netbuf_csum_finish does (the segment summed, field included, and the
 * complement stored), gives tcp_build's segment byte for byte, odd
 * lengths too; tcp_parse_checked trusts a segment only when told to. */
UNIT_TEST(tcp_build_partial_finishes_to_full)
{
	uint8_t full[64], part[64];
	struct tcp_seg s = { .sport = 80, .dport = 5000, .seq = 1, .ack = 2, .hdr_len = 20,
			     .flags = TCP_ACK | TCP_PSH, .window = 512 }, back;

	for (uint32_t len = 20; len <= 35; len++) {
		memset(full, 0, sizeof(full));
		memcpy(full + 20, "hello, kestrel, again", 15);
		memcpy(part, full, sizeof(part));
		tcp_build(full, GW_IP, HOST_IP, &s, len);
		tcp_build_partial(part, GW_IP, HOST_IP, &s, len);
		CHECK(len == 20 || memcmp(part, full, len) != 0 || get_be16(full + TCP_CSUM_FIELD) == 0);
		put_be16(part + TCP_CSUM_FIELD, csum_fold(csum_add(0, part, len)));
		CHECK(memcmp(part, full, len) == 0);
	}
	full[33] ^= 1;
	CHECK_EQ(tcp_parse_checked(full, 34, GW_IP, HOST_IP, false, &back), WIRE_BAD_CSUM);
	CHECK_EQ(tcp_parse_checked(full, 34, GW_IP, HOST_IP, true, &back), WIRE_OK);
	CHECK_EQ(back.payload_len, 14);
	return NULL;
}

/* Cut anywhere: short of the header truncated, after it the sum is wrong. */
UNIT_TEST(tcp_truncated_every_byte)
{
	struct tcp_seg s;
	uint8_t *p;
	size_t n;

	CHECK_EQ(tcp_frame(hex_tcpnots_sack4, &s, &p, &n), WIRE_OK);
	for (size_t k = 0; k < n; k++)
		CHECK_EQ(tcp_exact(p, k, GW_IP, HOST_IP, &s), WIRE_TRUNCATED);
	memcpy(fb + 1024, p, n);
	memcpy(fb + 1024 + n, "data", 4);
	p = fb + 1024;
	for (size_t k = n + 1; k <= n + 4; k++)
		CHECK_EQ(tcp_exact(p, k, HOST_IP, GW_IP, &s), WIRE_BAD_CSUM);
	return NULL;
}

UNIT_TEST(tcp_bad_data_offset)
{
	struct tcp_seg s;
	uint8_t *p;
	size_t n;

	for (unsigned d = 0; d < 5; d++) {
		tcp_frame(hex_tcp_syn, &s, &p, &n);
		p[12] = (uint8_t)(d << 4);
		CHECK_EQ(tcp_exact(p, n, HOST_IP, GW_IP, &s), WIRE_BAD_HEADER);
	}
	tcp_frame(hex_tcp_syn, &s, &p, &n);   /* 44 bytes, past the 40 there are */
	p[12] = 0xb0;
	CHECK_EQ(tcp_exact(p, n, HOST_IP, GW_IP, &s), WIRE_TRUNCATED);
	p[12] = 0xf0;
	CHECK_EQ(tcp_exact(p, n, HOST_IP, GW_IP, &s), WIRE_TRUNCATED);
	return NULL;
}

/* A segment with the n option bytes o (n a multiple of 4), checksummed, parsed. */
static enum wire_err tcp_opts_parse(const uint8_t *o, size_t n, struct tcp_seg *back)
{
	uint8_t seg[60] = { 0 };
	struct tcp_seg s = { .sport = 1, .dport = 2, .hdr_len = (uint8_t)(20 + n), .flags = TCP_SYN };

	memcpy(seg + 20, o, n);
	tcp_build(seg, HOST_IP, GW_IP, &s, s.hdr_len);
	return tcp_exact(seg, s.hdr_len, HOST_IP, GW_IP, back);
}

UNIT_TEST(tcp_bad_options)
{
	static const struct { uint8_t o[44]; size_t n; } bad[] = {
		{ { 2, 3, 5, 1 }, 4 },                       /* MSS of length 3 */
		{ { 2, 5, 5, 0xb4, 0, 1, 1, 1 }, 8 },        /* MSS of length 5 */
		{ { 3, 2, 1, 1 }, 4 },                       /* WSCALE of length 2 */
		{ { 3, 4, 7, 0 }, 4 },                       /* WSCALE of length 4 */
		{ { 4, 3, 0, 1 }, 4 },                       /* SACK_PERM of length 3 */
		{ { 8, 8, 0, 0, 0, 0, 0, 0 }, 8 },           /* TIMESTAMP of length 8 */
		{ { 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 12 },
		{ { 5, 2, 1, 1 }, 4 },                       /* SACK with 0 blocks */
		{ { 5, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 12 }, /* SACK of 1.125 blocks */
		{ { 5, 42 }, 40 },                           /* SACK with 5 blocks: past the header */
		{ { 1, 1, 1, 1, 5, 34 }, 36 },               /* 4 blocks from index 4: past the header */
		{ { 30, 0, 1, 1 }, 4 },                      /* length 0 */
		{ { 30, 1, 1, 1 }, 4 },                      /* length 1 */
		{ { 30, 5, 1, 1 }, 4 },                      /* past the header */
		{ { 1, 1, 1, 30 }, 4 },                      /* no room for the length byte */
		{ { 1, 1, 1, 2 }, 4 },                       /* MSS without its length */
	};
	struct tcp_seg s;

	/* Linux keeps the segment and ignores the option (tcp_parse_options) */
	for (size_t i = 0; i < UNIT_COUNT(bad); i++) {
		enum wire_err e = tcp_opts_parse(bad[i].o, bad[i].n, &s);
		const struct tcp_opts *o = &s.opts;
		if (e != WIRE_OK || o->has_mss || o->has_wscale || o->sack_ok || o->has_ts || o->nsack) {
			snprintf(unit_msg, sizeof(unit_msg), "bad option %zu: error %d or a value taken", i, e);
			return unit_msg;
		}
	}
	/* a bad one ends the options, but those before it stay */
	static const uint8_t before[] = { 2, 4, 0x05, 0xb4, 30, 1, 0, 0 };
	CHECK_EQ(tcp_opts_parse(before, sizeof(before), &s), WIRE_OK);
	CHECK(s.opts.has_mss && s.opts.mss == 1460);
	return NULL;
}

/* EOL ends the options (what follows is padding), unknown kinds are skipped. */
UNIT_TEST(tcp_options_end_and_unknown)
{
	static const uint8_t eol[] = { 2, 4, 0x05, 0xb4, 0, 2, 0, 0 };
	static const uint8_t unknown[] = { 30, 4, 0x12, 0x34, 254, 6, 0xf9, 0x89, 0, 0, 3, 3, 14, 1, 1, 1 };
	static const uint8_t sack4[] = { 1, 1, 5, 34, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4,
					 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0, 8 };
	struct tcp_seg s;

	CHECK_EQ(tcp_opts_parse(eol, sizeof(eol), &s), WIRE_OK);
	CHECK(s.opts.has_mss && s.opts.mss == 1460);
	CHECK_EQ(tcp_opts_parse(unknown, sizeof(unknown), &s), WIRE_OK);
	CHECK(s.opts.has_wscale && s.opts.wscale == 14 && !s.opts.has_mss);
	/* a window scale above 14 is kept as sent: the caller clamps */
	static const uint8_t ws15[] = { 3, 3, 15, 1 };
	CHECK_EQ(tcp_opts_parse(ws15, sizeof(ws15), &s), WIRE_OK);
	CHECK_EQ(s.opts.wscale, 15);
	CHECK_EQ(tcp_opts_parse(sack4, sizeof(sack4), &s), WIRE_OK);
	CHECK_EQ(s.opts.nsack, 4);
	CHECK_EQ(s.opts.sack[3].right, 8);
	return NULL;
}

/* A TCP length no IPv4 packet has (the pseudo-header holds 16 bits). */
UNIT_TEST(tcp_too_long)
{
	static uint8_t big[65536 + 20];
	struct tcp_seg s;

	big[12] = 0x50;
	CHECK_EQ(tcp_parse(big, sizeof(big), HOST_IP, GW_IP, &s), WIRE_BAD_HEADER);
	return NULL;
}

/* ---- DHCP ----------------------------------------------------------------- */

static enum wire_err dhcp_frame(const char *hex, struct dhcp_info *d, uint8_t **p, size_t *n)
{
	load(hex);
	*p = l4(n);
	*p += 8;
	*n -= 8;
	uint8_t *b = exact(*p, *n);
	enum wire_err e = dhcp_parse(b, *n, d);
	free(b);
	return e;
}

/* busybox udhcpd's OFFER: every field Kestrel reads. */
UNIT_TEST(dhcp_udhcpd_offer)
{
	struct dhcp_info d;
	uint8_t *p;
	size_t n;

	CHECK_EQ(dhcp_frame(hex_dhcp_offer, &d, &p, &n), WIRE_OK);
	CHECK_EQ(n, 300);
	CHECK_EQ(d.op, 2);
	CHECK_EQ(d.xid, 0xe5964a48);
	CHECK_EQ(d.ciaddr, 0);
	CHECK_EQ(d.yiaddr, 0x0a000215);
	CHECK_EQ(d.siaddr, 0);
	CHECK(memcmp(d.chaddr, host_mac, 6) == 0);
	CHECK_EQ(d.msg_type, DHCP_OFFER);
	CHECK_EQ(d.server_id, GW_IP);
	CHECK_EQ(d.lease_s, 86400);
	CHECK_EQ(d.subnet_mask, 0xffffff00);
	CHECK_EQ(d.router, GW_IP);
	CHECK_EQ(d.ndns, 1);
	CHECK_EQ(d.dns[0], DNS_IP);
	CHECK_STR(d.domain, "kestrel.test");
	CHECK_STR(d.hostname, "");
	CHECK_EQ(d.mtu, 1500);
	CHECK_EQ(d.renew_s, 0);
	CHECK_EQ(d.rebind_s, 0);
	return NULL;
}

/* busybox udhcpc's DISCOVER: the client identifier and the rest are skipped. */
UNIT_TEST(dhcp_udhcpc_discover)
{
	struct dhcp_info d;
	uint8_t *p;
	size_t n;

	CHECK_EQ(dhcp_frame(hex_dhcp_discover, &d, &p, &n), WIRE_OK);
	CHECK_EQ(d.op, 1);
	CHECK_EQ(d.msg_type, DHCP_DISCOVER);
	CHECK_EQ(d.xid, 0xe5964a48);
	CHECK_STR(d.hostname, "kestrel");
	CHECK_EQ(d.server_id, 0);
	CHECK_EQ(d.ndns, 0);
	return NULL;
}

/* An OFFER laid out as libslirp's bootp.c lays it (QEMU's user network):
 * 548 bytes, options 53 54 1 [3 6] 51 END; restrict=on leaves out 3 and 6. */
static size_t slirp_offer(uint8_t *p, bool restricted)
{
	static const uint8_t head[] = { 53, 1, DHCP_OFFER, 54, 4, 10, 0, 2, 2, 1, 4, 255, 255, 255, 0 };
	static const uint8_t route[] = { 3, 4, 10, 0, 2, 2, 6, 4, 10, 0, 2, 3 };
	static const uint8_t tail[] = { 51, 4, 0, 1, 0x51, 0x80, 255 };
	size_t i = DHCP_MIN_LEN;

	memset(p, 0, 548);
	p[0] = 2; p[1] = 1; p[2] = 6;
	put_be32(p + 4, 0x12345678);
	put_be32(p + 16, 0x0a00020f);
	put_be32(p + 20, GW_IP);
	memcpy(p + 28, host_mac, 6);
	put_be32(p + 236, 0x63825363);
	memcpy(p + i, head, sizeof(head));
	i += sizeof(head);
	if (!restricted) {
		memcpy(p + i, route, sizeof(route));
		i += sizeof(route);
	}
	memcpy(p + i, tail, sizeof(tail));
	return 548;
}

UNIT_TEST(dhcp_slirp_offer)
{
	uint8_t b[548];
	struct dhcp_info d;

	CHECK_EQ(dhcp_parse(b, slirp_offer(b, false), &d), WIRE_OK);
	CHECK_EQ(d.msg_type, DHCP_OFFER);
	CHECK_EQ(d.yiaddr, HOST_IP);
	CHECK_EQ(d.siaddr, GW_IP);
	CHECK_EQ(d.server_id, GW_IP);
	CHECK_EQ(d.router, GW_IP);
	CHECK_EQ(d.ndns, 1);
	CHECK_EQ(d.dns[0], DNS_IP);
	CHECK_EQ(d.lease_s, 86400);
	CHECK_EQ(dhcp_parse(b, slirp_offer(b, true), &d), WIRE_OK);
	CHECK_EQ(d.router, 0);
	CHECK_EQ(d.ndns, 0);
	CHECK_EQ(d.subnet_mask, 0xffffff00);
	return NULL;
}

UNIT_TEST(dhcp_truncated_and_no_cookie)
{
	struct dhcp_info d;
	uint8_t *p;
	size_t n;

	dhcp_frame(hex_dhcp_offer, &d, &p, &n);
	for (size_t k = 0; k < DHCP_MIN_LEN; k++) {
		uint8_t *b = exact(p, k);
		enum wire_err e = dhcp_parse(b, k, &d);
		free(b);
		CHECK_EQ(e, WIRE_TRUNCATED);
	}
	CHECK_EQ(dhcp_parse(p, DHCP_MIN_LEN, &d), WIRE_OK);   /* a BOOTP reply: no options */
	CHECK_EQ(d.msg_type, 0);
	p[DHCP_FIXED_LEN + 3] ^= 1;
	CHECK_EQ(dhcp_parse(p, n, &d), WIRE_BAD_HEADER);
	return NULL;
}

UNIT_TEST(dhcp_bad_fixed_fields)
{
	struct dhcp_info d;
	uint8_t *p;
	size_t n;

	dhcp_frame(hex_dhcp_offer, &d, &p, &n);
	p[1] = 6;                                   /* htype IEEE 802 */
	CHECK_EQ(dhcp_parse(p, n, &d), WIRE_UNSUPPORTED);
	p[1] = 1;
	p[2] = 16;                                  /* hlen 16 */
	CHECK_EQ(dhcp_parse(p, n, &d), WIRE_UNSUPPORTED);
	p[2] = 6;
	p[0] = 3;                                   /* op neither request nor reply */
	CHECK_EQ(dhcp_parse(p, n, &d), WIRE_BAD_HEADER);
	p[0] = 0;
	CHECK_EQ(dhcp_parse(p, n, &d), WIRE_BAD_HEADER);
	return NULL;
}

/* A message of 240 bytes and the n option bytes o, parsed from a buffer of exactly that size. */
static enum wire_err dhcp_opts_parse(const uint8_t *o, size_t n, struct dhcp_info *d)
{
	uint8_t *b = calloc(1, DHCP_MIN_LEN + n + 1);
	enum wire_err e;

	b[0] = 2; b[1] = 1; b[2] = 6;
	put_be32(b + DHCP_FIXED_LEN, 0x63825363);
	memcpy(b + DHCP_MIN_LEN, o, n);
	uint8_t *x = exact(b, DHCP_MIN_LEN + n);
	e = dhcp_parse(x, DHCP_MIN_LEN + n, d);
	free(x);
	free(b);
	return e;
}

UNIT_TEST(dhcp_bad_options)
{
	static const struct { uint8_t o[12]; size_t n; } bad[] = {
		{ { 53 }, 1 },                               /* a code and no length */
		{ { 0, 0, 53 }, 3 },
		{ { 53, 1 }, 2 },                            /* the value runs past the end */
		{ { 12, 10, 'k', 'e', 's' }, 5 },
		{ { 53, 2, 1, 1 }, 4 },                      /* message type of 2 bytes */
		{ { 53, 0 }, 2 },
		{ { 54, 3, 10, 0, 2 }, 5 },                  /* server id of 3 */
		{ { 1, 5, 255, 255, 255, 0, 0 }, 7 },        /* netmask of 5 */
		{ { 3, 6, 10, 0, 2, 2, 10, 0 }, 8 },         /* router list not of 4s */
		{ { 3, 0 }, 2 },
		{ { 6, 0 }, 2 },                             /* DNS of none */
		{ { 26, 1, 5 }, 3 },                         /* MTU of 1 */
		{ { 51, 2, 0, 1 }, 4 },                      /* lease of 2 */
		{ { 58, 8, 0, 0, 0, 1, 0, 0, 0, 2 }, 10 },
		{ { 59, 0 }, 2 },
		{ { 12, 0 }, 2 },                            /* empty host name */
		{ { 15, 0, 255 }, 3 },
	};
	struct dhcp_info d;

	for (size_t i = 0; i < UNIT_COUNT(bad); i++)
		if (dhcp_opts_parse(bad[i].o, bad[i].n, &d) != WIRE_BAD_OPTION) {
			snprintf(unit_msg, sizeof(unit_msg), "bad option %zu accepted", i);
			return unit_msg;
		}
	return NULL;
}

UNIT_TEST(dhcp_option_edges)
{
	static const uint8_t dns5[] = { 6, 20, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5 };
	static const uint8_t after_end[] = { 53, 1, 5, 255, 53, 7, 0 };
	static const uint8_t pads_no_end[] = { 0, 0, 0, 53, 1, 3, 0, 0, 52, 1, 3, 58, 4, 0, 0, 0, 60 };
	uint8_t longname[2 + 200];
	struct dhcp_info d;

	CHECK_EQ(dhcp_opts_parse(dns5, sizeof(dns5), &d), WIRE_OK);
	CHECK_EQ(d.ndns, 3);
	CHECK(d.dns[0] == 0x01010101 && d.dns[2] == 0x03030303);
	CHECK_EQ(dhcp_opts_parse(after_end, sizeof(after_end), &d), WIRE_OK);
	CHECK_EQ(d.msg_type, DHCP_ACK);
	CHECK_EQ(dhcp_opts_parse(pads_no_end, sizeof(pads_no_end), &d), WIRE_OK);
	CHECK_EQ(d.msg_type, DHCP_REQUEST);
	CHECK_EQ(d.renew_s, 60);
	longname[0] = 15;
	longname[1] = 200;
	memset(longname + 2, 'a', 200);
	CHECK_EQ(dhcp_opts_parse(longname, sizeof(longname), &d), WIRE_OK);
	CHECK_EQ(strlen(d.domain), 63);
	/* an embedded NUL ends the string */
	static const uint8_t nul[] = { 12, 5, 'a', 'b', 0, 'c', 'd' };
	CHECK_EQ(dhcp_opts_parse(nul, sizeof(nul), &d), WIRE_OK);
	CHECK_STR(d.hostname, "ab");
	return NULL;
}

/* Find option code in a built message of n bytes; NULL when absent. */
static const uint8_t *dhcp_find(const uint8_t *p, size_t n, uint8_t code)
{
	for (size_t i = DHCP_MIN_LEN; i + 1 < n && p[i] != 255; i += p[i] ? 2u + p[i + 1] : 1)
		if (p[i] == code)
			return p + i;
	return NULL;
}

UNIT_TEST(dhcp_build_discover)
{
	static const uint8_t params[] = { 55, 9, 1, 3, 6, 12, 15, 26, 51, 58, 59 };
	uint8_t b[600];
	struct dhcp_info d;

	memset(b, 0xee, sizeof(b));
	size_t n = dhcp_build(b, sizeof(b), DHCP_DISCOVER, 0xe5964a48, host_mac, 0, 0, 0, "kestrel");
	CHECK_EQ(n, 300);
	CHECK_EQ(dhcp_parse(b, n, &d), WIRE_OK);
	CHECK_EQ(d.op, 1);
	CHECK_EQ(d.msg_type, DHCP_DISCOVER);
	CHECK_EQ(d.xid, 0xe5964a48);
	CHECK(memcmp(d.chaddr, host_mac, 6) == 0);
	CHECK_STR(d.hostname, "kestrel");
	CHECK_EQ(get_be16(b + 10), 0);               /* the broadcast flag off */
	CHECK_EQ(b[3], 0);
	const uint8_t *o = dhcp_find(b, n, 55);
	CHECK(o && memcmp(o, params, sizeof(params)) == 0);
	CHECK(!dhcp_find(b, n, 50) && !dhcp_find(b, n, 54));
	for (size_t i = 44; i < 236; i++)            /* sname and file empty */
		CHECK_EQ(b[i], 0);
	/* the same header busybox udhcpc sent */
	uint8_t *p;
	size_t m;
	dhcp_frame(hex_dhcp_discover, &d, &p, &m);
	CHECK(memcmp(b, p, 8) == 0 && memcmp(b + 12, p + 12, 240 - 12) == 0);
	return NULL;
}

UNIT_TEST(dhcp_build_request_and_release)
{
	uint8_t b[300];
	struct dhcp_info d;

	size_t n = dhcp_build(b, sizeof(b), DHCP_REQUEST, 7, host_mac, 0, HOST_IP, GW_IP, NULL);
	CHECK_EQ(n, 300);
	CHECK_EQ(dhcp_parse(b, n, &d), WIRE_OK);
	CHECK_EQ(d.msg_type, DHCP_REQUEST);
	CHECK_EQ(d.server_id, GW_IP);
	const uint8_t *o = dhcp_find(b, n, 50);
	CHECK(o && o[1] == 4 && get_be32(o + 2) == HOST_IP);
	CHECK_STR(d.hostname, "");
	n = dhcp_build(b, sizeof(b), DHCP_RELEASE, 8, host_mac, HOST_IP, 0, GW_IP, "kestrel");
	CHECK_EQ(dhcp_parse(b, n, &d), WIRE_OK);
	CHECK_EQ(d.msg_type, DHCP_RELEASE);
	CHECK_EQ(d.ciaddr, HOST_IP);
	CHECK_EQ(d.server_id, GW_IP);
	CHECK(!dhcp_find(b, n, 55) && !dhcp_find(b, n, 12));   /* RFC 2131 table 5 */
	CHECK_EQ(dhcp_build(b, 299, DHCP_DISCOVER, 1, host_mac, 0, 0, 0, NULL), 0);
	return NULL;
}

/* A host name longer than the room is cut to what fits cap; the message still parses. */
UNIT_TEST(dhcp_build_long_hostname)
{
	char name[400];
	struct dhcp_info d;
	uint8_t *b = malloc(300);

	memset(name, 'h', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	size_t n = dhcp_build(b, 300, DHCP_REQUEST, 1, host_mac, 0, HOST_IP, GW_IP, name);
	CHECK_EQ(n, 300);
	CHECK_EQ(dhcp_parse(b, n, &d), WIRE_OK);
	CHECK(dhcp_find(b, n, 55) != NULL);
	CHECK_EQ(b[299], 255);
	free(b);
	uint8_t big[1000];
	n = dhcp_build(big, sizeof(big), DHCP_DISCOVER, 1, host_mac, 0, 0, 0, name);
	CHECK_EQ(dhcp_find(big, n, 12)[1], 255);
	CHECK_EQ(dhcp_parse(big, n, &d), WIRE_OK);
	CHECK_EQ(strlen(d.hostname), 63);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_ENTRY(csum_rfc1071_example),
		UNIT_ENTRY(csum_odd_length),
		UNIT_ENTRY(csum_matches_reference),
		UNIT_ENTRY(csum_ipv4_example),
		UNIT_ENTRY(csum_no_overflow),
		UNIT_ENTRY(csum_pseudo_header),
		UNIT_ENTRY(csum_matches_linux),
		UNIT_ENTRY(eth_linux_arp_request),
		UNIT_ENTRY(eth_truncated),
		UNIT_ENTRY(eth_unsupported_types),
		UNIT_ENTRY(eth_build_round_trip),
		UNIT_ENTRY(arp_linux_request),
		UNIT_ENTRY(arp_truncated_and_padded),
		UNIT_ENTRY(arp_other_hardware),
		UNIT_ENTRY(arp_bad_op),
		UNIT_ENTRY(arp_build_round_trip),
		UNIT_ENTRY(ipv4_linux_echo),
		UNIT_ENTRY(ipv4_linux_icmp_error),
		UNIT_ENTRY(ipv4_truncated_every_byte),
		UNIT_ENTRY(ipv4_bad_csum),
		UNIT_ENTRY(ipv4_bad_version_and_ihl),
		UNIT_ENTRY(ipv4_bad_total_length),
		UNIT_ENTRY(ipv4_good_options),
		UNIT_ENTRY(ipv4_bad_options),
		UNIT_ENTRY(ipv4_options_fill_header),
		UNIT_ENTRY(ipv4_fragments),
		UNIT_ENTRY(ipv4_build_matches_linux),
		UNIT_ENTRY(icmp_linux_echo),
		UNIT_ENTRY(icmp_linux_port_unreach),
		UNIT_ENTRY(icmp_truncated_every_byte),
		UNIT_ENTRY(icmp_bad_csum),
		UNIT_ENTRY(icmp_error_inner_checks),
		UNIT_ENTRY(icmp_error_types),
		UNIT_ENTRY(icmp_frag_needed),
		UNIT_ENTRY(icmp_build_matches_linux),
		UNIT_ENTRY(udp_linux_dns_query),
		UNIT_ENTRY(udp_truncated_every_byte),
		UNIT_ENTRY(udp_length_field),
		UNIT_ENTRY(udp_bad_csum),
		UNIT_ENTRY(udp_no_csum_accepted),
		UNIT_ENTRY(udp_build_matches_linux),
		UNIT_ENTRY(udp_build_zero_csum),
		UNIT_ENTRY(tcp_linux_syn),
		UNIT_ENTRY(tcp_linux_ack),
		UNIT_ENTRY(tcp_linux_sack_blocks),
		UNIT_ENTRY(tcp_opts_build_matches_linux),
		UNIT_ENTRY(tcp_opts_build_layouts),
		UNIT_ENTRY(tcp_opts_build_sack_room),
		UNIT_ENTRY(tcp_opts_round_trip),
		UNIT_ENTRY(tcp_build_matches_linux),
		UNIT_ENTRY(tcp_payload),
		UNIT_ENTRY(tcp_build_partial_finishes_to_full),
		UNIT_ENTRY(tcp_truncated_every_byte),
		UNIT_ENTRY(tcp_bad_data_offset),
		UNIT_ENTRY(tcp_bad_options),
		UNIT_ENTRY(tcp_options_end_and_unknown),
		UNIT_ENTRY(tcp_too_long),
		UNIT_ENTRY(dhcp_udhcpd_offer),
		UNIT_ENTRY(dhcp_udhcpc_discover),
		UNIT_ENTRY(dhcp_slirp_offer),
		UNIT_ENTRY(dhcp_truncated_and_no_cookie),
		UNIT_ENTRY(dhcp_bad_fixed_fields),
		UNIT_ENTRY(dhcp_bad_options),
		UNIT_ENTRY(dhcp_option_edges),
		UNIT_ENTRY(dhcp_build_discover),
		UNIT_ENTRY(dhcp_build_request_and_release),
		UNIT_ENTRY(dhcp_build_long_hostname),
	};
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
