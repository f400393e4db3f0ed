// SPDX-License-Identifier: MIT
/*
 * Kestrel: exec, in Linux's order. Before the point of no return: read
 * the file (a #! script restarts with its interpreter), check its ELF
 * headers (shared/elf_check.c), read and check PT_INTERP's program;
 * any failure is execve's error. After it: map each PT_LOAD as Linux's
 * binfmt_elf does (the file's pages with the segment's protection, a
 * later segment replacing an earlier one; bss past them anonymous and
 * demand-zero), the interpreter the same way at its own base, then build
 * the System V initial stack. A segment that cannot be mapped then does
 * not fail execve: the process gets an empty space and SIGSEGV, as on
 * Linux. Nothing the caller owns changes until it all worked.
 *
 * Lock rule (issue 29): exec_load may run without the kernel lock (see
 * exec.h). The image is a space nobody else sees yet, built under its
 * own locks; what reaches shared state takes the kernel lock for that
 * step alone (call_lock): the file's walk, read and denial of writers
 * (vfs_exec_data) unless vfs_exec_data_nolock serves it (a program of
 * the boot archive: most execs), the credentials' look at the tracer
 * and the file system's sharing (exec_creds, in the same take as the
 * file's, or without the lock after vfs_exec_data_nolock), and the
 * destruction of a space that maps the
 * vDSO's memory objects (a removal from their lists of mappings, which
 * mm/uvm.c's rule puts under the kernel lock; vdso_map takes it for its
 * own undo). Under the lock already, these take nothing.
 */
#include "proc/exec.h"
#include "proc/call_lock.h"
#include "arch/x86_64/klock.h"
#include "elf_check.h"
#include "fs/vfs.h"
#include "fs/inode.h"
#include "proc/process.h"
#include "proc/vdso.h"
#include "mm/vmalloc.h"
#include "mm/layout.h"
#include "mm/uvm.h"
#include "mm/heap.h"
#include "mm/vmname.h"
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
_Static_assert(2 * AUXV_PAIRS == EXEC_AUXV_WORDS, "the process keeps the whole auxv");

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

/* One ELF file being loaded: its bytes, what elf_check said of it, and
 * the name its regions show in /proc/PID/maps. */
struct elf_file {
	const char *path;      /* as named, for log lines */
	const void *data;
	size_t size;
	bool owned;            /* a copy, freed after exec (else the boot archive's bytes) */
	int verdict;           /* elf_check's ELF_CHECK_* */
	struct elf_info ei;
	struct vm_name *name;  /* NULL when out of memory: the regions go unnamed */
	struct inode *file;    /* its file, writers denied while exec reads it (vfs_exec_data's held) */
};

/* A "#!" script, which exec runs through its interpreter? */
static bool is_script(const void *data, size_t size)
{
	const char *head = data;
	return size >= 2 && head[0] == '#' && head[1] == '!';
}

/*
 * The credentials after exec of the ELF file ip (exec runs the inode it
 * read, as Linux's bprm->file: a #! script's interpreter, so set-id bits
 * on scripts count for nothing, as on Linux) into out->cred and
 * out->secure. The kernel lock held (exec_data's), or for a file
 * vfs_exec_data_nolock found, not: that file is not set-id (its ids do
 * not count), a tracer that attaches meanwhile makes exec_load run
 * again under the lock (process.c's exec_load_lockless), and the fs's
 * sharing with another process read as none can only begin by this
 * thread, which is in exec.
 */
static void exec_creds(const struct inode *ip, struct exec_image *out)
{
	struct process *p = current_process();
	struct process *tracer = p ? p->ptrace.tracer : NULL;
	struct exec_file_ids f = {
		.mode = ip->mode, .uid = ip->uid, .gid = ip->gid,
		.no_new_privs = current_thread()->no_new_privs,
		.unsafe_ptrace = tracer && !cred_capable(process_cred(tracer), CAP_SYS_PTRACE),
		.unsafe_share = p && process_fs_shared(p),
	};
	cred_exec_prepare(current_cred(), &f, &out->cred, &out->secure);
}

