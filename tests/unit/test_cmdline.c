/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for shared/cmdline.c: word splitting, key=value lookups, the
 * "--" init-argument split, number parsing, staying inside len, and the
 * Secure Boot merge of the signed and the ESP command lines.
 */
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "unit.h"

#define WORDS_MAX 16
#define KBI_TEST_CAP 128 /* the merge tests' output buffer */

/*
 * Parse an exact-size heap copy of s (no NUL after it, so ASan catches
 * any read past len) into *c. The copy stays alive until the next call.
 */
static void parse(struct cmdline *c, const char *s)
{
	static char *copy;
	size_t len = strlen(s);

	free(copy);
	copy = malloc(len ? len : 1);
	if (!copy)
		abort();
	memcpy(copy, s, len);
	cmdline_init(c, copy, (uint32_t)len);
}

/* Fail unless *w has exactly this key and (if val) this value. */
static const char *word_is(const struct cmdline_word *w, const char *key, const char *val)
{
	CHECK(w->key_len == strlen(key) && memcmp(w->key, key, w->key_len) == 0);
	CHECK(w->has_val == (val != NULL));
	if (val)
		CHECK(w->val_len == strlen(val) && memcmp(w->val, val, w->val_len) == 0);
	return NULL;
}

/* Collect all words before the split; returns the count. */
static int all_words(const struct cmdline *c, struct cmdline_word *w)
{
	uint32_t pos = 0;
	int n = 0;

	while (n < WORDS_MAX && cmdline_next(c, &pos, &w[n]))
		n++;
	return n;
}

/* Fail unless the init arguments are exactly want (NULL: no "--" at all). */
static const char *init_args_are(const struct cmdline *c, const char *want)
{
	uint32_t len;
	const char *args = cmdline_init_args(c, &len);

	CHECK(c->has_init_args == (want != NULL));
	if (!want)
		want = "";
	CHECK_EQ(len, strlen(want));
	CHECK(memcmp(args, want, len) == 0);
	return NULL;
}

UNIT_TEST(empty)
{
	struct cmdline c;
	struct cmdline_word w[WORDS_MAX];

	parse(&c, "");
	CHECK_EQ(all_words(&c, w), 0);
	CHECK(!cmdline_has(&c, "a"));
	return init_args_are(&c, NULL);
}

UNIT_TEST(spaces_only)
{
	struct cmdline c;
	struct cmdline_word w[WORDS_MAX];

	parse(&c, "  \t \n\r  ");
	CHECK_EQ(all_words(&c, w), 0);
	return init_args_are(&c, NULL);
}

UNIT_TEST(key_value_and_bare_words)
{
	struct cmdline c;
	struct cmdline_word w[WORDS_MAX];

	parse(&c, " quiet\tconsole=ttyS0\nloglevel=7  debug ");
	CHECK_EQ(all_words(&c, w), 4);
	CHECK_OK(word_is(&w[0], "quiet", NULL));
	CHECK_OK(word_is(&w[1], "console", "ttyS0"));
	CHECK_OK(word_is(&w[2], "loglevel", "7"));
	CHECK_OK(word_is(&w[3], "debug", NULL));
	CHECK(cmdline_word_is(&w[1], "console"));
	CHECK(!cmdline_word_is(&w[1], "consol"));
	CHECK(!cmdline_word_is(&w[1], "consoles"));
	CHECK(cmdline_has(&c, "quiet"));
	CHECK(cmdline_has(&c, "console"));
	CHECK(!cmdline_has(&c, "ttyS0"));
	return init_args_are(&c, NULL);
}

UNIT_TEST(empty_key_and_value)
{
	struct cmdline c;
	struct cmdline_word w[WORDS_MAX];
	const char *v;
	uint32_t len;

	parse(&c, "=x root= =");
	CHECK_EQ(all_words(&c, w), 3);
	CHECK_OK(word_is(&w[0], "", "x"));
	CHECK_OK(word_is(&w[1], "root", ""));
	CHECK_OK(word_is(&w[2], "", ""));
	CHECK(cmdline_get(&c, "root", &v, &len));
	CHECK_EQ(len, 0);
	return NULL;
}

UNIT_TEST(value_containing_equals)
{
	struct cmdline c;
	const char *v;
	uint32_t len;

	parse(&c, "init.env=PATH=/bin:/sbin x");
	CHECK(cmdline_get(&c, "init.env", &v, &len));
	CHECK(len == strlen("PATH=/bin:/sbin") && memcmp(v, "PATH=/bin:/sbin", len) == 0);
	return NULL;
}

UNIT_TEST(last_occurrence_wins)
{
	struct cmdline c;
	const char *v = NULL;
	uint32_t len = 0;

	parse(&c, "log=a log=bb log log=ccc -- log=dddd");
	CHECK(cmdline_get(&c, "log", &v, &len));
	CHECK(len == 3 && memcmp(v, "ccc", 3) == 0); /* not the one after -- */
	parse(&c, "log=a log");
	CHECK(cmdline_get(&c, "log", &v, &len)); /* bare words do not count */
	CHECK(len == 1 && v[0] == 'a');
	parse(&c, "log");
	v = NULL;
	CHECK(!cmdline_get(&c, "log", &v, &len));
	CHECK(v == NULL);
	CHECK(cmdline_has(&c, "log"));
	return NULL;
}

