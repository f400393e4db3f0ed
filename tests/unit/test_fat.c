// SPDX-License-Identifier: MIT
/*
 * Host tests of FAT: the pure format (kernel/fs/fat_disk.c: boot sector
 * checks, short names and ~N tails, long-name slots and checksums,
 * UTF-8, timestamps) and the volume engine (kernel/fs/fat_vol.c) on
 * images made here by Debian's mkfs.fat and mtools, read and changed
 * through an in-memory stand-in for the block cache (fat_host/), then
 * checked by fsck.fat -n and read back with mtools. Tests that need the
 * tools say SKIP when they are missing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "unit.h"
#include "fs/fat_disk.h"
#include "fs/fat_vol.h"
#include "fs/fat_index.h"

/* ---------------------------------------------------------------- pure */

static const char *sn(const char *name, enum fat_sn *kind)
{
	static char out[12];
	uint8_t n11[FAT_SHORT_LEN], nt;

	*kind = fat_short_name(name, strlen(name), n11, &nt);
	memcpy(out, n11, FAT_SHORT_LEN);
	out[FAT_SHORT_LEN] = '\0';
	return out;
}

UNIT_TEST(short_names)
{
	enum fat_sn k;

	CHECK_STR(sn("README.TXT", &k), "README  TXT");
	CHECK_EQ(k, FAT_SN_EXACT);
	CHECK_STR(sn("hello.txt", &k), "HELLO   TXT");
	CHECK_EQ(k, FAT_SN_LOSSLESS);
	CHECK_STR(sn("A Long Name With Spaces.text", &k), "ALONGNAMTEX");
	CHECK_EQ(k, FAT_SN_TAIL);
	CHECK_STR(sn("foo.tar.gz", &k), "FOOTAR  GZ ");
	CHECK_EQ(k, FAT_SN_TAIL);
	CHECK_STR(sn(".bashrc", &k), "BASHRC     ");
	CHECK_EQ(k, FAT_SN_TAIL);
	CHECK_STR(sn("a+b.c", &k), "A_B     C  ");
	CHECK_EQ(k, FAT_SN_TAIL);
	CHECK_STR(sn("caf\xc3\xa9", &k), "CAF_       ");
	CHECK_EQ(k, FAT_SN_TAIL);
	sn(" ", &k);
	CHECK_EQ(k, FAT_SN_BAD);
	uint8_t n11[FAT_SHORT_LEN];
	memcpy(n11, "ALONGNAMTEX", FAT_SHORT_LEN);
	fat_short_tail(n11, 1);
	CHECK(!memcmp(n11, "ALONGN~1TEX", FAT_SHORT_LEN));
	memcpy(n11, "ALONGNAMTEX", FAT_SHORT_LEN);
	fat_short_tail(n11, 12);
	CHECK(!memcmp(n11, "ALONG~12TEX", FAT_SHORT_LEN));
	memcpy(n11, "AB      C  ", FAT_SHORT_LEN);
	fat_short_tail(n11, 3);
	CHECK(!memcmp(n11, "AB~3    C  ", FAT_SHORT_LEN));
	memcpy(n11, "ALONGNAMTEX", FAT_SHORT_LEN);
	fat_short_hash_tail(n11, 0x12cd);
	CHECK(!memcmp(n11, "AL12CD~1TEX", FAT_SHORT_LEN));
	memcpy(n11, "A       TXT", FAT_SHORT_LEN);
	fat_short_hash_tail(n11, 0xbeef);
	CHECK(!memcmp(n11, "ABEEF~1 TXT", FAT_SHORT_LEN));
	return NULL;
}

UNIT_TEST(name_rules)
{
	CHECK_EQ(fat_name_check("abc...", 6), 3);
	CHECK_EQ(fat_name_check("...", 3), 0);
	CHECK_EQ(fat_name_check("a:b", 3), 0);
	CHECK_EQ(fat_name_check("a*b", 3), 0);
	CHECK_EQ(fat_name_check("a b", 3), 3);
	CHECK(fat_name_eq("Hello.TXT", 9, "hello.txt", 9));
	CHECK(!fat_name_eq("hello.txt", 9, "hello.txz", 9));
	return NULL;
}

