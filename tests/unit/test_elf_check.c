/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for shared/elf_check.c: valid images pass with the right
 * summary, and each single-field corruption fails with its own reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_build.h"
#include "elf_check.h"
#include "unit.h"

#define HOST_TRUE "/bin/true"
#define HOST_FILE_MAX (16u << 20)

/*
 * Run elf_check on an exact-size heap copy of buf[0..size) placed at
 * misalign bytes past an aligned address, so ASan catches any read past
 * the end and UBSan any misaligned access. Returns the reason, or NULL.
 */
static const char *run_check_at(const void *buf, uint64_t size, enum elf_target t,
                                struct elf_info *info, size_t misalign)
{
	uint8_t *block = malloc(size + misalign + 1);
	const char *why = NULL;
	struct elf_info scratch;

	if (!block)
		abort();
	memcpy(block + misalign, buf, size);
	if (elf_check(block + misalign, size, t, info ? info : &scratch, &why) == 0)
		why = NULL;
	else if (!why)
		why = "(failed without a reason)";
	free(block);
	return why;
}

static const char *run_check(const struct elf_image *img, enum elf_target t,
                             struct elf_info *info)
{
	return run_check_at(img->buf, img->size, t, info, 0);
}

/* Fail unless img is rejected for target with exactly the reason want. */
static const char *expect(const struct elf_image *img, enum elf_target t, const char *want)
{
	const char *got = run_check(img, t, NULL);

	if (got && strcmp(got, want) == 0)
		return NULL;
	snprintf(unit_msg, sizeof(unit_msg), "expected \"%s\", got \"%s\"", want,
	         got ? got : "accepted");
	return unit_msg;
}

/* ---- valid images ---- */

UNIT_TEST(kernel_valid)
{
	struct elf_image img;
	struct elf_info info;

	img_kernel(&img);
	CHECK_OK(run_check(&img, ELF_TARGET_KERNEL, &info));
	CHECK_EQ(info.type, ELF_ET_EXEC);
	CHECK_EQ(info.entry, KIMG_BASE + 0x10);
	CHECK_EQ(info.lo, KIMG_BASE);
	CHECK_EQ(info.hi, KIMG_BASE + 0x1000 + IMG_DATA_MSZ);
	CHECK_EQ(info.load_count, 2);
	CHECK_EQ(info.phoff, IMG_PHOFF);
	CHECK_EQ(info.phnum, 3);
	CHECK_EQ(info.interp_off, 0);
	CHECK_EQ(info.interp_len, 0);
	CHECK(!info.exec_stack);
	return NULL;
}

UNIT_TEST(user_exec_valid)
{
	struct elf_image img;
	struct elf_info info;

	img_user_exec(&img);
	CHECK_OK(run_check(&img, ELF_TARGET_USER, &info));
	CHECK_EQ(info.type, ELF_ET_EXEC);
	CHECK_EQ(info.lo, UIMG_BASE);
	CHECK_EQ(info.hi, UIMG_BASE + 0x3000);
	CHECK_EQ(info.load_count, 2);
	CHECK_EQ(info.interp_len, 0);
	return NULL;
}

UNIT_TEST(user_dyn_valid)
{
	struct elf_image img;
	struct elf_info info;

	img_user_dyn(&img);
	CHECK_OK(run_check(&img, ELF_TARGET_USER, &info));
	CHECK_EQ(info.type, ELF_ET_DYN);
	CHECK_EQ(info.entry, DIMG_BASE + 0x10);
	CHECK_EQ(info.lo, DIMG_BASE);
	CHECK_EQ(info.phnum, PH_MAX);
	CHECK_EQ(info.interp_off, IMG_INTERP_OFF);
	CHECK_EQ(info.interp_len, strlen(IMG_INTERP));
	return NULL;
}

