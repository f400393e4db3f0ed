// SPDX-License-Identifier: MIT
/*
 * Kestrel: the block cache (block/bcache.h). Pages of 4 KiB, keyed by
 * (device, byte offset / BCACHE_PAGE) in a hash table, on one LRU list
 * (least recently used first) and, while any sector is dirty, on the
 * dirty list (oldest first). Each page has a bit per 512-byte sector for
 * "holds the disk's bytes" (valid) and "must be written" (dirty); a
 * device whose logical block is larger has its bits set and read in
 * whole logical blocks. Reads of missing pages and write-back of dirty
 * runs go to the driver as one request of many segments, up to the
 * device's max_sect.
 *
 * The cache holds at most a quarter of RAM: clean unheld pages are
 * evicted least recently used first; when every page is dirty, the
 * oldest are written back first. A kernel thread writes back what has
 * been dirty for BCACHE_WRITEBACK_MS.
 *
 * Read-ahead (bcache_readahead_async) starts requests without waiting:
 * their pages are in the table, held and busy, each pointing at its
 * request (struct bcache_io, on the in-flight list). Whoever needs such
 * a page first waits for that request and settles it (valid bits, busy
 * cleared, references dropped); so do later read-aheads for requests
 * already done, the write-back thread, invalidation, and a new
 * read-ahead when IO_MAX_INFLIGHT are in flight (the oldest).
 *
 * Lock rule: the tables and the lists change only in process context on
 * the one CPU, with no sleep in between (the kernel is not preemptible);
 * a page whose sectors are being read has busy set, and whoever needs it
 * sleeps on bcache_wq. Write-back is serialised by wb_lock and holds a
 * reference on each page it writes, so no page is evicted under DMA. A
 * sector re-dirtied during its write stays dirty (bits are cleared
 * before the write and put back if it fails).
 */
#include "block/bcache.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "time/time.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "log.h"

#define SECTS_PER_PAGE  (BCACHE_PAGE / SECTOR_SIZE)   /* 8: one bit each */
#define ALL_SECTS       0xffu
#define BUCKETS         4096u                      /* hash chains (a power of two) */
#define WB_BATCH        256u                       /* pages per write-back pass */
#define MIN_PAGES       64u                        /* the smallest cache */
#define RAM_SHARE       4u                         /* at most 1/RAM_SHARE of RAM */
#define NS_PER_MS       1000000ull
#define IO_MAX_INFLIGHT 32u                        /* read-ahead requests in flight at once */

_Static_assert(SECTS_PER_PAGE == 8, "one byte of bits per page");

struct bcache_io;

struct bcache_page {
	struct blkdev *dev;
	uint64_t index;            /* byte offset / BCACHE_PAGE on dev */
	uint8_t *data;             /* the page, direct-mapped */
	uint8_t valid, dirty;      /* a bit per sector */
	bool busy;                 /* sectors being read into it */
	struct bcache_io *io;      /* the read-ahead request reading it, or NULL */
	bool on_dirty;             /* on the dirty list */
	unsigned refs;             /* bcache_get holders and write-back */
	uint32_t wb_pass;          /* the last write-back pass that took it */
	uint64_t dirty_since;      /* time_ns() when it became dirty */
	struct bcache_page *hnext;
	struct bcache_page *lru_prev, *lru_next;
	struct bcache_page *d_prev, *d_next;
};

/* A doubly linked list through one pair of link fields. */
struct plist {
	struct bcache_page *head, *tail;
};

static struct bcache_page **buckets;
static struct plist lru, dirty;
static size_t npages, max_pages;
static struct wait_queue bcache_wq;  /* busy pages became ready */

/* A read-ahead request in flight and the pages it reads into (held, busy). */
struct bcache_io {
	struct blk_req r;
	unsigned n;
	bool finishing;            /* someone waits for it: others wait on bcache_wq */
	struct bcache_page *pages[BLK_MAX_SEGS];
	struct bcache_io *next;    /* the in-flight list, oldest first */
};

static struct bcache_io *io_head, *io_tail;
static unsigned io_count;

static void io_finish(struct bcache_io *io);
static struct sleeplock wb_lock;
static uint32_t wb_pass;

/* ---------------------------------------------------------------- lists and table */

