// SPDX-License-Identifier: MIT
/*
 * Kestrel: IPv6's wire formats, parsed and built (net/wire6.h). As in
 * wire.c, every byte came off the wire: each length is checked against
 * len before the bytes it covers are read, each extension header and
 * each option on its own, and a walk over headers is bounded. Pure code
 * (wire.c's checksum, lib/string.h): tests/unit/test_net_wire6.c and
 * tests/fuzz/fuzz_net_ipv6.c build it as it is.
 */
#include "net/wire6.h"

#include "lib/string.h"

/* ---- addresses ---------------------------------------------------------------- */

void in6_prefix_mask(struct in6 *a, unsigned len)
{
	for (unsigned bit = len; bit < 128; bit++)
		a->b[bit / 8] &= (uint8_t)~(0x80 >> (bit % 8));
}

bool in6_prefix_eq(const struct in6 *a, const struct in6 *b, unsigned len)
{
	unsigned whole = len / 8, bits = len % 8;
	if (len > 128)
		return false;
	if (memcmp(a->b, b->b, whole) != 0)
		return false;
	if (!bits)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - bits));
	return ((a->b[whole] ^ b->b[whole]) & mask) == 0;
}

void in6_solicited_node(const struct in6 *a, struct in6 *out)
{
	memset(out, 0, sizeof(*out));
	out->b[0] = 0xff;
	out->b[1] = 0x02;
	out->b[11] = 0x01;
	out->b[12] = 0xff;
	memcpy(out->b + 13, a->b + 13, 3);
}

void in6_mc_mac(const struct in6 *a, uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, a->b + 12, 4);
}

#define EUI64_UL_BIT 0x02   /* the universal/local bit, inverted in a modified EUI-64 */

void in6_set_eui64(struct in6 *a, const uint8_t mac[6])
{
	a->b[8] = mac[0] ^ EUI64_UL_BIT;
	a->b[9] = mac[1];
	a->b[10] = mac[2];
	a->b[11] = 0xff;
	a->b[12] = 0xfe;
	a->b[13] = mac[3];
	a->b[14] = mac[4];
	a->b[15] = mac[5];
}

/* The longest run of two or more zero groups: its start (-1 for none) and length. */
static int zero_run(const struct in6 *a, int *len)
{
	int best = -1, best_len = 1;
	for (int i = 0; i < 8;) {
		int n = 0;
		while (i + n < 8 && get_be16(a->b + 2 * (i + n)) == 0)
			n++;
		if (n > best_len) {
			best = i;
			best_len = n;
		}
		i += n ? n : 1;
	}
	*len = best_len;
	return best;
}

void in6_format(const struct in6 *a, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	int len, run = zero_run(a, &len);
	size_t n = 0;
	for (int i = 0; i < 8; i++) {
		if (i == run) {
			buf[n++] = ':';
			if (i == 0)
				buf[n++] = ':';
			i += len - 1;
			continue;
		}
		unsigned g = get_be16(a->b + 2 * i);
		bool lead = true;
		for (int s = 12; s >= 0; s -= 4) {
			unsigned d = (g >> s) & 0xf;
			if (lead && d == 0 && s)
				continue;
			lead = false;
			buf[n++] = hex[d];
		}
		if (i < 7)
			buf[n++] = ':';
	}
	buf[n] = 0;
}

/* ---- checksums ---------------------------------------------------------------- */

uint32_t csum_pseudo6(const struct in6 *src, const struct in6 *dst, uint32_t len, uint8_t nh)
{
	uint32_t sum = 0;
	for (int i = 0; i < 16; i += 2)
		sum += get_be16(src->b + i) + get_be16(dst->b + i);
	return sum + (len >> 16) + (len & 0xffff) + nh;
}

static bool csum_right6(const struct in6 *src, const struct in6 *dst, uint8_t nh, const uint8_t *p,
			size_t len)
{
	return csum_fold(csum_add(csum_pseudo6(src, dst, (uint32_t)len, nh), p, len)) == 0;
}

/* ---- IPv6 (RFC 8200) ---------------------------------------------------------- */

