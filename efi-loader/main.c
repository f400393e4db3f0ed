// SPDX-License-Identifier: MIT
/*
 * Kestrel EFI loader: reads the kernel, rootfs and command line from the
 * boot volume (checking them against its signed record under Secure
 * Boot, verify.c), builds the kernel's page tables, leaves boot services and
 * jumps to the higher-half kernel. The steps run in order, top to bottom;
 * any failure before ExitBootServices is printed and returned to the
 * firmware.
 */
#include "loader.h"

#define MSR_EFER     0xc0000080u
#define EFER_NXE     (1ull << 11)
#define TSC_CALIBRATE_US 10000
/* The application processors' start-up pages: code and data, then a
 * PML4, PDPT and PD that identity-map the first 2 MiB (the kernel's
 * smp.c lays them out). A SIPI vector is a page number below 1 MiB. */
#define TRAMPOLINE_PAGES 4
#define TRAMPOLINE_MAX   0x9ffffull /* below the EBDA and the VGA hole */

/* Read \kestrel\cmdline.txt if present: trailing white space (the
 * newline an editor adds) is dropped, and so is anything past
 * KBI_CMDLINE_MAX - 1 bytes, with a warning. */
static void read_cmdline(struct loader *ld)
{
	void *buf;
	UINTN size;

	if (read_file_pool(ld, L"\\kestrel\\cmdline.txt", &buf, &size, NULL) != EFI_SUCCESS)
		return; /* optional: read_file_pool is silent for "not found" */
	ld->cmdline_found = true;
	if (size >= KBI_CMDLINE_MAX) {
		info("cmdline", "longer than 4095 bytes, truncated");
		size = KBI_CMDLINE_MAX - 1;
	}
	CopyMem(ld->cmdline, buf, size);
	while (size > 0 && (ld->cmdline[size - 1] == '\n' || ld->cmdline[size - 1] == '\r' ||
			    ld->cmdline[size - 1] == ' ' || ld->cmdline[size - 1] == '\t'))
		size--;
	ld->cmdline[size] = '\0';
	ld->cmdline_len = (uint32_t)size;
	FreePool(buf);
}

/* Read the rootfs and check it against the signed record (verify.c;
 * only when decide_checks asked for it). */
static EFI_STATUS load_rootfs(struct loader *ld)
{
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct sha256 hash;
	EFI_STATUS st;

	struct sha256 *h = verify_hasher(ld, &hash);

	st = read_file_pages(ld, L"\\kestrel\\rootfs.cpio", &ld->rootfs, h);
	if (EFI_ERROR(st))
		return st;
	if (h)
		sha256_final(h, digest);
	return verify_digest(ld, "rootfs.cpio", digest, false);
}

/* Measure the TSC against the firmware's Stall(): good to a few per cent,
 * enough for boot timestamps until the kernel calibrates properly. */
static void calibrate_tsc(struct loader *ld)
{
	uint64_t t0 = rdtsc();
	uefi_call_wrapper(BS->Stall, 1, TSC_CALIBRATE_US);
	uint64_t t1 = rdtsc();
	ld->tsc_hz = (t1 - t0) * (1000000 / TSC_CALIBRATE_US);
}

static EFI_STATUS alloc_pages(struct region *r, uint64_t bytes, EFI_MEMORY_TYPE type,
			      const char *step)
{
	EFI_PHYSICAL_ADDRESS addr = 0;
	EFI_STATUS st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, type,
					  PAGES(bytes), &addr);
	if (EFI_ERROR(st))
		return fail(step, "cannot allocate pages", st);
	r->base = addr;
	r->size = PAGES(bytes) * PAGE_SIZE;
	SetMem((void *)addr, r->size, 0);
	return EFI_SUCCESS;
}

/* Allocate the boot-info block (sized for the memory map with room for
 * the entries marking adds), the boot stack with its guard page, and the
 * hand-off page. */
static EFI_STATUS alloc_handoff_state(struct loader *ld)
{
	UINTN efi_entries = ld->efi_map_alloc / sizeof(EFI_MEMORY_DESCRIPTOR);
	EFI_STATUS st;

	/* sanitising needs up to twice the entries, marking two more each */
	ld->map_capacity = 2 * (uint32_t)efi_entries + 64;
	st = alloc_pages(&ld->bootinfo, sizeof(struct kbi_boot_info) +
			 ld->map_capacity * sizeof(struct kbi_mem_range) + KBI_CMDLINE_MAX,
			 EfiLoaderData, "boot-info");
	if (EFI_ERROR(st))
		return st;
	st = alloc_pages(&ld->stack, KBI_BOOT_STACK_SIZE, EfiLoaderData, "stack");
	if (EFI_ERROR(st))
		return st;
	st = alloc_pages(&ld->handoff_page, PAGE_SIZE, EfiLoaderCode, "hand-off");
	if (EFI_ERROR(st))
		return st;
	CopyMem((void *)ld->handoff_page.base, handoff_start,
		(UINTN)(handoff_end - handoff_start));
	return EFI_SUCCESS;
}

/* Reserve the pages below 1 MiB the other CPUs start in. Optional: a
 * firmware that has none free gives a kernel on one CPU, with a note
 * here. Page 0 is never used (the map keeps it out of reach); if the
 * firmware hands it out, it stays allocated and a second try follows. */
