// SPDX-License-Identifier: MIT
/*
 * Kestrel: in-kernel self-tests of what the boot path promises. Each
 * test returns NULL on success or a static reason, so the runner can
 * print one line per test.
 */
#include "test/selftest.h"
#include "test/results.h"
#include "log.h"
#include "panic.h"
#include "ksyms.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "mm/vmalloc.h"
#include "pgplan.h"

extern const char __text_start[], __kernel_start[];
extern const char __boot_stack_guard[], boot_stack_bottom[];
extern const char ksym_names[];
#define SIPI_MEMORY_END 0x100000ull /* a SIPI starts a CPU in the first 1 MiB */

extern uint64_t direct_map_size;
void kmain(struct kbi_boot_info *bi);

SELFTEST(memmap_sane)
{
	const struct kbi_boot_info *bi = selftest_boot_info;
	const struct kbi_mem_range *r = phys_to_virt(bi->memmap);

	if (bi->memmap_count == 0)
		return "empty map";
	for (uint32_t i = 0; i < bi->memmap_count; i++) {
		if (r[i].length == 0 || (r[i].base | r[i].length) & (KBI_PAGE_SIZE - 1))
			return "zero-length or unaligned range";
		if (r[i].type == 0 || r[i].type >= KBI_MEM_TYPE_COUNT)
			return "unknown type";
		if (r[i].base == 0 && (r[i].type == KBI_MEM_USABLE ||
				       r[i].type == KBI_MEM_BOOT_SERVICES || r[i].type == KBI_MEM_LOADER))
			return "page 0 usable or reclaimable";
		if (i > 0 && r[i - 1].base + r[i - 1].length > r[i].base)
			return "unsorted or overlapping";
		if (i > 0 && r[i - 1].base + r[i - 1].length == r[i].base &&
		    r[i - 1].type == r[i].type && r[i - 1].flags == r[i].flags)
			return "adjacent ranges not merged";
	}
	return NULL;
}

/* The range containing phys must have the given type. */
static bool typed_as(const struct kbi_boot_info *bi, uint64_t phys, uint32_t type)
{
	const struct kbi_mem_range *r = phys_to_virt(bi->memmap);

	for (uint32_t i = 0; i < bi->memmap_count; i++)
		if (phys >= r[i].base && phys - r[i].base < r[i].length)
			return r[i].type == type;
	return false;
}

SELFTEST(memmap_marks)
{
	const struct kbi_boot_info *bi = selftest_boot_info;
	if (!typed_as(bi, bi->kernel_phys_base, KBI_MEM_KERNEL))
		return "kernel image not marked";
	if (bi->rootfs_size && !typed_as(bi, bi->rootfs, KBI_MEM_ROOTFS))
		return "rootfs not marked";
	if (!typed_as(bi, bi->memmap, KBI_MEM_BOOTINFO))
		return "boot info not marked";
	if (!typed_as(bi, bi->pml4_phys, KBI_MEM_PAGETABLES))
		return "page tables not marked";
	if (bi->ap_trampoline_pages && (bi->ap_trampoline + bi->ap_trampoline_pages * KBI_PAGE_SIZE > SIPI_MEMORY_END ||
					!typed_as(bi, bi->ap_trampoline, KBI_MEM_TRAMPOLINE)))
		return "AP start-up pages not marked, or not below 1 MiB";
	return NULL;
}

SELFTEST(kernel_permissions)
{
	uint64_t text = arch_leaf_entry((uint64_t)__text_start);
	uint64_t rodata = arch_leaf_entry((uint64_t)ksym_names);
	uint64_t data = arch_leaf_entry((uint64_t)&direct_map_size);

	if (!text || (text & PTE_W) || (text & PTE_NX))
		return "text must be read-only and executable";
	if (!rodata || (rodata & PTE_W) || !(rodata & PTE_NX))
		return "read-only data must be read-only and NX";
	if (!data || !(data & PTE_W) || !(data & PTE_NX))
		return "data must be writable and NX";
	if (text & PTE_U || data & PTE_U)
		return "kernel page has the user bit";
	return NULL;
}

SELFTEST(stack_guard)
{
	if (arch_kernel_addr_mapped((uint64_t)__boot_stack_guard))
		return "guard page below the boot stack is mapped";
	if (!arch_kernel_addr_mapped((uint64_t)boot_stack_bottom))
		return "boot stack not mapped";
	return NULL;
}

SELFTEST(direct_map)
{
	const struct kbi_boot_info *bi = selftest_boot_info;
	const void *via_dmap = phys_to_virt(bi->kernel_phys_base);

	if (bi->kernel_virt_base != (uint64_t)__kernel_start)
		return "kernel_virt_base is not the linked base";
	if (memcmp(via_dmap, __kernel_start, KBI_PAGE_SIZE) != 0)
		return "direct map and kernel mapping disagree";
	if (arch_leaf_entry((uint64_t)via_dmap) & PTE_U)
		return "direct map has the user bit";
	if (arch_kernel_addr_mapped(0))
		return "the lower half is mapped";
	return NULL;
}

/* Whether the direct map maps phys uncached (PCD|PWT); -1 if unmapped. */
static int dmap_uncached(uint64_t phys)
{
	uint64_t e = arch_leaf_entry((uint64_t)phys_to_virt(phys));

	if (!e)
		return -1;
	return (e & (PTE_PCD | PTE_PWT)) == (PTE_PCD | PTE_PWT);
}

/* Is phys in the framebuffer, which the direct map leaves out (vmm.c)? */
static bool in_framebuffer(const struct kbi_boot_info *bi, uint64_t phys)
{
	return bi->fb.format != KBI_FB_NONE && phys >= page_round_down(bi->fb.base) &&
	       phys < bi->fb.base + bi->fb.size;
}

