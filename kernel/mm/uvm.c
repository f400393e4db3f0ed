// SPDX-License-Identifier: MIT
/*
 * Kestrel: user address spaces. The PML4's upper half is a copy of the
 * kernel's, whose entries never change (mm/layout.h), so nothing is
 * synchronised later. The lower half is built from regions (VMAs):
 * pages are mapped on first touch, zero-filled. Every user page is a
 * PMM page with a reference count, ready for copy-on-write sharing.
 */
#include "mm/uvm.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "mm/shmem.h"
#include "mm/vmm.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "arch/x86_64/paging.h"

struct vm_space *uvm_create(void)
{
	struct vm_space *vs = kzalloc(sizeof(*vs));
	uint64_t *root = page_alloc_zeroed();

	if (!vs || !root) {
		kfree(vs);
		if (root)
			page_free(root);
		return NULL;
	}
	const uint64_t *kernel = phys_to_virt(vmm_kernel_pml4());
	for (unsigned i = PML4_KERNEL_FIRST; i < PML4_ENTRIES; i++)
		root[i] = kernel[i];
	vs->pml4 = virt_to_phys(root);
	vs->mmap_next = USER_MMAP_BASE;
	vs->refs = 1;
	return vs;
}

/* One more page mapped in vs: its resident count and high-water mark. */
static void resident_inc(struct vm_space *vs)
{
	if (++vs->resident > vs->hiwater)
		vs->hiwater = vs->resident;
}

static void drop_page(uint64_t va, uint64_t *pte, void *ctx)
{
	struct vm_space *vs = ctx;
	uint64_t pa = *pte & PTE_ADDR;

	vs->resident--;
	*pte = 0;
	arch_invlpg(va);
	page_ref_put(pa);
}

/* Unmap every mapped page of [start, end) and drop its reference. */
static void unmap_range(struct vm_space *vs, uint64_t start, uint64_t end)
{
	arch_walk_user(vs->pml4, start, end, drop_page, vs);
}

/* Free a region taken out of the list (its pages unmapped already). */
static void vma_free(struct vma *v)
{
	if (v->obj)
		shmem_put(v->obj);
	kfree(v);
}

