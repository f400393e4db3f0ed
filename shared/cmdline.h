/* SPDX-License-Identifier: MIT */
/*
 * Kernel command-line parsing: words, key=value lookups, and the init
 * arguments after a standalone "--", never reading past the given length.
 */
#ifndef KESTREL_SHARED_CMDLINE_H
#define KESTREL_SHARED_CMDLINE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The command line is words separated by spaces, tabs, CR or LF; a word is
 * `key` or `key=value` (the key ends at the first '=', the value may hold
 * more '='). The first word that is exactly "--" ends the words; what
 * follows it, leading separators skipped, is the init arguments, kept as
 * one string. A NUL byte inside len ends the string early.
 */
struct cmdline_word {
	const char *key;  /* points into the command line, not NUL-terminated */
	uint32_t key_len;
	const char *val;  /* has_val only; may be empty */
	uint32_t val_len;
	bool has_val;     /* the word contained '=' */
};

struct cmdline {
	const char *s;          /* the string (not necessarily NUL-terminated) */
	uint32_t len;           /* bytes of s in use (up to the first NUL) */
	uint32_t init_args_off; /* offset of the init arguments in s; == len if
	                         * none or empty */
	bool has_init_args;     /* a "--" word was present (the args may be empty) */
};

/* Set up c over s[0..len) (stopping at a NUL) and find the "--" split. */
void cmdline_init(struct cmdline *c, const char *s, uint32_t len);

/*
 * Iterate over the words before the split: start with *pos = 0; each call
 * returns true and fills *w with the next word, advancing *pos, or returns
 * false at the split or the end.
 */
bool cmdline_next(const struct cmdline *c, uint32_t *pos, struct cmdline_word *w);

/* True if the word's key equals the NUL-terminated key. */
bool cmdline_word_is(const struct cmdline_word *w, const char *key);

/* True if a word `key` or `key=...` appears before the split. */
bool cmdline_has(const struct cmdline *c, const char *key);

/*
 * Value of the last `key=value` word before the split (bare `key` words
 * are ignored here; use cmdline_has). Returns false, leaving *val and
 * *len untouched, if there is none.
 */
bool cmdline_get(const struct cmdline *c, const char *key, const char **val,
                 uint32_t *len);

/*
 * The value of cmdline_get parsed as an unsigned decimal or 0x/0X hex
 * number. Returns false, leaving *out untouched, if the key is absent or
 * the value is empty, has any other character, or overflows 64 bits.
 */
bool cmdline_get_u64(const struct cmdline *c, const char *key, uint64_t *out);

/*
 * The value of cmdline_get as WIDTHxHEIGHT (fb=1280x1024): two decimal
 * numbers from 1 to CMDLINE_DIM_MAX joined by 'x' or 'X'. Returns false,
 * leaving *w and *h untouched, if the key is absent or the value is
 * anything else.
 */
#define CMDLINE_DIM_MAX 65535u
bool cmdline_get_wxh(const struct cmdline *c, const char *key, uint32_t *w, uint32_t *h);

/* The init arguments (after "--"), and their length; length 0 if none. */
const char *cmdline_init_args(const struct cmdline *c, uint32_t *len);

/* True if a word from outside a signed loader may be honoured under Secure
 * Boot: it changes how the kernel reports or tests, never what runs
 * (console=, loglevel=, selftest, audit, echo, panic=, debugexit). */
bool cmdline_word_is_safe(const struct cmdline_word *w);

/* Called for each word cmdline_merge_signed leaves out (init_args: the
 * text is the init arguments after "--"). */
typedef void (*cmdline_drop_fn)(void *ctx, const char *text, uint32_t len, bool init_args);

/*
 * The command line under Secure Boot: the words of the signed command line
 * sig, then each safe word of the unsigned one (esp) that sig does not
 * already hold, then sig's " -- " and init arguments. Every other esp word,
 * esp's init arguments when they differ from sig's, and a safe word that no
 * longer fits are left out and passed to drop (if not NULL). Writes a
 * NUL-terminated string to out (cap bytes, cap >= 1) and returns its length;
 * the signed part is cut only if it cannot fit in cap itself.
 */
uint32_t cmdline_merge_signed(const char *sig, uint32_t sig_len, const char *esp,
                              uint32_t esp_len, char *out, uint32_t cap,
                              cmdline_drop_fn drop, void *ctx);

#endif
