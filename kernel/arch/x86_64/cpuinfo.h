/* SPDX-License-Identifier: MIT */
/* What /proc/cpuinfo says about the CPU: its identity and feature flags, read from CPUID. */
#ifndef KESTREL_ARCH_CPUINFO_H
#define KESTREL_ARCH_CPUINFO_H

struct cpu_ident {
	char vendor[13];          /* "GenuineIntel", "AuthenticAMD"... */
	char model_name[49];      /* the brand string; "" if the CPU has none */
	unsigned family, model, stepping; /* as Linux computes them */
	unsigned cpuid_level;     /* the highest basic CPUID leaf */
	unsigned phys_bits, virt_bits; /* address sizes; 0 if not reported */
};

/* This CPU's identity. Any context. */
void cpu_identify(struct cpu_ident *out);

/* Call fn with the name of each feature flag this CPU has, as Linux's
 * /proc/cpuinfo spells them (a subset of Linux's list), in its order. */
void cpu_each_flag(void (*fn)(const char *name, void *ctx), void *ctx);

#endif
