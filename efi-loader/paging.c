// SPDX-License-Identifier: MIT
/*
 * Kestrel EFI loader: the kernel's first page tables.
 *
 * Built from scratch in one contiguous pool of pages (so the kernel sees
 * them as one KBI_MEM_PAGETABLES range), while the firmware's identity
 * map is still live, so a table's physical address is also its pointer.
 * Permissions live in the leaf entries only: intermediate entries are
 * present + writable, never NX, never user.
 */
#include "loader.h"
#include "elf_check.h"

#define PTE_P     (1ull << 0)
#define PTE_W     (1ull << 1)
#define PTE_PS    (1ull << 7)   /* large page in a PDPT or PD entry */
#define PTE_G     (1ull << 8)
#define PTE_NX    (1ull << 63)
#define PTE_ADDR  0x000ffffffffff000ull

#define SIZE_4K   0x1000ull
#define SIZE_2M   0x200000ull
#define SIZE_1G   0x40000000ull
#define FOUR_GIB  0x100000000ull

#define CPUID_EXT_FEATURES 0x80000001u
#define CPUID_EDX_PDPE1GB  (1u << 26)

static uint64_t *pt_new(struct pt_pool *p)
{
	if (p->used_pages * PAGE_SIZE >= p->mem.size)
		return NULL;
	uint64_t *t = (uint64_t *)(p->mem.base + p->used_pages++ * PAGE_SIZE);
	SetMem(t, PAGE_SIZE, 0);
	return t;
}

/* Return the table that entry idx of table t points to, creating it. */
static uint64_t *pt_next(struct pt_pool *p, uint64_t *t, unsigned idx)
{
	if (t[idx] & PTE_P)
		return (uint64_t *)(t[idx] & PTE_ADDR);
	uint64_t *n = pt_new(p);
	if (n)
		t[idx] = (uint64_t)n | PTE_P | PTE_W;
	return n;
}

/* Map one page of the given size (4K, 2M or 1G) at virt -> phys with
 * leaf flags. A 4 KiB page mapped twice (two kernel segments sharing a
 * page) gets the union of both permissions. Returns false if the pool
 * ran out. */
static bool map_one(struct pt_pool *p, uint64_t *pml4, uint64_t virt, uint64_t phys,
		    uint64_t size, uint64_t flags)
{
	uint64_t *pdpt = pt_next(p, pml4, (virt >> 39) & 511);
	if (!pdpt)
		return false;
	if (size == SIZE_1G) {
		pdpt[(virt >> 30) & 511] = phys | flags | PTE_PS;
		return true;
	}
	uint64_t *pd = pt_next(p, pdpt, (virt >> 30) & 511);
	if (!pd)
		return false;
	if (size == SIZE_2M) {
		pd[(virt >> 21) & 511] = phys | flags | PTE_PS;
		return true;
	}
	uint64_t *pt = pt_next(p, pd, (virt >> 21) & 511);
	if (!pt)
		return false;
	uint64_t *e = &pt[(virt >> 12) & 511];
	if (*e & PTE_P) {
		uint64_t nx = (*e & PTE_NX) && (flags & PTE_NX) ? PTE_NX : 0;
		flags = ((*e | flags) & ~PTE_NX) | nx;
	}
	*e = phys | flags;
	return true;
}

static bool map_range(struct pt_pool *p, uint64_t *pml4, uint64_t virt, uint64_t phys,
		      uint64_t len, uint64_t page, uint64_t flags)
{
	for (uint64_t off = 0; off < len; off += page)
		if (!map_one(p, pml4, virt + off, phys + off, page, flags))
			return false;
	return true;
}

static bool cpu_has_1g_pages(void)
{
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(CPUID_EXT_FEATURES), "c"(0));
	return d & CPUID_EDX_PDPE1GB;
}

