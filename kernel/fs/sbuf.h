/* SPDX-License-Identifier: MIT */
/* A fixed-size text buffer that /proc's files are written into (procfs_show.c, procfs_cpus.c). */
#ifndef KESTREL_FS_SBUF_H
#define KESTREL_FS_SBUF_H

#include <stddef.h>

/* A fixed-size text buffer; output past cap is cut off. */
struct sbuf {
	char *buf;
	size_t cap, len;
};
void sb_printf(struct sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_bytes(struct sbuf *s, const void *data, size_t n);

#endif