UNIT_TEST(unaligned_file_buffer)
{
	struct elf_image img;
	struct elf_info info;

	img_user_dyn(&img);
	for (size_t mis = 1; mis < 8; mis++)
		CHECK_OK(run_check_at(img.buf, img.size, ELF_TARGET_USER, &info, mis));
	CHECK_EQ(info.interp_len, strlen(IMG_INTERP));
	return NULL;
}

UNIT_TEST(exec_stack_reported)
{
	struct elf_image img;
	struct elf_info info;

	img_user_exec(&img);
	img_phdr(&img, PH_STACK)->p_flags |= ELF_PF_X;
	CHECK_OK(run_check(&img, ELF_TARGET_USER, &info));
	CHECK(info.exec_stack);
	return NULL;
}

UNIT_TEST(phdr_accessors)
{
	struct elf_image img;
	struct elf_info info;
	struct elf64_phdr ph;

	img_user_dyn(&img);
	CHECK_OK(run_check(&img, ELF_TARGET_USER, &info));
	CHECK(elf_phdr(img.buf, &info, 0) == img_phdr(&img, 0));
	CHECK(elf_phdr(img.buf, &info, PH_MAX - 1) == img_phdr(&img, PH_MAX - 1));
	CHECK(elf_phdr(img.buf, &info, PH_MAX) == NULL);
	CHECK(elf_read_phdr(img.buf, &info, PH_INTERP, &ph));
	CHECK_EQ(ph.p_type, ELF_PT_INTERP);
	CHECK(!elf_read_phdr(img.buf, &info, PH_MAX, &ph));
	return NULL;
}

UNIT_TEST(kernel_wx_allowed)
{
	struct elf_image img;

	img_kernel(&img);
	img_phdr(&img, PH_DATA)->p_flags |= ELF_PF_X;
	CHECK_OK(run_check(&img, ELF_TARGET_KERNEL, NULL));
	return NULL;
}

UNIT_TEST(adjacent_and_empty_segments_ok)
{
	struct elf_image img;

	img_user_exec(&img);
	/* text ends exactly where data starts */
	img_phdr(&img, PH_TEXT)->p_memsz = 0x1000;
	CHECK_OK(run_check(&img, ELF_TARGET_USER, NULL));
	/* an empty PT_LOAD inside another overlaps nothing */
	img_phdr(&img, PH_STACK)->p_type = ELF_PT_LOAD;
	img_phdr(&img, PH_STACK)->p_vaddr = UIMG_BASE + 0x1000;
	img_phdr(&img, PH_STACK)->p_offset = 0x1000;
	CHECK_OK(run_check(&img, ELF_TARGET_USER, NULL));
	return NULL;
}

UNIT_TEST(address_space_boundaries_ok)
{
	struct elf_image img;
	struct elf64_phdr *d;

	img_kernel(&img);
	d = img_phdr(&img, PH_DATA);
	d->p_vaddr = ELF_CHECK_KERNEL_MIN; /* the very first upper-half byte */
	CHECK_OK(run_check(&img, ELF_TARGET_KERNEL, NULL));
	d->p_vaddr = 0xfffffffffffff000ULL - d->p_memsz; /* ends on the last page */
	CHECK_OK(run_check(&img, ELF_TARGET_KERNEL, NULL));

	img_user_exec(&img);
	d = img_phdr(&img, PH_DATA);
	d->p_vaddr = ELF_CHECK_USER_LIMIT - d->p_memsz; /* ends at the limit */
	CHECK_OK(run_check(&img, ELF_TARGET_USER, NULL));
	return NULL;
}

/* ---- ELF header ---- */

UNIT_TEST(too_small)
{
	struct elf_image img;

	img_kernel(&img);
	img.size = sizeof(struct elf64_ehdr) - 1;
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "file too small for an ELF header"));
	img.size = 0;
	CHECK_OK(expect(&img, ELF_TARGET_USER, "file too small for an ELF header"));
	return NULL;
}

