// SPDX-License-Identifier: MIT
/*
 * Kestrel: the text a program writes to a /proc/sys file, read as Linux
 * reads it (kernel/sysctl.c's proc_get_long, __do_proc_dointvec,
 * do_proc_douintvec and proc_dostring in the default strict mode). Pure:
 * no locks, no allocation, no user memory; the callers copy in first.
 */
#include "fs/sysctl_parse.h"
#include "lib/errno.h"

#define INT_MAX_V  2147483647ll
#define UINT_MAX_V 4294967295ll
#define DIGITS_MAX 21   /* Linux's TMPBUFLEN - 1: a longer number is -EINVAL */

/* Linux's isspace, which proc_skip_spaces uses. */
static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* proc_get_long's separators after a number: proc_wspace_sep. */
static bool is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

static size_t skip_spaces(const char *t, size_t i, size_t len)
{
	while (i < len && is_space(t[i]))
		i++;
	return i;
}

/* One number at t[*i..len): 0 with *out and *i past it, or -EINVAL. */
static int parse_one(const char *t, size_t *i, size_t len, enum sysctl_kind kind, int64_t *out)
{
	size_t p = *i, digits = 0;
	bool neg = false;
	uint64_t v = 0;

	if (t[p] == '-' && len - p > 1) {
		neg = true;
		p++;
	}
	for (; p < len && t[p] >= '0' && t[p] <= '9'; p++, digits++) {
		uint64_t d = (uint64_t)(t[p] - '0');
		if (digits >= DIGITS_MAX || v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	if (!digits || (p < len && !is_sep(t[p])))
		return -EINVAL;
	if (neg && (kind != SYSCTL_INT || v > (uint64_t)INT_MAX_V + 1))
		return -EINVAL;
	if (!neg && kind != SYSCTL_ULONG && v > (uint64_t)(kind == SYSCTL_UINT ? UINT_MAX_V : INT_MAX_V))
		return -EINVAL;
	*out = neg ? -(int64_t)v : (int64_t)v;
	*i = p;
	return 0;
}

long sysctl_parse_ints(const char *text, size_t len, enum sysctl_kind kind, int64_t *v, unsigned max,
		       unsigned *count)
{
	size_t i = 0;
	unsigned n = 0;

	while (n < max) {
		i = skip_spaces(text, i, len);
		if (i == len)
			break;
		if (parse_one(text, &i, len, kind, &v[n]))
			return -EINVAL;
		n++;
	}
	if (!n)
		return -EINVAL;
	i = skip_spaces(text, i, len);
	*count = n;
	return (long)i;
}

void sysctl_string_write(char *buf, size_t cap, uint64_t pos, const char *text, size_t len)
{
	size_t have = 0, at;

	while (have < cap - 1 && buf[have])
		have++;
	if (pos > have)
		return;
	at = (size_t)pos;
	for (size_t i = 0; i < len && at < cap - 1; i++) {
		if (text[i] == 0 || text[i] == '\n')
			break;
		buf[at++] = text[i];
	}
	buf[at] = 0;
}
