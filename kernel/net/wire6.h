/* SPDX-License-Identifier: MIT */
/* IPv6's wire formats beside wire.h's: the IPv6 header and its extension headers (RFC 8200), ICMPv6 (RFC 4443) with Neighbor Discovery's messages and options (RFC 4861, 4862), UDP over IPv6; parsers that validate before use, and the builders. Pure, as wire.c: the host's unit tests and fuzzers run it as it is. */
#ifndef KESTREL_NET_WIRE6_H
#define KESTREL_NET_WIRE6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/wire.h"

/* An IPv6 address, network byte order (a struct, so it copies and compares whole). */
struct in6 {
	uint8_t b[16];
};

static inline bool in6_eq(const struct in6 *a, const struct in6 *b)
{
	const uint8_t *x = a->b, *y = b->b;
	unsigned d = 0;
	for (int i = 0; i < 16; i++)
		d |= (unsigned)(x[i] ^ y[i]);
	return d == 0;
}
static inline bool in6_is_any(const struct in6 *a)
{
	unsigned d = 0;
	for (int i = 0; i < 16; i++)
		d |= a->b[i];
	return d == 0;
}
static inline bool in6_is_multicast(const struct in6 *a)
{
	return a->b[0] == 0xff;
}
static inline bool in6_is_loopback(const struct in6 *a)
{
	unsigned d = 0;
	for (int i = 0; i < 15; i++)
		d |= a->b[i];
	return d == 0 && a->b[15] == 1;
}
/* fe80::/10 */
static inline bool in6_is_linklocal(const struct in6 *a)
{
	return a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80;
}
/* ::ffff:0:0/96 */
static inline bool in6_is_v4mapped(const struct in6 *a)
{
	unsigned d = 0;
	for (int i = 0; i < 10; i++)
		d |= a->b[i];
	return d == 0 && a->b[10] == 0xff && a->b[11] == 0xff;
}
/* The multicast scope (RFC 4291 2.7): 1 interface, 2 link, 5 site, 0xe global. */
static inline unsigned in6_mc_scope(const struct in6 *a)
{
	return a->b[1] & 0xf;
}
/* Do a and b share their first len bits? */
bool in6_prefix_eq(const struct in6 *a, const struct in6 *b, unsigned len);
/* a with every bit past the first len cleared (len at most 128): its prefix. */
void in6_prefix_mask(struct in6 *a, unsigned len);
/* The solicited-node multicast address of a (ff02::1:ffXX:XXXX, RFC 4291 2.7.1). */
void in6_solicited_node(const struct in6 *a, struct in6 *out);
/* The Ethernet address of multicast a (33:33 and its last 32 bits, RFC 2464 7). */
void in6_mc_mac(const struct in6 *a, uint8_t mac[6]);
/* The modified EUI-64 interface identifier of mac into a's last 8 bytes (RFC 4291 2.5.1). */
void in6_set_eui64(struct in6 *a, const uint8_t mac[6]);

/* a as text in RFC 5952's form (lower case, the longest run of two or
 * more zero groups as ::) into buf, which has IN6_TEXT_MAX bytes. */
#define IN6_TEXT_MAX 40
void in6_format(const struct in6 *a, char *buf);

/* ---- checksums ---------------------------------------------------------------- */

/* The IPv6 pseudo-header's sum (RFC 8200 8.1): addresses, upper-layer length, next header. */
uint32_t csum_pseudo6(const struct in6 *src, const struct in6 *dst, uint32_t len, uint8_t nh);

/* ---- IPv6 and its extension headers (RFC 8200) ---------------------------------- */

#define IPV6_HDR_LEN     40
#define IPV6_MIN_MTU     1280
#define IPV6_EXT_MAX     16     /* extension headers walked before the packet is refused */
/* next header values */
#define NEXTHDR_HOP      0
#define NEXTHDR_TCP      6
#define NEXTHDR_UDP      17
#define NEXTHDR_ROUTING  43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_ESP      50
#define NEXTHDR_AUTH     51
#define NEXTHDR_ICMP     58
#define NEXTHDR_NONE     59
#define NEXTHDR_DEST     60
/* options of hop-by-hop and destination headers */
#define IPV6_TLV_PAD1      0
#define IPV6_TLV_PADN      1
#define IPV6_TLV_ROUTERALERT 5
#define IPV6_TLV_JUMBO     0xc2
#define IPV6_FRAG_HDR_LEN  8

/* Why a packet was refused, for the ICMPv6 parameter problem a host sends
 * (RFC 8200 4): the code and the offset of the byte at fault from the
 * IPv6 header; icmp false when it is dropped without one. */
