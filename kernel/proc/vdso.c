// SPDX-License-Identifier: MIT
/*
 * Kestrel: the vDSO's pages. The image (vdso/, embedded by
 * proc/vdso_blob.S) is copied once at boot into a memory object whose
 * pages every process maps privately read+exec ([vdso]: a debugger's
 * write copies the page for that process alone, as Linux's COW vDSO);
 * the clock's data page is another object, mapped read-only and never
 * writable ([vvar]: mprotect for write is -EACCES, as Linux's), that
 * time.c keeps up to date (time_attach_vvar). Both are ordinary regions
 * holding a reference on their object: fork copies them, exec makes
 * them anew, munmap removes them.
 */
#include "proc/vdso.h"
#include "elf_check.h"
#include "mm/shmem.h"
#include "mm/vmname.h"
#include "mm/vmm.h"
#include "arch/x86_64/klock.h"
#include "time/time.h"
#include "time/vvar.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "log.h"

extern const uint8_t vdso_blob_start[], vdso_blob_end[];

_Static_assert(VDSO_VVAR_ADDR > USER_INTERP_BASE && VDSO_VVAR_ADDR > USER_MMAP_BASE &&
	       VDSO_VVAR_ADDR + VDSO_STACK_SPAN / 2 < USER_STACK_TOP,
	       "the vDSO sits above the interpreter and mmap's area, far below the stack's top");

/* Set once by vdso_init (boot, one thread); read-only afterwards. */
static struct {
	struct shmem *vvar, *text;        /* the objects, one reference each for good */
	struct vm_name *vvar_name, *text_name;
	uint64_t text_pages;
	bool ready;
} vd;

/* The embedded image is an ET_DYN linked at 0 that fits its pages (the
 * Makefile checked the rest): NULL, or why not. */
static const char *check_image(size_t size)
{
	struct elf_info ei;
	const char *why = NULL;

	if (elf_check(vdso_blob_start, size, ELF_TARGET_USER, &ei, &why) != ELF_CHECK_OK)
		return why;
	if (ei.type != ELF_ET_DYN || ei.lo != 0)
		return "not a shared object linked at 0";
	return ei.hi <= page_round_up(size) ? NULL : "its segment runs past the image";
}

/* Copy the image into the text object's pages: 0 or -ENOMEM. */
static int fill_text(size_t size)
{
	for (uint64_t i = 0; i < vd.text_pages; i++) {
		uint64_t phys = shmem_page(vd.text, i);
		uint64_t off = i * PAGE_SIZE;
		if (!phys)
			return -ENOMEM;
		memcpy(phys_to_virt(phys), vdso_blob_start + off,
		       size - off < PAGE_SIZE ? size - off : PAGE_SIZE);
	}
	return 0;
}

void vdso_init(void)
{
	size_t size = (size_t)(vdso_blob_end - vdso_blob_start);
	const char *why = check_image(size);

	if (why) {
		klog(LOG_ERR, "vdso: the embedded image is unusable (%s); no vDSO\n", why);
		return;
	}
	vd.text_pages = page_count(size);
	vd.vvar = shmem_create(1);
	vd.text = shmem_create(vd.text_pages);
	vd.vvar_name = vm_name_new("[vvar]", 0, 0);
	vd.text_name = vm_name_new("[vdso]", 0, 0);
	uint64_t vvar_phys = vd.vvar ? shmem_page(vd.vvar, 0) : 0;
	if (!vd.text || !vvar_phys || !vd.vvar_name || !vd.text_name || fill_text(size)) {
		klog(LOG_ERR, "vdso: out of memory; no vDSO\n");
		return; /* what was made stays: boot-time memory, never reused */
	}
	time_attach_vvar(phys_to_virt(vvar_phys));
	vd.ready = true;
	klog(LOG_INFO, "vdso: %lu bytes at %#lx, [vvar] at %#lx\n", (unsigned long)size,
	     (unsigned long)VDSO_TEXT_ADDR, (unsigned long)VDSO_VVAR_ADDR);
}

/* One region at start of pages pages with prot and flags, mapping obj
 * under name: 0, or an error with nothing left behind. The object last:
 * a failure unmaps a region not yet on the object's list. */
static int map_region(struct vm_space *vs, uint64_t start, uint64_t pages, unsigned prot,
		      unsigned flags, struct shmem *obj, struct vm_name *name)
{
	uint64_t end = start + pages * PAGE_SIZE;
	int err = uvm_add_vma(vs, start, end, prot, flags);

	if (err)
		return err;
	if ((err = uvm_set_name(vs, start, name, 0)) || (err = uvm_set_object(vs, start, obj, 0)))
		uvm_unmap(vs, start, end);
	return err;
}

/* Take a region map_region made away again: off its object's list, which
 * mm/uvm.c's rule for removals puts under the kernel lock (taken here
 * unless held). */
static void unmap_region(struct vm_space *vs, uint64_t start, uint64_t end)
{
	bool taken = klock_enter_unless_held();
	uvm_unmap(vs, start, end);
	klock_leave_taken(taken);
}

uint64_t vdso_map(struct vm_space *vs)
{
	if (!vd.ready)
		return 0;
	if (map_region(vs, VDSO_VVAR_ADDR, 1, VM_READ, VMA_NOWRITE, vd.vvar, vd.vvar_name))
		return 0;
	if (map_region(vs, VDSO_TEXT_ADDR, vd.text_pages, VM_READ | VM_EXEC, 0, vd.text,
		       vd.text_name)) {
		unmap_region(vs, VDSO_VVAR_ADDR, VDSO_TEXT_ADDR);
		return 0;
	}
	return VDSO_TEXT_ADDR;
}
