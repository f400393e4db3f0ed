// SPDX-License-Identifier: MIT
/*
 * Kestrel x86_64: the local APIC. Registers are named by their xAPIC MMIO
 * offset; in x2APIC mode the same register is MSR 0x800 + offset / 16
 * (Intel SDM vol. 3, 11.12.1.2), so one pair of accessors serves both.
 * Every CPU has its own local APIC at the same address (xAPIC) or MSRs
 * (x2APIC): the boot CPU chooses the mode, the others follow it.
 */
#include <stddef.h>
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/features.h"
#include "arch/x86_64/vectors.h"
#include "firmware/acpi.h"
#include "mm/mmio.h"
#include "test/selftest.h"
#include "log.h"

#define MSR_APIC_BASE        0x1bu
#define APIC_BASE_EXTD       (1ull << 10)  /* x2APIC mode */
#define APIC_BASE_ENABLE     (1ull << 11)  /* global enable */
#define APIC_BASE_ADDR_MASK  0x000ffffffffff000ull
#define MSR_X2APIC_FIRST     0x800u
#define X2APIC_REG_SHIFT     4

#define CPUID_FEATURES       1u
#define CPUID1_EDX_APIC      (1u << 9)

#define LAPIC_MMIO_SIZE      4096u
#define LAPIC_REG_ID         0x020u
#define LAPIC_REG_TPR        0x080u
#define LAPIC_REG_EOI        0x0b0u
#define LAPIC_REG_SVR        0x0f0u
#define LAPIC_REG_ISR0       0x100u  /* 8 registers of 32 in-service bits, 0x10 apart */
#define LAPIC_ISR_REGS       8
#define LAPIC_VECTORS        256
#define LAPIC_REG_STRIDE     0x10u
#define LAPIC_REG_ESR        0x280u
#define LAPIC_REG_ICR_LOW    0x300u
#define LAPIC_REG_ICR_HIGH   0x310u
#define LAPIC_REG_LVT_TIMER  0x320u
#define LAPIC_REG_LVT_LINT0  0x350u
#define LAPIC_REG_LVT_LINT1  0x360u
#define LAPIC_REG_LVT_ERROR  0x370u
#define LAPIC_REG_TIMER_INIT 0x380u
#define LAPIC_REG_TIMER_CUR  0x390u
#define LAPIC_REG_TIMER_DIV  0x3e0u

#define XAPIC_ID_SHIFT       24
#define SVR_SOFT_ENABLE      (1u << 8)
#define TPR_ACCEPT_ALL       0u
#define LVT_DELIVERY_NMI     (4u << 8)
#define LVT_ACTIVE_LOW       (1u << 13)
#define LVT_MASKED           (1u << 16)
#define LVT_TIMER_ONESHOT    (0u << 17)
#define LVT_TIMER_PERIODIC   (1u << 17)
#define TIMER_DIV_BY_16      0x3u    /* divide configuration encoding for 16 */
#define TIMER_COUNT_MAX      0xffffffffu
#define EOI_VALUE            0u

/* The interrupt command register (SDM vol. 3, 11.6.1). */
#define ICR_DELIVERY_FIXED   (0u << 8)
#define ICR_DELIVERY_NMI     (4u << 8)
#define ICR_DELIVERY_INIT    (5u << 8)
#define ICR_DELIVERY_STARTUP (6u << 8)
#define ICR_SEND_PENDING     (1u << 12)  /* xAPIC only */
#define ICR_LEVEL_ASSERT     (1u << 14)
#define ICR_TRIGGER_LEVEL    (1u << 15)
#define ICR_VECTOR_MASK      0xffu
#define XAPIC_DEST_SHIFT     24
#define X2APIC_DEST_SHIFT    32
#define XAPIC_BROADCAST_ID   0xffu   /* xAPIC physical destination 0xff: every CPU */
/* How long an xAPIC ICR may stay busy: counted in TSC cycles (this layer
 * has no calibrated clock), 100 million, over 12 ms at any x86 rate. */
#define ICR_IDLE_TSC_CYCLES  100000000ull

_Static_assert(LAPIC_TIMER_DIVIDER == 16, "TIMER_DIV_BY_16 must match LAPIC_TIMER_DIVIDER");

/* Written by lapic_init (boot CPU) before interrupts are enabled and
 * before the other CPUs start; read-only after. */