/* Each kernel PT_LOAD at its linked address with its own permissions. */
static bool map_kernel(struct loader *ld, uint64_t *pml4)
{
	struct elf_info ei;
	const char *why;

	if (elf_check(ld->kernel_file, ld->kernel_file_size, ELF_TARGET_KERNEL, &ei, &why) != 0)
		return false; /* validated in load_kernel(); cannot happen */
	for (unsigned i = 0; i < ei.phnum; i++) {
		const struct elf64_phdr *ph = elf_phdr(ld->kernel_file, &ei, i);
		if (ph->p_type != ELF_PT_LOAD)
			continue;
		uint64_t start = ph->p_vaddr & ~(PAGE_SIZE - 1);
		uint64_t end = (ph->p_vaddr + ph->p_memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		uint64_t flags = PTE_P | PTE_G;
		if (ph->p_flags & ELF_PF_W)
			flags |= PTE_W;
		if (!(ph->p_flags & ELF_PF_X))
			flags |= PTE_NX;
		if (!map_range(&ld->pt, pml4, start, ld->kernel.base + (start - ei.lo),
			       end - start, SIZE_4K, flags))
			return false;
	}
	return true;
}

static uint64_t tables_needed(struct loader *ld)
{
	uint64_t gib = (ld->direct_map_size + SIZE_1G - 1) / SIZE_1G;
	uint64_t fb_pts = ld->fb.size / SIZE_2M + 2;
	uint64_t kernel_pts = ld->kernel.size / SIZE_2M + 2;
	/* PML4, direct map PDPTs + one PD per GiB, fb, kernel, stack, identity */
	return 1 + (gib / 512 + 1) + gib + (2 + fb_pts) + (2 + kernel_pts) + 3 + 3 + 8;
}

/* Build the tables described in bootinfo.h into a fresh pool. */
EFI_STATUS build_page_tables(struct loader *ld)
{
	uint64_t page = cpu_has_1g_pages() ? SIZE_1G : SIZE_2M;
	EFI_PHYSICAL_ADDRESS addr = 0;
	uint64_t n = tables_needed(ld);
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiLoaderData, n, &addr);
	if (EFI_ERROR(st))
		return fail("paging", "cannot allocate page tables", st);
	ld->pt.mem.base = addr;
	ld->pt.mem.size = n * PAGE_SIZE;
	uint64_t *pml4 = pt_new(&ld->pt);
	ld->pml4 = (uint64_t)pml4;

	uint64_t dm = (ld->direct_map_size + page - 1) & ~(page - 1);
	ld->direct_map_size = dm;
	bool ok = map_range(&ld->pt, pml4, KBI_DIRECT_MAP_BASE, 0, dm, page,
			    PTE_P | PTE_W | PTE_G | PTE_NX);
	ok = ok && map_kernel(ld, pml4);
	if (ld->fb.format != KBI_FB_NONE) {
		uint64_t fb0 = ld->fb.base & ~(PAGE_SIZE - 1);
		uint64_t fb_len = ((ld->fb.base + ld->fb.size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)) - fb0;
		ok = ok && map_range(&ld->pt, pml4, KBI_FB_VIRT, fb0, fb_len, SIZE_4K,
				     PTE_P | PTE_W | PTE_G | PTE_NX);
	}
	/* The stack region's first page stays unmapped: the guard. */
	ok = ok && map_range(&ld->pt, pml4, KBI_BOOT_STACK_TOP - KBI_BOOT_STACK_SIZE,
			     ld->stack.base, KBI_BOOT_STACK_SIZE, SIZE_4K,
			     PTE_P | PTE_W | PTE_G | PTE_NX);
	ok = ok && map_one(&ld->pt, pml4, ld->handoff_page.base, ld->handoff_page.base,
			   SIZE_4K, PTE_P);
	if (!ok)
		return fail("paging", "page-table pool exhausted", EFI_OUT_OF_RESOURCES);
	return EFI_SUCCESS;
}
