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

#endif
