/* SPDX-License-Identifier: MIT */
/* TCP sequence-number arithmetic modulo 2^32 (RFC 9293 3.4): every comparison of two sequence numbers goes through these. */
#ifndef KESTREL_NET_TCP_SEQ_H
#define KESTREL_NET_TCP_SEQ_H

#include <stdbool.h>
#include <stdint.h>

/*
 * a is before b when the distance from b forward to a is more than half
 * the space: the signed difference is negative (Linux's before()). The
 * conversion to int32_t is modular in gcc and clang (documented
 * implementation-defined behaviour, not UB).
 */
static inline bool seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}
static inline bool seq_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}
static inline bool seq_gt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}
static inline bool seq_ge(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) >= 0;
}
static inline uint32_t seq_max(uint32_t a, uint32_t b)
{
	return seq_gt(a, b) ? a : b;
}
static inline uint32_t seq_min(uint32_t a, uint32_t b)
{
	return seq_lt(a, b) ? a : b;
}
/* lo <= s <= hi, all three taken modulo 2^32 from lo. */
static inline bool seq_between(uint32_t s, uint32_t lo, uint32_t hi)
{
	return s - lo <= hi - lo;
}

#endif
