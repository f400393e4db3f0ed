// SPDX-License-Identifier: MIT
// Loader test: a static-pie (ET_DYN, no interpreter) linked at 0 must run relocated elsewhere.
#include <elf.h>
#include <stdint.h>
#include <sys/auxv.h>
#include "selftest.h"

/* The ELF header, wherever the kernel put it: the load base for a PIE linked at 0. */
extern const Elf64_Ehdr __ehdr_start;

/*
 * An initialised pointer in .data needs an R_X86_64_RELATIVE relocation.
 * musl's rcrt1.o applies those before main, finding itself through
 * AT_PHDR; if the kernel reported the program headers wrongly, this still
 * holds the link-time address (a small number) and the check below fails.
 */
static int (*volatile main_ptr)(void);
int main(void);
static int (*volatile relocated_ptr)(void) = main;

int main(void)
{
	uintptr_t base = (uintptr_t)&__ehdr_start;

	t_begin("pie");
	main_ptr = main;	/* computed RIP-relative: the true run-time address */
	t_say("loaded at 0x%lx, main at %p", (unsigned long)base, (void *)(uintptr_t)main_ptr);
	if (__ehdr_start.e_type != ET_DYN)
		t_fail("e_type %u, not ET_DYN", __ehdr_start.e_type);
	if (base < 0x1000 || base % 4096 != 0)
		t_fail("load base 0x%lx: not relocated from 0 to a page-aligned address",
		       (unsigned long)base);
	if ((uintptr_t)main_ptr < base)
		t_fail("main at %p is below the load base", (void *)(uintptr_t)main_ptr);
	if (relocated_ptr != main_ptr)
		t_fail("initialised pointer holds %p, not main %p: relocations not applied",
		       (void *)(uintptr_t)relocated_ptr, (void *)(uintptr_t)main_ptr);
	if (getauxval(AT_ENTRY) != base + __ehdr_start.e_entry)
		t_fail("AT_ENTRY 0x%lx, want base + e_entry 0x%lx", getauxval(AT_ENTRY),
		       (unsigned long)(base + __ehdr_start.e_entry));
	if (getauxval(AT_PHDR) != base + __ehdr_start.e_phoff)
		t_fail("AT_PHDR 0x%lx, want base + e_phoff 0x%lx", getauxval(AT_PHDR),
		       (unsigned long)(base + __ehdr_start.e_phoff));
	return t_finish();
}
