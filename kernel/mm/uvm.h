/* SPDX-License-Identifier: MIT */
/* User address spaces: a PML4 sharing the kernel half, and regions (VMAs, in a sorted list and a gap-augmented tree) with demand-zero paging. */
#ifndef KESTREL_MM_UVM_H
#define KESTREL_MM_UVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mm/layout.h"
#include "lib/avl.h"
#include "lib/spinlock.h"
#include "proc/sched.h" /* struct sleeplock (map_lock), taken by this file's callers only */

#define USER_STACK_TOP   USER_VA_END               /* the stack ends where user space does */
#define USER_MMAP_BASE   0x00007f0000000000ull     /* mmap grows down from here */
#define USER_PIE_BASE    0x0000555555554000ull
#define USER_INTERP_BASE 0x00007fff00000000ull

#define VMA_GROWSDOWN (1u << 0)  /* the stack: faults just below extend it */
#define VMA_HEAP      (1u << 1)  /* the brk region */
#define VMA_SIGBUS    (1u << 2)  /* a file mapping's pages past the end of the file */
#define VMA_SHARED    (1u << 3)  /* MAP_SHARED: writes go to the region's object, seen by all */
#define VMA_NOWRITE   (1u << 4)  /* MAP_SHARED of a file not open for writing: never writable */
#define VMA_LOCKED    (1u << 5)  /* MAP_LOCKED (msync's MS_INVALIDATE is EBUSY on it) */
#define VMA_SYSVSHM   (1u << 6)  /* a System V segment's attach (shmat; shmdt finds it) */
#define VMA_DONTCOPY  (1u << 7)  /* MADV_DONTFORK: a fork's child does not get the region */
#define VMA_WIPEONFORK (1u << 8) /* MADV_WIPEONFORK: a fork's child gets it empty (zero-filled) */
#define VMA_DONTDUMP  (1u << 9)  /* MADV_DONTDUMP: not in a core (proc/coredump.c); a fork's child keeps it */

struct shmem;
struct vm_name;

/* A region of user addresses [start, end), page aligned, with VM_* prot.
 * Pages inside are mapped on first touch (zero-filled) unless exec
 * mapped them already. */
struct vma {
	uint64_t start, end;
	unsigned prot;
	unsigned flags;
	/* Demand-loaded contents: the bytes [backing_va, backing_va +
	 * backing_len) of this region come from backing, memory that stays
	 * put for the kernel's lifetime (the boot archive); a page is copied
	 * from it on first touch, the rest of the page is zero. */
	const uint8_t *backing;
	uint64_t backing_va, backing_len;
	/* A memory object (mm/shmem.h) whose page obj_pgoff + (va - start) /
	 * PAGE_SIZE is va's page: shared (VMA_SHARED), or a private
	 * mapping's snapshot that a write copies. NULL for anonymous
	 * private memory. The region holds a reference. */
	struct shmem *obj;
	uint64_t obj_pgoff;
	/* The file the region maps, for /proc/PID/maps (NULL: anonymous),
	 * and the file offset of start. The region holds a reference. */
	struct vm_name *name;
	uint64_t name_off;
	struct vm_space *vs;      /* the space the region is in */
	struct vma *obj_next;     /* the next region mapping obj (shmem_rmap) */
	struct vma **obj_pprev;   /* what points at this one in that list */
	struct vma *next;         /* sorted by start */
	/* The space's region tree, keyed by start, and the summary of this
	 * node's subtree that the free-gap search reads: the lowest start,
	 * the highest end and the largest gap between two of its regions.
	 * Kept by mm/uvm.c. */
	struct avl_node node;
	uint64_t sub_lo, sub_hi, sub_gap;
};

/* Linux's vm.max_map_count: more regions than this is ENOMEM. Its
 * default, and the value (a sysctl root may set from 0 to INT_MAX; read
 * and written atomically, no lock). */
#define UVM_MAX_VMAS_DEFAULT 65530
extern int uvm_max_map_count;
static inline unsigned uvm_max_vmas(void)
{
	return (unsigned)__atomic_load_n(&uvm_max_map_count, __ATOMIC_RELAXED);
}
/* Linux's stack_guard_gap: the stack does not grow within this distance
 * of the region below it. */
#define STACK_GUARD_GAP   (256 * PAGE_SIZE)

