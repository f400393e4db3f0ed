/* SPDX-License-Identifier: MIT */
/* The HPET's main counter, as a reference clock. */
#ifndef KESTREL_DEV_HPET_H
#define KESTREL_DEV_HPET_H

#include "firmware/acpi_tables.h"
#include "time/refclock.h"

/* Map the HPET the ACPI table describes, check its period, and start
 * its main counter (its comparators stay disabled, legacy replacement
 * routing off). NULL, logged, if it
 * is missing, unmappable, reports a bad period or does not count. */
const struct refclock *hpet_init(const struct acpi_hpet_info *info);

#endif
