// SPDX-License-Identifier: MIT
/* A dynamically linked program: the kernel must load its PT_INTERP (musl's
 * ld.so, which is libc.so) at its own base and pass that base in AT_BASE. */
#include <elf.h>
#include <stdint.h>
#include <sys/auxv.h>
#include "selftest.h"

int main(void)
{
	uintptr_t base = getauxval(AT_BASE);
	uintptr_t entry = getauxval(AT_ENTRY);
	extern int main(void);

	t_begin("dynamic");
	if (base == 0)
		t_fail("AT_BASE is 0: no interpreter was loaded");
	if (entry == 0 || entry == base)
		t_fail("AT_ENTRY %#lx is not the program's entry", (unsigned long)entry);
	/* the interpreter relocated us: main is inside the program, not ld.so */
	if ((uintptr_t)&main >= base && (uintptr_t)&main < base + (1u << 20))
		t_fail("main %p lies in the interpreter's image", (void *)&main);
	t_say("interpreter at %#lx, main at %p", (unsigned long)base, (void *)&main);
	return t_finish();
}
