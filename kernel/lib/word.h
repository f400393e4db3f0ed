/* SPDX-License-Identifier: MIT */
/* Word-at-a-time helpers for scanning and hashing byte strings: find a NUL or a given byte in 8 bytes at once, load a word without crossing a page. */
#ifndef KESTREL_LIB_WORD_H
#define KESTREL_LIB_WORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WORD_BYTES    8u
#define WORD_PAGE     4096u                    /* a load that stays inside one cannot fault */
#define WORD_ONES     0x0101010101010101ull
#define WORD_HIGHS    0x8080808080808080ull

/* An 8-byte word that may alias anything and sit at any address (x86
 * loads unaligned words in hardware). */
typedef uint64_t __attribute__((may_alias, aligned(1))) word_unaligned;

/* Bit 7 of each byte of v that is zero. Exact for the lowest such byte;
 * a byte above it may be flagged too when it is 0x01 (the borrow), so
 * only the lowest set bit is to be used. */
static inline uint64_t word_zero_bytes(uint64_t v)
{
	return (v - WORD_ONES) & ~v & WORD_HIGHS;
}

/* The same for bytes equal to c. */
static inline uint64_t word_bytes_equal(uint64_t v, unsigned char c)
{
	return word_zero_bytes(v ^ (WORD_ONES * c));
}

/* The index (0-7) of the byte the lowest flag of a non-zero mask from
 * the two above stands for. */
static inline size_t word_first_flagged(uint64_t mask)
{
	return (size_t)__builtin_ctzll(mask) / 8;
}

/* True when the 8 bytes at p lie in one page: reading them cannot fault
 * if p itself can be read, whatever the string's length. */
static inline bool word_in_page(const void *p)
{
	return ((uintptr_t)p & (WORD_PAGE - 1)) <= WORD_PAGE - WORD_BYTES;
}

/*
 * The 8 bytes at p, which must lie in one page (word_in_page). Bytes
 * past the end of the caller's object may be read (never past its page,
 * so never a fault): AddressSanitizer, in the host tests, would report
 * that, hence the attribute.
 */
__attribute__((no_sanitize_address)) static inline uint64_t word_load(const void *p)
{
	return *(const word_unaligned *)p;
}

#endif
