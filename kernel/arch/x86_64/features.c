// SPDX-License-Identifier: MIT
/*
 * Kestrel x86_64: turning on CPU features. SSE is always there in long
 * mode but needs CR4.OSFXSR for user programs to use it; XSAVE (when
 * present) lets the context switch save AVX state too. SMEP and SMAP
 * stop the kernel from running or touching user pages by accident (the
 * user-copy helpers open a window with stac/clac); UMIP hides sgdt and
 * friends from user mode.
 */
#include "arch/x86_64/features.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pat.h"
#include "log.h"

#define CR0_MP  (1ull << 1)
#define CR0_EM  (1ull << 2)
#define CR0_WP  (1ull << 16)
#define CR4_PGE        (1ull << 7)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_UMIP       (1ull << 11)
#define CR4_OSXSAVE    (1ull << 18)
#define CR4_SMEP       (1ull << 20)
#define CR4_SMAP       (1ull << 21)

#define CPUID_MAX_LEAF     0u
#define CPUID_FEATURES     1u
#define CPUID1_ECX_X2APIC  (1u << 21)
#define CPUID1_ECX_XSAVE   (1u << 26)
#define CPUID1_ECX_AVX     (1u << 28)
#define CPUID1_EDX_PGE     (1u << 13)
#define CPUID1_EDX_PAT     (1u << 16)
#define CPUID_EXTENDED     7u
#define CPUID7_EBX_SMEP    (1u << 7)
#define CPUID7_EBX_SMAP    (1u << 20)
#define CPUID7_ECX_UMIP    (1u << 2)
#define CPUID_XSTATE       0xdu
#define CPUID_TSC_CRYSTAL  0x15u    /* EAX denominator, EBX numerator, ECX crystal Hz */
#define CPUID_FREQUENCY    0x16u    /* EAX bits 15:0 base frequency, MHz */
#define CPUID16_EAX_MHZ    0xffffu
#define CPUID_EXT_MAX      0x80000000u
#define CPUID_EXT_FEATURES 0x80000001u
#define CPUID81_EDX_PDPE1GB (1u << 26)
#define CPUID_POWER        0x80000007u
#define CPUID87_EDX_INVTSC (1u << 8)

#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)
#define XCR_XFEATURE_ENABLED 0

struct cpu_features cpu_feat; /* written by cpu_features_init alone (features.h) */
/* The boot CPU's settings as cpu_features_init left them: every other
 * CPU gets the same (cpu_features_init_ap). Written once, before the
 * other CPUs start. */
static struct {
	uint64_t cr0, cr4, efer, pat;
} boot_regs;
uint8_t cpu_smap_enabled; /* read by usercopy.S: stac/clac only when SMAP is on */

static void write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory"); }