/* A long name through slots and back, checksum included. */
UNIT_TEST(long_name_round_trip)
{
	const char *name = "Caf\xc3\xa9 and a name of forty characters.txt";
	uint16_t ucs[FAT_NAME_MAX + 1];
	int n = fat_utf8_to_ucs2(name, strlen(name), ucs, FAT_NAME_MAX + 1);
	uint8_t n11[FAT_SHORT_LEN], nt, slot[FAT_DIRENT_SIZE], de[FAT_DIRENT_SIZE];
	struct fat_lfn l;
	char out[FAT_UTF8_MAX + 1];
	unsigned nslots = ((unsigned)n + 12) / 13, got;

	CHECK_EQ(n, strlen(name) - 1);
	CHECK_EQ(ucs[3], 0xe9);
	fat_short_name(name, strlen(name), n11, &nt);
	fat_short_tail(n11, 1);
	uint8_t csum = fat_lfn_checksum(n11);
	fat_lfn_reset(&l);
	for (unsigned i = nslots; i-- > 0;) {
		fat_lfn_slot(slot, ucs, (unsigned)n, i, nslots, csum);
		CHECK_EQ(slot[FAT_DE_ATTR], FAT_ATTR_LFN);
		fat_lfn_feed(&l, slot);
	}
	fat_de_init(de, n11, 0, FAT_ATTR_ARCH, 5, 100, 1700000000);
	CHECK_EQ(fat_lfn_take(&l, de, out, sizeof(out), &got), strlen(name));
	CHECK(strcmp(out, name) == 0);
	CHECK_EQ(got, nslots);
	/* a wrong checksum: no long name */
	fat_lfn_reset(&l);
	for (unsigned i = nslots; i-- > 0;) {
		fat_lfn_slot(slot, ucs, (unsigned)n, i, nslots, (uint8_t)(csum + 1));
		fat_lfn_feed(&l, slot);
	}
	CHECK_EQ(fat_lfn_take(&l, de, out, sizeof(out), &got), 0);
	/* a missing middle slot: no long name */
	fat_lfn_reset(&l);
	for (unsigned i = nslots; i-- > 0;) {
		fat_lfn_slot(slot, ucs, (unsigned)n, i, nslots, csum);
		if (i != 1)
			fat_lfn_feed(&l, slot);
	}
	CHECK_EQ(fat_lfn_take(&l, de, out, sizeof(out), &got), 0);
	CHECK(fat_utf8_to_ucs2("\xc3", 1, ucs, FAT_NAME_MAX) == -1);
	CHECK(fat_utf8_to_ucs2("\xc0\xaf", 2, ucs, FAT_NAME_MAX) == -1);
	return NULL;
}

UNIT_TEST(short_display)
{
	uint8_t de[FAT_DIRENT_SIZE] = { 0 };
	char out[16];

	memcpy(de, "README  TXT", FAT_SHORT_LEN);
	CHECK_EQ(fat_short_to_name(de, out), 10);
	CHECK_STR(out, "README.TXT");
	de[FAT_DE_NTRES] = FAT_NT_LOWER_BASE;
	fat_short_to_name(de, out);
	CHECK_STR(out, "readme.TXT");
	memcpy(de, "MAKEFILE   ", FAT_SHORT_LEN);
	fat_short_to_name(de, out);
	CHECK_STR(out, "makefile");
	return NULL;
}

UNIT_TEST(timestamps)
{
	uint16_t d, t;

	fat_unix_to_time(0, &d, &t); /* before 1980: clamped */
	CHECK_EQ(d, (1 << 5) | 1);
	CHECK_EQ(fat_time_to_unix(d, t), 315532800);
	/* 2024-02-29 12:34:57 UTC: seconds round down to even */
	fat_unix_to_time(1709210097, &d, &t);
	CHECK_EQ(d, (44 << 9) | (2 << 5) | 29);
	CHECK_EQ(t, (12 << 11) | (34 << 5) | 28);
	CHECK_EQ(fat_time_to_unix(d, t), 1709210096);
	return NULL;
}

/* ---------------------------------------------------------------- images */

#define IMG_MAX (48u << 20)

static char img_path[256], scratch[256];
static struct blkdev dev;

static bool have_tools(void)
{
	return system("command -v mkfs.fat >/dev/null 2>&1 && command -v mcopy >/dev/null 2>&1 && "
		      "command -v fsck.fat >/dev/null 2>&1") == 0;
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void write_host(const char *name, const char *data, size_t len)
{
	FILE *f = fopen(name, "wb");
	fwrite(data, 1, len, f);
	fclose(f);
}

static char pattern[20000];

/* A FAT bits-wide image of kib KiB with files put there by mtools. */
static const char *make_image(int bits, unsigned kib, const char *extra)
{
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	snprintf(img_path, sizeof(img_path), "%s/kestrel-fat-%d-%d.img", tmp, (int)getpid(), bits);
	snprintf(scratch, sizeof(scratch), "%s/kestrel-fat-%d.tmp", tmp, (int)getpid());
	unlink(img_path);
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (char)('a' + i * 7 % 26);
	if (run("mkfs.fat -C %s -F %d %s %s %u >/dev/null", extra, bits, img_path, "", kib))
		return "mkfs.fat failed";
	write_host(scratch, "hello world\n", 12);
	if (run("MTOOLS_SKIP_CHECK=1 mcopy -i %s %s '::/hello.txt'", img_path, scratch) ||
	    run("MTOOLS_SKIP_CHECK=1 mmd -i %s '::/Sub Dir'", img_path))
		return "mtools failed";
	write_host(scratch, pattern, sizeof(pattern));
	if (run("MTOOLS_SKIP_CHECK=1 mcopy -i %s %s '::/A Long Name With Spaces.text'", img_path, scratch) ||
	    run("MTOOLS_SKIP_CHECK=1 mcopy -i %s %s '::/Sub Dir/inner.bin'", img_path, scratch))
		return "mtools failed";
	return NULL;
}

static const char *load_image(void)
{
	FILE *f = fopen(img_path, "rb");

	if (!f)
		return "no image";
	free(dev.mem);
	dev.mem = malloc(IMG_MAX);
	dev.size = fread(dev.mem, 1, IMG_MAX, f);
	fclose(f);
	dev.nsect = dev.size / SECTOR_SIZE;
	strcpy(dev.name, "img");
	return NULL;
}

static void save_image(void)
{
	FILE *f = fopen(img_path, "wb");
	fwrite(dev.mem, 1, dev.size, f);
	fclose(f);
}

/* The content of path in the image as mtype prints it, into buf. */
static size_t mtype(const char *path, char *buf, size_t cap)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "MTOOLS_SKIP_CHECK=1 mtype -i %s '::%s' 2>/dev/null", img_path, path);
	FILE *p = popen(cmd, "r");
	size_t n = fread(buf, 1, cap, p);
	pclose(p);
	return n;
}

