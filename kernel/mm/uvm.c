// SPDX-License-Identifier: MIT
/*
 * Kestrel: user address spaces. The PML4's upper half is a copy of the
 * kernel's, whose entries never change (mm/layout.h), so nothing is
 * synchronised later. The lower half is built from regions (VMAs):
 * pages are mapped on first touch, zero-filled. A space keeps its
 * regions twice: on a list in address order, for the walks that visit
 * them all or a run of them (fork, exit, /proc/PID/maps, a range's
 * regions), and in an AVL tree keyed by start whose nodes summarise
 * their subtree (lowest start, highest end, largest gap), so that
 * finding an address's region, a neighbour or mmap's highest free gap
 * costs O(log n) with 65,530 regions as with 10. Every user page is a
 * PMM page with a reference count, ready for copy-on-write sharing.
 *
 * Locking (uvm.h has the rules): each exported function that changes
 * regions or page tables, or reaches pages through them, takes the
 * space's lock itself (space_lock) and calls the *_locked helpers below,
 * which expect it held; the readers of regions rely on their callers'
 * map_lock or kernel lock. The objects' lists of mappings are
 * rmap_lock's (below, before rmap_add). A page reference count is atomic (mm/pmm.h), so a page
 * two spaces share copy-on-write may be copied by a fault in each at
 * once without either lock.
 */
#include "mm/uvm.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "mm/shmem.h"
#include "mm/tlb_batch.h"
#include "mm/vmname.h"
#include "mm/vmm.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "lib/refcount.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/tlb.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/klock.h"

/* ---------------------------------------------------------------- the region tree */

int uvm_max_map_count = UVM_MAX_VMAS_DEFAULT; /* uvm.h */

static struct vma *vma_of(const struct avl_node *n)
{
	return n ? avl_entry(n, struct vma, node) : NULL;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* The summary of n's subtree from n and its children (lib/avl.h's hook):
 * regions never overlap, so the subtree's gaps are its children's and
 * the two between n and its children's extremes. Did it change? */
static bool vma_augment(struct avl_node *n)
{
	struct vma *v = vma_of(n), *l = vma_of(n->left), *r = vma_of(n->right);
	uint64_t lo = l ? l->sub_lo : v->start, hi = r ? r->sub_hi : v->end, gap = 0;

	if (l)
		gap = max64(l->sub_gap, v->start - l->sub_hi);
	if (r)
		gap = max64(gap, max64(r->sub_gap, r->sub_lo - v->end));
	if (lo == v->sub_lo && hi == v->sub_hi && gap == v->sub_gap)
		return false;
	v->sub_lo = lo;
	v->sub_hi = hi;
	v->sub_gap = gap;
	return true;
}

struct vma *uvm_first_vma_from(const struct vm_space *vs, uint64_t addr)
{
	struct avl_node *n = vs->tree.root;
	struct vma *best = NULL;