UNIT_TEST(bad_magic)
{
	struct elf_image img;

	for (int i = ELF_EI_MAG0; i <= ELF_EI_MAG3; i++) {
		img_kernel(&img);
		img_ehdr(&img)->e_ident[i] ^= 0x20;
		CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "not an ELF file (bad magic)"));
	}
	return NULL;
}

UNIT_TEST(not_64bit)
{
	struct elf_image img;

	img_kernel(&img);
	img_ehdr(&img)->e_ident[ELF_EI_CLASS] = 1; /* ELFCLASS32 */
	return expect(&img, ELF_TARGET_KERNEL, "not 64-bit");
}

UNIT_TEST(not_little_endian)
{
	struct elf_image img;

	img_user_exec(&img);
	img_ehdr(&img)->e_ident[ELF_EI_DATA] = 2; /* ELFDATA2MSB */
	return expect(&img, ELF_TARGET_USER, "not little-endian");
}

UNIT_TEST(bad_version)
{
	struct elf_image img;

	img_kernel(&img);
	img_ehdr(&img)->e_ident[ELF_EI_VERSION] = 0;
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "bad ELF version"));
	img_kernel(&img);
	img_ehdr(&img)->e_version = 2;
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "bad ELF version"));
	return NULL;
}

UNIT_TEST(not_x86_64)
{
	struct elf_image img;

	img_kernel(&img);
	img_ehdr(&img)->e_machine = 183; /* EM_AARCH64 */
	return expect(&img, ELF_TARGET_KERNEL, "not x86_64");
}

UNIT_TEST(kernel_must_be_exec)
{
	struct elf_image img;

	img_kernel(&img);
	img_ehdr(&img)->e_type = ELF_ET_DYN;
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "not ET_EXEC"));
	img_ehdr(&img)->e_type = ELF_ET_REL;
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "not ET_EXEC"));
	return NULL;
}

UNIT_TEST(user_must_be_exec_or_dyn)
{
	struct elf_image img;

	img_user_exec(&img);
	img_ehdr(&img)->e_type = ELF_ET_REL;
	CHECK_OK(expect(&img, ELF_TARGET_USER, "not ET_EXEC or ET_DYN"));
	img_ehdr(&img)->e_type = ELF_ET_CORE;
	CHECK_OK(expect(&img, ELF_TARGET_USER, "not ET_EXEC or ET_DYN"));
	return NULL;
}

/* ---- program header table ---- */

UNIT_TEST(bad_phentsize)
{
	struct elf_image img;

	img_kernel(&img);
	img_ehdr(&img)->e_phentsize = sizeof(struct elf64_phdr) - 1;
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "bad e_phentsize"));
	img_ehdr(&img)->e_phentsize = 0;
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "bad e_phentsize"));
	return NULL;
}

UNIT_TEST(too_many_phdrs)
{
	struct elf_image img;

	img_kernel(&img);
	img_ehdr(&img)->e_phnum = ELF_CHECK_MAX_PHNUM + 1;
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "too many program headers"));
	img_ehdr(&img)->e_phnum = ELF_PN_XNUM;
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "too many program headers"));
	return NULL;
}

UNIT_TEST(misaligned_phoff)
{
	struct elf_image img;

	img_kernel(&img);
	img_ehdr(&img)->e_phoff = IMG_PHOFF + 4;
	return expect(&img, ELF_TARGET_KERNEL, "misaligned program headers");
}

UNIT_TEST(phdrs_outside_file)
{
	struct elf_image img;

	img_kernel(&img);
	img_ehdr(&img)->e_phoff = IMG_SIZE - 8; /* table starts inside, runs past */
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "program headers outside the file"));
	img_ehdr(&img)->e_phoff = 0xffffffffffffffc0ULL; /* phoff + size wraps */
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "program headers outside the file"));
	img_kernel(&img);
	img.size = IMG_PHOFF + 2 * sizeof(struct elf64_phdr); /* truncated file */
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "program headers outside the file"));
	return NULL;
}

