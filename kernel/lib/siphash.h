/* SPDX-License-Identifier: MIT */
/* SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed hash for values an attacker must not predict (TCP's initial sequence numbers, RFC 6528). */
#ifndef KESTREL_LIB_SIPHASH_H
#define KESTREL_LIB_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct siphash_key {
	uint64_t k0, k1;
};

/* SipHash-2-4 of len bytes at p under key k. */
uint64_t siphash(const struct siphash_key *k, const void *p, size_t len);

#endif
