// SPDX-License-Identifier: MIT
/*
 * Kestrel x86_64: the emulator's debug console on port 0xE9, a console
 * for machines without a serial port (console=debugcon). A write is one
 * string instruction: the emulator takes the bytes as fast as they come,
 * so there is nothing to wait for and nothing to drain.
 */
#include "arch/x86_64/debugcon.h"
#include "arch/x86_64/io.h"

#define DEBUGCON_PORT     0xe9
#define DEBUGCON_READBACK 0xe9 /* what QEMU's isa-debugcon (readback=0xe9) returns */

bool debugcon_present(void)
{
	return inb(DEBUGCON_PORT) == DEBUGCON_READBACK;
}

void debugcon_write(const char *s, size_t n)
{
	__asm__ volatile("rep outsb"
			 : "+S"(s), "+c"(n)
			 : "d"((uint16_t)DEBUGCON_PORT)
			 : "memory");
}
