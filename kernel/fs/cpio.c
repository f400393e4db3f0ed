// SPDX-License-Identifier: MIT
/*
 * Kestrel: cpio newc parsing. Each header is 110 ASCII bytes: the magic
 * "070701" and thirteen 8-digit hex fields; the name (namesize bytes,
 * NUL included) follows, padded to 4 bytes, then the data, padded to 4.
 * Every field is validated against the archive's bounds before use.
 */
#include "fs/cpio.h"
#include "lib/hex.h"

#define CPIO_HDR_LEN   110
#define CPIO_FIELDS    13
#define CPIO_NAME_MAX  4096
#define CPIO_TRAILER   "TRAILER!!!"

enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJ, F_DEVMIN,
       F_RDEVMAJ, F_RDEVMIN, F_NAMESIZE, F_CHECK };

static size_t align4(size_t v)
{
	return (v + 3) & ~(size_t)3;
}

static bool hex8(const uint8_t *p, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 8; i++) {
		int d = hex_digit(p[i]);
		if (d < 0)
			return false;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return true;
}

void cpio_iter_init(struct cpio_iter *it, const void *archive, size_t size)
{
	it->base = archive;
	it->size = size;
	it->off = 0;
	it->error = NULL;
	it->error_name[0] = '\0';
}

static bool fail(struct cpio_iter *it, const char *why, const char *name, size_t len)
{
	size_t i;

	it->error = why;
	for (i = 0; name && i < len && i < sizeof(it->error_name) - 1 && name[i]; i++)
		it->error_name[i] = name[i];
	it->error_name[i] = '\0';
	return false;
}

static void strip_prefix(struct cpio_entry *e)
{
	while (e->name_len >= 2 && e->name[0] == '.' && e->name[1] == '/')
		e->name += 2, e->name_len -= 2;
	while (e->name_len >= 1 && e->name[0] == '/')
		e->name++, e->name_len--;
}

bool cpio_next(struct cpio_iter *it, struct cpio_entry *e)
{
	uint32_t f[CPIO_FIELDS];
	const uint8_t *h = it->base + it->off;

	if (it->off >= it->size)
		return false; /* end without a trailer: accept what was read */
	if (it->size - it->off < CPIO_HDR_LEN)
		return fail(it, "truncated header", NULL, 0);
	if (h[0] != '0' || h[1] != '7' || h[2] != '0' || h[3] != '7' || h[4] != '0' || h[5] != '1')
		return fail(it, "bad magic (not newc)", NULL, 0);
	for (int i = 0; i < CPIO_FIELDS; i++)
		if (!hex8(h + 6 + 8 * i, &f[i]))
			return fail(it, "non-hex header field", NULL, 0);
	size_t name_off = it->off + CPIO_HDR_LEN;
	if (f[F_NAMESIZE] == 0 || f[F_NAMESIZE] > CPIO_NAME_MAX || f[F_NAMESIZE] > it->size - name_off)
		return fail(it, "bad name size", NULL, 0);
	const char *name = (const char *)it->base + name_off;
	if (name[f[F_NAMESIZE] - 1] != '\0')
		return fail(it, "name not NUL-terminated", name, f[F_NAMESIZE]);
	size_t data_off = align4(name_off + f[F_NAMESIZE]);
	if (data_off > it->size || f[F_FILESIZE] > it->size - data_off)
		return fail(it, "file data runs past the end of the archive", name, f[F_NAMESIZE]);
	it->off = align4(data_off + f[F_FILESIZE]);
	e->name = name;
	e->name_len = f[F_NAMESIZE] - 1;
	if (e->name_len == sizeof(CPIO_TRAILER) - 1) {
		bool trailer = true;
		for (size_t i = 0; i < e->name_len; i++)
			trailer &= name[i] == CPIO_TRAILER[i];
		if (trailer)
			return false;
	}
	e->data = it->base + data_off;
	e->size = f[F_FILESIZE];
	e->mode = f[F_MODE];
	e->uid = f[F_UID];
	e->gid = f[F_GID];
	e->nlink = f[F_NLINK];
	e->mtime = f[F_MTIME];
	e->ino = f[F_INO];
	e->rdev_major = f[F_RDEVMAJ];
	e->rdev_minor = f[F_RDEVMIN];
	strip_prefix(e);
	return true;
}

int cpio_find(const void *archive, size_t size, const char *path, struct cpio_entry *e)
{
	struct cpio_iter it;
	size_t len = 0;

	while (*path == '/')
		path++;
	while (path[len])
		len++;
	cpio_iter_init(&it, archive, size);
	while (cpio_next(&it, e)) {
		if (e->name_len != len)
			continue;
		size_t i = 0;
		while (i < len && e->name[i] == path[i])
			i++;
		if (i == len)
			return 0;
	}
	return -1;
}