static struct {
	bool ready, x2apic;
	volatile uint32_t *mmio;  /* xAPIC only */
	uint64_t phys;            /* xAPIC only: the address mmio maps */
	uint32_t id;              /* the boot CPU's */
} lapic;

static uint32_t lapic_read(uint32_t reg)
{
	if (lapic.x2apic)
		return (uint32_t)rdmsr(MSR_X2APIC_FIRST + (reg >> X2APIC_REG_SHIFT));
	return mmio_read32((const volatile uint8_t *)lapic.mmio + reg);
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	if (lapic.x2apic)
		wrmsr(MSR_X2APIC_FIRST + (reg >> X2APIC_REG_SHIFT), v);
	else
		mmio_write32((volatile uint8_t *)lapic.mmio + reg, v);
}

bool lapic_ready(void) { return lapic.ready; }
bool lapic_is_x2apic(void) { return lapic.x2apic; }

/* The register, not lapic.id: the boot CPU's, where another CPU asks. */
uint32_t lapic_id(void)
{
	uint32_t id;

	if (!lapic.ready)
		return lapic.id;
	id = lapic_read(LAPIC_REG_ID);
	return lapic.x2apic ? id : id >> XAPIC_ID_SHIFT;
}

void lapic_eoi(void)
{
	if (lapic.ready)
		lapic_write(LAPIC_REG_EOI, EOI_VALUE);
}

/* The APIC latches errors into ESR; a write re-arms it before a read. */
static uint32_t read_esr(void)
{
	lapic_write(LAPIC_REG_ESR, 0);
	return lapic_read(LAPIC_REG_ESR);
}

/* ESR bits of error interrupts not yet logged, and how many (atomic): a
 * CPU halted waiting for the kernel lock takes this top-class vector
 * without the lock (trap.c), where the log may not be written. */
static uint32_t esr_pending, errors_pending;

void lapic_error_interrupt(struct trap_frame *tf)
{
	(void)tf;
	__atomic_fetch_or(&esr_pending, read_esr(), __ATOMIC_RELAXED);
	__atomic_fetch_add(&errors_pending, 1, __ATOMIC_RELEASE);
}

void lapic_report_errors(void)
{
	if (!__atomic_load_n(&errors_pending, __ATOMIC_RELAXED)) /* every interrupt asks */
		return;
	uint32_t n = __atomic_exchange_n(&errors_pending, 0, __ATOMIC_ACQUIRE);
	uint32_t esr = __atomic_exchange_n(&esr_pending, 0, __ATOMIC_RELAXED);
	klog(LOG_WARN, "apic: %u error interrupt%s, ESR %#x\n", n, n == 1 ? "" : "s", esr);
}

/* Nothing to do: a spurious interrupt is not in service, so it takes no EOI. */
void lapic_spurious_interrupt(struct trap_frame *tf)
{
	(void)tf;
}

/* Switch this CPU's APIC to x2APIC mode (base: IA32_APIC_BASE as read).
 * From disabled it goes through xAPIC mode: disabled -> x2APIC directly
 * is an invalid transition, a #GP (SDM vol. 3, 11.12.5). Already in
 * x2APIC mode (firmware may leave it so): nothing to do. */
static void enable_x2apic(uint64_t base)
{
	if ((base & (APIC_BASE_ENABLE | APIC_BASE_EXTD)) == (APIC_BASE_ENABLE | APIC_BASE_EXTD))
		return;
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE | APIC_BASE_EXTD);
}

/* Choose the register interface: x2APIC (switched on here) or the xAPIC
 * page, preferring the address the CPU actually decodes (IA32_APIC_BASE)
 * if the MADT disagrees. */
static bool choose_mode(const struct acpi_madt_info *madt)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	uint64_t phys = base & APIC_BASE_ADDR_MASK;

	if (cpu_features()->x2apic) {
		enable_x2apic(base);
		lapic.x2apic = true;
		return true;
	}
	if (madt && madt->lapic_address != phys)
		klog(LOG_WARN, "apic: MADT says the local APIC is at %#lx, the CPU says %#lx; using the CPU's\n",
		     madt->lapic_address, phys);
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	lapic.phys = phys;
	lapic.mmio = mmio_map(phys, LAPIC_MMIO_SIZE);
	if (!lapic.mmio)
		klog(LOG_ERR, "apic: cannot map the local APIC at %#lx\n", phys);
	return lapic.mmio != NULL;
}

