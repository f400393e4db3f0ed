// SPDX-License-Identifier: MIT
/*
 * Kestrel x86_64: the other CPUs. The boot CPU prepares a slot per
 * application processor (its per-CPU block, GDT/TSS/IST stacks and a
 * kernel stack), copies the trampoline (entry/ap_trampoline.S) to the
 * pages the loader reserved below 1 MiB, and starts every AP at once:
 * INIT to all, the delay Linux uses, then two rounds of SIPIs. Each AP
 * sets itself up (ap_entry) without taking the kernel lock and without
 * logging, and answers in its slot; the boot CPU waits for the answers
 * with a deadline, numbers the CPUs that answered (dense ids, in MADT
 * order), logs, and lets them enter the scheduler. A CPU that answers too
 * late finds its slot abandoned and halts.
 */
#include "arch/x86_64/smp.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/features.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/frame_print.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/syscall_msr.h"
#include "arch/x86_64/tlb.h"
#include "arch/x86_64/trapframe.h"
#include "arch/x86_64/vectors.h"
#include "firmware/acpi.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/vmalloc.h"
#include "mm/vmm.h"
#include "time/time.h"
#include "ksyms.h"
#include "log.h"
#include "panic.h"

#define TRAMPOLINE_PAGES   4         /* code+data, PML4, PDPT, PD (the loader's TRAMPOLINE_PAGES) */
#define TR_PAGE_CODE       0
#define TR_PAGE_PML4       1
#define TR_PAGE_PDPT       2
#define TR_PAGE_PD         3
#define PAGE_BYTES         4096u
#define PAGE_SHIFT_4K      12
#define LOW_MEM_END        0x100000ull  /* a SIPI vector is a page below 1 MiB */
#define PML4_KERNEL_FIRST  256          /* the upper half: entries 256-511 */
#define PT_ENTRIES         512
#define XAPIC_MAX_ID       0xfeu        /* 0xff is the xAPIC broadcast */
#define SMP_ANSWER_MS      1000         /* every AP's deadline to answer, from the SIPIs */
#define SMP_STOP_WAIT_MS   100          /* a panic's wait for the other CPUs to stop */
#define US_PER_SEC         1000000ull
/* Linux's delays (arch/x86/kernel/smpboot.c): none between INIT and the
 * SIPIs on modern CPUs (Intel family 6 and later, AMD 0Fh and later,
 * Hygon 18h), 10 ms on older ones; 10 us after each SIPI (300 and 200 us
 * on older ones). */
#define INIT_DELAY_LEGACY_US 10000
#define SIPI_DELAY_MODERN_US 10
#define SIPI1_DELAY_LEGACY_US 300
#define SIPI2_DELAY_LEGACY_US 200
#define CPUID_VENDOR       0u
#define CPUID_FEATURES     1u
#define CPUID1_EBX_APIC_SHIFT 24
#define CPUID_TOPOLOGY     0xbu
#define FAMILY_SHIFT       8
#define FAMILY_MASK        0xfu
#define EXT_FAMILY_SHIFT   20
#define EXT_FAMILY_MASK    0xffu
#define FAMILY_EXTENDED    0xfu
#define VENDOR_INTEL_EBX   0x756e6547u  /* "Genu" */
#define VENDOR_AMD_EBX     0x68747541u  /* "Auth" */
#define VENDOR_HYGON_EBX   0x6f677948u  /* "Hygo" */
#define FAMILY_INTEL_MODERN 6u
#define FAMILY_AMD_MODERN  0xfu
#define FAMILY_HYGON_MODERN 0x18u

/* The trampoline blob and its fields (entry/ap_trampoline.S). */
extern const char ap_trampoline_start[], ap_trampoline_end[];
extern const char ap_trampoline_pm[], ap_trampoline_lm[];
extern const char tr_gdtr[], tr_far32[], tr_far64[], tr_cr3[], tr_entry[], tr_ticket[];
extern const char tr_gdt[], tr_stacks[];
#define TR_GDTR_BASE_OFF 2               /* after the 16-bit limit */

