// SPDX-License-Identifier: MIT
/* Kestrel: brk, mmap (anonymous, shared anonymous, /dev/zero, files), munmap, mremap, mprotect, madvise, msync, mincore. */
/*
 * Locks (mm/uvm.h's rules): every call here holds its space's map_lock
 * from its first look at the regions to its last change. mmap, munmap,
 * mprotect, brk, mremap and madvise run without the kernel lock
 * (sys/syscall.c's lock_free) and take it only for what is still its: a
 * file, a shared or a System V mapping (the descriptor, the memory
 * objects, shmem's lists of regions), and any change to a range where a
 * region has a memory object (klock_for_objects). Private anonymous
 * memory, the common case, needs the space's locks alone. The other
 * calls take the kernel lock from entry to return, as before, and
 * map_lock inside it (the wait for it gives the kernel lock up).
 */
#include "sys/syscall_define.h"
#include "sys/syscall.h"
#include "mm/layout.h"
#include "mm/shmem.h"
#include "mm/vmname.h"
#include "mm/usercopy.h"
#include "mm/uvm.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "arch/x86_64/klock.h"
#include "arch/x86_64/paging.h"
#include "lib/errno.h"
#include "fs/inode.h"
#include "fs/fstype.h"
#include "fs/mfile.h"
#include "ipc/ipc.h"
#include "proc/rlimit.h"
#include "uapi/capability.h"
#include "uapi/mman.h"
#include "uapi/resource.h"

/* The value of call, made holding the current space's map_lock (mm/uvm.h):
 * the system calls below that change regions are their *_locked body
 * inside it. */
#define with_map_lock(call) ({                          \
	struct vm_space *vs_ = vm();                    \
	uvm_map_lock(vs_);                              \
	long r_ = (call);                               \
	uvm_map_unlock(vs_);                            \
	r_;                                             \
})

/* MAP_32BIT's window (Linux x86_64, find_start_end): the second GiB. */
#define MAP_32BIT_BASE 0x40000000ull
#define MAP_32BIT_END  0x80000000ull

/* PROT_* to VM_*, bit for bit, as Linux keeps them in vm_flags: a
 * PROT_WRITE-only region shows "-w-p" in /proc/PID/maps and is not
 * readable to process_vm_readv, though the CPU reads its pages (x86 has
 * no write-only or execute-only pages: the fault path takes any of R, W
 * and X as access). Like Linux, user mappings may be writable and
 * executable at once: W^X is the kernel's rule for its own pages and
 * for ELF segments (exec), not a refusal of what a program asks for.
 * mmap ignores other bits; mprotect checks them first
 * (mprotect_prot_ok). */
static unsigned prot_to_vm(uint64_t prot)
{
	return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0);
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

/* The kernel lock for a change to [start, end) of vs when a region
 * there has a memory object (whose lists and references are still the
 * kernel lock's, mm/uvm.h); true when this call took it, for
 * klock_leave_taken. vs's map_lock held. */
static bool klock_for_objects(struct vm_space *vs, uint64_t start, uint64_t end)
{
	return uvm_range_has_object(vs, start, end) && klock_enter_unless_held();
}

/* munmap's work, and brk's shrink: [start, end) unmapped; with the
 * kernel lock when a region there has a memory object, and then a disk
 * file's last mapping gives its pages to the file (mfile_unmapped). 0
 * or uvm_unmap's error. vs's map_lock held. */
static int unmap_range(struct vm_space *vs, uint64_t start, uint64_t end)
{
	int r = uvm_unmap_no_object(vs, start, end);

	if (r != -EAGAIN)
		return r;
	bool taken = klock_enter_unless_held();
	r = uvm_unmap(vs, start, end);
	mfile_unmapped();
	klock_leave_taken(taken);
	return r;
}

/* brk with vs's map_lock held (lock-free: the heap is private anonymous
 * memory, and a shrink over anything else goes through unmap_range). */
static long do_brk(struct vm_space *vs, unsigned long addr)
{
	if (addr < vs->brk_start || addr >= USER_MMAP_BASE)
		return (long)vs->brk; /* a query, or out of range: unchanged */
	uint64_t old_end = page_round_up(vs->brk), new_end = page_round_up(addr);
	if (new_end > old_end) {
		struct vma *heap = old_end > vs->brk_start ? uvm_find_vma(vs, old_end - 1) : NULL;
		if (!uvm_range_free(vs, old_end, new_end) || !as_allows(vs, new_end - old_end, 0) ||
		    new_end - vs->brk_start > rlimit_cur(current_process(), RLIMIT_DATA))
			return (long)vs->brk;
		if (heap && (heap->flags & VMA_HEAP) && heap->end == old_end)
			uvm_set_end(vs, heap, new_end); /* grow the heap region in place */
		else if (uvm_add_vma(vs, old_end, new_end, VM_READ | VM_WRITE, VMA_HEAP))
			return (long)vs->brk;
	} else if (new_end < old_end) {
		unmap_range(vs, new_end, old_end);
	}
	vs->brk = addr;
	return (long)addr;
}

SYSCALL_DEFINE1(brk, unsigned long, addr)
{
	struct vm_space *vs = vm();

	uvm_map_lock(vs);
	long r = do_brk(vs, addr);
	uvm_map_unlock(vs);
	return r;
}

static long place(struct vm_space *vs, uint64_t addr, uint64_t len, unsigned vmprot, uint64_t flags);

/* place() a region of len bytes that maps obj from its page pgoff on,
 * with the region flags vma_flags: its start, or an error (nothing
 * mapped). */
static long place_object(struct vm_space *vs, uint64_t addr, uint64_t len, unsigned vmprot,
			 uint64_t flags, struct shmem *obj, unsigned vma_flags, uint64_t pgoff)
{
	long start = place(vs, addr, len, vmprot, flags);

	if (start < 0)
		return start;
	if ((vma_flags && uvm_set_flags(vs, (uint64_t)start, (uint64_t)start + len, vma_flags)) ||
	    uvm_set_object(vs, (uint64_t)start, obj, pgoff)) {
		uvm_unmap(vs, (uint64_t)start, (uint64_t)start + len);
		return -ENOMEM;
	}
	return start;
}

/* A private anonymous region of len bytes at start that MAP_GROWSDOWN
 * asked for: a stack of its own (a thread's), which a fault just below
 * extends as it does the main stack (Linux's VM_GROWSDOWN; grow_stack in
 * mm/uvm.c: RLIMIT_STACK, the guard gap). Its start, or -ENOMEM with
 * nothing mapped. */
static long grows_down(struct vm_space *vs, long start, uint64_t len, uint64_t flags)
{
	if (start < 0 || !(flags & MAP_GROWSDOWN))
		return start;
	if (uvm_set_flags(vs, (uint64_t)start, (uint64_t)start + len, VMA_GROWSDOWN)) {
		uvm_unmap(vs, (uint64_t)start, (uint64_t)start + len);
		return -ENOMEM;
	}
	return start;
}

