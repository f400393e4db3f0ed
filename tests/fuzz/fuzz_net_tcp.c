/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the TCP parser and option builder
 * (kernel/net/wire.c): the input is a flags byte (FUZZ_FIX_CSUM: the
 * harness makes the checksum right, so the fuzzer reaches the options),
 * the pseudo-header's source and destination (4 bytes each), and a
 * segment. tcp_parse reads only inside it and never writes it; on
 * WIRE_OK the header lies inside the segment, the payload is the rest,
 * the sum adds up, at most 4 SACK blocks are kept, and tcp_build with the
 * segment's own option bytes gives it back. Then the parsed options are
 * built in Linux's layout into a new segment, which must parse to the
 * same options (SACK blocks cut to what that layout leaves room for).
 */
#include "fuzz_net.h"

#define PREFIX        9   /* flags, source, destination */
#define TCP_CSUM_OFF  16
#define TCP_DOFF      12
#define OPT_SPACE     (TCP_HDR_MAX - TCP_HDR_MIN)

/* The SACK blocks Linux's layout has room for beside the other options of o. */
static size_t sack_room(const struct tcp_opts *o)
{
	size_t used = (o->has_mss ? 4 : 0) + (o->has_ts ? 12 : o->sack_ok ? 4 : 0) + (o->has_wscale ? 4 : 0);
	size_t left = OPT_SPACE - used;

	return left >= 12 ? (left - 4) / 8 : 0;
}

static void check_same_opts(const struct tcp_opts *a, const struct tcp_opts *b)
{
	size_t n = a->nsack < sack_room(a) ? a->nsack : sack_room(a);

	FUZZ_ASSERT(a->has_mss == b->has_mss && (!a->has_mss || a->mss == b->mss));
	FUZZ_ASSERT(a->sack_ok == b->sack_ok && a->has_ts == b->has_ts);
	FUZZ_ASSERT(!a->has_ts || (a->ts_val == b->ts_val && a->ts_ecr == b->ts_ecr));
	FUZZ_ASSERT(a->has_wscale == b->has_wscale && (!a->has_wscale || a->wscale == b->wscale));
	FUZZ_ASSERT(b->nsack == n);
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT(a->sack[i].left == b->sack[i].left && a->sack[i].right == b->sack[i].right);
}

/* Build s's options in Linux's layout into a bare segment; it parses to the same. */
static void check_rebuild(const struct tcp_seg *s, uint32_t src, uint32_t dst)
{
	uint8_t seg[TCP_HDR_MAX];
	struct tcp_seg t = *s, back;
	size_t n = tcp_opts_build(seg + TCP_HDR_MIN, OPT_SPACE, &s->opts);

	FUZZ_ASSERT(n % 4 == 0 && n <= OPT_SPACE);
	t.hdr_len = (uint8_t)(TCP_HDR_MIN + n);
	tcp_build(seg, src, dst, &t, t.hdr_len);
	FUZZ_ASSERT(tcp_parse(seg, t.hdr_len, src, dst, &back) == WIRE_OK);
	check_same_opts(&s->opts, &back.opts);
	FUZZ_ASSERT(back.seq == s->seq && back.ack == s->ack && back.flags == s->flags);
}

/* tcp_build over a copy of the segment (its own options) gives it back. */
static void check_build(const uint8_t *p, size_t len, uint32_t src, uint32_t dst, const struct tcp_seg *s)
{
	uint8_t *again;

	if (p[TCP_DOFF] & 0x0f)   /* reserved bits and AE: tcp_build writes none */
		return;
	again = malloc(len);
	if (!again)
		return;
	memcpy(again, p, len);
	memset(again, 0, TCP_HDR_MIN);
	tcp_build(again, src, dst, s, (uint32_t)len);
	uint16_t sent = get_be16(p + TCP_CSUM_OFF), built = get_be16(again + TCP_CSUM_OFF);
	FUZZ_ASSERT(sent == built || (sent == 0xffff && built == 0));
	put_be16(again + TCP_CSUM_OFF, sent);
	FUZZ_ASSERT(memcmp(again, p, len) == 0);
	free(again);
}

static void check_ok(const uint8_t *p, size_t len, uint32_t src, uint32_t dst, const struct tcp_seg *s)
{
	FUZZ_ASSERT(s->hdr_len >= TCP_HDR_MIN && s->hdr_len <= TCP_HDR_MAX && s->hdr_len <= len);
	FUZZ_ASSERT(s->hdr_len == (p[TCP_DOFF] >> 4) * 4);
	FUZZ_ASSERT(s->payload_off == s->hdr_len && s->payload_off + s->payload_len == len);
	FUZZ_ASSERT(csum_fold(csum_add(csum_pseudo4(src, dst, 6, (uint16_t)len), p, len)) == 0);
	FUZZ_ASSERT(s->opts.nsack <= TCP_SACK_MAX);
	FUZZ_ASSERT(s->sport == get_be16(p) && s->dport == get_be16(p + 2) && s->flags == p[13]);
	check_build(p, len, src, dst, s);
	check_rebuild(s, src, dst);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_buf b;
	struct tcp_seg s;

	if (size < PREFIX || fuzz_buf_init(&b, data + PREFIX, size - PREFIX))
		return 0;
	uint32_t src = get_be32(data + 1), dst = get_be32(data + 5);
	if (data[0] & FUZZ_FIX_CSUM && b.len >= TCP_HDR_MIN && b.len <= 65535)
		fuzz_fix_csum(b.p, b.len, TCP_CSUM_OFF, csum_pseudo4(src, dst, 6, (uint16_t)b.len));
	fuzz_buf_snap(&b);
	if (tcp_parse(b.p, b.len, src, dst, &s) == WIRE_OK)
		check_ok(b.p, b.len, src, dst, &s);
	fuzz_buf_check(&b);
	fuzz_buf_free(&b);
	return 0;
}
