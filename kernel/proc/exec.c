// SPDX-License-Identifier: MIT
/*
 * Kestrel: exec. A straight line of checks, each failure ending in
 * `goto fail`, which frees the half-built address space: validate the
 * ELF (shared/elf_check.c), map its PT_LOAD segments (file bytes copied
 * into fresh pages; bss past the file is demand-zero), load PT_INTERP's
 * program the same way at its own base, then build the System V initial
 * stack. Nothing the caller owns changes until it all worked.
 */
#include "proc/exec.h"
#include "elf_check.h"
#include "fs/vfs.h"
#include "mm/vmalloc.h"
#include "mm/layout.h"
#include "mm/uvm.h"
#include "mm/heap.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/features.h"
#include "arch/x86_64/paging.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "log.h"
#include "uapi/auxv.h"
#include "uapi/time.h"
#include "uapi/limits.h"

#define AUXV_PAIRS  20

#define ARG_MAX_BYTES  (128 * 1024)
#define ARG_MAX_COUNT  1024
#define STACK_INITIAL  (128 * 1024)

struct loaded {
	uint64_t base;       /* load bias: 0 for ET_EXEC */
	uint64_t entry;      /* biased */
	uint64_t phdr;       /* user address of the program headers */
	uint16_t phnum;
	uint64_t end;        /* highest mapped address */
	bool exec_stack;
};

_Static_assert(ELF_CHECK_USER_LIMIT == USER_VA_END, "the ELF checks and mm/layout.h agree on user space");

static unsigned seg_prot(const struct elf64_phdr *ph)
{
	return (ph->p_flags & ELF_PF_R ? VM_READ : 0) | (ph->p_flags & ELF_PF_W ? VM_WRITE : 0) |
	       (ph->p_flags & ELF_PF_X ? VM_EXEC : 0);
}

/* Two segments sharing a page must agree on W^X for that page. */
static int add_segment_vma(struct vm_space *vs, uint64_t start, uint64_t end, unsigned prot)
{
	struct vma *v = uvm_find_vma(vs, start);

	if (v && v->start == start && v->end == start + PAGE_SIZE) {
		unsigned both = v->prot | prot;
		if ((both & VM_WRITE) && (both & VM_EXEC))
			return -ENOEXEC;
		v->prot = both;
		start += PAGE_SIZE;
	}
	return start < end ? uvm_add_vma(vs, start, end, prot, 0) : 0;
}

/* Map one PT_LOAD at bias. A file that stays in memory (the boot
 * archive's bytes) is demand-loaded: each page is copied on first touch,
 * so a large program starts without copying what it never uses. A copy
 * (a file changed since boot) is written in now, since it is freed after
 * exec. A first page shared with the previous segment is always written
 * now: that page belongs to the other segment's region. */
static int map_segment(struct vm_space *vs, const uint8_t *file, const struct elf64_phdr *ph,
		       uint64_t bias, bool stable)
{
	uint64_t va = ph->p_vaddr + bias, end = va + ph->p_filesz;
	uint64_t first = page_round_down(va);
	bool shared_first = uvm_find_vma(vs, first) != NULL;
	int err = add_segment_vma(vs, first, page_round_up(va + ph->p_memsz), seg_prot(ph));

	if (err)
		return err;
	if (!stable)
		return uvm_write(vs, va, file + ph->p_offset, ph->p_filesz);
	uint64_t own = shared_first ? first + PAGE_SIZE : first; /* this segment's region */
	if (shared_first) {
		uint64_t head_end = end < own ? end : own;
		if (head_end > va && (err = uvm_write(vs, va, file + ph->p_offset, head_end - va)))
			return err;
	}
	if (own < page_round_up(va + ph->p_memsz) && end > own)
		return uvm_set_backing(vs, own, file + ph->p_offset + (own > va ? own - va : 0),
				       own > va ? own : va, end - (own > va ? own : va));
	return 0;
}