/* Anonymous memory (len page aligned): private (growing down with
 * MAP_GROWSDOWN), or with MAP_SHARED one
 * zero-filled memory object that every process inheriting the region
 * (fork) maps, until the last of them unmaps it; shared_flags (VMA_*)
 * go to a shared region (VMA_NOWRITE: /dev/zero opened read-only). */
static long map_anon(struct vm_space *vs, uint64_t addr, uint64_t len, unsigned vmprot,
		     uint64_t flags, unsigned shared_flags)
{
	if (!(flags & MAP_SHARED))
		return grows_down(vs, place(vs, addr, len, vmprot, flags), len, flags);
	struct shmem *obj = shmem_create(len / PAGE_SIZE);
	if (!obj)
		return -ENOMEM;
	long start = place_object(vs, addr, len, vmprot, flags, obj, VMA_SHARED | shared_flags, 0);
	shmem_put(obj); /* the region holds its own reference */
	return start;
}

/* The bytes of the file at off that a mapping of len bytes covers. */
static uint64_t file_bytes(const struct inode *ip, uint64_t off, uint64_t len)
{
	uint64_t want = ip->size > off ? ip->size - off : 0;

	return want < len ? want : len;
}

/* A private mapping of a RAM file still in place in the boot archive:
 * its bytes are the region's demand-loaded contents (mm/uvm.h), so
 * read-only pages are shared by every process mapping them, as exec's
 * are; whole pages past the end of the file are SIGBUS. */
static long map_borrowed(struct vm_space *vs, uint64_t addr, uint64_t len, unsigned vmprot,
			 uint64_t flags, const struct inode *ip, const uint8_t *bytes, uint64_t off)
{
	uint64_t size = page_round_up(len), want = file_bytes(ip, off, len);
	long start = place(vs, addr, size, vmprot, flags);

	if (start < 0)
		return start;
	if (want)
		uvm_set_backing(vs, (uint64_t)start, bytes + off, (uint64_t)start, want);
	uint64_t file_end = (uint64_t)start + page_round_up(want);
	if (file_end < (uint64_t)start + size &&
	    uvm_set_flags(vs, file_end, (uint64_t)start + size, VMA_SIGBUS)) {
		uvm_unmap(vs, (uint64_t)start, (uint64_t)start + size);
		return -ENOMEM;
	}
	return start;
}

/* A mapping of a RAM file: the pages of the file's memory object from
 * page off / PAGE_SIZE on, the same pages read(2) and write(2) use.
 * MAP_SHARED maps them as they are (a file not open for writing can
 * never be made writable there: VMA_NOWRITE); MAP_PRIVATE maps them
 * copy-on-write, so the file's changes show until a page is written.
 * A page at or past the end of the file, whatever its size was at map
 * time, is SIGBUS when touched (mm/uvm.c). */
static long map_ram_file(struct vm_space *vs, uint64_t addr, uint64_t len, unsigned vmprot,
			 uint64_t flags, struct file *f, uint64_t off)
{
	bool shared = flags & MAP_SHARED;
	struct shmem *obj;
	const void *bytes;
	int err;

	if (shared && ramfs_write_sealed(f->inode) && (vmprot & VM_WRITE))
		return -EPERM; /* F_SEAL_WRITE, F_SEAL_FUTURE_WRITE: as Linux */
	if ((err = ramfs_map(f->inode, shared, &obj, &bytes)))
		return err;
	if (bytes)
		return map_borrowed(vs, addr, len, vmprot, flags, f->inode, bytes, off);
	unsigned vma_flags = 0;
	if (shared)
		vma_flags = VMA_SHARED | ((f->flags & O_ACCMODE) == O_RDWR && !ramfs_write_sealed(f->inode)
					  ? 0 : VMA_NOWRITE);
	return place_object(vs, addr, page_round_up(len), vmprot, flags, obj, vma_flags,
			    off / PAGE_SIZE);
}

/* A mapping of a file on a disk file system (ext2, vfat): the pages of
 * the file's memory object (fs/mfile.h), shared or copy-on-write as a
 * RAM file's (map_ram_file); a page at or past the end of the file is
 * SIGBUS. */
static long map_disk_file(struct vm_space *vs, uint64_t addr, uint64_t len, unsigned vmprot,
			  uint64_t flags, struct file *f, uint64_t off)
{
	bool shared = flags & MAP_SHARED, rdwr = (f->flags & O_ACCMODE) == O_RDWR;
	struct shmem *obj;
	int err = mfile_map(f, shared && rdwr, &obj);

	if (err) {
		mfile_unmapped(); /* an object made for this mapping goes */
		return err;
	}
	unsigned vma_flags = shared ? VMA_SHARED | (rdwr ? 0 : VMA_NOWRITE) : 0;
	long start = place_object(vs, addr, page_round_up(len), vmprot, flags, obj, vma_flags,
				  off / PAGE_SIZE);
	shmem_put(obj); /* the region holds its own reference */
	if (start < 0)
		mfile_unmapped();
	return start;
}

/* A file mapping: a RAM file's pages (map_ram_file), a disk file's
 * (map_disk_file), or, for other regular files, a private anonymous region filled from the file at map
 * time (reads past the end leave zeros). Writes stay private. The
 * region is writable while the file is read into it through the user
 * copy helpers, then gets the protection asked for. */
