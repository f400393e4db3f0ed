// SPDX-License-Identifier: MIT
/* Kestrel: the text buffer /proc's files are generated into (see sbuf.h). */
#include <stdarg.h>
#include "fs/sbuf.h"
#include "lib/printf.h"
#include "lib/string.h"

void sb_printf(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;

	if (s->len + 1 >= s->cap)
		return;
	va_start(ap, fmt);
	int n = kvsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->len += (size_t)n < s->cap - s->len ? (size_t)n : s->cap - s->len - 1;
}

void sb_bytes(struct sbuf *s, const void *data, size_t n)
{
	if (n > s->cap - s->len)
		n = s->cap - s->len;
	memcpy(s->buf + s->len, data, n);
	s->len += n;
}