#define LIST_OPS(NAME, PREV, NEXT)                                                   \
	static void NAME##_append(struct plist *l, struct bcache_page *p)          \
	{                                                                          \
		p->PREV = l->tail;                                                 \
		p->NEXT = NULL;                                                    \
		if (l->tail)                                                       \
			l->tail->NEXT = p;                                         \
		else                                                               \
			l->head = p;                                               \
		l->tail = p;                                                       \
	}                                                                          \
	static void NAME##_remove(struct plist *l, struct bcache_page *p)          \
	{                                                                          \
		if (p->PREV)                                                       \
			p->PREV->NEXT = p->NEXT;                                   \
		else                                                               \
			l->head = p->NEXT;                                         \
		if (p->NEXT)                                                       \
			p->NEXT->PREV = p->PREV;                                   \
		else                                                               \
			l->tail = p->PREV;                                         \
		p->PREV = p->NEXT = NULL;                                          \
	}
LIST_OPS(lru, lru_prev, lru_next)
LIST_OPS(dl, d_prev, d_next)

static unsigned hash(const struct blkdev *d, uint64_t index)
{
	uint64_t h = ((uint64_t)(uintptr_t)d >> 4) * 0x9e3779b97f4a7c15ull ^ index * 0xff51afd7ed558ccdull;
	return (unsigned)(h >> 32) & (BUCKETS - 1);
}

static struct bcache_page *lookup(const struct blkdev *d, uint64_t index)
{
	for (struct bcache_page *p = buckets[hash(d, index)]; p; p = p->hnext)
		if (p->dev == d && p->index == index)
			return p;
	return NULL;
}

static void hash_remove(struct bcache_page *p)
{
	struct bcache_page **pp = &buckets[hash(p->dev, p->index)];

	while (*pp != p)
		pp = &(*pp)->hnext;
	*pp = p->hnext;
}

/* Put p on or off the dirty list as its bits say. */
static void dirty_update(struct bcache_page *p)
{
	if (p->dirty && !p->on_dirty) {
		p->dirty_since = time_ns();
		dl_append(&dirty, p);
		p->on_dirty = true;
	} else if (!p->dirty && p->on_dirty) {
		dl_remove(&dirty, p);
		p->on_dirty = false;
	}
}

/* Drop an unheld, clean, idle page. */
static void page_drop(struct bcache_page *p)
{
	hash_remove(p);
	lru_remove(&lru, p);
	page_free(p->data);
	kfree(p);
	npages--;
}

static bool evictable(const struct bcache_page *p)
{
	return !p->refs && !p->busy && !p->dirty;
}

size_t bcache_shrink(size_t n)
{
	size_t freed = 0;

	for (struct bcache_page *p = lru.head, *next; p && freed < n; p = next) {
		next = p->lru_next;
		if (evictable(p)) {
			page_drop(p);
			freed++;
		}
	}
	return freed;
}

/* ---------------------------------------------------------------- sectors */

/* The sector bits of page index of d that lie on the device. */
static uint8_t on_device(const struct blkdev *d, uint64_t index)
{
	uint64_t first = index * SECTS_PER_PAGE;

	if (first >= d->nsect)
		return 0;
	uint64_t n = d->nsect - first;
	return n >= SECTS_PER_PAGE ? ALL_SECTS : (uint8_t)((1u << n) - 1);
}

/* How many sectors of page index of d lie on the device. */
static unsigned sects_on_device(const struct blkdev *d, uint64_t index)
{
	uint64_t first = index * SECTS_PER_PAGE;

	if (first >= d->nsect)
		return 0;
	return d->nsect - first >= SECTS_PER_PAGE ? SECTS_PER_PAGE : (unsigned)(d->nsect - first);
}

/* The bits of sectors [s, s + n) of a page, widened to d's logical blocks. */
static uint8_t sect_mask(const struct blkdev *d, unsigned s, unsigned n)
{
	unsigned unit = d->sector_size / SECTOR_SIZE;
	unsigned a = s / unit * unit, b = (s + n + unit - 1) / unit * unit;

	if (b > SECTS_PER_PAGE)
		b = SECTS_PER_PAGE;
	return (uint8_t)(((1u << b) - 1) & ~((1u << a) - 1));
}

