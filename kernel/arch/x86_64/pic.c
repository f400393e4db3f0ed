// SPDX-License-Identifier: MIT
/*
 * Kestrel x86_64: retiring the 8259 PICs. The firmware may leave them
 * programmed with vectors that overlap CPU exceptions (the BIOS default
 * puts the master at 0x08) or with inputs unmasked. We remap them first,
 * so that even a stray interrupt from them (a spurious IRQ 7 or 15, from
 * an input that dropped before it was acknowledged) lands on an ISA
 * vector the dispatcher merely logs, then mask all sixteen inputs.
 * Nothing should reach the CPU from them afterwards anyway: their only
 * path, the local APIC's LINT0, is masked too.
 */
#include "arch/x86_64/pic.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/irq.h"

#define PIC1_CMD   0x20
#define PIC1_DATA  0x21
#define PIC2_CMD   0xa0
#define PIC2_DATA  0xa1

#define ICW1_ICW4  0x01  /* an ICW4 follows */
#define ICW1_INIT  0x10  /* start the initialisation sequence */
#define ICW4_8086  0x01  /* 8086 mode (not MCS-80) */
#define PIC_CASCADE_IRQ 2 /* the slave hangs off the master's input 2 */
#define PIC_IRQS_EACH   8
#define PIC_MASK_ALL    0xff

void pic_disable(void)
{
	outb(PIC1_CMD, ICW1_INIT | ICW1_ICW4);
	io_wait();
	outb(PIC2_CMD, ICW1_INIT | ICW1_ICW4);
	io_wait();
	outb(PIC1_DATA, VEC_ISA_BASE);                  /* ICW2: vector base */
	io_wait();
	outb(PIC2_DATA, VEC_ISA_BASE + PIC_IRQS_EACH);
	io_wait();
	outb(PIC1_DATA, 1u << PIC_CASCADE_IRQ);         /* ICW3: which input has the slave */
	io_wait();
	outb(PIC2_DATA, PIC_CASCADE_IRQ);               /* ICW3: the slave's cascade identity */
	io_wait();
	outb(PIC1_DATA, ICW4_8086);
	io_wait();
	outb(PIC2_DATA, ICW4_8086);
	io_wait();
	outb(PIC1_DATA, PIC_MASK_ALL);
	outb(PIC2_DATA, PIC_MASK_ALL);
}
