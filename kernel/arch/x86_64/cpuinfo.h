/* SPDX-License-Identifier: MIT */
/* What /proc/cpuinfo says about the CPU: its identity and feature flags, read from CPUID. */
#ifndef KESTREL_ARCH_CPUINFO_H
#define KESTREL_ARCH_CPUINFO_H

#include <stdint.h>

struct cpu_ident {
	char vendor[13];          /* "GenuineIntel", "AuthenticAMD"... */
	char model_name[49];      /* the brand string; "" if the CPU has none */
	unsigned family, model, stepping; /* as Linux computes them */
	unsigned cpuid_level;     /* the highest basic CPUID leaf */
	unsigned phys_bits, virt_bits; /* address sizes; 0 if not reported */
	unsigned cache_kb;        /* "cache size" as Linux finds it: Intel's largest level
				   * (leaf 4), else the L2 (0x80000006); 0 if not reported */
};

/* This CPU's identity. Any context. */
void cpu_identify(struct cpu_ident *out);

/* Call fn with the name of each feature flag this CPU has, as Linux's
 * /proc/cpuinfo spells them (a subset of Linux's list), in its order. */
void cpu_each_flag(void (*fn)(const char *name, void *ctx), void *ctx);

/* Where a CPU sits in the machine, as Linux numbers it in /proc/cpuinfo. */
struct cpu_topo {
	unsigned package;  /* "physical id" */
	unsigned core;     /* "core id": the core within its package */
	unsigned thread;   /* the SMT thread within its core */
};

/* The place of the CPU with APIC id apic_id, decoded with the topology
 * CPUID reports on this CPU (every CPU reports the same). Any context. */
void cpu_topology_of(uint32_t apic_id, struct cpu_topo *out);

#endif