static struct fat_vol vol;
static struct fat_entry ent;

/* The node of path (components separated by '/'). */
static int walk(const char *path, struct fat_node *n)
{
	fat_root_node(&vol, n);
	while (*path) {
		const char *end = strchr(path, '/');
		size_t len = end ? (size_t)(end - path) : strlen(path);
		int err = fat_dir_find(&vol, n, path, len, &ent);
		if (err)
			return err;
		fat_entry_node(&vol, &ent, n);
		path += len + (end ? 1 : 0);
	}
	return 0;
}

static const char *read_check(const char *path, const char *want, size_t len)
{
	static char buf[sizeof(pattern) + 16];
	struct fat_node n;

	if (walk(path, &n))
		return "lookup failed";
	if (n.size != len)
		return "wrong size";
	if (fat_file_read(&vol, &n, 0, buf, sizeof(buf)) != (long)len || memcmp(buf, want, len))
		return "wrong content";
	return NULL;
}

/* A new file or directory name in dir (as fat_vfs.c makes them). */
static int create(struct fat_node *dir, const char *name, bool is_dir, struct fat_node *out)
{
	uint8_t tmpl[FAT_DIRENT_SIZE], blank[FAT_SHORT_LEN] = { 0 };
	uint32_t clus = 0;
	int err;

	if (is_dir && (err = fat_dir_create(&vol, dir, 1700000000, &clus)))
		return err;
	fat_de_init(tmpl, blank, 0, is_dir ? FAT_ATTR_DIR : FAT_ATTR_ARCH, clus, 0, 1700000000);
	if ((err = fat_dir_add(&vol, dir, name, strlen(name), tmpl, &ent)))
		return err;
	fat_entry_node(&vol, &ent, out);
	return 0;
}

static int remove_name(struct fat_node *dir, const char *name)
{
	struct fat_node n;
	int err = fat_dir_find(&vol, dir, name, strlen(name), &ent);

	if (!err)
		err = fat_dir_remove(&vol, dir, &ent);
	fat_entry_node(&vol, &ent, &n);
	return err ? err : fat_node_free(&vol, &n);
}

static int rename_name(struct fat_node *od, const char *on, struct fat_node *nd, const char *nn)
{
	static struct fat_entry o;
	int err = fat_dir_find(&vol, od, on, strlen(on), &o);

	if (err || (err = fat_dir_add(&vol, nd, nn, strlen(nn), o.de, &ent)) ||
	    (err = fat_dir_remove(&vol, od, &o)))
		return err;
	if (o.de[FAT_DE_ATTR] & FAT_ATTR_DIR) {
		struct fat_node moved;
		fat_entry_node(&vol, &ent, &moved);
		return fat_dir_set_parent(&vol, &moved, nd);
	}
	return 0;
}

/* The dirty markers are clear: FAT[1]'s clean bit and the boot sector's state byte. */
static bool fat1_clean(void)
{
	const uint8_t *f = dev.mem + vol.b.fat_start;
	if (vol.b.state_off && (dev.mem[vol.b.state_off] & FAT_STATE_DIRTY))
		return false;
	if (vol.b.kind == FAT16)
		return fat_le16(f + 2) & FAT16_CLEAN_BIT;
	return vol.b.kind != FAT32 || (fat_le32(f + 4) & FAT32_CLEAN_BIT);
}

/* Read what mtools wrote, change the volume every way, then let
 * fsck.fat and mtools judge the result. */
