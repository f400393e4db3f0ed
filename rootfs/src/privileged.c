// SPDX-License-Identifier: MIT
// Fault test: a privileged instruction in ring 3 raises #GP, which must end the program with SIGSEGV.
#include "selftest.h"

/* Each mode runs one instruction that only ring 0 (or IOPL 3) may execute. */
static void run(const char *mode)
{
	unsigned long cr3;
	unsigned char port;

	if (strcmp(mode, "hlt") == 0) {
		__asm__ volatile("hlt");
	} else if (strcmp(mode, "cli") == 0) {
		__asm__ volatile("cli");
	} else if (strcmp(mode, "cr3") == 0) {
		__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
		t_fail("read CR3 0x%lx", cr3);
		return;
	} else if (strcmp(mode, "inb") == 0) {
		__asm__ volatile("inb $0x80, %0" : "=a"(port));
		t_fail("read port 0x80: 0x%02x", port);
		return;
	} else {
		t_fail("unknown mode \"%s\" (hlt, cli, cr3, inb)", mode);
		return;
	}
	t_fail("%s ran in user mode", mode);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "hlt";

	t_begin("privileged");
	t_say("executing %s in user mode, expect SIGSEGV", mode);
	run(mode);
	return 1;
}
