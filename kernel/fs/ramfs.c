// SPDX-License-Identifier: MIT
/*
 * Kestrel: ramfs, the writable file system in memory that holds the root.
 *
 * A directory's entries are in a hash table by name (for lookup, create
 * and unlink at any size) and in a tree by cookie: each entry's cookie
 * (its position for getdents64) is given in creation order and never
 * changes, and getdents resumes at the first cookie at or above its
 * offset, so removing entries while a reader walks the directory skips
 * nothing and an entry created meanwhile comes last. Regular files
 * keep their bytes in a memory object (mm/shmem.h; a missing page reads
 * as zeros: sparse files are free), the same pages every mapping of the
 * file maps; a file from the boot archive reads the archive in place
 * until its first change copies it. Symlinks keep their target as a
 * string.
 *
 * Lock rule: see fs/inode.h (one CPU, no preemption in the kernel),
 * but for what a lookup without the kernel lock reads (namei.c's
 * vfs_walk_nolock, through ramfs_lookup_nolock): a directory's hash
 * table, its chains and its entries' inodes change under the directory's
 * spinlock as well, which such a lookup takes.
 */
#include "fs/inode.h"
#include "fs/path.h"
#include "fs/pipe.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "mm/shmem.h"
#include "mm/uvm.h"
#include "lib/avl.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "lib/word.h"

#define RAMFS_MAGIC    0x858458f6u
#define RAMFS_DEV      1
#define TMPFS_MAGIC    0x01021994u
#define TMPFS_DEV_FIRST 64        /* st_dev minor of the first tmpfs mount(2) makes (0:64 on) */
#define TMPFS_ROOT_MODE (S_IFDIR | 01777) /* a tmpfs root without mode= (Linux's) */
#define PAGE           4096u
#define FIRST_COOKIE   2          /* 0 and 1 are "." and ".." (vfs_emit_dots ends at 2) */
/* A file's size may reach tmpfs's s_maxbytes, MAX_LFS_FILESIZE (a sparse
 * file costs what is written); its pages, only the first OBJ_PAGES. */
#define MAX_FILE_SIZE  ((uint64_t)INT64_MAX)
#define OBJ_PAGES      (1ull << 36)  /* shmem's largest object: 256 TiB, all of user space */


struct ramfs_dirent {
	struct avl_node by_cookie;    /* in the directory's tree, keyed by cookie */
	struct ramfs_dirent *hnext;   /* the next entry in this one's hash bucket */
	struct inode *ip;             /* counted in ip->nlink, not ip->refs */
	uint64_t cookie;
	uint64_t hash_len;            /* the name's path_hash << 32 | its length (struct path_name's) */
	uint64_t head;                /* its first 8 bytes, zero past its end (struct path_name's) */
	char name[];                  /* the length's bytes and a NUL */
};

static size_t dirent_len(const struct ramfs_dirent *e)
{
	return (uint32_t)e->hash_len;
}

/* The bucket of a table of n (a power of two) that e, or a name of that hash_len, is in. */
static uint32_t bucket_of(uint64_t hash_len, uint32_t n)
{
	return (uint32_t)(hash_len >> 32) & (n - 1);
}

/* A directory's hash table doubles when it holds more entries than
 * buckets and halves below a quarter, between these sizes (powers of
 * two); a table that cannot grow for want of memory keeps working with
 * longer chains. */
#define DIR_HASH_MIN 8u
#define DIR_HASH_MAX (1u << 16)

/* A directory. Lock rule: changed under the kernel lock; buckets,
 * nbuckets, the chains (hnext) and each entry's ip also under lock, so
 * that a lookup without the kernel lock (ramfs_lookup_nolock), which
 * holds it, finds every entry present (the others are the kernel lock's
 * alone). Nothing under lock allocates, frees, sleeps or takes another
 * lock; entries and old tables are freed after it is let go. */
struct ramfs_dir {
	struct spinlock lock;         /* of the class dir_lock_class */
	struct avl_tree by_cookie;    /* every entry, in creation order */
	struct ramfs_dirent **buckets; /* nbuckets chains by name hash; NULL while empty */
	uint32_t nbuckets;
	uint32_t count;               /* entries */
	uint64_t next_cookie;
};

/* The key every directory's lock is known by to the lock-order checker. */
static const char dir_lock_class = 'd';

/*
 * A regular file: its pages are those of a memory object sized for
 * MAX_FILE_SIZE (a radix tree built as pages are touched), whose end
 * follows the file's size. The file holds one reference on it; every
 * region mapping the file holds another, so the pages outlive an
 * unlinked file for as long as it is mapped.
 */
struct ramfs_file {
	struct shmem *obj;
	const uint8_t *borrowed;      /* the bytes in place, until the first change */
	/* Serialises writers and truncation (Linux's i_rwsem for writes): an
	 * O_APPEND write takes its position and copies under it, so two
	 * appenders that give up the CPU mid-copy cannot land on the same
	 * bytes. */
	struct sleeplock write_lock;
	unsigned seals;               /* F_SEAL_*: F_SEAL_SEAL unless memfd_create allowed sealing */
};

/*
 * One RAM file system: the root's (ram_root, which also holds the RAM
 * /dev of a disk root and memfd_create's files), or a tmpfs that
 * mount(2) made. Each has a size limit, as tmpfs has: by default half
 * of RAM, in pages of file data (a file still read in place from the
 * boot archive costs none) and in inodes. A write or create beyond it
 * gives ENOSPC, so a program filling the file system leaves the rest of
 * memory to the kernel and the other programs. An unmounted tmpfs is
 * dead: emptied at once, freed with its last inode (one a process still
 * holds, its exe or an unlinked file's). Lock rule: as its inodes.
 */
struct ramfs_sb {
	struct fs_info info;          /* first: every inode's ip->fs */
	uint64_t pages, max_pages;
	uint64_t inodes, max_inodes;
	bool dead;
};

static const char tmpfs_name[] = "tmpfs"; /* a tmpfs's info.name: ramfs_is knows them by it */
static const struct fs_export ramfs_export;
static struct ramfs_sb ram_root = { .info = { .name = "ramfs", .dev = RAMFS_DEV, .magic = RAMFS_MAGIC,
					      .export = &ramfs_export, .xattrs = true } };
static uint32_t next_tmpfs_dev = TMPFS_DEV_FIRST;

static struct ramfs_sb *sb_of(const struct fs_info *fs)
{
	return (struct ramfs_sb *)fs;
}