static const char *engine_round_trip(int bits, unsigned kib, const char *extra)
{
	const char *why;
	struct fat_node root, sub, n, nd;
	char buf[sizeof(pattern)];

	if (!have_tools())
		return printf("SKIP: mkfs.fat, mtools or fsck.fat missing\n"), NULL;
	if ((why = make_image(bits, kib, extra)) || (why = load_image()))
		return why;
	if (fat_vol_open(&vol, &dev, false))
		return "open failed";
	CHECK_EQ(vol.b.kind, bits);
	CHECK(!vol.read_only);
	if ((why = read_check("hello.txt", "hello world\n", 12)) ||
	    (why = read_check("HELLO.TXT", "hello world\n", 12)) ||
	    (why = read_check("a long name with spaces.TEXT", pattern, sizeof(pattern))) ||
	    (why = read_check("sub dir/Inner.bin", pattern, sizeof(pattern))) ||
	    (why = read_check("ALONGN~1.TEX", pattern, sizeof(pattern))))
		return why;
	CHECK(fat1_clean());

	/* changes */
	fat_root_node(&vol, &root);
	CHECK_EQ(walk("Sub Dir", &sub), 0);
	CHECK_EQ(create(&root, "Newly Created File.dat", false, &n), 0);
	CHECK(!fat1_clean()); /* the dirty marker is set before the first change */
	CHECK_EQ(fat_file_write(&vol, &n, 0, pattern, 5000), 5000);
	CHECK_EQ(fat_file_write(&vol, &n, 9000, "tail", 4), 4); /* a hole of zeros */
	CHECK_EQ(fat_node_update(&vol, &n, 1700000002), 0);
	CHECK_EQ(create(&root, "New Dir", true, &nd), 0);
	CHECK_EQ(create(&nd, "file in new dir.txt", false, &n), 0);
	CHECK_EQ(fat_file_write(&vol, &n, 0, "inside\n", 7), 7);
	CHECK_EQ(fat_node_update(&vol, &n, -1), 0);
	CHECK_EQ(create(&root, "scratch dir", true, &n), 0);
	CHECK_EQ(remove_name(&root, "SCRATCH DIR"), 0);
	CHECK_EQ(rename_name(&root, "hello.txt", &sub, "Renamed Hello.txt"), 0);
	CHECK_EQ(rename_name(&root, "New Dir", &sub, "Moved Dir"), 0);
	CHECK_EQ(remove_name(&root, "A Long Name With Spaces.text"), 0);
	CHECK_EQ(walk("Sub Dir/inner.bin", &n), 0);
	CHECK_EQ(fat_file_truncate(&vol, &n, 700), 0);
	CHECK_EQ(fat_node_update(&vol, &n, -1), 0);
	for (int i = 0; i < 40; i++) { /* a directory that grows past a cluster */
		char name[64];
		snprintf(name, sizeof(name), "many files number %d.txt", i);
		CHECK_EQ(create(&sub, name, false, &n), 0);
	}
	CHECK_EQ(remove_name(&sub, "many files number 7.txt"), 0);
	CHECK_EQ(fat_vol_sync(&vol), 0);
	CHECK(fat1_clean());
	save_image();

	if (run("fsck.fat -n %s >/dev/null 2>&1", img_path))
		return run("fsck.fat -n %s", img_path), "fsck.fat -n found damage";
	size_t k = mtype("/Sub Dir/Renamed Hello.txt", buf, sizeof(buf));
	CHECK(k == 12 && !memcmp(buf, "hello world\n", 12));
	k = mtype("/Sub Dir/Moved Dir/file in new dir.txt", buf, sizeof(buf));
	CHECK(k == 7 && !memcmp(buf, "inside\n", 7));
	k = mtype("/Newly Created File.dat", buf, sizeof(buf));
	CHECK_EQ(k, 9004);
	CHECK(!memcmp(buf, pattern, 5000) && buf[5000] == 0 && buf[8999] == 0 && !memcmp(buf + 9000, "tail", 4));
	CHECK_EQ(mtype("/Sub Dir/inner.bin", buf, sizeof(buf)), 700);
	CHECK_EQ(mtype("/A Long Name With Spaces.text", buf, sizeof(buf)), 0);
	CHECK_EQ(mtype("/Sub Dir/many files number 39.txt", buf, sizeof(buf)), 0);
	CHECK_EQ(run("MTOOLS_SKIP_CHECK=1 mdir -i %s '::/Sub Dir/many files number 39.txt' >/dev/null 2>&1", img_path), 0);
	CHECK(run("MTOOLS_SKIP_CHECK=1 mdir -i %s '::/Sub Dir/many files number 7.txt' >/dev/null 2>&1", img_path) != 0);
	/* the '..' of the moved directory points at its new parent */
	CHECK_EQ(run("MTOOLS_SKIP_CHECK=1 mdir -i %s '::/Sub Dir/Moved Dir/..' | grep -q inner", img_path), 0);
	unlink(img_path);
	unlink(scratch);
	return NULL;
}

UNIT_TEST(fat12_image) { return engine_round_trip(12, 1440, ""); }
UNIT_TEST(fat16_image) { return engine_round_trip(16, 16384, ""); }
UNIT_TEST(fat32_image) { return engine_round_trip(32, 40960, "-s 1"); }
/* 4096-byte logical sectors (an Advanced Format or 4Kn disk) */
UNIT_TEST(fat16_4k_sectors) { return engine_round_trip(16, 20480, "-S 4096 -s 1"); }