/* An AP's answer in its slot. */
enum ap_state {
	AP_WAITING,    /* started, not answered */
	AP_UP,         /* set up, waiting for ap_go */
	AP_REFUSED,    /* features differ (slot.why) or no APIC: halted */
	AP_ABANDONED,  /* the boot CPU stopped waiting: it halts if it comes */
};

/* One AP to start: written by the boot CPU before the SIPIs; state is
 * then moved on by compare-and-swap (the AP: WAITING -> UP or REFUSED;
 * the boot CPU at the deadline: WAITING -> ABANDONED). */
struct ap_slot {
	uint32_t apic_id;
	int state;
	const char *why;
	struct percpu *pc;
	struct cpu_gdt *gdt;
	uint64_t tsc_entered, tsc_answered; /* the AP's TSC at ap_entry and at its answer */
};

static struct ap_slot slots[SMP_MAX_CPUS];
static unsigned nslots;
static volatile bool ap_go;          /* set once the boot CPU numbered the CPUs */
static bool boot_waiting;            /* the boot CPU halts in collect: answers wake it */
static struct percpu *cpus[SMP_MAX_CPUS];
volatile unsigned smp_online = 1; /* smp.h: smp_cpus_online */
static uint64_t t_kick;              /* TSC at smp_start, before its first INIT */
static uint64_t prepare_tsc;         /* the TSC counts prepare took */
static uint64_t park_tsc;            /* TSC when smp_park_others sent its INITs */
static bool parked_all;              /* and every APIC took its INIT */

/* The TSC warp test (Linux's check_tsc_warp): CPUs take turns under
 * warp_lock, each reading its TSC and comparing it with the last reading
 * any CPU made; a reading below it, made later, means the TSCs are not
 * in step. The boot CPU reads before the kick and again at smp_finish
 * (so one ahead of or behind the others shows), each AP as it answers.
 * Lock rule: warp_last and warp_max under warp_lock (a bare flag,
 * interrupts off: the APs take no kernel lock). */
#define WARP_ROUNDS 64
static volatile uint32_t warp_lock;
static uint64_t warp_last, warp_max;
/* smp_tsc_skew=N, a test: the first AP's warp-test readings are taken N
 * cycles behind (QEMU's TCG ignores writes to the TSC MSRs), so they fall
 * below the boot CPU's reading before the kick, however late smp_finish
 * reads again. (Ahead, they had to stay above that last reading: on a
 * loaded host smp_finish came more than 2^30 cycles after them once, and
 * the test of the test saw no warp.) */
static uint64_t first_ap_skew;
static bool started;                 /* smp_start kicked the APs: smp_finish collects */
static const char *not_started;      /* else why not */
static void (*ap_enter)(void) __attribute__((noreturn)); /* the scheduler's */
static volatile int panic_cpu = -1;  /* the CPU that stops the others */
static unsigned cpus_stopped;        /* CPUs halted by its NMI */
static uint64_t stopped_rip[SMP_MAX_CPUS]; /* where each was (0: not stopped) */
/* The NMI's frame of each stopped CPU: valid for good, since the CPU
 * halts inside that handler and never returns. */
static const struct trap_frame *stopped_tf[SMP_MAX_CPUS];

struct percpu *smp_cpu(unsigned id)
{
	if (id == 0)
		return cpus[0] ? cpus[0] : this_cpu();
	return id < smp_online ? cpus[id] : NULL;
}

void smp_send_ipi(unsigned id, unsigned vector)
{
	struct percpu *p = smp_cpu(id);

	if (p && id != smp_cpu_id())
		lapic_send_ipi(p->apic_id, vector);
}

/* ------------------------------------------------------ the AP's side */

/* WARP_ROUNDS turns of the warp test on this CPU (skew: taken from its
 * readings, 0 but in the test of the test). */
