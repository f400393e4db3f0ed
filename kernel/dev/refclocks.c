// SPDX-License-Identifier: MIT
/* Kestrel: picking the reference clock (see refclocks.h). The clock that
 * uses it (time/time.c) sits below the drivers and is handed it by main.c. */
#include <stddef.h>
#include "dev/refclocks.h"
#include "dev/hpet.h"
#include "dev/pit.h"
#include "dev/pmtimer.h"
#include "firmware/acpi.h"
#include "arch/x86_64/cpu.h"
#include "log.h"

static uint64_t tsc_read(void)
{
	return rdtsc();
}

/* The last resort: the TSC at the rate the loader measured against the
 * firmware's Stall(). Calibrating the TSC against itself just keeps that
 * rate; what it buys is the APIC timer's rate, measured against it, so
 * the scheduler ticks on a machine with none of the other clocks. */
static struct refclock tsc_clock = { .name = "loader-timed TSC", .mask = ~0ull, .read = tsc_read };

const struct refclock *refclock_pick(uint64_t loader_tsc_hz)
{
	const struct refclock *c = hpet_init(acpi_hpet());

	if (!c)
		c = pmtimer_init(acpi_pm_timer());
	if (!c)
		c = pit_clock_init();
	if (!c && loader_tsc_hz) {
		klog(LOG_WARN, "time: no HPET, PM timer or PIT; calibrating against the loader's TSC rate\n");
		tsc_clock.hz = loader_tsc_hz;
		c = &tsc_clock;
	}
	return c;
}
