// SPDX-License-Identifier: MIT
/* Kestrel EFI loader: validate kernel.elf and copy its segments into fresh pages. */
#include "loader.h"
#include "elf_check.h"

/* Read, verify (Secure Boot), validate and load the kernel. All PT_LOAD segments go into one
 * contiguous allocation covering [info.lo, info.hi) so the kernel knows
 * its physical base; the gaps and every bss are zeroed (alloc is zeroed
 * first, then only file bytes are copied). */
EFI_STATUS load_kernel(struct loader *ld)
{
	struct elf_info ei;
	const char *why = "";
	EFI_PHYSICAL_ADDRESS addr = 0;
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct sha256 hash;
	EFI_STATUS st;

	struct sha256 *h = verify_hasher(ld, &hash);

	st = read_file_pool(ld, L"\\kestrel\\kernel.elf", &ld->kernel_file, &ld->kernel_file_size,
			    h);
	if (EFI_ERROR(st))
		return st;
	/* nothing parses the file before it is verified (when it is checked) */
	if (h)
		sha256_final(h, digest);
	if (EFI_ERROR((st = verify_digest(ld, "kernel.elf", digest, true))))
		return st;
	if (elf_check(ld->kernel_file, ld->kernel_file_size, ELF_TARGET_KERNEL, &ei, &why) != 0)
		return fail("kernel", why, EFI_LOAD_ERROR);
	if (ei.lo < KBI_KERNEL_VIRT_BASE)
		return fail("kernel", "not linked in the top 2 GiB", EFI_LOAD_ERROR);

	uint64_t pages = (ei.hi - ei.lo) / PAGE_SIZE;
	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiLoaderData, pages, &addr);
	if (EFI_ERROR(st))
		return fail("kernel", "cannot allocate pages for the image", st);
	SetMem((void *)addr, pages * PAGE_SIZE, 0);

	for (unsigned i = 0; i < ei.phnum; i++) {
		const struct elf64_phdr *ph = elf_phdr(ld->kernel_file, &ei, i);
		if (ph->p_type != ELF_PT_LOAD)
			continue;
		CopyMem((void *)(addr + (ph->p_vaddr - ei.lo)),
			(const char *)ld->kernel_file + ph->p_offset, ph->p_filesz);
	}
	ld->kernel.base = addr;
	ld->kernel.size = pages * PAGE_SIZE;
	ld->kernel_virt_base = ei.lo;
	ld->kernel_entry = ei.entry;
	return EFI_SUCCESS;
}
