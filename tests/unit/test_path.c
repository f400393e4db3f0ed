// SPDX-License-Identifier: MIT
/* Host tests of the VFS's path-name splitting (kernel/fs/path.c). */
#include <sys/mman.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "fs/path.h"
#include "lib/errno.h"

/* Split path into its components joined by '|' (as path_next sees them). */
static const char *components(const char *path)
{
	static char out[512];
	const char *p = path, *name;
	long len;
	size_t n = 0;

	out[0] = '\0';
	while ((len = path_next(&p, &name)) > 0) {
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%.*s", n ? "|" : "", (int)len, name);
	}
	return len < 0 ? "ENAMETOOLONG" : out;
}

UNIT_TEST(splits_components)
{
	CHECK_STR(components("/usr/bin/env"), "usr|bin|env");
	CHECK_STR(components("a//b///c/"), "a|b|c");
	CHECK_STR(components("./x/../y"), ".|x|..|y");
	CHECK_STR(components("/"), "");
	CHECK_STR(components(""), "");
	CHECK_STR(components("////"), "");
	return NULL;
}

UNIT_TEST(next_advances_past_name)
{
	const char *p = "//ab/cd", *name;

	CHECK_EQ(path_next(&p, &name), 2);
	CHECK(name[0] == 'a');
	CHECK_STR(p, "/cd");
	CHECK_EQ(path_next(&p, &name), 2);
	CHECK_STR(p, "");
	CHECK_EQ(path_next(&p, &name), 0);
	return NULL;
}

UNIT_TEST(name_max_is_enforced)
{
	char path[600];

	memset(path, 'n', 255);
	path[255] = '\0';
	CHECK_EQ(strlen(components(path)), 255);
	memset(path, 'n', 256);
	path[256] = '\0';
	CHECK_STR(components(path), "ENAMETOOLONG");
	snprintf(path, sizeof(path), "ok/%0300d/x", 0);
	CHECK_STR(components(path), "ENAMETOOLONG");
	return NULL;
}

UNIT_TEST(only_slashes)
{
	CHECK(path_only_slashes(""));
	CHECK(path_only_slashes("///"));
	CHECK(!path_only_slashes("/a"));
	CHECK(!path_only_slashes("a"));
	return NULL;
}

UNIT_TEST(dots)
{
	CHECK(path_is_dot(".", 1));
	CHECK(!path_is_dot("..", 2));
	CHECK(!path_is_dot(".x", 2));
	CHECK(path_is_dotdot("..", 2));
	CHECK(!path_is_dotdot("...", 3));
	CHECK(!path_is_dotdot(".", 1));
	return NULL;
}

UNIT_TEST(splice_replaces_a_link)
{
	char out[32];

	CHECK_EQ(path_splice(out, sizeof(out), "target", 6, "/rest/of"), 0);
	CHECK_STR(out, "target/rest/of");
	CHECK_EQ(path_splice(out, sizeof(out), "/abs", 4, ""), 0);
	CHECK_STR(out, "/abs");
	CHECK_EQ(path_splice(out, sizeof(out), "dir", 3, "///"), 0);
	CHECK_STR(out, "dir/"); /* a trailing slash still asks for a directory */
	CHECK_EQ(path_splice(out, sizeof(out), "targetXXX", 6, ""), 0);
	CHECK_STR(out, "target"); /* only tlen bytes of the target */
	return NULL;
}

UNIT_TEST(splice_checks_room)
{
	char out[8];

	CHECK_EQ(path_splice(out, sizeof(out), "1234567", 7, ""), 0);
	CHECK_EQ(path_splice(out, sizeof(out), "12345678", 8, ""), (uint64_t)(int64_t)-ENAMETOOLONG);
	CHECK_EQ(path_splice(out, sizeof(out), "1234", 4, "/567"), (uint64_t)(int64_t)-ENAMETOOLONG);
	CHECK_EQ(path_splice(out, sizeof(out), "123", 3, "/56"), 0);
	CHECK_STR(out, "123/56");
	return NULL;
}

UNIT_TEST(prepend_builds_from_the_end)
{
	char buf[16];
	size_t start = sizeof(buf) - 1;

	buf[start] = '\0';
	CHECK_EQ(path_prepend(buf, &start, "bin", 3), 0);
	CHECK_EQ(path_prepend(buf, &start, "usr", 3), 0);
	CHECK_STR(buf + start, "/usr/bin");
	CHECK_EQ(path_prepend(buf, &start, "toolong", 7), (uint64_t)(int64_t)-ERANGE);
	CHECK_STR(buf + start, "/usr/bin"); /* unchanged on failure */
	CHECK_EQ(path_prepend(buf, &start, "x", 1), 0);
	CHECK_STR(buf + start, "/x/usr/bin");
	return NULL;
}

/* A component at every alignment and length, ended by '/' or the NUL,
 * with bytes that fool a careless word scan (0x01, 0x80, 0x2e, 0x30)
 * after it: path_next must stop exactly at the end. */
UNIT_TEST(component_end_at_every_alignment)
{
	char buf[64];

	for (size_t off = 0; off < 8; off++)
		for (size_t len = 1; len < 40; len++)
			for (int slash = 0; slash < 2; slash++) {
				memset(buf, 'a', sizeof(buf));
				buf[off + len] = slash ? '/' : '\0';
				buf[off + len + 1] = 0x01;
				buf[off + len + 2] = (char)0x80;
				buf[off + len + 3] = '\0';
				buf[off + len + 4] = '0';
				const char *p = buf + off, *name;
				CHECK_EQ(path_next(&p, &name), (long)len);
				CHECK(name == buf + off);
				CHECK(p == buf + off + len);
			}
	return NULL;
}

