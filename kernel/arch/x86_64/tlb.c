// SPDX-License-Identifier: MIT
/*
 * Kestrel x86_64: TLB shootdowns. One request is in flight at a time
 * (its sender holds send_lock): the sender writes the
 * request, raises the generation in the mailbox of each CPU that may
 * hold the translation, sends it VEC_IPI_TLB, flushes its own TLB and
 * spins, interrupts off, until every target has copied the generation
 * into its answer. A target answers from the IPI handler (in ring 3 or
 * idle) or from tlb_poll (spinning for the kernel lock, for send_lock
 * or for an address space's lock, mm/uvm.h). Neither takes the kernel
 * lock: they touch only this CPU's TLB and mailbox.
 *
 * Senders: the kernel lock's holder, and what runs without it holding
 * its space's lock (mm/uvm.c): a page fault's copy-on-write break,
 * munmap, mprotect, brk, mremap and madvise (sys/sys_mem.c's lock-free
 * calls) and fork's copy (uvm_fork); and mm/vmalloc.c's flush of freed
 * kernel stacks, under vm_lock. They
 * take turns on send_lock, spinning with interrupts off and answering
 * the request in flight meanwhile (the sender that holds it may be
 * waiting for this CPU). No sender holds a spinlock that a CPU spins on
 * without answering: send_lock, the space locks, mm/vmalloc.c's vm_lock
 * (held across the flush of freed kernel stacks) and the kernel lock all
 * answer.
 *
 * Without PCIDs a CR3 load drops every non-global entry, so a CPU can
 * hold user translations only of the PML4 its CR3 holds now: that is
 * the one a user request is sent to. Kernel-half entries are global and
 * live on every CPU.
 *
 * mm calls here, so this file calls nothing that calls mm: the CPUs
 * (ids, IPIs, the interrupt table) come from smp.c through
 * tlb_attach_cpus, and paging.c flushes through the hook tlb_init sets.
 */
#include <stddef.h>
#include "arch/x86_64/tlb.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/vectors.h"
#include "lib/spinlock.h"
#include "mm/layout.h"
#include "panic.h"

/* Above this many pages a range is flushed whole (a CR3 reload, or the
 * CR4.PGE toggle for the kernel half) rather than page by page. */
#define TLB_FULL_FLUSH_PAGES 32

/* How long a target may take to answer before the sender panics: a lost
 * IPI is a kernel bug worth seeing. Counted in TSC ticks at the highest
 * rate any x86 TSC runs (time/ sits above arch/ and is not asked): 5 s
 * there, longer on a slower part, never shorter; generous, for an
 * emulator whose virtual CPUs share a few busy host cores. */
#define TLB_ANSWER_TSC_HZ   8000000000ull
#define TLB_ANSWER_SECONDS  5ull

enum tlb_kind {
	TLB_USER,   /* [start, end) of the address space pml4 */
	TLB_KERNEL, /* [start, end) of the kernel half */
	TLB_RETIRE, /* pml4 is about to be freed: stop using it */
	TLB_BARRIER, /* no flush: a full memory barrier on each CPU running pml4 (0: all) */
};

/* The request in flight: written by the sender before it raises any
 * mailbox's generation, read by the targets after they see it. */
static struct {
	enum tlb_kind kind;
	uint64_t pml4, start, end;
} request;
static uint64_t request_gen; /* the sender's: the last generation handed out */
/* Lock rule: request, request_gen, stats and the mailboxes' `asked` are
 * written by the holder of send_lock (interrupts off). Taken with
 * spin_lock_irqoff_poll(tlb_poll); the innermost lock of mm's (an
 * address space's lock, then this). */
static struct spinlock send_lock = SPINLOCK_INIT;

/*
 * One per CPU, on its own cache line. `loaded` is written only by its
 * CPU (note_loaded, or its answer to a retire); a switch loads CR3
 * after it notes the new PML4 here, so a sender that reads the old one
 * wrote its page tables before that load. `asked` is written by the sender, `answered` by the
 * CPU.
 */
struct tlb_mailbox {
	volatile uint64_t loaded;   /* the PML4 this CPU's CR3 holds */
	volatile uint64_t asked;    /* the generation this CPU must answer */
	volatile uint64_t answered; /* the last generation it answered */
} __attribute__((aligned(64)));

