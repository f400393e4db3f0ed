// SPDX-License-Identifier: MIT
// Fault test: an invalid opcode (ud2, #UD) must end the program with SIGILL (signal 4).
#include "selftest.h"

int main(void)
{
	t_begin("ud2");
	t_say("executing ud2, expect SIGILL");
	__asm__ volatile("ud2");
	t_fail("ud2 did not fault");
	return 1;
}
