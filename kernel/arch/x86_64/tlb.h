/* SPDX-License-Identifier: MIT */
/* TLB shootdowns: flushing a translation on every CPU that may hold it. */
#ifndef KESTREL_ARCH_TLB_H
#define KESTREL_ARCH_TLB_H

#include <stdint.h>
#include "arch/x86_64/paging.h"

/*
 * Each CPU records the PML4 its CR3 holds. A mapping removed or made
 * weaker (unmapped, write-protected, pointed at another page) in an
 * address space must be flushed on every CPU that has it loaded before
 * the caller relies on it: before the page is freed or reused, before
 * munmap/mprotect/fork returns. A CPU answers a request from its
 * VEC_IPI_TLB handler or, while it spins for the kernel lock with
 * interrupts off, from tlb_poll(); the requester waits for every answer.
 * One request is in flight at a time: senders (the kernel lock's holder,
 * a page fault without it holding its space's lock, mm/uvm.h) take turns
 * on a lock of tlb.c's, answering requests while they wait for it. A
 * sender holds no spinlock another CPU spins on without answering.
 */

/* Record the boot CPU's CR3 (the kernel's PML4, which a retired
 * space's CPUs load) and route paging.c's flushes (arch_unmap_page...)
 * here. Until tlb_attach_cpus, requests flush this CPU alone. */
void tlb_init(void);

/*
 * The other CPUs as this file reaches them, handed over by smp.c once,
 * before it starts any (smp.c, the APIC and the interrupt table call
 * into mm, which calls here: so they come as pointers, not calls). The
 * VEC_IPI_TLB handler is installed through set_handler then.
 */
#define TLB_MAX_CPUS 64 /* mailboxes: SMP_MAX_CPUS (smp.h) */
struct trap_frame;
struct tlb_cpus {
	unsigned (*self)(void);                         /* this CPU's dense id */
	unsigned (*online)(void);                       /* ids 0 .. online() - 1 */
	void (*send_ipi)(unsigned id, unsigned vector); /* not to this CPU */
	void (*set_handler)(unsigned vector, void (*h)(struct trap_frame *tf));
};
void tlb_attach_cpus(const struct tlb_cpus *cpus);

/* This CPU's CR3 now holds pml4 (after a switch, at AP start). */
void tlb_note_loaded(uint64_t pml4);
/* The same for CPU cpu, which is this CPU (the switch knows its id). */
void tlb_note_loaded_on(unsigned cpu, uint64_t pml4);
/* Load the address space whose tables are at pml4 into this CPU's CR3,
 * unless it is loaded: noted in the mailbox first, so a shootdown that
 * misses the note wrote the tables before the load. Any context: the
 * note and the load are made with interrupts off, on one CPU (a caller
 * with interrupts on may be moved to another CPU before or after, whose
 * switch loads its process's space). tlb_load_on: the same with
 * interrupts off already on CPU cpu, which is this CPU (the switch
 * knows its id). */
void tlb_load(uint64_t pml4);
void tlb_load_changed(unsigned cpu, uint64_t pml4); /* tlb_load_on's load */
static inline void tlb_load_on(unsigned cpu, uint64_t pml4)
{
	if (arch_current_pml4() != (pml4 & PTE_ADDR)) /* CR3 only when it changes */
		tlb_load_changed(cpu, pml4);
}

/* Flush [start, end) of the address space pml4 on every CPU that has it
 * loaded, this one included; returns when all have. A large range may be
 * flushed whole. */
void tlb_shootdown(uint64_t pml4, uint64_t start, uint64_t end);

/* The same for kernel-half addresses, which every CPU shares. */
void tlb_shootdown_kernel(uint64_t start, uint64_t end);

/* pml4 is about to be freed: every CPU whose CR3 still holds it (an idle
 * CPU, or a kernel thread, keeps the last process's) loads the kernel's
 * PML4 first. */
void tlb_retire_pml4(uint64_t pml4);

/* membarrier(2): every other CPU whose CR3 holds pml4 (every CPU, for
 * pml4 0) takes the request's IPI, or answers from tlb_poll, and runs a
 * full memory barrier (MFENCE) before this returns; this CPU too.
 * Flushes nothing. Interrupts on or off, no spinlock held. */
void tlb_barrier(uint64_t pml4);

/* Answer a pending request for this CPU, if any (interrupts off). */
void tlb_poll(void);

/* Counts since boot, for the self-tests and /proc: requests (calls that
 * flushed something: each is one round of IPIs at most), IPIs sent,
 * requests flushed whole (above the per-page threshold), retired PML4s. */
struct tlb_stats {
	uint64_t requests, ipis, full_flushes, retires;
};
void tlb_get_stats(struct tlb_stats *out);

#endif