UNIT_TEST(no_load_segment)
{
	struct elf_image img;

	img_kernel(&img);
	img_phdr(&img, PH_TEXT)->p_type = ELF_PT_NOTE;
	img_phdr(&img, PH_DATA)->p_type = ELF_PT_NULL;
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "no PT_LOAD segment"));
	img_kernel(&img);
	img_ehdr(&img)->e_phnum = 0;
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "no PT_LOAD segment"));
	return NULL;
}

/* ---- PT_LOAD segments ---- */

UNIT_TEST(filesz_gt_memsz)
{
	struct elf_image img;

	img_kernel(&img);
	img_phdr(&img, PH_DATA)->p_memsz = IMG_DATA_FSZ - 1;
	return expect(&img, ELF_TARGET_KERNEL, "segment filesz > memsz");
}

UNIT_TEST(segment_overflows)
{
	struct elf_image img;
	struct elf64_phdr *d;

	img_kernel(&img);
	d = img_phdr(&img, PH_DATA);
	d->p_vaddr = 0xfffffffffffff000ULL;
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "segment overflows the address space"));
	d->p_vaddr = 0xffffffffffffe000ULL + 1; /* end would round up past 2^64 */
	d->p_offset = IMG_DATA_OFF + 1;
	d->p_memsz = 0x1000;
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "segment overflows the address space"));
	img_user_exec(&img);
	d = img_phdr(&img, PH_DATA);
	d->p_memsz = UINT64_MAX;
	CHECK_OK(expect(&img, ELF_TARGET_USER, "segment overflows the address space"));
	return NULL;
}

UNIT_TEST(segment_outside_file)
{
	struct elf_image img;
	struct elf64_phdr *d;

	img_kernel(&img);
	d = img_phdr(&img, PH_DATA);
	d->p_filesz = IMG_SIZE - IMG_DATA_OFF + 1; /* one byte too many */
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "segment outside the file"));
	d->p_filesz = IMG_SIZE - IMG_DATA_OFF; /* exactly to the end: fine */
	CHECK_OK(run_check(&img, ELF_TARGET_KERNEL, NULL));
	d->p_offset = 0xfffffffffffff000ULL; /* offset + filesz wraps */
	d->p_vaddr = KIMG_BASE + 0x1000;
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "segment outside the file"));
	return NULL;
}

UNIT_TEST(bad_segment_alignment)
{
	struct elf_image img;

	struct elf_info info;
	const char *why;

	img_user_exec(&img);
	img_phdr(&img, PH_DATA)->p_offset = IMG_DATA_OFF + 8;
	CHECK_OK(expect(&img, ELF_TARGET_USER, "bad segment alignment"));
	/* found after Linux's point of no return: SIGSEGV, not ENOEXEC */
	CHECK_EQ(elf_check(img.buf, img.size, ELF_TARGET_USER, &info, &why), ELF_CHECK_BAD_SEGMENT);
	CHECK_EQ(elf_check(img.buf, img.size, ELF_TARGET_KERNEL, &info, &why), ELF_CHECK_BAD);
	img_phdr(&img, PH_DATA)->p_filesz = 0; /* anonymous: the offset does not matter */
	CHECK_OK(run_check(&img, ELF_TARGET_USER, NULL));
	return NULL;
}

UNIT_TEST(kernel_segment_in_lower_half)
{
	struct elf_image img;

	img_kernel(&img);
	img_phdr(&img, PH_DATA)->p_vaddr = 0x1000;
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "segment not in the upper half"));
	img_phdr(&img, PH_DATA)->p_vaddr = ELF_CHECK_KERNEL_MIN - 0x1000;
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "segment not in the upper half"));
	return NULL;
}

