/* SPDX-License-Identifier: MIT */
/*
 * Builds small valid ELF64 images in memory (a kernel, a static user
 * ET_EXEC, a PIE user ET_DYN) for the unit tests and fuzzer seeds.
 */
#ifndef KESTREL_TESTS_UNIT_ELF_BUILD_H
#define KESTREL_TESTS_UNIT_ELF_BUILD_H

#include <stdint.h>
#include <string.h>

#include "elf64.h"

#define IMG_SIZE     0x3000u /* every image is exactly this long */
#define IMG_PHOFF    64u     /* program headers right after the ELF header */
#define IMG_TEXT_OFF 0x1000u
#define IMG_DATA_OFF 0x2000u
#define IMG_TEXT_SZ  0x100u
#define IMG_DATA_FSZ 0x10u
#define IMG_DATA_MSZ 0x2000u
#define IMG_INTERP_OFF 0x400u
#define IMG_INTERP   "/lib/ld-kestrel.so"

#define KIMG_BASE 0xffffffff80000000ULL /* kernel text vaddr */
#define UIMG_BASE 0x400000ULL           /* static user text vaddr */
#define DIMG_BASE 0x1000ULL             /* PIE text vaddr (offset from base) */

/* Program header slots, the same in every image. */
enum { PH_TEXT, PH_DATA, PH_STACK, PH_INTERP, PH_SELF, PH_MAX };

struct elf_image {
	_Alignas(8) uint8_t buf[IMG_SIZE];
	uint64_t size;
};

static inline struct elf64_ehdr *img_ehdr(struct elf_image *img)
{
	return (struct elf64_ehdr *)img->buf;
}

static inline struct elf64_phdr *img_phdr(struct elf_image *img, unsigned i)
{
	return (struct elf64_phdr *)(img->buf + IMG_PHOFF) + i;
}

/* Fill one program header. */
static inline void img_set_phdr(struct elf_image *img, unsigned i, uint32_t type,
                                uint32_t flags, uint64_t off, uint64_t vaddr,
                                uint64_t filesz, uint64_t memsz)
{
	struct elf64_phdr *ph = img_phdr(img, i);

	ph->p_type = type;
	ph->p_flags = flags;
	ph->p_offset = off;
	ph->p_vaddr = vaddr;
	ph->p_paddr = vaddr;
	ph->p_filesz = filesz;
	ph->p_memsz = memsz;
	ph->p_align = 0x1000;
}

/* Common part: header, RX text and RW data/bss at text_vaddr, and a
 * non-executable PT_GNU_STACK; phnum headers in all. */
static inline void img_base(struct elf_image *img, uint16_t type, uint64_t text_vaddr,
                            uint16_t phnum)
{
	struct elf64_ehdr *eh = img_ehdr(img);

	memset(img, 0, sizeof(*img));
	img->size = IMG_SIZE;
	memcpy(eh->e_ident, ELF_MAG, ELF_SELFMAG);
	eh->e_ident[ELF_EI_CLASS] = ELF_CLASS64;
	eh->e_ident[ELF_EI_DATA] = ELF_DATA2LSB;
	eh->e_ident[ELF_EI_VERSION] = ELF_EV_CURRENT;
	eh->e_type = type;
	eh->e_machine = ELF_EM_X86_64;
	eh->e_version = ELF_EV_CURRENT;
	eh->e_entry = text_vaddr + 0x10;
	eh->e_phoff = IMG_PHOFF;
	eh->e_ehsize = sizeof(struct elf64_ehdr);
	eh->e_phentsize = sizeof(struct elf64_phdr);
	eh->e_phnum = phnum;
	img_set_phdr(img, PH_TEXT, ELF_PT_LOAD, ELF_PF_R | ELF_PF_X, IMG_TEXT_OFF,
	             text_vaddr, IMG_TEXT_SZ, IMG_TEXT_SZ);
	img_set_phdr(img, PH_DATA, ELF_PT_LOAD, ELF_PF_R | ELF_PF_W, IMG_DATA_OFF,
	             text_vaddr + 0x1000, IMG_DATA_FSZ, IMG_DATA_MSZ);
	img_set_phdr(img, PH_STACK, ELF_PT_GNU_STACK, ELF_PF_R | ELF_PF_W, 0, 0, 0, 0);
	memset(img->buf + IMG_TEXT_OFF, 0x90, IMG_TEXT_SZ); /* nops, for looks */
}

/* A kernel: ET_EXEC in the top 2 GiB, three program headers. */
static inline void img_kernel(struct elf_image *img)
{
	img_base(img, ELF_ET_EXEC, KIMG_BASE, PH_INTERP);
}

/* A static user program: ET_EXEC at 4 MiB, three program headers. */
static inline void img_user_exec(struct elf_image *img)
{
	img_base(img, ELF_ET_EXEC, UIMG_BASE, PH_INTERP);
}

/* A PIE user program: ET_DYN with PT_INTERP and PT_PHDR, five headers. */
static inline void img_user_dyn(struct elf_image *img)
{
	img_base(img, ELF_ET_DYN, DIMG_BASE, PH_MAX);
	img_set_phdr(img, PH_INTERP, ELF_PT_INTERP, ELF_PF_R, IMG_INTERP_OFF,
	             IMG_INTERP_OFF, sizeof(IMG_INTERP), sizeof(IMG_INTERP));
	img_set_phdr(img, PH_SELF, ELF_PT_PHDR, ELF_PF_R, IMG_PHOFF, IMG_PHOFF,
	             PH_MAX * sizeof(struct elf64_phdr), PH_MAX * sizeof(struct elf64_phdr));
	memcpy(img->buf + IMG_INTERP_OFF, IMG_INTERP, sizeof(IMG_INTERP));
}

#endif
