/* SPDX-License-Identifier: MIT */
/* The ACPI power-management timer, as a reference clock. */
#ifndef KESTREL_DEV_PMTIMER_H
#define KESTREL_DEV_PMTIMER_H

#include "firmware/acpi_tables.h"
#include "time/refclock.h"

/* The PM timer the FADT describes (24 or 32 bits, port or MMIO); NULL,
 * logged, if there is none, it cannot be mapped, or it does not count. */
const struct refclock *pmtimer_init(const struct acpi_pm_timer_info *info);

#endif