static long map_file(struct vm_space *vs, uint64_t addr, uint64_t len, unsigned vmprot,
		     uint64_t flags, struct file *f, uint64_t off)
{
	if (ramfs_is(f->inode->fs))
		return map_ram_file(vs, addr, len, vmprot, flags, f, off);
	if (vfs_on_disk(f->inode))
		return map_disk_file(vs, addr, len, vmprot, flags, f, off);
	long start = place(vs, addr, page_round_up(len), VM_READ | VM_WRITE, flags);
	if (start < 0)
		return start;
	uint64_t pos = off;
	uint64_t want = f->inode->size > off ? f->inode->size - off : 0;
	if (want > len)
		want = len;
	for (uint64_t done = 0; done < want;) {
		long n = f->ops->read(f, iobuf_user((uint64_t)start + done), want - done, &pos);
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
 * a RAM or disk file is mapped shared or private, another regular file
 * (procfs) privately; MAP_SHARED of those and other files is -ENODEV. */
static long map_fd(struct vm_space *vs, uint64_t addr, uint64_t len, uint64_t prot,
		   uint64_t flags, struct file *f, uint64_t off)
{
	bool zero = devfs_is_zero(f);
	unsigned vmprot = prot_to_vm(prot);

	/* Linux's file_mmap_ok: a regular file's last byte must fit in an off_t */
	if (f->inode && S_ISREG(f->inode->mode) &&
	    off / PAGE_SIZE > (INT64_MAX - page_round_up(len)) / PAGE_SIZE)
		return -EOVERFLOW;
	if ((flags & MAP_SHARED) && (prot & PROT_WRITE) && (f->flags & O_ACCMODE) == O_RDONLY)
		return -EACCES; /* a shared writable mapping needs a writable file */
	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EACCES; /* Linux: every file mapping reads the file */
	if (!zero && (!f->inode || !S_ISREG(f->inode->mode) || !f->ops->read ||
		      ((flags & MAP_SHARED) && !ramfs_is(f->inode->fs) && !vfs_on_disk(f->inode))))
		return -ENODEV;
	if (zero) /* read-only: never writable, as Linux clears VM_MAYWRITE */
		return map_anon(vs, addr, page_round_up(len), vmprot, flags,
				(f->flags & O_ACCMODE) == O_RDONLY ? VMA_NOWRITE : 0);
	return map_file(vs, addr, len, vmprot, flags, f, off);
}

/* Linux's mapping types: MAP_PRIVATE or MAP_SHARED (other flags Linux
 * does not know are ignored), or, for files, MAP_SHARED_VALIDATE, which
 * refuses unknown flags (-EOPNOTSUPP) and is otherwise MAP_SHARED.
 * *flags comes back with the type MAP_SHARED or MAP_PRIVATE, and
 * MAP_FIXED set when MAP_FIXED_NOREPLACE is. */
static int map_type(uint64_t *flags)
{
	uint64_t type = *flags & MAP_TYPE;
	bool anon = *flags & MAP_ANONYMOUS;

	if (type == MAP_SHARED_VALIDATE && !anon) {
		if (*flags & ~(uint64_t)(MAP_LEGACY_MASK | MAP_SHARED_VALIDATE | MAP_FIXED_NOREPLACE))
			return -EOPNOTSUPP;
		type = MAP_SHARED;
	}
	if (type != MAP_SHARED && type != MAP_PRIVATE)
		return -EINVAL;
	if (anon && type == MAP_SHARED && (*flags & MAP_GROWSDOWN))
		return -EINVAL; /* shared memory cannot grow down */
	*flags = (*flags & ~(uint64_t)MAP_TYPE) | type;
	if (*flags & MAP_FIXED_NOREPLACE)
		*flags |= MAP_FIXED;
	return 0;
}

/* MAP_POPULATE (or MAP_LOCKED, which Linux populates too): make the
 * pages present now, as read faults would, stopping at the first that
 * cannot be (past the end of a file, out of memory: the mmap succeeds
 * all the same, as on Linux) or at SIGKILL. */
static void populate(struct vm_space *vs, uint64_t start, uint64_t end)
{
	for (uint64_t va = start; va < end; va += PAGE_SIZE) {
		if (fatal_signal_pending())
			return;
		sched_cond_resched();
		if (uvm_prefault(vs, va))
			return;
	}
}

/* ---- memory locks ------------------------------------------------------------------
 * Kestrel never pages memory out, so a lock changes no page's fate: what
 * the calls keep is Linux's bookkeeping and its errors. Locked regions
 * carry VMA_LOCKED (VmLck in /proc/PID/status, msync's MS_INVALIDATE),
 * count against RLIMIT_MEMLOCK unless CAP_IPC_LOCK, and are populated as
 * Linux's mlock populates them; mlockall(MCL_FUTURE) locks regions made
 * later. Locks are not inherited across fork, and exec drops them. */

/* Linux's can_do_mlock: a non-zero RLIMIT_MEMLOCK, or CAP_IPC_LOCK. */
static bool can_mlock(void)
{
	return rlimit_cur(current_process(), RLIMIT_MEMLOCK) != 0 || capable(CAP_IPC_LOCK);
}

/* Would [start, end) locked on top of what is locked now (the range's
 * locked part counted once) stay within RLIMIT_MEMLOCK, in pages as
 * Linux counts? Always, with CAP_IPC_LOCK. */
static bool mlock_fits(const struct vm_space *vs, uint64_t start, uint64_t end)
{
	if (capable(CAP_IPC_LOCK))
		return true;
	uint64_t limit = rlimit_cur(current_process(), RLIMIT_MEMLOCK) / PAGE_SIZE;
	uint64_t now = uvm_flag_bytes(vs, 0, USER_VA_END, VMA_LOCKED) / PAGE_SIZE;
	uint64_t more = (end - start) / PAGE_SIZE - uvm_flag_bytes(vs, start, end, VMA_LOCKED) / PAGE_SIZE;
	return now + more <= limit;
}

/* Linux's apply_vma_lock_flags: [start, end) (page aligned) locked or
 * unlocked; EINVAL if it wraps, ENOMEM if any of it is not mapped. */
static long lock_range(struct vm_space *vs, uint64_t start, uint64_t end, bool lock)
{
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	if (uvm_mapped_bytes(vs, start, end) != end - start)
		return -ENOMEM;
	return lock ? uvm_set_flags(vs, start, end, VMA_LOCKED) : uvm_clear_flags(vs, start, end, VMA_LOCKED);
}

/* Linux's do_mlock: the range widened to whole pages (its length may
 * wrap, as Linux's PAGE_ALIGN does), EPERM without the right to lock,
 * ENOMEM past RLIMIT_MEMLOCK, then locked and (unless on_fault) populated. */
static long do_mlock(uint64_t start, uint64_t len, bool on_fault)
{
	struct vm_space *vs = vm();

	if (!can_mlock())
		return -EPERM;
	len = page_round_up(len + page_offset(start));
	start = page_round_down(start);
	if (start + len >= start && !mlock_fits(vs, start, start + len))
		return -ENOMEM;
	long r = lock_range(vs, start, start + len, true);
	if (!r && !on_fault)
		populate(vs, start, start + len);
	return r;
}

static long mlock_locked(unsigned long start, size_t len)
{
	return do_mlock(start, len, false);
}

/* mlock holding the space's map_lock (mm/uvm.h) and the kernel lock. */
SYSCALL_DEFINE2(mlock, unsigned long, start, size_t, len)
{
	return with_map_lock(mlock_locked(start, len));
}

static long mlock2_locked(unsigned long start, size_t len, int flags)
{
	if ((unsigned)flags & ~MLOCK_ONFAULT)
		return -EINVAL;
	return do_mlock(start, len, flags & MLOCK_ONFAULT);
}

/* mlock2 holding the space's map_lock (mm/uvm.h) and the kernel lock. */
SYSCALL_DEFINE3(mlock2, unsigned long, start, size_t, len, int, flags)
{
	return with_map_lock(mlock2_locked(start, len, flags));
}

static long munlock_locked(unsigned long start, size_t len)
{
	len = page_round_up(len + page_offset(start));
	start = page_round_down(start);
	return lock_range(vm(), start, start + len, false);
}

/* munlock holding the space's map_lock (mm/uvm.h) and the kernel lock. */
SYSCALL_DEFINE2(munlock, unsigned long, start, size_t, len)
{
	return with_map_lock(munlock_locked(start, len));
}

/* Every region's pages present, region by region (a PROT_NONE one, or a
 * file's end, stops only its own), as Linux's mm_populate. */
static void populate_all(struct vm_space *vs)
{
	for (const struct vma *v = uvm_next_vma(vs, NULL); v; v = uvm_next_vma(vs, v))
		populate(vs, v->start, v->end);
}

static long mlockall_locked(int flags)
{
	struct vm_space *vs = vm();
	unsigned f = (unsigned)flags;

	if (!f || (f & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || f == MCL_ONFAULT)
		return -EINVAL;
	if (!can_mlock())
		return -EPERM;
	if ((f & MCL_CURRENT) && !capable(CAP_IPC_LOCK) &&
	    uvm_total_bytes(vs) / PAGE_SIZE > rlimit_cur(current_process(), RLIMIT_MEMLOCK) / PAGE_SIZE)
		return -ENOMEM;
	vs->lock_future = f & MCL_FUTURE;
	if (!(f & MCL_CURRENT))
		return 0;
	long r = uvm_set_flags(vs, 0, USER_VA_END, VMA_LOCKED);
	if (!r && !(f & MCL_ONFAULT))
		populate_all(vs);
	return r;
}

/* mlockall holding the space's map_lock (mm/uvm.h) and the kernel lock. */
SYSCALL_DEFINE1(mlockall, int, flags)
{
	return with_map_lock(mlockall_locked(flags));
}

static long munlockall_locked(void)
{
	struct vm_space *vs = vm();

	vs->lock_future = false;
	return uvm_clear_flags(vs, 0, USER_VA_END, VMA_LOCKED);
}

/* munlockall holding the space's map_lock (mm/uvm.h) and the kernel lock. */
SYSCALL_DEFINE0(munlockall)
{
	return with_map_lock(munlockall_locked());
}

/* A new mapping of len bytes that will be locked (MAP_LOCKED, or after
 * mlockall(MCL_FUTURE)): EPERM for MAP_LOCKED without the right to lock,
 * EAGAIN past RLIMIT_MEMLOCK (Linux's mlock_future_check), else 0. */
static long map_lock_check(const struct vm_space *vs, uint64_t len, uint64_t flags)
{
	if ((flags & MAP_LOCKED) && !can_mlock())
		return -EPERM;
	if (((flags & MAP_LOCKED) || vs->lock_future) && !capable(CAP_IPC_LOCK) &&
	    (uvm_flag_bytes(vs, 0, USER_VA_END, VMA_LOCKED) + len) / PAGE_SIZE >
		    rlimit_cur(current_process(), RLIMIT_MEMLOCK) / PAGE_SIZE)
		return -EAGAIN;
	return 0;
}

/* What a new mapping's flags ask beyond its placement: MAP_LOCKED (or
 * mlockall's MCL_FUTURE) is recorded and populated, as is MAP_POPULATE.
 * MAP_NORESERVE changes nothing: Kestrel never reserves. */
static void map_extras(struct vm_space *vs, uint64_t start, uint64_t len, uint64_t flags)
{
	bool locked = (flags & MAP_LOCKED) || vs->lock_future;
	if (locked)
		uvm_set_flags(vs, start, start + len, VMA_LOCKED);
	if ((flags & MAP_POPULATE) || locked)
		populate(vs, start, start + len);
}

/* mmap with vs's map_lock held, and the kernel lock unless the mapping
 * is private anonymous memory replacing none with an object. */
static long do_mmap(struct vm_space *vs, uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags,
		    uint64_t fd, uint64_t off)
{
	struct file *f = NULL;
	int err;

	if (!(flags & MAP_ANONYMOUS)) {
		if (!(f = fd_get(current_process()->files, (int)fd)))
			return -EBADF;
		if (f->flags & O_PATH) { /* Linux's fget: no O_PATH descriptor maps */
			file_put(f);
			return -EBADF;
		}
	}
	long r;
	if (len == 0 || (err = map_type(&flags)))
		r = len == 0 ? -EINVAL : err;
	else if ((flags & MAP_FIXED) && page_offset(addr))
		r = -EINVAL;
	else if (page_round_up(len) == 0 || page_round_up(len) > USER_VA_END)
		r = -ENOMEM; /* more than user space holds (Linux: TASK_SIZE) */
	else if ((err = map_lock_check(vs, page_round_up(len), flags)))
		r = err;
	else if (f)
		r = map_fd(vs, addr, len, prot, flags, f, off);
	else
		r = map_anon(vs, addr, page_round_up(len), prot_to_vm(prot), flags, 0);
	if (f)
		file_put(f);
	if (r >= 0)
		map_extras(vs, (uint64_t)r, page_round_up(len), flags);
	return r;
}

/* Does an mmap need the kernel lock (the file, its memory object; a
 * shared mapping's object; a MAP_FIXED range over a region with an
 * object, which it unmaps)? vs's map_lock held. */
static bool mmap_needs_klock(struct vm_space *vs, uint64_t addr, uint64_t len, uint64_t flags)
{
	uint64_t size = page_round_up(len);

	if (!(flags & MAP_ANONYMOUS) || (flags & MAP_TYPE) != MAP_PRIVATE)
		return true;
	return (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && size && size <= USER_VA_END &&
	       addr <= USER_VA_END - size && uvm_range_has_object(vs, addr, addr + size);
}

/* Lock-free (sys/syscall.c): the kernel lock only when mmap_needs_klock. */
SYSCALL_DEFINE6(mmap, unsigned long, addr, unsigned long, len, unsigned long, prot, unsigned long, flags, unsigned long, fd, unsigned long, off)
{
	struct vm_space *vs = vm();

	if (page_offset(off))
		return -EINVAL;
	uvm_map_lock(vs);
	bool taken = mmap_needs_klock(vs, addr, len, flags) && klock_enter_unless_held();
	long r = do_mmap(vs, addr, len, prot, flags, fd, off);
	klock_leave_taken(taken);
	uvm_map_unlock(vs);
	return r;
}

/* A hint Linux would take: free and inside what user space may map. */
static bool hint_usable(const struct vm_space *vs, uint64_t addr, uint64_t len)
{
	return addr >= USER_MIN_ADDR && addr <= USER_VA_END - len && uvm_range_free(vs, addr, addr + len);
}

/* Where a mapping without MAP_FIXED goes: the hint (rounded up to a
 * page, as Linux does) if Linux would take it, else the highest free
 * gap below mmap_next (Linux's top-down search), or with MAP_32BIT
 * inside MAP_32BIT's window. 0 when nothing fits. */
static uint64_t choose_addr(struct vm_space *vs, uint64_t hint, uint64_t len, uint64_t flags)
{
	hint = page_round_up(hint);
	if (flags & MAP_32BIT) {
		if (hint >= MAP_32BIT_BASE && hint < MAP_32BIT_END && len <= MAP_32BIT_END - hint &&
		    hint_usable(vs, hint, len))
			return hint;
		return uvm_find_free_in(vs, len, MAP_32BIT_BASE, MAP_32BIT_END);
	}
	if (hint_usable(vs, hint, len))
		return hint;
	return uvm_find_free(vs, len);
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
		if ((flags & MAP_FIXED_NOREPLACE) && !uvm_range_free(vs, addr, addr + len))
			return -EEXIST; /* the range is taken: no fallback, nothing replaced */
		if (!as_allows(vs, len, uvm_mapped_bytes(vs, addr, addr + len)))
			return -ENOMEM;
		if ((err = uvm_replace(vs, addr, addr + len, vmprot, 0)))
			return err;
		return (long)addr;
	}
	if (!as_allows(vs, len, 0))
		return -ENOMEM;
	/* A stack's growth (mm/uvm.h: the one change made without map_lock)
	 * may take the chosen range before the add: -EINVAL, choose again. */
	uint64_t hint = addr;
	do {
		if (!(addr = choose_addr(vs, hint, len, flags)))
			return -ENOMEM;
	} while ((err = uvm_add_vma(vs, addr, addr + len, vmprot, 0)) == -EINVAL);
	if (err)
		return err;
	return (long)addr;
}

/* Lock-free (sys/syscall.c): the kernel lock only for a range with a
 * memory object (unmap_range). The pages go after every CPU with the
 * space loaded has flushed them (uvm_unmap's batch). */
SYSCALL_DEFINE2(munmap, unsigned long, addr, size_t, len)
{
	struct vm_space *vs = vm();

	if (page_offset(addr) || len == 0 || addr >= USER_VA_END || page_round_up(len) == 0 ||
	    page_round_up(len) > USER_VA_END - addr)
		return -EINVAL;
	uvm_map_lock(vs);
	long r = unmap_range(vs, addr, addr + page_round_up(len));
	uvm_map_unlock(vs);
	return r;
}

/* ---- shmat and shmdt: System V segments (ipc/shm.c) as shared regions ---------- */

/* Linux's do_shmat before the mapping: shmaddr rounded down with SHM_RND
 * (SHMLBA is a page on x86), else aligned; a given address maps there
 * (MAP_FIXED) and, without SHM_REMAP, only over free addresses. The
 * address or -EINVAL in *addr's stead. */
static long shmat_addr(uint64_t *addr, int shmflg)
{
	if (!*addr)
		return shmflg & SHM_REMAP ? -EINVAL : 0;
	if (page_offset(*addr)) {
		if (!(shmflg & SHM_RND))
			return -EINVAL;
		*addr = page_round_down(*addr);
		if (!*addr && (shmflg & SHM_REMAP))
			return -EINVAL;
	}
	return 0;
}

static long shmat_locked(int shmid, unsigned long shmaddr, int shmflg)
{
	struct vm_space *vs = vm();
	uint64_t addr = shmaddr, size;
	bool fixed = shmaddr != 0;
	struct shmem *obj;
	uint64_t prot = shmflg & SHM_RDONLY ? PROT_READ : PROT_READ | PROT_WRITE;
	int ask = shmflg & SHM_RDONLY ? IPC_READ : IPC_READ | IPC_WRITE;

	if (shmflg & SHM_EXEC) {
		prot |= PROT_EXEC;
		ask |= 0111;
	}
	long r = shmid < 0 ? -EINVAL : shmat_addr(&addr, shmflg);
	if (r || (r = shm_attach(shmid, ask, &obj, &size)))
		return r;
	uint64_t len = page_round_up(size);
	if (fixed && !(shmflg & SHM_REMAP) && (addr + len < addr || !uvm_range_free(vs, addr, addr + len)))
		r = -EINVAL;
	else if (!len || len > USER_VA_END)
		r = -ENOMEM;
	else
		r = place_object(vs, addr, len, prot_to_vm(prot), fixed ? MAP_FIXED : 0, obj,
				 VMA_SHARED | VMA_SYSVSHM | (shmflg & SHM_RDONLY ? VMA_NOWRITE : 0), 0);
	if (r >= 0)
		map_extras(vs, (uint64_t)r, len, 0);
	shmem_put(obj); /* the region holds its own */
	return r;
}

/* shmat holding the space's map_lock (mm/uvm.h) and the kernel lock. */
SYSCALL_DEFINE3(shmat, int, shmid, unsigned long, shmaddr, int, shmflg)
{
	return with_map_lock(shmat_locked(shmid, shmaddr, shmflg));
}

/* The next region at or after addr that one attach at addr made (a
 * fragment of it after munmap or mprotect keeps its page offset from
 * addr, Linux's test), of obj (any segment's when obj is NULL), ending
 * within bound bytes of addr (0: anywhere). NULL when none. */
static struct vma *attach_at(struct vm_space *vs, uint64_t addr, const struct shmem *obj,
			     uint64_t bound)
{
	for (struct vma *v = uvm_first_vma_from(vs, addr); v; v = v->next) {
		if (bound && v->end - addr > bound)
			return NULL;
		if ((v->flags & VMA_SYSVSHM) && v->start >= addr &&
		    (v->start - addr) / PAGE_SIZE == v->obj_pgoff && (!obj || v->obj == obj))
			return v;
	}
	return NULL;
}

/* Linux's shmdt: unmap the attach at shmaddr, each of its fragments. */
static long shmdt_locked(unsigned long shmaddr)
{
	struct vm_space *vs = vm();

	if (page_offset(shmaddr))
		return -EINVAL;
	struct vma *v = attach_at(vs, shmaddr, NULL, 0);
	if (!v)
		return -EINVAL;
	struct shmem *obj = v->obj;
	shmem_get(obj); /* kept while its regions go, to know them */
	uint64_t bound = shmem_end(obj) * PAGE_SIZE;
	do {
		uvm_unmap(vs, v->start, v->end);
	} while ((v = attach_at(vs, shmaddr, obj, bound)) != NULL);
	shmem_put(obj);
	return 0;
}

/* shmdt holding the space's map_lock (mm/uvm.h) and the kernel lock. */
SYSCALL_DEFINE1(shmdt, unsigned long, shmaddr)
{
	return with_map_lock(shmdt_locked(shmaddr));
}

/* Linux's arch_validate_prot: the bits x86_64 knows (PROT_SEM is
 * accepted and ignored). */
static bool mprotect_prot_ok(uint64_t prot)
{
	return !(prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM));
}

/* Linux's checks in order: both grow directions, alignment, an empty
 * range (0, whatever prot says), a wrapping one, then prot. PROT_GROWSDOWN
 * applies only to grows-down regions, which Kestrel does not make: EINVAL.
 * Lock-free (sys/syscall.c): the kernel lock only where a region in the
 * range has a memory object. */
SYSCALL_DEFINE3(mprotect, unsigned long, addr, size_t, len, unsigned long, prot)
{
	uint64_t grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
	unsigned vmprot = prot_to_vm(prot);

	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP) || page_offset(addr) || addr >= USER_TOP ||
	    page_round_up(len) > USER_TOP - addr)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (page_round_up(len) == 0)
		return -ENOMEM; /* wraps: Linux's end <= start */
	if (grows || !mprotect_prot_ok(prot))
		return -EINVAL;
	struct vm_space *vs = vm();
	uint64_t end = addr + page_round_up(len);
	uvm_map_lock(vs);
	bool taken = klock_for_objects(vs, addr, end); /* a split copies a region's object */
	long r = uvm_protect(vs, addr, end, vmprot);
	klock_leave_taken(taken);
	uvm_map_unlock(vs);
	return r;
}