UNIT_TEST(init_args_split)
{
	struct cmdline c;
	struct cmdline_word w[WORDS_MAX];

	parse(&c, "quiet -- /bin/sh -c 'echo hi' --  x");
	CHECK_EQ(all_words(&c, w), 1);
	CHECK_OK(word_is(&w[0], "quiet", NULL));
	CHECK_OK(init_args_are(&c, "/bin/sh -c 'echo hi' --  x"));
	CHECK(!cmdline_has(&c, "/bin/sh"));

	parse(&c, "a --\t\n  b");
	CHECK_EQ(all_words(&c, w), 1);
	return init_args_are(&c, "b");
}

UNIT_TEST(split_at_start_and_end)
{
	struct cmdline c;
	struct cmdline_word w[WORDS_MAX];

	parse(&c, "-- init");
	CHECK_EQ(all_words(&c, w), 0);
	CHECK_OK(init_args_are(&c, "init"));
	parse(&c, "--");
	CHECK_EQ(all_words(&c, w), 0);
	CHECK_OK(init_args_are(&c, ""));
	parse(&c, "a b --");
	CHECK_EQ(all_words(&c, w), 2);
	CHECK_OK(init_args_are(&c, ""));
	parse(&c, "a b --   ");
	CHECK_OK(init_args_are(&c, ""));
	return NULL;
}

UNIT_TEST(dashes_inside_words)
{
	struct cmdline c;
	struct cmdline_word w[WORDS_MAX];

	parse(&c, "--x x-- --- -- -y");
	CHECK_EQ(all_words(&c, w), 3);
	CHECK_OK(word_is(&w[0], "--x", NULL));
	CHECK_OK(word_is(&w[2], "---", NULL));
	return init_args_are(&c, "-y");
}

UNIT_TEST(get_u64)
{
	struct cmdline c;
	uint64_t v = 7;

	parse(&c, "a=0 b=42 c=0x1F d=0XfFfF e=18446744073709551615 f=0xffffffffffffffff");
	CHECK(cmdline_get_u64(&c, "a", &v) && v == 0);
	CHECK(cmdline_get_u64(&c, "b", &v) && v == 42);
	CHECK(cmdline_get_u64(&c, "c", &v) && v == 0x1f);
	CHECK(cmdline_get_u64(&c, "d", &v) && v == 0xffff);
	CHECK(cmdline_get_u64(&c, "e", &v) && v == UINT64_MAX);
	CHECK(cmdline_get_u64(&c, "f", &v) && v == UINT64_MAX);
	return NULL;
}

UNIT_TEST(get_u64_rejects)
{
	static const char *const bad[] = {
		"n=", "n=18446744073709551616", "n=0x10000000000000000", "n=99999999999999999999",
		"n=12a", "n=0x", "n=0xg", "n=-1", "n=+1", "n= 1", "n=1.5", "n=0b1", "n=ff", "n",
	};
	struct cmdline c;
	uint64_t v = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		parse(&c, bad[i]);
		if (cmdline_get_u64(&c, "n", &v) || v != 7) {
			snprintf(unit_msg, sizeof(unit_msg), "accepted \"%s\"", bad[i]);
			return unit_msg;
		}
	}
	parse(&c, "");
	CHECK(!cmdline_get_u64(&c, "n", &v));
	return NULL;
}

UNIT_TEST(no_nul_within_len)
{
	static const char buf[] = { 'a', '=', '1', ' ', 'b', '=', '2', '2', 'X', 'X' };
	struct cmdline c;
	uint64_t v;

	/* only the first 8 bytes belong to the command line */
	char *heap = malloc(8);
	if (!heap)
		abort();
	memcpy(heap, buf, 8);
	cmdline_init(&c, heap, 8);
	CHECK(cmdline_get_u64(&c, "b", &v));
	free(heap);
	CHECK_EQ(v, 22);
	return NULL;
}

UNIT_TEST(nul_ends_early)
{
	static const char buf[] = "a=1\0b=2 -- x";
	struct cmdline c;

	cmdline_init(&c, buf, sizeof(buf) - 1);
	CHECK_EQ(c.len, 3);
	CHECK(cmdline_has(&c, "a"));
	CHECK(!cmdline_has(&c, "b"));
	return init_args_are(&c, NULL);
}

UNIT_TEST(every_prefix_in_bounds)
{
	static const char s[] = " k=v  -- \t init x  ";
	struct cmdline c;
	struct cmdline_word w[WORDS_MAX];
	uint64_t v;

	/* ASan checks that no prefix makes the parser read past its end */
	for (size_t len = 0; len <= strlen(s); len++) {
		char *heap = malloc(len ? len : 1);
		uint32_t alen;

		if (!heap)
			abort();
		memcpy(heap, s, len);
		cmdline_init(&c, heap, (uint32_t)len);
		all_words(&c, w);
		cmdline_has(&c, "k");
		cmdline_get_u64(&c, "k", &v);
		cmdline_init_args(&c, &alen);
		CHECK(alen <= len);
		free(heap);
	}
	return NULL;
}