/* Damaged boot sectors are refused, a damaged FAT mounts read-only. */
UNIT_TEST(bad_images)
{
	const char *why;
	uint8_t save[FAT_SECTOR_MIN];

	if (!have_tools())
		return printf("SKIP: mkfs.fat, mtools or fsck.fat missing\n"), NULL;
	if ((why = make_image(16, 16384, "")) || (why = load_image()))
		return why;
	memcpy(save, dev.mem, sizeof(save));
	dev.mem[510] = 0;
	CHECK(fat_vol_open(&vol, &dev, false) == -EINVAL);
	memcpy(dev.mem, save, sizeof(save));
	fat_put16(dev.mem + 11, 300);
	CHECK(fat_vol_open(&vol, &dev, false) == -EINVAL);
	memcpy(dev.mem, save, sizeof(save));
	dev.mem[13] = 3; /* sectors per cluster */
	CHECK(fat_vol_open(&vol, &dev, false) == -EINVAL);
	memcpy(dev.mem, save, sizeof(save));
	dev.mem[16] = 0; /* no FAT */
	CHECK(fat_vol_open(&vol, &dev, false) == -EINVAL);
	memcpy(dev.mem, save, sizeof(save));
	dev.nsect /= 2; /* the device is shorter than the file system */
	CHECK(fat_vol_open(&vol, &dev, false) == -EINVAL);
	dev.nsect *= 2;
	memset(dev.mem, 0, sizeof(save));
	CHECK(fat_vol_open(&vol, &dev, false) == -EINVAL);
	memcpy(dev.mem, save, sizeof(save));
	CHECK_EQ(fat_vol_open(&vol, &dev, false), 0);
	CHECK(!vol.read_only);
	dev.mem[vol.b.fat_start] = 0x12; /* FAT[0] against the media byte */
	CHECK_EQ(fat_vol_open(&vol, &dev, false), 0);
	CHECK(vol.read_only);
	struct fat_node root, n;
	fat_root_node(&vol, &root);
	CHECK(create(&root, "x", false, &n) == -EROFS);
	unlink(img_path);
	unlink(scratch);
	return NULL;
}

/* msdos: short names only, in lower case; no long-name slots made. */
UNIT_TEST(msdos_names)
{
	const char *why;
	struct fat_node root, n;
	uint64_t off = 0;

	if (!have_tools())
		return printf("SKIP: mkfs.fat, mtools or fsck.fat missing\n"), NULL;
	if ((why = make_image(16, 16384, "")) || (why = load_image()))
		return why;
	CHECK_EQ(fat_vol_open(&vol, &dev, false), 0);
	vol.msdos = true;
	fat_root_node(&vol, &root);
	CHECK_EQ(fat_dir_next(&vol, &root, &off, &ent), 1);
	CHECK(strcmp(ent.name, "hello.txt") == 0);
	CHECK_EQ(fat_dir_find(&vol, &root, "alongn~1.tex", 12, &ent), 0);
	CHECK(fat_dir_find(&vol, &root, "A Long Name With Spaces.text", 28, &ent) == -ENOENT);
	CHECK_EQ(create(&root, "new.txt", false, &n), 0);
	CHECK_EQ(ent.first_off, ent.off); /* no long-name slot */
	CHECK(create(&root, "a long name.txt", false, &n) == -EINVAL);
	CHECK(create(&root, "NEW.TXT", false, &n) == -EEXIST);
	CHECK_EQ(fat_vol_sync(&vol), 0);
	save_image();
	CHECK_EQ(run("fsck.fat -n %s >/dev/null 2>&1", img_path), 0);
	CHECK_EQ(run("MTOOLS_SKIP_CHECK=1 mdir -i %s ::/NEW.TXT >/dev/null 2>&1", img_path), 0);
	unlink(img_path);
	unlink(scratch);
	return NULL;
}

/* chmod and utimes (fat_node_set_attrs): the read-only attribute set and
 * cleared, the modification time and access date, as mtools reads them. */
UNIT_TEST(set_attrs)
{
	const char *why;
	struct fat_node n;

	if (!have_tools())
		return printf("SKIP: mkfs.fat, mtools or fsck.fat missing\n"), NULL;
	if ((why = make_image(32, 40960, "-s 1")) || (why = load_image()))
		return why;
	CHECK_EQ(fat_vol_open(&vol, &dev, false), 0);
	CHECK_EQ(walk("hello.txt", &n), 0);
	CHECK_EQ(fat_node_set_attrs(&vol, &n, 1, 981173106, 981158400), 0); /* 2001-02-03 04:05:06 */
	CHECK_EQ(walk("Sub Dir/inner.bin", &n), 0);
	CHECK_EQ(fat_node_set_attrs(&vol, &n, 1, -1, -1), 0);
	CHECK_EQ(fat_node_set_attrs(&vol, &n, 0, -1, -1), 0);
	CHECK_EQ(fat_vol_sync(&vol), 0);
	save_image();
	CHECK_EQ(run("fsck.fat -n %s >/dev/null 2>&1", img_path), 0);
	CHECK_EQ(run("MTOOLS_SKIP_CHECK=1 mattrib -i %s ::/hello.txt | grep -q '^  A    R'", img_path), 0);
	CHECK_EQ(run("MTOOLS_SKIP_CHECK=1 mattrib -i %s '::/Sub Dir/inner.bin' | grep -qv R", img_path), 0);
	CHECK_EQ(run("MTOOLS_SKIP_CHECK=1 mdir -i %s ::/hello.txt | grep -q '2001-02-03   4:05'", img_path), 0);
	unlink(img_path);
	unlink(scratch);
	return NULL;
}

/* Is name in dir (as the index or a scan answers)? 1, 0, or -errno. */
static int has_name(struct fat_node *dir, const char *name)
{
	int err = fat_dir_find(&vol, dir, name, strlen(name), &ent);
	return err == -ENOENT ? 0 : err ? err : 1;
}