bool ramfs_is(const struct fs_info *fs)
{
	return fs && (fs == &ram_root.info || fs->name == tmpfs_name);
}

static uint64_t next_ino = 1;
static const struct inode_ops ramfs_ops;

/* Every live RAM inode by number (numbers are never reused: next_ino),
 * for open_by_handle_at, as Linux's shmem finds its inodes in the inode
 * cache. One entry per inode, made with it and freed by its eviction.
 * Lock rule: ino_lock covers the buckets and their chains; the inodes
 * themselves follow their own rule (the kernel lock). */
#define INO_BUCKETS 256 /* a power of two */
struct ino_entry {
	uint64_t ino;
	struct inode *ip;
	struct ino_entry *next;
};
static struct ino_entry *ino_index[INO_BUCKETS];
static struct spinlock ino_lock = SPINLOCK_INIT;

static struct ino_entry **ino_bucket(uint64_t ino)
{
	return &ino_index[(ino * 0x9e3779b97f4a7c15ull) >> 56 & (INO_BUCKETS - 1)];
}

/* e (its ino and ip set) joins the index. */
static void ino_index_add(struct ino_entry *e)
{
	uint64_t f = spin_lock_irqsave(&ino_lock);
	struct ino_entry **b = ino_bucket(e->ino);

	e->next = *b;
	*b = e;
	spin_unlock_irqrestore(&ino_lock, f);
}

/* ip leaves the index (it is being evicted); its entry is freed. */
static void ino_index_remove(const struct inode *ip)
{
	uint64_t f = spin_lock_irqsave(&ino_lock);
	struct ino_entry *gone = NULL;

	for (struct ino_entry **pp = ino_bucket(ip->ino); *pp; pp = &(*pp)->next)
		if ((*pp)->ip == ip) {
			gone = *pp;
			*pp = gone->next;
			break;
		}
	spin_unlock_irqrestore(&ino_lock, f);
	kfree(gone);
}

static uint32_t ramfs_generation(const struct inode *ip)
{
	(void)ip;
	return 0; /* numbers are never reused */
}

/* fs_export's find: the live inode ino of fs. */
static int ramfs_find(const struct fs_info *fs, uint64_t ino, uint32_t gen, struct inode **out)
{
	uint64_t f = spin_lock_irqsave(&ino_lock);
	struct inode *ip = NULL;

	for (struct ino_entry *e = *ino_bucket(ino); e && !ip; e = e->next)
		if (e->ino == ino && e->ip->fs == fs)
			ip = e->ip;
	spin_unlock_irqrestore(&ino_lock, f);
	if (!ip || gen != 0)
		return -ESTALE;
	*out = inode_get(ip); /* under the kernel lock, as every inode's refs */
	return 0;
}

static const struct fs_export ramfs_export = { .generation = ramfs_generation, .find = ramfs_find };
static const struct file_ops ramfs_file_ops;
static const uint8_t zeros[PAGE];

/* ---------------------------------------------------------------- directories */

static struct ramfs_dirent *dirent_of(const struct avl_node *n)
{
	return n ? avl_entry(n, struct ramfs_dirent, by_cookie) : NULL;
}

/* dir_find_name's case of a name longer than 8 bytes: the entry from e
 * on along its chain that is called n, or NULL; the bytes after the head
 * compared too. Out of line, so that the usual case calls nothing. */
static struct ramfs_dirent *chain_find_long(struct ramfs_dirent *e, const struct path_name *n)
{
	size_t rest = path_name_len(n) - WORD_BYTES;

	for (; e; e = e->hnext)
		if (e->hash_len == n->hash_len && e->head == n->head &&
		    memcmp(e->name + WORD_BYTES, n->name + WORD_BYTES, rest) == 0)
			return e;
	return NULL;
}

/* The entry called n, or NULL: a compare of the hash and length and one
 * of the heads, which hold the whole of a name of up to 8 bytes. */
static inline struct ramfs_dirent *dir_find_name(const struct ramfs_dir *d,
						 const struct path_name *n)
{
	if (!d->nbuckets)
		return NULL;
	struct ramfs_dirent *e = d->buckets[bucket_of(n->hash_len, d->nbuckets)];
	if (path_name_len(n) > WORD_BYTES)
		return chain_find_long(e, n);
	for (; e; e = e->hnext)
		if (e->hash_len == n->hash_len && e->head == n->head)
			return e;
	return NULL;
}

static struct ramfs_dirent *dir_find(struct inode *dir, const char *name, size_t len)
{
	struct path_name n;

	path_name_of(name, len, &n);
	return dir_find_name(dir->priv, &n);
}

/* Move every entry into a table of n buckets (a power of two); on
 * failure to allocate it, nothing changes. */
static void dir_rehash(struct ramfs_dir *d, uint32_t n)
{
	struct ramfs_dirent **nb = kzalloc(n * sizeof(*nb)), **old;

	if (!nb)
		return;
	uint64_t f = spin_lock_irqsave(&d->lock);
	for (uint32_t i = 0; i < d->nbuckets; i++) {
		while (d->buckets[i]) {
			struct ramfs_dirent *e = d->buckets[i];
			d->buckets[i] = e->hnext;
			e->hnext = nb[bucket_of(e->hash_len, n)];
			nb[bucket_of(e->hash_len, n)] = e;
		}
	}
	old = d->buckets;
	d->buckets = nb;
	d->nbuckets = n;
	spin_unlock_irqrestore(&d->lock, f);
	kfree(old);
}

/* Grow the table before an insert when it is full (or absent). */
static void dir_grow(struct ramfs_dir *d)
{
	if (!d->nbuckets)
		dir_rehash(d, DIR_HASH_MIN);
	else if (d->count >= d->nbuckets && d->nbuckets < DIR_HASH_MAX)
		dir_rehash(d, d->nbuckets * 2);
}

/* Put e at the head of its chain (the table has buckets). d->lock held. */
static void chain_insert(struct ramfs_dir *d, struct ramfs_dirent *e)
{
	spin_must_hold(&d->lock);
	struct ramfs_dirent **bucket = &d->buckets[bucket_of(e->hash_len, d->nbuckets)];

	e->hnext = *bucket;
	*bucket = e;
}

