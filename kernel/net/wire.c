// SPDX-License-Identifier: MIT
/*
 * Kestrel: the network's wire formats, parsed and built. Every byte
 * handed to a parser came off the wire, so each length is checked against
 * len before the bytes it covers are read, and each option is checked on
 * its own. Pure code with no kernel state (lib/string.h, and the
 * add-with-carry chain of arch/x86_64/csum.h): the host
 * unit test (tests/unit/test_net_wire.c) and the fuzzers
 * (tests/fuzz/fuzz_net_*.c) build this file as it is.
 */
#include "net/wire.h"

#include "arch/x86_64/csum.h"
#include "lib/string.h"

/* ---- checksums (RFC 1071) ------------------------------------------------ */

#define CSUM_WORD_BITS 16
#define CSUM_WORD_MASK 0xffffu
#define CSUM_HALF_BITS 32
#define CSUM_HALF_MASK 0xffffffffu

/*
 * The ones' complement sum is the same whichever byte order its 16-bit
 * words are read in, up to one swap of the result (RFC 1071 2.B): so the
 * bytes are summed as they lie, 64 bits at a time with the carry added
 * back in (ones' complement addition modulo 2^64 - 1, which folds to the
 * same 16 bits, since 2^16, 2^32 and 2^64 are 1 modulo 0xffff), folded,
 * and swapped into network order once. Whole 64-byte blocks go through
 * the arch's add-with-carry chain, the rest a word at a time.
 */
/* a + b with the carry out added back in (an add and an add-with-carry). */
static inline uint64_t add_end_around(uint64_t a, uint64_t b)
{
	uint64_t s = a + b;
	return s + (s < b);
}

static inline uint64_t load_word(const uint8_t *p)
{
	uint64_t w;
	memcpy(&w, p, sizeof(w));
	return w;
}

uint32_t csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	const size_t word = sizeof(uint64_t);
	uint64_t acc = 0;
	size_t i = 0;

	acc = arch_csum_blocks(acc, b, len / ARCH_CSUM_BLOCK);
	i = len / ARCH_CSUM_BLOCK * ARCH_CSUM_BLOCK;
	for (; i + word <= len; i += word)
		acc = add_end_around(acc, load_word(b + i));
	acc = (acc & CSUM_HALF_MASK) + (acc >> CSUM_HALF_BITS);
	for (; i + 1 < len; i += 2)
		acc += (uint32_t)b[i] | (uint32_t)b[i + 1] << 8;
	if (i < len)
		acc += b[i]; /* the odd byte is a word's high byte in network order */
	while (acc >> CSUM_WORD_BITS)
		acc = (acc & CSUM_WORD_MASK) + (acc >> CSUM_WORD_BITS);
	acc = (uint64_t)__builtin_bswap16((uint16_t)acc) + sum;
	while (acc >> CSUM_HALF_BITS)
		acc = (acc & CSUM_HALF_MASK) + (acc >> CSUM_HALF_BITS);
	return (uint32_t)acc;
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> CSUM_WORD_BITS)
		sum = (sum & CSUM_WORD_MASK) + (sum >> CSUM_WORD_BITS);
	return (uint16_t)~sum;
}

uint32_t csum_pseudo4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
	return (src >> CSUM_WORD_BITS) + (src & CSUM_WORD_MASK) + (dst >> CSUM_WORD_BITS) +
	       (dst & CSUM_WORD_MASK) + proto + len;
}

/* True when the sum of the pseudo-header sum and len bytes at p, checksum
 * field included, is right (folds to 0). */
static bool csum_right(uint32_t pseudo, const uint8_t *p, size_t len)
{
	return csum_fold(csum_add(pseudo, p, len)) == 0;
}

/* ---- options of the kind-length shape IPv4 and TCP share ----------------- */

/* RFC 791 3.1 and RFC 9293 3.1 give both headers the same option shape. */
#define OPT_END      0   /* IPOPT_END, TCPOPT_EOL: the rest is padding */
#define OPT_NOP      1   /* IPOPT_NOOP, TCPOPT_NOP: one byte */
#define OPT_KIND     0
#define OPT_LEN      1
#define OPT_MIN_LEN  2   /* kind and length bytes */

typedef enum wire_err (*opt_fn)(const uint8_t *opt, size_t olen, void *ctx);

/*
 * The length of the option at p with room bytes left in the header:
 * 0 for END (stop), 1 for NOP, else its length byte. WIRE_BAD_OPTION
 * when the length byte is missing, below 2 or runs past the header.
 */
static enum wire_err opt_len(const uint8_t *p, size_t room, size_t *olen)
{
	if (p[OPT_KIND] == OPT_END || p[OPT_KIND] == OPT_NOP) {
		*olen = p[OPT_KIND];
		return WIRE_OK;
	}
	if (room < OPT_MIN_LEN || p[OPT_LEN] < OPT_MIN_LEN || p[OPT_LEN] > room)
		return WIRE_BAD_OPTION;
	*olen = p[OPT_LEN];
	return WIRE_OK;
}

/*
 * Walk the len bytes of options at p, calling fn on each option that has
 * a length (not END or NOP) with the whole option, which lies inside
 * [p, p + len). Stops at END. Returns the first error, of the shape or of fn.
 */
static enum wire_err opt_walk(const uint8_t *p, size_t len, opt_fn fn, void *ctx)
{
	size_t i = 0, olen;
	enum wire_err e;

	while (i < len) {
		if ((e = opt_len(p + i, len - i, &olen)) != WIRE_OK)
			return e;
		if (olen == 0)
			break;
		if (olen >= OPT_MIN_LEN && (e = fn(p + i, olen, ctx)) != WIRE_OK)
			return e;
		i += olen;
	}
	return WIRE_OK;
}

