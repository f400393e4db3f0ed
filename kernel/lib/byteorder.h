/* SPDX-License-Identifier: MIT */
/* Kestrel: network byte order. x86_64 is little-endian, so a value in
 * host order and the same value in big-endian (network) order differ by
 * a byte swap, which is its own inverse: be16/be32 convert both ways. */
#ifndef KESTREL_LIB_BYTEORDER_H
#define KESTREL_LIB_BYTEORDER_H

#include <stdint.h>

static inline uint16_t be16(uint16_t v)
{
	return __builtin_bswap16(v);
}

static inline uint32_t be32(uint32_t v)
{
	return __builtin_bswap32(v);
}

#endif