static void warp_rounds(uint64_t skew)
{
	for (int i = 0; i < WARP_ROUNDS; i++) {
		while (__atomic_exchange_n(&warp_lock, 1, __ATOMIC_ACQUIRE))
			cpu_pause();
		uint64_t tsc = rdtsc_ordered(), now = tsc > skew ? tsc - skew : 0;
		if (now < warp_last && warp_last - now > warp_max)
			warp_max = warp_last - now;
		if (now > warp_last)
			warp_last = now;
		__atomic_store_n(&warp_lock, 0, __ATOMIC_RELEASE);
	}
}

uint64_t smp_tsc_warp(void)
{
	return warp_max;
}

/* This CPU's APIC ID from CPUID (its APIC is not set up yet): the
 * x2APIC ID of leaf 0Bh where there is one, else the 8-bit initial ID. */
static uint32_t cpuid_apic_id(void)
{
	uint32_t r[4];

	cpuid(CPUID_VENDOR, 0, r);
	if (r[0] >= CPUID_TOPOLOGY) {
		cpuid(CPUID_TOPOLOGY, 0, r);
		if (r[1])
			return r[3];
	}
	cpuid(CPUID_FEATURES, 0, r);
	return r[1] >> CPUID1_EBX_APIC_SHIFT;
}

static struct ap_slot *slot_of(uint32_t apic_id)
{
	for (unsigned i = 0; i < nslots; i++)
		if (slots[i].apic_id == apic_id)
			return &slots[i];
	return NULL;
}