/* ---- Ethernet II ----------------------------------------------------------- */

#define ETH_HDR_LEN     14
#define ETH_DST         0
#define ETH_SRC         6
#define ETH_TYPE        12
#define ETH_ALEN        6
#define ETH_TYPE_MIN    0x0600  /* below: an 802.3 length, not an EtherType */
#define ETH_TYPE_8021Q  0x8100
#define ETH_TYPE_8021AD 0x88a8
#define ETH_TYPE_QINQ   0x9100  /* the pre-802.1ad double tag */

enum wire_err eth_parse(const uint8_t *p, size_t len, struct eth_info *out)
{
	if (len < ETH_HDR_LEN)
		return WIRE_TRUNCATED;
	uint16_t type = get_be16(p + ETH_TYPE);
	if (type < ETH_TYPE_MIN || type == ETH_TYPE_8021Q || type == ETH_TYPE_8021AD ||
	    type == ETH_TYPE_QINQ)
		return WIRE_UNSUPPORTED;
	memcpy(out->dst, p + ETH_DST, ETH_ALEN);
	memcpy(out->src, p + ETH_SRC, ETH_ALEN);
	out->type = type;
	return WIRE_OK;
}

void eth_build(uint8_t *p, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memcpy(p + ETH_DST, dst, ETH_ALEN);
	memcpy(p + ETH_SRC, src, ETH_ALEN);
	put_be16(p + ETH_TYPE, type);
}

/* ---- ARP (RFC 826) --------------------------------------------------------- */

#define ARP_HTYPE       0
#define ARP_PTYPE       2
#define ARP_HLEN        4
#define ARP_PLEN        5
#define ARP_OP          6
#define ARP_FIXED_LEN   8       /* up to the addresses, whose sizes hlen and plen give */
#define ARP_SHA         8
#define ARP_SPA         14
#define ARP_THA         18
#define ARP_TPA         24
#define ARP_HTYPE_ETHER 1
#define ARP_PTYPE_IPV4  0x0800
#define ARP_IPV4_LEN    4

enum wire_err arp_parse(const uint8_t *p, size_t len, struct arp_info *out)
{
	if (len < ARP_FIXED_LEN)
		return WIRE_TRUNCATED;
	/* The kind first: ARP for other hardware may be longer or shorter than 28. */
	if (get_be16(p + ARP_HTYPE) != ARP_HTYPE_ETHER || get_be16(p + ARP_PTYPE) != ARP_PTYPE_IPV4 ||
	    p[ARP_HLEN] != ETH_ALEN || p[ARP_PLEN] != ARP_IPV4_LEN)
		return WIRE_UNSUPPORTED;
	if (len < ARP_LEN)
		return WIRE_TRUNCATED;
	out->op = get_be16(p + ARP_OP);
	if (out->op != ARP_OP_REQUEST && out->op != ARP_OP_REPLY)
		return WIRE_BAD_HEADER;
	memcpy(out->sha, p + ARP_SHA, ETH_ALEN);
	out->spa = get_be32(p + ARP_SPA);
	memcpy(out->tha, p + ARP_THA, ETH_ALEN);
	out->tpa = get_be32(p + ARP_TPA);
	return WIRE_OK;
}

void arp_build(uint8_t *p, const struct arp_info *a)
{
	put_be16(p + ARP_HTYPE, ARP_HTYPE_ETHER);
	put_be16(p + ARP_PTYPE, ARP_PTYPE_IPV4);
	p[ARP_HLEN] = ETH_ALEN;
	p[ARP_PLEN] = ARP_IPV4_LEN;
	put_be16(p + ARP_OP, a->op);
	memcpy(p + ARP_SHA, a->sha, ETH_ALEN);
	put_be32(p + ARP_SPA, a->spa);
	memcpy(p + ARP_THA, a->tha, ETH_ALEN);
	put_be32(p + ARP_TPA, a->tpa);
}

/* ---- IPv4 (RFC 791) -------------------------------------------------------- */

#define IP_VER_IHL      0       /* version in the high nibble, header length in words in the low */
#define IP_TOS          1
#define IP_TOTAL_LEN    2
#define IP_ID           4
#define IP_FRAG         6       /* flags and the fragment offset */
#define IP_TTL          8
#define IP_PROTO        9
#define IP_CSUM         10
#define IP_SRC          12
#define IP_DST          16
#define IP_VERSION      4
#define IP_IHL_MASK     0x0f
#define IP_WORD         4
#define IP_FRAG_UNIT    8       /* the offset field counts 8-byte units */
#define IP_MAX_LEN      65535
#define IPOPT_PTR       2       /* RR, TS, LSRR, SSRR: the pointer, counted from 1 at the kind */
#define IPOPT_PTR_MIN   4       /* the first address slot */
#define IPOPT_TS_FLAGS  3       /* TS: overflow and flags after the pointer */
#define IPOPT_TS_PTR_MIN 5
#define IPOPT_RA_LEN    4       /* RFC 2113 */

/* Version 4 and a header length of 20..60 bytes in the 20 bytes at p. */
static enum wire_err ipv4_check_version(const uint8_t *p)
{
	if (p[IP_VER_IHL] >> 4 != IP_VERSION)
		return WIRE_BAD_HEADER;
	if ((p[IP_VER_IHL] & IP_IHL_MASK) * IP_WORD < IPV4_HDR_MIN)
		return WIRE_BAD_HEADER;
	return WIRE_OK;
}