/* Where the program headers live in the user's view (AT_PHDR). */
static uint64_t phdr_address(const void *file, const struct elf_info *ei, uint64_t bias)
{
	for (unsigned i = 0; i < ei->phnum; i++) {
		const struct elf64_phdr *ph = elf_phdr(file, ei, i);
		if (ph->p_type == ELF_PT_PHDR)
			return ph->p_vaddr + bias;
	}
	for (unsigned i = 0; i < ei->phnum; i++) {
		const struct elf64_phdr *ph = elf_phdr(file, ei, i);
		if (ph->p_type == ELF_PT_LOAD && ph->p_offset <= ei->phoff &&
		    ei->phoff < ph->p_offset + ph->p_filesz)
			return ph->p_vaddr + (ei->phoff - ph->p_offset) + bias;
	}
	return 0;
}

/* Validate and map one ELF file (the program or its interpreter). */
static int load_elf(struct vm_space *vs, const char *path, const void *file, size_t size,
		    uint64_t dyn_base, struct loaded *out, struct elf_info *ei, bool stable)
{
	const char *why;

	if (elf_check(file, size, ELF_TARGET_USER, ei, &why) != 0) {
		klog(LOG_WARN, "exec: %s: %s\n", path, why);
		return -ENOEXEC;
	}
	out->base = ei->type == ELF_ET_DYN ? dyn_base - ei->lo : 0;
	for (unsigned i = 0; i < ei->phnum; i++) {
		const struct elf64_phdr *ph = elf_phdr(file, ei, i);
		if (ph->p_type != ELF_PT_LOAD)
			continue;
		int err = map_segment(vs, file, ph, out->base, stable);
		if (err) {
			klog(LOG_WARN, "exec: %s: %s\n", path,
			     err == -ENOEXEC ? "a page is both writable and executable" :
			     "cannot map a segment");
			return err;
		}
	}
	out->entry = ei->entry + out->base;
	out->phdr = phdr_address(file, ei, out->base);
	out->phnum = ei->phnum;
	out->end = ei->hi + out->base;
	out->exec_stack = ei->exec_stack;
	return 0;
}

/* The interpreter named by PT_INTERP, loaded at USER_INTERP_BASE. */
static int load_interp(struct vm_space *vs, const void *file, const struct elf_info *ei,
		       struct loaded *interp)
{
	char name[256];
	const void *idata;
	bool owned;
	size_t isize;
	struct elf_info iei;

	memcpy(name, (const char *)file + ei->interp_off, ei->interp_len);
	name[ei->interp_len] = '\0';
	int err = vfs_exec_data(name, &idata, &isize, NULL, &owned);
	if (err) {
		klog(LOG_WARN, "exec: interpreter %s: cannot read it (error %d)\n", name, err);
		return err;
	}
	err = load_elf(vs, name, idata, isize, USER_INTERP_BASE, interp, &iei, !owned);
	if (owned)
		vfree((void *)idata);
	if (!err && iei.interp_len) {
		klog(LOG_WARN, "exec: interpreter %s has an interpreter itself\n", name);
		return -ENOEXEC;
	}
	return err;
}

/* Count a NULL-terminated vector and the bytes of its strings. */
static int vec_size(const char *const v[], size_t *count, size_t *bytes)
{
	*count = 0;
	for (; v && v[*count]; (*count)++) {
		*bytes += strlen(v[*count]) + 1;
		if (*count >= ARG_MAX_COUNT || *bytes > ARG_MAX_BYTES)
			return -E2BIG;
	}
	return 0;
}

/* Copy strings to the top of the stack (growing down from *top), storing
 * their user addresses in ptrs. */
static int push_strings(struct vm_space *vs, uint64_t *top, const char *const v[], size_t n,
			uint64_t *ptrs)
{
	for (size_t i = n; i-- > 0;) {
		size_t len = strlen(v[i]) + 1;
		*top -= len;
		if (uvm_write(vs, *top, v[i], len))
			return -ENOMEM;
		ptrs[i] = *top;
	}
	return 0;
}

static void random_bytes(uint8_t out[16])
{
	uint64_t a = rdtsc(), b = rdtsc() * 0x9e3779b97f4a7c15ull;
	a ^= a >> 29;
	a *= 0xbf58476d1ce4e5b9ull;
	memcpy(out, &a, 8);
	memcpy(out + 8, &b, 8);
}

