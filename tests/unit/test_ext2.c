// SPDX-License-Identifier: MIT
/*
 * Host tests of ext2's on-disk checks (kernel/fs/ext2_disk.c) and of its
 * engine (ext2_core.c, ext2_alloc.c, ext2_dir.c) over images made here
 * with Debian's mke2fs -d (1 KiB and 4 KiB blocks, revision 0 and 1):
 * reading what mke2fs wrote, then writing, and e2fsck -fn and debugfs
 * judging the result. Built with -include ext2_host.h (the block cache
 * is the image in memory). Tests needing mke2fs say SKIP without it.
 */
#include "unit.h"
#include "fs/ext2_core.h"
#include "lib/errno.h"
#include <sys/stat.h>
#include <unistd.h>

#define IMG_MIB   16
/* An int call that must return 0. */
#define CHECK_Z(expr) CHECK_EQ((expr), 0)
#define BIG_BYTES (1024 * 1024 + 333)   /* through the double-indirect blocks at 1 KiB */

static char dir_tmpl[] = "/tmp/kestrel-ext2-XXXXXX";
static const char *work;

static uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 131 + (i >> 9));
}

static int sh(const char *fmt, const char *a, const char *b)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), fmt, a, b);
	return system(cmd);
}

/* The tree mke2fs copies: a file, a big file, links, a directory. */
static int make_tree(void)
{
	char p[512];
	if (!work && !(work = mkdtemp(dir_tmpl)))
		return -1;
	snprintf(p, sizeof(p), "%s/tree", work);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/tree/sub", work);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/tree/hello.txt", work);
	FILE *f = fopen(p, "w");
	if (!f)
		return -1;
	fputs("hello, ext2\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/tree/sub/big", work);
	if (!(f = fopen(p, "w")))
		return -1;
	for (uint64_t i = 0; i < BIG_BYTES; i++)
		fputc(pattern(i), f);
	fclose(f);
	if (sh("ln -sf hello.txt %s/tree/fast && ln -sf sub/../sub/../sub/../sub/../sub/../sub/../sub/../sub/../sub/big "
	       "%s/tree/slow", work, work) != 0)
		return -1;
	return 0;
}

/* An image of the tree made by mke2fs with opts, in memory. */
static int make_image(const char *opts, struct blkdev *d)
{
	char img[128], cmd[1024];
	snprintf(img, sizeof(img), "%s/img", work);
	snprintf(cmd, sizeof(cmd), "rm -f %s && mke2fs -q -F -t ext2 %s -d %s/tree %s %dM >/dev/null 2>&1",
		 img, opts, work, img, IMG_MIB);
	if (system(cmd) != 0)
		return -1;
	memset(d, 0, sizeof(*d));
	strcpy(d->name, "img");
	d->nsect = (uint64_t)IMG_MIB * 1024 * 1024 / SECTOR_SIZE;
	d->data = malloc(d->nsect * SECTOR_SIZE);
	FILE *f = fopen(img, "rb");
	if (!d->data || !f || fread(d->data, 1, d->nsect * SECTOR_SIZE, f) != d->nsect * SECTOR_SIZE)
		return -1;
	fclose(f);
	return 0;
}

/* Write the image back and run cmd (with %s the image path) over it. */
static int check_image(struct blkdev *d, const char *cmd)
{
	char img[128];
	snprintf(img, sizeof(img), "%s/img", work);
	FILE *f = fopen(img, "wb");
	if (!f || fwrite(d->data, 1, d->nsect * SECTOR_SIZE, f) != d->nsect * SECTOR_SIZE)
		return -1;
	fclose(f);
	return sh(cmd, img, "");
}

static bool have_mke2fs(void)
{
	return system("command -v mke2fs >/dev/null && command -v e2fsck >/dev/null") == 0 &&
	       (work || make_tree() == 0);
}

/* ---------------------------------------------------------------- pure parts */

static struct ext2_super good_sb(void)
{
	struct ext2_super sb;
	memset(&sb, 0, sizeof(sb));
	sb.s_magic = EXT2_SUPER_MAGIC;
	sb.s_rev_level = EXT2_DYNAMIC_REV;
	sb.s_log_block_size = 2;
	sb.s_blocks_count = 2048;
	sb.s_blocks_per_group = 32768;
	sb.s_inodes_per_group = 512;
	sb.s_inodes_count = 512;
	sb.s_inode_size = 256;
	sb.s_first_ino = 11;
	sb.s_state = EXT2_VALID_FS;
	sb.s_feature_incompat = EXT2_FEATURE_INCOMPAT_FILETYPE;
	sb.s_feature_ro_compat = EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
	return sb;
}