/* Read the fixed 20 bytes at p (already checked) into out. */
static void ipv4_fields(const uint8_t *p, struct ipv4_info *out)
{
	uint16_t frag = get_be16(p + IP_FRAG);

	out->hdr_len = (uint8_t)((p[IP_VER_IHL] & IP_IHL_MASK) * IP_WORD);
	out->tos = p[IP_TOS];
	out->total_len = get_be16(p + IP_TOTAL_LEN);
	out->id = get_be16(p + IP_ID);
	out->df = frag & IPV4_FLAG_DF;
	out->mf = frag & IPV4_FLAG_MF;
	out->frag_off = (uint16_t)((frag & IPV4_FRAG_MASK) * IP_FRAG_UNIT);
	out->ttl = p[IP_TTL];
	out->proto = p[IP_PROTO];
	out->src = get_be32(p + IP_SRC);
	out->dst = get_be32(p + IP_DST);
	out->opt_len = (uint8_t)(out->hdr_len - IPV4_HDR_MIN);
	out->has_source_route = false;
	out->has_router_alert = false;
}

/* A pointer option (RR, LSRR, SSRR, TS): long enough to hold its pointer
 * (and TS its flags byte), the pointer at least min (as Linux's
 * ip_options_compile asks). */
static enum wire_err ipv4_ptr_option(const uint8_t *o, size_t olen, size_t need, uint8_t min)
{
	if (olen < need || o[IPOPT_PTR] < min)
		return WIRE_BAD_OPTION;
	return WIRE_OK;
}

/* One IPv4 option with a length (opt_walk checked its shape): its own rules, and the flags in ctx. */
static enum wire_err ipv4_option(const uint8_t *o, size_t olen, void *ctx)
{
	struct ipv4_info *out = ctx;

	switch (o[OPT_KIND]) {
	case IPOPT_LSRR:
	case IPOPT_SSRR:
		out->has_source_route = true;
		/* fall through */
	case IPOPT_RR:
		return ipv4_ptr_option(o, olen, IPOPT_PTR + 1, IPOPT_PTR_MIN);
	case IPOPT_TS:
		return ipv4_ptr_option(o, olen, IPOPT_TS_FLAGS + 1, IPOPT_TS_PTR_MIN);
	case IPOPT_RA:
		out->has_router_alert = true;
		return olen == IPOPT_RA_LEN ? WIRE_OK : WIRE_BAD_OPTION;
	}
	return WIRE_OK;
}

/* A fragment whose last byte would lie past 65535 (the "ping of death"). */
static bool ipv4_frag_overflows(const struct ipv4_info *ip)
{
	return (uint32_t)ip->frag_off + ip->total_len - ip->hdr_len > IP_MAX_LEN;
}

enum wire_err ipv4_parse(const uint8_t *p, size_t len, struct ipv4_info *out)
{
	enum wire_err e;

	if (len < IPV4_HDR_MIN)
		return WIRE_TRUNCATED;
	if ((e = ipv4_check_version(p)) != WIRE_OK)
		return e;
	ipv4_fields(p, out);
	if (out->hdr_len > len)
		return WIRE_TRUNCATED;
	if (!csum_right(0, p, out->hdr_len))
		return WIRE_BAD_CSUM;
	if (out->total_len < out->hdr_len)
		return WIRE_BAD_HEADER;
	if (out->total_len > len)
		return WIRE_TRUNCATED;
	if ((e = opt_walk(p + IPV4_HDR_MIN, out->opt_len, ipv4_option, out)) != WIRE_OK)
		return e;
	if (ipv4_frag_overflows(out))
		return WIRE_BAD_HEADER;
	return WIRE_OK;
}

void ipv4_build(uint8_t *p, const struct ipv4_info *in)
{
	uint16_t frag = (uint16_t)(in->frag_off / IP_FRAG_UNIT) & IPV4_FRAG_MASK;

	if (in->df)
		frag |= IPV4_FLAG_DF;
	if (in->mf)
		frag |= IPV4_FLAG_MF;
	p[IP_VER_IHL] = IP_VERSION << 4 | IPV4_HDR_MIN / IP_WORD;
	p[IP_TOS] = in->tos;
	put_be16(p + IP_TOTAL_LEN, in->total_len);
	put_be16(p + IP_ID, in->id);
	put_be16(p + IP_FRAG, frag);
	p[IP_TTL] = in->ttl;
	p[IP_PROTO] = in->proto;
	put_be16(p + IP_CSUM, 0);
	put_be32(p + IP_SRC, in->src);
	put_be32(p + IP_DST, in->dst);
	put_be16(p + IP_CSUM, csum_fold(csum_add(0, p, IPV4_HDR_MIN)));
}

/* ---- ICMP (RFC 792) --------------------------------------------------------- */

#define ICMP_TYPE       0
#define ICMP_CODE       1
#define ICMP_CSUM       2
#define ICMP_REST       4       /* id and sequence of echoes, the MTU of FRAG_NEEDED, ... */
#define ICMP_SEQ        6
#define ICMP_INNER_DATA 8       /* an error quotes this many bytes after the inner header */
#define L4_SPORT        0       /* the ports and TCP sequence an error quotes */
#define L4_DPORT        2
#define L4_SEQ          4

static bool icmp_is_error(uint8_t type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH || type == ICMP_REDIRECT ||
	       type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB;
}

static bool icmp_has_id(uint8_t type)
{
	return type == ICMP_ECHO || type == ICMP_ECHOREPLY || type == ICMP_TIMESTAMP ||
	       type == ICMP_TIMESTAMPREPLY;
}

