/* SPDX-License-Identifier: MIT */
/* The add-with-carry chain net/wire.c's Internet checksum runs on. */
#ifndef KESTREL_ARCH_CSUM_H
#define KESTREL_ARCH_CSUM_H

#include <stddef.h>
#include <stdint.h>

#define ARCH_CSUM_BLOCK 64 /* bytes a round: eight 8-byte words */

/*
 * acc plus the blocks 64-byte blocks at p, in ones' complement arithmetic
 * modulo 2^64 - 1 (each carry out added back in): one adc a word, the
 * last carry folded in at the end of a round, as Linux's do_csum on
 * x86-64. C's "a + b + (a + b < b)" needs a compare and an adc a word,
 * 17 instructions a 32 bytes as gcc builds it; this is 9 a 64, and the
 * sum is 20% of a TCP stream's kernel instructions without the NIC's
 * checksum offload. No alignment needed (x86 loads any address); pure,
 * so the host's tests and fuzzers run it as it is.
 */
static inline uint64_t arch_csum_blocks(uint64_t acc, const unsigned char *p, size_t blocks)
{
	for (; blocks; blocks--, p += ARCH_CSUM_BLOCK)
		__asm__("addq 0(%[p]), %[a]\n\t"
			"adcq 8(%[p]), %[a]\n\t"
			"adcq 16(%[p]), %[a]\n\t"
			"adcq 24(%[p]), %[a]\n\t"
			"adcq 32(%[p]), %[a]\n\t"
			"adcq 40(%[p]), %[a]\n\t"
			"adcq 48(%[p]), %[a]\n\t"
			"adcq 56(%[p]), %[a]\n\t"
			"adcq $0, %[a]"
			: [a] "+r"(acc)
			: [p] "r"(p), "m"(*(const unsigned char (*)[ARCH_CSUM_BLOCK])p)
			: "cc");
	return acc;
}

#endif