UNIT_TEST(sb_verdicts)
{
	struct ext2_geom g;
	const char *why;
	struct ext2_super sb = good_sb();
	uint64_t dev = 8u << 20;

	CHECK_EQ(ext2_sb_parse(&sb, dev, &g, &why), EXT2_SB_OK);
	CHECK_EQ(g.block_size, 4096);
	CHECK_EQ(g.groups, 1);
	CHECK_EQ(g.itable_blocks, 32);
	CHECK(g.filetype && g.sparse_super && g.large_file);
	CHECK_EQ(ext2_sb_parse(&sb, 4096, &g, &why), EXT2_SB_BAD); /* device too small */
	sb.s_feature_incompat |= EXT3_FEATURE_INCOMPAT_RECOVER;
	CHECK_EQ(ext2_sb_parse(&sb, dev, &g, &why), EXT2_SB_BAD);
	CHECK(strstr(why, "recovery"));
	sb = good_sb();
	sb.s_feature_incompat |= 0x40; /* extents */
	CHECK_EQ(ext2_sb_parse(&sb, dev, &g, &why), EXT2_SB_BAD);
	sb = good_sb();
	sb.s_feature_ro_compat |= 0x400; /* metadata_csum */
	CHECK_EQ(ext2_sb_parse(&sb, dev, &g, &why), EXT2_SB_RO);
	sb = good_sb();
	sb.s_state |= EXT2_ERROR_FS;
	CHECK_EQ(ext2_sb_parse(&sb, dev, &g, &why), EXT2_SB_RO);
	sb = good_sb();
	sb.s_magic = 0x1234;
	CHECK_EQ(ext2_sb_parse(&sb, dev, &g, &why), EXT2_SB_BAD);
	sb = good_sb();
	sb.s_log_block_size = 3;
	CHECK_EQ(ext2_sb_parse(&sb, dev, &g, &why), EXT2_SB_BAD);
	sb = good_sb();
	sb.s_inodes_count = 513;
	CHECK_EQ(ext2_sb_parse(&sb, dev, &g, &why), EXT2_SB_BAD);
	sb = good_sb();
	sb.s_inode_size = 100;
	CHECK_EQ(ext2_sb_parse(&sb, dev, &g, &why), EXT2_SB_BAD);
	sb = good_sb();
	sb.s_rev_level = EXT2_GOOD_OLD_REV;
	sb.s_feature_incompat = 0x40; /* ignored in revision 0 */
	CHECK_EQ(ext2_sb_parse(&sb, dev, &g, &why), EXT2_SB_OK);
	CHECK_EQ(g.inode_size, 128);
	CHECK(!g.filetype);
	return NULL;
}

UNIT_TEST(bmap_arithmetic)
{
	uint32_t idx[4];

	CHECK_EQ(ext2_bmap_path(256, 0, idx), 1);
	CHECK_EQ(ext2_bmap_path(256, 11, idx), 1);
	CHECK_EQ(idx[0], 11);
	CHECK_EQ(ext2_bmap_path(256, 12, idx), 2);
	CHECK_EQ(idx[0], EXT2_IND_BLOCK);
	CHECK_EQ(idx[1], 0);
	CHECK_EQ(ext2_bmap_path(256, 12 + 256, idx), 3);
	CHECK_EQ(idx[1], 0);
	CHECK_EQ(idx[2], 0);
	CHECK_EQ(ext2_bmap_path(256, 12 + 256 + 256 * 256 - 1, idx), 3);
	CHECK_EQ(idx[1], 255);
	CHECK_EQ(idx[2], 255);
	CHECK_EQ(ext2_bmap_path(256, 12 + 256 + 65536, idx), 4);
	CHECK_EQ(idx[0], EXT2_TIND_BLOCK);
	CHECK_EQ(idx[1] | idx[2] | idx[3], 0);
	CHECK_EQ(ext2_bmap_path(256, ext2_max_blocks(256) - 1, idx), 4);
	CHECK_EQ(idx[1], 255);
	CHECK_EQ(idx[3], 255);
	CHECK_EQ(ext2_bmap_path(256, ext2_max_blocks(256), idx), 0);
	CHECK_EQ(ext2_bmap_path(1024, ext2_max_blocks(1024), idx), 0);
	return NULL;
}

