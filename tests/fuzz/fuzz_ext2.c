// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for ext2 (kernel/fs/ext2_*.c without the VFS glue):
 * the input is a whole disk image. Mount it, walk every directory from
 * the root (an explicit stack, a bounded number of inodes: a corrupt
 * image may loop), read every file and symlink, then, when it mounted
 * read-write, create, write, truncate and remove a file and a
 * directory. Any crash, sanitizer report or hang is a finding; -EIO is
 * the right answer to a corrupt image. The block cache is
 * tests/unit/ext2_host.h's image in memory (built with -include).
 */
#include "fs/ext2_core.h"
#include "lib/errno.h"

#define MAX_IMAGE   (4u << 20)
#define MAX_VISITS  256
#define READ_CAP    (64u * 1024)

struct walk {
	uint32_t stack[MAX_VISITS];
	int depth;
	int visits;
};

static bool push_entry(void *ctx, const char *name, size_t len, uint32_t ino, uint8_t ftype,
		       uint64_t next)
{
	struct walk *w = ctx;

	(void)name;
	(void)len;
	(void)ftype;
	(void)next;
	if (w->depth < MAX_VISITS && w->visits < MAX_VISITS) {
		w->stack[w->depth++] = ino;
		w->visits++;
	}
	return w->visits < MAX_VISITS;
}

/* Read one inode's contents whatever its type. */
static void read_inode(struct ext2_fs *fs, uint32_t ino, struct walk *w, uint8_t *buf)
{
	struct ext2_inode in;

	if (ext2_iread(fs, ino, &in))
		return;
	switch (in.i_mode & 0170000) {
	case 0040000: {
		uint64_t pos = 0;
		ext2_dir_iterate(fs, &in, &pos, push_entry, w);
		uint32_t found;
		uint8_t ft;
		ext2_dir_find(fs, &in, "lost+found", 10, &found, &ft);
		break;
	}
	case 0100000:
		ext2_read(fs, &in, 0, buf, READ_CAP);
		ext2_read(fs, &in, ext2_inode_size(&in) / 2, buf, 4096);
		break;
	case 0120000:
		ext2_readlink(fs, &in, (char *)buf, 4096);
		break;
	}
}

#define MANY_NAMES 120   /* long names: the root grows past a block, and gets a name index */

/* Names enough for ext2_dir.c's index (ext2_index.h), found, half removed, found again. */
static void many_names(struct ext2_fs *fs, struct ext2_inode *root, uint32_t ino)
{
	char name[64];
	uint32_t got;
	uint8_t ft;

	for (int i = 0; i < MANY_NAMES; i++) {
		int n = snprintf(name, sizeof(name), "a-long-name-to-fill-directory-blocks-%d", i);
		if (ext2_dir_find(fs, root, name, (size_t)n, &got, &ft) == -ENOENT &&
		    ext2_dir_add(fs, EXT2_ROOT_INO, root, name, (size_t)n, ino, EXT2_FT_REG_FILE))
			break;
	}
	for (int i = 0; i < MANY_NAMES; i++) {
		int n = snprintf(name, sizeof(name), "a-long-name-to-fill-directory-blocks-%d", i);
		if (ext2_dir_find(fs, root, name, (size_t)n, &got, &ft) == 0 && i % 2)
			ext2_dir_remove(fs, root, name, (size_t)n);
	}
	for (int i = 0; i < MANY_NAMES; i++) {
		int n = snprintf(name, sizeof(name), "a-long-name-to-fill-directory-blocks-%d", i);
		if (ext2_dir_find(fs, root, name, (size_t)n, &got, &ft) == 0)
			ext2_dir_remove(fs, root, name, (size_t)n);
	}
}

/* Changes a read-write mount makes: a file written and cut, a directory, removals. */
static void write_some(struct ext2_fs *fs, uint8_t *buf)
{
	struct ext2_inode root, in, sub;
	uint32_t ino, dino;

	if (ext2_iread(fs, EXT2_ROOT_INO, &root))
		return;
	memset(&in, 0, sizeof(in));
	in.i_mode = 0100644;
	in.i_links_count = 1;
	if (ext2_inode_alloc(fs, 0, false, &ino))
		return;
	memset(buf, 'x', 20000);
	ext2_write(fs, ino, &in, 5000, buf, 20000);
	ext2_write(fs, ino, &in, 300000, buf, 100);
	ext2_truncate(fs, ino, &in, 7000);
	ext2_iwrite(fs, ino, &in);
	if (ext2_dir_add(fs, EXT2_ROOT_INO, &root, "fuzzed", 6, ino, EXT2_FT_REG_FILE) == 0)
		ext2_dir_remove(fs, &root, "fuzzed", 6);
	many_names(fs, &root, ino);
	ext2_inode_release(fs, ino, &in, 1700000000);
	memset(&sub, 0, sizeof(sub));
	sub.i_mode = 040755;
	sub.i_links_count = 2;
	if (ext2_inode_alloc(fs, 0, true, &dino))
		return;
	if (ext2_dir_init(fs, dino, &sub, EXT2_ROOT_INO) == 0)
		ext2_dir_add(fs, dino, &sub, "inner", 5, EXT2_ROOT_INO, EXT2_FT_DIR);
	ext2_inode_release(fs, dino, &sub, 1700000000);
	ext2_iwrite(fs, EXT2_ROOT_INO, &root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[READ_CAP];
	struct blkdev d;
	struct ext2_fs fs;
	struct walk w = { .depth = 0 };
	const char *why;

	if (size < 2048 || size > MAX_IMAGE)
		return 0;
	memset(&d, 0, sizeof(d));
	d.nsect = size / SECTOR_SIZE;
	d.data = malloc(d.nsect * SECTOR_SIZE);
	memcpy(d.data, data, d.nsect * SECTOR_SIZE);
	if (ext2_fs_load(&d, false, &fs, &why) == 0) {
		w.stack[w.depth++] = EXT2_ROOT_INO;
		while (w.depth > 0)
			read_inode(&fs, w.stack[--w.depth], &w, buf);
		if (!fs.read_only)
			write_some(&fs, buf);
		ext2_fs_free(&fs);
	}
	free(d.data);
	return 0;
}
