// SPDX-License-Identifier: MIT
/*
 * Kestrel: self-tests of TLB shootdowns and their batching (mm/tlb_batch.h).
 * Each test loads a scratch address space on this CPU, lets the TLB
 * cache some of its pages through the user-copy helpers, changes the
 * mappings and checks that (1) the change is one shootdown request, not
 * one per page, and (2) the old translation is gone from this CPU: a
 * copy through it now faults (-EFAULT: the boot thread has no process
 * to resolve the fault) instead of reaching a freed or read-only page.
 */
#include "test/selftest.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "mm/usercopy.h"
#include "mm/uvm.h"
#include "mm/vmalloc.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/tlb.h"
#include "lib/errno.h"

#define TEST_BASE   0x40000000ull
#define MUNMAP_PAGES 1000 /* above TLB_BATCH_INLINE and the full-flush threshold */
#define SMALL_PAGES  4    /* below the full-flush threshold: invlpg per page */
#define FORK_PAGE    10

/* A scratch space with one read-write region of `pages` pages, all
 * faulted in; NULL if out of memory. */
static struct vm_space *scratch_space(uint64_t pages)
{
	struct vm_space *vs = uvm_create();

	if (!vs)
		return NULL;
	if (uvm_add_vma(vs, TEST_BASE, TEST_BASE + pages * PAGE_SIZE, VM_READ | VM_WRITE, 0)) {
		uvm_destroy(vs);
		return NULL;
	}
	for (uint64_t i = 0; i < pages; i++)
		if (uvm_prefault(vs, TEST_BASE + i * PAGE_SIZE)) {
			uvm_destroy(vs);
			return NULL;
		}
	return vs;
}

/* Load pml4 on this CPU (interrupts off: nothing else runs meanwhile). */
static void load(uint64_t pml4)
{
	arch_switch_pml4(pml4);
	tlb_note_loaded(pml4);
}

static uint64_t requests(void)
{
	struct tlb_stats s;

	tlb_get_stats(&s);
	return s.requests;
}

static uint64_t ipis(void)
{
	struct tlb_stats s;

	tlb_get_stats(&s);
	return s.ipis;
}

/* Can the kernel write one byte at page i of the scratch region (which
 * also caches the translation)? */
static bool writable(uint64_t i)
{
	char c = 'k';
	return copy_to_user(TEST_BASE + i * PAGE_SIZE, &c, 1) == 0;
}

static bool readable(uint64_t i)
{
	char c;
	return copy_from_user(&c, TEST_BASE + i * PAGE_SIZE, 1) == 0;
}

/* The munmap half of tlb_batch_munmap, with vs loaded. */
static const char *munmap_checks(struct vm_space *vs)
{
	if (!writable(0) || !writable(MUNMAP_PAGES - 1))
		return "a faulted-in page is not writable";
	uint64_t before = requests(), sent = ipis();
	uvm_unmap(vs, TEST_BASE, TEST_BASE + MUNMAP_PAGES * PAGE_SIZE);
	if (requests() - before != 1)
		return "unmapping 1000 pages was not exactly one shootdown request";
	if (ipis() != sent)
		return "a flush of a space only this CPU has loaded interrupted another CPU";
	if (readable(0) || readable(MUNMAP_PAGES - 1))
		return "an unmapped page is still reachable through the TLB";
	return NULL;
}

SELFTEST(tlb_batch_munmap)
{
	uint64_t free_before = pmm_free_pages();
	struct vm_space *vs = scratch_space(MUNMAP_PAGES);

	if (!vs)
		return "out of memory for the scratch space";
	uint64_t flags = irq_save(), old = arch_current_pml4();
	load(vs->pml4);
	const char *err = munmap_checks(vs);
	load(old);
	irq_restore(flags);
	uvm_destroy(vs);
	if (!err && pmm_free_pages() != free_before)
		return "pages not all freed after munmap and destroy";
	return err;
}

/* mprotect of a few pages (flushed page by page), then fork's
 * write-protection of the parent, with vs loaded. */