/* The ACPI UID of the CPU with this APIC ID, or the "all" UID. */
static uint32_t own_uid(const struct acpi_madt_info *madt, uint32_t id)
{
	for (unsigned i = 0; madt && i < madt->ncpus; i++)
		if (madt->cpus[i].apic_id == id)
			return madt->cpus[i].uid;
	return ACPI_NMI_ALL_CPUS_UID32;
}

/* LINT0 carries the 8259s' ExtINT, which we never want: masked, as is
 * LINT1 unless the MADT wires one of them to NMI for this CPU. */
static void setup_lints(const struct acpi_madt_info *madt, uint32_t id)
{
	uint32_t lint[2] = { LVT_MASKED, LVT_MASKED };
	uint32_t uid = own_uid(madt, id);

	for (unsigned i = 0; madt && i < madt->nnmis; i++) {
		const struct acpi_lapic_nmi *n = &madt->nmis[i];
		if (n->uid != uid && n->uid != ACPI_NMI_ALL_CPUS_UID32)
			continue;
		bool low = (n->flags & ACPI_POLARITY_MASK) == ACPI_POLARITY_LOW;
		lint[n->lint] = LVT_DELIVERY_NMI | (low ? LVT_ACTIVE_LOW : 0); /* NMI is always edge */
	}
	lapic_write(LAPIC_REG_LVT_LINT0, lint[0]);
	lapic_write(LAPIC_REG_LVT_LINT1, lint[1]);
}

static bool any_in_service(void)
{
	for (unsigned r = 0; r < LAPIC_ISR_REGS; r++)
		if (lapic_read(LAPIC_REG_ISR0 + r * LAPIC_REG_STRIDE))
			return true;
	return false;
}

/* Acknowledge whatever the firmware left in service (each EOI clears
 * the highest in-service vector, so at most one per vector), lest it
 * block every lower priority. */
static void drain_in_service(void)
{
	for (unsigned i = 0; i < LAPIC_VECTORS && any_in_service(); i++)
		lapic_write(LAPIC_REG_EOI, EOI_VALUE);
}

/* Program this CPU's APIC (its ID is id): software-enabled with the
 * spurious vector, timer masked at divide 16, LINTs per the MADT, errors
 * on VEC_APIC_ERROR, every priority accepted, nothing left in service. */
static void program(const struct acpi_madt_info *madt, uint32_t id)
{
	lapic_write(LAPIC_REG_SVR, VEC_SPURIOUS | SVR_SOFT_ENABLE);
	lapic_write(LAPIC_REG_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_REG_TIMER_INIT, 0);
	lapic_write(LAPIC_REG_TIMER_DIV, TIMER_DIV_BY_16);
	setup_lints(madt, id);
	read_esr();
	lapic_write(LAPIC_REG_LVT_ERROR, VEC_APIC_ERROR);
	read_esr();
	lapic_write(LAPIC_REG_TPR, TPR_ACCEPT_ALL);
	drain_in_service();
}

bool lapic_init(const struct acpi_madt_info *madt)
{
	uint32_t r[4];

	cpuid(CPUID_FEATURES, 0, r);
	if (!(r[3] & CPUID1_EDX_APIC)) {
		klog(LOG_ERR, "apic: this CPU has no local APIC; no interrupts\n");
		return false;
	}
	if (!choose_mode(madt))
		return false;
	lapic.id = lapic_read(LAPIC_REG_ID);
	if (!lapic.x2apic)
		lapic.id >>= XAPIC_ID_SHIFT;
	program(madt, lapic.id);
	lapic.ready = true;
	return true;
}

/* The mode is the boot CPU's: x2APIC switched on from xAPIC as there,
 * or the xAPIC page the boot CPU mapped (the same address decodes to
 * each CPU's own APIC). */
bool lapic_init_ap(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	uint32_t id;

	if (!lapic.ready)
		return false;
	if (lapic.x2apic)
		enable_x2apic(base);
	else if ((base & APIC_BASE_ADDR_MASK) != lapic.phys)
		return false;
	else
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	id = lapic_read(LAPIC_REG_ID);
	program(acpi_madt(), lapic.x2apic ? id : id >> XAPIC_ID_SHIFT);
	return true;
}

/* Wait for an xAPIC's ICR to accept the next command (bounded). */
static bool icr_idle(void)
{
	uint64_t start = rdtsc();

	while (lapic_read(LAPIC_REG_ICR_LOW) & ICR_SEND_PENDING) {
		if (rdtsc() - start > ICR_IDLE_TSC_CYCLES)
			return false;
		cpu_pause();
	}
	return true;
}

