// SPDX-License-Identifier: MIT
/*
 * Kestrel: the CPUs in /proc as Linux writes them: /proc/interrupts
 * (kernel/irq/proc.c's show_interrupts and arch/x86's
 * arch_show_interrupts), /proc/stat's "intr" line, and /proc/PID/status's
 * Cpus_allowed lines. The counts come from the interrupt dispatcher
 * (arch/x86_64/irq.h), each CPU counting its own.
 */
#include "fs/procfs_cpus.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/smp.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "lib/cpumask_fmt.h"

_Static_assert(SMP_MAX_CPUS <= IRQ_MAX_CPUS, "the interrupt counts must cover every CPU");
_Static_assert(SMP_MAX_CPUS <= HEAP_MAX_CPUS, "the heap's caches must cover every CPU");
_Static_assert(SMP_MAX_CPUS <= PMM_MAX_CPUS, "the page caches must cover every CPU");

/* Linux's width of the IRQ-number column (show_interrupts' prec): 3
 * digits below 1,000 IRQs, which Kestrel never reaches. */
#define IRQ_PREC 3
/* Bytes of one line: the label, 11 a CPU, chip, hwirq, type and name. */
#define IRQ_LINE_FIXED 64
#define IRQ_LINE_PER_CPU 11
#define IRQ_NAMED_LINES 19 /* the named lines below */

/* The named lines, in Linux's order (arch_show_interrupts with Debian's
 * configuration); what Kestrel has no such interrupt for reads 0. */
#define NOT_COUNTED (-1)
static const struct {
	const char *label;
	int stat;            /* enum irq_stat, or NOT_COUNTED */
	const char *what;
	bool total;          /* a single total (ERR, MIS) */
} named_lines[IRQ_NAMED_LINES] = {
	{ "NMI", IRQ_STAT_NMI, "Non-maskable interrupts", false },
	{ "LOC", IRQ_STAT_TIMER, "Local timer interrupts", false },
	{ "SPU", IRQ_STAT_SPURIOUS, "Spurious interrupts", false },
	{ "PMI", NOT_COUNTED, "Performance monitoring interrupts", false },
	{ "IWI", NOT_COUNTED, "IRQ work interrupts", false },
	{ "RTR", NOT_COUNTED, "APIC ICR read retries", false },
	{ "RES", IRQ_STAT_RESCHED, "Rescheduling interrupts", false },
	{ "CAL", NOT_COUNTED, "Function call interrupts", false },
	{ "TLB", IRQ_STAT_TLB, "TLB shootdowns", false },
	{ "TRM", NOT_COUNTED, "Thermal event interrupts", false },
	{ "THR", NOT_COUNTED, "Threshold APIC interrupts", false },
	{ "DFR", NOT_COUNTED, "Deferred Error APIC interrupts", false },
	{ "MCE", NOT_COUNTED, "Machine check exceptions", false },
	{ "MCP", NOT_COUNTED, "Machine check polls", false },
	{ "ERR", IRQ_STAT_ERROR, NULL, true },
	{ "MIS", NOT_COUNTED, NULL, true },
	{ "PIN", NOT_COUNTED, "Posted-interrupt notification event", false },
	{ "NPI", NOT_COUNTED, "Nested posted-interrupt event", false },
	{ "PIW", NOT_COUNTED, "Posted-interrupt wakeup event", false },
};

static uint32_t stat_of(int stat, unsigned cpu)
{
	return stat == NOT_COUNTED ? 0 : irq_stat_count(cpu, (enum irq_stat)stat);
}

/* "           CPU0       CPU1 ...": the CPU columns' header. */
static void interrupts_header(struct sbuf *s, unsigned ncpus)
{
	sb_printf(s, "%*s", IRQ_PREC + 8, "");
	for (unsigned cpu = 0; cpu < ncpus; cpu++)
		sb_printf(s, "CPU%-8u", cpu);
	sb_printf(s, "\n");
}