#define IP6_PLEN      4
#define IP6_NEXTHDR   6
#define IP6_HOPLIMIT  7
#define IP6_SRC       8
#define IP6_DST       24
#define EXT_NEXTHDR   0
#define EXT_LEN       1      /* in 8-byte units, not counting the first 8 */
#define EXT_UNIT      8
#define RT_TYPE       2
#define RT_SEGLEFT    3
#define FRAG_OFF      2
#define FRAG_ID       4
#define FRAG_MF       0x0001
#define FRAG_OFF_MASK 0xfff8
#define IPV6_MAX_PLEN 65535
#define TLV_ACTION(t) ((t) >> 6)  /* an unknown option's two high bits (RFC 8200 4.2) */
#define TLV_SKIP      0
#define TLV_DISCARD   1
#define TLV_ICMP      2
#define TLV_ICMP_UNICAST 3

/* Refuse with a parameter problem (code, pointer), or silently (icmp false). */
static enum wire_err refuse(struct ipv6_info *out, bool icmp, uint8_t code, size_t pointer)
{
	out->refusal = (struct ipv6_refusal){ icmp, code, (uint32_t)pointer };
	return code == ICMPV6_UNK_OPTION ? WIRE_BAD_OPTION : WIRE_BAD_HEADER;
}

/* An unknown option of type t at off: what its action bits say (Linux's ip6_tlvopt_unknown). */
static enum wire_err tlv_unknown(struct ipv6_info *out, uint8_t t, size_t off)
{
	switch (TLV_ACTION(t)) {
	case TLV_SKIP:
		return WIRE_OK;
	case TLV_DISCARD:
		return refuse(out, false, ICMPV6_UNK_OPTION, off);
	case TLV_ICMP:
		return refuse(out, true, ICMPV6_UNK_OPTION, off);
	default: /* TLV_ICMP_UNICAST */
		return refuse(out, !in6_is_multicast(&out->dst), ICMPV6_UNK_OPTION, off);
	}
}

/* The options of a hop-by-hop or destination header at p[off .. off + hlen). */
static enum wire_err tlv_walk(const uint8_t *p, size_t off, size_t hlen, bool hbh, struct ipv6_info *out)
{
	size_t i = off + 2, end = off + hlen;
	while (i < end) {
		uint8_t t = p[i];
		if (t == IPV6_TLV_PAD1) {
			i++;
			continue;
		}
		if (i + 2 > end || i + 2 + p[i + 1] > end)
			return refuse(out, false, ICMPV6_HDR_FIELD, i + 1); /* past its header: dropped, as Linux's */
		size_t olen = p[i + 1];
		if (t == IPV6_TLV_PADN) {
			/* nothing */
		} else if (hbh && t == IPV6_TLV_ROUTERALERT) {
			if (olen != 2)
				return refuse(out, true, ICMPV6_HDR_FIELD, i + 1);
			out->router_alert = true;
		} else if (hbh && t == IPV6_TLV_JUMBO) {
			return refuse(out, true, ICMPV6_HDR_FIELD, i); /* a jumbogram: not for an Ethernet host */
		} else {
			enum wire_err e = tlv_unknown(out, t, i);
			if (e != WIRE_OK)
				return e;
		}
		i += 2 + olen;
	}
	return WIRE_OK;
}

/* A fragment header at off (8 bytes, inside the payload): its fields;
 * an atomic fragment is skipped (true in *atomic). */
static enum wire_err frag_header(const uint8_t *p, size_t off, size_t end, struct ipv6_info *out, bool *atomic)
{
	uint16_t w = get_be16(p + off + FRAG_OFF);
	size_t data = off + IPV6_FRAG_HDR_LEN, dlen = end - data;
	out->frag_hdr_off = (uint16_t)off;
	out->frag_nexthdr = p[off + EXT_NEXTHDR];
	out->frag_off = w & FRAG_OFF_MASK;
	out->frag_mf = w & FRAG_MF;
	out->frag_id = get_be32(p + off + FRAG_ID);
	*atomic = !out->frag_off && !out->frag_mf;
	if (*atomic)
		return WIRE_OK;
	if (out->frag_mf && (dlen == 0 || dlen % 8))
		return refuse(out, true, ICMPV6_HDR_FIELD, IP6_PLEN); /* RFC 8200 4.5 */
	if ((size_t)out->frag_off + dlen > IPV6_MAX_PLEN)
		return refuse(out, true, ICMPV6_HDR_FIELD, off + FRAG_OFF);
	return WIRE_OK;
}

