// SPDX-License-Identifier: MIT
/* Kestrel x86_64: the device-interrupt handler table, dispatch and EOI, ISA IRQ routing, the MSI vector allocator, and interrupt-controller bring-up. */
#include <stddef.h>
#include "arch/x86_64/irq.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/pic.h"
#include "firmware/acpi.h"
#include "lib/spinlock.h"
#include "log.h"

/* Set with interrupts off or the vector masked (see irq.h). */
static irq_handler_t handlers[VEC_COUNT];

/* vector_lock protects dyn_used: which of VEC_DYN_BASE..VEC_DYN_END-1
 * irq_alloc_vector has handed out. */
static struct spinlock vector_lock = SPINLOCK_INIT;
static bool dyn_used[VEC_DYN_END - VEC_DYN_BASE];

/*
 * Interrupts taken, per CPU and vector, for /proc/interrupts. Each CPU
 * writes only its own row (irq_dispatch, irq_count_nmi) with a plain
 * increment: no lock, no atomic; readers may see a count a moment old.
 * A row is 1 KiB, so two CPUs' counters never share a cache line.
 */
static uint32_t counts[IRQ_MAX_CPUS][VEC_COUNT] __attribute__((aligned(64)));
static uint32_t nmi_counts[IRQ_MAX_CPUS];

/* What /proc/interrupts names each device vector by: set with the
 * handler (ISA: Linux's names for the PC's fixed IRQs; MSI: the driver,
 * irq_set_msi_name). Read without a lock: a pointer store is atomic. */
static const char *names[VEC_COUNT];
static uint64_t msi_hwirq[VEC_DYN_END - VEC_DYN_BASE];

/* Linux's names of the ISA IRQs a PC's devices use (as /proc/interrupts
 * shows them); an ISA IRQ not listed is shown unnamed. */
static const char *const isa_names[VEC_ISA_COUNT] = {
	[0] = "timer", [1] = "i8042", [3] = "ttyS1", [4] = "ttyS0", [8] = "rtc0", [12] = "i8042",
};

/* MSI address and data (Intel SDM vol. 3, 11.11.1 and 11.11.2). */
#define MSI_ADDRESS_BASE      0xfee00000u
#define MSI_DEST_SHIFT        12
#define MSI_DEST_MAX          0xfeu   /* 8 bits without interrupt remapping; 0xff broadcasts */
#define MSI_DATA_FIXED_EDGE   0u      /* delivery mode fixed, edge, assert: all zero */

void irq_set_handler(unsigned vector, irq_handler_t h)
{
	if (vector >= VEC_EXCEPTIONS && vector < VEC_COUNT)
		handlers[vector] = h;
}

unsigned irq_alloc_vector(irq_handler_t h)
{
	unsigned vector = 0;
	uint64_t flags = spin_lock_irqsave(&vector_lock);

	for (unsigned i = 0; i < VEC_DYN_END - VEC_DYN_BASE; i++) {
		if (!dyn_used[i]) {
			dyn_used[i] = true;
			vector = VEC_DYN_BASE + i;
			handlers[vector] = h;
			names[vector] = NULL;
			msi_hwirq[i] = 0;
			break;
		}
	}
	spin_unlock_irqrestore(&vector_lock, flags);
	return vector;
}

void irq_free_vector(unsigned vector)
{
	if (vector < VEC_DYN_BASE || vector >= VEC_DYN_END)
		return;
	uint64_t flags = spin_lock_irqsave(&vector_lock);
	handlers[vector] = NULL;
	names[vector] = NULL;
	dyn_used[vector - VEC_DYN_BASE] = false;
	spin_unlock_irqrestore(&vector_lock, flags);
}

bool irq_msi_message(unsigned vector, uint64_t *address, uint32_t *data)
{
	uint32_t dest = lapic_id();

	if (vector < VEC_DYN_BASE || vector >= VEC_DYN_END || dest > MSI_DEST_MAX)
		return false;
	*address = MSI_ADDRESS_BASE | dest << MSI_DEST_SHIFT;
	*data = MSI_DATA_FIXED_EDGE | vector;
	return true;
}