/* msync: MS_SYNC writes the pages of mapped disk files back to them
 * (all of them: fs/mfile.h; RAM files have no disk), after Linux's
 * checks, in its order: known flags, an aligned start, not both
 * MS_ASYNC and MS_SYNC (EINVAL); a range that wraps (ENOMEM), an empty
 * one (0); MS_INVALIDATE over a locked region (EBUSY); a hole in the
 * range (ENOMEM). */
static long msync_locked(unsigned long start, size_t len, int flags)
{
	struct vm_space *vs = vm();
	uint64_t size = page_round_up(len);

	if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) || page_offset(start) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	if ((len && !size) || start + size < start)
		return -ENOMEM;
	if (size == 0)
		return 0;
	if ((flags & MS_INVALIDATE) && uvm_range_has_flag(vs, start, start + size, VMA_LOCKED))
		return -EBUSY;
	if (uvm_mapped_bytes(vs, start, start + size) != size)
		return -ENOMEM;
	return (flags & MS_SYNC) && mfile_sync_all() ? -EIO : 0;
}

/* msync holding the space's map_lock (mm/uvm.h) and the kernel lock. */
SYSCALL_DEFINE3(msync, unsigned long, start, size_t, len, int, flags)
{
	return with_map_lock(msync_locked(start, len, flags));
}