static struct tlb_mailbox mbox[TLB_MAX_CPUS];
static const struct tlb_cpus *cpus; /* NULL until smp.c attaches: this CPU alone */
static uint64_t kernel_pml4; /* what a retired space's CPUs load instead; 0 before tlb_init */
static struct tlb_stats stats; /* the sender's (send_lock) */

/* ---------------------------------------------------------------- flushing this CPU */

/* Flush [start, end) from this CPU's TLB: page by page, or whole above
 * the threshold (global entries too when global). */
static void flush_local(uint64_t start, uint64_t end, bool global)
{
	start = page_round_down(start);
	end = page_round_up(end);
	if ((end - start) / PAGE_SIZE > TLB_FULL_FLUSH_PAGES) {
		if (global)
			arch_flush_tlb_all();
		else
			arch_switch_pml4(arch_current_pml4()); /* drops every non-global entry */
		return;
	}
	for (uint64_t va = start; va < end; va += PAGE_SIZE)
		arch_invlpg(va);
}

/* Carry out the request in flight on this CPU (interrupts off). */
static void flush_request(struct tlb_mailbox *m)
{
	switch (request.kind) {
	case TLB_USER:
		if (arch_current_pml4() == request.pml4) /* otherwise its CR3 load flushed it */
			flush_local(request.start, request.end, false);
		break;
	case TLB_KERNEL:
		flush_local(request.start, request.end, true);
		break;
	case TLB_RETIRE:
		if (arch_current_pml4() == request.pml4)
			arch_switch_pml4(kernel_pml4);
		if (m->loaded == request.pml4)
			m->loaded = kernel_pml4;
		break;
	case TLB_BARRIER:
		__atomic_thread_fence(__ATOMIC_SEQ_CST); /* an MFENCE, as Linux's ipi_mb */
		break;
	}
}

/* Answer this CPU's pending request, if any. Interrupts off. */
static void answer(void)
{
	struct tlb_mailbox *m = &mbox[cpus->self()];
	uint64_t gen = __atomic_load_n(&m->asked, __ATOMIC_ACQUIRE);

	if (gen == m->answered)
		return;
	flush_request(m);
	__atomic_store_n(&m->answered, gen, __ATOMIC_RELEASE);
}

/* VEC_IPI_TLB: runs without the kernel lock (trap.c); irq_dispatch
 * sends the EOI. */
static void tlb_ipi(struct trap_frame *tf)
{
	(void)tf;
	answer();
}

void tlb_poll(void)
{
	if (cpus)
		answer();
}

/* ---------------------------------------------------------------- sending */

/* Does CPU id need the request in flight? */
static bool wants(unsigned id)
{
	return request.kind == TLB_KERNEL || (request.kind == TLB_BARRIER && !request.pml4) ||
	       mbox[id].loaded == request.pml4;
}

/* Spin until CPU id has answered generation gen; panic at the deadline. */
static void wait_answer(unsigned id, uint64_t gen, uint64_t deadline)
{
	while (__atomic_load_n(&mbox[id].answered, __ATOMIC_ACQUIRE) != gen) {
		if ((int64_t)(rdtsc() - deadline) > 0)
			panic("tlb: CPU %u did not answer shootdown %lu (kind %d, pml4 %#lx, %#lx-%#lx) in %u s",
			      id, gen, (int)request.kind, request.pml4, request.start, request.end,
			      (unsigned)TLB_ANSWER_SECONDS);
		cpu_pause();
	}
}

/* Post the request (already in `request`) to every other CPU that wants
 * it, carry it out here, and wait for the answers. Interrupts off. */
static void send_and_wait(void)
{
	unsigned self = cpus->self(), n = cpus->online();
	uint64_t gen = ++request_gen;
	bool sent[TLB_MAX_CPUS];

	if (n > TLB_MAX_CPUS)
		panic("tlb: %u CPUs online, mailboxes for %u", n, TLB_MAX_CPUS);
	stats.requests++;
	for (unsigned id = 0; id < n; id++) {
		sent[id] = id != self && wants(id);
		if (!sent[id])
			continue;
		__atomic_store_n(&mbox[id].asked, gen, __ATOMIC_RELEASE);
		__atomic_thread_fence(__ATOMIC_SEQ_CST); /* visible before the IPI (x2APIC ICR writes do not order) */
		cpus->send_ipi(id, VEC_IPI_TLB);
		stats.ipis++;
	}
	flush_request(&mbox[self]); /* it checks this CPU's CR3 itself */
	uint64_t deadline = rdtsc() + TLB_ANSWER_TSC_HZ * TLB_ANSWER_SECONDS;
	for (unsigned id = 0; id < n; id++)
		if (sent[id])
			wait_answer(id, gen, deadline);
}