/* Run one request of nsect sectors at dev sector sector over the pages
 * given (seg i: sectors within pages[i]), making room in a queue full of
 * read-ahead by settling it first. 0 or -errno (logged below). */
static int run_req(struct blkdev *d, bool write, uint64_t sector, struct blk_seg *segs, unsigned nsegs,
		   uint32_t nsect)
{
	struct blk_req r;

	memset(&r, 0, sizeof(r));
	r.dev = d;
	r.write = write;
	r.sector = sector;
	r.nsect = nsect;
	r.nsegs = nsegs;
	memcpy(r.segs, segs, nsegs * sizeof(*segs));
	int err = blk_submit_start(&r);
	while (err == -EBUSY && io_head && !io_head->finishing) {
		io_finish(io_head); /* our read-ahead fills the device's queue: settle the oldest */
		err = blk_submit_start(&r);
	}
	if (err == -EBUSY)
		return blk_submit_wait(&r); /* full of others' requests: wait for room */
	return err ? err : blk_submit_finish(&r);
}

/* Read the sectors of mask (within the device) that p lacks, in runs of
 * at most max_sect. p is held and busy. 0 or -EIO. */
static int read_missing(struct bcache_page *p, uint8_t mask)
{
	struct blkdev *d = p->dev;
	uint8_t need = mask & ~p->valid & on_device(d, p->index);

	for (unsigned s = 0; s < SECTS_PER_PAGE;) {
		if (!(need & (1u << s))) {
			s++;
			continue;
		}
		unsigned e = s;
		while (e < SECTS_PER_PAGE && (need & (1u << e)) && e - s < d->whole->max_sect)
			e++;
		struct blk_seg seg = { virt_to_phys(p->data) + s * SECTOR_SIZE, (e - s) * SECTOR_SIZE };
		int err = run_req(d, false, p->index * SECTS_PER_PAGE + s, &seg, 1, e - s);
		if (err)
			return err;
		p->valid |= sect_mask(d, s, e - s);
		s = e;
	}
	return 0;
}

/* ---------------------------------------------------------------- read-ahead in flight */

static void io_unlink(struct bcache_io *io)
{
	struct bcache_io **pp = &io_head, *prev = NULL;

	while (*pp != io) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	*pp = io->next;
	if (io_tail == io)
		io_tail = prev;
	io_count--;
}

/* Wait for read-ahead request io and settle its pages: valid when it
 * worked; on failure each unheld page goes, a held one stays with
 * nothing valid (its holder reads it again). Frees io. Sleeps. */
static void io_finish(struct bcache_io *io)
{
	io->finishing = true;
	int err = blk_submit_finish(&io->r);
	io_unlink(io);
	for (unsigned i = 0; i < io->n; i++) {
		struct bcache_page *p = io->pages[i];
		p->io = NULL;
		p->busy = false;
		p->refs--;
		if (!err)
			p->valid = on_device(p->dev, p->index);
		else if (!p->refs && !p->dirty)
			page_drop(p);
	}
	wake_all(&bcache_wq);
	kfree(io);
}

/* Settle the requests of d (NULL: any) in flight: all of them, or only
 * those the driver has completed (done_only: a polled driver is polled
 * first, and nothing waits for the device). Sleeps. */
static void io_settle(const struct blkdev *d, bool done_only)
{
	for (bool again = true; again;) {
		again = false;
		for (struct bcache_io *io = io_head; io; io = io->next) {
			if (io->finishing || (d && io->r.dev != d->whole))
				continue;
			if (done_only && io->r.dev->ops->poll)
				io->r.dev->ops->poll(io->r.dev);
			if (done_only && !__atomic_load_n(&io->r.done, __ATOMIC_ACQUIRE))
				continue;
			io_finish(io); /* the list may have changed while it slept: start over */
			again = true;
			break;
		}
	}
}

/* Wait until p is not busy (p held), settling its read-ahead request. */
static void wait_ready(struct bcache_page *p)
{
	while (p->busy) {
		if (p->io && !p->io->finishing)
			io_finish(p->io);
		else
			wait_on(&bcache_wq, NO_DEADLINE);
	}
}