/*
 * Lock rules. An address space is changed by a thread using it (its
 * process's, or another's that shares it through vfork or CLONE_VM), by
 * its creator before that thread first runs, or by a holder of the kernel
 * lock reaching into it (ptrace, /proc/PID/mem, process_vm_writev, a file
 * truncated under a mapping). Nothing in this file sleeps. Two locks:
 *
 * `map_lock`, the regions' writers' lock (Linux's mmap_lock taken for
 * writing), a sleeping lock (proc/sched.h's sleeplock; one
 * compare-and-swap when free), taken by the callers of this file around
 * a whole change of the regions, never inside it: mmap, munmap,
 * mprotect, brk, mremap, madvise, the mlock calls, shmat and shmdt, aio's
 * ring, msync and mincore (whose checks read the regions), fork's copy
 * (so the child sees no half-made mmap) and the core dump's look at the
 * regions. Sleeping, not a spinlock, because what it covers may fault
 * (mmap of a procfs file reads into the new region; mincore writes its
 * vector), allocate page after page (MAP_POPULATE, mlock) and reschedule
 * (sched_cond_resched in those loops): none of which may happen with
 * interrupts off. The kernel lock may be held while it is taken (the
 * wait gives the kernel lock up, as a pipe's lock's does), and taken
 * while it is held; page faults never take it, so its holder may touch
 * user memory.
 *
 * `lock`, the space's lock (Linux's page-table lock; a spinlock, held
 * with interrupts off), is taken inside this file's functions, never by
 * their callers:
 *   - every change to the regions (the list, the tree, each region's
 *     fields, nr_vmas, total_bytes) is made holding `map_lock` AND
 *     `lock`, so the regions may be read holding either one. The one
 *     exception is stack growth (a fault below a VMA_GROWSDOWN region,
 *     under `lock` and the kernel lock, as Linux grows a stack under
 *     mmap_lock taken for reading): it moves that region's start down
 *     and changes total_bytes and the tree's gap summaries, nothing else
 *     (no region is added, freed or relinked). A `map_lock` holder that
 *     chose a free range re-checks it under `lock` when it adds its
 *     region (uvm_add_vma refuses an overlap; mmap chooses again);
 *   - a region with a memory object (obj) changes under the kernel
 *     lock too (the objects' pages are still the kernel lock's): a
 *     change that may touch such a region (uvm_range_has_object) takes
 *     it. The one exception is a fork's child: uvm_fork copies the
 *     parent's regions with objects, and links the copies to their
 *     objects, without the kernel lock (unless an object has hooks:
 *     uvm_needs_klock);
 *   - the objects' lists of regions (shmem_rmap, each region's obj_next
 *     and obj_pprev) change under `rmap_lock` (uvm.c), one spinlock for
 *     all objects, innermost: taken inside a space's `lock` or alone,
 *     never the other way round. A region leaves a list only under the
 *     kernel lock as well, so a walker holding the kernel lock (a
 *     truncate) may let `rmap_lock` go between two steps and take each
 *     region's space's `lock` in turn: its region stays listed, and a
 *     fork's child linked after its look at the list is trimmed by the
 *     fork (uvm.c's fork_link: the truncation lowers the object's end
 *     first, the fork looks at it after linking). shm's walkers (its
 *     regions all change under the kernel lock) need the kernel lock
 *     alone;
 *   - every change to the page tables below USER_VA_END (an entry, a
 *     table added), to `resident` and to `hiwater`, holding `lock` (a
 *     page fault without the kernel lock maps pages and breaks
 *     copy-on-write: uvm_try_fault). Page tables are freed only with
 *     the space. A read of one entry or of the counts needs no lock;
 *   - readers holding neither (/proc/PID/maps and its kin, a fault's
 *     si_code, a shared futex's key, pagemap) use the functions below
 *     that say they take `lock`;
 *   - the space itself lives while a process uses it (refs): a page
 *     fault runs in a thread of such a process, and exec and exit drop
 *     the reference only once their process's other threads are gone.
 * What `lock` is held for is short and bounded by the range or the
 * regions asked for (a fork's copy: the parent's populated tables;
 * /proc/PID/maps: its regions, as many as its buffer holds). It is spun
 * on answering TLB shootdowns (spin_lock_irqoff_poll), since its holder
 * may send one and wait for every CPU with the space loaded.
 * Order: `map_lock`, the kernel lock, `lock`, `rmap_lock`, the
 * shared-page table's lock (uvm.c), tlb.c's sender lock, the heap's and
 * the page allocator's (a kernel-lock holder may wait for `map_lock`:
 * it sleeps, which gives the kernel lock up). Never two spaces' locks
 * at once, but for a fork's trim of its child (parent's, then the
 * child's, which nothing else reaches but a truncation holding no other
 * space's: uvm.c's fork_link). The child is written without its lock
 * until its regions are linked to their objects.
 * brk_start, brk, mmap_next and lock_future: `map_lock` (fork reads
 * them holding it; exec writes a new space no one else sees).
 */
