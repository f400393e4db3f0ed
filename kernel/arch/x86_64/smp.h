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

/* smp_init in two halves, so that the APs set themselves up while the
 * boot CPU goes on with the boot: smp_start plans and kicks them (after
 * smp_set_ap_entry, holding the kernel lock; sched_init may come later)
 * and returns at once; smp_finish, later, waits for the answers (SMP_ANSWER_MS from
 * the kick), numbers the CPUs, logs and lets them into the scheduler
 * (after sched_init and smp_set_ap_entry). Until smp_finish only the
 * boot CPU is online: no shootdown or IPI goes to a starting AP, and an
 * AP touches nothing shared but its slot until it is let in, when it
 * drops every TLB entry it has. */
void smp_start(const struct kbi_boot_info *bi, unsigned max_cpus);
void smp_finish(void);
/* smp_start needs no clock (its delays use the early TSC rate, never
 * shorter than asked) and costs wall time under emulation (its
 * allocations touch fresh guest memory; started APs are host threads
 * competing with the boot CPU while they set themselves up): main.c runs
 * it inside the clock's calibration window (time_calibration_work), a
 * wait anyway. */

/* After smp_finish: the largest step back the TSC warp test saw between
 * CPUs (0: in step); the caller then distrusts the TSC as the clock. */
uint64_t smp_tsc_warp(void);
/* smp_tsc_skew=N on the command line, for the test of the warp test: the
 * first AP's readings in it are taken N cycles behind (QEMU's TCG ignores
 * writes to the TSC). Before smp_start. */
void smp_set_tsc_skew(uint64_t cycles);

/* Where a started AP goes once set up, interrupts off, never to return:
 * the scheduler (sched_ap_enter). The scheduler sits above this file, so
 * it is registered, not called (main.c does, before smp_init); without
 * it smp_init starts no CPU. */
void smp_set_ap_entry(void (*enter)(void) __attribute__((noreturn)));

/* Send INIT to every other CPU the MADT lists as enabled, so that each
 * waits for a SIPI instead of running the firmware's AP loop (under
 * emulation a spinning vCPU slows the boot CPU down). Called once by the
 * boot CPU after interrupts_init, before smp_start; harmless for CPUs
 * never started. When every APIC took it, it is the INIT of
 * INIT-SIPI-SIPI: smp_start sends the SIPIs alone. */
void smp_park_others(void);

/* CPUs online: 1 before smp_init, then those that answered. Their ids are
 * 0 (the boot CPU) .. smp_cpus_online() - 1, dense. */
extern volatile unsigned smp_online; /* smp.c's: read it through this */
static inline unsigned smp_cpus_online(void)
{
	return smp_online;
}

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

/* For trap_nmi: when another CPU panics (it sends every other an NMI),
 * record where this CPU was (the panicking CPU prints "cpu N: stopped at
 * RIP") and halt it for good; otherwise return false (an NMI of another
 * cause). */
struct trap_frame;
bool smp_nmi_stop(const struct trap_frame *tf);
/* This CPU's dense id for an NMI handler, which must not read GS (the NMI
 * may have come in ring 3, or in an entry before its swapgs): found by
 * the local APIC's ID; SMP_MAX_CPUS when it is not an online CPU's. */
unsigned smp_nmi_cpu_id(void);

#endif
