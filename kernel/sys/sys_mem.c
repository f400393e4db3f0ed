// SPDX-License-Identifier: MIT
/* Kestrel: brk, mmap (anonymous, shared anonymous, /dev/zero, private files), munmap, mprotect, madvise. */
#include "sys/syscall_define.h"
#include "sys/syscall.h"
#include "mm/layout.h"
#include "mm/shmem.h"
#include "mm/uvm.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "arch/x86_64/paging.h"
#include "lib/errno.h"
#include "fs/inode.h"
#include "uapi/mman.h"

#define MAP_KNOWN  (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_NORESERVE | \
		    MAP_GROWSDOWN | MAP_POPULATE | MAP_STACK)

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

/* Would grow bytes more (of which `replaced` bytes replace existing
 * regions) keep the address space within RLIMIT_AS? */
static bool as_allows(const struct vm_space *vs, uint64_t grow, uint64_t replaced)
{
	uint64_t limit = rlimit_cur(current_process(), RLIMIT_AS);
	uint64_t total = uvm_total_bytes(vs) - replaced;

	return grow <= limit && total <= limit - grow;
}

SYSCALL_DEFINE1(brk, unsigned long, addr)
{
	struct vm_space *vs = vm();

	if (addr < vs->brk_start || addr >= USER_MMAP_BASE)
		return (long)vs->brk; /* a query, or out of range: unchanged */
	uint64_t old_end = page_round_up(vs->brk), new_end = page_round_up(addr);
	if (new_end > old_end) {
		struct vma *heap = old_end > vs->brk_start ? uvm_find_vma(vs, old_end - 1) : NULL;
		if (!range_is_free(vs, old_end, new_end) || !as_allows(vs, new_end - old_end, 0) ||
		    new_end - vs->brk_start > rlimit_cur(current_process(), RLIMIT_DATA))
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

static long place(struct vm_space *vs, uint64_t addr, uint64_t len, unsigned vmprot, uint64_t flags);

/* place() a region of len bytes that maps obj from its first page, with
 * the region flags vma_flags: its start, or an error (nothing mapped). */
static long place_object(struct vm_space *vs, uint64_t addr, uint64_t len, unsigned vmprot,
			 uint64_t flags, struct shmem *obj, unsigned vma_flags)
{
	long start = place(vs, addr, len, vmprot, flags);

	if (start < 0)
		return start;
	if ((vma_flags && uvm_set_flags(vs, (uint64_t)start, (uint64_t)start + len, vma_flags)) ||
	    uvm_set_object(vs, (uint64_t)start, obj, 0)) {
		uvm_unmap(vs, (uint64_t)start, (uint64_t)start + len);
		return -ENOMEM;
	}
	return start;
}

/* Anonymous memory (len page aligned): private, or with MAP_SHARED one
 * zero-filled memory object that every process inheriting the region
 * (fork) maps, until the last of them unmaps it. */
static long map_anon(struct vm_space *vs, uint64_t addr, uint64_t len, unsigned vmprot,
		     uint64_t flags)
{
	if (!(flags & MAP_SHARED))
		return place(vs, addr, len, vmprot, flags);
	struct shmem *obj = shmem_create(len / PAGE_SIZE);
	if (!obj)
		return -ENOMEM;
	long start = place_object(vs, addr, len, vmprot, flags, obj, VMA_SHARED);
	shmem_put(obj); /* the region holds its own reference */
	return start;
}

/* Copy want bytes of the file at off into obj's first pages: 0, -ENOMEM,
 * or -EINTR when SIGKILL stops a long copy. */
static int fill_snapshot(struct shmem *obj, struct inode *ip, uint64_t off, uint64_t want)
{
	for (uint64_t done = 0; done < want; done += PAGE_SIZE) {
		uint64_t phys = shmem_page(obj, done / PAGE_SIZE);
		if (!phys)
			return -ENOMEM;
		uint64_t n = want - done < PAGE_SIZE ? want - done : PAGE_SIZE;
		ramfs_read_kernel(ip, phys_to_virt(phys), n, off + done);
		if (fatal_signal_pending())
			return -EINTR;
		sched_cond_resched();
	}
	return 0;
}

/* A private mapping of a RAM file: a memory object holding the file's
 * bytes at map time (zeros after them), mapped copy-on-write, so writes
 * stay private and MADV_DONTNEED brings the file's bytes back. The
 * object is filled before the region is placed: nothing here sleeps
 * with the address space half changed. Whole pages past the end of the
 * file are SIGBUS. */
static long map_ram_file(struct vm_space *vs, uint64_t addr, uint64_t len, unsigned vmprot,
			 uint64_t flags, struct inode *ip, uint64_t off)
{
	uint64_t size = page_round_up(len), want = ip->size > off ? ip->size - off : 0;
	struct shmem *obj = shmem_create(size / PAGE_SIZE);

	if (want > len)
		want = len;
	if (!obj)
		return -ENOMEM;
	long start = fill_snapshot(obj, ip, off, want);
	if (start == 0)
		start = place_object(vs, addr, size, vmprot, flags, obj, 0);
	shmem_put(obj);
	if (start < 0)
		return start;
	uint64_t file_end = (uint64_t)start + page_round_up(want);
	if (file_end < (uint64_t)start + size)
		uvm_set_flags(vs, file_end, (uint64_t)start + size, VMA_SIGBUS);
	return start;
}

/* A private file mapping: a RAM file's snapshot (map_ram_file), or, for
 * other regular files, an anonymous region filled from the file at map
 * time (reads past the end leave zeros). Writes stay private. The
 * region is writable while the file is read into it through the user
 * copy helpers, then gets the protection asked for. */
static long map_file(struct vm_space *vs, uint64_t addr, uint64_t len, unsigned vmprot,
		     uint64_t flags, struct file *f, uint64_t off)
{
	if (f->inode->fs == &ramfs_fs)
		return map_ram_file(vs, addr, len, vmprot, flags, f->inode, off);
	long start = place(vs, addr, page_round_up(len), VM_READ | VM_WRITE, flags);
	if (start < 0)
		return start;
	uint64_t pos = off;
	uint64_t want = f->inode->size > off ? f->inode->size - off : 0;
	if (want > len)
		want = len;
	for (uint64_t done = 0; done < want;) {
		long n = f->ops->read(f, (uint64_t)start + done, want - done, &pos);
		if (n <= 0)
			break;
		done += (uint64_t)n;
	}
	uvm_protect(vs, (uint64_t)start, (uint64_t)start + page_round_up(len), vmprot);
	/* whole pages past the end of the file: touching them is SIGBUS */
	uint64_t file_end = (uint64_t)start + page_round_up(want);
	if (file_end < (uint64_t)start + page_round_up(len))
		uvm_set_flags(vs, file_end, (uint64_t)start + page_round_up(len), VMA_SIGBUS);
	return start;
}

/* mmap of an open file: /dev/zero is anonymous memory (shared or not),
 * a regular file is mapped privately; MAP_SHARED of a regular file is
 * not supported (-ENODEV), nor are other files. */
static long map_fd(struct vm_space *vs, uint64_t addr, uint64_t len, uint64_t prot,
		   uint64_t flags, struct file *f, uint64_t off)
{
	bool zero = devfs_is_zero(f);
	unsigned vmprot;
	int err;

	if (!zero && (!f->inode || !S_ISREG(f->inode->mode) || !f->ops->read || (flags & MAP_SHARED)))
		return -ENODEV;
	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EACCES; /* Linux: every file mapping reads the file */
	if ((flags & MAP_SHARED) && (prot & PROT_WRITE) && (f->flags & O_ACCMODE) == O_RDONLY)
		return -EACCES; /* a shared writable mapping needs a writable file */
	if ((err = prot_to_vm(prot, &vmprot)))
		return err;
	if (zero)
		return map_anon(vs, addr, page_round_up(len), vmprot, flags);
	return map_file(vs, addr, len, vmprot, flags, f, off);
}

SYSCALL_DEFINE6(mmap, unsigned long, addr, unsigned long, len, unsigned long, prot, unsigned long, flags, unsigned long, fd, unsigned long, off)
{
	struct vm_space *vs = vm();
	unsigned vmprot;
	int err;

	struct file *f = NULL;

	bool private = flags & MAP_PRIVATE, shared = flags & MAP_SHARED;

	if (len == 0 || (flags & ~(uint64_t)MAP_KNOWN) || page_offset(addr) ||
	    page_offset(off) || private == shared) /* exactly one of them */
		return -EINVAL;
	if (page_round_up(len) == 0 || page_round_up(len) > USER_VA_END)
		return -ENOMEM; /* more than user space holds (Linux: TASK_SIZE) */
	if (!(flags & MAP_ANONYMOUS)) {
		if (!(f = fd_get(current_process()->files, (int)fd)))
			return -EBADF;
		long r = map_fd(vs, addr, len, prot, flags, f, off);
		file_put(f);
		return r;
	}
	if ((err = prot_to_vm(prot, &vmprot)))
		return err;
	return map_anon(vs, addr, page_round_up(len), vmprot, flags);
}

/* A hint Linux would take: free and inside what user space may map. */
static bool hint_usable(const struct vm_space *vs, uint64_t addr, uint64_t len)
{
	return addr >= USER_MIN_ADDR && addr <= USER_VA_END - len && uvm_range_free(vs, addr, addr + len);
}

/* Choose (or, with MAP_FIXED, clear) the range and add the region. len
 * is page aligned, non-zero and at most USER_VA_END. */
static long place(struct vm_space *vs, uint64_t addr, uint64_t len, unsigned vmprot, uint64_t flags)
{
	int err;

	if (flags & MAP_FIXED) {
		if (addr > USER_VA_END - len)
			return -ENOMEM; /* Linux: the range must end by TASK_SIZE */
		if (addr < USER_MIN_ADDR)
			return -EINVAL;
		if (!as_allows(vs, len, uvm_mapped_bytes(vs, addr, addr + len)))
			return -ENOMEM;
		if ((err = uvm_unmap(vs, addr, addr + len)))
			return err;
	} else {
		if (!as_allows(vs, len, 0))
			return -ENOMEM;
		/* the hint if Linux would take it, else the highest free gap below
		 * mmap_next (Linux's top-down search) */
		if (!hint_usable(vs, addr, len) && !(addr = uvm_find_free(vs, len)))
			return -ENOMEM;
	}
	if ((err = uvm_add_vma(vs, addr, addr + len, vmprot, 0)))
		return err;
	return (long)addr;
}

SYSCALL_DEFINE2(munmap, unsigned long, addr, size_t, len)
{
	if (page_offset(addr) || len == 0 || addr >= USER_VA_END || page_round_up(len) == 0 ||
	    page_round_up(len) > USER_VA_END - addr)
		return -EINVAL;
	return uvm_unmap(vm(), addr, addr + page_round_up(len));
}

SYSCALL_DEFINE3(mprotect, unsigned long, addr, size_t, len, unsigned long, prot)
{
	unsigned vmprot;
	int err;

	if (page_offset(addr) || addr >= USER_TOP || page_round_up(len) > USER_TOP - addr)
		return -EINVAL;
	if ((err = prot_to_vm(prot, &vmprot)))
		return err;
	if (len == 0)
		return 0;
	if (page_round_up(len) == 0)
		return -ENOMEM; /* wraps: Linux's end <= start */
	return uvm_protect(vm(), addr, addr + page_round_up(len), vmprot);
}