/* Make sure the sectors of mask are valid in held page p: 0 or -EIO. */
static int ensure_valid(struct bcache_page *p, uint8_t mask)
{
	wait_ready(p);
	if (!(mask & ~p->valid & on_device(p->dev, p->index)))
		return 0;
	p->busy = true;
	int err = read_missing(p, mask);
	p->busy = false;
	wake_all(&bcache_wq);
	return err;
}

/* ---------------------------------------------------------------- write-back */

/* A batch of pages being written: requests are built from their dirty runs. */
struct wb_req {
	struct blkdev *dev;
	uint64_t sector;
	uint32_t nsect;
	unsigned nsegs;
	struct blk_seg segs[BLK_MAX_SEGS];
	struct bcache_page *pages[BLK_MAX_SEGS];
	uint8_t masks[BLK_MAX_SEGS];
};

/* Write w out: dirty bits cleared before, put back on failure. */
static int wb_flush_req(struct wb_req *w)
{
	if (!w->nsegs)
		return 0;
	for (unsigned i = 0; i < w->nsegs; i++)
		w->pages[i]->dirty &= (uint8_t)~w->masks[i];
	int err = run_req(w->dev, true, w->sector, w->segs, w->nsegs, w->nsect);
	for (unsigned i = 0; i < w->nsegs; i++) {
		if (err)
			w->pages[i]->dirty |= w->masks[i];
		dirty_update(w->pages[i]);
	}
	w->nsegs = 0;
	w->nsect = 0;
	return err;
}

/* Add sectors [s, e) of p to w, first writing w if they do not continue it. */
static int wb_add(struct wb_req *w, struct bcache_page *p, unsigned s, unsigned e)
{
	uint64_t sector = p->index * SECTS_PER_PAGE + s;
	int err = 0;

	if (w->nsegs && (w->dev != p->dev || sector != w->sector + w->nsect || w->nsegs == BLK_MAX_SEGS ||
			 w->nsect + (e - s) > p->dev->whole->max_sect))
		err = wb_flush_req(w);
	if (!w->nsegs) {
		w->dev = p->dev;
		w->sector = sector;
	}
	w->segs[w->nsegs] = (struct blk_seg){ virt_to_phys(p->data) + s * SECTOR_SIZE, (e - s) * SECTOR_SIZE };
	w->pages[w->nsegs] = p;
	w->masks[w->nsegs] = (uint8_t)(((1u << e) - 1) & ~((1u << s) - 1));
	w->nsegs++;
	w->nsect += e - s;
	return err;
}

/* Queue the dirty runs of p into w (each run within max_sect). */
static int wb_page(struct wb_req *w, struct bcache_page *p)
{
	int first = 0;
	uint8_t bits = p->dirty;

	for (unsigned s = 0; s < SECTS_PER_PAGE;) {
		if (!(bits & (1u << s))) {
			s++;
			continue;
		}
		unsigned e = s;
		while (e < SECTS_PER_PAGE && (bits & (1u << e)) && e - s < p->dev->whole->max_sect)
			e++;
		int err = wb_add(w, p, s, e);
		if (err && !first)
			first = err;
		s = e;
	}
	return first;
}

static bool page_before(const struct bcache_page *a, const struct bcache_page *b)
{
	if (a->dev != b->dev)
		return (uintptr_t)a->dev < (uintptr_t)b->dev;
	return a->index < b->index;
}

/* Take up to WB_BATCH dirty pages of d (NULL: any) dirty since before
 * cutoff and not yet taken in this pass, held, sorted by device and
 * index. How many. */
static unsigned wb_collect(struct blkdev *d, uint64_t cutoff, struct bcache_page **batch)
{
	unsigned n = 0;

	for (struct bcache_page *p = dirty.head; p && n < WB_BATCH; p = p->d_next) {
		if ((d && p->dev != d) || p->dirty_since > cutoff || p->wb_pass == wb_pass)
			continue;
		p->wb_pass = wb_pass;
		p->refs++;
		unsigned i = n++;
		for (; i > 0 && page_before(p, batch[i - 1]); i--)
			batch[i] = batch[i - 1];
		batch[i] = p;
	}
	return n;
}

/* Write back the dirty pages of d (NULL: all) dirty since before cutoff,
 * at most max_batches batches: 0 or the first error. */
