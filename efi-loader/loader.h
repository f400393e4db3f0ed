/* SPDX-License-Identifier: MIT */
/* Kestrel EFI loader: the steps main.c runs, and the state they share. */
#ifndef KESTREL_LOADER_H
#define KESTREL_LOADER_H

#include <efi.h>
#include <efilib.h>
#include <stdbool.h>
#include <stdint.h>
#include "bootinfo.h"
#include "sha256.h"

#define PAGE_SIZE 4096ULL
#define PAGES(bytes) (((bytes) + PAGE_SIZE - 1) / PAGE_SIZE)

/* A region of physical pages the loader allocated and must tell the
 * kernel about (it becomes a typed range in the memory map). */
struct region {
	uint64_t base;
	uint64_t size;
};

/* A page-table page pool: one contiguous allocation, carved in order. */
struct pt_pool {
	struct region mem;
	uint64_t used_pages;
};

/* Everything the loader learns and builds before the hand-off. */
struct loader {
	EFI_HANDLE image;
	EFI_FILE_HANDLE root;          /* the volume BOOTX64.EFI came from */
	uint8_t esp_guid[16];          /* that partition's GPT unique GUID */
	bool esp_guid_valid;

	void *kernel_file;             /* pool copy of kernel.elf */
	UINTN kernel_file_size;
	struct region kernel;          /* loaded segments, bss zeroed */
	uint64_t kernel_virt_base;
	uint64_t kernel_entry;

	struct region rootfs;
	char cmdline[KBI_CMDLINE_MAX];
	uint32_t cmdline_len;
	bool cmdline_found;            /* cmdline.txt was there */

	bool secure_boot;              /* the firmware enforces Secure Boot */
	bool check_files;              /* hash kernel and rootfs (Secure Boot, or `verify`) */
	uint32_t sb_flags;             /* KBI_SB_*, for the kernel */

	struct kbi_framebuffer fb;
	uint64_t rsdp;
	uint32_t rsdp_revision;
	uint64_t tsc_start, tsc_hz;

	struct region bootinfo;        /* struct kbi_boot_info + map + cmdline */
	uint32_t map_capacity;         /* kbi_mem_range slots after the struct */
	struct region stack;           /* guard page + boot stack */
	struct region handoff_page;    /* identity-mapped trampoline + GDT */
	struct region trampoline;      /* below 1 MiB, for the other CPUs (size 0: none) */
	struct pt_pool pt;
	uint64_t pml4;
	uint64_t direct_map_size;

	void *efi_map;                 /* raw GetMemoryMap buffer */
	UINTN efi_map_alloc;           /* its size in bytes */
	UINTN efi_map_size;            /* bytes the final GetMemoryMap filled */
	UINTN efi_desc_size;           /* DescriptorSize: walk by this, not sizeof */
};

/* log.c: print "kestrel-loader: STEP: WHAT (STATUS)" on the console (which OVMF
 * mirrors to the serial port) and return status, so callers can write
 * `return fail(...)`. */
EFI_STATUS fail(const char *step, const char *what, EFI_STATUS status);
void info(const char *fmt_ascii_step, const char *what);

/* file.c: the readers feed every byte they read to hash unless it is NULL
 * (the file is read once, hashed piece by piece as it arrives). */
EFI_STATUS open_boot_volume(struct loader *ld);
EFI_STATUS read_file_pool(struct loader *ld, const CHAR16 *path, void **buf, UINTN *size,
			  struct sha256 *hash);
EFI_STATUS read_file_pages(struct loader *ld, const CHAR16 *path, struct region *out,
			   struct sha256 *hash);

/* verify.c: Secure Boot (the firmware's switch, the signed record) */
void check_secure_boot(struct loader *ld);
void decide_checks(struct loader *ld);
struct sha256 *verify_hasher(struct loader *ld, struct sha256 *hash);
EFI_STATUS verify_digest(struct loader *ld, const char *file, const uint8_t got[SHA256_DIGEST_SIZE],
			 bool kernel);
void choose_cmdline(struct loader *ld);

/* elf_load.c */
EFI_STATUS load_kernel(struct loader *ld);

/* gop.c */
void find_framebuffer(struct loader *ld);
void find_rsdp(struct loader *ld, EFI_SYSTEM_TABLE *st);

/* paging.c */
EFI_STATUS check_paging_mode(void);
EFI_STATUS build_page_tables(struct loader *ld);

/* memmap.c */
EFI_STATUS size_memory_map(struct loader *ld, uint64_t *max_ram_end);
EFI_STATUS exit_boot_services(struct loader *ld);
void fill_boot_memmap(struct loader *ld, struct kbi_boot_info *bi);

/* handoff.S: position-independent; copied into ld->handoff_page. */
extern const char handoff_start[], handoff_end[];
typedef void (*handoff_fn)(uint64_t cr3, uint64_t entry, uint64_t boot_info,
			   uint64_t stack_top);

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#endif
