/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for IPv6's parsers (kernel/net/wire6.c): the input is
 * a flags byte (FUZZ_FIX_CSUM: once ipv6_parse took the packet, the
 * harness makes the ICMPv6 or UDP checksum right, so the fuzzer reaches
 * Neighbor Discovery's options and the quoted headers of errors) and an
 * IPv6 packet. ipv6_parse walks the extension headers; its upper layer
 * then goes to icmp6_parse, udp6_parse or tcp6_parse_checked (TCP's
 * receive path over IPv6; its checksum is fixed too, and a taken
 * segment's header, payload and options stay inside it and its sum is
 * right, then built again with tcp6_build_partial). None reads outside the packet
 * or writes it; on WIRE_OK the offsets stay inside the payload, the walk
 * ended on no extension header but a fragment, the fragment's fields are
 * its header's, an ICMPv6 message's sum is right, its quoted packet and
 * its ND fields are inside it, and a refusal's pointer is inside the packet.
 */
#include "fuzz_net.h"
#include "net/wire6.h"

#define TCP_DOFF 12   /* the data offset byte of a TCP header (wire.c's) */

static bool is_ext(uint8_t nh)
{
	return nh == NEXTHDR_HOP || nh == NEXTHDR_ROUTING || nh == NEXTHDR_DEST;
}

static void check_ipv6(const uint8_t *p, size_t len, const struct ipv6_info *ip)
{
	size_t end = IPV6_HDR_LEN + (size_t)ip->payload_len;
	FUZZ_ASSERT(len >= end && p[0] >> 4 == 6);
	FUZZ_ASSERT(ip->l4_off >= IPV6_HDR_LEN && ip->l4_off <= end);
	FUZZ_ASSERT(ip->nh_off < ip->l4_off);
	FUZZ_ASSERT(!is_ext(ip->proto));
	FUZZ_ASSERT(memcmp(ip->src.b, p + 8, 16) == 0 && memcmp(ip->dst.b, p + 24, 16) == 0);
	if (ip->proto == NEXTHDR_FRAGMENT) {
		FUZZ_ASSERT(ip->frag_hdr_off + IPV6_FRAG_HDR_LEN == ip->l4_off);
		FUZZ_ASSERT(ip->frag_off || ip->frag_mf);
		FUZZ_ASSERT(ip->frag_off + (end - ip->l4_off) <= 65535);
		FUZZ_ASSERT(ip->frag_id == get_be32(p + ip->frag_hdr_off + 4));
	} else {
		FUZZ_ASSERT(p[ip->nh_off] == ip->proto);
	}
}

static void check_icmp6(const uint8_t *p, size_t len, const struct ipv6_info *ip, const struct icmp6_info *ic)
{
	FUZZ_ASSERT(len >= ICMPV6_HDR_LEN);
	FUZZ_ASSERT(csum_fold(csum_add(csum_pseudo6(&ip->src, &ip->dst, (uint32_t)len, NEXTHDR_ICMP), p, len)) == 0);
	FUZZ_ASSERT(ic->type == p[0] && ic->code == p[1] && ic->rest == get_be32(p + 4));
	FUZZ_ASSERT(ic->has_inner == (ic->type < ICMPV6_ECHO_REQUEST));
	if (ic->has_inner) {
		FUZZ_ASSERT(len >= ICMPV6_HDR_LEN + IPV6_HDR_LEN);
		FUZZ_ASSERT(ic->inner_l4 >= p + ICMPV6_HDR_LEN + IPV6_HDR_LEN);
		FUZZ_ASSERT(ic->inner_l4 + ic->inner_l4_len <= p + len);
	}
	FUZZ_ASSERT(ic->nprefix <= ND_PREFIX_MAX);
	if (ic->type == NDISC_NEIGHBOUR_SOLICIT || ic->type == NDISC_NEIGHBOUR_ADVERT) {
		FUZZ_ASSERT(len >= ND_NS_LEN && !in6_is_multicast(&ic->target) && ic->code == 0);
		FUZZ_ASSERT(!(in6_is_any(&ip->src) && ic->has_sll && ic->type == NDISC_NEIGHBOUR_SOLICIT));
	}
	if (ic->type == NDISC_ROUTER_ADVERT)
		FUZZ_ASSERT(len >= ND_RA_LEN && in6_is_linklocal(&ip->src));
}

/* A segment tcp6_parse_checked took (p, len bytes): its fields inside it,
 * the sum right; built again from what was read, with its checksum left
 * partial as the stack sends it, then completed, it sums right too. */
static void check_tcp6(const uint8_t *p, size_t len, const struct ipv6_info *ip, const struct tcp_seg *s)
{
	FUZZ_ASSERT(s->hdr_len >= TCP_HDR_MIN && s->hdr_len <= TCP_HDR_MAX && s->hdr_len <= len);
	FUZZ_ASSERT(s->hdr_len == (p[TCP_DOFF] >> 4) * 4);
	FUZZ_ASSERT(s->payload_off == s->hdr_len && s->payload_off + s->payload_len == len);
	FUZZ_ASSERT(csum_fold(csum_add(csum_pseudo6(&ip->src, &ip->dst, (uint32_t)len, NEXTHDR_TCP), p, len)) == 0);
	FUZZ_ASSERT(s->opts.nsack <= TCP_SACK_MAX);
	FUZZ_ASSERT(s->sport == get_be16(p) && s->dport == get_be16(p + 2) && s->flags == p[13]);
	uint8_t *again = malloc(len);
	FUZZ_ASSERT(again != NULL);
	memcpy(again, p, len);
	tcp6_build_partial(again, &ip->src, &ip->dst, s, (uint32_t)len);
	put_be16(again + TCP_CSUM_FIELD, csum_fold(csum_add(0, again, len)));
	FUZZ_ASSERT(csum_fold(csum_add(csum_pseudo6(&ip->src, &ip->dst, (uint32_t)len, NEXTHDR_TCP), again, len)) == 0);
	free(again);
}

/* The upper layer of a packet ipv6_parse took: its checksum fixed if asked, then parsed. */
static void upper(uint8_t *p, const struct ipv6_info *ip, bool fix, struct fuzz_buf *b)
{
	uint8_t *l4 = p + ip->l4_off;
	size_t l4len = IPV6_HDR_LEN + (size_t)ip->payload_len - ip->l4_off;
	uint32_t pseudo = csum_pseudo6(&ip->src, &ip->dst, (uint32_t)l4len, (uint8_t)ip->proto);
	struct icmp6_info ic;
	struct udp_info u;
	struct tcp_seg seg;

	if (ip->proto == NEXTHDR_ICMP) {
		if (fix && l4len >= ICMPV6_HDR_LEN)
			fuzz_fix_csum(l4, l4len, 2, pseudo);
		fuzz_buf_snap(b);
		if (icmp6_parse(l4, l4len, &ip->src, &ip->dst, &ic) == WIRE_OK)
			check_icmp6(l4, l4len, ip, &ic);
	} else if (ip->proto == NEXTHDR_UDP) {
		if (fix && l4len >= UDP_HDR_LEN && get_be16(l4 + 4) >= UDP_HDR_LEN && get_be16(l4 + 4) <= l4len)
			fuzz_fix_csum(l4, get_be16(l4 + 4), 6,
				      csum_pseudo6(&ip->src, &ip->dst, get_be16(l4 + 4), NEXTHDR_UDP));
		fuzz_buf_snap(b);
		if (udp6_parse(l4, l4len, &ip->src, &ip->dst, &u) == WIRE_OK)
			FUZZ_ASSERT(u.len >= UDP_HDR_LEN && u.len <= l4len && get_be16(l4 + 6) != 0);
	} else if (ip->proto == NEXTHDR_TCP) {
		if (fix && l4len >= TCP_HDR_MIN)
			fuzz_fix_csum(l4, l4len, TCP_CSUM_FIELD, pseudo);
		fuzz_buf_snap(b);
		if (tcp6_parse_checked(l4, l4len, &ip->src, &ip->dst, false, &seg) == WIRE_OK)
			check_tcp6(l4, l4len, ip, &seg);
	}
	fuzz_buf_check(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_buf b;
	struct ipv6_info ip;

	if (size < 1 || fuzz_buf_init(&b, data + 1, size - 1))
		return 0;
	fuzz_buf_snap(&b);
	enum wire_err e = ipv6_parse(b.p, b.len, &ip);
	fuzz_buf_check(&b);
	if (e == WIRE_OK) {
		check_ipv6(b.p, b.len, &ip);
		upper(b.p, &ip, data[0] & FUZZ_FIX_CSUM, &b);
	} else if (ip.refusal.icmp) {
		FUZZ_ASSERT(ip.refusal.pointer < b.len);
	}
	fuzz_buf_free(&b);
	return 0;
}
