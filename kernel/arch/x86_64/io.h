/* SPDX-License-Identifier: MIT */
/* x86 port I/O: tiny inline wrappers around in/out and a short bus delay. */
#ifndef KESTREL_ARCH_X86_64_IO_H
#define KESTREL_ARCH_X86_64_IO_H

#include <stdint.h>

/* Port 0x80 is the POST diagnostic port: nothing listens that cares, and
 * a write to it takes about a microsecond on the ISA bus. */
#define IO_WAIT_PORT 0x80

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

/* Give a slow device (PIC, PIT, CMOS) time to settle between accesses. */
static inline void io_wait(void)
{
	outb(IO_WAIT_PORT, 0);
}

#endif
