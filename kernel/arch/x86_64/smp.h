/* SPDX-License-Identifier: MIT */
/* The other CPUs: bring-up of the application processors, CPU numbering, IPIs. */
#ifndef KESTREL_ARCH_SMP_H
#define KESTREL_ARCH_SMP_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/percpu.h"
#include "bootinfo.h"

/* At most this many CPUs are brought up (the MADT parser keeps as many). */
#define SMP_MAX_CPUS 64

/*
 * Start every application processor the MADT lists as enabled (or
 * online-capable, as Linux), up to max_cpus CPUs in all counting the boot
 * CPU (0: no limit; 1: none started, as `nosmp`). Each AP runs the
 * loader's trampoline below 1 MiB (bi->ap_trampoline), loads its own GDT,
 * TSS with IST stacks, the IDT and its per-CPU block, enables the boot
 * CPU's features (checked equal), its local APIC and timer at the boot
 * CPU's rate, and enters the scheduler (sched_ap_enter), which it never
 * leaves. A CPU that does not answer in time is logged and left out.
 * Called once by the boot thread, holding the kernel lock, after
 * sched_init. Logs one line: "smp: N CPUs online (...)".
 */
void smp_init(const struct kbi_boot_info *bi, unsigned max_cpus);

/* CPUs online: 1 before smp_init, then those that answered. Their ids are
 * 0 (the boot CPU) .. smp_cpus_online() - 1, dense. */
unsigned smp_cpus_online(void);

/* The per-CPU block of online CPU id; NULL when id is not online. */
struct percpu *smp_cpu(unsigned id);

/* This CPU's dense id. */
static inline unsigned smp_cpu_id(void)
{
	return this_cpu()->cpu_id;
}

/* Send a fixed-delivery IPI with vector to online CPU id (not this one).
 * Any context, interrupts on or off. */
void smp_send_ipi(unsigned id, unsigned vector);

#endif
