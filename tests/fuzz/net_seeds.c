/* SPDX-License-Identifier: MIT */
/*
 * Writes the network fuzzers' seed corpora: the frames captured off Linux
 * (tests/unit/net_frames.h), cut to the layer each fuzzer takes and
 * given the prefix its harness reads (a flags byte asking for the
 * checksum to be fixed; for UDP and TCP the pseudo-header's addresses).
 * fuzz_bpf's seeds are tcpdump's byte code and a program of every kind
 * of load, each with a frame, behind the prefix fuzz_bpf.c reads.
 * fuzz_net_ipv6's are the IPv6 packets of tests/unit/net_frames6.h.
 * Usage: net_seeds OUT (the corpora go to OUT/corpus-fuzz_net_* and OUT/corpus-fuzz_bpf).
 */
#include <stdio.h>
#include <string.h>

#include "net_frames.h"
#include "net_frames6.h"
#include "uapi/filter.h"

#define FIX_CSUM 0x01

struct frame {
	const char *name;
	const char *hex;
};

static const struct frame frames[] = {
	{ "arp_request", hex_arp_request }, { "icmp_echo", hex_icmp_echo },
	{ "udp_dns", hex_udp_dns }, { "icmp_port_unreach", hex_icmp_port_unreach },
	{ "tcp_syn", hex_tcp_syn }, { "tcp_ack", hex_tcp_ack }, { "tcp_sack1", hex_tcp_sack1 },
	{ "tcp_sack3", hex_tcp_sack3 }, { "tcpnots_ack", hex_tcpnots_ack },
	{ "tcpnots_sack4", hex_tcpnots_sack4 }, { "dhcp_discover", hex_dhcp_discover },
	{ "dhcp_offer", hex_dhcp_offer },
};

/* An IPv4 header with options (RR, timestamp, router alert, NOP, END) and 8 bytes after it. */
static const uint8_t ip_opts[] = {
	0x4c, 0x00, 0x00, 0x38, 0x00, 0x07, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
	0x0a, 0x00, 0x02, 0x0f, 0x0a, 0x00, 0x02, 0x02,
	7, 7, 4, 0, 0, 0, 0, 68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 148, 4, 0, 0, 1, 0, 0, 0, 0,
	0, 1, 0, 2, 0, 8, 0, 0,
};

/* Write prefix (plen bytes) then n bytes of p to OUT/corpus-FUZZER/seed-NAME. */
static int put(const char *out, const char *fuzzer, const char *name, const uint8_t *prefix, size_t plen,
	       const uint8_t *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/corpus-%s/seed-%s", out, fuzzer, name);
	f = fopen(path, "wb");
	if (!f || fwrite(prefix, 1, plen, f) != plen || fwrite(p, 1, n, f) != n) {
		perror(path);
		if (f)
			fclose(f);
		return 1;
	}
	return fclose(f) != 0;
}

/* Append option code with n bytes of value v (or n copies of fill when v is NULL). */
static size_t opt(uint8_t *p, size_t i, uint8_t code, uint8_t n, const uint8_t *v, uint8_t fill)
{
	p[i] = code;
	p[i + 1] = n;
	if (v)
		memcpy(p + i + 2, v, n);
	else
		memset(p + i + 2, fill, n);
	return i + 2 + n;
}

/* A DHCP ACK with names longer than Kestrel keeps and more DNS servers than it keeps. */
static int seed_dhcp_long(const char *out)
{
	static uint8_t b[2048];
	static const uint8_t ack = 5;
	size_t n = frame_unhex(hex_dhcp_offer, b) - FRAME_L4 - 8, i = 240;
	uint8_t *p = b + FRAME_L4 + 8;

	i = opt(p, i, 53, 1, &ack, 0);
	i = opt(p, i, 12, 100, NULL, 'h');
	i = opt(p, i, 15, 64, NULL, 'd');
	i = opt(p, i, 6, 16, NULL, 10);
	p[i++] = 255;
	return put(out, "fuzz_net_dhcp", "long_names", NULL, 0, p, i > n ? i : n);
}

/* One captured frame, to each fuzzer whose layer it has. */
static int seed_frame(const char *out, const struct frame *fr)
{
	static uint8_t b[2048];
	size_t n = frame_unhex(fr->hex, b);
	uint8_t fix = FIX_CSUM, pre[9] = { FIX_CSUM };
	int bad = put(out, "fuzz_net_eth_arp", fr->name, NULL, 0, b, n);

	if (b[12] != 0x08 || b[13] != 0x00)
		return bad;
	size_t ip_len = (size_t)(b[FRAME_ETH_LEN + 2] << 8 | b[FRAME_ETH_LEN + 3]);
	const uint8_t *l4 = b + FRAME_L4;
	size_t l4_len = ip_len - (FRAME_L4 - FRAME_ETH_LEN);
	memcpy(pre + 1, b + FRAME_ETH_LEN + 12, 8);       /* source and destination */
	bad |= put(out, "fuzz_net_ipv4", fr->name, &fix, 1, b + FRAME_ETH_LEN, ip_len);
	switch (b[FRAME_ETH_LEN + 9]) {
	case 1:
		bad |= put(out, "fuzz_net_icmp", fr->name, &fix, 1, l4, l4_len);
		break;
	case 6:
		bad |= put(out, "fuzz_net_tcp", fr->name, pre, sizeof(pre), l4, l4_len);
		break;
	case 17:
		bad |= put(out, "fuzz_net_udp", fr->name, pre, sizeof(pre), l4, l4_len);
		if (l4_len > 8 && (l4[3] == 67 || l4[3] == 68))
			bad |= put(out, "fuzz_net_dhcp", fr->name, NULL, 0, l4 + 8, l4_len - 8);
		break;
	}
	return bad;
}

