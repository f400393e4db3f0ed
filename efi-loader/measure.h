/* SPDX-License-Identifier: MIT */
/*
 * The loader's measurement record: the SHA-256 of the kernel and the
 * rootfs it was built with, and its signed command line. It lives in a PE
 * section of its own, .measure, so that signing BOOTX64.EFI covers it.
 * The build leaves it empty (flags 0); tools/measure.py fills it in for
 * the files an image carries, before tools/mkimg.sh signs the loader.
 *
 * Layout (little-endian; measure.py writes these offsets, the static
 * asserts below hold them still):
 *
 *     0  magic[16]          "KESTREL-MEASURE" and a NUL
 *    16  version            KMEASURE_VERSION
 *    20  flags              KMEASURE_RECORDED once the hashes are filled in
 *    24  kernel_sha256[32]  of \kestrel\kernel.elf
 *    56  rootfs_sha256[32]  of \kestrel\rootfs.cpio
 *    88  cmdline_len        bytes, < KBI_CMDLINE_MAX
 *    92  reserved
 *    96  cmdline[KBI_CMDLINE_MAX]  NUL-terminated
 */
#ifndef KESTREL_LOADER_MEASURE_H
#define KESTREL_LOADER_MEASURE_H

#include <stddef.h>
#include <stdint.h>
#include "bootinfo.h"
#include "sha256.h"

#define KMEASURE_MAGIC    "KESTREL-MEASURE"
#define KMEASURE_MAGIC_SIZE 16
#define KMEASURE_VERSION  1
#define KMEASURE_RECORDED (1u << 0)

struct kmeasure {
	char magic[KMEASURE_MAGIC_SIZE];
	uint32_t version;
	uint32_t flags;
	uint8_t kernel_sha256[SHA256_DIGEST_SIZE];
	uint8_t rootfs_sha256[SHA256_DIGEST_SIZE];
	uint32_t cmdline_len;
	uint32_t reserved;
	char cmdline[KBI_CMDLINE_MAX];
};

_Static_assert(offsetof(struct kmeasure, flags) == 20, "measure.py writes flags at 20");
_Static_assert(offsetof(struct kmeasure, kernel_sha256) == 24, "measure.py: kernel hash at 24");
_Static_assert(offsetof(struct kmeasure, rootfs_sha256) == 56, "measure.py: rootfs hash at 56");
_Static_assert(offsetof(struct kmeasure, cmdline_len) == 88, "measure.py: cmdline length at 88");
_Static_assert(offsetof(struct kmeasure, cmdline) == 96, "measure.py: cmdline at 96");

#endif
