// SPDX-License-Identifier: MIT
/*
 * Kestrel: CPU masks in Linux's two printed forms (lib/vsprintf.c's
 * bitmap_string and bitmap_list_string). Pure: the host unit test
 * (tests/unit/test_cpumask.c) compiles this file as it is.
 */
#include "lib/cpumask_fmt.h"

#define CHUNK_BITS 32

/* A writer that counts what it would write and keeps what fits. */
struct out {
	char *buf;
	size_t cap, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

static void put_hex(struct out *o, uint32_t v, unsigned digits)
{
	static const char hex[] = "0123456789abcdef";

	while (digits--)
		put(o, hex[(v >> (4 * digits)) & 0xf]);
}

static void put_dec(struct out *o, unsigned v)
{
	char d[10];
	int n = 0;

	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < 10);
	while (n)
		put(o, d[--n]);
}

/* End the text: a NUL at the last byte that fits; the length needed. */
static size_t finish(struct out *o)
{
	if (o->cap)
		o->buf[o->len < o->cap ? o->len : o->cap - 1] = '\0';
	return o->len;
}

static unsigned clamp_bits(unsigned nbits)
{
	if (nbits == 0)
		return 1;
	return nbits > CPUMASK_BITS ? CPUMASK_BITS : nbits;
}

size_t cpumask_format_hex(char *buf, size_t cap, uint64_t mask, unsigned nbits)
{
	struct out o = { buf, cap, 0 };
	unsigned chunk;
	int low;

	nbits = clamp_bits(nbits);
	chunk = nbits % CHUNK_BITS ? nbits % CHUNK_BITS : CHUNK_BITS;
	for (low = (int)((nbits + CHUNK_BITS - 1) / CHUNK_BITS - 1) * CHUNK_BITS; low >= 0;
	     low -= CHUNK_BITS) {
		uint32_t val = (uint32_t)(mask >> low) & (uint32_t)((1ull << chunk) - 1);
		if (o.len)
			put(&o, ',');
		put_hex(&o, val, (chunk + 3) / 4);
		chunk = CHUNK_BITS;
	}
	return finish(&o);
}

size_t cpumask_format_list(char *buf, size_t cap, uint64_t mask, unsigned nbits)
{
	struct out o = { buf, cap, 0 };

	nbits = clamp_bits(nbits);
	for (unsigned i = 0; i < nbits; i++) {
		if (!(mask >> i & 1))
			continue;
		unsigned end = i;
		while (end + 1 < nbits && (mask >> (end + 1) & 1))
			end++;
		if (o.len)
			put(&o, ',');
		put_dec(&o, i);
		if (end > i) {
			put(&o, '-');
			put_dec(&o, end);
		}
		i = end;
	}
	return finish(&o);
}
