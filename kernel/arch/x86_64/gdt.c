// SPDX-License-Identifier: MIT
/* Kestrel x86_64: the boot CPU's GDT and TSS, with IST stacks for the faults that must never run on a broken stack. */
#include <stdint.h>
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"

#define IST_STACK_SIZE 16384

/* Descriptor bits (Intel SDM vol. 3, 3.4.5). */
#define SEG_ACCESSED  (1ull << 40)
#define SEG_RW        (1ull << 41)
#define SEG_EXEC      (1ull << 43)
#define SEG_CODE_DATA (1ull << 44)   /* S: code/data, not system */
#define SEG_DPL3      (3ull << 45)
#define SEG_PRESENT   (1ull << 47)
#define SEG_LONG      (1ull << 53)   /* L: 64-bit code */
#define SEG_DB        (1ull << 54)
#define SEG_GRAN      (1ull << 55)
#define SEG_LIMIT_MAX (0xffffull | (0xfull << 48))
#define SYS_TSS_AVAIL (9ull << 40)

#define SEG_KCODE (SEG_PRESENT | SEG_CODE_DATA | SEG_EXEC | SEG_RW | SEG_LONG | SEG_GRAN | SEG_LIMIT_MAX | SEG_ACCESSED)
#define SEG_KDATA (SEG_PRESENT | SEG_CODE_DATA | SEG_RW | SEG_DB | SEG_GRAN | SEG_LIMIT_MAX | SEG_ACCESSED)

struct __attribute__((packed)) tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
};

static struct tss tss;
static uint64_t gdt[7] __attribute__((aligned(16)));
static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));

void gdt_set_kernel_stack(uint64_t top)
{
	tss.rsp[0] = top;
}

static void tss_descriptor(uint64_t *slot, const struct tss *t)
{
	uint64_t base = (uint64_t)t, limit = sizeof(*t) - 1;

	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | SYS_TSS_AVAIL | SEG_PRESENT |
		  (((base >> 24) & 0xff) << 56);
	slot[1] = base >> 32;
}

/* Load the GDT and TSS and reload every segment register. Interrupts
 * must be off. GS and FS get the null selector: their bases come from
 * MSRs, never from the GDT. The LDTR gets the null selector too: the
 * firmware's may describe memory at address 0 (the reset value), where a
 * user's LDT selector (TI set) in an IRET frame would make the CPU read a
 * descriptor; null, such a selector simply raises #GP. */
void gdt_init(void)
{
	gdt[GDT_NULL / 8] = 0;
	gdt[KERNEL_CS / 8] = SEG_KCODE;
	gdt[KERNEL_DS / 8] = SEG_KDATA;
	gdt[USER_DS_BASE / 8] = SEG_KDATA | SEG_DPL3;
	gdt[USER_CS_BASE / 8] = SEG_KCODE | SEG_DPL3;
	for (int i = 0; i < 3; i++)
		tss.ist[i] = (uint64_t)&ist_stacks[i][IST_STACK_SIZE];
	tss.iomap_base = sizeof(tss); /* no I/O bitmap: user port I/O faults */
	tss_descriptor(&gdt[TSS_SEL / 8], &tss);

	struct desc_ptr p = { sizeof(gdt) - 1, (uint64_t)gdt };
	lgdt(&p);
	__asm__ volatile(
		"pushq %[cs]\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movl %[ds], %%eax\n\t"
		"movl %%eax, %%ds\n\t"
		"movl %%eax, %%es\n\t"
		"movl %%eax, %%ss\n\t"
		"xorl %%eax, %%eax\n\t"
		"movl %%eax, %%fs\n\t"
		"movl %%eax, %%gs\n\t"
		:
		: [cs] "i"(KERNEL_CS), [ds] "i"(KERNEL_DS)
		: "rax", "memory");
	ltr(TSS_SEL);
	lldt(GDT_NULL);
}
