/* SPDX-License-Identifier: MIT */
/*
 * Validation of untrusted ELF64 images (the kernel, for the loader; user
 * programs, for exec) before anything is mapped or copied from them.
 */
#ifndef KESTREL_SHARED_ELF_CHECK_H
#define KESTREL_SHARED_ELF_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "elf64.h"

#define ELF_CHECK_PAGE_SIZE   4096ULL
#define ELF_CHECK_MAX_PHNUM   64                    /* more is rejected */
#define ELF_CHECK_MAX_INTERP  255                   /* longest PT_INTERP path */
#define ELF_CHECK_KERNEL_MIN  0xffff800000000000ULL /* start of the upper half */
#define ELF_CHECK_USER_LIMIT  0x00007ffffffff000ULL /* end of user space (mm/layout.h USER_VA_END) */

enum elf_target {
	ELF_TARGET_KERNEL, /* ET_EXEC, upper half only, no PT_INTERP */
	ELF_TARGET_USER,   /* ET_EXEC or ET_DYN, lower half only, W^X */
};

/* What elf_check learned; valid only after it returned 0. */
struct elf_info {
	uint16_t type;        /* ELF_ET_EXEC or ELF_ET_DYN */
	uint64_t entry;       /* e_entry (for ET_DYN: an offset from the load base) */
	uint64_t lo, hi;      /* lowest PT_LOAD vaddr rounded down to 4 KiB, highest
	                       * vaddr + memsz rounded up; lo < hi */
	uint32_t load_count;  /* number of PT_LOAD headers, >= 1 */
	uint64_t phoff;       /* program header table offset, 8-byte aligned */
	uint16_t phnum;       /* program header count, <= ELF_CHECK_MAX_PHNUM */
	uint64_t interp_off;  /* file offset of the PT_INTERP path (0 if none) */
	uint64_t interp_len;  /* its length without the NUL, 1..255 (0 if none) */
	bool exec_stack;      /* PT_GNU_STACK asks for PF_X */
};

/*
 * Check that file[0..size) is an ELF64 x86_64 image that is safe to load
 * for target: headers inside the file, no arithmetic overflow, every
 * PT_LOAD inside the file and inside the target's half of the address
 * space, PT_LOADs not overlapping (as [vaddr, vaddr + memsz); two
 * segments may still share a page), p_offset congruent to p_vaddr mod
 * 4 KiB, the entry in an executable PT_LOAD, and for USER W^X and a sane
 * PT_INTERP. The file may have any alignment; it is read byte-wise.
 * Returns 0 and fills *out, or -1 and points *why at a static reason
 * string (for example "segments overlap"); *out is then unspecified.
 */
int elf_check(const void *file, uint64_t size, enum elf_target target,
              struct elf_info *out, const char **why);

/*
 * The i-th program header of a file that passed elf_check, in place, or
 * NULL if i >= info->phnum. e_phoff is known to be 8-byte aligned, so the
 * pointer is properly aligned when file is; use elf_read_phdr otherwise.
 */
const struct elf64_phdr *elf_phdr(const void *file, const struct elf_info *info,
                                  unsigned i);

/* Copy the i-th program header into *out (any file alignment). Returns
 * false, leaving *out untouched, if i >= info->phnum. */
bool elf_read_phdr(const void *file, const struct elf_info *info, unsigned i,
                   struct elf64_phdr *out);

#endif