/*
 * The quoted packet of an ICMP error, len bytes at p: an IPv4 header
 * (version, header length, total length at least the header, options;
 * not the checksum, which routers may rewrite, nor the total length
 * against len, as only a prefix is quoted) and 8 bytes after it.
 */
static enum wire_err icmp_inner(const uint8_t *p, size_t len, struct icmp_info *out)
{
	struct ipv4_info *ip = &out->inner;
	enum wire_err e;

	if (len < IPV4_HDR_MIN)
		return WIRE_TRUNCATED;
	if ((e = ipv4_check_version(p)) != WIRE_OK)
		return e;
	ipv4_fields(p, ip);
	if ((size_t)ip->hdr_len + ICMP_INNER_DATA > len)
		return WIRE_TRUNCATED;
	if (ip->total_len < ip->hdr_len)
		return WIRE_BAD_HEADER;
	if ((e = opt_walk(p + IPV4_HDR_MIN, ip->opt_len, ipv4_option, ip)) != WIRE_OK)
		return e;
	out->inner_sport = get_be16(p + ip->hdr_len + L4_SPORT);
	out->inner_dport = get_be16(p + ip->hdr_len + L4_DPORT);
	out->inner_seq = get_be32(p + ip->hdr_len + L4_SEQ);
	out->inner_l4 = p + ip->hdr_len;
	out->inner_l4_len = len - ip->hdr_len;
	if (out->inner_l4_len > (size_t)(ip->total_len - ip->hdr_len))
		out->inner_l4_len = (size_t)(ip->total_len - ip->hdr_len);
	out->has_inner = true;
	return WIRE_OK;
}

enum wire_err icmp_parse(const uint8_t *p, size_t len, struct icmp_info *out)
{
	if (len < ICMP_HDR_LEN)
		return WIRE_TRUNCATED;
	if (!csum_right(0, p, len))
		return WIRE_BAD_CSUM;
	memset(out, 0, sizeof(*out));
	out->type = p[ICMP_TYPE];
	out->code = p[ICMP_CODE];
	out->rest = get_be32(p + ICMP_REST);
	if (icmp_has_id(out->type)) {
		out->id = get_be16(p + ICMP_REST);
		out->seq = get_be16(p + ICMP_SEQ);
	}
	if (icmp_is_error(out->type))
		return icmp_inner(p + ICMP_HDR_LEN, len - ICMP_HDR_LEN, out);
	return WIRE_OK;
}

void icmp_build(uint8_t *p, uint8_t type, uint8_t code, uint32_t rest, size_t payload_len)
{
	p[ICMP_TYPE] = type;
	p[ICMP_CODE] = code;
	put_be16(p + ICMP_CSUM, 0);
	put_be32(p + ICMP_REST, rest);
	put_be16(p + ICMP_CSUM, csum_fold(csum_add(0, p, ICMP_HDR_LEN + payload_len)));
}

/* ---- UDP (RFC 768) ----------------------------------------------------------- */

#define UDP_SPORT       0
#define UDP_DPORT       2
#define UDP_LEN         4
#define UDP_CSUM        6
#define IPPROTO_UDP_NR  17
#define UDP_CSUM_NONE   0
#define UDP_CSUM_ZERO   0xffff  /* a computed 0 is sent as its other form */

enum wire_err udp_parse(const uint8_t *p, size_t len, uint32_t src, uint32_t dst, struct udp_info *out)
{
	if (len < UDP_HDR_LEN)
		return WIRE_TRUNCATED;
	out->len = get_be16(p + UDP_LEN);
	if (out->len < UDP_HDR_LEN)
		return WIRE_BAD_HEADER;
	if (out->len > len)
		return WIRE_TRUNCATED;
	out->no_csum = get_be16(p + UDP_CSUM) == UDP_CSUM_NONE;
	/* The sum covers the datagram as its length field says; bytes after it are padding. */
	if (!out->no_csum && !csum_right(csum_pseudo4(src, dst, IPPROTO_UDP_NR, out->len), p, out->len))
		return WIRE_BAD_CSUM;
	out->sport = get_be16(p + UDP_SPORT);
	out->dport = get_be16(p + UDP_DPORT);
	return WIRE_OK;
}

void udp_build(uint8_t *p, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint16_t udp_len)
{
	put_be16(p + UDP_SPORT, sport);
	put_be16(p + UDP_DPORT, dport);
	put_be16(p + UDP_LEN, udp_len);
	put_be16(p + UDP_CSUM, 0);
	uint16_t sum = csum_fold(csum_add(csum_pseudo4(src, dst, IPPROTO_UDP_NR, udp_len), p, udp_len));
	put_be16(p + UDP_CSUM, sum == UDP_CSUM_NONE ? UDP_CSUM_ZERO : sum);
}

/* ---- TCP (RFC 9293, 7323, 2018) ---------------------------------------------- */

#define TCP_SPORT       0
#define TCP_DPORT       2
#define TCP_SEQ         4
#define TCP_ACKNO       8
#define TCP_DOFF        12      /* data offset in words, in the high nibble */
#define TCP_FLAGS       13
#define TCP_WINDOW      14
#define TCP_CSUM        TCP_CSUM_FIELD
#define TCP_URG_PTR     18
#define TCP_WORD        4
#define IPPROTO_TCP_NR  6
#define TCP_OPT_SPACE   (TCP_HDR_MAX - TCP_HDR_MIN)
/* each option's length, and where its value starts */
#define TCPOLEN_MSS       4
#define TCPOLEN_WSCALE    3
#define TCPOLEN_SACK_PERM 2
#define TCPOLEN_TIMESTAMP 10
#define TCPOLEN_SACK_BASE 2
#define TCPOLEN_SACK_BLOCK 8
#define TCPOPT_VALUE      2
#define TCPOPT_TS_ECR     6     /* TIMESTAMP: ts_ecr after ts_val */
/* Linux's aligned groups (tcp_options_write) */
#define TCPOLEN_ALIGNED   4     /* NOP NOP SACK_PERM, NOP WSCALE, MSS */
#define TCPOLEN_TS_ALIGNED 12   /* NOP NOP TIMESTAMP, or SACK_PERM TIMESTAMP */
#define TCPOLEN_SACK_HEAD 4     /* NOP NOP SACK length, then the blocks */