UNIT_TEST(dirent_rules)
{
	uint8_t blk[1024];
	const char *why;
	struct ext2_dirent *d = (struct ext2_dirent *)blk;

	memset(blk, 0, sizeof(blk));
	d->inode = 12;
	d->rec_len = 1024;
	d->name_len = 3;
	memcpy(d->name, "abc", 3);
	CHECK(ext2_dirent_at(blk, 0, 1024, 100, &why));
	d->rec_len = 8;
	CHECK(!ext2_dirent_at(blk, 0, 1024, 100, &why));
	d->rec_len = 1026;
	CHECK(!ext2_dirent_at(blk, 0, 1024, 100, &why));
	d->rec_len = 14;
	CHECK(!ext2_dirent_at(blk, 0, 1024, 100, &why)); /* not a multiple of 4 */
	d->rec_len = 2048;
	CHECK(!ext2_dirent_at(blk, 0, 1024, 100, &why));
	d->rec_len = 12;
	d->name_len = 9; /* needs 20 */
	CHECK(!ext2_dirent_at(blk, 0, 1024, 100, &why));
	d->name_len = 3;
	d->inode = 101;
	CHECK(!ext2_dirent_at(blk, 0, 1024, 100, &why));
	CHECK(!ext2_dirent_at(blk, 1020, 1024, 100, &why)); /* header past the end */
	return NULL;
}

UNIT_TEST(sparse_groups)
{
	struct ext2_geom g = { .sparse_super = true };
	const uint32_t with[] = { 0, 1, 3, 5, 7, 9, 25, 27, 49, 125, 343 };
	const uint32_t without[] = { 2, 4, 6, 8, 10, 11, 15, 21, 26, 45 };

	for (size_t i = 0; i < sizeof(with) / sizeof(with[0]); i++)
		CHECK(ext2_group_has_super(&g, with[i]));
	for (size_t i = 0; i < sizeof(without) / sizeof(without[0]); i++)
		CHECK(!ext2_group_has_super(&g, without[i]));
	g.sparse_super = false;
	CHECK(ext2_group_has_super(&g, 6));
	return NULL;
}

/* ---------------------------------------------------------------- the engine on mke2fs images */

/* Walk path from the root: its inode number, or 0. */
static uint32_t walk(struct ext2_fs *fs, const char *path)
{
	uint32_t ino = EXT2_ROOT_INO;
	while (*path) {
		while (*path == '/')
			path++;
		size_t n = strcspn(path, "/");
		struct ext2_inode in;
		uint8_t ft;
		if (!n)
			break;
		if (ext2_iread(fs, ino, &in) || ext2_dir_find(fs, &in, path, n, &ino, &ft))
			return 0;
		path += n;
	}
	return ino;
}

/* Read all of path's file and compare with the pattern. */
static const char *check_big(struct ext2_fs *fs, const char *path, uint64_t size)
{
	struct ext2_inode in;
	uint32_t ino = walk(fs, path);
	CHECK(ino);
	CHECK_Z(ext2_iread(fs, ino, &in));
	CHECK_EQ(ext2_inode_size(&in), size);
	uint8_t *buf = malloc(size + 10);
	CHECK(buf);
	CHECK_EQ(ext2_read(fs, &in, 0, buf, size + 10), size);
	for (uint64_t i = 0; i < size; i++)
		if (buf[i] != pattern(i)) {
			free(buf);
			return "big file content differs";
		}
	free(buf);
	return NULL;
}

/* What mke2fs wrote reads back: a small file, a big one, both symlinks. */
static const char *read_side(const char *opts)
{
	struct blkdev d;
	struct ext2_fs fs;
	struct ext2_inode in;
	const char *why;
	char buf[256];

	CHECK_Z(make_image(opts, &d));
	CHECK_Z(ext2_fs_load(&d, false, &fs, &why));
	CHECK(!fs.read_only);
	uint32_t ino = walk(&fs, "/hello.txt");
	CHECK(ino);
	CHECK_Z(ext2_iread(&fs, ino, &in));
	CHECK_EQ(ext2_read(&fs, &in, 0, buf, sizeof(buf)), 12);
	CHECK(!memcmp(buf, "hello, ext2\n", 12));
	const char *err = check_big(&fs, "/sub/big", BIG_BYTES);
	if (err)
		return err;
	CHECK_Z(ext2_iread(&fs, walk(&fs, "/fast"), &in));
	CHECK_EQ(ext2_readlink(&fs, &in, buf, sizeof(buf)), 9);
	CHECK(!memcmp(buf, "hello.txt", 9));
	CHECK_Z(ext2_iread(&fs, walk(&fs, "/slow"), &in));
	int n = ext2_readlink(&fs, &in, buf, sizeof(buf));
	CHECK(n > EXT2_FAST_LINK_MAX);
	CHECK(!ext2_inode_fast_symlink(&in, fs.g.block_size));
	ext2_fs_free(&fs);
	free(d.data);
	return NULL;
}

UNIT_TEST(read_4k)
{
	if (!have_mke2fs())
		return NULL;
	return read_side("-b 4096");
}

UNIT_TEST(read_1k)
{
	if (!have_mke2fs())
		return NULL;
	return read_side("-b 1024");
}

UNIT_TEST(read_rev0)
{
	if (!have_mke2fs())
		return NULL;
	return read_side("-b 1024 -r 0");
}

