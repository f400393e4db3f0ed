/* SPDX-License-Identifier: MIT */
/* Host unit test: the kernel's string.c against byte-at-a-time references. */

/*
 * Build and run (from the repository root):
 *   gcc -std=gnu11 -Wall -Wextra -Werror -fsanitize=address,undefined \
 *       -fno-builtin -I kernel -I shared tests/unit/test_string.c \
 *       -o build/test_string && ./build/test_string [case-name]
 *
 * How the kernel's memcpy and the C library's coexist: this file renames
 * the kernel functions to k_memcpy, k_memset, ... with #define and then
 * #includes kernel/lib/string.c itself, so nothing clashes at link time
 * and no extra -D flags are needed. Below that point the macros are
 * removed and the test only uses its own byte loops as the reference.
 */
#define memcpy  k_memcpy
#define memmove k_memmove
#define memset  k_memset
#define memcmp  k_memcmp
#define memchr  k_memchr
#define strlen  k_strlen
#define strnlen k_strnlen
#define strcmp  k_strcmp
#define strncmp k_strncmp
#define strchr  k_strchr
#include "lib/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef memchr
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_ALIGN 16  /* offsets 0..15 */
#define MAX_LEN   200 /* lengths 0..200: the 64-byte rounds of a long copy, and the words and bytes after */
#define ARENA     (2 * MAX_ALIGN + MAX_LEN + 64)
#define OVERLAP_SPAN 40 /* memmove: src and dst offsets 0..40 in one buffer */
#define GUARD 0xee

static char why[256];

/* A pattern no two nearby bytes share, so a misplaced byte shows. */
static void fill_pattern(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7 + seed * 13 + 1);
}

static void fill_byte(unsigned char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++)
		p[i] = v;
}

/* Index of the first difference, or -1. */
static long first_diff(const unsigned char *a, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

/* One memcpy of n bytes from src + so to dst + d_o within arenas of
 * size bytes (src filled from seed): it returns dst + d_o, copies those
 * bytes and leaves the rest of dst alone. NULL, or why not. */
static const char *check_copy(unsigned char *src, unsigned char *dst, unsigned char *ref, size_t size,
			      size_t so, size_t d_o, size_t n, unsigned seed)
{
	fill_pattern(src, size, seed);
	fill_byte(dst, size, GUARD);
	fill_byte(ref, size, GUARD);
	for (size_t i = 0; i < n; i++)
		ref[d_o + i] = src[so + i];
	if (k_memcpy(dst + d_o, src + so, n) != dst + d_o)
		return "memcpy did not return dst";
	long at = first_diff(dst, ref, size);
	if (at < 0)
		return NULL;
	snprintf(why, sizeof(why), "src+%zu dst+%zu len %zu: byte %ld wrong", so, d_o, n, at);
	return why;
}

/* memcpy at every src/dst alignment 0..15 and length 0..MAX_LEN; the bytes
 * around the destination must stay untouched. */
static const char *t_memcpy_alignments(void)
{
	static unsigned char src[ARENA], dst[ARENA], ref[ARENA];
	const char *err = NULL;

	for (size_t so = 0; so < MAX_ALIGN && !err; so++)
	for (size_t d_o = 0; d_o < MAX_ALIGN && !err; d_o++)
	for (size_t n = 0; n <= MAX_LEN && !err; n++)
		err = check_copy(src, dst, ref, ARENA, so, d_o, n, (unsigned)(so + n));
	return err;
}

/* The long copies (rep movsq from COPY_REP_MIN bytes on): lengths about
 * that edge and one of 64 KiB and some, at a few alignments each; the
 * bytes around the destination must stay untouched. */
static const char *t_memcpy_long(void)
{
	enum { LONG_MAX_LEN = 65536 + 13, LONG_ARENA = LONG_MAX_LEN + 2 * MAX_ALIGN + 64 };
	static unsigned char src[LONG_ARENA], dst[LONG_ARENA], ref[LONG_ARENA];
	static const size_t lens[] = { 1015, 1016, 1023, 1024, 1025, 1031, 1032, 1033, 4096, LONG_MAX_LEN };
	static const size_t aligns[][2] = { { 0, 0 }, { 1, 0 }, { 0, 3 }, { 5, 7 }, { 8, 15 } };
	const char *err = NULL;

	for (size_t a = 0; a < sizeof(aligns) / sizeof(aligns[0]) && !err; a++)
	for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]) && !err; l++)
		err = check_copy(src, dst, ref, LONG_ARENA, aligns[a][0], aligns[a][1], lens[l],
				 (unsigned)(a * 31 + lens[l]));
	return err;
}

/* memset at every alignment 0..15 and length 0..100, for a few values,
 * including an int above 255 that must be truncated to a byte. */
