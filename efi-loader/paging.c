// SPDX-License-Identifier: MIT
/*
 * Kestrel EFI loader: the kernel's first page tables.
 *
 * Built from scratch in one contiguous pool of pages (so the kernel sees
 * them as one KBI_MEM_PAGETABLES range), while the firmware's identity
 * map is still live, so a table's physical address is also its pointer.
 * Permissions live in the leaf entries only: intermediate entries are
 * present + writable, never NX, never user. The direct map follows
 * shared/pgplan.h (RAM write-back, the rest uncached, at most 64 TiB),
 * and 5-level paging firmware is refused there (check_paging_mode).
 */
#include "loader.h"
#include "elf_check.h"
#include "pgplan.h"

#define PTE_P     (1ull << 0)
#define PTE_W     (1ull << 1)
#define PTE_PWT   (1ull << 3)
#define PTE_PCD   (1ull << 4)   /* with PWT: PAT entry 3, UC at power-on and in Linux's layout */
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
#define DMAP_FLAGS (PTE_P | PTE_W | PTE_G | PTE_NX)
#define MIB        0x100000ull

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

/* Refuse a firmware whose paging mode the hand-off cannot leave
 * (pgplan_paging_refusal: 5-level paging). Runs first, before anything
 * is read, so the refusal is the only message. */
EFI_STATUS check_paging_mode(void)
{
	uint64_t cr4;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	const char *why = pgplan_paging_refusal(cr4);
	return why ? fail("paging", why, EFI_UNSUPPORTED) : EFI_SUCCESS;
}

/* Whether the firmware calls this EFI memory type RAM (every other type,
 * and anything the map does not describe, is mapped uncached). */
static bool efi_type_is_ram(UINT32 type)
{
	switch (type) {
	case EfiConventionalMemory:
	case EfiLoaderCode:
	case EfiLoaderData:
	case EfiBootServicesCode:
	case EfiBootServicesData:
	case EfiRuntimeServicesCode:
	case EfiRuntimeServicesData:
	case EfiACPIReclaimMemory:
	case EfiACPIMemoryNVS:
		return true;
	default:
		return false;
	}
}

/* The firmware's memory map now, reduced to what the direct map's plan
 * needs: each descriptor as a kbi range typed USABLE (RAM) or RESERVED
 * (anything else). Allocations made after this only turn free RAM into
 * loader RAM, which the plan treats alike. Caller frees *out (pool). */
static EFI_STATUS read_ram_ranges(struct kbi_mem_range **out, int *count)
{
	UINTN size = 0, key, dsize;
	UINT32 dver;
	EFI_STATUS st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, NULL, &key, &dsize, &dver);
	if (st != EFI_BUFFER_TOO_SMALL)
		return fail("paging", "cannot size the memory map", st);
	size += 8 * dsize; /* the pool allocation below may add descriptors */
	char *map = AllocatePool(size);
	struct kbi_mem_range *r = AllocatePool((size / dsize) * sizeof(*r));
	st = EFI_OUT_OF_RESOURCES;
	if (map && r)
		st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, (EFI_MEMORY_DESCRIPTOR *)map, &key,
				       &dsize, &dver);
	if (EFI_ERROR(st)) {
		if (map)
			FreePool(map);
		if (r)
			FreePool(r);
		return fail("paging", "cannot read the memory map", st);
	}
	int n = 0;
	for (UINTN off = 0; off + dsize <= size; off += dsize, n++) {
		const EFI_MEMORY_DESCRIPTOR *d = (const EFI_MEMORY_DESCRIPTOR *)(map + off);
		r[n].base = d->PhysicalStart;
		r[n].length = d->NumberOfPages * PAGE_SIZE;
		r[n].type = efi_type_is_ram(d->Type) ? KBI_MEM_USABLE : KBI_MEM_RESERVED;
		r[n].flags = 0;
	}
	FreePool(map);
	*out = r;
	*count = n;
	return EFI_SUCCESS;
}

