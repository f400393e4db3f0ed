// SPDX-License-Identifier: MIT
/*
 * Kestrel: path-name splitting. The walk itself (fs/namei.c) needs the
 * inodes; everything that only looks at the characters lives here so the
 * host tests can hammer it (tests/unit/test_path.c).
 */
#include "fs/path.h"
#include "lib/word.h"
#include "lib/errno.h"

/*
 * The length of the component at s: the bytes before its first '/' or
 * NUL, 8 at a time (a path's components are scanned at every lookup: a
 * byte loop cost seven instructions a byte). Near a page's end it reads
 * bytes, so it never touches the page after the NUL's.
 */
static size_t component_len(const char *s)
{
	for (size_t len = 0;; len += WORD_BYTES) {
		const char *q = s + len;
		if (!word_in_page(q)) {
			for (size_t k = 0; k < WORD_BYTES; k++)
				if (!q[k] || q[k] == '/')
					return len + k;
			continue;
		}
		uint64_t v = word_load(q);
		uint64_t stop = word_zero_bytes(v) | word_bytes_equal(v, '/');
		if (stop)
			return len + word_first_flagged(stop);
	}
}

long path_next(const char **p, const char **name)
{
	const char *s = *p;

	while (*s == '/')
		s++;
	*name = s;
	size_t len = component_len(s);
	*p = s + len;
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	return (long)len;
}

long path_next_name_long(const char *s, struct path_name *n)
{
	size_t len = component_len(s);

	if (len > NAME_MAX) {
		n->hash_len = len;
		return -ENAMETOOLONG;
	}
	path_name_of(s, len, n);
	return (long)len;
}

int path_splice(char *out, size_t cap, const char *target, size_t tlen, const char *rest)
{
	/* rest is what followed the link's name: "", or a '/' and more. Only
	 * slashes shrink to one: it still means "this must be a directory". */
	const char *tail = path_only_slashes(rest) ? (rest[0] ? "/" : "") : rest;
	size_t rlen = 0;

	while (tail[rlen])
		rlen++;
	if (tlen + rlen + 1 > cap)
		return -ENAMETOOLONG;
	for (size_t i = 0; i < tlen; i++)
		out[i] = target[i];
	for (size_t i = 0; i <= rlen; i++)
		out[tlen + i] = tail[i];
	return 0;
}

int path_prepend(char *buf, size_t *start, const char *name, size_t len)
{
	if (*start < len + 1)
		return -ERANGE;
	size_t s = *start - len - 1;
	buf[s] = '/';
	for (size_t i = 0; i < len; i++)
		buf[s + 1 + i] = name[i];
	*start = s;
	return 0;
}