/* One extension header at off of type nh: its length into *hlen; WIRE_OK
 * to go on, *stop when the walk ends here (a fragment). */
static enum wire_err ext_header(const uint8_t *p, size_t off, size_t end, uint8_t nh, size_t *hlen,
				bool *stop, struct ipv6_info *out)
{
	*stop = false;
	if (nh == NEXTHDR_FRAGMENT) {
		bool atomic;
		*hlen = IPV6_FRAG_HDR_LEN;
		if (off + IPV6_FRAG_HDR_LEN > end)
			return WIRE_TRUNCATED;
		enum wire_err e = frag_header(p, off, end, out, &atomic);
		*stop = e == WIRE_OK && !atomic;
		return e;
	}
	if (off + 2 > end)
		return WIRE_TRUNCATED;
	*hlen = ((size_t)p[off + EXT_LEN] + 1) * EXT_UNIT;
	if (off + *hlen > end)
		return WIRE_TRUNCATED;
	if (nh == NEXTHDR_ROUTING) {
		if (p[off + RT_SEGLEFT] != 0) /* a host forwards nothing, type 0 included (RFC 5095) */
			return refuse(out, true, ICMPV6_HDR_FIELD, off + RT_TYPE);
		return WIRE_OK;
	}
	return tlv_walk(p, off, *hlen, nh == NEXTHDR_HOP, out);
}

static bool is_ext(uint8_t nh)
{
	return nh == NEXTHDR_HOP || nh == NEXTHDR_ROUTING || nh == NEXTHDR_FRAGMENT || nh == NEXTHDR_DEST;
}

/* Walk the extension headers from the fixed header's next header on. */
static enum wire_err ext_walk(const uint8_t *p, size_t end, struct ipv6_info *out)
{
	size_t off = IPV6_HDR_LEN, nh_off = IP6_NEXTHDR;
	uint8_t nh = out->next_hdr;
	for (int n = 0; is_ext(nh); n++) {
		size_t hlen;
		bool stop;
		if (n >= IPV6_EXT_MAX)
			return refuse(out, false, ICMPV6_HDR_FIELD, off);
		if (nh == NEXTHDR_HOP && n != 0)
			return refuse(out, true, ICMPV6_UNK_NEXTHDR, nh_off); /* hop-by-hop only first */
		enum wire_err e = ext_header(p, off, end, nh, &hlen, &stop, out);
		if (e != WIRE_OK)
			return e;
		if (stop) {
			out->proto = NEXTHDR_FRAGMENT;
			out->nh_off = (uint16_t)nh_off;
			out->l4_off = (uint16_t)(off + hlen);
			return WIRE_OK;
		}
		nh_off = off + EXT_NEXTHDR;
		nh = p[off + EXT_NEXTHDR];
		off += hlen;
	}
	out->proto = nh;
	out->nh_off = (uint16_t)nh_off;
	out->l4_off = (uint16_t)off;
	return WIRE_OK;
}

/* The fixed header's fields (40 bytes at p). */
static void ipv6_fields(const uint8_t *p, struct ipv6_info *out)
{
	uint32_t w = get_be32(p);
	memset(out, 0, sizeof(*out));
	out->tclass = (uint8_t)(w >> 20);
	out->flow = w & 0xfffff;
	out->payload_len = get_be16(p + IP6_PLEN);
	out->next_hdr = p[IP6_NEXTHDR];
	out->hop_limit = p[IP6_HOPLIMIT];
	memcpy(out->src.b, p + IP6_SRC, 16);
	memcpy(out->dst.b, p + IP6_DST, 16);
}