UNIT_TEST(user_segment_in_kernel_space)
{
	struct elf_image img;
	struct elf64_phdr *d;

	img_user_exec(&img);
	d = img_phdr(&img, PH_DATA);
	d->p_vaddr = ELF_CHECK_USER_LIMIT - 0x1000; /* straddles the limit */
	CHECK_OK(expect(&img, ELF_TARGET_USER, "segment above user space"));
	d->p_vaddr = KIMG_BASE;
	CHECK_OK(expect(&img, ELF_TARGET_USER, "segment above user space"));
	img_user_dyn(&img);
	img_phdr(&img, PH_DATA)->p_vaddr = ELF_CHECK_USER_LIMIT;
	CHECK_OK(expect(&img, ELF_TARGET_USER, "segment above user space"));
	return NULL;
}

/* Linux loads writable and executable segments (gVisor's exec tests
 * need them); W^X is the program's choice, not exec's. */
UNIT_TEST(user_wx_accepted)
{
	struct elf_image img;

	img_user_exec(&img);
	img_phdr(&img, PH_DATA)->p_flags |= ELF_PF_X;
	CHECK_OK(run_check(&img, ELF_TARGET_USER, NULL));
	img_user_dyn(&img);
	img_phdr(&img, PH_TEXT)->p_flags |= ELF_PF_W;
	CHECK_OK(run_check(&img, ELF_TARGET_USER, NULL));
	return NULL;
}

UNIT_TEST(segments_overlap)
{
	struct elf_image img;
	struct elf64_phdr *d;

	img_kernel(&img);
	d = img_phdr(&img, PH_DATA);
	d->p_vaddr = KIMG_BASE + 0x80; /* partial overlap, congruent offset */
	d->p_offset = 0x80;
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "segments overlap"));
	d->p_vaddr = KIMG_BASE - 0x1000; /* data covers all of text */
	d->p_offset = IMG_DATA_OFF;
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "segments overlap"));
	img_kernel(&img);
	*img_phdr(&img, PH_DATA) = *img_phdr(&img, PH_TEXT); /* identical */
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "segments overlap"));
	return NULL;
}

UNIT_TEST(entry_not_executable)
{
	struct elf_image img;
	struct elf64_ehdr *eh;

	img_kernel(&img);
	eh = img_ehdr(&img);
	eh->e_entry = KIMG_BASE + 0x1000; /* in data */
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "entry not in an executable segment"));
	eh->e_entry = KIMG_BASE + IMG_TEXT_SZ; /* one past text */
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "entry not in an executable segment"));
	eh->e_entry = KIMG_BASE - 1;
	CHECK_OK(expect(&img, ELF_TARGET_KERNEL, "entry not in an executable segment"));
	eh->e_entry = KIMG_BASE + IMG_TEXT_SZ - 1; /* last text byte: fine */
	CHECK_OK(run_check(&img, ELF_TARGET_KERNEL, NULL));
	return NULL;
}

/* ---- PT_INTERP ---- */

UNIT_TEST(interp_in_kernel)
{
	struct elf_image img;

	img_kernel(&img);
	img_set_phdr(&img, PH_STACK, ELF_PT_INTERP, ELF_PF_R, IMG_INTERP_OFF, 0, 4, 4);
	memcpy(img.buf + IMG_INTERP_OFF, "/ld", 4);
	return expect(&img, ELF_TARGET_KERNEL, "PT_INTERP in a kernel");
}

UNIT_TEST(interp_bad)
{
	struct elf_image img;
	struct elf64_phdr *ip;

	img_user_dyn(&img);
	ip = img_phdr(&img, PH_INTERP);
	ip->p_offset = IMG_SIZE - 2; /* runs off the end */
	CHECK_OK(expect(&img, ELF_TARGET_USER, "bad PT_INTERP"));

	img_user_dyn(&img);
	img_phdr(&img, PH_INTERP)->p_filesz = strlen(IMG_INTERP); /* no NUL */
	CHECK_OK(expect(&img, ELF_TARGET_USER, "bad PT_INTERP"));

	img_user_dyn(&img);
	img_phdr(&img, PH_INTERP)->p_filesz = 1; /* Linux wants 2 bytes at least */
	CHECK_OK(expect(&img, ELF_TARGET_USER, "bad PT_INTERP"));

	img_user_dyn(&img);
	img_phdr(&img, PH_INTERP)->p_filesz = 0;
	CHECK_OK(expect(&img, ELF_TARGET_USER, "bad PT_INTERP"));

	return NULL;
}

