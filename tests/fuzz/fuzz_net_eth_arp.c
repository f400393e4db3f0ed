/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the Ethernet and ARP parsers (kernel/net/wire.c):
 * the input is a frame. eth_parse, then arp_parse on its payload (and on
 * the whole input, for ARP's own bytes) read only inside the input and
 * never write it; an accepted header is one Kestrel takes (an EtherType,
 * not a VLAN tag or an 802.3 length; ARP for IPv4 over Ethernet, a
 * request or a reply, 28 bytes at least), and building what was parsed
 * gives the input's bytes back.
 */
#include "fuzz_net.h"

#define ETH_HDR 14

static void check_arp(const uint8_t *p, size_t len)
{
	struct arp_info a;
	uint8_t again[ARP_LEN];

	if (arp_parse(p, len, &a) != WIRE_OK)
		return;
	FUZZ_ASSERT(len >= ARP_LEN);
	FUZZ_ASSERT(a.op == ARP_OP_REQUEST || a.op == ARP_OP_REPLY);
	arp_build(again, &a);
	FUZZ_ASSERT(memcmp(again, p, ARP_LEN) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_buf b;
	struct eth_info e;

	if (fuzz_buf_init(&b, data, size))
		return 0;
	fuzz_buf_snap(&b);
	if (eth_parse(b.p, b.len, &e) == WIRE_OK) {
		uint8_t again[ETH_HDR];
		FUZZ_ASSERT(b.len >= ETH_HDR);
		FUZZ_ASSERT(e.type >= 0x0600 && e.type != 0x8100 && e.type != 0x88a8);
		eth_build(again, e.dst, e.src, e.type);
		FUZZ_ASSERT(memcmp(again, b.p, ETH_HDR) == 0);
		check_arp(b.p + ETH_HDR, b.len - ETH_HDR);
	}
	check_arp(b.p, b.len);
	fuzz_buf_check(&b);
	fuzz_buf_free(&b);
	return 0;
}