void uvm_destroy(struct vm_space *vs)
{
	if (__atomic_sub_fetch(&vs->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	struct vma *v = vs->vmas;

	while (v) {
		struct vma *next = v->next;
		unmap_range(vs, v->start, v->end);
		vma_free(v);
		v = next;
	}
	arch_free_user_tables(vs->pml4);
	page_free(phys_to_virt(vs->pml4));
	kfree(vs);
}

int uvm_add_vma(struct vm_space *vs, uint64_t start, uint64_t end, unsigned prot, unsigned flags)
{
	struct vma **pp = &vs->vmas;

	if (start >= end || page_offset(start | end))
		return -EINVAL;
	if (start < USER_MIN_ADDR || end > USER_VA_END || vs->nr_vmas >= UVM_MAX_VMAS)
		return -ENOMEM;
	while (*pp && (*pp)->end <= start)
		pp = &(*pp)->next;
	if (*pp && (*pp)->start < end)
		return -EINVAL; /* overlap */
	struct vma *v = kmalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	*v = (struct vma){ .start = start, .end = end, .prot = prot | VM_USER, .flags = flags,
			   .next = *pp };
	*pp = v;
	vs->nr_vmas++;
	return 0;
}

struct vma *uvm_find_vma(struct vm_space *vs, uint64_t va)
{
	for (struct vma *v = vs->vmas; v && v->start <= va; v = v->next)
		if (va < v->end)
			return v;
	return NULL;
}

/* Split the region containing addr so that a region boundary falls on
 * addr. 0 or -ENOMEM. */
static int split_at(struct vm_space *vs, uint64_t addr)
{
	struct vma *v = uvm_find_vma(vs, addr);

	if (!v || v->start == addr)
		return 0;
	struct vma *tail = vs->nr_vmas < UVM_MAX_VMAS ? kmalloc(sizeof(*tail)) : NULL;
	if (!tail)
		return -ENOMEM;
	*tail = *v;
	tail->start = addr;
	if (tail->obj) {
		shmem_get(tail->obj);
		tail->obj_pgoff += (addr - v->start) / PAGE_SIZE;
	}
	v->end = addr;
	v->next = tail;
	vs->nr_vmas++;
	return 0;
}

int uvm_unmap(struct vm_space *vs, uint64_t start, uint64_t end)
{
	if (split_at(vs, start) || split_at(vs, end))
		return -ENOMEM;
	for (struct vma **pp = &vs->vmas; *pp;) {
		struct vma *v = *pp;
		if (v->start >= end)
			break; /* sorted: nothing further is in the range */
		if (v->start >= start && v->end <= end) {
			unmap_range(vs, v->start, v->end);
			*pp = v->next;
			vma_free(v);
			vs->nr_vmas--;
		} else {
			pp = &v->next;
		}
	}
	return 0;
}

/* Regions cover [start, end) without a hole (they never overlap). */
static bool range_covered(const struct vm_space *vs, uint64_t start, uint64_t end)
{
	return uvm_mapped_bytes(vs, start, end) == end - start;
}

struct protect_ctx {
	uint64_t pml4;
	unsigned leaf;
};

static void protect_one(uint64_t va, uint64_t *pte, void *arg)
{
	const struct protect_ctx *c = arg;

	(void)pte;
	arch_protect_page(c->pml4, va, c->leaf);
}

int uvm_protect(struct vm_space *vs, uint64_t start, uint64_t end, unsigned prot)
{
	if (!range_covered(vs, start, end))
		return -ENOMEM; /* Linux: a hole in the range */
	if (split_at(vs, start) || split_at(vs, end))
		return -ENOMEM;
	for (struct vma *v = vs->vmas; v && v->start < end; v = v->next) {
		if (v->start < start)
			continue;
		v->prot = prot | VM_USER;
		/* PROT_NONE: the pages stay, not present (VM_NONE), so that
		 * neither the program nor the kernel's user copies reach them;
		 * their contents come back with a later mprotect. */
		struct protect_ctx c = { vs->pml4, v->prot };
		if (!(prot & (VM_READ | VM_WRITE | VM_EXEC)))
			c.leaf |= VM_NONE;
		/* only the pages already touched: the walk skips absent tables */
		arch_walk_user(vs->pml4, v->start, v->end, protect_one, &c);
	}
	return 0;
}

uint64_t uvm_total_bytes(const struct vm_space *vs)
{
	uint64_t total = 0;

	for (const struct vma *v = vs->vmas; v; v = v->next)
		total += v->end - v->start;
	return total;
}

uint64_t uvm_mapped_bytes(const struct vm_space *vs, uint64_t start, uint64_t end)
{
	uint64_t total = 0;

	for (const struct vma *v = vs->vmas; v && v->start < end; v = v->next) {
		uint64_t a = v->start > start ? v->start : start, b = v->end < end ? v->end : end;
		if (a < b)
			total += b - a;
	}
	return total;
}

bool uvm_range_free(const struct vm_space *vs, uint64_t start, uint64_t end)
{
	return uvm_mapped_bytes(vs, start, end) == 0;
}

int uvm_set_backing(struct vm_space *vs, uint64_t start, const void *data, uint64_t va, uint64_t len)
{
	struct vma *v = uvm_find_vma(vs, start);

	if (!v || v->start != start)
		return -EINVAL;
	v->backing = data;
	v->backing_va = va;
	v->backing_len = len;
	return 0;
}

int uvm_set_object(struct vm_space *vs, uint64_t start, struct shmem *obj, uint64_t pgoff)
{
	struct vma *v = uvm_find_vma(vs, start);

	if (!v || v->start != start || v->obj)
		return -EINVAL;
	shmem_get(obj);
	v->obj = obj;
	v->obj_pgoff = pgoff;
	return 0;
}

int uvm_discard(struct vm_space *vs, uint64_t start, uint64_t end, bool anon_only)
{
	for (const struct vma *v = vs->vmas; v && v->start < end; v = v->next) {
		uint64_t a = v->start > start ? v->start : start, b = v->end < end ? v->end : end;
		if (a >= b)
			continue;
		if (anon_only && (v->backing || v->obj))
			return -EINVAL;
		unmap_range(vs, a, b);
	}
	return range_covered(vs, start, end) ? 0 : -ENOMEM;
}

int uvm_set_flags(struct vm_space *vs, uint64_t start, uint64_t end, unsigned flags)
{
	if (split_at(vs, start) || split_at(vs, end))
		return -ENOMEM;
	for (struct vma *v = vs->vmas; v; v = v->next)
		if (v->start >= start && v->end <= end)
			v->flags |= flags;
	return 0;
}

uint64_t uvm_find_free(struct vm_space *vs, uint64_t len)
{
	return uvm_find_free_in(vs, len, USER_MIN_ADDR, vs->mmap_next);
}

/* One pass over the sorted regions: the highest gap [lo, hi) inside
 * [bottom, top) that holds len bytes. */
uint64_t uvm_find_free_in(const struct vm_space *vs, uint64_t len, uint64_t bottom, uint64_t top)
{
	uint64_t lo = bottom, best = 0;

	for (const struct vma *v = vs->vmas;; v = v->next) {
		uint64_t hi = v && v->start < top ? v->start : top;
		if (hi >= lo && hi - lo >= len)
			best = hi - len;
		if (!v || v->start >= top)
			return best;
		if (v->end > lo)
			lo = v->end;
	}
}

/* Copy the region's backing bytes that fall in the page at va. */
static void fill_from_backing(const struct vma *v, uint64_t va, uint8_t *page)
{
	uint64_t p0 = page_round_down(va), p1 = p0 + PAGE_SIZE;
	uint64_t b0 = v->backing_va, b1 = v->backing_va + v->backing_len;
	uint64_t from = p0 > b0 ? p0 : b0, to = p1 < b1 ? p1 : b1;

	if (from < to)
		memcpy(page + (from - p0), v->backing + (from - b0), to - from);
}

/*
 * Shared pages for read-only demand-loaded regions (program text and
 * read-only data from the boot archive): every process that runs the
 * same program maps the same physical page, copy-on-write in case it is
 * made writable later. Besides saving a copy per exec, this keeps the
 * code at one physical address, so an emulator's translated-code cache
 * (QEMU TCG keys it by physical page) stays warm across execs. Only
 * pages entirely inside the backing bytes are shared; the table holds
 * one reference to each page for the kernel's lifetime.
 */
#define SHARED_SLOTS 4096
struct shared_page {
	const uint8_t *src;
	uint64_t phys;
};
static struct shared_page *shared;

static bool fully_backed(const struct vma *v, uint64_t page_va)
{
	return v->backing && !(v->prot & VM_WRITE) && page_va >= v->backing_va &&
	       page_va + PAGE_SIZE <= v->backing_va + v->backing_len;
}

/* The shared copy of the 4 KiB at src, made on first use; 0 if the
 * table is full or memory is short (the caller copies privately). */
static uint64_t shared_lookup(const uint8_t *src)
{
	if (!shared && !(shared = kzalloc(SHARED_SLOTS * sizeof(*shared))))
		return 0;
	uint64_t h = ((uint64_t)src >> PAGE_SHIFT) * 0x9e3779b97f4a7c15ull;
	for (unsigned i = 0; i < SHARED_SLOTS; i++) {
		struct shared_page *s = &shared[(h + i) % SHARED_SLOTS];
		if (s->src == src)
			return s->phys;
		if (s->src)
			continue;
		uint64_t phys = pmm_alloc(0);
		if (!phys)
			return 0;
		memcpy_page(phys_to_virt(phys), src);
		*s = (struct shared_page){ src, phys };
		return phys;
	}
	return 0;
}

/* Map the shared page for va, if there is one: true when done. */
static bool map_shared(struct vm_space *vs, const struct vma *v, uint64_t va)
{
	uint64_t page_va = page_round_down(va);

	if (!fully_backed(v, page_va))
		return false;
	uint64_t phys = shared_lookup(v->backing + (page_va - v->backing_va));
	if (!phys || arch_map_page(vs->pml4, page_va, phys, v->prot))
		return false;
	uint64_t *pte = arch_pte(vs->pml4, page_va);
	*pte |= PTE_COW; /* made writable by mprotect, a write must copy */
	page_ref_get(phys);
	resident_inc(vs);
	return true;
}

/* Map the page of the region's object for va: as it is in a shared
 * region, read-only and copy-on-write in a private one (the object
 * keeps the snapshot). Its direct-map address; NULL if out of memory. */
static void *map_object_page(struct vm_space *vs, const struct vma *v, uint64_t va)
{
	uint64_t page_va = page_round_down(va);
	uint64_t phys = shmem_page(v->obj, v->obj_pgoff + (page_va - v->start) / PAGE_SIZE);

	if (!phys || arch_map_page(vs->pml4, page_va, phys, v->prot))
		return NULL;
	if (!(v->flags & VMA_SHARED)) {
		uint64_t *pte = arch_pte(vs->pml4, page_va);
		*pte = (*pte & ~PTE_W) | PTE_COW; /* not in the TLB yet: it was absent */
	}
	page_ref_get(phys);
	resident_inc(vs);
	return phys_to_virt(phys);
}

/* Map a fresh page at va with the region's protection: zeroed, with any
 * demand-loaded contents copied in, or the region's object's page. */
static void *fault_in(struct vm_space *vs, const struct vma *v, uint64_t va)
{
	if (v->obj)
		return map_object_page(vs, v, va);
	if (map_shared(vs, v, va))
		return phys_to_virt(arch_translate(vs->pml4, page_round_down(va)));
	void *page = page_alloc_zeroed();

	if (!page)
		return NULL;
	if (v->backing)
		fill_from_backing(v, va, page);
	if (arch_map_page(vs->pml4, page_round_down(va), virt_to_phys(page), v->prot)) {
		page_free(page);
		return NULL;
	}
	resident_inc(vs);
	return page;
}

/* Who breaks a copy-on-write sharing, which decides what the PTE becomes. */
enum cow_writer {
	/* The kernel, writing through the direct map (copy_to_user, exec's
	 * loads), also into read-only regions: the mapping keeps its
	 * protection and its PTE_COW mark. A page this space alone holds is
	 * left as it is; a later user write fault takes it over. */
	COW_KERNEL,
	/* A user write fault in a writable region: the PTE becomes writable
	 * and loses PTE_COW, whether the page was copied or taken over. */
	COW_USER_WRITE,
};

/* Give this space its own copy of the present page at va (whose leaf
 * entry is pte) if it is shared copy-on-write (when this space holds the
 * last reference, the page itself), set up as `who` needs. The direct-map address of the page
 * this space now maps; NULL if out of memory (nothing changed). */
static void *cow_unshare(uint64_t *pte, uint64_t va, enum cow_writer who)
{
	uint64_t page_va = page_round_down(va);
	uint64_t pa = *pte & PTE_ADDR;
	void *page = phys_to_virt(pa);

	if (!(*pte & PTE_COW))
		return page; /* not shared copy-on-write (maybe not even RAM: no pmm_page) */
	bool shared = pmm_page(pa)->refcount != 1;
	if (!shared && who == COW_KERNEL)
		return page;
	if (shared) {
		void *copy = page_alloc_zeroed();
		if (!copy)
			return NULL;
		memcpy_page(copy, page);
		page = copy;
	}
	*pte = virt_to_phys(page) | (*pte & ~PTE_ADDR);
	if (who == COW_USER_WRITE)
		*pte = (*pte | PTE_W) & ~PTE_COW;
	arch_invlpg(page_va);
	if (shared)
		page_ref_put(pa);
	return page;
}

void *uvm_page(struct vm_space *vs, uint64_t va)
{
	struct vma *v = uvm_find_vma(vs, va);
	uint64_t *pte = v ? arch_pte(vs->pml4, page_round_down(va)) : NULL;

	if (v && !pte && fault_in(vs, v, va))
		pte = arch_pte(vs->pml4, page_round_down(va));
	return pte ? cow_unshare(pte, va, COW_KERNEL) : NULL; /* callers write through it */
}

/* The page at va for a write that honours the region's protection. */
static void *writable_page(struct vm_space *vs, uint64_t va)
{
	struct vma *v = uvm_find_vma(vs, va);

	if (!v || !(v->prot & VM_WRITE) || (v->flags & VMA_SIGBUS))
		return NULL;
	return uvm_page(vs, va);
}

/* Copy len bytes to va, a page at a time, through get_page's pages. */
static int write_pages(struct vm_space *vs, uint64_t va, const void *src, size_t len,
		       void *(*get_page)(struct vm_space *, uint64_t))
{
	const uint8_t *s = src;

	while (len) {
		uint8_t *page = get_page(vs, va);
		if (!page)
			return -EFAULT;
		size_t off = page_offset(va);
		size_t n = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
		memcpy(page + off, s, n);
		va += n;
		s += n;
		len -= n;
	}
	return 0;
}

int uvm_write(struct vm_space *vs, uint64_t va, const void *src, size_t len)
{
	return write_pages(vs, va, src, len, uvm_page);
}

int uvm_write_checked(struct vm_space *vs, uint64_t va, const void *src, size_t len)
{
	if (va >= USER_VA_END || len > USER_VA_END - va)
		return -EFAULT;
	return write_pages(vs, va, src, len, writable_page);
}

struct fork_ctx {
	struct vm_space *child;
	int err;
	bool shared;          /* the region being copied is VMA_SHARED */
};

/* Share one parent page with the child, one more reference on it. A
 * private region's page becomes read-only and marked COW in both,
 * whatever its protection (a read-only page made writable later by
 * mprotect must still be copied before its first write); a VMA_SHARED
 * region's page is mapped in the child as the parent maps it. */
static void share_page(uint64_t va, uint64_t *pte, void *arg)
{
	struct fork_ctx *c = arg;
	uint64_t pa = *pte & PTE_ADDR;

	if (c->err)
		return;
	if (!c->shared) {
		bool was_writable = *pte & PTE_W;
		*pte = (*pte & ~PTE_W) | PTE_COW;
		if (was_writable)
			arch_invlpg(va); /* PTE_COW alone is a software bit */
	}
	uint64_t *child = NULL;
	if (arch_map_page(c->child->pml4, va, pa, VM_USER) == 0)
		child = arch_pte(c->child->pml4, va);
	if (!child) {
		c->err = -ENOMEM;
		return;
	}
	*child = *pte;
	page_ref_get(pa);
	resident_inc(c->child);
}

/* The child's copy of region v (no pages yet), appended at *tail: the
 * parent's list is sorted and disjoint, so no search (a fork of a space
 * with thousands of regions stays linear). 0 or -ENOMEM. */
static int fork_vma(struct vm_space *vs, const struct vma *v, struct vma ***tail)
{
	struct vma *nv = kmalloc(sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	*nv = *v;
	nv->next = NULL;
	if (nv->obj)
		shmem_get(nv->obj);
	**tail = nv;
	*tail = &nv->next;
	vs->nr_vmas++;
	return 0;
}

struct vm_space *uvm_fork(struct vm_space *parent)
{
	struct vm_space *vs = uvm_create();
	struct fork_ctx c = { vs, 0, false };
	struct vma **tail;

	if (!vs)
		return NULL;
	vs->brk_start = parent->brk_start;
	vs->brk = parent->brk;
	vs->mmap_next = parent->mmap_next;
	tail = &vs->vmas;
	for (struct vma *v = parent->vmas; v && !c.err; v = v->next) {
		if ((c.err = fork_vma(vs, v, &tail)))
			break;
		c.shared = v->flags & VMA_SHARED;
		arch_walk_user(parent->pml4, v->start, v->end, share_page, &c);
	}
	if (c.err) {
		uvm_destroy(vs);
		return NULL;
	}
	return vs;
}

/* The guard gap: no accessible region may end within STACK_GUARD_GAP
 * below a stack's new start (Linux ignores PROT_NONE regions here). */
static bool gap_clear(const struct vma *below, uint64_t start)
{
	if (!below || !(below->prot & (VM_READ | VM_WRITE | VM_EXEC)))
		return true;
	return start >= STACK_GUARD_GAP && below->end <= start - STACK_GUARD_GAP;
}

/* A fault below a stack region (VMA_GROWSDOWN, the first region above
 * va) extends it down to va's page, as Linux's expand_downwards: the
 * stack stays within RLIMIT_STACK (measured from its top), the space
 * within RLIMIT_AS, and the stack out of the guard gap. NULL if not. */
static struct vma *grow_stack(struct vm_space *vs, uint64_t va, const struct uvm_limits *lim)
{
	struct vma *below = NULL, *v = vs->vmas;

	while (v && v->end <= va) {
		below = v;
		v = v->next;
	}
	if (!v || !(v->flags & VMA_GROWSDOWN) || va >= v->start || va < USER_MIN_ADDR)
		return NULL;
	uint64_t start = page_round_down(va);
	if (v->end - start > lim->stack || uvm_total_bytes(vs) + (v->start - start) > lim->as ||
	    !gap_clear(below, start))
		return NULL;
	v->start = start;
	return v;
}

enum uvm_fault uvm_handle_fault(struct vm_space *vs, uint64_t va, bool write, bool exec,
				const struct uvm_limits *lim)
{
	struct vma *v = uvm_find_vma(vs, va);

	if (!v)
		v = grow_stack(vs, va, lim);
	if (!v || (v->flags & VMA_SIGBUS))
		return UVM_FAULT_BAD;
	if (!(v->prot & (VM_READ | VM_WRITE | VM_EXEC)) || (write && !(v->prot & VM_WRITE)) ||
	    (exec && !(v->prot & VM_EXEC)))
		return UVM_FAULT_BAD;
	uint64_t *pte = arch_pte(vs->pml4, page_round_down(va));
	if (!pte)
		return fault_in(vs, v, va) ? UVM_FAULT_DONE : UVM_FAULT_NOMEM;
	/* Present: only a write to a copy-on-write page in a writable region
	 * (checked above) is not a real protection violation. */
	if (!write || !(*pte & PTE_COW))
		return UVM_FAULT_BAD;
	return cow_unshare(pte, va, COW_USER_WRITE) ? UVM_FAULT_DONE : UVM_FAULT_NOMEM;
}