static const char *protect_fork_checks(struct vm_space *vs)
{
	if (!writable(0) || !writable(SMALL_PAGES - 1) || !writable(FORK_PAGE))
		return "a faulted-in page is not writable";
	uint64_t before = requests();
	if (uvm_protect(vs, TEST_BASE, TEST_BASE + SMALL_PAGES * PAGE_SIZE, VM_READ))
		return "mprotect failed";
	if (requests() - before != 1)
		return "mprotect of 4 pages was not exactly one shootdown request";
	if (writable(0) || writable(SMALL_PAGES - 1))
		return "a page made read-only is still writable through the TLB";
	if (!readable(0))
		return "a page made read-only is not readable";
	before = requests();
	struct vm_space *child = uvm_fork(vs);
	if (!child)
		return "fork: out of memory";
	bool parent_flushed = requests() - before == 1;
	bool still_writable = writable(FORK_PAGE);
	uvm_destroy(child);
	if (!parent_flushed)
		return "fork's write-protection was not exactly one shootdown request";
	if (still_writable)
		return "a page shared copy-on-write by fork is still writable through the TLB";
	return NULL;
}

SELFTEST(tlb_batch_protect_fork)
{
	struct vm_space *vs = scratch_space(FORK_PAGE + 1);

	if (!vs)
		return "out of memory for the scratch space";
	uint64_t flags = irq_save(), old = arch_current_pml4();
	load(vs->pml4);
	const char *err = protect_fork_checks(vs);
	load(old);
	irq_restore(flags);
	uvm_destroy(vs);
	return err;
}

/* Destroying a space this CPU still has loaded (as an idle CPU keeps the
 * last process's) switches it to the kernel's PML4 first. */
SELFTEST(tlb_retire_loaded)
{
	struct vm_space *vs = scratch_space(1);

	if (!vs)
		return "out of memory for the scratch space";
	uint64_t flags = irq_save(), old = arch_current_pml4(), pml4 = vs->pml4;
	load(pml4);
	uvm_destroy(vs);
	bool moved = arch_current_pml4() != pml4;
	load(old);
	irq_restore(flags);
	return moved ? NULL : "the CPU still runs on a freed PML4";
}

/* A kernel-half flush reaches every other online CPU, once each, and each
 * answers (a lost answer panics). With one CPU there is nobody to reach. */
SELFTEST(tlb_kernel_every_cpu)
{
	static char probe[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
	unsigned others = smp_cpus_online() - 1;
	uint64_t before = requests(), sent = ipis();

	tlb_shootdown_kernel((uint64_t)probe, (uint64_t)probe + PAGE_SIZE);
	if (requests() - before != 1)
		return "a kernel flush was not exactly one request";
	if (ipis() - sent != others)
		return "a kernel flush did not interrupt each other CPU exactly once";
	return others ? NULL : SELFTEST_SKIP("one CPU online");
}

#define KSTACK_BURST 40

/* Is the stack below top all zero bytes (as a fresh one)? */
static bool stack_zeroed(uint64_t top)
{
	const uint64_t *w = (const uint64_t *)(top - KSTACK_SIZE);

	for (uint64_t i = 0; i < KSTACK_SIZE / sizeof(*w); i++)
		if (w[i])
			return false;
	return true;
}

/* A burst of thread exits: the kernel stacks freed are kept for reuse or
 * flushed together, a few shootdowns for 40 stacks rather than one each;
 * the stacks handed out again are zeroed. */
SELFTEST(tlb_kstack_frees_batched)
{
	uint64_t tops[KSTACK_BURST];
	const char *err = NULL;

	for (int round = 0; round < 2 && !err; round++) {
		for (int i = 0; i < KSTACK_BURST; i++) {
			tops[i] = kstack_alloc();
			if (!tops[i])
				return "kstack_alloc failed";
			if (!stack_zeroed(tops[i]) && !err)
				err = "a kernel stack handed out again is not zeroed";
			*(uint64_t *)(tops[i] - 8) = 0x5a5a5a5a5a5a5a5aull;
		}
		uint64_t before = requests();
		for (int i = 0; i < KSTACK_BURST; i++)
			kstack_free(tops[i]);
		if (requests() - before > 5 && !err) /* 8 kept, the rest 8 to a flush */
			err = "freeing 40 kernel stacks took more than 5 shootdowns";
	}
	return err;
}