/* The name index (fat_index.c) as fat_vfs.c uses it, one node per
 * directory: lookups in any case and by short name, 300 creates sharing
 * one 8.3 stem (numbered then hashed tails, which the index must see as
 * taken), removes, renames and re-creates; then a scan without the
 * index must agree, and fsck.fat and mtools must find the same names. */
UNIT_TEST(name_index)
{
	const char *why;
	struct fat_node root, n;
	char name[64];

	if (!have_tools())
		return printf("SKIP: mkfs.fat, mtools or fsck.fat missing\n"), NULL;
	if ((why = make_image(32, 40960, "-s 1")) || (why = load_image()))
		return why;
	CHECK_EQ(fat_vol_open(&vol, &dev, false), 0);
	vol.name_index = true;
	fat_root_node(&vol, &root);
	CHECK_EQ(has_name(&root, "hello.txt"), 1);
	CHECK(root.index != NULL && !root.index->too_big);
	CHECK_EQ(has_name(&root, "HELLO.TXT"), 1);
	CHECK_EQ(has_name(&root, "alongn~1.tex"), 1);
	CHECK_EQ(has_name(&root, "hello.txt.."), 1); /* trailing dots dropped, as vfat */
	CHECK_EQ(has_name(&root, "no such file"), 0);
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "index file %d.txt", i);
		CHECK_EQ(create(&root, name, false, &n), 0);
	}
	for (int i = 0; i < 300; i += 3) {
		snprintf(name, sizeof(name), "Index File %d.TXT", i);
		CHECK_EQ(remove_name(&root, name), 0);
	}
	CHECK_EQ(rename_name(&root, "index file 1.txt", &root, "renamed one.txt"), 0);
	for (int i = 0; i < 300; i += 6) {
		snprintf(name, sizeof(name), "index file %d.txt", i);
		CHECK_EQ(create(&root, name, false, &n), 0);
	}
	for (int pass = 0; pass < 2; pass++) { /* with the index, then scanning */
		vol.name_index = pass == 0;
		for (int i = 2; i < 300; i++) {
			snprintf(name, sizeof(name), "INDEX FILE %d.txt", i);
			CHECK_EQ(has_name(&root, name), i % 3 != 0 || i % 6 == 0);
		}
		CHECK_EQ(has_name(&root, "index file 1.txt"), 0);
		CHECK_EQ(has_name(&root, "Renamed One.txt"), 1);
		CHECK_EQ(has_name(&root, "hello.txt"), 1);
	}
	fat_dir_index_drop(&root);
	CHECK_EQ(fat_vol_sync(&vol), 0);
	save_image();
	if (run("fsck.fat -n %s >/dev/null 2>&1", img_path))
		return run("fsck.fat -n %s", img_path), "fsck.fat -n found damage";
	CHECK_EQ(run("MTOOLS_SKIP_CHECK=1 mdir -i %s '::/index file 299.txt' >/dev/null 2>&1", img_path), 0);
	CHECK_EQ(run("MTOOLS_SKIP_CHECK=1 mdir -i %s '::/renamed one.txt' >/dev/null 2>&1", img_path), 0);
	CHECK(run("MTOOLS_SKIP_CHECK=1 mdir -i %s '::/index file 3.txt' >/dev/null 2>&1", img_path) != 0);
	unlink(img_path);
	unlink(scratch);
	return NULL;
}

/* ---------------------------------------------------------------- the run cache */

/* fat_runs.c alone: runs grow by notes, hits and nearest known points,
 * trims, a note that contradicts a run drops it, and at most FAT_RUNS
 * runs are kept (the least recently used goes). */
UNIT_TEST(runs_pure)
{
	struct fat_runs rs = { .n = 0 };
	uint32_t ki, kc, contig = 0;

	CHECK(!fat_runs_lookup(&rs, 0, &ki, &kc, &contig));
	for (uint32_t i = 0; i < 10; i++)
		fat_runs_note(&rs, i, 100 + i);
	CHECK_EQ(rs.n, 1);
	CHECK_EQ(rs.r[0].len, 10);
	fat_runs_note(&rs, 10, 200);
	CHECK_EQ(rs.n, 2);
	CHECK(fat_runs_lookup(&rs, 5, &ki, &kc, &contig));
	CHECK_EQ(ki, 5);
	CHECK_EQ(kc, 105);
	CHECK_EQ(contig, 5);
	CHECK(fat_runs_lookup(&rs, 15, &ki, &kc, &contig)); /* nearest before: 10 */
	CHECK_EQ(ki, 10);
	CHECK_EQ(kc, 200);
	fat_runs_trim(&rs, 3);
	CHECK_EQ(rs.n, 1);
	CHECK(fat_runs_lookup(&rs, 10, &ki, &kc, &contig));
	CHECK_EQ(ki, 2);
	CHECK_EQ(kc, 102);
	fat_runs_note(&rs, 1, 500); /* the chain changed under the run: it goes */
	CHECK_EQ(rs.n, 1);
	CHECK(fat_runs_lookup(&rs, 1, &ki, &kc, &contig));
	CHECK_EQ(kc, 500);
	CHECK(!fat_runs_lookup(&rs, 0, &ki, &kc, &contig));
	fat_runs_clear(&rs);
	for (uint32_t i = 0; i <= FAT_RUNS; i++)
		fat_runs_note(&rs, 10 * i, 1000 * i + 7);
	CHECK_EQ(rs.n, FAT_RUNS);
	CHECK(!fat_runs_lookup(&rs, 5, &ki, &kc, &contig)); /* run 0 was the oldest */
	CHECK(fat_runs_lookup(&rs, 10 * FAT_RUNS, &ki, &kc, &contig));
	CHECK_EQ(kc, 1000 * FAT_RUNS + 7);
	return NULL;
}