static int writeback(struct blkdev *d, uint64_t cutoff, unsigned max_batches)
{
	struct bcache_page **batch = kmalloc(WB_BATCH * sizeof(*batch));
	struct wb_req *w = kmalloc(sizeof(*w));
	int first = 0;

	if (!batch || !w) {
		kfree(batch);
		kfree(w);
		return -ENOMEM;
	}
	if (sleeplock_lock(&wb_lock)) {
		kfree(w);
		kfree(batch);
		return -EINTR;
	}
	wb_pass++;
	for (unsigned b = 0; b < max_batches; b++) {
		unsigned n = wb_collect(d, cutoff, batch);
		if (!n)
			break;
		w->nsegs = 0;
		w->nsect = 0;
		for (unsigned i = 0; i < n; i++) {
			int err = wb_page(w, batch[i]);
			first = first ? first : err;
		}
		int err = wb_flush_req(w);
		first = first ? first : err;
		for (unsigned i = 0; i < n; i++)
			batch[i]->refs--;
	}
	sleeplock_unlock(&wb_lock);
	kfree(w);
	kfree(batch);
	return first;
}

/* ---------------------------------------------------------------- finding pages */

static size_t cache_limit(void)
{
	if (!max_pages) {
		max_pages = pmm_managed_pages() / RAM_SHARE;
		if (max_pages < MIN_PAGES)
			max_pages = MIN_PAGES;
	}
	return max_pages;
}

/* Room for one more page: evict a clean one, else write back the oldest
 * dirty ones and evict. Past the limit only when every page is held. */
static void make_room(void)
{
	if (npages < cache_limit() || bcache_shrink(1))
		return;
	writeback(NULL, NO_DEADLINE, 1);
	bcache_shrink(1);
}

/* A new page entry for (d, index), held, nothing valid: NULL when out
 * of memory. The caller made room and knows (d, index) is not cached. */
static struct bcache_page *page_new(struct blkdev *d, uint64_t index)
{
	if (!buckets) {
		buckets = kzalloc(BUCKETS * sizeof(*buckets));
		if (!buckets)
			return NULL;
	}
	struct bcache_page *p = kzalloc(sizeof(*p));
	uint64_t phys = p ? pmm_alloc(0) : 0;
	if (!phys && p && bcache_shrink(1))
		phys = pmm_alloc(0);
	if (!phys) {
		kfree(p);
		return NULL;
	}
	p->dev = d;
	p->index = index;
	p->data = phys_to_virt(phys);
	p->refs = 1;
	unsigned h = hash(d, index);
	p->hnext = buckets[h];
	buckets[h] = p;
	lru_append(&lru, p);
	npages++;
	return p;
}

/* The page (d, index), held and not busy, made if missing: NULL when
 * out of memory. */
static struct bcache_page *page_hold(struct blkdev *d, uint64_t index)
{
	struct bcache_page *p = buckets ? lookup(d, index) : NULL;

	if (!p) {
		make_room(); /* may sleep: look again after it */
		p = buckets ? lookup(d, index) : NULL;
	}
	if (!p)
		return page_new(d, index);
	p->refs++;
	lru_remove(&lru, p);
	lru_append(&lru, p);
	wait_ready(p);
	return p;
}

static void page_release(struct bcache_page *p)
{
	p->refs--;
}

/* Whether [pos, pos + len) lies on d. */
static bool in_device(const struct blkdev *d, uint64_t pos, uint64_t len)
{
	uint64_t size = d->nsect * SECTOR_SIZE;

	return pos <= size && len <= size - pos;
}

/* ---------------------------------------------------------------- blocks */

static int get_block(struct blkdev *d, uint64_t block, uint32_t size, struct bbuf *out, bool read)
{
	if (size < SECTOR_SIZE || size > BCACHE_PAGE || (size & (size - 1)) ||
	    block > UINT64_MAX / size || !in_device(d, block * size, size))
		return -EINVAL;
	uint64_t pos = block * size;
	struct bcache_page *p = page_hold(d, pos / BCACHE_PAGE);
	if (!p)
		return -ENOMEM;
	uint32_t off = (uint32_t)(pos % BCACHE_PAGE);
	uint8_t mask = sect_mask(d, off / SECTOR_SIZE, size / SECTOR_SIZE);
	uint8_t exact = (uint8_t)(((1u << ((off + size) / SECTOR_SIZE)) - 1) & ~((1u << (off / SECTOR_SIZE)) - 1));
	if (!read && mask == exact) {
		/* overwritten whole: no read; sectors not cached read as zeros */
		for (unsigned s = off / SECTOR_SIZE; s < (off + size) / SECTOR_SIZE; s++)
			if (!(p->valid & (1u << s)))
				memset(p->data + s * SECTOR_SIZE, 0, SECTOR_SIZE);
		p->valid |= mask;
	} else {
		int err = ensure_valid(p, mask);
		if (err) {
			page_release(p);
			return err;
		}
	}
	out->page = p;
	out->data = p->data + off;
	out->off = off;
	out->size = size;
	return 0;
}

