// SPDX-License-Identifier: MIT
/*
 * Kestrel x86_64: a thread's hardware breakpoints, as Linux 6.1's ptrace
 * sets them through the debug-register words of struct user
 * (arch/x86/kernel/ptrace.c's ptrace_set_debugreg, hw_breakpoint.c's
 * checks), armed in DR0-DR3 and DR7 while the thread runs, and their
 * #DB from ring 3 turned into SIGTRAP.
 *
 * Linux keeps each slot as a perf event whose attributes are the slot's
 * address, length and kind and whether it is disabled; a slot appears at
 * the first write of its address (a disabled one-byte write watch) or of
 * a DR7 that enables it, and every later write of the address or of DR7
 * goes through the same checks, disabled slots included. The kernel's
 * own #DB (a user watchpoint its access to user memory hit, or the one a
 * MOV SS held back to an entry's first instruction) never reaches C: the
 * vector's IST stub clears DR6 and returns (entry/isr.S).
 */
#include "arch/x86_64/debugreg.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "uapi/signal.h"

#define DR7_RW_SHIFT       16          /* slot i's R/W bits at 16 + 4i, its LEN bits at 18 + 4i */
#define DR7_SLOT_BITS      4
#define DR7_GLOBAL(i)      (2ull << (2 * (i)))
#define DR7_ENABLE_MASK(i) (3ull << (2 * (i))) /* L and G: either enables the slot, as Linux reads it */
#define DR7_GE             (1ull << 9)         /* Linux sets "global exact" with every slot */
#define DR7_RESERVED       0xfc00ull           /* Linux's DR_CONTROL_RESERVED: ignored in a write */
#define RW_EXECUTE         0
#define RW_WRITE           1
#define RW_IO              2                   /* I/O breakpoints: not for user space */
#define LEN_1              0
#define DR_PEEK_DR6        6
#define DR_PEEK_DR7        7

/* The bytes a slot of kind rw and length bits len watches (an
 * instruction breakpoint: 1). */
static uint64_t slot_bytes(uint8_t rw, uint8_t len)
{
	static const uint8_t bytes[4] = { 1, 2, 8, 4 };

	return rw == RW_EXECUTE ? 1 : bytes[len & 3];
}

/* Linux's checks of a breakpoint (arch_bp_generic_fields, then
 * hw_breakpoint_arch_parse and the kernel-space test of
 * hw_breakpoint_parse with ptrace's exclude_kernel): a kind the CPU
 * has, an instruction breakpoint with length bits 0, the address aligned
 * to the length, every byte below the end of user space. 0 or -EINVAL. */
static int slot_check(uint64_t addr, uint8_t rw, uint8_t len)
{
	if (rw == RW_IO || (rw == RW_EXECUTE && len != LEN_1))
		return -EINVAL;
	uint64_t bytes = slot_bytes(rw, len);
	if (addr & (bytes - 1))
		return -EINVAL;
	if (addr >= USER_VA_END || addr + bytes - 1 >= USER_VA_END)
		return -EINVAL;
	return 0;
}

/* DR7 as Linux's ptrace_get_dr7 builds it from the slots: each enabled
 * one's kind and length, its global-enable bit, and GE. */
static uint64_t dr7_of(const struct arch_debugreg *d)
{
	uint64_t dr7 = 0;

	for (unsigned i = 0; i < DR_SLOTS; i++)
		if (d->enabled & (1u << i))
			dr7 |= (uint64_t)(d->rw[i] | d->len[i] << 2) << (DR7_RW_SHIFT + DR7_SLOT_BITS * i) |
			       DR7_GLOBAL(i) | DR7_GE;
	return dr7;
}

uint64_t arch_debugreg_peek(const struct arch_debugreg *d, unsigned n)
{
	if (n < DR_SLOTS)
		return (d->present & (1u << n)) ? d->addr[n] : 0;
	if (n == DR_PEEK_DR6)
		return d->virt_dr6 ^ DR6_RESERVED; /* back to the CPU's polarity */
	if (n == DR_PEEK_DR7)
		return d->dr7_written;
	return 0;
}

/* Slot i becomes a breakpoint of kind rw and length len at addr, if
 * slot_check allows it (else -EINVAL, the slot unchanged). */
static int fill_slot(struct arch_debugreg *d, unsigned i, uint64_t addr, uint8_t rw, uint8_t len)
{
	int err = slot_check(addr, rw, len);

	if (err)
		return err;
	d->addr[i] = addr;
	d->rw[i] = rw;
	d->len[i] = len;
	d->present |= 1u << i;
	return 0;
}