/* A new entry in directory dino: a file (writing size bytes of the pattern) or a directory. */
static const char *create(struct ext2_fs *fs, uint32_t dino, const char *name, bool dir, uint64_t size,
			  uint32_t *out)
{
	struct ext2_inode din, in;
	uint32_t ino;

	memset(&in, 0, sizeof(in));
	in.i_mode = dir ? 040755 : 0100644;
	in.i_links_count = dir ? 2 : 1;
	CHECK_Z(ext2_iread(fs, dino, &din));
	CHECK_Z(ext2_inode_alloc(fs, ext2_ino_group(fs, dino), dir, &ino));
	if (dir) {
		CHECK_Z(ext2_dir_init(fs, ino, &in, dino));
		din.i_links_count++;
	}
	uint8_t *buf = malloc(size + 1);
	CHECK(buf);
	for (uint64_t i = 0; i < size; i++)
		buf[i] = pattern(i);
	/* in pieces, as write(2) calls come */
	for (uint64_t off = 0; off < size; off += 70000)
		CHECK_EQ(ext2_write(fs, ino, &in, off, buf + off, size - off < 70000 ? size - off : 70000),
			 size - off < 70000 ? size - off : 70000);
	free(buf);
	CHECK_Z(ext2_iwrite(fs, ino, &in));
	CHECK_Z(ext2_dir_add(fs, dino, &din, name, strlen(name), ino,
			      dir ? EXT2_FT_DIR : EXT2_FT_REG_FILE));
	CHECK_Z(ext2_iwrite(fs, dino, &din));
	*out = ino;
	return NULL;
}

/* Remove name (a file) from directory dino and free it. */
static const char *remove_file(struct ext2_fs *fs, uint32_t dino, const char *name)
{
	struct ext2_inode din, in;
	uint32_t ino = walk(fs, name);
	const char *slash = strrchr(name, '/');

	CHECK(ino);
	CHECK_Z(ext2_iread(fs, dino, &din));
	CHECK_Z(ext2_dir_remove(fs, &din, slash + 1, strlen(slash + 1)));
	CHECK_Z(ext2_iwrite(fs, dino, &din));
	CHECK_Z(ext2_iread(fs, ino, &in));
	CHECK_Z(ext2_inode_release(fs, ino, &in, 1700000000));
	CHECK(!walk(fs, name));
	return NULL;
}

/* Write, then let e2fsck and debugfs judge. */
static const char *write_side(const char *opts)
{
	struct blkdev d;
	struct ext2_fs fs;
	const char *why, *err;
	uint32_t ino, sub, many;
	char name[64];

	CHECK_Z(make_image(opts, &d));
	CHECK_Z(ext2_fs_load(&d, false, &fs, &why));
	uint32_t free0 = fs.sb.s_free_blocks_count, blk;
	/* the blocks kept for root: refused without use_reserved */
	uint32_t r = fs.sb.s_r_blocks_count;
	fs.sb.s_r_blocks_count = free0;
	CHECK_EQ(ext2_block_alloc(&fs, 0, &blk), (uint64_t)-ENOSPC);
	fs.sb.s_r_blocks_count = r;
	fs.use_reserved = true;
	if ((err = create(&fs, EXT2_ROOT_INO, "new", false, 3 * 1024 * 1024 + 5, &ino)))
		return err;
	if ((err = check_big(&fs, "/new", 3 * 1024 * 1024 + 5)))
		return err;
	if ((err = create(&fs, EXT2_ROOT_INO, "newdir", true, 0, &sub)))
		return err;
	if ((err = create(&fs, sub, "many", true, 0, &many)))
		return err;
	for (int i = 0; i < 150; i++) { /* the directory grows past one block */
		snprintf(name, sizeof(name), "a-rather-long-file-name-number-%d", i);
		if ((err = create(&fs, many, name, false, (uint64_t)i * 100, &ino)))
			return err;
	}
	for (int i = 0; i < 150; i += 2) {
		snprintf(name, sizeof(name), "/newdir/many/a-rather-long-file-name-number-%d", i);
		if ((err = remove_file(&fs, many, name)))
			return err;
	}
	/* truncate the big file to 100000 bytes and grow it back as a hole */
	struct ext2_inode in;
	uint32_t big = walk(&fs, "/sub/big");
	CHECK_Z(ext2_iread(&fs, big, &in));
	CHECK_Z(ext2_truncate(&fs, big, &in, 100000));
	CHECK_Z(ext2_truncate(&fs, big, &in, 200000));
	CHECK_Z(ext2_iwrite(&fs, big, &in));
	uint8_t buf[16];
	CHECK_EQ(ext2_read(&fs, &in, 99998, buf, 4), 4);
	CHECK(buf[0] == pattern(99998) && buf[1] == pattern(99999) && buf[2] == 0 && buf[3] == 0);
	/* a sparse file reaching the triple-indirect blocks, read back, cut, written again */
	uint64_t far = fs.g.block_size == 1024 ? 80ull << 20 : 5ull << 30;
	uint32_t sparse;
	if ((err = create(&fs, EXT2_ROOT_INO, "sparse", false, 0, &sparse)))
		return err;
	struct ext2_inode sp;
	uint32_t idx[4];
	CHECK_EQ(ext2_bmap_path(fs.g.ptrs, far / fs.g.block_size, idx), 4);
	CHECK_Z(ext2_iread(&fs, sparse, &sp));
	CHECK_EQ(ext2_write(&fs, sparse, &sp, far, "triple", 6), 6);
	CHECK_EQ(ext2_write(&fs, sparse, &sp, 5000, "near", 4), 4);
	char got[8] = { 0 };
	CHECK_EQ(ext2_read(&fs, &sp, far - 2, got, 8), 8);
	CHECK(!memcmp(got, "\0\0triple", 8));
	CHECK_EQ(ext2_inode_size(&sp), far + 6);
	CHECK_Z(ext2_truncate(&fs, sparse, &sp, 6000));
	CHECK_EQ(ext2_write(&fs, sparse, &sp, far / 2, "mid", 3), 3);
	CHECK_Z(ext2_iwrite(&fs, sparse, &sp));
	uint32_t free1 = fs.sb.s_free_blocks_count;
	CHECK(free1 < free0);
	if ((err = remove_file(&fs, EXT2_ROOT_INO, "/new")))
		return err;
	CHECK(fs.sb.s_free_blocks_count >= free1 + 3 * 1024 * 1024 / fs.g.block_size);
	ext2_fs_free(&fs);
	CHECK_EQ(check_image(&d, getenv("EXT2_HOST_VERBOSE") ? "e2fsck -fn %s" : "e2fsck -fn %s >/dev/null 2>&1"), 0);
	CHECK_EQ(check_image(&d, "debugfs -R 'cat /newdir/many/a-rather-long-file-name-number-7' %s 2>/dev/null | cmp -s - /dev/null; test $? = 1"), 0);
	free(d.data);
	return NULL;
}