/* Make this CPU's earlier stores visible before an x2APIC WRMSR. A
 * WRMSR to an x2APIC register is not serializing on Intel (SDM vol. 3,
 * 11.12.3), and MFENCE orders loads and stores only, so an IPI could
 * reach another CPU before the data it announces (a TLB request, a
 * queued thread); LFENCE keeps the WRMSR after the MFENCE. Linux's
 * weak_wrmsr_fence. (An xAPIC ICR write is to uncached memory: ordered.) */
static inline void x2apic_wrmsr_fence(void)
{
	__asm__ volatile("mfence; lfence" ::: "memory");
}

/* One command to one APIC ID. x2APIC: one MSR write; xAPIC: the high
 * half (destination) then the low half, which sends, with interrupts off
 * so that no handler's IPI comes between the two. */
static bool icr_send(uint32_t dest, uint32_t low)
{
	if (!lapic.ready)
		return false;
	if (lapic.x2apic) {
		x2apic_wrmsr_fence();
		wrmsr(MSR_X2APIC_FIRST + (LAPIC_REG_ICR_LOW >> X2APIC_REG_SHIFT),
		      (uint64_t)dest << X2APIC_DEST_SHIFT | low);
		return true;
	}
	if (dest >= XAPIC_BROADCAST_ID)
		return false;
	uint64_t flags = irq_save();
	bool ok = icr_idle();
	if (ok) {
		lapic_write(LAPIC_REG_ICR_HIGH, dest << XAPIC_DEST_SHIFT);
		lapic_write(LAPIC_REG_ICR_LOW, low);
		ok = icr_idle();
	}
	irq_restore(flags);
	return ok;
}

bool lapic_send_ipi(uint32_t dest, unsigned vector)
{
	return icr_send(dest, ICR_DELIVERY_FIXED | (vector & ICR_VECTOR_MASK));
}

bool lapic_send_nmi(uint32_t dest)
{
	return icr_send(dest, ICR_DELIVERY_NMI);
}

/* As Linux: INIT asserted (level), then de-asserted, which only the old
 * discrete APICs need; x2APIC has no de-assert (SDM 11.12.10). */
bool lapic_send_init(uint32_t dest)
{
	if (!icr_send(dest, ICR_DELIVERY_INIT | ICR_TRIGGER_LEVEL | ICR_LEVEL_ASSERT))
		return false;
	return lapic.x2apic || icr_send(dest, ICR_DELIVERY_INIT | ICR_TRIGGER_LEVEL);
}

bool lapic_send_sipi(uint32_t dest, uint32_t page)
{
	return icr_send(dest, ICR_DELIVERY_STARTUP | (page & ICR_VECTOR_MASK));
}

void lapic_timer_free_run(void)
{
	lapic_write(LAPIC_REG_LVT_TIMER, VEC_APIC_TIMER | LVT_TIMER_ONESHOT | LVT_MASKED);
	lapic_write(LAPIC_REG_TIMER_INIT, TIMER_COUNT_MAX);
}

uint32_t lapic_timer_count(void)
{
	return lapic_read(LAPIC_REG_TIMER_CUR);
}

void lapic_timer_periodic(uint32_t initial_count)
{
	lapic_write(LAPIC_REG_LVT_TIMER, VEC_APIC_TIMER | LVT_TIMER_PERIODIC);
	lapic_write(LAPIC_REG_TIMER_INIT, initial_count);
}

void lapic_timer_stop(void)
{
	lapic_write(LAPIC_REG_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_REG_TIMER_INIT, 0);
}

/* The local APIC as set up: on, with the spurious vector, no error
 * latched, and the boot CPU one of the MADT's enabled CPUs. */
SELFTEST(lapic_boot_cpu)
{
	const struct acpi_madt_info *madt = acpi_madt();
	bool listed = false;

	if (!lapic.ready)
		return "local APIC not set up";
	if (lapic_read(LAPIC_REG_SVR) != (VEC_SPURIOUS | SVR_SOFT_ENABLE))
		return "spurious vector register not as programmed";
	if (read_esr())
		return "error status register not clear";
	for (unsigned i = 0; madt && i < madt->ncpus; i++)
		listed |= madt->cpus[i].apic_id == lapic.id && madt->cpus[i].enabled;
	return listed ? NULL : "boot CPU's APIC ID is not an enabled CPU in the MADT";
}