struct vm_space {
	int refs;                 /* processes using it (vfork and clone(CLONE_VM) share it); atomic */
	uint64_t serial;          /* unique for the boot: names it without a reference (/proc/PID/mem) */
	uint64_t pml4;            /* physical; set at creation */
	struct sleeplock map_lock; /* the regions' writers: see above */
	struct spinlock lock;     /* see above */
	/* The regions: changed under `map_lock` and `lock`. */
	struct vma *vmas;         /* in address order, for walks */
	struct avl_tree tree;     /* the same regions, for O(log n) lookups and gaps */
	unsigned nr_vmas;         /* length of the vmas list */
	uint64_t total_bytes;     /* what the regions cover (Linux's total_vm, in bytes) */
	/* Changed under `lock` (with the page tables). */
	uint64_t resident;        /* pages mapped (shared ones count in each space) */
	uint64_t hiwater;         /* the most pages resident at once (getrusage's ru_maxrss) */
	/* `map_lock`. */
	uint64_t brk_start, brk;  /* the heap: [brk_start, brk) */
	uint64_t mmap_next;       /* mmap's top-down search starts below (Linux's mmap_base) */
	bool lock_future;         /* mlockall(MCL_FUTURE): new regions are VMA_LOCKED (not inherited) */
	/* membarrier(2)'s registrations (sys_membarrier.c's bits), as Linux's
	 * mm->membarrier_state: kept by fork, cleared by exec (a new space).
	 * Read and or'ed with __atomic, no lock. */
	uint32_t membarrier;
};

/* Take vs's map_lock (the lock rules above), sleeping while another
 * thread holds it; a kill does not interrupt the wait (its holders only
 * compute, allocate and copy). No spinlock held. */
static inline void uvm_map_lock(struct vm_space *vs)
{
	sleeplock_lock_unkillable(&vs->map_lock);
}
static inline void uvm_map_unlock(struct vm_space *vs)
{
	sleeplock_unlock(&vs->map_lock);
}

/* Free up to pages of the shared program pages no mapping holds (the
 * table of read-only boot-archive pages every process of a program
 * maps): how many. For the OOM killer, before it picks a victim; any
 * context but under that table's lock. */
size_t uvm_shared_reclaim(size_t pages);

struct vm_space *uvm_create(void);
/* Drop a reference; the last one frees every page and table. */
void uvm_destroy(struct vm_space *vs);
/* uvm_destroy in two halves, so that the costly one may come later.
 * uvm_release_begin drops a reference and, when it was the last, takes
 * the space off every object's list (their truncations no longer reach
 * it) and lets the objects go: true, and the caller must call
 * uvm_release_end. With or without the kernel lock: it takes it itself
 * for a region that maps an object with hooks (as uvm_needs_klock
 * asks), whose list only the kernel lock's holder may change. The space must be
 * loaded on no CPU by the time its last reference goes. uvm_release_end
 * frees the pages, tables and regions, with or without the kernel lock:
 * nothing else reaches the space any more. Any context where the kernel
 * lock may be taken (no spinlock held). */
bool uvm_release_begin(struct vm_space *vs);
void uvm_release_end(struct vm_space *vs);
/* fork: a copy sharing every page copy-on-write (writable pages become
 * read-only in both until the first write fault copies them), except in
 * VMA_SHARED regions, whose pages both keep mapping as they are. The
 * parent's map_lock held; the kernel lock only when
 * uvm_needs_klock. NULL when out of memory. */
struct vm_space *uvm_fork(struct vm_space *parent);
/* Does a region of vs map an object with hooks (a System V segment,
 * whose attach count the hooks keep under the kernel lock)? Then
 * uvm_fork wants the kernel lock. map_lock held. */
bool uvm_needs_klock(const struct vm_space *vs);

/* The limits a fault must respect: the process's RLIMIT_STACK and
 * RLIMIT_AS, in bytes (~0: none). */
struct uvm_limits {
	uint64_t stack, as;
};