/* A SACK option of olen bytes at o: 1 to 4 blocks of 8 bytes. */
static enum wire_err tcp_sack_option(const uint8_t *o, size_t olen, struct tcp_opts *t)
{
	size_t n = (olen - TCPOLEN_SACK_BASE) / TCPOLEN_SACK_BLOCK;

	if ((olen - TCPOLEN_SACK_BASE) % TCPOLEN_SACK_BLOCK || n < 1 || n > TCP_SACK_MAX)
		return WIRE_BAD_OPTION; /* tcp_option ignores it */
	t->nsack = (uint8_t)n;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *b = o + TCPOLEN_SACK_BASE + i * TCPOLEN_SACK_BLOCK;
		t->sack[i].left = get_be32(b);
		t->sack[i].right = get_be32(b + 4);
	}
	return WIRE_OK;
}

/* The length a kind of fixed size must have, 0 for the others. */
static size_t tcp_opt_own_len(uint8_t kind)
{
	switch (kind) {
	case TCPOPT_MSS: return TCPOLEN_MSS;
	case TCPOPT_WSCALE: return TCPOLEN_WSCALE;
	case TCPOPT_SACK_PERM: return TCPOLEN_SACK_PERM;
	case TCPOPT_TIMESTAMP: return TCPOLEN_TIMESTAMP;
	}
	return 0;
}

/* One TCP option with a length (opt_walk checked its shape): a known
 * kind of another length than its own is ignored, as Linux's
 * tcp_parse_options does, before its value is read; the value goes to ctx. */
static enum wire_err tcp_option(const uint8_t *o, size_t olen, void *ctx)
{
	struct tcp_opts *t = ctx;
	const uint8_t *v = o + TCPOPT_VALUE;
	size_t own = tcp_opt_own_len(o[OPT_KIND]);

	if (own && olen != own)
		return WIRE_OK;
	switch (o[OPT_KIND]) {
	case TCPOPT_MSS:
		t->has_mss = true;
		t->mss = get_be16(v);
		break;
	case TCPOPT_WSCALE:
		t->has_wscale = true;
		t->wscale = v[0];
		break;
	case TCPOPT_SACK_PERM:
		t->sack_ok = true;
		break;
	case TCPOPT_TIMESTAMP:
		t->has_ts = true;
		t->ts_val = get_be32(v);
		t->ts_ecr = get_be32(o + TCPOPT_TS_ECR);
		break;
	case TCPOPT_SACK:
		tcp_sack_option(o, olen, t); /* a malformed one is ignored, as Linux */
		break;
	}
	return WIRE_OK;   /* unknown kinds are skipped (RFC 9293 3.2) */
}

/* The fixed 20 bytes at p (already checked) into s. */
static void tcp_fields(const uint8_t *p, size_t len, struct tcp_seg *s)
{
	s->sport = get_be16(p + TCP_SPORT);
	s->dport = get_be16(p + TCP_DPORT);
	s->seq = get_be32(p + TCP_SEQ);
	s->ack = get_be32(p + TCP_ACKNO);
	s->hdr_len = (uint8_t)((p[TCP_DOFF] >> 4) * TCP_WORD);
	s->flags = p[TCP_FLAGS];
	s->window = get_be16(p + TCP_WINDOW);
	s->urg_ptr = get_be16(p + TCP_URG_PTR);
	s->payload_off = s->hdr_len;
	s->payload_len = (uint32_t)(len - s->hdr_len);
}

enum wire_err tcp_parse(const uint8_t *p, size_t len, uint32_t src, uint32_t dst, struct tcp_seg *out)
{
	return tcp_parse_checked(p, len, src, dst, false, out);
}

enum wire_err tcp_parse_checked(const uint8_t *p, size_t len, uint32_t src, uint32_t dst, bool csum_ok,
				struct tcp_seg *out)
{
	/* The pseudo-header's length is 16 bits: an IPv4 payload never passes it. */
	if (len > IP_MAX_LEN)
		return WIRE_BAD_HEADER;
	return tcp_parse_pseudo(p, len, csum_pseudo4(src, dst, IPPROTO_TCP_NR, (uint16_t)len), csum_ok, out);
}

enum wire_err tcp_parse_pseudo(const uint8_t *p, size_t len, uint32_t pseudo, bool csum_ok, struct tcp_seg *out)
{
	size_t hdr_len;

	if (len < TCP_HDR_MIN)
		return WIRE_TRUNCATED;
	hdr_len = (size_t)(p[TCP_DOFF] >> 4) * TCP_WORD;
	if (hdr_len < TCP_HDR_MIN)
		return WIRE_BAD_HEADER;
	if (hdr_len > len)
		return WIRE_TRUNCATED;
	if (!csum_ok && !csum_right(pseudo, p, len))
		return WIRE_BAD_CSUM;
	memset(out, 0, sizeof(*out));
	tcp_fields(p, len, out);
	/* An option whose length byte is missing, below 2 or past the header
	 * ends the options, and the segment is kept with those before it:
	 * Linux's tcp_parse_options returns there ("silly options"). */
	opt_walk(p + TCP_HDR_MIN, hdr_len - TCP_HDR_MIN, tcp_option, &out->opts);
	return WIRE_OK;
}

