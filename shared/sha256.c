/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 as FIPS 180-4 writes it: a 64-round compression of 64-byte
 * blocks, big-endian words, the message padded with 0x80, zeros and its
 * bit length. Whole blocks are compressed straight from the caller's
 * buffer; only a partial block is copied.
 */
#include "sha256.h"

#define ROUNDS 64
#define LEN_FIELD 8  /* bytes of the bit length at the end of the padding */
#define PAD_BYTE 0x80

/* The first 32 bits of the fractional parts of the cube roots of the
 * first 64 primes (FIPS 180-4, 4.2.2). */
static const uint32_t K[ROUNDS] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* The first 32 bits of the fractional parts of the square roots of the
 * first 8 primes (FIPS 180-4, 5.3.3). */
static const uint32_t H0[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static inline uint32_t ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static inline uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#define BSIG0(x) (ror(x, 2) ^ ror(x, 13) ^ ror(x, 22))
#define BSIG1(x) (ror(x, 6) ^ ror(x, 11) ^ ror(x, 25))
#define SSIG0(x) (ror(x, 7) ^ ror(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ror(x, 17) ^ ror(x, 19) ^ ((x) >> 10))
#define CH(x, y, z)  ((z) ^ ((x) & ((y) ^ (z))))           /* (x&y) ^ (~x&z) */
#define MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))   /* (x&y) ^ (x&z) ^ (y&z) */

/* One round with the eight working variables named in their current
 * roles, so the rotation of roles costs no moves: the next round is the
 * same macro with the names shifted by one (T1 goes into d and h). */
#define ROUND(a, b, c, d, e, f, g, h, i)                         \
	do {                                                      \
		uint32_t t1 = h + BSIG1(e) + CH(e, f, g) + K[i] + w[i]; \
		d += t1;                                          \
		h = t1 + BSIG0(a) + MAJ(a, b, c);                 \
	} while (0)

/* Compress one 64-byte block into the state (FIPS 180-4, 6.2.2). The
 * rounds are unrolled by eight, the period of the role rotation: under
 * emulation the loader hashes every byte of the kernel and the rootfs at
 * each boot, and the plain loop spent half its instructions on moves. */
static void compress(uint32_t h[8], const uint8_t *block)
{
	uint32_t w[ROUNDS];
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];

	for (int t = 0; t < 16; t++)
		w[t] = load_be32(block + 4 * t);
	for (int t = 16; t < ROUNDS; t++)
		w[t] = w[t - 16] + SSIG0(w[t - 15]) + w[t - 7] + SSIG1(w[t - 2]);
	for (int t = 0; t < ROUNDS; t += 8) {
		ROUND(a, b, c, d, e, f, g, k, t);
		ROUND(k, a, b, c, d, e, f, g, t + 1);
		ROUND(g, k, a, b, c, d, e, f, t + 2);
		ROUND(f, g, k, a, b, c, d, e, t + 3);
		ROUND(e, f, g, k, a, b, c, d, t + 4);
		ROUND(d, e, f, g, k, a, b, c, t + 5);
		ROUND(c, d, e, f, g, k, a, b, t + 6);
		ROUND(b, c, d, e, f, g, k, a, t + 7);
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += k;
}

void sha256_init(struct sha256 *s)
{
	for (int i = 0; i < 8; i++)
		s->h[i] = H0[i];
	s->bytes = 0;
	s->used = 0;
}

void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	s->bytes += len;
	/* top up a partial block first */
	while (s->used > 0 && len > 0) {
		s->block[s->used++] = *p++;
		len--;
		if (s->used == SHA256_BLOCK_SIZE) {
			compress(s->h, s->block);
			s->used = 0;
		}
	}
	/* whole blocks straight from the caller's buffer */
	for (; len >= SHA256_BLOCK_SIZE; p += SHA256_BLOCK_SIZE, len -= SHA256_BLOCK_SIZE)
		compress(s->h, p);
	/* keep the tail for the next call */
	while (len > 0) {
		s->block[s->used++] = *p++;
		len--;
	}
}

void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST_SIZE])
{
	uint64_t bits = s->bytes * 8;

	s->block[s->used++] = PAD_BYTE;
	if (s->used > SHA256_BLOCK_SIZE - LEN_FIELD) {
		while (s->used < SHA256_BLOCK_SIZE)
			s->block[s->used++] = 0;
		compress(s->h, s->block);
		s->used = 0;
	}
	while (s->used < SHA256_BLOCK_SIZE - LEN_FIELD)
		s->block[s->used++] = 0;
	for (int i = 0; i < LEN_FIELD; i++)
		s->block[SHA256_BLOCK_SIZE - 1 - i] = (uint8_t)(bits >> (8 * i));
	compress(s->h, s->block);
	for (int i = 0; i < 8; i++)
		store_be32(out + 4 * i, s->h[i]);
}

void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_SIZE])
{
	struct sha256 s;

	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, out);
}
