/* SPDX-License-Identifier: MIT */
/* PCI configuration mechanism #1: the legacy 0xCF8 address / 0xCFC data port pair (the first 256 bytes of each function). */
#ifndef KESTREL_ARCH_X86_64_PCI_PORT_H
#define KESTREL_ARCH_X86_64_PCI_PORT_H

#include <stdint.h>
#include "arch/x86_64/io.h"

#define PCI_PORT_ADDRESS    0xcf8
#define PCI_PORT_DATA       0xcfc
#define PCI_PORT_ENABLE     (1u << 31)
#define PCI_PORT_BUS_SHIFT  16
#define PCI_PORT_DEV_SHIFT  11
#define PCI_PORT_FN_SHIFT   8
#define PCI_PORT_REG_MASK   0xfcu   /* dword-aligned offsets below 256 */
#define PCI_PORT_SPACE      256u    /* bytes of configuration space it reaches */

/* The address/data pair is one shared register: the caller holds the
 * PCI configuration lock (dev/pci.c) across the two accesses. off must
 * be below PCI_PORT_SPACE; its low two bits select the byte lane. */
static inline void pci_port_select(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	outl(PCI_PORT_ADDRESS, PCI_PORT_ENABLE | (uint32_t)bus << PCI_PORT_BUS_SHIFT |
				       (uint32_t)dev << PCI_PORT_DEV_SHIFT |
				       (uint32_t)fn << PCI_PORT_FN_SHIFT | (off & PCI_PORT_REG_MASK));
}

/* A width-byte (1, 2 or 4) read or write at off, which must be aligned
 * to width: the data port's byte lanes 0xCFC + (off & 3) carry it. */
static inline uint32_t pci_port_read(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
				     unsigned width)
{
	uint16_t port = (uint16_t)(PCI_PORT_DATA + (off & 3u));

	pci_port_select(bus, dev, fn, off);
	return width == 1 ? inb(port) : width == 2 ? inw(port) : inl(PCI_PORT_DATA);
}

static inline void pci_port_write(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
				  unsigned width, uint32_t v)
{
	uint16_t port = (uint16_t)(PCI_PORT_DATA + (off & 3u));

	pci_port_select(bus, dev, fn, off);
	if (width == 1)
		outb(port, (uint8_t)v);
	else if (width == 2)
		outw(port, (uint16_t)v);
	else
		outl(PCI_PORT_DATA, v);
}

#endif