/* Take e, which is there, off its chain. d->lock held. */
static void chain_unhook(struct ramfs_dir *d, struct ramfs_dirent *e)
{
	spin_must_hold(&d->lock);
	struct ramfs_dirent **pp = &d->buckets[bucket_of(e->hash_len, d->nbuckets)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
}

/* Append an entry for ip; the caller adjusts link counts. */
static int dir_add(struct inode *dir, const char *name, size_t len, struct inode *ip)
{
	struct ramfs_dir *d = dir->priv;

	dir_grow(d);
	if (!d->nbuckets)
		return -ENOMEM;
	struct ramfs_dirent *e = kmalloc(sizeof(*e) + len + 1);
	if (!e)
		return -ENOMEM;
	e->ip = ip;
	e->cookie = d->next_cookie++;
	e->hash_len = path_hash_len(path_hash(name, len), len);
	e->head = path_head(name, len);
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	uint64_t f = spin_lock_irqsave(&d->lock);
	chain_insert(d, e);
	spin_unlock_irqrestore(&d->lock, f);
	/* the newest cookie is the largest: the tree's right end */
	struct avl_node *last = avl_last(&d->by_cookie);
	avl_insert(&d->by_cookie, &e->by_cookie, last, last ? &last->right : &d->by_cookie.root);
	d->count++;
	dir->mtime = dir->ctime = vfs_now();
	return 0;
}

/* Unhook entry e and free it. */
static void dir_remove(struct inode *dir, struct ramfs_dirent *e)
{
	struct ramfs_dir *d = dir->priv;
	uint64_t f = spin_lock_irqsave(&d->lock);

	chain_unhook(d, e);
	spin_unlock_irqrestore(&d->lock, f);
	avl_erase(&d->by_cookie, &e->by_cookie);
	kfree(e);
	d->count--;
	if (d->nbuckets > DIR_HASH_MIN && d->count < d->nbuckets / 4)
		dir_rehash(d, d->nbuckets / 2);
	dir->mtime = dir->ctime = vfs_now();
}

/* The entry with the smallest cookie at or above pos; NULL if none. */
static struct ramfs_dirent *dir_seek(const struct ramfs_dir *d, uint64_t pos)
{
	struct avl_node *n = d->by_cookie.root;
	struct ramfs_dirent *best = NULL;

	while (n) {
		struct ramfs_dirent *e = dirent_of(n);
		if (e->cookie >= pos) {
			best = e;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

static int ramfs_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct ramfs_dirent *e = dir_find(dir, name, len);

	if (!e)
		return -ENOENT;
	*out = inode_get(e->ip);
	return 0;
}

/* inode_ops.lookup_nolock: the inode of the entry called n, without a
 * reference (NULL: none). Interrupts are off (the walk's). Under the
 * directory's lock, so that a change made meanwhile under the kernel
 * lock is seen whole or not at all; the inode stays allocated for as
 * long as the caller's lock-free walk (namei.c) runs. */
static struct inode *ramfs_lookup_nolock(struct inode *dir, const struct path_name *n)
{
	struct ramfs_dir *d = dir->priv;
	spin_lock_irqoff(&d->lock);
	struct ramfs_dirent *e = dir_find_name(d, n);
	struct inode *ip = e ? e->ip : NULL;

	spin_unlock_irqoff(&d->lock);
	return ip;
}

static int ramfs_iterate(struct inode *dir, uint64_t *pos, dir_emit_fn emit, void *ctx)
{
	struct ramfs_dir *d = dir->priv;

	if (!vfs_emit_dots(dir, pos, emit, ctx)) /* leaves *pos at FIRST_COOKIE */
		return 0;
	/* One seek, then the tree's order: emit's copy to the user faults
	 * pages in without sleeping, so the directory does not change under
	 * the walk (the next call seeks again by cookie). */
	for (struct ramfs_dirent *e = dir_seek(d, *pos); e; e = dirent_of(avl_next(&e->by_cookie))) {
		if (!emit(ctx, e->name, dirent_len(e), e->ip->ino, inode_dtype(e->ip), e->cookie + 1))
			return 0;
		*pos = e->cookie + 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- inode life */

/* A regular file's private part, with its (empty) object; NULL when out
 * of memory. */
static struct ramfs_file *new_file(struct ramfs_sb *sb)
{
	struct ramfs_file *rf = kzalloc(sizeof(*rf));

	if (rf && !(rf->obj = shmem_create(OBJ_PAGES))) {
		kfree(rf);
		return NULL;
	}
	if (rf) {
		shmem_set_acct(rf->obj, &sb->pages, &sb->max_pages);
		shmem_set_end(rf->obj, 0);
		rf->seals = F_SEAL_SEAL;
	}
	return rf;
}

/* A new inode of sb of the given type with its private part; NULL when
 * out of memory or over the inode limit. */
static struct inode *ramfs_new(struct ramfs_sb *sb, uint32_t mode)
{
	if (sb->inodes >= sb->max_inodes)
		return NULL;
	struct inode *ip = inode_alloc(&sb->info, &ramfs_ops, mode);
	void *priv = NULL;

	if (!ip)
		return NULL;
	if (S_ISDIR(mode)) {
		struct ramfs_dir *d = kzalloc(sizeof(*d));
		if (d) {
			d->next_cookie = FIRST_COOKIE;
			spin_lock_class(&d->lock, &dir_lock_class);
		}
		priv = d;
	} else if (S_ISREG(mode)) {
		priv = new_file(sb);
	}
	struct ino_entry *e = kmalloc(sizeof(*e));
	if (((S_ISDIR(mode) || S_ISREG(mode)) && !priv) || !e) {
		if (S_ISREG(mode) && priv)
			shmem_put(((struct ramfs_file *)priv)->obj);
		kfree(priv);
		kfree(e);
		kfree(ip);
		return NULL;
	}
	ip->priv = priv;
	ip->ino = next_ino++;
	*e = (struct ino_entry){ ip->ino, ip, NULL };
	ino_index_add(e);
	sb->inodes++;
	return ip;
}

/* Page idx of the file, or NULL for a hole. */
static uint8_t *page_get(const struct ramfs_file *rf, size_t idx)
{
	uint64_t phys = shmem_lookup(rf->obj, idx);

	return phys ? phys_to_virt(phys) : NULL;
}

/* Free the pages from page index `from` on, unmapping them from every
 * mapping of the file first (a later touch there is SIGBUS). The
 * object's end goes down to `from` first (uvm_truncate_object): the
 * caller sets the size it means after (set_size). */
static void file_free_pages(struct ramfs_file *rf, size_t from)
{
	uvm_truncate_object(rf->obj, from);
}

/* The file's size changed: so does the end its mappings may reach. */
static void set_size(struct inode *ip, uint64_t size)
{
	struct ramfs_file *rf = ip->priv;

	ip->size = size;
	shmem_set_end(rf->obj, page_count(size));
}

static void ramfs_evict(struct inode *ip)
{
	struct ramfs_sb *sb = sb_of(ip->fs);

	ino_index_remove(ip);
	if (S_ISREG(ip->mode)) {
		struct ramfs_file *rf = ip->priv;
		if (sb->dead)
			shmem_set_acct(rf->obj, NULL, NULL); /* its pages may outlive sb */
		shmem_put(rf->obj); /* the pages go with the last mapping */
	} else if (S_ISDIR(ip->mode)) {
		struct ramfs_dir *d = ip->priv;
		while (d->by_cookie.root) /* only a failed create can leave entries here */
			dir_remove(ip, dirent_of(d->by_cookie.root));
		kfree(d->buckets);
	}
	kfree(ip->priv);
	if (--sb->inodes == 0 && sb->dead)
		kfree(sb);
}

/* ram_root's limits: half of RAM's pages and as many inodes, as tmpfs's
 * defaults. Set by the RAM root's making, or on a disk root by the first
 * unlinked file (memfd_create), the RAM root's other user. */
static void ram_root_limits(void)
{
	uint64_t half = pmm_managed_pages() / 2;

	if (!__atomic_load_n(&ram_root.max_pages, __ATOMIC_RELAXED))
		ram_root.max_pages = ram_root.max_inodes = half;
}

struct inode *ramfs_new_root(void)
{
	ram_root_limits();
	struct inode *ip = ramfs_new(&ram_root, S_IFDIR | 0755);

	if (!ip)
		return NULL;
	ip->nlink = 2;
	ip->parent = ip;
	return ip;
}

/* The type-specific part of a new inode: a directory's links and name, a symlink's target. */
static int ramfs_init_new(struct inode *dir, struct inode *ip, const char *name, size_t len,
			  const char *target)
{
	if (S_ISDIR(ip->mode)) {
		if (!(ip->name = kmalloc(len + 1)))
			return -ENOMEM;
		memcpy(ip->name, name, len);
		ip->name[len] = '\0';
		ip->parent = inode_get(dir);
		ip->nlink = 2;
	} else {
		ip->nlink = 1;
	}
	if (S_ISLNK(ip->mode)) {
		size_t tl = strlen(target);
		if (!(ip->priv = kmalloc(tl + 1)))
			return -ENOMEM;
		memcpy(ip->priv, target, tl + 1);
		ip->size = tl;
	}
	return 0;
}

static int ramfs_create(struct inode *dir, const char *name, size_t len, uint32_t mode,
			uint32_t rdev, const char *target, struct inode **out)
{
	if (dir_find(dir, name, len))
		return -EEXIST;
	if (dir->fs->read_only)
		return -EROFS; /* a read-only tmpfs: after EEXIST, as Linux's filename_create */
	struct ramfs_sb *sb = sb_of(dir->fs);
	struct inode *ip = ramfs_new(sb, mode);
	if (!ip)
		return sb->inodes >= sb->max_inodes ? -ENOSPC : -ENOMEM;
	ip->rdev = rdev;
	int err = ramfs_init_new(dir, ip, name, len, target);
	if (!err)
		err = dir_add(dir, name, len, ip);
	if (err) {
		ip->nlink = 0;
		inode_put(ip);
		return err;
	}
	if (S_ISDIR(mode))
		dir->nlink++;
	*out = ip;
	return 0;
}

/* O_TMPFILE: a regular file of dir's file system with no entry. */
static int ramfs_tmpfile(struct inode *dir, uint32_t mode, struct inode **out)
{
	struct ramfs_sb *sb = sb_of(dir->fs);
	struct inode *ip = ramfs_new(sb, S_IFREG | mode);

	if (!ip)
		return sb->inodes >= sb->max_inodes ? -ENOSPC : -ENOMEM;
	*out = ip; /* nlink 0: it goes with its last reference, unless linked */
	return 0;
}

static int ramfs_link(struct inode *dir, const char *name, size_t len, struct inode *target)
{
	if (dir_find(dir, name, len))
		return -EEXIST;
	if (dir->fs->read_only)
		return -EROFS;
	int err = dir_add(dir, name, len, target);
	if (err)
		return err;
	target->nlink++;
	target->ctime = vfs_now();
	return 0;
}

/* Drop the link entry e held on its inode (freeing it if nothing else holds it). */
static void drop_link(struct inode *dir, struct inode *ip)
{
	inode_get(ip);
	if (S_ISDIR(ip->mode)) {
		ip->nlink = 0;
		dir->nlink--;
	} else {
		ip->nlink--;
	}
	ip->ctime = vfs_now();
	inode_put(ip);
}

static int ramfs_unlink(struct inode *dir, const char *name, size_t len)
{
	struct ramfs_dirent *e = dir_find(dir, name, len);

	if (dir->fs->read_only)
		return -EROFS;
	if (!e)
		return -ENOENT;
	struct inode *ip = e->ip;
	dir_remove(dir, e);
	drop_link(dir, ip);
	return 0;
}

/* Point entry e of dir at ip (rename over an existing name). */
static void entry_set(struct inode *dir, struct ramfs_dirent *e, struct inode *ip)
{
	struct ramfs_dir *d = dir->priv;
	uint64_t f = spin_lock_irqsave(&d->lock);

	e->ip = ip;
	spin_unlock_irqrestore(&d->lock, f);
}

/* Trade the inodes of entry o of odir and entry n of ndir, both
 * directories' locks held (in address order) so that a lookup sees the
 * exchange whole. */
static void entries_swap(struct inode *odir, struct ramfs_dirent *o, struct inode *ndir,
			 struct ramfs_dirent *n)
{
	struct ramfs_dir *a = odir->priv, *b = ndir->priv;
	if (a > b) {
		struct ramfs_dir *t = a;
		a = b;
		b = t;
	}
	uint64_t f = spin_lock_irqsave(&a->lock);
	if (b != a)
		spin_lock_irqoff(&b->lock);
	struct inode *ip = o->ip;
	o->ip = n->ip;
	n->ip = ip;
	if (b != a)
		spin_unlock_irqoff(&b->lock);
	spin_unlock_irqrestore(&a->lock, f);
}

/* A directory's own copy of the name it will have (move_dir keeps it):
 * NULL when out of memory. */
static char *name_copy(const char *name, size_t len)
{
	char *nm = kmalloc(len + 1);

	if (nm) {
		memcpy(nm, name, len);
		nm[len] = '\0';
	}
	return nm;
}

/* Give a moved directory its new name (nm, already allocated) and parent. */
static void move_dir(struct inode *ip, struct inode *odir, struct inode *ndir, char *nm)
{
	kfree(ip->name);
	ip->name = nm;
	if (odir != ndir) {
		odir->nlink--;
		ndir->nlink++;
		inode_put(ip->parent);
		ip->parent = inode_get(ndir);
	}
}

static int ramfs_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
			const char *nname, size_t nlen)
{
	struct ramfs_dirent *o = dir_find(odir, oname, olen);
	char *nm = NULL;

	if (odir->fs->read_only)
		return -EROFS;
	if (!o)
		return -ENOENT;
	struct inode *ip = o->ip;
	if (S_ISDIR(ip->mode) && !(nm = name_copy(nname, nlen)))
		return -ENOMEM;
	struct ramfs_dirent *n = dir_find(ndir, nname, nlen);
	if (!n) {
		int err = dir_add(ndir, nname, nlen, ip);
		if (err) {
			kfree(nm);
			return err;
		}
	}
	/* Commit: nothing below fails. */
	inode_get(ip);
	if (n) {
		struct inode *old = n->ip;
		entry_set(ndir, n, ip); /* replaced in place: the name keeps its cookie */
		drop_link(ndir, old);
	}
	o = dir_find(odir, oname, olen);
	dir_remove(odir, o);
	if (nm)
		move_dir(ip, odir, ndir, nm);
	ip->ctime = vfs_now();
	inode_put(ip);
	return 0;
}

/* inode_ops.exchange: the two names trade files, each keeping its cookie
 * (a listing in progress sees each name once); a directory moving to
 * the other parent takes its new name and parent (the parents' link
 * counts change only when one side is a directory and the other not). */
static int ramfs_exchange(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
			  const char *nname, size_t nlen)
{
	struct ramfs_dirent *o = dir_find(odir, oname, olen), *n = dir_find(ndir, nname, nlen);
	char *onm = NULL, *nnm = NULL;

	if (odir->fs->read_only)
		return -EROFS;
	if (!o || !n)
		return -ENOENT;
	struct inode *a = o->ip, *b = n->ip;
	if (S_ISDIR(a->mode) && !(onm = name_copy(nname, nlen)))
		return -ENOMEM;
	if (S_ISDIR(b->mode) && !(nnm = name_copy(oname, olen))) {
		kfree(onm);
		return -ENOMEM;
	}
	/* Commit: nothing below fails. */
	entries_swap(odir, o, ndir, n);
	if (onm)
		move_dir(a, odir, ndir, onm);
	if (nnm)
		move_dir(b, ndir, odir, nnm);
	struct vfs_time now = vfs_now();
	a->ctime = b->ctime = now;
	odir->mtime = odir->ctime = ndir->mtime = ndir->ctime = now;
	return 0;
}

/* ---------------------------------------------------------------- regular files */

const void *ramfs_borrowed(struct inode *ip)
{
	const struct ramfs_file *rf = ip->ops == &ramfs_ops && S_ISREG(ip->mode) ? ip->priv : NULL;
	return rf ? rf->borrowed : NULL;
}

/* The page holding byte off, allocated (zeroed, counted) if it is a
 * hole; NULL when the file system is full or memory is out (the
 * caller's ENOSPC). */
static uint8_t *file_page(struct ramfs_file *rf, uint64_t off)
{
	uint64_t phys = shmem_page(rf->obj, off / PAGE);

	return phys ? phys_to_virt(phys) : NULL;
}

void ramfs_usage(const struct fs_info *fs, uint64_t *pages, uint64_t *max_pages, uint64_t *inodes,
		 uint64_t *max_inodes)
{
	const struct ramfs_sb *sb = sb_of(fs);

	*pages = sb->pages;
	*max_pages = sb->max_pages;
	*inodes = sb->inodes;
	*max_inodes = sb->max_inodes;
}

/* The number in s (decimal) scaled by its suffix; false for anything else.
 * pct_base: what 100% is ('%' not allowed when 0). */
static bool parse_size(const char *s, size_t len, uint64_t pct_base, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0 || len - i > 1)
		return false;
	unsigned shift = 0;
	switch (i < len ? s[i] | 0x20 : 0) {
	case 0: break;
	case 'k': shift = 10; break;
	case 'm': shift = 20; break;
	case 'g': shift = 30; break;
	case 't': shift = 40; break;
	case '%' | 0x20:
		if (!pct_base || v > 100)
			return false;
		*out = pct_base / 100 * v + pct_base % 100 * v / 100;
		return true;
	default: return false;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return false;
	*out = v << shift;
	return true;
}

/* tmpfs's options, as a mount or a remount gives them. */
struct ram_opts {
	uint64_t pages, inodes;       /* size= (or nr_blocks=), nr_inodes=; 0: no limit */
	uint32_t mode, uid, gid;      /* mode=, uid=, gid=: a new mount's root */
};

/* A number of base 8 or 10, all of s, at most max: false for anything else. */
static bool parse_num(const char *s, size_t len, unsigned base, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!len)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (d >= base || v > (max - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

/* Does option o (len bytes) start with the key word (ending in '=') and have a value? */
static bool opt_key(const char *o, size_t len, const char *key)
{
	size_t n = strlen(key);
	return len > n && !memcmp(o, key, n);
}

/* One tmpfs option into *r: 0 or -EINVAL. The generic words and the
 * options Linux's tmpfs has that change nothing here are taken. */
static int ram_option(const char *o, size_t len, struct ram_opts *r)
{
	static const char *const ignored[] = { "rw", "relatime", "noatime", "strictatime", "inode64",
					       "inode32", "noswap", "huge=", "mpol=" };
	uint64_t v;

	if (opt_key(o, len, "size=")) {
		if (!parse_size(o + 5, len - 5, pmm_managed_pages() * PAGE, &v))
			return -EINVAL;
		r->pages = page_count(v);
	} else if (opt_key(o, len, "nr_blocks=")) {
		if (!parse_size(o + 10, len - 10, 0, &r->pages))
			return -EINVAL;
	} else if (opt_key(o, len, "nr_inodes=")) {
		if (!parse_size(o + 10, len - 10, 0, &r->inodes))
			return -EINVAL;
	} else if (opt_key(o, len, "mode=")) {
		if (!parse_num(o + 5, len - 5, 8, 07777, &v))
			return -EINVAL;
		r->mode = (uint32_t)v;
	} else if (opt_key(o, len, "uid=") || opt_key(o, len, "gid=")) {
		if (!parse_num(o + 4, len - 4, 10, UINT32_MAX - 1, &v))
			return -EINVAL;
		*(o[0] == 'u' ? &r->uid : &r->gid) = (uint32_t)v;
	} else {
		for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
			size_t n = strlen(ignored[i]);
			if (ignored[i][n - 1] == '=' ? opt_key(o, len, ignored[i])
						     : len == n && !memcmp(o, ignored[i], n))
				return 0;
		}
		return -EINVAL;
	}
	return 0;
}

/* Every option of the comma-separated opts (NULL: none) into *r: 0 or -EINVAL. */
static int ram_options(const char *opts, struct ram_opts *r)
{
	for (const char *o = opts ? opts : ""; *o;) {
		size_t len = 0;
		while (o[len] && o[len] != ',')
			len++;
		int err = len ? ram_option(o, len, r) : 0;
		if (err)
			return err;
		o += len + (o[len] == ',');
	}
	return 0;
}

/* New limits for sb (0: none): -EINVAL below what is in use (nothing changes). */
static int set_limits(struct ramfs_sb *sb, uint64_t pages, uint64_t inodes)
{
	pages = pages ? pages : UINT64_MAX;
	inodes = inodes ? inodes : UINT64_MAX;
	if (pages < sb->pages || inodes < sb->inodes)
		return -EINVAL;
	sb->max_pages = pages;
	sb->max_inodes = inodes;
	return 0;
}

int ramfs_remount(const struct fs_info *fs, const char *opts)
{
	struct ramfs_sb *sb = sb_of(fs);
	struct ram_opts r = { .pages = sb->max_pages, .inodes = sb->max_inodes };
	int err = ram_options(opts, &r);

	return err ? err : set_limits(sb, r.pages, r.inodes);
}

#define OWNER_UNSET UINT32_MAX /* no uid= (gid=): the mounter's file system id, as inode_alloc gives */

int ramfs_mount(const char *opts, struct inode **root)
{
	uint64_t half = pmm_managed_pages() / 2;
	struct ram_opts r = { .pages = half, .inodes = half, .mode = TMPFS_ROOT_MODE & 07777,
			      .uid = OWNER_UNSET, .gid = OWNER_UNSET };
	int err = ram_options(opts, &r);
	if (err)
		return err;
	struct ramfs_sb *sb = kzalloc(sizeof(*sb));
	if (!sb)
		return -ENOMEM;
	sb->info = (struct fs_info){ .name = tmpfs_name, .dev = RDEV(0, next_tmpfs_dev),
				     .magic = TMPFS_MAGIC, .export = &ramfs_export, .xattrs = true };
	set_limits(sb, r.pages, r.inodes); /* nothing in use yet: never refused */
	struct inode *ip = ramfs_new(sb, S_IFDIR | r.mode);
	if (!ip) {
		kfree(sb);
		return -ENOMEM;
	}
	next_tmpfs_dev++;
	if (r.uid != OWNER_UNSET)
		ip->uid = r.uid;
	if (r.gid != OWNER_UNSET)
		ip->gid = r.gid;
	ip->nlink = 2;
	ip->parent = ip;
	*root = ip;
	return 0;
}

/* A directory's entry in its parent (it has one while it is linked). */
static struct ramfs_dirent *entry_in_parent(struct inode *dir)
{
	return dir_find(dir->parent, dir->name, strlen(dir->name));
}

/* The first entry of directory dir, or NULL. */
static struct ramfs_dirent *first_entry(struct inode *dir)
{
	return dir_seek(dir->priv, 0);
}

/*
 * Walks of a whole tree (below): iterative, each directory's entries in
 * order and a subdirectory's before the next, so a deep tree does not
 * deepen the kernel stack. A directory's parent and name lead back up.
 */
bool ramfs_mapped(struct inode *root)
{
	struct inode *cur = root;
	struct ramfs_dirent *e = first_entry(root);

	for (;;) {
		if (!e) { /* cur is done: on with the entry after it */
			if (cur == root)
				return false;
			e = dirent_of(avl_next(&entry_in_parent(cur)->by_cookie));
			cur = cur->parent;
			continue;
		}
		struct inode *ip = e->ip;
		if (S_ISREG(ip->mode) && *shmem_rmap(((struct ramfs_file *)ip->priv)->obj))
			return true;
		if (S_ISDIR(ip->mode)) {
			cur = ip;
			e = first_entry(ip);
		} else {
			e = dirent_of(avl_next(&e->by_cookie));
		}
	}
}

void ramfs_kill(struct inode *root)
{
	struct inode *cur = root;

	sb_of(root->fs)->dead = true;
	for (;;) {
		struct ramfs_dirent *e = first_entry(cur);
		if (e && S_ISDIR(e->ip->mode) && first_entry(e->ip)) {
			cur = e->ip; /* a directory is emptied before it goes */
			continue;
		}
		if (!e && cur == root)
			break;
		struct inode *dir = cur;
		if (!e) { /* cur is empty now: it goes from its parent */
			dir = cur->parent;
			e = entry_in_parent(cur);
			cur = dir;
		}
		struct inode *ip = e->ip;
		dir_remove(dir, e);
		drop_link(dir, ip); /* freed unless a process holds it: then with its last reference */
	}
	root->nlink = 0;
}

static int file_unborrow(struct inode *ip)
{
	struct ramfs_file *rf = ip->priv;

	if (!rf->borrowed)
		return 0;
	for (uint64_t off = 0; off < ip->size; off += PAGE) {
		uint8_t *pg = file_page(rf, off);
		if (!pg) {
			file_free_pages(rf, 0);
			set_size(ip, ip->size); /* the end the free lowered (uvm_truncate_object) */
			return -ENOSPC;
		}
		uint64_t k = ip->size - off < PAGE ? ip->size - off : PAGE;
		memcpy(pg, rf->borrowed + off, k);
	}
	rf->borrowed = NULL;
	return 0;
}

void ramfs_borrow(struct inode *ip, const void *data, uint64_t size)
{
	struct ramfs_file *rf = ip->priv;

	file_free_pages(rf, 0);
	rf->borrowed = data;
	set_size(ip, size);
}

/* Read up to n bytes at off into b: the count, or -EFAULT if none could
 * be copied. Inline in read(2)'s rf_read. */
static inline __attribute__((always_inline)) long file_read(struct inode *ip, struct iobuf b, size_t n, uint64_t off)
{
	struct ramfs_file *rf = ip->priv;
	size_t done = 0;

	if (off >= ip->size)
		return 0;
	if (n > ip->size - off)
		n = ip->size - off;
	while (done < n) {
		if (done && io_should_stop())
			break; /* SIGKILL: what was read so far */
		uint64_t at = off + done, idx = at / PAGE, in = at % PAGE;
		size_t k = n - done < PAGE - in ? n - done : PAGE - in;
		const uint8_t *pg = rf->borrowed ? NULL : page_get(rf, idx);
		const uint8_t *src = rf->borrowed ? rf->borrowed + at : pg ? pg + in : zeros;
		size_t got = iobuf_put_partial(b, done, src, k);
		done += got;
		if (got < k) /* a bad page: what came before it, as Linux's read */
			return done ? (long)done : -EFAULT;
	}
	return (long)done;
}

/* Write n bytes of b at off, extending the file: the count or -errno. */
static long file_write(struct inode *ip, struct iobuf b, size_t n, uint64_t off)
{
	struct ramfs_file *rf = ip->priv;
	size_t done = 0;
	if (ip->fs->read_only)
		return -EROFS;
	int err = file_unborrow(ip);

	if (err)
		return err;
	if (off >= MAX_FILE_SIZE || n > MAX_FILE_SIZE - off)
		return -EFBIG;
	while (done < n) {
		if (io_should_stop()) {
			err = -EINTR; /* SIGKILL: what was written so far, or -EINTR */
			break;
		}
		uint64_t at = off + done, in = at % PAGE;
		size_t k = n - done < PAGE - in ? n - done : PAGE - in;
		uint8_t *pg = file_page(rf, at);
		if (!pg) {
			err = -ENOSPC;
			break;
		}
		if (iobuf_get(pg + in, b, done, k)) {
			err = -EFAULT;
			break;
		}
		done += k;
	}
	if (done && off + done > ip->size)
		set_size(ip, off + done);
	if (done) {
		ip->mtime = ip->ctime = vfs_now();
		vfs_remove_privs(ip);
	}
	return done ? (long)done : err;
}

static int truncate_locked(struct inode *ip, uint64_t size)
{
	struct ramfs_file *rf = ip->priv;

	if (size > MAX_FILE_SIZE)
		return -EFBIG;
	if ((size < ip->size && (rf->seals & F_SEAL_SHRINK)) || (size > ip->size && (rf->seals & F_SEAL_GROW)))
		return -EPERM;
	if (size == 0) {
		rf->borrowed = NULL;
	} else {
		int err = file_unborrow(ip);
		if (err)
			return err;
	}
	if (size < ip->size) {
		file_free_pages(rf, page_count(size));
		uint8_t *last = page_get(rf, size / PAGE);
		if (size % PAGE && last) /* later growth reads zeros */
			memset(last + size % PAGE, 0, PAGE - size % PAGE);
	}
	set_size(ip, size);
	ip->mtime = ip->ctime = vfs_now();
	return 0;
}

/* Change the size under the inode's write lock (see struct inode). */
static int ramfs_truncate(struct inode *ip, uint64_t size)
{
	struct ramfs_file *rf = ip->priv;
	int err = sleeplock_lock(&rf->write_lock);

	if (err)
		return err;
	err = truncate_locked(ip, size);
	sleeplock_unlock(&rf->write_lock);
	return err;
}

/* fallocate(2) mode 0: the file at least size bytes long, under the
 * write lock so that a concurrent growth is never undone. Pages stay
 * allocated on first use, as all of a RAM file's. */
int ramfs_grow(struct inode *ip, uint64_t size)
{
	struct ramfs_file *rf = ip->priv;
	int err = sleeplock_lock(&rf->write_lock);

	if (err)
		return err;
	if (size > ip->size)
		err = truncate_locked(ip, size);
	sleeplock_unlock(&rf->write_lock);
	return err;
}

/* Zero [off, end) of the file's bytes, under the write lock. Only the
 * pages there are visited (shmem_seek skips a hole's subtree at once): a
 * sparse file may be INT64_MAX bytes long, and a walk page by page over
 * its holes never ended (the fuzzer's hang, 2026-11-29). */
static int punch_locked(struct inode *ip, uint64_t off, uint64_t end)
{
	struct ramfs_file *rf = ip->priv;
	uint64_t pages = page_count(end);
	int err = file_unborrow(ip);

	if (err)
		return err;
	while (off < end) {
		uint64_t idx = shmem_seek(rf->obj, off / PAGE, pages, true);
		if (idx >= pages)
			break; /* holes to the end: they read as zeros already */
		if (idx != off / PAGE)
			off = idx * PAGE;
		uint64_t in = off % PAGE, k = end - off < PAGE - in ? end - off : PAGE - in;
		uint8_t *pg = page_get(rf, idx);
		if (pg)
			memset(pg + in, 0, k);
		off += k;
	}
	return 0;
}

int ramfs_punch_hole(struct inode *ip, uint64_t off, uint64_t len)
{
	struct ramfs_file *rf = ip->priv;
	int err = sleeplock_lock(&rf->write_lock);

	if (err)
		return err;
	uint64_t end = len > ip->size || off > ip->size - len ? ip->size : off + len;
	if (rf->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		err = -EPERM;
	else if (off < end)
		err = punch_locked(ip, off, end);
	sleeplock_unlock(&rf->write_lock);
	return err;
}

long ramfs_read_kernel(struct inode *ip, void *buf, size_t n, uint64_t off)
{
	return file_read(ip, iobuf_kernel(buf), n, off);
}

int ramfs_map(struct inode *ip, bool shared, struct shmem **obj, const void **borrowed)
{
	struct ramfs_file *rf = ip->priv;

	*obj = NULL;
	*borrowed = NULL;
	if (rf->borrowed && !shared) {
		*borrowed = rf->borrowed;
		return 0;
	}
	if (rf->borrowed) { /* a shared mapping sees write(2): pages of its own */
		int err = sleeplock_lock(&rf->write_lock);
		if (err)
			return err;
		err = file_unborrow(ip);
		sleeplock_unlock(&rf->write_lock);
		if (err)
			return err;
	}
	*obj = rf->obj;
	return 0;
}

static long rf_read(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	long r = file_read(f->inode, buf, n, *pos);
	if (r > 0)
		*pos += (uint64_t)r;
	return r;
}

/* What the seals leave of a write of *n bytes at pos: 0 (with *n cut
 * at the end for F_SEAL_GROW, as Linux stops at the page that would
 * grow the file) or -EPERM. */
static long sealed_write_count(const struct ramfs_file *rf, const struct inode *ip, uint64_t pos,
			       size_t *n)
{
	if (rf->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		return -EPERM;
	if (!(rf->seals & F_SEAL_GROW) || !*n || pos + *n <= ip->size)
		return 0;
	if (pos >= ip->size)
		return -EPERM;
	*n = ip->size - pos;
	return 0;
}

/* A write at *pos (the end, for O_APPEND) under the inode's write lock. */
static long locked_write(struct file *f, struct iobuf b, size_t n, uint64_t *pos)
{
	struct inode *ip = f->inode;
	struct ramfs_file *rf = ip->priv;
	long r = sleeplock_lock(&rf->write_lock);

	if (r)
		return r;
	if (f->flags & O_APPEND)
		*pos = ip->size;
	r = sealed_write_count(rf, ip, *pos, &n);
	if (r == 0)
		r = file_write(ip, b, n, *pos);
	sleeplock_unlock(&rf->write_lock);
	if (r > 0)
		*pos += (uint64_t)r;
	return r;
}

static long rf_write(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	return locked_write(f, buf, n, pos);
}

/* SEEK_DATA and SEEK_HOLE as Linux's shmem_file_llseek: a page that
 * holds data (written, or touched through a mapping) is data, any other
 * a hole, so a hole's end or a data page's start is a page boundary; a
 * file still read in place from the boot archive is data throughout.
 * -ENXIO for an offset at or past the end, or no data after it. */
static long rf_seek_data(struct file *f, int64_t off, int whence)
{
	const struct inode *ip = f->inode;
	const struct ramfs_file *rf = ip->priv;
	bool data = whence == SEEK_DATA;
	uint64_t pos = (uint64_t)off, pages = page_count(ip->size);

	if (off < 0 || pos >= ip->size)
		return -ENXIO;
	if (!rf->borrowed) {
		uint64_t idx = shmem_seek(rf->obj, pos / PAGE_SIZE, pages, data);
		if (idx != pos / PAGE_SIZE)
			pos = idx * PAGE_SIZE;
	}
	if (pos >= ip->size && data)
		return -ENXIO;
	f->pos = pos < ip->size ? pos : ip->size;
	return (long)f->pos;
}

static long rf_lseek(struct file *f, int64_t off, int whence)
{
	if (whence == SEEK_DATA || whence == SEEK_HOLE)
		return rf_seek_data(f, off, whence);
	return vfs_seek_pos(f, off, whence, f->inode->size);
}

static const struct file_ops ramfs_file_ops = {
	.read = rf_read,
	.write = rf_write,
	.lseek = rf_lseek,
	.kernel_io = KERNEL_IO_READ | KERNEL_IO_WRITE,
};

/* ---------------------------------------------------------------- the rest */

static int ramfs_readlink(struct inode *ip, char *buf, size_t cap)
{
	size_t n = ip->size < cap ? ip->size : cap;

	if (!S_ISLNK(ip->mode))
		return -EINVAL;
	memcpy(buf, ip->priv, n);
	return (int)n;
}

static int ramfs_open(struct inode *ip, struct file *f)
{
	switch (ip->mode & S_IFMT) {
	case S_IFREG:
		if (ip->fs->read_only && (f->flags & O_ACCMODE) != O_RDONLY)
			return -EROFS; /* a read-only tmpfs: Linux's may_open */
		f->ops = &ramfs_file_ops;
		return 0;
	case S_IFDIR:
		f->ops = &dir_file_ops;
		return 0;
	case S_IFCHR:
	case S_IFBLK:
		return devfs_open(ip, f);
	case S_IFIFO:
		return pipe_open_fifo(&ip->priv, f);
	}
	return -ENXIO; /* sockets: nothing behind them */
}

int ramfs_new_unlinked(const char *name, uint32_t mode, unsigned seals, struct inode **out)
{
	size_t len = strlen(name);
	ram_root_limits(); /* a disk root made no RAM root (/dev is a tmpfs of its own) */
	struct inode *ip = ramfs_new(&ram_root, S_IFREG | (mode & S_IALLUGO));

	if (!ip)
		return -ENOMEM;
	if (!(ip->name = kmalloc(len + 1))) {
		inode_put(ip); /* nlink 0: freed */
		return -ENOMEM;
	}
	memcpy(ip->name, name, len + 1);
	((struct ramfs_file *)ip->priv)->seals = seals;
	*out = ip;
	return 0;
}

/* The file's seals, or NULL when ip is not a RAM regular file. */
static unsigned *seals_of(struct inode *ip)
{
	if (!ip || !ramfs_is(ip->fs) || !S_ISREG(ip->mode))
		return NULL;
	return &((struct ramfs_file *)ip->priv)->seals;
}

int ramfs_get_seals(struct inode *ip)
{
	unsigned *seals = seals_of(ip);

	return seals ? (int)*seals : -EINVAL;
}

int ramfs_add_seals(struct inode *ip, unsigned add)
{
	unsigned *seals = seals_of(ip);

	if (!seals)
		return -EINVAL;
	if (add & ~(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC))
		return -EINVAL;
	if (*seals & F_SEAL_SEAL)
		return -EPERM;
	if ((add & F_SEAL_WRITE) && !(*seals & F_SEAL_WRITE) &&
	    uvm_object_shared_writable(((struct ramfs_file *)ip->priv)->obj))
		return -EBUSY; /* Linux's mapping_deny_writable */
	*seals |= add;
	return 0;
}

bool ramfs_write_sealed(struct inode *ip)
{
	unsigned *seals = seals_of(ip);

	return seals && (*seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE));
}

static const struct inode_ops ramfs_ops = {
	.lookup = ramfs_lookup,
	.lookup_nolock = ramfs_lookup_nolock,
	.iterate = ramfs_iterate,
	.create = ramfs_create,
	.link = ramfs_link,
	.tmpfile = ramfs_tmpfile,
	.unlink = ramfs_unlink,
	.rename = ramfs_rename,
	.exchange = ramfs_exchange,
	.readlink = ramfs_readlink,
	.truncate = ramfs_truncate,
	.open = ramfs_open,
	.evict = ramfs_evict,
};
