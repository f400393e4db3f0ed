/* SPDX-License-Identifier: MIT */
/* Freestanding memcpy/memset/memmove and friends, with 8-byte bulk loops. */

/*
 * Why plain C loops and not `rep movsb/stosb`: under QEMU's software
 * emulation (TCG) the byte string instructions run about ten times
 * slower than a loop of 8-byte moves, and boot time is dominated by TCG.
 * A copy of COPY_REP_MIN bytes and more is the exception: its words go by
 * rep movsq (arch/x86_64/string.h), as Linux's memcpy's do, which costs
 * a third of the loop's instructions (a loopback TCP stream's two ring
 * copies of 64 KiB: 72.9k guest instructions a write -> 46.8k) for about
 * a tenth more wall-clock time under TCG.
 *
 * Why the attribute below: GCC's loop-distribution pass can recognise a
 * store loop as "memset" or "memcpy" and replace it with a call, which
 * inside memset itself is infinite recursion (GCC bug 56888: it has done
 * so even under -ffreestanding). GCC 12 with our flags does not, but the
 * attribute makes that independent of version and flags. Clang's
 * LoopIdiomRecognize stays away when -fno-builtin makes memset
 * unavailable. Checked by disassembly at -O0/-O2/-Os/-O3 with both:
 * string.o has no relocations at all, so it calls nothing.
 */
#define KESTREL_STRING_IMPL /* the definitions: no builtin macros */
#include "lib/string.h"

#include <stdint.h>
#include "arch/x86_64/string.h"
#include "lib/word.h"

#if defined(__GNUC__) && !defined(__clang__)
#define NO_LIBCALL_IDIOMS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NO_LIBCALL_IDIOMS
#endif

/* 8-byte words that may alias anything; the _u flavour may also be
 * unaligned (x86 handles unaligned loads and stores in hardware). */
typedef uint64_t __attribute__((may_alias)) word_t;
typedef uint64_t __attribute__((may_alias, aligned(1))) uword_t;

#define WORD_SIZE  sizeof(uint64_t)
#define WORD_MASK  (WORD_SIZE - 1)
#define SMALL_COPY 16 /* below this, a plain byte loop is cheapest */
#define PAGE_WORDS (STRING_PAGE_SIZE / WORD_SIZE)
/* Words a round of memzero_page and memcpy_page: a page fault's zeroing
 * was 64 rounds of 8 stores and 3 loop instructions (707 instructions,
 * 40% of the fault); 32 a round spend 3 of 35 on the loop (560). */
#define PAGE_UNROLL 32
/* Words a round of a long memcpy: 16 moves and 4 loop instructions per
 * 64 bytes, where a word at a time spends 5 instructions on 8 (the
 * network's copies of 64 KiB were 44% of a TCP stream's instructions). */
#define COPY_UNROLL 8
/* From here on a copy's words go by rep movsq; below it the loop, since
 * the instruction's start-up costs tens of cycles on hardware. */
#define COPY_REP_MIN 1024

/* Copy n bytes upwards. Aligns dst to 8 with bytes, moves 8-byte words
 * (src may stay unaligned; a long copy's by rep movsq), then finishes
 * the tail with bytes. */
NO_LIBCALL_IDIOMS
static void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
	if (n >= SMALL_COPY) {
		while ((uintptr_t)d & WORD_MASK) {
			*d++ = *s++;
			n--;
		}
		if (n >= COPY_REP_MIN) {
			arch_copy_words(&d, &s, n / WORD_SIZE);
			n &= WORD_MASK;
		}
		for (; n >= COPY_UNROLL * WORD_SIZE; n -= COPY_UNROLL * WORD_SIZE) {
#pragma GCC unroll 8
			for (size_t k = 0; k < COPY_UNROLL; k++)
				((word_t *)d)[k] = ((const uword_t *)s)[k];
			d += COPY_UNROLL * WORD_SIZE;
			s += COPY_UNROLL * WORD_SIZE;
		}
		for (; n >= WORD_SIZE; n -= WORD_SIZE) {
			*(word_t *)d = *(const uword_t *)s;
			d += WORD_SIZE;
			s += WORD_SIZE;
		}
	}
	while (n--)
		*d++ = *s++;
}

/* Copy n bytes downwards, starting from the end: safe when dst > src
 * and the ranges overlap. d and s point one past the last byte. */
NO_LIBCALL_IDIOMS
static void copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
	if (n >= SMALL_COPY) {
		while ((uintptr_t)d & WORD_MASK) {
			*--d = *--s;
			n--;
		}
		for (; n >= WORD_SIZE; n -= WORD_SIZE) {
			d -= WORD_SIZE;
			s -= WORD_SIZE;
			*(word_t *)d = *(const uword_t *)s;
		}
	}
	while (n--)
		*--d = *--s;
}

