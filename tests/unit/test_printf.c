/* SPDX-License-Identifier: MIT */
/* Host unit test: kvsnprintf against the C library's vsnprintf. */

/*
 * Build and run (from the repository root):
 *   gcc -std=gnu11 -Wall -Wextra -Werror -fsanitize=address,undefined \
 *       -I kernel -I shared kernel/lib/printf.c tests/unit/test_printf.c \
 *       -o build/test_printf && ./build/test_printf [case-name]
 *
 * Every HOST case is formatted by both implementations into buffers of
 * several sizes (0 with and without a buffer, 1, 2, 3, 7, the exact
 * length, length +- 1, and a large one); the return values and the whole
 * buffer, sentinel bytes past the size included, must match. EXPECT
 * cases cover behaviour that is ours by design (%p, NULL %s, unknown
 * conversions) and compare against a fixed string.
 */
#include "lib/printf.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define BUF       512
#define SENTINEL  0x5a
#define WHY_LEN   1024

static char why[WHY_LEN];
static const char *volatile null_str; /* volatile: hide the NULL from -Wformat */
/*
 * quiet(fmt) hides a format from -Wformat. It wraps formats that are
 * well defined but that gcc or clang warn about (%hhd of an int that
 * does not fit, '0' with a precision), and our unknown-conversion cases.
 * Those pass an extra 0 to keep -Wformat-security quiet; it is unused.
 */
static const char *quiet(const char *fmt)
{
	return fmt;
}

/* Formats with both implementations at one size (with_buf false: a NULL
 * buffer and size 0); returns a description of any mismatch, or NULL. */
static const char *compare_at(size_t size, bool with_buf, const char *fmt, va_list ap)
{
	char want[BUF], got[BUF];
	va_list a1, a2;

	memset(want, SENTINEL, BUF);
	memset(got, SENTINEL, BUF);
	va_copy(a1, ap);
	va_copy(a2, ap);
	int wn, gn;
	if (with_buf) {
		wn = vsnprintf(want, size, fmt, a1);
		gn = kvsnprintf(got, size, fmt, a2);
	} else { /* C99 allows a NULL buffer with size 0 */
		wn = vsnprintf(NULL, 0, fmt, a1);
		gn = kvsnprintf(NULL, 0, fmt, a2);
	}
	va_end(a1);
	va_end(a2);

	if (wn != gn) {
		snprintf(why, sizeof(why), "size %zu: returned %d, want %d", size, gn, wn);
		return why;
	}
	if (memcmp(want, got, BUF) != 0) {
		snprintf(why, sizeof(why), "size %zu: got \"%.*s\", want \"%.*s\"",
		         size, (int)strnlen(got, BUF), got, (int)strnlen(want, BUF), want);
		return why;
	}
	return NULL;
}