UNIT_TEST(write_4k)
{
	if (!have_mke2fs())
		return NULL;
	return write_side("-b 4096");
}

UNIT_TEST(write_1k)
{
	if (!have_mke2fs())
		return NULL;
	return write_side("-b 1024");
}

UNIT_TEST(write_2k)
{
	if (!have_mke2fs())
		return NULL;
	return write_side("-b 2048");
}

UNIT_TEST(write_rev0)
{
	if (!have_mke2fs())
		return NULL;
	return write_side("-b 1024 -r 0");
}

/* A corrupt image is refused or fails with -EIO, never crashes. */
UNIT_TEST(corrupt_images)
{
	struct blkdev d;
	struct ext2_fs fs;
	const char *why;

	if (!have_mke2fs())
		return NULL;
	CHECK_Z(make_image("-b 1024", &d));
	struct ext2_super *sb = (struct ext2_super *)(d.data + 1024);
	sb->s_feature_incompat |= EXT3_FEATURE_INCOMPAT_RECOVER;
	CHECK_EQ(ext2_fs_load(&d, false, &fs, &why), (uint64_t)-EINVAL);
	sb->s_feature_incompat &= ~EXT3_FEATURE_INCOMPAT_RECOVER;
	struct ext2_gd *gd = (struct ext2_gd *)(d.data + 2048);
	uint32_t save = gd->bg_inode_table;
	gd->bg_inode_table = 0xfffffff0;
	CHECK_EQ(ext2_fs_load(&d, false, &fs, &why), (uint64_t)-EINVAL);
	gd->bg_inode_table = save;
	CHECK_Z(ext2_fs_load(&d, false, &fs, &why));
	/* the root directory's first block pointer out of range */
	struct ext2_inode root;
	CHECK_Z(ext2_iread(&fs, EXT2_ROOT_INO, &root));
	root.i_block[0] = 0x7fffffff;
	uint32_t ino;
	uint8_t ft;
	CHECK_EQ(ext2_dir_find(&fs, &root, "x", 1, &ino, &ft), (uint64_t)-EIO);
	CHECK(fs.sb.s_state & EXT2_ERROR_FS);
	ext2_fs_free(&fs);
	free(d.data);
	return NULL;
}

/* ---------------------------------------------------------------- the name index */

/* Every candidate of hash h in ix, as a bit set over positions 0..4*63. */
static uint64_t candidates(const struct ext2_dir_index *ix, uint32_t h)
{
	struct ext2_index_iter it;
	uint32_t pos;
	uint64_t set = 0;

	ext2_index_iter_start(ix, h, &it);
	while (ext2_index_next(ix, h, &it, &pos))
		set |= 1ull << (pos / 4);
	return set;
}

