/* SPDX-License-Identifier: MIT */
/* The legacy 8259 interrupt controllers: remapped and masked for good, since the IO APIC replaces them. */
#ifndef KESTREL_ARCH_PIC_H
#define KESTREL_ARCH_PIC_H

/* Reinitialise both 8259s with their vectors at VEC_ISA_BASE (master)
 * and VEC_ISA_BASE + 8 (slave), then mask every input. Interrupts must
 * be off. */
void pic_disable(void);

#endif