/* Linux's reading of PT_INTERP: the first one counts, the path ends at
 * its first NUL and may be empty (the segment's last byte must be NUL). */
UNIT_TEST(interp_linux_rules)
{
	struct elf_image img;
	struct elf_info info;

	img_user_dyn(&img);
	img.buf[IMG_INTERP_OFF] = '\0'; /* empty path: loads, EACCES at exec */
	CHECK_OK(run_check(&img, ELF_TARGET_USER, &info));
	CHECK(info.has_interp);
	CHECK_EQ(info.interp_len, 0);

	img_user_dyn(&img);
	img.buf[IMG_INTERP_OFF + 4] = '\0'; /* "/lib" then garbage then the NUL */
	CHECK_OK(run_check(&img, ELF_TARGET_USER, &info));
	CHECK_EQ(info.interp_len, 4);

	img_user_dyn(&img);
	*img_phdr(&img, PH_SELF) = *img_phdr(&img, PH_INTERP); /* two of them */
	img_phdr(&img, PH_SELF)->p_filesz = 0; /* the second is bad, and ignored */
	CHECK_OK(run_check(&img, ELF_TARGET_USER, &info));
	CHECK_EQ(info.interp_len, strlen(IMG_INTERP));
	return NULL;
}

UNIT_TEST(interp_length_limit)
{
	struct elf_image img;
	struct elf_info info;
	struct elf64_phdr *ip;

	img_user_dyn(&img);
	ip = img_phdr(&img, PH_INTERP);
	memset(img.buf + IMG_INTERP_OFF, 'a', ELF_CHECK_MAX_INTERP);
	img.buf[IMG_INTERP_OFF + ELF_CHECK_MAX_INTERP] = '\0';
	ip->p_filesz = ip->p_memsz = ELF_CHECK_MAX_INTERP + 1;
	CHECK_OK(run_check(&img, ELF_TARGET_USER, &info)); /* PATH_MAX with the NUL: fine */
	CHECK_EQ(info.interp_len, ELF_CHECK_MAX_INTERP);

	img.buf[IMG_INTERP_OFF + ELF_CHECK_MAX_INTERP] = 'a';
	img.buf[IMG_INTERP_OFF + ELF_CHECK_MAX_INTERP + 1] = '\0';
	ip->p_filesz = ip->p_memsz = ELF_CHECK_MAX_INTERP + 2;
	CHECK_OK(expect(&img, ELF_TARGET_USER, "bad PT_INTERP")); /* one more: too long */
	return NULL;
}

/* ---- robustness ---- */

UNIT_TEST(every_truncation_rejected)
{
	struct elf_image img;

	img_kernel(&img);
	/* the data segment's file bytes end at IMG_DATA_OFF + IMG_DATA_FSZ */
	for (uint64_t size = 0; size < IMG_DATA_OFF + IMG_DATA_FSZ; size++)
		CHECK(run_check_at(img.buf, size, ELF_TARGET_KERNEL, NULL, 0) != NULL);
	CHECK(run_check_at(img.buf, IMG_DATA_OFF + IMG_DATA_FSZ, ELF_TARGET_KERNEL, NULL, 0) == NULL);
	return NULL;
}

/* A user program's segments may run past the end of the file (Linux
 * maps what is there); its headers and PT_INTERP may not. */