/* The table alone: colliding hashes, growth past dead slots, the room
 * array, the too-big limit, the mount's list. */
UNIT_TEST(index_table)
{
	struct ext2_dir_index *ix = ext2_index_new(77);

	CHECK(ix);
	CHECK_EQ(ext2_index_hash("abc", 3), ext2_index_hash("abc", 3));
	CHECK(ext2_index_hash("abc", 3) != ext2_index_hash("abd", 3));
	/* five names of one hash (a collision), one of another */
	for (uint32_t i = 0; i < 5; i++)
		CHECK_Z(ext2_index_add(ix, 42, i * 4));
	CHECK_Z(ext2_index_add(ix, 43, 100));
	CHECK_EQ(candidates(ix, 42), 0x1f);
	CHECK_EQ(candidates(ix, 43), 1ull << 25);
	CHECK_EQ(candidates(ix, 44), 0);
	CHECK(ext2_index_del(ix, 42, 8));
	CHECK(!ext2_index_del(ix, 42, 8));
	CHECK(!ext2_index_del(ix, 43, 8));
	CHECK_EQ(candidates(ix, 42), 0x1b);
	CHECK_Z(ext2_index_add(ix, 42, 8)); /* back, into a dead slot */
	CHECK_EQ(candidates(ix, 42), 0x1f);
	/* churn: many adds and deletes, the table rehashing past its dead slots */
	for (uint32_t round = 0; round < 50; round++) {
		for (uint32_t i = 0; i < 1000; i++)
			CHECK_Z(ext2_index_add(ix, 1000 + i, 4096 + i * 4));
		for (uint32_t i = 0; i < 1000; i++)
			CHECK(ext2_index_del(ix, 1000 + i, 4096 + i * 4));
	}
	CHECK_EQ(ix->count, 6);
	CHECK(ix->cap <= 4096);
	CHECK_EQ(candidates(ix, 42), 0x1f);
	CHECK_EQ(candidates(ix, 43), 1ull << 25);
	/* room: the first block with enough */
	CHECK_EQ(ext2_index_find_room(ix, 12), EXT2_INDEX_NO_ROOM);
	CHECK_Z(ext2_index_set_room(ix, 0, 8));
	CHECK_Z(ext2_index_set_room(ix, 40, 100));
	CHECK_Z(ext2_index_set_room(ix, 3, 20));
	CHECK_EQ(ix->nblocks, 41);
	CHECK_EQ(ext2_index_find_room(ix, 12), 3);
	CHECK_EQ(ext2_index_find_room(ix, 24), 40);
	CHECK_EQ(ext2_index_find_room(ix, 200), EXT2_INDEX_NO_ROOM);
	/* the limit */
	for (uint32_t i = ix->count; i < EXT2_INDEX_MAX; i++)
		CHECK_Z(ext2_index_add(ix, i * 2654435761u, i * 4));
	CHECK_EQ(ext2_index_add(ix, 1, 4), (uint64_t)-EFBIG);
	CHECK(ix->too_big);
	CHECK_EQ(candidates(ix, 42), 0);
	/* the list: most recent first, at most EXT2_INDEX_KEEP */
	struct ext2_dir_index *head = NULL;
	ext2_index_insert(&head, ix);
	for (uint32_t k = 1; k <= EXT2_INDEX_KEEP + 3; k++) {
		struct ext2_dir_index *n = ext2_index_new(k);
		CHECK(n);
		ext2_index_insert(&head, n);
	}
	unsigned n = 0;
	for (struct ext2_dir_index *p = head; p; p = p->next)
		n++;
	CHECK_EQ(n, EXT2_INDEX_KEEP);
	CHECK(!ext2_index_lookup(&head, 77)); /* the oldest went */
	CHECK(ext2_index_lookup(&head, 5) == head && head->key == 5);
	ext2_index_forget(&head, 5);
	CHECK(!ext2_index_lookup(&head, 5));
	CHECK(ext2_index_lookup(&head, EXT2_INDEX_KEEP + 3));
	ext2_index_free_all(&head);
	CHECK(!head);
	return NULL;
}

#define IX_NAMES 3000

/* Every name i of the model (ino[i], 0: absent) is found with its inode,
 * every absent one is -ENOENT, in directory dino. */
static const char *check_names(struct ext2_fs *fs, uint32_t dino, const uint32_t *model)
{
	struct ext2_inode din;
	char name[64];

	CHECK_Z(ext2_iread(fs, dino, &din));
	for (int i = 0; i < IX_NAMES; i++) {
		uint32_t ino = 0;
		uint8_t ft;
		snprintf(name, sizeof(name), "name-%d%s", i, i % 7 ? "" : "-with-a-longer-tail");
		int err = ext2_dir_find(fs, &din, name, strlen(name), &ino, &ft);
		if (model[i]) {
			CHECK_Z(err);
			CHECK_EQ(ino, model[i]);
		} else {
			CHECK_EQ(err, (uint64_t)-ENOENT);
		}
	}
	return NULL;
}

