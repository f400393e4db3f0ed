/* SPDX-License-Identifier: MIT */
/*
 * ELF64 image validation shared by the loader (kernel image) and the
 * kernel (exec): every check has its own message, nothing is trusted.
 */
#include "elf_check.h"

#include <stddef.h>

#define PHDR_ALIGN 8 /* alignment of e_phoff we insist on (elf_phdr relies on it) */

/* Highest vaddr + memsz that still rounds up to a page without wrapping. */
#define VADDR_END_MAX (~(ELF_CHECK_PAGE_SIZE - 1))

/* Byte-wise copy: the file may be misaligned and we have no libc. */
static void copy_bytes(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}

static uint64_t page_down(uint64_t x)
{
	return x & ~(ELF_CHECK_PAGE_SIZE - 1);
}

static uint64_t page_up(uint64_t x)
{
	/* callers guarantee x <= VADDR_END_MAX, so this cannot wrap */
	return page_down(x + ELF_CHECK_PAGE_SIZE - 1);
}

/* True if [off, off + len) lies within a file of size bytes, no overflow. */
static bool in_file(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* Copy program header i of a table at phoff (already bounds-checked). */
static void read_phdr_at(const void *file, uint64_t phoff, unsigned i,
                         struct elf64_phdr *out)
{
	const uint8_t *p = (const uint8_t *)file + phoff +
	                   (uint64_t)i * sizeof(struct elf64_phdr);

	copy_bytes(out, p, sizeof(*out));
}

/* e_ident, e_version and e_machine: is this an x86_64 ELF64 LE file? */
static const char *check_ident(const struct elf64_ehdr *eh)
{
	const uint8_t *id = eh->e_ident;

	if (id[ELF_EI_MAG0] != ELF_MAG0 || id[ELF_EI_MAG1] != ELF_MAG1 ||
	    id[ELF_EI_MAG2] != ELF_MAG2 || id[ELF_EI_MAG3] != ELF_MAG3)
		return "not an ELF file (bad magic)";
	if (id[ELF_EI_CLASS] != ELF_CLASS64)
		return "not 64-bit";
	if (id[ELF_EI_DATA] != ELF_DATA2LSB)
		return "not little-endian";
	if (id[ELF_EI_VERSION] != ELF_EV_CURRENT || eh->e_version != ELF_EV_CURRENT)
		return "bad ELF version";
	if (eh->e_machine != ELF_EM_X86_64)
		return "not x86_64";
	return NULL;
}

/* e_type against what the target can load. */
static const char *check_type(const struct elf64_ehdr *eh, enum elf_target target)
{
	if (target == ELF_TARGET_KERNEL)
		return eh->e_type == ELF_ET_EXEC ? NULL : "not ET_EXEC";
	if (eh->e_type != ELF_ET_EXEC && eh->e_type != ELF_ET_DYN)
		return "not ET_EXEC or ET_DYN";
	return NULL;
}

/* The program header table: entry size, count, alignment, inside the file. */
static const char *check_phdr_table(const struct elf64_ehdr *eh, uint64_t size)
{
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return "bad e_phentsize";
	if (eh->e_phnum > ELF_CHECK_MAX_PHNUM)
		return "too many program headers";
	if (eh->e_phoff % PHDR_ALIGN != 0)
		return "misaligned program headers";
	/* phnum <= 64, so the product cannot overflow */
	if (!in_file(eh->e_phoff, (uint64_t)eh->e_phnum * eh->e_phentsize, size))
		return "program headers outside the file";
	return NULL;
}

/* The address-space half a PT_LOAD [vaddr, end) must lie in. */
static const char *check_load_range(uint64_t vaddr, uint64_t end,
                                    enum elf_target target)
{
	if (target == ELF_TARGET_KERNEL)
		return vaddr >= ELF_CHECK_KERNEL_MIN ? NULL : "segment not in the upper half";
	return end <= ELF_CHECK_USER_LIMIT ? NULL : "segment above user space";
}

/*
 * One PT_LOAD on its own: sizes, overflow, file range, alignment,
 * placement. A user segment's file range may run past the end of the
 * file (Linux maps what is there), and only a segment with file bytes
 * needs p_offset congruent to p_vaddr (the others are anonymous memory).
 */
static const char *check_load(const struct elf64_phdr *ph, uint64_t size,
                              enum elf_target target)
{
	bool user = target == ELF_TARGET_USER;

	if (ph->p_filesz > ph->p_memsz)
		return "segment filesz > memsz";
	if (ph->p_memsz > VADDR_END_MAX || ph->p_vaddr > VADDR_END_MAX - ph->p_memsz)
		return "segment overflows the address space";
	if (!user && !in_file(ph->p_offset, ph->p_filesz, size))
		return "segment outside the file";
	if ((!user || ph->p_filesz) &&
	    ph->p_offset % ELF_CHECK_PAGE_SIZE != ph->p_vaddr % ELF_CHECK_PAGE_SIZE)
		return "bad segment alignment";
	return check_load_range(ph->p_vaddr, ph->p_vaddr + ph->p_memsz, target);
}

/* Linux's bounds on PT_INTERP's p_filesz: a path and its NUL. */
#define INTERP_MIN_FILESZ 2
#define INTERP_MAX_FILESZ (ELF_CHECK_MAX_INTERP + 1)

/*
 * PT_INTERP (user only), as Linux's load_elf_binary reads it: only the
 * first one counts; 2..PATH_MAX bytes inside the file whose last byte is
 * a NUL; the path is what comes before the first NUL (it may be empty:
 * Linux then opens the working directory). Records the path in info.
 */
static const char *check_interp(const uint8_t *file, uint64_t size,
                                const struct elf64_phdr *ph, struct elf_info *info)
{
	if (info->has_interp)
		return NULL;
	if (ph->p_filesz < INTERP_MIN_FILESZ || ph->p_filesz > INTERP_MAX_FILESZ ||
	    !in_file(ph->p_offset, ph->p_filesz, size))
		return "bad PT_INTERP";
	const uint8_t *path = file + ph->p_offset;

	if (path[ph->p_filesz - 1] != '\0')
		return "bad PT_INTERP"; /* not terminated */
	uint64_t n = 0;
	while (path[n] != '\0')
		n++;
	info->has_interp = true;
	info->interp_off = ph->p_offset;
	info->interp_len = n;
	return NULL;
}

/* Fold one valid PT_LOAD into the running lo/hi/load_count. */
static void note_load(const struct elf64_phdr *ph, struct elf_info *info)
{
	uint64_t lo = page_down(ph->p_vaddr);
	uint64_t hi = page_up(ph->p_vaddr + ph->p_memsz);

	if (info->load_count == 0 || lo < info->lo)
		info->lo = lo;
	if (info->load_count == 0 || hi > info->hi)
		info->hi = hi;
	info->load_count++;
}

/*
 * Check each program header alone and collect the summary in info. A
 * user segment that cannot be mapped does not stop the scan (the headers
 * may still be bad, which comes first): the first one's reason goes to
 * *bad_segment.
 */
static const char *scan_phdrs(const void *file, uint64_t size, enum elf_target target,
                              struct elf_info *info, const char **bad_segment)
{
	struct elf64_phdr ph;
	const char *err = NULL, *seg;

	for (unsigned i = 0; i < info->phnum && !err; i++) {
		read_phdr_at(file, info->phoff, i, &ph);
		switch (ph.p_type) {
		case ELF_PT_LOAD:
			seg = check_load(&ph, size, target);
			if (!seg)
				note_load(&ph, info);
			else if (target == ELF_TARGET_KERNEL)
				err = seg;
			else if (!*bad_segment)
				*bad_segment = seg;
			break;
		case ELF_PT_INTERP:
			if (target == ELF_TARGET_KERNEL)
				err = "PT_INTERP in a kernel";
			else
				err = check_interp(file, size, &ph, info);
			break;
		case ELF_PT_GNU_STACK:
			info->exec_stack = (ph.p_flags & ELF_PF_X) != 0;
			break;
		default: /* PT_PHDR, PT_DYNAMIC, notes, ...: nothing to load */
			break;
		}
	}
	return err;
}

/* True if two PT_LOADs share a byte of [vaddr, vaddr + memsz). */
static bool loads_overlap(const struct elf64_phdr *a, const struct elf64_phdr *b)
{
	if (a->p_memsz == 0 || b->p_memsz == 0)
		return false;
	return a->p_vaddr < b->p_vaddr + b->p_memsz &&
	       b->p_vaddr < a->p_vaddr + a->p_memsz;
}

/* Pairwise overlap test of the PT_LOADs (n <= 64, so O(n^2) is fine). */
static const char *check_overlaps(const void *file, const struct elf_info *info)
{
	struct elf64_phdr a, b;

	for (unsigned i = 0; i < info->phnum; i++) {
		read_phdr_at(file, info->phoff, i, &a);
		if (a.p_type != ELF_PT_LOAD)
			continue;
		for (unsigned j = i + 1; j < info->phnum; j++) {
			read_phdr_at(file, info->phoff, j, &b);
			if (b.p_type == ELF_PT_LOAD && loads_overlap(&a, &b))
				return "segments overlap";
		}
	}
	return NULL;
}

/* The entry point must fall inside a PF_X PT_LOAD's [vaddr, vaddr + memsz). */
static const char *check_entry(const void *file, const struct elf_info *info)
{
	struct elf64_phdr ph;

	for (unsigned i = 0; i < info->phnum; i++) {
		read_phdr_at(file, info->phoff, i, &ph);
		if (ph.p_type == ELF_PT_LOAD && (ph.p_flags & ELF_PF_X) &&
		    info->entry >= ph.p_vaddr && info->entry - ph.p_vaddr < ph.p_memsz)
			return NULL;
	}
	return "entry not in an executable segment";
}

/* The ELF header checks, in order; on success seeds info from it. */
static const char *check_header(const void *file, uint64_t size,
                                enum elf_target target, struct elf_info *info)
{
	struct elf64_ehdr eh;
	const char *err;

	if (size < sizeof(eh))
		return "file too small for an ELF header";
	copy_bytes(&eh, file, sizeof(eh));
	if ((err = check_ident(&eh)) || (err = check_type(&eh, target)) ||
	    (err = check_phdr_table(&eh, size)))
		return err;
	info->type = eh.e_type;
	info->entry = eh.e_entry;
	info->phoff = eh.e_phoff;
	info->phnum = eh.e_phnum;
	return NULL;
}

/* Reset every field of info (a loop-free store, so no memset is emitted). */
static void info_clear(struct elf_info *info)
{
	info->type = 0;
	info->entry = 0;
	info->lo = info->hi = 0;
	info->load_count = 0;
	info->phoff = 0;
	info->phnum = 0;
	info->has_interp = false;
	info->interp_off = info->interp_len = 0;
	info->exec_stack = false;
}

int elf_check(const void *file, uint64_t size, enum elf_target target,
              struct elf_info *out, const char **why)
{
	const char *err, *bad_segment = NULL;

	info_clear(out);
	if ((err = check_header(file, size, target, out)) ||
	    (err = scan_phdrs(file, size, target, out, &bad_segment)))
		goto bad;
	if (bad_segment) {
		*why = bad_segment;
		return ELF_CHECK_BAD_SEGMENT;
	}
	if (out->load_count == 0 || out->lo >= out->hi) { /* none, or all empty */
		err = "no PT_LOAD segment";
		goto bad;
	}
	/* Linux lets a later user segment replace an earlier one, and a
	 * bad entry point is the program's own SIGSEGV. */
	if (target == ELF_TARGET_KERNEL &&
	    ((err = check_overlaps(file, out)) || (err = check_entry(file, out))))
		goto bad;
	return ELF_CHECK_OK;
bad:
	*why = err;
	return ELF_CHECK_BAD;
}

const struct elf64_phdr *elf_phdr(const void *file, const struct elf_info *info,
                                  unsigned i)
{
	if (i >= info->phnum)
		return NULL;
	return (const struct elf64_phdr *)((const uint8_t *)file + info->phoff) + i;
}

bool elf_read_phdr(const void *file, const struct elf_info *info, unsigned i,
                   struct elf64_phdr *out)
{
	if (i >= info->phnum)
		return false;
	read_phdr_at(file, info->phoff, i, out);
	return true;
}
