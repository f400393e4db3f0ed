// SPDX-License-Identifier: MIT
/*
 * Kestrel x86_64: FPU state. The kernel itself never touches FPU or SSE
 * registers (-mgeneral-regs-only), so only user state exists, and it is
 * saved and restored eagerly on every thread switch: simpler than lazy
 * switching and free of its #NM subtleties, at the cost of a few hundred
 * bytes copied per switch.
 */
#include <stdint.h>
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/features.h"
#include "lib/string.h"

#define FXSAVE_SIZE    512
#define MXCSR_DEFAULT  0x1f80  /* all exceptions masked, round to nearest */
#define XSAVE_MAX      4096

static uint8_t clean[XSAVE_MAX] __attribute__((aligned(64)));

static uint64_t xcr0(void)
{
	return cpu_features()->xcr0;
}

size_t fpu_area_size(void)
{
	return cpu_features()->xsave ? cpu_features()->xsave_size : FXSAVE_SIZE;
}

void fpu_save(void *area)
{
	if (cpu_features()->xsave)
		__asm__ volatile("xsave64 (%0)" ::"r"(area), "a"((uint32_t)xcr0()),
				 "d"((uint32_t)(xcr0() >> 32)) : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" ::"r"(area) : "memory");
}

void fpu_restore(const void *area)
{
	if (cpu_features()->xsave)
		__asm__ volatile("xrstor64 (%0)" ::"r"(area), "a"((uint32_t)xcr0()),
				 "d"((uint32_t)(xcr0() >> 32)) : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}

void fpu_boot_init(void)
{
	uint32_t mxcsr = MXCSR_DEFAULT;

	__asm__ volatile("fninit; ldmxcsr %0" ::"m"(mxcsr));
	fpu_save(clean);
}

void fpu_init_area(void *area)
{
	memcpy(area, clean, fpu_area_size());
}
