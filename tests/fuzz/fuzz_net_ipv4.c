/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the IPv4 parser (kernel/net/wire.c): the input is
 * a flags byte (FUZZ_FIX_CSUM: the harness makes the header checksum
 * right, so the fuzzer reaches the options and fragment checks) and a
 * packet. ipv4_parse reads only inside the packet and never writes it;
 * on WIRE_OK the header is version 4, its lengths nest (20 <= hdr_len
 * <= total_len <= len, hdr_len <= 60), its sum is right, every option
 * walks to the header's end within bounds, a fragment ends by 65535, and
 * a header without options or the reserved flag is rebuilt byte for byte.
 */
#include "fuzz_net.h"

#define IP_CSUM_OFF  10
#define IP_FRAG      6
#define IP_RESERVED  0x8000

/* Re-walk the options on their own: each inside the header, and the
 * source-route and router-alert flags as the kinds say. */
static void check_options(const uint8_t *o, size_t n, const struct ipv4_info *ip)
{
	bool srr = false, ra = false;

	for (size_t i = 0; i < n && o[i] != IPOPT_END;) {
		if (o[i] == IPOPT_NOOP) {
			i++;
			continue;
		}
		FUZZ_ASSERT(i + 1 < n && o[i + 1] >= 2 && o[i + 1] <= n - i);
		srr |= o[i] == IPOPT_LSRR || o[i] == IPOPT_SSRR;
		ra |= o[i] == IPOPT_RA;
		i += o[i + 1];
	}
	FUZZ_ASSERT(srr == ip->has_source_route && ra == ip->has_router_alert);
}

static void check_ok(const uint8_t *p, size_t len, const struct ipv4_info *ip)
{
	FUZZ_ASSERT(p[0] >> 4 == 4);
	FUZZ_ASSERT(ip->hdr_len >= IPV4_HDR_MIN && ip->hdr_len <= IPV4_HDR_MAX && ip->hdr_len % 4 == 0);
	FUZZ_ASSERT(ip->hdr_len <= ip->total_len && ip->total_len <= len);
	FUZZ_ASSERT(ip->opt_len == ip->hdr_len - IPV4_HDR_MIN);
	FUZZ_ASSERT(csum_fold(csum_add(0, p, ip->hdr_len)) == 0);
	FUZZ_ASSERT((uint32_t)ip->frag_off + ip->total_len - ip->hdr_len <= 65535);
	FUZZ_ASSERT(ip->frag_off % 8 == 0);
	check_options(p + IPV4_HDR_MIN, ip->opt_len, ip);
	if (ip->hdr_len == IPV4_HDR_MIN && !(get_be16(p + IP_FRAG) & IP_RESERVED)) {
		uint8_t again[IPV4_HDR_MIN];
		ipv4_build(again, ip);
		FUZZ_ASSERT(memcmp(again, p, IPV4_HDR_MIN) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_buf b;
	struct ipv4_info ip;

	if (size < 1 || fuzz_buf_init(&b, data + 1, size - 1))
		return 0;
	if (data[0] & FUZZ_FIX_CSUM && b.len >= IPV4_HDR_MIN) {
		size_t hl = (size_t)(b.p[0] & 0xf) * 4;
		if (hl >= IPV4_HDR_MIN && hl <= b.len)
			fuzz_fix_csum(b.p, hl, IP_CSUM_OFF, 0);
	}
	fuzz_buf_snap(&b);
	if (ipv4_parse(b.p, b.len, &ip) == WIRE_OK)
		check_ok(b.p, b.len, &ip);
	fuzz_buf_check(&b);
	fuzz_buf_free(&b);
	return 0;
}
