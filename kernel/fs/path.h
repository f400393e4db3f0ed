/* SPDX-License-Identifier: MIT */
/* Path-name splitting for the VFS walk: pure C, no kernel state, built into the host unit tests too. */
#ifndef KESTREL_FS_PATH_H
#define KESTREL_FS_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "uapi/limits.h"
#include "lib/word.h"

/*
 * The next component of the path at *p: skips leading slashes, points
 * *name at the component and advances *p just past it (to a '/' or the
 * NUL). Returns its length, 0 when only slashes (or nothing) were left,
 * or -ENAMETOOLONG when the component is longer than NAME_MAX.
 */
long path_next(const char **p, const char **name);

/*
 * The VFS's hash of a name (len bytes, not NUL-terminated): a 64-bit
 * multiply-rotate over its 8-byte words, the last 1 to 7 bytes as one
 * word with the length, folded to the high half (the low bits of the
 * result choose a bucket). RAM directories file their names by it.
 * Inline, with its helpers: every create, unlink and lookup hashes.
 */
/* path_hash's constants: the multiplier is 2^64 / the golden ratio
 * (odd), as Fibonacci hashing; the seed is FNV's 64-bit offset basis. */
#define PATH_HASH_SEED 0xcbf29ce484222325ull
#define PATH_HASH_MUL  0x9e3779b97f4a7c15ull
#define PATH_HASH_ROT  23

/* One step of the hash: h mixed with the word w. */
static inline uint64_t path_hash_mix(uint64_t h, uint64_t w)
{
	return (((h << PATH_HASH_ROT) | (h >> (64 - PATH_HASH_ROT))) ^ w) * PATH_HASH_MUL;
}

/* The last step: the length and the final 1 to 7 bytes (rest, already
 * masked to them; 0 when the name is whole words), folded to 32 bits. */
static inline uint32_t path_hash_end(uint64_t h, size_t len, uint64_t rest)
{
	return (uint32_t)(path_hash_mix(h, len ^ (rest << 8)) >> 32);
}

/* The n (<= 8) bytes at p as a little-endian word, a byte at a time: the
 * tail of a name that ends within 8 bytes of a page's end. */
static inline uint64_t path_tail_bytes(const char *p, size_t n)
{
	uint64_t w = 0;

	for (size_t i = n; i-- > 0;)
		w = w << 8 | (uint8_t)p[i];
	return w;
}

/* The low n (< 8) bytes of the word w. */
static inline uint64_t path_low_bytes(uint64_t w, size_t n)
{
	return w & ((1ull << 8 * n) - 1);
}

static inline uint32_t path_hash(const char *name, size_t len)
{
	uint64_t h = PATH_HASH_SEED, rest = 0;
	size_t i = 0;

	for (; i + WORD_BYTES <= len; i += WORD_BYTES)
		h = path_hash_mix(h, word_load(name + i));
	if (i < len) { /* 1 to 7 bytes left: one load, the bytes past them masked off */
		const char *t = name + i;
		rest = path_low_bytes(word_in_page(t) ? word_load(t) : path_tail_bytes(t, len - i), len - i);
	}
	return path_hash_end(h, len, rest);
}

/*
 * A name as a lock-free walk looks it up (Linux's qstr with its
 * hash_len): its hash and length in one word, so that one compare tests
 * both, and its head, its first 8 bytes with those past its end zero, so
 * that a name of up to 8 bytes is one more compare, and "." and ".." are
 * PATH_HEAD_DOT and PATH_HEAD_DOTDOT (no name holds a NUL).
 */
struct path_name {
	const char *name;
	uint64_t hash_len;           /* path_hash << 32 | length */
	uint64_t head;
};

#define PATH_HEAD_DOT    0x2eull   /* "." */
#define PATH_HEAD_DOTDOT 0x2e2eull /* ".." */

static inline uint64_t path_hash_len(uint32_t hash, size_t len)
{
	return (uint64_t)hash << 32 | len;
}

static inline size_t path_name_len(const struct path_name *n)
{
	return (uint32_t)n->hash_len;
}

static inline uint32_t path_name_hash(const struct path_name *n)
{
	return (uint32_t)(n->hash_len >> 32);
}

/* The bytes of a word below the lowest one flagged in stop (non-zero, from
 * word_zero_bytes or word_bytes_equal) as a mask: 0xff for each. */
static inline uint64_t path_mask_before(uint64_t stop)
{
	return ((stop - 1) & ~stop) >> 7;
}