/* The direct map's memory types follow shared/pgplan.h: the first and
 * last page of every range below its end write-back for RAM, uncached
 * for the rest; a hole between two ranges uncached (but the framebuffer,
 * left out); nothing past the end. */
SELFTEST(direct_map_cache)
{
	const struct kbi_boot_info *bi = selftest_boot_info;
	const struct kbi_mem_range *r = phys_to_virt(bi->memmap);

	for (uint32_t i = 0; i < bi->memmap_count && r[i].base < direct_map_size; i++) {
		int want = !pgplan_type_is_ram(r[i].type);
		uint64_t last = r[i].base + r[i].length - KBI_PAGE_SIZE;
		if (dmap_uncached(r[i].base) != want ||
		    (last < direct_map_size && dmap_uncached(last) != want))
			return want ? "a reserved range is not mapped uncached" : "RAM is not mapped write-back";
		uint64_t end = r[i].base + r[i].length;
		if (i + 1 < bi->memmap_count && end < r[i + 1].base && end < direct_map_size &&
		    !in_framebuffer(bi, end) && dmap_uncached(end) != 1)
			return "a hole in the memory map is not mapped uncached";
	}
	if (dmap_uncached(direct_map_size - KBI_PAGE_SIZE) < 0 || dmap_uncached(direct_map_size) >= 0)
		return "the direct map does not end at direct_map_size";
	return NULL;
}

SELFTEST(ksyms)
{
	uint64_t off = 1;
	const char *name = ksyms_lookup((uint64_t)kmain + 3, &off);

	if (!name || strcmp(name, "kmain") != 0 || off != 3)
		return "kmain+3 does not resolve to kmain+0x3";
	return NULL;
}

const struct kbi_boot_info *selftest_boot_info;
extern const struct selftest __selftests_start[], __selftests_end[];

/* The reason after the prefix when why is a SELFTEST_SKIP, else NULL. */
static const char *skip_reason(const char *why)
{
	size_t n = sizeof(SELFTEST_SKIP_PREFIX) - 1;

	return why && strncmp(why, SELFTEST_SKIP_PREFIX, n) == 0 ? why + n : NULL;
}

/* "memmap_sane" is printed "memmap-sane". */
static void print_result(const char *id, const char *why)
{
	char name[64];
	size_t i;

	for (i = 0; id[i] && i < sizeof(name) - 1; i++)
		name[i] = id[i] == '_' ? '-' : id[i];
	name[i] = '\0';
	const char *skip = skip_reason(why);
	if (skip)
		klog(LOG_INFO, "selftest: %s skipped (%s)\n", name, skip);
	else if (why) {
		klog(LOG_ERR, "selftest: %s FAIL (%s)\n", name, why);
		selftest_note_failure(name); /* for the run's summary (results.h) */
	} else
		klog(LOG_INFO, "selftest: %s ok\n", name);
}

void selftest_run(const struct kbi_boot_info *bi, int *passed_out, int *failed_out)
{
	int passed = 0, failed = 0, skipped = 0;

	selftest_boot_info = bi;
	for (const struct selftest *t = __selftests_start; t < __selftests_end; t++) {
		const char *why = t->fn();
		print_result(t->name, why);
		if (skip_reason(why))
			skipped++;
		else if (why)
			failed++;
		else
			passed++;
	}
	if (skipped)
		klog(LOG_INFO, "selftest: %d in-kernel tests skipped (their device is absent)\n", skipped);
	*passed_out += passed;
	*failed_out += failed;
}

/* Recurse until the stack runs into its guard page: the recursion is
 * the point, so the warning about it is switched off here only. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winfinite-recursion"
static int __attribute__((noinline)) overflow(volatile int depth)
{
	volatile char pad[256];
	pad[0] = (char)depth;
	return overflow(depth + 1) + pad[0];
}
#pragma GCC diagnostic pop

static void overflow_entry(void)
{
	overflow(0);
}

/* Run overflow() on a fresh vmalloc'd kernel stack: the fault must land
 * in its guard page and be reported by the double-fault handler. */
static void overflow_on_vmalloc_stack(void)
{
	uint64_t top = kstack_alloc();

	if (!top)
		panic("crash=vstack: no kernel stack");
	cpu_call_on_stack(top, overflow_entry);
}

/* Addresses behind a volatile so the compiler cannot prove the access bad. */
static volatile uint64_t null_page_addr = 0x10;
static volatile uint64_t noncanonical_addr = 0x8000000000000000ull;

static bool kind_is(const char *kind, uint32_t len, const char *s)
{
	return len == strlen(s) && memcmp(kind, s, len) == 0;
}

void selftest_crash(const char *kind, uint32_t len)
{
	klog(LOG_INFO, "crash: deliberate '%.*s'\n", (int)len, kind);
	if (kind_is(kind, len, "pf"))
		*(volatile uint64_t *)null_page_addr = 1;
	else if (kind_is(kind, len, "ud"))
		cpu_invalid_opcode();
	else if (kind_is(kind, len, "gp"))
		(void)*(volatile uint64_t *)noncanonical_addr;
	else if (kind_is(kind, len, "stack"))
		overflow(0);
	else if (kind_is(kind, len, "vstack"))
		overflow_on_vmalloc_stack();
	else if (kind_is(kind, len, "panic"))
		panic("deliberate panic (crash=panic)");
	klog(LOG_WARN, "crash: unknown kind '%.*s' (pf, ud, gp, stack, vstack, panic)\n", (int)len, kind);
}