enum wire_err ipv6_parse(const uint8_t *p, size_t len, struct ipv6_info *out)
{
	if (len < IPV6_HDR_LEN) {
		memset(out, 0, sizeof(*out));
		return WIRE_TRUNCATED;
	}
	ipv6_fields(p, out);
	if (p[0] >> 4 != 6)
		return refuse(out, false, ICMPV6_HDR_FIELD, 0);
	if ((size_t)IPV6_HDR_LEN + out->payload_len > len)
		return WIRE_TRUNCATED;
	return ext_walk(p, IPV6_HDR_LEN + (size_t)out->payload_len, out);
}

void ipv6_build(uint8_t *p, const struct ipv6_info *in)
{
	put_be32(p, 6u << 28 | (uint32_t)in->tclass << 20 | (in->flow & 0xfffff));
	put_be16(p + IP6_PLEN, in->payload_len);
	p[IP6_NEXTHDR] = in->next_hdr;
	p[IP6_HOPLIMIT] = in->hop_limit;
	memcpy(p + IP6_SRC, in->src.b, 16);
	memcpy(p + IP6_DST, in->dst.b, 16);
}

/* ---- ICMPv6 (RFC 4443) -------------------------------------------------------- */

#define ICMP6_CSUM      2
#define ICMP6_REST      4
#define ND_TARGET       8
#define ND_OPT_UNIT     8
#define RA_HOPLIMIT     4
#define RA_FLAGS        5
#define RA_LIFETIME     6
#define RA_REACHABLE    8
#define RA_RETRANS      12
#define PI_LEN          2
#define PI_FLAGS        3
#define PI_VALID        4
#define PI_PREFERRED    8
#define PI_PREFIX       16
#define PI_SIZE         32
#define MTU_VALUE       4
#define ETH_ADDR_LEN    6

/* An error's quoted packet at q (qlen bytes): its fixed header, and its
 * upper layer as far as its extension headers were quoted whole. */
static enum wire_err icmp6_inner(const uint8_t *q, size_t qlen, struct icmp6_info *out)
{
	if (qlen < IPV6_HDR_LEN)
		return WIRE_TRUNCATED;
	struct ipv6_info *in = &out->inner;
	ipv6_fields(q, in);
	size_t end = IPV6_HDR_LEN + (size_t)in->payload_len < qlen ? IPV6_HDR_LEN + (size_t)in->payload_len : qlen;
	if (ext_walk(q, end, in) != WIRE_OK) { /* cut short: what it carries is unknown */
		in->proto = NEXTHDR_NONE;
		in->l4_off = (uint16_t)end;
	}
	out->has_inner = true;
	out->inner_l4 = q + in->l4_off;
	out->inner_l4_len = end - in->l4_off;
	if (out->inner_l4_len >= 4) {
		out->inner_sport = get_be16(out->inner_l4);
		out->inner_dport = get_be16(out->inner_l4 + 2);
	}
	return WIRE_OK;
}

/* A Neighbor Discovery option walk over p[off .. len). */
static enum wire_err nd_options(const uint8_t *p, size_t off, size_t len, struct icmp6_info *out)
{
	while (off < len) {
		if (off + 2 > len)
			return WIRE_BAD_OPTION;
		size_t olen = (size_t)p[off + 1] * ND_OPT_UNIT;
		if (olen == 0 || off + olen > len)
			return WIRE_BAD_OPTION; /* RFC 4861 4.6: length 0 is invalid */
		const uint8_t *o = p + off;
		switch (o[0]) {
		case ND_OPT_SOURCE_LL_ADDR:
		case ND_OPT_TARGET_LL_ADDR:
			if (olen != ND_OPT_LL_LEN)
				break; /* another link layer's: not Ethernet's */
			memcpy(o[0] == ND_OPT_SOURCE_LL_ADDR ? out->sll : out->tll, o + 2, ETH_ADDR_LEN);
			*(o[0] == ND_OPT_SOURCE_LL_ADDR ? &out->has_sll : &out->has_tll) = true;
			break;
		case ND_OPT_PREFIX_INFO:
			if (olen != PI_SIZE || out->nprefix >= ND_PREFIX_MAX)
				break;
			struct nd_prefix *pi = &out->prefix[out->nprefix++];
			pi->len = o[PI_LEN];
			pi->onlink = o[PI_FLAGS] & ND_PREFIX_ONLINK;
			pi->autonomous = o[PI_FLAGS] & ND_PREFIX_AUTO;
			pi->valid_s = get_be32(o + PI_VALID);
			pi->preferred_s = get_be32(o + PI_PREFERRED);
			memcpy(pi->prefix.b, o + PI_PREFIX, 16);
			break;
		case ND_OPT_MTU:
			if (olen == ND_OPT_UNIT)
				out->mtu = get_be32(o + MTU_VALUE);
			break;
		default:
			break; /* unknown: skipped (RFC 4861 4.6) */
		}
		off += olen;
	}
	return WIRE_OK;
}