/* Carry out a request on this CPU alone (before smp.c attaches the
 * others: one CPU runs). */
static void shoot_local(enum tlb_kind kind, uint64_t pml4, uint64_t start, uint64_t end)
{
	if (kind == TLB_KERNEL)
		flush_local(start, end, true);
	else if (kind == TLB_USER && pml4 == arch_current_pml4())
		flush_local(start, end, false);
	else if (kind == TLB_RETIRE && kernel_pml4 && pml4 == arch_current_pml4())
		arch_switch_pml4(kernel_pml4);
	else if (kind == TLB_BARRIER)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Fill in the request and run it on every CPU that wants it. */
static void shoot(enum tlb_kind kind, uint64_t pml4, uint64_t start, uint64_t end)
{
	uint64_t flags = irq_save();
	if (cpus)
		spin_lock_irqoff_poll(&send_lock, tlb_poll);
	if ((kind == TLB_USER || kind == TLB_KERNEL) && (end - start) / PAGE_SIZE > TLB_FULL_FLUSH_PAGES)
		stats.full_flushes++;
	stats.retires += kind == TLB_RETIRE;
	if (!cpus) { /* one CPU runs: no other sender */
		stats.requests++;
		shoot_local(kind, pml4, start, end);
		irq_restore(flags);
		return;
	}
	request.kind = kind;
	request.pml4 = pml4;
	request.start = start;
	request.end = end;
	send_and_wait();
	spin_unlock_irqrestore(&send_lock, flags);
}

/* ---------------------------------------------------------------- the interface */

/* paging.c's hook: va's old translation in pml4 is gone or weaker. */
static void flush_page(uint64_t pml4, uint64_t va)
{
	if (va >= KERNEL_HALF)
		tlb_shootdown_kernel(va, va + PAGE_SIZE);
	else
		tlb_shootdown(pml4, va, va + PAGE_SIZE);
}

void tlb_init(void)
{
	kernel_pml4 = arch_current_pml4();
	mbox[0].loaded = kernel_pml4; /* the boot CPU, id 0 */
	arch_paging_set_flush(flush_page);
}

void tlb_attach_cpus(const struct tlb_cpus *c)
{
	uint64_t flags = irq_save();

	c->set_handler(VEC_IPI_TLB, tlb_ipi);
	cpus = c;
	irq_restore(flags);
}

void tlb_note_loaded_on(unsigned cpu, uint64_t pml4)
{
	mbox[cpu].loaded = pml4 & PTE_ADDR;
}

static unsigned self_id(void)
{
	return cpus ? cpus->self() : 0;
}

void tlb_note_loaded(uint64_t pml4)
{
	mbox[self_id()].loaded = pml4 & PTE_ADDR;
}

void tlb_load_changed(unsigned cpu, uint64_t pml4)
{
	tlb_note_loaded_on(cpu, pml4);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	arch_switch_pml4(pml4);
}

void tlb_load(uint64_t pml4)
{
	uint64_t flags = irq_save(); /* the note and the load on one CPU */

	tlb_load_on(self_id(), pml4);
	irq_restore(flags);
}

void tlb_shootdown(uint64_t pml4, uint64_t start, uint64_t end)
{
	if (start < end)
		shoot(TLB_USER, pml4, start, end);
}

void tlb_shootdown_kernel(uint64_t start, uint64_t end)
{
	if (start < end)
		shoot(TLB_KERNEL, 0, start, end);
}

void tlb_retire_pml4(uint64_t pml4)
{
	shoot(TLB_RETIRE, pml4, 0, 0);
}

void tlb_barrier(uint64_t pml4)
{
	shoot(TLB_BARRIER, pml4, 0, 0);
}

void tlb_get_stats(struct tlb_stats *out)
{
	uint64_t flags = irq_save();
	*out = stats;
	irq_restore(flags);
}