int bcache_get(struct blkdev *d, uint64_t block, uint32_t size, struct bbuf *out)
{
	return get_block(d, block, size, out, true);
}

int bcache_get_new(struct blkdev *d, uint64_t block, uint32_t size, struct bbuf *out)
{
	return get_block(d, block, size, out, false);
}

void bcache_dirty(struct bbuf *b, uint32_t off, uint32_t len)
{
	struct bcache_page *p = b->page;

	if (!len || off >= b->size)
		return;
	if (len > b->size - off)
		len = b->size - off;
	unsigned s = (b->off + off) / SECTOR_SIZE, e = (b->off + off + len + SECTOR_SIZE - 1) / SECTOR_SIZE;
	p->dirty |= sect_mask(p->dev, s, e - s) & p->valid;
	dirty_update(p);
}

void bcache_put(struct bbuf *b)
{
	if (b->page)
		page_release(b->page);
	b->page = NULL;
	b->data = NULL;
}

/* ---------------------------------------------------------------- runs of pages */

/* Read n (>= 1) pages of d from index, none of them cached, in one
 * request; they stay in the cache, not held. 0, -EIO or -ENOMEM. */
static int read_run(struct blkdev *d, uint64_t index, unsigned n)
{
	struct bcache_page *pages[BLK_MAX_SEGS];
	struct blk_seg segs[BLK_MAX_SEGS];
	uint32_t nsect = 0;
	unsigned got = 0;

	for (; got < n; got++) {
		make_room();
		if (buckets && lookup(d, index + got))
			break; /* made while make_room slept */
		pages[got] = page_new(d, index + got);
		if (!pages[got])
			break;
		pages[got]->busy = true;
		unsigned k = sects_on_device(d, index + got);
		segs[got] = (struct blk_seg){ virt_to_phys(pages[got]->data), k * SECTOR_SIZE };
		nsect += k;
	}
	int err = got ? run_req(d, false, index * SECTS_PER_PAGE, segs, got, nsect) : -ENOMEM;
	for (unsigned i = 0; i < got; i++) {
		struct bcache_page *p = pages[i];
		p->busy = false;
		p->refs--;
		if (err && !p->refs)
			page_drop(p);
		else if (!err)
			p->valid = on_device(d, p->index);
		/* failed and held by a waiter: it stays, nothing valid, and the waiter reads it again */
	}
	wake_all(&bcache_wq);
	return err;
}

/* How many pages from index on d are missing from the cache, at most
 * what one request can carry. */
static unsigned missing_run(struct blkdev *d, uint64_t index, uint64_t last)
{
	uint32_t per_req = d->whole->max_sect / SECTS_PER_PAGE;
	unsigned n = 0;

	if (per_req > BLK_MAX_SEGS)
		per_req = BLK_MAX_SEGS;
	while (n < per_req && index + n <= last && on_device(d, index + n) &&
	       !(buckets && lookup(d, index + n)))
		n++;
	return n;
}

void bcache_readahead(struct blkdev *d, uint64_t pos, size_t len)
{
	if (!len || !in_device(d, pos, 0))
		return;
	uint64_t end = pos + len < d->nsect * SECTOR_SIZE ? pos + len : d->nsect * SECTOR_SIZE;
	uint64_t last = (end - 1) / BCACHE_PAGE;
	for (uint64_t i = pos / BCACHE_PAGE; i <= last;) {
		unsigned n = missing_run(d, i, last);
		if (n && read_run(d, i, n))
			return;
		i += n ? n : 1;
	}
}