/* mincore's vector is written in chunks of this many pages. */
#define MINCORE_CHUNK 256

/* mincore: one byte per page of [start, start + len), 1 if the page is
 * present. EINVAL for an unaligned start, ENOMEM when the range leaves
 * user space or has a hole, EFAULT for a bad vector. Costs a page-table
 * look-up per page, in a loop that yields and stops for SIGKILL. */
static long mincore_locked(unsigned long start, size_t len, uptr_t vec)
{
	struct vm_space *vs = vm();
	uint64_t size = page_round_up(len);
	uint8_t buf[MINCORE_CHUNK];

	if (page_offset(start))
		return -EINVAL;
	if ((len && !size) || start >= USER_VA_END || size > USER_VA_END - start)
		return -ENOMEM;
	if (uvm_mapped_bytes(vs, start, start + size) != size)
		return -ENOMEM;
	for (uint64_t done = 0; done < size / PAGE_SIZE;) {
		uint64_t n = size / PAGE_SIZE - done < MINCORE_CHUNK ? size / PAGE_SIZE - done
								  : MINCORE_CHUNK;
		if (fatal_signal_pending())
			return -EINTR;
		sched_cond_resched();
		for (uint64_t i = 0; i < n; i++)
			buf[i] = uvm_resident(vs, start + (done + i) * PAGE_SIZE);
		if (copy_to_user(vec + done, buf, n))
			return -EFAULT;
		done += n;
	}
	return 0;
}

