// SPDX-License-Identifier: MIT
/* Kestrel: picking the reference clock (see refclocks.h). The clock that
 * uses it (time/time.c) sits below the drivers and is handed it by main.c. */
#include <stddef.h>
#include "dev/refclocks.h"
#include "dev/hpet.h"
#include "dev/pit.h"
#include "dev/pmtimer.h"
#include "firmware/acpi.h"

const struct refclock *refclock_pick(void)
{
	const struct refclock *c = hpet_init(acpi_hpet());

	if (!c)
		c = pmtimer_init(acpi_pm_timer());
	if (!c)
		c = pit_clock_init();
	return c;
}