	while (n) { /* disjoint regions: ordered by end as by start */
		struct vma *v = vma_of(n);
		if (v->end > addr) {
			if (v->start <= addr)
				return v; /* contains addr: nothing before it ends above */
			best = v;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

/* The region before v in address order (v NULL: the last); NULL if none. */
static struct vma *vma_before(const struct vm_space *vs, const struct vma *v)
{
	return vma_of(v ? avl_prev(&v->node) : avl_last(&vs->tree));
}

/* The node of the region after n's on the list (avl_build's walk). */
static struct avl_node *vma_succ(struct avl_node *n)
{
	struct vma *next = vma_of(n)->next;

	return next ? &next->node : NULL;
}

/* Put v (start and end set, disjoint from the others) in the tree. */
static void tree_insert(struct vm_space *vs, struct vma *v)
{
	struct avl_node **link = &vs->tree.root, *parent = NULL;

	while (*link) {
		parent = *link;
		link = v->start < vma_of(parent)->start ? &parent->left : &parent->right;
	}
	avl_insert(&vs->tree, &v->node, parent, link);
}

/* Add v to the space after prev (NULL: first): the tree and the list. */
static void vma_link(struct vm_space *vs, struct vma *v, struct vma *prev)
{
	tree_insert(vs, v);
	struct vma **pp = prev ? &prev->next : &vs->vmas;
	v->next = *pp;
	*pp = v;
	vs->nr_vmas++;
	vs->total_bytes += v->end - v->start;
}

/* Take v (after prev, NULL if first) out of the tree and the list. */
static void vma_unlink(struct vm_space *vs, struct vma *v, struct vma *prev)
{
	avl_erase(&vs->tree, &v->node);
	*(prev ? &prev->next : &vs->vmas) = v->next;
	vs->nr_vmas--;
	vs->total_bytes -= v->end - v->start;
}

/* ---------------------------------------------------------------- spaces */

static uint64_t next_serial; /* the last vm_space's serial (atomic: a fork makes one without the kernel lock) */

/* Every space's lock, to debug builds' lock-order checker: one lock (its
 * order against the others learnt from any space's), and the two a
 * fork holds at once (fork_link) not taken for an inversion by address. */
static const char space_lock_class;

/* Take vs's lock with interrupts off, answering TLB shootdowns while it
 * spins (the holder may be waiting for this CPU's answer); returns the
 * interrupt state for space_unlock. No spinlock held but those uvm.h's
 * order puts before it. */
static uint64_t space_lock(struct vm_space *vs)
{
	uint64_t flags = irq_save();

	spin_lock_irqoff_poll(&vs->lock, tlb_poll);
	return flags;
}

static void space_unlock(struct vm_space *vs, uint64_t flags)
{
	spin_unlock_irqrestore(&vs->lock, flags);
}

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
	spin_lock_class(&vs->lock, &space_lock_class); /* one key for the checker: see fork_link */
	vs->tree.augment = vma_augment;
	vs->mmap_next = USER_MMAP_BASE;
	vs->refs = 1;
	vs->serial = __atomic_add_fetch(&next_serial, 1, __ATOMIC_RELAXED);
	return vs;
}

/* One more page mapped in vs: its resident count and high-water mark. */
static void resident_inc(struct vm_space *vs)
{
	if (++vs->resident > vs->hiwater)
		vs->hiwater = vs->resident;
}

/* A batch of flushes in vs (mm/tlb_batch.h): every walk below that
 * clears or weakens present entries gathers them in one, and its caller
 * finishes it (one shootdown) before returning; user pages are released
 * with page_ref_put after the flush. */
static void batch_begin(struct tlb_batch *b, const struct vm_space *vs)
{
	tlb_batch_init(b, vs->pml4, page_ref_put);
}

struct drop_ctx {
	struct vm_space *vs;
	struct tlb_batch *batch;
};

static void drop_page(uint64_t va, uint64_t *pte, void *arg)
{
	struct drop_ctx *c = arg;
	uint64_t pa = *pte & PTE_ADDR;

	c->vs->resident--;
	*pte = 0;
	tlb_batch_drop(c->batch, va, pa); /* the reference goes after the flush */
}

/* Unmap every mapped page of [start, end), gathering the flush and the
 * page references in batch b (its caller finishes it). */
static void unmap_range(struct vm_space *vs, uint64_t start, uint64_t end, struct tlb_batch *b)
{
	struct drop_ctx c = { vs, b };

	arch_walk_user(vs->pml4, start, end, drop_page, &c);
}

/*
 * The memory objects' lists of the regions that map them (shmem_rmap,
 * through each region's obj_next and obj_pprev): rmap_lock, one for
 * every object, innermost (after a space's `lock`, before the heap's
 * and the page allocator's; held with interrupts off, never while
 * waiting for anything). One lock, not one per object: what it covers
 * is a few stores (a link, an unlink, one step of a walk), and every
 * fork links the same two vDSO objects, so a lock per object would be
 * taken as often by the same CPUs. Additions (a fork's child, which
 * holds no kernel lock) and removals hold it. A walker that lets it go
 * between two steps (uvm_truncate_object) holds the kernel lock and a
 * reference to the space of the region it stands on (rmap_next_pinned):
 * the region's removals other than its space's end hold the kernel lock
 * too (munmap of an object's region, a split's or move's undo), and the
 * end (uvm_release_begin, which may run without it) waits for the
 * space's last reference, so the region stays. Regions added at the head
 * after its look can be missed, which uvm_fork's re-check of the
 * object's end after linking covers (see there). A region of an object
 * with hooks (System V shm, whose attach count walks the list under the
 * kernel lock alone) leaves it only under the kernel lock.
 */
static struct spinlock rmap_lock = SPINLOCK_INIT;

static uint64_t rmap_lock_take(void)
{
	uint64_t flags = irq_save();

	spin_lock_irqoff_poll(&rmap_lock, tlb_poll);
	return flags;
}

static void rmap_unlock(uint64_t flags)
{
	spin_unlock_irqrestore(&rmap_lock, flags);
}

/* Put region v (whose obj is set) on its object's list: rmap_lock held. */
static void rmap_link_locked(struct vma *v)
{
	spin_must_hold(&rmap_lock);
	struct vma **head = shmem_rmap(v->obj);

	v->obj_next = *head;
	v->obj_pprev = head;
	if (*head)
		(*head)->obj_pprev = &v->obj_next;
	*head = v;
}

/* Put region v (whose obj is set) on its object's list of mappings,
 * taking rmap_lock, and tell the object's owner (shm's hooks). */
static void rmap_add(struct vma *v)
{
	uint64_t f = rmap_lock_take();

	rmap_link_locked(v);
	rmap_unlock(f);
	shmem_mapped(v->obj);
}

/* Take region v off its object's list of mappings, if it is on it
 * (a fork's child that failed before linking is not), and drop its
 * reference to the object. Takes rmap_lock; the kernel lock held when
 * v is on a list, unless v's space is at its end and the object has no
 * hooks (the walkers' rule above). The pages v's space maps keep
 * references of their own. */
static void vma_drop_object(struct vma *v)
{
	if (!v->obj)
		return;
	if (v->obj_pprev) {
		uint64_t f = rmap_lock_take();
		*v->obj_pprev = v->obj_next;
		if (v->obj_next)
			v->obj_next->obj_pprev = v->obj_pprev;
		rmap_unlock(f);
		v->obj_pprev = NULL;
		shmem_unmapped(v->obj);
	}
	shmem_put(v->obj);
	v->obj = NULL;
}

/* Free a region taken out of the list (its pages unmapped already),
 * taking it off its object's list of mappings. */
static void vma_free(struct vma *v)
{
	vma_drop_object(v);
	vm_name_put(v->name);
	kfree(v);
}

/* A dying space's page: its reference goes at once (uvm_destroy). The
 * entry is left as it is: the tables go next, and no CPU walks them. */
static void put_page(uint64_t va, uint64_t *pte, void *arg)
{
	(void)va;
	(void)arg;
	page_ref_put(*pte & PTE_ADDR);
}

bool uvm_release_begin(struct vm_space *vs)
{
	if (__atomic_sub_fetch(&vs->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return false;
	/* No CPU keeps it loaded from here on (an idle CPU, a kernel thread),
	 * so none holds a TLB entry of it: the pages need no flush (and no
	 * batch) before they go, and the tables can go. */
	tlb_retire_pml4(vs->pml4);
	bool taken = false; /* the kernel lock from the first region with hooks on */
	for (struct vma *v = vs->vmas; v; v = v->next) {
		if (!taken && v->obj && shmem_has_hooks(v->obj))
			taken = klock_enter_unless_held();
		vma_drop_object(v);
	}
	klock_leave_taken(taken);
	return true;
}

void uvm_release_end(struct vm_space *vs)
{
	struct vma *v = vs->vmas;

	while (v) {
		struct vma *next = v->next;
		arch_walk_user(vs->pml4, v->start, v->end, put_page, NULL);
		vma_free(v);
		v = next;
	}
	arch_free_user_tables(vs->pml4);
	page_free(phys_to_virt(vs->pml4));
	kfree(vs);
}

void uvm_destroy(struct vm_space *vs)
{
	if (uvm_release_begin(vs))
		uvm_release_end(vs);
}

/* uvm_add_vma with the space's lock held. */
static int add_vma_locked(struct vm_space *vs, uint64_t start, uint64_t end, unsigned prot,
			  unsigned flags)
{
	spin_must_hold(&vs->lock);
	if (start >= end || page_offset(start | end))
		return -EINVAL;
	if (start < USER_MIN_ADDR || end > USER_VA_END || vs->nr_vmas >= uvm_max_vmas())
		return -ENOMEM;
	struct vma *above = uvm_first_vma_from(vs, start);
	if (above && above->start < end)
		return -EINVAL; /* overlap */
	struct vma *v = kmalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	*v = (struct vma){ .start = start, .end = end, .prot = prot | VM_USER, .flags = flags,
			   .vs = vs };
	vma_link(vs, v, vma_before(vs, above));
	return 0;
}

int uvm_add_vma(struct vm_space *vs, uint64_t start, uint64_t end, unsigned prot, unsigned flags)
{
	uint64_t f = space_lock(vs);
	int err = add_vma_locked(vs, start, end, prot, flags);

	space_unlock(vs, f);
	return err;
}

struct vma *uvm_find_vma(struct vm_space *vs, uint64_t va)
{
	struct vma *v = uvm_first_vma_from(vs, va);

	return v && v->start <= va ? v : NULL;
}

bool uvm_mapped_at(struct vm_space *vs, uint64_t va)
{
	uint64_t f = space_lock(vs);
	bool mapped = uvm_find_vma(vs, va) != NULL;

	space_unlock(vs, f);
	return mapped;
}

struct shmem *uvm_shared_object_at(struct vm_space *vs, uint64_t va, uint64_t *off)
{
	uint64_t f = space_lock(vs);
	const struct vma *v = uvm_find_vma(vs, va);
	struct shmem *obj = v && (v->flags & VMA_SHARED) ? v->obj : NULL;

	if (obj)
		*off = v->obj_pgoff * PAGE_SIZE + (va - v->start);
	space_unlock(vs, f);
	return obj;
}

/* Does region v or one after it overlapping [start, end) have a memory object? */
static bool objects_from(const struct vma *v, uint64_t start, uint64_t end)
{
	for (; v && v->start < end; v = v->next)
		if (v->end > start && v->obj)
			return true;
	return false;
}

bool uvm_range_has_object(const struct vm_space *vs, uint64_t start, uint64_t end)
{
	return objects_from(uvm_first_vma_from(vs, start), start, end);
}

void uvm_walk(struct vm_space *vs, bool (*fn)(struct vm_space *vs, const struct vma *v, void *arg),
	      void *arg)
{
	uint64_t f = space_lock(vs);

	for (const struct vma *v = vs->vmas; v && fn(vs, v, arg); v = v->next)
		;
	space_unlock(vs, f);
}

/* Move region v's end: the space's lock held. */
static void set_end_locked(struct vm_space *vs, struct vma *v, uint64_t end)
{
	spin_must_hold(&vs->lock);
	vs->total_bytes += end - v->end; /* modulo 2^64: a shrink too */
	v->end = end;
	avl_update(&vs->tree, &v->node);
}

void uvm_set_end(struct vm_space *vs, struct vma *v, uint64_t end)
{
	uint64_t f = space_lock(vs);

	set_end_locked(vs, v, end);
	space_unlock(vs, f);
}

/* n becomes a copy of region v seen from its address old on, placed at
 * [to, to + len): the same protection and flags, its object from the
 * same page, its file name from the same offset (references taken), its
 * demand-loaded contents at the same place relative to old. With link,
 * n goes on its object's list of mappings at once (split_at, uvm_move:
 * the kernel lock held for a region with an object); uvm_fork links its
 * copies itself, once its copy is whole (fork_link). */
static void vma_copy_at(struct vma *n, const struct vma *v, uint64_t old, uint64_t to, uint64_t len,
			bool link)
{
	uint64_t off = old - v->start;

	*n = *v;
	n->start = to;
	n->end = to + len;
	n->next = NULL;
	n->obj_next = NULL;
	n->obj_pprev = NULL; /* on no list yet */
	n->backing_va = v->backing_va - old + to; /* modulo 2^64: only differences are used */
	if (n->obj) {
		shmem_get(n->obj);
		n->obj_pgoff += off / PAGE_SIZE;
		if (link)
			rmap_add(n);
	}
	vm_name_get(n->name);
	n->name_off += off;
}

/* Split the region containing addr so that a region boundary falls on
 * addr. 0 or -ENOMEM. The space's lock held (as by every static
 * function below that changes regions or page tables). */
static int split_at(struct vm_space *vs, uint64_t addr)
{
	spin_must_hold(&vs->lock);
	struct vma *v = uvm_find_vma(vs, addr);

	if (!v || v->start == addr)
		return 0;
	struct vma *tail = vs->nr_vmas < uvm_max_vmas() ? kmalloc(sizeof(*tail)) : NULL;
	if (!tail)
		return -ENOMEM;
	vma_copy_at(tail, v, addr, addr, v->end - addr, true);
	set_end_locked(vs, v, addr);
	vma_link(vs, tail, v);
	return 0;
}

/* uvm_unmap with the space's lock held; with no_object, -EAGAIN and
 * nothing changed when a region there has a memory object. One look in
 * the tree finds the first region and, when no split is needed at start
 * (munmap of whole regions, the common case), serves the walk too. */
static int unmap_locked(struct vm_space *vs, uint64_t start, uint64_t end, bool no_object)
{
	spin_must_hold(&vs->lock);
	struct vma *v = uvm_first_vma_from(vs, start);

	if (no_object && objects_from(v, start, end))
		return -EAGAIN;
	bool split = v && v->start < start;
	if ((split && split_at(vs, start)) || split_at(vs, end))
		return -ENOMEM;
	if (split)
		v = v->next; /* the part from start on */
	struct vma *prev = vma_before(vs, v);
	struct tlb_batch b;

	batch_begin(&b, vs);
	while (v && v->start < end) { /* sorted: nothing further is in the range */
		struct vma *next = v->next;
		if (v->start >= start && v->end <= end) {
			unmap_range(vs, v->start, v->end, &b);
			vma_unlink(vs, v, prev);
			vma_free(v); /* its object's pages: the batch holds the mappings' references */
		} else {
			prev = v;
		}
		v = next;
	}
	tlb_batch_finish(&b);
	return 0;
}

int uvm_unmap(struct vm_space *vs, uint64_t start, uint64_t end)
{
	uint64_t f = space_lock(vs);
	int err = unmap_locked(vs, start, end, false);

	space_unlock(vs, f);
	return err;
}

int uvm_unmap_no_object(struct vm_space *vs, uint64_t start, uint64_t end)
{
	uint64_t f = space_lock(vs);
	int err = unmap_locked(vs, start, end, true);

	space_unlock(vs, f);
	return err;
}

int uvm_replace(struct vm_space *vs, uint64_t start, uint64_t end, unsigned prot, unsigned flags)
{
	uint64_t f = space_lock(vs);
	int err = unmap_locked(vs, start, end, false);

	if (!err)
		err = add_vma_locked(vs, start, end, prot, flags);
	space_unlock(vs, f);
	return err;
}

/* ---------------------------------------------------------------- mremap */

struct move_ctx {
	uint64_t pml4;
	uint64_t delta; /* destination minus source, modulo 2^64 */
	int err;
	struct tlb_batch *batch; /* the cleared source entries */
};

/* Move one present entry by delta (mremap's move_ptes): the same page
 * with the same bits (COW, protection) at the new address, the old
 * entry cleared and flushed. The page's reference and the resident
 * count go with it. -ENOMEM in the context when a table is missing. */
static void move_pte(uint64_t va, uint64_t *pte, void *arg)
{
	struct move_ctx *c = arg;
	uint64_t to = va + c->delta, *dst = NULL;

	if (c->err)
		return;
	if (arch_map_page(c->pml4, to, *pte & PTE_ADDR, VM_USER) == 0)
		dst = arch_pte(c->pml4, to);
	if (!dst) {
		c->err = -ENOMEM;
		return;
	}
	*dst = *pte;
	*pte = 0;
	tlb_batch_add(c->batch, va); /* to was absent: nothing cached for it */
}

/* Move the present pages of [from, from + len) to to (an empty range):
 * 0, or -ENOMEM with every page moved back (the source tables are all
 * there, so the way back needs no memory). */
static int move_pages(struct vm_space *vs, uint64_t from, uint64_t to, uint64_t len)
{
	struct tlb_batch b;
	struct move_ctx c = { vs->pml4, to - from, 0, &b };

	batch_begin(&b, vs);
	arch_walk_user(vs->pml4, from, from + len, move_pte, &c);
	if (c.err) {
		struct move_ctx back = { vs->pml4, from - to, 0, &b };
		arch_walk_user(vs->pml4, to, to + len, move_pte, &back);
	}
	tlb_batch_finish(&b);
	return c.err;
}

/* uvm_move with the space's lock held. */
static int move_locked(struct vm_space *vs, uint64_t old, uint64_t old_len, uint64_t to,
		       uint64_t new_len, bool keep_old)
{
	spin_must_hold(&vs->lock);
	bool unmap_old = old_len && !keep_old;
	uint64_t moved = old_len < new_len ? old_len : new_len;
	int err;

	if (vs->nr_vmas + 3 >= uvm_max_vmas()) /* Linux's move_vma: room for two splits and one more */
		return -ENOMEM;
	if (unmap_old && (split_at(vs, old) || split_at(vs, old + old_len)))
		return -ENOMEM;
	struct vma *v = uvm_find_vma(vs, old), *n = kmalloc(sizeof(*n));
	if (!v || !n) {
		kfree(n);
		return v ? -ENOMEM : -EFAULT;
	}
	if ((err = move_pages(vs, old, to, moved))) {
		kfree(n);
		return err;
	}
	vma_copy_at(n, v, old, to, new_len, true);
	if (unmap_old)
		unmap_locked(vs, old, old + old_len, false); /* cannot fail: the edges are split already */
	vma_link(vs, n, vma_before(vs, uvm_first_vma_from(vs, to)));
	return 0;
}

int uvm_move(struct vm_space *vs, uint64_t old, uint64_t old_len, uint64_t to, uint64_t new_len,
	     bool keep_old)
{
	uint64_t f = space_lock(vs);
	int err = move_locked(vs, old, old_len, to, new_len, keep_old);

	space_unlock(vs, f);
	return err;
}

/* Regions cover [start, end) without a hole (they never overlap). */
static bool range_covered(const struct vm_space *vs, uint64_t start, uint64_t end)
{
	return uvm_mapped_bytes(vs, start, end) == end - start;
}

struct protect_ctx {
	struct tlb_batch *batch;
	unsigned leaf;
};

static void protect_one(uint64_t va, uint64_t *pte, void *arg)
{
	const struct protect_ctx *c = arg;

	arch_pte_protect(pte, c->leaf);
	tlb_batch_add(c->batch, va);
}

static void count_page(uint64_t va, uint64_t *pte, void *arg)
{
	(void)va;
	(void)pte;
	(*(uint64_t *)arg)++;
}

uint64_t uvm_region_resident(const struct vm_space *vs, const struct vma *v)
{
	uint64_t n = 0;

	arch_walk_user(vs->pml4, v->start, v->end, count_page, &n);
	return n;
}

bool uvm_range_private_anon(const struct vm_space *vs, uint64_t start, uint64_t end)
{
	for (const struct vma *v = uvm_first_vma_from(vs, start); v && v->start < end; v = v->next)
		if (v->end > start && ((v->flags & VMA_SHARED) || v->obj || v->backing || v->name))
			return false;
	return true;
}

bool uvm_range_has_flag(const struct vm_space *vs, uint64_t start, uint64_t end, unsigned flag)
{
	for (const struct vma *v = uvm_first_vma_from(vs, start); v && v->start < end; v = v->next)
		if (v->end > start && (v->flags & flag))
			return true;
	return false;
}

/* uvm_protect with the space's lock held. */
static int protect_locked(struct vm_space *vs, uint64_t start, uint64_t end, unsigned prot)
{
	spin_must_hold(&vs->lock);
	if (!range_covered(vs, start, end))
		return -ENOMEM; /* Linux: a hole in the range */
	if ((prot & VM_WRITE) && uvm_range_has_flag(vs, start, end, VMA_NOWRITE))
		return -EACCES; /* Linux: a shared file mapping without write access */
	if (split_at(vs, start) || split_at(vs, end))
		return -ENOMEM;
	struct tlb_batch b;
	batch_begin(&b, vs);
	for (struct vma *v = uvm_first_vma_from(vs, start); v && v->start < end; v = v->next) {
		if (v->start < start)
			continue;
		v->prot = prot | VM_USER;
		/* PROT_NONE: the pages stay, not present (VM_NONE), so that
		 * neither the program nor the kernel's user copies reach them;
		 * their contents come back with a later mprotect. */
		struct protect_ctx c = { &b, v->prot };
		if (!(prot & (VM_READ | VM_WRITE | VM_EXEC)))
			c.leaf |= VM_NONE;
		/* only the pages already touched: the walk skips absent tables */
		arch_walk_user(vs->pml4, v->start, v->end, protect_one, &c);
	}
	tlb_batch_finish(&b);
	return 0;
}

int uvm_protect(struct vm_space *vs, uint64_t start, uint64_t end, unsigned prot)
{
	uint64_t f = space_lock(vs);
	int err = protect_locked(vs, start, end, prot);

	space_unlock(vs, f);
	return err;
}

uint64_t uvm_total_bytes(const struct vm_space *vs)
{
	return __atomic_load_n(&vs->total_bytes, __ATOMIC_RELAXED); /* one word: a reader needs no lock */
}

uint64_t uvm_mapped_bytes(const struct vm_space *vs, uint64_t start, uint64_t end)
{
	uint64_t total = 0;

	for (const struct vma *v = uvm_first_vma_from(vs, start); v && v->start < end; v = v->next) {
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

int uvm_set_name(struct vm_space *vs, uint64_t start, struct vm_name *name, uint64_t off)
{
	uint64_t f = space_lock(vs);
	struct vma *v = uvm_find_vma(vs, start);

	if (v && v->start == start) {
		vm_name_get(name);
		vm_name_put(v->name);
		v->name = name;
		v->name_off = off;
	}
	space_unlock(vs, f);
	return v && v->start == start ? 0 : -EINVAL;
}

const struct vma *uvm_next_vma(const struct vm_space *vs, const struct vma *prev)
{
	return prev ? prev->next : vs->vmas;
}

int uvm_set_backing(struct vm_space *vs, uint64_t start, const void *data, uint64_t va, uint64_t len)
{
	uint64_t f = space_lock(vs);
	struct vma *v = uvm_find_vma(vs, start);
	bool ok = v && v->start == start;

	if (ok) {
		v->backing = data;
		v->backing_va = va;
		v->backing_len = len;
	}
	space_unlock(vs, f);
	return ok ? 0 : -EINVAL;
}

int uvm_set_object(struct vm_space *vs, uint64_t start, struct shmem *obj, uint64_t pgoff)
{
	uint64_t f = space_lock(vs);
	struct vma *v = uvm_find_vma(vs, start);
	bool ok = v && v->start == start && !v->obj;

	if (ok) {
		shmem_get(obj);
		v->obj = obj;
		v->obj_pgoff = pgoff;
		rmap_add(v);
	}
	space_unlock(vs, f);
	return ok ? 0 : -EINVAL;
}

/* The first address of region v whose object page is idx or later. */
static uint64_t object_va(const struct vma *v, uint64_t idx)
{
	if (idx <= v->obj_pgoff)
		return v->start;
	uint64_t pages = idx - v->obj_pgoff;
	return pages < (v->end - v->start) / PAGE_SIZE ? v->start + pages * PAGE_SIZE : v->end;
}

/* The first region after v on obj's list of mappings (from the head when
 * v is NULL) whose space is not at its end, with a reference to that
 * space (ref_get_unless_zero), or NULL. Under rmap_lock, so every region looked
 * at is on the list and its space allocated; the kernel lock and the
 * caller's reference to v's space keep v on it (the rule above
 * rmap_lock). A space at its end is skipped: nothing runs in it, and its
 * pages go with it. */
static struct vma *rmap_next_pinned(struct shmem *obj, const struct vma *v)
{
	uint64_t f = rmap_lock_take();
	struct vma *n = v ? v->obj_next : *shmem_rmap(obj);

	while (n && !ref_get_unless_zero(&n->vs->refs))
		n = n->obj_next;
	rmap_unlock(f);
	return n;
}

/* Unmap region v's pages of its object's page idx and on, private copies
 * too: v's space's lock held. */
static void trim_locked(struct vma *v, uint64_t idx)
{
	spin_must_hold(&v->vs->lock);
	uint64_t from = object_va(v, idx);
	struct tlb_batch b;

	if (from >= v->end)
		return;
	batch_begin(&b, v->vs);
	unmap_range(v->vs, from, v->end, &b);
	tlb_batch_finish(&b);
}

/* The kernel lock; rmap_lock for each step along the list, each
 * region's space's lock in turn. The end goes down first (a full
 * barrier: rmap_lock's first take), so that a fork linking its child
 * after this walk's look at the list sees it and trims the child itself
 * (uvm_fork); a fault past it is SIGBUS from here on. */
void uvm_truncate_object(struct shmem *obj, uint64_t idx)
{
	if (shmem_end(obj) > idx)
		shmem_set_end(obj, idx);
	struct vma *v = rmap_next_pinned(obj, NULL);
	while (v) {
		uint64_t f = space_lock(v->vs);
		trim_locked(v, idx);
		space_unlock(v->vs, f);
		struct vma *next = rmap_next_pinned(obj, v);
		uvm_destroy(v->vs); /* the walk's reference: the space's end if the last */
		v = next;
	}
	shmem_truncate(obj, idx); /* no CPU reaches the pages any more */
}

/* rmap_lock held across the walk: a fork may link a region meanwhile. */
bool uvm_object_shared_writable(struct shmem *obj)
{
	uint64_t f = rmap_lock_take();
	bool writable = false;

	for (struct vma *v = *shmem_rmap(obj); v && !writable; v = v->obj_next)
		writable = (v->flags & VMA_SHARED) && !(v->flags & VMA_NOWRITE);
	rmap_unlock(f);
	return writable;
}

/* Is va's page in region v past the end of the region's object? */
static bool beyond_object(const struct vma *v, uint64_t va)
{
	return v->obj && v->obj_pgoff + (va - v->start) / PAGE_SIZE >= shmem_end(v->obj);
}

/* A fault at va in v that found no page is SIGBUS rather than out of
 * memory: the object (a file) is at its size limit. */
static bool object_full(const struct vma *v, uint64_t va)
{
	return v->obj && shmem_full(v->obj) &&
	       !shmem_lookup(v->obj, v->obj_pgoff + (va - v->start) / PAGE_SIZE);
}

int uvm_discard(struct vm_space *vs, uint64_t start, uint64_t end, bool anon_only)
{
	struct tlb_batch batch;
	int err = 0;
	uint64_t f = space_lock(vs);

	batch_begin(&batch, vs);
	for (const struct vma *v = uvm_first_vma_from(vs, start); v && v->start < end; v = v->next) {
		uint64_t a = v->start > start ? v->start : start, b = v->end < end ? v->end : end;
		if (a >= b)
			continue;
		if (anon_only && (v->backing || v->obj)) {
			err = -EINVAL;
			break;
		}
		unmap_range(vs, a, b, &batch);
	}
	tlb_batch_finish(&batch);
	space_unlock(vs, f);
	if (err)
		return err;
	return range_covered(vs, start, end) ? 0 : -ENOMEM;
}

/* The regions of [start, end) (split at its edges) get flags set or,
 * with clear, cleared. 0 or -ENOMEM. Takes the space's lock. */
static int change_flags(struct vm_space *vs, uint64_t start, uint64_t end, unsigned flags,
			bool clear)
{
	uint64_t f = space_lock(vs);
	int err = split_at(vs, start) || split_at(vs, end) ? -ENOMEM : 0;

	for (struct vma *v = uvm_first_vma_from(vs, start); !err && v && v->start < end; v = v->next)
		if (v->start >= start && v->end <= end)
			v->flags = clear ? v->flags & ~flags : v->flags | flags;
	space_unlock(vs, f);
	return err;
}

int uvm_set_flags(struct vm_space *vs, uint64_t start, uint64_t end, unsigned flags)
{
	return change_flags(vs, start, end, flags, false);
}

int uvm_clear_flags(struct vm_space *vs, uint64_t start, uint64_t end, unsigned flags)
{
	return change_flags(vs, start, end, flags, true);
}

uint64_t uvm_flag_bytes(const struct vm_space *vs, uint64_t start, uint64_t end, unsigned flag)
{
	uint64_t total = 0;

	for (const struct vma *v = uvm_first_vma_from(vs, start); v && v->start < end; v = v->next) {
		uint64_t a = v->start > start ? v->start : start, b = v->end < end ? v->end : end;
		if (a < b && (v->flags & flag))
			total += b - a;
	}
	return total;
}

uint64_t uvm_find_free(struct vm_space *vs, uint64_t len)
{
	return uvm_find_free_in(vs, len, USER_MIN_ADDR, vs->mmap_next);
}

struct gap_query {
	uint64_t len, bottom, top;
};

/* The free range [lo, hi) clipped to the query's window: the highest
 * start of len bytes in it, or 0. */
static uint64_t gap_fits(const struct gap_query *q, uint64_t lo, uint64_t hi)
{
	lo = max64(lo, q->bottom);
	hi = hi < q->top ? hi : q->top;
	return hi >= lo && hi - lo >= q->len ? hi - q->len : 0;
}

/* The highest fit among the gaps of the subtree at n, whose regions lie
 * between left (the end of the region before them, or 0) and right (the
 * start of the one after, or the top of the address space). Subtrees
 * whose gaps are all too small or outside the window are skipped by
 * their summaries, so the search costs O(log n); its recursion is as
 * deep as the tree, at most 1.45 log2(vm.max_map_count): 24 frames by
 * default, 45 at INT_MAX. */
static uint64_t highest_gap(const struct avl_node *n, uint64_t left, uint64_t right,
			    const struct gap_query *q)
{
	if (!n)
		return gap_fits(q, left, right);
	const struct vma *v = vma_of(n);
	if (right <= q->bottom || left >= q->top)
		return 0;
	if (max64(v->sub_gap, max64(v->sub_lo - left, right - v->sub_hi)) < q->len)
		return 0;
	uint64_t a = highest_gap(n->right, v->end, right, q);
	return a ? a : highest_gap(n->left, left, v->start, q);
}

/* The highest gap inside [bottom, top) that holds len bytes. */
uint64_t uvm_find_free_in(const struct vm_space *vs, uint64_t len, uint64_t bottom, uint64_t top)
{
	const struct gap_query q = { len, bottom, top };

	return highest_gap(vs->tree.root, 0, USER_VA_END, &q);
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
 * one reference to each page until the OOM killer asks for memory
 * (uvm_shared_reclaim frees the pages no mapping holds). A page is not
 * replaced to make room for another: between two runs of a program none
 * of its pages is mapped, and replacing them made every run of Debian's
 * cc1 in a build copy its text again (the build's kernel instructions
 * +8%); a page whose slots are full is copied privately.
 */
#define SHARED_SLOTS 4096
/* Slots a lookup probes from a page's hash before it gives up: a page is
 * stored within this many of its hash, so a lookup finds it there or
 * nowhere. Without the bound, a full table made every fault on a page
 * not in it probe all SHARED_SLOTS (about 4,000 loads) before copying it
 * privately anyway: Debian's cc1 alone has about 8,000 text pages. */
#define SHARED_PROBE_MAX 16
struct shared_page {
	const uint8_t *src;
	uint64_t phys;
};
static struct shared_page *shared;
/* Lock rule: `shared` and its slots change under shared_lock (after a
 * space's lock, before the page allocator's): faults in two spaces may
 * look the same page up at once without the kernel lock. */
static struct spinlock shared_lock = SPINLOCK_INIT;
/* Has reclaim ever emptied a slot (shared_lock's)? Until then a page sits
 * before the first empty slot from its hash, so a lookup stops there: a
 * miss in a table with room costs a probe or two, not SHARED_PROBE_MAX
 * (fault-around looks up a window's pages, most of them absent in a
 * program that touches few of its text pages). */
static bool shared_holes;

static bool fully_backed(const struct vma *v, uint64_t page_va)
{
	return v->backing && !(v->prot & VM_WRITE) && page_va >= v->backing_va &&
	       page_va + PAGE_SIZE <= v->backing_va + v->backing_len;
}

/* Does only the table hold slot s's page (no mapping does)? Under
 * shared_lock, where mappings take their references: the count cannot
 * rise meanwhile. */
static bool shared_unused(const struct shared_page *s)
{
	return s->src && __atomic_load_n(&pmm_page(s->phys)->refcount, __ATOMIC_ACQUIRE) == 1;
}

/* Empty slot s, freeing its page. shared_lock held. */
static void shared_evict(struct shared_page *s)
{
	spin_must_hold(&shared_lock);
	page_ref_put(s->phys);
	*s = (struct shared_page){ NULL, 0 };
	shared_holes = true;
}

/* The slot of the SHARED_PROBE_MAX from src's hash that holds src's
 * page, or NULL; *room (if room is not NULL): the first empty one of
 * them, or NULL. The first empty slot ends the search unless reclaim
 * has made holes (shared_holes), past which src may sit. shared_lock
 * held. */
static struct shared_page *shared_find_locked(const uint8_t *src, struct shared_page **room)
{
	spin_must_hold(&shared_lock);
	uint64_t h = ((uint64_t)src >> PAGE_SHIFT) * 0x9e3779b97f4a7c15ull;

	for (unsigned i = 0; i < SHARED_PROBE_MAX; i++) {
		struct shared_page *s = &shared[(h + i) % SHARED_SLOTS];
		if (s->src == src)
			return s;
		if (s->src)
			continue;
		if (room && !*room)
			*room = s;
		if (!shared_holes)
			break;
	}
	return NULL;
}

/* The shared copy of the 4 KiB at src, made on first use in the first
 * empty slot of the SHARED_PROBE_MAX from its hash, with a reference for
 * the caller's mapping; 0 if every such slot holds another page or
 * memory is short (the caller copies privately). shared_lock held. */
static uint64_t shared_lookup_locked(const uint8_t *src)
{
	spin_must_hold(&shared_lock);
	if (!shared && !(shared = kzalloc(SHARED_SLOTS * sizeof(*shared))))
		return 0;
	struct shared_page *room = NULL, *s = shared_find_locked(src, &room);

	if (s) {
		page_ref_get(s->phys);
		return s->phys;
	}
	if (!room)
		return 0;
	uint64_t phys = pmm_alloc(0);
	if (!phys)
		return 0;
	memcpy_page(phys_to_virt(phys), src);
	*room = (struct shared_page){ src, phys };
	page_ref_get(phys);
	return phys;
}

/* shared_lookup_locked under shared_lock (interrupts are off already:
 * the space's lock is held). */
static uint64_t shared_lookup(const uint8_t *src)
{
	spin_lock_irqoff(&shared_lock);
	uint64_t phys = shared_lookup_locked(src);
	spin_unlock_irqoff(&shared_lock);
	return phys;
}

size_t uvm_shared_reclaim(size_t pages)
{
	size_t freed = 0;
	uint64_t f = spin_lock_irqsave(&shared_lock);
	for (unsigned i = 0; shared && i < SHARED_SLOTS && freed < pages; i++) {
		if (shared_unused(&shared[i])) {
			shared_evict(&shared[i]);
			freed++;
		}
	}
	spin_unlock_irqrestore(&shared_lock, f);
	return freed;
}

/*
 * Fault-around, as Linux's do_fault_around (fault_around_bytes, 64 KiB
 * by default): a fault that maps a shared page also maps the pages of
 * its FAULT_AROUND_BYTES-aligned window (clipped to the region) whose
 * slots are empty and whose shared copies the table holds already, as
 * Linux maps the neighbours it finds in the page cache and reads none.
 * A program's text is touched page by page in runs: Debian's cc1 took
 * about 118,000 faults on shared text pages in a build's tenth, a trap
 * each. The window lies in one page table (it divides PAGE_SIZE_2M), so
 * its slots are the faulting page's slot plus or minus a few.
 */
#define FAULT_AROUND_BYTES (16 * PAGE_SIZE)
_Static_assert(PAGE_SIZE_2M % FAULT_AROUND_BYTES == 0, "a window must lie in one page table");

/* Map the table's copies of the pages of page_va's window other than
 * page_va (whose leaf slot is slot) into the empty slots of a fully
 * backed region v. The space's lock held; takes shared_lock. */
static void map_around(struct vm_space *vs, const struct vma *v, uint64_t page_va, uint64_t *slot)
{
	uint64_t window = page_va & ~(FAULT_AROUND_BYTES - 1);
	/* the window's pages inside the region that the backing covers whole
	 * (fully_backed's test, made once: the region is read-only, as the
	 * fault's own page shows) */
	uint64_t lo = max64(max64(window, v->start), page_round_up(v->backing_va));
	uint64_t hi = window + FAULT_AROUND_BYTES, end = page_round_down(v->backing_va + v->backing_len);

	spin_must_hold(&vs->lock);
	hi = hi < v->end ? hi : v->end;
	hi = hi < end ? hi : end;
	spin_lock_irqoff(&shared_lock); /* the table exists: the fault's own page is in it */
	for (uint64_t va = lo; va < hi; va += PAGE_SIZE) {
		uint64_t *e = slot + ((int64_t)(va - page_va) / (int64_t)PAGE_SIZE);
		if (*e)
			continue; /* mapped already: the fault's own page among them */
		const struct shared_page *s = shared_find_locked(v->backing + (va - v->backing_va), NULL);
		if (!s)
			continue;
		page_ref_get(s->phys); /* the mapping's */
		arch_pte_fill(e, s->phys, v->prot, true);
		resident_inc(vs);
	}
	spin_unlock_irqoff(&shared_lock);
}

/* Map the shared page for page_va (in a read-only region whose backing
 * covers it whole: fully_backed), if there is one, and its window's pages
 * the table holds (map_around): its physical address, or 0 when not
 * done (the caller copies the page privately). Marked PTE_COW: made
 * writable by mprotect, a write must copy. The space's lock held. Not
 * inlined: fault_in's anonymous path (the page_fault benchmark) would
 * pay for this one's registers (2 instructions a fault). */
static __attribute__((noinline)) uint64_t map_shared(struct vm_space *vs, const struct vma *v,
						     uint64_t page_va)
{
	uint64_t *slot = arch_pte_alloc(vs->pml4, page_va); /* empty: fault_in is called for no entry */
	if (!slot)
		return 0;
	uint64_t phys = shared_lookup(v->backing + (page_va - v->backing_va));
	if (!phys)
		return 0;
	arch_pte_fill(slot, phys, v->prot, true);
	resident_inc(vs);
	map_around(vs, v, page_va, slot);
	return phys;
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
	uint64_t page_va = page_round_down(va), shared_phys;

	if (v->obj)
		return map_object_page(vs, v, va);
	if (fully_backed(v, page_va) && (shared_phys = map_shared(vs, v, page_va)))
		return phys_to_virt(shared_phys);
	bool covered = v->backing && page_va >= v->backing_va &&
		       page_va + PAGE_SIZE <= v->backing_va + v->backing_len;
	/* a page the backing bytes cover entirely is copied, not zeroed first */
	void *page = covered ? page_alloc_copy_unaligned(v->backing + (page_va - v->backing_va))
			     : page_alloc_zeroed();

	if (!page)
		return NULL;
	if (v->backing && !covered)
		fill_from_backing(v, va, page);
	if (arch_map_page(vs->pml4, page_va, virt_to_phys(page), v->prot)) {
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
static void *cow_unshare(struct vm_space *vs, uint64_t *pte, uint64_t va, enum cow_writer who)
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
		void *copy = page_alloc_copy(page); /* not zeroed first: every byte is copied */
		if (!copy)
			return NULL;
		page = copy;
	}
	*pte = virt_to_phys(page) | (*pte & ~PTE_ADDR);
	if (who == COW_USER_WRITE)
		*pte = (*pte | PTE_W) & ~PTE_COW;
	/* Another thread's CPU may still read the old page: flush before
	 * the old page can go and before this write is seen. */
	tlb_shootdown(vs->pml4, page_va, page_va + PAGE_SIZE);
	if (shared)
		page_ref_put(pa);
	return page;
}

/* uvm_page with the space's lock held. */
static void *page_locked(struct vm_space *vs, uint64_t va)
{
	spin_must_hold(&vs->lock);
	struct vma *v = uvm_find_vma(vs, va);
	uint64_t *pte = v ? arch_pte(vs->pml4, page_round_down(va)) : NULL;

	if (v && !pte && !beyond_object(v, va) && fault_in(vs, v, va))
		pte = arch_pte(vs->pml4, page_round_down(va));
	return pte ? cow_unshare(vs, pte, va, COW_KERNEL) : NULL; /* callers write through it */
}

void *uvm_page(struct vm_space *vs, uint64_t va)
{
	uint64_t f = space_lock(vs);
	void *page = page_locked(vs, va);

	space_unlock(vs, f);
	return page;
}

/* The page at va for a write that honours the region's protection. */
static void *writable_page(struct vm_space *vs, uint64_t va)
{
	struct vma *v = uvm_find_vma(vs, va);

	if (!v || !(v->prot & VM_WRITE) || (v->flags & VMA_SIGBUS))
		return NULL;
	return page_locked(vs, va);
}

/* Copy len bytes between buf (kernel memory) and va (to va if write), a
 * page at a time, through get_page's pages (called with the space's lock
 * held): 0, or -EFAULT at the first page it refuses. Takes the lock for
 * each page in turn, so a long copy keeps interrupts off for one page at
 * a time and a page cannot go while it is copied. */
static int copy_pages(struct vm_space *vs, uint64_t va, void *buf, size_t len, bool write,
		      void *(*get_page)(struct vm_space *, uint64_t))
{
	uint8_t *b = buf;

	while (len) {
		uint64_t f = space_lock(vs);
		uint8_t *page = get_page(vs, va);
		size_t off = page_offset(va);
		size_t n = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
		if (page && write)
			memcpy(page + off, b, n);
		else if (page)
			memcpy(b, page + off, n);
		space_unlock(vs, f);
		if (!page)
			return -EFAULT;
		va += n;
		b += n;
		len -= n;
	}
	return 0;
}

/* [va, va + len) lies in user space. */
static bool user_range(uint64_t va, size_t len)
{
	return va < USER_VA_END && len <= USER_VA_END - va;
}

int uvm_write(struct vm_space *vs, uint64_t va, const void *src, size_t len)
{
	return copy_pages(vs, va, (void *)src, len, true, page_locked); /* src is only read */
}

int uvm_write_checked(struct vm_space *vs, uint64_t va, const void *src, size_t len)
{
	if (!user_range(va, len))
		return -EFAULT;
	return copy_pages(vs, va, (void *)src, len, true, writable_page);
}

/* Would a fault at va in region v be SIGBUS (a file mapping past the
 * file's end, or a hole in a full file)? */
static bool vma_sigbus(const struct vma *v, uint64_t va)
{
	return (v->flags & VMA_SIGBUS) || beyond_object(v, va) || object_full(v, va);
}

bool uvm_fault_sigbus(struct vm_space *vs, uint64_t va)
{
	uint64_t f = space_lock(vs);
	const struct vma *v = uvm_find_vma(vs, va);
	bool sigbus = v && vma_sigbus(v, va);

	space_unlock(vs, f);
	return sigbus;
}

/* The page at va as a tracer sees it (Linux's FOLL_FORCE): any region
 * but a file mapping's pages past the file; brought in if absent, never
 * copied for a read (read_forced); for a write (write_forced), this
 * space's own copy of a page shared copy-on-write (a private text page
 * included), the region's object's page in a shared region. NULL if none. */
static void *read_forced(struct vm_space *vs, uint64_t va)
{
	struct vma *v = uvm_find_vma(vs, va);

	if (!v || vma_sigbus(v, va))
		return NULL;
	uint64_t *pte = arch_pte(vs->pml4, page_round_down(va));
	return pte ? phys_to_virt(*pte & PTE_ADDR) : fault_in(vs, v, va);
}

static void *write_forced(struct vm_space *vs, uint64_t va)
{
	struct vma *v = uvm_find_vma(vs, va);

	return v && !vma_sigbus(v, va) ? page_locked(vs, va) : NULL;
}

/* The page at va for a read that honours the region's protection. */
static void *readable_page(struct vm_space *vs, uint64_t va)
{
	const struct vma *v = uvm_find_vma(vs, va);

	return v && (v->prot & VM_READ) ? read_forced(vs, va) : NULL;
}

int uvm_read_checked(struct vm_space *vs, uint64_t va, void *dst, size_t len)
{
	if (!user_range(va, len))
		return -EFAULT;
	return copy_pages(vs, va, dst, len, false, readable_page);
}

int uvm_access_forced(struct vm_space *vs, uint64_t va, void *buf, size_t len, bool write)
{
	if (!user_range(va, len))
		return -EFAULT;
	return copy_pages(vs, va, buf, len, write, write ? write_forced : read_forced);
}

struct fork_ctx {
	struct vm_space *child;
	int err;
	bool shared;          /* the region being copied is VMA_SHARED */
	struct tlb_batch *parent_batch; /* the parent's entries made read-only */
	uint64_t block;       /* the PAGE_SIZE_2M block whose child slots are at slots */
	uint64_t *slots;      /* NULL: none yet */
};

/* The child's leaf slot for va: one page-table walk per 2 MiB block
 * (arch_pte_alloc), not two per page. NULL when out of memory. */
static uint64_t *child_slot(struct fork_ctx *c, uint64_t va)
{
	uint64_t block = va & ~(PAGE_SIZE_2M - 1);

	if (!c->slots || block != c->block) {
		c->slots = arch_pte_alloc(c->child->pml4, block);
		c->block = block;
		if (!c->slots)
			return NULL;
	}
	return c->slots + (va - block) / PAGE_SIZE;
}

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
		if (was_writable) /* PTE_COW alone is a software bit */
			tlb_batch_add(c->parent_batch, va);
	}
	uint64_t *child = child_slot(c, va);
	if (!child) {
		c->err = -ENOMEM;
		return;
	}
	*child = *pte; /* the child's tables are new: nothing to flush */
	page_ref_get(pa);
	resident_inc(c->child);
}

/* The child's copy of region v (no pages yet), appended at *tail: the
 * parent's list is sorted and disjoint, so no search (a fork of a space
 * with thousands of regions stays linear; the tree is built once the
 * list is whole). 0 or -ENOMEM. */
static int fork_vma(struct vm_space *vs, const struct vma *v, struct vma ***tail)
{
	struct vma *nv = kmalloc(sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	vma_copy_at(nv, v, v->start, v->start, v->end - v->start, false);
	nv->vs = vs;
	nv->flags &= ~VMA_LOCKED; /* memory locks are not inherited (Linux's dup_mmap) */
	**tail = nv;
	*tail = &nv->next;
	vs->nr_vmas++;
	vs->total_bytes += nv->end - nv->start;
	return 0;
}

/* Put the child's region v (with an object) on its object's list, then
 * look at the object's end: a truncation whose look at the list came
 * before the link lowered the end before that look (uvm_truncate_object),
 * so this look sees it, and the truncation, still waiting for the
 * parent's lock (held here) to unmap the parent's pages, has not ended
 * (nor has a later growth begun: sizes change under the kernel lock);
 * the child's copies past that end are dropped here. A truncation that
 * looks after the link finds the child and trims it itself. The
 * parent's lock held; the child's taken for the trim: the one place two
 * spaces' locks are held at once, parent then child, and no cycle can
 * close (nothing else holds two, and the child's only other taker is a
 * truncation, which holds one at a time). */
static void fork_link(struct vma *v)
{
	uint64_t f = rmap_lock_take();

	rmap_link_locked(v);
	rmap_unlock(f);
	shmem_mapped(v->obj);
	uint64_t end = shmem_end(v->obj);
	if (object_va(v, end) < v->end) {
		uint64_t g = space_lock(v->vs);
		trim_locked(v, end);
		space_unlock(v->vs, g);
	}
}

/* With or without the kernel lock (uvm_needs_klock says when it
 * is needed); the parent's map_lock held; takes the parent's lock for
 * the copy, rmap_lock to link the child's regions to their objects once
 * the copy is whole. The child is written without its own lock until
 * its regions are linked: nobody else reaches it before (a truncation
 * reaches it through the lists, then takes its lock). */
struct vm_space *uvm_fork(struct vm_space *parent)
{
	struct vm_space *vs = uvm_create();
	struct tlb_batch b;
	struct fork_ctx c = { vs, 0, false, &b, 0, NULL };
	struct vma **tail;

	if (!vs)
		return NULL;
	uint64_t f = space_lock(parent); /* its threads' faults wait: the copy is one snapshot */
	batch_begin(&b, parent);
	vs->brk_start = parent->brk_start;
	vs->brk = parent->brk;
	vs->mmap_next = parent->mmap_next;
	vs->membarrier = __atomic_load_n(&parent->membarrier, __ATOMIC_RELAXED);
	tail = &vs->vmas;
	for (struct vma *v = parent->vmas; v && !c.err; v = v->next) {
		if (v->flags & VMA_DONTCOPY)
			continue; /* MADV_DONTFORK: not the child's */
		if ((c.err = fork_vma(vs, v, &tail)))
			break;
		if (v->flags & VMA_WIPEONFORK)
			continue; /* the child's pages come zero-filled on first touch */
		c.shared = v->flags & VMA_SHARED;
		arch_walk_user(parent->pml4, v->start, v->end, share_page, &c);
	}
	tlb_batch_finish(&b); /* the parent's other threads write no more to shared pages */
	for (struct vma *v = vs->vmas; v && !c.err; v = v->next)
		if (v->obj)
			fork_link(v);
	space_unlock(parent, f);
	if (c.err) {
		uvm_destroy(vs); /* walks the list only; no region of it is linked */
		return NULL;
	}
	avl_build(&vs->tree, vs->vmas ? &vs->vmas->node : NULL, vs->nr_vmas, vma_succ);
	return vs;
}

bool uvm_needs_klock(const struct vm_space *vs)
{
	for (const struct vma *v = vs->vmas; v; v = v->next)
		if (v->obj && shmem_has_hooks(v->obj))
			return true;
	return false;
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
	struct vma *v = uvm_first_vma_from(vs, va);

	if (!v || !(v->flags & VMA_GROWSDOWN) || va >= v->start || va < USER_MIN_ADDR)
		return NULL;
	const struct vma *below = vma_before(vs, v);
	uint64_t start = page_round_down(va);
	if (v->end - start > lim->stack || uvm_total_bytes(vs) + (v->start - start) > lim->as ||
	    !gap_clear(below, start))
		return NULL;
	vs->total_bytes += v->start - start;
	v->start = start;
	avl_update(&vs->tree, &v->node); /* still after below: the key order holds */
	return v;
}

/* Does leaf entry e let a user access of this kind through? */
static bool pte_allows(uint64_t e, bool write, bool exec)
{
	return (e & PTE_P) && (e & PTE_U) && (!write || (e & PTE_W)) && (!exec || !(e & PTE_NX));
}

/* Does region v allow a user access of this kind? */
static bool vma_allows(const struct vma *v, bool write, bool exec)
{
	return (v->prot & (VM_READ | VM_WRITE | VM_EXEC)) && (!write || (v->prot & VM_WRITE)) &&
	       (!exec || (v->prot & VM_EXEC));
}

/* A fault at va, allowed by region v (not VMA_SIGBUS): map the page, or
 * break its copy-on-write sharing, or find it present already (a
 * spurious fault). The space's lock held. */
static enum uvm_fault resolve(struct vm_space *vs, const struct vma *v, uint64_t va, bool write,
			      bool exec)
{
	spin_must_hold(&vs->lock);
	uint64_t *pte = arch_pte(vs->pml4, page_round_down(va));
	if (!pte && beyond_object(v, va))
		return UVM_FAULT_SIGBUS;
	if (!pte && fault_in(vs, v, va))
		return UVM_FAULT_DONE;
	if (!pte)
		return object_full(v, va) ? UVM_FAULT_SIGBUS : UVM_FAULT_NOMEM;
	/* Present and allowing the access (the region allows it, checked
	 * above): a spurious fault. Another CPU mapped the page or broke its
	 * copy-on-write while this one waited for the space's lock, or this
	 * CPU's TLB held the weaker entry of before. Retry. */
	if (pte_allows(*pte, write, exec))
		return UVM_FAULT_DONE;
	/* Otherwise only a write to a copy-on-write page in a writable region
	 * is not a real protection violation. */
	if (!write || !(*pte & PTE_COW))
		return UVM_FAULT_BAD;
	return cow_unshare(vs, pte, va, COW_USER_WRITE) ? UVM_FAULT_DONE : UVM_FAULT_NOMEM;
}

/* uvm_handle_fault with the space's lock held. */
static enum uvm_fault fault_locked(struct vm_space *vs, uint64_t va, bool write, bool exec,
				   const struct uvm_limits *lim)
{
	spin_must_hold(&vs->lock);
	struct vma *v = uvm_find_vma(vs, va);

	if (!v)
		v = grow_stack(vs, va, lim);
	if (!v || !vma_allows(v, write, exec))
		return UVM_FAULT_BAD;
	if (v->flags & VMA_SIGBUS)
		return UVM_FAULT_SIGBUS; /* never present: past the file at map time */
	return resolve(vs, v, va, write, exec);
}

bool uvm_try_fault(struct vm_space *vs, uint64_t va, bool write, bool exec)
{
	uint64_t f = space_lock(vs);
	const struct vma *v = uvm_find_vma(vs, va);
	bool done = v && !v->obj && !(v->flags & VMA_SIGBUS) && vma_allows(v, write, exec) &&
		    resolve(vs, v, va, write, exec) == UVM_FAULT_DONE;

	space_unlock(vs, f);
	return done;
}

enum uvm_fault uvm_handle_fault(struct vm_space *vs, uint64_t va, bool write, bool exec,
				const struct uvm_limits *lim)
{
	uint64_t f = space_lock(vs);
	enum uvm_fault r = fault_locked(vs, va, write, exec, lim);

	space_unlock(vs, f);
	return r;
}

/* uvm_prefault with the space's lock held. */
static int prefault_locked(struct vm_space *vs, uint64_t va)
{
	spin_must_hold(&vs->lock);
	struct vma *v = uvm_find_vma(vs, va);

	if (!v || (v->flags & VMA_SIGBUS) || beyond_object(v, va) ||
	    !(v->prot & (VM_READ | VM_WRITE | VM_EXEC)))
		return -EFAULT;
	if (arch_pte(vs->pml4, page_round_down(va)))
		return 0;
	return fault_in(vs, v, va) ? 0 : -ENOMEM;
}

int uvm_prefault(struct vm_space *vs, uint64_t va)
{
	uint64_t f = space_lock(vs);
	int err = prefault_locked(vs, va);

	space_unlock(vs, f);
	return err;
}

bool uvm_resident(struct vm_space *vs, uint64_t va)
{
	if (arch_pte(vs->pml4, page_round_down(va)))
		return true;
	uint64_t f = space_lock(vs);
	const struct vma *v = uvm_find_vma(vs, va);
	bool held = v && v->obj && shmem_lookup(v->obj, v->obj_pgoff + (va - v->start) / PAGE_SIZE) != 0;

	space_unlock(vs, f);
	return held;
}

uint64_t uvm_pagemap_entry(struct vm_space *vs, uint64_t va, bool with_pfn)
{
	uint64_t *pte = arch_pte(vs->pml4, page_round_down(va));
	const struct vma *v;
	uint64_t e;

	if (!pte || !(*pte & PTE_ADDR))
		return 0;
	e = PAGEMAP_PRESENT;
	if (with_pfn)
		e |= ((*pte & PTE_ADDR) >> PAGE_SHIFT) & PAGEMAP_PFN_MASK;
	uint64_t f = space_lock(vs);
	if ((v = uvm_find_vma(vs, va)) && (v->obj || v->name || (v->flags & VMA_SHARED)))
		e |= PAGEMAP_FILE;
	space_unlock(vs, f);
	return e;
}
