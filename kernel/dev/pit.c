// SPDX-License-Identifier: MIT
/*
 * Kestrel: the 8254 PIT. Channel 2's gate is bit 0 of port 0x61 (the
 * speaker output, bit 1, stays off), so unlike channel 0 it can count
 * without raising any interrupt: in mode 2 with a reload of 65536 it is
 * a free-running 1.193182 MHz down-counter we read by latching it.
 * Channel 0 drives ISA IRQ 0; the self-test here uses it to prove that
 * irq_route_isa honours the MADT's override for IRQ 0.
 */
#include <stddef.h>
#include "dev/pit.h"
#include "time/time.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/irq.h"
#include "test/selftest.h"

#define PIT_HZ          1193182u
#define PIT_CH0_DATA    0x40
#define PIT_CH2_DATA    0x42
#define PIT_CMD         0x43
#define PIT_SEL_CH0     (0u << 6)
#define PIT_SEL_CH2     (2u << 6)
#define PIT_LATCH       (0u << 4)  /* counter latch command */
#define PIT_ACCESS_LOHI (3u << 4)  /* low byte then high byte */
#define PIT_MODE_0      (0u << 1)  /* interrupt on terminal count: idles until a count is written */
#define PIT_MODE_2      (2u << 1)  /* rate generator */
#define PIT_RELOAD_MAX  0          /* 0 means 65536 */
#define PIT_COUNTER_MASK 0xffffull
#define PORT_B          0x61
#define PORT_B_CH2_GATE (1u << 0)
#define PORT_B_SPEAKER  (1u << 1)
#define START_POLLS     100000
#define BYTE_BITS       8
#define BYTE_MASK       0xffu

static uint64_t pit_read(void)
{
	outb(PIT_CMD, PIT_SEL_CH2 | PIT_LATCH);
	uint16_t count = inb(PIT_CH2_DATA);
	count |= (uint16_t)(inb(PIT_CH2_DATA) << BYTE_BITS);
	return (uint16_t)(0u - count); /* counting down from 65536: negate to count up */
}

static struct refclock pit_clock = {
	.name = "PIT", .hz = PIT_HZ, .mask = PIT_COUNTER_MASK, .read = pit_read,
};

const struct refclock *pit_clock_init(void)
{
	outb(PORT_B, (uint8_t)((inb(PORT_B) & ~PORT_B_SPEAKER) | PORT_B_CH2_GATE));
	outb(PIT_CMD, PIT_SEL_CH2 | PIT_ACCESS_LOHI | PIT_MODE_2);
	outb(PIT_CH2_DATA, PIT_RELOAD_MAX & BYTE_MASK);
	outb(PIT_CH2_DATA, PIT_RELOAD_MAX >> BYTE_BITS);
	uint64_t first = pit_read();
	for (int i = 0; i < START_POLLS; i++)
		if (pit_read() != first)
			return &pit_clock;
	return NULL;
}

void pit_ch0_periodic(uint32_t hz)
{
	uint32_t divisor = PIT_HZ / hz;

	outb(PIT_CMD, PIT_SEL_CH0 | PIT_ACCESS_LOHI | PIT_MODE_2);
	outb(PIT_CH0_DATA, (uint8_t)(divisor & BYTE_MASK));
	outb(PIT_CH0_DATA, (uint8_t)(divisor >> BYTE_BITS));
}

void pit_ch0_stop(void)
{
	/* Mode 0 with no count written: the output drops and stays low. */
	outb(PIT_CMD, PIT_SEL_CH0 | PIT_ACCESS_LOHI | PIT_MODE_0);
}

/* ---------------------------------------------------------------- self-test */

#define ISA_IRQ_PIT      0
#define TEST_HZ          1000
#define TEST_WANT        5          /* interrupts that prove the route works */
#define TEST_WAIT_NS     500000000ull /* generous: TCG can be slow to deliver */

static volatile unsigned test_hits;

static void test_irq(struct trap_frame *tf)
{
	(void)tf;
	test_hits++;
}

/* Route ISA IRQ 0 (on PCs it arrives on GSI 2 through an override),
 * run channel 0 at 1 kHz, see its interrupts arrive, take it all down.
 * Skipped without a PIT (laptops, QEMU's pit=off): channel 2, probed
 * again here (reprogramming it as the free-running clock is harmless),
 * must count. */
SELFTEST(irq_route_isa_pit)
{
	if (!interrupts_enabled())
		return "interrupts are off";
	if (!pit_clock_init())
		return SELFTEST_SKIP("no PIT");
	test_hits = 0;
	if (!irq_route_isa(ISA_IRQ_PIT, test_irq))
		return "irq_route_isa(0) failed";
	pit_ch0_periodic(TEST_HZ);
	uint64_t end = time_ns() + TEST_WAIT_NS;
	while (test_hits < TEST_WANT && time_ns() < end)
		cpu_pause();
	pit_ch0_stop();
	irq_unroute_isa(ISA_IRQ_PIT);
	return test_hits >= TEST_WANT ? NULL : "no PIT interrupts through the IO APIC";
}
