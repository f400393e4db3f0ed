// SPDX-License-Identifier: MIT
/*
 * Kestrel: SipHash-2-4 (lib/siphash.h), from the paper's description:
 * four 64-bit words of state, two rounds per 8-byte message word, four
 * at the end; the last word holds the remaining bytes and the length.
 */
#include "lib/siphash.h"
#include "lib/string.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIP_C_ROUNDS 2
#define SIP_D_ROUNDS 4

struct sip_state {
	uint64_t v0, v1, v2, v3;
};

static void sip_round(struct sip_state *s)
{
	s->v0 += s->v1;
	s->v1 = ROTL(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = ROTL(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = ROTL(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = ROTL(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = ROTL(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = ROTL(s->v2, 32);
}

static void sip_word(struct sip_state *s, uint64_t m)
{
	s->v3 ^= m;
	for (int i = 0; i < SIP_C_ROUNDS; i++)
		sip_round(s);
	s->v0 ^= m;
}

/* Little-endian 64-bit load of n (<= 8) bytes. */
static uint64_t load_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

uint64_t siphash(const struct siphash_key *k, const void *data, size_t len)
{
	const uint8_t *p = data;
	struct sip_state s = { k->k0 ^ 0x736f6d6570736575ull, k->k1 ^ 0x646f72616e646f6dull,
			       k->k0 ^ 0x6c7967656e657261ull, k->k1 ^ 0x7465646279746573ull };
	size_t whole = len & ~(size_t)7;
	for (size_t i = 0; i < whole; i += 8)
		sip_word(&s, load_le(p + i, 8));
	sip_word(&s, load_le(p + whole, len - whole) | (uint64_t)(len & 0xff) << 56);
	s.v2 ^= 0xff;
	for (int i = 0; i < SIP_D_ROUNDS; i++)
		sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
