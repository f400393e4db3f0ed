// SPDX-License-Identifier: MIT
/*
 * Kestrel EFI loader: the UEFI memory map, ExitBootServices, and the
 * sanitised map handed to the kernel.
 */
#include "loader.h"
#include "memmap.h"

#define EXIT_RETRIES   8
#define MAP_SLACK      32  /* descriptors of room for allocations after sizing */
#define FOUR_GIB       0x100000000ull
#define EFI_PERSISTENT_MEMORY 14  /* UEFI 2.5+; gnu-efi's enum stops at PalCode */

static EFI_MEMORY_DESCRIPTOR *desc_at(void *map, UINTN desc_size, UINTN i)
{
	return (EFI_MEMORY_DESCRIPTOR *)((char *)map + i * desc_size);
}

static bool is_mmio(UINT32 type)
{
	return type == EfiMemoryMappedIO || type == EfiMemoryMappedIOPortSpace;
}

/* Allocate the GetMemoryMap buffer (with slack for the allocations still
 * to come) and find the end of physical memory the direct map must
 * cover: every non-MMIO range, and at least the first 4 GiB, where the
 * local APIC, IO APIC and HPET live. */
EFI_STATUS size_memory_map(struct loader *ld, uint64_t *max_ram_end)
{
	UINTN size = 0, key, dsize;
	UINT32 dver;
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, NULL, &key, &dsize, &dver);
	if (st != EFI_BUFFER_TOO_SMALL)
		return fail("memmap", "cannot size the memory map", st);
	ld->efi_map_alloc = size + MAP_SLACK * dsize;
	ld->efi_map = AllocatePool(ld->efi_map_alloc);
	if (!ld->efi_map)
		return fail("memmap", "out of memory", EFI_OUT_OF_RESOURCES);
	size = ld->efi_map_alloc;
	st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, ld->efi_map, &key, &dsize, &dver);
	if (EFI_ERROR(st))
		return fail("memmap", "GetMemoryMap failed", st);

	uint64_t end = FOUR_GIB;
	for (UINTN i = 0; i < size / dsize; i++) {
		EFI_MEMORY_DESCRIPTOR *d = desc_at(ld->efi_map, dsize, i);
		uint64_t e = d->PhysicalStart + d->NumberOfPages * PAGE_SIZE;
		if (!is_mmio(d->Type) && e > end)
			end = e;
	}
	*max_ram_end = end;
	return EFI_SUCCESS;
}

/* Fetch the final map and leave boot services. ExitBootServices fails
 * with EFI_INVALID_PARAMETER when the map changed since GetMemoryMap (an
 * event fired, a driver allocated): fetch it again and retry, a bounded
 * number of times. After the first ExitBootServices call only
 * GetMemoryMap may be used, so nothing here prints between attempts. */
EFI_STATUS exit_boot_services(struct loader *ld)
{
	EFI_STATUS st = EFI_SUCCESS;

	for (int i = 0; i < EXIT_RETRIES; i++) {
		UINTN size = ld->efi_map_alloc, key, dsize;
		UINT32 dver;
		st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, ld->efi_map, &key, &dsize, &dver);
		if (EFI_ERROR(st))
			break;
		ld->efi_map_size = size;
		ld->efi_desc_size = dsize;
		st = uefi_call_wrapper(BS->ExitBootServices, 2, ld->image, key);
		if (st == EFI_SUCCESS)
			return EFI_SUCCESS;
		if (st != EFI_INVALID_PARAMETER)
			break;
	}
	return fail("exit", "ExitBootServices failed", st);
}

static uint32_t kbi_type(UINT32 efi)
{
	switch (efi) {
	case EfiConventionalMemory:
		return KBI_MEM_USABLE;
	case EfiBootServicesCode:
	case EfiBootServicesData:
		return KBI_MEM_BOOT_SERVICES;
	case EfiLoaderCode:
	case EfiLoaderData:
		return KBI_MEM_LOADER;
	case EfiRuntimeServicesCode:
	case EfiRuntimeServicesData:
		return KBI_MEM_RUNTIME;
	case EfiACPIReclaimMemory:
		return KBI_MEM_ACPI_RECLAIM;
	case EfiACPIMemoryNVS:
		return KBI_MEM_ACPI_NVS;
	case EfiUnusableMemory:
		return KBI_MEM_BAD;
	case EFI_PERSISTENT_MEMORY:
		return KBI_MEM_PERSISTENT;
	default:
		return KBI_MEM_RESERVED; /* reserved, MMIO, PAL code, unknown */
	}
}

/* What the kernel's EFI runtime calls need of a descriptor: whether the
 * firmware asked for a runtime mapping, and whether the range is a
 * runtime driver's image (code and data: executable) rather than data or
 * MMIO (bootinfo.h, KBI_MEMF_EFI_CODE). */
static uint32_t runtime_flags(const EFI_MEMORY_DESCRIPTOR *d)
{
	if (!(d->Attribute & EFI_MEMORY_RUNTIME))
		return 0;
	if (d->Type == EfiRuntimeServicesCode)
		return KBI_MEMF_EFI_RUNTIME | KBI_MEMF_EFI_CODE;
	return KBI_MEMF_EFI_RUNTIME;
}

/* Translate the final EFI map into the protocol's ranges, mark what the
 * loader allocated for the kernel, then sort/merge/clip. Runs after
 * ExitBootServices: no allocation, no printing. */
void fill_boot_memmap(struct loader *ld, struct kbi_boot_info *bi)
{
	struct kbi_mem_range *r = (struct kbi_mem_range *)bi->memmap;
	int cap = (int)ld->map_capacity, n = 0;
	UINTN count = ld->efi_map_size / ld->efi_desc_size;

	for (UINTN i = 0; i < count && n < cap; i++) {
		EFI_MEMORY_DESCRIPTOR *d = desc_at(ld->efi_map, ld->efi_desc_size, i);
		r[n].base = d->PhysicalStart;
		r[n].length = d->NumberOfPages * PAGE_SIZE;
		r[n].type = kbi_type(d->Type);
		r[n].flags = runtime_flags(d);
		n++;
	}
	n = memmap_sanitise(r, n, cap);
	const struct { struct region *reg; uint32_t type; } marks[] = {
		{ &ld->kernel, KBI_MEM_KERNEL },
		{ &ld->rootfs, KBI_MEM_ROOTFS },
		{ &ld->bootinfo, KBI_MEM_BOOTINFO },
		{ &ld->pt.mem, KBI_MEM_PAGETABLES },
		{ &ld->stack, KBI_MEM_BOOT_STACK },
		{ &ld->handoff_page, KBI_MEM_BOOT_STACK },
		{ &ld->trampoline, KBI_MEM_TRAMPOLINE },
	};
	for (unsigned i = 0; i < sizeof(marks) / sizeof(marks[0]) && n >= 0; i++)
		n = memmap_mark(r, n, cap, marks[i].reg->base, marks[i].reg->size, marks[i].type);
	if (n >= 0)
		n = memmap_sanitise(r, n, cap);
	bi->memmap_count = n < 0 ? 0 : (uint32_t)n; /* 0: the kernel reports it */
}