static int fill_stack(struct vm_space *vs, const char *path, const char *const argv[], size_t argc,
		      const char *const envp[], size_t envc, const struct loaded *prog,
		      const struct loaded *interp, uint64_t *ptrs, uint64_t top, uint64_t *sp_out);

/* The initial stack, top down: strings, 16 random bytes, then (16-byte
 * aligned) argc, argv[], NULL, envp[], NULL, auxv pairs, AT_NULL. */
static int build_stack(struct vm_space *vs, const char *path, const char *const argv[],
		       const char *const envp[], const struct loaded *prog,
		       const struct loaded *interp, uint64_t *sp_out)
{
	size_t argc, envc, bytes = strlen(path) + 1 + 16 + 16;
	uint64_t top = USER_STACK_TOP;

	if (vec_size(argv, &argc, &bytes) || vec_size(envp, &envc, &bytes))
		return -E2BIG;
	if (uvm_add_vma(vs, USER_STACK_TOP - STACK_INITIAL, USER_STACK_TOP,
			VM_READ | VM_WRITE | (prog->exec_stack ? VM_EXEC : 0), VMA_GROWSDOWN))
		return -ENOMEM;
	uint64_t *ptrs = kmalloc((argc + envc + 2) * sizeof(uint64_t));
	if (!ptrs)
		return -ENOMEM;
	int err = fill_stack(vs, path, argv, argc, envp, envc, prog, interp, ptrs, top, sp_out);
	kfree(ptrs);
	return err;
}

/* build_stack's second half, with the pointer array allocated. */
static int fill_stack(struct vm_space *vs, const char *path, const char *const argv[], size_t argc,
		      const char *const envp[], size_t envc, const struct loaded *prog,
		      const struct loaded *interp, uint64_t *ptrs, uint64_t top, uint64_t *sp_out)
{
	uint8_t rnd[16];

	const char *const fn[] = { path };
	uint64_t execfn, random_at;
	if (push_strings(vs, &top, fn, 1, &execfn) || push_strings(vs, &top, envp, envc, ptrs + argc + 1) ||
	    push_strings(vs, &top, argv, argc, ptrs))
		return -ENOMEM;
	static const char platform[] = "x86_64";
	top -= sizeof(platform);
	uint64_t platform_at = top;
	random_bytes(rnd);
	top = (top - 16) & ~15ull;
	random_at = top;
	if (uvm_write(vs, platform_at, platform, sizeof(platform)) || uvm_write(vs, random_at, rnd, 16))
		return -ENOMEM;

	uint64_t auxv[2 * AUXV_PAIRS], *a = auxv;
	uint64_t pairs[][2] = {
		{ AT_PHDR, prog->phdr }, { AT_PHENT, sizeof(struct elf64_phdr) },
		{ AT_PHNUM, prog->phnum }, { AT_PAGESZ, PAGE_SIZE }, { AT_BASE, interp ? interp->base : 0 },
		{ AT_FLAGS, 0 }, { AT_ENTRY, prog->entry }, { AT_UID, 0 }, { AT_EUID, 0 }, { AT_GID, 0 },
		{ AT_EGID, 0 }, { AT_SECURE, 0 }, { AT_RANDOM, random_at }, { AT_HWCAP, cpu_hwcap() },
		{ AT_CLKTCK, USER_HZ }, { AT_EXECFN, execfn }, { AT_PLATFORM, platform_at },
		{ AT_NULL, 0 },
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		*a++ = pairs[i][0];
		*a++ = pairs[i][1];
	}
	ptrs[argc] = 0;
	ptrs[argc + 1 + envc] = 0;
	size_t words = 1 + (argc + 1) + (envc + 1) + (size_t)(a - auxv);
	uint64_t sp = (top - words * 8) & ~15ull;
	uint64_t argc64 = argc;
	if (uvm_write(vs, sp, &argc64, 8) || uvm_write(vs, sp + 8, ptrs, (argc + envc + 2) * 8) ||
	    uvm_write(vs, sp + 8 + (argc + envc + 2) * 8, auxv, (size_t)(a - auxv) * 8))
		return -ENOMEM;
	*sp_out = sp;
	return 0;
}