/* Runs with interrupts off. Every vector but the spurious one was
 * delivered by the local APIC and holds its in-service bit until the EOI,
 * blocking its priority class: so the EOI goes out even when nobody
 * handled the interrupt. A spurious interrupt sets no in-service bit,
 * and an EOI for it would retire some other interrupt's. */
void irq_dispatch(struct trap_frame *tf)
{
	irq_handler_t h = handlers[tf->vector];

	counts[this_cpu()->cpu_id % IRQ_MAX_CPUS][tf->vector & (VEC_COUNT - 1)]++;
	if (h)
		h(tf);
	else
		klog(LOG_WARN, "irq: unexpected interrupt on vector %lu\n", tf->vector);
	if (tf->vector != VEC_SPURIOUS)
		lapic_eoi();
}

/* IO APIC registers are reached through a select/window pair, so every
 * change runs with interrupts off; callers may have them on. */
bool irq_route_isa(unsigned isa_irq, irq_handler_t h)
{
	struct isa_route r;
	unsigned vector = VEC_ISA_BASE + isa_irq;
	bool ok = false;

	if (isa_irq >= VEC_ISA_COUNT || !ioapic_isa_route(isa_irq, &r))
		return false;
	uint64_t flags = irq_save();
	if (ioapic_program(r.gsi, (uint8_t)vector, r.active_low, r.level)) {
		irq_set_handler(vector, h);
		names[vector] = isa_names[isa_irq];
		ioapic_set_masked(r.gsi, false);
		ok = true;
	}
	irq_restore(flags);
	return ok;
}

void irq_unroute_isa(unsigned isa_irq)
{
	struct isa_route r;

	if (isa_irq >= VEC_ISA_COUNT || !ioapic_isa_route(isa_irq, &r))
		return;
	uint64_t flags = irq_save();
	ioapic_set_masked(r.gsi, true);
	irq_set_handler(VEC_ISA_BASE + isa_irq, NULL);
	irq_restore(flags);
}

/* Linux's MSI hwirq (pci_msi_domain_calc_hwirq): the entry's index (0:
 * Kestrel programs one), the requester's bus/devfn and its segment. */
#define MSI_HWIRQ_DEVID_SHIFT   11
#define MSI_HWIRQ_SEGMENT_SHIFT 27

void irq_set_msi_name(unsigned vector, const char *name, uint16_t segment, uint8_t bus,
		      uint8_t devfn)
{
	if (vector < VEC_DYN_BASE || vector >= VEC_DYN_END)
		return;
	msi_hwirq[vector - VEC_DYN_BASE] = (uint64_t)((unsigned)bus << 8 | devfn) << MSI_HWIRQ_DEVID_SHIFT |
					   (uint64_t)segment << MSI_HWIRQ_SEGMENT_SHIFT;
	names[vector] = name;
}

/* ---------------------------------------------------------------- counts */

void irq_count_nmi(unsigned cpu)
{
	if (cpu < IRQ_MAX_CPUS)
		nmi_counts[cpu]++;
}

uint32_t irq_count(unsigned cpu, unsigned vector)
{
	if (cpu >= IRQ_MAX_CPUS || vector >= VEC_COUNT)
		return 0;
	return __atomic_load_n(&counts[cpu][vector], __ATOMIC_RELAXED);
}

uint32_t irq_stat_count(unsigned cpu, enum irq_stat stat)
{
	static const unsigned vector_of[IRQ_STAT_COUNT] = {
		[IRQ_STAT_TIMER] = VEC_APIC_TIMER, [IRQ_STAT_SPURIOUS] = VEC_SPURIOUS,
		[IRQ_STAT_RESCHED] = VEC_IPI_RESCHED, [IRQ_STAT_TLB] = VEC_IPI_TLB,
		[IRQ_STAT_ERROR] = VEC_APIC_ERROR,
	};

	if (cpu >= IRQ_MAX_CPUS || (unsigned)stat >= IRQ_STAT_COUNT)
		return 0;
	if (stat == IRQ_STAT_NMI)
		return __atomic_load_n(&nmi_counts[cpu], __ATOMIC_RELAXED);
	return irq_count(cpu, vector_of[stat]);
}