static bool answer(struct ap_slot *s, int state)
{
	int expected = AP_WAITING;

	return __atomic_compare_exchange_n(&s->state, &expected, state, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
}

void ap_entry(unsigned ticket, uint64_t stack_top) __attribute__((noreturn));

/*
 * The trampoline's 64-bit target, on the AP's kernel stack, interrupts
 * off, on the bring-up page tables. Loads this CPU's GDT/TSS, the IDT,
 * the kernel's page tables, its per-CPU block, the boot CPU's features,
 * the SYSCALL MSRs and its local APIC; answers; waits for the boot CPU to
 * number it; starts its tick and enters the scheduler (ap_enter). Takes no lock and
 * logs nothing until then: the boot CPU reports for it.
 */
void ap_entry(unsigned ticket, uint64_t stack_top)
{
	uint64_t tsc = rdtsc();
	struct ap_slot *s = slot_of(cpuid_apic_id());
	uint64_t pml4 = vmm_kernel_pml4();

	(void)ticket;
	(void)stack_top;
	if (!s)
		cpu_halt_forever(); /* not a CPU this boot started */
	s->tsc_entered = tsc;
	gdt_load(s->gdt);
	idt_load();
	arch_switch_pml4(pml4);
	percpu_install(s->pc);
	s->why = cpu_features_init_ap();
	if (!s->why && !lapic_init_ap())
		s->why = "its local APIC cannot be set up";
	if (s->why) {
		answer(s, AP_REFUSED);
		cpu_halt_forever();
	}
	fpu_boot_init();
	arch_syscall_init();
	warp_rounds(s == &slots[0] ? first_ap_skew : 0);
	s->tsc_answered = rdtsc();
	if (!answer(s, AP_UP))
		cpu_halt_forever(); /* too late: left out */
	/* Wake the boot CPU only if it waits in collect: before sched_init
	 * nothing handles the vector (each was an "unexpected interrupt" log
	 * line on the serial console, inside the measured boot). Both sides
	 * store then load, sequentially consistent: one sees the other. */
	if (__atomic_load_n(&boot_waiting, __ATOMIC_SEQ_CST))
		lapic_send_ipi(cpus[0]->apic_id, VEC_IPI_RESCHED);
	/* Halted until smp_finish lets it in (its VEC_IPI_RESCHED, answered
	 * without the lock: trap.c), not spinning: under emulation a spinning
	 * CPU takes the host CPU the boot CPU needs to go on booting. */
	while (!__atomic_load_n(&ap_go, __ATOMIC_ACQUIRE)) {
		cpu_idle_wait();
		cpu_cli();
	}
	/* Kernel mappings may have been removed while it set itself up
	 * (smp_start returns before the answers): it was no shootdown's
	 * target yet, so it drops every translation it has now. */
	arch_switch_pml4(pml4);
	tlb_note_loaded(pml4); /* by its final id */
	if (time_tick_count())
		lapic_timer_periodic(time_tick_count());
	ap_enter();
}

/* ----------------------------------------------- the boot CPU's side */

/* TSC counts per microsecond; before time_init, TIME_EARLY_TSC_HZ's: a
 * delay is then never shorter than asked, and a time elapsed comes out
 * short, which only makes a wait for the rest of a delay longer. */
static uint64_t tsc_per_us(void)
{
	uint64_t hz = tsc_hz() ? tsc_hz() : TIME_EARLY_TSC_HZ;

	return hz / US_PER_SEC;
}

static void udelay(uint64_t us)
{
	uint64_t end = rdtsc() + tsc_per_us() * us;

	while (rdtsc() < end)
		cpu_pause();
}

/* Linux's test for CPUs that need no delay after INIT. */
static bool modern_cpu(void)
{
	uint32_t r[4], vendor, family;

	cpuid(CPUID_VENDOR, 0, r);
	vendor = r[1];
	cpuid(CPUID_FEATURES, 0, r);
	family = (r[0] >> FAMILY_SHIFT) & FAMILY_MASK;
	if (family == FAMILY_EXTENDED)
		family += (r[0] >> EXT_FAMILY_SHIFT) & EXT_FAMILY_MASK;
	return (vendor == VENDOR_INTEL_EBX && family >= FAMILY_INTEL_MODERN) ||
	       (vendor == VENDOR_AMD_EBX && family >= FAMILY_AMD_MODERN) ||
	       (vendor == VENDOR_HYGON_EBX && family >= FAMILY_HYGON_MODERN);
}

/* A GDT and TSS for another CPU, with guarded IST stacks (a fault
 * handler that overflows one hits the guard, not a neighbour); NULL when
 * out of memory (what was taken is kept: rare enough at boot). */
static struct cpu_gdt *alloc_gdt(void)
{
	struct cpu_gdt *g = kzalloc(sizeof(*g));
	uint64_t ist[GDT_IST_STACKS];

	for (int i = 0; g && i < GDT_IST_STACKS; i++)
		if (!(ist[i] = kstack_alloc()))
			return NULL;
	if (g)
		gdt_fill(g, ist);
	return g;
}

/* Add a slot for cpu with everything it needs; false (logged) when
 * memory runs out. Its provisional id is its slot number + 1. */
static bool add_slot(const struct acpi_cpu *cpu, uint64_t *stack)
{
	struct ap_slot *s = &slots[nslots];

	s->gdt = alloc_gdt();
	s->pc = s->gdt ? percpu_alloc(nslots + 1, cpu->apic_id, &s->gdt->tss) : NULL;
	*stack = s->pc ? kstack_alloc() : 0;
	if (!*stack) {
		klog(LOG_ERR, "smp: no memory for CPU with APIC ID %u; left out\n", cpu->apic_id);
		return false;
	}
	s->apic_id = cpu->apic_id;
	s->state = AP_WAITING;
	nslots++;
	return true;
}

/* The MADT's CPUs to start, in its order: enabled (as Linux, an
 * online-capable CPU that is not enabled waits for a hot-add, which
 * Kestrel does not do), not this one, addressable in the APIC's mode, up
 * to limit CPUs in all. Fills stacks[] (one per slot, the trampoline's). */
static void plan(const struct acpi_madt_info *madt, unsigned limit, uint64_t *stacks)
{
	uint32_t self = lapic_id();
	unsigned capable = 0;

	for (unsigned i = 0; madt && i < madt->ncpus && nslots + 1 < limit; i++) {
		const struct acpi_cpu *c = &madt->cpus[i];
		if (c->apic_id == self)
			continue;
		if (!c->enabled) {
			capable++;
			continue;
		}
		if (!lapic_is_x2apic() && c->apic_id > XAPIC_MAX_ID) {
			klog(LOG_WARN, "smp: CPU with APIC ID %u needs x2APIC; left out\n", c->apic_id);
			continue;
		}
		if (!add_slot(c, &stacks[nslots]))
			break;
	}
	if (capable)
		klog(LOG_INFO, "smp: %u online-capable CPU%s not started (no hot-add)\n", capable,
		     capable == 1 ? "" : "s");
}

/* Copy the blob to the low page and fill its fields; build the bring-up
 * tables: PML4 entry 0 -> PDPT -> PD whose entry 0 maps the first 2 MiB
 * (the trampoline) 1:1, and the kernel's upper-half entries, which
 * vmm_init created once for good. False if the blob does not fit. */
static bool prepare_trampoline(uint64_t base, const uint64_t *stacks)
{
	size_t len = (size_t)(ap_trampoline_end - ap_trampoline_start);
	uint8_t *tr = phys_to_virt(base);
	uint64_t *pml4 = phys_to_virt(base + TR_PAGE_PML4 * PAGE_BYTES);
	uint64_t *pdpt = phys_to_virt(base + TR_PAGE_PDPT * PAGE_BYTES);
	uint64_t *pd = phys_to_virt(base + TR_PAGE_PD * PAGE_BYTES);
	const uint64_t *kernel = phys_to_virt(vmm_kernel_pml4());

	if (len > PAGE_BYTES)
		return false;
#define TR_FIELD(sym, type) (*(type *)(tr + ((sym) - ap_trampoline_start)))
	memcpy(tr, ap_trampoline_start, len);
	TR_FIELD(tr_gdtr + TR_GDTR_BASE_OFF, uint32_t) = (uint32_t)(base + (tr_gdt - ap_trampoline_start));
	TR_FIELD(tr_far32, uint32_t) = (uint32_t)(base + (ap_trampoline_pm - ap_trampoline_start));
	TR_FIELD(tr_far64, uint32_t) = (uint32_t)(base + (ap_trampoline_lm - ap_trampoline_start));
	TR_FIELD(tr_cr3, uint64_t) = base + TR_PAGE_PML4 * PAGE_BYTES;
	TR_FIELD(tr_entry, uint64_t) = (uint64_t)ap_entry;
	TR_FIELD(tr_ticket, uint32_t) = 0;
	memcpy(&TR_FIELD(tr_stacks, uint64_t), stacks, nslots * sizeof(uint64_t));
#undef TR_FIELD
	memset(pml4, 0, PAGE_BYTES);
	memset(pdpt, 0, PAGE_BYTES);
	memset(pd, 0, PAGE_BYTES);
	pd[0] = PTE_P | PTE_W | PTE_PS;
	pdpt[0] = (base + TR_PAGE_PD * PAGE_BYTES) | PTE_P | PTE_W;
	pml4[0] = (base + TR_PAGE_PDPT * PAGE_BYTES) | PTE_P | PTE_W;
	for (unsigned i = PML4_KERNEL_FIRST; i < PT_ENTRIES; i++)
		pml4[i] = kernel[i];
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return true;
}

/* The INIT and its delay: none when smp_park_others already sent every
 * slot its INIT (the AP has waited for a SIPI since; an old CPU's 10 ms
 * after INIT count from the park), so the kick is SIPI-SIPI alone and an
 * old CPU's 10 ms wait is usually over. Otherwise INIT to every slot
 * here; a slot whose INIT the APIC refused is abandoned. */
static void init_all(bool modern)
{
	uint64_t since_park = (rdtsc() - park_tsc) / tsc_per_us();

	if (parked_all) {
		if (!modern && since_park < INIT_DELAY_LEGACY_US)
			udelay(INIT_DELAY_LEGACY_US - since_park);
		return;
	}
	for (unsigned i = 0; i < nslots; i++)
		if (!lapic_send_init(slots[i].apic_id))
			answer(&slots[i], AP_ABANDONED);
	if (!modern)
		udelay(INIT_DELAY_LEGACY_US);
}

/* INIT (init_all), then two rounds of SIPIs (an AP already running
 * ignores the second); a slot whose SIPI the APIC refused is left to
 * its deadline. */
static void kick_all(uint64_t base)
{
	bool modern = modern_cpu();
	uint32_t page = (uint32_t)(base >> PAGE_SHIFT_4K);

	init_all(modern);
	for (int round = 0; round < 2; round++) {
		for (unsigned i = 0; i < nslots; i++)
			if (__atomic_load_n(&slots[i].state, __ATOMIC_ACQUIRE) == AP_WAITING)
				lapic_send_sipi(slots[i].apic_id, page);
		udelay(modern ? SIPI_DELAY_MODERN_US : round ? SIPI2_DELAY_LEGACY_US : SIPI1_DELAY_LEGACY_US);
	}
}

static unsigned waiting(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nslots; i++)
		n += __atomic_load_n(&slots[i].state, __ATOMIC_ACQUIRE) == AP_WAITING;
	return n;
}