/* NS and NA (RFC 4861 7.1.1, 7.1.2). */
static enum wire_err nd_neigh(const uint8_t *p, size_t len, const struct in6 *src, const struct in6 *dst,
			      struct icmp6_info *out)
{
	if (len < ND_NS_LEN)
		return WIRE_TRUNCATED;
	memcpy(out->target.b, p + ND_TARGET, 16);
	if (in6_is_multicast(&out->target))
		return WIRE_BAD_HEADER;
	if (out->type == NDISC_NEIGHBOUR_ADVERT) {
		out->flags = out->rest;
		if (in6_is_multicast(dst) && (out->flags & ND_NA_SOLICITED))
			return WIRE_BAD_HEADER;
	}
	enum wire_err e = nd_options(p, ND_NS_LEN, len, out);
	if (e != WIRE_OK)
		return e;
	if (out->type == NDISC_NEIGHBOUR_SOLICIT && in6_is_any(src)) {
		struct in6 sn;
		in6_solicited_node(&out->target, &sn);
		if (!in6_eq(dst, &sn) || out->has_sll)
			return WIRE_BAD_HEADER; /* a DAD probe goes to the solicited-node group, bare */
	}
	return WIRE_OK;
}

/* RA (RFC 4861 6.1.2). */
static enum wire_err nd_router_advert(const uint8_t *p, size_t len, const struct in6 *src,
				      struct icmp6_info *out)
{
	if (len < ND_RA_LEN)
		return WIRE_TRUNCATED;
	if (!in6_is_linklocal(src))
		return WIRE_BAD_HEADER;
	out->cur_hop_limit = p[RA_HOPLIMIT];
	out->flags = p[RA_FLAGS];
	out->router_lifetime_s = get_be16(p + RA_LIFETIME);
	out->reachable_ms = get_be32(p + RA_REACHABLE);
	out->retrans_ms = get_be32(p + RA_RETRANS);
	return nd_options(p, ND_RA_LEN, len, out);
}

static enum wire_err nd_parse(const uint8_t *p, size_t len, const struct in6 *src, const struct in6 *dst,
			      struct icmp6_info *out)
{
	if (out->code != 0)
		return WIRE_BAD_HEADER;
	switch (out->type) {
	case NDISC_ROUTER_SOLICIT:
		return nd_options(p, ND_RS_LEN, len, out);
	case NDISC_ROUTER_ADVERT:
		return nd_router_advert(p, len, src, out);
	case NDISC_NEIGHBOUR_SOLICIT:
	case NDISC_NEIGHBOUR_ADVERT:
		return nd_neigh(p, len, src, dst, out);
	default: /* a redirect: a host may ignore it; its header is enough */
		if (len < ND_NS_LEN + 16)
			return WIRE_TRUNCATED;
		memcpy(out->target.b, p + ND_TARGET, 16);
		return WIRE_OK;
	}
}

