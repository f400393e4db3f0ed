/* SPDX-License-Identifier: MIT */
/* The boot-return harness: run the user programs listed in /etc/selftest, one at a time, and judge how each ends. */
#ifndef KESTREL_TEST_HARNESS_H
#define KESTREL_TEST_HARNESS_H

#include <stdbool.h>

/* Run the list (optionally only the entries named in filter, a comma-
 * separated list, or all if NULL); add to *passed and *failed. */
void harness_run(const char *filter, unsigned filter_len, int *passed, int *failed);

/* Does filter (as above; NULL: everything) name name? */
bool harness_selected(const char *name, const char *filter, unsigned filter_len);

#endif
