/* SPDX-License-Identifier: MIT */
/* The network's wire formats: a parser per header that validates before anything reads a field (lengths against the buffer, checksums, options one by one), and the builders of the headers Kestrel sends. Pure: no kernel state, so the host's unit tests and fuzzers run it as it is. */
#ifndef KESTREL_NET_WIRE_H
#define KESTREL_NET_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Every parser returns WIRE_OK or one reason a packet is dropped, so the
 * caller counts it where Linux counts it (/proc/net/snmp). Addresses and
 * numbers in the *_info structs are in host byte order; a parser reads
 * only inside [p, p + len) and never writes to it.
 */
enum wire_err {
	WIRE_OK = 0,
	WIRE_TRUNCATED = -1,   /* shorter than its header or than its own length field says */
	WIRE_BAD_HEADER = -2,  /* a version, header length or field no sender may use */
	WIRE_BAD_CSUM = -3,    /* the checksum does not add up */
	WIRE_BAD_OPTION = -4,  /* an option's length runs past the header, or is too short for its kind */
	WIRE_UNSUPPORTED = -5, /* well formed, but not a kind Kestrel takes (VLAN tags, ARP for other hardware) */
};

/* ---- checksums (RFC 1071) ------------------------------------------------ */

/* The 32-bit running sum of len bytes at p added to sum (big-endian
 * 16-bit words; an odd last byte is the high half of a word). */
uint32_t csum_add(uint32_t sum, const void *p, size_t len);
/* The sum folded to 16 bits and complemented: the value a header holds,
 * and 0 when a received header's sum (checksum included) is right. */
uint16_t csum_fold(uint32_t sum);
/* The IPv4 pseudo-header's sum (RFC 768, 9293): addresses, protocol, length. */
uint32_t csum_pseudo4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);

/* ---- Ethernet II ----------------------------------------------------------- */

struct eth_info {
	uint8_t dst[6], src[6];
	uint16_t type;               /* EtherType */
};
/* 14 bytes at least; an 802.1Q tag is WIRE_UNSUPPORTED, an 802.3 length
 * (type < 0x600) is WIRE_UNSUPPORTED. */
enum wire_err eth_parse(const uint8_t *p, size_t len, struct eth_info *out);
/* Write the 14-byte header at p. */
void eth_build(uint8_t *p, const uint8_t dst[6], const uint8_t src[6], uint16_t type);
static inline bool eth_is_broadcast(const uint8_t a[6])
{
	return (a[0] & a[1] & a[2] & a[3] & a[4] & a[5]) == 0xff;
}
static inline bool eth_is_multicast(const uint8_t a[6])
{
	return a[0] & 1;
}

/* ---- ARP for IPv4 over Ethernet (RFC 826) -------------------------------- */

#define ARP_LEN       28
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY   2
struct arp_info {
	uint16_t op;
	uint8_t sha[6];
	uint32_t spa;
	uint8_t tha[6];
	uint32_t tpa;
};
/* htype 1, ptype 0x0800, hlen 6, plen 4 (else WIRE_UNSUPPORTED), op 1
 * or 2 (else WIRE_BAD_HEADER), 28 bytes (padding after is allowed). */
enum wire_err arp_parse(const uint8_t *p, size_t len, struct arp_info *out);
/* Write the 28 bytes at p. */
void arp_build(uint8_t *p, const struct arp_info *a);

/* ---- IPv4 (RFC 791) -------------------------------------------------------- */

#define IPV4_HDR_MIN   20
#define IPV4_HDR_MAX   60
#define IPV4_FLAG_DF   0x4000
#define IPV4_FLAG_MF   0x2000
#define IPV4_FRAG_MASK 0x1fff   /* the offset, in 8-byte units */
/* options (RFC 791 3.1) */
#define IPOPT_END      0
#define IPOPT_NOOP     1
#define IPOPT_RR       7
#define IPOPT_TS       68
#define IPOPT_SEC      130
#define IPOPT_LSRR     131
#define IPOPT_SSRR     137
#define IPOPT_RA       148
struct ipv4_info {
	uint8_t hdr_len;             /* bytes: 20 .. 60 */
	uint8_t tos, ttl, proto;
	uint16_t total_len;          /* from the header: hdr_len .. len */
	uint16_t id;
	bool df, mf;
	uint16_t frag_off;           /* bytes */
	uint32_t src, dst;
	uint8_t opt_len;             /* hdr_len - 20 */
	bool has_source_route;       /* LSRR or SSRR present (Linux drops these unless accept_source_route) */
	bool has_router_alert;
	bool to_broadcast;           /* not the parser's: ipv4_input found dst a broadcast address */
};
/* Version 4, header length 20..60 and within total length, total length
 * within len (bytes after it are link padding the caller trims), header
 * checksum, every option's length (RFC 791: a kind byte, then for all but
 * END and NOOP a length of at least 2 that stays inside the header; RR,
 * TS, LSRR and SSRR have a pointer of at least 4 (5 for TS)), a fragment
 * whose offset plus payload passes 65535 (WIRE_BAD_HEADER). */
