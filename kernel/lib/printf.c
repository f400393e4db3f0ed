/* SPDX-License-Identifier: MIT */
/* kvsnprintf/ksnprintf: a C99 snprintf subset with no globals and no libc. */
#include "lib/printf.h"

#include <stdbool.h>
#include <stdint.h>

/* Flags that may precede the width. */
#define FLAG_LEFT  (1u << 0) /* '-': pad on the right */
#define FLAG_ZERO  (1u << 1) /* '0': pad numbers with zeros */
#define FLAG_PLUS  (1u << 2) /* '+': always print a sign */
#define FLAG_SPACE (1u << 3) /* ' ': space where a '+' would go */
#define FLAG_ALT   (1u << 4) /* '#': 0x for hex, leading 0 for octal */

#define NO_PRECISION (-1)
#define INT_LIMIT    0x7fffffff /* INT_MAX without <limits.h> */
#define PTR_DIGITS   16         /* %p: 0x plus every nibble of 64 bits */
#define NUM_BUF      24         /* 64-bit octal needs 22 digits */

_Static_assert(sizeof(ptrdiff_t) == sizeof(size_t), "%zd reads a ptrdiff_t");

enum length { LEN_INT, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

/* One parsed conversion specification. */
struct spec {
	unsigned flags;
	int width;
	int prec; /* NO_PRECISION if absent */
	enum length len;
	char conv;
};

/* The output cursor: len counts every byte produced, stored or not. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_n(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void put_str(struct out *o, const char *s, int n)
{
	while (n-- > 0)
		put(o, *s++);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads a decimal number at *p, saturating at INT_LIMIT. */
static int parse_uint(const char **p)
{
	long v = 0;

	while (is_digit(**p)) {
		v = v * 10 + (**p - '0');
		if (v > INT_LIMIT)
			v = INT_LIMIT;
		(*p)++;
	}
	return (int)v;
}

static unsigned parse_flags(const char **p)
{
	unsigned flags = 0;

	for (;; (*p)++) {
		switch (**p) {
		case '-': flags |= FLAG_LEFT; break;
		case '0': flags |= FLAG_ZERO; break;
		case '+': flags |= FLAG_PLUS; break;
		case ' ': flags |= FLAG_SPACE; break;
		case '#': flags |= FLAG_ALT; break;
		default: return flags;
		}
	}
}

/* Width: digits or '*'; a negative '*' width means '-' plus its magnitude. */
static void parse_width(const char **p, va_list *ap, struct spec *sp)
{
	if (**p != '*') {
		sp->width = parse_uint(p);
		return;
	}
	(*p)++;
	int w = va_arg(*ap, int);
	if (w < 0) {
		sp->flags |= FLAG_LEFT;
		w = w == -INT_LIMIT - 1 ? INT_LIMIT : -w;
	}
	sp->width = w;
}

/* Precision: '.' then digits or '*'; a negative '*' means none given. */
static void parse_precision(const char **p, va_list *ap, struct spec *sp)
{
	sp->prec = NO_PRECISION;
	if (**p != '.')
		return;
	(*p)++;
	if (**p == '*') {
		(*p)++;
		int pr = va_arg(*ap, int);
		sp->prec = pr < 0 ? NO_PRECISION : pr;
	} else {
		sp->prec = parse_uint(p);
	}
}

static enum length parse_length(const char **p)
{
	const char *s = *p;
	enum length len;

	switch (*s) {
	case 'h': len = s[1] == 'h' ? LEN_HH : LEN_H; break;
	case 'l': len = s[1] == 'l' ? LEN_LL : LEN_L; break;
	case 'z': len = LEN_Z; break;
	case 't': len = LEN_T; break;
	case 'j': len = LEN_J; break;
	default: return LEN_INT;
	}
	*p += (len == LEN_HH || len == LEN_LL) ? 2 : 1;
	return len;
}

/* Parses the specification after a '%' and leaves *p on the conversion
 * character (which may be the NUL of a truncated format). */
static void parse_spec(const char **p, va_list *ap, struct spec *sp)
{
	sp->flags = parse_flags(p);
	parse_width(p, ap, sp);
	parse_precision(p, ap, sp);
	sp->len = parse_length(p);
	sp->conv = **p;
}

static intmax_t fetch_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH: return (signed char)va_arg(*ap, int);
	case LEN_H:  return (short)va_arg(*ap, int);
	case LEN_L:  return va_arg(*ap, long);
	case LEN_LL: return va_arg(*ap, long long);
	case LEN_Z:  return va_arg(*ap, ptrdiff_t); /* the signed size_t */
	case LEN_T:  return va_arg(*ap, ptrdiff_t);
	case LEN_J:  return va_arg(*ap, intmax_t);
	default:     return va_arg(*ap, int);
	}
}

static uintmax_t fetch_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:  return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:  return va_arg(*ap, unsigned long);
	case LEN_LL: return va_arg(*ap, unsigned long long);
	case LEN_Z:  return va_arg(*ap, size_t);
	case LEN_T:  return (size_t)va_arg(*ap, ptrdiff_t);
	case LEN_J:  return va_arg(*ap, uintmax_t);
	default:     return va_arg(*ap, unsigned int);
	}
}

/* Writes the digits of v in base into buf, least significant first;
 * returns how many. Zero gives no digits: the caller decides. */
