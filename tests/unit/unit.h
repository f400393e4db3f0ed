/* SPDX-License-Identifier: MIT */
/*
 * A tiny host unit-test harness: a table of named test functions, one
 * output line per test, a closing "N passed, N failed" line, and
 * `./test_x NAME` to run one test alone.
 */
#ifndef KESTREL_TESTS_UNIT_UNIT_H
#define KESTREL_TESTS_UNIT_UNIT_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* A test returns NULL on success or a static/one-shot failure reason. */
typedef const char *(*unit_fn)(void);

struct unit_test {
	const char *name;
	unit_fn fn;
};

#define UNIT_TEST(name) static const char *name(void)
#define UNIT_ENTRY(name) { #name, name }
#define UNIT_COUNT(table) (sizeof(table) / sizeof((table)[0]))

#define UNIT_STR_(x) #x
#define UNIT_STR(x) UNIT_STR_(x)
#define UNIT_WHERE __FILE__ ":" UNIT_STR(__LINE__)

/* Scratch for formatted failure reasons (tests run one at a time). */
static char unit_msg[512];

/* Fail the current test unless cond holds. */
#define CHECK(cond)                                                   \
	do {                                                          \
		if (!(cond))                                          \
			return UNIT_WHERE ": " #cond;                 \
	} while (0)

/* Fail unless two unsigned integers are equal, showing both values. */
#define CHECK_EQ(a, b)                                                \
	do {                                                          \
		uint64_t unit_a_ = (uint64_t)(a), unit_b_ = (uint64_t)(b); \
		if (unit_a_ != unit_b_) {                             \
			snprintf(unit_msg, sizeof(unit_msg),          \
			         UNIT_WHERE ": %s == %s (0x%" PRIx64 " != 0x%" PRIx64 ")", \
			         #a, #b, unit_a_, unit_b_);           \
			return unit_msg;                              \
		}                                                     \
	} while (0)

/* Fail unless two C strings are equal (either may be NULL). */
#define CHECK_STR(a, b)                                               \
	do {                                                          \
		const char *unit_a_ = (a), *unit_b_ = (b);            \
		if (!unit_a_ || !unit_b_ || strcmp(unit_a_, unit_b_) != 0) { \
			snprintf(unit_msg, sizeof(unit_msg),          \
			         UNIT_WHERE ": %s == %s (\"%s\" != \"%s\")", \
			         #a, #b, unit_a_ ? unit_a_ : "(null)", \
			         unit_b_ ? unit_b_ : "(null)");       \
			return unit_msg;                              \
		}                                                     \
	} while (0)

/* Propagate a failure from a helper that returns a reason or NULL. */
#define CHECK_OK(expr)                                                \
	do {                                                          \
		const char *unit_r_ = (expr);                         \
		if (unit_r_)                                          \
			return unit_r_;                               \
	} while (0)

/* Run one test, print its line; returns 1 if it passed. */
static int unit_run_one(const struct unit_test *t)
{
	const char *why = t->fn();

	if (why)
		printf("FAIL %s: %s\n", t->name, why);
	else
		printf("PASS %s\n", t->name);
	fflush(stdout);
	return why == NULL;
}

/*
 * Run every test in the table, or only the one named by argv[1]. Prints
 * the closing counts line; returns the process exit status (0 if all
 * passed, 1 if any failed, 2 for an unknown test name or bad usage).
 */
static int unit_main(const struct unit_test *tests, size_t count, int argc, char **argv)
{
	unsigned passed = 0, failed = 0;
	const char *only = argc > 1 ? argv[1] : NULL;

	if (argc > 2) {
		fprintf(stderr, "usage: %s [TEST]\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < count; i++) {
		if (only && strcmp(only, tests[i].name) != 0)
			continue;
		if (unit_run_one(&tests[i]))
			passed++;
		else
			failed++;
	}
	if (only && passed + failed == 0) {
		fprintf(stderr, "%s: no test named %s\n", argv[0], only);
		return 2;
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

#endif
