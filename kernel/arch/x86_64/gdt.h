/* SPDX-License-Identifier: MIT */
/* The GDT, TSS and the segment selectors, in the order SYSCALL/SYSRET needs. */
#ifndef KESTREL_ARCH_GDT_H
#define KESTREL_ARCH_GDT_H

/*
 * SYSCALL loads CS = STAR[47:32] and SS = STAR[47:32] + 8; 64-bit SYSRET
 * loads SS = STAR[63:48] + 8 and CS = STAR[63:48] + 16 (both with RPL 3).
 * Hence kernel code, kernel data, then user data *before* user code.
 */
#define GDT_NULL        0x00
#define KERNEL_CS       0x08
#define KERNEL_DS       0x10
#define USER_DS_BASE    0x18
#define USER_CS_BASE    0x20
#define TSS_SEL         0x28  /* a 16-byte system descriptor: two slots */
#define SEL_RPL3        3
#define USER_DS         (USER_DS_BASE | SEL_RPL3)
#define USER_CS         (USER_CS_BASE | SEL_RPL3)

/* Interrupt stack table slots (1-based, as the IDT gate field wants). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MACHINE_CHECK 3
#define IST_DEBUG        4

#ifndef __ASSEMBLER__
#include <stdint.h>
/* Load the boot CPU's GDT and TSS (static: no heap needed). */
void gdt_init(void);
/* The stack this CPU switches to on an interrupt from ring 3 (its
 * TSS.RSP0). Needs this CPU's percpu block (its tss field: NULL on the
 * boot CPU, whose tables are gdt.c's). */
void gdt_set_kernel_stack(uint64_t top);

#define GDT_SLOTS      7
#define GDT_IST_STACKS 4

struct __attribute__((packed)) tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
};

/* The I/O permission bitmap (Intel SDM vol. 1, 19.5.2): a bit per port,
 * clear to allow it. The CPU reads two bytes for every check, so each
 * map the TSS may point at ends in bytes of ones within the TSS limit. */
#define IO_PORTS        65536
#define IO_BITMAP_BYTES (IO_PORTS / 8)
#define IO_BITMAP_TAIL  8

/* One CPU's descriptor tables: its GDT (the TSS descriptor differs per
 * CPU, and LTR marks it busy) and its TSS, whose limit takes in the two
 * I/O bitmaps after it. The boot CPU's are gdt.c's, static (loaded
 * before there is a heap); another CPU's are allocated by the boot CPU
 * (smp.c), filled by gdt_fill with the tops of that CPU's IST stacks,
 * and loaded by that CPU with gdt_load (interrupts off). Never freed.
 * The I/O fields are private to the CPU and change with interrupts off
 * (gdt_io_*). */
struct cpu_gdt {
	uint64_t gdt[GDT_SLOTS] __attribute__((aligned(16)));
	struct tss tss;
	uint8_t io_map[IO_BITMAP_BYTES + IO_BITMAP_TAIL];     /* a thread's ioperm ports, copied in */
	uint8_t io_map_all[IO_BITMAP_BYTES + IO_BITMAP_TAIL]; /* every port allowed: iopl(3) */
	uint64_t io_seq; /* the bitmap io_map holds (ioport.c's sequence; 0: none) */
	uint32_t io_max; /* its bytes that may be clear; the rest are ones */
};
void gdt_fill(struct cpu_gdt *g, const uint64_t ist_top[GDT_IST_STACKS]);
void gdt_load(struct cpu_gdt *g);

/* What user port I/O may do on this CPU from now on (interrupts off):
 * nothing (every IN and OUT faults), every port, or the ports whose bits
 * are clear in bits, of which the first max bytes may be clear; seq names
 * those contents, so a map this CPU holds already is not copied again. */
void gdt_io_deny(void);
void gdt_io_allow_all(void);
void gdt_io_load(const uint8_t *bits, uint32_t max, uint64_t seq);
#endif

#endif
