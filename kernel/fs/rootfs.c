// SPDX-License-Identifier: MIT
/* Kestrel: the rootfs cpio archive the loader handed over. */
#include "fs/rootfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "log.h"

#define S_IFMT   0170000
#define S_IFREG  0100000
#define S_IFLNK  0120000
#define SYMLINK_HOPS 8
#define PATH_MAX_LEN 256

static const void *archive;
static size_t archive_size;

void rootfs_init(const struct kbi_boot_info *bi)
{
	struct cpio_iter it;
	struct cpio_entry e;
	unsigned n = 0;

	archive = bi->rootfs_size ? phys_to_virt(bi->rootfs) : NULL;
	archive_size = bi->rootfs_size;
	cpio_iter_init(&it, archive, archive_size);
	while (cpio_next(&it, &e))
		n++;
	if (it.error)
		klog(LOG_ERR, "rootfs: bad archive after %u entries: %s (at '%s'); using what was read\n",
		     n, it.error, it.error_name);
	klog(LOG_INFO, "rootfs: %u entries in %zu KiB\n", n, archive_size / 1024);
}

/* Resolve a relative symlink target against the link's directory. */
static void link_target(char *out, const char *link, size_t link_len, const struct cpio_entry *e)
{
	size_t n = 0;

	if (((const char *)e->data)[0] != '/') {
		size_t dir = link_len;
		while (dir > 0 && link[dir - 1] != '/')
			dir--;
		n = dir < PATH_MAX_LEN - 1 ? dir : PATH_MAX_LEN - 1;
		memcpy(out, link, n);
	}
	size_t t = e->size < PATH_MAX_LEN - 1 - n ? e->size : PATH_MAX_LEN - 1 - n;
	memcpy(out + n, e->data, t);
	out[n + t] = '\0';
}

int rootfs_lookup(const char *path, const void **data, size_t *size)
{
	char buf[2][PATH_MAX_LEN];
	struct cpio_entry e;

	for (int hop = 0; hop < SYMLINK_HOPS; hop++) {
		if (cpio_find(archive, archive_size, path, &e) != 0)
			return -ENOENT;
		if ((e.mode & S_IFMT) == S_IFREG) {
			*data = e.data;
			*size = e.size;
			return 0;
		}
		if ((e.mode & S_IFMT) != S_IFLNK)
			return -ENOENT;
		link_target(buf[hop & 1], path, strlen(path), &e);
		path = buf[hop & 1];
	}
	return -ELOOP;
}