struct ipv6_refusal {
	bool icmp;
	uint8_t code;                /* ICMPV6_HDR_FIELD, _UNK_NEXTHDR, _UNK_OPTION */
	uint32_t pointer;
};

struct ipv6_info {
	uint8_t tclass;
	uint32_t flow;
	uint16_t payload_len;        /* from the header: IPV6_HDR_LEN + it <= len */
	uint8_t next_hdr, hop_limit;
	struct in6 src, dst;
	/* the extension headers' walk */
	uint8_t proto;               /* the upper layer's next header (or NEXTHDR_FRAGMENT, NEXTHDR_NONE) */
	uint16_t l4_off;             /* its header's offset from the IPv6 header */
	uint16_t nh_off;             /* the offset of the byte that named proto (for an ICMP pointer) */
	bool router_alert;
	/* a fragment header (proto NEXTHDR_FRAGMENT): l4_off is the fragment's data */
	uint16_t frag_hdr_off;       /* the fragment header's offset (the unfragmentable part's length) */
	uint8_t frag_nexthdr;        /* what the reassembled packet carries first */
	uint16_t frag_off;           /* bytes */
	bool frag_mf;
	uint32_t frag_id;
	struct ipv6_refusal refusal; /* not WIRE_OK: what to tell the sender */
};
/*
 * Version 6, at least 40 bytes, the payload length within len (bytes after
 * it are link padding the caller trims; 0, a jumbogram, is refused); then
 * the extension headers, as a host takes them (Linux's ipv6_rcv and its
 * handlers): hop-by-hop only first; hop-by-hop and destination options
 * walked option by option (each inside its header; an unknown option's
 * two high bits say skip, drop, or drop with a parameter problem); a
 * routing header with segments left is refused whatever its type (a host
 * forwards nothing: type 0 included, RFC 5095); a fragment header ends the
 * walk unless it is an atomic fragment (offset 0, no M: RFC 6946, its
 * header skipped); a fragment whose length is not a multiple of 8 but for
 * the last, or that ends past 65535, is refused. ESP, AH and anything else
 * end the walk as the upper layer.
 */
enum wire_err ipv6_parse(const uint8_t *p, size_t len, struct ipv6_info *out);
/* Write the 40-byte header at p from in's tclass, flow, payload_len, next_hdr, hop_limit, src, dst. */
void ipv6_build(uint8_t *p, const struct ipv6_info *in);

/* ---- ICMPv6 (RFC 4443) and Neighbor Discovery (RFC 4861) ------------------------ */

#define ICMPV6_HDR_LEN         8
#define ICMPV6_DEST_UNREACH    1
#define ICMPV6_PKT_TOOBIG      2
#define ICMPV6_TIME_EXCEED     3
#define ICMPV6_PARAMPROB       4
#define ICMPV6_ECHO_REQUEST    128
#define ICMPV6_ECHO_REPLY      129
#define ICMPV6_MLD_QUERY       130
#define ICMPV6_MLD_REPORT      131
#define ICMPV6_MLD_DONE        132
#define NDISC_ROUTER_SOLICIT   133
#define NDISC_ROUTER_ADVERT    134
#define NDISC_NEIGHBOUR_SOLICIT 135
#define NDISC_NEIGHBOUR_ADVERT 136
#define NDISC_REDIRECT         137
#define ICMPV6_MLD2_REPORT     143
/* codes of ICMPV6_DEST_UNREACH */
#define ICMPV6_NOROUTE         0
#define ICMPV6_ADM_PROHIBITED  1
#define ICMPV6_NOT_NEIGHBOUR   2
#define ICMPV6_ADDR_UNREACH    3
#define ICMPV6_PORT_UNREACH    4
/* codes of ICMPV6_TIME_EXCEED */
#define ICMPV6_EXC_HOPLIMIT    0
#define ICMPV6_EXC_FRAGTIME    1
/* codes of ICMPV6_PARAMPROB */
#define ICMPV6_HDR_FIELD       0
#define ICMPV6_UNK_NEXTHDR     1
#define ICMPV6_UNK_OPTION      2
/* Neighbor Discovery's options */
#define ND_OPT_SOURCE_LL_ADDR  1
#define ND_OPT_TARGET_LL_ADDR  2
#define ND_OPT_PREFIX_INFO     3
#define ND_OPT_REDIRECT_HDR    4
#define ND_OPT_MTU             5
#define ND_NS_LEN              24   /* NS and NA: the header, the reserved word or flags, the target */
#define ND_RS_LEN              8
#define ND_RA_LEN              16
#define ND_OPT_LL_LEN          8    /* a link-layer address option on Ethernet */
#define ND_PREFIX_MAX          4    /* prefix options of one RA that are read */
#define ND_NA_ROUTER           0x80000000u
#define ND_NA_SOLICITED        0x40000000u
#define ND_NA_OVERRIDE         0x20000000u
#define ND_RA_MANAGED          0x80
#define ND_RA_OTHER            0x40
#define ND_PREFIX_ONLINK       0x80
#define ND_PREFIX_AUTO         0x40
#define ND_HOP_LIMIT           255  /* what every ND message carries (RFC 4861 6.1, 7.1) */