static void xsetbv(uint32_t reg, uint64_t v)
{
	__asm__ volatile("xsetbv" ::"c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static void detect(struct cpu_features *f)
{
	uint32_t r[4], max;

	cpuid(CPUID_MAX_LEAF, 0, r);
	max = r[0];
	cpuid(CPUID_FEATURES, 0, r);
	f->xsave = r[2] & CPUID1_ECX_XSAVE;
	f->avx = r[2] & CPUID1_ECX_AVX;
	f->x2apic = r[2] & CPUID1_ECX_X2APIC;
	f->pge = r[3] & CPUID1_EDX_PGE;
	f->pat = r[3] & CPUID1_EDX_PAT;
	f->hwcap = r[3];
	if (max >= CPUID_EXTENDED) {
		cpuid(CPUID_EXTENDED, 0, r);
		f->smep = r[1] & CPUID7_EBX_SMEP;
		f->smap = r[1] & CPUID7_EBX_SMAP;
		f->umip = r[2] & CPUID7_ECX_UMIP;
	}
	cpuid(CPUID_EXT_MAX, 0, r);
	uint32_t max_ext = r[0];
	if (max_ext >= CPUID_EXT_FEATURES) {
		cpuid(CPUID_EXT_FEATURES, 0, r);
		f->pdpe1gb = r[3] & CPUID81_EDX_PDPE1GB;
	}
	if (max_ext >= CPUID_POWER) {
		cpuid(CPUID_POWER, 0, r);
		f->invariant_tsc = r[3] & CPUID87_EDX_INVTSC;
	}
}

static void enable_xsave(uint64_t *cr4)
{
	uint32_t r[4];

	*cr4 |= CR4_OSXSAVE;
	write_cr4(*cr4);
	cpu_feat.xcr0 = XCR0_X87 | XCR0_SSE | (cpu_feat.avx ? XCR0_AVX : 0);
	xsetbv(XCR_XFEATURE_ENABLED, cpu_feat.xcr0);
	cpuid(CPUID_XSTATE, 0, r);
	cpu_feat.xsave_size = r[1]; /* EBX: size for the features enabled in XCR0 */
}

void cpu_features_init(void)
{
	detect(&cpu_feat);
	write_cr0((read_cr0() & ~CR0_EM) | CR0_MP | CR0_WP);
	uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (cpu_feat.pge)
		cr4 |= CR4_PGE;
	if (cpu_feat.smep)
		cr4 |= CR4_SMEP;
	if (cpu_feat.smap) {
		cr4 |= CR4_SMAP;
		cpu_smap_enabled = 1;
	}
	if (cpu_feat.umip)
		cr4 |= CR4_UMIP;
	write_cr4(cr4);
	if (cpu_feat.xsave)
		enable_xsave(&cr4);
	boot_regs.cr0 = read_cr0();
	boot_regs.cr4 = read_cr4();
	boot_regs.efer = rdmsr(MSR_EFER);
	bool wc = pat_init(cpu_feat.pat); /* before boot_regs.pat: the other CPUs copy it */
	boot_regs.pat = rdmsr(MSR_PAT);
	klog(LOG_INFO, "cpu: SSE on; XSAVE %s (xcr0 %#lx, %u bytes); SMEP %s; SMAP %s; UMIP %s; "
		       "1G pages %s; x2APIC %s; invariant TSC %s\n",
	     cpu_feat.xsave ? "on" : "absent", cpu_feat.xcr0, cpu_feat.xsave ? cpu_feat.xsave_size : 512,
	     cpu_feat.smep ? "on" : "absent", cpu_feat.smap ? "on" : "absent",
	     cpu_feat.umip ? "on" : "absent",
	     cpu_feat.pdpe1gb ? "yes" : "no", cpu_feat.x2apic ? "yes" : "no",
	     cpu_feat.invariant_tsc ? "yes" : "no");
	klog(LOG_INFO, "cpu: PAT %#lx (%s)\n", boot_regs.pat,
	     wc ? "write-combining for the framebuffer" : "absent: no write-combining");
}

/* What differs between this CPU's features and the boot CPU's, or NULL. */
static const char *differs(const struct cpu_features *f)
{
	if (f->hwcap != cpu_feat.hwcap)
		return "CPUID 1 EDX differs";
	if (f->xsave != cpu_feat.xsave || f->avx != cpu_feat.avx)
		return "XSAVE or AVX differs";
	if (f->smep != cpu_feat.smep || f->smap != cpu_feat.smap || f->umip != cpu_feat.umip)
		return "SMEP, SMAP or UMIP differs";
	if (f->pge != cpu_feat.pge || f->pdpe1gb != cpu_feat.pdpe1gb)
		return "global or 1 GiB pages differ";
	if (f->x2apic != cpu_feat.x2apic)
		return "x2APIC differs";
	return NULL;
}

/* No logging here: the CPU does not hold the kernel lock yet. EFER keeps
 * LME/LMA as the trampoline set them; SCE and NXE follow the boot CPU.
 * The XSAVE area size is checked after XCR0 is set, as the context switch
 * sizes every thread's area by the boot CPU's. */
const char *cpu_features_init_ap(void)
{
	struct cpu_features f = { 0 };
	uint32_t r[4];

	detect(&f);
	const char *why = differs(&f);
	if (why)
		return why;
	write_cr0(boot_regs.cr0);
	write_cr4(boot_regs.cr4);
	if (cpu_feat.xsave) {
		xsetbv(XCR_XFEATURE_ENABLED, cpu_feat.xcr0);
		cpuid(CPUID_XSTATE, 0, r);
		if (r[1] != cpu_feat.xsave_size)
			return "XSAVE area size differs";
	}
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | (boot_regs.efer & (EFER_SCE | EFER_NXE)));
	wrmsr(MSR_PAT, boot_regs.pat);
	return NULL;
}

uint64_t cpu_hwcap(void)
{
	return cpu_feat.hwcap;
}

void cpu_clock_info(struct cpu_clock_info *out)
{
	uint32_t r[4];

	*out = (struct cpu_clock_info){ 0 };
	cpuid(CPUID_MAX_LEAF, 0, r);
	uint32_t max = r[0];
	if (max >= CPUID_TSC_CRYSTAL) {
		cpuid(CPUID_TSC_CRYSTAL, 0, r);
		out->tsc_denominator = r[0];
		out->tsc_numerator = r[1];
		out->crystal_hz = r[2];
	}
	if (max >= CPUID_FREQUENCY) {
		cpuid(CPUID_FREQUENCY, 0, r);
		out->base_mhz = r[0] & CPUID16_EAX_MHZ;
	}
}