static uint64_t tsc_to_us(uint64_t cycles)
{
	uint64_t per_us = tsc_hz() / US_PER_SEC;

	return cycles / (per_us ? per_us : 1);
}

/* Wait for the answers; then number the CPUs that came up and say why
 * the others did not. */
static void collect(void)
{
	uint64_t deadline = tsc_deadline_ms(SMP_ANSWER_MS);
	uint64_t flags = irq_save();

	__atomic_store_n(&boot_waiting, true, __ATOMIC_SEQ_CST);
	/* Halted, not spinning: under emulation the APs are host threads
	 * that need the host CPU this one would burn. An AP answering from now
	 * on sends VEC_IPI_RESCHED (a no-op when taken); the tick bounds the
	 * wait. */
	while (waiting() && !tsc_deadline_passed(deadline)) {
		cpu_idle_wait();
		cpu_cli();
	}
	__atomic_store_n(&boot_waiting, false, __ATOMIC_RELAXED);
	irq_restore(flags);
	for (unsigned i = 0; i < nslots; i++) {
		struct ap_slot *s = &slots[i];
		if (answer(s, AP_ABANDONED))
			klog(LOG_WARN, "smp: CPU with APIC ID %u did not answer; left out\n", s->apic_id);
		else if (s->state == AP_ABANDONED) /* by kick_all */
			klog(LOG_WARN, "smp: CPU with APIC ID %u: its APIC took no INIT; left out\n",
			     s->apic_id);
		else if (s->state == AP_REFUSED)
			klog(LOG_WARN, "smp: CPU with APIC ID %u left out: %s\n", s->apic_id, s->why);
		else if (s->state == AP_UP) {
			s->pc->cpu_id = smp_online;
			cpus[smp_online] = s->pc;
			smp_online = smp_online + 1;
		}
	}
}

