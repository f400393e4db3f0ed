// SPDX-License-Identifier: MIT
/* Host tests of the rootfs cpio newc reader (kernel/fs/cpio.c). */
#include <stdlib.h>
#include "unit.h"
#include "fs/cpio.h"

static unsigned char arc[8192];
static size_t arc_len;

/* Append one newc entry, padded as cpio(1) pads it. */
static void add(const char *name, unsigned mode, const char *data, size_t size)
{
	size_t namesize = strlen(name) + 1;
	arc_len += (size_t)sprintf((char *)arc + arc_len,
				   "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
				   7u, mode, 0u, 0u, 1u, 0u, size, 0u, 0u, 0u, 0u, namesize, 0u);
	memcpy(arc + arc_len, name, namesize);
	arc_len = (arc_len + namesize + 3) & ~(size_t)3;
	memcpy(arc + arc_len, data, size);
	arc_len = (arc_len + size + 3) & ~(size_t)3;
}

static void build(void)
{
	memset(arc, 0, sizeof(arc));
	arc_len = 0;
	add(".", 040755, "", 0);
	add("./etc", 040755, "", 0);
	add("./etc/motd", 0100644, "hello\n", 6);
	add("bin/sh", 0120777, "busybox", 7);
	add("TRAILER!!!", 0, "", 0);
}

UNIT_TEST(iterates_all_entries)
{
	struct cpio_iter it;
	struct cpio_entry e;
	int n = 0;

	build();
	cpio_iter_init(&it, arc, arc_len);
	while (cpio_next(&it, &e))
		n++;
	CHECK_EQ(n, 4);
	CHECK(it.error == NULL);
	return NULL;
}

UNIT_TEST(find_strips_prefixes)
{
	struct cpio_entry e;

	build();
	CHECK_EQ(cpio_find(arc, arc_len, "/etc/motd", &e), 0);
	CHECK_EQ(e.size, 6);
	CHECK(memcmp(e.data, "hello\n", 6) == 0);
	CHECK_EQ(e.mode, 0100644);
	CHECK_EQ(cpio_find(arc, arc_len, "etc/motd", &e), 0);
	CHECK_EQ(cpio_find(arc, arc_len, "/bin/sh", &e), 0);
	CHECK_EQ(e.mode & 0170000, 0120000);
	CHECK(cpio_find(arc, arc_len, "/etc/mot", &e) != 0);
	CHECK(cpio_find(arc, arc_len, "/etc/motdx", &e) != 0);
	return NULL;
}

/* Corrupt the archive with f, then iterate: it must stop with the given
 * error, never reading outside the buffer (ASan watches). */
static const char *expect_error(void (*f)(void), const char *want)
{
	struct cpio_iter it;
	struct cpio_entry e;

	build();
	f();
	unsigned char *copy = malloc(arc_len);
	memcpy(copy, arc, arc_len);
	cpio_iter_init(&it, copy, arc_len);
	while (cpio_next(&it, &e))
		;
	free(copy);
	CHECK(it.error != NULL);
	CHECK_STR(it.error, want);
	return NULL;
}

static void bad_magic(void) { arc[5] = '2'; }              /* 070702: newc with CRC */
static void bad_hex(void) { arc[6 + 8 * 1] = 'g'; }
static void zero_namesize(void) { memcpy(arc + 6 + 8 * 11, "00000000", 8); }
static void huge_filesize(void) { memcpy(arc + 6 + 8 * 6, "7FFFFFFF", 8); }
static void truncated(void) { arc_len = 60; }
static void unterminated_name(void) { arc[110 + 1] = 'x'; } /* "." -> ".x" without its NUL */

UNIT_TEST(rejects_bad_magic) { return expect_error(bad_magic, "bad magic (not newc)"); }
UNIT_TEST(rejects_non_hex) { return expect_error(bad_hex, "non-hex header field"); }
UNIT_TEST(rejects_zero_namesize) { return expect_error(zero_namesize, "bad name size"); }
UNIT_TEST(rejects_data_past_end) { return expect_error(huge_filesize, "file data runs past the end of the archive"); }
UNIT_TEST(rejects_truncated_header) { return expect_error(truncated, "truncated header"); }
UNIT_TEST(rejects_unterminated_name) { return expect_error(unterminated_name, "name not NUL-terminated"); }

UNIT_TEST(error_names_the_entry)
{
	struct cpio_iter it;
	struct cpio_entry e;

	build();
	/* the third entry's file size points past the end */
	size_t off = 0;
	for (int i = 0; i < 2; i++) {
		cpio_iter_init(&it, arc, arc_len);
		it.off = off;
		CHECK(cpio_next(&it, &e));
		off = it.off;
	}
	memcpy(arc + off + 6 + 8 * 6, "00100000", 8);
	cpio_iter_init(&it, arc, arc_len);
	while (cpio_next(&it, &e))
		;
	CHECK_STR(it.error_name, "./etc/motd");
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(iterates_all_entries),
	UNIT_ENTRY(find_strips_prefixes),
	UNIT_ENTRY(rejects_bad_magic),
	UNIT_ENTRY(rejects_non_hex),
	UNIT_ENTRY(rejects_zero_namesize),
	UNIT_ENTRY(rejects_data_past_end),
	UNIT_ENTRY(rejects_truncated_header),
	UNIT_ENTRY(rejects_unterminated_name),
	UNIT_ENTRY(error_names_the_entry),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