/* Start reading n (>= 1) pages of d from index, none of them cached, in
 * one request without waiting for it: the pages stay held and busy
 * until io_finish. 0, or -errno (then nothing is in flight). */
static int read_run_async(struct blkdev *d, uint64_t index, unsigned n)
{
	if (io_count >= IO_MAX_INFLIGHT && io_head && !io_head->finishing)
		io_finish(io_head); /* the oldest is the likeliest to be done */
	struct bcache_io *io = kzalloc(sizeof(*io));
	uint32_t nsect = 0;

	if (!io)
		return -ENOMEM;
	io->finishing = true; /* not started yet: whoever finds a page waits on bcache_wq */
	for (; io->n < n; io->n++) {
		make_room();
		if (buckets && lookup(d, index + io->n))
			break; /* made while make_room slept */
		struct bcache_page *p = page_new(d, index + io->n);
		if (!p)
			break;
		p->busy = true;
		p->io = io;
		io->pages[io->n] = p;
		unsigned k = sects_on_device(d, index + io->n);
		io->r.segs[io->n] = (struct blk_seg){ virt_to_phys(p->data), k * SECTOR_SIZE };
		nsect += k;
	}
	io->r.dev = d;
	io->r.sector = index * SECTS_PER_PAGE;
	io->r.nsect = nsect;
	io->r.nsegs = io->n;
	int err = io->n ? blk_submit_start(&io->r) : -ENOMEM;
	while (err == -EBUSY && io_head && !io_head->finishing) {
		io_finish(io_head); /* the device's queue is full: make room in it */
		err = blk_submit_start(&io->r);
	}
	if (!err) {
		if (io_tail)
			io_tail->next = io;
		else
			io_head = io;
		io_tail = io;
		io_count++;
		io->finishing = false;
		wake_all(&bcache_wq); /* those waiting for its pages settle it now */
		return 0;
	}
	for (unsigned i = 0; i < io->n; i++) {
		struct bcache_page *p = io->pages[i];
		p->busy = false;
		p->io = NULL;
		if (!--p->refs)
			page_drop(p);
	}
	wake_all(&bcache_wq);
	kfree(io);
	return err;
}

void bcache_readahead_async(struct blkdev *d, uint64_t pos, size_t len)
{
	io_settle(NULL, true);
	if (!len || !in_device(d, pos, 0))
		return;
	uint64_t end = pos + len < d->nsect * SECTOR_SIZE ? pos + len : d->nsect * SECTOR_SIZE;
	if (end <= pos)
		return;
	uint64_t last = (end - 1) / BCACHE_PAGE;
	for (uint64_t i = pos / BCACHE_PAGE; i <= last;) {
		unsigned n = missing_run(d, i, last);
		if (n && read_run_async(d, i, n))
			return;
		i += n ? n : 1;
	}
}

int bcache_read(struct blkdev *d, uint64_t pos, void *buf, size_t len)
{
	return bcache_read_iobuf(d, pos, iobuf_kernel(buf), 0, len);
}

int bcache_read_iobuf(struct blkdev *d, uint64_t pos, struct iobuf out, size_t off_out, size_t len)
{
	if (!in_device(d, pos, len))
		return -EINVAL;
	uint64_t last = len ? (pos + len - 1) / BCACHE_PAGE : 0;
	while (len) {
		if (io_should_stop())
			return -EINTR;
		uint64_t index = pos / BCACHE_PAGE;
		unsigned n = missing_run(d, index, last);
		if (n > 1 && read_run(d, index, n))
			return -EIO;
		uint32_t off = (uint32_t)(pos % BCACHE_PAGE);
		uint32_t k = len < BCACHE_PAGE - off ? (uint32_t)len : BCACHE_PAGE - off;
		struct bcache_page *p = page_hold(d, index);
		if (!p)
			return -ENOMEM;
		int err = ensure_valid(p, sect_mask(d, off / SECTOR_SIZE,
						    (off % SECTOR_SIZE + k + SECTOR_SIZE - 1) / SECTOR_SIZE));
		if (!err)
			err = iobuf_put(out, off_out, p->data + off, k); /* the page is held: a fault may sleep */
		page_release(p);
		if (err)
			return err;
		off_out += k;
		pos += k;
		len -= k;
	}
	return 0;
}

