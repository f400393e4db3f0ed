// SPDX-License-Identifier: MIT
/*
 * Kestrel: the ACPI PM timer (ACPI 6.5, section 4.8.3.3): a 3.579545 MHz
 * up-counter, 24 bits wide unless the FADT sets TMR_VAL_EXT, read from
 * an I/O port or (through X_PM_TMR_BLK) memory. It cannot be stopped or
 * programmed, only read.
 */
#include <stddef.h>
#include "dev/pmtimer.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/io.h"
#include "mm/mmio.h"
#include "log.h"

#define PM_TIMER_HZ      3579545u
#define PM_TIMER_MASK_24 0xffffffull
#define PM_TIMER_MASK_32 0xffffffffull
#define PM_TIMER_BYTES   4u
#define START_POLLS      100000

static struct {
	uint16_t port;
	volatile uint32_t *mmio;
} pm;

static uint64_t pm_read(void)
{
	uint32_t v = pm.mmio ? mmio_read32(pm.mmio) : inl(pm.port);
	return v;
}

static struct refclock pm_clock = { .name = "ACPI PM timer", .hz = PM_TIMER_HZ, .read = pm_read };

static bool counter_moves(void)
{
	uint64_t first = pm_read() & pm_clock.mask;

	for (int i = 0; i < START_POLLS; i++) {
		if ((pm_read() & pm_clock.mask) != first)
			return true;
		cpu_pause();
	}
	return false;
}

const struct refclock *pmtimer_init(const struct acpi_pm_timer_info *info)
{
	if (!info || !info->present)
		return NULL;
	if (info->mmio) {
		pm.mmio = mmio_map(info->address, PM_TIMER_BYTES);
		if (!pm.mmio) {
			klog(LOG_WARN, "pmtimer: cannot map %#lx\n", info->address);
			return NULL;
		}
	} else {
		pm.port = (uint16_t)info->address;
	}
	/* Bits above the counter's width read as zero on a 24-bit timer,
	 * but masking costs nothing and guards against firmware that lies. */
	pm_clock.mask = info->ext32 ? PM_TIMER_MASK_32 : PM_TIMER_MASK_24;
	if (!counter_moves()) {
		klog(LOG_WARN, "pmtimer: does not count; not used\n");
		return NULL;
	}
	return &pm_clock;
}