/* Write the SACK blocks of o that fit in room bytes after NOP NOP SACK
 * length (Linux trims the blocks, not the option). Returns the bytes written. */
static size_t tcp_sack_build(uint8_t *p, size_t room, const struct tcp_opts *o)
{
	size_t n = o->nsack < TCP_SACK_MAX ? o->nsack : TCP_SACK_MAX;

	if (room < TCPOLEN_SACK_HEAD + TCPOLEN_SACK_BLOCK)
		return 0;
	if (n > (room - TCPOLEN_SACK_HEAD) / TCPOLEN_SACK_BLOCK)
		n = (room - TCPOLEN_SACK_HEAD) / TCPOLEN_SACK_BLOCK;
	if (n == 0)
		return 0;
	p[0] = TCPOPT_NOP;
	p[1] = TCPOPT_NOP;
	p[2] = TCPOPT_SACK;
	p[3] = (uint8_t)(TCPOLEN_SACK_BASE + n * TCPOLEN_SACK_BLOCK);
	for (size_t i = 0; i < n; i++) {
		put_be32(p + TCPOLEN_SACK_HEAD + i * TCPOLEN_SACK_BLOCK, o->sack[i].left);
		put_be32(p + TCPOLEN_SACK_HEAD + i * TCPOLEN_SACK_BLOCK + 4, o->sack[i].right);
	}
	return TCPOLEN_SACK_HEAD + n * TCPOLEN_SACK_BLOCK;
}

/* The 12-byte timestamp group: SACK_PERM or NOP NOP in front of it. */
static void tcp_ts_build(uint8_t *p, const struct tcp_opts *o)
{
	if (o->sack_ok) {
		p[0] = TCPOPT_SACK_PERM;
		p[1] = TCPOLEN_SACK_PERM;
	} else {
		p[0] = TCPOPT_NOP;
		p[1] = TCPOPT_NOP;
	}
	p[2] = TCPOPT_TIMESTAMP;
	p[3] = TCPOLEN_TIMESTAMP;
	put_be32(p + 4, o->ts_val);
	put_be32(p + 8, o->ts_ecr);
}

/* The 4-byte group g at p + *n, advancing *n, if it fits in cap; else nothing. */
static void tcp_put4(uint8_t *p, size_t *n, size_t cap, const uint8_t g[TCPOLEN_ALIGNED])
{
	if (*n + TCPOLEN_ALIGNED > cap)
		return;
	memcpy(p + *n, g, TCPOLEN_ALIGNED);
	*n += TCPOLEN_ALIGNED;
}

/*
 * Linux's tcp_options_write order: MSS; SACK_PERM with TIMESTAMP (or
 * NOP NOP TIMESTAMP, or NOP NOP SACK_PERM alone); NOP WSCALE; NOP NOP
 * SACK. Each group is 4-aligned and is left out whole when it does not
 * fit in cap (at most 40); SACK keeps the blocks that fit.
 */
size_t tcp_opts_build(uint8_t *p, size_t cap, const struct tcp_opts *o)
{
	size_t n = 0;

	if (cap > TCP_OPT_SPACE)
		cap = TCP_OPT_SPACE;
	if (o->has_mss)
		tcp_put4(p, &n, cap, (const uint8_t[]){ TCPOPT_MSS, TCPOLEN_MSS, (uint8_t)(o->mss >> 8),
						       (uint8_t)o->mss });
	if (o->has_ts && n + TCPOLEN_TS_ALIGNED <= cap) {
		tcp_ts_build(p + n, o);
		n += TCPOLEN_TS_ALIGNED;
	} else if (o->sack_ok && !o->has_ts) {
		tcp_put4(p, &n, cap, (const uint8_t[]){ TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK_PERM,
						       TCPOLEN_SACK_PERM });
	}
	if (o->has_wscale)
		tcp_put4(p, &n, cap, (const uint8_t[]){ TCPOPT_NOP, TCPOPT_WSCALE, TCPOLEN_WSCALE, o->wscale });
	if (o->nsack)
		n += tcp_sack_build(p + n, cap - n, o);
	return n;
}

/* The header's fields, checksum field 0. */
static void tcp_header_put(uint8_t *p, const struct tcp_seg *s)
{
	put_be16(p + TCP_SPORT, s->sport);
	put_be16(p + TCP_DPORT, s->dport);
	put_be32(p + TCP_SEQ, s->seq);
	put_be32(p + TCP_ACKNO, s->ack);
	p[TCP_DOFF] = (uint8_t)(s->hdr_len / TCP_WORD << 4);
	p[TCP_FLAGS] = s->flags;
	put_be16(p + TCP_WINDOW, s->window);
	put_be16(p + TCP_CSUM, 0);
	put_be16(p + TCP_URG_PTR, s->urg_ptr);
}

void tcp_build(uint8_t *p, uint32_t src, uint32_t dst, const struct tcp_seg *s, uint32_t seg_len)
{
	tcp_header_put(p, s);
	uint32_t pseudo = csum_pseudo4(src, dst, IPPROTO_TCP_NR, (uint16_t)seg_len);
	put_be16(p + TCP_CSUM, csum_fold(csum_add(pseudo, p, seg_len)));
}

void tcp_build_partial(uint8_t *p, uint32_t src, uint32_t dst, const struct tcp_seg *s, uint32_t seg_len)
{
	tcp_build_pseudo(p, csum_pseudo4(src, dst, IPPROTO_TCP_NR, (uint16_t)seg_len), s);
}