/* mincore holding the space's map_lock (mm/uvm.h) and the kernel lock. */
SYSCALL_DEFINE3(mincore, unsigned long, start, size_t, len, uptr_t, vec)
{
	return with_map_lock(mincore_locked(start, len, vec));
}

/* Linux's vma_to_resize: may [addr, addr + old_len) of region v become
 * new_len bytes? A duplicate (old_len 0) only of a shared mapping
 * (EINVAL), the old range inside the one region (EFAULT), an object's
 * page index that does not wrap (EINVAL), growth within RLIMIT_AS
 * (ENOMEM). 0 if so. */
static int resize_ok(const struct vm_space *vs, const struct vma *v, uint64_t addr,
		     uint64_t old_len, uint64_t new_len)
{
	if (!old_len && !(v->flags & VMA_SHARED))
		return -EINVAL;
	if (old_len > v->end - addr)
		return -EFAULT;
	if (new_len == old_len)
		return 0;
	uint64_t pgoff = v->obj_pgoff + (addr - v->start) / PAGE_SIZE;
	if (pgoff + new_len / PAGE_SIZE < pgoff)
		return -EINVAL;
	if (new_len > old_len && !as_allows(vs, new_len - old_len, 0))
		return -ENOMEM;
	return 0;
}

/* Unmap [addr + new_len, addr + old_len), the part a shrink gives up. */
static int mremap_shrink(struct vm_space *vs, uint64_t addr, uint64_t old_len, uint64_t new_len)
{
	if (old_len <= new_len)
		return 0;
	if (old_len > USER_VA_END - addr)
		return -EINVAL; /* Linux's do_munmap: the range leaves user space */
	return uvm_unmap(vs, addr + new_len, addr + old_len);
}

/* Move region v's [addr, addr + old_len) to a fresh place, grown to
 * new_len (Linux's move_vma): the place is the hint when usable
 * (MREMAP_DONTUNMAP without MREMAP_FIXED), else the highest free gap. */
static long mremap_move(struct vm_space *vs, uint64_t addr, uint64_t old_len, uint64_t new_len,
			uint64_t hint, bool keep_old)
{
	uint64_t to = hint && hint_usable(vs, hint, new_len) ? hint : uvm_find_free(vs, new_len);

	if (!to)
		return -ENOMEM;
	int err = uvm_move(vs, addr, old_len, to, new_len, keep_old);
	return err ? err : (long)to;
}

/* Linux's mremap_to, for MREMAP_FIXED and MREMAP_DONTUNMAP, in its
 * order: an aligned destination inside user space not overlapping the
 * source (EINVAL), room for the regions (ENOMEM); then, with
 * MREMAP_FIXED, the destination is unmapped and a shrink's tail too
 * (both stay so if a later check fails, as on Linux), and the source
 * must be one region. */
static long mremap_to(struct vm_space *vs, uint64_t addr, uint64_t old_len, uint64_t new_len,
		      uint64_t flags, uint64_t to)
{
	bool fixed = flags & MREMAP_FIXED, keep_old = flags & MREMAP_DONTUNMAP;
	int err;

	if (page_offset(to) || new_len > USER_VA_END || to > USER_VA_END - new_len)
		return -EINVAL;
	if (addr + old_len > to && to + new_len > addr)
		return -EINVAL;
	if (vs->nr_vmas + 5 >= uvm_max_vmas())
		return -ENOMEM;
	if (fixed && to < USER_MIN_ADDR)
		return -EPERM; /* Linux: below mmap_min_addr */
	if (fixed && (err = uvm_unmap(vs, to, to + new_len)))
		return err;
	if ((err = mremap_shrink(vs, addr, old_len, new_len)))
		return err;
	old_len = old_len < new_len ? old_len : new_len;
	struct vma *v = uvm_find_vma(vs, addr);
	if (!v)
		return -EFAULT;
	if ((err = resize_ok(vs, v, addr, old_len, new_len)))
		return err;
	if (keep_old && !as_allows(vs, old_len, 0))
		return -ENOMEM; /* the old range stays: it counts twice */
	if (!fixed)
		return mremap_move(vs, addr, old_len, new_len, to, keep_old);
	err = uvm_move(vs, addr, old_len, to, new_len, keep_old);
	return err ? err : (long)to;
}