/* The functions below that change regions (add, set, unmap, move,
 * protect, discard, flags) take `lock` themselves and want `map_lock`
 * held by their caller (and the kernel lock when a region with an
 * object may be touched); those that read them, returning regions or
 * figures about them, want `map_lock` or `lock` held, unless they say
 * they take `lock` themselves. */

/* Add a region (no overlap allowed): 0, -EINVAL (misaligned, overlap),
 * -ENOMEM (outside [USER_MIN_ADDR, USER_VA_END), too many regions, no
 * memory). */
int uvm_add_vma(struct vm_space *vs, uint64_t start, uint64_t end, unsigned prot, unsigned flags);
/* mmap's MAP_FIXED: [start, end) unmapped, then the region added, in one
 * hold of `lock` (a stack's growth cannot slip in between). 0, or
 * uvm_unmap's or uvm_add_vma's error (after a failed add the range
 * stays unmapped, as Linux leaves it after a failed MAP_FIXED). */
int uvm_replace(struct vm_space *vs, uint64_t start, uint64_t end, unsigned prot, unsigned flags);
/* The region containing va, or NULL. */
struct vma *uvm_find_vma(struct vm_space *vs, uint64_t va);
/* Is va in a region? Takes `lock` (for holders of neither lock: a
 * fault's si_code). */
bool uvm_mapped_at(struct vm_space *vs, uint64_t va);
/* The memory object of the shared region (VMA_SHARED) containing va
 * and va's byte offset in it, or NULL: a shared futex's key. Takes
 * `lock`; the kernel lock held, which keeps the object's regions. */
struct shmem *uvm_shared_object_at(struct vm_space *vs, uint64_t va, uint64_t *off);
/* Does a region overlapping [start, end) have a memory object? A
 * change there needs the kernel lock (the lock rules). `map_lock` held. */
bool uvm_range_has_object(const struct vm_space *vs, uint64_t start, uint64_t end);
/* Call fn on each region in address order, holding `lock` (interrupts
 * off), until it returns false: for readers that hold neither lock
 * (/proc/PID/maps, smaps, statm, status). fn must not sleep, fault or
 * take a lock uvm.h's order puts before `lock`; the walk costs the
 * regions it visits. */
void uvm_walk(struct vm_space *vs, bool (*fn)(struct vm_space *vs, const struct vma *v, void *arg),
	      void *arg);
/* The region containing addr, else the first above it; NULL if none. For
 * walks over a range along ->next. O(log n). */
struct vma *uvm_first_vma_from(const struct vm_space *vs, uint64_t addr);
/* Move the end of region v (the heap) to end, which the caller checked
 * is free up to the next region. */
void uvm_set_end(struct vm_space *vs, struct vma *v, uint64_t end);
/* Remove [start, end) from the regions and unmap it: 0 or -ENOMEM (a
 * split needed a region that could not be had). Costs O(log n) in the
 * number of regions, plus the regions in the range and their populated
 * page tables, not the length of the range. */
int uvm_unmap(struct vm_space *vs, uint64_t start, uint64_t end);
/* The same unless a region overlapping [start, end) has a memory object:
 * then -EAGAIN, nothing changed (the caller takes the kernel lock and
 * calls uvm_unmap). munmap's and brk's lock-free path. */
int uvm_unmap_no_object(struct vm_space *vs, uint64_t start, uint64_t end);
/* mremap's move: the region containing old, seen from old on, becomes a
 * region at [to, to + new_len) (an empty range not overlapping the old
 * one) with the same protection, flags, object and file offsets; the
 * present pages of [old, old + min(old_len, new_len)) move there (their
 * entries moved, not copied; TLB flushed). The caller checked that
 * [old, old + old_len) lies inside one region. The old range is then
 * unmapped, unless old_len is 0 (a duplicate of a shared mapping) or
 * keep_old (MREMAP_DONTUNMAP: the old region stays, its pages gone). 0,
 * -ENOMEM (too many regions or no memory: nothing moved) or -EFAULT (no
 * region at old). */
int uvm_move(struct vm_space *vs, uint64_t old, uint64_t old_len, uint64_t to, uint64_t new_len,
	     bool keep_old);
/* Change protection of [start, end), which must be covered by regions
 * (-ENOMEM for a hole, as Linux; -EACCES for write on a VMA_NOWRITE
 * region, nothing changed). Same cost as uvm_unmap. */