/* How tlb.c reaches the CPUs (it sits below mm, and so below this file). */
static unsigned self_id(void)
{
	return smp_cpu_id();
}

static const struct tlb_cpus tlb_cpus = { self_id, smp_cpus_online, smp_send_ipi, irq_set_handler };
_Static_assert(TLB_MAX_CPUS >= SMP_MAX_CPUS, "a TLB mailbox per CPU");

/* A stopped CPU's registers, and in kernel mode its backtrace: its stack
 * no longer changes (it halts in the NMI handler for good). */
static void print_stopped(const struct trap_frame *tf)
{
	if (!tf)
		return;
	trap_print_regs(tf);
	if (!(tf->cs & SEL_RPL3))
		panic_backtrace(tf->rip, tf->rbp);
}

/* panic_begin's hook, on the panicking CPU: an NMI to every other CPU,
 * a bounded wait for each to stop (smp_nmi_stop), and one line per CPU
 * saying where it was. The NMI handlers only record: this CPU prints, so
 * the lines come out whole. */
static void stop_others(void)
{
	unsigned self = smp_cpu_id(), n = smp_online;
	uint64_t deadline;

	__atomic_store_n(&panic_cpu, (int)self, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < n; i++)
		if (i != self)
			lapic_send_nmi(cpus[i]->apic_id);
	deadline = tsc_deadline_ms(SMP_STOP_WAIT_MS);
	while (__atomic_load_n(&cpus_stopped, __ATOMIC_ACQUIRE) < n - 1 && !tsc_deadline_passed(deadline))
		cpu_pause();
	for (unsigned i = 0; i < n; i++) {
		uint64_t rip = __atomic_load_n(&stopped_rip[i], __ATOMIC_ACQUIRE), off;
		const char *name = rip ? ksyms_lookup(rip, &off) : NULL;
		if (i == self)
			continue;
		if (!rip)
			panic_printf("cpu %u: did not stop\n", i);
		else if (name)
			panic_printf("cpu %u: stopped at %#lx %s+%#lx\n", i, rip, name, off);
		else
			panic_printf("cpu %u: stopped at %#lx\n", i, rip);
		if (rip)
			print_stopped(stopped_tf[i]);
	}
}