#define SCRIPT_LINE_MAX 256
#define SCRIPT_DEPTH_MAX 4

static int exec_depth(const char *path, const char *const argv[], const char *const envp[],
		      struct exec_image *out, int depth);

/* Drop what vfs_exec_data gave: a copy is freed, the archive's bytes are not. */
static void release(const void *file, bool owned)
{
	if (owned)
		vfree((void *)file);
}

/* A "#!interpreter [arg]" script: run the interpreter with argv
 * [interpreter, arg?, path, argv[1]...], as Linux does. */
static int exec_script(const char *path, const char *head, size_t size, const char *const argv[],
		       const char *const envp[], struct exec_image *out, int depth)
{
	char line[SCRIPT_LINE_MAX];
	size_t n = 0, count = 0;
	int argc = 0;

	if (depth >= SCRIPT_DEPTH_MAX)
		return -ELOOP;
	while (argv && argv[count])
		count++;
	const char **nargv = kmalloc((count + 3) * sizeof(char *));
	if (!nargv)
		return -ENOMEM;
	for (size_t i = 2; i < size && head[i] != '\n' && n < sizeof(line) - 1; i++)
		line[n++] = head[i];
	line[n] = '\0';
	char *s = line;
	while (*s == ' ' || *s == '\t')
		s++;
	char *interp = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	char *arg = NULL;
	if (*s) {
		*s++ = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		size_t len = strlen(s);
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
			s[--len] = '\0';
		if (*s)
			arg = s;
	}
	if (!*interp) {
		kfree(nargv);
		return -ENOEXEC;
	}
	nargv[argc++] = interp;
	if (arg)
		nargv[argc++] = arg;
	nargv[argc++] = path;
	for (size_t i = 1; i < count; i++)
		nargv[argc++] = argv[i];
	nargv[argc] = NULL;
	int err = exec_depth(interp, nargv, envp, out, depth + 1);
	kfree(nargv);
	return err;
}

int exec_load(const char *path, const char *const argv[], const char *const envp[],
	      struct exec_image *out)
{
	out->exe_path = NULL;
	out->execfn = path;
	int err = exec_depth(path, argv, envp, out, 0);
	if (err) {
		kfree(out->exe_path);
		out->exe_path = NULL;
	}
	return err;
}

static int exec_depth(const char *path, const char *const argv[], const char *const envp[],
		      struct exec_image *out, int depth)
{
	const void *file;
	bool owned;
	size_t size;
	struct elf_info ei;
	struct loaded prog, interp;
	bool has_interp = false;
	char *abs = kmalloc(PATH_MAX);
	if (!abs)
		return -ENOMEM;
	int err = vfs_exec_data(path, &file, &size, abs, &owned);

	if (err) {
		kfree(abs);
		return err;
	}
	kfree(out->exe_path); /* a script's interpreter replaces the script */
	out->exe_path = abs;
	if (size >= 2 && ((const char *)file)[0] == '#' && ((const char *)file)[1] == '!') {
		err = exec_script(path, file, size, argv, envp, out, depth);
		release(file, owned);
		return err;
	}
	struct vm_space *vs = uvm_create();
	if (!vs) {
		release(file, owned);
		return -ENOMEM;
	}
	err = load_elf(vs, path, file, size, USER_PIE_BASE, &prog, &ei, !owned);
	if (err)
		goto fail;
	if (ei.interp_len) {
		err = load_interp(vs, file, &ei, &interp);
		if (err)
			goto fail;
		has_interp = true;
	}
	err = build_stack(vs, out->execfn, argv, envp, &prog, has_interp ? &interp : NULL, &out->sp);
	if (err)
		goto fail;
	vs->brk_start = vs->brk = page_round_up(prog.end);
	out->vm = vs;
	out->entry = has_interp ? interp.entry : prog.entry;
	release(file, owned);
	return 0;
fail:
	uvm_destroy(vs);
	release(file, owned);
	return err;
}