__attribute__((format(printf, 1, 2)))
static const char *check_host(const char *fmt, ...)
{
	va_list ap;
	const char *err;

	va_start(ap, fmt);
	va_list a0;
	va_copy(a0, ap);
	size_t n = (size_t)vsnprintf(NULL, 0, fmt, a0);
	va_end(a0);

	size_t sizes[] = { 0, 1, 2, 3, 7, n ? n - 1 : 0, n, n + 1, BUF };
	err = compare_at(0, false, fmt, ap);
	for (size_t i = 0; !err && i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (sizes[i] <= BUF)
			err = compare_at(sizes[i], true, fmt, ap);
	va_end(ap);
	return err;
}

__attribute__((format(printf, 2, 3)))
static const char *check_expect(const char *expect, const char *fmt, ...)
{
	char got[BUF];
	va_list ap;

	va_start(ap, fmt);
	int n = kvsnprintf(got, sizeof(got), fmt, ap);
	va_end(ap);
	if (strcmp(got, expect) != 0 || n != (int)strlen(expect)) {
		snprintf(why, sizeof(why), "got \"%s\" (%d), want \"%s\" (%zu)",
		         got, n, expect, strlen(expect));
		return why;
	}
	return NULL;
}

/* name, format, arguments: compared against the host vsnprintf. */
#define HOST_CASES(X) \
	X(plain, "hello, world") \
	X(empty, "%s", "") \
	X(percent, "%%") \
	X(percent_mid, "a%%b%%") \
	X(d_zero, "%d", 0) \
	X(d_pos, "%d", 42) \
	X(d_neg, "%d", -42) \
	X(d_int_max, "%d", INT_MAX) \
	X(d_int_min, "%d", INT_MIN) \
	X(i_neg, "%i", -7) \
	X(u_zero, "%u", 0u) \
	X(u_max, "%u", UINT_MAX) \
	X(x_lower, "%x", 0xdeadbeefu) \
	X(X_upper, "%X", 0xdeadbeefu) \
	X(o_eight, "%o", 8u) \
	X(o_zero, "%o", 0u) \
	X(hhd_wrap, quiet("%hhd"), 200) \
	X(hhu_wrap, quiet("%hhu"), 300) \
	X(hhx_neg, quiet("%hhx"), -1) \
	X(hd_wrap, quiet("%hd"), 70000) \
	X(hu_neg, quiet("%hu"), -1) \
	X(ld_min, "%ld", LONG_MIN) \
	X(lu_max, "%lu", ULONG_MAX) \
	X(lx, "%lx", 0x123456789abcdefUL) \
	X(lld_int64_min, "%lld", (long long)INT64_MIN) \
	X(lld_int64_max, "%+lld", (long long)INT64_MAX) \
	X(llu_max, "%llu", ULLONG_MAX) \
	X(llX_max, "%llX", ULLONG_MAX) \
	X(llo_max, "%llo", ULLONG_MAX) \
	X(zu_max, "%zu", SIZE_MAX) \
	X(zd_neg, "%zd", (ssize_t)-5) \
	X(zx, "%zx", (size_t)0xabc) \
	X(td_neg, "%td", (ptrdiff_t)-9) \
	X(tx, "%tx", (ptrdiff_t)255) \
	X(jd_min, "%jd", INTMAX_MIN) \
	X(ju_max, "%ju", UINTMAX_MAX) \
	X(width, "[%5d]", 42) \
	X(width_left, "[%-5d]", 42) \
	X(width_zero, "[%05d]", 42) \
	X(width_zero_neg, "[%05d]", -42) \
	X(width_narrow, "[%2d]", 12345) \
	X(plus_pos, "%+d", 42) \
	X(plus_neg, "%+d", -42) \
	X(space_pos, "% d", 42) \
	X(space_neg, "% d", -42) \
	X(plus_zero_width, "[%+06d]", 42) \
	X(space_zero_width, "[% 06d]", 42) \
	X(prec, "%.5d", 42) \
	X(prec_neg, "%.5d", -42) \
	X(prec_zero_val_zero, "[%.0d]", 0) \
	X(prec_zero_x_zero, "[%.0x]", 0u) \
	X(prec_zero_width, "[%3.0d]", 0) \
	X(width_prec, "[%8.3d]", 7) \
	X(width_prec_left, "[%-8.3d]", -7) \
	X(zero_flag_with_prec, quiet("[%08.3d]"), 7) \
	X(prec_shorter, "%.3d", -1234) \
	X(int64_min_width, "[%25lld]", (long long)INT64_MIN) \
	X(int64_min_left, "[%-25lld]", (long long)INT64_MIN) \
	X(int64_min_zero, "[%025lld]", (long long)INT64_MIN) \
	X(int64_min_prec, "[%.25lld]", (long long)INT64_MIN) \
	X(alt_x, "%#x", 255u) \
	X(alt_X, "%#X", 255u) \
	X(alt_x_zero, "%#x", 0u) \
	X(alt_o, "%#o", 8u) \
	X(alt_o_zero, "%#o", 0u) \
	X(alt_o_prec0_zero, "[%#.0o]", 0u) \
	X(alt_o_prec, "%#.5o", 8u) \
	X(alt_x_width, "[%#10x]", 255u) \
	X(alt_x_zero_pad, "[%#010x]", 255u) \
	X(alt_x_left, "[%-#10x]", 255u) \
	X(star_width, "[%*d]", 6, 42) \
	X(star_width_neg, "[%*d]", -6, 42) \
	X(star_prec, "[%.*d]", 4, 42) \
	X(star_prec_neg, "[%.*d]", -1, 42) \
	X(star_both, "[%*.*d]", 8, 4, -42) \
	X(star_prec_s, "[%.*s]", 3, "abcdef") \
	X(star_width_s, "[%-*s]", 6, "ab") \
	X(c, "%c", 'A') \
	X(c_width, "[%3c]", 'B') \
	X(c_left, "[%-3c]", 'C') \
	X(c_many, "%c%c%c", 'x', 'y', 'z') \
	X(s, "%s", "hello") \
	X(s_width, "[%10s]", "hello") \
	X(s_left, "[%-10s]", "hello") \
	X(s_prec, "[%.2s]", "hello") \
	X(s_width_prec, "[%10.2s]", "hello") \
	X(s_prec_zero, "[%.0s]", "hello") \
	X(s_empty, "[%s]", "") \
	X(s_prec_long, "[%.10s]", "abc") \
	X(mixed, "%s=%d (%#x) %c%%", "answer", 42, 42u, '!') \
	X(long_width, "%300d|", 1) \
	X(long_string, "%s%s%s%s", \
	  "0123456789012345678901234567890123456789012345678901234567890123456789", \
	  "0123456789012345678901234567890123456789012345678901234567890123456789", \
	  "0123456789012345678901234567890123456789012345678901234567890123456789", \
	  "0123456789012345678901234567890123456789012345678901234567890123456789")

/* name, expected text, format, arguments: our own behaviour. */
#define EXPECT_CASES(X) \
	X(s_null, "(null)", "%s", null_str) \
	X(s_null_width, "[  (null)]", "[%8s]", null_str) \
	X(s_null_prec, "[(nu]", "[%.3s]", null_str) \
	X(p_value, "0x0000000000001234", "%p", (void *)0x1234) \
	X(p_null, "0x0000000000000000", "%p", (void *)0) \
	X(p_high, "0xffff800000000000", "%p", (void *)0xffff800000000000ULL) \
	X(p_width, "[  0x00000000deadbeef]", "[%20p]", (void *)0xdeadbeef) \
	X(p_left, "[0x00000000deadbeef  ]", "[%-20p]", (void *)0xdeadbeef) \
	X(unknown_conv, "[%q]", quiet("[%q]"), 0) \
	X(unknown_conv_flags, "[%-5q]", quiet("[%-5q]"), 0) \
	X(trailing_percent, "abc%", quiet("abc%"), 0) \
	X(int64_min_exact, "-9223372036854775808", "%lld", (long long)INT64_MIN)

#define DEFINE_HOST(name, fmt, ...) \
	static const char *t_##name(void) { return check_host(fmt, ##__VA_ARGS__); }
#define DEFINE_EXPECT(name, expect, fmt, ...) \
	static const char *t_##name(void) { return check_expect(expect, fmt, ##__VA_ARGS__); }
HOST_CASES(DEFINE_HOST)
EXPECT_CASES(DEFINE_EXPECT)

struct test_case {
	const char *name;
	const char *(*run)(void);
};

#define ENTRY_HOST(name, ...) { #name, t_##name },
#define ENTRY_EXPECT(name, ...) { #name, t_##name },
static const struct test_case cases[] = {
	HOST_CASES(ENTRY_HOST)
	EXPECT_CASES(ENTRY_EXPECT)
};

/* size 0 and size 1 details that the table cannot express. */
static const char *t_size_zero_untouched(void)
{
	char buf[4] = { 'x', 'x', 'x', 'x' };

	if (ksnprintf(buf, 0, "%d", 12345) != 5 || buf[0] != 'x')
		return "size 0 wrote to the buffer or miscounted";
	if (ksnprintf(buf, 1, "%d", 12345) != 5 || buf[0] != '\0' || buf[1] != 'x')
		return "size 1 must store only the NUL";
	return NULL;
}

static int run_one(const char *name, const char *(*fn)(void))
{
	const char *err = fn();

	if (err) {
		printf("FAIL %s: %s\n", name, err);
		return 0;
	}
	printf("PASS %s\n", name);
	return 1;
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	int passed = 0, failed = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (only && strcmp(only, cases[i].name) != 0)
			continue;
		if (run_one(cases[i].name, cases[i].run))
			passed++;
		else
			failed++;
	}
	if (!only || strcmp(only, "size_zero_untouched") == 0) {
		if (run_one("size_zero_untouched", t_size_zero_untouched))
			passed++;
		else
			failed++;
	}
	if (only && passed + failed == 0) {
		printf("FAIL %s: no such test\n", only);
		failed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