/* The head path_next_name gives: the name's first 8 bytes, zero past its end. */
static uint64_t head_of(const char *s, size_t len)
{
	uint64_t w = 0;

	for (size_t i = len < 8 ? len : 8; i-- > 0;)
		w = w << 8 | (uint8_t)s[i];
	return w;
}

/* path_next_name finds what path_next finds, hashes it as path_hash does
 * and gives its length and head, at every alignment and length, whatever
 * follows the name; path_name_of agrees. Every third byte of the names
 * has its high bit set (UTF-8), which a mask one bit short would lose. */
UNIT_TEST(next_name_matches_next_and_hash)
{
	char buf[96];

	for (size_t off = 0; off < 8; off++)
		for (size_t len = 1; len < 70; len++)
			for (int slash = 0; slash < 2; slash++) {
				for (size_t i = 0; i < sizeof(buf); i++)
					buf[i] = i % 3 ? (char)('a' + (i * 7 + len) % 26) : (char)(0xc3 + i % 5);
				buf[off + len] = slash ? '/' : '\0';
				buf[off + len + 1] = (char)0x80;
				buf[off + len + 2] = '\0';
				const char *p = buf + off, *q = buf + off, *name2;
				struct path_name n = { 0 }, m;
				long r = path_next_name(&p, &n);
				CHECK_EQ(r, path_next(&q, &name2));
				CHECK(p == q);
				if (len > NAME_MAX)
					continue;
				CHECK(n.name == name2);
				CHECK_EQ(path_name_hash(&n), path_hash(buf + off, len));
				CHECK_EQ(path_name_len(&n), len);
				CHECK_EQ(n.head, head_of(buf + off, len));
				path_name_of(buf + off, len, &m);
				CHECK(m.name == n.name && m.hash_len == n.hash_len && m.head == n.head);
			}
	return NULL;
}

/* Leading slashes are skipped; only slashes left (or none) is 0. */
UNIT_TEST(next_name_skips_slashes)
{
	const char *p = "//a//", *s = p;
	struct path_name n;

	CHECK_EQ(path_next_name(&p, &n), 1);
	CHECK(n.name == s + 2 && p == s + 3 && n.head == 'a');
	CHECK_EQ(path_next_name(&p, &n), 0);
	p = ".";
	CHECK_EQ(path_next_name(&p, &n), 1);
	CHECK_EQ(n.head, PATH_HEAD_DOT);
	p = "../x";
	CHECK_EQ(path_next_name(&p, &n), 2);
	CHECK_EQ(n.head, PATH_HEAD_DOTDOT);
	p = "...";
	CHECK_EQ(path_next_name(&p, &n), 3);
	CHECK(n.head != PATH_HEAD_DOT && n.head != PATH_HEAD_DOTDOT);
	return NULL;
}

/* Names of NAME_MAX - 8 to NAME_MAX + 8 bytes, at each alignment: up to
 * NAME_MAX as path_hash sees them, longer ENAMETOOLONG, the path moved
 * past the name either way (as path_next). */
UNIT_TEST(next_name_at_name_max)
{
	static char buf[NAME_MAX + 32];

	for (size_t off = 0; off < 8; off++)
		for (size_t len = NAME_MAX - 8; len <= NAME_MAX + 8; len++) {
			memset(buf, 'x', sizeof(buf));
			buf[off + len] = '/';
			buf[off + len + 1] = '\0';
			const char *p = buf + off, *q = buf + off, *name2;
			struct path_name n;
			long r = path_next_name(&p, &n);
			CHECK_EQ(r, path_next(&q, &name2));
			CHECK(p == q && p == buf + off + len);
			if (len <= NAME_MAX) {
				CHECK_EQ(r, (long)len);
				CHECK_EQ(path_name_hash(&n), path_hash(buf + off, len));
				CHECK_EQ(n.head, head_of(buf + off, len));
			} else {
				CHECK_EQ(r, -ENAMETOOLONG);
			}
		}
	return NULL;
}

/* A name that ends right at a page's end, the next page unreadable: the
 * scan and the hash must not touch it, and agree with path_hash. */
UNIT_TEST(next_name_at_a_page_end)
{
	long page = sysconf(_SC_PAGESIZE);
	char *two = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);

	CHECK(two != MAP_FAILED);
	CHECK_EQ(mprotect(two + page, (size_t)page, PROT_NONE), 0);
	for (size_t len = 1; len < 20; len++) {
		char *s = two + page - len - 1; /* the name, then its NUL as the page's last byte */
		memset(s, 'x', len);
		s[len] = '\0';
		const char *p = s;
		struct path_name n, m;
		CHECK_EQ(path_next_name(&p, &n), (long)len);
		CHECK_EQ(path_name_hash(&n), path_hash(s, len));
		CHECK_EQ(n.head, head_of(s, len));
		path_name_of(s, len, &m);
		CHECK(m.hash_len == n.hash_len && m.head == n.head);
	}
	munmap(two, (size_t)page * 2);
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(splits_components),
	UNIT_ENTRY(next_advances_past_name),
	UNIT_ENTRY(name_max_is_enforced),
	UNIT_ENTRY(only_slashes),
	UNIT_ENTRY(dots),
	UNIT_ENTRY(splice_replaces_a_link),
	UNIT_ENTRY(splice_checks_room),
	UNIT_ENTRY(prepend_builds_from_the_end),
	UNIT_ENTRY(component_end_at_every_alignment),
	UNIT_ENTRY(next_name_matches_next_and_hash),
	UNIT_ENTRY(next_name_skips_slashes),
	UNIT_ENTRY(next_name_at_name_max),
	UNIT_ENTRY(next_name_at_a_page_end),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
