/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for FAT (kernel/fs/fat_disk.c and fat_vol.c): the
 * input is a whole volume image, reached through the in-memory stand-in
 * for the block cache (tests/unit/fat_host). It is mounted, every
 * directory is walked (explicit stack: a directory whose cluster loops
 * back is visited a bounded number of times) and every file read (at
 * most READ_CAP bytes each), then the volume is changed as a shell would
 * (create, write, mkdir, rename, truncate, unlink, sync). Damage must
 * end in an error or a read-only volume, never a crash, a read outside
 * the image or a hang.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fs/fat_vol.h"

#define MAX_DIRS  64
#define READ_CAP  (256u * 1024u)

static struct fat_entry ent;
static uint8_t buf[16384];

/* Read a file up to READ_CAP bytes. */
static void read_file(struct fat_vol *v, struct fat_node *n)
{
	uint64_t pos = 0;
	long r;

	while (pos < READ_CAP && (r = fat_file_read(v, n, pos, buf, sizeof(buf))) > 0)
		pos += (uint64_t)r;
}

/* Walk every directory from the root, reading every file. */
static void walk(struct fat_vol *v)
{
	struct fat_node stack[MAX_DIRS];
	unsigned top = 0, seen = 0;

	fat_root_node(v, &stack[top++]);
	while (top > 0 && seen++ < MAX_DIRS) {
		struct fat_node dir = stack[--top];
		uint64_t off = 0;
		while (fat_dir_next(v, &dir, &off, &ent) == 1) {
			struct fat_node n;
			fat_entry_node(v, &ent, &n);
			if (!n.is_dir)
				read_file(v, &n);
			else if (n.first && top < MAX_DIRS)
				stack[top++] = n;
		}
	}
}

/* Change the volume the way fat_vfs.c does. */
static void change(struct fat_vol *v)
{
	uint8_t tmpl[FAT_DIRENT_SIZE], blank[FAT_SHORT_LEN] = { 0 };
	struct fat_node root, n, d;
	uint32_t clus;
	static struct fat_entry old;

	fat_root_node(v, &root);
	fat_de_init(tmpl, blank, 0, FAT_ATTR_ARCH, 0, 0, 1700000000);
	if (fat_dir_find(v, &root, "A fuzzed long name.txt", 22, &ent) == -ENOENT &&
	    !fat_dir_add(v, &root, "A fuzzed long name.txt", 22, tmpl, &ent)) {
		fat_entry_node(v, &ent, &n);
		memset(buf, 'x', 3000);
		fat_file_write(v, &n, 0, buf, 3000);
		fat_file_write(v, &n, 5000, buf, 10);
		fat_node_update(v, &n, 1700000001);
		fat_file_truncate(v, &n, 100);
		fat_node_update(v, &n, -1);
		fat_node_set_attrs(v, &n, 1, 981173106, 981158400); /* chmod a-w, utimes */
	}
	if (!fat_dir_create(v, &root, 1700000000, &clus)) {
		fat_de_init(tmpl, blank, 0, FAT_ATTR_DIR, clus, 0, 1700000000);
		if (!fat_dir_add(v, &root, "fuzz dir", 8, tmpl, &ent)) {
			fat_entry_node(v, &ent, &d);
			if (!fat_dir_find(v, &root, "a fuzzed long name.TXT", 22, &old) &&
			    !fat_dir_add(v, &d, "moved.txt", 9, old.de, &ent))
				fat_dir_remove(v, &root, &old);
		}
	}
	uint64_t off = 0;
	if (fat_dir_next(v, &root, &off, &old) == 1 && !(old.de[FAT_DE_ATTR] & FAT_ATTR_DIR) &&
	    !fat_dir_remove(v, &root, &old)) {
		fat_entry_node(v, &old, &n);
		fat_node_free(v, &n);
	}
	fat_vol_free(v);
	fat_vol_sync(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct blkdev dev = { .name = "fuzz" };
	struct fat_vol v;

	dev.mem = malloc(size ? size : 1);
	if (!dev.mem)
		return 0;
	memcpy(dev.mem, data, size);
	dev.size = size;
	dev.nsect = size / SECTOR_SIZE;
	if (fat_vol_open(&v, &dev, false) == 0) {
		walk(&v);
		change(&v);
		walk(&v);
	}
	free(dev.mem);
	return 0;
}
