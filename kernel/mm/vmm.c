// SPDX-License-Identifier: MIT
/*
 * Kestrel: the kernel's page tables. vmm_init() draws mm/layout.h into
 * fresh tables: the direct map, the kernel image segment by segment
 * with its own permissions, the framebuffer, and a PDPT behind every
 * upper-half PML4 entry so those entries never change again.
 */
#include "mm/vmm.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "pgplan.h"
#include "lib/spinlock.h"
#include "arch/x86_64/features.h"
#include "panic.h"
#include "log.h"


extern const char __kernel_start[], __text_end[], __rodata_start[], __rodata_end[];
extern const char __data_start[], __data_end[], boot_stack_bottom[], boot_stack_top[];
extern const char __ksyms_start[], __kernel_end[];

static uint64_t kernel_pml4;
static struct spinlock map_lock = SPINLOCK_INIT;
static uint64_t image_phys, image_virt; /* where the loader put the kernel */

static void must(int err, const char *what)
{
	if (err)
		panic("vmm: out of memory building the kernel tables (%s)", what);
}

/* One page of the direct map: 4 KiB, 2 MiB or 1 GiB. */
static void map_direct_page(uint64_t pml4, uint64_t pa, uint64_t size, unsigned prot)
{
	if (size == PAGE_SIZE)
		must(arch_map_page(pml4, DIRECT_MAP_BASE + pa, pa, prot), "direct map");
	else
		must(arch_map_large(pml4, DIRECT_MAP_BASE + pa, pa, size, prot), "direct map");
}

/* [pa, end) of the direct map with prot, in the largest pages it allows. */
static void map_direct_span(uint64_t pml4, uint64_t pa, uint64_t end, unsigned prot, bool gib)
{
	while (pa < end) {
		uint64_t size = pgplan_page(pa, end, gib);
		map_direct_page(pml4, pa, size, prot);
		pa += size;
	}
}

/* The direct map as the loader drew it (shared/pgplan.h): [0,
 * direct_map_size), RAM write-back, everything else uncached, each run
 * with the largest pages it allows; but not the framebuffer, which
 * map_framebuffer maps write-combining: one physical page must not be
 * mapped with two memory types (Intel SDM vol. 3, 11.12.4), and nothing
 * reaches the framebuffer through the direct map. */
static void map_direct(uint64_t pml4, const struct kbi_boot_info *bi)
{
	const struct kbi_mem_range *r = phys_to_virt(bi->memmap);
	int n = (int)bi->memmap_count;
	bool gib = cpu_features()->pdpe1gb;
	bool fb = bi->fb.format != KBI_FB_NONE && bi->fb.size;
	uint64_t fb_lo = fb ? page_round_down(bi->fb.base) : 0;
	uint64_t fb_hi = fb ? page_round_up(bi->fb.base + bi->fb.size) : 0;
	uint64_t left;

	pgplan_end(r, n, KBI_DIRECT_MAP_MAX, &left);
	if (left)
		klog(LOG_WARN, "memory: %lu MiB of RAM above the direct map's 64 TiB left out\n",
		     left >> 20);
	for (uint64_t pa = 0; pa < direct_map_size;) {
		enum pgplan_cache c;
		uint64_t run_end = pgplan_run(r, n, pa, direct_map_size, &c);
		unsigned prot = VM_WRITE | VM_GLOBAL | (c == PGPLAN_UC ? VM_UNCACHED : 0);
		if (fb_hi > pa && fb_lo < run_end) { /* the run holds part of the framebuffer */
			map_direct_span(pml4, pa, fb_lo > pa ? fb_lo : pa, prot, gib);
			pa = fb_hi < run_end ? fb_hi : run_end;
		}
		map_direct_span(pml4, pa, run_end, prot, gib);
		pa = run_end;
	}
}

/* One part of the kernel image, [start, end) rounded out to pages. */
static void map_image(uint64_t pml4, const char *start, const char *end, unsigned prot)
{
	uint64_t va = page_round_down((uint64_t)start);

	for (; va < (uint64_t)end; va += PAGE_SIZE)
		must(arch_map_page(pml4, va, image_phys + (va - image_virt), prot | VM_GLOBAL),
		     "kernel image");
}

static void map_framebuffer(uint64_t pml4, const struct kbi_framebuffer *fb)
{
	if (fb->format == KBI_FB_NONE)
		return;
	uint64_t base = page_round_down(fb->base);
	uint64_t end = fb->base + fb->size;
	for (uint64_t pa = base; pa < end; pa += PAGE_SIZE)
		must(arch_map_page(pml4, FB_VIRT + (pa - base), pa, VM_WRITE | VM_WC | VM_GLOBAL),
		     "framebuffer");
}

void vmm_init(const struct kbi_boot_info *bi)
{
	void *root = page_alloc_zeroed();

	if (!root)
		panic("vmm: no page for the kernel PML4");
	uint64_t pml4 = virt_to_phys(root);
	image_phys = bi->kernel_phys_base;
	image_virt = bi->kernel_virt_base;
	for (unsigned i = PML4_KERNEL_FIRST; i < PML4_ENTRIES; i++)
		must(arch_ensure_pml4_entry(pml4, 0xffff000000000000ull | ((uint64_t)i << 39)),
		     "upper-half PDPTs");
	map_direct(pml4, bi);
	map_image(pml4, __kernel_start, __text_end, VM_EXEC);
	map_image(pml4, __rodata_start, __rodata_end, 0);
	map_image(pml4, __data_start, __data_end, VM_WRITE);
	map_image(pml4, boot_stack_bottom, boot_stack_top, VM_WRITE); /* guard stays unmapped */
	map_image(pml4, __ksyms_start, __kernel_end, 0);
	map_framebuffer(pml4, &bi->fb);
	kernel_pml4 = pml4;
	arch_switch_pml4(pml4);
	arch_flush_tlb_all();
}

uint64_t vmm_kernel_pml4(void)
{
	return kernel_pml4;
}

int vmm_map_kernel(uint64_t va, uint64_t pa, unsigned prot)
{
	uint64_t flags = spin_lock_irqsave(&map_lock);
	int err = arch_map_page(kernel_pml4, va, pa, prot | VM_GLOBAL);
	spin_unlock_irqrestore(&map_lock, flags);
	return err;
}

uint64_t vmm_unmap_kernel(uint64_t va)
{
	uint64_t flags = spin_lock_irqsave(&map_lock);
	uint64_t pa = arch_unmap_page(kernel_pml4, va);
	spin_unlock_irqrestore(&map_lock, flags);
	return pa;
}

uint64_t vmm_unmap_kernel_deferred(uint64_t va)
{
	uint64_t flags = spin_lock_irqsave(&map_lock);
	uint64_t pa = arch_unmap_page_deferred(kernel_pml4, va);
	spin_unlock_irqrestore(&map_lock, flags);
	return pa;
}

int vmm_protect_kernel(uint64_t va, unsigned prot)
{
	uint64_t flags = spin_lock_irqsave(&map_lock);
	int err = arch_protect_page(kernel_pml4, va, prot | VM_GLOBAL);
	spin_unlock_irqrestore(&map_lock, flags);
	return err;
}
