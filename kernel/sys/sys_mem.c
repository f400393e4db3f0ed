// SPDX-License-Identifier: MIT
/* Kestrel: brk, mmap (anonymous), munmap, mprotect. */
#include "sys/syscall.h"
#include "mm/layout.h"
#include "mm/uvm.h"
#include "proc/process.h"
#include "arch/x86_64/paging.h"
#include "lib/errno.h"

#define PROT_READ  1
#define PROT_WRITE 2
#define PROT_EXEC  4
#define MAP_SHARED    0x01
#define MAP_PRIVATE   0x02
#define MAP_FIXED     0x10
#define MAP_ANONYMOUS 0x20
#define MAP_KNOWN  (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | 0x4000 /* NORESERVE */ | \
		    0x100 /* GROWSDOWN */ | 0x8000 /* POPULATE */ | 0x20000 /* STACK */)

static uint64_t page_up(uint64_t v) { return (v + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }

/* PROT_* to VM_*; -EACCES for writable+executable (the kernel keeps W^X). */
static int prot_to_vm(uint64_t prot, unsigned *out)
{
	if (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return -EACCES;
	*out = (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE | VM_READ : 0) |
	       (prot & PROT_EXEC ? VM_EXEC | VM_READ : 0);
	return 0;
}

/* No region overlaps [start, end). */
static bool range_is_free(const struct vm_space *vs, uint64_t start, uint64_t end)
{
	for (const struct vma *v = vs->vmas; v; v = v->next)
		if (v->start < end && v->end > start)
			return false;
	return true;
}

static struct vm_space *vm(void)
{
	return current_process()->vm;
}

long sys_brk(uint64_t addr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct vm_space *vs = vm();
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;

	if (addr < vs->brk_start || addr >= USER_MMAP_BASE)
		return (long)vs->brk; /* a query, or out of range: unchanged */
	uint64_t old_end = page_up(vs->brk), new_end = page_up(addr);
	if (new_end > old_end) {
		struct vma *heap = old_end > vs->brk_start ? uvm_find_vma(vs, old_end - 1) : NULL;
		if (!range_is_free(vs, old_end, new_end))
			return (long)vs->brk;
		if (heap && (heap->flags & VMA_HEAP) && heap->end == old_end)
			heap->end = new_end; /* grow the heap region in place */
		else if (uvm_add_vma(vs, old_end, new_end, VM_READ | VM_WRITE, VMA_HEAP))
			return (long)vs->brk;
	} else if (new_end < old_end) {
		uvm_unmap(vs, new_end, old_end);
	}
	vs->brk = addr;
	return (long)addr;
}

long sys_mmap(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, uint64_t fd, uint64_t off)
{
	struct vm_space *vs = vm();
	unsigned vmprot;
	int err;

	(void)off;
	if (len == 0 || (flags & ~(uint64_t)MAP_KNOWN) || (addr & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS) || (int)fd != -1)
		return -ENODEV; /* file mappings come with the VFS */
	if ((err = prot_to_vm(prot, &vmprot)))
		return err;
	len = page_up(len);
	if (flags & MAP_FIXED) {
		if (addr < USER_MIN_ADDR || addr + len > USER_TOP || addr + len < addr)
			return -EINVAL;
		uvm_unmap(vs, addr, addr + len);
	} else {
		addr = uvm_find_free(vs, len);
		if (!addr)
			return -ENOMEM;
	}
	if ((err = uvm_add_vma(vs, addr, addr + len, vmprot, 0)))
		return err;
	if (!(flags & MAP_FIXED) && addr < vs->mmap_next)
		vs->mmap_next = addr;
	return (long)addr;
}

long sys_munmap(uint64_t addr, uint64_t len, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	if ((addr & (PAGE_SIZE - 1)) || len == 0 || addr >= USER_TOP || page_up(len) > USER_TOP - addr)
		return -EINVAL;
	return uvm_unmap(vm(), addr, addr + page_up(len));
}

long sys_mprotect(uint64_t addr, uint64_t len, uint64_t prot, uint64_t a3, uint64_t a4, uint64_t a5)
{
	unsigned vmprot;
	int err;

	(void)a3, (void)a4, (void)a5;
	if ((addr & (PAGE_SIZE - 1)) || addr >= USER_TOP || page_up(len) > USER_TOP - addr)
		return -EINVAL;
	if ((err = prot_to_vm(prot, &vmprot)))
		return err;
	if (len == 0)
		return 0;
	return uvm_protect(vm(), addr, addr + page_up(len), vmprot);
}