void tcp_build_pseudo(uint8_t *p, uint32_t pseudo, const struct tcp_seg *s)
{
	tcp_header_put(p, s);
	put_be16(p + TCP_CSUM, (uint16_t)~csum_fold(pseudo));
}

/* ---- DHCP (RFC 2131, 2132) --------------------------------------------------- */

#define BOOTP_OP        0
#define BOOTP_HTYPE     1
#define BOOTP_HLEN      2
#define BOOTP_XID       4
#define BOOTP_FLAGS     10
#define BOOTP_CIADDR    12
#define BOOTP_YIADDR    16
#define BOOTP_SIADDR    20
#define BOOTP_CHADDR    28
#define BOOTP_COOKIE    DHCP_FIXED_LEN
#define BOOTP_REQUEST   1
#define BOOTP_REPLY     2
#define BOOTP_HTYPE_ETHER 1
#define BOOTP_MIN_LEN   300     /* RFC 1542 2.1: relays may drop shorter messages */
#define DHCP_COOKIE     0x63825363u
#define DHCP_ADDR_LEN   4
/* options (RFC 2132) */
#define DHCPOPT_PAD       0
#define DHCPOPT_SUBNET    1
#define DHCPOPT_ROUTER    3
#define DHCPOPT_DNS       6
#define DHCPOPT_HOSTNAME  12
#define DHCPOPT_DOMAIN    15
#define DHCPOPT_MTU       26
#define DHCPOPT_REQ_IP    50
#define DHCPOPT_LEASE     51
#define DHCPOPT_MSG_TYPE  53
#define DHCPOPT_SERVER_ID 54
#define DHCPOPT_PARAMS    55
#define DHCPOPT_RENEW     58
#define DHCPOPT_REBIND    59
#define DHCPOPT_END       255
#define DHCPOPT_HEAD      2     /* code and length */
#define DHCPOPT_MSG_TYPE_LEN 1
#define DHCPOPT_MTU_LEN   2
#define DHCPOPT_VALUE_MAX 255

/* A 4-byte value (an address or a number of seconds). */
static enum wire_err dhcp_u32(const uint8_t *v, size_t n, uint32_t *out)
{
	if (n != DHCP_ADDR_LEN)
		return WIRE_BAD_OPTION;
	*out = get_be32(v);
	return WIRE_OK;
}

/* A list of 1 or more addresses: the first max of them into out, their number to *count. */
static enum wire_err dhcp_addrs(const uint8_t *v, size_t n, uint32_t *out, size_t max, uint8_t *count)
{
	size_t k = n / DHCP_ADDR_LEN;

	if (n == 0 || n % DHCP_ADDR_LEN)
		return WIRE_BAD_OPTION;
	if (k > max)
		k = max;
	for (size_t i = 0; i < k; i++)
		out[i] = get_be32(v + i * DHCP_ADDR_LEN);
	if (count)
		*count = (uint8_t)k;
	return WIRE_OK;
}

/* A string of at least one byte, cut to fit size with its NUL (as Linux's ipconfig does). */
static enum wire_err dhcp_string(const uint8_t *v, size_t n, char *out, size_t size)
{
	if (n == 0)
		return WIRE_BAD_OPTION;
	if (n > size - 1)
		n = size - 1;
	memcpy(out, v, n);
	out[n] = 0;
	return WIRE_OK;
}

/* One option, code with the n bytes of value at v (inside the message): a known one into out. */
static enum wire_err dhcp_option(uint8_t code, const uint8_t *v, size_t n, struct dhcp_info *out)
{
	switch (code) {
	case DHCPOPT_MSG_TYPE:
		if (n != DHCPOPT_MSG_TYPE_LEN)
			return WIRE_BAD_OPTION;
		out->msg_type = v[0];
		return WIRE_OK;
	case DHCPOPT_MTU:
		if (n != DHCPOPT_MTU_LEN)
			return WIRE_BAD_OPTION;
		out->mtu = get_be16(v);
		return WIRE_OK;
	case DHCPOPT_SUBNET: return dhcp_u32(v, n, &out->subnet_mask);
	case DHCPOPT_SERVER_ID: return dhcp_u32(v, n, &out->server_id);
	case DHCPOPT_LEASE: return dhcp_u32(v, n, &out->lease_s);
	case DHCPOPT_RENEW: return dhcp_u32(v, n, &out->renew_s);
	case DHCPOPT_REBIND: return dhcp_u32(v, n, &out->rebind_s);
	case DHCPOPT_ROUTER: return dhcp_addrs(v, n, &out->router, 1, NULL);
	case DHCPOPT_DNS: return dhcp_addrs(v, n, out->dns, DHCP_DNS_MAX, &out->ndns);
	case DHCPOPT_HOSTNAME: return dhcp_string(v, n, out->hostname, sizeof(out->hostname));
	case DHCPOPT_DOMAIN: return dhcp_string(v, n, out->domain, sizeof(out->domain));
	}
	return WIRE_OK;
}

/*
 * The len bytes of options at p: PAD, END (stop; a message may also just
 * end), else code, length and value, which must lie inside len
 * (WIRE_BAD_OPTION); dhcp_option reads only those n bytes of value.
 */
static enum wire_err dhcp_options(const uint8_t *p, size_t len, struct dhcp_info *out)
{
	size_t i = 0;
	enum wire_err e;

