/* SPDX-License-Identifier: MIT */
/* Civil (proleptic Gregorian) dates and day counts since 1970-01-01: pure, host-testable. */
#ifndef KESTREL_LIB_CIVIL_H
#define KESTREL_LIB_CIVIL_H

#include <stdint.h>

/* Days since 1970-01-01 of year y, month m (1-12), day d (1-31). */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
/* The date of day z since 1970-01-01 (negative: before). */
void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
