/* SPDX-License-Identifier: MIT */
/* Reading a cpio "newc" archive (the rootfs) in place: pure C, host-testable. */
#ifndef KESTREL_FS_CPIO_H
#define KESTREL_FS_CPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpio_entry {
	const char *name;     /* NUL-terminated, inside the archive, no leading "./" or "/" */
	size_t name_len;
	const void *data;     /* file contents (symlink target for links) */
	uint64_t size;
	uint32_t mode;        /* st_mode: type and permission bits */
	uint32_t uid, gid, nlink, mtime, ino;
	uint32_t rdev_major, rdev_minor;  /* device nodes */
};

struct cpio_iter {
	const uint8_t *base;
	size_t size, off;
	const char *error;    /* set when iteration stopped on a bad header */
	char error_name[64];  /* the entry name the error concerns, if known */
};

void cpio_iter_init(struct cpio_iter *it, const void *archive, size_t size);
/* The next entry; false at the "TRAILER!!!" entry, at the end of the
 * archive, or on a malformed header (then it->error says what, and the
 * entries already returned are still good). */
bool cpio_next(struct cpio_iter *it, struct cpio_entry *e);
/* Find path (with or without a leading '/'): 0, or -1 if absent or the
 * archive is malformed before it. */
int cpio_find(const void *archive, size_t size, const char *path, struct cpio_entry *e);

#endif
