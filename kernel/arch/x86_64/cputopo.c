// SPDX-License-Identifier: MIT
/*
 * Kestrel x86_64: where a CPU sits in the machine (package, core, thread),
 * decoded from its APIC id as Linux does for /proc/cpuinfo: CPUID leaf
 * 0xB gives the number of APIC-id bits of the SMT and core levels; an
 * older CPU without it counts as one package whose logical CPUs
 * (CPUID.1:EBX[23:16]) are each a core.
 */
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/cpuinfo.h"
#include "arch/x86_64/cpu.h"

#define CPUID_VENDOR      0u
#define CPUID_FEATURES    1u
#define CPUID_TOPOLOGY    0xbu
#define TOPO_LEVEL_SMT    1u     /* CPUID.B:ECX[15:8], the level's type */
#define TOPO_LEVEL_CORE   2u
#define TOPO_SHIFT_MASK   0x1fu  /* CPUID.B:EAX[4:0]: APIC-id bits below the next level */
#define TOPO_SUBLEAF_MAX  8u
#define FEAT_HTT          (1u << 28) /* CPUID.1:EDX: EBX[23:16] is valid */

/* The APIC-id bits of the SMT level and of the whole package. */
struct topo_shifts {
	unsigned smt, pkg;
};

/* Bits needed to number n things (0 for n <= 1). */
static unsigned bits_for(unsigned n)
{
	unsigned b = 0;

	while (b < 31 && (1u << b) < n)
		b++;
	return b;
}

/* The shifts from leaf 0xB: false when the CPU has no such leaf. */
static bool shifts_from_leaf_b(struct topo_shifts *s)
{
	uint32_t r[4];
	bool any = false;

	cpuid(CPUID_VENDOR, 0, r);
	if (r[0] < CPUID_TOPOLOGY)
		return false;
	s->smt = s->pkg = 0;
	for (uint32_t sub = 0; sub < TOPO_SUBLEAF_MAX; sub++) {
		cpuid(CPUID_TOPOLOGY, sub, r);
		unsigned type = (r[2] >> 8) & 0xff, shift = r[0] & TOPO_SHIFT_MASK;
		if (type == 0)
			break;
		if (type == TOPO_LEVEL_SMT)
			s->smt = shift;
		s->pkg = shift; /* the last level's shift is the package's */
		any = true;
	}
	return any;
}

/* The shifts the leaf 1 way: one package, no SMT. */
static void shifts_from_leaf_1(struct topo_shifts *s)
{
	uint32_t r[4];

	cpuid(CPUID_FEATURES, 0, r);
	s->smt = 0;
	s->pkg = r[3] & FEAT_HTT ? bits_for((r[1] >> 16) & 0xff) : 0;
}

/* The shifts, read once: every CPU reports the same (bring-up checks the
 * CPUs equal). A race of two first readers stores the same values. */
static struct topo_shifts shifts(void)
{
	static struct topo_shifts cached;
	static bool known;
	struct topo_shifts s;

	if (known)
		return cached;
	if (!shifts_from_leaf_b(&s))
		shifts_from_leaf_1(&s);
	if (s.pkg < s.smt)
		s.pkg = s.smt;
	cached = s;
	known = true;
	return s;
}

void cpu_topology_of(uint32_t apic_id, struct cpu_topo *out)
{
	struct topo_shifts s = shifts();

	out->package = s.pkg >= 32 ? 0 : apic_id >> s.pkg;
	out->core = (apic_id & ((s.pkg >= 32 ? 0u : 1u << s.pkg) - 1)) >> s.smt;
	out->thread = apic_id & ((1u << s.smt) - 1);
}