/* Linux's ptrace_set_breakpoint_addr: a new slot is a disabled one-byte
 * write watch at addr; an existing one keeps its kind and length. */
static int set_addr(struct arch_debugreg *d, unsigned i, uint64_t addr)
{
	bool present = d->present & (1u << i);

	return fill_slot(d, i, addr, present ? d->rw[i] : RW_WRITE, present ? d->len[i] : LEN_1);
}

/* One pass of Linux's ptrace_write_dr7 over the slots: each enabled in
 * dr7, or present, takes dr7's kind and length and enabled bit, checked
 * with its address (a new slot's is 0). Stops at the first refusal,
 * the slots before it changed. 0 or -EINVAL. */
static int apply_dr7(struct arch_debugreg *d, uint64_t dr7)
{
	for (unsigned i = 0; i < DR_SLOTS; i++) {
		uint64_t info = dr7 >> (DR7_RW_SHIFT + DR7_SLOT_BITS * i);
		uint8_t rw = info & 3, len = (info >> 2) & 3;
		bool on = dr7 & DR7_ENABLE_MASK(i), present = d->present & (1u << i);

		if (!present && !on)
			continue;
		int err = fill_slot(d, i, present ? d->addr[i] : 0, rw, len);
		if (err)
			return err;
		d->enabled = on ? d->enabled | 1u << i : d->enabled & ~(1u << i);
	}
	return 0;
}

/* Linux's ptrace_write_dr7: a refused DR7 puts the slots back as the
 * previous one had them (a second pass with it, which cannot fail). */
static int write_dr7_slots(struct arch_debugreg *d, uint64_t val)
{
	uint64_t old = dr7_of(d);
	int err = apply_dr7(d, val & ~DR7_RESERVED);

	if (err)
		apply_dr7(d, old);
	return err;
}

int arch_debugreg_poke(struct arch_debugreg *d, unsigned n, uint64_t val)
{
	if (n < DR_SLOTS)
		return set_addr(d, n, val);
	if (n == DR_PEEK_DR6) {
		d->virt_dr6 = val ^ DR6_RESERVED; /* kept with set bits meaning "happened" */
		return 0;
	}
	if (n == DR_PEEK_DR7) {
		int err = write_dr7_slots(d, val);
		if (!err)
			d->dr7_written = val;
		return err;
	}
	return -EIO; /* DR4 and DR5 */
}

/* This CPU's DR0-DR3 and DR7 as d's enabled slots say, and the CPU's
 * record of whether any is armed. Interrupts off. */
static void load(const struct arch_debugreg *d)
{
	struct percpu *cpu = this_cpu();

	write_dr7(0); /* nothing armed while the addresses change */
	for (unsigned i = 0; i < DR_SLOTS; i++)
		if (d->enabled & (1u << i))
			write_dr_addr(i, d->addr[i]);
	if (d->enabled)
		write_dr7(dr7_of(d));
	cpu->dr_armed = d->enabled != 0;
}

void arch_debugreg_switch(const struct arch_debugreg *d)
{
	if (d->enabled || this_cpu()->dr_armed)
		load(d);
}

void arch_debugreg_clear(struct arch_debugreg *d, bool running)
{
	memset(d, 0, sizeof(*d));
	if (running) {
		uint64_t f = irq_save(); /* no switch between the record and the CPU */
		arch_debugreg_switch(d);
		irq_restore(f);
	}
}

int arch_debugreg_user_trap(struct arch_debugreg *d, struct trap_frame *tf)
{
	uint64_t dr6 = read_dr6() ^ DR6_RESERVED; /* set bits: what happened */
	bool icebp = dr6 == 0;                    /* no reason given: INT1 (ICEBP) */

	write_dr6(DR6_RESERVED); /* the CPU never clears it itself */
	d->virt_dr6 = dr6 & DR6_STEP;
	for (unsigned i = 0; i < DR_SLOTS; i++) {
		bool exec = d->rw[i] == RW_EXECUTE;
		if (!(dr6 & DR6_TRAP(i)) || !(d->enabled & (1u << i)) || (exec && (dr6 & DR6_STEP)))
			continue; /* not one of ours; an instruction breakpoint waits for after the step */
		d->virt_dr6 |= DR6_TRAP(i);
		if (exec)
			tf->rflags |= RFLAGS_RF; /* a fault: resume without hitting it again */
	}
	if (d->virt_dr6 & DR6_STEP)
		return TRAP_TRACE;
	if (d->virt_dr6 & DR6_TRAPS)
		return TRAP_HWBKPT;
	return icebp ? TRAP_BRKPT : 0;
}
