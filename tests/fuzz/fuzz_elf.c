/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for elf_check: any input, both targets; whatever it
 * accepts must really satisfy the promised properties.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_check.h"

#define FAIL(...)                                                     \
	do {                                                          \
		fprintf(stderr, "fuzz_elf: " __VA_ARGS__);            \
		fprintf(stderr, "\n");                                \
		abort();                                              \
	} while (0)

typedef unsigned __int128 u128;

/* Re-derive every promise of elf_check for an accepted file. */
static void check_accepted(const uint8_t *data, size_t size, enum elf_target t,
                           const struct elf_info *info)
{
	struct elf64_phdr ph, other;
	int entry_ok = 0;
	uint32_t loads = 0;

	if (t == ELF_TARGET_KERNEL && info->type != ELF_ET_EXEC)
		FAIL("kernel not ET_EXEC");
	if (info->phnum > ELF_CHECK_MAX_PHNUM || info->phoff % 8 ||
	    (u128)info->phoff + (u128)info->phnum * sizeof(ph) > size)
		FAIL("bad phdr table accepted");
	if (info->lo % 4096 || info->hi % 4096 || info->lo >= info->hi)
		FAIL("bad lo/hi");
	for (unsigned i = 0; i < info->phnum; i++) {
		if (!elf_read_phdr(data, info, i, &ph))
			FAIL("elf_read_phdr failed");
		if (memcmp(&ph, elf_phdr(data, info, i), sizeof(ph)) != 0)
			FAIL("elf_phdr disagrees");
		if (ph.p_type != ELF_PT_LOAD)
			continue;
		loads++;
		u128 end = (u128)ph.p_vaddr + ph.p_memsz;
		int kernel = t == ELF_TARGET_KERNEL;
		/* a user segment may run past the end of the file (Linux maps what is there) */
		if (ph.p_filesz > ph.p_memsz ||
		    (kernel && (u128)ph.p_offset + ph.p_filesz > size))
			FAIL("segment sizes");
		if (ph.p_vaddr < info->lo || end > info->hi)
			FAIL("segment outside lo/hi");
		if (t == ELF_TARGET_KERNEL && ph.p_vaddr < ELF_CHECK_KERNEL_MIN)
			FAIL("kernel segment low");
		if (t == ELF_TARGET_USER && end > ELF_CHECK_USER_LIMIT)
			FAIL("user segment high");
		if ((kernel || ph.p_filesz) && (ph.p_offset ^ ph.p_vaddr) % 4096)
			FAIL("alignment");
		if ((ph.p_flags & ELF_PF_X) && info->entry >= ph.p_vaddr && info->entry < end)
			entry_ok = 1;
		/* user segments may overlap: a later one replaces an earlier one */
		for (unsigned j = i + 1; kernel && j < info->phnum; j++) {
			elf_read_phdr(data, info, j, &other);
			if (other.p_type == ELF_PT_LOAD && ph.p_memsz && other.p_memsz &&
			    ph.p_vaddr < other.p_vaddr + other.p_memsz &&
			    other.p_vaddr < end)
				FAIL("overlap");
		}
	}
	if ((t == ELF_TARGET_KERNEL && !entry_ok) || loads != info->load_count || loads == 0)
		FAIL("entry or load count");
	if (info->interp_len && !info->has_interp)
		FAIL("interp length without interp");
	if (info->has_interp) {
		if (t != ELF_TARGET_USER || info->interp_len > ELF_CHECK_MAX_INTERP ||
		    info->interp_off + info->interp_len >= size ||
		    data[info->interp_off + info->interp_len] != '\0' ||
		    memchr(data + info->interp_off, 0, info->interp_len))
			FAIL("interp");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum elf_target targets[] = { ELF_TARGET_KERNEL, ELF_TARGET_USER };

	for (int i = 0; i < 2; i++) {
		struct elf_info info;
		const char *why = NULL;

		int r = elf_check(data, size, targets[i], &info, &why);
		if (r == ELF_CHECK_OK)
			check_accepted(data, size, targets[i], &info);
		else if (r != ELF_CHECK_BAD && (r != ELF_CHECK_BAD_SEGMENT || targets[i] != ELF_TARGET_USER))
			FAIL("unknown verdict %d", r);
		else if (!why || !*why)
			FAIL("rejected without a reason");
	}
	return 0;
}
