// SPDX-License-Identifier: MIT
/* Kestrel x86_64: the IDT, pointing every vector at its stub in isr.S. */
#include <stdint.h>
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"

#define ISR_STUB_SIZE   16
#define GATE_INTERRUPT  0xeu     /* interrupt gate: IF cleared on entry */
#define GATE_PRESENT    (1u << 7)
#define GATE_DPL3       (3u << 5)   /* callable from ring 3 with int n */

struct __attribute__((packed)) idt_gate {
	uint16_t off_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
};

extern const char isr_stubs[];
static struct idt_gate idt[VEC_COUNT] __attribute__((aligned(16)));

static void set_gate(unsigned vec, uint8_t ist, uint8_t dpl)
{
	uint64_t h = (uint64_t)isr_stubs + vec * ISR_STUB_SIZE;
	idt[vec] = (struct idt_gate){
		.off_lo = (uint16_t)h,
		.selector = KERNEL_CS,
		.ist = ist,
		.type_attr = GATE_PRESENT | GATE_INTERRUPT | dpl,
		.off_mid = (uint16_t)(h >> 16),
		.off_hi = (uint32_t)(h >> 32),
	};
}

/* Fill and load the IDT. Double fault, NMI and machine check switch to
 * their own IST stacks, so they run even when the kernel stack is gone;
 * #DB too: a MOV SS can hold one back to the first instruction of
 * syscall_entry, which still runs on the user's stack (isr.S). */
void idt_init(void)
{
	for (unsigned v = 0; v < VEC_COUNT; v++)
		set_gate(v, 0, 0);
	set_gate(VEC_DOUBLE_FAULT, IST_DOUBLE_FAULT, 0);
	set_gate(VEC_NMI, IST_NMI, 0);
	set_gate(VEC_MACHINE_CHECK, IST_MACHINE_CHECK, 0);
	set_gate(VEC_DEBUG, IST_DEBUG, 0);
	set_gate(VEC_INT80, 0, GATE_DPL3); /* the int 0x80 system-call gate */
	/* int3 and int $3 raise #BP, int $4 #OF, as on Linux: SIGTRAP and SIGSEGV
	 * with trapno 3 and 4, not the #GP a DPL 0 gate would give. */
	set_gate(VEC_BREAKPOINT, 0, GATE_DPL3);
	set_gate(VEC_OVERFLOW, 0, GATE_DPL3);
	idt_load();
}

void idt_load(void)
{
	struct desc_ptr p = { sizeof(idt) - 1, (uint64_t)idt };
	lidt(&p);
}