unsigned smp_nmi_cpu_id(void)
{
	if (smp_online <= 1 || !lapic_ready())
		return 0;
	uint32_t apic = lapic_id();
	for (unsigned i = 0; i < smp_online; i++)
		if (cpus[i] && cpus[i]->apic_id == apic)
			return i;
	return SMP_MAX_CPUS;
}

bool smp_nmi_stop(const struct trap_frame *tf)
{
	int p = __atomic_load_n(&panic_cpu, __ATOMIC_SEQ_CST);
	unsigned self = smp_nmi_cpu_id(); /* not GS: the NMI may have come in ring 3 */

	if (p < 0 || p == (int)self)
		return false;
	if (self < SMP_MAX_CPUS) {
		stopped_tf[self] = tf;
		__atomic_store_n(&stopped_rip[self], tf->rip ? tf->rip : 1, __ATOMIC_RELEASE);
	}
	__atomic_fetch_add(&cpus_stopped, 1, __ATOMIC_RELEASE);
	cpu_halt_forever();
}

/* Stopping the firmware's spinning APs early matters under emulation:
 * each is a host thread that competes with the boot CPU until INIT. The
 * INIT sent here is the one of INIT-SIPI-SIPI (park_tsc, parked_all):
 * an AP stays in wait-for-SIPI until the kick. */
void smp_park_others(void)
{
	const struct acpi_madt_info *madt = acpi_madt();
	uint32_t self = lapic_id();
	bool all = madt && lapic_ready();

	for (unsigned i = 0; all && i < madt->ncpus; i++) {
		const struct acpi_cpu *c = &madt->cpus[i];
		if (c->enabled && c->apic_id != self && !lapic_send_init(c->apic_id))
			all = false;
	}
	park_tsc = rdtsc();
	parked_all = all;
}

void smp_set_tsc_skew(uint64_t cycles)
{
	first_ap_skew = cycles;
}

void smp_set_ap_entry(void (*enter)(void) __attribute__((noreturn)))
{
	ap_enter = enter;
}

/* Why no other CPU can be started, or NULL. */
static const char *cannot_start(const struct kbi_boot_info *bi, unsigned limit)
{
	if (limit == 1)
		return "maxcpus=1";
	if (!ap_enter)
		return "no scheduler entry registered";
	if (!lapic_ready())
		return "no local APIC";
	if (bi->ap_trampoline_pages < TRAMPOLINE_PAGES || !bi->ap_trampoline ||
	    bi->ap_trampoline + TRAMPOLINE_PAGES * PAGE_BYTES > LOW_MEM_END)
		return "no start-up pages below 1 MiB from the loader";
	return NULL;
}