/* What cmdline_merge_signed left out, as "word|word|--args|". */
static char dropped[256];

static void note_drop(void *ctx, const char *text, uint32_t len, bool init_args)
{
	size_t n = strlen(dropped);

	(void)ctx;
	snprintf(dropped + n, sizeof(dropped) - n, "%s%.*s|", init_args ? "--" : "", (int)len, text);
}

/* Merge sig and esp into a cap-byte buffer; the result (and dropped). */
static const char *merge(const char *sig, const char *esp, uint32_t cap)
{
	static char out[KBI_TEST_CAP];
	uint32_t n;

	dropped[0] = '\0';
	memset(out, 'X', sizeof(out));
	n = cmdline_merge_signed(sig, (uint32_t)strlen(sig), esp, (uint32_t)strlen(esp), out, cap,
				 note_drop, NULL);
	return n == strlen(out) ? out : "(length wrong)";
}

UNIT_TEST(secure_merge_keeps_signed)
{
	CHECK_STR(merge("selftest debugexit", "selftest debugexit", 64), "selftest debugexit");
	CHECK_STR(dropped, "");
	CHECK_STR(merge("selftest -- a b", "", 64), "selftest -- a b");
	CHECK_STR(merge("", "", 64), "");
	CHECK_STR(merge("init=/bin/x crash=pf", "loglevel=7", 64), "init=/bin/x crash=pf loglevel=7");
	return NULL;
}

UNIT_TEST(secure_merge_drops_unsafe)
{
	CHECK_STR(merge("selftest debugexit", "selftest init=/bin/sh console=serial crash=pf bogus",
			64), "selftest debugexit console=serial");
	CHECK_STR(dropped, "init=/bin/sh|crash=pf|bogus|");
	CHECK_STR(merge("audit -- a", "loglevel=3 -- evil args", 64), "audit loglevel=3 -- a");
	CHECK_STR(dropped, "--evil args|");
	CHECK_STR(merge("echo", "-- x", 64), "echo");
	CHECK_STR(dropped, "--x|");
	CHECK_STR(merge("x -- a", "-- a", 64), "x -- a");
	CHECK_STR(dropped, "");
	return NULL;
}

/* A safe word that would push the signed init arguments out is dropped. */
UNIT_TEST(secure_merge_bounded)
{
	CHECK_STR(merge("selftest -- abc", "loglevel=7", 20), "selftest -- abc");
	CHECK_STR(dropped, "loglevel=7|");
	CHECK_STR(merge("selftest -- abc", "echo", 21), "selftest echo -- abc");
	CHECK_STR(merge("selftest", "", 1), "");
	return NULL;
}

/* fb=WIDTHxHEIGHT: good values, and everything else refused untouched. */
UNIT_TEST(get_wxh)
{
	static const char *const bad[] = {
		"fb=", "fb=800", "fb=800x", "fbx=800x600", "fb=x600", "fb=0x600", "fb=800x0",
		"fb=800x600x2", "fb=80 0x600", "fb=65536x600", "fb=800x99999999999", "fb=-800x600",
		"fb=800*600", "fb",
	};
	struct cmdline c;
	uint32_t w = 7, h = 9;

	parse(&c, "console=fb fb=1280x1024 loglevel=7");
	CHECK(cmdline_get_wxh(&c, "fb", &w, &h) && w == 1280 && h == 1024);
	parse(&c, "fb=800X600");
	CHECK(cmdline_get_wxh(&c, "fb", &w, &h) && w == 800 && h == 600);
	parse(&c, "fb=65535x1");
	CHECK(cmdline_get_wxh(&c, "fb", &w, &h) && w == 65535 && h == 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		w = 7, h = 9;
		parse(&c, bad[i]);
		CHECK(!cmdline_get_wxh(&c, "fb", &w, &h) && w == 7 && h == 9);
	}
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(empty),
	UNIT_ENTRY(spaces_only),
	UNIT_ENTRY(key_value_and_bare_words),
	UNIT_ENTRY(empty_key_and_value),
	UNIT_ENTRY(value_containing_equals),
	UNIT_ENTRY(last_occurrence_wins),
	UNIT_ENTRY(init_args_split),
	UNIT_ENTRY(split_at_start_and_end),
	UNIT_ENTRY(dashes_inside_words),
	UNIT_ENTRY(get_u64),
	UNIT_ENTRY(get_u64_rejects),
	UNIT_ENTRY(get_wxh),
	UNIT_ENTRY(no_nul_within_len),
	UNIT_ENTRY(nul_ends_early),
	UNIT_ENTRY(every_prefix_in_bounds),
	UNIT_ENTRY(secure_merge_keeps_signed),
	UNIT_ENTRY(secure_merge_drops_unsafe),
	UNIT_ENTRY(secure_merge_bounded),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
