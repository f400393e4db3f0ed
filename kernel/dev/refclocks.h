/* SPDX-License-Identifier: MIT */
/* The machine's reference clocks (HPET, ACPI PM timer, PIT), best first, for the kernel clock to calibrate against. */
#ifndef KESTREL_DEV_REFCLOCKS_H
#define KESTREL_DEV_REFCLOCKS_H

#include "time/refclock.h"

/* Starts the best reference clock the firmware tables and the hardware
 * offer: the HPET, else the ACPI PM timer, else the PIT's channel 2.
 * Needs acpi_init and the kernel page tables (the HPET is MMIO). NULL,
 * each miss logged by its driver, when there is none. */
const struct refclock *refclock_pick(void);

#endif
