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
#define ELF_CHECK_MAX_INTERP  4095                  /* longest PT_INTERP path: Linux takes a
                                                     * p_filesz of up to PATH_MAX with the NUL */
#define ELF_CHECK_KERNEL_MIN  0xffff800000000000ULL /* start of the upper half */
#define ELF_CHECK_USER_LIMIT  0x00007ffffffff000ULL /* end of user space (mm/layout.h USER_VA_END) */

enum elf_target {
	ELF_TARGET_KERNEL, /* ET_EXEC, upper half only, no PT_INTERP */
	ELF_TARGET_USER,   /* ET_EXEC or ET_DYN, lower half only, what Linux loads */
};

/* elf_check's verdicts. A user program whose headers are sound but one of
 * whose PT_LOADs cannot be mapped (filesz > memsz, p_offset not congruent
 * to p_vaddr, outside user space) is ELF_CHECK_BAD_SEGMENT: Linux finds
 * these only after the point of no return of execve, so the program is
 * killed by SIGSEGV instead of execve failing with ENOEXEC. */
#define ELF_CHECK_OK           0
#define ELF_CHECK_BAD         -1  /* not loadable: ENOEXEC */
#define ELF_CHECK_BAD_SEGMENT -2  /* USER only: a segment cannot be mapped */

/* What elf_check learned; valid only after it returned 0. */
struct elf_info {
	uint16_t type;        /* ELF_ET_EXEC or ELF_ET_DYN */
	uint64_t entry;       /* e_entry (for ET_DYN: an offset from the load base) */
	uint64_t lo, hi;      /* lowest PT_LOAD vaddr rounded down to 4 KiB, highest
	                       * vaddr + memsz rounded up; lo < hi */
	uint32_t load_count;  /* number of PT_LOAD headers, >= 1 */
	uint64_t phoff;       /* program header table offset, 8-byte aligned */
	uint16_t phnum;       /* program header count, <= ELF_CHECK_MAX_PHNUM */
	bool has_interp;      /* a PT_INTERP (the first one counts, as in Linux) */
	uint64_t interp_off;  /* file offset of its path (0 if none) */
	uint64_t interp_len;  /* the path's length up to its first NUL, 0..4095
	                       * (0 if none; an empty path is Linux's too) */
	bool exec_stack;      /* PT_GNU_STACK asks for PF_X */
};

/*
 * Check that file[0..size) is an ELF64 x86_64 image that is safe to load
 * for target: headers inside the file, no arithmetic overflow, every
 * PT_LOAD inside the target's half of the address space with p_offset
 * congruent to p_vaddr mod 4 KiB.
 * KERNEL also wants every PT_LOAD inside the file, PT_LOADs not
 * overlapping (as [vaddr, vaddr + memsz); two segments may still share a
 * page) and the entry in an executable PT_LOAD.
 * USER takes what Linux's binfmt_elf takes: writable and executable
 * segments, file ranges past the end of the file (the loader maps what
 * exists), overlapping segments (a later one replaces an earlier one),
 * any entry point, p_offset of a segment without file bytes unchecked;
 * and a PT_INTERP of 2..PATH_MAX bytes inside the file ending in a NUL.
 * The file may have any alignment; it is read byte-wise.
 * Returns ELF_CHECK_OK and fills *out, or ELF_CHECK_BAD or
 * ELF_CHECK_BAD_SEGMENT and points *why at a static reason string (for
 * example "segments overlap"); *out is then unspecified.
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
