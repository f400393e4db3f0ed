/* SPDX-License-Identifier: MIT */
/* CPU feature detection and enabling: SSE, XSAVE, SMEP, SMAP, UMIP, global pages. */
#ifndef KESTREL_ARCH_FEATURES_H
#define KESTREL_ARCH_FEATURES_H

#include <stdbool.h>
#include <stdint.h>

struct cpu_features {
	bool xsave, avx, smep, smap, umip, pge, pdpe1gb, x2apic, invariant_tsc;
	uint32_t xsave_size; /* bytes XSAVE needs for the enabled state (0: FXSAVE, 512) */
	uint64_t xcr0;
};

/* Enable what this CPU has and log one line saying which. */
void cpu_features_init(void);
const struct cpu_features *cpu_features(void);

/* The queries below read CPUID themselves, so they hold before
 * cpu_features_init too. Any context. */

/* 1 GiB pages in the page tables (CPUID.80000001h:EDX.Page1GB). */
bool cpu_has_1g_pages(void);

/* The AT_HWCAP word Linux gives x86_64 programs: CPUID.1:EDX. */
uint64_t cpu_hwcap(void);

/* What the CPU states about its clocks (0 where it states nothing): the
 * TSC/crystal ratio and the crystal's rate (CPUID 15h), the base
 * frequency (CPUID 16h). */
struct cpu_clock_info {
	uint32_t tsc_denominator, tsc_numerator, crystal_hz, base_mhz;
};
void cpu_clock_info(struct cpu_clock_info *out);

#endif
