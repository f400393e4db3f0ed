/* SPDX-License-Identifier: MIT */
/* In-kernel self-tests (`selftest` on the command line) and deliberate crashes (`crash=KIND`). */
#ifndef KESTREL_TEST_SELFTEST_H
#define KESTREL_TEST_SELFTEST_H

#include <stdint.h>
#include "bootinfo.h"

/* Run every in-kernel test, print `selftest: NAME ok|FAIL (why)` per
 * test, and add to the counts (the caller prints the closing line). */
void selftest_run(const struct kbi_boot_info *bi, int *passed, int *failed);

/* A self-test: returns NULL on success or a static reason. Define one
 * anywhere in the kernel with
 *
 *     SELFTEST(name_with_underscores) { ...; return NULL; }
 *
 * The linker collects them (section .selftests); they run in link order,
 * and the printed name has '-' for '_'. A test that needs the boot info
 * reads it from selftest_boot_info. */
struct selftest {
	const char *name;
	const char *(*fn)(void);
};
extern const struct kbi_boot_info *selftest_boot_info;

/* A test that cannot run on this machine (its device is absent) returns
 * SELFTEST_SKIP("no PIT"): printed `selftest: NAME skipped (no PIT)` and
 * counted neither passed nor failed. why must be a string literal. */
#define SELFTEST_SKIP_PREFIX "skip: "
#define SELFTEST_SKIP(why)   (SELFTEST_SKIP_PREFIX why)

#define SELFTEST(id)                                                               \
	static const char *selftest_fn_##id(void);                                 \
	static const struct selftest selftest_##id                                 \
		__attribute__((used, section(".selftests"), aligned(8))) = {       \
			#id, selftest_fn_##id };                                   \
	static const char *selftest_fn_##id(void)

/* Fault on purpose so tests can check the report: pf (NULL write),
 * ud (invalid opcode), gp (non-canonical access), stack (overflow into
 * the boot stack's guard page, caught as a double fault), vstack (the
 * same on a vmalloc'd kernel stack), panic. Returns only for an
 * unknown kind, after logging it. */
void selftest_crash(const char *kind, uint32_t len);

#endif