/* A big directory through the index: many names, unlink then re-create,
 * renames (retarget and move), each step checked against a model, by
 * the live index and by a fresh mount's (built from the disk), and
 * e2fsck judging the image. */
static const char *index_side(const char *opts)
{
	struct blkdev d;
	struct ext2_fs fs;
	struct ext2_inode din, in;
	const char *why, *err;
	static uint32_t model[IX_NAMES];
	char name[64];
	uint32_t dir, ino;

	CHECK_Z(make_image(opts, &d));
	CHECK_Z(ext2_fs_load(&d, false, &fs, &why));
	if ((err = create(&fs, EXT2_ROOT_INO, "big", true, 0, &dir)))
		return err;
	memset(&in, 0, sizeof(in));
	in.i_mode = 0100644;
	in.i_links_count = 1;
	/* one inode, many names (hard links): the directory is what is tested */
	CHECK_Z(ext2_inode_alloc(&fs, ext2_ino_group(&fs, dir), false, &ino));
	CHECK_Z(ext2_iwrite(&fs, ino, &in));
	uint32_t links = 0;
	for (int i = 0; i < IX_NAMES; i++) {
		snprintf(name, sizeof(name), "name-%d%s", i, i % 7 ? "" : "-with-a-longer-tail");
		CHECK_Z(ext2_iread(&fs, dir, &din));
		CHECK_Z(ext2_dir_add(&fs, dir, &din, name, strlen(name), ino, EXT2_FT_REG_FILE));
		CHECK_Z(ext2_iwrite(&fs, dir, &din));
		model[i] = ino;
		links++;
	}
	CHECK(fs.dix && fs.dix->count >= IX_NAMES); /* indexed */
	if ((err = check_names(&fs, dir, model)))
		return err;
	/* unlink every third, then re-create every sixth: into the holes */
	CHECK_Z(ext2_iread(&fs, dir, &din));
	uint64_t size = ext2_inode_size(&din);
	for (int i = 0; i < IX_NAMES; i += 3) {
		snprintf(name, sizeof(name), "name-%d%s", i, i % 7 ? "" : "-with-a-longer-tail");
		CHECK_Z(ext2_dir_remove(&fs, &din, name, strlen(name)));
		CHECK_EQ(ext2_dir_remove(&fs, &din, name, strlen(name)), (uint64_t)-ENOENT);
		model[i] = 0;
		links--;
	}
	if ((err = check_names(&fs, dir, model)))
		return err;
	for (int i = 0; i < IX_NAMES; i += 6) {
		snprintf(name, sizeof(name), "name-%d%s", i, i % 7 ? "" : "-with-a-longer-tail");
		CHECK_Z(ext2_dir_add(&fs, dir, &din, name, strlen(name), ino, EXT2_FT_REG_FILE));
		model[i] = ino;
		links++;
	}
	CHECK_EQ(ext2_inode_size(&din), size); /* the holes took them: no new block */
	CHECK_Z(ext2_iwrite(&fs, dir, &din));
	if ((err = check_names(&fs, dir, model)))
		return err;
	/* rename: a name pointed elsewhere (retarget), a name moved (add + remove) */
	uint32_t other;
	CHECK_Z(ext2_inode_alloc(&fs, ext2_ino_group(&fs, dir), false, &other));
	in.i_links_count = 0;
	for (int i = 1; i < IX_NAMES; i += 10) {
		snprintf(name, sizeof(name), "name-%d%s", i, i % 7 ? "" : "-with-a-longer-tail");
		if (!model[i]) {
			CHECK_EQ(ext2_dir_retarget(&fs, &din, name, strlen(name), other, EXT2_FT_REG_FILE),
				 (uint64_t)-ENOENT);
			continue;
		}
		CHECK_Z(ext2_dir_retarget(&fs, &din, name, strlen(name), other, EXT2_FT_REG_FILE));
		model[i] = other;
		links--;
		in.i_links_count++;
	}
	CHECK_Z(ext2_iwrite(&fs, other, &in));
	for (int i = 2; i + 1 < IX_NAMES; i += 10) { /* name i+1 becomes name i... */
		char to[64];
		snprintf(name, sizeof(name), "name-%d%s", i + 1, (i + 1) % 7 ? "" : "-with-a-longer-tail");
		snprintf(to, sizeof(to), "name-%d%s", i, i % 7 ? "" : "-with-a-longer-tail");
		if (!model[i + 1] || model[i + 1] != ino)
			continue;
		if (model[i]) { /* ...replacing it (one link of ino gone) */
			CHECK_Z(ext2_dir_retarget(&fs, &din, to, strlen(to), ino, EXT2_FT_REG_FILE));
			links--;
		} else {
			CHECK_Z(ext2_dir_add(&fs, dir, &din, to, strlen(to), ino, EXT2_FT_REG_FILE));
		}
		CHECK_Z(ext2_dir_remove(&fs, &din, name, strlen(name)));
		model[i] = ino;
		model[i + 1] = 0;
	}
	CHECK_Z(ext2_iwrite(&fs, dir, &din));
	if ((err = check_names(&fs, dir, model)))
		return err;
	CHECK_EQ(fs.dix_builds, 1); /* built once, kept in step by every change since */
	/* the inode's link count as the names say, for e2fsck */
	CHECK_Z(ext2_iread(&fs, ino, &in));
	in.i_links_count = (uint16_t)links;
	CHECK_Z(ext2_iwrite(&fs, ino, &in));
	ext2_fs_free(&fs);
	CHECK(!fs.dix);
	/* a fresh mount builds its index from the disk: the same answers */
	CHECK_Z(ext2_fs_load(&d, false, &fs, &why));
	if ((err = check_names(&fs, dir, model)))
		return err;
	ext2_fs_free(&fs);
	CHECK_EQ(check_image(&d, getenv("EXT2_HOST_VERBOSE") ? "e2fsck -fn %s" : "e2fsck -fn %s >/dev/null 2>&1"), 0);
	CHECK_EQ(check_image(&d, "debugfs -R 'ls /big' %s 2>/dev/null | grep -q 'name-14-with-a-longer-tail'"), 0);
	free(d.data);
	return NULL;
}

