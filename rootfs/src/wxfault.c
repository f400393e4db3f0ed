// SPDX-License-Identifier: MIT
// Fault test: page permissions from the ELF flags (W^X, NX) must hold, each violation a SIGSEGV.
#include <stdint.h>
#include "selftest.h"

/*
 * Modes: textwrite (store into our own code), rodatawrite (store into
 * .rodata), dataexec (call into .data) and stackexec (call into the
 * stack). The exec modes need NX on user pages: without it the 'ret'
 * placed there simply runs and the program reports FAIL.
 */
static const unsigned char rodata_byte[16] = { 0xc3 };
static unsigned char data_code[16] = { 0xc3 };	/* ret */

typedef void (*code_fn)(void);

/* poke: rewrite one byte with its own value, so success changes nothing but the verdict. */
static void poke(volatile unsigned char *p)
{
	*p = *p;
}

static void run(const char *mode)
{
	unsigned char stack_code[16] = { 0xc3 };

	if (strcmp(mode, "textwrite") == 0)
		poke((volatile unsigned char *)(uintptr_t)&run);
	else if (strcmp(mode, "rodatawrite") == 0)
		poke((volatile unsigned char *)rodata_byte);
	else if (strcmp(mode, "dataexec") == 0)
		((code_fn)(uintptr_t)data_code)();
	else if (strcmp(mode, "stackexec") == 0)
		((code_fn)(uintptr_t)stack_code)();
	else {
		t_fail("unknown mode \"%s\" (textwrite, rodatawrite, dataexec, stackexec)", mode);
		return;
	}
	__asm__ volatile("" ::: "memory");	/* keep stack_code alive across the call */
	t_fail("%s did not fault", mode);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "textwrite";

	t_begin("wxfault");
	t_say("%s, expect SIGSEGV", mode);
	run(mode);
	return 1;
}