	while (i < len && p[i] != DHCPOPT_END) {
		if (p[i] == DHCPOPT_PAD) {
			i++;
			continue;
		}
		if (len - i < DHCPOPT_HEAD || p[i + 1] > len - i - DHCPOPT_HEAD)
			return WIRE_BAD_OPTION;
		if ((e = dhcp_option(p[i], p + i + DHCPOPT_HEAD, p[i + 1], out)) != WIRE_OK)
			return e;
		i += DHCPOPT_HEAD + (size_t)p[i + 1];
	}
	return WIRE_OK;
}

enum wire_err dhcp_parse(const uint8_t *p, size_t len, struct dhcp_info *out)
{
	if (len < DHCP_MIN_LEN)
		return WIRE_TRUNCATED;
	if (get_be32(p + BOOTP_COOKIE) != DHCP_COOKIE)
		return WIRE_BAD_HEADER;
	if (p[BOOTP_OP] != BOOTP_REQUEST && p[BOOTP_OP] != BOOTP_REPLY)
		return WIRE_BAD_HEADER;
	if (p[BOOTP_HTYPE] != BOOTP_HTYPE_ETHER || p[BOOTP_HLEN] != ETH_ALEN)
		return WIRE_UNSUPPORTED;
	memset(out, 0, sizeof(*out));
	out->op = p[BOOTP_OP];
	out->xid = get_be32(p + BOOTP_XID);
	out->ciaddr = get_be32(p + BOOTP_CIADDR);
	out->yiaddr = get_be32(p + BOOTP_YIADDR);
	out->siaddr = get_be32(p + BOOTP_SIADDR);
	memcpy(out->chaddr, p + BOOTP_CHADDR, ETH_ALEN);
	return dhcp_options(p + DHCP_MIN_LEN, len - DHCP_MIN_LEN, out);
}

/* Option code with n bytes of value v at p + i; returns the index after it. */
static size_t dhcp_put(uint8_t *p, size_t i, uint8_t code, const void *v, size_t n)
{
	p[i] = code;
	p[i + 1] = (uint8_t)n;
	memcpy(p + i + DHCPOPT_HEAD, v, n);
	return i + DHCPOPT_HEAD + n;
}

static size_t dhcp_put_addr(uint8_t *p, size_t i, uint8_t code, uint32_t addr)
{
	uint8_t v[DHCP_ADDR_LEN];

	put_be32(v, addr);
	return dhcp_put(p, i, code, v, sizeof(v));
}

/* The BOOTP header of a client's request, before the options. */
static void dhcp_build_fixed(uint8_t *p, uint32_t xid, const uint8_t chaddr[6], uint32_t ciaddr)
{
	p[BOOTP_OP] = BOOTP_REQUEST;
	p[BOOTP_HTYPE] = BOOTP_HTYPE_ETHER;
	p[BOOTP_HLEN] = ETH_ALEN;
	put_be32(p + BOOTP_XID, xid);
	put_be16(p + BOOTP_FLAGS, 0);   /* broadcast flag off: Kestrel takes unicast replies */
	put_be32(p + BOOTP_CIADDR, ciaddr);
	memcpy(p + BOOTP_CHADDR, chaddr, ETH_ALEN);
	put_be32(p + BOOTP_COOKIE, DHCP_COOKIE);
}

static const uint8_t dhcp_params[] = {
	DHCPOPT_SUBNET, DHCPOPT_ROUTER, DHCPOPT_DNS, DHCPOPT_HOSTNAME, DHCPOPT_DOMAIN,
	DHCPOPT_MTU, DHCPOPT_LEASE, DHCPOPT_RENEW, DHCPOPT_REBIND,
};

/*
 * The options of a client message from index i: type, 50 and 54 when
 * not 0; but for RELEASE (which RFC 2131 table 5 keeps to the server id)
 * the host name (cut to what fits cap) and the parameter request list.
 * Returns the index after END. cap leaves room for all (>= 300).
 */
static size_t dhcp_build_options(uint8_t *p, size_t i, size_t cap, uint8_t msg_type,
				 uint32_t requested_ip, uint32_t server_id, const char *hostname)
{
	i = dhcp_put(p, i, DHCPOPT_MSG_TYPE, &msg_type, 1);
	if (requested_ip && msg_type != DHCP_RELEASE)
		i = dhcp_put_addr(p, i, DHCPOPT_REQ_IP, requested_ip);
	if (server_id)
		i = dhcp_put_addr(p, i, DHCPOPT_SERVER_ID, server_id);
	if (msg_type != DHCP_RELEASE) {
		size_t room = cap - i - 2 * DHCPOPT_HEAD - sizeof(dhcp_params) - 1;
		size_t n = hostname ? strnlen(hostname, room < DHCPOPT_VALUE_MAX ? room : DHCPOPT_VALUE_MAX) : 0;
		if (n)
			i = dhcp_put(p, i, DHCPOPT_HOSTNAME, hostname, n);
		i = dhcp_put(p, i, DHCPOPT_PARAMS, dhcp_params, sizeof(dhcp_params));
	}
	p[i++] = DHCPOPT_END;
	return i;
}

size_t dhcp_build(uint8_t *p, size_t cap, uint8_t msg_type, uint32_t xid, const uint8_t chaddr[6],
		  uint32_t ciaddr, uint32_t requested_ip, uint32_t server_id, const char *hostname)
{
	if (cap < BOOTP_MIN_LEN)
		return 0;
	memset(p, 0, BOOTP_MIN_LEN);
	dhcp_build_fixed(p, xid, chaddr, ciaddr);
	size_t n = dhcp_build_options(p, DHCP_MIN_LEN, cap, msg_type, requested_ip, server_id, hostname);
	return n < BOOTP_MIN_LEN ? BOOTP_MIN_LEN : n;
}