/* Log the RAM the layout's 64 TiB leaves out of the direct map. */
static void report_left_out(uint64_t left)
{
	if (left)
		Print(L"kestrel-loader: paging: %ld MiB of RAM above the direct map's 64 TiB "
		      L"left out\n", left / MIB);
}

/* 1 if a page of this size at pa needs a table below the level that
 * maps `level` bytes per entry, in a region other than *last (the walk
 * goes up, so one look back finds the table it made last). */
static uint64_t count_new(uint64_t *last, uint64_t pa, uint64_t size, uint64_t level)
{
	if (size >= level || pa / level == *last)
		return 0;
	*last = pa / level;
	return 1;
}

/* Walk the direct map's plan over [0, end): each run with the largest
 * pages it allows, write-back for RAM, uncached for the rest. With pml4
 * NULL, only count the tables the walk would create (*tables). */
static bool walk_direct_map(struct pt_pool *p, uint64_t *pml4, const struct kbi_mem_range *r,
			    int n, uint64_t end, bool gib, uint64_t *tables)
{
	uint64_t last_pd = ~0ull, last_pt = ~0ull;

	for (uint64_t pa = 0; pa < end;) {
		enum pgplan_cache c;
		uint64_t run_end = pgplan_run(r, n, pa, end, &c);
		uint64_t flags = DMAP_FLAGS | (c == PGPLAN_UC ? PTE_PCD | PTE_PWT : 0);
		while (pa < run_end) {
			uint64_t size = pgplan_page(pa, run_end, gib);
			if (!pml4) {
				*tables += count_new(&last_pd, pa, size, SIZE_1G) +
					   count_new(&last_pt, pa, size, SIZE_2M);
			} else if (!map_one(p, pml4, KBI_DIRECT_MAP_BASE + pa, pa, size, flags)) {
				return false;
			}
			pa += size;
		}
	}
	return true;
}

/* Tables beyond the direct map's PDs and PTs (dmap_tables): the PML4,
 * the direct map's PDPTs, and the fb, kernel, stack and identity maps. */
static uint64_t tables_needed(struct loader *ld, uint64_t dmap_tables)
{
	uint64_t pdpts = ld->direct_map_size / (512 * SIZE_1G) + 1;
	uint64_t fb_pts = ld->fb.size / SIZE_2M + 2;
	uint64_t kernel_pts = ld->kernel.size / SIZE_2M + 2;
	return 1 + pdpts + dmap_tables + (2 + fb_pts) + (2 + kernel_pts) + 3 + 3 + 8;
}

/* Build the tables described in bootinfo.h into a fresh pool. */
EFI_STATUS build_page_tables(struct loader *ld)
{
	bool gib = cpu_has_1g_pages();
	EFI_PHYSICAL_ADDRESS addr = 0;
	struct kbi_mem_range *ranges = NULL;
	uint64_t left, dmap_tables = 0;
	int nranges = 0;
	EFI_STATUS st;

	if (EFI_ERROR((st = read_ram_ranges(&ranges, &nranges))))
		return st;
	ld->direct_map_size = pgplan_end(ranges, nranges, KBI_DIRECT_MAP_MAX, &left);
	report_left_out(left);
	walk_direct_map(NULL, NULL, ranges, nranges, ld->direct_map_size, gib, &dmap_tables);
	uint64_t n = tables_needed(ld, dmap_tables);
	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiLoaderData, n, &addr);
	if (EFI_ERROR(st)) {
		FreePool(ranges);
		return fail("paging", "cannot allocate page tables", st);
	}
	ld->pt.mem.base = addr;
	ld->pt.mem.size = n * PAGE_SIZE;
	uint64_t *pml4 = pt_new(&ld->pt);
	ld->pml4 = (uint64_t)pml4;

	bool ok = walk_direct_map(&ld->pt, pml4, ranges, nranges, ld->direct_map_size, gib, NULL);
	FreePool(ranges);
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
