/* SPDX-License-Identifier: MIT */
/* CPU feature detection and enabling: SSE, XSAVE, SMEP, SMAP, UMIP, global pages. */
#ifndef KESTREL_ARCH_FEATURES_H
#define KESTREL_ARCH_FEATURES_H

#include <stdbool.h>
#include <stdint.h>

struct cpu_features {
	bool xsave, avx, smep, smap, umip, pge, pdpe1gb, x2apic, invariant_tsc;
	bool pat;            /* CPUID.1:EDX.PAT: the page attribute table (pat.h) */
	uint32_t xsave_size; /* bytes XSAVE needs for the enabled state (0: FXSAVE, 512) */
	uint64_t xcr0;
	uint32_t hwcap;      /* CPUID.1:EDX, Linux's AT_HWCAP word on x86_64 */
};

/* Enable what this CPU has and log one line saying which. */
void cpu_features_init(void);
/* On another CPU, after cpu_features_init on the boot CPU: check that its
 * CPUID features equal the boot CPU's and apply the boot CPU's CR0, CR4,
 * XCR0, EFER (SCE, NXE) and PAT. NULL when done, else what differs (the
 * caller leaves that CPU out). Interrupts off; logs nothing. */
const char *cpu_features_init_ap(void);
/* The boot CPU's features: written by cpu_features_init, before any
 * other CPU starts, and only read after (an inline read: fpu.c asks on
 * every thread switch). */
extern struct cpu_features cpu_feat;
static inline const struct cpu_features *cpu_features(void)
{
	return &cpu_feat;
}

/* The AT_HWCAP word Linux gives x86_64 programs: CPUID.1:EDX (after
 * cpu_features_init). */
uint64_t cpu_hwcap(void);

/* The query below reads CPUID itself, so it holds before
 * cpu_features_init too. Any context. */

/* What the CPU states about its clocks (0 where it states nothing): the
 * TSC/crystal ratio and the crystal's rate (CPUID 15h), the base
 * frequency (CPUID 16h). */
struct cpu_clock_info {
	uint32_t tsc_denominator, tsc_numerator, crystal_hz, base_mhz;
};
void cpu_clock_info(struct cpu_clock_info *out);

#endif
