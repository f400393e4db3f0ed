// SPDX-License-Identifier: MIT
/*
 * Kestrel: mappings of files on disk file systems (fs/mfile.h). A small
 * list of the mapped inodes, each with its memory object, filled from
 * the file through file_kread and written back through file_kwrite.
 */
#include "fs/mfile.h"
#include "fs/inode.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/shmem.h"
#include "mm/usercopy.h"
#include "mm/uvm.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "log.h"
#include "proc/sched.h"

/* The pages an object may reach (its capacity): 512 GiB of file. The
 * radix tree grows only with the pages used. */
#define MFILE_MAX_PAGES (1ull << 27)

struct mfile {
	struct inode *ip;     /* a reference */
	struct shmem *obj;    /* a reference */
	struct file *wf;      /* a file open for writing that mapped it shared, or NULL */
	struct mfile *next;
};

static struct mfile *mfiles; /* lock rule: fs/mfile.h */

static uint64_t pages_of(uint64_t size)
{
	return page_round_up(size) / PAGE_SIZE;
}

/* ip's entry, or NULL: kept in the inode, so that read(2) and write(2)
 * of a file that is not mapped pay one load. */
static struct mfile *find(const struct inode *ip)
{
	return ip->mfile;
}

static bool mapped(struct mfile *m)
{
	return *shmem_rmap(m->obj) != NULL;
}

/* Read page idx of the file (through f) into the object, allocating it:
 * 0, -ENOMEM or -EIO. Bytes past the end of the file stay zero. */
static int fill_page(struct file *f, struct shmem *obj, uint64_t idx)
{
	uint64_t phys = shmem_page(obj, idx);
	uint64_t pos = idx * PAGE_SIZE, size = f->inode->size;

	if (!phys)
		return -ENOMEM;
	if (pos >= size)
		return 0;
	uint64_t want = size - pos < PAGE_SIZE ? size - pos : PAGE_SIZE;
	long n = file_kread(f, phys_to_virt(phys), want, &pos);
	return n < 0 ? -EIO : 0;
}

/* Every page of the file from page first on that the object lacks, read
 * in; the object's end follows the file's size. 0 or -errno (-EINTR:
 * SIGKILL). Only the missing pages are visited (shmem_seek skips the
 * present ones a run at a time): a write(2) to a mapped file of N pages
 * walked all N per call. */
static int fill_missing(struct file *f, struct shmem *obj, uint64_t first)
{
	uint64_t npages = pages_of(f->inode->size);

	if (npages > MFILE_MAX_PAGES)
		return -EFBIG;
	for (uint64_t idx = first; (idx = shmem_seek(obj, idx, npages, false)) < npages; idx++) {
		if (io_should_stop())
			return -EINTR;
		int err = fill_page(f, obj, idx);
		if (err)
			return err;
	}
	shmem_set_end(obj, npages);
	return 0;
}

/* A new entry for f's inode with an empty object: NULL when out of memory. */
static struct mfile *mfile_new(struct file *f)
{
	struct mfile *m = kzalloc(sizeof(*m));

	if (!m)
		return NULL;
	if (!(m->obj = shmem_create(MFILE_MAX_PAGES))) {
		kfree(m);
		return NULL;
	}
	shmem_set_end(m->obj, 0);
	m->ip = inode_get(f->inode);
	m->ip->mfile = m;
	m->next = mfiles;
	mfiles = m;
	return m;
}

int mfile_map(struct file *f, bool shared_write, struct shmem **obj)
{
	if (!file_can_kread(f))
		return -ENODEV;
	struct mfile *m = find(f->inode);
	if (!m && !(m = mfile_new(f)))
		return -ENOMEM;
	struct shmem *o = m->obj;
	shmem_get(o); /* the fill sleeps: the caller's, whatever happens to m */
	int err = fill_missing(f, o, 0);
	if (!err && shared_write && !(f->flags & O_APPEND) && (m = find(f->inode)) && !m->wf)
		m->wf = file_get(f);
	if (err && err != -EINTR)
		klog(LOG_ERR, "mmap: %s: reading the file failed (%d)\n", f->inode->fs->name, err);
	if (err)
		shmem_put(o);
	else
		*obj = o; /* with the reference taken above: the caller's */
	return err;
}