static int to_digits(char *buf, uintmax_t v, unsigned base, bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	while (v) {
		buf[n++] = set[v % base];
		v /= base;
	}
	return n;
}

/* Emits a number: [spaces][sign or 0x][zeros][digits][spaces].
 * mag is the magnitude, sign the sign character or 0. */
static void emit_number(struct out *o, const struct spec *sp, uintmax_t mag,
                        char sign, unsigned base, bool upper)
{
	char digits[NUM_BUF], prefix[2];
	int nd = to_digits(digits, mag, base, upper), np = 0;

	if (nd == 0 && sp->prec == NO_PRECISION)
		digits[nd++] = '0'; /* zero prints as "0" unless precision is 0 */
	if (sign)
		prefix[np++] = sign;
	if ((sp->flags & FLAG_ALT) && base == 16 && mag != 0) {
		prefix[np++] = '0';
		prefix[np++] = upper ? 'X' : 'x';
	}

	int zeros = sp->prec > nd ? sp->prec - nd : 0;
	if ((sp->flags & FLAG_ALT) && base == 8 && zeros == 0 &&
	    (nd == 0 || digits[nd - 1] != '0'))
		zeros = 1; /* '#' octal: the first digit must be 0 */
	if ((sp->flags & FLAG_ZERO) && !(sp->flags & FLAG_LEFT) &&
	    sp->prec == NO_PRECISION && sp->width > np + zeros + nd)
		zeros = sp->width - np - nd;

	int pad = sp->width - (np + zeros + nd);
	if (!(sp->flags & FLAG_LEFT))
		put_n(o, ' ', pad);
	put_str(o, prefix, np);
	put_n(o, '0', zeros);
	while (nd > 0)
		put(o, digits[--nd]);
	if (sp->flags & FLAG_LEFT)
		put_n(o, ' ', pad);
}

/* Emits n bytes of s padded with spaces to the width. */
static void emit_padded(struct out *o, const struct spec *sp, const char *s, int n)
{
	int pad = sp->width - n;

	if (!(sp->flags & FLAG_LEFT))
		put_n(o, ' ', pad);
	put_str(o, s, n);
	if (sp->flags & FLAG_LEFT)
		put_n(o, ' ', pad);
}

static void emit_signed(struct out *o, const struct spec *sp, va_list *ap)
{
	intmax_t v = fetch_signed(ap, sp->len);
	/* 0 - (uintmax_t)v is the magnitude even for INTMAX_MIN */
	uintmax_t mag = v < 0 ? 0 - (uintmax_t)v : (uintmax_t)v;
	char sign = 0;

	if (v < 0)
		sign = '-';
	else if (sp->flags & FLAG_PLUS)
		sign = '+';
	else if (sp->flags & FLAG_SPACE)
		sign = ' ';
	emit_number(o, sp, mag, sign, 10, false);
}

static void emit_string(struct out *o, const struct spec *sp, va_list *ap)
{
	const char *s = va_arg(*ap, const char *);
	int n = 0;

	if (!s)
		s = "(null)";
	while ((sp->prec == NO_PRECISION || n < sp->prec) && s[n] && n < INT_LIMIT)
		n++;
	emit_padded(o, sp, s, n);
}

/* %p: always "0x" and 16 lower-case hex digits, padded to the width. */
static void emit_pointer(struct out *o, const struct spec *sp, va_list *ap)
{
	uintptr_t v = (uintptr_t)va_arg(*ap, void *);
	char text[2 + PTR_DIGITS];

	text[0] = '0';
	text[1] = 'x';
	for (int i = PTR_DIGITS - 1; i >= 0; i--, v >>= 4)
		text[2 + i] = "0123456789abcdef"[v & 0xf];
	emit_padded(o, sp, text, (int)sizeof(text));
}

/* Performs one conversion; returns false for an unknown one. */
static bool convert(struct out *o, const struct spec *sp, va_list *ap)
{
	char c;

	switch (sp->conv) {
	case 'd':
	case 'i': emit_signed(o, sp, ap); return true;
	case 'u': emit_number(o, sp, fetch_unsigned(ap, sp->len), 0, 10, false); return true;
	case 'x': emit_number(o, sp, fetch_unsigned(ap, sp->len), 0, 16, false); return true;
	case 'X': emit_number(o, sp, fetch_unsigned(ap, sp->len), 0, 16, true); return true;
	case 'o': emit_number(o, sp, fetch_unsigned(ap, sp->len), 0, 8, false); return true;
	case 's': emit_string(o, sp, ap); return true;
	case 'p': emit_pointer(o, sp, ap); return true;
	case 'c':
		c = (char)va_arg(*ap, int);
		emit_padded(o, sp, &c, 1);
		return true;
	case '%': put(o, '%'); return true;
	default: return false;
	}
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size, .len = 0 };
	struct spec sp;
	va_list aq;

	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		const char *start = fmt++;
		parse_spec(&fmt, &aq, &sp);
		if (convert(&o, &sp, &aq)) {
			fmt++;
			continue;
		}
		/* Unknown or truncated: copy it through as written. */
		while (start < fmt)
			put(&o, *start++);
	}
	va_end(aq);

	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT_LIMIT ? INT_LIMIT : (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
