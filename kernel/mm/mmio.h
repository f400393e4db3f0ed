/* SPDX-License-Identifier: MIT */
/* Access to device registers (LAPIC, IO APIC, HPET...) by physical address. */
#ifndef KESTREL_MM_MMIO_H
#define KESTREL_MM_MMIO_H

#include <stdint.h>

/* A kernel pointer to len bytes of device registers at phys, mapped
 * uncached; NULL if it cannot be mapped. Call once per device at init. */
void *mmio_map(uint64_t phys, uint64_t len);

static inline uint32_t mmio_read32(const volatile void *p) { return *(const volatile uint32_t *)p; }
static inline void mmio_write32(volatile void *p, uint32_t v) { *(volatile uint32_t *)p = v; }
static inline uint64_t mmio_read64(const volatile void *p) { return *(const volatile uint64_t *)p; }
static inline void mmio_write64(volatile void *p, uint64_t v) { *(volatile uint64_t *)p = v; }

#endif