#define RC_MAX_BYTES (3u << 20)
static uint8_t rc_model[2][RC_MAX_BYTES], rc_buf[RC_MAX_BYTES];
static uint32_t rc_rand = 12345;

static uint32_t rc_next(void)
{
	rc_rand = rc_rand * 1103515245u + 12345u;
	return rc_rand >> 8;
}

/* Write len bytes of fresh data at pos of n (and of its model m). */
static int rc_write(struct fat_node *n, uint8_t *m, uint64_t pos, size_t len)
{
	for (size_t i = 0; i < len; i++)
		m[pos + i] = (uint8_t)rc_next();
	if (fat_file_write(&vol, n, pos, m + pos, len) != (long)len)
		return -1;
	return fat_node_update(&vol, n, -1);
}

/* count reads at random offsets of n, each checked against m. */
static const char *rc_random_reads(struct fat_node *n, const uint8_t *m, unsigned count,
				   size_t maxlen)
{
	for (unsigned k = 0; k < count; k++) {
		uint64_t pos = rc_next() % n->size;
		size_t len = 1 + rc_next() % maxlen, want = len < n->size - pos ? len : n->size - pos;
		if (fat_file_read(&vol, n, pos, rc_buf, len) != (long)want || memcmp(rc_buf, m + pos, want))
			return "random read differs from what was written";
	}
	return NULL;
}

/* n read from start to end in steps of step bytes (a sequential read:
 * the read-ahead window moves along its runs) must give m. */
static const char *rc_seq_read(struct fat_node *n, const uint8_t *m, size_t step)
{
	for (uint64_t pos = 0; pos < n->size; pos += step) {
		size_t want = step < n->size - pos ? step : n->size - pos;
		if (fat_file_read(&vol, n, pos, rc_buf, step) != (long)want || memcmp(rc_buf, m + pos, want))
			return "a sequential read differs from what was written";
	}
	return NULL;
}

/* A whole read of path through a new node (a walk of the chain from
 * its start, as without any cache) must give m. */
static const char *rc_cold_check(const char *path, const uint8_t *m, uint32_t size)
{
	struct fat_node n;

	if (walk(path, &n))
		return "lookup failed";
	if (n.size != size)
		return "size on disk differs";
	memset(rc_buf, 0xee, size);
	if (fat_file_read(&vol, &n, 0, rc_buf, size) != (long)size || memcmp(rc_buf, m, size))
		return "a cold read differs from what was written";
	return NULL;
}

/* The cluster run cache (fat_runs.c) under fat_vol.c: two files written
 * in turns (one fragmented into 64 runs, more than a node keeps), read
 * at random offsets through their warm nodes, cut short and grown again
 * (truncate, zero-filling extension, appends that land on freed
 * clusters), emptied and rewritten; every read must match what was
 * written and what a cold chain walk reads. A contiguous file must be
 * one run, found by a cold walk that reads each FAT sector once, and
 * once its node knows it, 1,000 reads at random offsets must read no
 * FAT sector at all. fsck.fat -n judges the volume. */