UNIT_TEST(index_4k)
{
	if (!have_mke2fs())
		return NULL;
	return index_side("-b 4096");
}

UNIT_TEST(index_1k)
{
	if (!have_mke2fs())
		return NULL;
	return index_side("-b 1024");
}

/* The bitmap search hints keep "the first free bit": a freed block or
 * inode is the next one handed out, then the search goes on past the
 * last taken. */
UNIT_TEST(alloc_hints)
{
	struct blkdev d;
	struct ext2_fs fs;
	const char *why;
	uint32_t b[3], again, next, in[3], iagain, inext;

	if (!have_mke2fs())
		return NULL;
	CHECK_Z(make_image("-b 1024", &d));
	CHECK_Z(ext2_fs_load(&d, false, &fs, &why));
	for (int i = 0; i < 3; i++) {
		CHECK_Z(ext2_block_alloc(&fs, 0, &b[i]));
		CHECK_Z(ext2_inode_alloc(&fs, 0, false, &in[i]));
	}
	CHECK(b[0] < b[1] && b[1] < b[2]);
	CHECK(in[0] < in[1] && in[1] < in[2]);
	CHECK_Z(ext2_block_free(&fs, b[1]));
	ext2_inode_free(&fs, in[1], false);
	CHECK_Z(ext2_block_alloc(&fs, 0, &again));
	CHECK_Z(ext2_inode_alloc(&fs, 0, false, &iagain));
	CHECK_EQ(again, b[1]);
	CHECK_EQ(iagain, in[1]);
	CHECK_Z(ext2_block_alloc(&fs, 0, &next));
	CHECK_Z(ext2_inode_alloc(&fs, 0, false, &inext));
	CHECK(next > b[2]);
	CHECK(inext > in[2]);
	for (int i = 0; i < 3; i++) {
		CHECK_Z(ext2_block_free(&fs, b[i]));
		ext2_inode_free(&fs, in[i], false);
	}
	CHECK_Z(ext2_block_free(&fs, next));
	ext2_inode_free(&fs, inext, false);
	ext2_fs_free(&fs);
	CHECK_EQ(check_image(&d, "e2fsck -fn %s >/dev/null 2>&1"), 0);
	free(d.data);
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(sb_verdicts), UNIT_ENTRY(bmap_arithmetic), UNIT_ENTRY(dirent_rules),
	UNIT_ENTRY(sparse_groups), UNIT_ENTRY(read_4k), UNIT_ENTRY(read_1k),
	UNIT_ENTRY(read_rev0), UNIT_ENTRY(write_4k), UNIT_ENTRY(write_1k), UNIT_ENTRY(write_2k),
	UNIT_ENTRY(write_rev0), UNIT_ENTRY(corrupt_images), UNIT_ENTRY(index_table),
	UNIT_ENTRY(index_4k), UNIT_ENTRY(index_1k), UNIT_ENTRY(alloc_hints),
};

int main(int argc, char **argv)
{
	int r = unit_main(tests, UNIT_COUNT(tests), argc, argv);
	if (work)
		sh("rm -rf %s", work, "");
	return r;
}