/* Copy k bytes from in to page (d, index) at off, dirty: 0 or -errno. */
static int write_page(struct blkdev *d, uint64_t index, uint32_t off, const uint8_t *in, uint32_t k)
{
	struct bbuf b;
	unsigned s = off / SECTOR_SIZE, e = (off + k + SECTOR_SIZE - 1) / SECTOR_SIZE;
	struct bcache_page *p = page_hold(d, index);

	if (!p)
		return -ENOMEM;
	uint8_t whole = sect_mask(d, s, e - s);
	/* logical blocks only partly overwritten are read first */
	uint8_t partial = 0;
	if (off % d->sector_size)
		partial |= sect_mask(d, s, 1);
	if ((off + k) % d->sector_size)
		partial |= sect_mask(d, e - 1, 1);
	int err = ensure_valid(p, partial);
	if (!err) {
		p->valid |= whole;
		memcpy(p->data + off, in, k);
		b = (struct bbuf){ p, p->data, 0, BCACHE_PAGE };
		bcache_dirty(&b, off, k);
	}
	page_release(p);
	return err;
}

int bcache_write(struct blkdev *d, uint64_t pos, const void *buf, size_t len)
{
	const uint8_t *in = buf;

	if (!in_device(d, pos, len))
		return -EINVAL;
	if (d->read_only)
		return -EROFS;
	while (len) {
		if (io_should_stop())
			return -EINTR;
		uint32_t off = (uint32_t)(pos % BCACHE_PAGE);
		uint32_t k = len < BCACHE_PAGE - off ? (uint32_t)len : BCACHE_PAGE - off;
		int err = write_page(d, pos / BCACHE_PAGE, off, in, k);
		if (err)
			return err;
		in += k;
		pos += k;
		len -= k;
	}
	return 0;
}

/* ---------------------------------------------------------------- sync */

int bcache_sync_dev(struct blkdev *d)
{
	int err = writeback(d, NO_DEADLINE, UINT32_MAX);
	int ferr = blk_flush(d);
	return err ? err : ferr;
}

static void flush_disk(struct blkdev *d, void *arg)
{
	int *first = arg;

	if (d->whole == d) {
		int err = blk_flush(d);
		*first = *first ? *first : err;
	}
}

int bcache_sync_all(void)
{
	int err = writeback(NULL, NO_DEADLINE, UINT32_MAX);
	blkdev_for_each(flush_disk, &err);
	return err;
}

int bcache_invalidate_dev(struct blkdev *d)
{
	io_settle(d, false);
	int err = bcache_sync_dev(d);
	if (err)
		return err;
	for (struct bcache_page *p = lru.head; p; p = p->lru_next)
		if (p->dev == d && (p->refs || p->busy))
			return -EBUSY;
	for (struct bcache_page *p = lru.head, *next; p; p = next) {
		next = p->lru_next;
		if (p->dev == d && evictable(p))
			page_drop(p);
	}
	return 0;
}

/* ---------------------------------------------------------------- the write-back thread */

static void any_device(struct blkdev *d, void *arg)
{
	(void)d;
	*(bool *)arg = true;
}

static void writeback_thread(void *arg)
{
	(void)arg;
	for (;;) {
		sleep_until(time_ns() + BCACHE_WRITEBACK_MS * NS_PER_MS);
		io_settle(NULL, true); /* read-ahead nobody came for (the device's time is not waited for) */
		uint64_t now = time_ns(), age = BCACHE_WRITEBACK_MS * NS_PER_MS;
		if (dirty.head && now > age)
			writeback(NULL, now - age, UINT32_MAX);
	}
}

void bcache_init(void)
{
	bool any = false;

	pmm_set_reclaimer(bcache_shrink); /* clean pages go before any process */

	blkdev_for_each(any_device, &any);
	if (!any)
		return; /* no disk: no thread */
	struct thread *t = thread_create_kernel("bcache-wb", writeback_thread, NULL);
	if (t)
		thread_make_runnable(t);
	else
		klog(LOG_WARN, "bcache: no memory for the write-back thread; writes wait for sync\n");
	klog(LOG_INFO, "bcache: up to %lu KiB of cache\n", (unsigned long)(cache_limit() * (BCACHE_PAGE / 1024)));
}