/* Grow region v, which ends at addr + old_len, to end at addr + new_len
 * when that range is free and inside user space (Linux's
 * vma_expandable). Done? */
static bool mremap_grow_in_place(struct vm_space *vs, struct vma *v, uint64_t addr,
				 uint64_t old_len, uint64_t new_len)
{
	if (v->end - addr != old_len || new_len > USER_VA_END - addr ||
	    !uvm_range_free(vs, v->end, addr + new_len))
		return false;
	uvm_set_end(vs, v, addr + new_len);
	return true;
}

/*
 * mremap, as Linux: the flags (only MREMAP_MAYMOVE, MREMAP_FIXED with
 * MAYMOVE, MREMAP_DONTUNMAP with MAYMOVE and equal sizes), an aligned
 * address and a non-zero new size (EINVAL); a region at addr (EFAULT).
 * A shrink unmaps the tail in place (across regions too); a growth
 * extends the region when the range after it is free, else, with
 * MREMAP_MAYMOVE, moves it (its pages' entries moved, not copied),
 * else ENOMEM. old_size 0 duplicates a shared mapping. Not done: a
 * same-size MREMAP_FIXED move of several regions at once (Linux 6.17):
 * EFAULT, as earlier Linux.
 */
static long mremap_locked(unsigned long addr, unsigned long old_len, unsigned long new_len,
			  unsigned long flags, unsigned long new_addr)
{
	struct vm_space *vs = vm();
	int err;

	if ((flags & ~(uint64_t)(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) ||
	    ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) ||
	    ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || old_len != new_len)) ||
	    page_offset(addr))
		return -EINVAL;
	old_len = page_round_up(old_len);
	new_len = page_round_up(new_len);
	if (!new_len)
		return -EINVAL;
	struct vma *v = uvm_find_vma(vs, addr);
	if (!v)
		return -EFAULT;
	if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))
		return mremap_to(vs, addr, old_len, new_len, flags, new_addr);
	if (old_len >= new_len) {
		err = mremap_shrink(vs, addr, old_len, new_len);
		return err ? err : (long)addr;
	}
	if ((err = resize_ok(vs, v, addr, old_len, new_len)))
		return err;
	if (mremap_grow_in_place(vs, v, addr, old_len, new_len))
		return (long)addr;
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	return mremap_move(vs, addr, old_len, new_len, 0, false);
}

/* Does [start, start + len) (len rounded up to pages, at least one)
 * leave user space or hold a region with a memory object? What
 * mremap_needs_klock asks of each range it may change. vs's map_lock
 * held. */
static bool range_odd_or_object(struct vm_space *vs, uint64_t start, uint64_t len)
{
	uint64_t size = page_round_up(len);

	if (!size)
		size = len ? 0 : PAGE_SIZE; /* a length that wraps, or a duplicate's 0 */
	if (!size || !user_range_ok(start, size))
		return true;
	return uvm_range_has_object(vs, start, start + size);
}

/* Does an mremap need the kernel lock: a region with a memory object
 * where it may change regions (the old range, which a shrink cuts, a
 * growth extends and a move empties; with MREMAP_FIXED the new one,
 * which it unmaps first)? Ranges outside user space take it too, as
 * every mremap did before: mremap_locked refuses them before it changes
 * anything. vs's map_lock held. */
static bool mremap_needs_klock(struct vm_space *vs, uint64_t addr, uint64_t old_len,
			       uint64_t new_len, uint64_t flags, uint64_t new_addr)
{
	return range_odd_or_object(vs, addr, old_len) ||
	       ((flags & MREMAP_FIXED) && range_odd_or_object(vs, new_addr, new_len));
}

/* Lock-free (sys/syscall.c): the kernel lock only when mremap_needs_klock.
 * A move of private anonymous memory moves page-table entries under the
 * space's lock (uvm_move), as munmap drops them. */
SYSCALL_DEFINE5(mremap, unsigned long, addr, unsigned long, old_len, unsigned long, new_len,
		unsigned long, flags, unsigned long, new_addr)
{
	struct vm_space *vs = vm();

	uvm_map_lock(vs);
	bool taken = mremap_needs_klock(vs, addr, old_len, new_len, flags, new_addr) &&
		     klock_enter_unless_held();
	long r = mremap_locked(addr, old_len, new_len, flags, new_addr);
	klock_leave_taken(taken);
	uvm_map_unlock(vs);
	return r;
}

/* ---- madvise ---------------------------------------------------------------------- */

/* Advice Linux knows (5-7 were never assigned). The hardware-poisoning
 * ones (100, 101) are not: Kestrel has no memory-failure handling, like
 * a Linux built without it; nor MADV_MERGEABLE and MADV_UNMERGEABLE:
 * Kestrel merges no pages, as a Linux without CONFIG_KSM. */
static bool madv_known(int advice)
{
	if (advice == MADV_MERGEABLE || advice == MADV_UNMERGEABLE)
		return false;
	return (advice >= MADV_NORMAL && advice <= MADV_COLLAPSE && (advice < 5 || advice > 7)) ||
	       advice == MADV_GUARD_INSTALL || advice == MADV_GUARD_REMOVE;
}

/* MADV_REMOVE (Linux's madvise_remove): EINVAL on locked memory or
 * memory no shared file or object is behind, EACCES unless shared and
 * writable; then 0. Linux punches the hole in the file (its pages read
 * zero after); Kestrel does not yet, and leaves the bytes (as it did
 * before these checks): a gap docs/compatibility.md names. */
static long madv_remove(const struct vm_space *vs, uint64_t start, uint64_t end)
{
	if (uvm_range_has_flag(vs, start, end, VMA_LOCKED))
		return -EINVAL;
	for (const struct vma *v = uvm_first_vma_from(vs, start); v && v->start < end; v = v->next) {
		if (v->end <= start)
			continue;
		if (!(v->flags & VMA_SHARED) || !v->obj)
			return -EINVAL;
		if (!(v->prot & VM_WRITE))
			return -EACCES;
	}
	return 0;
}

/* The advice kept as a region's flags: what a fork's child gets (uvm_fork), what a
 * core holds (proc/coredump.c). 0, -EINVAL
 * (MADV_WIPEONFORK on anything but private anonymous memory), -ENOMEM. */
static long region_advice(struct vm_space *vs, uint64_t start, uint64_t end, int advice)
{
	switch (advice) {
	case MADV_DONTFORK:
		return uvm_set_flags(vs, start, end, VMA_DONTCOPY);
	case MADV_DOFORK:
		return uvm_clear_flags(vs, start, end, VMA_DONTCOPY);
	case MADV_WIPEONFORK:
		if (!uvm_range_private_anon(vs, start, end))
			return -EINVAL;
		return uvm_set_flags(vs, start, end, VMA_WIPEONFORK);
	case MADV_KEEPONFORK:
		return uvm_clear_flags(vs, start, end, VMA_WIPEONFORK);
	case MADV_DONTDUMP:
		return uvm_set_flags(vs, start, end, VMA_DONTDUMP);
	case MADV_DODUMP:
		return uvm_clear_flags(vs, start, end, VMA_DONTDUMP);
	default:
		return 0;
	}
}

