/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the UDP parser (kernel/net/wire.c): the input is
 * a flags byte (FUZZ_FIX_CSUM: the harness makes the checksum right),
 * the pseudo-header's source and destination (4 bytes each), and a
 * datagram. udp_parse reads only inside it and never writes it; on
 * WIRE_OK 8 <= len <= the bytes given, no_csum is a 0 checksum, any
 * other checksum adds up, and udp_build gives the header back exactly.
 */
#include "fuzz_net.h"

#define PREFIX       9   /* flags, source, destination */
#define UDP_CSUM_OFF 6

static void check_ok(const uint8_t *p, size_t len, uint32_t src, uint32_t dst, const struct udp_info *u)
{
	FUZZ_ASSERT(u->len >= UDP_HDR_LEN && u->len <= len);
	FUZZ_ASSERT(u->sport == get_be16(p) && u->dport == get_be16(p + 2) && u->len == get_be16(p + 4));
	FUZZ_ASSERT(u->no_csum == (get_be16(p + UDP_CSUM_OFF) == 0));
	if (u->no_csum)
		return;
	FUZZ_ASSERT(csum_fold(csum_add(csum_pseudo4(src, dst, 17, u->len), p, u->len)) == 0);
	uint8_t *again = malloc(u->len);
	if (!again)
		return;
	memcpy(again, p, u->len);
	udp_build(again, src, dst, u->sport, u->dport, u->len);
	FUZZ_ASSERT(memcmp(again, p, UDP_HDR_LEN) == 0);
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_buf b;
	struct udp_info u;

	if (size < PREFIX || fuzz_buf_init(&b, data + PREFIX, size - PREFIX))
		return 0;
	uint32_t src = get_be32(data + 1), dst = get_be32(data + 5);
	if (data[0] & FUZZ_FIX_CSUM && b.len >= UDP_HDR_LEN) {
		uint16_t n = get_be16(b.p + 4);
		if (n >= UDP_HDR_LEN && n <= b.len)
			fuzz_fix_csum(b.p, n, UDP_CSUM_OFF, csum_pseudo4(src, dst, 17, n));
	}
	fuzz_buf_snap(&b);
	if (udp_parse(b.p, b.len, src, dst, &u) == WIRE_OK)
		check_ok(b.p, b.len, src, dst, &u);
	fuzz_buf_check(&b);
	fuzz_buf_free(&b);
	return 0;
}
