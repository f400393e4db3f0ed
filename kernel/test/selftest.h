/* SPDX-License-Identifier: MIT */
/* In-kernel self-tests (`selftest` on the command line) and deliberate crashes (`crash=KIND`). */
#ifndef KESTREL_TEST_SELFTEST_H
#define KESTREL_TEST_SELFTEST_H

#include <stdint.h>
#include "bootinfo.h"

/* Run every test, print `selftest: NAME ok|FAIL (why)` per test and a
 * closing `selftest: N passed, N failed`. Returns the failure count. */
int selftest_run(const struct kbi_boot_info *bi);

/* Fault on purpose so tests can check the report: pf (NULL write),
 * ud (invalid opcode), gp (non-canonical access), stack (overflow into
 * the guard page, caught as a double fault), panic. Returns only for an
 * unknown kind, after logging it. */
void selftest_crash(const char *kind, uint32_t len);

#endif