int uvm_protect(struct vm_space *vs, uint64_t start, uint64_t end, unsigned prot);
/* Bytes of user address space in regions (Linux's total_vm), and the
 * part of [start, end) already in regions. For RLIMIT_AS. */
uint64_t uvm_total_bytes(const struct vm_space *vs); /* one load: no lock */
uint64_t uvm_mapped_bytes(const struct vm_space *vs, uint64_t start, uint64_t end);
/* No region overlaps [start, end). */
bool uvm_range_free(const struct vm_space *vs, uint64_t start, uint64_t end);
/* Name the region starting at start as mapping file name from file
 * offset off (it takes a reference; a name it had is dropped): 0, or
 * -EINVAL when no region starts at start. */
int uvm_set_name(struct vm_space *vs, uint64_t start, struct vm_name *name, uint64_t off);
/* The regions in address order, for reading: the first when prev is
 * NULL, else the one after prev; NULL at the end. `map_lock` held across
 * the walk (or `lock`: see uvm_walk). */
const struct vma *uvm_next_vma(const struct vm_space *vs, const struct vma *prev);
/* Give the region starting at start demand-loaded contents (see struct vma). */
int uvm_set_backing(struct vm_space *vs, uint64_t start, const void *data, uint64_t va, uint64_t len);
/* Give the region starting at start the memory object obj from its page
 * pgoff on (taking a reference): its pages are obj's from now on,
 * shared or copied on write as the region's VMA_SHARED says. 0 or
 * -EINVAL (no region starts at start, or one has an object already). */
int uvm_set_object(struct vm_space *vs, uint64_t start, struct shmem *obj, uint64_t pgoff);
/* madvise(MADV_DONTNEED): drop the pages of [start, end) in regions,
 * keeping the regions: private memory comes back zero-filled (or from
 * its backing or object), shared memory from its object. 0, or -ENOMEM
 * when regions do not cover the whole range (what they cover is dropped
 * anyway, as Linux does). With anon_only (MADV_FREE), a region with a
 * backing or an object stops the walk with -EINVAL. Costs the regions
 * plus the populated tables. */
int uvm_discard(struct vm_space *vs, uint64_t start, uint64_t end, bool anon_only);
/* A file object shrank to idx pages: lower its end to idx (if above),
 * unmap its pages from idx on in every region mapping it (private
 * copies of them too, as Linux's truncate does), then free them. The
 * kernel lock held (see rmap_lock's rule). Costs the regions mapping it
 * plus their populated tables. */
void uvm_truncate_object(struct shmem *obj, uint64_t idx);
/* Does a shared region that may be writable map obj (a MAP_SHARED of a
 * file opened for writing, whatever its protection now: Linux's
 * i_mmap_writable)? F_SEAL_WRITE is EBUSY then. */
bool uvm_object_shared_writable(struct shmem *obj);
/* MAP_POPULATE: make the page at va present as a read fault would (no
 * copy-on-write break). 0; -EFAULT when va may not be read or is past
 * its object's end; -ENOMEM when out of memory. */
int uvm_prefault(struct vm_space *vs, uint64_t va);
/* mincore: is the page at va present: mapped here, or (not mapped here
 * yet) held by the memory object its region maps, as Linux's mincore
 * asks the page cache of a file or shmem mapping? */
bool uvm_resident(struct vm_space *vs, uint64_t va); /* takes `lock` */
/* /proc/PID/pagemap's bits (Linux's Documentation/admin-guide/mm/pagemap). */
#define PAGEMAP_PRESENT  (1ull << 63)
#define PAGEMAP_FILE     (1ull << 61) /* a file page or shared anonymous memory */
#define PAGEMAP_PFN_MASK ((1ull << 55) - 1)
/* The pagemap entry of the page at va: 0 when nothing is mapped there,
 * else PAGEMAP_PRESENT, PAGEMAP_FILE as the region says, and the page
 * frame number only when with_pfn (Linux shows it to CAP_SYS_ADMIN). */
uint64_t uvm_pagemap_entry(struct vm_space *vs, uint64_t va, bool with_pfn); /* takes `lock` */
/* Would a fault at va be SIGBUS (a file mapping past the file's end)? */
bool uvm_fault_sigbus(struct vm_space *vs, uint64_t va); /* takes `lock` */
/* The pages of region v that are mapped now (/proc/PID/smaps' Rss). */
uint64_t uvm_region_resident(const struct vm_space *vs, const struct vma *v);
/* Is every region overlapping [start, end) private anonymous memory (no
 * object, file or program bytes behind it, not VMA_SHARED)? What
 * MADV_WIPEONFORK may apply to. */