/* The details, at loglevel 7, once the CPUs are up (the consoles are
 * slow under emulation: not inside the measured start). */
static void log_details(void)
{
	klog(LOG_DEBUG, "smp: %u slots prepared in %lu us\n", nslots, tsc_to_us(prepare_tsc));
	for (unsigned i = 0; i < nslots; i++) {
		const struct ap_slot *s = &slots[i];
		if (s->state == AP_UP)
			klog(LOG_DEBUG, "smp: CPU %u (APIC ID %u) in C after %lu us, up after %lu us\n",
			     s->pc->cpu_id, s->apic_id, tsc_to_us(s->tsc_entered - t_kick),
			     tsc_to_us(s->tsc_answered - t_kick));
	}
}

/* smp_start's first step: plan the slots, allocate their stacks, GDTs,
 * TSSs and per-CPU blocks, prepare the trampoline, or say in not_started
 * why no CPU can start; no AP is touched. */
static void prepare(const struct kbi_boot_info *bi, unsigned max_cpus)
{
	static uint64_t stacks[SMP_MAX_CPUS];
	unsigned limit = max_cpus && max_cpus < SMP_MAX_CPUS ? max_cpus : SMP_MAX_CPUS;
	const char *why = cannot_start(bi, limit);
	uint64_t t0 = rdtsc();

	cpus[0] = this_cpu();
	cpus[0]->apic_id = lapic_id();
	panic_set_stop_others(stop_others);
	tlb_attach_cpus(&tlb_cpus); /* before any other CPU runs */
	if (!why)
		plan(acpi_madt(), limit, stacks);
	if (!why && !nslots)
		why = "no other CPU in the MADT";
	if (!why && !prepare_trampoline(bi->ap_trampoline, stacks))
		why = "the trampoline does not fit its page";
	not_started = why;
	prepare_tsc = rdtsc() - t0;
}

void smp_start(const struct kbi_boot_info *bi, unsigned max_cpus)
{
	prepare(bi, max_cpus);
	t_kick = rdtsc();
	warp_rounds(0); /* the boot CPU's readings before any AP's */
	if (not_started)
		return;
	kick_all(bi->ap_trampoline);
	started = true;
}

/* TSC of the last answer of a CPU that came up (t_kick if none did). */
static uint64_t last_answer(void)
{
	uint64_t last = t_kick;

	for (unsigned i = 0; i < nslots; i++)
		if (slots[i].state == AP_UP && slots[i].tsc_answered > last)
			last = slots[i].tsc_answered;
	return last;
}

void smp_finish(void)
{
	if (!started) {
		klog(LOG_INFO, "smp: 1 CPU online (%s)\n", not_started ? not_started : "smp_start not called");
		return;
	}
	uint64_t t_wait = rdtsc();
	collect();
	warp_rounds(0); /* and after every AP's */
	uint64_t waited = tsc_to_us(rdtsc() - t_wait), up = tsc_to_us(last_answer() - t_kick);
	klog(LOG_INFO, "smp: %u CPU%s online (%s, the last up %lu.%03lu ms after the kick, "
		       "%lu.%03lu ms waited for)\n",
	     smp_online, smp_online == 1 ? "" : "s", lapic_is_x2apic() ? "x2APIC" : "xAPIC", up / 1000,
	     up % 1000, waited / 1000, waited % 1000);
	if (warp_max)
		klog(LOG_WARN, "smp: the CPUs' TSCs are not in step (one read %lu cycles below "
			       "another read before it)\n", warp_max);
	__atomic_store_n(&ap_go, true, __ATOMIC_RELEASE);
	for (unsigned i = 1; i < smp_online; i++)
		smp_send_ipi(i, VEC_IPI_RESCHED); /* out of their wait for ap_go */
	log_details();
}

void smp_init(const struct kbi_boot_info *bi, unsigned max_cpus)
{
	smp_start(bi, max_cpus);
	smp_finish();
}