UNIT_TEST(user_truncation)
{
	struct elf_image img;
	uint64_t headers_end = IMG_INTERP_OFF + sizeof(IMG_INTERP);

	img_user_dyn(&img);
	for (uint64_t size = 0; size < headers_end; size++)
		CHECK(run_check_at(img.buf, size, ELF_TARGET_USER, NULL, 0) != NULL);
	CHECK(run_check_at(img.buf, headers_end, ELF_TARGET_USER, NULL, 0) == NULL);
	return NULL;
}

/* Read a whole host file into a heap buffer; NULL on error. */
static uint8_t *read_host_file(const char *path, uint64_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = f ? malloc(HOST_FILE_MAX) : NULL;

	if (!buf) {
		if (f)
			fclose(f);
		return NULL;
	}
	*size = fread(buf, 1, HOST_FILE_MAX, f);
	fclose(f);
	return buf;
}

UNIT_TEST(host_bin_true)
{
	uint64_t size;
	uint8_t *buf = read_host_file(HOST_TRUE, &size);
	struct elf_info info;
	const char *why;

	if (!buf)
		return "cannot read " HOST_TRUE;
	why = run_check_at(buf, size, ELF_TARGET_USER, &info, 0);
	if (!why && (info.type != ELF_ET_DYN || info.interp_len == 0))
		why = HOST_TRUE " is not a PIE with PT_INTERP";
	if (!why && strncmp((const char *)buf + info.interp_off, "/lib", 4) != 0)
		why = HOST_TRUE " PT_INTERP does not start with /lib";
	if (!why) {
		const char *k = run_check_at(buf, size, ELF_TARGET_KERNEL, NULL, 0);

		if (!k || strcmp(k, "not ET_EXEC") != 0)
			why = HOST_TRUE " as a kernel: expected \"not ET_EXEC\"";
	}
	free(buf);
	return why;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(kernel_valid),
	UNIT_ENTRY(user_exec_valid),
	UNIT_ENTRY(user_dyn_valid),
	UNIT_ENTRY(unaligned_file_buffer),
	UNIT_ENTRY(exec_stack_reported),
	UNIT_ENTRY(phdr_accessors),
	UNIT_ENTRY(kernel_wx_allowed),
	UNIT_ENTRY(adjacent_and_empty_segments_ok),
	UNIT_ENTRY(address_space_boundaries_ok),
	UNIT_ENTRY(too_small),
	UNIT_ENTRY(bad_magic),
	UNIT_ENTRY(not_64bit),
	UNIT_ENTRY(not_little_endian),
	UNIT_ENTRY(bad_version),
	UNIT_ENTRY(not_x86_64),
	UNIT_ENTRY(kernel_must_be_exec),
	UNIT_ENTRY(user_must_be_exec_or_dyn),
	UNIT_ENTRY(bad_phentsize),
	UNIT_ENTRY(too_many_phdrs),
	UNIT_ENTRY(misaligned_phoff),
	UNIT_ENTRY(phdrs_outside_file),
	UNIT_ENTRY(no_load_segment),
	UNIT_ENTRY(filesz_gt_memsz),
	UNIT_ENTRY(segment_overflows),
	UNIT_ENTRY(segment_outside_file),
	UNIT_ENTRY(bad_segment_alignment),
	UNIT_ENTRY(kernel_segment_in_lower_half),
	UNIT_ENTRY(user_segment_in_kernel_space),
	UNIT_ENTRY(user_wx_accepted),
	UNIT_ENTRY(segments_overlap),
	UNIT_ENTRY(entry_not_executable),
	UNIT_ENTRY(interp_in_kernel),
	UNIT_ENTRY(interp_bad),
	UNIT_ENTRY(interp_length_limit),
	UNIT_ENTRY(interp_linux_rules),
	UNIT_ENTRY(every_truncation_rejected),
	UNIT_ENTRY(user_truncation),
	UNIT_ENTRY(host_bin_true),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