enum wire_err ipv4_parse(const uint8_t *p, size_t len, struct ipv4_info *out);
/* Write a 20-byte header (no options) with its checksum at p, from
 * in's tos, ttl, proto, total_len, id, df, mf, frag_off, src, dst. */
void ipv4_build(uint8_t *p, const struct ipv4_info *in);

/* ---- ICMP (RFC 792) --------------------------------------------------------- */

#define ICMP_HDR_LEN        8
#define ICMP_ECHOREPLY      0
#define ICMP_DEST_UNREACH   3
#define ICMP_SOURCE_QUENCH  4
#define ICMP_REDIRECT       5
#define ICMP_ECHO           8
#define ICMP_TIME_EXCEEDED  11
#define ICMP_PARAMETERPROB  12
#define ICMP_TIMESTAMP      13
#define ICMP_TIMESTAMPREPLY 14
/* codes of ICMP_DEST_UNREACH */
#define ICMP_NET_UNREACH    0
#define ICMP_HOST_UNREACH   1
#define ICMP_PROT_UNREACH   2
#define ICMP_PORT_UNREACH   3
#define ICMP_FRAG_NEEDED    4
#define ICMP_FRAG_MTU_MASK  0xffffu /* a frag-needed's next-hop MTU: the low half of its rest (RFC 1191) */
/* codes of ICMP_TIME_EXCEEDED */
#define ICMP_EXC_TTL        0
#define ICMP_EXC_FRAGTIME   1
struct icmp_info {
	uint8_t type, code;
	uint16_t id, seq;            /* echo and echo reply */
	uint32_t rest;               /* the header's last 4 bytes, as a whole (the MTU of FRAG_NEEDED in its low 16) */
	/* for errors (3, 4, 5, 11, 12): the offending packet's IPv4 header and first 8 bytes after it */
	bool has_inner;
	struct ipv4_info inner;      /* its checksum is not checked (routers may rewrite it); its lengths are */
	uint16_t inner_sport, inner_dport; /* the first 4 bytes after the inner header (UDP and TCP ports) */
	uint32_t inner_seq;          /* the 4 after those (a TCP sequence number) */
	const uint8_t *inner_l4;     /* what it quoted after the inner header, cut to the inner */
	size_t inner_l4_len;         /* total length (so maybe under 8): into the packet parsed */
};
/* At least 8 bytes and the checksum over all len bytes right. Errors
 * must carry an inner IPv4 header of at least 20 bytes followed by at
 * least 8 bytes (else WIRE_TRUNCATED); has_inner is then true. */
enum wire_err icmp_parse(const uint8_t *p, size_t len, struct icmp_info *out);
/* Write an 8-byte header at p for type/code/rest, with the checksum
 * over it and the payload_len bytes that follow it at p + 8. */
void icmp_build(uint8_t *p, uint8_t type, uint8_t code, uint32_t rest, size_t payload_len);

/* ---- UDP (RFC 768) ----------------------------------------------------------- */

#define UDP_HDR_LEN 8
struct udp_info {
	uint16_t sport, dport;
	uint16_t len;                /* header + payload, from the header: 8 .. len */
	bool no_csum;                /* the sender sent none (0): allowed on IPv4 */
};
/* 8 bytes at least, the length field 8..len, the checksum (with the
 * pseudo-header of src, dst) right unless it is 0. */
enum wire_err udp_parse(const uint8_t *p, size_t len, uint32_t src, uint32_t dst, struct udp_info *out);
/* Write an 8-byte header at p for a datagram of udp_len bytes (header
 * included) whose payload follows at p + 8, with its checksum (0 becomes 0xffff). */
void udp_build(uint8_t *p, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint16_t udp_len);

/* ---- TCP (RFC 9293, 7323, 2018) ---------------------------------------------- */

#define TCP_HDR_MIN   20
#define TCP_HDR_MAX   60
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80
#define TCPOPT_EOL       0
#define TCPOPT_NOP       1
#define TCPOPT_MSS       2
#define TCPOPT_WSCALE    3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_SACK      5
#define TCPOPT_TIMESTAMP 8
#define TCP_SACK_MAX     4
#define TCP_WSCALE_MAX   14
struct tcp_opts {
	bool has_mss, has_wscale, sack_ok, has_ts;
	uint16_t mss;
	uint8_t wscale;              /* as sent; the user clamps to 14 (RFC 7323 2.3) */
	uint32_t ts_val, ts_ecr;
	uint8_t nsack;
	struct { uint32_t left, right; } sack[TCP_SACK_MAX];
};
struct tcp_seg {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t hdr_len;             /* bytes: 20 .. 60, within len */
	uint8_t flags;               /* TCP_FIN .. TCP_CWR */
	uint16_t window;             /* as sent (not scaled) */
	uint16_t urg_ptr;
	struct tcp_opts opts;
	uint32_t payload_off;        /* hdr_len */
	uint32_t payload_len;        /* len - hdr_len */
};
/* The header (data offset 5..15, inside len) and the checksum over all
 * len bytes with the pseudo-header of src and dst. The options are read
 * as Linux's tcp_parse_options reads them, never a reason to drop the
 * segment: kind, then (but for EOL and NOP) a length; a known kind of
 * another length than its own (MSS 4, WSCALE 3, SACK_PERM 2, TIMESTAMP
 * 10, SACK 2 + 8n with n 1..4) is ignored; a length below 2 or past the
 * header ends the options; an unknown kind is skipped (RFC 9293 3.2). */