static const char *t_memset_alignments(void)
{
	static unsigned char dst[ARENA], ref[ARENA];
	static const int values[] = { 0, 0xa5, 0x1ff, -1 };

	for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++)
	for (size_t d_o = 0; d_o < MAX_ALIGN; d_o++)
	for (size_t n = 0; n <= MAX_LEN; n++) {
		fill_byte(dst, ARENA, GUARD);
		fill_byte(ref, ARENA, GUARD);
		for (size_t i = 0; i < n; i++)
			ref[d_o + i] = (unsigned char)values[v];
		if (k_memset(dst + d_o, values[v], n) != dst + d_o)
			return "memset did not return dst";
		long at = first_diff(dst, ref, ARENA);
		if (at >= 0) {
			snprintf(why, sizeof(why), "value %#x dst+%zu len %zu: byte %ld wrong",
			         values[v], d_o, n, at);
			return why;
		}
	}
	return NULL;
}

/* memmove inside one buffer with src and dst anywhere in 0..40 and
 * lengths 0..100: covers forward, backward and exact overlap. */
static const char *t_memmove_overlap(void)
{
	static unsigned char buf[ARENA + OVERLAP_SPAN], ref[ARENA + OVERLAP_SPAN];
	unsigned char tmp[MAX_LEN];

	for (size_t so = 0; so <= OVERLAP_SPAN; so++)
	for (size_t d_o = 0; d_o <= OVERLAP_SPAN; d_o++)
	for (size_t n = 0; n <= MAX_LEN; n++) {
		fill_pattern(buf, sizeof(buf), (unsigned)n);
		fill_pattern(ref, sizeof(ref), (unsigned)n);
		for (size_t i = 0; i < n; i++)
			tmp[i] = ref[so + i];
		for (size_t i = 0; i < n; i++)
			ref[d_o + i] = tmp[i];
		if (k_memmove(buf + d_o, buf + so, n) != buf + d_o)
			return "memmove did not return dst";
		long at = first_diff(buf, ref, sizeof(buf));
		if (at >= 0) {
			snprintf(why, sizeof(why), "src+%zu dst+%zu len %zu: byte %ld wrong",
			         so, d_o, n, at);
			return why;
		}
	}
	return NULL;
}

/* memmove between separate buffers at all alignments behaves like memcpy. */
static const char *t_memmove_disjoint(void)
{
	static unsigned char src[ARENA], dst[ARENA], ref[ARENA];

	for (size_t so = 0; so < MAX_ALIGN; so++)
	for (size_t d_o = 0; d_o < MAX_ALIGN; d_o++)
	for (size_t n = 0; n <= MAX_LEN; n += 3) {
		fill_pattern(src, ARENA, (unsigned)so);
		fill_byte(dst, ARENA, GUARD);
		fill_byte(ref, ARENA, GUARD);
		for (size_t i = 0; i < n; i++)
			ref[d_o + i] = src[so + i];
		k_memmove(dst + d_o, src + so, n);
		if (first_diff(dst, ref, ARENA) >= 0) {
			snprintf(why, sizeof(why), "src+%zu dst+%zu len %zu", so, d_o, n);
			return why;
		}
	}
	return NULL;
}

/* Every length and every place of one differing byte, at unaligned
 * starts: the word loop must give the first difference's sign. */
static const char *memcmp_words(void)
{
	unsigned char x[40], y[40];

	for (size_t off = 0; off < 3; off++)
		for (size_t n = 0; n + off <= sizeof(x); n++)
			for (size_t at = 0; at < n; at++) {
				for (size_t i = 0; i < sizeof(x); i++)
					x[i] = y[i] = (unsigned char)(i * 37 + 1);
				x[off + at] = 0x7f;
				y[off + at] = 0x80; /* above as unsigned char */
				if (at + 1 < n)
					x[off + at + 1] = 0xff; /* a later byte must not decide */
				if (k_memcmp(x + off, y + off, n) >= 0 || k_memcmp(y + off, x + off, n) <= 0)
					return "memcmp must order by the first differing byte";
				if (k_memcmp(x + off, y + off, at) != 0)
					return "memcmp before the difference must be 0";
			}
	return NULL;
}

static const char *t_memcmp(void)
{
	const unsigned char a[] = { 1, 2, 3, 0x80 }, b[] = { 1, 2, 3, 0x01 };

	if (k_memcmp(a, b, 3) != 0 || k_memcmp(a, b, 0) != 0)
		return "equal prefixes must compare 0";
	if (k_memcmp(a, b, 4) <= 0 || k_memcmp(b, a, 4) >= 0)
		return "bytes must compare as unsigned char";
	return memcmp_words();
}