/* tcpdump -dd 'ip and udp dst port 67' */
static const struct sock_filter bpf_dhcp[] = {
	{ 0x28, 0, 0, 0x0000000c }, { 0x15, 0, 8, 0x00000800 }, { 0x30, 0, 0, 0x00000017 },
	{ 0x15, 0, 6, 0x00000011 }, { 0x28, 0, 0, 0x00000014 }, { 0x45, 4, 0, 0x00001fff },
	{ 0xb1, 0, 0, 0x0000000e }, { 0x48, 0, 0, 0x00000010 }, { 0x15, 0, 1, 0x00000043 },
	{ 0x06, 0, 0, 0x00040000 }, { 0x06, 0, 0, 0x00000000 },
};
/* tcpdump -dd 'arp' */
static const struct sock_filter bpf_arp[] = {
	{ 0x28, 0, 0, 0x0000000c }, { 0x15, 0, 1, 0x00000806 }, { 0x06, 0, 0, 0x00040000 },
	{ 0x06, 0, 0, 0x00000000 },
};
/* header-relative, ancillary, scratch and X loads, for a UDP socket's view */
static const struct sock_filter bpf_mixed[] = {
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, (uint32_t)SKF_NET_OFF + 9),
	BPF_STMT(BPF_ST, 0),
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, (uint32_t)SKF_LL_OFF + 12),
	BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, (uint32_t)SKF_NET_OFF),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_AD_OFF + SKF_AD_PROTOCOL),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_AD_OFF + SKF_AD_NLATTR),
	BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
	BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0),
	BPF_STMT(BPF_LDX | BPF_MEM, 0),
	BPF_JUMP(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 1),
	BPF_STMT(BPF_RET | BPF_A, 0),
	BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
	BPF_STMT(BPF_RET | BPF_A, 0),
};

/* fuzz_bpf: prog (n instructions) over frame hex, the view at data_off. */
static int seed_bpf(const char *out, const char *name, const struct sock_filter *prog, size_t n,
		    const char *hex, uint8_t data_off)
{
	static uint8_t b[4096];
	const uint8_t has_mac = 0x01;
	uint8_t pre[6] = { has_mac, (uint8_t)((n - 1) >> 8), (uint8_t)(n - 1), data_off, FRAME_ETH_LEN, 0 };
	size_t plen = n * sizeof(*prog);

	memcpy(b, prog, plen);
	return put(out, "fuzz_bpf", name, pre, sizeof(pre), b, plen + frame_unhex(hex, b + plen));
}

static int seeds_bpf(const char *out)
{
	int bad = seed_bpf(out, "dhcp_discover", bpf_dhcp, 11, hex_dhcp_discover, 0);
	bad |= seed_bpf(out, "dhcp_dns", bpf_dhcp, 11, hex_udp_dns, 0);
	bad |= seed_bpf(out, "arp_request", bpf_arp, 4, hex_arp_request, 0);
	bad |= seed_bpf(out, "mixed_udp", bpf_mixed, sizeof(bpf_mixed) / sizeof(bpf_mixed[0]), hex_udp_dns,
			FRAME_L4);
	return bad;
}

/* IPv6 packets (net_frames6.h), whole, for fuzz_net_ipv6. */
static const struct frame frames6[] = {
	{ "echo", F6_ECHO }, { "dad_ns", F6_DAD_NS }, { "ns", F6_NS }, { "ra", F6_RA },
	{ "udp", F6_UDP }, { "udp_ext", F6_UDP_EXT }, { "rt0", F6_RT0 }, { "unk_opt", F6_UNK_OPT },
	{ "frag", F6_FRAG }, { "unreach", F6_UNREACH }, { "tcp_syn", F6_TCP_SYN },
};

static int seeds_ipv6(const char *out)
{
	static uint8_t b[2048];
	uint8_t fix = FIX_CSUM;
	int bad = 0;
	for (size_t i = 0; i < sizeof(frames6) / sizeof(frames6[0]); i++) {
		size_t n = frame_unhex(frames6[i].hex, b);
		bad |= put(out, "fuzz_net_ipv6", frames6[i].name, &fix, 1, b, n);
	}
	return bad;
}

int main(int argc, char **argv)
{
	uint8_t fix = FIX_CSUM;
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUT\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++)
		bad |= seed_frame(argv[1], &frames[i]);
	bad |= put(argv[1], "fuzz_net_ipv4", "options", &fix, 1, ip_opts, sizeof(ip_opts));
	bad |= seed_dhcp_long(argv[1]);
	bad |= seeds_bpf(argv[1]);
	bad |= seeds_ipv6(argv[1]);
	return bad;
}
