// SPDX-License-Identifier: MIT
/* Kestrel: device register mappings. */
#include "mm/mmio.h"
#include "mm/layout.h"

/* For now: the direct map, which the loader maps for the first 4 GiB at
 * least, where the LAPIC, IO APIC and HPET live. QEMU does not care
 * about cacheability; real hardware relies on the firmware's MTRRs
 * marking these ranges uncached until the VMM maps them UC itself. */
void *mmio_map(uint64_t phys, uint64_t len)
{
	if (!phys_in_direct_map(phys + len - 1))
		return 0;
	return phys_to_virt(phys);
}
