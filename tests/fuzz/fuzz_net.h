/* SPDX-License-Identifier: MIT */
/*
 * What the network fuzzers (fuzz_net_*.c) share: the input copied to a
 * buffer of exactly its size (so ASan sees a read one byte past it), a
 * check that a parser left its input as it was, and an assertion that
 * names the broken contract before it aborts.
 */
#ifndef KESTREL_TESTS_FUZZ_NET_H
#define KESTREL_TESTS_FUZZ_NET_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/wire.h"

#define FUZZ_ASSERT(cond)                                                          \
	do {                                                                       \
		if (!(cond)) {                                                     \
			fprintf(stderr, "%s:%d: contract broken: %s\n", __FILE__,  \
				__LINE__, #cond);                                  \
			abort();                                                   \
		}                                                                  \
	} while (0)

/* The first byte of a checksummed format's input: bit 0 asks the harness
 * to make the checksum right first, so the fuzzer reaches the options. */
#define FUZZ_FIX_CSUM 0x01

/* The input as the parser sees it, and a snapshot to prove it unchanged. */
struct fuzz_buf {
	uint8_t *p;
	uint8_t *snap;
	size_t len;
};

static inline int fuzz_buf_init(struct fuzz_buf *b, const uint8_t *data, size_t size)
{
	b->p = malloc(size ? size : 1);
	b->snap = malloc(size ? size : 1);
	b->len = size;
	if (!b->p || !b->snap) {
		free(b->p);
		free(b->snap);
		return -1;
	}
	memcpy(b->p, data, size);
	return 0;
}

/* Take the snapshot (after the harness's own fix-ups, before parsing). */
static inline void fuzz_buf_snap(struct fuzz_buf *b)
{
	memcpy(b->snap, b->p, b->len);
}

/* A parser reads only: the input is as the snapshot left it. */
static inline void fuzz_buf_check(const struct fuzz_buf *b)
{
	FUZZ_ASSERT(memcmp(b->p, b->snap, b->len) == 0);
}

static inline void fuzz_buf_free(struct fuzz_buf *b)
{
	free(b->p);
	free(b->snap);
}

/* The 16-bit field at off set so the sum over len bytes at p (with pseudo) is right. */
static inline void fuzz_fix_csum(uint8_t *p, size_t len, size_t off, uint32_t pseudo)
{
	put_be16(p + off, 0);
	put_be16(p + off, csum_fold(csum_add(pseudo, p, len)));
}

#endif