static void reserve_trampoline(struct loader *ld)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		EFI_PHYSICAL_ADDRESS addr = TRAMPOLINE_MAX;
		EFI_STATUS st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress,
						  EfiLoaderData, TRAMPOLINE_PAGES, &addr);
		if (EFI_ERROR(st))
			break;
		if (addr == 0)
			continue;
		ld->trampoline.base = addr;
		ld->trampoline.size = TRAMPOLINE_PAGES * PAGE_SIZE;
		SetMem((void *)addr, ld->trampoline.size, 0);
		return;
	}
	info("trampoline", "no free pages below 1 MiB: the kernel will use one CPU");
}

/* Fill the boot-info block; the memory map is added after
 * ExitBootServices by fill_boot_memmap(). */
static struct kbi_boot_info *fill_boot_info(struct loader *ld, EFI_SYSTEM_TABLE *st)
{
	struct kbi_boot_info *bi = (struct kbi_boot_info *)ld->bootinfo.base;
	uint64_t map = ld->bootinfo.base + sizeof(*bi);
	uint64_t cmd = map + ld->map_capacity * sizeof(struct kbi_mem_range);

	bi->magic = KBI_MAGIC;
	bi->version = KBI_VERSION;
	bi->size = sizeof(*bi);
	bi->tsc_loader_start = ld->tsc_start;
	bi->tsc_hz = ld->tsc_hz;
	bi->direct_map_base = KBI_DIRECT_MAP_BASE;
	bi->direct_map_size = ld->direct_map_size;
	bi->kernel_phys_base = ld->kernel.base;
	bi->kernel_virt_base = ld->kernel_virt_base;
	bi->kernel_size = ld->kernel.size;
	bi->pml4_phys = ld->pml4;
	bi->memmap = map;
	bi->memmap_entry_size = sizeof(struct kbi_mem_range);
	bi->rootfs = ld->rootfs.base;
	bi->rootfs_size = ld->rootfs.size;
	CopyMem((void *)cmd, ld->cmdline, ld->cmdline_len + 1);
	bi->cmdline = cmd;
	bi->cmdline_len = ld->cmdline_len;
	bi->acpi_rsdp = ld->rsdp;
	bi->acpi_rsdp_revision = ld->rsdp_revision;
	bi->efi_system_table = (uint64_t)st;
	bi->fb = ld->fb;
	bi->secure_boot = ld->sb_flags | (ld->secure_boot ? KBI_SB_ON : 0);
	CopyMem(bi->esp_guid, ld->esp_guid, sizeof(bi->esp_guid));
	bi->esp_guid_valid = ld->esp_guid_valid;
	bi->ap_trampoline = ld->trampoline.base;
	bi->ap_trampoline_pages = (uint32_t)(ld->trampoline.size / PAGE_SIZE);
	return bi;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

/* Past the point of no return: boot services are gone. Enable NX (the
 * new tables use it), then jump through the identity-mapped page. */
static void __attribute__((noreturn)) jump_to_kernel(struct loader *ld,
						     struct kbi_boot_info *bi)
{
	__asm__ volatile("cli");
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	bi->tsc_handoff = rdtsc();
	handoff_fn go = (handoff_fn)ld->handoff_page.base;
	go(ld->pml4, ld->kernel_entry, KBI_DIRECT_MAP_BASE + ld->bootinfo.base,
	   KBI_BOOT_STACK_TOP);
	__builtin_unreachable();
}

static EFI_STATUS load_everything(struct loader *ld, EFI_SYSTEM_TABLE *st)
{
	EFI_STATUS s;
	uint64_t ram_end; /* unused: the direct map's end is paging.c's plan (pgplan.h) */

	if (EFI_ERROR((s = check_paging_mode())))
		return s;
	if (EFI_ERROR((s = open_boot_volume(ld))))
		return s;
	check_secure_boot(ld);
	read_cmdline(ld);
	decide_checks(ld);
	if (EFI_ERROR((s = load_kernel(ld))))
		return s;
	if (EFI_ERROR((s = load_rootfs(ld))))
		return s;
	choose_cmdline(ld);
	find_framebuffer(ld);
	find_rsdp(ld, st);
	calibrate_tsc(ld);
	if (EFI_ERROR((s = size_memory_map(ld, &ram_end))))
		return s;
	if (EFI_ERROR((s = alloc_handoff_state(ld))))
		return s;
	reserve_trampoline(ld);
	return build_page_tables(ld);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	static struct loader ld;
	EFI_STATUS s;

	ld.tsc_start = rdtsc();
	ld.image = image;
	InitializeLib(image, st);
	uefi_call_wrapper(BS->SetWatchdogTimer, 4, 0, 0, 0, NULL);
	Print(L"kestrel-loader: starting\n");

	if (EFI_ERROR((s = load_everything(&ld, st))))
		return s;
	struct kbi_boot_info *bi = fill_boot_info(&ld, st);
	if (EFI_ERROR((s = exit_boot_services(&ld))))
		return s;
	fill_boot_memmap(&ld, bi);
	jump_to_kernel(&ld, bi);
}