enum wire_err icmp6_parse(const uint8_t *p, size_t len, const struct in6 *src, const struct in6 *dst,
			  struct icmp6_info *out)
{
	memset(out, 0, sizeof(*out));
	if (len < ICMPV6_HDR_LEN)
		return WIRE_TRUNCATED;
	if (!csum_right6(src, dst, NEXTHDR_ICMP, p, len))
		return WIRE_BAD_CSUM;
	out->type = p[0];
	out->code = p[1];
	out->rest = get_be32(p + ICMP6_REST);
	if (out->type < ICMPV6_ECHO_REQUEST)
		return icmp6_inner(p + ICMPV6_HDR_LEN, len - ICMPV6_HDR_LEN, out);
	if (out->type == ICMPV6_ECHO_REQUEST || out->type == ICMPV6_ECHO_REPLY) {
		out->id = (uint16_t)(out->rest >> 16);
		out->seq = (uint16_t)out->rest;
		return WIRE_OK;
	}
	if (out->type >= NDISC_ROUTER_SOLICIT && out->type <= NDISC_REDIRECT)
		return nd_parse(p, len, src, dst, out);
	return WIRE_OK;
}

void icmp6_set_csum(uint8_t *p, size_t len, const struct in6 *src, const struct in6 *dst)
{
	put_be16(p + ICMP6_CSUM, 0);
	put_be16(p + ICMP6_CSUM, csum_fold(csum_add(csum_pseudo6(src, dst, (uint32_t)len, NEXTHDR_ICMP), p, len)));
}

void icmp6_build(uint8_t *p, const struct in6 *src, const struct in6 *dst, uint8_t type, uint8_t code,
		 uint32_t rest, size_t payload_len)
{
	p[0] = type;
	p[1] = code;
	put_be32(p + ICMP6_REST, rest);
	icmp6_set_csum(p, ICMPV6_HDR_LEN + payload_len, src, dst);
}

/* ---- UDP over IPv6 ------------------------------------------------------------ */

#define UDP6_LEN        4
#define UDP6_CSUM       6
#define UDP6_CSUM_ZERO  0xffff

enum wire_err udp6_parse(const uint8_t *p, size_t len, const struct in6 *src, const struct in6 *dst,
			 struct udp_info *out)
{
	if (len < UDP_HDR_LEN)
		return WIRE_TRUNCATED;
	out->len = get_be16(p + UDP6_LEN);
	if (out->len < UDP_HDR_LEN)
		return WIRE_BAD_HEADER;
	if (out->len > len)
		return WIRE_TRUNCATED;
	out->no_csum = false;
	if (get_be16(p + UDP6_CSUM) == 0 || !csum_right6(src, dst, NEXTHDR_UDP, p, out->len))
		return WIRE_BAD_CSUM;
	out->sport = get_be16(p);
	out->dport = get_be16(p + 2);
	return WIRE_OK;
}

void udp6_build(uint8_t *p, const struct in6 *src, const struct in6 *dst, uint16_t sport, uint16_t dport,
		uint16_t udp_len)
{
	put_be16(p, sport);
	put_be16(p + 2, dport);
	put_be16(p + UDP6_LEN, udp_len);
	put_be16(p + UDP6_CSUM, 0);
	uint16_t sum = csum_fold(csum_add(csum_pseudo6(src, dst, udp_len, NEXTHDR_UDP), p, udp_len));
	put_be16(p + UDP6_CSUM, sum == 0 ? UDP6_CSUM_ZERO : sum);
}

/* ---- TCP over IPv6 -------------------------------------------------------------- */

enum wire_err tcp6_parse_checked(const uint8_t *p, size_t len, const struct in6 *src, const struct in6 *dst,
				 bool csum_ok, struct tcp_seg *out)
{
	if (len > IPV6_PAYLOAD_MAX)
		return WIRE_BAD_HEADER; /* no jumbograms: the payload length is 16 bits */
	return tcp_parse_pseudo(p, len, csum_pseudo6(src, dst, (uint32_t)len, NEXTHDR_TCP), csum_ok, out);
}

void tcp6_build_partial(uint8_t *p, const struct in6 *src, const struct in6 *dst, const struct tcp_seg *s,
			uint32_t seg_len)
{
	tcp_build_pseudo(p, csum_pseudo6(src, dst, seg_len, NEXTHDR_TCP), s);
}
