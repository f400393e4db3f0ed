// SPDX-License-Identifier: MIT
// Fault test: reading a kernel (or non-canonical) address from ring 3 must end with SIGSEGV.
#include <stdint.h>
#include <stdlib.h>
#include "selftest.h"

/*
 * Usage: t-kernelread [ADDRESS]. The default is the base of Kestrel's kernel
 * image, a present supervisor-only page (a page fault with the user bit).
 * 0x0000800000000000 is the first non-canonical address: that load raises
 * #GP instead of #PF, and must become SIGSEGV just the same.
 */
int main(int argc, char **argv)
{
	uintptr_t addr = argc > 1 ? strtoull(argv[1], NULL, 0) : 0xffffffff80000000ull;
	uint64_t value;

	t_begin("kernelread");
	t_say("reading 0x%lx from user mode, expect SIGSEGV", (unsigned long)addr);
	__asm__ volatile("mov (%1), %0" : "=r"(value) : "r"(addr) : "memory");
	t_fail("read 0x%lx from 0x%lx and survived", (unsigned long)value, (unsigned long)addr);
	return 1;
}
