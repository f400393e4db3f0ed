/* SPDX-License-Identifier: MIT */
/*
 * ELF64 file-format types and constants, defined here (prefixed) so the
 * loader, the kernel and host tests never depend on, or clash with, <elf.h>.
 */
#ifndef KESTREL_SHARED_ELF64_H
#define KESTREL_SHARED_ELF64_H

#include <stdint.h>

/* e_ident[] indices and values. */
#define ELF_EI_MAG0       0
#define ELF_EI_MAG1       1
#define ELF_EI_MAG2       2
#define ELF_EI_MAG3       3
#define ELF_EI_CLASS      4
#define ELF_EI_DATA       5
#define ELF_EI_VERSION    6
#define ELF_EI_OSABI      7
#define ELF_EI_ABIVERSION 8
#define ELF_EI_NIDENT     16

#define ELF_MAG0 0x7f
#define ELF_MAG1 'E'
#define ELF_MAG2 'L'
#define ELF_MAG3 'F'
#define ELF_MAG  "\177ELF" /* the four magic bytes, as a string */
#define ELF_SELFMAG 4

#define ELF_CLASS64    2 /* ELFCLASS64 */
#define ELF_DATA2LSB   1 /* ELFDATA2LSB: little-endian */
#define ELF_EV_CURRENT 1 /* both e_ident[EI_VERSION] and e_version */

/* e_type */
#define ELF_ET_NONE 0
#define ELF_ET_REL  1
#define ELF_ET_EXEC 2
#define ELF_ET_DYN  3
#define ELF_ET_CORE 4

/* e_machine */
#define ELF_EM_X86_64 62

/* p_type */
#define ELF_PT_NULL      0
#define ELF_PT_LOAD      1
#define ELF_PT_DYNAMIC   2
#define ELF_PT_INTERP    3
#define ELF_PT_NOTE      4
#define ELF_PT_SHLIB     5
#define ELF_PT_PHDR      6
#define ELF_PT_TLS       7
#define ELF_PT_GNU_STACK 0x6474e551u
#define ELF_PT_GNU_RELRO 0x6474e552u

/* p_flags */
#define ELF_PF_X 0x1u
#define ELF_PF_W 0x2u
#define ELF_PF_R 0x4u

/* e_phnum escape: the real count lives in section header 0 (we reject it). */
#define ELF_PN_XNUM 0xffffu

struct elf64_ehdr {
	uint8_t  e_ident[ELF_EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

struct elf64_shdr {
	uint32_t sh_name;
	uint32_t sh_type;
	uint64_t sh_flags;
	uint64_t sh_addr;
	uint64_t sh_offset;
	uint64_t sh_size;
	uint32_t sh_link;
	uint32_t sh_info;
	uint64_t sh_addralign;
	uint64_t sh_entsize;
};

struct elf64_sym {
	uint32_t st_name;
	uint8_t  st_info;
	uint8_t  st_other;
	uint16_t st_shndx;
	uint64_t st_value;
	uint64_t st_size;
};

/* The format fixes these sizes; catch a packing mistake at compile time. */
_Static_assert(sizeof(struct elf64_ehdr) == 64, "Elf64_Ehdr is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "Elf64_Phdr is 56 bytes");
_Static_assert(sizeof(struct elf64_shdr) == 64, "Elf64_Shdr is 64 bytes");
_Static_assert(sizeof(struct elf64_sym) == 24, "Elf64_Sym is 24 bytes");

#endif
