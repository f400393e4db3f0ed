/* SPDX-License-Identifier: MIT */
/*
 * The Kestrel boot protocol: what the EFI loader hands the kernel.
 *
 * The loader jumps to the kernel's ELF entry point with interrupts off,
 * on its own page tables, with RDI holding the *virtual* (direct-map)
 * address of a struct kbi_boot_info. Every address inside the block is
 * a physical address unless its name ends in _virt; the kernel turns a
 * physical address into a pointer by adding direct_map_base.
 *
 * Address space at entry (the loader builds it; the kernel keeps it):
 *
 *   0xffff800000000000  KBI_DIRECT_MAP_BASE: all physical memory, from 0 up
 *                       to direct_map_size, read/write, NX, large pages:
 *                       RAM write-back, every other address (reserved,
 *                       MMIO, holes) uncached (shared/pgplan.h). At most
 *                       KBI_DIRECT_MAP_MAX: RAM above it is left out.
 *   0xffffffff00000000  KBI_FB_VIRT: the framebuffer (4 KiB pages, NX).
 *   0xffffffff7ff00000  boot stack, KBI_BOOT_STACK_SIZE, guard page below.
 *   0xffffffff80000000  KBI_KERNEL_VIRT_BASE: the kernel image, per-segment
 *                       permissions, as linked (-mcmodel=kernel).
 *
 * plus one identity-mapped page holding the loader's hand-off code and
 * GDT; the kernel must not rely on it and drops it with its own tables.
 * Nothing else is mapped: in particular the lower half is empty.
 *
 * The block is versioned: the kernel checks magic, version and size
 * before reading anything else. Fields are only ever appended.
 */
#ifndef KESTREL_SHARED_BOOTINFO_H
#define KESTREL_SHARED_BOOTINFO_H

#include <stdint.h>

#define KBI_MAGIC   0x544f4f424c525453ULL /* "STRLBOOT" little-endian */
#define KBI_VERSION 5 /* 2: secure_boot; 3: esp_guid; 4: ap_trampoline; 5: KBI_MEMF_EFI_CODE */

#define KBI_DIRECT_MAP_BASE  0xffff800000000000ULL
#define KBI_DIRECT_MAP_MAX   0x0000400000000000ULL /* 64 TiB: PML4 entries 256-383 */
#define KBI_FB_VIRT          0xffffffff00000000ULL
#define KBI_BOOT_STACK_TOP   (KBI_KERNEL_VIRT_BASE - 0x100000ULL)
#define KBI_BOOT_STACK_SIZE  (64ULL * 1024)
#define KBI_KERNEL_VIRT_BASE 0xffffffff80000000ULL

#define KBI_PAGE_SIZE 4096ULL
#define KBI_CMDLINE_MAX 4096

/* Memory-range types. The map is sorted by base, ranges never overlap,
 * adjacent ranges of one type are merged, no range has length zero,
 * every base and length is a multiple of 4 KiB, and page 0 is never
 * KBI_MEM_USABLE. */
enum kbi_mem_type {
	KBI_MEM_USABLE        = 1,  /* free RAM */
	KBI_MEM_RESERVED      = 2,  /* firmware-reserved, MMIO, unknown: never touch */
	KBI_MEM_ACPI_RECLAIM  = 3,  /* ACPI tables: free once parsed */
	KBI_MEM_ACPI_NVS      = 4,  /* ACPI NVS: never touch */
	KBI_MEM_RUNTIME       = 5,  /* UEFI runtime services code/data: never touch */
	KBI_MEM_BOOT_SERVICES = 6,  /* UEFI boot services: free once the kernel runs on its own tables */
	KBI_MEM_LOADER        = 7,  /* loader image and scratch: same as boot services */
	KBI_MEM_KERNEL        = 8,  /* the loaded kernel image (all segments, bss zeroed) */
	KBI_MEM_ROOTFS        = 9,  /* the rootfs cpio archive */
	KBI_MEM_BOOTINFO      = 10, /* this block, its memory map and command line */
	KBI_MEM_PAGETABLES    = 11, /* the page tables the kernel runs on at entry */
	KBI_MEM_BOOT_STACK    = 12, /* the boot stack and the hand-off page */
	KBI_MEM_BAD           = 13, /* unusable (ECC failures) */
	KBI_MEM_PERSISTENT    = 14, /* persistent memory */
	KBI_MEM_TRAMPOLINE    = 15, /* below 1 MiB, for starting the other CPUs: never free */
	KBI_MEM_TYPE_COUNT
};

struct kbi_mem_range {
	uint64_t base;   /* physical, 4 KiB aligned */
	uint64_t length; /* bytes, multiple of 4 KiB, never 0 */
	uint32_t type;   /* enum kbi_mem_type */
	uint32_t flags;  /* KBI_MEMF_* */
};

