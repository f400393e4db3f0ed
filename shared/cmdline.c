/* SPDX-License-Identifier: MIT */
/*
 * Kernel command-line parsing, bounded by the given length throughout.
 */
#include "cmdline.h"

#include <stddef.h>

#define HEX_BASE 16
#define DEC_BASE 10

static bool is_sep(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Offset of the first non-separator at or after pos (len if none). */
static uint32_t skip_seps(const char *s, uint32_t len, uint32_t pos)
{
	while (pos < len && is_sep(s[pos]))
		pos++;
	return pos;
}

/* Offset just past the word starting at pos. */
static uint32_t word_end(const char *s, uint32_t len, uint32_t pos)
{
	while (pos < len && !is_sep(s[pos]))
		pos++;
	return pos;
}

static bool is_split(const char *s, uint32_t start, uint32_t end)
{
	return end - start == 2 && s[start] == '-' && s[start + 1] == '-';
}

void cmdline_init(struct cmdline *c, const char *s, uint32_t len)
{
	uint32_t n = 0;

	while (n < len && s[n] != '\0')
		n++;
	c->s = s;
	c->len = n;
	c->init_args_off = n;
	c->has_init_args = false;
	for (uint32_t pos = skip_seps(s, n, 0); pos < n; pos = skip_seps(s, n, pos)) {
		uint32_t end = word_end(s, n, pos);

		if (is_split(s, pos, end)) {
			c->has_init_args = true;
			c->init_args_off = skip_seps(s, n, end);
			return;
		}
		pos = end;
	}
}

/* Fill *w from the word s[start..end). */
static void split_word(const char *s, uint32_t start, uint32_t end,
                       struct cmdline_word *w)
{
	uint32_t eq = start;

	while (eq < end && s[eq] != '=')
		eq++;
	w->key = s + start;
	w->key_len = eq - start;
	w->has_val = eq < end;
	w->val = w->has_val ? s + eq + 1 : NULL;
	w->val_len = w->has_val ? end - eq - 1 : 0;
}

bool cmdline_next(const struct cmdline *c, uint32_t *pos, struct cmdline_word *w)
{
	uint32_t start = skip_seps(c->s, c->len, *pos);

	if (start >= c->len)
		return false;
	uint32_t end = word_end(c->s, c->len, start);

	if (is_split(c->s, start, end))
		return false;
	split_word(c->s, start, end, w);
	*pos = end;
	return true;
}

bool cmdline_word_is(const struct cmdline_word *w, const char *key)
{
	uint32_t i = 0;

	for (; i < w->key_len; i++)
		if (key[i] == '\0' || key[i] != w->key[i])
			return false;
	return key[i] == '\0';
}

bool cmdline_has(const struct cmdline *c, const char *key)
{
	struct cmdline_word w;
	uint32_t pos = 0;

	while (cmdline_next(c, &pos, &w))
		if (cmdline_word_is(&w, key))
			return true;
	return false;
}

bool cmdline_get(const struct cmdline *c, const char *key, const char **val,
                 uint32_t *len)
{
	struct cmdline_word w;
	uint32_t pos = 0;
	bool found = false;

	while (cmdline_next(c, &pos, &w)) {
		if (w.has_val && cmdline_word_is(&w, key)) {
			*val = w.val;
			*len = w.val_len;
			found = true;
		}
	}
	return found;
}

/* Value of one digit in base (10 or 16), or -1. */
static int digit_value(char ch, unsigned base)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (base == HEX_BASE && ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (base == HEX_BASE && ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Parse s[0..len) as decimal or 0x hex into *out; false if malformed or too big. */
static bool parse_u64(const char *s, uint32_t len, uint64_t *out)
{
	unsigned base = DEC_BASE;
	uint64_t v = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = HEX_BASE;
		s += 2;
		len -= 2;
	}
	if (len == 0)
		return false;
	for (uint32_t i = 0; i < len; i++) {
		int d = digit_value(s[i], base);

		if (d < 0 || v > (UINT64_MAX - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return true;
}

bool cmdline_get_u64(const struct cmdline *c, const char *key, uint64_t *out)
{
	const char *val;
	uint32_t len;

	return cmdline_get(c, key, &val, &len) && parse_u64(val, len, out);
}

const char *cmdline_init_args(const struct cmdline *c, uint32_t *len)
{
	*len = c->len - c->init_args_off;
	return c->s + c->init_args_off;
}