/* Write the object's pages back to the file through m->wf: 0 or -EIO.
 * Only the pages present are visited (shmem_seek skips a hole's subtree
 * at once): a file on ext2 may grow by truncate(2) to 2 TiB of holes
 * while mapped, and a walk page by page, 2^29 look-ups with no
 * reschedule, froze the CPU at every msync and munmap. Not stopped by
 * SIGKILL: the bytes are the file's (Linux's write-back does not stop
 * for it either); each page is a disk write. */
static int writeback(struct mfile *m)
{
	struct file *wf = m->wf;

	if (!wf)
		return 0; /* never mapped writable and shared: nothing changed */
	uint64_t size = m->ip->size, npages = pages_of(size);
	for (uint64_t idx = 0; (idx = shmem_seek(m->obj, idx, npages, true)) < npages; idx++) {
		uint64_t phys = shmem_lookup(m->obj, idx), pos = idx * PAGE_SIZE;
		sched_cond_resched();
		if (!phys)
			continue;
		uint64_t want = size - pos < PAGE_SIZE ? size - pos : PAGE_SIZE;
		if (file_kwrite(wf, phys_to_virt(phys), want, &pos) != (long)want) {
			klog(LOG_ERR, "mmap: %s: writing mapped pages back failed\n", m->ip->fs->name);
			return -EIO;
		}
	}
	return 0;
}

/* Unlink m and drop what it holds (after its write-back). */
static void release(struct mfile *m)
{
	for (struct mfile **pp = &mfiles; *pp; pp = &(*pp)->next)
		if (*pp == m) {
			*pp = m->next;
			break;
		}
	m->ip->mfile = NULL;
	shmem_put(m->obj);
	if (m->wf)
		file_put(m->wf);
	inode_put(m->ip);
	kfree(m);
}

void mfile_truncated(struct inode *ip)
{
	struct mfile *m = find(ip);

	if (!m)
		return;
	uint64_t npages = pages_of(ip->size);
	if (npages > MFILE_MAX_PAGES)
		npages = MFILE_MAX_PAGES;
	uvm_truncate_object(m->obj, npages);
	uint64_t phys = page_offset(ip->size) ? shmem_lookup(m->obj, ip->size / PAGE_SIZE) : 0;
	if (phys) /* growth reads zeros there, as the file */
		memset((char *)phys_to_virt(phys) + page_offset(ip->size), 0,
		       PAGE_SIZE - page_offset(ip->size));
	shmem_set_end(m->obj, npages);
}

int mfile_sync_inode(struct inode *ip)
{
	struct mfile *m = find(ip);

	return m ? writeback(m) : 0;
}

/* The first entry of fs (any fs when NULL) not yet visited in this pass. */
static struct mfile *next_unvisited(const struct fs_info *fs, struct mfile **done, size_t ndone)
{
	for (struct mfile *m = mfiles; m; m = m->next) {
		if (fs && m->ip->fs != fs)
			continue;
		bool seen = false;
		for (size_t i = 0; i < ndone && !seen; i++)
			seen = done[i] == m;
		if (!seen)
			return m;
	}
	return NULL;
}

#define MFILE_PASS_MAX 64 /* entries one pass remembers; the rest wait for the next */

/* Write back the entries of fs (all when NULL); drop those no region
 * maps (all of them with drop_all; only those, untouched the others,
 * with only_unmapped). The write-back sleeps and the list
 * may change meanwhile, so each step finds its next entry afresh. */
static int sync_pass(const struct fs_info *fs, bool drop_all, bool only_unmapped)
{
	struct mfile *done[MFILE_PASS_MAX];
	size_t ndone = 0;
	int first = 0;

	for (struct mfile *m; ndone < MFILE_PASS_MAX && (m = next_unvisited(fs, done, ndone));) {
		if (only_unmapped && mapped(m)) {
			done[ndone++] = m;
			continue;
		}
		int err = writeback(m);
		if (err && !first)
			first = err;
		if (!err && (drop_all || !mapped(m)) && find(m->ip) == m)
			release(m);
		else
			done[ndone++] = m;
	}
	return first;
}