#define KBI_MEMF_EFI_RUNTIME (1u << 0) /* firmware asked for a runtime mapping */
/* Version 5: with KBI_MEMF_EFI_RUNTIME, the range is EfiRuntimeServicesCode
 * (a runtime driver's whole PE image: its code and its data, so mapped
 * writable and executable); without it, runtime data (NX). Code and data
 * ranges never merge, so each keeps the firmware's exact extent. */
#define KBI_MEMF_EFI_CODE    (1u << 1)

enum kbi_fb_format {
	KBI_FB_NONE = 0, /* no linear framebuffer (no GOP, or BltOnly) */
	KBI_FB_RGBX = 1, /* byte 0 red, 1 green, 2 blue, 3 reserved */
	KBI_FB_BGRX = 2, /* byte 0 blue, 1 green, 2 red, 3 reserved */
	KBI_FB_MASK = 3, /* 32-bit pixels described by the masks below */
};

struct kbi_framebuffer {
	uint64_t base;      /* physical address of pixel (0,0) */
	uint64_t base_virt; /* where the loader mapped it (KBI_FB_VIRT + offset) */
	uint64_t size;      /* bytes, >= stride * height * 4 */
	uint32_t width;     /* visible pixels per line */
	uint32_t height;    /* lines */
	uint32_t stride;    /* pixels per scan line, >= width */
	uint32_t format;    /* enum kbi_fb_format */
	uint32_t red_mask, green_mask, blue_mask, reserved_mask; /* KBI_FB_MASK only */
};

struct kbi_boot_info {
	uint64_t magic;   /* KBI_MAGIC */
	uint32_t version; /* KBI_VERSION */
	uint32_t size;    /* sizeof(struct kbi_boot_info) as the loader built it */

	uint64_t tsc_loader_start; /* TSC read at the first instruction of efi_main */
	uint64_t tsc_handoff;      /* TSC read just before the jump to the kernel */
	uint64_t tsc_hz;           /* TSC ticks per second, measured by the loader
	                            * against the firmware's Stall(); 0 if unknown */

	uint64_t direct_map_base;  /* KBI_DIRECT_MAP_BASE */
	uint64_t direct_map_size;  /* bytes of physical address space mapped there */

	uint64_t kernel_phys_base; /* physical address of the lowest kernel segment page */
	uint64_t kernel_virt_base; /* virtual address it is mapped at */
	uint64_t kernel_size;      /* bytes from that base to the end of the last segment */

	uint64_t pml4_phys;        /* the page tables in CR3 at entry */

	uint64_t memmap;           /* physical address of struct kbi_mem_range[] */
	uint32_t memmap_count;     /* entries in use */
	uint32_t memmap_entry_size;/* sizeof(struct kbi_mem_range) */

	uint64_t rootfs;           /* physical address of the cpio archive, 4 KiB aligned */
	uint64_t rootfs_size;      /* bytes; 0 if there is none */

	uint64_t cmdline;          /* physical address of a NUL-terminated string */
	uint32_t cmdline_len;      /* bytes, excluding the NUL; < KBI_CMDLINE_MAX */
	uint32_t reserved0;

	uint64_t acpi_rsdp;        /* physical address of the RSDP; 0 if none */
	uint32_t acpi_rsdp_revision; /* 2 for an ACPI 2.0+ (XSDT) RSDP, 0 for 1.0 */
	uint32_t reserved1;

	uint64_t efi_system_table; /* physical address of the EFI system table */

	struct kbi_framebuffer fb;

	uint32_t secure_boot;      /* KBI_SB_*: what the loader found and checked */
	uint32_t reserved2;

	/* The GPT unique partition GUID of the partition the loader was
	 * read from (its device path's hard-drive node), as stored on the
	 * disk; esp_guid_valid 0 when the firmware gave none (an MBR
	 * partition, a network boot). */
	uint8_t esp_guid[16];
	uint32_t esp_guid_valid;
	uint32_t reserved3;

	/* Pages below 1 MiB, 4 KiB aligned, reserved for the application
	 * processors' start-up code (their SIPI vector is its page number):
	 * typed KBI_MEM_TRAMPOLINE in the map. 0 pages when the firmware had
	 * none free: the kernel then runs on the boot CPU alone. */
	uint64_t ap_trampoline;
	uint32_t ap_trampoline_pages;
	uint32_t reserved4;
};

/* secure_boot flags. With KBI_SB_ON the loader refused any kernel or rootfs
 * whose SHA-256 differs from the one recorded in its signed image, so both
 * VERIFIED bits are set; with it off a mismatch was only logged. */
#define KBI_SB_ON               (1u << 0) /* the firmware's SecureBoot variable was 1 */
#define KBI_SB_KERNEL_VERIFIED  (1u << 1) /* kernel.elf matched the recorded hash */
#define KBI_SB_ROOTFS_VERIFIED  (1u << 2) /* rootfs.cpio matched the recorded hash */
#define KBI_SB_CMDLINE_FILTERED (1u << 3) /* words of cmdline.txt were ignored (KBI_SB_ON only) */

#endif
