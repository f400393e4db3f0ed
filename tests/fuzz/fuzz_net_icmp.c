/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the ICMP parser (kernel/net/wire.c): the input is
 * a flags byte (FUZZ_FIX_CSUM: the harness makes the checksum right, so
 * the fuzzer reaches the quoted header of errors) and a message.
 * icmp_parse reads only inside the message and never writes it; on
 * WIRE_OK the sum is right, an error (and only an error) has its quoted
 * IPv4 header with 8 bytes after it inside the message, the fields are
 * the bytes', and icmp_build over the message gives its header back.
 */
#include "fuzz_net.h"

#define ICMP_CSUM_OFF 2

static bool is_error(uint8_t t)
{
	return t == ICMP_DEST_UNREACH || t == ICMP_SOURCE_QUENCH || t == ICMP_REDIRECT ||
	       t == ICMP_TIME_EXCEEDED || t == ICMP_PARAMETERPROB;
}

static void check_inner(const uint8_t *p, size_t len, const struct icmp_info *ic)
{
	const uint8_t *in = p + ICMP_HDR_LEN;
	size_t hl = ic->inner.hdr_len;

	FUZZ_ASSERT(ic->has_inner == is_error(ic->type));
	if (!ic->has_inner)
		return;
	FUZZ_ASSERT(in[0] >> 4 == 4 && hl == (size_t)(in[0] & 0xf) * 4 && hl >= IPV4_HDR_MIN);
	FUZZ_ASSERT(ICMP_HDR_LEN + hl + 8 <= len);
	FUZZ_ASSERT(ic->inner.total_len >= hl);
	FUZZ_ASSERT(ic->inner.src == get_be32(in + 12) && ic->inner.dst == get_be32(in + 16));
	FUZZ_ASSERT(ic->inner_sport == get_be16(in + hl) && ic->inner_dport == get_be16(in + hl + 2));
	FUZZ_ASSERT(ic->inner_seq == get_be32(in + hl + 4));
}

static void check_ok(const uint8_t *p, size_t len, const struct icmp_info *ic)
{
	FUZZ_ASSERT(len >= ICMP_HDR_LEN);
	FUZZ_ASSERT(csum_fold(csum_add(0, p, len)) == 0);
	FUZZ_ASSERT(ic->type == p[0] && ic->code == p[1] && ic->rest == get_be32(p + 4));
	check_inner(p, len, ic);
	uint8_t *again = malloc(len);
	if (!again)
		return;
	memcpy(again, p, len);
	icmp_build(again, ic->type, ic->code, ic->rest, len - ICMP_HDR_LEN);
	uint16_t sent = get_be16(p + ICMP_CSUM_OFF), built = get_be16(again + ICMP_CSUM_OFF);
	/* 0 and ffff are the two zeros of one's complement: either is right */
	FUZZ_ASSERT(sent == built || (sent == 0xffff && built == 0));
	FUZZ_ASSERT(memcmp(again + 4, p + 4, len - 4) == 0 && again[0] == p[0] && again[1] == p[1]);
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_buf b;
	struct icmp_info ic;

	if (size < 1 || fuzz_buf_init(&b, data + 1, size - 1))
		return 0;
	if (data[0] & FUZZ_FIX_CSUM && b.len >= ICMP_HDR_LEN)
		fuzz_fix_csum(b.p, b.len, ICMP_CSUM_OFF, 0);
	fuzz_buf_snap(&b);
	if (icmp_parse(b.p, b.len, &ic) == WIRE_OK)
		check_ok(b.p, b.len, &ic);
	fuzz_buf_check(&b);
	fuzz_buf_free(&b);
	return 0;
}
