// SPDX-License-Identifier: MIT
// Fault test: a read from address 0 must end the program with SIGSEGV (signal 11).
#include <stdint.h>
#include "selftest.h"

int main(void)
{
	uintptr_t addr = 0;
	uint64_t value;

	t_begin("nullderef");
	t_say("reading address 0, expect SIGSEGV");
	/*
	 * The load is written in asm: a C dereference of a known NULL is
	 * undefined, and gcc may turn it into ud2 (SIGILL) instead of a load.
	 */
	__asm__ volatile("mov (%1), %0" : "=r"(value) : "r"(addr) : "memory");
	t_fail("read 0x%lx from address 0 and survived", (unsigned long)value);
	return 1;
}
