// SPDX-License-Identifier: MIT
/* Kestrel x86_64: each CPU's GDT and TSS, with IST stacks for the faults that must never run on a broken stack. */
#include <stdint.h>
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/percpu.h"
#include "lib/string.h"

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
#define SEG_LIMIT_LOW  0xffffull
#define SEG_LIMIT_HIGH_SHIFT 48      /* limit bits 19:16 */

/* The TSS's I/O map base: an offset from the TSS. One at or past the
 * limit means no bitmap: ring-3 IN and OUT fault (IOPL is always 0). */
#define IO_OFF_MAP     (offsetof(struct cpu_gdt, io_map) - offsetof(struct cpu_gdt, tss))
#define IO_OFF_ALL     (offsetof(struct cpu_gdt, io_map_all) - offsetof(struct cpu_gdt, tss))
#define TSS_END        (offsetof(struct cpu_gdt, io_seq) - offsetof(struct cpu_gdt, tss))
#define IO_OFF_NONE    TSS_END
_Static_assert(TSS_END <= 0xffff, "the I/O map base is 16 bits");

#define SEG_KCODE (SEG_PRESENT | SEG_CODE_DATA | SEG_EXEC | SEG_RW | SEG_LONG | SEG_GRAN | SEG_LIMIT_MAX | SEG_ACCESSED)
#define SEG_KDATA (SEG_PRESENT | SEG_CODE_DATA | SEG_RW | SEG_DB | SEG_GRAN | SEG_LIMIT_MAX | SEG_ACCESSED)

static struct cpu_gdt boot_tables;
static uint8_t boot_ist_stacks[GDT_IST_STACKS][IST_STACK_SIZE] __attribute__((aligned(16)));

/* This CPU's tables: another CPU's percpu block records its TSS
 * (percpu.h); the boot CPU's records none. */
static struct cpu_gdt *this_tables(void)
{
	struct tss *t = this_cpu()->tss;

	return t ? (struct cpu_gdt *)((char *)t - offsetof(struct cpu_gdt, tss)) : &boot_tables;
}

void gdt_set_kernel_stack(uint64_t top)
{
	this_tables()->tss.rsp[0] = top;
}

void gdt_io_deny(void)
{
	this_tables()->tss.iomap_base = IO_OFF_NONE;
}

void gdt_io_allow_all(void)
{
	this_tables()->tss.iomap_base = IO_OFF_ALL;
}

/* Bytes past max in bits are ones, so copying the larger of the two
 * maxima clears what the last map allowed and this one does not. */
void gdt_io_load(const uint8_t *bits, uint32_t max, uint64_t seq)
{
	struct cpu_gdt *g = this_tables();

	if (g->io_seq != seq) {
		memcpy(g->io_map, bits, max > g->io_max ? max : g->io_max);
		g->io_max = max;
		g->io_seq = seq;
	}
	g->tss.iomap_base = IO_OFF_MAP;
}

/* The TSS descriptor: its limit covers the TSS and both I/O bitmaps. */
static void tss_descriptor(uint64_t *slot, const struct tss *t)
{
	uint64_t base = (uint64_t)t, limit = TSS_END - 1;

	slot[0] = (limit & SEG_LIMIT_LOW) | ((base & 0xffffff) << 16) | SYS_TSS_AVAIL | SEG_PRESENT |
		  ((limit >> 16) << SEG_LIMIT_HIGH_SHIFT) | (((base >> 24) & 0xff) << 56);
	slot[1] = base >> 32;
}

/* The flat kernel and user segments in gdt.h's order, and the TSS (no
 * I/O bitmap in use yet: io_map denies every port, io_map_all allows
 * every one) with the IST stacks whose tops are given. */
void gdt_fill(struct cpu_gdt *g, const uint64_t ist_top[GDT_IST_STACKS])
{
	g->gdt[GDT_NULL / 8] = 0;
	g->gdt[KERNEL_CS / 8] = SEG_KCODE;
	g->gdt[KERNEL_DS / 8] = SEG_KDATA;
	g->gdt[USER_DS_BASE / 8] = SEG_KDATA | SEG_DPL3;
	g->gdt[USER_CS_BASE / 8] = SEG_KCODE | SEG_DPL3;
	for (int i = 0; i < GDT_IST_STACKS; i++)
		g->tss.ist[i] = ist_top[i];
	memset(g->io_map, 0xff, sizeof(g->io_map));
	memset(g->io_map_all, 0, IO_BITMAP_BYTES);
	memset(g->io_map_all + IO_BITMAP_BYTES, 0xff, IO_BITMAP_TAIL);
	g->io_seq = 0;
	g->io_max = 0;
	g->tss.iomap_base = IO_OFF_NONE; /* user port I/O faults */
	tss_descriptor(&g->gdt[TSS_SEL / 8], &g->tss);
}

/* Load g's GDT and TSS and reload every segment register. Interrupts
 * must be off. GS and FS get the null selector: their bases come from
 * MSRs, never from the GDT. The LDTR gets the null selector too: the
 * firmware's may describe memory at address 0 (the reset value), where a
 * user's LDT selector (TI set) in an IRET frame would make the CPU read a
 * descriptor; null, such a selector simply raises #GP. */
void gdt_load(struct cpu_gdt *g)
{
	struct desc_ptr p = { sizeof(g->gdt) - 1, (uint64_t)g->gdt };
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

void gdt_init(void)
{
	uint64_t ist[GDT_IST_STACKS];

	for (int i = 0; i < GDT_IST_STACKS; i++)
		ist[i] = (uint64_t)&boot_ist_stacks[i][IST_STACK_SIZE];
	gdt_fill(&boot_tables, ist);
	gdt_load(&boot_tables);
}
