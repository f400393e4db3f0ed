// SPDX-License-Identifier: MIT
/*
 * Kestrel: path-name splitting. The walk itself (fs/namei.c) needs the
 * inodes; everything that only looks at the characters lives here so the
 * host tests can hammer it (tests/unit/test_path.c).
 */
#include "fs/path.h"
#include "lib/errno.h"

long path_next(const char **p, const char **name)
{
	const char *s = *p;
	size_t len = 0;

	while (*s == '/')
		s++;
	*name = s;
	while (s[len] && s[len] != '/')
		len++;
	*p = s + len;
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
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