/* vfs_exec_data into f, and for a file that is not a #! script, when
 * creds is not NULL, the credentials after its exec (exec_creds). A
 * caller without the kernel lock first tries vfs_exec_data_nolock (the
 * boot archive's programs); otherwise, or for another file, both are
 * done in one take of the lock (call_lock). */
static int exec_data(const char *path, struct elf_file *f, char *abs, struct exec_image *creds)
{
	int err = klock_held() ? WALK_LOCKED : vfs_exec_data_nolock(path, &f->data, &f->size, abs, &f->file);

	if (err != WALK_LOCKED) {
		f->owned = false;
		if (!err && creds && !is_script(f->data, f->size))
			exec_creds(f->file, creds);
		return err;
	}
	bool taken = call_lock();
	err = vfs_exec_data(path, &f->data, &f->size, abs, &f->owned, &f->file);
	if (!err && creds && !is_script(f->data, f->size))
		exec_creds(f->file, creds);
	call_unlock(taken);
	return err;
}

/* Drop space vs, under the kernel lock if it maps the vDSO's objects. */
static void image_destroy(struct vm_space *vs)
{
	bool taken = call_lock();
	uvm_destroy(vs);
	call_unlock(taken);
}

static unsigned seg_prot(const struct elf64_phdr *ph)
{
	return (ph->p_flags & ELF_PF_R ? VM_READ : 0) | (ph->p_flags & ELF_PF_W ? VM_WRITE : 0) |
	       (ph->p_flags & ELF_PF_X ? VM_EXEC : 0);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* A fresh region [start, end) replacing whatever was there (Linux maps
 * every segment MAP_FIXED: a later segment, or the interpreter, replaces
 * an earlier one). 0, or -ENOMEM / -EINVAL (outside user space). */
static int replace_region(struct vm_space *vs, uint64_t start, uint64_t end, unsigned prot)
{
	int err = uvm_unmap(vs, start, end);

	return err ? err : uvm_add_vma(vs, start, end, prot, 0);
}

/*
 * The file part of a PT_LOAD at va, as Linux's elf_map: the pages holding
 * [va, va + filesz) show the file from p_offset's page on, with the
 * segment's protection. Bytes past the end of the file read as zero; so
 * does the rest of the last page when the segment has bss and is
 * writable (Linux's padzero; a read-only one shows the file there). A
 * file that stays in memory (the boot archive's bytes) is demand-loaded,
 * page by page on first touch; a copy is written in now, since it is
 * freed after exec.
 */
static int map_file_part(struct vm_space *vs, const struct elf_file *f,
			 const struct elf64_phdr *ph, uint64_t va)
{
	uint64_t start = page_round_down(va), end = page_round_up(va + ph->p_filesz);
	uint64_t off = page_round_down(ph->p_offset);
	uint64_t len = off < f->size ? min_u64(end - start, f->size - off) : 0;
	int err;

	if (ph->p_memsz > ph->p_filesz && (ph->p_flags & ELF_PF_W))
		len = min_u64(len, va + ph->p_filesz - start);
	if ((err = replace_region(vs, start, end, seg_prot(ph))) ||
	    (f->name && (err = uvm_set_name(vs, start, f->name, off))))
		return err;
	if (!len)
		return 0;
	const uint8_t *src = (const uint8_t *)f->data + off;
	return f->owned ? uvm_write(vs, start, src, len) : uvm_set_backing(vs, start, src, start, len);
}

/* The bss past the file part's pages, as Linux's vm_brk_flags: anonymous
 * memory, readable and writable whatever the segment says, executable
 * only if it is. A segment without file bytes starts at vaddr's page. */
static int map_bss_part(struct vm_space *vs, const struct elf64_phdr *ph, uint64_t va)
{
	if (ph->p_memsz <= ph->p_filesz)
		return 0;
	uint64_t start = ph->p_filesz ? page_round_up(va + ph->p_filesz) : page_round_down(va);
	uint64_t end = page_round_up(va + ph->p_memsz);
	unsigned prot = VM_READ | VM_WRITE | (ph->p_flags & ELF_PF_X ? VM_EXEC : 0);

	return start < end ? replace_region(vs, start, end, prot) : 0;
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

/* Check the file read into f (f->data, size): 0, or bad_elf (-ENOEXEC;
 * -ELIBBAD for an interpreter) when its headers are bad. A segment that
 * cannot be mapped is not an error yet (f->verdict). abs: its absolute
 * path, the name of its regions. */
static int check_elf(struct elf_file *f, const char *abs, int bad_elf)
{
	const char *why;

	f->verdict = elf_check(f->data, f->size, ELF_TARGET_USER, &f->ei, &why);
	if (f->verdict != ELF_CHECK_OK)
		klog(LOG_WARN, "exec: %s: %s\n", f->path, why);
	if (f->verdict == ELF_CHECK_BAD)
		return bad_elf;
	f->name = vm_name_new(abs, 0, 0);
	return 0;
}

/* Read path for exec into f and check it: 0, vfs_exec_data's error
 * (-ENOENT, -EACCES...) or check_elf's. abs: PATH_MAX bytes for the
 * absolute path. Release f with close_elf whatever the result. */
static int open_elf(const char *path, struct elf_file *f, char *abs, int bad_elf)
{
	*f = (struct elf_file){ .path = path };
	int err = exec_data(path, f, abs, NULL);
	if (err) {
		f->data = NULL;
		return err;
	}
	return check_elf(f, abs, bad_elf);
}

/* Drop what open_elf (or vfs_exec_data) gave: a copy of the file is
 * freed, the boot archive's bytes are not; the name's reference and the
 * file's denial of writers too. */
static void close_elf(struct elf_file *f)
{
	if (f->data && f->owned)
		vfree((void *)f->data);
	vm_name_put(f->name);
	vfs_exec_release_nolock(f->file);
	f->data = NULL;
	f->name = NULL;
	f->file = NULL;
}

/* Map a checked ELF file (the program or its interpreter) at dyn_base
 * if it is ET_DYN. Past exec's point of no return: any error means the
 * new program is killed by SIGSEGV, as on Linux. */
static int map_elf(struct vm_space *vs, const struct elf_file *f, uint64_t dyn_base,
		   struct loaded *out)
{
	const struct elf_info *ei = &f->ei;

	if (f->verdict != ELF_CHECK_OK)
		return -EINVAL;
	out->base = ei->type == ELF_ET_DYN ? dyn_base - ei->lo : 0;
	for (unsigned i = 0; i < ei->phnum; i++) {
		const struct elf64_phdr *ph = elf_phdr(f->data, ei, i);
		if (ph->p_type != ELF_PT_LOAD)
			continue;
		uint64_t va = ph->p_vaddr + out->base;
		int err = ph->p_filesz ? map_file_part(vs, f, ph, va) : 0;
		if (err || (err = map_bss_part(vs, ph, va))) {
			klog(LOG_WARN, "exec: %s: cannot map a segment at %#lx (error %d)\n", f->path,
			     (unsigned long)va, err);
			return err;
		}
	}
	out->entry = ei->entry + out->base;
	out->phdr = phdr_address(f->data, ei, out->base);
	out->phnum = ei->phnum;
	out->end = ei->hi + out->base;
	out->exec_stack = ei->exec_stack;
	return out->entry < USER_VA_END ? 0 : -EINVAL;
}

/* The interpreter named by the program's PT_INTERP, opened and checked
 * (before the point of no return, as Linux: a missing one is execve's
 * error, one shorter than an ELF header EIO, one that is not an ELF file
 * for this machine ELIBBAD). An empty
 * path names the working directory, as Linux's open_exec takes it: EACCES. */
static int open_interp(const struct elf_file *prog, struct elf_file *interp, char *abs)
{
	char *name = kmalloc(prog->ei.interp_len + 2);

	*interp = (struct elf_file){ 0 };
	if (!name)
		return -ENOMEM;
	memcpy(name, (const char *)prog->data + prog->ei.interp_off, prog->ei.interp_len);
	name[prog->ei.interp_len] = '\0';
	if (!*name)
		strlcpy(name, ".", 2);
	int err = open_elf(name, interp, abs, -ELIBBAD);
	if (err == -ELIBBAD && interp->size < sizeof(struct elf64_ehdr))
		err = -EIO; /* Linux's elf_read of the interpreter's header comes up short */
	if (err)
		klog(LOG_WARN, "exec: interpreter %s: cannot load it (error %d)\n", name, err);
	interp->path = interp->name ? interp->name->path : "the interpreter"; /* name goes */
	kfree(name);
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
		      const struct loaded *interp, uint64_t *ptrs, uint64_t top,
		      struct exec_image *img, uint64_t *sp_out);

/* The initial stack, top down: strings, 16 random bytes, then (16-byte
 * aligned) argc, argv[], NULL, envp[], NULL, auxv pairs, AT_NULL. */
static int build_stack(struct vm_space *vs, const char *path, const char *const argv[],
		       const char *const envp[], const struct loaded *prog,
		       const struct loaded *interp, struct exec_image *img, uint64_t *sp_out)
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
	int err = fill_stack(vs, path, argv, argc, envp, envc, prog, interp, ptrs, top, img, sp_out);
	kfree(ptrs);
	return err;
}

/* build_stack's second half, with the pointer array allocated; img's
 * credentials give the auxv's ids and AT_SECURE, and img->layout keeps
 * where the environment went and the auxv. */
static int fill_stack(struct vm_space *vs, const char *path, const char *const argv[], size_t argc,
		      const char *const envp[], size_t envc, const struct loaded *prog,
		      const struct loaded *interp, uint64_t *ptrs, uint64_t top,
		      struct exec_image *img, uint64_t *sp_out)
{
	uint8_t rnd[16];

	const char *const fn[] = { path };
	uint64_t execfn, random_at;
	if (push_strings(vs, &top, fn, 1, &execfn))
		return -ENOMEM;
	img->layout.env_end = top;
	if (push_strings(vs, &top, envp, envc, ptrs + argc + 1))
		return -ENOMEM;
	img->layout.env_start = top;
	if (push_strings(vs, &top, argv, argc, ptrs))
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
		{ AT_SYSINFO_EHDR, img->vdso }, /* first, as Linux's ARCH_DLINFO; left out when 0 */
		{ AT_PHDR, prog->phdr }, { AT_PHENT, sizeof(struct elf64_phdr) },
		{ AT_PHNUM, prog->phnum }, { AT_PAGESZ, PAGE_SIZE }, { AT_BASE, interp ? interp->base : 0 },
		{ AT_FLAGS, 0 }, { AT_ENTRY, prog->entry }, { AT_UID, img->cred.uid },
		{ AT_EUID, img->cred.euid }, { AT_GID, img->cred.gid }, { AT_EGID, img->cred.egid },
		{ AT_SECURE, img->secure }, { AT_RANDOM, random_at }, { AT_HWCAP, cpu_hwcap() },
		{ AT_CLKTCK, USER_HZ }, { AT_EXECFN, execfn }, { AT_PLATFORM, platform_at },
		{ AT_NULL, 0 },
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		if (pairs[i][0] == AT_SYSINFO_EHDR && !pairs[i][1])
			continue;
		*a++ = pairs[i][0];
		*a++ = pairs[i][1];
	}
	img->layout.auxv_words = (uint32_t)(a - auxv);
	memcpy(img->layout.auxv, auxv, (size_t)(a - auxv) * sizeof(auxv[0]));
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
#define SCRIPT_DEPTH_MAX 5   /* Linux's exec_binprm: five #! rewrites, ELOOP at the sixth */

static int exec_depth(const char *path, const char *const argv[], const char *const envp[],
		      struct exec_image *out, int depth);

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
	if (out->path_inaccessible)
		return -ENOENT;
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

/* out's exe_path in a buffer of its exact size (exec_depth's is PATH_MAX
 * bytes), as the process keeps it for /proc/PID/exe; the big one stays
 * when there is no memory for the copy. */
static void exe_path_fit(struct exec_image *out)
{
	if (!out->exe_path)
		return;
	size_t size = strlen(out->exe_path) + 1;
	char *fit = kmalloc(size);
	if (!fit)
		return;
	memcpy(fit, out->exe_path, size);
	kfree(out->exe_path);
	out->exe_path = fit;
}

int exec_load(const char *path, const char *const argv[], const char *const envp[],
	      unsigned flags, struct exec_image *out)
{
	out->path_inaccessible = flags & EXEC_PATH_INACCESSIBLE;
	out->exe_path = NULL;
	out->exe = NULL;
	out->execfn = path;
	out->doomed = false;
	out->vdso = 0;
	int err = exec_depth(path, argv, envp, out, 0);
	if (err) {
		kfree(out->exe_path);
		out->exe_path = NULL;
	} else {
		exe_path_fit(out);
	}
	return err;
}

void exec_image_drop(struct exec_image *img)
{
	if (img->vm)
		uvm_destroy(img->vm);
	kfree(img->exe_path);
	vfs_exec_release(img->exe);
	img->vm = NULL;
	img->exe_path = NULL;
	img->exe = NULL;
}

/*
 * Map the program (and its interpreter) into a new space with its
 * initial stack. Everything that can fail before Linux's point of no
 * return was checked by the caller; a segment that cannot be mapped now
 * leaves an empty space and out->doomed: execve succeeds and the process
 * dies of SIGSEGV, as Linux's does. 0, or -E2BIG / -ENOMEM.
 */
static int build_image(struct elf_file *prog, struct elf_file *interp,
		       const char *const argv[], const char *const envp[], struct exec_image *out)
{
	struct loaded lp, li;
	struct vm_space *vs = uvm_create();

	if (!vs)
		return -ENOMEM;
	if (map_elf(vs, prog, USER_PIE_BASE, &lp) ||
	    (interp->data && map_elf(vs, interp, USER_INTERP_BASE, &li))) {
		uvm_destroy(vs);
		out->vm = uvm_create();
		out->entry = out->sp = 0;
		out->doomed = true;
		return out->vm ? 0 : -ENOMEM;
	}
	out->vdso = vdso_map(vs); /* 0: the program makes real system calls */
	int err = build_stack(vs, out->execfn, argv, envp, &lp, interp->data ? &li : NULL, out,
			      &out->sp);
	if (err) {
		image_destroy(vs);
		return err;
	}
	vs->brk_start = vs->brk = page_round_up(lp.end);
	out->vm = vs;
	out->entry = interp->data ? li.entry : lp.entry;
	return 0;
}

/*
 * An ELF program read into prog (which this releases): check it, open
 * its interpreter, map both. Out of exec_depth's frame on purpose: #!
 * scripts recurse through exec_depth, so its frame is paid per level and
 * this one (the image's auxv and stack scratch) only once.
 */
static __attribute__((noinline)) int exec_elf(struct elf_file *prog, const char *abs,
					      const char *const argv[],
					      const char *const envp[], struct exec_image *out)
{
	struct elf_file interp = { 0 };
	char *iabs = NULL;
	int err = check_elf(prog, abs, -ENOEXEC);

	if (err)
		goto out;
	if (prog->ei.has_interp) {
		if (!(iabs = kmalloc(PATH_MAX))) {
			err = -ENOMEM;
			goto out;
		}
		if ((err = open_interp(prog, &interp, iabs)))
			goto out;
	}
	err = build_image(prog, &interp, argv, envp, out);
	if (!err) { /* the program's denial of writers passes to the image */
		out->exe = prog->file;
		prog->file = NULL;
	}
out:
	close_elf(&interp);
	close_elf(prog);
	kfree(iabs);
	return err;
}

static int exec_depth(const char *path, const char *const argv[], const char *const envp[],
		      struct exec_image *out, int depth)
{
	struct elf_file prog = { .path = path };
	char *abs = kmalloc(PATH_MAX);

	if (!abs)
		return -ENOMEM;
	int err = exec_data(path, &prog, abs, out);
	if (err) {
		kfree(abs);
		return err;
	}
	kfree(out->exe_path); /* a script's interpreter replaces the script */
	out->exe_path = abs;
	const char *head = prog.data;
	if (is_script(head, prog.size)) {
		err = exec_script(path, head, prog.size, argv, envp, out, depth);
		close_elf(&prog);
		return err;
	}
	return exec_elf(&prog, abs, argv, envp, out);
}
