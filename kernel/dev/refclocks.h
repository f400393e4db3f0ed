/* SPDX-License-Identifier: MIT */
/* The machine's reference clocks (HPET, ACPI PM timer, PIT, the loader-timed TSC), best first, for the kernel clock to calibrate against. */
#ifndef KESTREL_DEV_REFCLOCKS_H
#define KESTREL_DEV_REFCLOCKS_H

#include "time/refclock.h"

/* Starts the best reference clock the firmware tables and the hardware
 * offer: the HPET, else the ACPI PM timer, else the PIT's channel 2,
 * else the TSC counted at loader_tsc_hz (the loader's measurement; any
 * of the three may be missing on a laptop). Needs acpi_init and the
 * kernel page tables (the HPET is MMIO). NULL, each miss logged by its
 * driver, when there is none and loader_tsc_hz is 0. */
const struct refclock *refclock_pick(uint64_t loader_tsc_hz);

#endif