/* The head of the name at s (len bytes): see struct path_name. */
static inline uint64_t path_head(const char *s, size_t len)
{
	if (len >= WORD_BYTES)
		return word_in_page(s) ? word_load(s) : path_tail_bytes(s, WORD_BYTES);
	return path_low_bytes(word_in_page(s) ? word_load(s) : path_tail_bytes(s, len), len);
}

/* The struct path_name of the name at s (len bytes), as path_next_name
 * finds it in a path. */
static inline void path_name_of(const char *s, size_t len, struct path_name *n)
{
	n->name = s;
	n->hash_len = path_hash_len(path_hash(s, len), len);
	n->head = path_head(s, len);
}

/* path_next_name's case of a name near a page's end or longer than
 * NAME_MAX, at s (past the slashes): *n as path_next_name gives it, its
 * length in n->hash_len whatever the answer (the path goes on after
 * it), and the answer, the length or -ENAMETOOLONG. No pointer to the
 * path's pointer, so that the inline caller keeps it in a register. */
long path_next_name_long(const char *s, struct path_name *n);

/* path_next_name's last step: the name at s ends in the word v (at s +
 * len, len a multiple of 8), whose bytes flagged in stop end it; h is the
 * hash of the words before it. Returns the name's length. */
static inline size_t path_name_end(struct path_name *n, const char *s, size_t len, uint64_t h,
				   uint64_t v, uint64_t stop)
{
	v &= path_mask_before(stop);
	len += word_first_flagged(stop);
	n->name = s;
	n->hash_len = path_hash_len(path_hash_end(h, len, v), len);
	return len;
}

/*
 * path_next, and the name found described in *n (unset unless the result
 * is > 0), in one pass over its bytes, a word at a time (as Linux's
 * hash_name). Inline: a walk asks it at every component. A name of up to
 * 7 bytes, most of them, is one word's work; a longer one goes on a word
 * at a time; one near a page's end or longer than NAME_MAX goes to
 * path_next_name_long.
 */
static inline long path_next_name(const char **p, struct path_name *n)
{
	const char *s = *p;

	while (*s == '/')
		s++;
	if (word_in_page(s)) {
		uint64_t v = word_load(s);
		uint64_t stop = word_zero_bytes(v) | word_bytes_equal(v, '/');
		if (stop) {
			size_t len = path_name_end(n, s, 0, PATH_HASH_SEED, v, stop);
			n->head = v & path_mask_before(stop);
			*p = s + len;
			return (long)len;
		}
		n->head = v;
		uint64_t h = path_hash_mix(PATH_HASH_SEED, v);
		/* at most NAME_MAX: a word that ends the name starts at 248 at most */
		for (size_t len = WORD_BYTES; len <= NAME_MAX && word_in_page(s + len);
		     len += WORD_BYTES) {
			v = word_load(s + len);
			stop = word_zero_bytes(v) | word_bytes_equal(v, '/');
			if (stop) {
				len = path_name_end(n, s, len, h, v, stop);
				*p = s + len;
				return (long)len;
			}
			h = path_hash_mix(h, v);
		}
	}
	long r = path_next_name_long(s, n);
	*p = s + path_name_len(n);
	return r;
}

/* True if s holds nothing but slashes (the rest after a final component).
 * Inline, as the two below: a walk asks them at every component. */
static inline bool path_only_slashes(const char *s)
{
	while (*s == '/')
		s++;
	return *s == '\0';
}

/* "." and ".." as components of length len. */
static inline bool path_is_dot(const char *name, size_t len)
{
	return len == 1 && name[0] == '.';
}

static inline bool path_is_dotdot(const char *name, size_t len)
{
	return len == 2 && name[0] == '.' && name[1] == '.';
}

/*
 * Build, in out (cap bytes), the path that replaces a symlink in the
 * middle of a walk: target (tlen bytes, not NUL-terminated) then, when
 * rest has a component, '/' and rest. out must not overlap target or
 * rest. 0, or -ENAMETOOLONG when the result and its NUL do not fit.
 */
int path_splice(char *out, size_t cap, const char *target, size_t tlen, const char *rest);

/*
 * getcwd builds its answer from the end of buf towards the start: put
 * "/" and name (len bytes) in front of buf[*start..]. 0, or -ERANGE when
 * it would not fit (then *start is unchanged).
 */
int path_prepend(char *buf, size_t *start, const char *name, size_t len);

#endif
