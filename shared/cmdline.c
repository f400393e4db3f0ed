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

/* One dimension of WIDTHxHEIGHT: 1..CMDLINE_DIM_MAX, digits only. */
static bool parse_dim(const char *s, uint32_t len, uint32_t *out)
{
	uint32_t v = 0;

	if (len == 0)
		return false;
	for (uint32_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(s[i] - '0');
		if (v > CMDLINE_DIM_MAX)
			return false;
	}
	*out = v;
	return v != 0;
}

bool cmdline_get_wxh(const struct cmdline *c, const char *key, uint32_t *w, uint32_t *h)
{
	const char *val;
	uint32_t len, x = 0, pw, ph;

	if (!cmdline_get(c, key, &val, &len))
		return false;
	while (x < len && val[x] != 'x' && val[x] != 'X')
		x++;
	if (x == len || !parse_dim(val, x, &pw) || !parse_dim(val + x + 1, len - x - 1, &ph))
		return false;
	*w = pw;
	*h = ph;
	return true;
}

const char *cmdline_init_args(const struct cmdline *c, uint32_t *len)
{
	*len = c->len - c->init_args_off;
	return c->s + c->init_args_off;
}

/* Keys a command line from outside the signed loader may set under Secure
 * Boot: none of them chooses a program, a file or a fault to run. */
static const char *const safe_keys[] = {
	"console", "loglevel", "selftest", "audit", "echo", "panic", "debugexit",
	"fb", /* the loader's display mode */
};

bool cmdline_word_is_safe(const struct cmdline_word *w)
{
	for (size_t i = 0; i < sizeof(safe_keys) / sizeof(safe_keys[0]); i++)
		if (cmdline_word_is(w, safe_keys[i]))
			return true;
	return false;
}

/* The whole text of a word, key through value. */
static uint32_t word_len(const struct cmdline_word *w)
{
	return w->has_val ? (uint32_t)(w->val + w->val_len - w->key) : w->key_len;
}

static bool same_text(const char *a, uint32_t alen, const char *b, uint32_t blen)
{
	if (alen != blen)
		return false;
	for (uint32_t i = 0; i < alen; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* True if c holds a word with exactly this text before its split. */
static bool has_word_text(const struct cmdline *c, const char *text, uint32_t len)
{
	struct cmdline_word w;
	uint32_t pos = 0;

	while (cmdline_next(c, &pos, &w))
		if (same_text(w.key, word_len(&w), text, len))
			return true;
	return false;
}

/* An output buffer that never overflows: append() refuses what would not
 * leave `keep` bytes (and the NUL) free. */
struct outbuf {
	char *s;
	uint32_t cap, n;
};

static bool append(struct outbuf *o, const char *text, uint32_t len, uint32_t keep)
{
	uint32_t sep = o->n ? 1 : 0;

	if ((uint64_t)o->n + sep + len + keep >= o->cap)
		return false;
	if (sep)
		o->s[o->n++] = ' ';
	for (uint32_t i = 0; i < len; i++)
		o->s[o->n++] = text[i];
	return true;
}

/* Append each safe esp word that sig lacks; report the rest. */
static void merge_esp_words(struct outbuf *o, const struct cmdline *sig, const struct cmdline *esp,
                            uint32_t keep, cmdline_drop_fn drop, void *ctx)
{
	struct cmdline_word w;
	uint32_t pos = 0;

	while (cmdline_next(esp, &pos, &w)) {
		uint32_t len = word_len(&w);

		if (has_word_text(sig, w.key, len))
			continue;
		if (cmdline_word_is_safe(&w) && append(o, w.key, len, keep))
			continue;
		if (drop)
			drop(ctx, w.key, len, false);
	}
}

uint32_t cmdline_merge_signed(const char *sig_s, uint32_t sig_len, const char *esp_s,
                              uint32_t esp_len, char *out, uint32_t cap,
                              cmdline_drop_fn drop, void *ctx)
{
	struct cmdline sig, esp;
	struct cmdline_word w;
	struct outbuf o = { out, cap, 0 };
	uint32_t pos = 0, args_len, esp_args_len;
	const char *args, *esp_args;

	cmdline_init(&sig, sig_s, sig_len);
	cmdline_init(&esp, esp_s, esp_len);
	args = cmdline_init_args(&sig, &args_len);
	esp_args = cmdline_init_args(&esp, &esp_args_len);
	/* room for " -- ARGS" after the words */
	uint32_t keep = sig.has_init_args ? 4 + args_len : 0;

	while (cmdline_next(&sig, &pos, &w))
		append(&o, w.key, word_len(&w), keep);
	merge_esp_words(&o, &sig, &esp, keep, drop, ctx);
	if (esp_args_len && !same_text(args, args_len, esp_args, esp_args_len) && drop)
		drop(ctx, esp_args, esp_args_len, true);
	if (sig.has_init_args && append(&o, "--", 2, args_len + 1) && args_len)
		append(&o, args, args_len, 0);
	out[o.n] = '\0';
	return o.n;
}