int mfile_sync_all(void)
{
	return mfiles ? sync_pass(NULL, false, false) : 0;
}

void mfile_unmapped(void)
{
	if (mfiles)
		sync_pass(NULL, false, true);
}

int mfile_release_fs(const struct fs_info *fs)
{
	for (struct mfile *m = mfiles; m; m = m->next)
		if (m->ip->fs == fs && mapped(m))
			return -EBUSY;
	return sync_pass(fs, true, false);
}

/* Copy [pos, pos + n) of the file from the object to the user's buf:
 * the bytes copied (fewer at SIGKILL), or -EFAULT. The caller keeps
 * pos + n within the file's size. */
static long read_pages(struct shmem *obj, uptr_t buf, size_t n, uint64_t pos)
{
	size_t done = 0;

	while (done < n) {
		if (done && io_should_stop())
			break; /* SIGKILL: what was read so far, as the files' own read */
		uint64_t off = page_offset(pos + done), chunk = PAGE_SIZE - off;
		if (chunk > n - done)
			chunk = n - done;
		uint64_t phys = shmem_lookup(obj, (pos + done) / PAGE_SIZE);
		if (!phys) /* a hole the fill could not make: zeros */
			phys = shmem_page(obj, (pos + done) / PAGE_SIZE);
		if (!phys)
			return done ? (long)done : -ENOMEM;
		size_t got = copy_to_user_partial(buf + done, (char *)phys_to_virt(phys) + off, chunk);
		done += got;
		if (got < chunk) /* a bad page: what came before it, as Linux's read */
			return done ? (long)done : -EFAULT;
	}
	return (long)done;
}

/* After write(2) put [from, to) in the file: those bytes in the pages
 * the object has, pages it lacks from from's on read in whole (pages
 * before it are all in: the map filled them; a gap the write left past
 * the old end is a hole, zeros). 0 or -errno. */
static int written(struct file *f, struct shmem *obj, uint64_t from, uint64_t to)
{
	for (uint64_t pos = from; pos < to;) {
		uint64_t off = page_offset(pos), chunk = PAGE_SIZE - off;
		if (chunk > to - pos)
			chunk = to - pos;
		uint64_t phys = shmem_lookup(obj, pos / PAGE_SIZE);
		if (phys) {
			uint64_t p = pos;
			if (file_kread(f, (char *)phys_to_virt(phys) + off, chunk, &p) < 0)
				return -EIO;
		}
		pos += chunk;
	}
	return fill_missing(f, obj, from / PAGE_SIZE);
}

long mfile_io(struct file *f, bool write, uptr_t buf, size_t n, uint64_t *pos,
	      long (*op)(struct file *, struct iobuf, size_t, uint64_t *))
{
	struct mfile *m = find(f->inode);

	if (!m || !file_can_kread(f))
		return op(f, iobuf_user(buf), n, pos);
	struct shmem *obj = m->obj;
	shmem_get(obj); /* the disk sleeps: keep it */
	long r;
	if (write) {
		r = op(f, iobuf_user(buf), n, pos);
		if (r > 0) {
			uint64_t from = *pos - (uint64_t)r; /* O_APPEND wrote at the end */
			int err = written(f, obj, from, *pos);
			if (err && err != -EINTR)
				klog(LOG_ERR, "mmap: %s: updating mapped pages failed (%d)\n",
				     f->inode->fs->name, err);
		}
	} else {
		uint64_t size = f->inode->size;
		size_t k = *pos >= size ? 0 : (size - *pos < n ? (size_t)(size - *pos) : n);
		r = k ? read_pages(obj, buf, k, *pos) : 0;
		if (r > 0)
			*pos += (uint64_t)r;
	}
	shmem_put(obj);
	return r;
}