struct nd_prefix {
	struct in6 prefix;
	uint8_t len;
	bool onlink, autonomous;
	uint32_t valid_s, preferred_s;
};

struct icmp6_info {
	uint8_t type, code;
	uint32_t rest;               /* the header's last 4 bytes (the MTU of a packet too big, a pointer) */
	uint16_t id, seq;            /* echo request and reply */
	/* errors (types below 128): the offending packet's header and what follows */
	bool has_inner;
	struct ipv6_info inner;      /* its fixed header; proto, l4_off as far as its extension headers were whole */
	uint16_t inner_sport, inner_dport; /* the first 4 bytes of its upper layer, when quoted */
	const uint8_t *inner_l4;     /* its upper layer as quoted, into the packet parsed */
	size_t inner_l4_len;
	int ifindex;                 /* the device it came in on: the receiver's to set, not the parser's */
	/* Neighbor Discovery (types 133..137) */
	struct in6 target;           /* NS, NA, redirect */
	uint32_t flags;              /* NA: ND_NA_*; RA: its flags byte */
	bool has_sll, has_tll;
	uint8_t sll[6], tll[6];
	uint8_t cur_hop_limit;       /* RA */
	uint16_t router_lifetime_s;
	uint32_t reachable_ms, retrans_ms;
	uint32_t mtu;                /* RA's MTU option (0: none) */
	uint8_t nprefix;
	struct nd_prefix prefix[ND_PREFIX_MAX];
};
/*
 * At least 8 bytes, the checksum over all len bytes with the pseudo-header
 * of src and dst right; then by type: an error's quoted IPv6 header (40
 * bytes at least, else WIRE_TRUNCATED) and as much of its upper layer as
 * is quoted; echo's identifier and sequence; Neighbor Discovery's checks
 * of RFC 4861 (code 0, the message's own length, no option of length 0,
 * a target that is not multicast, NA to a multicast address not
 * solicited, NS from :: to a solicited-node address without a source
 * link-layer option, RA from a link-local address), its options read
 * (link-layer addresses of 8 bytes, prefix information of 32, MTU of 8;
 * others skipped). The hop limit of 255 is the caller's to check.
 */
enum wire_err icmp6_parse(const uint8_t *p, size_t len, const struct in6 *src, const struct in6 *dst,
			  struct icmp6_info *out);
/* Write the 8-byte header at p for type/code/rest and the checksum over it
 * and the payload_len bytes after it, with the pseudo-header of src and dst. */
void icmp6_build(uint8_t *p, const struct in6 *src, const struct in6 *dst, uint8_t type, uint8_t code,
		 uint32_t rest, size_t payload_len);
/* The checksum of the len-byte ICMPv6 message at p written in its field. */
void icmp6_set_csum(uint8_t *p, size_t len, const struct in6 *src, const struct in6 *dst);

/* ---- UDP over IPv6 (RFC 8200 8.1) ------------------------------------------------ */

/* 8 bytes at least, the length field 8..len, the checksum right (0 is
 * refused: it is mandatory over IPv6). */
enum wire_err udp6_parse(const uint8_t *p, size_t len, const struct in6 *src, const struct in6 *dst,
			 struct udp_info *out);
/* Write an 8-byte header at p for udp_len bytes with its checksum (0 becomes 0xffff). */
void udp6_build(uint8_t *p, const struct in6 *src, const struct in6 *dst, uint16_t sport, uint16_t dport,
		uint16_t udp_len);

/* ---- TCP over IPv6 (RFC 8200 8.1) ------------------------------------------------ */

#define IPV6_PAYLOAD_MAX 65535    /* the payload length field's most: no jumbograms */
/* wire.h's tcp_parse_checked with IPv6's pseudo-header: the header
 * (data offset 5..15, inside len), the checksum over all len bytes
 * unless csum_ok, the options as Linux reads them. */
enum wire_err tcp6_parse_checked(const uint8_t *p, size_t len, const struct in6 *src, const struct in6 *dst,
				 bool csum_ok, struct tcp_seg *out);
/* wire.h's tcp_build_partial with IPv6's pseudo-header: the checksum
 * field holds the pseudo-header's folded sum, left to the device. */
void tcp6_build_partial(uint8_t *p, const struct in6 *src, const struct in6 *dst, const struct tcp_seg *s,
			uint32_t seg_len);

#endif