UNIT_TEST(run_cache)
{
	const char *why;
	struct fat_node root, a, b, c;
	uint32_t cs, size_a;

	if (!have_tools())
		return printf("SKIP: mkfs.fat, mtools or fsck.fat missing\n"), NULL;
	if ((why = make_image(32, 40960, "-s 1")) || (why = load_image()))
		return why;
	CHECK_EQ(fat_vol_open(&vol, &dev, false), 0);
	cs = vol.b.cluster_size;
	CHECK_EQ(cs, 512);
	fat_root_node(&vol, &root);
	CHECK_EQ(create(&root, "frag a.bin", false, &a), 0);
	CHECK_EQ(create(&root, "frag b.bin", false, &b), 0);
	for (uint32_t r = 0; r < 64; r++) { /* A: 3 clusters, B: 1, in turns */
		CHECK_EQ(rc_write(&a, rc_model[0], a.size, 3 * cs), 0);
		CHECK_EQ(rc_write(&b, rc_model[1], b.size, cs), 0);
	}
	CHECK(a.runs.n <= FAT_RUNS);
	if ((why = rc_random_reads(&a, rc_model[0], 2000, 3000)) ||
	    (why = rc_cold_check("frag a.bin", rc_model[0], a.size)) ||
	    (why = rc_seq_read(&b, rc_model[1], 4096)))
		return why;
	dev.gets = 0; /* 64 runs, 8 kept: reading along them must not walk from the start */
	if ((why = rc_seq_read(&a, rc_model[0], 1000)))
		return why;
	CHECK(dev.gets < 4 * a.size / cs);

	/* cut inside a run, while the node knows the runs past the cut (A's
	 * 17th to 24th), let B take the freed clusters, grow A again */
	for (int f = 23; f >= 16; f--)
		CHECK_EQ(fat_file_read(&vol, &a, (uint64_t)f * 3 * cs, rc_buf, 1), 1);
	CHECK_EQ(fat_file_truncate(&vol, &a, 50 * cs + 100), 0);
	CHECK_EQ(fat_node_update(&vol, &a, -1), 0);
	CHECK_EQ(rc_write(&b, rc_model[1], b.size, 5 * cs), 0);
	CHECK_EQ(rc_write(&a, rc_model[0], a.size, 40 * cs + 7), 0);
	size_a = a.size;
	CHECK_EQ(fat_file_truncate(&vol, &a, size_a + 9 * cs), 0); /* zero-filled */
	memset(rc_model[0] + size_a, 0, 9 * cs);
	CHECK_EQ(fat_node_update(&vol, &a, -1), 0);
	if ((why = rc_random_reads(&a, rc_model[0], 2000, 3000)) ||
	    (why = rc_random_reads(&b, rc_model[1], 500, 3000)) ||
	    (why = rc_cold_check("frag a.bin", rc_model[0], a.size)) ||
	    (why = rc_cold_check("frag b.bin", rc_model[1], b.size)))
		return why;

	/* grown to FAT's largest size, 4 GiB - 1, which the volume cannot
	 * hold: ENOSPC, the zeros as far as they went (it once did nothing
	 * and said 0) */
	CHECK_EQ(fat_file_truncate(&vol, &a, FAT_MAX_FILE_SIZE), -ENOSPC);
	CHECK(a.size > size_a + 9 * cs && a.size < FAT_MAX_FILE_SIZE);
	CHECK_EQ(fat_node_update(&vol, &a, -1), 0);

	/* emptied, then rewritten where B's clusters may now be free */
	CHECK_EQ(fat_file_truncate(&vol, &a, 0), 0);
	CHECK_EQ(a.runs.n, 0);
	CHECK_EQ(remove_name(&root, "frag b.bin"), 0);
	CHECK_EQ(rc_write(&a, rc_model[0], 0, 30 * cs + 1), 0);
	if ((why = rc_random_reads(&a, rc_model[0], 500, 3000)) ||
	    (why = rc_cold_check("frag a.bin", rc_model[0], a.size)))
		return why;

	/* a contiguous file: one run; warm, a random read costs no FAT read */
	CHECK_EQ(create(&root, "big.bin", false, &c), 0);
	for (uint32_t k = 0; k < 32; k++)
		CHECK_EQ(rc_write(&c, rc_model[1], c.size, 65536), 0);
	CHECK_EQ(c.runs.n, 1);
	CHECK_EQ(c.runs.r[0].len, c.size / cs);
	CHECK_EQ(walk("big.bin", &c), 0); /* cold: the first read walks the chain once, */
	dev.gets = 0;
	CHECK_EQ(fat_file_read(&vol, &c, c.size - 1, rc_buf, 1), 1);
	CHECK(dev.gets <= c.size / cs / (512 / 4) + 4); /* a FAT sector at a time */
	CHECK_EQ(c.runs.n, 1);
	dev.gets = 0;
	if ((why = rc_random_reads(&c, rc_model[1], 1000, 4096)))
		return why;
	CHECK_EQ(dev.gets, 0);
	if ((why = rc_seq_read(&c, rc_model[1], 65536)) || (why = rc_seq_read(&a, rc_model[0], 777)))
		return why;

	/* one cluster each in turns: 1,500 runs, more than the read-ahead
	 * window's worth of runs kept; a sequential read stays linear */
	CHECK_EQ(create(&root, "frag d.bin", false, &a), 0);
	CHECK_EQ(create(&root, "frag e.bin", false, &b), 0);
	for (uint32_t r = 0; r < 1500; r++) {
		CHECK_EQ(rc_write(&a, rc_model[0], a.size, cs), 0);
		CHECK_EQ(rc_write(&b, rc_model[1], b.size, cs), 0);
	}
	CHECK_EQ(walk("frag d.bin", &a), 0);
	dev.gets = 0;
	if ((why = rc_seq_read(&a, rc_model[0], 4096)))
		return why;
	CHECK(dev.gets < 8 * a.size / cs);

	CHECK_EQ(fat_vol_sync(&vol), 0);
	save_image();
	if (run("fsck.fat -n %s >/dev/null 2>&1", img_path))
		return run("fsck.fat -n %s", img_path), "fsck.fat -n found damage";
	unlink(img_path);
	unlink(scratch);
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(short_names),
	UNIT_ENTRY(name_rules),
	UNIT_ENTRY(long_name_round_trip),
	UNIT_ENTRY(short_display),
	UNIT_ENTRY(timestamps),
	UNIT_ENTRY(fat12_image),
	UNIT_ENTRY(fat16_image),
	UNIT_ENTRY(fat32_image),
	UNIT_ENTRY(fat16_4k_sectors),
	UNIT_ENTRY(bad_images),
	UNIT_ENTRY(msdos_names),
	UNIT_ENTRY(set_attrs),
	UNIT_ENTRY(name_index),
	UNIT_ENTRY(runs_pure),
	UNIT_ENTRY(run_cache),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
