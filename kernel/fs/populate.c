// SPDX-License-Identifier: MIT
/*
 * Kestrel: building the root file system at boot from the rootfs cpio
 * archive (every entry checked: a bad one is logged by name and skipped,
 * a bad header ends the archive and the boot goes on with what was read),
 * then /dev, /proc and /tmp.
 */
#include "fs/inode.h"
#include "fs/fstype.h"
#include "fs/fsops.h"
#include "fs/path.h"
#include "fs/cpio.h"
#include "mm/heap.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "log.h"

#define HARDLINKS_MAX 256

/* Files with several names in the archive: the newc format stores the
 * data with the last name of the group, and size 0 for the others. */
struct hardlink {
	uint32_t cpio_ino;
	struct inode *ip;
};

struct populate {
	struct hardlink links[HARDLINKS_MAX];
	unsigned nlinks;
	unsigned dirs, files, symlinks, nodes, skipped;
};

/* A name the tree can hold: relative, no "." or ".." component, each
 * component at most NAME_MAX. */
static const char *bad_name(const struct cpio_entry *e)
{
	const char *p = e->name, *name;
	long len;

	if (e->name_len >= PATH_MAX)
		return "name too long";
	while ((len = path_next(&p, &name)) != 0) {
		if (len < 0)
			return "a component is longer than 255 bytes";
		if (path_is_dot(name, (size_t)len) || path_is_dotdot(name, (size_t)len))
			return "'.' or '..' inside the name";
	}
	return NULL;
}

static void set_attrs(struct inode *ip, const struct cpio_entry *e)
{
	ip->uid = e->uid;
	ip->gid = e->gid;
	ip->mode = (ip->mode & S_IFMT) | (e->mode & S_IALLUGO);
	ip->mtime = ip->ctime = ip->atime = (struct vfs_time){ e->mtime, 0 };
}

/* A second (or later) name of a hard-linked regular file. */
static int add_hardlink(struct populate *st, struct inode *dir, const char *name, size_t len,
			const struct cpio_entry *e, struct inode **out)
{
	for (unsigned i = 0; i < st->nlinks; i++) {
		if (st->links[i].cpio_ino != e->ino)
			continue;
		int err = dir->ops->link(dir, name, len, st->links[i].ip);
		if (!err)
			*out = inode_get(st->links[i].ip);
		return err ? err : 1;
	}
	return 0;
}

/* Create the inode for e in dir; *out gets a reference. */
static int add_inode(struct populate *st, struct inode *dir, const char *name, size_t len,
		     const struct cpio_entry *e, struct inode **out)
{
	uint32_t type = e->mode & S_IFMT;
	char *target = NULL;
	int err;

	if (type == S_IFREG && e->nlink > 1 && (err = add_hardlink(st, dir, name, len, e, out)))
		return err < 0 ? err : 0;
	if (type == S_IFLNK) {
		if (e->size == 0 || e->size >= PATH_MAX)
			return -ENAMETOOLONG;
		if (!(target = kmalloc(e->size + 1)))
			return -ENOMEM;
		memcpy(target, e->data, e->size);
		target[e->size] = '\0';
	}
	err = dir->ops->create(dir, name, len, type | (e->mode & S_IALLUGO),
			       RDEV(e->rdev_major, e->rdev_minor), target, out);
	kfree(target);
	if (!err && type == S_IFREG && e->nlink > 1 && st->nlinks < HARDLINKS_MAX)
		st->links[st->nlinks++] = (struct hardlink){ e->ino, *out };
	return err;
}

static void count(struct populate *st, uint32_t type)
{
	if (type == S_IFDIR)
		st->dirs++;
	else if (type == S_IFREG)
		st->files++;
	else if (type == S_IFLNK)
		st->symlinks++;
	else
		st->nodes++;
}

/* Put one archive entry into the tree; a reason on failure. */
static const char *add_entry(struct populate *st, const struct cpio_entry *e)
{
	uint32_t type = e->mode & S_IFMT;
	const char *why = bad_name(e);
	struct inode *dir, *ip = NULL;
	char name[NAME_MAX + 1];
	size_t len;
	bool slash;

	if (why)
		return why;
	if (type != S_IFDIR && type != S_IFREG && type != S_IFLNK && type != S_IFCHR &&
	    type != S_IFBLK && type != S_IFIFO)
		return "unknown file type";
	if (vfs_walk_parent(vfs_root(), e->name, &dir, name, &len, &slash))
		return "its directory is missing";
	int err = 0;
	if (len == 0 || (dir->ops->lookup(dir, name, len, &ip) == 0)) {
		if (len == 0)
			ip = inode_get(dir); /* "." : the root itself */
		if ((ip->mode & S_IFMT) != type || type != S_IFDIR)
			err = -EEXIST;   /* only a directory may be named twice */
	} else {
		err = add_inode(st, dir, name, len, e, &ip);
	}
	inode_put(dir);
	if (err) {
		inode_put(ip);
		return err == -EEXIST ? "duplicate name" : err == -ENAMETOOLONG ? "bad symlink target"
										 : "out of memory";
	}
	if (type == S_IFREG && e->size)
		ramfs_borrow(ip, e->data, e->size);
	set_attrs(ip, e);
	inode_put(ip);
	count(st, type);
	return NULL;
}

/* Read every entry of the archive into the tree. */
static void populate(const void *cpio, size_t size, struct populate *st)
{
	struct cpio_iter it;
	struct cpio_entry e;

	cpio_iter_init(&it, cpio, size);
	while (cpio_next(&it, &e)) {
		const char *why = add_entry(st, &e);
		if (why) {
			klog(LOG_WARN, "vfs: rootfs entry '%.*s' skipped: %s\n", (int)e.name_len, e.name,
			     why);
			st->skipped++;
		}
	}
	if (it.error)
		klog(LOG_ERR, "vfs: rootfs archive ends early: %s (at '%s'); using what was read\n",
		     it.error, it.error_name);
}

void vfs_init(const void *cpio, size_t size)
{
	static struct populate st; /* large: the hard-link table */
	struct inode *root = ramfs_new_root(), *ip;

	if (!root) {
		klog(LOG_ERR, "vfs: out of memory for the root directory\n");
		return;
	}
	vfs_set_root(root);
	if (cpio)
		populate(cpio, size, &st);
	if (vfs_mkdir(root, "/tmp", 01777) == 0 || vfs_walk(root, "/tmp", 0, &ip) != 0)
		(void)0;
	else
		inode_put(ip);
	vfs_mkdir(root, "/proc", 0555);
	if (vfs_walk(root, "/proc", WALK_DIR, &ip) == 0) {
		procfs_mount(ip);
		inode_put(ip);
	}
	vfs_mkdir(root, "/sys", 0555);
	if (vfs_walk(root, "/sys", WALK_DIR, &ip) == 0) {
		sysfs_mount(ip);
		inode_put(ip);
	}
	vfs_mount_note_boot(root);
	klog(LOG_INFO, "vfs: root from the rootfs: %u directories, %u files, %u symlinks, %u nodes"
	     "%s; /dev, /proc and /sys ready\n", st.dirs, st.files, st.symlinks, st.nodes,
	     st.skipped ? " (some entries skipped)" : "");
}
