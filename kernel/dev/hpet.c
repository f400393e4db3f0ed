// SPDX-License-Identifier: MIT
/*
 * Kestrel: the HPET (IA-PC HPET specification 1.0a, section 2.3) as a
 * free-running counter. Only the general capabilities, the general
 * configuration's enable bit and the main counter are used.
 */
#include <stddef.h>
#include "dev/hpet.h"
#include "arch/x86_64/cpu.h"
#include "mm/mmio.h"
#include "log.h"

#define HPET_MMIO_SIZE        0x400u
#define HPET_REG_CAPS         0x000u
#define HPET_REG_CONFIG       0x010u
#define HPET_REG_COUNTER      0x0f0u
#define HPET_CAPS_COUNT_64    (1ull << 13)
#define HPET_CAPS_PERIOD_SHIFT 32       /* femtoseconds per count, bits 63:32 */
#define HPET_PERIOD_MAX_FS    100000000ull /* the spec's limit: 100 ns */
#define HPET_CONFIG_ENABLE    (1ull << 0)
#define HPET_CONFIG_LEGACY    (1ull << 1)  /* comparators 0/1 replace the PIT's IRQ 0 and the RTC's IRQ 8 */
#define FS_PER_SEC            1000000000000000ull
#define COUNTER_MASK_32       0xffffffffull
#define COUNTER_MASK_64       (~0ull)
#define START_POLLS           100000   /* reads to wait for the counter to move */

static volatile uint8_t *hpet_regs;

static uint64_t hpet_read(void)
{
	return mmio_read64(hpet_regs + HPET_REG_COUNTER);
}

static struct refclock hpet_clock = { .name = "HPET", .read = hpet_read };

/* True once the main counter has been seen to advance. */
static bool counter_moves(void)
{
	uint64_t first = hpet_read();

	for (int i = 0; i < START_POLLS; i++) {
		if (hpet_read() != first)
			return true;
		cpu_pause();
	}
	return false;
}

const struct refclock *hpet_init(const struct acpi_hpet_info *info)
{
	if (!info)
		return NULL;
	hpet_regs = mmio_map(info->address, HPET_MMIO_SIZE);
	if (!hpet_regs) {
		klog(LOG_WARN, "hpet: cannot map %#lx\n", info->address);
		return NULL;
	}
	uint64_t caps = mmio_read64(hpet_regs + HPET_REG_CAPS);
	uint64_t period = caps >> HPET_CAPS_PERIOD_SHIFT;
	if (period == 0 || period > HPET_PERIOD_MAX_FS) {
		klog(LOG_WARN, "hpet: at %#lx reports a period of %lu fs; not used\n", info->address, period);
		return NULL;
	}
	hpet_clock.hz = FS_PER_SEC / period;
	hpet_clock.mask = caps & HPET_CAPS_COUNT_64 ? COUNTER_MASK_64 : COUNTER_MASK_32;
	/* Legacy replacement off: IRQ 0 stays the PIT's, as the MADT says. */
	uint64_t config = mmio_read64(hpet_regs + HPET_REG_CONFIG);
	mmio_write64(hpet_regs + HPET_REG_CONFIG, (config & ~HPET_CONFIG_LEGACY) | HPET_CONFIG_ENABLE);
	if (!counter_moves()) {
		klog(LOG_WARN, "hpet: main counter does not count; not used\n");
		return NULL;
	}
	return &hpet_clock;
}