static const char *t_memchr(void)
{
	const char s[] = "abc\0def\xff";

	if (k_memchr(s, 'd', sizeof(s)) != s + 4)
		return "memchr must look past a NUL";
	if (k_memchr(s, 0x1ff, sizeof(s)) != s + 7)
		return "memchr must compare (unsigned char)c";
	if (k_memchr(s, 'z', sizeof(s)) != NULL || k_memchr(s, 'a', 0) != NULL)
		return "memchr found something absent";
	return NULL;
}

static const char *t_strlen(void)
{
	if (k_strlen("") != 0 || k_strlen("hello") != 5)
		return "strlen";
	if (k_strnlen("hello", 3) != 3 || k_strnlen("hi", 10) != 2 || k_strnlen("x", 0) != 0)
		return "strnlen";
	/* every alignment, length and limit around the word loop; bytes of
	 * 0x01 and 0x80 after the NUL must not move it */
	char buf[48];
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len + off < 40; len++) {
			k_memset(buf, 'a', sizeof(buf));
			buf[off + len] = '\0';
			buf[off + len + 1] = 0x01;
			buf[off + len + 2] = (char)0x80;
			if (k_strlen(buf + off) != len)
				return "strlen at an alignment";
			for (size_t max = 0; max < 20; max++)
				if (k_strnlen(buf + off, max) != (len < max ? len : max))
					return "strnlen at an alignment and limit";
		}
	return NULL;
}

static const char *t_strcmp(void)
{
	if (k_strcmp("abc", "abc") != 0 || k_strcmp("", "") != 0)
		return "equal strings";
	if (k_strcmp("abc", "abd") >= 0 || k_strcmp("abd", "abc") <= 0)
		return "ordering";
	if (k_strcmp("ab", "abc") >= 0 || k_strcmp("abc", "ab") <= 0)
		return "prefix ordering";
	if (k_strcmp("\x80", "\x01") <= 0)
		return "strcmp must compare as unsigned char";
	return NULL;
}

static const char *t_strncmp(void)
{
	if (k_strncmp("abcX", "abcY", 3) != 0 || k_strncmp("a", "b", 0) != 0)
		return "limit ignored";
	if (k_strncmp("abcX", "abcY", 4) >= 0)
		return "ordering";
	if (k_strncmp("ab", "ab\0x", 10) != 0)
		return "must stop at the NUL";
	if (k_strncmp("\x80", "\x01", 1) <= 0)
		return "strncmp must compare as unsigned char";
	return NULL;
}

static const char *t_strchr(void)
{
	const char *s = "hello";

	if (k_strchr(s, 'l') != s + 2 || k_strchr(s, 'z') != NULL)
		return "find";
	if (k_strchr(s, 0) != s + 5)
		return "strchr(s, 0) must return the terminator";
	return NULL;
}

static const char *t_pages(void)
{
	unsigned char *a = aligned_alloc(STRING_PAGE_SIZE, STRING_PAGE_SIZE);
	unsigned char *b = aligned_alloc(STRING_PAGE_SIZE, STRING_PAGE_SIZE);
	const char *err = NULL;

	fill_pattern(a, STRING_PAGE_SIZE, 3);
	fill_byte(b, STRING_PAGE_SIZE, GUARD);
	memcpy_page(b, a);
	if (first_diff(a, b, STRING_PAGE_SIZE) >= 0)
		err = "memcpy_page";
	memzero_page(a);
	for (size_t i = 0; !err && i < STRING_PAGE_SIZE; i++)
		if (a[i])
			err = "memzero_page";
	free(a);
	free(b);
	return err;
}

struct test_case {
	const char *name;
	const char *(*run)(void);
};

static const struct test_case cases[] = {
	{ "memcpy_alignments", t_memcpy_alignments },
	{ "memcpy_long", t_memcpy_long },
	{ "memset_alignments", t_memset_alignments },
	{ "memmove_overlap", t_memmove_overlap },
	{ "memmove_disjoint", t_memmove_disjoint },
	{ "memcmp", t_memcmp },
	{ "memchr", t_memchr },
	{ "strlen", t_strlen },
	{ "strcmp", t_strcmp },
	{ "strncmp", t_strncmp },
	{ "strchr", t_strchr },
	{ "pages", t_pages },
};

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	int passed = 0, failed = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *name = cases[i].name, *err;
		bool match = true;

		for (size_t j = 0; only && (only[j] || name[j]); j++)
			if (only[j] != name[j]) {
				match = false;
				break;
			}
		if (!match)
			continue;
		err = cases[i].run();
		if (err) {
			printf("FAIL %s: %s\n", name, err);
			failed++;
		} else {
			printf("PASS %s\n", name);
			passed++;
		}
	}
	if (only && passed + failed == 0) {
		printf("FAIL %s: no such test\n", only);
		failed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