/* " 24:   COUNT... PCI-MSI 65536-edge      NAME": a device's line. */
static void source_line(struct sbuf *s, const struct irq_source *src, unsigned ncpus)
{
	sb_printf(s, "%*u: ", IRQ_PREC, src->irq);
	for (unsigned cpu = 0; cpu < ncpus; cpu++)
		sb_printf(s, "%10u ", irq_count(cpu, src->vector));
	sb_printf(s, " %8s %*lu-%-8s", src->chip, IRQ_PREC, (unsigned long)src->hwirq,
		  src->level ? "fasteoi" : "edge");
	if (src->name)
		sb_printf(s, "  %s", src->name);
	sb_printf(s, "\n");
}

static void named_line(struct sbuf *s, unsigned i, unsigned ncpus)
{
	int stat = named_lines[i].stat;

	sb_printf(s, "%*s: ", IRQ_PREC, named_lines[i].label);
	if (named_lines[i].total) {
		uint32_t sum = 0;
		for (unsigned cpu = 0; cpu < ncpus; cpu++)
			sum += stat_of(stat, cpu);
		sb_printf(s, "%10u\n", sum);
		return;
	}
	for (unsigned cpu = 0; cpu < ncpus; cpu++)
		sb_printf(s, "%10u ", stat_of(stat, cpu));
	sb_printf(s, "  %s\n", named_lines[i].what);
}

void show_interrupts(struct sbuf *s, struct process *p)
{
	unsigned ncpus = smp_cpus_online(), cursor = 0;
	struct irq_source src;

	(void)p;
	interrupts_header(s, ncpus);
	while (irq_next_source(&cursor, &src))
		source_line(s, &src, ncpus);
	for (unsigned i = 0; i < IRQ_NAMED_LINES; i++)
		named_line(s, i, ncpus);
}

size_t interrupts_buf_size(void)
{
	unsigned sources = 0, cursor = 0;
	struct irq_source src;

	while (irq_next_source(&cursor, &src))
		sources++;
	/* the header, the devices, the named lines; a device may appear meanwhile */
	return (sources + 2 + IRQ_NAMED_LINES) * (IRQ_LINE_FIXED + IRQ_LINE_PER_CPU * smp_cpus_online());
}

/* A device's interrupts on every CPU. */
static uint64_t source_total(const struct irq_source *src, unsigned ncpus)
{
	uint64_t n = 0;

	for (unsigned cpu = 0; cpu < ncpus; cpu++)
		n += irq_count(cpu, src->vector);
	return n;
}

/* Every interrupt taken, as Linux's "intr" total: the devices' and the
 * CPUs' own (timer, IPIs, spurious, errors) and the NMIs. */
static uint64_t interrupts_total(unsigned ncpus)
{
	uint64_t n = 0;

	for (unsigned cpu = 0; cpu < ncpus; cpu++)
		n += irq_cpu_total(cpu);
	return n;
}

/* /proc/stat's "intr TOTAL N0 N1 ...": the total, then each IRQ number's
 * count from 0 up to the highest in use (Linux goes on to nr_irqs with
 * zeros; readers take the total, or an IRQ by its place). */
void show_stat_intr(struct sbuf *s)
{
	unsigned ncpus = smp_cpus_online(), cursor = 0, next_irq = 0;
	struct irq_source src;

	sb_printf(s, "intr %lu", (unsigned long)interrupts_total(ncpus));
	while (irq_next_source(&cursor, &src)) {
		for (; next_irq < src.irq; next_irq++)
			sb_printf(s, " 0");
		sb_printf(s, " %lu", (unsigned long)source_total(&src, ncpus));
		next_irq = src.irq + 1;
	}
	sb_printf(s, "\n");
}

/* status's "Cpus_allowed:\tf" and "Cpus_allowed_list:\t0-3" (Linux's
 * task_cpus_allowed), sized to the possible CPUs (Kestrel's are the
 * online ones), of the thread the status is about. */
void show_cpus_allowed(struct sbuf *s, uint64_t mask)
{
	char text[CPUMASK_BITS * 4];
	unsigned n = smp_cpus_online();

	cpumask_format_hex(text, sizeof(text), mask, n);
	sb_printf(s, "Cpus_allowed:\t%s\n", text);
	cpumask_format_list(text, sizeof(text), mask, n);
	sb_printf(s, "Cpus_allowed_list:\t%s\n", text);
}