bool uvm_range_private_anon(const struct vm_space *vs, uint64_t start, uint64_t end);
/* Does a region overlapping [start, end) have a flag of flag (VMA_*)? */
bool uvm_range_has_flag(const struct vm_space *vs, uint64_t start, uint64_t end, unsigned flag);
/* Set flags on the regions covering [start, end) (splitting at the edges). */
int uvm_set_flags(struct vm_space *vs, uint64_t start, uint64_t end, unsigned flags);
/* Clear them the same way. */
int uvm_clear_flags(struct vm_space *vs, uint64_t start, uint64_t end, unsigned flags);
/* Bytes of [start, end) in regions with a flag of flag (0 if end <= start):
 * mlock's count of what is locked. */
uint64_t uvm_flag_bytes(const struct vm_space *vs, uint64_t start, uint64_t end, unsigned flag);
/* A free range of len bytes for mmap, below mmap_next; 0 if none.
 * Both searches cost O(log n): the tree's summaries skip every subtree
 * without a gap large enough. */
uint64_t uvm_find_free(struct vm_space *vs, uint64_t len);
/* The highest free range of len bytes inside [bottom, top); 0 if none. */
uint64_t uvm_find_free_in(const struct vm_space *vs, uint64_t len, uint64_t bottom, uint64_t top);

/* Make sure the page at va is present (zero-filled if new) and return
 * its direct-map address; NULL if va is in no region or out of memory. */
void *uvm_page(struct vm_space *vs, uint64_t va);
/* Copy into the user space (through the direct map, whatever CR3 is),
 * ignoring the regions' protection: for exec, which builds the image.
 * 0 or -EFAULT. */
int uvm_write(struct vm_space *vs, uint64_t va, const void *src, size_t len);
/* The same as a user-space store would do it: only into writable
 * regions, copying a copy-on-write page first (CLONE_CHILD_SETTID into
 * a child that has not run yet). 0 or -EFAULT. */
int uvm_write_checked(struct vm_space *vs, uint64_t va, const void *src, size_t len);
/* The same for a read: only from readable regions, never past a file
 * mapping's end; a page not yet present is brought in (process_vm_readv,
 * Linux's get_user_pages without FOLL_FORCE). 0 or -EFAULT. */
int uvm_read_checked(struct vm_space *vs, uint64_t va, void *dst, size_t len);
/* ptrace's PEEK/POKE (Linux's access_process_vm with FOLL_FORCE): len
 * bytes at va of another space, whatever the regions' protection; a
 * write into a private page shared copy-on-write (program text too)
 * copies it first, so no other space sees it. 0 or -EFAULT (no region,
 * a file mapping past its end, no memory). */
int uvm_access_forced(struct vm_space *vs, uint64_t va, void *buf, size_t len, bool write);

/* What a page fault came to. */
enum uvm_fault {
	UVM_FAULT_DONE,   /* resolved: retry the access */
	UVM_FAULT_BAD,    /* no region allows this access (SIGSEGV, or -EFAULT in the kernel) */
	UVM_FAULT_NOMEM,  /* allowed, but no memory for the page or its tables */
	UVM_FAULT_SIGBUS, /* a file mapping's page past the end of the file */
};

/* A page fault at va in user space: demand zero (or demand-loaded
 * contents) inside a region whose protection allows the access, a
 * copy-on-write copy, or stack growth within lim's RLIMIT_STACK and
 * RLIMIT_AS and not into the guard gap above another region. */
enum uvm_fault uvm_handle_fault(struct vm_space *vs, uint64_t va, bool write, bool exec,
				const struct uvm_limits *lim);

/* The same without the kernel lock, for the page faults that need
 * nothing but the space's lock: inside a region that allows the access
 * and has no memory object (private anonymous memory, demand-loaded
 * program bytes), map the page or break its copy-on-write sharing.
 * True when resolved (retry the access). False, changing nothing, for
 * everything else (no region: SIGSEGV or stack growth; a file or shared
 * mapping, whose object is the kernel lock's; past a file's end; out of
 * memory): the caller takes the kernel lock and calls uvm_handle_fault,
 * which decides. vs must stay alive: the caller's process uses it.
 * Interrupts on or off; no spinlock held. */
bool uvm_try_fault(struct vm_space *vs, uint64_t va, bool write, bool exec);

#endif