/* Linux's checks in order: known advice, aligned start, a length that
 * does not wrap when rounded up; then the advice is applied to what is
 * mapped, and a hole in the range is ENOMEM. MADV_DONTNEED drops the
 * pages (private anonymous memory refaults zero-filled, private file
 * mappings from the file, shared memory keeps its contents); MADV_FREE
 * does the same on private anonymous memory (Linux may free its pages
 * lazily; reading zero is one of its outcomes) and is EINVAL elsewhere;
 * both are EINVAL on locked memory. MADV_REMOVE: madv_remove.
 * MADV_DONTFORK and MADV_DOFORK keep a region from a fork's child or
 * give it back; MADV_WIPEONFORK (private anonymous memory only, else
 * EINVAL) and MADV_KEEPONFORK give the child the region empty or as is;
 * MADV_DONTDUMP and MADV_DODUMP keep a region out of a core or put it
 * back (proc/coredump.c).
 * All other advice changes nothing here. vs's map_lock held, and the
 * kernel lock where a region in the range has a memory object. */
static long madvise_locked(struct vm_space *vs, unsigned long start, size_t len, int advice)
{
	uint64_t size = page_round_up(len);

	if (!madv_known(advice) || page_offset(start) || (len && !size) ||
	    start + size < start)
		return -EINVAL;
	if (size == 0)
		return 0;
	if ((advice == MADV_DONTNEED || advice == MADV_FREE) &&
	    uvm_range_has_flag(vs, start, start + size, VMA_LOCKED))
		return -EINVAL; /* Linux's can_madv_lru_vma: not locked memory */
	if (advice == MADV_DONTNEED || advice == MADV_FREE)
		return uvm_discard(vs, start, start + size, advice == MADV_FREE);
	if (advice == MADV_REMOVE)
		return madv_remove(vs, start, start + size);
	long err = region_advice(vs, start, start + size, advice);
	if (err)
		return err;
	return uvm_mapped_bytes(vs, start, start + size) == size ? 0 : -ENOMEM;
}

/* Lock-free (sys/syscall.c): the kernel lock only where a region in the
 * range has a memory object (a split copies it; a discard drops its
 * pages). A range that wraps takes none: madvise_locked refuses it
 * before it looks at a region. */
SYSCALL_DEFINE3(madvise, unsigned long, start, size_t, len, int, advice)
{
	struct vm_space *vs = vm();
	uint64_t end = start + page_round_up(len);

	uvm_map_lock(vs);
	bool taken = end > start && klock_for_objects(vs, start, end);
	long r = madvise_locked(vs, start, len, advice);
	klock_leave_taken(taken);
	uvm_map_unlock(vs);
	return r;
}

/* ---- remap_file_pages ------------------------------------------------------------- */

/* The region flags a remapped range keeps: what its mapping is, not
 * what madvise set on it (Linux's do_mmap makes a new region). */
#define REMAP_KEPT_FLAGS (VMA_SHARED | VMA_NOWRITE | VMA_SYSVSHM)

/* Does [v->start's region, end) run through regions of v's object with
 * v's protection and flags, without a hole (Linux's checks of the
 * regions after the first)? */
static bool remap_range_ok(struct vm_space *vs, const struct vma *v, uint64_t end)
{
	const struct vma *prev = v;

	while (prev->end < end) {
		const struct vma *next = uvm_first_vma_from(vs, prev->end);
		if (!next || next->start != prev->end || next->obj != v->obj ||
		    next->prot != v->prot || next->flags != v->flags)
			return false;
		prev = next;
	}
	return true;
}

/* The shared mapping v's object mapped again at [start, start + size)
 * from page pgoff on, as mmap(MAP_SHARED | MAP_FIXED | MAP_POPULATE) of
 * the same file: the region's protection and kind, its file's name
 * (v goes: place() unmaps it, so what is kept is taken first). A
 * System V segment removed with IPC_RMID whose last attach this unmaps
 * goes (-EINVAL, the range left unmapped), as Linux's shm_mmap fails. */
static long remap_object(struct vm_space *vs, const struct vma *v, uint64_t start, uint64_t size,
			 uint64_t pgoff, bool populate_now)
{
	struct shmem *obj = v->obj;
	struct vm_name *name = v->name;
	unsigned vmprot = v->prot, kept = v->flags & REMAP_KEPT_FLAGS;
	bool locked = v->flags & VMA_LOCKED;

	shmem_get(obj);
	if (name)
		vm_name_get(name);
	long r = 0;
	if (kept & VMA_SYSVSHM) { /* unmapped first: it may take the segment's last attach */
		r = uvm_unmap(vs, start, start + size);
		if (!r && shm_remap_gone(obj))
			r = -EINVAL;
	}
	if (!r)
		r = place_object(vs, start, size, vmprot, MAP_SHARED | MAP_FIXED, obj, kept, pgoff);
	if (r >= 0 && name)
		uvm_set_name(vs, start, name, pgoff * PAGE_SIZE);
	if (r >= 0)
		map_extras(vs, start, size, (locked ? MAP_LOCKED : 0) | (populate_now ? MAP_POPULATE : 0));
	if (name)
		vm_name_put(name);
	shmem_put(obj);
	return r;
}

/* remap_file_pages(start, size, prot, pgoff, flags): Linux 4.0's
 * emulation (mm/mmap.c), which makes no non-linear mapping: the range,
 * which must lie in shared mappings of one object (a file, shared
 * anonymous memory, a System V segment) with one protection and no
 * hole, maps that object again from page pgoff on. prot must be 0;
 * start and size are rounded down to pages; flags but MAP_NONBLOCK (no
 * populating) are ignored. 0, or -EINVAL, or mmap's errors. */
static long remap_file_pages_locked(unsigned long start, unsigned long size, unsigned long prot,
				    unsigned long pgoff, unsigned long flags)
{
	struct vm_space *vs = vm();

	if (prot)
		return -EINVAL;
	start &= ~(uint64_t)(PAGE_SIZE - 1);
	size &= ~(uint64_t)(PAGE_SIZE - 1);
	if (start + size <= start || pgoff + (size >> PAGE_SHIFT) < pgoff)
		return -EINVAL;
	struct vma *v = uvm_find_vma(vs, start);
	if (!v || !(v->flags & VMA_SHARED) || !v->obj || !remap_range_ok(vs, v, start + size))
		return -EINVAL;
	long r = remap_object(vs, v, start, size, pgoff, !(flags & MAP_NONBLOCK));
	return r < 0 ? r : 0;
}

/* remap_file_pages holding the space's map_lock (mm/uvm.h) and the kernel lock. */
SYSCALL_DEFINE5(remap_file_pages, unsigned long, start, unsigned long, size, unsigned long, prot,
		unsigned long, pgoff, unsigned long, flags)
{
	return with_map_lock(remap_file_pages_locked(start, size, prot, pgoff, flags));
}
