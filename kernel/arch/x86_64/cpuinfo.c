// SPDX-License-Identifier: MIT
/*
 * Kestrel x86_64: the CPU's identity and flags for /proc/cpuinfo, in the
 * words Linux uses (fs/procfs_show.c writes the file).
 */
#include <stddef.h>
#include <stdint.h>
#include "arch/x86_64/cpuinfo.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"

#define CPUID_VENDOR   0u
#define CPUID_FEATURES 1u
#define CPUID_EXT7     7u
#define CPUID_EXT_MAX  0x80000000u
#define CPUID_EXT_FEAT 0x80000001u
#define CPUID_BRAND    0x80000002u
#define CPUID_ADDR     0x80000008u
#define CPUID_CACHE4   4u          /* deterministic cache parameters, a subleaf per cache */
#define CPUID_L2       0x80000006u /* ECX[31:16]: the L2's size in KiB */
#define CACHE4_MAX     8u          /* subleaves looked at */

struct flag {
	uint8_t reg, bit;   /* reg: 0 CPUID.1:EDX, 1 CPUID.1:ECX, 2 CPUID.7:EBX, 3 ext EDX, 4 ext ECX */
	const char *name;
};

static const struct flag flags[] = {
	{ 0, 0, "fpu" }, { 0, 1, "vme" }, { 0, 2, "de" }, { 0, 3, "pse" }, { 0, 4, "tsc" },
	{ 0, 5, "msr" }, { 0, 6, "pae" }, { 0, 7, "mce" }, { 0, 8, "cx8" }, { 0, 9, "apic" },
	{ 0, 11, "sep" }, { 0, 12, "mtrr" }, { 0, 13, "pge" }, { 0, 14, "mca" }, { 0, 15, "cmov" },
	{ 0, 16, "pat" }, { 0, 17, "pse36" }, { 0, 19, "clflush" }, { 0, 23, "mmx" },
	{ 0, 24, "fxsr" }, { 0, 25, "sse" }, { 0, 26, "sse2" }, { 0, 28, "ht" },
	{ 3, 11, "syscall" }, { 3, 20, "nx" }, { 3, 26, "pdpe1gb" }, { 3, 27, "rdtscp" },
	{ 3, 29, "lm" }, { 1, 0, "pni" }, { 1, 1, "pclmulqdq" }, { 1, 9, "ssse3" },
	{ 1, 12, "fma" }, { 1, 13, "cx16" }, { 1, 19, "sse4_1" }, { 1, 20, "sse4_2" },
	{ 1, 21, "x2apic" }, { 1, 22, "movbe" }, { 1, 23, "popcnt" }, { 1, 25, "aes" },
	{ 1, 26, "xsave" }, { 1, 28, "avx" }, { 1, 29, "f16c" }, { 1, 30, "rdrand" },
	{ 1, 31, "hypervisor" }, { 4, 0, "lahf_lm" }, { 4, 5, "abm" }, { 2, 0, "fsgsbase" },
	{ 2, 3, "bmi1" }, { 2, 5, "avx2" }, { 2, 7, "smep" }, { 2, 8, "bmi2" }, { 2, 9, "erms" },
	{ 2, 18, "rdseed" }, { 2, 19, "adx" }, { 2, 20, "smap" },
};

/* The brand string (CPUID 0x80000002-4), leading spaces dropped. */
static void brand(char out[49])
{
	uint32_t r[4];

	out[0] = '\0';
	cpuid(CPUID_EXT_MAX, 0, r);
	if (r[0] < CPUID_BRAND + 2)
		return;
	for (uint32_t i = 0; i < 3; i++) {
		cpuid(CPUID_BRAND + i, 0, r);
		memcpy(out + 16 * i, r, 16);
	}
	out[48] = '\0';
	size_t lead = 0;
	while (out[lead] == ' ')
		lead++;
	memmove(out, out + lead, 49 - lead);
}

/* Linux's x86_cache_size: on Intel the largest cache of the highest
 * level leaf 4 lists (init_intel_cacheinfo), else the L2 that extended
 * leaf 0x80000006 gives (cpu_detect_cache_sizes). KiB, or 0. */
static unsigned cache_size_kb(const struct cpu_ident *id, uint32_t ext_max)
{
	uint32_t r[4];
	unsigned best_level = 0, kb = 0;

	if (!strcmp(id->vendor, "GenuineIntel") && id->cpuid_level >= CPUID_CACHE4) {
		for (uint32_t i = 0; i < CACHE4_MAX; i++) {
			cpuid(CPUID_CACHE4, i, r);
			if ((r[0] & 0x1f) == 0)
				break; /* no more caches */
			unsigned level = (r[0] >> 5) & 7;
			uint64_t bytes = (uint64_t)((r[1] >> 22) + 1) * (((r[1] >> 12) & 0x3ff) + 1) *
					 ((r[1] & 0xfff) + 1) * ((uint64_t)r[2] + 1);
			if (level >= best_level && (r[0] & 0x1f) != 1) { /* not a data-only L1 */
				best_level = level;
				kb = (unsigned)(bytes / 1024);
			}
		}
		if (kb)
			return kb;
	}
	if (ext_max < CPUID_L2)
		return 0;
	cpuid(CPUID_L2, 0, r);
	return r[2] >> 16;
}

void cpu_identify(struct cpu_ident *out)
{
	uint32_t r[4], sig[4];

	cpuid(CPUID_VENDOR, 0, r);
	out->cpuid_level = r[0];
	memcpy(out->vendor, &r[1], 4);
	memcpy(out->vendor + 4, &r[3], 4);
	memcpy(out->vendor + 8, &r[2], 4);
	out->vendor[12] = '\0';
	cpuid(CPUID_FEATURES, 0, sig);
	out->family = (sig[0] >> 8) & 0xf;
	out->model = (sig[0] >> 4) & 0xf;
	out->stepping = sig[0] & 0xf;
	if (out->family == 0xf)
		out->family += (sig[0] >> 20) & 0xff;
	if (out->family >= 6)
		out->model |= ((sig[0] >> 16) & 0xf) << 4;
	brand(out->model_name);
	out->phys_bits = out->virt_bits = 0;
	cpuid(CPUID_EXT_MAX, 0, r);
	uint32_t ext_max = r[0];
	if (ext_max >= CPUID_ADDR) {
		cpuid(CPUID_ADDR, 0, r);
		out->phys_bits = r[0] & 0xff;
		out->virt_bits = (r[0] >> 8) & 0xff;
	}
	out->cache_kb = cache_size_kb(out, ext_max);
}

void cpu_each_flag(void (*fn)(const char *name, void *ctx), void *ctx)
{
	uint32_t r[4], regs[5] = { 0 };

	cpuid(CPUID_VENDOR, 0, r);
	uint32_t max_leaf = r[0];
	cpuid(CPUID_FEATURES, 0, r);
	regs[0] = r[3];
	regs[1] = r[2];
	if (max_leaf >= CPUID_EXT7) {
		cpuid(CPUID_EXT7, 0, r);
		regs[2] = r[1];
	}
	cpuid(CPUID_EXT_MAX, 0, r);
	if (r[0] >= CPUID_EXT_FEAT) {
		cpuid(CPUID_EXT_FEAT, 0, r);
		regs[3] = r[3];
		regs[4] = r[2];
	}
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (regs[flags[i].reg] & (1u << flags[i].bit))
			fn(flags[i].name, ctx);
}