NO_LIBCALL_IDIOMS
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	/* 8 to 15 bytes (a file name, a small record): two 8-byte moves that
	 * overlap in the middle, not a byte loop (both loaded first). */
	if (n >= WORD_SIZE && n < SMALL_COPY) {
		uint64_t head = *(const uword_t *)src;
		uint64_t tail = *(const uword_t *)((const unsigned char *)src + n - WORD_SIZE);
		*(uword_t *)dst = head;
		*(uword_t *)((unsigned char *)dst + n - WORD_SIZE) = tail;
		return dst;
	}
	copy_forward(dst, src, n);
	return dst;
}

/* Copies correctly whatever the overlap: backwards only when dst lies
 * inside [src, src + n). */
NO_LIBCALL_IDIOMS
void *memmove(void *dst, const void *src, size_t n)
{
	uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;

	if (d == s || n == 0)
		return dst;
	if (d - s >= n) /* dst below src, or past its end (wraps if below) */
		copy_forward(dst, src, n);
	else
		copy_backward((unsigned char *)dst + n,
		              (const unsigned char *)src + n, n);
	return dst;
}

NO_LIBCALL_IDIOMS
void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned char b = (unsigned char)c;

	if (n >= SMALL_COPY) {
		uint64_t w = b * 0x0101010101010101ULL;

		while ((uintptr_t)d & WORD_MASK) {
			*d++ = b;
			n--;
		}
		for (; n >= WORD_SIZE; n -= WORD_SIZE) {
			*(word_t *)d = w;
			d += WORD_SIZE;
		}
	}
	while (n--)
		*d++ = b;
	return dst;
}

/* The sign of the first differing byte of two unequal words read from
 * memory (little-endian: byte-swapped, the first byte is the highest). */
static int word_order(uint64_t x, uint64_t y)
{
	return __builtin_bswap64(x) < __builtin_bswap64(y) ? -1 : 1;
}

/* 8 bytes at a time, the last 1-7 as one masked word where both stay in
 * their page (else bytes): a directory lookup compares short names. */
int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n >= WORD_SIZE; n -= WORD_SIZE, p += WORD_SIZE, q += WORD_SIZE) {
		uint64_t x = *(const uword_t *)p, y = *(const uword_t *)q;
		if (x != y)
			return word_order(x, y);
	}
	if (n && word_in_page(p) && word_in_page(q)) { /* 1-7 bytes: one load each, masked */
		uint64_t keep = (1ull << (8 * n)) - 1;
		uint64_t x = word_load(p) & keep, y = word_load(q) & keep;
		return x == y ? 0 : word_order(x, y);
	}
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p < *q ? -1 : 1;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

/*
 * The index of the first NUL in s, at most max: byte by byte up to an
 * 8-byte boundary, then a word a time (lib/word.h). An aligned word never
 * crosses a page, so reading the bytes after the NUL in its word cannot
 * fault.
 */
size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	for (; n < max && ((uintptr_t)(s + n) & WORD_MASK); n++)
		if (!s[n])
			return n;
	for (; n < max; n += WORD_SIZE) {
		uint64_t z = word_zero_bytes(word_load(s + n));
		if (z) {
			n += word_first_flagged(z);
			break;
		}
	}
	return n < max ? n : max;
}

size_t strlen(const char *s)
{
	return strnlen(s, SIZE_MAX);
}

/* Compares as unsigned char, like the C library. */
int strcmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	while (*p && *p == *q) {
		p++;
		q++;
	}
	return (*p > *q) - (*p < *q);
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	for (; n; n--, p++, q++) {
		if (*p != *q)
			return *p < *q ? -1 : 1;
		if (!*p)
			break;
	}
	return 0;
}

/* Finds c (converted to char) in s; the terminating NUL counts, so
 * strchr(s, 0) returns the end of s. */
char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

/* Zeroes one page with unrolled 8-byte stores. page must be aligned. */
NO_LIBCALL_IDIOMS
void memzero_page(void *page)
{
	word_t *w = page;

	for (size_t i = 0; i < PAGE_WORDS; i += PAGE_UNROLL) {
#pragma GCC unroll 32
		for (size_t k = 0; k < PAGE_UNROLL; k++)
			w[i + k] = 0;
	}
}

/* Copies one page with unrolled 8-byte moves. Both must be aligned and
 * must not overlap. */
NO_LIBCALL_IDIOMS
void memcpy_page(void *restrict dst, const void *restrict src)
{
	word_t *d = dst;
	const word_t *s = src;

	for (size_t i = 0; i < PAGE_WORDS; i += PAGE_UNROLL) {
#pragma GCC unroll 32
		for (size_t k = 0; k < PAGE_UNROLL; k++)
			d[i + k] = s[i + k];
	}
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