uint64_t irq_cpu_total(unsigned cpu)
{
	uint64_t n;

	if (cpu >= IRQ_MAX_CPUS)
		return 0;
	n = __atomic_load_n(&nmi_counts[cpu], __ATOMIC_RELAXED);
	for (unsigned v = 0; v < VEC_COUNT; v++)
		n += irq_count(cpu, v);
	return n;
}

/* The first GSI above every IO APIC's (16, the ISA IRQs, without one):
 * Linux numbers its MSI interrupts from there. */
static unsigned gsi_top(void)
{
	uint64_t address;
	uint32_t first, last;
	unsigned top = VEC_ISA_COUNT;

	for (unsigned i = 0; ioapic_info(i, &address, &first, &last); i++)
		if (last + 1 > top)
			top = last + 1;
	return top;
}

/* Has vector been counted on any CPU? (A CPU never online counts nothing.) */
static bool ever_counted(unsigned vector)
{
	for (unsigned cpu = 0; cpu < IRQ_MAX_CPUS; cpu++)
		if (irq_count(cpu, vector))
			return true;
	return false;
}

/* ISA vector v as a source, if it is routed or has been taken. */
static bool isa_source(unsigned v, struct irq_source *out)
{
	unsigned isa = v - VEC_ISA_BASE;
	struct isa_route r;
	uint64_t address;
	uint32_t first, last, pin = 0;

	if ((!handlers[v] && !ever_counted(v)) || !ioapic_isa_route(isa, &r))
		return false;
	for (unsigned i = 0; ioapic_info(i, &address, &first, &last); i++)
		if (r.gsi >= first && r.gsi <= last)
			pin = r.gsi - first; /* the pin of the IO APIC serving the GSI */
	*out = (struct irq_source){ .vector = v, .irq = isa, .chip = "IO-APIC",
				    .hwirq = pin, .level = r.level, .name = names[v] };
	return true;
}

bool irq_next_source(unsigned *cursor, struct irq_source *out)
{
	for (unsigned v = *cursor < VEC_ISA_BASE ? VEC_ISA_BASE : *cursor; v < VEC_DYN_END; v++) {
		*cursor = v + 1;
		if (v < VEC_DYN_BASE) {
			if (isa_source(v, out))
				return true;
			continue;
		}
		if (!__atomic_load_n(&dyn_used[v - VEC_DYN_BASE], __ATOMIC_RELAXED))
			continue;
		*out = (struct irq_source){ .vector = v, .irq = gsi_top() + v - VEC_DYN_BASE,
					    .chip = "PCI-MSI", .hwirq = msi_hwirq[v - VEC_DYN_BASE],
					    .level = false, .name = names[v] };
		return true;
	}
	*cursor = VEC_DYN_END;
	return false;
}

/* The "apic:" banner line: mode, ID, CPUs, IO APICs and overrides. */
static void banner(const struct acpi_madt_info *madt)
{
	unsigned cpus = 0, overrides = madt ? madt->noverrides : 0;
	uint64_t address;
	uint32_t first, last;

	for (unsigned i = 0; madt && i < madt->ncpus; i++)
		cpus += madt->cpus[i].enabled;
	if (!ioapic_info(0, &address, &first, &last)) {
		klog(LOG_INFO, "apic: %s id %u, %u CPUs in MADT, no IO APIC, %u overrides\n",
		     lapic_is_x2apic() ? "x2APIC" : "xAPIC", lapic_id(), cpus, overrides);
		return;
	}
	klog(LOG_INFO, "apic: %s id %u, %u CPUs in MADT, IO APIC at %#lx GSIs %u-%u, %u overrides\n",
	     lapic_is_x2apic() ? "x2APIC" : "xAPIC", lapic_id(), cpus, address, first, last, overrides);
	for (unsigned i = 1; ioapic_info(i, &address, &first, &last); i++)
		klog(LOG_INFO, "apic: IO APIC at %#lx GSIs %u-%u\n", address, first, last);
}

void interrupts_init(void)
{
	const struct acpi_madt_info *madt = acpi_madt();

	pic_disable();
	if (!lapic_init(madt))
		return;
	irq_set_handler(VEC_APIC_ERROR, lapic_error_interrupt);
	irq_set_handler(VEC_SPURIOUS, lapic_spurious_interrupt);
	ioapic_init(madt, lapic_id());
	banner(madt);
}
