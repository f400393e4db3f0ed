/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 (FIPS 180-4), streamed: feed any number of pieces of any size,
 * then read the digest. Pure C, no allocation, no library calls: compiled
 * into the loader (to check the kernel and rootfs it loads) and the host
 * tests, and usable by the kernel.
 */
#ifndef KESTREL_SHARED_SHA256_H
#define KESTREL_SHARED_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE  64

struct sha256 {
	uint32_t h[8];                      /* the chaining state */
	uint64_t bytes;                     /* message bytes fed so far */
	uint8_t block[SHA256_BLOCK_SIZE];   /* a partial block not yet compressed */
	uint32_t used;                      /* bytes of block in use, < SHA256_BLOCK_SIZE */
};

/* Start a new digest. */
void sha256_init(struct sha256 *s);

/* Feed len bytes of data (len may be 0; data is read once, never kept). */
void sha256_update(struct sha256 *s, const void *data, size_t len);

/* Pad, finish and write the 32-byte digest to out; s must be
 * re-initialised before it is used again. */
void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST_SIZE]);

/* The digest of one buffer. */
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_SIZE]);

#endif