enum wire_err tcp_parse(const uint8_t *p, size_t len, uint32_t src, uint32_t dst, struct tcp_seg *out);
/* tcp_parse, the checksum not summed when csum_ok (the device checked it,
 * or the segment never left this host: netbuf.h's csum_ok). */
enum wire_err tcp_parse_checked(const uint8_t *p, size_t len, uint32_t src, uint32_t dst, bool csum_ok,
				struct tcp_seg *out);
/* tcp_parse_checked's checks and reading for any IP version: pseudo is
 * the pseudo-header's sum (csum_pseudo4, or wire6.h's csum_pseudo6),
 * whose length the caller checked fits its field. */
enum wire_err tcp_parse_pseudo(const uint8_t *p, size_t len, uint32_t pseudo, bool csum_ok, struct tcp_seg *out);
/* The options of o (MSS, SACK_PERM, TIMESTAMP, WSCALE, SACK blocks, in
 * Linux's order and NOP padding) written at p, at most cap bytes
 * (40 at most): their length, a multiple of 4. What does not fit is left out. */
size_t tcp_opts_build(uint8_t *p, size_t cap, const struct tcp_opts *o);
/* Write a TCP header of hdr_len bytes (20 + the options already at
 * p + 20) at p, checksum over it and the payload after it (seg_len bytes
 * in all) with the pseudo-header of src and dst. */
void tcp_build(uint8_t *p, uint32_t src, uint32_t dst, const struct tcp_seg *s, uint32_t seg_len);
/* tcp_build with the checksum left to the device (netbuf.h's
 * csum_partial): the field holds the pseudo-header's folded sum, and
 * summing the segment from p, field included, completes it. */
void tcp_build_partial(uint8_t *p, uint32_t src, uint32_t dst, const struct tcp_seg *s, uint32_t seg_len);
/* tcp_build_partial for any IP version: pseudo is the pseudo-header's sum. */
void tcp_build_pseudo(uint8_t *p, uint32_t pseudo, const struct tcp_seg *s);
#define TCP_CSUM_FIELD 16 /* the checksum's offset in the header */

/* ---- DHCP (RFC 2131, 2132) --------------------------------------------------- */

#define DHCP_CLIENT_PORT 68
#define DHCP_SERVER_PORT 67
#define DHCP_FIXED_LEN   236        /* up to the options, without the magic cookie */
#define DHCP_MIN_LEN     240        /* with the magic cookie */
#define DHCP_DISCOVER 1
#define DHCP_OFFER    2
#define DHCP_REQUEST  3
#define DHCP_DECLINE  4
#define DHCP_ACK      5
#define DHCP_NAK      6
#define DHCP_RELEASE  7
#define DHCP_DNS_MAX  3
struct dhcp_info {
	uint8_t op;                  /* 1 request, 2 reply */
	uint32_t xid;
	uint32_t ciaddr, yiaddr, siaddr;
	uint8_t chaddr[6];
	uint8_t msg_type;            /* option 53: DHCP_DISCOVER .. (0: none, a BOOTP reply) */
	uint32_t server_id;          /* option 54 (0: none) */
	uint32_t subnet_mask;        /* option 1 (0: none) */
	uint32_t router;             /* option 3's first (0: none) */
	uint32_t dns[DHCP_DNS_MAX];  /* option 6's first three */
	uint8_t ndns;
	uint32_t lease_s;            /* option 51 (0: none) */
	uint32_t renew_s, rebind_s;  /* options 58, 59 (0: none) */
	uint16_t mtu;                /* option 26 (0: none) */
	char hostname[64];           /* option 12, NUL-terminated; "" when none */
	char domain[64];             /* option 15 */
};
/* A BOOTP message of at least 240 bytes with the magic cookie, htype 1
 * and hlen 6; options (with option overload 52 ignored) each inside len,
 * a known option of the wrong length is WIRE_BAD_OPTION. */
enum wire_err dhcp_parse(const uint8_t *p, size_t len, struct dhcp_info *out);
/* A client message (DISCOVER, REQUEST, RELEASE) of type msg_type at p
 * (cap at least 300 bytes): xid, chaddr, ciaddr; requested_ip (option 50)
 * and server_id (54) when not 0; the parameter request list (1, 3, 6, 12,
 * 15, 26, 51, 58, 59); the broadcast flag off. Returns its length. */
size_t dhcp_build(uint8_t *p, size_t cap, uint8_t msg_type, uint32_t xid, const uint8_t chaddr[6],
		  uint32_t ciaddr, uint32_t requested_ip, uint32_t server_id, const char *hostname);

/* ---- byte order ------------------------------------------------------------- */

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
